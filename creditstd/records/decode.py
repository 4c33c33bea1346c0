"""From a departmental export to catalogue records: which column is which field, and what each cell holds.

Exports name their columns every way at once: the catalogue key
(``decision_number``), the national field code (``CF_WSH``), the Chinese
name (``行政处罚决定书文号``) or one of the aliases real feeds use
(``处罚决定书文号``, ``文号``).  :func:`resolve_headers` maps each header to a
field of the class by all of them, comparing names NFKC-folded (full-width
brackets and letters are the same as ASCII), case-insensitively and without
spaces; :func:`infer_class` picks the class whose fields the headers match
best, and says why.

>>> mapping = resolve_headers('administrative_penalty', ['CF_WSH', '行政相对人名称', ' 罚款金额(万元) ', '经办人'])
>>> mapping.fields
{'CF_WSH': 'decision_number', '行政相对人名称': 'subject_name', ' 罚款金额(万元) ': 'fine_amount', '经办人': None}
>>> mapping.unknown, mapping.missing[:3]
(('经办人',), ('subject_category', 'violation_type', 'violation_facts'))
>>> infer_class(['XK_XDR_MC', 'XK_WSH', 'XK_XKLB', 'XK_JDRQ']).name
'administrative_licence'

A cell is text.  :func:`cell_decoder` turns the text of one field's cell into
the value a JSON record would hold, the same way for every caller (the
compiled plan, the converters, the reference row path): surrounding whitespace
is already gone (the plan trims each column once) and an empty cell is an
absent field; a number field takes plain decimal notation (``0.2``, ``-3``,
``1e3``; no thousands separators, no units; one a double cannot hold as
written, ``12345678901234567.89``, ``1e-400`` or ``12345678901234567``, is
read as an :class:`~creditstd.records.jsonline.InexactNumber`, which the
validator refuses as ``record.inexact_number`` rather than pass it on
rounded); a boolean field takes 是/否, true/false, 1/0; an array field is split
on ``；``, ``;`` and ``、`` (items trimmed, empty items dropped), or read as
JSON when the cell holds a JSON array (how :func:`array_cell` writes a list of
objects, or items holding a separator).  A cell that does not decode stays
text, so the validator reports it as the wrong type rather than losing it.

Some values of the statutes hold ``、`` themselves (行政强制法 Art. 9's
``冻结存款、汇款``, the 1996 law's ``暂扣或者吊销许可证、暂扣或者吊销执照``):
where the field lists its items, fragments between ``、`` that together
spell one of them stay one item (the longest such run wins):

>>> cell_decoder('administrative_coercion', 'measure_types')('扣押财物、冻结存款、 汇款；查封场所、设施或者财物')
['扣押财物', '冻结存款、汇款', '查封场所、设施或者财物']

>>> decode = cell_decoder('administrative_penalty', 'penalty_types')
>>> decode('警告；罚款'), decode('警告、 罚款;'), cell_decoder('administrative_penalty', 'fine_amount')('0.2')
(['警告', '罚款'], ['警告', '罚款'], 0.2)
>>> cell_decoder('administrative_penalty', 'fine_amount')('2,000元')
'2,000元'

A field with a code table reads the table's aliases (the vendor codes real
feeds carry, :func:`code_aliases`) as the values they stand for:

>>> decode = cell_decoder('administrative_licence', 'subject_category')
>>> decode('02'), decode('04'), decode('自然人')
('法人及非法人组织', '个体工商户', '自然人')
>>> cell_decoder('administrative_licence', 'licence_category')('03')
'认可'
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from creditstd.codes.uscc import PLACEHOLDER, is_placeholder
from creditstd.records import loader
from creditstd.records.jsonline import decimal_number, dumps_record, integer_number
from creditstd.records.model import RecordClass, record_class

__all__ = ["ARRAY_SEPARATORS", "ClassGuess", "HeaderMapping", "array_cell", "cell_decoder", "code_aliases",
           "enumerated_values", "field_spellings", "field_type", "holds_objects", "infer_class", "json_array",
           "name_key", "rejoin_enumerations", "resolve_headers", "takes_placeholder"]

#: Characters that separate the items of an array cell (full-width and ASCII semicolon, the enumeration comma).
ARRAY_SEPARATORS = "；;、"
_SPLIT = re.compile(f"[{ARRAY_SEPARATORS}]")
_SEMICOLONS = re.compile("[；;]")
_ENUMERATION_COMMA = "、"
#: Plain decimal notation, ASCII digits only (``float()`` alone would take ``1_000``, ``nan`` and ``inf``).
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
INTEGER = re.compile(r"[+-]?[0-9]+")
_TRUE, _FALSE = frozenset({"是", "true", "True", "TRUE", "1"}), frozenset({"否", "false", "False", "FALSE", "0"})


def name_key(name: str) -> str:
    """A name as headers and labels are compared: NFKC, case folded, white space removed.

    >>> name_key(' 处罚 决定日期 '), name_key('ＣＦ_WSH') == name_key('cf_wsh')
    ('处罚决定日期', True)
    """
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


@functools.cache
def field_spellings(class_name: str) -> dict[str, str]:
    """Every spelling of every field of the class (folded) -> the field's key."""
    names: dict[str, str] = {}
    for field in record_class(class_name).fields.values():
        for name in (field.key, field.code, field.zh, *field.aliases):
            if name:
                names.setdefault(name_key(name), field.key)
    return names


