"""Named transforms: the only way a mapping changes a value on its way from an export to a catalogue field.

Each transform is a pure function of one text cell (``str -> str | list[str] | None``; ``None`` means
empty, an absent field) with a name and parameters, registered in :data:`TRANSFORMS`; a mapping names
them in a chain (``transforms = ["trim", {name = "date"}]``) and the mapping schema
(``schemas/mapping.schema.json``) validates their parameters.  A mapping cannot bring its own code.

=====================  =======================================================================  ==========
name                   what it does                                                             parameters
=====================  =======================================================================  ==========
``trim``               drops surrounding white space, the ideographic space and invisible       —
                       characters (zero-width space, BOM); empty → absent
``halfwidth``          full-width digits, Latin letters and the ideographic space to ASCII;     ``punctuation``
                       full-width punctuation (，（）：；) only with ``punctuation = true``
``upper`` / ``lower``  ASCII letters to upper / lower case (other characters unchanged)         —
``identifier``         an identifier's one normalisation path, :func:`creditstd.codes._text.    —
                       compact`: separators dropped, full width folded, upper case
``date``               a date in one of the accepted formats → ``YYYY-MM-DD``                   ``formats``
``amount``             a sum with or without its unit → the target field's unit, exact          ``unit``, ``to``
``lookup``             a label → the code or value the catalogue stores (inline table or a      ``table``,
                       catalogue code table with its aliases)                                    ``code_table``,
                                                                                                ``to``, ``otherwise``
``split``              one cell → a list, on the given separators (items trimmed, empty ones    ``separators``
                       dropped); a cell holding a JSON array is its items
                       (:func:`~creditstd.records.decode.array_cell`)
``join``               a list → one text                                                        ``separator``
``subject_category``   an identifier → the subject category (法人及非法人组织/自然人/个体工商户)   —
=====================  =======================================================================  ==========

A transform that cannot do its job raises :class:`TransformError` with a reason in Chinese and English
that never quotes the value; the engine turns it into a :class:`~creditstd.findings.Finding` with the code
``convert.<name>`` (the record is rejected, the run goes on).

>>> parse_date('2024年3月5日'), parse_date('20240305'), parse_date('45356', formats=('excel',))
('2024-03-05', '2024-03-05', '2024-03-05')
>>> convert_amount('2000元', to='万元'), convert_amount('1.5万元', to='万元'), convert_amount('20,000.00', unit='元')
('0.2', '1.5', '2')
>>> halfwidth('９１３５０１００Ｍ（北京）'), halfwidth('（北京）', punctuation=True)
('91350100M（北京）', '(北京)')
>>> subject_category('92350100MARQ283F4G'), subject_category('11010519491231002X')
('个体工商户', '自然人')
>>> parse_date('2023-02-29')
Traceback (most recent call last):
...
creditstd.convert.transforms.TransformError: the day is past the end of the month

A chain runs element-wise over a list (a repeated XML element, or a cell after ``split``); ``join`` takes
the whole list.  :func:`compile_chain` builds one from a mapping's steps:

>>> chain = compile_chain([{'name': 'split', 'separators': [',', '，']}, 'trim', 'upper'])
>>> chain.apply(' a, b ，， c')
['A', 'B', 'C']
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Context, Decimal, localcontext
from typing import Any, Literal

from creditstd.codes._text import compact
from creditstd.exceptions import ValidationError
from creditstd.records.decode import enumerated_values, json_array, name_key, rejoin_enumerations

__all__ = [
    "AMOUNT_UNITS",
    "DATE_FORMATS",
    "TRANSFORMS",
    "Chain",
    "Transform",
    "TransformError",
    "compile_chain",
    "convert_amount",
    "halfwidth",
    "identifier",
    "join",
    "lookup",
    "lookup_table",
    "lower",
    "parse_date",
    "split",
    "subject_category",
    "trim",
    "upper",
]

#: A value on its way through a chain: one text, a list of texts, or None (empty: an absent field).  A list
#: read from a JSON array cell (:func:`split`) may hold objects, which no text step takes.
Value = str | list[Any] | None


class TransformError(ValueError):
    """A transform cannot convert its input: the reason in Chinese and English, never quoting the value."""

    def __init__(self, reason_zh: str, reason_en: str) -> None:
        super().__init__(reason_en)
        self.reason_zh = reason_zh
        self.reason_en = reason_en


# ------------------------------------------------------------------------------------------------ text


#: Characters :func:`trim` drops at either end besides what ``str.strip()`` drops (all Unicode white space,
#: the ideographic space U+3000 and the no-break space among it): invisible characters pasted along.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def trim(text: str) -> str | None:
    """``text`` without surrounding white space or invisible characters; None when nothing is left.

    >>> trim('\\u3000 某某公司\\u200b '), trim(' \\ufeff\\t'), trim('a b')
    ('某某公司', None, 'a b')
    """
    stripped = text.strip().strip(INVISIBLE).strip()
    while stripped != (again := stripped.strip(INVISIBLE).strip()):
        stripped = again
    return stripped or None


_FULL_ALNUM = {code: code - 0xFEE0 for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_FOLD_ALNUM = {**_FULL_ALNUM, 0x3000: 0x20}
_FOLD_ALL = {**{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}, 0x3000: 0x20}


def halfwidth(text: str, *, punctuation: bool = False) -> str:
    """Full-width ASCII forms (U+FF01–U+FF5E) and the ideographic space to their ASCII characters.

    Only the ASCII range is folded (NFKC would also rewrite half-width katakana, circled digits, ㈱...).
    By default only digits, Latin letters and the space: full-width punctuation is how Chinese text is
    punctuated (``某某（北京）有限公司``, ``，``, ``；``) and stays as it is; ``punctuation=True`` folds it too.
    Chinese punctuation outside that block (、。「」【】) is never changed.

    >>> halfwidth('ＡＢＣ１２３\\u3000ｘ，；'), halfwidth('ＡＢ，；（）', punctuation=True)
    ('ABC123 x，；', 'AB,;()')
    """
    return text.translate(_FOLD_ALL if punctuation else _FOLD_ALNUM)


_UPPER = {code: code - 32 for code in range(ord("a"), ord("z") + 1)}
_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}


def upper(text: str) -> str:
    """ASCII letters to upper case; nothing else changes (``ß`` stays one character, Chinese untouched).

    >>> upper('91350100m000100y43 ß')
    '91350100M000100Y43 ß'
    """
    return text.translate(_UPPER)


def lower(text: str) -> str:
    """ASCII letters to lower case; nothing else changes.

    >>> lower('GREEN Ａ')
    'green Ａ'
    """
    return text.translate(_LOWER)


def identifier(text: str) -> str | None:
    """An identifier in its canonical form through the library's one normalisation path
    (:func:`creditstd.codes._text.compact`): separators and spaces dropped, full width folded, upper case.

    It does not check the identifier: the catalogue's formats do that when the record is validated.

    >>> identifier(' ９１３５０１００ｍ０００１００ｙ４３ '), identifier('19220382-1'), identifier('  ')
    ('91350100M000100Y43', '192203821', None)
    >>> identifier('9' * 200)
    Traceback (most recent call last):
    ...
    creditstd.convert.transforms.TransformError: input is longer than 128 characters: not an identifier, refused unread
    """
    if _CANONICAL.fullmatch(text):  # already canonical: what compact() would return (the common case, fast)
        return text
    try:
        number = compact(text)
    except ValidationError as error:
        raise TransformError(error.message_zh, error.message_en) from None
    return number or None


#: Text :func:`compact` returns unchanged: upper-case ASCII letters, digits and ``*``, no longer than any identifier.
_CANONICAL = re.compile(r"[0-9A-Z*]{1,18}")


def split(text: str, separators: Sequence[str]) -> list[Any]:
    """``text`` cut at every separator (the longest first where they overlap), items trimmed, empty ones dropped;
    a cell holding a JSON array (how creditstd writes a list of objects, or items that hold a separator:
    :func:`~creditstd.records.decode.array_cell`) is that array's items, as they are.

    >>> split('警告；罚款;; 没收违法所得 ', ['；', ';'])
    ['警告', '罚款', '没收违法所得']
    >>> split('a||b|c', ['||', '|'])
    ['a', 'b', 'c']
    >>> split('["乙；丙合伙企业", "丁"]', ['；']), split('[{"name": "张三"}]', ['；'])
    (['乙；丙合伙企业', '丁'], [{'name': '张三'}])

    Cut at ``、``, the fragments that together spell a value of the catalogue holding ``、`` stay one item, as
    ``creditstd validate`` reads a list cell (:func:`~creditstd.records.decode.rejoin_enumerations`):

    >>> split('警告、暂扣或者吊销许可证、暂扣或者吊销执照', ['；', '、'])
    ['警告', '暂扣或者吊销许可证、暂扣或者吊销执照']
    """
    try:
        found = json_array(text.strip())
    except ValueError:
        raise TransformError("单元格是JSON数组，但无法读取（嵌套过深或对象中有重复的键）",
                             "the cell is a JSON array that cannot be read (nested too deep, or a key given twice "
                             "in an object)") from None
    if found is not None:
        return found
    if "、" in separators:  # a value of the catalogue may hold 、 itself: it stays one item
        others = [separator for separator in separators if separator != "、"]
        parts = _splitter(tuple(others)).split(text) if others else [text]
        return [item for part in parts for item in map(trim, rejoin_enumerations(part, enumerated_values())) if item]
    return [item for item in map(trim, _splitter(tuple(separators)).split(text)) if item]


@functools.cache
def _splitter(separators: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(item) for item in sorted(separators, key=len, reverse=True)))


def join(items: Sequence[str], separator: str = "；") -> str | None:
    """The items in one text, ``separator`` between them; None for no items.

    >>> join(['警告', '罚款']), join([], '、')
    ('警告；罚款', None)
    """
    return separator.join(items) if items else None


# ------------------------------------------------------------------------------------------------ dates

_TIME = r"(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d{1,9})?)?)?"

#: The date formats :func:`parse_date` reads, by name: (example, regular expression).  Digits may be
#: full width; a time of day after a space or ``T`` (``2024-03-05 00:00:00``) is checked and dropped.
DATE_FORMATS: dict[str, tuple[str, re.Pattern[str]]] = {
    "yyyymmdd": ("20240305", re.compile(r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})" + _TIME)),
    "iso": ("2024-03-05, 2024-3-5", re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})" + _TIME)),
    "slash": ("2024/3/5, 2024/03/05", re.compile(r"(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})" + _TIME)),
    "dot": ("2024.3.5, 2024.03.05", re.compile(r"(?P<year>\d{4})\.(?P<month>\d{1,2})\.(?P<day>\d{1,2})" + _TIME)),
    "chinese": ("2024年3月5日", re.compile(
        r"(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日?" + _TIME)),
    "excel": ("45356 (Excel 1900 date system)", re.compile(r"(?P<serial>\d{1,7})(?:\.\d+)?")),
    "excel1904": ("43894 (Excel 1904 date system)", re.compile(r"(?P<serial>\d{1,7})(?:\.\d+)?")),
}
#: The formats :func:`parse_date` accepts when none are given: every written form; Excel serial numbers
#: only when asked for (a bare number is a date only where the export says so).
DEFAULT_DATE_FORMATS = ("yyyymmdd", "iso", "slash", "dot", "chinese")
#: The largest serial number Excel has a date for (9999-12-31 in the 1900 system).
EXCEL_MAX_SERIAL = 2958465


def _excel_date(serial: int, system: str) -> date:
    """The day Excel's serial number stands for.

    1900 system: serial 1 is 1900-01-01; Excel counts a 29 February 1900 that never was (serial 60, kept
    from Lotus 1-2-3), so from serial 61 on the day is one earlier than plain counting gives.  1904 system
    (old Mac workbooks): serial 0 is 1904-01-01.
    """
    if system == "excel1904":
        if serial > EXCEL_MAX_SERIAL - 1462:
            raise TransformError("Excel序列号超出范围", "the Excel serial number is out of range")
        return date(1904, 1, 1) + timedelta(days=serial)
    if serial == 60:
        raise TransformError("1900-02-29不存在（Excel的1900年闰年错误）",
                             "1900-02-29 does not exist (Excel's 1900 leap-year bug)")
    if serial < 1 or serial > EXCEL_MAX_SERIAL:
        raise TransformError("Excel序列号超出范围（1–2958465）", "the Excel serial number is out of range (1-2958465)")
    return date(1899, 12, 31) + timedelta(days=serial) if serial < 60 else date(1899, 12, 30) + timedelta(days=serial)


def _calendar_date(year: int, month: int, day: int) -> date:
    if year == 0:
        raise TransformError("公元0年不存在", "there is no year 0")
    if not 1 <= month <= 12:
        raise TransformError("月份不在1–12之间", "the month is not 1-12")
    if day < 1:
        raise TransformError("日不能为0", "the day is 0")
    try:
        return date(year, month, day)
    except ValueError:
        raise TransformError("日期超出该月的天数", "the day is past the end of the month") from None


def _check_time(match: re.Match[str]) -> None:
    hour, minute, second = match.group("hour"), match.group("minute"), match.group("second")
    if hour is not None and (int(hour) > 23 or int(minute) > 59 or (second is not None and int(second) > 60)):
        raise TransformError("时间部分不是有效的时刻", "the time of day is not a real time")


def parse_date(text: str, *, formats: Sequence[str] = DEFAULT_DATE_FORMATS) -> str | None:
    """The date ``text`` writes in one of ``formats`` (names of :data:`DATE_FORMATS`), as ``YYYY-MM-DD``.

    Blank text is None.  A date that does not exist (2023-02-29, month 13, Excel's serial 60) raises
    :class:`TransformError` with the reason: nothing is guessed, two-digit years are never read.

    >>> written = ('2024-03-05', '2024/3/5', '2024.3.5', '２０２４年３月５日', '2024-03-05 08:30:00')
    >>> [parse_date(text) for text in written]
    ['2024-03-05', '2024-03-05', '2024-03-05', '2024-03-05', '2024-03-05']
    >>> parse_date('61', formats=['excel']), parse_date('59', formats=['excel']), parse_date('0', formats=['excel1904'])
    ('1900-03-01', '1900-02-28', '1904-01-01')
    >>> parse_date('60', formats=['excel'])
    Traceback (most recent call last):
    ...
    creditstd.convert.transforms.TransformError: 1900-02-29 does not exist (Excel's 1900 leap-year bug)
    >>> parse_date('24-3-5')
    Traceback (most recent call last):
    ...
    creditstd.convert.transforms.TransformError: matches none of the accepted formats (yyyymmdd, iso, slash, ...)
    """
    value = trim(text)
    if value is None:
        return None
    value = value.translate(_FOLD_ALL)
    for name in formats:
        match = DATE_FORMATS[name][1].fullmatch(value)
        if match is None:
            continue
        if name.startswith("excel"):
            return _excel_date(int(match.group("serial")), name).isoformat()
        _check_time(match)
        found = _calendar_date(int(match.group("year")), int(match.group("month")), int(match.group("day")))
        return found.isoformat()
    raise TransformError(f"不符合任何可接受的格式（{'、'.join(formats)}）",
                         f"matches none of the accepted formats ({', '.join(formats)})")


# ------------------------------------------------------------------------------------------------ amounts

#: Units of money a value may carry or be converted to: unit -> power of ten of one 元.
AMOUNT_UNITS: dict[str, int] = {"元": 0, "千元": 3, "万元": 4, "百万元": 6, "亿元": 8}
_UNIT_SPELLINGS = {**AMOUNT_UNITS, "千": 3, "万": 4, "百万": 6, "亿": 8}
_AMOUNT = re.compile(
    r"(?P<currency>¥|￥|RMB|CNY|人民币)?\s*(?P<sign>[+-])?\s*"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*"
    r"(?P<unit>百万元|千元|万元|亿元|百万|元|千|万|亿)?\s*整?", re.IGNORECASE)
#: Characters of an amount's text read at most (no sum needs more; the decimal arithmetic stays bounded).
MAX_AMOUNT_CHARS = 64
_EXACT = Context(prec=200)


def convert_amount(text: str, *, unit: str | None = None, to: str = "万元") -> str | None:
    """The sum ``text`` states, converted to unit ``to``, as the shortest exact decimal text.

    The unit is the one written after the number (元, 千元, 万元, 百万元, 亿元; 万 and 亿 alone too), else 元
    when a currency sign stands before it (``¥2000``, ``RMB 2,000.00``, ``人民币2000``: a sum written as money
    is in 元, whatever unit the column has), else ``unit``; a number without any raises (a sum is never
    assumed to be in some unit).  Thousands separators (``20,000.00``), full-width digits and a trailing 整
    are read.
    Arithmetic is decimal and exact: no float rounding (``0.1万元`` is ``1000`` 元, not ``999.9999999``).

    >>> convert_amount('￥２０，０００．５０元', to='元'), convert_amount('3亿', to='万元')
    ('20000.5', '30000')
    >>> convert_amount('0.00001', unit='元')
    '0.000000001'
    >>> convert_amount('￥2000', unit='万元'), convert_amount('¥1.5万', unit='元', to='元')
    ('0.2', '15000')
    >>> convert_amount('2000', to='万元')
    Traceback (most recent call last):
    ...
    creditstd.convert.transforms.TransformError: no unit is written and the mapping gives none (unit = "元"...)
    >>> convert_amount('2000美元', to='万元')
    Traceback (most recent call last):
    ...
    creditstd.convert.transforms.TransformError: not a number with a unit of 元 (2000元, 1.5万元, 20,000.00)
    """
    value = trim(text)
    if value is None:
        return None
    if len(value) > MAX_AMOUNT_CHARS:
        raise TransformError(f"超过{MAX_AMOUNT_CHARS}个字符", f"longer than {MAX_AMOUNT_CHARS} characters")
    match = _AMOUNT.fullmatch(value.translate(_FOLD_ALL))
    if match is None:
        raise TransformError("不是带人民币单位的数字（如2000元、1.5万元、20,000.00）",
                             "not a number with a unit of 元 (2000元, 1.5万元, 20,000.00)")
    written = match.group("unit") or ("元" if match.group("currency") else None)
    source = _UNIT_SPELLINGS[written] if written else AMOUNT_UNITS.get(unit or "")
    if source is None:
        raise TransformError("数字后没有单位，映射也未给出单位（unit = \"元\"等）",
                             "no unit is written and the mapping gives none (unit = \"元\"...)")
    with localcontext(_EXACT):
        number = Decimal(match.group("number").replace(",", "")).scaleb(source - AMOUNT_UNITS[to])
        if match.group("sign") == "-":
            number = -number
        shown = format(number.normalize(), "f")
    return "0" if shown in ("-0", "0") else shown


# ------------------------------------------------------------------------------------------------ code tables


@functools.cache
def lookup_table(code_table: str, to: str = "zh") -> Mapping[str, str]:
    """Every spelling of every value of a catalogue code table -> the value a record stores (``to``: the
    value's ``zh`` or its ``code``).

    ``code_table`` names a table of the taxonomy (``subject_category``, ``id_type``...) or the grade table of
    a credit-rating scheme (``credit_grade_schemes.tax``: grade codes ``A``... with names ``A级``...).
    Spellings: the value's Chinese name, code, English name and aliases (vendor codes ``01``...).  A
    spelling two values claim is left out (it would be a guess).  Unknown table: KeyError.

    >>> lookup_table('credit_grade_schemes.tax', 'code')['A级'], lookup_table('subject_category')['02']
    ('A', '法人及非法人组织')
    """
    from creditstd.records import loader

    tables = loader.taxonomy()["code_tables"]
    name, _, scheme = code_table.partition(".")
    if scheme:
        if name != "credit_grade_schemes":
            raise KeyError(code_table)
        values = next((item.get("grades", ()) for item in tables[name]["values"] if item["code"] == scheme), None)
        if values is None:
            raise KeyError(code_table)
    else:
        values = tables[name]["values"]
    found: dict[str, str] = {}
    claimed: set[str] = set()
    for value in values:
        target = value[to] if to in value else value["zh"]
        for spelling in (value.get("zh"), value.get("code"), value.get("en"), *value.get("aliases", ())):
            if not spelling:
                continue
            if spelling in found and found[spelling] != target:
                claimed.add(spelling)
            found[spelling] = target
    return {spelling: target for spelling, target in found.items() if spelling not in claimed}


def lookup(text: str, table: Mapping[str, str], *, otherwise: Literal["error", "keep"] = "error") -> str | None:
    """The value ``table`` gives for ``text``: exact match first, then compared NFKC-folded, case-folded and
    without spaces (``Ａ级``, ``a级`` and ``A 级`` are ``A级``).  Not in the table: raise, or with
    ``otherwise="keep"`` pass it on unchanged (the catalogue's code table then judges it).

    >>> table = {'A级': 'A', 'B级': 'B'}
    >>> lookup('A级', table), lookup(' ａ级 ', table), lookup('Z', table, otherwise='keep')
    ('A', 'A', 'Z')
    """
    value = trim(text)
    if value is None:
        return None
    if value in table:
        return table[value]
    folded = _folded_table(tuple(table.items())).get(name_key(value))
    if folded is not None:
        return folded
    if otherwise == "keep":
        return value
    raise TransformError("对照表中没有这个取值", "the table has no entry for it")


@functools.lru_cache(maxsize=256)
def _folded_table(items: tuple[tuple[str, str], ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    claimed: set[str] = set()
    for label, target in items:
        key = name_key(label)
        if key in found and found[key] != target:
            claimed.add(key)
        found[key] = target
    return {key: target for key, target in found.items() if key not in claimed}


# ------------------------------------------------------------------------------------------------ subject category

LEGAL_PERSON, NATURAL_PERSON, INDIVIDUAL_BUSINESS = "法人及非法人组织", "自然人", "个体工商户"


def subject_category(text: str) -> str | None:
    """The subject category (行政相对人类别) the kind of identifier tells, by :func:`creditstd.identify`:

    * an ID number of any kind (citizen ID, 15-digit, residence permit, foreigner PR ID, or masked) → 自然人;
    * a USCC → 个体工商户 when its authority and category are 9 and 2 (工商 / 个体工商户), else
      法人及非法人组织; the 双公示 placeholder ``00000000000000000X`` (an individual business without a
      code) → 个体工商户;
    * a registration number (GS 15) → 个体工商户 when its sequence says 个体 (first digit 6–9), else
      法人及非法人组织; an organisation code → 法人及非法人组织.

    An 18-character value valid both as a USCC and as an ID number is taken as the kind :func:`identify`
    puts first (the one whose strict check passes; between equals, the ID number).  15 digits valid both as an
    old ID number (a date in digits 7-12) and as a registration number (its check digit), as about 1 in 28
    registration numbers and 1 in 10 such ID numbers are, raise: one says a person, the other a business;
    unless the ID number fails its strict check (a province's own code such as ``310000`` is no person's
    address), when the registration number, which :func:`identify` then puts first, decides.
    Anything else raises.

    >>> subject_category('110105491231002')
    Traceback (most recent call last):
    creditstd.convert.transforms.TransformError: valid both as a 15-digit ID number and as a registration number...

    >>> [subject_category(text) for text in ('91350100M000100Y43', '110105491231001', '110105********002X')]
    ['法人及非法人组织', '自然人', '自然人']
    >>> subject_category('00000000000000000X'), subject_category('19220382-1'), subject_category('310000850916259')
    ('个体工商户', '法人及非法人组织', '个体工商户')
    """
    from creditstd.codes import regno
    from creditstd.codes.identify import IdentifierKind, identify

    value = trim(text)
    if value is None:
        return None
    try:
        number = compact(value)
    except ValidationError as error:
        raise TransformError(error.message_zh, error.message_en) from None
    if number == "0" * 17 + "X":
        return INDIVIDUAL_BUSINESS
    kinds = identify(number)
    if not kinds:
        raise TransformError("不是有效的统一社会信用代码、身份号码、工商注册号或组织机构代码",
                             "not a valid USCC, ID number, registration number or organisation code")
    kind = kinds[0]
    if kind.personal and IdentifierKind.REGNO in kinds:  # 15 digits that read both ways: never guessed
        raise TransformError("既是有效的15位身份号码又是有效的工商注册号，无法判断类别：请从一列映射 subject_category",
                             "valid both as a 15-digit ID number and as a registration number: the category "
                             "cannot be told; map subject_category from a column")
    if kind.personal:
        return NATURAL_PERSON
    if kind is IdentifierKind.USCC:
        return INDIVIDUAL_BUSINESS if number[:2] == "92" else LEGAL_PERSON
    if kind is IdentifierKind.REGNO:
        return INDIVIDUAL_BUSINESS if regno.parse(number).ownership.zh == "个体" else LEGAL_PERSON
    return LEGAL_PERSON


# ------------------------------------------------------------------------------------------------ the registry

#: What a transform takes and gives: ``text`` (applied to each item of a list) or ``list`` (the whole list).
Shape = Literal["text", "list"]


@dataclass(frozen=True)
class Transform:
    """A registered transform: its name, what it does (Chinese, English), the shapes it takes and gives, and
    ``make(params, unit)`` which returns the function of one value (``unit``: the target field's unit)."""

    name: str
    zh: str
    en: str
    takes: Shape
    gives: Shape
    make: Callable[[Mapping[str, Any], str | None], Callable[[Any], Value]]
    #: Whether it can fail (then its findings have the code ``convert.<name>``).
    fails: bool = False
    #: ``keeps(params)``: a regular expression (Python syntax, matched whole, ``.`` matching line breaks) of
    #: texts the transform returns unchanged, or None; the engine passes the cells it matches through without
    #: calling the transform (tests/test_convert_transforms.py checks each against the function).
    keeps: Callable[[Mapping[str, Any]], str | None] | None = None


def _plain(function: Callable[[str], Value]) -> Callable[[Mapping[str, Any], str | None], Callable[[Any], Value]]:
    return lambda params, unit: function


def _make_halfwidth(params: Mapping[str, Any], unit: str | None) -> Callable[[Any], Value]:
    punctuation = bool(params.get("punctuation", False))
    return lambda text: halfwidth(text, punctuation=punctuation)


def _make_date(params: Mapping[str, Any], unit: str | None) -> Callable[[Any], Value]:
    formats = tuple(params.get("formats", DEFAULT_DATE_FORMATS))
    return lambda text: parse_date(text, formats=formats)


def _make_amount(params: Mapping[str, Any], unit: str | None) -> Callable[[Any], Value]:
    source, target = params.get("unit"), params.get("to", unit)
    if target is None:
        raise ValueError("目标字段没有单位：请用 to 指定", "the target field has no unit: give to")
    return lambda text: convert_amount(text, unit=source, to=target)


def _make_lookup(params: Mapping[str, Any], unit: str | None) -> Callable[[Any], Value]:
    table: dict[str, str] = {}
    if "code_table" in params:
        try:
            table.update(lookup_table(params["code_table"], params.get("to", "zh")))
        except KeyError:
            raise ValueError("分类标准中没有这个代码表", "the taxonomy has no such code table") from None
    table.update(params.get("table", {}))
    otherwise = params.get("otherwise", "error")
    return lambda text: lookup(text, table, otherwise=otherwise)


def _make_split(params: Mapping[str, Any], unit: str | None) -> Callable[[Any], Value]:
    separators = tuple(params["separators"])
    return lambda text: split(text, separators)


def _make_join(params: Mapping[str, Any], unit: str | None) -> Callable[[Any], Value]:
    separator = params.get("separator", "；")
    return lambda items: join(items, separator)


#: Texts :func:`trim` keeps: they start and end with a printable ASCII character or a CJK ideograph, neither of
#: which it ever removes.
_TRIMMED = "[!-~\\u4e00-\\u9fff](?:.*[!-~\\u4e00-\\u9fff])?"
#: Texts :func:`halfwidth` keeps: no full-width letter, digit or ideographic space (and with ``punctuation``,
#: no full-width form at all).
_NO_FULL_ALNUM = "[^\\uff10-\\uff19\\uff21-\\uff3a\\uff41-\\uff5a\\u3000]+"
_NO_FULL_WIDTH = "[^\\uff01-\\uff5e\\u3000]+"


#: Every transform a mapping may name (``schemas/mapping.schema.json`` lists the same names and parameters).
TRANSFORMS: dict[str, Transform] = {transform.name: transform for transform in (
    Transform("trim", "去掉首尾空白与不可见字符", "drop surrounding white space and invisible characters",
              "text", "text", _plain(trim), keeps=lambda params: _TRIMMED),
    Transform("halfwidth", "全角字母数字（可选标点）转半角", "full-width letters and digits (optionally punctuation) "
              "to ASCII", "text", "text", _make_halfwidth,
              keeps=lambda params: _NO_FULL_WIDTH if params.get("punctuation") else _NO_FULL_ALNUM),
    Transform("upper", "ASCII字母转大写", "ASCII letters to upper case", "text", "text", _plain(upper),
              keeps=lambda params: "[^a-z]+"),
    Transform("lower", "ASCII字母转小写", "ASCII letters to lower case", "text", "text", _plain(lower),
              keeps=lambda params: "[^A-Z]+"),
    Transform("identifier", "代码规范化（与代码校验同一路径）", "identifier normalisation (the library's one path)",
              "text", "text", _plain(identifier), fails=True, keeps=lambda params: _CANONICAL.pattern),
    Transform("date", "日期转为YYYY-MM-DD", "a date to YYYY-MM-DD", "text", "text", _make_date, fails=True),
    Transform("amount", "金额换算到目标字段的单位", "a sum converted to the field's unit", "text", "text", _make_amount,
              fails=True),
    Transform("lookup", "按对照表把名称换成代码", "a label to its code by a table", "text", "text", _make_lookup,
              fails=True),
    Transform("split", "按分隔符拆成多项", "one text to a list, at separators", "text", "list", _make_split),
    Transform("join", "多项合并为一个文本", "a list to one text", "list", "text", _make_join),
    Transform("subject_category", "由代码种类判断主体类别", "the subject category from the kind of identifier",
              "text", "text", _plain(subject_category), fails=True),
)}


@dataclass(frozen=True)
class Step:
    """One compiled step of a chain: the transform, its function of one value, and the texts it keeps as they
    are (:attr:`Transform.keeps`, or None)."""

    transform: Transform
    function: Callable[[Any], Value]
    keeps: str | None = None


class StepError(Exception):
    """A transform failed inside a chain: which one (its name), and why."""

    def __init__(self, name: str, error: TransformError) -> None:
        super().__init__(name, error.reason_en)
        self.name = name
        self.error = error


@dataclass(frozen=True)
class Chain:
    """A compiled chain of transforms: :meth:`apply` runs it on one value; :attr:`gives` says whether the result
    of a text input is a text or a list."""

    steps: tuple[Step, ...]

    @property
    def keeps(self) -> tuple[str, ...] | None:
        """The regular expressions (:attr:`Transform.keeps`) of the texts each step returns unchanged: a text
        matching all of them comes out of the chain as it went in; None when some step has none.

        >>> len(compile_chain(['trim', 'upper']).keeps), compile_chain(['date']).keeps
        (2, None)
        """
        if not self.steps or any(step.keeps is None for step in self.steps):
            return None
        return tuple(step.keeps for step in self.steps if step.keeps is not None)

    def shape(self, start: Shape) -> Shape:
        """The shape of the result when the input has shape ``start``."""
        shape = start
        for step in self.steps:
            if step.transform.takes == "list":
                shape = step.transform.gives
            elif step.transform.gives == "list":
                shape = "list"
        return shape

    def apply(self, value: Value) -> Value:
        """Run the chain on ``value``; a step that fails raises :class:`StepError` (naming it).

        Text steps run on each item of a list (a step giving a list flattens it; items that become None are
        dropped); list steps (``join``) take the list, a text being a list of one.  None stays None; an empty
        list becomes None.  A step after ``split`` that read a JSON array of objects or numbers fails as
        ``not_text_item`` (``convert.not_text_item``): every step takes text.
        """
        for step in self.steps:
            if value is None:
                return None
            if isinstance(value, list) and not all(type(item) is str for item in value):
                raise StepError("not_text_item", TransformError(
                    f"转换“{step.transform.name}”只接受文本", f"transform {step.transform.name!r} takes text"))
            try:
                if step.transform.takes == "list":
                    value = step.function(value if isinstance(value, list) else [value])
                elif isinstance(value, list):
                    items: list[Any] = []
                    for item in value:
                        result = step.function(item)
                        if isinstance(result, list):
                            items.extend(result)
                        elif result is not None:
                            items.append(result)
                    value = items
                else:
                    value = step.function(value)
            except TransformError as error:
                raise StepError(step.transform.name, error) from None
            if isinstance(value, list) and not value:
                return None
        return value


def compile_chain(steps: Sequence[str | Mapping[str, Any]], unit: str | None = None) -> Chain:
    """The :class:`Chain` of ``steps`` (a name, or a table with ``name`` and the parameters), for a target
    field of unit ``unit``.  Unknown names raise KeyError; parameters the transform cannot use raise ValueError
    (``args``: Chinese, English) — the mapping loader reports both with the mapping's line.
    """
    compiled = []
    for step in steps:
        params: Mapping[str, Any] = {"name": step} if isinstance(step, str) else step
        transform = TRANSFORMS[params["name"]]
        keeps = transform.keeps(params) if transform.keeps is not None else None
        compiled.append(Step(transform, transform.make(params, unit), keeps))
    return Chain(tuple(compiled))
