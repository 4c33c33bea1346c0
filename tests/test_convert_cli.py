"""``creditstd convert``: a departmental export through a mapping into an exchange batch; every row accounted for,
rejects located, nothing personal shown, reruns byte-identical, unusable input refused with exit 2."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from leaks import full_id_numbers

from creditstd.cli import main
from creditstd.codes import ric
from creditstd.convert.mapping import export_mapping
from creditstd.records.exchange import BatchWriter, verify_batch
from creditstd.records.export import write_csv, write_xml
from creditstd.records.fake import fake_records

ON = date(2026, 11, 30)
CLASS = "administrative_penalty"
DEPARTMENT = ["--department", "某市市场监督管理局", "--department-uscc", "11350100MAD18YGF27", "--on", ON.isoformat()]


def export(folder: Path, fmt: str, records: list[dict[str, Any]], name: str = "export") -> tuple[Path, Path]:
    """The export file and its mapping, in ``folder``."""
    path = folder / f"{name}.{fmt}"
    with open(path, "w", encoding="utf-8", newline="") as stream:
        (write_csv if fmt == "csv" else write_xml)(records, CLASS, stream)
    mapping = folder / f"{fmt}.toml"
    mapping.write_text(export_mapping(CLASS, fmt), encoding="utf-8")
    return path, mapping


def fakes(n: int, *, seed: int = 5, error_rate: float = 0.0) -> list[Any]:
    return list(fake_records(CLASS, n, seed=seed, error_rate=error_rate, on=ON))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def convert(runner: CliRunner, *args: str | os.PathLike[str]) -> Result:
    return runner.invoke(main, ["convert", *map(str, args)])


def rejects_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def accounting(stderr: str) -> tuple[int, int, int]:
    """(rows in, records out, rejected) as the summary states them."""
    found = re.search(r"读入 (\d+) 行 = 写出 (\d+) 条 \+ 拒收 (\d+) 条.* / .*?(\d+) rows in = (\d+) records out "
                      r"\+ (\d+) rejected", stderr)
    assert found, stderr
    numbers = tuple(int(number) for number in found.groups())
    assert numbers[:3] == numbers[3:]
    return numbers[0], numbers[1], numbers[2]


# ------------------------------------------------------------------------------------------------ round trips


@pytest.mark.parametrize("fmt", ["csv", "xml"])
def test_a_clean_export_converts_to_a_batch_that_verifies(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    items = fakes(80)
    path, mapping = export(tmp_path, fmt, [item.record for item in items])
    batch = tmp_path / "batch"
    result = convert(runner, path, "--mapping", mapping, "-o", batch, *DEPARTMENT)
    assert result.exit_code == 0, result.output
    assert accounting(result.stderr) == (80, 80, 0)
    assert "80 rows read = 80 valid + 0 rejected" in result.stdout  # the validate report
    assert "Traceback" not in result.output
    assert (tmp_path / "batch.rejects.jsonl").read_text(encoding="utf-8") == ""
    report = verify_batch(batch)
    assert report.ok and report.count == 80, report.problems[:3]
    manifest = json.loads((batch / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["accounting"] == {"rows_in": 80, "records_out": 80, "rejected": 0}
    assert manifest["created"] == "2026-11-30T00:00:00+08:00"
    records = [json.loads(line) for line in (batch / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [record["data"] for record in records] == [item.record for item in items]  # nothing lost or changed
    verified = runner.invoke(main, ["exchange", "verify", str(batch)])
    assert verified.exit_code == 0, verified.output
    assert stat.S_IMODE(os.stat(batch / "records.jsonl").st_mode) == 0o600


@pytest.mark.parametrize("fmt", ["csv", "xml"])
def test_the_rejects_are_the_broken_rows_and_every_row_is_accounted_for(runner: CliRunner, tmp_path: Path,
                                                                        fmt: str) -> None:
    items = fakes(200, seed=9, error_rate=0.2)
    path, mapping = export(tmp_path, fmt, [item.record for item in items])
    batch = tmp_path / "out" / "batch"
    result = convert(runner, path, "--mapping", mapping, "-o", batch, *DEPARTMENT)
    assert result.exit_code == 1, result.output
    rows_in, records_out, rejected = accounting(result.stderr)
    rejects = rejects_of(tmp_path / "out" / "batch.rejects.jsonl")
    assert rows_in == 200 == records_out + rejected and rejected == len(rejects) > 20
    manifest = json.loads((batch / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["accounting"] == {"rows_in": 200, "records_out": records_out, "rejected": rejected}
    assert manifest["records"]["count"] == records_out
    assert verify_batch(batch).ok
    # a number given as a JSON string (record.type) is the same text in a cell as the number: no export can carry
    # that breakage, so those records are left out of the comparison
    rejected_records = {entry["record"] for entry in rejects}
    for number, item in enumerate(items, 1):
        if item.broken != "record.type":
            assert (number in rejected_records) == (item.broken is not None), (number, item.broken)
    for entry in rejects:
        assert entry["file"] == str(path) and entry["line"] >= 2 and entry["errors"]
        assert all(error["code"] and error["message_zh"] and error["message_en"] for error in entry["errors"])
        if fmt == "xml":
            assert entry["record_path"] == f"/Records/Record[{entry['record']}]"
        else:
            assert entry["line"] == entry["record"] + 1  # the header is line 1


def test_an_xml_element_that_looks_like_a_record_off_the_record_path_is_a_reject(runner: CliRunner,
                                                                                  tmp_path: Path) -> None:
    path, mapping = export(tmp_path, "xml", [item.record for item in fakes(10)])
    parts = path.read_text(encoding="utf-8").split("  <Record>")  # parts[n] is record n, up to its end tag
    parts[3] = "<record>" + parts[3].replace("</Record>", "</record>")  # another case
    parts[5] = "<Batch><Record>" + parts[5].replace("</Record>", "</Record></Batch>")  # nested
    parts[7] = '<o:Record xmlns:o="urn:o">' + parts[7].replace("</Record>", "</o:Record>")  # another namespace
    text = parts[0] + "".join(f"  {part}" if part.startswith("<") else f"  <Record>{part}" for part in parts[1:])
    path.write_text(text, encoding="utf-8")
    lines = {number: line for number, line in enumerate(text.splitlines(), 1)}
    result = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "batch", *DEPARTMENT)
    assert result.exit_code == 1, result.output
    assert accounting(result.stderr) == (10, 7, 3)
    rejects = rejects_of(tmp_path / "batch.rejects.jsonl")
    assert [entry["errors"][0]["code"] for entry in rejects] == ["source.xml_stray_record"] * 3
    assert [lines[entry["line"]].strip()[:15] for entry in rejects] == ["<record>", "<Batch><Record>",
                                                                        '<o:Record xmlns']
    assert "/Records/Batch/Record" in rejects[1]["errors"][0]["message_en"]
    assert "xmlns urn:o" in rejects[2]["errors"][0]["message_en"]
    assert "/Records/Record" in rejects[0]["errors"][0]["message_zh"]


def test_several_inputs_and_a_glob_make_one_batch(runner: CliRunner, tmp_path: Path) -> None:
    _, mapping = export(tmp_path, "csv", [item.record for item in fakes(30, seed=1)], "a")
    export(tmp_path, "csv", [item.record for item in fakes(20, seed=2)], "b")
    result = convert(runner, tmp_path / "*.csv", "--mapping", mapping, "-o", tmp_path / "batch", *DEPARTMENT)
    assert result.exit_code == 0, result.output
    assert accounting(result.stderr) == (50, 50, 0)
    assert verify_batch(tmp_path / "batch").count == 50


def test_a_rerun_writes_the_same_bytes(runner: CliRunner, tmp_path: Path) -> None:
    path, mapping = export(tmp_path, "csv", [item.record for item in fakes(60, seed=3, error_rate=0.2)])
    outputs = []
    for run in ("one", "two"):
        result = convert(runner, path, "--mapping", mapping, "-o", tmp_path / run, *DEPARTMENT)
        assert result.exit_code == 1, result.output
        outputs.append([(tmp_path / run / name).read_bytes() for name in ("records.jsonl", "manifest.json")]
                       + [(tmp_path / f"{run}.rejects.jsonl").read_bytes()])
    assert outputs[0] == outputs[1]
    again = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "one", "--force", *DEPARTMENT)
    assert again.exit_code == 1
    assert [(tmp_path / "one" / name).read_bytes() for name in ("records.jsonl", "manifest.json")] == outputs[0][:2]


def test_a_repeated_record_is_a_reject_with_its_reason(runner: CliRunner, tmp_path: Path) -> None:
    records = [item.record for item in fakes(10)]
    path, mapping = export(tmp_path, "csv", [*records, records[3]])
    result = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "batch", *DEPARTMENT)
    assert result.exit_code == 1, result.output
    assert accounting(result.stderr) == (11, 10, 1)
    [entry] = rejects_of(tmp_path / "batch.rejects.jsonl")
    assert entry["line"] == 12 and [error["code"] for error in entry["errors"]] == ["exchange.duplicate_id"]


# ------------------------------------------------------------------------------------------------ nothing survives


def test_no_valid_record_exits_1_and_leaves_no_batch(runner: CliRunner, tmp_path: Path) -> None:
    records = [{**item.record, "authority_uscc": "91350100M000100Y4Z"} for item in fakes(12)]
    path, mapping = export(tmp_path, "csv", records)
    batch = tmp_path / "batch"
    result = convert(runner, path, "--mapping", mapping, "-o", batch, *DEPARTMENT)
    assert result.exit_code == 1, result.output
    assert "no record could be converted: no batch written" in result.stderr
    assert accounting(result.stderr) == (12, 0, 12)
    assert not batch.exists()
    assert len(rejects_of(tmp_path / "batch.rejects.jsonl")) == 12
    verified = runner.invoke(main, ["exchange", "verify", str(batch)])
    assert verified.exit_code == 2


@pytest.mark.parametrize("dry_run", [False, True])
def test_an_empty_export_exits_1_and_its_report_says_so(runner: CliRunner, tmp_path: Path, dry_run: bool) -> None:
    """A run that converts nothing fails even when there was nothing to convert, and the report's exit status
    is the command's."""
    path, mapping = export(tmp_path, "csv", [])
    output = ["--dry-run"] if dry_run else ["-o", tmp_path / "batch"]
    result = convert(runner, path, "--mapping", mapping, *output, *DEPARTMENT, "--format", "json")
    assert result.exit_code == 1, result.output
    assert accounting(result.stderr) == (0, 0, 0)
    assert json.loads(result.stdout)["exit_status"] == 1
    assert not (tmp_path / "batch").exists()
    junit = convert(runner, path, "--mapping", mapping, *output, *DEPARTMENT, "--format", "junit", "--force")
    assert junit.exit_code == 1 and 'type="rows.none_valid"' in junit.stdout
    assert re.search(r'<testsuites [^>]*failures="[1-9]', junit.stdout), junit.stdout[:300]


