"""The report builder and model: accounting, caps, bounded memory, distinct counts, personal data, exit status."""

from __future__ import annotations

import dataclasses
from unittest import mock

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_reports_fixtures import PATH, RAW_ID, SCRIPT, WRONG_ID, clean_report, id_finding, penalty_report

from creditstd.findings import Finding, Location
from creditstd.reports import Report, ReportBuilder, Rows
from creditstd.reports._text import clean
from creditstd.reports.sketch import DistinctCounter, hash_strings
from creditstd.reports.titles import code_title, title_for


def _builder(**options: object) -> ReportBuilder:
    builder = ReportBuilder(class_name="administrative_penalty", **options)  # type: ignore[arg-type]
    builder.start_file("a.csv", format="csv", encoding="utf-8", headers=["CF_XDR_SHXYM", "证件号码", "x"],
                       mapping={"CF_XDR_SHXYM": "uscc", "证件号码": "id_number", "x": None}, missing=[])
    return builder


# -- accounting


def test_rows_read_equal_valid_plus_rejected_in_files_and_totals() -> None:
    report = penalty_report(files=("a.csv", "b.csv"))
    report.check_accounting()
    for file in report.files:
        assert file.rows.read == file.rows.valid + file.rows.rejected
        assert file.balanced
    assert report.totals.rows == Rows(4002, 2532, 1470, 2)
    assert report.totals.files == 2


def test_check_accounting_catches_an_unbalanced_report() -> None:
    report = penalty_report()
    file = report.files[0]
    broken = dataclasses.replace(file, rows=dataclasses.replace(file.rows, valid=file.rows.valid + 1))
    with pytest.raises(ValueError, match="rows read"):
        dataclasses.replace(report, files=(broken,)).check_accounting()
    totals = dataclasses.replace(report.totals, errors=report.totals.errors + 1)
    with pytest.raises(ValueError, match="findings"):
        dataclasses.replace(report, totals=totals).check_accounting()


def test_report_is_immutable() -> None:
    report = penalty_report(rows=30)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.strict = True  # type: ignore[misc]
    assert isinstance(report.files, tuple) and isinstance(report.codes[0].examples, tuple)


def test_unreadable_rows_are_rejected_rows() -> None:
    builder = _builder()
    for line in (5, 6):
        builder.add_rejected_row(Finding("input.ragged", "列数不符", "wrong number of cells",
                                         location=Location("a.csv", line)))
    report = builder.finish()
    assert report.files[0].rows == Rows(read=2, valid=0, rejected=2, unreadable=2)
    assert report.exit_status == 1


# -- caps and bounded memory


def test_counts_stay_exact_beyond_the_example_cap() -> None:
    builder = _builder(max_errors=7, examples_per_code=5, lines_per_location=4)
    total = 0
    for start in range(0, 60_000, 10_000):
        lines = np.arange(start, start + 10_000) + 2
        findings = [id_finding(int(line), "a.csv") for line in lines]
        findings += [Finding("rule.date_in_future", "晚", "late", field="decision_date", severity="warning",
                             location=Location("a.csv", int(line))) for line in lines[:10]]
        total += len(findings)
        builder.add_rows({"id_number": pa.array([RAW_ID] * 10_000)}, lines, np.zeros(10_000, bool), findings)
    # what the builder holds is capped whatever the number of findings
    assert all(len(code.examples) <= 5 for code in builder._codes.values())
    assert all(len(place.lines) <= 4 for code in builder._codes.values() for place in code.locations.values())
    report = builder.finish()
    checksum, future = report.code("ric.checksum"), report.code("rule.date_in_future")
    assert checksum is not None and future is not None
    assert (checksum.count, future.count) == (60_000, 60)
    assert checksum.count + future.count == total == report.totals.errors + report.totals.warnings
    # 7 examples in all, shared out: both codes have some, the most common code first
    assert (len(checksum.examples), len(future.examples)) == (4, 3)
    assert checksum.examples_omitted == 60_000 - 4 and report.totals.examples_shown == 7
    assert report.totals.examples_omitted == total - 7
    place = checksum.locations[0]
    assert (place.count, place.first_line, place.lines, place.lines_omitted) == (60_000, 2, (2, 3, 4, 5), 59_996)
    assert dict(checksum.fields) == {"id_number": 60_000}


