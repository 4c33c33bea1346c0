"""``creditstd convert`` (export -> exchange batch), side by side in one run with what a user would otherwise write.

Builds an administrative-penalty export with creditstd's fake-data generator (``--seed-rows`` generated records
repeated to ``--rows`` data rows, each repeat's decision number made unique so every row is a distinct record;
all valid), as CSV (and with ``--xml`` as the XML that ``creditstd fake --format xml`` writes), a mapping of
every field by national field code, then measures in one run:

* ``creditstd convert FILE --mapping M -o BATCH`` end to end in a child process (read, convert, check with the
  compiled core, decode, write the exchange batch, rejects and report): wall time, the child's CPU time (user +
  system, which the load of a shared machine moves much less than wall time) and its peak RSS (``VmHWM``);
* the tool a user would otherwise pick: ``csv.DictReader`` -> dict -> ``json.dumps`` -> a JSON Lines file,
  no checks at all (in a child process too);
* for XML: a bare ``lxml.etree.iterparse`` loop that only clears elements (the issue's yardstick) and a naive
  element-to-dict mapping with ``json.dumps``;
* the stages of convert on the first ``--stage-rows`` rows, in this process: the engine alone
  (:func:`creditstd.convert.convert_source`), + the core (:func:`validate_table`), + the batch writer's
  column-wise path (:meth:`BatchWriter.add_table`, ``validate=False``).

Prints rows/s, CPU rows/s, ratios and the issue's targets (CSV >= 200,000 rows/s; XML >= 40% of the bare
iterparse loop); ``--json FILE`` writes the figures.  Usage::

    python benchmarks/bench_convert.py --rows 1000000 --xml --json benchmarks/results-convert-1m.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

CLASS = "administrative_penalty"
TODAY = date(2026, 11, 30)
DEPARTMENT = ["--department", "某市市场监督管理局", "--department-uscc", "11350100MAD18YGF27", "--on",
              TODAY.isoformat()]
#: Runs a command line (creditstd's, or a baseline script) and writes the process's peak RSS (kB) and CPU
#: seconds to the file named first.
_CHILD = """
import atexit, os, runpy, sys
out = sys.argv.pop(1)
def peak():
    times = os.times()
    with open('/proc/self/status') as status, open(out, 'w') as target:
        rss = next(line for line in status if line.startswith('VmHWM')).split()[1]
        target.write(f'{rss} {times.user + times.system}')
atexit.register(peak)
if sys.argv[1] == 'creditstd':
    sys.argv = sys.argv[1:]
    from creditstd.cli import main
    main()
else:
    script = sys.argv.pop(1)
    exec(compile(script, '<baseline>', 'exec'), {'__name__': '__main__'})
"""

#: What a user would write without creditstd: every row to a dict, every dict to a JSON line; no checks.
_CSV_BASELINE = """
import csv, json, sys
with open(sys.argv[1], encoding='utf-8', newline='') as source, open(sys.argv[2], 'w', encoding='utf-8') as out:
    for row in csv.DictReader(source):
        out.write(json.dumps(row, ensure_ascii=False) + '\\n')
"""

#: The issue's yardstick: a bare iterparse loop that only clears the elements.
_XML_BARE = """
import sys
from lxml import etree
for _, element in etree.iterparse(sys.argv[1], tag='Record'):
    element.clear()
    while element.getprevious() is not None:
        del element.getparent()[0]
"""

#: A naive element-to-dict mapping: each record's children as a dict (lists for items), one JSON line each.
_XML_NAIVE = """
import json, sys
from lxml import etree
with open(sys.argv[2], 'w', encoding='utf-8') as out:
    for _, element in etree.iterparse(sys.argv[1], tag='Record'):
        record = {}
        for child in element:
            items = [item.text for item in child]
            record[child.tag] = items if items else child.text
        out.write(json.dumps(record, ensure_ascii=False) + '\\n')
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
"""


def mapping_text(fmt: str) -> str:
    """The mapping of the export in the catalogue's layout (what ``creditstd fake`` writes)."""
    from creditstd.convert.mapping import export_mapping

    return export_mapping(CLASS, fmt, name="bench")


