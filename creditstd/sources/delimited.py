"""CSV and TSV: Arrow's streaming CSV parser, with the header, the encoding and exact line numbers added.

How a file is read:

1. The first MiB is decoded (byte-order mark; else UTF-8 if it decodes, a character cut at the end of
   the sample allowed, or if it is UTF-8 with a damaged byte; else GB 18030; ``encoding=`` overrides all
   but a byte-order mark; see :func:`~creditstd.sources.sniff.utf8_or_gb18030`) and parsed with
   :mod:`csv` to find the delimiter (``,`` ``\\t`` ``;`` ``|``, counted outside quotes), title rows
   above the header, and the header itself (``header_row=`` overrides).  A first MiB of plain ASCII
   decides nothing: the file is read on, through a second handle, to its first non-ASCII byte, and the
   MiB from there decides between UTF-8 and GB 18030 (ASCII to the end: UTF-8).  Where the input cannot
   be read twice (stdin, a pipe) UTF-8 is assumed, and bytes that are not UTF-8 stop the reading with an
   error that says so.
2. The rest streams through :class:`~creditstd.sources.blocks.Utf8Stream` (decoding, NUL check, line
   counting) into :func:`pyarrow.csv.open_csv` in 512 KiB blocks, one thread parsing, every column a
   string, quoted cells may hold line breaks, blank lines kept so that none is lost from the count.
   Arrow checks UTF-8 while converting cells; a bad byte is then found in the blocks kept since the
   last row delivered, and reported at its line (``source.decode``).
3. A row with the wrong number of cells goes to Arrow's ``invalid_row_handler``, which hands over
   its text and its record number; it becomes a :class:`~creditstd.sources.model.RowProblem`.
4. Line numbers: records follow each other, so a record starts one line after the previous one
   started plus the line feeds inside it.  Line feeds inside cells are counted with NumPy over the
   column buffers, only once a quote has been seen (without a quote no cell can hold one).  Where a
   skipped row sat among the batch's rows follows from its record number.  Lines end at ``\\n`` (a
   row that ends in a lone ``\\r`` counts as one line too).
5. Rows whose cells are all empty (blank lines, ``,,,``) are not data: they are counted in
   ``blank_rows`` and left out.  Arrow's batches are joined into chunks of at most ``batch_rows`` rows
   and about :data:`CHUNK_BYTES` of text.

A NUL byte stops the reading (``source.nul_byte``, at its line): a CSV holding one is binary, or
UTF-16 read as something else, and rows read past it would be garbage.

Two things Arrow gets wrong are worked around: it drops the line feed of a quoted ``\\r\\n`` that a
block boundary splits (apache/arrow#51368), so no block handed to it ends with ``\\r``; and it accepts
a quote left open at the end of the file as if it were closed.  So the last record gets one more
look: the text of the last row is checked, and a row whose quote never closes is a
``source.unterminated_quote`` problem instead of a row.  A quote that stays open for more than about
a block (512 KiB) stops the reading with ``source.row_too_long`` at the line where the row starts.

>>> import io
>>> from creditstd.sources.inputs import open_bytes
>>> data = '2024年第一季度行政处罚信息,,\\n名称,金额,备注\\n甲,1,"两行\\n备注"\\n乙,2\\n丙,3,\\n'.encode('gbk')
>>> source, items = open_delimited(open_bytes('-', stdin=io.BytesIO(data)))
>>> source.encoding, source.delimiter, source.header_row, source.headers, source.title
('gb18030', ',', 2, ('名称', '金额', '备注'), '2024年第一季度行政处罚信息')
>>> for item in items:
...     if isinstance(item, TableChunk):
...         print(item.batch.column('名称').to_pylist(), item.lines.tolist(), item.records.tolist())
...     else:
...         print(item.code, item.line, item.record, item.raw)
source.ragged_row 5 2 乙,2
['甲', '丙'] [3, 6] [1, 3]
"""

from __future__ import annotations

