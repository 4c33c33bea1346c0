"""``creditstd mapping``: the built-in mappings, and a first draft of a mapping for a new export.

* ``list``: the mappings shipped with creditstd (``creditstd convert --mapping NAME`` takes these names), with
  their class, format and a one-line description in Chinese and English;
* ``show NAME``: the TOML text of one, to read or to copy and adapt;
* ``init SAMPLE``: a draft mapping for a sample export (CSV, TSV, XLSX or XML).  Columns — for XML, the
  children and attributes of the repeated record element — are matched to the fields of the class
  (``--class``, or inferred from the names) by key, national field code, Chinese name and alias
  (:func:`creditstd.records.decode.resolve_headers`), by the source names the built-in mappings of that class
  use, and, for identifiers, by content (a column of valid USCCs or ID numbers).  Each matched field gets the
  transforms its kind needs (identifier normalisation, date parsing, amounts in the field's unit, code-table
  lookups, splitting lists); the columns left over and the required fields still without a source are listed as
  TOML comments for the steward to finish.  The draft always passes the mapping checks
  (:func:`creditstd.convert.parse_mapping`).  Sample values are never copied into the draft (they may be
  personal): only what kind of value a column holds.  Nor is an ID number in a name the draft must take from
  the sample, unless ``--show-pii``: a column named with one is listed masked, with no rule; an element of the
  record path named with one becomes ``*`` (any element); a namespace prefix holding one is renamed; a
  namespace URI holding one is written masked, with a comment asking the steward to fill it in (until then the
  paths using it match nothing); an XLSX sheet name holding one is left out (the first sheet is read anyway).

Exit codes: 0 done; 2 an unknown mapping name (the message lists the names), a sample that cannot be read, or
no class to draft for.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from creditstd.cli._io import InputError, output_stream, refuse_input_as_output
from creditstd.codes.redact import redact
from creditstd.exceptions import CatalogueError, bilingual
from creditstd.sources.sniff import looks_like_data

__all__ = ["Draft", "draft_mapping", "mapping_group"]

#: Records (XML) or rows (CSV/TSV/XLSX) of the sample looked at.
SAMPLE_RECORDS = 500
#: Bytes of an XML sample read at most (the rest of the file is not needed for a draft).
SAMPLE_XML_BYTES = 4 << 20
#: Share of a column's sample values that must be valid identifiers of one kind to match it by content.
CONTENT_SHARE = 0.8
_IDENTIFIER_FORMATS = {"uscc", "citizen-id", "orgcode", "regno", "masked-id", "id-number"}
_IDENTIFIER_KEYS = re.compile(r"(^|_)(uscc|regno|orgcode|id_number)$")


def _fail(error: CatalogueError | Exception) -> InputError:
    zh = getattr(error, "message_zh", None) or str(error)
    en = getattr(error, "message_en", None) or str(error)
    code = getattr(error, "code", None)
    return InputError(f"{code}：{zh}" if code else zh, f"{code}: {en}" if code else en)


@click.group("mapping", context_settings={"help_option_names": ["-h", "--help"]})
def mapping_group() -> None:
    """映射文件：内置映射与起草 / Mapping files: the built-in ones, and drafting one from a sample."""


# ------------------------------------------------------------------------------------------------ list, show


@mapping_group.command("list")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式 / Output format.")
def list_command(output: str) -> None:
    """列出内置映射 / List the built-in mappings."""
    from creditstd.cli.catalogue import format_table
    from creditstd.convert.builtin import builtin_info, builtin_names

    infos = [builtin_info(name) for name in builtin_names()]
    if output == "json":
        click.echo(json.dumps([{"name": info.name, "class": info.class_name, "format": info.format,
                                "title_zh": info.title_zh, "title_en": info.title_en} for info in infos],
                              ensure_ascii=False, indent=2))
        return
    rows = [[info.name, info.class_name, info.format, f"{info.title_zh}\n{info.title_en}"] for info in infos]
    lines = []
    for row in rows:
        zh, en = row[3].split("\n")
        lines.append([row[0], row[1], row[2], zh])
        lines.append(["", "", "", en])
    for line in format_table(["名称 name", "记录类 class", "格式 format", "说明 / description"], lines):
        click.echo(line)
    click.echo(bilingual("用法：creditstd convert 文件 --mapping 名称；creditstd mapping show 名称 查看映射内容",
                         "use: creditstd convert FILE --mapping NAME; creditstd mapping show NAME prints one"),
               err=True)


@mapping_group.command("show")
@click.argument("mapping", metavar="NAME")
def show_command(mapping: str) -> None:
    """打印一个内置映射（TOML）/ Print a built-in mapping (TOML)."""
    from creditstd.convert.builtin import UnknownMapping, builtin_text

    try:
        text = builtin_text(mapping)
    except UnknownMapping as error:
        raise _fail(error) from None
    click.echo(text, nl=not text.endswith("\n"))


# ------------------------------------------------------------------------------------------------ init


@dataclass
class Column:
    """A column of the sample (CSV/TSV/XLSX), or a child element or attribute of the XML record element."""

    #: The mapping's source for it: the header, or a relative XPath (``hg:QYMC``, ``@XH``, ``ZGHG/@MC``).
    source: str
    #: The name matched against the catalogue: the header, or the element's or attribute's local name.
    name: str
    values: list[str] = field(default_factory=list)
    #: XML: whether it repeats within a record (then ``many``).
    repeats: bool = False


@dataclass
class Draft:
    """A drafted mapping: its TOML text, the class, and what was matched and what was not."""

    text: str
    class_name: str
    matched: dict[str, str]
    unmatched: list[str]
    missing_required: list[str]
    class_reason_zh: str = ""
    class_reason_en: str = ""
    #: Columns whose names may hold an ID number: no rule drafted for them (listed masked in a comment).
    withheld: int = 0


def _kind(values: Sequence[str]) -> str | None:
    """What a column's sample values are (a USCC, an ID number, a date...), when most of them agree."""
    from creditstd import ric, uscc
    from creditstd.convert.transforms import TransformError, parse_date

    texts = [value.strip() for value in values if value and value.strip()]
    if not texts:
        return None
    counts: Counter[str] = Counter()
    for text in texts:
        if uscc.is_valid(text):
            counts["uscc"] += 1
        elif ric.is_valid(text):
            counts["id_number"] += 1
        else:
            try:
                parse_date(text)
                counts["date"] += 1
            except TransformError:
                if re.fullmatch(r"[+-]?[\d,]+(\.\d+)?\s*(万?元)?", text):
                    counts["number"] += 1
    if not counts:
        return None
    kind, count = counts.most_common(1)[0]
    return kind if count >= CONTENT_SHARE * len(texts) else None