@dataclass(frozen=True)
class HeaderMapping:
    """How the headers of an export map to the fields of a class."""

    class_name: str
    #: Header, exactly as given -> the field's key, or None when it names no field of the class.
    fields: dict[str, str | None]
    #: Headers that name no field (in order).
    unknown: tuple[str, ...]
    #: Required fields no header names (in schema order).
    missing: tuple[str, ...]
    #: Headers naming a field an earlier header already named (``CF_WSH`` beside ``决定文书号``): a second spelling
    #: of the field, mapped to it in :attr:`fields`.  Its cells fill the earlier column's empty ones, and a row
    #: whose spellings hold different values is a ``record.conflict``
    #: (:func:`~creditstd.records.plan.keyed_batch`, :func:`~creditstd.records.plan.spelling_conflicts`).
    duplicate: tuple[str, ...]

    @property
    def matched(self) -> int:
        """How many headers name a field."""
        return sum(key is not None for key in self.fields.values())


def resolve_headers(class_name: str, headers: Sequence[str], repeats: Mapping[str, str] | None = None,
                    ) -> HeaderMapping:
    """Map ``headers`` to the fields of ``class_name`` by key, national code, Chinese name and aliases.
    ``repeats``: the headers the reader renamed because they repeat an earlier one -> the name repeated
    (:attr:`~creditstd.sources.model.Source.repeats`: the second ``CF_WSH`` read as ``CF_WSH_2``); such a
    header names what the name repeated names, as a second spelling does.  A header written ``BZ_2`` is
    no repeat.

    >>> resolve_headers('administrative_penalty', ['CF_WSH', 'CF_WSH_2', 'BZ', 'BZ_2'], {'CF_WSH_2': 'CF_WSH'}).fields
    {'CF_WSH': 'decision_number', 'CF_WSH_2': 'decision_number', 'BZ': 'remarks', 'BZ_2': None}
    """
    names = field_spellings(class_name)
    fields: dict[str, str | None] = {}
    seen: set[str] = set()
    duplicate: list[str] = []
    for header in headers:
        key = names.get(name_key(repeats.get(header, header) if repeats else header))
        if key is not None and key in seen:
            duplicate.append(header)
        elif key is not None:
            seen.add(key)
        fields[header] = key
    cls = record_class(class_name)
    missing = tuple(key for key, field in cls.fields.items() if field.required and key not in seen)
    unknown = tuple(header for header, key in fields.items() if key is None)
    return HeaderMapping(class_name, fields, unknown, missing, tuple(duplicate))


