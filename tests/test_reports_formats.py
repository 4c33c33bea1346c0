"""The report writers: text, json, junit, github, sarif, html (the browser test is in test_reports_html.py)."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft7Validator, Draft202012Validator
from leaks import full_id_numbers
from test_reports_fixtures import RAW_ID, SCRIPT, clean_report, feed_penalties, penalty_report

from creditstd.findings import Finding, Location
from creditstd.reports import FORMATS, SCHEMA_ID, Report, ReportBuilder, write_report
from creditstd.reports import github as github_writer
from creditstd.reports import sarif as sarif_writer
from creditstd.reports.jsonreport import schema, validator

ACCOUNTING_EN = "2,001 rows read = 1,266 valid + 735 rejected (1 unreadable)"
ACCOUNTING_ZH = "读取 2,001 行 = 有效 1,266 行 + 拒收 735 行（其中 1 行无法读取）"


def render(report: Report, format: str, lang: str = "both", **options: object) -> str:
    out = io.StringIO()
    write_report(report, format, out, lang=lang, **options)
    return out.getvalue()


def many_codes_report(errors: int = 30, warnings: int = 15) -> Report:
    builder = ReportBuilder(class_name="administrative_penalty")
    builder.start_file("m.csv", format="csv", encoding="utf-8", headers=["h"], mapping={"h": "uscc"}, missing=[])
    findings = [Finding(f"input.e{index:02d}", f"错{index}", f"error {index}", field="uscc",
                        location=Location("m.csv", 10 + index, column="h")) for index in range(errors)]
    findings += [Finding(f"input.w{index:02d}", f"警{index}", f"warning {index}", severity="warning",
                         location=Location("m.csv", 100 + index)) for index in range(warnings)]
    findings += [Finding("input.e00", "错0", "error 0", field="uscc",
                         location=Location("m.csv", 200 + index, column="h")) for index in range(5)]
    n = errors + warnings + 5
    builder.add_rows({"uscc": pa.array(["x"] * n)}, np.arange(n) + 2, np.zeros(n, bool), findings)
    return builder.finish()


# -- every format


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_every_format_states_the_accounting_and_leaks_no_id_number(format: str, lang: str,
                                                                    tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    options = {"summary_path": str(summary)} if format == "github" else {}
    text = render(penalty_report(), format, lang, **options)
    if format == "github":
        text += summary.read_text(encoding="utf-8")
    if format in ("json", "sarif") or lang in ("en", "both"):
        assert ACCOUNTING_EN in text
    if format in ("json", "sarif") or lang in ("zh", "both"):
        assert ACCOUNTING_ZH in text
    assert full_id_numbers(text) == []
    assert "110105********0021" in text  # the masked value the core gave


def test_with_show_pii_the_samples_show_what_the_masking_hides() -> None:
    for format in ("json", "html"):  # the formats that show sample rows
        assert RAW_ID in render(penalty_report(show_pii=True), format)
    assert RAW_ID in full_id_numbers(render(penalty_report(show_pii=True), "json"))


def test_unknown_format_and_language_are_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        render(clean_report(), "pdf")
    with pytest.raises(ValueError, match="language"):
        render(clean_report(), "text", "fr")


# -- text


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_text_report_layout() -> None:
    text = render(penalty_report(), "text", "en")
    lines = text.splitlines()
    assert lines[0] == "creditstd 0.1.0 validation report"
    assert lines[-1] == f"total: 1 file(s); {ACCOUNTING_EN}; 735 errors, 20 warnings; exit status 1"
    assert "missing required fields: decision_number" in text
    assert "ric.checksum ×667 [error] check character does not match: expected '…'" in text
    assert "feeds/penalties 2024.csv [证件号码] lines: 2, 5, 8, 11, 14, 17, 20, 23, 26, 29 … (+657)" in text
    assert sum(line.startswith("    feeds/penalties 2024.csv:") and "$.id_number" in line for line in lines) == 5
    assert "… 662 more not shown (the count is complete)" in text
    assert "id_number (CF_XDR_ZJHM) *" in text and "personal field: values not listed" in text
    assert "common values: 罚款 ×1,433, 警告 ×500" in text
    assert "校验报告" not in text and "读取" not in text


def test_text_report_in_chinese_only() -> None:
    text = render(penalty_report(), "text", "zh")
    assert text.splitlines()[-1] == f"合计: 1 个文件; {ACCOUNTING_ZH}; 错误 735 个，警告 20 个; 退出状态 1"
    assert "validation report" not in text and "rows read" not in text


def test_text_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    terminal = _Terminal()
    write_report(penalty_report(), "text", terminal)
    assert "\x1b[31m" in terminal.getvalue()
    assert "\x1b[" not in render(penalty_report(), "text")
    monkeypatch.setenv("NO_COLOR", "1")
    terminal = _Terminal()
    write_report(penalty_report(), "text", terminal)
    assert "\x1b[" not in terminal.getvalue()
    assert "\x1b[32m" in render(clean_report(), "text", color=True)


def test_text_escapes_terminal_control_sequences_from_the_data() -> None:
    builder = ReportBuilder(class_name=None)
    builder.start_file("evil\x1b]0;title\x07.csv", format="csv", encoding="utf-8", headers=["\x1b[2J"],
                       mapping={"\x1b[2J": None}, missing=[])
    builder.add_file_finding(Finding("input.header", "表头", "header", value="\x1b[31mred\r",
                                     location=Location(None, column="\x1b[2J")))
    text = render(builder.finish(), "text")
    assert "\x1b" not in text and "\r" not in text and "\\u001b[2J" in text


# -- json


def _workbook_report(**options: object) -> Report:
    """One workbook of 16 sheets, the second read; one sheet named by a person's ID number."""
    builder = ReportBuilder(class_name="administrative_penalty", **options)  # type: ignore[arg-type]
    sheets = ["说明", "处罚", *(f"表{index}" for index in range(12)), f"张三{RAW_ID}", "x\x1b[31my"]
    builder.start_file("book.xlsx", format="xlsx", encoding=None, headers=["CF_WSH"],
                       mapping={"CF_WSH": "decision_number"}, missing=[], sheet="处罚", sheets=sheets)
    builder.add_rows({"decision_number": pa.array(["京罚1号"])}, np.array([2]), np.array([True]), [])
    return builder.finish()


