"""``creditstd check --file`` on input that cannot be read on part-way (bytes that are not the encoding, an I/O
error): exit 2 and the bilingual message naming the file and line on stderr, as before; what stdout holds is whole
in every format: the results of every line read before, text and JSON Lines as whole lines, and ``--format json``
a complete document whose ``error`` member says where reading stopped.  An input that cannot be opened writes
nothing on stdout."""

from __future__ import annotations

import codecs
import errno
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from creditstd.cli import check as check_module
from creditstd.cli import main

VALID = "11010519491231002X"
USCC = "91350100M000100Y43"
INVALID = "91350100M000100Y44"
FORMATS = [
    ["--format", "json"],
    ["--format", "json", "-q"],
    ["--format", "jsonl"],
    ["--format", "jsonl", "-q"],
    ["--format", "text"],
    ["-q"],
]


def _write(path: Path, count: int, tail: bytes = b"\xff\n", encoding: str = "utf-8") -> Path:
    """``count`` lines (every 7th one invalid) and then ``tail``: the line ``count + 1`` cannot be read."""
    lines = [INVALID if number % 7 == 0 else (VALID if number % 2 else USCC) for number in range(1, count + 1)]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding) + tail)
    return path


def _run(*args: str) -> object:
    return CliRunner().invoke(main, ["check", *args], env={"CREDITSTD_LANG": "both"})


def _expected_message(path: Path, line: int, encoding: str = "utf-8-sig") -> tuple[str, str]:
    """The message for bytes not in ``encoding``; a file read as GB is not told to try GB."""
    if encoding == "gb18030":
        return f"{path} 第{line}行附近不是 {encoding} 编码", f"{path} near line {line} is not valid {encoding}"
    return (
        f"{path} 第{line}行附近不是 {encoding} 编码；GBK 文件请用 --encoding gb18030",
        f"{path} near line {line} is not valid {encoding}; for GBK files use --encoding gb18030",
    )


def _assert_whole(stdout: str, args: list[str], count: int, line: int) -> dict | None:
    """stdout holds the results of the ``count`` lines read before ``line`` (the invalid ones with ``-q``), whole;
    the JSON document, if any, is returned."""
    quiet = "-q" in args
    listed = sum(1 for number in range(1, count + 1) if number % 7 == 0) if quiet else count
    if "json" in args:
        document = json.loads(stdout)
        assert len(document["results"]) == listed
        invalid = count // 7
        assert document["summary"] == {"checked": count, "valid": count - invalid, "invalid": invalid}
        return document
    assert stdout == "" or stdout.endswith("\n")
    if "jsonl" in args:
        lines = stdout.splitlines()
        assert [json.loads(text)["line"] for text in lines] == [
            number for number in range(1, count + 1) if not quiet or number % 7 == 0
        ]
    else:
        assert sum(text.startswith(("✓", "✗")) for text in stdout.splitlines()) == listed
    return None


@pytest.mark.parametrize("args", FORMATS)
def test_stdout_is_whole_after_bytes_that_are_not_utf8(tmp_path: Path, args: list[str]) -> None:
    """The case of the report: 3,000 lines, then a line with the byte 0xff (one block, read on line by line)."""
    path = _write(tmp_path / "ids.txt", 3000)
    result = _run("--file", str(path), *args)
    assert result.exit_code == 2
    zh, en = _expected_message(path, 3001)
    assert f"{zh} / {en}" in result.stderr
    document = _assert_whole(result.stdout, args, 3000, 3001)
    if document is not None:
        assert document["error"] == {
            "code": "source.decode",
            "file": str(path),
            "line": 3001,
            "message_zh": zh,
            "message_en": en,
        }
        assert list(document) == ["results", "summary", "error"]


@pytest.mark.parametrize("args", FORMATS)
def test_stdout_is_whole_when_the_error_comes_blocks_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """Many blocks already written (by the writing thread) before the block that cannot be read."""
    monkeypatch.setattr(check_module, "BLOCK_BYTES", 512)
    path = _write(tmp_path / "ids.txt", 700, b"1101\xc3\n" + USCC.encode() + b"\n")
    result = _run("--file", str(path), *args)
    assert result.exit_code == 2
    zh, en = _expected_message(path, 701)
    assert f"{zh} / {en}" in result.stderr
    document = _assert_whole(result.stdout, args, 700, 701)
    if document is not None:
        assert document["error"]["line"] == 701


@pytest.mark.parametrize("args", FORMATS[:4])
def test_other_encodings_read_line_by_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    """An encoding other than UTF-8 is read line by line, ``BLOCK_LINES`` at a time: the lines of the last block
    before the error are written too."""
    monkeypatch.setattr(check_module, "BLOCK_LINES", 100)
    path = _write(tmp_path / "ids.txt", 250, b"\x81\n", encoding="gb18030")
    result = _run("--file", str(path), "--encoding", "gb18030", *args)
    assert result.exit_code == 2
    zh, en = _expected_message(path, 251, "gb18030")
    assert f"{zh} / {en}" in result.stderr
    document = _assert_whole(result.stdout, args, 250, 251)
    if document is not None:
        assert (document["error"]["code"], document["error"]["message_en"]) == ("source.decode", en)


