"""The safe XPath subset of mapping files (:mod:`creditstd.convert.xpath`) at its edges: whatever a mapping file holds,
a path is compiled or refused as a mapping error (``mapping.xpath``, exit 2), never an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from creditstd.cli import main
from creditstd.convert.mapping import MappingError, parse_mapping
from creditstd.convert.xpath import MAX_NESTING, UnsafePath, compile_path, compile_record_path

SAMPLE = ('<?xml version="1.0" encoding="UTF-8"?>\n<NSXYPJ><JL><NSRSBH>91350100M000100Y43</NSRSBH>'
          '<NSRMC>某某科技有限公司</NSRMC><XYJB>A级</XYJB><PJRQ>20240401</PJRQ></JL></NSXYPJ>\n')


def mapping(source: str, *, record: str = "/NSXYPJ/JL", namespaces: str = "") -> str:
    """A credit-rating mapping whose subject_name rule (on line 9) has ``source`` (TOML text, quotes included)."""
    return ('spec = 1\nname = "t"\nclass = "credit_rating"\n[source]\nformat = "xml"\n'
            f'record = "{record}"\n{namespaces or "# no namespaces"}\n[[fields]]\ntarget = "subject_name"\n'
            f'source = {source}\n')


def convert(tmp_path: Path, text: str) -> Result:
    sample = tmp_path / "export.xml"
    sample.write_text(SAMPLE, encoding="utf-8")
    toml = tmp_path / "m.toml"
    toml.write_text(text, encoding="utf-8")
    return CliRunner(env={"CREDITSTD_LANG": "both"}).invoke(main, ["convert", str(sample), "--mapping", str(toml),
                                                                   "--dry-run"])


def assert_mapping_error(result: Result, line: int, english: str) -> None:
    assert result.exit_code == 2, result.output
    assert "the XPath is outside the safe subset" in result.stderr and f"m.toml, line {line}" in result.stderr
    assert f"第{line}行" in result.stderr and english in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


# ------------------------------------------------------------------------------------------------ nesting


def _nested(depth: int, inner: str = "1 = 1") -> str:
    """``NSRMC[...]`` with ``depth`` levels of nesting in all: the predicate and depth - 1 parentheses."""
    return "NSRMC[" + "(" * (depth - 1) + inner + ")" * (depth - 1) + "]"


def test_nesting_up_to_the_bound_compiles_and_evaluates() -> None:
    record = etree.fromstring("<JL><NSRMC>甲</NSRMC><NSRMC>乙</NSRMC></JL>")
    assert list(compile_path(_nested(MAX_NESTING)).values(record)) == ["甲", "乙"]
    path = "NSRMC[" + "not(" * (MAX_NESTING - 1) + "@x" + ")" * (MAX_NESTING - 1) + "]"  # not() nests too
    assert list(compile_path(path).values(record)) == ["甲", "乙"]


@pytest.mark.parametrize("expression", [
    _nested(MAX_NESTING + 1),
    "NSRMC[" + "not(" * MAX_NESTING + "@x" + ")" * MAX_NESTING + "]",
    "NSRMC[" + "(" * 489 + "1" + ")" * 489 + "]",  # deep enough for Python's recursion limit
    "NSRMC[" + "(" * 100_000,  # unbalanced: refused at the bound, before the missing ')' is seen
])
def test_deeper_nesting_is_refused_by_name(expression: str) -> None:
    with pytest.raises(UnsafePath) as caught:
        compile_path(expression)
    assert caught.value.en == f"predicates, parentheses and not() nest more than {MAX_NESTING} deep"
    assert f"超过{MAX_NESTING}层" in caught.value.zh


def test_a_deeply_nested_path_in_a_mapping_file_exits_2_at_its_line(tmp_path: Path) -> None:
    text = mapping('"' + _nested(490) + '"')
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, "m.toml")
    assert (caught.value.code, caught.value.line) == ("mapping.xpath", 10)
    assert_mapping_error(convert(tmp_path, text), 10, f"nest more than {MAX_NESTING} deep")


# ------------------------------------------------------------------------------------------ characters XML refuses


@pytest.mark.parametrize(("expression", "point", "position"), [
    ("NSRMC[@a='\x01']", "U+0001", 11),
    ('NSRMC[. = "\x00"]', "U+0000", 12),
    ("NSRMC[@a = 'x\ufffe']", "U+FFFE", 14),
    ("NSRMC\x1c", "U+001C", 6),  # Python's str.strip() took it for a blank; lxml refuses it
    ("NSRMC[\x1f1]", "U+001F", 7),
])
def test_a_character_xml_refuses_in_a_path_is_named(expression: str, point: str, position: int) -> None:
    with pytest.raises(UnsafePath) as caught:
        compile_path(expression)
    assert caught.value.en == (f"character {position} of the path ({point}) is one XML does not allow (a control "
                               "character or the like)")
    assert point in caught.value.zh and f"第{position}个字符" in caught.value.zh


def test_a_character_xml_refuses_in_a_namespace_uri_is_named() -> None:
    with pytest.raises(UnsafePath, match=r"character 5 of the URI of namespace 'a' \(U\+0000\)"):
        compile_path("a:NSRMC[1]", {"a": "urn:\x00"})
    with pytest.raises(UnsafePath, match=r"the URI of namespace 'a' \(U\+0001\)"):
        compile_path("a:NSRMC", {"a": "urn:\x01"})  # a simple path too: it could never match
    with pytest.raises(UnsafePath, match=r"the URI of namespace 'b' \(U\+0001\)"):
        compile_record_path("/NSXYPJ/JL", {"a": "urn:a", "b": "urn:\x01"})  # the table, used or not
    # a path is handed to lxml with the namespaces it uses only
    assert compile_path("NSRMC[1]", {"a": "urn:\x00"}).compiled is not None


@pytest.mark.parametrize(("source", "namespaces", "lines", "english"), [
    ('"NSRMC[@a=\'\\u0001\']"', "", [10], "character 11 of the path (U+0001)"),
    ('"NSRMC[. = \'\\u0000\']"', "", [10], "character 12 of the path (U+0000)"),
    # the namespaces table is checked with the record path (line 6), a path with the namespaces it uses
    ('"a:NSRMC[1]"', 'namespaces = { a = "urn:\\u0000" }', [6, 10], "the URI of namespace 'a' (U+0000)"),
    ('"NSRMC[1]"', 'namespaces = { a = "urn:\\u0000" }', [6], "the URI of namespace 'a' (U+0000)"),
])
def test_control_characters_in_a_mapping_file_exit_2_at_their_line(tmp_path: Path, source: str, namespaces: str,
                                                                    lines: list[int], english: str) -> None:
    text = mapping(source, namespaces=namespaces)
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, "m.toml")
    assert [(problem.code, problem.line) for problem in caught.value.problems] == [("mapping.xpath", line)
                                                                                   for line in lines]
    assert_mapping_error(convert(tmp_path, text), lines[0], english)  # the first, and how many more


# ------------------------------------------------------------------------------------------------ XML 1.0 names

#: XML 1.0 (fifth edition) NameStartChar and NameChar ranges: each is tried at and beside its ends.
_NAME_RANGES = [(0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x2FF), (0x370, 0x37D),
                (0x37F, 0x1FFF), (0x200C, 0x200D), (0x2070, 0x218F), (0x2C00, 0x2FEF), (0x3001, 0xD7FF),
                (0xF900, 0xFDCF), (0xFDF0, 0xFFFD), (0x10000, 0xEFFFF),
                (0x2D, 0x2E), (0x30, 0x39), (0xB7, 0xB7), (0x300, 0x36F), (0x203F, 0x2040)]
_EDGES = sorted({point for low, high in _NAME_RANGES for point in (low - 1, low, high, high + 1)
                 if 0x20 <= point <= 0x10FFFF and not 0xD800 <= point <= 0xDFFF and chr(point) not in "/:"})


def _xml_reads(name: str) -> bool:
    try:
        etree.fromstring(f"<{name}/>")
    except etree.XMLSyntaxError:
        return False
    return True


def _we_read(name: str) -> bool:
    try:
        compile_record_path(f"/{name}")
    except UnsafePath:
        return False
    return True


@pytest.mark.parametrize("point", _EDGES, ids=lambda point: f"U+{point:04X}")
def test_names_are_xml_names_as_the_xml_parser_reads_them(point: int) -> None:
    first, inner = f"{chr(point)}b", f"a{chr(point)}b"
    assert (_we_read(first), _we_read(inner)) == (_xml_reads(first), _xml_reads(inner))


ASTRAL = ('<?xml version="1.0" encoding="UTF-8"?>\n<根𠮷 xmlns:p="urn:p"><JL><NSRSBH>91350100M000100Y43</NSRSBH>'
          '<名称 𐀀="1">甲</名称><名称 𐀀="2">某某科技有限公司</名称><p:㐀𠀀 𐀀="1">x</p:㐀𠀀></JL></根𠮷>\n')


@pytest.mark.parametrize(("expression", "values"), [
    ("p:㐀𠀀", ["x"]),                       # a simple path: the walk
    ("名称/@𐀀", ["1", "2"]),
    ("名称[@𐀀 = '2']", ["某某科技有限公司"]),  # with predicates: lxml, whose XPath reads fourth-edition names
    ("名称[last()]/@𐀀", ["2"]),
    ("p:㐀𠀀[1]", ["x"]),
    ("p:㐀𠀀[@𐀀]/@𐀀", ["1"]),
    ("名称[. = '甲']/@𐀀", ["1"]),
    ("名称[not(@𐀀 = 1)]/text()", ["某某科技有限公司"]),
])
def test_names_beyond_the_basic_multilingual_plane_are_mappable(expression: str, values: list[str]) -> None:
    record = etree.fromstring(ASTRAL.encode("utf-8"))[0]
    assert list(compile_path(expression, {"p": "urn:p"}).values(record)) == values
    assert compile_record_path("/根𠮷/JL").steps == ("根𠮷", "JL")


def test_an_export_with_such_names_converts(tmp_path: Path) -> None:
    from creditstd.convert import ConvertedChunk, convert_source

    sample = tmp_path / "export.xml"
    sample.write_text(ASTRAL, encoding="utf-8")
    text = ('spec = 1\nname = "t"\nclass = "credit_rating"\n[source]\nformat = "xml"\nrecord = "/根𠮷/JL"\n'
            'namespaces = { p = "urn:p" }\n[[fields]]\ntarget = "subject_name"\nsource = "名称[@𐀀 = \'2\']"\n'
            '[[fields]]\ntarget = "uscc"\nsource = "NSRSBH"\n[[fields]]\ntarget = "document_number"\n'
            'source = "p:㐀𠀀"\n')
    chunks = list(convert_source(parse_mapping(text, "m.toml"), str(sample)))
    assert all(isinstance(chunk, ConvertedChunk) for chunk in chunks)
    assert [row for chunk in chunks if isinstance(chunk, ConvertedChunk) for row in chunk.batch.to_pylist()] == [
        {"subject_name": "某某科技有限公司", "uscc": "91350100M000100Y43", "document_number": "x"}]


def test_the_xml_prefix_is_predeclared() -> None:
    record = etree.fromstring('<JL xml:lang="zh"><BZ xml:lang="en">x</BZ><BZ xml:lang="fr">y</BZ></JL>')
    assert list(compile_path("@xml:lang").values(record)) == ["zh"]
    assert list(compile_path("BZ[@xml:lang = 'fr']").values(record)) == ["y"]
    declared = {"xml": "http://www.w3.org/XML/1998/namespace"}
    assert list(compile_path("BZ/@xml:lang", declared).values(record)) == ["en", "fr"]
    with pytest.raises(UnsafePath, match=r"the prefix 'xml' stands for http://www\.w3\.org/XML/1998/namespace only"):
        compile_path("@xml:lang", {"xml": "urn:x"})
    with pytest.raises(UnsafePath, match="prefix 'xmlx' is not declared"):
        compile_path("@xmlx:lang")
