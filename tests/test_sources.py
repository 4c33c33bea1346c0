"""creditstd.sources: every fixture read, rows in = rows out + problems, exact lines, unreadable input refused.

Positive fixtures (``tests/fixtures/sources/positive``) are read and compared with ``expected.json`` and
with an independent count made by Python's :mod:`csv` module; negative fixtures must raise
:class:`SourceError` with the expected code and line.  Larger inputs are generated here at test time.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import os
import random
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from table_reading import read_all, rows_of

from creditstd.exceptions import CreditstdError
from creditstd.sources import (
    CODES,
    ROW_CODES,
    SourceError,
    TableChunk,
    blocks,
    delimited,
    expand_inputs,
    inputs,
    open_table,
    sniff,
)

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def lines_of(chunks: list[TableChunk]) -> list[int]:
    return [int(line) for chunk in chunks for line in chunk.lines]


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


# -- the fixtures ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EXPECTED["positive"]))
def test_positive_fixture(name: str) -> None:
    expected = EXPECTED["positive"][name]
    source, chunks, problems = read_all(str(FIXTURES / "positive" / name))
    assert sum(len(chunk) for chunk in chunks) == expected["rows"]
    assert len(problems) == expected["problems"]
    assert sum(chunk.blank_rows for chunk in chunks) == expected["blank"]
    for key in ("encoding", "delimiter", "header_row", "title", "format", "compression"):
        if key in expected:
            assert getattr(source, key) == expected[key], key
    if "headers" in expected:
        assert list(source.headers) == expected["headers"]
    if "lines" in expected:
        assert lines_of(chunks) == expected["lines"]
    if "first" in expected:
        assert rows_of(chunks)[0] == expected["first"]
    if "problem_lines" in expected:
        assert [problem.line for problem in problems] == expected["problem_lines"]
        assert [problem.code for problem in problems] == expected["problem_codes"]
    if "problem_raw" in expected:
        assert [problem.raw for problem in problems] == expected["problem_raw"]
    for chunk in chunks:
        assert list(chunk.batch.schema.names) == list(source.headers)
        assert all(pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
                   for field in chunk.batch.schema)
        assert chunk.lines.dtype == np.int64 and len(chunk.lines) == len(chunk) == len(chunk.records)


def _oracle_data_rows(path: Path, expected: dict) -> int:
    """Data rows counted by Python's csv module: non-blank records below the header."""
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    encoding = {"utf-8": "utf-8-sig", "gb18030": "gb18030", "utf-16": "utf-16"}.get(
        expected.get("encoding", "utf-8"), "utf-8-sig")
    text = raw.decode(encoding)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=expected.get("delimiter", ",")))
    below = records[expected.get("header_row", 1):]
    return sum(1 for record in below if any(cell.strip() for cell in record))


@pytest.mark.parametrize("name", sorted(EXPECTED["positive"]))
def test_rows_in_equal_rows_out_plus_problems(name: str) -> None:
    """Nothing read is silently dropped: every data row is in a chunk or in a row problem."""
    expected = EXPECTED["positive"][name]
    path = FIXTURES / "positive" / name
    _, chunks, problems = read_all(str(path))
    rows_out = sum(len(chunk) for chunk in chunks)
    if ".jsonl" in name:
        raw = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
        rows_in = sum(1 for line in raw.splitlines() if line.strip())
    else:
        rows_in = _oracle_data_rows(path, expected)
    assert rows_in == rows_out + len(problems)
    ordinals = sorted([int(r) for chunk in chunks for r in chunk.records] + [p.record for p in problems])
    assert ordinals == list(range(1, rows_in + 1))


@pytest.mark.parametrize("name", sorted(EXPECTED["negative"]))
def test_negative_fixture(name: str) -> None:
    expected = EXPECTED["negative"][name]
    path = str(FIXTURES / "negative" / name)
    with pytest.raises(SourceError) as caught:
        read_all(path, **expected.get("options", {}))
    error = caught.value
    assert error.code == expected["code"]
    assert isinstance(error, CreditstdError)
    assert error.code in CODES
    assert name in error.message_en and name in error.message_zh
    if "line" in expected:
        assert error.line == expected["line"]
        assert f"line {expected['line']}" in error.message_en and f"第{expected['line']}行" in error.message_zh
    assert "Traceback" not in str(error)


