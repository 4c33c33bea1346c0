"""The commands under hostile or careless use: never a leak, never a loss, never a traceback (issue 10).

Each test is named after what it protects.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from leaks import full_id_numbers
from standard_examples import AUTHORITY_USCC, penalty_record

from creditstd.cli import _io, main

ID = "11010519491231002X"
#: Shapes in which an ID number reached the screen in full before (issue 10, case 1).
LEAK_SHAPES = [
    f"ID:{ID}", f"张三 {ID}", f"身份证号：{ID}", f"a,b,{ID},c", f"{ID} # note", f"{ID}A", f"A{ID}",
    "110105 19491231 002X", f"{ID}{ID}", f"ＩＤ：{ID}", "姓名：李四；身份证：110105491231002；电话：13800138000",
]
MODES = [[], ["--strict"], ["--kind", "uscc"], ["--kind", "regno"], ["--kind", "orgcode"], ["--kind", "ric"]]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _pack(runner: CliRunner, source: Path, folder: Path, *extra: str):
    return runner.invoke(main, ["exchange", "pack", "administrative_penalty", str(source), "-o", str(folder),
                                "--department", "某市市场监督管理局", "--department-uscc", AUTHORITY_USCC, *extra])


@pytest.fixture
def records(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    lines = [json.dumps(penalty_record(decision_number=f"罚〔2024〕{i}号"), ensure_ascii=False) for i in range(3)]
    path.write_text("\n".join([*lines, "{broken"]) + "\n", encoding="utf-8")
    return path


# -- case 1: check echoes no ID number, whatever surrounds it -------------------------------------------------

@pytest.mark.parametrize("mode", MODES, ids=lambda mode: " ".join(mode) or "auto")
@pytest.mark.parametrize("output", ["text", "json", "jsonl"])
def test_check_never_prints_an_id_number_around_other_text(runner: CliRunner, mode: list[str], output: str) -> None:
    result = runner.invoke(main, ["check", "--format", output, *mode, *LEAK_SHAPES])
    assert result.exit_code in (0, 1)
    assert full_id_numbers(result.stdout + result.stderr) == []


def test_check_reveal_still_shows_what_was_asked_for(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "--reveal", f"ID:{ID}"])
    assert ID in result.stdout


def test_check_echo_of_a_long_line_is_bounded_and_masked(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "one-line.txt"
    path.write_text(f"{ID} " * 100_000 + "\n91350100M000100Y43\n", encoding="utf-8")  # 1.9 MB in one line
    result = runner.invoke(main, ["check", "--file", str(path)])
    assert result.exit_code == 1
    assert full_id_numbers(result.stdout) == [] and len(result.stdout) < 2000
    assert "line 1: " in result.stdout and "input.too_long" in result.stdout
    assert "line 2: 91350100M000100Y43" in result.stdout  # the next line is read as usual


def test_check_escapes_control_characters_and_surrogates(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "\x1b[2J\x00x", "a\udcffb"])
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout and "\x00" not in result.stdout and "\\u001b" in result.stdout


# -- case 4 (check and pack): encodings that are not text, or not what the file holds ---------------------

@pytest.mark.parametrize("encoding", ["base64", "rot13", "zlib_codec", "hex", "bz2_codec", "no-such-codec",
                                      "undefined"])
def test_non_text_encoding_is_a_usage_error(runner: CliRunner, tmp_path: Path, records: Path,
                                            encoding: str) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{ID}\n", encoding="utf-8")
    for args in (["check", "--file", str(ids)], ["exchange", "pack", "administrative_penalty", str(records), "-o",
                                                 str(tmp_path / "batch"), "--department", "x", "--department-uscc",
                                                 AUTHORITY_USCC]):
        result = runner.invoke(main, [*args, "--encoding", encoding])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output and encoding in result.stderr
    assert not (tmp_path / "batch").exists()


def test_utf16_without_bom_never_crashes(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "ids.txt"
    path.write_bytes(f"{ID}\n91350100M000100Y43\n".encode("utf-16-le"))
    result = runner.invoke(main, ["check", "--file", str(path), "--encoding", "utf-16"])
    assert result.exit_code in (1, 2) and (result.exception is None or isinstance(result.exception, SystemExit))
    assert full_id_numbers(result.output) == []


def test_utf16_file_with_bom_is_read_whatever_encoding_is_given(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "excel-unicode-text.txt"  # what Excel writes as "Unicode text"
    path.write_bytes("\ufeff91350100M000100Y43\r\n19220382-1\r\n".encode("utf-16-le"))
    result = runner.invoke(main, ["check", "--file", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 checked, 2 valid" in result.stderr


def test_gbk_file_read_as_utf8_names_the_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("91350100M000100Y43\n\n# 统一社会信用代码\n".encode("gbk"))
    result = runner.invoke(main, ["check", "--file", str(path)])
    assert result.exit_code == 2 and "line 3" in result.stderr


def test_read_error_mid_file_exits_2_naming_the_line(monkeypatch: pytest.MonkeyPatch) -> None:
    class FailingDisk(io.BytesIO):
        def readline(self, size: int | None = -1) -> bytes:
            if self.tell() > 10:  # the second line is on a bad sector
                raise OSError(5, "Input/output error")
            return super().readline(size)

    monkeypatch.setattr(_io, "open_input", lambda path: FailingDisk(b"91350100M000100Y43\n19220382-1\nx\n"))
    result = CliRunner().invoke(main, ["check", "--file", "disk.txt"])
    assert result.exit_code == 2
    assert "line 2" in result.stderr and "Input/output error" in result.stderr


# -- case 8: reports stream ---------------------------------------------------------------------------------

@pytest.mark.parametrize("quiet", [[], ["-q"]])
def test_check_json_report_is_one_valid_document_streamed(runner: CliRunner, tmp_path: Path,
                                                          quiet: list[str]) -> None:
    path = tmp_path / "ids.txt"
    path.write_text("91350100M000100Y43\nbad\n19220382-1\nworse\n", encoding="utf-8")
    result = runner.invoke(main, ["check", "--format", "json", *quiet, "--file", str(path)])
    report = json.loads(result.stdout)
    assert report["summary"] == {"checked": 4, "valid": 2, "invalid": 2}
    assert [item["line"] for item in report["results"]] == ([2, 4] if quiet else [1, 2, 3, 4])


def test_check_json_report_of_nothing_is_valid_json(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("# nothing\n", encoding="utf-8")
    result = runner.invoke(main, ["check", "--format", "json", "--file", str(path)])
    assert json.loads(result.stdout) == {"results": [], "summary": {"checked": 0, "valid": 0, "invalid": 0}}


# -- case 3 and 10: pack never loses or overwrites input, and writes only where it should ----------------------

def test_pack_refuses_its_input_as_rejects_file(runner: CliRunner, tmp_path: Path, records: Path) -> None:
    before = records.read_bytes()
    for spelling in (records, Path(os.path.relpath(records)), tmp_path / "." / records.name):
        result = _pack(runner, records, tmp_path / "batch", "--rejects", str(spelling))
        assert result.exit_code == 2 and "--rejects" in result.stderr
    link = tmp_path / "link.jsonl"
    link.symlink_to(records)
    assert _pack(runner, records, tmp_path / "batch", "--rejects", str(link)).exit_code == 2
    assert records.read_bytes() == before and not (tmp_path / "batch").exists()


def test_pack_refuses_an_output_folder_holding_its_input(runner: CliRunner, tmp_path: Path, records: Path) -> None:
    before = records.read_bytes()
    result = _pack(runner, records, tmp_path, "--force")
    assert result.exit_code == 2 and records.read_bytes() == before


def test_pack_output_must_be_new_or_empty_unless_forced(runner: CliRunner, tmp_path: Path, records: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    result = _pack(runner, records, folder)
    assert result.exit_code == 2 and "--force" in result.stderr and not (folder / "manifest.json").exists()
    assert _pack(runner, records, folder, "--force").exit_code == 1  # one broken line
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine" and (folder / "manifest.json").exists()


def test_pack_never_writes_into_root_or_over_a_file(runner: CliRunner, tmp_path: Path, records: Path) -> None:
    assert _pack(runner, records, Path("/")).exit_code == 2
    assert not Path("/manifest.json").exists()
    a_file = tmp_path / "a-file"
    a_file.write_text("keep", encoding="utf-8")
    assert _pack(runner, records, a_file).exit_code == 2
    assert _pack(runner, records, a_file / "batch").exit_code == 2  # parent cannot be created
    assert a_file.read_text(encoding="utf-8") == "keep"


def test_pack_with_missing_input_creates_nothing(runner: CliRunner, tmp_path: Path) -> None:
    result = _pack(runner, tmp_path / "missing.jsonl", tmp_path / "batch")
    assert result.exit_code == 2 and "missing.jsonl" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_pack_that_fails_half_way_leaves_no_folder(runner: CliRunner, tmp_path: Path, records: Path) -> None:
    records.write_bytes(records.read_bytes() + "第五行 not utf-8\n".encode("gbk"))
    result = _pack(runner, records, tmp_path / "batch")
    assert result.exit_code == 2 and "line 5" in result.stderr
    assert not (tmp_path / "batch").exists() and not (tmp_path / "batch.rejects.jsonl").exists()


def test_pack_outputs_are_private_whatever_the_umask(runner: CliRunner, tmp_path: Path, records: Path) -> None:
    previous = os.umask(0)
    try:
        assert _pack(runner, records, tmp_path / "batch").exit_code == 1
    finally:
        os.umask(previous)
    assert (tmp_path / "batch").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "batch.rejects.jsonl").stat().st_mode & 0o777 == 0o600


def test_pack_rejects_a_line_too_long_to_read(runner: CliRunner, tmp_path: Path, records: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from creditstd.cli import exchange

    monkeypatch.setattr(exchange, "MAX_LINE_BYTES", 200)
    huge = json.dumps(penalty_record(decision_number="罚〔2024〕99号", subject_name="王" * 300), ensure_ascii=False)
    records.write_text(records.read_text(encoding="utf-8") + huge + "\n", encoding="utf-8")
    result = _pack(runner, records, tmp_path / "batch")
    assert result.exit_code == 1
    rejects = [json.loads(line) for line in (tmp_path / "batch.rejects.jsonl").read_text("utf-8").splitlines()]
    assert {reject["errors"][0]["code"] for reject in rejects} >= {"exchange.line_too_long"}


def test_stale_temporaries_of_a_killed_run_are_removed(runner: CliRunner, tmp_path: Path, records: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    stale = folder / ".records.jsonl.999999999.abcd1234.tmp"
    stale.write_text(f'{{"id_number": "{ID}"}}\n', encoding="utf-8")
    assert _pack(runner, records, folder).exit_code == 1  # the folder counts as empty: only a dead run's leftovers
    assert not stale.exists() and (folder / "manifest.json").exists()


# -- signals, pipes and bugs: an orderly end, never a traceback --------------------------------------------------

def _creditstd(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from creditstd.cli import main; main()", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_pack_removes_its_temporaries_and_folder(tmp_path: Path, signum: int) -> None:
    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)
    folder = tmp_path / "batch"
    process = _creditstd("exchange", "pack", "administrative_penalty", str(fifo), "-o", str(folder),
                         "--department", "x", "--department-uscc", AUTHORITY_USCC)
    try:
        with open(fifo, "w", encoding="utf-8") as feed:
            feed.write(json.dumps(penalty_record(), ensure_ascii=False) + "\n")
            feed.flush()
            deadline = time.monotonic() + 30
            while not any(folder.glob(".records.jsonl.*.tmp")) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert any(folder.glob(".records.jsonl.*.tmp")), "pack never started writing"
            process.send_signal(signum)
            _, stderr = process.communicate(timeout=30)
    finally:  # a failed test leaves no process waiting on the FIFO
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 128 + signum
    assert b"Traceback" not in stderr
    assert sorted(tmp_path.iterdir()) == [fifo]


def test_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    path = tmp_path / "ids.txt"
    path.write_text("91350100M000100Y43\n" * 200_000, encoding="utf-8")
    process = _creditstd("check", "--file", str(path))
    assert process.stdout is not None
    process.stdout.read(100)
    process.stdout.close()
    process.wait(timeout=60)
    assert process.returncode == 141
    assert process.stderr is not None and b"Traceback" not in process.stderr.read()


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="needs /dev/stdout")
@pytest.mark.parametrize("arguments", [
    ["validate", "{csv}", "-o", "/dev/stdout", "--format", "json", "--max-errors", "100000"],
    ["validate", "{csv}", "--rejects", "/dev/stdout", "-o", "{report}"],
    ["fake", "administrative_penalty", "-n", "20000", "-o", "/dev/stdout"],
])
def test_a_closed_pipe_at_a_named_output_ends_quietly_too(tmp_path: Path, arguments: list[str]) -> None:
    """``-o /dev/stdout | head``: a pipe written through a file name whose reader goes away is 141 and no
    message, as standard output is (it was 'cannot write /dev/stdout: Broken pipe', exit 2)."""
    export = tmp_path / "penalties.csv"  # the example 50 times: reports and rejects far above a pipe's buffer
    header, *rows = (Path(__file__).parent.parent / "examples/exports/administrative_penalty.csv").read_bytes() \
        .splitlines(keepends=True)
    export.write_bytes(header + b"".join(rows) * 50)
    given = [item.format(csv=export, report=tmp_path / "report.txt") for item in arguments]
    process = _creditstd(*given)
    assert process.stdout is not None
    process.stdout.read(1)
    process.stdout.close()
    process.wait(timeout=60)
    assert process.stderr is not None
    message = process.stderr.read()
    assert process.returncode == 141, message
    assert b"Traceback" not in message and b"Broken pipe" not in message


def test_a_bug_exits_3_without_traceback_or_data(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    from creditstd.cli import check

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"unexpected {ID}")

    monkeypatch.setattr(check, "check", broken)
    monkeypatch.delenv("CREDITSTD_DEBUG", raising=False)
    result = runner.invoke(main, ["check", "91350100M000100Y43"])
    assert result.exit_code == 3
    assert "RuntimeError" in result.stderr and ID not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("value", "code"), [("NaN", "record.not_finite"), ("Infinity", "record.not_finite"),
                                             ("1e400", "record.not_finite"), ('"\\ud800"', "record.invalid_text"),
                                             ("1e-400", "record.inexact_number"),
                                             ("12345678901234567.89", "record.inexact_number"),
                                             ("12345678901234567", "record.inexact_number")])
def test_pack_rejects_values_json_cannot_carry(runner: CliRunner, tmp_path: Path, records: Path, value: str,
                                               code: str) -> None:
    line = json.dumps(penalty_record(decision_number="罚〔2024〕77号"), ensure_ascii=False)
    line = line[:-1] + f', "remarks_amount": {value}}}'
    records.write_text(records.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    result = _pack(runner, records, tmp_path / "batch")
    assert result.exit_code == 1 and "Traceback" not in result.output
    rejects = [json.loads(text) for text in (tmp_path / "batch.rejects.jsonl").read_text("utf-8").splitlines()]
    assert [reject["errors"][0]["code"] for reject in rejects if reject["line"] == 5] == [code]
    written = (tmp_path / "batch" / "records.jsonl").read_text(encoding="utf-8")
    assert "NaN" not in written and "Infinity" not in written
    assert runner.invoke(main, ["exchange", "verify", str(tmp_path / "batch")]).exit_code == 0


def test_an_os_error_is_an_input_error_not_a_bug(runner: CliRunner, tmp_path: Path, records: Path) -> None:
    result = _pack(runner, records, tmp_path / ("x" * 300))  # a file name longer than the file system allows
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "File name too long" in result.stderr



@pytest.mark.parametrize("command", ["check", "validate", "convert"])
def test_a_file_name_with_escape_sequences_cannot_drive_the_terminal(runner: CliRunner, tmp_path: Path,
                                                                     command: str) -> None:
    """A file named with terminal escapes (retitle, recolour) and an ID number: the error names it with the
    control characters escaped and the number masked (check's decoding error showed them raw on stderr)."""
    name = str(tmp_path / f"e\x1b]0;t\x07\x1b[31m{ID}")
    Path(name + ".txt").write_bytes(b"\xff\xfe\x00")
    args = {"check": ["check", "--file", name + ".txt"], "validate": ["validate", name + "*.csv"],
            "convert": ["convert", name + ".xml", "--mapping", "sgs-penalty-xml", "-o", str(tmp_path / "out"),
                        "--dry-run"]}
    result = runner.invoke(main, args[command])
    assert result.exit_code == 2, result.output
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "\\u001b" in result.stderr and full_id_numbers(result.stderr) == []


def test_pack_and_validate_agree_on_which_json_lines_are_blank(runner: CliRunner, tmp_path: Path) -> None:
    """Only JSON's own white space (space, tab, CR, LF) makes a line blank: pack skipped a line of U+3000 or a
    form feed unsaid, and packed an object followed by one, which validate rejects as no JSON."""
    source = tmp_path / "records.jsonl"
    source.write_bytes('{"a": 1}\n\u3000\n\x0c\n \t \r\n{"a": 2} \x0c\n'.encode())
    report = runner.invoke(main, ["validate", str(source), "--class", "administrative_penalty", "--format", "json"])
    assert json.loads(report.stdout)["totals"]["rows"] == {"read": 4, "valid": 0, "rejected": 4, "unreadable": 3}
    assert _pack(runner, source, tmp_path / "batch").exit_code == 1
    rejected = (tmp_path / "batch.rejects.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["line"] for line in rejected] == [1, 2, 3, 5]


@pytest.mark.parametrize(("arguments", "closed"), [
    (["fake", "administrative_penalty", "-n", "5"], 1), (["validate", "-", "--class", "administrative_penalty"], 1),
    (["check", "91350100M000100Y43"], 1), (["check", "--file", "-"], 0),
    (["validate", "-", "--class", "administrative_penalty"], 0)])
def test_a_closed_standard_stream_is_a_usage_error_not_an_internal_one(arguments: list[str], closed: int) -> None:
    """Started with ">&-" or "<&-": an internal error (AttributeError, exit 3), or for check its results lost
    with exit 0; now exit 2, saying which stream is closed."""
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "from creditstd.cli import main; main()", *arguments],
                          input=None if closed == 0 else b"CF_WSH\n1\n", stderr=subprocess.PIPE,
                          stdout=subprocess.PIPE if closed == 0 else None, preexec_fn=lambda: os.close(closed),
                          timeout=120, check=False)
    message = done.stderr.decode("utf-8")
    assert done.returncode == 2, message
    assert f"standard {'input' if closed == 0 else 'output'} is closed" in message and "Traceback" not in message
