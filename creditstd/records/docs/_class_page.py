"""The page of one record class: description, classification, basis, fields, rules and display rule sets.

Its field table has a row per field with the key, names, national code,
aliases, type, requiredness, openness, sensitivity, masking, code table or
values, unit and notes; rules link to the error codes they report.

>>> from creditstd.records.model import record_class
>>> page = class_page(record_class("administrative_penalty"))
>>> page.name, page.title
('class-administrative_penalty', '行政处罚信息 / Administrative penalty')
>>> [block.anchor for block in page.blocks if isinstance(block, Heading) and block.level == 2][:3]
['description', 'classification', 'basis']
"""

from __future__ import annotations

import json

from creditstd.records import loader
from creditstd.records.docs._display import rule_sets_for
from creditstd.records.docs._fields import (
    code_table,
    condition_text,
    conditional_required,
    mask_text,
    named_rule_text,
    ref_name,
    required_text,
    resolve_ref,
    type_text,
    value_text,
)
from creditstd.records.docs._model import (
    NONE,
    UNVERIFIED,
    Bullets,
    Code,
    Heading,
    Inline,
    Lines,
    Link,
    Page,
    Para,
    Table,
    class_page_name,
    join,
    verified_text,
)
from creditstd.records.docs._terms import term_inline
from creditstd.records.model import Field, RecordClass


def _field_row(cls: RecordClass, spec: Field) -> tuple[Inline, ...]:
    required_zh, required_en = required_text(cls, spec)
    rules = conditional_required(cls, spec.key)
    required: Inline = (f"{required_zh.split('：')[0]} / conditional: ", join(map(Code, rules), ", ")) if rules \
        else f"{required_zh} / {required_en}"
    mask_zh, mask_en = mask_text(spec.mask)
    table = code_table(cls, spec)
    values: Inline = NONE
    if table:
        parts: list[Inline] = []
        if table["name"]:
            if table["in_taxonomy"]:
                mark = f" {UNVERIFIED}" if table["verified"] is False else ""
                parts.append((Link(f"{table['zh']} / {table['en']}", "taxonomy", f"code-table-{table['name']}"),
                              " ", Code(table["name"]), mark))
            else:
                parts.append(("⚠ ", Code(table["name"]), "（分类标准中无此代码表 / not a taxonomy code table）"))
        listed = [item["zh"] for item in table["values"]] if table["name"] \
            else list(map(value_text, table["schema_values"]))
        if listed:
            parts.append("、".join(listed))
        if table["extra_values"]:
            parts.append("另可 / also accepted: " + "、".join(map(value_text, table["extra_values"])))
        if table["patterns"]:
            parts.append(("格式 / pattern: ", join(map(Code, table["patterns"]), ", ")))
        values = Lines(tuple(parts)) if parts else NONE
    notes: list[Inline] = []
    if spec.note:
        notes.append(spec.note)
    if "$ref" in spec.schema:
        description = resolve_ref(spec.schema["$ref"], cls.schema_id).get("description")
        if description:
            notes.append(f"{ref_name(spec.schema['$ref'])}: {description}")
    if not spec.verified:
        notes.append(UNVERIFIED)
    return (
        Code(spec.key), spec.zh, spec.en, Code(spec.code) if spec.code else NONE,
        join(map(Code, spec.aliases), ", ") if spec.aliases else NONE, Code(type_text(cls, spec)), required,
        term_inline("openness", spec.openness, mark=False), term_inline("sensitivity", spec.sensitivity, mark=False),
        NONE if not spec.mask else f"{mask_zh} / {mask_en}", values, spec.unit or NONE,
        Lines(tuple(notes)) if notes else NONE,
    )


