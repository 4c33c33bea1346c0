"""Validation of a departmental export, side by side in one run: creditstd against frictionless and the row path.

Builds an administrative-penalty export with creditstd's fake-data generator (``--rows`` data rows, every one
generated, about 5% broken on purpose; ``--seed-rows`` N < rows repeats N generated rows instead, which is
quicker but lets the validator's memory of values it has seen help more than real data would), in UTF-8 and
in GBK, then measures in one run:

* ``validate_table`` (the compiled core) over Arrow batches of the file's text cells, in this process;
* the per-record validator (``RecordValidator.iter_errors``, the path every record took before the core) on a
  sample of the same rows;
* ``creditstd validate FILE --format json`` end to end (read, check, report) in a child process, for the UTF-8
  and the GBK file: wall time and peak RSS (the child's ``VmHWM``);
* ``frictionless validate`` on the same files with an equivalent Table Schema generated from the class (types,
  required, lengths, code tables, a pattern for the USCC columns), when it is installed: it is not a dependency
  of creditstd; install it in its own environment (``python -m venv /tmp/fl && /tmp/fl/bin/pip install
  frictionless``) and pass ``--frictionless /tmp/fl/bin/frictionless``.  Its JSON report is read to make sure it
  went through every row.

Prints rows/s, ratios and the issue's targets (10x frictionless, 50x the row path, peak RSS <= 300 MB);
``--json FILE`` writes the figures.  Usage::

    python benchmarks/bench_validate.py --rows 1000000 --frictionless /tmp/fl/bin/frictionless
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from creditstd.records.export import write_csv
from creditstd.records.fake import fake_records
from creditstd.records.model import record_class
from creditstd.records.plan import compile_plan, decode_rows, validate_table
from creditstd.records.validation import validator

CLASS = "administrative_penalty"
TODAY = date(2026, 11, 1)
#: Runs ``creditstd validate`` and writes the process's peak RSS (kB) to the file named first.
_CHILD = """
import atexit, sys
out = sys.argv.pop(1)
def peak():
    with open('/proc/self/status') as status, open(out, 'w') as target:
        target.write(next(line for line in status if line.startswith('VmHWM')).split()[1])
atexit.register(peak)
from creditstd.cli import main
main()
"""


def build(path: Path, rows: int, seed_rows: int) -> None:
    """Write the export: ``seed_rows`` generated rows (5% broken), repeated up to ``rows`` data rows."""
    seed_rows = min(seed_rows, rows)
    with open(path, "w", encoding="utf-8", newline="") as stream:
        write_csv((fake.record for fake in fake_records(CLASS, seed_rows, seed=1, error_rate=0.05, on=TODAY)),
                  CLASS, stream, headers="key")
    if seed_rows == rows:
        return
    header, *body = path.read_text(encoding="utf-8").splitlines(keepends=True)
    with open(path, "w", encoding="utf-8", newline="") as stream:
        stream.write(header)
        written = 0
        while written < rows:
            chunk = body[: rows - written]
            stream.writelines(chunk)
            written += len(chunk)


def to_gbk(source: Path, target: Path) -> int:
    """Copy ``source`` as GBK; a line with a character GBK lacks is left out (returns the lines left out)."""
    left_out = 0
    with open(source, encoding="utf-8", newline="") as reading, open(target, "wb") as writing:
        for line in reading:
            try:
                writing.write(line.encode("gbk"))
            except UnicodeEncodeError:
                left_out += 1
    return left_out


def read_batches(path: Path) -> list[pa.RecordBatch]:
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
    table = table.cast(pa.schema([pa.field(name, pa.string()) for name in table.column_names]))
    return table.combine_chunks().to_batches(max_chunksize=65536)


def core(batches: list[pa.RecordBatch]) -> tuple[float, int, int]:
    plan = compile_plan(CLASS, today=TODAY)
    validate_table(plan, batches[0].slice(0, 100))  # compiled, warm
    start = time.perf_counter()
    rows = invalid = 0
    for batch in batches:
        result = validate_table(plan, batch)
        rows += batch.num_rows
        invalid += result.invalid_count
    return time.perf_counter() - start, rows, invalid


def row_path(batches: list[pa.RecordBatch], sample: int) -> tuple[float, int]:
    """The per-record validator on the first ``sample`` rows, with a fresh validator (nothing remembered)."""
    plan = compile_plan(CLASS, today=TODAY)
    records = decode_rows(plan, batches[0], range(min(sample, batches[0].num_rows)))
    check = type(validator(CLASS))(record_class(CLASS))
    start = time.perf_counter()
    for record in records:
        list(check.iter_errors(record, today=TODAY))
    return time.perf_counter() - start, len(records)


def _children_cpu() -> float:
    """CPU seconds (user + system) of the child processes waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def command(path: Path, folder: Path) -> tuple[float, float, dict[str, Any], float]:
    """Wall time, peak RSS (MB), the totals of ``creditstd validate FILE --format json`` in a child process,
    and the child's CPU time."""
    peak, report = folder / "peak.txt", folder / "report.json"
    start, cpu = time.perf_counter(), _children_cpu()
    subprocess.run([sys.executable, "-c", _CHILD, str(peak), "validate", str(path), "--class", CLASS,
                    "--format", "json", "-o", str(report), "--on", TODAY.isoformat()], check=False)
    elapsed = time.perf_counter() - start
    totals = json.loads(report.read_text(encoding="utf-8"))["totals"]
    return elapsed, int(peak.read_text()) / 1024, totals, _children_cpu() - cpu


