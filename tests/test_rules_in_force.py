"""The rule set in force at the decision date, by sector; worked examples of every rule set with boundary days;
is_displayable() and lifecycle() agree.

Each worked example gives a record, the rule set that judges it, the last day it is shown and the first day it
is not; decisions fall on both sides of every ``in_force`` date (2023-04-30 / 2023-05-01 for NDRC Order 58,
2026-03-31 / 2026-04-01 for NDRC Order 36, 2025-12-24 / 2025-12-25 for SAMR's 2025 repair measures, 2021-08-31 /
2021-09-01 for SAMR Order 45).
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from standard_examples import penalty_record

from creditstd.records import loader
from creditstd.records import publication as pub
from creditstd.records.docs._display_rules_page import display_rules_page
from creditstd.records.model import record_class
from creditstd.records.publication import (
    in_force,
    is_displayable,
    lifecycle,
    publication_window,
    select_rule_set,
)

PENALTY = "administrative_penalty"
MARKET = "福州市市场监督管理局"
TAX = "国家税务总局福州市税务局"


def general(**changes: Any) -> dict[str, Any]:
    """A penalty of a tax authority (a general, NDRC-judged penalty)."""
    return penalty_record(**{"authority": TAX, "data_source": TAX, "sector": "tax", **changes})


def market(**changes: Any) -> dict[str, Any]:
    """A penalty of a market regulator (judged by SAMR's rule sets)."""
    return penalty_record(authority=MARKET, **changes)


def last_and_first(record: dict[str, Any], **kwargs: Any) -> tuple[bool, bool, date | None]:
    """Whether the record is shown on the window's last day and on its end day, and the end."""
    window = publication_window(record, PENALTY, **kwargs)
    assert window.end is not None
    last, end = window.end - timedelta(days=1), window.end
    return (is_displayable(record, PENALTY, on=last, rule_set=kwargs.get("rule_set_id")),
            is_displayable(record, PENALTY, on=end, rule_set=kwargs.get("rule_set_id")), window.end)


# --- which rule set: sector, date ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("record", "expected", "how"), [
    (general(decision_date="2019-01-01"), "ndrc-2019-527", "decision_date"),
    (general(decision_date="2023-04-30"), "ndrc-2019-527", "decision_date"),
    (general(decision_date="2023-05-01"), "ndrc-order-58-2023", "decision_date"),
    (general(decision_date="2026-03-31"), "ndrc-order-58-2023", "decision_date"),
    (general(decision_date="2026-04-01"), "ndrc-order-36-2025", "decision_date"),
    (market(decision_date="2021-08-31"), "ndrc-2019-527", "general"),  # before Order 45: the general rules then
    (market(decision_date="2021-09-01"), "samr-order-45-2021", "decision_date"),
    (market(decision_date="2025-12-24"), "samr-order-45-2021", "decision_date"),
    (market(decision_date="2025-12-25"), "samr-credit-repair-2025", "decision_date"),
    (market(decision_date="2026-04-01"), "samr-credit-repair-2025", "decision_date"),
    # the sector decides before the authority's name: a food-and-drugs penalty, a tax penalty of any authority
    (penalty_record(authority="某县农业农村局", sector="food_drugs", decision_date="2024-03-15"),
     "samr-order-45-2021", "decision_date"),
    (penalty_record(authority=MARKET, sector="tax", decision_date="2024-03-15"), "ndrc-order-58-2023",
     "decision_date"),
    (penalty_record(authority="广东省药品监督管理局", decision_date="2024-03-15"), "samr-order-45-2021",
     "decision_date"),
    (penalty_record(authority="某市应急管理局", decision_date="2024-03-15"), "ndrc-order-58-2023", "decision_date"),
])
def test_the_rule_set_in_force_at_the_decision_date_by_sector(record: dict, expected: str, how: str) -> None:
    choice = select_rule_set(record, PENALTY)
    assert (choice.rule_set["id"], choice.selected_by) == (expected, how)
    window = publication_window(record, PENALTY)
    assert (window.rule_set, window.selected_by) == (expected, how)
    assert in_force(choice.rule_set, date.fromisoformat(record["decision_date"])) or how == "general" \
        or choice.rule_set.get("in_force") is None


