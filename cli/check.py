"""``creditstd check``: identify, validate and explain identifiers.

Numbers come from the arguments, from ``--file`` (one per line; blank lines
and ``#`` comments are skipped) or from stdin.  Citizen ID numbers and the
birth dates inside them are personal information: they are masked in the
output unless ``--reveal`` is given.

Two paths give the same bytes.  The per-item path (:func:`run`) checks one
value at a time with :func:`creditstd.codes.verdict.check`.  The bulk path
(:func:`run_bulk`), taken for ``--file``/stdin with ``-q`` or a JSON format,
reads the input a block at a time (:func:`block_scale`: 1 MB with ``-q``,
512 kB for JSON).  NumPy finds a UTF-8 block's lines (its newlines); a line
of 9, 15 or 18 bytes in canonical form (digits and upper-case letters) is
its own stripped text, so the lines of each length become one NumPy matrix
straight from the bytes, checked with one pass per kind
(:func:`creditstd.codes.batch.canonical_valid`, exact on canonical rows);
any other line is decoded and stripped as :func:`read_lines` does.  A valid
line (with ``-q``: nothing to write) is written from a template: the real
JSON of a first sample with the per-line parts cut out, assembled per kind
from fixed-width pieces NumPy makes (line number, number, masked number...)
and looked-up pieces (authority, region, sex...) cached per key, checked
against the per-item path's own output for the first line of each template.
An invalid line whose errors the NumPy pass names is written from a
template per set of errors, its echo masked as a matrix (:func:`_masked_runs`).
With UTF-8 output every part of every line of a block becomes one element of
an Arrow ``binary_view`` array in output order (:func:`_joined`), and the
cast of that array to ``binary`` copies each part once into one buffer
(:func:`_materialised`; NumPy copies small outputs, and all of them where
PyArrow is older than 18); a thread makes and writes a block's output while
the next block is checked (:class:`_Behind`), so no object is made per line.
Every other line (separators, lower case, full width, too long, a value
shown as a USCC or registration number that may be an ID number) goes
through the per-item path, so messages, masking and exit codes cannot
differ; memory stays that of a few blocks.

>>> options = Options(strict=False, kind=None, output='jsonl', reveal=False, quiet=False)
>>> line = item_output(3, check('91350100M000100Y43'), options)
>>> line.startswith('{"line": 3, "input": "91350100M000100Y43", "valid": true, "kind": "uscc"')
True
"""

from __future__ import annotations

import codecs
import dataclasses
import enum
import functools
import gc
import io
import itertools
import json
import os
import queue
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, ClassVar

import click

from creditstd.cli._io import (
    CHECK_LINE_BYTES,
    InputError,
    Line,
    Unreadable,
    line_error,
    lines_of,
    open_text_input,
    read_lines,
)
from creditstd.codes import batch, orgcode, regno, ric, uscc
from creditstd.codes import redact as redact_module
from creditstd.codes._text import MAX_LENGTH
from creditstd.codes.identify import KIND_FAMILIES, IdentifierKind
from creditstd.codes.redact import is_legal_person_code, redact
from creditstd.codes.verdict import Verdict, check, to_jsonable
from creditstd.exceptions import bilingual, make_error
from creditstd.findings import Finding
from creditstd.records.jsonline import bounded_lines, printable

__all__ = ["check_command", "run", "run_bulk"]

#: ``--kind``: identify, or check as one of the kind families (``ric``: an ID number of any sub-kind).
KINDS = ["auto", *(kind.value for kind in KIND_FAMILIES)]

#: Labels for the fields of the parse results, in Chinese and English.
LABELS: dict[str, tuple[str, str]] = {
    "number": ("号码", "number"),
    "kind_name": ("类型", "kind"),
    "authority": ("登记管理部门", "registration authority"),
    "category": ("机构类别", "organisation category"),
    "region_code": ("行政区划码", "region code"),
    "region": ("行政区划", "region"),
    "orgcode": ("主体标识码（组织机构代码）", "embedded organisation code"),
    "orgcode_valid": ("组织机构代码校验", "organisation code check"),
    "check_digit": ("校验码", "check character"),
    "check_valid": ("校验码正确", "check character correct"),
    "birth_date": ("出生日期", "birth date"),
    "sequence": ("顺序码", "sequence"),
    "sex": ("性别", "sex"),
    "country_code": ("国籍代码", "country code"),
    "possible_centenarian": ("可能为百岁老人编号", "possible centenarian sequence"),
    "body": ("本体代码", "body"),
    "is_custom_range": ("自定义区", "custom range"),
    "ownership": ("主体类型", "kind of entity"),
}
HIDDEN = "已隐藏 hidden (--reveal)"
#: Fields of a personal ID number hidden unless --reveal (sequence and check stay: the masked number shows them).
PERSONAL_FIELDS = frozenset({"number", "birth_date"})


@dataclass(frozen=True)
class Options:
    """What the user asked for, parsed from the command line."""

    strict: bool
    kind: str | None
    output: str
    reveal: bool
    quiet: bool


#: Outputs joined, encoded and written at a time (bounds the memory a block's output takes).
_WRITE_LINES = 4096
#: Most characters of an input echoed back in a report; the rest is counted, not shown.
SHOWN_CHARS = 80


def _shown(verdict: Verdict, reveal: bool) -> str:
    """How the input is echoed: a valid non-personal identifier as given; a valid ID number masked; anything
    else (an invalid line may hold an ID number among other text) with every run that may be one masked."""
    if reveal or (verdict.valid and not verdict.is_personal):
        return printable(verdict.text, SHOWN_CHARS)
    if verdict.valid and verdict.number:
        return ric.mask(verdict.number)
    return printable(redact(verdict.text), SHOWN_CHARS)


def _public_info(verdict: Verdict, reveal: bool) -> dict | None:
    info = to_jsonable(verdict.info)
    if info is None or reveal or not verdict.is_personal:
        return info
    if not isinstance(verdict.info, ric.RICInfo):  # read as another kind, but it may be an ID: region only
        return {key: info[key] for key in ("region_code", "region") if key in info}
    for field in PERSONAL_FIELDS & info.keys():
        if info[field] is not None:
            info[field] = ric.mask(info[field]) if field == "number" else HIDDEN
    return info


def _value_text(value: object) -> str:
    if isinstance(value, dict):
        if "zh" in value:
            return f"{value['code']} {value['zh']} ({value['en']})"
        if "name" in value:
            state = "现行 current" if value.get("end_year") is None else f"已撤销 abolished {value['end_year']}"
            return f"{value['code']} {value['name']} ({value['name_en']}; {state})"
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    return "—" if value is None else str(value)


def _kind_name(kind: str | None) -> tuple[str, str]:
    """A kind's name in Chinese and English; a value that matches no kind is of kind 未知 / unknown."""
    if kind is None:
        return "未知", "unknown"
    named = IdentifierKind(kind)
    return named.zh, named.en


def _problem_json(problem: Finding) -> dict[str, object]:
    """One error of a verdict as ``--format json`` has always written it."""
    return {
        "kind": problem.kind or "unknown",
        "code": problem.code,
        "position": problem.position,
        "message_zh": problem.message_zh,
        "message_en": problem.message_en,
    }


def render_text(where: str, verdict: Verdict, options: Options) -> Iterator[str]:
    """Yield the lines that describe one verdict for a person."""
    shown = _shown(verdict, options.reveal)
    if verdict.valid:
        zh, en = _kind_name(verdict.kind)
        also = f"  (也可能是/also valid as: {', '.join(verdict.also)})" if verdict.also else ""
        yield f"✓ {where}{shown}  {zh} / {en}{also}"
        info = _public_info(verdict, options.reveal) or {}
        for field, value in info.items():
            if field in LABELS and field not in ("number", "region_code") and value not in (None, False):
                zh, en = LABELS[field]
                yield f"    {zh} / {en}: {_value_text(value)}"
        return
    yield f"✗ {where}{shown}"
    for problem in verdict.errors:
        zh, en = _kind_name(problem.kind)
        at = f" @{problem.position}" if problem.position else ""
        yield f"    {zh} / {en}: {problem.code}{at}: {bilingual(problem.message_zh, problem.message_en)}"


def render_json(line: int | None, verdict: Verdict, options: Options) -> dict:
    """The JSON object for one verdict."""
    return {
        "line": line,
        "input": _shown(verdict, options.reveal),
        "valid": verdict.valid,
        "kind": verdict.kind,
        "also": list(verdict.also),
        "info": _public_info(verdict, options.reveal),
        "errors": [_problem_json(problem) for problem in verdict.errors],
    }


def _too_long() -> Verdict:
    """The verdict on a line too long to read (no identifier is that long)."""
    return Verdict("", False, errors=(Finding.from_error(make_error("input.too_long", limit=MAX_LENGTH)),))


def item_output(line: int | None, verdict: Verdict, options: Options) -> str:
    """What the per-item path writes for one verdict (without the separator or newline around it)."""
    if options.output == "text":
        where = f"line {line}: " if line else ""
        return "\n".join(render_text(where, verdict, options))
    return json.dumps(render_json(line, verdict, options), ensure_ascii=False)


