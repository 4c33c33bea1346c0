"""The code tables and aliases of the 双公示 items as real feeds carry them (issue 8, part 4).

Each corrected table and each alias is checked where it acts: the taxonomy's data, the record validator (the
reference row path), the compiled core (which must agree with it row by row) and ``creditstd validate`` on a
CSV export with the headers and codes the feeds use.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from click.testing import CliRunner
from test_plan import assert_agrees

from creditstd.cli import main
from creditstd.records import loader
from creditstd.records.decode import cell_decoder, code_aliases, resolve_headers
from creditstd.records.plan import compile_plan, validate_table
from creditstd.records.validation import validator

TODAY = date(2026, 11, 1)
ON = ["--on", TODAY.isoformat()]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "records"

#: The values of 证件类型 and 许可类别 and the vendor codes that stand for them (01-05 and 01-06, in this order).
ID_TYPES = ["身份证", "护照号", "港澳居民来往内地通行证", "台湾居民来往大陆通行证", "外国人永久居留身份证"]
LICENCE_CATEGORIES = ["普通", "特许", "认可", "核准", "登记", "其他"]
SUBJECT_CODES = {"01": "自然人", "02": "法人及非法人组织", "03": "法人及非法人组织", "04": "个体工商户"}


def _example(class_name: str, index: int = 0) -> dict:
    lines = (EXAMPLES / f"{class_name}.jsonl").read_text(encoding="utf-8").splitlines()
    return json.loads(lines[index])


# -- the 1996 penalty categories ---------------------------------------------------------------------------------


def test_the_1996_table_follows_article_8() -> None:
    table = loader.taxonomy()["code_tables"]["penalty_category_1996"]
    assert [value["zh"] for value in table["values"]] == [
        "警告", "罚款", "没收违法所得、没收非法财物", "责令停产停业", "暂扣或者吊销许可证、暂扣或者吊销执照",
        "行政拘留", "其他"]
    assert "第八条" in table["basis"]


@pytest.mark.parametrize("penalty", ["暂扣或者吊销许可证、暂扣或者吊销执照", "暂扣或者吊销许可证", "暂扣或者吊销执照"])
def test_a_1996_suspension_or_revocation_is_accepted_and_needs_the_licence(penalty: str) -> None:
    record = {**_example("administrative_penalty", 1), "penalty_types": [penalty]}
    record.pop("fine_amount")
    check = validator("administrative_penalty")
    assert [(error.path, error.code) for error in check.iter_errors(record, today=TODAY)] == [
        ("$.licence_suspended_or_revoked", "rule.revocation_needs_licence")]
    assert check.is_valid({**record, "licence_suspended_or_revoked": "食品经营许可证 JY13601020012345"})


def test_a_1996_penalty_cell_decodes_to_accepted_items() -> None:
    """Whether the cell keeps the item whole or splits it at 、, every item it gives is accepted."""
    decode = cell_decoder("administrative_penalty", "penalty_types")
    items = decode("罚款、暂扣或者吊销许可证、暂扣或者吊销执照")
    assert items[0] == "罚款" and "".join(items[1:]).replace("、", "") == "暂扣或者吊销许可证暂扣或者吊销执照"
    check = validator("administrative_penalty")
    assert check.field_errors("penalty_types", items) == ()
    assert check.field_errors("penalty_types", ["暂扣或者吊销许可证、执照"])  # the old, abbreviated label


# -- a bare 其他 -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("class_name", "key", "good", "example"), [
    ("administrative_penalty", "id_type", "其他-军官证", 0),
    ("administrative_penalty", "legal_representative_id_type", "其他-军官证", 0),
    ("administrative_licence", "id_type", "其他-外国人护照", 0),
    ("administrative_licence", "licence_category", "其他-备案", 0),
])
def test_a_bare_other_is_rejected_with_its_own_message(class_name: str, key: str, good: str, example: int) -> None:
    check = validator(class_name)
    [error] = check.field_errors(key, "其他")
    assert (error.path, error.code, error.field) == (f"$.{key}", "record.anyOf", key)
    assert "不能只写“其他”" in error.message_zh and "a bare 其他 is not allowed" in error.message_en
    assert "其他-" in error.message_zh and "其他-" in error.message_en
    assert check.field_errors(key, good) == ()
    for wrong in ("其他-", "其他：军官证", "其它"):
        assert check.field_errors(key, wrong), wrong
    # the compiled core finds the same, cell for cell
    record = _example(class_name, example)
    rows = [{name: _cell(value) for name, value in {**record, key: value}.items()} for value in ("其他", good)]
    assert_agrees(class_name, rows)
    result = validate_table(compile_plan(class_name, today=TODAY), _batch(rows))
    assert result.valid.tolist() == [False, True]
    assert [finding.code for finding in result.findings] == ["record.anyOf"]


def test_every_class_with_an_id_type_rejects_a_bare_other() -> None:
    for class_name in loader.class_names():
        cls = validator(class_name).record_class
        for key, spec in cls.fields.items():
            if spec.code_table == "id_type":
                assert [error.code for error in validator(class_name).field_errors(key, "其他")] == ["record.anyOf"]
                assert validator(class_name).field_errors(key, "其他-军官证") == ()


# -- vendor codes --------------------------------------------------------------------------------------------------


def test_vendor_codes_are_read_as_the_values_they_stand_for() -> None:
    assert dict(code_aliases("administrative_licence", "subject_category")) == SUBJECT_CODES
    assert dict(code_aliases("administrative_licence", "id_type")) == {
        f"{number:02d}": name for number, name in enumerate(ID_TYPES, 1)}
    assert dict(code_aliases("administrative_penalty", "legal_representative_id_type")) == {
        f"{number:02d}": name for number, name in enumerate(ID_TYPES, 1)}
    assert dict(code_aliases("administrative_licence", "licence_category")) == {
        f"{number:02d}": name for number, name in enumerate(LICENCE_CATEGORIES, 1)}
    assert code_aliases("administrative_licence", "document_number") == {}
    assert code_aliases("administrative_penalty", "penalty_types") == {}  # an array field: no aliases
    decode = cell_decoder("administrative_licence", "licence_category")
    assert [decode(code) for code in ("01", "05", "登记", "07")] == ["普通", "登记", "登记", "07"]


def _cell(value: object) -> str:
    return "；".join(value) if isinstance(value, list) else str(value)


def _batch(rows: list[dict[str, str]]) -> pa.RecordBatch:
    keys = list(dict.fromkeys(key for row in rows for key in row))
    return pa.RecordBatch.from_pydict({key: pa.array([row.get(key) for row in rows], pa.string()) for key in keys})


def test_the_core_reads_vendor_codes_in_conditionals_too() -> None:
    """01 means 自然人: the natural person's ID becomes required, in the column pass as in the row path."""
    person = {key: _cell(value) for key, value in _example("administrative_licence", 2).items()}
    assert person["subject_category"] == "自然人"
    rows = [{**person, "subject_category": "01", "id_type": "01"},
            {key: value for key, value in person.items() if key not in ("id_type", "id_number")} | {
                "subject_category": "01"},
            {**person, "subject_category": "01", "id_type": "01", "id_number": "110105194912310021"}]
    assert_agrees("administrative_licence", rows)
    result = validate_table(compile_plan("administrative_licence", today=TODAY), _batch(rows))
    assert result.valid.tolist() == [True, False, False]
    assert sorted(finding.code for finding in result.findings) == [
        "ric.checksum", "rule.natural_person_needs_id", "rule.natural_person_needs_id"]
    assert result.cells["subject_category"].to_pylist() == ["自然人"] * 3


