"""Merged cells in a workbook: only a range's first cell holds its value; ``--fill-merged`` reads the others too.

Hand-made spreadsheets merge a value down the rows it applies to (one authority for five penalties).  The file
keeps the value in the top left cell only, so the other rows read as missing it; the reader names the ranges
that reach below the header (the reports list them, with the way to fill them), and with ``fill_merged``
every cell of a range reads as holding the value, as the sheet shows it.  A title merged across the columns
above the header is no data and is not listed.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from table_reading import read_all, rows_of
from test_sources_xlsx import workbook

from creditstd.cli import main
from creditstd.records.export import column_names, write_csv
from creditstd.records.fake import fake_records
from creditstd.sources.xlsx import merged_text

TODAY = date(2026, 11, 1)
CLASS = "administrative_penalty"


def with_merged(data: bytes, ranges: list[str]) -> bytes:
    """The workbook ``data`` with ``ranges`` merged on its first sheet (after its rows, where Excel puts them)."""
    merged = f'<mergeCells count="{len(ranges)}">' + "".join(f'<mergeCell ref="{item}"/>' for item in ranges) + \
        "</mergeCells>"
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = part.replace(b"</sheetData>", b"</sheetData>" + merged.encode())
            archive.writestr(info.filename, part)
    return target.getvalue()


def test_merged_text_names_a_range_as_excel_does() -> None:
    assert merged_text((3, 1, 5, 1)) == "B3:B5" and merged_text((1, 0, 1, 27)) == "A1:AB1"


def test_only_the_first_cell_holds_the_value_unless_filled(tmp_path: Path) -> None:
    rows = {1: ["2024年处罚信息"], 3: ["名称", "机关", "金额", "备注"], 4: ["甲", "某市局", "1", "a"],
            5: ["乙", None, "2", None], 6: ["丙", "自有值", "3", None], 7: ["丁", "另一局", "4", None]}
    path = tmp_path / "merged.xlsx"
    path.write_bytes(with_merged(workbook({"处罚": rows}), ["A1:D1", "B4:B6", "C7:D7"]))
    source, chunks, problems = read_all(str(path))
    assert not problems and source.merged == ("B4:B6", "C7:D7") and not source.merged_filled
    assert [(row["机关"], row["备注"]) for row in rows_of(chunks)] == [
        ("某市局", "a"), ("", ""), ("自有值", ""), ("另一局", "")]
    source, chunks, _ = read_all(str(path), fill_merged=True)
    assert source.merged_filled and source.title == "2024年处罚信息"
    # a cell that holds a value of its own (B6) keeps it; a range along a row (C7:D7) fills to the right
    assert [(row["机关"], row["金额"], row["备注"]) for row in rows_of(chunks)] == [
        ("某市局", "1", "a"), ("某市局", "2", ""), ("自有值", "3", ""), ("另一局", "4", "4")]


def test_a_workbook_without_merged_cells_names_none(tmp_path: Path) -> None:
    path = tmp_path / "plain.xlsx"
    path.write_bytes(workbook({"处罚": [["名称", "金额"], ["甲", "1"]]}))
    source, chunks, _ = read_all(str(path), fill_merged=True)
    assert source.merged == () and not source.merged_filled and rows_of(chunks) == [{"名称": "甲", "金额": "1"}]


def _penalties_with_authority_merged(path: Path) -> None:
    """Six valid penalties of one authority, its name (and its code) typed once and merged down the rows."""
    records = [fake.record for fake in fake_records(CLASS, 6, seed=2, on=TODAY)]
    for record in records:
        record.update(authority=records[0]["authority"], authority_uscc=records[0]["authority_uscc"])
    stream = io.StringIO()
    write_csv(records, CLASS, stream, headers="zh")
    table = [line.split(",") for line in stream.getvalue().splitlines()]
    assert all(len(line) == len(table[0]) for line in table), "a cell held a comma"
    headers = column_names(CLASS, "zh")
    columns = [headers.index("处罚机关"), headers.index("处罚机关统一社会信用代码")]
    for line in table[2:]:
        for column in columns:
            line[column] = None
    letters = [chr(ord("A") + column) if column < 26 else "A" + chr(ord("A") + column - 26) for column in columns]
    path.write_bytes(with_merged(workbook({"处罚": table}), [f"{letter}2:{letter}7" for letter in letters]))


def test_validate_names_the_merged_ranges_and_fills_them_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "合并.xlsx"
    _penalties_with_authority_merged(path)
    runner = CliRunner()
    plain = runner.invoke(main, ["validate", str(path), "--on", TODAY.isoformat()])
    assert plain.exit_code == 1, plain.output
    assert "6 rows read = 1 valid + 5 rejected" in plain.stdout
    assert "merged cells: " in plain.stdout and "--fill-merged" in plain.stdout
    filled = runner.invoke(main, ["validate", str(path), "--on", TODAY.isoformat(), "--fill-merged",
                                  "--format", "json"])
    assert filled.exit_code == 0, filled.output
    (file,) = json.loads(filled.stdout)["files"]
    assert file["rows"] == {"read": 6, "valid": 6, "rejected": 0, "unreadable": 0}
    assert len(file["merged_cells"]) == 2 and file["merged_filled"] is True
    junit = runner.invoke(main, ["validate", str(path), "--on", TODAY.isoformat(), "--format", "junit"])
    assert '<property name="sheet" value="处罚"' in junit.stdout
    assert f'<property name="merged_cells" value="{", ".join(file["merged_cells"])}"' in junit.stdout


def test_a_mapping_fills_merged_cells_of_a_workbook_and_may_not_ask_it_of_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "合并.xlsx"
    _penalties_with_authority_merged(path)
    runner = CliRunner()
    shown = runner.invoke(main, ["mapping", "show", "sgs-penalty-csv"])
    assert shown.exit_code == 0, shown.output
    text = shown.stdout.replace('format = "csv"', 'format = "xlsx"\nfill_merged = true')
    mapping = tmp_path / "workbook.toml"
    mapping.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["convert", str(path), "--mapping", str(mapping), "-o", str(tmp_path / "batch"),
                                  "--department", "某局", "--department-uscc", "11350100MAD18YGF27",
                                  "--on", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "6 rows in = 6 records out + 0 rejected" in result.stderr
    mapping.write_text(shown.stdout.replace('format = "csv"', 'format = "csv"\nfill_merged = true'), encoding="utf-8")
    refused = runner.invoke(main, ["convert", str(path), "--mapping", str(mapping), "--dry-run",
                                   "--department", "某局", "--department-uscc", "11350100MAD18YGF27"])
    assert refused.exit_code == 2 and "fill_merged" in refused.stderr
