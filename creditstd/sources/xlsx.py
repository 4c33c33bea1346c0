"""XLSX workbooks, streamed: lxml ``iterparse`` over the worksheet XML inside the zip, no spreadsheet library.

What a cell becomes (the text a person sees, as far as the file says it):

* a shared or inline string: its text (rich-text runs joined, phonetic guides left out, the
  ``_x000D_`` escapes Excel writes for control characters decoded);
* a number: the text stored in the file, an integer without a trailing ``.0`` (``12.0`` -> ``12``);
* a number whose cell style is a date format (built-in formats 14-17, 22, 27-31, 36, 50-54, 57-58,
  the Chinese ``yyyy"年"m"月"d"日"`` among them, and custom formats with ``y`` or ``d``):
  ``YYYY-MM-DD`` (``YYYY-MM-DD HH:MM:SS`` when the format shows a time and the value has one;
  time-only formats 18-21, 32-35, 45-47, 55-56 give ``HH:MM:SS``), in the 1900 or 1904 date system
  the workbook declares;
* a boolean: ``TRUE`` or ``FALSE``; a formula: its cached value; an error (``#N/A``, ``#REF!``: a formula
  that failed) has no value: its row is a ``source.error_value`` problem naming the cell, never a row
  holding ``#N/A`` as a name; a formula with no cached value (the workbook was written by a program that
  does not calculate) has none either: its row is a ``source.formula_uncalculated`` problem, never a
  blank row;
* a missing or empty cell: ``''``.  The ``r`` attributes place cells and rows (a skipped column
  is an empty cell; a row's number is its sheet row number).

The header is found as in CSV (title rows above it are skipped; ``header_row`` overrides), its
trailing empty cells dropped.  A row with non-empty cells right of the header's last column is a
``source.ragged_row`` problem (raw text: the cells joined by tabs); a row whose cells are all empty or
white space (inline or shared strings alike) is blank.  Shared strings are held in one Arrow array (about
the size of their text) and looked up per chunk with ``take``; the worksheet itself is streamed, each row
cleared once read.

Zip safety: a member whose declared size is over :data:`MAX_MEMBER_BYTES`, or that unpacks to more
than :data:`MAX_RATIO` times its packed size (beyond the first MiB), is refused
(``source.zip_bomb``), and reading stops if a member unpacks to more than it declared; encrypted
members and password-protected workbooks (an OLE container, not a zip) are refused
(``source.encrypted``).  XML is parsed without entities, network access or huge-tree mode.

A workbook needs little more than three parts (``sharedStrings.xml`` and ``styles.xml`` are optional):

>>> import io, zipfile
>>> def workbook(rows: str) -> bytes:
...     main = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
...     rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
...     package = 'http://schemas.openxmlformats.org/package/2006/relationships'
...     buffer = io.BytesIO()
...     with zipfile.ZipFile(buffer, 'w') as archive:
...         archive.writestr('xl/workbook.xml', f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
...                          '<sheet name="处罚" sheetId="1" r:id="rId1"/></sheets></workbook>')
...         archive.writestr('xl/_rels/workbook.xml.rels', f'<Relationships xmlns="{package}"><Relationship '
...                          f'Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
...         archive.writestr('xl/worksheets/sheet1.xml',
...                          f'<worksheet xmlns="{main}"><sheetData>{rows}</sheetData></worksheet>')
...     return buffer.getvalue()
>>> def cell(reference: str, text: str) -> str:
...     return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'
>>> rows = (f'<row r="1">{cell("A1", "2024年行政处罚信息")}</row>'
...         f'<row r="3">{cell("A3", "名称")}{cell("B3", "金额")}</row>'
...         f'<row r="4">{cell("A4", "甲")}<c r="B4"><v>12.0</v></c></row>'
...         f'<row r="5"><c r="B5"><v>0.5</v></c>{cell("D5", "多余")}</row>')
>>> from creditstd.sources.inputs import open_bytes
>>> source, items = open_xlsx(open_bytes('-', stdin=io.BytesIO(workbook(rows))))
>>> source.sheet, source.sheets, source.header_row, source.headers, source.title
('处罚', ('处罚',), 3, ('名称', '金额'), '2024年行政处罚信息')
>>> for item in items:
...     print(item.code, item.line, item.raw) if isinstance(item, RowProblem) else print(item.batch.to_pylist())
source.ragged_row 5 	0.5		多余
[{'名称': '甲', '金额': '12'}]
"""

from __future__ import annotations

import contextlib
import math
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import IO, Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from lxml import etree

from creditstd.records.jsonline import printable
from creditstd.sources.delimited import CHUNK_BYTES
from creditstd.sources.inputs import Opened, read_error
from creditstd.sources.model import RowProblem, Source, SourceError, TableChunk, row_problem, source_error
from creditstd.sources.sniff import find_header, non_empty, repeated_headers, unique_headers

