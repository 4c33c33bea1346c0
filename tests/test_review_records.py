"""Regression tests for the independent review of the records side (exchange, publication, masking, export, fake).

Each test names the review item it covers; every one failed before its fix.
"""

from __future__ import annotations

import hashlib
import io
import json
import stat
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from lxml import etree
from standard_examples import AUTHORITY_USCC, changed, penalty_record

from creditstd.atomic import atomic_writer
from creditstd.cli import main
from creditstd.cli.exchange import exchange_group
from creditstd.exceptions import CatalogueError
from creditstd.records import loader
from creditstd.records.exchange import (
    MANIFEST,
    RECORDS,
    BatchWriter,
    make_record,
    to_document,
    verify_batch,
    verify_document,
)
from creditstd.records.export import write_xml
from creditstd.records.fake import fake_records
from creditstd.records.formats import iso_date
from creditstd.records.loader import class_names
from creditstd.records.masking import for_publication
from creditstd.records.model import record_class
from creditstd.records.publication import is_displayable, lifecycle, publication_window
from creditstd.records.rules import RULES

PENALTY = "administrative_penalty"
ON = date(2024, 6, 1)
DEEP = "[" * 200000 + "]" * 200000


def codes(report) -> set[str]:
    return {problem.code for problem in report.problems}


def write(folder: Path, items: list[dict], **options: object) -> dict:
    with BatchWriter(folder, PENALTY, department="福州市市场监督管理局", department_uscc=AUTHORITY_USCC,
                     on=ON, **options) as batch:  # type: ignore[arg-type]
        for item in items:
            batch.add(item)
    assert batch.manifest is not None
    return batch.manifest


def rewrite_manifest(folder: Path, **changes: object) -> None:
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key == "file":
            manifest["records"]["file"] = value
        else:
            manifest[key] = value
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def rehash(folder: Path) -> None:
    data = (folder / RECORDS).read_bytes()
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["records"].update(count=len(data.splitlines()), sha256=hashlib.sha256(data).hexdigest())
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def pack(source: Path, folder: Path, *extra: str):
    return CliRunner().invoke(main, ["exchange", "pack", PENALTY, str(source), "-o", str(folder),
                                     "--department", "福州市市场监督管理局", "--department-uscc", AUTHORITY_USCC,
                                     "--on", "2024-06-01", *extra])


def jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sample(class_name: str) -> dict:
    return next(iter(fake_records(class_name, 1, seed=3, on=date(2026, 6, 30)))).record


# --- 1. verify: honest wording, versions, lifecycle envelope, created ------------------------------------------

def test_item1_docs_do_not_claim_the_hash_proves_no_alteration() -> None:
    from creditstd.records import exchange

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "proves nothing was lost or altered" not in readme
    assert "prove nothing was lost or altered" not in (exchange.__doc__ or "")
    assert "signature" in (exchange.__doc__ or "") and "signature" in readme
    manifest_schema = loader.meta_schema("exchange-manifest.schema.json")
    assert "nothing was lost or altered" not in manifest_schema["description"]


def test_item1_record_class_version_must_match_the_manifest() -> None:
    record = make_record(penalty_record(), PENALTY, on=ON)
    document = to_document([{**record, "class_version": "9.9.9"}], PENALTY, department="x",
                           department_uscc=AUTHORITY_USCC)
    report = verify_document(document)
    assert "exchange.class_version" in codes(report) and not report.ok


@pytest.mark.parametrize("key", ["class_version", "catalogue_version"])
def test_item1_unknown_manifest_versions_are_a_problem_exit_1(tmp_path: Path, key: str) -> None:
    write(tmp_path, [penalty_record()])
    rewrite_manifest(tmp_path, **{key: "9.9.9"})
    report = verify_batch(tmp_path)
    assert "exchange.version" in codes(report) and not report.ok
    result = CliRunner().invoke(main, ["exchange", "verify", str(tmp_path)])
    assert result.exit_code == 1, result.output


def test_item1_lifecycle_takes_no_extra_members(tmp_path: Path) -> None:
    record = make_record(penalty_record(), PENALTY, on=ON)
    record["lifecycle"]["leak"] = "张三 110105194912310021"
    document = to_document([record], PENALTY, department="x", department_uscc=AUTHORITY_USCC)
    assert "exchange.envelope" in codes(verify_document(document))


