"""The compiled validation core: one plan per class, checking a whole Arrow batch of rows at once.

Every caller that validates tabular data (``creditstd validate``, the
converters, the Spark integration) goes through :func:`validate_table`.  A
:class:`Plan` is small, immutable data (class, strictness, the day "today"
means), so it pickles and ships to a Spark executor as is; the checks it
stands for are compiled once per process from the class's JSON Schema and
cached.

How a batch is checked.  The batch's columns are named by catalogue key and
hold text cells.  Each column is trimmed once; an empty cell is an absent
field.  Then, column by column:

* required fields and the class's conditional requirements
  (``if``/``then``) become presence masks;
* each field's own schema (type, length, pattern, code table, identifier
  formats with their check digits, dates, minimum...) becomes Arrow compute
  and NumPy operations over the column, the identifier checks through the
  library's batch path; a schema part no column operation expresses is
  decided once per *distinct* value of the column, by the schema itself;
* the named cross-field rules (a date not after another, the organisation
  code inside the USCC) become column comparisons.

The column pass only decides which rows, and which parts of a row (a
field's value, the conditionals, a rule), *may* be wrong: it is exact or
errs towards flagging.  The findings of a flagged row come from the
reference row path, :meth:`RecordValidator.errors_in` on the decoded record
for the flagged parts (plus the checks every record gets), so the two can
never disagree: a part the column pass accepts has no finding on the row
path (the differential tests check this on every fixture and on generated
records), and a flagged row gets exactly the row path's findings, located
by file and line.  The work is proportional to the number of broken cells,
not of rows.

>>> import pyarrow as pa
>>> plan = compile_plan('administrative_penalty', today=date(2024, 6, 1))
>>> rows = pa.RecordBatch.from_pydict({
...     'subject_name': ['某某科技有限公司', '某某商店'],
...     'subject_category': ['法人及非法人组织', '个体工商户'],
...     'uscc': ['91350100M000100Y43', '91350100M000100Y4Z'],
...     'legal_representative': ['张三', None],
...     'decision_number': ['罚〔2024〕1号', ' 罚〔2024〕2号 '],
...     'violation_type': ['虚假宣传'] * 2, 'violation_facts': ['经查……'] * 2, 'legal_basis': ['《广告法》'] * 2,
...     'penalty_types': ['警告；罚款', '警告'], 'penalty_content': ['罚款2000元', '警告'],
...     'fine_amount': ['0.2', ''], 'decision_date': ['2024-03-15', '2024-03-15'],
...     'valid_until': ['2025-03-15', '2024-13-01'],
...     'authority': ['某市市场监督管理局'] * 2, 'authority_uscc': ['11350100MAD18YGF27'] * 2,
...     'data_source': ['某市市场监督管理局'] * 2, 'data_source_uscc': ['11350100MAD18YGF27'] * 2})
>>> result = validate_table(plan, rows, file='penalties.csv', lines=np.array([2, 3]))
>>> result.valid.tolist()
[True, False]
>>> [(str(finding.location), finding.path, finding.code) for finding in result.findings]
[('penalties.csv:3', '$.uscc', 'uscc.checksum'), ('penalties.csv:3', '$.valid_until', 'record.date')]
"""

from __future__ import annotations

import functools
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from jsonschema import Draft202012Validator

from creditstd.arrow_text import fixed_width, text_buffers
from creditstd.codes.batch import canonical_rows, canonical_valid, validate_batch
from creditstd.codes.identify import FORMAT_KINDS, IdentifierKind
from creditstd.codes.redact import redact
from creditstd.codes.uscc import PLACEHOLDER, is_placeholder
from creditstd.findings import Finding, Location
from creditstd.findings import finding as coded_finding
from creditstd.records import loader
from creditstd.records.decode import NUMBER, cell_decoder, code_aliases, field_type, takes_placeholder
from creditstd.records.formats import format_checker
from creditstd.records.jsonline import EXACT_CHARS, MAX_STRING_LENGTH, first_problem
from creditstd.records.masking import looks_like_person_name, mask_person_name, mask_shown_value
from creditstd.records.model import record_class
from creditstd.records.validation import RECORD_CODES, RecordValidator, conditional_reads, validator

if TYPE_CHECKING:
    from creditstd.records.duplicates import DuplicateResult

__all__ = ["Plan", "TableResult", "compile_plan", "decode_rows", "keyed_batch", "reference_findings", "table_cells",
           "validate_table"]

#: Characters of a cell's value shown in a finding (personal values masked first).
SHOWN_CHARS = 80


@dataclass(frozen=True)
class Plan:
    """What to check: a class, its strictness and the day the date rules take for today.

    Plain data: it pickles, compares and hashes by value; the compiled checks it names are built once per
    process (:func:`_compiled`).
    """

    class_name: str
    strict: bool = False
    today: date = field(default_factory=date.today)

    @property
    def fields(self) -> tuple[str, ...]:
        """The class's field keys, in schema order."""
        return tuple(record_class(self.class_name).fields)


def compile_plan(class_name: str, *, strict: bool = False, today: date | None = None) -> Plan:
    """The plan for ``class_name``; its checks are compiled now (once per process), so errors surface here.

    Raises :class:`~creditstd.exceptions.CatalogueError` for an unknown class.
    """
    plan = Plan(class_name, strict, today or date.today())
    _compiled(class_name, strict)
    return plan