def test_no_valid_record_over_an_older_batch_leaves_nothing_that_verifies(runner: CliRunner, tmp_path: Path) -> None:
    good, mapping = export(tmp_path, "csv", [item.record for item in fakes(5)], "good")
    bad, _ = export(tmp_path, "csv", [{**item.record, "authority_uscc": "x"} for item in fakes(5)], "bad")
    batch = tmp_path / "batch"
    assert convert(runner, good, "--mapping", mapping, "-o", batch, *DEPARTMENT).exit_code == 0
    result = convert(runner, bad, "--mapping", mapping, "-o", batch, "--force", *DEPARTMENT)
    assert result.exit_code == 1
    assert not (batch / "manifest.json").exists() and not (batch / "records.jsonl").exists()
    assert not verify_batch(batch).ok


# ------------------------------------------------------------------------------------------------ unusable input


def test_a_bad_mapping_exits_2_naming_its_file_and_line(runner: CliRunner, tmp_path: Path) -> None:
    path, mapping = export(tmp_path, "csv", [item.record for item in fakes(3)])
    text = mapping.read_text(encoding="utf-8")
    broken = text.replace('target = "violation_type"', 'target = "no_such_field"')
    line = broken.splitlines().index('target = "no_such_field"') + 1
    mapping.write_text(broken, encoding="utf-8")
    result = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "batch", *DEPARTMENT)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{mapping}, line {line}" in result.stderr and "no_such_field" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "batch").exists() and not (tmp_path / "batch.rejects.jsonl").exists()


