"""A file's bytes as a stream of UTF-8, whatever its encoding, for Arrow's CSV parser.

:class:`Utf8Stream` is a read-only binary stream: Arrow's CSV reader pulls blocks from it (in its own
read-ahead thread, so decoding runs beside the parsing), and each block is, on the way:

* UTF-8 files: handed over as read, without a copy; Arrow checks the UTF-8 itself while converting
  cells, and if it finds a bad byte, :meth:`Utf8Stream.locate_invalid_utf8` finds its line in the
  blocks kept since the last row delivered;
* other encodings: decoded and encoded as UTF-8;
* checked for NUL bytes, and counted in lines (an undecodable byte or a NUL is reported at its line);
* kept while Arrow may still need them, so that the reader can look at the text of the file's last row.

GB 2312, GBK and GB 18030 are decoded as GB 18030.  Most blocks are GBK: they go through the C
library's ``iconv`` (which runs without Python's global lock, beside the parser) or Python's fast
``gbk`` codec, both of which decode every double-byte sequence exactly as Python's ``gb18030`` does
or refuse it; ``iconv`` is used only after a check that it agrees with Python on every double-byte
sequence.  A block they refuse (a four-byte GB 18030 character, a bad byte) is decoded with
``gb18030``, which either knows the character or raises the error that is reported.  GB blocks are
cut after a line feed, which in these encodings never occurs inside a character.

>>> import io
>>> stream = Utf8Stream(io.BytesIO('名称,代码\\n甲,1\\n'.encode('gbk')), encoding='gb18030', path='a.csv',
...                     first_line=2, skip=len('名称,代码\\n'.encode()))
>>> stream.read(100).decode(), stream.last_line
('甲,1\\n', 3)
>>> Utf8Stream(io.BytesIO(b'a\\nb\\x00\\n'), encoding='utf-8', path='a.csv', first_line=1).read(100)
Traceback (most recent call last):
...
creditstd.sources.model.SourceError: source.nul_byte: ...
"""

from __future__ import annotations

import codecs
import ctypes
import ctypes.util
import functools
import io
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, BinaryIO

import numpy as np

from creditstd.sources.inputs import read_error
from creditstd.sources.model import SourceError, source_error

__all__ = ["MAX_LINE", "READ_BYTES", "USE_ICONV", "Utf8Stream", "iconv_gbk"]

#: Raw bytes read from the file at a time (Arrow asks for blocks of this size too).
READ_BYTES = 1 << 20
#: The longest physical line taken in a GB file (a line with no line feed for this long is refused).
MAX_LINE = 64 << 20
PASSTHROUGH = frozenset({"utf-8", "utf-8-sig"})
#: Whether GB blocks may go through the C library's ``iconv`` (after its agreement check); else Python decodes.
USE_ICONV = True


def _count_line_feeds(data: bytes) -> int:
    """How many line feeds ``data`` holds: NumPy for a block (four times faster than ``bytes.count``, and it
    lets go of the global lock, so the checking thread runs meanwhile), ``bytes.count`` for a short piece.

    >>> _count_line_feeds(b'a\\nb\\n' * 40_000), _count_line_feeds(b'a\\nb')
    (80000, 1)
    """
    if len(data) < 1 << 16:
        return data.count(b"\n")
    return int(np.count_nonzero(np.frombuffer(data, np.uint8) == 10))


class _Iconv:
    """GBK -> UTF-8 with the C library's ``iconv``, called through ctypes (which releases the GIL)."""

    def __init__(self, library: Any, refused: tuple[bytes, ...] = ()) -> None:
        self._library = library
        #: Single bytes iconv decodes but Python refuses (glibc reads a lone 0x80 as the euro sign, as
        #: Windows code page 936 does): a block holding one is left to Python.
        self._refused = refused
        self._handle = library.iconv_open(b"UTF-8", b"GBK")
        if self._handle in (None, ctypes.c_void_p(-1).value, 2**64 - 1, 2**32 - 1):
            raise OSError("iconv_open failed")
        self._buffer = ctypes.create_string_buffer(1 << 16)
        self._lock = threading.Lock()

    def convert(self, data: bytes) -> bytes | None:
        """``data`` (GBK) as UTF-8, or None if iconv refuses any of it (or it holds a byte Python refuses)."""
        if any(byte in data for byte in self._refused):
            return None
        with self._lock:
            size = len(data) * 2 + 16  # a GBK byte never becomes more than two UTF-8 bytes
            if len(self._buffer) < size:
                self._buffer = ctypes.create_string_buffer(size)
            source = ctypes.c_char_p(data)
            left = ctypes.c_size_t(len(data))
            target = ctypes.c_char_p(ctypes.addressof(self._buffer))
            room = ctypes.c_size_t(size)
            self._library.iconv(self._handle, None, None, None, None)  # reset the shift state
            result = self._library.iconv(self._handle, ctypes.byref(source), ctypes.byref(left), ctypes.byref(target),
                                         ctypes.byref(room))
            if result == ctypes.c_size_t(-1).value or left.value:
                return None
            return ctypes.string_at(self._buffer, size - room.value)

    def close(self) -> None:
        if self._handle is not None:
            self._library.iconv_close(self._handle)
            self._handle = None

    def __del__(self) -> None:
        self.close()


