"""Mapping files: a steward describes one export once, in TOML, and every batch of it converts the same way.

Why TOML: stewards write these by hand and read them in review.  TOML has comments, needs no indentation
discipline (YAML's pitfalls: ``no`` read as false, ``01`` as a number, tabs), cannot execute anything or
include another file, and Python reads it with the standard library (:mod:`tomllib`, 3.11+; the
``tomli`` package it came from on 3.10).  Its parser keeps no positions, so
:mod:`creditstd.convert.toml_lines` finds the line of every entry: each error names the mapping file and
the line of the offending entry, in Chinese and English.

A mapping (the format is ``schemas/mapping.schema.json``, field by field):

>>> text = '''
... spec = 1
... name = "tax-credit-xml"
... title = "某省税务局纳税信用等级导出"
... class = "credit_rating"
...
... [source]
... format = "xml"
... record = "/sw:NSXY/sw:JL"
... namespaces = { sw = "urn:example:tax" }
...
... [[fields]]
... target = "subject_name"
... source = "sw:NSRMC"
... transforms = ["trim"]
...
... [[fields]]
... target = "grade"
... source = "sw:XYDJ/@dm"
... transforms = ["trim", { name = "lookup", code_table = "credit_grade_schemes.tax" }]
...
... [[fields]]
... target = "scheme"
... const = "tax"
... '''
>>> spec = parse_mapping(text, 'tax.toml')
>>> spec.class_name, [rule.target for rule in spec.fields], spec.fields[1].line
('credit_rating', ['subject_name', 'grade', 'scheme'], 17)
>>> spec.fields[1].chain.apply(' A级 ')
'A'

Problems are reported all at once, each with its line:

>>> try:
...     parse_mapping(text.replace('"trim"]', '"trim", { name = "date", format = "iso" }]'), 'tax.toml')
... except MappingError as error:
...     print(error.problems[0].line, error.problems[0].message_en)
15 tax.toml, line 15 (fields[0].transforms[1].format): unknown key 'format'
"""

from __future__ import annotations

import codecs
import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from creditstd.convert.codes import MAPPING_CODES
from creditstd.convert.toml_lines import MAX_KEY_PARTS, line_map, locate, long_key_line
from creditstd.convert.transforms import Chain, compile_chain
from creditstd.convert.xml_records import xml_encoding
from creditstd.convert.xpath import RecordPath, SourcePath, UnsafePath, compile_path, compile_record_path
from creditstd.exceptions import CreditstdError
from creditstd.sources.sniff import canonical_encoding

__all__ = ["MAX_MAPPING_BYTES", "FieldRule", "MappingError", "MappingProblem", "MappingSpec", "SourceSpec",
           "export_mapping", "load_mapping", "mapping_schema", "parse_mapping"]

#: The largest mapping file read (a mapping of every field of the largest class is a few kB).
MAX_MAPPING_BYTES = 1 << 20


@dataclass(frozen=True)
class MappingProblem:
    """One problem of a mapping: its code, the line, the entry's JSON path and the messages."""

    code: str
    line: int
    path: str
    message_zh: str
    message_en: str


class MappingError(CreditstdError):
    """A mapping that cannot be used: every problem found (:attr:`problems`), the first one as the message."""

    def __init__(self, file: str, problems: Sequence[MappingProblem]) -> None:
        first = problems[0]
        more_zh = f"（另有{len(problems) - 1}处问题）" if len(problems) > 1 else ""
        more_en = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(first.code, first.message_zh + more_zh, first.message_en + more_en)
        self.file = file
        self.line = first.line
        self.problems = tuple(problems)


def _problem(code: str, file: str, line: int, path: Sequence[str | int] = (), **fields: object) -> MappingProblem:
    zh, en = MAPPING_CODES[code]
    values = {"file": file, "line": line, "path": _shown_path(path), **fields}
    return MappingProblem(code, line, _shown_path(path), zh.format(**values), en.format(**values))


