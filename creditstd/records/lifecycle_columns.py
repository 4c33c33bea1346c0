"""Lifecycles of a whole batch: what :func:`~creditstd.records.publication.lifecycle` gives row by row (with no
related records), as date arithmetic over columns.

A record's lifecycle on a day has two parts.  Which rule set and which rule judge it
(:func:`~creditstd.records.publication.choose_rule`) depends on a few cells that take few distinct values: the
scope (sector, or the authority's name reduced to the scope it names), the decision date only by the rule sets
in force that day, the penalty types, the fine only by the thresholds the rules compare it with, and the
fields the rules' conditions name (severity, procedure).  So the rule is chosen once per distinct combination
of those, on the first row that has it.  The dates (start, end, and so the status on the day) depend on date
cells that are almost all distinct, so they are computed for all rows at once as day numbers: the start is the
first of the rule set's start dates present, the end that date plus the rule's period (once per distinct start
day, calendar-wise through :func:`~creditstd.records.publication.add_period`), or the rule's ``until`` date,
lengthened to a later restriction end; the status compares them with the day.

The result is each row's lifecycle as the canonical JSON an exchange record carries, byte for byte
``canonical_json(lifecycle(record, ...).to_json())`` (the tests hold the two equal on generated rows for every
rule set, scope, date and class).

>>> import pyarrow as pa
>>> from datetime import date
>>> cells = {'decision_date': pa.array(['2024-01-31', '2026-05-01', None]),
...          'penalty_types': pa.array(['罚款', '警告', None]),
...          'authority': pa.array(['某市市场监督管理局', '某市税务局', '某市税务局'])}
>>> import json
>>> for text in lifecycle_texts('administrative_penalty', cells, 3, on=date(2026, 6, 1)).to_pylist():
...     life = json.loads(text)
...     print(life['rule_set'], life['rule'], life['status'], life['display_from'], life['display_until'])
samr-order-45-2021 default published 2024-01-31 2027-01-31
ndrc-order-36-2025 minor not_published None None
ndrc-order-36-2025 general pending None None
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from creditstd.records import loader
from creditstd.records.decode import cell_decoder
from creditstd.records.formats import iso_date
from creditstd.records.jsonline import dumps_record
from creditstd.records.model import record_class
from creditstd.records.publication import (
    NO_END,
    STATUSES,
    RuleChoice,
    add_period,
    choose_rule,
    condition_clauses,
    condition_roles,
    lifecycle,
)

__all__ = ["lifecycle_texts"]

#: The statuses a lifecycle can have without related records, in the order of their numbers here.
_STATUSES = ("published", "pending", "not_published", "expired")
_PUBLISHED, _PENDING, _NOT_PUBLISHED, _EXPIRED = range(4)
_NO_END = NO_END.toordinal()
#: A missing date, as a day number.
_NONE = -1


def _json(value: Any) -> str:
    return dumps_record(value, canonical=True)


@functools.cache
def _fine_limits(class_name: str) -> tuple[str | None, np.ndarray | None]:
    """The fine field and the thresholds the rule sets compare fines with, or (None, None) when a fine cannot be
    reduced to where it falls among them (a rule reads the fine field otherwise)."""
    spec = record_class(class_name).field_by_role("fine_amount")
    if spec is None:
        return None, None
    limits: set[float] = set()
    for rule_set in loader.display_rules()["rule_sets"]:
        parameters = rule_set.get("parameters", {})
        for rule in rule_set["rules"]:
            for clause, argument in condition_clauses(rule["when"]):
                if clause in ("field_equals", "field_in") and "fine_amount" in argument:
                    return None, None
                if clause == "fine_at_most":
                    limit = parameters.get(argument["param"], {}).get("value") if isinstance(argument, dict) \
                        else argument
                    if isinstance(limit, (int, float)) and not isinstance(limit, bool):
                        limits.add(float(limit))
    return spec.key, np.array(sorted(limits), float)


@functools.cache
def _decision_days() -> np.ndarray:
    """The days on which some rule set comes into force or is repealed: a decision date matters to the choice
    of rule set only by where it falls among them."""
    days = {day for rule_set in loader.display_rules()["rule_sets"] for key in ("in_force", "repealed")
            if (day := iso_date(rule_set.get(key))) is not None}
    return np.array(sorted(day.toordinal() for day in days), np.int64)


@functools.cache
def _choice_fields(class_name: str) -> tuple[tuple[str, str], ...]:
    """The fields :func:`~creditstd.records.publication.choose_rule` reads, each with how its cells are reduced
    to what the choice reads of them: ``scope`` (the authority's name), ``fine``, ``decision`` (the decision
    date) or ``cell`` (as they are)."""
    cls = record_class(class_name)
    fine_key, limits = _fine_limits(class_name)
    roles = condition_roles()
    fields = []
    for key, spec in sorted(cls.fields.items()):
        if key == "authority":
            fields.append((key, "scope"))
        elif key == fine_key and limits is not None:
            fields.append((key, "fine"))
        elif spec.role in roles:
            fields.append((key, "cell"))
        elif spec.role == "decision_date":
            fields.append((key, "decision"))
    return tuple(fields)


def _codes(class_name: str, key: str, how: str, column: pa.Array) -> np.ndarray:
    """Per row a number standing for what the rule choice reads of the cell (-1 and below: a null cell)."""
    encoded = pc.dictionary_encode(column)
    indices = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False), np.int64)
    if how == "cell":
        return indices
    texts = encoded.dictionary.to_pylist()
    if how == "scope":
        scopes = list(loader.display_rules().get("scopes", {}).values())
        found = [next((number for number, scope in enumerate(scopes)
                       if any(part in name for part in scope.get("authority_names", ()))), -1) for name in texts]
    elif how == "fine":
        _, limits = _fine_limits(class_name)
        decode = cell_decoder(class_name, key)
        found = [int(np.searchsorted(limits, value)) if isinstance(value, (int, float))
                 and not isinstance(value, bool) else -1 for value in map(decode, texts)]
    else:  # the decision date: by the rule sets in force that day, or -1 when it is not a date
        days = _day_numbers(class_name, key, texts)
        found = np.where(days == _NONE, -1, np.searchsorted(_decision_days(), days, side="right")).tolist()
    return np.array([*found, -2], np.int64)[indices]  # a null cell (-1) takes the last entry


def _day_numbers(class_name: str, key: str, texts: list[str]) -> np.ndarray:
    """The day number (proleptic ordinal) of each text as the record's date field reads it, or :data:`_NONE`."""
    decode = cell_decoder(class_name, key)
    return np.array([day.toordinal() if (day := iso_date(decode(text))) is not None else _NONE for text in texts],
                    np.int64)


