"""Benchmark creditstd's identifier checks side by side with python-stdnum, in one process.

Run from the project root:

    .venv/bin/python benchmarks/bench_identifiers.py [--n 1000000] [--repeat 5] [--json PATH]

Every row times the same list of generated numbers for both libraries (generation is not timed), with the
garbage collector disabled, and reports the median of ``--repeat`` runs as microseconds per call; the ratio is
competitor / creditstd.  ``validate_batch`` rows time one call over the whole Python list (conversion included)
and divide by the list's length.  The memory and import lines are measured in fresh subprocesses.

Absolute numbers drift between machines and between runs on a busy machine; the ratios, measured side by side
here, are what the targets are about.  See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib.metadata import version

from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from creditstd import ric, uscc, validate_batch
from creditstd.codes._checksums import USCC_ALPHABET, USCC_WEIGHTS

# --------------------------------------------------------------------------------------------
# Inputs (not timed)


def generate_inputs(n: int, seed: int) -> dict[str, list[str]]:
    """Valid numbers from creditstd's own generators, in the mixes the table reports."""
    rng = random.Random(seed)
    mixed = [uscc.generate(rng=rng) for _ in range(n)]
    # stdnum requires positions 1-8 to be digits (no authority A, N or Y): top the digit-only subset up to n
    digits = [code for code in mixed if code[:8].isdigit()]
    while len(digits) < n:
        code = uscc.generate(authority=rng.choice("123456789"), rng=rng)
        if code[:8].isdigit():
            digits.append(code)
    return {
        "uscc (all generated)": mixed,
        "uscc (digits 1-8, stdnum-accepted)": digits,
        # citizen ID numbers: current county codes, born 1950-2005; stdnum can handle these
        "ric (citizen)": [ric.generate(rng=rng) for _ in range(n)],
    }


# --------------------------------------------------------------------------------------------
# Timing: median of `repeat` runs, gc disabled, time.perf_counter


