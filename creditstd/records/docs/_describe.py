"""Everything the catalogue says about one record class, as plain JSON-able data.

:func:`describe_class` is what ``creditstd catalogue show --json`` prints; the
class pages say the same things as tables.

>>> data = describe_class("administrative_penalty")
>>> data["name"], data["classification"]["openness"]["code"]
('administrative_penalty', 'public')
>>> fine = next(field for field in data["fields"] if field["key"] == "fine_amount")
>>> fine["required"], fine["required_when"]
(False, ['fine_needs_amount'])
"""

from __future__ import annotations

from typing import Any

from creditstd.records import loader
from creditstd.records.docs._display import rule_sets_for
from creditstd.records.docs._fields import (
    code_table,
    condition_text,
    conditional_required,
    mask_text,
    named_rule_text,
    required_text,
    type_text,
)
from creditstd.records.docs._terms import term
from creditstd.records.model import RecordClass, record_class


def _classification(cls: RecordClass) -> dict[str, Any]:
    classification = cls.classification

    def named(section: str, code: str | None) -> dict[str, Any]:
        zh, en = term(section, code)
        return {"code": code, "zh": zh, "en": en}

    return {
        "subject_types": [named("subject_types", code) for code in classification.get("subject_types", ())],
        "category": named("information_categories", classification.get("category")),
        "sectors": [named("sectors", code) for code in classification.get("sectors", ())],
        "openness": named("openness", classification.get("openness")),
        "sensitivity": named("sensitivity", classification.get("sensitivity")),
        "display_rule": classification.get("display_rule"),
    }


def describe_class(name: str) -> dict[str, Any]:
    """Everything the catalogue says about record class ``name``, as JSON-able data."""
    cls = record_class(name)
    fields = []
    for spec in cls.fields.values():
        required_zh, required_en = required_text(cls, spec)
        mask_zh, mask_en = mask_text(spec.mask)
        fields.append({
            "key": spec.key, "zh": spec.zh, "en": spec.en, "code": spec.code, "aliases": list(spec.aliases),
            "type": type_text(cls, spec), "kind": spec.kind, "required": spec.required,
            "required_when": conditional_required(cls, spec.key), "required_zh": required_zh,
            "required_en": required_en, "openness": spec.openness, "sensitivity": spec.sensitivity,
            "mask": spec.mask, "mask_zh": mask_zh, "mask_en": mask_en, "role": spec.role,
            "code_table": code_table(cls, spec), "unit": spec.unit, "note": spec.note, "verified": spec.verified,
        })
    conditionals = [{
        "rule": rule.get("x-rule"), "code": f"rule.{rule.get('x-rule')}", "if": condition_text(rule.get("if", {})),
        "then": condition_text(rule.get("then", {})), "zh": rule.get("x-message-zh"), "en": rule.get("x-message-en"),
    } for rule in cls.conditionals]
    default = loader.display_rules().get("default")
    return {
        "name": cls.name, "version": cls.version, "id": cls.schema_id, "zh": cls.zh, "en": cls.en,
        "description_zh": cls.description_zh, "description_en": cls.description_en,
        "classification": _classification(cls), "basis": [dict(item) for item in cls.basis],
        "identity": list(cls.identity), "references": cls.references, "fields": fields,
        "conditional_rules": conditionals, "named_rules": [named_rule_text(cls, spec) for spec in cls.rules],
        "display_rule_sets": [{"id": rule_set["id"], "zh": rule_set.get("zh"), "en": rule_set.get("en"),
                               "default": rule_set["id"] == default, "verified": rule_set.get("verified"),
                               "in_force": rule_set.get("in_force"), "repealed": rule_set.get("repealed"),
                               "scope": rule_set.get("scope")}
                              for rule_set in rule_sets_for(cls)],
    }