@pytest.mark.parametrize("fmt", ["csv", "tsv", "xlsx", "xml"])
def test_an_unknown_encoding_is_an_error_of_the_mapping_at_its_line(runner: CliRunner, tmp_path: Path,
                                                                     fmt: str) -> None:
    """It blamed the input ("x1.xml: not well-formed XML (unknown encoding x-unknown)"); it is found when the
    mapping is loaded, before any input is read, and named by the mapping file and the line of the entry."""
    path, mapping = export(tmp_path, "xml" if fmt == "xml" else "csv", [item.record for item in fakes(3)])
    data = tmp_path / f"x1.{fmt}"
    data.write_bytes(path.read_bytes())
    text = mapping.read_text(encoding="utf-8").replace('format = "csv"', f'format = "{fmt}"')
    mapping.write_text(text.replace(f'format = "{fmt}"\n', f'format = "{fmt}"\nencoding = "x-unknown"\n'),
                       encoding="utf-8")
    assert mapping.read_text(encoding="utf-8").splitlines()[6] == 'encoding = "x-unknown"'
    for inputs in ([data], [tmp_path / "missing.xml"]):
        result = runner.invoke(main, ["convert", *map(str, inputs), "--mapping", str(mapping), "-o",
                                      str(tmp_path / "batch"), *DEPARTMENT], env={"CREDITSTD_LANG": "both"})
        assert result.exit_code == 2
        assert result.stdout == ""
        assert f"{mapping} 第7行" in result.stderr and f"{mapping}, line 7" in result.stderr
        assert ("x-unknown" if fmt != "xlsx" else "this key does not apply here") in result.stderr  # (no encoding)
        assert "x1." not in result.stderr and "missing" not in result.stderr
        assert "Traceback" not in result.stderr
        assert not (tmp_path / "batch").exists() and not (tmp_path / "batch.rejects.jsonl").exists()