def _documents() -> list[Report]:
    empty = ReportBuilder(class_name=None).finish()
    unknown = ReportBuilder(class_name="no_such_class", class_reason=None)
    unknown.start_file("u.csv", format="jsonl", encoding=None, headers=["a"], mapping={"a": "a"}, missing=[])
    unknown.add_rows({"a": pa.array(["1", None])}, np.array([1, 2]), np.array([True, False]),
                     [Finding("record.type", "类型", "type", field="a", location=Location("u.csv", 2, record=2))])
    return [penalty_report(), penalty_report(files=("a.csv", "b.csv"), show_pii=True), penalty_report(max_errors=0),
            penalty_report(fail_on="warning"), clean_report(), empty, unknown.finish(), many_codes_report(),
            _workbook_report()]


@pytest.mark.parametrize("report", _documents())
def test_every_json_report_is_valid_against_its_schema(report: Report) -> None:
    document = json.loads(render(report, "json"))
    errors = [error.message for error in validator().iter_errors(document)]
    assert errors == []
    assert document["$schema"] == SCHEMA_ID and document["report_version"] == "1.2"
    for rows in [file["rows"] for file in document["files"]] + [document["totals"]["rows"]]:
        assert rows["read"] == rows["valid"] + rows["rejected"]
    assert document["exit_status"] == report.exit_status


def test_the_schema_is_draft_2020_12_and_installed_with_the_package() -> None:
    document = schema()
    Draft202012Validator.check_schema(document)
    assert document["$id"] == SCHEMA_ID
    on_disk = Path(__file__).parents[1] / "schemas" / "validation-report.schema.json"
    if on_disk.exists():  # the source tree; the installed wheel is checked by schema() itself
        assert json.loads(on_disk.read_text(encoding="utf-8")) == document


