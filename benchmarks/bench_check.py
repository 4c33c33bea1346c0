"""Benchmark ``creditstd check --file`` on a bulk list of identifiers, beside python-stdnum's per-call loop.

It writes a file of N identifiers (60% USCCs, 20% citizen ID numbers, 10% organisation codes, 5% registration
numbers, 5% legacy 15-digit ID numbers; about ``--broken`` of them with one character changed), then times:

* ``creditstd check --file F -q`` and ``--format jsonl`` end to end in subprocesses (output to /dev/null),
  with the peak RSS of each child (its own ``VmHWM``; the largest of the runs is printed);
* the same two runs in-process (``run_bulk`` over the file, output to /dev/null through a UTF-8 text stream,
  as stdout is);
* python-stdnum's per-call loop over the same lines (``is_valid`` of the kind the line's length suggests),
  the tool a user would otherwise pick.

Best (and median) of ``--repeat`` runs; lines/s, ratios to stdnum, peak RSS; with ``--json`` the figures are
also written to a file (``benchmarks/results-check.json`` holds the last recorded run).  The stdnum loop runs over
the first ``--stdnum-lines`` lines only (it takes about 20 s per million).  Usage::

    .venv/bin/python benchmarks/bench_check.py --lines 1000000 --repeat 3 --json benchmarks/results-check.json
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
                number = number[:i] + rng.choice("0123456789AB") + number[i + 1:]
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


def subprocess_run(path: Path, args: list[str]) -> tuple[float, int]:
    """Seconds and peak RSS (kB) of one ``creditstd check`` child process.

    The peak is this child's own: its ``VmHWM`` (a high-water mark, read while it runs) and the ``ru_maxrss``
    that ``wait4`` returns for this child alone (not ``RUSAGE_CHILDREN``, the largest of all children so far)."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        child = subprocess.Popen([str(Path(sys.executable).parent / "creditstd"), "check", "--file", str(path), *args],
                                 stdout=sink, stderr=subprocess.DEVNULL)
        peak = 0
        while True:
            pid, _, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _vm_hwm(child.pid))
            time.sleep(0.02)
        child.returncode = 0  # reaped by wait4 above
    seconds = time.perf_counter() - start
    return seconds, max(peak, usage.ru_maxrss)


def in_process(path: Path, output: str, quiet: bool) -> float:
    from creditstd.cli import check

    options = check.Options(strict=False, kind=None, output=output, reveal=False, quiet=quiet)
    with open(os.devnull, "wb") as devnull:
        sink = io.TextIOWrapper(devnull, encoding="utf-8")  # what stdout is: a UTF-8 text stream
        start = time.perf_counter()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(io.StringIO()):
            check.run_bulk(check._read_blocks(str(path), "utf-8-sig", check.block_scale(quiet)), options)  # as the CLI
            sink.flush()
        return time.perf_counter() - start


def stdnum_loop(path: Path, limit: int) -> float:
    """Seconds python-stdnum's per-call loop takes over the first ``limit`` lines."""
    from stdnum.cn import ric as stdnum_ric
    from stdnum.cn import uscc as stdnum_uscc

    checks = {18: (stdnum_uscc.is_valid, stdnum_ric.is_valid), 15: (stdnum_ric.is_valid,)}
    start = time.perf_counter()
    with path.open(encoding="utf-8") as lines:
        for line in itertools.islice(lines, limit):
            number = line.strip()
            for is_valid in checks.get(len(number), ()):
                try:  # stdnum.cn.ric raises KeyError on a county it does not know
                    if is_valid(number):
                        break
                except KeyError:
                    pass
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--broken", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stdnum-lines", type=int, default=1_000_000, help="lines the stdnum loop runs over")
    parser.add_argument("--file", type=Path, help="reuse (or keep) the generated file here")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    arguments = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    path = arguments.file or Path(folder.name) / "ids.txt"
    if not path.exists():
        generate(path, arguments.lines, arguments.broken)
    lines = sum(1 for _ in path.open("rb"))
    print(f"{lines:,} lines, {path.stat().st_size / 1e6:.0f} MB, {arguments.broken:.0%} broken, "
          f"best (median) of {arguments.repeat}")
    sample = min(lines, arguments.stdnum_lines)
    stdnum_runs = [stdnum_loop(path, sample) for _ in range(arguments.repeat)]
    stdnum_rate = sample / min(stdnum_runs)
    print(f"{'python-stdnum is_valid loop':42} {stdnum_rate:>12,.0f} lines/s  (first {sample:,} lines)")
    rows: list[dict[str, object]] = [{"case": "python-stdnum is_valid loop", "lines": sample,
                                      "lines_per_s": round(stdnum_rate),
                                      "lines_per_s_median": round(sample / statistics.median(stdnum_runs))}]
    for name, args in (("-q", ["-q"]), ("--format jsonl", ["--format", "jsonl"])):
        runs = [subprocess_run(path, args) for _ in range(arguments.repeat)]
        best, median = min(run[0] for run in runs), statistics.median(run[0] for run in runs)
        rss = max(run[1] for run in runs)
        print(f"{'creditstd check ' + name + ' (subprocess)':42} {lines / best:>12,.0f} lines/s  "
              f"({lines / median:,.0f})  x{lines / best / stdnum_rate:.1f} stdnum  peak RSS {rss / 1024:.0f} MB")
        rows.append({"case": f"creditstd check --file F {name} (subprocess, start-up included)", "lines": lines,
                     "lines_per_s": round(lines / best), "lines_per_s_median": round(lines / median),
                     "x_stdnum": round(lines / best / stdnum_rate, 1), "peak_rss_mb": round(rss / 1024)})
        output, quiet = ("text", True) if name == "-q" else ("jsonl", False)
        seconds = [in_process(path, output, quiet) for _ in range(arguments.repeat)]
        best, median = min(seconds), statistics.median(seconds)
        print(f"{'creditstd check ' + name + ' (in-process)':42} {lines / best:>12,.0f} lines/s  "
              f"({lines / median:,.0f})  x{lines / best / stdnum_rate:.1f} stdnum")
        rows.append({"case": f"creditstd check --file F {name} (in-process: run_bulk)", "lines": lines,
                     "lines_per_s": round(lines / best), "lines_per_s_median": round(lines / median),
                     "x_stdnum": round(lines / best / stdnum_rate, 1)})
    if arguments.json:
        import numpy
        import stdnum

        record = {"command": " ".join(["benchmarks/bench_check.py", *sys.argv[1:]]), "lines": lines,
                  "megabytes": round(path.stat().st_size / 1e6), "broken": arguments.broken,
                  "repeat": arguments.repeat, "python": platform.python_version(), "numpy": numpy.__version__,
                  "stdnum": stdnum.__version__, "cpus": os.cpu_count(),
                  "load_average": [round(load, 2) for load in os.getloadavg()], "rows": rows}
        existing = json.loads(arguments.json.read_text()) if arguments.json.exists() else {}
        runs = existing.get("runs", []) if isinstance(existing, dict) else []
        runs = [run for run in runs if run.get("lines") != lines] + [record]
        arguments.json.write_text(json.dumps({"runs": sorted(runs, key=lambda run: run["lines"])}, indent=2) + "\n")
    folder.cleanup()


if __name__ == "__main__":
    main()