def _licence_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    headers = ["XK_XDR_MC", "XK_XDR_TYPE", "XK_XDR_SHXYM", "XK_FRDB", "XK_FR_SFZH", "XK_XDR_ZJLX", "XK_XDR_ZJHM",
               "XK_XKWS", "XK_WSH", "XK_XKLB", "XK_JDRQ", "XK_XKJG", "XK_XKJGDM", "XK_LYDW", "XK_LYDWDM"]
    lines = [",".join(headers)] + [",".join(row.get(header, "") for header in headers) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


_AUTHORITY = {"XK_XKJG": "某市市场监督管理局", "XK_XKJGDM": "11350100MAD18YGF27", "XK_LYDW": "某市市场监督管理局",
              "XK_LYDWDM": "11350100MAD18YGF27", "XK_XKWS": "行政许可决定书", "XK_JDRQ": "2024-03-15"}


def test_a_licence_feed_with_vendor_headers_and_codes_validates(tmp_path: Path) -> None:
    rows = [
        {**_AUTHORITY, "XK_XDR_MC": "某某科技有限公司", "XK_XDR_TYPE": "02", "XK_XDR_SHXYM": "91350100M000100Y43",
         "XK_FRDB": "张三", "XK_FR_SFZH": "11010519491231002X", "XK_WSH": "许〔2024〕1号", "XK_XKLB": "01"},
        {**_AUTHORITY, "XK_XDR_MC": "某某协会", "XK_XDR_TYPE": "03", "XK_XDR_SHXYM": "51450224MAJGA14L06",
         "XK_FRDB": "李四", "XK_WSH": "许〔2024〕2号", "XK_XKLB": "03"},
        {**_AUTHORITY, "XK_XDR_MC": "王五", "XK_XDR_TYPE": "01", "XK_XDR_ZJLX": "01",
         "XK_XDR_ZJHM": "11010519491231002X", "XK_WSH": "许〔2024〕3号", "XK_XKLB": "05"},
        {**_AUTHORITY, "XK_XDR_MC": "赵六", "XK_XDR_TYPE": "01", "XK_XDR_ZJLX": "02", "XK_XDR_ZJHM": "E12345678",
         "XK_WSH": "许〔2024〕4号", "XK_XKLB": "02"},
        {**_AUTHORITY, "XK_XDR_MC": "某某商店", "XK_XDR_TYPE": "04", "XK_XDR_SHXYM": "92340602MA2PBQAH7E",
         "XK_WSH": "许〔2024〕5号", "XK_XKLB": "其他-备案"},
    ]
    path = _licence_csv(tmp_path / "licence.csv", rows)
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json", *ON])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["class"]["name"] == "administrative_licence"
    columns = {column["header"]: column["field"] for column in report["files"][0]["columns"]}
    assert columns["XK_XDR_TYPE"] == "subject_category"
    assert columns["XK_FR_SFZH"] == "legal_representative_id_number"
    assert report["files"][0]["rows"]["valid"] == 5


def test_vendor_code_06_alone_names_no_licence_category(tmp_path: Path) -> None:
    row = {**_AUTHORITY, "XK_XDR_MC": "某某科技有限公司", "XK_XDR_TYPE": "02", "XK_XDR_SHXYM": "91350100M000100Y43",
           "XK_FRDB": "张三", "XK_WSH": "许〔2024〕1号", "XK_XKLB": "06"}
    path = _licence_csv(tmp_path / "other.csv", [row])
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json", *ON])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["files"][0]["rows"]["rejected"] == 1
    text = json.dumps(report, ensure_ascii=False)
    assert "record.anyOf" in text and "不能只写“其他”" in text and "a bare 其他 is not allowed" in text


# -- header aliases --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("class_name", "header", "key"), [
    ("administrative_penalty", "CF_FR_SFZH", "legal_representative_id_number"),
    ("administrative_licence", "XK_FR_SFZH", "legal_representative_id_number"),
    ("administrative_licence", "XK_XDR_TYPE", "subject_category"),
    ("administrative_penalty", "处罚金额（万元）", "fine_amount"),
    ("administrative_penalty", "处罚金额(万元)", "fine_amount"),
    ("administrative_penalty", "cf_fr_sfzh", "legal_representative_id_number"),
])
def test_header_aliases(class_name: str, header: str, key: str) -> None:
    assert resolve_headers(class_name, [header]).fields == {header: key}