@pytest.mark.parametrize("created", ["2024-06-01", "yesterday", "2024-02-30T00:00:00Z", "2024-06-01T08:00:00",
                                     "20240601T080000Z"])
def test_item1_created_must_be_a_date_time(tmp_path: Path, created: str) -> None:
    write(tmp_path, [penalty_record()])
    rewrite_manifest(tmp_path, created=created)
    assert "exchange.manifest" in codes(verify_batch(tmp_path))


def test_item1_good_created_values_pass(tmp_path: Path) -> None:
    write(tmp_path, [penalty_record()])
    for created in ("2024-06-01T08:00:00+08:00", "2024-06-01T00:00:00Z", "2024-06-01T00:00:00.5+00:00"):
        rewrite_manifest(tmp_path, created=created)
        assert verify_batch(tmp_path).ok, created


# --- 2. path traversal -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../outside.jsonl", "/etc/passwd", "sub/records.jsonl", "..", ".",
                                  "..\\outside.jsonl"])
def test_item2_records_file_must_be_a_bare_name(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "batch"
    write(folder, [penalty_record()])
    (tmp_path / "outside.jsonl").write_bytes((folder / RECORDS).read_bytes())  # would verify cleanly if read
    rewrite_manifest(folder, file=name)
    report = verify_batch(folder)
    assert codes(report) == {"exchange.records_file"} and report.count == 0
    result = CliRunner().invoke(main, ["exchange", "verify", str(folder)])
    assert result.exit_code == 2 and "exchange.records_file" in result.stdout


def test_item2_manifest_schema_has_the_pattern() -> None:
    schema = loader.meta_schema("exchange-manifest.schema.json")
    checker = Draft202012Validator(schema["properties"]["records"]["properties"]["file"])
    assert checker.is_valid("records.jsonl") and checker.is_valid("batch-2024.jsonl")
    assert not any(checker.is_valid(name) for name in ("../x", "/etc/passwd", "a/b", "a\\b", "..", "."))


# --- 3. no tracebacks ------------------------------------------------------------------------------------------

def test_item3a_deeply_nested_line_in_verify(tmp_path: Path) -> None:
    write(tmp_path, [penalty_record()])
    with (tmp_path / RECORDS).open("a", encoding="utf-8") as stream:
        stream.write(DEEP + "\n")
    rehash(tmp_path)
    assert codes(verify_batch(tmp_path)) == {"record.too_deep"}  # issue 10: the nesting limit names it


def test_item3a_deeply_nested_manifest(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_text(DEEP, encoding="utf-8")
    assert codes(verify_batch(tmp_path)) == {"exchange.manifest"}


def test_item3a_deeply_nested_line_in_pack(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", [json.dumps(penalty_record(), ensure_ascii=False), DEEP])
    result = pack(source, tmp_path / "batch")
    assert result.exit_code == 1 and not isinstance(result.exception, RecursionError), result.output
    rejects = [json.loads(line) for line in (tmp_path / "batch.rejects.jsonl").read_text("utf-8").splitlines()]
    assert [item["line"] for item in rejects] == [2]
    assert rejects[0]["errors"][0]["code"] in ("exchange.json", "record.too_deep")  # the latter with loads_record


@pytest.mark.parametrize("rule_set", ["nope", "list-membership"])
def test_item3b_bad_rule_set_is_a_usage_error(tmp_path: Path, rule_set: str) -> None:
    source = jsonl(tmp_path / "in.jsonl", [json.dumps(penalty_record(), ensure_ascii=False)])
    result = pack(source, tmp_path / "batch", "--rule-set", rule_set)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert rule_set in result.stderr
    assert not (tmp_path / "batch").exists()  # refused before any folder was made or any data read
    # the command itself turns it into a usage error (not only the top-level group's last line of defence)
    direct = CliRunner().invoke(exchange_group, ["pack", PENALTY, str(source), "-o", str(tmp_path / "b2"),
                                                 "--department", "x", "--department-uscc", AUTHORITY_USCC,
                                                 "--rule-set", rule_set])
    assert direct.exit_code == 2 and isinstance(direct.exception, SystemExit) and "Usage" in direct.output


def test_item3b_batch_writer_resolves_the_rule_set_up_front(tmp_path: Path) -> None:
    for rule_set, code in (("nope", "catalogue.unknown_rule_set"),
                           ("list-membership", "catalogue.rule_set_not_applicable")):
        with pytest.raises(CatalogueError) as caught:
            BatchWriter(tmp_path, PENALTY, department="x", department_uscc=AUTHORITY_USCC, rule_set=rule_set)
        assert caught.value.code == code
    with pytest.raises(CatalogueError):  # a class without display rule: an unknown rule set is still refused
        BatchWriter(tmp_path, "objection", department="x", department_uscc=AUTHORITY_USCC, rule_set="nope")


@pytest.mark.parametrize("on", ["1850-01-01", "1899-12-31", "2999-01-01"])
def test_item3c_fake_on_out_of_range_exits_2(on: str) -> None:
    result = CliRunner().invoke(main, ["fake", PENALTY, "-n", "50", "--on", on])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert "--on" in result.stderr and "1900-01-01" in result.stderr and on in result.stderr


def test_item3c_fake_on_1900_still_works() -> None:
    result = CliRunner().invoke(main, ["fake", PENALTY, "-n", "50", "--seed", "1", "--on", "1900-01-01"])
    assert result.exit_code == 0, result.output


# --- 4. tax registration numbers of people are masked ----------------------------------------------------------

@pytest.mark.parametrize("class_name", ["administrative_penalty", "administrative_licence"])
def test_item4_tax_registration_number_is_personal_and_masked(class_name: str) -> None:
    spec = record_class(class_name).fields["tax_registration_number"]
    assert spec.sensitivity == "personal"
    assert spec.mask == {"rule": "id_number", "when_subject": ["自然人", "个体工商户"]}


def test_item4_masked_for_people_kept_for_companies() -> None:
    number = "11010519491231002X"
    person = penalty_record(subject_category="个体工商户", tax_registration_number=number)
    assert for_publication(person, PENALTY, on=ON)["tax_registration_number"] == "110105********002X"
    company = penalty_record(tax_registration_number="350100M000100Y4")
    assert for_publication(company, PENALTY, on=ON)["tax_registration_number"] == "350100M000100Y4"


# --- 5. names are masked unless the category is positively a company's -----------------------------------------

@pytest.mark.parametrize("category", [None, " 自然人", "自然人 ", "自然人\u3000", "natural person", "", 1, "01"])
def test_item5_missing_or_odd_category_masks_the_name(category: object) -> None:
    record = penalty_record(subject_name="欧阳娜娜")
    if category is None:
        del record["subject_category"]
    else:
        record["subject_category"] = category
    assert for_publication(record, PENALTY, on=ON)["subject_name"] == "欧***"


@pytest.mark.parametrize("category", ["法人及非法人组织", " 法人及非法人组织 ", "02", "legal_person_or_unincorporated"])
def test_item5_known_company_category_keeps_the_name(category: str) -> None:
    record = penalty_record(subject_category=category)
    assert for_publication(record, PENALTY, on=ON)["subject_name"] == "福州某某科技有限公司"


# --- 6. a class's own openness wins ------------------------------------------------------------------------------

@pytest.mark.parametrize("class_name", ["objection", "credit_repair", "contract_performance",
                                        "professional_qualification"])
def test_item6_non_public_classes_publish_nothing(class_name: str) -> None:
    record = sample(class_name)
    assert record and for_publication(record, class_name, on=ON) is None


# --- 7. rejects beside the batch, owner-only -------------------------------------------------------------------

def test_item7_atomic_writer_private(tmp_path: Path) -> None:
    with atomic_writer(tmp_path / "secret.jsonl", private=True) as stream:
        stream.write("x\n")
    with atomic_writer(tmp_path / "plain.txt") as stream:
        stream.write("x\n")
    assert stat.S_IMODE((tmp_path / "secret.jsonl").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "plain.txt").stat().st_mode) & 0o044


def test_item7_rejects_go_beside_the_batch_folder(tmp_path: Path) -> None:
    bad = penalty_record(uscc="91350100M000100Y4Z", subject_name="王五")
    source = jsonl(tmp_path / "in.jsonl", [json.dumps(penalty_record(), ensure_ascii=False),
                                           json.dumps(bad, ensure_ascii=False)])
    folder = tmp_path / "out" / "batch"
    assert pack(source, folder).exit_code == 1
    assert sorted(path.name for path in folder.iterdir()) == [MANIFEST, RECORDS]
    rejects = tmp_path / "out" / "batch.rejects.jsonl"
    assert "王五" in rejects.read_text(encoding="utf-8")
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    chosen = tmp_path / "chosen.jsonl"
    assert pack(source, tmp_path / "other", "--rejects", str(chosen)).exit_code == 1
    assert stat.S_IMODE(chosen.stat().st_mode) == 0o600


# --- 8. strict ISO dates -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["2024-W01-1", "20240315", "2024-03-15T00:00", "2024-3-15", " 2024-03-15",
                                  "2024-02-30", "２０２４-03-15"])
