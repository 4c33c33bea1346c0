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
is the job of a detached signature over the manifest
(:mod:`creditstd.records.signing`).  Every record is also checked against the
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
any data is read.  A batch holds personal data, so whatever the umask, the
writer creates the batch folder readable by its owner only (0700; an
existing folder keeps its mode) and writes ``records.jsonl`` and
``manifest.json`` as 0600.  If the ``with`` block fails, or a write inside
it failed, nothing of the new batch is left (a folder the writer created is
removed again); if the manifest cannot be written, the new records file is
removed too: a failed write never leaves a batch that verifies.  A record
the reader would refuse is refused when it is added: a value JSON cannot
carry or a receiver must not have to hold (a non-finite number, a lone
surrogate, over-long text, deep nesting: the limits of
:mod:`creditstd.records.jsonline`) or a line longer than
:data:`~creditstd.records.jsonline.MAX_LINE_BYTES` raises a
:class:`~creditstd.records.jsonline.LineError` (a ``CatalogueError``) and
writes nothing.

Reading is defensive (the sender controls every byte of the folder):
:func:`verify_batch` refuses a manifest or records file that is a symbolic
link, or not a regular file (a FIFO would block the reader), or a records
file that resolves outside the batch folder (``exchange.manifest``,
``exchange.records_file``: the batch cannot be read); it reads the manifest
up to :data:`MAX_MANIFEST_BYTES` and ``records.jsonl`` line by line, never
more than :data:`~creditstd.records.jsonline.MAX_LINE_BYTES` of a line in
memory, and parses every line with
:func:`~creditstd.records.jsonline.loads_record`: a line that is too long,
too deep, not strict JSON, or holds a non-finite number, a lone surrogate
or over-long text is a problem on that line (its code and JSON path), and
the next line is read.  The limits are those of
:mod:`creditstd.records.jsonline`.

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
...     batch.add(data)
Traceback (most recent call last):
...
creditstd.records.exchange.RecordRejected: exchange.invalid_record: ...
>>> os.listdir(folder)   # the with block failed: nothing of the batch is left
[]
>>> with BatchWriter(folder, 'administrative_penalty', department='某市市场监督管理局',
...                  department_uscc='11350100MAD18YGF27', on=date(2024, 6, 1), validate=False) as batch:
...     _ = batch.add(data)   # validate=False: the caller has checked the record (here: it has not)
>>> report = verify_batch(folder, validate=False)
>>> report.ok, report.count, report.manifest['format_version']
(True, 1, '2.0')
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import re
import stat
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, TypeGuard

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from creditstd.atomic import atomic_writer
from creditstd.codes import uscc
from creditstd.codes._text import compact
from creditstd.codes.identify import find_kind
from creditstd.codes_registry import lookup
from creditstd.exceptions import CatalogueError, ValidationError
from creditstd.findings import Finding, Location, finding
from creditstd.records import loader
from creditstd.records.canonical_json import canonical_json
from creditstd.records.formats import format_checker
from creditstd.records.jsonline import (
    MAX_LINE_BYTES,
    LineError,
    bounded_lines,
    dumps_record,
    first_problem,
    json_path,
    loads_record,
    printable,
)
from creditstd.records.model import record_class
from creditstd.records.publication import get_rule_set, lifecycle
from creditstd.records.validation import validator

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST",
    "MAX_MANIFEST_BYTES",
    "RECORDS",
    "UNREADABLE",
    "BatchCounter",
    "BatchWriter",
    "RecordRejected",
    "TableLines",
    "UnsafeFile",
    "VerificationReport",
    "canonical_line",
    "identity",
    "identity_text",
    "identity_value",
    "is_bare_file_name",
    "is_date_time",
    "make_record",
    "open_regular",
    "record_id",
    "table_lines",
    "to_document",
    "verify_batch",
    "verify_document",
]

MANIFEST = "manifest.json"
RECORDS = "records.jsonl"
#: The codes of a batch that could not be read at all (no manifest, a records file refused, absent or outside
#: the folder): :func:`verify_batch` stops at them.
UNREADABLE = frozenset({"exchange.manifest", "exchange.missing_records", "exchange.records_file"})
#: Namespace of the UUIDv5 record ids (uuid5 of the DNS namespace and "creditstd.dev").
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "creditstd.dev")
_MAX_PROBLEMS = 1000
#: The largest manifest read, in bytes (a manifest is well under 1 KiB).
MAX_MANIFEST_BYTES = 1024 * 1024
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


#: The exchange format version this writer writes.  :func:`verify_batch` also reads 1.0 (the manifest schema lists
#: both), whose record ids hashed a Python-specific text of the identity values and are recomputed that way.
FORMAT_VERSION = "2.0"


def identity_value(value: Any, kind: str) -> Any:
    """One identity field's value as the record id sees it (see :func:`record_id`).

    >>> identity_value(' 9135 0100-m000 100y43 ', 'uscc'), identity_value(' 罚〔2024〕1号\u3000', 'text')
    ('91350100M000100Y43', '罚〔2024〕1号')
    >>> identity_value('  ', 'text'), identity_value(None, 'text'), identity_value(2024, 'integer')
    (None, None, 2024)
    """
    if isinstance(value, str):
        text = value.strip()
        if find_kind(kind) is not None:  # an identifier: compared in its compact form
            with contextlib.suppress(ValidationError):  # longer than any identifier: compared as text
                text = compact(value)
        return text or None
    return value


def identity(data: Mapping[str, Any], class_name: str) -> dict[str, Any]:
    """The class's identity fields of ``data``, each as :func:`identity_value` makes it (absent: None).

    >>> identity({'objection_number': ' YY-1 ', 'other': 1}, 'objection')
    {'objection_number': 'YY-1'}
    """
    cls = record_class(class_name)
    return {key: identity_value(data.get(key), cls.fields[key].kind) for key in cls.identity}


