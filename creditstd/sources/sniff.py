"""Pure detection over the first bytes of a file: format, encoding, delimiter, title rows, header names.

Nothing here reads a file; every function takes the sample a reader already holds, so each can be
tested on a literal.

>>> detect_encoding('处罚'.encode('gbk') + b',a\\n', complete=True)
('gb18030', 0)
>>> detect_encoding(b'\\xef\\xbb\\xbfa,b\\n', complete=True)
('utf-8-sig', 3)
>>> sniff_delimiter('名称;代码\\n"a;b";1\\n')
';'
>>> rows = scan_records('2024年第一季度行政处罚信息,,\\n名称,代码,\\n甲,1,\\n', ',')
>>> [(row.line, row.cells) for row in rows]
[(1, ['2024年第一季度行政处罚信息', '', '']), (2, ['名称', '代码', '']), (3, ['甲', '1', ''])]
>>> find_header([row.cells for row in rows])
1
>>> unique_headers(['\\ufeff名称 ', '名称', '', '名称_2'])
('名称', '名称_2', 'column_3', '名称_2_2')
>>> sniff_format('export.csv.gz', b''), sniff_format('-', b'PK\\x03\\x04'), sniff_format('x', b' {"a": 1}')
('csv', 'xlsx', 'jsonl')
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = ["DELIMITERS", "ScannedRecord", "canonical_encoding", "count_line_breaks", "detect_encoding",
           "ends_inside_quote", "find_header", "looks_like_data", "non_empty", "repeated_headers", "scan_records",
           "sniff_delimiter", "sniff_format", "unique_headers", "utf8_or_gb18030"]

#: Candidate delimiters, in the order that wins a tie.
DELIMITERS = (",", "\t", ";", "|")
#: Byte-order marks, longest first: they decide the encoding whatever the caller says.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32", 4), (codecs.BOM_UTF32_BE, "utf-32", 4), (codecs.BOM_UTF8, "utf-8-sig", 3),
         (codecs.BOM_UTF16_LE, "utf-16", 2), (codecs.BOM_UTF16_BE, "utf-16", 2))
#: Names decoded as GB 18030, the superset of GB 2312 and GBK (a GBK file is a GB 18030 file).
_GB = frozenset({"gb2312", "gbk", "cp936", "ms936", "gb18030", "euc_cn", "euccn", "936"})
_NOT_TEXT = frozenset({"undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape", "utf-7"})
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_HEADER_SCAN = 20  # records looked at when looking for the header below title rows
_ASCII = bytes(range(128))


def canonical_encoding(name: str) -> str | None:
    """The codec name for an encoding a caller gives, ``gb18030`` for every GB name, or None if not a text codec.

    >>> canonical_encoding('GBK'), canonical_encoding('UTF8'), canonical_encoding('base64'), canonical_encoding('x')
    ('gb18030', 'utf-8', None, None)
    """
    try:
        codec = codecs.lookup(name)
    except (LookupError, UnicodeError, ValueError, TypeError):
        return None
    if not getattr(codec, "_is_text_encoding", True) or codec.name in _NOT_TEXT:
        return None
    return "gb18030" if codec.name.replace("-", "_") in _GB else codec.name


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when the sample looks like UTF-16 text without a byte-order mark."""
    head = sample[:4096]
    pairs = len(head) // 2
    if pairs < 2:
        return None
    odd_zero = head[1::2].count(0)
    even_zero = head[0::2].count(0)
    if odd_zero > pairs * 0.3 and even_zero < pairs * 0.05:
        return "utf-16-le"
    if even_zero > pairs * 0.3 and odd_zero < pairs * 0.05:
        return "utf-16-be"
    return None


