"""creditstd.spark: the Spark path, the generic Arrow path and ``creditstd validate`` give the same verdicts.

The same files go through ``creditstd validate --format json`` and through PySpark in ``local[2]``: the
bundled GBK penalty export (as UTF-8, Spark has no GBK reader; with repeated records appended), and fake
records written as JSON Lines and as Parquet.  For every row the two must agree on the verdict and, finding by
finding, on the code, the JSON path and the value shown (masked by default).  A row's line in the file is its
row id plus the lines above the first record (one file, one partition: the ids are 0, 1, 2...).

The Spark tests skip when PySpark cannot be imported or Java is missing, except in CI (``CI=true``), where
they must run and a missing PySpark fails.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from leaks import full_id_numbers

from creditstd.cli import main
from creditstd.records.export import write_csv, write_jsonl
from creditstd.records.fake import fake_records
from creditstd.records.masking import mask_person_name
from creditstd.records.plan import compile_plan, validate_table
from creditstd.sources.jsonl import cell_text
from creditstd.spark import (
    ERRORS_COLUMN,
    ERRORS_COLUMNS,
    FINDING_TYPE,
    VALID_COLUMN,
    errors_table,
    text_column,
    validate_arrow_batches,
    validate_batch_function,
)

TODAY = date(2026, 12, 1)
CLASS = "administrative_penalty"
EXAMPLE = Path(__file__).parent.parent / "examples" / "exports" / "administrative_penalty.csv"
#: Per line of a file: the (code, path, value) of each of its findings.
Verdicts = dict[int, set[tuple[str, str, Any]]]


# -- the command line's verdicts -----------------------------------------------------------------------------------


def cli_verdicts(path: Path, *extra: str) -> tuple[int, Verdicts]:
    """Rows read and, per rejected line, its findings, from ``creditstd validate --format json``."""
    result = CliRunner().invoke(main, ["validate", str(path), "--class", CLASS, "--format", "json",
                                       "--on", TODAY.isoformat(), "--max-errors", "100000", *extra])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    (file,) = report["files"]
    assert file["rows"]["unreadable"] == 0
    found: Verdicts = defaultdict(set)
    for code in report["codes"]:
        assert code["examples_omitted"] == 0, f"more examples of {code['code']} than the report lists"
        for example in code["examples"]:
            found[example["line"]].add((code["code"], example["path"], example["value"]))
    assert sum(len(items) for items in found.values()) == file["findings"]["errors"] + file["findings"]["warnings"]
    assert len(found) == file["rows"]["rejected"]
    return file["rows"]["read"], dict(found)


def _without_location(found: Verdicts) -> Verdicts:
    return {line: {(code, path, value) for code, path, value in items} for line, items in found.items()}


# -- fixture files -----------------------------------------------------------------------------------------------------


def _records(n: int = 300, seed: int = 9) -> list[dict[str, Any]]:
    return [fake.record for fake in fake_records(CLASS, n, seed=seed, error_rate=0.08, on=TODAY)]


def _typed(rows: list[dict[str, Any]]) -> pa.Table:
    """The rows as a table with a column per key, typed by pyarrow (numbers, lists of text); a column whose
    values a broken record made of mixed types is text (a Parquet column has one type)."""
    keys = list(dict.fromkeys(key for row in rows for key in row))
    columns = {}
    for key in keys:
        values = [row.get(key) for row in rows]
        try:
            columns[key] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            columns[key] = pa.array([cell_text(value) for value in values], pa.string())
    return pa.table(columns)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example export as UTF-8 with three of its records repeated at the end; fake records as JSON Lines
    and Parquet, and as a CSV keyed by field key."""
    folder = tmp_path_factory.mktemp("spark")
    text = EXAMPLE.read_bytes().decode("gb18030")
    lines = text.splitlines()
    assert all(line.count('"') == 0 for line in lines), "a quoted cell could span lines: line numbers shift"
    example = folder / "penalties.csv"
    example.write_text("\n".join([*lines, lines[3], lines[40], lines[3]]) + "\n", encoding="utf-8")
    records = _records()
    jsonl = folder / "fake.jsonl"
    with jsonl.open("w", encoding="utf-8") as stream:
        write_jsonl(records, stream)
    parquet = folder / "fake.parquet"
    pq.write_table(_typed([json.loads(line) for line in jsonl.read_text("utf-8").splitlines()]), parquet)
    keyed = folder / "fake.csv"
    with keyed.open("w", encoding="utf-8", newline="") as stream:
        write_csv(records, CLASS, stream, headers="key")
    return {"csv": example, "jsonl": jsonl, "parquet": parquet, "keyed_csv": keyed}


