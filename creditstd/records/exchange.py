"""The exchange format: how departments hand each other records of any class, verifiably.

A batch is a folder with two files:

* ``records.jsonl`` - one exchange record per line (``record_id``, ``class``,
  ``class_version``, ``lifecycle``, ``data``), in canonical form: keys
  sorted, no spaces, UTF-8, each line ending in ``\\n``;
* ``manifest.json`` - the class and catalogue version, the sending
  department and its USCC, and the count and SHA-256 of ``records.jsonl``.

The receiver runs :func:`verify_batch`.  The count and SHA-256 in the
manifest detect records lost or corrupted by accident (a truncated copy, a
damaged disk, a conversion that touched the bytes); they do **not** prove
that nobody altered the batch on purpose, since whoever can rewrite
``records.jsonl`` can rewrite the manifest's hash too.  Proving the sender
(a detached signature over the manifest) is future work; until then, hand
batches over a channel you trust.  Every record is also checked against the
envelope schema and its class, its ``class_version`` against the manifest's,
and its record id is recomputed from the class's identity fields; a
manifest whose class or catalogue version the installed catalogue does not
know is reported (sender and receiver use different catalogues).  The
manifest's ``records.file`` must be a bare file name in the batch folder
(no path separators, not ``.``/``..``), so a manifest cannot make the
receiver read a file elsewhere.  For small batches and APIs,
:func:`to_document` gives the same batch as one JSON document whose
manifest carries the count and hash the JSONL file would have.

Writing is atomic: records go to a temporary file in the target folder, and
only a complete batch replaces ``records.jsonl``, then ``manifest.json``
(the manifest is written last, so a reader never sees a manifest describing
records that are not there).  A :class:`BatchWriter` refuses a record whose
id it has already written (``exchange.duplicate_id``), and resolves its rule
set when it is created, so an unknown or inapplicable rule set fails before
any data is read.

>>> import tempfile
>>> from datetime import date
>>> data = {'subject_name': '某某科技有限公司', 'subject_category': '法人及非法人组织',
...         'decision_number': '罚〔2024〕1号', 'authority_uscc': '11350100MAD18YGF27'}
>>> record = make_record(data, 'administrative_penalty', on=date(2024, 6, 1))
>>> record['record_id'] == record_id(data, 'administrative_penalty')
True
>>> folder = tempfile.mkdtemp()
>>> with BatchWriter(folder, 'administrative_penalty', department='某市市场监督管理局',
...                  department_uscc='11350100MAD18YGF27', on=date(2024, 6, 1)) as batch:
...     _ = batch.add(data)
>>> report = verify_batch(folder, validate=False)
>>> report.ok, report.count
(True, 1)
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from creditstd.atomic import atomic_writer
from creditstd.codes import uscc
from creditstd.codes._text import compact
from creditstd.exceptions import CatalogueError, ValidationError, bilingual
from creditstd.records import loader
from creditstd.records.formats import format_checker
from creditstd.records.model import record_class
from creditstd.records.publication import get_rule_set, lifecycle
from creditstd.records.validation import validator

__all__ = [
    "MANIFEST",
    "RECORDS",
    "BatchWriter",
    "Problem",
    "VerificationReport",
    "canonical_line",
    "is_bare_file_name",
    "is_date_time",
    "make_record",
    "record_id",
    "to_document",
    "verify_batch",
    "verify_document",
]

MANIFEST = "manifest.json"
RECORDS = "records.jsonl"
#: Namespace of the UUIDv5 record ids (uuid5 of the DNS namespace and "creditstd.dev").
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "creditstd.dev")
_IDENTIFIER_KINDS = frozenset({"uscc", "uscc_or_placeholder", "orgcode", "regno", "citizen_id"})
_MAX_PROBLEMS = 1000
#: An RFC 3339 date-time as the manifest's ``created`` (jsonschema's format checker knows no date-time by default).
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")


def is_date_time(value: object) -> bool:
    """Whether ``value`` is an RFC 3339 date-time with a real date and time (``2024-06-01T08:00:00+08:00``).

    >>> is_date_time('2024-06-01T08:00:00Z'), is_date_time('2024-06-01'), is_date_time('2024-02-30T00:00:00Z')
    (True, False, False)
    """
    if not isinstance(value, str) or not _DATE_TIME.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value[:-1] + "+00:00" if value[-1] in "Zz" else value)
    except ValueError:
        return False
    return True


def is_bare_file_name(name: object) -> bool:
    """Whether ``name`` names a file in the batch folder itself: no separators, not absolute, not ``.``/``..``.

    >>> is_bare_file_name('records.jsonl'), is_bare_file_name('../x'), is_bare_file_name('/etc/passwd')
    (True, False, False)
    """
    return (isinstance(name, str) and name not in ("", ".", "..") and not any(char in name for char in "/\\\0")
            and not os.path.isabs(name) and Path(name).name == name)


def _identity_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind in _IDENTIFIER_KINDS and isinstance(value, str):
        try:
            return compact(value)
        except ValidationError:
            return value
    return str(value).strip()


def record_id(data: Mapping[str, Any], class_name: str) -> str:
    """The stable id of a record: its class and a UUIDv5 of its identity fields' values.

    >>> record_id({'objection_number': 'YY-1'}, 'objection')
    'objection:...'
    """
    cls = record_class(class_name)
    parts = [class_name] + [_identity_value(data.get(key), cls.fields[key].kind) for key in cls.identity]
    return f"{class_name}:{uuid.uuid5(NAMESPACE, chr(31).join(parts))}"


def make_record(data: Mapping[str, Any], class_name: str, *, on: date | None = None, rule_set: str | None = None,
                related: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """Wrap ``data`` in an exchange record with its id, class, version and derived lifecycle."""
    cls = record_class(class_name)
    identifier = record_id(data, class_name)
    state = lifecycle(data, class_name, record_id=identifier, related=related, on=on, rule_set=rule_set)
    return {"record_id": identifier, "class": class_name, "class_version": cls.version,
            "lifecycle": state.to_json(), "data": dict(data)}


def canonical_line(record: Mapping[str, Any]) -> bytes:
    """The canonical JSONL line of a record (what the manifest's SHA-256 covers)."""
    return (json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def _manifest(class_name: str, department: str, department_uscc: str, count: int, digest: str,
              rule_set: str | None, file: str | None) -> dict[str, Any]:
    records: dict[str, Any] = {"count": count, "sha256": digest}
    if file:
        records = {"file": file, **records}
    return {
        "format": "creditstd-exchange", "format_version": "1.0", "catalogue_version": loader.index()["version"],
        "class": class_name, "class_version": record_class(class_name).version,
        "source": {"department": department, "uscc": department_uscc},
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "rule_set": rule_set, "records": records,
    }


class BatchWriter:
    """Write a batch record by record (streaming); the files appear only when the batch is complete."""

    def __init__(self, directory: str | os.PathLike[str], class_name: str, *, department: str, department_uscc: str,
                 rule_set: str | None = None, on: date | None = None) -> None:
        kind = record_class(class_name).classification["display_rule"]  # unknown class: CatalogueError now
        if rule_set is not None or kind is not None:  # unknown or inapplicable rule set: now, not after data was read
            chosen = get_rule_set(rule_set, kind)
            if kind is not None and kind not in chosen["applies_to"]:
                raise CatalogueError("catalogue.rule_set_not_applicable",
                                     f"公示规则集“{chosen['id']}”不适用于“{record_class(class_name).zh}”",
                                     f"display rule set {chosen['id']!r} does not apply to {class_name}")
        self.directory = Path(directory)
        self.class_name = class_name
        self.department = department
        self.department_uscc = uscc.validate(department_uscc)
        self.rule_set = rule_set
        self.on = on or date.today()
        self.count = 0
        self._ids: set[str] = set()
        self._hash = hashlib.sha256()
        self._records = contextlib.ExitStack()
        self._stream: BinaryIO | None = None
        self.manifest: dict[str, Any] | None = None

    def __enter__(self) -> BatchWriter:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._stream = self._records.enter_context(atomic_writer(self.directory / RECORDS, "wb"))
        return self

    def add(self, data: Mapping[str, Any], related: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
        """Append one record (``data`` of the batch's class); returns the exchange record written.

        A record whose id was already written (the same identity fields) is refused with a
        :class:`~creditstd.exceptions.CatalogueError` coded ``exchange.duplicate_id``; nothing is written.
        """
        assert self._stream is not None, "use BatchWriter as a context manager"
        record = make_record(data, self.class_name, on=self.on, rule_set=self.rule_set, related=related)
        if record["record_id"] in self._ids:
            raise CatalogueError("exchange.duplicate_id", "记录标识重复：批次中已有标识字段相同的记录",
                                 "duplicate record id: the batch already has a record with the same identity fields")
        self._ids.add(record["record_id"])
        line = canonical_line(record)
        self._stream.write(line)
        self._hash.update(line)
        self.count += 1
        return record

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> None:
        self._records.__exit__(kind, error, traceback)  # records.jsonl appears now, or not at all
        if error is not None:
            return
        self.manifest = _manifest(self.class_name, self.department, self.department_uscc, self.count,
                                  self._hash.hexdigest(), self.rule_set, RECORDS)
        with atomic_writer(self.directory / MANIFEST) as stream:  # last: a manifest only ever describes its records
            stream.write(json.dumps(self.manifest, ensure_ascii=False, indent=2) + "\n")


def to_document(records: Iterable[Mapping[str, Any]], class_name: str, *, department: str, department_uscc: str,
                rule_set: str | None = None) -> dict[str, Any]:
    """The single-document form of a batch of exchange records (from :func:`make_record`)."""
    items = list(records)
    digest = hashlib.sha256(b"".join(canonical_line(record) for record in items)).hexdigest()
    manifest = _manifest(class_name, department, uscc.validate(department_uscc), len(items), digest, rule_set, None)
    return {"manifest": manifest, "records": items}


@dataclass(frozen=True)
class Problem:
    """Something wrong in a batch: where (line, record id, JSON path) and why."""

    line: int | None
    record_id: str | None
    path: str
    code: str
    message_zh: str
    message_en: str

    @property
    def message(self) -> str:
        """The message in the configured language."""
        return bilingual(self.message_zh, self.message_en)


@dataclass
class VerificationReport:
    """What :func:`verify_batch` found."""

    manifest: dict[str, Any] | None
    count: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No problem at all."""
        return self.problem_count == 0

    def add(self, problem: Problem) -> None:
        """Record a problem (the first 1000 are kept; all are counted)."""
        self.problem_count += 1
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(problem)


@functools.cache
def _schema_validator(name: str) -> Draft202012Validator:
    documents = [loader.meta_schema(f"exchange-{part}.schema.json") for part in ("record", "manifest", "document")]
    registry: Registry = Registry().with_resources(
        (doc["$id"], Resource.from_contents(doc, default_specification=DRAFT202012)) for doc in documents
    )
    return Draft202012Validator(loader.meta_schema(name), registry=registry, format_checker=format_checker())


def _records_file_problem() -> Problem:
    return Problem(None, None, "$.records.file", "exchange.records_file",
                   "清单中的记录文件名必须是批次文件夹中的文件名（不得含路径分隔符、不得为绝对路径或“..”）",
                   "the manifest's records file must be a bare file name in the batch folder "
                   "(no path separators, not absolute, not '..')")


def _check_manifest(manifest: Any, report: VerificationReport) -> bool:
    """Check the manifest; False when it cannot be used at all (the records are then not read)."""
    errors = list(_schema_validator("exchange-manifest.schema.json").iter_errors(manifest))
    for error in errors:
        if list(error.absolute_path) == ["records", "file"]:
            report.add(_records_file_problem())
            continue
        path = "$" + "".join(f".{part}" for part in error.absolute_path)
        report.add(Problem(None, None, path, "exchange.manifest", "清单不符合交换格式", f"manifest: {error.message}"))
    if not errors and not is_date_time(manifest["created"]):
        report.add(Problem(None, None, "$.created", "exchange.manifest", "清单的创建时间不是RFC 3339日期时间",
                           "manifest: created is not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS and an offset)"))
        return False
    if errors:
        return False
    try:
        cls = record_class(manifest["class"])
    except CatalogueError as error:
        report.add(Problem(None, None, "$.class", error.code, error.message_zh, error.message_en))
        return False
    installed = {"$.class_version": (manifest["class_version"], cls.version),
                 "$.catalogue_version": (manifest["catalogue_version"], loader.index()["version"])}
    for path, (sent, known) in installed.items():
        if sent != known:
            report.add(Problem(None, None, path, "exchange.version",
                               f"发送方与接收方的目录版本不同：清单为{sent}，本地目录为{known}",
                               f"sender and receiver catalogues differ: the manifest says {sent}, "
                               f"the installed catalogue is {known}"))
    return True


def _check_records(lines: Iterable[tuple[int, bytes]], manifest: Mapping[str, Any], report: VerificationReport,
                   validate: bool, strict: bool) -> str:
    """Check each line; return the SHA-256 of all lines."""
    envelope = _schema_validator("exchange-record.schema.json")
    class_name = manifest["class"]
    check = validator(class_name, strict) if validate else None
    digest, seen = hashlib.sha256(), set()
    for number, raw in lines:
        digest.update(raw)
        report.count += 1
        try:
            record = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested too deeply to parse
            report.add(Problem(number, None, "$", "exchange.json", "不是有效的JSON行", "not a valid JSON line"))
            continue
        identifier = record.get("record_id") if isinstance(record, dict) else None
        envelope_errors = list(envelope.iter_errors(record))
        for error in envelope_errors:
            path = "$" + "".join(f".{part}" for part in error.absolute_path)
            report.add(Problem(number, identifier, path, "exchange.envelope", "记录外层结构不符合交换格式",
                               f"record envelope: {error.validator} at {path}"))
        if envelope_errors:
            continue
        if record["class"] != class_name:
            report.add(Problem(number, identifier, "$.class", "exchange.class", "记录类别与清单不符",
                               f"record class {record['class']!r} differs from the manifest's {class_name!r}"))
            continue
        if record["class_version"] != manifest["class_version"]:
            report.add(Problem(number, identifier, "$.class_version", "exchange.class_version",
                               "记录的类版本与清单不符",
                               f"record class version {record['class_version']!r} differs from the manifest's "
                               f"{manifest['class_version']!r}"))
        if identifier in seen:
            report.add(Problem(number, identifier, "$.record_id", "exchange.duplicate_id", "记录标识重复",
                               "duplicate record id"))
        seen.add(identifier)
        if record_id(record["data"], class_name) != identifier:
            report.add(Problem(number, identifier, "$.record_id", "exchange.record_id",
                               "记录标识与标识字段不符（数据可能被改动）",
                               "record id does not match the identity fields (the data may have been altered)"))
        for error in check.iter_errors(record["data"]) if check else ():
            report.add(Problem(number, identifier, "$.data" + error.path[1:], error.code, error.message_zh,
                               error.message_en))
    return digest.hexdigest()


def _check_totals(manifest: Mapping[str, Any], report: VerificationReport, digest: str) -> None:
    expected = manifest["records"]
    if report.count != expected["count"]:
        report.add(Problem(None, None, "$.records.count", "exchange.count",
                           f"记录数为{report.count}，清单为{expected['count']}",
                           f"{report.count} records, the manifest says {expected['count']}"))
    if digest != expected["sha256"]:
        report.add(Problem(None, None, "$.records.sha256", "exchange.sha256", "记录文件的SHA-256与清单不符",
                           "the SHA-256 of the records differs from the manifest"))


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as stream:
        yield from enumerate(stream, 1)


def verify_batch(path: str | os.PathLike[str], *, validate: bool = True, strict: bool = False) -> VerificationReport:
    """Verify a batch folder (or its manifest file): manifest, count, hash, envelopes, ids, and each record."""
    folder = Path(path)
    manifest_path = folder if folder.is_file() else folder / MANIFEST
    report = VerificationReport(None)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        report.add(Problem(None, None, "$", "exchange.manifest", f"无法读取清单 {manifest_path}",
                           f"cannot read the manifest {manifest_path}: {error}"))
        return report
    report.manifest = manifest
    if not _check_manifest(manifest, report):
        return report
    name = manifest["records"].get("file", RECORDS)
    if not is_bare_file_name(name):  # the schema says so too; never read a file outside the batch folder
        if not any(problem.code == "exchange.records_file" for problem in report.problems):
            report.add(_records_file_problem())
        return report
    records_path = manifest_path.parent / name
    if not records_path.is_file():
        report.add(Problem(None, None, "$.records.file", "exchange.missing_records", f"找不到记录文件 {records_path}",
                           f"records file {records_path} not found"))
        return report
    digest = _check_records(_lines(records_path), manifest, report, validate, strict)
    _check_totals(manifest, report, digest)
    return report


def verify_document(document: Mapping[str, Any], *, validate: bool = True, strict: bool = False) -> VerificationReport:
    """Verify a single-document batch the way :func:`verify_batch` verifies a folder."""
    report = VerificationReport(document.get("manifest") if isinstance(document, Mapping) else None)
    manifest = report.manifest
    if not isinstance(document, Mapping) or not isinstance(document.get("records"), list):
        report.add(Problem(None, None, "$", "exchange.document", "不是交换格式单文档",
                           "not a single-document exchange batch"))
        return report
    if not _check_manifest(manifest, report):
        return report
    lines = ((number, canonical_line(record)) for number, record in enumerate(document["records"], 1))
    digest = _check_records(lines, manifest, report, validate, strict)
    _check_totals(manifest, report, digest)
    return report