__all__ = ["MAX_MEMBER_BYTES", "MAX_MERGED", "MAX_RATIO", "MAX_SHARED_CHARS", "column_index", "format_kind",
           "merged_text", "open_xlsx", "serial_text"]

#: The largest declared uncompressed size of a workbook part.
MAX_MEMBER_BYTES = 4 << 30
#: The largest compression ratio of a part larger than 1 MiB (worksheets compress 5-50 times).
MAX_RATIO = 500
#: The largest workbook read from stdin or from inside gzip (it is copied to a temporary file).
MAX_SPOOL_BYTES = 4 << 30
#: The most characters the shared-string table may hold (it is held in memory while the sheet streams: a
#: table of distinct texts about as long as a million rows of the catalogue's longest records).
MAX_SHARED_CHARS = 512 << 20
_SMALL_PART = 64 << 20  # workbook, relationships, styles: parsed whole
#: A worksheet's last column (XFD) and last row, as Excel has them: a reference beyond them is damage.
MAX_COLUMNS = 16384
MAX_ROWS = 1 << 20
#: The key of a parsed row's cells that holds the column of its first cell whose shared string does not exist.
_MISSING_STRING = -1
#: The key of a parsed row's cells that holds the column of its first cell holding an error value (``#N/A``).
_ERROR_VALUE = -2
#: The key of a parsed row's cells that holds the column of its first formula never calculated (no cached value).
_UNCALCULATED = -3
#: Each key above -> why a header cell so marked has no text (the header row is then refused).
_HEADER_REASONS = {_MISSING_STRING: ("引用的共享字符串不存在", "refers to a shared string that does not exist"),
                   _ERROR_VALUE: ("是Excel的错误值", "holds an Excel error value"),
                   _UNCALCULATED: ("是从未计算过的公式（请在Excel或LibreOffice中打开并保存）",
                                   "holds a formula never calculated (open and save it in Excel or LibreOffice)")}
#: Each key above -> the code of the row problem it makes, the first one found deciding.
_UNREADABLE = {_MISSING_STRING: "source.shared_string", _ERROR_VALUE: "source.error_value",
               _UNCALCULATED: "source.formula_uncalculated"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_INTEGER = re.compile(r"-?\d+\.0+")
_DIGITS = re.compile(r"-?\d+")
_HEADER_ROWS = 25
_PIECE_ROWS = 4096
#: The most row problems held before they are handed on with the rows read so far.
_HELD_PROBLEMS = 1000
_DATE_IDS = frozenset({14, 15, 16, 17, 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58})
_DATETIME_IDS = frozenset({22})
_TIME_IDS = frozenset({18, 19, 20, 21, 32, 33, 34, 35, 45, 46, 47, 55, 56})
_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def format_kind(code: str) -> str | None:
    """``date``, ``datetime``, ``time`` or None for a custom number format code.

    >>> [format_kind(code) for code in ('yyyy"年"m"月"d"日"', 'yyyy/m/d h:mm', '[h]:mm:ss', '0.00', 'General', '@')]
    ['date', 'datetime', 'time', None, None, None]
    """
    lowered = code.lower()
    elapsed = any(part in lowered for part in ("[h]", "[m]", "[s]", "[hh]", "[mm]", "[ss]"))
    plain = _LITERALS.sub("", lowered.split(";")[0])
    if plain.strip() in ("general", "@", ""):
        return "time" if elapsed else None
    has_date = "y" in plain or "d" in plain
    has_time = "h" in plain or "s" in plain or elapsed
    if has_date and has_time:
        return "datetime"
    if has_date or ("m" in plain and not has_time):
        return "date"
    return "time" if has_time else None


def serial_text(value: str, kind: str, date1904: bool) -> str:
    """The text of an Excel serial date number ``value`` shown as ``kind``; ``value`` itself if it is no date.

    >>> serial_text('45366', 'date', False), serial_text('45366.5', 'datetime', False)
    ('2024-03-15', '2024-03-15 12:00:00')
    >>> serial_text('0.75', 'time', False)
    '18:00:00'
    >>> serial_text('45366.99999652778', 'date', False), serial_text('45366.99999652778', 'datetime', False)
    ('2024-03-15', '2024-03-16')
    >>> serial_text('59', 'date', False), serial_text('60', 'date', False), serial_text('0', 'date', True)
    ('1900-02-28', '60', '1904-01-01')

    A serial past 9999-12-31 (rounded to the second) is no date Python can hold: kept as written.

    >>> serial_text('2958465', 'date', False), serial_text('2958465.99999999', 'datetime', False)
    ('9999-12-31', '2958465.99999999')
    >>> serial_text('2957003', 'date', True), serial_text('2958000', 'date', True)
    ('9999-12-31', '2958000')
    """
    try:
        serial = float(value)
    except ValueError:
        return value
    if not 0 <= serial < 2958466 or (not date1904 and 60 <= serial < 61):
        return value
    epoch = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 31 if serial < 60 else 30)
    try:  # a date shows the serial's day (23:59:59.7 is still that day); a time is rounded to the second
        moment = epoch + (timedelta(days=int(serial)) if kind == "date" else timedelta(seconds=round(serial * 86400)))
    except OverflowError:  # after 9999-12-31 23:59:59 (the 1904 system's last serial is 2957003)
        return value
    if kind == "time":
        return moment.strftime("%H:%M:%S")
    if kind == "datetime" and (moment.hour or moment.minute or moment.second):
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.strftime("%Y-%m-%d")


