"""What the generator needs to know about one record class, read once from its JSON Schema.

:func:`plan_for` resolves every field's ``$ref``, sorts the fields into
required, asked for by a conditional, or paired with another; orders the dates
so that every ``date_not_after`` rule holds when they are drawn first to last;
lists the subject kinds the class admits (with the value of its subject
category field) and the departments that plausibly decide such records.
:func:`from_pattern` makes a string that matches a field's regular expression.

>>> plan = plan_for("administrative_penalty")
>>> plan.cls.name, "decision_date" in plan.date_order, plan.letter
('administrative_penalty', True, '罚')
>>> [kind for kind, _ in plan.kinds]
['法人及非法人组织', '自然人', '个体工商户']
>>> "fine_amount" in plan.conditional_only, plan.date_order.index("decision_date") < plan.date_order.index(
...     "publication_date")
(True, True)
>>> formats_of({"anyOf": [{"format": "uscc"}, {"format": "orgcode"}]}), enum_of({"const": "是"})
(['uscc', 'orgcode'], ['是'])
>>> import random, re
>>> text = from_pattern(r"^[A-Z]{2}\\d{6}$", random.Random(1))
>>> bool(re.fullmatch(r"[A-Z]{2}\\d{6}", text))
True
"""

from __future__ import annotations

import functools
import importlib
import random
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from creditstd.records import loader
from creditstd.records.fake._domain import CREDIT_DEPT, DEPARTMENTS, GOVERNMENT, LEGAL, SUBJECT_TYPES, Dept
from creditstd.records.model import RecordClass, record_class

try:  # the regular-expression parser, to make strings that match a field's pattern
    _sre: Any = importlib.import_module("re._parser")  # Python 3.11+
except ImportError:  # pragma: no cover - Python 3.10
    _sre = importlib.import_module("sre_parse")

#: Date fields that may lie after the reference day (ends of validity, deadlines).
_FUTURE_KEYS = re.compile(r"(end|until|valid_to|expir|deadline|_to$)")

# ---------------------------------------------------------------------------------------------- class plan


def formats_of(schema: Mapping[str, Any]) -> list[str]:
    found = [schema["format"]] if "format" in schema else []
    for alternative in [*schema.get("anyOf", ()), *schema.get("oneOf", ())]:
        found += formats_of(alternative)
    return found


def enum_of(schema: Mapping[str, Any]) -> list[Any]:
    """Values a code field takes: its enum, or the enums of its anyOf alternatives."""
    if "enum" in schema:
        return list(schema["enum"])
    if "const" in schema:
        return [schema["const"]]
    values: list[Any] = []
    for alternative in [*schema.get("anyOf", ()), *schema.get("oneOf", ())]:
        values += alternative.get("enum", [])
    return values


@dataclass
class Plan:
    """What the generator needs to know about a class, read once from its schema."""

    cls: RecordClass
    schemas: dict[str, dict[str, Any]]
    required: list[str]
    conditional_only: list[str]
    conditionals: list[tuple[dict[str, Any], Any]]
    parents: dict[str, str]
    date_order: list[str]
    before: dict[str, list[str]]
    future_ok: list[str]
    today_bounded: list[str]
    kinds: list[tuple[str, str | None]]
    paired: list[str]
    departments: tuple[Dept, ...]
    letter: str


#: A value no record holds: "absent" in a look-up.
_NO_CONST = object()


class _Simple:
    """An ``if`` of the usual forms (required keys; per key const, enum, not-const, contains), checked fast."""

    def __init__(self, required: tuple[str, ...], tests: tuple[tuple[str, Callable[[Any], bool]], ...]) -> None:
        self.required, self.tests = required, tests

    def is_valid(self, record: Mapping[str, Any]) -> bool:
        for key in self.required:
            if key not in record:
                return False
        for key, test in self.tests:  # noqa: SIM110 - a loop, not all(): it runs for every conditional of every record
            if key in record and not test(record[key]):
                return False
        return True