def test_row_problem_messages_never_quote_cells(tmp_path: Path) -> None:
    secret = "11010519491231002X"
    csv_path = write(tmp_path, "a.csv", f"a,b\n{secret}\n1,2,{secret}\n3,\"{secret}\n".encode())
    json_path = write(tmp_path, "a.jsonl", f'["{secret}"]\n{{"a": "{secret}"\n{{"{secret}": NaN}}\n'.encode())
    for path, count in ((csv_path, 3), (json_path, 3)):
        _, _, problems = read_all(path)
        assert len(problems) == count
        for problem in problems:
            assert problem.code in ROW_CODES and secret in problem.raw
            assert secret not in problem.message_zh + problem.message_en + str(problem.detail)


def test_problem_becomes_a_finding() -> None:
    _, _, problems = read_all(str(FIXTURES / "positive" / "ragged.csv"))
    finding = problems[0].finding()
    assert (finding.code, finding.location.line, finding.location.record) == ("source.ragged_row", 3, 2)
    assert finding.location.file.endswith("ragged.csv")


# -- files, stdin, globs ---------------------------------------------------------------------------------

def test_missing_file_and_plain_folder(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        open_table(str(tmp_path / "nope.csv"))
    assert caught.value.code == "source.not_found"
    with pytest.raises(SourceError) as caught:
        open_table(str(tmp_path))
    assert caught.value.code == "source.is_directory"


def test_unknown_options_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", b"a,b\n1,2\n")
    for options in ({"format": "xml"}, {"batch_rows": 0}, {"delimiter": '"'}, {"delimiter": ",,"},
                    {"header_row": 0}, {"encoding": "base64"}, {"encoding": "no-such-codec"}):
        with pytest.raises(SourceError) as caught:
            read_all(path, **options)
        assert caught.value.code in ("source.option", "source.encoding"), options


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        buffer = io.BytesIO(gzip.compress("名称,金额\n甲,1\n".encode("gbk")))

    monkeypatch.setattr(sys, "stdin", Stdin())
    source, chunks, problems = read_all("-")
    assert (source.path, source.encoding, source.compression) == ("-", "gb18030", "gzip")
    assert rows_of(chunks) == [{"名称": "甲", "金额": "1"}] and not problems


def test_stdin_error_names_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        buffer = io.BytesIO(b"")

    monkeypatch.setattr(sys, "stdin", Stdin())
    with pytest.raises(SourceError) as caught:
        open_table("-")
    assert caught.value.code == "source.empty" and "<stdin>" in caught.value.message_en


def test_expand_inputs(tmp_path: Path) -> None:
    for name in ("b.csv", "a.csv", "c.jsonl", "[x].csv"):
        (tmp_path / name).write_text("a\n1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.csv").write_text("a\n1\n")
    found = expand_inputs([str(tmp_path / "*.jsonl"), str(tmp_path / "*.csv"), str(tmp_path / "a.csv"), "-",
                           str(tmp_path / "[x].csv"), str(tmp_path / "**" / "d.csv")])
    assert [os.path.basename(path) for path in found] == ["c.jsonl", "[x].csv", "a.csv", "b.csv", "-", "d.csv"]
    with pytest.raises(SourceError) as caught:
        expand_inputs([str(tmp_path / "*.xlsx")])
    assert caught.value.code == "source.no_match"
    with pytest.raises(SourceError) as caught:
        expand_inputs([str(tmp_path / "missing.csv")])
    assert caught.value.code == "source.not_found"


def test_rows_close_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", b"a,b\n" + b"1,2\n" * 10)
    _, rows = open_table(path)
    opened = rows._opened
    assert opened is not None
    next(rows)
    rows.close()
    assert rows._opened is None and all(stream.closed for stream in opened._closers or [])
    _, rows = open_table(path)
    with rows:
        pass
    assert rows._opened is None


def test_format_by_content(tmp_path: Path) -> None:
    jsonl = write(tmp_path, "export", b'{"a": "1"}\n')
    tsv = write(tmp_path, "export.dat", b"a\tb\n1\t2\n")
    assert open_table(jsonl)[0].format == "jsonl"
    assert open_table(tsv)[0].format == "tsv"
    assert open_table(tsv, format="csv")[0].delimiter == "\t"


# -- encodings -------------------------------------------------------------------------------------------

def test_forced_encoding_names(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "名称,金额\n甲,1\n".encode("gbk"))
    for name in ("gbk", "GB2312", "cp936", "gb18030"):
        source, chunks, _ = read_all(path, encoding=name)
        assert source.encoding == "gb18030" and rows_of(chunks)[0]["名称"] == "甲"


def test_byte_order_mark_wins_over_forced_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", codecs.BOM_UTF8 + "名称\n甲\n".encode())
    source, chunks, _ = read_all(path, encoding="gbk")
    assert source.encoding == "utf-8-sig" and source.headers == ("名称",) and rows_of(chunks) == [{"名称": "甲"}]


def test_utf16_without_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "名称\t金额\n甲\t1\n".encode("utf-16-le"))
    source, chunks, _ = read_all(path)
    assert source.encoding == "utf-16-le" and rows_of(chunks) == [{"名称": "甲", "金额": "1"}]


