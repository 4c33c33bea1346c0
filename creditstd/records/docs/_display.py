"""Display rules in words: which rule sets serve a class, durations, conditions and display periods.

The display rule sets (how long a record stays published) use ISO 8601
durations and a small condition language over field roles; these functions
turn both into short bilingual text for the class and display-rule pages.

>>> duration_text("P1Y6M"), duration_text("P3M"), duration_text("soon")
('1年6个月 / 1 year, 6 months', '3个月 / 3 months', 'soon')
>>> when_text({"all": [{"fine_at_most": 10}, {"field_equals": {"subject_category": "自然人"}}]})
'(fine ≤ 10 and [subject_category] = 自然人)'
>>> period_text({"period": {"min": "P3M", "max": "P3Y"}})
'min 3个月 / 3 months; max 3年 / 3 years'
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from creditstd.records import loader
from creditstd.records.docs._fields import value_text
from creditstd.records.docs._model import NONE
from creditstd.records.model import RecordClass


def rule_sets_for(cls: RecordClass) -> list[dict[str, Any]]:
    """The display rule sets that apply to a class (by its kind of display rule)."""
    kind = cls.classification.get("display_rule")
    if kind is None:
        return []
    sets = loader.display_rules().get("rule_sets", ())
    return [rule_set for rule_set in sets if kind in rule_set.get("applies_to", ())]


_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$")


def duration_text(period: str) -> str:
    """An ISO 8601 duration in words: ``P3M`` -> ``3个月 / 3 months``."""
    match = _DURATION.match(period or "")
    if not match or period == "P":
        return str(period)
    years, months, days = (int(part) if part else 0 for part in match.groups())
    zh = "".join(f"{n}{unit}" for n, unit in ((years, "年"), (months, "个月"), (days, "日")) if n)
    en = ", ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in ((years, "year"), (months, "month"),
                                                                          (days, "day")) if n)
    return f"{zh} / {en}"


def when_text(condition: Any) -> str:
    """The condition language of the display rule sets, in words."""
    if not isinstance(condition, dict):
        return json.dumps(condition, ensure_ascii=False)
    if not condition:
        return "其他情况 / otherwise"
    parts = []
    for clause, argument in condition.items():
        if clause in ("all", "any") and isinstance(argument, list):
            joiner = " and " if clause == "all" else " or "
            parts.append("(" + joiner.join(when_text(part) for part in argument) + ")")
        elif clause == "not":
            parts.append(f"not {when_text(argument)}")
        elif clause == "penalty_types_subset_of":
            parts.append(f"penalty types only from {{{'、'.join(map(str, argument))}}}")
        elif clause == "penalty_types_intersect":
            parts.append(f"penalty types include any of {{{'、'.join(map(str, argument))}}}")
        elif clause == "fine_at_most":
            limit = f"parameter {argument['param']}" if isinstance(argument, dict) else str(argument)
            parts.append(f"fine ≤ {limit}")
        elif clause == "field_equals" and isinstance(argument, dict):
            parts.append(" and ".join(f"[{role}] = {value_text(value)}" for role, value in argument.items()))
        elif clause == "field_in" and isinstance(argument, dict):
            parts.append(" and ".join(f"[{role}] ∈ {{{', '.join(map(value_text, values))}}}"
                                      for role, values in argument.items()))
        else:
            parts.append(json.dumps({clause: argument}, ensure_ascii=False))
    return " and ".join(parts)


def period_text(rule: Mapping[str, Any]) -> str:
    if rule.get("publish") is False:
        return "不予公示 / not published"
    period = rule.get("period") or {}
    parts = []
    if "min" in period:
        parts.append(f"min {duration_text(period['min'])}")
    if "max" in period:
        parts.append(f"max {duration_text(period['max'])}")
    if "until" in period:
        parts.append(f"until [{period['until']}]")
    if "extend_to" in rule:
        parts.append(f"extended to [{rule['extend_to']}] if later")
    return "; ".join(parts) or NONE