def _number_text(value: str) -> str:
    """A number cell's stored text as Excel shows it: at most 15 significant digits, Excel's own precision
    (the float noise of a sum, ``0.30000000000000004``, is ``0.3``), in plain notation (``5.0000000000000001E-4``
    is ``0.0005``, ``1E+21`` all its digits); digits alone, and text that is no finite number, as stored.

    >>> [_number_text(v) for v in ('0.30000000000000004', '5.0000000000000001E-4', '1E+21', '45366.0', '-2.5')]
    ['0.3', '0.0005', '1000000000000000000000', '45366', '-2.5']
    >>> _number_text('12345678901234567890'), _number_text('-0.0E+0'), _number_text('NaN')
    ('12345678901234567890', '0', 'NaN')
    """
    if _DIGITS.fullmatch(value):
        return value
    if _INTEGER.fullmatch(value):
        return value.split(".", 1)[0]
    try:
        number = float(value)
    except ValueError:
        return value
    if not math.isfinite(number):
        return value
    if number == 0:
        return "0"
    text = format(Decimal(format(number, ".15g")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _unescape(text: str) -> str:
    """Excel's ``_xHHHH_`` escapes read; an escaped surrogate half is joined to its pair, or read as U+FFFD.

    >>> _unescape('a_x000A_b'), _unescape('_xD83D__xDE00_'), _unescape('张_xD800_三')
    ('a\\nb', '😀', '张\ufffd三')
    """
    if "_x" not in text:
        return text
    text = _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)
    if _SURROGATE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def column_letters(index: int) -> str:
    """The letters of the 0-based column ``index`` (0 -> ``A``, 27 -> ``AB``): :func:`column_index`'s inverse.

    >>> column_letters(0), column_letters(27), column_letters(16383), column_index(column_letters(701) + '1')
    ('A', 'AB', 'XFD', 701)
    """
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(reference: str) -> int:
    """The 0-based column of a cell reference (``A1`` -> 0, ``AB12`` -> 27).

    >>> column_index('A1'), column_index('AB12'), column_index('XFD1048576')
    (0, 27, 16383)
    """
    index = 0
    for char in reference:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            index = index * 26 + ord(char) - 96
        else:
            break
    return index - 1


class _Bounded:
    """A zip member stream that stops with ``source.zip_bomb`` when it unpacks to more than it declared."""

    def __init__(self, stream: IO[bytes], limit: int, error: SourceError) -> None:
        self._stream, self._left, self._error = stream, limit, error

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size if size is not None and size >= 0 else 1 << 20)
        self._left -= len(data)
        if self._left < 0:
            raise self._error
        return data


class _Workbook:
    """The parts of an open workbook: sheets, relationships, styles, shared strings."""

    def __init__(self, archive: zipfile.ZipFile, path: str) -> None:
        self.archive, self.path = archive, path
        self.names = set(archive.namelist())

    def damaged(self, zh: str, en: str, line: int | None = None) -> SourceError:
        return source_error("source.xlsx", self.path, line, zh=zh, en=en)

    def member(self, name: str) -> _Bounded:
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise self.damaged(f"缺少 {name}", f"{name} is missing") from None
        if info.flag_bits & 0x1:
            raise source_error("source.encrypted", self.path)
        ratio = info.file_size // max(info.compress_size, 1)
        bomb = source_error("source.zip_bomb", self.path, member=name, size=info.file_size, ratio=ratio)
        if info.file_size > MAX_MEMBER_BYTES or (info.file_size > 1 << 20 and ratio > MAX_RATIO):
            raise bomb
        try:
            return _Bounded(self.archive.open(info), info.file_size, bomb)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError):
            raise self.damaged(f"无法解压 {name}", f"{name} cannot be unpacked") from None

    def xml(self, name: str) -> Any:
        stream = self.member(name)
        try:
            data = stream.read(_SMALL_PART + 1)
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error):  # a damaged CRC or deflate stream
            raise self.damaged(f"无法解压 {name}", f"{name} cannot be unpacked") from None
        if len(data) > _SMALL_PART:
            raise self.damaged(f"{name} 过大", f"{name} is too large")
        try:
            root = etree.fromstring(data, _safe_parser())
        except etree.XMLSyntaxError:
            raise self.damaged(f"{name} 不是有效的XML", f"{name} is not well-formed XML") from None
        self.refuse_doctype(root, name)
        return root

    def refuse_doctype(self, element: Any, name: str) -> None:
        """Refuse a part that declares a document type: Excel writes none, and the entities it may declare are
        never resolved, so a cell holding one would be read as if it were empty."""
        if element.getroottree().docinfo.doctype:
            raise self.damaged(f"{name} 含有文档类型声明（DOCTYPE），不予读取",
                               f"{name} holds a document type declaration (DOCTYPE): refused")

    def relationships(self, name: str) -> dict[str, tuple[str, str]]:
        """Id -> (type, target path in the archive) of the relationships of part ``name``."""
        folder, _, base = name.rpartition("/")
        rels = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
        if rels not in self.names:
            return {}
        found = {}
        for rel in self.xml(rels).iter(_PKG_REL):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            path = target.lstrip("/") if target.startswith("/") else _join(folder, target)
            found[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], path)
        return found