class _Writer:
    """Writes results as the command always has: text and JSON Lines one per line, ``json`` as one document.

    A block's output described as :class:`_Parts` is made and written by a thread of its own (:class:`_Behind`)
    while the next block is checked; every other write waits for it first, so the order of the output is the
    order of the calls.

    The ``json`` document is begun with the first output (an input that cannot be opened writes nothing) and
    always ended: by :meth:`finish`, or by :meth:`fail` when the input cannot be read on."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.listed = 0
        self._binary: str | None = None
        self._behind: _Behind | None = None
        self._begun = False

    def _begin(self) -> None:
        if not self._begun:
            self._begun = True
            if self.options.output == "json":
                click.echo('{"results": [', nl=False)

    def write(self, outputs: list[Any]) -> None:
        """Write ``outputs``: all text, or all UTF-8 bytes (only when :meth:`binary`), or an :class:`_Output` (a
        block's outputs as pieces of bytes or :class:`_Parts`, joined as this format joins them: JSON, each one
        after ``,\\n  ``)."""
        if not outputs:
            return
        self._begin()
        if isinstance(outputs, _Output):
            for piece in outputs:
                skip = 1 if self.options.output == "json" and not self.listed else 0  # the first: after "\\n  "
                if isinstance(piece, _Parts):  # (never empty)
                    sys.stdout.flush()
                    stream = getattr(sys.stdout, "buffer", None)
                    if stream is not None:
                        if self._behind is None:
                            self._behind = _Behind()
                        self._behind.put(functools.partial(piece.write, stream, skip))
                        self.listed += 1
                        continue
                    piece = piece.made()
                self.wait()
                piece = piece[skip:]
                if not len(piece):
                    continue
                self.listed += 1
                if isinstance(piece, bytes) and b"\x1b" in piece:
                    self._echo(piece.decode("utf-8"))
                else:  # click.echo(piece, nl=False), for any bytes-like piece: to the binary buffer of stdout
                    sys.stdout.flush()
                    stream = getattr(sys.stdout, "buffer", None)
                    if stream is None:
                        click.echo(bytes(piece), nl=False)
                    else:
                        stream.write(piece)
                        stream.flush()
            return
        self.wait()
        for start in range(0, len(outputs), _WRITE_LINES):  # a bounded piece at a time: memory stays small
            chunk = outputs[start : start + _WRITE_LINES]
            if type(chunk[0]) is bytes:
                if self.options.output == "json":
                    click.echo(b",\n  " if self.listed else b"\n  ", nl=False)
                    data = b",\n  ".join(chunk)
                else:
                    data = b"\n".join([*chunk, b""])  # the last newline without a copy of the whole
                self.listed += len(chunk)
                if b"\x1b" in data:
                    self._echo(data.decode("utf-8"))
                else:
                    click.echo(data, nl=False)
                continue
            if self.options.output == "json":
                text = (",\n  " if self.listed else "\n  ") + ",\n  ".join(chunk)
            else:
                text = "\n".join(chunk) + "\n"
            self.listed += len(chunk)
            self._echo(text)

    def wait(self) -> None:
        """Wait until the outputs handed to the writing thread are written (raising what writing them raised)."""
        if self._behind is not None:
            self._behind.wait()

    def close(self) -> None:
        """End the writing thread once what it holds is written (an error writing it is raised by :meth:`wait`,
        not here: this runs on the way out of an error too)."""
        if self._behind is not None:
            self._behind.close()
            self._behind = None

    def _echo(self, text: str) -> None:
        """``click.echo(text, nl=False)``, as UTF-8 bytes where that writes the same bytes (no ANSI escape for
        click to strip, a UTF-8 text stream): the encoding is done once for the whole piece."""
        if self.binary() and "\x1b" not in text:
            click.echo(text.encode("utf-8"), nl=False)
        else:
            click.echo(text, nl=False)

    def binary(self) -> bool:
        """Whether UTF-8 bytes given to ``click.echo`` write what any text would (a UTF-8 text stream, strict
        errors, ``\n`` line ends)."""
        return self.errors() == "strict"

    def errors(self) -> str | None:
        """The error handler of stdout when it is a UTF-8 text stream with ``\n`` line ends (bytes encoded with
        it, given to ``click.echo``, write what the text would), else None."""
        if self._binary is None:
            stream = sys.stdout  # what click.echo writes to, unless it must rewrap it (then: not UTF-8 here)
            codec = getattr(stream, "encoding", None)
            try:
                utf8 = codecs.lookup(codec).name == "utf-8" if codec else False
            except LookupError:
                utf8 = False
            errors = getattr(stream, "errors", None)
            self._binary = errors if utf8 and os.linesep == "\n" and isinstance(errors, str) else ""
        return self._binary or None

    def finish(self, total: int, invalid: int) -> int:
        self.wait()
        self._begin()
        summary = {"checked": total, "valid": total - invalid, "invalid": invalid}
        if self.options.output == "json":
            click.echo(f'\n], "summary": {json.dumps(summary)}}}')
        else:
            click.echo(
                bilingual(
                    f"共检查 {total} 个，有效 {total - invalid} 个，无效 {invalid} 个",
                    f"{total} checked, {total - invalid} valid, {invalid} invalid",
                ),
                err=True,
            )
        return 1 if invalid else 0

    def fail(self, error: Unreadable, total: int, invalid: int) -> None:
        """End the output when the input cannot be read on (``error`` is raised next: exit 2, the message on
        stderr): what is written stays whole (text and JSON Lines: whole lines), and the ``json`` document is
        closed, its summary counting the lines checked, its ``error`` member saying where reading stopped."""
        self.wait()
        self._begin()
        if self.options.output == "json":
            summary = {"checked": total, "valid": total - invalid, "invalid": invalid}
            member = json.dumps(error.to_json(), ensure_ascii=False)
            click.echo(f'\n], "summary": {json.dumps(summary)}, "error": {member}}}')


def run(items: Iterable[tuple[int | None, str | None]], options: Options) -> int:
    """Check every item (``None``: a line too long to read), write the findings as they come (memory stays
    flat), return the exit code."""
    total = invalid = 0
    writer = _Writer(options)
    try:
        for line, text in items:
            verdict = _too_long() if text is None else check(text, strict=options.strict, kind=options.kind)
            total += 1
            invalid += not verdict.valid
            if options.quiet and verdict.valid:
                continue
            writer.write([item_output(line, verdict, options)])
    except Unreadable as error:
        writer.fail(error, total, invalid)
        raise
    return writer.finish(total, invalid)


# --------------------------------------------------------------------------------------------
# The bulk path: blocks of lines, one NumPy pass per kind, templates for the valid lines.

#: Bytes read at a time by the bulk path (lines are never cut: a block ends at its last newline).
BLOCK_BYTES = 1 << 18
#: Lines per block when the lines come from :func:`read_lines` (encodings other than UTF-8).
BLOCK_LINES = 32768
_FAST_CODECS = frozenset({"utf-8", "utf-8-sig"})
_BOM = "\ufeff"


def block_scale(quiet: bool) -> int:
    """The ``scale`` of :func:`_read_blocks` for the command line's bulk path: ``-q`` reads 4 times
    ``BLOCK_BYTES`` at a time (it writes little), the JSON formats twice."""
    return 4 if quiet else 2


def _read_blocks(path: str, encoding: str, scale: int = 1) -> Iterator[Any]:
    """Yield blocks of exactly the lines :func:`read_lines` yields: a :class:`_ByteBlock`, or ``(line numbers,
    texts)`` (``None``: too long).

    UTF-8 input is read ``scale * BLOCK_BYTES`` at a time (:func:`block_scale`: ``-q`` 4 times as much, it
    writes little; the JSON formats twice: fewer NumPy calls per line, an output buffer of about 20 MB) and split
    here; any other encoding, and any block with a line too long or bytes that are not UTF-8, goes through
    :func:`read_lines`' own per-line reading, which raises the same :class:`InputError` naming the same line:
    split on the line feed byte where it is never part of a character (GB 18030), else on the decoded text
    (UTF-16, UTF-32, EBCDIC: :func:`~creditstd.cli._io.lines_of`)."""
    with open_text_input(path, encoding) as (stream, codec):
        if codec.name in _FAST_CODECS:
            yield from _utf8_blocks(stream, path, codec, scale * BLOCK_BYTES)
        else:
            yield from _blocks_of(lines_of(stream, path, codec))


def read_lines_from(
    stream: BinaryIO, path: str, codec: codecs.CodecInfo, *, first: int = 0, primed: bool = False
) -> Iterator[Line]:
    """:func:`read_lines` over an open stream whose lines before ``first + 1`` are already read (``primed``:
    the decoder has already decoded something, so a byte-order mark is no longer dropped)."""
    name = "<stdin>" if path == "-" else path
    decoder = codec.incrementaldecoder()
    if primed:
        decoder.decode(b"x")  # past the start: a UTF-8-sig decoder keeps a later BOM, as read_lines' would
    number = first
    try:
        for number, raw in bounded_lines(stream, limit=CHECK_LINE_BYTES):
            number += first
            if raw is None:
                decoder.reset()
                yield Line(number, "", True)
                continue
            try:
                text = decoder.decode(raw).strip()
            except UnicodeDecodeError:
                number -= 1
                raise
            if text and not text.startswith("#"):
                yield Line(number, text)
        decoder.decode(b"", final=True)
    except (ValueError, OSError) as error:  # UnicodeError is a ValueError
        raise line_error(name, number + 1, codec, error) from None


def _blocks_of(lines: Iterable[Line]) -> Iterator[tuple[list[int], list[str | None]]]:
    """``lines`` a block of :data:`BLOCK_LINES` at a time; the lines read before one that cannot be read are
    checked (and written) before the error is raised, as the per-line text output does."""
    numbers: list[int] = []
    texts: list[str | None] = []
    try:
        for line in lines:
            numbers.append(line.number)
            texts.append(None if line.overlong else line.text)
            if len(numbers) >= BLOCK_LINES:
                yield numbers, texts
                numbers, texts = [], []
    except InputError:
        if numbers:
            yield numbers, texts
        raise
    if numbers:
        yield numbers, texts


class _Rest(io.RawIOBase):
    """A stream of ``head`` followed by the rest of ``stream``: where the per-line reader takes over."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self.head, self.stream = memoryview(head), stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.head:
            size = min(len(buffer), len(self.head))
            buffer[:size] = self.head[:size]
            self.head = self.head[size:]
            return size
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _ByteBlock:
    """A block of UTF-8 input lines as bytes (CR LF read as LF, a leading byte-order mark dropped): ``data``,
    whose line ``i`` (blank lines and comments too) starts at ``starts[i]`` and is ``lengths[i]`` bytes long
    (NumPy arrays); line ``i`` of the block is line ``first + i + 1``.

    Iterating it gives the ``(numbers, texts)`` :func:`read_lines` gives for these lines (each line decoded
    and stripped, blank lines and comments left out): what the per-item path reads."""

    __slots__ = ("data", "first", "lengths", "starts")

    def __init__(self, first: int, data: bytes, starts: Any, lengths: Any) -> None:
        self.first, self.data, self.starts, self.lengths = first, data, starts, lengths

    def line(self, index: int) -> bytes:
        """Line ``index`` of the block, without its newline."""
        start = int(self.starts[index])
        return self.data[start : start + int(self.lengths[index])]

    def matrix(self, rows: Any, width: int) -> Any:
        """The lines ``rows`` (each ``width`` bytes long) as an ``(n, width)`` matrix of bytes, copied at once
        from a view of the data whose row ``j`` starts at byte ``j``."""
        np = batch._numpy()
        data = np.frombuffer(self.data, dtype=np.uint8)
        windows = np.lib.stride_tricks.as_strided(data, shape=(len(data) - width + 1, width), strides=(1, 1))
        return windows[self.starts[rows]]

    def __iter__(self) -> Iterator[Any]:
        texts = [self.line(index).decode("utf-8").strip() for index in range(len(self.lengths))]
        numbers = [self.first + index for index, text in enumerate(texts, 1) if text and text[0] != "#"]
        kept: list[str | None] = [texts[number - self.first - 1] for number in numbers]
        return iter((numbers, kept))


def _line_spans(data: bytes) -> tuple[Any, Any]:
    """Where each line of ``data`` starts and how long it is (without its newline; a last line with no newline
    counts, an empty one after the last newline does not), as ``bytes.split`` would cut it: NumPy arrays."""
    np = batch._numpy()
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    starts = np.concatenate([np.zeros(1, dtype=np.intp), newlines + 1])
    stops = np.concatenate([newlines, np.array([len(data)], dtype=np.intp)])
    if stops[-1] == starts[-1]:  # (nothing after the last newline)
        starts, stops = starts[:-1], stops[:-1]
    return starts, stops - starts


class _LineTexts:
    """``texts[i]``: the text of line ``i`` of a :class:`_ByteBlock`, decoded when asked for (a line in
    canonical form is its own text); the lines that had to be stripped are given."""

    __slots__ = ("block", "stripped")

    def __init__(self, block: _ByteBlock, stripped: dict[int, str]) -> None:
        self.block, self.stripped = block, stripped

    def __getitem__(self, index: int) -> str:
        text = self.stripped.get(index)
        return self.block.line(index).decode("ascii") if text is None else text


def _utf8_blocks(stream: BinaryIO, path: str, codec: codecs.CodecInfo, size: int) -> Iterator[Any]:
    name = "<stdin>" if path == "-" else path
    np = batch._numpy()
    first = 0  # lines before this block
    pending = b""
    sig = codec.name == "utf-8-sig"
    while True:
        try:
            data = stream.read(size)
        except OSError as error:
            raise line_error(name, first + 1, codec, error) from None
        cut = pending.__len__() + data.rfind(b"\n") + 1 if data else len(pending)
        chunk = pending + data
        block, pending = (chunk[:cut], chunk[cut:]) if data else (chunk, b"")
        if not block:
            if not data:
                return
            if len(pending) > CHECK_LINE_BYTES:  # a line too long, still going: let the per-line reader skip it
                break
            continue
        if not block.isascii():
            try:
                block.decode("utf-8")
            except UnicodeError:
                break  # the per-line reader reads this block again, and what follows, line by line
        body = block[3:] if sig and first == 0 and block.startswith(codecs.BOM_UTF8) else block
        if b"\r" in body:  # strip() drops a line's CR anyway (and the per-line reader checks lengths with it)
            body = body.replace(b"\r\n", b"\n")
        if np is None:
            lines = body.split(b"\n")
            if lines[-1] == b"":
                lines.pop()
            if any(len(line) >= CHECK_LINE_BYTES for line in lines):
                break
            texts = (line.decode("utf-8").strip() for line in lines)
            kept = [(first + index, text) for index, text in enumerate(texts, 1) if text and text[0] != "#"]
            first += len(lines)
            yield [number for number, _ in kept], [text for _, text in kept]
        else:
            starts, lengths = _line_spans(body)
            if len(lengths) and int(lengths.max()) >= CHECK_LINE_BYTES:  # (with its CR it may be too long)
                break
            yield _ByteBlock(first, body, starts, lengths)
            first += len(lengths)
        if not data:
            return
    # the rare case: a line too long or bytes that are not UTF-8; read on line by line from the block's start
    rest = io.BufferedReader(_Rest(block + pending, stream), buffer_size=1 << 16)
    yield from _blocks_of(read_lines_from(rest, path, codec, first=first, primed=not sig or first > 0))


def run_bulk(blocks: Iterable[Any], options: Options) -> int:
    """:func:`run` for blocks of lines (``(numbers, texts)`` or a :class:`_ByteBlock`): the same output, in
    the same order, checked a block at a time."""
    total = invalid = 0
    writer = _Writer(options)
    templates = _Templates(options)
    collecting = gc.isenabled()
    gc.disable()  # the loop makes many objects and no cycles: the collector's passes only cost time
    try:
        try:
            for block in blocks:
                if isinstance(block, _ByteBlock):
                    outputs, bad, count = _check_bytes(block, options, templates, writer.errors())
                else:
                    numbers, texts = block
                    outputs, bad = _check_block(numbers, texts, options, templates)
                    count = len(texts)
                total += count
                invalid += bad
                writer.write(outputs)
        except Unreadable as error:
            writer.fail(error, total, invalid)
            raise
        return writer.finish(total, invalid)
    finally:
        writer.close()  # (output handed to the writing thread is written first, whatever happened)
        if collecting:
            gc.enable()


#: Kinds whose canonical form has each length, and the kind a valid ID number of each shape is reported as.
_WIDTH_KINDS = {18: ("uscc", "ric"), 15: ("regno", "ric"), 9: ("orgcode",)}
_PERMITS = [code.encode() for code in sorted(ric.PERMIT_REGIONS)]


