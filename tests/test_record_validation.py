"""Record validation: every error with its path, stable code and bilingual message; formats always checked."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standard_examples import penalty_record

from creditstd.catalogue import validator
from creditstd.findings import Finding

PERSON = {"subject_category": "自然人", "subject_name": "李四", "uscc": None, "orgcode": None,
          "legal_representative": None, "id_type": "身份证", "id_number": "11010519491231002X"}


def errors(record: dict, strict: bool = False) -> list[tuple[str, str]]:
    return [(error.path, error.code) for error in validator("administrative_penalty", strict).iter_errors(record)]


def test_valid_record_has_no_errors() -> None:
    assert errors(penalty_record()) == []
    assert errors(penalty_record(), strict=True) == []
    assert errors(penalty_record(**PERSON)) == []


def test_identifier_formats_are_always_checked_with_their_own_codes() -> None:
    assert ("$.uscc", "uscc.checksum") in errors(penalty_record(uscc="91350100M000100Y4Z"))
    assert ("$.authority_uscc", "uscc.checksum") in errors(penalty_record(authority_uscc="11350100MAD18YGF2Z"))
    assert ("$.orgcode", "orgcode.checksum") in errors(penalty_record(orgcode="M000100Y-5"))
    assert ("$.decision_date", "record.date") in errors(penalty_record(decision_date="2024-02-30"))
    assert ("$.id_number", "ric.checksum") in errors(penalty_record(**{**PERSON, "id_number": "110105194912310021"}))


def test_strict_mode_reaches_the_identifier_tables() -> None:
    body = "91000000M000100Y4"
    from creditstd import uscc

    code = body + uscc.calc_check_digit(body)
    record = penalty_record(uscc=code, orgcode=None)
    assert errors(record) == []
    assert ("$.uscc", "uscc.region") in errors(record, strict=True)


def test_placeholder_needs_registration_number() -> None:
    record = penalty_record(subject_category="个体工商户", uscc="00000000000000000X", orgcode=None,
                            legal_representative=None)
    assert ("$.regno", "rule.placeholder_needs_regno") in errors(record)
    assert errors({**record, "regno": "440301103097413"}) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"subject_category": "自然人", "legal_representative": None}, ("$.id_type", "rule.natural_person_needs_id")),
        ({"uscc": None}, ("$.uscc", "rule.legal_person_needs_uscc")),
        ({"fine_amount": None}, ("$.fine_amount", "rule.fine_needs_amount")),
        ({"penalty_types": ["吊销许可证件"], "fine_amount": None},
         ("$.licence_suspended_or_revoked", "rule.revocation_needs_licence")),
        ({"decision_number": None}, ("$.decision_number", "record.required")),
        ({"penalty_types": ["罚金"]}, ("$.penalty_types[0]", "record.anyOf")),
        ({"penalty_types": []}, ("$.penalty_types", "record.minItems")),
        ({"subject_category": "法人"}, ("$.subject_category", "record.enum")),
        ({"fine_amount": -1}, ("$.fine_amount", "record.minimum")),
        ({"fine_amount": "0.2"}, ("$.fine_amount", "record.type")),
        ({"decision_number": "x" * 129}, ("$.decision_number", "record.maxLength")),
        ({"publication_end": "2024-03-14"}, ("$.decision_date", "rule.date_not_after")),
        ({"decision_date": "2999-01-01", "valid_until": "2999-01-01", "publication_end": "2999-01-01"},
         ("$.decision_date", "rule.date_in_future")),
        ({"orgcode": "19220382-1"}, ("$.orgcode", "rule.orgcode_in_uscc")),
        ({"sector": "astrology"}, ("$.sector", "record.sector")),
        ({"colour": "red"}, ("$.colour", "record.unknown_field")),
    ],
)
def test_each_rule_reports_its_path_and_code(changes: dict, expected: tuple[str, str]) -> None:
    assert expected in errors(penalty_record(**changes))


def test_every_error_is_reported_not_just_the_first() -> None:
    found = errors(penalty_record(uscc="91350100M000100Y4Z", decision_date="2024-13-01", fine_amount=None))
    assert {"uscc.checksum", "record.date", "rule.fine_needs_amount"} <= {code for _, code in found}


def test_messages_are_bilingual_name_the_field_and_never_quote_personal_values() -> None:
    record = penalty_record(**{**PERSON, "id_number": "110105194912310021", "subject_name": "王五"})
    for error in validator("administrative_penalty").iter_errors(record):
        assert isinstance(error, Finding)
        assert error.message_zh and error.message_en
        assert "110105194912310021" not in error.message_zh + error.message_en + str(error)
        assert "王五" not in error.message_zh + error.message_en
    error = next(validator("administrative_penalty").iter_errors(record))
    assert error.field == "id_number" and error.field_code == "CF_XDR_ZJHM"
    assert "证件号码（CF_XDR_ZJHM）" in error.message_zh and "id_number (CF_XDR_ZJHM)" in error.message_en


def test_non_object_record() -> None:
    assert errors(["not", "a", "record"]) == [("$", "record.type")]


def test_validator_is_cached_per_class_and_strictness() -> None:
    assert validator("administrative_penalty") is validator("administrative_penalty")
    assert validator("administrative_penalty") is not validator("administrative_penalty", True)


def test_a_value_remembered_by_the_validator_is_remembered_with_its_json_type() -> None:
    """``True == 1`` in Python, but a boolean and a number are different JSON values: the findings the
    validator remembers per field value must not be shared between them."""
    from creditstd.records.validation import validator

    check = validator("administrative_penalty")
    number = {(e.path, e.code) for e in check.iter_errors({"fine_amount": 1}) if e.field == "fine_amount"}
    boolean = {(e.path, e.code) for e in check.iter_errors({"fine_amount": True}) if e.field == "fine_amount"}
    again = {(e.path, e.code) for e in check.iter_errors({"fine_amount": 1}) if e.field == "fine_amount"}
    assert number == again == set()
    assert boolean == {("$.fine_amount", "record.type")}


def test_errors_in_runs_only_the_conditionals_asked_for() -> None:
    from creditstd.records.validation import validator

    check = validator("administrative_penalty")
    record = {"subject_category": "法人及非法人组织"}  # a legal person without a USCC: a conditional fails
    every = {e.code for e in check.errors_in(record, conditionals=True) if e.code.startswith("rule.")}
    assert every
    assert not {e.code for e in check.errors_in(record, conditionals=False) if e.code.startswith("rule.")}
    failing = [index for index in range(len(check.record_class.conditionals))
               if any(e.code.startswith("rule.") for e in check.errors_in(record, conditionals={index}))]
    assert failing and {e.code for index in failing for e in check.errors_in(record, conditionals={index})
                        if e.code.startswith("rule.")} == every


def test_a_conditionals_remembered_findings_are_those_it_finds_on_the_same_values() -> None:
    """conditional_errors remembers a conditional's findings by the values it constrains and the presence of the
    fields it requires: the same inputs, the same findings; a change in any of them, its own findings."""
    from creditstd.records.validation import validator

    check = validator("administrative_penalty")
    fresh = type(check)(check.record_class)
    records = [{"subject_category": "法人及非法人组织"},
               {"subject_category": "法人及非法人组织", "uscc": "91350100M000100Y43"},
               {"subject_category": "法人及非法人组织", "uscc": "91350100M000100Y43", "legal_representative": "张三"},
               {"subject_category": "自然人"}, {"subject_category": "自然人", "id_type": "身份证",
                                              "id_number": "11010519491231002X"},
               {"subject_category": "自然人", "id_type": "身份证", "id_number": "110105194912310021"}]
    indexes = range(len(check.record_class.conditionals))
    for _ in range(2):  # the second round comes from memory
        for record in records:
            expected = [(e.path, e.code, e.message_en) for e in fresh.errors_in(record, fields=(), rules=())
                        if e.code.startswith("rule.") or e.code.startswith("ric.")]
            got = [(e.path, e.code, e.message_en) for e in check.conditional_errors(record, indexes)]
            assert sorted(set(got)) == sorted(set(expected)), record


_PENALTY_ITEMS = st.sampled_from(["罚款", "警告", "没收违法所得", "没收非法财物", "没收违法所得、没收非法财物",
                                  "吊销营业执照", "暂扣许可证件", "其他-责令改正", "", " 罚款", 1, 1.0, True, None])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.fixed_dictionaries({}, optional={
    "penalty_types": st.one_of(st.lists(_PENALTY_ITEMS, max_size=4), _PENALTY_ITEMS,
                               st.lists(st.lists(_PENALTY_ITEMS, max_size=2), max_size=2)),
    "fine_amount": st.sampled_from([0.2, 1, "1.5万元", None]),
    "confiscation_amount": st.sampled_from([3.0, "x", None]),
    "licence_suspended_or_revoked": st.sampled_from(["许可证", "", None]),
    "subject_category": st.sampled_from(["自然人", "法人及非法人组织", "个体工商户", 5]),
}), min_size=1, max_size=6))
def test_a_conditional_on_an_array_is_remembered_by_its_items(records: list[dict]) -> None:
    """conditional_errors remembers the findings of a conditional on an array field (penalty_types contains
    罚款) by the array's items and their types: what it returns from memory is what a validator that has seen
    nothing finds."""
    from creditstd.records import validation

    check = validation.validator("administrative_penalty")
    indexes = range(len(check.record_class.conditionals))
    for record in records * 2:  # the second round comes from memory
        fresh = validation.RecordValidator(check.record_class)
        assert check.conditional_errors(record, indexes) == fresh.conditional_errors(record, indexes), record