def test_character_cut_at_the_sample_boundary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "名称,备注\n" + "".join(f"甲{i},中文备注{i}\n" for i in range(200))
    data = text.encode()
    cut = next(size for size in range(64, 200) if not _decodes(data[:size]))
    monkeypatch.setattr(delimited, "SAMPLE_BYTES", cut)
    source, chunks, _ = read_all(write(tmp_path, "a.csv", data))
    assert source.encoding == "utf-8" and len(rows_of(chunks)) == 200


def _decodes(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize("gbk_line", [300, 3000])
def test_utf8_sample_then_gbk_bytes_later(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gbk_line: int) -> None:
    monkeypatch.setattr(delimited, "SAMPLE_BYTES", 1024)
    monkeypatch.setattr(blocks, "READ_BYTES", 4096)
    lines = ["名称,备注".encode()] + [f"row{i},ascii".encode() for i in range(2, 4000)]
    lines[gbk_line - 1] = "甲,中文".encode("gbk")
    with pytest.raises(SourceError) as caught:
        read_all(write(tmp_path, "a.csv", b"\n".join(lines) + b"\n"))
    assert (caught.value.code, caught.value.line) == ("source.decode", gbk_line)
    assert "utf-8" in caught.value.message_en


def test_gbk_in_the_sample_decides_the_encoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delimited, "SAMPLE_BYTES", 1024)
    lines = [b"name,note"] + [f"row{i},ascii".encode() for i in range(2, 4000)]
    lines[4] = "甲,中文".encode("gbk")
    source, chunks, _ = read_all(write(tmp_path, "a.csv", b"\n".join(lines) + b"\n"))
    assert source.encoding == "gb18030" and rows_of(chunks)[3] == {"name": "甲", "note": "中文"}


def test_gbk_beyond_the_sample_with_four_byte_characters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blocks, "READ_BYTES", 1000)
    rows = [f"甲{i},{'𠮷' if i % 97 == 0 else '乙'}" for i in range(3000)]
    path = write(tmp_path, "a.csv", ("名称,备注\n" + "\n".join(rows) + "\n").encode("gb18030"))
    source, chunks, problems = read_all(path)
    assert source.encoding == "gb18030" and not problems
    assert [f"{row['名称']},{row['备注']}" for row in rows_of(chunks)] == rows
    assert lines_of(chunks) == list(range(2, 3002))


def test_invalid_gb18030_bytes_are_reported_at_their_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delimited, "SAMPLE_BYTES", 512)
    monkeypatch.setattr(blocks, "READ_BYTES", 700)
    body = b"".join(f"甲{i},乙\n".encode("gbk") for i in range(1000))
    lines = body.split(b"\n")
    lines[600] = b"\x81\x20,x"  # a lead byte followed by a space: not GB 18030
    path = write(tmp_path, "a.csv", "名称,备注\n".encode("gbk") + b"\n".join(lines))
    with pytest.raises(SourceError) as caught:
        read_all(path)
    assert (caught.value.code, caught.value.line) == ("source.decode", 602)


@pytest.mark.parametrize("use_iconv", [True, False])
def test_gb_decoding_with_and_without_iconv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_iconv: bool) -> None:
    monkeypatch.setattr(blocks, "USE_ICONV", use_iconv)
    monkeypatch.setattr(blocks, "READ_BYTES", 4096)
    rare = "丂亐"  # GBK 0x8140 and 0x8180: a trail byte 0x80, which iconv and Python read alike
    rows = [f"{rare}{i},{'𠮷' if i == 500 else '乙'}" for i in range(1000)]
    path = write(tmp_path, "a.csv", ("名称,备注\n" + "\n".join(rows) + "\n").encode("gb18030"))
    _, chunks, problems = read_all(path)
    assert [f"{row['名称']},{row['备注']}" for row in rows_of(chunks)] == rows and not problems
    # a lone 0x80: glibc's iconv reads it as the euro sign (code page 936), GB 18030 does not
    data = ("名称,备注\n" + "\n".join(rows[:800])).encode("gb18030") + b"\n\xce\xd2\x80,x\n"
    with pytest.raises(SourceError) as caught:
        read_all(write(tmp_path, "b.csv", data))
    assert (caught.value.code, caught.value.line) == ("source.decode", 802)