@dataclass(frozen=True)
class TableResult:
    """The verdict on a batch: one boolean per row, and the findings of the rows that are not valid."""

    valid: np.ndarray
    findings: tuple[Finding, ...]
    #: The row (0-based, in the batch) of each finding.
    rows: np.ndarray
    #: The cells as checked, per field key the batch has: trimmed, an empty cell null.
    cells: Mapping[str, pa.Array] = field(default_factory=dict)

    @property
    def invalid_count(self) -> int:
        """How many rows have at least one finding."""
        return int((~self.valid).sum())

    def with_duplicates(self, duplicates: DuplicateResult) -> TableResult:
        """This verdict with the batch's rows that repeat an earlier record rejected too (their findings after
        the others)."""
        if not duplicates.count:
            return self
        return replace(self, valid=self.valid & ~duplicates.duplicate, findings=self.findings + duplicates.findings,
                       rows=np.concatenate([self.rows, duplicates.rows]))

    def with_values(self, plan: Plan, errors: Mapping[int, Mapping[str, Sequence[Finding]]], *,
                    file: str | None = None, lines: np.ndarray | None = None, first_record: int = 1,
                    show_pii: bool = False) -> TableResult:
        """This verdict with some values judged as they are rather than by their cells' text: ``errors`` maps a
        row (0-based) to, per field key, what the row path finds in the value the record holds there
        (:meth:`~creditstd.records.validation.RecordValidator.field_errors`: a JSON value of another type than
        its field's, which its text hides).  Those findings replace the ones the result had on that field's
        value in that row (at its path or inside it: they judged a text the record does not hold), are located
        and shown as :func:`validate_table` locates and shows its own, and reject their rows (a row with none is
        left as it was).  The findings stay in row order.

        >>> plan = compile_plan('administrative_penalty')
        >>> check = validator(plan.class_name)
        >>> batch = pa.RecordBatch.from_pydict({'decision_number': ['2403', '罚〔2024〕1号']})
        >>> result = validate_table(plan, batch, file='a.jsonl', lines=np.array([1, 2]))
        >>> typed = result.with_values(plan, {0: {'decision_number': check.field_errors('decision_number', 2403)}},
        ...                            file='a.jsonl', lines=np.array([1, 2]))
        >>> [(str(finding.location), finding.path, finding.code, finding.value) for finding in typed.findings
        ...  if finding.field == 'decision_number']
        [('a.jsonl:1', '$.decision_number', 'record.type', '2403')]
        """
        errors = {row: found for row, found in errors.items() if any(found.values())}
        if not errors:
            return self
        findings: list[Finding] = []
        rows: list[int] = []
        for finding, row in zip(self.findings, self.rows.tolist(), strict=True):
            replaced = errors.get(row, {})
            if not any(finding.path == f"$.{key}" or finding.path.startswith((f"$.{key}[", f"$.{key}."))
                       for key in replaced):
                findings.append(finding)
                rows.append(row)
        for row, found in errors.items():
            located = _located(plan, [error for values in found.values() for error in values], row, self.cells,
                               file=file, lines=lines, first_record=first_record, show_pii=show_pii)
            findings.extend(located)
            rows.extend([row] * len(located))
        order = np.argsort(np.asarray(rows, np.int64), kind="stable")
        valid = self.valid.copy()
        valid[list(errors)] = False
        return replace(self, valid=valid, findings=tuple(findings[index] for index in order.tolist()),
                       rows=np.asarray(rows, np.int64)[order])


# -- columns ---------------------------------------------------------------------------------------------------


#: What Arrow's ``utf8_trim_whitespace`` trims, as UTF-8: single bytes, two-byte sequences (after 0xC2) and
#: three-byte ones read as one number (tests/test_plan.py checks them against Arrow over every code point).
_SPACE_BYTE = np.zeros(256, bool)
_SPACE_BYTE[[*range(0x09, 0x0E), *range(0x1C, 0x21)]] = True
_SPACE_AFTER_C2 = np.zeros(256, bool)
_SPACE_AFTER_C2[[0x85, 0xA0]] = True
_SPACE_TRIPLES = np.array([0xE19A80, *range(0xE28080, 0xE2808B), 0xE280A8, 0xE280A9, 0xE280AF, 0xE2819F, 0xE38080])


def _spaces_at(data: np.ndarray, at: np.ndarray, room: np.ndarray) -> bool:
    """Whether a white-space character starts at any of the byte positions ``at`` (``room`` bytes of the
    value from there)."""
    lead = data[at]
    if _SPACE_BYTE[lead].any():
        return True
    pairs = at[(lead == 0xC2) & (room >= 2)]
    if len(pairs) and _SPACE_AFTER_C2[data[pairs + 1]].any():
        return True
    triples = at[(lead >= 0xE1) & (lead <= 0xE3) & (room >= 3)]
    if len(triples):
        value = (data[triples].astype(np.int64) << 16) | (data[triples + 1].astype(np.int64) << 8) | data[triples + 2]
        return bool(np.isin(value, _SPACE_TRIPLES).any())
    return False


#: A quick filter before :func:`_spaces_at`: the pairs of bytes (first << 8 | second) a value that starts with
#: white space may start with, and those a value that ends with it may end with.  Every such value is let
#: through (a one-byte space with whatever byte is next to it); a few others are too, and are looked at exactly.
_MAY_START = np.zeros(1 << 16, bool)
_MAY_END = np.zeros(1 << 16, bool)
for _byte in np.flatnonzero(_SPACE_BYTE).tolist():
    _MAY_START[_byte << 8:(_byte + 1) << 8] = True
    _MAY_END[_byte::256] = True
for _pair in (0xC285, 0xC2A0):
    _MAY_START[_pair] = _MAY_END[_pair] = True
_MAY_START[_SPACE_TRIPLES >> 8] = True
_MAY_END[_SPACE_TRIPLES & 0xFFFF] = True


def _untrimmed(column: pa.Array) -> bool:
    """Whether any value of ``column`` starts or ends with white space, looking only at its ends' bytes
    (so a column that needs no trimming is not copied).

    >>> _untrimmed(pa.array(['统一社会信用代码', 'A1', None, ''])), _untrimmed(pa.array(['A1', 'x\u3000']))
    (False, True)
    """
    return _untrimmed_buffers(*text_buffers(column))


def _untrimmed_buffers(offsets: np.ndarray, data: np.ndarray) -> bool:
    """:func:`_untrimmed` of the column with these buffers (:func:`~creditstd.arrow_text.text_buffers`)."""
    if not len(data) or offsets[-1] == offsets[0]:
        return False
    starts, ends = offsets[:-1], offsets[1:]
    # the first two and the last two bytes of each value (a neighbour's, or the buffer's ends, for a shorter
    # one: that only lets more values through to the exact look)
    head = (data.take(starts, mode="clip").astype(np.uint16) << 8) | data.take(starts + 1, mode="clip")
    tail = (data.take(ends - 2, mode="clip").astype(np.uint16) << 8) | data.take(ends - 1, mode="clip")
    rows = np.flatnonzero((_MAY_START[head] | _MAY_END[tail]) & (ends > starts))
    if not len(rows):
        return False
    starts, ends = starts[rows], ends[rows]
    sizes = ends - starts
    if _spaces_at(data, starts, sizes):
        return True
    # the last character starts 1, 2 or 3 bytes before the end (UTF-8 continuation bytes are 0b10xxxxxx)
    last = ends - 1
    for back in (2, 3):
        inside = (sizes >= back) & ((data[last] & 0xC0) == 0x80)
        last = np.where(inside, ends - back, last)
    return _spaces_at(data, last, ends - last)


def _empty_as_null(column: pa.Array, offsets: np.ndarray | None = None) -> tuple[pa.Array, np.ndarray]:
    """``column`` with its empty strings null (the same text buffers under a new validity bitmap), and per
    cell whether it holds text.  ``offsets``: the column's, if at hand (:func:`~creditstd.arrow_text.text_buffers`).

    >>> _empty_as_null(pa.array(['a', '', None, 'b']))[0].to_pylist()
    ['a', None, None, 'b']
    >>> column, present = _empty_as_null(pa.array(['x', 'a', '', None, 'b']).slice(1))
    >>> column.to_pylist(), present.tolist()
    (['a', None, None, 'b'], [True, False, False, True])
    """
    if offsets is None:
        offsets, _ = text_buffers(column)
    present = offsets[1:] != offsets[:-1]
    if column.null_count:
        present &= _valid(column)
    elif present.all():
        return column, present
    # the bitmap covers the buffers from their start: a slice's cells begin ``offset`` bits in
    bits = np.concatenate([np.zeros(column.offset, bool), present])
    bitmap = pa.py_buffer(np.packbits(bits, bitorder="little").tobytes())
    return pa.Array.from_buffers(column.type, len(column), [bitmap, *column.buffers()[1:]],
                                 offset=column.offset), present