def records(rows: int, seed_rows: int) -> Any:
    """``rows`` valid records: ``seed_rows`` generated ones repeated, each repeat's decision number unique."""
    from creditstd.records.fake import fake_records

    seeds = [item.record for item in fake_records(CLASS, min(rows, seed_rows), seed=1, on=TODAY)]
    for number in range(rows):
        record = seeds[number % len(seeds)]
        if number >= len(seeds):
            record = {**record, "decision_number": f"{record['decision_number']}-{number // len(seeds)}"}
        yield record


def build(folder: Path, rows: int, seed_rows: int, csv: bool, xml: bool) -> dict[str, Path]:
    from creditstd.records.export import write_csv, write_xml

    paths = {}
    if csv:
        paths["csv"] = folder / "penalties.csv"
        with open(paths["csv"], "w", encoding="utf-8", newline="") as stream:
            write_csv(records(rows, seed_rows), CLASS, stream)
    if xml:
        paths["xml"] = folder / "penalties.xml"
        with open(paths["xml"], "w", encoding="utf-8") as stream:
            write_xml(records(rows, seed_rows), CLASS, stream)
    for fmt in list(paths):
        (folder / f"{fmt}.toml").write_text(mapping_text(fmt), encoding="utf-8")
    return paths


def child(arguments: list[str], folder: Path) -> dict[str, float]:
    """Run ``arguments`` in a child process: wall seconds, CPU seconds, peak RSS in MB."""
    measure = folder / "measure.txt"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, str(measure), *arguments], capture_output=True,
                          check=False)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{arguments[:2]} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    rss, cpu = measure.read_text().split()
    return {"wall_s": round(wall, 3), "cpu_s": round(float(cpu), 3), "peak_rss_mb": round(int(rss) / 1024, 1),
            "exit": done.returncode}


def convert(path: Path, mapping: Path, folder: Path) -> dict[str, float]:
    batch = folder / f"batch-{path.suffix[1:]}"
    shutil.rmtree(batch, ignore_errors=True)
    result = child(["creditstd", "convert", str(path), "--mapping", str(mapping), "-o", str(batch), *DEPARTMENT,
                    "--no-progress", "--report", str(folder / "report.txt")], folder)
    manifest = json.loads((batch / "manifest.json").read_text(encoding="utf-8"))
    result["records_out"] = manifest["records"]["count"]
    result["accounting"] = manifest["accounting"]
    return result


def stages(path: Path, mapping: Path, rows: int, folder: Path) -> dict[str, float]:
    """CPU seconds of the first ``rows`` rows through each stage, cumulatively."""
    import numpy as np

    from creditstd.convert import ConvertedChunk, combine, convert_source, load_mapping
    from creditstd.records.exchange import BatchWriter
    from creditstd.records.plan import compile_plan, validate_table

    spec = load_mapping(mapping)
    plan = compile_plan(CLASS, today=TODAY)

    def chunks() -> Any:
        count = 0
        for item in convert_source(spec, str(path)):
            if isinstance(item, ConvertedChunk):
                yield item
                count += len(item)
                if count >= rows:
                    return

    figures: dict[str, float] = {}
    for stage in ("engine", "validate", "write"):
        shutil.rmtree(folder / "stage", ignore_errors=True)
        started = time.process_time()
        writer = BatchWriter(folder / "stage", CLASS, department="某市市场监督管理局",
                             department_uscc="11350100MAD18YGF27", on=TODAY, validate=False)
        count = 0
        with writer if stage == "write" else _nothing():
            for chunk in chunks():
                count += len(chunk)
                if stage == "engine":
                    continue
                result = validate_table(plan, chunk.batch, file=chunk.file, lines=chunk.lines)
                valid, _ = combine(chunk, result)
                if stage == "write":  # as the command: the cells the core read handed over
                    writer.add_table(chunk.batch, np.flatnonzero(valid).tolist(), cells=result.cells)
        figures[stage] = round(count / (time.process_time() - started))
    return figures


