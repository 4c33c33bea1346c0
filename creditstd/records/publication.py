"""Display periods: when a record is published, until when, and on which basis.

A rule set (``catalogue/display_rules.json``) is a list of rules; the first
rule whose condition holds for the record decides.  A rule either says the
record is not published, or gives a period: ``max`` (and ``min``, before
which publication cannot end early) as ISO 8601 durations from the start
date, or ``until`` a date field of the record (``inclusive`` when that date
is the last day shown, as a validity end is); ``extend_to`` lengthens the
period to a longer restriction, whose end date is likewise the last day
shown.  The start is the first date the rule set's ``start`` list finds in
the record (by field role).

Which rule set: the caller may name one (``rule_set=``), and it is used as
named, whatever the record's date.  Otherwise :func:`select_rule_set` picks
it from the record:

1. The *scope*.  A rule set may be limited to a scope of deciding
   authorities (``scope``; the catalogue's ``scopes``).  SAMR Order 45 governs
   only the penalties of market-regulation and drug-regulation authorities
   (Art. 2 and 18): a penalty is theirs when its sector (the field of role
   ``sector``, a taxonomy sector code) is one of the scope's ``sectors``, or,
   when the record names no sector, when its deciding authority's name (field
   ``authority``) contains one of the scope's ``authority_names``
   (``市场监督管理``, ``市场监管``, ``药品监督管理``).  A record naming another
   sector, or no sector and another authority, is judged by the general rule
   sets (the NDRC's, without a scope).
2. The *date*: the record's decision date (field role ``decision_date``).
   A rule set is in force from ``in_force`` (inclusive, null: always was)
   until ``repealed`` (exclusive, null: still is); where two of the scope are
   in force that day, the later one decides.  General penalties: NDRC 2019
   No. 527 before 2023-05-01, Order 58 from 2023-05-01, Order 36 from
   2026-04-01.  Market and drug regulators: Order 45 from 2021-09-01, with
   SAMR's credit repair measures from 2025-12-25.
3. No rule set of the scope in force on the decision date (a market penalty
   of 2020): the general rule sets are asked.  A date before every general
   rule set came into force: the earliest of them.  No decision date (missing
   or not a date): the rule set in force on ``on`` (default today).

:attr:`Window.selected_by` says which of these applied (``caller``,
``decision_date``, ``general``, ``earliest``, ``on``).

The convention: the start day is shown; a window's ``end`` is exclusive (the
first day no longer shown); a validity or restriction end date in a record
is the last day shown, so the window ends the day after it; months are added
calendar-wise and clamped to the month's end.

Dates run from 0001-01-01 to 9999-12-31 (:data:`datetime.date.max`).  A
computed end beyond that is clamped to ``date.max``, which means "no end"
(:data:`NO_END`): a record valid until 9999-12-31 is shown for good, and no
window computation ever raises on a date a record can hold.  The rule
conditions look only at well-typed values, so a record of any shape gets a
window (validate it to learn what is wrong with it).

>>> from datetime import date, timedelta
>>> record = {'penalty_types': ['罚款'], 'fine_amount': 0.2, 'decision_date': '2024-01-31',
...           'valid_until': '2024-01-31', 'authority': '福州市市场监督管理局'}
>>> window = publication_window(record, 'administrative_penalty')
>>> window.rule_set, window.selected_by, window.rule, window.start, window.end
('samr-order-45-2021', 'decision_date', 'default', datetime.date(2024, 1, 31), datetime.date(2027, 1, 31))
>>> tax = {**record, 'authority': '国家税务总局福州市税务局', 'sector': 'tax'}
>>> publication_window(tax, 'administrative_penalty').rule_set
'ndrc-order-58-2023'
>>> [publication_window({**tax, 'decision_date': day}, 'administrative_penalty').rule_set
...  for day in ('2023-04-30', '2023-05-01', '2026-03-31', '2026-04-01')]
['ndrc-2019-527', 'ndrc-order-58-2023', 'ndrc-order-58-2023', 'ndrc-order-36-2025']
>>> window = publication_window(record, 'administrative_penalty', 'ndrc-2019-527')
>>> window.selected_by, window.rule, window.min_end, window.end
('caller', 'general', datetime.date(2024, 4, 30), datetime.date(2025, 1, 31))
>>> is_displayable(record, 'administrative_penalty', on=date(2025, 1, 30), rule_set='ndrc-2019-527')
True
>>> is_displayable(record, 'administrative_penalty', on=date(2025, 1, 31), rule_set='ndrc-2019-527')
False

Severity under Order 36 (role ``severity``): 轻微 is not published, 一般 is
shown 3 months to 1 year, 严重 1 to 3 years; the older feeds' 较重 counts as
一般, and an unknown severity (未定, vendor code ``0``, absent) as 一般, or as
轻微 for a penalty of the simplified procedure or a warning or notice of
criticism alone:

>>> order36 = {**tax, 'decision_date': '2026-04-01'}
>>> for level in ('严重', '较重'):
...     w = publication_window({**order36, 'severity': level}, 'administrative_penalty')
...     print(w.rule, w.min_end, w.end)
serious 2027-04-01 2029-04-01
general 2026-07-01 2027-04-01
>>> publication_window({**order36, 'penalty_types': ['警告']}, 'administrative_penalty').published
False
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from creditstd.exceptions import CatalogueError
from creditstd.records import loader
from creditstd.records.formats import iso_date
from creditstd.records.model import RecordClass, record_class

__all__ = [
    "DISPLAYED_STATUSES",
    "NO_END",
    "SELECTIONS",
    "STATUSES",
    "Lifecycle",
    "RuleChoice",
    "Selection",
    "Window",
    "add_period",
    "choose_rule",
    "condition_clauses",
    "condition_roles",
    "date_roles",
    "get_rule_set",
    "holds",
    "in_force",
    "is_displayable",
    "judging_rule_set",
    "lifecycle",
    "lifecycle_reads",
    "publication_window",
    "rule_parameters",
    "select_rule_set",
]

_PERIOD = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$")
#: The end of a window that never ends: computed ends past the last representable day are clamped to it.
NO_END = date.max


def _day_after(day: date) -> date:
    """The next day, or :data:`NO_END` for the last representable day (never an OverflowError)."""
    return day if day == NO_END else day + timedelta(days=1)


def add_period(start: date, period: str) -> date:
    """Add an ISO 8601 duration of years, months and days, clamping to the month's end.

    A result after 9999-12-31 is clamped to :data:`NO_END` (``date.max``).

    >>> add_period(date(2024, 8, 31), 'P6M'), add_period(date(2024, 2, 29), 'P1Y')
    (datetime.date(2025, 2, 28), datetime.date(2025, 2, 28))
    >>> add_period(date(9999, 12, 31), 'P3Y'), add_period(date(9999, 12, 30), 'P2D')
    (datetime.date(9999, 12, 31), datetime.date(9999, 12, 31))
    """
    match = _PERIOD.fullmatch(period)
    if not match or period == "P":
        raise ValueError(f"not an ISO 8601 period of years/months/days: {period!r}")
    years, months, days = (int(part or 0) for part in match.groups())
    month_index = start.month - 1 + months + 12 * years
    year, month = start.year + month_index // 12, month_index % 12 + 1
    if year > NO_END.year:
        return NO_END
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date.fromordinal(min(date(year, month, day).toordinal() + days, NO_END.toordinal()))


@dataclass(frozen=True)
class Window:
    """The display window of one record under one rule set."""

    rule_set: str
    rule: str
    published: bool
    start: date | None
    min_end: date | None
    end: date | None
    early_end_allowed: bool
    reason_zh: str
    reason_en: str
    verified: bool
    #: how the rule set was chosen: one of :data:`SELECTIONS`
    selected_by: str = "caller"

    def contains(self, on: date) -> bool:
        """Displayed on ``on``: published, started, and not yet ended (an open end, or :data:`NO_END`, never ends)."""
        if not self.published or self.start is None or on < self.start:
            return False
        return not _ended(self.end, on)


def _ended(end: date | None, on: date) -> bool:
    """Whether a display ending (exclusively) on ``end`` is over on ``on``; None and :data:`NO_END` never end."""
    return end is not None and end != NO_END and on >= end


def get_rule_set(rule_set_id: str | None = None, kind: str | None = None) -> dict[str, Any]:
    """The rule set ``rule_set_id``; by default the catalogue's default, or else the first that serves ``kind``.

    This ignores dates and scopes: to judge a record, let :func:`publication_window`
    (:func:`select_rule_set`) choose.
    """
    rules = loader.display_rules()
    wanted = rule_set_id or rules["default"]
    if rule_set_id is None and kind is not None:
        serving = [candidate["id"] for candidate in rules["rule_sets"] if kind in candidate["applies_to"]]
        if serving and wanted not in serving:
            wanted = serving[0]
    for candidate in rules["rule_sets"]:
        if candidate["id"] == wanted:
            return candidate
    ids = ", ".join(candidate["id"] for candidate in rules["rule_sets"])
    shown = loader.quoted_name(wanted)
    raise CatalogueError("catalogue.unknown_rule_set",
                         f"没有公示规则集{'“' + shown + '”' if shown else '（名称不合规范）'}；可用：{ids}",
                         f"no display rule set {repr(shown) if shown else 'of that name'}; choose from {ids}")


#: How :func:`select_rule_set` chose a rule set (:attr:`Window.selected_by`), in Chinese and English.
SELECTIONS: dict[str, tuple[str, str]] = {
    "caller": ("由调用方指定", "named by the caller"),
    "decision_date": ("决定日期时有效的规则集", "the rule set in force on the decision date"),
    "general": ("决定日期时本领域规则集尚未施行，适用当时有效的通用规则集",
                "no rule set of the scope was in force on the decision date: the general one then in force"),
    "earliest": ("决定日期早于所有规则集的施行日期，适用最早的规则集",
                 "the decision predates every rule set: the earliest"),
    "on": ("记录无决定日期，适用查询日有效的规则集", "no decision date: the rule set in force on the day asked about"),
}


@dataclass(frozen=True)
class Selection:
    """The rule set :func:`select_rule_set` chose, and how (a key of :data:`SELECTIONS`)."""

    rule_set: Mapping[str, Any]
    selected_by: str
    scope: str | None


def in_force(rule_set: Mapping[str, Any], day: date) -> bool:
    """Whether ``rule_set`` is in force on ``day``: from ``in_force`` (inclusive) until ``repealed`` (exclusive).

    >>> order36 = get_rule_set('ndrc-order-36-2025')
    >>> in_force(order36, date(2026, 3, 31)), in_force(order36, date(2026, 4, 1))
    (False, True)
    >>> order58 = get_rule_set('ndrc-order-58-2023')
    >>> in_force(order58, date(2026, 3, 31)), in_force(order58, date(2026, 4, 1))
    (True, False)
    """
    start, end = iso_date(rule_set.get("in_force")), iso_date(rule_set.get("repealed"))
    return (start is None or start <= day) and (end is None or day < end)


def _scope_of(record: Mapping[str, Any], cls: RecordClass, scopes: Mapping[str, Any]) -> str | None:
    """The scope whose sectors hold the record's sector or, with no sector, whose authority names its authority's."""
    sector = _by_role(record, cls, "sector")
    if isinstance(sector, str) and sector:
        return next((name for name, scope in scopes.items() if sector in scope.get("sectors", ())), None)
    authority = record.get("authority") if isinstance(record, Mapping) and "authority" in cls.fields else None
    if isinstance(authority, str):
        return next((name for name, scope in scopes.items()
                     if any(part in authority for part in scope.get("authority_names", ()))), None)
    return None


def select_rule_set(record: Mapping[str, Any], class_name: str, *, on: date | None = None) -> Selection:
    """The rule set that judges ``record``: by its scope and decision date (see the module's docstring).

    >>> penalty = {'decision_date': '2025-12-24', 'authority': '福州市市场监督管理局'}
    >>> choice = select_rule_set(penalty, 'administrative_penalty')
    >>> choice.rule_set['id'], choice.selected_by, choice.scope
    ('samr-order-45-2021', 'decision_date', 'market_regulation')
    >>> select_rule_set({**penalty, 'decision_date': '2025-12-25'}, 'administrative_penalty').rule_set['id']
    'samr-credit-repair-2025'
    >>> choice = select_rule_set({**penalty, 'decision_date': '2021-08-31'}, 'administrative_penalty')
    >>> choice.rule_set['id'], choice.selected_by
    ('ndrc-2019-527', 'general')
    >>> choice = select_rule_set({'authority': '某市税务局'}, 'administrative_penalty', on=date(2026, 12, 1))
    >>> choice.rule_set['id'], choice.selected_by
    ('ndrc-order-36-2025', 'on')
    """
    cls = record_class(class_name)
    return _select(record, cls, _display_kind(cls, class_name), on)


def _display_kind(cls: RecordClass, class_name: str) -> str:
    """The display rule kind of ``cls``; raises CatalogueError for a class with no display period."""
    kind = cls.classification["display_rule"]
    if kind is None:
        raise CatalogueError("catalogue.no_display_rule", f"“{cls.zh}”不设公示期",
                             f"{class_name} has no display period")
    return kind


def _select(record: Mapping[str, Any], cls: RecordClass, kind: str, on: date | None) -> Selection:
    """:func:`select_rule_set` for a class already looked up and checked (``kind``: its display rule kind)."""
    catalogue = loader.display_rules()
    serving = [rule_set for rule_set in catalogue["rule_sets"] if kind in rule_set["applies_to"]]
    scope = _scope_of(record, cls, catalogue.get("scopes", {}))
    decision = _date_by_role(record, cls, "decision_date")
    day = decision or on or date.today()
    general = [rule_set for rule_set in serving if not rule_set.get("scope")] or serving
    chains = ([[rule_set for rule_set in serving if rule_set.get("scope") == scope]] if scope else []) + [general]
    for number, chain in enumerate(chains):
        live = [rule_set for rule_set in chain if in_force(rule_set, day)]
        if live:
            chosen = max(live, key=lambda rule_set: iso_date(rule_set.get("in_force")) or date.min)
            how = "on" if decision is None else "general" if scope and number else "decision_date"
            return Selection(chosen, how, scope)
    earliest = min(general, key=lambda rule_set: iso_date(rule_set.get("in_force")) or date.min)
    return Selection(earliest, "earliest" if decision else "on", scope)


def _by_role(record: Mapping[str, Any], cls: RecordClass, role: str) -> Any:
    spec = cls.field_by_role(role)
    return record.get(spec.key) if spec and isinstance(record, Mapping) else None


def _date_by_role(record: Mapping[str, Any], cls: RecordClass, role: str) -> date | None:
    return iso_date(_by_role(record, cls, role))


def _text_set(value: Any) -> set[str]:
    """The strings of a list (a record's penalty types); anything else, or any other item, counts as none."""
    return {item for item in value if isinstance(item, str)} if isinstance(value, list) else set()


def holds(condition: Mapping[str, Any], record: Mapping[str, Any], cls: RecordClass,
          parameters: Mapping[str, Any]) -> bool:
    """Whether ``record`` meets a rule's ``condition``: the small condition language of the rule sets (all
    clauses of one object must hold; ``all``, ``any`` and ``not`` combine conditions; the other clauses read
    one field role each, ``param_true`` a parameter only)."""
    for clause, argument in condition.items():
        if clause == "all":
            ok = all(holds(part, record, cls, parameters) for part in argument)
        elif clause == "any":
            ok = any(holds(part, record, cls, parameters) for part in argument)
        elif clause == "not":
            ok = not holds(argument, record, cls, parameters)
        elif clause == "penalty_types_subset_of":
            types = _text_set(_by_role(record, cls, "penalty_types"))
            ok = bool(types) and types <= set(argument)
        elif clause == "penalty_types_intersect":
            ok = bool(_text_set(_by_role(record, cls, "penalty_types")) & set(argument))
        elif clause == "fine_at_most":
            limit = parameters.get(argument["param"], {}).get("value") if isinstance(argument, dict) else argument
            fine = _by_role(record, cls, "fine_amount")
            ok = (limit is not None and isinstance(fine, (int, float)) and not isinstance(fine, bool)
                  and fine <= limit)
        elif clause == "field_equals":
            ok = all(_by_role(record, cls, role) == value for role, value in argument.items())
        elif clause == "field_in":
            ok = all(_by_role(record, cls, role) in values for role, values in argument.items())
        elif clause == "param_true":
            ok = parameters.get(argument, {}).get("value") is True
        else:
            raise CatalogueError("catalogue.rule_clause", f"未知的规则条件“{clause}”",
                                 f"unknown rule clause {clause!r}")
        if not ok:
            return False
    return True


@dataclass(frozen=True)
class RuleChoice:
    """The rule set and the rule that judge a record, and how the rule set was chosen (a key of
    :data:`SELECTIONS`): all of its :class:`Window` but the dates, which :func:`publication_window` then reads
    from the record."""

    rule_set: Mapping[str, Any]
    rule: Mapping[str, Any]
    selected_by: str


def judging_rule_set(record: Mapping[str, Any], class_name: str, rule_set_id: str | None = None, *,
                     on: date | None = None) -> Selection:
    """The rule set that judges ``record``: the one named (``selected_by`` ``caller``), or the one
    :func:`select_rule_set` chooses; raises CatalogueError when it does not serve the class's kind of display
    period.  Of the record it reads only the scope and the decision date."""
    cls = record_class(class_name)
    kind = _display_kind(cls, class_name)
    if rule_set_id is None:
        selection = _select(record, cls, kind, on)
    else:
        selection = Selection(get_rule_set(rule_set_id, kind), "caller",
                              _scope_of(record, cls, loader.display_rules().get("scopes", {})))
    chosen = selection.rule_set
    if kind not in chosen["applies_to"]:
        raise CatalogueError(
            "catalogue.rule_set_not_applicable",
            f"公示规则集“{chosen['id']}”不适用于“{cls.zh}”",
            f"display rule set {chosen['id']!r} does not apply to {class_name}",
        )
    return selection


def rule_parameters(rule_set: Mapping[str, Any], parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The parameters a rule set's conditions read: its own, with the values of ``parameters`` over them."""
    merged = {name: dict(spec) for name, spec in rule_set.get("parameters", {}).items()}
    for name, value in (parameters or {}).items():
        merged.setdefault(name, {})["value"] = value
    return merged


def choose_rule(record: Mapping[str, Any], class_name: str, rule_set_id: str | None = None, *,
                parameters: Mapping[str, Any] | None = None, on: date | None = None) -> RuleChoice:
    """The rule set (:func:`judging_rule_set`) and its first rule whose condition holds for ``record``;
    arguments as :func:`publication_window`'s.  It reads the record's scope, decision date (only by the rule
    sets in force that day), penalty types, fine and the fields the conditions name (:func:`condition_roles`),
    never the dates a window starts or ends by.

    >>> choice = choose_rule({'penalty_types': ['警告'], 'sector': 'tax'}, 'administrative_penalty',
    ...                      on=date(2026, 12, 1))
    >>> choice.rule_set['id'], choice.rule['id'], choice.selected_by
    ('ndrc-order-36-2025', 'minor', 'on')
    """
    cls = record_class(class_name)
    selection = judging_rule_set(record, class_name, rule_set_id, on=on)
    merged = rule_parameters(selection.rule_set, parameters)
    rule = next(rule for rule in selection.rule_set["rules"] if holds(rule["when"], record, cls, merged))
    return RuleChoice(selection.rule_set, rule, selection.selected_by)


def publication_window(record: Mapping[str, Any], class_name: str, rule_set_id: str | None = None, *,
                       parameters: Mapping[str, Any] | None = None, on: date | None = None) -> Window:
    """The display window of ``record`` (of ``class_name``) under a rule set.

    ``rule_set_id`` names the rule set; by default :func:`select_rule_set`
    chooses it by the record's scope and decision date (``on``, default today,
    only serves a record without a decision date).  ``parameters`` overrides
    the rule set's parameters, e.g. ``{'low_fine_threshold': 1}`` (万元) where
    a provincial regulator has set one.
    """
    cls = record_class(class_name)
    choice = choose_rule(record, class_name, rule_set_id, parameters=parameters, on=on)
    chosen, rule = choice.rule_set, choice.rule
    start = next((day for role in chosen["start"] if (day := _date_by_role(record, cls, role))), None)
    common = {"rule_set": chosen["id"], "rule": rule["id"], "reason_zh": rule["zh"], "reason_en": rule["en"],
              "verified": chosen["verified"] and rule.get("basis", {}).get("verified", True),
              "selected_by": choice.selected_by}
    if rule.get("publish", True) is False:
        return Window(published=False, start=None, min_end=None, end=None, early_end_allowed=False, **common)
    period = rule["period"]
    end = min_end = None
    if start is not None:
        if "until" in period:
            end = _date_by_role(record, cls, period["until"])
            if end and period.get("inclusive"):  # "valid to 12-31" means displayed on 12-31 too
                end = _day_after(end)
        else:
            end = add_period(start, period["max"])
            restriction = _date_by_role(record, cls, rule["extend_to"]) if "extend_to" in rule else None
            if restriction and _day_after(restriction) > end:  # the restriction's last day is shown too
                end = _day_after(restriction)
        min_end = add_period(start, period["min"]) if "min" in period else None
    severe = _text_set(_by_role(record, cls, "penalty_types")) & set(chosen.get("no_early_end", []))
    early = bool(rule.get("early_end", False)) and not severe
    return Window(published=True, start=start, min_end=min_end, end=end, early_end_allowed=early, **common)


def is_displayable(record: Mapping[str, Any], class_name: str, *, record_id: str | None = None, related: Any = (),
                   on: date | None = None, rule_set: str | None = None,
                   parameters: Mapping[str, Any] | None = None) -> bool:
    """Whether ``record`` is displayed on ``on`` (default today): :attr:`Lifecycle.displayed` of :func:`lifecycle`.

    It takes what :func:`lifecycle` takes (the related objections and credit
    repairs that refer to ``record_id``), so the two always agree: a granted
    repair ends display, a pending objection leaves an open window displayed
    (marked, not removed).  ``rule_set`` defaults to the one
    :func:`select_rule_set` chooses.  A class without a display period is
    displayed unless repaired.
    """
    return lifecycle(record, class_name, record_id=record_id, related=related, on=on, rule_set=rule_set,
                     parameters=parameters).displayed


#: The display statuses a record can have, in Chinese and English.
STATUSES: dict[str, tuple[str, str]] = {
    "published": ("公示中", "published"),
    "pending": ("待公示", "not yet published"),
    "not_published": ("不予公示", "not published"),
    "objected": ("异议处理中", "under objection"),
    "repaired": ("已修复", "repaired: display ended"),
    "expired": ("公示期满", "display period over"),
}

#: The statuses in which a record is displayed; ``objected`` is displayed only while its window is open
#: (:attr:`Lifecycle.displayed`).
DISPLAYED_STATUSES: frozenset[str] = frozenset({"published", "objected"})


@dataclass(frozen=True)
class Lifecycle:
    """The display status of a record on a date, and why."""

    status: str
    on: date
    window: Window | None
    reason_zh: str
    reason_en: str

    @property
    def displayed(self) -> bool:
        """Whether the record is shown on :attr:`on`: ``published``, or ``objected`` while its window is open (an
        objection marks the record, it does not remove it); a class without a display period has no window."""
        if self.status not in DISPLAYED_STATUSES:
            return False
        return self.status == "published" or self.window is None or self.window.contains(self.on)

    def to_json(self) -> dict[str, Any]:
        """The ``lifecycle`` member of an exchange record."""
        window = self.window
        return {
            "status": self.status,
            "as_of": self.on.isoformat(),
            "rule_set": window.rule_set if window else None,
            "rule": window.rule if window else None,
            "display_from": window.start.isoformat() if window and window.start else None,
            "display_until": window.end.isoformat() if window and window.end else None,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
        }


def _effects(related: Any, record_id: str | None, on: date) -> dict[str, date]:
    """Effect -> date, for the related records that refer to ``record_id`` and are in force on ``on``.

    A class's ``x-references`` says which field refers to the other record,
    which field values make the effect active (``when``) and from which date
    field it applies (``from``).
    """
    effects: dict[str, date] = {}
    for item in related or ():
        data = item.get("data") if isinstance(item, Mapping) else None
        if not isinstance(data, Mapping) or not isinstance(item.get("class"), str):
            continue  # not an exchange record: it refers to nothing
        reference = record_class(item["class"]).references
        if not reference or not record_id or data.get(reference["field"]) != record_id:
            continue
        if any(data.get(key) != value for key, value in reference["when"].items()):
            continue
        since = iso_date(data.get(reference["from"]))
        if since is not None and since <= on:
            effects[reference["effect"]] = min(since, effects.get(reference["effect"], since))
    return effects


def lifecycle_reads(class_name: str) -> tuple[str, ...]:
    """The fields of a record :func:`lifecycle` reads (given no related records): those that play a role
    (decision date, penalty types, sector, fine, the dates a window starts or ends by) and the authority's name
    (its scope).  Records equal on these fields have the same lifecycle on the same day, so a batch derives it
    once per distinct combination (:mod:`creditstd.records.exchange_lines`).

    >>> lifecycle_reads('administrative_penalty')[:3]
    ('authority', 'decision_date', 'fine_amount')
    """
    cls = record_class(class_name)
    roles = _roles_read()
    return tuple(sorted(key for key, spec in cls.fields.items() if spec.role in roles or key == "authority"))


def _roles_read() -> frozenset[str]:
    """Every field role the rule sets and this module read: the conditions' (:func:`condition_roles`), the
    decision date (:func:`_select`) and the dates a window starts or ends by (:func:`date_roles`)."""
    return condition_roles() | {"decision_date"} | date_roles()


def condition_roles() -> frozenset[str]:
    """The field roles :func:`choose_rule` reads besides the decision date: the fixed ones (:func:`_scope_of`,
    :func:`holds`) and those the rules' ``field_equals`` and ``field_in`` name.

    >>> sorted(condition_roles())
    ['fine_amount', 'penalty_types', 'procedure', 'sector', 'severity']
    """
    roles = {"sector", "penalty_types", "fine_amount"}
    for rule_set in loader.display_rules()["rule_sets"]:
        for rule in rule_set["rules"]:
            roles.update(role for clause, argument in condition_clauses(rule["when"])
                         if clause in ("field_equals", "field_in") for role in argument)
    return frozenset(roles)


def date_roles() -> frozenset[str]:
    """The field roles whose dates a window starts or ends by (the rule sets' ``start``, ``until``,
    ``extend_to``), which :func:`choose_rule` never reads.

    >>> sorted(date_roles())
    ['decision_date', 'inclusion_date', 'publication_date', 'removal_date', 'restriction_end', 'valid_from']
    """
    roles: set[str] = set()
    for rule_set in loader.display_rules()["rule_sets"]:
        roles.update(rule_set.get("start", ()))
        for rule in rule_set["rules"]:
            roles.update(role for role in (rule.get("period", {}).get("until"), rule.get("extend_to")) if role)
    return frozenset(roles)


def condition_clauses(condition: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every clause of a rule's condition (see :func:`holds`) with its argument, through ``all``, ``any`` and
    ``not``.

    >>> list(condition_clauses({'any': [{'fine_at_most': 1}, {'not': {'param_true': 'x'}}]}))
    [('fine_at_most', 1), ('param_true', 'x')]
    """
    for clause, argument in condition.items():
        if clause in ("all", "any"):
            for part in argument:
                yield from condition_clauses(part)
        elif clause == "not":
            yield from condition_clauses(argument)
        else:
            yield clause, argument


def lifecycle(record: Mapping[str, Any], class_name: str, *, record_id: str | None = None, related: Any = (),
              on: date | None = None, rule_set: str | None = None,
              parameters: Mapping[str, Any] | None = None) -> Lifecycle:
    """Derive the display status of ``record`` on ``on`` from the rule set and related records.

    ``related`` holds exchange records (``{'class': ..., 'data': ...}``) of
    objections and credit repairs; those whose reference field equals
    ``record_id`` act on the status as their class's ``x-references`` says: a
    pending objection marks it (``objected``); a granted repair in force ends
    display (``repaired``), but only where the window allows an early end,
    and never before the window's minimum period (display stops on the later
    of the repair's effective date and ``min_end``).  Where early end is not
    allowed (SAMR: 吊销许可证件, 责令停产停业...), the status stays as the
    window says and the reason mentions the refused repair.  Classes with no
    display rule are ``published`` (or ``repaired``, ``objected``).
    """
    on = on or date.today()
    cls = record_class(class_name)
    effects = _effects(related, record_id, on)
    if cls.classification["display_rule"] is None:
        if "repaired" in effects:
            stopped = effects["repaired"].isoformat()
            return Lifecycle("repaired", on, None, f"已于{stopped}修复，停止公示",
                             f"credit repaired: display ended on {stopped}")
        if "objected" in effects:
            since = effects["objected"].isoformat()
            return Lifecycle("objected", on, None, f"自{since}起异议处理中", f"under objection since {since}")
        return Lifecycle("published", on, None, "该类信息不设公示期", "this class has no display period")
    window = publication_window(record, class_name, rule_set, parameters=parameters, on=on)
    note_zh = note_en = ""
    if "repaired" in effects and window.published and window.start is not None:
        if window.early_end_allowed:
            stop = max(effects["repaired"], window.min_end or effects["repaired"])
            if window.end is None or stop < window.end:
                window = dataclasses.replace(window, end=stop)
                if _ended(stop, on):
                    day = stop.isoformat()
                    return Lifecycle("repaired", on, window, f"已修复，于{day}停止公示",
                                     f"credit repaired: display ended on {day}")
                note_zh = f"；已准予信用修复，最短公示期满后于{stop.isoformat()}停止公示"
                note_en = f"; credit repair granted: display ends on {stop.isoformat()}, after the minimum period"
        else:
            note_zh = "；已准予信用修复，但该信息不得提前停止公示"
            note_en = "; a credit repair was granted, but this information's display cannot end early"
    if "objected" in effects:
        since = effects["objected"].isoformat()
        return Lifecycle("objected", on, window, f"自{since}起异议处理中{note_zh}",
                         f"under objection since {since}{note_en}")
    if not window.published:
        status = "not_published"
    elif window.start is None or on < window.start:
        status = "pending"
    elif _ended(window.end, on):
        status = "expired"
    else:
        status = "published"
    zh, en = STATUSES[status]
    return Lifecycle(status, on, window, f"{zh}：{window.reason_zh}{note_zh}", f"{en}: {window.reason_en}{note_en}")
