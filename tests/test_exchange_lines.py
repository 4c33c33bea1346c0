"""BatchWriter.add_table (column-wise, creditstd.records.exchange_lines) writes byte for byte what BatchWriter.add
writes row by row: the same records.jsonl, manifest and refusals, for every class, odd text and repeats."""

from __future__ import annotations

import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditstd.exceptions import CatalogueError
from creditstd.records import loader
from creditstd.records.exchange import RECORDS, BatchWriter, verify_batch
from creditstd.records.export import write_csv
from creditstd.records.fake import fake_records
from creditstd.records.jsonline import dumps_record
from creditstd.records.plan import compile_plan, decode_rows, validate_table

ON = date(2026, 6, 30)
DEPARTMENT = {"department": "某市市场监督管理局", "department_uscc": "11350100MAD18YGF27"}
CLASSES = sorted(loader.index()["classes"])


def _batch(class_name: str, count: int, seed: int) -> pa.RecordBatch:
    """Fake records of the class as the text cells of a CSV export headed by key (some broken)."""
    stream = io.StringIO()
    write_csv([item.record for item in fake_records(class_name, count, seed=seed, on=ON)], class_name, stream,
              headers="key")
    data = stream.getvalue().encode("utf-8")
    names = data.split(b"\n", 1)[0].decode("utf-8").strip().split(",")
    table = pacsv.read_csv(io.BytesIO(data), convert_options=pacsv.ConvertOptions(
        column_types={name: pa.string() for name in names}, strings_can_be_null=False))
    return table.combine_chunks().to_batches()[0]


def _written(folder: Path, class_name: str,
             write: Callable[[BatchWriter], list[tuple[int, str]]]) -> tuple[bytes | None, list[int], list[str]]:
    """What ``write`` left in a batch (None: no record, no batch), the rows refused and their codes."""
    try:
        with BatchWriter(folder, class_name, on=ON, validate=False, **DEPARTMENT) as writer:
            refused = write(writer)
    except CatalogueError as error:
        assert error.code == "exchange.empty"
        return None, [row for row, _ in refused], [code for _, code in refused]
    return (folder / RECORDS).read_bytes(), [row for row, _ in refused], [code for _, code in refused]


def _row_by_row(folder: Path, class_name: str, batch: pa.RecordBatch) -> tuple[bytes | None, list[int], list[str]]:
    def write(writer: BatchWriter) -> list[tuple[int, str]]:
        refused = []
        for row, data in enumerate(decode_rows(compile_plan(class_name), batch)):
            try:
                writer.add(data)
            except CatalogueError as error:
                refused.append((row, error.code))
        return refused

    return _written(folder, class_name, write)


def _by_table(folder: Path, class_name: str, batch: pa.RecordBatch,
              chunks: int = 1) -> tuple[bytes | None, list[int], list[str]]:
    def write(writer: BatchWriter) -> list[tuple[int, str]]:
        return [(row, error.code) for part in np.array_split(np.arange(batch.num_rows), chunks)
                for row, error in writer.add_table(batch, part.tolist())]

    return _written(folder, class_name, write)


@pytest.mark.parametrize("class_name", CLASSES)
def test_add_table_writes_what_add_writes_for_every_class(tmp_path: Path, class_name: str) -> None:
    batch = _batch(class_name, 60, seed=7)
    repeated = pa.concat_batches([batch, batch.slice(0, 5)]) if hasattr(pa, "concat_batches") else \
        pa.Table.from_batches([batch, batch.slice(0, 5)]).combine_chunks().to_batches()[0]
    expected = _row_by_row(tmp_path / "rows", class_name, repeated)
    assert expected[0] is not None and len(expected[1]) >= 5  # the repeats at least
    assert _by_table(tmp_path / "table", class_name, repeated) == expected
    assert _by_table(tmp_path / "chunks", class_name, repeated, chunks=4) == expected
    assert verify_batch(tmp_path / "table", validate=False).ok  # fake records may break a rule: written unchecked