def _record_at(class_name: str, cells: Mapping[str, pa.Array], keys: list[str], row: int) -> dict[str, Any]:
    """The decoded values of fields ``keys`` at ``row`` (absent where the cell is null)."""
    record = {}
    for key in keys:
        text = cells[key][row].as_py()
        if text is not None:
            record[key] = cell_decoder(class_name, key)(text)
    return record


def _choices(class_name: str, cells: Mapping[str, pa.Array], rows: int, on: date,
             rule_set: str | None) -> tuple[list[RuleChoice], np.ndarray]:
    """The distinct rule choices of the rows, and per row the number of its choice."""
    fields = [(key, how) for key, how in _choice_fields(class_name) if key in cells]
    codes = [np.zeros(rows, np.int64)] + [_codes(class_name, key, how, cells[key]) for key, how in fields]
    _, first, inverse = np.unique(np.stack(codes, axis=1), axis=0, return_index=True, return_inverse=True)
    keys = [key for key, _ in fields]
    numbers: dict[tuple[str, str, str], int] = {}
    choices: list[RuleChoice] = []
    of_key = []
    for row in first.tolist():
        choice = choose_rule(_record_at(class_name, cells, keys, row), class_name, rule_set, on=on)
        number = numbers.setdefault((choice.rule_set["id"], choice.rule["id"], choice.selected_by), len(choices))
        if number == len(choices):
            choices.append(choice)
        of_key.append(number)
    return choices, np.array(of_key, np.int64)[np.asarray(inverse).reshape(-1)]


def _day_after(days: np.ndarray) -> np.ndarray:
    """The next day of each day number (:data:`_NONE` stays, the last representable day stays)."""
    return np.where((days == _NONE) | (days == _NO_END), days, days + 1)