def _classify(
    width: int, rows: Any, texts: Any, options: Options, invalid: _Invalid, matrix: Any = None
) -> list[tuple[str, Any, Any, tuple[str, ...], Any]]:
    """The lines of one length that are valid and written from a template: ``(verdict kind, rows, flags, also,
    mask)`` groups (``rows``: ``rows[mask]``; with ``-q``: one group of every valid line, nothing to write); the
    invalid canonical ones are handed to ``invalid``.  ``matrix``: the rows' :func:`batch.text_matrix`, when the
    caller has it already, all of them in canonical form."""
    np = batch._numpy()
    if matrix is None:
        matrix = batch.text_matrix([texts[row] for row in rows.tolist()], width)
        canonical = batch.canonical_rows(matrix)
    else:
        canonical = np.ones(len(rows), dtype=bool)
    kinds = _WIDTH_KINDS[width]
    loose = {kind: batch.canonical_valid(matrix, kind) & canonical for kind in kinds}
    # valid as each kind in the strictness asked for (check() keeps, in strict mode, the kinds valid strictly)
    valid_as = (
        {kind: batch.canonical_valid(matrix, kind, strict=True) & canonical for kind in kinds}
        if options.strict
        else loose
    )
    if options.kind is None:
        valid = np.zeros(len(rows), dtype=bool)
        for kind in kinds:
            valid |= valid_as[kind]
        invalid.add(width, rows, matrix, canonical & ~valid)
    else:
        valid = valid_as[options.kind] if options.kind in kinds else np.zeros(len(rows), dtype=bool)
        if options.kind in kinds:
            invalid.add(width, rows, matrix, canonical & ~valid)
    if options.quiet:  # a valid line writes nothing: which kinds it is valid as does not matter
        return [("", rows[valid], None, (), valid)]
    groups: list[tuple[str, Any, Any, tuple[str, ...]]] = []
    if options.kind is None:
        for kind in kinds:
            ok = valid_as[kind].copy()
            for other in kinds:
                if other != kind:
                    ok &= ~valid_as[other]
            if kind != "ric" and "ric" in kinds:  # may be an ID number (identify() is not strict): per item
                ok &= ~loose["ric"]
            groups += _ric_split(kind, width, matrix, rows, ok, ())
        if len(kinds) == 2:  # valid as an ID number and as the other kind: shown as an ID number (masked)...
            other = kinds[0]
            both = valid_as["ric"] & valid_as[other]
            if both.any() and not options.strict:  # ...when it passes the strict check or the other does not
                strict_ric = np.zeros(len(rows), dtype=bool)
                strict_other = np.zeros(len(rows), dtype=bool)
                where = np.flatnonzero(both)
                part = np.ascontiguousarray(matrix[where])
                strict_ric[where] = batch.canonical_valid(part, "ric", strict=True)
                strict_other[where] = batch.canonical_valid(part, other, strict=True)
                both &= strict_ric | ~strict_other  # the rest: the other kind first (per item)
            groups += _ric_split("ric", width, matrix, rows, both, (other,))
    elif options.kind in kinds:
        ok = valid.copy()
        if options.kind != "ric" and "ric" in kinds:  # a number that is also an ID number is masked: per item
            ok &= ~loose["ric"]
        groups.append((options.kind, rows[ok], ok, ()))
    result = []
    for label, chosen, mask, also in groups:
        if label == "uscc":  # a mistyped ID number may pass as a USCC: such lines are echoed masked, per item
            person = _maybe_persons(matrix, mask)
            if person.any():
                mask = mask & ~person
                chosen = rows[mask]
        flags = None
        if label == "uscc" and len(chosen):  # the embedded organisation code's own check
            flags = batch.canonical_valid(np.ascontiguousarray(matrix[mask][:, 8:17]), "orgcode")
        result.append((label, chosen, flags, also, mask))
    return result


def _maybe_persons(matrix: Any, mask: Any) -> Any:
    """The rows ``mask`` of an 18-wide canonical matrix, valid as USCCs, that may yet be a mistyped ID number
    (:func:`~creditstd.codes.redact.is_legal_person_code` does not keep them): asked per row of the few that
    fail the strict USCC checks, those that pass them are a legal person's.

    >>> rows = ['91350100M000100Y43', '130626199707219977']
    >>> _maybe_persons(batch.text_matrix(rows, 18), batch._numpy().ones(2, bool)).tolist()
    [False, True]
    """
    np = batch._numpy()
    person = np.zeros(len(matrix), dtype=bool)
    where = np.flatnonzero(mask)
    if len(where):
        strict = batch.canonical_valid(np.ascontiguousarray(matrix[where]), "uscc", strict=True)
        for row in where[~strict].tolist():
            person[row] = not is_legal_person_code(matrix[row].tobytes().decode("ascii"))
    return person


def _ric_split(
    kind: str, width: int, matrix: Any, rows: Any, ok: Any, also: tuple[str, ...]
) -> list[tuple[str, Any, Any, tuple[str, ...]]]:
    """The groups of the rows ``ok`` valid as ``kind``: an ID number by the kind :func:`check` reports."""
    np = batch._numpy()
    if kind != "ric":
        return [(kind, rows[ok], ok, also)]
    if width == 15:
        return [("citizen_id_15", rows[ok], ok, also)]
    foreigner = matrix[:, 0] == ord("9")
    permit = np.zeros(len(matrix), dtype=bool)
    maybe = np.zeros(len(matrix), dtype=bool)
    for first in {code[0] for code in _PERMITS}:  # (few rows start as a permit's code does)
        maybe |= matrix[:, 0] == first
    maybe = np.flatnonzero(maybe & ok)
    if len(maybe):
        head = np.ascontiguousarray(matrix[maybe, :6]).view("S6").ravel()
        permit[maybe] = np.isin(head, _PERMITS)
    return [
        ("foreigner_pr", rows[ok & foreigner], ok & foreigner, also),
        ("residence_permit", rows[ok & permit], ok & permit, also),
        ("citizen_id", rows[ok & ~foreigner & ~permit], ok & ~foreigner & ~permit, also),
    ]


def _check_block(
    numbers: list[int], texts: list[str | None], options: Options, templates: _Templates
) -> tuple[list[str], int]:
    """Check one block; return what to write (in line order) and how many lines were invalid."""
    results, bad = _check_results(numbers, texts, options, templates)
    return [result for result in results if result is not None], bad


def _check_results(numbers: Any, texts: Any, options: Options, templates: _Templates) -> tuple[list[str | None], int]:
    """Check one block; return each line's output (None: nothing to write) and how many lines were invalid."""
    np = batch._numpy()
    count = len(texts)
    results: list[str | None] = [None] * count
    fast = None
    bad = 0
    if np is not None and count:
        if None in texts:
            lengths = np.array([-1 if text is None else len(text) for text in texts], dtype=np.intp)
        else:
            lengths = np.fromiter(map(len, texts), dtype=np.intp, count=count)
        fast = np.zeros(count, dtype=bool)
        invalid = templates.invalid
        invalid.begin(numbers, texts, results, fast)
        for width in _WIDTH_KINDS:
            rows = np.flatnonzero(lengths == width)
            if not len(rows):
                continue
            for label, chosen, flags, also, _ in _classify(width, rows, texts, options, invalid):
                if len(chosen) and (
                    options.quiet or templates.render(label, width, chosen, numbers, texts, flags, results, also)
                ):
                    fast[chosen] = True
        if options.kind is None:
            other = (lengths > 0) & (lengths <= MAX_LENGTH) & (lengths != 9) & (lengths != 15) & (lengths != 18)
            invalid.unknown_length(np.flatnonzero(other).tolist())
        bad = invalid.end()
    slow = range(count) if fast is None else np.flatnonzero(~fast).tolist()
    for index in slow:
        text = texts[index]
        verdict = _too_long() if text is None else check(text, strict=options.strict, kind=options.kind)
        if not verdict.valid:
            bad += 1
        elif options.quiet:
            continue
        results[index] = item_output(numbers[index], verdict, options)
    return results, bad


def _check_bytes(
    block: _ByteBlock, options: Options, templates: _Templates, binary: str | None = None
) -> tuple[Any, int, int]:
    """Check a :class:`_ByteBlock`: what to write (in line order: a list of texts, or with ``binary`` one
    ``bytes`` of UTF-8 encoded with that error handler, joined by :func:`_joined`), how many lines were invalid,
    how many read.

    A line of 9, 15 or 18 bytes in canonical form is its own stripped text: the NumPy passes read it from the
    bytes.  Every other line is decoded and stripped, and checked (blank lines and comments left out) as
    :func:`_check_block` checks a block of texts."""
    np = batch._numpy()
    lengths = block.lengths
    count = len(lengths)
    # bytes: a NumPy array of objects (a kind's lines placed at once); text: a list
    results: Any = np.full(count, None, dtype=object) if binary else [None] * count
    segments: list[tuple[Any, list[Any]]] = []  # bytes: the lines written from templates, as segments
    if templates.arena_size > _ARENA_BYTES:  # bounded: start again (no segment refers to a piece now)
        templates.clear_pieces()
    glue, after = (b",\n  ", False) if options.output == "json" else (b"\n", True)
    numbers = range(block.first + 1, block.first + 1 + count)
    stripped: dict[int, str] = {}
    texts = _LineTexts(block, stripped)
    fast = np.zeros(count, dtype=bool)
    canonical = np.zeros(count, dtype=bool)
    invalid = templates.invalid
    invalid.begin(
        numbers,  # type: ignore[arg-type]
        texts,  # type: ignore[arg-type]
        results,
        fast,
        binary,
        segments if binary else None,
        templates,
        glue,
        after,
    )
    for width in _WIDTH_KINDS:
        rows = np.flatnonzero(lengths == width)
        if not len(rows):
            continue
        matrix = block.matrix(rows, width)
        ok = batch.canonical_rows(matrix)
        if not ok.all():
            rows, matrix = rows[ok], matrix[ok]
        canonical[rows] = True
        for label, chosen, flags, also, mask in _classify(width, rows, texts, options, invalid, matrix):
            if not len(chosen):
                continue
            if not options.quiet:
                if binary:
                    if not templates.render_bytes(
                        label, width, chosen, matrix[mask], block.first + 1 + chosen, flags, segments, also, glue, after
                    ):
                        continue
                elif not templates.render(label, width, chosen, numbers, texts, flags, results, also):
                    continue
            fast[chosen] = True
    bad = invalid.end()
    for index in np.flatnonzero(canonical & ~fast).tolist():
        verdict = check(texts[index], strict=options.strict, kind=options.kind)
        if not verdict.valid:
            bad += 1
        elif options.quiet:
            continue
        output = item_output(numbers[index], verdict, options)
        results[index] = output.encode("utf-8", binary) if binary else output
    kept = int(canonical.sum())
    others = np.flatnonzero(~canonical).tolist()
    if others:
        read: list[int] = []
        for index in others:
            text = block.line(index).decode("utf-8").strip()
            if text and text[0] != "#":
                stripped[index] = text
                read.append(index)
        if read:
            found, more = _check_results(
                [numbers[index] for index in read], [stripped[index] for index in read], options, templates
            )
            for index, result in zip(read, found, strict=True):
                results[index] = result.encode("utf-8", binary) if binary and result is not None else result
            bad += more
            kept += len(read)
    if binary:
        return _joined(results, segments, glue, after, templates), bad, kept
    return list(filter(None, results)), bad, kept  # (no output is empty)


def _joined(
    results: Any, segments: list[tuple[Any, list[Any]]], glue: bytes, after: bool, templates: _Templates
) -> _Output:
    """A byte block's output: each line's output (``results``: bytes, or None; ``segments``: the lines written
    from templates, :meth:`_Templates._assemble`'s pairs with the glue in them) in line order, with ``glue``
    after (or before) each one.

    Every part of every line (a piece of the arena, a row of a run NumPy made, a per-item output with its glue)
    becomes one element of an Arrow ``binary_view`` array, in output order: a 16-byte view naming its buffer,
    offset and size (or holding it, up to 12 bytes), made by NumPy a column of rows at a time
    (:func:`_views`).  Casting that array to ``binary`` (:func:`_materialised`) copies every part once, in C++,
    into one contiguous buffer: the block's output, with no object made per line."""
    np = batch._numpy()
    written = np.flatnonzero(results.astype(bool))  # (no output is empty)
    outputs = results[written].tolist()
    if not segments:
        if not outputs:
            return _Output()
        return _Output([glue.join(outputs) + glue if after else glue + glue.join(outputs)])
    counts = np.zeros(len(results), dtype=np.int64)  # parts of each line
    counts[written] = 1
    for rows, columns in segments:
        counts[rows] = len(columns)
    firsts = np.cumsum(counts) - counts  # the element of each line's first part
    views = np.empty((int(firsts[-1] + counts[-1]), 4), dtype=np.int32)
    # a constant part (template text with the glue) is a piece of the arena like the looked-up ones
    segments = [
        (
            rows,
            [
                np.full(1, templates._piece_id(column), dtype=np.intp) if isinstance(column, bytes) else column
                for column in columns
            ],
        )
        for rows, columns in segments
    ]
    # each view as one 16-byte item: a row placed by index is then one copy, not four
    item = np.dtype((np.void, 16))
    slots = views.view(item).ravel()
    pieces = templates.piece_views().view(item).ravel()
    buffers: list[Any] = [templates.arena]
    data = b""
    if outputs:  # each with its glue, as one part
        data = glue.join(outputs) + glue if after else glue + glue.join(outputs)
        sizes = np.fromiter(map(len, outputs), dtype=np.int64, count=len(outputs)) + len(glue)
        made = _views(np.frombuffer(data, dtype=np.uint8), len(buffers), np.cumsum(sizes) - sizes, sizes)
        slots[firsts[written]] = made.view(item).ravel()
        buffers.append(data)
    for rows, columns in segments:
        at = firsts[rows]
        for column in columns:
            if column.ndim == 2:
                slots[at] = _matrix_views(column, len(buffers)).view(item).ravel()
                buffers.append(column)
            else:
                slots[at] = pieces[column]
            at += 1
    parts = _Parts(views, buffers)
    return _Output([bytes(parts.made()) if b"\x1b" in data else parts])  # (ANSI escapes: written as text, as always)