def _shown_path(path: Sequence[str | int]) -> str:
    """``fields[3].transforms[1]`` for ``('fields', 3, 'transforms', 1)``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "$"


@dataclass(frozen=True)
class SourceSpec:
    """How to read the export: the ``[source]`` table."""

    format: str
    encoding: str | None = None
    header_row: int | None = None
    delimiter: str | None = None
    sheet: str | None = None
    record: RecordPath | None = None
    namespaces: Mapping[str, str] = field(default_factory=dict)
    fill_merged: bool = False


@dataclass(frozen=True)
class FieldRule:
    """One field rule, checked and compiled: where its value comes from and how it is transformed."""

    #: 0-based place among the ``[[fields]]``.
    index: int
    #: The line of the rule in the mapping file.
    line: int
    #: The catalogue key of the target field.
    target: str
    #: The column name or code (CSV/TSV/XLSX) or the XPath (XML); None for a constant.
    source: str | None
    #: XML: the compiled path.
    path: SourcePath | None
    const: str | tuple[str, ...] | None
    default: str | tuple[str, ...] | None
    many: bool
    chain: Chain
    #: Whether the target field holds a list.
    is_array: bool
    #: The target field's national field code, when it has one.
    field_code: str | None
    #: Whether the rule reads personal information (values shown masked): its target field is personal, or it
    #: reads a personal field's source, or it derives the subject category from an identifier.
    personal: bool


@dataclass(frozen=True)
class MappingSpec:
    """A mapping, checked against its schema and the catalogue, with every path and chain compiled."""

    name: str
    title: str | None
    class_name: str
    source: SourceSpec
    fields: tuple[FieldRule, ...]
    #: The mapping file, as named in messages.
    file: str
    #: The mapping's text (for ``mapping show`` and for locating entries).
    text: str = field(repr=False)

    def line_of(self, path: Sequence[str | int]) -> int:
        """The line of an entry of the mapping (``('fields', 2, 'source')``)."""
        return locate(_lines(self.text), path)


@functools.cache
def _lines(text: str) -> dict[tuple[str | int, ...], int]:
    return line_map(text)


@functools.cache
def mapping_schema() -> dict[str, Any]:
    """The mapping format's JSON Schema (``schemas/mapping.schema.json``)."""
    data: dict[str, Any] = json.loads(files("creditstd.schemas").joinpath("mapping.schema.json")
                                      .read_text(encoding="utf-8"))
    return data


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(mapping_schema())


def _toml(text: str, file: str) -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the package tomllib came from
        try:
            import tomli as tomllib  # type: ignore[no-redef,import-not-found,unused-ignore]
        except ModuleNotFoundError:
            raise MappingError(file, [_problem("mapping.unreadable", file, 1, reason="Python 3.10 needs the "
                                               "tomli package to read TOML / 需要 tomli 包")]) from None
    long_key = long_key_line(text)
    if long_key is not None:  # TOML parsers take time and memory that grow with the square of a key's parts
        raise MappingError(file, [_problem("mapping.syntax", file, long_key,
                                           reason=f"a key (or text) of more than {MAX_KEY_PARTS} dotted parts / "
                                                  f"键（或文本）的层级超过{MAX_KEY_PARTS}")])
    try:
        return tomllib.loads(text)
    except RecursionError:  # arrays or inline tables nested hundreds deep
        raise MappingError(file, [_problem("mapping.syntax", file, 1, reason="values nested too deeply to read / "
                                           "嵌套过深")]) from None
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        line = int(found.group(1)) if found else 1
        reason = re.sub(r"\s*\(at (?:line \d+, column \d+|end of document)\)", "", str(error))
        raise MappingError(file, [_problem("mapping.syntax", file, line, reason=reason)]) from None