@pytest.mark.parametrize("args", [["--format", "json"], ["--format", "jsonl"]])
def test_nothing_read_at_all(args: list[str]) -> None:
    """The first line cannot be read (stdin): an empty result list, the error, exit 2."""
    result = CliRunner().invoke(main, ["check", *args], input=b"\xff\n", env={"CREDITSTD_LANG": "en"})
    assert result.exit_code == 2
    assert "<stdin> near line 1 is not valid utf-8-sig" in result.stderr
    if "json" in args:
        document = json.loads(result.stdout)
        assert document["results"] == []
        assert document["summary"] == {"checked": 0, "valid": 0, "invalid": 0}
        assert document["error"]["file"] == "<stdin>" and document["error"]["line"] == 1
    else:
        assert result.stdout == ""


@pytest.mark.parametrize("args", FORMATS)
def test_an_input_that_cannot_be_opened_writes_nothing(tmp_path: Path, args: list[str]) -> None:
    """As validate does, and as a usage error does: nothing on stdout, the message on stderr, exit 2."""
    for given in (
        ["--file", str(tmp_path / "missing.txt")],
        ["--file", str(tmp_path)],
        ["--file", str(_write(tmp_path / "ids.txt", 3)), "--encoding", "x-unknown"],
    ):
        result = _run(*given, *args)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr.startswith("Error: ")


def test_the_text_output_and_the_json_one_give_the_same_message(tmp_path: Path) -> None:
    """The per-line reader of the text output and the bulk path's name the same line in the same words."""
    path = _write(tmp_path / "ids.txt", 40, b"ok\n\xe4\xb8\n")
    text = _run("--file", str(path))
    for args in FORMATS:
        result = _run("--file", str(path), *args)
        assert (result.exit_code, result.stderr) == (text.exit_code, text.stderr) == (2, result.stderr), args
    assert "第42行" in text.stderr and "line 42" in text.stderr


def test_a_file_name_is_masked_and_escaped_in_the_error_member(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ID number in the file name is masked, as on stderr; a name that is not text (a byte that is not UTF-8, an
    escape) is written escaped: the document stays valid UTF-8 JSON."""
    monkeypatch.chdir(tmp_path)
    for name, shown in ((f"{VALID}.txt", "110105********002X.txt"), ("a\udcff\x1bb.txt", "a\\udcff\\u001bb.txt")):
        _write(tmp_path / name, 5)
        result = _run("--file", name, "--format", "json")
        assert result.exit_code == 2
        document = json.loads(result.stdout_bytes.decode("utf-8"))
        assert VALID not in result.stdout
        zh, en = _expected_message(Path(shown), 6)
        assert document["error"] == {
            "code": "source.decode",
            "file": shown,
            "line": 6,
            "message_zh": zh,
            "message_en": en,
        }


class _Failing(io.RawIOBase):
    """A stream whose reads fail (EIO) once ``size`` bytes are read."""

    def __init__(self, data: bytes, size: int) -> None:
        self.data, self.size, self.at = data, size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        if self.at >= self.size:
            raise OSError(errno.EIO, "Input/output error")
        view = memoryview(buffer)  # type: ignore[arg-type]
        chunk = self.data[self.at : min(self.at + len(view), self.size)]
        view[: len(chunk)] = chunk
        self.at += len(chunk)
        return len(chunk)


@pytest.mark.parametrize("output", ["json", "jsonl"])
def test_an_io_error_part_way_closes_the_document(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, output: str
) -> None:
    """A read that fails with an I/O error after some blocks: ``source.unreadable`` at the first line not read."""
    data = ("\n".join([VALID] * 200) + "\n").encode()
    stream = io.BufferedReader(_Failing(data, 19 * 50), buffer_size=64)
    codec = codecs.lookup("utf-8-sig")
    options = check_module.Options(strict=False, kind=None, output=output, reveal=False, quiet=False)
    with pytest.raises(check_module.Unreadable) as raised:
        check_module.run_bulk(check_module._utf8_blocks(stream, "ids.txt", codec, 19 * 25), options)
    assert raised.value.exit_code == 2
    assert "cannot read ids.txt at line 51: Input/output error" in raised.value.message
    stdout = capsys.readouterr().out
    if output == "json":
        document = json.loads(stdout)
        assert len(document["results"]) == 50
        assert document["error"] == {
            "code": "source.unreadable",
            "file": "ids.txt",
            "line": 51,
            "message_zh": "读取 ids.txt 第51行时出错：Input/output error",
            "message_en": "cannot read ids.txt at line 51: Input/output error",
        }
    else:
        assert [json.loads(line)["line"] for line in stdout.splitlines()] == list(range(1, 51))
        assert stdout.endswith("\n")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_gb_file_with_a_bad_byte_is_not_told_to_use_gb18030(tmp_path: Path, encoding: str) -> None:
    """The hint that GBK files need --encoding gb18030 is for a file read as UTF-8, not for one read as GB."""
    path = _write(tmp_path / "ids.txt", 10, b"\x81\x20\n", encoding=encoding)
    result = _run("--file", str(path), "--encoding", encoding)
    assert result.exit_code == 2
    assert f"{path} 第11行附近不是 {encoding} 编码 / {path} near line 11 is not valid {encoding}\n" in result.stderr
