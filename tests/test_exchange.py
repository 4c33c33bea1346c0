"""The exchange format: ids, lifecycle, manifest, verification of loss and alteration, atomic writes."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from standard_examples import AUTHORITY_USCC, penalty_record

from creditstd.exceptions import CatalogueError, ValidationError
from creditstd.findings import Location
from creditstd.records import loader
from creditstd.records.exchange import (
    MANIFEST,
    RECORDS,
    BatchWriter,
    RecordRejected,
    make_record,
    record_id,
    to_document,
    verify_batch,
    verify_document,
)

PENALTY = "administrative_penalty"
ON = date(2024, 6, 1)


def records(n: int = 5) -> list[dict]:
    return [penalty_record(decision_number=f"榕市监罚〔2024〕{i}号") for i in range(1, n + 1)]


def write(folder: Path, items: list[dict]) -> dict:
    """A batch of ``items`` as written unvalidated (by another tool, or a sender that validated them itself)."""
    with BatchWriter(folder, PENALTY, department="福州市市场监督管理局", department_uscc=AUTHORITY_USCC,
                     rule_set="ndrc-2019-527", on=ON, validate=False) as batch:
        for item in items:
            batch.add(item)
    assert batch.manifest is not None
    return batch.manifest


def codes(report) -> set[str]:
    return {problem.code for problem in report.problems}


def test_record_id_is_stable_and_depends_on_identity_only() -> None:
    first = record_id(penalty_record(), PENALTY)
    assert first == record_id(penalty_record(violation_facts="改写后的事实"), PENALTY)
    assert first == record_id(penalty_record(authority_uscc=AUTHORITY_USCC.lower()), PENALTY)
    assert first != record_id(penalty_record(decision_number="另一个文号"), PENALTY)
    assert first.startswith("administrative_penalty:")


def test_exchange_record_carries_class_version_and_lifecycle() -> None:
    record = make_record(penalty_record(), PENALTY, on=ON, rule_set="ndrc-2019-527")
    assert record["class"] == PENALTY and record["class_version"] == "1.0.0"
    assert record["lifecycle"]["status"] == "published"
    assert record["lifecycle"]["display_until"] == "2025-03-15"
    schema = loader.meta_schema("exchange-record.schema.json")
    assert list(Draft202012Validator(schema).iter_errors(record)) == []


def test_batch_round_trip_verifies(tmp_path: Path) -> None:
    manifest = write(tmp_path, records())
    assert manifest["records"]["count"] == 5 and manifest["source"]["uscc"] == AUTHORITY_USCC
    report = verify_batch(tmp_path)
    assert report.ok and report.count == 5, report.problems
    assert verify_batch(tmp_path / MANIFEST).ok
    lines = (tmp_path / RECORDS).read_bytes().splitlines()
    assert len(lines) == 5 and all(json.loads(line)["class"] == PENALTY for line in lines)


def test_lost_record_is_detected(tmp_path: Path) -> None:
    write(tmp_path, records())
    path = tmp_path / RECORDS
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:-1]))
    assert {"exchange.count", "exchange.sha256"} <= codes(verify_batch(tmp_path))


def test_altered_record_is_detected(tmp_path: Path) -> None:
    write(tmp_path, records())
    path = tmp_path / RECORDS
    path.write_bytes(path.read_bytes().replace("罚款人民币2000元".encode(), "罚款人民币200元".encode(), 1))
    report = verify_batch(tmp_path)
    assert codes(report) == {"exchange.sha256"}


def test_altered_identity_is_detected_even_with_a_fixed_up_hash(tmp_path: Path) -> None:
    import hashlib

    write(tmp_path, records())
    path = tmp_path / RECORDS
    path.write_bytes(path.read_bytes().replace("〔2024〕1号".encode(), "〔2024〕9号".encode(), 1))
    manifest = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    manifest["records"]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (tmp_path / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    report = verify_batch(tmp_path)
    assert codes(report) == {"exchange.record_id"}
    where = report.problems[0].location
    assert where == Location(file=RECORDS, line=1, record_id=where.record_id)
    assert where.record_id.startswith("administrative_penalty:")


def test_invalid_data_is_reported_with_line_and_path(tmp_path: Path) -> None:
    items = records(3)
    items[1]["uscc"] = "91350100M000100Y4Z"
    write(tmp_path, items)
    report = verify_batch(tmp_path)
    problem = next(problem for problem in report.problems if problem.code == "uscc.checksum")
    assert (problem.location.file, problem.location.line, problem.path) == (RECORDS, 2, "$.data.uscc")
    assert problem.kind == "uscc" and problem.location.record_id == record_id(items[1], PENALTY)
    assert verify_batch(tmp_path, validate=False).ok


def test_duplicates_and_broken_lines(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError) as caught:  # the writer refuses a duplicate now (review item 11)
        write(tmp_path / "refused", records(2) + records(1))
    assert caught.value.code == "exchange.duplicate_id"
    write(tmp_path, records(2))  # a batch written by another tool can still hold duplicates: verify reports them
    path = tmp_path / RECORDS
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines + lines[:1]))
    manifest = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    manifest["records"].update(count=3, sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    (tmp_path / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert codes(verify_batch(tmp_path)) == {"exchange.duplicate_id"}
    path = tmp_path / RECORDS
    path.write_bytes(path.read_bytes() + b"{not json\n")
    assert "exchange.json" in codes(verify_batch(tmp_path))


def test_bad_manifest(tmp_path: Path) -> None:
    assert "exchange.manifest" in codes(verify_batch(tmp_path))  # missing
    write(tmp_path, records(1))
    manifest = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    manifest["source"]["uscc"] = "91350100M000100Y4Z"
    (tmp_path / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert "exchange.manifest" in codes(verify_batch(tmp_path))


def test_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    write(tmp_path, records(2))
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    with pytest.raises(RuntimeError), BatchWriter(tmp_path, PENALTY, department="x",
                                                  department_uscc=AUTHORITY_USCC) as batch:
        batch.add(penalty_record())
        raise RuntimeError("conversion failed half way")
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_writer_checks_its_arguments_before_reading_anything(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        BatchWriter(tmp_path, PENALTY, department="x", department_uscc="91350100M000100Y4Z")
    with pytest.raises(CatalogueError):
        BatchWriter(tmp_path, "nope", department="x", department_uscc=AUTHORITY_USCC)


def test_single_document_form_matches_the_folder_form(tmp_path: Path) -> None:
    manifest = write(tmp_path, records())
    items = [json.loads(line) for line in (tmp_path / RECORDS).read_bytes().splitlines()]
    document = to_document(items, PENALTY, department="福州市市场监督管理局", department_uscc=AUTHORITY_USCC,
                           rule_set="ndrc-2019-527")
    assert document["manifest"]["records"]["sha256"] == manifest["records"]["sha256"]
    assert "file" not in document["manifest"]["records"]
    assert verify_document(document).ok
    document["records"].pop()
    assert {"exchange.count", "exchange.sha256"} <= codes(verify_document(document))
    assert "exchange.document" in codes(verify_document({"records": "nope"}))


def test_the_writer_validates_each_record_unless_told_not_to(tmp_path: Path) -> None:
    bad = penalty_record(uscc="91350100M000100Y4Z", decision_number="罚〔2024〕2号")
    with BatchWriter(tmp_path / "checked", PENALTY, department="福州市市场监督管理局",
                     department_uscc=AUTHORITY_USCC, on=ON) as batch:
        batch.add(penalty_record())
        with pytest.raises(RecordRejected) as rejected:
            batch.add(bad)
        batch.add(penalty_record(decision_number="罚〔2024〕3号"))
    assert rejected.value.code == "exchange.invalid_record"
    assert [(found.path, found.code) for found in rejected.value.findings] == [("$.uscc", "uscc.checksum")]
    assert "(1 problems)" in rejected.value.message_en and batch.count == 2
    assert verify_batch(tmp_path / "checked").ok
    with BatchWriter(tmp_path / "unchecked", PENALTY, department="福州市市场监督管理局",
                     department_uscc=AUTHORITY_USCC, on=ON, validate=False) as batch:
        batch.add(bad)  # the caller's choice: verify will report it
    assert codes(verify_batch(tmp_path / "unchecked")) == {"uscc.checksum"}


def test_a_batch_of_no_record_is_never_written_and_never_verifies(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    with pytest.raises(CatalogueError) as caught, BatchWriter(folder, PENALTY, department="福州市市场监督管理局",
                                                              department_uscc=AUTHORITY_USCC, on=ON):
        pass
    assert caught.value.code == "exchange.empty" and not folder.exists()
    write(folder, [penalty_record()])  # one made by hand: its records emptied and the manifest made to match
    (folder / RECORDS).write_bytes(b"")
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["records"].update(count=0, sha256=hashlib.sha256(b"").hexdigest())
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    report = verify_batch(folder)
    assert codes(report) == {"exchange.empty"} and not report.ok


@pytest.mark.parametrize("change", ["deep", "contains_itself"])
def test_a_manifest_built_too_deep_in_memory_is_reported_not_raised(tmp_path: Path, change: str) -> None:
    """A document built in Python can nest the manifest deeper than the schema validator can follow (a parsed
    manifest file cannot): verify_document reports a malformed manifest, it never raises RecursionError."""
    write(tmp_path, records(2))
    items = [json.loads(line) for line in (tmp_path / RECORDS).read_bytes().splitlines()]
    document = to_document(items, PENALTY, department="福州市市场监督管理局", department_uscc=AUTHORITY_USCC)
    nested: list = []
    if change == "deep":
        for _ in range(3000):
            nested = [nested]
    else:
        nested.append(nested)
    document["manifest"]["rule_set"] = nested
    report = verify_document(document)
    assert not report.ok and [problem.code for problem in report.problems] == ["exchange.manifest"]
    assert report.problems[0].path.startswith("$.rule_set[0]")
    assert "record.too_deep" in report.problems[0].message_en and "record.too_deep" in report.problems[0].message_zh
