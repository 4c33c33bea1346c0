"""One verdict for one value: what it is, whether it is valid, what it means, and why not.

:func:`check` is what ``creditstd check`` runs for each line, and what a
converter runs for a cell it must explain: it identifies the value (or takes
the kind it is told), validates it, parses the valid ones and, for invalid
ones, gives the error of every kind the value was plausibly meant to be.

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

from creditstd.codes import orgcode, regno, ric, uscc
from creditstd.codes._text import MAX_LENGTH, compact
from creditstd.codes.identify import RIC_KINDS, IdentifierKind, identify
from creditstd.exceptions import ValidationError, fail

__all__ = ["KIND_MODULES", "KIND_NAMES", "Problem", "Verdict", "check", "to_jsonable"]

#: Identifier kind -> its name in Chinese and English (the ID kinds take ric's own names).
KIND_NAMES: dict[str, tuple[str, str]] = {
    IdentifierKind.USCC.value: ("统一社会信用代码", "unified social credit code"),
    **{kind.value: ric.KIND_NAMES[ric_kind] for ric_kind, kind in RIC_KINDS.items()},
    IdentifierKind.ORGCODE.value: ("组织机构代码", "organisation code"),
    IdentifierKind.REGNO.value: ("工商注册号", "business registration number"),
    IdentifierKind.MASKED_ID.value: ("已脱敏身份号码", "masked ID number"),
    "ric": ("身份号码", "ID number"),
    "unknown": ("未知", "unknown"),
}

#: Identifier kind -> the module that validates and parses it.
KIND_MODULES: dict[str, Any] = {
    IdentifierKind.USCC.value: uscc,
    IdentifierKind.CITIZEN_ID.value: ric,
    IdentifierKind.CITIZEN_ID_15.value: ric,
    IdentifierKind.RESIDENCE_PERMIT.value: ric,
    IdentifierKind.FOREIGNER_PR.value: ric,
    IdentifierKind.ORGCODE.value: orgcode,
    IdentifierKind.REGNO.value: regno,
    # short names accepted from users
    "ric": ric,
}

#: Kinds whose values are personal information (masked in reports unless asked).
PERSONAL_KINDS = frozenset({"citizen_id", "citizen_id_15", "residence_permit", "foreigner_pr",
                            "masked_id", "ric"})


@dataclass(frozen=True)
class Problem:
    """Why a value is not valid as one kind of identifier."""

    kind: str
    code: str
    position: int | None
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`check` for one value."""

    text: str = field(repr=False)  # may be a person's ID number: kept out of logs
    valid: bool
    kind: str | None = None
    number: str | None = field(default=None, repr=False)
    info: Any = None
    also: tuple[str, ...] = ()
    errors: tuple[Problem, ...] = ()

    @functools.cached_property
    def is_personal(self) -> bool:
        """True when the value is, or may be, a natural person's ID number: reports then mask it.

        Errs on the side of privacy: besides the kinds found, any value that
        would also pass as an ID number counts, and so does an invalid value
        holding 14 digits or more and at most one letter (an ID number with a
        digit missing, say), and a value longer than
        :data:`~creditstd.codes._text.MAX_LENGTH` (refused unread, it may hold
        ID numbers).

        >>> check('11010519491231002').is_personal, check('91350100M000100Y43').is_personal
        (True, False)
        """
        if len(self.text) > MAX_LENGTH:  # too long to be read as an identifier, so it may hold several
            return True
        candidates = {self.kind, *self.also, *(problem.kind for problem in self.errors)}
        if candidates & PERSONAL_KINDS or any(kind.value in PERSONAL_KINDS for kind in identify(self.text)):
            return True
        digits = sum(char.isdigit() for char in self.text)
        letters = sum(char.isalpha() and not char.isdigit() for char in self.text)
        return not self.valid and digits >= 14 and letters <= 1


def _plausible_kinds(number: str) -> list[str]:
    """The kinds an invalid value was probably meant to be, judged from its length and characters."""
    if ric.is_masked(number):
        return ["masked_id"]
    if number == uscc.PLACEHOLDER:
        return ["uscc"]
    if len(number) == 18:
        looks_numeric = number[:17].isdigit()
        return ["citizen_id", "uscc"] if looks_numeric else ["uscc"]
    if len(number) == 15:
        return ["regno", "citizen_id_15"] if number.isdigit() else ["regno"]
    if len(number) == 9:
        return ["orgcode"]
    return []


def _unknown_length(number: str, strict: bool = False) -> str:
    fail("identify.unknown", length=len(number))


_UNKNOWN = [("unknown", _unknown_length)]


def _problem(kind: str, validate: Callable[..., str], number: object, strict: bool) -> Problem | None:
    try:
        validate(number, strict=strict)
    except ValidationError as error:
        return Problem(kind, error.code, error.position, error.message_zh, error.message_en)
    return None


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
    if kind is not None:
        module = KIND_MODULES[kind]
        problem = _problem(kind, module.validate, text, strict)
        if problem:
            return Verdict(shown, False, errors=(problem,))
        number = module.validate(text, strict=strict)
        return Verdict(shown, True, kind, number, module.parse(number))
    try:
        number = compact(text)
    except ValidationError as error:
        return Verdict(shown, False, errors=(Problem("unknown", error.code, None, error.message_zh,
                                                      error.message_en),))
    kinds = [found.value for found in identify(number)]
    if kinds == ["masked_id"]:
        problem = _problem("masked_id", ric.validate, number, strict)
        return Verdict(shown, False, "masked_id", errors=(problem,) if problem else ())
    if strict:
        kinds = [found for found in kinds if _problem(found, KIND_MODULES[found].validate, number, True) is None]
    if kinds:
        module = KIND_MODULES[kinds[0]]
        return Verdict(shown, True, kinds[0], module.validate(number), module.parse(number), tuple(kinds[1:]))
    candidates = [(kind, KIND_MODULES.get(kind, ric).validate) for kind in _plausible_kinds(number)]
    problems = [_problem(kind, validate, number, strict) for kind, validate in candidates or _UNKNOWN]
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
