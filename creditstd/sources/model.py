"""What the readers hand out: :class:`Source`, :class:`TableChunk`, :class:`RowProblem`, and :class:`SourceError`.

Every problem has a stable code registered in :data:`CODES` with a Chinese and an English message
template.  Templates name the file (made printable) and the line, and never quote a cell: a row of a
credit export may hold a citizen ID number.

>>> error = source_error('source.nul_byte', 'penalties.csv', line=7)
>>> error.code, error.line, error.message_en
('source.nul_byte', 7, 'penalties.csv, line 7: a NUL byte (a binary file, or the wrong encoding)')
>>> problem = row_problem('source.ragged_row', 'penalties.csv', 12, raw='a,b', record=11, cells=2, expected=34)
>>> problem.message_en, problem.raw
('the row has 2 cells, the header has 34', 'a,b')
>>> problem.finding().location.line
12
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from creditstd.exceptions import CreditstdError, bilingual
from creditstd.records.jsonline import printable

__all__ = ["CODES", "ROW_CODES", "RowProblem", "Source", "SourceError", "TableChunk", "row_problem", "shown_path",
           "source_error"]

#: Code -> (Chinese, English) template of every :class:`SourceError`.  Fields: ``file`` (always, made
#: printable), ``where`` (``", line N"`` / ``"第N行"`` when a line is known, with ``" (byte offset B)"`` /
#: ``"（字节偏移B）"`` when the offset is known) and the code's own fields (``note``/``note_zh``: empty unless given).
CODES: dict[str, tuple[str, str]] = {
    "source.not_found": ("找不到文件 {file}", "{file}: no such file"),
    "source.no_match": ("没有与 {file} 匹配的文件", "{file}: no file matches this pattern"),
    "source.is_directory": ("{file} 是文件夹，不是交换批次（其中没有 manifest.json）",
                            "{file} is a folder, not an exchange batch (it holds no manifest.json)"),
    "source.unreadable": ("无法读取 {file}：{reason}", "{file}: cannot be read: {reason}"),
    "source.empty": ("{file}{note_zh} 为空：没有表头行", "{file}{note} is empty: there is no header row"),
    "source.option": ("{file}：{zh}", "{file}: {en}"),
    "source.format": ("{file}：{zh}", "{file}: {en}"),
    "source.encoding": ("{file}：未知的编码或不是文本编码（常用 utf-8、gb18030、utf-16）",
                        "{file}: unknown encoding, or not a text encoding (use e.g. utf-8, gb18030, utf-16)"),
    "source.decode": ("{file}{where_zh}：字节不是有效的 {encoding} 编码{note_zh}（可用 encoding 指定编码）",
                      "{file}{where}: the bytes are not valid {encoding}{note} (give the encoding explicitly)"),
    "source.nul_byte": ("{file}{where_zh}：含有NUL字节（二进制文件，或编码不对）",
                        "{file}{where}: a NUL byte (a binary file, or the wrong encoding)"),
    "source.gzip": ("{file}{where_zh}：gzip 压缩数据损坏或被截断",
                    "{file}{where}: the gzip data is corrupt or truncated"),
    "source.header": ("{file}{where_zh}：无法读取表头行（{zh}）",
                      "{file}{where}: the header row cannot be read ({en})"),
    "source.header_row": ("{file}：第{header_row}行不是一行的开头，或文件没有这么多行",
                          "{file}: line {header_row} is not where a row starts, or the file is shorter"),
    "source.row_too_long": ("{file}{where_zh}：从此行开始的一行超过{limit}字节仍未结束（多半是引号未闭合）",
                            "{file}{where}: the row starting here runs on for over {limit} bytes (most likely a "
                            "quote that is never closed)"),
    "source.not_zip": ("{file}：不是XLSX工作簿（不是zip文件）", "{file}: not an XLSX workbook (not a zip file)"),
    "source.encrypted": ("{file}：工作簿已加密或受密码保护（或是旧版 .xls），无法读取",
                         "{file}: the workbook is encrypted or password-protected (or an old .xls)"),
    "source.zip_bomb": ("{file}：工作簿中的 {member} 解压后过大（{size}字节）或压缩比异常（{ratio}倍），拒绝读取",
                        "{file}: {member} in the workbook would unpack to {size} bytes, or is compressed {ratio} "
                        "times: refused as a possible zip bomb"),
    "source.xlsx": ("{file}{where_zh}：工作簿已损坏（{zh}）", "{file}{where}: the workbook is damaged ({en})"),
    "source.shared_strings": ("{file}：工作簿的共享字符串表超过{limit}个字符（须整体载入内存），拒绝读取；"
                              "请另存为CSV",
                              "{file}: the workbook's shared strings hold more than {limit} characters (the table "
                              "is held in memory): refused; save the sheet as CSV"),
    "source.sheet": ("{file}：没有名为 {sheet} 的工作表；有：{sheets}",
                     "{file}: no sheet named {sheet}; the sheets are: {sheets}"),
    "source.exchange": ("{file}：交换批次未通过校验（{problem}：{zh}）",
                        "{file}: the exchange batch fails verification ({problem}: {en})"),
    "source.changed": ("{file}：读取期间记录文件被改动（SHA-256与校验时不同）",
                       "{file}: the records file changed while it was read (its SHA-256 is no longer the "
                       "verified one)"),
}

#: Code -> (Chinese, English) template of every :class:`RowProblem` message (no file, no line: those are fields).
ROW_CODES: dict[str, tuple[str, str]] = {
    "source.ragged_row": ("该行有{cells}个单元格，表头有{expected}个",
                          "the row has {cells} cells, the header has {expected}"),
    "source.shared_string": ("单元格 {cell} 引用的共享字符串不存在（工作簿共有 {count} 个），该行无法读取",
                             "cell {cell} refers to a shared string that does not exist (the workbook has "
                             "{count}): the row cannot be read"),
    "source.error_value": ("单元格 {cell} 是Excel的错误值（{value}：公式未能算出），没有取值，该行无法读取",
                           "cell {cell} holds an Excel error value ({value}: a formula that failed), no value: "
                           "the row cannot be read"),
    "source.formula_uncalculated": ("单元格 {cell} 是从未计算过的公式（工作簿由不计算公式的程序写出），"
                                    "没有取值，该行无法读取；请在Excel或LibreOffice中打开并保存后再检查",
                                    "cell {cell} holds a formula that was never calculated (the workbook was written "
                                    "by a program that does not calculate), no value: the row cannot be read; open "
                                    "and save it in Excel or LibreOffice, then check again"),
    "source.unterminated_quote": ("该行的引号直到文件末尾都未闭合",
                                  "a quote opened in this row is never closed before the end of the file"),
    "source.json": ("不是有效的JSON对象行（{detail}）", "not a valid JSON line ({detail})"),
    "source.not_object": ("该行是JSON，但不是对象", "the line is JSON but not an object"),
    "source.too_many_keys": ("该行使文件中不同的键超过{limit}个（每个键是一列），未读取",
                             "the line takes the file past {limit} distinct keys (each key is a column): not read"),
    "source.line_too_long": ("该行超过{limit}字节，未读取", "the line is longer than {limit} bytes and was not read"),
    "source.xml_stray_record": ("位于 {where}{namespace} 的元素像是一条记录，但不在记录路径 {record_path} 上，未读取",
                                "the element at {where}{namespace} looks like a record but is not at the record "
                                "path {record_path}: not read"),
    "source.exchange_record": ("交换记录有问题（{detail}）：{zh}", "exchange record problem ({detail}): {en}"),
}


def shown_path(path: str) -> str:
    """A file name for a message: ``<stdin>`` for ``-``, control characters escaped, at most 256 characters.

    >>> shown_path('-'), shown_path('a\\nb.csv')
    ('<stdin>', 'a\\\\u000ab.csv')
    """
    return "<stdin>" if path == "-" else printable(str(path), 256)


class SourceError(CreditstdError):
    """Input that cannot be read at all: a stable ``code``, the ``file`` and ``line`` (when known), bilingual text.

    The message names the file and line and never quotes the data.
    """

    def __init__(self, code: str, message_zh: str, message_en: str, *, file: str | None = None,
                 line: int | None = None) -> None:
        super().__init__(code, message_zh, message_en)
        self.file = file
        self.line = line

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_error, (self.code, self.message_zh, self.message_en, self.file, self.line))


def _rebuild_error(code: str, zh: str, en: str, file: str | None, line: int | None) -> SourceError:
    return SourceError(code, zh, en, file=file, line=line)


def source_error(code: str, path: str, line: int | None = None, *, offset: int | None = None,
                 **fields: object) -> SourceError:
    """The :class:`SourceError` registered under ``code`` for ``path`` (and ``line``, and ``offset``: the
    0-based position of the offending byte in the file, after gzip), its templates filled.

    >>> source_error('source.decode', 'a.csv', 1002, offset=58123, encoding='utf-8').message_en
    'a.csv, line 1002 (byte offset 58123): the bytes are not valid utf-8 (give the encoding explicitly)'
    """
    zh, en = CODES[code]
    where = where_zh = ""
    if line is not None:
        where, where_zh = f", line {line}", f"第{line}行"
        if offset is not None:
            where, where_zh = f"{where} (byte offset {offset})", f"{where_zh}（字节偏移{offset}）"
    values: dict[str, object] = {"file": shown_path(path), "where": where, "where_zh": where_zh, "note": "",
                                 "note_zh": "", **fields}
    return SourceError(code, zh.format(**values), en.format(**values), file=path, line=line)


@dataclass(frozen=True)
class Source:
    """What was opened and how it is read.

    ``path`` as given (``'-'`` for stdin); ``format`` (``csv``, ``tsv``, ``xlsx``, ``jsonl``, ``exchange``);
    ``encoding`` used (``None`` where the format fixes it: XLSX, exchange); ``delimiter`` (CSV/TSV);
    ``header_row``: 1-based line (CSV/TSV) or row number (XLSX) of the header, ``None`` where there is no
    header row (JSON Lines, exchange); ``headers``: the column names, exactly the chunks' column names
    (JSON Lines: those of the first chunk; a key first seen later adds a column to later chunks);
    ``title``: text of the rows above the header (a title such as ``2024年第一季度行政处罚信息``), or
    ``None``; ``sheet``: the sheet read (XLSX: the first, or the one asked for), else ``None``;
    ``compression`` (``gzip`` or ``None``); ``class_name``: the catalogue class the input names itself (an
    exchange batch's manifest), or ``None``; ``sheets``: the names of every sheet of the workbook, in the
    workbook's order, the one read among them (XLSX; ``()`` for other formats), so that a report can say
    which others there are; ``merged``: the sheet's merged ranges that reach below the header (``B3:B5``),
    whose cells but the first read as empty unless ``merged_filled`` (XLSX); ``repeats``: the headers the
    reader renamed because their cell repeats an earlier one (``CF_WSH_2``) -> the name repeated (``CF_WSH``).
    """

    path: str
    format: str
    encoding: str | None
    delimiter: str | None
    header_row: int | None
    headers: tuple[str, ...]
    title: str | None = None
    sheet: str | None = None
    compression: str | None = None
    class_name: str | None = None
    sheets: tuple[str, ...] = ()
    merged: tuple[str, ...] = ()
    merged_filled: bool = False
    repeats: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class TableChunk:
    """Rows of a source as an Arrow record batch, with where each row starts in the file.

    ``batch``: every column ``pa.string()``, named by the header; ``''`` is an empty cell, null is a
    cell that is absent (a JSON key missing or ``null``; CSV and XLSX cells are never null).
    ``lines``: int64, per row, the 1-based physical line (CSV/TSV/JSON Lines/exchange ``records.jsonl``)
    or sheet row number (XLSX) where the row starts.  ``records``: int64, per row, its 1-based position
    among the data rows of the file (rows of chunks and row problems counted together, in file order;
    blank rows not counted).  ``blank_rows``: rows whose cells are all empty, skipped since the
    previous chunk (they are not data).  ``record_ids``: the exchange records' ids, else ``None``.
    ``raw_lines``: per row of JSON Lines or an exchange batch, its line as read (UTF-8, the line break
    left on), when the reader was asked for them (``open_table(raw_lines=True)``), else ``None``.
    """

    batch: pa.RecordBatch
    lines: np.ndarray
    records: np.ndarray
    blank_rows: int = 0
    record_ids: pa.Array | None = None
    raw_lines: list[bytes] | None = None

    def __len__(self) -> int:
        return int(self.batch.num_rows)


@dataclass(frozen=True)
class RowProblem:
    """A row that cannot become a table row: where it is, why (stable ``code``), and its ``raw`` text.

    ``raw`` is the row as read (decoded to text, the line break ending it left off; for XLSX the cells
    joined with tabs), for a rejects file; the messages never quote it.  ``cells``: the row's cells, where the
    reader has them (XLSX), so that a rejects file writes each in its own column.
    """

    file: str
    line: int
    code: str
    message_zh: str
    message_en: str
    raw: str
    record: int | None = None
    detail: str | None = field(default=None)
    cells: tuple[str, ...] | None = None

    @property
    def message(self) -> str:
        """The message in the configured language."""
        return bilingual(self.message_zh, self.message_en)

    def finding(self) -> Any:
        """This problem as a :class:`creditstd.findings.Finding` located at its file and line."""
        from creditstd.findings import Finding, Location

        return Finding(self.code, self.message_zh, self.message_en,
                       location=Location(file=self.file, line=self.line, record=self.record))


def row_problem(code: str, path: str, line: int, *, raw: str, record: int | None = None,
                detail: str | None = None, row_cells: Sequence[str] | None = None, **fields: object) -> RowProblem:
    """The :class:`RowProblem` registered under ``code``, its message templates filled with ``fields``;
    ``row_cells``: the row's cells (:attr:`RowProblem.cells`)."""
    zh, en = ROW_CODES[code]
    values = {"detail": detail or "", **fields}
    return RowProblem(path, line, code, zh.format(**values), en.format(**values), raw, record, detail,
                      None if row_cells is None else tuple(row_cells))
