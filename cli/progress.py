"""A one-line progress display for long commands: rows, rows/s, bytes, percentage and ETA on a terminal.

A command that reads millions of rows wraps its reading loop in a
:class:`Progress` and reports each batch::

    with Progress(total_bytes=total_size(paths), label="校验 validate") as progress:
        for path in paths:
            progress.start_file(path, size=file_size(path))
            for chunk in read(path):
                ...                                          # the work
                progress.update(rows=len(chunk), bytes_done=position())

What it shows, on one line of stderr redrawn in place with ``\\r``::

    校验 validate  已读 read 1,234,567 行 rows  52,310 行/秒 rows/s  1.2 GB/3.4 GB 35%  剩余 ETA 0:42  export.csv

The percentage and the ETA appear only when the total is known (a regular file, or several); reading stdin, a
FIFO or an exchange folder shows rows, rows/s and the bytes so far.  For gzip input the total is the
*compressed* size, so ``bytes_done`` must be the position in the compressed file too (the raw file's
``tell()``), never the count of decompressed bytes.  The labels follow ``CREDITSTD_LANG`` like every message
(``zh``, ``en`` or both).

Rules that make it safe to leave in every command:

* **Silent unless someone is watching.**  It draws only when the stream is a terminal, ``TERM`` is not
  ``dumb`` and no CI variable is set (:data:`CI_VARIABLES`: ``CI``, ``GITHUB_ACTIONS``, ``GITLAB_CI``...).
  Otherwise it writes nothing at all, not even a newline, so a piped or logged stderr stays clean.
  ``enabled=True``/``False`` overrides the guess (a ``--progress/--no-progress`` option).
* **Cheap.**  :meth:`Progress.update` adds two numbers and reads the clock; it redraws at most every
  :data:`INTERVAL` seconds (8 times a second), and not at all in the first :data:`DELAY` seconds, so a
  quick command never flickers.  Call it once per batch, or even per row.
* **Never in the way.**  The line fits the terminal's width (Chinese characters count two columns), is
  cleared when the block ends, however it ends (an error, Ctrl-C), so that the report printed next starts on a
  clean line; :meth:`Progress.clear` makes room for a message in the middle of a run.  A stream that is
  closed or fails (a broken pipe, a full disk) silences the display, and no exception ever escapes from it;
  a stream that cannot write Chinese (``LANG=C``) gets the English labels and ``?`` for what it cannot show.
* **Nothing personal shown.**  File names are shown by their last part, with any run of digits that may be
  an ID number masked (:func:`creditstd.codes.redact.redact`) and control characters escaped
  (:func:`creditstd.records.jsonline.printable`): a name cannot hide an ID number, nor move the cursor.

The line is built by :meth:`Progress.line`, which the tests and this example call directly (a fake clock
stands in for time):

>>> import io
>>> now = [0.0]
>>> progress = Progress(total_bytes=4 << 20, stream=io.StringIO(), enabled=True, clock=lambda: now[0], lang="en")
>>> now[0] = 10.0
>>> progress.update(rows=50_000, bytes_done=1 << 20, file="/exports/2024/penalties.csv")
>>> progress.line(columns=100)
'read 50,000 rows  5,000 rows/s  1.0 MB/4.0 MB 25%  ETA 0:30  penalties.csv'
>>> progress.line(columns=40)
'read 50,000 rows  1.0 MB/4.0 MB 25%'
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import TextIO

from creditstd.codes.redact import redact
from creditstd.exceptions import message_language
from creditstd.records.jsonline import printable

__all__ = ["CI_VARIABLES", "DELAY", "INTERVAL", "Progress", "display_width", "file_size", "human_bytes",
           "should_show", "shown_name", "total_size"]

#: Environment variables CI services set: any of them, set and not ``0``/``false``/``no``, silences the display.
CI_VARIABLES = ("CI", "CONTINUOUS_INTEGRATION", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "JENKINS_URL",
                "JENKINS_HOME", "TF_BUILD", "TEAMCITY_VERSION", "CIRCLECI", "TRAVIS", "APPVEYOR",
                "BITBUCKET_BUILD_NUMBER", "DRONE", "CODEBUILD_BUILD_ID", "BUILD_BUILDID", "WOODPECKER",
                "SEMAPHORE", "HEROKU_TEST_RUN_ID")
#: Seconds between two redraws at most (8 a second).
INTERVAL = 0.125
#: Seconds before the first draw: a command that ends sooner never shows the line.
DELAY = 0.5
#: Seconds of reading before an ETA is shown (the first batches are no guide to the speed).
_ETA_AFTER = 1.0
#: Fewest columns a shortened file name keeps (``expo~24.csv``); below that it is left out.
_NAME_MIN = 10
_UNITS = ("B", "KB", "MB", "GB", "TB", "PB")
_OFF = ("", "0", "false", "no", "off")

_LABELS = {
    "read": ("已读", "read"),
    "rows": ("行", "rows"),
    "rate": ("行/秒", "rows/s"),
    "eta": ("剩余", "ETA"),
}


def should_show(stream: object, environ: Mapping[str, str] | None = None) -> bool:
    """Whether a progress line belongs on ``stream``: a terminal, ``TERM`` not ``dumb``, not in CI.

    >>> import io
    >>> should_show(io.StringIO(), {})
    False
    """
    env = os.environ if environ is None else environ
    if env.get("TERM", "").strip().lower() == "dumb":
        return False
    if any(env.get(name, "").strip().lower() not in _OFF for name in CI_VARIABLES):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except Exception:  # closed (ValueError) or anything else a stream may raise: no terminal
        return False


def file_size(path: str | os.PathLike[str]) -> int | None:
    """The size of ``path`` when it is a regular file, else ``None`` (stdin ``-``, a FIFO, a folder, missing).

    >>> file_size('-') is None
    True
    """
    if os.fspath(path) == "-":
        return None
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def total_size(paths: Iterable[str | os.PathLike[str]]) -> int | None:
    """The bytes of all ``paths`` together, or ``None`` when one of them has no known size (see :func:`file_size`).

    An exchange batch (a folder or its ``manifest.json``) has no known size: the records are in another file.

    >>> total_size([]), total_size(['-'])
    (0, None)
    """
    total = 0
    for path in paths:
        size = None if os.path.basename(os.fspath(path)) == "manifest.json" else file_size(path)
        if size is None:
            return None
        total += size
    return total


def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    # wide, full-width, and ambiguous characters (two columns in a CJK terminal): never too wide for the line
    return 2 if unicodedata.east_asian_width(char) in ("W", "F", "A") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (Chinese), full-width and ambiguous characters count two.

    >>> display_width('read'), display_width('已读 read'), display_width('ＩＤ')
    (4, 9, 4)
    """
    return sum(_char_width(char) for char in text)


