"""Input helpers shared by the commands: read lines from files or stdin, fail cleanly."""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import sys
from collections.abc import Iterator

import click

from creditstd.atomic import atomic_writer
from creditstd.exceptions import bilingual

__all__ = ["InputError", "output_stream", "read_lines"]


class InputError(click.ClickException):
    """Input that cannot be read: exit code 2, a bilingual message naming the file and line."""

    exit_code = 2

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(bilingual(zh, en))


def read_lines(path: str, encoding: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text)`` for each non-blank, non-comment line of ``path`` (``-`` = stdin).

    Lines are decoded one at a time, so a decoding error names its line; the input is never modified.
    """
    name = "<stdin>" if path == "-" else path
    try:
        decoder = codecs.getincrementaldecoder(encoding)()
    except LookupError:
        raise InputError(f"未知的编码 {encoding}", f"unknown encoding {encoding}") from None
    try:
        stream = sys.stdin.buffer if path == "-" else open(path, "rb")
    except OSError as error:
        raise InputError(f"无法打开输入文件 {name}：{error.strerror}",
                         f"cannot open input file {name}: {error.strerror}") from None
    with contextlib.nullcontext(stream) if path == "-" else stream:
        for line_number, raw in enumerate(stream, 1):
            try:
                text = decoder.decode(raw).strip()
            except UnicodeDecodeError:
                raise InputError(
                    f"{name} 第{line_number}行不是 {encoding} 编码；GBK 文件请用 --encoding gb18030",
                    f"{name} line {line_number} is not valid {encoding}; for GBK files use --encoding gb18030",
                ) from None
            if text and not text.startswith("#"):
                yield line_number, text
        try:  # bytes left at the end: a multi-byte character cut off by a truncated file
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise InputError(f"{name} 在文件末尾被截断（最后一个字符不完整）",
                             f"{name} is truncated: its last character is incomplete") from None


@contextlib.contextmanager
def output_stream(path: str | os.PathLike[str] | None, encoding: str = "utf-8", *,
                  private: bool = False) -> Iterator[io.TextIOWrapper]:
    """A text stream to stdout (``path`` None), or to a temporary file renamed over ``path`` once complete.

    Nothing is left at ``path`` when the block fails: outputs are written atomically.  ``private`` files
    (holding raw input, personal data) are readable by their owner only.
    """
    if path is None:
        sys.stdout.flush()
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="")
        try:
            yield stream
        finally:
            stream.flush()
            stream.detach()
        return
    try:
        with atomic_writer(path, "w", encoding=encoding, private=private) as stream:
            yield stream
    except OSError as error:  # the folder is missing or read-only, the disk is full...
        raise InputError(f"无法写入 {path}：{error.strerror}", f"cannot write {path}: {error.strerror}") from None
