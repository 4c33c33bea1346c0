"""Exchange records of a whole batch at once: byte for byte what :func:`~creditstd.records.exchange.make_record`
and :func:`~creditstd.records.exchange.canonical_line` give row by row, column by column.

Writing a record one at a time costs about 100 µs (decode the row into a dict, derive its record id and its
lifecycle, serialise it canonically).  :func:`record_lines` makes the lines of many rows together, from the
text cells as the compiled core reads them (:func:`creditstd.records.plan.table_cells`: trimmed, an empty
cell null, code-table aliases read as their values):

* **data**: a text field's JSON string is its cell with ``\\`` and ``"`` escaped by Arrow; a cell holding a
  control character or longer than :data:`~creditstd.records.jsonline.MAX_STRING_LENGTH` goes through
  :func:`~creditstd.records.jsonline.dumps_record` itself.  Every other field (numbers, booleans, arrays) is
  decoded and serialised once per *distinct* cell.  Each present field becomes ``"key":value`` in key order
  (absent fields write nothing), the commas hung on a field present in every row;
* **record id**: the RFC 8785 text ``{"class":...,"identity":{...}}`` is put together the same way (identity
  values normalised by :mod:`creditstd.records.duplicates`' exact column path, other types per distinct value
  through :func:`~creditstd.records.exchange.identity_value`); one SHA-1 per row in Python, the UUID's version
  and variant bits and its hexadecimal text by NumPy;
* **lifecycle**: :func:`~creditstd.records.lifecycle_columns.lifecycle_texts`, the rule chosen once per
  distinct combination of the few cells the choice reads, the display dates as day arithmetic over columns;
* **one join**: the line's fixed texts, the members, the lifecycle and the record id are put together by one
  ``binary_join_element_wise`` pass; a text column with no null and nothing to escape goes in as it is, between
  its quotes, so its cells are copied once, into the line.

A row that cannot be written (a value a batch cannot carry, a line over the size limit) is a problem of its
own, with the error :func:`~creditstd.records.exchange.canonical_line` would raise.  The tests hold the lines
equal to ``canonical_line(make_record(...))`` on every fixture and on generated records.

>>> import pyarrow as pa
>>> from datetime import date
>>> from creditstd.records.exchange import canonical_line, make_record
>>> from creditstd.records.plan import compile_plan, decode_rows, table_cells
>>> batch = pa.RecordBatch.from_pydict({'objection_number': ['YY-1', ' yy-"2" '], 'status': ['受理', '办结']})
>>> made = record_lines('objection', table_cells(compile_plan('objection'), batch), on=date(2024, 6, 1))
>>> made.lines.to_pylist()[1].encode() == canonical_line(make_record({'objection_number': 'yy-"2"',
...     'status': '办结'}, 'objection', on=date(2024, 6, 1)))
True
>>> made.record_ids.to_pylist()[0]
'objection:ae9eaf6b-e9ae-58a6-bcfa-b627653572e5'
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from creditstd.arrow_text import text_buffers
from creditstd.exceptions import CatalogueError
from creditstd.records.decode import cell_decoder, field_type
from creditstd.records.jsonline import MAX_LINE_BYTES, MAX_STRING_LENGTH, LineError, dumps_record
from creditstd.records.lifecycle_columns import lifecycle_texts
from creditstd.records.model import record_class

__all__ = ["RecordLines", "record_lines"]

_EMPTY = pa.scalar("", pa.string())
_HEX = np.frombuffer(b"".join(f"{byte:02x}".encode() for byte in range(256)), np.uint8).reshape(256, 2)
#: Where the dashes of a UUID's 36 characters go, and where its 32 hexadecimal digits go.
_DASHES = np.array([8, 13, 18, 23])
_DIGITS = np.setdiff1d(np.arange(36), _DASHES)


@dataclass(frozen=True)
class RecordLines:
    """The exchange records of some rows: per row its canonical line (with its ``\\n``; null where it cannot be
    written), its record id, the id's 16 UUID bytes (``S16``), and the rows that cannot be written."""

    lines: pa.Array
    record_ids: pa.Array
    uuids: np.ndarray
    problems: Mapping[int, CatalogueError]


def _json(value: Any) -> str:
    return dumps_record(value, canonical=True)


