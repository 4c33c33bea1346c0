r"""Self-contained class schemas for other languages: ``creditstd catalogue schema CLASS --bundle``.

A class schema refers to the shared types of ``catalogue/common.schema.json``
and marks identifiers with formats only this package knows (``uscc``,
``citizen-id``...).  :func:`bundled_schema` returns one Draft 2020-12 document
that needs nothing else: the shared types it uses are copied under ``$defs``
and every reference points there, and every format of the catalogue gets a
``pattern`` (through a ``$ref`` to ``$defs/format-<name>``) so that a plain
validator (Python's jsonschema, JavaScript's ajv, any other) rejects a
malformed identifier even though it does not know the format.

>>> import re
>>> schema = bundled_schema('administrative_penalty')
>>> schema['$defs']['uscc']['$ref'], sorted(set(re.findall(r'"\$ref": "([^#][^"]*)"', json.dumps(schema))))
('#/$defs/format-uscc', [])
>>> import jsonschema
>>> check = jsonschema.Draft202012Validator(schema)   # no format checker, no registry
>>> record = {'subject_name': '某某科技有限公司', 'subject_category': '法人及非法人组织', 'uscc': '91350100M000100Y43',
...           'legal_representative': '张三', 'decision_number': '罚〔2024〕1号', 'violation_type': '虚假宣传',
...           'violation_facts': '经查……', 'legal_basis': '《广告法》', 'penalty_types': ['警告'],
...           'penalty_content': '警告', 'decision_date': '2024-03-15', 'valid_until': '2025-03-15',
...           'authority': '某市市场监督管理局', 'authority_uscc': '11350100MAD18YGF27',
...           'data_source': '某市市场监督管理局', 'data_source_uscc': '11350100MAD18YGF27'}
>>> check.is_valid(record), check.is_valid({**record, 'uscc': '91350100M000100Y4'})
(True, False)
>>> check.is_valid({**record, 'uscc': '91350100I000100Y43'})   # I is not one of the 31 symbols
False

A pattern never rejects a value the package accepts.  The package reads an
identifier the way people type it (:func:`creditstd.codes._text.compact`):
separators anywhere (spaces, hyphens, dots, slashes...), lower case,
full-width and other compatibility forms of digits and letters (NFKC).  So a
pattern accepts the same spellings, which makes it long; the canonical form
it stands for, after that normalisation, is in ``x-canonical-pattern``:

>>> FORMATS['uscc'].canonical, FORMATS['orgcode'].canonical
('^(?:[0-9A-HJ-NP-RTUW-Y]{18})$', '^(?:[0-9A-Z]{8}[0-9X])$')
>>> ids = ('11010519491231002x', '110105 19491231 002X', '１１０１０５１９４９１２３１００２Ｘ', '1101051949133100')
>>> [bool(re.search(pattern('citizen-id'), value)) for value in ids]
[True, True, True, False]

What a pattern cannot say is left to the package: check characters, whether a
region code exists, whether a date is a real day (29 February), a birth date in
the future, the catalogue's named rules (dates in order, the organisation code
inside the USCC).  A value made of rare compatibility characters that stand for
two or more symbols at once (``⑩`` reads as ``10``) is only checked for its
characters, not its structure.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Union

from creditstd.codes._text import MAX_LENGTH, SEPARATORS, compact
from creditstd.records import loader

__all__ = ["FORMATS", "FormatShape", "bundled_schema", "pattern"]

_COMMON = "common.schema.json#/$defs/"

#: A canonical shape: a set of symbols (one character of the normalised value), a sequence, or alternatives.
Shape = Union[frozenset[str], tuple[str, tuple["Shape", ...]]]  # noqa: UP007 (a runtime alias)


def _symbols(text: str) -> frozenset[str]:
    return frozenset(text)


def _seq(*parts: Shape) -> Shape:
    return ("seq", parts)


def _alt(*parts: Shape) -> Shape:
    return ("alt", parts)


def _times(part: Shape, count: int) -> tuple[Shape, ...]:
    return (part,) * count


_DIGITS = _symbols("0123456789")
_USCC = _symbols("0123456789ABCDEFGHJKLMNPQRTUWXY")  # GB 32100: 31 symbols, no I O S V Z
_ORG = _symbols("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")  # GB 11714: digits and the 26 letters
_CHECK_X = _symbols("0123456789X")
_STAR = _symbols("*")
_MONTH = _alt(_seq(_symbols("0"), _symbols("123456789")), _seq(_symbols("1"), _symbols("012")))
_DAY = _alt(_seq(_symbols("0"), _symbols("123456789")), _seq(_symbols("12"), _DIGITS),
            _seq(_symbols("3"), _symbols("01")))
#: The package takes birth years from 1800 to this year: a pattern allows 1800-2099.
_CENTURY = _alt(_seq(_symbols("1"), _symbols("89")), _seq(_symbols("2"), _symbols("0")))


@dataclass(frozen=True)
class FormatShape:
    """What a format's values look like once normalised, and the normalisation the package applies first."""

    name: str
    shape: Shape | None
    #: The package normalises the value first (:func:`~creditstd.codes._text.compact`) before it checks it.
    normalised: bool = True
    #: The normalised value must hold this symbol somewhere (a masked ID number holds ``*``).
    holds: str | None = None
    #: Exact canonical pattern (formats the package does not normalise).
    literal: str | None = None

    @property
    def canonical(self) -> str:
        """The pattern of the normalised value: ASCII, no separators, upper case."""
        if self.literal is not None:
            return self.literal
        assert self.shape is not None
        body = _render(self.shape, _ascii_class, "")
        return f"^(?=.*[{re.escape(self.holds)}])(?:{body})$" if self.holds else f"^(?:{body})$"


