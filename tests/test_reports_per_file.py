"""Findings stay with their file in every report format, and the formats say where each one is.

* Two inputs whose names look the same once masked (daily exports with a 14-digit time stamp) stay two files:
  per-code counts, lines and examples per file, two SARIF results with distinct artifacts, JUnit suites that
  show only their own file's lines.
* SARIF artifact URIs never make a path separator of the ``\\uXXXX`` escape of an unprintable character, nor
  (off Windows) of a backslash in a name.
* GitHub annotations keep ``file=``/``line=`` when ``--max-errors`` leaves a code no example.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from urllib.parse import unquote_to_bytes

import numpy as np
import pyarrow as pa
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from creditstd.cli import main
from creditstd.findings import Finding, Location
from creditstd.records.duplicates import DuplicateFinding
from creditstd.records.export import write_csv
from creditstd.records.fake import fake_records
from creditstd.reports import Report, ReportBuilder, write_report
from creditstd.reports import github as github_writer
from creditstd.reports import sarif as sarif_writer
from creditstd.reports._text import clean
from creditstd.reports.jsonreport import validator

#: Two exports named by the ID number of the person they concern: masked alike, so both are shown alike.
FIRST, SECOND = "feeds/penalty_11010519491231002X.csv", "feeds/penalty_11010519500101002X.csv"
MASKED = "feeds/penalty_110105********002X.csv"
#: Lines of ``record.required`` findings in each file.
LINES = {FIRST: (3, 7), SECOND: (4,)}
TODAY = date(2026, 11, 1)


def render(report: Report, format: str, lang: str = "en", **options: object) -> str:
    out = io.StringIO()
    write_report(report, format, out, lang=lang, **options)
    return out.getvalue()


def _feed(builder: ReportBuilder, path: str, lines: tuple[int, ...], *, code: str = "record.required",
          rows: int = 8) -> None:
    builder.start_file(path, format="csv", encoding="utf-8", headers=["CF_WSH"],
                       mapping={"CF_WSH": "decision_number"}, missing=[])
    findings = [Finding(code, "必填", "is required", field="decision_number",
                        location=Location(path, line, column="CF_WSH")) for line in lines]
    numbers = np.arange(2, 2 + rows)
    builder.add_rows({"decision_number": pa.array(["京罚1号"] * rows)}, numbers,
                     np.array([int(line) not in lines for line in numbers]), findings)
    builder.end_file()


def _twin_report(**options: object) -> Report:
    builder = ReportBuilder(class_name="administrative_penalty", **options)  # type: ignore[arg-type]
    for path, lines in LINES.items():
        _feed(builder, path, lines)
    return builder.finish()


# -- F1: files shown alike once masked stay two files


def test_files_masked_alike_keep_their_own_counts_lines_and_examples() -> None:
    report = _twin_report(examples_per_code=1)
    first, second = (file.path for file in report.files)
    assert first != second and first.startswith(MASKED) and second.startswith(MASKED)
    assert (first, second) == (f"{MASKED} (#1)", f"{MASKED} (#2)")  # their position in the run
    code = report.code("record.required")
    assert code is not None
    assert dict(code.files) == {first: 2, second: 1}
    assert {place.file: place.lines for place in code.locations} == {first: (3, 7), second: (4,)}
    # every file gets its first example, whatever the cap per code
    assert [(example.file, example.line) for example in code.examples] == [(first, 3), (second, 4)]
    document = json.loads(render(report, "json"))
    assert validator().is_valid(document)
    assert [item["path"] for item in document["codes"][0]["files"]] == [first, second]
    text = render(report, "text")
    assert f"{first} [CF_WSH] lines: 3, 7" in text and f"{second} [CF_WSH] lines: 4" in text
    for format in ("text", "json", "junit", "sarif", "html"):
        assert "11010519491231002X" not in render(report, format) and "11010519500101002X" not in render(report, format)


def test_a_name_no_other_file_shares_is_shown_as_it_is() -> None:
    builder = ReportBuilder(class_name="administrative_penalty")
    _feed(builder, FIRST, (3,))
    _feed(builder, "feeds/other.csv", (4,))
    report = builder.finish()
    assert [file.path for file in report.files] == [MASKED, "feeds/other.csv"]
    code = report.code("record.required")
    assert code is not None and [example.file for example in code.examples] == [MASKED, "feeds/other.csv"]


def test_shown_paths_are_distinct_even_when_a_file_is_called_like_a_told_apart_one() -> None:
    builder = ReportBuilder(class_name="administrative_penalty")
    for path in (FIRST, SECOND, f"{MASKED} (#1)", FIRST):
        _feed(builder, path, (3,))
    report = builder.finish()
    paths = [file.path for file in report.files]
    assert len(set(paths)) == 4
    code = report.code("record.required")
    assert code is not None and sorted(path for path, _ in code.files) == sorted(paths)


def test_a_message_naming_another_file_names_it_as_the_report_shows_that_file() -> None:
    """A record.duplicate names the file where the record was first seen: with the twins, by the path of that
    file's own entry, (#1) included; in the same file, by its own path; a file the run never started, masked."""
    builder = ReportBuilder(class_name="administrative_penalty")
    _feed(builder, FIRST, (3,))
    builder.start_file(SECOND, format="csv", encoding="utf-8", headers=["CF_WSH"],
                       mapping={"CF_WSH": "decision_number"}, missing=[])

    def repeat(line: int, first: Location) -> DuplicateFinding:
        return DuplicateFinding.made(Location(SECOND, line), first, path="$", fields_zh="文号",
                                     fields_en="decision_number")

    findings = [repeat(2, Location(FIRST, 3)), repeat(3, Location(SECOND, 2)),
                repeat(4, Location("feeds/gone_11010519510101002X.csv", 9))]
    builder.add_rows({"decision_number": pa.array(["京罚1号"] * 3)}, np.array([2, 3, 4]), np.zeros(3, bool), findings)
    report = builder.finish()
    first, second = (file.path for file in report.files)
    code = report.code("record.duplicate")
    assert code is not None
    assert [(example.file, example.line, example.message_en) for example in code.examples] == [
        (second, 2, f"duplicate of the record at {first}, line 3: same identity fields (decision_number)"),
        (second, 3, f"duplicate of the record at {second}, line 2: same identity fields (decision_number)"),
        (second, 4, "duplicate of the record at feeds/gone_110105********002X.csv, line 9: same identity fields "
                    "(decision_number)")]
    assert code.examples[0].message_zh == f"与{first}第3行的记录重复：标识字段（文号）相同"
    for format in ("text", "json", "junit", "sarif", "html"):
        assert "11010519491231002X" not in render(report, format), format
    assert f"duplicate of the record at {first}, line 3" in render(report, "text")


