"""Where each entry of a TOML document is written: the line of a JSON path such as ``fields.3.transforms.1``.

:mod:`tomllib` parses TOML but keeps no positions, and a steward reading "fields[3].transforms[1]: unknown
unit" would have to count tables by hand.  :func:`line_map` walks the text of a document ``tomllib`` has
already accepted and records the line on which every key, table, array-of-tables element and array item
starts; :func:`locate` answers for a path, falling back to the nearest enclosing entry that has a line
(an entry that is missing is reported at the table that should hold it).

>>> text = '''title = "x"
... [source]
... format = "xml"
...
... [[fields]]
... target = "a"
...
... [[fields]]
... target = "b"
... transforms = [
...   "trim",
...   { name = "date" },
... ]
... '''
>>> locate(text, ('fields', 1, 'transforms', 1)), locate(text, ('fields', 1)), locate(text, ('source', 'missing'))
(12, 8, 2)
>>> locate(text, ())
1
"""

from __future__ import annotations

import bisect
import contextlib
import re
from collections.abc import Sequence

__all__ = ["MAX_KEY_PARTS", "line_map", "locate", "long_key_line"]

#: The most parts a dotted key (``a.b.c``) or table header may have: a mapping needs a handful, and TOML
#: parsers (tomllib, and this walk) take time and memory that grow with the square of a key's parts.
MAX_KEY_PARTS = 64
#: More than MAX_KEY_PARTS bare or quoted parts joined by dots (possessive, and never starting inside a part,
#: so the search is linear however the text is made).
_LONG_KEY = re.compile(r"(?<![A-Za-z0-9_\-\"'])(?:(?:[A-Za-z0-9_-]++|\"[^\"\n]*+\"|'[^'\n]*+')[ \t]*+\.[ \t]*+)"
                       rf"{{{MAX_KEY_PARTS},}}")


def long_key_line(text: str) -> int | None:
    """The line of the first key of more than :data:`MAX_KEY_PARTS` dotted parts in ``text`` (or of text
    that reads as one), None when there is none: what to refuse before a TOML parser sees ``text``.

    >>> long_key_line('a.b = 1\\n[' + '.'.join(['x'] * 65) + ']\\n'), long_key_line('[a.b.c]\\n')
    (2, None)
    """
    found = _LONG_KEY.search(text)
    return None if found is None else text.count("\n", 0, found.start()) + 1

