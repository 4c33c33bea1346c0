"""The Spark path against ``creditstd validate``, side by side in one run, on the same CSV export.

Makes an administrative-penalty export with ``creditstd fake administrative_penalty -n ROWS --format csv``
(national field codes as headers, about 5% of the records broken on purpose; kept in ``--workdir`` and reused),
optionally a larger one made of ``--copies`` copies of it, each copy's decision numbers suffixed ``#k`` so that
no record repeats (the identity fields differ; everything else, and so each copy's verdicts, are the same), then
measures in one run:

* ``cli``: ``creditstd validate FILE --class administrative_penalty --format json -o /dev/null`` in a child
  process, wall time (read, check, duplicates, report; one process: the CLI overlaps reading and checking);
* ``spark_start``: ``SparkSession`` start-up in ``local[N]`` (a JVM), reported apart;
* ``spark_pass``: the one ``mapInArrow`` pass over every row (``SparkValidation.checked`` written to Spark's
  ``noop`` sink): reading the CSV, Arrow to Python and back, the core;
* ``spark_no_duplicates``: ``validate_dataframe(..., duplicates=False)``, the valid rows and the errors written
  as Parquet (two actions, so the pass runs twice unless persisted, which is what a plain job does);
* ``spark``: the default, duplicates included (one more narrow pass over the identity columns and one shuffle
  of (row id, key) pairs), valid rows and errors written as Parquet;
* ``spark_persisted``: the same with ``checked`` persisted (``DISK_ONLY``), so the validation pass runs once.

With ``--convert``, the conversion too (``creditstd convert`` against :func:`creditstd.spark.convert_dataframe`
on the same CSV, with the mapping of the export's own layout, ``export_mapping``):

* ``convert_cli``: ``creditstd convert FILE --mapping M -o BATCH ...`` in a child process, wall time (read,
  convert, check, write the batch, rejects and report);
* ``convert_spark``: ``convert_dataframe`` in ``local[N]`` (the identity pass that finds repeats across
  partitions, then the conversion pass writing one part per partition, the summary), wall time;
* ``convert_spark_no_duplicates``: the same with ``duplicates=False`` (no identity pass: the difference is its
  cost).

Each conversion's records out and rejected must equal the CLI's (its manifest's accounting); the parts verify.

Each figure is rows/s of wall-clock time for the whole file (the median of ``--repeat`` runs); the ratio is
against the CLI.  The accounting (valid + rejected = rows, the same counts as the CLI's report) is checked on
the first run.  ``--json`` writes everything, with the machine's core count and load.  Usage::

    .venv/bin/python benchmarks/bench_spark.py --rows 100000 --copies 10 \\
        --copies-modes pass,no_duplicates,default,persisted --json benchmarks/results-spark.json
    .venv/bin/python benchmarks/bench_spark.py --rows 100000 --copies 100 --only-copies \\
        --copies-modes pass,persisted --json benchmarks/results-spark-10m.json
    .venv/bin/python benchmarks/bench_spark.py --rows 1000000 --convert-only \\
        --json benchmarks/results-spark-convert.json
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

CLASS = "administrative_penalty"
TODAY = date(2026, 12, 1)
CREDITSTD = [sys.executable, "-m", "creditstd.cli"] if shutil.which("creditstd") is None else ["creditstd"]


def _creditstd() -> list[str]:
    script = Path(sys.executable).parent / "creditstd"
    return [str(script)] if script.exists() else CREDITSTD


def make_export(workdir: Path, rows: int) -> Path:
    path = workdir / f"penalties-{rows}.csv"
    if not path.exists():
        started = time.perf_counter()
        subprocess.run([*_creditstd(), "fake", CLASS, "-n", str(rows), "--format", "csv", "--error-rate", "0.05",
                        "--seed", "1", "--on", TODAY.isoformat(), "-o", str(path)], check=True)
        print(f"generated {rows:,} rows in {time.perf_counter() - started:.0f} s: {path}", flush=True)
    return path


def make_copies(source: Path, copies: int) -> Path:
    """``copies`` copies of ``source``, each with its decision numbers (an identity field) suffixed ``#k``."""
    path = source.with_name(source.stem + f"-x{copies}.csv")
    if path.exists():
        return path
    table = pacsv.read_csv(source, convert_options=pacsv.ConvertOptions(
        column_types={name: pa.string() for name in _headers(source)}, strings_can_be_null=False))
    index = table.column_names.index("CF_WSH")
    with pacsv.CSVWriter(path, table.schema) as writer:
        for copy in range(copies):
            numbered = pc.binary_join_element_wise(table.column(index), pa.scalar(f"#{copy}"), "")
            writer.write_table(table.set_column(index, "CF_WSH", numbered) if copy else table)
    print(f"wrote {copies} copies: {path}", flush=True)
    return path