def test_no_decision_date_takes_the_rule_set_in_force_on_the_day_asked_about() -> None:
    record = general(decision_date=None)
    assert select_rule_set(record, PENALTY, on=date(2026, 3, 31)).rule_set["id"] == "ndrc-order-58-2023"
    choice = select_rule_set(record, PENALTY, on=date(2026, 4, 1))
    assert (choice.rule_set["id"], choice.selected_by) == ("ndrc-order-36-2025", "on")
    assert select_rule_set({**record, "decision_date": "not a date"}, PENALTY, on=date(2026, 4, 1)).selected_by == "on"
    # no start date either: the record is pending, never displayed
    state = lifecycle(record, PENALTY, on=date(2026, 12, 1))
    assert state.status == "pending" and not state.displayed
    assert not is_displayable(record, PENALTY, on=date(2026, 12, 1))


def test_a_decision_before_every_rule_set_takes_the_earliest(monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = copy.deepcopy(dict(loader.display_rules()))
    for rule_set in catalogue["rule_sets"]:
        if rule_set["id"] == "ndrc-2019-527":
            rule_set["in_force"] = "2019-07-01"
    monkeypatch.setattr(pub.loader, "display_rules", lambda: catalogue)
    choice = select_rule_set(general(decision_date="2019-06-30"), PENALTY)
    assert (choice.rule_set["id"], choice.selected_by) == ("ndrc-2019-527", "earliest")
    assert select_rule_set(general(decision_date="2019-07-01"), PENALTY).selected_by == "decision_date"
    market_2018 = select_rule_set(market(decision_date="2018-01-01"), PENALTY)
    assert (market_2018.rule_set["id"], market_2018.selected_by) == ("ndrc-2019-527", "earliest")


def test_a_named_rule_set_is_used_whatever_the_date() -> None:
    window = publication_window(general(decision_date="2020-01-01"), PENALTY, "ndrc-order-36-2025")
    assert (window.rule_set, window.selected_by) == ("ndrc-order-36-2025", "caller")


def test_rule_sets_carry_in_force_and_repealed_and_the_chains_do_not_overlap() -> None:
    rules = loader.display_rules()
    for rule_set in rules["rule_sets"]:
        assert "in_force" in rule_set and "repealed" in rule_set, rule_set["id"]
        for rule in rule_set["rules"]:
            if rule_set["id"].startswith(("samr", "ndrc")):
                assert "basis" in rule and isinstance(rule["basis"].get("verified"), bool), (rule_set["id"], rule["id"])
    by_id = {rule_set["id"]: rule_set for rule_set in rules["rule_sets"]}
    assert by_id["ndrc-2019-527"]["repealed"] == by_id["ndrc-order-58-2023"]["in_force"] == "2023-05-01"
    assert by_id["ndrc-order-58-2023"]["repealed"] == by_id["ndrc-order-36-2025"]["in_force"] == "2026-04-01"
    assert by_id["samr-order-45-2021"]["in_force"] == "2021-09-01"
    assert by_id["samr-credit-repair-2025"]["in_force"] == "2025-12-25"
    assert set(rules["scopes"]) == {by_id["samr-order-45-2021"]["scope"]}
    sectors = {sector["code"] for sector in loader.taxonomy()["sectors"]}
    assert set(rules["scopes"]["market_regulation"]["sectors"]) <= sectors
    description = rules["description"]
    assert "in_force" in description and "decision date" in description and "较重" in description


# --- worked examples per rule set, with boundary days -------------------------------------------------------------

def test_ndrc_2019_527_on_the_eve_of_order_58() -> None:
    record = general(decision_date="2023-04-30")
    window = publication_window(record, PENALTY)
    assert (window.rule_set, window.rule, window.min_end) == ("ndrc-2019-527", "general", date(2023, 7, 30))
    assert last_and_first(record) == (True, False, date(2024, 4, 30))
    serious = general(decision_date="2023-04-30", severity="严重")
    assert publication_window(serious, PENALTY).min_end == date(2023, 10, 30)
    assert last_and_first(serious) == (True, False, date(2026, 4, 30))
    assert publication_window(general(decision_date="2023-04-30", severity="较重"), PENALTY).rule == "general"


def test_ndrc_order_58_from_its_first_day_to_its_last() -> None:
    first = general(decision_date="2023-05-01")
    window = publication_window(first, PENALTY)
    assert (window.rule_set, window.rule, window.min_end) == ("ndrc-order-58-2023", "default", date(2023, 8, 1))
    assert last_and_first(first) == (True, False, date(2026, 5, 1))
    last = general(decision_date="2026-03-31")
    assert publication_window(last, PENALTY).rule_set == "ndrc-order-58-2023"
    assert last_and_first(last) == (True, False, date(2029, 3, 31))
    safety = general(decision_date="2023-05-01", sector="production_safety")
    assert publication_window(safety, PENALTY).min_end == date(2024, 5, 1)


@pytest.mark.parametrize(("severity", "rule", "min_end", "end"), [
    ("一般", "general", date(2026, 7, 1), date(2027, 4, 1)),
    ("1", "general", date(2026, 7, 1), date(2027, 4, 1)),
    ("较重", "general", date(2026, 7, 1), date(2027, 4, 1)),
    ("2", "general", date(2026, 7, 1), date(2027, 4, 1)),
    ("未定", "general", date(2026, 7, 1), date(2027, 4, 1)),
    ("0", "general", date(2026, 7, 1), date(2027, 4, 1)),
    (None, "general", date(2026, 7, 1), date(2027, 4, 1)),
    ("严重", "serious", date(2027, 4, 1), date(2029, 4, 1)),
    ("3", "serious", date(2027, 4, 1), date(2029, 4, 1)),
])
def test_ndrc_order_36_classes_from_its_first_day(severity: str | None, rule: str, min_end: date, end: date) -> None:
    record = general(decision_date="2026-04-01", severity=severity)
    window = publication_window(record, PENALTY)
    assert (window.rule_set, window.rule, window.min_end, window.end) == ("ndrc-order-36-2025", rule, min_end, end)
    assert last_and_first(record) == (True, False, end)
    assert not is_displayable(record, PENALTY, on=date(2026, 3, 31))  # before the decision


def test_ndrc_order_36_minor_is_not_published_unless_deemed_necessary() -> None:
    minor = general(decision_date="2026-04-01", severity="轻微")
    assert not publication_window(minor, PENALTY).published
    assert lifecycle(minor, PENALTY, on=date(2026, 4, 1)).status == "not_published"
    necessary = publication_window(minor, PENALTY, parameters={"minor_published": True})
    assert (necessary.rule, necessary.end) == ("minor_published", date(2026, 7, 1))
    # an unknown severity: a warning alone, or the simplified procedure, is minor; a fine is general
    assert publication_window(general(decision_date="2026-04-01", penalty_types=["警告"], fine_amount=None),
                              PENALTY).rule == "minor"
    assert publication_window(general(decision_date="2026-04-01", procedure="简易程序"), PENALTY).rule == "minor"
    assert publication_window(general(decision_date="2026-04-01", procedure="简易程序", severity="一般"),
                              PENALTY).rule == "general"
    # the same warning decided the day before Order 36: Order 58 publishes it
    assert publication_window(general(decision_date="2026-03-31", penalty_types=["警告"], fine_amount=None),
                              PENALTY).published


def test_samr_order_45_from_its_first_day() -> None:
    record = market(decision_date="2021-09-01", publication_date="2021-09-10")
    window = publication_window(record, PENALTY)
    assert (window.rule_set, window.rule, window.start) == ("samr-order-45-2021", "default", date(2021, 9, 10))
    assert last_and_first(record) == (True, False, date(2024, 9, 10))
    criticism = market(decision_date="2021-09-01", publication_date="2021-09-10", penalty_types=["通报批评"],
                       fine_amount=None)
    assert last_and_first(criticism) == (True, False, date(2021, 12, 10))
    assert not publication_window(market(decision_date="2021-09-01", penalty_types=["警告"], fine_amount=None),
                                  PENALTY).published


@pytest.mark.parametrize(("types", "valid_until", "rule", "end"), [
    (["罚款", "限制从业"], "2030-06-30", "long_restriction", date(2030, 7, 1)),  # 6 years: the actual restriction
    (["限制开展生产经营活动"], "2030-06-30", "long_restriction", date(2030, 7, 1)),
    (["罚款", "限制从业"], "2025-06-30", "long_restriction", date(2027, 3, 20)),  # shorter: 3 years
    (["罚款"], "2030-06-30", "default", date(2027, 3, 20)),  # a validity, no restriction: 3 years
    (["罚款", "吊销许可证件"], "2030-06-30", "default", date(2027, 3, 20)),
])
def test_samr_order_45_article_13_only_restrictions_lengthen_the_display(types: list, valid_until: str, rule: str,
                                                                         end: date) -> None:
    record = market(penalty_types=types, valid_until=valid_until, publication_date="2024-03-20",
                    licence_suspended_or_revoked="食品经营许可证 JY123" if "吊销许可证件" in types else None)
    window = publication_window(record, PENALTY)
    assert (window.rule_set, window.rule, window.end) == ("samr-order-45-2021", rule, end)
    assert last_and_first(record) == (True, False, end)
    assert not window.early_end_allowed or (rule == "default" and "吊销许可证件" not in types)


def test_samr_repair_measures_on_both_sides_of_2025_12_25() -> None:
    before = market(decision_date="2025-12-24", publication_date="2026-01-05")
    after = market(decision_date="2025-12-25", publication_date="2026-01-05")
    old, new = publication_window(before, PENALTY), publication_window(after, PENALTY)
    assert (old.rule_set, old.min_end, old.end) == ("samr-order-45-2021", None, date(2029, 1, 5))
    assert (new.rule_set, new.rule, new.min_end, new.end) == ("samr-credit-repair-2025", "general", date(2026, 4, 5),
                                                              date(2027, 1, 5))
    assert not new.verified  # the 2025 measures' classes and periods were not read in the text
    assert last_and_first(before) == (True, False, date(2029, 1, 5))
    assert last_and_first(after) == (True, False, date(2027, 1, 5))
    serious = market(decision_date="2025-12-25", publication_date="2026-01-05", severity="严重")
    window = publication_window(serious, PENALTY)
    assert (window.rule, window.min_end, window.end) == ("serious", date(2027, 1, 5), date(2029, 1, 5))
    # Order 45's rules that remain: a warning alone is not published, a notice of criticism is shown 3 months
    assert not publication_window(market(decision_date="2025-12-25", penalty_types=["警告"], fine_amount=None),
                                  PENALTY).published
    criticism = market(decision_date="2025-12-25", publication_date="2026-01-05", penalty_types=["通报批评"],
                       fine_amount=None)
    assert last_and_first(criticism) == (True, False, date(2026, 4, 5))


def test_low_fine_threshold_wording_names_provincial_or_higher_regulators() -> None:
    spec = loader.display_rules()["rule_sets"][0]["parameters"]["low_fine_threshold"]
    assert "省级以上" in spec["zh"] and "provincial level or higher" in spec["en"]


# --- lifecycle and is_displayable agree ---------------------------------------------------------------------------

RID = "administrative_penalty:3f1e6c0e-0000-5000-8000-000000000000"


def objection(received: str, status: str = "处理中", target: str = RID) -> dict:
    data = {"objection_number": "YY-2026-1", "target_record_id": target, "target_class": PENALTY,
            "applicant_name": "福州某某科技有限公司", "applicant_category": "法人及非法人组织",
            "applicant_uscc": "91350100M000100Y43", "received_date": received, "reason": "处罚已撤销",
            "status": status, "authority": "福州市发展和改革委员会", "authority_uscc": "11350100MAD18YGF27"}
    if status != "处理中":
        data["decided_date"] = received
    return {"class": "objection", "data": data}


def repair(effective: str, decision: str = "准予修复", target: str = RID) -> dict:
    data = {"repair_number": "XF-2026-1", "target_record_id": target, "target_class": PENALTY,
            "applicant_name": "福州某某科技有限公司", "applicant_category": "法人及非法人组织",
            "applicant_uscc": "91350100M000100Y43", "application_date": effective, "corrective_measures": "已整改",
            "decision": decision, "decision_date": effective, "effective_date": effective,
            "authority": "福州市发展和改革委员会", "authority_uscc": "11350100MAD18YGF27"}
    return {"class": "credit_repair", "data": data}


def test_a_repair_under_order_36_ends_display_no_earlier_than_the_minimum() -> None:
    record = general(decision_date="2026-04-01")
    early = [repair("2026-05-01")]  # before the 3-month minimum: display stops on 2026-07-01
    state = lifecycle(record, PENALTY, record_id=RID, related=early, on=date(2026, 6, 30))
    assert state.status == "published" and state.displayed
    assert is_displayable(record, PENALTY, record_id=RID, related=early, on=date(2026, 6, 30))
    assert not is_displayable(record, PENALTY, record_id=RID, related=early, on=date(2026, 7, 1))
    assert lifecycle(record, PENALTY, record_id=RID, related=early, on=date(2026, 7, 1)).status == "repaired"
    # without the related records it is still shown: the two agree only when given the same records
    assert is_displayable(record, PENALTY, on=date(2026, 7, 1))


def test_an_objection_marks_an_open_window_but_does_not_remove_it() -> None:
    record = general(decision_date="2026-04-01")
    pending = [objection("2026-05-01")]
    state = lifecycle(record, PENALTY, record_id=RID, related=pending, on=date(2026, 6, 1))
    assert state.status == "objected" and state.displayed
    assert is_displayable(record, PENALTY, record_id=RID, related=pending, on=date(2026, 6, 1))
    expired = lifecycle(record, PENALTY, record_id=RID, related=pending, on=date(2027, 4, 1))
    assert expired.status == "objected" and not expired.displayed
    assert not is_displayable(record, PENALTY, record_id=RID, related=pending, on=date(2027, 4, 1))
    minor = general(decision_date="2026-04-01", severity="轻微")
    assert not is_displayable(minor, PENALTY, record_id=RID, related=pending, on=date(2026, 6, 1))


def test_a_class_without_a_display_period_is_displayed_until_repaired() -> None:
    from creditstd.records.fake import fake_records

    record = next(iter(fake_records("contract_performance", 1, seed=3, on=date(2026, 6, 30)))).record
    rid = "contract_performance:0"
    assert is_displayable(record, "contract_performance", on=date(2026, 7, 1))
    repaired = [{"class": "credit_repair", "data": {**repair("2026-07-01", target=rid)["data"],
                                                    "target_class": "contract_performance"}}]
    assert not is_displayable(record, "contract_performance", record_id=rid, related=repaired, on=date(2026, 7, 1))


WORKED = [
    general(decision_date="2023-04-30"), general(decision_date="2023-05-01"), general(decision_date="2026-03-31"),
    general(decision_date="2026-04-01"), general(decision_date="2026-04-01", severity="严重"),
    general(decision_date="2026-04-01", severity="轻微"), market(decision_date="2025-12-24"),
    market(decision_date="2025-12-25"), market(penalty_types=["罚款", "限制从业"], valid_until="2030-06-30"),
    market(penalty_types=["罚款", "吊销许可证件"], licence_suspended_or_revoked="食品经营许可证 JY123"),
    market(penalty_types=["警告"], fine_amount=None), general(decision_date=None),
]
RELATED = st.lists(st.one_of(
    st.builds(lambda day, status, mine: objection(day.isoformat(), status, RID if mine else "administrative_penalty:x"),
              st.dates(date(2021, 1, 1), date(2031, 1, 1)), st.sampled_from(["处理中", "维持原记录", "已更正"]),
              st.booleans()),
    st.builds(lambda day, decision, mine: repair(day.isoformat(), decision,
                                                 RID if mine else "administrative_penalty:x"),
              st.dates(date(2021, 1, 1), date(2031, 1, 1)), st.sampled_from(["准予修复", "不予修复"]), st.booleans()),
), max_size=3)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, len(WORKED) - 1), related=RELATED, on=st.dates(date(2021, 1, 1), date(2032, 1, 1)),
       named=st.sampled_from([None, "ndrc-2019-527", "ndrc-order-36-2025", "samr-order-45-2021"]))
