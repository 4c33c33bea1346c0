"""``creditstd validate``: real exports in, a verdict out; every row accounted for, nothing personal shown."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import stat
from datetime import date
from pathlib import Path

import jsonschema
import numpy as np
import pyarrow as pa
import pytest
from click.testing import CliRunner
from leaks import full_id_numbers
from test_sources_xlsx import workbook

from creditstd.cli import main
from creditstd.records import loader
from creditstd.records.decode import resolve_headers
from creditstd.records.export import write_csv
from creditstd.records.fake import fake_records
from creditstd.records.plan import compile_plan, validate_table

TODAY = date(2026, 11, 1)
ON = ["--on", TODAY.isoformat()]


def _export(path: Path, n: int, *, seed: int = 1, error_rate: float = 0.0, headers: str = "code",
            encoding: str = "utf-8", title: str | None = None, class_name: str = "administrative_penalty") -> Path:
    records = [fake.record for fake in fake_records(class_name, n, seed=seed, error_rate=error_rate, on=TODAY)]
    stream = io.StringIO()
    write_csv(records, class_name, stream, headers=headers)
    text = (f"{title}\n" if title else "") + stream.getvalue()
    path.write_bytes(text.encode(encoding))
    return path


def _expected_invalid(path: Path, encoding: str = "utf-8", class_name: str = "administrative_penalty") -> int:
    """How many rows the core itself rejects (the command must report the same)."""
    rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode(encoding))))
    mapping = resolve_headers(class_name, list(rows[0]))
    keyed = {key: pa.array([row[header] for row in rows], pa.string())
             for header, key in mapping.fields.items() if key}
    result = validate_table(compile_plan(class_name, today=TODAY), pa.RecordBatch.from_pydict(keyed))
    return int((~result.valid).sum())


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_a_valid_export_exits_0_and_accounts_for_every_row(runner: CliRunner, tmp_path: Path) -> None:
    path = _export(tmp_path / "ok.csv", 40)
    result = runner.invoke(main, ["validate", str(path), *ON])
    assert result.exit_code == 0, result.output
    assert "40 rows read = 40 valid + 0 rejected" in result.stdout
    assert "administrative_penalty" in result.stdout and "inferred from the headers" in result.stdout


def test_broken_rows_exit_1_with_the_same_verdicts_as_the_core(runner: CliRunner, tmp_path: Path) -> None:
    path = _export(tmp_path / "broken.csv", 120, error_rate=0.3)
    invalid = _expected_invalid(path)
    assert invalid > 10
    result = runner.invoke(main, ["validate", str(path), "--format", "json", *ON])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    jsonschema.validate(report, loader.meta_schema("validation-report.schema.json"))
    rows = report["files"][0]["rows"]
    assert rows == {**rows, "read": 120, "valid": 120 - invalid, "rejected": invalid}
    assert report["totals"]["rows"]["read"] == report["totals"]["rows"]["valid"] + report["totals"]["rows"]["rejected"]


@pytest.mark.parametrize("output_format", ["jsonl", "csv"])
@pytest.mark.parametrize("class_name", loader.class_names())
def test_fake_then_validate_rejects_exactly_the_records_fake_broke(runner: CliRunner, tmp_path: Path,
                                                                   class_name: str, output_format: str) -> None:
    """The round trip a steward tries first, for every class: ``fake --error-rate`` then ``validate``.  A list of
    objects (government_dishonesty.responsible_persons) was written as Python text and read back as text, and a
    number broken into the string "5" was a number again in CSV: valid records rejected, broken ones passed."""
    path = tmp_path / f"feed.{output_format}"
    made = runner.invoke(main, ["fake", class_name, "-n", "100", "--seed", "11", "--error-rate", "0.3",
                                "--format", output_format, "-o", str(path), *ON])
    assert made.exit_code == 0, made.output
    broken = int(made.stderr.rsplit(", ", 1)[1].split()[0])  # "... records written, N broken on purpose"
    assert broken > 15
    result = runner.invoke(main, ["validate", str(path), "--class", class_name, "--format", "json", *ON])
    assert result.exit_code == 1, result.output
    rows = json.loads(result.stdout)["totals"]["rows"]
    assert rows == {**rows, "read": 100, "rejected": broken, "valid": 100 - broken}


def test_gbk_export_with_chinese_headers_and_a_title_row(runner: CliRunner, tmp_path: Path) -> None:
    path = _export(tmp_path / "gbk.csv", 30, headers="zh", encoding="gb18030", title="2024年第一季度行政处罚信息")
    result = runner.invoke(main, ["validate", str(path), "--format", "json", *ON])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["files"][0]["encoding"] == "gb18030" and report["files"][0]["rows"]["read"] == 30


def test_jsonl_export(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    records = [fake.record for fake in fake_records("administrative_penalty", 20, seed=4, on=TODAY)]
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")
    result = runner.invoke(main, ["validate", str(path), "--class", "administrative_penalty", *ON])
    assert result.exit_code == 0, result.output
    assert "20 rows read = 20 valid + 0 rejected" in result.stdout


def test_json_lines_saved_as_csv_are_read_as_json_lines(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "导出.csv"
    records = [fake.record for fake in fake_records("administrative_penalty", 12, seed=5, on=TODAY)]
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")
    result = runner.invoke(main, ["validate", str(path), *ON])
    assert result.exit_code == 0, result.output
    assert "12 rows read = 12 valid + 0 rejected" in result.stdout and "jsonl" in result.stdout


@pytest.mark.parametrize("name", ["tax.xml", "tax.txt", "tax"])
def test_an_xml_export_is_refused_and_pointed_to_convert(runner: CliRunner, tmp_path: Path, name: str) -> None:
    """Read as delimited text, 80 XML records were 2,000 'rows', all rejected; it is not a table."""
    path = tmp_path / name
    path.write_bytes((Path(__file__).parent.parent / "examples/exports/builtin/tax-credit-xml.xml").read_bytes())
    for extra in ([], ["--class", "credit_rating"]):
        result = runner.invoke(main, ["validate", str(path), *extra, *ON])
        assert result.exit_code == 2, result.output
        assert "creditstd convert FILE --mapping" in result.stderr and "rows read" not in result.stdout


def test_a_csv_whose_header_starts_with_a_bracket_is_still_a_csv(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("<序号>,CF_WSH\n1,罚〔2024〕1号\n", encoding="utf-8")
    result = runner.invoke(main, ["validate", str(path), "--class", "administrative_penalty", *ON])
    assert result.exit_code == 1, result.output
    assert "1 rows read = 0 valid + 1 rejected" in result.stdout


def test_json_lines_of_empty_objects_are_rows_read_and_rejected(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text("{}\n{}\n{}\n", encoding="utf-8")
    result = runner.invoke(main, ["validate", str(path), "--class", "administrative_penalty", *ON])
    assert result.exit_code == 1, result.output
    assert "3 rows read = 0 valid + 3 rejected" in result.stdout


def test_rejects_are_in_line_order_with_the_rows_the_reader_could_not_read(runner: CliRunner, tmp_path: Path) -> None:
    records = [fake.record for fake in fake_records("administrative_penalty", 6, seed=4, on=TODAY)]
    broken = {**records[0], "decision_date": "2024-13-45"}
    lines = [json.dumps(broken, ensure_ascii=False), "{not json", "[1, 2]",
             *(json.dumps(record, ensure_ascii=False) for record in records[1:4]), "{", json.dumps(broken)]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    result = runner.invoke(main, ["validate", str(path), "--class", "administrative_penalty", "--rejects",
                                  str(rejects), *ON])
    assert result.exit_code == 1, result.output
    written = [json.loads(line)["line"] for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert written == [1, 2, 3, 7, 8]
    table = _export(tmp_path / "feed.csv", 12, error_rate=0.5)
    rows = table.read_text(encoding="utf-8").splitlines(keepends=True)
    table.write_text("".join([*rows[:3], "a,b\n", *rows[3:], "c\n"]), encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    runner.invoke(main, ["validate", str(table), "--rejects", str(rejects), *ON])
    numbers = [int(row[-2]) for row in list(csv.reader(io.StringIO(rejects.read_text(encoding="utf-8"))))[1:]]
    assert numbers == sorted(numbers) and {4, 15} <= set(numbers)


def test_json_rejects_give_back_each_object_as_it_was(runner: CliRunner, tmp_path: Path) -> None:
    from creditstd.records.exchange import BatchWriter

    record, other = (fake.record for fake in fake_records("administrative_penalty", 2, seed=4, on=TODAY))
    odd = ('{"amount": 1.50, "count": 3, "flags": [true, null, {"k": [1, "二"]}], " subject_name": "甲", '
           '"": "empty key", "decision_date": "2024-13-45"}')
    lines = [json.dumps({**record, "decision_date": "2024-13-45"}, ensure_ascii=False), odd,
             json.dumps(other, ensure_ascii=False)]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\r\n", encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    result = runner.invoke(main, ["validate", str(path), "--class", "administrative_penalty", "--rejects",
                                  str(rejects), "--show-pii", *ON])
    assert result.exit_code == 1, result.output
    written = rejects.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["line"] for line in written] == [1, 2]
    assert [line.partition('"record": ')[2].rpartition(', "errors": ')[0] for line in written] == lines[:2]
    folder = tmp_path / "batch"
    with BatchWriter(folder, "administrative_penalty", department="某市市场监督管理局",
                     department_uscc="11350100MAD18YGF27", on=TODAY, validate=False) as batch:
        batch.add({**record, "decision_date": "2024-13-45", "extra": [1, {"a": None}]})
    envelope = (folder / "records.jsonl").read_text(encoding="utf-8").rstrip("\n")
    from_batch = runner.invoke(main, ["validate", str(folder), "--rejects", str(tmp_path / "b.jsonl"), *ON])
    assert from_batch.exit_code == 1, from_batch.output
    entry = json.loads((tmp_path / "b.jsonl").read_text(encoding="utf-8"))
    assert entry["record"] == json.loads(envelope) and entry["record"]["data"]["extra"] == [1, {"a": None}]


def test_the_wrong_class_is_invalid_data_and_an_unknown_class_a_usage_error(runner: CliRunner,
                                                                           tmp_path: Path) -> None:
    path = _export(tmp_path / "p.csv", 5)
    wrong = runner.invoke(main, ["validate", str(path), "--class", "administrative_licence", *ON])
    assert wrong.exit_code == 1 and "administrative_licence" in wrong.stdout
    unknown = runner.invoke(main, ["validate", str(path), "--class", "no_such_class"])
    assert unknown.exit_code == 2 and "Traceback" not in unknown.output


def test_unreadable_inputs_exit_2_naming_the_file(runner: CliRunner, tmp_path: Path) -> None:
    missing = runner.invoke(main, ["validate", str(tmp_path / "missing.csv")])
    assert missing.exit_code == 2 and "missing.csv" in missing.stderr
    (tmp_path / "fake.xlsx").write_bytes(b"not a zip at all")
    not_zip = runner.invoke(main, ["validate", str(tmp_path / "fake.xlsx")])
    assert not_zip.exit_code == 2 and "fake.xlsx" in not_zip.stderr


def test_rejects_hold_the_failing_rows_unchanged_with_reasons(runner: CliRunner, tmp_path: Path) -> None:
    path = _export(tmp_path / "in.csv", 80, error_rate=0.3, encoding="gb18030", headers="zh")
    path.write_bytes(path.read_bytes().replace("无".encode("gb18030"), "=1+2".encode("gb18030"), 1))
    rejects = tmp_path / "rejects.csv"
    result = runner.invoke(main, ["validate", str(path), "--rejects", str(rejects), *ON])
    assert result.exit_code == 1
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    rows = list(csv.reader(io.StringIO(rejects.read_bytes().decode("gb18030"))))  # the input's own encoding
    source = list(csv.reader(io.StringIO(path.read_bytes().decode("gb18030"))))
    assert rows[0] == [*source[0], "_line", "_errors"]
    invalid = _expected_invalid(path, "gb18030")
    assert len(rows) - 1 == invalid
    for row in rows[1:]:
        original = source[int(row[-2]) - 1]
        assert [cell[1:] if cell.startswith("'=") else cell for cell in row[:-2]] == original
        assert row[-1]
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_rejects_in_an_encoding_without_chinese_keep_the_rows_and_escape_the_reasons(
        runner: CliRunner, tmp_path: Path) -> None:
    """--encoding latin-1 (cp1252, big5...): the rows are written back in it byte for byte, and the reasons'
    characters it cannot hold as \\uXXXX escapes (it ended in an internal error, UnicodeEncodeError)."""
    path = tmp_path / "latin.csv"
    path.write_bytes(b"subject_name,decision_number,decision_date\nACME Ltd,X-1,2024-13-01\nB\xe9ta,X-2,2024-01-01\n")
    for encoding in ("latin-1", "cp1252", "big5"):
        rejects = tmp_path / f"rejects-{encoding}.csv"
        result = runner.invoke(main, ["validate", str(path), "--class", "administrative_penalty", "--encoding",
                                      encoding, "--rejects", str(rejects), *ON])
        assert result.exit_code == 1, (encoding, result.output)
        rows = list(csv.reader(io.StringIO(rejects.read_bytes().decode(encoding))))
        source = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding))))
        assert [row[:-2] for row in rows] == [source[0], source[1], source[2]]
        assert "record.required" in rows[1][-1] and "\\u" in rows[1][-1]


def test_several_inputs_and_globs_share_one_report(runner: CliRunner, tmp_path: Path) -> None:
    for index in range(3):
        _export(tmp_path / f"feed{index}.csv", 10, seed=index, error_rate=0.2)
    folder = tmp_path / "rejects"
    result = runner.invoke(main, ["validate", str(tmp_path / "feed*.csv"), "--format", "json", "--rejects",
                                  str(folder), *ON])
    report = json.loads(result.stdout)
    assert [Path(file["path"]).name for file in report["files"]] == ["feed0.csv", "feed1.csv", "feed2.csv"]
    assert report["totals"]["rows"]["read"] == 30
    assert sorted(path.name for path in folder.iterdir()) == [f"feed{i}.csv.rejects.csv" for i in range(3)]


@pytest.mark.parametrize("other", ["--output", "$GITHUB_STEP_SUMMARY"])
def test_a_rejects_file_renamed_after_its_format_never_replaces_another_output(runner: CliRunner, tmp_path: Path,
                                                                              other: str) -> None:
    """x.txt read as CSV gets x.txt.rejects.csv, a name decided only once it is read: the report (-o) or the
    step summary by that name replaced or grew the rejects file, with exit 1 and no word."""
    _export(tmp_path / "x.txt", 10, seed=1, error_rate=0.5)
    _export(tmp_path / "y.csv", 10, seed=2, error_rate=0.5)
    folder = tmp_path / "out"
    clash = folder / "x.txt.rejects.csv"
    options = ["-o", str(clash)] if other == "--output" else ["--format", "github"]
    result = runner.invoke(main, ["validate", str(tmp_path / "x.txt"), str(tmp_path / "y.csv"), "--rejects",
                                  str(folder), *options, *ON], env={"GITHUB_STEP_SUMMARY": str(clash)})
    assert result.exit_code == 2, result.output
    assert other in result.stderr and "name the same file" in result.stderr
    assert not clash.exists() and not folder.exists()  # the run takes back the folder it made


def test_inputs_of_another_class_are_refused_unless_the_class_is_given(runner: CliRunner, tmp_path: Path) -> None:
    """Without --class the first input's class is the run's: a later input whose headers name more fields of
    another class is not judged by it (every row rejected), the run stops with exit 2 naming both files;
    a file of the same class with fewer columns is judged as usual, and --class makes the choice explicit."""
    penalty = _export(tmp_path / "a_penalty.csv", 5, headers="zh")
    licence = _export(tmp_path / "b_licence.csv", 5, headers="zh", class_name="administrative_licence")
    result = runner.invoke(main, ["validate", str(penalty), str(licence), "--rejects", str(tmp_path / "r"), *ON])
    assert result.exit_code == 2, result.output
    assert "b_licence.csv looks like administrative_licence" in result.stderr and "a_penalty.csv" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "r").exists()
    rows = list(csv.reader(io.StringIO(penalty.read_text(encoding="utf-8"))))
    narrow = tmp_path / "c_penalty_narrow.csv"  # the same class, a few columns only: no other class fits better
    with open(narrow, "w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([row[:6] for row in rows])
    assert runner.invoke(main, ["validate", str(penalty), str(narrow), *ON]).exit_code in (0, 1)
    given = runner.invoke(main, ["validate", str(penalty), str(licence), "--class", "administrative_penalty", *ON])
    assert given.exit_code == 1 and "10 rows read = 5 valid + 5 rejected" in given.stdout


def test_a_tie_between_classes_is_stated_with_how_it_was_broken(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "tie.csv"
    path.write_text("subject_name,uscc,decision_date\n某公司,91350100M000100Y43,2024-01-01\n", encoding="utf-8")
    result = runner.invoke(main, ["validate", str(path), *ON])
    assert "a tie, broken by fewer required fields missing" in result.stdout
    assert "列数相同，取缺少必填字段较少者" in result.stdout


def test_no_id_number_in_any_report_unless_asked(runner: CliRunner, tmp_path: Path) -> None:
    path = _export(tmp_path / "people.csv", 60, seed=9, error_rate=0.5)
    for output_format in ("text", "json", "junit", "github", "sarif", "html"):
        result = runner.invoke(main, ["validate", str(path), "--format", output_format, *ON],
                               env={"GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")})
        assert result.exit_code == 1, output_format
        assert full_id_numbers(result.stdout) == [], output_format
    assert full_id_numbers((tmp_path / "summary.md").read_text(encoding="utf-8")) == []
    shown = runner.invoke(main, ["validate", str(path), "--format", "json", "--show-pii", *ON])
    assert full_id_numbers(shown.stdout)


def test_an_excel_padded_export_is_read_whole_and_shows_no_name(runner: CliRunner, tmp_path: Path) -> None:
    """Rows padded with empty cells (Excel's "Save as CSV"): the header and the first records were taken for
    title rows, so the report showed them as the file's title (names in clear) and counted 0 rows of 3."""
    padding = "," * 5
    path = tmp_path / "padded.csv"
    path.write_text("\r\n".join([f"姓名,身份证号,备注{padding}", f"张三,11010519491231002X,{padding}",
                                  f"李四,110105194912310021,{padding}", f"王五,11010519491231002X,{padding}", ""]),
                    encoding="utf-8")
    for output_format in ("text", "json", "html", "github"):
        result = runner.invoke(main, ["validate", str(path), "--class", "administrative_penalty", "--format",
                                      output_format, *ON], env={"GITHUB_STEP_SUMMARY": str(tmp_path / "s.md")})
        assert result.exit_code == 1, output_format
        assert not any(name in result.stdout for name in ("张三", "李四", "王五")), output_format
        assert full_id_numbers(result.stdout) == [], output_format
    report = json.loads(runner.invoke(main, ["validate", str(path), "--class", "administrative_penalty",
                                             "--format", "json", *ON]).stdout)
    assert report["totals"]["rows"]["read"] == 3 and report["files"][0]["title"] is None
    # no header at all: the row above the first record is shown as a title, masked as a name is
    headless = tmp_path / "headless.csv"
    headless.write_text("张三丰,,,,\n李四,11010519491231002X,2024-01-01,x,y\n", encoding="utf-8")
    result = runner.invoke(main, ["validate", str(headless), "--class", "administrative_penalty", "--format",
                                  "json", *ON])
    assert json.loads(result.stdout)["files"][0]["title"] == "张**" and "张三丰" not in result.stdout
    shown = runner.invoke(main, ["validate", str(headless), "--class", "administrative_penalty", "--format",
                                 "json", "--show-pii", *ON])
    assert json.loads(shown.stdout)["files"][0]["title"] == "张三丰"


def test_an_id_number_in_a_file_name_is_masked_in_every_report_and_reason(runner: CliRunner, tmp_path: Path) -> None:
    person = "11010519491231002X"
    path = _export(tmp_path / f"张三_{person}.csv", 20, seed=9, error_rate=0.5)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    good = _export(tmp_path / "good.csv", 1, seed=99).read_text(encoding="utf-8").splitlines(keepends=True)[1]
    lines = lines[:-2]  # 21 rows: no share of them (k/21) has a date-like run a leak check would take for an ID
    path.write_text("".join([*lines, good, good, "a,b\n"]), encoding="utf-8")  # a repeated record, a ragged row
    for output_format in ("text", "json", "junit", "github", "sarif", "html"):
        result = runner.invoke(main, ["validate", str(path), "--format", output_format, *ON],
                               env={"GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")})
        assert result.exit_code == 1, output_format
        assert person not in result.stdout and full_id_numbers(result.stdout) == [], output_format
    assert full_id_numbers((tmp_path / "summary.md").read_text(encoding="utf-8")) == []
    for rejects in (tmp_path / "rejects.csv", tmp_path / "rejects"):  # one input, and a folder for two
        inputs = [str(path)] if rejects.suffix else [str(path), str(_export(tmp_path / "other.csv", 3))]
        assert runner.invoke(main, ["validate", *inputs, "--rejects", str(rejects), *ON]).exit_code == 1
        written = rejects if rejects.suffix else rejects / f"张三_{person}.csv.rejects.csv"
        reasons = [row[-1] for row in csv.reader(io.StringIO(written.read_text(encoding="utf-8")))]
        assert any(f"line {len(lines) + 1}" in reason for reason in reasons)  # the repeat names the first
        assert full_id_numbers("\n".join(reasons)) == []
    shown = runner.invoke(main, ["validate", str(path), "--format", "json", "--show-pii", *ON])
    assert json.loads(shown.stdout)["files"][0]["path"] == str(path)


