"""The compiled validation core agrees with the reference row path, row by row, finding by finding.

Rows come the way departments send them: records written as CSV by the export writer and read back as text,
then broken at random (hypothesis) with the values real exports carry: blanks, padding, wrong dates, bad
check characters, units in amounts, codes outside the tables, over-long text.
"""

from __future__ import annotations

import csv
import io
import json
import pickle
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditstd.records import loader
from creditstd.records.export import write_csv
from creditstd.records.fake import fake_records
from creditstd.records.plan import compile_plan, decode_rows, reference_findings, validate_table

TODAY = date(2026, 11, 1)
CLASSES = loader.class_names()


def _rows_as_text(class_name: str, records: Sequence[dict]) -> list[dict[str, str]]:
    """The records as a department's CSV export holds them: written by the export writer, read back as text."""
    stream = io.StringIO()
    write_csv(records, class_name, stream, headers="key")
    return list(csv.DictReader(io.StringIO(stream.getvalue())))


def _batch(rows: Sequence[dict[str, str | None]]) -> pa.RecordBatch:
    keys = list(dict.fromkeys(key for row in rows for key in row))
    return pa.RecordBatch.from_pydict({key: pa.array([row.get(key) for row in rows], pa.string()) for key in keys})


def _signature(findings) -> list[tuple]:
    return sorted((finding.path, finding.code, finding.field, finding.message_zh, finding.message_en)
                  for finding in findings)


def assert_agrees(class_name: str, rows: Sequence[dict[str, str | None]], *, strict: bool = False) -> None:
    plan = compile_plan(class_name, strict=strict, today=TODAY)
    batch = _batch(rows)
    result = validate_table(plan, batch, lines=np.arange(2, len(rows) + 2))
    for index, record in enumerate(decode_rows(plan, batch)):
        expected = _signature(reference_findings(plan, record))
        got = _signature(finding for finding, row in zip(result.findings, result.rows, strict=True) if row == index)
        assert got == expected, (class_name, index, record)
        assert bool(result.valid[index]) == (not expected)


def _fake_rows(class_name: str, n: int, seed: int, error_rate: float) -> list[dict[str, str]]:
    records = [fake.record for fake in fake_records(class_name, n, seed=seed, error_rate=error_rate, on=TODAY)]
    return _rows_as_text(class_name, records)


@pytest.mark.parametrize("class_name", CLASSES)
@pytest.mark.parametrize("strict", [False, True])
def test_agrees_with_the_row_path_on_fake_exports_with_broken_rows(class_name: str, strict: bool) -> None:
    assert_agrees(class_name, _fake_rows(class_name, 150, seed=7, error_rate=0.3), strict=strict)


