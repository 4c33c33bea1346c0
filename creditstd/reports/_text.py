"""Text helpers shared by the report writers: safe text, numbers, the two languages.

Everything the report quotes from the input (a header, a file name, a cell)
passes :func:`clean` once, when the builder takes it in: control characters,
lone surrogates, bidirectional overrides and the two non-characters XML
forbids are written as ``\\uXXXX`` escapes and the text is cut short, so
every writer starts from text that is printable, valid UTF-8 and valid XML
1.0 character data; each writer then only escapes what its own syntax needs.

>>> clean('a\\x1b[31mb\\ud800c')
'a\\\\u001b[31mb\\\\ud800c'
>>> clean('x' * 10, limit=4)
'xxxx…'
>>> pick('zh', '行', 'rows'), pick('en', '行', 'rows'), pick('both', '行', 'rows')
('行', 'rows', '行 rows')
>>> number(1234567), share(0.98765)
('1,234,567', '98.8%')
>>> token(bytes([0x01, 0x23, 0xfe]))
'abcdpo'
"""

from __future__ import annotations

from typing import Literal

from creditstd.records.jsonline import printable

__all__ = ["LANGS", "Lang", "clean", "number", "pick", "share", "token"]

Lang = Literal["zh", "en", "both"]
LANGS: tuple[str, ...] = ("zh", "en", "both")

#: The longest text quoted from the input (a cell, a header, a file name), in characters.
LIMIT = 200


def clean(text: object, limit: int = LIMIT) -> str:
    """``text`` as printable, valid UTF-8 text of at most ``limit`` characters (an ellipsis marks a cut)."""
    return printable(text if isinstance(text, str) else str(text), limit)


def pick(lang: str, zh: str, en: str, sep: str = " ") -> str:
    """The Chinese text, the English text, or both joined by ``sep``."""
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    return zh + sep + en if zh != en else zh


def number(value: int) -> str:
    """An integer with thousands separators."""
    return f"{value:,}"


def share(value: float | None) -> str:
    """A share as a percentage with one decimal (``–`` when there is none)."""
    return "–" if value is None else f"{value * 100:.1f}%"


def token(data: bytes) -> str:
    """``data`` as letters, ``a`` to ``p`` for each half byte: an opaque token (a fingerprint, a delimiter)
    written into a report.  Hexadecimal would do, but its digits can line up as 15 or 18 digits that a
    leak scanner (ours in the tests, a company's data-loss filter) takes for a citizen ID number."""
    return "".join(chr(0x61 + (byte >> 4)) + chr(0x61 + (byte & 0x0F)) for byte in data)