def test_an_xml_mapping_may_name_utf8_with_a_byte_order_mark(runner: CliRunner, tmp_path: Path) -> None:
    """``encoding = "utf-8-sig"`` (accepted for CSV) reads XML too: libxml2 knows it as UTF-8 (it was refused as
    "unknown encoding utf-8-sig", blaming the input)."""
    path, mapping = export(tmp_path, "xml", [item.record for item in fakes(5)])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    text = mapping.read_text(encoding="utf-8")
    mapping.write_text(text.replace('format = "xml"\n', 'format = "xml"\nencoding = "utf-8-sig"\n'), encoding="utf-8")
    result = convert(runner, path, "--mapping", mapping, "--dry-run")
    assert result.exit_code == 0, result.output
    assert accounting(result.stderr) == (5, 5, 0)


def test_a_column_the_mapping_names_must_be_in_the_export(runner: CliRunner, tmp_path: Path) -> None:
    path, mapping = export(tmp_path, "csv", [item.record for item in fakes(3)])
    mapping.write_text(mapping.read_text(encoding="utf-8").replace('source = "CF_WSH"', 'source = "文书号"'),
                       encoding="utf-8")
    result = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "batch", *DEPARTMENT)
    assert result.exit_code == 2, result.output
    assert "文书号" in result.stderr and str(mapping) in result.stderr
    assert not (tmp_path / "batch").exists() and not (tmp_path / "batch.rejects.jsonl").exists()


def test_an_unknown_mapping_name_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    path, _ = export(tmp_path, "csv", [item.record for item in fakes(3)])
    result = convert(runner, path, "--mapping", "no-such-mapping", "--dry-run")
    assert result.exit_code == 2 and "no-such-mapping" in result.stderr and result.stdout == ""


def test_an_input_is_never_an_output(runner: CliRunner, tmp_path: Path) -> None:
    path, mapping = export(tmp_path, "csv", [item.record for item in fakes(3)])
    before = path.read_bytes()
    as_rejects = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "batch", "--rejects", path,
                         *DEPARTMENT)
    assert as_rejects.exit_code == 2 and "--rejects" in as_rejects.stderr
    holding = convert(runner, path, "--mapping", mapping, "-o", tmp_path, "--force", *DEPARTMENT)
    assert holding.exit_code == 2 and "must not hold the input file" in holding.stderr
    as_report = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "batch", "--report", mapping,
                        *DEPARTMENT)
    assert as_report.exit_code == 2 and "--report" in as_report.stderr
    assert path.read_bytes() == before and not (tmp_path / "batch").exists()


def test_no_output_replaces_another_or_a_file_of_the_batch(runner: CliRunner, tmp_path: Path) -> None:
    path, mapping = export(tmp_path, "csv", [item.record for item in fakes(3, error_rate=0.5)])
    batch = tmp_path / "batch"
    assert convert(runner, path, "--mapping", mapping, "-o", batch, *DEPARTMENT).exit_code in (0, 1)
    before = {file.name: file.read_bytes() for file in batch.iterdir()}
    default_rejects = tmp_path / "batch.rejects.jsonl"
    cases = [("--rejects", batch / "records.jsonl"), ("--report", batch / "manifest.json"),
             ("--report", default_rejects), ("--rejects", batch), ("--report", batch / "report.txt")]
    for option, target in cases:
        result = convert(runner, path, "--mapping", mapping, "-o", batch, "--force", option, target, *DEPARTMENT)
        assert result.exit_code == 2, (option, target, result.output)
        assert option in result.stderr
    same = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "other", "--rejects", tmp_path / "r.jsonl",
                   "--report", tmp_path / "r.jsonl", *DEPARTMENT)
    assert same.exit_code == 2 and "name the same file" in same.stderr
    assert {file.name: file.read_bytes() for file in batch.iterdir()} == before
    assert not (tmp_path / "other").exists() and not (tmp_path / "r.jsonl").exists()


PERSON_ID = "110105194912310021"