def detect_encoding(sample: bytes, *, complete: bool, forced: str | None = None) -> tuple[str, int]:
    """``(codec name, length of the byte-order mark)`` for a text file starting with ``sample``.

    A byte-order mark decides, whatever ``forced`` says (Excel's "Unicode text" is UTF-16 with one).
    Then ``forced`` (already checked with :func:`canonical_encoding`), then UTF-16 without a mark (NUL
    bytes in every other place), then UTF-8 or GB 18030 as :func:`utf8_or_gb18030` tells (UTF-8 if the
    sample decodes as UTF-8, or is UTF-8 with a damaged byte; a pure ASCII sample gives ``utf-8``).

    >>> detect_encoding('甲'.encode('utf-8')[:2], complete=False), detect_encoding(b'\\xd6', complete=True)
    (('utf-8', 0), ('gb18030', 0))
    >>> detect_encoding('a,b'.encode('utf-16-le'), complete=True)
    ('utf-16-le', 0)
    """
    for bom, name, size in _BOMS:
        if sample.startswith(bom):
            return name, size
    if forced:
        return forced, 0
    utf16 = _utf16_without_bom(sample)
    if utf16:
        return utf16, 0
    return utf8_or_gb18030(sample, complete=complete), 0


def _errors_and_characters(sample: bytes, codec: str, *, complete: bool) -> tuple[int, int]:
    """How many undecodable sequences ``sample`` holds in ``codec``, and how many non-ASCII characters decode
    (a count that holds for UTF-8, where an ASCII byte is always a character of its own).

    A replacement character the sample itself holds is not an error.
    """
    text = codecs.getincrementaldecoder(codec)("replace").decode(sample, complete)
    errors = text.count("\ufffd") - sample.count("\ufffd".encode(codec))
    ascii_bytes = len(sample) - len(sample.translate(None, _ASCII))
    return errors, len(text) - ascii_bytes - errors


def utf8_or_gb18030(sample: bytes, *, complete: bool) -> str:
    """``utf-8`` or ``gb18030`` for ``sample``, bytes without a byte-order mark (a character cut at the end
    is fine unless ``complete``: the sample is the whole file).

    UTF-8 if the sample decodes as UTF-8 (pure ASCII included: the caller decides whether that settles
    it).  Else it is GB 18030 text or UTF-8 with damaged bytes: UTF-8 when its multi-byte UTF-8 characters
    outnumber its bad sequences four to one (GBK text makes valid UTF-8 only by chance, a character here
    and there between many bad sequences), else the encoding in which fewer sequences are bad (a tie: UTF-8
    if some multi-byte UTF-8 character decodes, else GB 18030).  A damaged byte is then reported at its
    line in the encoding of the rest of the file, not as the first line the other encoding cannot read.

    >>> good = '甲公司,违反规定\\n'.encode() * 20
    >>> utf8_or_gb18030(good + b'\\xff\\n' + good, complete=True)
    'utf-8'
    >>> utf8_or_gb18030('甲公司,违反规定\\n'.encode('gbk') * 20 + b'\\xff\\n', complete=True)
    'gb18030'
    >>> utf8_or_gb18030(b'\\xd6', complete=True), utf8_or_gb18030('甲'.encode()[:2], complete=False)
    ('gb18030', 'utf-8')
    """
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, complete)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    utf8_errors, utf8_characters = _errors_and_characters(sample, "utf-8", complete=complete)
    if utf8_characters >= 4 * utf8_errors:
        return "utf-8"
    gb_errors, _ = _errors_and_characters(sample, "gb18030", complete=complete)
    if gb_errors != utf8_errors:
        return "gb18030" if gb_errors < utf8_errors else "utf-8"
    return "utf-8" if utf8_characters else "gb18030"


def _lines(text: str) -> list[str]:
    """``text`` cut into lines that keep their ends (``\\r\\n``, ``\\n`` or ``\\r``)."""
    return _LINE.findall(text)


@dataclass(frozen=True)
class ScannedRecord:
    """A record of the sample: its cells, its first physical line, and where it ends (character offset, lines)."""

    cells: list[str]
    line: int
    end: int
    end_line: int