# -- without Spark -----------------------------------------------------------------------------------------------------


def test_importing_creditstd_never_imports_pyspark() -> None:
    code = ("import sys, creditstd, creditstd.spark, creditstd.records.plan, creditstd.cli\n"
            "from creditstd.spark import validate_batch_function\n"
            "validate_batch_function('administrative_penalty')\n"
            "print(sorted(name for name in sys.modules if name.split('.')[0] in ('pyspark', 'py4j')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_arrow_batches_match_the_command_line_repeated_records_included(files: dict[str, Path]) -> None:
    """The generic path (what polars and Dask call) over the CSV read by pyarrow, every column as text,
    in small batches so that a repeated record is found across batches."""
    path = files["csv"]
    headers = path.read_text("utf-8").splitlines()[0].split(",")
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types=dict.fromkeys(headers, pa.string()), strings_can_be_null=True, quoted_strings_can_be_null=True))
    read, expected = cli_verdicts(path)
    found: Verdicts = defaultdict(set)
    seen = valid = 0
    for batch in validate_arrow_batches(table.to_batches(max_chunksize=37), CLASS, today=TODAY):
        assert batch.schema.names == [*headers, VALID_COLUMN, ERRORS_COLUMN]
        valid += sum(batch.column(VALID_COLUMN).to_pylist())
        for row in errors_table(batch).to_pylist():
            found[seen + row["_row"] + 2].add((row["code"], row["path"], row["value"]))
        seen += batch.num_rows
    assert seen == read and valid + len(found) == read
    assert dict(found) == _without_location(expected)
    assert any(code == "record.duplicate" for items in found.values() for code, _, _ in items)


def test_each_batch_alone_leaves_repeats_to_the_stream(files: dict[str, Path]) -> None:
    table = pacsv.read_csv(files["csv"], read_options=pacsv.ReadOptions(block_size=1 << 20))
    check = validate_batch_function(CLASS, today=TODAY)
    checked = check(table.cast(pa.schema([(name, pa.string()) for name in table.column_names])))
    codes = {row["code"] for row in errors_table(checked).to_pylist()}
    assert "record.duplicate" not in codes and "uscc.checksum" in codes
    assert checked.num_rows == table.num_rows


def test_typed_cells_read_as_the_json_lines_reader_reads_them(files: dict[str, Path]) -> None:
    """A Parquet file typed by pyarrow (numbers, lists) gets the verdicts the command line gives the JSON
    Lines file of the same records."""
    _, expected = cli_verdicts(files["jsonl"])
    table = pq.read_table(files["parquet"])
    assert any(not pa.types.is_string(column.type) for column in table.columns)
    checked = validate_batch_function(CLASS, today=TODAY)(table)
    found: Verdicts = defaultdict(set)
    for row in errors_table(checked).to_pylist():
        found[row["_row"] + 1].add((row["code"], row["path"], row["value"]))
    assert dict(found) == _without_location(expected)
    assert len(expected) > 5


def test_text_column_of_a_list_and_a_float_is_the_cell_text() -> None:
    values = [["罚款", "警告"], None, [], ["没收违法所得"]]
    assert text_column(pa.array(values)).to_pylist() == [None if value is None else cell_text(value)
                                                          for value in values]
    floats = [0.1 + 0.2, 2000.0, 1e21, -0.0, None]
    assert text_column(pa.array(floats)).to_pylist() == [None if value is None else cell_text(value)
                                                          for value in floats]


def test_text_column_leaves_out_the_null_fields_of_structs_as_spark_to_json_does() -> None:
    """A Parquet or Spark struct has every field, null where the record has none: the JSON text of the cell
    leaves those out (within lists, structs and maps), keeps a list's null items and a map's null values."""
    person = pa.struct([("name", pa.string()), ("position", pa.string()), ("id_number", pa.string()),
                        ("accountability", pa.string())])
    persons = pa.array([[{"name": "徐荣", "position": None, "id_number": "430523196306274338",
                          "accountability": None}, None],
                        [], None, [{"name": None, "position": None, "id_number": None, "accountability": None}]],
                       pa.list_(person))
    assert text_column(persons).to_pylist() == [
        '[{"name": "徐荣", "id_number": "430523196306274338"}, null]', "", None, "[{}]"]
    nested = pa.struct([("a", pa.int64()), ("inner", pa.struct([("b", pa.string()), ("c", pa.string())])),
                        ("by_key", pa.map_(pa.string(), person))])
    values = pa.array([{"a": None, "inner": {"b": "x", "c": None},
                        "by_key": [("k", {"name": "张三", "position": None, "id_number": None,
                                          "accountability": None}), ("n", None)]}], nested)
    assert text_column(values).to_pylist() == ['{"inner": {"b": "x"}, "by_key": {"k": {"name": "张三"}, "n": null}}']


