"""Duplicate record keys (creditstd.records.duplicates) agree with the exchange record ids, in bounded memory.

The reference is the exchange format's own notion of "the same record": two rows are duplicates exactly when
the records the compiled core decodes from them (:func:`~creditstd.records.plan.decode_rows`) get the same
:func:`~creditstd.records.exchange.record_id`.

Run as a script to measure the speed (no timing is asserted here)::

    .venv/bin/python tests/test_duplicates.py --rows 1000000
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditstd.codes_registry import lookup
from creditstd.exceptions import CatalogueError
from creditstd.findings import Location
from creditstd.records.duplicates import SEPARATOR, DuplicateFinding, DuplicateKeys, identity_keys
from creditstd.records.exchange import identity_text, identity_value, record_id
from creditstd.records.model import record_class
from creditstd.records.plan import compile_plan, decode_rows
from creditstd.reports.builder import NamesAnotherPlace

PENALTY = "administrative_penalty"
AUTHORITY = "11350100MAD18YGF27"
COMPANY = "91350100M000100Y43"


def _batch(rows: Sequence[dict[str, str | None]], keys: Sequence[str] | None = None) -> pa.RecordBatch:
    keys = list(keys or dict.fromkeys(key for row in rows for key in row))
    return pa.RecordBatch.from_pydict({key: pa.array([row.get(key) for row in rows], pa.string()) for key in keys})


def _penalty(authority: str | None = AUTHORITY, number: str | None = "罚〔2024〕1号",
             name: str | None = "某某科技有限公司") -> dict[str, str | None]:
    return {"authority_uscc": authority, "decision_number": number, "subject_name": name,
            "subject_category": "法人及非法人组织"}


def _places(result) -> list[tuple[int, str | None, int | None, int | None]]:
    return [(int(row), first.file, first.line, first.record) for row, first in zip(result.rows, result.first,
                                                                                  strict=True)]


# ------------------------------------------------------------------------------------------------ what is found


def test_within_a_batch_the_first_is_kept_and_each_later_one_names_it() -> None:
    keys = DuplicateKeys(PENALTY)
    rows = [_penalty(number="1"), _penalty(number="2"), _penalty(number="1"), _penalty(number="1"),
            _penalty(number="2")]
    result = keys.check(_batch(rows), file="a.csv", lines=np.array([2, 3, 5, 9, 10]))
    assert result.duplicate.tolist() == [False, False, True, True, True]
    assert _places(result) == [(2, "a.csv", 2, None), (3, "a.csv", 2, None), (4, "a.csv", 3, None)]
    assert [str(found.location) for found in result.findings] == ["a.csv:5", "a.csv:9", "a.csv:10"]
    assert all(found.code == "record.duplicate" and found.severity == "error" for found in result.findings)
    assert "a.csv, line 2" in result.findings[0].message_en and "a.csv第2行" in result.findings[0].message_zh
    assert result.count == 3 and keys.keys == 2


def test_across_batches_of_one_file_record_numbers_count_on() -> None:
    keys = DuplicateKeys(PENALTY)
    first = keys.check(_batch([_penalty(number="1"), _penalty(number="2")]), file="a.jsonl", first_record=1)
    assert first.count == 0
    later = keys.check(_batch([_penalty(number="3"), _penalty(number="2")]), file="a.jsonl", first_record=3)
    assert _places(later) == [(1, "a.jsonl", None, 2)]
    assert str(later.findings[0].location) == "a.jsonl#4"
    assert "a.jsonl, record 2" in later.findings[0].message_en and "a.jsonl第2条记录" in later.findings[0].message_zh


def test_across_files_the_first_file_keeps_the_record() -> None:
    keys = DuplicateKeys(PENALTY)
    keys.check(_batch([_penalty(number="1"), _penalty(number="2")]), file="one.csv", lines=np.array([2, 4]))
    keys.check(_batch([_penalty(number="3")]), file="two.xlsx", lines=np.array([2]))
    result = keys.check(_batch([_penalty(number="3"), _penalty(number="2"), _penalty(number="4")]),
                        file="three.csv", lines=np.array([2, 3, 4]))
    assert _places(result) == [(0, "two.xlsx", 2, None), (1, "one.csv", 4, None)]
    assert [found.location for found in result.findings] == [Location(file="three.csv", line=2),
                                                             Location(file="three.csv", line=3)]


def test_each_finding_keeps_where_the_record_was_first_seen_to_be_named_as_a_report_shows_it() -> None:
    """A report names that file as it shows it (masked, with its position in the run): the finding carries the
    place itself, and its messages can be made again naming the file otherwise."""
    keys = DuplicateKeys(PENALTY)
    keys.check(_batch([_penalty(number="1")]), file="110105195001030021_a.csv", lines=np.array([5]))
    (found,) = keys.check(_batch([_penalty(number="1")]), file="b.csv", lines=np.array([2])).findings
    assert isinstance(found, DuplicateFinding) and isinstance(found, NamesAnotherPlace)
    assert found.other == Location(file="110105195001030021_a.csv", line=5)
    assert "110105195001030021_a.csv, line 5" in found.message_en  # as given: a report masks it
    zh, en = found.naming("110105********0021_a.csv (#1)")
    assert en == found.message_en.replace("110105195001030021_a.csv", "110105********0021_a.csv (#1)")
    assert zh == found.message_zh.replace("110105195001030021_a.csv", "110105********0021_a.csv (#1)")
    masked = found.masked()
    assert isinstance(masked, DuplicateFinding) and masked.other == found.other
    assert "110105195001030021" not in masked.message_en + masked.message_zh + str(masked.to_json())


def test_a_file_given_twice_is_all_duplicates() -> None:
    keys = DuplicateKeys(PENALTY)
    batch = _batch([_penalty(number=str(index)) for index in range(100)])
    assert keys.check(batch, file="a.csv").count == 0
    again = keys.check(batch, file="a-copy.csv")
    assert again.duplicate.all() and [first.record for first in again.first] == list(range(1, 101))


def test_identifiers_are_compared_in_their_compact_form() -> None:
    keys = DuplicateKeys(PENALTY)
    spellings = [AUTHORITY, AUTHORITY.lower(), " 1135 0100-mad1.8ygf27 ", "１１３５０１００ＭＡＤ１８ＹＧＦ２７",
                 "11350100\u3000MAD18YGF27", "1135/0100\\MAD18\tYGF27"]
    result = keys.check(_batch([_penalty(authority=spelling) for spelling in spellings]), file="a.csv")
    assert result.rows.tolist() == [1, 2, 3, 4, 5]
    assert keys.check(_batch([_penalty(authority=AUTHORITY + "0")]), file="a.csv").count == 0


def test_other_values_are_stripped_but_not_folded() -> None:
    keys = DuplicateKeys(PENALTY)
    rows = [_penalty(number="罚〔2024〕1号"), _penalty(number="\u3000罚〔2024〕1号\x1c "),
            _penalty(number="罚(2024)1号"), _penalty(name=" 某某科技有限公司\u2028"),
            _penalty(name="某某科技 有限公司")]
    assert keys.check(_batch(rows), file="a.csv").rows.tolist() == [1, 3]


def test_rows_without_identity_are_no_keys_but_partial_identities_are() -> None:
    keys = DuplicateKeys(PENALTY)
    rows = [_penalty(None, None, None), _penalty("", " ", "\u3000"), _penalty(" - ", "", None),
            _penalty(None, None, None), _penalty(None, "罚1", None), _penalty(None, "罚1", "")]
    result = keys.check(_batch(rows), file="a.csv")
    # " - " compacts to nothing: that row's identity is empty too (record_id gives it the empty record's id)
    assert result.rows.tolist() == [5] and keys.keys == 1
    assert DuplicateKeys(PENALTY).check(_batch([{"subject_category": "自然人"}] * 3), file="a.csv").count == 0


def test_a_missing_identity_column_is_an_empty_part() -> None:
    keys = DuplicateKeys(PENALTY)
    batch = _batch([{"decision_number": "罚1"}, {"decision_number": "罚1"}, {"decision_number": "罚2"}])
    assert keys.check(batch, file="a.csv").rows.tolist() == [1]
    with_column = _batch([_penalty(None, "罚1", None)])
    assert keys.check(with_column, file="b.csv").rows.tolist() == [0]


def test_large_string_and_non_text_columns_are_read_as_text() -> None:
    keys = DuplicateKeys("credit_rating")
    batch = pa.RecordBatch.from_pydict({
        "scheme": pa.array(["A", "A", "A"], pa.large_string()),
        "authority_uscc": pa.array([AUTHORITY, AUTHORITY.lower(), AUTHORITY], pa.large_string()),
        "subject_name": pa.array(["某公司"] * 3, pa.string()),
        "evaluation_year": pa.array([2024, 2024, 2025], pa.int64())})
    assert keys.check(batch, file="r.jsonl").rows.tolist() == [1]


def test_single_field_identity_points_at_the_field() -> None:
    keys = DuplicateKeys("objection")
    result = keys.check(_batch([{"objection_number": "YY-1"}, {"objection_number": " YY-1"}]), file="o.csv",
                        lines=np.array([2, 3]))
    (found,) = result.findings
    assert (found.path, found.field, found.value) == ("$.objection_number", "objection_number", "YY-1")
    assert found.field_code == record_class("objection").fields["objection_number"].code


def test_a_persons_name_is_never_shown_in_full_unless_asked() -> None:
    rows = [_penalty(number="罚1", name="张三丰") | {"subject_category": "自然人"}] * 2
    for show_pii in (False, True):
        (found,) = DuplicateKeys(PENALTY, show_pii=show_pii).check(_batch(rows), file="a.csv").findings
        text = " ".join(str(part) for part in (found, found.to_json(), found.value, found.message_zh,
                                               found.message_en))
        assert ("张三丰" in text) is show_pii
        assert found.value == (f"{AUTHORITY} | 罚1 | 张三丰" if show_pii else f"{AUTHORITY} | 罚1 | 张**")


def test_an_id_number_inside_any_identity_value_is_redacted() -> None:
    rows = [_penalty(number="罚〔2024〕11010519491231002X号")] * 2
    (found,) = DuplicateKeys(PENALTY).check(_batch(rows), file="a.csv").findings
    assert found.value is not None and "110105********002X" in found.value
    assert "11010519491231002X" not in str(found.to_json())


def test_messages_come_from_the_registry_and_never_quote_the_key() -> None:
    entry = lookup("record.duplicate")
    assert entry.severity == "error" and entry.title == ("重复记录", "duplicate record")
    (found,) = DuplicateKeys(PENALTY).check(_batch([_penalty(number="罚〔2024〕7号")] * 2), file="a.csv").findings
    assert "罚〔2024〕7号" not in found.message_zh + found.message_en
    assert (found.message_zh, found.message_en) == entry.messages(
        first_zh="a.csv第1条记录", first_en="a.csv, record 1",
        fields_zh="处罚机关统一社会信用代码、行政处罚决定书文号、行政相对人名称",
        fields_en="authority_uscc, decision_number, subject_name")


def test_non_text_identity_fields_go_through_the_library_per_value() -> None:
    keys = DuplicateKeys("credit_rating")
    base: dict[str, str | None] = {"scheme": "A", "authority_uscc": AUTHORITY, "subject_name": "某公司"}
    years = ["2024", "02024", "2024.0", " 2024 ", "+2024", "1e3", "1000.0", "9" * 5000, "9" * 5000, "x"]
    result = keys.check(_batch([base | {"evaluation_year": year} for year in years]), file="r.csv")
    # int("02024") == int("+2024") == 2024, and 2024.0 is the same JSON number (canonical JSON writes 2024:
    # the record ids agree); 1e3 and 1000.0 are both 1000.0; 5000 digits, more than Python turns into an int,
    # stay text (as the validator decodes them), so the second such row repeats the first
    assert result.rows.tolist() == [1, 2, 3, 4, 6, 8]


def test_memory_is_two_words_per_distinct_key_in_few_runs() -> None:
    keys = DuplicateKeys(PENALTY)
    size, total = 1000, 0
    for index in range(40):
        batch = _batch([_penalty(number=f"罚{index}-{row}") for row in range(size)])
        assert keys.check(batch, file=f"f{index % 3}.csv", lines=np.arange(2, size + 2)).count == 0
        total += size
        assert keys.keys == total and keys.nbytes == 16 * total
        assert keys.runs <= math.log2(total / size) + 2
    for _ in range(3):  # duplicates add nothing
        assert keys.check(batch, file="again.csv").count == size
        assert keys.nbytes == 16 * total


def test_runs_stop_growing_at_max_run_and_keys_are_still_found_in_every_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """A merge copies the runs it merges: capping a run's size caps that copy; a lookup searches every run."""
    from creditstd.records import duplicates

    monkeypatch.setattr(duplicates, "MAX_RUN", 2500)
    keys = DuplicateKeys(PENALTY)
    batches = [_batch([_penalty(number=f"罚{index}-{row}") for row in range(1000)]) for index in range(12)]
    for batch in batches:
        assert keys.check(batch, file="a.csv").count == 0
    assert keys.runs >= 4 and max(keys._runs.sizes) <= 2500
    for batch in batches:  # every key, whichever run holds it, is found again
        assert keys.check(batch, file="b.csv").count == 1000