def test_sarif_gives_each_such_file_its_own_result_artifact_and_lines() -> None:
    run = json.loads(render(_twin_report(), "sarif"))["runs"][0]
    artifacts = [artifact["location"]["uri"] for artifact in run["artifacts"]]
    assert len(set(artifacts)) == 2
    results = [result for result in run["results"] if result["ruleId"] == "record.required"]
    assert len(results) == 2
    lines = {}
    for result in results:
        where = result["locations"][0]["physicalLocation"]
        index = where["artifactLocation"]["index"]
        assert where["artifactLocation"]["uri"] == artifacts[index]
        lines[index] = (result["properties"]["lines"], where["region"]["startLine"], result["properties"]["count"])
    assert lines == {0: ([3, 7], 3, 2), 1: ([4], 4, 1)}


def test_junit_suites_show_only_their_own_files_lines() -> None:
    root = ET.fromstring(render(_twin_report(), "junit"))
    suites = root.findall("testsuite")
    assert len({suite.get("name") for suite in suites}) == 2
    bodies = []
    for suite in suites:
        case = next(case for case in suite.iter("testcase") if case.get("name", "").startswith("decision_number"))
        failure = case.find("failure")
        assert failure is not None and failure.text is not None
        bodies.append(failure.text)
        wheres = re.findall(r"^  (\S.*?) \[CF_WSH\]", failure.text, re.M)  # the examples' file:line
        assert wheres and all(where.startswith(suite.get("name", "") + ":") for where in wheres)
    assert "lines: 3, 7\n" in bodies[0] and "lines: 4\n" in bodies[1]
    assert "lines: 4" not in bodies[0] and "lines: 3" not in bodies[1]


def _export(path: Path, bad_lines: tuple[int, ...], *, seed: int) -> None:
    """A small valid penalty export whose authority USCC (``CF_CFJGDM``) is broken at ``bad_lines``."""
    records = [fake.record for fake in fake_records("administrative_penalty", 8, seed=seed, on=TODAY)]
    stream = io.StringIO()
    write_csv(records, "administrative_penalty", stream, headers="code")
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    column = rows[0].index("CF_CFJGDM")
    for line in bad_lines:
        cell = rows[line - 1][column]
        rows[line - 1][column] = cell[:-1] + ("0" if cell[-1] != "0" else "1")  # the check character wrong
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)


