"""XML records whose element is not the one the record path names are never left out unsaid.

An export whose record element was renamed (``<Row>`` for ``<Record>``) used to give "0 rows in" and no error,
and one renamed element among records was skipped: the parser was asked only for the record element, so its
siblings were never looked at.  Now no element at the record path at all is a wrong record path (exit 2,
naming the file, the path and what was found instead); an element where records sit that is not a record but
holds what the mapping reads is a ``source.xml_stray_record`` reject at its line, counted in the rows in.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from creditstd.cli import main
from creditstd.convert.mapping import export_mapping
from creditstd.convert.xml_records import XmlRecord, read_batches, read_records
from creditstd.convert.xpath import compile_path, compile_record_path
from creditstd.records.export import write_xml
from creditstd.records.fake import fake_records
from creditstd.sources.model import RowProblem, SourceError

ON = date(2026, 11, 30)
CLASS = "administrative_penalty"
DEPARTMENT = ["--department", "某市市场监督管理局", "--department-uscc", "11350100MAD18YGF27", "--on", ON.isoformat()]
RECORD = compile_record_path("/Records/Record")
SOURCES = [(compile_path("MC"), False), (compile_path("CFLB/Item"), True), (compile_path("@id"), False)]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path, record: Any = RECORD, **options: Any) -> tuple[list[XmlRecord], list[RowProblem]]:
    items = list(read_records(str(path), record, SOURCES, **options))
    return ([item for item in items if isinstance(item, XmlRecord)],
            [item for item in items if isinstance(item, RowProblem)])


def export(folder: Path, n: int) -> tuple[str, Path]:
    """A fake penalty export's text (one ``  <Record>`` a line) and its mapping."""
    path = folder / "export.xml"
    with open(path, "w", encoding="utf-8", newline="") as stream:
        write_xml([item.record for item in fake_records(CLASS, n, seed=5, on=ON)], CLASS, stream)
    mapping = folder / "xml.toml"
    mapping.write_text(export_mapping(CLASS, "xml"), encoding="utf-8")
    return path.read_text(encoding="utf-8"), mapping


def convert(path: Path, mapping: Path, *args: str | os.PathLike[str]) -> Result:
    return CliRunner().invoke(main, ["convert", str(path), "--mapping", str(mapping), *map(str, args)])


def accounting(stderr: str) -> tuple[int, int, int]:
    found = re.search(r"(\d+) rows in = (\d+) records out \+ (\d+) rejected", stderr)
    assert found, stderr
    rows, out, rejected = (int(number) for number in found.groups())
    return rows, out, rejected


# ------------------------------------------------------------------------------------------------ the reader


def test_every_record_renamed_is_a_wrong_record_path_saying_what_was_found(tmp_path: Path) -> None:
    path = write(tmp_path, "renamed.xml", "<Records>\n" + "<Row><MC>甲</MC></Row>\n" * 3 + "</Records>")
    with pytest.raises(SourceError) as caught:
        read(path)
    error = caught.value
    assert error.code == "source.xml_record_path" and error.file == str(path)
    assert "renamed.xml" in error.message_en and "/Records/Record" in error.message_en
    assert "found instead: /Records/Row (3)" in error.message_en
    assert "renamed.xml" in error.message_zh and "/Records/Record" in error.message_zh
    assert "找到的是：/Records/Row（3个）" in error.message_zh


def test_a_renamed_root_or_a_record_path_off_by_a_level_says_what_was_found(tmp_path: Path) -> None:
    root = write(tmp_path, "root.xml", "<Export><Record><MC>甲</MC></Record></Export>")
    with pytest.raises(SourceError, match=r"root element is Export\); found instead: /Export/Record \(1\)"):
        read(root)
    deeper = write(tmp_path, "deeper.xml", "<Records><Batch><Row><MC>甲</MC></Row></Batch></Records>")
    with pytest.raises(SourceError, match=r"found instead: /Records/Batch/Row \(1\)"):
        read(deeper, compile_record_path("/Records/Batch/Record"))
    anywhere = write(tmp_path, "anywhere.xml", "<Records><Row><MC>甲</MC></Row><Row><MC>乙</MC></Row></Records>")
    with pytest.raises(SourceError, match=r"//Record .*found instead: /Records/Row \(2\)"):
        read(anywhere, compile_record_path("//Record"))
    empty_record = write(tmp_path, "nested.xml", "<Records><Batch><Record/></Batch></Records>")
    with pytest.raises(SourceError, match=r"found instead: /Records/Batch \(1\)"):  # where records should be
        read(empty_record)


