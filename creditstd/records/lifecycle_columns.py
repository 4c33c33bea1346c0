"""Lifecycles of a whole batch: what :func:`~creditstd.records.publication.lifecycle` gives row by row (with no
related records), as date arithmetic over columns.

A record's lifecycle on a day has two parts.  Which rule set and which rule judge it
(:func:`~creditstd.records.publication.choose_rule`): the rule set depends on the scope (sector, or the
authority's name reduced to the scope it names) and on the decision date only by the rule sets in force that
day, so it is chosen once per distinct combination of those; a rule's condition is evaluated over the whole
column, each clause (penalty types, fine, severity, procedure...) by
:func:`~creditstd.records.publication.holds` once per distinct cell of the one field it reads, ``all``,
``any`` and ``not`` as NumPy's logic, the first rule that holds deciding.  The dates (start, end, and so the
status on the day) depend on date cells that are almost all distinct, so they are computed for all rows at
once as day numbers: the start is the first of the rule set's start dates present, the end that date plus the
rule's period (once per distinct start day, calendar-wise through
:func:`~creditstd.records.publication.add_period`), or the rule's ``until`` date, lengthened to a later
restriction end; the status compares them with the day.

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
import json
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
    Selection,
    add_period,
    choose_rule,
    get_rule_set,
    holds,
    judging_rule_set,
    lifecycle,
    rule_parameters,
)

__all__ = ["lifecycle_texts"]

#: The statuses a lifecycle can have without related records, in the order of their numbers here.
_STATUSES = ("published", "pending", "not_published", "expired")
_PUBLISHED, _PENDING, _NOT_PUBLISHED, _EXPIRED = range(4)
_NO_END = NO_END.toordinal()
#: A missing date, as a day number.
_NONE = -1
#: The day number of 1970-01-01, NumPy's day 0.
_UNIX_DAY = date(1970, 1, 1).toordinal()


def _json(value: Any) -> str:
    return dumps_record(value, canonical=True)


@functools.cache
def _decision_days() -> np.ndarray:
    """The days on which some rule set comes into force or is repealed: a decision date matters to the choice
    of rule set only by where it falls among them."""
    days = {day for rule_set in loader.display_rules()["rule_sets"] for key in ("in_force", "repealed")
            if (day := iso_date(rule_set.get(key))) is not None}
    return np.array(sorted(day.toordinal() for day in days), np.int64)


def _dictionary(column: pa.Array) -> tuple[list[Any], np.ndarray]:
    """The distinct cells of a column and per row the number of its cell (-1: null)."""
    encoded = pc.dictionary_encode(column)
    return (encoded.dictionary.to_pylist(),
            np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False), np.int64))


def _day_numbers(class_name: str, key: str, texts: list[str]) -> np.ndarray:
    """The day number (proleptic ordinal) of each text as the record's date field reads it, or :data:`_NONE`."""
    return np.array([_day_number(class_name, key, text) for text in texts], np.int64)


@functools.lru_cache(maxsize=1 << 16)
def _day_number(class_name: str, key: str, text: str) -> int:
    day = iso_date(cell_decoder(class_name, key)(text))
    return _NONE if day is None else day.toordinal()


@functools.lru_cache(maxsize=1 << 14)
def _scope_number(name: str) -> int:
    """The number of the scope (of the rule sets' ``scopes``) whose ``authority_names`` an authority's name
    holds, -1 for none."""
    scopes = list(loader.display_rules().get("scopes", {}).values())
    return next((number for number, scope in enumerate(scopes)
                 if any(part in name for part in scope.get("authority_names", ()))), -1)


def _record_at(class_name: str, cells: Mapping[str, pa.Array], keys: list[str], row: int) -> dict[str, Any]:
    """The decoded values of fields ``keys`` at ``row`` (absent where the cell is null)."""
    record = {}
    for key in keys:
        text = cells[key][row].as_py()
        if text is not None:
            record[key] = cell_decoder(class_name, key)(text)
    return record


def _selection_codes(class_name: str, key: str, column: pa.Array) -> np.ndarray:
    """Per row a number standing for what the choice of rule set reads of a cell: the sector as it is, the
    authority's name by the scope it names, the decision date by the rule sets in force that day (below 0:
    a null cell, or not a date)."""
    texts, indices = _dictionary(column)
    if key == "authority":
        found = [_scope_number(name) for name in texts]
    elif record_class(class_name).fields[key].role == "decision_date":
        days = _day_numbers(class_name, key, texts)
        found = np.where(days == _NONE, -1, np.searchsorted(_decision_days(), days, side="right")).tolist()
    else:
        found = list(range(len(texts)))
    return np.array([*found, -2], np.int64)[indices]  # a null cell (-1) takes the last entry


