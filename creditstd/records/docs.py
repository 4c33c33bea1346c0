"""A browsable reference of the whole catalogue, generated from the data (never written by hand).

:func:`render_markdown` and :func:`render_html` return ``{file name: contents}``
for an index page, one page per record class, the taxonomy, the display rule
sets and the error codes; :func:`write_docs` writes them into a directory,
each file atomically.  :func:`describe_class` is the same description of a
class as plain JSON-able data (the ``creditstd catalogue show`` command uses
it).

Every page is built once as a small document model (headings, paragraphs,
tables, lists of inline text, code and links) and rendered twice, so the two
formats always say the same thing.  Everything comes from the catalogue's
JSON files, :data:`creditstd.exceptions.ERRORS`, the validator's keyword
messages and the named rules.

>>> pages = render_markdown()
>>> 'index.md' in pages and 'class-administrative_penalty.md' in pages
True
>>> '`CF_WSH`' in pages['class-administrative_penalty.md']
True
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union
from urllib.parse import urljoin

from creditstd.exceptions import ERRORS
from creditstd.records import loader
from creditstd.records.model import Field, RecordClass, record_class
from creditstd.records.rules import RULES
from creditstd.records.validation import _KEYWORD_MESSAGES

__all__ = [
    "FORMATS",
    "describe_class",
    "duration_text",
    "mask_text",
    "named_rule_text",
    "render_html",
    "render_markdown",
    "required_text",
    "rule_sets_for",
    "type_text",
    "write_docs",
]

#: Output formats of :func:`write_docs` and their file extensions.
FORMATS = {"markdown": ".md", "html": ".html"}

UNVERIFIED = "⚠ 未核实 / unverified"
VERIFIED = "✓ 已核实 / verified"

# ---------------------------------------------------------------------------
# The document model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    """Inline code: identifiers, field keys, national codes, patterns."""

    text: str


@dataclass(frozen=True)
class Link:
    """A link to another page (by page name, without extension) and an optional anchor."""

    text: str
    page: str
    anchor: str | None = None


@dataclass(frozen=True)
class Lines:
    """Inline parts shown on separate lines (a line break inside a table cell)."""

    items: tuple[Any, ...]


#: Inline content: text, code, a link, lines, or a tuple of inline parts shown one after another.
Inline = Union[str, Code, Link, Lines, tuple]  # noqa: UP007 - a runtime alias, kept py3.10-friendly


@dataclass(frozen=True)
class Heading:
    level: int
    text: Inline
    anchor: str | None = None


@dataclass(frozen=True)
class Para:
    text: Inline


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: list[tuple[Inline, ...]]


@dataclass(frozen=True)
class Bullets:
    items: list[Inline]


@dataclass(frozen=True)
class Pre:
    text: str


@dataclass
class Page:
    name: str
    title: str
    blocks: list[Any] = field(default_factory=list)

    def add(self, *blocks: Any) -> None:
        self.blocks.extend(blocks)


NONE = "—"


def _join(parts: Iterable[Inline], separator: Inline = "、") -> tuple:
    """Concatenate inline parts with a separator."""
    out: list[Inline] = []
    for part in parts:
        if out:
            out.append(separator)
        out.append(part)
    return tuple(out) if out else (NONE,)


def _verified(flag: Any) -> str:
    return UNVERIFIED if flag is False else VERIFIED if flag is True else NONE


# ---------------------------------------------------------------------------
# Reading the data: taxonomy terms, types, values, rules in words
# ---------------------------------------------------------------------------


def _taxonomy_index(section: str) -> dict[str, dict[str, Any]]:
    entries = loader.taxonomy().get(section, [])
    return {entry["code"]: entry for entry in entries if isinstance(entry, dict) and "code" in entry}


def term(section: str, code: str | None) -> tuple[str, str]:
    """``(zh, en)`` names of a taxonomy code; unknown codes are shown as such."""
    if code is None:
        return (NONE, NONE)
    entry = _taxonomy_index(section).get(code)
    if entry is None:
        return (f"{code}（分类标准中无此代码）", f"{code} (not in the taxonomy)")
    return (entry["zh"], entry["en"])


def _term_inline(section: str, code: str | None, anchor: str | None = None, mark: bool = True) -> Inline:
    if code is None:
        return NONE
    zh, en = term(section, code)
    entry = _taxonomy_index(section).get(code)
    text = f"{zh} / {en}" if entry else f"⚠ {zh} / {en}"
    flag = f" {UNVERIFIED}" if mark and entry and entry.get("verified") is False else ""
    return (Link(text, "taxonomy", anchor or section.replace("_", "-")), " ", Code(code), flag)


def _resolve(ref: str, base: str) -> dict[str, Any]:
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


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _schema_text(schema: Mapping[str, Any], base: str) -> str:
    """A short description of a JSON Schema's type and constraints."""
    if "$ref" in schema:
        target = _resolve(schema["$ref"], base)
        text = _ref_name(schema["$ref"])
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
        sub = _allowed(_resolve(schema["$ref"], base), base, depth + 1)
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


