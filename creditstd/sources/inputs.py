"""The I/O edge of the readers: expand file patterns, open a file or stdin, look through gzip, replay what was peeked.

>>> import gzip, io
>>> opened = open_bytes('-', stdin=io.BytesIO(gzip.compress(b'a,b\\n1,2\\n')))
>>> opened.compression, opened.head[:4], opened.stream.read()
('gzip', b'a,b\\n', b'a,b\\n1,2\\n')
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import re
import stat
import sys
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from glob import glob
from typing import BinaryIO

from creditstd.sources.model import SourceError, source_error

__all__ = ["HEAD_BYTES", "Opened", "expand_inputs", "open_bytes", "read_error", "reopen"]

#: Bytes peeked at the start of every input (after gzip) to tell its format and encoding.
HEAD_BYTES = 64 * 1024
_MAGIC = re.compile(r"[*?[]")
_GZIP = b"\x1f\x8b"


def expand_inputs(patterns: Iterable[str]) -> list[str]:
    """The files named by ``patterns``: globs expanded (sorted, ``**`` recursive), order kept, repeats dropped
    (the same file under two spellings, ``a.csv`` and ``./a.csv`` or a link to it, is read once).

    ``-`` (stdin) and folders (exchange batches) pass through.  A pattern that matches nothing, or a
    plain name that does not exist, raises :class:`SourceError` (``source.no_match``, ``source.not_found``).

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> for name in ('b.csv', 'a.csv', 'c.txt'):
    ...     open(os.path.join(folder, name), 'w').close()
    >>> [os.path.basename(path) for path in expand_inputs([os.path.join(folder, '*.csv'), '-'])]
    ['a.csv', 'b.csv', '-']
    >>> expand_inputs([os.path.join(folder, '*.xlsx')])
    Traceback (most recent call last):
    ...
    creditstd.sources.model.SourceError: source.no_match: ...
    """
    found: list[str] = []
    seen: set[object] = set()  # names as given, and files by identity: ./a.csv and a.csv are read once
    for pattern in patterns:
        if pattern == "-":
            matches = ["-"]
        elif os.path.lexists(pattern):  # a real name, even one with [ or * in it
            matches = [pattern]
        elif _MAGIC.search(pattern):
            matches = sorted(glob(pattern, recursive=True))
            if not matches:
                raise source_error("source.no_match", pattern)
        else:
            raise source_error("source.not_found", pattern)
        for match in matches:
            identity = _identity(match)
            if match not in seen and identity not in seen:
                seen.update((match, identity))
                found.append(match)
    return found


def _identity(name: str) -> object:
    """What tells a file apart whatever the spelling of its name (device and inode, links followed); the name
    itself for stdin and for what cannot be looked at."""
    if name == "-":
        return name
    try:
        info = os.stat(name)
    except (OSError, ValueError):
        return name
    return (info.st_dev, info.st_ino)


class _Replay(io.RawIOBase):
    """A raw stream that gives back ``head`` first, then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._stream = stream

    def readable(self) -> bool:
        return True

    # BufferedReader hands a bytearray or memoryview; typeshed's base takes any writable buffer
    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        readinto = getattr(self._stream, "readinto", None)
        if readinto is not None:
            return readinto(buffer) or 0
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read_fully(stream: BinaryIO, size: int) -> bytes:
    parts: list[bytes] = []
    wanted = size
    while wanted > 0:
        data = stream.read(wanted)
        if not data:
            break
        parts.append(data)
        wanted -= len(data)
    return b"".join(parts)


def read_error(error: BaseException, path: str, line: int | None = None) -> SourceError:
    """The :class:`SourceError` for an exception met while reading ``path``: gzip damage, or an OSError."""
    if isinstance(error, SourceError):
        return error
    if isinstance(error, (EOFError, gzip.BadGzipFile, zlib.error)):
        return source_error("source.gzip", path, line)
    if isinstance(error, IsADirectoryError):
        return source_error("source.is_directory", path)
    if isinstance(error, FileNotFoundError):
        return source_error("source.not_found", path)
    reason = error.strerror if isinstance(error, OSError) and error.strerror else type(error).__name__
    return source_error("source.unreadable", path, line, reason=reason)


