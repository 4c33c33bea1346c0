"""The report of `creditstd convert` says how each table was read, as `validate`'s does: the encoding detected,
the title row, the sheet read and the workbook's others, and the export's columns no rule of the mapping reads
(named as unknown columns: nothing the export holds is dropped unsaid)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from test_sources_xlsx import workbook

from creditstd.cli import main
from creditstd.records.export import write_csv
from creditstd.records.fake import fake_records

CLASS = "administrative_penalty"


def _rows(n: int = 12) -> list[list[str]]:
    stream = io.StringIO()
    write_csv([item.record for item in fake_records(CLASS, n, seed=4, on=date(2025, 1, 1))], CLASS, stream)
    return list(csv.reader(io.StringIO(stream.getvalue())))


def _report(*args: str) -> dict:
    result = CliRunner().invoke(main, ["convert", *args, "--dry-run", "--format", "json", "--on", "2025-01-01"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["files"][0]


def test_a_gbk_export_with_a_title_row_and_columns_no_rule_reads(tmp_path: Path) -> None:
    rows = _rows()
    rows[0].append("内部编号")  # a column of the department's own that no rule reads
    for row in rows[1:]:
        row.append("INT-1")
    text = "某市行政处罚信息导出\n" + "".join(",".join(f'"{cell}"' for cell in row) + "\n" for row in rows)
    path = tmp_path / "penalties.csv"
    path.write_bytes(text.encode("gbk"))
    file = _report(str(path), "--mapping", "sgs-penalty-csv")
    assert file["encoding"] == "gb18030" and file["title"] == "某市行政处罚信息导出"
    assert file["rows"] == {"read": 12, "valid": 12, "rejected": 0, "unreadable": 0}
    # the bundled mapping reads the national field codes; the export's own columns are named, not dropped unsaid
    assert set(file["unknown_columns"]) == {"publication_date", "procedure", "severity", "sector", "内部编号"}


def test_a_workbook_names_the_sheet_read_and_the_others(tmp_path: Path) -> None:
    rows = _rows()
    path = tmp_path / "penalties.xlsx"
    path.write_bytes(workbook({"处罚": rows, "说明": [["说明"], ["本表为虚构示例"]]}))
    mapping = tmp_path / "m.toml"  # the bundled CSV mapping, reading a workbook instead
    mapping.write_text(_as_xlsx_mapping(), encoding="utf-8")
    file = _report(str(path), "--mapping", str(mapping))
    assert file["sheet"] == "处罚" and file["sheets"] == ["处罚", "说明"]
    assert file["format"] == "xlsx"


def _as_xlsx_mapping() -> str:
    result = CliRunner().invoke(main, ["mapping", "show", "sgs-penalty-csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    return "\n".join('format = "xlsx"' if line.strip().startswith("format") and "csv" in line else line
                     for line in lines if not line.strip().startswith(("encoding", "delimiter"))) + "\n"


def test_a_report_showing_personal_data_is_private(tmp_path: Path) -> None:
    """With --show-pii the report holds names and ID numbers in full: readable by its owner only, whatever the
    umask; without, it follows the umask as any report does."""
    import os
    import stat
    rows = _rows()
    path = tmp_path / "penalties.csv"
    path.write_text("".join(",".join(f'"{cell}"' for cell in row) + "\n" for row in rows), encoding="utf-8")
    old = os.umask(0)
    try:
        for flag, mode in (("--show-pii", 0o600), ("--no-progress", 0o666)):
            report = tmp_path / f"report{flag}.txt"
            result = CliRunner().invoke(main, ["convert", str(path), "--mapping", "sgs-penalty-csv", "--dry-run",
                                               "--report", str(report), flag, "--on", "2025-01-01"])
            assert result.exit_code == 0, result.output
            assert stat.S_IMODE(report.stat().st_mode) == mode, flag
    finally:
        os.umask(old)


def test_xml_elements_no_rule_reads_are_named_as_unknown_columns(tmp_path: Path) -> None:
    """An element of a record that no rule reads was dropped with '0 unknown' in the report, however many
    records held it (the first in the last record, so a sample would not have shown it)."""
    mapping = tmp_path / "m.toml"
    mapping.write_text('spec = 1\nname = "m"\nclass = "administrative_penalty"\n'
                       '[source]\nformat = "xml"\nrecord = "/s:Records/s:Record"\n[source.namespaces]\ns = "urn:x"\n'
                       '[[fields]]\ntarget = "decision_number"\nsource = "s:WSH"\n'
                       '[[fields]]\ntarget = "remarks"\nsource = "s:BZ/s:Line"\nmany = true\ntransforms = ["join"]\n'
                       '[[fields]]\ntarget = "subject_name"\nsource = "s:XDR/@MC"\n', encoding="utf-8")
    records = "".join(f'<Record><WSH>罚〔2024〕{n}号</WSH><BZ><Line>a</Line></BZ><XDR MC="某公司"/><!-- c --></Record>'
                      for n in range(1, 40))
    path = tmp_path / "export.xml"
    path.write_text(f'<Records xmlns="urn:x" xmlns:o="urn:o">{records}'
                    '<Record><WSH>罚〔2024〕99号</WSH><EXTRA>备注</EXTRA><o:NOTE/></Record></Records>',
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["convert", str(path), "--mapping", str(mapping), "--dry-run", "--format",
                                       "json", "--on", "2025-01-01"])
    file = json.loads(result.stdout)["files"][0]
    assert file["unknown_columns"] == ["s:EXTRA", "{urn:o}NOTE"]
    assert file["rows"]["read"] == 40


def test_a_workbook_or_xml_given_to_a_csv_mapping_is_named_not_decoded(tmp_path: Path) -> None:
    """A workbook under the 双公示 CSV mapping stopped with 'the bytes are not valid gb18030' at byte 18."""
    book = tmp_path / "penalties.xlsx"
    book.write_bytes(workbook({"处罚": _rows()}))
    xml = tmp_path / "penalties.csv"
    xml.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<DATA><ROW><CF_WSH>1</CF_WSH></ROW></DATA>\n',
                   encoding="utf-8")
    for path, held in ((book, "an Excel workbook (XLSX)"), (xml, "XML")):
        result = CliRunner().invoke(main, ["convert", str(path), "--mapping", "sgs-penalty-csv", "--dry-run"])
        assert result.exit_code == 2, result.output
        assert f"the file holds {held}, not CSV text" in result.output and "gb18030" not in result.output


def test_rules_on_the_records_attribute_or_with_a_predicate_still_name_unread_elements(tmp_path: Path) -> None:
    """One rule reading the record's own attribute (@MC) or using a predicate (BZ[1]) turned the report of
    unread elements off."""
    mapping = tmp_path / "m.toml"
    mapping.write_text('spec = 1\nname = "m"\nclass = "administrative_penalty"\n'
                       '[source]\nformat = "xml"\nrecord = "/Records/Record"\n'
                       '[[fields]]\ntarget = "decision_number"\nsource = "WSH"\n'
                       '[[fields]]\ntarget = "subject_name"\nsource = "@MC"\n'
                       '[[fields]]\ntarget = "remarks"\nsource = "BZ[1]"\n', encoding="utf-8")
    path = tmp_path / "export.xml"
    path.write_text('<Records><Record MC="某公司"><WSH>罚〔2024〕1号</WSH><BZ>a</BZ><EXTRA>x</EXTRA></Record>'
                    '</Records>', encoding="utf-8")
    result = CliRunner().invoke(main, ["convert", str(path), "--mapping", str(mapping), "--dry-run", "--format",
                                       "json", "--on", "2025-01-01"])
    assert json.loads(result.stdout)["files"][0]["unknown_columns"] == ["EXTRA"]