#: Least output of a block put together by Arrow (:func:`_materialised`): less (``-q``'s, a small file's) is copied
#: by NumPy, quickly enough, without the time and memory of importing PyArrow (0.1 s, 30 MB).
_ARROW_BYTES = 1 << 22
#: Longest part a ``binary_view`` element holds in itself (Arrow's format: its 16 bytes are the size and these).
_INLINE = 12


def _views(source: Any, index: int, starts: Any, sizes: Any) -> Any:
    """The ``binary_view`` elements (an ``(n, 4)`` int32 array, 16 bytes each) of the parts ``source[starts[i]:
    starts[i] + sizes[i]]`` of the ``index``-th data buffer: the size, then a part of up to :data:`_INLINE`
    bytes itself (zero-padded), a longer one as its first 4 bytes, ``index`` and its offset.

    >>> import numpy
    >>> views = _views(numpy.frombuffer(b'hello, binary views', dtype=numpy.uint8), 1, numpy.array([0, 2]),
    ...                numpy.array([5, 17]))
    >>> views[:, 0].tolist(), views.view(numpy.uint8)[0, 4:].tobytes(), views[1, 1:2].tobytes(), views[1, 2:].tolist()
    ([5, 17], b'hello\\x00\\x00\\x00\\x00\\x00\\x00\\x00', b'llo,', [1, 2])
    """
    np = batch._numpy()
    count = len(starts)
    views = np.zeros((count, 4), dtype=np.int32)
    views[:, 0] = sizes
    if not count:
        return views
    inline = np.flatnonzero(sizes <= _INLINE)
    if len(inline):  # the bytes themselves (clipped at the end of source, then zeroed past the size)
        spans = np.minimum(starts[inline, None] + np.arange(_INLINE), len(source) - 1)
        held = np.take(source, spans)
        held[np.arange(_INLINE) >= sizes[inline, None]] = 0
        views.view(np.uint8)[inline, 4:] = held
    long = np.flatnonzero(sizes > _INLINE)
    if len(long):
        spans = starts[long, None] + np.arange(4)
        views[long, 1] = np.take(source, spans).view(np.int32)[:, 0]
        views[long, 2] = index
        views[long, 3] = starts[long]
    return views


def _matrix_views(matrix: Any, index: int) -> Any:
    """:func:`_views` of the rows of an ``(n, w)`` matrix of bytes, the ``index``-th data buffer."""
    np = batch._numpy()
    count, width = matrix.shape
    views = np.zeros((count, 4), dtype=np.int32)
    views[:, 0] = width
    if width <= _INLINE:
        views.view(np.uint8)[:, 4 : 4 + width] = matrix
    else:
        views[:, 1] = np.ascontiguousarray(matrix[:, :4]).view(np.int32)[:, 0]
        views[:, 2] = index
        views[:, 3] = np.arange(0, count * width, width, dtype=np.int32)
    return views


@functools.cache
def _arrow_views() -> Any:
    """PyArrow, when it builds a ``binary_view`` array from buffers and casts it to ``binary`` (PyArrow 18 and
    later), else None."""
    np = batch._numpy()
    data = b"binary views, cast"
    try:
        import pyarrow as pa

        views = _views(np.frombuffer(data, dtype=np.uint8), 0, np.array([0, 7]), np.array([6, 11]))
        array = pa.Array.from_buffers(pa.binary_view(), 2, [None, pa.py_buffer(views), pa.py_buffer(data)])
        if array.cast(pa.binary()).to_pylist() != [b"binary", b"views, cast"]:
            return None
    except Exception:  # an older PyArrow: no binary_view type, no from_buffers for it, or no such cast
        return None
    return pa


def _materialised(views: Any, buffers: list[Any]) -> Any:
    """The parts :func:`_views` describes, one after another, as one buffer (a ``memoryview``): the cast of a
    ``binary_view`` array to ``binary`` where PyArrow has it and the output is at least :data:`_ARROW_BYTES`,
    else :func:`_put_ragged` from all the buffers."""
    np = batch._numpy()
    sizes = views[:, 0].astype(np.int64)
    total = int(sizes.sum())
    pa = _arrow_views() if total >= _ARROW_BYTES else None
    if pa is not None:
        array = pa.Array.from_buffers(
            pa.binary_view(), len(views), [None, pa.py_buffer(views), *map(pa.py_buffer, buffers)]
        )
        return memoryview(array.cast(pa.binary()).buffers()[2])[:total]
    sources = [views.view(np.uint8).ravel(), *(np.frombuffer(buffer, dtype=np.uint8).ravel() for buffer in buffers)]
    bases = np.cumsum([0, *map(len, sources)])
    inline = sizes <= _INLINE
    starts = np.where(
        inline,
        np.arange(len(views), dtype=np.int64) * 16 + 4,
        bases[np.where(inline, -1, views[:, 2]) + 1] + views[:, 3],
    )
    out = np.empty(total, dtype=np.uint8)
    _put_ragged(out, np.cumsum(sizes) - sizes, np.concatenate(sources), starts, sizes)
    return memoryview(out)


def _put_ragged(buffer: Any, places: Any, source: Any, starts: Any, sizes: Any) -> None:
    """``buffer[places[i]:places[i] + sizes[i]] = source[starts[i]:starts[i] + sizes[i]]`` for every ``i``:
    each part copied as its head and its tail (they overlap) of the largest power of two not above its size, so
    the parts of each power of two are copied by two NumPy assignments (each to a view of ``buffer`` whose row
    ``j`` starts at byte ``j``), nothing beyond a part is written, and the order of the copies does not matter."""
    np = batch._numpy()
    keep = sizes > 0
    if not keep.all():
        places, starts, sizes = places[keep], starts[keep], sizes[keep]
    if not len(sizes):
        return
    powers = np.frexp(sizes)[1] - 1  # floor(log2(size)), exact: sizes are small integers
    order = np.argsort(powers, kind="stable")
    counts = np.bincount(powers)
    ends = np.cumsum(counts)
    for power in np.flatnonzero(counts).tolist():
        chosen = order[ends[power] - counts[power] : ends[power]]
        width = 1 << power
        into = np.lib.stride_tricks.as_strided(buffer, shape=(len(buffer) - width + 1, width), strides=(1, 1))
        since = np.lib.stride_tricks.as_strided(source, shape=(len(source) - width + 1, width), strides=(1, 1))
        place, start = places[chosen], starts[chosen]
        into[place] = since[start]
        rest = sizes[chosen] - width
        into[place + rest] = since[start + rest]


class _Output(list):
    """A byte block's output: pieces of bytes (or views of a buffer, or :class:`_Parts` to be made when written)
    to write one after another."""

    def data(self) -> bytes:
        """The whole output as one ``bytes`` (what writing it writes)."""
        return b"".join(bytes(piece.made()) if isinstance(piece, _Parts) else bytes(piece) for piece in self)


class _Parts:
    """A block's output as the ``binary_view`` elements :func:`_joined` made (``views`` into ``buffers``), made
    into bytes when it is written."""

    __slots__ = ("buffers", "views")

    def __init__(self, views: Any, buffers: list[Any]) -> None:
        self.views, self.buffers = views, buffers

    def made(self) -> memoryview:
        """The output, every part in place (:func:`_materialised`)."""
        return _materialised(self.views, self.buffers)

    def write(self, stream: BinaryIO, skip: int = 0) -> None:
        """Write the output but its first ``skip`` bytes to ``stream``, and flush it."""
        stream.write(self.made()[skip:])
        stream.flush()


class _Behind:
    """A thread that runs the jobs handed to it (:meth:`put`) one after another, in order, while the caller goes
    on: at most one waits, so the memory held stays that of a few blocks.  What a job raises stops the later ones
    and is raised in the caller by its next :meth:`put` or :meth:`wait`."""

    def __init__(self) -> None:
        self.jobs: queue.Queue[Any] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="creditstd-check-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                if job is None:
                    return
                if self.error is None:
                    job()
            except BaseException as error:  # handed to the caller
                self.error = error
            finally:
                self.jobs.task_done()

    def put(self, job: Any) -> None:
        """Hand ``job`` (a callable) over, once the one waiting has started."""
        self._raise()
        self.jobs.put(job)

    def wait(self) -> None:
        """Wait until every job handed over has run."""
        self.jobs.join()
        self._raise()

    def close(self) -> None:
        """End the thread once the jobs handed over have run."""
        self.jobs.put(None)
        self.thread.join()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error


#: The fields of each error's message, from the number (``e``: the expected check character).
_ERROR_FIELDS: dict[str, Any] = {
    "uscc.checksum": lambda s, e: {"expected": e},
    "uscc.pilot_checksum": lambda s, e: {"expected": e},
    "uscc.authority": lambda s, e: {"value": s[0]},
    "uscc.category": lambda s, e: {"value": s[1], "authority": s[0]},
    "uscc.region": lambda s, e: {"value": s[2:8]},
    "ric.checksum": lambda s, e: {"expected": e},
    "ric.foreigner_province": lambda s, e: {"value": s[1:3]},
    "ric.region": lambda s, e: {"value": s[:6]},
    "ric.region_aggregate": lambda s, e: {"value": s[:6]},
    "regno.checksum": lambda s, e: {"expected": e},
    "regno.region": lambda s, e: {"value": s[:6]},
    "orgcode.checksum": lambda s, e: {"expected": e},
}


def _masked_runs(matrix: Any) -> Any:
    """:func:`redact` of every row of a matrix of text in canonical form (digits and upper-case ASCII letters:
    no separators, no ``x`` or ``*``), at once, without its general patterns.  The runs :func:`redact` masks are
    then the stretches of digits and ``X`` (padding columns keep runs of two rows apart) with
    :data:`redact.MIN_DIGITS` digits or more: each keeps its first 6 characters and its last 4 (18 long or more)
    or 3 (15 or more), every masked character set by one assignment.

    >>> rows = ['11010519491231002XAB', 'AB110105194912310021', '91350100M000100Y43AB']
    >>> _masked_runs(batch.text_matrix(rows, 20)).view('S20').ravel().tolist()
    [b'110105********002XAB', b'AB110105********0021', b'91350100M000100Y43AB']
    """
    np = batch._numpy()
    count, width = matrix.shape
    padded = np.zeros((count, width + 2), dtype=np.uint8)
    padded[:, 1:-1] = matrix
    flat = padded.ravel()
    digit = (flat >= ord("0")) & (flat <= ord("9"))
    in_run = digit | (flat == ord("X"))
    edges = np.flatnonzero(in_run[1:] != in_run[:-1]) + 1  # where each run starts, then where it stops
    starts, stops = edges[0::2], edges[1::2]
    digits = np.concatenate([np.zeros(1, dtype=np.intp), np.cumsum(digit)])
    long = (digits[stops] - digits[starts]) >= redact_module.MIN_DIGITS
    starts, stops = starts[long], stops[long]
    lengths = stops - starts
    first = starts + 6
    sizes = lengths - 6 - np.where(lengths >= 18, 4, np.where(lengths >= 15, 3, 0))
    if len(sizes):  # every position from first[i] for sizes[i]
        offsets = np.cumsum(sizes) - sizes
        flat[np.repeat(first - offsets, sizes) + np.arange(int(sizes.sum()))] = ord("*")
    return padded[:, 1:-1]


#: The error codes (indices of :data:`batch.ERROR_CODES`) whose message quotes part of the number.
_QUOTING = [
    index
    for index, code in enumerate(batch.ERROR_CODES)
    if code in _ERROR_FIELDS and set(_ERROR_FIELDS[code]("0" * 18, "0")) != {"expected"}
]