Path = tuple[str | int, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SPACE = " \t"


class _Scanner:
    """A walk over a valid TOML text (as :mod:`tomllib` accepted it), recording the line of every path."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.lines: dict[Path, int] = {}
        self.arrays: dict[Path, int] = {}  # array-of-tables path -> elements so far
        self._newlines: list[int] | None = None  # offsets of the text's line feeds, found on first use

    @property
    def line(self) -> int:
        """The 1-based line of the current offset: 1 + the line feeds before it (a binary search over their
        offsets, listed once: counting them from the start at every entry took time quadratic in the text)."""
        if self._newlines is None:
            self._newlines = [found.start() for found in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._newlines, self.at) + 1

    def char(self, offset: int = 0) -> str:
        index = self.at + offset
        return self.text[index] if index < len(self.text) else ""

    def skip_space(self, newlines: bool = False) -> None:
        """Skip blanks (and comments and line breaks when ``newlines``)."""
        while self.at < len(self.text):
            char = self.text[self.at]
            if char in _SPACE or (newlines and char in "\r\n"):
                self.at += 1
            elif char == "#":
                end = self.text.find("\n", self.at)
                self.at = len(self.text) if end < 0 else end
            else:
                return

    def record(self, path: Path, line: int) -> None:
        self.lines.setdefault(path, line)

    def key(self) -> list[str]:
        """A (possibly dotted, possibly quoted) key."""
        parts: list[str] = []
        while True:
            self.skip_space()
            char = self.char()
            if char in ('"', "'"):
                parts.append(self.string())
            else:
                match = _BARE.match(self.text, self.at)
                if match is None:
                    raise ValueError(f"no key at line {self.line}")
                parts.append(match.group())
                self.at = match.end()
            self.skip_space()
            if self.char() != ".":
                return parts
            if len(parts) == MAX_KEY_PARTS:
                raise ValueError(f"a key of more than {MAX_KEY_PARTS} parts at line {self.line}")
            self.at += 1

    def string(self) -> str:
        """A string of any of the four kinds; returns its text (escapes of basic strings decoded roughly)."""
        quote = self.char()
        if self.text.startswith(quote * 3, self.at):
            end = self.text.find(quote * 3, self.at + 3)
            while quote == '"' and end > 0 and self._escaped(end):
                end = self.text.find(quote * 3, end + 1)
            end = end + 3
            while self.char_at(end) == quote:  # up to two quotes may end the content
                end += 1
            value = self.text[self.at + 3:end - 3]
            self.at = end
            return value
        end = self.at + 1
        while end < len(self.text) and self.text[end] != quote:
            end += 2 if quote == '"' and self.text[end] == "\\" else 1
        value = self.text[self.at + 1:end]
        self.at = end + 1
        if quote == '"':
            with contextlib.suppress(UnicodeDecodeError, UnicodeEncodeError):
                value = value.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
        return value

    def char_at(self, index: int) -> str:
        return self.text[index] if index < len(self.text) else ""

    def _escaped(self, index: int) -> bool:
        backslashes = 0
        while index - backslashes - 1 >= 0 and self.text[index - backslashes - 1] == "\\":
            backslashes += 1
        return backslashes % 2 == 1

    def value(self, path: Path) -> None:
        """A value at ``path``: arrays and inline tables record their items' lines."""
        self.skip_space()
        char = self.char()
        if char == "[":
            self.at += 1
            index = 0
            while True:
                self.skip_space(newlines=True)
                if self.char() == "]":
                    self.at += 1
                    return
                self.record((*path, index), self.line)
                self.value((*path, index))
                index += 1
                self.skip_space(newlines=True)
                if self.char() == ",":
                    self.at += 1
        elif char == "{":
            self.at += 1
            while True:
                self.skip_space()
                if self.char() == "}":
                    self.at += 1
                    return
                line = self.line
                key = self.key()
                self._define((*path, *key), line)
                self.at += 1  # '='
                self.value((*path, *key))
                self.skip_space()
                if self.char() == ",":
                    self.at += 1
        elif char in ('"', "'"):
            self.string()
        else:
            while self.at < len(self.text) and self.text[self.at] not in ",]}\r\n#":
                self.at += 1

    def _define(self, path: Path, line: int) -> None:
        for end in range(1, len(path) + 1):
            self.record(path[:end], line)

    def resolve(self, keys: Sequence[str]) -> Path:
        """A table header's keys with the current element index of every array of tables they pass through."""
        resolved: list[str | int] = []
        for key in keys:
            resolved.append(key)
            count = self.arrays.get(tuple(resolved))
            if count:
                resolved.append(count - 1)
        return tuple(resolved)

    def document(self) -> dict[Path, int]:
        table: Path = ()
        self.record((), 1)
        while True:
            self.skip_space(newlines=True)
            if self.at >= len(self.text):
                return self.lines
            line = self.line
            if self.text.startswith("[[", self.at):
                self.at += 2
                keys = self.key()
                self.at += 2  # ']]'
                parent = self.resolve(keys[:-1])
                array = (*parent, keys[-1])
                count = self.arrays.get(array, 0)
                self.arrays[array] = count + 1
                table = (*array, count)
                self._define(table, line)
            elif self.char() == "[":
                self.at += 1
                keys = self.key()
                self.at += 1  # ']'
                table = self.resolve(keys)
                self._define(table, line)
            else:
                key = self.key()
                self._define((*table, *key), line)
                self.at += 1  # '='
                self.value((*table, *key))


def line_map(text: str) -> dict[Path, int]:
    """Path -> 1-based line of every entry of TOML ``text`` (which must be valid TOML; lines are 1 for what
    cannot be read)."""
    try:
        return _Scanner(text).document()
    except (ValueError, IndexError, RecursionError):
        return {(): 1}


def locate(text: str | dict[Path, int], path: Sequence[str | int]) -> int:
    """The line of ``path`` in ``text`` (or in a :func:`line_map`), or of its nearest enclosing entry."""
    lines = line_map(text) if isinstance(text, str) else text
    key = tuple(path)
    while key not in lines and key:
        key = key[:-1]
    return lines.get(key, 1)