def test_bad_utf8_in_a_ragged_row_is_a_decode_error_and_quiet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(delimited, "SAMPLE_BYTES", 256)
    data = "名称,备注\n".encode() + b"1,2\n" * 300 + "甲,乙,丙\n".encode("gbk") + b"3,4\n"
    with pytest.raises(SourceError) as caught:
        read_all(write(tmp_path, "a.csv", data))
    assert (caught.value.code, caught.value.line) == ("source.decode", 302)
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err and "Exception ignored" not in captured.err


# -- a damaged byte: the encoding of the rest of the file, its line and offset; an ASCII start -----------------

def _rows(count: int) -> list[str]:
    """A header and ``count - 1`` rows of Chinese text (lines 1 to ``count``)."""
    return ["名称,处罚事由"] + [f"甲公司{i},违反规定第{i}条" for i in range(2, count + 1)]


def _with_bad_bytes(lines: list[str], encoding: str, line: int, bad: bytes, at_start: bool = True) -> tuple[bytes, int]:
    """The file of ``lines`` in ``encoding`` with ``bad`` put into ``line`` (at its start or after its first
    character), and the 0-based offset of ``bad`` in it."""
    encoded = [text.encode(encoding) for text in lines]
    cut = 0 if at_start else len(lines[line - 1][0].encode(encoding))
    encoded[line - 1] = encoded[line - 1][:cut] + bad + encoded[line - 1][cut:]
    offset = sum(len(part) + 1 for part in encoded[: line - 1]) + cut
    return b"\n".join(encoded) + b"\n", offset


def _decode_error(path: str, **options: object) -> SourceError:
    with pytest.raises(SourceError) as caught:
        read_all(path, **options)
    assert caught.value.code == "source.decode"
    return caught.value


def test_utf8_file_with_a_bad_byte_at_line_1002_names_utf8_and_that_line(tmp_path: Path) -> None:
    """The report: a valid UTF-8 start with Chinese text, one bad byte at line 1002, was 'not valid gb18030'."""
    data, offset = _with_bad_bytes(_rows(1100), "utf-8", 1002, b"\xff", at_start=False)
    assert len(data) < delimited.SAMPLE_BYTES  # the bad byte is in the sample the encoding is told from
    error = _decode_error(write(tmp_path, "penalties.csv", data))
    assert error.line == 1002 and error.file.endswith("penalties.csv")
    assert f"penalties.csv, line 1002 (byte offset {offset}): the bytes are not valid utf-8" in error.message_en
    assert f"penalties.csv第1002行（字节偏移{offset}）：字节不是有效的 utf-8 编码" in error.message_zh


@pytest.mark.parametrize("bad", [b"\xff", b"\x80", "中".encode()[:2]])
def test_utf8_file_with_a_bad_byte_beyond_the_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      bad: bytes) -> None:
    monkeypatch.setattr(delimited, "SAMPLE_BYTES", 2048)
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 4096)
    data, offset = _with_bad_bytes(_rows(3000), "utf-8", 2500, bad, at_start=False)
    error = _decode_error(write(tmp_path, "a.csv", data))
    assert error.line == 2500 and f"(byte offset {offset}): the bytes are not valid utf-8" in error.message_en


@pytest.mark.parametrize("sample", [2048, 1 << 20])
def test_gbk_file_with_a_bad_byte_late_names_gb18030_and_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   sample: int) -> None:
    monkeypatch.setattr(delimited, "SAMPLE_BYTES", sample)
    monkeypatch.setattr(blocks, "READ_BYTES", 4096)
    data, offset = _with_bad_bytes(_rows(3000), "gbk", 2500, b"\xff", at_start=False)
    error = _decode_error(write(tmp_path, "a.csv", data))
    assert error.line == 2500 and f"(byte offset {offset}): the bytes are not valid gb18030" in error.message_en


BAD_BYTES = {"utf-8": [b"\xff", b"\x80", b"\xc0\xaf", "中".encode()[:2]], "gbk": [b"\xff", b"\x80", b"\x81 "]}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), encoding=st.sampled_from(["utf-8", "gbk"]), count=st.integers(2, 400),
       sample=st.sampled_from([256, 1024, 4096, 1 << 20]), block=st.sampled_from([512, 4096]),
       at_start=st.booleans())
