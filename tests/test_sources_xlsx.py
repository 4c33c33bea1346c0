"""creditstd.sources.xlsx: workbooks written here by hand with zipfile (no spreadsheet library), read back.

Every cell kind (shared, rich and inline strings, numbers, booleans, errors, formulas, dates in both date
systems and in built-in, Chinese and custom formats), missing cells and rows, title rows, sheets by name,
blank and ragged rows; and the workbooks that must be refused (not a zip, encrypted, zip bombs, damaged
XML, entities).
"""

from __future__ import annotations

import gzip
import io
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from table_reading import read_all, rows_of

from creditstd.sources import SourceError, open_table
from creditstd.sources import xlsx as xlsx_module
from creditstd.sources.xlsx import column_letters

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"


def cell_xml(reference: str, value: object, strings: list[str]) -> str:
    """A ``<c>`` element.  ``str``: shared string; ``('inline', text)``; ``('rich', [runs])``; numbers;
    ``bool``; ``('date', serial, style)``; ``('error', text)``; ``('formula', text)``; ``('raw', xml)``."""
    if isinstance(value, tuple):
        kind = value[0]
        if kind == "inline":
            return f'<c r="{reference}" t="inlineStr"><is><t>{escape(value[1])}</t></is></c>'
        if kind == "rich":
            strings.append(value[1])  # a list of runs: stored as rich text
            return f'<c r="{reference}" t="s"><v>{len(strings) - 1}</v></c>'
        if kind == "styled":
            return f'<c r="{reference}" s="{value[2]}"><v>{value[1]}</v></c>'
        if kind == "error":
            return f'<c r="{reference}" t="e"><v>{value[1]}</v></c>'
        if kind == "formula":
            return f'<c r="{reference}" t="str"><f>CONCAT(A1)</f><v>{escape(value[1])}</v></c>'
        if kind == "raw":
            return value[1]
        raise ValueError(kind)
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{reference}"><v>{value}</v></c>'
    strings.append(str(value))
    return f'<c r="{reference}" t="s"><v>{len(strings) - 1}</v></c>'


def shared_xml(strings: list) -> str:
    items = []
    for item in strings:
        if isinstance(item, list):
            runs = "".join(f"<r><rPr><b/></rPr><t>{escape(run)}</t></r>" for run in item)
            items.append(f"<si>{runs}<rPh sb=\"0\" eb=\"1\"><t>ピン</t></rPh></si>")
        else:
            items.append(f'<si><t xml:space="preserve">{escape(item)}</t></si>')
    return f'<sst xmlns="{MAIN}" count="{len(items)}">{"".join(items)}</sst>'


def sheet_xml(rows: dict[int, list] | list[list], strings: list) -> str:
    numbered = rows.items() if isinstance(rows, dict) else enumerate(rows, 1)
    body = []
    for number, row in numbered:
        cells = "".join(cell_xml(f"{column_letters(i)}{number}", value, strings)
                        for i, value in enumerate(row) if value is not None)
        body.append(f'<row r="{number}">{cells}</row>')
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>{"".join(body)}'
            "</sheetData></worksheet>")


STYLES = (f'<styleSheet xmlns="{MAIN}"><numFmts count="2">'
          '<numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
          '<numFmt numFmtId="177" formatCode="0.00_);[Red]\\(0.00\\)"/></numFmts>'
          '<cellXfs count="7"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="176"/><xf numFmtId="22"/>'
          '<xf numFmtId="20"/><xf numFmtId="177"/><xf numFmtId="31"/></cellXfs></styleSheet>')
DATE, CHINESE_DATE, DATETIME, TIME, CUSTOM_NUMBER, BUILTIN_CHINESE = 1, 2, 3, 4, 5, 6


