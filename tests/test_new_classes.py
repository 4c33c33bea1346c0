"""Golden tests for the classes added from the 全国公共信用信息基础目录（2024年版）'s 行政管理信息:
administrative coercion (行政强制), confirmation (行政确认), reward (行政奖励) and inspection (行政检查).

For each class: a realistic valid record that passes the strict validator with no finding, targeted invalid
variants with the exact (path, code) findings, the public form (natural persons' names masked, ID numbers
never published), the docs page, header resolution by the class's own names, and the example records.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from creditstd.catalogue import get_class, validator
from creditstd.records import loader
from creditstd.records.decode import infer_class, resolve_headers
from creditstd.records.docs import class_page_name, render_html, render_markdown
from creditstd.records.fake import fake_records
from creditstd.records.masking import for_publication
from creditstd.records.publication import lifecycle, publication_window

TODAY = date(2026, 11, 1)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "records"
NEW = ("administrative_coercion", "administrative_confirmation", "administrative_reward", "administrative_inspection")

AUTH_SZ = "11440300007542793N"
AUTH_GD = "11440000006400021U"
COMPANY = "914403001922038216"  # orgcode 19220382-1
PERSON_ID = "11010519491231002X"

VALID: dict[str, dict[str, Any]] = {
    "administrative_coercion": {
        "subject_name": "深圳市某某食品有限公司", "subject_category": "法人及非法人组织", "uscc": COMPANY,
        "orgcode": "192203821", "legal_representative": "张三", "decision_number": "深市监强〔2024〕15号",
        "coercion_kind": "行政强制措施", "measure_types": ["查封场所、设施或者财物", "扣押财物"],
        "coercion_reason": "涉案食品涉嫌超过保质期，为防止危害扩大",
        "legal_basis": "《中华人民共和国食品安全法》第一百一十条第（四）项",
        "object_description": "涉案预包装食品一批（详见查封、扣押清单）", "decision_date": "2024-03-01",
        "start_date": "2024-03-01", "term_end": "2024-03-30", "status": "已解除", "status_date": "2024-03-28",
        "authority": "深圳市市场监督管理局", "authority_uscc": AUTH_SZ,
    },
    "administrative_confirmation": {
        "subject_name": "深圳市某某科技有限公司", "subject_category": "法人及非法人组织", "uscc": COMPANY,
        "confirmation_matter": "高新技术企业认定", "document_number": "粤科高字〔2023〕12号",
        "confirmation_content": "经评审，认定为高新技术企业", "certificate_name": "高新技术企业证书",
        "certificate_number": "GR202344001234", "decision_date": "2023-12-28", "valid_from": "2023-12-28",
        "valid_to": "2026-12-27", "authority": "广东省科学技术厅", "authority_uscc": AUTH_GD,
    },
    "administrative_reward": {
        "subject_name": "张三", "subject_category": "自然人", "id_type": "身份证", "id_number": PERSON_ID,
        "reward_name": "深圳市见义勇为先进个人", "reward_forms": ["授予荣誉称号", "发放奖金"], "reward_level": "市级",
        "reward_reason": "在火灾现场救出被困群众三人", "reward_amount": 2, "document_number": "深府〔2024〕8号",
        "award_date": "2024-05-20", "authority": "深圳市人民政府", "authority_uscc": AUTH_SZ,
    },
    "administrative_inspection": {
        "subject_name": "深圳市某某科技有限公司", "subject_category": "法人及非法人组织", "uscc": COMPANY,
        "inspection_type": "双随机抽查", "inspection_task": "2024年度深圳市企业公示信息抽查",
        "inspection_matter": "企业公示信息情况检查", "inspection_date": "2024-09-10",
        "inspection_results": ["发现问题经责令已改正"], "problems_found": "年度报告公示的从业人数与实际不符",
        "rectification_deadline": "2024-10-10", "follow_up": "已整改完毕，复查合格",
        "authority": "深圳市市场监督管理局", "authority_uscc": AUTH_SZ,
    },
}


def variant(name: str, **changes: Any) -> dict[str, Any]:
    """The valid record of ``name`` with ``changes`` applied; a value of None removes the field."""
    record = {**VALID[name], **changes}
    return {key: value for key, value in record.items() if value is not None}


def errors(name: str, record: dict[str, Any]) -> list[tuple[str, str]]:
    return [(error.path, error.code) for error in validator(name, strict=True).iter_errors(record, today=TODAY)]


NATURAL = {"subject_name": "李四", "subject_category": "自然人", "uscc": None, "orgcode": None,
           "legal_representative": None, "id_type": "身份证", "id_number": PERSON_ID}

INVALID: list[tuple[str, dict[str, Any], list[tuple[str, str]]]] = [
    # administrative coercion
    ("administrative_coercion", {"measure_types": None}, [("$.measure_types", "rule.measure_needs_types")]),
    ("administrative_coercion", {"coercion_kind": "行政强制执行", "measure_types": None, "status": "实施中",
                                 "status_date": None},
     [("$.enforcement_methods", "rule.enforcement_needs_methods")]),
    ("administrative_coercion", {"coercion_kind": "行政强制执行", "measure_types": None,
                                 "enforcement_methods": ["划拨存款、汇款"], "status": "已执行完毕"},
     [("$.amount", "rule.money_enforcement_needs_amount")]),
    ("administrative_coercion", {"measure_types": ["冻结存款、汇款"]}, [("$.amount", "rule.freeze_needs_amount")]),
    ("administrative_coercion", {"measure_types": ["限制公民人身自由"]},
     [("$.subject_category", "rule.personal_freedom_only_for_persons")]),
    ("administrative_coercion", {"measure_types": ["查封"]}, [("$.measure_types[0]", "record.enum")]),
    ("administrative_coercion", {"status_date": None}, [("$.status_date", "rule.status_change_needs_date")]),
    ("administrative_coercion", {"status_date": "2024-02-01"}, [("$.decision_date", "rule.date_not_after")]),
    ("administrative_coercion", {"term_end": "2024-02-28"}, [("$.start_date", "rule.date_not_after")]),
    ("administrative_coercion", {"coercion_kind": "行政处罚"}, [("$.coercion_kind", "record.enum")]),
    ("administrative_coercion", {"amount": -1, "measure_types": ["冻结存款、汇款"]}, [("$.amount", "record.minimum")]),
    # administrative confirmation
    ("administrative_confirmation", {"valid_to": "2023-01-01"},
     [("$.valid_from", "rule.date_not_after"), ("$.decision_date", "rule.date_not_after")]),
    ("administrative_confirmation", {"certificate_name": None},
     [("$.certificate_name", "rule.certificate_number_needs_name")]),
    ("administrative_confirmation", {"confirmation_matter": None}, [("$.confirmation_matter", "record.required")]),
    ("administrative_confirmation", {"orgcode": "100001342"}, [("$.orgcode", "rule.orgcode_in_uscc")]),
    ("administrative_confirmation", {"decision_date": "2027-01-05", "valid_from": None, "valid_to": None},
     [("$.decision_date", "rule.date_in_future")]),
    # administrative reward
    ("administrative_reward", {"reward_amount": None}, [("$.reward_amount", "rule.bonus_needs_amount")]),
    ("administrative_reward", {"reward_forms": ["其他"]}, [("$.reward_forms[0]", "record.anyOf")]),
    ("administrative_reward", {"id_number": "110105194912310021"}, [("$.id_number", "ric.checksum")]),
    ("administrative_reward", {"id_type": None, "id_number": None},
     [("$.id_type", "rule.natural_person_needs_id"), ("$.id_number", "rule.natural_person_needs_id")]),
    ("administrative_reward", {"reward_level": "区级"}, [("$.reward_level", "record.enum")]),
    # administrative inspection
    ("administrative_inspection", {"problems_found": None}, [("$.problems_found", "rule.problem_needs_description")]),
    ("administrative_inspection", {"inspection_results": ["合格"]}, [("$.inspection_results[0]", "record.enum")]),
    ("administrative_inspection", {"inspection_type": "其他"}, [("$.inspection_type", "record.anyOf")]),
    ("administrative_inspection", {"rectification_deadline": "2024-09-01"},
     [("$.inspection_date", "rule.date_not_after")]),
    ("administrative_inspection", {"uscc": None}, [("$.uscc", "rule.legal_person_needs_uscc")]),
]


@pytest.mark.parametrize("name", NEW)
def test_the_class_is_in_the_catalogue(name: str) -> None:
    assert name in loader.class_names()
    assert get_class(name).version == "1.0.0"


def test_the_catalogue_cites_the_edition_of_the_basic_catalogue() -> None:
    basis = loader.index()["basis"]
    assert basis["document"] == "全国公共信用信息基础目录（2024年版）"
    assert basis["verified"] is False  # the document number and the item-level list were not read
    for name in NEW:
        documents = [entry["document"] for entry in loader.class_schema(name).get("x-basis", [])]
        assert "全国公共信用信息基础目录（2024年版）" in documents


@pytest.mark.parametrize("name", NEW)
def test_valid_record_has_no_errors(name: str) -> None:
    assert errors(name, VALID[name]) == []


@pytest.mark.parametrize("name", NEW)
def test_natural_person_variant_is_valid(name: str) -> None:
    assert errors(name, variant(name, **NATURAL)) == []


@pytest.mark.parametrize(("name", "changes", "expected"), INVALID)
def test_invalid_variant_reports_exactly_its_errors(name: str, changes: dict, expected: list) -> None:
    assert errors(name, variant(name, **changes)) == expected


def test_every_new_class_has_targeted_invalid_variants() -> None:
    assert all(sum(1 for name, _, _ in INVALID if name == cls) >= 4 for cls in NEW)


def test_code_tables_follow_the_statute() -> None:
    tables = loader.taxonomy()["code_tables"]
    assert [value["zh"] for value in tables["administrative_coercive_measure"]["values"]] == [
        "限制公民人身自由", "查封场所、设施或者财物", "扣押财物", "冻结存款、汇款", "其他行政强制措施"]
    assert [value["zh"] for value in tables["administrative_enforcement_method"]["values"]] == [
        "加处罚款或者滞纳金", "划拨存款、汇款", "拍卖或者依法处理查封、扣押的场所、设施或者财物", "排除妨碍、恢复原状",
        "代履行", "其他强制执行方式"]
    fields = get_class("administrative_coercion").fields
    for key, table in (("measure_types", "administrative_coercive_measure"),
                       ("enforcement_methods", "administrative_enforcement_method"),
                       ("coercion_kind", "administrative_coercion_kind")):
        schema = fields[key].schema
        values = schema["items"]["enum"] if "items" in schema else schema["enum"]
        assert values == [value["zh"] for value in tables[table]["values"]], key
        assert fields[key].code_table == table and tables[table]["verified"] is True
    results = get_class("administrative_inspection").fields["inspection_results"].schema["items"]["enum"]
    assert results == [value["zh"] for value in tables["administrative_inspection_result"]["values"]]
    forms = get_class("administrative_reward").fields["reward_forms"].schema["items"]["anyOf"][0]["enum"]
    assert forms == [value["zh"] for value in tables["administrative_reward_form"]["values"]]
    assert not any(tables[name]["verified"] for name in ("administrative_reward_form", "administrative_inspection_type",
                                                         "administrative_inspection_result"))


def test_no_national_field_codes_are_invented() -> None:
    for name in NEW:
        assert all(spec.code is None for spec in get_class(name).fields.values()), name


def test_classification_and_display_rules() -> None:
    kinds = {name: get_class(name).classification for name in NEW}
    assert kinds["administrative_coercion"]["openness"] == "conditional"
    assert kinds["administrative_coercion"]["display_rule"] is None
    assert kinds["administrative_confirmation"]["display_rule"] == "validity_period"
    assert kinds["administrative_reward"]["display_rule"] is None
    assert kinds["administrative_inspection"]["display_rule"] is None
    window = publication_window(VALID["administrative_confirmation"], "administrative_confirmation", "validity-period")
    assert (window.start, window.end) == (date(2023, 12, 28), date(2026, 12, 28))
    assert lifecycle(VALID["administrative_reward"], "administrative_reward", on=TODAY).status == "published"


def test_publication_masks_people_and_drops_what_is_not_public() -> None:
    # a conditionally public class (authorised query) has no public form (nothing, or an empty one)
    assert not for_publication(VALID["administrative_coercion"], "administrative_coercion")
    assert not for_publication(variant("administrative_coercion", **NATURAL), "administrative_coercion")
    public = for_publication(VALID["administrative_reward"], "administrative_reward")
    assert public["subject_name"] == "张*"
    assert "id_number" not in public and "id_type" not in public
    assert public["reward_amount"] == 2 and public["authority"] == "深圳市人民政府"
    for name in ("administrative_confirmation", "administrative_inspection"):
        person = for_publication(variant(name, **NATURAL), name)
        assert person["subject_name"] == "李*" and "id_number" not in person, name
        company = for_publication(VALID[name], name)
        assert company["subject_name"] == VALID[name]["subject_name"] and company["uscc"] == COMPANY, name


@pytest.mark.parametrize("name", NEW)
def test_docs_page(name: str) -> None:
    cls = get_class(name)
    for pages, ext in ((render_markdown(), ".md"), (render_html(), ".html")):
        page = pages[class_page_name(name) + ext]
        assert cls.zh in page and cls.en in page
        for spec in cls.fields.values():
            assert spec.key in page and spec.zh in page, (name, spec.key)
        for rule in cls.conditionals:
            assert rule["x-rule"] in page
        assert f"{class_page_name(name)}{ext}" in pages["index" + ext]
        assert "全国公共信用信息基础目录（2024年版）" in pages["index" + ext]


@pytest.mark.parametrize("name", NEW)
def test_headers_resolve_by_the_class_names(name: str) -> None:
    cls = get_class(name)
    titles = [spec.zh for spec in cls.fields.values()]
    mapping = resolve_headers(name, titles)
    assert mapping.fields == {spec.zh: key for key, spec in cls.fields.items()}
    assert mapping.missing == () and mapping.unknown == () and mapping.duplicate == ()
    assert infer_class(titles).name == name
    assert infer_class(list(cls.fields)).name == name
    for key, spec in cls.fields.items():
        for alias in spec.aliases:
            assert resolve_headers(name, [alias]).fields[alias] == key, (name, alias)


def test_aliases_real_exports_use() -> None:
    mapping = resolve_headers("administrative_coercion", ["当事人名称", "强制措施", "冻结金额", "解除日期", "执法机关"])
    assert list(mapping.fields.values()) == ["subject_name", "measure_types", "amount", "status_date", "authority"]
    mapping = resolve_headers("administrative_inspection", ["抽查结果", "检查机关", "抽查事项"])
    assert list(mapping.fields.values()) == ["inspection_results", "authority", "inspection_matter"]


@pytest.mark.parametrize("name", NEW)
def test_example_records_are_eight_valid_records(name: str) -> None:
    lines = (EXAMPLES / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    assert len(records) == 8
    for record in records:
        assert list(validator(name, strict=True).iter_errors(record, today=date(2026, 6, 30))) == []


@pytest.mark.parametrize("name", NEW)
def test_fake_records_are_valid_and_coherent(name: str) -> None:
    for seed in (1, 2):
        for made in fake_records(name, 60, seed=seed, on=date(2026, 6, 30)):
            record = made.record
            assert list(validator(name, strict=True).iter_errors(record, today=date(2026, 6, 30))) == []
            if "限制公民人身自由" in record.get("measure_types", ()):
                assert record["subject_category"] == "自然人"


def test_an_array_cell_keeps_the_statute_values_whole() -> None:
    from creditstd.records.decode import cell_decoder

    decode = cell_decoder("administrative_coercion", "measure_types")
    assert decode("查封场所、设施或者财物；扣押财物") == ["查封场所、设施或者财物", "扣押财物"]
    assert decode("扣押财物、冻结存款、汇款") == ["扣押财物", "冻结存款、汇款"]  # the enumeration comma between items
    assert decode("冻结存款、、汇款、其他") == ["冻结存款", "汇款", "其他"]  # no known value: split as before
    penalty = cell_decoder("administrative_penalty", "penalty_types")
    assert penalty("罚款、暂扣或者吊销许可证、暂扣或者吊销执照") == ["罚款", "暂扣或者吊销许可证、暂扣或者吊销执照"]
    assert decode("、" * 100_000 + "冻结存款") == ["冻结存款"]  # a hostile cell costs linear time


@pytest.mark.parametrize("name", ["administrative_coercion", "administrative_penalty", "administrative_reward",
                                  "administrative_inspection"])
def test_array_fields_survive_a_csv_round_trip(name: str, tmp_path: Path) -> None:
    """Fake records written as a CSV for Excel (arrays joined with ；) validate as they did as JSON."""
    from click.testing import CliRunner

    from creditstd.cli import main
    from creditstd.records.export import write_csv

    records = [made.record for made in fake_records(name, 120, seed=7, on=date(2026, 6, 30))]
    path = tmp_path / f"{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        write_csv(records, name, stream, headers="zh")
    result = CliRunner().invoke(main, ["validate", str(path), "--class", name, "--format", "json",
                                       "--on", "2026-06-30"])
    report = json.loads(result.stdout)
    assert result.exit_code == 0, [group["code"] for group in report["files"][0].get("errors", [])]