def test_is_displayable_is_lifecycle_displayed(index: int, related: list, on: date, named: str | None) -> None:
    record = WORKED[index]
    state = lifecycle(record, PENALTY, record_id=RID, related=related, on=on, rule_set=named)
    shown = is_displayable(record, PENALTY, record_id=RID, related=related, on=on, rule_set=named)
    assert shown == state.displayed
    assert shown == (state.status == "published" or (state.status == "objected" and state.window is not None
                     and state.window.contains(on)))
    if not related:  # with nothing related, displayed is exactly "the window contains the day"
        window = publication_window(record, PENALTY, named, on=on)
        assert shown == window.contains(on)
    if state.status in ("repaired", "expired", "not_published", "pending"):
        assert not shown


def test_every_class_with_a_display_rule_agrees_on_fake_records() -> None:
    from creditstd.records.fake import fake_records

    for name in loader.class_names():
        if record_class(name).classification["display_rule"] is None:
            continue
        for item in fake_records(name, 20, seed=5, on=date(2026, 6, 30)):
            for on in (date(2024, 1, 1), date(2026, 6, 30), date(2030, 1, 1)):
                state = lifecycle(item.record, name, on=on)
                assert is_displayable(item.record, name, on=on) == state.displayed
                assert state.displayed == publication_window(item.record, name, on=on).contains(on)


# --- the docs --------------------------------------------------------------------------------------------------------

def test_the_display_rules_page_shows_in_force_repealed_scope_and_articles() -> None:
    text = repr(display_rules_page([record_class(PENALTY)]))
    for fragment in ("施行 / in force", "废止 / repealed", "2026-04-01", "2023-05-01", "2025-12-25",
                     "market_regulation", "第十三条第一款", "未核实 / unverified", "已核实 / verified"):
        assert fragment in text, fragment
