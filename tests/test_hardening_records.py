"""Issue 10 on the records side: never a leak, never a loss, never a traceback, whatever a record holds.

Each test is named after what it protects: masking of any JSON value, windows at the ends of the calendar,
lone surrogates and non-finite numbers, symbolic links in a received batch, the input limits, and the
permissions of what the batch writer leaves on disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import random
import stat
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from standard_examples import AUTHORITY_USCC, penalty_record

from creditstd.codes import ric
from creditstd.exceptions import CatalogueError
from creditstd.records import exchange, loader
from creditstd.records.exchange import (
    MANIFEST,
    MAX_MANIFEST_BYTES,
    RECORDS,
    BatchWriter,
    RecordRejected,
    canonical_line,
    make_record,
    record_id,
    to_document,
    verify_batch,
    verify_document,
)
from creditstd.records.export import write_csv, write_jsonl
from creditstd.records.fake import fake_records
from creditstd.records.jsonline import (
    MAX_DEPTH,
    MAX_KEY_LENGTH,
    MAX_LINE_BYTES,
    MAX_STRING_LENGTH,
    LineError,
    bounded_lines,
    loads_record,
)
from creditstd.records.masking import for_publication, public_fields
from creditstd.records.model import record_class
from creditstd.records.publication import (
    NO_END,
    add_period,
    get_rule_set,
    is_displayable,
    lifecycle,
    publication_window,
)
from creditstd.records.validation import validator

PENALTY = "administrative_penalty"
ON = date(2024, 6, 1)
SURROGATE = json.loads('"\\ud800"')  # what a JSON line with a lone surrogate escape parses to
CLASSES = loader.class_names()


@contextlib.contextmanager
def refused(code: str) -> Iterator[None]:
    """The block raises a creditstd error (a CatalogueError) coded ``code``."""
    with pytest.raises(CatalogueError) as caught:
        yield
    assert caught.value.code == code


def codes(report: Any) -> set[str]:
    return {problem.code for problem in report.problems}


def write(folder: Path, items: list[dict]) -> dict:
    """A batch of ``items`` as written unvalidated (by another tool, or a sender that validated them itself)."""
    with BatchWriter(folder, PENALTY, department="福州市市场监督管理局", department_uscc=AUTHORITY_USCC,
                     rule_set="ndrc-2019-527", on=ON, validate=False) as batch:
        for item in items:
            batch.add(item)
    assert batch.manifest is not None
    return batch.manifest


def rehash(folder: Path, name: str = RECORDS) -> None:
    """Make the manifest describe the records file as it now is (what a careless or hostile sender does)."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    data = (folder / name).read_bytes()
    manifest["records"].update(file=name, count=data.count(b"\n"), sha256=hashlib.sha256(data).hexdigest())
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def append_line(folder: Path, line: bytes) -> None:
    with (folder / RECORDS).open("ab") as stream:
        stream.write(line)
    rehash(folder)


def envelope_line(data: dict[str, Any], text_data: str | None = None) -> bytes:
    """An exchange line for ``data``, its id computed; ``text_data`` replaces the data's JSON text as given."""
    record = make_record({**data}, PENALTY, on=ON, rule_set="ndrc-2019-527")
    marker = '"__DATA__"'
    record["data"] = "__DATA__"
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace(marker, text_data if text_data is not None else json.dumps(data)) + "\n").encode("utf-8")


def valid_records() -> Iterator[tuple[str, dict]]:
    for class_name in CLASSES:
        yield class_name, next(fake_records(class_name, 1, seed=3, on=ON)).record


# --- 1. masking applies to any JSON value ----------------------------------------------------------------------

JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8))


