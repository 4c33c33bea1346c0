"""JSON Lines exports and exchange batches, as tables: one object per line, its keys the columns.

Every line is parsed by :func:`creditstd.records.jsonline.loads_record` (strict JSON: no ``NaN``, no
duplicate keys, limits on size and depth) and read by
:func:`~creditstd.records.jsonline.bounded_lines` (a line over 16 MiB is never held whole).  The
columns are the keys in the order first seen; a key first seen late adds a column to the chunks from
then on (each chunk's columns start with the previous chunk's).  A cell is the value as text:

* a string as it is; ``null`` or a missing key: null;
* a number or boolean: its JSON text (``12``, ``0.5``, ``true``; a number is written back from its
  value, so ``1.50`` reads ``1.5``);
* an array: its items joined with ``；``, or its JSON text when that would lose or change it (an item
  that is not text, as in a list of objects, or one holding a separator:
  :func:`~creditstd.records.decode.array_cell`, which the array decoder reads back);
* an object: its JSON text.

The JSON type is not lost with the text: each chunk is a :class:`JsonChunk`, whose ``kinds`` say per row what
each column's value was (text, a number, an array...) wherever a column holds anything but text and nulls, and
whose :meth:`~JsonChunk.value` gives the value back as the line held it.  A cell decoder reads text, as a CSV
cell is text; a JSON value of the wrong type for its field (a number where the catalogue wants text, ``"5000"``
where it wants a number) is found with :meth:`~JsonChunk.wrong_types` and judged as the value it is.

A line that is not strict JSON is a ``source.json`` problem (``detail``: the parser's code, such as
``exchange.json`` or ``record.not_finite``); JSON that is not an object is ``source.not_object``; a
line over the limit is ``source.line_too_long`` (its raw text is not kept).  Blank lines are skipped.

>>> import io
>>> from creditstd.sources.inputs import open_bytes
>>> data = '{"name": "甲", "amount": 1.50, "types": ["a", "b"]}\\n[1]\\n\\n{"name": "b", "extra": {"k": 1}}\\n'
>>> source, items = open_jsonl(open_bytes('-', stdin=io.BytesIO(data.encode())))
>>> source.headers
('name', 'amount', 'types', 'extra')
>>> for item in items:
...     if isinstance(item, RowProblem):
...         print(item.code, item.line)
...     else:
...         for row in item.batch.to_pylist():
...             print(row)
...         print(item.lines.tolist(), item.blank_rows)
source.not_object 2
{'name': '甲', 'amount': '1.5', 'types': 'a；b', 'extra': None}
{'name': 'b', 'amount': None, 'types': None, 'extra': '{"k": 1}'}
[1, 4] 1
>>> item.kinds['amount'].tolist(), item.wrong_types('amount', 'number').tolist(), item.value('types', 0)
([4, 0], [], ['a', 'b'])
>>> item.wrong_types('name', 'number').tolist(), item.wrong_types('extra', 'string').tolist(), item.value('extra', 1)
([0, 1], [1], {'k': 1})
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa

from creditstd.exceptions import CatalogueError
from creditstd.findings import Finding
from creditstd.records import exchange as _exchange
from creditstd.records.decode import array_cell
from creditstd.records.jsonline import JSON_WHITESPACE, MAX_LINE_BYTES, LineError, bounded_lines, loads_record
from creditstd.sources.delimited import CHUNK_BYTES
from creditstd.sources.inputs import Opened, read_error
from creditstd.sources.model import RowProblem, Source, SourceError, TableChunk, row_problem, source_error
from creditstd.sources.sniff import canonical_encoding, detect_encoding

__all__ = ["JsonChunk", "cell_text", "json_value", "open_exchange", "open_jsonl"]

_PIECE_ROWS = 4096
#: The most distinct keys a JSON Lines file may use (the catalogue's largest class has under 60 fields): every
#: key is a column, so a file adding a new key on every line would cost time and memory as their square.
MAX_KEYS = 1024
_ASCII_COMPATIBLE = frozenset({"utf-8", "utf-8-sig", "gb18030"})
#: Batch problems that leave an exchange batch readable (sender and receiver catalogues differ).
_TOLERATED = frozenset({"exchange.version"})


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def cell_text(value: Any) -> str | None:
    """The text of a JSON value in a cell.

    >>> [cell_text(v) for v in ('a', None, True, 12, 0.5, ['a', 'b'], ['a', 1, None, {'b': 2}], {'k': [1]})]
    ['a', None, 'true', '12', '0.5', 'a；b', '["a", 1, null, {"b": 2}]', '{"k": [1]}']
    """
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, list):
        return array_cell(value)
    return _json_text(value)


#: What a JSON value was, per cell (:attr:`JsonChunk.kinds`): null or absent, text, a boolean, an integer, another
#: number, an array (of items none null), an empty array, an array holding a null, an object.
NULL, TEXT, BOOLEAN, INTEGER, DECIMAL, ARRAY, EMPTY_ARRAY, NULL_IN_ARRAY, OBJECT = range(9)


def _allowed(*kinds: int) -> np.ndarray:
    table = np.zeros(9, bool)
    table[[NULL, *kinds]] = True  # a null is an empty cell, whatever the field's type
    return table


#: The kinds a value of each JSON type a field takes (:func:`~creditstd.records.decode.field_type`) may be; any
#: other is looked at by the field's own schema (an integral number may be an integer; an array holding a null
#: is an array whose item is of the wrong type, which the cells, where a null item is dropped, do not show).
_RIGHT_KINDS = {"string": _allowed(TEXT), "number": _allowed(INTEGER, DECIMAL), "integer": _allowed(INTEGER),
                "boolean": _allowed(BOOLEAN), "array": _allowed(ARRAY, EMPTY_ARRAY)}


def json_value(kind: int, text: str | None) -> Any:
    """The JSON value a cell of ``kind`` (:data:`TEXT`, :data:`ARRAY`...) holding ``text`` (:func:`cell_text`
    of it) was.

    >>> [json_value(kind, cell_text(value)) for kind, value in ((TEXT, '12'), (INTEGER, 12), (ARRAY, ['a', 'b']),
    ...  (ARRAY, ['a；b', 1]), (EMPTY_ARRAY, []), (OBJECT, {'k': [1.5]}), (NULL, None))]
    ['12', 12, ['a', 'b'], ['a；b', 1], [], {'k': [1.5]}, None]
    """
    if kind == NULL or text is None:
        return None
    if kind == TEXT:
        return text
    if kind == EMPTY_ARRAY:
        return []
    if kind == ARRAY and not text.startswith("["):  # array_cell's joined form: text items, none with a separator
        return text.split("；")
    return loads_record(text)


@dataclass(frozen=True, eq=False)
class JsonChunk(TableChunk):
    """A :class:`~creditstd.sources.model.TableChunk` of JSON Lines or of an exchange batch, with what each value
    was before it became a cell's text.

    ``kinds``: per column (by its name in ``batch``) that holds anything but text and nulls, the kind of each
    row's value (uint8: :data:`NULL`, :data:`TEXT`, :data:`BOOLEAN`, :data:`INTEGER`, :data:`DECIMAL`,
    :data:`ARRAY`, :data:`EMPTY_ARRAY`, :data:`NULL_IN_ARRAY`, :data:`OBJECT`); a column not named holds text
    and nulls only.
    """

    kinds: Mapping[str, np.ndarray] = field(default_factory=dict)

    def wrong_types(self, name: str, json_type: str) -> np.ndarray:
        """The rows (0-based, ascending) whose value in column ``name`` may not be of ``json_type`` (``string``,
        ``number``, ``integer``, ``boolean`` or ``array``): every one that is not is among them; a null is
        never (an empty cell).  Costs nothing for a column of text read as a text field."""
        kinds = self.kinds.get(name)
        if kinds is None:
            if json_type == "string":
                return np.empty(0, np.int64)
            return np.flatnonzero(_present(self.batch.column(name)))
        return np.flatnonzero(~_RIGHT_KINDS[json_type][kinds])

    def value(self, name: str, row: int) -> Any:
        """The value of column ``name`` in ``row`` as the line held it (its JSON type and items)."""
        kinds = self.kinds.get(name)
        text = self.batch.column(name)[row].as_py()
        return json_value(int(kinds[row]) if kinds is not None else TEXT, text)


def _present(column: pa.Array) -> np.ndarray:
    return np.ones(len(column), bool) if not column.null_count else \
        column.is_valid().to_numpy(zero_copy_only=False)


def _texts_and_kinds(values: list[Any]) -> tuple[pa.Array, np.ndarray]:
    """The cells of a column that holds values other than text (:func:`cell_text`), and each one's kind (the
    types :func:`~creditstd.records.jsonline.loads_record` gives: text, null, float, int, list, bool, dict)."""
    kinds = bytearray()
    texts: list[str | None] = []
    for value in values:
        kind = type(value)
        if kind is str:
            kinds.append(TEXT)
            texts.append(value)
        elif value is None:
            kinds.append(NULL)
            texts.append(None)
        elif kind is float:  # what json.dumps writes, without its dispatch (never NaN: the parser refuses it)
            kinds.append(DECIMAL)
            texts.append(float.__repr__(value))
        elif kind is int:
            kinds.append(INTEGER)
            texts.append(int.__repr__(value))
        elif kind is list:
            kinds.append(ARRAY if value and None not in value else EMPTY_ARRAY if not value else NULL_IN_ARRAY)
            texts.append(array_cell(value))
        else:
            kinds.append(BOOLEAN if kind is bool else OBJECT)
            texts.append(cell_text(value))
    return pa.array(texts, pa.string()), np.frombuffer(bytes(kinds), np.uint8)


class _Table:
    """Rows of objects turned into chunks whose columns are every key seen so far.

    Objects are kept for at most :data:`_PIECE_ROWS` rows, then turned into Arrow arrays (a parsed object
    costs many times its text); a chunk joins its pieces, the earlier ones padded with null columns for
    keys first seen later.
    """

    def __init__(self, path: str, raw_lines: bool = False) -> None:
        self.path = path
        #: Each row's line as read, kept when asked for (a rejects file gives the object back as it was).
        self.raw: list[bytes] | None = [] if raw_lines else None
        self.columns: dict[str, str] = {}  # key -> column name
        self._names: set[str] = set()
        self.rows: list[dict[str, Any]] = []
        self._pieces: list[pa.RecordBatch] = []
        #: Per piece, the kinds of its columns that hold values other than text (see :class:`JsonChunk`).
        self._piece_kinds: list[dict[str, np.ndarray]] = []
        #: Bytes of the rows turned into Arrow arrays so far in this chunk.
        self.size = 0
        self.count = 0
        self.lines: list[int] = []
        self.records: list[int] = []
        self.ids: list[str | None] = []
        self.blank = 0
        self.ordinal = 0

    def _name(self, key: str) -> str:
        name = key.strip() or f"column_{len(self.columns) + 1}"
        if name in self._names:
            suffix = 2
            while f"{name}_{suffix}" in self._names:
                suffix += 1
            name = f"{name}_{suffix}"
        self._names.add(name)
        self.columns[key] = name
        return name

    def add(self, row: dict[str, Any], line: int, record_id: str | None = None, raw: bytes = b"") -> None:
        columns = self.columns
        if self.raw is not None:
            self.raw.append(raw)
        for key in row:
            if key not in columns:
                self._name(key)
        self.ordinal += 1
        self.count += 1
        self.rows.append(row)
        self.lines.append(line)
        self.records.append(self.ordinal)
        self.ids.append(record_id)
        if len(self.rows) >= _PIECE_ROWS:
            self._flush()

    def problem(self, code: str, line: int, raw: str, detail: str | None = None, **fields: Any) -> RowProblem:
        self.ordinal += 1
        return row_problem(code, self.path, line, raw=raw, record=self.ordinal, detail=detail, **fields)

    def _flush(self) -> None:
        rows = self.rows
        arrays = []
        kinds: dict[str, np.ndarray] = {}
        for key, name in self.columns.items():
            values = [row.get(key) for row in rows]
            try:
                arrays.append(pa.array(values, pa.string()))  # text and nulls only: the common case
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
                array, kinds[name] = _texts_and_kinds(values)
                arrays.append(array)
        # no key seen yet (every line so far ``{}``): as many rows, no columns
        piece = pa.RecordBatch.from_arrays(arrays, names=list(self.columns.values())) if arrays else \
            pa.RecordBatch.from_struct_array(pa.array([{}] * len(rows), pa.struct([])))
        self._pieces.append(piece)
        self._piece_kinds.append(kinds)
        self.size += piece.nbytes + sum(array.nbytes for array in kinds.values())
        self.rows = []

    def _kinds(self, names: list[str]) -> dict[str, np.ndarray]:
        """The kinds of the columns some piece holds other values than text in, over the whole chunk."""
        kinds: dict[str, np.ndarray] = {}
        for name in dict.fromkeys(name for piece in self._piece_kinds for name in piece):
            parts = []
            for piece, piece_kinds in zip(self._pieces, self._piece_kinds, strict=True):
                if name in piece_kinds:
                    parts.append(piece_kinds[name])
                elif names.index(name) < piece.num_columns:  # text and nulls
                    parts.append(np.where(_present(piece.column(name)), TEXT, NULL).astype(np.uint8))
                else:  # a key first seen after this piece
                    parts.append(np.zeros(piece.num_rows, np.uint8))
            kinds[name] = np.concatenate(parts)
        return kinds

    def chunk(self, with_ids: bool = False) -> JsonChunk | None:
        if not self.count and not self.blank:
            return None
        if self.rows or not self._pieces:
            self._flush()
        names = list(self.columns.values())
        pieces = []
        for piece in self._pieces:  # keys first seen in a later piece: null columns in the earlier ones
            missing = [pa.nulls(piece.num_rows, pa.string()) for _ in names[piece.num_columns:]]
            pieces.append(pa.RecordBatch.from_arrays([*piece.columns, *missing], names=names) if missing else piece)
        batch = pieces[0] if len(pieces) == 1 else pa.concat_batches(pieces)
        ids = pa.array(self.ids, pa.string()) if with_ids else None
        chunk = JsonChunk(batch, np.array(self.lines, np.int64), np.array(self.records, np.int64), self.blank, ids,
                          self.raw, self._kinds(names))
        self._piece_kinds = []
        self._pieces, self.lines, self.records, self.ids, self.blank, self.size, self.count = [], [], [], [], 0, 0, 0
        self.raw = [] if self.raw is not None else None
        return chunk


def _raw(line: bytes) -> str:
    text = line.decode("utf-8", "replace")
    return text[:-1].rstrip("\r") if text.endswith("\n") else text


def _lines(stream: BinaryIO, codec: str, path: str) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines as UTF-8 bytes (``None``: over the limit), read in ``codec``."""
    try:
        if codec in ("utf-8", "utf-8-sig"):
            for number, line in bounded_lines(stream):
                if number == 1 and line is not None and line.startswith(codecs.BOM_UTF8):
                    line = line[3:]
                yield number, line
        elif codec == "gb18030":
            for number, line in bounded_lines(stream):
                if line is None:
                    yield number, None
                    continue
                try:
                    yield number, line.decode("gb18030").encode("utf-8", "surrogatepass")
                except UnicodeDecodeError:
                    raise source_error("source.decode", path, number, encoding=codec) from None
        else:
            text = io.TextIOWrapper(stream, encoding=codec, newline="")
            number = 0
            while True:
                try:
                    decoded = text.readline(MAX_LINE_BYTES + 1)
                except UnicodeDecodeError:
                    raise source_error("source.decode", path, number + 1, encoding=codec) from None
                if not decoded:
                    return
                number += 1
                if number == 1:
                    decoded = decoded.lstrip("\ufeff")
                if len(decoded) > MAX_LINE_BYTES and not decoded.endswith("\n"):
                    while decoded and not decoded.endswith("\n"):
                        decoded = text.readline(MAX_LINE_BYTES)
                    yield number, None
                    continue
                yield number, decoded.encode("utf-8", "surrogatepass")
    except SourceError:
        raise
    except Exception as error:
        raise read_error(error, path) from None