def test_a_penalty_feed_with_vendor_headers_validates(tmp_path: Path) -> None:
    record = _example("administrative_penalty", 1)
    names = {"legal_representative_id_number": "CF_FR_SFZH", "fine_amount": "处罚金额（万元）"}
    code = {key: spec.code for key, spec in validator("administrative_penalty").record_class.fields.items()}
    kept = {key: value for key, value in record.items() if key != "legal_representative_id_type"}
    headers = [names.get(key) or code[key] or key for key in kept]
    path = tmp_path / "penalty.csv"
    path.write_text(",".join(headers) + "\n" + ",".join(f'"{_cell(value)}"' for value in kept.values()) + "\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json", *ON])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    columns = {column["header"]: column["field"] for column in report["files"][0]["columns"]}
    assert columns["CF_FR_SFZH"] == "legal_representative_id_number"
    assert columns["处罚金额（万元）"] == "fine_amount"
    assert report["files"][0]["rows"] == {**report["files"][0]["rows"], "read": 1, "valid": 1}


def test_the_lines_the_core_reports_for_vendor_rows() -> None:
    rows = [{"subject_category": "09"}]  # not a vendor code: reported as it is
    result = validate_table(compile_plan("administrative_licence", today=TODAY), _batch(rows),
                            lines=np.array([2]))
    assert any(finding.path == "$.subject_category" and finding.code == "record.enum"
               for finding in result.findings)
