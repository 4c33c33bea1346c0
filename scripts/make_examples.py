"""Regenerate the example records and exports in ``examples/``.

Run from the repository root::

    python scripts/make_examples.py                       # everything
    python scripts/make_examples.py administrative_reward # only these classes' records, no exports

* ``examples/records/<class>.jsonl``: 8 valid records for every class in the catalogue;
* ``examples/exports/administrative_penalty.csv``: 200 rows, GBK, Chinese headers, about 10 % broken;
* ``examples/exports/administrative_licence.xml``: 100 records, UTF-8, about 10 % broken;
* ``examples/exports/administrative_penalty.jsonl``: 100 rows, about 10 % broken.

Seeds and the reference day are fixed, so the files only change when the
catalogue or the generator does.  The generator has changed since some files
were made (it draws differently, still validly), so a full run rewrites them
all; naming classes writes only theirs (as the records of a class added to the
catalogue are made) and leaves every other file as it is.  Each export has a ``.broken.txt`` companion
listing, per record, the error code it was deliberately given.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from creditstd.records.export import write_csv, write_jsonl, write_xml
from creditstd.records.fake import fake_records
from creditstd.records.loader import class_names

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
#: The day every example is made "on": no date in them is later.
ON = date(2026, 6, 30)
SEED = 20240601

#: (file name, class, count, encoding, writer options)
EXPORTS = [
    ("administrative_penalty.csv", "administrative_penalty", 200, "gbk", {"headers": "zh"}),
    ("administrative_licence.xml", "administrative_licence", 100, "utf-8", {}),
    ("administrative_penalty.jsonl", "administrative_penalty", 100, "utf-8", {}),
]


def _write(path: Path, class_name: str, records: list, encoding: str, options: dict) -> None:
    with path.open("w", encoding=encoding, newline="") as stream:
        if path.suffix == ".csv":
            write_csv(records, class_name, stream, **options)
        elif path.suffix == ".xml":
            write_xml(records, class_name, stream)
        else:
            write_jsonl(records, stream)


def main(argv: list[str] | None = None) -> int:
    only = list(sys.argv[1:] if argv is None else argv)
    unknown = [name for name in only if name not in class_names()]
    if unknown:
        print(f"unknown class: {', '.join(unknown)}", file=sys.stderr)
        return 2
    (EXAMPLES / "records").mkdir(parents=True, exist_ok=True)
    (EXAMPLES / "exports").mkdir(parents=True, exist_ok=True)
    for name in only or class_names():
        records = list(fake_records(name, 8, seed=SEED, on=ON))
        _write(EXAMPLES / "records" / f"{name}.jsonl", name, records, "utf-8", {})
        print(f"records/{name}.jsonl: {len(records)}")
    if only:
        return 0
    for file_name, class_name, count, encoding, options in EXPORTS:
        records = list(fake_records(class_name, count, seed=SEED, error_rate=0.1, on=ON))
        path = EXAMPLES / "exports" / file_name
        _write(path, class_name, records, encoding, options)
        broken = [(number, record.broken) for number, record in enumerate(records, 1) if record.broken]
        listing = "".join(f"{number}\t{code}\n" for number, code in broken)
        (path.parent / f"{file_name}.broken.txt").write_text(
            "# record number (1-based)\tdeliberate error code\n" + listing, encoding="utf-8")
        print(f"exports/{file_name}: {count} records, {len(broken)} broken")
    return 0


if __name__ == "__main__":
    sys.exit(main())