class _Invalid:
    """Output of the invalid lines in canonical form whose errors the NumPy pass names
    (:func:`creditstd.codes.batch.canonical_errors`): the per-item output of the first line with each set of
    errors, its line number and echoed input cut out, is the template of every later one; the first line's
    errors must be the ones predicted, or lines with those errors go to the per-item path."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.suffixes: dict[tuple, str | None] = {}
        self.signatures: dict[tuple[int, int], tuple] = {}  # (width, signature) -> key of errors
        self.taken: dict[tuple, int] = {}  # how many lines each set of errors wrote (for the tests)
        self.suffix_ids: dict[tuple, int] = {}  # byte blocks: key of errors -> arena number of its text (-1: none)
        self.segments: list | None = None

    def begin(
        self,
        numbers: list[int],
        texts: list[str | None],
        results: list[str | None],
        fast: Any,
        binary: str | None = None,
        segments: list | None = None,
        templates: _Templates | None = None,
        glue: bytes = b"\n",
        after: bool = True,
    ) -> None:
        """Start a block; ``binary``: its outputs are UTF-8 bytes, encoded with this error handler; ``segments``
        (a byte block, ``numbers`` a range): the lines in canonical form go there, as :meth:`_Templates._assemble`
        makes them (with ``glue`` after or before each), their errors' text a piece of ``templates``' arena."""
        self.numbers, self.texts, self.results, self.fast, self.binary = numbers, texts, results, fast, binary
        self.segments, self.templates, self.glue, self.after = segments, templates, glue, after
        self.bad = 0

    def end(self) -> int:
        return self.bad

    def _plausible(self, width: int, matrix: Any, rows: Any) -> list[tuple[str, str, Any]]:
        """``(finding kind, family, rows)`` for each kind :func:`check` reports an error of, in its order."""
        np = batch._numpy()
        if self.options.kind is not None:
            return [(self.options.kind, self.options.kind, rows)]
        if width == 9:
            return [("orgcode", "orgcode", rows)]
        digits = (matrix >= ord("0")) & (matrix <= ord("9"))
        if width == 15:
            numeric = digits.all(axis=1)
            return [("regno", "regno", rows), ("citizen_id_15", "ric", rows[numeric])]
        numeric = digits[:, :17].all(axis=1)
        numeric &= ~(matrix == np.frombuffer(uscc.PLACEHOLDER.encode(), dtype=np.uint8)).all(axis=1)
        return [("citizen_id", "ric", rows[numeric]), ("uscc", "uscc", rows)]

    def add(self, width: int, rows: Any, matrix: Any, mask: Any) -> None:
        """Write the rows ``rows[mask]`` of ``matrix`` (canonical, valid as no kind) where their errors allow.

        A row's errors are a key ``((finding kind, code, position, fields), ...)``.  Where no message quotes
        part of the number (the fields are at most the expected check character) the key follows from the
        NumPy arrays alone: rows are grouped by a signature (code, position and expected character of each
        plausible kind, packed in an integer) and the key is built once per signature."""
        np = batch._numpy()
        if not mask.any():
            return
        matrix = matrix[mask]
        chosen = rows[mask]
        count = len(chosen)
        texts = self.texts
        indices = chosen.tolist()
        found: list[tuple[str, Any, Any, Any]] = []  # (finding kind, code, position, expected) over all rows
        signature = np.zeros(count, dtype=np.int64)
        quoted = np.zeros(count, dtype=bool)  # an error whose message quotes part of the number
        for order, (label, family, where) in enumerate(self._plausible(width, matrix, np.arange(count))):
            if not len(where):
                continue
            code, position, expected = batch.canonical_errors(matrix[where], family, strict=self.options.strict)
            full = [np.zeros(count, dtype=array.dtype) for array in (code, position, expected)]
            for array, part in zip(full, (code, position, expected), strict=True):
                array[where] = part
            found.append((label, *full))
            signature |= (
                (full[0].astype(np.int64) << 16) | (full[1].astype(np.int64) << 8) | full[2].astype(np.int64)
            ) << (24 * order)
            quoted |= np.isin(full[0], _QUOTING)

        def key_of(row: int) -> tuple:
            key = []
            for label, code, position, expected in found:
                if code[row]:
                    name = batch.ERROR_CODES[int(code[row])]
                    fields = _ERROR_FIELDS.get(name or "")
                    key.append(
                        (
                            label,
                            name,
                            int(position[row]),
                            ()
                            if fields is None
                            else tuple(fields(texts[indices[row]], chr(int(expected[row]))).items()),
                        )
                    )
            return tuple(key)

        if self.segments is not None:
            self._add_segments(width, matrix, chosen, signature, quoted, key_of)
            return
        keys: list[tuple] = [()] * count
        for row in np.flatnonzero(quoted).tolist():
            keys[row] = key_of(row)
        plain, inverse, made = self._signature_keys(width, signature, quoted, key_of)
        for row, at in zip(plain.tolist(), inverse.tolist(), strict=True):
            keys[row] = made[at]
        shown = [texts[index] for index in indices] if self.options.reveal else self._redacted(width, matrix, chosen)
        self._write(indices, shown, keys)

    def _signature_keys(self, width: int, signature: Any, quoted: Any, key_of: Any) -> tuple[Any, Any, list[tuple]]:
        """The rows whose key follows from their signature (errors, none quoting the number), the index of each
        one's signature among the distinct ones, and the key of each distinct signature (made by ``key_of`` from
        its first row, remembered per width and signature)."""
        np = batch._numpy()
        plain = np.flatnonzero(~quoted & (signature != 0))
        if not len(plain):
            return plain, plain, []
        unique, first, inverse = np.unique(signature[plain], return_index=True, return_inverse=True)
        made: list[tuple] = []
        for at, value in enumerate(unique.tolist()):
            key = self.signatures.get((width, value))
            if key is None:
                key = key_of(int(plain[first[at]]))
                if len(self.signatures) < _PIECES:
                    self.signatures[(width, value)] = key
            made.append(key)
        return plain, inverse.ravel(), made

    def _add_segments(self, width: int, matrix: Any, chosen: Any, signature: Any, quoted: Any, key_of: Any) -> None:
        """:meth:`add` for a byte block: each row's output is the run ``{"line": N, "input": "ECHO"`` (NumPy
        made, the echo masked by :meth:`_echoed`) and the text of its errors, a piece of the arena made once per
        key from the per-item output of its first line (:meth:`_suffix`); rows without one go per item."""
        np = batch._numpy()
        templates: Any = self.templates
        keys: list[tuple] = []
        numbered: dict[tuple, int] = {}
        key_rows = np.full(len(matrix), -1, dtype=np.intp)
        for row in np.flatnonzero(quoted).tolist():
            key = key_of(row)
            key_rows[row] = numbered.setdefault(key, len(keys))
            if key_rows[row] == len(keys):
                keys.append(key)
        plain, inverse, made = self._signature_keys(width, signature, quoted, key_of)
        if len(plain):
            numbers = np.empty(len(made), dtype=np.intp)
            for at, key in enumerate(made):
                numbers[at] = numbered.setdefault(key, len(keys))
                if numbers[at] == len(keys):
                    keys.append(key)
            key_rows[plain] = numbers[inverse]
        if not keys:
            return
        echo = self._echoed(width, matrix, chosen)
        keyed = np.flatnonzero(key_rows >= 0)
        firsts = np.full(len(keys), -1, dtype=np.intp)
        found, first_rows = np.unique(key_rows[keyed], return_index=True)
        firsts[found] = keyed[first_rows]  # the first row of each key
        pieces = np.full(len(keys), -1, dtype=np.intp)
        start = self.numbers.start  # type: ignore[attr-defined]
        for at, key in enumerate(keys):
            if not key:
                continue
            piece = self.suffix_ids.get(key)
            if piece is None:
                row = int(firsts[at])
                suffix = self.suffixes.get(key, "")
                if suffix == "":
                    text: str = self.texts[int(chosen[row])]  # type: ignore[assignment]
                    suffix = self.suffixes[key] = self._suffix(
                        start + int(chosen[row]), text, echo[row].tobytes().decode("ascii"), key
                    )
                piece = (
                    -1
                    if suffix is None
                    else templates._piece_id(
                        (suffix + self.glue.decode() if self.after else suffix).encode("utf-8", self.binary or "strict")
                    )
                )
                self.suffix_ids[key] = piece
            pieces[at] = piece
        row_pieces = np.where(key_rows >= 0, pieces[key_rows], -1)
        ok = row_pieces >= 0
        if not ok.any():
            return
        taken = np.bincount(key_rows[ok], minlength=len(keys))
        for at in np.flatnonzero(taken).tolist():
            self.taken[keys[at]] = self.taken.get(keys[at], 0) + int(taken[at])
        rows, echo, row_pieces = chosen[ok], echo[ok], row_pieces[ok]
        self.fast[rows] = True
        self.bad += len(rows)
        numbers = start + rows
        head: list = [b"" if self.after else self.glue]
        head += (
            [b'{"line": ', "line", b', "input": "', (0, width), b'"']
            if self.options.output != "text"
            else ["\u2717 line ".encode(), "line", b": ", (0, width)]
        )
        cuts = {0, len(rows), *(int(at) for at in np.searchsorted(numbers, 10 ** np.arange(1, 19, dtype=np.int64)))}
        for first, stop in itertools.pairwise(sorted(cuts)):  # the line numbers of a piece have as many digits
            if stop > first:
                run = templates._fixed(head, echo[first:stop], numbers[first:stop], len(str(int(numbers[stop - 1]))))
                self.segments.append((rows[first:stop], [run, row_pieces[first:stop]]))  # type: ignore[union-attr]

    def _echoed(self, width: int, matrix: Any, chosen: Any) -> Any:
        """The rows of ``matrix`` as echoed (:meth:`_redacted`, as a matrix: masking keeps the length)."""
        if self.options.reveal or width < 14:
            return matrix
        return _masked_runs(matrix)

    def _redacted(self, width: int, matrix: Any, chosen: Any) -> list[str]:
        """:func:`redact` of canonical rows (:meth:`_echoed`, as text)."""
        return [row.tobytes().decode("ascii") for row in self._echoed(width, matrix, chosen)]

    def _write(self, indices: list[int], shown: list[str], keys: list[tuple]) -> None:
        """Write the lines ``indices`` with the errors ``keys`` (``(finding kind, code, position, fields)`` each),
        their input echoed as ``shown``; lines without a template are left to the per-item path."""
        numbers, fast, suffixes = self.numbers, self.fast, self.suffixes
        results: Any = self.results  # text, or bytes in a byte block's array
        json_output = self.options.output != "text"
        memo: dict[int, str | None] = {}  # by the key's identity: one hash of each key per call
        written: dict[int, list] = {}
        places: list[int] = []
        outputs: list[Any] = []
        binary = self.binary
        for index, echo, key in zip(indices, shown, keys, strict=True):
            if not key:
                continue
            suffix = memo.get(id(key), "")
            if suffix == "":
                suffix = suffixes.get(key, "")
                if suffix == "":
                    suffix = suffixes[key] = self._suffix(numbers[index], self.texts[index], echo, key)  # type: ignore[arg-type]
                memo[id(key)] = suffix
            if suffix is None:
                continue
            line = numbers[index]
            output = (f'{{"line": {line}, "input": "{echo}"' if json_output else f"✗ line {line}: {echo}") + suffix
            places.append(index)
            outputs.append(output.encode("utf-8", binary) if binary else output)
            written.setdefault(id(key), [key, 0])[1] += 1
        if places:
            fast[places] = True
            if binary:  # an array of objects: placed at once
                results[places] = outputs
            else:
                for index, output in zip(places, outputs, strict=True):
                    results[index] = output
        for key, lines in written.values():
            self.taken[key] = self.taken.get(key, 0) + lines
            self.bad += lines

    def _suffix(self, line: int, text: str, echo: str, key: tuple) -> str | None:
        """The output after the echoed input for lines with the errors ``key``, from the per-item path's output
        of this line, or None when that line's errors are not the predicted ones."""
        options = self.options
        verdict = check(text, strict=options.strict, kind=options.kind)
        predicted = []
        for label, name, at, fields in key:
            error = make_error(name, at or None, **dict(fields))
            predicted.append((label, name, error.position, error.message_zh, error.message_en))
        real = [
            (problem.kind, problem.code, problem.position, problem.message_zh, problem.message_en)
            for problem in verdict.errors
        ]
        if verdict.valid or real != predicted or _shown(verdict, options.reveal) != echo:
            return None
        output = item_output(line, verdict, options)
        head = f'{{"line": {line}, "input": "{echo}"' if options.output != "text" else f"✗ line {line}: {echo}"
        return output[len(head) :] if output.startswith(head) else None

    def unknown_length(self, indices: list[int]) -> None:
        """Canonical lines of a length no identifier has: ``identify.unknown``."""
        texts: list[str] = self.texts  # type: ignore[assignment]
        chosen = [
            index
            for index in indices
            if texts[index].isalnum() and texts[index].isascii() and texts[index].upper() == texts[index]
        ]
        shown = [
            printable(texts[index] if self.options.reveal else redact(texts[index]), SHOWN_CHARS) for index in chosen
        ]
        keys = [((None, "identify.unknown", 0, (("length", len(texts[index])),)),) for index in chosen]
        self._write(chosen, shown, keys)


_MARK = "@@creditstd-slot-{}@@"
#: Types whose equal values have equal JSON (bool apart from int: True == 1 but "true" != "1").
_SCALARS = frozenset({str, bool, type(None)})
#: Most cached look-ups per variable part of a layout (regions, authorities...): past it the cache starts again.
_PIECES = 1 << 16
#: A flag's values, as :meth:`_Templates._assemble` groups rows by them.
_FLAG_VALUES = [b"false", b"true"]
#: A look-up with at most this many distinct values so far groups the rows by its value (sex, country code...).
_GROUPED = 4
#: Most bytes of pieces kept in :attr:`_Templates.arena`: past it, between two blocks, they are made again.
_ARENA_BYTES = 1 << 25
#: Most groups of rows :meth:`_Templates._assemble` makes of one piece of a block.
_COMBINATIONS = 16