@pytest.mark.parametrize("form", ["csv", "tsv", "xlsx"])
def test_an_unreadable_row_is_written_to_the_rejects_cell_by_cell(runner: CliRunner, tmp_path: Path,
                                                                  form: str) -> None:
    """A ragged row (too few cells, too many) or a workbook row with an error value was written as one text in
    the first column (XLSX: its cells joined by tabs): the steward could not fix it where it stood."""
    rows = list(csv.reader(io.StringIO(_export(tmp_path / "x.csv", 3).read_text(encoding="utf-8"))))
    width = len(rows[0])
    short = ["王倩", "自然人"]
    long = [*rows[1], "多出的\t格", "=1+1"]
    if form == "xlsx":
        path = tmp_path / "in.xlsx"
        path.write_bytes(workbook({"S": [rows[0], rows[2], [*rows[1][:3], ("error", "#N/A"), *rows[1][4:]], long]}))
        expected = [[*rows[1][:3], "#N/A", *rows[1][4:]], long]
    else:
        delimiter = "\t" if form == "tsv" else ","
        path = tmp_path / f"in.{form}"
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, delimiter=delimiter)
            writer.writerows([rows[0], rows[2], short, ['带"引号', "b\nc"], long])
        expected = [short, ['带"引号', "b\nc"], long]
    rejects = tmp_path / "rejects.csv"
    result = runner.invoke(main, ["validate", str(path), "--class", "administrative_penalty", "--rejects",
                                  str(rejects), *ON])
    assert result.exit_code == 1, result.output
    text = rejects.read_text(encoding="utf-8-sig" if form == "xlsx" else "utf-8")
    written = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t" if form == "tsv" else ","))
    assert written[0] == [*rows[0], "_line", "_errors"]
    for row, cells in zip(written[1:], expected, strict=True):
        kept = [cell.removeprefix("'") if cell.startswith("'=") else cell for cell in row[:max(width, len(cells))]]
        assert kept == [*cells, *[""] * (width - len(cells))], row
        assert row[-1].startswith("source.") and row[-2].isdigit()