def _json_texts(column: pa.Array, dumps: Callable[[str], str],
                problems: dict[int, CatalogueError], prefix: str = "", suffix: str = "") -> list[Any]:
    """The JSON strings of a text column, each between ``prefix`` and ``suffix`` (nothing where null), as
    pieces for one :func:`_joined` pass: the cell in quotes where it holds no ``"``, ``\\`` or control
    character and is not over-long (found by NumPy in the column's bytes), ``dumps`` of the cell for the few
    others (whose errors become ``problems`` of their rows); where many cells hold a quote or a backslash,
    Arrow escapes them.  A column with no null and nothing to escape is a piece as it is, between its
    quotes: nothing is copied before the one join.

    >>> _joined(_json_texts(pa.array(['统一', None, 'a"b']), _json, {}, prefix=',"k":')).to_pylist()
    [',"k":"统一"', '', ',"k":"a\\\\"b"']
    >>> _json_texts(pa.array(['统一', 'b']), _json, {}, prefix='"k":', suffix=',')[::2]
    ['"k":"', '",']
    """
    quotes, others = _special_rows(column)
    escaped = column
    if len(quotes) * 16 > len(column):
        escaped = pc.replace_substring(pc.replace_substring(column, "\\", "\\\\"), '"', '\\"')
        rows = others
    else:
        rows = np.union1d(quotes, others)
    if not len(rows) and not column.null_count:
        return [prefix + '"', escaped, '"' + suffix]
    quoted = pc.binary_join_element_wise(prefix + '"', escaped, '"' + suffix, "")
    if not len(rows):
        return [quoted]
    texts: list[str | None] = []
    for row, text in zip(rows.tolist(), column.take(pa.array(rows)).to_pylist(), strict=True):
        try:
            texts.append(None if text is None else prefix + dumps(text) + suffix)
        except CatalogueError as error:
            problems[row] = error
            texts.append(None)
    mask = np.zeros(len(column), bool)
    mask[rows] = True
    return [pc.replace_with_mask(quoted, pa.array(mask), pa.array(texts, pa.string()))]


def _joined(pieces: list[Any], *, nulls: bool = False) -> pa.Array:
    """Per row the ``pieces`` (texts, the same in every row, and string arrays) one after the other, in one
    pass: adjacent texts are put together first.  A null cell is read as nothing, or with ``nulls`` makes
    the row's result null.

    >>> _joined(['{', pa.array(['a', None]), '-', '}']).to_pylist()
    ['{a-}', '{-}']
    >>> _joined(['{', pa.array(['a', None]), '}'], nulls=True).to_pylist()
    ['{a}', None]
    """
    merged: list[Any] = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        else:
            merged.append(piece)
    if nulls:
        return pc.binary_join_element_wise(*merged, "")
    return pc.binary_join_element_wise(*merged, "", null_handling="replace", null_replacement="")


