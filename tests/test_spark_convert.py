"""creditstd.spark's conversion: the parts a Spark job writes are the batch ``creditstd convert`` writes.

On the same export files the two must give the same records in the same order (parsed, record ids identical),
the same rejected rows with the same codes, and accounting that adds up; the summary must verify.  A record
repeated across two input partitions (or files) is rejected exactly once, the first kept.  CSV is read by Spark
into a DataFrame split into several partitions; XML files are read in the tasks by the library's safe reader.

One SparkSession for the module (``local[2]``; reused when tests/test_spark.py made one).  Skipped when PySpark
or Java is missing, except in CI (``CI=true``).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from creditstd.cli import main
from creditstd.records.exchange_summary import SUMMARY, verify_summary

TODAY = date(2026, 12, 1)
EXAMPLES = Path(__file__).parent.parent / "examples" / "exports" / "builtin"
SENDER = {"department": "某市市场监督管理局", "department_uscc": "11350100MAD18YGF27"}


def test_importing_creditstd_never_imports_pyspark() -> None:
    code = (
        "import sys, creditstd, creditstd.spark, creditstd.records.exchange_summary, creditstd.cli\n"
        "from creditstd.spark import convert_dataframe, convert_files\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('pyspark', 'py4j')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# -- the command line --------------------------------------------------------------------------------------------------


def cli_convert(
    paths: list[Path], mapping: str, out: Path
) -> tuple[list[dict[str, Any]], dict[tuple[str, int], set[str]]]:
    """The records of ``creditstd convert`` (parsed, in order) and per rejected (file, record) its codes."""
    rejects = out.with_name(out.name + ".rejects.jsonl")
    done = CliRunner().invoke(
        main,
        [
            "convert",
            *map(str, paths),
            "--mapping",
            mapping,
            "-o",
            str(out),
            "--department",
            SENDER["department"],
            "--department-uscc",
            SENDER["department_uscc"],
            "--on",
            TODAY.isoformat(),
            "--rejects",
            str(rejects),
            "--format",
            "json",
            "--report",
            str(out.with_suffix(".report.json")),
        ],
    )
    assert done.exit_code in (0, 1), done.output
    records = [json.loads(line) for line in (out / "records.jsonl").read_text("utf-8").splitlines()]
    found: dict[tuple[str, int], set[str]] = {}
    for line in rejects.read_text("utf-8").splitlines():
        entry = json.loads(line)
        # the command names an input as given, Spark's rejects by its base name
        found[Path(entry["file"]).name, entry["record"]] = {error["code"] for error in entry["errors"]}
    return records, found


def spark_records(out: Path) -> list[dict[str, Any]]:
    summary = json.loads((out / SUMMARY).read_text("utf-8"))
    return [
        json.loads(line)
        for part in summary["parts"]
        for line in (out / part["folder"] / "records.jsonl").read_text("utf-8").splitlines()
    ]


def spark_rejects(result: Any, file: str | None = None) -> dict[tuple[str, int], set[str]]:
    found: dict[tuple[str, int], set[str]] = defaultdict(set)
    for row in result.rejects.collect():
        found[file or row["file"], row["record"]].add(row["code"])
    return dict(found)


def check_accounting(result: Any, out: Path) -> None:
    summary = json.loads((out / SUMMARY).read_text("utf-8"))
    totals = summary["totals"]
    assert totals["rows_in"] == totals["records_out"] + totals["rejected"] == result.rows_in
    assert (totals["records_out"], totals["rejected"]) == (result.records_out, result.rejected)
    assert all(part["rows_in"] == part["records_out"] + part["rejected"] for part in result.parts)
    assert result.rejects.select("_row_id").distinct().count() == result.rejected
    report = verify_summary(out)
    assert report.ok, [str(problem) for problem in report.problems[:5]]
    assert report.count == result.records_out


# -- Spark -------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def penalties(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in 双公示 penalty CSV example with its second record (valid) repeated at the end, so that a
    repeat lands in another partition than its first, and two blank rows (no records, for the command line
    and for Spark: the record numbers of both count the records only)."""
    path = tmp_path_factory.mktemp("spark-convert") / "penalties.csv"
    lines = (EXAMPLES / "sgs-penalty-csv.csv").read_text("utf-8-sig").splitlines()
    assert all('"' not in line for line in lines), "a quoted cell could span lines"
    width = lines[0].count(",")
    blank = ["," * width, " ,\u3000" + "," * (width - 1)]
    path.write_text("\n".join([*lines[:10], blank[0], *lines[10:60], blank[1], *lines[60:], lines[2]]) + "\n",
                    encoding="utf-8")
    return path