def _headers(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as stream:
        return next(csv.reader(stream))


def time_cli(path: Path) -> tuple[float, dict[str, Any]]:
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        started = time.perf_counter()
        done = subprocess.run([*_creditstd(), "validate", str(path), "--class", CLASS, "--format", "json",
                               "--on", TODAY.isoformat(), "--no-progress", "-o", report.name])
        elapsed = time.perf_counter() - started
        assert done.returncode in (0, 1), done.returncode
        rows = json.loads(Path(report.name).read_text("utf-8"))["files"][0]["rows"]
    return elapsed, rows


def time_core(path: Path) -> tuple[float, int]:
    """CPU seconds of the batch function alone (what each Spark task runs per batch), in this process, over the
    file read by pyarrow as text in blocks of about 10,000 rows (Spark's default Arrow batch); reading is not
    counted.  One core: the rate per executor core before Spark's own costs (CSV parsing, Arrow transfer)."""
    from creditstd.spark import validate_batch_function

    check = validate_batch_function(CLASS, today=TODAY)
    reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=7 << 20),
                            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(_headers(path),
                                                                                                pa.string())))
    seconds, rows = 0.0, 0
    for batch in reader:
        started = time.process_time()
        check(batch)
        seconds += time.process_time() - started
        rows += batch.num_rows
    return seconds, rows


def spark_session(cores: int, memory: str) -> Any:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master(f"local[{cores}]").appName("creditstd-bench")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", str(cores * 2))
               .config("spark.driver.memory", memory).getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session


def run_spark(spark: Any, path: Path, out: Path, mode: str) -> tuple[float, int, int]:
    """Wall time of one job in ``mode``, and the valid and rejected counts (counted after the timing)."""
    from pyspark import StorageLevel

    from creditstd.spark import validate_dataframe

    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    df = spark.read.csv(str(path), header=True, encoding="utf-8")
    validation = validate_dataframe(df, CLASS, today=TODAY, duplicates=mode not in ("pass", "no_duplicates"))
    if mode == "pass":
        validation.checked.write.format("noop").mode("overwrite").save()
    else:
        if mode == "persisted":  # on disk: MEMORY_AND_DISK ran out of a 2 GB heap unrolling 128 MB partitions
            validation.checked.persist(StorageLevel.DISK_ONLY)
        validation.valid.write.parquet(str(out / "valid"))
        validation.errors.write.parquet(str(out / "errors"))
    elapsed = time.perf_counter() - started
    if mode == "pass":
        valid = rejected = -1
    else:
        valid = spark.read.parquet(str(out / "valid")).count()
        rejected = spark.read.parquet(str(out / "errors")).select(validation.row_id).distinct().count()
    if mode == "persisted":
        validation.checked.unpersist()
    return elapsed, valid, rejected


DEPARTMENT = {"department": "某市市场监督管理局", "department_uscc": "11350100MAD18YGF27"}


def convert_mapping(workdir: Path) -> Path:
    """The mapping of the generated export (the catalogue's own layout, national field codes as headers)."""
    from creditstd.convert.mapping import export_mapping

    path = workdir / "penalties-csv.toml"
    path.write_text(export_mapping(CLASS, "csv", name="bench-spark"), encoding="utf-8")
    return path


def time_cli_convert(path: Path, mapping: Path, out: Path) -> tuple[float, dict[str, int]]:
    """``creditstd convert`` in a child process: wall seconds and its manifest's accounting."""
    batch = out / "cli-batch"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    started = time.perf_counter()
    done = subprocess.run([*_creditstd(), "convert", str(path), "--mapping", str(mapping), "-o", str(batch),
                           "--department", DEPARTMENT["department"], "--department-uscc",
                           DEPARTMENT["department_uscc"], "--on", TODAY.isoformat(), "--no-progress",
                           "--format", "json", "--report", str(out / "cli-report.json")], capture_output=True)
    elapsed = time.perf_counter() - started
    assert done.returncode in (0, 1), done.stderr.decode()[-2000:]
    manifest = json.loads((batch / "manifest.json").read_text("utf-8"))
    return elapsed, manifest["accounting"]


