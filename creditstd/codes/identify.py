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

:class:`IdentifierKind` is the one vocabulary of identifier kinds, for the
whole toolkit: ``validate_batch(values, 'uscc')``, ``verdict.check(value,
kind='ric')``, ``creditstd check --kind``, the ``kind`` of a
:class:`~creditstd.findings.Finding`.  Each kind carries its Chinese and
English name and what checks it; the other spellings (the JSON Schema format
``citizen-id``, :class:`ric.Kind <creditstd.codes.ric.Kind>`'s ``citizen15``,
the catalogue's type ``uscc_or_placeholder``) are read by
:func:`resolve_kind`, the one function that turns a name into a kind:

>>> resolve_kind('citizen-id').zh, resolve_kind('ric').en
('居民身份证号码', 'ID number')
"""

from __future__ import annotations

import enum
from types import ModuleType

from creditstd.codes import orgcode, regno, ric, uscc
from creditstd.codes._text import compact, passes
from creditstd.exceptions import ValidationError

__all__ = [
    "FORMAT_KINDS",
    "KIND_FAMILIES",
    "RIC_KINDS",
    "IdentifierKind",
    "checkable_kind",
    "find_kind",
    "format_kind",
    "identify",
    "resolve_kind",
]


class IdentifierKind(str, enum.Enum):
    """The one vocabulary of identifier kinds: what :func:`identify` recognises, what a value is checked as.

    Each kind has its name in Chinese and English (:attr:`zh`, :attr:`en`), the kind it is checked as
    (:attr:`family`: an ID number of any sub-kind is checked as ``ric``), the module whose ``validate()``
    checks it (:attr:`module`), whether its values are personal information (:attr:`personal`), and the
    JSON Schema format that names it in the catalogue (:attr:`format`, ``citizen-id``).  Other spellings
    (the format names, :class:`creditstd.codes.ric.Kind`'s values, the catalogue's type names) resolve
    through :func:`resolve_kind`.

    >>> IdentifierKind.CITIZEN_ID.en, IdentifierKind.CITIZEN_ID.family.value, IdentifierKind.CITIZEN_ID.format
    ('citizen ID number', 'ric', 'citizen-id')
    """

    USCC = "uscc"
    #: An ID number of GB 11643's shape, whichever sub-kind: what ``check --kind ric`` and
    #: ``validate_batch(values, 'ric')`` check as.  :func:`identify` returns the precise kind instead.
    RIC = "ric"
    CITIZEN_ID = "citizen_id"
    CITIZEN_ID_15 = "citizen_id_15"
    RESIDENCE_PERMIT = "residence_permit"
    FOREIGNER_PR = "foreigner_pr"
    ORGCODE = "orgcode"
    REGNO = "regno"
    MASKED_ID = "masked_id"

    @property
    def zh(self) -> str:
        """The kind's name in Chinese."""
        return _NAMES[self][0]

    @property
    def en(self) -> str:
        """The kind's name in English."""
        return _NAMES[self][1]

    @property
    def family(self) -> IdentifierKind:
        """The kind a value of this kind is checked as: itself, or ``ric`` for every kind of ID number."""
        return _FAMILY.get(self, self)

    @property
    def module(self) -> ModuleType | None:
        """The identifier module whose ``validate()`` checks this kind (None: a masked number cannot be checked)."""
        return None if self is IdentifierKind.MASKED_ID else _MODULES[self.family]

    @property
    def personal(self) -> bool:
        """Whether values of this kind are a natural person's ID number (masked in reports)."""
        return self.family is IdentifierKind.RIC

    # a documented attribute of the vocabulary; it shadows str.format on purpose (nothing formats a kind)
    @property
    def format(self) -> str | None:  # type: ignore[override]
        """The JSON Schema format name of this kind in the catalogue (``citizen-id``), if it has one."""
        return next((name for name, kind in FORMAT_KINDS.items() if kind is self), None)


#: ric's own sub-kinds (:class:`creditstd.codes.ric.Kind`, what ``ric.parse()`` reports) -> the vocabulary.
RIC_KINDS = {
    ric.Kind.CITIZEN: IdentifierKind.CITIZEN_ID,
    ric.Kind.CITIZEN_15: IdentifierKind.CITIZEN_ID_15,
    ric.Kind.RESIDENCE_PERMIT: IdentifierKind.RESIDENCE_PERMIT,
    ric.Kind.FOREIGNER_PR: IdentifierKind.FOREIGNER_PR,
}

_NAMES: dict[IdentifierKind, tuple[str, str]] = {
    IdentifierKind.USCC: ("统一社会信用代码", "unified social credit code"),
    IdentifierKind.RIC: ("身份号码", "ID number"),
    **{kind: ric.KIND_NAMES[ric_kind] for ric_kind, kind in RIC_KINDS.items()},
    IdentifierKind.ORGCODE: ("组织机构代码", "organisation code"),
    IdentifierKind.REGNO: ("工商注册号", "business registration number"),
    IdentifierKind.MASKED_ID: ("已脱敏身份号码", "masked ID number"),
}
_FAMILY = {kind: IdentifierKind.RIC for kind in (*RIC_KINDS.values(), IdentifierKind.MASKED_ID)}
_MODULES: dict[IdentifierKind, ModuleType] = {IdentifierKind.USCC: uscc, IdentifierKind.RIC: ric,
                                              IdentifierKind.ORGCODE: orgcode, IdentifierKind.REGNO: regno}

#: The kinds a value is checked as (``check --kind``, :func:`~creditstd.codes.batch.validate_batch`).
KIND_FAMILIES: tuple[IdentifierKind, ...] = tuple(_MODULES)

#: The catalogue's JSON Schema format names of identifiers -> kind (the schemas' spelling: ``citizen-id``).
FORMAT_KINDS: dict[str, IdentifierKind] = {
    "uscc": IdentifierKind.USCC,
    "citizen-id": IdentifierKind.CITIZEN_ID,
    "orgcode": IdentifierKind.ORGCODE,
    "regno": IdentifierKind.REGNO,
    "masked-id": IdentifierKind.MASKED_ID,
}

#: Every other spelling of a kind, and what it means.
_ALIASES: dict[str, IdentifierKind] = {
    **FORMAT_KINDS,
    **{ric_kind.value: kind for ric_kind, kind in RIC_KINDS.items()},  # ric.Kind: citizen, citizen15...
    "uscc_or_placeholder": IdentifierKind.USCC,  # the catalogue's type (common.schema.json) of a USCC or 17 zeros+X
}


def find_kind(name: object) -> IdentifierKind | None:
    """The kind ``name`` spells (a kind's value, a format name, an alias), or None.

    >>> [kind and kind.value for kind in map(find_kind, ['citizen-id', 'citizen15', 'ric', 'date'])]
    ['citizen_id', 'citizen_id_15', 'ric', None]
    """
    if isinstance(name, IdentifierKind):
        return name
    if type(name) is not str:
        return None
    try:
        return IdentifierKind(name)
    except ValueError:
        return _ALIASES.get(name)


def resolve_kind(name: object) -> IdentifierKind:
    """The kind ``name`` spells; ValueError (never quoting ``name``) for anything else.

    The one way a kind given by a caller or a user is read: ``validate_batch(values, 'uscc')``,
    ``verdict.check(value, kind='ric')``, ``creditstd check --kind``.

    >>> resolve_kind('uscc') is IdentifierKind.USCC
    True
    """
    kind = find_kind(name)
    if kind is None:
        raise ValueError("未知的代码类型 / unknown identifier kind; choose from "
                         + ", ".join(kind.value for kind in IdentifierKind))
    return kind


def checkable_kind(name: object) -> IdentifierKind:
    """:func:`resolve_kind`, refusing (ValueError) a kind no module checks: ``masked_id``.

    >>> checkable_kind('citizen15').module.__name__
    'creditstd.codes.ric'
    """
    kind = resolve_kind(name)
    if kind.module is None:
        raise ValueError(f"{kind.value} 无法校验 / a value cannot be checked as {kind.value}")
    return kind


def format_kind(name: object) -> IdentifierKind | None:
    """The kind a JSON Schema format of the catalogue names, or None when it names no identifier.

    >>> format_kind('citizen-id').value, format_kind('gb2260')
    ('citizen_id', None)
    """
    return FORMAT_KINDS.get(name) if isinstance(name, str) else None


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
