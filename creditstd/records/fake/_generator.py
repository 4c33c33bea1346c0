"""The generator of valid fake records of one class: a :class:`Generator` makes one record at a time.

It chooses the subject kind, draws the dates in the order the plan gives,
makes the required fields, then some optional ones (none while a decision is
pending), adds what a conditional asks for once its ``if`` holds, keeps
identity documents as type and number together, drops fields whose parent is
absent, and checks the record with the strict validator: an optional field it
cannot make valid is left out, and after twenty tries it gives up loudly.

>>> from datetime import date
>>> generator = Generator("honour", 8, date(2026, 6, 30))
>>> record = generator.record()
>>> generator.check.is_valid(record), all(record[key] for key in generator.plan.required)
(True, True)
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from typing import Any

from faker import Faker

from creditstd.records.fake._domain import GOVERNMENT, INDIVIDUAL, LEGAL, NATURAL
from creditstd.records.fake._draft import Draft
from creditstd.records.fake._plan import enum_of, plan_for
from creditstd.records.fake._values import FieldValues
from creditstd.records.validation import validator

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


class Generator(FieldValues):
    """Valid records of one class, reproducible for a seed and a reference day ``on``."""

    def __init__(self, class_name: str, seed: int | None, on: date) -> None:
        self.plan = plan_for(class_name)
        self.cls = self.plan.cls
        self.check = validator(class_name, strict=True)
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(self.rng.getrandbits(64))
        self.on = on

    # -- pieces of a record

    def choose_kind(self) -> tuple[str, str | None]:
        options = self.plan.kinds
        return self.rng.choices(options, [_SUBJECT_WEIGHTS.get(kind, 0.1) for kind, _ in options])[0]

    def plan_dates(self) -> dict[str, date]:
        rng, plan = self.rng, self.plan
        base = self.on - timedelta(days=rng.randint(20, 4 * 365))
        dates: dict[str, date] = {}
        for key in plan.date_order:
            lower = max((dates[other] for other in plan.before[key]), default=None)
            if key in plan.future_ok:
                span = (30, 365) if "deadline" in key else (180, 5 * 365)
                dates[key] = (lower or base) + timedelta(days=rng.randint(*span))
            elif lower is None:
                dates[key] = base - timedelta(days=rng.randint(0, 60))
            else:
                dates[key] = max(lower, min(lower + timedelta(days=rng.randint(0, 30)), self.on))
        return dates

    # -- whole records

    def applicable(self, key: str, draft: Draft) -> bool:
        spec = self.cls.fields[key]
        org = spec.role in _ORG_ROLES or bool(_ORG_KEYS.match(key))
        person = spec.role in _PERSON_ROLES or bool(_PERSON_KEYS.match(key))
        if _ORG_ONLY.match(key):
            return draft.kind != NATURAL
        if org:
            return draft.kind != NATURAL and (spec.role in draft.subject or key in draft.subject)
        if person:
            return draft.kind == NATURAL
        return True

    def record(self) -> dict[str, Any]:
        plan = self.plan
        for _attempt in range(20):
            draft = Draft(self)
            record = {key: draft[key] for key in plan.required}
            pending = any(isinstance(value, str) and value in _PENDING for value in record.values())
            for key in plan.schemas:
                if key in record or key in plan.conditional_only or not self.applicable(key, draft):
                    continue
                if not pending and self.rng.random() < (0.3 if key in plan.paired else _OPTIONAL_SHARE):
                    record[key] = draft[key]
            needed = self.satisfy(record, draft)
            for key in list(record):  # identity documents come as type and number together
                for one, other in (("id_number", "id_type"), ("id_type", "id_number")):
                    partner = key[: -len(one)] + other
                    if key.endswith(one) and partner in plan.schemas and partner not in record:
                        record[partner] = draft[partner]
            for key in list(record):  # removal_reason without removal_date makes no sense
                group = key.split("_")[0] + "_date"
                if group != key and group in plan.schemas and group not in record and key not in plan.required \
                        and key not in needed:
                    del record[key]
            for key in list(record):
                parent = plan.parents.get(key)
                if parent and parent not in record:
                    if key in plan.required or key in needed:
                        if self.applicable(parent, draft):
                            record[parent] = draft[parent]
                    else:
                        del record[key]
            record = {key: record[key] for key in plan.schemas if key in record}
            errors = list(self.check.iter_errors(record))
            if errors:  # a value this generator cannot make valid: leave the optional field out
                for error in errors:
                    if error.field in record and error.field not in plan.required and error.field not in needed:
                        del record[error.field]
                errors = list(self.check.iter_errors(record))
            if not errors:
                return record
        raise RuntimeError(f"cannot make a valid {self.cls.name} record: "
                           + "; ".join(f"{error.path} {error.code}" for error in errors))

    def satisfy(self, record: dict[str, Any], draft: Draft) -> set[str]:
        """Add every field a conditional asks for once its ``if`` holds; return those fields."""
        needed: set[str] = set()
        for _round in range(6):
            changed = False
            for cond, holds in self.plan.conditionals:
                if holds.is_valid(record):
                    then = cond.get("then", {})
                    for key in then.get("required", ()):
                        needed.add(key)
                        if key not in record:
                            record[key] = draft[key]
                            changed = True
                    for key, sub in then.get("properties", {}).items():
                        options = enum_of(sub)
                        if key in record and options and record[key] not in options:
                            record[key] = draft.values[key] = self.rng.choice(options)
                            changed = True
            if not changed:
                break
        return needed