def test_a_bad_byte_anywhere_is_reported_at_its_line_in_the_files_encoding(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: st.DataObject, encoding: str, count: int,
        sample: int, block: int, at_start: bool) -> None:
    monkeypatch.setattr(delimited, "SAMPLE_BYTES", sample)
    monkeypatch.setattr(delimited, "BLOCK_BYTES", block)
    monkeypatch.setattr(blocks, "READ_BYTES", 300)
    line = data.draw(st.integers(2, count), label="line")
    bad = data.draw(st.sampled_from(BAD_BYTES[encoding]), label="bad")
    content, offset = _with_bad_bytes(_rows(count), encoding, line, bad, at_start)
    error = _decode_error(write(tmp_path, "gen.csv", content))
    named = "utf-8" if encoding == "utf-8" else "gb18030"
    assert error.line == line
    assert f"gen.csv, line {line} (byte offset {offset}): the bytes are not valid {named} (" in error.message_en
    assert f"第{line}行（字节偏移{offset}）：字节不是有效的 {named} 编码" in error.message_zh


#: Words of credit exports.  In GBK most of their characters are not UTF-8 (a GBK text of only characters that
#: are, such as 一, is valid UTF-8 and read as such: no detector can tell).
WORDS = ("名称", "统一社会信用代码", "行政处罚", "决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别",
         "罚款", "没收违法所得", "暂扣许可证", "处罚决定日期", "处罚机关", "数据来源单位", "备注", "有限公司",
         "股份有限公司", "北京市", "上海市", "广州市", "深圳市", "市场监督管理局", "税务局", "生态环境局", "张三",
         "李四", "王五", "赵建华", "警告", "责令改正", "未按规定", "虚假宣传", "逃避缴纳税款", "是", "否",
         "个体工商户", "法定代表人")


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.sampled_from(WORDS), min_size=4, max_size=60), where=st.floats(0, 1),
       bad=st.sampled_from([b"\xff", b"\x80", b"\xfe", "中".encode()[:2]]))
def test_utf8_or_gb18030_on_a_damaged_sample(words: list[str], where: float, bad: bytes) -> None:
    """GBK text, damaged or not, is GB 18030; UTF-8 text with a damaged byte is UTF-8 (it was GB 18030)."""
    lines = [f"{index},{word}\n" for index, word in enumerate(words)]
    for encoding, expected in (("gbk", "gb18030"), ("utf-8", "utf-8")):
        encoded = [line.encode(encoding) for line in lines]
        at = int(where * len(encoded))
        damaged = b"".join(encoded[:at]) + bad + b"".join(encoded[at:])
        assert sniff.utf8_or_gb18030(damaged, complete=True) == expected
        assert sniff.utf8_or_gb18030(b"".join(encoded), complete=True) == expected