def test_report_to_a_file_is_written_atomically_and_never_over_an_input(runner: CliRunner, tmp_path: Path) -> None:
    path = _export(tmp_path / "in.csv", 5)
    before = path.read_bytes()
    assert runner.invoke(main, ["validate", str(path), "-o", str(path)]).exit_code == 2
    assert path.read_bytes() == before
    report = tmp_path / "report.json"
    assert runner.invoke(main, ["validate", str(path), "--format", "json", "-o", str(report), *ON]).exit_code == 0
    assert json.loads(report.read_text(encoding="utf-8"))["exit_status"] == 0


def test_rejects_of_inputs_that_share_a_name_each_get_a_file(runner: CliRunner, tmp_path: Path) -> None:
    first = _export(tmp_path / "a.csv", 12, seed=1, error_rate=0.4)
    (tmp_path / "sub").mkdir()
    second = _export(tmp_path / "sub" / "a.csv", 12, seed=2, error_rate=0.4)
    folder = tmp_path / "rejects"
    result = runner.invoke(main, ["validate", str(first), str(second), "--format", "json", "--rejects", str(folder),
                                  *ON])
    assert result.exit_code == 1
    written = {path.name: len(path.read_text(encoding="utf-8").splitlines()) - 1 for path in folder.iterdir()}
    assert written == {"a.csv.rejects.csv": _expected_invalid(first), "a.csv.2.rejects.csv": _expected_invalid(second)}
    assert sum(written.values()) == json.loads(result.stdout)["totals"]["rows"]["rejected"]


