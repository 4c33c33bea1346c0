"""The generated catalogue reference: complete, linked, escaped, well-formed, written safely."""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path

import lxml.html
import pytest

from creditstd import catalogue
from creditstd.exceptions import ERRORS
from creditstd.records import docs
from creditstd.records.docs import _pages, class_page_name, render_html, render_markdown, write_docs
from creditstd.records.docs._model import Code
from creditstd.records.docs.markdown import md_inline, md_text

RENDERERS = {"markdown": (render_markdown, ".md"), "html": (render_html, ".html")}


def shown(text: str, fmt: str) -> str:
    """How a text of the data appears in a page of ``fmt``."""
    return md_text(text) if fmt == "markdown" else html.escape(text, quote=True)


@pytest.fixture(scope="module", params=sorted(RENDERERS))
def built(request: pytest.FixtureRequest) -> tuple[str, dict[str, str]]:
    render, _ = RENDERERS[request.param]
    return request.param, render()


def test_pages_for_everything(built: tuple[str, dict[str, str]]) -> None:
    fmt, pages = built
    ext = RENDERERS[fmt][1]
    expected = {f"{name}{ext}" for name in ("index", "taxonomy", "display_rules", "errors")}
    expected |= {class_page_name(cls.name) + ext for cls in catalogue.classes()}
    assert set(pages) == expected
    assert all(text.strip() for text in pages.values())


def test_class_pages_list_every_field_key_and_code(built: tuple[str, dict[str, str]]) -> None:
    fmt, pages = built
    ext = RENDERERS[fmt][1]
    for cls in catalogue.classes():
        page = pages[class_page_name(cls.name) + ext]
        assert shown(cls.zh, fmt) in page and shown(cls.en, fmt) in page
        for spec in cls.fields.values():
            assert spec.key in page, (cls.name, spec.key)
            assert shown(spec.zh, fmt) in page and shown(spec.en, fmt) in page, (cls.name, spec.key)
            if spec.code:
                assert spec.code in page, (cls.name, spec.code)
        for rule in cls.conditionals:
            assert rule["x-rule"] in page and shown(rule["x-message-en"], fmt) in page


def test_index_links_every_class_page(built: tuple[str, dict[str, str]]) -> None:
    fmt, pages = built
    ext = RENDERERS[fmt][1]
    index = pages["index" + ext]
    assert catalogue.VERSION in index
    for cls in catalogue.classes():
        target = class_page_name(cls.name) + ext
        assert (f'href="{target}"' if fmt == "html" else f"]({target})") in index
        assert shown(cls.zh, fmt) in index and shown(cls.en, fmt) in index


def test_error_page_lists_every_code(built: tuple[str, dict[str, str]]) -> None:
    fmt, pages = built
    errors = pages["errors" + RENDERERS[fmt][1]]
    for code in ERRORS:
        assert code in errors
    for code in ("record.required", "record.unknown_field", "rule.date_not_after", "rule.orgcode_in_uscc"):
        assert code in errors
    for cls in catalogue.classes():
        for rule in cls.conditionals:
            assert f"rule.{rule['x-rule']}" in errors


def test_taxonomy_and_display_rules_pages(built: tuple[str, dict[str, str]]) -> None:
    fmt, pages = built
    ext = RENDERERS[fmt][1]
    taxonomy = catalogue.taxonomy()
    page = pages["taxonomy" + ext]
    for section in ("subject_types", "information_categories", "openness", "sensitivity", "sectors"):
        for entry in taxonomy[section]:
            assert shown(entry["zh"], fmt) in page and entry["code"] in page
    for name, table in taxonomy["code_tables"].items():
        assert name in page and shown(table["zh"], fmt) in page
    assert "unverified" in page
    rules_page = pages["display_rules" + ext]
    for rule_set in catalogue.display_rules()["rule_sets"]:
        assert rule_set["id"] in rules_page
        for rule in rule_set["rules"]:
            assert shown(rule["zh"], fmt) in rules_page