@functools.cache
def _alias_arrays(class_name: str, key: str) -> tuple[pa.Array, pa.Array] | None:
    """The code-table aliases of field ``key`` (:func:`~creditstd.records.decode.code_aliases`) and the values
    they stand for, as two Arrow arrays; None when the field has none."""
    aliases = code_aliases(class_name, key)
    if not aliases:
        return None
    return pa.array(list(aliases), pa.string()), pa.array(list(aliases.values()), pa.string())


def _unalias(column: pa.Array, aliases: pa.Array, values: pa.Array) -> pa.Array:
    """``column`` with each cell that is one of ``aliases`` replaced by the value it stands for.

    >>> codes, names = pa.array(['01', '02']), pa.array(['自然人', '法人'])
    >>> _unalias(pa.array(['02', '自然人', None, '05']), codes, names).to_pylist()
    ['法人', '自然人', None, '05']
    """
    found = pc.index_in(column, value_set=aliases.cast(column.type))
    if found.null_count == len(found):
        return column
    return pc.coalesce(pc.take(values.cast(column.type), found), column)


#: A cell that cannot be the placeholder in any spelling compact() folds: it holds a digit 1-9 or a letter
#: other than X (ASCII or full width).  Whatever else a cell holds is looked at by is_placeholder itself.
_NOT_PLACEHOLDER = "[1-9１-９A-WYZa-wyzＡ-ＷＹＺａ-ｗｙｚ]"
_PLACEHOLDER = pa.scalar(PLACEHOLDER)


def _placeholder_spellings(column: pa.Array) -> pa.Array:
    """``column`` with the placeholder written in any other spelling read as :data:`PLACEHOLDER`, as
    :func:`~creditstd.records.decode.cell_decoder` reads it (each distinct cell with no digit 1-9 and no
    letter but X looked at once).

    >>> _placeholder_spellings(pa.array(['00000000000000000x', '91350100M000100Y43', None])).to_pylist()
    ['00000000000000000X', '91350100M000100Y43', None]
    """
    candidates = _valid(column) & ~_mask(pc.match_substring_regex(column, _NOT_PLACEHOLDER)) & _mask(
        pc.not_equal(column, _PLACEHOLDER))
    if not candidates.any():
        return column
    spellings = [text for text in pc.unique(column.filter(pa.array(candidates))).to_pylist() if is_placeholder(text)]
    if not spellings:
        return column
    return _unalias(column, pa.array(spellings, pa.string()), pa.array([PLACEHOLDER] * len(spellings), pa.string()))


