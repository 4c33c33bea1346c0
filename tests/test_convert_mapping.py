"""Mapping files: the schema, errors that point at the line of the offending entry, the safe XPath subset."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomllib
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from lxml import etree

from creditstd.convert.mapping import MappingError, load_mapping, mapping_schema, parse_mapping
from creditstd.convert.toml_lines import line_map, locate
from creditstd.convert.xpath import UnsafePath, compile_path, compile_record_path, element_value

HEAD = 'spec = 1\nname = "t"\nclass = "administrative_penalty"\n\n[source]\nformat = "csv"\n\n'
XML_HEAD = ('spec = 1\nname = "t"\nclass = "administrative_penalty"\n\n[source]\nformat = "xml"\n'
            'record = "/Records/Record"\n\n')


def rule(target: str, body: str) -> str:
    return f"[[fields]]\ntarget = \"{target}\"\n{body}\n\n"


# ------------------------------------------------------------------------------------------------ the locator


LOCATOR_TEXT = '''# a comment with [brackets] and "quotes"
title = "a ] string [ with brackets"
"quoted key" = 1
dotted.key.here = 'x'

[source]  # trailing comment
format = "xml"
namespaces = { a = "urn:a", "b.c" = "urn:b" }

[[fields]]
target = "one"
transforms = ["trim", { name = "split", separators = [",", "]"] }]

[[fields]]
target = "two"
note = """multi
line ] [[fields]]
string"""
transforms = [
  "trim",   # first
  # a comment line
  { name = "date", formats = [
    "iso"] },
  'lower',
]

[[fields.extra]]
x = 1

[[fields.extra]]
x = 2

[deep.table]
value = 3
'''


def _leaves(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _leaves(value, (*path, index))


def test_every_entry_of_a_tricky_document_has_its_line() -> None:
    data = tomllib.loads(LOCATOR_TEXT)
    lines = line_map(LOCATOR_TEXT)
    text_lines = LOCATOR_TEXT.splitlines()
    for path in _leaves(data):
        assert path in lines, path
        if path and isinstance(path[-1], str):
            key = path[-1].split(".")[-1]
            assert key in text_lines[lines[path] - 1], (path, lines[path])
    assert lines[("fields", 1, "transforms", 1)] == 22 and lines[("fields", 1, "transforms", 1, "formats", 0)] == 23
    assert lines[("fields", 1, "transforms", 2)] == 24 and lines[("fields", 1, "note")] == 16
    assert lines[("fields", 1, "extra", 1, "x")] == 31 and lines[("fields", 0, "transforms", 1, "separators", 1)] == 12
    assert locate(LOCATOR_TEXT, ("fields", 1, "no_such_key")) == 14
    assert locate(LOCATOR_TEXT, ("nothing", "at", "all")) == 1


_KEYS = st.text(alphabet="abcxyz_", min_size=1, max_size=6)
_SCALARS = st.one_of(st.text(alphabet='ab ]["\\\'#,{}=\n中', max_size=8), st.integers(-5, 5), st.booleans())


def _toml_value(value: Any, inline_multiline: bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {_toml_value(item, False)}" for key, item in value.items()) + " }"
    separator = ",\n  " if inline_multiline else ", "
    return "[" + separator.join(_toml_value(item, False) for item in value) + "]"


_VALUES = st.one_of(_SCALARS, st.lists(_SCALARS, max_size=3), st.dictionaries(_KEYS, _SCALARS, max_size=2))


@given(st.lists(st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=4), min_size=1, max_size=4),
       st.booleans())
@settings(deadline=None, max_examples=150)
def test_the_locator_finds_every_entry_of_generated_documents(tables: list[dict[str, Any]], multiline: bool) -> None:
    text = ""
    for table in tables:
        text += "\n[[fields]]  # a rule\n"
        for key, value in table.items():
            text += f"{key} = {_toml_value(value, multiline)}\n"
    data = tomllib.loads(text)
    lines = line_map(text)
    rows = text.splitlines()
    for path in _leaves(data):
        assert path in lines, path
        if len(path) == 3:
            assert rows[lines[path] - 1].startswith(f"{path[2]} ="), (path, text)


# ------------------------------------------------------------------------------------------------ the schema


def test_the_schema_is_draft_2020_12_and_documents_every_entry() -> None:
    schema = mapping_schema()
    Draft202012Validator.check_schema(schema)
    documented = 0
    for node in (schema, *schema["$defs"].values()):
        for name, sub in node.get("properties", {}).items():
            if isinstance(sub, dict) and name != "name":
                assert (sub.get("description") and sub.get("x-description-zh")) or "$ref" in sub, name
                documented += 1
    assert documented >= 25


# ---------------------------------------------------------------------------------------------- errors and their lines


@pytest.mark.parametrize(("text", "line", "code", "english"), [
    (HEAD + rule("decision_number", 'source = "CF_WSH"\ncolumn = "x"'), 11, "mapping.schema", "unknown key 'column'"),
    (HEAD + rule("decision_number", 'source = "CF_WSH"') + rule("decision_date", 'source = "CF_JDRQ"\n'
     'transforms = [\n  "trim",\n  { name = "date", formats = ["iso", "american"] },\n]'),
     17, "mapping.schema", "must be one of"),
    (HEAD + rule("decision_number", 'source = "CF_WSH"') + rule("fine_amount", 'source = "CF_NR_FK"\n'
     'transforms = [{ name = "amount", unit = "美元" }]'), 15, "mapping.schema", "the unit must be"),
    (HEAD + rule("decision_number", 'source = "CF_WSH"\nconst = "x"'), 8, "mapping.schema", "exactly one of source"),
    (HEAD + rule("decision_number", ""), 8, "mapping.schema", "exactly one of source"),
    (HEAD + rule("decision_number", 'source = "CF_WSH"\ntransforms = ["trim", "rot13"]'), 11, "mapping.schema",
     "no such transform"),
    (HEAD + rule("decision_numbr", 'source = "CF_WSH"'), 9, "mapping.field", "has no field 'decision_numbr'"),
    (HEAD + rule("decision_number", 'source = "CF_WSH"') + rule("decision_number", 'source = "文号"'), 13,
     "mapping.duplicate", "already mapped on line 8"),
    (HEAD + rule("penalty_types", 'source = "CF_CFLB"'), 8, "mapping.cardinality", "is a list"),
    (HEAD + rule("penalty_types", 'source = "CF_CFLB"\nmany = true'), 11, "mapping.cardinality", "a CSV/TSV/XLSX cell"),
    (HEAD + rule("decision_number", 'source = "CF_WSH"\ntransforms = [{ name = "split", separators = [","] }]'), 8,
     "mapping.cardinality", "holds one value but the rule gives a list"),
    (HEAD + rule("penalty_types", 'source = "CF_CFLB"\ndefault = "警告"\n'
     'transforms = [{ name = "split", separators = ["；"] }]'), 11, "mapping.cardinality", "default must be a list"),
    (HEAD + rule("decision_number", 'source = "CF_WSH"\ntransforms = [{ name = "lookup", code_table = "nope" }]'),
     11, "mapping.transform", "no such code table"),
    (HEAD + rule("subject_name", 'source = "x"\ntransforms = [{ name = "amount" }]'), 11, "mapping.transform",
     "has no unit"),
    (HEAD.replace('class = "administrative_penalty"', 'class = "penalties"') + rule("a", 'source = "b"'), 3,
     "mapping.class", "no record class 'penalties'"),
    (HEAD.replace('format = "csv"', 'format = "csv"\nrecord = "/a/b"') + rule("subject_name", 'source = "b"'), 7,
     "mapping.schema", "does not apply here"),
    (HEAD.replace('format = "csv"', 'format = "csv"\nsheet = "处罚"') + rule("subject_name", 'source = "b"'), 7,
     "mapping.schema", "does not apply here"),
    (HEAD.replace('format = "csv"', 'format = "xml"') + rule("subject_name", 'source = "b"'), 5, "mapping.schema",
     "missing required key 'record'"),
    (HEAD + "[[fields]]\ntarget = \"subject_name\"\nsource = \"a\n", 10, "mapping.syntax", "not valid TOML"),
    (HEAD.replace("spec = 1", "spec = 2") + rule("subject_name", 'source = "b"'), 1, "mapping.schema",
     "must be one of"),
    (HEAD, 1, "mapping.schema", "missing required key 'fields'"),
    (XML_HEAD + rule("subject_name", 'source = "../Header/Name"'), 11, "mapping.xpath", "'..' is not allowed"),
    (XML_HEAD.replace('"/Records/Record"', '"Records/Record"') + rule("subject_name", 'source = "a"'), 7,
     "mapping.xpath", "a record path is"),
])
def test_a_broken_mapping_is_reported_at_the_line_of_the_offending_entry(text: str, line: int, code: str,
                                                                         english: str) -> None:
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, "broken.toml")
    problem = caught.value.problems[0]
    assert (problem.code, problem.line) == (code, line), (problem, text.splitlines()[line - 1:line])
    assert english in problem.message_en and problem.message_zh != problem.message_en
    assert "broken.toml" in problem.message_en and "broken.toml" in problem.message_zh
    assert str(line) in problem.message_en and f"第{line}行" in problem.message_zh
    assert caught.value.code == code and caught.value.file == "broken.toml" and caught.value.line == line


@pytest.mark.parametrize(("tail", "reason"), [
    ("[" + ".".join(["a"] * 50_000) + "]\n", "more than 64 dotted parts"),  # quadratic in tomllib and the locator
    ("[" + ".".join(['"a"'] * 65) + "]\n", "more than 64 dotted parts"),
    ("x = " + "[" * 500 + "]" * 500 + "\n", "nested too deeply"),  # tomllib recurses
    ("x = " + "{a=" * 5_000 + "1" + "}" * 5_000 + "\n", "nested too deeply"),
])
def test_a_mapping_built_to_exhaust_the_parser_is_refused_at_once(tail: str, reason: str) -> None:
    text = 'spec = 1\nname = "x"\nclass = "administrative_penalty"\n' + tail
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, "hostile.toml")
    problem = caught.value.problems[0]
    assert problem.code == "mapping.syntax" and reason in problem.message_en
    assert problem.line == (4 if "dotted" in reason else 1)
    assert line_map(text)  # the locator gives up cleanly too


def test_a_key_of_64_parts_is_still_toml() -> None:
    with pytest.raises(MappingError) as caught:
        parse_mapping('spec = 1\n[' + ".".join(["a"] * 64) + "]\n", "deep.toml")
    assert caught.value.problems[0].code == "mapping.schema"  # read, then refused by the schema


def test_all_problems_are_reported_at_once_in_line_order() -> None:
    text = HEAD + rule("decision_number", 'source = "CF_WSH"\nbogus = 1') + rule("decision_date", 'source = "x"\n'
                                                                                'transforms = ["nope"]')
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, "m.toml")
    assert [problem.line for problem in caught.value.problems] == [11, 16]
    assert "and 1 more" in caught.value.message_en


def test_an_error_at_the_end_of_a_long_mapping_is_reported_at_its_line() -> None:
    """A lookup table of 20,000 labels (a department's own code list), then a mistake: the locator finds the line
    of every entry (it searched the line feeds from the start for each one, in time quadratic in the text)."""
    labels = "".join(f'"标签{number:05d}" = "代码{number:05d}"\n' for number in range(20_000))
    text = (HEAD + '[[fields]]\ntarget = "decision_number"\nsource = "CF_WSH"\n\n[[fields.transforms]]\n'
            'name = "lookup"\n\n[fields.transforms.table]\n' + labels +
            '\n[[fields]]\ntarget = "decision_date"\nsource = "CF_JDRQ"\nbogus = 1\n')
    rows = text.splitlines()
    assert len(rows) > 20_000 and rows[-1] == "bogus = 1"
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, "long.toml")
    [problem] = caught.value.problems
    assert (problem.code, problem.line) == ("mapping.schema", len(rows)) and "unknown key 'bogus'" in problem.message_en
    lines = line_map(text)
    first = rows.index('"标签00000" = "代码00000"') + 1
    for number in (0, 1, 9_999, 19_999):
        assert lines[("fields", 0, "transforms", 0, "table", f"标签{number:05d}")] == first + number
    assert lines[("fields", 1)] == len(rows) - 3

def test_load_mapping_reads_files_and_refuses_what_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text(HEAD + rule("subject_name", 'source = "名称"'), encoding="utf-8")
    assert load_mapping(path).fields[0].source == "名称"
    path.write_bytes((HEAD + rule("subject_name", 'source = "名称"')).encode("gbk"))
    with pytest.raises(MappingError, match="UTF-8") as caught:
        load_mapping(path)
    assert caught.value.line == 10
    with pytest.raises(MappingError) as missing:
        load_mapping(tmp_path / "none.toml")
    assert missing.value.code == "mapping.unreadable"
    path.write_bytes(b"# " + b"x" * (1 << 20) + b"\n")
    with pytest.raises(MappingError, match="larger than"):
        load_mapping(path)


def _with_encoding(fmt: str, encoding: str) -> str:
    """A mapping of format ``fmt`` whose ``encoding`` entry is on line 7."""
    head = XML_HEAD if fmt == "xml" else HEAD.replace('format = "csv"', f'format = "{fmt}"')
    text = head.replace(f'format = "{fmt}"\n', f'format = "{fmt}"\nencoding = "{encoding}"\n')
    assert text.splitlines()[6] == f'encoding = "{encoding}"'
    return text + rule("subject_name", 'source = "b"')


@pytest.mark.parametrize("fmt", ["csv", "tsv", "xml"])
@pytest.mark.parametrize("encoding", ["x-unknown", "utf-9", "base64", "rot13", "zlib", "undefined"])
def test_an_encoding_that_cannot_be_used_is_a_mapping_error_at_its_line(fmt: str, encoding: str) -> None:
    """Not left to the first input to fail (as "x1.xml: not well-formed XML (unknown encoding ...)")."""
    with pytest.raises(MappingError) as caught:
        parse_mapping(_with_encoding(fmt, encoding), "m.toml")
    problem = caught.value.problems[0]
    assert (problem.code, problem.line, caught.value.file) == ("mapping.encoding", 7, "m.toml")
    assert problem.message_en == (f"m.toml, line 7: the encoding {encoding!r} cannot be used (unknown, or not a "
                                  "text encoding: use e.g. utf-8, gb18030, gbk or utf-16)")
    assert problem.message_zh.startswith(f"m.toml 第7行：无法使用编码“{encoding}”（未知的编码")


def test_an_encoding_of_an_xlsx_mapping_is_refused_at_its_line() -> None:
    with pytest.raises(MappingError) as caught:
        parse_mapping(_with_encoding("xlsx", "x-unknown"), "m.toml")
    assert (caught.value.code, caught.value.line) == ("mapping.schema", 7)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "xml"])
@pytest.mark.parametrize("encoding", ["utf-8", "UTF-8", "utf8", "utf-8-sig", "gbk", "GBK", "gb2312", "gb18030",
                                      "cp936", "utf-16", "utf-16le", "big5", "latin-1", "iso-8859-1", "cp1252"])
def test_the_encodings_in_use_are_accepted(fmt: str, encoding: str) -> None:
    assert parse_mapping(_with_encoding(fmt, encoding), "m.toml").source.encoding == encoding


@pytest.mark.parametrize("encoding", ["x-gbk", "windows-936", "GB_2312-80"])
def test_the_gb_names_xml_reads_as_gb18030_are_accepted_for_xml(encoding: str) -> None:
    assert parse_mapping(_with_encoding("xml", encoding), "m.toml").source.encoding == encoding


def test_an_encoding_python_reads_but_the_xml_parser_does_not_is_refused_for_xml() -> None:
    """libxml2 reads XML; a code page it does not know is a mapping error for XML, and fine for CSV."""
    assert parse_mapping(_with_encoding("csv", "cp437"), "m.toml").source.encoding == "cp437"
    with pytest.raises(MappingError) as caught:
        parse_mapping(_with_encoding("xml", "cp437"), "m.toml")
    assert (caught.value.code, caught.value.line) == ("mapping.encoding", 7)
    assert "the XML parser (libxml2) cannot read it" in caught.value.message_en
    assert "XML 解析器（libxml2）不支持该编码" in caught.value.message_zh


def test_a_mapping_cannot_execute_code_or_read_files() -> None:
    # TOML has no includes and no tags; every way a value could name another file or code is refused
    for body, code in [
        ('source = "document(\'/etc/passwd\')"', "mapping.xpath"),
        ('source = "unparsed-text(\'/etc/passwd\')"', "mapping.xpath"),
        ('source = "Name[str:tokenize(., \',\')]"', "mapping.xpath"),
        ('source = "exsl:node-set(Name)"', "mapping.xpath"),
        ('source = "dyn:evaluate(\'document(1)\')"', "mapping.xpath"),
        ('source = "php:function(\'system\', \'id\')"', "mapping.xpath"),
        ('source = "Name[re:test(., \'a\')]"', "mapping.xpath"),
        ('source = "/etc/passwd"', "mapping.xpath"),
        ('source = "//Name"', "mapping.xpath"),
        ('source = "ancestor::Records/Header"', "mapping.xpath"),
        ('source = "$secret"', "mapping.xpath"),
        ('source = "Name"\ntransforms = [{ name = "lookup", code_table = "../../etc/passwd" }]', "mapping.schema"),
        ('source = "Name"\ntransforms = [{ name = "eval", code = "1" }]', "mapping.schema"),
    ]:
        with pytest.raises(MappingError) as caught:
            parse_mapping(XML_HEAD + rule("subject_name", body), "m.toml")
        assert caught.value.code == code and caught.value.line in (11, 12), body
    with pytest.raises(MappingError):
        parse_mapping(XML_HEAD.replace('format = "xml"', 'format = "xml"\nencoding = "../../x"') +
                      rule("subject_name", 'source = "a"'), "m.toml")


def test_a_complete_mapping_compiles() -> None:
    text = XML_HEAD.replace('record = "/Records/Record"', 'record = "/d:Records/d:Record"\n'
                            'namespaces = { d = "urn:x" }') + "".join([
        rule("subject_name", 'source = "d:MC"\ntransforms = ["trim"]'),
        rule("subject_category", 'source = "d:SHXYM"\ntransforms = ["subject_category"]'),
        rule("uscc", 'source = "d:SHXYM"\ntransforms = ["identifier"]'),
        rule("penalty_types", 'source = "d:CFLB/d:Item"\nmany = true'),
        rule("fine_amount", 'source = "d:FK/@value"\ntransforms = [{ name = "amount", unit = "元" }]'),
        rule("decision_date", 'source = "d:JDRQ"\ntransforms = [{ name = "date", formats = ["yyyymmdd", "excel"] }]'),
        rule("remarks", 'source = "d:BZ/d:P"\nmany = true\ntransforms = [{ name = "join", separator = "\\n" }]'),
        rule("data_source", 'const = "某市市场监督管理局"'),
    ])
    spec = parse_mapping(text, "m.toml")
    assert spec.source.record is not None and spec.source.record.tag == "{urn:x}Record"
    by_target = {field.target: field for field in spec.fields}
    assert by_target["penalty_types"].is_array and by_target["penalty_types"].many
    assert by_target["fine_amount"].chain.apply("2000") == "0.2"  # to 万元: the catalogue field's unit
    assert by_target["remarks"].chain.apply(["a", "b"]) == "a\nb"
    assert by_target["data_source"].const == "某市市场监督管理局"
    assert by_target["subject_category"].line == spec.line_of(("fields", 1))
    assert by_target["uscc"].personal is False and by_target["subject_name"].personal


def test_lookup_gives_what_the_target_field_stores() -> None:
    text = HEAD.replace("administrative_penalty", "credit_rating") + "".join([
        rule("scheme", 'source = "方案"\ntransforms = [{ name = "lookup", code_table = "credit_grade_schemes" }]'),
        rule("grade", 'source = "等级"\ntransforms = [{ name = "lookup", code_table = "credit_grade_schemes.tax" }]'),
        rule("subject_category",
             'source = "类别"\ntransforms = [{ name = "lookup", code_table = "subject_category" }]'),
    ])
    fields = parse_mapping(text).fields
    assert fields[0].chain.apply("纳税信用等级") == "tax"        # the scheme field holds codes
    assert fields[1].chain.apply("A级") == "A"
    assert fields[2].chain.apply("02") == "法人及非法人组织"     # the category field holds Chinese names


# ------------------------------------------------------------------------------------------------ the XPath subset


@pytest.mark.parametrize("expression", [
    "document('x')", "unparsed-text('/etc/passwd')", "doc('x')", "collection()", "str:tokenize(a)", "exsl:node-set(a)",
    "a[re:test(., 'x')]", "dyn:evaluate('1')", "php:function('f')", "a[count(b) = 1]", "a[string-length(.) > 1]",
    "concat(a, b)", "..", "../a", "a/..", "parent::a", "ancestor::a", "descendant::a", "following-sibling::a",
    "self::node()", "//a", "/a", "a//b", "$x", "a[$x]", "a | b", "a/", "", "a[", "a[@b = ]", "a b", "a[@b = 'x'",
    "p:a", "comment()", "node()", "processing-instruction()", "@*", "a[*]", "-1", "a[1 + 1]",
])
def test_the_xpath_subset_refuses_everything_but_reading(expression: str) -> None:
    with pytest.raises(UnsafePath) as caught:
        compile_path(expression)
    assert caught.value.zh and caught.value.en


@pytest.mark.parametrize("expression", [
    "a", "a/b", "*", "a/*", "@id", "a/@id", "a/text()", "text()", ".", "ns:a/ns:b", "ns:a/@ns:c", "处罚信息/文号",
    "a[1]", "a[last()]", "a[position() < 3]", "a[@t = '1']", "a[@t != \"1\"]", "a[@t]", "a[not(@t)]",
    "a[@t = '1' and @u = '2']", "a[b = 'x' or c = 'y']", "a[(b = 'x')]", "a[. = 'x']", "a[text() = 'x']",
    "a[1]/b[@c = '2']/@d", "a[ns:b = '1']",
])
def test_the_xpath_subset_accepts_what_mappings_need(expression: str) -> None:
    path = compile_path(expression, {"ns": "urn:x"})
    record = etree.fromstring("<r xmlns:ns='urn:x'><a t='1'><b>x</b></a></r>")
    list(path.values(record))  # evaluates


def test_record_paths() -> None:
    assert compile_record_path("//Record").anywhere and compile_record_path("/*/Record").tag == "Record"
    for bad in ("Record", "/Records/Record[1]", "//a/b", "/a/@b", "/a//b", "//*", "/a/p:b", "/"):
        with pytest.raises(UnsafePath):
            compile_record_path(bad)


_TAGS = st.sampled_from(["a", "b", "c"])


@st.composite
def _trees(draw: Any, depth: int = 0) -> str:
    children = draw(st.lists(_trees(depth + 1), max_size=3)) if depth < 3 else []
    tag = draw(_TAGS)
    attributes = draw(st.dictionaries(st.sampled_from(["x", "y"]), st.sampled_from(["1", "2", ""]), max_size=2))
    text = draw(st.sampled_from(["", "t", "某", " s "]))
    shown = "".join(f' {key}="{value}"' for key, value in attributes.items())
    return f"<{tag}{shown}>{text}{''.join(children)}</{tag}>"


@given(_trees(), st.lists(st.sampled_from(["a", "b", "c", "*"]), min_size=1, max_size=3),
       st.sampled_from(["", "/@x", "/text()"]))
@settings(deadline=None, max_examples=300)
def test_the_walk_and_xpath_agree_on_simple_paths(tree: str, steps: list[str], tail: str) -> None:
    record = etree.fromstring(tree)
    expression = "/".join(steps) + tail
    path = compile_path(expression)
    assert path.simple
    found = etree.XPath(expression)(record)
    if tail == "/text()":  # XPath gives one string per text node; the walk one value per element
        expected = ["".join(str(text) for text in found if text.getparent() is element or
                            (text.is_tail and text.getparent().getparent() is element))
                    for element in etree.XPath("/".join(steps))(record)]
        expected = [value for value in expected if value] or []
        assert [value for value in path.values(record) if value] == expected
    else:
        assert list(path.values(record)) == [item if isinstance(item, str) else element_value(item) for item in found]
    predicate = compile_path("/".join([*steps[:-1], steps[-1] + "[1 = 1]"]) + tail)
    assert not predicate.simple
    assert [value for value in predicate.values(record) if value] == [value for value in path.values(record) if value]