def test_markdown_escapes_pipes_in_cells() -> None:
    text = md_inline(("a|b", Code("c|d")))
    assert text == "a\\|b`c\\|d`"


def test_html_is_well_formed_with_nav_and_title() -> None:
    pages = render_html()
    for name, text in pages.items():
        assert text.startswith("<!DOCTYPE html>")
        tree = lxml.html.document_fromstring(text)
        assert tree.get("lang") == "zh-CN", name
        assert tree.findtext(".//title"), name
        nav = tree.find(".//nav")
        assert nav is not None and len(nav.findall("a")) >= 4, name
        for link in tree.iter("a"):
            href = link.get("href", "")
            assert href.split("#")[0] in pages, (name, href)
            anchor = href.partition("#")[2]
            if anchor:
                assert f'id="{anchor}"' in pages[href.split("#")[0]], (name, href)
        assert tree.find(".//h1") is not None


def test_html_escapes_values(monkeypatch: pytest.MonkeyPatch) -> None:
    original = _pages.record_class  # the pages read every class through it

    def patched(name: str) -> catalogue.RecordClass:
        cls = original(name)
        if name != "administrative_penalty":
            return cls
        fields = dict(cls.fields)
        fields["decision_number"] = dataclasses.replace(fields["decision_number"], zh="<script>alert(1)</script>|x")
        return dataclasses.replace(cls, fields=fields)

    monkeypatch.setattr(_pages, "record_class", patched)
    page = render_html()[class_page_name("administrative_penalty") + ".html"]
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;|x" in page
    lxml.html.document_fromstring(page)
    markdown = render_markdown()[class_page_name("administrative_penalty") + ".md"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\\|x" in markdown


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_write_docs_atomic_and_leaves_other_files(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / "out" / "docs"
    written = write_docs(target, fmt)
    render, ext = RENDERERS[fmt]
    expected = render()
    assert sorted(path.name for path in written) == sorted(expected)
    for path in written:
        assert path.read_text(encoding="utf-8") == expected[path.name]
    unrelated = target / "notes.txt"
    unrelated.write_text("keep me", encoding="utf-8")
    stale = target / ("index" + ext)
    stale.write_text("old", encoding="utf-8")
    again = write_docs(target, fmt)
    assert unrelated.read_text(encoding="utf-8") == "keep me"
    assert stale.read_text(encoding="utf-8") == expected["index" + ext]
    assert sorted(path.name for path in target.iterdir()) == sorted([*expected, "notes.txt"])  # no temp files
    assert len(again) == len(written)


def test_write_docs_rejects_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="pdf"):
        write_docs(tmp_path, "pdf")
    assert list(tmp_path.iterdir()) == []


def test_describe_class_matches_the_model() -> None:
    for cls in catalogue.classes():
        data = docs.describe_class(cls.name)
        assert [field["key"] for field in data["fields"]] == list(cls.fields)
        assert [rule["rule"] for rule in data["conditional_rules"]] == [rule["x-rule"] for rule in cls.conditionals]
        for field in data["fields"]:
            spec = cls.fields[field["key"]]
            assert field["required"] == spec.required
            for rule in field["required_when"]:
                assert any(rule == item["x-rule"] and spec.key in item["then"].get("required", ())
                           for item in cls.conditionals)


def test_type_and_required_words() -> None:
    penalty = catalogue.get_class("administrative_penalty")
    assert docs.type_text(penalty, penalty.fields["authority_uscc"]).startswith("uscc")
    assert docs.type_text(penalty, penalty.fields["decision_number"]) == "string, length 1–128"
    assert docs.required_text(penalty, penalty.fields["fine_amount"])[1] == "when fine_needs_amount"
    assert docs.required_text(penalty, penalty.fields["remarks"]) == ("选填", "no")
    assert docs.duration_text("P1Y6M") == "1年6个月 / 1 year, 6 months"
    table = docs.code_table(penalty, penalty.fields["penalty_types"])
    assert table is not None and table["name"] == "penalty_category" and "罚款" in table["schema_values"]