import codecs
import functools
import re
import sys
from collections.abc import Generator, Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from creditstd.arrow_text import blank_rows, text_buffers
from creditstd.sources.blocks import Utf8Stream
from creditstd.sources.inputs import Opened, read_error, reopen
from creditstd.sources.model import RowProblem, Source, SourceError, TableChunk, row_problem, source_error
from creditstd.sources.sniff import (
    canonical_encoding,
    count_line_breaks,
    detect_encoding,
    ends_inside_quote,
    find_header,
    non_empty,
    repeated_headers,
    scan_records,
    sniff_delimiter,
    unique_headers,
    utf8_or_gb18030,
)

__all__ = ["BLOCK_BYTES", "CHUNK_BYTES", "SAMPLE_BYTES", "open_delimited", "place_rows"]

#: Bytes decoded up front to find the encoding, delimiter and header.
SAMPLE_BYTES = 1 << 20
#: Arrow's block size: a row longer than this stops the reading (``source.row_too_long``).
BLOCK_BYTES = 1 << 19  # Arrow reads up to 32 blocks ahead: the block size bounds that memory too
#: A chunk stops growing at about this many bytes of cell text, whatever ``batch_rows`` says.
CHUNK_BYTES = 6 << 20
_HEADER_RECORDS = 25
_NON_ASCII = re.compile(rb"[\x80-\xff]")
#: What a ``source.decode`` error adds when UTF-8 was only assumed (a first MiB of ASCII, read from a pipe).
_ASSUMED_NOTE = {"note_zh": "；文件前1MiB均为ASCII，而标准输入或管道无法回读，故按UTF-8读取；GBK文件须指定 gb18030",
                 "note": "; UTF-8 was assumed because the first MiB is plain ASCII and stdin or a pipe cannot be "
                         "read twice; a GBK file needs gb18030"}


def _sample(opened: Opened) -> tuple[bytes, bool]:
    parts: list[bytes] = []
    size = 0
    try:
        while size < SAMPLE_BYTES:
            data = opened.stream.read(SAMPLE_BYTES - size)
            if not data:
                return b"".join(parts), True
            parts.append(data)
            size += len(data)
    except Exception as error:
        raise read_error(error, opened.path) from None
    return b"".join(parts), False


def _decode_sample(sample: bytes, codec: str, complete: bool, path: str) -> str:
    decoder = codecs.getincrementaldecoder(codec)("strict")
    try:
        return decoder.decode(sample, complete)
    except UnicodeDecodeError as error:
        offset = error.start + (len(codecs.BOM_UTF8) if codec == "utf-8-sig" else 0)  # it counts after the mark
        before = codecs.getincrementaldecoder(codec)("replace").decode(sample[:offset], False)
        raise source_error("source.decode", path, count_line_breaks(before) + 1, offset=offset,
                           encoding=codec) from None
    except UnicodeError:  # UTF-16 or UTF-32 with no byte-order mark: the codec cannot start (utf-16-le reads it)
        raise source_error("source.decode", path, 1, offset=0, encoding=codec) from None


def _after_ascii(opened: Opened, start: int) -> str | None:
    """The encoding of a file whose first ``start`` bytes are ASCII: ``utf-8`` or ``gb18030`` as the MiB from
    its first non-ASCII byte on tells (``utf-8`` if it is ASCII to the end).  The file is read again through a
    second handle, a block at a time, nothing kept but that MiB.  None where that cannot be done (stdin, a
    pipe) or fails (the reading proper then meets the same failure and reports it)."""
    stream = reopen(opened)
    if stream is None:
        return None
    try:
        with stream:
            stream.seek(start)
            while True:
                block = stream.read(BLOCK_BYTES)
                if not block:
                    return "utf-8"
                found = _NON_ASCII.search(block)
                if found is None:
                    continue
                parts = [block[found.start():]]
                size, complete = len(parts[0]), False
                while size < SAMPLE_BYTES:
                    more = stream.read(SAMPLE_BYTES - size)
                    if not more:
                        complete = True
                        break
                    parts.append(more)
                    size += len(more)
                return utf8_or_gb18030(b"".join(parts), complete=complete)
    except Exception:  # gzip damage, an I/O error
        return None


