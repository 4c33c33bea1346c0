"""Input helpers shared by the commands: read lines from files or stdin, fail cleanly."""

from __future__ import annotations

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
    """Yield ``(line number, text)`` for each non-blank, non-comment line of ``path`` (``-`` = stdin)."""
    name = "<stdin>" if path == "-" else path
    try:
        stream = (
            open(sys.stdin.fileno(), encoding=encoding, closefd=False, newline="")
            if path == "-"
            else open(path, encoding=encoding, newline="")
        )
    except OSError as error:
        raise InputError(f"无法打开输入文件 {name}：{error.strerror}",
                         f"cannot open input file {name}: {error.strerror}") from None
    except LookupError:
        raise InputError(f"未知的编码 {encoding}", f"unknown encoding {encoding}") from None
    line_number = 0
    with stream:
        try:
            for line_number, line in enumerate(stream, 1):
                text = line.strip()
                if text and not text.startswith("#"):
                    yield line_number, text
        except UnicodeDecodeError:
            raise InputError(
                f"{name} 第{line_number + 1}行不是 {encoding} 编码；GBK 文件请用 --encoding gb18030",
                f"{name} line {line_number + 1} is not valid {encoding}; for GBK files use --encoding gb18030",
            ) from None