def test_no_name_or_id_number_is_shown_from_a_header_row_or_an_element_name(runner: CliRunner, tmp_path: Path) -> None:
    path, mapping = export(tmp_path, "csv", [item.record for item in fakes(3)])
    rows = path.read_text(encoding="utf-8").splitlines()
    headless = tmp_path / "headless.csv"  # the header row left out: the first record is read as the header
    headless.write_text("\n".join(["赵建华," + PERSON_ID + "," + rows[1], *rows[2:]]) + "\n", encoding="utf-8")
    missing = convert(runner, headless, "--mapping", mapping, "--dry-run")
    assert missing.exit_code == 2 and "mapping.column" not in missing.stdout
    assert "CF_XDR_MC" in missing.stderr and "赵建华" not in missing.stderr and not full_id_numbers(missing.stderr)
    # a header holding an ID number, read by the mapping, named in the reasons of a broken row
    header = f"决定日期{PERSON_ID}"
    cells = next(csv.reader([rows[1]]))
    cells[next(csv.reader([rows[0]])).index("CF_JDRQ")] = "2024-13-45"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    path.write_text("\n".join([rows[0].replace("CF_JDRQ", header), out.getvalue().rstrip("\n"), *rows[2:]]) + "\n",
                    encoding="utf-8")
    mapping.write_text(mapping.read_text(encoding="utf-8").replace('"CF_JDRQ"', f'"{header}"'), encoding="utf-8")
    for name in ("r.jsonl", "r.csv"):
        result = convert(runner, path, "--mapping", mapping, "-o", tmp_path / name.replace(".", "-"), "--rejects",
                         tmp_path / name, *DEPARTMENT)
        assert result.exit_code == 1, result.output
        written = (tmp_path / name).read_text(encoding="utf-8-sig")
        assert "决定日期" in written and not full_id_numbers(written), written
        assert not full_id_numbers(result.output)
    # an element name in the record path holding an ID number
    xml, xml_mapping = export(tmp_path, "xml", [item.record for item in fakes(3, error_rate=1.0)], name="x")
    element = f"P{PERSON_ID}"
    xml.write_text(xml.read_text(encoding="utf-8").replace("Record>", f"{element}>"), encoding="utf-8")
    xml_mapping.write_text(xml_mapping.read_text(encoding="utf-8").replace("/Records/Record", f"/Records/{element}"),
                           encoding="utf-8")
    result = convert(runner, xml, "--mapping", xml_mapping, "-o", tmp_path / "xb", *DEPARTMENT)
    assert result.exit_code == 1, result.output
    written = (tmp_path / "xb.rejects.jsonl").read_text(encoding="utf-8")
    assert "record_path" in written and not full_id_numbers(written)


def test_a_missing_input_or_department_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    _, mapping = export(tmp_path, "csv", [item.record for item in fakes(3)])
    missing = convert(runner, tmp_path / "missing.csv", "--mapping", mapping, "-o", tmp_path / "b", *DEPARTMENT)
    assert missing.exit_code == 2 and "missing.csv" in missing.stderr
    no_department = convert(runner, tmp_path / "export.csv", "--mapping", mapping, "-o", tmp_path / "b")
    assert no_department.exit_code == 2 and "--department" in no_department.stderr
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("document", [
    '<?xml version="1.0"?>\n<!DOCTYPE Records [\n<!ENTITY a "lol">\n'
    + "\n".join(f'<!ENTITY {chr(98 + level)} "{("&" + chr(97 + level) + ";") * 10}">' for level in range(8))
    + "\n]>\n<Records><Record><CF_WSH>&i;</CF_WSH></Record></Records>\n",
    '<?xml version="1.0"?>\n<!DOCTYPE Records [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    "<Records><Record><CF_WSH>&xxe;</CF_WSH></Record></Records>\n",
], ids=["billion-laughs", "external-entity"])
def test_xml_attacks_exit_2_with_a_clear_message(runner: CliRunner, tmp_path: Path, document: str) -> None:
    _, mapping = export(tmp_path, "xml", [item.record for item in fakes(1)])
    path = tmp_path / "attack.xml"
    path.write_text(document, encoding="utf-8")
    result = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "batch", *DEPARTMENT)
    assert result.exit_code == 2
    assert "attack.xml" in result.stderr and "DOCTYPE" in result.stderr and "refused" in result.stderr
    assert "Traceback" not in result.stderr and "lollol" not in result.output
    assert not (tmp_path / "batch").exists() and not (tmp_path / "batch.rejects.jsonl").exists()


# ------------------------------------------------------------------------------------------------ the outputs


def test_a_dry_run_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    path, mapping = export(tmp_path, "csv", [item.record for item in fakes(40, seed=4, error_rate=0.3)])
    before = sorted(tmp_path.iterdir())
    result = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "batch", "--dry-run", *DEPARTMENT)
    assert result.exit_code == 1, result.output
    rows_in, records_out, rejected = accounting(result.stderr)
    assert rows_in == 40 == records_out + rejected and rejected > 0
    assert "dry run: nothing written" in result.stderr
    assert f"40 rows read = {records_out} valid + {rejected} rejected" in result.stdout
    assert sorted(tmp_path.iterdir()) == before
    bare = convert(runner, path, "--mapping", mapping, "--dry-run")  # no folder nor department needed
    assert bare.exit_code == 1 and accounting(bare.stderr) == (rows_in, records_out, rejected)


