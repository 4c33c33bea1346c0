"""Cross-field rules JSON Schema cannot express, as a small set of named, parametrised checks.

A class lists the rules it applies in ``x-rules``, e.g.
``{"rule": "date_not_after", "field": "decision_date", "other": "publication_end"}``.
Each rule is a pure function ``(record, params, today) -> iterator of
(field, code, message_zh, message_en)``; it only looks at values that are
well-typed (type and format errors are the schema's to report).

>>> from datetime import date
>>> list(RULES['date_not_after']({'decision_date': '2024-05-02', 'publication_end': '2024-05-01'},
...                              {'field': 'decision_date', 'other': 'publication_end'}, date(2025, 1, 1)))
[('decision_date', 'rule.date_not_after', ...)]
>>> list(RULES['orgcode_in_uscc']({'uscc': '914403001922038216', 'orgcode': '19220382-1'},
...                               {'uscc': 'uscc', 'orgcode': 'orgcode'}, date(2025, 1, 1)))
[]
>>> params = {'scheme': 'scheme', 'grade': 'grade', 'date': 'evaluation_date'}
>>> list(RULES['grade_by_date']({'scheme': 'customs', 'grade': 'regular', 'evaluation_date': '2026-04-01'},
...                             params, date(2026, 12, 1)))
[]
>>> [finding[:2] for finding in RULES['grade_by_date'](
...     {'scheme': 'customs', 'grade': 'regular', 'evaluation_date': '2026-03-31'}, params, date(2026, 12, 1))]
[('grade', 'rule.grade_by_date')]
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from creditstd.codes import uscc
from creditstd.codes._text import compact
from creditstd.records import loader
from creditstd.records.formats import iso_date

__all__ = ["RULES", "Finding", "GradeTable", "grade_table"]

Finding = tuple[str, str, str, str]  # field, code, message_zh, message_en


def _date(value: object) -> date | None:
    return iso_date(value)


def date_not_after(record: Mapping[str, Any], params: Mapping[str, str], today: date) -> Iterator[Finding]:
    """``field`` must not be later than ``other`` (a field, or ``today``)."""
    first = _date(record.get(params["field"]))
    if first is None:
        return
    if params["other"] == "today":
        if first > today:
            yield (params["field"], "rule.date_in_future", "日期晚于今天", "the date is in the future")
        return
    second = _date(record.get(params["other"]))
    if second is not None and first > second:
        yield (params["field"], "rule.date_not_after", f"不应晚于字段“{params['other']}”",
               f"must not be later than {params['other']}")


def orgcode_in_uscc(record: Mapping[str, Any], params: Mapping[str, str], today: date) -> Iterator[Finding]:
    """The organisation-code field must equal positions 9-17 of the USCC field."""
    code, org = record.get(params["uscc"]), record.get(params["orgcode"])
    if not isinstance(code, str) or not isinstance(org, str):
        return
    try:
        code, org = compact(code), compact(org)
    except ValueError:
        return
    if len(code) == 18 and code != uscc.PLACEHOLDER and len(org) == 9 and code[8:17] != org:
        yield (params["orgcode"], "rule.orgcode_in_uscc", "组织机构代码与统一社会信用代码第9–17位不一致",
               "the organisation code differs from positions 9-17 of the unified social credit code")


@dataclass(frozen=True)
class GradeTable:
    """The grades of a rating scheme in force from ``valid_from`` (inclusive) to ``valid_to`` (exclusive).

    ``None`` at either end is open.  ``document`` names the rule that set the table.
    """

    scheme: str
    valid_from: date | None
    valid_to: date | None
    document: str
    verified: bool
    grades: tuple[str, ...]
    names: tuple[str, ...] = ()

    def name(self, grade: str) -> str | None:
        """The Chinese name of ``grade`` in this table, or None."""
        return self.names[self.grades.index(grade)] if grade in self.grades[:len(self.names)] else None


@functools.cache
def _grade_tables() -> dict[str, tuple[GradeTable, ...]]:
    """Scheme code -> its dated grade tables, oldest first (taxonomy ``credit_grade_schemes``, ``grade_tables``)."""
    schemes = loader.taxonomy()["code_tables"]["credit_grade_schemes"]["values"]
    return {scheme["code"]: tuple(sorted(
        (GradeTable(scheme["code"], iso_date(table["valid_from"]), iso_date(table["valid_to"]), table["document"],
                    table["verified"], tuple(grade["code"] for grade in table["grades"]),
                    tuple(grade["zh"] for grade in table["grades"]))
         for table in scheme["grade_tables"]), key=lambda table: table.valid_from or date.min))
        for scheme in schemes if scheme.get("grade_tables")}


def grade_table(scheme: object, day: date | None) -> GradeTable | None:
    """The grade table of ``scheme`` in force on ``day``; None for a scheme without dated tables.

    A day before the earliest table's start gets the earliest table; no day at all
    (the rating's date is missing or malformed) gets the table in force now.

    >>> grade_table('customs', date(2026, 3, 31)).grades
    ('advanced_certified', 'general', 'dishonest')
    >>> grade_table('customs', date(2026, 4, 1)).grades
    ('advanced_certified', 'certified', 'regular', 'dishonest', 'seriously_dishonest')
    >>> grade_table('customs', date(2010, 1, 1)).valid_to, grade_table('tax', date(2024, 1, 1))
    (datetime.date(2021, 11, 1), None)
    """
    tables = _grade_tables().get(scheme) if isinstance(scheme, str) else None
    if not tables:
        return None
    if day is None:
        day = date.today()
    for table in tables:
        if (table.valid_from is None or table.valid_from <= day) and (table.valid_to is None or day < table.valid_to):
            return table
    return tables[0] if tables[0].valid_from is not None and day < tables[0].valid_from else tables[-1]


def grade_by_date(record: Mapping[str, Any], params: Mapping[str, str], today: date) -> Iterator[Finding]:
    """The grade must be one of the scheme's grade table in force on the rating's date (schemes with dated tables)."""
    grade = record.get(params["grade"])
    if not isinstance(grade, str):
        return
    table = grade_table(record.get(params["scheme"]), _date(record.get(params["date"])))
    if table is None or grade in table.grades:
        return
    start, end = table.valid_from, table.valid_to
    zh_span = (f"自{start.isoformat()}起" if start else "") + (f"至{end.isoformat()}前" if end else "")
    en_span = " ".join(part for part in (f"from {start.isoformat()}" if start else "",
                                         f"until {end.isoformat()}" if end else "") if part)
    yield (params["grade"], "rule.grade_by_date",
           f"评价方案“{table.scheme}”{zh_span}适用的等级表（{table.document}）中没有该等级；"
           f"评价日期须落在该表施行期间内，可选：{'、'.join(table.grades)}",
           f"the {table.scheme} scheme's grade table in force {en_span} has no such grade for "
           f"a rating of that date; choose from {', '.join(table.grades)}")


#: Rule name -> check.
RULES: dict[str, Callable[[Mapping[str, Any], Mapping[str, str], date], Iterator[Finding]]] = {
    "date_not_after": date_not_after,
    "orgcode_in_uscc": orgcode_in_uscc,
    "grade_by_date": grade_by_date,
}