@st.composite
def holding_an_id(draw: st.DrawFn) -> tuple[str, Any]:
    """A valid ID number, and a JSON value that holds it somewhere (as text, number, key, in text...)."""
    number = ric.generate(rng=random.Random(draw(st.integers(0, 2**32))))
    forms = [st.just(number), st.just(number.lower()), st.just(f"身份证 {number}"),
             st.just(" ".join([number[:6], number[6:14], number[14:]]))]
    if number.isdigit():
        forms.append(st.just(int(number)))
    leaf = draw(st.one_of(*forms))
    holder = st.recursive(
        st.just(leaf),
        lambda inner: st.one_of(
            st.lists(st.one_of(inner, JSON_SCALARS), min_size=1, max_size=3).map(lambda items: items[::-1]),
            st.tuples(inner, st.dictionaries(st.text(max_size=4), JSON_SCALARS, max_size=2)).map(
                lambda pair: {**pair[1], "值": pair[0]}),
            st.just({number: "x"}),
        ),
        max_leaves=4,
    )
    return number, draw(holder)


def masked_fields(class_name: str) -> list[str]:
    return [key for key, spec in record_class(class_name).fields.items()
            if spec.mask and spec.mask["rule"] in ("id_number", "person_name")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([name for name in CLASSES if masked_fields(name)]), holding_an_id(),
       st.sampled_from([None, "自然人", " 自然人 ", ["自然人"], 7]))
def test_no_id_number_survives_publication_in_any_json_value(class_name: str, case: tuple[str, Any],
                                                            category: Any) -> None:
    number, value = case
    record: dict[str, Any] = {key: value for key in masked_fields(class_name)}
    subject = record_class(class_name).field_by_role("subject_category")
    if subject and category is not None:
        record[subject.key] = category
    for text in leaves(public_fields(record, class_name)):  # neither the number nor its birth date, anywhere
        assert number not in squeezed(text) and number[6:14] not in text


def squeezed(text: str) -> str:
    """``text`` folded (full width to ASCII), upper case, letters and digits only: a number in it shows whole."""
    return "".join(char for char in unicodedata.normalize("NFKC", text).upper() if char.isalnum())