def _selections(class_name: str, cells: Mapping[str, pa.Array], rows: int, on: date,
                rule_set: str | None) -> tuple[list[Selection], np.ndarray]:
    """The rule sets that judge the rows (:func:`~creditstd.records.publication.judging_rule_set`, once per
    distinct sector, scope of the authority and decision date's place among the rule sets' dates) and per row
    the number of its own."""
    cls = record_class(class_name)
    keys = [key for key, spec in sorted(cls.fields.items())
            if key in cells and rule_set is None and (key == "authority" or spec.role in ("sector", "decision_date"))]
    combined = np.zeros(rows, np.int64)
    span = 1  # the numbers of the combinations so far are below it
    for key in keys:  # the fields' numbers as the digits of one number, in mixed radix
        codes = _selection_codes(class_name, key, cells[key]) + 2  # from 0
        width = int(codes.max()) + 1
        if span * width >= 1 << 62:  # renumbered densely first, so that it cannot overflow
            _, combined = np.unique(combined, return_inverse=True)
            combined, span = combined.reshape(-1), rows
        combined, span = combined * width + codes, span * width
    _, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    selections = [judging_rule_set(_record_at(class_name, cells, keys, row), class_name, rule_set, on=on)
                  for row in first.tolist()]
    return selections, np.asarray(inverse).reshape(-1)


class _Conditions:
    """The rule conditions evaluated over every row of a batch: each clause that reads a field once per
    distinct cell of it (by :func:`~creditstd.records.publication.holds` itself), ``all``, ``any`` and ``not``
    as NumPy's logic."""

    def __init__(self, class_name: str, cells: Mapping[str, pa.Array], rows: int) -> None:
        self._class_name = class_name
        self._cls = record_class(class_name)
        self._cells = cells
        self._rows = rows
        self._clauses: dict[str, np.ndarray] = {}
        self._distinct: dict[str, tuple[list[Any], np.ndarray]] = {}

    def holds(self, condition: Mapping[str, Any], parameters: Mapping[str, Any]) -> np.ndarray:
        """Per row whether ``condition`` holds (all of its clauses)."""
        result = np.ones(self._rows, bool)
        for clause, argument in condition.items():
            if clause == "all":
                for part in argument:
                    result &= self.holds(part, parameters)
            elif clause == "any":
                either = np.zeros(self._rows, bool)
                for part in argument:
                    either |= self.holds(part, parameters)
                result &= either
            elif clause == "not":
                result &= ~self.holds(argument, parameters)
            elif clause in ("field_equals", "field_in") and isinstance(argument, Mapping):
                for role, value in argument.items():  # one role at a time: all of them must hold
                    result &= self._clause(clause, {role: value}, role, parameters)
            else:
                result &= self._clause(clause, argument, _ROLE_READ.get(clause), parameters)
        return result

    def _clause(self, clause: str, argument: Any, role: str | None, parameters: Mapping[str, Any]) -> np.ndarray:
        """Per row whether one clause reading field role ``role`` (None: no field) holds."""
        memo = json.dumps([clause, argument, parameters], sort_keys=True, ensure_ascii=False)
        if memo in self._clauses:
            return self._clauses[memo]
        spec = self._cls.field_by_role(role) if role else None
        absent = holds({clause: argument}, {}, self._cls, parameters)
        if spec is None or spec.key not in self._cells:
            found = np.full(self._rows, absent)
        else:
            if spec.key not in self._distinct:
                self._distinct[spec.key] = _dictionary(self._cells[spec.key])
            texts, indices = self._distinct[spec.key]
            each = [_clause_holds(self._class_name, spec.key, memo, text) for text in texts]
            found = np.array([*each, absent], bool)[indices]
        self._clauses[memo] = found
        return found


@functools.lru_cache(maxsize=1 << 16)
def _clause_holds(class_name: str, key: str, memo: str, text: str) -> bool:
    """Whether the clause ``memo`` (its JSON: clause, argument, parameters) holds for a record whose field
    ``key`` holds the cell ``text`` (remembered: batches repeat their penalty types, fines and severities)."""
    clause, argument, parameters = json.loads(memo)
    return holds({clause: argument}, {key: cell_decoder(class_name, key)(text)}, record_class(class_name),
                 parameters)


#: The field role each clause reads (``field_equals`` and ``field_in`` name theirs; ``param_true`` reads none).
_ROLE_READ = {"penalty_types_subset_of": "penalty_types", "penalty_types_intersect": "penalty_types",
              "fine_at_most": "fine_amount"}


