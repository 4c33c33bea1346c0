"""Citizen ID number (公民身份号码), GB 11643-1999, and the numbers built like it.

An 18-digit number: a GB/T 2260 address code (6), the birth date
``YYYYMMDD`` (8), a sequence (3; the last digit is odd for men, even for
women) and an ISO 7064 MOD 11-2 check character (``0``-``9`` or ``X``).

Four kinds of number share that shape, and this module handles all of them:

==================  ===========================================================
kind                how to recognise it
==================  ===========================================================
``citizen``         18 digits, address code of a mainland county
``citizen15``       legacy 15 digits (GB 11643-1989): ``YYMMDD``, no check;
                    :func:`to_18` upgrades it
``residence_permit`` 港澳台居民居住证 (since 2018): address code 810000 Hong
                    Kong, 820000 Macao or 830000 Taiwan
``foreigner_pr``    外国人永久居留身份证, 2023 version: first digit ``9``, then
                    a 2-digit province, a 3-digit country code, the birth date,
                    sequence and the same check
==================  ===========================================================

>>> validate('11010519491231002X')
'11010519491231002X'
>>> validate('11010519491231002x')      # lower-case x is normalised
'11010519491231002X'
>>> info = parse('440524188001010014')  # the standard's own example, born in 1880
>>> info.birth_date, info.sex.en, info.kind.value
(datetime.date(1880, 1, 1), 'male', 'citizen')
>>> to_18('110105491231002')
'11010519491231002X'
>>> validate('110105********002X')
Traceback (most recent call last):
...
creditstd.exceptions.InvalidFormat: ric.masked: ...
>>> mask('11010519491231002X')
'110105********002X'

Non-strict :func:`validate` checks the shape, the check character and the
birth date (a real calendar date, not in the future, not before 1800).
``strict=True`` adds the address code: it must be known in GB/T 2260 at
*some* time, current or historical, and must not be a province-level
aggregate such as ``110000`` (the permit codes 810000/820000/830000 excepted).
It never requires the code to have existed in the birth year: an ID number
keeps the code under which it was issued, so that lookup (done by
python-stdnum and id-validator's strict mode) rejects real people.

Facts this module relies on that no standard text confirmed, and what it does
about them: the field split of the 2023 foreigner PR number (single source;
the country code is returned as digits, not resolved to a name); the
centenarian sequences 996-999 of 15-digit numbers (parse flags them,
:func:`to_18` reads every 15-digit number as 19xx unless you pass
``century``).
"""

from __future__ import annotations

import enum
import random as _random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from creditstd.codes import regions as _regions
from creditstd.codes._checksums import mod_11_2_check
from creditstd.codes._text import compact, passes
from creditstd.codes._types import Meaning
from creditstd.exceptions import ValidationError, fail

__all__ = [
    "PERMIT_REGIONS",
    "Kind",
    "RICInfo",
    "calc_check_digit",
    "compact",
    "format",
    "generate",
    "is_masked",
    "is_valid",
    "kind_of",
    "mask",
    "parse",
    "to_18",
    "validate",
]


class Kind(str, enum.Enum):
    """Which kind of number an ID-shaped value is (what :func:`parse` reports).

    Each is an :class:`~creditstd.codes.identify.IdentifierKind` of the ``ric`` family, the toolkit's one
    vocabulary of kinds (``citizen`` is ``citizen_id``, ``citizen15`` is ``citizen_id_15``: the one table is
    :data:`~creditstd.codes.identify.RIC_KINDS`); these values stay as they are, parse results and
    ``generate --id-kind`` use them.
    """

    CITIZEN = "citizen"
    CITIZEN_15 = "citizen15"
    RESIDENCE_PERMIT = "residence_permit"
    FOREIGNER_PR = "foreigner_pr"