_CITIZEN_18 = _seq(*_times(_DIGITS, 6), _CENTURY, *_times(_DIGITS, 2), _MONTH, _DAY, *_times(_DIGITS, 3), _CHECK_X)
_CITIZEN_15 = _seq(*_times(_DIGITS, 6), *_times(_DIGITS, 2), _MONTH, _DAY, *_times(_DIGITS, 3))
_MASK_DIGIT = _DIGITS | _STAR

#: The formats of the catalogue and their shapes, after the package's own reading of each (its modules'
#: non-strict checks: ``uscc.validate``, ``ric.validate``, ``orgcode.validate``, ``regno.validate``,
#: ``ric.is_masked``, ``regions.validate``, ``formats.iso_date``, the taxonomy's sector codes).
FORMATS: dict[str, FormatShape] = {
    # 18 symbols of the 31; which authority, category and region are defined is strict mode only
    "uscc": FormatShape("uscc", _seq(*_times(_USCC, 18))),
    # 18 digits (the last may be X) with a birth date, or the 15-digit legacy number; any address digits
    # (the package's non-strict check does not require the address code to start with 1-9)
    "citizen-id": FormatShape("citizen-id", _alt(_CITIZEN_18, _CITIZEN_15)),
    "orgcode": FormatShape("orgcode", _seq(*_times(_ORG, 8), _CHECK_X)),
    "regno": FormatShape("regno", _seq(*_times(_DIGITS, 15))),
    "masked-id": FormatShape("masked-id", _alt(_seq(*_times(_MASK_DIGIT, 17), _CHECK_X | _STAR),
                                               _seq(*_times(_MASK_DIGIT, 15))), holds="*"),
    "gb2260": FormatShape("gb2260", _seq(*_times(_DIGITS, 6))),
    "date": FormatShape("date", None, normalised=False,
                        literal="^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"),
    "sector": FormatShape("sector", None, normalised=False),  # the taxonomy's codes: see _sector_pattern
}


def _shape_symbols(shape: Shape) -> frozenset[str]:
    if isinstance(shape, frozenset):
        return shape
    return frozenset().union(*(_shape_symbols(part) for part in shape[1]))


# -- the characters the package reads as each symbol -------------------------------------------------------------


@dataclass(frozen=True)
class _Units:
    """Every code point by what the package's normalisation makes of it."""

    #: symbol -> the code points that become exactly that one symbol
    single: Mapping[str, tuple[int, ...]]
    #: code points that vanish (separators, and what NFKC turns into separators)
    vanishing: tuple[int, ...]
    #: text of two or more symbols -> the code points that become it (``⑩`` -> ``10``)
    multiple: Mapping[str, tuple[int, ...]]