def _parse(table: _Table, number: int, line: bytes | None) -> dict[str, Any] | RowProblem | None:
    """An object, the problem of its line, or None for a blank line."""
    if line is None:
        return table.problem("source.line_too_long", number, "", limit=MAX_LINE_BYTES)
    if not line.strip(_BLANK):
        table.blank += 1
        return None
    try:
        value = loads_record(line)
    except LineError as error:
        return table.problem("source.json", number, _raw(line), detail=error.code)  # a path may name a personal key
    if not isinstance(value, dict):
        return table.problem("source.not_object", number, _raw(line))
    if len(value) + len(table.columns) > MAX_KEYS and len(table.columns) + sum(
            key not in table.columns for key in value) > MAX_KEYS:
        return table.problem("source.too_many_keys", number, _raw(line), limit=MAX_KEYS)
    return value


def open_jsonl(opened: Opened, *, encoding: str | None = None, batch_rows: int = 65536,
               raw_lines: bool = False) -> tuple[Source, Iterator[TableChunk | RowProblem]]:
    """Read a JSON Lines file opened by :func:`~creditstd.sources.inputs.open_bytes` (``raw_lines``: the
    chunks carry each row's line as read).

    The first chunk is read before this returns (its columns are the :class:`Source`'s ``headers``).
    """
    forced = None
    if encoding is not None:
        forced = canonical_encoding(encoding)
        if forced is None:
            raise source_error("source.encoding", opened.path)
    codec, _ = detect_encoding(opened.head, complete=len(opened.head) < 65536, forced=forced)
    table = _Table(opened.path, raw_lines)
    iterator = _read(table, _lines(opened.stream, codec, opened.path), max(1, batch_rows))
    first = _first_chunk(iterator)
    source = Source(opened.path, "jsonl", codec, None, None, tuple(table.columns.values()), None, None,
                    opened.compression)
    return source, _replay(first, iterator)