@pytest.mark.parametrize("class_name", CLASSES)
def test_agrees_on_the_example_records(class_name: str) -> None:
    examples = Path(__file__).resolve().parent.parent / "examples" / "records" / f"{class_name}.jsonl"
    records = [json.loads(line) for line in examples.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert_agrees(class_name, _rows_as_text(class_name, records))


#: Cell values real exports carry, valid somewhere and wrong elsewhere.
HOSTILE = st.sampled_from([
    "", " ", "　", "\t", "无", "-", "0", "-1", "1e400", "0.2", " 0.2 ", "2,000.00", "1.5万元", "NaN", "Infinity",
    "2024-02-30", "2024-2-3", "20240315", "2024/03/15", "0000-01-01", "9999-12-31", "2024-03-15", "2030-01-01",
    "91350100M000100Y43", "91350100M000100Y4Z", "91350100m000100y43", "00000000000000000X", "11350100MAD18YGF27",
    "11010519491231002X", "110105194912310021", "110105491231002", "110105********002X", "19220382-1",
    "440301103097413", "1234567890123", "法人及非法人组织", "自然人", "个体工商户", "02", "身份证", "其他",
    "其他-军官证", "警告；罚款", "罚款、没收违法所得", "警告;;", "其他-责令改正", "暂扣许可证件", "是", "否", "true",
    "A", "tax", "green",
    "110105", "999999", "production_safety", "unknown_sector", "x" * 201, "y" * 5000, "中" * 129, "<script>",
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), class_name=st.sampled_from(CLASSES), strict=st.booleans())
def test_agrees_on_generated_rows(data: st.DataObject, class_name: str, strict: bool) -> None:
    rows = _fake_rows(class_name, 6, seed=data.draw(st.integers(0, 10_000)), error_rate=0.2)
    keys = list(rows[0])
    for row in rows:
        for key in data.draw(st.lists(st.sampled_from(keys), max_size=4, unique=True)):
            row[key] = data.draw(HOSTILE)
    assert_agrees(class_name, rows, strict=strict)


def test_a_plan_pickles_and_gives_the_same_verdicts() -> None:
    plan = compile_plan("administrative_penalty", today=TODAY)
    copy = pickle.loads(pickle.dumps(plan))
    assert copy == plan
    batch = _batch(_fake_rows("administrative_penalty", 40, seed=3, error_rate=0.5))
    first, second = validate_table(plan, batch), validate_table(copy, batch)
    assert first.valid.tolist() == second.valid.tolist() and first.findings == second.findings
    assert 0 < first.invalid_count < 40


def test_cells_are_trimmed_and_blank_cells_are_absent() -> None:
    rows = _fake_rows("administrative_penalty", 3, seed=1, error_rate=0.0)
    rows[0]["decision_number"] = "  " + rows[0]["decision_number"] + "\u3000"
    rows[1]["remarks"] = "   "
    rows[2]["decision_number"] = " "
    plan = compile_plan("administrative_penalty", today=TODAY)
    result = validate_table(plan, _batch(rows))
    assert result.valid.tolist() == [True, True, False]
    assert [(finding.path, finding.code) for finding in result.findings] == [("$.decision_number", "record.required")]


def test_findings_are_located_and_personal_values_masked() -> None:
    rows = _fake_rows("administrative_penalty", 1, seed=5, error_rate=0.0)
    rows[0].update(subject_category="自然人", id_type="身份证", id_number="110105194912310021")
    plan = compile_plan("administrative_penalty", today=TODAY)
    result = validate_table(plan, _batch(rows), file="feed.csv", lines=np.array([7]))
    (finding,) = [finding for finding in result.findings if finding.field == "id_number"]
    assert str(finding.location) == "feed.csv:7" and finding.code == "ric.checksum"
    assert finding.value == "110105********0021"
    shown = validate_table(plan, _batch(rows), show_pii=True)
    assert [f.value for f in shown.findings if f.field == "id_number"] == ["110105194912310021"]


def test_columns_the_class_does_not_know_are_ignored_and_absent_ones_are_missing() -> None:
    plan = compile_plan("administrative_penalty", today=TODAY)
    batch = pa.RecordBatch.from_pydict({"经办人": ["张三"], "decision_number": ["罚〔2024〕1号"]})
    result = validate_table(plan, batch)
    assert not result.valid[0]
    assert "$.经办人" not in {finding.path for finding in result.findings}
    assert ("$.subject_name", "record.required") in {(finding.path, finding.code) for finding in result.findings}


@pytest.mark.parametrize("class_name", CLASSES)
def test_the_row_path_in_parts_reports_what_the_whole_schema_reports(class_name: str) -> None:
    """``errors_in`` checks the class schema keyword by keyword and field by field; JSON Schema checks each
    keyword on its own, so this must be what one validator of the whole schema finds."""
    from jsonschema import Draft202012Validator

    from creditstd.records.formats import format_checker
    from creditstd.records.validation import validator

    check = validator(class_name)
    whole = Draft202012Validator(loader.inlined_class_schema(class_name), registry=loader.registry(),
                                 format_checker=format_checker(False))
    for fake in fake_records(class_name, 80, seed=11, error_rate=0.6, on=TODAY):
        expected = [error for schema_error in whole.iter_errors(fake.record)
                    for error in check._from_schema(schema_error, fake.record)]
        got = [error for error in check.iter_errors(fake.record, today=TODAY) if not error.code.startswith(
            ("rule.date", "rule.orgcode", "record.not_finite", "record.invalid_text", "record.too_"))]
        assert _signature(got) == _signature(set(expected)), fake.record


def test_an_integer_too_long_for_python_is_a_finding_not_a_crash() -> None:
    """Python refuses to turn more than 4,300 digits into an int; such a cell stays text and is reported."""
    plan = compile_plan("credit_rating", today=TODAY)
    batch = pa.RecordBatch.from_pydict({"evaluation_year": pa.array(["9" * 5000, "2024"], pa.string())})
    result = validate_table(plan, batch)
    paths = [(finding.path, row) for finding, row in zip(result.findings, result.rows.tolist(), strict=True)]
    assert ("$.evaluation_year", 0) in paths and ("$.evaluation_year", 1) not in paths


_IDENTIFIER_TEXT = st.one_of(
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=20),
    st.text(alphabet="0123456789Xx -－０１Ａa", max_size=20),
    st.sampled_from(["91350100M000100Y43", "91350100M000100Y4Z", "11010519491231002X", "110105194912310021",
                     "192203821", "110108000000016", "110105491231002", "9135 0100 M000 100Y43", ""]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), _IDENTIFIER_TEXT), max_size=40),
       st.sampled_from(["uscc", "ric", "orgcode", "regno"]), st.booleans(), st.booleans())
