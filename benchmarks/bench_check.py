"""Benchmark ``creditstd check --file`` on a bulk list of identifiers, beside python-stdnum's per-call loop.

It writes a file of N identifiers (60% USCCs, 20% citizen ID numbers, 10% organisation codes, 5% registration
numbers, 5% legacy 15-digit ID numbers; about ``--broken`` of them with one character changed), then times:

* ``creditstd check --file F -q`` and ``--format jsonl`` end to end in subprocesses (output to ``--sink``),
  with the CPU time and the peak RSS of each child (its own ``VmHWM``; the largest of the runs is printed);
* the same two runs in-process (``run_bulk`` over the file, output to ``--sink`` through a UTF-8 text stream,
  as stdout is);
* python-stdnum's per-call loop over the same lines (``is_valid`` of the kind the line's length suggests),
  the tool a user would otherwise pick;
* with ``--flat-lines N``, each command once more on a file of N lines (the file repeated): its peak RSS beside
  the first one's shows whether memory stays flat.

Best (and median) of ``--repeat`` runs; lines/s, lines per CPU second (on a shared machine the steadier figure),
ratios to stdnum, peak RSS; with ``--json`` the figures are also written to a file
(``benchmarks/results-check.json`` holds the last recorded run per number of lines).  The stdnum loop runs over
the first ``--stdnum-lines`` lines only (it takes about 20 s per million).

The output goes to ``--sink``, ``os.devnull`` unless given.  Where that is not a character device (on some
machines /dev/null has been replaced by a regular file, often in a memory file system), writing gigabytes of JSON
to it costs memory and CPU time the command does not spend elsewhere: the script says so, and a null device of
one's own (``mknod /tmp/null c 1 3``) can be given instead.  Usage::

    .venv/bin/python benchmarks/bench_check.py --lines 10000000 --repeat 3 --file /tmp/ids-10m.txt \\
        --flat-lines 30000000 --json benchmarks/results-check.json
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import os
import platform
import random
import stat
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from creditstd.codes import orgcode, regno, ric, uscc


def generate(path: Path, lines: int, broken: float, seed: int = 1) -> None:
    """Write ``lines`` identifiers, a mix of kinds, about ``broken`` of them with one character changed."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(lines):
            draw = rng.random()
            if draw < 0.6:
                number = uscc.generate(rng=rng)
            elif draw < 0.8:
                number = ric.generate(kind=ric.Kind.CITIZEN, rng=rng)
            elif draw < 0.9:
                number = orgcode.generate(rng=rng)
            elif draw < 0.95:
                number = regno.generate(rng=rng)
            else:
                number = ric.generate(kind=ric.Kind.CITIZEN_15, rng=rng)
            if rng.random() < broken:
                i = rng.randrange(len(number))
                number = number[:i] + rng.choice("0123456789AB") + number[i + 1 :]
            out.write(number + "\n")