def workbook(sheets: dict[str, object], *, date1904: bool = False, styles: bool = True, raw_sheets: dict | None = None,
             extra: dict[str, bytes] | None = None, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    strings: list = []
    parts = {}
    for index, (name, rows) in enumerate(sheets.items(), 1):
        parts[f"xl/worksheets/sheet{index}.xml"] = (raw_sheets or {}).get(name) or sheet_xml(rows, strings)
    sheet_list = "".join(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, name in enumerate(sheets, 1))
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, len(sheets) + 1))
    rels += f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    if styles:
        rels += f'<Relationship Id="rIdY" Type="{REL}/styles" Target="styles.xml"/>'
        parts["xl/styles.xml"] = STYLES
    parts["xl/sharedStrings.xml"] = shared_xml(strings)
    parts["xl/workbook.xml"] = f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">{pr}<sheets>{sheet_list}</sheets></workbook>'
    parts["xl/_rels/workbook.xml.rels"] = f'<Relationships xmlns="{PACKAGE}">{rels}</Relationships>'
    parts["_rels/.rels"] = (f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
                            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    parts["[Content_Types].xml"] = '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def read(tmp_path: Path, data: bytes, name: str = "book.xlsx", **options: object):
    path = tmp_path / name
    path.write_bytes(data)
    return read_all(str(path), **options)


def lines_of(chunks):
    return [int(line) for chunk in chunks for line in chunk.lines]


def test_every_cell_kind(tmp_path: Path) -> None:
    rows = [
        ["名称", "金额", "日期", "中文日期", "时刻", "时间", "布尔", "错误", "公式", "富文本", "内联", "自定义数",
         "内置中文日期"],
        ["甲", 12.0, ("styled", 45366, DATE), ("styled", 45366, CHINESE_DATE), ("styled", 45366.75, DATETIME),
         ("styled", 0.5, TIME), True, None, ("formula", "乙丙"), ("rich", ["某某", "公司"]),
         ("inline", "行一_x000D_\n行二"), ("styled", 3.5, CUSTOM_NUMBER), ("styled", 45366, BUILTIN_CHINESE)],
        ["乙", -0.25, ("styled", 45366.0, DATETIME), None, None, None, False, None, None, None, None, None, None],
        ["丙", "1.50", None, None, None, None, None, None, None, None, None, None, ("styled", 60, DATE)],
    ]
    source, chunks, problems = read(tmp_path, workbook({"处罚": rows}))
    assert (source.format, source.sheet, source.header_row, source.encoding) == ("xlsx", "处罚", 1, None)
    assert source.headers == tuple(rows[0]) and not problems
    got = rows_of(chunks)
    assert got[0] == {"名称": "甲", "金额": "12", "日期": "2024-03-15", "中文日期": "2024-03-15",
                      "时刻": "2024-03-15 18:00:00", "时间": "12:00:00", "布尔": "TRUE", "错误": "",
                      "公式": "乙丙", "富文本": "某某公司", "内联": "行一\r\n行二", "自定义数": "3.5",
                      "内置中文日期": "2024-03-15"}
    assert got[1]["金额"] == "-0.25" and got[1]["日期"] == "2024-03-15" and got[1]["布尔"] == "FALSE"
    assert got[1]["中文日期"] == "" and got[2]["金额"] == "1.50"
    assert got[2]["内置中文日期"] == "60"  # Excel's 29 February 1900 does not exist: the number is kept
    assert lines_of(chunks) == [2, 3, 4]
    assert all(chunk.batch.schema.field(i).type == "string" for chunk in chunks for i in range(len(rows[0])))


def test_1904_date_system(tmp_path: Path) -> None:
    _, chunks, _ = read(tmp_path, workbook({"S": [["日期"], [("styled", 0, DATE)], [("styled", 1461, DATE)]]},
                                           date1904=True))
    assert [row["日期"] for row in rows_of(chunks)] == ["1904-01-01", "1908-01-01"]


def test_a_date_serial_past_the_year_9999_is_kept_as_written(tmp_path: Path) -> None:
    """The last day Excel shows is 9999-12-31 (serial 2958465, or 2957003 in the 1904 system); a later serial
    in a date cell is read as the number it is (it ended in an internal error, OverflowError).  A date cell
    shows the serial's day, its time never carried into the next (2958465.99999999 is 9999-12-31 23:59:59.999;
    45366.99999652778 is 2024-03-15, was read as 2024-03-16)."""
    for date1904, cells, shown in ((True, [2957003, 2958000], "2958000"),
                                   (False, [2958465, "2958465.99999999"], "9999-12-31"),
                                   (False, ["45366", "45366.99999652778"], "2024-03-15")):
        _, chunks, _ = read(tmp_path, workbook({"S": [["日期"], *[[("styled", cell, DATE)] for cell in cells]]},
                                               date1904=date1904))
        assert [row["日期"] for row in rows_of(chunks)][1:] == [shown]


def test_numbers_are_read_as_excel_shows_them(tmp_path: Path) -> None:
    """Excel stores a sum's float noise (0.1 + 0.2) and writes small and large numbers with an exponent; it
    shows 15 significant digits in plain notation, and so are they read (0.30000000000000004 was written into
    the exchange batch, 5.0000000000000001E-4 refused as no amount)."""
    stored = ["0.30000000000000004", "5.0000000000000001E-4", "1E+21", "12.5", "-3", "123456789012345678"]
    rows = [["n"], *[[("raw", f'<c r="A{index}"><v>{value}</v></c>')] for index, value in enumerate(stored, 2)]]
    _, chunks, _ = read(tmp_path, workbook({"S": rows}))
    assert [row["n"] for row in rows_of(chunks)] == ["0.3", "0.0005", "1000000000000000000000", "12.5", "-3",
                                                     "123456789012345678"]


def test_without_styles_numbers_stay_numbers(tmp_path: Path) -> None:
    _, chunks, _ = read(tmp_path, workbook({"S": [["n"], [("styled", 45366, DATE)]]}, styles=False))
    assert rows_of(chunks) == [{"n": "45366"}]


def test_missing_cells_rows_and_references(tmp_path: Path) -> None:
    raw = (f'<worksheet xmlns="{MAIN}"><sheetData>'
           '<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c><c r="C2" t="inlineStr"><is><t>c</t></is></c></row>'
           '<row r="5"><c r="C5"><v>3</v></c></row>'
           '<row><c><v>1</v></c><c><v>2</v></c></row>'  # no r attributes: row 6, columns A and B
           '<row r="9" spans="1:3"><c r="B9" t="inlineStr"><is><t>  </t></is></c></row>'  # blank: white space only
           '<row r="10"/>'
           '<row r="11"><c r="A11" t="s"><v>0</v></c></row>'
           '</sheetData></worksheet>')
    source, chunks, problems = read(tmp_path, workbook({"S": []}, raw_sheets={"S": raw},
                                                       extra=None))
    assert source.header_row == 2 and source.headers == ("a", "column_2", "c")
    assert rows_of(chunks) == [{"a": "", "column_2": "", "c": "3"}, {"a": "1", "column_2": "2", "c": ""}]
    assert lines_of(chunks) == [5, 6]
    assert sum(chunk.blank_rows for chunk in chunks) == 2
    assert [(p.code, p.line) for p in problems] == [("source.shared_string", 11)]  # shared string 0: none


def test_title_rows_header_row_and_trailing_empty_header_cells(tmp_path: Path) -> None:
    rows = {1: ["2024年第一季度行政处罚信息"], 2: ["填报单位：某局", None, ""],
            4: ["名称", "金额", None, ("inline", " ")], 5: ["甲", 1], 6: ["乙", 2]}
    source, chunks, _ = read(tmp_path, workbook({"S": rows}))
    assert (source.header_row, source.headers) == (4, ("名称", "金额"))
    assert source.title == "2024年第一季度行政处罚信息 填报单位：某局"
    assert lines_of(chunks) == [5, 6]
    source, chunks, _ = read(tmp_path, workbook({"S": rows}), header_row=5)
    assert source.headers == ("甲", "1") and rows_of(chunks) == [{"甲": "乙", "1": "2"}]
    with pytest.raises(SourceError) as caught:
        read(tmp_path, workbook({"S": rows}), header_row=3)
    assert caught.value.code == "source.header_row"


def test_ragged_rows_and_rows_in_equal_rows_out(tmp_path: Path) -> None:
    rows = [["a", "b"], [1, 2], [3, 4, 5], [6], [None, None, None, ("inline", " ")], [7, 8, None, "x", None]]
    _, chunks, problems = read(tmp_path, workbook({"S": rows}))
    assert [(p.code, p.line, p.raw, p.record) for p in problems] == [
        ("source.ragged_row", 3, "3\t4\t5", 2), ("source.ragged_row", 6, "7\t8\t\tx", 4)]
    assert rows_of(chunks) == [{"a": "1", "b": "2"}, {"a": "6", "b": ""}]
    assert sum(len(chunk) for chunk in chunks) + len(problems) == 4  # the row of white space is blank
    assert sorted([int(r) for c in chunks for r in c.records] + [p.record for p in problems]) == [1, 2, 3, 4]
    assert "x" not in problems[1].message_en + problems[1].message_zh


def test_an_excel_error_value_makes_its_row_a_problem_naming_the_cell(tmp_path: Path) -> None:
    """A VLOOKUP that failed (#N/A) or a broken reference (#REF!) has no value: it was read as the party's or
    the authority's name and written into the batch."""
    rows = [["名称", "机关"], ["甲", ("error", "#N/A")], [("error", "#REF!"), "某局"], ["乙", "某局"]]
    _, chunks, problems = read(tmp_path, workbook({"S": rows}))
    assert [(p.code, p.line, p.record) for p in problems] == [("source.error_value", 2, 1),
                                                              ("source.error_value", 3, 2)]
    assert "B2" in problems[0].message_en and "#N/A" in problems[0].message_en and "A3" in problems[1].message_zh
    assert rows_of(chunks) == [{"名称": "乙", "机关": "某局"}] and lines_of(chunks) == [4]


def test_a_row_of_white_space_is_blank_whether_its_text_is_inline_or_shared(tmp_path: Path) -> None:
    rows = [["名称", "金额"], ["甲", 1], [None, " "], [None, ("inline", " ")], ["\u3000", ""], ["乙", 2]]
    _, chunks, problems = read(tmp_path, workbook({"S": rows}))
    assert not problems and lines_of(chunks) == [2, 6]
    assert sum(chunk.blank_rows for chunk in chunks) == 3


def test_sheet_by_name(tmp_path: Path) -> None:
    data = workbook({"说明": [["这是说明"]], "处罚": [["名称"], ["甲"]]})
    source, chunks, _ = read(tmp_path, data, sheet="处罚")
    assert source.sheet == "处罚" and rows_of(chunks) == [{"名称": "甲"}]
    assert read(tmp_path, data)[0].sheet == "说明"
    with pytest.raises(SourceError) as caught:
        read(tmp_path, data, sheet="许可")
    assert caught.value.code == "source.sheet"
    assert "说明" in caught.value.message_en and "处罚" in caught.value.message_zh


def test_the_source_names_every_sheet_of_the_workbook_in_order(tmp_path: Path) -> None:
    """A report can then say which sheet was read and which others there are (data on sheet 2 is not missed)."""
    data = workbook({"说明": [["这是说明"]], "处罚": [["名称"], ["甲"]], "许可": [["名称"], ["乙"]]})
    first = read(tmp_path, data)[0]
    assert (first.sheet, first.sheets) == ("说明", ("说明", "处罚", "许可"))
    chosen, chunks, _ = read(tmp_path, data, sheet="许可")
    assert (chosen.sheet, chosen.sheets) == ("许可", ("说明", "处罚", "许可"))
    assert rows_of(chunks) == [{"名称": "乙"}]
    assert read(tmp_path, workbook({"处罚": [["名称"], ["甲"]]}))[0].sheets == ("处罚",)


def test_chunks_and_shared_strings_across_chunks(tmp_path: Path) -> None:
    rows = [["id", "name", "note"]] + [[i, f"名称{i % 7}", ("inline", f"备注{i}") if i % 2 else None]
                                       for i in range(1000)]
    _, chunks, _ = read(tmp_path, workbook({"S": rows}), batch_rows=128)
    assert all(len(chunk) <= 128 for chunk in chunks) and len(chunks) == 8
    got = rows_of(chunks)
    assert [row["name"] for row in got] == [f"名称{i % 7}" for i in range(1000)]
    assert [row["note"] for row in got] == [f"备注{i}" if i % 2 else "" for i in range(1000)]
    assert lines_of(chunks) == list(range(2, 1002))


def test_stdin_and_gzip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = workbook({"S": [["名称"], ["甲"]]})

    class Stdin:
        buffer = io.BytesIO(data)

    monkeypatch.setattr(sys, "stdin", Stdin())
    source, items = open_table("-")
    assert source.format == "xlsx" and [c.batch.to_pylist() for c in items] == [[{"名称": "甲"}]]
    source, chunks, _ = read(tmp_path, gzip.compress(data), name="book.xlsx.gz")
    assert (source.format, source.compression) == ("xlsx", "gzip") and rows_of(chunks) == [{"名称": "甲"}]


def test_format_by_content(tmp_path: Path) -> None:
    source, chunks, _ = read(tmp_path, workbook({"S": [["名称"], ["甲"]]}), name="export.bin")
    assert source.format == "xlsx" and rows_of(chunks) == [{"名称": "甲"}]


# -- refused ---------------------------------------------------------------------------------------------

def refused(tmp_path: Path, data: bytes, **options: object) -> SourceError:
    with pytest.raises(SourceError) as caught:
        read(tmp_path, data, **options)
    assert "book.xlsx" in caught.value.message_en and "Traceback" not in str(caught.value)
    return caught.value


def test_not_a_zip_and_old_or_encrypted_workbooks(tmp_path: Path) -> None:
    assert refused(tmp_path, b"not a zip at all").code == "source.not_zip"
    assert refused(tmp_path, b"PK\x03\x04" + b"\x00" * 100).code == "source.not_zip"
    assert refused(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600).code == "source.encrypted"


def test_encrypted_member(tmp_path: Path) -> None:
    data = workbook({"S": [["a"], ["1"]]})
    # set the "encrypted" flag bit of the worksheet in the local header and the central directory
    patched = bytearray(data)
    name = b"xl/worksheets/sheet1.xml"
    for signature, flag_offset, name_offset in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        start = 0
        while (start := patched.find(signature, start)) >= 0:
            if patched[start + name_offset: start + name_offset + len(name)] == name:
                patched[start + flag_offset] |= 1
            start += 4
    assert refused(tmp_path, bytes(patched)).code == "source.encrypted"


def test_zip_bombs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
            + "<!--" + "x" * (40 << 20) + "-->" + "</sheetData></worksheet>")
    error = refused(tmp_path, workbook({"S": []}, raw_sheets={"S": bomb}))
    assert error.code == "source.zip_bomb" and "sheet1.xml" in error.message_en
    monkeypatch.setattr(xlsx_module, "MAX_MEMBER_BYTES", 1000)
    rows = [["名称"]] + [[f"甲{i}"] for i in range(200)]
    assert refused(tmp_path, workbook({"S": rows}, compression=zipfile.ZIP_STORED)).code == "source.zip_bomb"


