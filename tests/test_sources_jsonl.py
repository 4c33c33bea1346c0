"""creditstd.sources.jsonl: JSON Lines exports and exchange batches read as tables."""

from __future__ import annotations

import codecs
import gzip
import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from table_reading import read_all, rows_of

from creditstd.records.exchange import BatchWriter
from creditstd.records.jsonline import MAX_LINE_BYTES
from creditstd.sources import RowProblem, SourceError

USCC = "11350100MAD18YGF27"


def read(path: Path | str, **options: object):
    return read_all(str(path), **options)


def test_values_become_text(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"s": "甲", "i": 12, "f": 0.5, "big": 1e20, "t": true, "n": null, "a": ["x", 2, null, [1]], '
                    '"o": {"k": "值"}, " padded ": "p", "": "empty key"}\n', encoding="utf-8")
    source, chunks, problems = read(path)
    assert not problems and source.format == "jsonl" and source.header_row is None
    assert source.headers == ("s", "i", "f", "big", "t", "n", "a", "o", "padded", "column_10")
    # an array that joined items would not give back (a number, a null, a nested list) is its JSON text
    assert rows_of(chunks) == [{"s": "甲", "i": "12", "f": "0.5", "big": "1e+20", "t": "true", "n": None,
                                "a": '["x", 2, null, [1]]', "o": '{"k": "值"}', "padded": "p",
                                "column_10": "empty key"}]


def test_a_key_first_seen_late_adds_a_column(tmp_path: Path) -> None:
    lines = [json.dumps({"a": str(i)}) for i in range(5)] + [json.dumps({"b": "late", "a": "5"})]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(lines) + "\n")
    source, chunks, _ = read(path, batch_rows=2)
    assert source.headers == ("a",)
    assert [chunk.batch.schema.names for chunk in chunks] == [["a"], ["a"], ["a", "b"]]
    assert rows_of(chunks)[-2:] == [{"a": "4", "b": None}, {"a": "5", "b": "late"}]
    assert [int(line) for chunk in chunks for line in chunk.lines] == [1, 2, 3, 4, 5, 6]