@functools.cache
def _units() -> _Units:
    """Every code point sorted by what :func:`~creditstd.codes._text.compact` itself makes of it (``Ｍ`` -> ``M``,
    ``x`` -> ``X``, the ideographic space -> nothing, ``⑩`` -> ``10``): the patterns read a value as the
    package does."""
    wanted = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*")
    single: dict[str, list[int]] = defaultdict(list)
    multiple: dict[str, list[int]] = defaultdict(list)
    vanishing: list[int] = []
    for point in range(0x110000):
        if 0xD800 <= point <= 0xDFFF:
            continue
        folded = compact(chr(point))
        if not folded:
            vanishing.append(point)
        elif len(folded) == 1 and folded in wanted:
            single[folded].append(point)
        elif len(folded) > 1 and set(folded) <= wanted:
            multiple[folded].append(point)
    return _Units({key: tuple(value) for key, value in single.items()}, tuple(vanishing),
                  {key: tuple(value) for key, value in multiple.items()})


def _char(point: int) -> str:
    """One code point inside a character class, written so that Python's ``re`` and ECMA-262 (with or without
    the ``u`` flag for the Basic Multilingual Plane, with it for the rest) read it alike."""
    if point < 0x80 and chr(point).isalnum():
        return chr(point)
    if point <= 0xFFFF:
        return f"\\u{point:04X}"
    return chr(point)  # a supplementary character: literal (Python knows no \u{...}, ECMA-262 no \U)


def _class(points: Iterable[int], negate: bool = False) -> str:
    """A character class of ``points``, runs of consecutive code points as ranges.

    >>> _class([48, 49, 50, 57, 0x3000])
    '[0-29\\\\u3000]'
    """
    ordered = sorted(set(points))
    parts: list[str] = []
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        first, last = ordered[start], ordered[end]
        if last == first:
            parts.append(_char(first))
        elif last == first + 1:
            parts.append(_char(first) + _char(last))
        else:
            parts.append(f"{_char(first)}-{_char(last)}")
        start = end + 1
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


def _ascii_class(symbols: frozenset[str]) -> str:
    return _class(ord(symbol) for symbol in symbols)


def _loose_class(symbols: frozenset[str]) -> str:
    units = _units()
    return _class(point for symbol in symbols for point in units.single.get(symbol, ()))


def _render(shape: Shape, render_class: Any, gap: str) -> str:
    """The regular expression of ``shape``: each symbol set through ``render_class``, ``gap`` before each;
    a part repeated in a row is written once with a count.

    >>> _render(_seq(_DIGITS, _DIGITS, _symbols('X')), _ascii_class, '')
    '[0-9]{2}X'
    """
    if isinstance(shape, frozenset):
        if len(shape) == 1 and render_class is _ascii_class:
            return gap + re.escape(next(iter(shape)))
        return gap + render_class(shape)
    kind, parts = shape
    rendered = [_render(part, render_class, gap) for part in parts]
    if kind == "alt":
        return "(?:" + "|".join(rendered) + ")"
    out: list[str] = []
    index = 0
    while index < len(rendered):
        count = 1
        while index + count < len(rendered) and rendered[index + count] == rendered[index]:
            count += 1
        part = rendered[index]
        single = re.fullmatch(r"\[[^\]]*\]|\\?.", part) is not None
        out.append(part if count == 1 else f"{part}{{{count}}}" if single else f"(?:{part}){{{count}}}")
        index += count
    return "".join(out)


@functools.cache
def _sector_pattern() -> str:
    codes = sorted(sector["code"] for sector in loader.taxonomy()["sectors"])
    return "^(?:" + "|".join(re.escape(code) for code in codes) + ")$"