def test_a_dry_run_refuses_the_rows_a_real_run_refuses(runner: CliRunner, tmp_path: Path) -> None:
    """The same lines are made and the same ids counted: repeated records and broken ones are refused alike,
    and the report is the same, record for record."""
    records = [item.record for item in fakes(40, seed=4, error_rate=0.3)]
    path, mapping = export(tmp_path, "csv", records + records[:6])  # the repeats have the same record ids
    real = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "batch", *DEPARTMENT, "--format", "json")
    dry = convert(runner, path, "--mapping", mapping, "--dry-run", "--on", ON.isoformat(), "--format", "json")
    assert real.exit_code == dry.exit_code == 1, real.output
    rows_in, records_out, rejected = accounting(real.stderr)
    assert accounting(dry.stderr) == (rows_in, records_out, rejected) and rows_in == 46
    duplicates = [entry for entry in rejects_of(tmp_path / "batch.rejects.jsonl")
                  if any(error["code"] == "exchange.duplicate_id" for error in entry["errors"])]
    assert len(duplicates) >= 1
    assert json.loads(dry.stdout) == json.loads(real.stdout)


def test_a_disk_full_while_writing_behind_the_checks_leaves_nothing(runner: CliRunner, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The lines are written in the thread behind the checks: a full disk there stops the run in the command's
    thread, with the documented exit code and a message naming the file that could not be written (the
    batch's records, not the rejects file open around it), and the batch folder it made is gone."""
    path, mapping = export(tmp_path, "csv", [item.record for item in fakes(30, seed=8)])
    entered = BatchWriter.__enter__

    class Full:
        def __init__(self, stream: Any) -> None:
            self.stream = stream

        def write(self, data: Any) -> int:
            raise OSError(28, "No space left on device")

        def __getattr__(self, name: str) -> Any:
            return getattr(self.stream, name)

    def enter(self: BatchWriter) -> BatchWriter:
        writer = entered(self)
        self._stream = Full(self._stream)  # type: ignore[assignment]
        return writer

    monkeypatch.setattr(BatchWriter, "__enter__", enter)
    result = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "batch", *DEPARTMENT)
    assert result.exit_code == 2, result.output
    assert "No space left on device" in result.stderr and "Traceback" not in result.stderr
    assert "records.jsonl" in result.stderr and "rejects" not in result.stderr
    assert not (tmp_path / "batch").exists() and not (tmp_path / "batch.rejects.jsonl").exists()


def _natural_person_with_a_bad_id() -> tuple[dict[str, Any], str]:
    """A record of a natural person whose ID number has a wrong check character, and that number."""
    for item in fakes(200, seed=11):
        record = item.record
        if record.get("subject_category") == "自然人" and ric.is_valid(record.get("id_number", "")):
            number = record["id_number"]
            wrong = number[:17] + ("0" if number[17] != "0" else "1")
            return {**record, "id_number": wrong}, wrong
    raise AssertionError("no natural person among the fakes")


@pytest.mark.parametrize("rejects_name", ["rejects.jsonl", "rejects.csv"])
def test_personal_values_are_masked_unless_show_pii(runner: CliRunner, tmp_path: Path, rejects_name: str) -> None:
    record, wrong = _natural_person_with_a_bad_id()
    path, mapping = export(tmp_path, "csv", [record, *(item.record for item in fakes(5, seed=2))])
    rejects = tmp_path / rejects_name
    result = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "batch", "--rejects", rejects,
                     *DEPARTMENT)
    assert result.exit_code == 1, result.output
    text = rejects.read_text(encoding="utf-8-sig")
    assert wrong not in text and wrong not in result.output and ric.mask(wrong) in text
    assert stat.S_IMODE(os.stat(rejects).st_mode) == 0o600
    shown_rejects = tmp_path / rejects_name.replace("rejects", "shown")
    shown = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "shown", "--rejects", shown_rejects,
                    "--show-pii", *DEPARTMENT)
    assert shown.exit_code == 1
    assert wrong in shown_rejects.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("rejects_name", ["rejects.jsonl", "rejects.csv"])
def test_an_id_number_in_the_input_file_name_is_masked(runner: CliRunner, tmp_path: Path, rejects_name: str) -> None:
    person = "11010519491231002X"
    record, _ = _natural_person_with_a_bad_id()
    path, mapping = export(tmp_path, "csv", [record, *(item.record for item in fakes(3, seed=2))],
                           name=f"张三_{person}")
    rejects, report = tmp_path / rejects_name, tmp_path / "report.json"
    result = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "batch", "--rejects", rejects,
                     "--report", report, "--format", "json", *DEPARTMENT)
    assert result.exit_code == 1, result.output
    for text in (rejects.read_text(encoding="utf-8-sig"), report.read_text(encoding="utf-8"), result.output):
        assert person not in text and full_id_numbers(text) == []
    assert "110105********002X" in rejects.read_text(encoding="utf-8-sig")


