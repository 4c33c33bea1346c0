"""The taxonomy page: subject types, information categories, openness, sensitivity, sectors, code tables.

Every code table gets an anchor (``code-table-<name>``) that the class pages
link to; grading schemes list their grades; sections the page does not know
yet are shown as JSON rather than left out.

>>> page = taxonomy_page()
>>> page.name, [block.anchor for block in page.blocks if isinstance(block, Heading)][:3]
('taxonomy', [None, 'subject-types', 'categories'])
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from creditstd.records import loader
from creditstd.records.docs._model import (
    NONE,
    Code,
    Heading,
    Inline,
    Lines,
    Page,
    Para,
    Pre,
    Table,
    join,
    verified_text,
)
from creditstd.records.docs._terms import term_inline


def _source_text(source: Mapping[str, Any] | None) -> Inline:
    if not source:
        return NONE
    main = f"{source.get('seed', '')} {source.get('section', '')}"
    if source.get("items"):
        main += f" items {', '.join(source['items'])}"
    also = [f"{item.get('seed', '')} {item.get('section', '')}" for item in source.get("also_in", ())]
    return Lines((main, *(f"also: {item}" for item in also)))


def _described_table(entries: Sequence[Mapping[str, Any]], extra: Sequence[str] = ()) -> Table:
    headers = ("代码 / code", "中文", "English", *extra, "说明 / description", "核实 / verified", "备注 / note")
    rows = []
    for entry in entries:
        description = Lines(tuple(text for text in (entry.get("description_zh"), entry.get("description_en")) if text))
        rows.append((Code(str(entry.get("code"))), entry.get("zh", NONE), entry.get("en", NONE),
                     *(str(entry.get(key, NONE)) for key in extra), description if description.items else NONE,
                     verified_text(entry.get("verified")), entry.get("note") or NONE))
    return Table(headers, rows)


def _values_table(values: Sequence[Mapping[str, Any]]) -> Table:
    rows = []
    for value in values:
        department = value.get("department")
        rows.append((Code(str(value.get("code"))), value.get("zh", NONE), value.get("en", NONE),
                     join(map(Code, value.get("aliases", ())), ", ") if value.get("aliases") else NONE,
                     f"{department.get('zh')} / {department.get('en')}" if isinstance(department, dict) else NONE,
                     term_inline("sectors", value["sector"]) if value.get("sector") else NONE,
                     verified_text(value.get("verified")), value.get("note") or NONE))
    return Table(("代码 / code", "中文", "English", "别名 / aliases", "部门 / department", "领域 / sector",
                  "核实 / verified", "备注 / note"), rows)


_TAXONOMY_SECTIONS = {
    "subject_types": "主体类型 / Subject types", "information_categories": "信息类别 / Information categories",
    "openness": "公开属性 / Openness", "sensitivity": "敏感程度 / Sensitivity", "sectors": "领域 / Sectors",
    "code_tables": "代码表 / Code tables",
}


def taxonomy_page() -> Page:
    taxonomy = loader.taxonomy()
    page = Page("taxonomy", "分类标准 / Taxonomy")
    page.add(Heading(1, page.title), Para(("版本 / version ", Code(str(taxonomy.get("version"))))))
    page.add(Heading(2, _TAXONOMY_SECTIONS["subject_types"], "subject-types"), Table(
        ("代码 / code", "中文", "English", "标识 / identifiers", "依据 / basis", "备注 / note"),
        [(Code(entry["code"]), entry.get("zh", NONE), entry.get("en", NONE),
          join(map(Code, entry.get("identifiers", ())), ", "), entry.get("basis") or NONE, entry.get("note") or NONE)
         for entry in taxonomy.get("subject_types", ())]))
    page.add(Heading(2, _TAXONOMY_SECTIONS["information_categories"], "categories"),
             _described_table(taxonomy.get("information_categories", ())),
             Heading(2, _TAXONOMY_SECTIONS["openness"], "openness"), _described_table(taxonomy.get("openness", ())),
             Heading(2, _TAXONOMY_SECTIONS["sensitivity"], "sensitivity"),
             _described_table(taxonomy.get("sensitivity", ()), ("rank",)))
    sector_rows = []
    for sector in taxonomy.get("sectors", ()):
        departments = Lines(tuple(
            f"{item.get('zh')} / {item.get('en')} — {item.get('role')}"
            + (f" ({item['note']})" if item.get("note") else "") for item in sector.get("departments", ())))
        sector_rows.append((Code(sector["code"]), sector.get("zh", NONE), sector.get("en", NONE),
                            Code(sector["parent"]) if sector.get("parent") else NONE, departments,
                            _source_text(sector.get("source")), sector.get("note") or NONE))
    page.add(Heading(2, _TAXONOMY_SECTIONS["sectors"], "sectors"),
             Para("部门角色 / department roles: lead 牵头, responsible 负责, participant 参与."),
             Table(("代码 / code", "中文", "English", "上级 / parent", "部门 / departments (role)", "来源 / source",
                    "备注 / note"), sector_rows))
    page.add(Heading(2, _TAXONOMY_SECTIONS["code_tables"], "code-tables"))
    for name, table in taxonomy.get("code_tables", {}).items():
        page.add(Heading(3, (f"{table.get('zh')} / {table.get('en')} ", Code(name)), f"code-table-{name}"),
                 Para(("依据 / basis: ", table.get("basis") or NONE, "；", verified_text(table.get("verified"))))
                 )
        if table.get("note"):
            page.add(Para(("备注 / note: ", table["note"])))
        values = [value for value in table.get("values", ()) if isinstance(value, dict)]
        if any("grades" in value for value in values):
            for scheme in values:
                department = scheme.get("department") or {}
                page.add(Heading(4, (f"{scheme.get('zh')} / {scheme.get('en')} ", Code(str(scheme.get("code")))),
                                 f"grade-scheme-{scheme.get('code')}"),
                         Para(("部门 / department: ", f"{department.get('zh', NONE)} / {department.get('en', NONE)}",
                               "；领域 / sector: ",
                               term_inline("sectors", scheme["sector"]) if scheme.get("sector") else NONE, "；",
                               verified_text(scheme.get("verified")))),
                         Para(("依据 / basis: ", scheme.get("basis") or NONE)))
                if scheme.get("note"):
                    page.add(Para(("备注 / note: ", scheme["note"])))
                grades = scheme.get("grades") or []
                page.add(Table(("等级 / grade", "中文", "English", "名次 / rank", "备注 / note"), [
                    (Code(str(grade.get("code"))), grade.get("zh", NONE), grade.get("en", NONE),
                     str(grade.get("rank", NONE)), grade.get("note") or NONE) for grade in grades])
                         if grades else Para("等级未知 / grades not known"))
        else:
            page.add(_values_table(values))
    for key, value in taxonomy.items():
        if key not in _TAXONOMY_SECTIONS and key not in ("$schema", "version"):
            page.add(Heading(2, key, key.replace("_", "-")), Pre(json.dumps(value, ensure_ascii=False, indent=2)))
    return page
