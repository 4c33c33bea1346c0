"""Business registration number (工商注册号), GS 15-2006.

From 2007 until the unified social credit code, market entities were
registered under a 15-digit number; individual businesses kept it after
2016, and 双公示 records give it when the USCC is the placeholder.

=====  ======  ========================================================
pos    length  meaning
=====  ======  ========================================================
1-6    6       first registration authority (GB/T 2260; ``100000`` =
               the national administration)
7-14   8       sequence; its first digit tells the kind of entity:
               0-3 domestic, 4-5 foreign-invested, 6-9 individual business
15     1       check digit, ISO 7064 MOD 11,10 (GB/T 17710)
=====  ======  ========================================================

>>> validate('440301103097413')
'440301103097413'
>>> validate('440301104001819')
Traceback (most recent call last):
...
creditstd.exceptions.InvalidChecksum: regno.checksum (position 15): ...
>>> parse('330100400015575').ownership.en
'foreign-invested'

The meaning of positions 7-8 within the sequence is not confirmed by any
source we trust, so :func:`parse` does not interpret it.  Older 13-digit
numbers (before 2007) are out of scope and fail with ``regno.length``.
"""

from __future__ import annotations

import random as _random
from dataclasses import dataclass

from creditstd.codes import regions as _regions
from creditstd.codes._checksums import mod_11_10_check
from creditstd.codes._text import compact, passes
from creditstd.codes._types import Meaning
from creditstd.exceptions import fail

__all__ = [
    "OWNERSHIP",
    "RegnoInfo",
    "calc_check_digit",
    "compact",
    "format",
    "generate",
    "is_valid",
    "parse",
    "validate",
]

NATIONAL_REGION = "100000"

#: First digit of the sequence -> kind of entity.
OWNERSHIP: dict[str, tuple[str, str]] = {
    **dict.fromkeys("0123", ("内资", "domestic")),
    **dict.fromkeys("45", ("外资", "foreign-invested")),
    **dict.fromkeys("6789", ("个体", "individual business")),
}


@dataclass(frozen=True, slots=True)
class RegnoInfo:
    """The parts of a business registration number and what they mean."""

    number: str
    region_code: str
    region: _regions.Region | None
    sequence: str
    ownership: Meaning
    check_digit: str


def _check_digits(number: str) -> None:
    if not number.isdigit() or not number.isascii():
        position = next(i for i, char in enumerate(number, 1) if char not in "0123456789")
        fail("regno.format", position=position)


def calc_check_digit(number: str) -> str:
    """Return the check digit for the first 14 digits of ``number``.

    >>> calc_check_digit('11010800000001')
    '6'
    """
    body = compact(number)[:14]
    if len(body) != 14:
        fail("regno.length", length=len(body))
    _check_digits(body)
    return mod_11_10_check(body)


def validate(number: object, *, strict: bool = False) -> str:
    """Return the canonical number, or raise a validation error.

    ``strict=True`` also requires the region code to be known in GB/T 2260
    (current or historical) or to be ``100000``.
    """
    number = compact(number)
    if len(number) != 15:
        fail("regno.length", length=len(number))
    _check_digits(number)
    expected = mod_11_10_check(number[:14])
    if expected != number[14]:
        fail("regno.checksum", position=15, expected=expected)
    if strict and number[:6] != NATIONAL_REGION and number[:6] not in _regions.known_codes():
        fail("regno.region", position=1, value=number[:6])
    return number


def is_valid(number: object, *, strict: bool = False) -> bool:
    """Tell whether ``number`` is a valid registration number; never raises.

    >>> is_valid('110108000000016'), is_valid('440300000025945'), is_valid([])
    (True, False, False)
    """
    return passes(validate, number, strict=strict)


def format(number: object) -> str:
    """Return the printed form (15 digits, no separators)."""
    return compact(number)


def parse(number: object) -> RegnoInfo:
    """Validate ``number`` (non-strict) and return its parts."""
    number = validate(number)
    return RegnoInfo(
        number=number,
        region_code=number[:6],
        region=_regions.lookup(number[:6]),
        sequence=number[6:14],
        ownership=Meaning(number[6], *OWNERSHIP[number[6]]),
        check_digit=number[14],
    )


def generate(*, region: str | None = None, ownership: str | None = None,
             rng: _random.Random | None = None) -> str:
    """Return a random valid number.

    ``ownership`` is ``'domestic'``, ``'foreign-invested'`` or
    ``'individual business'``; ``region`` a GB/T 2260 code.

    >>> number = generate(region='440300', ownership='individual business', rng=_random.Random(3))
    >>> number[:6], parse(number).ownership.en
    ('440300', 'individual business')
    """
    firsts = [digit for digit, (_, en) in OWNERSHIP.items() if ownership in (None, en)]
    if not firsts:
        raise ValueError("未知的主体类型 / unknown ownership: choose from "
                         + ", ".join(sorted({en for _, en in OWNERSHIP.values()})))
    if region is not None:
        region = _regions.validate(region)  # six digits, known at some time (100000 included)
    rng = rng or _random.Random()
    if region is None:
        region = rng.choice(_regions.current_codes())
    body = region + rng.choice(firsts) + "".join(rng.choice("0123456789") for _ in range(7))
    return body + mod_11_10_check(body)