def _complete_lines(text: str, complete: bool) -> str:
    """``text`` up to its last line break (a sample may end inside a line); lines may end in a lone CR."""
    if complete:
        return text
    return text[: max(text.rfind("\n"), text.rfind("\r")) + 1]


def _option_error(path: str, zh: str, en: str) -> SourceError:
    return source_error("source.option", path, zh=zh, en=en)


def open_delimited(opened: Opened, *, format: str | None = None, encoding: str | None = None,
                   delimiter: str | None = None, header_row: int | None = None,
                   batch_rows: int = 65536) -> tuple[Source, Iterator[TableChunk | RowProblem]]:
    """Read a CSV or TSV file opened by :func:`~creditstd.sources.inputs.open_bytes`.

    Returns the :class:`Source` (header, encoding, delimiter, title found) and an iterator of chunks and
    row problems.  Raises :class:`SourceError` for what cannot be read at all; reading stops with one
    too (undecodable bytes, a NUL, damaged gzip, a row that never ends).
    """
    path = opened.path
    forced = None
    if encoding is not None:
        forced = canonical_encoding(encoding)
        if forced is None:
            raise source_error("source.encoding", path)
    if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
        raise _option_error(path, "分隔符须为一个字符，且不能是引号或换行",
                            "the delimiter must be one character, not a quote or a line break")
    if header_row is not None and header_row < 1:
        raise _option_error(path, "表头行号须不小于1", "the header row number must be 1 or more")
    sample, complete = _sample(opened)
    codec, bom = detect_encoding(sample, complete=complete, forced=forced)
    text = _decode_sample(sample, codec, complete, path)
    nul = text.find("\x00")
    if nul >= 0:
        raise source_error("source.nul_byte", path, count_line_breaks(text[:nul]) + 1)
    assumed = False
    if forced is None and not bom and not complete and codec == "utf-8" and sample.isascii():
        found = _after_ascii(opened, len(sample))  # the same text in either encoding: only the rest differs
        codec, assumed = found or codec, found is None
    text = _complete_lines(text, complete)
    if delimiter is None:
        delimiter = "\t" if format == "tsv" else sniff_delimiter(text)
    if format is None:
        format = "tsv" if delimiter == "\t" else "csv"
    records = scan_records(text, delimiter, limit=_HEADER_RECORDS if header_row is None else max(header_row, 1) + 1)
    if header_row is not None:
        index = next((i for i, record in enumerate(records) if record.line == header_row), None)
        if index is None:
            raise source_error("source.header_row", path, header_row=header_row)
    else:
        index = find_header([record.cells for record in records])
        if index is None:
            if complete:
                raise source_error("source.empty", path)
            raise source_error("source.header", path, 1, zh="表头之前的行过多或过长，或引号未闭合",
                               en="too many or too long rows before it, or a quote never closed")
    header = records[index]
    headers = unique_headers(header.cells)
    title = " ".join(cell.strip() for record in records[:index] for cell in record.cells
                     if non_empty([cell])) or None
    source = Source(path, format, codec, delimiter, header.line, headers, title, None, opened.compression,
                    repeats=repeated_headers(header.cells))
    stream = Utf8Stream(opened.stream, encoding=codec, path=path, first_line=header.end_line + 1,
                        skip=len(text[: header.end].encode("utf-8")), bom=bom, head=sample,
                        read_bytes=BLOCK_BYTES)
    empty = complete and not text[header.end:]
    return source, _Rows(stream, source, batch_rows, empty, assumed)


