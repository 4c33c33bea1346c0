"""A record class's fields and rules in words: types, code tables, requiredness, masking, conditions.

These read the class schema (following ``$ref`` through the catalogue
registry) and say in a line what a field holds and when it is required, what a
masking rule does, and what a conditional (``allOf`` / ``if`` / ``then``) or a
named rule (``x-rules``) asks, with the error codes it reports.  The class
pages and :func:`~creditstd.records.docs.describe_class` both use them.

>>> from creditstd.records.model import record_class
>>> penalty = record_class("administrative_penalty")
>>> type_text(penalty, penalty.fields["authority_uscc"]), type_text(penalty, penalty.fields["decision_number"])
('uscc', 'string, length 1–128')
>>> required_text(penalty, penalty.fields["fine_amount"])
('条件必填：fine_needs_amount', 'when fine_needs_amount')
>>> condition_text({"properties": {"penalty_types": {"contains": {"const": "罚款"}}}})
'penalty_types contains 罚款'
>>> mask_text({"rule": "person_name"})
('姓名脱敏（保留首字）', 'name masked (first character kept)')
>>> named_rule_text(penalty, {"rule": "date_not_after", "field": "decision_date", "other": "today"})["codes"]
['rule.date_in_future']
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

from creditstd.records import loader
from creditstd.records.docs._model import NONE
from creditstd.records.model import Field, RecordClass
from creditstd.records.rules import RULES


def resolve_ref(ref: str, base: str) -> dict[str, Any]:
    """The schema a ``$ref`` points to (through the catalogue registry); ``{}`` when it cannot be found."""
    uri = urljoin(base, ref)
    document, _, fragment = uri.partition("#")
    try:
        node: Any = loader.registry().contents(document)
    except Exception:  # an unknown document: describe the field without it
        return {}
    for part in (piece for piece in fragment.split("/") if piece):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return {}
        node = node[part]
    return node if isinstance(node, dict) else {}


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _schema_text(schema: Mapping[str, Any], base: str) -> str:
    """A short description of a JSON Schema's type and constraints."""
    if "$ref" in schema:
        target = resolve_ref(schema["$ref"], base)
        text = ref_name(schema["$ref"])
        if "format" in target and target["format"] != text:
            text += f" (format {target['format']})"
        return text
    parts: list[str] = []
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items")
        inner = _schema_text(items, base) if isinstance(items, dict) else ""
        parts.append(f"array of ({inner})" if " | " in inner or ", " in inner else f"array of {inner or 'any'}")
    elif isinstance(kind, list):
        parts.append(" | ".join(str(one) for one in kind))
    elif kind:
        parts.append(str(kind))
    elif "enum" in schema:
        parts.append("enum")
    elif "const" in schema:
        parts.append(f"const {json.dumps(schema['const'], ensure_ascii=False)}")
    elif "anyOf" in schema or "oneOf" in schema:
        branches = schema.get("anyOf") or schema.get("oneOf") or []
        texts = dict.fromkeys(_schema_text(branch, base) for branch in branches)
        parts.append(" | ".join(texts) or "anyOf")
    else:
        parts.append("any")
    if "format" in schema:
        parts.append(f"format {schema['format']}")
    if "minLength" in schema or "maxLength" in schema:
        parts.append(f"length {schema.get('minLength', 0)}–{schema.get('maxLength', '∞')}")
    if "pattern" in schema:
        parts.append(f"pattern {schema['pattern']}")
    if "minimum" in schema:
        parts.append(f"≥ {schema['minimum']}")
    if "maximum" in schema:
        parts.append(f"≤ {schema['maximum']}")
    if "minItems" in schema:
        parts.append(f"≥ {schema['minItems']} item(s)")
    if schema.get("uniqueItems"):
        parts.append("unique")
    return ", ".join(parts)


def type_text(cls: RecordClass, spec: Field) -> str:
    """The type of a field: the common type it refers to (``uscc``, ``date``…) or its JSON type and constraints."""
    return _schema_text(spec.schema, cls.schema_id)


def _allowed(schema: Mapping[str, Any], base: str, depth: int = 0) -> tuple[list[Any], list[str]]:
    """The enumerated values and the free-form patterns a schema (and the types it refers to) accepts."""
    values: list[Any] = []
    patterns: list[str] = []
    if depth > 8:
        return values, patterns
    if "$ref" in schema:
        sub = _allowed(resolve_ref(schema["$ref"], base), base, depth + 1)
        values += sub[0]
        patterns += sub[1]
    values += list(schema.get("enum", ()))
    if "const" in schema:
        values.append(schema["const"])
    branches = list(schema.get("anyOf", ())) + list(schema.get("oneOf", ()))
    for branch in branches:
        sub = _allowed(branch, base, depth + 1)
        values += sub[0]
        patterns += sub[1]
        if "pattern" in branch and "enum" not in branch:
            patterns.append(branch["pattern"])
    if isinstance(schema.get("items"), dict):
        sub = _allowed(schema["items"], base, depth + 1)
        values += sub[0]
        patterns += sub[1]
    unique = list(dict.fromkeys(json.dumps(value, ensure_ascii=False) for value in values))
    return [json.loads(value) for value in unique], list(dict.fromkeys(patterns))