_KIND_NAMES = {"uscc": ("统一社会信用代码", "USCCs"), "id_number": ("身份证号码", "ID numbers"),
               "date": ("日期", "dates"), "number": ("数字或金额", "numbers or amounts")}


def _formats(schema: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(schema, dict):
        if isinstance(schema.get("format"), str):
            found.add(schema["format"])
        for key in ("anyOf", "oneOf", "allOf"):
            for part in schema.get(key, ()):
                found |= _formats(part)
    return found


def _chain(class_name: str, key: str) -> list[Any]:
    """The transforms a field of this kind needs, as TOML-ready values."""
    from creditstd.records import loader
    from creditstd.records.model import record_class

    schema = loader.inlined_class_schema(class_name)["properties"][key]
    spec = record_class(class_name).fields[key]
    formats = _formats(schema) | _formats(schema.get("items", {}))
    if schema.get("type") == "array":
        steps: list[Any] = [{"name": "split", "separators": ["；", ";"]}]
        table = schema.get("x-code-table")
        if table:
            steps.append({"name": "lookup", "code_table": table, "otherwise": "keep"})
        return steps
    if spec.unit:
        return ["trim", {"name": "amount", "unit": spec.unit}]
    if "date" in formats:
        return ["trim", "date"]
    if formats & _IDENTIFIER_FORMATS or _IDENTIFIER_KEYS.search(key):
        return ["trim", "identifier"]
    if schema.get("x-code-table"):
        return ["trim", {"name": "lookup", "code_table": schema["x-code-table"], "otherwise": "keep"}]
    if schema.get("type") in ("integer", "number"):
        return ["trim", "halfwidth"]
    return ["trim"]


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(name)} = {_toml_value(item)}" for name, item in value.items()) + " }"
    return str(value)


def _toml_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name, ensure_ascii=False)


def _comment(text: str) -> str:
    """Text safe on one TOML comment line."""
    return re.sub(r"[\x00-\x1f\x7f]", " ", text)


def _builtin_rules(fmt: str) -> dict[str, list[dict[str, Any]]]:
    """Built-in mapping name -> its field rules (as written), for the built-in mappings of the same kind of
    source (XML, or tables)."""
    from creditstd.convert.builtin import builtin_names, builtin_text, load_builtin

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef,import-not-found,unused-ignore]

    found: dict[str, list[dict[str, Any]]] = {}
    for name in builtin_names():
        if (load_builtin(name).source.format == "xml") == (fmt == "xml"):
            found[name] = list(tomllib.loads(builtin_text(name))["fields"])
    return found


_STEP = r"@?(?:[A-Za-z_][\w.-]*:)?[^\W\d][\w.-]*"