def run_spark_convert(spark: Any, path: Path, mapping: Path, out: Path, duplicates: bool) -> tuple[float, Any]:
    """Wall time of ``convert_dataframe`` (reading included), and its result."""
    from creditstd.convert import load_mapping
    from creditstd.spark import convert_dataframe

    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    df = spark.read.csv(str(path), header=True, encoding="utf-8", escape='"')
    result = convert_dataframe(df, load_mapping(mapping), out, on=TODAY, duplicates=duplicates, **DEPARTMENT)
    elapsed = time.perf_counter() - started
    return elapsed, result


def bench_convert(path: Path, rows: int, args: argparse.Namespace, spark: Any) -> dict[str, Any]:
    from creditstd.records.exchange_summary import verify_summary

    mapping = convert_mapping(args.workdir)
    out = args.workdir / "convert"
    result: dict[str, Any] = {"rows": rows, "file": path.name, "bytes": path.stat().st_size}
    seconds, accounting = time_cli_convert(path, mapping, out)
    result["convert_cli"] = {"seconds": seconds, "rows_per_s": rows / seconds, "accounting": accounting}
    print(f"  convert_cli          {seconds:8.1f} s {rows / seconds:12,.0f} rows/s  {accounting}", flush=True)
    for name, duplicates in (("convert_spark", True), ("convert_spark_no_duplicates", False)):
        seconds, done = run_spark_convert(spark, path, mapping, out / name, duplicates)
        counts = {"rows_in": done.rows_in, "records_out": done.records_out, "rejected": done.rejected}
        if duplicates:  # without the identity pass a repeat across partitions would be kept: compare only with it
            assert counts == accounting, (name, counts, accounting)
            verified = verify_summary(out / name, validate=False)
            assert verified.ok, [str(problem) for problem in verified.problems[:5]]
        done.unpersist()
        ratio = result["convert_cli"]["seconds"] / seconds
        result[name] = {"seconds": seconds, "rows_per_s": rows / seconds, "vs_cli": ratio, **counts,
                        "parts": len(done.parts), "repeats": done.repeats,
                        "passes_seconds": {key: round(value, 2) for key, value in done.timings.items()}}
        passes = ", ".join(f"{key} {value:.1f} s" for key, value in done.timings.items())
        print(f"  {name:28} {seconds:8.1f} s {rows / seconds:12,.0f} rows/s  {ratio:5.2f}x the CLI  "
              f"({len(done.parts)} parts, {done.repeats} repeats; {passes})", flush=True)
    shutil.rmtree(out, ignore_errors=True)
    return result


def median_of(repeat: int, run: Callable[[], float]) -> tuple[float, list[float]]:
    times = [run() for _ in range(repeat)]
    return statistics.median(times), times


MODES = ("pass", "no_duplicates", "default", "persisted")
NAMES = {"pass": "spark_pass", "no_duplicates": "spark_no_duplicates", "default": "spark",
         "persisted": "spark_persisted"}


def warm_up(spark: Any, path: Path) -> float:
    """One small job first (not timed in the table): Spark's Python workers start and compile the plan once,
    and keep it for every later task, as on a cluster's long-running executors."""
    from creditstd.spark import validate_dataframe

    started = time.perf_counter()
    df = spark.read.csv(str(path), header=True, encoding="utf-8").limit(2000)
    validate_dataframe(df, CLASS, today=TODAY).errors.write.format("noop").mode("overwrite").save()
    return time.perf_counter() - started