def identity_text(value: Any) -> str:
    """An identity value as one text (:mod:`creditstd.records.duplicates` joins them into keys): a string
    itself, None empty, anything else its canonical JSON.  Raises
    :class:`~creditstd.exceptions.CatalogueError` (``exchange.identity``) where :func:`record_id` would.

    >>> identity_text('YY-1'), identity_text(None), identity_text(2.50)
    ('YY-1', '', '2.5')
    """
    if value is None or isinstance(value, str):
        return value or ""
    return _canonical_identity(value).decode("utf-8")


def _canonical_identity(value: Any) -> bytes:
    """The canonical JSON of an identity (lenient: a value no batch can carry still names its record)."""
    try:
        return canonical_json(value, lenient=True)
    except ValueError:
        raise CatalogueError("exchange.identity", "标识字段的取值无法转换为规范JSON（超过4300位的整数或过深的嵌套）",
                             "an identity field holds a value with no canonical JSON form (an integer of over 4300 "
                             "digits, or nesting too deep)") from None


def _uuid5(name: bytes) -> uuid.UUID:
    """:func:`uuid.uuid5` in :data:`NAMESPACE` of the bytes ``name``."""
    digest = hashlib.sha1(NAMESPACE.bytes + name, usedforsecurity=False).digest()
    return uuid.UUID(bytes=digest[:16], version=5)


def record_id(data: Mapping[str, Any], class_name: str, *, format_version: str = FORMAT_VERSION) -> str:
    """The stable id of a record: ``<class>:<UUIDv5>`` of the RFC 8785 canonical JSON of its identity.

    The name hashed (format 2.0; ``docs/exchange-format.md`` specifies it with test vectors) is the
    canonical JSON (:func:`~creditstd.records.canonical_json.canonical_json`) of
    ``{"class": <class>, "identity": {<field>: <value>, ...}}`` over the class's identity fields, each
    value as :func:`identity_value` makes it: an identifier (USCC, ID number...) in the compact form of
    :func:`~creditstd.codes._text.compact`, other text stripped of white space at both ends, empty
    text and absent fields ``null``, other JSON values as they are.  The UUID is version 5: SHA-1 of
    :data:`NAMESPACE`'s 16 bytes followed by those bytes.  ``format_version="1.0"`` gives the id a
    batch of format 1.0 carries (its Python-specific text), for :func:`verify_batch`.

    A value a batch cannot carry (a lone surrogate, a non-finite number) still gives an id, so that a
    reader can name the record it refuses (the lenient form of
    :func:`~creditstd.records.canonical_json.canonical_json`), as does an integer beyond 2**53 (all its
    digits: a receiver that reads numbers as doubles must read such a value as text to reproduce it).
    Raises :class:`~creditstd.exceptions.CatalogueError` for an unknown class, or
    (``exchange.identity``) for an integer of over 4300 digits or nesting deeper than 64; ``data``
    must be a mapping.

    >>> record_id({'objection_number': 'YY-1'}, 'objection')
    'objection:ae9eaf6b-e9ae-58a6-bcfa-b627653572e5'
    >>> record_id({'objection_number': ' yy-1'}, 'objection') == record_id({'objection_number': 'yy-1'}, 'objection')
    True
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"a record's data is a mapping, not {type(data).__name__}")
    if format_version == "1.0":
        return _record_id_1(data, class_name)
    name = _canonical_identity({"class": class_name, "identity": identity(data, class_name)})
    return f"{class_name}:{_uuid5(name)}"


def _record_id_1(data: Mapping[str, Any], class_name: str) -> str:
    """Format 1.0's record id: UUIDv5 of the class and the identity values' Python text joined by U+001F."""
    cls = record_class(class_name)
    parts = [class_name]
    for key in cls.identity:
        value = data.get(key)
        if value is None:
            parts.append("")
            continue
        if isinstance(value, str) and find_kind(cls.fields[key].kind) is not None:
            try:
                parts.append(compact(value))
            except ValidationError:
                parts.append(value)
            continue
        try:
            parts.append(str(value).strip())
        except (ValueError, RecursionError):  # an int too long to print, a structure nested too deep to print
            raise CatalogueError("exchange.identity", "标识字段的取值无法转换为文本",
                                 "an identity field holds a value that cannot be turned into text") from None
    return f"{class_name}:{_uuid5(chr(31).join(parts).encode('utf-8', 'surrogatepass'))}"


def make_record(data: Mapping[str, Any], class_name: str, *, on: date | None = None, rule_set: str | None = None,
                related: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """Wrap ``data`` in an exchange record with its id, class, version and derived lifecycle."""
    cls = record_class(class_name)
    identifier = record_id(data, class_name)
    state = lifecycle(data, class_name, record_id=identifier, related=related, on=on, rule_set=rule_set)
    return {"record_id": identifier, "class": class_name, "class_version": cls.version,
            "lifecycle": state.to_json(), "data": dict(data)}


def canonical_line(record: Mapping[str, Any]) -> bytes:
    """The canonical JSONL line of a record (what the manifest's SHA-256 covers).

    Raises :class:`~creditstd.records.jsonline.LineError` (a ``CatalogueError``) for a record
    :func:`~creditstd.records.jsonline.loads_record` would refuse to read back: a non-finite number,
    a lone surrogate, over-long text, deep nesting, a line over the size limit; and ``exchange.not_json``
    for a value JSON has no form for.  Never writes ``NaN`` or ``Infinity``.

    >>> canonical_line({'b': 1, 'a': 'x'})
    b'{"a":"x","b":1}\\n'
    >>> canonical_line({'fine_amount': float('nan')})
    Traceback (most recent call last):
    ...
    creditstd.records.jsonline.LineError: record.not_finite: ...
    """
    text = dumps_record(record, canonical=True)
    line = (text + "\n").encode("utf-8")
    if len(line) - 1 > MAX_LINE_BYTES:
        raise LineError("exchange.line_too_long")
    return line


def _manifest(class_name: str, department: str, department_uscc: str, count: int, digest: str,
              rule_set: str | None, file: str | None, *, created: datetime | None = None,
              accounting: Mapping[str, int] | None = None) -> dict[str, Any]:
    records: dict[str, Any] = {"count": count, "sha256": digest}
    if file:
        records = {"file": file, **records}
    manifest = {
        "format": "creditstd-exchange", "format_version": FORMAT_VERSION,
        "catalogue_version": loader.index()["version"],
        "class": class_name, "class_version": record_class(class_name).version,
        "source": {"department": department, "uscc": department_uscc},
        "created": (created or datetime.now(timezone.utc)).isoformat(timespec="seconds"), "rule_set": rule_set,
        "records": records,
    }
    if accounting is not None:
        manifest["accounting"] = dict(accounting)
    return manifest


class _WrittenIds:
    """The record ids a batch holds, as the 16 bytes of each id's UUID (the class is the batch's): sorted runs
    (:class:`~creditstd.records.sorted_runs.SortedRuns`, 16 bytes an id) and the last few single ids in a set."""

    _RECENT = 4096

    def __init__(self) -> None:
        import numpy as np

        from creditstd.records.sorted_runs import SortedRuns

        self._runs = SortedRuns(np.dtype("S16"))
        self._recent: set[bytes] = set()

    def holds(self, uid: bytes) -> bool:
        import numpy as np

        return uid in self._recent or bool(self._runs.find(np.array([uid], "S16"))[0][0])

    def add(self, uid: bytes) -> None:
        self._recent.add(uid)
        if len(self._recent) >= self._RECENT:
            self._flush()

    def _flush(self) -> None:
        import numpy as np

        if self._recent:
            self._runs.add(np.sort(np.frombuffer(b"".join(self._recent), "S16")))
            self._recent = set()

    def find(self, uids: Any) -> Any:
        """Per UUID (an ``S16`` array): whether the batch holds it."""
        self._flush()
        return self._runs.find(uids)[0]

    def add_many(self, uids: Any) -> None:
        """Add UUIDs (``S16``, none held, no repeats)."""
        import numpy as np

        self._flush()
        self._runs.add(np.sort(uids))

    def admit(self, table: TableLines) -> tuple[Any, dict[int, CatalogueError]]:
        """The positions in ``table`` of the rows to write (``numpy.int64``; their ids are not added yet: see
        :meth:`add_many`), and every row refused with its error: ``table``'s own refusals, and each row whose
        record id is held already or is an earlier row's (``exchange.duplicate_id``; the first is kept)."""
        import numpy as np

        wanted, uuids, refused = table.wanted, table.lines.uuids, dict(table.refused)
        keep = ~np.isin(wanted, np.fromiter(refused, np.int64, len(refused)))
        held = self.find(uuids)
        kept = np.flatnonzero(keep)  # a row refused for its own reason holds no id: a later one may have it
        _, first = np.unique(uuids[kept], return_index=True)
        earlier = np.zeros(len(wanted), bool)
        earlier[kept] = True
        earlier[kept[first]] = False
        for position in np.flatnonzero(keep & (held | earlier)).tolist():
            refused[int(wanted[position])] = CatalogueError(
                "exchange.duplicate_id", "记录标识重复：批次中已有标识字段相同的记录",
                "duplicate record id: the batch already has a record with the same identity fields")
        return np.flatnonzero(keep & ~(held | earlier)), refused