def _cut(text: str, columns: int) -> str:
    """``text`` cut to at most ``columns`` display columns (a wide character is never split)."""
    used = 0
    for index, char in enumerate(text):
        used += _char_width(char)
        if used > columns:
            return text[:index]
    return text


def _shorten_middle(text: str, columns: int) -> str:
    """``text`` in at most ``columns`` columns, its middle replaced by ``~`` (the extension stays in view)."""
    if display_width(text) <= columns:
        return text
    if columns < 3:
        return _cut(text, columns)
    tail_columns = (columns - 1) // 2
    tail = text[::-1]
    tail = _cut(tail, tail_columns)[::-1]
    head = _cut(text, columns - 1 - display_width(tail))
    return f"{head}~{tail}"


def human_bytes(count: int) -> str:
    """``count`` bytes in KB, MB, GB (powers of 1024), three digits at most.

    >>> human_bytes(512), human_bytes(1536), human_bytes(345 << 20), human_bytes(3 << 30)
    ('512 B', '1.5 KB', '345 MB', '3.0 GB')
    """
    value = float(max(count, 0))
    for unit in _UNITS:
        if value < 1024 or unit == _UNITS[-1]:
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f} {unit}" if value < 99.95 else f"{value:.0f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _duration(seconds: float) -> str:
    """``0:42``, ``12:03``, ``1:02:03``; ``--`` beyond 99 hours."""
    whole = int(seconds + 0.5)
    if whole >= 100 * 3600:
        return "--"
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def shown_name(name: str) -> str:
    """What may be shown of a file name: its last part, ID-like digit runs masked, control characters escaped.

    A control character between the digits of an ID number does not save them from the mask.

    >>> shown_name('/data/导出_110105194912310021.csv')
    '导出_110105********0021.csv'
    >>> shown_name('a\\x1b[2Jb.csv')
    'a\\\\u001b[2Jb.csv'
    """
    base = os.path.basename(name.rstrip("/" + os.sep)) or name
    # redact keeps the length: mask the text with every unprintable character read as a separator, then
    # carry the masks over, so that "1101051949\\x001231002X" is masked like "1101051949 1231002X"
    spaced = "".join(" " if printable(char) != char else char for char in base)
    masked = redact(spaced)
    if len(masked) == len(base):
        base = "".join("*" if mask == "*" and char != "*" else char for char, mask in zip(base, masked, strict=True))
    else:  # cannot happen with today's redact; never show more than the masked text then
        base = masked
    return printable(redact(base), limit=1 << 12)


def _terminal_columns(stream: object) -> int:
    """The width to fit: ``COLUMNS`` if set (as :func:`shutil.get_terminal_size`), else the stream's terminal,
    else stdout's, else 80."""
    with contextlib.suppress(ValueError):
        columns = int(os.environ.get("COLUMNS", "0"))
        if columns > 0:
            return columns
    try:
        columns = os.get_terminal_size(stream.fileno()).columns  # type: ignore[attr-defined]
        if columns > 0:
            return columns
    except Exception:  # not a terminal, no fileno, closed
        pass
    return shutil.get_terminal_size((80, 24)).columns or 80


class Progress:
    """A progress line on ``stream`` (stderr by default) while a block runs; see the module docstring.

    ``total_bytes``: bytes of the whole run (every file together), ``None`` when unknown (stdin, a FIFO); for
    gzip, the compressed size.  ``label``: a short name of the work, shown first (``校验 validate``).
    ``enabled``: ``None`` to decide with :func:`should_show`, ``True``/``False`` to force.  ``lang``:
    ``zh``, ``en`` or ``both`` (default: :func:`creditstd.exceptions.message_language`).  ``clock``: seconds,
    monotonic (tests pass a fake one).  ``interval``/``delay``: seconds between redraws, before the first.

    The counts (:attr:`rows`, :attr:`bytes_done`) are kept whether or not anything is drawn.
    """

    def __init__(self, *, total_bytes: int | None = None, label: str = "", stream: TextIO | None = None,
                 enabled: bool | None = None, lang: str | None = None, clock: Callable[[], float] = time.monotonic,
                 interval: float = INTERVAL, delay: float = DELAY) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.total_bytes = total_bytes if total_bytes is None or total_bytes >= 0 else None
        self.label = printable(redact(label), limit=1 << 12)
        self.lang = lang if lang in ("zh", "en", "both") else message_language()
        self.clock = clock
        self.interval = interval
        #: The number of rows read so far, all files together.
        self.rows = 0
        self._bytes_before = 0  # bytes of the files finished before the current one
        self._file_bytes = 0  # position in the current file
        self._file_size: int | None = None
        self._file: str | None = None
        self._shown_file = ""
        self._drawn = 0  # columns of the line on screen now (0: nothing shown)
        self.active = (should_show(self.stream) if enabled is None else enabled) and self.stream is not None
        self._start = self._safe_clock()
        self._next_draw = self._start + delay
        self._encoding = self._stream_encoding()

    # -- counting ---------------------------------------------------------------------------------------------

    @property
    def bytes_done(self) -> int:
        """Bytes read so far, all files together (the finished ones and the position in the current one)."""
        return self._bytes_before + self._file_bytes

    def start_file(self, name: str, *, size: int | None = None) -> None:
        """A new file starts: the one before counts as read in full (``size`` given then, else its last
        position); ``bytes_done`` counts from 0 again, in the new file.  ``size`` of the new file, if known,
        lets the previous rule count it exactly when the next file starts."""
        if self._file is not None or self._file_bytes:
            self._bytes_before += self._file_size if self._file_size is not None else self._file_bytes
        self._file_bytes = 0
        self._file_size = size
        self._file = name
        self._shown_file = ""  # worked out at the next draw, not here: a name costs a regex or two

    def update(self, rows: int = 0, *, rows_done: int | None = None, bytes_read: int = 0,
               bytes_done: int | None = None, file: str | None = None) -> None:
        """Count progress, and redraw if it is time to.

        ``rows``: rows read since the last call (added); ``rows_done``: rows read in all (replaces).
        ``bytes_read``: bytes read since the last call (added); ``bytes_done``: the position in the current
        file (in the only one in a single-file run), replaces.  ``file``: the name of the file being read; a
        name other than the current one starts a new file (:meth:`start_file`; call that to give its size).
        Costs well under a microsecond when it does not redraw.
        """
        if file is not None and file != self._file:
            self.start_file(file)
        if rows_done is not None:
            self.rows = rows_done
        self.rows += rows
        if bytes_done is not None:
            self._file_bytes = bytes_done
        self._file_bytes += bytes_read
        if self.active:
            now = self._safe_clock()
            if now >= self._next_draw:
                self._next_draw = now + self.interval
                self._draw(now)

    # -- showing ----------------------------------------------------------------------------------------------

    def line(self, columns: int | None = None, now: float | None = None) -> str:
        """The line as it would be drawn now, fitted to ``columns`` (default: the terminal's width, less one:
        writing the last column makes some terminals wrap)."""
        if columns is None:
            columns = _terminal_columns(self.stream) - 1
        if now is None:
            now = self._safe_clock()
        elapsed = max(now - self._start, 0.0)
        zh, en = self.lang != "en", self.lang != "zh"

        def say(key: str, value: str = "", *, before: bool = True) -> str:
            words = [word for word, wanted in zip(_LABELS[key], (zh, en), strict=True) if wanted]
            if before:
                return " ".join([*words, value]) if value else " ".join(words)
            return " ".join([value, *words])

        done = self.bytes_done
        # (priority, text): when the line is too wide, the lowest priority goes first
        parts: list[tuple[int, str]] = []
        if self.label:
            parts.append((1, self.label))
        parts.append((5, f"{say('read')} {self.rows:,} {say('rows')}"))
        if elapsed > 0 and self.rows:
            parts.append((2, say("rate", f"{self.rows / elapsed:,.0f}", before=False)))
        if self.total_bytes:
            fraction = min(done / self.total_bytes, 1.0)
            parts.append((6, f"{human_bytes(done)}/{human_bytes(self.total_bytes)} {int(fraction * 100)}%"))
            if done and fraction < 1.0 and elapsed >= _ETA_AFTER:
                remaining = (self.total_bytes - done) * elapsed / done
                parts.append((4, say("eta", _duration(remaining))))
        elif done:
            parts.append((6, human_bytes(done)))
        name_at = len(parts)
        if self._file is not None:
            if not self._shown_file:
                self._shown_file = shown_name(self._file)
            parts.append((3, self._shown_file))
        return self._fit(parts, name_at, max(columns, 0))

    @staticmethod
    def _fit(parts: list[tuple[int, str]], name_at: int, columns: int) -> str:
        gap = "  "
        while parts:
            text = gap.join(part for _, part in parts)
            over = display_width(text) - columns
            if over <= 0:
                return text
            if len(parts) == 1:  # a terminal narrower than any part: what fits of the most useful one
                return _cut(text, columns)
            if name_at < len(parts):  # first the file name gives up columns
                _, name = parts[name_at]
                room = display_width(name) - over
                if room >= _NAME_MIN:
                    parts[name_at] = (3, _shorten_middle(name, room))
                    continue
            lowest = min(range(len(parts)), key=lambda index: parts[index][0])
            if lowest < name_at:
                name_at -= 1
            elif lowest == name_at:
                name_at = len(parts)
            del parts[lowest]
        return ""

    def _draw(self, now: float) -> None:
        try:
            columns = _terminal_columns(self.stream) - 1
            text = self.line(columns, now)
            if self._encoding:
                text = text.encode(self._encoding, "replace").decode(self._encoding, "replace")
            width = display_width(text)
            padding = " " * max(self._drawn - width, 0)
            # counted before writing: a Ctrl-C in the middle of the write still gets the line cleared
            self._drawn = max(width, self._drawn, 1)
            self._write("\r" + text + padding)
            self._drawn = max(width, 1)
        except Exception:  # a progress line must never stop the command
            self.active = False

    def clear(self) -> None:
        """Erase the line (if one is shown), e.g. before printing a message; the next update draws it again."""
        if self._drawn and self.active:
            # two more columns: a ^C the terminal echoed after the line
            columns = min(self._drawn + 2, max(_terminal_columns(self.stream) - 1, self._drawn))
            self._drawn = 0
            self._write("\r" + " " * columns + "\r")
        self._next_draw = min(self._next_draw, self._safe_clock() + self.interval)

    def close(self) -> None:
        """Clear the line and stop drawing (the end of the ``with`` block calls it)."""
        with contextlib.suppress(Exception):
            self.clear()
        self.active = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    # -- the stream, which may fail in any way ------------------------------------------------------------------

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except Exception:  # closed, broken pipe, disk full, an encoding it cannot write: stop drawing, say nothing
            self.active = False
            self._drawn = 0

    def _safe_clock(self) -> float:
        try:
            return float(self.clock())
        except Exception:  # a test clock that ran out: time stands still
            self.active = False
            return 0.0

    def _stream_encoding(self) -> str | None:
        """The stream's encoding (``None``: unknown); the labels turn English when it cannot write Chinese."""
        encoding = getattr(self.stream, "encoding", None)
        if not isinstance(encoding, str):
            return None
        try:
            "".encode(encoding)
        except LookupError:
            return None
        try:
            "已读行剩余".encode(encoding)
        except UnicodeError:  # LANG=C: ASCII only
            self.lang = "en"
        return encoding
