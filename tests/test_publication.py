"""Display periods per rule set on worked examples (boundary days included), lifecycle, masking."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standard_examples import changed, penalty_record

from creditstd import ric
from creditstd.catalogue import validator
from creditstd.exceptions import CatalogueError
from creditstd.records.masking import for_publication
from creditstd.records.publication import add_period, is_displayable, lifecycle, publication_window

PENALTY = "administrative_penalty"


def window(rule_set: str, **changes: object):
    return publication_window(penalty_record(**changes), PENALTY, rule_set)


# --- SAMR Order 45: counted from publication, 3 months / 3 years, warnings not published ---------------------

def test_samr_warning_only_is_not_published() -> None:
    result = window("samr-order-45-2021", penalty_types=["警告"], fine_amount=None)
    assert not result.published and result.rule == "warning_only"
    assert not is_displayable(penalty_record(penalty_types=["警告"], fine_amount=None), PENALTY,
                              on=date(2024, 3, 20), rule_set="samr-order-45-2021")


def test_samr_simplified_procedure_is_not_published() -> None:
    assert not window("samr-order-45-2021", procedure="简易程序").published


def test_samr_notice_of_criticism_three_months_from_publication_with_boundaries() -> None:
    record = penalty_record(penalty_types=["通报批评"], fine_amount=None, publication_date="2024-03-20")
    result = publication_window(record, PENALTY, "samr-order-45-2021")
    assert result.rule == "criticism_or_low_fine"
    assert (result.start, result.end) == (date(2024, 3, 20), date(2024, 6, 20))
    assert not result.early_end_allowed
    on = {day: is_displayable(record, PENALTY, on=date(2024, *day), rule_set="samr-order-45-2021")
          for day in ((3, 19), (3, 20), (6, 19), (6, 20))}
    assert on == {(3, 19): False, (3, 20): True, (6, 19): True, (6, 20): False}


def test_samr_low_fine_depends_on_the_provincial_threshold() -> None:
    record = penalty_record(publication_date="2024-03-20")  # a 0.2 万元 fine
    assert publication_window(record, PENALTY, "samr-order-45-2021").rule == "default"  # no threshold set
    low = publication_window(record, PENALTY, "samr-order-45-2021", parameters={"low_fine_threshold": 1})
    assert low.rule == "criticism_or_low_fine" and low.end == date(2024, 6, 20)
    high = publication_window(penalty_record(fine_amount=5), PENALTY, "samr-order-45-2021",
                              parameters={"low_fine_threshold": 1})
    assert high.rule == "default"


def test_samr_default_three_years_and_longer_restrictions() -> None:
    result = window("samr-order-45-2021", publication_date="2024-03-20")
    assert (result.start, result.end) == (date(2024, 3, 20), date(2027, 3, 20)) and result.early_end_allowed
    # no publication date: counted from the decision date
    assert window("samr-order-45-2021").start == date(2024, 3, 15)
    # Art. 13: only a restriction of business activities or of practice longer than 3 years lengthens the display
    longer = window("samr-order-45-2021", penalty_types=["罚款", "限制从业"], valid_until="2029-01-01")
    assert longer.rule == "long_restriction" and not longer.early_end_allowed
    assert longer.end == date(2029, 1, 2)  # valid until 2029-01-01 inclusive: that day is still shown
    # a penalty with a later valid-until date but no restriction: 3 years, not the validity
    assert window("samr-order-45-2021", valid_until="2029-01-01").end == date(2027, 3, 15)


def test_samr_severe_penalties_cannot_end_early() -> None:
    result = window("samr-order-45-2021", penalty_types=["罚款", "吊销许可证件"],
                    licence_suspended_or_revoked="食品经营许可证 JY123")
    assert result.rule == "default" and not result.early_end_allowed


# --- NDRC 2019 No. 527: counted from the decision date ----------------------------------------------------------

def test_ndrc_2019_general_and_serious() -> None:
    general = window("ndrc-2019-527")
    assert (general.start, general.min_end, general.end) == (date(2024, 3, 15), date(2024, 6, 15), date(2025, 3, 15))
    serious = window("ndrc-2019-527", severity="严重")
    assert (serious.min_end, serious.end) == (date(2024, 9, 15), date(2027, 3, 15))
    record = penalty_record()
    assert is_displayable(record, PENALTY, on=date(2025, 3, 14), rule_set="ndrc-2019-527")
    assert not is_displayable(record, PENALTY, on=date(2025, 3, 15), rule_set="ndrc-2019-527")
    assert not is_displayable(record, PENALTY, on=date(2024, 3, 14), rule_set="ndrc-2019-527")


def test_ndrc_order_58_safety_sectors_have_a_one_year_minimum_and_are_marked_unverified() -> None:
    safety = window("ndrc-order-58-2023", sector="production_safety")
    assert safety.rule == "safety_sectors" and safety.min_end == date(2025, 3, 15) and not safety.verified
    assert window("ndrc-order-58-2023").min_end == date(2024, 6, 15)


def test_month_arithmetic_clamps_to_month_end() -> None:
    assert add_period(date(2023, 11, 30), "P3M") == date(2024, 2, 29)
    assert add_period(date(2024, 8, 31), "P6M") == date(2025, 2, 28)
    assert add_period(date(2024, 1, 1), "P10D") == date(2024, 1, 11)
    with pytest.raises(ValueError):
        add_period(date(2024, 1, 1), "3 months")


def test_unknown_or_inapplicable_rule_set() -> None:
    with pytest.raises(CatalogueError):
        window("nope")
    with pytest.raises(CatalogueError) as caught:
        publication_window({}, "administrative_penalty", "list-membership")
    assert caught.value.code == "catalogue.rule_set_not_applicable"


# --- lifecycle ------------------------------------------------------------------------------------------------

def objection(record_id: str, status: str = "处理中", received: str = "2024-05-01") -> dict:
    data = {"objection_number": "YY-2024-1", "target_record_id": record_id, "target_class": PENALTY,
            "applicant_name": "福州某某科技有限公司", "applicant_category": "法人及非法人组织",
            "applicant_uscc": "91350100M000100Y43", "received_date": received, "reason": "处罚已撤销",
            "status": status, "authority": "福州市发展和改革委员会", "authority_uscc": "11350100MAD18YGF27"}
    if status != "处理中":
        data["decided_date"] = "2024-05-20"
    return {"class": "objection", "data": data}


def repair(record_id: str, decision: str = "准予修复", effective: str = "2024-07-01") -> dict:
    data = {"repair_number": "XF-2024-1", "target_record_id": record_id, "target_class": PENALTY,
            "applicant_name": "福州某某科技有限公司", "applicant_category": "法人及非法人组织",
            "applicant_uscc": "91350100M000100Y43", "application_date": "2024-06-01", "corrective_measures": "已整改",
            "decision": decision, "decision_date": "2024-06-20", "effective_date": effective,
            "authority": "福州市市场监督管理局", "authority_uscc": "11350100MAD18YGF27"}
    return {"class": "credit_repair", "data": data}


RID = "administrative_penalty:3f1e6c0e-0000-5000-8000-000000000000"


def status(on: date, related: tuple = (), **changes: object) -> str:
    return lifecycle(penalty_record(**changes), PENALTY, record_id=RID, related=related, on=on,
                     rule_set="ndrc-2019-527").status


def test_lifecycle_statuses() -> None:
    assert status(date(2024, 3, 1)) == "pending"
    assert status(date(2024, 4, 1)) == "published"
    assert status(date(2025, 3, 15)) == "expired"
    assert lifecycle(penalty_record(penalty_types=["警告"], fine_amount=None), PENALTY,
                     rule_set="samr-order-45-2021").status == "not_published"


def test_objection_marks_the_record_while_pending_only() -> None:
    assert status(date(2024, 5, 2), (objection(RID),)) == "objected"
    assert status(date(2024, 4, 30), (objection(RID),)) == "published"  # not yet received
    assert status(date(2024, 5, 2), (objection(RID, status="维持原记录"),)) == "published"
    assert status(date(2024, 5, 2), (objection("administrative_penalty:other"),)) == "published"


def test_granted_repair_ends_display_and_wins_over_an_objection() -> None:
    assert status(date(2024, 7, 1), (repair(RID), objection(RID))) == "repaired"
    assert status(date(2024, 6, 30), (repair(RID),)) == "published"
    assert status(date(2024, 7, 1), (repair(RID, decision="不予修复"),)) == "published"


def test_related_records_are_valid_instances_of_their_classes() -> None:
    for item in (objection(RID), objection(RID, status="已更正"), repair(RID)):
        assert list(validator(item["class"]).iter_errors(item["data"])) == []


# --- masking ---------------------------------------------------------------------------------------------------

def test_for_publication_drops_non_public_fields_and_masks_people() -> None:
    person = penalty_record(subject_category="自然人", subject_name="欧阳娜娜", uscc=None, orgcode=None,
                            legal_representative=None, id_type="身份证", id_number="11010519491231002X",
                            remarks="内部备注")
    public = for_publication(person, PENALTY, on=date(2024, 6, 1))
    assert public is not None
    assert public["subject_name"] == "欧***" and public["id_number"] == "110105********002X"
    company = for_publication(penalty_record(legal_representative_id_number="11010519491231002X",
                                             legal_representative_id_type="身份证"), PENALTY, on=date(2024, 6, 1))
    assert company is not None
    assert company["subject_name"] == "福州某某科技有限公司"  # an organisation's name is not masked
    assert "legal_representative_id_number" not in company and "legal_representative_id_type" not in company


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(list(ric.Kind)))
def test_masking_never_leaks_a_full_id_number(seed: int, kind: ric.Kind) -> None:
    number = ric.generate(kind=kind, rng=random.Random(seed))
    record = penalty_record(subject_category="自然人", subject_name="张三", uscc=None, orgcode=None,
                            id_type="身份证", id_number=number, legal_representative_id_number=number)
    public = for_publication(record, PENALTY, on=date(2024, 6, 1))
    assert public is not None
    text = repr(public)
    assert number not in text
    assert number[6:12] not in text  # the birth date is hidden too


# --- list membership and validity periods ----------------------------------------------------------------------

def _fake(class_name: str, **changes: object) -> dict:
    from creditstd.records.fake import fake_records

    return changed(next(iter(fake_records(class_name, 1, seed=7, on=date(2026, 6, 30)))).record, **changes)


def test_list_entry_is_displayed_from_inclusion_until_removal() -> None:
    listed = _fake("serious_dishonesty_list", inclusion_date="2024-01-10", removal_date=None, removal_reason=None)
    result = publication_window(listed, "serious_dishonesty_list", "list-membership")
    assert (result.start, result.end) == (date(2024, 1, 10), None)
    assert is_displayable(listed, "serious_dishonesty_list", on=date(2040, 1, 1), rule_set="list-membership")
    assert not is_displayable(listed, "serious_dishonesty_list", on=date(2024, 1, 9), rule_set="list-membership")
    removed = {**listed, "removal_date": "2024-06-01", "removal_reason": "已履行义务"}
    assert list(validator("serious_dishonesty_list").iter_errors(removed)) == []
    on = {day: is_displayable(removed, "serious_dishonesty_list", on=date(2024, *day), rule_set="list-membership")
          for day in ((5, 31), (6, 1))}
    assert on == {(5, 31): True, (6, 1): False}  # removed on 06-01: not shown that day


def test_validity_period_includes_its_last_day() -> None:
    honour = _fake("honour", valid_from="2024-01-01", valid_to="2025-12-31")
    result = publication_window(honour, "honour", "validity-period")
    assert (result.start, result.end) == (date(2024, 1, 1), date(2026, 1, 1))
    assert is_displayable(honour, "honour", on=date(2025, 12, 31), rule_set="validity-period")
    assert not is_displayable(honour, "honour", on=date(2026, 1, 1), rule_set="validity-period")
    assert lifecycle(honour, "honour", on=date(2026, 1, 1), rule_set="validity-period").status == "expired"


def test_default_rule_set_is_the_one_that_serves_the_class() -> None:
    honour = _fake("honour", valid_from="2024-01-01", valid_to="2025-12-31")
    assert publication_window(honour, "honour").rule_set == "validity-period"
    assert publication_window(penalty_record(), PENALTY).rule_set == "samr-order-45-2021"
    with pytest.raises(CatalogueError) as caught:
        publication_window({}, "contract_performance")
    assert caught.value.code == "catalogue.no_display_rule"