def test_item8_iso_date_refuses_non_calendar_forms(text: str) -> None:
    assert iso_date(text) is None


def test_item8_iso_date_accepts_real_dates() -> None:
    assert iso_date("2024-02-29") == date(2024, 2, 29) and iso_date(None) is None


def test_item8_rules_and_windows_ignore_odd_dates() -> None:
    findings = list(RULES["date_not_after"]({"decision_date": "20240502", "publication_end": "2024-05-01"},
                                            {"field": "decision_date", "other": "publication_end"}, date(2025, 1, 1)))
    assert findings == []
    record = penalty_record(decision_date="2024-W11-5")
    assert publication_window(record, PENALTY, "ndrc-2019-527").start is None


def test_item8_related_records_need_iso_dates() -> None:
    rid = "administrative_penalty:3f1e6c0e-0000-5000-8000-000000000000"
    repair = {"class": "credit_repair", "data": {"target_record_id": rid, "decision": "准予修复",
                                                 "effective_date": "20240701"}}
    state = lifecycle(penalty_record(), PENALTY, record_id=rid, related=[repair], on=date(2024, 12, 1),
                      rule_set="ndrc-2019-527")
    assert state.status == "published"


# --- 9. credit repair respects the window ------------------------------------------------------------------------

RID = "administrative_penalty:3f1e6c0e-0000-5000-8000-000000000000"