@pytest.mark.parametrize("chunks", [1, 3])
@pytest.mark.parametrize("class_name", CLASSES)
def test_lines_made_in_one_thread_from_the_cores_cells_are_written_alike(tmp_path: Path, class_name: str,
                                                                         chunks: int) -> None:
    """What `creditstd convert` does: the core checks a chunk and hands over the cells it read, make_lines
    runs in the checking thread and add_lines in the writing one; the bytes and refusals are add_table's."""
    batch = _batch(class_name, 60, seed=11)
    batch = pa.Table.from_batches([batch, batch.slice(0, 4)]).combine_chunks().to_batches()[0]  # repeats
    cells = validate_table(compile_plan(class_name, today=ON), batch).cells
    expected = _by_table(tmp_path / "table", class_name, batch, chunks=chunks)

    def write(writer: BatchWriter) -> list[tuple[int, str]]:
        with ThreadPoolExecutor(1) as checking:
            made = [checking.submit(writer.make_lines, batch, part.tolist(), cells=cells).result()
                    for part in np.array_split(np.arange(batch.num_rows), chunks)]
        return [(row, error.code) for table in made for row, error in writer.add_lines(table)]

    assert expected[0] is not None and len(expected[1]) >= 4
    assert _written(tmp_path / "split", class_name, write) == expected


def test_a_row_refused_for_its_own_value_holds_no_record_id(tmp_path: Path) -> None:
    """As add writes it row by row: the first row cannot be carried (a value over-long), so the second, with
    the same record id, is the batch's record of it, not a duplicate."""
    batch = pa.RecordBatch.from_pydict({"objection_number": ["YY-1", "YY-1"], "status": ["受理", "受理"],
                                        "reason": ["x" * 70_000, "short"]})
    expected = _row_by_row(tmp_path / "rows", "objection", batch)
    assert expected[1:] == ([0], ["record.too_long"])
    assert _by_table(tmp_path / "table", "objection", batch) == expected


def test_lines_and_cells_are_taken_only_as_made_for_the_writer(tmp_path: Path) -> None:
    """A validating writer refuses lines made unchecked (a dry run's), and cells of another batch are refused."""
    from creditstd.records.exchange import BatchCounter

    batch = _batch("administrative_penalty", 10, seed=2)
    unchecked = BatchCounter("administrative_penalty", on=ON).make_lines(batch)
    with pytest.raises(CatalogueError), BatchWriter(tmp_path / "b", "administrative_penalty", on=ON,
                                                   **DEPARTMENT) as writer:
        with pytest.raises(ValueError, match="settings"):
            writer.add_lines(unchecked)
        with pytest.raises(ValueError, match="whole batch"):
            writer.make_lines(batch, [0, 1], cells={"decision_number": batch.column("decision_number").slice(2)})
    # leaving the block with nothing written: exchange.empty, and no batch
    assert not (tmp_path / "b").exists()


def test_large_string_cells_are_written_as_string_ones(tmp_path: Path) -> None:
    batch = _batch("administrative_penalty", 20, seed=9)
    large = pa.RecordBatch.from_arrays([column.cast(pa.large_string()) for column in batch.columns],
                                       names=batch.schema.names)
    assert _by_table(tmp_path / "large", "administrative_penalty", large) == \
        _by_table(tmp_path / "string", "administrative_penalty", batch)


def test_the_manifests_are_the_same_too(tmp_path: Path) -> None:
    batch = _batch("administrative_penalty", 40, seed=3)
    _row_by_row(tmp_path / "rows", "administrative_penalty", batch)
    _by_table(tmp_path / "table", "administrative_penalty", batch)
    created = '"created"'
    left = [line for line in (tmp_path / "rows" / "manifest.json").read_text().splitlines() if created not in line]
    right = [line for line in (tmp_path / "table" / "manifest.json").read_text().splitlines() if created not in line]
    assert left == right