def _value_str(value: Any) -> str:
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
        "extra_values": [value for value in values if _value_str(value) not in known] if table else [],
        "patterns": patterns,
    }


def _conditional_required(cls: RecordClass, key: str) -> list[str]:
    return [rule["x-rule"] for rule in cls.conditionals
            if key in (rule.get("then", {}).get("required") or ())]


def required_text(cls: RecordClass, spec: Field) -> tuple[str, str]:
    """``(zh, en)``: required, required under named conditional rules, or optional."""
    if spec.required:
        return ("必填", "yes")
    rules = _conditional_required(cls, spec.key)
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
        return f"{key} = {_value_str(spec['const'])}"
    if "enum" in spec:
        return f"{key} ∈ {{{', '.join(_value_str(value) for value in spec['enum'])}}}"
    if isinstance(spec.get("not"), dict) and "const" in spec["not"]:
        return f"{key} ≠ {_value_str(spec['not']['const'])}"
    if isinstance(spec.get("contains"), dict):
        inner = spec["contains"]
        if "const" in inner:
            return f"{key} contains {_value_str(inner['const'])}"
        if "enum" in inner:
            return f"{key} contains any of {{{', '.join(_value_str(value) for value in inner['enum'])}}}"
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


def rule_sets_for(cls: RecordClass) -> list[dict[str, Any]]:
    """The display rule sets that apply to a class (by its kind of display rule)."""
    kind = cls.classification.get("display_rule")
    if kind is None:
        return []
    sets = loader.display_rules().get("rule_sets", ())
    return [rule_set for rule_set in sets if kind in rule_set.get("applies_to", ())]


_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$")


def duration_text(period: str) -> str:
    """An ISO 8601 duration in words: ``P3M`` -> ``3个月 / 3 months``."""
    match = _DURATION.match(period or "")
    if not match or period == "P":
        return str(period)
    years, months, days = (int(part) if part else 0 for part in match.groups())
    zh = "".join(f"{n}{unit}" for n, unit in ((years, "年"), (months, "个月"), (days, "日")) if n)
    en = ", ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in ((years, "year"), (months, "month"),
                                                                          (days, "day")) if n)
    return f"{zh} / {en}"


def _when_text(condition: Any) -> str:
    """The condition language of the display rule sets, in words."""
    if not isinstance(condition, dict):
        return json.dumps(condition, ensure_ascii=False)
    if not condition:
        return "其他情况 / otherwise"
    parts = []
    for clause, argument in condition.items():
        if clause in ("all", "any") and isinstance(argument, list):
            joiner = " and " if clause == "all" else " or "
            parts.append("(" + joiner.join(_when_text(part) for part in argument) + ")")
        elif clause == "not":
            parts.append(f"not {_when_text(argument)}")
        elif clause == "penalty_types_subset_of":
            parts.append(f"penalty types only from {{{'、'.join(map(str, argument))}}}")
        elif clause == "penalty_types_intersect":
            parts.append(f"penalty types include any of {{{'、'.join(map(str, argument))}}}")
        elif clause == "fine_at_most":
            limit = f"parameter {argument['param']}" if isinstance(argument, dict) else str(argument)
            parts.append(f"fine ≤ {limit}")
        elif clause == "field_equals" and isinstance(argument, dict):
            parts.append(" and ".join(f"[{role}] = {_value_str(value)}" for role, value in argument.items()))
        elif clause == "field_in" and isinstance(argument, dict):
            parts.append(" and ".join(f"[{role}] ∈ {{{', '.join(map(_value_str, values))}}}"
                                      for role, values in argument.items()))
        else:
            parts.append(json.dumps({clause: argument}, ensure_ascii=False))
    return " and ".join(parts)


def _period_text(rule: Mapping[str, Any]) -> str:
    if rule.get("publish") is False:
        return "不予公示 / not published"
    period = rule.get("period") or {}
    parts = []
    if "min" in period:
        parts.append(f"min {duration_text(period['min'])}")
    if "max" in period:
        parts.append(f"max {duration_text(period['max'])}")
    if "until" in period:
        parts.append(f"until [{period['until']}]")
    if "extend_to" in rule:
        parts.append(f"extended to [{rule['extend_to']}] if later")
    return "; ".join(parts) or NONE


# ---------------------------------------------------------------------------
# A class as plain data (CLI JSON output, and the base of the class pages)
# ---------------------------------------------------------------------------


def _classification(cls: RecordClass) -> dict[str, Any]:
    classification = cls.classification

    def named(section: str, code: str) -> dict[str, Any]:
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
            "required_when": _conditional_required(cls, spec.key), "required_zh": required_zh,
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
                               "default": rule_set["id"] == default, "verified": rule_set.get("verified")}
                              for rule_set in rule_sets_for(cls)],
    }


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------