def _local(source: str) -> str | None:
    """A source without namespace prefixes (``hg:ZGHG/@MC`` -> ``ZGHG/@MC``) when it is a plain path of names
    (and a last attribute), None for anything else (predicates...)."""
    if re.fullmatch(rf"{_STEP}(?:/{_STEP})*", source):
        return re.sub(r"(^|/|@)[A-Za-z_][\w.-]*:", r"\1", source)
    return None


def _unread_by(builtin: str, settings: Mapping[str, Any], rules: Sequence[tuple[str, Column, list[Any], str, bool]],
               headers: Sequence[str], sample: str) -> list[str] | None:
    """The sample's sources the draft's ``rules`` read that the built-in mapping does not read so: a table's
    column the built-in's rules do not find (as ``creditstd convert`` finds them), an XML path no rule of it
    reads for the same field (``CF_CFLB/Item`` where it reads ``CF_CFLB``); None when the built-in cannot
    read the sample at all (another format, such as a workbook where it reads CSV, another fixed encoding, or a
    column it reads is not there: convert would stop).  A built-in offered in the draft's place would drop them."""
    from creditstd.convert.builtin import load_builtin
    from creditstd.convert.engine import resolve_columns
    from creditstd.convert.mapping import MappingError
    from creditstd.sources.sniff import canonical_encoding

    fmt = settings["format"]
    spec = load_builtin(builtin)
    if spec.source.format != fmt and {spec.source.format, fmt} != {"csv", "tsv"}:
        return None
    if spec.source.encoding and settings.get("encoding") and \
            canonical_encoding(spec.source.encoding) != canonical_encoding(settings["encoding"]):
        return None
    if fmt != "xml":
        try:
            found = set(resolve_columns(spec, headers, sample))
        except MappingError:
            return None
        kept = {column.source for _, column, *_ in rules if column.source in found}
    else:
        reads: dict[str, set[str | None]] = {}
        for rule in _builtin_rules(fmt)[builtin]:
            reads.setdefault(rule["target"], set()).add(_local(rule.get("source", "")))
        kept = {column.source for target, column, *_ in rules  # a column some rule of the built-in reads so
                if target in reads and _local(column.source) in reads[target]}
    return [source for source in dict.fromkeys(column.source for _, column, *_ in rules) if source not in kept]


def _builtin_sources(class_name: str, fmt: str) -> dict[str, tuple[str, list[Any], str]]:
    """Source name (an element's local name or a column header) -> (target, transforms, mapping) over the
    built-in mappings of ``class_name``: names other departments' exports were seen to use."""
    from creditstd.convert.builtin import load_builtin

    found: dict[str, tuple[str, list[Any], str]] = {}
    for name, rules in _builtin_rules(fmt).items():
        if load_builtin(name).class_name != class_name:
            continue
        for rule in rules:
            local = _local(rule.get("source", ""))
            if local:
                found.setdefault(local, (rule["target"], rule.get("transforms", []), name))
    return found


def _resembles(names: Sequence[str], fmt: str) -> tuple[str, int, int] | None:
    """The built-in mapping whose simple sources the sample's names cover best: (name, covered, of), or None
    when none covers half of its sources."""
    present = set(names)
    best: tuple[str, int, int] | None = None
    for name, rules in _builtin_rules(fmt).items():
        sources = {local for rule in rules if (local := _local(rule.get("source", "")))}
        covered = len(sources & present)
        if sources and covered * 2 >= len(sources) and (best is None or covered > best[1]):
            best = (name, covered, len(sources))
    return best


def _sample_table(path: str, sheet: str | None = None) -> tuple[dict[str, Any], list[Column]]:
    from creditstd.sources import RowProblem, open_table

    source, rows = open_table(path, batch_rows=SAMPLE_RECORDS, sheet=sheet)
    columns = [Column(header, header) for header in source.headers]
    with rows:
        for item in rows:
            if isinstance(item, RowProblem):
                continue
            for column in columns:
                column.values = [value for value in item.batch.column(column.source).to_pylist()
                                 if isinstance(value, str)][:SAMPLE_RECORDS]
            break
    settings: dict[str, Any] = {"format": source.format}
    if source.format in ("csv", "tsv"):
        if source.encoding:
            encoding = source.encoding.lower().replace("_", "-")
            settings["encoding"] = {"utf-8-sig": "utf-8"}.get(encoding, encoding)
        if source.header_row and source.header_row > 1:
            settings["header_row"] = source.header_row
        if source.delimiter and source.delimiter not in (",", "\t"):
            settings["delimiter"] = source.delimiter
    if source.format == "xlsx":
        if source.sheet:
            settings["sheet"] = source.sheet
        if source.header_row and source.header_row > 1:
            settings["header_row"] = source.header_row
    if source.format not in ("csv", "tsv", "xlsx"):
        raise InputError(f"{path}：mapping init 只起草 CSV、TSV、XLSX 或 XML 导出的映射",
                         f"{path}: mapping init drafts mappings for CSV, TSV, XLSX or XML exports only")
    return settings, columns