@pytest.mark.parametrize("tamper", [
    lambda doc: doc.update(exit_status=2),
    lambda doc: doc.update(report_version="2.0"),
    lambda doc: doc["files"][0]["rows"].pop("valid"),
    lambda doc: doc["files"][0]["rows"].update(read=-1),
    lambda doc: doc["codes"][0].update(severity="fatal"),
    lambda doc: doc["codes"][0]["examples"][0].update(unexpected=1),
    lambda doc: doc["files"][0]["fields"][0]["distinct"].update(exact="yes"),
    lambda doc: doc.pop("totals"),
])
def test_the_schema_rejects_what_is_not_a_report(tamper: object) -> None:
    document = json.loads(render(penalty_report(), "json"))
    tamper(document)  # type: ignore[operator]
    assert not validator().is_valid(document)


def test_json_report_content() -> None:
    document = json.loads(render(penalty_report(), "json", "en"))
    assert document["class"]["name"] == "administrative_penalty"
    assert document["class"]["reason_en"] == "inferred from the headers: 4 of 5 columns match"
    assert document["options"] == {"strict": False, "max_errors": 1000, "show_pii": False, "rule_set": None,
                                   "fail_on": "error"}
    file = document["files"][0]
    assert file["accounting_en"] == ACCOUNTING_EN and file["missing_fields"] == ["decision_number"]
    assert {"header": "备注", "field": None} in file["columns"]
    id_number = next(field for field in file["fields"] if field["field"] == "id_number")
    assert id_number["personal"] is True and id_number["top_values"] is None
    assert id_number["distinct"] == {"count": 2, "exact": True}
    checksum = document["codes"][0]
    assert (checksum["code"], checksum["count"], checksum["examples_omitted"]) == ("ric.checksum", 667, 647)
    assert checksum["examples"][0]["value"] == "110105********0021" and checksum["examples"][0]["line"] == 2