class RecordRejected(CatalogueError):
    """A record :meth:`BatchWriter.add` refused because it does not conform to its class (code
    ``exchange.invalid_record``); ``findings`` says why, each a :class:`~creditstd.findings.Finding`."""

    def __init__(self, findings: Iterable[Finding]) -> None:
        self.findings = tuple(findings)
        messages = lookup("exchange.invalid_record").messages(count=len(self.findings))
        super().__init__("exchange.invalid_record", *messages)


@dataclass(frozen=True)
class TableLines:
    """Rows of a table made into exchange lines by :meth:`BatchWriter.make_lines`, not yet written."""

    #: The rows of the table, in order (``numpy.int64``).
    wanted: Any
    #: Their lines, record ids and UUIDs (:class:`~creditstd.records.exchange_lines.RecordLines`).
    lines: Any
    #: The rows refused already (not conforming, or a value a batch cannot carry), each with its error.
    refused: Mapping[int, CatalogueError]
    #: What the lines were made with: class, reference day, rule set, strictness and whether the rows were
    #: checked (:meth:`BatchWriter.add_lines` takes only lines made with its own settings).
    settings: tuple[Any, ...] = ()


def _check_class_and_rule_set(class_name: str, rule_set: str | None) -> None:
    """Raise :class:`~creditstd.exceptions.CatalogueError` now, before any data is read, for an unknown class
    or an unknown rule set, or one that does not apply to the class."""
    kind = record_class(class_name).classification["display_rule"]
    if rule_set is not None or kind is not None:
        chosen = get_rule_set(rule_set, kind)
        if kind is not None and kind not in chosen["applies_to"]:
            raise CatalogueError("catalogue.rule_set_not_applicable",
                                 f"公示规则集“{chosen['id']}”不适用于“{record_class(class_name).zh}”",
                                 f"display rule set {chosen['id']!r} does not apply to {class_name}")


