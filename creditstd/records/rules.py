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
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any

from creditstd.codes import uscc
from creditstd.codes._text import compact
from creditstd.records.formats import iso_date

__all__ = ["RULES", "Finding"]

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


#: Rule name -> check.
RULES: dict[str, Callable[[Mapping[str, Any], Mapping[str, str], date], Iterator[Finding]]] = {
    "date_not_after": date_not_after,
    "orgcode_in_uscc": orgcode_in_uscc,
}