def place_rows(valid_spans: np.ndarray, valid_blank: np.ndarray, invalid: list[tuple[int, int]],
               next_record: int, next_line: int, data_records: int) -> dict[str, Any]:
    """Where a batch's rows and the skipped rows among them start, from record numbers and line spans.

    ``valid_spans``: per row of the batch, 1 + the line feeds inside it; ``valid_blank``: rows that are
    blank; ``invalid``: ``(record number, span)`` of skipped rows not placed yet, ascending.  The
    batch's rows take the record numbers from ``next_record`` on that no skipped row holds; skipped rows
    right after the batch's last row are placed too.  Returns the lines and data-row ordinals (0 for a
    blank row) of both, how many skipped rows were placed, and the next record, line and ordinal.

    >>> placed = place_rows(np.array([1, 3, 1]), np.array([False, False, True]), [(2, 1), (5, 2), (7, 1)], 1, 2, 0)
    >>> placed['valid_lines'].tolist(), placed['invalid_lines'].tolist(), placed['placed']
    ([2, 4, 7], [3, 8], 2)
    >>> placed['valid_records'].tolist(), placed['invalid_records'].tolist(), placed['next_line']
    ([1, 3, 0], [2, 4], 10)
    """
    count = len(valid_spans)
    numbers = np.fromiter((number for number, _ in invalid), np.int64, len(invalid))
    placed = 0
    if count:
        while True:  # skipped rows before the batch's last row: their count decides where the last row is
            last = next_record + count - 1 + placed
            before = int(np.searchsorted(numbers, last, side="right"))
            if before == placed:
                break
            placed = before
    total = count + placed
    while placed < len(numbers) and numbers[placed] == next_record + total:  # skipped rows right after it
        placed += 1
        total += 1
    invalid_at = np.zeros(total, bool)
    invalid_at[numbers[:placed] - next_record] = True
    spans = np.empty(total, np.int64)
    spans[~invalid_at] = valid_spans
    spans[invalid_at] = [span for _, span in invalid[:placed]]
    starts = next_line + np.cumsum(spans) - spans
    is_data = np.ones(total, np.int64)
    is_data[~invalid_at] = ~valid_blank
    ordinals = data_records + np.cumsum(is_data)
    ordinals[~is_data.astype(bool)] = 0
    return {
        "valid_lines": starts[~invalid_at], "valid_records": ordinals[~invalid_at],
        "invalid_lines": starts[invalid_at], "invalid_records": ordinals[invalid_at], "placed": placed,
        "next_record": next_record + total, "next_line": next_line + int(spans.sum()),
        "data_records": data_records + int(is_data.sum()),
    }


@functools.cache
def memory_pool() -> pa.MemoryPool:
    """Arrow's jemalloc pool where this build has it: it gives freed block buffers back to the system
    sooner than the default mimalloc, which keeps a streaming read's peak memory lower (about 200 MB
    against 250 MB on a 680 MB file).  Else the default pool.

    >>> memory_pool().backend_name in ('jemalloc', pa.default_memory_pool().backend_name)
    True
    """
    try:
        return pa.jemalloc_memory_pool()
    except (NotImplementedError, pa.ArrowNotImplementedError):
        return pa.default_memory_pool()


def _line_feeds(batch: pa.RecordBatch) -> np.ndarray:
    """Per row, the line feeds inside its cells (NumPy over each column's data buffer)."""
    counts = np.zeros(batch.num_rows, np.int64)
    for column in batch.columns:
        if not len(column):
            continue
        offsets, data = text_buffers(column)
        start, end = int(offsets[0]), int(offsets[-1])
        if end == start:
            continue
        hits = np.flatnonzero(data[start:end] == 10)
        if hits.size:
            rows = np.searchsorted(offsets, hits + start, side="right") - 1
            counts += np.bincount(rows, minlength=len(column))[: len(column)]
    return counts


def _empty_chunk(headers: tuple[str, ...], blank_rows: int) -> TableChunk:
    batch = pa.RecordBatch.from_arrays([pa.array([], pa.string()) for _ in headers], names=list(headers))
    return TableChunk(batch, np.zeros(0, np.int64), np.zeros(0, np.int64), blank_rows)


_Piece = tuple[pa.RecordBatch, np.ndarray, np.ndarray]  # rows, their lines, their data-row ordinals