@pytest.mark.parametrize("format", ["text", "html", "github"])
def test_the_human_formats_name_the_sheet_read_and_the_workbook_s_others(format: str, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    options = {"summary_path": str(summary)} if format == "github" else {}
    text = render(_workbook_report(), format, "en", **options)
    text += summary.read_text(encoding="utf-8") if format == "github" else ""
    # the first 10 others, in the workbook's order, and how many more
    assert "sheet: 处罚 (also: 说明, 表0, 表1, 表2, 表3, 表4, 表5, 表6, 表7, 表8 … (+5); choose with --sheet)" in text
    zh = render(_workbook_report(), format, "zh", **({"summary_path": str(tmp_path / "zh.md")} if options else {}))
    assert "工作表: 处罚 (另有: 说明, 表0" in zh and "可用 --sheet 选择)" in zh
    assert full_id_numbers(text) == [] and RAW_ID not in text and "\x1b" not in text
    assert "sheet:" not in render(clean_report(), format, "en", **options)


def test_the_json_report_lists_every_sheet_masked() -> None:
    document = json.loads(render(_workbook_report(), "json"))
    assert validator().is_valid(document)
    file = document["files"][0]
    assert file["sheet"] == "处罚" and len(file["sheets"]) == 16
    assert file["sheets"][-2:] == ["张*110105********002X", "x\\u001b[31my"]
    assert full_id_numbers(json.dumps(document, ensure_ascii=False)) == []
    assert json.loads(render(_workbook_report(show_pii=True), "json"))["files"][0]["sheets"][-2] == f"张三{RAW_ID}"
    csv_file = json.loads(render(clean_report(), "json"))["files"][0]
    assert "sheet" not in csv_file and "sheets" not in csv_file


def _schema_1_0() -> dict[str, Any]:
    """The schema as report 1.0 published it: a file's object had no ``sheet`` nor ``sheets`` (and no other
    key allowed)."""
    document = json.loads(json.dumps(schema()))
    file = document["$defs"]["file"]
    del file["properties"]["sheet"], file["properties"]["sheets"]
    del file["properties"]["merged_cells"], file["properties"]["merged_filled"]  # added in 1.2
    assert file["additionalProperties"] is False and set(file["required"]) == set(file["properties"])
    return document


def test_a_report_on_files_that_are_not_workbooks_is_what_report_1_0_wrote() -> None:
    """1.x only adds fields: a validator of the 1.0 schema (same ``$id``) still takes every report whose files
    are not workbooks, with exactly the keys 1.0 gave a file; it refuses a workbook's ``sheet`` and
    ``sheets``, which the schema as published now takes."""
    published = _schema_1_0()
    old, keys = Draft202012Validator(published), set(published["$defs"]["file"]["required"])
    workbooks = 0
    for report in _documents():
        document = json.loads(render(report, "json"))
        assert validator().is_valid(document)
        for file in document["files"]:
            workbook = {"sheet", "sheets", "merged_cells", "merged_filled"}
            assert set(file) == (keys | workbook if file["format"] == "xlsx" else keys)
        if any(file["format"] == "xlsx" for file in document["files"]):
            workbooks += 1
            assert not old.is_valid(document)
        else:
            assert [error.message for error in old.iter_errors(document)] == []
    assert workbooks == 1


# -- junit


def _junit(report: Report, lang: str = "en") -> ET.Element:
    return ET.fromstring(render(report, "junit", lang))


def _cases(suite: ET.Element) -> dict[str, ET.Element]:
    return {case.get("name", "").split(" ·")[0]: case for case in suite.iter("testcase")}


def test_junit_one_suite_per_file_one_case_per_field() -> None:
    root = _junit(penalty_report(files=("a.csv", "b.csv")))
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == ["a.csv", "b.csv"]
    for suite in suites:
        cases = _cases(suite)
        assert list(cases) == ["columns", "rows", "subject_name", "uscc", "id_number", "penalty_types",
                               "decision_date", "record"]
        assert suite.get("tests") == str(len(cases))
        assert suite.get("failures") == str(sum(case.find("failure") is not None for case in cases.values()))
        failure = cases["id_number"].find("failure")
        assert failure is not None and failure.get("message") == "667 findings: ric.checksum ×667"
        assert failure.get("type") == "ric.checksum" and "lines: 2, 5, 8" in (failure.text or "")
        assert "110105********0021" in (failure.text or "")
        assert cases["uscc"].find("failure") is None
        assert cases["decision_date"].find("failure") is None  # warnings only
        assert (cases["columns"].find("failure").get("message")  # type: ignore[union-attr]
                == "missing required fields: decision_number")
        assert cases["rows"].find("failure").get("message") == ACCOUNTING_EN  # type: ignore[union-attr]
        assert "input.ragged ×1" in cases["record"].find("failure").get("message", "")  # type: ignore[union-attr]
        properties = {item.get("name"): item.get("value") for item in suite.iter("property")}
        assert properties["rows_read"] == "2001" and properties["encoding"] == "gb18030"
    assert root.get("tests") == "16" and root.get("failures") == "10"


def test_junit_fail_on_warning_and_a_clean_file() -> None:
    cases = _cases(_junit(penalty_report(fail_on="warning")).find("testsuite"))  # type: ignore[arg-type]
    assert cases["decision_date"].find("failure") is not None
    root = _junit(clean_report())
    assert root.get("failures") == "0" and root.get("tests") == "5"
    rows = _cases(root.find("testsuite"))["rows"]  # type: ignore[arg-type]
    assert rows.findtext("system-out") == "3 rows read = 3 valid + 0 rejected"


def test_junit_stays_well_formed_whatever_the_data() -> None:
    builder = ReportBuilder(class_name=None)
    feed_penalties(builder, rows=40, path="a&b<c>\"]]>\x00\x0b\ufffe.csv", bad_type="]]><x/>\x1b")
    text = render(builder.finish(), "junit")
    root = ET.fromstring(text)  # parses: nothing XML 1.0 forbids, everything escaped
    assert root.find("testsuite").get("name") == 'a&b<c>"]]>\\u0000\\u000b\\ufffe.csv'  # type: ignore[union-attr]
    assert "<x/>" not in text


# -- github


def _commands(text: str, kind: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(f"::{kind} ")]


def test_github_keeps_to_ten_annotations_one_per_code_first(tmp_path: Path) -> None:
    text = render(many_codes_report(), "github", summary_path=str(tmp_path / "s.md"))
    errors, warnings = _commands(text, "error"), _commands(text, "warning")
    assert len(errors) == 10 and len(warnings) == 10
    titles = [re.search(r"title=([^:,]+)", line).group(1) for line in errors]  # type: ignore[union-attr]
    assert titles[0] == "input.e00 ×6" and len(set(titles)) == 10


def test_github_fills_the_ten_places_with_further_examples(tmp_path: Path) -> None:
    text = render(penalty_report(), "github", "en", summary_path=str(tmp_path / "s.md"))
    errors = _commands(text, "error")
    assert len(errors) == 10
    assert errors[0].startswith("::error file=feeds/penalties 2024.csv,title=required columns missing::")
    assert errors[1].startswith("::error file=feeds/penalties 2024.csv,line=2,title=ric.checksum ×667::")
    assert errors[2].startswith("::error file=feeds/penalties 2024.csv,line=3,title=record.enum ×67::")
    assert errors[3].startswith("::error file=feeds/penalties 2024.csv,line=9999,title=input.ragged ×1::")
    assert errors[4].startswith("::error file=feeds/penalties 2024.csv,line=5,title=ric.checksum ×667::")
    assert len(_commands(text, "warning")) == 10
    assert text.splitlines()[-1] == f"{ACCOUNTING_EN}; exit status 1"


def test_github_escapes_messages_and_properties(tmp_path: Path) -> None:
    assert github_writer.escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert github_writer.escape_property("a,b:c%") == "a%2Cb%3Ac%25"
    builder = ReportBuilder(class_name=None)
    builder.start_file("x", format="csv", encoding=None, headers=[], mapping={}, missing=[])
    builder.add_file_finding(Finding("input.header", "坏：50%", "bad: 50%, really", value="a,b",
                                     location=Location("dir/a,b:c%.csv", 3)))
    text = render(builder.finish(), "github", "en", summary_path=str(tmp_path / "s.md"))
    error = _commands(text, "error")[0]
    assert error.startswith("::error file=dir/a%2Cb%3Ac%25.csv,line=3,title=input.header ×1::")
    assert "bad: 50%25, really" in error and "\n" not in error


def test_github_wraps_the_text_report_in_stop_commands(tmp_path: Path) -> None:
    text = render(penalty_report(bad_type="::error::forged"), "github", "en", summary_path=str(tmp_path / "s.md"))
    lines = text.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[start].removeprefix("::stop-commands::")
    assert len(token) == 32 and lines.index(f"::{token}::") > start + 10
    assert lines[start - 1].startswith("::group::") and lines[lines.index(f"::{token}::") + 1] == "::endgroup::"
    outside = lines[:start] + lines[lines.index(f"::{token}::"):]
    assert not any("forged" in line and not line.startswith("::error file=") for line in outside)


def test_github_step_summary_is_appended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    render(penalty_report(), "github", "en")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n## ❌ creditstd validate")
    assert f"**{ACCOUNTING_EN}**" in text
    assert "| feeds/penalties 2024.csv | 2,001 | 1,266 | 735 | 735 | 20 | decision\\_number |" in text
    assert "&lt;script&gt;" in text and "<script>" not in text
    monkeypatch.delenv("GITHUB_STEP_SUMMARY")
    render(penalty_report(), "github", "en")
    assert summary.read_text(encoding="utf-8") == text


def test_github_step_summary_is_cut_at_one_mebibyte(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("x" * (1024 * 1024 - 3000) + "\n", encoding="utf-8")
    render(penalty_report(), "github", "en", summary_path=str(summary))
    data = summary.read_bytes()
    assert len(data) <= 1024 * 1024
    assert b"was cut" in data and ACCOUNTING_EN.encode() in data
    full = "\n".join(github_writer.markdown(penalty_report(), "en"))
    assert len(full.encode()) > 3000  # the cut was needed


def test_github_markdown_table_cells_cannot_be_broken_by_the_data() -> None:
    builder = ReportBuilder(class_name=None)
    builder.start_file("a|b.csv", format="csv", encoding=None, headers=[], mapping={}, missing=["x|y"])
    lines = github_writer.markdown(builder.finish(), "en")
    row = next(line for line in lines if line.startswith("| a"))
    assert row.count("|") == 8 and "a&#124;b.csv" in row


# -- sarif


#: What this writer relies on of SARIF 2.1.0 (the full schema is checked when CREDITSTD_SARIF_SCHEMA names it).
SARIF_SUBSET = {
    "type": "object", "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["tool", "results"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name", "rules"],
                    "properties": {"rules": {"type": "array", "items": {
                        "type": "object", "required": ["id", "shortDescription", "help"],
                        "properties": {"shortDescription": {"type": "object", "required": ["text"]},
                                       "help": {"type": "object", "required": ["text"]},
                                       "defaultConfiguration": {"type": "object", "properties": {
                                           "level": {"enum": ["none", "note", "warning", "error"]}}}}}}}}}},
                "results": {"type": "array", "maxItems": 25000, "items": {
                    "type": "object", "required": ["ruleId", "message", "locations"],
                    "properties": {
                        "level": {"enum": ["none", "note", "warning", "error"]},
                        "message": {"type": "object", "required": ["text"]},
                        "locations": {"type": "array", "minItems": 1, "items": {
                            "type": "object", "required": ["physicalLocation"], "properties": {"physicalLocation": {
                                "type": "object", "required": ["artifactLocation"], "properties": {
                                    "artifactLocation": {"type": "object", "required": ["uri"]},
                                    "region": {"type": "object", "required": ["startLine"],
                                               "properties": {"startLine": {"type": "integer", "minimum": 1}}}}}}}},
                        "properties": {"type": "object", "required": ["count"]}}}}}}},
    },
}


