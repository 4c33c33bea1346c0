"""A short Chinese and English title for every finding code, for the headings of a report.

A finding's own message is about one value (``check character does not
match: expected '3'``); a report groups thousands of findings under their
code and needs one title for the group.  :func:`code_title` finds it in the
toolkit's registries, in this order:

1. :data:`TITLES` below, for the record and rule codes whose registered
   messages are fragments of a sentence (``is required``);
2. ``rule.<name>``: the message of the class's own conditional rule;
3. the toolkit's registry of codes (``creditstd.codes_registry``, or
   :data:`creditstd.exceptions.ERRORS` without it): the message template,
   each ``{placeholder}`` written as ``…``;
4. :data:`creditstd.records.validation.RECORD_CODES`;
5. otherwise ``None``: the report then uses the message of the first finding
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
import re

from creditstd.exceptions import ERRORS, CatalogueError
from creditstd.findings import Finding

__all__ = ["TITLES", "code_title", "title_for"]

#: Titles of the record and rule codes whose messages are made per value.
TITLES: dict[str, tuple[str, str]] = {
    "record.required": ("必填字段缺失", "required field missing"),
    "record.type": ("类型不符", "wrong type"),
    "record.enum": ("取值不在代码表内", "value not in the code table"),
    "record.const": ("取值不符", "value not allowed"),
    "record.maxLength": ("内容过长", "value too long"),
    "record.minLength": ("内容为空", "value empty"),
    "record.pattern": ("格式不符", "value does not have the expected form"),
    "record.minimum": ("数值过小", "number too small"),
    "record.maximum": ("数值过大", "number too large"),
    "record.minItems": ("项数不足", "too few items"),
    "record.uniqueItems": ("有重复项", "duplicate items"),
    "record.anyOf": ("不符合任何允许的形式", "matches none of the allowed forms"),
    "record.unknown_field": ("未知字段", "unknown field"),
    "record.duplicate_key": ("字段重复", "field given twice"),
    "rule.date_not_after": ("日期先后顺序不符", "dates out of order"),
    "rule.date_in_future": ("日期晚于今天", "date in the future"),
    "rule.orgcode_in_uscc": ("组织机构代码与统一社会信用代码不符", "organisation code does not match the USCC"),
}

_PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


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
    """``(zh, en)`` title of ``code`` from the registries, or ``None`` when no registry knows it."""
    if code in TITLES:
        return TITLES[code]
    if code.startswith("rule.") and class_name and code in _class_rules(class_name):
        return _class_rules(class_name)[code]
    entry = _registered(code)
    if entry is not None:
        return _PLACEHOLDER.sub("…", entry[0]), _PLACEHOLDER.sub("…", entry[1])
    if code.startswith("record."):
        from creditstd.records.validation import RECORD_CODES

        if code in RECORD_CODES:
            return RECORD_CODES[code]
    return None


def _registered(code: str) -> tuple[str, str] | None:
    """The message templates of ``code`` in the toolkit's code registry (or, before it, ``ERRORS``)."""
    try:
        from creditstd.codes_registry import lookup
    except ImportError:
        lookup = None
    if lookup is not None:
        try:
            entry = lookup(code)
        except KeyError:
            entry = None
        if entry is not None:
            return entry.zh, entry.en
    if code in ERRORS:
        _, zh, en = ERRORS[code]
        return zh, en
    return None


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
