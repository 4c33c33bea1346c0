"""The generator of valid fake records of one class: a :class:`Generator` makes one record at a time.

It chooses the subject kind, draws the dates in the order the plan gives,
makes the required fields, then some optional ones (none while a decision is
pending), adds what a conditional asks for once its ``if`` holds, keeps
identity documents as type and number together and drops fields whose parent
is absent.

Records are valid by construction, not by checking: running the class's JSON
Schema over every record cost more than making it (about 60 % of the time,
and it never found anything).  ``tests/test_fake.py`` holds the guarantee
instead: for every class, several seeds and reference days, every record the
generator calls valid passes ``validator(class_name, strict=True)`` with no
finding.  Speed comes from working out once per class what never changes
(each field's maker, :meth:`FieldValues.maker`: its route, the subject entry
that answers it, its text; the optional fields per subject kind and their
shares; the conditionals as plain tests, re-tested only when a field they read
changes), from drawing dates as day numbers written from a table, and from
drawing identifiers and names directly (:mod:`._ids`) rather than through the
checking public generators and Faker.

>>> from datetime import date
>>> generator = Generator("honour", 8, date(2026, 6, 30))
>>> record = generator.record()
>>> generator.check.is_valid(record), all(record[key] for key in generator.plan.required)
(True, True)
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import Any

from faker import Faker

from creditstd.records.fake._domain import GOVERNMENT, INDIVIDUAL, LEGAL, NATURAL, cities
from creditstd.records.fake._draft import Draft
from creditstd.records.fake._ids import FastRandom
from creditstd.records.fake._plan import enum_of, fast_test, plan_for
from creditstd.records.fake._values import FieldValues
from creditstd.records.formats import iso_date
from creditstd.records.rules import grade_table
from creditstd.records.validation import RecordValidator, validator

_SUBJECT_WEIGHTS = {LEGAL: 0.55, NATURAL: 0.25, INDIVIDUAL: 0.2, GOVERNMENT: 0.05}
_ORG_ROLES = frozenset({"uscc", "orgcode", "regno"})
_PERSON_ROLES = frozenset({"id_type", "id_number"})
#: Fields of an organisation's own profile (the subject has them, or the field is left out) ...
_ORG_KEYS = re.compile(r"^(legal_representative|tax_registration|public_institution|social_organisation)")
#: ... and fields that only make sense for an organisation.
_ORG_ONLY = re.compile(r"^(registered_capital|business_scope|enterprise_type|establish|employees|shareholder)")
_PERSON_KEYS = re.compile(r"^(sex|gender|birth_date|nationality|ethnicity)$")
#: Status values meaning "not decided yet": decision fields stay empty.
_PENDING = frozenset({"处理中", "办理中", "审核中", "待处理", "受理中"})
_OPTIONAL_SHARE = 0.55
_MISSING = object()


class _IsoDays(dict[int, str]):
    """Day number (ordinal) -> ISO date string, each made once (a record's dates fall within a few decades)."""

    def __missing__(self, day: int) -> str:
        text = self[day] = date.fromordinal(day).isoformat()
        return text


class _Years(dict[int, int]):
    """Day number (ordinal) -> its year, each worked out once."""

    def __missing__(self, day: int) -> int:
        year = self[day] = date.fromordinal(day).year
        return year


class Generator(FieldValues):
    """Valid records of one class, reproducible for a seed and a reference day ``on``.

    Everything that depends only on the class (which optional fields may appear and how often, which
    fields need an organisation or a person, the identity-document pairs, the parents of fields) is sorted
    out here, once; :meth:`record` then only draws.
    """

    def __init__(self, class_name: str, seed: int | None, on: date) -> None:
        self.plan = plan_for(class_name)
        self.cls = self.plan.cls
        self.rng: FastRandom = FastRandom(seed)
        self.on = on
        self._fake: Faker | None = None
        self._faker_seed: int = self.rng.getrandbits(64)
        self.setup_parties()
        self.setup_values()
        plan = self.plan
        self._scope = {key: self._scope_of(key) for key in plan.schemas}
        self._optional = [(key, 0.3 if key in plan.paired else _OPTIONAL_SHARE) for key in plan.schemas
                          if key not in plan.required and key not in plan.conditional_only]
        self._pairs = [(key, key[: -len(one)] + other) for key in plan.schemas
                       for one, other in (("id_number", "id_type"), ("id_type", "id_number"))
                       if key.endswith(one) and key[: -len(one)] + other in plan.schemas]
        self._groups = [(key, key.split("_")[0] + "_date") for key in plan.schemas
                        if key.split("_")[0] + "_date" != key and key.split("_")[0] + "_date" in plan.schemas
                        and key not in plan.required]
        # each conditional as (its ``if`` test, the fields its ``then`` requires, the code values it imposes)
        self._conditionals = [
            (holds.is_valid, tuple(cond.get("then", {}).get("required", ())),
             tuple((key, options) for key, sub in cond.get("then", {}).get("properties", {}).items()
                   if (options := enum_of(sub))))
            for cond, holds in plan.conditionals]
        # the required fields whose code values say "not decided yet" (a status): then no optional field
        self._may_pend = [key for key in plan.required if _PENDING & {value for value in enum_of(plan.schemas[key])
                                                                      if isinstance(value, str)}]
        # the named rules grade_by_date: (scheme field, grade field, date field); the grade is drawn from the table
        # in force on the record's date
        self._grade_rules = [(spec["scheme"], spec["grade"], spec["date"]) for spec in self.cls.rules
                             if spec["rule"] == "grade_by_date"]
        #: (error code, field) of the breakages that brought other findings along (see :mod:`._breakage`)
        self.mixed_breakages: set[tuple[str, str]] = set()
        self._on_ordinal = on.toordinal()
        # each date as (key, the dates it follows, the span of days it may lie after them when it may pass ``on``)
        self._date_steps = [(key, tuple(plan.before[key]), ((30, 365) if "deadline" in key else (180, 5 * 365))
                             if key in plan.future_ok else None) for key in plan.date_order]
        self._kind_weights = list(itertools.accumulate(_SUBJECT_WEIGHTS.get(kind, 0.1) for kind, _ in plan.kinds))
        self.cities = cities()
        self.iso_days = _IsoDays()
        self.years = _Years()
        # per subject kind, the optional fields that may apply: (key, share, the subject entries one of which the
        # field needs, or None when it needs none); see :meth:`applicable`
        self._optional_by_kind = {kind: self._optional_for(kind) for kind, _ in plan.kinds}
        # each conditional as (its ``if`` test, the fields it reads, those whose values its ``then`` imposes, the
        # fields it requires, the values it imposes)
        self._fast_conditionals = [
            (fast_test(cond["if"], holds), _watched(cond["if"]), {key for key, _ in constrained}, required, constrained)
            for (cond, holds), (_, required, constrained) in zip(plan.conditionals, self._conditionals, strict=True)]

    @property
    def check(self) -> RecordValidator:
        """The class's strict validator (what every valid record passes; breakages are checked with it)."""
        return validator(self.cls.name, strict=True)

    # -- pieces of a record

    def choose_kind(self) -> tuple[str, str | None]:
        return self.rng.pick(self.plan.kinds, self._kind_weights)

    def plan_days(self) -> dict[str, int]:
        """The record's dates as day numbers (ordinals), in the plan's order: each after those it must follow,
        none after ``on`` but ends of validity and deadlines.  :attr:`iso_days` writes them."""
        random = self.rng.random
        on = self._on_ordinal
        base = on - (20 + int(random() * (4 * 365 - 19)))
        days: dict[str, int] = {}
        for key, before, span in self._date_steps:
            lower = None if not before else days[before[0]] if len(before) == 1 else max([days[other]
                                                                                           for other in before])
            if span is not None:
                days[key] = (lower or base) + span[0] + int(random() * (span[1] - span[0] + 1))
            elif lower is None:
                days[key] = base - int(random() * 61)
            else:
                days[key] = max(lower, min(lower + int(random() * 31), on))
        return days

    def plan_dates(self) -> dict[str, date]:
        """:meth:`plan_days` as dates."""
        return {key: date.fromordinal(day) for key, day in self.plan_days().items()}

    # -- whole records

    def _scope_of(self, key: str) -> str:
        """Who field ``key`` is for: ``org_only``, ``org`` (an organisation that has it), ``person`` or ``any``."""
        role = self.cls.fields[key].role
        if _ORG_ONLY.match(key):
            return "org_only"
        if role in _ORG_ROLES or _ORG_KEYS.match(key):
            return "org"
        if role in _PERSON_ROLES or _PERSON_KEYS.match(key):
            return "person"
        return "any"

    def _optional_for(self, kind: str) -> list[tuple[str, float, tuple[Any, str] | None]]:
        """The optional fields that may apply to a subject of ``kind``, as :meth:`applicable` decides."""
        found: list[tuple[str, float, tuple[Any, str] | None]] = []
        for key, share in self._optional:
            scope = self._scope[key]
            if scope == "any":
                found.append((key, share, None))
            elif scope == "person":
                if kind == NATURAL:
                    found.append((key, share, None))
            elif kind != NATURAL:
                found.append((key, share, None if scope == "org_only" else (self.cls.fields[key].role, key)))
        return found

    def applicable(self, key: str, draft: Draft) -> bool:
        scope = self._scope[key]
        if scope == "any":
            return True
        if scope == "person":
            return draft.kind == NATURAL
        if draft.kind == NATURAL:
            return False
        return scope == "org_only" or self.cls.fields[key].role in draft.subject or key in draft.subject

    def record(self) -> dict[str, Any]:
        """One valid record (by construction: every class is checked against the strict validator in the tests)."""
        plan = self.plan
        draft = Draft(self)
        record = {key: draft[key] for key in plan.required}
        pending = False
        for key in self._may_pend:
            if record[key] in _PENDING:
                pending = True
        if not pending:
            random, subject = self.rng.random, draft.subject
            for key, share, needs in self._optional_by_kind[draft.kind]:
                if key not in record and (needs is None or needs[0] in subject or needs[1] in subject) \
                        and random() < share:
                    record[key] = draft[key]
        needed = self.satisfy(record, draft)
        for scheme, grade, day in self._grade_rules:
            table = grade_table(record.get(scheme), iso_date(record.get(day)))
            if table is not None and grade in record and record[grade] not in table.grades:
                record[grade] = draft[grade] = self.rng.choice(table.grades)
                if f"{grade}_name" in record:
                    record[f"{grade}_name"] = draft[f"{grade}_name"] = table.name(record[grade]) or record[grade]
        for key, partner in self._pairs:  # identity documents come as type and number together
            if key in record and partner not in record:
                record[partner] = draft[partner]
        for key, group in self._groups:  # removal_reason without removal_date makes no sense
            if key in record and group not in record and key not in needed:
                del record[key]
        parents = plan.parents
        for key in [key for key in record if key in parents]:
            parent = parents[key]
            if parent not in record:
                if key in plan.required or key in needed:
                    if self.applicable(parent, draft):
                        record[parent] = draft[parent]
                else:
                    del record[key]
        return {key: record[key] for key in plan.schemas if key in record}

    def satisfy(self, record: dict[str, Any], draft: Draft) -> set[str]:
        """Add every field a conditional asks for once its ``if`` holds; return those fields.

        Rounds until nothing changes (at most six).  After the first, a conditional is tested again only when
        a field it reads or one whose value it imposes has changed: the others would find what they found before
        (a field, once added, stays).
        """
        needed: set[str] = set()
        changed: set[str] | None = None
        for _round in range(6):
            now: set[str] = set()
            for holds, watched, touched, required, constrained in self._fast_conditionals:
                if changed is not None and (watched is not None and not (changed & watched)) and \
                        not (changed & touched):
                    continue
                if holds(record):
                    for key in required:
                        needed.add(key)
                        if key not in record:
                            record[key] = draft[key]
                            now.add(key)
                    for key, options in constrained:
                        if key in record and record[key] not in options:
                            record[key] = draft[key] = self.rng.choice(options)
                            now.add(key)
            if not now:
                break
            changed = now
        return needed


def _watched(schema: dict[str, Any]) -> frozenset[str] | None:
    """The fields an ``if`` reads (its required keys and properties), or None when it may read any."""
    if set(schema) <= {"properties", "required"}:
        return frozenset((*schema.get("required", ()), *schema.get("properties", {})))
    return None