def test_member_larger_than_declared(tmp_path: Path) -> None:
    data = workbook({"S": [["名称"]] + [[f"甲{i}"] for i in range(2000)]}, compression=zipfile.ZIP_DEFLATED)
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    patched = bytearray(data)
    # declare a smaller uncompressed size in the central directory (offset 24 from its signature)
    start = patched.find(b"PK\x01\x02")
    while start >= 0:
        if patched[start + 46: start + 46 + len(info.filename)] == info.filename.encode():
            patched[start + 24: start + 28] = (1000).to_bytes(4, "little")
        start = patched.find(b"PK\x01\x02", start + 4)
    with pytest.raises(SourceError) as caught:
        read(tmp_path, bytes(patched))
    assert caught.value.code in ("source.zip_bomb", "source.xlsx")


def test_damaged_parts(tmp_path: Path) -> None:
    bad = f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c></sheetData>'
    error = refused(tmp_path, workbook({"S": []}, raw_sheets={"S": bad}))
    assert error.code == "source.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                                            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
                                                       f'Type="{REL}/worksheet" Target="worksheets/gone.xml"/>'
                                                       "</Relationships>")
    assert refused(tmp_path, buffer.getvalue()).code == "source.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "a zip, not a workbook")
    assert refused(tmp_path, buffer.getvalue()).code == "source.xlsx"


