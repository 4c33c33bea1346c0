"""For each rule of each class, a targeted invalid record fails with the expected path and code.

Everything is read from the schemas: every ``allOf`` conditional (``x-rule``),
every named rule in ``x-rules`` and every required field.  A valid fake record
is made to meet the conditional's ``if``, then the ``then`` is broken.  A rule
that cannot be triggered this way fails the test, naming the class and rule.
"""

from __future__ import annotations

import copy
import functools
import random
from datetime import date, timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from creditstd.catalogue import validator
from creditstd.codes import orgcode, ric, uscc
from creditstd.records import loader
from creditstd.records.fake import fake_records
from creditstd.records.model import record_class
from creditstd.records.rules import grade_table

CLASSES = loader.class_names()


def _cases(kind: str) -> list[Any]:
    cases = []
    for name in CLASSES:
        cls = record_class(name)
        if kind == "conditional":
            cases += [pytest.param(name, index, id=f"{name}-{cond['x-rule']}")
                      for index, cond in enumerate(cls.conditionals)]
        elif kind == "named":
            cases += [pytest.param(name, index, id=f"{name}-{rule['rule']}-{rule.get('field', rule.get('orgcode'))}"
                                   f"-{rule.get('other', '')}") for index, rule in enumerate(cls.rules)]
        else:
            cases += [pytest.param(name, key, id=f"{name}-{key}") for key, spec in cls.fields.items() if spec.required]
    return cases


@functools.cache
def _pool(class_name: str) -> tuple[dict[str, Any], ...]:
    return tuple(item.record for item in fake_records(class_name, 80, seed=1234))


def _errors(class_name: str, record: dict[str, Any]) -> set[tuple[str, str]]:
    return {(error.path, error.code) for error in validator(class_name, strict=True).iter_errors(record)}


def _candidates(class_name: str, key: str, schema: dict[str, Any]) -> list[Any]:
    """Values to try for ``key`` so that ``schema`` (a part of an ``if``) holds: its own, then real ones."""
    values: list[Any] = []
    if "const" in schema:
        values.append(schema["const"])
    values += schema.get("enum", [])
    contains = schema.get("contains", {})
    values += [[value] for value in ([contains["const"]] if "const" in contains else []) + contains.get("enum", [])]
    field_schema = loader.class_schema(class_name)["properties"].get(key, {})
    values += field_schema.get("enum", [])
    values += [record[key] for record in _pool(class_name) if key in record]
    return values


def _triggered(class_name: str, rule: str, condition: dict[str, Any]) -> dict[str, Any]:
    """A valid record changed so that ``condition`` (an ``if`` schema) holds; fails the test when impossible."""
    holds = Draft202012Validator(condition, registry=loader.registry())
    for base in _pool(class_name):
        if holds.is_valid(base):
            return copy.deepcopy(base)
    record = copy.deepcopy(_pool(class_name)[0])
    for key, schema in condition.get("properties", {}).items():
        for value in _candidates(class_name, key, schema):
            if Draft202012Validator(schema, registry=loader.registry()).is_valid(value):
                record[key] = value
                break
    for key in condition.get("required", ()):
        if key not in record:
            found = _candidates(class_name, key, {})
            if found:
                record[key] = found[0]
    if not holds.is_valid(record):
        pytest.fail(f"{class_name}: cannot trigger the conditional {rule} generically (if = {condition})")
    return record


def _other_value(class_name: str, key: str, allowed: dict[str, Any], current: Any) -> Any:
    """A value of ``key`` the field itself accepts but ``allowed`` (a ``then`` property schema) rejects."""
    check = Draft202012Validator(allowed, registry=loader.registry())
    if allowed.get("const") is True or allowed.get("const") is False:
        return not allowed["const"]
    for value in _candidates(class_name, key, {}):
        if value != current and not check.is_valid(value):
            return value
    return "不存在的取值"


@pytest.mark.parametrize(("class_name", "index"), _cases("conditional"))
def test_conditional_rule(class_name: str, index: int) -> None:
    cond = record_class(class_name).conditionals[index]
    rule = cond["x-rule"]
    record = _triggered(class_name, rule, cond["if"])
    then = cond["then"]
    checked = 0
    for key in then.get("required", ()):
        broken = {k: v for k, v in record.items() if k != key}
        assert (f"$.{key}", f"rule.{rule}") in _errors(class_name, broken), (class_name, rule, key)
        checked += 1
    for key, schema in then.get("properties", {}).items():
        broken = copy.deepcopy(record)
        if schema.get("format") == "citizen-id":
            number = ric.generate(rng=random.Random(index))
            broken[key] = number[:-1] + ("0" if number[-1] != "0" else "1")
            assert (f"$.{key}", "ric.checksum") in _errors(class_name, broken), (class_name, rule, key)
            checked += 1
        elif "const" in schema or "enum" in schema:
            broken[key] = _other_value(class_name, key, schema, record.get(key))
            found = _errors(class_name, broken)
            # a value the ``then`` forbids is reported under the conditional's rule code
            assert (f"$.{key}", f"rule.{rule}") in found, (class_name, rule, found)
            checked += 1
        else:
            pytest.fail(f"{class_name}: conditional {rule} has a then-property form this test does not know: {schema}")
    if not checked:
        pytest.fail(f"{class_name}: conditional {rule} has no then.required or then.properties to break")


