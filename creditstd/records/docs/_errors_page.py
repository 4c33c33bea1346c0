"""The error codes page: every code of :func:`creditstd.codes_registry.registry`, by family.

The registry is the one list of codes (the identifier codes, the record
validation codes, the catalogue's rule codes, the exchange format's and the
catalogue's); this page only arranges it, and adds for each rule code the
record classes that apply it.

>>> from creditstd.records.model import record_class
>>> page = errors_page([record_class("administrative_penalty")])
>>> [block.anchor for block in page.blocks if isinstance(block, Heading)]
[None, 'identifier-codes', 'record-codes', 'rule-codes', 'exchange-codes', 'catalogue-codes', ...]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from creditstd.codes_registry import FAMILIES, Code, registry
from creditstd.records.docs._fields import named_rule_text
from creditstd.records.docs._model import Code as CodeText
from creditstd.records.docs._model import Heading, Inline, Lines, Link, Page, Para, Table, class_page_name, join
from creditstd.records.model import RecordClass

SEVERITY = {"error": "错误 / error", "warning": "警告 / warning"}


def section_of(entry: Code) -> str:
    """The anchor of the section that lists ``entry``: the identifier and value errors (the codes an exception
    is raised for) together, every other code under its family, a family the registry names no title for
    under other codes.

    >>> from creditstd.codes_registry import lookup
    >>> section_of(lookup('record.date')), section_of(lookup('record.required')), section_of(lookup('exchange.count'))
    ('identifier-codes', 'record-codes', 'exchange-codes')
    """
    if entry.exception is not None:
        return "identifier-codes"
    return f"{entry.family}-codes" if entry.family in FAMILIES else "other-codes"


def _sections() -> list[tuple[str, str]]:
    """(anchor, heading) of every section, in the order of :data:`~creditstd.codes_registry.FAMILIES`."""
    return [("identifier-codes", "代码与取值校验 / Identifier and value errors"),
            *((f"{family}-codes", f"{zh} / {en[:1].upper()}{en[1:]}") for family, (zh, en) in FAMILIES.items()),
            ("other-codes", "其他代码 / Other codes")]


def _family(entry: Code) -> str:
    zh, en = FAMILIES.get(entry.family, (entry.family, entry.family))
    return f"{zh} / {en}"


def _rule_rows(classes: Sequence[RecordClass], codes: list[Code]) -> list[tuple[Inline, ...]]:
    """Each rule code with its kind, its messages in the given classes and the classes that apply it."""
    found: dict[str, dict[str, Any]] = {}

    def entry(code: str) -> dict[str, Any]:
        return found.setdefault(code, {"kind": "", "zh": [], "en": [], "classes": []})

    for cls in classes:
        for rule in cls.conditionals:
            item = entry(f"rule.{rule.get('x-rule')}")
            item["kind"] = "条件规则 / conditional"
            for language in ("zh", "en"):
                message = rule.get(f"x-message-{language}")
                if message and message not in item[language]:
                    item[language].append(message)
            item["classes"].append(cls)
        for spec in cls.rules:
            text = named_rule_text(cls, spec)
            for code in text["codes"]:
                item = entry(code)
                item["kind"] = "命名规则 / named"
                item["zh"].append(text["zh"])
                item["en"].append(text["en"])
                if cls not in item["classes"]:
                    item["classes"].append(cls)
    rows: list[tuple[Inline, ...]] = []
    for code in sorted(codes, key=lambda code: code.code):
        item = found.get(code.code, {"kind": "—", "zh": [code.zh], "en": [code.en], "classes": []})
        rows.append((CodeText(code.code), item["kind"], Lines(tuple(dict.fromkeys(item["zh"]))),
                     Lines(tuple(dict.fromkeys(item["en"]))),
                     join((Link(cls.name, class_page_name(cls.name)) for cls in item["classes"]), ", ")))
    return rows


def errors_page(classes: Sequence[RecordClass]) -> Page:
    """The page listing every registered code, ``classes`` giving the rule codes' classes."""
    page = Page("errors", "错误代码 / Error codes")
    page.add(Heading(1, page.title),
             Para("代码稳定不变，只增不改。消息模板中的 {…} 在报错时填入。 / Codes are stable (only ever added); "
                  "the {…} fields of a template are filled in when the error is raised."))
    sections: dict[str, list[Code]] = {anchor: [] for anchor, _ in _sections()}
    for entry in registry().values():
        sections[section_of(entry)].append(entry)
    for anchor, title in _sections():
        listed = sections[anchor]
        if not listed:  # a family all of whose codes raise an exception (uscc...) is in the first table
            continue
        page.add(Heading(2, title, anchor))
        if anchor == "identifier-codes":
            page.add(Table(("代码 / code", "类别 / family", "异常类 / exception", "中文模板 / zh template",
                            "English template"), [
                (CodeText(entry.code), _family(entry), CodeText(entry.exception or ""), entry.zh, entry.en)
                for entry in listed]))
        elif anchor == "rule-codes":
            page.add(Para("条件规则（allOf 中的 x-rule）报 rule.<x-rule>；命名规则（x-rules）报下表代码。 / "
                          "A conditional rule (x-rule in allOf) reports rule.<x-rule>; named rules (x-rules) report "
                          "the codes below."),
                     Table(("代码 / code", "种类 / kind", "中文", "English", "记录类 / classes"),
                           _rule_rows(classes, listed)))
        else:
            if anchor == "record-codes":
                page.add(Para("字段格式错误沿用上表的代码（如 uscc.checksum）；消息前加字段名。"
                              "未列出的 JSON Schema 关键字报 record.<关键字>。 / A field's format error keeps the code "
                              "of the table above (e.g. uscc.checksum); messages are prefixed with the field.  A JSON "
                              "Schema keyword not listed reports record.<keyword>."))
            page.add(Table(("代码 / code", "级别 / severity", "中文", "English"), [
                (CodeText(entry.code), SEVERITY[entry.severity], entry.zh, entry.en) for entry in listed]))
    return page
