"""Input helpers shared by the commands: read lines from files or stdin, fail cleanly."""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, NoReturn, TextIO, cast

import click

from creditstd.atomic import atomic_writer, remove_stale_temporaries
from creditstd.codes.redact import redact
from creditstd.exceptions import bilingual
from creditstd.records.jsonline import bounded_lines, printable

__all__ = [
    "CHECK_LINE_BYTES",
    "InputError",
    "Line",
    "check_readable",
    "leave_no_batch",
    "make_private_dir",
    "open_input",
    "open_text_input",
    "output_stream",
    "prepare_output_dir",
    "read_lines",
    "refuse_input_as_output",
    "refuse_shared_outputs",
    "remove_made_dirs",
    "text_codec",
]


class InputError(click.ClickException):
    """Input that cannot be read: exit code 2, a bilingual message naming the file and line."""

    exit_code = 2

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(bilingual(zh, en))


@contextlib.contextmanager
def signals_handled_by(handler: Callable[[int, Any], None]) -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM call ``handler``; the handlers before are restored afterwards.
    Outside the main thread (a program embedding the CLI) the handlers are left alone."""
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError, OSError):  # not the main thread
            previous[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, saved in previous.items():
            signal.signal(signum, saved)


class _ClosedStream(io.TextIOBase):
    """Standard input or output of a command started with it closed (``<&-``, ``>&-``): Python leaves
    ``sys.stdin``/``sys.stdout`` None, so reading ended in an internal error and click dropped what was
    written (``check`` exited 0 with its results lost).  Any use of this stand-in is an :class:`InputError`
    (exit 2) that says which stream is closed; a command that does not use it runs as usual."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__()
        self.message = (zh, en)

    def _closed(self) -> InputError:
        return InputError(*self.message)

    def read(self, size: int | None = -1) -> NoReturn:
        raise self._closed()

    def readline(self, size: int | None = -1) -> NoReturn:
        raise self._closed()

    def write(self, text: str) -> NoReturn:
        raise self._closed()

    def fileno(self) -> NoReturn:
        raise self._closed()

    def isatty(self) -> bool:
        return False

    @property
    def buffer(self) -> NoReturn:
        raise self._closed()


def stand_in_for_closed_streams() -> None:
    """Put a :class:`_ClosedStream` where standard input or output is None (the process started with it
    closed), so that a command using it stops with a clear error instead of an internal one or lost output."""
    if sys.stdin is None:
        sys.stdin = _ClosedStream("标准输入已关闭，无法读取；请给出输入文件",
                                  "standard input is closed: nothing can be read from it; give an input file")
    if sys.stdout is None:
        sys.stdout = _ClosedStream("标准输出已关闭，无法写出结果；请把它重定向到文件（或用 -o 指定输出文件）",
                                   "standard output is closed: nothing can be written there; redirect it to a file "
                                   "(or give -o FILE, where the command takes it)")


#: Longest line ``check --file`` reads in full; the rest of a longer line is skipped (no identifier is that long).
CHECK_LINE_BYTES = 4096
#: Byte-order marks that identify an encoding whatever ``--encoding`` says (Excel's "Unicode text" is UTF-16).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


class Line(NamedTuple):
    """One input line: its 1-based number, its text, and whether it was longer than allowed (text cut short)."""

    number: int
    text: str
    overlong: bool = False


def text_codec(encoding: str) -> codecs.CodecInfo:
    """The codec for ``--encoding``, refusing unknown names and codecs that do not decode bytes to text.

    >>> text_codec('GBK').name
    'gbk'
    >>> text_codec('base64')  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    InputError: base64 is not a text encoding
    """
    try:
        codec = codecs.lookup(encoding)
    except (LookupError, UnicodeError, ValueError):  # UnicodeError: undecodable bytes in the name
        shown = printable(encoding)
        raise InputError(f"未知的编码 {shown}", f"unknown encoding {shown}") from None
    if not getattr(codec, "_is_text_encoding", True) or codec.name in ("undefined", "idna", "punycode"):
        shown = printable(encoding)
        raise InputError(f"{shown} 不是文本编码；常用 utf-8、gb18030、utf-16",
                         f"{shown} is not a text encoding; use e.g. utf-8, gb18030 or utf-16") from None
    return codec


