"""`creditstd convert` commits its batch last: a run that fails while writing its rejects or its report leaves
no batch that verifies without the rejects its manifest counts (and an older batch, with ``--force``, as it was).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from creditstd.records.exchange import MANIFEST, RECORDS, verify_batch
from creditstd.records.export import write_csv
from creditstd.records.fake import fake_records

ON = "2026-11-30"
CLASS = "administrative_penalty"
DEPARTMENT = ["--department", "某市市场监督管理局", "--department-uscc", "11350100MAD18YGF27", "--on", ON]
FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full (Linux)")


def _export(folder: Path, seed: int = 11, count: int = 40) -> Path:
    """A penalty export of ``count`` records, some broken (so that the run has rejects)."""
    path = folder / f"export-{seed}.csv"
    items = fake_records(CLASS, count, seed=seed, error_rate=0.3, on=date.fromisoformat(ON))
    with open(path, "w", encoding="utf-8", newline="") as stream:
        write_csv([item.record for item in items], CLASS, stream)
    return path


def _convert(*args: str | os.PathLike[str], stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from creditstd.cli import main; main()", "convert",
                           *map(str, args)], stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=120, check=False)


@needs_dev_full
def test_a_report_that_cannot_be_written_leaves_no_batch_nor_rejects(tmp_path: Path) -> None:
    export = _export(tmp_path)
    folder = tmp_path / "batch"
    folder.mkdir()  # an empty folder given as output: the run did not make it, so it stays, empty
    result = _convert(export, "--mapping", "sgs-penalty-csv", "-o", folder, *DEPARTMENT, "--report", FULL)
    assert result.returncode == 2, result.stderr
    assert str(FULL) in result.stderr and "rejects" not in result.stderr  # the report is named, not the rejects
    assert "Traceback" not in result.stderr
    assert list(folder.iterdir()) == []
    assert not (tmp_path / "batch.rejects.jsonl").exists()


@needs_dev_full
def test_rejects_that_cannot_be_written_leave_no_batch(tmp_path: Path) -> None:
    export = _export(tmp_path)
    folder = tmp_path / "batch"
    result = _convert(export, "--mapping", "sgs-penalty-csv", "-o", folder, *DEPARTMENT, "--rejects", FULL)
    assert result.returncode == 2, result.stderr
    assert str(FULL) in result.stderr and "Traceback" not in result.stderr
    assert not folder.exists()


@needs_dev_full
def test_a_failed_rerun_with_force_leaves_the_older_batch_and_its_rejects_as_they_were(tmp_path: Path) -> None:
    export = _export(tmp_path)
    folder = tmp_path / "batch"
    first = _convert(export, "--mapping", "sgs-penalty-csv", "-o", folder, *DEPARTMENT)
    assert first.returncode == 1, first.stderr  # some rows rejected
    rejects = tmp_path / "batch.rejects.jsonl"
    before = {path.name: path.read_bytes() for path in (folder / MANIFEST, folder / RECORDS, rejects)}
    assert before["batch.rejects.jsonl"]
    other = _export(tmp_path, seed=12)  # another month's export: its batch and rejects would differ
    again = _convert(other, "--mapping", "sgs-penalty-csv", "-o", folder, *DEPARTMENT, "--force", "--report", FULL)
    assert again.returncode == 2, again.stderr
    assert {path.name: path.read_bytes() for path in (folder / MANIFEST, folder / RECORDS, rejects)} == before
    assert verify_batch(folder).ok


def test_a_reader_that_goes_away_leaves_no_batch_nor_rejects(tmp_path: Path) -> None:
    """The report goes to standard output, whose reader has stopped: exit 141, nothing left behind."""
    export = _export(tmp_path)
    folder = tmp_path / "batch"
    folder.mkdir()
    read, write = os.pipe()
    os.close(read)  # nobody will read the report
    try:
        result = _convert(export, "--mapping", "sgs-penalty-csv", "-o", folder, *DEPARTMENT, stdout=write)
    finally:
        os.close(write)
    assert result.returncode == 141, result.stderr
    assert "rejects" not in result.stderr and "Traceback" not in result.stderr
    assert list(folder.iterdir()) == []
    assert not (tmp_path / "batch.rejects.jsonl").exists()


def test_a_reader_gone_under_force_leaves_the_older_batch_with_its_rejects(tmp_path: Path) -> None:
    export = _export(tmp_path)
    folder = tmp_path / "batch"
    assert _convert(export, "--mapping", "sgs-penalty-csv", "-o", folder, *DEPARTMENT).returncode == 1
    rejects = tmp_path / "batch.rejects.jsonl"
    before = {path.name: path.read_bytes() for path in (folder / MANIFEST, folder / RECORDS, rejects)}
    read, write = os.pipe()
    os.close(read)
    try:
        # a report short enough to wait in the stream's buffer until it is closed (the reader's absence found
        # only then)
        again = _convert(_export(tmp_path, seed=12, count=3), "--mapping", "sgs-penalty-csv", "-o", folder,
                         *DEPARTMENT, "--force", "--max-errors", "0", "--lang", "en", stdout=write)
    finally:
        os.close(write)
    assert again.returncode == 141, again.stderr
    assert {path.name: path.read_bytes() for path in (folder / MANIFEST, folder / RECORDS, rejects)} == before


def test_a_batch_that_cannot_be_committed_leaves_no_report_nor_rejects(tmp_path: Path) -> None:
    export = _export(tmp_path)
    folder = tmp_path / "batch"
    (folder / MANIFEST).mkdir(parents=True)  # the manifest cannot be renamed into place
    report = tmp_path / "report.txt"
    result = _convert(export, "--mapping", "sgs-penalty-csv", "-o", folder, *DEPARTMENT, "--force",
                      "--report", report)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert not report.exists() and not (tmp_path / "batch.rejects.jsonl").exists()
    assert not (folder / RECORDS).exists()


def test_a_run_in_which_no_record_survives_keeps_its_report_and_rejects(tmp_path: Path) -> None:
    """No batch is written when every row is rejected, but the report and the rejects say why."""
    path = tmp_path / "broken.csv"
    records = [{**item.record, "decision_number": ""}  # a required field left empty in every row
               for item in fake_records(CLASS, 5, seed=4, on=date.fromisoformat(ON))]
    with open(path, "w", encoding="utf-8", newline="") as stream:
        write_csv(records, CLASS, stream)
    folder, report = tmp_path / "batch", tmp_path / "report.txt"
    result = _convert(path, "--mapping", "sgs-penalty-csv", "-o", folder, *DEPARTMENT, "--report", report)
    assert result.returncode == 1, result.stderr
    assert "no record could be converted" in result.stderr
    assert "5 rows read = 0 valid + 5 rejected" in report.read_text(encoding="utf-8")
    assert len((tmp_path / "batch.rejects.jsonl").read_text(encoding="utf-8").splitlines()) == 5
    assert not folder.exists()