def fast_test(schema: Mapping[str, Any], holds: Any) -> Callable[[Mapping[str, Any]], bool]:
    """``holds.is_valid`` (``holds`` checks the ``if`` schema ``schema``) as a plain function; for the commonest
    forms, one required key equal to a string (``subject_category`` is 自然人) or one required list containing
    one of some strings (``penalty_types`` contains 罚款), a closure doing it in one look-up."""
    if set(schema) != {"properties", "required"} or len(schema["properties"]) != 1:
        return holds.is_valid
    (key, sub), = schema["properties"].items()
    if list(schema["required"]) != [key]:
        return holds.is_valid
    missing = _NO_CONST
    if set(sub) == {"const"} and type(sub["const"]) is str:
        const = sub["const"]

        def equals(record: Mapping[str, Any]) -> bool:
            value = record.get(key, missing)
            return value == const and type(value) is str
        return equals
    inner = sub.get("contains") if set(sub) == {"contains"} else None
    options = None if not isinstance(inner, dict) else (inner["const"],) if set(inner) == {"const"} else \
        tuple(inner["enum"]) if set(inner) == {"enum"} else None
    if options is not None and all(type(option) is str for option in options):
        def contains(record: Mapping[str, Any]) -> bool:
            value = record.get(key, missing)
            if value is missing:
                return False
            if not isinstance(value, list):
                return True
            for item in value:  # noqa: SIM110 - a loop, not any(): no generator per test
                if type(item) is str and item in options:
                    return True
            return False
        return contains
    return holds.is_valid


def _value_test(schema: Mapping[str, Any]) -> Callable[[Any], bool] | None:
    """A plain function doing what a ``const``, ``enum``, ``not`` or ``contains`` schema checks, or None."""
    if set(schema) == {"const"}:
        const = schema["const"]

        def equals(value: Any) -> bool:
            return bool(value == const) and type(value) is type(const)
        return equals
    if set(schema) == {"enum"}:
        options = tuple(schema["enum"])

        def among(value: Any) -> bool:
            return value in options
        return among
    inner = _value_test(schema["not"]) if set(schema) == {"not"} else \
        _value_test(schema["contains"]) if set(schema) == {"contains"} else None
    if inner is None:
        return None
    test = inner
    if "not" in schema:
        def negated(value: Any) -> bool:
            return not test(value)
        return negated

    def contains(value: Any) -> bool:
        return not isinstance(value, list) or any(map(test, value))
    return contains


def _condition(schema: Mapping[str, Any]) -> Any:
    """A checker with ``is_valid(record)`` for an ``if`` schema: fast for the usual forms, else jsonschema."""
    if set(schema) <= {"properties", "required"}:
        tests = [(key, _value_test(sub)) for key, sub in schema.get("properties", {}).items()]
        if all(test is not None for _, test in tests):
            return _Simple(tuple(schema.get("required", ())), tuple(tests))  # type: ignore[arg-type]
    return Draft202012Validator(schema, registry=loader.registry())


def resolve(spec: Mapping[str, Any], base: str) -> dict[str, Any]:
    if "$ref" not in spec:
        return dict(spec)
    target = loader.registry().resolver(base_uri=base).lookup(spec["$ref"]).contents
    return {**resolve(target, base), **{key: value for key, value in spec.items() if key != "$ref"}}