def _sarif(report: Report) -> dict:  # type: ignore[type-arg]
    log = json.loads(render(report, "sarif", "en"))
    assert Draft202012Validator(SARIF_SUBSET).is_valid(log)
    full = os.environ.get("CREDITSTD_SARIF_SCHEMA")
    if full:  # the OASIS schema (draft-07), when a copy is at hand
        errors = list(Draft7Validator(json.loads(Path(full).read_text(encoding="utf-8"))).iter_errors(log))
        assert [error.message for error in errors] == []
    return log


@pytest.mark.parametrize("report", _documents())
def test_every_sarif_log_has_the_structure_code_scanning_needs(report: Report) -> None:
    log = _sarif(report)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    rows = run["properties"]["rows"]
    assert rows["read"] == rows["valid"] + rows["rejected"]


def test_sarif_aggregates_per_rule_and_column() -> None:
    report = penalty_report(files=("a.csv", "b.csv"))
    run = _sarif(report)["runs"][0]
    results = run["results"]
    # per file: missing columns, ric.checksum, record.enum, the warning, the ragged row
    assert len(results) == 10
    by_rule = {}
    for result in results:
        by_rule[result["ruleId"]] = by_rule.get(result["ruleId"], 0) + result["properties"]["count"]
    assert by_rule == {"columns.missing_required": 2, "ric.checksum": 1334, "record.enum": 134,
                       "rule.date_in_future": 40, "input.ragged": 2}
    checksum = next(result for result in results if result["ruleId"] == "ric.checksum")
    assert checksum["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert checksum["properties"]["column"] == "证件号码" and checksum["properties"]["lines"][:3] == [2, 5, 8]
    assert checksum["message"]["text"].startswith("check character does not match: expected '…': 667 finding(s)")
    rule = next(rule for rule in run["tool"]["driver"]["rules"] if rule["id"] == "ric.checksum")
    assert "校验码不符" in rule["help"]["text"] and "check character" in rule["help"]["text"]
    missing = next(result for result in results if result["ruleId"] == "columns.missing_required")
    assert "region" not in missing["locations"][0]["physicalLocation"]
    assert run["properties"]["results_omitted"] == 0


def test_sarif_fingerprints_are_stable_per_place_and_hold_no_digits() -> None:
    """A fingerprint names a code in a column of a file, the same on every run; it is written in letters, so
    that no run of its characters can pass for an ID number (hexadecimal digits did, now and then)."""
    def fingerprints() -> list[str]:
        results = _sarif(penalty_report(files=("a.csv", "b.csv")))["runs"][0]["results"]
        return [result["partialFingerprints"]["creditstdLocation/v2"] for result in results
                if result["ruleId"] != "columns.missing_required"]

    prints = fingerprints()
    assert len(prints) == 8 and len(set(prints)) == 8 and fingerprints() == prints
    assert all(re.fullmatch("[a-p]{32}", fingerprint) for fingerprint in prints)


@given(st.binary(max_size=64))
def test_a_token_is_its_bytes_in_letters(data: bytes) -> None:
    from creditstd.reports._text import token

    text = token(data)
    assert re.fullmatch("[a-p]*", text) and full_id_numbers(text) == []
    assert bytes.fromhex(text.translate(str.maketrans("abcdefghijklmnop", "0123456789abcdef"))) == data


def test_sarif_results_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif_writer, "MAX_RESULTS", 3)
    run = _sarif(many_codes_report())["runs"][0]
    assert len(run["results"]) == 3 and run["properties"]["results_omitted"] == 42
    assert run["results"][0]["properties"]["count"] == 6  # the most common first


