"""The four check-character algorithms the identifier standards use, as pure functions.

Each takes the characters *before* the check character (already compacted,
upper case) and returns the check character.  They raise ``KeyError`` for a
character outside their alphabet; callers report that as a format error
before they get here.

* GB 32100-2015 (USCC): alphabet of 31 symbols, weights 3^(i-1) mod 31.

  >>> uscc_check('91350100M000100Y4')
  '3'

* GB 11714-1997 (organisation code): 0-9, A-Z valued 0-35, weights
  3,7,9,10,5,8,4,2; 10 -> X, 11 -> 0.

  >>> gb11714_check('19220382')
  '1'

* ISO 7064 MOD 11,10 (GS 15-2006 registration number, via GB/T 17710).

  >>> mod_11_10_check('44030110309741')
  '3'

* ISO 7064 MOD 11-2 (GB 11643-1999 citizen ID number).

  >>> mod_11_2_check('11010519491231002')
  'X'
"""

from __future__ import annotations

from operator import getitem

__all__ = [
    "GB11714_ALPHABET",
    "USCC_ALPHABET",
    "gb11714_check",
    "mod_11_2_check",
    "mod_11_10_check",
    "uscc_check",
]

#: The 31 symbols of GB 32100, in value order (no I, O, Z, S, V).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# One table per position: character -> weighted value; a single C-level map() does the sum.
_USCC_TABLES = tuple(
    {char: value * weight for value, char in enumerate(USCC_ALPHABET)} for weight in USCC_WEIGHTS
)

#: GB 11714 admits every digit and every upper-case Latin letter.
GB11714_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_GB11714_TABLES = tuple(
    {char: value * weight for value, char in enumerate(GB11714_ALPHABET)} for weight in GB11714_WEIGHTS
)
# weighted sum mod 11 -> check character: 11 - remainder, where 10 is written X and 11 is written 0
_GB11714_CHECK = "0X987654321"

MOD_11_2_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, ...
_MOD_11_2_TABLES = tuple({str(d): d * weight for d in range(10)} for weight in MOD_11_2_WEIGHTS)
_MOD_11_2_CHECK = "10X98765432"  # remainder -> check character


def uscc_check(body: str) -> str:
    """Check character of a USCC from its first 17 characters."""
    return USCC_ALPHABET[-sum(map(getitem, _USCC_TABLES, body)) % 31]


def gb11714_check(body: str) -> str:
    """Check character of an organisation code from its 8-character body."""
    return _GB11714_CHECK[sum(map(getitem, _GB11714_TABLES, body)) % 11]


def mod_11_10_check(body: str) -> str:
    """ISO 7064 MOD 11,10 check digit of a string of digits."""
    product = 10
    for digit in body:
        product = (((product + int(digit)) % 10 or 10) * 2) % 11
    return str((11 - product) % 10)


def mod_11_2_check(body: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits of an ID number."""
    return _MOD_11_2_CHECK[sum(map(getitem, _MOD_11_2_TABLES, body)) % 11]

