"""The display rules page: every rule set, when it is in force, whom it serves, its parameters and ordered rules.

Each rule set shows its ``in_force`` and ``repealed`` dates (open when null)
and its scope; each rule its article and whether that was confirmed from
the text.  The scopes (which deciding authorities a scoped rule set judges)
have a table of their own.

>>> from creditstd.records.model import record_class
>>> page = display_rules_page([record_class("administrative_penalty")])
>>> page.name, page.title
('display_rules', '公示规则 / Display rules')
>>> '2026-04-01' in repr(page)
True
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from creditstd.records import loader
from creditstd.records.docs._display import period_text, when_text
from creditstd.records.docs._model import (
    NONE,
    Code,
    Heading,
    Lines,
    Link,
    Page,
    Para,
    Table,
    class_page_name,
    join,
    verified_text,
)
from creditstd.records.model import RecordClass


def display_rules_page(classes: Sequence[RecordClass]) -> Page:
    rules = loader.display_rules()
    page = Page("display_rules", "公示规则 / Display rules")
    default = Link(str(rules.get("default")), "display_rules", f"rule-set-{rules.get('default')}")
    page.add(Heading(1, page.title),
             Para(("版本 / version ", Code(str(rules.get("version"))), "；默认规则集 / default ", default)))
    if rules.get("description"):
        page.add(Para(rules["description"]))
    page.add(Para("条件中的 [角色] 指字段的 x-role。 / In conditions, [role] is a field's x-role."))
    scopes = rules.get("scopes") or {}
    if scopes:
        page.add(Heading(2, "适用范围 / Scopes", "scopes"), Table(
            ("范围 / scope", "中文", "English", "领域 / sectors", "机关名称含 / authority names", "依据 / basis"),
            [(Code(name), scope.get("zh") or NONE, scope.get("en") or NONE,
              join(map(Code, scope.get("sectors", ())), ", ") if scope.get("sectors") else NONE,
              join(scope.get("authority_names", ()), "、") if scope.get("authority_names") else NONE,
              _basis_text(scope.get("basis")))
             for name, scope in scopes.items()]))
        for scope in scopes.values():
            notes = [text for text in (scope.get("note_zh"), scope.get("note_en")) if text]
            if notes:
                page.add(Para(("备注 / note: ", Lines(tuple(notes)))))
    page.add(Heading(2, "施行时间表 / Rule sets by date", "rule-sets-by-date"), Table(
        ("规则集 / rule set", "施行 / in force", "废止 / repealed", "范围 / scope", "核实 / verified"),
        [(Link(rule_set["id"], "display_rules", f"rule-set-{rule_set['id']}"), _day(rule_set.get("in_force")),
          _day(rule_set.get("repealed")), Code(rule_set["scope"]) if rule_set.get("scope") else "通用 / general",
          verified_text(rule_set.get("verified")))
         for rule_set in rules.get("rule_sets", ())]))
    for rule_set in rules.get("rule_sets", ()):
        basis = rule_set.get("basis") or {}
        users = [cls for cls in classes if cls.classification.get("display_rule") in rule_set.get("applies_to", ())]
        page.add(Heading(2, (f"{rule_set.get('zh')} / {rule_set.get('en')} ", Code(rule_set["id"])),
                         f"rule-set-{rule_set['id']}"))
        page.add(Table(("项目 / aspect", "取值 / value"), [
            ("依据 / basis", Lines(tuple(f"{key}: {value}" for key, value in basis.items())) if basis else NONE),
            ("核实 / verified", verified_text(rule_set.get("verified"))),
            ("施行 / in force", _day(rule_set.get("in_force"))),
            ("废止 / repealed", _day(rule_set.get("repealed"))),
            ("范围 / scope", Code(rule_set["scope"]) if rule_set.get("scope") else "通用 / general"),
            ("默认 / default", "是 / yes" if rule_set["id"] == rules.get("default") else "否 / no"),
            ("适用种类 / applies to", join(map(Code, rule_set.get("applies_to", ())), ", ")),
            ("适用的类 / classes", join((Link(f"{cls.zh} / {cls.en}", class_page_name(cls.name)) for cls in users),
                                       "；") if users else "（目录中暂无 / none in the catalogue）"),
            ("起算日期 / start", join((Code(f"[{role}]") for role in rule_set.get("start", ())), " → ")),
            ("不得提前结束 / no early end", join(rule_set.get("no_early_end") or (), "、")),
        ]))
        parameters = rule_set.get("parameters") or {}
        if parameters:
            page.add(Heading(3, "参数 / Parameters", f"rule-set-{rule_set['id']}-parameters"), Table(
                ("参数 / parameter", "值 / value", "单位 / unit", "中文", "English", "核实 / verified"),
                [(Code(name), json.dumps(spec.get("value"), ensure_ascii=False), spec.get("unit") or NONE,
                  spec.get("zh") or NONE, spec.get("en") or NONE, verified_text(spec.get("verified")))
                 for name, spec in parameters.items()]))
        page.add(Heading(3, "规则（按顺序，首条成立者适用） / Rules (in order; the first that holds decides)",
                         f"rule-set-{rule_set['id']}-rules"), Table(
            ("#", "规则 / rule", "条件 / when", "公示期 / period", "可提前结束 / early end", "中文", "English",
             "条款 / article"),
            [(str(number), Code(str(rule.get("id"))), when_text(rule.get("when", {})), period_text(rule),
              NONE if rule.get("publish") is False else ("是 / yes" if rule.get("early_end") else "否 / no"),
              rule.get("zh") or NONE, rule.get("en") or NONE, _basis_text(rule.get("basis")))
             for number, rule in enumerate(rule_set.get("rules", ()), 1)]))
        notes = [text for text in (rule_set.get("note_zh"), rule_set.get("note_en")) if text]
        if notes:
            page.add(Para(("备注 / note: ", Lines(tuple(notes)))))
    return page


def _day(value: object) -> str:
    """A rule set's date, or the open end."""
    return str(value) if value else "—（不限 / open）"


def _basis_text(basis: object) -> Any:
    """An article reference with its verification: ``第十三条第一款 (verified)``, or ``—`` when there is none."""
    if not isinstance(basis, dict):
        return NONE
    parts = [str(basis.get("article") or "条款未核实 / article not confirmed"),
             f"[{'已核实 / verified' if basis.get('verified') else '未核实 / unverified'}]"]
    if basis.get("note"):
        parts.append(str(basis["note"]))
    return " ".join(parts)
