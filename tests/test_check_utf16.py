"""``creditstd check --file`` on UTF-16 and UTF-32 input (Excel's "Unicode text"; a byte-order mark decides, or
``--encoding``): the bulk path (``-q``, ``--format json``, ``--format jsonl``) reads the same lines, with the same
numbers, as the per-line text mode.

In these encodings a line feed byte (0x0A) can be part of a character (上 is U+4E0A, ``0A 4E`` in UTF-16LE; about
one CJK character in 256; the low surrogate of U+2000A), so lines are split on the decoded text, never on the
byte, and a line over 4,096 bytes (but not 4,096 characters) is an ordinary line, not a decoder reset.

The reference is the per-line path the text mode takes: :func:`creditstd.cli._io.read_lines` for the lines and
:func:`creditstd.cli.check.run` for the output, run with the same options.
"""

from __future__ import annotations

import codecs
import io
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditstd import orgcode, regno, ric, uscc
from creditstd.cli import check as check_module
from creditstd.cli import main
from creditstd.cli._io import lines_of, read_lines

VALID = "91350100M000100Y43"
INVALID = "91350100M000100Y4Z"
BULK_MODES = [["-q"], ["--format", "json"], ["--format", "jsonl"], ["--format", "jsonl", "-q"]]
#: (how the text is encoded, the options that read it): byte-order marks, and UTF-16 without one.
ENCODINGS = [
    pytest.param(lambda text: text.encode("utf-16-le"), ["--encoding", "utf-16-le"], id="utf-16-le-no-bom"),
    pytest.param(lambda text: b"\xff\xfe" + text.encode("utf-16-le"), [], id="utf-16-le-bom"),
    pytest.param(lambda text: b"\xfe\xff" + text.encode("utf-16-be"), [], id="utf-16-be-bom"),
    pytest.param(lambda text: text.encode("utf-16-be"), ["--encoding", "utf-16-be"], id="utf-16-be-no-bom"),
    pytest.param(lambda text: text.encode("utf-32"), [], id="utf-32-bom"),
]
#: Characters one of whose UTF-16 or UTF-32 bytes is a line feed or a carriage return:
#: 上 伊 䨊 昊 不 ਊ, 𠀊 (a low surrogate ``0A DC``)...
NEWLINE_BYTE_CHARACTERS = "上伊䨊昊不\u0a0a\u0d4e\U0002000a\U0002a00a"


def _invoke(path: Path, args: list[str]) -> object:
    return CliRunner().invoke(main, ["check", "--file", str(path), *args], env={"CREDITSTD_LANG": "both"})


def _reference(path: Path, args: list[str], monkeypatch: pytest.MonkeyPatch) -> object:
    """The command with the text mode's reader and writer: the lines of ``read_lines``, written by ``run``."""

    def read_blocks(name: str, encoding: str, scale: int = 1) -> object:
        for line in read_lines(name, encoding):
            yield [line.number], [None if line.overlong else line.text]

    def per_item(blocks: object, options: check_module.Options) -> int:
        return check_module.run(
            ((line, text) for numbers, texts in blocks for line, text in zip(numbers, texts, strict=True)), options
        )

    with monkeypatch.context() as patch:
        patch.setattr(check_module, "_read_blocks", read_blocks)
        patch.setattr(check_module, "run_bulk", per_item)
        return _invoke(path, args)


def _assert_as_text_mode(path: Path, args: list[str], monkeypatch: pytest.MonkeyPatch) -> object:
    bulk = _invoke(path, args)
    single = _reference(path, args, monkeypatch)
    assert bulk.exception is None or isinstance(bulk.exception, SystemExit), bulk.exception
    assert (bulk.exit_code, bulk.stdout, bulk.stderr) == (single.exit_code, single.stdout, single.stderr), args
    return bulk


def _reported(result: object, args: list[str]) -> tuple[list[int], tuple[int, int]]:
    """The line numbers a run reports, and its (checked, invalid) counts, whatever its format."""
    if "json" in args:
        document = json.loads(result.stdout)
        summary = document["summary"]
        return [item["line"] for item in document["results"]], (summary["checked"], summary["invalid"])
    if "jsonl" in args:
        lines = [int(line) for line in re.findall(r'^\{"line": (\d+)', result.stdout, re.M)]
    else:
        lines = [int(line) for line in re.findall(r"^[✓✗] line (\d+)", result.stdout, re.M)]
    checked, invalid = re.search(r"(\d+) checked, \d+ valid, (\d+) invalid", result.stderr).groups()
    return lines, (int(checked), int(invalid))


def _expected(args: list[str], valid: dict[int, bool]) -> tuple[list[int], tuple[int, int]]:
    """What a run reports for lines ``valid`` (number: whether valid): invalid ones only with ``-q``."""
    shown = [number for number, ok in valid.items() if not ("-q" in args and ok)]
    return shown, (len(valid), sum(not ok for ok in valid.values()))


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr"])
@pytest.mark.parametrize(("encode", "options"), ENCODINGS)
@pytest.mark.parametrize("mode", [[], *BULK_MODES], ids=lambda mode: " ".join(mode) or "text")
def test_a_comment_with_a_line_feed_byte_stays_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    encode: object,
    options: list[str],
    newline: str,
    mode: list[str],
) -> None:
    """上 (``0A 4E``) in a comment: the comment is skipped whole, the lines after it keep their numbers."""
    path = tmp_path / "ids.txt"
    text = newline.join(["# 上海分公司", INVALID, "", VALID, "# 备注：上、上、伊", "  上海  ", INVALID]) + newline
    path.write_bytes(encode(text))
    args = [*options, *mode]
    result = _assert_as_text_mode(path, args, monkeypatch) if mode else _invoke(path, args)
    assert result.exit_code == 1
    assert _reported(result, args) == _expected(args, {2: False, 4: True, 6: False, 7: False})
    if "-q" not in args:
        assert "上海" in result.stdout  # line 6, echoed whole