def test_max_errors_zero_and_none() -> None:
    assert penalty_report(max_errors=0).totals.examples_shown == 0
    unlimited = penalty_report(max_errors=None)
    assert all(len(code.examples) == min(code.count, 20) for code in unlimited.codes)


def test_distinct_counter_memory_is_bounded() -> None:
    counter = DistinctCounter(cap=1000)
    for start in range(0, 400_000, 50_000):
        counter.add(pa.array(np.arange(start, start + 50_000).astype(str)))
        assert counter.nbytes <= 1000 * 8 + 2 ** 14
    assert not counter.exact
    assert abs(counter.count - 400_000) < 400_000 * 0.04


def test_distinct_counts_a_million_ids_within_a_few_percent() -> None:
    builder = _builder()
    ids = np.char.add("91350100M", np.char.zfill(np.arange(1_000_000).astype(str), 9))
    for start in range(0, 1_000_000, 100_000):
        chunk = ids[start:start + 100_000]
        builder.add_rows({"uscc": pa.array(chunk)}, np.arange(start, start + len(chunk)) + 2,
                         np.ones(len(chunk), bool), [])
    field = builder.finish().files[0].fields[0]
    assert field.key == "uscc" and not field.distinct_exact
    assert abs(field.distinct - 1_000_000) < 30_000
    assert field.top_values is None  # too many distinct values to list the common ones


def test_distinct_is_exact_below_the_cap_and_trims_white_space() -> None:
    counter = DistinctCounter(cap=10)
    counter.add(pa.array(["a", "b", "a", None]))
    counter.add(pa.array(["b", "c"]))
    assert (counter.count, counter.exact) == (3, True)
    builder = _builder()
    builder.add_rows({"uscc": pa.array(["X", " X ", "\u3000X", "", "  ", None])}, np.arange(6) + 2,
                     np.ones(6, bool), [])
    field = builder.finish().files[0].fields[0]
    assert (field.rows, field.filled, field.distinct, field.distinct_exact) == (6, 3, 1, True)
    assert field.filled_share == 0.5
    assert field.top_values == (("X", 3),)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.text(alphabet="ab统", max_size=4)), max_size=30), max_size=8),
       st.integers(min_value=1, max_value=40))
def test_distinct_counter_is_exact_batch_after_batch_up_to_its_cap(batches: list[list[str | None]],
                                                                   cap: int) -> None:
    counter = DistinctCounter(cap=cap)
    seen: set[str] = set()
    for batch in batches:
        counter.add(pa.array(batch, pa.string()))
        seen |= {value for value in batch if value is not None}
        if len(seen) <= cap:
            assert (counter.count, counter.exact) == (len(seen), True)
        else:
            assert not counter.exact and counter.count > cap
    repeated = DistinctCounter(cap=cap)  # the same values again change nothing
    for batch in [*batches, *batches]:
        repeated.add(pa.array(batch, pa.string()))
    assert (repeated.count, repeated.exact) == (counter.count, counter.exact)


def test_hash_is_the_same_for_the_same_text_wherever_it_sits() -> None:
    values = ["ab", "xab", "ab", "统一", "b" + "a" * 300_000, "b" + "a" * 300_000, "", "ba"]
    hashes = hash_strings(pa.array(values))
    assert hashes[0] == hashes[2] and hashes[4] == hashes[5]
    assert len(set(hashes.tolist())) == 6
    sliced = hash_strings(pa.array(values).slice(1, 3))
    assert sliced.tolist() == hashes[1:4].tolist()
    assert hash_strings(pa.chunked_array([values[:3], values[3:]])).tolist() == hashes.tolist()
    assert hash_strings(pa.array(values, pa.string())).tolist() == hashes.tolist()


