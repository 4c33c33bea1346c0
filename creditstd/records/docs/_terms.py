"""Taxonomy codes in words: ``(zh, en)`` names, and inline text that links to the taxonomy page.

A code the taxonomy does not know is shown as such (and marked ⚠ in a link),
never dropped; a term the taxonomy marks unverified carries the mark.

>>> term("openness", "public"), term("openness", None)
(('公开', 'public'), ('—', '—'))
>>> term("openness", "nope")[1]
'nope (not in the taxonomy)'
>>> term_inline("openness", "public", mark=False)
(Link(text='公开 / public', page='taxonomy', anchor='openness'), ' ', Code(text='public'), '')
"""

from __future__ import annotations

from typing import Any

from creditstd.records import loader
from creditstd.records.docs._model import NONE, UNVERIFIED, Code, Inline, Link


def _taxonomy_index(section: str) -> dict[str, dict[str, Any]]:
    entries = loader.taxonomy().get(section, [])
    return {entry["code"]: entry for entry in entries if isinstance(entry, dict) and "code" in entry}


def term(section: str, code: str | None) -> tuple[str, str]:
    """``(zh, en)`` names of a taxonomy code; unknown codes are shown as such."""
    if code is None:
        return (NONE, NONE)
    entry = _taxonomy_index(section).get(code)
    if entry is None:
        return (f"{code}（分类标准中无此代码）", f"{code} (not in the taxonomy)")
    return (entry["zh"], entry["en"])


def term_inline(section: str, code: str | None, anchor: str | None = None, mark: bool = True) -> Inline:
    if code is None:
        return NONE
    zh, en = term(section, code)
    entry = _taxonomy_index(section).get(code)
    text = f"{zh} / {en}" if entry else f"⚠ {zh} / {en}"
    flag = f" {UNVERIFIED}" if mark and entry and entry.get("verified") is False else ""
    return (Link(text, "taxonomy", anchor or section.replace("_", "-")), " ", Code(code), flag)