@pytest.mark.parametrize(("encode", "options"), ENCODINGS)
@pytest.mark.parametrize("mode", [[], *BULK_MODES], ids=lambda mode: " ".join(mode) or "text")
def test_a_line_over_4096_bytes_is_read_as_the_text_mode_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encode: object, options: list[str], mode: list[str]
) -> None:
    """3,000 characters (6,000 or 12,000 bytes): an ordinary line too long to be an identifier; 5,000 characters:
    a line too long to read; neither resets the decoder (which gave exit 2, "not valid utf-16")."""
    path = tmp_path / "ids.txt"
    lines = [VALID, "x" * 3000, INVALID, "上" * 5000, "# " + "上" * 3000, VALID, INVALID]
    path.write_bytes(encode("\r\n".join(lines) + "\r\n"))
    args = [*options, *mode]
    result = _assert_as_text_mode(path, args, monkeypatch) if mode else _invoke(path, args)
    assert result.exit_code == 1, result.stderr
    assert _reported(result, args) == _expected(args, {1: True, 2: False, 3: False, 4: False, 6: True, 7: False})


def test_the_issue_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The two files of the report, with ``-q``: one invalid line, line 2; then lines 2 and 3, exit 1."""
    comment = tmp_path / "u16c.txt"
    comment.write_bytes(f"# 上海分公司\r\n{INVALID}\r\n{VALID}\r\n".encode("utf-16"))
    result = _assert_as_text_mode(comment, ["-q"], monkeypatch)
    assert (result.exit_code, _reported(result, ["-q"])) == (1, ([2], (2, 1)))
    long = tmp_path / "u16long.txt"
    long.write_bytes("{}\r\n{}\r\n{}\r\n".format(VALID, "x" * 3000, INVALID).encode("utf-16"))
    result = _assert_as_text_mode(long, ["-q"], monkeypatch)
    assert (result.exit_code, _reported(result, ["-q"])) == (1, ([2, 3], (3, 2)))


def test_utf16_lines_are_streamed() -> None:
    """The first lines come after a bounded read, not the whole file (memory stays flat)."""
    data = ("# 上海\r\n" + f"{VALID}\r\n" * 200_000).encode("utf-16")
    stream = io.BufferedReader(io.BytesIO(data))
    lines = lines_of(stream, "ids.txt", codecs.lookup("utf-16"))
    assert next(lines) == (2, VALID, False)
    assert stream.tell() < 1 << 16
    assert sum(1 for _ in lines) == 199_999


def _code(rng: random.Random, valid: bool) -> str:
    choice = rng.randrange(4)
    number = (uscc.generate(rng=rng), ric.generate(rng=rng), orgcode.generate(rng=rng), regno.generate(rng=rng))[choice]
    if valid:
        return number
    return number[:-1] + rng.choice([c for c in "0123456789X" if c != number[-1]])


CJK = st.text(
    st.one_of(
        st.sampled_from(NEWLINE_BYTE_CHARACTERS),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),
        st.sampled_from(" 　，。：；、（）-#x"),
    ),
    max_size=40,
)
LINE = st.one_of(
    st.tuples(st.just("valid"), st.integers(0, 2**32)),
    st.tuples(st.just("invalid"), st.integers(0, 2**32)),
    st.tuples(st.just("comment"), CJK),
    st.tuples(st.just("text"), CJK),  # not an identifier: echoed (an empty or blank one is skipped)
    st.tuples(st.just("blank"), st.sampled_from(["", " ", "\t", "\u3000"])),
    st.tuples(st.just("long"), st.integers(2100, 5000)),  # over 4,096 bytes; from 4,096 characters too long to read
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(LINE, min_size=1, max_size=60),
    encoding=st.sampled_from([("utf-16", []), ("utf-16-be", ["bom"]), ("utf-16-le", ["--encoding", "utf-16-le"])]),
    newline=st.sampled_from(["\r\n", "\n"]),
    mode=st.sampled_from(BULK_MODES),
)
def test_random_utf16_files_read_as_the_text_mode_reads_them(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lines: list[tuple[str, Any]],
    encoding: tuple[str, list[str]],
    newline: str,
    mode: list[str],
) -> None:
    """Valid and invalid codes, comments and other lines of arbitrary CJK text, long lines: the bulk path's output
    equals the text mode reader's, and its line numbers are the lines' own."""
    texts: list[str] = []
    for kind, value in lines:
        if kind in ("valid", "invalid"):
            texts.append(_code(random.Random(value), kind == "valid"))
        elif kind == "comment":
            texts.append(f"# {value}")
        elif kind == "long":
            texts.append("上" * value)
        else:
            texts.append(str(value))
    name, extra = encoding
    text = newline.join(texts) + newline
    data = b"\xfe\xff" + text.encode(name) if extra == ["bom"] else text.encode(name)
    options = [] if extra == ["bom"] else extra
    path = tmp_path / "ids.txt"
    path.write_bytes(data)
    args = [*options, *mode]
    result = _assert_as_text_mode(path, args, monkeypatch)
    read = [number for number, line in enumerate(texts, 1) if line.strip() and not line.strip().startswith("#")]
    reported, (checked, _) = _reported(result, args)
    assert checked == len(read)
    assert set(reported) <= set(read) and reported == sorted(reported)
    if "-q" not in args:
        assert reported == read