# -- personal data


def test_personal_fields_list_no_values_and_samples_are_masked() -> None:
    report = penalty_report()
    fields = {field.key: field for field in report.files[0].fields}
    assert fields["id_number"].personal and fields["id_number"].top_values is None
    assert fields["subject_name"].personal and fields["subject_name"].top_values is None
    assert not fields["penalty_types"].personal
    assert dict(fields["penalty_types"].top_values or ()) == {"罚款": 1433, "警告": 500, clean(SCRIPT, 60): 67}
    samples = report.files[0].samples
    assert samples and all(not sample.valid for sample in samples)
    assert [sample.line for sample in samples] == [2, 3, 5, 8, 11, 14, 17, 20, 23, 26]
    for sample in samples:
        cells = dict(sample.cells)
        assert "*" in (cells["id_number"] or "") and RAW_ID not in str(cells) and WRONG_ID not in str(cells)
        assert (cells["subject_name"] or "").startswith("张") and "*" in (cells["subject_name"] or "")
    assert samples[1].codes == ("record.enum",) and samples[1].fields_with_findings == ("penalty_types",)
    assert dict(samples[1].cells)["id_number"] == "110105********002X"
    assert samples[0].codes == ("ric.checksum", "rule.date_in_future")
    assert samples[0].fields_with_findings == ("id_number", "decision_date")


def test_show_pii_shows_the_raw_cells_of_samples() -> None:
    samples = penalty_report(show_pii=True).files[0].samples
    assert dict(samples[0].cells)["id_number"] == WRONG_ID and dict(samples[1].cells)["id_number"] == RAW_ID
    assert penalty_report(show_pii=True).show_pii


def test_example_values_are_the_findings_values_as_given() -> None:
    example = penalty_report().code("ric.checksum").examples[0]  # type: ignore[union-attr]
    assert example.value == "110105********0021"
    assert (example.file, example.line, example.column, example.field) == (PATH, 2, "证件号码", "id_number")


def test_unknown_class_treats_every_field_as_personal() -> None:
    builder = ReportBuilder(class_name=None)
    builder.start_file("a.csv", format="csv", encoding="utf-8", headers=["h"], mapping={"h": "h"}, missing=[])
    builder.add_rows({"h": pa.array(["secret", "secret"])}, np.array([2, 3]), np.array([True, True]), [])
    report = builder.finish()
    field = report.files[0].fields[0]
    assert field.personal and field.top_values is None
    assert dict(report.files[0].samples[0].cells)["h"] == "s*****"


def test_samples_fall_back_to_the_first_rows_when_none_is_rejected() -> None:
    samples = clean_report().files[0].samples
    assert [sample.line for sample in samples] == [2, 3, 4] and all(sample.valid for sample in samples)


def test_sample_rows_are_capped() -> None:
    report = penalty_report(rows=3000)
    assert len(report.files[0].samples) == 10
    assert [sample.line for sample in report.files[0].samples][:3] == [2, 3, 5]


# -- quoting the input


def test_text_from_the_input_is_made_printable_once() -> None:
    builder = ReportBuilder(class_name="administrative_penalty")
    builder.start_file("a\x1b[2J\nb.csv", format="csv", encoding="utf-8", headers=["h\u202e\x00"],
                       mapping={"h\u202e\x00": None}, missing=[])
    builder.add_file_finding(Finding("input.header", "表头", "header", value="v\ud800\r\n" + "x" * 500,
                                     location=Location(None, column="h\u202e\x00")))
    report = builder.finish()
    file = report.files[0]
    assert file.path == "a\\u001b[2J\\u000ab.csv"
    assert file.unknown_columns == ("h\\u202e\\u0000",)
    example = report.codes[0].examples[0]
    assert example.file == file.path and example.column == "h\\u202e\\u0000"
    value = example.value or ""
    assert value.startswith("v\\ud800\\u000d\\u000axxx") and value.endswith("x…") and len(value) < 230
    assert clean("ok") == "ok"