class _Columns:
    """The batch's columns, trimmed (an empty cell is null), with presence and numeric views computed once."""

    def __init__(self, batch: pa.RecordBatch, keys: Iterable[str], class_name: str | None = None) -> None:
        """``class_name``: also read the aliases of code-table fields as the values they stand for, as
        :func:`~creditstd.records.decode.cell_decoder` does."""
        self.rows = batch.num_rows
        self.text: dict[str, pa.Array] = {}
        present: dict[str, np.ndarray] = {}
        for key in keys:
            index = batch.schema.get_field_index(key)
            if index < 0:
                continue
            column = batch.column(index)
            if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
                column = pc.cast(column, pa.string())
            offsets, data = text_buffers(column)
            if _untrimmed_buffers(offsets, data):
                column = pc.utf8_trim_whitespace(column)
                offsets, _ = text_buffers(column)
            self.text[key], present[key] = _empty_as_null(column, offsets)
            aliases = _alias_arrays(class_name, key) if class_name else None
            if aliases is not None:  # an alias stands for a value: the cells holding text stay the same
                self.text[key] = _unalias(self.text[key], *aliases)
            if class_name and takes_placeholder(class_name, key):
                self.text[key] = _placeholder_spellings(self.text[key])
        self._present: dict[str, np.ndarray] = present
        self._numbers: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._dates: dict[str, np.ndarray] = {}

    def subset(self, rows: np.ndarray, keys: Iterable[str]) -> _Columns:
        """The cells of fields ``keys`` at ``rows`` (the presence of every field), as columns of their own:
        a column check is decided cell by cell, so on them it says what it says on these rows of the whole."""
        subset = object.__new__(_Columns)
        subset.rows = len(rows)
        indices = pa.array(rows, pa.int64())
        subset.text = {key: self.text[key].take(indices) for key in keys if key in self.text}
        subset._present = {key: present[rows] for key, present in self._present.items()}
        subset._numbers, subset._dates = {}, {}
        return subset

    def present(self, key: str) -> np.ndarray:
        if key not in self._present:
            column = self.text.get(key)
            self._present[key] = (np.zeros(self.rows, bool) if column is None
                                  else _valid(column))
        return self._present[key]

    def dates(self, key: str) -> np.ndarray:
        """Per row, whether the cell is a real ``YYYY-MM-DD`` date."""
        if key not in self._dates:
            self._dates[key] = _real_dates(self.text[key])
        return self._dates[key]

    def numbers(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """(is a plain decimal number a double surely holds as written, its float value) per row.

        Surely: at most :data:`~creditstd.records.jsonline.EXACT_CHARS` characters and no exponent.  A longer number may
        fit or not (:func:`~creditstd.records.jsonline.decimal_number`): its row goes to the row path.
        """
        if key not in self._numbers:
            column = self.text[key]
            shaped = pc.fill_null(pc.match_substring_regex(column, f"^(?:{NUMBER.pattern})$"), False)
            values = pc.cast(pc.if_else(shaped, column, pa.scalar(None, column.type)), pa.float64())
            sure = (np.asarray(shaped.to_numpy(zero_copy_only=False), bool)
                    & (np.diff(text_buffers(column)[0]) <= EXACT_CHARS))
            if sure.any():
                sure &= ~_mask(pc.match_substring(column, "e", ignore_case=True))
            self._numbers[key] = (sure, np.asarray(pc.fill_null(values, _NAN).to_numpy(zero_copy_only=False), float))
        return self._numbers[key]


# -- checks of one value against a schema, over a column --------------------------------------------------------

#: A column check: (columns, field key) -> per row True where the field is absent or its value conforms.
Check = Callable[[_Columns, str], np.ndarray]
#: Schema keywords that only annotate.
_ANNOTATIONS = frozenset({"title", "description", "$comment", "default", "examples"})
#: Schema formats the identifier library's batch path checks (a masked ID is judged per distinct value).
_FORMAT_KINDS = {name: kind.value for name, kind in FORMAT_KINDS.items() if kind is not IdentifierKind.MASKED_ID}


def _keywords(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in schema.items() if key not in _ANNOTATIONS and not key.startswith("x-")}


#: Constants as Arrow scalars: a Python constant handed to a compute function is converted on every call, and
#: pyarrow's conversion tries (and, without python-dateutil, fails) to import a module each time.
_FALSE = pa.scalar(False)
_TRUE = pa.scalar(True)
_ZERO = pa.scalar(0, pa.int32())
_NAN = pa.scalar(np.nan)
_USCC_LENGTH = pa.scalar(18, pa.int32())
_NO_USCC = pa.scalar("00000000000000000X")


def _bits(bitmap: pa.Buffer, array: pa.Array) -> np.ndarray:
    """One of ``array``'s bitmaps (its values, or its validity), one bool per cell, the array's offset into the
    buffer skipped."""
    stop = array.offset + len(array)
    return np.unpackbits(np.frombuffer(bitmap, np.uint8), count=stop, bitorder="little")[array.offset:].view(bool)


def _mask(array: Any) -> np.ndarray:
    """A boolean Arrow array as NumPy, a null as False: its bits unpacked from the buffers (an Arrow call
    costs more than the unpacking on a chunk's rows).

    >>> _mask(pa.array([True, None, False, True]).slice(1)).tolist()
    [False, False, True]
    """
    if not isinstance(array, pa.BooleanArray):
        return np.asarray(pc.fill_null(array, _FALSE).to_numpy(zero_copy_only=False), bool)
    data = array.buffers()[1]
    if data is None:
        return np.zeros(len(array), bool)
    bits = _bits(data, array)
    if array.null_count:
        bits &= _valid(array)
    return bits


def _valid(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Per cell of any Arrow array, whether it is not null: its validity bits unpacked.

    >>> _valid(pa.array(['a', None, 'b', None]).slice(1)).tolist(), _valid(pa.nulls(2)).tolist()
    ([False, True, False], [False, False])
    """
    if not column.null_count:
        return np.ones(len(column), bool)
    if isinstance(column, pa.ChunkedArray):
        return np.concatenate([_valid(chunk) for chunk in column.chunks])
    validity = column.buffers()[0]
    if validity is None:  # a null array holds no bitmap: every cell is null
        return np.zeros(len(column), bool)
    return _bits(validity, column)


_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


#: Where ``YYYY-MM-DD`` has its digits.
_DATE_DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9])


def _real_dates(column: pa.Array) -> np.ndarray:
    """Per cell, whether it is a real calendar date written ``YYYY-MM-DD`` in ASCII digits, exactly as
    :func:`~creditstd.records.formats.iso_date` decides (year 1 to 9999, the month's last day, 29 February
    in leap years only).  Read from the bytes: a value of ten bytes, digits and two hyphens where they belong.

    >>> _real_dates(pa.array(['2024-02-29', '2023-02-29', '2024-13-01', '0000-01-01', '2024-3-1', None,
    ...                       '２０２４-01-01', '2024-01-01 '])).tolist()
    [True, False, False, False, False, False, False, False]
    """
    offsets, data = text_buffers(column)
    result = np.zeros(len(column), bool)
    candidates = np.diff(offsets) == 10
    if column.null_count:
        candidates &= _valid(column)
    rows = np.flatnonzero(candidates)
    if not len(rows):
        return result
    matrix = fixed_width(offsets, data, rows, 10).astype(np.int32)
    digits = matrix[:, _DATE_DIGITS] - 48
    shaped = ((digits >= 0) & (digits <= 9)).all(axis=1) & (matrix[:, 4] == 45) & (matrix[:, 7] == 45)
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month = digits[:, 4] * 10 + digits[:, 5]
    day = digits[:, 6] * 10 + digits[:, 7]
    ok = shaped & (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    last = _DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
    result[rows] = ok & (day <= last)
    return result


def _lengths(low: int, high: int) -> Callable[[pa.Array], np.ndarray]:
    """Per value, whether its length in characters is from ``low`` to ``high`` (a null is not).

    A character takes one to four bytes in UTF-8, so the byte length (read from the offsets, without
    touching the text) settles most values; only those it leaves open are counted in characters.

    >>> _lengths(2, 3)(pa.array(['a', 'ab', 'abcd', '统一', '统一社会', None])).tolist()
    [False, True, False, True, False, False]
    """

    def check(column: pa.Array) -> np.ndarray:
        size = np.diff(text_buffers(column)[0])  # a null's is whatever Arrow stored: masked below
        least = (size + 3) // 4  # the fewest characters that many bytes can hold
        result = (least >= low) & (size <= high)
        unsure = ~result & (size >= low) & (least <= high)
        if unsure.any():
            chars = np.asarray(pc.utf8_length(pc.filter(column, pa.array(unsure))).to_numpy(zero_copy_only=False))
            result[unsure] = (chars >= low) & (chars <= high)
        if column.null_count:
            result &= _valid(column)
        return result

    return check


#: The longest identifier the batch path checks as a fixed-width matrix.
_WIDEST = 32


def _identifiers(kind: str, strict: bool) -> Callable[[pa.Array], np.ndarray]:
    """Per value, whether it is a valid identifier of ``kind``, exactly as :func:`validate_batch` says.

    Values written in canonical form (digits and capital letters, the kind's length) are read straight from
    the Arrow buffers into a byte matrix and checked by the batch path's vectorised check, which equals the
    scalar one on such rows (:func:`~creditstd.codes.batch.canonical_valid`); the others (separators, lower
    case, full-width characters, a wrong length...) go through :func:`validate_batch` one by one.

    >>> _identifiers('uscc', False)(pa.array(['91350100M000100Y43', '91350100M000100Y4Z', '9135 0100 M000 100Y43',
    ...                                      '91350100m000100y43', None])).tolist()
    [True, False, True, True, False]
    """

    def check(column: pa.Array) -> np.ndarray:
        n = len(column)
        result = np.zeros(n, bool)
        decided = ~_valid(column)
        offsets, data = text_buffers(column)
        sizes = np.diff(offsets)
        for width in np.unique(sizes[~decided & (sizes > 0) & (sizes <= _WIDEST)]).tolist():
            rows = np.flatnonzero((sizes == width) & ~decided)
            matrix = fixed_width(offsets, data, rows, width)
            verdict = canonical_valid(matrix, kind, strict=strict)
            if verdict is None:
                continue
            canonical = np.asarray(canonical_rows(matrix), bool)
            result[rows[canonical]] = np.asarray(verdict, bool)[canonical]
            decided[rows[canonical]] = True
        rest = np.flatnonzero(~decided)
        if len(rest):
            result[rest] = np.asarray(validate_batch(column.take(pa.array(rest)).to_pylist(), kind,
                                                     strict=strict).valid, bool)
        return result

    return check


def _equals(const: str) -> Callable[[pa.Array], np.ndarray]:
    """Per value, whether it is ``const``."""
    value = pa.scalar(const)
    return lambda column: _mask(pc.equal(column, value))


def _member_of(members: Sequence[str]) -> Callable[[pa.Array], np.ndarray]:
    """Per value, whether it is one of ``members``."""
    value_set = pa.array(members, pa.string())
    return lambda column: _mask(pc.is_in(column, value_set=value_set))


def _matches(pattern: str) -> Callable[[pa.Array], np.ndarray]:
    """Per value, whether RE2 finds ``pattern`` in it."""
    return lambda column: _mask(pc.match_substring_regex(column, pattern))


def _any_of(branches: Sequence[Callable[[pa.Array], np.ndarray]]) -> Callable[[pa.Array], np.ndarray]:
    """Per value, whether any of ``branches`` holds."""
    return lambda column: np.logical_or.reduce([branch(column) for branch in branches])


def _bound(compare: Callable[[np.ndarray, Any], np.ndarray],
           limit: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Per number, whether ``compare(it, limit)``."""
    return lambda shaped, values: compare(values, limit)


def _strings(schema: Mapping[str, Any], strict: bool, exact: bool) -> Callable[[pa.Array], np.ndarray] | None:
    """A check of string values against ``schema`` as column operations, or None if there is none.

    ``exact``: the check must say True exactly when the schema does (it decides an ``if``); otherwise it
    may also say False for some values the schema accepts (they go to the row path), never the reverse.
    A ``pattern`` runs in Arrow's RE2, which is at least as strict as Python's ``re`` for the catalogue's
    patterns (``$`` only at the very end, ``\\d`` ASCII only), so it is used only when not ``exact``.
    """
    parts: list[Callable[[pa.Array], np.ndarray]] = []
    low, high = 0, MAX_STRING_LENGTH  # every value, whatever its schema, is at most that long
    for keyword, value in _keywords(schema).items():
        if keyword == "type":
            if value != "string":
                return lambda column: np.zeros(len(column), bool)
        elif keyword == "minLength":
            low = max(low, value)
        elif keyword == "maxLength":
            high = min(high, value)
        elif keyword == "enum":
            parts.append(_member_of([item for item in value if isinstance(item, str)]))
        elif keyword == "const":
            if not isinstance(value, str):
                return lambda column: np.zeros(len(column), bool)
            parts.append(_equals(value))
        elif keyword == "format" and value in _FORMAT_KINDS:
            parts.append(_identifiers(_FORMAT_KINDS[value], strict))
        elif keyword == "format" and value == "date":
            parts.append(_real_dates)
        elif keyword == "pattern" and not exact:
            parts.append(_matches(value))
        elif keyword == "anyOf":
            branches = [_strings(branch, strict, exact) for branch in value]
            if any(branch is None for branch in branches):
                return None
            parts.append(_any_of([branch for branch in branches if branch is not None]))
        else:  # regions, sectors, exact patterns...: decided per distinct value
            return None
    parts.append(_lengths(low, high))
    return lambda column: np.logical_and.reduce([part(column) for part in parts])


def _numbers(schema: Mapping[str, Any]) -> Callable[[_Columns, str], np.ndarray] | None:
    """An exact check of a number field's values against ``schema``, or None."""
    parts: list[Callable[[np.ndarray, np.ndarray], np.ndarray]] = [lambda shaped, values: shaped & np.isfinite(values)]
    for keyword, value in _keywords(schema).items():
        if keyword == "type" and value == "integer":
            parts.append(lambda shaped, values: np.floor(values) == values)
        elif keyword == "type" and value == "number":
            continue
        elif keyword == "minimum":
            parts.append(_bound(np.greater_equal, value))
        elif keyword == "maximum":
            parts.append(_bound(np.less_equal, value))
        else:
            return None

    def check(columns: _Columns, key: str) -> np.ndarray:
        shaped, values = columns.numbers(key)
        with np.errstate(invalid="ignore"):
            return np.logical_and.reduce([part(shaped, values) for part in parts])

    return check


def _values_check(class_name: str, strict: bool, key: str, schema: Mapping[str, Any], *,
                  whole_field: bool, exact: bool) -> Check:
    """A check of field ``key`` against ``schema`` (see :func:`_strings` for ``exact``): column operations
    where they exist, else the schema itself once per distinct cell text (cached).  Absent cells pass.
    ``whole_field``: the schema is the field's own, so the value checks every record gets (not finite,
    over-long text) count too."""
    kind = field_type(record_class(class_name), key)
    if kind == "string":
        strings = _strings(schema, strict, exact)
        if strings is not None:
            def by_column(columns: _Columns, key: str) -> np.ndarray:
                column = columns.text[key]
                if not column.null_count:
                    return strings(column)
                present = columns.present(key)
                filled = int(np.count_nonzero(present))
                if 4 * filled >= columns.rows:  # checked in place: a part decides each cell on its own
                    return strings(column) | ~present
                result = np.ones(columns.rows, bool)  # mostly empty: the few values, copied together
                if filled:
                    result[present] = strings(pc.drop_null(column))
                return result
            return by_column
    elif kind in ("number", "integer") and not exact:  # floats cannot hold every integer the row path can
        numbers = _numbers(schema)
        if numbers is not None:
            return lambda columns, key: numbers(columns, key) | ~columns.present(key)
    decode = cell_decoder(class_name, key)
    conforms = Draft202012Validator(dict(schema), format_checker=format_checker(strict)).is_valid
    cache: dict[str, bool] = {}

    def one(text: str) -> bool:
        if text not in cache:
            value = decode(text)
            cache[text] = conforms(value) and (not whole_field or first_problem(value) is None)
            if len(cache) > 100_000:
                cache.clear()
        return cache[text]

    def by_value(columns: _Columns, key: str) -> np.ndarray:
        column = columns.text[key]
        result = np.ones(columns.rows, bool)
        distinct = pc.unique(pc.drop_null(column))
        failing = [text for text in distinct.to_pylist() if not one(text)]
        if failing:
            result &= ~_mask(pc.is_in(column, value_set=pa.array(failing, column.type)))
        return result

    return by_value


# -- the compiled class --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Conditional:
    """One ``if``/``then`` of the class as column checks: when ``condition`` holds, ``consequence`` must."""

    condition: Callable[[_Columns], np.ndarray]
    consequence: Callable[[_Columns], np.ndarray]
    #: The fields whose values ``consequence`` checks (not only their presence): it is run on the rows where
    #: ``condition`` holds only (a passport number need not be read as a citizen ID).
    values: tuple[str, ...] = ()

    def failing(self, columns: _Columns) -> np.ndarray:
        """Per row, whether the condition holds and the consequence may not."""
        holds = self.condition(columns)
        if not self.values or holds.all():
            return holds & ~self.consequence(columns)
        failing = np.zeros(columns.rows, bool)
        rows = np.flatnonzero(holds)
        if len(rows):
            failing[rows] = ~self.consequence(columns.subset(rows, self.values))
        return failing


@dataclass(frozen=True)
class _Compiled:
    keys: tuple[str, ...]
    required: tuple[str, ...]
    fields: dict[str, Check]
    conditionals: tuple[_Conditional, ...]
    rules: tuple[Callable[[_Columns, date], np.ndarray], ...]
    #: The fields the conditionals and the named rules read (None: any field): of a row where one is flagged,
    #: the row path decodes only these.
    reads: tuple[str, ...] | None = None


def _applies(class_name: str, strict: bool, clause: Mapping[str, Any], *,
             exact: bool) -> Callable[[_Columns], np.ndarray]:
    """Per row, whether ``clause`` (an ``if`` or ``then`` of ``required`` and ``properties``) holds: exactly
    for an ``if``; for a ``then``, True only where it certainly holds."""
    required = tuple(clause.get("required", ()))
    properties = {key: _values_check(class_name, strict, key, schema, whole_field=False, exact=exact)
                  for key, schema in clause.get("properties", {}).items()}
    unknown = set(_keywords(clause)) - {"required", "properties"}
    if unknown:
        raise NotImplementedError(f"conditional keywords {sorted(unknown)}")

    def holds(columns: _Columns) -> np.ndarray:
        result = np.ones(columns.rows, bool)
        for key in required:
            result &= columns.present(key)
        for key, check in properties.items():
            if key in columns.text:
                result &= check(columns, key)
        return result

    return holds


def _date_rule(params: Mapping[str, str]) -> Callable[[_Columns, date], np.ndarray]:
    first, other = params["field"], params["other"]

    def parsed(columns: _Columns, key: str) -> tuple[np.ndarray, pa.Array]:
        return columns.dates(key), columns.text[key]

    def ok(columns: _Columns, today: date) -> np.ndarray:
        if first not in columns.text or (other != "today" and other not in columns.text):
            return np.ones(columns.rows, bool)
        first_ok, first_text = parsed(columns, first)
        if other == "today":
            in_order = _mask(pc.less_equal(first_text, pa.scalar(today.isoformat())))
            return ~columns.present(first) | (first_ok & in_order)
        other_ok, other_text = parsed(columns, other)
        in_order = _mask(pc.less_equal(first_text, other_text))
        both = columns.present(first) & columns.present(other)
        return ~both | (first_ok & other_ok & in_order)

    return ok


def _orgcode_rule(params: Mapping[str, str]) -> Callable[[_Columns, date], np.ndarray]:
    code_key, org_key = params["uscc"], params["orgcode"]

    def ok(columns: _Columns, today: date) -> np.ndarray:
        if code_key not in columns.text or org_key not in columns.text:
            return np.ones(columns.rows, bool)
        code, org = columns.text[code_key], columns.text[org_key]
        inside = pc.equal(pc.utf8_slice_codeunits(code, 8, 17), org)
        matches = _mask(pc.and_(pc.equal(pc.utf8_length(code), _USCC_LENGTH), inside)) | _mask(
            pc.equal(code, _NO_USCC))
        return ~(columns.present(code_key) & columns.present(org_key)) | matches

    return ok


def _unknown_rule(params: Mapping[str, str]) -> Callable[[_Columns, date], np.ndarray]:
    """A rule with no column form: every row holding one of its fields goes to the row path."""
    keys = [value for name, value in params.items() if name != "rule"]

    def ok(columns: _Columns, today: date) -> np.ndarray:
        return ~np.logical_or.reduce([columns.present(key) for key in keys] + [np.zeros(columns.rows, bool)])

    return ok


_RULES: dict[str, Callable[[Mapping[str, str]], Callable[[_Columns, date], np.ndarray]]] = {
    "date_not_after": _date_rule,
    "orgcode_in_uscc": _orgcode_rule,
}


@functools.cache
def _compiled(class_name: str, strict: bool) -> _Compiled:
    cls = record_class(class_name)
    schema = loader.inlined_class_schema(class_name)
    fields = {key: _values_check(class_name, strict, key, spec, whole_field=True, exact=False)
              for key, spec in schema["properties"].items()}
    conditionals = tuple(_Conditional(_applies(class_name, strict, spec["if"], exact=True),
                                      _applies(class_name, strict, spec["then"], exact=False),
                                      tuple(spec["then"].get("properties", {})))
                         for spec in schema.get("allOf", ()))
    rules = tuple(_RULES.get(spec["rule"], _unknown_rule)(spec) for spec in cls.rules)
    return _Compiled(tuple(cls.fields), tuple(schema.get("required", ())), fields, conditionals, rules,
                     _whole_reads(cls.conditionals, cls.rules))


def _whole_reads(conditionals: Iterable[Mapping[str, Any]],
                 rules: Iterable[Mapping[str, str]]) -> tuple[str, ...] | None:
    """The fields the conditionals (their ``if``/``then`` constrain or require) and the named rules (the fields
    their parameters name: what :data:`~creditstd.records.rules.RULES` read) read; None when a conditional
    uses other keywords (it may read any field)."""
    keys: list[str] = []
    for conditional in conditionals:
        reads = conditional_reads(conditional)
        if reads is None:
            return None
        keys += [*reads[0], *reads[1]]
    for rule in rules:
        keys += [value for name, value in rule.items() if name != "rule"]
    return tuple(dict.fromkeys(keys))


# -- the batch ---------------------------------------------------------------------------------------------------


@dataclass
class _Suspects:
    """What the column pass could not accept, per row: any part at all, and which fields, conditionals, rules."""

    rows: np.ndarray
    fields: dict[str, np.ndarray]
    conditionals: list[np.ndarray]
    rules: list[np.ndarray]

    def flagged(self) -> dict[int, tuple[list[int], list[int]]]:
        """Per row where any is flagged, the conditionals and the named rules (their indexes) the column pass
        could not accept (a pass over each part's flagged rows, not over every part for every row)."""
        flags: dict[int, tuple[list[int], list[int]]] = {}
        for side, parts in enumerate((self.conditionals, self.rules)):
            for index, failing in enumerate(parts):
                for row in np.flatnonzero(failing).tolist():
                    flags.setdefault(row, ([], []))[side].append(index)
        return flags


def _row_errors(check: RecordValidator, missing: Sequence[str], values: Mapping[str, Any],
                record: Mapping[str, Any] | None, flagged: tuple[list[int], list[int]], today: date) -> list[Finding]:
    """A row's findings, part by part as :meth:`RecordValidator.errors_in` reports them: the required fields
    ``missing``, the fields holding ``values``, the conditionals and named rules ``flagged`` (on ``record``).
    Like ``errors_in``, a schema finding on a path already reported with the same code is left out."""
    found: list[Finding] = []
    seen: set[tuple[str, str]] = set()

    def add(errors: Iterable[Finding]) -> None:
        for error in errors:
            if error.code in RECORD_CODES:  # a value JSON cannot carry: reported as found
                found.append(error)
            elif (error.path, error.code) not in seen:
                seen.add((error.path, error.code))
                found.append(error)

    add(check.missing_errors(missing))
    for key, value in values.items():
        add(check.field_errors(key, value))
    conditionals, rules = flagged
    if record is not None:
        add(check.conditional_errors(record, conditionals))
        found.extend(check.rule_errors(record, rules, today))
    return found


def _suspects(compiled: _Compiled, columns: _Columns, today: date) -> _Suspects:
    """Rows the column pass cannot accept (they may have findings), and the parts that may fail."""
    failing = np.zeros(columns.rows, bool)
    for key in compiled.required:
        failing |= ~columns.present(key)
    fields = {key: ~check(columns, key) for key, check in compiled.fields.items() if key in columns.text}
    conditionals = [conditional.failing(columns) for conditional in compiled.conditionals]
    rules = [~rule(columns, today) for rule in compiled.rules]
    for mask in (*fields.values(), *conditionals, *rules):
        failing |= mask
    return _Suspects(np.flatnonzero(failing), fields, conditionals, rules)


def decode_rows(plan: Plan, batch: pa.RecordBatch, rows: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """The records the rows of ``batch`` (all, or ``rows``) stand for: trimmed cells decoded, empty ones absent.

    This is what the reference row path validates; the column pass decides on the same trimmed text.
    """
    return _decode(_Columns(batch, plan.fields, plan.class_name), plan.class_name,
                   range(batch.num_rows) if rows is None else rows)


def _decode(columns: _Columns, class_name: str, rows: Sequence[int] | np.ndarray,
            keys: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The records of ``rows`` from the trimmed columns (see :func:`decode_rows`), with only the fields
    ``keys`` (all when None)."""
    indices = pa.array(rows, pa.int64())
    records: list[dict[str, Any]] = [{} for _ in range(len(indices))]
    if not len(indices):
        return records
    texts = columns.text if keys is None else {key: columns.text[key] for key in keys if key in columns.text}
    for key, column in texts.items():
        decode = cell_decoder(class_name, key)
        for record, text in zip(records, column.take(indices).to_pylist(), strict=True):
            if text is not None:
                record[key] = decode(text)
    return records


def table_cells(plan: Plan, batch: pa.RecordBatch) -> dict[str, pa.Array]:
    """The cells of ``batch`` as the core reads them, per field key the batch has: trimmed, an empty cell null,
    a code-table alias read as the value it stands for (what :attr:`TableResult.cells` holds after a check)."""
    return _Columns(batch, plan.fields, plan.class_name).text


def reference_findings(plan: Plan, record: Mapping[str, Any]) -> list[Any]:
    """The reference row path: every error the class's validator finds in ``record``."""
    return list(validator(plan.class_name, plan.strict).iter_errors(record, today=plan.today))


def _located(plan: Plan, errors: Sequence[Finding], row: int, cells: Mapping[str, pa.Array], *, file: str | None,
             lines: np.ndarray | None, first_record: int, show_pii: bool) -> list[Finding]:
    """The row path's ``errors`` of batch row ``row`` as a table's findings: located (``file`` and the row's line
    in ``lines``, or its record number from ``first_record``) and showing the row's cell (:func:`_shown`)."""
    location = Location(file=file, line=int(lines[row]) if lines is not None else None,
                        record=None if lines is not None else first_record + row)
    located = []
    for error in errors:
        column = cells.get(error.field) if error.field else None
        text = column[row].as_py() if column is not None else None
        located.append(Finding(error.code, error.message_zh, error.message_en, path=error.path, field=error.field,
                               field_code=error.field_code, position=error.position,
                               value=shown_value(plan.class_name, error.field, text, show_pii=show_pii,
                                                 strict=plan.strict), location=location))
    return located


def shown_value(class_name: str, key: str | None, text: Any, *, show_pii: bool, strict: bool = False) -> str | None:
    """A cell of field ``key`` as a finding may show it (the core's, the converters'): personal values masked
    (ID numbers as ric.mask, names to the first character), a text of another field that may be a person's
    name masked as one (:func:`stray_name`), any ID number inside other text masked, cut to
    :data:`SHOWN_CHARS`; as it is with ``show_pii`` (cut all the same).

    >>> shown_value('administrative_penalty', 'legal_representative', '张三丰', show_pii=False)
    '张**'
    >>> shown_value('administrative_penalty', 'decision_date', '李大山', show_pii=False)
    '李**'
    """
    if not isinstance(text, str) or key is None:
        return None
    spec = record_class(class_name).fields.get(key)
    if not show_pii:
        if spec is not None and spec.is_personal:
            text = mask_shown_value(spec, text)
        elif stray_name(class_name, strict, key, text):
            text = mask_person_name(text.strip())
        text = redact(text)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


@functools.lru_cache(maxsize=4096)
def stray_name(class_name: str, strict: bool, key: str, text: str) -> bool:
    """Whether ``text``, a value of field ``key`` that is not personal, is to be shown as a person's name is
    (masked to its first character): it looks like one (:func:`~creditstd.records.masking.looks_like_person_name`)
    and, in a field with a code table, is not a value of it.  A name typed, or shifted by a column, into
    ``authority`` or ``procedure`` is hidden so; ``简易程序`` is a code, no one's name.

    >>> cases = [('procedure', '李大山'), ('procedure', '简易程序'), ('authority', '王小明'), ('authority', '林业局')]
    >>> [stray_name('administrative_penalty', False, key, text) for key, text in cases]
    [True, False, True, False]
    """
    spec = record_class(class_name).fields.get(key)
    if spec is None or spec.is_personal or not looks_like_person_name(text):
        return False
    if spec.code_table is None and spec.kind != "code" and "items" not in spec.schema:
        return True  # open text: a name-shaped value is taken for a name
    return bool(validator(class_name, strict).field_errors(key, cell_decoder(class_name, key)(text.strip())))


#: The column that keeps a batch's row count when no header names a field (an Arrow batch needs a column).
ROWS_COLUMN = "_rows"


def keyed_batch(batch: pa.RecordBatch, fields: Mapping[str, str | None]) -> pa.RecordBatch:
    """The columns of ``batch`` that name a field, renamed to the field's key, as :func:`validate_table` reads
    them; ``fields`` maps each header to its key or None (:attr:`~creditstd.records.decode.HeaderMapping.fields`).
    The first column, :data:`ROWS_COLUMN`, is all null: it keeps the row count when no header names a field.
    ``creditstd validate`` and :mod:`creditstd.spark` rename with this one function.

    >>> keyed = keyed_batch(pa.RecordBatch.from_pydict({'CF_WSH': ['罚1'], 'x': ['?']}),
    ...                     {'CF_WSH': 'decision_number', 'x': None})
    >>> keyed.schema.names, keyed.num_rows
    (['_rows', 'decision_number'], 1)
    """
    keys, columns = [ROWS_COLUMN], [pa.nulls(batch.num_rows, pa.string())]
    for key, indexes in _spellings(batch, fields).items():
        keys.append(key)
        spelt = [batch.column(index) for index in indexes]
        if len({column.type for column in spelt}) > 1:
            spelt = [_as_text(column) for column in spelt]
        column = spelt[0]
        for later in spelt[1:]:  # a second spelling fills the cells the earlier ones leave empty
            column = pc.if_else(_filled(column), column, later)
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, names=keys)


def spelling_conflicts(plan: Plan, batch: pa.RecordBatch,
                       fields: Mapping[str, str | None]) -> dict[int, dict[str, list[Finding]]]:
    """The rows of ``batch`` in which two columns naming one field (a second spelling of it,
    :attr:`~creditstd.records.decode.HeaderMapping.duplicate`) both hold a value, and the values differ: as
    the field reads them (``11.8`` is ``11.80``, ``警告；罚款`` is ``警告;罚款``), and then in their NFKC
    form without white space and case (``91350100m000100y43`` is ``91350100M000100Y43``).  Per row and field
    key, a ``record.conflict`` finding naming the columns, for
    :meth:`TableResult.with_values` (which rejects the row and locates the finding; the value shown is the
    one :func:`keyed_batch` kept, the first column's).  Empty when no field has two columns.

    >>> batch = pa.RecordBatch.from_pydict({'CF_WSH': ['罚1', '', '罚3 ', '罚4'],
    ...                                     '决定文书号': ['罚1', '罚2', '罚3', '罚5']})
    >>> fields = {'CF_WSH': 'decision_number', '决定文书号': 'decision_number'}
    >>> keyed_batch(batch, fields).column('decision_number').to_pylist()
    ['罚1', '罚2', '罚3 ', '罚4']
    >>> conflicts = spelling_conflicts(compile_plan('administrative_penalty'), batch, fields)
    >>> list(conflicts), conflicts[3]['decision_number'][0].message_en  # doctest: +ELLIPSIS
    ([3], 'field decision_number (CF_WSH): its columns hold different values: CF_WSH, 决定文书号 (which one...')
    """
    found: dict[int, dict[str, list[Finding]]] = {}
    names = batch.schema.names
    specs = record_class(plan.class_name).fields
    for key, indexes in _spellings(batch, fields).items():
        if len(indexes) < 2:
            continue
        spec = specs[key]
        trimmed = [pc.utf8_trim_whitespace(_as_text(batch.column(index))) for index in indexes]
        differ = np.zeros(batch.num_rows, bool)
        for position, later in enumerate(trimmed[1:], 1):
            for earlier in trimmed[:position]:
                both = pc.and_(_filled(earlier), _filled(later))
                differ |= pc.fill_null(pc.and_kleene(both, pc.not_equal(earlier, later)), False).to_numpy(
                    zero_copy_only=False)
        columns = ", ".join(names[index] for index in indexes)
        name = f"{key} ({spec.code})" if spec.code else key
        decode = cell_decoder(plan.class_name, key)
        for row in np.flatnonzero(differ).tolist():
            values = {_comparable(decode(text)) for column in trimmed if (text := column[row].as_py())}
            if len(values) < 2:
                continue  # the same value written two ways
            found.setdefault(row, {})[key] = [coded_finding("record.conflict", path=f"$.{key}", field=key,
                                                            field_code=spec.code, label=spec.label, name=name,
                                                            columns=columns)]
    return found


def _comparable(value: Any) -> Any:
    """A cell's value as two spellings of a field are compared: texts in NFKC form, without white space, in
    upper case; lists item by item; numbers as numbers."""
    if isinstance(value, str):
        return "".join(unicodedata.normalize("NFKC", value).split()).upper()
    if isinstance(value, list):
        return tuple(_comparable(item) for item in value)
    return value if isinstance(value, (int, float, bool, type(None))) else str(value)


def _spellings(batch: pa.RecordBatch, fields: Mapping[str, str | None]) -> dict[str, list[int]]:
    """Field key -> the indexes of the columns of ``batch`` naming it, in order."""
    spellings: dict[str, list[int]] = {}
    for index, header in enumerate(batch.schema.names):
        if (key := fields.get(header)) is not None:
            spellings.setdefault(key, []).append(index)
    return spellings


def _as_text(column: pa.Array) -> pa.Array:
    return column if column.type == pa.string() else pc.cast(column, pa.string())


def _filled(column: pa.Array) -> pa.Array:
    """Whether each cell holds a value: not null, and not empty once trimmed."""
    text = pc.utf8_trim_whitespace(_as_text(column))
    return pc.fill_null(pc.greater(pc.binary_length(text), 0), False)


def validate_table(plan: Plan, batch: pa.RecordBatch, *, file: str | None = None, lines: np.ndarray | None = None,
                   first_record: int = 1, show_pii: bool = False) -> TableResult:
    """Check every row of ``batch`` (columns named by catalogue key, text cells) against ``plan``.

    Returns a verdict per row and the findings of the rows that fail, each located by ``file`` and the row's
    line in ``lines`` (or its record number, counted from ``first_record``), with the offending cell's value
    as it may be shown (masked when personal, unless ``show_pii``).  Pure: the same batch gives the same result.
    """
    compiled = _compiled(plan.class_name, plan.strict)
    columns = _Columns(batch, compiled.keys, plan.class_name)
    suspected = _suspects(compiled, columns, plan.today)
    check = validator(plan.class_name, plan.strict)
    valid = np.ones(batch.num_rows, bool)
    findings: list[Finding] = []
    finding_rows: list[int] = []
    if not len(suspected.rows):
        return TableResult(valid, (), np.empty(0, np.int64), columns.text)
    # the row path, for the parts the column pass could not accept (the others have no findings): the
    # required fields missing, the values of the fields flagged, and the whole record where a conditional or
    # a named rule is flagged; each part as RecordValidator.errors_in checks it (tests/test_plan.py)
    missing: dict[int, list[str]] = defaultdict(list)
    for key in compiled.required:
        for row in np.flatnonzero(~columns.present(key)).tolist():
            missing[row].append(key)
    values: dict[int, dict[str, Any]] = defaultdict(dict)
    for key, failing in suspected.fields.items():
        rows = np.flatnonzero(failing)
        if len(rows):
            decode = cell_decoder(plan.class_name, key)
            for row, text in zip(rows.tolist(), columns.text[key].take(pa.array(rows)).to_pylist(), strict=True):
                values[row][key] = decode(text)
    whole = np.flatnonzero(np.logical_or.reduce([*suspected.conditionals, *suspected.rules,
                                                 np.zeros(batch.num_rows, bool)]))
    # a conditional's or a rule's findings depend only on the fields it reads: the rest is not decoded
    records = dict(zip(whole.tolist(), _decode(columns, plan.class_name, whole, compiled.reads), strict=True))
    flags = suspected.flagged()
    for row in suspected.rows.tolist():
        errors = _row_errors(check, missing.get(row, ()), values.get(row, {}), records.get(row),
                             flags.get(row, ([], [])), plan.today)
        if not errors:
            continue
        valid[row] = False
        located = _located(plan, errors, row, columns.text, file=file, lines=lines, first_record=first_record,
                           show_pii=show_pii)
        findings.extend(located)
        finding_rows.extend([row] * len(located))
    return TableResult(valid, tuple(findings), np.asarray(finding_rows, dtype=np.int64), columns.text)