def test_an_input_named_like_a_numbered_rejects_file_gets_its_own(runner: CliRunner, tmp_path: Path) -> None:
    """x/a.csv, y/a.csv and a.csv.2: the third's rejects are not the second's (a.csv.2.rejects.csv)."""
    for folder, seed in (("x", 1), ("y", 2)):
        (tmp_path / folder).mkdir()
        _export(tmp_path / folder / "a.csv", 12, seed=seed, error_rate=0.4)
    third = _export(tmp_path / "a.csv.2", 12, seed=3, error_rate=0.4)
    folder = tmp_path / "rejects"
    result = runner.invoke(main, ["validate", str(tmp_path / "x" / "a.csv"), str(tmp_path / "y" / "a.csv"),
                                  str(third), "--format", "json", "--rejects", str(folder), *ON])
    assert result.exit_code == 1, result.output
    written = {path.name: len(path.read_text(encoding="utf-8").splitlines()) - 1 for path in folder.iterdir()}
    assert set(written) == {"a.csv.rejects.csv", "a.csv.2.rejects.csv", "a.csv.2.2.rejects.csv"}
    assert written["a.csv.2.2.rejects.csv"] == _expected_invalid(third)
    assert sum(written.values()) == json.loads(result.stdout)["totals"]["rows"]["rejected"]


