"""The summary manifest over a run's parts: written, verified, and every kind of tampering found (no Spark).

Parts are made here with the :class:`BatchWriter` the Spark conversion uses, from fake penalty records; the
Spark path itself is tested in ``tests/test_spark_convert.py``.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from creditstd.cli import main
from creditstd.records import loader
from creditstd.records.exchange import BatchWriter
from creditstd.records.exchange_summary import SUMMARY, is_summary, part_entry, verify_summary, write_summary
from creditstd.records.fake import fake_records

CLASS = "administrative_penalty"
TODAY = date(2026, 12, 1)
CREATED = datetime(2026, 12, 1, tzinfo=timezone(timedelta(hours=8)))
SENDER = {"department": "某市市场监督管理局", "department_uscc": "11350100MAD18YGF27"}


def _write(folder: Path, records: list[dict[str, Any]], sizes: tuple[int, ...] = (4, 3, 5)) -> dict[str, Any]:
    """Parts of ``sizes`` records each (one rejected row counted per part), and the summary over them."""
    entries, at = [], 0
    for number, size in enumerate(sizes):
        name = f"part-{number:05d}"
        # one created time for every part, as the Spark conversion gives them (the time each part is completed
        # could fall in another second than the first's under load: a flaky test, not a tampered part)
        with BatchWriter(folder / name, CLASS, on=TODAY, validate=False, created=CREATED, **SENDER) as batch:
            for data in records[at : at + size]:
                batch.add(data)
            batch.account(rows_in=size + 1, rejected=1)
        at += size
        entries.append(part_entry(folder, name))
    return write_summary(folder, entries, unwritten={"parts": 1, "rows_in": 2, "rejected": 2})


@pytest.fixture
def run(tmp_path: Path) -> Path:
    records = [fake.record for fake in fake_records(CLASS, 12, seed=3, error_rate=0.0, on=TODAY)]
    folder = tmp_path / "run"
    folder.mkdir()
    _write(folder, records)
    return folder


def _codes(folder: Path) -> set[str]:
    return {problem.code for problem in verify_summary(folder, validate=False).problems}


def test_a_summary_verifies_and_follows_its_schema(run: Path) -> None:
    summary = json.loads((run / SUMMARY).read_text("utf-8"))
    Draft202012Validator(loader.meta_schema("exchange-summary.schema.json")).validate(summary)
    assert summary["totals"] == {"parts": 3, "rows_in": 17, "records_out": 12, "rejected": 5}
    assert [part["folder"] for part in summary["parts"]] == ["part-00000", "part-00001", "part-00002"]
    report = verify_summary(run)
    assert report.ok, [str(problem) for problem in report.problems]
    assert (report.count, report.parts) == (12, 3)
    assert is_summary(run) and is_summary(run / SUMMARY) and not is_summary(run / "part-00000")
    assert verify_summary(run / SUMMARY).ok


def test_a_changed_record_is_found_in_its_part(run: Path) -> None:
    records = run / "part-00001" / "records.jsonl"
    records.write_bytes(records.read_bytes().replace(b"\xe5", b"\xe6", 1))
    problems = verify_summary(run, validate=False).problems
    assert "exchange.sha256" in {problem.code for problem in problems}
    assert all(problem.location is not None and problem.location.file.startswith("part-00001/") for problem in problems)


def test_a_rewritten_part_manifest_is_found(run: Path) -> None:
    manifest = run / "part-00002" / "manifest.json"
    data = json.loads(manifest.read_text("utf-8"))
    data["source"]["department"] = "另一部门"
    manifest.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert "exchange.summary_part" in _codes(run)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda summary: summary["parts"][0].update(records=5), "exchange.summary_part"),
        (lambda summary: summary["parts"][1].update(sha256="0" * 64), "exchange.summary_part"),
        (lambda summary: summary["totals"].update(rejected=4), "exchange.accounting"),
        (lambda summary: summary["unwritten"].update(rows_in=3), "exchange.accounting"),
        (lambda summary: summary["parts"].pop(), "exchange.unlisted_part"),
        (lambda summary: summary["parts"][0].update(folder="../part-00000"), "exchange.manifest"),
        (lambda summary: summary["parts"].append(dict(summary["parts"][0])), "exchange.summary_part"),
        (lambda summary: summary.update(parts=[]), "exchange.manifest"),
    ],
)
def test_a_tampered_summary_fails(run: Path, change: Any, code: str) -> None:
    summary = json.loads((run / SUMMARY).read_text("utf-8"))
    change(summary)
    (run / SUMMARY).write_text(json.dumps(summary, ensure_ascii=False), "utf-8")
    assert code in _codes(run)


def test_a_missing_part_an_extra_folder_and_a_linked_part(run: Path, tmp_path: Path) -> None:
    shutil.copytree(run / "part-00000", run / "part-00007")
    assert _codes(run) == {"exchange.unlisted_part"}  # reported; what it holds is not read
    shutil.rmtree(run / "part-00007")
    moved = tmp_path / "elsewhere"
    (run / "part-00001").rename(moved)
    assert _codes(run) == {"exchange.summary_part"}
    (run / "part-00001").symlink_to(moved, target_is_directory=True)
    assert _codes(run) == {"exchange.summary_part"}


def test_a_record_in_two_parts_is_a_duplicate(tmp_path: Path) -> None:
    records = [fake.record for fake in fake_records(CLASS, 6, seed=4, error_rate=0.0, on=TODAY)]
    folder = tmp_path / "run"
    folder.mkdir()
    _write(folder, [*records[:3], records[1], *records[3:]], sizes=(3, 4))
    problems = verify_summary(folder, validate=False).problems
    assert [(problem.code, problem.location.file) for problem in problems if problem.location] == [
        ("exchange.duplicate_id", "part-00001/records.jsonl")
    ]


def test_an_unreadable_summary(tmp_path: Path) -> None:
    (tmp_path / SUMMARY).write_text("{not json", "utf-8")
    assert _codes(tmp_path) == {"exchange.manifest"}
    (tmp_path / SUMMARY).write_text("[]", "utf-8")
    assert _codes(tmp_path) == {"exchange.manifest"}


def test_the_command_line_verifies_a_summary_folder(run: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["exchange", "verify", str(run), "--format", "json"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert (result["ok"], result["records"], result["parts"]) == (True, 12, 3)
    records = run / "part-00000" / "records.jsonl"
    records.write_bytes(records.read_bytes()[:-10])
    done = runner.invoke(main, ["exchange", "verify", str(run)])
    assert done.exit_code == 1 and "part-00000/records.jsonl" in done.output
    (run / SUMMARY).write_text("{}", "utf-8")
    assert runner.invoke(main, ["exchange", "verify", str(run)]).exit_code == 2


def _with_duplicate(tmp_path: Path) -> Path:
    """Two parts, the second holding one record of the first again."""
    records = [fake.record for fake in fake_records(CLASS, 6, seed=4, error_rate=0.0, on=TODAY)]
    folder = tmp_path / "run"
    folder.mkdir()
    _write(folder, [*records[:3], records[1], *records[3:]], sizes=(3, 4))
    return folder


def test_a_part_refused_as_a_link_is_never_read(tmp_path: Path) -> None:
    """A part folder that is a symbolic link is refused, and nothing behind it is read: its records (here the
    first part's again) are not compared with the others'."""
    folder = tmp_path / "run"
    folder.mkdir()
    records = [fake.record for fake in fake_records(CLASS, 6, seed=5, error_rate=0.0, on=TODAY)]
    _write(folder, records, sizes=(3, 3))
    outside = tmp_path / "outside"
    shutil.copytree(folder / "part-00000", outside)
    shutil.rmtree(folder / "part-00001")
    (folder / "part-00001").symlink_to(outside, target_is_directory=True)
    assert _codes(folder) == {"exchange.summary_part"}


def test_a_record_in_two_parts_is_found_whatever_the_records_file_is_called(tmp_path: Path) -> None:
    folder = _with_duplicate(tmp_path)
    part = folder / "part-00001"
    (part / "records.jsonl").rename(part / "r.jsonl")
    manifest = json.loads((part / "manifest.json").read_text("utf-8"))
    manifest["records"]["file"] = "r.jsonl"
    (part / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    write_summary(folder, [part_entry(folder, "part-00000"), part_entry(folder, "part-00001")],
                  unwritten={"parts": 1, "rows_in": 2, "rejected": 2})
    problems = verify_summary(folder, validate=False).problems
    assert [(problem.code, problem.location.file) for problem in problems if problem.location] == [
        ("exchange.duplicate_id", "part-00001/r.jsonl")
    ]


def test_the_check_across_parts_never_holds_a_line_over_the_limit(tmp_path: Path) -> None:
    import tracemalloc

    from creditstd.records.exchange_summary import _record_ids
    from creditstd.records.jsonline import MAX_LINE_BYTES
    folder = _with_duplicate(tmp_path)
    records = folder / "part-00001" / "records.jsonl"
    with records.open("ab") as stream:
        stream.write(b'{"record_id": "' + b"x" * (6 * MAX_LINE_BYTES) + b'"}\n')
    tracemalloc.start()
    try:
        ids = _record_ids(folder, records)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(ids) == 4 and peak < 4 * MAX_LINE_BYTES  # read past in pieces, never whole (6 times the limit)