def _join(folder: str, target: str) -> str:
    parts = [part for part in folder.split("/") if part]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _styles(book: _Workbook, target: str | None) -> list[str | None]:
    """Per cell style index, ``date``/``datetime``/``time`` or None."""
    if not target or target not in book.names:
        return []
    root = book.xml(target)
    custom: dict[int, str | None] = {}
    kinds: list[str | None] = []
    for element in root.iter():
        name = _local(element.tag)
        if name == "numFmt":
            with contextlib.suppress(ValueError, TypeError):
                custom[int(element.get("numFmtId"))] = format_kind(element.get("formatCode") or "")
        elif name == "cellXfs":
            for xf in element:
                if _local(xf.tag) != "xf":
                    continue
                try:
                    number = int(xf.get("numFmtId") or 0)
                except ValueError:
                    number = 0
                if number in custom:
                    kinds.append(custom[number])
                elif number in _DATE_IDS:
                    kinds.append("date")
                elif number in _DATETIME_IDS:
                    kinds.append("datetime")
                elif number in _TIME_IDS:
                    kinds.append("time")
                else:
                    kinds.append(None)
    return kinds


def _string_item(element: Any) -> str:
    """The text of a shared-string ``si`` or inline ``is``: plain or rich-text runs, phonetic text left out."""
    namespace = element.tag[: element.tag.rfind("}") + 1]
    text_tag, run_tag = namespace + "t", namespace + "r"
    if len(element) == 1 and element[0].tag == text_tag:  # the common case: one plain <t>
        text = element[0].text or ""
        return _unescape(text) if "_x" in text else text
    parts = []
    for child in element:
        if child.tag == text_tag:
            parts.append(child.text or "")
        elif child.tag == run_tag:
            parts.extend(run.text or "" for run in child if run.tag == text_tag)
    return _unescape("".join(parts))


def _shared_strings(book: _Workbook, target: str | None) -> pa.ChunkedArray:
    if not target or target not in book.names:
        return pa.chunked_array([], pa.large_string())
    chunks: list[pa.Array] = []
    batch: list[str] = []
    held = 0
    try:
        for _, element in etree.iterparse(book.member(target), events=("end",), tag="{*}si", resolve_entities=False,
                                          no_network=True, huge_tree=False, load_dtd=False):
            if not chunks and not batch:
                book.refuse_doctype(element, target)
            text = _string_item(element)
            batch.append(text)
            held += len(text)
            if held > MAX_SHARED_CHARS:
                raise source_error("source.shared_strings", book.path, limit=f"{MAX_SHARED_CHARS:,}")
            element.clear(keep_tail=False)
            previous = element.getprevious()
            if previous is not None:
                parent = element.getparent()
                while element.getprevious() is not None:
                    del parent[0]
            if len(batch) >= 65536:
                chunks.append(pa.array(batch, pa.large_string()))
                batch = []
    except etree.XMLSyntaxError:
        raise book.damaged("共享字符串表不是有效的XML", "the shared strings are not well-formed XML") from None
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error):
        raise book.damaged("共享字符串表无法解压", "the shared strings cannot be unpacked") from None
    chunks.append(pa.array(batch, pa.large_string()))
    return pa.chunked_array(chunks, pa.large_string())  # not concatenated: that would hold it twice at once