def test_no_output_may_replace_an_input_or_another_output(runner: CliRunner, tmp_path: Path) -> None:
    feed = _export(tmp_path / "a.csv", 8, error_rate=0.5)
    earlier = tmp_path / "a.csv.rejects.csv"  # a rejects file of an earlier run, picked up by a glob as an input
    earlier.write_bytes(feed.read_bytes())
    before = earlier.read_bytes()
    result = runner.invoke(main, ["validate", str(tmp_path / "a.csv*"), "--rejects", str(tmp_path), *ON])
    assert result.exit_code == 2 and "must not be the input" in result.output
    assert earlier.read_bytes() == before and stat.S_IMODE(earlier.stat().st_mode) != 0o600
    same = tmp_path / "same.txt"
    result = runner.invoke(main, ["validate", str(feed), "-o", str(same), "--rejects", str(same), *ON])
    assert result.exit_code == 2 and "name the same file" in result.output and not same.exists()


def test_a_failed_run_takes_back_the_rejects_folder_it_made(runner: CliRunner, tmp_path: Path) -> None:
    good = _export(tmp_path / "a.csv", 5, error_rate=0.5)
    broken = tmp_path / "b.csv"
    broken.write_bytes(good.read_bytes().replace(b"\n", b"\x00\n", 3))
    folder = tmp_path / "made" / "rejects"
    result = runner.invoke(main, ["validate", str(good), str(broken), "--rejects", str(folder), *ON])
    assert result.exit_code == 2 and "NUL" in result.output
    assert not (tmp_path / "made").exists()


def test_a_report_to_a_named_pipe_goes_into_the_pipe(runner: CliRunner, tmp_path: Path) -> None:
    import os
    import threading

    path = _export(tmp_path / "in.csv", 5)
    pipe = tmp_path / "report.pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    result = runner.invoke(main, ["validate", str(path), "--format", "json", "-o", str(pipe), *ON])
    reader.join(timeout=30)
    assert result.exit_code == 0
    assert stat.S_ISFIFO(pipe.stat().st_mode)  # not replaced by a file
    assert json.loads(received[0])["exit_status"] == 0


def test_formats_are_those_the_report_writers_know() -> None:
    from creditstd.cli.validate import validate_command
    from creditstd.reports import FORMATS

    (option,) = [param for param in validate_command.params if param.name == "output_format"]
    assert tuple(option.type.choices) == FORMATS
    assert np.dtype(bool)  # numpy is importable where validate runs