def _vm_hwm(pid: int) -> int:
    """The peak resident set size (kB) of process ``pid`` so far: ``VmHWM`` of ``/proc/<pid>/status`` (0 if gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def subprocess_run(path: Path, args: list[str], sink: Path) -> tuple[float, float, int]:
    """Seconds, CPU seconds (user and system, from ``wait4``) and peak RSS (kB) of one ``creditstd check`` child.

    The peak is the child's own ``VmHWM`` (a high-water mark), read every 10 ms while it runs.  Not ``wait4``'s
    ``ru_maxrss``: Linux carries the high-water mark of the process image before ``exec`` into it, and that
    image is a copy of this process (large after the in-process runs)."""
    start = time.perf_counter()
    with sink.open("wb") as out:
        child = subprocess.Popen(
            [str(Path(sys.executable).parent / "creditstd"), "check", "--file", str(path), *args],
            stdout=out,
            stderr=subprocess.DEVNULL,
        )
        peak = 0
        while True:
            pid, _, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _vm_hwm(child.pid))
            time.sleep(0.01)
        child.returncode = 0  # reaped by wait4 above
    seconds = time.perf_counter() - start
    return seconds, usage.ru_utime + usage.ru_stime, peak


def in_process(path: Path, output: str, quiet: bool, sink: Path) -> tuple[float, float]:
    """Seconds and CPU seconds (this process, every thread) of ``run_bulk`` over the file, read as the CLI
    reads it, written to ``sink`` through a UTF-8 text stream, as stdout is."""
    from creditstd.cli import check

    options = check.Options(strict=False, kind=None, output=output, reveal=False, quiet=quiet)
    with sink.open("wb") as out:
        stream = io.TextIOWrapper(out, encoding="utf-8")
        start, cpu = time.perf_counter(), time.process_time()
        with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(io.StringIO()):
            check.run_bulk(check._read_blocks(str(path), "utf-8-sig", check.block_scale(quiet)), options)  # as the CLI
            stream.flush()
        return time.perf_counter() - start, time.process_time() - cpu


def stdnum_loop(path: Path, limit: int) -> tuple[float, float]:
    """Seconds and CPU seconds python-stdnum's per-call loop takes over the first ``limit`` lines."""
    from stdnum.cn import ric as stdnum_ric
    from stdnum.cn import uscc as stdnum_uscc

    checks = {18: (stdnum_uscc.is_valid, stdnum_ric.is_valid), 15: (stdnum_ric.is_valid,)}
    start, cpu = time.perf_counter(), time.process_time()
    with path.open(encoding="utf-8") as lines:
        for line in itertools.islice(lines, limit):
            number = line.strip()
            for is_valid in checks.get(len(number), ()):
                try:  # stdnum.cn.ric raises KeyError on a county it does not know
                    if is_valid(number):
                        break
                except KeyError:
                    pass
    return time.perf_counter() - start, time.process_time() - cpu


def repeated(path: Path, lines: int, target: int, into: Path) -> Path:
    """A file of ``target`` lines: ``path`` (of ``lines`` lines) written again and again, the last time cut."""
    with path.open("rb") as source:
        data = source.read()
    with into.open("wb") as out:
        left = target
        while left >= lines:
            out.write(data)
            left -= lines
        if left:
            out.write(b"".join(data.splitlines(keepends=True)[:left]))
    return into


def _row(case: str, lines: int, runs: list[tuple[float, ...]], base: float | None) -> dict[str, object]:
    """The figures of ``runs`` (``(seconds, CPU seconds[, peak RSS kB])`` each) over ``lines`` lines: best and
    median lines/s, lines per CPU second (best), the ratio to ``base`` (lines/s), the peak RSS."""
    best = min(run[0] for run in runs)
    row: dict[str, object] = {
        "case": case,
        "lines": lines,
        "lines_per_s": round(lines / best),
        "lines_per_s_median": round(lines / statistics.median(run[0] for run in runs)),
        "lines_per_cpu_s": round(lines / min(run[1] for run in runs)),
    }
    if base:
        row["x_stdnum"] = round(lines / best / base, 1)
    if len(runs[0]) > 2:
        row["peak_rss_mb"] = round(max(run[2] for run in runs) / 1024)
    return row