def test_the_command_keeps_two_daily_exports_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "feeds").mkdir()
    _export(tmp_path / FIRST, (3,), seed=1)
    _export(tmp_path / SECOND, (5, 6), seed=2)
    result = CliRunner().invoke(main, ["validate", FIRST, SECOND, "--class", "administrative_penalty",
                                       "--format", "sarif", "--on", TODAY.isoformat()])
    assert result.exit_code == 1, result.output
    run = json.loads(result.stdout)["runs"][0]
    artifacts = [artifact["location"]["uri"] for artifact in run["artifacts"]]
    assert len(set(artifacts)) == 2 and "11010519491231002X" not in result.stdout
    found = {}
    for item in run["results"]:
        if item["ruleId"] == "uscc.checksum" and item["properties"]["field"] == "authority_uscc":
            location = item["locations"][0]["physicalLocation"]["artifactLocation"]
            assert location["uri"] == artifacts[location["index"]]
            found[location["index"]] = item["properties"]["lines"]
    assert found == {0: [3], 1: [5, 6]}


# -- F7: SARIF artifact URIs


def test_an_escape_in_a_file_name_never_becomes_a_folder() -> None:
    builder = ReportBuilder(class_name="administrative_penalty")
    _feed(builder, os.fsdecode(b"f7/bad\xffname.csv"), (3,))  # a name that is not UTF-8
    _feed(builder, "f7/\x1b[31mred.csv", (3,))
    _feed(builder, "f7/a\\b.csv", (3,))  # a backslash in a POSIX name
    run = json.loads(render(builder.finish(), "sarif"))["runs"][0]
    uris = [artifact["location"]["uri"] for artifact in run["artifacts"]]
    backslash = "f7/a/b.csv" if os.name == "nt" else "f7/a%5Cb.csv"
    assert uris == ["f7/bad%FFname.csv", "f7/%1B%5B31mred.csv", backslash]
    assert sorted(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                  for result in run["results"]) == sorted(uris)
    assert all(re.fullmatch(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*", uri) for uri in uris)


def test_a_backslash_separates_folders_on_windows_only() -> None:
    assert sarif_writer.artifact_uri("a\\b.csv", windows=False) == "a%5Cb.csv"
    assert sarif_writer.artifact_uri("a\\b.csv", windows=True) == "a/b.csv"
    # an escape stays one character on Windows as well; a backslash before text that is no escape separates
    assert sarif_writer.artifact_uri("d\\bad\\udcffname.csv", windows=True) == "d/bad%FFname.csv"
    assert sarif_writer.artifact_uri("d\\u0041.csv", windows=True) == "d/u0041.csv"
    assert sarif_writer.artifact_uri("d\\u0041.csv", windows=False) == "d%5Cu0041.csv"


_NAME_CHARS = st.one_of(
    st.characters(exclude_categories=["Cs"], exclude_characters="/\\"),
    st.integers(0x80, 0xFF).map(lambda byte: chr(0xDC00 + byte)),  # a byte that was not UTF-8 (surrogateescape)
)


@given(st.lists(_NAME_CHARS, min_size=1, max_size=40).map("".join), st.booleans())
def test_a_file_name_is_one_uri_segment_that_gives_its_bytes_back(name: str, windows: bool) -> None:
    uri = sarif_writer.artifact_uri(clean(name), windows=windows)  # the name as the report shows it
    assert "/" not in uri
    assert unquote_to_bytes(uri) == name.encode("utf-8", "surrogateescape")


# -- F8: GitHub annotations keep the location without examples


def _annotations(report: Report) -> list[str]:
    return [line for line in github_writer.annotations(report, "en") if line.startswith("::error")]


@pytest.mark.parametrize("max_errors", [0, 1])
def test_annotations_keep_file_and_line_when_no_example_is_kept(max_errors: int) -> None:
    builder = ReportBuilder(class_name="administrative_penalty", max_errors=max_errors)
    builder.start_file("a.csv", format="csv", encoding="utf-8", headers=["CF_WSH"],
                       mapping={"CF_WSH": "decision_number"}, missing=[])
    findings = [Finding("record.required", "必填", "is required", field="decision_number",
                        location=Location("a.csv", line, column="CF_WSH")) for line in (5, 6, 9)]
    findings += [Finding("rule.fine_needs_amount", "须填罚款金额", "a fine needs an amount",
                         location=Location("a.csv", 4))]
    builder.add_rows({"decision_number": pa.array([""] * 8)}, np.arange(2, 10), np.zeros(8, bool), findings)
    builder.end_file()
    commands = _annotations(builder.finish())
    assert len(commands) == 2
    assert commands[0].startswith("::error file=a.csv,line=5,title=record.required ×3::")
    assert commands[1].startswith("::error file=a.csv,line=4,title=rule.fine_needs_amount ×1::")


def test_without_examples_an_annotation_is_at_the_first_file_where_the_code_was_found() -> None:
    builder = ReportBuilder(class_name="administrative_penalty", max_errors=0)
    _feed(builder, "a.csv", (8,))
    _feed(builder, "b.csv", (3, 4, 5))  # more findings, but a later file
    commands = _annotations(builder.finish())
    assert commands == [next(command for command in commands if "title=record.required" in command)]
    assert commands[0].startswith("::error file=a.csv,line=8,title=record.required ×4::")