# -- exit status


def test_exit_status_by_fail_on() -> None:
    assert clean_report().exit_status == 0
    assert penalty_report().exit_status == 1
    builder = _builder(fail_on="warning")
    builder.add_rows({"uscc": pa.array(["x"])}, np.array([2]), np.array([True]),
                     [Finding("rule.date_in_future", "晚", "late", severity="warning", location=Location("a.csv", 2))])
    warned = builder.finish()
    assert warned.exit_status == 1 and warned.status("error") == 0 and warned.status("warning") == 1


def test_missing_required_fields_fail_even_without_rows() -> None:
    builder = ReportBuilder(class_name="administrative_penalty")
    builder.start_file("a.csv", format="csv", encoding="utf-8", headers=[], mapping={}, missing=["decision_number"])
    report = builder.finish()
    assert report.files[0].missing_fields == ("decision_number",) and report.exit_status == 1


def test_rejected_rows_fail_even_without_findings() -> None:
    builder = _builder()
    builder.add_rows({"uscc": pa.array(["x"])}, np.array([2]), np.array([False]), [])
    assert builder.finish().exit_status == 1


# -- the protocol


def test_protocol_misuse_is_refused() -> None:
    builder = ReportBuilder(class_name=None)
    with pytest.raises(RuntimeError, match="start_file"):
        builder.add_rows({}, np.array([1]), np.array([True]), [])
    with pytest.raises(RuntimeError):
        builder.end_file()
    builder.start_file("a.csv", format="csv", encoding=None, headers=["h"], mapping={"h": "h"}, missing=[])
    with pytest.raises(RuntimeError, match="already"):
        builder.start_file("b.csv", format="csv", encoding=None, headers=[], mapping={}, missing=[])
    with pytest.raises(ValueError, match="lines"):
        builder.add_rows({}, np.array([1, 2]), np.array([True]), [])
    with pytest.raises(ValueError, match="cells"):
        builder.add_rows({"h": pa.array(["a"])}, np.array([1, 2]), np.array([True, True]), [])
    report = builder.finish()  # ends the open file
    assert len(report.files) == 1
    with pytest.raises(RuntimeError, match="finished"):
        builder.finish()
    with pytest.raises(ValueError):
        ReportBuilder(class_name=None, fail_on="never")  # type: ignore[arg-type]


def test_columns_may_be_chunked_dictionary_or_not_text() -> None:
    builder = _builder()
    builder.add_rows({"uscc": pa.chunked_array([["a", "b"], ["a"]]),
                      "id_number": pa.array(["1", "2", "1"]).dictionary_encode(),
                      "x": pa.array([1, 2, None])}, np.array([2, 3, 4]), np.array([True, True, True]), [])
    fields = {field.key: field for field in builder.finish().files[0].fields}
    assert (fields["uscc"].distinct, fields["id_number"].distinct, fields["x"].filled) == (2, 2, 2)


def test_per_field_codes_and_findings() -> None:
    fields = {field.key: field for field in penalty_report().files[0].fields}
    assert fields["id_number"].codes == (("ric.checksum", 667),)
    assert (fields["id_number"].findings, fields["id_number"].errors) == (667, 667)
    assert (fields["decision_date"].findings, fields["decision_date"].errors) == (20, 0)
    assert fields["decision_date"].header is None and fields["decision_date"].rows == 0
    assert fields["uscc"].header == "CF_XDR_SHXYM" and fields["uscc"].field_code == "CF_XDR_SHXYM"


# -- titles