def test_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    evil = (f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file://{secret}">'
            f'<!ENTITY y "expanded">]><worksheet xmlns="{MAIN}"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c></row>'
            '<row r="2"><c r="A2" t="inlineStr"><is><t>&x;&y;</t></is></c></row></sheetData></worksheet>')
    error = refused(tmp_path, workbook({"S": []}, raw_sheets={"S": evil}))
    assert error.code == "source.xlsx" and "DOCTYPE" in str(error) and "TOP-SECRET" not in str(error)


def test_a_declared_entity_is_refused_not_read_as_an_empty_cell(tmp_path: Path) -> None:
    """Excel writes no DOCTYPE; an entity it declares would never be resolved, so its cell would look empty."""
    doctype = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "值">]>'
    sheet = (f'{doctype}<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>名称</t>'
             '</is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>')
    with zipfile.ZipFile(io.BytesIO(workbook({"S": [["名称"], ["x"]]}))) as plain:
        parts = {name: plain.read(name) for name in plain.namelist()}
    parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(b"<sst", doctype.encode() + b"<sst", 1)
    shared = io.BytesIO()
    with zipfile.ZipFile(shared, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    for data in (workbook({"S": []}, raw_sheets={"S": sheet}), shared.getvalue()):
        error = refused(tmp_path, data)
        assert error.code == "source.xlsx" and "DOCTYPE" in str(error)


def test_strict_open_xml_namespace(tmp_path: Path) -> None:
    strict = "http://purl.oclc.org/ooxml/spreadsheetml/main"
    strict_rel = "http://purl.oclc.org/ooxml/officeDocument/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{strict}" xmlns:r="{strict_rel}"><sheets>'
                                            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
                                                       f'Type="{strict_rel}/worksheet" Target="worksheets/s.xml"/>'
                                                       "</Relationships>")
        archive.writestr("xl/worksheets/s.xml", f'<worksheet xmlns="{strict}"><sheetData>'
                                                '<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c></row>'
                                                '<row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c></row>'
                                                "</sheetData></worksheet>")
    _, chunks, _ = read(tmp_path, buffer.getvalue())
    assert rows_of(chunks) == [{"名称": "甲"}]


