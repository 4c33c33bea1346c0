"""Breaking a valid fake record in exactly one way, and knowing the error code the validator will report.

:func:`breakages` lists every way a record can be broken, each as the code
expected and a mutation: a wrong check character of a USCC, registration
number or citizen ID, an impossible date, a value outside its code table, a
text too long, a number written as text (约5) or below its minimum, a required
field left out, a conditional left unmet, dates out of order or in the future,
an organisation code that is not the one inside the USCC.  :func:`break_record`
picks one at random and keeps it when the validator reports that code (alone,
if it can), so ``FakeRecord.broken`` always names an error the record has.

Checking a candidate does not run the whole class schema again.  A mutation
changes one field of a record that was valid, so the only parts of the
validator that can report something new are that field's own schema, the
conditionals and named rules that mention the field, and the top-level
keywords (``required``, ``additionalProperties``), which always run;
:meth:`~creditstd.records.validation.RecordValidator.errors_in` runs exactly
those parts, and what a part reports does not depend on the others.  The
record is copied shallowly: a mutation replaces or removes a top-level value,
never changes one in place.

>>> from datetime import date
>>> from creditstd.records.fake._generator import Generator
>>> generator = Generator("administrative_penalty", 3, date(2026, 6, 30))
>>> record = generator.record()
>>> "record.required" in {code for code, _, _ in breakages(generator, record)}
True
>>> broken, code = break_record(generator, record)
>>> code in {error.code for error in generator.check.iter_errors(broken)}, broken != record
(True, True)
"""

from __future__ import annotations

import json
import operator
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from creditstd.codes import uscc
from creditstd.codes._checksums import USCC_ALPHABET
from creditstd.records import loader
from creditstd.records.fake._ids import fast_orgcode
from creditstd.records.fake._plan import fast_test

if TYPE_CHECKING:
    from creditstd.records.fake._generator import Generator

#: A way to break a record: the error code expected, the field it touches, and the change itself.
Breakage = tuple[str, str, Callable[[dict[str, Any]], None]]


def breakages(gen: Generator, record: dict[str, Any]) -> list[Breakage]:
    """(expected code, field, mutation) for every way this record can be broken."""
    rng = gen.rng
    static = _static(gen)
    found: list[Breakage] = []

    def setter(key: str, value: Callable[[], Any]) -> Callable[[dict[str, Any]], None]:
        """Set ``key`` to what ``value()`` makes: the wrong value is only made for the breakage chosen."""
        return lambda target: target.__setitem__(key, value())

    def deleter(key: str) -> Callable[[dict[str, Any]], None]:
        return lambda target: target.pop(key)

    fields = static.fields
    for key, value in record.items():
        for kind, limit in fields[key]:
            if kind == "uscc":
                if value != uscc.PLACEHOLDER:
                    found.append(("uscc.checksum", key, setter(key, partial(_recheck_uscc, value, rng))))
            elif kind == "regno":
                if len(value) == 15:
                    found.append(("regno.checksum", key, setter(key, partial(_recheck, value, value[-1], "0123456789",
                                                                             rng))))
            elif kind == "citizen-id":
                found.append(("ric.checksum", key, setter(key, partial(_recheck, value, value[-1], "0123456789X",
                                                                       rng))))
            elif kind == "date":
                found.append(("record.date", key, setter(key, partial(_impossible_date, value))))
            elif kind == "enum":
                found.append(("record.enum", key, setter(key, partial(str, "未知"))))
            elif kind == "maxLength":
                if isinstance(value, str):
                    found.append(("record.maxLength", key, setter(key, partial(_longer, value, limit))))
            elif kind == "number":
                if isinstance(value, (int, float)):
                    found.append(("record.type", key, setter(key, partial(_approximately, value))))
                    if limit and value > 0:
                        found.append(("record.minimum", key, setter(key, partial(operator.neg, value))))
            else:
                found.append(("record.required", key, deleter(key)))
    for holds, then_required, citizen_ids in static.conditionals:
        if not holds(record):
            continue
        for key, code in then_required:
            if key in record:
                found.append((code, key, deleter(key)))
        for key in citizen_ids:
            if key in record and len(record[key]) == 18:
                value = record[key]
                found.append(("ric.checksum", key, setter(key, partial(_recheck, value, value[-1], "0123456789X",
                                                                       rng))))
    today = max(gen.on, date.today())
    for rule in static.rules:
        if rule["rule"] == "date_not_after":
            field = rule["field"]
            if field not in record:
                continue
            first = date.fromisoformat(record[field])
            if rule["other"] == "today":  # a mistyped year: stays in the future for decades
                found.append(("rule.date_in_future", field, setter(field, partial(_future, first, today, rng))))
            elif rule["other"] in record:
                other = rule["other"]
                second = date.fromisoformat(record[other])
                found.append(("rule.date_not_after", field, setter(field, partial(_shifted, second, 1, rng))))
                found.append(("rule.date_not_after", other, setter(other, partial(_shifted, first, -1, rng))))
        elif rule["orgcode"] in record and rule["uscc"] in record and record[rule["uscc"]] != uscc.PLACEHOLDER:
            found.append(("rule.orgcode_in_uscc", rule["orgcode"], setter(rule["orgcode"], partial(fast_orgcode, rng))))
    return found