def _splits_on_newline_byte(codec: codecs.CodecInfo) -> bool:
    """Whether the encoding writes a line feed as the single byte 0x0A and never uses it inside a character."""
    try:
        encoder = codec.incrementalencoder()
        encoder.encode("a")  # past any byte-order mark
        return encoder.encode("\n") == b"\n" and codec.name not in ("utf-7", "unicode-escape")
    except (UnicodeError, ValueError):
        return False


def open_input(path: str) -> BinaryIO:
    name = "<stdin>" if path == "-" else path
    try:
        return sys.stdin.buffer if path == "-" else open(path, "rb")
    except OSError as error:
        raise InputError(f"无法打开输入文件 {name}：{error.strerror}",
                         f"cannot open input file {name}: {error.strerror}") from None


def check_readable(path: str) -> None:
    """Stop (exit 2) unless ``path`` (``-`` = stdin) is a file that can be read; opens nothing, so a FIFO's
    writer is not disturbed.  Commands call it before they create any output."""
    if path == "-":
        return
    try:
        is_folder = os.path.isdir(path)
        os.stat(path)
    except OSError as error:
        raise InputError(f"无法打开输入文件 {path}：{error.strerror}",
                         f"cannot open input file {path}: {error.strerror}") from None
    if is_folder or not os.access(path, os.R_OK):
        reason = ("是文件夹", "it is a folder") if is_folder else ("没有读取权限", "permission denied")
        raise InputError(f"无法打开输入文件 {path}：{reason[0]}", f"cannot open input file {path}: {reason[1]}")


def bom_encoding(stream: BinaryIO, encoding: str) -> str:
    """The encoding a byte-order mark at the start of ``stream`` names, else ``encoding`` (nothing is consumed)."""
    peek = getattr(stream, "peek", None)
    start = peek(4)[:4] if peek else b""
    return next((name for bom, name in _BOMS if start.startswith(bom)), encoding)


