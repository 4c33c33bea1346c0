"""Publication never leaks a personal number, keeps what the law makes public, and shows only what may be shown.

Issue 8, part 1: an ID number written anywhere -- a free-text field, a name, a list item, an object key -- in
any spelling (separators, full width, lower-case x, a wrong check character) never survives
:func:`~creditstd.records.masking.for_publication`; a legal person's USCC, decision numbers, dates and sums
survive unmasked; a record that is not displayed has no public form (``None``).
"""

from __future__ import annotations

import functools
import json
import random
import unicodedata
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from standard_examples import penalty_record

from creditstd.codes import ric, uscc
from creditstd.codes.redact import is_legal_person_code, redact_personal
from creditstd.records.fake import fake_records
from creditstd.records.loader import class_names
from creditstd.records.masking import effective_openness, for_publication, public_fields
from creditstd.records.model import record_class
from creditstd.records.publication import DISPLAYED_STATUSES, STATUSES, Lifecycle, lifecycle, publication_window

PENALTY = "administrative_penalty"
ON = date(2026, 6, 30)
NDRC = "ndrc-2019-527"  # 2024-03-15 + 1 year for a small fine: displayed 2024-03-15 up to 2025-03-15
RID = "administrative_penalty:3f1e6c0e-0000-5000-8000-000000000000"
FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")
SEPARATORS = (" ", "-", "\u3000", "－", "\u00a0")


# --- the numbers and their spellings ----------------------------------------------------------------------------

