"""The catalogue's custom JSON Schema formats, wired to the identifier library and always checked.

jsonschema ignores ``format`` unless a format checker is passed (its issues
#326 and #336 are full of users surprised by that).  Every validator creditstd
builds passes :func:`format_checker`, so a USCC field with a bad check
character fails, always.

The checker raises the identifier module's own error, so the record error
keeps its precise code (``uscc.checksum``, ``ric.birth_date``...) and position.
The identifier formats are the schema's spelling of the identifier kinds
(``citizen-id`` is :attr:`IdentifierKind.CITIZEN_ID
<creditstd.codes.identify.IdentifierKind>`): they map through
:data:`~creditstd.codes.identify.FORMAT_KINDS`, one table.

>>> checker = format_checker()
>>> checker.conforms('91350100M000100Y43', 'uscc'), checker.conforms('91350100M000100Y4Z', 'uscc')
(True, False)
>>> checker.conforms('2024-02-30', 'date')
False
>>> checker.conforms(42, 'uscc')   # formats apply to strings only; the type keyword catches the rest
True
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date

from jsonschema import FormatChecker

from creditstd.codes import regions, ric
from creditstd.codes.identify import FORMAT_KINDS, IdentifierKind
from creditstd.exceptions import ValidationError, fail

__all__ = ["FORMATS", "format_checker", "iso_date"]


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(value: object) -> date | None:
    """The date ``value`` names if it is a real calendar date written exactly ``YYYY-MM-DD``, else None.

    ``date.fromisoformat`` alone is not enough: from Python 3.11 on it also
    accepts ``20240315`` and week dates such as ``2024-W01-1``.

    >>> iso_date('2024-02-29'), iso_date('2024-02-30'), iso_date('20240315'), iso_date('2024-W01-1')
    (datetime.date(2024, 2, 29), None, None, None)
    """
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _iso_date(value: str, *, strict: bool = False) -> str:
    """A real calendar date written ``YYYY-MM-DD``."""
    if iso_date(value) is None:
        fail("record.date")
    return value


@functools.cache
def _sector_codes() -> frozenset[str]:
    from creditstd.records.loader import taxonomy

    return frozenset(sector["code"] for sector in taxonomy()["sectors"])


def _sector(value: str, *, strict: bool = False) -> str:
    """A sector code of the taxonomy (``production_safety``...)."""
    if value not in _sector_codes():
        fail("record.sector")
    return value


def _masked_id(value: str, *, strict: bool = False) -> str:
    if not ric.is_masked(value):
        fail("record.masked_id")
    return value


def _identifier_check(kind: IdentifierKind) -> Callable[..., str]:
    """How a value in an identifier's format is checked: as that kind (a masked ID number: for its mask)."""
    return kind.module.validate if kind.module is not None else _masked_id


#: Format name -> validator taking ``(value, strict=...)`` and raising a ValidationError.
FORMATS: dict[str, Callable[..., str]] = {
    **{name: _identifier_check(kind) for name, kind in FORMAT_KINDS.items()},
    "gb2260": regions.validate,
    "date": _iso_date,
    "sector": _sector,
}


@functools.cache
def format_checker(strict: bool = False) -> FormatChecker:
    """A FormatChecker that knows :data:`FORMATS`; ``strict`` is passed to the identifier checks.

    A region code (``gb2260``) is always checked against the whole history, never only the current list.
    """
    checker = FormatChecker(formats=())
    for name, check in FORMATS.items():
        pass_strict = strict and name != "gb2260"

        def conforms(value: object, check: Callable[..., str] = check, pass_strict: bool = pass_strict) -> bool:
            if isinstance(value, str):
                check(value, strict=pass_strict)
            return True

        checker.checks(name, raises=ValidationError)(conforms)
    return checker
