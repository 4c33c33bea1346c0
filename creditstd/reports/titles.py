"""A short Chinese and English title for every finding code, for the headings of a report.

A finding's own message is about one value (``check character does not
match: expected '3'``); a report groups thousands of findings under their
code and needs one title for the group.  :func:`code_title` finds it:

1. ``rule.<name>`` of a class: the message of the class's own conditional rule;
2. the registry of codes (:mod:`creditstd.codes_registry`): :attr:`Code.title`
   (a short heading where the template is made per value, else the template
   with each ``{placeholder}`` written as ``…``);
3. otherwise ``None``: the report then uses the message of the first finding
   of that code (see :func:`title_for`).

>>> code_title('uscc.checksum')
('校验码不符，应为“…”', "check character does not match: expected '…'")
>>> code_title('record.required')
('必填字段缺失', 'required field missing')
>>> code_title('rule.natural_person_needs_id', 'administrative_penalty')[1]
'a natural person needs the ID document type and number'
>>> code_title('reader.something_new') is None
True
"""

from __future__ import annotations

import functools

from creditstd.codes_registry import is_registered, lookup
from creditstd.exceptions import CatalogueError
from creditstd.findings import Finding

__all__ = ["code_title", "title_for"]


@functools.cache
def _class_rules(class_name: str) -> dict[str, tuple[str, str]]:
    from creditstd.records.model import record_class

    try:
        conditionals = record_class(class_name).conditionals
    except (CatalogueError, KeyError, OSError, ValueError):
        return {}
    return {f"rule.{item['x-rule']}": (item["x-message-zh"], item["x-message-en"])
            for item in conditionals if "x-rule" in item and "x-message-zh" in item and "x-message-en" in item}


@functools.cache
def code_title(code: str, class_name: str | None = None) -> tuple[str, str] | None:
    """``(zh, en)`` title of ``code`` from the class's rules or the registry, or ``None`` when neither knows it."""
    if code.startswith("rule.") and class_name and code in _class_rules(class_name):
        return _class_rules(class_name)[code]
    return lookup(code).title if is_registered(code) else None


def title_for(code: str, class_name: str | None, first: Finding | None) -> tuple[str, str]:
    """The title of ``code``: a registry's, else the messages of ``first`` (the first finding seen), else the code.

    >>> title_for('reader.ragged', None, Finding('reader.ragged', '列数不符', 'wrong number of cells'))
    ('列数不符', 'wrong number of cells')
    """
    title = code_title(code, class_name)
    if title is not None:
        return title
    if first is not None:
        return first.message_zh, first.message_en
    return code, code
