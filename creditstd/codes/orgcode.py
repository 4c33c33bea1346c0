"""Organisation code (组织机构代码), GB 11714-1997.

Before the unified social credit code, every organisation had a 9-character
code: an 8-character body (digits and upper-case letters, assigned in
segments) and a check character.  It lives on inside every USCC as
positions 9-17, and real exports still carry it in its own column.  Its
printed form is ``XXXXXXXX-X``; the hyphen is dropped in machine form.

Letters are valued A=10 ... Z=35 (all 26 letters count here; the USCC
alphabet's gaps do not apply), the weights are 3, 7, 9, 10, 5, 8, 4, 2 and
the check is ``11 - sum mod 11`` with 10 written ``X`` and 11 written ``0``.

>>> validate('19220382-1')
'192203821'
>>> format('D2143569X')
'D2143569-X'
>>> validate('19220382-2')
Traceback (most recent call last):
...
creditstd.exceptions.InvalidChecksum: orgcode.checksum (position 9): ...

Codes ``PDY00001``-``PDY99999`` form the custom range, for internal use
only; ``strict=True`` rejects them (``orgcode.reserved``).
"""

from __future__ import annotations

import random as _random
from dataclasses import dataclass

from creditstd.codes._checksums import GB11714_ALPHABET, gb11714_check
from creditstd.codes._text import compact, passes
from creditstd.exceptions import fail

__all__ = [
    "OrgcodeInfo",
    "calc_check_digit",
    "compact",
    "format",
    "generate",
    "is_valid",
    "parse",
    "validate",
]

_ALPHABET_SET = frozenset(GB11714_ALPHABET)


@dataclass(frozen=True, slots=True)
class OrgcodeInfo:
    """The parts of an organisation code."""

    number: str
    body: str
    check_digit: str
    is_custom_range: bool

    @property
    def display(self) -> str:
        """The printed form ``XXXXXXXX-X``."""
        return f"{self.body}-{self.check_digit}"


def _check_alphabet(number: str) -> None:
    for position, char in enumerate(number, 1):
        if char not in _ALPHABET_SET:
            fail("orgcode.format", position=position)


def calc_check_digit(number: str) -> str:
    """Return the check character for the 8-character body of ``number``.

    >>> calc_check_digit('71526726')
    'X'
    """
    body = compact(number)[:8]
    _check_alphabet(body)
    if len(body) != 8:
        fail("orgcode.length", length=len(body))
    return gb11714_check(body)


def _is_custom_range(number: str) -> bool:
    return number.startswith("PDY") and number[3:8].isdigit() and number[3:8] != "00000"


def validate(number: object, *, strict: bool = False) -> str:
    """Return the compact code (no hyphen), or raise a validation error."""
    number = compact(number)
    if len(number) != 9:
        fail("orgcode.length", length=len(number))
    _check_alphabet(number)
    expected = gb11714_check(number[:8])
    if expected != number[8]:
        fail("orgcode.checksum", position=9, expected=expected)
    if strict and _is_custom_range(number):
        fail("orgcode.reserved", position=1)
    return number


def is_valid(number: object, *, strict: bool = False) -> bool:
    """Tell whether ``number`` is a valid organisation code; never raises.

    >>> is_valid('MA1FL0LY9'), is_valid('MA1FL0LY8'), is_valid(42)
    (True, False, False)
    """
    return passes(validate, number, strict=strict)


def format(number: object) -> str:
    """Return the printed form ``XXXXXXXX-X``.

    >>> format('192203821')
    '19220382-1'
    """
    number = compact(number)
    return f"{number[:8]}-{number[8:]}"


def parse(number: object) -> OrgcodeInfo:
    """Validate ``number`` and return its parts.

    >>> parse('PDY00001-X').is_custom_range
    True
    """
    number = validate(number)
    return OrgcodeInfo(number, number[:8], number[8], _is_custom_range(number))


def generate_body(rng: _random.Random, alphabet: str = GB11714_ALPHABET) -> str:
    """Draw a realistic 8-character body: half old all-digit codes, half new ``MA…`` codes."""
    if rng.random() < 0.5:
        return "".join(rng.choice("0123456789") for _ in range(8))
    return "MA" + "".join(rng.choice(alphabet) for _ in range(6))


def generate(*, rng: _random.Random | None = None) -> str:
    """Return a random valid code (compact form) outside the custom range.

    >>> is_valid(generate(rng=_random.Random(7)), strict=True)
    True
    """
    rng = rng or _random.Random()
    body = generate_body(rng)
    return body + gb11714_check(body)
