"""A browsable reference of the whole catalogue, generated from the data (never written by hand).

:func:`render_markdown` and :func:`render_html` return ``{file name: contents}``
for an index page, one page per record class, the taxonomy, the display rule
sets and the error codes; :func:`write_docs` writes them into a directory,
each file atomically.  :func:`describe_class` is the same description of a
class as plain JSON-able data (the ``creditstd catalogue show`` command uses
it).

Every page is built once as a small document model (headings, paragraphs,
tables, lists of inline text, code and links) and rendered twice, so the two
formats always say the same thing.  Everything comes from the catalogue's
JSON files, the registry of codes (:func:`creditstd.codes_registry.registry`:
every code any part of creditstd reports) and the named rules.

The package is split by job: :mod:`._model` (the page model and the site's
structure), :mod:`._terms`, :mod:`._fields` and :mod:`._display` (the data in
words), :mod:`._describe` (a class as data), :mod:`._pages` with one builder
module per page family, the renderers :mod:`.markdown` and :mod:`.html`, and
:mod:`._write`.

>>> pages = render_markdown()
>>> 'index.md' in pages and 'class-administrative_penalty.md' in pages
True
>>> '`CF_WSH`' in pages['class-administrative_penalty.md']
True
"""

from __future__ import annotations

from creditstd.records.docs._describe import describe_class
from creditstd.records.docs._display import duration_text, rule_sets_for
from creditstd.records.docs._fields import (
    code_table,
    condition_text,
    mask_text,
    named_rule_text,
    required_text,
    type_text,
)
from creditstd.records.docs._model import FORMATS, class_page_name
from creditstd.records.docs._terms import term
from creditstd.records.docs._write import write_docs
from creditstd.records.docs.html import render_html
from creditstd.records.docs.markdown import render_markdown

__all__ = [
    "FORMATS",
    "class_page_name",
    "code_table",
    "condition_text",
    "describe_class",
    "duration_text",
    "mask_text",
    "named_rule_text",
    "render_html",
    "render_markdown",
    "required_text",
    "rule_sets_for",
    "term",
    "type_text",
    "write_docs",
]
