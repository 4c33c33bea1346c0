"""The conversion engine: synthetic exports (creditstd.records.fake) mapped back to the records they were made from,
checked by the same validation core as ``creditstd validate``."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from creditstd.convert.engine import ConvertedChunk, combine, convert_source, resolve_columns
from creditstd.convert.mapping import MappingError, export_mapping, parse_mapping
from creditstd.records import loader
from creditstd.records.export import write_csv, write_xml
from creditstd.records.fake import fake_records
from creditstd.records.plan import compile_plan, decode_rows, validate_table
from creditstd.sources import RowProblem

ON = date(2026, 11, 30)


def export(tmp_path: Path, class_name: str, fmt: str, count: int, *, error_rate: float = 0.0,
           seed: int = 5) -> tuple[Path, list]:
    records = list(fake_records(class_name, count, seed=seed, error_rate=error_rate, on=ON))
    path = tmp_path / f"{class_name}.{fmt}"
    with open(path, "w", encoding="utf-8", newline="") as stream:
        (write_csv if fmt == "csv" else write_xml)(records, class_name, stream)
    return path, records


def converted(spec_text: str, path: Path, batch_rows: int = 65536) -> list[ConvertedChunk]:
    items = list(convert_source(parse_mapping(spec_text, "m.toml"), str(path), batch_rows=batch_rows))
    assert not [item for item in items if isinstance(item, RowProblem)]
    return [item for item in items if isinstance(item, ConvertedChunk)]


@pytest.mark.parametrize("fmt", ["csv", "xml"])
@pytest.mark.parametrize("class_name", loader.class_names())
def test_synthetic_exports_convert_back_to_their_records_and_validate(tmp_path: Path, class_name: str,
                                                                     fmt: str) -> None:
    path, records = export(tmp_path, class_name, fmt, 120)
    plan = compile_plan(class_name, strict=True, today=ON)
    chunks = converted(export_mapping(class_name, fmt), path, batch_rows=50)
    assert [len(chunk) for chunk in chunks] == [50, 50, 20]
    rows = []
    for chunk in chunks:
        assert not chunk.findings
        result = validate_table(plan, chunk.batch, file=chunk.file, lines=chunk.lines)
        valid, findings = combine(chunk, result)
        assert valid.all(), findings[:3]
        rows += decode_rows(plan, chunk.batch)
    assert rows == [item.record for item in records]  # nothing lost, nothing changed
    assert chunks[0].records.tolist()[:3] == [1, 2, 3]
    if fmt == "csv":
        assert chunks[0].lines.tolist()[:2] == [2, 3]
    else:  # the line of each <Record> start tag, in the indented document write_xml makes
        assert chunks[0].lines[0] == 3 and (np.diff(chunks[0].lines) > 0).all()


@pytest.mark.parametrize("fmt", ["csv", "xml"])
@pytest.mark.parametrize("class_name", loader.class_names())
def test_broken_records_are_the_rejected_ones(tmp_path: Path, class_name: str, fmt: str) -> None:
    """Every breakage ``fake`` makes survives the export (a number written as the string "5" would be a number
    again in a cell: fake writes 约5), and nothing else is rejected (a list of objects is a JSON array cell)."""
    path, records = export(tmp_path, class_name, fmt, 300, error_rate=0.2, seed=9)
    plan = compile_plan(class_name, strict=True, today=ON)
    valid_rows: list[bool] = []
    for chunk in converted(export_mapping(class_name, fmt), path):
        valid, _ = combine(chunk, validate_table(plan, chunk.batch, file=chunk.file, lines=chunk.lines))
        valid_rows += valid.tolist()
    broken = [item.broken is not None for item in records]
    assert sum(broken) > 30
    assert valid_rows == [not flag for flag in broken]


def test_a_departmental_csv_with_every_kind_of_mess(tmp_path: Path) -> None:
    path = tmp_path / "penalties.csv"
    text = ("2024年第一季度行政处罚信息\r\n"
            "当事人名称,统一社会信用代码,处罚决定书文号,违法行为类型,违法事实,处罚依据,处罚类别,处罚内容,罚款金额,"
            "处罚决定日期,处罚机关,处罚机关代码,法定代表人,有效期至\r\n"
            "某某科技有限公司,９１３５０１００ｍ０００１００ｙ４３,罚〔2024〕1号,虚假宣传,经查……,《广告法》,警告、罚款,"
            "罚款2000元,\"2,000元\",2024年3月5日,某市市场监督管理局,11350100MAD18YGF27,李四,2025.3.5\r\n"
            "张三,11010519491231002X,罚〔2024〕2号,无照经营,经查……,《条例》,警告,警告,,2024/3/6,"
            "某市市场监督管理局,11350100MAD18YGF27,,2025/3/6\r\n"
            "某某商店,92350100MARQ283F4G,罚〔2024〕3号,虚假宣传,经查……,《广告法》,罚款,罚款1.5万元,1.5万元,"
            "20240230,某市市场监督管理局,11350100MAD18YGF27,王五,20250301\r\n")
    path.write_bytes(text.encode("gbk"))
    spec = parse_mapping('''spec = 1
name = "city-penalties"
class = "administrative_penalty"

[source]
format = "csv"
encoding = "gbk"

[[fields]]
target = "subject_name"
source = "当事人名称"
transforms = ["trim"]

[[fields]]
target = "subject_category"
source = "统一社会信用代码"
transforms = ["subject_category"]

[[fields]]
target = "uscc"
source = "统一社会信用代码"
transforms = ["identifier"]

[[fields]]
target = "decision_number"
source = "CF_WSH"

[[fields]]
target = "violation_type"
source = "违法行为类型"

[[fields]]
target = "violation_facts"
source = "违法事实"

[[fields]]
target = "legal_basis"
source = "处罚依据"

[[fields]]
target = "penalty_types"
source = "处罚类别"
transforms = [{ name = "split", separators = ["、", "；"] }]

[[fields]]
target = "penalty_content"
source = "处罚内容"

[[fields]]
target = "fine_amount"
source = "罚款金额"
transforms = [{ name = "amount", unit = "元" }]

[[fields]]
target = "decision_date"
source = "处罚决定日期"
transforms = ["date"]

[[fields]]
target = "authority"
source = "处罚机关"

[[fields]]
target = "authority_uscc"
source = "处罚机关代码"

[[fields]]
target = "data_source"
source = "处罚机关"

[[fields]]
target = "data_source_uscc"
source = "处罚机关代码"

[[fields]]
target = "legal_representative"
source = "法定代表人"

[[fields]]
target = "valid_until"
source = "有效期至"
transforms = ["date"]
''', "city.toml")
    items = list(convert_source(spec, str(path)))
    assert len(items) == 1 and isinstance(items[0], ConvertedChunk)
    chunk = items[0]
    batch = chunk.batch.to_pydict()
    assert batch["uscc"][0] == "91350100M000100Y43" and batch["fine_amount"] == ["0.2", None, "1.5"]
    assert batch["subject_category"] == ["法人及非法人组织", "自然人", "个体工商户"]
    assert batch["penalty_types"][0] == "警告；罚款" and batch["decision_date"][:2] == ["2024-03-05", "2024-03-06"]
    assert chunk.lines.tolist() == [3, 4, 5] and chunk.records.tolist() == [1, 2, 3]
    [found] = chunk.findings
    assert (found.code, found.field, found.location.line, found.location.column) == (
        "convert.date", "decision_date", 5, "处罚决定日期")
    assert "past the end of the month" in found.message_en and found.message_zh and found.value == "20240230"
    result = validate_table(compile_plan("administrative_penalty", today=ON), chunk.batch, file=chunk.file,
                            lines=chunk.lines)
    valid, findings = combine(chunk, result)
    # row 2: a natural person needs an ID type and number (the export has none): the catalogue says so
    assert valid.tolist() == [True, False, False]
    assert {item.code for item in findings if item.location.line == 5} == {"convert.date"}  # not also "required"
    assert any(item.location.line == 4 and item.code.startswith("rule.") for item in findings)


def test_personal_values_are_masked_in_findings(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("姓名,证件号码,日期\n张三丰,11010519491231002X,2024-02-30\n", encoding="utf-8")
    spec = parse_mapping('spec = 1\nname = "p"\nclass = "administrative_penalty"\n[source]\nformat = "csv"\n'
                         '[[fields]]\ntarget = "subject_name"\nsource = "姓名"\ntransforms = [{ name = "lookup", '
                         'table = { "x" = "y" } }]\n'
                         '[[fields]]\ntarget = "id_number"\nsource = "证件号码"\ntransforms = ["subject_category", '
                         '{ name = "lookup", table = { "法人及非法人组织" = "x" } }]\n'
                         '[[fields]]\ntarget = "decision_date"\nsource = "日期"\ntransforms = ["date"]\n')
    chunk = next(item for item in convert_source(spec, str(path)) if isinstance(item, ConvertedChunk))
    shown = {item.field: item.value for item in chunk.findings}
    assert shown == {"subject_name": "张**", "id_number": "110105********002X", "decision_date": "2024-02-30"}
    assert all("11010519491231002X" not in (item.message_en + item.message_zh) for item in chunk.findings)


def test_xml_problems_become_findings_and_defaults_fill_gaps(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<Records>\n'
                    '<Record><MC>甲</MC><MC>乙</MC><RQ>2024-03-05</RQ></Record>\n'
                    '<Record><MC>丙</MC><LB><Item>警告</Item></LB></Record>\n'
                    '</Records>\n', encoding="utf-8")
    spec = parse_mapping('spec = 1\nname = "x"\nclass = "administrative_penalty"\n[source]\nformat = "xml"\n'
                         'record = "/Records/Record"\n'
                         '[[fields]]\ntarget = "subject_name"\nsource = "MC"\n'
                         '[[fields]]\ntarget = "decision_date"\nsource = "RQ"\ntransforms = ["date"]\n'
                         'default = "2024-01-01"\n'
                         '[[fields]]\ntarget = "penalty_types"\nsource = "LB/Item"\nmany = true\ndefault = ["其他"]\n'
                         '[[fields]]\ntarget = "data_source"\nconst = "某局"\n')
    [chunk] = list(convert_source(spec, str(path)))
    assert isinstance(chunk, ConvertedChunk)
    assert chunk.batch.to_pydict() == {"subject_name": [None, "丙"], "decision_date": ["2024-03-05", "2024-01-01"],
                                       "penalty_types": ["其他", "警告"], "data_source": ["某局", "某局"]}
    [found] = chunk.findings
    assert (found.code, found.field, found.location.line, found.location.record) == (
        "convert.cardinality", "subject_name", 3, 1)
    assert "2 values" in found.message_en and chunk.failed.tolist() == [True, False]


def test_a_column_the_mapping_names_must_be_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("名称,行政处罚决定书文号\n甲,罚1号\n", encoding="utf-8")
    text = ('spec = 1\nname = "x"\nclass = "administrative_penalty"\n[source]\nformat = "csv"\n'
            '[[fields]]\ntarget = "subject_name"\nsource = "名称"\n'
            '[[fields]]\ntarget = "decision_number"\nsource = "CF_WSH"\n'       # by national code: the Chinese header
            '[[fields]]\ntarget = "decision_date"\nsource = "决定日期"\n')
    with pytest.raises(MappingError) as caught:
        list(convert_source(parse_mapping(text, "m.toml"), str(path)))
    assert caught.value.code == "mapping.column" and caught.value.line == 14
    assert "决定日期" in caught.value.message_en and "a.csv" in caught.value.message_en
    spec = parse_mapping(text.replace("决定日期", "ＣＦ_ＪＤＲＱ"), "m.toml")
    with pytest.raises(MappingError):
        list(convert_source(spec, str(path)))
    spec = parse_mapping(text.rsplit("[[fields]]", 1)[0], "m.toml")
    assert resolve_columns(spec, ["名称", "行政处罚决定书文号"], "a.csv") == ["名称", "行政处罚决定书文号"]
    assert resolve_columns(spec, [" 名 称 ", "cf_wsh"], "a.csv") == [" 名 称 ", "cf_wsh"]


def test_a_record_read_as_the_header_is_masked_whatever_column_its_id_number_is_in() -> None:
    """A file with no header row: its first record is taken for the headers, and the error lists some of
    them; the ID number that shows it is a record may be past the cells listed (column 13 in the 双公示
    layout), and the person's name is masked all the same."""
    spec = parse_mapping('spec = 1\nname = "x"\nclass = "administrative_penalty"\n[source]\nformat = "csv"\n'
                         '[[fields]]\ntarget = "subject_name"\nsource = "CF_XDR_MC"\n', "m.toml")
    record = ["王倩", "自然人", *[""] * 8, "身份证", "", "542526196810249082", "罚1号"]
    with pytest.raises(MappingError) as caught:
        resolve_columns(spec, record, "a.csv")
    assert caught.value.code == "mapping.column"
    assert "王倩" not in str(caught.value) and "王*" in str(caught.value)


