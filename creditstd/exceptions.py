"""One error hierarchy for the whole toolkit, with stable codes and bilingual messages.

Every validation failure is an instance of one of python-stdnum's exception
classes (``InvalidLength``, ``InvalidFormat``, ``InvalidChecksum``,
``InvalidComponent``), so code that already catches
``stdnum.exceptions.ValidationError`` keeps working.  On top of that each
error carries:

* ``code``: a stable machine code such as ``uscc.checksum`` (listed in
  :data:`ERRORS`, which comes from :mod:`creditstd.codes_registry`, the
  registry of every code; codes are never renamed, only added);
* ``position``: the 1-based character position the error applies to, or
  ``None`` when it concerns the whole value;
* ``message_zh`` and ``message_en``: the message in Chinese and English.

``str(error)`` shows the code and the message in the language chosen by
:func:`message_language`: the ``CREDITSTD_LANG`` environment variable
(``zh``, ``en`` or ``both``), else the locale (``LC_ALL``, ``LC_MESSAGES``,
``LANG``), else both languages.  Messages never contain the number itself, so
they are safe to log even for citizen ID numbers.

>>> from creditstd import uscc
>>> try:
...     uscc.validate('91350100M000100Y4Z')
... except InvalidChecksum as error:
...     print(error.code, error.position)
...     print(error.message_en)
uscc.checksum 18
check character does not match: expected '3'
>>> import stdnum.exceptions
>>> issubclass(InvalidChecksum, stdnum.exceptions.InvalidChecksum)
True
"""

from __future__ import annotations

import os
from typing import Any, NoReturn

import stdnum.exceptions as _stdnum

from creditstd.codes_registry import CODES

__all__ = [
    "ERRORS",
    "CatalogueError",
    "CreditstdError",
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidLength",
    "ValidationError",
    "fail",
    "make_error",
    "message_language",
]


def message_language() -> str:
    """Return ``'zh'``, ``'en'`` or ``'both'``: the language of messages for people.

    >>> import os
    >>> os.environ['CREDITSTD_LANG'] = 'en'; message_language()
    'en'
    >>> del os.environ['CREDITSTD_LANG']
    """
    chosen = os.environ.get("CREDITSTD_LANG", "").strip().lower()
    if chosen in ("zh", "en", "both"):
        return chosen
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "").lower()
        if value.startswith("zh"):
            return "zh"
        if value.startswith("en"):
            return "en"
    return "both"


def bilingual(zh: str, en: str) -> str:
    """Join a Chinese and an English text the way :func:`message_language` asks."""
    language = message_language()
    if language == "zh":
        return zh
    if language == "en":
        return en
    return f"{zh} / {en}"


class CreditstdError(Exception):
    """Base class of every error creditstd raises on purpose: a stable ``code`` and its message in Chinese and
    English."""

    code: str = "creditstd.error"
    message_zh: str = ""
    message_en: str = ""

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en

    @property
    def message(self) -> str:
        """The message in the configured language (stdnum's attribute name)."""
        return bilingual(self.message_zh, self.message_en)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class CatalogueError(CreditstdError):
    """A request the catalogue cannot answer: an unknown class, rule set or field."""


class ValidationError(CreditstdError, _stdnum.ValidationError):
    """A value is not a valid identifier (or record); see ``code`` for why."""

    def __init__(
        self,
        code: str,
        message_zh: str,
        message_en: str,
        position: int | None = None,
    ) -> None:
        super().__init__(code, message_zh, message_en)
        self.position = position

    def __str__(self) -> str:
        where = f" (position {self.position})" if self.position else ""
        return f"{self.code}{where}: {self.message}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code, self.message_zh, self.message_en, self.position))


# stdnum's classes declare ``message`` as a plain (writable) class attribute holding a fixed English text;
# ours is the read-only property above, in the configured language, and comes first in the MRO.
class InvalidFormat(ValidationError, _stdnum.InvalidFormat):  # type: ignore[override]
    """Characters that are not allowed, or a shape that is not this identifier."""


class InvalidLength(InvalidFormat, _stdnum.InvalidLength):  # type: ignore[override]
    """The value has the wrong number of characters."""


class InvalidChecksum(ValidationError, _stdnum.InvalidChecksum):  # type: ignore[override]
    """The check character does not match the rest of the value."""


class InvalidComponent(ValidationError, _stdnum.InvalidComponent):  # type: ignore[override]
    """A part of the value refers to something that does not exist (date, region, table)."""


_CLASSES: dict[str, type[ValidationError]] = {
    cls.__name__: cls for cls in (InvalidFormat, InvalidLength, InvalidChecksum, InvalidComponent)}

#: Every validation error code: code -> (class, Chinese template, English template), derived from the one
#: registry of codes (:mod:`creditstd.codes_registry`: the codes that name an exception class).
#: Templates are ``str.format`` strings; their fields are given to :func:`fail`.
ERRORS: dict[str, tuple[type[ValidationError], str, str]] = {
    code: (_CLASSES[entry.exception], entry.zh, entry.en) for code, entry in CODES.items() if entry.exception
}


def make_error(code: str, position: int | None = None, **fields: object) -> ValidationError:
    """The error registered under ``code``, its message templates filled.

    >>> make_error("input.too_long", limit=128).message_en
    'input is longer than 128 characters: not an identifier, refused unread'
    """
    cls, zh, en = ERRORS[code]
    values = {"position": position, **fields}
    return cls(code, zh.format(**values), en.format(**values), position)


def fail(code: str, position: int | None = None, **fields: object) -> NoReturn:
    """Raise the error registered under ``code``, filling its message templates.

    >>> fail('uscc.length', length=17)
    Traceback (most recent call last):
    ...
    creditstd.exceptions.InvalidLength: uscc.length: ...
    """
    raise make_error(code, position, **fields)