def _sample_xml(path: str) -> tuple[dict[str, Any], list[Column]]:
    """The record element (the element that repeats most, with children) of an XML sample and its children and
    attributes.  Read with the converter's safety settings: no DTD (refused), no entities, no network, and only
    the first :data:`SAMPLE_XML_BYTES` bytes."""
    from lxml import etree

    from creditstd.convert.xpath import XML_NAMESPACE, element_value
    from creditstd.sources.inputs import open_bytes

    opened = open_bytes(path)
    try:
        data = opened.stream.read(SAMPLE_XML_BYTES)
    finally:
        opened.close()
    if re.search(rb"<!DOCTYPE", data[:1 << 20], re.IGNORECASE) or re.search(rb"<\x00!\x00D\x00O\x00C", data[:1 << 20]):
        raise InputError(f"{path}：含有文档类型声明（<!DOCTYPE），为安全起见不读取",
                         f"{path}: it has a document type declaration (<!DOCTYPE): refused for safety")
    parser_options: dict[str, Any] = {"resolve_entities": False, "load_dtd": False, "no_network": True,
                                      "huge_tree": False, "events": ("start", "end", "start-ns")}
    counts: Counter[tuple[str, ...]] = Counter()
    has_children: set[tuple[str, ...]] = set()
    namespaces: dict[str, str] = {}
    stack: list[str] = []
    elements: dict[tuple[str, ...], list[Any]] = {}
    try:
        for event, item in etree.iterparse(io.BytesIO(data), **parser_options):
            if event == "start-ns":
                prefix, uri = item
                namespaces.setdefault(uri, prefix)
                continue
            if event == "start":
                if stack:
                    has_children.add(tuple(stack))
                stack.append(item.tag)
                continue
            path_key = tuple(stack)
            counts[path_key] += 1
            kept = elements.setdefault(path_key, [])
            if len(kept) < SAMPLE_RECORDS and len(path_key) > 1:
                kept.append(item)
            elif len(path_key) > 2:
                item.clear()
            stack.pop()
    except etree.XMLSyntaxError as error:
        if not counts:
            raise InputError(f"{path}：不是格式正确的XML（{error.msg}）",
                             f"{path}: not well-formed XML ({error.msg})") from None
        # the sample ends mid-document (or the file is broken further on): what was read is enough for a draft
    candidates = [key for key in counts if key in has_children and len(key) > 1]
    if not candidates:
        raise InputError(f"{path}：找不到重复出现的记录元素", f"{path}: no repeated record element found")
    record = max(candidates, key=lambda key: (counts[key], -len(key)))
    prefixes: dict[str, str] = {XML_NAMESPACE: "xml"}  # xml:lang: predeclared, in the sample and in the mapping
    for uri, prefix in namespaces.items():
        if uri in prefixes:
            continue
        chosen = prefix if prefix and redact(prefix) == prefix else "ns"  # a prefix is ours to name: never an ID number
        while chosen in prefixes.values():
            chosen += "1"
        prefixes[uri] = chosen

    def qualified(tag: str) -> tuple[str, str]:
        if tag.startswith("{"):
            uri, _, local = tag[1:].partition("}")
            return f"{prefixes[uri]}:{local}", local
        return tag, tag

    settings: dict[str, Any] = {"format": "xml", "record": "/" + "/".join(qualified(tag)[0] for tag in record)}
    declared = {prefix: uri for uri, prefix in prefixes.items() if uri != XML_NAMESPACE}
    if declared:
        settings["namespaces"] = declared
    columns: dict[str, Column] = {}

    def column(source: str, name: str) -> Column:
        return columns.setdefault(source, Column(source, name))

    for element in elements[record]:
        for attribute, value in element.attrib.items():
            attribute_name = qualified(attribute)
            column(f"@{attribute_name[0]}", attribute_name[1]).values.append(value)
        seen: Counter[str] = Counter()
        for child in element:
            if not isinstance(child.tag, str):
                continue  # a comment or processing instruction
            source, name = qualified(child.tag)
            seen[source] += 1
            inner = [grandchild for grandchild in child if isinstance(grandchild.tag, str)]  # no comments, PIs
            if inner:  # an element holding elements: its repeated children, as a list
                inner_source, _ = qualified(inner[0].tag)
                entry = column(f"{source}/{inner_source}", name)
                entry.repeats = entry.repeats or len(inner) > 1
                entry.values.extend((grandchild.text or "") for grandchild in inner)
            elif (text := element_value(child) or "").strip() or not child.attrib:  # attributes only: those
                column(source, name).values.append(text)
            for attribute, value in child.attrib.items():
                attribute_name = qualified(attribute)
                column(f"{source}/@{attribute_name[0]}", attribute_name[1]).values.append(value)
        for source, count in seen.items():
            if count > 1 and source in columns:
                columns[source].repeats = True
    return settings, list(columns.values())


