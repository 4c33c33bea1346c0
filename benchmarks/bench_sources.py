"""creditstd.sources readers side by side with plain ``csv.reader``, ``pyarrow.csv`` and bare parsers, in rows/s
and peak memory, each run in a fresh interpreter.

Inputs: a UTF-8 and a GBK CSV made by ``creditstd fake`` (not timed), and, derived from the UTF-8 one,
an XLSX workbook (shared strings, as Excel writes them) and a JSON Lines file::

    creditstd fake administrative_penalty -n 1000000 --format csv --seed 1 -o /tmp/p.csv
    creditstd fake administrative_penalty -n 1000000 --format csv --encoding gbk --seed 2 -o /tmp/p_gbk.csv
    .venv/bin/python benchmarks/bench_sources.py --csv /tmp/p.csv --gbk /tmp/p_gbk.csv
    .venv/bin/python benchmarks/bench_sources.py --csv /tmp/p.csv --gbk /tmp/p_gbk.csv --xlsx-rows 100000 \\
        --jsonl-rows 1000000 --repeat 3 --json benchmarks/results-sources.json

Every row of the table is one reader run over one whole file in a child process (``--one``); rows/s is
the median of ``--repeat`` runs, peak RSS (``VmHWM``) the largest.  The ratio column is creditstd's
rows/s divided by the other reader's (above 1: creditstd is faster).  The readers:

* ``creditstd``: :func:`creditstd.sources.open_table`, every chunk and row problem taken;
* ``csv.reader``: Python's csv module over the decoded file, rows only (no header, line or type work);
* ``pyarrow.read_csv``: the whole file at once, every column a string, two threads (``encoding=gb18030``
  for the GBK file: Arrow then decodes through Python's codec);
* ``pyarrow.open_csv``: Arrow's streaming reader, one thread, every column a string: what the CSV
  reader is built on, without line numbers, problem rows or decoding;
* ``lxml.iterparse``: the worksheet XML parsed row by row and cleared, values not read (the floor of any
  XLSX reader in Python);
* ``json.loads`` / ``loads_record``: each line parsed, the stdlib way / creditstd's strict parser.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from creditstd.sources.xlsx import column_letters

HERE = Path(__file__).resolve()


# -- the runs (in the child) -----------------------------------------------------------------------------

def _creditstd(path: str) -> int:
    from creditstd.sources import TableChunk, open_table

    _, items = open_table(path)
    rows = 0
    for item in items:
        rows += len(item) if isinstance(item, TableChunk) else 1
    return rows


def _csv_reader(path: str, encoding: str) -> int:
    with open(path, encoding=encoding, newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        return sum(1 for _ in reader)


def _arrow_encoding(encoding: str) -> str:
    return "utf8" if encoding == "utf-8-sig" else encoding


def _pyarrow_read(path: str, encoding: str) -> int:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with open(path, encoding=encoding, newline="") as stream:
        names = next(csv.reader(stream))
    names = [f"{i}:{name}" for i, name in enumerate(names)]
    options = pacsv.ReadOptions(column_names=names, skip_rows=1, encoding=_arrow_encoding(encoding))
    table = pacsv.read_csv(path, read_options=options,
                           parse_options=pacsv.ParseOptions(newlines_in_values=True),
                           convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())))
    return table.num_rows


def _pyarrow_stream(path: str, encoding: str) -> int:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with open(path, encoding=encoding, newline="") as stream:
        names = next(csv.reader(stream))
    names = [f"{i}:{name}" for i, name in enumerate(names)]
    options = pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False, encoding=_arrow_encoding(encoding))
    reader = pacsv.open_csv(path, read_options=options,
                            parse_options=pacsv.ParseOptions(newlines_in_values=True),
                            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())))
    return sum(batch.num_rows for batch in reader)


def _iterparse(path: str) -> int:
    from lxml import etree

    rows = 0
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as stream:
        for _, row in etree.iterparse(stream, events=("end",), tag="{*}row", resolve_entities=False, no_network=True):
            rows += 1
            row.clear()
            while row.getprevious() is not None:
                del row.getparent()[0]
    return rows - 1


def _json_loads(path: str) -> int:
    with open(path, "rb") as stream:
        return sum(1 for line in stream if json.loads(line) is not None)


def _loads_record(path: str) -> int:
    from creditstd.records.jsonline import loads_record

    with open(path, "rb") as stream:
        return sum(1 for line in stream if loads_record(line) is not None)


RUNS = {
    "creditstd": lambda path, encoding: _creditstd(path),
    "csv.reader": _csv_reader,
    "pyarrow.read_csv": _pyarrow_read,
    "pyarrow.open_csv": _pyarrow_stream,
    "lxml.iterparse": lambda path, encoding: _iterparse(path),
    "json.loads": lambda path, encoding: _json_loads(path),
    "loads_record": lambda path, encoding: _loads_record(path),
}


#: What each reader imports, before the clock starts (so that no row times an import).
IMPORTS = {"creditstd": ["creditstd.sources"], "pyarrow.read_csv": ["pyarrow.csv"], "pyarrow.open_csv": ["pyarrow.csv"],
           "lxml.iterparse": ["lxml.etree"], "loads_record": ["creditstd.records.jsonline"]}


def run_one(reader: str, path: str, encoding: str) -> None:
    import importlib

    for module in IMPORTS.get(reader, []):
        importlib.import_module(module)
    start = time.perf_counter()
    rows = RUNS[reader](path, encoding)
    seconds = time.perf_counter() - start
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": _peak_mb()}))


def _peak_mb() -> float:
    """Peak resident memory of this process: ``VmHWM`` (``ru_maxrss`` survives ``exec`` on Linux, so a child
    would report its parent's peak when that was higher)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- making the inputs (not timed) -------------------------------------------------------------------------

def make_xlsx(source: str, target: str, limit: int) -> int:
    """A workbook of the first ``limit`` rows of ``source`` (header included), strings shared as Excel does."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    strings: dict[str, int] = {}
    rows = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet, \
                open(source, encoding="utf-8-sig", newline="") as stream:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'.encode())
            for number, record in enumerate(csv.reader(stream), 1):
                if number > limit + 1:
                    break
                cells = []
                for position, value in enumerate(record):
                    if not value:
                        continue
                    reference = f"{column_letters(position)}{number}"
                    if value.replace(".", "", 1).isdigit() and len(value) < 15 and not value.startswith("0"):
                        cells.append(f'<c r="{reference}"><v>{value}</v></c>')
                    else:
                        index = strings.setdefault(value, len(strings))
                        cells.append(f'<c r="{reference}" t="s"><v>{index}</v></c>')
                sheet.write(f'<row r="{number}">{"".join(cells)}</row>'.encode())
                rows = number - 1
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as shared:
            shared.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}">'.encode())
            for text in strings:
                shared.write(f'<si><t xml:space="preserve">{escape(text)}</t></si>'.encode())
            shared.write(b"</sst>")
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
                                            '<sheet name="处罚" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels",
                         f'<Relationships xmlns="{package}"><Relationship Id="rId1" Type="{rel}/worksheet" '
                         f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/sharedStrings" '
                         f'Target="sharedStrings.xml"/></Relationships>')
    return rows


def make_jsonl(source: str, target: str, limit: int) -> int:
    rows = 0
    with open(source, encoding="utf-8-sig", newline="") as stream, open(target, "w", encoding="utf-8") as out:
        reader = csv.reader(stream)
        header = next(reader)
        for record in reader:
            if rows >= limit:
                break
            out.write(json.dumps({key: value for key, value in zip(header, record, strict=False) if value},
                                 ensure_ascii=False) + "\n")
            rows += 1
    return rows


# -- the table (in the parent) ------------------------------------------------------------------------------

def measure(reader: str, path: str, encoding: str, repeat: int) -> dict[str, float]:
    results = []
    for _ in range(repeat):
        output = subprocess.run([sys.executable, str(HERE), "--one", reader, path, encoding], check=True,
                                capture_output=True, text=True).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    seconds = statistics.median(result["seconds"] for result in results)
    return {"rows": results[0]["rows"], "seconds": seconds, "rows_per_s": results[0]["rows"] / seconds,
            "peak_mb": max(result["peak_mb"] for result in results)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", help="UTF-8 CSV made by creditstd fake")
    parser.add_argument("--gbk", help="GBK CSV made by creditstd fake --encoding gbk")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="rows of the derived XLSX (0: none)")
    parser.add_argument("--jsonl-rows", type=int, default=1_000_000, help="rows of the derived JSON Lines (0: none)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per row; the median is reported")
    parser.add_argument("--json", help="write every row as JSON here")
    parser.add_argument("--one", nargs=3, metavar=("READER", "PATH", "ENCODING"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        run_one(*args.one)
        return 0
    if not args.csv and not args.gbk:
        parser.error("give --csv and/or --gbk (see the module docstring for how to make them)")

    plan: list[tuple[str, str, str, list[str]]] = []
    temporary = tempfile.mkdtemp(prefix="bench-sources-")
    if args.csv:
        plan.append(("CSV UTF-8", args.csv, "utf-8-sig",
                     ["creditstd", "pyarrow.open_csv", "pyarrow.read_csv", "csv.reader"]))
    if args.gbk:
        plan.append(("CSV GBK", args.gbk, "gb18030",
                     ["creditstd", "pyarrow.open_csv", "pyarrow.read_csv", "csv.reader"]))
    if args.csv and args.xlsx_rows:
        path = os.path.join(temporary, "p.xlsx")
        make_xlsx(args.csv, path, args.xlsx_rows)
        plan.append(("XLSX", path, "-", ["creditstd", "lxml.iterparse"]))
    if args.csv and args.jsonl_rows:
        path = os.path.join(temporary, "p.jsonl")
        make_jsonl(args.csv, path, args.jsonl_rows)
        plan.append(("JSON Lines", path, "utf-8", ["creditstd", "loads_record", "json.loads"]))

    print(f"creditstd.sources benchmark: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, repeat={args.repeat}")
    print("| input | size | reader | rows | s | rows/s | peak RSS | creditstd vs this |")
    print("|---|---|---|---|---|---|---|---|")
    table = []
    for label, path, encoding, readers in plan:
        size = f"{os.path.getsize(path) / 1e6:.0f} MB"
        ours = None
        for reader in readers:
            result = measure(reader, path, encoding, args.repeat)
            ours = ours or result
            ratio = ours["rows_per_s"] / result["rows_per_s"]
            table.append({"input": label, "reader": reader, **result, "ratio": ratio})
            print(f"| {label} | {size} | {reader} | {result['rows']:,} | {result['seconds']:.2f} | "
                  f"{result['rows_per_s']:,.0f} | {result['peak_mb']:.0f} MB | "
                  f"{'–' if reader == 'creditstd' else f'{ratio:.2f}x'} |", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
