"""Reports built by hand for the report tests: findings made here, no reader or validation core involved.

:func:`penalty_report` feeds a :class:`ReportBuilder` the way ``creditstd
validate`` does: a file of administrative penalties in batches, every third
row with a wrong citizen ID number (the finding's value masked, as the core
gives it), every thirtieth row (starting with the second) with a penalty
type outside the code table (an HTML script, by default) and a valid ID
number in its raw cell, which must never reach a report; a warning every 100
rows, one unreadable row.  The tests in this module check
the fixture itself, so that the other tests can rely on its numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from creditstd.codes import ric
from creditstd.findings import Finding, Location
from creditstd.reports import Report, ReportBuilder

PATH = "feeds/penalties 2024.csv"
#: A valid citizen ID number (GB 11643's own example) held raw in the id_number cells of the fixture.
RAW_ID = "11010519491231002X"
#: A wrong one: the cells of every third row; the findings carry its masked form only.
WRONG_ID = "110105194912310021"
HEADERS = ["行政相对人名称", "CF_XDR_SHXYM", "证件号码", "处罚类别", "备注"]
MAPPING = {"行政相对人名称": "subject_name", "CF_XDR_SHXYM": "uscc", "证件号码": "id_number",
           "处罚类别": "penalty_types", "备注": None}
SCRIPT = "<script>document.documentElement.setAttribute('data-pwned','script')</script>"
IMG = "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">"


def id_finding(line: int, path: str = PATH) -> Finding:
    return Finding("ric.checksum", "字段“证件号码（CF_XDR_ZJHM）”：校验码不符，应为“X”",
                   "field id_number (CF_XDR_ZJHM): check character does not match: expected 'X'",
                   path="$.id_number", field="id_number", field_code="CF_XDR_ZJHM", kind="citizen_id", position=18,
                   value=ric.mask(WRONG_ID), location=Location(path, line, column="证件号码"))


def enum_finding(line: int, value: str, path: str = PATH) -> Finding:
    return Finding("record.enum", "字段“处罚类别（CF_CFLB）”取值不在代码表内",
                   "field penalty_types (CF_CFLB) is not in the code table",
                   path="$.penalty_types[0]", field="penalty_types", field_code="CF_CFLB", value=value,
                   location=Location(path, line, column="处罚类别"))


def future_warning(line: int, path: str = PATH) -> Finding:
    return Finding("rule.date_in_future", "决定日期晚于今天", "the decision date is in the future",
                   path="$.decision_date", field="decision_date", severity="warning",
                   location=Location(path, line))


def feed_penalties(builder: ReportBuilder, *, rows: int = 2000, batch: int = 500, path: str = PATH,
                   bad_type: str = SCRIPT, unreadable: bool = True,
                   missing: Sequence[str] = ("decision_number",)) -> None:
    """One file of ``rows`` rows (see the module docstring); the first line of data is line 2."""
    builder.start_file(path, format="csv", encoding="gb18030", headers=HEADERS, mapping=MAPPING,
                       missing=list(missing), title="2024年行政处罚")
    for start in range(0, rows, batch):
        numbers = np.arange(start, min(start + batch, rows))
        lines = numbers + 2
        names = [f"张三{i}" for i in numbers]
        ids = [WRONG_ID if i % 3 == 0 else RAW_ID for i in numbers]
        uscc = [f"91350100M{i:08d}X" for i in numbers]
        kinds = [bad_type if i % 30 == 1 else ("罚款" if i % 4 else "警告") for i in numbers]
        valid = (numbers % 3 != 0) & (numbers % 30 != 1)
        findings: list[Finding] = []
        for i, line in zip(numbers.tolist(), lines.tolist(), strict=True):
            if i % 3 == 0:
                findings.append(id_finding(line, path))
            if i % 30 == 1:
                findings.append(enum_finding(line, bad_type, path))
            if i % 100 == 0:
                findings.append(future_warning(line, path))
        builder.add_rows({"subject_name": pa.array(names), "uscc": pa.array(uscc), "id_number": pa.array(ids),
                          "penalty_types": pa.array(kinds)}, lines, valid, findings)
    if unreadable:
        builder.add_rejected_row(Finding("input.ragged", "第9999行列数不符",
                                         "line 9999 has the wrong number of cells", location=Location(path, 9999)))
    builder.end_file()


def penalty_report(*, rows: int = 2000, show_pii: bool = False, max_errors: int | None = 1000,
                   fail_on: str = "error", files: Sequence[str] = (PATH,), **feed: object) -> Report:
    reason = ("由表头推断：5列中4列匹配", "inferred from the headers: 4 of 5 columns match")
    builder = ReportBuilder(class_name="administrative_penalty", class_reason=reason,
                            strict=False, max_errors=max_errors, show_pii=show_pii, rule_set=None,
                            fail_on=fail_on)  # type: ignore[arg-type]
    for path in files:
        feed_penalties(builder, rows=rows, path=path, **feed)  # type: ignore[arg-type]
    return builder.finish()


def clean_report() -> Report:
    """A file with no finding at all: everything valid, exit status 0."""
    builder = ReportBuilder(class_name="administrative_penalty", class_reason=("由 --class 指定", "given with --class"))
    builder.start_file("ok.csv", format="csv", encoding="utf-8", headers=["CF_XDR_SHXYM", "处罚类别"],
                       mapping={"CF_XDR_SHXYM": "uscc", "处罚类别": "penalty_types"}, missing=[])
    builder.add_rows({"uscc": pa.array(["91350100M000100Y43"] * 3),
                      "penalty_types": pa.array(["罚款", "警告", "罚款"])},
                     np.array([2, 3, 4]), np.array([True, True, True]), [])
    builder.end_file()
    return builder.finish()


def test_fixture_numbers() -> None:
    report = penalty_report()
    file = report.files[0]
    # rows 0, 3, 6... (667) and 1, 31, 61... (67) are invalid, and the unreadable row
    assert (file.rows.read, file.rows.valid, file.rows.rejected, file.rows.unreadable) == (2001, 1266, 735, 1)
    assert dict(file.codes) == {"ric.checksum": 667, "record.enum": 67, "rule.date_in_future": 20, "input.ragged": 1}
    assert (file.errors, file.warnings) == (735, 20)
    assert report.exit_status == 1


def test_clean_fixture() -> None:
    report = clean_report()
    assert report.exit_status == 0 and report.codes == () and report.files[0].rows.valid == 3