def _ascii_then(encoding: str, ascii_lines: int, rows: int = 400) -> tuple[bytes, list[str]]:
    """A file whose first ``ascii_lines`` lines are ASCII (an English header and rows), then Chinese rows."""
    lines = ["name,reason"] + [f"company {i},reason {i}" for i in range(2, ascii_lines + 1)]
    lines += [f"甲公司{i},违反规定第{i}条" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode(encoding), lines


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_a_pure_ascii_sample_decides_nothing_the_first_non_ascii_bytes_do(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str, compress: bool) -> None:
    monkeypatch.setattr(delimited, "SAMPLE_BYTES", 1024)
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(blocks, "READ_BYTES", 4096)
    data, lines = _ascii_then(encoding, 3000)
    path = write(tmp_path, "a.csv.gz" if compress else "a.csv", gzip.compress(data) if compress else data)
    source, chunks, problems = read_all(path)
    assert source.encoding == ("gb18030" if encoding == "gbk" else "utf-8") and not problems
    assert [f"{row['name']},{row['reason']}" for row in rows_of(chunks)] == lines[1:]  # no mojibake
    assert lines_of(chunks) == list(range(2, len(lines) + 1))


def test_a_pure_ascii_file_is_utf8_and_a_late_bad_byte_is_reported(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delimited, "SAMPLE_BYTES", 1024)
    ascii_only = b"name,reason\n" + b"".join(f"company {i},reason {i}\n".encode() for i in range(2, 3000))
    source, chunks, _ = read_all(write(tmp_path, "a.csv", ascii_only))
    assert source.encoding == "utf-8" and len(rows_of(chunks)) == 2998
    data, _ = _ascii_then("gbk", 2000)
    broken = data.replace("甲公司50,".encode("gbk"), "甲公司50,".encode("gbk") + b"\xff")
    error = _decode_error(write(tmp_path, "b.csv", broken))
    assert error.line == 2051 and "gb18030" in error.message_en


def test_from_stdin_a_pure_ascii_start_then_gbk_is_reported_not_misread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stdin cannot be read twice: UTF-8 is assumed, and the first GBK bytes stop the reading, saying why."""
    monkeypatch.setattr(delimited, "SAMPLE_BYTES", 1024)
    data, _ = _ascii_then("gbk", 3000)

    class Stdin:
        buffer = io.BytesIO(data)

    monkeypatch.setattr(sys, "stdin", Stdin())
    error = _decode_error("-")
    assert error.line == 3001 and f"(byte offset {data.index('甲'.encode('gbk'))})" in error.message_en
    assert "not valid utf-8; UTF-8 was assumed because the first MiB is plain ASCII" in error.message_en
    assert "gb18030" in error.message_en and "故按UTF-8读取" in error.message_zh


def test_forced_encoding_is_not_second_guessed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delimited, "SAMPLE_BYTES", 1024)
    ascii_then_gbk = write(tmp_path, "a.csv", _ascii_then("gbk", 3000)[0])
    error = _decode_error(ascii_then_gbk, encoding="utf-8")
    assert error.line == 3001 and "not valid utf-8 (" in error.message_en  # no look ahead, no note
    source, chunks, _ = read_all(ascii_then_gbk, encoding="gbk")
    assert source.encoding == "gb18030" and rows_of(chunks)[-1]["name"] == "甲公司399"
    utf8, _ = _with_bad_bytes(_rows(1100), "utf-8", 1002, b"\xff")
    assert "not valid gb18030" in _decode_error(write(tmp_path, "b.csv", utf8), encoding="gb18030").message_en


def test_validate_command_on_the_reported_file(tmp_path: Path) -> None:
    """The command line: exit 2 (unreadable input), both languages, the file, UTF-8 and line 1002, no traceback."""
    from click.testing import CliRunner

    from creditstd.cli import main

    data, offset = _with_bad_bytes(_rows(1100), "utf-8", 1002, b"\xff", at_start=False)
    path = write(tmp_path, "penalties.csv", data)
    result = CliRunner().invoke(main, ["validate", path])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"penalties.csv, line 1002 (byte offset {offset}): the bytes are not valid utf-8" in result.stderr
    assert "penalties.csv第1002行" in result.stderr and "gb18030" not in result.stderr


def test_nul_byte_beyond_the_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delimited, "SAMPLE_BYTES", 256)
    monkeypatch.setattr(blocks, "READ_BYTES", 512)
    data = b"a,b\n" + b"".join(b"1,2\n" for _ in range(500)) + b"3,\x00\n" + b"5,6\n"
    with pytest.raises(SourceError) as caught:
        read_all(write(tmp_path, "a.csv", data))
    assert (caught.value.code, caught.value.line) == ("source.nul_byte", 502)


def test_gzip_truncated_midway_is_an_error_while_reading(tmp_path: Path) -> None:
    body = ("名称,金额\n" + "".join(f"甲{i},{random.Random(i).random()}\n" for i in range(200000))).encode()
    data = gzip.compress(body, mtime=0)
    path = write(tmp_path, "a.csv.gz", data[: len(data) * 3 // 4])
    source, rows = open_table(path)
    assert source.compression == "gzip"
    with pytest.raises(SourceError) as caught:
        for _ in rows:
            pass
    assert caught.value.code == "source.gzip" and caught.value.line and caught.value.line > 2


# -- header and title ------------------------------------------------------------------------------------

def test_header_row_override(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "行政处罚信息\n填报单位：某局,,\n名称,金额,备注\n甲,1,\n".encode())
    source, chunks, _ = read_all(path)
    assert (source.header_row, source.title) == (3, "行政处罚信息 填报单位：某局")
    source, chunks, _ = read_all(path, header_row=2)
    assert source.headers == ("填报单位：某局", "column_2", "column_3")
    assert lines_of(chunks) == [3, 4]


def test_rows_padded_with_empty_cells_keep_their_header(tmp_path: Path) -> None:
    """Excel's "Save as CSV" pads every row to the sheet's used range: a header of 3 filled cells out of 8 is
    the header, not a title (the header and the first records were taken for titles: records lost, names shown
    as the title), and a title row over padded rows is still a title."""
    padding = "," * 5
    records = [f"张三,11010519491231002X,{padding}", f"李四,110105194912310021,{padding}",
               f"王五,11010519491231002X,{padding}"]
    path = write(tmp_path, "a.csv", "\r\n".join([f"姓名,身份证号,备注{padding}", *records, ""]).encode())
    source, chunks, problems = read_all(path)
    assert (source.header_row, source.title) == (1, None) and not problems
    assert lines_of(chunks) == [2, 3, 4] and source.headers[:3] == ("姓名", "身份证号", "备注")
    titled = write(tmp_path, "b.csv", "\r\n".join([f"2024年行政处罚信息,,{padding}", f"姓名,身份证号,备注{padding}",
                                                     *records, ""]).encode())
    source, chunks, _ = read_all(titled)
    assert (source.header_row, source.title) == (2, "2024年行政处罚信息") and lines_of(chunks) == [3, 4, 5]


def test_a_row_holding_an_id_number_is_never_a_title(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "张三,11010519491231002X\n,,,,,\n甲,乙,丙,丁,戊\n1,2,3,4,5\n".encode())
    source, _, _ = read_all(path)
    assert (source.header_row, source.title) == (1, None)


def test_header_row_inside_a_quoted_cell_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", b'a,b\n"x\ny",1\n')
    with pytest.raises(SourceError) as caught:
        read_all(path, header_row=3)
    assert caught.value.code == "source.header_row"


def test_classic_mac_line_ends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows ending in a lone CR: each row counts as a line."""
    monkeypatch.setattr(delimited, "SAMPLE_BYTES", 300)
    data = b"a,b\r" + b"".join(f"{i},x\r".encode() for i in range(1000))
    source, chunks, problems = read_all(write(tmp_path, "a.csv", data))
    assert source.headers == ("a", "b") and not problems
    assert lines_of(chunks) == list(range(2, 1002)) and rows_of(chunks)[-1] == {"a": "999", "b": "x"}


def test_header_spanning_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", b'"name\r\n(full)",amount\r\nA,1\r\n')
    source, chunks, _ = read_all(path)
    assert source.headers == ("name\r\n(full)", "amount") and lines_of(chunks) == [3]


# -- exact lines: generated files --------------------------------------------------------------------------

def _cell_text(cell: str, delimiter: str) -> str:
    if any(char in cell for char in (delimiter, '"', "\n", "\r")) or cell.startswith(" "):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _build(rows: list[list[str]], ending: str, delimiter: str = ",") -> tuple[str, list[int]]:
    """The CSV text of ``rows`` and the line each row starts on."""
    text, starts, line = "", [], 1
    for row in rows:
        starts.append(line)
        record = delimiter.join(_cell_text(cell, delimiter) for cell in row) + ending
        text += record
        line += record.count("\n") + (record.count("\r") - record.count("\r\n"))
    return text, starts


def _expect(rows: list[list[str]], starts: list[int], width: int):
    """Rows, problems and blank count a correct reader gives for ``rows`` (the first is the header)."""
    good, bad, blank = [], [], 0
    for row, line in zip(rows[1:], starts[1:], strict=True):
        if len(row) != width:
            bad.append(line)
        elif not any(cell.strip() for cell in row):  # white space only: as blank as empty cells
            blank += 1
        else:
            good.append((line, row))
    return good, bad, blank


CELL = st.lists(st.sampled_from([*list('ab中,"\n '), "\r\n", "é"]), max_size=6).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), ending=st.sampled_from(["\n", "\r\n"]), encoding=st.sampled_from(["utf-8", "gbk"]))
def test_lines_are_exact_on_generated_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: st.DataObject,
                                            ending: str, encoding: str) -> None:
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 512)
    monkeypatch.setattr(blocks, "READ_BYTES", 300)
    width = data.draw(st.integers(2, 4))
    body = data.draw(st.lists(st.one_of(
        st.lists(CELL, min_size=width, max_size=width),
        st.lists(CELL, min_size=1, max_size=width + 2),
        st.just([""] * width)), min_size=1, max_size=60))
    body = [row for row in body if not (len(row) == 1 and row[0] == "")]  # a lone empty cell is a blank line
    rows = [[f"h{i}" for i in range(width)], *body]
    text, starts = _build(rows, ending)
    path = write(tmp_path, "gen.csv", text.encode(encoding, "replace"))
    decoded = text.encode(encoding, "replace").decode(encoding)
    text, starts = _build([[cell.encode(encoding, "replace").decode(encoding) for cell in row] for row in rows],
                          ending)
    assert text == decoded
    good, bad, blank = _expect(rows, starts, width)
    source, chunks, problems = read_all(path, batch_rows=7)
    assert source.headers == tuple(rows[0])
    got_rows = [(line, [row[name] for name in source.headers]) for line, row in zip(lines_of(chunks),
                                                                                    rows_of(chunks), strict=True)]
    expected_rows = [(line, [cell.encode(encoding, "replace").decode(encoding) for cell in row])
                     for line, row in good]
    assert got_rows == expected_rows
    assert [problem.line for problem in problems] == bad
    assert sum(chunk.blank_rows for chunk in chunks) == blank
    assert all(len(chunk) <= 7 for chunk in chunks)