def test_identifier_columns_read_from_arrow_buffers_agree_with_the_batch_path(
        values: list[str | None], kind: str, strict: bool, large: bool) -> None:
    from creditstd.codes.batch import validate_batch
    from creditstd.records.plan import _identifiers

    column = pa.array(values, pa.large_string() if large else pa.string())
    expected = validate_batch(values, kind, strict=strict).valid
    assert _identifiers(kind, strict)(column).tolist() == list(expected)
    if len(values) > 2:  # a slice: the buffers start at an offset
        assert _identifiers(kind, strict)(column.slice(1)).tolist() == list(expected[1:])


_DATE_LIKE = st.one_of(
    st.dates().map(date.isoformat),
    st.from_regex(r"[0-9０-９]{4}-[0-9]{1,2}-[0-9]{1,3}", fullmatch=True),
    st.text(alphabet="0123456789-/ 年月日", max_size=12),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), _DATE_LIKE), max_size=30), st.booleans())
def test_dates_read_from_the_bytes_are_the_formats_real_dates(values: list[str | None], large: bool) -> None:
    from creditstd.records.formats import iso_date
    from creditstd.records.plan import _real_dates

    column = pa.array(values, pa.large_string() if large else pa.string())
    assert _real_dates(column).tolist() == [iso_date(value) is not None for value in values]
    if len(values) > 1:
        assert _real_dates(column.slice(1)).tolist() == [iso_date(value) is not None for value in values[1:]]


@pytest.mark.parametrize("side", ["start", "end"])
def test_the_white_space_looked_for_is_exactly_what_arrow_trims(side: str) -> None:
    """A column is trimmed only when a value starts or ends with white space (_untrimmed): over every code
    point, a value Arrow's trim would change is seen, and one it would not change leaves the column as it is."""
    import pyarrow.compute as pc

    from creditstd.records.plan import _untrimmed

    characters = [chr(point) for point in range(0x110000) if not 0xD800 <= point <= 0xDFFF]
    values = [f"{character}a" if side == "start" else f"a{character}" for character in characters]
    column = pa.array(values, pa.string())
    changed = np.asarray(pc.not_equal(pc.utf8_trim_whitespace(column), column).to_numpy(zero_copy_only=False))
    spaces = [value for value, moved in zip(values, changed.tolist(), strict=True) if moved]
    assert len(spaces) == 29
    assert all(_untrimmed(pa.array([value])) for value in spaces)
    assert not _untrimmed(column.filter(pa.array(~changed)))