def table_schema() -> dict[str, Any]:
    """A frictionless Table Schema equivalent to the class as far as Table Schema can say it."""
    fields = []
    for key, spec in record_class(CLASS).fields.items():
        schema = spec.schema
        constraints: dict[str, Any] = {}
        if spec.required:
            constraints["required"] = True
        if "maxLength" in schema:
            constraints["maxLength"] = schema["maxLength"]
        if "enum" in schema:
            constraints["enum"] = schema["enum"]
        kind = {"date": "date", "amount_wan": "number"}.get(spec.kind, "string")
        if kind == "string" and spec.kind in ("uscc", "uscc_or_placeholder"):
            constraints["pattern"] = "[0-9A-HJ-NPQRTUWXY]{18}"
        fields.append({"name": key, "type": kind, **({"constraints": constraints} if constraints else {})})
    return {"fields": fields}


def frictionless(executable: str, path: Path, encoding: str) -> tuple[float, int, float] | None:
    """Wall time, rows read and CPU time of ``frictionless validate`` (run in the file's folder: it refuses
    absolute paths outside the working directory as unsafe)."""
    folder = path.parent
    (folder / "schema.json").write_text(json.dumps(table_schema(), ensure_ascii=False), encoding="utf-8")
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run([executable, "validate", path.name, "--schema", "schema.json", "--encoding", encoding,
                           "--limit-errors", "1000000000", "--json"], cwd=folder, capture_output=True, check=False)
    elapsed, cpu = time.perf_counter() - start, _children_cpu() - cpu
    try:
        rows = int(json.loads(done.stdout)["tasks"][0]["stats"]["rows"])
    except (ValueError, KeyError, IndexError, TypeError):
        print(f"frictionless did not finish: {done.stdout[:300]!r} {done.stderr[:300]!r}", file=sys.stderr)
        return None
    return elapsed, rows, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed-rows", type=int, default=None, help="generate only N rows and repeat them")
    parser.add_argument("--row-sample", type=int, default=2_000)
    parser.add_argument("--frictionless", default=shutil.which("frictionless"), help="the frictionless executable")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    arguments = parser.parse_args()
    figures: dict[str, Any] = {"rows": arguments.rows, "cpus": os.cpu_count(), "python": sys.version.split()[0],
                               "pyarrow": pa.__version__, "load_average_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        utf8, gbk = folder / "penalties.csv", folder / "penalties_gbk.csv"
        start = time.perf_counter()
        build(utf8, arguments.rows, arguments.seed_rows or arguments.rows)
        left_out = to_gbk(utf8, gbk)
        print(f"built {arguments.rows:,} rows in {time.perf_counter() - start:.0f} s "
              f"({utf8.stat().st_size / 1e6:.0f} MB UTF-8, {gbk.stat().st_size / 1e6:.0f} MB GBK, "
              f"{left_out} lines without a GBK form left out)")
        batches = read_batches(utf8)
        seconds, rows, invalid = core(batches)
        figures["core_rows_per_s"] = core_rate = rows / seconds
        row_seconds, sampled = row_path(batches, arguments.row_sample)
        figures["row_path_rows_per_s"] = row_rate = sampled / row_seconds
        del batches
        print(f"{rows:,} rows, {invalid:,} invalid ({invalid / rows:.1%})")
        print(f"per-record validator (row path):   {row_rate:12,.0f} rows/s")
        print(f"validate_table (compiled core):    {core_rate:12,.0f} rows/s   "
              f"{core_rate / row_rate:6.1f}x the row path")
        results = []
        for label, path, encoding in (("UTF-8", utf8, "utf-8"), ("GBK", gbk, "gbk")):
            wall, rss, totals, cpu = command(path, folder)
            lines = arguments.rows - (left_out if label == "GBK" else 0)
            counted = totals["rows"]
            assert counted["read"] == lines == counted["valid"] + counted["rejected"], (counted, lines)
            rate = lines / wall
            other = frictionless(arguments.frictionless, path, encoding) if arguments.frictionless else None
            other_rate = other[1] / other[0] if other else None
            results.append({"encoding": label, "rows": lines, "creditstd_rows_per_s": rate, "peak_rss_mb": rss,
                            "creditstd_cpu_s": cpu, "frictionless_rows_per_s": other_rate,
                            "frictionless_cpu_s": other[2] if other else None})
            print(f"creditstd validate, {label:5}:         {rate:12,.0f} rows/s   {rate / row_rate:6.1f}x the row "
                  f"path   peak RSS {rss:,.0f} MB   {cpu:,.1f} s of CPU ({lines / cpu:,.0f} rows per CPU second)")
            if other is None or other_rate is None:
                print(f"frictionless validate, {label:5}:      not run (--frictionless PATH)")
            else:
                print(f"frictionless validate, {label:5}:      {other_rate:12,.0f} rows/s   creditstd is "
                      f"{rate / other_rate:5.1f}x   {other[2]:,.1f} s of CPU ({other[1] / other[2]:,.0f} rows per CPU "
                      f"second; creditstd {other[2] / cpu:,.1f}x)")
        figures["validate"] = results
    checks = [("core >= 50x the row path", core_rate >= 50 * row_rate),
              ("creditstd validate >= 50x the row path", all(r["creditstd_rows_per_s"] >= 50 * row_rate
                                                             for r in results)),
              ("peak RSS <= 300 MB", all(r["peak_rss_mb"] <= 300 for r in results))]
    if all(r["frictionless_rows_per_s"] for r in results):
        checks.append(("creditstd validate >= 10x frictionless",
                       all(r["creditstd_rows_per_s"] >= 10 * r["frictionless_rows_per_s"] for r in results)))
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    figures["targets"] = dict(checks)
    figures["load_average_after"] = os.getloadavg()[0]  # other work on the machine: wall-clock rates move with it
    print(f"load average (1 min) before {figures['load_average_before']:.1f}, "
          f"after {figures['load_average_after']:.1f}")
    if arguments.json:
        arguments.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