def _median_seconds(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return statistics.median(times)


def per_call(function: Callable[..., object], items: Sequence[str], repeat: int, *,
             strict: bool | None = None) -> float:
    """Median µs per call of ``function(item)`` (or ``function(item, strict=strict)``) over ``items``."""
    if strict is None:
        def run() -> None:
            for item in items:
                function(item)
    else:
        def run() -> None:
            for item in items:
                function(item, strict=strict)
    return _median_seconds(run, repeat) / len(items) * 1e6


def per_call_guarded(function: Callable[[str], object], items: Sequence[str], repeat: int
                     ) -> tuple[float, int, list[str]]:
    """Like :func:`per_call`, catching exceptions (stdnum.cn.ric raises KeyError on codes it lacks).

    Also returns the crash count and the items ``function`` accepted, collected in the timed loop itself (a
    list append on the accepting branch costs well under 0.1 % of a stdnum.cn.ric call) so that no extra
    untimed pass over a slow competitor is needed.
    """
    outcome: list = [0, []]

    def run() -> None:
        crashes, accepted = 0, []
        for item in items:
            try:
                if function(item):
                    accepted.append(item)
            except Exception:  # counted and reported
                crashes += 1
        outcome[:] = [crashes, accepted]

    return _median_seconds(run, repeat) / len(items) * 1e6, outcome[0], outcome[1]


def per_item_batch(items: list[str], kind: str, repeat: int, *, strict: bool) -> float:
    """Median µs per item of one ``validate_batch`` call over the whole Python list."""
    validate_batch(items[:1000], kind, strict=strict)  # build the lookup tables and import NumPy untimed
    return _median_seconds(lambda: validate_batch(items, kind, strict=strict), repeat) / len(items) * 1e6


_USCC_VALUES = {char: value for value, char in enumerate(USCC_ALPHABET)}


def bare_uscc_check(code: str) -> bool:
    """The floor of a pure-Python check: a plain weighted-sum loop, no input handling at all."""
    total = 0
    for weight, char in zip(USCC_WEIGHTS, code[:17], strict=True):
        total += weight * _USCC_VALUES[char]
    return USCC_ALPHABET[-total % 31] == code[17]


# --------------------------------------------------------------------------------------------
# Memory and import cost, each in a fresh interpreter

# tracemalloc's own bookkeeping inflates RSS, so RSS and tracemalloc are measured in separate interpreters.
_MEMORY_PROBE = r"""
import json, sys, tracemalloc
import creditstd
from creditstd.codes import regions

def rss_mb():
    with open('/proc/self/status') as status:
        return int(next(line for line in status if line.startswith('VmRSS')).split()[1]) / 1024

def load():
    regions.known_codes()           # what the uscc/ric strict checks use
    regions.lookup('110105')        # the full table with names and periods
    regions.issued_codes()          # what the generators use

if sys.argv[1] == 'tracemalloc':
    tracemalloc.start()
    load()
    current, peak = tracemalloc.get_traced_memory()
    print(json.dumps({"tracemalloc_current_mb": current / 2**20, "tracemalloc_peak_mb": peak / 2**20,
                      "codes": len(regions.known_codes())}))
else:
    before = rss_mb()
    load()
    loaded = rss_mb()
    creditstd.validate_batch(['91350100M000100Y43'], 'uscc', strict=True)  # + NumPy and the region bitmaps
    creditstd.validate_batch(['11010519491231002X'], 'ric', strict=True)
    print(json.dumps({"rss_delta_mb": loaded - before, "rss_delta_with_batch_mb": rss_mb() - before}))
"""

_IMPORT_PROBE = r"""
import functools, json, sys, time
start = time.perf_counter()
import creditstd
import_s = time.perf_counter() - start
from creditstd.codes import regions
caches = {name: f.cache_info().currsize for name, f in vars(regions).items()
          if callable(f) and hasattr(f, 'cache_info')}
start = time.perf_counter()
regions.known_codes()
first_use_s = time.perf_counter() - start
print(json.dumps({"import_s": import_s, "region_caches_after_import": caches,
                  "numpy_imported": "numpy" in sys.modules, "first_use_s": first_use_s}))
"""


def _probe(code: str, *options: str, args: Sequence[str] = ()) -> tuple[dict, str]:
    result = subprocess.run([sys.executable, *options, "-c", code, *args], capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def measure_memory() -> dict:
    return {**_probe(_MEMORY_PROBE, args=["tracemalloc"])[0], **_probe(_MEMORY_PROBE, args=["rss"])[0]}


def measure_import() -> dict:
    runs = [_probe(_IMPORT_PROBE, "-X", "importtime") for _ in range(3)]
    report = runs[0][0]
    report["import_s"] = statistics.median(run[0]["import_s"] for run in runs)
    report["first_use_s"] = statistics.median(run[0]["first_use_s"] for run in runs)
    # -X importtime: cumulative µs of the top-level creditstd import
    cumulative = []
    for _, stderr in runs:
        for line in stderr.splitlines():
            match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| creditstd$", line)
            if match:
                cumulative.append(int(match.group(1)))
    report["importtime_creditstd_us"] = statistics.median(cumulative) if cumulative else None
    return report


# --------------------------------------------------------------------------------------------


@dataclass
class Row:
    operation: str
    inputs: str
    creditstd_us: float
    competitor: str
    competitor_us: float | None
    target: float | None  # minimum ratio, None: for information
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return None if self.competitor_us is None else self.competitor_us / self.creditstd_us

    @property
    def verdict(self) -> str:
        if self.target is None or self.ratio is None:
            return "info"
        return "PASS" if self.ratio >= self.target else "FAIL"


def run(n: int, repeat: int, competitor_n: int, seed: int) -> tuple[list[Row], dict]:
    started = time.perf_counter()
    inputs = generate_inputs(n, seed)
    generated_s = time.perf_counter() - started
    rows: list[Row] = []
    # the competitor is timed on the first competitor_n items of the same list (all of it by default)
    uscc_all, uscc_digits = inputs["uscc (all generated)"], inputs["uscc (digits 1-8, stdnum-accepted)"]
    citizens = inputs["ric (citizen)"]

    stdnum_uscc_us = {}
    for label, items in (("all generated", uscc_all), ("digits 1-8", uscc_digits)):
        stdnum_uscc_us[label] = per_call(stdnum_uscc.is_valid, items[:competitor_n], repeat)
        sample = items[:min(competitor_n, 10_000)]
        note = f"stdnum accepts {sum(map(stdnum_uscc.is_valid, sample)) / len(sample):.0%}"
        for strict, target in ((False, 5.0), (True, 3.0)):
            rows.append(Row(f"uscc.is_valid(strict={strict})", label, per_call(uscc.is_valid, items, repeat,
                                                                             strict=strict),
                            "stdnum.cn.uscc.is_valid", stdnum_uscc_us[label], target, note))
    rows.append(Row("bare checksum loop (floor)", "digits 1-8", per_call(bare_uscc_check, uscc_digits, repeat),
                    "stdnum.cn.uscc.is_valid", stdnum_uscc_us["digits 1-8"], None))

    # stdnum rejects many valid numbers (it wants the region code to have existed in the birth year), so also
    # time both on the subset stdnum accepts, where it does all its work
    stdnum_ric_us, crashes, agreed = per_call_guarded(stdnum_ric.is_valid, citizens[:competitor_n], repeat)
    note = f"stdnum accepts {len(agreed) / competitor_n:.0%}, crashes (KeyError) {crashes}"
    for strict in (True, False):
        rows.append(Row(f"ric.is_valid(strict={strict})", "citizen", per_call(ric.is_valid, citizens, repeat,
                                                                              strict=strict),
                        "stdnum.cn.ric.is_valid", stdnum_ric_us, 10.0, note))
    if agreed:
        stdnum_agreed_us = per_call_guarded(stdnum_ric.is_valid, agreed, repeat)[0]
        for strict in (True, False):
            rows.append(Row(f"ric.is_valid(strict={strict})", "citizen, stdnum-accepted",
                            per_call(ric.is_valid, agreed, repeat, strict=strict), "stdnum.cn.ric.is_valid",
                            stdnum_agreed_us, 10.0, f"{len(agreed):,} numbers"))

    for kind, items, competitor, competitor_us in (
        ("uscc", uscc_all, "stdnum.cn.uscc.is_valid", stdnum_uscc_us["all generated"]),
        ("uscc", uscc_digits, "stdnum.cn.uscc.is_valid", stdnum_uscc_us["digits 1-8"]),
        ("ric", citizens, "stdnum.cn.ric.is_valid", stdnum_ric_us),
    ):
        label = "citizen" if kind == "ric" else "all generated" if items is uscc_all else "digits 1-8"
        for strict in (False, True):
            rows.append(Row(f"validate_batch(list, {kind!r}, strict={strict})", label,
                            per_item_batch(items, kind, repeat, strict=strict), competitor, competitor_us, 30.0))
    extra = {"generation_s": generated_s}
    return rows, extra


def _fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def print_table(rows: list[Row]) -> None:
    headers = ("operation", "inputs", "µs/call creditstd", "competitor", "µs/call competitor", "ratio", "target",
               "result", "note")
    table = [(r.operation, r.inputs, _fmt(r.creditstd_us), r.competitor, _fmt(r.competitor_us),
              "–" if r.ratio is None else f"{r.ratio:.1f}x", "–" if r.target is None else f">= {r.target:g}x",
              r.verdict, r.note) for r in rows]
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *table, strict=True)]
    line = "| " + " | ".join(f"{{:{w}}}" for w in widths) + " |"
    print(line.format(*headers))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for cells in table:
        print(line.format(*cells))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="numbers per input list (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per row; the median is reported")
    parser.add_argument("--competitor-n", type=int, default=None,
                        help="time python-stdnum on only the first N items of each list (default: all of them)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    competitor_n = min(args.n, args.competitor_n or args.n)

    started = time.perf_counter()
    print(f"creditstd benchmark: n={args.n:,}, repeat={args.repeat}, competitor on {competitor_n:,} items, "
          f"Python {platform.python_version()}, python-stdnum {version('python-stdnum')}, "
          f"numpy {version('numpy')}, {os.cpu_count()} CPUs", flush=True)
    rows, extra = run(args.n, args.repeat, competitor_n, args.seed)
    print_table(rows)

    memory = measure_memory()
    imports = measure_import()
    memory_ok = memory["tracemalloc_peak_mb"] <= 10 and memory["rss_delta_mb"] <= 10
    lazy_ok = not any(imports["region_caches_after_import"].values())
    print(f"\nregion data, loaded on first use ({memory['codes']:,} codes): tracemalloc current "
          f"{memory['tracemalloc_current_mb']:.1f} MB, peak {memory['tracemalloc_peak_mb']:.1f} MB, RSS "
          f"+{memory['rss_delta_mb']:.1f} MB (target <= 10 MB; +{memory['rss_delta_with_batch_mb']:.1f} MB with NumPy "
          f"and the batch path's region bitmaps): {'PASS' if memory_ok else 'FAIL'}")
    print(f"import creditstd: {imports['import_s'] * 1e3:.1f} ms (-X importtime cumulative "
          f"{_fmt(imports['importtime_creditstd_us'] and imports['importtime_creditstd_us'] / 1e3, 1)} ms); "
          f"region caches after import {imports['region_caches_after_import']}; numpy imported: "
          f"{imports['numpy_imported']}; first regions.known_codes() call {imports['first_use_s'] * 1e3:.1f} ms "
          f"(target: nothing region-related loaded by the import): {'PASS' if lazy_ok else 'FAIL'}")
    elapsed = time.perf_counter() - started
    print(f"input generation {extra['generation_s']:.1f} s (untimed); total {elapsed:.1f} s")

    if args.json:
        document = {
            "command": " ".join([os.path.relpath(sys.executable), *sys.argv]),
            "n": args.n, "repeat": args.repeat, "competitor_n": competitor_n, "seed": args.seed,
            "python": platform.python_version(), "stdnum": version("python-stdnum"), "numpy": version("numpy"),
            "cpus": os.cpu_count(),
            "rows": [{**asdict(row), "ratio": row.ratio, "result": row.verdict} for row in rows],
            "memory": {**memory, "result": "PASS" if memory_ok else "FAIL"},
            "import": {**imports, "result": "PASS" if lazy_ok else "FAIL"},
            "elapsed_s": elapsed, **extra,
        }
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=2, ensure_ascii=False)
    failed = [row for row in rows if row.verdict == "FAIL"] or not memory_ok or not lazy_ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