def _load_iconv() -> Any:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    library = ctypes.CDLL(name, use_errno=True)
    library.iconv_open.restype = ctypes.c_void_p
    library.iconv_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    library.iconv.restype = ctypes.c_size_t
    library.iconv.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t),
                              ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t)]
    library.iconv_close.argtypes = [ctypes.c_void_p]
    return library


@functools.cache
def _agreeing_iconv_library() -> tuple[Any, tuple[bytes, ...]] | None:
    """The C library and the single bytes to keep from it, if its ``iconv`` GBK decodes every double-byte
    sequence exactly as Python's ``gbk`` does and refuses every one Python refuses."""
    try:
        library = _load_iconv()
        if library is None:
            return None
        converter = _Iconv(library)
    except (OSError, AttributeError):
        return None
    try:
        valid, invalid = [], []
        for lead in range(0x81, 0xFF):
            for trail in (*range(0x40, 0xFF), 0x0A, 0x20, 0x30, 0x39, 0xFF):
                pair = bytes((lead, trail))
                try:
                    pair.decode("gbk")
                except UnicodeDecodeError:
                    invalid.append(pair)
                else:
                    valid.append(pair)
        joined = b"\n".join(valid)
        if converter.convert(joined) != joined.decode("gbk").encode("utf-8"):
            return None
        if any(converter.convert(pair) is not None for pair in (*invalid, b"\x81\x30\x81\x30")):
            return None
        refused = tuple(bytes((byte,)) for byte in range(0x80, 0x100) if converter.convert(bytes((byte,))) is not None)
        if any(converter.convert(byte + b"\x40") is None for byte in refused):  # only lone bytes differ
            return None
        return library, refused
    finally:
        converter.close()


def iconv_gbk() -> _Iconv | None:
    """A GBK -> UTF-8 converter using the C library's ``iconv``, or None where it is absent or disagrees with Python.

    >>> converter = iconv_gbk()
    >>> converter is None or converter.convert('甲乙'.encode('gbk')) == '甲乙'.encode()
    True
    """
    found = _agreeing_iconv_library()
    return _Iconv(*found) if found is not None else None


#: GB blocks decoded at once: one by the reading thread's caller, the rest by worker threads.
_DECODE_AHEAD = 3
_local = threading.local()


def _thread_iconv() -> _Iconv | None:
    """This thread's ``iconv`` converter, made on its first use (None where ``iconv`` cannot be used)."""
    converter: _Iconv | None
    try:
        converter = _local.iconv
    except AttributeError:
        converter = _local.iconv = iconv_gbk()
    return converter


def _convert_gb(segment: bytes) -> tuple[bytes, int | None]:
    """A GB segment (whole lines) as UTF-8, or the position of its first byte GB 18030 cannot decode.

    Runs in a worker thread: ``iconv`` releases the global lock, so two blocks decode at once.
    """
    if segment.isascii():
        return segment, None
    converter = _thread_iconv() if USE_ICONV else None
    if converter is not None:
        converted = converter.convert(segment)
        if converted is not None:
            return converted, None
    try:
        text = segment.decode("gbk")
    except UnicodeDecodeError:
        try:
            text = segment.decode("gb18030")
        except UnicodeDecodeError as error:
            return b"", error.start
    return text.encode("utf-8"), None