def test_code_titles() -> None:
    assert code_title("ric.checksum") == ("校验码不符，应为“…”", "check character does not match: expected '…'")
    assert code_title("record.required") == ("必填字段缺失", "required field missing")
    assert code_title("rule.natural_person_needs_id", "administrative_penalty") is not None
    assert code_title("input.no_such_code") is None
    first = Finding("input.ragged", "列数不符", "wrong number of cells")
    assert title_for("input.no_such_code", None, first) == ("列数不符", "wrong number of cells")
    assert title_for("input.no_such_code", None, None) == ("input.no_such_code", "input.no_such_code")


def test_report_states_class_and_options() -> None:
    report: Report = penalty_report()
    assert report.class_name == "administrative_penalty" and report.class_title is not None
    assert report.class_reason == ("由表头推断：5列中4列匹配", "inferred from the headers: 4 of 5 columns match")
    assert report.class_version and not report.strict and report.max_errors == 1000
    assert report.files[0].columns[4].field is None and report.files[0].unknown_columns == ("备注",)
    assert report.files[0].encoding == "gb18030" and report.files[0].title == "2024年行政处罚"


def test_a_distinct_estimate_never_exceeds_the_filled_cells() -> None:
    builder = _builder(distinct_cap=10)
    values = np.arange(3000).astype(str)
    builder.add_rows({"uscc": pa.array(values)}, np.arange(3000) + 2, np.ones(3000, bool), [])
    field = builder.finish().files[0].fields[0]
    assert not field.distinct_exact and 10 < field.distinct <= 3000


def test_an_id_number_in_a_field_that_should_not_hold_one_is_masked_too() -> None:
    def report(show_pii: bool) -> Report:
        builder = _builder(show_pii=show_pii)
        builder.add_rows({"uscc": pa.array([RAW_ID, RAW_ID, "91350100M000100Y43"])}, np.array([2, 3, 4]),
                         np.array([False, False, True]), [])
        return builder.finish()

    masked = report(False).files[0]
    assert masked.fields[0].top_values == (("110105********002X", 2), ("91350100M000100Y43", 1))
    assert dict(masked.samples[0].cells)["uscc"] == "110105********002X"
    shown = report(True).files[0]
    assert shown.fields[0].top_values == ((RAW_ID, 2), ("91350100M000100Y43", 1))
    assert dict(shown.samples[0].cells)["uscc"] == RAW_ID


def test_id_numbers_in_headers_keys_titles_and_messages_are_masked() -> None:
    def report(show_pii: bool) -> Report:
        builder = ReportBuilder(class_name="administrative_penalty", show_pii=show_pii,
                                class_reason=(f"表头{RAW_ID}", f"header {RAW_ID}"))
        builder.start_file("a.jsonl", format="jsonl", encoding="utf-8", headers=[RAW_ID, "uscc"],
                           mapping={RAW_ID: None, "uscc": "uscc"}, missing=[], title=f"标题 {RAW_ID}")
        builder.add_rows({"uscc": pa.array(["x"])}, np.array([1]), np.array([False]), [
            Finding("record.unknown_field", f"未知字段“{RAW_ID}”", f"unknown field '{RAW_ID}'", path=f"$.{RAW_ID}",
                    field=RAW_ID, value=RAW_ID, location=Location("a.jsonl", 1, column=RAW_ID))])
        return builder.finish()

    masked = report(False)
    text = repr(masked)
    assert RAW_ID not in text and "110105********002X" in text
    assert masked.files[0].unknown_columns == ("110105********002X",)
    assert report(True).files[0].unknown_columns == (RAW_ID,) and RAW_ID in repr(report(True).codes)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["", " ", "A级", " A级", "A级 ", "B", "\u3000B\u3000", "c"]),
                         min_size=0, max_size=30), min_size=1, max_size=4))