NAV = (("index", "目录 / Index"), ("taxonomy", "分类标准 / Taxonomy"),
       ("display_rules", "公示规则 / Display rules"), ("errors", "错误代码 / Error codes"))


def class_page_name(name: str) -> str:
    """The page name (without extension) of a record class."""
    return f"class-{name}"


def _classes() -> list[RecordClass]:
    return [record_class(name) for name in loader.class_names()]


def _index_page(classes: Sequence[RecordClass]) -> Page:
    index = loader.index()
    page = Page("index", f"{index.get('title', '目录')} / {index.get('title_en', 'Catalogue')}")
    page.add(Heading(1, page.title),
             Para(("目录版本 / catalogue version ", Code(str(index.get("version"))),
                   "；分类标准版本 / taxonomy version ", Code(str(loader.taxonomy().get("version"))),
                   "；公示规则版本 / display rules version ",
                   Code(str(loader.display_rules().get("version"))))),
             Para("本参考由目录数据自动生成，请勿手工编辑。 / Generated from the catalogue data; do not edit by hand."),
             Heading(2, "记录类 / Record classes", "classes"))
    rows = []
    for cls in classes:
        kind = cls.classification.get("display_rule")
        sets = rule_sets_for(cls)
        display: Inline = NONE if kind is None else (Code(kind), " → ", _join(
            [Link(rule_set["id"], "display_rules", f"rule-set-{rule_set['id']}") for rule_set in sets], ", ")
            if sets else "⚠ 无适用规则集 / no rule set")
        rows.append((Link(cls.name, class_page_name(cls.name)), cls.zh, cls.en,
                     _term_inline("information_categories", cls.classification.get("category"), "categories"),
                     _term_inline("openness", cls.classification.get("openness")), display, Code(cls.version),
                     str(len(cls.fields))))
    page.add(Table(("类 / class", "中文名", "English", "信息类别 / category", "公开属性 / openness",
                    "公示规则 / display rule", "版本 / version", "字段数 / fields"), rows),
             Heading(2, "其他页面 / Other pages", "pages"),
             Bullets([Link(text, name) for name, text in NAV[1:]]))
    return page


def _field_row(cls: RecordClass, spec: Field) -> tuple[Inline, ...]:
    required_zh, required_en = required_text(cls, spec)
    rules = _conditional_required(cls, spec.key)
    required: Inline = (f"{required_zh.split('：')[0]} / conditional: ", _join(map(Code, rules), ", ")) if rules \
        else f"{required_zh} / {required_en}"
    mask_zh, mask_en = mask_text(spec.mask)
    table = code_table(cls, spec)
    values: Inline = NONE
    if table:
        parts: list[Inline] = []
        if table["name"]:
            if table["in_taxonomy"]:
                mark = f" {UNVERIFIED}" if table["verified"] is False else ""
                parts.append((Link(f"{table['zh']} / {table['en']}", "taxonomy", f"code-table-{table['name']}"),
                              " ", Code(table["name"]), mark))
            else:
                parts.append(("⚠ ", Code(table["name"]), "（分类标准中无此代码表 / not a taxonomy code table）"))
        listed = [item["zh"] for item in table["values"]] if table["name"] \
            else list(map(_value_str, table["schema_values"]))
        if listed:
            parts.append("、".join(listed))
        if table["extra_values"]:
            parts.append("另可 / also accepted: " + "、".join(map(_value_str, table["extra_values"])))
        if table["patterns"]:
            parts.append(("格式 / pattern: ", _join(map(Code, table["patterns"]), ", ")))
        values = Lines(tuple(parts)) if parts else NONE
    notes: list[Inline] = []
    if spec.note:
        notes.append(spec.note)
    if "$ref" in spec.schema:
        description = _resolve(spec.schema["$ref"], cls.schema_id).get("description")
        if description:
            notes.append(f"{_ref_name(spec.schema['$ref'])}: {description}")
    if not spec.verified:
        notes.append(UNVERIFIED)
    return (
        Code(spec.key), spec.zh, spec.en, Code(spec.code) if spec.code else NONE,
        _join(map(Code, spec.aliases), ", ") if spec.aliases else NONE, Code(type_text(cls, spec)), required,
        _term_inline("openness", spec.openness, mark=False), _term_inline("sensitivity", spec.sensitivity, mark=False),
        NONE if not spec.mask else f"{mask_zh} / {mask_en}", values, spec.unit or NONE,
        Lines(tuple(notes)) if notes else NONE,
    )


