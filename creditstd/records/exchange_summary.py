"""The summary manifest over the exchange batches of one conversion run split into parts (Spark: one per partition).

A run converted in parallel (:func:`creditstd.spark.convert_dataframe`, :func:`creditstd.spark.convert_files`)
writes one complete exchange batch per part, ``part-00000/``, ``part-00001/``... (each ``records.jsonl`` +
``manifest.json``, verifiable on its own with :func:`~creditstd.records.exchange.verify_batch`), and beside
them ``summary.json``: the class and catalogue version, the sending department, and per part its folder, record
count, the SHA-256 of its records file and of its manifest, and its accounting; the totals of the run
(``rows_in = records_out + rejected``, rows of parts that kept no record included).  The format is
``schemas/exchange-summary.schema.json``; ``docs/exchange-format.md`` describes it.

:func:`verify_summary` checks a summary folder as :func:`~creditstd.records.exchange.verify_batch` checks a
batch: the summary against its schema, every listed part with ``verify_batch`` and against what the summary
says of it (count, hashes, class, versions, department, created, accounting), no part folder that the
summary does not list and nothing else in the folder, the totals, and no record id in two parts.  A part
folder must be a plain folder in the summary's folder, named ``part-`` and digits: no path can lead out.  As
with a batch, the hashes detect accidents, not forgery.  The summary itself is not signed (``exchange sign``
signs one batch, and ``exchange verify --key`` refuses a summary folder): sign each part and check each part's
signature.  That proves who sent each part, not that no part was dropped or added.

>>> import tempfile
>>> from datetime import date
>>> from creditstd.records.exchange import BatchWriter
>>> folder = tempfile.mkdtemp()
>>> data = {'subject_name': '某某科技有限公司', 'subject_category': '法人及非法人组织',
...         'decision_number': '罚〔2024〕1号', 'authority_uscc': '11350100MAD18YGF27'}
>>> with BatchWriter(os.path.join(folder, 'part-00000'), 'administrative_penalty', department='某市市场监督管理局',
...                  department_uscc='11350100MAD18YGF27', on=date(2024, 6, 1), validate=False) as batch:
...     _ = batch.add(data)
...     batch.account(rows_in=2, rejected=1)
>>> summary = write_summary(folder, [part_entry(folder, 'part-00000')], unwritten={'parts': 0, 'rows_in': 0,
...                                                                                   'rejected': 0})
>>> summary['totals']
{'parts': 1, 'rows_in': 2, 'records_out': 1, 'rejected': 1}
>>> report = verify_summary(folder, validate=False)
>>> report.ok, report.count, report.parts
(True, 1, 1)
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import stat
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from jsonschema import Draft202012Validator

from creditstd.atomic import atomic_writer
from creditstd.exceptions import CatalogueError
from creditstd.findings import Finding, Location, finding
from creditstd.records import loader
from creditstd.records.exchange import (
    MANIFEST,
    RECORDS,
    UNREADABLE,
    UnsafeFile,
    VerificationReport,
    is_date_time,
    open_regular,
    verify_batch,
)
from creditstd.records.formats import format_checker
from creditstd.records.jsonline import LineError, bounded_lines, json_path, loads_record, printable
from creditstd.records.model import record_class

__all__ = [
    "MAX_SUMMARY_BYTES",
    "PART_FOLDER",
    "SUMMARY",
    "SUMMARY_FORMAT_VERSION",
    "SummaryReport",
    "is_summary",
    "part_entry",
    "verify_summary",
    "write_summary",
]

SUMMARY = "summary.json"
SUMMARY_FORMAT_VERSION = "1.0"
#: A part's folder name: ``part-`` and at least five digits.
PART_FOLDER = re.compile(r"part-[0-9]{5,}")
#: The largest summary read, in bytes (about 300 bytes a part: some 200,000 parts).
MAX_SUMMARY_BYTES = 64 * 1024 * 1024
#: What a part's manifest must say as the summary does.
_SAME = ("format_version", "catalogue_version", "class", "class_version", "source", "created", "rule_set")


def is_summary(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a summary folder (holds ``summary.json``) or a summary file itself."""
    given = Path(path)
    return (given.name == SUMMARY and not given.is_dir()) or os.path.lexists(given / SUMMARY)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open_regular(path) as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def part_entry(
    folder: str | os.PathLike[str], name: str, *, manifest: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """What the summary lists of the part ``name`` (a batch written in ``folder``): its folder, record count,
    records SHA-256, manifest SHA-256 and accounting, from its manifest (read when not given)."""
    path = Path(folder) / name / MANIFEST
    if manifest is None:
        with open_regular(path) as stream:
            manifest = json.loads(stream.read(MAX_SUMMARY_BYTES))
    assert manifest is not None
    accounting = manifest.get("accounting") or {"rows_in": manifest["records"]["count"], "rejected": 0}
    return {
        "folder": name,
        "records": manifest["records"]["count"],
        "sha256": manifest["records"]["sha256"],
        "manifest_sha256": _sha256(path),
        "rows_in": accounting["rows_in"],
        "rejected": accounting["rejected"],
    }


def write_summary(
    folder: str | os.PathLike[str], parts: Sequence[Mapping[str, Any]], *, unwritten: Mapping[str, int]
) -> dict[str, Any]:
    """Write ``summary.json`` in ``folder`` (atomically, owner-only) over ``parts`` (:func:`part_entry`, in
    order; at least one) and return it.  ``unwritten``: the parts that kept no record and so wrote no batch
    (``parts``, ``rows_in``, ``rejected``).  The class, versions, department, ``created`` and rule set are the
    first part's manifest's (every part's must be the same: :func:`verify_summary` checks it)."""
    if not parts:
        raise ValueError("a summary lists at least one part (a run that kept no record writes none)")
    with open_regular(Path(folder) / parts[0]["folder"] / MANIFEST) as stream:
        first = json.loads(stream.read(MAX_SUMMARY_BYTES))
    records_out = sum(part["records"] for part in parts)
    rows_in = sum(part["rows_in"] for part in parts) + unwritten["rows_in"]
    rejected = sum(part["rejected"] for part in parts) + unwritten["rejected"]
    if rows_in != records_out + rejected:
        raise ValueError(
            f"accounting does not add up: {rows_in} rows in != {records_out} records out + {rejected} rejected"
        )
    summary = {
        "format": "creditstd-exchange-summary",
        "format_version": SUMMARY_FORMAT_VERSION,
        **{key: first[key] for key in _SAME if key != "format_version"},
        "batch_format_version": first["format_version"],
        "parts": [dict(part) for part in parts],
        "unwritten": {"parts": unwritten["parts"], "rows_in": unwritten["rows_in"], "rejected": unwritten["rejected"]},
        "totals": {"parts": len(parts), "rows_in": rows_in, "records_out": records_out, "rejected": rejected},
    }
    with atomic_writer(Path(folder) / SUMMARY, private=True) as stream:
        stream.write(json.dumps(summary, ensure_ascii=False, indent=2, allow_nan=False) + "\n")
    return summary


@dataclass
class SummaryReport(VerificationReport):
    """What :func:`verify_summary` found: ``count`` the records of every part, ``parts`` the parts verified;
    each problem located by the file it is in, relative to the summary's folder (``part-00001/records.jsonl``,
    line 7)."""

    parts: int = 0


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(loader.meta_schema("exchange-summary.schema.json"), format_checker=format_checker())


def _problem(code: str, zh: str, en: str, path: str = "$", file: str = SUMMARY) -> Finding:
    return Finding(code, zh, en, path, location=Location(file=file))


def _read(path: Path, report: SummaryReport) -> Any:
    """The parsed summary, or None after reporting why it cannot be read (``exchange.manifest``)."""

    def unreadable(zh: str, en: str) -> None:
        report.add(
            _problem(
                "exchange.manifest",
                f"无法读取汇总清单 {SUMMARY}：{zh}",
                f"cannot read the summary manifest {SUMMARY}: {en}",
            )
        )

    try:
        with open_regular(path) as stream:
            data = stream.read(MAX_SUMMARY_BYTES + 1)
    except UnsafeFile as unsafe:
        unreadable(unsafe.zh, unsafe.en)
        return None
    except (OSError, ValueError) as error:
        reason = printable(error.strerror if isinstance(error, OSError) and error.strerror else str(error), 200)
        unreadable(reason, reason)
        return None
    try:
        summary = loads_record(data, max_bytes=MAX_SUMMARY_BYTES)
    except LineError as error:
        unreadable(f"不是有效的JSON或过大（{error.code}）", f"not valid JSON, or too large ({error.code})")
        return None
    if not isinstance(summary, dict):
        unreadable("不是JSON对象", "not a JSON object")
        return None
    return summary


def _check_summary(summary: dict[str, Any], report: SummaryReport) -> bool:
    errors = list(_validator().iter_errors(summary))
    for error in errors:
        path = json_path(error.absolute_path)
        report.add(
            _problem(
                "exchange.manifest",
                f"汇总清单不符合格式（{path}：{error.validator}）",
                f"summary manifest: {error.validator} fails at {path}",
                path,
            )
        )
    if errors:
        return False
    if not is_date_time(summary["created"]):
        report.add(
            _problem(
                "exchange.manifest",
                "汇总清单的创建时间不是RFC 3339日期时间",
                "summary manifest: created is not an RFC 3339 date-time",
                "$.created",
            )
        )
        return False
    try:
        cls = record_class(summary["class"])
    except CatalogueError:
        report.add(
            _problem(
                "catalogue.unknown_class",
                "本地目录中没有汇总清单所述的记录类",
                "the installed catalogue has no record class of the summary's name",
                "$.class",
            )
        )
        return False
    for path, sent, known in (
        ("$.class_version", summary["class_version"], cls.version),
        ("$.catalogue_version", summary["catalogue_version"], loader.index()["version"]),
    ):
        if sent != known:
            report.add(finding("exchange.version", path=path, location=Location(file=SUMMARY), known=known))
    return True


def _part_problem(name: str, zh: str, en: str, path: str = "$") -> Finding:
    return _problem("exchange.summary_part", f"分片 {name}：{zh}", f"part {name}: {en}", path)


def _in_part(problem: Finding, name: str) -> Finding:
    """A problem ``verify_batch`` found in part ``name``, located in it (``part-00001/records.jsonl``)."""
    where = problem.location or Location()
    return replace(problem, location=replace(where, file=f"{name}/{where.file or MANIFEST}"))


def _check_part(
    folder: Path,
    index: int,
    entry: Mapping[str, Any],
    summary: Mapping[str, Any],
    report: SummaryReport,
    validate: bool,
    strict: bool,
) -> Path | None:
    """Verify part ``index`` and what the summary says of it; return the records file it read (None: the part,
    or its records file, could not be read: a refused folder is never read at all)."""
    name = entry["folder"]
    at = f"$.parts[{index}]"
    path = folder / name
    try:
        info = os.lstat(path)
    except OSError:
        report.add(_part_problem(name, "找不到分片文件夹", "folder not found", at))
        return None
    if (
        stat.S_ISLNK(info.st_mode)
        or not stat.S_ISDIR(info.st_mode)
        or os.path.dirname(os.path.realpath(path)) != os.path.realpath(folder)
    ):
        report.add(
            _part_problem(
                name,
                "不是汇总文件夹中的普通文件夹（符号链接或其他），拒绝读取",
                "not a plain folder in the summary's folder (a symbolic link or else): refused",
                at,
            )
        )
        return None
    part = verify_batch(path, validate=validate, strict=strict)
    report.parts += 1
    report.count += part.count
    for problem in part.problems:
        report.add(_in_part(problem, name))
    report.problem_count += part.problem_count - len(part.problems)
    manifest = part.manifest
    if not isinstance(manifest, dict) or not isinstance(manifest.get("records"), dict):
        return None
    if part.count != entry["records"]:
        report.add(
            _part_problem(
                name,
                f"汇总清单列出{entry['records']}条记录，分片实有{part.count}条",
                f"the summary lists {entry['records']} records, the part holds {part.count}",
                f"{at}.records",
            )
        )
    if entry["sha256"] != manifest["records"].get("sha256"):
        report.add(
            _part_problem(
                name,
                "汇总清单所列记录文件SHA-256与分片清单不符",
                "the records SHA-256 the summary lists differs from the part's manifest",
                f"{at}.sha256",
            )
        )
    try:
        digest = _sha256(path / MANIFEST)
    except OSError:
        digest = None  # verify_batch has said why
    if digest is not None and digest != entry["manifest_sha256"]:
        report.add(
            _part_problem(
                name,
                "分片清单的SHA-256与汇总清单不符（清单被改动过）",
                "the SHA-256 of the part's manifest differs from the summary's (it was changed)",
                f"{at}.manifest_sha256",
            )
        )
    sent = dict(summary, format_version=summary["batch_format_version"])
    for key in _SAME:
        if manifest.get(key) != sent.get(key):
            report.add(
                _part_problem(
                    name,
                    f"分片清单的 {key} 与汇总清单不同",
                    f"the part's manifest differs from the summary in {key}",
                    at,
                )
            )
    accounting = manifest.get("accounting")
    if not isinstance(accounting, dict) or (accounting.get("rows_in"), accounting.get("rejected")) != (
        entry["rows_in"],
        entry["rejected"],
    ):
        report.add(
            _part_problem(
                name,
                "分片清单的核算（读入、拒收）与汇总清单不符",
                "the part's accounting (rows in, rejected) differs from the summary's",
                f"{at}.rows_in",
            )
        )
    if any(problem.code in UNREADABLE for problem in part.problems):
        return None
    return path / manifest["records"].get("file", RECORDS)


def _check_listing(folder: Path, names: Iterable[str], report: SummaryReport) -> None:
    """Report whatever the folder holds besides the summary and the parts it lists."""
    listed = set(names)
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return
    for entry in entries:
        if entry == SUMMARY or entry in listed:
            continue
        shown = printable(entry, 256)
        report.add(
            _problem(
                "exchange.unlisted_part",
                f"汇总文件夹中有汇总清单未列出的 {shown}",
                f"{shown} is in the summary's folder but not listed in the summary",
            )
        )


def _check_totals(summary: Mapping[str, Any], report: SummaryReport) -> None:
    parts, totals, unwritten = summary["parts"], summary["totals"], summary["unwritten"]
    sums = {
        "parts": len(parts),
        "records_out": sum(part["records"] for part in parts),
        "rows_in": sum(part["rows_in"] for part in parts) + unwritten["rows_in"],
        "rejected": sum(part["rejected"] for part in parts) + unwritten["rejected"],
    }
    if (
        any(totals[key] != value for key, value in sums.items())
        or totals["rows_in"] != totals["records_out"] + totals["rejected"]
    ):
        report.add(
            _problem(
                "exchange.accounting",
                f"汇总清单的合计不符：读入{totals['rows_in']}行，写出{totals['records_out']}条，拒收{totals['rejected']}条，"
                f"各分片合计{sums['rows_in']}行、{sums['records_out']}条、{sums['rejected']}条",
                f"the summary's totals do not add up: {totals['rows_in']} rows in, "
                f"{totals['records_out']} records out, {totals['rejected']} rejected; "
                f"the parts sum to {sums['rows_in']}, {sums['records_out']}, {sums['rejected']}",
                "$.totals",
            )
        )


def _record_ids(folder: Path, path: Path) -> list[str]:
    """The record ids of a part's records file ``path`` (read by :func:`verify_batch` just before), as its lines
    state them, within the same bounds (a line over the limit is skipped unread; lines that do not parse are
    skipped: verify_batch reports them).  Nothing is read unless the file is still the part's own, with no
    symbolic link anywhere below ``folder``."""
    expected = os.path.join(os.path.realpath(folder), path.parent.name, path.name)
    if os.path.realpath(path) != expected:
        return []
    ids = []
    with open_regular(path) as stream:
        for _, line in bounded_lines(stream):
            if line is None:
                continue
            try:
                record = loads_record(line)
            except LineError:
                continue
            if isinstance(record, dict) and isinstance(record.get("record_id"), str):
                ids.append(record["record_id"])
    return ids


def _digest(record_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(record_id.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def _check_repeats(folder: Path, records: Mapping[str, Path], report: SummaryReport) -> None:
    """A record id in two parts (in one part, verify_batch reports it): 64-bit digests of every id first, the
    ids themselves only for the digests seen twice.  ``records``: per part read, the records file it read."""
    names = list(records)
    digests: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    for index, name in enumerate(names):
        try:
            ids = _record_ids(folder, records[name])
        except OSError:
            continue
        digests.append(np.array([_digest(item) for item in ids], np.uint64))
        owners.append(np.full(len(ids), index, np.int64))
    if not digests:
        return
    every, parts = np.concatenate(digests), np.concatenate(owners)
    values, counts = np.unique(every, return_counts=True)
    repeated = values[counts > 1]
    if not len(repeated) or len(set(parts[np.isin(every, repeated)].tolist())) < 2:
        return  # no digest twice, or only within one part (verify_batch reports those)
    suspects = set(repeated.tolist())
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        try:
            ids = _record_ids(folder, records[name])
        except OSError:
            continue
        for item in ids:
            if _digest(item) not in suspects:
                continue
            earlier = seen.setdefault(item, index)
            if earlier != index:
                report.add(
                    Finding(
                        "exchange.duplicate_id",
                        f"记录标识重复：分片 {name} 与分片 {names[earlier]} 有同一记录",
                        f"duplicate record id: parts {names[earlier]} and {name} hold the same record",
                        "$.record_id",
                        location=Location(file=f"{name}/{records[name].name}", record_id=item),
                    )
                )


def verify_summary(path: str | os.PathLike[str], *, validate: bool = True, strict: bool = False) -> SummaryReport:
    """Verify a summary folder (or its ``summary.json``): the summary, every part, the listing and the totals.

    Never raises for anything the folder holds: every problem is in the report.  ``exchange.manifest`` means
    the summary could not be read (then nothing else is checked); ``exchange.summary_part`` a part that is
    missing, not a plain folder, or not what the summary says; ``exchange.unlisted_part`` something in the
    folder the summary does not list; ``exchange.accounting`` totals that do not add up; a part's own problems
    are :func:`~creditstd.records.exchange.verify_batch`'s, located in the part.
    """
    given = Path(path)
    file = given if given.name == SUMMARY and not given.is_dir() else given / SUMMARY
    folder = file.parent
    report = SummaryReport(None)
    summary = _read(file, report)
    if summary is None:
        return report
    report.manifest = summary
    if not _check_summary(summary, report):
        return report
    names = [part["folder"] for part in summary["parts"]]
    for name in sorted(name for name, times in Counter(names).items() if times > 1):
        report.add(_part_problem(name, "在汇总清单中列出了不止一次", "listed more than once", "$.parts"))
    read: dict[str, Path] = {}
    for index, entry in enumerate(summary["parts"]):
        records = _check_part(folder, index, entry, summary, report, validate, strict)
        if records is not None:
            read.setdefault(entry["folder"], records)
    _check_listing(folder, names, report)
    _check_totals(summary, report)
    _check_repeats(folder, read, report)
    return report