def _predicated(mapping: str, class_name: str, settings: dict[str, Any], elements: set[str],
                taken: set[str]) -> list[tuple[str, Column, list[Any], str, bool]]:
    """The rules of built-in mapping ``mapping`` whose source is more than a plain path (a predicate chooses
    among elements of one name) and starts at an element the sample has, with the built-in's namespace prefixes
    replaced by the draft's; their targets are added to ``taken``."""
    from creditstd.convert.builtin import load_builtin

    spec = load_builtin(mapping)
    if spec.class_name != class_name:
        return []
    ours = {uri: prefix for prefix, uri in settings.get("namespaces", {}).items()}
    found = []
    for rule in _builtin_rules(settings["format"])[mapping]:
        source, target = rule.get("source"), rule["target"]
        if not source or _local(source) is not None or target in taken:
            continue
        for prefix, uri in spec.source.namespaces.items():
            if f"{prefix}:" in source:
                if uri not in ours:
                    break
                source = re.sub(rf"(?<![\w.-]){re.escape(prefix)}:", f"{ours[uri]}:", source)
        else:
            first = re.split(r"[/\[]", source, maxsplit=1)[0].rpartition(":")[2]
            if first in elements:
                found.append((target, Column(source, first), list(rule.get("transforms", [])),
                              f"内置映射/built-in {mapping}", bool(rule.get("many"))))
                taken.add(target)
    return found


def _is_a_value(name: str, masked: str) -> bool:
    """Whether a column name (``masked``: its :func:`redact`) is a value rather than a name: it reads as an
    identifier or a date, or is a number that may be an ID number and nothing else (the first row of a sample
    that has no header row, which may be a person's record).

    >>> [_is_a_value(name, redact(name)) for name in ('纳税人识别号', '430523197208014713', '2024-03-05')]
    [False, True, True]
    """
    return looks_like_data([name]) or bool(_MASKED_NUMBER.fullmatch(masked))


#: A name that is a masked number and nothing else.
_MASKED_NUMBER = re.compile(r"\s*[\dXx]*\*[\d*Xx]*\s*")