@dataclass(frozen=True)
class _Static:
    """What :func:`breakages` needs to know about a class, worked out once: per field, the kinds of breakage its
    schema admits (with the maximum length, or whether the minimum is 0); per conditional, its ``if`` test, the
    fields its ``then`` requires (with the code) and those it checks as citizen IDs; the rules that can break."""

    fields: dict[str, tuple[tuple[str, Any], ...]]
    conditionals: tuple[tuple[Callable[[dict[str, Any]], bool], tuple[tuple[str, str], ...], tuple[str, ...]], ...]
    rules: tuple[dict[str, Any], ...]


_STATIC: dict[str, _Static] = {}


def _static(gen: Generator) -> _Static:
    found = _STATIC.get(gen.cls.name)
    if found is not None:
        return found
    plan = gen.plan
    fields: dict[str, tuple[tuple[str, Any], ...]] = {}
    for key, schema in plan.schemas.items():
        formats = gen.formats_of_field(key)
        kinds: list[tuple[str, Any]] = [(name, None) for name in ("uscc", "regno", "citizen-id", "date")
                                        if name in formats]
        if "enum" in schema:
            kinds.append(("enum", None))
        if schema.get("maxLength", 10_000) <= 300 and "enum" not in schema:
            kinds.append(("maxLength", schema["maxLength"]))
        if schema.get("type") == "number":
            kinds.append(("number", schema.get("minimum") == 0))
        if key in plan.required:
            kinds.append(("required", None))
        fields[key] = tuple(kinds)
    conditionals = []
    for cond, holds in plan.conditionals:
        then = cond.get("then", {})
        conditionals.append((
            fast_test(cond["if"], holds),
            tuple((key, f"rule.{cond['x-rule']}") for key in then.get("required", ()) if key not in plan.required),
            tuple(key for key, sub in then.get("properties", {}).items() if sub.get("format") == "citizen-id")))
    rules = tuple(rule for rule in gen.cls.rules if rule["rule"] in ("date_not_after", "orgcode_in_uscc"))
    found = _STATIC[gen.cls.name] = _Static(fields, tuple(conditionals), rules)
    return found