def test_many_blocks_with_ragged_rows_and_quoted_newlines(tmp_path: Path) -> None:
    """Several Arrow blocks (1 MiB each), skipped rows spread across them: lines and records stay exact."""
    rng = random.Random(7)
    rows = [["record_id", "name", "facts", "amount"]]
    for i in range(60000):
        kind = rng.random()
        if kind < 0.01:
            rows.append([str(i), "ragged"])
        elif kind < 0.05:
            rows.append([str(i), f"名称{i}", f"第一行\n第二行{i}\r\n第三行", str(i)])
        elif kind < 0.06:
            rows.append(["", "", "", ""])
        else:
            rows.append([str(i), f"名称{i}", "事实，" * rng.randint(1, 20), str(i * 3)])
    text, starts = _build(rows, "\r\n")
    path = write(tmp_path, "big.csv", text.encode())
    assert os.path.getsize(path) > 3 * delimited.BLOCK_BYTES
    good, bad, blank = _expect(rows, starts, 4)
    _, chunks, problems = read_all(path, batch_rows=5000)
    assert lines_of(chunks) == [line for line, _ in good]
    assert [row["record_id"] for row in rows_of(chunks)] == [row[0] for _, row in good]
    assert [problem.line for problem in problems] == bad
    assert sum(chunk.blank_rows for chunk in chunks) == blank
    assert all(len(chunk) <= 5000 for chunk in chunks)
    ordinals = sorted([int(r) for chunk in chunks for r in chunk.records] + [p.record for p in problems])
    assert ordinals == list(range(1, len(good) + len(bad) + 1))