def _sheet_target(book: _Workbook, sheet: str | None) -> tuple[str, str, bool, str | None, str | None,
                                                                 tuple[str, ...], bool]:
    """(sheet name, worksheet part, 1904 date system, styles part, shared strings part, every sheet's name in
    the workbook's order, whether the formulas' cached values are stale).  A workbook that asks to be
    calculated in full when opened (``<calcPr fullCalcOnLoad="1"/>``, as XlsxWriter and openpyxl write it: they
    do not calculate, and store 0 or nothing for each formula) holds no formula's value."""
    package = book.relationships("")
    workbook = next((path for kind, path in package.values() if kind == "officeDocument"), "xl/workbook.xml")
    root = book.xml(workbook)
    date1904 = any(_local(e.tag) == "workbookPr" and (e.get("date1904") or "").lower() in ("1", "true")
                   for e in root.iter())
    stale = any(_local(e.tag) == "calcPr" and (e.get("fullCalcOnLoad") or "").lower() in ("1", "true")
                for e in root.iter())
    rels = book.relationships(workbook)
    sheets = []
    hidden = set()
    for element in root.iter():
        if _local(element.tag) == "sheet":
            rid = element.get(f"{{{_REL_NS}}}id") or element.get(f"{{{_STRICT_REL_NS}}}id") or ""
            sheets.append((element.get("name") or "", rels.get(rid, ("", ""))[1]))
            if element.get("state") in ("hidden", "veryHidden"):  # a code table kept out of sight, not the data
                hidden.add(len(sheets) - 1)
    if not sheets:
        raise book.damaged("工作簿中没有工作表", "the workbook has no sheet")
    if sheet is None:  # the first sheet Excel shows
        name, target = next((item for index, item in enumerate(sheets) if index not in hidden), sheets[0])
    else:
        match = next(((n, t) for n, t in sheets if n == sheet), None)
        if match is None:
            raise source_error("source.sheet", book.path, sheet=sheet, sheets="、".join(n for n, _ in sheets))
        name, target = match
    if not target:
        raise book.damaged(f"找不到工作表 {name} 的内容", f"the part of sheet {name} is missing")
    styles = next((path for kind, path in rels.values() if kind == "styles"), None)
    strings = next((path for kind, path in rels.values() if kind == "sharedStrings"), None)
    return name, target, date1904, styles, strings, tuple(n for n, _ in sheets), stale


# A parsed row: its number, per column either the text or the shared-string index (int), the widest column.
_Row = tuple[int, dict[int, str | int]]


def _rows(book: _Workbook, target: str, kinds: list[str | None], date1904: bool, strings: int,
          stale: bool = False) -> Iterator[_Row]:
    number = 0
    columns: dict[str, int] = {}  # the letters of a reference -> column
    tags: tuple[str, str, str] | None = None
    try:
        for _, row in etree.iterparse(book.member(target), events=("end",), tag="{*}row", resolve_entities=False,
                                      no_network=True, huge_tree=False, load_dtd=False):
            if tags is None:
                book.refuse_doctype(row, target)
            given = row.get("r")
            number = int(given) if given and given.isascii() and given.isdigit() else number + 1
            if number > MAX_ROWS:
                raise book.damaged(f"行号 {printable(given or '', 24)} 超出工作表范围",
                                   f"row number {printable(given or '', 24)} is beyond the sheet's last row "
                                   f"({MAX_ROWS})")
            if tags is None:
                namespace = row.tag[:-3]
                tags = (namespace + "c", namespace + "v", namespace + "is")
            cell_tag, value_tag, inline_tag = tags
            cells: dict[int, str | int] = {}
            column = -1
            for cell in row:
                if cell.tag != cell_tag:
                    continue
                reference = cell.get("r")
                if reference:
                    letters = reference.rstrip("0123456789")
                    column = columns.get(letters, -1)
                    if column < 0:
                        column = column_index(letters[:4])
                        if not letters or len(letters) > 3 or not 0 <= column < MAX_COLUMNS:
                            raise book.damaged(f"单元格引用 {printable(reference, 20)} 不在工作表范围内",
                                               f"cell reference {printable(reference, 20)} is outside the sheet "
                                               "(A to XFD)", number)
                        columns[letters] = column
                else:
                    column += 1
                    if column >= MAX_COLUMNS:
                        raise book.damaged("一行的单元格超过 XFD 列", "a row has cells beyond column XFD", number)
                kind = cell.get("t")
                if kind == "inlineStr":
                    inline = cell.find(inline_tag)
                    value: str | int | None = _string_item(inline) if inline is not None else None
                else:
                    if not len(cell):
                        continue
                    first = cell[0]
                    text: str | None
                    if first.tag == value_tag:
                        text = first.text
                    else:  # a formula first: its cached value follows
                        cached = next((child for child in cell if child.tag == value_tag), None)
                        text = None if cached is None else cached.text
                        if stale or cached is None or (text is None and kind != "str"):
                            # never calculated (no value, or an empty one where only text may be empty, or a
                            # workbook whose values are all stale): its value is unknown, not empty or 0
                            cells.setdefault(_UNCALCULATED, column)
                            continue
                    if text is None:
                        continue
                    if kind == "s":
                        try:
                            value = int(text)
                        except ValueError:
                            value = -1
                        if not 0 <= value < strings:  # no such shared string: the row cannot be read
                            cells.setdefault(_MISSING_STRING, column)
                            continue
                    elif kind is None or kind == "n":
                        style = cell.get("s")
                        date_kind = kinds[int(style)] if style and style.isdigit() and int(style) < len(kinds) else None
                        value = serial_text(text, date_kind, date1904) if date_kind else _number_text(text)
                    elif kind == "b":
                        value = "TRUE" if text.strip() in ("1", "true") else "FALSE"
                    elif kind == "d":
                        value = text[:-9] if text.endswith("T00:00:00") else text
                    else:  # "str" (a formula's text), "e" (an error: the row cannot be read, _chunks says so)
                        value = text
                        if kind == "e":
                            cells.setdefault(_ERROR_VALUE, column)
                if value is not None and value != "":
                    cells[column] = value
            row.clear(keep_tail=False)
            if row.getprevious() is not None:
                parent = row.getparent()
                while row.getprevious() is not None:
                    del parent[0]
            yield number, cells
    except etree.XMLSyntaxError:
        raise book.damaged("工作表不是有效的XML", "the worksheet is not well-formed XML", number + 1) from None
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error):
        raise book.damaged("工作表无法解压", "the worksheet cannot be unpacked", number + 1) from None