def table_lines(class_name: str, batch: Any, rows: Iterable[int] | None = None, *,
                cells: Mapping[str, Any] | None = None, on: date, rule_set: str | None = None,
                strict: bool = False, validate: bool = True) -> TableLines:
    """The rows ``rows`` (default: all) of ``batch`` made into exchange lines, as :meth:`BatchWriter.add_table`
    writes them (see there for ``cells``): each row checked first unless ``validate`` is False, a row that does
    not conform or holds a value a batch cannot carry refused.  Pure: nothing is written or remembered."""
    import numpy as np
    import pyarrow as pa

    from creditstd.records.exchange_lines import record_lines
    from creditstd.records.plan import compile_plan, table_cells, validate_table

    if cells is not None and any(len(column) != batch.num_rows for column in cells.values()):
        raise ValueError("cells must be the whole batch's, as validate_table read them")
    wanted = np.arange(batch.num_rows) if rows is None else np.asarray(list(rows), np.int64)
    every = len(wanted) == batch.num_rows and bool((wanted == np.arange(batch.num_rows)).all())
    index = None if every else pa.array(wanted, pa.int64())
    refused: dict[int, CatalogueError] = {}
    plan = compile_plan(class_name, strict=strict)
    if not validate and cells is not None:
        cells = cells if index is None else {key: column.take(index) for key, column in cells.items()}
    elif validate:
        result = validate_table(plan, batch if index is None else batch.take(index))
        by_row: dict[int, list[Finding]] = {}
        for row, item in zip(result.rows.tolist(), result.findings, strict=True):
            by_row.setdefault(int(wanted[row]), []).append(item)
        refused.update({row: RecordRejected(items) for row, items in by_row.items()})
        cells = dict(result.cells)  # the cells the check read: the same as table_cells gives
    else:
        cells = table_cells(plan, batch if index is None else batch.take(index))
    made = record_lines(class_name, cells, on=on, rule_set=rule_set)
    for position, error in made.problems.items():
        refused.setdefault(int(wanted[position]), error)
    return TableLines(wanted, made, refused, (class_name, on, rule_set, strict, validate))


class _LineMaker:
    """What :class:`BatchWriter` and :class:`BatchCounter` share: lines made with their settings, and the
    record ids admitted (``exchange.duplicate_id`` for a repeat) only for lines made with those settings."""

    class_name: str
    on: date
    rule_set: str | None
    _strict: bool
    _ids: _WrittenIds
    #: Whether the rows are checked against the class before their lines are made.
    _checks_rows: bool = False

    def make_lines(self, batch: Any, rows: Iterable[int] | None = None, *,
                   cells: Mapping[str, Any] | None = None) -> TableLines:
        """The first half of :meth:`BatchWriter.add_table` (same arguments): :func:`table_lines` with these
        settings, nothing written.  It reads only the settings, so it may run in another thread than
        :meth:`~BatchWriter.add_lines`, which takes what it returns, in the same order."""
        return table_lines(self.class_name, batch, rows, cells=cells, on=self.on, rule_set=self.rule_set,
                           strict=self._strict, validate=self._checks_rows)

    def _admit(self, table: TableLines) -> tuple[Any, dict[int, CatalogueError]]:
        """:meth:`_WrittenIds.admit`, for lines made with these settings only (another class, day or rule set,
        or unchecked rows for a writer that checks them: ValueError)."""
        settings = (self.class_name, self.on, self.rule_set, self._strict, self._checks_rows)
        if table.settings != settings:
            raise ValueError(f"lines made with {table.settings}, not with this writer's settings {settings}")
        return self._ids.admit(table)


class BatchCounter(_LineMaker):
    """Stands in for a :class:`BatchWriter` made with ``validate=False`` where nothing is to be written (a dry
    run): :meth:`make_lines` and :meth:`add_lines` make the same lines and refuse the same rows, and
    :attr:`count` counts the records a batch would hold, but no line is kept."""

    def __init__(self, class_name: str, *, rule_set: str | None = None, on: date | None = None,
                 strict: bool = False) -> None:
        _check_class_and_rule_set(class_name, rule_set)
        self.class_name = class_name
        self.rule_set = rule_set
        self.on = on or date.today()
        self._strict = strict
        self.count = 0
        self._ids = _WrittenIds()

    def add_lines(self, table: TableLines) -> list[tuple[int, CatalogueError]]:
        """As :meth:`BatchWriter.add_lines`, counting instead of writing."""
        chosen, refused = self._admit(table)
        if len(chosen):
            self._ids.add_many(table.lines.uuids[chosen])
            self.count += len(chosen)
        return sorted(refused.items())