def test_sarif_uri_is_percent_encoded() -> None:
    # a backslash separates folders on Windows only; elsewhere it is a character of the name
    assert sarif_writer.artifact_uri("feeds\\处罚 #1.csv", windows=True) == "feeds/%E5%A4%84%E7%BD%9A%20%231.csv"
    assert sarif_writer.artifact_uri("feeds\\处罚 #1.csv", windows=False) == "feeds%5C%E5%A4%84%E7%BD%9A%20%231.csv"
    run = _sarif(penalty_report())["runs"][0]
    assert run["artifacts"][0]["location"]["uri"] == "feeds/penalties%202024.csv"


# -- html (static checks; the browser test is in test_reports_html.py)


def _csp_hashes(page: str) -> tuple[str, str]:
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)  # type: ignore[union-attr]
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)  # type: ignore[union-attr]
    digest = lambda text: "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()  # noqa: E731
    return digest(style), digest(script)


def test_html_is_self_contained_and_escapes_everything() -> None:
    page = render(penalty_report(), "html")
    assert page.count("<script") == 1 and page.count("<style") == 1
    assert not re.search(r"(?:src|href)\s*=", page, re.I)
    assert re.findall(r"https?://[^\s\"'<>]+", page) == ["http://www.w3.org/2000/svg"] * page.count("<svg")
    assert "@import" not in page and "url(" not in page
    assert SCRIPT not in page and "&lt;script&gt;document.documentElement" in page
    style_hash, script_hash = _csp_hashes(page)
    policy = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"',
                                     page).group(1))  # type: ignore[union-attr]
    assert f"style-src '{style_hash}'" in policy and f"script-src '{script_hash}'" in policy
    assert "default-src 'none'" in policy
    assert ACCOUNTING_EN in page and 'data-read="2001"' in page


def test_html_charts_have_a_bar_per_code_and_field() -> None:
    page = render(penalty_report(), "html", "en")
    assert re.findall(r'<g class="bar (?:error|warning)" data-label="([^"]+)" data-count="(\d+)"', page) == [
        ("ric.checksum", "667"), ("record.enum", "67"), ("rule.date_in_future", "20"), ("input.ragged", "1"),
        ("id_number", "667"), ("penalty_types", "67"), ("decision_date", "20")]
    assert '<html lang="en">' in page
    assert '<html lang="zh-CN">' in render(penalty_report(), "html", "zh")


def test_every_field_of_the_json_report_is_documented() -> None:
    page = Path(__file__).parents[1] / "docs" / "validation-report.md"
    if not page.exists():
        pytest.skip("docs/ is not copied next to the tests (wheel test run)")
    text = page.read_text(encoding="utf-8")
    names: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema())
    undocumented = sorted(name for name in names if not re.search(f"`{re.escape(name)}(\\[\\])?`", text))
    assert undocumented == []