def test_unit_helpers() -> None:
    assert xlsx_module.column_index("A1") == 0 and xlsx_module.column_index("AA3") == 26
    assert xlsx_module.format_kind("yyyy/m/d") == "date" and xlsx_module.format_kind("h:mm AM/PM") == "time"
    assert xlsx_module.format_kind('"年"0.00') is None and xlsx_module.format_kind("mmm") == "date"
    assert xlsx_module.format_kind("[$-804]yyyy年m月d日") == "date" and xlsx_module.format_kind("0.00E+00") is None
    assert xlsx_module.serial_text("abc", "date", False) == "abc"
    assert xlsx_module.serial_text("-1", "date", False) == "-1"


def test_a_cell_whose_shared_string_does_not_exist_makes_its_row_a_problem(tmp_path: Path) -> None:
    """A damaged index (out of range, negative, not a number) loses nothing: the row is a problem naming the
    cell, never a blank row that vanishes from the count."""
    rows = [["a", "b"], ["x", "y"],
            [("raw", '<c r="A3" t="s"><v>99</v></c>'), ("raw", '<c r="B3" t="s"><v>-1</v></c>')],
            [("inline", "z"), ("raw", '<c r="B4" t="s"><v>seven</v></c>')]]
    _, chunks, problems = read(tmp_path, workbook({"S": rows}))
    assert [(p.code, p.line, p.record) for p in problems] == [("source.shared_string", 3, 2),
                                                             ("source.shared_string", 4, 3)]
    assert "cell A3" in problems[0].message_en and "cell B4" in problems[1].message_en
    assert rows_of(chunks) == [{"a": "x", "b": "y"}]
    assert sum(len(chunk) for chunk in chunks) + len(problems) == 3