def _first_chunk(iterator: Iterator[TableChunk | RowProblem]) -> list[TableChunk | RowProblem]:
    """What ``iterator`` yields up to and with its first chunk, or up to :data:`_HELD_PROBLEMS` problems or
    :data:`_HELD_BYTES` of their text, whichever comes first (a file of broken lines is not held whole: the
    keys of the records read so far are the headers then, later keys are added as they come)."""
    first: list[TableChunk | RowProblem] = []
    held = 0
    for item in iterator:
        first.append(item)
        if isinstance(item, TableChunk):
            break
        held += len(item.raw)
        if len(first) >= _HELD_PROBLEMS or held >= _HELD_BYTES:
            break
    return first


#: The most row problems, and bytes of their text, held before the first chunk of a file.
_HELD_PROBLEMS = 1000
_BLANK = JSON_WHITESPACE.encode()
_HELD_BYTES = 16 << 20


def _replay(first: list[TableChunk | RowProblem],
            iterator: Iterator[TableChunk | RowProblem]) -> Iterator[TableChunk | RowProblem]:
    yield from first
    yield from iterator


def _read(table: _Table, lines: Iterator[tuple[int, bytes | None]],
          batch_rows: int) -> Iterator[TableChunk | RowProblem]:
    for number, line in lines:
        parsed = _parse(table, number, line)
        if isinstance(parsed, RowProblem):
            yield parsed
        elif parsed is not None:
            table.add(parsed, number, raw=line or b"")
            if table.count >= batch_rows or table.size >= CHUNK_BYTES:
                chunk = table.chunk()
                if chunk is not None:
                    yield chunk
    chunk = table.chunk()
    if chunk is not None:
        yield chunk


