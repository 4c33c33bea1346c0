"""Synthetic-record speed (``creditstd fake``) per output format and class, with and without broken records.

Every row runs in a fresh interpreter (so its peak RSS is its own): it makes ``--n`` records with
``fake_records`` and writes them with the writer ``creditstd fake`` uses for the format (JSON lines, CSV, XML)
to ``/dev/null`` through a UTF-8 text stream, exactly the CLI's path minus argument parsing.  The class's plan
and validator are built before the clock starts (one record made and thrown away): that is a fixed cost of a
few milliseconds, not a per-record one.  Reported: records/s by wall clock and by CPU time of the process (the
second moves less when other work shares the machine), the median of ``--repeat`` runs, the best CPU rate of
those runs (on a shared machine even CPU time stretches when a neighbour is busy: the best run is the one least
disturbed), and the peak RSS.

The anchor is what a user would otherwise write: the plain ``faker`` library (``Faker('zh_CN')``) filling an
equivalent flat dict per record (same keys as the class, values from Faker's providers: names, companies,
``ssn()``, dates, amounts, sentences) and writing it with ``json.dumps`` or ``csv.writer`` (XML: ``lxml``
elements, as creditstd does).  Those records are not valid (Faker has no USCC, its ``ssn()`` uses
aggregate region codes, no rule holds); the ratio says what realism and validity cost, or save.

    .venv/bin/python benchmarks/bench_fake.py                          # administrative_penalty, 20,000 records
    .venv/bin/python benchmarks/bench_fake.py --n 100000 --repeat 5
    .venv/bin/python benchmarks/bench_fake.py --classes all --n 5000    # every class of the catalogue
    .venv/bin/python benchmarks/bench_fake.py --cli 1000000             # also: the CLI end to end, a million rows,
                                                                        # in one process and in parallel (--jobs)

The exit status is 1 when a creditstd row of ``administrative_penalty`` stays under ``--target`` records/s
(wall clock, default 10,000); with ``--cli``, when the command as a user runs it (``-j 0``) does.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

FORMATS = ("jsonl", "csv", "xml")
ON = date(2026, 6, 30)


# ---------------------------------------------------------------------------------------------- one row, in a child


def _creditstd_rows(class_name: str, n: int, error_rate: float) -> Iterator[Any]:
    from creditstd.records.fake import fake_records

    return fake_records(class_name, n, seed=1, error_rate=error_rate, on=ON)


def _faker_rows(class_name: str, n: int) -> Iterator[dict[str, Any]]:
    """The anchor: Faker filling a flat dict with the class's keys, by each field's kind."""
    from faker import Faker

    from creditstd.records.model import record_class

    fake = Faker("zh_CN")
    fake.seed_instance(1)
    fields = record_class(class_name).fields
    makers = []
    for key, spec in fields.items():
        kind = spec.kind
        if kind == "date":
            makers.append((key, lambda: fake.date_between("-4y", "today").isoformat()))
        elif kind in ("number", "integer"):
            makers.append((key, lambda: fake.pyfloat(min_value=0.05, max_value=500, right_digits=2)))
        elif kind == "boolean":
            makers.append((key, fake.pybool))
        elif kind == "array":
            makers.append((key, lambda: [fake.word(), fake.word()]))
        elif "name" in key or key.endswith(("authority", "source")):
            makers.append((key, fake.company))
        elif "representative" in key or "person" in key:
            makers.append((key, fake.name))
        elif key.endswith(("id_number", "uscc")):
            makers.append((key, fake.ssn))
        else:
            makers.append((key, fake.sentence))
    for _ in range(n):
        yield {key: make() for key, make in makers}


def _write(rows: Iterable[Any], class_name: str, output_format: str, stream: Any) -> int:
    from creditstd.records.export import write_csv, write_jsonl, write_xml

    if output_format == "jsonl":
        return write_jsonl(rows, stream)
    if output_format == "csv":
        return write_csv(rows, class_name, stream)
    return write_xml(rows, class_name, stream)


def _write_plain(rows: Iterable[dict[str, Any]], output_format: str, stream: Any) -> int:
    """How a Faker user writes: json.dumps per line, csv.writer, lxml elements."""
    import csv

    count = 0
    if output_format == "jsonl":
        for row in rows:
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    elif output_format == "csv":
        writer = None
        for row in rows:
            if writer is None:
                writer = csv.writer(stream)
                writer.writerow(list(row))
            writer.writerow(["；".join(map(str, v)) if isinstance(v, list) else v for v in row.values()])
            count += 1
    else:
        from lxml import etree

        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n<Records>\n')
        for row in rows:
            element = etree.Element("Record")
            for key, value in row.items():
                etree.SubElement(element, key).text = "；".join(map(str, value)) if isinstance(value, list) \
                    else str(value)
            stream.write("  " + etree.tostring(element, encoding="unicode") + "\n")
            count += 1
        stream.write("</Records>\n")
    return count


def child(tool: str, class_name: str, output_format: str, error_rate: float, n: int) -> dict[str, Any]:
    if tool == "creditstd":
        list(_creditstd_rows(class_name, 1, error_rate))  # build the plan and the validator: not per record
    else:
        next(_faker_rows(class_name, 1))
    with open(os.devnull, "w", encoding="utf-8", newline="") as stream:
        wall, cpu = time.perf_counter(), time.process_time()
        if tool == "creditstd":
            count = _write(_creditstd_rows(class_name, n, error_rate), class_name, output_format, stream)
        else:
            count = _write_plain(_faker_rows(class_name, n), output_format, stream)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    return {"count": count, "wall": wall, "cpu": cpu, "rss_mb": peak}


# ---------------------------------------------------------------------------------------------- the table


def _run(tool: str, class_name: str, output_format: str, error_rate: float, n: int, repeat: int) -> dict[str, Any]:
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--child", tool, class_name, output_format, str(error_rate),
                              str(n)], check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(out))
    return {"tool": tool, "class": class_name, "format": output_format, "error_rate": error_rate, "n": n,
            "per_s_wall": n / statistics.median(run["wall"] for run in runs),
            "per_s_cpu": n / statistics.median(run["cpu"] for run in runs),
            "per_s_cpu_best": n / min(run["cpu"] for run in runs),
            "rss_mb": max(run["rss_mb"] for run in runs)}


def _cli(n: int, output_format: str, error_rate: float, jobs: int) -> dict[str, Any]:
    """``creditstd fake`` end to end (interpreter start, imports, atomic write to a real file), in ``jobs``
    processes (0: the command's default, one per usable CPU); CPU time is the command's and its workers'."""
    creditstd = os.path.join(os.path.dirname(sys.executable), "creditstd")
    with tempfile.TemporaryDirectory() as folder:
        target = os.path.join(folder, f"out.{output_format}")
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", creditstd, "fake", "administrative_penalty", "-n",
                               str(n), "--format", output_format, "--error-rate", str(error_rate), "--seed", "1",
                               "-j", str(jobs), "-o", target], check=True, capture_output=True, text=True)
        wall = time.perf_counter() - start
        size = os.path.getsize(target)
    rss_kb, user, system = done.stderr.strip().splitlines()[-1].split()
    return {"format": output_format, "error_rate": error_rate, "jobs": jobs, "n": n, "wall": wall, "per_s": n / wall,
            "cpu": float(user) + float(system), "rss_mb": int(rss_kb) / 1024, "bytes": size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="records per row")
    parser.add_argument("--repeat", type=int, default=3, help="runs per row (the median is reported)")
    parser.add_argument("--classes", default="administrative_penalty", help="comma-separated, or 'all'")
    parser.add_argument("--error-rates", default="0,0.1", help="comma-separated shares of broken records")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--no-faker", action="store_true", help="skip the plain-Faker anchor rows")
    parser.add_argument("--cli", type=int, default=0, metavar="N", help="also run `creditstd fake -n N` per format")
    parser.add_argument("--target", type=float, default=10_000, help="records/s each penalty row must reach")
    parser.add_argument("--json", metavar="PATH", help="write every row as JSON")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        tool, class_name, output_format, rate, n = args.child
        print(json.dumps(child(tool, class_name, output_format, float(rate), int(n))))
        return 0

    from creditstd.records.loader import class_names

    classes = class_names() if args.classes == "all" else args.classes.split(",")
    formats = args.formats.split(",")
    rates = [float(rate) for rate in args.error_rates.split(",")]
    print(f"{args.n:,} records per row, median of {args.repeat} fresh interpreters; Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"{'class':<28} {'format':<6} {'errors':>6} {'creditstd/s':>12} {'(cpu)':>9} {'(best)':>9} {'RSS MB':>7}"
          f" {'faker/s':>9} {'(cpu)':>9} {'ratio':>6}")
    rows, failed = [], []
    anchors: dict[tuple[str, str], dict[str, Any]] = {}
    for class_name in classes:
        for output_format in formats:
            if not args.no_faker:
                anchors[(class_name, output_format)] = _run("faker", class_name, output_format, 0.0, args.n,
                                                            args.repeat)
                rows.append(anchors[(class_name, output_format)])
            for rate in rates:
                row = _run("creditstd", class_name, output_format, rate, args.n, args.repeat)
                rows.append(row)
                anchor = anchors.get((class_name, output_format))
                shown = (f" {anchor['per_s_wall']:>9,.0f} {anchor['per_s_cpu']:>9,.0f}"
                         f" {row['per_s_wall'] / anchor['per_s_wall']:>5.1f}x") if anchor else ""
                print(f"{class_name:<28} {output_format:<6} {rate:>6.0%} {row['per_s_wall']:>12,.0f}"
                      f" {row['per_s_cpu']:>9,.0f} {row['per_s_cpu_best']:>9,.0f} {row['rss_mb']:>7.0f}{shown}",
                      flush=True)
                if class_name == "administrative_penalty" and row["per_s_wall"] < args.target and not args.cli:
                    failed.append(f"{output_format} at {rate:.0%} errors: {row['per_s_wall']:,.0f}/s")
    if args.cli:
        print(f"\ncreditstd fake administrative_penalty -n {args.cli:,} end to end (/usr/bin/time), in one process "
              "(-j 1) and in one per usable CPU (-j 0, the default):")
        for output_format in formats:
            for rate in rates:
                alone = _cli(args.cli, output_format, rate, 1)
                run = _cli(args.cli, output_format, rate, 0)
                rows += [{"tool": "cli", **alone}, {"tool": "cli", **run}]
                for label, row in (("-j 1", alone), ("-j 0", run)):
                    print(f"  {output_format:<6} {rate:>4.0%} errors {label}: {row['wall']:7.1f} s wall "
                          f"({row['per_s']:,.0f}/s), {row['cpu']:.1f} s CPU, peak RSS {row['rss_mb']:.0f} MB, "
                          f"{row['bytes'] / 1e6:,.0f} MB written", flush=True)
                print(f"  {'':<6} {'':>4}        parallel / one process: {run['per_s'] / alone['per_s']:.2f}x",
                      flush=True)
                if run["per_s"] < args.target:
                    failed.append(f"the command, {output_format} at {rate:.0%} errors: {run['per_s']:,.0f}/s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(rows, handle, indent=1)
    if failed:
        print(f"\nunder {args.target:,.0f} records/s: " + "; ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