def test_an_unknown_class_is_refused() -> None:
    with pytest.raises(CatalogueError):
        DuplicateKeys("no_such_class")


# ------------------------------------------------------------------------------------------------ hypothesis

_SEPARATORS = [" ", "-", ".", "_", "/", "\\", "\t", "\r", "\n", "\u3000", "\u00a0", "\u200b", "\u2013", "\u30fb",
               "\uff0d", "\uff0e", "\x0b", "\x1c", "\x1f", "\u2028", "*", ","]
_WHITESPACE = ["", " ", "\t", "\u3000", "\u00a0", "\x1c", "\x1f", "\x85", "\u2028", "\u200b", "\ufeff", "\x0b"]


def _full_width(char: str) -> str:
    return chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char


@st.composite
def spelled(draw: st.DrawFn, bases: Sequence[str]) -> str | None:
    """One of ``bases`` as a person might type it: case, separators, full width, padding; or anything."""
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return None
    if choice == 1:
        return draw(st.text(max_size=8))
    text = draw(st.sampled_from(bases))
    if choice == 2:  # over MAX_LENGTH at times: not compacted, taken as it is
        text = text * draw(st.sampled_from([7, 8, 9, 20]))
    out = []
    for char in text:
        if draw(st.booleans()):
            char = char.lower() if draw(st.booleans()) else _full_width(char)
        out.append(char)
        if draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from(_SEPARATORS)))
    return draw(st.sampled_from(_WHITESPACE)) + "".join(out) + draw(st.sampled_from(_WHITESPACE))