KIND_NAMES: dict[Kind, tuple[str, str]] = {
    Kind.CITIZEN: ("居民身份证号码", "citizen ID number"),
    Kind.CITIZEN_15: ("15位旧版身份证号码", "legacy 15-digit citizen ID number"),
    Kind.RESIDENCE_PERMIT: ("港澳台居民居住证号码", "Hong Kong/Macao/Taiwan residence permit number"),
    Kind.FOREIGNER_PR: ("外国人永久居留身份证号码（2023版）", "foreigner permanent residence ID (2023)"),
}

#: Address codes of the residence permits for Hong Kong, Macao and Taiwan residents.
PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})
_SEXES = {True: Meaning("1", "男", "male"), False: Meaning("2", "女", "female")}
_EARLIEST = "18000101"
_EARLIEST_DATE = date(1800, 1, 1)
_DEFAULT_BIRTHS = (date(1950, 1, 1), date(2005, 12, 31))
# every valid MMDD of a leap year; 0229 is checked against the year separately
_MONTH_DAYS = frozenset(
    f"{day.month:02d}{day.day:02d}" for day in (date(2000, 1, 1) + timedelta(n) for n in range(366))
)


@dataclass(frozen=True, slots=True)
class RICInfo:
    """Every component of an ID number and what it means.

    ``repr()`` leaves out the number, birth date, sequence and check digit, so a
    parse result can be logged without publishing a person's ID number.
    """

    number: str = field(repr=False)
    kind: Kind
    kind_name: Meaning
    region_code: str
    region: _regions.Region | None
    birth_date: date = field(repr=False)
    sequence: str = field(repr=False)
    sex: Meaning
    check_digit: str | None = field(repr=False)
    country_code: str | None = None
    possible_centenarian: bool = False

    @property
    def is_male(self) -> bool:
        """True when the sequence is odd."""
        return self.sex.code == "1"

    def age(self, on: date | None = None) -> int:
        """Completed years of age on ``on`` (default: today).

        >>> parse('11010519491231002X').age(date(2000, 12, 30))
        50
        """
        on = on or date.today()
        born = self.birth_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class _TodayCache:
    """Today as ``YYYYMMDD`` (:attr:`text`), and the clock time it must be recomputed at (:attr:`until`)."""

    __slots__ = ("text", "until")

    def __init__(self) -> None:
        self.text = ""
        self.until = 0.0


_today_cache = _TodayCache()


def _today() -> str:
    """Today as ``YYYYMMDD``, recomputed at most once a minute (validation is a hot loop)."""
    now = time.time()
    if now >= _today_cache.until:
        # the text first: a thread reading in between sees the new text or recomputes it, never a stale text
        # with a fresh deadline
        _today_cache.text = date.today().strftime("%Y%m%d")
        _today_cache.until = now + 60
    return _today_cache.text


def _birth_error(yyyymmdd: str) -> str | None:
    """Return the error code of a birth date string, or None when it is fine."""
    if yyyymmdd[4:] not in _MONTH_DAYS:
        return "ric.birth_date"
    if yyyymmdd[4:] == "0229":
        year = int(yyyymmdd[:4])
        if year % 4 or (year % 100 == 0 and year % 400):
            return "ric.birth_date"
    if yyyymmdd < _EARLIEST:
        return "ric.birth_too_early"
    # The cached date is never later than today, so a birth date not after it needs no clock read;
    # only a date after it (today's, or a future one) asks _today(), which refreshes the cache.
    if yyyymmdd > _today_cache.text and yyyymmdd > _today():
        return "ric.birth_future"
    return None


def kind_of(number: str) -> Kind:
    """Tell the kind of a compact, well-formed number from its shape.

    >>> kind_of('810000199408230021').value, kind_of('911398199012310021').value
    ('residence_permit', 'foreigner_pr')
    """
    if len(number) == 15:
        return Kind.CITIZEN_15
    if number[0] == "9":
        return Kind.FOREIGNER_PR
    if number[:6] in PERMIT_REGIONS:
        return Kind.RESIDENCE_PERMIT
    return Kind.CITIZEN