def _class_page(cls: RecordClass) -> Page:
    page = Page(class_page_name(cls.name), f"{cls.zh} / {cls.en}")
    classification = cls.classification
    page.add(Heading(1, page.title),
             Para(("类名 / class ", Code(cls.name), "；版本 / version ", Code(cls.version), "；$id ",
                   Code(cls.schema_id))),
             Heading(2, "说明 / Description", "description"), Para(cls.description_zh), Para(cls.description_en),
             Heading(2, "分类 / Classification", "classification"))
    sectors = classification.get("sectors") or []
    kind = classification.get("display_rule")
    page.add(Table(("项目 / aspect", "取值 / value"), [
        ("主体类型 / subject types", _join((_term_inline("subject_types", code, "subject-types")
                                            for code in classification.get("subject_types", ())), "；")),
        ("信息类别 / information category",
         _term_inline("information_categories", classification.get("category"), "categories")),
        ("领域 / sectors", _join((_term_inline("sectors", code) for code in sectors), "；") if sectors
         else "全部领域 / every sector"),
        ("公开属性 / openness", _term_inline("openness", classification.get("openness"))),
        ("敏感程度 / sensitivity", _term_inline("sensitivity", classification.get("sensitivity"))),
        ("公示规则 / display rule", Code(kind) if kind else "不设公示期 / no display period"),
        ("标识字段 / identity fields", _join((Code(key) for key in cls.identity), ", ")),
    ]))
    if cls.references:
        reference = cls.references
        when = ", ".join(f"{key} = {_value_str(value)}" for key, value in (reference.get("when") or {}).items())
        page.add(Heading(2, "关联记录 / Related record", "references"), Para((
            "字段 / field ", Code(str(reference.get("field"))), " 指向另一条记录；效果 / effect ",
            Code(str(reference.get("effect"))),
            *(("；条件 / when ", Code(when)) if when else ()),
            *(("；起始日期字段 / from ", Code(str(reference["from"]))) if reference.get("from") else ()),
        )))
    page.add(Heading(2, "依据 / Basis", "basis"))
    page.add(Table(("文件 / document", "条款 / article", "说明 / note", "核实 / verified"), [
        (item.get("document", NONE), item.get("article") or NONE, item.get("note") or NONE,
         _verified(item.get("verified"))) for item in cls.basis]) if cls.basis else Para(NONE))
    page.add(Heading(2, "字段 / Fields", "fields"),
             Table(("键 / key", "中文名", "English", "国家字段代码 / code", "别名 / aliases", "类型 / type",
                    "必填 / required", "公开属性 / openness", "敏感程度 / sensitivity", "脱敏 / masking",
                    "代码表或取值 / code table or values", "单位 / unit", "说明 / notes"),
                   [_field_row(cls, spec) for spec in cls.fields.values()]))
    page.add(Heading(2, "条件规则 / Conditional rules", "conditional-rules"))
    page.add(Table(("规则 / rule", "条件 / if", "要求 / then", "中文", "English", "错误代码 / error code"), [
        (Code(str(rule.get("x-rule"))), Code(condition_text(rule.get("if", {}))),
         Code(condition_text(rule.get("then", {}))), rule.get("x-message-zh", NONE), rule.get("x-message-en", NONE),
         Link(f"rule.{rule.get('x-rule')}", "errors", "rule-codes")) for rule in cls.conditionals])
             if cls.conditionals else Para(NONE))
    page.add(Heading(2, "命名规则 / Named rules", "named-rules"))
    named = [named_rule_text(cls, spec) for spec in cls.rules]
    page.add(Table(("规则 / rule", "参数 / parameters", "中文", "English", "错误代码 / error code"), [
        (Code(item["rule"]), Code(json.dumps(item["params"], ensure_ascii=False)), item["zh"], item["en"],
         _join((Link(code, "errors", "rule-codes") for code in item["codes"]), ", ")) for item in named])
             if named else Para(NONE))
    page.add(Heading(2, "公示规则集 / Display rule sets", "display-rule-sets"))
    sets = rule_sets_for(cls)
    default = loader.display_rules().get("default")
    if kind is None:
        page.add(Para("本类信息不设公示期。 / This class is not published with a display period."))
    elif not sets:
        page.add(Para(("⚠ 没有适用于 ", Code(kind), " 的规则集。 / No rule set applies to ", Code(kind), ".")))
    else:
        page.add(Bullets([(Link(f"{rule_set.get('zh')} / {rule_set.get('en')}", "display_rules",
                                f"rule-set-{rule_set['id']}"), " ", Code(rule_set["id"]),
                           "（默认 / default）" if rule_set["id"] == default else "",
                           f" {UNVERIFIED}" if rule_set.get("verified") is False else "") for rule_set in sets]))
    return page


def _source_text(source: Mapping[str, Any] | None) -> Inline:
    if not source:
        return NONE
    main = f"{source.get('seed', '')} {source.get('section', '')}"
    if source.get("items"):
        main += f" items {', '.join(source['items'])}"
    also = [f"{item.get('seed', '')} {item.get('section', '')}" for item in source.get("also_in", ())]
    return Lines((main, *(f"also: {item}" for item in also)))