def test_typed_responsible_persons_are_valid() -> None:
    """Valid fake records of a class with a list of structs, typed by Arrow as Parquet types them (absent
    struct fields null), then every column through text_column: every row valid, as from the command line."""
    on = date(2026, 6, 30)
    records = [fake.record for fake in fake_records("government_dishonesty", 300, seed=11, on=on)]
    keys = list(dict.fromkeys(key for record in records for key in record))  # from_pylist: the first row's keys
    table = pa.Table.from_pylist([{key: record.get(key) for key in keys} for record in records])
    assert pa.types.is_struct(table.schema.field("responsible_persons").type.value_type)
    typed = [person for row in table.column("responsible_persons").to_pylist() for person in row or ()]
    assert any(None in person.values() for person in typed)  # the nulls Parquet gives for absent fields
    batch = pa.RecordBatch.from_arrays([text_column(column.combine_chunks()) for column in table.columns],
                                       names=table.column_names)
    result = validate_table(compile_plan("government_dishonesty", today=on), batch)
    assert [finding.code for finding in result.findings] == []
    assert result.valid.all() and len(result.valid) == 300


# -- Spark -------------------------------------------------------------------------------------------------------------


def spark_verdicts(validation: Any, first_line: int) -> Verdicts:
    found: Verdicts = defaultdict(set)
    for row in validation.errors.collect():
        found[row[validation.row_id] + first_line].add((row["code"], row["path"], row["value"]))
    return dict(found)


def _read(spark: Any, path: Path) -> Any:
    if path.suffix == ".csv":
        return spark.read.csv(str(path), header=True, encoding="utf-8")
    if path.suffix == ".jsonl":
        return spark.read.json(str(path))
    return spark.read.parquet(str(path))


@pytest.mark.parametrize(("name", "cli_file", "first_line"), [
    ("csv", "csv", 2), ("keyed_csv", "keyed_csv", 2), ("jsonl", "jsonl", 1), ("parquet", "jsonl", 1)])
def test_spark_gives_the_command_line_verdicts(spark: Any, files: dict[str, Path], name: str, cli_file: str,
                                               first_line: int) -> None:
    from creditstd.spark import validate_dataframe

    df = _read(spark, files[name])
    assert df.rdd.getNumPartitions() == 1  # the row ids are then 0, 1, 2... in file order
    read, expected = cli_verdicts(files[cli_file])
    validation = validate_dataframe(df, CLASS, today=TODAY)
    valid_df, errors_df = validation
    assert errors_df.columns == [validation.row_id, *ERRORS_COLUMNS]
    assert spark_verdicts(validation, first_line) == _without_location(expected)
    rejected = validation.rejected.count()
    assert df.count() == read == valid_df.count() + rejected
    assert rejected == errors_df.select(validation.row_id).distinct().count() == len(expected)
    assert valid_df.columns == df.columns
    assert validation.checked.columns == [*df.columns, *([] if "_row_id" in df.columns else ["_row_id"]), VALID_COLUMN,
                                          ERRORS_COLUMN]


def test_spark_masks_personal_values_unless_asked(spark: Any, files: dict[str, Path]) -> None:
    from pyspark.sql import functions as F  # noqa: N812

    from creditstd.spark import validate_dataframe

    df = _read(spark, files["csv"])
    ids = "field like '%id_number' and value is not null"
    masked = {(row["_row_id"], row["path"]): row["value"]
              for row in validate_dataframe(df, CLASS, today=TODAY).errors.where(ids).collect()}
    shown = {(row["_row_id"], row["path"]): row["value"]
             for row in validate_dataframe(df, CLASS, today=TODAY, show_pii=True).errors.where(ids).collect()}
    assert masked and masked.keys() == shown.keys()
    raw = {row["_row_id"]: row for row in df.withColumn("_row_id", F.monotonically_increasing_id()).collect()}
    for (row_id, path), value in masked.items():
        column = "法定代表人证件号码" if path == "$.legal_representative_id_number" else "证件号码"
        assert shown[row_id, path] == raw[row_id][column].strip()
        assert "*" in value and value != shown[row_id, path]