def test_row_problems_pass_through_for_the_accounting(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("名称,文号\n甲,1\n乙\n丙,3\n", encoding="utf-8")
    spec = parse_mapping('spec = 1\nname = "x"\nclass = "administrative_penalty"\n[source]\nformat = "csv"\n'
                         '[[fields]]\ntarget = "subject_name"\nsource = "名称"\n'
                         '[[fields]]\ntarget = "decision_number"\nsource = "文号"\ntransforms = ["trim"]\n')
    items = list(convert_source(spec, str(path)))
    problems = [item for item in items if isinstance(item, RowProblem)]
    chunks = [item for item in items if isinstance(item, ConvertedChunk)]
    assert [problem.line for problem in problems] == [3]
    assert sum(len(chunk) for chunk in chunks) + len(problems) == 3
    assert np.concatenate([chunk.records for chunk in chunks]).tolist() == [1, 3]


@pytest.mark.parametrize("item", ["警告;罚款", "警告；罚款", "乙、丙合伙企业（有限合伙）", "[1]"])
def test_a_list_item_holding_a_separator_is_kept_whole(tmp_path: Path, item: str) -> None:
    """Every separator the array decoder splits on (``、`` too: 乙、丙合伙企业 became two shareholders, unsaid; then
    the record was refused): the cell holds the list as JSON, which the decoder reads back item for item."""
    path = tmp_path / "x.xml"
    path.write_text(f"<Records><Record><LB><Item>甲</Item><Item>{item}</Item></LB></Record></Records>",
                    encoding="utf-8")
    spec = parse_mapping('spec = 1\nname = "x"\nclass = "administrative_penalty"\n[source]\nformat = "xml"\n'
                         'record = "/Records/Record"\n'
                         '[[fields]]\ntarget = "penalty_types"\nsource = "LB/Item"\nmany = true\n')
    [chunk] = list(convert_source(spec, str(path)))
    assert isinstance(chunk, ConvertedChunk)
    assert not chunk.findings
    assert decode_rows(compile_plan("administrative_penalty"), chunk.batch) == [{"penalty_types": ["甲", item]}]


def test_the_stream_of_a_csv_written_to_memory_matches_the_file(tmp_path: Path) -> None:
    """The same records through a GBK file with a title row: the reader's detection does the rest."""
    records = [item.record for item in fake_records("administrative_licence", 40, seed=3, on=ON)]
    stream = io.StringIO()
    write_csv(records, "administrative_licence", stream, headers="zh")
    path = tmp_path / "licences.csv"
    path.write_bytes(("2024年行政许可信息\r\n" + stream.getvalue()).encode("gb18030"))
    chunks = converted(export_mapping("administrative_licence", "csv", headers="zh"), path)
    plan = compile_plan("administrative_licence", strict=True, today=ON)
    assert decode_rows(plan, chunks[0].batch) == records and chunks[0].lines.tolist()[0] == 3


#: The example mapping of the README (kept identical to it): a transport bureau's penalty export in XML.
README_MAPPING = '''# 某市交通运输局 行政处罚导出（XML，GBK）
spec = 1
name = "transport-penalty-xml"
title = "某市交通运输局行政处罚信息导出"
class = "administrative_penalty"

[source]
format = "xml"
record = "/jt:XZCF/jt:JL"                      # one <jt:JL> per decision
namespaces = { jt = "urn:example:transport:penalty" }

[[fields]]
target = "subject_name"
source = "jt:DSR/jt:MC"                        # 当事人名称
transforms = ["trim"]

[[fields]]
target = "subject_category"
source = "jt:DSR/@lx"                          # vendor codes 01-04 (an attribute)
transforms = [{ name = "lookup", code_table = "subject_category" }]

[[fields]]
target = "uscc"
source = "jt:DSR/jt:DM"
transforms = ["identifier"]                    # full width, spaces, lower case: one normalisation path

[[fields]]
target = "legal_representative"
source = "jt:DSR/jt:FR"

[[fields]]
target = "decision_number"
source = "jt:WH"

[[fields]]
target = "violation_type"
source = "jt:WFXW"

[[fields]]
target = "violation_facts"
source = "jt:SS"

[[fields]]
target = "legal_basis"
source = "jt:YJ"

[[fields]]
target = "penalty_types"
source = "jt:CFLB/jt:X"                        # repeated elements: a list, declared
many = true

[[fields]]
target = "penalty_content"
source = "jt:NR"

[[fields]]
target = "fine_amount"
source = "jt:FK"                               # 2,000.00 (元) -> 0.2 (万元, the field's unit)
transforms = [{ name = "amount", unit = "元" }]

[[fields]]
target = "decision_date"
source = "jt:JDRQ"                             # 2024年3月5日
transforms = ["date"]

[[fields]]
target = "valid_until"
source = "jt:YXQ"
transforms = [{ name = "date", formats = ["yyyymmdd", "excel"] }]

[[fields]]
target = "authority"
const = "某市交通运输局"

[[fields]]
target = "authority_uscc"
const = "11350100MAD18YGF27"

[[fields]]
target = "data_source"
const = "某市交通运输局"

[[fields]]
target = "data_source_uscc"
const = "11350100MAD18YGF27"
'''

README_EXPORT = '''<?xml version="1.0" encoding="GBK"?>
<jt:XZCF xmlns:jt="urn:example:transport:penalty">
  <jt:JL xh="1">
    <jt:DSR lx="02"><jt:MC> 某某物流有限公司 </jt:MC><jt:DM>９１３５０１００ｍ０００１００ｙ４３</jt:DM>
      <jt:FR>李四</jt:FR></jt:DSR>
    <jt:WH>某交罚〔2024〕12号</jt:WH><jt:WFXW>车辆超限运输</jt:WFXW><jt:SS>经查，当事人……</jt:SS>
    <jt:YJ>《公路安全保护条例》第六十四条</jt:YJ>
    <jt:CFLB><jt:X>警告</jt:X><jt:X>罚款</jt:X></jt:CFLB>
    <jt:NR>警告，罚款人民币2000元</jt:NR><jt:FK>2,000.00</jt:FK>
    <jt:JDRQ>2024年3月5日</jt:JDRQ><jt:YXQ>45721</jt:YXQ>
  </jt:JL>
  <jt:JL xh="2">
    <jt:DSR lx="04"><jt:MC>某某汽车修理部</jt:MC><jt:DM>92350100MARQ283F4G</jt:DM></jt:DSR>
    <jt:WH>某交罚〔2024〕13号</jt:WH><jt:WFXW>未按规定维修</jt:WFXW><jt:SS>经查……</jt:SS><jt:YJ>《条例》</jt:YJ>
    <jt:CFLB><jt:X>罚款</jt:X></jt:CFLB><jt:NR>罚款1.5万元</jt:NR><jt:FK>1.5万元</jt:FK>
    <jt:JDRQ>2024年2月30日</jt:JDRQ><jt:YXQ>20250301</jt:YXQ>
  </jt:JL>
</jt:XZCF>
'''


def test_the_readme_example_converts(tmp_path: Path) -> None:
    path = tmp_path / "transport.xml"
    path.write_bytes(README_EXPORT.encode("gbk"))
    spec = parse_mapping(README_MAPPING, "transport-penalty-xml.toml")
    [chunk] = list(convert_source(spec, str(path)))
    assert isinstance(chunk, ConvertedChunk)
    first = chunk.batch.to_pylist()[0]
    assert (first["subject_name"], first["subject_category"], first["uscc"], first["penalty_types"],
            first["fine_amount"], first["decision_date"], first["valid_until"]) == (
        "某某物流有限公司", "法人及非法人组织", "91350100M000100Y43", "警告；罚款", "0.2", "2024-03-05", "2025-03-05")
    assert [(item.code, item.field, item.location.line, item.location.record) for item in chunk.findings] == [
        ("convert.date", "decision_date", 12, 2)]
    result = validate_table(compile_plan("administrative_penalty", today=ON), chunk.batch, file=chunk.file,
                            lines=chunk.lines)
    valid, findings = combine(chunk, result)
    assert valid.tolist() == [True, False] and [item.code for item in findings] == ["convert.date"]


def test_cells_a_chain_keeps_pass_through_and_the_others_are_converted_in_place(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    cells = ["91350100M000100Y43", " 9135 0100 m000 100 y43", "11010519491231002X", "9" * 200, "", "１２３"]
    path.write_text("代码\n" + "\n".join(f'"{cell}"' for cell in cells) + "\n", encoding="utf-8")
    spec = parse_mapping('spec = 1\nname = "x"\nclass = "administrative_penalty"\n[source]\nformat = "csv"\n'
                         '[[fields]]\ntarget = "uscc"\nsource = "代码"\ntransforms = ["identifier"]\n')
    [chunk] = [item for item in convert_source(spec, str(path)) if isinstance(item, ConvertedChunk)]
    assert chunk.batch.column("uscc").to_pylist() == [  # the blank row is not data (the reader counts it apart)
        "91350100M000100Y43", "91350100M000100Y43", "11010519491231002X", None, "123"]
    assert chunk.lines.tolist() == [2, 3, 4, 5, 7] and chunk.blank_rows == 1
    assert [(item.code, item.location.line) for item in chunk.findings] == [("convert.identifier", 5)]


def _penalty_csv(tmp_path: Path, cell: str) -> Path:
    path = tmp_path / "p.csv"
    with open(path, "w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([["文号", "类别"], ["罚〔2024〕1号", cell], ["罚〔2024〕2号", "警告"]])
    return path


@pytest.mark.parametrize(("transforms", "cell"), [
    ('[{ name = "split", separators = ["；"] }, "halfwidth"]', "[1]"),
    ('[{ name = "split", separators = ["；"] }, "trim"]', '[{"a": "警告"}]'),
    ('[{ name = "split", separators = ["；"] }, { name = "join" }]', '["警告", 2]'),
])
def test_a_json_array_of_objects_or_numbers_before_a_text_step_rejects_the_row(tmp_path: Path, transforms: str,
                                                                               cell: str) -> None:
    """The review found convert ending in an internal error (KeyError 'convert.halfwidth', 'convert.join'):
    the row is rejected with a registered code instead, and the next row converts."""
    target = "remarks" if "join" in transforms else "penalty_types"
    spec = ('spec = 1\nname = "x"\nclass = "administrative_penalty"\n[source]\nformat = "csv"\n'
            '[[fields]]\ntarget = "decision_number"\nsource = "文号"\n'
            f'[[fields]]\ntarget = "{target}"\nsource = "类别"\ntransforms = {transforms}\n')
    [chunk] = converted(spec, _penalty_csv(tmp_path, cell))
    assert [(item.code, item.field) for item in chunk.findings] == [("convert.not_text_item", target)]
    assert chunk.finding_rows.tolist() == [0]
    assert chunk.batch.column(target).to_pylist()[1] == "警告"


def test_a_list_item_longer_than_a_record_holds_rejects_its_row_not_the_run(tmp_path: Path) -> None:
    """An item over 65,536 characters that needs the JSON form ended the whole run (exit 2, "Usage:")."""
    spec = ('spec = 1\nname = "x"\nclass = "administrative_penalty"\n[source]\nformat = "xml"\n'
            'record = "/Records/Record"\n'
            '[[fields]]\ntarget = "penalty_types"\nsource = "LB/Item"\nmany = true\n')
    path = tmp_path / "x.xml"
    long_item = "甲、" + "乙" * 70_000
    path.write_text(f"<Records><Record><LB><Item>{long_item}</Item></LB></Record>"
                    "<Record><LB><Item>警告</Item></LB></Record></Records>", encoding="utf-8")
    [chunk] = converted(spec, path)
    assert [item.code for item in chunk.findings] == ["convert.too_long"]
    assert chunk.finding_rows.tolist() == [0] and len(chunk) == 2