def test_an_exchange_batch_with_a_damaged_line(runner: CliRunner, tmp_path: Path) -> None:
    from creditstd.records.exchange import BatchWriter

    folder = tmp_path / "batch"
    with BatchWriter(folder, "administrative_penalty", department="某市市场监督管理局",
                     department_uscc="11350100MAD18YGF27", on=TODAY) as batch:
        for fake in fake_records("administrative_penalty", 5, seed=3, on=TODAY):
            batch.add(fake.record)
    intact = runner.invoke(main, ["validate", str(folder), "--format", "json", *ON])
    assert intact.exit_code == 0, intact.output
    assert json.loads(intact.stdout)["files"][0]["rows"]["read"] == 5
    assert "manifest" in json.loads(intact.stdout)["class"]["reason_en"]  # the batch names its class
    records = folder / "records.jsonl"
    lines = records.read_bytes().splitlines(keepends=True)
    records.write_bytes(b"".join([*lines[:2], b"{broken\n", *lines[3:]]))
    damaged = runner.invoke(main, ["validate", str(folder), *ON])
    assert damaged.exit_code == 2 and "sha256" in damaged.stderr.lower()  # the batch as a whole fails
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["records"]["sha256"] = hashlib.sha256(records.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    one_line = runner.invoke(main, ["validate", str(folder), "--format", "json", *ON])  # hash fits, one bad line
    assert one_line.exit_code == 1, one_line.output
    rows = json.loads(one_line.stdout)["files"][0]["rows"]
    assert (rows["read"], rows["valid"], rows["rejected"]) == (5, 4, 1)


def test_an_exchange_batch_none_of_whose_records_can_be_read_is_checked_as_its_manifest_says(
        runner: CliRunner, tmp_path: Path) -> None:
    from creditstd.records.exchange import BatchWriter

    folder = tmp_path / "batch"
    with BatchWriter(folder, "administrative_penalty", department="某市市场监督管理局",
                     department_uscc="11350100MAD18YGF27", on=TODAY) as batch:
        for fake in fake_records("administrative_penalty", 3, seed=3, on=TODAY):
            batch.add(fake.record)
    records = folder / "records.jsonl"
    records.write_bytes(b"{broken\n" * 3)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["records"]["sha256"] = hashlib.sha256(records.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = runner.invoke(main, ["validate", str(folder), "--format", "json", *ON])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["class"]["name"] == "administrative_penalty"
    rows = report["files"][0]["rows"]
    assert (rows["read"], rows["valid"], rows["rejected"]) == (3, 0, 3)


def test_the_pre_commit_hook_runs_the_validate_command(runner: CliRunner) -> None:
    hooks = (Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    entry = next(line.split(":", 1)[1].strip() for line in hooks.splitlines() if line.strip().startswith("entry:"))
    program, *arguments = entry.split()
    assert program == "creditstd"
    assert runner.invoke(main, [*arguments, "--help"]).exit_code == 0


def test_the_readme_command_on_the_bundled_export_finds_the_broken_rows(runner: CliRunner, tmp_path: Path) -> None:
    examples = Path(__file__).resolve().parent.parent / "examples" / "exports"
    rejects = tmp_path / "rejects.csv"
    result = runner.invoke(main, ["validate", str(examples / "administrative_penalty.csv"), "--rejects",
                                  str(rejects), "--on", "2026-12-01"])
    assert result.exit_code == 1 and "200 rows read = " in result.stdout
    listed = [line.split("\t") for line in (examples / "administrative_penalty.csv.broken.txt")
              .read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    rejected = {int(row[-2]) for row in csv.reader(io.StringIO(rejects.read_bytes().decode("gb18030")))
                if row[-2].isdigit()}
    # every deliberately broken row is rejected, and no other (a number broken into text is 约5, which a CSV
    # cell carries: the string "5" was a number again there, and three listed rows passed)
    assert rejected == {int(record) + 1 for record, _ in listed}
    assert any(code == "record.type" for _, code in listed)


def test_progress_goes_to_a_terminal_only_and_never_into_the_report(tmp_path: Path) -> None:
    """On a pseudo-terminal with --progress, the progress line is drawn on stderr and cleared; the report
    on stdout is the same as without it; piped, nothing at all is written to stderr."""
    import os
    import pty
    import subprocess
    import sys

    path = tmp_path / "export.csv"
    _export(path, 3000, error_rate=0.05)
    command = [sys.executable, "-c", "from creditstd.cli import main; main()", "validate", str(path),
               "--format", "json", *ON]
    piped = subprocess.run(command, capture_output=True, check=False)
    assert piped.returncode == 1 and piped.stderr == b""
    primary, secondary = pty.openpty()
    environment = {key: value for key, value in os.environ.items() if key not in ("CI", "GITHUB_ACTIONS")}
    shown = subprocess.run([*command, "--progress"], stdout=subprocess.PIPE, stderr=secondary, check=False,
                           env={**environment, "TERM": "xterm"})
    os.close(secondary)
    drawn = b""
    while True:
        try:
            part = os.read(primary, 65536)
        except OSError:
            break
        if not part:
            break
        drawn += part
    os.close(primary)
    assert shown.returncode == 1
    assert json.loads(shown.stdout)["totals"] == json.loads(piped.stdout)["totals"]
    assert b"\r" not in shown.stdout
    assert b"Traceback" not in drawn and not full_id_numbers(drawn.decode("utf-8", "replace"))


def test_a_record_repeated_within_and_across_files_is_rejected_where_it_repeats(runner: CliRunner,
                                                                                tmp_path: Path) -> None:
    """The identity fields (for a penalty: authority USCC, decision number, subject) name a record; its first
    occurrence is kept, each later one rejected with record.duplicate naming where it was first seen."""
    first = _export(tmp_path / "a.csv", 30)
    header, *rows = first.read_text(encoding="utf-8").splitlines(keepends=True)
    first.write_text(header + "".join(rows) + rows[4], encoding="utf-8")  # line 6 again, as line 32
    second = tmp_path / "b.csv"
    second.write_text(header + rows[9] + rows[9], encoding="utf-8")  # a.csv line 11, twice
    rejects = tmp_path / "rejects"
    result = runner.invoke(main, ["validate", str(first), str(second), "--format", "json", "--rejects",
                                  str(rejects), *ON])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["totals"]["rows"] == {"read": 33, "valid": 30, "rejected": 3, "unreadable": 0}
    examples = [example for code in report["codes"] if code["code"] == "record.duplicate"
                for example in code["examples"]]
    assert sorted((Path(example["file"]).name, example["line"]) for example in examples) == [
        ("a.csv", 32), ("b.csv", 2), ("b.csv", 3)]
    assert all("a.csv" in example["message_en"] for example in examples)
    assert "line 6" in next(e["message_en"] for e in examples if e["line"] == 32)
    kept = (rejects / "b.csv.rejects.csv").read_text(encoding="utf-8").splitlines()
    assert len(kept) == 3 and all("record.duplicate" in line for line in kept[1:])


def test_a_copy_of_a_rejected_row_is_the_record_validate_convert_and_pack_keep(runner: CliRunner,
                                                                                 tmp_path: Path) -> None:
    """A record whose first row is rejected (a fine of 'abc') and whose later copy is right: the copy was
    rejected as its duplicate, while creditstd convert and exchange pack write it (they keep what passes)."""
    rows = list(csv.reader(io.StringIO(_export(tmp_path / "x.csv", 4).read_text(encoding="utf-8"))))
    broken = list(rows[1])
    broken[rows[0].index("CF_NR_FK")] = "abc"
    path = tmp_path / "dup.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([rows[0], broken, rows[2], rows[1], rows[1]])  # lines 2 to 5
    report = json.loads(runner.invoke(main, ["validate", str(path), "--format", "json", *ON]).stdout)
    assert report["files"][0]["rows"] == {"read": 4, "valid": 2, "rejected": 2, "unreadable": 0}
    (duplicate,) = next(code for code in report["codes"] if code["code"] == "record.duplicate")["examples"]
    assert duplicate["line"] == 5 and "line 4" in duplicate["message_en"]  # the copy after the kept one
    converted = runner.invoke(main, ["convert", str(path), "--mapping", "sgs-penalty-csv", "--dry-run", "--format",
                                     "json", *ON])
    assert json.loads(converted.stdout)["files"][0]["rows"]["valid"] == 2


def test_a_report_to_the_standard_output_by_name_goes_to_the_file_the_shell_opened(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = _export(tmp_path / "in.csv", 5)
    out = tmp_path / "report.json"
    with open(out, "wb") as stdout:  # /proc/self/fd/1 is then a link to this file; renaming over it would fail
        done = subprocess.run([sys.executable, "-c", "from creditstd.cli import main; main()", "validate", str(path),
                               "--format", "json", "-o", "/proc/self/fd/1", *ON],
                              stdout=stdout, stderr=subprocess.PIPE, check=False)
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(out.read_text(encoding="utf-8"))["exit_status"] == 0


def test_no_output_may_be_written_into_an_exchange_batch_being_read(runner: CliRunner, tmp_path: Path) -> None:
    """A batch folder is one input: its records file and manifest are never replaced, however it is named."""
    records = tmp_path / "recs.jsonl"
    assert runner.invoke(main, ["fake", "administrative_penalty", "-n", "5", "--seed", "1", "-o",
                                str(records)]).exit_code == 0
    batch = tmp_path / "bt"
    assert runner.invoke(main, ["exchange", "pack", "administrative_penalty", str(records), "-o", str(batch),
                                "--department", "某局", "--department-uscc", "11350100MAD18YGF27"]).exit_code == 0
    before = {path.name: path.read_bytes() for path in batch.iterdir()}
    for arguments in ([str(batch), "-o", str(batch / "records.jsonl")],
                      [str(batch), "--rejects", str(batch / "manifest.json")],
                      [str(batch / "manifest.json"), "-o", str(batch / "records.jsonl")],
                      [str(batch), "-o", str(batch / "report.txt")]):
        result = runner.invoke(main, ["validate", *arguments])
        assert result.exit_code == 2 and "must not be the input" in result.output, result.output
    assert {path.name: path.read_bytes() for path in batch.iterdir()} == before


def test_json_lines_keys_first_seen_in_a_later_chunk_are_checked(runner: CliRunner, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A sparse export leaves out empty optional fields: a key first seen after the first chunk is mapped and
    checked from there on, and the report lists its column."""
    import creditstd.sources.jsonl as jsonl

    monkeypatch.setattr(jsonl, "CHUNK_BYTES", 4096)  # a chunk every few records
    monkeypatch.setattr(jsonl, "_PIECE_ROWS", 2)
    records = tmp_path / "f.jsonl"
    assert runner.invoke(main, ["fake", "administrative_penalty", "-n", "40", "--seed", "7", "-o", str(records),
                                *ON]).exit_code == 0
    rows = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        row.pop("remarks", None)
        row.pop("publication_date", None)
    rows.append(dict(rows[0], decision_number="late-1", publication_date="not-a-date", remarks="x" * 5000))
    late = tmp_path / "late.jsonl"
    late.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    result = runner.invoke(main, ["validate", str(late), "--format", "json", *ON])
    assert result.exit_code == 1, result.output
    file = json.loads(result.stdout)["files"][0]
    assert file["rows"] == {**file["rows"], "read": 41, "valid": 40, "rejected": 1}
    assert {code["code"] for code in file["codes"]} == {"record.date", "record.maxLength"}
    assert {"remarks", "publication_date"} <= {column["field"] for column in file["columns"]}


def test_the_file_standard_input_reads_is_never_an_output(tmp_path: Path) -> None:
    """``validate - -o f.csv < f.csv`` replaced the input with the report: stdin redirected from a file is
    that file, an input like any other."""
    import subprocess
    import sys

    feed = _export(tmp_path / "f.csv", 6, error_rate=0.5)
    before = feed.read_bytes()
    for option in ("-o", "--rejects"):
        with feed.open("rb") as stdin:
            done = subprocess.run([sys.executable, "-c", "from creditstd.cli import main; main()", "validate", "-",
                                   option, str(feed), *ON], stdin=stdin, capture_output=True, check=False)
        assert done.returncode == 2 and b"the file standard input reads" in done.stderr
        assert feed.read_bytes() == before and stat.S_IMODE(feed.stat().st_mode) != 0o600


def test_one_file_under_several_spellings_is_read_once(runner: CliRunner, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    feed = _export(tmp_path / "f.csv", 8, error_rate=0.25)
    (tmp_path / "link.csv").symlink_to(feed)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["validate", "f.csv", "./f.csv", str(feed), "link.csv", "--format", "json", *ON])
    report = json.loads(result.stdout)
    assert report["totals"]["files"] == 1 and report["totals"]["rows"]["read"] == 8
    assert report["totals"]["rows"]["rejected"] == _expected_invalid(feed)


def test_utf_16_named_for_a_file_without_a_byte_order_mark_is_an_input_error(runner: CliRunner,
                                                                           tmp_path: Path) -> None:
    feed = _export(tmp_path / "f.csv", 3, encoding="utf-16-le")
    result = runner.invoke(main, ["validate", str(feed), "--encoding", "utf-16", *ON])
    assert result.exit_code == 2 and "not valid utf-16" in result.stderr and "Traceback" not in result.output
    assert runner.invoke(main, ["validate", str(feed), "--encoding", "utf-16-le", *ON]).exit_code == 0


def test_the_github_step_summary_is_never_written_into_an_input_or_an_output(runner: CliRunner, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    feed = _export(tmp_path / "f.csv", 4)
    before = feed.read_bytes()
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(feed))
    result = runner.invoke(main, ["validate", str(feed), "--format", "github", *ON])
    assert result.exit_code == 2 and "$GITHUB_STEP_SUMMARY" in result.stderr and feed.read_bytes() == before
    report = tmp_path / "report.txt"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(report))
    result = runner.invoke(main, ["validate", str(feed), "--format", "github", "-o", str(report), *ON])
    assert result.exit_code == 2 and "name the same file" in result.stderr and not report.exists()


def test_rejects_of_several_inputs_are_named_for_the_format_they_are_written_in(runner: CliRunner,
                                                                                tmp_path: Path) -> None:
    upper = _export(tmp_path / "UP.CSV", 10, error_rate=0.5)
    text = _export(tmp_path / "t.txt", 10, seed=2, error_rate=0.5)
    folder = tmp_path / "rejects"
    result = runner.invoke(main, ["validate", str(upper), str(text), "--rejects", str(folder), *ON])
    assert result.exit_code == 1
    assert sorted(path.name for path in folder.iterdir()) == ["UP.CSV.rejects.csv", "t.txt.rejects.csv"]
    for path, written in ((upper, folder / "UP.CSV.rejects.csv"), (text, folder / "t.txt.rejects.csv")):
        rows = list(csv.reader(io.StringIO(written.read_text(encoding="utf-8"))))
        assert rows[0][-2:] == ["_line", "_errors"] and len(rows) - 1 == _expected_invalid(path)


#: A sheet of a workbook named by a person's ID number (a steward typed it), masked in every report.
SHEET_ID = "11010519491231002X"


def test_an_xlsx_report_names_the_sheet_read_and_the_workbook_s_other_sheets(runner: CliRunner, tmp_path: Path) -> None:
    """A steward whose data is on another sheet is told so: every report names the sheet read and the others
    (the JSON report has ``sheet`` and ``sheets``); a sheet name is masked as a title is, unless --show-pii."""
    export = _export(tmp_path / "p.csv", 5)
    rows = [[cell or None for cell in row] for row in csv.reader(io.StringIO(export.read_text(encoding="utf-8")))]
    book = tmp_path / "book.xlsx"
    book.write_bytes(workbook({"说明": [["本表为2024年行政处罚信息"]], "处罚": rows, SHEET_ID: [["备注"], ["x"]]}))
    masked = "110105********002X"
    chosen = ["validate", str(book), "--sheet", "处罚", "--class", "administrative_penalty", *ON]
    result = runner.invoke(main, chosen)
    assert result.exit_code == 0, result.output
    assert (f"(xlsx, 工作表 / sheet: 处罚 (另有 / also: 说明, {masked}; 可用 --sheet 选择 / choose with --sheet))"
            in result.stdout)
    document = json.loads(runner.invoke(main, [*chosen, "--format", "json"]).stdout)
    jsonschema.validate(document, loader.meta_schema("validation-report.schema.json"))
    assert document["report_version"] == "1.2"
    assert (document["files"][0]["sheet"], document["files"][0]["sheets"]) == ("处罚", ["说明", "处罚", masked])
    for output_format in ("text", "json", "junit", "github", "sarif", "html"):
        summary = tmp_path / f"summary-{output_format}.md"
        result = runner.invoke(main, [*chosen, "--format", output_format], env={"GITHUB_STEP_SUMMARY": str(summary)})
        shown = result.stdout + (summary.read_text(encoding="utf-8") if summary.exists() else "")
        assert SHEET_ID not in shown and full_id_numbers(shown) == [], output_format
        if output_format in ("text", "github", "html"):
            assert "说明" in shown and masked in shown, output_format
    # the first sheet, read by default, holds no data: the report says which others there are
    first = runner.invoke(main, ["validate", str(book), "--class", "administrative_penalty", "--lang", "en", *ON])
    assert first.exit_code == 1
    assert f"(xlsx, sheet: 说明 (also: 处罚, {masked}; choose with --sheet))" in first.stdout
    by_id = json.loads(runner.invoke(main, ["validate", str(book), "--sheet", SHEET_ID, "--format", "json",
                                            "--class", "administrative_penalty", *ON]).stdout)
    assert by_id["files"][0]["sheet"] == masked and SHEET_ID not in json.dumps(by_id, ensure_ascii=False)
    shown_pii = json.loads(runner.invoke(main, [*chosen, "--format", "json", "--show-pii"]).stdout)
    assert shown_pii["files"][0]["sheets"] == ["说明", "处罚", SHEET_ID]


def test_a_duplicate_names_the_earlier_file_as_the_report_shows_that_file(runner: CliRunner, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Two daily exports whose names are alike once masked are told apart by their position in the run; a
    record of the first repeated in the second is a duplicate whose message names the first file by the path of
    its own entry, ``(#1)`` included, not by the masked name both share."""
    monkeypatch.chdir(tmp_path)
    names = ["110105195001030021_a.csv", "110105195001110021_a.csv"]  # two valid ID numbers, masked alike
    header, *rows = _export(tmp_path / names[0], 10).read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / names[1]).write_text(header + rows[3], encoding="utf-8")  # the first file's line 5 again
    result = runner.invoke(main, ["validate", *names, "--format", "json", *ON])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    first, second = (file["path"] for file in report["files"])
    assert (first, second) == ("110105********0021_a.csv (#1)", "110105********0021_a.csv (#2)")
    assert "sheet" not in report["files"][1] and "sheets" not in report["files"][1]  # not a workbook: as 1.0
    (example,) = next(code for code in report["codes"] if code["code"] == "record.duplicate")["examples"]
    assert (example["file"], example["line"]) == (second, 2)
    assert f"duplicate of the record at {first}, line 5: " in example["message_en"]
    assert example["message_zh"].startswith(f"与{first}第5行的记录重复")
    text = runner.invoke(main, ["validate", *names, "--lang", "en", *ON]).stdout
    assert f"== file: {first} (csv" in text
    assert f"{second}:2 $ " in text and f"duplicate of the record at {first}, line 5: " in text
    for output_format in ("text", "json", "junit", "github", "sarif", "html"):
        summary = tmp_path / f"summary-{output_format}.md"
        result = runner.invoke(main, ["validate", *names, "--format", output_format, *ON],
                               env={"GITHUB_STEP_SUMMARY": str(summary)})
        shown = result.stdout + result.stderr + (summary.read_text(encoding="utf-8") if summary.exists() else "")
        assert full_id_numbers(shown) == [], output_format
    shown_pii = json.loads(runner.invoke(main, ["validate", *names, "--format", "json", "--show-pii", *ON]).stdout)
    assert [file["path"] for file in shown_pii["files"]] == names
    (example,) = next(code for code in shown_pii["codes"] if code["code"] == "record.duplicate")["examples"]
    assert f"duplicate of the record at {names[0]}, line 5: " in example["message_en"]


def test_a_name_typed_as_a_key_inside_a_personal_field_is_masked_and_filed_under_it(runner: CliRunner,
                                                                                      tmp_path: Path) -> None:
    """responsible_persons holds objects (read from JSON lines and JSON array cells): an unknown key in one was
    shown in full in every format (a person's name typed as a key), filed as a field of its own, and the
    object's own keys were reported unknown beside it (compared with the class's fields)."""
    record = next(iter(fake_records("government_dishonesty", 1, seed=2, on=TODAY))).record
    record["responsible_persons"] = [{"name": "张三", "position": "局长", "欧阳明月": "局长"}]
    path = tmp_path / "gd.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    for output_format in ("text", "json", "html", "sarif", "github", "junit"):
        result = runner.invoke(main, ["validate", str(path), "--class", "government_dishonesty", "--format",
                                      output_format, *ON])
        assert result.exit_code == 1, result.output
        assert "欧阳明月" not in result.output and "阳明月" not in result.output, output_format
    report = json.loads(runner.invoke(main, ["validate", str(path), "--class", "government_dishonesty",
                                             "--format", "json", *ON]).stdout)
    assert [code["code"] for code in report["codes"]] == ["record.unknown_field"]  # name/position are known
    assert [item["field"] for item in report["codes"][0]["fields"]] == ["responsible_persons"]


def test_a_report_showing_personal_data_is_private(runner: CliRunner, tmp_path: Path) -> None:
    """With --show-pii the report holds names and ID numbers in full: owner-only whatever the umask."""
    import os
    import stat
    path = _export(tmp_path / "a.csv", 10, seed=1, error_rate=0.3)
    old = os.umask(0)
    try:
        for flag, mode in (("--show-pii", 0o600), ("--no-progress", 0o666)):
            report = tmp_path / f"report{flag}.json"
            result = runner.invoke(main, ["validate", str(path), "--format", "json", "-o", str(report), flag, *ON])
            assert result.exit_code == 1, result.output
            assert stat.S_IMODE(report.stat().st_mode) == mode, flag
    finally:
        os.umask(old)