class _Templates:
    """Output of the lines the bulk path found valid, from templates made of the per-item path's own output.

    For each verdict kind and length, the first line's real JSON (:func:`render_json`) gets a marker in
    every per-line field; the text between the markers is the template.  Fields that depend on part of the
    number only (authority, region, sex...) come from ``parse()`` of the line and are cached by that part.
    The first line rendered from each template must equal the per-item output, or that kind is left to the
    per-item path for the rest of the run.
    """

    def __init__(self, options: Options) -> None:
        self.options = options
        self.formats: dict[tuple[str, int, tuple[str, ...]], str | None] = {}
        self.invalid = _Invalid(options)
        self.tables: dict[tuple, dict] = {}
        self.cache: dict[tuple[str, str, int], Any] = {}
        self.constants: dict[tuple[str, int, tuple[str, ...]], list[str]] = {}  # a template's text between slots
        self.layouts: dict[tuple[str, int, tuple[str, ...]], list | None] = {}
        self.pieces: dict[tuple, dict[bytes, int]] = {}  # per variable part of a layout: key -> arena number
        self.rendered: dict[tuple[str, int, tuple[str, ...]], int] = {}  # lines written per layout (for the tests)
        self.json_cache: dict[Any, tuple[Any, bytes]] = {}
        self._field_names: dict[type, tuple[str, ...]] = {}  # a frozen dataclass's fields (() for other types)
        self.slots: dict[int, Any] = {}  # key space -> number of each key seen (-1: not yet)
        self.slot_counts: dict[int, int] = {}
        # look-up -> (arena number by key number, known, number among the look-up's distinct pieces, how many)
        self.dense: dict[tuple, tuple[Any, Any, Any, int]] = {}
        self.distinct: dict[tuple, list[int]] = {}  # look-up -> its distinct pieces so far (arena numbers)
        self.numbering: dict[tuple, dict[int, int]] = {}  # look-up -> arena number -> number among distinct
        np = batch._numpy()
        # the arena: every distinct piece once, as bytes of one array (see _piece_id)
        self.piece_ids: dict[bytes, int] = {}
        self.piece_bytes: list[bytes] = []
        self.arena: Any = None if np is None else np.empty(0, dtype=np.uint8)
        self.arena_size = 0
        self.piece_starts: Any = None if np is None else np.zeros(0, dtype=np.int64)
        self.piece_sizes: Any = None if np is None else np.zeros(0, dtype=np.int64)
        self._piece_views: Any = None if np is None else np.zeros((0, 4), dtype=np.int32)  # see piece_views
        self._viewed = 0  # pieces whose view is made
        self.specials: dict[tuple, tuple[list, list]] = {}  # a layout with some parts as text (_special)
        self._parsed: dict[tuple[str, str], Any] = {}  # parse() of the numbers of one _assemble call

    # the fields cut out of the sample, in the order render_json writes them: (path, quoted string?)
    _SLOTS: ClassVar[dict[tuple[str, int], list[tuple[str, bool]]]] = {
        ("uscc", 18): [
            ("line", False),
            ("input", True),
            ("info.number", True),
            ("info.authority", False),
            ("info.category", False),
            ("info.region_code", True),
            ("info.region", False),
            ("info.orgcode", True),
            ("info.orgcode_valid", False),
            ("info.check_digit", True),
        ],
        ("ric", 18): [
            ("line", False),
            ("input", True),
            ("info.number", True),
            ("info.kind", False),
            ("info.kind_name", False),
            ("info.region_code", False),
            ("info.region", False),
            ("info.birth_date", True),
            ("info.sequence", True),
            ("info.sex", False),
            ("info.check_digit", True),
            ("info.country_code", False),
        ],
        ("ric", 15): [
            ("line", False),
            ("input", True),
            ("info.number", True),
            ("info.kind", False),
            ("info.kind_name", False),
            ("info.region_code", False),
            ("info.region", False),
            ("info.birth_date", True),
            ("info.sequence", True),
            ("info.sex", False),
            ("info.possible_centenarian", False),
        ],
        ("regno", 15): [
            ("line", False),
            ("input", True),
            ("info.number", True),
            ("info.region_code", True),
            ("info.region", False),
            ("info.sequence", True),
            ("info.ownership", False),
            ("info.check_digit", True),
        ],
        ("orgcode", 9): [
            ("line", False),
            ("input", True),
            ("info.number", True),
            ("info.body", True),
            ("info.check_digit", True),
            ("info.is_custom_range", False),
        ],
    }
    _FAMILY: ClassVar[dict[str, str]] = {
        "citizen_id": "ric",
        "citizen_id_15": "ric",
        "residence_permit": "ric",
        "foreigner_pr": "ric",
    }
    _MODULES: ClassVar[dict[str, Any]] = {"uscc": uscc, "ric": ric, "regno": regno, "orgcode": orgcode}

    def _part(self, family: str, fields: tuple[str, ...], key: str, number: str) -> Any:
        """JSON of ``fields`` of ``parse(number)``, cached under ``key`` (the part of the number they depend on)."""
        cached = self.cache.get((fields[0], key, len(number)))
        if cached is None:
            info = self._MODULES[family].parse(number)
            parts = tuple(json.dumps(to_jsonable(getattr(info, field)), ensure_ascii=False) for field in fields)
            cached = self.cache[(fields[0], key, len(number))] = parts if len(parts) > 1 else parts[0]
        return cached

    def _args(self, family: str, width: int, line: int, s: str, flag: bool) -> tuple[object, ...]:
        """The per-line values of the slots, in the order of :attr:`_SLOTS`."""
        reveal = self.options.reveal
        if family == "uscc":
            return (
                line,
                s,
                s,
                self._part(family, ("authority",), s[0], s),
                self._part(family, ("category",), s[:2], s),
                s[2:8],
                self._part(family, ("region",), s[2:8], s),
                s[8:16] + "-" + s[16],
                "true" if flag else "false",
                s[17],
            )
        if family == "orgcode":
            custom = s.startswith("PDY") and s[3:8].isdigit() and s[3:8] != "00000"
            return line, s, s, s[:8], s[8], "true" if custom else "false"
        if family == "regno":
            return (
                line,
                s,
                s,
                s[:6],
                self._part(family, ("region",), s[:6], s),
                s[6:14],
                self._part(family, ("ownership",), s[6], s),
                s[14],
            )
        # an ID number: masked unless --reveal
        shown = (
            s
            if reveal
            else s[:6] + "*" * (width - 10) + s[width - 4 :]
            if width == 18
            else s
            if reveal
            else s[:6] + "******" + s[12:]
        )
        head = self._part(family, ("kind", "kind_name", "region_code", "region", "country_code"), s[:6], s)
        if width == 18:
            birth = f"{s[6:10]}-{s[10:12]}-{s[12:14]}" if reveal else HIDDEN
            return (
                line,
                shown,
                shown,
                *head[:4],
                birth,
                s[14:17],
                self._part(family, ("sex",), s[16], s),
                s[17],
                head[4],
            )
        birth = f"19{s[6:8]}-{s[8:10]}-{s[10:12]}" if reveal else HIDDEN
        return (
            line,
            shown,
            shown,
            *head[:4],
            birth,
            s[12:15],
            self._part(family, ("sex",), s[14], s),
            "true" if s[12:15] >= "996" else "false",
        )

    def _format(self, label: str, width: int, line: int, s: str, flag: bool, also: tuple[str, ...] = ()) -> str | None:
        """The template of ``label`` (also valid as ``also``) at ``width`` from the line ``s`` (None: it does not
        reproduce ``s``)."""
        family = self._FAMILY.get(label, label)
        verdict = check(s, strict=self.options.strict, kind=self.options.kind)
        if not verdict.valid or verdict.kind != label or verdict.also != also or self.options.output == "text":
            return None
        record = render_json(line, verdict, self.options)
        slots = self._SLOTS[(family, width)]
        for index, (path, _) in enumerate(slots):
            holder = record["info"] if path.startswith("info.") else record
            field = path.removeprefix("info.")
            if field not in holder:
                return None
            holder[field] = _MARK.format(index)
        raw = json.dumps(record, ensure_ascii=False)
        markers = [
            _MARK.format(index) if quoted else f'"{_MARK.format(index)}"' for index, (_, quoted) in enumerate(slots)
        ]
        places = [raw.find(marker) for marker in markers]
        if any(raw.count(marker) != 1 for marker in markers) or places != sorted(places):
            return None  # a field missing, or in another order than the slots say
        constants = re.split("|".join(map(re.escape, markers)), raw)
        text = "%s".join(constant.replace("%", "%%") for constant in constants)
        self.constants[(label, width, also)] = constants
        expected = item_output(line, verdict, self.options)
        try:
            if text % self._args(family, width, line, s, flag) != expected:
                return None
        except (TypeError, ValueError, KeyError, IndexError):
            return None
        return text

    def _lookup(self, family: str, fields: tuple[str, ...], start: int, stop: int, values: list[str]) -> dict:
        """``{number[start:stop]: _part(...)}`` for every number of ``values`` (one parse per new key)."""
        table: dict = self.tables.setdefault((family, fields, start, stop, len(values[0])), {})
        for value in values:
            key = value[start:stop]
            if key not in table:
                table[key] = self._part(family, fields, key, value)
        return table

    def _outputs(
        self, template: str, family: str, width: int, lines: list[int], values: list[str], marks: list[bool]
    ) -> list[str]:
        """:meth:`_args` for a whole group at once, formatted: the same values, one comprehension per kind."""
        lookup = self._lookup
        if family == "uscc":
            authority = lookup(family, ("authority",), 0, 1, values)
            category = lookup(family, ("category",), 0, 2, values)
            region = lookup(family, ("region",), 2, 8, values)
            return [
                template
                % (
                    line,
                    s,
                    s,
                    authority[s[0]],
                    category[s[:2]],
                    s[2:8],
                    region[s[2:8]],
                    s[8:16] + "-" + s[16],
                    "true" if flag else "false",
                    s[17],
                )
                for line, s, flag in zip(lines, values, marks, strict=True)
            ]
        if family == "orgcode" or self.options.reveal:
            args = self._args
            return [
                template % args(family, width, line, s, flag)
                for line, s, flag in zip(lines, values, marks, strict=True)
            ]
        if family == "regno":
            region = lookup(family, ("region",), 0, 6, values)
            ownership = lookup(family, ("ownership",), 6, 7, values)
            return [
                template % (line, s, s, s[:6], region[s[:6]], s[6:14], ownership[s[6]], s[14])
                for line, s in zip(lines, values, strict=True)
            ]
        head = lookup(family, ("kind", "kind_name", "region_code", "region", "country_code"), 0, 6, values)
        if width == 18:
            sex = lookup(family, ("sex",), 16, 17, values)
            stars = "*" * 8
            results = []
            for line, s in zip(lines, values, strict=True):
                shown = s[:6] + stars + s[14:]
                kind, kind_name, region_code, region, country = head[s[:6]]
                results.append(
                    template
                    % (
                        line,
                        shown,
                        shown,
                        kind,
                        kind_name,
                        region_code,
                        region,
                        HIDDEN,
                        s[14:17],
                        sex[s[16]],
                        s[17],
                        country,
                    )
                )
            return results
        sex = lookup(family, ("sex",), 14, 15, values)
        results = []
        for line, s in zip(lines, values, strict=True):
            shown = s[:6] + "******" + s[12:]
            kind, kind_name, region_code, region, _ = head[s[:6]]
            results.append(
                template
                % (
                    line,
                    shown,
                    shown,
                    kind,
                    kind_name,
                    region_code,
                    region,
                    HIDDEN,
                    s[12:15],
                    sex[s[14]],
                    "true" if s[12:15] >= "996" else "false",
                )
            )
        return results

    def render(
        self,
        label: str,
        width: int,
        rows: Any,
        numbers: Any,
        texts: Any,
        flags: Any,
        results: list[str | None],
        also: tuple[str, ...] = (),
    ) -> bool:
        """Write the output of ``rows`` (valid as ``label`` and ``also``) into ``results``; False if it cannot be
        templated."""
        key = (label, width, also)
        indices = rows.tolist()
        marks = [True] * len(indices) if flags is None else flags.tolist()
        if key not in self.formats:
            first = indices[0]
            self.formats[key] = self._format(label, width, numbers[first], texts[first], marks[0], also)
        template = self.formats[key]
        if template is None:
            return False
        family = self._FAMILY.get(label, label)
        lines = [numbers[index] for index in indices]
        values: list[str] = [texts[index] for index in indices]
        for index, output in zip(indices, self._outputs(template, family, width, lines, values, marks), strict=True):
            results[index] = output
        return True

    # ---- the byte path: a kind's lines assembled from NumPy-made fixed-width pieces and cached variable ones

    def _slot_specs(self, family: str, width: int) -> list[tuple]:
        """What fills each slot of :attr:`_SLOTS` (the same values as :meth:`_args`): ``("line",)``, ``("fixed",
        parts)`` (parts: bytes, or ``(start, stop)`` columns of the number), ``("var", field, start, stop)``
        (the JSON of ``parse(number).field``, which depends on ``number[start:stop]`` only) or ``("flag",
        name)`` (``true``/``false``)."""
        if family == "uscc":
            return [
                ("line",),
                ("fixed", [(0, 18)]),
                ("fixed", [(0, 18)]),
                ("var", "authority", 0, 1),
                ("var", "category", 0, 2),
                ("fixed", [(2, 8)]),
                ("var", "region", 2, 8),
                ("fixed", [(8, 16), b"-", (16, 17)]),
                ("flag", "orgcode_valid"),
                ("fixed", [(17, 18)]),
            ]
        if family == "orgcode":
            return [
                ("line",),
                ("fixed", [(0, 9)]),
                ("fixed", [(0, 9)]),
                ("fixed", [(0, 8)]),
                ("fixed", [(8, 9)]),
                ("flag", "custom"),
            ]
        if family == "regno":
            return [
                ("line",),
                ("fixed", [(0, 15)]),
                ("fixed", [(0, 15)]),
                ("fixed", [(0, 6)]),
                ("var", "region", 0, 6),
                ("fixed", [(6, 14)]),
                ("var", "ownership", 6, 7),
                ("fixed", [(14, 15)]),
            ]
        reveal = self.options.reveal
        head = [("var", field, 0, 6) for field in ("kind", "kind_name", "region_code", "region")]
        hidden = [HIDDEN.encode()]
        if width == 18:
            shown = ("fixed", [(0, 18)] if reveal else [(0, 6), b"*" * 8, (14, 18)])
            birth = [(6, 10), b"-", (10, 12), b"-", (12, 14)] if reveal else hidden
            return [
                ("line",),
                shown,
                shown,
                *head,
                ("fixed", birth),
                ("fixed", [(14, 17)]),
                ("var", "sex", 16, 17),
                ("fixed", [(17, 18)]),
                ("var", "country_code", 0, 6),
            ]
        shown = ("fixed", [(0, 15)] if reveal else [(0, 6), b"*" * 6, (12, 15)])
        birth = [b"19", (6, 8), b"-", (8, 10), b"-", (10, 12)] if reveal else hidden
        return [
            ("line",),
            shown,
            shown,
            *head,
            ("fixed", birth),
            ("fixed", [(12, 15)]),
            ("var", "sex", 14, 15),
            ("flag", "centenarian"),
        ]

    def _layout(self, key: tuple[str, int, tuple[str, ...]]) -> list:
        """The template ``key`` as a list of parts: ``("fixed", parts)`` runs (template text as bytes, ``"line"``
        for the line number, ``(start, stop)`` columns of the number), ``("var", fields, texts, start, stop,
        prefix)`` runs of looked-up values (``prefix``: a run of template text and columns of
        ``number[start:stop]`` written before them, then ``parse(number).field`` for each of ``fields``, each
        followed by its template text in ``texts``, all depending on ``number[start:stop]`` only) and ``("flag",
        name)`` (``true`` or ``false``)."""
        label, width, _ = key
        family = self._FAMILY.get(label, label)
        constants = [constant.encode() for constant in self.constants[key]]
        layout: list = [("fixed", [constants[0]])]
        for spec, constant in zip(self._slot_specs(family, width), constants[1:], strict=True):
            last = layout[-1]
            if spec[0] == "var":
                if last[0] == "var":  # only template text since the last look-up: one look-up for both
                    last[1].append(spec[1])
                    layout[-1] = ("var", last[1], last[2], min(last[3], spec[2]), max(last[4], spec[3]))
                else:
                    layout.append(("var", [spec[1]], [], spec[2], spec[3]))
            elif spec[0] == "flag":
                layout.append(("flag", spec[1]))
            else:
                parts = ["line"] if spec[0] == "line" else list(spec[1])
                if last[0] == "fixed":
                    last[1].extend(parts)
                else:
                    layout.append(("fixed", parts))
            last = layout[-1]
            if last[0] == "fixed":
                last[1].append(constant)
            elif last[0] == "var":
                last[2].append(constant)
            else:
                layout.append(("fixed", [constant]))
        folded: list = []  # a run that depends on the key of the next look-up only is written with it
        for part in layout:
            prefix: list = []
            if (
                part[0] == "var"
                and folded
                and folded[-1][0] == "fixed"
                and all(
                    isinstance(item, bytes) or (item != "line" and part[3] <= item[0] and item[1] <= part[4])
                    for item in folded[-1][1]
                )
            ):
                prefix = folded.pop()[1]
            folded.append((*part, prefix) if part[0] == "var" else part)
        return folded

    def _var_piece(
        self, family: str, fields: list[str], texts: list[bytes], number: str, prefix: list | tuple = ()
    ) -> bytes:
        """``prefix`` (template text and columns of ``number``), then the JSON of ``parse(number)``'s ``fields``,
        each followed by its text in ``texts`` (the last one may have none), as bytes."""
        info = self._parsed.get((family, number))
        if info is None:
            info = self._parsed[(family, number)] = self._MODULES[family].parse(number)
        out = b"".join(
            item if isinstance(item, bytes) else number[item[0] : item[1]].encode("ascii") for item in prefix
        )
        for index, field in enumerate(fields):
            out += self._json(getattr(info, field))
            if index < len(texts):
                out += texts[index]
        return out

    def _json(self, value: Any) -> bytes:
        """``json.dumps(to_jsonable(value))`` as UTF-8, cached: a str, an enum member or None by type and value;
        an instance of a frozen dataclass by type and field values when they are all of those types or ints (a
        meaning), else by identity (a region: :func:`regions.lookup` returns the same object for a code; kept
        alive here so its identity stays its own).  Anything else is not cached."""
        kind = type(value)
        if kind in _SCALARS or isinstance(value, enum.Enum):
            key: Any = (kind, value)
        else:
            names = self._field_names.get(kind)
            if names is None:
                params = getattr(kind, "__dataclass_params__", None)
                names = self._field_names[kind] = (
                    tuple(field.name for field in dataclasses.fields(kind))
                    if params is not None and params.frozen
                    else ()
                )
            if not names:
                return json.dumps(to_jsonable(value), ensure_ascii=False).encode()
            fields = tuple(getattr(value, name) for name in names)
            flat = all(type(field) in _SCALARS or type(field) is int for field in fields)
            key = (kind, fields, tuple(map(type, fields))) if flat else id(value)  # (1 == True: types too)
        cached = self.json_cache.get(key)
        if cached is None:
            if len(self.json_cache) >= _PIECES:
                self.json_cache.clear()
            cached = self.json_cache[key] = (value, json.dumps(to_jsonable(value), ensure_ascii=False).encode())
        return cached[1]

    def _flags(self, name: str, matrix: Any, flags: Any) -> Any:
        np = batch._numpy()
        if name == "orgcode_valid":
            return flags if flags is not None else np.ones(len(matrix), dtype=bool)
        if name == "centenarian":  # s[12:15] >= "996": three digits
            return (
                matrix[:, 12].astype(np.int32) * 100
                + matrix[:, 13].astype(np.int32) * 10
                + matrix[:, 14]
                - 111 * ord("0")
            ) >= 996
        body = matrix[:, 3:8]  # custom: PDY and five digits, not 00000
        return (
            (matrix[:, 0] == ord("P"))
            & (matrix[:, 1] == ord("D"))
            & (matrix[:, 2] == ord("Y"))
            & ((body >= ord("0")) & (body <= ord("9"))).all(axis=1)
            & (body != ord("0")).any(axis=1)
        )

    def _assemble(
        self,
        key: tuple[str, int, tuple[str, ...]],
        layout: list,
        matrix: Any,
        numbers: Any,
        flags: Any,
        glue: bytes = b"",
        after: bool = True,
    ) -> list[tuple[Any, list[Any]]]:
        """The output of the rows of ``matrix`` (canonical, valid as ``key``; line numbers ``numbers``, all of as
        many digits) as segments: ``(positions, columns)`` pairs, each row ``positions[i]`` of ``matrix`` written
        as its parts of ``columns[0]``, ``columns[1]``... in turn, with ``glue`` after it (``after``) or before it.
        A column is a ``bytes`` (the same for every row), a 2-D array of bytes (row ``i``: its part) or a 1-D
        array of piece numbers (row ``i``: piece ``column[i]`` of the arena, :meth:`_piece_id`).

        A flag, or a look-up that has had few distinct values so far, is not a column: the rows are grouped by
        its value, which becomes template text of the group; so a row is written as a few long segments (runs of
        its own characters and template text, made by NumPy, and the shared JSON of the longer look-ups)."""
        np = batch._numpy()
        family = self._FAMILY.get(key[0], key[0])
        count = len(matrix)
        self._parsed.clear()
        digits = len(str(int(numbers[-1]))) if count else 0
        columns: dict[int, Any] = {}  # layout index -> one piece per row (the parts not grouped by)
        chosen: list[tuple[int, Any, list[bytes]]] = []  # (layout index, value number per row, values)
        combinations = 1
        for index, part in enumerate(layout):
            if part[0] == "fixed":
                continue
            if part[0] == "flag":
                ids, values = self._flags(part[1], matrix, flags).astype(np.intp), _FLAG_VALUES
            else:
                _, fields, texts, start, stop, prefix = part
                name = (family, tuple(fields), tuple(texts), start, stop, matrix.shape[1], tuple(prefix))
                column, ids = self._looked_up(name, matrix, start, stop)
                distinct = self.distinct.get(name, [])
                if ids is None or len(distinct) > _GROUPED or combinations * len(distinct) > _COMBINATIONS:
                    columns[index] = column
                    continue
                values = [self.piece_bytes[number] for number in distinct]
            if combinations * len(values) > _COMBINATIONS:  # (flags only) as pieces of the arena
                columns[index] = np.array([self._piece_id(value) for value in values], dtype=np.intp)[ids]
                continue
            chosen.append((index, ids, values))
            combinations *= len(values)
        if combinations == 1:
            groups: list[tuple[Any, int]] = [(None, 0)]
        else:
            code = np.zeros(count, dtype=np.intp)
            scale = 1
            for _, ids, values in chosen:
                code += ids * scale
                scale *= len(values)
            sizes = np.bincount(code, minlength=combinations)
            present = np.flatnonzero(sizes)
            if len(present) == 1:
                groups = [(None, int(present[0]))]
            else:
                order = np.argsort(code, kind="stable")
                ends = np.cumsum(sizes[present])
                groups = [
                    (order[end - int(sizes[value]) : end], int(value))
                    for value, end in zip(present.tolist(), ends.tolist(), strict=True)
                ]
        made: list[tuple[Any, list[Any]]] = []
        for rows, value in groups:
            constants: dict[int, bytes] = {}
            for index, _, values in chosen:
                constants[index] = values[value % len(values)]
                value //= len(values)
            special = self._special(layout, constants, glue, after)
            part_matrix = matrix if rows is None else matrix[rows]
            part_numbers = numbers if rows is None else numbers[rows]
            segments: list[Any] = []
            for spec in special:
                if spec[0] == "var":
                    column = columns[spec[1]]
                    segments.append(column if rows is None else column[rows])
                elif spec[0] == "const":
                    segments.append(spec[1])
                else:
                    segments.append(self._fixed(spec[1], part_matrix, part_numbers, digits))
            made.append((np.arange(count) if rows is None else rows, segments))
        return made

    def _special(self, layout: list, constants: dict[int, bytes], glue: bytes, after: bool) -> list:
        """``layout`` with the parts ``constants`` names written as that text: ``("fixed", items)`` (adjacent
        texts joined), ``("var", layout index)`` and ``("const", text)`` (a run of template text only), with
        ``glue`` after or before."""
        cache_key = (id(layout), tuple(sorted(constants.items())), glue, after)
        special = self.specials.get(cache_key)
        if special is not None and special[0] is layout:
            return special[1]
        runs: list = []
        for index, part in enumerate(layout):
            if part[0] == "fixed" or index in constants:
                items = list(part[1]) if part[0] == "fixed" else [constants[index]]
                if runs and runs[-1][0] == "fixed":
                    runs[-1][1].extend(items)
                else:
                    runs.append(("fixed", items))
            else:
                runs.append(("var", index))
        if glue:
            if after:
                runs.append(("fixed", [glue])) if runs[-1][0] != "fixed" else runs[-1][1].append(glue)
            else:
                runs.insert(0, ("fixed", [glue])) if runs[0][0] != "fixed" else runs[0][1].insert(0, glue)
        result: list = []
        for run in runs:
            if run[0] != "fixed":
                result.append(run)
                continue
            merged: list = []
            for item in run[1]:
                if isinstance(item, bytes) and merged and isinstance(merged[-1], bytes):
                    merged[-1] += item
                elif not isinstance(item, bytes) or item:
                    merged.append(item)
            if all(isinstance(item, bytes) for item in merged):
                if merged:
                    result.append(("const", merged[0]))
            else:
                result.append(("fixed", merged))
        if len(self.specials) >= _PIECES:
            self.specials.clear()
        self.specials[cache_key] = (layout, result)
        return result

    @staticmethod
    def _fixed(items: list, matrix: Any, numbers: Any, digits: int) -> Any:
        """The run ``items`` (text, ``"line"``, columns of the number) of each row, as a 2-D array of bytes: the
        text copied in one row at a time, then each column."""
        np = batch._numpy()
        width = sum(
            digits if item == "line" else len(item) if isinstance(item, bytes) else item[1] - item[0] for item in items
        )
        text = np.zeros(width, dtype=np.uint8)
        copies: list[tuple[int, Any]] = []
        at = line = 0
        for item in items:
            if item == "line":
                line = at
                at += digits
            elif isinstance(item, bytes):
                text[at : at + len(item)] = np.frombuffer(item, dtype=np.uint8)
                at += len(item)
            else:
                copies.append((at, item))
                at += item[1] - item[0]
        out = np.empty((len(matrix), width), dtype=np.uint8)
        out[:] = text
        for at, (start, stop) in copies:
            out[:, at : at + stop - start] = matrix[:, start:stop]
        if "line" in items:  # the digits, last first (a division by a constant: fast)
            number = numbers.astype(np.uint64)
            for column in range(line + digits - 1, line - 1, -1):
                quotient = number // 10
                out[:, column] = number - quotient * 10 + ord("0")
                number = quotient
        return out

    def _piece_id(self, piece: bytes) -> int:
        """The number of ``piece`` in the arena, where every distinct piece is stored once (for all look-ups)
        as bytes of one array: :attr:`arena` from :attr:`piece_starts` for :attr:`piece_sizes`."""
        number = self.piece_ids.get(piece)
        if number is None:
            np = batch._numpy()
            number = self.piece_ids[piece] = len(self.piece_bytes)
            self.piece_bytes.append(piece)
            end = self.arena_size + len(piece)
            if end > len(self.arena):
                grown = np.empty(max(end, 2 * len(self.arena), 1 << 16), dtype=np.uint8)
                grown[: self.arena_size] = self.arena[: self.arena_size]
                self.arena = grown
            self.arena[self.arena_size : end] = np.frombuffer(piece, dtype=np.uint8)
            if number >= len(self.piece_starts):
                starts, sizes = (np.zeros(max(1024, 2 * len(self.piece_starts)), dtype=np.int64) for _ in range(2))
                starts[:number], sizes[:number] = self.piece_starts[:number], self.piece_sizes[:number]
                self.piece_starts, self.piece_sizes = starts, sizes
            self.piece_starts[number], self.piece_sizes[number] = self.arena_size, len(piece)
            self.arena_size = end
        return number

    def _number(self, name: tuple, piece: bytes) -> tuple[int, int]:
        """``piece`` of the look-up ``name``: its number among the look-up's distinct pieces, and in the arena."""
        numbering = self.numbering.setdefault(name, {})
        number = self._piece_id(piece)
        local = numbering.get(number)
        if local is None:
            distinct = self.distinct.setdefault(name, [])
            local = numbering[number] = len(distinct)
            distinct.append(number)
        return local, number

    def clear_pieces(self) -> None:
        """Forget every piece (the arena grew past :data:`_ARENA_BYTES`): only between blocks, when no segment
        refers to one."""
        np = batch._numpy()
        self.pieces.clear()
        self.dense.clear()
        self.distinct.clear()
        self.numbering.clear()
        self.specials.clear()
        self.piece_ids.clear()
        self.piece_bytes.clear()
        self.arena, self.arena_size = np.empty(0, dtype=np.uint8), 0
        self.piece_starts, self.piece_sizes = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        self._viewed = 0
        self.invalid.suffix_ids.clear()

    def piece_views(self) -> Any:
        """The ``binary_view`` element (:func:`_views`) of every piece of the arena, its data buffer 0: an
        ``(n, 4)`` int32 array indexed by piece number, each made once."""
        np = batch._numpy()
        count = len(self.piece_bytes)
        if len(self._piece_views) < count:
            grown = np.empty((max(count, 2 * len(self._piece_views), 1024), 4), dtype=np.int32)
            grown[: self._viewed] = self._piece_views[: self._viewed]
            self._piece_views = grown
        if self._viewed < count:
            self._piece_views[self._viewed : count] = _views(
                self.arena[: self.arena_size],
                0,
                self.piece_starts[self._viewed : count],
                self.piece_sizes[self._viewed : count],
            )
            self._viewed = count
        return self._piece_views

    def _looked_up(self, name: tuple, matrix: Any, start: int, stop: int) -> tuple[Any, Any]:
        """The look-up ``name`` of each row of ``matrix`` (``number[start:stop]`` its key) as piece numbers of the
        arena, and the number of each row's piece among :attr:`distinct` ``[name]`` (None: not known for every
        row)."""
        np = batch._numpy()
        dense = self._dense(name, matrix, start, stop)
        if dense is not None:
            return dense
        family, fields, texts, prefix = name[0], list(name[1]), list(name[2]), list(name[6])
        count = len(matrix)
        table = self.pieces.setdefault(name, {})
        keys = np.ascontiguousarray(matrix[:, start:stop]).view(f"S{stop - start}").ravel().tolist()
        missing = set(keys).difference(table)
        if missing:
            if len(table) + len(missing) > _PIECES:  # bounded: start again
                table.clear()
                missing = set(keys)
            first = dict(zip(reversed(keys), range(count - 1, -1, -1), strict=True))
            for value in missing:
                number = matrix[first[value]].tobytes().decode("ascii")
                table[value] = self._number(name, self._var_piece(family, fields, texts, number, prefix))[1]
        return np.fromiter(map(table.__getitem__, keys), dtype=np.intp, count=count), None

    def _dense(self, name: tuple, matrix: Any, start: int, stop: int) -> tuple[Any, Any] | None:
        """:meth:`_looked_up` without a dict look-up per row, where the key ``number[start:stop]`` is one or two
        bytes, or up to six digits (a region code): the key becomes an integer, a shared array numbers the keys
        seen so far, and the pieces of each look-up are numbered in arrays by that number.  A key of up to six
        characters that are not all digits is looked up in a dict; None: no integer key for this width."""
        np = batch._numpy()
        part = matrix[:, start:stop].astype(np.int32)
        size = stop - start
        family, fields, texts, prefix = name[0], list(name[1]), list(name[2]), list(name[6])
        if size <= 2:
            space, code = 256**size, part[:, 0] if size == 1 else part[:, 0] * 256 + part[:, 1]
        elif size <= 6:
            part -= ord("0")
            other = ((part < 0) | (part > 9)).any(axis=1)
            if other.any():  # (rare: a USCC region with letters) the others in a dict, one by one
                column = np.empty(len(matrix), dtype=np.intp)
                digits = np.flatnonzero(~other)
                if len(digits):
                    column[digits] = self._looked_up(name, np.ascontiguousarray(matrix[digits]), start, stop)[0]
                table = self.pieces.setdefault(name, {})
                for row in np.flatnonzero(other).tolist():
                    key = matrix[row, start:stop].tobytes()
                    known_piece = table.get(key)
                    if known_piece is None:
                        number = matrix[row].tobytes().decode("ascii")
                        known_piece = self._number(name, self._var_piece(family, fields, texts, number, prefix))[1]
                        if len(table) < _PIECES:
                            table[key] = known_piece
                    column[row] = known_piece
                return column, None
            space, code = 10**size, part @ (10 ** np.arange(size - 1, -1, -1, dtype=np.int32))
        else:
            return None
        slots = self.slots.get(space)
        if slots is None:
            slots = self.slots[space] = np.full(space, -1, dtype=np.int32)
        index = slots[code]
        fresh = index < 0
        if fresh.any():
            new = np.unique(code[fresh])
            base = self.slot_counts.get(space, 0)
            slots[new] = np.arange(base, base + len(new), dtype=np.int32)
            self.slot_counts[space] = base + len(new)
            index = slots[code]
        needed = self.slot_counts[space]
        pieces, known, numbered, filled = self.dense.get(name, (None, None, None, 0))
        if pieces is None or len(pieces) < needed:
            capacity = max(needed, 2 * len(pieces) if pieces is not None else 1024)
            grown, seen = np.zeros(capacity, dtype=np.intp), np.zeros(capacity, dtype=bool)
            renumbered = np.zeros(capacity, dtype=np.intp)
            if pieces is not None:
                grown[: len(pieces)], seen[: len(known)], renumbered[: len(numbered)] = pieces, known, numbered
            pieces, known, numbered = grown, seen, renumbered
        missing = np.flatnonzero(~known[index])
        if len(missing):
            new, first = np.unique(index[missing], return_index=True)
            if filled + len(new) > _PIECES:  # bounded: start again
                known[:], filled = False, 0
                self.distinct.pop(name, None)
                self.numbering.pop(name, None)
                missing = np.arange(len(index))
                new, first = np.unique(index, return_index=True)
            for slot, row in zip(new.tolist(), missing[first].tolist(), strict=True):
                piece = self._var_piece(family, fields, texts, matrix[row].tobytes().decode("ascii"), prefix)
                numbered[slot], pieces[slot] = self._number(name, piece)
            known[new] = True
            filled += len(new)
        self.dense[name] = (pieces, known, numbered, filled)
        return pieces[index], numbered[index]

    def render_bytes(
        self,
        label: str,
        width: int,
        rows: Any,
        matrix: Any,
        numbers: Any,
        flags: Any,
        segments: list[tuple[Any, list[Any]]],
        also: tuple[str, ...] = (),
        glue: bytes = b"\n",
        after: bool = True,
    ) -> bool:
        """:meth:`render` for a byte block: ``matrix`` holds the rows ``rows`` (canonical, valid as ``label``
        and ``also``), ``numbers`` their line numbers; their output goes into ``segments`` as :meth:`_assemble`
        makes it, ``rows`` standing for positions (each with ``glue`` after or before it)."""
        np = batch._numpy()
        key = (label, width, also)
        if key not in self.formats:
            number = matrix[0].tobytes().decode("ascii")
            self.formats[key] = self._format(
                label, width, int(numbers[0]), number, True if flags is None else bool(flags[0]), also
            )
        if self.formats[key] is None:
            return False
        layout = self.layouts.get(key)
        if key not in self.layouts:  # checked once against the per-item output of the first line
            layout = self.layouts[key] = self._layout(key)
            sample = matrix[:1]
            number = sample[0].tobytes().decode("ascii")
            verdict = check(number, strict=self.options.strict, kind=self.options.kind)
            made = self._assemble(key, layout, sample, numbers[:1], None if flags is None else flags[:1])
            line = b"".join(
                column
                if isinstance(column, bytes)
                else column[0].tobytes()
                if column.ndim == 2
                else self.piece_bytes[int(column[0])]
                for column in made[0][1]
            )
            if line != item_output(int(numbers[0]), verdict, self.options).encode():
                self.layouts[key] = layout = None
        if layout is None:
            return False
        cuts = {0, len(rows), *(int(at) for at in np.searchsorted(numbers, 10 ** np.arange(1, 19, dtype=np.int64)))}
        for start, stop in itertools.pairwise(sorted(cuts)):  # the line numbers of a piece have as many digits
            if stop > start:
                for positions, columns in self._assemble(
                    key,
                    layout,
                    matrix[start:stop],
                    numbers[start:stop],
                    None if flags is None else flags[start:stop],
                    glue,
                    after,
                ):
                    segments.append((rows[start:stop][positions], columns))
        self.rendered[key] = self.rendered.get(key, 0) + len(rows)
        return True