def test_inputs_of_the_same_name_are_told_apart_in_the_rejects_and_the_annotations(runner: CliRunner,
                                                                                     tmp_path: Path) -> None:
    """Two departments' exports named alike: each reject names its input as given, and so does each GitHub
    annotation (a path CI can open), not the bare file name both share."""
    records = [item.record for item in fakes(6)]
    inputs = []
    for department, own in (("市场监管", records[:3]), ("生态环境", records[3:])):
        folder = tmp_path / department
        folder.mkdir()
        path, mapping = export(folder, "csv", [{**own[0], "decision_date": "2024-13-01"}, *own[1:]])
        inputs.append(path)
    result = convert(runner, *inputs, "--mapping", mapping, "-o", tmp_path / "batch", *DEPARTMENT,
                     "--format", "github")
    assert result.exit_code == 1, result.output
    assert [entry["file"] for entry in rejects_of(tmp_path / "batch.rejects.jsonl")] == [str(path) for path in inputs]
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert annotations and all(f"file={inputs[0]}," in line for line in annotations[:1])


def test_a_name_in_a_field_that_holds_none_is_masked_in_the_rejects_and_the_report_unless_asked(
        runner: CliRunner, tmp_path: Path) -> None:
    """A person's name typed into a date and an amount (which the mapping cannot convert) was shown in full in
    the report's examples and the rejects; a legal representative's name that fails was masked even with
    --show-pii."""
    records = [item.record for item in fakes(4)]
    records[1] = {**records[1], "decision_date": "李大山"}
    records[2] = {**records[2], "fine_amount": "王小明"}
    path, mapping = export(tmp_path, "csv", records)
    for shown in (False, True):
        batch = tmp_path / f"batch-{shown}"
        result = convert(runner, path, "--mapping", mapping, "-o", batch, *DEPARTMENT, "--format", "json",
                         *(["--show-pii"] if shown else []))
        assert result.exit_code == 1, result.output
        values = {error["value"] for entry in rejects_of(tmp_path / f"batch-{shown}.rejects.jsonl")
                  for error in entry["errors"]}
        examples = {example["value"] for code in json.loads(result.stdout)["codes"] for example in code["examples"]}
        expected = {"李大山", "王小明"} if shown else {"李**", "王**"}
        assert expected <= values and expected <= examples, (values, examples)


def test_the_csv_rejects_open_safely_in_excel(runner: CliRunner, tmp_path: Path) -> None:
    records = [item.record for item in fakes(4)]
    records[1] = {**records[1], "decision_date": "=HYPERLINK(\"http://x\")"}
    path, mapping = export(tmp_path, "csv", records)
    rejects = tmp_path / "rejects.csv"
    result = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "batch", "--rejects", rejects,
                     *DEPARTMENT)
    assert result.exit_code == 1, result.output
    raw = rejects.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(row["file"], row["line"], row["record"], row["field"], row["field_code"], row["source"])
            for row in rows] == [(str(path), "3", "2", "decision_date", "CF_JDRQ", "CF_JDRQ")]
    assert rows[0]["value"].startswith("'=") and rows[0]["message_en"]


def test_the_report_goes_where_asked_in_the_format_asked(runner: CliRunner, tmp_path: Path) -> None:
    path, mapping = export(tmp_path, "csv", [item.record for item in fakes(20, seed=6, error_rate=0.3)])
    report = tmp_path / "report.json"
    result = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "batch", "--format", "json",
                     "--report", report, *DEPARTMENT)
    assert result.exit_code == 1 and result.stdout == ""
    data = json.loads(report.read_text(encoding="utf-8"))
    rows_in, records_out, rejected = accounting(result.stderr)
    totals = data["totals"]["rows"]
    assert (totals["read"], totals["valid"], totals["rejected"]) == (rows_in, records_out, rejected)
    assert CLASS in json.dumps(data.get("class", data), ensure_ascii=False)
    assert "\r" not in result.stderr  # no progress line when not on a terminal


# ------------------------------------------------------------------------------------------------ the manifest


def test_the_writer_states_the_accounting_and_verify_checks_it(tmp_path: Path) -> None:
    records = [item.record for item in fakes(3)]
    folder = tmp_path / "batch"
    created = datetime(2026, 11, 30, tzinfo=timezone.utc)
    with BatchWriter(folder, CLASS, department="某市市场监督管理局", department_uscc="11350100MAD18YGF27", on=ON,
                     created=created) as writer:
        for record in records:
            writer.add(record)
        with pytest.raises(ValueError, match="does not add up"):
            writer.account(rows_in=5, rejected=1)
        writer.account(rows_in=5, rejected=2)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["accounting"] == {"rows_in": 5, "records_out": 3, "rejected": 2}
    assert manifest["created"] == "2026-11-30T00:00:00+00:00"
    assert verify_batch(folder).ok
    manifest["accounting"] = {"rows_in": 6, "records_out": 4, "rejected": 2}
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert [problem.code for problem in verify_batch(folder).problems] == ["exchange.accounting"]
    del manifest["accounting"]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert verify_batch(folder).ok  # the member is optional
    manifest["accounting"] = {"rows_in": 5, "records_out": 3}
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert [problem.code for problem in verify_batch(folder).problems] == ["exchange.manifest"]
    with pytest.raises(ValueError, match="aware"):
        BatchWriter(folder, CLASS, department="某市市场监督管理局", department_uscc="11350100MAD18YGF27",
                    created=datetime(2026, 11, 30))