@dataclass
class Opened:
    """An input opened for reading: ``stream`` starts at the first byte (after gzip), ``head`` is its first bytes."""

    path: str
    stream: BinaryIO
    head: bytes
    compression: str | None
    _closers: list[BinaryIO] = field(default_factory=list, repr=False)

    @property
    def bytes_read(self) -> int | None:
        """How far the file has been read, in its own bytes (compressed ones for gzip); None for stdin."""
        if self.path == "-" or not self._closers:
            return None
        try:
            return self._closers[0].tell()  # the raw file, opened first
        except (OSError, ValueError):  # closed meanwhile
            return None

    def close(self) -> None:
        """Close what :func:`open_bytes` opened (never stdin itself)."""
        for closer in reversed(self._closers):
            with contextlib.suppress(Exception):
                closer.close()
        self._closers.clear()

    def __enter__(self) -> Opened:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def reopen(opened: Opened) -> BinaryIO | None:
    """A second, independent stream over the bytes of ``opened`` from the first (after gzip), or None where
    the input cannot be read twice: stdin, a named pipe, a device, or a file that no longer opens.

    For a look ahead that must not disturb the reading: the caller closes it.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), 'a.csv')
    >>> with open(path, 'wb') as file:
    ...     _ = file.write(b'a,b\\n1,2\\n')
    >>> with open_bytes(path) as opened:
    ...     again = reopen(opened)
    ...     _ = opened.stream.read()
    ...     again.read(), again.close(), reopen(open_bytes('-', stdin=io.BytesIO(b'a\\n')))
    (b'a,b\\n1,2\\n', None, None)
    """
    if opened.path == "-":
        return None
    try:
        if not stat.S_ISREG(os.stat(opened.path).st_mode):
            return None
        if opened.compression == "gzip":  # the GzipFile opens the file, and closes it
            # typeshed does not count GzipFile (a BufferedIOBase) as a BinaryIO, though it is one in use
            return gzip.GzipFile(opened.path, mode="rb")  # type: ignore[return-value]
        return open(opened.path, "rb")
    except (OSError, ValueError):
        return None


def open_bytes(path: str, *, stdin: BinaryIO | None = None) -> Opened:
    """Open ``path`` (``-``: stdin) for reading bytes, through gzip when its first bytes say so.

    Raises :class:`SourceError`: ``source.not_found``, ``source.is_directory``, ``source.unreadable``,
    ``source.gzip`` (damaged or truncated at the start), ``source.empty`` (no bytes at all).
    """
    closers: list[BinaryIO] = []
    try:
        if path == "-":
            raw: BinaryIO = stdin if stdin is not None else sys.stdin.buffer
        else:
            info = os.stat(path)
            if stat.S_ISDIR(info.st_mode):
                raise source_error("source.is_directory", path)
            raw = open(path, "rb", buffering=0)
            closers.append(raw)
        head = _read_fully(raw, HEAD_BYTES)
        stream: BinaryIO = io.BufferedReader(_Replay(head, raw), buffer_size=1 << 20)
        compression = None
        if head.startswith(_GZIP):
            compression = "gzip"
            # typeshed does not count GzipFile (a BufferedIOBase) as a BinaryIO, though it is one in use
            stream = gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[assignment]
            closers.append(stream)
            head = _read_fully(stream, HEAD_BYTES)
            stream = io.BufferedReader(_Replay(head, stream), buffer_size=1 << 20)
        if not head:
            raise source_error("source.empty", path)
        return Opened(path, stream, head, compression, closers)
    except BaseException as error:
        for closer in reversed(closers):
            with contextlib.suppress(Exception):
                closer.close()
        if isinstance(error, (OSError, EOFError, zlib.error)):  # gzip.BadGzipFile is an OSError
            raise read_error(error, path) from None
        if isinstance(error, ValueError):  # a NUL character in the path
            raise source_error("source.unreadable", path, reason="invalid file name") from None
        raise