@pytest.mark.parametrize("read_bytes", [1, 2, 3, 5, 7, 64])
def test_crlf_inside_quotes_split_between_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 read_bytes: int) -> None:
    """Arrow drops the LF of a quoted CR LF split across two blocks (apache/arrow#51368): never split there."""
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 64)
    monkeypatch.setattr(blocks, "READ_BYTES", read_bytes)
    data = b'a,b,c\r\n1,2,3\r\nx,"a\r\nb",""""\r\n3,"4""x\r\n""",\r\n"5\r","\n6",\r\n"",,"\r\nz\r\n"\n7,8,9'
    _, chunks, problems = read_all(write(tmp_path, "a.csv", data))
    assert not problems
    assert [row["b"] for row in rows_of(chunks)] == ["2", "a\r\nb", '4"x\r\n"', "\n6", "", "8"]
    assert [row["c"] for row in rows_of(chunks)] == ["3", '"', "", "", "\r\nz\r\n", "9"]
    assert lines_of(chunks) == [2, 3, 5, 7, 9, 12]


def test_an_open_quote_longer_than_a_block_stops_the_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(delimited, "SAMPLE_BYTES", 4096)
    data = b"a,b\n" + b"1,2\n" * 2000 + b'3,"never closed\n' + b"4,5,6,7,8,9\n" * 50000
    _, rows = open_table(write(tmp_path, "a.csv", data))
    seen = 0
    with pytest.raises(SourceError) as caught:
        for item in rows:
            seen += len(item) if isinstance(item, TableChunk) else 1
    assert (caught.value.code, caught.value.line) == ("source.row_too_long", 2002)
    assert seen <= 2000


def test_an_open_quote_at_the_end_of_a_big_file(tmp_path: Path) -> None:
    data = b"a,b,c\n" + b"1,2,3\n" * 300000 + b'4,5,"6\n7'
    _, chunks, problems = read_all(write(tmp_path, "a.csv", data))
    assert sum(len(chunk) for chunk in chunks) == 300000
    assert [(p.code, p.line, p.raw) for p in problems] == [("source.unterminated_quote", 300002, '4,5,"6\n7')]


def test_a_chunk_is_bounded_by_batch_rows_and_records_are_continuous(tmp_path: Path) -> None:
    data = b"a,b\n" + b"".join(f"{i},x\n".encode() for i in range(10000))
    _, chunks, _ = read_all(write(tmp_path, "a.csv", data), batch_rows=999)
    assert all(len(chunk) <= 999 for chunk in chunks)
    assert [int(r) for chunk in chunks for r in chunk.records] == list(range(1, 10001))
    assert [row["a"] for row in rows_of(chunks)] == [str(i) for i in range(10000)]


def test_inputs_replay_what_was_peeked() -> None:
    data = bytes(range(256)) * 1000
    opened = inputs.open_bytes("-", stdin=io.BytesIO(data))
    assert opened.head == data[: inputs.HEAD_BYTES] and opened.stream.read() == data