@contextlib.contextmanager
def split_small(spark: Any, parts_bytes: int = 20000) -> Iterator[None]:
    """Files split into partitions of about ``parts_bytes`` (Spark plans the split when a job runs: the setting
    must hold while the conversion runs)."""
    previous = spark.conf.get("spark.sql.files.maxPartitionBytes")
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(parts_bytes))
    try:
        yield
    finally:
        spark.conf.set("spark.sql.files.maxPartitionBytes", previous)


def _read(spark: Any, path: Path) -> Any:
    return spark.read.csv(str(path), header=True, encoding="utf-8", escape='"')


def test_csv_in_partitions_writes_the_command_lines_records(spark: Any, penalties: Path, tmp_path: Path) -> None:
    from creditstd.spark import convert_dataframe

    expected, cli_rejects = cli_convert([penalties], "sgs-penalty-csv", tmp_path / "cli")
    with split_small(spark):
        df = _read(spark, penalties)
        assert df.rdd.getNumPartitions() >= 3
        result = convert_dataframe(df, "sgs-penalty-csv", tmp_path / "spark", on=TODAY, **SENDER)
        rejects = result.rejects.collect()
    records = spark_records(tmp_path / "spark")
    assert [record["record_id"] for record in records] == [record["record_id"] for record in expected]
    assert records == expected
    assert spark_rejects(result, penalties.name) == cli_rejects
    duplicates = [row for row in rejects if row["code"] == "exchange.duplicate_id"]
    assert [row["record"] for row in duplicates] == [101]  # the repeat, not the first (record 2), once
    assert result.repeats == 1 and duplicates[0]["part"] == result.parts[-1]["part"] != 0
    assert "row id 1" in duplicates[0]["message_en"]
    check_accounting(result, tmp_path / "spark")
    assert [part["folder"] for part in result.parts] == [f"part-{number:05d}" for number in range(len(result.parts))]


def test_without_the_identity_pass_a_repeat_across_partitions_is_kept_and_verify_finds_it(
    spark: Any, penalties: Path, tmp_path: Path
) -> None:
    from creditstd.spark import convert_dataframe

    with split_small(spark):
        result = convert_dataframe(
            _read(spark, penalties), "sgs-penalty-csv", tmp_path / "out", on=TODAY, duplicates=False, **SENDER
        )
    assert result.repeats == 0 and result.rejected == 10
    codes = {problem.code for problem in verify_summary(tmp_path / "out", validate=False).problems}
    assert codes == {"exchange.duplicate_id"}


def test_xml_files_are_read_in_the_tasks_by_the_safe_reader(spark: Any, tmp_path: Path) -> None:
    """Two XML files (the second a copy of the first under another name: every valid record of it repeats one
    of the first file), one part each; the same as ``creditstd convert`` of both files in that order."""
    from creditstd.spark import convert_files

    first = EXAMPLES / "tax-credit-xml.xml"
    second = tmp_path / "again.xml"
    shutil.copyfile(first, second)
    expected, cli_rejects = cli_convert([first, second], "tax-credit-xml", tmp_path / "cli")
    result = convert_files(spark, [first, second], "tax-credit-xml", tmp_path / "spark", on=TODAY, **SENDER)
    assert spark_records(tmp_path / "spark") == expected
    assert spark_rejects(result) == cli_rejects
    assert [(part["file"], part["folder"], part["records_out"]) for part in result.parts] == [
        ("tax-credit-xml.xml", "part-00000", 72),
        ("again.xml", None, 0),
    ]
    assert result.repeats == 72 and result.rows_in == 160
    lines = {(row["file"], row["record"]): row["line"] for row in result.rejects.collect()}
    assert all(line and line > 1 for line in lines.values())
    check_accounting(result, tmp_path / "spark")
    assert json.loads((tmp_path / "spark" / SUMMARY).read_text("utf-8"))["unwritten"] == {
        "parts": 1,
        "rows_in": 80,
        "rejected": 80,
    }


