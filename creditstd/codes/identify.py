"""Say which identifier(s) a string can be: the first step when a column has no label.

:func:`identify` returns every kind the text is a *valid* instance of (the
non-strict check of each module), most specific first, plus ``masked_id``
for masked ID numbers.  An 18-character string can in principle pass both
the USCC and the citizen-ID checks (1 in 31 digit-only USCCs does), so a
caller gets both and decides; :func:`identify` puts first the kind whose
strict check also passes, and between equals the ID-number kinds, so that a
value that may be a person's ID number is handled as personal information.
A 15-digit value can be both a legacy ID number (no check digit) and a
registration number (1 in 10 pass its check):

>>> [kind.value for kind in identify('110105491231002')]
['citizen_id_15', 'regno']

>>> [kind.value for kind in identify('91350100M000100Y43')]
['uscc']
>>> [kind.value for kind in identify('11010519491231002X')]
['citizen_id']
>>> [kind.value for kind in identify('110105********002X')]
['masked_id']
>>> [kind.value for kind in identify('19220382-1')]
['orgcode']
>>> identify('hello')
()
"""

from __future__ import annotations

import enum

from creditstd.codes import orgcode, regno, ric, uscc
from creditstd.codes._text import compact, passes
from creditstd.exceptions import ValidationError

__all__ = ["IdentifierKind", "identify"]


class IdentifierKind(str, enum.Enum):
    """The identifiers :func:`identify` can recognise."""

    USCC = "uscc"
    CITIZEN_ID = "citizen_id"
    CITIZEN_ID_15 = "citizen_id_15"
    RESIDENCE_PERMIT = "residence_permit"
    FOREIGNER_PR = "foreigner_pr"
    ORGCODE = "orgcode"
    REGNO = "regno"
    MASKED_ID = "masked_id"


RIC_KINDS = {
    ric.Kind.CITIZEN: IdentifierKind.CITIZEN_ID,
    ric.Kind.CITIZEN_15: IdentifierKind.CITIZEN_ID_15,
    ric.Kind.RESIDENCE_PERMIT: IdentifierKind.RESIDENCE_PERMIT,
    ric.Kind.FOREIGNER_PR: IdentifierKind.FOREIGNER_PR,
}


def identify(text: object) -> tuple[IdentifierKind, ...]:
    """Return the kinds of identifier ``text`` is valid as, most likely first."""
    try:
        number = compact(text)
    except ValidationError:
        return ()
    if ric.is_masked(number):
        return (IdentifierKind.MASKED_ID,)
    found: list[tuple[bool, IdentifierKind]] = []  # (passes strict, kind)
    if len(number) in (15, 18) and passes(ric.validate, number):
        kind = RIC_KINDS[ric.kind_of(number)]
        found.append((passes(ric.validate, number, strict=True), kind))
    if len(number) == 18 and passes(uscc.validate, number):
        found.append((passes(uscc.validate, number, strict=True), IdentifierKind.USCC))
    if len(number) == 15 and passes(regno.validate, number):
        found.append((passes(regno.validate, number, strict=True), IdentifierKind.REGNO))
    if len(number) == 9 and passes(orgcode.validate, number):
        found.append((True, IdentifierKind.ORGCODE))
    # strict passes first; between equals, ID kinds stay first: when a value may be a person's ID number,
    # it is treated as personal information (masked in reports)
    found.sort(key=lambda item: not item[0])
    return tuple(kind for _, kind in found)