def _described_table(entries: Sequence[Mapping[str, Any]], extra: Sequence[str] = ()) -> Table:
    headers = ("代码 / code", "中文", "English", *extra, "说明 / description", "核实 / verified", "备注 / note")
    rows = []
    for entry in entries:
        description = Lines(tuple(text for text in (entry.get("description_zh"), entry.get("description_en")) if text))
        rows.append((Code(str(entry.get("code"))), entry.get("zh", NONE), entry.get("en", NONE),
                     *(str(entry.get(key, NONE)) for key in extra), description if description.items else NONE,
                     _verified(entry.get("verified")), entry.get("note") or NONE))
    return Table(headers, rows)


def _values_table(values: Sequence[Mapping[str, Any]]) -> Table:
    rows = []
    for value in values:
        department = value.get("department")
        rows.append((Code(str(value.get("code"))), value.get("zh", NONE), value.get("en", NONE),
                     _join(map(Code, value.get("aliases", ())), ", ") if value.get("aliases") else NONE,
                     f"{department.get('zh')} / {department.get('en')}" if isinstance(department, dict) else NONE,
                     _term_inline("sectors", value["sector"]) if value.get("sector") else NONE,
                     _verified(value.get("verified")), value.get("note") or NONE))
    return Table(("代码 / code", "中文", "English", "别名 / aliases", "部门 / department", "领域 / sector",
                  "核实 / verified", "备注 / note"), rows)


_TAXONOMY_SECTIONS = {
    "subject_types": "主体类型 / Subject types", "information_categories": "信息类别 / Information categories",
    "openness": "公开属性 / Openness", "sensitivity": "敏感程度 / Sensitivity", "sectors": "领域 / Sectors",
    "code_tables": "代码表 / Code tables",
}


def _taxonomy_page() -> Page:
    taxonomy = loader.taxonomy()
    page = Page("taxonomy", "分类标准 / Taxonomy")
    page.add(Heading(1, page.title), Para(("版本 / version ", Code(str(taxonomy.get("version"))))))
    page.add(Heading(2, _TAXONOMY_SECTIONS["subject_types"], "subject-types"), Table(
        ("代码 / code", "中文", "English", "标识 / identifiers", "依据 / basis", "备注 / note"),
        [(Code(entry["code"]), entry.get("zh", NONE), entry.get("en", NONE),
          _join(map(Code, entry.get("identifiers", ())), ", "), entry.get("basis") or NONE, entry.get("note") or NONE)
         for entry in taxonomy.get("subject_types", ())]))
    page.add(Heading(2, _TAXONOMY_SECTIONS["information_categories"], "categories"),
             _described_table(taxonomy.get("information_categories", ())),
             Heading(2, _TAXONOMY_SECTIONS["openness"], "openness"), _described_table(taxonomy.get("openness", ())),
             Heading(2, _TAXONOMY_SECTIONS["sensitivity"], "sensitivity"),
             _described_table(taxonomy.get("sensitivity", ()), ("rank",)))
    sector_rows = []
    for sector in taxonomy.get("sectors", ()):
        departments = Lines(tuple(
            f"{item.get('zh')} / {item.get('en')} — {item.get('role')}"
            + (f" ({item['note']})" if item.get("note") else "") for item in sector.get("departments", ())))
        sector_rows.append((Code(sector["code"]), sector.get("zh", NONE), sector.get("en", NONE),
                            Code(sector["parent"]) if sector.get("parent") else NONE, departments,
                            _source_text(sector.get("source")), sector.get("note") or NONE))
    page.add(Heading(2, _TAXONOMY_SECTIONS["sectors"], "sectors"),
             Para("部门角色 / department roles: lead 牵头, responsible 负责, participant 参与."),
             Table(("代码 / code", "中文", "English", "上级 / parent", "部门 / departments (role)", "来源 / source",
                    "备注 / note"), sector_rows))
    page.add(Heading(2, _TAXONOMY_SECTIONS["code_tables"], "code-tables"))
    for name, table in taxonomy.get("code_tables", {}).items():
        page.add(Heading(3, (f"{table.get('zh')} / {table.get('en')} ", Code(name)), f"code-table-{name}"),
                 Para(("依据 / basis: ", table.get("basis") or NONE, "；", _verified(table.get("verified"))))
                 )
        if table.get("note"):
            page.add(Para(("备注 / note: ", table["note"])))
        values = [value for value in table.get("values", ()) if isinstance(value, dict)]
        if any("grades" in value for value in values):
            for scheme in values:
                department = scheme.get("department") or {}
                page.add(Heading(4, (f"{scheme.get('zh')} / {scheme.get('en')} ", Code(str(scheme.get("code")))),
                                 f"grade-scheme-{scheme.get('code')}"),
                         Para(("部门 / department: ", f"{department.get('zh', NONE)} / {department.get('en', NONE)}",
                               "；领域 / sector: ",
                               _term_inline("sectors", scheme["sector"]) if scheme.get("sector") else NONE, "；",
                               _verified(scheme.get("verified")))),
                         Para(("依据 / basis: ", scheme.get("basis") or NONE)))
                if scheme.get("note"):
                    page.add(Para(("备注 / note: ", scheme["note"])))
                grades = scheme.get("grades") or []
                page.add(Table(("等级 / grade", "中文", "English", "名次 / rank", "备注 / note"), [
                    (Code(str(grade.get("code"))), grade.get("zh", NONE), grade.get("en", NONE),
                     str(grade.get("rank", NONE)), grade.get("note") or NONE) for grade in grades])
                         if grades else Para("等级未知 / grades not known"))
        else:
            page.add(_values_table(values))
    for key, value in taxonomy.items():
        if key not in _TAXONOMY_SECTIONS and key not in ("$schema", "version"):
            page.add(Heading(2, key, key.replace("_", "-")), Pre(json.dumps(value, ensure_ascii=False, indent=2)))
    return page