def test_objects_without_keys_are_rows_without_columns(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text("{}\n{}\n\n{}\n{}\n{}\n", encoding="utf-8")
    source, chunks, problems = read(path, batch_rows=2)
    assert source.headers == () and not problems
    assert [chunk.batch.num_rows for chunk in chunks] == [2, 2, 1]
    assert [int(line) for chunk in chunks for line in chunk.lines] == [1, 2, 4, 5, 6]


def test_problems_and_blank_lines(tmp_path: Path) -> None:
    secret = "11010519491231002X"
    path = tmp_path / "a.jsonl"
    path.write_bytes(codecs.BOM_UTF8 + b'{"a": "1"}\r\n   \n' + f'["{secret}"]\n'.encode()
                     + f'{{"a": "{secret}", "a": "2"}}\n'.encode() + b'{"a": 1e400}\n{"a": NaN}\nnot json\n'
                     + b'{"a": "\xff"}\n' + b'{"a": "last"}')
    source, chunks, problems = read(path)
    assert source.encoding == "utf-8-sig"
    assert rows_of(chunks) == [{"a": "1"}, {"a": "last"}]
    assert [int(line) for chunk in chunks for line in chunk.lines] == [1, 9]
    assert [(p.code, p.line, p.detail) for p in problems] == [
        ("source.not_object", 3, None), ("source.json", 4, "record.duplicate_key"),
        ("source.json", 5, "record.not_finite"), ("source.json", 6, "record.not_finite"),
        ("source.json", 7, "exchange.json"), ("source.json", 8, "exchange.json")]
    assert sum(chunk.blank_rows for chunk in chunks) == 1
    assert problems[0].raw == f'["{secret}"]' and problems[1].raw == f'{{"a": "{secret}", "a": "2"}}'
    assert all(secret not in p.message_zh + p.message_en for p in problems)
    data_rows = 2 + len(problems)
    assert sorted([int(r) for c in chunks for r in c.records] + [p.record for p in problems]) == list(
        range(1, data_rows + 1))


def test_a_line_over_the_limit_is_a_problem_never_held(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    with open(path, "wb") as stream:
        stream.write(b'{"a": "1"}\n{"a": "')
        stream.write(b"x" * (MAX_LINE_BYTES + 10))
        stream.write(b'"}\n{"a": "3"}\n')
    _, chunks, problems = read(path)
    assert rows_of(chunks) == [{"a": "1"}, {"a": "3"}]
    assert [(p.code, p.line, p.raw) for p in problems] == [("source.line_too_long", 2, "")]


def test_other_encodings(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes('{"名称": "甲"}\n{"名称": "乙"}\n'.encode("gbk"))
    source, chunks, _ = read(gbk)
    assert source.encoding == "gb18030" and rows_of(chunks) == [{"名称": "甲"}, {"名称": "乙"}]
    utf16 = tmp_path / "u16.jsonl"
    utf16.write_bytes('{"名称": "甲"}\r\n{"名称": "乙"}\r\n'.encode("utf-16"))
    source, chunks, _ = read(utf16)
    assert source.encoding == "utf-16" and rows_of(chunks) == [{"名称": "甲"}, {"名称": "乙"}]
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes('{"名称": "甲"}\n'.encode("gbk") + b'{"a": "\x81\x20"}\n')
    with pytest.raises(SourceError) as caught:
        read(bad)
    assert (caught.value.code, caught.value.line) == ("source.decode", 2)


def test_gzip_and_format_detection(tmp_path: Path) -> None:
    path = tmp_path / "export.dat"
    path.write_bytes(gzip.compress(b'\n  {"a": "1"}\n'))
    source, chunks, _ = read(path)
    assert (source.format, source.compression) == ("jsonl", "gzip") and rows_of(chunks) == [{"a": "1"}]


# -- exchange batches ------------------------------------------------------------------------------------

def make_batch(folder: Path, count: int = 3) -> Path:
    with BatchWriter(folder, "objection", department="某市市场监督管理局", department_uscc=USCC,
                     on=date(2024, 6, 1), validate=False) as batch:  # the reader reads what it is given
        for i in range(count):
            batch.add({"objection_number": f"YY-{i}", "applicant_name": f"某公司{i}", "filed_date": "2024-05-01"})
    return folder


def test_exchange_batch_by_folder_and_manifest(tmp_path: Path) -> None:
    folder = make_batch(tmp_path / "batch")
    for given in (folder, folder / "manifest.json"):
        source, chunks, problems = read(given, batch_rows=2)
        assert (source.format, source.encoding, source.path) == ("exchange", "utf-8", str(given)) and not problems
        assert [row["objection_number"] for row in rows_of(chunks)] == ["YY-0", "YY-1", "YY-2"]
        ids = [record_id for chunk in chunks for record_id in chunk.record_ids.to_pylist()]
        assert len(ids) == 3 and all(record_id.startswith("objection:") for record_id in ids)
        assert [int(line) for chunk in chunks for line in chunk.lines] == [1, 2, 3]
    assert read(folder, format="exchange")[0].format == "exchange"


def test_exchange_batch_altered_is_refused(tmp_path: Path) -> None:
    folder = make_batch(tmp_path / "batch")
    records = folder / "records.jsonl"
    records.write_bytes(records.read_bytes().replace(b"YY-1", b"YY-9"))
    with pytest.raises(SourceError) as caught:
        read(folder)
    assert caught.value.code == "source.exchange" and "exchange.sha256" in caught.value.message_en
    with pytest.raises(SourceError) as caught:
        read(tmp_path / "nothing" / "manifest.json")
    assert caught.value.code == "source.exchange" and "exchange.manifest" in caught.value.message_en


def test_exchange_lines_with_problems_are_row_problems(tmp_path: Path) -> None:
    folder = make_batch(tmp_path / "batch")
    records = folder / "records.jsonl"
    lines = records.read_bytes().splitlines(keepends=True)
    lines.insert(1, b'{"not": "an exchange record"}\n')
    lines.insert(3, b"not json\n")
    data = b"".join(lines)
    records.write_bytes(data)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["records"].update(count=len(lines), sha256=hashlib.sha256(data).hexdigest())
    manifest_path.write_text(json.dumps(manifest))
    _, chunks, problems = read(folder)
    assert [row["objection_number"] for row in rows_of(chunks)] == ["YY-0", "YY-1", "YY-2"]
    assert [(p.code, p.line, p.detail) for p in problems] == [("source.exchange_record", 2, "exchange.envelope"),
                                                             ("source.exchange_record", 4, "exchange.json")]
    assert problems[1].raw == "not json"


def test_plain_folder_is_not_a_batch(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        read(tmp_path)
    assert caught.value.code == "source.is_directory"


def test_row_problems_are_the_type_the_command_writes(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text("[1]\n")
    _, _, problems = read(path)
    assert isinstance(problems[0], RowProblem) and problems[0].finding().code == "source.not_object"


def test_a_file_of_ever_new_keys_stops_adding_columns(tmp_path: Path) -> None:
    """Each key is a column: past MAX_KEYS distinct keys a line that adds one is a problem, not a column more
    (a file with a new key on every line cost time and memory as their square)."""
    from creditstd.sources.jsonl import MAX_KEYS

    path = tmp_path / "a.jsonl"
    wide = json.dumps({f"w{i}": 1 for i in range(MAX_KEYS + 1)})  # one line past the limit on its own
    path.write_text("".join(json.dumps({"a": "1", f"k{i}": "v"}) + "\n" for i in range(MAX_KEYS + 5))
                    + json.dumps({"a": "known", "k3": "v"}) + "\n" + wide + "\n")
    _, chunks, problems = read(path)
    assert max(chunk.batch.num_columns for chunk in chunks) == MAX_KEYS
    assert [(p.code, p.line) for p in problems] == [("source.too_many_keys", line) for line in
                                                    (*range(MAX_KEYS, MAX_KEYS + 6), MAX_KEYS + 7)]
    assert sum(len(chunk) for chunk in chunks) + len(problems) == MAX_KEYS + 7
    assert rows_of(chunks)[-1]["a"] == "known"


def test_broken_lines_before_the_first_record_are_not_held_whole(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """open_jsonl reads ahead to its first chunk for the headers, but holds at most a bounded number of
    problems on the way: every line still comes out, once, in order, and a key of a later record is a column."""
    import creditstd.sources.jsonl as jsonl

    monkeypatch.setattr(jsonl, "_HELD_PROBLEMS", 10)
    path = tmp_path / "a.jsonl"
    path.write_text("not json\n" * 25 + json.dumps({"a": "1"}) + "\n", encoding="utf-8")
    opened_items: list[object] = []
    real = jsonl._first_chunk
    monkeypatch.setattr(jsonl, "_first_chunk", lambda iterator: opened_items.extend(held := real(iterator)) or held)
    source, chunks, problems = read(path)
    assert len(opened_items) == 10 and source.headers == ()
    assert [p.line for p in problems] == list(range(1, 26)) and rows_of(chunks) == [{"a": "1"}]


def test_a_large_integer_is_read_as_its_digits_not_a_broken_line(tmp_path: Path) -> None:
    """An ID number written as a JSON number, or a 64-bit database id in a column of its own: the line is read
    (the digits are the cell); only a number field refuses an integer a double cannot hold, at the field."""
    path = tmp_path / "a.jsonl"
    path.write_text('{"id_number": 110105194912310021, "db_id": 1234567890123456789}\n', encoding="utf-8")
    _, chunks, problems = read(path)
    assert not problems
    assert rows_of(chunks) == [{"id_number": "110105194912310021", "db_id": "1234567890123456789"}]
