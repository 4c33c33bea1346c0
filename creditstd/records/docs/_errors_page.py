"""The error codes page: identifier and value errors, record validation codes, and rule codes by class.

Codes come from :data:`creditstd.exceptions.ERRORS`, the validator's keyword
messages and the classes' conditional and named rules.

>>> from creditstd.records.model import record_class
>>> page = errors_page([record_class("administrative_penalty")])
>>> [block.anchor for block in page.blocks if isinstance(block, Heading)]
[None, 'identifier-codes', 'record-codes', 'rule-codes']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from creditstd.exceptions import ERRORS
from creditstd.records.docs._fields import named_rule_text
from creditstd.records.docs._model import Code, Heading, Inline, Lines, Link, Page, Para, Table, class_page_name, join
from creditstd.records.model import RecordClass
from creditstd.records.validation import _KEYWORD_MESSAGES

#: Codes the record validator emits besides those of ERRORS: code -> (zh, en, where).
_RECORD_CODES: dict[str, tuple[str, str, str]] = {
    "record.type": ("记录应为对象；或：类型应为{expected}",
                    "a record must be an object; or: must be of type {expected}", "record / field"),
    "record.required": ("必填", "is required", "schema required"),
    "record.unknown_field": ("未知字段", "unknown field", "additionalProperties"),
}


def errors_page(classes: Sequence[RecordClass]) -> Page:
    page = Page("errors", "错误代码 / Error codes")
    page.add(Heading(1, page.title),
             Para("代码稳定不变，只增不改。消息模板中的 {…} 在报错时填入。 / Codes are stable (only ever added); "
                  "the {…} fields of a template are filled in when the error is raised."),
             Heading(2, "代码校验 / Identifier and value errors", "identifier-codes"))
    page.add(Table(("代码 / code", "异常类 / exception", "中文模板 / zh template", "English template"), [
        (Code(code), Code(cls.__name__), zh, en) for code, (cls, zh, en) in ERRORS.items()]))
    page.add(Heading(2, "记录校验 / Record validation", "record-codes"),
             Para("字段格式错误沿用上表的代码（如 uscc.checksum）；消息前加字段名。 / A field's format error keeps the "
                  "code of the table above (e.g. uscc.checksum); messages are prefixed with the field."))
    rows: list[tuple[Inline, ...]] = [(Code(code), zh, en, where) for code, (zh, en, where) in _RECORD_CODES.items()]
    rows += [(Code(f"record.{keyword}"), zh, en, f"JSON Schema {keyword}")
             for keyword, (zh, en) in _KEYWORD_MESSAGES.items() if f"record.{keyword}" not in _RECORD_CODES]
    rows.append((Code("record.<keyword>"), "不符合要求", "fails <keyword>", "any other JSON Schema keyword"))
    page.add(Table(("代码 / code", "中文", "English", "来源 / source"), rows))
    page.add(Heading(2, "规则代码 / Rule codes", "rule-codes"),
             Para("条件规则（allOf 中的 x-rule）报 rule.<x-rule>；命名规则（x-rules）报下表代码。 / A conditional rule "
                  "(x-rule in allOf) reports rule.<x-rule>; named rules (x-rules) report the codes below."))
    conditional: dict[str, dict[str, Any]] = {}
    for cls in classes:
        for rule in cls.conditionals:
            entry = conditional.setdefault(rule.get("x-rule"), {"zh": [], "en": [], "classes": []})
            for language in ("zh", "en"):
                message = rule.get(f"x-message-{language}")
                if message and message not in entry[language]:
                    entry[language].append(message)
            entry["classes"].append(cls)
    named: dict[str, dict[str, Any]] = {}
    for cls in classes:
        for spec in cls.rules:
            text = named_rule_text(cls, spec)
            for code in text["codes"]:
                entry = named.setdefault(code, {"zh": [], "en": [], "classes": []})
                entry["zh"].append(text["zh"])
                entry["en"].append(text["en"])
                if cls not in entry["classes"]:
                    entry["classes"].append(cls)
    rule_rows: list[tuple[Inline, ...]] = []
    for code, entry in sorted(conditional.items()):
        rule_rows.append((Code(f"rule.{code}"), "条件规则 / conditional", Lines(tuple(entry["zh"])),
                          Lines(tuple(entry["en"])), join((Link(cls.name, class_page_name(cls.name))
                                                            for cls in entry["classes"]), ", ")))
    for code, entry in sorted(named.items()):
        rule_rows.append((Code(code), "命名规则 / named", Lines(tuple(dict.fromkeys(entry["zh"]))),
                          Lines(tuple(dict.fromkeys(entry["en"]))),
                          join((Link(cls.name, class_page_name(cls.name)) for cls in entry["classes"]), ", ")))
    page.add(Table(("代码 / code", "种类 / kind", "中文", "English", "记录类 / classes"), rule_rows))
    return page