class _CarriageReturns(io.RawIOBase):
    """A byte stream whose carriage returns are read as line feeds (see :func:`carriage_return_lines`)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        read1 = getattr(stream, "read1", None)
        self._read = read1 if read1 is not None else stream.read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._read(len(buffer)).replace(b"\r", b"\n")
        buffer[:len(data)] = data
        return len(data)


def carriage_return_lines(stream: BinaryIO, codec: codecs.CodecInfo) -> BinaryIO:
    """``stream``, or, when its lines end in a carriage return alone (classic Mac text; Excel for Mac's "CSV
    (Macintosh)": a carriage return and no line feed in the first bytes buffered), the same bytes with each
    carriage return read as a line feed, so that lines, and their numbers, are what the user sees.  Only for an
    encoding that writes both as single bytes never found inside a character (UTF-8, GB 18030...).

    >>> import codecs, io
    >>> carriage_return_lines(io.BufferedReader(io.BytesIO(b'a\\rb\\r')), codecs.lookup('utf-8')).read()
    b'a\\nb\\n'
    >>> carriage_return_lines(io.BufferedReader(io.BytesIO(b'a\\r\\nb')), codecs.lookup('utf-8')).read()
    b'a\\r\\nb'
    """
    peek = getattr(stream, "peek", None)
    head = peek(1 << 16)[:1 << 16] if peek else b""
    if b"\n" in head or b"\r" not in head or not _splits_on_newline_byte(codec):
        return stream
    return io.BufferedReader(_CarriageReturns(stream), buffer_size=1 << 16)


@contextlib.contextmanager
def open_text_input(path: str, encoding: str) -> Iterator[tuple[BinaryIO, codecs.CodecInfo]]:
    """``path`` (``-`` = stdin) opened to be read line by line: its bytes (carriage returns alone read as line
    feeds: :func:`carriage_return_lines`) and the codec a byte-order mark or ``encoding`` names.  An unknown
    encoding stops (exit 2) before the file is opened; the file is closed at the end, stdin left open."""
    text_codec(encoding)
    stream = open_input(path)
    with contextlib.nullcontext(stream) if path == "-" else stream:
        codec = text_codec(bom_encoding(stream, encoding))
        yield carriage_return_lines(stream, codec), codec


def read_lines(path: str, encoding: str, *, max_bytes: int = CHECK_LINE_BYTES,
               skip_comments: bool = True, blank: str | None = None) -> Iterator[Line]:
    """Yield each non-blank line of ``path`` (``-`` = stdin), stripped, as a :class:`Line`.

    ``blank``: the characters stripped (``JSON_WHITESPACE`` of :mod:`creditstd.records.jsonline` for JSON
    lines, which the JSON Lines reader counts as blank; every kind of white space by default).  Lines starting
    with ``#`` are skipped too unless ``skip_comments`` is false.  Memory stays bounded: a line
    longer than ``max_bytes`` is never held whole: it comes as an ``overlong`` line with no text.  A byte-order
    mark decides the encoding.  Every problem (a file that cannot be opened or read, bytes that are not
    ``encoding``, an encoding that is not a text encoding) is an :class:`InputError` that names the file and
    line; the input is never modified.
    """
    with open_text_input(path, encoding) as (stream, codec):
        yield from lines_of(stream, path, codec, max_bytes=max_bytes, skip_comments=skip_comments, blank=blank)


def lines_of(stream: BinaryIO, path: str, codec: codecs.CodecInfo, *, max_bytes: int = CHECK_LINE_BYTES,
             skip_comments: bool = True, blank: str | None = None) -> Iterator[Line]:
    """:func:`read_lines` over a stream :func:`open_text_input` opened: split on the line feed byte where it is
    never part of a character (UTF-8, GB 18030), else on the decoded text (UTF-16: 上 is ``0A 4E``; UTF-32)."""
    name = "<stdin>" if path == "-" else path
    lines = _byte_lines(stream, codec, max_bytes) if _splits_on_newline_byte(codec) else \
        _text_lines(stream, codec, max_bytes)
    number = 0
    try:
        for number, text, overlong in lines:
            text = text.strip(blank)
            if overlong or (text and not (skip_comments and text.startswith("#"))):
                yield Line(number, text, overlong)
    except (ValueError, OSError) as error:  # UnicodeError is a ValueError
        raise line_error(name, number + 1, codec, error) from None


def shown_message(text: str) -> str:
    """A message as the terminal and the reports show it: anything that may be an ID number masked, and control
    characters (a file named with an escape sequence that would recolour or retitle the terminal), direction
    overrides and the like escaped as ``\\uXXXX``; its line breaks kept.

    >>> shown_message('x\\x1b]0;t\\x07.txt: 11010519491231002X')
    'x\\\\u001b]0;t\\\\u0007.txt: 110105********002X'
    """
    return "\n".join(printable(line, len(line)) for line in redact(text).split("\n"))


class Unreadable(InputError):
    """Input that could not be read on from ``line`` of ``file``: the :class:`InputError` (exit 2, the message on
    stderr) that also gives what ``check --format json`` closes its document with (:meth:`to_json`)."""

    def __init__(self, code: str, file: str, line: int, zh: str, en: str) -> None:
        super().__init__(zh, en)
        self.code, self.file, self.line, self.message_zh, self.message_en = code, file, line, zh, en

    def to_json(self) -> dict[str, object]:
        """The ``error`` member of a JSON document: file names and messages shown as on stderr."""
        return {"code": self.code, "file": shown_message(self.file), "line": self.line,
                "message_zh": shown_message(self.message_zh), "message_en": shown_message(self.message_en)}


def line_error(name: str, line: int, codec: codecs.CodecInfo, error: ValueError | OSError) -> Unreadable:
    """The error for a read of ``name`` that failed at ``line``: text not in ``codec`` (``source.decode``), or an
    I/O error (``source.unreadable``).  A file read as UTF-8 is told that GBK files need ``--encoding gb18030``.
    """
    if isinstance(error, OSError):
        return Unreadable("source.unreadable", name, line, f"读取 {name} 第{line}行时出错：{error.strerror}",
                          f"cannot read {name} at line {line}: {error.strerror}")
    hint_zh, hint_en = ("", "") if codec.name in ("gb18030", "gbk", "gb2312") else \
        ("；GBK 文件请用 --encoding gb18030", "; for GBK files use --encoding gb18030")
    return Unreadable("source.decode", name, line, f"{name} 第{line}行附近不是 {codec.name} 编码{hint_zh}",
                      f"{name} near line {line} is not valid {codec.name}{hint_en}")


def _byte_lines(stream: BinaryIO, codec: codecs.CodecInfo, max_bytes: int) -> Iterator[tuple[int, str, bool]]:
    """Lines of an ASCII-compatible encoding, each decoded alone so that an error names its line."""
    decoder = codec.incrementaldecoder()
    for number, raw in bounded_lines(stream, limit=max_bytes):
        if raw is None:  # longer than max_bytes: read past, never held whole
            decoder.reset()
            yield number, "", True
            continue
        try:
            yield number, decoder.decode(raw), False
        except UnicodeDecodeError:
            raise UnicodeDecodeError(codec.name, raw, 0, len(raw), f"line {number}") from None
    decoder.decode(b"", final=True)  # a multi-byte character cut off at the end: a truncated file


def _text_lines(stream: BinaryIO, codec: codecs.CodecInfo, max_bytes: int) -> Iterator[tuple[int, str, bool]]:
    """Lines of an encoding such as UTF-16 that a byte-wise split would cut mid-character."""
    text = io.TextIOWrapper(stream, encoding=codec.name, errors="strict", newline=None)
    try:
        number = 0
        while line := text.readline(max_bytes):
            number += 1
            overlong = len(line) >= max_bytes and not line.endswith("\n")  # characters, not bytes: close enough
            if overlong:
                while (rest := text.readline(1 << 20)) and not rest.endswith("\n"):
                    pass
            yield number, "" if overlong else line, overlong
    finally:
        text.detach()


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve() or (one.exists() and other.exists() and one.samefile(other))
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        return False


def _read_by_stdin(path: Path) -> bool:
    """Whether ``path`` is the file standard input is redirected from (``< file``): the same device and inode."""
    try:
        given, read = os.stat(path), os.fstat(sys.stdin.fileno())
    except (OSError, ValueError, AttributeError):  # absent; stdin closed, replaced or not a file descriptor
        return False
    return (given.st_dev, given.st_ino) == (read.st_dev, read.st_ino)


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` (which may not exist yet) is ``folder`` or lies under it, links resolved."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


def refuse_input_as_output(output: str | os.PathLike[str] | None, inputs: Iterable[str | os.PathLike[str]],
                           option: str) -> None:
    """Stop (exit 2) before anything is written when ``output`` names one of the ``inputs``: inputs are never
    overwritten, whatever the spelling of the path (relative, absolute, a symlink, a hard link).  An input
    folder (an exchange batch) or the folder of an input ``manifest.json`` is input as a whole: no output may
    be written inside it (its records file, its manifest)."""
    if output is None:
        return
    for source in inputs:
        if os.fspath(source) == "-":
            if _read_by_stdin(Path(output)):
                raise click.UsageError(bilingual(f"{option} 不能指向标准输入所读的文件 {output}（输入从不被覆盖）",
                                                 f"{option} must not be {output}, the file standard input reads "
                                                 "(inputs are never overwritten)"))
            continue
        path = Path(source)
        folder = path if path.is_dir() else path.parent if path.name == "manifest.json" else None
        if _same_file(Path(output), path) or (folder is not None and _inside(Path(output), folder)):
            where_zh, where_en = ("或其中的文件", ", nor a file in it") if folder is not None else ("", "")
            raise click.UsageError(bilingual(f"{option} 不能指向输入 {source}{where_zh}（输入从不被覆盖）",
                                             f"{option} must not be the input {source}{where_en} (inputs are never "
                                             "overwritten)"))


def refuse_shared_outputs(outputs: Iterable[tuple[str, str | os.PathLike[str] | None]],
                          inputs: Iterable[str | os.PathLike[str]] = (), *,
                          folder: tuple[str, Path | None] | None = None) -> None:
    """Stop (exit 2) before anything is written when an output (option, path) would replace another: when it
    names an input (:func:`refuse_input_as_output`), when two outputs name the same file (the one written last
    would replace the other), or when it lies inside the output ``folder`` (option, path: a batch folder holds
    only its own files, and a file of it would be replaced).

    >>> refuse_shared_outputs([('--rejects', 'out/batch/records.jsonl')], folder=('-o', Path('out/batch')))
    ... # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    UsageError: --rejects must not be inside the output folder out/batch (-o)
    """
    inputs = list(inputs)
    seen: list[tuple[str, Path]] = []
    for option, output in outputs:
        if output is None:
            continue
        refuse_input_as_output(output, inputs, option)
        for other_option, other in seen:
            if _same_file(Path(output), other):
                raise click.UsageError(bilingual(f"{option} 与 {other_option} 指向同一个文件 {output}",
                                                 f"{option} and {other_option} name the same file: {output}"))
        if folder is not None and folder[1] is not None and _inside(Path(output), folder[1]):
            raise click.UsageError(bilingual(
                f"{option} 不能位于输出文件夹 {folder[1]}（{folder[0]}）之内：批次只含它自己的文件",
                f"{option} must not be inside the output folder {folder[1]} ({folder[0]}): a batch holds only "
                "its own files"))
        seen.append((option, Path(output)))


def prepare_output_dir(folder: Path, *, force: bool, inputs: Iterable[str | os.PathLike[str]] = ()) -> Path | None:
    """Make sure ``folder`` can take a command's output; return the outermost folder this made (``folder``
    or a parent that did not exist), None if ``folder`` was there, so a failed run can remove what it made
    (:func:`remove_made_dirs`).

    The folder must be new or empty unless ``force`` (then only the files the command writes are replaced);
    it must not be, or contain, an input; leftovers of a killed run (temporary files whose writer is gone)
    are removed first.  A new folder is private (0700): outputs hold personal data.  Exit 2 otherwise.
    """
    sources = [Path(source) for source in inputs if os.fspath(source) != "-"]
    if folder.exists() and not folder.is_dir():
        raise click.UsageError(bilingual(f"输出路径 {folder} 已存在且不是文件夹", f"output {folder} exists and is "
                                         "not a folder"))
    for source in sources:
        try:
            parents = source.resolve().parents
        except (OSError, RuntimeError):  # a symbolic link loop (RuntimeError before Python 3.13): no folder holds it
            parents = ()
        if _same_file(folder, source) or any(_same_file(parent, folder) for parent in parents):
            raise click.UsageError(bilingual(f"输出文件夹 {folder} 不能包含输入文件 {source}",
                                             f"output folder {folder} must not hold the input file {source}"))
    if folder.is_dir():
        remove_stale_temporaries(folder)
        if not force and any(folder.iterdir()):
            raise click.UsageError(bilingual(f"输出文件夹 {folder} 不是空的；用 --force 覆盖其中的输出文件",
                                             f"output folder {folder} is not empty; use --force to replace the "
                                             "files this command writes there"))
        return None
    return make_private_dir(folder)


def make_private_dir(folder: Path) -> Path | None:
    """Make ``folder`` (and its missing parents) readable by its owner only (0700: outputs hold personal data);
    return the outermost folder this made, for :func:`remove_made_dirs`, or None if ``folder`` was there.
    Exit 2 when it cannot be made."""
    if folder.is_dir():
        return None
    outermost = folder
    while not outermost.parent.exists() and outermost.parent != outermost:
        outermost = outermost.parent
    try:
        folder.mkdir(parents=True, mode=0o700)
        folder.chmod(0o700)  # whatever the umask
    except OSError as error:
        remove_made_dirs(folder, outermost)
        raise InputError(f"无法创建输出文件夹 {folder}：{error.strerror}",
                         f"cannot create output folder {folder}: {error.strerror}") from None
    return outermost


def leave_no_batch(folder: Path, made: Path | None) -> None:
    """After a run that accepted no record (``exchange.empty``): remove the batch folder if the run made it
    (:func:`prepare_output_dir`), and an older batch's ``manifest.json`` and ``records.jsonl`` in a folder it
    did not make (``--force``), the manifest first, so that nothing there verifies as this run's batch.
    """
    from creditstd.records.exchange import MANIFEST, RECORDS

    remove_made_dirs(folder, folder if made else None)
    for name in (MANIFEST, RECORDS):
        with contextlib.suppress(FileNotFoundError):
            (folder / name).unlink()


def remove_made_dirs(folder: Path, outermost: Path | None) -> None:
    """Undo :func:`prepare_output_dir`: remove ``folder`` with what the run wrote in it, then each parent up to
    ``outermost`` that is empty (a parent someone else put a file in stays).  Nothing when ``outermost`` is None.
    """
    if outermost is None:
        return
    shutil.rmtree(folder, ignore_errors=True)
    for parent in folder.parents:
        if parent == outermost.parent:
            break
        with contextlib.suppress(OSError):
            parent.rmdir()


@contextlib.contextmanager
def naming_failures(path: str | os.PathLike[str] | None) -> Iterator[None]:
    """Give an :class:`OSError` raised in the block without a file name the name of the output written there
    (``path``; None: standard output), so that an :func:`output_stream` the block runs inside does not take
    it for its own.

    >>> try:
    ...     with naming_failures(None):
    ...         raise OSError(28, 'No space left on device')
    ... except OSError as error:
    ...     print(error.filename)
    <stdout>
    """
    try:
        yield
    except OSError as error:
        if error.filename is None:
            error.filename = "<stdout>" if path is None else os.fspath(path)
        raise


def _healthy(stream: TextIO) -> bool:
    """Whether ``stream`` still takes writes: an error without a file name raised inside an
    :func:`output_stream` block (a full disk, a closed pipe) came from another stream if this one flushes."""
    try:
        stream.flush()
    except (OSError, ValueError):
        return False
    return True


class _NamingWrites:
    """A text stream whose failed writes name the file they were for: a write that fails in a thread or a
    buffer that is flushed later (a full disk under the rejects) would otherwise be told from another
    stream's failure only by whether the stream still flushes, which a stream that dropped its buffer does."""

    def __init__(self, stream: TextIO, path: str) -> None:
        self._stream, self._path = stream, path

    def _name(self, error: OSError) -> None:
        if error.filename is None and not isinstance(error, BrokenPipeError):  # a reader gone: 141, no message
            error.filename = self._path

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as error:
            self._name(error)
            raise

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as error:
            self._name(error)
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def output_stream(path: str | os.PathLike[str] | None, encoding: str = "utf-8", *,
                  private: bool = False) -> Iterator[TextIO]:
    """A text stream to stdout (``path`` None), or to a temporary file renamed over ``path`` once complete
    (a device or a named pipe at ``path``, such as ``/dev/null``, is written to instead).

    Nothing is left at ``path`` when the block fails: outputs are written atomically.  ``private`` files
    (holding raw input, personal data) are readable by their owner only.
    """
    if path is None:
        sys.stdout.flush()
        console = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="")
        try:
            yield console
        finally:
            console.flush()
            console.detach()
        return
    in_block = own = False
    name = os.fspath(path)
    try:
        with atomic_writer(path, "w", encoding=encoding, private=private, special=True) as stream:
            in_block = True
            try:
                yield cast(TextIO, _NamingWrites(stream, name))
            except OSError as error:  # this stream's, or another's that failed inside the block
                own = not isinstance(error, BrokenPipeError) and (
                    error.filename == name or (error.filename is None and not _healthy(stream)))
                raise
            in_block = False
    except OSError as error:  # the folder is missing or read-only, the disk is full...
        if isinstance(error, BrokenPipeError):  # a pipe at path whose reader went away: exit 141, as for stdout
            raise
        if in_block and not own:  # another file or stream failed inside the block: it names itself, or an outer
            raise  # output_stream does
        raise InputError(f"无法写入 {path}：{error.strerror}", f"cannot write {path}: {error.strerror}") from None
