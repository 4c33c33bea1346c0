"""``open_table``: one entry point for every reader, the format told by the name, then by the content.

>>> import io, os, tempfile
>>> folder = tempfile.mkdtemp()
>>> path = os.path.join(folder, 'export.txt')
>>> with open(path, 'wb') as stream:
...     _ = stream.write('名称\\t代码\\n甲\\t1\\n'.encode('utf-16'))
>>> source, items = open_table(path)
>>> source.format, source.encoding, source.delimiter, source.headers
('tsv', 'utf-16', '\\t', ('名称', '代码'))
>>> [chunk.batch.to_pylist() for chunk in items]
[[{'名称': '甲', '代码': '1'}]]
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from creditstd.sources.delimited import open_delimited
from creditstd.sources.inputs import Opened, open_bytes
from creditstd.sources.jsonl import open_exchange, open_jsonl
from creditstd.sources.model import RowProblem, Source, TableChunk, source_error
from creditstd.sources.sniff import sniff_format
from creditstd.sources.xlsx import open_xlsx

__all__ = ["FORMATS", "Rows", "open_table"]

#: The formats :func:`open_table` reads.
FORMATS = ("csv", "tsv", "xlsx", "jsonl", "exchange")


class Rows(Iterator["TableChunk | RowProblem"]):
    """The chunks and row problems of one source; closes the file when exhausted, on :meth:`close`, or on ``with``."""

    def __init__(self, items: Iterator[TableChunk | RowProblem], opened: Opened | None) -> None:
        self._items = items
        self._opened = opened

    def __iter__(self) -> Rows:
        return self

    def __next__(self) -> TableChunk | RowProblem:
        try:
            return next(self._items)
        except BaseException:
            self.close()
            raise

    @property
    def bytes_read(self) -> int | None:
        """How far the file has been read (for a progress display): its bytes, compressed ones for gzip,
        read ahead of the rows delivered by up to a few MB; None for stdin and exchange batches."""
        opened = self._opened
        return opened.bytes_read if opened is not None else None

    def close(self) -> None:
        """Stop reading and close the file (never stdin)."""
        closer = getattr(self._items, "close", None)
        if closer is not None:
            with contextlib.suppress(Exception):
                closer()
        if self._opened is not None:
            self._opened.close()
            self._opened = None

    def __enter__(self) -> Rows:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


def _is_exchange(path: str, format: str | None) -> bool:
    if path == "-":
        return False
    if format == "exchange":
        return True
    if format is not None:
        return False
    if os.path.isdir(path):
        return os.path.lexists(os.path.join(path, "manifest.json"))
    return os.path.basename(path) == "manifest.json"


#: What the content of a file sniffed as one of these formats is, in Chinese and English.
_FORMAT_NAMES = {"xlsx": ("Excel工作簿（XLSX）", "an Excel workbook (XLSX)"),
                 "xls": ("旧版Excel工作簿（.xls）或网页", "an old Excel workbook (.xls) or a web page"),
                 "xml": ("XML", "XML")}


def open_table(path: str, *, encoding: str | None = None, header_row: int | None = None, sheet: str | None = None,
               delimiter: str | None = None, format: str | None = None,
               batch_rows: int = 65536, raw_lines: bool = False, fill_merged: bool = False) -> tuple[Source, Rows]:
    """Open a departmental export as a stream of table chunks: ``(Source, iterator of TableChunk | RowProblem)``.

    ``path``: a file, ``-`` for stdin, an exchange batch folder or its ``manifest.json``; gzip is seen
    through (by its first bytes).  ``format``: ``csv``, ``tsv``, ``xlsx``, ``jsonl`` or ``exchange``;
    by default told by the extension (``.csv``, ``.tsv``/``.tab``, ``.xlsx``/``.xlsm``,
    ``.jsonl``/``.ndjson``, a ``.gz`` ending looked through), then by the content (a zip is XLSX, a
    first ``{`` is JSON Lines, else CSV or TSV by delimiter).  ``encoding`` overrides detection (CSV,
    TSV, JSON Lines; a byte-order mark still decides); ``header_row`` (1-based line in CSV/TSV, row
    number in XLSX) overrides header detection; ``sheet`` picks an XLSX sheet by name; ``fill_merged`` reads
    each cell of an XLSX merged range as holding the range's value (else only its first cell does);
    ``delimiter`` overrides sniffing.  Options that do not apply to the format are ignored.  Chunks hold at most
    ``batch_rows`` rows.  With ``raw_lines``, chunks of JSON Lines and exchange batches carry each row's line
    as read (:attr:`TableChunk.raw_lines`: a rejects file gives back the object as it was, its types and keys).

    Raises :class:`~creditstd.sources.model.SourceError` for input that cannot be read, now or while
    iterating.  The iterator closes the file when it is exhausted; call ``close()`` (or use ``with``)
    to stop early.
    """
    if format is not None and format not in FORMATS:
        raise source_error("source.option", path, zh=f"未知格式，可用：{'、'.join(FORMATS)}",
                           en=f"unknown format; the formats are {', '.join(FORMATS)}")
    if not isinstance(batch_rows, int) or batch_rows < 1:
        raise source_error("source.option", path, zh="每批行数须为正整数", en="batch_rows must be a positive integer")
    if _is_exchange(path, format):
        source, items = open_exchange(path, batch_rows=batch_rows, raw_lines=raw_lines)
        return source, Rows(items, None)
    if path != "-" and os.path.isdir(path):
        raise source_error("source.is_directory", path)
    opened = open_bytes(path)
    try:
        kind = format or sniff_format(path, opened.head)
        if kind in ("csv", "tsv") and (found := sniff_format("", opened.head)) in ("xlsx", "xls", "xml"):
            # a format given (a mapping's) that the content is not: named, rather than decoded as text
            raise source_error("source.format", path,
                               zh=f"文件内容是{_FORMAT_NAMES[found][0]}，不是{kind.upper()}文本；请用读该格式的映射或另存为{kind.upper()}",
                               en=f"the file holds {_FORMAT_NAMES[found][1]}, not {kind.upper()} text: use a mapping "
                                  f"that reads it, or save it as {kind.upper()}")
        if kind == "xls":
            raise source_error("source.format", path, zh="旧版Excel（.xls）无法读取：请另存为 .xlsx 或 CSV",
                               en="an old Excel .xls workbook: save it as .xlsx or CSV")
        if kind == "xml":
            raise source_error("source.format", path,
                               zh="XML导出须按映射转换，不能作为表格读取：creditstd convert 文件 --mapping 映射"
                                  "（creditstd mapping init 文件 可起草映射；转换时每条记录都按目录校验）",
                               en="an XML export is converted through a mapping, not read as a table: creditstd "
                                  "convert FILE --mapping MAPPING (creditstd mapping init FILE drafts one; every "
                                  "record converted is checked against the catalogue)")
        reader: Any
        if kind == "xlsx":
            source, reader = open_xlsx(opened, sheet=sheet, header_row=header_row, batch_rows=batch_rows,
                                       fill_merged=fill_merged)
        elif kind == "jsonl":
            source, reader = open_jsonl(opened, encoding=encoding, batch_rows=batch_rows, raw_lines=raw_lines)
        else:
            source, reader = open_delimited(opened, format=kind, encoding=encoding, delimiter=delimiter,
                                            header_row=header_row, batch_rows=batch_rows)
    except BaseException:
        opened.close()
        raise
    return source, Rows(reader, opened)