class _nothing:  # noqa: N801 - a null context
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed-rows", type=int, default=20_000)
    parser.add_argument("--stage-rows", type=int, default=50_000)
    parser.add_argument("--xml", action="store_true", help="also the XML export and the iterparse yardsticks")
    parser.add_argument("--xml-only", action="store_true", help="only the XML export and its yardsticks")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--keep", type=Path, help="build the files in this folder and keep them")
    arguments = parser.parse_args()
    folder = arguments.keep or Path(tempfile.mkdtemp(prefix="bench-convert-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows = arguments.rows
    started = time.perf_counter()
    paths = build(folder, rows, arguments.seed_rows, not arguments.xml_only, arguments.xml or arguments.xml_only)
    print(f"built {rows:,} rows in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{fmt} {path.stat().st_size / 1e6:.0f} MB" for fmt, path in paths.items()), flush=True)
    figures: dict[str, Any] = {"rows": rows, "seed_rows": arguments.seed_rows, "cpus": os.cpu_count(),
                               "load_average": os.getloadavg(), "python": sys.version.split()[0],
                               "sizes_mb": {fmt: round(path.stat().st_size / 1e6, 1) for fmt, path in paths.items()}}

    def rates(name: str, result: dict[str, Any]) -> None:
        result["rows_per_s"] = round(rows / result["wall_s"])
        result["rows_per_cpu_s"] = round(rows / result["cpu_s"])
        figures[name] = result
        print(f"{name:<28} {result['rows_per_s']:>9,} rows/s  {result['rows_per_cpu_s']:>9,} rows/CPU s  "
              f"peak RSS {result['peak_rss_mb']:>7.1f} MB", flush=True)

    figures["ratios"] = {}
    if "csv" in paths:
        rates("csv_convert", convert(paths["csv"], folder / "csv.toml", folder))
        rates("csv_dictreader_json", child([_CSV_BASELINE, str(paths["csv"]), str(folder / "baseline.jsonl")],
                                           folder))
        figures["csv_stages_rows_per_cpu_s"] = stages(paths["csv"], folder / "csv.toml",
                                                      min(rows, arguments.stage_rows), folder)
        print("csv stages, rows per CPU second (cumulative):", figures["csv_stages_rows_per_cpu_s"], flush=True)
        csv_ratio = figures["csv_convert"]["rows_per_s"] / figures["csv_dictreader_json"]["rows_per_s"]
        figures["ratios"]["csv_convert_vs_dictreader"] = round(csv_ratio, 3)
        print(f"CSV: convert / DictReader+json.dumps = {csv_ratio:.2f}x; target 200,000 rows/s: "
              f"{'met' if figures['csv_convert']['rows_per_s'] >= 200_000 else 'NOT met'}")
    if "xml" in paths:
        rates("xml_convert", convert(paths["xml"], folder / "xml.toml", folder))
        rates("xml_bare_iterparse", child([_XML_BARE, str(paths["xml"])], folder))
        rates("xml_naive_dict_json", child([_XML_NAIVE, str(paths["xml"]), str(folder / "naive.jsonl")], folder))
        share = figures["xml_convert"]["rows_per_s"] / figures["xml_bare_iterparse"]["rows_per_s"]
        naive = figures["xml_convert"]["rows_per_s"] / figures["xml_naive_dict_json"]["rows_per_s"]
        figures["ratios"].update({"xml_convert_vs_bare_iterparse": round(share, 3),
                                  "xml_convert_vs_naive_dict": round(naive, 3)})
        print(f"XML: convert = {share:.0%} of bare iterparse (target 40%: {'met' if share >= 0.4 else 'NOT met'}), "
              f"{naive:.2f}x the naive mapping")
    figures["load_average_after"] = os.getloadavg()
    if arguments.json:
        arguments.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not arguments.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
