"""Input helpers shared by the commands: read lines from files or stdin, fail cleanly."""

from __future__ import annotations

import codecs
import contextlib
import sys
from collections.abc import Iterator

import click

from creditstd.exceptions import bilingual

__all__ = ["InputError", "read_lines"]


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