def scan_records(text: str, delimiter: str, *, limit: int = 200) -> list[ScannedRecord]:
    """The first ``limit`` complete records of ``text``, parsed as CSV (quotes, doubled quotes, newlines in quotes).

    A record cut off by the end of ``text`` (an open quote) is left out; a blank line is a record with
    no cells.  Lines end at ``\\n``, ``\\r\\n`` or ``\\r``.

    >>> [(row.cells, row.line, row.end_line) for row in scan_records('a,"b\\nc"\\r\\n\\nd,"e', ',')]
    [(['a', 'b\\nc'], 1, 2), ([], 3, 3)]
    """
    lines = _lines(text)
    ends = [0]
    for line in lines:
        ends.append(ends[-1] + len(line))
    reader = csv.reader(iter(lines), delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    records: list[ScannedRecord] = []
    consumed = 0
    try:
        for cells in reader:
            if reader.line_num == len(lines) and _open_quote_at_end(lines, consumed, delimiter):
                break
            records.append(ScannedRecord(cells, consumed + 1, ends[reader.line_num], reader.line_num))
            consumed = reader.line_num
            if len(records) >= limit:
                break
    except csv.Error:  # a field over the csv module's limit, a NUL: keep what was read before it
        pass
    return records


def _open_quote_at_end(lines: list[str], consumed: int, delimiter: str) -> bool:
    return ends_inside_quote("".join(lines[consumed:]), delimiter)


def ends_inside_quote(record: str, delimiter: str, quote: str = '"') -> bool:
    """Whether the text of one record ends inside a quoted field (a quote is never closed).

    A quote opens a quoted field only at the start of a field, as Arrow's CSV parser reads it; inside a
    quoted field a doubled quote is a literal quote.

    >>> ends_inside_quote('1,"a""b",c', ','), ends_inside_quote('1,"a\\nb', ','), ends_inside_quote('5" tv,"x"', ',')
    (False, True, False)
    """
    position, size, start = 0, len(record), True
    while position < size:
        if start and record[position] == quote:
            while True:
                close = record.find(quote, position + 1)
                if close < 0:
                    return True
                if close + 1 < size and record[close + 1] == quote:
                    position = close + 1
                    continue
                position = close + 1
                break
            start = False
            continue
        ends = [found for found in (record.find(delimiter, position), record.find("\n", position),
                                    record.find("\r", position)) if found >= 0]
        if not ends:
            return False
        position, start = min(ends) + 1, True
    return False


def sniff_delimiter(text: str, candidates: Sequence[str] = DELIMITERS) -> str:
    """The delimiter of the CSV ``text``: the candidate that splits most records into the same number (> 1) of cells.

    Delimiters inside quotes do not count.  Ties go to the earlier candidate; text no candidate splits is
    one column (``,``).

    >>> sniff_delimiter('a\\tb\\tc\\n1\\t"2,3"\\t4\\n'), sniff_delimiter('only\\none\\n')
    ('\\t', ',')
    >>> sniff_delimiter('标题\\na|b\\n1|2\\n')
    '|'

    """
    best, best_score = candidates[0], (0, 0)
    for candidate in candidates:
        counts = [len(record.cells) for record in scan_records(text, candidate, limit=100) if record.cells]
        if not counts:
            continue
        mode = max(set(counts), key=lambda width: (counts.count(width), width))
        if mode < 2:
            continue
        score = (counts.count(mode), mode)
        if score > best_score:
            best, best_score = candidate, score
    return best


def non_empty(cells: Sequence[str | None]) -> int:
    """How many cells hold something other than white space.

    >>> non_empty(['a', ' ', '', None, '0'])
    2
    """
    return sum(1 for cell in cells if cell and not cell.isspace())


def filled_width(cells: Sequence[str | None]) -> int:
    """How many cells a row has up to its last non-empty one: the empty cells Excel pads every row with to
    the sheet's used range (``张三,11010519491231002X,,,,,``) do not count.

    >>> filled_width(['a', '', 'b', '', ' ']), filled_width(['', None])
    (3, 0)
    """
    for width in range(len(cells), 0, -1):
        cell = cells[width - 1]
        if cell and not cell.isspace():
            return width
    return 0


def find_header(rows: Sequence[Sequence[str | None]]) -> int | None:
    """The 0-based index of the header among the first rows: below blank rows and title rows.

    A row is a title when it has fewer than half as many non-empty cells as the rows below it usually have
    cells (the most common width of the next ten non-blank rows, but no more than the widest of them holds
    text: :func:`filled_width`), or one non-empty cell above rows of two or more; never when a cell is a valid
    citizen ID number (a person's record is no title).
    None when every row is blank.

    >>> find_header([['标题', '', ''], ['填报单位：某局'], ['名称', '代码', '日期'], ['甲', '', ''], ['乙', '1', '']])
    2
    >>> find_header([['代码'], ['1'], ['2']]), find_header([['a', 'b'], ['1', '2', '3', '4', '5'], ['1', '2']])
    (0, 0)
    >>> find_header([[''], []])

    Rows padded with empty cells are as wide as their last filled cell, so a padded header over narrower
    records is the header:

    >>> find_header([['姓名', '身份证号', '备注', '', '', ''], ['张三', '11010519491231002X', '', '', '', '']])
    0
    """
    from creditstd.codes import ric

    rows = list(rows[:_HEADER_SCAN])
    counts = [non_empty(row) for row in rows]
    for index, count in enumerate(counts):
        if count == 0:
            continue
        below = [row for row, filled in zip(rows[index + 1:], counts[index + 1:], strict=True) if filled][:10]
        if below and not any(cell and ric.is_valid(cell.strip()) for cell in rows[index]):
            widths = [len(row) for row in below]
            usual = min(max(set(widths), key=lambda width: (widths.count(width), -width)),
                        max(map(filled_width, below)))
            if count * 2 < usual or (count <= 1 < usual):
                continue
        return index
    return None


#: A date as exports write one (2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305).
_DATE_CELL = re.compile(r"(?:1[89]|20)\d\d(?:[-./年]\d{1,2}[-./月]\d{1,2}日?|(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))")


def looks_like_data(cells: Sequence[str | None]) -> bool:
    """Whether a row taken as the header is rather a record (a file with no header row): some cell is a valid
    USCC or citizen ID number, or a date.  Its cells may then be a person's name and number.

    >>> looks_like_data(['纳税人名称', '纳税人识别号', '评价年度']), looks_like_data(['赵建华', '431025198812090676'])
    (False, True)
    >>> looks_like_data(['甲公司', '2024年3月5日'])
    True
    """
    from creditstd.codes import ric, uscc

    for cell in cells:
        text = (cell or "").strip()
        if text and (_DATE_CELL.fullmatch(text) or uscc.is_valid(text) or ric.is_valid(text)):
            return True
    return False


def unique_headers(cells: Sequence[str | None]) -> tuple[str, ...]:
    """Column names from header cells: byte-order mark and surrounding white space removed, empty ones named
    ``column_N`` (1-based position), repeated ones suffixed ``_2``, ``_3``...

    >>> unique_headers(['a', 'a', ' a ', None])
    ('a', 'a_2', 'a_3', 'column_4')
    """
    return tuple(name for name, _ in _named_headers(cells))


def repeated_headers(cells: Sequence[str | None]) -> dict[str, str]:
    """The names :func:`unique_headers` gave repeated header cells -> the name they repeat (a second ``CF_WSH``
    is ``CF_WSH_2``, which names what ``CF_WSH`` names; a cell written ``CF_WSH_2`` is no repeat).

    >>> repeated_headers(['a', 'a_2', 'a', None, None])
    {'a_3': 'a'}
    """
    return {name: repeated for name, repeated in _named_headers(cells) if repeated is not None}


def _named_headers(cells: Sequence[str | None]) -> Iterator[tuple[str, str | None]]:
    """Each header cell's column name, and the name it repeats (None for a first one or an empty cell)."""
    seen: set[str] = set()
    for position, cell in enumerate(cells, 1):
        written = (cell or "").replace("\ufeff", "").strip()
        name = written or f"column_{position}"
        repeated = None
        if name in seen:
            suffix = 2
            while f"{name}_{suffix}" in seen:
                suffix += 1
            name, repeated = f"{name}_{suffix}", written or None
        seen.add(name)
        yield name, repeated


def count_line_breaks(text: str) -> int:
    """Line breaks in ``text``: ``\\n`` and ``\\r\\n`` count once, a lone ``\\r`` once.

    >>> count_line_breaks('a\\r\\nb\\nc\\rd')
    3
    """
    return text.count("\n") + text.count("\r") - text.count("\r\n")


_EXTENSIONS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".jsonl": "jsonl",
               ".ndjson": "jsonl", ".jsonlines": "jsonl"}


