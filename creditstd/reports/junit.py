"""The JUnit XML report: one test suite per file, one test case per catalogue field, for CI test views.

Why per field rather than per code: CI test views (GitLab's test report,
Jenkins, Azure DevOps) list the test cases of a suite, passing and failing;
with one case per field every mapped column shows up, green or red, and the
list is the same from run to run, so a column that starts failing is easy to
spot.  The codes of a field are in its failure: the message counts them, the
body gives each code's title, first lines and examples.

Each suite (``name`` = the file's path) holds, in this order:

* ``columns``: fails when required catalogue fields have no column;
* ``rows``: the accounting line (``N rows read = V valid + R rejected``);
  fails when a row was rejected;
* one case per field (``uscc · 统一社会信用代码 / unified social credit code``):
  fails when a finding about the field is an error (or a warning, with
  ``fail_on`` warning);
* ``record``: findings about no field (unreadable rows, record-level rules).

Suite properties carry the class, encoding and the row counts; the suite's
``system-out`` the accounting line.  Text is escaped by the XML serializer;
characters XML 1.0 cannot carry never reach it (see
:func:`~creditstd.reports._text.clean`).

>>> import io
>>> from creditstd.reports.builder import ReportBuilder
>>> builder = ReportBuilder(class_name='administrative_penalty')
>>> builder.start_file('a.csv', format='csv', encoding='utf-8', headers=['CF_WSH'],
...                    mapping={'CF_WSH': 'decision_number'}, missing=['violation_type'])
>>> out = io.StringIO(); write_junit(builder.finish(), out, lang='en')
>>> print(out.getvalue().splitlines()[1])
<testsuites name="creditstd validate" tests="4" failures="1" errors="0" skipped="0" time="0">
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TextIO

from creditstd.reports._text import number, pick
from creditstd.reports.model import CodeSummary, FieldSummary, FileReport, Report

__all__ = ["write_junit"]

_EXAMPLES = 5  # examples per code in a failure's body


def _case(suite: ET.Element, classname: str, name: str, file: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", {"classname": classname, "name": name, "file": file, "time": "0"})


def _fail(case: ET.Element, message: str, kind: str, body: str) -> None:
    failure = ET.SubElement(case, "failure", {"message": message, "type": kind})
    failure.text = body


def _code_lines(report: Report, file: FileReport, codes: tuple[tuple[str, int], ...], field: str | None,
                lang: str) -> list[str]:
    """Body lines for the codes of one field (or of no field) in one file: title, first lines, examples."""
    lines = []
    for code_name, count in codes:
        code: CodeSummary | None = report.code(code_name)
        if code is None:
            continue
        lines.append(f"{code.code} ×{number(count)}: {code.title(lang)}")
        first = [line for place in code.locations if place.file == file.path and place.field == field
                 for line in place.lines]
        if first:
            lines.append("  " + pick(lang, "行", "lines", " / ") + ": " + ", ".join(map(str, first[:20]))
                         + (" …" if len(first) > 20 or count > len(first) else ""))
        shown = [example for example in code.examples if example.file == file.path and example.field == field]
        for example in shown[:_EXAMPLES]:
            column = f" [{example.column}]" if example.column else ""
            value = f" {example.value!r}" if example.value is not None else ""
            lines.append(f"  {example.where}{column} {example.path}{value}: {example.message(lang)}")
    return lines


def _field_case(report: Report, file: FileReport, field: FieldSummary, suite: ET.Element, classname: str,
                lang: str) -> bool:
    name = f"{field.key} · {pick(lang, field.title_zh, field.title_en, ' / ')}"
    case = _case(suite, classname, name, file.path)
    failing = field.errors > 0 or (report.fail_on == "warning" and field.findings > 0)
    if field.findings:
        counts = "; ".join(f"{code} ×{number(count)}" for code, count in field.codes)
        body = "\n".join(_code_lines(report, file, field.codes, field.key, lang))
        if failing:
            _fail(case, f"{number(field.findings)} " + pick(lang, "个问题", "findings") + f": {counts}",
                  field.codes[0][0], body)
        else:
            ET.SubElement(case, "system-out").text = counts + "\n" + body
    return failing


def _suite(report: Report, file: FileReport, root: ET.Element, lang: str) -> tuple[int, int]:
    suite = ET.SubElement(root, "testsuite", {"name": file.path, "time": "0", "errors": "0", "skipped": "0"})
    properties = ET.SubElement(suite, "properties")
    for key, value in (("class", report.class_name or ""), ("format", file.format), ("encoding", file.encoding or ""),
                       ("rows_read", str(file.rows.read)), ("rows_valid", str(file.rows.valid)),
                       ("rows_rejected", str(file.rows.rejected)), ("rows_unreadable", str(file.rows.unreadable)),
                       *((("sheet", file.sheet),) if file.sheet is not None else ()),
                       *((("merged_cells", ", ".join(file.merged)),) if file.merged else ())):
        ET.SubElement(properties, "property", {"name": key, "value": value})
    classname = file.path.replace(".", "_")  # Jenkins splits a class name at its last dot
    tests = failures = 0

    case = _case(suite, classname, pick(lang, "列", "columns", " / "), file.path)
    tests += 1
    unknown = ", ".join(file.unknown_columns)
    if file.missing_fields:
        failures += 1
        missing = ", ".join(file.missing_fields)
        _fail(case, pick(lang, "缺少必填字段", "missing required fields", " / ") + f": {missing}",
              "columns.missing_required", pick(lang, "未知列", "unknown columns", " / ") + f": {unknown or '–'}")
    elif unknown:
        ET.SubElement(case, "system-out").text = pick(lang, "未知列", "unknown columns", " / ") + f": {unknown}"

    case = _case(suite, classname, pick(lang, "行", "rows", " / "), file.path)
    tests += 1
    accounting = file.rows.accounting(lang)
    if file.rows.rejected:
        failures += 1
        _fail(case, accounting, "rows.rejected", accounting)
    elif report.fail_when_empty and not file.rows.valid:  # creditstd convert: a run that converts nothing fails
        failures += 1
        _fail(case, accounting, "rows.none_valid", accounting)
    else:
        ET.SubElement(case, "system-out").text = accounting

    for field in file.fields:
        tests += 1
        failures += _field_case(report, file, field, suite, classname, lang)

    record_codes = {code: count for code, count in file.codes}
    for field in file.fields:
        for code, count in field.codes:
            record_codes[code] -= count
    codes = tuple((code, count) for code, count in record_codes.items() if count > 0)
    case = _case(suite, classname, pick(lang, "记录", "record", " / "), file.path)
    tests += 1
    record_errors = file.errors - sum(field.errors for field in file.fields)
    record_findings = sum(count for _, count in codes)
    if codes:
        counts = "; ".join(f"{code} ×{number(count)}" for code, count in codes)
        body = "\n".join(_code_lines(report, file, codes, None, lang))
        if record_errors > 0 or report.fail_on == "warning":
            failures += 1
            _fail(case, f"{number(record_findings)} " + pick(lang, "个问题", "findings") + f": {counts}",
                  codes[0][0], body)
        else:
            ET.SubElement(case, "system-out").text = counts + "\n" + body

    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    ET.SubElement(suite, "system-out").text = accounting
    # ElementTree keeps attribute order as set: put tests/failures before time for readers that care
    suite.attrib = {key: suite.attrib[key] for key in ("name", "tests", "failures", "errors", "skipped", "time")}
    return tests, failures


def write_junit(report: Report, stream: TextIO, *, lang: str = "both") -> None:
    """Write ``report`` as JUnit XML (see the module docstring for the suites and cases)."""
    root = ET.Element("testsuites", {"name": "creditstd validate"})
    tests = failures = 0
    for file in report.files:
        suite_tests, suite_failures = _suite(report, file, root, lang)
        tests += suite_tests
        failures += suite_failures
    root.attrib = {"name": "creditstd validate", "tests": str(tests), "failures": str(failures), "errors": "0",
                   "skipped": "0", "time": "0"}
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")
