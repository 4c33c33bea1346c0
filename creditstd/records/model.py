"""A typed view of a record class: its classification and fields, read from its JSON Schema.

The schema is the source of truth; this module only reads it, resolving the
shared types of ``common.schema.json`` so that docs, the CLI, the fake-data
generator and the converters all describe a field the same way.

>>> penalty = record_class('administrative_penalty')
>>> penalty.fields['decision_number'].code, penalty.fields['decision_number'].required
('CF_WSH', True)
>>> penalty.fields['uscc'].kind
'uscc_or_placeholder'
>>> penalty.field_by_code('CF_NR_FK').key
'fine_amount'
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from creditstd.exceptions import CatalogueError
from creditstd.records import loader

__all__ = ["Field", "RecordClass", "record_class"]


@dataclass(frozen=True)
class Field:
    """One field of a record class."""

    key: str
    zh: str
    en: str
    code: str | None
    aliases: tuple[str, ...]
    required: bool
    kind: str
    schema: dict[str, Any]
    openness: str
    sensitivity: str
    mask: dict[str, Any] | None
    role: str | None
    code_table: str | None
    unit: str | None
    note: str | None
    verified: bool

    @property
    def label(self) -> str:
        """``中文名（CODE）`` for messages."""
        return f"{self.zh}（{self.code}）" if self.code else self.zh

    @property
    def is_personal(self) -> bool:
        """Personal or sensitive personal information."""
        return self.sensitivity in ("personal", "sensitive_personal")


@dataclass(frozen=True)
class RecordClass:
    """A record class of the catalogue."""

    name: str
    version: str
    schema_id: str
    zh: str
    en: str
    description_zh: str
    description_en: str
    classification: dict[str, Any]
    identity: tuple[str, ...]
    fields: dict[str, Field]
    rules: tuple[dict[str, Any], ...]
    conditionals: tuple[dict[str, Any], ...]
    references: dict[str, Any] | None
    basis: tuple[dict[str, Any], ...] = field(default=())

    def field_by_code(self, code: str) -> Field:
        """The field with national field code ``code``."""
        for candidate in self.fields.values():
            if candidate.code == code:
                return candidate
        raise CatalogueError("catalogue.unknown_field", f"{self.name} 没有字段代码 {code}",
                             f"{self.name} has no field with code {code}")

    def field_by_role(self, role: str) -> Field | None:
        """The field playing ``role`` (decision_date, penalty_types...), if any."""
        return next((candidate for candidate in self.fields.values() if candidate.role == role), None)


def _kind(schema: dict[str, Any]) -> str:
    """A short name for a field's type: the common type it refers to, its format, or its JSON type."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "format" in schema:
        return schema["format"]
    if "enum" in schema or "anyOf" in schema:
        return "code"
    return str(schema.get("type", "any"))


@functools.cache
def record_class(name: str) -> RecordClass:
    """The typed view of record class ``name``."""
    schema = loader.class_schema(name)
    required = set(schema.get("required", ()))
    fields = {
        key: Field(
            key=key, zh=spec["title"], en=spec["x-title-en"], code=spec.get("x-code"),
            aliases=tuple(spec.get("x-aliases", ())), required=key in required, kind=_kind(spec), schema=spec,
            openness=spec["x-openness"], sensitivity=spec["x-sensitivity"], mask=spec.get("x-mask"),
            role=spec.get("x-role"), code_table=spec.get("x-code-table"), unit=spec.get("x-unit"),
            note=spec.get("x-note"), verified=spec.get("x-verified", True),
        )
        for key, spec in schema["properties"].items()
    }
    return RecordClass(
        name=name, version=schema["x-version"], schema_id=schema["$id"], zh=schema["title"],
        en=schema["x-title-en"], description_zh=schema["description"], description_en=schema["x-description-en"],
        classification=schema["x-classification"], identity=tuple(schema["x-identity"]), fields=fields,
        rules=tuple(schema.get("x-rules", ())), conditionals=tuple(schema.get("allOf", ())),
        references=schema.get("x-references"), basis=tuple(schema.get("x-basis", ())),
    )