def repair(effective: str) -> dict:
    return {"class": "credit_repair", "data": {"target_record_id": RID, "decision": "准予修复",
                                               "effective_date": effective}}


def test_item9_repair_cannot_end_a_no_early_end_penalty() -> None:
    severe = penalty_record(penalty_types=["罚款", "吊销许可证件"], licence_suspended_or_revoked="食品经营许可证 JY1")
    state = lifecycle(severe, PENALTY, record_id=RID, related=[repair("2024-07-01")], on=date(2024, 8, 1),
                      rule_set="samr-order-45-2021")
    assert state.status == "published"
    assert "信用修复" in state.reason_zh and "cannot end early" in state.reason_en
    assert state.to_json()["display_until"] == "2027-03-15"


def test_item9_repair_takes_effect_after_the_minimum_period() -> None:
    serious = penalty_record(severity="严重")  # ndrc-2019-527 serious: at least 6 months from 2024-03-15
    def state(on: date):
        return lifecycle(serious, PENALTY, record_id=RID, related=[repair("2024-07-01")], on=on,
                         rule_set="ndrc-2019-527")
    before = state(date(2024, 8, 1))
    assert before.status == "published" and "2024-09-15" in before.reason_en
    assert before.to_json()["display_until"] == "2024-09-15"
    assert state(date(2024, 9, 14)).status == "published"
    after = state(date(2024, 9, 15))
    assert after.status == "repaired" and after.to_json()["display_until"] == "2024-09-15"


def test_item9_repair_after_the_minimum_ends_display_on_its_date() -> None:
    state = lifecycle(penalty_record(), PENALTY, record_id=RID, related=[repair("2024-07-01")],
                      on=date(2024, 7, 1), rule_set="ndrc-2019-527")
    assert state.status == "repaired" and state.to_json()["display_until"] == "2024-07-01"


# --- 10. a restriction's last day is shown ------------------------------------------------------------------------

def test_item10_extend_to_is_inclusive_like_until() -> None:
    # a restriction of practice (Order 45 Art. 13: only restrictions extend the display) until 2027-03-15;
    # 3 years from 2024-03-15 end exclusively on 2027-03-15
    record = penalty_record(penalty_types=["罚款", "限制从业"], valid_until="2027-03-15")
    window = publication_window(record, PENALTY, "samr-order-45-2021")
    assert window.end == date(2027, 3, 16)
    assert is_displayable(record, PENALTY, on=date(2027, 3, 15), rule_set="samr-order-45-2021")
    assert not is_displayable(record, PENALTY, on=date(2027, 3, 16), rule_set="samr-order-45-2021")
    shorter = penalty_record(penalty_types=["罚款", "限制从业"], valid_until="2025-01-01")
    assert publication_window(shorter, PENALTY, "samr-order-45-2021").end == date(2027, 3, 15)


