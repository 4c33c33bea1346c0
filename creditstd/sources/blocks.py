"""A file's bytes as a stream of checked UTF-8, whatever its encoding, for Arrow's CSV parser.

:class:`Utf8Stream` is a read-only binary stream: Arrow's CSV reader pulls blocks from it (in its own
read-ahead thread), and each block is, on the way:

* decoded from the file's encoding and encoded as UTF-8, or (UTF-8 files) checked to be UTF-8 without
  a copy of the data going through Python's codec;
* checked for NUL bytes;
* counted in lines, so that an undecodable byte or a NUL is reported at its line;
* kept (the last few blocks) so that the reader can look at the text of the file's last row.

GB 2312, GBK and GB 18030 are decoded as GB 18030.  Most blocks are GBK, which the fast ``gbk`` codec
decodes exactly as ``gb18030`` does (every double-byte sequence either decodes to the same character
with both or fails with ``gbk``); a block ``gbk`` refuses is decoded again with ``gb18030``, which
either knows its four-byte sequences or raises the decoding error that is reported.  Blocks are cut
after a line feed, which in these encodings and in UTF-8 never occurs inside a character.

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
import io
from collections import deque
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from creditstd.sources.inputs import read_error
from creditstd.sources.model import source_error

__all__ = ["READ_BYTES", "Utf8Stream", "is_utf8"]

#: Raw bytes read from the file at a time.
READ_BYTES = 1 << 20
#: The longest physical line taken (a line with no line feed for this long is refused).
MAX_LINE = 64 << 20
_PASSTHROUGH = frozenset({"utf-8", "utf-8-sig"})
_CUT_AT_LINE_FEED = _PASSTHROUGH | {"gb18030"}


def is_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8, checked by Arrow (fast, no Python string made).

    >>> is_utf8('甲'.encode()), is_utf8(b'\\xd6\\xd0')
    (True, False)
    """
    if data.isascii():
        return True
    array = pa.Array.from_buffers(pa.binary(), 1, [None, pa.py_buffer(np.array([0, len(data)], np.int32)),
                                                   pa.py_buffer(data)])
    try:
        array.cast(pa.string())
    except pa.ArrowInvalid:
        return False
    return True


