"""Record validation and synthetic-record speed, side by side with plain jsonschema, in one process.

The tool a user would otherwise pick is jsonschema itself on the class schema.  Used the plain way it
ignores ``format`` (so a USCC with a wrong check character passes) and cannot run the cross-field rules;
creditstd's validator always checks formats, names every error with a stable code and runs the named rules.
This prints what that costs.

    .venv/bin/python benchmarks/bench_records.py [--n 2000] [--repeat 3] [--class administrative_penalty]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date

from jsonschema import Draft202012Validator

from creditstd.catalogue import validator
from creditstd.records import loader
from creditstd.records.fake import fake_records


def _median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.disable()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
        gc.enable()
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="records (default 2,000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the median is reported")
    parser.add_argument("--class", dest="class_name", default="administrative_penalty")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    records = [item.record for item in fake_records(args.class_name, args.n, seed=1, error_rate=0.1,
                                                      on=date(2026, 6, 30))]
    generated = time.perf_counter() - start

    plain = Draft202012Validator(loader.class_schema(args.class_name), registry=loader.registry())
    ours, ours_strict = validator(args.class_name), validator(args.class_name, strict=True)
    for check in (plain.iter_errors, ours.iter_errors, ours_strict.iter_errors):  # warm caches and region data
        list(check(records[0]))

    rows = [
        ("jsonschema, formats ignored (plain use)", lambda: [list(plain.iter_errors(r)) for r in records]),
        ("creditstd validator", lambda: [list(ours.iter_errors(r)) for r in records]),
        ("creditstd validator, strict", lambda: [list(ours_strict.iter_errors(r)) for r in records]),
    ]
    print(f"records of {args.class_name}: n={args.n:,}, repeat={args.repeat}, Python {sys.version.split()[0]}")
    print(f"fake_records (valid ones checked strictly as they are made): {args.n / generated:,.0f} records/s")
    baseline = None
    print("| validation | records/s | time vs plain jsonschema |")
    print("|---|---|---|")
    for label, action in rows:
        rate = args.n / _median_seconds(action, args.repeat)
        baseline = baseline or rate
        print(f"| {label} | {rate:,.0f} | {baseline / rate:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