def bench(path: Path, rows: int, args: argparse.Namespace, spark: Any, out: Path,
          modes: tuple[str, ...] = MODES) -> dict[str, Any]:
    result: dict[str, Any] = {"rows": rows, "file": path.name, "bytes": path.stat().st_size}
    cli_rows: dict[str, Any] = {}

    def cli() -> float:
        elapsed, counts = time_cli(path)
        cli_rows.update(counts)
        return elapsed

    core, counted = time_core(path)
    assert counted == rows, (counted, rows)
    result["core_one_cpu"] = {"cpu_seconds": core, "rows_per_cpu_s": rows / core}
    print(f"  core (1 CPU, no I/O) {core:8.1f} s {rows / core:12,.0f} rows/s of CPU", flush=True)
    if args.core_only:
        return result
    seconds, runs = median_of(args.repeat, cli)
    result["cli"] = {"seconds": seconds, "runs": runs, "rows_per_s": rows / seconds, "report_rows": cli_rows}
    print(f"  cli                  {seconds:8.1f} s {rows / seconds:12,.0f} rows/s", flush=True)
    for mode in modes:
        counts: list[tuple[int, int]] = []

        def job(mode: str = mode, counts: list[tuple[int, int]] = counts) -> float:
            elapsed, valid, rejected = run_spark(spark, path, out, mode)
            counts.append((valid, rejected))
            return elapsed

        seconds, runs = median_of(args.repeat, job)
        name = NAMES[mode]
        valid, rejected = counts[0]
        if mode != "pass":
            assert valid + rejected == rows, (mode, valid, rejected, rows)
            if mode != "no_duplicates":  # the CLI rejects repeated records too
                assert (valid, rejected) == (cli_rows["valid"], cli_rows["rejected"]), (mode, valid, rejected, cli_rows)
        ratio = result["cli"]["seconds"] / seconds
        result[name] = {"seconds": seconds, "runs": runs, "rows_per_s": rows / seconds, "vs_cli": ratio,
                        "valid": valid, "rejected": rejected}
        print(f"  {name:20} {seconds:8.1f} s {rows / seconds:12,.0f} rows/s  {ratio:5.2f}x the CLI", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows generated (default 1,000,000)")
    parser.add_argument("--copies", default="", help="also time files of this many copies, comma-separated (10,100)")
    parser.add_argument("--only-copies", action="store_true", help="time only the files of copies")
    parser.add_argument("--core-only", action="store_true", help="time only the batch function in this process")
    parser.add_argument("--copies-modes", default="pass,persisted",
                        help=f"the Spark jobs timed on the copies (default pass,persisted; of {','.join(MODES)})")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per row of the table (median)")
    parser.add_argument("--cores", type=int, default=2, help="Spark local[N] (default 2)")
    parser.add_argument("--memory", default="2g", help="Spark driver memory (default 2g)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "creditstd-bench-spark")
    parser.add_argument("--convert", action="store_true",
                        help="also time the conversion: creditstd convert against convert_dataframe")
    parser.add_argument("--convert-only", action="store_true", help="time only the conversion")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    generated = make_export(args.workdir, args.rows)
    files = [] if args.only_copies else [(generated, args.rows)]
    for copies in (int(count) for count in args.copies.split(",") if count):
        files.append((make_copies(generated, copies), args.rows * copies))
    start_up = warm = 0.0
    spark: Any = None
    if not args.core_only:
        started = time.perf_counter()
        spark = spark_session(args.cores, args.memory)
        start_up = time.perf_counter() - started
        print(f"Spark local[{args.cores}] started in {start_up:.1f} s", flush=True)
        warm = warm_up(spark, generated)
        print(f"warm-up job (2,000 rows, Python workers start, plan compiled): {warm:.1f} s", flush=True)
    try:
        import pyspark
    except ImportError:
        pyspark = None  # type: ignore[assignment]  (--core-only runs without PySpark)

    results: dict[str, Any] = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": {"cores": os.cpu_count(), "load_before": os.getloadavg(), "python": platform.python_version(),
                    "pyspark": pyspark and pyspark.__version__, "pyarrow": pa.__version__,
                    "spark_master": f"local[{args.cores}]", "driver_memory": args.memory},
        "spark_start_seconds": start_up, "warm_up_seconds": warm, "runs": []}
    try:
        if args.convert or args.convert_only:
            print(f"convert {args.rows:,} rows ({generated.stat().st_size / 1e6:,.0f} MB):", flush=True)
            results["convert"] = bench_convert(generated, args.rows, args, spark)
            if args.json:
                args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        for number, (path, rows) in enumerate([] if args.convert_only else files):
            print(f"{rows:,} rows ({path.stat().st_size / 1e6:,.0f} MB):", flush=True)
            modes = MODES if number == 0 and not args.only_copies else tuple(args.copies_modes.split(","))
            results["runs"].append(bench(path, rows, args, spark, args.workdir / "out", modes))
            if args.json:  # written after each file, so a long run keeps what it has measured
                args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    finally:
        if spark is not None:
            spark.stop()
    results["machine"]["load_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