def test_spark_duplicates_name_the_first_row_and_can_be_left_out(spark: Any, files: dict[str, Path]) -> None:
    from creditstd.spark import validate_dataframe

    df = _read(spark, files["csv"])
    repeats = validate_dataframe(df, CLASS, today=TODAY).errors.where("code = 'record.duplicate'").collect()
    assert sorted(row["_row_id"] for row in repeats) == [200, 201, 202]
    assert {row["message_en"].split(":")[0] for row in repeats} == {"duplicate of the record at row id 2",
                                                                    "duplicate of the record at row id 39"}
    assert all(row["message_zh"].startswith("与行标识为") for row in repeats)
    alone = validate_dataframe(df, CLASS, today=TODAY, duplicates=False)
    assert alone.errors.where("code = 'record.duplicate'").count() == 0
    assert alone.valid.count() + alone.rejected.count() == df.count()


def test_spark_row_id_column_and_unknown_columns(spark: Any, files: dict[str, Path]) -> None:
    from pyspark.sql import functions as F  # noqa: N812

    from creditstd.spark import UnknownColumnsWarning, validate_dataframe

    df = _read(spark, files["jsonl"]).withColumn("line", F.monotonically_increasing_id() + 1) \
        .withColumn("批次备注", F.lit("x"))
    with pytest.warns(UnknownColumnsWarning, match="批次备注") as warned:
        validation = validate_dataframe(df, today=TODAY, row_id="line")  # the class inferred from the columns
    assert "line" not in str(warned[0].message)  # the row id is not a column left unchecked
    assert validation.plan.class_name == CLASS and "批次备注" in validation.mapping.unknown
    _, expected = cli_verdicts(files["jsonl"])
    assert spark_verdicts(validation, 0) == _without_location(expected)
    assert "批次备注" in validation.valid.columns and "line" in validation.valid.columns
    with pytest.raises(ValueError, match="no column named"):
        validate_dataframe(df, CLASS, row_id="nope")


def test_a_column_named_with_a_dot_is_checked_and_a_headerless_files_warning_shows_no_one(
        spark: Any, tmp_path: Path) -> None:
    """A column named ``备注.1`` (as pandas names a repeated header), which PySpark's ``mapInArrow`` could not
    resolve (the job failed with every column name in the message); and a file read with ``header=True`` that
    has no header row gets its first record as column names: the warning about them masks them as the command
    line's report does."""
    from creditstd.spark import UnknownColumnsWarning, validate_dataframe

    lines = EXAMPLE.read_bytes().decode("gb18030").splitlines()
    dotted = tmp_path / "dotted.csv"
    dotted.write_text("\n".join([lines[0] + ",备注.1", *(line + ",x" for line in lines[1:])]) + "\n",
                      encoding="utf-8")
    df = spark.read.csv(str(dotted), header=True, encoding="utf-8")
    assert "备注.1" in df.columns
    read, expected = cli_verdicts(EXAMPLE)
    with pytest.warns(UnknownColumnsWarning):
        validation = validate_dataframe(df, CLASS, today=TODAY, duplicates=True)
    assert validation.valid.count() + validation.rejected.count() == read
    assert validation.rejected.count() == len(expected)

    headerless = tmp_path / "headerless.csv"
    headerless.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    first = lines[1].split(",")
    with pytest.warns(UnknownColumnsWarning) as warned:
        validate_dataframe(spark.read.csv(str(headerless), header=True, encoding="utf-8"), CLASS, today=TODAY)
    message = str(warned[0].message)
    assert not full_id_numbers(message)
    assert first[0] not in message and mask_person_name(first[0]) in message