def test_a_validating_writer_refuses_the_rows_add_refuses(tmp_path: Path) -> None:
    batch = _batch("administrative_penalty", 40, seed=5)
    broken = batch.column("decision_date").to_pylist()
    broken[3] = "2024-13-01"
    batch = batch.set_column(batch.schema.get_field_index("decision_date"), "decision_date", pa.array(broken))
    expected = []
    with BatchWriter(tmp_path / "rows", "administrative_penalty", on=ON, **DEPARTMENT) as writer:
        for row, data in enumerate(decode_rows(compile_plan("administrative_penalty"), batch)):
            try:
                writer.add(data)
            except CatalogueError as error:
                expected.append((row, error.code))
    assert (3, "exchange.invalid_record") in expected
    with BatchWriter(tmp_path / "table", "administrative_penalty", on=ON, **DEPARTMENT) as writer:
        refused = writer.add_table(batch)
    assert [(row, error.code) for row, error in refused] == expected
    assert (tmp_path / "table" / RECORDS).read_bytes() == (tmp_path / "rows" / RECORDS).read_bytes()


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(TEXT, TEXT, st.sampled_from(["", "0", "0.5", "2", "1e3", "-1", "x", " 3 ", "200.10"]),
                          st.sampled_from(["", "警告", "警告；罚款", "罚款、没收违法所得"]),
                          st.sampled_from(["", "2021-08-31", "2021-09-01", "2023-05-01", "2025-12-25", "2026-04-01"]),
                          st.sampled_from(["", "某市市场监督管理局", "某市税务局", "a\"b\\c"])),
                min_size=1, max_size=12))
def test_odd_text_numbers_and_dates_are_written_alike(tmp_path_factory: pytest.TempPathFactory,
                                                      rows: list[tuple[str, ...]]) -> None:
    """Quotes, backslashes, control characters, any Unicode in text fields; numbers in every notation, lists,
    the days the rule sets change: add_table's bytes equal add's (validate=False: broken values are written)."""
    folder = tmp_path_factory.mktemp("odd")
    columns = list(zip(*rows, strict=True))
    batch = pa.RecordBatch.from_pydict({
        "subject_name": list(columns[0]), "decision_number": list(columns[1]), "fine_amount": list(columns[2]),
        "penalty_types": list(columns[3]), "decision_date": list(columns[4]), "authority": list(columns[5]),
        "authority_uscc": ["11350100MAD18YGF27"] * len(rows)})
    expected = _row_by_row(folder / "rows", "administrative_penalty", batch)
    assert _by_table(folder / "table", "administrative_penalty", batch) == expected


@pytest.mark.parametrize("quotes", [1, 40], ids=["few quotes", "many quotes"])
def test_text_cells_are_json_strings_as_dumps_writes_them(quotes: int) -> None:
    """Quotes and backslashes (escaped by Python for a few cells, by Arrow for many), control characters, text
    over the length limit (refused), non-ASCII and nulls, in a slice of a larger column."""
    from creditstd.records.exchange_lines import _joined, _json_texts
    from creditstd.records.jsonline import MAX_STRING_LENGTH

    cells = ["统一", None, "a\tb", "é" * (MAX_STRING_LENGTH + 1), "é" * MAX_STRING_LENGTH, "\\x"] + \
        ['say "hi"'] * quotes + ["plain"] * 60
    column = pa.array(["head", *cells]).slice(1)
    problems: dict[int, CatalogueError] = {}
    made = _joined(_json_texts(column, lambda text: dumps_record(text, canonical=True), problems),
                   nulls=True).to_pylist()
    expected: list[str | None] = []
    for row, text in enumerate(cells):
        try:
            expected.append(None if text is None else dumps_record(text, canonical=True))
        except CatalogueError:
            expected.append(None)
            assert row in problems
    assert made == expected
    assert list(problems) == [3]


@pytest.mark.parametrize("nulls", [False, True], ids=["anchor field", "no field in every row"])
def test_a_row_that_cannot_be_written_has_no_line_and_the_others_are_canonical(nulls: bool) -> None:
    """A value a batch cannot carry, in the field the commas hang on (or, with a null in every field, in
    the first one): that row gets no line, and every other row's line is the one written record by record."""
    from creditstd.records.exchange import canonical_line, make_record
    from creditstd.records.exchange_lines import record_lines
    from creditstd.records.jsonline import MAX_STRING_LENGTH

    numbers = ["YY-1", "é" * (MAX_STRING_LENGTH + 1), "YY-3", None if nulls else "YY-4"]
    statuses = [None if nulls else "受理", "受理", "办结", "受理"]
    cells = {"objection_number": pa.array(numbers, pa.string()), "status": pa.array(statuses, pa.string())}
    made = record_lines("objection", cells, on=ON)
    assert list(made.problems) == [1]
    lines = made.lines.to_pylist()
    assert lines[1] is None
    for row in (0, 2, 3):
        data = {key: value for key, value in (("objection_number", numbers[row]), ("status", statuses[row]))
                if value is not None}
        assert lines[row].encode("utf-8") == canonical_line(make_record(data, "objection", on=ON))
