"""A field named by two columns (``CF_WSH`` beside ``行政处罚决定书文号``, JSON Lines whose records use either key).

Departments merge exports of two systems, and feeds change their keys between releases, so one file can name a
field twice.  The second spelling is read, not dropped as an unknown column: a row holding the value only there is
complete, and a row whose two columns hold different values is rejected with ``record.conflict`` (which one is
right cannot be told), in ``creditstd validate`` and in the Spark batch function alike.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from creditstd.cli import main
from creditstd.records.decode import resolve_headers
from creditstd.records.export import write_csv
from creditstd.records.fake import fake_records
from creditstd.records.plan import compile_plan, keyed_batch, spelling_conflicts
from creditstd.spark import ERRORS_COLUMN, VALID_COLUMN, validate_batch_function

TODAY = date(2026, 11, 1)
CLASS = "administrative_penalty"
FIELDS = {"CF_WSH": "decision_number", "决定书文号": "decision_number"}


def test_a_second_spelling_maps_to_the_field_and_is_no_unknown_column() -> None:
    mapping = resolve_headers(CLASS, ["行政处罚决定书文号", "CF_WSH", "经办人"])
    assert mapping.fields == {"行政处罚决定书文号": "decision_number", "CF_WSH": "decision_number", "经办人": None}
    assert mapping.duplicate == ("CF_WSH",) and mapping.unknown == ("经办人",)
    assert "decision_number" not in mapping.missing


cells = st.one_of(st.none(), st.sampled_from(["", " ", "\u3000", "罚1", " 罚1 ", "罚2", "罚〔2024〕3号"]))


@given(st.lists(st.tuples(cells, cells), max_size=30))
def test_the_first_column_holding_a_value_wins_and_differing_values_conflict(rows: list[tuple]) -> None:
    batch = pa.RecordBatch.from_arrays([pa.array([row[0] for row in rows], pa.string()),
                                        pa.array([row[1] for row in rows], pa.string())], names=list(FIELDS))
    kept = keyed_batch(batch, FIELDS).column("decision_number").to_pylist()
    conflicts = spelling_conflicts(compile_plan(CLASS), batch, FIELDS)

    def filled(cell: str | None) -> bool:
        return cell is not None and cell.strip() != ""

    for row, (first, second) in enumerate(rows):
        if filled(first) or filled(second):
            assert kept[row] == (first if filled(first) else second)
        else:  # empty either way
            assert not filled(kept[row])
        differ = filled(first) and filled(second) and first.strip() != second.strip()
        assert (row in conflicts) is differ
        if differ:
            (found,) = conflicts[row]["decision_number"]
            assert found.code == "record.conflict" and found.path == "$.decision_number"
            assert found.field_code == "CF_WSH" and "CF_WSH, 决定书文号" in found.message_en


def _export_with_two_spellings(path: Path, second: str = "CF_WSH") -> tuple[int, int, int]:
    """A CSV of 30 valid penalties with a second decision-number column (headed ``second``): rows 0, 3, ...
    hold the number only there, rows 1, 4, ... the same number in both, rows 2, 5, ... a different number in
    each."""
    records = [fake.record for fake in fake_records(CLASS, 30, seed=7, on=TODAY)]
    stream = io.StringIO()
    write_csv(records, CLASS, stream, headers="zh")
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    at = rows[0].index("行政处罚决定书文号")
    out = [[*rows[0], second]]
    for number, row in enumerate(rows[1:]):
        value = row[at]
        if number % 3 == 0:
            out.append([*row[:at], "", *row[at + 1:], value])
        elif number % 3 == 1:
            out.append([*row, f" {value} "])
        else:
            out.append([*row, value + "X"])
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(out)
    return 10, 10, 10


@pytest.mark.parametrize("second", ["CF_WSH", "行政处罚决定书文号"])  # the same header twice: renamed ..._2 on reading
def test_validate_reads_a_second_spelling_and_rejects_rows_whose_spellings_disagree(tmp_path: Path,
                                                                                    second: str) -> None:
    path = tmp_path / "两套系统合并.csv"
    only_second, same, differing = _export_with_two_spellings(path, second)
    result = CliRunner().invoke(main, ["validate", str(path), "--on", TODAY.isoformat(), "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    (file,) = report["files"]
    rows = file["rows"]
    assert (rows["read"], rows["valid"], rows["rejected"]) == (30, only_second + same, differing)
    assert file["unknown_columns"] == [] and file["missing_fields"] == []
    (code,) = report["codes"]
    assert code["code"] == "record.conflict" and code["count"] == differing
    lines = sorted(example["line"] for example in code["examples"])
    assert lines == [4 + 3 * n for n in range(len(lines))]  # the header is line 1: rows 2, 5, ... are lines 4, 7...
    shown = "行政处罚决定书文号, CF_WSH" if second == "CF_WSH" else "行政处罚决定书文号, 行政处罚决定书文号_2"
    assert all(example["field"] == "decision_number" and shown in example["message_en"]
               for example in code["examples"])


def test_json_lines_whose_records_use_either_key_are_complete(tmp_path: Path) -> None:
    records = [fake.record for fake in fake_records(CLASS, 6, seed=3, on=TODAY)]
    lines = []
    for number, record in enumerate(records):
        if number % 2:  # the newer release's key
            record = {("CF_WSH" if key == "decision_number" else key): value for key, value in record.items()}
        lines.append(json.dumps(record, ensure_ascii=False))
    lines.append(json.dumps({**records[0], "CF_WSH": "另一文号"}, ensure_ascii=False))
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path), "--class", CLASS, "--on", TODAY.isoformat()])
    assert result.exit_code == 1, result.output
    assert "7 rows read = 6 valid + 1 rejected" in result.stdout
    assert f"{path}:7 $.decision_number" in result.stdout and "record.conflict" in result.stdout


def test_the_spark_batch_function_gives_the_same_verdicts(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    _export_with_two_spellings(path)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    batch = pa.RecordBatch.from_arrays([pa.array([row[index] for row in rows[1:]], pa.string())
                                        for index in range(len(rows[0]))], names=rows[0])
    checked = validate_batch_function(CLASS, today=TODAY)(batch)
    valid = checked.column(VALID_COLUMN).to_pylist()
    assert valid == [number % 3 != 2 for number in range(30)]
    codes = {item["code"] for items in checked.column(ERRORS_COLUMN).to_pylist() for item in items}
    assert codes == {"record.conflict"}


def test_typed_spellings_are_compared_as_their_text_in_the_batch_function() -> None:
    """Parquet and Spark give a list column for a list field: two spellings of one, as lists, are compared as
    the cells the JSON Lines reader makes of them (they were cast to text, which Arrow cannot do for lists)."""
    record = next(fake_records(CLASS, 1, seed=2, on=TODAY)).record
    check = validate_batch_function(CLASS, today=TODAY)
    same = check(pa.Table.from_pylist([{**record, "处罚类别": list(record["penalty_types"])}]))
    assert same.column(VALID_COLUMN).to_pylist() == [True]
    other = check(pa.Table.from_pylist([{**record, "处罚类别": ["通报批评"]}]))
    assert other.column(VALID_COLUMN).to_pylist() == [False]
    assert [item["code"] for item in other.column(ERRORS_COLUMN).to_pylist()[0]] == ["record.conflict"]


def test_one_value_written_two_ways_is_no_conflict() -> None:
    """Compared as the field reads them: 11.8 and 11.80, 警告；罚款 and 警告;罚款, a USCC in either case or in full
    width; 11.8 and 12 are a conflict."""
    plan = compile_plan(CLASS)
    pairs = {"罚款金额": ("CF_NR_FK", ["11.8", "11.8", "11.8"], ["11.80", "12", " 11.8"]),
             "处罚类别": ("CF_CFLB", ["警告；罚款", "警告", "罚款"], ["警告;罚款", "罚款", "罚款 "]),
             "统一社会信用代码": ("CF_XDR_SHXYM", ["91350100M000100Y43"] * 3,
                          ["91350100m000100y43", "91350100M000100Y4Z", "９１３５０１００Ｍ０００１００Ｙ４３"])}
    for header, (code, first, second) in pairs.items():
        batch = pa.RecordBatch.from_pydict({code: first, header: second})
        fields = resolve_headers(CLASS, [code, header]).fields
        assert fields[code] == fields[header], header
        assert list(spelling_conflicts(plan, batch, fields)) == [1], header


def test_convert_reads_a_second_spelling_as_validate_does(tmp_path: Path) -> None:
    """validate and convert (a mapping that reads CF_WSH) gave opposite verdicts: convert ignored the second
    column, so a number held only there was missing, and two different numbers went through unsaid."""
    records = [fake.record for fake in fake_records(CLASS, 9, seed=7, on=TODAY)]
    stream = io.StringIO()
    write_csv(records, CLASS, stream, headers="code")
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    at = rows[0].index("CF_WSH")
    out = [[*rows[0], "行政处罚决定书文号"]]
    for number, row in enumerate(rows[1:]):
        value = row[at]
        if number % 3 == 0:  # only in the second spelling
            out.append([*row[:at], "", *row[at + 1:], value])
        else:  # the same, or another number
            out.append([*row, value if number % 3 == 1 else value + "X"])
    path = tmp_path / "export.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(out)
    runner = CliRunner()
    validated = runner.invoke(main, ["validate", str(path), "--on", TODAY.isoformat()])
    assert "9 rows read = 6 valid + 3 rejected" in validated.stdout, validated.output
    converted = runner.invoke(main, ["convert", str(path), "--mapping", "sgs-penalty-csv", "-o",
                                     str(tmp_path / "batch"), "--department", "某局", "--department-uscc",
                                     "11350100MAD18YGF27", "--on", TODAY.isoformat(), "--format", "json"])
    assert converted.exit_code == 1, converted.output
    assert "9 rows in = 6 records out + 3 rejected" in converted.stderr
    report = json.loads(converted.stdout)
    assert "行政处罚决定书文号" not in report["files"][0]["unknown_columns"]
    assert {code["code"] for code in report["codes"]} == {"record.conflict"}
    rejected = [json.loads(line) for line in (tmp_path / "batch.rejects.jsonl").read_text("utf-8").splitlines()]
    assert [entry["line"] for entry in rejected] == [4, 7, 10]


def test_a_header_written_with_a_number_is_no_repeat(tmp_path: Path) -> None:
    """Only the reader's own renames are repeats: a column headed BZ_2 (an internal remark) beside BZ stays an
    unknown column, its rows valid (read as BZ's second spelling, they were rejected as conflicts)."""
    stream = io.StringIO()
    write_csv([fake.record for fake in fake_records(CLASS, 4, seed=7, on=TODAY)], CLASS, stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    path = tmp_path / "bz2.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([[*rows[0], "BZ_2"], *([*row, "内部备注：已复核"] for row in rows[1:])])
    report = json.loads(CliRunner().invoke(main, ["validate", str(path), "--on", TODAY.isoformat(), "--format",
                                                  "json"]).stdout)
    (file,) = report["files"]
    assert file["unknown_columns"] == ["BZ_2"] and file["rows"]["valid"] == 4