#: Characters around which trimming is decided: every white space Arrow trims, characters whose UTF-8 bytes
#: share a lead or a last pair with one (局 ends in 0x80, 《 starts with 0xE3 0x80), letters and CJK.
_TRIM_ALPHABET = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000"
                  "局《》〔号统a1\u2060\u200b\u3001\x80")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=_TRIM_ALPHABET, max_size=6)), max_size=12),
       st.integers(min_value=0, max_value=3), st.booleans())
def test_columns_are_read_as_arrow_trims_them(values: list[str | None], cut: int, large: bool) -> None:
    """_untrimmed says whether Arrow's trim would change a column (its quick look at each value's first and
    last two bytes lets every such value through), and the checked cells are the trimmed ones, empty ones null."""
    import pyarrow.compute as pc

    from creditstd.records.plan import _Columns, _untrimmed

    column = pa.array(values, pa.large_string() if large else pa.string()).slice(min(cut, len(values)))
    trimmed = pc.utf8_trim_whitespace(column)
    assert _untrimmed(column) == any(pc.fill_null(pc.not_equal(trimmed, column), False).to_pylist())
    columns = _Columns(pa.RecordBatch.from_arrays([column], names=["remarks"]), ["remarks"])
    expected = [value or None for value in trimmed.to_pylist()]
    assert columns.text["remarks"].to_pylist() == expected
    assert columns.present("remarks").tolist() == [value is not None for value in expected]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.booleans()), max_size=40), st.integers(min_value=0, max_value=12))
def test_boolean_columns_are_read_from_their_bits_as_arrow_reads_them(values: list[bool | None], cut: int) -> None:
    """_mask unpacks an Arrow boolean array's bits itself (offsets into the buffers included): a null is False;
    _valid unpacks the validity bits."""
    from creditstd.records.plan import _mask, _valid

    column = pa.array(values, pa.bool_()).slice(min(cut, len(values)))
    assert _mask(column).tolist() == [bool(value) for value in column.to_pylist()]
    assert _valid(column).tolist() == [value is not None for value in column.to_pylist()]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="a统𠀀 ", max_size=7)), max_size=12),
       st.integers(0, 3), st.integers(0, 5), st.integers(0, 6))
def test_lengths_are_counted_in_characters_as_arrow_counts_them(values: list[str | None], cut: int, low: int,
                                                                 extra: int) -> None:
    """_lengths settles most values by their byte length read from the offsets (a slice's too) and counts the
    rest in characters: a value is inside the bounds exactly when Arrow's character count is, a null never."""
    import pyarrow.compute as pc

    from creditstd.records.plan import _lengths

    column = pa.array(values, pa.string()).slice(min(cut, len(values)))
    chars = pc.utf8_length(column).to_pylist()
    expected = [count is not None and low <= count <= low + extra for count in chars]
    assert _lengths(low, low + extra)(column).tolist() == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), class_name=st.sampled_from(CLASSES), strict=st.booleans())
def test_a_conditional_checked_on_the_rows_it_applies_to_says_what_it_says_on_all(
        data: st.DataObject, class_name: str, strict: bool) -> None:
    """A conditional's consequence runs only on the rows where its condition holds (_Columns.subset): the
    rows it flags are those of the consequence run on the whole batch."""
    from creditstd.records.plan import _Columns, _compiled

    rows = _fake_rows(class_name, 12, seed=data.draw(st.integers(0, 10_000)), error_rate=0.3)
    keys = list(rows[0])
    for row in rows:
        for key in data.draw(st.lists(st.sampled_from(keys), max_size=4, unique=True)):
            row[key] = data.draw(HOSTILE)
    compiled = _compiled(class_name, strict)
    columns = _Columns(_batch(rows), compiled.keys, class_name)
    for conditional in compiled.conditionals:
        whole = conditional.condition(columns) & ~conditional.consequence(columns)
        assert conditional.failing(columns).tolist() == whole.tolist()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), class_name=st.sampled_from(CLASSES), strict=st.booleans())