def _display_rules_page(classes: Sequence[RecordClass]) -> Page:
    rules = loader.display_rules()
    page = Page("display_rules", "公示规则 / Display rules")
    default = Link(str(rules.get("default")), "display_rules", f"rule-set-{rules.get('default')}")
    page.add(Heading(1, page.title),
             Para(("版本 / version ", Code(str(rules.get("version"))), "；默认规则集 / default ", default)))
    if rules.get("description"):
        page.add(Para(rules["description"]))
    page.add(Para("条件中的 [角色] 指字段的 x-role。 / In conditions, [role] is a field's x-role."))
    for rule_set in rules.get("rule_sets", ()):
        basis = rule_set.get("basis") or {}
        users = [cls for cls in classes if cls.classification.get("display_rule") in rule_set.get("applies_to", ())]
        page.add(Heading(2, (f"{rule_set.get('zh')} / {rule_set.get('en')} ", Code(rule_set["id"])),
                         f"rule-set-{rule_set['id']}"))
        page.add(Table(("项目 / aspect", "取值 / value"), [
            ("依据 / basis", Lines(tuple(f"{key}: {value}" for key, value in basis.items())) if basis else NONE),
            ("核实 / verified", _verified(rule_set.get("verified"))),
            ("默认 / default", "是 / yes" if rule_set["id"] == rules.get("default") else "否 / no"),
            ("适用种类 / applies to", _join(map(Code, rule_set.get("applies_to", ())), ", ")),
            ("适用的类 / classes", _join((Link(f"{cls.zh} / {cls.en}", class_page_name(cls.name)) for cls in users),
                                       "；") if users else "（目录中暂无 / none in the catalogue）"),
            ("起算日期 / start", _join((Code(f"[{role}]") for role in rule_set.get("start", ())), " → ")),
            ("不得提前结束 / no early end", _join(rule_set.get("no_early_end") or (), "、")),
        ]))
        parameters = rule_set.get("parameters") or {}
        if parameters:
            page.add(Heading(3, "参数 / Parameters", f"rule-set-{rule_set['id']}-parameters"), Table(
                ("参数 / parameter", "值 / value", "单位 / unit", "中文", "English", "核实 / verified"),
                [(Code(name), json.dumps(spec.get("value"), ensure_ascii=False), spec.get("unit") or NONE,
                  spec.get("zh") or NONE, spec.get("en") or NONE, _verified(spec.get("verified")))
                 for name, spec in parameters.items()]))
        page.add(Heading(3, "规则（按顺序，首条成立者适用） / Rules (in order; the first that holds decides)",
                         f"rule-set-{rule_set['id']}-rules"), Table(
            ("#", "规则 / rule", "条件 / when", "公示期 / period", "可提前结束 / early end", "中文", "English"),
            [(str(number), Code(str(rule.get("id"))), _when_text(rule.get("when", {})), _period_text(rule),
              NONE if rule.get("publish") is False else ("是 / yes" if rule.get("early_end") else "否 / no"),
              rule.get("zh") or NONE, rule.get("en") or NONE)
             for number, rule in enumerate(rule_set.get("rules", ()), 1)]))
        notes = [text for text in (rule_set.get("note_zh"), rule_set.get("note_en")) if text]
        if notes:
            page.add(Para(("备注 / note: ", Lines(tuple(notes)))))
    return page


#: Codes the record validator emits besides those of ERRORS: code -> (zh, en, where).
_RECORD_CODES: dict[str, tuple[str, str, str]] = {
    "record.type": ("记录应为对象；或：类型应为{expected}",
                    "a record must be an object; or: must be of type {expected}", "record / field"),
    "record.required": ("必填", "is required", "schema required"),
    "record.unknown_field": ("未知字段", "unknown field", "additionalProperties"),
}