@functools.cache
def pattern(name: str) -> str:
    """The pattern of format ``name``: every value the package accepts for it matches.

    For an identifier it accepts every spelling the package reads (separators, case, full-width and other
    compatibility characters); when the value is made only of characters that stand for one symbol each, it
    also has the format's structure (length, symbols by position, the birth date's century, month and day).

    >>> bool(re.search(pattern('uscc'), '9135 0100 m000 100y 43')), bool(re.search(pattern('uscc'), '9135'))
    (True, False)
    >>> bool(re.search(pattern('orgcode'), '19220382-1')), bool(re.search(pattern('sector'), 'no_such_sector'))
    (True, False)
    """
    shape = FORMATS[name]
    if name == "sector":
        return _sector_pattern()
    if not shape.normalised or shape.shape is None:
        return shape.canonical
    units = _units()
    symbols = _shape_symbols(shape.shape)
    gap = _class(units.vanishing) + "*"
    exact = _render(shape.shape, _loose_class, gap) + gap
    if shape.holds:  # somewhere a character that becomes the symbol, whatever comes before it
        held = [point for symbol in shape.holds for point in units.single.get(symbol, ())]
        exact = f"(?={_class(held, negate=True)}*{_class(held)})" + exact
    alternatives = [f"^(?:{exact})$"]
    multiple = [point for text, points in units.multiple.items() if set(text) <= symbols for point in points]
    if multiple:
        any_single = _class([*units.vanishing, *(point for symbol in symbols for point in units.single[symbol])])
        several = _class(multiple)
        alternatives.append(f"^(?={any_single}*{several})(?:{any_single}|{several})*$")
    return "|".join(alternatives)


# -- the bundle -----------------------------------------------------------------------------------------------------


def _used_definitions(node: Any, definitions: Mapping[str, Any], found: dict[str, None]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_COMMON):
            name = ref[len(_COMMON):]
            if name not in found:
                found[name] = None
                _used_definitions(definitions[name], definitions, found)
        for value in node.values():
            _used_definitions(value, definitions, found)
    elif isinstance(node, list):
        for item in node:
            _used_definitions(item, definitions, found)


def _rewrite(node: Any, formats: dict[str, None]) -> Any:
    """``node`` with references to the shared types pointing into the bundle and each format given its shape."""
    if isinstance(node, list):
        return [_rewrite(item, formats) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _rewrite(value, formats) for key, value in node.items()}
    ref = result.get("$ref")
    if isinstance(ref, str) and ref.startswith(_COMMON):
        result["$ref"] = "#/$defs/" + ref[len(_COMMON):]
    name = result.get("format")
    if isinstance(name, str) and name in FORMATS:
        formats[name] = None
        shape_ref = f"#/$defs/format-{name}"
        if "$ref" in result:  # one $ref per object: the shape joins through allOf
            result["allOf"] = [*result.get("allOf", []), {"$ref": shape_ref}]
        else:
            result["$ref"] = shape_ref
    return result


def _format_definition(name: str) -> dict[str, Any]:
    shape = FORMATS[name]
    definition: dict[str, Any] = {
        "description": f"The shape of the catalogue's format {name!r}; only creditstd checks the rest "
                       "(check characters, known regions, real dates).",
        "pattern": pattern(name),
    }
    if shape.normalised:
        definition["maxLength"] = MAX_LENGTH
        definition["x-canonical-pattern"] = shape.canonical
        definition["x-normalisation"] = ("before the canonical pattern applies: Unicode NFKC, separators removed "
                                         f"({json.dumps(SEPARATORS)[1:-1]}), upper case")
    return definition


@functools.cache
def _bundle(name: str) -> str:
    schema = copy.deepcopy(loader.class_schema(name))
    definitions = copy.deepcopy(loader._json("creditstd.catalogue", "common.schema.json")["$defs"])
    used: dict[str, None] = {}
    _used_definitions(schema, definitions, used)
    formats: dict[str, None] = {}
    bundled = _rewrite(schema, formats)
    defs = {key: _rewrite(definitions[key], formats) for key in used}
    defs.update({f"format-{key}": _format_definition(key) for key in formats})
    bundled["$id"] = schema["$id"].replace(".schema.json", ".bundle.schema.json")
    bundled["$comment"] = (f"Self-contained bundle of {schema['$id']} (catalogue {loader.index().get('version')}), "
                           "made by creditstd catalogue schema --bundle: the shared types are under $defs and every "
                           "format has a pattern, so no custom format is needed; check characters, region codes, "
                           "real dates and the named rules (x-rules) are checked by creditstd only.")
    bundled["$defs"] = {**bundled.get("$defs", {}), **defs}
    return json.dumps(bundled, ensure_ascii=False)


def bundled_schema(name: str) -> dict[str, Any]:
    """The self-contained Draft 2020-12 schema of record class ``name`` (a fresh copy each call).

    Raises :class:`~creditstd.exceptions.CatalogueError` for an unknown class.
    """
    return json.loads(_bundle(name))