@dataclass(frozen=True)
class ClassGuess:
    """The class :func:`infer_class` chose, and why (in Chinese and English)."""

    name: str
    matched: int
    headers: int
    reason_zh: str
    reason_en: str


def infer_class(headers: Sequence[str]) -> ClassGuess:
    """The class whose fields the headers name most often (ties: the one with fewer required fields missing).

    Raises :class:`~creditstd.exceptions.CatalogueError` (``catalogue.no_class``) when no header names a field.

    >>> print(infer_class(['subject_name', 'uscc', 'decision_date']).reason_en)  # doctest: +ELLIPSIS
    inferred from the headers: 3 of 3 columns name fields of ... a tie, broken by fewer required fields missing)
    """
    from creditstd.exceptions import CatalogueError

    scored = []
    for name in loader.class_names():
        mapping = resolve_headers(name, headers)
        scored.append((mapping.matched, -len(mapping.missing), name))
    matched, _, name = max(scored)
    if matched == 0:
        raise CatalogueError("catalogue.no_class", "表头与目录中任何一类信息的字段都不对应，请用 --class 指定",
                             "no header names a field of any catalogue class: give --class")
    runner_up = sorted(scored, reverse=True)[1]
    cls = record_class(name)
    tie_zh, tie_en = ("；列数相同，取缺少必填字段较少者", "; a tie, broken by fewer required fields missing") \
        if runner_up[0] == matched else ("", "")
    return ClassGuess(
        name, matched, len(headers),
        f"由表头推断：{len(headers)} 列中 {matched} 列对应“{cls.zh}”的字段（次优：{runner_up[2]}，{runner_up[0]} 列"
        f"{tie_zh}）",
        f"inferred from the headers: {matched} of {len(headers)} columns name fields of {name} "
        f"(next best: {runner_up[2]}, {runner_up[0]} columns{tie_en})",
    )


def field_type(cls: RecordClass, key: str) -> str:
    """The JSON type a cell of field ``key`` decodes to: string, number, integer, boolean or array."""
    schema = loader.inlined_class_schema(cls.name)["properties"][key]
    declared = schema.get("type")
    if isinstance(declared, str) and declared in ("number", "integer", "boolean", "array"):
        return declared
    if "const" in schema and isinstance(schema["const"], bool):
        return "boolean"
    return "string"


def holds_objects(class_name: str, key: str) -> bool:
    """Whether field ``key`` is a list of objects (``government_dishonesty.responsible_persons``): a cell or an
    XML element holds it as one JSON array (:func:`array_cell`), never as joined or repeated items.

    >>> holds_objects('government_dishonesty', 'responsible_persons'), holds_objects('administrative_penalty',
    ...                                                                              'penalty_types')
    (True, False)
    """
    schema = loader.inlined_class_schema(class_name)["properties"].get(key, {})
    return schema.get("type") == "array" and schema.get("items", {}).get("type") == "object"


def _number(text: str) -> Any:
    if INTEGER.fullmatch(text):
        try:
            return integer_number(text)
        except ValueError:  # more digits than Python turns into an int (4,300): undecodable, so it stays text
            return text
    return decimal_number(text) if NUMBER.fullmatch(text) else text  # held as written, or marked inexact


def _boolean(text: str) -> Any:
    return True if text in _TRUE else False if text in _FALSE else text


