"""The page model: every page of the reference is built once as these blocks and rendered twice.

A :class:`Page` is a list of blocks (:class:`Heading`, :class:`Para`,
:class:`Table`, :class:`Bullets`, :class:`Pre`); the text inside a block is
*inline*: a string, :class:`Code`, a :class:`Link` to another page, a
:class:`Lines` of parts shown one per line, or a tuple of parts shown one
after another.  Builders never write Markdown or HTML; the renderers in
:mod:`.markdown` and :mod:`.html` do, each escaping for its own format, so
the two always say the same thing.  The site's structure lives here too:
the output :data:`FORMATS`, the :data:`NAV` bar and how class pages are named.

>>> page = Page("demo", "Demo")
>>> page.add(Heading(1, page.title), Para(("see ", Code("uscc"), " in ", Link("the index", "index", "classes"))))
>>> [type(block).__name__ for block in page.blocks]
['Heading', 'Para']
>>> join(["a", "b"]), join([]), verified_text(False), class_page_name("honour")
(('a', '、', 'b'), ('—',), '⚠ 未核实 / unverified', 'class-honour')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

#: Output formats of :func:`~creditstd.records.docs.write_docs` and their file extensions.
FORMATS = {"markdown": ".md", "html": ".html"}

UNVERIFIED = "⚠ 未核实 / unverified"
VERIFIED = "✓ 已核实 / verified"


@dataclass(frozen=True)
class Code:
    """Inline code: identifiers, field keys, national codes, patterns."""

    text: str


@dataclass(frozen=True)
class Link:
    """A link to another page (by page name, without extension) and an optional anchor."""

    text: str
    page: str
    anchor: str | None = None

    def target(self, fmt: str) -> str:
        """The link target in output format ``fmt``: ``page.ext`` and ``#anchor`` if any."""
        return self.page + FORMATS[fmt] + (f"#{self.anchor}" if self.anchor else "")


@dataclass(frozen=True)
class Lines:
    """Inline parts shown on separate lines (a line break inside a table cell)."""

    items: tuple[Any, ...]


#: Inline content: text, code, a link, lines, or a tuple of inline parts shown one after another.
Inline = Union[str, Code, Link, Lines, tuple]  # noqa: UP007 - a runtime alias, kept py3.10-friendly


@dataclass(frozen=True)
class Heading:
    level: int
    text: Inline
    anchor: str | None = None


@dataclass(frozen=True)
class Para:
    text: Inline


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: Sequence[tuple[Inline, ...]]


@dataclass(frozen=True)
class Bullets:
    items: list[Inline]


@dataclass(frozen=True)
class Pre:
    text: str


@dataclass
class Page:
    name: str
    title: str
    blocks: list[Any] = field(default_factory=list)

    def add(self, *blocks: Any) -> None:
        self.blocks.extend(blocks)


NONE = "—"


def join(parts: Iterable[Inline], separator: Inline = "、") -> tuple:
    """Concatenate inline parts with a separator."""
    out: list[Inline] = []
    for part in parts:
        if out:
            out.append(separator)
        out.append(part)
    return tuple(out) if out else (NONE,)


def verified_text(flag: Any) -> str:
    return UNVERIFIED if flag is False else VERIFIED if flag is True else NONE


#: The navigation bar of every page: (page name, title).
NAV = (("index", "目录 / Index"), ("taxonomy", "分类标准 / Taxonomy"),
       ("display_rules", "公示规则 / Display rules"), ("errors", "错误代码 / Error codes"))


def class_page_name(name: str) -> str:
    """The page name (without extension) of a record class."""
    return f"class-{name}"
