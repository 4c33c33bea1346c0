"""``creditstd.cli.progress``: a progress line on a terminal, nothing at all anywhere else, never a failure.

Time is a fake clock the tests move by hand: no test sleeps, none asserts how long anything took.
"""

from __future__ import annotations

import contextlib
import io
import os
import select
import signal
import struct
import subprocess
import sys
import textwrap
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from leaks import full_id_numbers

from creditstd.cli.progress import (
    CI_VARIABLES,
    DELAY,
    INTERVAL,
    Progress,
    display_width,
    file_size,
    human_bytes,
    should_show,
    shown_name,
    total_size,
)

pty_only = pytest.mark.skipif(not hasattr(os, "openpty") or sys.platform == "win32", reason="needs a pseudo-terminal")

ID_NUMBER = "11010519491231002X"


class Clock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def terminal_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """An environment in which a terminal gets the line: no CI variable, a real TERM, no COLUMNS override."""
    for name in (*CI_VARIABLES, "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("CREDITSTD_LANG", "both")


class Terminal:
    """A pseudo-terminal: ``stream`` writes to its terminal side, :meth:`read` returns what a screen would get."""

    def __init__(self, columns: int = 80) -> None:
        self.master, slave = os.openpty()
        self.resize(columns, slave)
        self.stream = open(slave, "w", encoding="utf-8")  # closed by the fixture

    def resize(self, columns: int, fd: int | None = None) -> None:
        import fcntl
        import termios

        fcntl.ioctl(self.stream.fileno() if fd is None else fd, termios.TIOCSWINSZ,
                    struct.pack("HHHH", 24, columns, 0, 0))

    def read(self) -> str:
        data = b""
        while select.select([self.master], [], [], 0.05)[0]:
            try:
                chunk = os.read(self.master, 1 << 16)
            except OSError:  # the terminal side is closed (Linux: EIO)
                break
            if not chunk:
                break
            data += chunk
        return data.decode("utf-8")

    def close(self) -> None:
        for close in (self.stream.close, lambda: os.close(self.master)):
            with contextlib.suppress(OSError):
                close()


@pytest.fixture
def terminal(terminal_env: None) -> Iterator[Terminal]:
    if not hasattr(os, "openpty") or sys.platform == "win32":
        pytest.skip("needs a pseudo-terminal")
    screen = Terminal()
    yield screen
    screen.close()


def _frames(output: str) -> list[str]:
    """The lines drawn, in order (each starts with a carriage return), trailing padding removed."""
    return [frame.rstrip(" ") for frame in output.split("\r")[1:]]


def _width_of(text: str) -> int:
    """Columns by the standard's own table (W and F wide), independently of the module's own count."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


# -- on a terminal --------------------------------------------------------------------------------------------


def test_on_a_terminal_the_line_is_drawn_then_cleared(terminal: Terminal) -> None:
    terminal.resize(140)
    clock = Clock()
    with Progress(total_bytes=8 << 20, label="校验 validate", stream=terminal.stream, clock=clock) as progress:
        assert progress.active
        for step in range(1, 5):
            clock.now = float(step)
            progress.update(rows=25_000, bytes_done=step << 20, file="exports/penalties.csv")
        drawn = terminal.read()
    cleared = terminal.read()

    frames = _frames(drawn)
    assert len(frames) == 4
    assert frames[-1] == ("校验 validate  已读 read 100,000 行 rows  25,000 行/秒 rows/s  4.0 MB/8.0 MB 50%  "
                          "剩余 ETA 0:04  penalties.csv")
    assert "\n" not in drawn
    # the end: back to the start of the line, blanks over everything drawn, back again
    assert cleared.startswith("\r") and cleared.endswith("\r") and cleared.strip(" \r") == ""
    assert len(cleared) - 2 >= _width_of(frames[-1])


def test_the_line_fits_the_terminal_and_follows_a_resize(terminal: Terminal) -> None:
    clock = Clock()
    name = "/数据/二〇二四年第一季度行政处罚信息公示_市场监督管理局_最终版本.csv"
    with Progress(total_bytes=1 << 30, label="校验 validate", stream=terminal.stream, clock=clock) as progress:
        for step, columns in enumerate((120, 80, 60, 40, 30, 20, 12), 1):
            terminal.resize(columns)
            clock.now = float(step)
            progress.update(rows=123_456, bytes_done=step << 26, file=name)
            frame = _frames(terminal.read())[-1]
            assert frame, columns
            assert _width_of(frame) <= columns - 1, (columns, frame)
            assert display_width(frame) <= columns - 1


def test_a_shorter_line_blanks_out_the_rest_of_the_longer_one(terminal: Terminal) -> None:
    clock = Clock()
    with Progress(stream=terminal.stream, clock=clock, lang="en") as progress:
        clock.now = 1.0
        progress.update(rows=1, file="a-rather-long-name-for-a-file.csv")
        long = _frames(terminal.read())[-1]
        clock.now = 2.0
        progress.update(rows=1, file="b.csv")
        redrawn = terminal.read()
    assert redrawn.startswith("\r")
    assert len(redrawn) - 1 >= len(long)  # the new text and blanks cover every column of the old one


def test_nothing_is_drawn_in_the_first_moment_and_at_most_every_interval(terminal: Terminal) -> None:
    clock = Clock()
    with Progress(stream=terminal.stream, clock=clock) as progress:
        clock.now = DELAY / 2
        for _ in range(1000):
            progress.update(rows=1)
        assert terminal.read() == ""  # a quick command never shows the line
        clock.now = DELAY
        for _ in range(1000):
            progress.update(rows=1)
        assert len(_frames(terminal.read())) == 1
        clock.now = DELAY + INTERVAL / 2
        progress.update(rows=1)
        assert terminal.read() == ""
        clock.now = DELAY + INTERVAL
        progress.update(rows=1)
        assert _frames(terminal.read()) == ["已读 read 2,002 行 rows  3,203 行/秒 rows/s"]
        assert progress.rows == 2002


def test_a_quick_command_writes_nothing_even_on_a_terminal(terminal: Terminal) -> None:
    clock = Clock()
    with Progress(total_bytes=100, stream=terminal.stream, clock=clock) as progress:
        progress.update(rows=5, bytes_done=100)
    assert terminal.read() == ""


def test_ctrl_c_leaves_the_line_cleared(terminal: Terminal) -> None:
    clock = Clock()
    with pytest.raises(KeyboardInterrupt), Progress(stream=terminal.stream, clock=clock) as progress:
        clock.now = 1.0
        progress.update(rows=10)
        raise KeyboardInterrupt
    output = terminal.read()
    assert output.endswith("\r") and output.rsplit("\r", 2)[-2].strip() == ""


def test_clear_makes_room_for_a_message_and_the_line_comes_back(terminal: Terminal) -> None:
    clock = Clock()
    with Progress(stream=terminal.stream, clock=clock, lang="en") as progress:
        clock.now = 1.0
        progress.update(rows=10)
        progress.clear()
        terminal.stream.write("a warning\n")
        clock.now = 2.0
        progress.update(rows=10)
    output = terminal.read()
    assert "read 10 rows" in output.split("a warning")[0]
    assert "read 20 rows" in output.split("a warning")[1]
    assert output.split("a warning")[0].endswith("\r")


@pty_only
def test_a_real_sigint_leaves_the_line_cleared(terminal_env: None, tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent("""
        import sys
        from creditstd.cli.progress import Progress
        try:
            with Progress(stream=sys.stderr, delay=0, interval=0, lang="en") as progress:
                while True:
                    progress.update(rows=1)
        except KeyboardInterrupt:
            sys.exit(130)
    """), encoding="utf-8")
    master, slave = os.openpty()
    env = {key: value for key, value in os.environ.items() if key not in CI_VARIABLES}
    child = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=slave, env=env)
    os.close(slave)
    output = b""
    try:
        while b"rows" not in output:  # drawing: now interrupt it
            assert select.select([master], [], [], 60)[0], "the child drew nothing"
            output += os.read(master, 1 << 16)
        child.send_signal(signal.SIGINT)
        while select.select([master], [], [], 60)[0]:
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # the child exited: its side of the terminal is gone
                break
            if not chunk:
                break
            output += chunk
        assert child.wait(timeout=60) == 130
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)
    text = output.decode("utf-8")
    assert text.endswith("\r")
    assert text.rsplit("\r", 2)[-2].strip() == ""  # the last thing written: blanks over the line


# -- silent when nobody watches ---------------------------------------------------------------------------------


def _run(progress: Progress, clock: Clock) -> None:
    with progress:
        for step in range(1, 50):
            clock.now = float(step)
            progress.update(rows=1000, bytes_done=step * 1000, file=f"file-{ID_NUMBER}.csv")
        progress.clear()


def test_a_stream_that_is_not_a_terminal_gets_nothing(terminal_env: None) -> None:
    stream = io.StringIO()
    clock = Clock()
    progress = Progress(total_bytes=100_000, stream=stream, clock=clock)
    assert not progress.active
    _run(progress, clock)
    assert stream.getvalue() == ""
    assert progress.rows == 49_000 and progress.bytes_done == 49_000  # counted all the same


def test_a_pipe_gets_nothing(terminal_env: None) -> None:
    read_end, write_end = os.pipe()
    with open(write_end, "w", encoding="utf-8") as stream:
        clock = Clock()
        _run(Progress(stream=stream, clock=clock), clock)
    with open(read_end, "rb") as pipe:
        assert pipe.read() == b""


@pty_only
@pytest.mark.parametrize(("variable", "value"), [*((name, "true") for name in CI_VARIABLES), ("CI", "1"),
                                                 ("JENKINS_URL", "https://jenkins.example/"), ("TERM", "dumb")])
def test_ci_and_dumb_terminals_get_nothing(terminal: Terminal, monkeypatch: pytest.MonkeyPatch, variable: str,
                                           value: str) -> None:
    monkeypatch.setenv(variable, value)
    clock = Clock()
    progress = Progress(stream=terminal.stream, clock=clock)
    assert not progress.active
    _run(progress, clock)
    assert terminal.read() == ""


@pty_only
@pytest.mark.parametrize("value", ["", "0", "false", "False"])
def test_a_ci_variable_set_to_false_does_not_count(terminal: Terminal, monkeypatch: pytest.MonkeyPatch,
                                                   value: str) -> None:
    monkeypatch.setenv("CI", value)
    assert should_show(terminal.stream)


def test_no_color_does_not_matter(terminal: Terminal, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert Progress(stream=terminal.stream).active


def test_enabled_overrides_the_guess_both_ways(terminal: Terminal) -> None:
    clock = Clock()
    _run(Progress(stream=terminal.stream, clock=clock, enabled=False), clock)
    assert terminal.read() == ""

    stream = io.StringIO()
    clock = Clock()
    _run(Progress(stream=stream, clock=clock, enabled=True, lang="en"), clock)
    assert "read 49,000 rows" in stream.getvalue()
    assert stream.getvalue().endswith("\r")


def test_should_show_takes_an_environment() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert should_show(Tty(), {"TERM": "xterm"})
    assert not should_show(Tty(), {"TERM": "xterm", "GITLAB_CI": "true"})
    assert not should_show(Tty(), {"TERM": "dumb"})
    assert not should_show(None, {})


# -- the numbers ----------------------------------------------------------------------------------------------


def test_percentage_and_eta_from_an_injected_clock() -> None:
    clock = Clock()
    progress = Progress(total_bytes=1000, stream=io.StringIO(), enabled=True, clock=clock, lang="en")
    clock.now = 0.5
    progress.update(rows=100, bytes_done=100)
    assert progress.line(200) == "read 100 rows  200 rows/s  100 B/1000 B 10%"  # no ETA in the first second
    clock.now = 2.0
    progress.update(rows=400, bytes_done=250)
    assert progress.line(200) == "read 500 rows  250 rows/s  250 B/1000 B 25%  ETA 0:06"
    clock.now = 90.0
    progress.update(bytes_done=999)
    assert progress.line(200) == "read 500 rows  6 rows/s  999 B/1000 B 99%  ETA 0:00"  # never 100% too early
    clock.now = 100.0
    progress.update(bytes_done=1000)
    assert progress.line(200) == "read 500 rows  5 rows/s  1000 B/1000 B 100%"
    progress.update(bytes_done=5000)  # more than the total (it grew): never past 100%, no ETA
    assert progress.line(200).endswith("4.9 KB/1000 B 100%")


def test_long_etas_are_hours_then_unknown() -> None:
    clock = Clock()
    progress = Progress(total_bytes=1 << 40, stream=io.StringIO(), enabled=False, clock=clock, lang="en")
    clock.now = 3600.0
    progress.update(bytes_done=1 << 38)
    assert progress.line(200).endswith("256 GB/1.0 TB 25%  ETA 3:00:00")
    progress.update(bytes_done=1 << 20)
    assert progress.line(200).endswith("ETA --")


def test_an_unknown_total_shows_the_bytes_so_far_without_percentage_or_eta() -> None:
    clock = Clock()
    progress = Progress(total_bytes=None, stream=io.StringIO(), enabled=True, clock=clock, lang="en")
    clock.now = 10.0
    progress.update(rows=1000, file="-")
    assert progress.line(200) == "read 1,000 rows  100 rows/s  -"
    progress.update(bytes_done=3 << 20)
    assert progress.line(200) == "read 1,000 rows  100 rows/s  3.0 MB  -"


def test_counts_absolute_or_incremental() -> None:
    progress = Progress(stream=io.StringIO(), enabled=False)
    progress.update(rows=10, bytes_read=100)
    progress.update(rows=5, bytes_read=50)
    assert (progress.rows, progress.bytes_done) == (15, 150)
    progress.update(rows_done=1000, bytes_done=4096)
    assert (progress.rows, progress.bytes_done) == (1000, 4096)


def test_several_files_add_up() -> None:
    clock = Clock()
    progress = Progress(total_bytes=3000, stream=io.StringIO(), enabled=True, clock=clock, lang="en")
    progress.start_file("a.csv", size=1000)
    progress.update(rows=10, bytes_done=600)  # the last position seen is short of the end
    progress.start_file("b.csv.gz", size=1500)  # a finished file counts in full
    progress.update(rows=10, bytes_done=500)
    assert progress.bytes_done == 1500
    progress.update(file="c.csv")  # a new name starts a new file too; b.csv.gz counts its size
    progress.update(bytes_done=250)
    assert progress.bytes_done == 2750
    clock.now = 10.0
    assert progress.line(200) == "read 20 rows  2 rows/s  2.7 KB/2.9 KB 91%  ETA 0:01  c.csv"
    progress.update(file="c.csv")  # the same name: the same file
    assert progress.bytes_done == 2750


def test_human_units() -> None:
    assert [human_bytes(size) for size in (0, 1023, 1024, 10 * 1024 - 1, 100 << 20, 1023 << 20, 5 << 40)] == \
        ["0 B", "1023 B", "1.0 KB", "10.0 KB", "100 MB", "1023 MB", "5.0 TB"]


def test_sizes_of_inputs(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv.gz"
    first.write_bytes(b"x" * 10)
    second.write_bytes(b"y" * 32)
    assert file_size(first) == 10
    assert total_size([str(first), second]) == 42
    assert total_size([first, "-"]) is None  # stdin: unknown
    assert total_size([first, tmp_path]) is None  # a folder (an exchange batch)
    assert total_size([tmp_path / "missing.csv"]) is None
    manifest = tmp_path / "manifest.json"
    manifest.write_text("{}")
    assert total_size([manifest]) is None
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        assert file_size(fifo) is None


def test_labels_follow_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    for lang, expected in (("zh", "已读 7 行"), ("en", "read 7 rows"), ("both", "已读 read 7 行 rows")):
        monkeypatch.setenv("CREDITSTD_LANG", lang)
        progress = Progress(stream=io.StringIO(), enabled=False)
        progress.update(rows=7)
        assert progress.line(200, now=0.0) == expected


# -- what a name may show -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    f"/exports/{ID_NUMBER}.csv",
    f"/exports/张三_{ID_NUMBER}_处罚.csv",
    f"/exports/{ID_NUMBER[:10]}\x00{ID_NUMBER[10:]}.csv",  # a control character between the digits
    f"/exports/{ID_NUMBER[:9]}\u202e{ID_NUMBER[9:]}.csv",
    f"/exports/{ID_NUMBER[:6]} {ID_NUMBER[6:14]} {ID_NUMBER[14:]}.csv",
    "/exports/１１０１０５１９４９１２３１００２Ｘ.csv",
    f"/{ID_NUMBER}/exports.csv",
])
def test_an_id_number_in_a_file_name_is_never_shown(name: str) -> None:
    shown = shown_name(name)
    assert full_id_numbers(shown) == []
    assert full_id_numbers(shown.replace(" ", "").replace("\\u0000", "").replace("\\u202e", "")) == []
    clock = Clock()
    stream = io.StringIO()
    with Progress(stream=stream, enabled=True, clock=clock, label=f"校验 {ID_NUMBER}") as progress:
        clock.now = 1.0
        progress.update(rows=1, file=name)
    assert stream.getvalue().count("\r") >= 2
    assert full_id_numbers(stream.getvalue()) == []


def test_a_name_cannot_move_the_cursor() -> None:
    shown = shown_name("evil\r\x1b[2J\x1b]0;title\x07\u202egpj.csv")
    assert not any(unicodedata.category(char) in ("Cc", "Cf") for char in shown)
    assert shown.startswith("evil\\u000d\\u001b[2J")
    assert shown_name("C:/exports/penalties.csv") == "penalties.csv"
    assert shown_name("-") == "-"


def test_wide_characters_count_two_columns() -> None:
    assert display_width("已读 read") == 9
    assert display_width("ＡＢＣ") == 6
    assert display_width("e\u0301") == 1  # a combining accent takes no column
    clock = Clock()
    progress = Progress(total_bytes=1 << 20, label="校验", stream=io.StringIO(), enabled=True, clock=clock,
                        lang="zh")
    clock.now = 5.0
    progress.update(rows=10_000, bytes_done=1 << 19, file="二〇二四年第一季度行政处罚信息公示_市场监督管理局.csv")
    full = progress.line(500)
    assert full.endswith("二〇二四年第一季度行政处罚信息公示_市场监督管理局.csv")
    for columns in range(0, 120):
        line = progress.line(columns)
        assert _width_of(line) <= columns, (columns, line)
    assert progress.line(60).endswith("局.csv")  # the name shortened in the middle, its end kept
    assert "~" in progress.line(60)


# -- never a failure ------------------------------------------------------------------------------------------


class Failing(io.StringIO):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error
        self.writes = 0

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.writes += 1
        raise self.error


@pytest.mark.parametrize("error", [OSError(5, "I/O error"), BrokenPipeError(32, "Broken pipe"),
                                   ValueError("I/O operation on closed file"),
                                   UnicodeEncodeError("ascii", "已", 0, 1, "no")])
def test_a_failing_stream_never_raises_and_is_left_alone(terminal_env: None, error: Exception) -> None:
    stream = Failing(error)
    clock = Clock()
    _run(Progress(stream=stream, clock=clock), clock)
    assert stream.writes == 1  # one failure, then the line is given up


def test_a_closed_stream_never_raises(terminal: Terminal) -> None:
    clock = Clock()
    with Progress(stream=terminal.stream, clock=clock) as progress:
        clock.now = 1.0
        progress.update(rows=1)
        terminal.stream.close()
        clock.now = 2.0
        progress.update(rows=1)
        progress.clear()


def test_a_stream_whose_isatty_fails_is_not_a_terminal() -> None:
    class Odd(io.StringIO):
        def isatty(self) -> bool:
            raise OSError("no")

    assert not Progress(stream=Odd()).active


def test_an_ascii_terminal_gets_english(terminal_env: None) -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    clock = Clock()
    with Progress(stream=stream, enabled=True, clock=clock, label="校验", lang="both") as progress:
        clock.now = 1.0
        progress.update(rows=3, file="处罚.csv")
        stream.flush()
        assert stream.buffer.getvalue() == b"\r??  read 3 rows  3 rows/s  ??.csv"  # type: ignore[attr-defined]


def test_no_stderr_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", None)
    with Progress(enabled=True) as progress:
        progress.update(rows=1)
    assert not progress.active


def test_a_clock_that_fails_stops_the_line() -> None:
    def clock() -> float:
        raise RuntimeError("no time")

    stream = io.StringIO()
    with Progress(stream=stream, enabled=True, clock=clock) as progress:
        progress.update(rows=1)
    assert stream.getvalue() == ""


# -- end to end: a command whose output is piped --------------------------------------------------------------


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--progress/--no-progress", default=None)
def count_command(inputs: tuple[str, ...], progress: bool | None) -> None:
    """A command the way creditstd's commands use the line: count the lines of files, report on stdout."""
    rows = 0
    with Progress(total_bytes=total_size(inputs), label="计数 count", enabled=progress, delay=0,
                  interval=0) as shown:
        for path in inputs:
            shown.start_file(path, size=file_size(path))
            with open(path, "rb") as stream:
                for line in stream:
                    rows += 1
                    shown.update(rows=1, bytes_read=len(line))
    click.echo(f"{rows} rows")


COMMAND = '''
import sys
import click
from creditstd.cli.progress import Progress, file_size, total_size

@click.command()
@click.argument("inputs", nargs=-1, required=True)
def count(inputs):
    rows = 0
    with Progress(total_bytes=total_size(inputs), label="计数 count", delay=0, interval=0) as shown:
        for path in inputs:
            shown.start_file(path, size=file_size(path))
            with open(path, "rb") as stream:
                for line in stream:
                    rows += 1
                    shown.update(rows=1, bytes_read=len(line))
    click.echo(f"{rows} rows")

count()
'''


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / f"export_{ID_NUMBER}.csv"
    path.write_text("".join(f"{row},甲\n" for row in range(5000)), encoding="utf-8")
    return path


def test_a_command_run_with_its_output_piped_writes_no_progress(export: Path, tmp_path: Path) -> None:
    script = tmp_path / "count.py"
    script.write_text(COMMAND, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in CI_VARIABLES}
    env["TERM"] = "xterm"
    done = subprocess.run([sys.executable, str(script), str(export), str(export)], capture_output=True,
                          env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"10000 rows\n"
    assert done.stderr == b""


def test_a_command_under_click_s_runner_writes_no_progress(export: Path, terminal_env: None) -> None:
    result = CliRunner().invoke(count_command, [str(export)])
    assert result.exit_code == 0, result.output
    assert result.output == "5000 rows\n"
    assert "\r" not in result.output


def test_a_command_forced_to_show_progress(export: Path, terminal_env: None,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(count_command, [str(export), "--progress"])
    assert result.exit_code == 0
    assert "\r计数 count  已读 read" in result.output
    assert result.output.endswith("\r5000 rows\n")  # cleared before the report
    assert full_id_numbers(result.output) == []


@pty_only
def test_the_same_command_on_a_terminal_shows_it_on_stderr_only(export: Path, terminal: Terminal,
                                                                 tmp_path: Path) -> None:
    script = tmp_path / "count.py"
    script.write_text(COMMAND, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in CI_VARIABLES}
    child = subprocess.Popen([sys.executable, str(script), str(export)], stdout=subprocess.PIPE,
                             stderr=terminal.stream, env=env)
    shown = ""
    try:
        while child.poll() is None:  # keep reading: a full terminal buffer would block the child
            shown += terminal.read()
        shown += terminal.read()
        stdout = child.communicate(timeout=120)[0]
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0
    assert stdout == b"5000 rows\n"
    assert "已读 read 5,000 行 rows" in shown and "100%" in shown
    assert shown.endswith("\r")
    assert full_id_numbers(shown) == []
