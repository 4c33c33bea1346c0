"""``creditstd mapping list|show|init``: stdout, stderr and exit codes apart; every draft loads and converts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from creditstd.cli import main
from creditstd.convert import ConvertedChunk, combine, convert_source, load_mapping, parse_mapping
from creditstd.convert.builtin import builtin_info, builtin_names, builtin_text
from creditstd.records.plan import compile_plan, validate_table
from creditstd.sources.model import SourceError

ROOT = Path(__file__).resolve().parent.parent
EXPORTS = ROOT / "examples" / "exports"
SAMPLES = [*sorted(path for path in (EXPORTS / "builtin").iterdir() if path.suffix in (".csv", ".xml")),
           EXPORTS / "administrative_penalty.csv", EXPORTS / "administrative_licence.xml"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"CREDITSTD_LANG": "both"})


def test_list_names_every_built_in_mapping_in_both_languages(runner: CliRunner) -> None:
    result = runner.invoke(main, ["mapping", "list"])
    assert result.exit_code == 0, result.output
    for name in builtin_names():
        info = builtin_info(name)
        assert name in result.stdout and info.class_name in result.stdout
        assert info.title_zh in result.stdout and info.title_en in result.stdout
    assert result.stdout.count("虚构") == 4 and result.stdout.count("invented") == 4
    assert "--mapping" in result.stderr and "--mapping" not in result.stdout


def test_list_as_json(runner: CliRunner) -> None:
    result = runner.invoke(main, ["mapping", "list", "--format", "json"])
    assert result.exit_code == 0 and not result.stderr
    data = json.loads(result.stdout)
    assert [item["name"] for item in data] == list(builtin_names())
    assert {item["format"] for item in data} == {"csv", "xml"}


@pytest.mark.parametrize("name", builtin_names())
def test_show_prints_the_toml(runner: CliRunner, name: str, tmp_path: Path) -> None:
    result = runner.invoke(main, ["mapping", "show", name])
    assert result.exit_code == 0 and not result.stderr
    assert result.stdout == builtin_text(name)
    copy = tmp_path / f"{name}.toml"  # a steward's copy to adapt loads as it is
    copy.write_text(result.stdout, encoding="utf-8")
    assert load_mapping(copy).name == name


def test_show_an_unknown_name_exits_2_listing_the_names(runner: CliRunner) -> None:
    result = runner.invoke(main, ["mapping", "show", "tax-credit"])
    assert result.exit_code == 2 and not result.stdout
    assert "mapping.unreadable" in result.stderr and "Traceback" not in result.stderr
    for name in builtin_names():
        assert name in result.stderr
    assert "没有这个名称的内置映射" in result.stderr and "no built-in mapping of that name" in result.stderr


def _convert(text: str, sample: Path) -> tuple[int, int, int]:
    """Rows, rows whose conversion failed, rows valid after the catalogue, for a mapping text on a sample."""
    spec = parse_mapping(text, "draft.toml")
    plan = compile_plan(spec.class_name)
    rows = failed = valid = 0
    for chunk in convert_source(spec, str(sample)):
        assert isinstance(chunk, ConvertedChunk)
        rows += len(chunk)
        failed += int(chunk.failed.sum())
        verdict, _ = combine(chunk, validate_table(plan, chunk.batch, lines=chunk.lines))
        valid += int(verdict.sum())
    return rows, failed, valid


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.name)
def test_init_drafts_a_mapping_that_loads_and_converts_most_rows(runner: CliRunner, sample: Path) -> None:
    result = runner.invoke(main, ["mapping", "init", str(sample)])
    assert result.exit_code == 0, result.stderr
    assert "drafted a mapping for" in result.stderr and "已起草" in result.stderr
    assert "drafted a mapping" not in result.stdout
    rows, failed, valid = _convert(result.stdout, sample)
    broken = sum(1 for line in Path(f"{sample}.broken.txt").read_text(encoding="utf-8").splitlines()
                 if not line.startswith("#"))
    assert rows >= 80 and failed <= broken
    assert valid >= rows - broken, (valid, rows, broken)


def test_init_matches_by_name_code_and_alias_and_lists_the_rest(runner: CliRunner, tmp_path: Path) -> None:
    sample = tmp_path / "许可.csv"
    sample.write_text("序号,XK_XDR_MC,行政相对人类别,信用代码,许可决定日期,经办人\n"
                      "1,某某科技有限公司,法人及非法人组织,91350100M000100Y43,2024年3月5日,王五\n", encoding="utf-8")
    result = runner.invoke(main, ["mapping", "init", str(sample)])
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert 'class = "administrative_licence"' in text
    for target, source in (("subject_name", "XK_XDR_MC"), ("subject_category", "行政相对人类别"),
                           ("uscc", "信用代码"), ("decision_date", "许可决定日期")):
        assert f'target = "{target}"\nsource = "{source}"' in text
    assert '"identifier"' in text and '"date"' in text and 'code_table = "subject_category"' in text
    # left over: listed as comments, with what their values look like, never the values themselves
    assert "#   序号" in text and "#   经办人" in text and "王五" not in text
    assert "document_number" in text.split("required fields with no source yet")[1]
    parse_mapping(text)


def test_init_xml_finds_the_record_element_namespaces_and_attributes(runner: CliRunner, tmp_path: Path) -> None:
    sample = tmp_path / "export.xml"
    sample.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<x:Root xmlns:x="urn:x" xmlns="urn:d"><Head/>'
                      '<Rows><Row n="1"><CF_XDR_MC>甲</CF_XDR_MC><CF_WSH>京罚〔2024〕1号</CF_WSH>'
                      '<CF_CFLB><Item>警告</Item><Item>罚款</Item></CF_CFLB></Row>'
                      '<Row n="2"><CF_XDR_MC>乙</CF_XDR_MC><CF_WSH>京罚〔2024〕2号</CF_WSH></Row></Rows></x:Root>',
                      encoding="utf-8")
    result = runner.invoke(main, ["mapping", "init", str(sample)])
    assert result.exit_code == 0, result.stderr
    spec = parse_mapping(result.stdout)
    assert spec.class_name == "administrative_penalty"
    assert spec.source.record is not None and spec.source.record.expression == "/x:Root/ns:Rows/ns:Row"
    assert dict(spec.source.namespaces) == {"x": "urn:x", "ns": "urn:d"}
    sources = {rule.target: (rule.source, rule.many) for rule in spec.fields}
    assert sources["subject_name"] == ("ns:CF_XDR_MC", False)
    assert sources["penalty_types"] == ("ns:CF_CFLB/ns:Item", True)
    assert "#   @n" in result.stdout


def _xlsx_helper() -> Any:
    """tests/test_sources_xlsx.py, whose ``workbook()`` makes XLSX files."""
    import importlib.util

    helper = importlib.util.spec_from_file_location("xlsx_helper", Path(__file__).parent / "test_sources_xlsx.py")
    assert helper is not None and helper.loader is not None
    module = importlib.util.module_from_spec(helper)
    helper.loader.exec_module(module)
    return module


def test_init_reads_an_xlsx_sample_with_a_title_row(runner: CliRunner, tmp_path: Path) -> None:
    module = _xlsx_helper()
    sample = tmp_path / "处罚.xlsx"
    rows = [["2024年行政处罚信息"], ["行政相对人名称", "处罚决定书文号", "罚款金额（万元）"],
            ["某某科技有限公司", "京罚〔2024〕1号", 0.2]]
    sample.write_bytes(module.workbook({"处罚信息": rows}))
    result = runner.invoke(main, ["mapping", "init", str(sample), "--class", "administrative_penalty"])
    assert result.exit_code == 0, result.stderr
    spec = parse_mapping(result.stdout)
    assert (spec.source.format, spec.source.sheet, spec.source.header_row) == ("xlsx", "处罚信息", 2)
    assert 'unit = "万元"' in result.stdout
    [chunk] = [item for item in convert_source(spec, str(sample)) if isinstance(item, ConvertedChunk)]
    assert chunk.batch.to_pylist() == [{"subject_name": "某某科技有限公司", "decision_number": "京罚〔2024〕1号",
                                        "fine_amount": "0.2"}]


def test_init_writes_a_file_atomically_and_never_over_the_sample(runner: CliRunner, tmp_path: Path) -> None:
    sample = SAMPLES[0]
    out = tmp_path / "draft.toml"
    result = runner.invoke(main, ["mapping", "init", str(sample), "-o", str(out), "--name", "court-draft"])
    assert result.exit_code == 0 and not result.stdout and str(out) in result.stderr
    assert load_mapping(out).name == "court-draft"
    again = runner.invoke(main, ["mapping", "init", str(sample), "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.stderr
    assert runner.invoke(main, ["mapping", "init", str(sample), "-o", str(out), "--force"]).exit_code == 0
    copy = tmp_path / "sample.xml"
    copy.write_bytes(sample.read_bytes())
    refused = runner.invoke(main, ["mapping", "init", str(copy), "-o", str(copy), "--force"])
    assert refused.exit_code == 2 and copy.read_bytes() == sample.read_bytes()


@pytest.mark.parametrize(("arguments", "message"), [
    (["--class", "no_such_class"], "no_such_class"),
    (["--name", "Not A Name"], "--name"),
])
def test_init_bad_options_exit_2(runner: CliRunner, arguments: list[str], message: str) -> None:
    result = runner.invoke(main, ["mapping", "init", str(SAMPLES[0]), *arguments])
    assert result.exit_code == 2 and not result.stdout and message in result.stderr
    assert "Traceback" not in result.stderr


def test_init_unusable_samples_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    stdin = runner.invoke(main, ["mapping", "init", "-"], input="a,b\n1,2\n")
    assert stdin.exit_code == 2 and "stdin" in stdin.stderr and not stdin.stdout
    missing = runner.invoke(main, ["mapping", "init", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "not found" in missing.stderr and not missing.stdout
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    result = runner.invoke(main, ["mapping", "init", str(unknown)])
    assert result.exit_code == 2 and "--class" in result.stderr and not result.stdout
    result = runner.invoke(main, ["mapping", "init", str(unknown), "--class", "credit_rating"])
    assert result.exit_code == 2 and "nothing to draft" in result.stderr
    doctype = tmp_path / "evil.xml"
    doctype.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r><x><a>&a;</a></x><x><a/></x></r>',
                       encoding="utf-8")
    result = runner.invoke(main, ["mapping", "init", str(doctype)])
    assert result.exit_code == 2 and "DOCTYPE" in result.stderr and not result.stdout
    broken = tmp_path / "broken.xml"
    broken.write_text("<r><x><a>1</a></x", encoding="utf-8")
    result = runner.invoke(main, ["mapping", "init", str(broken)])
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_the_command_is_listed_in_the_help(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert "mapping" in result.stdout
    result = runner.invoke(main, ["mapping", "--help"])
    assert result.exit_code == 0 and all(command in result.stdout for command in ("list", "show", "init"))


@pytest.mark.parametrize("name", builtin_names())
def test_convert_takes_a_built_in_mapping_by_name(runner: CliRunner, name: str) -> None:
    """``creditstd convert EXAMPLE --mapping NAME``: the name resolves through creditstd.convert.builtin; rows in =
    records out + the deliberately broken rows."""
    sample = next(path for path in SAMPLES if path.name.startswith(f"{name}."))
    broken = sum(1 for line in Path(f"{sample}.broken.txt").read_text(encoding="utf-8").splitlines()
                 if not line.startswith("#"))
    rows = json.loads((Path(__file__).parent / "fixtures" / "convert_builtin" / f"{name}.json")
                      .read_text(encoding="utf-8"))["records"]
    result = runner.invoke(main, ["convert", str(sample), "--mapping", name, "--dry-run"])
    assert result.exit_code == 1, result.stderr
    assert f"{rows} rows in = {rows - broken} records out + {broken} rejected" in result.stderr


def test_convert_with_an_unknown_built_in_name_lists_the_names(runner: CliRunner) -> None:
    result = runner.invoke(main, ["convert", str(SAMPLES[0]), "--mapping", "court", "--dry-run"])
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert all(name in result.stderr for name in builtin_names())


# ------------------------------------------------------------------------------------------------ init: XML edges


def _rating_sample(tmp_path: Path, *, root: str = "NSXYPJ", record: str = "<JL>", extra: str = "",
                   declarations: str = "", name: str = "export.xml") -> Path:
    """An XML credit-rating export of three records: ``record`` opens each, ``extra`` ends it."""
    close = "</" + record[1:].split(">")[0].split()[0] + ">"
    rows = "".join(f"{record}<NSRSBH>91350100M000100Y43</NSRSBH><NSRMC>某某科技有限公司</NSRMC><XYJB>A级</XYJB>"
                   f"<PJRQ>20240401</PJRQ>{extra}{close}\n" for _ in range(3))
    sample = tmp_path / name
    sample.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}{declarations}>\n{rows}</{root}>\n',
                      encoding="utf-8")
    return sample


def _init(runner: CliRunner, sample: Path) -> Result:
    result = runner.invoke(main, ["mapping", "init", str(sample), "--class", "credit_rating"])
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result


def test_init_xml_names_beyond_the_basic_multilingual_plane(runner: CliRunner, tmp_path: Path) -> None:
    sample = _rating_sample(tmp_path, root="根𠮷", extra="<备注𠀀>x</备注𠀀>")
    result = _init(runner, sample)
    spec = parse_mapping(result.stdout)
    assert spec.source.record is not None and spec.source.record.expression == "/根𠮷/JL"
    assert "#   备注𠀀" in result.stdout
    rows, failed, _ = _convert(result.stdout, sample)
    assert (rows, failed) == (3, 0)


@pytest.mark.parametrize("declarations", ["", ' xmlns:xml="http://www.w3.org/XML/1998/namespace"'])
def test_init_xml_lang_attributes_use_the_predeclared_xml_prefix(runner: CliRunner, tmp_path: Path,
                                                                 declarations: str) -> None:
    sample = _rating_sample(tmp_path, record='<JL xml:lang="zh">', extra='<BZ xml:lang="en">x</BZ>',
                            declarations=declarations)
    result = _init(runner, sample)
    assert "#   @xml:lang" in result.stdout and "#   BZ/@xml:lang" in result.stdout
    assert "namespaces" not in result.stdout  # xml is never declared
    # the steward adds a rule for one: it loads and reads the attribute
    text = result.stdout + '\n[[fields]]\ntarget = "document_number"\nsource = "BZ/@xml:lang"\n'
    spec = parse_mapping(text)
    assert [chunk.batch.column("document_number").to_pylist() for chunk in convert_source(spec, str(sample))
            if isinstance(chunk, ConvertedChunk)] == [["en", "en", "en"]]


@pytest.mark.parametrize("extra", ["<BZ><!-- 无 --></BZ>", "<BZ><?pi x?></BZ>", "<BZ>a<!-- 无 -->b</BZ>"])
def test_init_xml_comments_and_processing_instructions_are_not_child_elements(runner: CliRunner, tmp_path: Path,
                                                                              extra: str) -> None:
    result = _init(runner, _rating_sample(tmp_path, extra=extra))
    assert "#   BZ\n" in result.stdout and "BZ/" not in result.stdout
    parse_mapping(result.stdout)


def test_init_xml_a_record_child_holding_only_a_comment(runner: CliRunner, tmp_path: Path) -> None:
    sample = tmp_path / "export.xml"
    sample.write_text('<?xml version="1.0"?>\n<R><G><JL><!-- c --></JL></G><G><JL><NSRSBH>91350100M000100Y43</NSRSBH>'
                      '</JL></G><G><JL><NSRMC>某某科技有限公司</NSRMC></JL></G></R>\n', encoding="utf-8")
    spec = parse_mapping(_init(runner, sample).stdout)
    assert spec.source.record is not None and spec.source.record.expression == "/R/G"
    assert {rule.target: rule.source for rule in spec.fields}["uscc"] == "JL/NSRSBH"


# ------------------------------------------------------------------------------------------------ init: no ID number

_ID = "11010519491231002X"


@pytest.mark.parametrize(("root", "declarations", "record"), [
    (f"R{_ID}", "", "/*/JL"),  # the root element, in the record path
    ("R110105><X19491231002X", "", "/R110105/*/JL"),  # an ID number cut across two elements of the record path
    (f"p{_ID}:R", f' xmlns:p{_ID}="urn:y"', "/ns:R/JL"),  # a namespace prefix: renamed
])
def test_init_writes_no_id_number_from_element_names_or_prefixes(runner: CliRunner, tmp_path: Path, root: str,
                                                                  declarations: str, record: str) -> None:
    sample = _rating_sample(tmp_path, root=root, declarations=declarations)
    if "><" in root:  # two nested elements: close both
        text = sample.read_text(encoding="utf-8")
        sample.write_text(text.replace(f"</{root}>", "</X19491231002X></R110105>"), encoding="utf-8")
    result = _init(runner, sample)
    assert "19491231" not in result.output, result.stdout
    spec = parse_mapping(result.stdout)
    assert spec.source.record is not None and spec.source.record.expression == record
    if "*" in record:
        assert "written * (any element): check the path" in result.stdout
    rows, failed, _ = _convert(result.stdout, sample)  # the draft still finds and reads the records
    assert (rows, failed) == (3, 0)
    if "*" in record:  # asked for: the names as they are (a prefix is renamed all the same: it is the draft's own)
        shown = runner.invoke(main, ["mapping", "init", str(sample), "--class", "credit_rating", "--show-pii"])
        assert shown.exit_code == 0 and "19491231" in shown.stdout and "check the path" not in shown.stdout


@pytest.mark.parametrize("declarations", [f' xmlns="urn:x:{_ID}"', f' xmlns:d="urn:x:{_ID}"'])
def test_init_masks_a_namespace_uri_holding_an_id_number(runner: CliRunner, tmp_path: Path,
                                                         declarations: str) -> None:
    root = "R" if declarations.startswith(" xmlns=") else "d:R"
    sample = _rating_sample(tmp_path, root=root, declarations=declarations)
    result = _init(runner, sample)
    assert "19491231" not in result.output, result.stdout
    assert "fill it in from the sample" in result.stdout and "请按样例填写完整的URI" in result.stdout
    spec = parse_mapping(result.stdout)  # the draft loads; until the URI is filled in, reading it says why
    assert "*" in "".join(spec.source.namespaces.values())
    with pytest.raises(SourceError, match="no element matches the record path"):
        _convert(result.stdout, sample)
    shown = runner.invoke(main, ["mapping", "init", str(sample), "--class", "credit_rating", "--show-pii"])
    assert shown.exit_code == 0 and f"urn:x:{_ID}" in shown.stdout and "fill it in" not in shown.stdout
    assert _convert(shown.stdout, sample)[:2] == (3, 0)


def test_init_leaves_out_a_sheet_name_holding_an_id_number(runner: CliRunner, tmp_path: Path) -> None:
    module = _xlsx_helper()
    sample = tmp_path / "处罚.xlsx"
    rows = [["行政相对人名称", "处罚决定书文号"], ["某某科技有限公司", "京罚〔2024〕1号"]]
    sample.write_bytes(module.workbook({f"张三{_ID}": rows}))
    result = runner.invoke(main, ["mapping", "init", str(sample), "--class", "administrative_penalty"])
    assert result.exit_code == 0, result.stderr
    assert "19491231" not in result.output and "the first sheet is read by default" in result.stdout
    spec = parse_mapping(result.stdout)
    assert spec.source.sheet is None
    [chunk] = [item for item in convert_source(spec, str(sample)) if isinstance(item, ConvertedChunk)]
    assert chunk.batch.column("decision_number").to_pylist() == ["京罚〔2024〕1号"]
    shown = runner.invoke(main, ["mapping", "init", str(sample), "--class", "administrative_penalty", "--show-pii"])
    assert shown.exit_code == 0 and parse_mapping(shown.stdout).source.sheet == f"张三{_ID}"


def test_init_show_pii_writes_masked_file_and_column_names_in_full(runner: CliRunner, tmp_path: Path) -> None:
    sample = tmp_path / f"{_ID}.csv"
    sample.write_text(f"XK_XDR_MC,信用代码,备注{_ID}\n某某科技有限公司,91350100M000100Y43,x\n", encoding="utf-8")
    masked = runner.invoke(main, ["mapping", "init", str(sample), "--class", "administrative_licence"])
    assert masked.exit_code == 0 and "19491231" not in masked.output
    shown = runner.invoke(main, ["mapping", "init", str(sample), "--class", "administrative_licence", "--show-pii"])
    assert shown.exit_code == 0 and f"from {_ID}.csv" in shown.stdout and f"#   备注{_ID}" in shown.stdout
    assert f'source = "备注{_ID}"' not in shown.stdout  # still no rule for it
    assert parse_mapping(shown.stdout).name == parse_mapping(masked.stdout).name
    # the column withheld is counted among the sample's columns, and said to have no rule
    assert "of 3 columns matched (1 whose names may hold an ID number have no rule)" in masked.stderr


@pytest.mark.parametrize("sample", [path for path in SAMPLES if path.parent.name == "builtin"], ids=lambda p: p.name)
def test_init_offers_the_built_in_mapping_an_export_of_its_format_needs(runner: CliRunner, sample: Path) -> None:
    result = runner.invoke(main, ["mapping", "init", str(sample)])
    assert f"try creditstd convert FILE --mapping {sample.stem}" in result.stdout


@pytest.mark.parametrize("form", ["csv", "xml"])
def test_init_offers_no_built_in_mapping_that_would_drop_columns_the_draft_reads(runner: CliRunner, tmp_path: Path,
                                                                                 form: str) -> None:
    """creditstd fake's penalty exports carry catalogue columns the 双公示 mappings do not read (publication_date,
    procedure...), and its XML lists items as <Item> children: the built-in offered as usable as it is left
    those columns unread and passed rows validate rejects (XML: rejected every row)."""
    sample = tmp_path / f"fake.{form}"
    made = runner.invoke(main, ["fake", "administrative_penalty", "-n", "20", "--format", form, "--seed", "11",
                                "--on", "2025-01-01", "-o", str(sample)])
    assert made.exit_code == 0, made.output
    result = runner.invoke(main, ["mapping", "init", str(sample)])
    assert result.exit_code == 0, result.stderr
    assert "try creditstd convert FILE --mapping" not in result.stdout
    assert f"resembles built-in mapping sgs-penalty-{form}, which does not read" in result.stdout
    assert "publication_date, procedure, severity, sector" in result.stdout
    assert ("CF_CFLB/Item" in result.stdout.split("which does not read")[1]) == (form == "xml")


def test_init_and_convert_read_the_sheet_given(runner: CliRunner, tmp_path: Path) -> None:
    """A workbook whose first sheet is notes (填表说明) could not be drafted, and convert's report advised
    --sheet, which it did not have."""
    module = _xlsx_helper()
    sample = tmp_path / "处罚.xlsx"
    rows = [["行政相对人名称", "处罚决定书文号"], ["某某科技有限公司", "京罚〔2024〕1号"]]
    sample.write_bytes(module.workbook({"填表说明": [["请按模板填写"]], "处罚": rows}))
    assert runner.invoke(main, ["mapping", "init", str(sample), "--class", "administrative_penalty"]).exit_code == 2
    draft = tmp_path / "m.toml"
    result = runner.invoke(main, ["mapping", "init", str(sample), "--class", "administrative_penalty",
                                  "--sheet", "处罚", "-o", str(draft)])
    assert result.exit_code == 0, result.output
    assert parse_mapping(draft.read_text(encoding="utf-8")).source.sheet == "处罚"
    text = draft.read_text(encoding="utf-8").replace('sheet = "处罚"\n', "")  # a mapping naming no sheet
    draft.write_text(text, encoding="utf-8")
    for sheet, rows_read in (("处罚", 1), ("填表说明", None)):
        converted = runner.invoke(main, ["convert", str(sample), "--mapping", str(draft), "--sheet", sheet,
                                         "--dry-run", "--format", "json", "--on", "2025-01-01"])
        if rows_read is None:
            assert converted.exit_code == 2, converted.output  # no header there names a column of the mapping
        else:
            assert json.loads(converted.stdout)["files"][0]["rows"]["read"] == rows_read
    csv_mapping = runner.invoke(main, ["convert", str(sample), "--mapping", "sgs-penalty-csv", "--sheet", "处罚",
                                       "--dry-run"])
    assert csv_mapping.exit_code == 2 and "--sheet applies to a mapping that reads XLSX" in csv_mapping.output


def test_init_refuses_a_sheet_for_a_sample_that_is_no_workbook(runner: CliRunner) -> None:
    result = runner.invoke(main, ["mapping", "init", str(EXPORTS / "administrative_licence.xml"), "--sheet", "x"])
    assert result.exit_code == 2 and "--sheet applies to XLSX workbooks" in result.output


def test_init_offers_no_built_in_mapping_that_cannot_find_the_columns(runner: CliRunner, tmp_path: Path) -> None:
    """A USCC column matched by its content (TYSHXYDM_X), or a column of the built-in missing from the sample:
    the built-in offered as usable stopped convert with 'column CF_XDR_SHXYM is not in ...' (exit 2)."""
    sample = EXPORTS / "builtin" / "sgs-penalty-csv.csv"
    lines = sample.read_text(encoding="utf-8").splitlines(keepends=True)
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(lines[0].replace("CF_XDR_SHXYM", "TYSHXYDM_X") + "".join(lines[1:]), encoding="utf-8")
    result = runner.invoke(main, ["mapping", "init", str(renamed)])
    assert result.exit_code == 0, result.output
    assert "try creditstd convert FILE --mapping" not in result.stdout
    assert "which cannot read this sample" in result.stdout
    assert runner.invoke(main, ["convert", str(renamed), "--mapping", "sgs-penalty-csv", "--dry-run"]).exit_code == 2


def test_init_offers_no_built_in_mapping_of_another_format_or_encoding(runner: CliRunner, tmp_path: Path) -> None:
    """The GBK environment export saved as UTF-8, and the 双公示 CSV saved as a workbook: the built-in offered
    stopped convert (not valid gb18030; not CSV text)."""
    utf8 = tmp_path / "env-utf8.csv"
    utf8.write_text((EXPORTS / "builtin" / "environment-credit-csv.csv").read_bytes().decode("gb18030"),
                    encoding="utf-8")
    book = tmp_path / "sgs.xlsx"
    rows = [line.split(",") for line in (EXPORTS / "builtin" / "sgs-penalty-csv.csv").read_text(
        encoding="utf-8").splitlines()[:3]]
    book.write_bytes(_xlsx_helper().workbook({"处罚": rows}))
    for sample, builtin in ((utf8, "environment-credit-csv"), (book, "sgs-penalty-csv")):
        result = runner.invoke(main, ["mapping", "init", str(sample)])
        assert result.exit_code == 0, result.output
        assert "try creditstd convert FILE --mapping" not in result.stdout, builtin