class Utf8Stream(io.RawIOBase):
    """Read ``raw`` (a file's bytes in ``encoding``) as UTF-8, starting ``skip`` UTF-8 bytes in.

    ``first_line`` is the line the first byte after ``skip`` is on.  ``head``: bytes already read from
    ``raw`` (the sample the caller looked at), read again first.  ``bom`` bytes at the very start are
    dropped (UTF-8 with a byte-order mark; the codecs of other encodings drop their own).
    Raises :class:`~creditstd.sources.model.SourceError` from ``read``: ``source.decode``,
    ``source.nul_byte``, ``source.gzip``, ``source.unreadable``, ``source.row_too_long``.
    UTF-8 itself is not checked here (:attr:`checks_utf8` is False): the reader lets Arrow check it.
    """

    def __init__(self, raw: BinaryIO, *, encoding: str, path: str, first_line: int, skip: int = 0, bom: int = 0,
                 head: bytes = b"", read_bytes: int | None = None) -> None:
        super().__init__()
        self._raw = raw
        self._head = head
        #: The line the first byte after ``skip`` is on.
        self.first_line = first_line
        self.encoding = encoding
        self.path = path
        self._read_bytes = read_bytes or READ_BYTES
        self._skip = skip
        self._bom = bom if encoding in PASSTHROUGH else 0
        self._carry = b""
        #: Bytes of the file read so far, and where the bytes :meth:`_read_raw` returned last start (0-based).
        self._file_offset = 0
        self._data_offset = 0
        #: Where the carried bytes of a GB file (the next segment) start in the file.
        self._carry_offset = 0
        self._eof = False
        self._out: deque[bytes] = deque()
        self._passthrough = encoding in PASSTHROUGH
        #: Whether what is handed out is valid UTF-8 by construction (decoded here), else Arrow must check.
        self.checks_utf8 = not self._passthrough
        self._decoder = (None if self._passthrough or encoding == "gb18030"
                         else codecs.getincrementaldecoder(encoding)("strict"))
        self._gb = encoding == "gb18030"
        self._pending: deque[tuple[bytes, int, int, Future[tuple[bytes, int | None]]]] = deque()
        self._pool: ThreadPoolExecutor | None = None
        self._raw_line = first_line
        self._produced_line = first_line
        #: Whether a quote character has been handed out (no quote: no cell can hold a line break).
        self.quotes_seen = False
        #: Blocks handed out that rows not yet delivered may come from, with the line each starts on and,
        #: for UTF-8 handed over as read, where it starts in the file (else None).
        self._kept: deque[tuple[int, bytes, int | None]] = deque()
        self._lock = threading.Lock()

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        super().close()

    # -- producing blocks -------------------------------------------------------------------------------
    def _read_raw(self) -> bytes:
        if self._head:
            data, self._head = self._head, b""
        else:
            try:
                data = self._raw.read(self._read_bytes)
            except Exception as error:  # gzip damage, an I/O error
                raise read_error(error, self.path, self._produced_line) from None
        data = data or b""
        self._data_offset = self._file_offset
        self._file_offset += len(data)
        if self._bom:
            self._data_offset += self._bom
            data, self._bom = data[self._bom:], 0  # the head of the file always holds the whole mark
        return data

    def _next_gb_raw(self) -> tuple[bytes, int, int] | None:
        """The next run of whole lines of a GB file, undecoded, its line feeds and where it starts in the
        file; None at the end."""
        while True:
            if self._eof:
                return None
            data = self._read_raw()
            start = self._carry_offset
            if not data:
                self._eof = True
                segment, self._carry = self._carry, b""
                return (segment, segment.count(b"\n"), start) if segment else None
            data = self._carry + data if self._carry else data
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                self._carry = data
                if len(data) > MAX_LINE:
                    raise source_error("source.row_too_long", self.path, self._raw_line, limit=MAX_LINE)
                continue
            segment, self._carry = (data, b"") if cut == len(data) else (data[:cut], data[cut:])
            self._carry_offset = start + cut
            feeds = _count_line_feeds(segment)
            self._raw_line += feeds
            return segment, feeds, start

    def _next_segment(self) -> tuple[bytes, int | None, int | None] | None:
        """The next piece of the file as UTF-8, its line feeds (None: not counted yet) and where it starts in
        the file (UTF-8 handed over as read; else None), or None at the end."""
        if self._gb:
            while len(self._pending) < _DECODE_AHEAD:
                raw = self._next_gb_raw()
                if raw is None:
                    break
                segment, feeds, start = raw
                self._pending.append((segment, feeds, start, self._workers().submit(_convert_gb, segment)))
            if not self._pending:
                return None
            segment, feeds, start, future = self._pending.popleft()
            converted, bad = future.result()
            if bad is not None:
                raise self._decode_error(segment, bad, start)
            return converted, feeds, None
        if self._eof:
            return None
        data = self._read_raw()
        if not data:
            self._eof = True
            if self._decoder is not None:
                tail = self._decode_generic(b"", final=True)
                return (tail, None, None) if tail else None
            return None
        if self._passthrough:
            return data, None, self._data_offset
        return self._decode_generic(data, final=False), None, None

    def _workers(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=_DECODE_AHEAD - 1, thread_name_prefix="creditstd-gb")
        return self._pool

    def _decode_error(self, segment: bytes, bad: int, start: int) -> SourceError:
        """The error for the byte at ``bad`` in ``segment`` (whole lines of a GB file starting at ``start``)."""
        return source_error("source.decode", self.path, self._produced_line + segment.count(b"\n", 0, bad),
                            offset=start + bad, encoding=self.encoding)

    def _decode_generic(self, data: bytes, *, final: bool) -> bytes:
        assert self._decoder is not None
        try:
            text = self._decoder.decode(data, final)
        except UnicodeDecodeError:
            raise source_error("source.decode", self.path, self._produced_line, encoding=self.encoding) from None
        return text.encode("utf-8", "surrogatepass")

    def _produce(self) -> bool:
        """Add the next block to the output; False at the end of the file."""
        produced = self._next_segment()
        if produced is None:
            return False
        segment, feeds, offset = produced
        while segment.endswith(b"\r"):  # Arrow drops the LF of a quoted CR LF split across blocks (#51368)
            following = self._next_segment()
            if following is None:
                break
            segment += following[0]
            feeds = None
        if self._skip:
            dropped = min(self._skip, len(segment))
            segment, self._skip, feeds = segment[dropped:], self._skip - dropped, None
            if offset is not None:
                offset += dropped
            if not segment:
                return True
        nul = segment.find(b"\x00")
        if nul >= 0:
            raise source_error("source.nul_byte", self.path, self._produced_line + segment.count(b"\n", 0, nul))
        if not self.quotes_seen and b'"' in segment:
            self.quotes_seen = True
        with self._lock:
            self._kept.append((self._produced_line, segment, offset))
        self._produced_line += _count_line_feeds(segment) if feeds is None else feeds
        self._out.append(segment)
        return True

    # -- the stream interface ---------------------------------------------------------------------------
    def read(self, size: int | None = -1) -> bytes:
        """The next block, whole and without a copy (Arrow takes a block longer than it asked for).

        A block never ends with a carriage return unless the file does: Arrow's CSV reader drops the
        line feed of a CR LF inside a quoted cell when a block ends between the two (apache/arrow#51368).
        """
        if not self._out and not self._produce():
            return b""
        while not self._out:  # the skipped header took a whole block
            if not self._produce():
                return b""
        return self._out.popleft()

    # the readers hand a bytearray or memoryview; typeshed's base takes any writable buffer
    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    # -- what the reader asks afterwards --------------------------------------------------------------------
    @property
    def last_line(self) -> int:
        """The line the next byte produced would be on (the last line of the file once it is all read)."""
        return self._produced_line

    def release(self, line: int) -> None:
        """Forget kept blocks whose bytes all lie on lines before ``line`` (every row there has been delivered)."""
        with self._lock:
            while len(self._kept) > 1:
                _, block, _ = self._kept[0]
                last = self._kept[1][0] - (1 if block.endswith(b"\n") else 0)  # the last line this block touches
                if last >= line:
                    break
                self._kept.popleft()

    def locate_invalid_utf8(self) -> tuple[int, int | None] | None:
        """The line of the first byte that is not UTF-8 in the kept blocks and where it is in the file (None
        when not known), if there is one.

        The first kept block may start inside a character whose first bytes were in a block forgotten
        (their rows were delivered, so Arrow found them valid): those continuation bytes are passed over.
        """
        with self._lock:
            blocks = list(self._kept)
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        previous: tuple[int, bytes, int | None] | None = None
        for index, (start, block, offset) in enumerate(blocks):
            skip = 0
            if index == 0:
                while skip < min(3, len(block)) and 0x80 <= block[skip] < 0xC0:
                    skip += 1
            pending = len(decoder.getstate()[0])  # the start of a character, from the end of the block before
            try:
                decoder.decode(block[skip:], False)
            except UnicodeDecodeError as error:
                bad = skip + error.start - pending
                if bad < 0 and previous is not None:  # the character begun there is cut short
                    start, block, offset = previous
                    bad += len(block)
                bad = max(bad, 0)
                return start + block.count(b"\n", 0, bad), None if offset is None else offset + bad
            previous = (start, block, offset)
        return None

    def text_from_line(self, line: int) -> str | None:
        """The text from the start of ``line`` to the end of what was handed out, if the kept blocks hold it."""
        with self._lock:
            blocks = list(self._kept)
        for index, (start, block, _) in enumerate(blocks):
            end = start + block.count(b"\n")
            if start <= line <= end:
                offset = 0
                for _ in range(line - start):
                    offset = block.index(b"\n", offset) + 1
                rest = b"".join([block[offset:]] + [later for _, later, _ in blocks[index + 1:]])
                return rest.decode("utf-8", "replace")
        return None