def load_mapping(path: str | Path) -> MappingSpec:
    """Read, check and compile the mapping file at ``path``; :class:`MappingError` lists every problem."""
    file = str(path)
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_MAPPING_BYTES + 1)
    except OSError as error:
        raise MappingError(file, [_problem("mapping.unreadable", file, 1, reason=error.strerror or
                                           type(error).__name__)]) from None
    if len(data) > MAX_MAPPING_BYTES:
        raise MappingError(file, [_problem("mapping.unreadable", file, 1, reason=f"larger than "
                                           f"{MAX_MAPPING_BYTES} bytes / 超过{MAX_MAPPING_BYTES}字节")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise MappingError(file, [_problem("mapping.unreadable", file, line, reason="not UTF-8 (TOML files are "
                                           "UTF-8) / 不是UTF-8编码")]) from None
    return parse_mapping(text, file)


def parse_mapping(text: str, file: str = "<mapping>") -> MappingSpec:
    """Check and compile the mapping in TOML ``text`` (``file`` names it in messages)."""
    document = _toml(text, file)
    lines = _lines(text)
    problems = list(_schema_problems(document, lines, file))
    if problems:
        raise MappingError(file, sorted(problems, key=lambda problem: problem.line))
    spec, problems = _compile(document, lines, file, text)
    if problems or spec is None:
        raise MappingError(file, sorted(problems, key=lambda problem: problem.line))
    return spec


# ------------------------------------------------------------------------------------------------ schema messages

_TYPES = {"string": ("文本", "text"), "integer": ("整数", "an integer"), "boolean": ("true 或 false", "true or false"),
          "array": ("列表", "a list"), "object": ("表", "a table"), "number": ("数", "a number")}


def _schema_problems(document: Any, lines: dict[tuple[str | int, ...], int], file: str) -> Iterable[MappingProblem]:
    seen: set[tuple[str, str]] = set()
    for error in _validator().iter_errors(document):
        for path, zh, en in _explain(error, document):
            key = (_shown_path(path), en)
            if key in seen:
                continue
            seen.add(key)
            yield _problem("mapping.schema", file, locate(lines, path), path, zh=zh, en=en)


def _explain(error: SchemaError, document: Any) -> Iterable[tuple[tuple[str | int, ...], str, str]]:
    """(path, Chinese, English) for one schema error: the offending entry and what is wrong with it."""
    path = tuple(error.absolute_path)
    if error.validator is None:  # a false schema under properties: jsonschema leaves the key out of the path
        container = document
        for part in path:
            container = container[part]
        if isinstance(container, dict):
            key = next((name for name, value in container.items() if value is error.instance), None)
            key = key or next((name for name, value in container.items() if value == error.instance), None)
            path = (*path, key) if key is not None else path
    schema = error.schema if isinstance(error.schema, dict) else {}
    keyword, expected, instance = error.validator, error.validator_value, error.instance
    if "x-message-en" in schema and keyword in ("anyOf", "oneOf", "enum", "not"):
        yield path, schema["x-message-zh"], schema["x-message-en"]
    elif keyword == "required":
        for name in expected:
            if isinstance(instance, dict) and name not in instance:
                yield path, f"缺少必填项“{name}”", f"missing required key '{name}'"
    elif keyword == "additionalProperties":
        known = set(schema.get("properties", {}))
        for name in instance if isinstance(instance, dict) else ():
            if name not in known:
                yield (*path, name), f"未知的键“{name}”", f"unknown key '{name}'"
    elif keyword is None:
        yield path, "此处不能写这个键（与 format 不符）", "this key does not apply here (see format)"
    elif keyword in ("enum", "const"):
        values = expected if keyword == "enum" else [expected]
        shown = ", ".join(json.dumps(value, ensure_ascii=False) for value in values)
        yield path, f"取值须为其中之一：{shown}", f"must be one of: {shown}"
    elif keyword == "type":
        names = expected if isinstance(expected, list) else [expected]
        yield (path, "类型应为" + "或".join(_TYPES.get(name, (name, name))[0] for name in names),
               "must be " + " or ".join(_TYPES.get(name, (name, name))[1] for name in names))
    elif keyword == "pattern":
        yield path, f"格式不符（应匹配 {expected}）", f"does not have the expected form ({expected})"
    elif keyword in ("minLength", "minItems", "minProperties"):
        yield path, "不能为空" if expected == 1 else f"至少需要{expected}项", \
            "must not be empty" if expected == 1 else f"needs at least {expected}"
    elif keyword in ("maxLength", "maxItems"):
        yield path, f"过长：至多{expected}", f"too long: at most {expected}"
    elif keyword == "minimum":
        yield path, f"不能小于{expected}", f"must not be less than {expected}"
    elif keyword == "uniqueItems":
        yield path, "有重复项", "has duplicate items"
    else:
        yield path, f"不符合映射格式（{keyword}）", error.message


# ------------------------------------------------------------------------------------------------ compiling


def _value(value: Any) -> str | tuple[str, ...] | None:
    return tuple(value) if isinstance(value, list) else value


def _lookup_target(class_name: str, key: str, code_table: str) -> str:
    """Whether a lookup in ``code_table`` should give the value's ``zh`` or its ``code`` for field ``key``: what
    the field's code table holds (grade tables hold codes)."""
    from creditstd.convert.transforms import lookup_table
    from creditstd.records import loader

    if "." in code_table:
        return "code"
    schema = loader.inlined_class_schema(class_name)["properties"][key]
    allowed: set[str] = set()
    for part in (schema, *schema.get("anyOf", ()), schema.get("items", {}), *schema.get("items", {}).get("anyOf", ())):
        allowed.update(value for value in part.get("enum", ()) if isinstance(value, str))
    try:
        codes = set(lookup_table(code_table, "code").values())
    except KeyError:
        return "zh"
    return "code" if allowed and allowed <= codes and not allowed <= set(lookup_table(code_table, "zh").values()) \
        else "zh"


def _unusable_encoding(name: str, fmt: str) -> tuple[str, str] | None:
    """Why the ``[source] encoding`` ``name`` cannot read a file of format ``fmt`` (Chinese, English), or None:
    Python must know it as a text encoding (``codecs.lookup``; the CSV/TSV reader's
    :func:`~creditstd.sources.sniff.canonical_encoding`), and XML is read by libxml2, which must know it too
    (:func:`~creditstd.convert.xml_records.xml_encoding`).

    >>> _unusable_encoding('GBK', 'csv'), _unusable_encoding('utf-8-sig', 'xml')
    (None, None)
    >>> _unusable_encoding('x-unknown', 'csv')[1]
    'unknown, or not a text encoding: use e.g. utf-8, gb18030, gbk or utf-16'
    """
    if fmt == "xml":
        if xml_encoding(name) is not None:
            return None
        try:
            codecs.lookup(name)
        except LookupError:
            pass
        else:
            if canonical_encoding(name) is not None:
                return ("XML 解析器（libxml2）不支持该编码：常用 utf-8、gb18030、gbk、utf-16",
                        "the XML parser (libxml2) cannot read it: use e.g. utf-8, gb18030, gbk or utf-16")
    elif canonical_encoding(name) is not None:
        return None
    return ("未知的编码，或不是文本编码：常用 utf-8、gb18030、gbk、utf-16",
            "unknown, or not a text encoding: use e.g. utf-8, gb18030, gbk or utf-16")


def _compile(document: dict[str, Any], lines: dict[tuple[str | int, ...], int], file: str,
             text: str) -> tuple[MappingSpec | None, list[MappingProblem]]:
    from creditstd.records import loader
    from creditstd.records.decode import field_type
    from creditstd.records.model import record_class

    problems: list[MappingProblem] = []

    def report(code: str, path: tuple[str | int, ...], **fields: object) -> None:
        problems.append(_problem(code, file, locate(lines, path), path, **fields))

    class_name = document["class"]
    if class_name not in loader.class_names():
        report("mapping.class", ("class",), name=class_name)
        return None, problems
    cls = record_class(class_name)
    raw = document["source"]
    namespaces = dict(raw.get("namespaces", {}))
    record = None
    if raw["format"] == "xml":
        try:
            record = compile_record_path(raw["record"], namespaces)
        except UnsafePath as error:
            report("mapping.xpath", ("source", "record"), zh=error.zh, en=error.en)
    if "encoding" in raw:  # checked now, before any input is read: an error of the mapping, at its line
        unusable = _unusable_encoding(raw["encoding"], raw["format"])
        if unusable:
            report("mapping.encoding", ("source", "encoding"), name=raw["encoding"], zh=unusable[0], en=unusable[1])
    source = SourceSpec(raw["format"], raw.get("encoding"), raw.get("header_row"), raw.get("delimiter"),
                        raw.get("sheet"), record, namespaces, bool(raw.get("fill_merged", False)))
    rules: list[FieldRule] = []
    first: dict[str, int] = {}
    for index, rule in enumerate(document["fields"]):
        at = ("fields", index)
        target = rule["target"]
        spec = cls.fields.get(target)
        if spec is None:
            report("mapping.field", (*at, "target"), class_name=class_name, name=target)
            continue
        if target in first:
            report("mapping.duplicate", (*at, "target"), name=target, first=first[target])
            continue
        first[target] = locate(lines, at)
        is_array = field_type(cls, target) == "array"
        path = None
        if "source" in rule and source.format == "xml":
            try:
                path = compile_path(rule["source"], namespaces)
            except UnsafePath as error:
                report("mapping.xpath", (*at, "source"), zh=error.zh, en=error.en)
        steps = []
        for number, step in enumerate(rule.get("transforms", ())):
            params = {"name": step} if isinstance(step, str) else dict(step)
            if params["name"] == "lookup" and "code_table" in params and "to" not in params:
                params["to"] = _lookup_target(class_name, target, params["code_table"])
            steps.append((number, params))
        chain = Chain(())
        try:
            chain = compile_chain([params for _, params in steps], spec.unit)
        except ValueError as error:
            # which step: compile them one by one to find it
            for number, params in steps:
                try:
                    compile_chain([params], spec.unit)
                except ValueError as failed:
                    zh, en = failed.args if len(failed.args) == 2 else (str(failed), str(failed))
                    report("mapping.transform", (*at, "transforms", number), name=params["name"], zh=zh, en=en)
                    break
            else:  # pragma: no cover - a chain fails only through one of its steps
                report("mapping.transform", at, name="?", zh=str(error), en=str(error))
            continue
        many = bool(rule.get("many", False))
        if many and source.format != "xml":
            report("mapping.cardinality", (*at, "many"), zh="CSV/TSV/XLSX 的单元格只有一个值：请用 split 转换拆分，"
                   "不要写 many",
                   en="a CSV/TSV/XLSX cell is one value: split it with the split transform instead of many")
            continue
        gives = "list" if "const" in rule and isinstance(rule["const"], list) else \
            "text" if "const" in rule else chain.shape("list" if many else "text")
        if gives == "list" and not is_array:
            report("mapping.cardinality", at, zh=f"字段“{target}”只有一个值，但规则给出列表（多个值请用 join 合并）",
                   en=f"field {target!r} holds one value but the rule gives a list (join the values)")
            continue
        if gives == "text" and is_array:
            report("mapping.cardinality", at,
                   zh=f"字段“{target}”是列表：请写 many = true（XML重复元素）或用 split 拆分",
                   en=f"field {target!r} is a list: write many = true (a repeated XML element) or split the text")
            continue
        default = rule.get("default")
        if default is not None and isinstance(default, list) != is_array:
            report("mapping.cardinality", (*at, "default"), zh="default 的形式（文本或列表）与字段不符",
                   en="default must be a list for a list field and a text otherwise")
            continue
        rules.append(FieldRule(index, locate(lines, at), target, rule.get("source"), path, _value(rule.get("const")),
                               _value(default), many, chain, is_array, spec.code, spec.is_personal))
    if problems:
        return None, problems
    return MappingSpec(document["name"], document.get("title"), class_name, source, _personal_sources(rules), file,
                       text), []


def _personal_sources(rules: list[FieldRule]) -> tuple[FieldRule, ...]:
    """The rules, each that reads personal information marked personal: its target field is, or its source is
    also the source of a personal field (a subject category derived from the ID number column reads an ID
    number), or it derives the subject category from the kind of identifier (which may be a person's)."""
    personal = {rule.source for rule in rules if rule.personal and rule.source is not None}
    return tuple(replace(rule, personal=True) if not rule.personal and (
        rule.source in personal or any(step.transform.name == "subject_category" for step in rule.chain.steps))
        else rule for rule in rules)


def export_mapping(class_name: str, fmt: str, *, headers: str = "code", name: str = "catalogue-layout") -> str:
    """The mapping (TOML text) of an export in the catalogue's own layout: what
    :func:`~creditstd.records.export.write_csv` and :func:`~creditstd.records.export.write_xml` (and so
    ``creditstd fake``) write for ``class_name``.  Every field is read from the column (CSV, ``fmt="csv"``) or
    child element (``fmt="xml"``, records at ``/Records/Record``) named by its national field code, else its key
    (``headers="zh"``: its Chinese name); an array field from items joined with ``；`` (CSV) or repeated ``<Item>``
    elements (XML), a list of objects from the JSON array its cell or element holds.  A start for a steward's own
    mapping, and the mapping the tests and benchmarks convert fake exports with.

    >>> spec = parse_mapping(export_mapping('objection', 'csv'))
    >>> spec.class_name, [rule.target for rule in spec.fields][:3]
    ('objection', ['objection_number', 'target_record_id', 'target_class'])
    """
    from creditstd.records.decode import field_type, holds_objects
    from creditstd.records.model import record_class

    cls = record_class(class_name)
    lines = ["spec = 1", f'name = "{name}"', f'class = "{class_name}"', "", "[source]", f'format = "{fmt}"']
    if fmt == "xml":
        lines.append('record = "/Records/Record"')
    for key, spec in cls.fields.items():
        column = (spec.code or key) if headers == "code" else spec.zh
        is_array = field_type(cls, key) == "array"
        lines += ["", "[[fields]]", f'target = "{key}"']
        if fmt == "xml" and not (is_array and holds_objects(class_name, key)):
            lines += [f'source = "{column}/Item"', "many = true"] if is_array else [f'source = "{column}"']
        else:
            lines.append(f'source = "{column}"')
            if is_array:
                lines.append('transforms = [{ name = "split", separators = ["；"] }]')
    return "\n".join(lines) + "\n"