def test_xml_elements_off_the_record_path_are_rejects_with_row_ids_of_their_own(spark: Any, tmp_path: Path) -> None:
    from creditstd.spark import convert_files

    text = (EXAMPLES / "tax-credit-xml.xml").read_text("utf-8")
    text = text.replace('<JL XH="2">', '<Jl XH="2">', 1).replace("</JL>", "</Jl>", 2).replace("</Jl>", "</JL>", 1)
    text = text.replace('<JL XH="5">', '<PC><JL XH="5">', 1)
    text = text.replace('<JL XH="6">', '</PC><JL XH="6">', 1)
    strays = tmp_path / "strays.xml"
    strays.write_text(text, "utf-8")
    expected, cli_rejects = cli_convert([strays], "tax-credit-xml", tmp_path / "cli")
    result = convert_files(spark, [strays], "tax-credit-xml", tmp_path / "spark", on=TODAY, **SENDER)
    assert spark_records(tmp_path / "spark") == expected
    assert spark_rejects(result) == cli_rejects
    assert cli_rejects[("strays.xml", None)] == {"source.xml_stray_record"}
    assert result.rows_in == 80  # two of them are off the record path: read, and rejected
    check_accounting(result, tmp_path / "spark")


def test_an_id_number_in_a_file_name_is_masked_unless_asked(spark: Any, tmp_path: Path) -> None:
    """As ``creditstd convert`` masks it in its rejects: the parts' and the rejects' ``file``."""
    from creditstd.spark import convert_files

    named = tmp_path / "张三_110105194912310021.xml"
    shutil.copyfile(EXAMPLES / "tax-credit-xml.xml", named)
    for show_pii, shown in ((False, "张*_110105*********021.xml"), (True, named.name)):
        result = convert_files(spark, [named], "tax-credit-xml", tmp_path / f"out-{show_pii}", on=TODAY,
                               show_pii=show_pii, **SENDER)
        assert [part["file"] for part in result.parts] == [shown]
        assert {row["file"] for row in result.rejects.collect()} == {shown}


def test_an_xml_file_with_a_doctype_fails_the_job_and_leaves_nothing(spark: Any, tmp_path: Path) -> None:
    from creditstd.spark import convert_files

    hostile = tmp_path / "hostile.xml"
    hostile.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE NSXYPJ [<!ENTITY a "aaaa">]>\n<NSXYPJ><JL><NSRMC>&a;</NSRMC></JL></NSXYPJ>\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    with pytest.raises(Exception, match=r"source\.xml_dtd"):
        convert_files(spark, [EXAMPLES / "tax-credit-xml.xml", hostile], "tax-credit-xml", out, on=TODAY, **SENDER)
    assert not out.exists()


def test_refusals_before_any_task(spark: Any, penalties: Path, tmp_path: Path) -> None:
    from creditstd.convert import MappingError
    from creditstd.exceptions import CatalogueError
    from creditstd.spark import convert_dataframe

    df = _read(spark, penalties)
    with pytest.raises(ValueError, match="convert_files"):
        convert_dataframe(df, "tax-credit-xml", tmp_path / "a", **SENDER)
    with pytest.raises(MappingError, match="CF_WSH"):
        convert_dataframe(df.drop("CF_WSH"), "sgs-penalty-csv", tmp_path / "b", **SENDER)
    with pytest.raises((CatalogueError, ValueError)):
        convert_dataframe(df, "sgs-penalty-csv", tmp_path / "c", department="某局", department_uscc="123")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x").write_text("x")
    with pytest.raises(ValueError, match="new or empty"):
        convert_dataframe(df, "sgs-penalty-csv", tmp_path / "d", **SENDER)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["d"]