def array_cell(items: Sequence[Any]) -> str:
    """The text of an array in one cell, as :func:`cell_decoder` reads it back: the items joined with ``；``,
    or the array as JSON text when joining would lose or change it (an item that is not text, a list of
    objects such as ``government_dishonesty.responsible_persons``, an item holding a separator, a first item
    starting with ``[``).  Either way text items are trimmed and empty or null ones dropped when read back,
    as in every cell.

    >>> array_cell(['警告', '罚款']), array_cell(['乙、丙合伙企业']), array_cell([{'name': '张三'}])
    ('警告；罚款', '["乙、丙合伙企业"]', '[{"name": "张三"}]')
    >>> decode = cell_decoder('government_dishonesty', 'responsible_persons')
    >>> decode(array_cell([{'name': '张三', 'position': '局长'}]))
    [{'name': '张三', 'position': '局长'}]
    >>> [cell_decoder('administrative_penalty', 'penalty_types')(array_cell(items)) for items in
    ...  (['甲；乙'], ['[1]'], [1, True])]
    [['甲；乙'], ['[1]'], [1, True]]
    """
    if all(type(item) is str and not _SPLIT.search(item) for item in items):
        joined = "；".join(items)
        if not joined.lstrip().startswith("["):
            return joined
    return dumps_record(list(items))


def json_array(text: str) -> list[Any] | None:
    """The list a cell holding a JSON array stands for (:func:`array_cell`'s second form), read as every cell
    is (text items trimmed, empty and null ones dropped; objects as they are), else None: the cell is not
    JSON.  Numbers are read as :func:`~creditstd.records.jsonline.decimal_number` reads them, so that the
    validator refuses an inexact or non-finite one at its item; JSON it cannot take as a list (nested beyond
    what the parser reaches, a key given twice in an object) raises ValueError.

    >>> json_array('[{"name": "张三"}]'), json_array('[警告]'), json_array('{"name": "张三"}')
    ([{'name': '张三'}], None, None)
    >>> json_array('[" 罚款 ", null, "", "其他-甲、乙"]')
    ['罚款', '其他-甲、乙']
    """
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text, parse_float=decimal_number, parse_constant=decimal_number,
                           object_pairs_hook=_unique_keys)
    except RecursionError:
        raise ValueError("nested too deep") from None
    except json.JSONDecodeError:  # not JSON: a text that starts with "["
        return None
    if not isinstance(value, list):
        return None
    return [item.strip() if type(item) is str else item for item in value
            if item is not None and not (type(item) is str and not item.strip())]


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError("a key given twice")  # not a JSONDecodeError: the cell is JSON, and refused
    return found


def _json_cell(text: str) -> Any:
    """A cell holding a JSON array as its list, one holding JSON the decoder refuses as its text (reported as
    not an array), and None for a cell that is not JSON (its items are split)."""
    try:
        return json_array(text)
    except ValueError:
        return text


def _array(text: str) -> Any:
    found = _json_cell(text)
    if found is not None:
        return found
    return [item for item in (part.strip() for part in _SPLIT.split(text)) if item]


def _item_values(schema: Mapping[str, Any]) -> frozenset[str]:
    """The text values an array's items may take that hold ``、`` (from ``enum``, also inside ``anyOf``)."""
    found: set[str] = set()
    for part in (schema, *schema.get("anyOf", ())):
        found.update(value for value in part.get("enum", ()) if isinstance(value, str) and _ENUMERATION_COMMA in value)
    return frozenset(found)


def _array_keeping(known: frozenset[str]) -> Callable[[str], Any]:
    """An array decoder that keeps the ``known`` values holding ``、`` whole (see the module's docstring)."""

    def decode(text: str) -> Any:
        found = _json_cell(text)
        if found is not None:
            return found
        return [item for part in _SEMICOLONS.split(text) for item in rejoin_enumerations(part, known)]

    return decode


def rejoin_enumerations(text: str, known: Collection[str]) -> list[str]:
    """``text`` cut at ``、`` into trimmed items, empty ones dropped, where fragments that together spell one
    of the ``known`` values stay one item (the longest such run wins): ``冻结存款、汇款`` is one measure.

    >>> rejoin_enumerations('扣押财物、冻结存款、 汇款、', {'冻结存款、汇款'})
    ['扣押财物', '冻结存款、汇款']
    """
    fragments = [fragment.strip() for fragment in text.split(_ENUMERATION_COMMA)]
    longest = max((value.count(_ENUMERATION_COMMA) for value in known), default=0) + 1  # fragments in one
    items: list[str] = []
    start = 0
    while start < len(fragments):
        for end in range(min(len(fragments), start + longest), start + 1, -1):
            joined = _ENUMERATION_COMMA.join(fragments[start:end])
            if joined in known:
                items.append(joined)
                start = end
                break
        else:
            if fragments[start]:
                items.append(fragments[start])
            start += 1
    return items