def _plus_period(starts: np.ndarray, period: str) -> np.ndarray:
    """Each start day plus ``period`` (:func:`~creditstd.records.publication.add_period`, once per distinct
    day); :data:`_NONE` stays."""
    distinct, where = np.unique(starts, return_inverse=True)
    ends = np.array([_NONE if day == _NONE else add_period(date.fromordinal(day), period).toordinal()
                     for day in distinct.tolist()], np.int64)
    return ends[where.reshape(-1)]


def _window_days(choice: RuleChoice, dates: Callable[[str], np.ndarray], rows: np.ndarray,
                 on: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The start and end day numbers and the status numbers of ``rows``, all judged by ``choice``: as
    :func:`~creditstd.records.publication.publication_window` and the status of
    :func:`~creditstd.records.publication.lifecycle` compute them."""
    count = len(rows)
    none = np.full(count, _NONE, np.int64)
    rule = choice.rule
    if rule.get("publish", True) is False:
        return none, none, np.full(count, _NOT_PUBLISHED, np.int64)
    start = none
    for role in reversed(choice.rule_set["start"]):  # the first present, so the earlier roles last
        days = dates(role)[rows]
        start = np.where(days != _NONE, days, start)
    period = rule["period"]
    if "until" in period:
        end = dates(period["until"])[rows]
        if period.get("inclusive"):
            end = _day_after(end)
    else:
        end = _plus_period(start, period["max"])
        if "extend_to" in rule:
            restriction = _day_after(dates(rule["extend_to"])[rows])
            end = np.where((restriction != _NONE) & (restriction > end), restriction, end)
    end = np.where(start == _NONE, _NONE, end)
    status = np.where((start == _NONE) | (on < start), _PENDING,
                      np.where((end != _NONE) & (end != _NO_END) & (on >= end), _EXPIRED, _PUBLISHED))
    return start, end, status


def _tail(choice: RuleChoice, status: str) -> str:
    """The canonical JSON of a lifecycle from its first member after ``display_until`` (keys sort so), with
    the comma before it."""
    zh, en = STATUSES[status]
    rule = choice.rule
    rest = {"reason_en": f"{en}: {rule['en']}", "reason_zh": f"{zh}：{rule['zh']}", "rule": rule["id"],
            "rule_set": choice.rule_set["id"], "status": status}
    return "," + _json(rest)[1:]


def _day_texts(days: np.ndarray) -> pa.Array:
    """Each day number as its JSON value: the quoted ISO date, or ``null``."""
    distinct, where = np.unique(days, return_inverse=True)
    texts = ["null" if day == _NONE else f'"{date.fromordinal(day).isoformat()}"' for day in distinct.tolist()]
    return pa.array(texts, pa.string()).take(pa.array(where.reshape(-1)))


def lifecycle_texts(class_name: str, cells: Mapping[str, pa.Array], rows: int, *, on: date,
                    rule_set: str | None = None) -> pa.Array:
    """Per row the canonical JSON of its lifecycle on ``on`` under ``rule_set`` (default: the one chosen by
    each record), from the text cells of ``cells`` (as :func:`creditstd.records.plan.table_cells` gives them)."""
    if record_class(class_name).classification["display_rule"] is None or not rows:
        text = _json(lifecycle({}, class_name, on=on, rule_set=rule_set).to_json())
        return pa.array([text] * rows, pa.string())
    choices, choice_of = _choices(class_name, cells, rows, on, rule_set)
    cls = record_class(class_name)

    @functools.cache
    def dates(role: str) -> np.ndarray:
        spec = cls.field_by_role(role)
        if spec is None or spec.key not in cells:
            return np.full(rows, _NONE, np.int64)
        encoded = pc.dictionary_encode(cells[spec.key])
        days = _day_numbers(class_name, spec.key, encoded.dictionary.to_pylist())
        indices = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False), np.int64)
        return np.append(days, _NONE)[indices]

    start = np.full(rows, _NONE, np.int64)
    end = np.full(rows, _NONE, np.int64)
    tail = np.zeros(rows, np.int64)
    for number, choice in enumerate(choices):
        where = np.flatnonzero(choice_of == number)
        start[where], end[where], status = _window_days(choice, dates, where, on.toordinal())
        tail[where] = number * len(_STATUSES) + status
    tails = pa.array([_tail(choice, status) for choice in choices for status in _STATUSES], pa.string())
    return pc.binary_join_element_wise(f'{{"as_of":"{on.isoformat()}","display_from":', _day_texts(start),
                                       ',"display_until":', _day_texts(end), tails.take(pa.array(tail)), "")
