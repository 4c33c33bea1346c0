"""The content classes of the catalogue: a realistic valid record per class, and targeted invalid variants.

Each valid record passes the strict validator with no error at all; each variant changes one thing and must
produce exactly the listed (path, code) errors.  Note how the validator reports things:

* a missing field that a conditional (``allOf`` with ``x-rule``) requires is ``rule.<x-rule>``;
* any other failure inside a conditional (an enum, a const) keeps its keyword code, e.g. ``record.enum``;
* ``date_not_after`` reports on its first field (the earlier date), ``rule.date_in_future`` for ``today``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from creditstd import uscc
from creditstd.catalogue import get_class, validator
from creditstd.records import loader
from creditstd.records.masking import for_publication
from creditstd.records.publication import is_displayable, publication_window

TODAY = date(2026, 11, 1)

# Authority codes: valid GB 32100 codes of 机构编制/机关 (11...) built with the check characters, not real bodies.
AUTH_SZ = "11440300007542793N"
AUTH_GD = "11440000006400021U"
AUTH_FZ = "113501000037022195"
AUTH_NAT = "11100000000013469Q"
AUTH_COUNTY = "11110000000027553K"
COURT = "11440300MB2C920185"
COMPANY = "914403001922038216"  # orgcode 19220382-1
COMPANY_FZ = "91350100M000100Y43"  # orgcode M000100Y4

VALID: dict[str, dict[str, Any]] = {
    "registration_basic": {
        "name": "深圳市某某科技有限公司", "uscc": COMPANY, "orgcode": "192203821", "regno": "440301103097413",
        "organisation_type": "有限责任公司", "legal_representative": "张三", "legal_representative_id_type": "身份证",
        "legal_representative_id_number": "11010519491231002X", "establishment_date": "2003-05-20",
        "approval_date": "2021-07-01", "last_updated": "2024-03-01", "status": "1",
        "registered_address": "深圳市南山区科技园路1号", "region": "440305",
        "business_scope": "计算机软件开发；技术咨询。",
        "registered_capital": 500, "currency": "人民币", "industry_code": "I6513",
        "registration_authority": "深圳市市场监督管理局", "registration_authority_uscc": AUTH_SZ,
        "valid_from": "2003-05-20", "valid_to": "2099-12-31", "shareholders": ["张三", "深圳市某某投资有限公司"],
        "is_public": "1",
    },
    "serious_dishonesty_list": {
        "subject_name": "福州某某贸易有限公司", "subject_category": "法人及非法人组织", "uscc": COMPANY_FZ,
        "orgcode": "M000100Y4", "legal_representative": "李四", "list_code": "major_tax_violation", "sector": "tax",
        "listing_reason": "虚开增值税专用发票", "dishonesty_facts": "2022年虚开增值税专用发票50份，价税合计300万元。",
        "legal_basis": "《重大税收违法失信主体信息公布管理办法》", "authority": "国家税务总局福州市税务局稽查局",
        "authority_uscc": AUTH_FZ, "inclusion_document_number": "榕税稽罚〔2023〕12号", "inclusion_date": "2023-06-01",
        "removal_date": "2026-06-01", "removal_reason": "公布期满",
    },
    "abnormal_operation": {
        "subject_name": "深圳市某某科技有限公司", "subject_category": "法人及非法人组织", "uscc": COMPANY,
        "inclusion_reason": "未按规定期限公示年度报告", "inclusion_date": "2023-07-01",
        "inclusion_authority": "深圳市市场监督管理局", "inclusion_authority_uscc": AUTH_SZ,
        "inclusion_document_number": "深市监异〔2023〕1001号", "removal_date": "2023-09-15",
        "removal_reason": "补报未报年份的年度报告并公示", "removal_authority": "深圳市市场监督管理局",
        "removal_authority_uscc": AUTH_SZ,
    },
    "credit_rating": {
        "subject_name": "深圳市某某科技有限公司", "subject_category": "法人及非法人组织", "uscc": COMPANY,
        "scheme": "tax", "grade": "A", "evaluation_year": 2023, "authority": "国家税务总局深圳市税务局",
        "authority_uscc": AUTH_SZ, "evaluation_date": "2024-04-15", "valid_from": "2024-04-15",
        "valid_to": "2025-04-14",
    },
    "honour": {
        "subject_name": "深圳市某某科技有限公司", "subject_category": "法人及非法人组织", "uscc": COMPANY,
        "honour_name": "守合同重信用企业", "honour_level": "省级", "authority": "广东省市场监督管理局",
        "authority_uscc": AUTH_GD, "document_number": "粤市监〔2023〕88号", "award_date": "2023-05-10",
        "valid_from": "2023-05-10", "valid_to": "2025-05-09",
    },
    "credit_commitment": {
        "subject_name": "深圳市某某科技有限公司", "subject_category": "法人及非法人组织", "uscc": COMPANY,
        "legal_representative": "张三", "commitment_type": "容缺受理型", "commitment_matter": "食品经营许可",
        "commitment_content": "承诺在30日内补齐从业人员健康证明，逾期未补齐的自愿承担撤销许可的后果。",
        "document_number": "CN-2024-0001", "commitment_date": "2024-01-05", "authority": "深圳市市场监督管理局",
        "authority_uscc": AUTH_SZ, "fulfilment_status": "已履约", "fulfilment_checked_date": "2024-02-05",
    },
    "contract_performance": {
        "subject_name": "深圳市某某科技有限公司", "subject_category": "法人及非法人组织", "uscc": COMPANY,
        "legal_representative": "张三", "contract_name": "政务云平台运维服务采购合同",
        "contract_number": "SZCG2023-0456",
        "contract_type": "政府采购合同", "counterparty_name": "深圳市某某局", "counterparty_uscc": AUTH_SZ,
        "amount": 120.5, "signing_date": "2023-03-01", "agreed_end_date": "2024-02-29", "performance_status": "违约",
        "status_date": "2023-12-20", "breach_facts": "未按合同约定的响应时限提供运维服务。",
        "authority": "深圳市政府采购中心", "authority_uscc": AUTH_SZ,
    },
    "professional_qualification": {
        "person_name": "王五", "id_type": "身份证", "id_number": "513101198201130014", "occupational_group": "律师",
        "qualification_name": "律师执业证", "qualification_category": "执业资格",
        "certificate_number": "14403200810123456", "authority": "广东省司法厅", "authority_uscc": AUTH_GD,
        "practice_organisation": "广东某某律师事务所", "issue_date": "2008-07-01", "status": "有效",
    },
    "judicial_judgement": {
        "case_number": "（2023）粤0305执1234号", "court": "深圳市南山区人民法院", "court_uscc": COURT,
        "case_type": "执行", "cause": "买卖合同纠纷", "subject_name": "赵六", "subject_category": "自然人",
        "id_type": "身份证", "id_number": "360426199101010071", "party_role": "被执行人", "document_type": "裁定书",
        "judgement_date": "2023-04-10", "amount": 35.2, "enforcement_status": "未履行", "listed_as_dishonest": True,
        "inclusion_date": "2023-06-01",
    },
    "government_dishonesty": {
        "body_name": "某某县人民政府", "body_uscc": AUTH_COUNTY, "body_level": "县级", "sector": "investment_promotion",
        "dishonesty_type": "政策不兑现", "record_source": "司法判决",
        "facts": "未兑现招商引资协议约定的产业扶持资金200万元，经法院判决后仍未履行。", "occurrence_date": "2021-03-01",
        "document_number": "（2022）某01民终345号", "recorded_date": "2022-10-01",
        "authority": "某某省发展和改革委员会",
        "authority_uscc": AUTH_NAT, "rectification_status": "已整改", "rectification_deadline": "2023-03-31",
        "rectification_date": "2023-02-28",
        "responsible_persons": [{"name": "钱七", "position": "副县长", "id_number": "440524188001010014",
                                 "accountability": "诫勉谈话"}],
    },
}

NAMES = list(VALID)


def variant(name: str, **changes: Any) -> dict[str, Any]:
    """The valid record of ``name`` with ``changes`` applied; a value of None removes the field."""
    record = {**VALID[name], **changes}
    return {key: value for key, value in record.items() if value is not None}


def errors(name: str, record: dict[str, Any]) -> list[tuple[str, str]]:
    return [(error.path, error.code) for error in validator(name, strict=True).iter_errors(record, today=TODAY)]


def test_identifiers_of_the_examples_are_valid() -> None:
    for code in (AUTH_SZ, AUTH_GD, AUTH_FZ, AUTH_NAT, AUTH_COUNTY, COURT, COMPANY, COMPANY_FZ):
        assert uscc.is_valid(code, strict=True), code


def test_every_class_is_in_the_catalogue() -> None:
    assert set(NAMES) <= set(loader.class_names())


@pytest.mark.parametrize("name", NAMES)
def test_valid_record_has_no_errors(name: str) -> None:
    assert errors(name, VALID[name]) == []
    assert list(validator(name).iter_errors(VALID[name], today=TODAY)) == []


INVALID = [
    # registration_basic
    ("registration_basic", {"orgcode": "M000100Y4"}, [("$.orgcode", "rule.orgcode_in_uscc")]),
    ("registration_basic", {"status": "5"}, [("$.status", "record.enum")]),
    ("registration_basic", {"establishment_date": "2022-01-01"}, [("$.establishment_date", "rule.date_not_after")]),
    ("registration_basic", {"currency": None}, [("$.currency", "rule.capital_needs_currency")]),
    ("registration_basic", {"legal_representative_id_number": "110105194912310021"},
     [("$.legal_representative_id_number", "ric.checksum")]),
    ("registration_basic", {"legal_representative_id_type": None},
     [("$.legal_representative_id_type", "rule.legal_representative_id_number_needs_type")]),
    ("registration_basic", {"uscc": "00000000000000000X"}, [("$.uscc", "uscc.placeholder")]),
    # serious_dishonesty_list
    ("serious_dishonesty_list", {"removal_reason": None}, [("$.removal_reason", "rule.removal_needs_reason")]),
    ("serious_dishonesty_list", {"removal_date": None}, [("$.removal_date", "rule.removal_reason_needs_date")]),
    ("serious_dishonesty_list", {"removal_date": "2023-01-01"}, [("$.inclusion_date", "rule.date_not_after")]),
    ("serious_dishonesty_list", {"list_code": "dishonest_judgment_debtors"},
     [("$.case_number", "rule.court_list_needs_case_number")]),
    ("serious_dishonesty_list", {"list_code": "blacklist"}, [("$.list_code", "record.enum")]),
    ("serious_dishonesty_list", {"subject_category": "自然人"},
     [("$.id_type", "rule.natural_person_needs_id"), ("$.id_number", "rule.natural_person_needs_id")]),
    ("serious_dishonesty_list", {"uscc": None}, [("$.uscc", "rule.legal_person_needs_uscc")]),
    # abnormal_operation
    ("abnormal_operation", {"subject_category": "自然人"}, [("$.subject_category", "record.enum")]),
    ("abnormal_operation", {"inclusion_reason": "其他"}, [("$.inclusion_reason", "record.enum")]),
    ("abnormal_operation", {"removal_authority": None, "removal_authority_uscc": None},
     [("$.removal_authority", "rule.removal_needs_reason_and_authority")]),
    ("abnormal_operation", {"removal_date": "2023-06-30"}, [("$.inclusion_date", "rule.date_not_after")]),
    ("abnormal_operation", {"subject_category": "个体工商户", "uscc": "00000000000000000X"},
     [("$.regno", "rule.placeholder_needs_regno")]),
    # credit_rating
    ("credit_rating", {"grade": "AA"}, [("$.grade", "rule.tax_grade")]),
    ("credit_rating", {"scheme": "customs", "grade": "A"}, [("$.grade", "rule.grade_by_date")]),
    ("credit_rating", {"scheme": "credit_bureau"}, [("$.scheme", "record.enum")]),
    ("credit_rating", {"valid_to": "2024-04-01"},
     [("$.valid_from", "rule.date_not_after"), ("$.evaluation_date", "rule.date_not_after")]),
    # honour
    ("honour", {"honour_level": "区级"}, [("$.honour_level", "record.enum")]),
    ("honour", {"subject_category": "自然人", "subject_name": "孙八", "uscc": None, "id_type": "身份证"},
     [("$.id_number", "rule.natural_person_needs_id")]),
    ("honour", {"award_date": "2027-01-01", "valid_from": None, "valid_to": None},
     [("$.award_date", "rule.date_in_future")]),
    # credit_commitment
    ("credit_commitment", {"fulfilment_status": "未履约"}, [("$.breach_description", "rule.breach_needs_description")]),
    ("credit_commitment", {"fulfilment_checked_date": None},
     [("$.fulfilment_checked_date", "rule.fulfilled_needs_check_date")]),
    ("credit_commitment", {"fulfilment_checked_date": "2023-12-01"}, [("$.commitment_date", "rule.date_not_after")]),
    ("credit_commitment", {"commitment_type": "承诺型"}, [("$.commitment_type", "record.enum")]),
    # contract_performance
    ("contract_performance", {"breach_facts": None}, [("$.breach_facts", "rule.breach_needs_facts")]),
    ("contract_performance", {"performance_status": "解除", "status_date": None},
     [("$.status_date", "rule.termination_needs_date")]),
    ("contract_performance", {"agreed_end_date": "2022-12-31"}, [("$.signing_date", "rule.date_not_after")]),
    ("contract_performance", {"amount": -1}, [("$.amount", "record.minimum")]),
    # professional_qualification
    ("professional_qualification", {"id_number": "110105194912310021"}, [("$.id_number", "ric.checksum")]),
    ("professional_qualification", {"status": "吊销"}, [("$.status_date", "rule.status_change_needs_date")]),
    ("professional_qualification", {"occupational_group": "厨师"}, [("$.occupational_group", "record.anyOf")]),
    ("professional_qualification", {"id_number": None}, [("$.id_number", "record.required")]),
    # judicial_judgement
    ("judicial_judgement", {"party_role": "原告"}, [("$.party_role", "rule.listed_party_is_debtor")]),
    ("judicial_judgement", {"listed_as_dishonest": False},
     [("$.listed_as_dishonest", "rule.inclusion_date_needs_listing")]),
    ("judicial_judgement", {"inclusion_date": None}, [("$.inclusion_date", "rule.listed_needs_inclusion_date")]),
    ("judicial_judgement", {"removal_date": "2023-01-01"}, [("$.inclusion_date", "rule.date_not_after")]),
    ("judicial_judgement", {"id_number": "36042619910102009X"}, [("$.id_number", "ric.checksum")]),
    # government_dishonesty
    ("government_dishonesty", {"body_uscc": COMPANY}, [("$.body_uscc", "record.pattern")]),
    ("government_dishonesty", {"rectification_date": None}, [("$.rectification_date", "rule.rectified_needs_date")]),
    ("government_dishonesty", {"rectification_status": "整改中"},
     [("$.rectification_status", "rule.rectification_date_needs_status")]),
    ("government_dishonesty", {"dishonesty_type": "不履行生效判决", "document_number": None},
     [("$.document_number", "rule.judgement_needs_document")]),
    ("government_dishonesty", {"occurrence_date": "2022-11-01"}, [("$.occurrence_date", "rule.date_not_after")]),
    ("government_dishonesty", {"responsible_persons": [{"name": "钱七", "id_number": "110105194912310021"}]},
     [("$.responsible_persons[0].id_number", "ric.checksum")]),
]


@pytest.mark.parametrize(("name", "changes", "expected"), INVALID)
def test_invalid_variant_reports_exactly_its_errors(name: str, changes: dict, expected: list) -> None:
    assert errors(name, variant(name, **changes)) == expected


def test_every_class_has_at_least_two_targeted_invalid_variants() -> None:
    counts = {name: sum(1 for case in INVALID if case[0] == name) for name in NAMES}
    assert all(count >= 2 for count in counts.values()), counts


def test_tax_grade_aa_fails_and_m_passes() -> None:
    assert errors("credit_rating", variant("credit_rating", grade="AA")) == [("$.grade", "rule.tax_grade")]
    assert errors("credit_rating", variant("credit_rating", grade="M")) == []


def test_every_grade_table_of_the_taxonomy_is_enforced() -> None:
    schemes = loader.taxonomy()["code_tables"]["credit_grade_schemes"]["values"]
    rules = {conditional["x-rule"] for conditional in get_class("credit_rating").conditionals}
    for scheme in schemes:
        if scheme.get("grade_tables"):  # dated tables: the named rule grade_by_date, per the evaluation date
            for table in scheme["grade_tables"]:
                day = table["valid_from"] or "2015-06-30"
                for grade in table["grades"]:
                    record = variant("credit_rating", scheme=scheme["code"], grade=grade["code"], evaluation_date=day,
                                     valid_from=None, valid_to=None)
                    assert errors("credit_rating", record) == [], (day, grade["code"])
                record = variant("credit_rating", scheme=scheme["code"], grade="ZZ", evaluation_date=day,
                                 valid_from=None, valid_to=None)
                assert errors("credit_rating", record) == [("$.grade", "rule.grade_by_date")]
            continue
        grades = [grade["code"] for grade in scheme["grades"]]
        for grade in grades:
            assert errors("credit_rating", variant("credit_rating", scheme=scheme["code"], grade=grade)) == []
        if grades:
            assert f"{scheme['code']}_grade" in rules
            foreign = "ZZ"
            assert errors("credit_rating", variant("credit_rating", scheme=scheme["code"], grade=foreign)) == [
                ("$.grade", f"rule.{scheme['code']}_grade")]
        else:  # no known grade table: any short code
            assert errors("credit_rating", variant("credit_rating", scheme=scheme["code"], grade="AAA")) == []


def test_code_lists_follow_the_taxonomy() -> None:
    tables = loader.taxonomy()["code_tables"]
    fields = get_class("serious_dishonesty_list").fields
    assert fields["list_code"].schema["enum"] == [
        value["code"] for value in tables["serious_dishonesty_list"]["values"]]
    assert get_class("credit_rating").fields["scheme"].schema["enum"] == [
        value["code"] for value in tables["credit_grade_schemes"]["values"]]
    assert get_class("registration_basic").fields["status"].schema["enum"] == [
        value["code"] for value in tables["entity_status"]["values"]]


def test_list_membership_windows() -> None:
    window = publication_window(VALID["serious_dishonesty_list"], "serious_dishonesty_list", "list-membership")
    assert (window.start, window.end) == (date(2023, 6, 1), date(2026, 6, 1))
    window = publication_window(VALID["abnormal_operation"], "abnormal_operation", "list-membership")
    assert (window.start, window.end) == (date(2023, 7, 1), date(2023, 9, 15))
    listed = VALID["judicial_judgement"]
    assert is_displayable(listed, "judicial_judgement", on=TODAY, rule_set="list-membership")
    never_listed = variant("judicial_judgement", listed_as_dishonest=False, inclusion_date=None, party_role="被告",
                           case_type="民事", case_number="（2023）粤0305民初5678号")
    assert errors("judicial_judgement", never_listed) == []
    assert publication_window(never_listed, "judicial_judgement", "list-membership").start is None
    assert not is_displayable(never_listed, "judicial_judgement", on=TODAY, rule_set="list-membership")


def test_validity_period_windows() -> None:
    window = publication_window(VALID["credit_rating"], "credit_rating", "validity-period")
    # valid to 2025-04-14 inclusive: displayed up to, not including, 2025-04-15
    assert (window.start, window.end) == (date(2024, 4, 15), date(2025, 4, 15))
    no_term = variant("honour", valid_from=None, valid_to=None)
    window = publication_window(no_term, "honour", "validity-period")
    assert (window.start, window.end) == (date(2023, 5, 10), None)


def test_publication_masks_natural_persons_and_drops_shared_fields() -> None:
    on = date(2024, 6, 1)  # every example is displayed that day (the honour's validity ended on 2025-05-09)
    public = for_publication(VALID["judicial_judgement"], "judicial_judgement", on=on)
    assert public is not None and public["subject_name"] == "赵*" and public["id_number"] == "360426********0071"
    public = for_publication(VALID["registration_basic"], "registration_basic", on=on)
    assert public is not None and "legal_representative_id_number" not in public and public["uscc"] == COMPANY
    assert for_publication(VALID["professional_qualification"], "professional_qualification", on=on) is None
    public = for_publication(VALID["government_dishonesty"], "government_dishonesty", on=on)
    assert public is not None and "responsible_persons" not in public and public["body_name"] == "某某县人民政府"
    public = for_publication(VALID["honour"], "honour", on=on)
    assert public is not None and public["subject_name"] == "深圳市某某科技有限公司"
    assert for_publication(VALID["honour"], "honour", on=date(2025, 5, 10)) is None  # validity over