def _broken(number: str) -> str:
    """``number`` (18 characters) with a wrong check character: a mistyped ID number is still a person's."""
    return number[:17] + next(char for char in "0123456789X" if char != number[17])


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    """A number a person may be identified by, canonical (ASCII, upper case): 18- and 15-digit ID numbers,
    residence permits, the 2023 and the old foreigner PR IDs, valid or with a wrong check character."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from([*ric.Kind, "pr_old"]))
    if kind == "pr_old":
        letters = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(3))
        return letters + "".join(rng.choice("0123456789") for _ in range(12))
    number = ric.generate(kind=kind, rng=rng)
    if len(number) == 18 and draw(st.booleans()):
        number = _broken(number)
    return number


@st.composite
def spellings(draw: st.DrawFn, number: str) -> str:
    """``number`` as people write it: as is, lower-case x, groups with separators, full width, or both."""
    text = number.replace("X", "x") if number.endswith("X") and draw(st.booleans()) else number
    if draw(st.booleans()):
        separator = draw(st.sampled_from(SEPARATORS))
        cuts = draw(st.sampled_from([(6, 14), (4, 8, 12, 16), (3, 6, 9, 12), (6, 12)]))
        cuts = tuple(cut for cut in cuts if cut < len(text)) if text[0].isdigit() else ()
        pieces = [text[start:end] for start, end in zip((0, *cuts), (*cuts, len(text)), strict=True)]
        text = separator.join(pieces)
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    return text


def _is_date(digits: str) -> bool:
    try:
        datetime.strptime(digits, "%Y%m%d")
    except ValueError:
        return False
    return True


@st.composite
def short_numbers(draw: st.DrawFn) -> str:
    """Travel permits (H/M + 8 or 10 digits; Taiwan 8 or 10 digits, not a date), a passport, a mobile number."""
    digits = draw(st.sampled_from([8, 10]))
    body = draw(st.text("0123456789", min_size=digits, max_size=digits))
    shape = draw(st.sampled_from(["hk_macao", "taiwan", "passport", "mobile"]))
    if shape == "hk_macao":
        return draw(st.sampled_from("HM")) + body
    if shape == "passport":
        return draw(st.sampled_from(["E", "G", "EA", "EB"])) + body[:7 if len(body) == 8 else 8]
    if shape == "mobile":
        return "1" + draw(st.sampled_from("3456789")) + body[:9] + ("0" if len(body) == 8 else "")
    return body if not _is_date(body) else "0" + body[1:]


# --- the records ------------------------------------------------------------------------------------------------

@functools.cache
def shown_record(class_name: str) -> dict[str, Any]:
    """A valid fake record of ``class_name``, displayed on :data:`ON` when its class is public and one can be."""
    candidates = [item.record for item in fake_records(class_name, 20, seed=1, on=ON)]
    if record_class(class_name).classification["openness"] == "public":
        for record in candidates:
            if for_publication(record, class_name, on=ON) is not None:
                return record
    return candidates[0]


def public_keys(class_name: str) -> list[str]:
    cls = record_class(class_name)
    openness = cls.classification["openness"]
    return [key for key, spec in cls.fields.items() if effective_openness(openness, spec.openness) == "public"]


def place(value: Any, text: str, how: str, position: float) -> Any:
    """``value`` with ``text`` placed in it: replacing it, inside one of its strings, as a list item, a key."""
    if how == "replace":
        return text
    if how == "list":
        return [*(value if isinstance(value, list) else [value]), text]
    if how == "nested":
        return [{"备注": ["x", text]}]
    if how == "key":
        return {text: value}
    if isinstance(value, list) and value and isinstance(value[0], str):
        return [place(value[0], text, "inside", position), *value[1:]]
    if isinstance(value, str):
        cut = int(position * len(value))
        return value[:cut] + text + value[cut:]
    return text


def squeezed(text: str) -> str:
    """``text`` folded (NFKC, upper case), letters, digits and ``*`` only: a number in any spelling shows whole,
    and its masked form keeps its stars (``441621********2000`` does not show ``4416212000``)."""
    return "".join(char for char in unicodedata.normalize("NFKC", text).upper() if char.isalnum() or char == "*")


def leaves(value: Any) -> list[str]:
    """Every key and scalar of a JSON value, as text."""
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (str(key), *leaves(item))]
    if isinstance(value, list):
        return [text for item in value for text in leaves(item)]
    return [str(value)]


def assert_gone(number: str, spelled: str, public: dict[str, Any] | None) -> None:
    """Neither the number, in any spelling, nor any 10 characters in a row of it survive in ``public``."""
    dumped = json.dumps(public, ensure_ascii=False)
    assert spelled not in dumped and number not in dumped
    digits = number[3:] if number[:3].isalpha() else number
    windows = {digits[start:start + 10] for start in range(len(digits) - 9)}
    for leaf in leaves(public):
        folded = squeezed(leaf)
        assert number not in folded
        assert not [window for window in windows if window in folded], (number, leaf)


def publish_both(record: dict[str, Any], class_name: str) -> list[dict[str, Any] | None]:
    """The record published on :data:`ON`, and its public fields whatever its display status."""
    return [for_publication(record, class_name, on=ON), public_fields(record, class_name)]


# --- 1. nothing personal survives -------------------------------------------------------------------------------

PLACEMENTS = st.sampled_from(["replace", "inside", "list", "nested", "key"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(class_names()), st.data(), id_numbers(), PLACEMENTS, st.floats(0, 1))
def test_an_id_number_anywhere_in_any_field_never_survives(class_name: str, data: st.DataObject, number: str,
                                                          how: str, position: float) -> None:
    spelled = data.draw(spellings(number))
    record = dict(shown_record(class_name))
    keys = public_keys(class_name) or sorted(record_class(class_name).fields)
    key = data.draw(st.sampled_from(keys))
    record[key] = place(record.get(key), spelled, how, position)
    for public in publish_both(record, class_name):
        assert_gone(number, spelled, public)


AROUND = st.text(alphabet=st.sampled_from("0123456789１XxAHMEjy -－.:/\u3000年月日号元证件，（）¥"), max_size=10)


@settings(max_examples=400, deadline=None)
@given(id_numbers(), st.data(), AROUND, AROUND)
def test_an_id_number_between_any_characters_never_survives_the_scan(number: str, data: st.DataObject,
                                                                    before: str, after: str) -> None:
    spelled = data.draw(spellings(number))
    masked = redact_personal(before + spelled + after)
    assert_gone(number, spelled, {"text": masked})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(class_names()), st.data(), short_numbers(), PLACEMENTS, st.floats(0, 1))
def test_a_permit_passport_or_mobile_number_in_a_sentence_never_survives(
        class_name: str, data: st.DataObject, number: str, how: str, position: float) -> None:
    spelled = data.draw(st.sampled_from([number, number.translate(FULL_WIDTH)]))
    record = dict(shown_record(class_name))
    key = data.draw(st.sampled_from(public_keys(class_name) or sorted(record_class(class_name).fields)))
    record[key] = place(record.get(key), f"，证件{spelled}。", how, position)
    for public in publish_both(record, class_name):
        dumped = json.dumps(public, ensure_ascii=False)
        assert spelled not in dumped
        assert all(number not in squeezed(leaf) for leaf in leaves(public))


@pytest.mark.parametrize("text", [
    "11010519491231002X", "11010519491231002x", "110105194912310021", "110105491231002",
    "110105 19491231 002X", "110105-19491231-002X", "1101 0519 4912 3100 2X", "110105\u300019491231\u3000002X",
    "１１０１０５１９４９１２３１００２Ｘ", "１１０１０５　１９４９１２３１　００２Ｘ", "110105－19491231－002X",
    "810000199408230021", "830000199201300022", "911398199012310021", "USA350119800101",
])
def test_every_spelling_in_free_text_and_names_is_masked(text: str) -> None:
    record = penalty_record(subject_category="自然人", subject_name=f"张三{text}", uscc=None, orgcode=None,
                            legal_representative=None, id_type="身份证", id_number="11010519491231002X",
                            violation_facts=f"当事人张三（身份证号码：{text}）", penalty_content=[f"x{text}y"],
                            remarks={text: text})
    public = for_publication(record, PENALTY, on=date(2024, 6, 1), rule_set=NDRC)
    assert public is not None
    number = squeezed(text)
    assert_gone(number, text, public)
    assert public["violation_facts"].startswith("当事人张三（身份证号码：")


def test_a_birth_date_beside_a_date_is_not_taken_for_a_date() -> None:
    """An ID number written into a date (found by hypothesis): ``20`` + ``440224 19840724 3304`` + ``24-03-15``
    starts with ``20440224``, a date of the compact form, so only dates with separators are peeled off."""
    masked = redact_personal("20440224 19840724 330424-03-15")
    assert "19840724" not in masked and "440224" not in masked.replace(" ", "")


def test_the_scan_keeps_the_shape_of_the_text() -> None:
    assert redact_personal("当事人（身份证号110105 19491231 002X）") == "当事人（身份证号110105 ******** 002X）"
    assert redact_personal("联系电话13800138000。") == "联系电话138****8000。"
    assert redact_personal("港澳居民来往内地通行证H1234567801") == "港澳居民来往内地通行证H********01"
    assert redact_personal("护照号码：123456789") == "护照号码：*******89"  # a foreign passport, after a keyword


# --- 2. what the law makes public survives ------------------------------------------------------------------------

KEPT = [
    "91350100M000100Y43",            # a USCC with letters: never an ID number
    "914403001922038216",            # all digits, but positions 7-14 (00192203) are no birth date
    "京市监罚〔2024〕1号", "榕市监罚〔2024〕12号",  # decision numbers
    "2024-03-15", "20240315", "2024.01.01-2027.12.31", "20240101-20241231", "2024年3月15日",  # dates
    "罚款人民币12345678元", "￥12345678", "罚没款12345678.50元", "0591-87654321",  # sums, a landline
    "JY13501020012345",              # a food business licence: two letters and 14 digits
    "19220382-1",                    # an organisation code
]


@pytest.mark.parametrize("text", KEPT)
def test_legal_person_codes_decision_numbers_dates_and_sums_survive(text: str) -> None:
    record = penalty_record(violation_facts=f"当事人{text}，{text}", remarks=[text, {text: text}])
    public = for_publication(record, PENALTY, on=date(2024, 6, 1), rule_set=NDRC)
    assert public is not None
    assert public["violation_facts"] == f"当事人{text}，{text}" and public["remarks"] == [text, {text: text}]
    assert public["uscc"] == "91350100M000100Y43" and public["decision_number"] == "榕市监罚〔2024〕12号"


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_a_uscc_survives_unless_it_is_also_a_valid_id_number(seed: int) -> None:
    """A generated USCC passes the strict checks: kept, letters or not, birth-date shaped or not, unless it is
    also a valid ID number (all digits, possible birth date, right MOD 11-2 check: about 1 in 300 all-digit
    codes), which is masked: when in doubt, mask."""
    code = uscc.generate(rng=random.Random(seed))
    text = f"统一社会信用代码：{code}。"
    assert (redact_personal(text) == text) == (not ric.is_valid(code)) == is_legal_person_code(code)


def test_an_id_number_is_no_legal_person_code_even_mistyped() -> None:
    for number in ("11010519491231002X", "110105194912310021", "810000199408230021", "110105491231002"):
        assert not is_legal_person_code(number)
    assert "110105194912310021" not in redact_personal("代码110105194912310021")


def test_amounts_and_other_numbers_stay_numbers() -> None:
    record = penalty_record(fine_amount=12.5, remarks=[13800138000, 2000, 110105194912310021])
    public = for_publication(record, PENALTY, on=date(2024, 6, 1), rule_set=NDRC)
    assert public is not None and public["fine_amount"] == 12.5
    assert public["remarks"] == ["138****8000", 2000, "110105********0021"]


# --- 3. a record that is not displayed has no public form ----------------------------------------------------

def repair(decision: str = "准予修复", effective: str = "2024-07-01") -> dict:
    data = {"repair_number": "XF-2024-1", "target_record_id": RID, "target_class": PENALTY,
            "applicant_name": "福州某某科技有限公司", "applicant_category": "法人及非法人组织",
            "applicant_uscc": "91350100M000100Y43", "application_date": "2024-06-01", "corrective_measures": "已整改",
            "decision": decision, "decision_date": "2024-06-20", "effective_date": effective,
            "authority": "福州市市场监督管理局", "authority_uscc": "11350100MAD18YGF27"}
    return {"class": "credit_repair", "data": data}


def objection(received: str = "2024-05-01") -> dict:
    data = {"objection_number": "YY-2024-1", "target_record_id": RID, "target_class": PENALTY,
            "applicant_name": "福州某某科技有限公司", "applicant_category": "法人及非法人组织",
            "applicant_uscc": "91350100M000100Y43", "received_date": received, "reason": "处罚已撤销",
            "status": "处理中", "authority": "福州市发展和改革委员会", "authority_uscc": "11350100MAD18YGF27"}
    return {"class": "objection", "data": data}


def published(on: date, related: tuple = (), **changes: object) -> tuple[str, dict[str, Any] | None]:
    """The display status of the example penalty on ``on`` (NDRC rules), and its public form."""
    record = penalty_record(**changes)
    options: dict[str, Any] = {"on": on, "related": related, "record_id": RID, "rule_set": NDRC}
    return lifecycle(record, PENALTY, **options).status, for_publication(record, PENALTY, **options)


@pytest.mark.parametrize(("on", "related", "expected"), [
    (date(2024, 3, 14), (), "pending"),                       # the day before the decision
    (date(2024, 3, 15), (), "published"),                     # the decision day is shown
    (date(2025, 3, 14), (), "published"),                     # the last day shown
    (date(2025, 3, 15), (), "expired"),                       # one year on: the window's end is exclusive
    (date(2024, 7, 1), (repair(),), "repaired"),              # a granted repair in force
    (date(2024, 6, 30), (repair(),), "published"),            # the day before it takes effect
    (date(2024, 7, 1), (repair(decision="不予修复"),), "published"),
    (date(2024, 5, 2), (objection(),), "objected"),           # under objection, window open: marked, still shown
    (date(2025, 6, 1), (objection(),), "objected"),           # under objection, window over: not shown
])
def test_only_a_displayed_record_has_a_public_form(on: date, related: tuple, expected: str) -> None:
    status, public = published(on, related)
    assert status == expected
    shown = status in DISPLAYED_STATUSES and on < date(2025, 3, 15)
    assert (public is not None) == shown
    if public is not None:
        assert public["subject_name"] == "福州某某科技有限公司"


def test_a_record_the_rules_do_not_publish_has_no_public_form() -> None:
    record = penalty_record(penalty_types=["警告"], fine_amount=None)
    state = lifecycle(record, PENALTY, on=date(2024, 6, 1), rule_set="samr-order-45-2021")
    assert state.status == "not_published"
    assert for_publication(record, PENALTY, on=date(2024, 6, 1), rule_set="samr-order-45-2021") is None
    assert public_fields(record, PENALTY)["subject_name"] == "福州某某科技有限公司"  # the masking alone


@pytest.mark.parametrize("class_name", class_names())
def test_a_class_that_is_not_public_never_has_a_public_form(class_name: str) -> None:
    record = shown_record(class_name)
    public = for_publication(record, class_name, on=ON)
    if record_class(class_name).classification["openness"] != "public":
        assert public is None and public_fields(record, class_name) == {}
    else:
        state = lifecycle(record, class_name, on=ON)
        assert (public is not None) == (state.status in DISPLAYED_STATUSES), state.status


@pytest.mark.parametrize("status", sorted(STATUSES))
def test_displayed_for_every_status(status: str) -> None:
    window = publication_window(penalty_record(), PENALTY, NDRC)  # 2024-03-15 up to 2025-03-15
    assert Lifecycle(status, date(2024, 6, 1), window, "", "").displayed == (status in ("published", "objected"))
    assert Lifecycle(status, date(2024, 6, 1), None, "", "").displayed == (status in DISPLAYED_STATUSES)
    if status == "objected":  # under objection after the window closed: not shown
        assert not Lifecycle(status, date(2025, 3, 15), window, "", "").displayed


@pytest.mark.parametrize("value", [None, [], "罚款", 5, [penalty_record()]])
def test_what_is_not_a_record_has_no_public_form(value: Any) -> None:
    assert for_publication(value, PENALTY, on=date(2024, 6, 1), rule_set=NDRC) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789１２Xx*Ｘ ABHMEjy-－.\u3000元年号，:证件护照¥①"), max_size=60))
def test_the_scan_never_raises_and_only_ever_turns_characters_into_stars(text: str) -> None:
    masked = redact_personal(text)
    assert len(masked) == len(text)
    assert all(after in (before, "*") for before, after in zip(text, masked, strict=True))