def class_page(cls: RecordClass) -> Page:
    page = Page(class_page_name(cls.name), f"{cls.zh} / {cls.en}")
    classification = cls.classification
    page.add(Heading(1, page.title),
             Para(("类名 / class ", Code(cls.name), "；版本 / version ", Code(cls.version), "；$id ",
                   Code(cls.schema_id))),
             Heading(2, "说明 / Description", "description"), Para(cls.description_zh), Para(cls.description_en),
             Heading(2, "分类 / Classification", "classification"))
    sectors = classification.get("sectors") or []
    kind = classification.get("display_rule")
    page.add(Table(("项目 / aspect", "取值 / value"), [
        ("主体类型 / subject types", join((term_inline("subject_types", code, "subject-types")
                                            for code in classification.get("subject_types", ())), "；")),
        ("信息类别 / information category",
         term_inline("information_categories", classification.get("category"), "categories")),
        ("领域 / sectors", join((term_inline("sectors", code) for code in sectors), "；") if sectors
         else "全部领域 / every sector"),
        ("公开属性 / openness", term_inline("openness", classification.get("openness"))),
        ("敏感程度 / sensitivity", term_inline("sensitivity", classification.get("sensitivity"))),
        ("公示规则 / display rule", Code(kind) if kind else "不设公示期 / no display period"),
        ("标识字段 / identity fields", join((Code(key) for key in cls.identity), ", ")),
    ]))
    if cls.references:
        reference = cls.references
        when = ", ".join(f"{key} = {value_text(value)}" for key, value in (reference.get("when") or {}).items())
        page.add(Heading(2, "关联记录 / Related record", "references"), Para((
            "字段 / field ", Code(str(reference.get("field"))), " 指向另一条记录；效果 / effect ",
            Code(str(reference.get("effect"))),
            *(("；条件 / when ", Code(when)) if when else ()),
            *(("；起始日期字段 / from ", Code(str(reference["from"]))) if reference.get("from") else ()),
        )))
    page.add(Heading(2, "依据 / Basis", "basis"))
    page.add(Table(("文件 / document", "条款 / article", "说明 / note", "核实 / verified"), [
        (item.get("document", NONE), item.get("article") or NONE, item.get("note") or NONE,
         verified_text(item.get("verified"))) for item in cls.basis]) if cls.basis else Para(NONE))
    page.add(Heading(2, "字段 / Fields", "fields"),
             Table(("键 / key", "中文名", "English", "国家字段代码 / code", "别名 / aliases", "类型 / type",
                    "必填 / required", "公开属性 / openness", "敏感程度 / sensitivity", "脱敏 / masking",
                    "代码表或取值 / code table or values", "单位 / unit", "说明 / notes"),
                   [_field_row(cls, spec) for spec in cls.fields.values()]))
    page.add(Heading(2, "条件规则 / Conditional rules", "conditional-rules"))
    page.add(Table(("规则 / rule", "条件 / if", "要求 / then", "中文", "English", "错误代码 / error code"), [
        (Code(str(rule.get("x-rule"))), Code(condition_text(rule.get("if", {}))),
         Code(condition_text(rule.get("then", {}))), rule.get("x-message-zh", NONE), rule.get("x-message-en", NONE),
         Link(f"rule.{rule.get('x-rule')}", "errors", "rule-codes")) for rule in cls.conditionals])
             if cls.conditionals else Para(NONE))
    page.add(Heading(2, "命名规则 / Named rules", "named-rules"))
    named = [named_rule_text(cls, spec) for spec in cls.rules]
    page.add(Table(("规则 / rule", "参数 / parameters", "中文", "English", "错误代码 / error code"), [
        (Code(item["rule"]), Code(json.dumps(item["params"], ensure_ascii=False)), item["zh"], item["en"],
         join((Link(code, "errors", "rule-codes") for code in item["codes"]), ", ")) for item in named])
             if named else Para(NONE))
    page.add(Heading(2, "公示规则集 / Display rule sets", "display-rule-sets"))
    sets = rule_sets_for(cls)
    default = loader.display_rules().get("default")
    if kind is None:
        page.add(Para("本类信息不设公示期。 / This class is not published with a display period."))
    elif not sets:
        page.add(Para(("⚠ 没有适用于 ", Code(kind), " 的规则集。 / No rule set applies to ", Code(kind), ".")))
    else:
        page.add(Bullets([(Link(f"{rule_set.get('zh')} / {rule_set.get('en')}", "display_rules",
                                f"rule-set-{rule_set['id']}"), " ", Code(rule_set["id"]),
                           "（默认 / default）" if rule_set["id"] == default else "",
                           f" {UNVERIFIED}" if rule_set.get("verified") is False else "") for rule_set in sets]))
    return page
