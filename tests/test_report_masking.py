"""What reports show of personal cells that are not clean ID numbers: nothing a reader could use.

An ID number field's cell is shown in its publication form only when it is shaped like a citizen ID number;
a passport or permit number, or an ID number with a name typed after it, keeps its first character only.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from creditstd.cli import main


@pytest.fixture()
def export(tmp_path: Path) -> Path:
    base = tmp_path / "base.csv"
    result = CliRunner().invoke(main, ["fake", "administrative_penalty", "-n", "40", "--format", "csv",
                                       "--headers", "key", "--seed", "3", "-o", str(base)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(base.open(encoding="utf-8")))
    header, index = rows[0], {key: number for number, key in enumerate(rows[0])}
    people = [row for row in rows[1:] if row[index["subject_category"]] == "自然人"]
    people[0][index["id_number"]] = "110105194912310021 李四"
    people[1][index["id_type"]] = "港澳居民来往内地通行证"
    people[1][index["id_number"]] = "H1234567890"
    people[1][index["decision_date"]] = "2023-02-30"  # another error: the row is among the samples
    path = tmp_path / "p.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([header, people[0], people[1]])
    return path


@pytest.mark.parametrize("form", ["text", "json", "html", "sarif", "junit"])
def test_odd_cells_of_id_number_fields_are_masked_in_every_report(export: Path, form: str, tmp_path: Path) -> None:
    out = tmp_path / f"report.{form}"
    result = CliRunner().invoke(main, ["validate", str(export), "--format", form, "-o", str(out),
                                       "--rejects", str(tmp_path / "rejects.csv")])
    assert result.exit_code == 1, result.output
    shown = out.read_text(encoding="utf-8") + result.output
    assert "李四" not in shown and "1234567" not in shown and "19491231" not in shown
    rejects = (tmp_path / "rejects.csv").read_text(encoding="utf-8-sig")
    assert "H1234567890" in rejects  # the rejects file holds the rows unchanged, for the steward to fix


def test_show_pii_shows_them(export: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(export), "--show-pii", "--lang", "en"])
    assert result.exit_code == 1
    assert "李四" in result.output


_DISHONEST = """<?xml version="1.0" encoding="UTF-8"?>
<SXBZXRMD>
  <BZXR XH="1">
    <BZXRMC>陈大文</BZXRMC>
    <ZJHM ZJLX="港澳居民来往内地通行证">H1234567890</ZJHM>
    <AH>（2024）鲁3705执908号</AH><ZXFY>东营市东营区人民法院</ZXFY><ZXFYDM>11370502MAA2PJJL8H</ZXFYDM>
    <AJLX>执行</AJLX><AY>买卖合同纠纷</AY><WSLX>判决书</WSLX><LARQ>2024年3月27日</LARQ><FBSJ>2024年4月16日</FBSJ>
  </BZXR>
  <BZXR XH="2">
    <BZXRMC>John Smith</BZXRMC>
    <ZJHM ZJLX="护照">E12345678</ZJHM>
    <AH>（2024）鲁3705执909号</AH><ZXFY>东营市东营区人民法院</ZXFY><ZXFYDM>11370502MAA2PJJL8H</ZXFYDM>
    <AJLX>执行</AJLX><AY>买卖合同纠纷</AY><WSLX>判决书</WSLX><LARQ>2024年3月27日</LARQ><FBSJ>2024年4月16日</FBSJ>
  </BZXR>
</SXBZXRMD>
"""


def test_a_field_derived_from_an_id_number_shows_the_number_masked(tmp_path: Path) -> None:
    """court-dishonest-xml derives the subject category from the ID document number: when that fails, the
    finding belongs to subject_category, yet its value is a person's passport or permit number."""
    source = tmp_path / "dishonest.xml"
    source.write_text(_DISHONEST, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["convert", str(source), "--mapping", "court-dishonest-xml", "-o", str(out),
                                       "--department", "某法院", "--department-uscc", "11350100MAD18YGF27",
                                       "--on", "2025-06-01", "--report", str(tmp_path / "report.txt")])
    assert result.exit_code == 1, result.output
    rejects = (tmp_path / "out.rejects.jsonl").read_text(encoding="utf-8")
    assert "subject_category" in rejects
    for shown in (rejects, (tmp_path / "report.txt").read_text(encoding="utf-8"), result.output):
        assert "1234567" not in shown and "E12345678" not in shown