@functools.cache
def plan_for(class_name: str) -> Plan:
    cls = record_class(class_name)
    schema = loader.class_schema(class_name)
    schemas = {key: resolve(spec, cls.schema_id) for key, spec in schema["properties"].items()}
    required = [key for key in schemas if key in schema.get("required", ())]
    conditionals = [(cond, _condition(cond["if"])) for cond in schema.get("allOf", ()) if "if" in cond]
    # A field a conditional asks for when some value holds (a fine amount for a fine) appears only then;
    # one asked for by the mere presence of another (removal reason with removal date) appears now and then.
    then_required = [key for cond, _ in conditionals if cond["if"].get("properties")
                     for key in cond.get("then", {}).get("required", ())]
    conditional_only = [key for key in schemas if key in then_required and key not in required]
    paired = [key for cond, _ in conditionals if not cond["if"].get("properties")
              for key in (*cond["if"].get("required", ()), *cond.get("then", {}).get("required", ()))]
    parents = {}
    for key in schemas:
        owners = [other for other in schemas if other != key and key.startswith(other + "_")]
        if owners:
            parents[key] = max(owners, key=len)
    # Dates: the rules' order (field <= other), and every other date after the class's main date.
    dates = [key for key, spec in schemas.items() if "date" in formats_of(spec)]
    before: dict[str, list[str]] = {key: [] for key in dates}
    today_bounded = []
    for rule in cls.rules:
        if rule["rule"] != "date_not_after" or rule["field"] not in before:
            continue
        if rule["other"] == "today":
            today_bounded.append(rule["field"])
        elif rule["other"] in before:
            before[rule["other"]].append(rule["field"])

    def reaches(start: str, goal: str) -> bool:
        todo, seen = [start], set()
        while todo:
            node = todo.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                todo += before[node]
        return False

    decision = cls.field_by_role("decision_date")
    anchor = (decision.key if decision and decision.key in before else
              today_bounded[0] if today_bounded else dates[0] if dates else None)
    for key in dates:
        if anchor is not None and key != anchor and not reaches(key, anchor) and not reaches(anchor, key):
            before[key].append(anchor)
    order: list[str] = []
    while len(order) < len(dates):
        ready = [key for key in dates if key not in order and all(p in order for p in before[key])]
        if not ready:
            raise RuntimeError(f"{class_name}: the date rules form a cycle")
        order += ready[:1]
    future_ok = [key for key in dates if key not in today_bounded and (
        _FUTURE_KEYS.search(key) or cls.fields[key].role in ("restriction_end", "publication_end"))]
    category_field = cls.field_by_role("subject_category")
    allowed = [SUBJECT_TYPES[code] for code in cls.classification.get("subject_types", ()) if code in SUBJECT_TYPES]
    kinds: list[tuple[str, str | None]]
    if category_field is not None:
        options = enum_of(schemas[category_field.key])
        kinds = [(value, value) for value in options if value in allowed]
        if GOVERNMENT in allowed and LEGAL in options:
            kinds.append((GOVERNMENT, LEGAL))
        kinds = kinds or [(value, value) for value in options]
    else:
        kinds = [(kind, None) for kind in dict.fromkeys(allowed)] or [(LEGAL, None)]
    keys = " ".join(schemas)
    market = tuple(dept for dept in DEPARTMENTS if dept.name == "市场监督管理局")
    if any(word in cls.zh for word in ("登记", "经营异常")):
        departments = market
    elif any(word in cls.zh for word in ("奖励", "确认")):  # decided by any department, not about a violation
        departments = tuple(Dept(dept.name, dept.abbr, dept.sector) for dept in DEPARTMENTS)
    elif cls.field_by_role("penalty_types") or "violation" in keys:
        departments = tuple(dept for dept in DEPARTMENTS if dept.violations)
    elif "licence" in keys or "permit" in keys:
        departments = tuple(dept for dept in DEPARTMENTS if dept.licences)
    elif any(word in cls.zh for word in ("异议", "修复", "承诺", "政务", "合同", "荣誉", "名单", "评价")):
        departments = (CREDIT_DEPT,)
    else:
        departments = DEPARTMENTS
    letter = next((short for word, short in (("处罚", "罚"), ("许可", "许"), ("异议", "异"), ("修复", "修"),
                                             ("承诺", "诺"), ("强制", "强"), ("检查", "检")) if word in cls.zh),
                  cls.zh[0])
    return Plan(cls, schemas, required, conditional_only, conditionals, parents, order, before, future_ok,
                 today_bounded, kinds, paired, departments, letter)


# ---------------------------------------------------------------------------------------------- regex strings


def from_pattern(pattern: str, rng: random.Random) -> str:
    """A string matching ``pattern`` (the subset of regular expressions schemas use)."""
    return "".join(_emit(_sre.parse(pattern), rng))


def _emit(parsed: Any, rng: random.Random) -> Iterator[str]:
    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL":
            yield chr(arg)
        elif name == "ANY":
            yield rng.choice("ABCDEFGHJKLMNPQRTUWXY0123456789")
        elif name == "IN":
            yield _one_of(arg, rng)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            for _ in range(rng.randint(low, min(high, low + 6))):
                yield from _emit(sub, rng)
        elif name == "SUBPATTERN":
            yield from _emit(arg[-1], rng)
        elif name == "BRANCH":
            yield from _emit(rng.choice(arg[1]), rng)
        elif name == "CATEGORY":
            yield _category(str(arg), rng)
        elif name not in ("AT", "ASSERT", "ASSERT_NOT"):
            raise ValueError(f"cannot generate a string for regular expression element {name}")


def _category(name: str, rng: random.Random) -> str:
    if "DIGIT" in name:
        return rng.choice("0123456789")
    if "SPACE" in name:
        return " "
    return rng.choice("abcdefghijkmnpqrstuvwxyz")


def _one_of(items: list[tuple[Any, Any]], rng: random.Random) -> str:
    if items and str(items[0][0]) == "NEGATE":
        excluded = [chr(arg) for op, arg in items if str(op) == "LITERAL"]
        return rng.choice([char for char in "ABCDEFGHJKLMN0123456789" if char not in excluded])
    op, arg = rng.choice(items)
    name = str(op)
    if name == "LITERAL":
        return chr(arg)
    if name == "RANGE":
        return chr(rng.randint(arg[0], min(arg[1], arg[0] + 2000)))
    return _category(str(arg), rng)