def test_blank_rows_are_no_records_as_for_the_command_line(spark: Any, tmp_path: Path) -> None:
    """A row whose cells are all empty or white space is skipped by ``creditstd validate``; in Spark it was a
    row rejected for every required field.  It is now in ``blank`` only (its ``_valid`` null), and the batch
    function gives it a null verdict and no findings."""
    from creditstd.spark import validate_dataframe

    lines = EXAMPLE.read_bytes().decode("gb18030").splitlines()
    width = lines[0].count(",")
    blank_lines = ["," * width, "  ,\u3000," + "," * (width - 2)]
    path = tmp_path / "with_blank_rows.csv"
    path.write_text("\n".join([*lines[:5], blank_lines[0], *lines[5:9], blank_lines[1], *lines[9:]]) + "\n",
                    encoding="utf-8")
    read, expected = cli_verdicts(path)
    df = spark.read.csv(str(path), header=True, encoding="utf-8")
    assert df.rdd.getNumPartitions() == 1 and df.count() == read + 2
    validation = validate_dataframe(df, CLASS, today=TODAY)
    assert validation.valid.count() + validation.rejected.count() == read
    assert sorted(row["_row_id"] for row in validation.blank.collect()) == [4, 9]
    assert spark_verdicts(validation, 2) == _without_location(expected)

    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types={name: pa.string() for name in lines[0].split(",")}, strings_can_be_null=False))
    checked = validate_batch_function(CLASS, today=TODAY)(table)
    verdicts = checked.column(VALID_COLUMN).to_pylist()
    assert [row for row, verdict in enumerate(verdicts) if verdict is None] == [4, 9]
    assert checked.column(ERRORS_COLUMN).to_pylist()[4] == []


def test_column_helpers(spark: Any) -> None:
    from creditstd import ric, uscc
    from creditstd.spark import mask_id, ric_valid, uscc_valid

    values = ["91350100M000100Y43", "91350100M000100Y4Z", " 9135 0100-m000 100y43", None, "11010519491231002X",
              "110105491231002", "110105194912310021"]
    df = spark.createDataFrame([(value,) for value in values], "v string")
    rows = df.select("v", uscc_valid("v").alias("u"), ric_valid(df.v).alias("r"), mask_id("v").alias("m"),
                     uscc_valid("v", strict=True).alias("s")).collect()
    for row in rows:
        if row["v"] is None:
            assert (row["u"], row["r"], row["m"]) == (None, None, None)
            continue
        assert row["u"] is uscc.is_valid(row["v"]) and row["s"] is uscc.is_valid(row["v"], strict=True)
        assert row["r"] is ric.is_valid(row["v"])
        assert row["m"] == ric.mask(row["v"])
    numbers = spark.createDataFrame([(110105194912310021,), (None,)], "n long")
    assert [row[0] for row in numbers.select(mask_id("n")).collect()] == ["110105********0021", None]


def test_batches_survive_pickling() -> None:
    import pickle

    check = validate_batch_function(CLASS, today=TODAY, show_pii=True)
    again = pickle.loads(pickle.dumps(check))
    assert again == check and len(pickle.dumps(check)) < 1000
    batch = pa.RecordBatch.from_pydict({"CF_WSH": ["罚1"]})
    assert again(batch).column(VALID_COLUMN).to_pylist() == [False]


# -- polars and Dask (optional: skipped when not installed) -----------------------------------------------------------


def test_polars_map_batches_gives_the_command_line_verdicts(files: dict[str, Path]) -> None:
    pl = pytest.importorskip("polars")
    check = validate_batch_function(CLASS, today=TODAY)
    lazy = pl.scan_csv(files["keyed_csv"], infer_schema=False)
    schema = {**lazy.collect_schema(), VALID_COLUMN: pl.Boolean,
              ERRORS_COLUMN: pl.from_arrow(pa.array([], pa.list_(FINDING_TYPE))).dtype}
    checked = lazy.map_batches(lambda frame: pl.from_arrow(check(frame.to_arrow())), schema=schema).collect()
    found: Verdicts = defaultdict(set)
    for row in errors_table(checked.to_arrow()).to_pylist():
        found[row["_row"] + 2].add((row["code"], row["path"], row["value"]))
    _, expected = cli_verdicts(files["keyed_csv"])
    assert dict(found) == _without_location(expected)


def test_dask_map_partitions_gives_the_command_line_verdicts(files: dict[str, Path]) -> None:
    dd = pytest.importorskip("dask.dataframe")
    check = validate_batch_function(CLASS, today=TODAY)

    def validate_partition(frame: Any) -> Any:
        return check(pa.Table.from_pandas(frame, preserve_index=False)).to_pandas()

    frames = dd.read_csv(str(files["keyed_csv"]), dtype=str, blocksize=40_000)
    assert frames.npartitions > 1
    checked = frames.map_partitions(validate_partition, meta=validate_partition(frames._meta)).compute()
    found: Verdicts = defaultdict(set)
    for line, findings in enumerate(checked[ERRORS_COLUMN].tolist(), start=2):
        for item in findings:
            found[line].add((item["code"], item["path"], item["value"]))
    _, expected = cli_verdicts(files["keyed_csv"])
    assert dict(found) == _without_location(expected)