def test_exchange_verify_masks_id_numbers_in_keys_and_paths(tmp_path: Path) -> None:
    """A sender's system that wrote an ID number as a key: verify names the key masked, unless --show-pii."""
    import hashlib
    import json

    records = tmp_path / "r.jsonl"
    runner = CliRunner()
    assert runner.invoke(main, ["fake", "administrative_penalty", "-n", "3", "--seed", "11", "--on", "2025-01-01",
                                "-o", str(records)]).exit_code == 0
    batch = tmp_path / "batch"
    assert runner.invoke(main, ["exchange", "pack", "administrative_penalty", str(records), "-o", str(batch),
                                "--department", "某局", "--department-uscc", "11350100MAD18YGF27"]).exit_code == 0
    lines = [json.loads(line) for line in (batch / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    lines[0]["data"]["11010519491231002X"] = "张三"
    data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8")
    (batch / "records.jsonl").write_bytes(data)
    manifest = json.loads((batch / "manifest.json").read_text(encoding="utf-8"))
    manifest["records"]["sha256"] = hashlib.sha256(data).hexdigest()
    (batch / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    named = tmp_path / "张三_11010519491231002X"
    named.mkdir()
    for arguments in ([str(batch)], [str(batch), "--format", "json"], [str(named)]):
        result = runner.invoke(main, ["exchange", "verify", *arguments])
        assert result.exit_code in (1, 2) and ("✗" in result.output or '"problems"' in result.output)
        assert "19491231" not in result.output, result.output
    shown = runner.invoke(main, ["exchange", "verify", str(batch), "--show-pii"])
    assert "11010519491231002X" in shown.output


def test_mapping_init_writes_no_id_number_of_the_sample(export: Path, tmp_path: Path) -> None:
    """A sample named after a person, with an ID number in a header cell: the draft names both masked; a
    sample whose first row is a record (no header row) is refused, its cells never copied."""
    rows = list(csv.reader(export.open(encoding="utf-8")))
    named = tmp_path / "张三_11010519491231002X.csv"
    with named.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([[*rows[0], "证件号11010519491231002X"], *[[*row, "x"] for row in rows[1:]]])
    draft = tmp_path / "a.toml"
    result = CliRunner().invoke(main, ["mapping", "init", str(named), "-o", str(draft)])
    assert result.exit_code == 0, result.output
    text = draft.read_text(encoding="utf-8")
    assert "19491231" not in text + result.output and "证件号110105********002X" in text
    headerless = tmp_path / "noheader.csv"
    with headerless.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows[1:])
    result = CliRunner().invoke(main, ["mapping", "init", str(headerless), "--class", "administrative_penalty",
                                       "-o", str(tmp_path / "b.toml")])
    assert result.exit_code == 2 and "header" in result.output and not (tmp_path / "b.toml").exists()
    assert rows[1][0] not in result.output


def test_a_file_with_no_header_row_shows_its_first_record_masked(export: Path, tmp_path: Path) -> None:
    """With no header row the first record is read as the header: a person's name and number are then column
    names, shown masked as a name is in every report (unless --show-pii)."""
    rows = list(csv.reader(export.open(encoding="utf-8")))
    headerless = tmp_path / "noheader.csv"
    with headerless.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows[1:])
    name = rows[1][rows[0].index("subject_name")]
    for form in ("text", "json", "html"):
        out = tmp_path / f"report.{form}"
        result = CliRunner().invoke(main, ["validate", str(headerless), "--class", "administrative_penalty",
                                           "--format", form, "-o", str(out)])
        assert result.exit_code in (1, 2), result.output
        if out.exists():
            assert name not in out.read_text(encoding="utf-8") + result.output
    shown = CliRunner().invoke(main, ["validate", str(headerless), "--class", "administrative_penalty",
                                      "--show-pii", "--lang", "en"])
    assert name in shown.output