def is_masked(number: object) -> bool:
    """Tell whether ``number`` is an ID number with some digits masked by ``*``.

    >>> is_masked('110105********002X'), is_masked('11010519491231002X')
    (True, False)
    """
    try:
        number = compact(number)
    except ValidationError:
        return False
    if len(number) not in (15, 18) or "*" not in number:
        return False
    digits = number[:17] if len(number) == 18 else number
    return all(char in "0123456789*" for char in digits) and number[-1] in "0123456789X*"


def _check_format(number: str) -> None:
    if "*" in number and is_masked(number):
        fail("ric.masked")
    for position, char in enumerate(number, 1):
        if char not in "0123456789" and not (position == 18 and char == "X"):
            fail("ric.format", position=position)


def calc_check_digit(number: str) -> str:
    """Return the check character for the first 17 digits of ``number``.

    >>> calc_check_digit('51310119820113001')
    '4'
    """
    body = compact(number)[:17]
    if len(body) != 17:
        fail("ric.length", length=len(body))
    _check_format(body)
    return mod_11_2_check(body)


def _region_error(number: str) -> tuple[str, int, str] | None:
    """The strict-mode problem of a well-formed number's region as (error code, position, value), or None.

    Returning instead of raising lets the hot ``is_valid`` path share this one definition.
    """
    if len(number) == 18 and number[0] == "9":  # foreigner PR number: 9 + the province of the issuing office
        province = number[1:3] + "0000"
        if province not in _regions.known_codes() or province in PERMIT_REGIONS:
            return "ric.foreigner_province", 2, number[1:3]
        return None
    region = number[:6]
    if region in PERMIT_REGIONS:
        return None
    if region not in _regions.known_codes():
        return "ric.region", 1, region
    if region.endswith("0000"):
        return "ric.region_aggregate", 1, region
    return None


def validate(number: object, *, strict: bool = False) -> str:
    """Return the canonical number (15 or 18 characters), or raise a validation error."""
    number = compact(number)
    if len(number) not in (15, 18):
        fail("ric.length", length=len(number))
    _check_format(number)
    if len(number) == 18:
        expected = mod_11_2_check(number)
        if expected != number[17]:
            fail("ric.checksum", position=18, expected=expected)
        birth = number[6:14]
    else:
        birth = "19" + number[6:12]
    error = _birth_error(birth)
    if error:
        fail(error, position=7)
    if strict:
        problem = _region_error(number)
        if problem:
            fail(problem[0], position=problem[1], value=problem[2])
    return number


def is_valid(number: object, *, strict: bool = False) -> bool:
    """Tell whether ``number`` is a valid ID number of any kind; never raises.

    >>> is_valid('11010519491231002X'), is_valid('110105194912310021'), is_valid(None)
    (True, False, False)
    >>> is_valid('360426199113010079')  # month 13
    False
    """
    if type(number) is str and len(number) == 18 and number.isascii() and number.isalnum():
        # fast path: compact ASCII; lower-case x is the only thing to fold
        if number[17] == "x":
            number = number[:17] + "X"
        try:
            if mod_11_2_check(number) != number[17]:
                return False
        except KeyError:  # a letter in positions 1-17
            return False
        if _birth_error(number[6:14]):
            return False
        if not strict:
            return True
        return _region_error(number) is None
    return passes(validate, number, strict=strict)


def format(number: object) -> str:
    """Return the printed form (no separators, upper-case ``X``)."""
    return compact(number)


def to_18(number: object, *, century: str | int = "19") -> str:
    """Upgrade a legacy 15-digit number to 18 digits; an 18-digit number is returned validated.

    The 1989 numbers had no century; the 1999 standard inserts ``19``.
    Sequences 996-999 once marked centenarians (born 18xx; unverified), so
    pass ``century=18`` where you know better.

    >>> to_18('110105491231002')
    '11010519491231002X'
    """
    number = validate(number)
    if len(number) == 18:
        return number
    body = f"{number[:6]}{century}{number[6:]}"
    error = _birth_error(body[6:14])
    if error:
        fail(error, position=7)
    return body + mod_11_2_check(body)