def test_a_summary_of_checked_cells_equals_one_of_raw_cells(batches: list[list[str]]) -> None:
    """``add_rows(..., trimmed=True)`` on the cells the compiled core checked (trimmed, an empty one null)
    gives the field summary ``add_rows`` gives on the raw cells."""
    import pyarrow.compute as pc

    summaries = []
    for trimmed in (False, True):
        builder = _builder()
        line = 2
        for cells in batches:
            column = pa.array(cells, pa.string())
            if trimmed:
                stripped = pc.utf8_trim_whitespace(column)
                column = pc.if_else(pc.equal(stripped, ""), pa.scalar(None, pa.string()), stripped)
            builder.add_rows({"severity": column}, np.arange(line, line + len(cells)), np.ones(len(cells), bool),
                             [], trimmed=trimmed)
            line += len(cells)
        builder.end_file()
        field = next(field for field in builder.finish().files[0].fields if field.key == "severity")
        summaries.append((field.rows, field.filled, field.distinct, field.top_values))
    assert summaries[0] == summaries[1]


def _reference_hash(text: str) -> int:
    """hash_strings' definition, in plain Python: the UTF-8 bytes as a polynomial in the base modulo 2**64,
    the length folded in, through MurmurHash3's finaliser."""
    from creditstd.reports import sketch

    mask = (1 << 64) - 1
    value = 0
    for position, byte in enumerate(text.encode("utf-8")):
        value = (value + byte * pow(sketch._BASE, position, 1 << 64)) & mask
    value ^= (len(text.encode("utf-8")) * int(sketch._LENGTH)) & mask
    for multiplier in (int(sketch._K1), int(sketch._K2)):
        value ^= value >> 33
        value = (value * multiplier) & mask
    return value ^ (value >> 33)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=40), st.text(alphabet="统一社会信用代码ab", max_size=300))),
       st.integers(min_value=0, max_value=3))
def test_hash_strings_is_its_definition(texts: list[str | None], cut: int) -> None:
    array = pa.array(texts, pa.string()).slice(min(cut, len(texts)))
    expected = [_reference_hash(text) for text in texts[min(cut, len(texts)):] if text is not None]
    assert hash_strings(array).tolist() == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=40), st.text(alphabet="统一社会信用代码ab", max_size=120))),
       st.integers(min_value=0, max_value=3), st.integers(min_value=1, max_value=200))
def test_hash_strings_does_not_depend_on_its_step(texts: list[str | None], cut: int, step: int) -> None:
    """The values hashed together in one step, or a value longer than a step alone: each hash is its own."""
    from creditstd.reports import sketch

    array = pa.array(texts, pa.string()).slice(min(cut, len(texts)))
    expected = [_reference_hash(text) for text in texts[min(cut, len(texts)):] if text is not None]
    with mock.patch.object(sketch, "_STEP", step):
        assert hash_strings(array).tolist() == expected


def test_hash_strings_of_long_values() -> None:
    """A value is a polynomial up to the power tables' length (alone in its step when longer than one), a
    BLAKE2b digest beyond."""
    import hashlib

    from creditstd.reports import sketch

    longest = "a" * sketch._TABLE
    values = ["x", "统" * (sketch._TABLE // 3), longest, longest + "b", "y"]
    hashes = hash_strings(pa.array(values)).tolist()
    assert hashes[:3] + hashes[4:] == [_reference_hash(value) for value in values[:3] + values[4:]]
    digest = int.from_bytes(hashlib.blake2b(values[3].encode(), digest_size=8).digest(), "little")
    length = len(values[3]) * int(sketch._LENGTH) & ((1 << 64) - 1)
    assert hashes[3] == int(sketch._mix(np.array([digest ^ length], dtype=np.uint64))[0])
    full_step = ["a" * sketch._STEP, "", "", "b"]  # empty values right after a step filled to its last byte
    assert hash_strings(pa.array(full_step)).tolist() == [_reference_hash(value) for value in full_step]