def _batch_problem(path: str, problem: Any) -> SourceError:
    return source_error("source.exchange", path, problem=problem.code, zh=problem.message_zh, en=problem.message_en)


def _line(problem: Finding) -> int | None:
    """The line of the records file a verifier's finding is about (None: the batch as a whole)."""
    return problem.location.line if problem.location is not None else None


def open_exchange(path: str, *, batch_rows: int = 65536,
                  raw_lines: bool = False) -> tuple[Source, Iterator[TableChunk | RowProblem]]:
    """Read an exchange batch (its folder or its ``manifest.json``): verified first, then its records' ``data``.

    :func:`creditstd.records.exchange.verify_batch` checks the manifest, the count and SHA-256 of the
    records file, every line's JSON and envelope and every record id (the records' contents are not
    validated here: that is the validator's job).  A problem of the batch as a whole (no manifest,
    the count or hash differs, the records file is unsafe) raises ``source.exchange``; a line with a
    problem becomes a ``source.exchange_record`` row problem (``detail``: the verifier's code).  The
    records file is then read again, hashed again, and its lines' ``data`` objects are the rows
    (``record_ids`` in the chunks); if its hash is not the one verified, reading ends with
    ``source.changed``.  ``raw_lines``: the chunks carry each record's line as read (its envelope).
    """
    report = _exchange.verify_batch(path, validate=False)
    fatal = [problem for problem in report.problems if _line(problem) is None and problem.code not in _TOLERATED]
    if fatal:
        raise _batch_problem(path, fatal[0])
    if report.problem_count > len(report.problems):
        raise source_error("source.exchange", path, problem="exchange.too_many",
                           zh=f"问题过多（{report.problem_count}个）", en=f"too many problems ({report.problem_count})")
    manifest = report.manifest or {}
    by_line: dict[int, Any] = {}
    for problem in report.problems:
        if (line := _line(problem)) is not None:
            by_line.setdefault(line, problem)
    given = Path(path)
    folder = given if given.is_dir() else given.parent
    records_path = folder / manifest["records"].get("file", _exchange.RECORDS)
    expected = manifest["records"]["sha256"]
    table = _Table(path, raw_lines)
    batch_rows = max(1, batch_rows)

    def read() -> Iterator[TableChunk | RowProblem]:
        digest = hashlib.sha256()
        try:
            stream = _exchange.open_regular(records_path)
        except Exception:
            raise source_error("source.changed", path) from None
        with stream:
            try:
                for number, line in bounded_lines(stream, seen=digest.update):
                    problem = by_line.get(number)
                    if problem is not None:
                        yield table.problem("source.exchange_record", number,
                                            _raw(line) if line is not None else "", detail=problem.code,
                                            zh=problem.message_zh, en=problem.message_en)
                        continue
                    record = loads_record(line) if line is not None else None
                    if not isinstance(record, dict) or not isinstance(record.get("data"), dict):
                        raise source_error("source.changed", path)
                    table.add(record["data"], number, record.get("record_id"), line or b"")
                    if table.count >= batch_rows or table.size >= CHUNK_BYTES:
                        chunk = table.chunk(with_ids=True)
                        if chunk is not None:
                            yield chunk
            except (LineError, CatalogueError) as error:
                if isinstance(error, SourceError):
                    raise
                raise source_error("source.changed", path) from None
            except OSError as error:
                raise read_error(error, path) from None
        if digest.hexdigest() != expected:
            raise source_error("source.changed", path)
        chunk = table.chunk(with_ids=True)
        if chunk is not None:
            yield chunk

    iterator = read()
    first = _first_chunk(iterator)
    named = manifest.get("class")
    source = Source(os.fspath(path), "exchange", "utf-8", None, None, tuple(table.columns.values()), None, None, None,
                    class_name=named if isinstance(named, str) else None)
    return source, _replay(first, iterator)