def leaves(value: Any) -> Iterator[str]:
    """Every key and scalar of a JSON value, as text."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    else:
        yield str(value)


def test_masking_covers_numbers_lists_objects_and_keys() -> None:
    record = {"subject_category": "自然人", "id_number": 110105194912310021,
              "subject_name": ["张三丰", {"别名": "李四"}], "tax_registration_number": {"11010519491231002X": 1.5}}
    public = public_fields(record, PENALTY)  # no dates, so not displayed: the masking alone
    assert public["id_number"] == "110105********0021"
    assert public["subject_name"] == ["张**", {"别*": "李*"}]
    assert public["tax_registration_number"] == {"110105********002X": "**"}


def test_masking_passes_booleans_and_null_and_never_prints_an_unprintable_number() -> None:
    public = public_fields({"id_number": [True, None, float("nan"), float("inf"), 10**5000]}, PENALTY)
    assert public["id_number"] == [True, None, "*", "*", "*"]


# --- 2a. the ends of the calendar -------------------------------------------------------------------------------

EXTREMES = ("9999-12-31", "0001-01-01")


def date_fields(class_name: str) -> list[str]:
    return [key for key, spec in record_class(class_name).fields.items() if spec.kind == "date"]


def rule_sets(class_name: str) -> list[str | None]:
    kind = record_class(class_name).classification["display_rule"]
    if kind is None:
        return [None]
    return [rules["id"] for rules in loader.display_rules()["rule_sets"] if kind in rules["applies_to"]]


@pytest.mark.parametrize("class_name", [name for name in CLASSES if date_fields(name)])
def test_windows_never_raise_at_the_ends_of_the_calendar(class_name: str) -> None:
    base = next(fake_records(class_name, 1, seed=3, on=ON)).record
    repair = next(fake_records("credit_repair", 1, seed=3, on=ON)).record
    has_window = record_class(class_name).classification["display_rule"] is not None
    for key in date_fields(class_name):
        for extreme in EXTREMES:
            record = {**base, key: extreme}
            identifier = record_id(record, class_name)
            related = [{"class": "credit_repair", "data": {**repair, "original_record_id": identifier,
                                                           "decision": "准予修复", "effective_date": day}}
                       for day in EXTREMES]
            for rules in rule_sets(class_name):
                for on in (date.min, ON, date.max):
                    state = lifecycle(record, class_name, record_id=identifier, related=related, on=on,
                                      rule_set=rules)
                    assert state.status in ("published", "pending", "not_published", "objected", "repaired",
                                            "expired")
                    json.dumps(state.to_json(), allow_nan=False)
                    if has_window:
                        window = publication_window(record, class_name, rules)
                        assert is_displayable(record, class_name, on=on, rule_set=rules) == window.contains(on)


def test_a_record_valid_until_9999_12_31_is_shown_for_good_and_packs() -> None:
    # a restriction of practice (Order 45 Art. 13: only such restrictions lengthen the display) with no end
    record = penalty_record(penalty_types=["罚款", "限制从业"], valid_until="9999-12-31", publication_end="9999-12-31")
    window = publication_window(record, PENALTY, "samr-order-45-2021")
    assert window.end == NO_END and window.contains(date.max)
    assert lifecycle(record, PENALTY, on=date.max, rule_set="samr-order-45-2021").status == "published"
    assert add_period(date(9999, 12, 31), "P3Y") == NO_END and add_period(date(9999, 11, 30), "P45D") == NO_END


def test_a_batch_with_9999_12_31_dates_is_written_and_verifies(tmp_path: Path) -> None:
    write(tmp_path, [penalty_record(valid_until="9999-12-31", publication_end="9999-12-31")])
    assert verify_batch(tmp_path).ok


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(record_class(PENALTY).fields)),
                       st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                                              st.text(max_size=6), st.sampled_from(EXTREMES)),
                                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                                        st.text(max_size=3), inner, max_size=3), max_leaves=6)))
def test_no_record_shape_makes_the_records_library_raise(record: dict[str, Any]) -> None:
    for rules in rule_sets(PENALTY):
        publication_window(record, PENALTY, rules)
        lifecycle(record, PENALTY, on=ON, rule_set=rules, record_id="x")
    for_publication(record, PENALTY, on=ON)
    public_fields(record, PENALTY)
    identifier = record_id(record, PENALTY)
    errors = list(validator(PENALTY).iter_errors(record))
    for error in errors:
        (error.path + error.message_zh + error.message_en).encode("utf-8")
    if not errors:  # a valid record always packs
        canonical_line(make_record(record, PENALTY, on=ON))
    assert identifier.startswith(PENALTY + ":")


# --- 2b. lone surrogates ----------------------------------------------------------------------------------------

def test_validator_reports_a_lone_surrogate_in_any_value_or_key() -> None:
    check = validator(PENALTY)
    record = penalty_record(decision_number="罚" + SURROGATE, penalty_types=["罚款", SURROGATE])
    record["x" + SURROGATE] = 1
    found = [(error.path, error.code) for error in check.iter_errors(record) if error.code == "record.invalid_text"]
    assert found == [("$.decision_number", "record.invalid_text"), ("$.penalty_types[1]", "record.invalid_text"),
                     ("$.x\\ud800", "record.invalid_text")]
    for error in check.iter_errors(record):
        (error.path + error.message + str(error.field)).encode("utf-8")  # everything printable as UTF-8
        assert SURROGATE not in error.message_zh + error.message_en


@pytest.mark.parametrize("class_name", CLASSES)
def test_a_lone_surrogate_in_any_field_of_any_class_is_an_invalid_record(class_name: str) -> None:
    check = validator(class_name, strict=True)
    base = next(fake_records(class_name, 1, seed=5, on=ON)).record
    for key in record_class(class_name).fields:
        for text in (SURROGATE, "91350100M000100Y4" + SURROGATE, "2024-01-0" + SURROGATE):
            record = {**base, key: text}
            errors = list(check.iter_errors(record))
            assert ("$." + key, "record.invalid_text") in [(error.path, error.code) for error in errors]
            record_id(record, class_name)  # never raises
            for_publication(record, class_name)


def test_record_id_never_fails_on_a_lone_surrogate_and_stays_distinct() -> None:
    first = record_id(penalty_record(decision_number=SURROGATE), PENALTY)
    assert first == record_id(penalty_record(decision_number=SURROGATE), PENALTY)
    assert first != record_id(penalty_record(decision_number="\udfff"), PENALTY)


def test_a_sender_cannot_crash_verify_with_a_lone_surrogate(tmp_path: Path) -> None:
    write(tmp_path, [penalty_record()])
    data = penalty_record(decision_number="MARK")
    text = json.dumps(data, ensure_ascii=True).replace('"MARK"', '"MARK\\ud800"')
    append_line(tmp_path, envelope_line(data, text))
    report = verify_batch(tmp_path)
    assert [(problem.location.line, problem.code, problem.path) for problem in report.problems] == [
        (2, "record.invalid_text", "$.data.decision_number")]
    assert report.count == 2


def test_the_writer_refuses_a_lone_surrogate_and_the_batch_goes_on(tmp_path: Path) -> None:
    with BatchWriter(tmp_path, PENALTY, department="某局", department_uscc=AUTHORITY_USCC, on=ON) as batch:
        with pytest.raises(RecordRejected) as rejected:  # validation finds it first, on its field
            batch.add(penalty_record(violation_facts="事实" + SURROGATE))
        assert ("$.violation_facts", "record.invalid_text") in [(f.path, f.code) for f in rejected.value.findings]
        batch.add(penalty_record())
    assert batch.count == 1 and verify_batch(tmp_path).ok
    with BatchWriter(tmp_path, PENALTY, department="某局", department_uscc=AUTHORITY_USCC, on=ON,
                     validate=False) as batch:  # unvalidated, the line guard still refuses it
        with pytest.raises(CatalogueError) as caught:
            batch.add(penalty_record(violation_facts="事实" + SURROGATE))
        assert caught.value.code == "record.invalid_text" and isinstance(caught.value, LineError)
        batch.add(penalty_record())
    assert batch.count == 1 and verify_batch(tmp_path).ok
    with pytest.raises(CatalogueError) as caught:
        BatchWriter(tmp_path, PENALTY, department="局" + SURROGATE, department_uscc=AUTHORITY_USCC)
    assert caught.value.code == "exchange.department"


# --- 2c. non-finite numbers -------------------------------------------------------------------------------------

NON_FINITE = ("NaN", "Infinity", "-Infinity", "1e400", "-1e400")


@pytest.mark.parametrize("literal", NON_FINITE)
def test_the_strict_parser_refuses_non_finite_numbers_anywhere(literal: str) -> None:
    for text in (f'{{"fine_amount": {literal}}}', f'{{"a": [1, {{"b": {literal}}}]}}', f"[{literal}]"):
        with pytest.raises(LineError) as caught:
            loads_record(text)
        assert caught.value.code == "record.not_finite" and isinstance(caught.value, ValueError)
    assert loads_record('{"fine_amount": 1e308}') == {"fine_amount": 1e308}


@pytest.mark.parametrize("literal", ["1e-400", "12345678901234567.89", "0.1234567890123456789", "9007199254740993.0"])
def test_the_strict_parser_refuses_numbers_a_double_would_round(literal: str) -> None:
    """Read as a double, these would be written back as another number (0.0, 1.2345678901234568e+16...)."""
    for text in (f'{{"fine_amount": {literal}}}', f'{{"a": [1, {{"b": {literal}}}]}}'):
        with pytest.raises(LineError) as caught:
            loads_record(text)
        assert caught.value.code == "record.inexact_number"
    assert loads_record('{"a": [0.30000000000000004, 1E+3, 123456789012345.6]}') == {
        "a": [0.30000000000000004, 1000.0, 123456789012345.6]}



@pytest.mark.parametrize("literal", ["12345678901234567", "-9007199254740993", "9" * 400])
def test_an_integer_a_double_cannot_hold_is_refused_in_the_field_not_the_line(literal: str) -> None:
    """A receiver reading doubles (RFC 8785, JavaScript) reads 12345678901234567 as ...568: the validator
    refuses it in a record, at the field; the line itself still parses (a 64-bit number in a column the
    catalogue does not read, or an ID number written as a JSON number, is not a broken line)."""
    from creditstd.catalogue import validator
    record = loads_record(f'{{"fine_amount": {literal}, "db_id": {literal}}}')
    assert record["fine_amount"] == int(literal)
    found = {(error.path, error.code) for error in validator("administrative_penalty").iter_errors(record)}
    assert ("$.fine_amount", "record.inexact_number") in found
    assert loads_record('[9007199254740992, -9007199254740992, 1152921504606846976, 12]') == [
        9007199254740992, -9007199254740992, 1152921504606846976, 12]
    assert not any(code == "record.inexact_number" for _, code in {
        (error.path, error.code) for error in validator("administrative_penalty").iter_errors(
            {"fine_amount": 9007199254740992})})


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_validation_rejects_non_finite_numbers_in_any_field(value: float) -> None:
    record = penalty_record(fine_amount=value)
    record["extra"] = {"deep": [value]}
    found = [(error.path, error.code) for error in validator(PENALTY).iter_errors(record)
             if error.code == "record.not_finite"]
    assert found == [("$.fine_amount", "record.not_finite"), ("$.extra.deep[0]", "record.not_finite")]


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_no_writer_ever_writes_nan_or_infinity(value: float, tmp_path: Path) -> None:
    record = penalty_record(fine_amount=value)
    with refused("record.not_finite"):
        canonical_line(record)
    with refused("record.not_finite"):
        write_jsonl([record], io.StringIO())
    with refused("record.not_finite"):
        write_csv([penalty_record(violation_facts={"x": value})], PENALTY, io.StringIO())
    with refused("record.not_finite"):
        to_document([make_record(record, PENALTY, on=ON)], PENALTY, department="某局",
                    department_uscc=AUTHORITY_USCC)
    with BatchWriter(tmp_path, PENALTY, department="某局", department_uscc=AUTHORITY_USCC, on=ON) as batch:
        with refused("exchange.invalid_record"):
            batch.add(record)
        batch.add(penalty_record())
    with BatchWriter(tmp_path / "unvalidated", PENALTY, department="某局", department_uscc=AUTHORITY_USCC, on=ON,
                     validate=False) as batch:
        with refused("record.not_finite"):  # unvalidated, the line guard still refuses it
            batch.add(record)
        batch.add(penalty_record())
    assert b"NaN" not in (tmp_path / RECORDS).read_bytes() and b"Infinity" not in (tmp_path / RECORDS).read_bytes()


@pytest.mark.parametrize("literal", NON_FINITE)
def test_verify_reports_a_non_finite_number_on_its_line(literal: str, tmp_path: Path) -> None:
    write(tmp_path, [penalty_record()])
    data = penalty_record(decision_number="榕市监罚〔2024〕7号")
    append_line(tmp_path, envelope_line(data, json.dumps(data).replace('"fine_amount": 0.2',
                                                                       f'"fine_amount": {literal}')))
    report = verify_batch(tmp_path)
    assert [(problem.location.line, problem.code, problem.path) for problem in report.problems] == [
        (2, "record.not_finite", "$.data.fine_amount")]


def test_verify_document_reports_a_non_finite_number_instead_of_raising() -> None:
    items = [make_record(penalty_record(), PENALTY, on=ON)]
    document = to_document(items, PENALTY, department="某局", department_uscc=AUTHORITY_USCC)
    document["records"][0]["data"]["fine_amount"] = math.nan
    report = verify_document(document)
    assert ("record.not_finite", "$.data.fine_amount") in [(problem.code, problem.path) for problem in report.problems]


def test_a_manifest_with_nan_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, [penalty_record()])
    text = (tmp_path / MANIFEST).read_text(encoding="utf-8").replace('"count": 1', '"count": NaN')
    (tmp_path / MANIFEST).write_text(text, encoding="utf-8")
    assert codes(verify_batch(tmp_path)) == {"exchange.manifest"}


# --- 3. symbolic links and special files in a received batch ----------------------------------------------------

def test_verify_refuses_a_records_file_that_is_a_symlink_even_to_a_matching_file(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    write(batch, [penalty_record()])
    elsewhere = tmp_path / "elsewhere.jsonl"
    elsewhere.write_bytes((batch / RECORDS).read_bytes())
    (batch / RECORDS).unlink()
    (batch / RECORDS).symlink_to(elsewhere)
    report = verify_batch(batch)
    assert codes(report) == {"exchange.records_file"} and report.count == 0
    assert "symbolic link" in report.problems[0].message_en


def test_verify_refuses_a_symlink_to_any_readable_file(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    write(batch, [penalty_record()])
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the sender\n", encoding="utf-8")
    (batch / "other.jsonl").symlink_to(secret)
    rehash(batch, "other.jsonl")
    report = verify_batch(batch)
    assert codes(report) == {"exchange.records_file"} and report.count == 0


def test_verify_refuses_a_symlinked_manifest(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    write(batch, [penalty_record()])
    outside = tmp_path / "manifest-outside.json"
    (batch / MANIFEST).rename(outside)
    (batch / MANIFEST).symlink_to(outside)
    assert codes(verify_batch(batch)) == {"exchange.manifest"}
    assert codes(verify_batch(batch / MANIFEST)) == {"exchange.manifest"}
    assert verify_batch(outside).problems[0].code == "exchange.missing_records"  # its own folder has no records


def test_verify_refuses_a_fifo_or_folder_instead_of_blocking(tmp_path: Path) -> None:
    write(tmp_path, [penalty_record()])
    (tmp_path / RECORDS).unlink()
    os.mkfifo(tmp_path / RECORDS)
    assert codes(verify_batch(tmp_path)) == {"exchange.records_file"}
    (tmp_path / RECORDS).unlink()
    (tmp_path / RECORDS).mkdir()
    assert codes(verify_batch(tmp_path)) == {"exchange.records_file"}
    (tmp_path / RECORDS).rmdir()
    (tmp_path / MANIFEST).unlink()
    os.mkfifo(tmp_path / MANIFEST)
    assert codes(verify_batch(tmp_path)) == {"exchange.manifest"}


def test_a_batch_folder_reached_through_a_link_the_receiver_made_still_verifies(tmp_path: Path) -> None:
    write(tmp_path / "batch", [penalty_record()])
    (tmp_path / "link").symlink_to(tmp_path / "batch", target_is_directory=True)
    assert verify_batch(tmp_path / "link").ok


# --- 4. limits on what is read ----------------------------------------------------------------------------------

class CountingStream(io.BytesIO):
    """A stream that remembers the longest piece it handed out."""

    longest = 0

    def readline(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        line = super().readline(size)
        self.longest = max(self.longest, len(line))
        return line


def test_bounded_lines_never_holds_a_long_line_whole() -> None:
    stream = CountingStream(b"a\n" + b"x" * 200_000 + b"\nb")
    seen: list[bytes] = []
    lines = list(bounded_lines(stream, limit=100, seen=seen.append))
    assert lines == [(1, b"a\n"), (2, None), (3, b"b")]
    assert b"".join(seen) == stream.getvalue()  # every byte is seen (hashed), the long line's too
    assert stream.longest <= 1 << 16


def test_verify_reports_a_line_over_the_limit_and_still_hashes_it(tmp_path: Path) -> None:
    write(tmp_path, [penalty_record()])
    append_line(tmp_path, b"[" + b" " * MAX_LINE_BYTES + b"]\n" + envelope_line(penalty_record(decision_number="2")))
    report = verify_batch(tmp_path)
    assert [(problem.location.line, problem.code) for problem in report.problems] == [(2, "exchange.line_too_long")]
    assert report.count == 3  # the line after it is read, and the count and hash match


def test_the_strict_parser_limits_depth_text_keys_and_size() -> None:
    nested = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert loads_record(nested) is not None
    cases = {
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1): "record.too_deep",
        "[" * 100_000 + "]" * 100_000: "record.too_deep",
        json.dumps({"a": "x" * (MAX_STRING_LENGTH + 1)}): "record.too_long",
        json.dumps({"k" * (MAX_KEY_LENGTH + 1): 1}): "record.too_long",
        '{"a": 1, "b": {"c": 1, "c": 2}}': "record.duplicate_key",
        "1" * 5000: "exchange.json",
        '{"a": 1} x': "exchange.json",
    }
    for text, code in cases.items():
        with pytest.raises(LineError) as caught:
            loads_record(text)
        assert caught.value.code == code, text[:40]
    assert loads_record(json.dumps({"a": "x" * MAX_STRING_LENGTH})) is not None
    with refused("exchange.json"):
        loads_record(b'{"a": "\xff"}')
    with refused("exchange.line_too_long"):
        loads_record("[" + " " * 10 + "]", max_bytes=8)
    with refused("exchange.line_too_long"):
        loads_record('"' + "罚" * 4 + '"', max_bytes=12)  # 14 bytes of UTF-8 in 6 characters


def test_duplicate_keys_and_deep_nesting_are_line_problems_in_verify(tmp_path: Path) -> None:
    write(tmp_path, [penalty_record()])
    data = penalty_record(decision_number="3")
    append_line(tmp_path, envelope_line(data, json.dumps(data)[:-1] + ', "decision_number": "4"}'))
    append_line(tmp_path, envelope_line(data, json.dumps({**data, "x": json.loads("[" * 40 + "]" * 40)})))
    found = [(problem.location.line, problem.code, problem.path) for problem in verify_batch(tmp_path).problems]
    assert found[0] == (2, "record.duplicate_key", "$.data.decision_number")
    assert found[1][:2] == (3, "record.too_deep")


def test_validation_caps_strings_in_unknown_fields_and_never_quotes_them() -> None:
    long = "秘" * (MAX_STRING_LENGTH + 1)
    record = penalty_record(extra_note=long)
    record["k" * 1000] = 1
    errors = list(validator(PENALTY).iter_errors(record))
    assert ("$.extra_note", "record.too_long") in [(error.path, error.code) for error in errors]
    assert all(len(error.path) < 100 and "秘秘" not in error.message for error in errors)


def test_an_oversized_manifest_is_not_read_whole(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_bytes(b"{" + b" " * MAX_MANIFEST_BYTES + b"}")
    report = verify_batch(tmp_path)
    assert codes(report) == {"exchange.manifest"} and str(MAX_MANIFEST_BYTES) in report.problems[0].message_en


def test_the_writer_refuses_what_the_reader_would_refuse(tmp_path: Path) -> None:
    with BatchWriter(tmp_path, PENALTY, department="某局", department_uscc=AUTHORITY_USCC, on=ON,
                     validate=False) as batch:  # the line guard itself (validation would refuse them first)
        for changes, code in (({"extra": "x" * (MAX_STRING_LENGTH + 1)}, "record.too_long"),
                              ({"extra": json.loads("[" * 40 + "]" * 40)}, "record.too_deep"),
                              ({"extra": {1, 2}}, "exchange.not_json")):
            with pytest.raises(CatalogueError) as caught:
                batch.add(penalty_record(**changes))
            assert caught.value.code == code
        batch.add(penalty_record())
    assert batch.count == 1 and verify_batch(tmp_path).ok


# --- 5. private output, nothing half-written --------------------------------------------------------------------

@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_batch_is_private_whatever_the_umask(tmp_path: Path, open_umask: None) -> None:
    folder = tmp_path / "new" / "batch"
    write(folder, [penalty_record()])
    assert mode(folder) == 0o700
    assert mode(folder / RECORDS) == 0o600 and mode(folder / MANIFEST) == 0o600
    write(folder, [penalty_record(decision_number="2")])  # rewritten: still private
    assert (mode(folder), mode(folder / RECORDS), mode(folder / MANIFEST)) == (0o700, 0o600, 0o600)
    assert verify_batch(folder).ok


def test_an_existing_folder_keeps_its_mode_but_the_files_are_private(tmp_path: Path, open_umask: None) -> None:
    tmp_path.chmod(0o755)
    write(tmp_path, [penalty_record()])
    assert mode(tmp_path) == 0o755 and mode(tmp_path / RECORDS) == 0o600 and mode(tmp_path / MANIFEST) == 0o600


def test_a_failed_block_leaves_no_folder_and_no_file(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    with pytest.raises(RuntimeError), BatchWriter(folder, PENALTY, department="某局", department_uscc=AUTHORITY_USCC,
                                                  on=ON) as batch:
        batch.add(penalty_record())
        raise RuntimeError("the export failed half way")
    assert not folder.exists() and list(tmp_path.iterdir()) == []


class FailingStream:
    """Stands in for the records stream: the disk fills up after ``room`` bytes."""

    def __init__(self, real: Any, room: int) -> None:
        self.real, self.room = real, room

    def write(self, data: bytes) -> int:
        if len(data) > self.room:
            self.real.write(data[:self.room])
            raise OSError(28, "No space left on device")
        self.room -= len(data)
        return self.real.write(data)


def test_a_failed_write_caught_inside_the_block_still_discards_the_batch(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    with refused("exchange.write_failed"), BatchWriter(folder, PENALTY, department="某局",
                                                       department_uscc=AUTHORITY_USCC, on=ON) as batch:
        batch.add(penalty_record(decision_number="1"))
        batch._stream = FailingStream(batch._stream, 10)
        with contextlib.suppress(OSError):  # a careless caller goes on
            batch.add(penalty_record(decision_number="2"))
        with refused("exchange.write_failed"):
            batch.add(penalty_record(decision_number="3"))
    assert not folder.exists() and verify_batch(folder).problems[0].code == "exchange.manifest"


def test_a_failed_manifest_leaves_no_records_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = exchange.atomic_writer

    def failing(path: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(path).name == MANIFEST:
            raise OSError(28, "No space left on device")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(exchange, "atomic_writer", failing)
    with pytest.raises(OSError):
        write(tmp_path / "batch", [penalty_record()])
    assert not (tmp_path / "batch").exists()


def test_a_failed_rewrite_leaves_the_previous_batch_as_it_was(tmp_path: Path) -> None:
    write(tmp_path, [penalty_record()])
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    with pytest.raises(KeyboardInterrupt), BatchWriter(tmp_path, PENALTY, department="某局",
                                                       department_uscc=AUTHORITY_USCC, on=ON) as batch:
        batch.add(penalty_record(decision_number="2"))
        raise KeyboardInterrupt
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before and verify_batch(tmp_path).ok



# --- messages never repeat what may be personal -----------------------------------------------------------------

def test_a_manifest_problem_never_quotes_the_manifest_values(tmp_path: Path) -> None:
    number = "11010519491231002X"
    write(tmp_path, [penalty_record()])
    manifest = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    manifest["source"]["uscc"] = number
    manifest["class"] = number
    manifest[number] = number
    (tmp_path / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    report = verify_batch(tmp_path)
    assert codes(report) == {"exchange.manifest"}
    assert all(number not in problem.message_zh + problem.message_en + problem.path for problem in report.problems)
    (tmp_path / MANIFEST).write_text(json.dumps(number), encoding="utf-8")
    assert all(number not in problem.message for problem in verify_batch(tmp_path).problems)


def test_an_unknown_class_or_rule_set_is_quoted_only_when_it_looks_like_a_name() -> None:
    for call in (lambda name: loader.class_schema(name), lambda name: get_rule_set(name)):
        with pytest.raises(CatalogueError) as caught:
            call("11010519491231002X")
        assert "11010519491231002X" not in caught.value.message_zh + caught.value.message_en
        with pytest.raises(CatalogueError) as caught:
            call("administrative_penaltu")
        assert "administrative_penaltu" in caught.value.message_en


@pytest.mark.parametrize("value", [[], "罚款", None, 5, [penalty_record()]])
def test_a_record_that_is_not_an_object_gets_a_window_and_publishes_nothing(value: Any) -> None:
    assert publication_window(value, PENALTY, "ndrc-2019-527").published
    assert lifecycle(value, PENALTY, on=ON).status in ("pending", "not_published")
    assert for_publication(value, PENALTY) is None and public_fields(value, PENALTY) == {}
    assert [error.code for error in validator(PENALTY).iter_errors(value)] == ["record.type"]