def test_a_field_check_decides_each_cell_on_its_own(data: st.DataObject, class_name: str, strict: bool) -> None:
    """A field's column check over a column with empty cells (checked in place when mostly filled, on the
    filled cells alone when mostly empty) says for each cell what it says on that cell alone."""
    from creditstd.records.plan import _Columns, _compiled

    compiled = _compiled(class_name, strict)
    keys = data.draw(st.lists(st.sampled_from(compiled.keys), min_size=1, max_size=4, unique=True))
    size = data.draw(st.integers(1, 9))
    cells = {key: data.draw(st.lists(st.one_of(st.none(), HOSTILE), min_size=size, max_size=size)) for key in keys}
    whole = _Columns(_batch([{key: cells[key][row] for key in keys} for row in range(size)]), keys, class_name)
    for key in keys:
        alone = [bool(compiled.fields[key](_Columns(_batch([{key: cell}]), [key], class_name), key)[0])
                 for cell in cells[key]]
        assert compiled.fields[key](whole, key).tolist() == alone, (key, cells[key])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="ab统1", max_size=4)), min_size=1, max_size=12),
       st.integers(min_value=0, max_value=3), st.integers(min_value=1, max_value=4), st.data())
def test_fixed_width_matrices_hold_each_values_bytes(values: list[str | None], cut: int, width: int,
                                                     data: st.DataObject) -> None:
    """fixed_width (a view of the buffer when the values lie one after the other, else gathered) gives each
    chosen value's bytes, whichever rows of that width are chosen."""
    from creditstd.arrow_text import fixed_width, text_buffers

    column = pa.array(values, pa.string()).slice(min(cut, len(values) - 1))
    texts = column.to_pylist()
    fitting = [row for row, text in enumerate(texts) if text is not None and len(text.encode()) == width]
    rows = np.array(sorted(data.draw(st.sets(st.sampled_from(fitting)))) if fitting else [], np.int64)
    matrix = fixed_width(*text_buffers(column), rows, width)
    assert matrix.shape == (len(rows), width)
    assert [bytes(row.astype(np.uint8)) for row in matrix] == [texts[row].encode() for row in rows.tolist()]


#: Number texts of every length, with and without an exponent: some a double holds as written, some not.
_NUMBER_TEXT = st.one_of(
    st.from_regex(r"\A[+-]?[0-9]{1,22}(\.[0-9]{0,22})?([eE][+-]?[0-9]{1,3})?\Z"),
    st.sampled_from(["12345678901234567.89", "0.1234567890123456789", "1e-400", "2.29", "1E+3", "-0",
                     "0.30000000000000004", "123456789012345", "1234567890123456", "9007199254740993.0",
                     "4.9e-324", "2e-308", "100000000000000000000", "1e400", "12345678901234567",
                     "9007199254740993", "-9007199254740993", "9007199254740994", "1152921504606846976"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_NUMBER_TEXT, min_size=1, max_size=12))
def test_a_number_a_double_cannot_hold_as_written_is_refused_by_both_paths(values: list[str]) -> None:
    """The column pass never accepts a number the row path refuses as inexact; where a double holds the
    number as written, neither refuses it for that."""
    from creditstd.records.decode import cell_decoder
    from creditstd.records.jsonline import InexactNumber
    decode = cell_decoder("administrative_penalty", "fine_amount")  # digits alone are an int: always exact
    rows = [{"subject_name": "某某科技有限公司", "fine_amount": value, "penalty_types": "罚款"} for value in values]
    assert_agrees("administrative_penalty", rows)
    plan = compile_plan("administrative_penalty", today=TODAY)
    result = validate_table(plan, _batch(rows))
    inexact = {row for finding, row in zip(result.findings, result.rows.tolist(), strict=True)
               if finding.code == "record.inexact_number"}
    assert inexact == {row for row, value in enumerate(values)
                       if isinstance(decode(value), InexactNumber)}


def test_a_double_holds_what_decimal_number_accepts_and_nothing_it_refuses() -> None:
    from decimal import Decimal

    from creditstd.records.jsonline import InexactNumber, decimal_number
    for text in ("2.29", "1E+3", "0.30000000000000004", "-0", "123456789012345", "9007199254740992"):
        value = decimal_number(text)
        assert type(value) is float and Decimal(repr(value)) == Decimal(text)
    for text in ("12345678901234567.89", "0.1234567890123456789", "1e-400", "9007199254740993", "4.9e-324"):
        assert type(decimal_number(text)) is InexactNumber, text


#: The placeholder as departments type it: case, width, separators, padding; and codes that only look alike.
_PLACEHOLDER_SPELLINGS = st.one_of(
    st.sampled_from(["00000000000000000X", "00000000000000000x", "０００００００００００００００００Ｘ",
                     "000000 00000000000X", "0000-0000-0000-0000-0X", "00000000000000000Ｘ", "0000000000000000X",
                     "000000000000000000X", "00000000000000000Y", "91350100M000100Y43", "1000000000000000X",
                     "00000000000000000X\u200b", "00000000000000000\u2169"]),
    st.lists(st.sampled_from(["0", "０", " ", "-"]), min_size=17, max_size=22).map("".join).map(
        lambda body: body + "x"),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_PLACEHOLDER_SPELLINGS, st.booleans()), min_size=1, max_size=10))