def test_progress_goes_to_a_terminal_only_and_never_into_the_outputs(tmp_path: Path) -> None:
    """On a pseudo-terminal with --progress the progress line is drawn on stderr; the report and the batch are
    the same as without it; piped, stderr holds the summary only."""
    import pty
    import subprocess
    import sys

    path, mapping = export(tmp_path, "csv", [item.record for item in fakes(300, seed=8, error_rate=0.1)])
    command = [sys.executable, "-c", "from creditstd.cli import main; main()", "convert", str(path), "--mapping",
               str(mapping), "--format", "json", *DEPARTMENT]
    piped = subprocess.run([*command, "-o", str(tmp_path / "piped")], capture_output=True, check=False)
    assert piped.returncode == 1 and b"\r" not in piped.stderr and piped.stderr.count(b"\n") == 1
    primary, secondary = pty.openpty()
    environment = {key: value for key, value in os.environ.items() if key not in ("CI", "GITHUB_ACTIONS")}
    shown = subprocess.run([*command, "-o", str(tmp_path / "shown"), "--progress"], stdout=subprocess.PIPE,
                           stderr=secondary, check=False, env={**environment, "TERM": "xterm"})
    os.close(secondary)
    drawn = b""
    while True:
        try:
            part = os.read(primary, 65536)
        except OSError:
            break
        if not part:
            break
        drawn += part
    os.close(primary)
    assert shown.returncode == 1 and b"\r" not in shown.stdout
    assert json.loads(shown.stdout)["totals"] == json.loads(piped.stdout)["totals"]
    assert b"Traceback" not in drawn and b"rows in" in drawn
    assert (tmp_path / "shown" / "records.jsonl").read_bytes() == (tmp_path / "piped" / "records.jsonl").read_bytes()


EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "exports" / "builtin"


@pytest.mark.parametrize("name", sorted(path.name.rsplit(".", 1)[0] for path in EXAMPLES.glob("*.*")
                                        if not path.name.endswith(".txt")))
def test_each_built_in_mapping_converts_its_example_by_name(runner: CliRunner, tmp_path: Path, name: str) -> None:
    """``--mapping NAME`` takes a built-in mapping; its example export's deliberately broken records are the
    rejects, and the rest a batch that verifies."""
    [example] = [path for path in EXAMPLES.glob(f"{name}.*") if not path.name.endswith(".txt")]
    broken = {int(line.split("\t")[0]) for line in (EXAMPLES / f"{example.name}.broken.txt")
              .read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")}
    result = convert(runner, example, "--mapping", name, "-o", tmp_path / "batch", *DEPARTMENT)
    assert result.exit_code == (1 if broken else 0), result.output
    rows_in, records_out, rejected = accounting(result.stderr)
    assert {entry["record"] for entry in rejects_of(tmp_path / "batch.rejects.jsonl")} == broken
    assert rows_in == records_out + rejected and rejected == len(broken)
    assert verify_batch(tmp_path / "batch").ok


def test_stdin_is_read_as_an_input(runner: CliRunner, tmp_path: Path) -> None:
    path, mapping = export(tmp_path, "csv", [item.record for item in fakes(25, seed=7, error_rate=0.2)])
    from_file = convert(runner, path, "--mapping", mapping, "-o", tmp_path / "file", *DEPARTMENT)
    from_stdin = runner.invoke(main, ["convert", "-", "--mapping", str(mapping), "-o", str(tmp_path / "stdin"),
                                      *DEPARTMENT], input=path.read_bytes())
    assert from_stdin.exit_code == from_file.exit_code == 1, from_stdin.output
    assert accounting(from_stdin.stderr) == accounting(from_file.stderr)
    assert (tmp_path / "stdin" / "records.jsonl").read_bytes() == (tmp_path / "file" / "records.jsonl").read_bytes()
    assert all(entry["file"] == "<stdin>" for entry in rejects_of(tmp_path / "stdin.rejects.jsonl"))


def test_the_summary_masks_an_id_number_in_the_output_paths(runner: CliRunner, tmp_path: Path) -> None:
    path, mapping = export(tmp_path, "csv", [item.record for item in fakes(30, seed=9, error_rate=0.3)])
    folder = tmp_path / PERSON_ID
    result = convert(runner, path, "--mapping", mapping, "-o", folder / "batch", *DEPARTMENT)
    assert result.exit_code == 1 and "batch.rejects.jsonl" in result.stderr
    assert PERSON_ID not in result.output and "*********0021/batch.rejects.jsonl" in result.stderr
    shown = convert(runner, path, "--mapping", mapping, "-o", folder / "again", "--show-pii", *DEPARTMENT)
    assert PERSON_ID in shown.stderr