def _print(row: dict[str, object]) -> None:
    """One line of the table: the case named shortly, its figures."""
    case = str(row["case"]).replace("creditstd check --file F", "check").replace(", start-up included", "")
    case = case.replace(": run_bulk", "")
    ratio = f"x{row['x_stdnum']:<5}" if "x_stdnum" in row else " " * 6
    rss = f"  peak RSS {row['peak_rss_mb']} MB" if "peak_rss_mb" in row else ""
    print(
        f"{case:44} {row['lines_per_s']:>11,} ({row['lines_per_s_median']:>11,})  "
        f"{row['lines_per_cpu_s']:>11,}  {ratio}{rss}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--broken", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stdnum-lines", type=int, default=1_000_000, help="lines the stdnum loop runs over")
    parser.add_argument("--file", type=Path, help="reuse (or keep) the generated file here")
    parser.add_argument("--sink", type=Path, default=Path(os.devnull), help="where the output goes")
    parser.add_argument("--flat-lines", type=int, default=0, help="also run each command once on this many lines")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    arguments = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    path = arguments.file or Path(folder.name) / "ids.txt"
    if not path.exists():
        generate(path, arguments.lines, arguments.broken)
    sink = arguments.sink
    device = stat.S_ISCHR(os.stat(sink).st_mode)
    if not device:
        print(
            f"note: {sink} is not a character device: writing the output there costs memory and CPU time "
            "(mknod /tmp/null c 1 3, then --sink /tmp/null)",
            file=sys.stderr,
        )
    lines = sum(1 for _ in path.open("rb"))
    print(
        f"{lines:,} lines, {path.stat().st_size / 1e6:.0f} MB, {arguments.broken:.0%} broken, best (median) of "
        f"{arguments.repeat}, output to {sink}; load average {os.getloadavg()[0]:.2f}"
    )
    print(f"{'lines':44} {'per s':>11} {'(median)':>13}  {'per CPU s':>11}  {'stdnum':6}")
    sample = min(lines, arguments.stdnum_lines)
    stdnum = _row(
        "python-stdnum is_valid loop", sample, [stdnum_loop(path, sample) for _ in range(arguments.repeat)], None
    )
    base = float(stdnum["lines_per_s"])  # type: ignore[arg-type]
    _print(stdnum)
    rows: list[dict[str, object]] = [stdnum]
    commands = (("-q", ["-q"], "text", True), ("--format jsonl", ["--format", "jsonl"], "jsonl", False))
    for name, args, output, quiet in commands:
        rows.append(
            _row(
                f"creditstd check --file F {name} (subprocess, start-up included)",
                lines,
                [subprocess_run(path, args, sink) for _ in range(arguments.repeat)],
                base,
            )
        )
        _print(rows[-1])
        rows.append(
            _row(
                f"creditstd check --file F {name} (in-process: run_bulk)",
                lines,
                [in_process(path, output, quiet, sink) for _ in range(arguments.repeat)],
                base,
            )
        )
        _print(rows[-1])
    if arguments.flat_lines:
        big = repeated(path, lines, arguments.flat_lines, Path(folder.name) / "more.txt")
        print(f"memory on {arguments.flat_lines:,} lines (the file repeated), one run each:")
        for name, args, _, _ in commands:
            rows.append(
                _row(
                    f"creditstd check --file F {name} (subprocess, start-up included)",
                    arguments.flat_lines,
                    [subprocess_run(big, args, sink)],
                    base,
                )
            )
            _print(rows[-1])
        big.unlink()
    if arguments.json:
        import numpy
        import pyarrow
        import stdnum as stdnum_module

        record = {
            "command": " ".join(["benchmarks/bench_check.py", *sys.argv[1:]]),
            "lines": lines,
            "megabytes": round(path.stat().st_size / 1e6),
            "broken": arguments.broken,
            "repeat": arguments.repeat,
            "python": platform.python_version(),
            "numpy": numpy.__version__,
            "pyarrow": pyarrow.__version__,
            "stdnum": stdnum_module.__version__,
            "cpus": os.cpu_count(),
            "sink_is_device": device,
            "load_average": [round(load, 2) for load in os.getloadavg()],
            "rows": rows,
        }
        existing = json.loads(arguments.json.read_text()) if arguments.json.exists() else {}
        runs = existing.get("runs", []) if isinstance(existing, dict) else []
        runs = [run for run in runs if run.get("lines") != lines] + [record]
        arguments.json.write_text(json.dumps({"runs": sorted(runs, key=lambda run: run["lines"])}, indent=2) + "\n")
    folder.cleanup()


if __name__ == "__main__":
    main()