class _Rows:
    """The iterator :func:`open_delimited` returns: row problems, then the chunk they came with."""

    def __init__(self, stream: Utf8Stream, source: Source, batch_rows: int, empty: bool,
                 assumed: bool = False) -> None:
        self._stream = stream
        self._assumed = assumed  # UTF-8 only assumed: the first MiB is ASCII and the input cannot be read twice
        self._source = source
        self._batch_rows = max(1, batch_rows)
        self._empty = empty
        self._invalid: list[tuple[int, int, int, str]] = []  # record number, span, cells, text
        self._iterator: Generator[TableChunk | RowProblem, None, None] | None = None

    def __iter__(self) -> _Rows:
        return self

    def __next__(self) -> TableChunk | RowProblem:
        if self._iterator is None:
            self._iterator = self._generate()
        return next(self._iterator)

    def close(self) -> None:
        """Stop reading (the caller closes the file)."""
        if self._iterator is not None:
            self._iterator.close()

    def _handler(self, row: Any) -> str:
        number = row.number if row.number is not None else -1
        self._invalid.append((number, row.text.count("\n") + 1, row.actual_columns, row.text))
        return "skip"

    def _open(self, line: int) -> Any:
        headers = list(self._source.headers)
        try:
            return pacsv.open_csv(
                self._stream,
                read_options=pacsv.ReadOptions(use_threads=False, block_size=BLOCK_BYTES, column_names=headers),
                parse_options=pacsv.ParseOptions(delimiter=self._source.delimiter, quote_char='"',
                                                 double_quote=True, escape_char=False, newlines_in_values=True,
                                                 ignore_empty_lines=False, invalid_row_handler=self._handler),
                convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(headers, pa.string()),
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                     check_utf8=not self._stream.checks_utf8),
                memory_pool=memory_pool(),
            )
        except Exception as error:
            if isinstance(error, pa.ArrowInvalid) and "Empty CSV" in str(error):
                return None
            raise self._error(error, line) from None

    def _error(self, error: BaseException, line: int) -> SourceError:
        """The :class:`SourceError` for what stopped Arrow (its message may quote a row: never shown)."""
        if isinstance(error, SourceError):
            return error
        if isinstance(error, (pa.ArrowInvalid, UnicodeDecodeError)):
            bad = None if self._stream.checks_utf8 else self._stream.locate_invalid_utf8()
            if bad is not None:
                return source_error("source.decode", self._source.path, bad[0], offset=bad[1],
                                    encoding=self._source.encoding, **(_ASSUMED_NOTE if self._assumed else {}))
            if "straddling" in str(error):  # a row longer than a block: a quote left open
                return source_error("source.row_too_long", self._source.path, line, limit=BLOCK_BYTES)
            return source_error("source.unreadable", self._source.path, line, reason="CSV parse error")
        return read_error(error, self._source.path, line)

    def _next_batch(self, reader: Any) -> pa.RecordBatch:
        """Arrow's next batch; a row handler that could not decode a row (bad UTF-8) stays quiet."""
        previous = sys.unraisablehook

        def hook(arguments: Any) -> None:
            if not isinstance(arguments.exc_value, UnicodeDecodeError):  # Arrow's row handler: reported as decode
                previous(arguments)

        sys.unraisablehook = hook
        try:
            return reader.read_next_batch()
        finally:
            sys.unraisablehook = previous

    def _problem(self, line: int, record: int, cells: int, text: str) -> RowProblem:
        path = self._source.path
        if ends_inside_quote(text, self._source.delimiter or ","):  # open to the end of the file: the last record
            return row_problem("source.unterminated_quote", path, line, raw=text, record=record)
        return row_problem("source.ragged_row", path, line, raw=text, record=record, cells=cells,
                           expected=len(self._source.headers))

    def _generate(self) -> Generator[TableChunk | RowProblem, None, None]:
        try:
            yield from self._rows()
        finally:
            self._stream.close()  # its decoding threads, if any

    def _rows(self) -> Iterator[TableChunk | RowProblem]:
        if self._empty:
            return
        state = {"next_record": 1, "next_line": self._stream.first_line, "data_records": 0}
        reader = self._open(state["next_line"])
        if reader is None:
            return
        pieces: list[_Piece] = []
        rows = size = blank_rows = 0
        problems: list[RowProblem] = []
        held: _Piece | None = None
        while True:
            try:
                batch = self._next_batch(reader)
            except StopIteration:
                break
            except Exception as error:
                raise self._error(error, state["next_line"]) from None
            found, piece, blank = self._place(batch, state)
            problems.extend(found)
            if held is not None:
                pieces.append(held)
                rows, size = rows + held[0].num_rows, size + held[0].nbytes
            held = piece
            self._stream.release(int(held[1][0]) if len(held[1]) else state["next_line"])
            blank_rows += blank
            if rows >= self._batch_rows or size >= CHUNK_BYTES or len(problems) >= 1000:
                yield from problems
                yield from self._chunks(pieces, blank_rows)
                problems, pieces, rows, size, blank_rows = [], [], 0, 0, 0
        problems.extend(self._after_last(state))
        held = self._open_quote_at_end(held, state, problems)
        if held is not None:
            pieces.append(held)
        yield from problems
        yield from self._chunks(pieces, blank_rows)

    def _place(self, batch: pa.RecordBatch, state: dict[str, int]) -> tuple[list[RowProblem], _Piece, int]:
        """Place a batch's rows and the skipped rows among them: the problems, the rows kept, the blank rows."""
        spans = _line_feeds(batch) + 1 if self._stream.quotes_seen else np.ones(batch.num_rows, np.int64)
        blank = blank_rows(batch)
        invalid = [(number, span) for number, span, _, _ in self._invalid]
        placed = place_rows(spans, blank, invalid, state["next_record"], state["next_line"], state["data_records"])
        problems = [self._problem(int(placed["invalid_lines"][index]), int(placed["invalid_records"][index]),
                                  cells, text)
                    for index, (_, _, cells, text) in enumerate(self._invalid[: placed["placed"]])]
        del self._invalid[: placed["placed"]]
        for key in ("next_record", "next_line", "data_records"):
            state[key] = placed[key]
        keep = ~blank
        if blank.any():
            batch = batch.filter(pa.array(keep))
        return problems, (batch, placed["valid_lines"][keep], placed["valid_records"][keep]), int(blank.sum())

    def _after_last(self, state: dict[str, int]) -> list[RowProblem]:
        """The skipped rows after the last row of the last batch."""
        problems = []
        for _, span, cells, text in self._invalid:
            state["data_records"] += 1
            problems.append(self._problem(state["next_line"], state["data_records"], cells, text))
            state["next_line"] += span
        self._invalid.clear()
        return problems

    def _open_quote_at_end(self, held: _Piece | None, state: dict[str, int],
                           problems: list[RowProblem]) -> _Piece | None:
        """Arrow takes a quote left open at the end of the file as closed: look at the last row's own text."""
        if held is None or not held[0].num_rows or (problems and problems[-1].line > int(held[1][-1])):
            return held
        if not state["next_line"] - 1 <= self._stream.last_line <= state["next_line"]:
            return held  # lines that end in a carriage return alone: the kept text cannot be found by line
        batch, lines, records = held
        text = self._stream.text_from_line(int(lines[-1]))
        if text is None or not ends_inside_quote(text, self._source.delimiter or ","):
            return held
        problems.append(row_problem("source.unterminated_quote", self._source.path, int(lines[-1]),
                                    raw=text.rstrip("\r\n"), record=int(records[-1])))
        return batch.slice(0, batch.num_rows - 1), lines[:-1], records[:-1]

    def _chunks(self, pieces: list[_Piece], blank_rows: int) -> Iterator[TableChunk]:
        pieces = [piece for piece in pieces if piece[0].num_rows]
        if not pieces:
            if blank_rows:  # only blank rows: an empty chunk says how many
                yield _empty_chunk(self._source.headers, blank_rows)
            return
        batches = [piece[0] for piece in pieces]
        batch = batches[0] if len(batches) == 1 else pa.concat_batches(batches, memory_pool=memory_pool())
        lines = np.concatenate([piece[1] for piece in pieces])
        records = np.concatenate([piece[2] for piece in pieces])
        for start in range(0, batch.num_rows, self._batch_rows):
            stop = start + self._batch_rows
            yield TableChunk(batch.slice(start, self._batch_rows), lines[start:stop], records[start:stop],
                             blank_rows if start == 0 else 0)