def test_an_empty_export_or_one_holding_only_what_the_mapping_does_not_read_is_no_error(tmp_path: Path) -> None:
    for text in ("<Records/>", "<Records>\n  <!-- none -->\n  <Head><Date>2024-01-01</Date></Head>\n</Records>"):
        assert read(write(tmp_path, "empty.xml", text)) == ([], [])
    for text in ("<DATA/>", "<DATA>\n</DATA>"):  # any element under the document element is a record (双公示)
        assert read(write(tmp_path, "empty.xml", text), compile_record_path("/*/*")) == ([], [])


def test_a_renamed_element_among_records_is_a_row_problem_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "one.xml", "<Records>\n<Record><MC>甲</MC></Record>\n<Row id='9'><MC>乙</MC></Row>\n"
                                      "<Record><MC>丙</MC></Record>\n<Head><Date/></Head>\n<Record><MC>丁</MC></Record>\n"
                                      "<Item><MC>戊</MC><MC>己</MC></Item>\n</Records>")
    records, problems = read(path)
    assert [record.values[0] for record in records] == ["甲", "丙", "丁"]
    assert [(problem.code, problem.line) for problem in problems] == [("source.xml_stray_record", 3),
                                                                       ("source.xml_stray_record", 7)]
    assert "the element at /Records/Row looks like a record but is not at the record path /Records/Record" in (
        problems[0].message_en)
    assert "位于 /Records/Row 的元素像是一条记录" in problems[0].message_zh
    assert problems[0].raw == "<Row id=\"9\"><MC>乙</MC></Row>"
    assert "/Records/Item" in problems[1].message_en  # after the last record; two MC: a problem is read too


def test_elements_where_records_sit_under_a_parent_with_no_record_are_row_problems(tmp_path: Path) -> None:
    path = write(tmp_path, "batches.xml", "<Records>\n<Batch>\n<Record><MC>甲</MC></Record>\n<Row><MC>乙</MC></Row>\n"
                                          "</Batch>\n<Batch>\n<Row><MC>丙</MC></Row>\n</Batch>\n<Batch>\n"
                                          "<Record><MC>丁</MC></Record>\n</Batch>\n<Batch><Row><MC>戊</MC></Row></Batch>"
                                          "\n<Other><Row><MC>己</MC></Row></Other>\n</Records>")
    records, problems = read(path, compile_record_path("/Records/Batch/Record"))
    assert [record.values[0] for record in records] == ["甲", "丁"]
    assert [problem.line for problem in problems] == [4, 7, 12]  # the Row in <Other> is not where records sit
    assert all("/Records/Batch/Row" in problem.message_en for problem in problems)


def test_siblings_of_records_found_by_double_slash_are_row_problems(tmp_path: Path) -> None:
    path = write(tmp_path, "anywhere.xml", "<Records>\n<A>\n<Row><MC>甲</MC></Row>\n<Record><MC>乙</MC></Record>\n"
                                           "</A>\n<B><Record><MC>丙</MC></Record>\n<Row><MC>丁</MC></Row></B>\n"
                                           "</Records>")
    records, problems = read(path, compile_record_path("//Record"))
    assert [record.values[0] for record in records] == ["乙", "丙"]
    assert [problem.line for problem in problems] == [3, 7]


def test_comments_processing_instructions_and_white_space_between_records_are_no_problem(tmp_path: Path) -> None:
    plain = "<Records><Record id='1'><MC>甲</MC></Record><Record id='2'><MC>乙</MC></Record></Records>"
    busy = ("<?xml version='1.0'?>\n<!-- export -->\n<Records>\n  <!-- first -->\n  <?page 1?>\n\n"
            "  <Record id='1'><MC>甲</MC></Record>\n  <!-- --><?x y?>\t\n  <Record id='2'><MC>乙</MC></Record>\n"
            "  <!-- end --><?page 2?>\n</Records>\n<!-- after -->\n")
    expected = [("甲", "1"), ("乙", "2")]
    for text in (plain, busy):
        records, problems = read(write(tmp_path, "busy.xml", text))
        assert [(record.values[0], record.values[2]) for record in records] == expected and problems == []
    batches = list(read_batches(str(tmp_path / "busy.xml"), RECORD, SOURCES))
    assert [len(batch) for batch in batches if not isinstance(batch, RowProblem)] == [2]