def _choices(class_name: str, cells: Mapping[str, pa.Array], rows: int, on: date,
             rule_set: str | None) -> tuple[list[RuleChoice], np.ndarray]:
    """The rule choices of the rows (:func:`~creditstd.records.publication.choose_rule`: the rule set, then its
    first rule whose condition holds) and per row the number of its choice."""
    selections, selection_of = _selections(class_name, cells, rows, on, rule_set)
    conditions = _Conditions(class_name, cells, rows)
    choices: list[RuleChoice] = []
    choice_of = np.full(rows, -1, np.int64)
    rule_holds: dict[tuple[str, str], np.ndarray] = {}  # per rule set and rule: selections share rule sets
    # the rows of each selection together, in row order (a radix sort on 16 bits)
    order = np.argsort(selection_of.astype(np.uint16 if len(selections) <= 1 << 16 else np.int64), kind="stable")
    bounds = np.searchsorted(selection_of[order], np.arange(len(selections) + 1))
    for number, selection in enumerate(selections):
        members = order[bounds[number]:bounds[number + 1]]
        undecided = np.ones(len(members), bool)
        parameters = rule_parameters(selection.rule_set)
        for rule in selection.rule_set["rules"]:
            memo = (selection.rule_set["id"], rule["id"])
            if memo not in rule_holds:
                rule_holds[memo] = conditions.holds(rule["when"], parameters)
            hit = undecided & rule_holds[memo][members]
            if hit.any():
                choice_of[members[hit]] = len(choices)
                choices.append(RuleChoice(selection.rule_set, rule, selection.selected_by))
                undecided &= ~hit
        if undecided.any():  # no rule holds: the row path's error, whatever it is
            choose_rule(_record_at(class_name, cells, list(cells), int(members[np.flatnonzero(undecided)[0]])),
                        class_name, rule_set, on=on)
    return choices, choice_of


def _day_after(days: np.ndarray) -> np.ndarray:
    """The next day of each day number (:data:`_NONE` stays, the last representable day stays)."""
    return np.where((days == _NONE) | (days == _NO_END), days, days + 1)


def _plus_period(starts: np.ndarray, period: str) -> np.ndarray:
    """Each start day plus ``period`` (:func:`~creditstd.records.publication.add_period`, once per distinct
    day); :data:`_NONE` stays."""
    distinct, where = np.unique(starts, return_inverse=True)
    ends = np.array([_NONE if day == _NONE else _period_end(day, period) for day in distinct.tolist()], np.int64)
    return ends[where.reshape(-1)]


@functools.lru_cache(maxsize=1 << 16)
def _period_end(day: int, period: str) -> int:
    """The day number ``period`` after day number ``day`` (remembered: batches share their dates)."""
    return add_period(date.fromordinal(day), period).toordinal()


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
    return _rule_tail(choice.rule_set["id"], choice.rule["id"], status)


@functools.lru_cache(maxsize=1 << 12)
def _rule_tail(rule_set_id: str, rule_id: str, status: str) -> str:
    """:func:`_tail` of the rule ``rule_id`` of rule set ``rule_set_id`` (remembered: every batch repeats them)."""
    zh, en = STATUSES[status]
    rule = next(rule for rule in get_rule_set(rule_set_id)["rules"] if rule["id"] == rule_id)
    rest = {"reason_en": f"{en}: {rule['en']}", "reason_zh": f"{zh}：{rule['zh']}", "rule": rule_id,
            "rule_set": rule_set_id, "status": status}
    return "," + _json(rest)[1:]


def _day_texts(days: np.ndarray) -> pa.Array:
    """Each day number as its JSON value: the quoted ISO date, or ``null``.

    >>> _day_texts(np.array([date(2024, 2, 29).toordinal(), _NONE, 1, _NO_END])).to_pylist()
    ['"2024-02-29"', 'null', '"0001-01-01"', '"9999-12-31"']
    """
    count = len(days)
    text = np.full((count, 12), ord('"'), np.uint8)  # '"YYYY-MM-DD"', or 'null' in the first four bytes
    known = days != _NONE
    iso = (days[known] - _UNIX_DAY).astype("datetime64[D]").astype("S10")
    text[known, 1:11] = np.frombuffer(iso.tobytes(), np.uint8).reshape(-1, 10)
    text[~known, :4] = np.frombuffer(b"null", np.uint8)
    lengths = np.where(known, 12, 4).astype(np.int32)
    offsets = np.zeros(count + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])
    data = text.reshape(-1) if known.all() else text[np.arange(12) < lengths[:, None]]
    return pa.Array.from_buffers(pa.string(), count, [None, pa.py_buffer(offsets), pa.py_buffer(data.tobytes())])


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
        texts, indices = _dictionary(cells[spec.key])
        return np.append(_day_numbers(class_name, spec.key, texts), _NONE)[indices]

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