def _errors_page(classes: Sequence[RecordClass]) -> Page:
    page = Page("errors", "错误代码 / Error codes")
    page.add(Heading(1, page.title),
             Para("代码稳定不变，只增不改。消息模板中的 {…} 在报错时填入。 / Codes are stable (only ever added); "
                  "the {…} fields of a template are filled in when the error is raised."),
             Heading(2, "代码校验 / Identifier and value errors", "identifier-codes"))
    page.add(Table(("代码 / code", "异常类 / exception", "中文模板 / zh template", "English template"), [
        (Code(code), Code(cls.__name__), zh, en) for code, (cls, zh, en) in ERRORS.items()]))
    page.add(Heading(2, "记录校验 / Record validation", "record-codes"),
             Para("字段格式错误沿用上表的代码（如 uscc.checksum）；消息前加字段名。 / A field's format error keeps the "
                  "code of the table above (e.g. uscc.checksum); messages are prefixed with the field."))
    rows: list[tuple[Inline, ...]] = [(Code(code), zh, en, where) for code, (zh, en, where) in _RECORD_CODES.items()]
    rows += [(Code(f"record.{keyword}"), zh, en, f"JSON Schema {keyword}")
             for keyword, (zh, en) in _KEYWORD_MESSAGES.items() if f"record.{keyword}" not in _RECORD_CODES]
    rows.append((Code("record.<keyword>"), "不符合要求", "fails <keyword>", "any other JSON Schema keyword"))
    page.add(Table(("代码 / code", "中文", "English", "来源 / source"), rows))
    page.add(Heading(2, "规则代码 / Rule codes", "rule-codes"),
             Para("条件规则（allOf 中的 x-rule）报 rule.<x-rule>；命名规则（x-rules）报下表代码。 / A conditional rule "
                  "(x-rule in allOf) reports rule.<x-rule>; named rules (x-rules) report the codes below."))
    conditional: dict[str, dict[str, Any]] = {}
    for cls in classes:
        for rule in cls.conditionals:
            entry = conditional.setdefault(rule.get("x-rule"), {"zh": [], "en": [], "classes": []})
            for language in ("zh", "en"):
                message = rule.get(f"x-message-{language}")
                if message and message not in entry[language]:
                    entry[language].append(message)
            entry["classes"].append(cls)
    named: dict[str, dict[str, Any]] = {}
    for cls in classes:
        for spec in cls.rules:
            text = named_rule_text(cls, spec)
            for code in text["codes"]:
                entry = named.setdefault(code, {"zh": [], "en": [], "classes": []})
                entry["zh"].append(text["zh"])
                entry["en"].append(text["en"])
                if cls not in entry["classes"]:
                    entry["classes"].append(cls)
    rule_rows: list[tuple[Inline, ...]] = []
    for code, entry in sorted(conditional.items()):
        rule_rows.append((Code(f"rule.{code}"), "条件规则 / conditional", Lines(tuple(entry["zh"])),
                          Lines(tuple(entry["en"])), _join((Link(cls.name, class_page_name(cls.name))
                                                            for cls in entry["classes"]), ", ")))
    for code, entry in sorted(named.items()):
        rule_rows.append((Code(code), "命名规则 / named", Lines(tuple(dict.fromkeys(entry["zh"]))),
                          Lines(tuple(dict.fromkeys(entry["en"]))),
                          _join((Link(cls.name, class_page_name(cls.name)) for cls in entry["classes"]), ", ")))
    page.add(Table(("代码 / code", "种类 / kind", "中文", "English", "记录类 / classes"), rule_rows))
    return page


def _pages() -> list[Page]:
    classes = _classes()
    return [_index_page(classes), *(_class_page(cls) for cls in classes), _taxonomy_page(),
            _display_rules_page(classes), _errors_page(classes)]


# ---------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|<>#])")


def _md_text(text: str) -> str:
    text = re.sub(r"\s+", " ", str(text))  # no newlines inside table cells
    return _MD_SPECIAL.sub(lambda match: "&lt;" if match.group(1) == "<" else "&gt;" if match.group(1) == ">"
                           else "\\" + match.group(1), text)


def _md_inline(part: Inline) -> str:
    if isinstance(part, Code):
        text = re.sub(r"\s+", " ", part.text).replace("|", "\\|")
        fence = "``" if "`" in text else "`"
        pad = " " if fence == "``" or text.startswith("`") else ""
        return f"{fence}{pad}{text}{pad}{fence}"
    if isinstance(part, Link):
        target = part.page + FORMATS["markdown"] + (f"#{part.anchor}" if part.anchor else "")
        return f"[{_md_text(part.text)}]({target})"
    if isinstance(part, Lines):
        return "<br>".join(_md_inline(item) for item in part.items)
    if isinstance(part, tuple):
        return "".join(_md_inline(item) for item in part)
    return _md_text(str(part))