#: A merged range of a worksheet: ``<mergeCell ref="B3:B5"/>`` (any namespace prefix).
_MERGE_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref\s*=\s*"([A-Za-z]{1,3})([0-9]{1,7}):'
                         rb'([A-Za-z]{1,3})([0-9]{1,7})"')
_SHEET_DATA_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>")
#: The most merged ranges read from a sheet (Excel's own limit is far above what an export holds).
MAX_MERGED = 100_000
_MERGED_TAIL = 64 << 20  # the bytes after the rows that may hold the merged ranges

#: A merged range: first row, first column, last row, last column (rows 1-based, columns 0-based).
Merged = tuple[int, int, int, int]


def _merged_ranges(book: _Workbook, target: str) -> tuple[Merged, ...]:
    """The merged ranges of a worksheet, in the order the sheet lists them.  They follow the rows in the
    sheet's XML (``<mergeCells>`` after ``</sheetData>``), so they are found by a pass over its bytes before
    the rows are read: a search for the end of the rows, then the ranges in what follows."""
    stream = book.member(target)
    carry, after, rows_done = b"", bytearray(), False
    try:
        while chunk := stream.read(1 << 20):
            if rows_done:
                after += chunk
                if len(after) > _MERGED_TAIL:
                    break
                continue
            ended = _SHEET_DATA_END.search(carry + chunk)
            if ended is None:
                carry = chunk[-32:]
                continue
            rows_done = True
            after += (carry + chunk)[ended.end():]
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error):
        raise book.damaged("工作表无法解压", "the worksheet cannot be unpacked") from None
    found: list[Merged] = []
    for match in _MERGE_CELL.finditer(bytes(after)):
        first, last = column_index(match.group(1).decode()), column_index(match.group(3).decode())
        top, bottom = int(match.group(2)), int(match.group(4))
        if 0 <= first <= last < MAX_COLUMNS and 1 <= top <= bottom <= MAX_ROWS and (top, first) != (bottom, last):
            found.append((top, first, bottom, last))
            if len(found) >= MAX_MERGED:
                break
    return tuple(found)


def merged_text(merged: Merged) -> str:
    """A merged range as Excel names it.

    >>> merged_text((3, 1, 5, 1))
    'B3:B5'
    """
    top, first, bottom, last = merged
    return f"{column_letters(first)}{top}:{column_letters(last)}{bottom}"


def _fill_merged(rows: Iterator[_Row], merged: Sequence[Merged]) -> Iterator[_Row]:
    """``rows`` with each empty cell of a merged range given the value of the range's first cell (top left),
    as the sheet shows it; a cell that holds a value of its own keeps it."""
    ranges = sorted(merged)
    start = 0
    active: list[Merged] = []
    anchors: dict[Merged, str | int] = {}
    for number, cells in rows:
        while start < len(ranges) and ranges[start][0] <= number:
            active.append(ranges[start])
            start += 1
        if active:
            active = [item for item in active if item[2] >= number]
            for item in active:
                top, first, _, last = item
                if number == top and first in cells:
                    anchors[item] = cells[first]
                value = anchors.get(item)
                if value is not None:
                    for column in range(first, last + 1):
                        cells.setdefault(column, value)
        yield number, cells


def _text(value: str | int, strings: pa.ChunkedArray) -> str:
    if isinstance(value, int):
        return strings[value].as_py() if 0 <= value < len(strings) else ""
    return value