def break_record(gen: Generator, record: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """``record`` broken in one way, and its code; prefer a breakage the validator reports with that code alone."""
    by_code: dict[str, list[tuple[str, Callable[[dict[str, Any]], None]]]] = {}
    for code, key, mutate in breakages(gen, record):
        by_code.setdefault(code, []).append((key, mutate))
    codes = list(by_code)
    gen.rng.shuffle(codes)
    # Breakages seen to bring other findings along (a missing subject category also leaves its conditionals
    # unmet) go last: most records then need one check, not three.
    mixed = gen.mixed_breakages
    if mixed:
        seen = {code for code, _ in mixed}
        last = {code for code in codes if code in seen and all((code, key) in mixed for key, _ in by_code[code])}
        codes.sort(key=last.__contains__)
    fallback: tuple[dict[str, Any], str] | None = None
    for code in codes[:8]:
        options = [option for option in by_code[code] if (code, option[0]) not in mixed] or by_code[code]
        key, mutate = gen.rng.choice(options)
        candidate = dict(record)  # shallow: a mutation replaces or removes a value, never changes one in place
        mutate(candidate)
        found = {error.code for error in errors_after_change(gen, candidate, key)}
        if found == {code}:
            return candidate, code
        mixed.add((code, key))
        if code in found and fallback is None:
            fallback = (candidate, code)
    if fallback is None:
        raise RuntimeError(f"cannot break a {gen.cls.name} record in a way the validator reports")
    return fallback


def errors_after_change(gen: Generator, record: dict[str, Any], key: str) -> Any:
    """The findings of ``record``, valid but for field ``key``: what the full validator reports for it.

    Only the parts of the class that can see ``key`` run (see the module's docstring).  A finding reported by
    two parts (same path and code) may come twice: callers compare sets.
    """
    conditionals, rules = _mentions(gen.cls.name)
    check = gen.check
    # errors_in(record, fields=[key], conditionals=..., rules=...) part by part, through the validator's own
    # parts: the record has only the class's keys and every required field but perhaps ``key``
    if key in record:
        found = list(check.field_errors(key, record[key]))
        if any(finding.code == "record.too_deep" for finding in found):
            return found  # errors_in stops there too
    else:
        found = list(check.missing_errors([key] if key in gen.plan.required else []))
    found += check.conditional_errors(record, conditionals.get(key, ()))
    found += check.rule_errors(record, rules.get(key, ()), date.today())
    return found


_MENTIONS: dict[str, tuple[dict[str, list[int]], dict[str, list[int]]]] = {}


def _mentions(class_name: str) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Per field, the indexes of the conditionals and of the named rules that mention it (cached per class)."""
    if class_name not in _MENTIONS:
        schema = loader.class_schema(class_name)
        keys = list(schema["properties"])
        conditionals = [json.dumps(item, ensure_ascii=False) for item in schema.get("allOf", ())]
        rules = [json.dumps(item, ensure_ascii=False) for item in schema.get("x-rules", ())]
        _MENTIONS[class_name] = (
            {key: [index for index, text in enumerate(conditionals) if f'"{key}"' in text] for key in keys},
            {key: [index for index, text in enumerate(rules) if f'"{key}"' in text] for key in keys})
    return _MENTIONS[class_name]


def _recheck_uscc(value: str, rng: random.Random) -> str:
    return _recheck(value, uscc.calc_check_digit(value[:17]), USCC_ALPHABET, rng)


def _impossible_date(value: str) -> str:
    return f"{value[:4]}-02-30"


def _approximately(value: float) -> str:
    """``value`` written as text that no format reads as a number (``约5``): a number written as the string
    ``"5"`` would be a number again once in a CSV cell or an XML element, and the record not broken there."""
    return f"约{value}"


def _longer(value: str, limit: int) -> str:
    """``value`` repeated (with an ideographic space) past ``limit`` characters."""
    return (value + "\u3000") * (limit // max(len(value), 1) + 1)


def _future(first: date, today: date, rng: random.Random) -> str:
    """A mistyped year: 20 years on, and in any case after ``today``."""
    return max(first.replace(year=first.year + 20, day=min(first.day, 28)),
               today + timedelta(days=rng.randint(1, 60))).isoformat()


def _shifted(day: date, sign: int, rng: random.Random) -> str:
    """``day`` moved 1-30 days later (``sign`` 1) or earlier (-1)."""
    return (day + sign * timedelta(days=rng.randint(1, 30))).isoformat()


def _recheck(value: str, current: str, alphabet: str, rng: random.Random) -> str:
    """``value`` with its last character replaced by a different one (a wrong check character)."""
    return value[:-1] + rng.choice([char for char in alphabet if char != current and char != value[-1]])