@pytest.mark.parametrize(("row", "why"), [
    ('<row r="2"><c r="BZZZZZ2" t="inlineStr"><is><t>x</t></is></c></row>', "outside the sheet"),
    ('<row r="2"><c r="XFE2" t="inlineStr"><is><t>x</t></is></c></row>', "outside the sheet"),
    ('<row r="2"><c r="2" t="inlineStr"><is><t>x</t></is></c></row>', "outside the sheet"),
    ('<row r="99999999999999999999"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>', "last row"),
])
def test_references_beyond_the_sheet_are_damage_not_a_huge_row(tmp_path: Path, row: str, why: str) -> None:
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>{header}{row}'
             "</sheetData></worksheet>")
    error = refused(tmp_path, workbook({"S": []}, raw_sheets={"S": sheet}))
    assert error.code == "source.xlsx" and why in error.message_en


def test_escaped_surrogates_are_read_not_a_crash(tmp_path: Path) -> None:
    rows = [["a"], [("inline", "张_xD800_三")], [("inline", "_xD83D__xDE00_")]]
    _, chunks, problems = read(tmp_path, workbook({"S": rows}))
    assert problems == [] and rows_of(chunks) == [{"a": "张\ufffd三"}, {"a": "😀"}]


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/styles.xml", "xl/sharedStrings.xml"])
def test_a_damaged_part_is_named_not_a_crash(tmp_path: Path, part: str) -> None:
    data = workbook({"S": [["a"], ["x"]]}, compression=zipfile.ZIP_STORED)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(part)
    crc = info.CRC.to_bytes(4, "little")
    damaged = data.replace(crc, (info.CRC ^ 1).to_bytes(4, "little"))
    error = refused(tmp_path, damaged)
    assert error.code == "source.xlsx" and "cannot be unpacked" in error.message_en


