"""One verdict for one value: what it is, whether it is valid, what it means, and why not.

:func:`check` is what ``creditstd check`` runs for each line, and what a
converter runs for a cell it must explain: it identifies the value (or takes
the kind it is told), validates it, parses the valid ones and, for invalid
ones, gives the error of every kind the value was plausibly meant to be,
each a :class:`~creditstd.findings.Finding` whose ``kind`` names the kind
(:class:`~creditstd.codes.identify.IdentifierKind`'s value; None when the
value matches no kind at all).

>>> verdict = check('91350100M000100Y4Z')
>>> verdict.valid, [(error.kind, error.code) for error in verdict.errors]
(False, [('uscc', 'uscc.checksum')])
>>> check('11010519491231002X').kind
'citizen_id'
>>> to_jsonable(check('19220382-1').info)
{'number': '192203821', 'body': '19220382', 'check_digit': '1', 'is_custom_range': False}
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import reprlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from creditstd.codes import ric, uscc
from creditstd.codes._text import MAX_LENGTH, compact
from creditstd.codes.identify import IdentifierKind, checkable_kind, identify
from creditstd.codes.redact import is_legal_person_code
from creditstd.exceptions import ValidationError, fail
from creditstd.findings import Finding

__all__ = ["Verdict", "check", "to_jsonable"]


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`check` for one value."""

    text: str = field(repr=False)  # may be a person's ID number: kept out of logs
    valid: bool
    kind: str | None = None
    number: str | None = field(default=None, repr=False)
    info: Any = None
    also: tuple[str, ...] = ()
    errors: tuple[Finding, ...] = ()

    @functools.cached_property
    def is_personal(self) -> bool:
        """True when the value is, or may be, a natural person's ID number: reports then mask it.

        Errs on the side of privacy: besides the kinds found, any value that
        would also pass as an ID number counts, and so does an invalid value
        holding 14 digits or more and at most one letter (an ID number with a
        digit missing, say), and a value longer than
        :data:`~creditstd.codes._text.MAX_LENGTH` (refused unread, it may hold
        ID numbers), and a valid USCC or registration number that may be a
        mistyped ID number (:func:`~creditstd.codes.redact.is_legal_person_code`
        does not keep it: about 3% of ID numbers with one digit wrong pass as a
        USCC).

        >>> check('11010519491231002').is_personal, check('91350100M000100Y43').is_personal
        (True, False)
        >>> check('130626199707219977').valid, check('130626199707219977').is_personal  # ...978 mistyped
        (True, True)
        """
        if len(self.text) > MAX_LENGTH:  # too long to be read as an identifier, so it may hold several
            return True
        if self.valid and self.number is not None and self.kind in (IdentifierKind.USCC, IdentifierKind.REGNO) \
                and not is_legal_person_code(self.number):
            return True
        candidates = {self.kind, *self.also, *(problem.kind for problem in self.errors)}
        if any(kind.personal for kind in map(IdentifierKind, candidates - {None})) or any(
                kind.personal for kind in identify(self.text)):
            return True
        digits = sum(char.isdigit() for char in self.text)
        letters = sum(char.isalpha() and not char.isdigit() for char in self.text)
        return not self.valid and digits >= 14 and letters <= 1


def _plausible_kinds(number: str) -> list[IdentifierKind]:
    """The kinds an invalid value was probably meant to be, judged from its length and characters."""
    if number == uscc.PLACEHOLDER:
        return [IdentifierKind.USCC]
    if len(number) == 18:
        looks_numeric = number[:17].isdigit()
        return [IdentifierKind.CITIZEN_ID, IdentifierKind.USCC] if looks_numeric else [IdentifierKind.USCC]
    if len(number) == 15:
        return [IdentifierKind.REGNO, IdentifierKind.CITIZEN_ID_15] if number.isdigit() else [IdentifierKind.REGNO]
    if len(number) == 9:
        return [IdentifierKind.ORGCODE]
    return []


def _unknown_length(number: str, strict: bool = False) -> str:
    fail("identify.unknown", length=len(number))


def _problem(kind: IdentifierKind | None, validate: Callable[..., str], number: object,
             strict: bool) -> Finding | None:
    try:
        validate(number, strict=strict)
    except ValidationError as error:
        return Finding.from_error(error, kind=kind.value if kind else None)
    return None


def _module(kind: IdentifierKind) -> Any:
    """The module a value identified as ``kind`` is checked with (a masked ID number: ric, which says so)."""
    return kind.module or ric


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = MAX_LENGTH


def _shown(text: object) -> str:
    """How a value that is not text is shown: a bounded ``repr`` that cannot fail.

    >>> _shown(10**5000), _shown(b'x' * 10**6)[:8]
    ('<int>', "b'xxxxxx")
    """
    try:
        return _REPR.repr(text)
    except Exception:  # an int past Python's conversion limit, a __repr__ that raises...
        return f"<{type(text).__name__}>"


def check(text: object, *, strict: bool = False, kind: str | None = None) -> Verdict:
    """Identify (unless ``kind`` is given), validate and parse one value; never raises for any ``text``.

    >>> check('9' * 10**7).errors[0].code
    'input.too_long'
    """
    shown = text if type(text) is str else str.__str__(text) if isinstance(text, str) else _shown(text)
    if kind is not None:  # ValueError for a kind that is none (never quoting it), or one that cannot be checked
        chosen = checkable_kind(kind)
        module = _module(chosen)  # a checkable kind has its own module
        problem = _problem(chosen, module.validate, text, strict)
        if problem:
            return Verdict(shown, False, errors=(problem,))
        number = module.validate(text, strict=strict)
        return Verdict(shown, True, chosen.value, number, module.parse(number))
    try:
        number = compact(text)
    except ValidationError as error:
        return Verdict(shown, False, errors=(Finding.from_error(error, position=None),))
    kinds = list(identify(number))
    if kinds == [IdentifierKind.MASKED_ID]:
        problem = _problem(IdentifierKind.MASKED_ID, ric.validate, number, strict)
        return Verdict(shown, False, IdentifierKind.MASKED_ID.value, errors=(problem,) if problem else ())
    if strict:
        kinds = [found for found in kinds if _problem(found, _module(found).validate, number, True) is None]
    if kinds:
        module = _module(kinds[0])
        return Verdict(shown, True, kinds[0].value, module.validate(number), module.parse(number),
                       tuple(found.value for found in kinds[1:]))
    candidates: list[tuple[IdentifierKind | None, Callable[..., str]]] = [
        (found, _module(found).validate) for found in _plausible_kinds(number)] or [(None, _unknown_length)]
    problems = [_problem(found, validate, number, strict) for found, validate in candidates]
    return Verdict(shown, False, errors=tuple(problem for problem in problems if problem))


def to_jsonable(value: Any) -> Any:
    """Turn a parse result (dataclasses, enums, dates, tuples) into plain JSON types."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_jsonable(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    return value
