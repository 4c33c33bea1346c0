"""The HTML renderer of the page model: self-contained pages with a navigation bar and inline CSS.

Everything from the data is escaped; links point at ``.html`` files.

>>> html_inline(("see ", Code("<a|b>"), " in ", Link("the index", "index", "classes")))
'see <code>&lt;a|b&gt;</code> in <a href="index.html#classes">the index</a>'
"""

from __future__ import annotations

import html

from creditstd.records import loader
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

_CSS = """
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
margin:0;color:#1b1f23;line-height:1.5}
nav{background:#24292f;padding:.6em 1.2em;position:sticky;top:0}
nav a{color:#fff;margin-right:1.4em;text-decoration:none}nav a:hover{text-decoration:underline}
main{padding:1em 1.5em;max-width:110em}
table{border-collapse:collapse;margin:.6em 0 1.4em;font-size:.9em}
th,td{border:1px solid #d0d7de;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f6f8fa}tr:nth-child(even) td{background:#fbfcfd}
code{background:#eff1f3;padding:0 .25em;border-radius:3px;font-size:.95em}
pre{background:#f6f8fa;padding:.8em;overflow:auto}
footer{color:#57606a;font-size:.85em;padding:1em 1.5em}
""".strip()


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def html_inline(part: Inline) -> str:
    if isinstance(part, Code):
        return f"<code>{_esc(part.text)}</code>"
    if isinstance(part, Link):
        return f'<a href="{_esc(part.target("html"))}">{_esc(part.text)}</a>'
    if isinstance(part, Lines):
        return "<br>".join(html_inline(item) for item in part.items)
    if isinstance(part, tuple):
        return "".join(html_inline(item) for item in part)
    return _esc(str(part))


def html_page(page: Page) -> str:
    nav = "".join(f'<a href="{_esc(name + FORMATS["html"])}">{_esc(text)}</a>' for name, text in NAV)
    body: list[str] = []
    for block in page.blocks:
        if isinstance(block, Heading):
            anchor = f' id="{_esc(block.anchor)}"' if block.anchor else ""
            body.append(f"<h{block.level}{anchor}>{html_inline(block.text)}</h{block.level}>")
        elif isinstance(block, Para):
            body.append(f"<p>{html_inline(block.text)}</p>")
        elif isinstance(block, Table):
            head = "".join(f"<th>{_esc(header)}</th>" for header in block.headers)
            rows = "\n".join("<tr>" + "".join(f"<td>{html_inline(cell)}</td>" for cell in row) + "</tr>"
                             for row in block.rows)
            body.append(f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>")
        elif isinstance(block, Bullets):
            body.append("<ul>" + "".join(f"<li>{html_inline(item)}</li>" for item in block.items) + "</ul>")
        elif isinstance(block, Pre):
            body.append(f"<pre>{_esc(block.text)}</pre>")
    version = _esc(str(loader.index().get("version")))
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(page.title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n"
        f"<nav>{nav}</nav>\n<main>\n" + "\n".join(body) + "\n</main>\n"
        f"<footer>由目录数据生成（目录版本 {version}） / "
        f"generated from the catalogue data (version {version})</footer>\n"
        "</body>\n</html>\n"
    )


def render_html() -> dict[str, str]:
    """``{file name: HTML}`` for every page of the reference; each page is self-contained."""
    return {page.name + FORMATS["html"]: html_page(page) for page in build_pages()}
