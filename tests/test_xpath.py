"""The safe XPath subset of mapping files (:mod:`creditstd.convert.xpath`) at its edges: whatever a mapping file holds,
a path is compiled or refused as a mapping error (``mapping.xpath``, exit 2), never an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from creditstd.cli import main
from creditstd.convert.mapping import MappingError, parse_mapping
from creditstd.convert.xpath import MAX_NESTING, UnsafePath, compile_path

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
