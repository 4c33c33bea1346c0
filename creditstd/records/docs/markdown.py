r"""The Markdown renderer of the page model: GitHub-flavoured tables, links between ``.md`` files.

Text is escaped so that nothing in the data can start markup or break a table
(``|`` and line breaks inside cells included); headings with an anchor get an
``<a id>`` before them so links from other pages land.

>>> print(md_text("a|b <c> *d*"))
a\|b &lt;c&gt; \*d\*
>>> print(md_inline(("see ", Code("a|b"), " in ", Link("the index", "index", "classes"))))
see `a\|b` in [the index](index.md#classes)
"""

from __future__ import annotations

import html
import re

from creditstd.records.docs._model import (
    FORMATS,
    NAV,
    Bullets,
    Code,
    Heading,
    Inline,
    Lines,
    Link,
    Page,
    Para,
    Pre,
    Table,
)
from creditstd.records.docs._pages import build_pages

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|<>#])")


def md_text(text: str) -> str:
    text = re.sub(r"\s+", " ", str(text))  # no newlines inside table cells
    return _MD_SPECIAL.sub(lambda match: "&lt;" if match.group(1) == "<" else "&gt;" if match.group(1) == ">"
                           else "\\" + match.group(1), text)


def md_inline(part: Inline) -> str:
    if isinstance(part, Code):
        text = re.sub(r"\s+", " ", part.text).replace("|", "\\|")
        fence = "``" if "`" in text else "`"
        pad = " " if fence == "``" or text.startswith("`") else ""
        return f"{fence}{pad}{text}{pad}{fence}"
    if isinstance(part, Link):
        return f"[{md_text(part.text)}]({part.target('markdown')})"
    if isinstance(part, Lines):
        return "<br>".join(md_inline(item) for item in part.items)
    if isinstance(part, tuple):
        return "".join(md_inline(item) for item in part)
    return md_text(str(part))


def md_page(page: Page) -> str:
    nav = " · ".join(f"[{md_text(text)}]({name}{FORMATS['markdown']})" for name, text in NAV)
    out = [nav, ""]
    for block in page.blocks:
        if isinstance(block, Heading):
            if block.anchor:
                out.append(f'<a id="{html.escape(block.anchor, quote=True)}"></a>')
                out.append("")
            out += ["#" * block.level + " " + md_inline(block.text), ""]
        elif isinstance(block, Para):
            out += [md_inline(block.text), ""]
        elif isinstance(block, Table):
            out.append("| " + " | ".join(md_text(header) for header in block.headers) + " |")
            out.append("|" + "|".join("---" for _ in block.headers) + "|")
            for row in block.rows:
                out.append("| " + " | ".join(md_inline(cell) or " " for cell in row) + " |")
            out.append("")
        elif isinstance(block, Bullets):
            out += [f"- {md_inline(item)}" for item in block.items] + [""]
        elif isinstance(block, Pre):
            fence = "~~~~" if "```" in block.text else "```"
            out += [fence, block.text, fence, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def render_markdown() -> dict[str, str]:
    """``{file name: Markdown}`` for every page of the reference."""
    return {page.name + FORMATS["markdown"]: md_page(page) for page in build_pages()}