def _open_archive(opened: Opened) -> tuple[zipfile.ZipFile, list[Any]]:
    """The zip of ``opened``: the file itself, or a temporary copy (stdin, gzip)."""
    keep: list[Any] = []
    if opened.head.startswith(_OLE):
        raise source_error("source.encrypted", opened.path)
    if opened.path != "-" and opened.compression is None:
        source: BinaryIO | str = opened.path
    else:
        spool = tempfile.TemporaryFile()
        keep.append(spool)
        try:
            copied = 0
            while True:
                data = opened.stream.read(1 << 20)
                if not data:
                    break
                copied += len(data)
                if copied > MAX_SPOOL_BYTES:
                    raise source_error("source.zip_bomb", opened.path, member="-", size=copied, ratio="?")
                spool.write(data)
        except SourceError:
            raise
        except Exception as error:
            raise read_error(error, opened.path) from None
        spool.seek(0)
        source = spool
    try:
        return zipfile.ZipFile(source), keep
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        for item in keep:
            item.close()
        raise source_error("source.not_zip", opened.path) from None


def open_xlsx(opened: Opened, *, sheet: str | None = None, header_row: int | None = None,
              batch_rows: int = 65536, fill_merged: bool = False) -> tuple[Source, Iterator[TableChunk | RowProblem]]:
    """Read the first visible sheet of an XLSX workbook (or ``sheet``, by name) opened by
    :func:`~creditstd.sources.inputs.open_bytes`; the source names the sheet read (``sheet``), every sheet
    of the workbook (``sheets``) and the merged ranges that reach below the header (``merged``).  Only the
    first cell of a merged range holds its value; the others are empty, unless ``fill_merged``: then those of
    the ranges below the header are read as holding it (``merged_filled``), as the sheet shows them (a title
    or a header merged over cells is no value of the rows)."""
    if header_row is not None and header_row < 1:
        raise source_error("source.option", opened.path, zh="表头行号须不小于1",
                           en="the header row number must be 1 or more")
    archive, keep = _open_archive(opened)
    try:
        book = _Workbook(archive, opened.path)
        name, target, date1904, styles_part, strings_part, sheets, stale = _sheet_target(book, sheet)
        kinds = _styles(book, styles_part)
        strings = _shared_strings(book, strings_part)
        merged = _merged_ranges(book, target)
        rows = _rows(book, target, kinds, date1904, len(strings), stale)
        first: list[_Row] = []
        for row in rows:
            first.append(row)
            if (header_row is not None and row[0] >= header_row) or (header_row is None and len(first) >= _HEADER_ROWS):
                break
        texts = [_row_texts(cells, strings) for _, cells in first]
        if header_row is not None:
            index = next((i for i, (number, _) in enumerate(first) if number == header_row), None)
            if index is None:
                raise source_error("source.header_row", opened.path, header_row=header_row)
        else:
            index = find_header(texts)
            if index is None:  # the sheet named, so that an empty sheet is not taken for an empty file
                raise source_error("source.empty", opened.path, note_zh=f"的工作表“{name}”", note=f", sheet {name},")
        number, found = first[index]
        cells = texts[index]
        marked = {int(found[marker]) for marker in _UNREADABLE if marker in found}
        while cells and (not non_empty(cells[-1:]) or len(cells) - 1 in marked):  # a stray #REF! past the last
            cells = cells[:-1]
        unreadable = next((marker for marker in _UNREADABLE if marker in found and int(found[marker]) < len(cells)),
                          None)
        if unreadable is not None:  # a header cell with no text among the named: its column would be unnamed
            cell = f"{column_letters(int(found[unreadable]))}{number}"
            zh, en = _HEADER_REASONS[unreadable]
            raise source_error("source.header", opened.path, number, zh=f"单元格 {cell} {zh}，没有列名",
                               en=f"cell {cell} {en}: no column name")
        headers = unique_headers(cells)
        title = " ".join(cell.strip() for row in texts[:index] for cell in row if non_empty([cell])) or None
    except BaseException:
        archive.close()
        for item in keep:
            item.close()
        raise
    header = first[index][0]
    below = tuple(merged_text(item) for item in merged if item[2] > header)  # a title's is no data
    inside = [item for item in merged if item[0] > header]  # a header merged down is no value of its rows
    source = Source(opened.path, "xlsx", None, None, header, headers, title, name, opened.compression,
                    sheets=sheets, merged=below, merged_filled=bool(fill_merged and inside),
                    repeats=repeated_headers(cells))
    data = _chain(first[index + 1:], rows)
    if fill_merged and inside:
        data = _fill_merged(data, inside)

    def generate() -> Iterator[TableChunk | RowProblem]:
        try:
            yield from _chunks(source, data, strings, max(1, batch_rows))
        finally:
            archive.close()
            for item in keep:
                item.close()

    return source, generate()


def _chain(first: Sequence[_Row], rest: Iterator[_Row]) -> Iterator[_Row]:
    yield from first
    yield from rest


def _row_texts(cells: dict[int, str | int], strings: pa.ChunkedArray) -> list[str]:
    if not cells or max(cells) < 0:
        return []
    texts = [""] * (max(cells) + 1)
    for column, value in cells.items():
        if column >= 0:
            texts[column] = _text(value, strings)
    return texts