def test_the_placeholder_in_any_spelling_is_the_placeholder_on_both_paths(rows: list[tuple[str, bool]]) -> None:
    """An individual business without a code: the placeholder spelled as the department typed it is read as
    the placeholder (then the registration number is required) by the column pass and the row path alike."""
    from creditstd.codes.uscc import is_placeholder
    records = [{"subject_name": "某某商店", "subject_category": "个体工商户", "uscc": uscc,
                **({"regno": "110108000000016"} if with_regno else {})} for uscc, with_regno in rows]
    assert_agrees("administrative_penalty", records)
    result = validate_table(compile_plan("administrative_penalty", today=TODAY), _batch(records))
    for row, (uscc, with_regno) in enumerate(rows):
        codes = {finding.code for finding, at in zip(result.findings, result.rows.tolist(), strict=True) if at == row}
        if is_placeholder(uscc):
            assert "uscc.placeholder" not in codes
            assert ("rule.placeholder_needs_regno" in codes) == (not with_regno)
            assert result.cells["uscc"][row].as_py() == "00000000000000000X"


#: Array items as they come from JSON Lines, a converter or fake: texts of any kind (separators, brackets, white
#: space, empty), objects of texts, and now and then a number.
_ITEM = st.one_of(
    st.text(alphabet=st.sampled_from("甲乙 ；;、[]{}\"\\,x1\u3000"), max_size=6),
    st.dictionaries(st.sampled_from(["name", "position"]), st.text(alphabet="张三局长；[", min_size=1, max_size=4),
                    min_size=1),
    st.integers(-5, 5),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ITEM, max_size=5))
def test_an_array_cell_reads_back_as_the_array_it_was_made_from(items: list) -> None:
    """One cell form of an array for every writer (CSV and XML exports, the JSON Lines reader, convert):
    ``array_cell`` joins the items with ``；`` only when the decoder gives them back; otherwise it writes JSON.
    Either form reads back as every cell is read: text items trimmed, empty ones dropped (in JSON Lines
    ``["罚款 ", "其他-甲、乙"]`` was refused and ``["罚款 ", "警告"]`` valid, by the form their items took)."""
    from creditstd.records.decode import array_cell, cell_decoder
    cell = array_cell(items).strip()  # the plan trims every cell; an empty cell is an absent field
    for class_name, key in (("administrative_penalty", "penalty_types"), ("government_dishonesty",
                                                                          "responsible_persons")):
        decoded = cell_decoder(class_name, key)(cell) if cell else []
        # read as every cell is: text items trimmed, empty ones dropped; objects and numbers as they are
        assert decoded == [item.strip() if isinstance(item, str) else item for item in items
                           if not (isinstance(item, str) and not item.strip())]