@functools.cache
def enumerated_values() -> frozenset[str]:
    """Every value an array field of the catalogue lists for its items that holds ``、`` (冻结存款、汇款...)."""
    found: set[str] = set()
    for class_name in loader.class_names():
        for spec in loader.inlined_class_schema(class_name)["properties"].values():
            if isinstance(spec, Mapping) and spec.get("type") == "array":
                found.update(_item_values(spec.get("items", {})))
    return frozenset(found)


def _text(text: str) -> Any:
    return text


_DECODERS: dict[str, Callable[[str], Any]] = {
    "number": _number, "integer": _number, "boolean": _boolean, "array": _array, "string": _text,
}


@functools.cache
def code_aliases(class_name: str, key: str) -> Mapping[str, str]:
    """The other spellings of the values of field ``key``'s code table (vendor codes such as ``02``) -> the
    value each stands for; empty for a field that is not a text field with a code table.

    Taken from the ``aliases`` of the table's values in the taxonomy; an alias that is itself a value of the
    table, or that two values claim, is left out (a cell holding it is read as it is).
    """
    cls = record_class(class_name)
    spec = cls.fields.get(key)
    if spec is None or spec.code_table is None or field_type(cls, key) != "string":
        return MappingProxyType({})
    values = loader.taxonomy().get("code_tables", {}).get(spec.code_table, {}).get("values", ())
    names = {value.get("zh") for value in values}
    found: dict[str, str] = {}
    claimed: set[str] = set()
    for value in values:
        for alias in value.get("aliases", ()):
            if alias in found and found[alias] != value["zh"]:
                claimed.add(alias)
            found[alias] = value["zh"]
    return MappingProxyType({alias: name for alias, name in found.items() if alias not in names | claimed})


def takes_placeholder(class_name: str, key: str) -> bool:
    """Whether field ``key`` takes a USCC or the 双公示 placeholder (the catalogue's ``uscc_or_placeholder``): a
    cell holding the placeholder in any spelling (``00000000000000000x``, full width, spaced) is read as
    :data:`~creditstd.codes.uscc.PLACEHOLDER` itself, as a code is read in any spelling.

    >>> takes_placeholder('administrative_penalty', 'uscc'), takes_placeholder('administrative_penalty', 'orgcode')
    (True, False)
    >>> cell_decoder('administrative_penalty', 'uscc')('000000 00000000000x')
    '00000000000000000X'
    """
    spec = record_class(class_name).fields.get(key)
    return spec is not None and spec.kind == "uscc_or_placeholder"


def _placeholder_or_text(text: str) -> str:
    return PLACEHOLDER if text != PLACEHOLDER and is_placeholder(text) else text


@functools.cache
def cell_decoder(class_name: str, key: str) -> Callable[[str], Any]:
    """The function that turns a (trimmed, non-empty) cell of field ``key`` into its record value.

    A text cell of a field with a code table that holds one of the table's aliases (:func:`code_aliases`)
    becomes the value the alias stands for; the placeholder in a field that takes it
    (:func:`takes_placeholder`) becomes the placeholder as the catalogue writes it.
    """
    if takes_placeholder(class_name, key):
        return _placeholder_or_text
    kind = field_type(record_class(class_name), key)
    if kind == "array":
        known = _item_values(loader.inlined_class_schema(class_name)["properties"][key].get("items", {}))
        return _array_keeping(known) if known else _array
    decode = _DECODERS[kind]
    aliases = code_aliases(class_name, key)
    if not aliases:
        return decode
    return lambda text: aliases.get(text, text)