def test_renamed_records_past_the_size_limit_are_a_wrong_record_path_not_too_large(tmp_path: Path) -> None:
    rows = "".join(f"<Row><MC>{index:05}</MC></Row>\n" for index in range(3000))
    path = write(tmp_path, "big.xml", f"<Records>\n{rows}</Records>")
    with pytest.raises(SourceError) as caught:
        read(path, max_record_bytes=20_000)
    assert caught.value.code == "source.xml_record_path"
    assert re.search(r"found instead in the first \d+ bytes: /Records/Row \(\d+\)", caught.value.message_en)
    big_record = write(tmp_path, "big-record.xml", f"<Records><Record>{rows}</Record></Records>")
    with pytest.raises(SourceError) as caught:  # a record begun and too large stays what it is
        read(big_record, max_record_bytes=20_000)
    assert caught.value.code == "source.xml_too_large"


# ------------------------------------------------------------------------------------------------ the command


def test_convert_refuses_an_export_whose_records_are_all_renamed(tmp_path: Path) -> None:
    text, mapping = export(tmp_path, 12)
    path = write(tmp_path, "renamed.xml", text.replace("<Record>", "<Row>").replace("</Record>", "</Row>"))
    result = convert(path, mapping, "-o", tmp_path / "batch", *DEPARTMENT)
    assert result.exit_code == 2, result.output
    assert "renamed.xml" in result.stderr and "/Records/Record" in result.stderr
    assert "found instead: /Records/Row (12)" in result.stderr and "找到的是：/Records/Row（12个）" in result.stderr
    assert not (tmp_path / "batch").exists()


def test_convert_rejects_one_renamed_record_among_records_at_its_line(tmp_path: Path) -> None:
    text, mapping = export(tmp_path, 12)
    parts = text.split("  <Record>")  # parts[n] is record n, up to its end tag
    parts[4] = "<Row>" + parts[4].replace("</Record>", "</Row>")
    text = parts[0] + "".join(f"  {part}" if part.startswith("<") else f"  <Record>{part}" for part in parts[1:])
    path = write(tmp_path, "one.xml", text)
    row_line = next(number for number, line in enumerate(text.splitlines(), 1) if line.strip() == "<Row>")
    result = convert(path, mapping, "-o", tmp_path / "batch", "--rejects", tmp_path / "rejects.jsonl", *DEPARTMENT)
    assert result.exit_code == 1, result.output
    assert accounting(result.stderr) == (12, 11, 1)
    rejects = (tmp_path / "rejects.jsonl").read_text(encoding="utf-8")
    assert '"source.xml_stray_record"' in rejects and f'"line": {row_line}' in rejects
    assert "/Records/Row" in rejects


HEADED = """<?xml version="1.0" encoding="UTF-8"?>
<NSXYPJ PCH="1">
  <PCXX><PJJG>日照市税务局</PJJG><PJJGDM>11371100004637922U</PJJGDM></PCXX>
  {records}
</NSXYPJ>
"""
TAX_RECORD = ("<JL><NSRSBH>91152923710227285C</NSRSBH><NSRMC>阿拉善盟时刻传媒有限公司</NSRMC><PJND>2022</PJND>"
              "<XYJB>B级</XYJB><PJFS>83.62</PJFS><PJRQ>20230302</PJRQ><PJJG>阿拉善盟税务局</PJJG>"
              "<PJJGDM>11152900539444342N</PJJGDM></JL>")


@pytest.mark.parametrize("records, expected", [(TAX_RECORD, (1, 1, 0)), ("", (0, 0, 0))])
def test_a_header_block_sharing_a_field_with_the_records_is_no_record(tmp_path: Path, records: str,
                                                                        expected: tuple[int, int, int]) -> None:
    """A batch-information block beside the records holding the rating authority (<PCXX><PJJG>) is not a record
    renamed: it is passed over, and an export holding only it is empty (exit 1), not a wrong record path."""
    path = write(tmp_path, "tax.xml", HEADED.format(records=records))
    result = CliRunner().invoke(main, ["convert", str(path), "--mapping", "tax-credit-xml", "--dry-run",
                                       "--on", "2025-01-01"])
    assert result.exit_code == (0 if expected[1] else 1), result.output
    assert accounting(result.stderr) == expected