class BatchWriter(_LineMaker):
    """Write a batch record by record (streaming); the files appear only when the batch is complete.

    Each record is validated against its class when it is added (``strict`` as
    :func:`~creditstd.records.validation.validator` takes it); ``validate=False`` writes records
    unchecked, for a caller that has just validated them itself.  A batch of no record is not written:
    leaving the ``with`` block without one raises ``exchange.empty`` and leaves nothing behind.

    ``created`` fixes the manifest's ``created`` (an aware datetime; default: the time the batch is completed),
    so that a rerun can write a byte-identical batch (``creditstd convert`` passes its ``--on`` day at
    00:00:00+08:00).  :meth:`account` adds the manifest's optional ``accounting`` member (rows read, records
    written, rows rejected) before the block ends.
    """

    def __init__(self, directory: str | os.PathLike[str], class_name: str, *, department: str, department_uscc: str,
                 rule_set: str | None = None, on: date | None = None, validate: bool = True,
                 strict: bool = False, created: datetime | None = None) -> None:
        if created is not None and created.utcoffset() is None:
            raise ValueError("created must be an aware datetime (RFC 3339 needs an offset)")
        _check_class_and_rule_set(class_name, rule_set)
        if not isinstance(department, str) or not department.strip() or first_problem(department) is not None:
            raise CatalogueError("exchange.department", "报送部门名称须为非空文本（不含无法编码的字符，不过长）",
                                 "the sending department must be non-empty text (encodable, not over-long)")
        self.directory = Path(directory)
        self.class_name = class_name
        self.department = department
        self.department_uscc = uscc.validate(department_uscc)
        self.rule_set = rule_set
        self.on = on or date.today()
        self._check = validator(class_name, strict) if validate else None
        self._strict = strict
        self.count = 0
        self._ids = _WrittenIds()
        self._hash = hashlib.sha256()
        self._records = contextlib.ExitStack()
        self._stream: BinaryIO | None = None
        self._failed = False
        self._created = False
        self.manifest: dict[str, Any] | None = None
        self.created = created
        self.accounting: dict[str, int] | None = None

    def account(self, *, rows_in: int, rejected: int) -> None:
        """State how many rows the batch was made from: the manifest gets ``accounting`` with ``rows_in``,
        ``records_out`` (the records written) and ``rejected``.  Call it after the last :meth:`add`, before
        the ``with`` block ends; raises ValueError unless rows_in = records written + rejected."""
        if rows_in != self.count + rejected or rejected < 0:
            raise ValueError(f"accounting does not add up: {rows_in} rows in != {self.count} records out + "
                             f"{rejected} rejected")
        self.accounting = {"rows_in": rows_in, "records_out": self.count, "rejected": rejected}

    def __enter__(self) -> BatchWriter:
        try:
            self.directory.mkdir(mode=0o700)
            self._created = True
        except FileNotFoundError:
            self.directory.parent.mkdir(parents=True, exist_ok=True)
            self.directory.mkdir(mode=0o700)
            self._created = True
        except FileExistsError:
            if not self.directory.is_dir():
                raise
        if self._created:
            os.chmod(self.directory, 0o700)  # the umask may have taken bits away: owner only, whatever it is
        try:
            self._stream = self._records.enter_context(atomic_writer(self.directory / RECORDS, "wb", private=True))
        except BaseException:
            self._remove_created_folder()
            raise
        return self

    def add(self, data: Mapping[str, Any], related: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
        """Append one record (``data`` of the batch's class); returns the exchange record written.

        A record that does not conform to the class (unless the writer was made with ``validate=False``)
        is refused with :class:`RecordRejected` (``exchange.invalid_record``, its ``findings`` the
        reasons).  A record whose id was already written (the same identity fields) is refused with a
        :class:`~creditstd.exceptions.CatalogueError` coded ``exchange.duplicate_id``; a record the
        reader would refuse (see :func:`canonical_line`) with a
        :class:`~creditstd.records.jsonline.LineError`; nothing is written, and the batch goes on.
        If writing itself fails (a full disk), the batch is broken: the error propagates, and the
        batch is discarded when the ``with`` block ends, even if the error was caught.
        """
        assert self._stream is not None, "use BatchWriter as a context manager"
        if self._failed:
            raise CatalogueError("exchange.write_failed", "批次写入已失败，不能再添加记录",
                                 "writing the batch failed earlier: no more records can be added")
        if self._check is not None:
            problems = list(self._check.iter_errors(data))
            if problems:
                raise RecordRejected(problems)
        record = make_record(data, self.class_name, on=self.on, rule_set=self.rule_set, related=related)
        uid = uuid.UUID(record["record_id"].partition(":")[2]).bytes
        if self._ids.holds(uid):
            raise CatalogueError("exchange.duplicate_id", "记录标识重复：批次中已有标识字段相同的记录",
                                 "duplicate record id: the batch already has a record with the same identity fields")
        line = canonical_line(record)
        try:
            self._stream.write(line)
        except BaseException:
            self._failed = True  # part of the line may be in the file: the batch cannot be completed
            raise
        self._ids.add(uid)
        self._hash.update(line)
        self.count += 1
        return record

    def add_table(self, batch: Any, rows: Iterable[int] | None = None, *,
                  cells: Mapping[str, Any] | None = None) -> list[tuple[int, CatalogueError]]:
        """Append the rows ``rows`` (default: all) of ``batch``, a ``pyarrow.RecordBatch`` of text cells named by
        catalogue key (as :func:`~creditstd.records.plan.validate_table` takes it), in order, as :meth:`add`
        would append their decoded records one by one, byte for byte, but column by column
        (:mod:`creditstd.records.exchange_lines`: about a hundred times faster).  ``cells``: the cells of the
        whole ``batch`` as the core read them (:attr:`~creditstd.records.plan.TableResult.cells` of a
        :func:`~creditstd.records.plan.validate_table` of it), when at hand: a writer made with
        ``validate=False`` then does not read them again.

        Returns the rows refused, each with its error: a row that does not conform (a
        :class:`RecordRejected`, unless the writer was made with ``validate=False``), a record id already
        written (``exchange.duplicate_id``; within the batch the first row is kept), a value a batch cannot
        carry (a :class:`~creditstd.records.jsonline.LineError`).  The other rows are written.

        It is :meth:`make_lines` then :meth:`add_lines`, which a pipeline may run in two threads.
        """
        return self.add_lines(self.make_lines(batch, rows, cells=cells))

    @property
    def _checks_rows(self) -> bool:  # type: ignore[override]
        return self._check is not None

    def add_lines(self, table: TableLines) -> list[tuple[int, CatalogueError]]:
        """The second half of :meth:`add_table`: write the lines :meth:`make_lines` made, but those whose record
        id the batch already holds (or an earlier row of the same table); returns the rows refused."""
        import pyarrow as pa

        from creditstd.arrow_text import text_buffers

        assert self._stream is not None, "use BatchWriter as a context manager"
        if self._failed:
            raise CatalogueError("exchange.write_failed", "批次写入已失败，不能再添加记录",
                                 "writing the batch failed earlier: no more records can be added")
        chosen, refused = self._admit(table)
        made = table.lines
        if len(chosen):
            lines = made.lines if len(chosen) == len(table.wanted) else made.lines.take(pa.array(chosen))
            offsets, text = text_buffers(lines)  # the lines one after the other: written as they lie
            data = text[offsets[0]:offsets[-1]].data
            try:
                self._stream.write(data)
            except OSError as error:  # the disk is full...: the message names the file that could not be written
                self._failed = True
                if error.filename is None:
                    error.filename = str(self.directory / RECORDS)
                raise
            except BaseException:
                self._failed = True
                raise
            self._ids.add_many(made.uuids[chosen])
            self._hash.update(data)
            self.count += len(chosen)
        return sorted(refused.items())

    def _remove_created_folder(self) -> None:
        if self._created:
            with contextlib.suppress(OSError):
                self.directory.rmdir()  # only if empty: never anything that was there before

    def _discard(self, error: BaseException) -> None:
        """Throw ``error`` into the records writer: the temporary file goes, records.jsonl stays as it was."""
        self._records.__exit__(type(error), error, error.__traceback__)
        self._remove_created_folder()

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> None:
        if error is None and self._failed:
            error = CatalogueError("exchange.write_failed", "写入记录失败，批次已丢弃",
                                   "writing a record failed: the batch was discarded")
            self._discard(error)
            raise error
        if error is not None:
            self._discard(error)
            return
        if self.count == 0:
            empty = CatalogueError("exchange.empty", *lookup("exchange.empty").messages())
            self._discard(empty)
            raise empty
        try:
            if self.accounting is not None and self.accounting["records_out"] != self.count:
                raise ValueError("records were added after account(): call it after the last add()")
            manifest = _manifest(self.class_name, self.department, self.department_uscc, self.count,
                                 self._hash.hexdigest(), self.rule_set, RECORDS, created=self.created,
                                 accounting=self.accounting)
            text = json.dumps(manifest, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
        except BaseException as failure:
            self._discard(failure)
            raise
        try:
            self._records.__exit__(None, None, None)  # records.jsonl appears now (or, failing, stays as it was)
        except BaseException:
            self._remove_created_folder()
            raise
        try:
            with atomic_writer(self.directory / MANIFEST, private=True) as stream:  # last: it describes its records
                stream.write(text)
        except BaseException:
            with contextlib.suppress(OSError):  # records no manifest describes: not a batch, not left behind
                (self.directory / RECORDS).unlink()
            self._remove_created_folder()
            raise
        self.manifest = manifest


def to_document(records: Iterable[Mapping[str, Any]], class_name: str, *, department: str, department_uscc: str,
                rule_set: str | None = None) -> dict[str, Any]:
    """The single-document form of a batch of exchange records (from :func:`make_record`)."""
    items = list(records)
    digest = hashlib.sha256(b"".join(canonical_line(record) for record in items)).hexdigest()
    manifest = _manifest(class_name, department, uscc.validate(department_uscc), len(items), digest, rule_set, None)
    return {"manifest": manifest, "records": items}


@dataclass
class VerificationReport:
    """What :func:`verify_batch` found: each problem a :class:`~creditstd.findings.Finding`.

    A problem's ``location`` says where: the manifest's file name for the manifest's problems, and for a
    record's the records file, its line and the ``record_id`` it claims (:func:`verify_document`: the
    record's 1-based number in the document); ``path`` is the JSON path inside that manifest or record.
    """

    manifest: dict[str, Any] | None
    count: int = 0
    problem_count: int = 0
    problems: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No problem at all."""
        return self.problem_count == 0

    def add(self, problem: Finding) -> None:
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


def _shown(path: os.PathLike[str] | str) -> str:
    """A path for a message: control characters and lone surrogates escaped, at most 256 characters."""
    return printable(os.fspath(path), 256)


def _in_file(path: Path) -> Location:
    """The location of a problem with the batch file ``path`` (its name only: the folder is the batch's);
    :mod:`creditstd.records.signing` locates its problems the same way."""
    return Location(file=printable(path.name, 256))


def _check_manifest(manifest: Any, report: VerificationReport, at: Location | None) -> TypeGuard[dict[str, Any]]:
    """Check the manifest; False when it cannot be used at all (the records are then not read).

    True only for a manifest the schema accepts, so a JSON object (a dict).  A manifest built in memory
    (:func:`verify_document`) may hold what no manifest file can (nesting deeper than the schema validator
    can follow, a non-finite number...): that is reported before the schema is tried, never raised.
    """
    problem = first_problem(manifest)  # a parsed manifest file has none: loads_record refused it already
    if problem is not None:
        report.add(Finding("exchange.manifest", f"清单不是有效的JSON（{problem.code} {problem.path}）",
                           f"manifest: not valid JSON ({problem.code} at {problem.path})", problem.path,
                           location=at))
        return False
    errors = list(_schema_validator("exchange-manifest.schema.json").iter_errors(manifest))
    for error in errors:
        if list(error.absolute_path) == ["records", "file"]:
            report.add(finding("exchange.records_file", path="$.records.file", location=at))
            continue
        path = json_path(error.absolute_path)  # the manifest's values are never quoted: any may be personal
        report.add(Finding("exchange.manifest", f"清单不符合交换格式（{path}：{error.validator}）",
                           f"manifest: {error.validator} fails at {path}", path, location=at))
    if not errors and not is_date_time(manifest["created"]):
        report.add(Finding("exchange.manifest", "清单的创建时间不是RFC 3339日期时间",
                           "manifest: created is not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS and an offset)",
                           "$.created", location=at))
        return False
    if errors:
        return False
    try:
        cls = record_class(manifest["class"])
    except CatalogueError:
        report.add(Finding("catalogue.unknown_class", "本地目录中没有清单所述的记录类",
                           "the installed catalogue has no record class of the manifest's name", "$.class",
                           location=at))
        return False
    installed = {"$.class_version": (manifest["class_version"], cls.version),
                 "$.catalogue_version": (manifest["catalogue_version"], loader.index()["version"])}
    for path, (sent, known) in installed.items():
        if sent != known:
            report.add(finding("exchange.version", path=path, location=at, known=known))
    return True


def _check_records(items: Iterable[tuple[int, Any]], manifest: Mapping[str, Any], report: VerificationReport,
                   validate: bool, strict: bool, where: Callable[[int, str | None], Location]) -> None:
    """Check each record; an item is ``(number, parsed record)``, or the error that refused its line.

    ``where(number, record id)`` is the location of a record's problems.
    """
    envelope = _schema_validator("exchange-record.schema.json")
    class_name = manifest["class"]
    check = validator(class_name, strict) if validate else None
    seen = set()
    for number, record in items:
        report.count += 1
        if isinstance(record, CatalogueError):
            report.add(Finding.from_error(record, location=where(number, None)))
            continue
        identifier = record.get("record_id") if isinstance(record, dict) else None
        envelope_errors = list(envelope.iter_errors(record))
        for error in envelope_errors:
            path = json_path(error.absolute_path)
            report.add(finding("exchange.envelope", path=path, location=where(number, None), keyword=error.validator))
        if envelope_errors:
            continue
        at = where(number, identifier)
        if record["class"] != class_name:
            report.add(finding("exchange.class", path="$.class", location=at, class_name=class_name))
            continue
        if record["class_version"] != manifest["class_version"]:
            report.add(finding("exchange.class_version", path="$.class_version", location=at))
        if identifier in seen:
            report.add(finding("exchange.duplicate_id", path="$.record_id", location=at))
        seen.add(identifier)
        try:
            recomputed: str | None = record_id(record["data"], class_name,
                                               format_version=manifest["format_version"])
        except CatalogueError:  # an identity value that cannot be text: no id can match
            recomputed = None
        if recomputed != identifier:
            report.add(finding("exchange.record_id", path="$.record_id", location=at))
        for error in check.iter_errors(record["data"]) if check else ():
            report.add(dataclasses.replace(error, path="$.data" + error.path[1:], location=at))


def _check_totals(manifest: Mapping[str, Any], report: VerificationReport, digest: str, at: Location | None) -> None:
    expected = manifest["records"]
    if report.count == 0:  # nothing was sent: not a batch, whatever the manifest says
        report.add(finding("exchange.empty", path="$.records.count", location=at))
    if report.count != expected["count"]:
        report.add(finding("exchange.count", path="$.records.count", location=at, count=report.count,
                           expected=expected["count"]))
    if digest != expected["sha256"]:
        report.add(finding("exchange.sha256", path="$.records.sha256", location=at))
    accounting = manifest.get("accounting")
    if accounting is not None and (accounting["records_out"] != report.count
                                   or accounting["rows_in"] != accounting["records_out"] + accounting["rejected"]):
        report.add(finding("exchange.accounting", path="$.accounting", location=at, count=report.count,
                           rows_in=accounting["rows_in"], records_out=accounting["records_out"],
                           rejected=accounting["rejected"]))


class UnsafeFile(OSError):
    """A file of a batch that is not a plain file in the folder: ``reason`` is ``symlink`` or ``special``.

    An OSError (the file cannot be read as it is), with the reason in Chinese and English.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.zh, self.en = _UNSAFE_TEXT[reason]
        super().__init__(self.en)


#: How a batch file is opened: never through a symbolic link, never waiting on a FIFO.
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_BINARY", 0))


def open_regular(path: Path) -> BinaryIO:
    """Open a batch file for reading: a regular file itself, not a symbolic link, FIFO, device or folder.

    Raises :class:`UnsafeFile` for those, OSError when it cannot be opened (``FileNotFoundError``: absent).
    The link test is made on the name (``lstat``) and again by the open itself (``O_NOFOLLOW``), and the
    file type on what was opened (``fstat``), so swapping the file in between changes nothing.
    """
    if stat.S_ISLNK(os.lstat(path).st_mode):
        raise UnsafeFile("symlink")
    try:
        handle = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        if os.path.islink(path):  # ELOOP: replaced by a link after the lstat
            raise UnsafeFile("symlink") from None
        raise error
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise UnsafeFile("special")
        return os.fdopen(handle, "rb")
    except BaseException:
        os.close(handle)
        raise


_UNSAFE_TEXT = {"symlink": ("是符号链接，拒绝读取（批次只能含普通文件）",
                            "is a symbolic link: refused (a batch holds regular files only)"),
                "special": ("不是普通文件，拒绝读取", "is not a regular file: refused")}


def _read_manifest(path: Path, report: VerificationReport) -> Any:
    """The parsed manifest, or None after reporting why it cannot be read (``exchange.manifest``)."""
    shown = _shown(path)
    at = _in_file(path)

    def unreadable(zh: str, en: str) -> None:
        report.add(Finding("exchange.manifest", zh, en, location=at))

    try:
        with open_regular(path) as stream:
            data = stream.read(MAX_MANIFEST_BYTES + 1)
    except UnsafeFile as unsafe:
        zh, en = unsafe.zh, unsafe.en
        unreadable(f"清单 {shown} {zh}", f"the manifest {shown} {en}")
        return None
    except (OSError, ValueError) as error:  # ValueError: a NUL character in the path
        reason = printable(error.strerror if isinstance(error, OSError) and error.strerror else str(error), 200)
        unreadable(f"无法读取清单 {shown}：{reason}", f"cannot read the manifest {shown}: {reason}")
        return None
    try:
        manifest = loads_record(data, max_bytes=MAX_MANIFEST_BYTES)
    except LineError as error:
        if error.code == "exchange.line_too_long":
            zh, en = f"超过{MAX_MANIFEST_BYTES}字节", f"is over {MAX_MANIFEST_BYTES} bytes"
        else:
            zh, en = f"不是有效的JSON（{error.code} {error.path}）", f"is not valid JSON ({error.code} at {error.path})"
        unreadable(f"无法读取清单 {shown}：{zh}", f"cannot read the manifest {shown}: it {en}")
        return None
    if not isinstance(manifest, dict):  # `null`, a list, a number: JSON, but no manifest
        unreadable(f"清单 {shown} 不是JSON对象", f"the manifest {shown} is not a JSON object")
        return None
    return manifest


def _records_file(code: str, zh: str, en: str, at: Location | None) -> Finding:
    """A problem with the records file the manifest names (at ``$.records.file`` of the manifest)."""
    return Finding(code, zh, en, "$.records.file", location=at)


def _records_path_problem(path: Path, folder: Path, report: VerificationReport, at: Location | None) -> bool:
    """Report why ``path`` may not be read as the records file (outside the folder, a link, absent)."""
    shown = _shown(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        report.add(_records_file("exchange.missing_records", f"找不到记录文件 {shown}",
                                 f"records file {shown} not found", at))
        return True
    except (OSError, ValueError):
        report.add(_records_file("exchange.records_file", f"无法读取记录文件 {shown}",
                                 f"cannot read the records file {shown}", at))
        return True
    if stat.S_ISLNK(info.st_mode) or os.path.dirname(os.path.realpath(path)) != os.path.realpath(folder):
        zh, en = _UNSAFE_TEXT["symlink"] if stat.S_ISLNK(info.st_mode) else ("不在批次文件夹中，拒绝读取",
                                                                              "is not in the batch folder: refused")
        report.add(_records_file("exchange.records_file", f"记录文件 {shown} {zh}", f"the records file {shown} {en}",
                                 at))
        return True
    return False


def _parsed(raw: bytes | None) -> Any:
    """A line of records.jsonl parsed strictly, or the LineError that refuses it."""
    if raw is None:
        return LineError("exchange.line_too_long")
    try:
        return loads_record(raw)
    except LineError as error:
        return error


def verify_batch(path: str | os.PathLike[str], *, validate: bool = True, strict: bool = False) -> VerificationReport:
    """Verify a batch folder (or its manifest file): manifest, count, hash, envelopes, ids, and each record.

    Never raises for anything the batch holds: every problem is in the report, each with a stable code.
    ``exchange.manifest``, ``exchange.missing_records`` and ``exchange.records_file`` mean the batch
    could not be read (no manifest, a symbolic link, a file that is not regular, a records file outside
    the folder...); the others that it was read and something in it is wrong.
    """
    given = Path(path)
    manifest_path = given / MANIFEST if given.is_dir() or not os.path.lexists(given) else given
    report = VerificationReport(None)
    manifest = _read_manifest(manifest_path, report)
    if manifest is None:
        return report
    report.manifest = manifest
    at = _in_file(manifest_path)
    if not _check_manifest(manifest, report, at):
        return report
    name = manifest["records"].get("file", RECORDS)
    if not is_bare_file_name(name):  # the schema says so too; never read a file outside the batch folder
        if not any(problem.code == "exchange.records_file" for problem in report.problems):
            report.add(finding("exchange.records_file", path="$.records.file", location=at))
        return report
    folder = manifest_path.parent
    records_path = folder / name
    if _records_path_problem(records_path, folder, report, at):
        return report
    digest = hashlib.sha256()
    shown, records_file = _shown(records_path), printable(name, 256)
    try:
        with open_regular(records_path) as stream:
            lines = bounded_lines(stream, seen=digest.update)
            _check_records(((number, _parsed(raw)) for number, raw in lines), manifest, report, validate, strict,
                           lambda number, identifier: Location(file=records_file, line=number, record_id=identifier))
    except UnsafeFile as unsafe:
        zh, en = unsafe.zh, unsafe.en
        report.add(_records_file("exchange.records_file", f"记录文件 {shown} {zh}", f"the records file {shown} {en}",
                                 at))
        return report
    except OSError as error:
        reason = printable(error.strerror or str(error), 200)
        report.add(_records_file("exchange.records_file", f"无法读取记录文件 {shown}：{reason}",
                                 f"cannot read the records file {shown}: {reason}", at))
        return report
    _check_totals(manifest, report, digest.hexdigest(), at)
    return report


def verify_document(document: Mapping[str, Any], *, validate: bool = True, strict: bool = False) -> VerificationReport:
    """Verify a single-document batch the way :func:`verify_batch` verifies a folder.

    A record's problems are located by its number in ``records`` (``Location.record``, 1-based).  A record
    that has no canonical line (a non-finite number, a lone surrogate, a value JSON cannot
    carry...) is a problem on its item, with that code; it is not hashed.
    """
    report = VerificationReport(document.get("manifest") if isinstance(document, Mapping) else None)
    manifest = report.manifest
    if not isinstance(document, Mapping) or not isinstance(document.get("records"), list):
        report.add(finding("exchange.document"))
        return report
    if not _check_manifest(manifest, report, None):
        return report
    digest = hashlib.sha256()

    def items() -> Iterator[tuple[int, Any]]:
        for number, record in enumerate(document["records"], 1):
            try:
                digest.update(canonical_line(record))
            except CatalogueError as error:
                yield number, error
                continue
            yield number, record

    _check_records(items(), manifest, report, validate, strict,
                   lambda number, identifier: Location(record=number, record_id=identifier))
    _check_totals(manifest, report, digest.hexdigest(), None)
    return report
