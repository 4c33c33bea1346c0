"""Validation of a departmental export, side by side in one run: the compiled core vs the per-record validator.

Builds an administrative-penalty export with ``creditstd``'s fake-data generator (``--seed-rows`` distinct
rows, about 5% of them broken, repeated up to ``--rows``), then measures, in this process:

* ``validate_table`` (the compiled core) over Arrow batches of the file's text cells;
* the per-record validator (``RecordValidator.iter_errors``) on a sample of the same rows;
* ``creditstd validate`` end to end (read, check, report) as a subprocess, wall time and peak RSS;
* ``frictionless validate`` with an equivalent Table Schema, if frictionless is installed (it is not a
  dependency of creditstd: ``pip install frictionless`` to include it).

Prints rows/s and the ratios.  Usage::

    python benchmarks/bench_validate.py --rows 200000
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from creditstd.records.export import write_csv
from creditstd.records.fake import fake_records
from creditstd.records.model import record_class
from creditstd.records.plan import compile_plan, decode_rows, validate_table
from creditstd.records.validation import validator

CLASS = "administrative_penalty"
TODAY = date(2026, 11, 1)


def build(path: Path, rows: int, seed_rows: int) -> None:
    """Write the export: ``seed_rows`` generated rows (5% broken), repeated up to ``rows`` data rows."""
    sample = Path(str(path) + ".seed")
    with open(sample, "w", encoding="utf-8", newline="") as stream:
        write_csv((fake.record for fake in fake_records(CLASS, seed_rows, seed=1, error_rate=0.05, on=TODAY)),
                  CLASS, stream, headers="key")
    header, *body = sample.read_text(encoding="utf-8").splitlines(keepends=True)
    with open(path, "w", encoding="utf-8", newline="") as stream:
        stream.write(header)
        written = 0
        while written < rows:
            chunk = body[: rows - written]
            stream.writelines(chunk)
            written += len(chunk)
    sample.unlink()


def read_batches(path: Path) -> list[pa.RecordBatch]:
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
    table = table.cast(pa.schema([pa.field(name, pa.string()) for name in table.column_names]))
    return table.to_batches(max_chunksize=65536)


def core(batches: list[pa.RecordBatch]) -> tuple[float, int, int]:
    plan = compile_plan(CLASS, today=TODAY)
    start = time.perf_counter()
    rows = invalid = 0
    for batch in batches:
        result = validate_table(plan, batch)
        rows += batch.num_rows
        invalid += result.invalid_count
    return time.perf_counter() - start, rows, invalid


def row_path(batches: list[pa.RecordBatch], sample: int) -> tuple[float, int]:
    plan = compile_plan(CLASS, today=TODAY)
    records = decode_rows(plan, batches[0], range(min(sample, batches[0].num_rows)))
    check = validator(CLASS)
    start = time.perf_counter()
    for record in records:
        list(check.iter_errors(record, today=TODAY))
    return time.perf_counter() - start, len(records)


def command(path: Path) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of ``creditstd validate FILE --format json`` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from creditstd.cli import main; main()", "validate", str(path),
                    "--class", CLASS, "--format", "json", "--on", TODAY.isoformat()],
                   stdout=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - start
    return elapsed, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def table_schema() -> dict:
    """A frictionless Table Schema equivalent to the class as far as Table Schema can say it."""
    fields = []
    for key, spec in record_class(CLASS).fields.items():
        schema = spec.schema
        constraints: dict = {}
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


def frictionless(path: Path, folder: Path) -> float | None:
    executable = shutil.which("frictionless")
    if executable is None:
        return None
    schema = folder / "schema.json"
    schema.write_text(json.dumps(table_schema(), ensure_ascii=False), encoding="utf-8")
    start = time.perf_counter()
    subprocess.run([executable, "validate", str(path), "--schema", str(schema), "--limit-errors", "100000000"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed-rows", type=int, default=20_000)
    parser.add_argument("--row-sample", type=int, default=2_000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "penalties.csv"
        build(path, arguments.rows, arguments.seed_rows)
        batches = read_batches(path)
        seconds, rows, invalid = core(batches)
        core_rate = rows / seconds
        row_seconds, sampled = row_path(batches, arguments.row_sample)
        row_rate = sampled / row_seconds
        wall, rss = command(path)
        print(f"{rows:,} rows, {invalid:,} invalid ({invalid / rows:.1%}), {path.stat().st_size / 1e6:.0f} MB")
        print(f"validate_table (compiled core):    {core_rate:12,.0f} rows/s")
        print(f"per-record validator (row path):   {row_rate:12,.0f} rows/s   core is {core_rate / row_rate:5.1f}x")
        print(f"creditstd validate, end to end:    {rows / wall:12,.0f} rows/s   peak RSS {rss:,.0f} MB")
        other = frictionless(path, Path(folder))
        if other is None:
            print("frictionless validate:             not installed (pip install frictionless to compare)")
        else:
            print(f"frictionless validate:             {rows / other:12,.0f} rows/s   "
                  f"creditstd validate is {other / wall:5.1f}x")


if __name__ == "__main__":
    main()