def value_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def code_table(cls: RecordClass, spec: Field) -> dict[str, Any] | None:
    """The code table of a field: its taxonomy table (if any), the values the schema accepts, extra patterns."""
    values, patterns = _allowed(spec.schema, cls.schema_id)
    table = loader.taxonomy().get("code_tables", {}).get(spec.code_table) if spec.code_table else None
    if not values and not spec.code_table:  # a pattern alone is a format, shown as the type
        return None
    listed = [item for item in (table or {}).get("values", ()) if isinstance(item, dict)]
    known = {item.get("zh") for item in listed} | {item.get("code") for item in listed}
    return {
        "name": spec.code_table,
        "zh": table["zh"] if table else None,
        "en": table["en"] if table else None,
        "in_taxonomy": table is not None if spec.code_table else None,
        "verified": table.get("verified") if table else None,
        "values": [{"code": item.get("code"), "zh": item.get("zh"), "en": item.get("en")} for item in listed],
        "schema_values": values,
        "extra_values": [value for value in values if value_text(value) not in known] if table else [],
        "patterns": patterns,
    }


def conditional_required(cls: RecordClass, key: str) -> list[str]:
    return [rule["x-rule"] for rule in cls.conditionals
            if key in (rule.get("then", {}).get("required") or ())]


def required_text(cls: RecordClass, spec: Field) -> tuple[str, str]:
    """``(zh, en)``: required, required under named conditional rules, or optional."""
    if spec.required:
        return ("必填", "yes")
    rules = conditional_required(cls, spec.key)
    if rules:
        return (f"条件必填：{'、'.join(rules)}", f"when {', '.join(rules)}")
    return ("选填", "no")


_MASKS = {
    "id_number": ("证件号码脱敏（保留前6位和后4位）", "ID number masked (first 6 and last 4 kept)"),
    "person_name": ("姓名脱敏（保留首字）", "name masked (first character kept)"),
    "drop": ("公示时删除", "left out on publication"),
    "none": ("不脱敏", "not masked"),
}


def mask_text(mask: Mapping[str, Any] | None) -> tuple[str, str]:
    """``(zh, en)`` description of a masking rule."""
    if not mask:
        return (NONE, NONE)
    zh, en = _MASKS.get(mask.get("rule", ""), (f"规则 {mask.get('rule')}", f"rule {mask.get('rule')}"))
    if mask.get("when_subject"):
        subjects = "、".join(str(subject) for subject in mask["when_subject"])
        zh += f"，仅当主体类别为{subjects}"
        en += f", only when the subject is {subjects}"
    return (zh, en)


def _label(cls: RecordClass, key: str) -> str:
    spec = cls.fields.get(key)
    return f"{spec.zh}（{key}）" if spec else key


def _clause(key: str, spec: Any) -> str:
    if not isinstance(spec, dict):
        return f"{key}: {json.dumps(spec, ensure_ascii=False)}"
    if "const" in spec:
        return f"{key} = {value_text(spec['const'])}"
    if "enum" in spec:
        return f"{key} ∈ {{{', '.join(value_text(value) for value in spec['enum'])}}}"
    if isinstance(spec.get("not"), dict) and "const" in spec["not"]:
        return f"{key} ≠ {value_text(spec['not']['const'])}"
    if isinstance(spec.get("contains"), dict):
        inner = spec["contains"]
        if "const" in inner:
            return f"{key} contains {value_text(inner['const'])}"
        if "enum" in inner:
            return f"{key} contains any of {{{', '.join(value_text(value) for value in inner['enum'])}}}"
    if "format" in spec and len(spec) == 1:
        return f"{key} has format {spec['format']}"
    return f"{key}: {json.dumps(spec, ensure_ascii=False, separators=(',', ':'))}"


def condition_text(schema: Mapping[str, Any]) -> str:
    """A compact formula for the ``if`` or ``then`` of a conditional rule."""
    clauses = [_clause(key, spec) for key, spec in schema.get("properties", {}).items()]
    mentioned = set(schema.get("properties", {}))
    required = [key for key in schema.get("required", ()) if key not in mentioned]
    if required:
        clauses.append(f"required: {', '.join(required)}")
    other = {key: value for key, value in schema.items() if key not in ("properties", "required")}
    if other:
        clauses.append(json.dumps(other, ensure_ascii=False, separators=(",", ":")))
    return " and ".join(clauses) or "always"


def named_rule_text(cls: RecordClass, spec: Mapping[str, Any]) -> dict[str, Any]:
    """A named rule of ``x-rules`` in words: ``{rule, params, zh, en, codes}``."""
    rule = spec.get("rule", "")
    params = {key: value for key, value in spec.items() if key != "rule"}
    if rule == "date_not_after" and params.get("other") == "today":
        first = _label(cls, params.get("field", ""))
        zh, en = f"{first}不得晚于今天", f"{params.get('field')} must not be in the future"
        codes = ["rule.date_in_future"]
    elif rule == "date_not_after":
        first, second = _label(cls, params.get("field", "")), _label(cls, params.get("other", ""))
        zh = f"{first}不得晚于{second}"
        en = f"{params.get('field')} must not be later than {params.get('other')}"
        codes = ["rule.date_not_after"]
    elif rule == "orgcode_in_uscc":
        org, code = _label(cls, params.get("orgcode", "")), _label(cls, params.get("uscc", ""))
        zh = f"{org}须与{code}第9–17位一致"
        en = f"{params.get('orgcode')} must equal positions 9-17 of {params.get('uscc')}"
        codes = ["rule.orgcode_in_uscc"]
    else:
        doc = (RULES[rule].__doc__ or "").strip().splitlines()[0] if rule in RULES else ""
        zh = f"规则 {rule}：{json.dumps(params, ensure_ascii=False)}"
        en = f"rule {rule} {json.dumps(params, ensure_ascii=False)}" + (f": {doc}" if doc else "")
        codes = [f"rule.{rule}"]
    return {"rule": rule, "params": params, "zh": zh, "en": en, "codes": codes}