def parse(number: object) -> RICInfo:
    """Validate ``number`` (non-strict) and return its components with their meanings.

    >>> info = parse('911398199012310021')
    >>> info.kind.value, info.country_code, info.region.name_en, info.sex.en
    ('foreigner_pr', '398', 'Beijing', 'female')
    """
    number = validate(number)
    kind = kind_of(number)
    if kind is Kind.CITIZEN_15:
        birth, sequence, check = "19" + number[6:12], number[12:15], None
    else:
        birth, sequence, check = number[6:14], number[14:17], number[17]
    region_code = number[1:3] + "0000" if kind is Kind.FOREIGNER_PR else number[:6]
    return RICInfo(
        number=number,
        kind=kind,
        kind_name=Meaning(kind.value, *KIND_NAMES[kind]),
        region_code=region_code,
        region=_regions.lookup(region_code),
        birth_date=date(int(birth[:4]), int(birth[4:6]), int(birth[6:])),
        sequence=sequence,
        sex=_SEXES[int(sequence[-1]) % 2 == 1],
        check_digit=check,
        country_code=number[3:6] if kind is Kind.FOREIGNER_PR else None,
        possible_centenarian=kind is Kind.CITIZEN_15 and sequence >= "996",
    )


def mask(number: object, *, keep_start: int = 6, keep_end: int | None = None, char: str = "*") -> str:
    """Return the publication form of an ID number, hiding the birth date and most digits.

    Default: keep the address code (first 6) and the last 4 characters of an
    18-character number, the last 3 of a 15-digit one; everything between
    becomes ``*``.  No official masking rule was found (信用中国 publishes
    none), so the pattern is configurable.  Works on any text, valid or not,
    and never returns more characters in clear than asked for.

    >>> mask('110105491231002')
    '110105******002'
    >>> mask('11010519491231002X', keep_start=3, keep_end=4)
    '110***********002X'
    """
    if keep_start < 0 or (keep_end is not None and keep_end < 0) or len(char) != 1:
        raise ValueError("keep_start and keep_end must not be negative, char must be one character")
    try:
        text = compact(number)
    except ValidationError:
        text = str(number)
    if keep_end is None:
        keep_end = 3 if len(text) == 15 else 4
    if len(text) <= keep_start + keep_end:
        return char * len(text)
    hidden = len(text) - keep_start - keep_end
    return text[:keep_start] + char * hidden + (text[len(text) - keep_end:] if keep_end else "")


_COUNTRIES = ("036", "076", "124", "250", "276", "356", "392", "398", "410", "643", "704", "826", "840")