def _chunks(source: Source, rows: Iterator[_Row], strings: pa.ChunkedArray,
            batch_rows: int) -> Iterator[TableChunk | RowProblem]:
    width = len(source.headers)
    builder = _ChunkBuilder(source, strings)
    # per shared string, whether it is empty or white space only (a row of such cells is blank, as of inline ones)
    blank_strings = (np.asarray(pc.or_(pc.utf8_is_space(strings), pc.equal(pc.utf8_length(strings), 0))
                                .to_numpy(zero_copy_only=False), bool) if len(strings) else np.zeros(0, bool))
    ordinal = 0
    problems: list[RowProblem] = []
    for number, cells in rows:
        if len(problems) >= _HELD_PROBLEMS:  # a sheet of ragged rows is not held whole
            if builder.lines:
                yield builder.chunk()
            yield from problems
            problems = []
        if all(column >= 0 and (blank_strings[value] if isinstance(value, int) else value.isspace())
               for column, value in cells.items()):
            builder.blank += 1
            continue
        ordinal += 1
        unreadable = next((marker for marker in _UNREADABLE if marker in cells), None)
        if unreadable is not None:  # a cell with no value the row can be read with: the cell named
            column = int(cells.pop(unreadable))
            for marker in _UNREADABLE:
                cells.pop(marker, None)
            texts = _row_texts(cells, strings)
            where = {"cell": f"{column_letters(column)}{number}"}
            fields = ({"count": len(strings)} if unreadable == _MISSING_STRING
                      else {"value": _text(cells[column], strings)} if unreadable == _ERROR_VALUE else {})
            problems.append(row_problem(_UNREADABLE[unreadable], source.path, number, raw="\t".join(texts),
                                        row_cells=texts, record=ordinal, **where, **fields))
            continue
        if cells and max(cells) >= width:
            texts = _row_texts(cells, strings)
            if non_empty(texts[width:]):
                problems.append(row_problem("source.ragged_row", source.path, number, raw="\t".join(texts),
                                            record=ordinal, cells=len(texts), expected=width, row_cells=texts))
                continue
        builder.add(number, ordinal, cells)
        if len(builder.lines) >= batch_rows or builder.size >= CHUNK_BYTES:
            yield from problems
            problems = []
            yield builder.chunk()
    yield from problems
    if builder.lines or builder.blank:
        yield builder.chunk()


class _ChunkBuilder:
    """Rows of a sheet gathered into a chunk.

    Texts are kept row by row for at most :data:`_PIECE_ROWS` rows, then turned into Arrow arrays (Python
    strings cost several times their text), the shared strings looked up per column with ``take``.
    """

    def __init__(self, source: Source, strings: pa.ChunkedArray) -> None:
        self.source, self.strings = source, strings
        self.width = len(source.headers)
        self._empty = [""] * self.width
        self._pieces: list[pa.RecordBatch] = []
        #: Bytes of the rows turned into Arrow arrays so far.
        self.size = 0
        self.lines: list[int] = []
        self.records: list[int] = []
        self.blank = 0
        self._start()

    def _start(self) -> None:
        self.table: list[list[str]] = []
        self.shared_rows: list[list[int]] = [[] for _ in range(self.width)]
        self.shared_ids: list[list[int]] = [[] for _ in range(self.width)]

    def add(self, number: int, ordinal: int, cells: dict[int, str | int]) -> None:
        values = self._empty.copy()
        position = len(self.table)
        width = self.width
        for column, value in cells.items():
            if column < width:
                if isinstance(value, int):
                    self.shared_rows[column].append(position)
                    self.shared_ids[column].append(value)
                else:
                    values[column] = value
        self.table.append(values)
        self.lines.append(number)
        self.records.append(ordinal)
        if len(self.table) >= _PIECE_ROWS:
            self._flush()

    def _flush(self) -> None:
        headers = list(self.source.headers)
        count = len(self.table)
        columns = []
        for index, values in enumerate(zip(*self.table, strict=True) if self.table else [() for _ in headers]):
            column = pa.array(values, pa.string())
            if self.shared_rows[index]:
                mask = np.zeros(count, bool)
                mask[self.shared_rows[index]] = True
                taken = self.strings.take(pa.array(self.shared_ids[index], pa.int64())).combine_chunks()
                taken = taken.cast(pa.string())
                column = pc.replace_with_mask(column, pa.array(mask), taken)
            columns.append(column)
        self._pieces.append(pa.RecordBatch.from_arrays(columns, names=headers))
        self.size += self._pieces[-1].nbytes
        self._start()

    def chunk(self) -> TableChunk:
        if self.table or not self._pieces:
            self._flush()
        batch = self._pieces[0] if len(self._pieces) == 1 else pa.concat_batches(self._pieces)
        chunk = TableChunk(batch, np.array(self.lines, np.int64), np.array(self.records, np.int64), self.blank)
        self._pieces, self.lines, self.records, self.blank, self.size = [], [], [], 0, 0
        return chunk