def _with_fields(class_name: str, rule: str, *keys: str) -> dict[str, Any]:
    for record in _pool(class_name):
        if all(key in record for key in keys):
            return copy.deepcopy(record)
    pytest.fail(f"{class_name}: no generated record carries {', '.join(keys)} to test {rule}")


@pytest.mark.parametrize(("class_name", "index"), _cases("named"))
def test_named_rule(class_name: str, index: int) -> None:
    rule = record_class(class_name).rules[index]
    name = rule["rule"]
    if name == "date_not_after":
        field, other = rule["field"], rule["other"]
        if other == "today":
            record = _with_fields(class_name, name, field)
            record[field] = (date.today() + timedelta(days=1)).isoformat()
            assert (f"$.{field}", "rule.date_in_future") in _errors(class_name, record)
        else:
            record = _with_fields(class_name, name, field, other)
            record[field] = (date.fromisoformat(record[other]) + timedelta(days=1)).isoformat()
            assert (f"$.{field}", "rule.date_not_after") in _errors(class_name, record)
    elif name == "orgcode_in_uscc":
        code_key, org_key = rule["uscc"], rule["orgcode"]
        record = next((copy.deepcopy(r) for r in _pool(class_name)
                       if r.get(code_key, uscc.PLACEHOLDER) != uscc.PLACEHOLDER), None)
        if record is None:
            pytest.fail(f"{class_name}: no generated record has a USCC to test {name}")
        rng = random.Random(index)
        other = orgcode.generate(rng=rng)
        while other == record[code_key][8:17]:
            other = orgcode.generate(rng=rng)
        record[org_key] = other
        assert (f"$.{org_key}", "rule.orgcode_in_uscc") in _errors(class_name, record)
        record[org_key] = record[code_key][8:17]
        assert not _errors(class_name, record)
    elif name == "grade_by_date":
        scheme_key, grade_key, date_key = rule["scheme"], rule["grade"], rule["date"]
        record = next((copy.deepcopy(r) for r in _pool(class_name) if grade_table(r.get(scheme_key), None)), None)
        if record is None:
            pytest.fail(f"{class_name}: no generated record has a scheme with dated grade tables to test {name}")
        table = grade_table(record[scheme_key], date.fromisoformat(record[date_key]))
        assert table is not None and record[grade_key] in table.grades
        record[grade_key] = "不存在的等级"
        assert (f"$.{grade_key}", "rule.grade_by_date") in _errors(class_name, record)
    else:
        pytest.fail(f"{class_name}: named rule {name} has no targeted test")


@pytest.mark.parametrize(("day", "good", "bad"), [
    ("2021-10-31", "general_certified", "regular"),
    ("2021-11-01", "general", "general_certified"),
    ("2026-03-31", "general", "regular"),
    ("2026-04-01", "regular", "general"),
    ("2026-04-01", "seriously_dishonest", "general_certified"),
])
def test_customs_grades_on_both_sides_of_each_date(day: str, good: str, bad: str) -> None:
    """Order 251 (in force 2021-11-01) and Order 282 (in force 2026-04-01): the grade must match the rating date."""
    record = next(copy.deepcopy(r) for r in _pool("credit_rating") if r.get("scheme") == "customs"
                  or r.get("scheme") == "tax")
    record.update(scheme="customs", evaluation_date=day, grade=good)
    for key in ("valid_from", "valid_to", "grade_name"):
        record.pop(key, None)
    assert not _errors("credit_rating", record)
    record["grade"] = bad
    assert _errors("credit_rating", record) == {("$.grade", "rule.grade_by_date")}


@pytest.mark.parametrize(("class_name", "key"), _cases("required"))
def test_required_field(class_name: str, key: str) -> None:
    record = copy.deepcopy(_pool(class_name)[0])
    assert not _errors(class_name, record)
    del record[key]
    assert (f"$.{key}", "record.required") in _errors(class_name, record)