def _special_rows(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The rows of a text column holding ``"`` or ``\\``, and those holding a control character or longer
    than :data:`~creditstd.records.jsonline.MAX_STRING_LENGTH` characters (ascending; UTF-8 never uses a byte
    below 0x80 inside a character, so the bytes tell)."""
    offsets, data = text_buffers(column)
    first = int(offsets[0])
    window = data[first:int(offsets[-1])]

    def rows_of(mask: np.ndarray) -> np.ndarray:
        return np.unique(np.searchsorted(offsets, np.flatnonzero(mask) + first, side="right") - 1)

    quotes = rows_of((window == 0x22) | (window == 0x5C))
    control = rows_of(window < 0x20)
    long = np.flatnonzero(np.diff(offsets) > MAX_STRING_LENGTH)  # bytes: a bound on characters
    if len(long):
        lengths = pc.utf8_length(column.take(pa.array(long))).to_numpy(zero_copy_only=False)
        long = long[np.nan_to_num(lengths.astype(float)) > MAX_STRING_LENGTH]
    return quotes, np.union1d(control, long).astype(np.int64)


def _by_distinct(column: pa.Array, convert: Callable[[str], str],
                 problems: dict[int, CatalogueError], prefix: str = "", suffix: str = "") -> pa.Array:
    """``convert`` applied once per distinct cell of ``column``, between ``prefix`` and ``suffix`` (null stays
    null); its errors become problems."""
    encoded = pc.dictionary_encode(column)
    indices = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False), np.int64)
    texts: list[str | None] = []
    failed: dict[int, CatalogueError] = {}
    for number, text in enumerate(encoded.dictionary.to_pylist()):
        try:
            texts.append(prefix + convert(text) + suffix)
        except CatalogueError as error:
            failed[number] = error
            texts.append(None)
    for row in np.flatnonzero(np.isin(indices, list(failed))).tolist() if failed else ():
        problems[row] = failed[int(indices[row])]
    return pa.array(texts, pa.string()).take(encoded.indices)


@functools.lru_cache(maxsize=1 << 16)
def _value_json(class_name: str, key: str, text: str) -> str:
    """The JSON of a cell of a field that is not text, as the record holds it (remembered: batches repeat
    their amounts, flags and lists)."""
    return _json(cell_decoder(class_name, key)(text))


@functools.lru_cache(maxsize=1 << 16)
def _identity_json(class_name: str, key: str, text: str) -> str:
    """The RFC 8785 text of a cell of an identity field that is not text, as its record id hashes it."""
    from creditstd.records.exchange import _canonical_identity, identity_value

    kind = record_class(class_name).fields[key].kind
    return _canonical_identity(identity_value(cell_decoder(class_name, key)(text), kind)).decode("utf-8")


def _data(class_name: str, cells: Mapping[str, pa.Array], problems: dict[int, CatalogueError]) -> list[Any]:
    """Per row the members of its ``data`` object, ``"key":value`` in key order, separated by commas, as
    pieces for :func:`_joined`.  An absent field writes nothing, so the commas hang on the first field
    present in every row (the *anchor*; a required one, in a batch of valid rows): the fields before it end
    with a comma, those after it begin with one.  Without an anchor every field begins with one and the
    first comma of each row is cut off."""
    cls = record_class(class_name)
    keys = [key for key in sorted(cells) if key in cls.fields]
    anchor = next((key for key in keys if not cells[key].null_count), None)
    pieces: list[Any] = []
    for key in keys:
        before = anchor is not None and key < anchor
        prefix = f'"{key}":' if before or key == anchor else f',"{key}":'
        suffix = "," if before else ""
        if field_type(cls, key) == "string":
            pieces += _json_texts(cells[key], _json, problems, prefix, suffix)
        else:
            pieces.append(_by_distinct(cells[key], functools.partial(_value_json, class_name, key), problems,
                                       prefix, suffix))
    if anchor is None and pieces:
        return [pc.utf8_slice_codeunits(_joined(pieces), 1)]  # the first fragment's comma
    return pieces


def _identity_names(class_name: str, cells: Mapping[str, pa.Array], rows: int,
                    problems: dict[int, CatalogueError]) -> pa.Array:
    """Per row the RFC 8785 text of ``{"class": ..., "identity": {...}}`` that its record id hashes."""
    from creditstd.records.canonical_json import canonical_json
    from creditstd.records.duplicates import _normalisers

    cls = record_class(class_name)
    members = []
    for key in sorted(cls.identity):
        column = cells.get(key, pa.nulls(rows, pa.string()))
        if field_type(cls, key) == "string":
            part = _normalisers(class_name)[key](pc.fill_null(column, _EMPTY))
            part = pc.if_else(pc.equal(part, _EMPTY), pa.scalar(None, pa.string()), part)
            value = _joined(_json_texts(part, lambda text: canonical_json(text, lenient=True).decode("utf-8"),
                                        problems), nulls=True)
        else:
            value = _by_distinct(column, functools.partial(_identity_json, class_name, key), problems)
        members.append(pc.binary_join_element_wise(f'"{key}":', pc.fill_null(value, "null"), ""))
    head = canonical_json(class_name).decode("utf-8")
    return pc.binary_join_element_wise('{"class":' + head + ',"identity":{', pc.binary_join_element_wise(*members, ","),
                                       "}}", "")


def _uuids(names: pa.Array) -> np.ndarray:
    """The UUIDv5 (in :data:`~creditstd.records.exchange.NAMESPACE`) of each name: 16 bytes per row, uint8."""
    from creditstd.records.exchange import NAMESPACE

    prefix = NAMESPACE.bytes
    digests = b"".join(hashlib.sha1(prefix + name, usedforsecurity=False).digest()[:16]
                       for name in names.cast(pa.binary()).to_pylist())
    raw = np.frombuffer(digests, np.uint8).reshape(-1, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x50  # version 5
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    return raw


def _uuid_texts(raw: np.ndarray) -> pa.Array:
    """The 36-character texts of UUIDs given as rows of 16 bytes."""
    count = len(raw)
    text = np.full((count, 36), ord("-"), np.uint8)
    text[:, _DIGITS] = _HEX[raw].reshape(count, 32)
    offsets = np.arange(count + 1, dtype=np.int32) * 36
    return pa.Array.from_buffers(pa.string(), count, [None, pa.py_buffer(offsets), pa.py_buffer(text.tobytes())])


def record_lines(class_name: str, cells: Mapping[str, pa.Array], *, on: date,
                 rule_set: str | None = None) -> RecordLines:
    """The exchange records of every row of ``cells`` (text columns by field key, as
    :func:`~creditstd.records.plan.table_cells` gives them; ``large_string`` ones are read as ``string``), as
    :func:`~creditstd.records.exchange.make_record` on ``on`` with ``rule_set`` and
    :func:`~creditstd.records.exchange.canonical_line` would write them."""
    cls = record_class(class_name)
    cells = {key: column.cast(pa.string()) if pa.types.is_large_string(column.type) else column
             for key, column in cells.items()}
    rows = len(next(iter(cells.values()))) if cells else 0
    problems: dict[int, CatalogueError] = {}
    data = _data(class_name, cells, problems)
    raw = _uuids(_identity_names(class_name, cells, rows, problems))
    record_ids = pc.binary_join_element_wise(class_name + ":", _uuid_texts(raw), "")
    head = '{"class":' + _json(class_name) + ',"class_version":' + _json(cls.version) + ',"data":{'
    lines = _joined([head, *data, '},"lifecycle":', lifecycle_texts(class_name, cells, rows, on=on, rule_set=rule_set),
                     ',"record_id":"', record_ids, '"}\n'])
    too_long = np.asarray(pc.greater(pc.binary_length(lines), MAX_LINE_BYTES + 1).to_numpy(zero_copy_only=False),
                          bool)
    for row in np.flatnonzero(too_long).tolist():
        problems.setdefault(row, LineError("exchange.line_too_long"))
    if problems:  # a row with a problem has no line (its members were joined without the value in question)
        mask = np.zeros(rows, bool)
        mask[list(problems)] = True
        lines = pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), lines)
    uuids = np.frombuffer(raw.tobytes(), "S16") if rows else np.empty(0, "S16")
    return RecordLines(lines, record_ids, uuids, problems)