def test_item10_convention_is_documented() -> None:
    description = loader.display_rules()["description"]
    assert "last day shown" in description and "exclusive" in description and "clamped" in description


# --- 11. duplicates refused by the writer and by pack -----------------------------------------------------------

def test_item11_writer_refuses_a_duplicate_id(tmp_path: Path) -> None:
    with BatchWriter(tmp_path, PENALTY, department="x", department_uscc=AUTHORITY_USCC, on=ON) as batch:
        batch.add(penalty_record())
        with pytest.raises(CatalogueError) as caught:
            batch.add(penalty_record(violation_facts="另一份事实"))  # same identity fields
        assert caught.value.code == "exchange.duplicate_id"
        assert caught.value.message_zh and caught.value.message_en
        batch.add(penalty_record(decision_number="榕市监罚〔2024〕13号"))
    assert batch.count == 2 and verify_batch(tmp_path).ok


def test_item11_pack_sends_duplicates_to_rejects(tmp_path: Path) -> None:
    line = json.dumps(penalty_record(), ensure_ascii=False)
    source = jsonl(tmp_path / "in.jsonl", [line, line])
    result = pack(source, tmp_path / "batch")
    assert result.exit_code == 1, result.output
    rejects = [json.loads(item) for item in (tmp_path / "batch.rejects.jsonl").read_text("utf-8").splitlines()]
    assert [(item["line"], item["errors"][0]["code"]) for item in rejects] == [(2, "exchange.duplicate_id")]
    assert verify_batch(tmp_path / "batch").ok


# --- 12. unverified code tables ----------------------------------------------------------------------------------

def test_item12_tables_whose_text_was_not_retrieved_are_unverified() -> None:
    tables = loader.taxonomy()["code_tables"]
    for name in ("subject_category", "id_type", "licence_category"):
        assert tables[name]["verified"] is False, name
        assert "official text not retrieved" in tables[name]["note"]
    for name, table in tables.items():
        if "not retrieved" in table.get("basis", ""):
            assert table["verified"] is False, name


# --- 13. people's names published by law --------------------------------------------------------------------------

def test_item13_unmasked_public_names_cite_their_legal_basis() -> None:
    for class_name in class_names():
        for spec in record_class(class_name).fields.values():
            if spec.key in ("legal_representative", "shareholders"):
                assert spec.openness == "public" and spec.mask is None
                assert spec.note and "企业信息公示暂行条例" in spec.note, (class_name, spec.key)
    shareholders = record_class("registration_basic").fields["shareholders"]
    assert "natural persons" in (shareholders.note or "")


# --- 14. XML never fails on odd keys or characters ------------------------------------------------------------

def test_item14_xml_odd_keys_and_characters() -> None:
    record = {"decision_number": "罚\x01〔2024〕1号", "bad key": "x", "1st": ["a\x0bb", "c"], "a:b": True,
              "<tag>": "\ud800", "ok\x02": "tab\tand\nnewline"}
    stream = io.StringIO()
    assert write_xml([record], PENALTY, stream) == 1
    root = etree.fromstring(stream.getvalue().encode("utf-8"))
    element = root[0]
    assert element.find("CF_WSH").text == "罚\ufffd〔2024〕1号"
    fields = {field.get("name"): field for field in element.iter("Field")}
    assert set(fields) == {"bad key", "1st", "a:b", "<tag>", "ok\ufffd"}
    assert [item.text for item in fields["1st"]] == ["a\ufffdb", "c"]
    assert fields["<tag>"].text == "\ufffd" and fields["a:b"].text == "是"
    assert fields["ok\ufffd"].text == "tab\tand\nnewline"


def test_item14_xml_with_a_fake_record_still_parses() -> None:
    record = changed(sample(PENALTY), remarks="控制\x1f字符")
    stream = io.StringIO()
    write_xml([record], PENALTY, stream)
    etree.fromstring(stream.getvalue().encode("utf-8"))