def _masked_settings(settings: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The ``[source]`` settings to write with every ID number (:func:`redact`) taken out, and the comments that
    say what was changed: an element of the record path becomes ``*`` (the path still finds the records); a
    namespace URI is masked (the steward must fill it in); the sheet name is left out (the first sheet, the
    one drafted from, is read by default).

    >>> _masked_settings({"format": "xml", "record": "/Root/R11010519491231002X/JL",
    ...                   "namespaces": {"d": "urn:id:11010519491231002X"}})[0]
    {'format': 'xml', 'record': '/Root/*/JL', 'namespaces': {'d': 'urn:id:110105********002X'}}
    """
    settings = dict(settings)
    notes: list[str] = []
    record = settings.get("record")
    if isinstance(record, str) and (masked := redact(record)) != record:
        steps, start = [], 1  # the path is /step/step...: each step held in clear stays, the others become *
        for step in record[1:].split("/"):
            end = start + len(step)
            steps.append(step if len(masked) == len(record) and masked[start:end] == step else "*")
            start = end + 1
        settings["record"] = "/" + "/".join(steps)
        notes += ["# 记录路径中含疑似证件号码的元素名已改为 *（任意元素），请核对 / elements of the record path "
                  "whose names may hold an ID number are written * (any element): check the path"]
    namespaces = settings.get("namespaces")
    if isinstance(namespaces, dict):
        settings["namespaces"] = {prefix: redact(uri) for prefix, uri in namespaces.items()}
        for prefix, uri in namespaces.items():
            if settings["namespaces"][prefix] != uri:
                notes += [f"# 命名空间 {prefix} 的URI含疑似证件号码，已遮蔽：请按样例填写完整的URI，"
                          "否则用到它的路径读不到任何内容（或用 --show-pii 起草）/ the URI of namespace "
                          f"{prefix} may hold an ID number and is masked: fill it in from the sample, or the "
                          "paths that use it match nothing (or draft with --show-pii)"]
    sheet = settings.get("sheet")
    if isinstance(sheet, str) and redact(sheet) != sheet:
        del settings["sheet"]
        notes += ["# 工作表名称含疑似证件号码，未写出；转换时默认读取第一个工作表，其他工作表用 creditstd "
                  "convert --sheet 指定 / the sheet's name may hold an ID number and is left out: the first sheet "
                  "is read by default; name another with creditstd convert --sheet"]
    return settings, notes


def _slug(path: str) -> str:
    stem = Path(path).name.split(".")[0].lower()
    slug = re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-_")
    return (slug or "draft")[:60]


def draft_mapping(sample: str, class_name: str | None = None, *, name: str | None = None,
                  show_pii: bool = False, sheet: str | None = None) -> Draft:
    """A draft mapping for the export ``sample`` (CSV, TSV, XLSX or XML), for ``class_name`` or the class its
    column or element names suggest.  An ID number in a name taken from the sample (a column, an element of the
    record path, a namespace URI, the sheet, the file) is masked unless ``show_pii``.  Raises
    :class:`~creditstd.exceptions.CatalogueError` for an unknown class or one that cannot be inferred,
    :class:`~creditstd.sources.model.SourceError` for a sample that cannot be read, :class:`InputError` for a
    file that is not an export."""
    from creditstd.convert.mapping import parse_mapping
    from creditstd.records import loader
    from creditstd.records.decode import infer_class, resolve_headers
    from creditstd.records.model import record_class

    is_xml = sample.lower().removesuffix(".gz").endswith(".xml") or _looks_like_xml(sample)
    settings, columns = _sample_xml(sample) if is_xml else _sample_table(sample, sheet)
    if sheet is not None and settings["format"] != "xlsx":
        raise InputError(f"--sheet 只用于XLSX工作簿；{redact(Path(sample).name)} 是 {settings['format']}",
                         f"--sheet applies to XLSX workbooks; {redact(Path(sample).name)} is {settings['format']}")
    shown = redact(Path(sample).name)  # a file may be named after a person
    shown_in_full = Path(sample).name if show_pii else shown
    masked = {column.source: redact(column.source) for column in columns}
    if any(_is_a_value(column.source, masked[column.source]) for column in columns):
        raise InputError(f"{shown}：第一行看来是数据而不是表头（含证件号码、代码或日期）；起草映射需要表头行，"
                         "请在文件开头加上列名",
                         f"{shown}: the first row looks like data, not a header (it holds an ID number, a code or "
                         "a date); drafting a mapping needs a header row: add the column names at the top")
    personal = [column for column in columns if masked[column.source] != column.source]  # never written out
    columns = [column for column in columns if column not in personal]
    names = [column.name for column in columns]
    bare = {column.source: _local(column.source) or column.source for column in columns}
    reason_zh = reason_en = ""
    like = _resembles(list(bare.values()), settings["format"])
    if class_name is None:
        from creditstd.convert.builtin import load_builtin

        try:
            guess = infer_class(names)
        except CatalogueError:
            if like is None:
                raise
            guess = None
        if like is not None and (guess is None or like[1] > guess.matched):
            class_name = load_builtin(like[0]).class_name
            reason_zh = f"由名称推断：与内置映射 {like[0]} 的 {like[2]} 个来源中的 {like[1]} 个同名"
            reason_en = f"inferred from the names: {like[1]} of the {like[2]} sources of built-in mapping {like[0]}"
        else:
            assert guess is not None
            class_name, reason_zh, reason_en = guess.name, guess.reason_zh, guess.reason_en
    elif class_name not in loader.class_names():
        raise CatalogueError("catalogue.unknown_class", f"目录中没有记录类“{class_name}”",
                             f"the catalogue has no class {class_name!r}")
    cls = record_class(class_name)
    by_name = resolve_headers(class_name, names).fields
    known = _builtin_sources(class_name, settings["format"])
    rules: list[tuple[str, Column, list[Any], str, bool]] = []  # target, column, chain, how, many
    taken: set[str] = set()
    used: set[str] = set()
    for column in columns:  # by the catalogue's names, codes and aliases
        key = by_name.get(column.name)
        if key and key not in taken:
            hit = known.get(bare[column.source])
            chain = list(hit[1]) if hit is not None and hit[0] == key else _chain(class_name, key)
            rules.append((key, column, chain, "名称/name", column.repeats))
            taken.add(key)
            used.add(column.source)
    for column in columns:  # by the names the built-in mappings use
        hit = known.get(bare[column.source])
        if column.source in used or hit is None or hit[0] in taken:
            continue
        target, chain, mapping = hit
        rules.append((target, column, list(chain), f"内置映射/built-in {mapping}", column.repeats))
        taken.add(target)
        used.add(column.source)
    if like is not None:  # the resembling built-in mapping's rules with predicates (ZJHM[@ZJLX='身份证'])
        rules += _predicated(like[0], class_name, settings, {bare[column.source].split("/")[0] for column in columns},
                             taken)
    kinds = {column.source: _kind(column.values) for column in columns}
    for column in columns:  # identifiers by content
        kind = kinds[column.source]
        if column.source in used or kind not in ("uscc", "id_number") or kind not in cls.fields or kind in taken:
            continue
        rules.append((kind, column, ["trim", "identifier"], "内容/content", False))
        taken.add(kind)
        used.add(column.source)
    if "subject_category" in cls.fields and "subject_category" not in taken:
        identifiers = [rule[1] for rule in rules if rule[0] in ("uscc", "id_number")]
        if len(identifiers) == 1:
            rules.append(("subject_category", identifiers[0], ["trim", "subject_category"],
                          "由代码种类推断/from the kind of identifier", False))
            taken.add("subject_category")
    if not rules:
        raise InputError(f"{sample}：没有一列对应到“{class_name}”的字段，无从起草；请参照内置映射手写规则"
                         "（creditstd mapping list）",
                         f"{sample}: no column matches a field of {class_name}: nothing to draft; write the rules by "
                         "hand, after a built-in mapping (creditstd mapping list)")
    order = {key: number for number, key in enumerate(cls.fields)}
    rules.sort(key=lambda rule: order[rule[0]])
    unmatched = [column for column in columns if column.source not in used]
    missing = [key for key, spec in cls.fields.items() if spec.required and key not in taken]

    out: list[str] = [
        f"# creditstd mapping init 起草的映射 / drafted by creditstd mapping init from {_comment(shown_in_full)}",
        "# 请核对每条规则，补全必填字段后再使用 / check every rule and complete the required fields before use.",
        "# 格式 / format: schemas/mapping.schema.json; 示例 / examples: creditstd mapping list",
        "spec = 1",
        f"name = {_toml_value(name or _slug(shown))}",
        f"title = {_toml_value(f'{cls.zh}（草稿） / {cls.en} (draft)')}",
        f"class = {_toml_value(class_name)}",
    ]
    if reason_en:
        out.append(f"# {_comment(reason_zh)}")
        out.append(f"# {_comment(reason_en)}")
    constants: list[dict[str, Any]] = []
    if like is not None:
        unread = _unread_by(like[0], settings, rules, list(masked), sample)
        if unread is None:
            out.append(f"# 与内置映射 {like[0]} 相似，但读不了本样本（格式、编码或所读的列不同），请用本草稿 / "
                       f"resembles built-in mapping {like[0]}, which cannot read this sample (another format, "
                       "encoding, or columns the sample lacks): use this draft")
        elif not unread:
            out.append(f"# 与内置映射 {like[0]} 相似，可直接使用 / resembles built-in mapping {like[0]}: try "
                       f"creditstd convert FILE --mapping {like[0]} (creditstd mapping show {like[0]})")
        else:
            shown_unread = [masked.get(source, source) for source in unread[:5]]
            more = len(unread) > 5
            out.append(f"# 与内置映射 {like[0]} 相似，但它不按本草稿读取样本的 {len(unread)} 列"
                       f"（{_comment('、'.join(shown_unread))}{'等' if more else ''}），请用本草稿")
            out.append(f"# resembles built-in mapping {like[0]}, which does not read {len(unread)} of the sample's "
                       f"columns as this draft does ({_comment(', '.join(shown_unread))}{', ...' if more else ''}): "
                       "use this draft")
        from creditstd.convert.builtin import load_builtin

        if load_builtin(like[0]).class_name == class_name:
            constants = [rule for rule in _builtin_rules(settings["format"])[like[0]]
                         if "const" in rule and rule["target"] not in taken]
    written, notes = (settings, []) if show_pii else _masked_settings(settings)
    out += ["", "[source]", *notes]
    out += [f"{key} = {_toml_value(value)}" for key, value in written.items()]
    for target, column, chain, how, many in rules:
        spec = cls.fields[target]
        out += ["", "[[fields]]", f"# {_comment(spec.zh)} / {_comment(spec.en)} ← {_comment(how)}",
                f"target = {_toml_value(target)}", f"source = {_toml_value(column.source)}"]
        if many and spec and _is_array(class_name, target):
            out.append("many = true")
        elif many:
            out.append("# 该元素在一条记录中重复出现：请选择其一（如 [1]）/ repeats in a record: pick one (e.g. [1])")
        if chain:
            out.append(f"transforms = {_toml_value(chain)}")
    for rule in constants:
        out += ["", "# 内置映射的常量，请核对 / a constant of the built-in mapping: check it",
                "[[fields]]", f"target = {_toml_value(rule['target'])}", f"const = {_toml_value(rule['const'])}"]
        taken.add(rule["target"])
    missing = [key for key in missing if key not in taken]
    if missing:
        out += ["", "# 尚无来源的必填字段（请添加 source 或 const）/ required fields with no source yet (add a "
                "source or a const):"]
        for key in missing:
            spec = cls.fields[key]
            out.append(f"#   {key}: {_comment(spec.zh)} / {_comment(spec.en)}")
    if unmatched:
        out += ["", "# 未对应到目录字段的列 / columns matched to no catalogue field (add a rule or leave them out):"]
        for column in unmatched:
            kind = kinds.get(column.source)
            hint = f"  — 值像{_KIND_NAMES[kind][0]} / values look like {_KIND_NAMES[kind][1]}" if kind else ""
            out.append(f"#   {_comment(column.source)}{hint}")
    if personal:
        out += ["", "# 列名含疑似证件号码的列（未起草规则）/ columns whose names hold what may be an ID number "
                "(no rule drafted):" if show_pii else
                "# 列名含疑似证件号码的列（已遮蔽，未起草规则）/ columns whose names hold what may be an ID number "
                "(masked; no rule drafted):"]
        out += [f"#   {_comment(column.source if show_pii else masked[column.source])}" for column in personal]
    text = "\n".join(out) + "\n"
    parse_mapping(text, f"draft for {shown}")  # the draft always loads
    matched = {column.source: target for target, column, _, _, _ in rules}
    return Draft(text, class_name, matched, [column.source for column in unmatched], missing, reason_zh, reason_en,
                 len(personal))


def _is_array(class_name: str, key: str) -> bool:
    from creditstd.records.decode import field_type
    from creditstd.records.model import record_class

    return field_type(record_class(class_name), key) == "array"


def _looks_like_xml(path: str) -> bool:
    from creditstd.sources.inputs import open_bytes

    try:
        opened = open_bytes(path)
    except Exception:
        return False
    try:
        head = opened.stream.read(512)
    finally:
        opened.close()
    for bom in (b"\xef\xbb\xbf",):
        head = head.removeprefix(bom)
    return head.lstrip().startswith(b"<")


@mapping_group.command("init")
@click.argument("sample", metavar="SAMPLE", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--class", "class_name", metavar="CLASS",
              help="目标记录类（默认由列名推断）/ The catalogue class (default: inferred from the names).")
@click.option("--name", help="映射名称（默认取自文件名）/ The mapping's name (default: from the file name).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="写入文件（默认标准输出）/ Write the draft to FILE (default: stdout).")
@click.option("--force", is_flag=True, help="覆盖已有的输出文件 / Replace an existing output file.")
@click.option("--show-pii", is_flag=True,
              help="在草稿中完整写出取自样例的名称中的证件号码（列名、元素名、命名空间URI、工作表名、文件名） "
                   "/ write ID numbers in the names taken from the sample (columns, elements, namespace URIs, "
                   "sheet, file) in full in the draft")
@click.option("--sheet", metavar="NAME",
              help="起草所依据的工作表（XLSX；默认第一个未隐藏的） / the workbook sheet to draft from (XLSX; default: "
                   "the first not hidden)")
def init_command(sample: str, class_name: str | None, name: str | None, output: str | None, force: bool,
                 show_pii: bool, sheet: str | None) -> None:
    """由样例导出文件起草映射 / Draft a mapping from a sample export (CSV, TSV, XLSX, XML)."""
    from creditstd.sources.model import SourceError

    if name is not None and not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", name):
        raise click.BadParameter(bilingual("须为小写字母、数字、- 和 _（最长64个字符）",
                                           "lower-case letters, digits, - and _ only (at most 64)"),
                                 param_hint="--name")
    refuse_input_as_output(output, [sample], "-o/--output")
    if output is not None and os.path.exists(output) and not force:
        raise click.UsageError(bilingual(f"{output} 已存在；用 --force 覆盖", f"{output} exists; use --force to "
                                         "replace it"))
    if sample == "-":
        raise InputError("mapping init 需要样例文件，不能从标准输入读取", "mapping init needs a sample file, not stdin")
    if not os.path.isfile(sample):
        raise InputError(f"找不到样例文件 {sample}", f"sample file not found: {sample}")
    try:
        draft = draft_mapping(sample, class_name, name=name, show_pii=show_pii, sheet=sheet)
    except (CatalogueError, SourceError) as error:
        raise _fail(error) from None
    with output_stream(output) as stream:
        stream.write(draft.text)
    columns = len(draft.matched) + len(draft.unmatched) + draft.withheld
    withheld_zh = f"（{draft.withheld} 列的列名含疑似证件号码，未起草规则）" if draft.withheld else ""
    withheld_en = f" ({draft.withheld} whose names may hold an ID number have no rule)" if draft.withheld else ""
    if draft.class_reason_en:
        click.echo(bilingual(draft.class_reason_zh, draft.class_reason_en), err=True)
    click.echo(bilingual(
        f"已起草“{draft.class_name}”的映射：{columns} 列中 {len(draft.matched)} 列已对应{withheld_zh}；"
        f"{len(draft.missing_required)} 个必填字段尚无来源" + (f"；已写入 {output}" if output else ""),
        f"drafted a mapping for {draft.class_name}: {len(draft.matched)} of {columns} columns matched{withheld_en}; "
        f"{len(draft.missing_required)} required fields have no source yet" + (f"; written to {output}" if output
                                                                                 else "")), err=True)