def generate(
    *,
    kind: Kind | str = Kind.CITIZEN,
    region: str | None = None,
    birth_from: date | None = None,
    birth_to: date | None = None,
    sex: str | None = None,
    rng: _random.Random | None = None,
) -> str:
    """Return a random valid number of ``kind`` that passes ``validate(strict=True)``.

    ``region``: a GB/T 2260 code (for ``foreigner_pr``, its first two digits
    name the province); by default an issued, current county-level code, or
    one of the permit codes.  ``birth_from``/``birth_to``: inclusive range
    (default 1950-01-01 to 2005-12-31, or from 1800-01-01 / up to today when
    the other end given lies outside that; ``citizen15`` stays within
    1900-1999; never after today).  ``sex``: ``'M'`` or ``'F'``.

    >>> number = generate(region='110105', birth_from=date(1990, 1, 1), birth_to=date(1990, 1, 1),
    ...                   sex='F', rng=_random.Random(5))
    >>> number[:14], parse(number).sex.en
    ('11010519900101', 'female')

    Constraints that no valid number meets raise a ``ValueError`` with a
    message in both languages that does not repeat the argument; a region
    that is not a known GB/T 2260 code raises the
    :class:`~creditstd.exceptions.ValidationError` of
    :func:`creditstd.codes.regions.validate` (a ``ValueError`` too):

    >>> generate(region='abc')
    Traceback (most recent call last):
    ...
    creditstd.exceptions.InvalidLength: regions.length: ...
    >>> generate(birth_from=date(1, 1, 1))
    Traceback (most recent call last):
    ...
    ValueError: 出生日期不能早于1800-01-01...
    """
    try:
        kind = Kind(kind)
    except ValueError:
        raise ValueError("未知的号码种类 / unknown kind of ID number: choose from "
                         + ", ".join(member.value for member in Kind)) from None
    if sex not in (None, "M", "F"):
        raise ValueError("性别应为 M 或 F / sex must be 'M' or 'F'")
    if region is not None:
        region = _regions.validate(region)  # six digits, known at some time; full width and spaces folded
    bounds = [bound.date() if isinstance(bound, datetime) else bound for bound in (birth_from, birth_to)]
    if any(bound is not None and bound < _EARLIEST_DATE for bound in bounds):
        raise ValueError("出生日期不能早于1800-01-01（GB 11643 号码中最早的出生日期） / birth dates before "
                         "1800-01-01 cannot appear in an ID number")
    rng = rng or _random.Random()
    low, high = bounds
    if low is None:  # the default gives way to a given end before it
        low = _DEFAULT_BIRTHS[0] if high is None or high >= _DEFAULT_BIRTHS[0] else _EARLIEST_DATE
    if high is None:
        high = _DEFAULT_BIRTHS[1] if low <= _DEFAULT_BIRTHS[1] else date.today()
    high = min(high, date.today())
    if kind is Kind.CITIZEN_15:
        low, high = max(low, date(1900, 1, 1)), min(high, date(1999, 12, 31))
    if low > high:
        if bounds[0] is not None and bounds[1] is not None and bounds[0] > bounds[1]:
            zh, en = "起始日期晚于结束日期", "the start is after the end"
        elif kind is Kind.CITIZEN_15:
            zh, en = "15位号码只能是1900–1999年出生", "15-digit numbers cover births in 1900-1999 only"
        else:
            zh, en = "出生日期不能晚于今天", "a birth date cannot be in the future"
        raise ValueError(f"出生日期范围为空：{low} 晚于 {high}（{zh}） / empty birth date range: {low} is after {high} "
                         f"({en})")
    born = low + timedelta(rng.randint(0, (high - low).days))
    if region is not None and (region in PERMIT_REGIONS) != (kind is Kind.RESIDENCE_PERMIT):
        raise ValueError(f"地址码 {region} 与号码种类 {kind.value} 不符 / region {region} does not fit "
                         f"kind {kind.value} (810000/820000/830000 are for residence permits only)")
    if region is not None and kind is not Kind.FOREIGNER_PR and region.startswith("9"):
        raise ValueError(f"地址码不能以9开头 / a region code cannot start with 9: {region}")
    if region is None:
        if kind is Kind.RESIDENCE_PERMIT:
            region = rng.choice(sorted(PERMIT_REGIONS))
        elif kind is Kind.FOREIGNER_PR:
            region = rng.choice(_regions.issued_codes(current_only=True))[:2] + "0000"
        else:
            region = rng.choice(_regions.issued_codes(current_only=True))
    last = rng.choice("13579" if sex == "M" else "02468" if sex == "F" else "0123456789")
    sequence = f"{rng.randint(0, 99):02d}{last}"
    if kind is Kind.CITIZEN_15:
        number = f"{region}{born:%y%m%d}{sequence}"
    else:
        prefix = f"9{region[:2]}{rng.choice(_COUNTRIES)}" if kind is Kind.FOREIGNER_PR else region
        body = f"{prefix}{born:%Y%m%d}{sequence}"
        number = body + mod_11_2_check(body)
    validate(number, strict=True)  # a generator must never produce what its validator rejects
    assert kind_of(number) is kind
    return number