@click.command("check")
@click.argument("numbers", nargs=-1)
@click.option(
    "-f",
    "--file",
    "path",
    metavar="PATH",
    help="每行一个号码的文件（- 为标准输入） / file with one number per line (- for stdin)",
)
@click.option("--strict", is_flag=True, help="同时核对代码表与行政区划 / also check code tables and region codes")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="auto",
    show_default=True,
    help="按指定类型校验 / validate as this kind instead of identifying",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json", "jsonl"]),
    default="text",
    show_default=True,
    help="输出格式 / output format",
)
@click.option("--reveal", is_flag=True, help="完整显示身份号码与出生日期 / show ID numbers and birth dates in full")
@click.option("-q", "--quiet", is_flag=True, help="只输出无效号码 / print invalid numbers only")
@click.option("--encoding", default="utf-8-sig", show_default=True, help="输入文件编码 / encoding of --file")
def check_command(
    numbers: tuple[str, ...],
    path: str | None,
    strict: bool,
    kind: str,
    output: str,
    reveal: bool,
    quiet: bool,
    encoding: str,
) -> None:
    """识别并校验代码 / Identify, validate and explain identifiers.

    \b
    退出码 / exit codes: 0 全部有效 all valid; 1 有无效 some invalid; 2 用法或输入错误 usage or input error.
    """
    if numbers and path:
        raise click.UsageError(bilingual("号码参数与 --file 只能二选一", "give numbers or --file, not both"))
    if numbers:
        items: Iterable[tuple[int | None, str | None]] = ((None, number) for number in numbers)
    elif path or not sys.stdin.isatty():
        options = Options(strict, None if kind == "auto" else kind, output, reveal, quiet)
        if quiet or output != "text":  # the bulk path: the same output, a block at a time
            sys.exit(run_bulk(_read_blocks(path or "-", encoding, block_scale(quiet)), options))
        items = ((line.number, None if line.overlong else line.text) for line in read_lines(path or "-", encoding))
    else:
        raise click.UsageError(bilingual("请给出号码、--file 或标准输入", "give numbers, --file or stdin"))
    options = Options(strict, None if kind == "auto" else kind, output, reveal, quiet)
    sys.exit(run(items, options))