_BASES = {
    "authority_uscc": [AUTHORITY, COMPANY, "1135", ""],
    "decision_number": ["罚〔2024〕1号", "abc-1", "ABC-1", "Ｘ1", ""],
    "subject_name": ["张三", "某某 公司", "Straße", ""],
    "scheme": ["A", "a", ""],
    "evaluation_year": ["2024", "02024", "2024.0", "1e3", "1000.0", "x", "٢٠٢٤"],
}


def _rows(class_name: str, count: int) -> st.SearchStrategy[list[dict[str, str | None]]]:
    keys = record_class(class_name).identity
    row = st.fixed_dictionaries({key: spelled(_BASES.get(key, _BASES["decision_number"])) for key in keys})
    return st.lists(row, min_size=1, max_size=count)


def _expected_key(class_name: str, record: dict[str, Any]) -> str | None:
    cls = record_class(class_name)
    try:
        return SEPARATOR.join(identity_text(identity_value(record.get(key), cls.fields[key].kind))
                              for key in cls.identity)
    except CatalogueError:
        return None


@pytest.mark.parametrize("class_name", [PENALTY, "credit_rating", "abnormal_operation", "objection"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_keys_are_exactly_record_ids_input(class_name: str, data: st.DataObject) -> None:
    rows = data.draw(_rows(class_name, 30))
    batch = _batch(rows, record_class(class_name).identity)
    keys, has_key = identity_keys(class_name, batch)
    records = decode_rows(compile_plan(class_name), batch)
    empty = record_id({}, class_name)
    for key, keyed, record in zip(keys.to_pylist(), has_key.tolist(), records, strict=True):
        assert key == _expected_key(class_name, record), record
        assert keyed == (key is not None and record_id(record, class_name) != empty)
    ids = [record_id(record, class_name) for record in records]
    for i, key in enumerate(keys.to_pylist()):  # key equality is record-id equality
        for j in range(i):
            assert (key == keys[j].as_py()) == (ids[i] == ids[j])


def _reference(class_name: str,
               files: list[list[tuple[pa.RecordBatch, np.ndarray | None, int, np.ndarray | None]]]) -> list:
    """Naive: a dict from record id to the first place of a valid row, over the decoded records."""
    plan = compile_plan(class_name)
    empty = record_id({}, class_name)
    seen: dict[str, tuple[str, int | None, int | None]] = {}
    found = []
    for number, batches in enumerate(files):
        file = f"file{number}.csv"
        for batch, lines, first_record, valid in batches:
            rows = []
            for row, record in enumerate(decode_rows(plan, batch)):
                identifier = record_id(record, class_name)
                if identifier == empty:
                    continue
                place = (file, int(lines[row]), None) if lines is not None else (file, None, first_record + row)
                if identifier in seen:
                    rows.append((row, *seen[identifier]))
                elif valid is None or valid[row]:  # a rejected row claims no record id
                    seen[identifier] = place
            found.append(rows)
    return found


@pytest.mark.parametrize("class_name", [PENALTY, "credit_rating"])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_checker_agrees_with_a_dict_of_record_ids(class_name: str, data: st.DataObject) -> None:
    pool = data.draw(_rows(class_name, 12))
    files = []
    for _ in range(data.draw(st.integers(1, 3))):
        batches, record = [], 1
        for _ in range(data.draw(st.integers(1, 3))):
            rows = data.draw(st.lists(st.sampled_from(pool), min_size=0, max_size=15))
            by_line = data.draw(st.booleans())
            lines = np.cumsum(data.draw(st.lists(st.integers(1, 3), min_size=len(rows), max_size=len(rows))),
                              dtype=np.int64) + 1 if by_line else None
            valid = np.array(data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows))), bool) \
                if data.draw(st.booleans()) else None
            batches.append((_batch(rows, record_class(class_name).identity), lines, record, valid))
            record += len(rows)
        files.append(batches)
    keys = DuplicateKeys(class_name)
    got = []
    for number, batches in enumerate(files):
        for batch, lines, first_record, valid in batches:
            result = keys.check(batch, file=f"file{number}.csv", lines=lines, first_record=first_record,
                                valid=valid)
            assert result.duplicate.sum() == result.count == len(result.findings)
            got.append(_places(result))
    assert got == _reference(class_name, files)


