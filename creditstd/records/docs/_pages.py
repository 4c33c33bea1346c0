"""The pages of the reference, in order: the index, one page per class, taxonomy, display rules, error codes.

:func:`build_pages` reads the catalogue afresh each time; each page family
has its own builder module (:mod:`._class_page`, :mod:`._taxonomy_page`,
:mod:`._display_rules_page`, :mod:`._errors_page`); the index is built here.

>>> names = [page.name for page in build_pages()]
>>> names[0], names[-3:], "class-administrative_penalty" in names
('index', ['taxonomy', 'display_rules', 'errors'], True)
"""

from __future__ import annotations

from collections.abc import Sequence

from creditstd.records import loader
from creditstd.records.docs._class_page import class_page
from creditstd.records.docs._display import rule_sets_for
from creditstd.records.docs._display_rules_page import display_rules_page
from creditstd.records.docs._errors_page import errors_page
from creditstd.records.docs._model import (
    NAV,
    NONE,
    Bullets,
    Code,
    Heading,
    Inline,
    Link,
    Page,
    Para,
    Table,
    class_page_name,
    join,
    verified_text,
)
from creditstd.records.docs._taxonomy_page import taxonomy_page
from creditstd.records.docs._terms import term_inline
from creditstd.records.model import RecordClass, record_class


def _classes() -> list[RecordClass]:
    return [record_class(name) for name in loader.class_names()]


def index_page(classes: Sequence[RecordClass]) -> Page:
    index = loader.index()
    page = Page("index", f"{index.get('title', '目录')} / {index.get('title_en', 'Catalogue')}")
    page.add(Heading(1, page.title),
             Para(("目录版本 / catalogue version ", Code(str(index.get("version"))),
                   "；分类标准版本 / taxonomy version ", Code(str(loader.taxonomy().get("version"))),
                   "；公示规则版本 / display rules version ",
                   Code(str(loader.display_rules().get("version"))))),
             Para("本参考由目录数据自动生成，请勿手工编辑。 / Generated from the catalogue data; do not edit by hand."))
    basis = index.get("basis")
    if isinstance(basis, dict):
        issued = "，".join(str(basis[key]) for key in ("issuer", "number") if basis.get(key))
        page.add(Para(("类的范围依据 / classes aligned with: ", str(basis.get("document", NONE)),
                       f"（{issued}）" if issued else "", " ", verified_text(basis.get("verified")))))
        for key in ("note_zh", "note_en"):
            if basis.get(key):
                page.add(Para(str(basis[key])))
    page.add(Heading(2, "记录类 / Record classes", "classes"))
    rows = []
    for cls in classes:
        kind = cls.classification.get("display_rule")
        sets = rule_sets_for(cls)
        display: Inline = NONE if kind is None else (Code(kind), " → ", join(
            [Link(rule_set["id"], "display_rules", f"rule-set-{rule_set['id']}") for rule_set in sets], ", ")
            if sets else "⚠ 无适用规则集 / no rule set")
        rows.append((Link(cls.name, class_page_name(cls.name)), cls.zh, cls.en,
                     term_inline("information_categories", cls.classification.get("category"), "categories"),
                     term_inline("openness", cls.classification.get("openness")), display, Code(cls.version),
                     str(len(cls.fields))))
    page.add(Table(("类 / class", "中文名", "English", "信息类别 / category", "公开属性 / openness",
                    "公示规则 / display rule", "版本 / version", "字段数 / fields"), rows),
             Heading(2, "其他页面 / Other pages", "pages"),
             Bullets([Link(text, name) for name, text in NAV[1:]]))
    return page


def build_pages() -> list[Page]:
    classes = _classes()
    return [index_page(classes), *(class_page(cls) for cls in classes), taxonomy_page(),
            display_rules_page(classes), errors_page(classes)]
