"""Breaking a valid fake record in exactly one way, and knowing the error code the validator will report.

:func:`breakages` lists every way a record can be broken, each as the code
expected and a mutation: a wrong check character of a USCC, registration
number or citizen ID, an impossible date, a value outside its code table, a
text too long, a number of the wrong type or below its minimum, a required
field left out, a conditional left unmet, dates out of order or in the future,
an organisation code that is not the one inside the USCC.  :func:`break_record`
picks one at random and keeps it when the validator reports that code (alone,
if it can), so ``FakeRecord.broken`` always names an error the record has.

>>> from datetime import date
>>> from creditstd.records.fake._generator import Generator
>>> generator = Generator("administrative_penalty", 3, date(2026, 6, 30))
>>> record = generator.record()
>>> "record.required" in {code for code, _ in breakages(generator, record)}
True
>>> broken, code = break_record(generator, record)
>>> code in {error.code for error in generator.check.iter_errors(broken)}, broken != record
(True, True)
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from creditstd.codes import orgcode, uscc
from creditstd.records.fake._plan import formats_of

if TYPE_CHECKING:
    from creditstd.records.fake._generator import Generator


def breakages(gen: Generator, record: dict[str, Any]) -> list[tuple[str, Callable[[dict[str, Any]], None]]]:
    """(expected code, mutation) for every way this record can be broken."""
    rng, plan = gen.rng, gen.plan
    found: list[tuple[str, Callable[[dict[str, Any]], None]]] = []

    def setter(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
        return lambda target: target.__setitem__(key, value)

    def deleter(key: str) -> Callable[[dict[str, Any]], None]:
        return lambda target: target.pop(key)

    for key, value in record.items():
        schema = plan.schemas[key]
        formats = formats_of(schema)
        if "uscc" in formats and value != uscc.PLACEHOLDER:
            found.append(("uscc.checksum", setter(key, _recheck(value, uscc.calc_check_digit(value[:17]),
                                                                  "0123456789ABCDEFGHJKLMNPQRTUWXY", rng))))
        if "regno" in formats and len(value) == 15:
            found.append(("regno.checksum", setter(key, _recheck(value, value[-1], "0123456789", rng))))
        if "citizen-id" in formats:
            found.append(("ric.checksum", setter(key, _recheck(value, value[-1], "0123456789X", rng))))
        if "date" in formats:
            found.append(("record.date", setter(key, f"{value[:4]}-02-30")))
        if "enum" in schema:
            found.append(("record.enum", setter(key, "未知")))
        if isinstance(value, str) and schema.get("maxLength", 10_000) <= 300 and "enum" not in schema:
            longer = (value + "　") * (schema["maxLength"] // max(len(value), 1) + 1)
            found.append(("record.maxLength", setter(key, longer)))
        if schema.get("type") == "number" and isinstance(value, (int, float)):
            found.append(("record.type", setter(key, str(value))))
            if value > 0 and schema.get("minimum") == 0:
                found.append(("record.minimum", setter(key, -value)))
        if key in plan.required:
            found.append(("record.required", deleter(key)))
    for cond, holds in plan.conditionals:
        if not holds.is_valid(record):
            continue
        then = cond.get("then", {})
        for key in then.get("required", ()):
            if key in record and key not in plan.required:
                found.append((f"rule.{cond['x-rule']}", deleter(key)))
        for key, sub in then.get("properties", {}).items():
            if sub.get("format") == "citizen-id" and key in record and len(record[key]) == 18:
                value = record[key]
                found.append(("ric.checksum", setter(key, _recheck(value, value[-1], "0123456789X", rng))))
    today = max(gen.on, date.today())
    for rule in gen.cls.rules:
        if rule["rule"] == "date_not_after" and rule["field"] in record:
            first = date.fromisoformat(record[rule["field"]])
            if rule["other"] == "today":  # a mistyped year: stays in the future for decades
                later = max(first.replace(year=first.year + 20, day=min(first.day, 28)),
                            today + timedelta(days=rng.randint(1, 60)))
                found.append(("rule.date_in_future", setter(rule["field"], later.isoformat())))
            elif rule["other"] in record:
                second = date.fromisoformat(record[rule["other"]])
                gap = timedelta(days=rng.randint(1, 30))
                found.append(("rule.date_not_after", setter(rule["field"], (second + gap).isoformat())))
                found.append(("rule.date_not_after", setter(rule["other"], (first - gap).isoformat())))
        elif rule["rule"] == "orgcode_in_uscc" and rule["orgcode"] in record and rule["uscc"] in record \
                and record[rule["uscc"]] != uscc.PLACEHOLDER:
            found.append(("rule.orgcode_in_uscc", setter(rule["orgcode"], orgcode.generate(rng=rng))))
    return found

def break_record(gen: Generator, record: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """``record`` broken in one way, and its code; prefer a breakage the validator reports with that code alone."""
    by_code: dict[str, list[Callable[[dict[str, Any]], None]]] = {}
    for code, mutate in breakages(gen, record):
        by_code.setdefault(code, []).append(mutate)
    codes = list(by_code)
    gen.rng.shuffle(codes)
    fallback: tuple[dict[str, Any], str] | None = None
    for code in codes[:8]:
        mutate = gen.rng.choice(by_code[code])
        candidate = copy.deepcopy(record)
        mutate(candidate)
        found = {error.code for error in gen.check.iter_errors(candidate)}
        if found == {code}:
            return candidate, code
        if code in found and fallback is None:
            fallback = (candidate, code)
    if fallback is None:
        raise RuntimeError(f"cannot break a {gen.cls.name} record in a way the validator reports")
    return fallback


def _recheck(value: str, current: str, alphabet: str, rng: random.Random) -> str:
    """``value`` with its last character replaced by a different one (a wrong check character)."""
    return value[:-1] + rng.choice([char for char in alphabet if char != current and char != value[-1]])