class Utf8Stream(io.RawIOBase):
    """Read ``raw`` (a file's bytes in ``encoding``) as UTF-8 text, starting ``skip`` UTF-8 bytes in.

    ``first_line`` is the line the first byte after ``skip`` is on.  ``head``: bytes already read from
    ``raw`` (the sample the caller looked at), read again first.  ``bom`` bytes at the very start are
    dropped (UTF-8 with a byte-order mark; the codecs of other encodings drop their own).
    Raises :class:`~creditstd.sources.model.SourceError` from ``read``: ``source.decode``,
    ``source.nul_byte``, ``source.gzip``, ``source.unreadable``, ``source.row_too_long``.
    """

    def __init__(self, raw: BinaryIO, *, encoding: str, path: str, first_line: int, skip: int = 0, bom: int = 0,
                 head: bytes = b"", read_bytes: int = READ_BYTES) -> None:
        super().__init__()
        self._raw = raw
        self._head = head
        #: The line the first byte after ``skip`` is on.
        self.first_line = first_line
        self.encoding = encoding
        self.path = path
        self._read_bytes = read_bytes
        self._skip = skip
        self._bom = bom if encoding in _PASSTHROUGH else 0
        self._carry = b""
        self._eof = False
        self._out: deque[bytes] = deque()
        self._buffered = 0
        self._decoder = (None if encoding in _CUT_AT_LINE_FEED
                         else codecs.getincrementaldecoder(encoding)("strict"))
        self._produced_line = first_line
        #: Whether a quote character has been handed out (no quote: no cell can hold a line break).
        self.quotes_seen = False
        #: The last blocks handed out, with the line each starts on (for :meth:`text_from_line`).
        self.tail: deque[tuple[int, bytes]] = deque(maxlen=4)
        self.total_bytes = 0

    def readable(self) -> bool:
        return True

    # -- producing blocks -------------------------------------------------------------------------------
    def _read_raw(self) -> bytes:
        if self._head:
            data, self._head = self._head, b""
        else:
            try:
                data = self._raw.read(self._read_bytes)
            except Exception as error:  # gzip damage, an I/O error
                raise read_error(error, self.path, self._produced_line) from None
        if self._bom:
            data, self._bom = data[self._bom:], 0  # the head of the file always holds the whole mark
        return data or b""

    def _next_segment(self) -> bytes | None:
        """The next piece of the file, decoded to UTF-8 and checked, or None at the end."""
        while True:
            if self._eof:
                return None
            data = self._read_raw()
            if not data:
                self._eof = True
                if self._decoder is not None:
                    return self._decode_generic(b"", final=True)
                segment, self._carry = self._carry, b""
                return self._convert(segment) if segment else None
            if self._decoder is not None:
                return self._decode_generic(data, final=False)
            data = self._carry + data if self._carry else data
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                self._carry = data
                if len(data) > MAX_LINE:
                    raise source_error("source.row_too_long", self.path, self._produced_line, limit=MAX_LINE)
                continue
            segment, self._carry = (data, b"") if cut == len(data) else (data[:cut], data[cut:])
            return self._convert(segment)

    def _decode_error(self, segment: bytes, start: int) -> Exception:
        return source_error("source.decode", self.path, self._produced_line + segment.count(b"\n", 0, start),
                            encoding=self.encoding)

    def _convert(self, segment: bytes) -> bytes:
        if self.encoding in _PASSTHROUGH:
            if not is_utf8(segment):
                try:
                    segment.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise self._decode_error(segment, error.start) from None
            return segment
        if segment.isascii():
            return segment
        try:
            text = segment.decode("gbk")
        except UnicodeDecodeError:
            try:
                text = segment.decode("gb18030")
            except UnicodeDecodeError as error:
                raise self._decode_error(segment, error.start) from None
        return text.encode("utf-8")

    def _decode_generic(self, data: bytes, *, final: bool) -> bytes:
        assert self._decoder is not None
        try:
            text = self._decoder.decode(data, final)
        except UnicodeDecodeError:
            raise source_error("source.decode", self.path, self._produced_line, encoding=self.encoding) from None
        return text.encode("utf-8", "surrogatepass")

    def _produce(self) -> bool:
        """Add the next block to the output; False at the end of the file."""
        segment = self._next_segment()
        if segment is None:
            return False
        if self._skip:
            dropped = min(self._skip, len(segment))
            segment, self._skip = segment[dropped:], self._skip - dropped
            if not segment:
                return True
        nul = segment.find(b"\x00")
        if nul >= 0:
            raise source_error("source.nul_byte", self.path, self._produced_line + segment.count(b"\n", 0, nul))
        if not self.quotes_seen and b'"' in segment:
            self.quotes_seen = True
        self.tail.append((self._produced_line, segment))
        self._produced_line += segment.count(b"\n")
        self.total_bytes += len(segment)
        self._out.append(segment)
        self._buffered += len(segment)
        return True

    # -- the stream interface ---------------------------------------------------------------------------
    def read(self, size: int | None = -1) -> bytes:
        wanted = (1 << 62) if size is None or size < 0 else size
        while self._buffered < wanted and self._produce():
            pass
        parts: list[bytes] = []
        got = 0
        while self._out and got < wanted:
            first = self._out.popleft()
            if len(first) > wanted - got:
                self._out.appendleft(first[wanted - got:])
                first = first[: wanted - got]
            parts.append(first)
            got += len(first)
        piece = parts[0] if len(parts) == 1 else b"".join(parts)
        if piece.endswith(b"\r") and len(piece) > 1 and (self._out or not self._eof or self._carry):
            # Arrow's CSV reader drops the line feed of a CR LF inside a quoted cell when a block ends
            # between the two: a block never ends with a carriage return unless the file does.
            self._out.appendleft(b"\r")
            piece = piece[:-1]
            got -= 1
        self._buffered -= got
        return piece

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    @property
    def at_end(self) -> bool:
        """Whether the whole file has been read and handed out."""
        return self._eof and not self._out

    @property
    def last_line(self) -> int:
        """The line the last byte handed out is on (counting line feeds)."""
        return self._produced_line

    def text_from_line(self, line: int) -> str | None:
        """The text from the start of ``line`` to the end of what was handed out, if the kept blocks hold it."""
        blocks = list(self.tail)
        for index, (start, block) in enumerate(blocks):
            end = start + block.count(b"\n")
            if start <= line <= end:
                offset = 0
                for _ in range(line - start):
                    offset = block.index(b"\n", offset) + 1
                rest = b"".join([block[offset:]] + [later for _, later in blocks[index + 1:]])
                return rest.decode("utf-8", "replace")
        return None