def _md_page(page: Page) -> str:
    nav = " · ".join(f"[{_md_text(text)}]({name}{FORMATS['markdown']})" for name, text in NAV)
    out = [nav, ""]
    for block in page.blocks:
        if isinstance(block, Heading):
            if block.anchor:
                out.append(f'<a id="{html.escape(block.anchor, quote=True)}"></a>')
                out.append("")
            out += ["#" * block.level + " " + _md_inline(block.text), ""]
        elif isinstance(block, Para):
            out += [_md_inline(block.text), ""]
        elif isinstance(block, Table):
            out.append("| " + " | ".join(_md_text(header) for header in block.headers) + " |")
            out.append("|" + "|".join("---" for _ in block.headers) + "|")
            for row in block.rows:
                out.append("| " + " | ".join(_md_inline(cell) or " " for cell in row) + " |")
            out.append("")
        elif isinstance(block, Bullets):
            out += [f"- {_md_inline(item)}" for item in block.items] + [""]
        elif isinstance(block, Pre):
            fence = "~~~~" if "```" in block.text else "```"
            out += [fence, block.text, fence, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def render_markdown() -> dict[str, str]:
    """``{file name: Markdown}`` for every page of the reference."""
    return {page.name + FORMATS["markdown"]: _md_page(page) for page in _pages()}


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
margin:0;color:#1b1f23;line-height:1.5}
nav{background:#24292f;padding:.6em 1.2em;position:sticky;top:0}
nav a{color:#fff;margin-right:1.4em;text-decoration:none}nav a:hover{text-decoration:underline}
main{padding:1em 1.5em;max-width:110em}
table{border-collapse:collapse;margin:.6em 0 1.4em;font-size:.9em}
th,td{border:1px solid #d0d7de;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f6f8fa}tr:nth-child(even) td{background:#fbfcfd}
code{background:#eff1f3;padding:0 .25em;border-radius:3px;font-size:.95em}
pre{background:#f6f8fa;padding:.8em;overflow:auto}
footer{color:#57606a;font-size:.85em;padding:1em 1.5em}
""".strip()


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def _html_inline(part: Inline) -> str:
    if isinstance(part, Code):
        return f"<code>{_esc(part.text)}</code>"
    if isinstance(part, Link):
        target = part.page + FORMATS["html"] + (f"#{part.anchor}" if part.anchor else "")
        return f'<a href="{_esc(target)}">{_esc(part.text)}</a>'
    if isinstance(part, Lines):
        return "<br>".join(_html_inline(item) for item in part.items)
    if isinstance(part, tuple):
        return "".join(_html_inline(item) for item in part)
    return _esc(str(part))


def _html_page(page: Page) -> str:
    nav = "".join(f'<a href="{_esc(name + FORMATS["html"])}">{_esc(text)}</a>' for name, text in NAV)
    body: list[str] = []
    for block in page.blocks:
        if isinstance(block, Heading):
            anchor = f' id="{_esc(block.anchor)}"' if block.anchor else ""
            body.append(f"<h{block.level}{anchor}>{_html_inline(block.text)}</h{block.level}>")
        elif isinstance(block, Para):
            body.append(f"<p>{_html_inline(block.text)}</p>")
        elif isinstance(block, Table):
            head = "".join(f"<th>{_esc(header)}</th>" for header in block.headers)
            rows = "\n".join("<tr>" + "".join(f"<td>{_html_inline(cell)}</td>" for cell in row) + "</tr>"
                             for row in block.rows)
            body.append(f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>")
        elif isinstance(block, Bullets):
            body.append("<ul>" + "".join(f"<li>{_html_inline(item)}</li>" for item in block.items) + "</ul>")
        elif isinstance(block, Pre):
            body.append(f"<pre>{_esc(block.text)}</pre>")
    version = _esc(str(loader.index().get("version")))
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(page.title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n"
        f"<nav>{nav}</nav>\n<main>\n" + "\n".join(body) + "\n</main>\n"
        f"<footer>由目录数据生成（目录版本 {version}） / "
        f"generated from the catalogue data (version {version})</footer>\n"
        "</body>\n</html>\n"
    )


def render_html() -> dict[str, str]:
    """``{file name: HTML}`` for every page of the reference; each page is self-contained."""
    return {page.name + FORMATS["html"]: _html_page(page) for page in _pages()}


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _write_atomic(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_docs(directory: str | os.PathLike[str], fmt: str = "html") -> list[Path]:
    """Write the reference in ``fmt`` (``markdown`` or ``html``) into ``directory``; return the files written.

    The directory is created if needed; each file is written to a temporary
    file beside it and moved into place, and no other file is touched.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown docs format {fmt!r}; choose from {', '.join(FORMATS)}")
    pages = render_markdown() if fmt == "markdown" else render_html()
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in pages.items():
        path = target / name
        _write_atomic(path, text)
        written.append(path)
    return written