# ------------------------------------------------------------------------------------------------ benchmark


def _benchmark_batches(rows: int, batch_rows: int,
                       duplicate_share: float) -> tuple[list[pa.RecordBatch], int]:  # pragma: no cover
    """An administrative-penalty export of ``rows`` rows (34 text columns from the fake-data generator), keys
    unique but for ``duplicate_share`` of the rows, which repeat an earlier row's key (its USCC spelled
    otherwise half the time); returns its batches and the number of duplicates."""
    from datetime import date

    from creditstd.records.fake import fake_records

    seed_rows = 20_000
    seeds = [item.record for item in fake_records(PENALTY, seed_rows, seed=1, on=date(2026, 11, 1))]
    columns = list(record_class(PENALTY).fields)
    text = {key: [_cell(record.get(key)) for record in seeds] for key in columns}
    random = np.random.default_rng(7)
    index = pa.array(np.arange(rows) % seed_rows)
    table = pa.table({key: pa.array(values, pa.string()).take(index) for key, values in text.items()})
    numbers = _suffixed(table["decision_number"], [f"-{row}" for row in range(rows)]).to_pylist()
    later = np.sort(random.choice(np.arange(rows // 2, rows), int(rows * duplicate_share), replace=False))
    earlier = random.integers(0, rows // 2, len(later))
    authority, name = table["authority_uscc"].to_pylist(), table["subject_name"].to_pylist()
    for target, source in zip(later.tolist(), earlier.tolist(), strict=True):
        numbers[target], name[target] = numbers[source], name[source]
        code = authority[source]
        authority[target] = code.lower()[:4] + " " + code[4:] if target % 2 else code
    for key, values in (("decision_number", numbers), ("authority_uscc", authority), ("subject_name", name)):
        table = table.set_column(columns.index(key), key, pa.array(values, pa.string()))
    return table.to_batches(max_chunksize=batch_rows), len(later)


def _benchmark(rows: int, batch_rows: int, duplicate_share: float, repeat: int) -> None:  # pragma: no cover
    import resource
    import time

    batches, expected = _benchmark_batches(rows, batch_rows, duplicate_share)
    walls, cpus = [], []
    for _ in range(repeat):
        keys = DuplicateKeys(PENALTY)
        start, cpu = time.perf_counter(), time.process_time()
        found = line = 0
        for batch in batches:
            lines = np.arange(line + 2, line + 2 + batch.num_rows)
            found += keys.check(batch, file="penalties.csv", lines=lines).count
            line += batch.num_rows
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    print(f"{rows:,} rows x {batches[0].num_columns} columns in {len(batches)} batches of {batch_rows:,}; "
          f"{found:,} duplicates (expected {expected:,}); digests {keys.nbytes / 1e6:.1f} MB in {keys.runs} runs")
    for label, timings in (("wall", walls), ("cpu", cpus)):
        best, median = min(timings), sorted(timings)[len(timings) // 2]
        print(f"{label}: best {best:.3f} s = {rows / best:,.0f} rows/s; median {median:.3f} s = "
              f"{rows / median:,.0f} rows/s")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (the data included)")


def _cell(value: Any) -> str | None:  # pragma: no cover
    if value is None:
        return None
    if isinstance(value, list):
        return "；".join(map(str, value))
    return str(value)


def _suffixed(column: pa.ChunkedArray, suffixes: list[str]) -> pa.Array:  # pragma: no cover
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(column.combine_chunks(), pa.array(suffixes), "")


if __name__ == "__main__":  # pragma: no cover
    import argparse

    parser = argparse.ArgumentParser(description="Measure DuplicateKeys on an administrative-penalty sequence.")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch-rows", type=int, default=65_536)
    parser.add_argument("--duplicates", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    _benchmark(arguments.rows, arguments.batch_rows, arguments.duplicates, arguments.repeat)
