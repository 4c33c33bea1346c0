"""The XML side of ``creditstd convert`` up to the Arrow batch, side by side with a bare lxml loop, in one run.

Builds the administrative-penalty XML export that ``benchmarks/bench_convert.py`` builds (its generator and its
mapping of every field by national field code: 34 rules, about 22 present in a record), then runs each of
these in a child process of its own, ``--runs`` times, and keeps the least CPU time (the machine is shared:
CPU time moves much less with the load than wall time) and the highest peak RSS (``VmHWM``):

* ``bare``: ``lxml.etree.iterparse(tag='Record')`` that only clears each record and deletes its predecessors
  (the issue's yardstick);
* ``naive``: the same loop mapping each record to a dict (child tag -> text, a list for a child holding
  items): what a script without checks would do;
* ``read_records``: :func:`creditstd.convert.xml_records.read_records` alone (one :class:`XmlRecord` per
  record, every guarantee of the safe reader);
* ``read_batches``: the same reader in batches (what the engine reads);
* ``convert_source``: the reader and the engine: the mapping applied, one Arrow batch of text cells per
  8,192 records (:func:`creditstd.convert.convert_source`), without the validation core and the writer.

Prints records/s, records per CPU second, the share of the bare loop's rate and the peak RSS; ``--rss-rows``
also builds a file of that many rows and measures only the peak RSS on it (memory flat as the input grows).
``--json FILE`` writes the figures.  Usage::

    python benchmarks/bench_xml_reader.py --rows 1000000 --rss-rows 2000000 \\
        --json benchmarks/results-xml-reader-1m.json
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
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_convert  # the export's generator and mapping, shared

#: The loops, each run as ``python -c PRELUDE + LOOP FILE MAPPING``; each prints the records it saw.
_PRELUDE = """
import json, os, sys, time
path, mapping = sys.argv[1], sys.argv[2]
from lxml import etree
def release(element):
    element.clear()
    while element.getprevious() is not None:
        del element.getparent()[0]
"""

_LOOPS = {
    "bare": """
def run():
    count = 0
    for _, element in etree.iterparse(path, tag='Record'):
        count += 1
        release(element)
    return count
""",
    "naive": """
def run():
    count = 0
    for _, element in etree.iterparse(path, tag='Record'):
        record = {}
        for child in element:
            items = [item.text for item in child]
            record[child.tag] = items if items else child.text
        count += 1
        release(element)
    return count
""",
    "read_records": """
from creditstd.convert import load_mapping
from creditstd.convert.xml_records import read_records
spec = load_mapping(mapping)
sources = [(rule.path, rule.many) if rule.path is not None else None for rule in spec.fields]
def run():
    count = 0
    for _ in read_records(path, spec.source.record, sources):
        count += 1
    return count
""",
    "read_batches": """
from creditstd.convert import load_mapping
from creditstd.convert.xml_records import read_batches
spec = load_mapping(mapping)
sources = [(rule.path, rule.many) if rule.path is not None else None for rule in spec.fields]
def run():
    return sum(len(batch) for batch in read_batches(path, spec.source.record, sources))
""",
    "convert_source": """
from creditstd.convert import load_mapping, convert_source
spec = load_mapping(mapping)
def run():
    return sum(len(chunk) for chunk in convert_source(spec, path))
""",
}

_EPILOGUE = """
started, wall = time.process_time(), time.perf_counter()
count = run()
cpu, wall = time.process_time() - started, time.perf_counter() - wall
with open('/proc/self/status') as status:
    rss = int(next(line for line in status if line.startswith('VmHWM')).split()[1])
print(json.dumps({'records': count, 'cpu_s': cpu, 'wall_s': wall, 'peak_rss_kb': rss}))
"""


def child(loop: str, path: Path, mapping: Path) -> dict[str, Any]:
    """Run one loop in a child process forked by a shell (Linux carries the high-water RSS of a process across
    ``execve``: a child exec'd straight from this one could report this one's peak)."""
    command = [
        "/bin/sh",
        "-c",
        '"$@"; exit $?',
        "sh",
        sys.executable,
        "-c",
        _PRELUDE + _LOOPS[loop] + _EPILOGUE,
        str(path),
        str(mapping),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{loop} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def measure(loop: str, path: Path, mapping: Path, runs: int) -> dict[str, Any]:
    results = [child(loop, path, mapping) for _ in range(runs)]
    best = min(results, key=lambda result: result["cpu_s"])
    records = best["records"]
    return {
        "records": records,
        "cpu_s": round(best["cpu_s"], 3),
        "wall_s": round(best["wall_s"], 3),
        "records_per_s": round(records / best["wall_s"]),
        "records_per_cpu_s": round(records / best["cpu_s"]),
        "peak_rss_mb": round(max(result["peak_rss_kb"] for result in results) / 1024, 1),
        "runs": runs,
    }


def build(folder: Path, rows: int, seed_rows: int) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = bench_convert.build(folder, rows, seed_rows, csv=False, xml=True)
    return paths["xml"], folder / "xml.toml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed-rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3, help="runs of each loop; the least CPU time is kept")
    parser.add_argument("--rss-rows", type=int, help="also the peak RSS of each loop on a file of this many rows")
    parser.add_argument("--loops", default=",".join(_LOOPS), help="which loops, comma-separated")
    parser.add_argument("--json", type=Path, help="write the figures here")
    arguments = parser.parse_args()
    loops = arguments.loops.split(",")
    folder = Path(tempfile.mkdtemp(prefix="bench-xml-reader-"))
    try:
        started = time.perf_counter()
        path, mapping = build(folder, arguments.rows, arguments.seed_rows)
        size = path.stat().st_size
        print(
            f"built {arguments.rows:,} records in {time.perf_counter() - started:.0f} s: {size / 1e6:.0f} MB",
            flush=True,
        )
        figures: dict[str, Any] = {
            "rows": arguments.rows,
            "size_mb": round(size / 1e6, 1),
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "load_average": os.getloadavg(),
            "loops": {},
        }
        for loop in loops:
            figures["loops"][loop] = result = measure(loop, path, mapping, arguments.runs)
            print(
                f"{loop:<15} {result['records_per_s']:>9,} records/s {result['records_per_cpu_s']:>9,} "
                f"records/CPU s  peak RSS {result['peak_rss_mb']:>6.1f} MB",
                flush=True,
            )
        if "bare" in figures["loops"]:
            bare = figures["loops"]["bare"]["records_per_cpu_s"]
            figures["share_of_bare_cpu"] = {
                loop: round(result["records_per_cpu_s"] / bare, 3) for loop, result in figures["loops"].items()
            }
            print(
                "share of the bare loop's records per CPU second:",
                ", ".join(f"{loop} {share:.0%}" for loop, share in figures["share_of_bare_cpu"].items()),
            )
        if arguments.rss_rows:
            path.unlink()
            big, mapping = build(folder / "big", arguments.rss_rows, arguments.seed_rows)
            figures["rss_rows"] = arguments.rss_rows
            figures["rss_size_mb"] = round(big.stat().st_size / 1e6, 1)
            figures["peak_rss_mb_at_rss_rows"] = {}
            for loop in loops:
                rss = child(loop, big, mapping)["peak_rss_kb"] / 1024
                figures["peak_rss_mb_at_rss_rows"][loop] = round(rss, 1)
                print(
                    f"{loop:<15} peak RSS at {arguments.rss_rows:,} records "
                    f"({figures['rss_size_mb']:.0f} MB): {rss:.1f} MB",
                    flush=True,
                )
        figures["load_average_after"] = os.getloadavg()
        if arguments.json:
            arguments.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