def test_many_ragged_rows_are_handed_on_not_held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_module, "_HELD_PROBLEMS", 2)
    rows = [["a", "b"], *[[1, 2, 3]] * 7, [4, 5]]
    _, chunks, problems = read(tmp_path, workbook({"S": rows}))
    assert [p.line for p in problems] == list(range(2, 9)) and rows_of(chunks) == [{"a": "4", "b": "5"}]


def test_a_shared_string_table_past_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The table is held in memory: past MAX_SHARED_CHARS characters the workbook is refused by name (a 1.4 MB
    file of incompressible-looking strings took 1.9 GB before), never half-read."""
    monkeypatch.setattr(xlsx_module, "MAX_SHARED_CHARS", 100)
    data = workbook({"S": [["a"], *[["x" * 30 + str(i)] for i in range(5)]]})
    error = refused(tmp_path, data)
    assert error.code == "source.shared_strings" and "100 characters" in error.message_en
    monkeypatch.setattr(xlsx_module, "MAX_SHARED_CHARS", 1000)
    _, chunks, problems = read(tmp_path, data)
    assert len(rows_of(chunks)) == 5 and problems == []


def test_a_hidden_first_sheet_is_passed_over_unless_asked_for(tmp_path: Path) -> None:
    """A code table kept on a hidden first sheet is not the data: Excel opens at the first visible sheet, and so
    does the reader; --sheet still reads a hidden one by name."""
    data = workbook({"代码表": [["代码", "名称"], ["01", "甲"]], "处罚": [["名称"], ["乙"]]})
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            text = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                text = text.replace(b'<sheet name="\xe4\xbb\xa3\xe7\xa0\x81\xe8\xa1\xa8"',
                                    '<sheet state="hidden" name="代码表"'.encode())
            target.writestr(item, text)
    source, chunks, _ = read(tmp_path, buffer.getvalue())
    assert source.sheet == "处罚" and rows_of(chunks) == [{"名称": "乙"}]
    assert source.sheets == ("代码表", "处罚")
    assert read(tmp_path, buffer.getvalue(), sheet="代码表")[0].sheet == "代码表"


def test_a_workbook_is_known_by_its_content_whatever_its_name(tmp_path: Path) -> None:
    """A workbook saved as 导出.csv or .xls is read as the workbook it is; tab-separated text that a system
    exported under the name .xls is read as text, not refused as an old binary workbook."""
    data = workbook({"处罚": [["名称"], ["甲"]]})
    for name in ("导出.csv", "导出.xls", "导出.txt"):
        source, chunks, _ = read(tmp_path, data, name=name)
        assert source.format == "xlsx" and rows_of(chunks) == [{"名称": "甲"}], name
    source, chunks, _ = read(tmp_path, "名称\t代码\n甲\t1\n".encode(), name="export.xls")
    assert source.format == "tsv" and rows_of(chunks) == [{"名称": "甲", "代码": "1"}]


def test_an_empty_sheet_is_named_not_taken_for_an_empty_file(tmp_path: Path) -> None:
    data = workbook({"处罚": [["名称"], ["甲"]], "空表": []})
    path = tmp_path / "book.xlsx"
    path.write_bytes(data)
    with pytest.raises(SourceError) as caught:
        read_all(str(path), sheet="空表")
    assert caught.value.code == "source.empty"
    assert "sheet 空表, is empty" in caught.value.message_en and "的工作表“空表” 为空" in caught.value.message_zh


@pytest.mark.parametrize("formula", [
    '<c r="B{n}" t="str"><f>A{n}&amp;""</f></c>',  # no cached value at all
    '<c r="B{n}"><f>SUM(A{n})</f><v></v></c>',  # openpyxl's: an empty value where a number was due
])
def test_a_formula_never_calculated_makes_its_row_a_problem_naming_the_cell(tmp_path: Path, formula: str) -> None:
    """A workbook written by a program that does not calculate holds formulas without values: their rows
    were read as blank and left out of the count (exit 0 on a sheet of such rows)."""
    rows = [["名称", "机关"], ["甲", ("raw", formula.format(n=2))], [("raw", formula.format(n=3).replace("B", "A")),
                                                                   ("raw", formula.format(n=3))],
            ["乙", ("raw", '<c r="B4" t="str"><f>""</f><v></v></c>')]]  # a calculated empty text: an empty cell
    _, chunks, problems = read(tmp_path, workbook({"S": rows}))
    assert [(p.code, p.line, p.record) for p in problems] == [("source.formula_uncalculated", 2, 1),
                                                              ("source.formula_uncalculated", 3, 2)]
    assert "B2" in problems[0].message_en and "A3" in problems[1].message_zh
    assert rows_of(chunks) == [{"名称": "乙", "机关": ""}] and lines_of(chunks) == [4]


@pytest.mark.parametrize("cell", ['<c r="B1" t="str"><f>"B"&amp;"Z"</f></c>', '<c r="B1" t="e"><v>#REF!</v></c>'])
def test_a_header_cell_with_no_value_refuses_the_sheet_naming_it(tmp_path: Path, cell: str) -> None:
    """A header formula never calculated made its column column_2, unknown, its values dropped unsaid."""
    rows = [["名称", ("raw", cell), "机关"], ["甲", "备注", "某局"]]
    with pytest.raises(SourceError) as caught:
        read(tmp_path, workbook({"S": rows}))
    assert caught.value.code == "source.header" and "cell B1" in caught.value.message_en


def test_formulas_of_a_workbook_that_asks_to_be_calculated_on_load_have_no_value(tmp_path: Path) -> None:
    """XlsxWriter (and openpyxl) do not calculate: they store 0 (or nothing) for each formula and ask Excel to
    calculate in full on load. Such a 0 was read as the decision number of every row, all valid."""
    rows = [["名称", "文号"], ["甲", ("raw", '<c r="B2"><f>CONCAT("罚",A2)</f><v>0</v></c>')], ["乙", "罚2"]]
    data = workbook({"S": rows})
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            text = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                text = text.replace(b"</sheets>", b'</sheets><calcPr fullCalcOnLoad="1"/>')
            target.writestr(item.filename, text)
    _, chunks, problems = read(tmp_path, buffer.getvalue())
    assert [(p.code, p.line) for p in problems] == [("source.formula_uncalculated", 2)]
    assert rows_of(chunks) == [{"名称": "乙", "文号": "罚2"}]
    _, chunks, problems = read(tmp_path, data)  # a workbook Excel calculated: its cached value is the value
    assert not problems and rows_of(chunks)[0]["文号"] == "0"


def test_a_stray_error_value_right_of_the_header_is_no_column(tmp_path: Path) -> None:
    rows = [["名称", "机关", ("error", "#REF!")], ["甲", "某局"]]
    source, chunks, problems = read(tmp_path, workbook({"S": rows}))
    assert source.headers == ("名称", "机关") and not problems and rows_of(chunks) == [{"名称": "甲", "机关": "某局"}]
