"""A mapping error that lists a file's headers does not print a headerless file's first record.

``creditstd convert`` on a CSV with no header row takes the first record for the headers; a mapped column then
missing is an error listing "the headers", which printed a person's name, phone number and case in full unless
a cell was an ID number, a USCC or a date.  Now a row that holds what a header does not (a phone number, an
amount, a case number's year, a run of digits), or, given the mapping, of which no cell is a source it names or
a field of its class, is shown masked cell by cell (first character kept); a genuine header row with a typo in
the mapping is still shown in clear, so that the steward can fix the mapping.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from creditstd.cli import main
from creditstd.convert.engine import _shown_headers, resolve_columns
from creditstd.convert.mapping import MappingError, parse_mapping

MAPPING = """spec = 1
name = "t"
class = "judicial_judgement"
[source]
format = "csv"
[[fields]]
target = "subject_name"
source = "被执行人姓名"
"""
RECORD = "王小明,（2024）京0105执123号,北京市朝阳区人民法院,2万元,13800138000"
IN_CLEAR = ("王小明", "13800138000", "京0105执123号", "北京市朝阳区人民法院", "2万元")


def run(tmp_path: Path, first_line: str) -> tuple[int, str]:
    data = tmp_path / "h.csv"
    data.write_text(first_line + "\n" + RECORD + "\n", encoding="utf-8")
    mapping = tmp_path / "hm.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    result = CliRunner().invoke(main, ["convert", str(data), "--mapping", str(mapping), "--dry-run"])
    return result.exit_code, result.output + result.stderr


def test_a_headerless_files_first_record_is_shown_masked(tmp_path: Path) -> None:
    code, output = run(tmp_path, RECORD)
    assert code == 2 and "被执行人姓名" in output
    assert not [text for text in IN_CLEAR if text in output], output
    assert "(the headers are: 王**、（***************、北*********、2**、1**********)" in output


def test_a_header_row_with_a_typo_is_shown_in_clear(tmp_path: Path) -> None:
    code, output = run(tmp_path, "被执行人性名,案号,执行法院,执行标的（万元）,联系电话")
    assert code == 2
    assert "(the headers are: 被执行人性名、案号、执行法院、执行标的（万元）、联系电话)" in output


@pytest.mark.parametrize("row", [
    ["王小明", "13800138000"],                     # a mobile number
    ["王小明", "138-0013-8000"],                   # written in groups
    ["王小明", "０５９１８７６５４３２"],             # full-width digits
    ["某公司", "罚款2,000.00元"],                   # an amount
    ["某公司", "￥200"],                            # after a currency sign
    ["某公司", "人民币 3 万"],
    ["某公司", "〔2021〕2403号"],                    # a document's year
])
def test_a_row_holding_what_no_header_holds_is_masked(row: list[str]) -> None:
    shown = _shown_headers(row)
    assert all(cell == text[0] + "*" * (len(text) - 1) for cell, text in zip(shown, row, strict=True)), shown


@pytest.mark.parametrize("row", [
    ["纳税人名称", "纳税人识别号", "评价年度"],
    ["CF_XDR_MC", "CF_WSH", "column_3"],
    ["罚款金额（万元）", "处罚决定日期", "2024年度评价结果"],
    ["BZXRMC", "AH", "ZXBD"],                      # vendor abbreviations: nothing to recognise, kept
])
def test_header_rows_are_shown_in_clear(row: list[str]) -> None:
    assert _shown_headers(row) == row


def test_given_the_mapping_a_row_naming_nothing_it_or_the_catalogue_knows_is_masked() -> None:
    spec = parse_mapping(MAPPING, "hm.toml")
    assert _shown_headers(["王小明", "北京市朝阳区人民法院"], spec) == ["王**", "北*********"]
    typo = ["被执行人性名", "案号", "BZXRMC"]  # 案号 names a field of the class: a header row
    assert _shown_headers(typo, spec) == typo
    vendor = parse_mapping(MAPPING.replace("被执行人姓名", "BZXRMC") + '[[fields]]\ntarget = "case_number"\n'
                                                                       'source = "AH"\n', "v.toml")
    assert _shown_headers(["BZXRMX", "AH"], vendor) == ["BZXRMX", "AH"]  # a source the mapping names


def test_show_pii_shows_the_headers_as_they_are() -> None:
    assert _shown_headers(RECORD.split(","), show_pii=True) == RECORD.split(",")
    assert _shown_headers(["证件号码 431025198812090676"], show_pii=True) == ["证件号码 431025198812090676"]
    assert _shown_headers(["证件号码 431025198812090676"]) == ["证" + "*" * 22]


def test_resolve_columns_masks_the_headers_of_a_headerless_file() -> None:
    spec = parse_mapping(MAPPING, "hm.toml")
    with pytest.raises(MappingError) as caught:
        resolve_columns(spec, RECORD.split(","), "h.csv")
    text = str(caught.value)
    assert "hm.toml" in text and "h.csv" in text and not [item for item in IN_CLEAR if item in text], text