def sniff_format(name: str, head: bytes) -> str | None:
    """The format of a file from its first bytes where they are a workbook's (a zip is XLSX, an OLE2 file the old
    binary ``.xls``, whatever the name: a workbook saved as ``导出.csv``), else from its name (a ``.gz`` ending
    looked through), else from its first bytes again.

    JSON Lines is known by its content too: a ``.csv`` or ``.tsv`` whose first line opens a JSON object (``{"``)
    is JSON Lines.

    XML (a ``.xml`` name, an XML declaration, or a first line that opens markup and holds no comma or tab in
    a file no extension names) is ``xml``,
    which no table reader takes: it is converted through a mapping.

    Returns ``csv``, ``tsv``, ``xlsx``, ``jsonl``, ``xml``, ``xls`` (the old binary format, which no reader
    takes; also a web page or XML named ``.xls``) or None when the content decides (``.txt``, no extension: CSV or
    TSV by delimiter; a ``.xls`` that is text, as systems that export tab-separated text under that name write it).

    >>> ole2 = b'\\xd0\\xcf\\x11\\xe0\\xa1\\xb1\\x1a\\xe1'
    >>> sniff_format('a.TSV', b''), sniff_format('a.txt', b'a,b'), sniff_format('a.csv', ole2)
    ('tsv', None, 'xls')
    >>> zipped = b'PK\\x03\\x04'
    >>> sniff_format('导出.csv', zipped), sniff_format('a.xls', zipped), sniff_format('a.xls', b'a\\tb')
    ('xlsx', 'xlsx', None)
    >>> sniff_format('导出.xls', b'<html><table>'), sniff_format('导出.xls', b'<?xml version="1.0"?><Workbook')
    ('xls', 'xls')
    >>> sniff_format('feed.csv', b'{"CF_WSH": "1"}'), sniff_format('a.csv', b'{a},b')
    ('jsonl', 'csv')
    >>> sniff_format('export.xml', b''), sniff_format('export', b'<Records>'), sniff_format('a.csv', b'<?xml ?>')
    ('xml', 'xml', 'xml')
    >>> sniff_format('export.txt', '<序号>,CF_WSH'.encode()), sniff_format('export', b'<1>')
    (None, None)
    """
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    if (head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and not lower.endswith((".xlsx", ".xlsm"))) \
            or (lower.endswith(".xls") and (not head or head.lstrip(b" \t\r\n\xef\xbb\xbf").startswith(b"<"))):
        return "xls"  # not an OLE2 file named .xlsx (an encrypted workbook); a web page or XML named .xls
    stripped = head.lstrip(b" \t\r\n")
    if stripped.startswith(codecs.BOM_UTF8):
        stripped = stripped[3:].lstrip(b" \t\r\n")
    if lower.endswith(".xml") or stripped.startswith(b"<?xml"):
        return "xml"
    for extension, kind in _EXTENSIONS.items():
        if lower.endswith(extension):
            # JSON Lines saved as .csv: a header row never opens with an object's first key
            return "jsonl" if kind in ("csv", "tsv") and _OBJECT_START.match(stripped) else kind
    if stripped.startswith(b"{"):
        return "jsonl"
    if _MARKUP_START.match(stripped):
        return "xml"
    return None


#: The start of an XML document without a declaration: an element, comment or processing instruction whose first
#: line holds no comma or tab (``<序号>,CF_WSH`` is a CSV header that starts with ``<``).
_MARKUP_START = re.compile(rb"<[A-Za-z_!?\x80-\xff][^\n,\t]*(?:\n|$)")


#: The start of a JSON object with a key: ``{"`` (white space allowed between).
_OBJECT_START = re.compile(rb'\{[ \t\r\n]*"')
