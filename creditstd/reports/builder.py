"""Build a report while the rows stream past: counters and capped examples, never all the findings.

:class:`ReportBuilder` is fed by the validation command, file by file and
batch by batch (see the package docstring for the protocol).  What it keeps
is bounded whatever the number of rows or findings:

* per file and field: row, filled and finding counts, a
  :class:`~creditstd.reports.sketch.DistinctCounter` (exact up to
  ``distinct_cap`` values, then an estimate), the counts of at most
  ``top_cap`` distinct values (beyond that the field lists no values; never
  for personal fields, nor for free-text fields, see below), counts per
  finding code;
* per finding code: exact counts per file and field, the first
  ``examples_per_code`` findings and the first finding in each file as
  examples, and per file and column the count, first line and the first
  ``lines_per_location`` lines; the report shows at most ``max_errors``
  examples in all, shared out between the codes in turns (every code's first
  example, then every code's second...), so that no code goes without an
  example while another shows twenty, and within a code the first example
  of each file comes first;
* per file: up to ``sample_rows`` sample rows (the first rejected rows, or
  the first rows when none was rejected), their personal cells masked unless
  ``show_pii``.

Unless ``show_pii``, anything that may be an ID number in any text taken
from the input (cells of other fields, common values, headers, a title row,
the values, paths and messages of findings, and file names) is masked as
well (:func:`creditstd.codes.redact.redact`, as the validation core does for
the values of its findings): a citizen ID typed into a company-code column,
used as a JSON key, or in the name of a file (``张三_110105….csv``), is
personal data all the same.  A file name masked so (a long run of digits
that is no date or time stamp) is linked to by the CI formats only with
``show_pii``; ``penalty_20240601123045.csv`` is kept as it is.

A person's name is typed into free text too (``经查，当事人王小明违法经营。``),
and shifted by a column into a field that holds none.  Unless ``show_pii``,
therefore:

* a value of a field that is not personal is masked as a name
  (``李大山`` as ``李**``) in common values, sample rows and examples
  where it may be one (:func:`~creditstd.records.plan.stray_name`: it looks
  like a name and is not a code of the field's table);

* the value of an example has every value of its row's personal fields
  replaced by the masked form the report shows for that value (``王*``,
  ``110105********002X``), the row found by the finding's line in the
  batch's ``lines``; the cells of sample rows not masked whole have every
  personal value of the sample rows taken from the same batch replaced so
  (rows shown together: a name from one row in the remarks of another is
  hidden too).  The values looked for are those of the fields shown masked
  (personal, or not described by the class), each item of a list field
  too, trimmed; not those shorter than :data:`_MIN_SEARCHED` (2) characters
  (a one-character value would mask that character everywhere), nor those
  of personal fields with a closed vocabulary (``id_type``: ``身份证`` is
  no one's name); and a masking rule with ``when_subject`` (a subject's
  name) counts only when the row's subject category is one it names, or is
  missing or unknown, as in :func:`~creditstd.records.masking.public_fields`:
  a company's name in the facts stays.  This runs for the few rows kept,
  never over whole batches; a name written otherwise in the text (spaces
  between its characters) is not found.
* the per-field summary keeps and lists no common values of a free-text
  field (:func:`_free_text`: a text field with no code table, ``enum``,
  ``const``, ``pattern`` or ``format`` whose values may be longer than
  :data:`_FREE_TEXT_LENGTH` (200) characters, the catalogue's length for
  names of subjects, authorities and titles; of a list field, its items),
  such as ``remarks`` and ``violation_facts``: masking them row by row
  would cost too much over millions of rows.
  :attr:`~creditstd.reports.model.FieldSummary.free_text` tells why such a
  field lists no values.  Fields of a closed vocabulary (codes, dates,
  amounts) and names of authorities keep their common values.

Findings are counted against the file they were given for (its position in
the run) and the name they give it as shown, never against that name alone:
two files whose names look the same once masked
(``110105194912310021.csv`` and ``110105195001010021.csv``, both
``110105********0021.csv``) stay two files, and the report shows such a
shared name with each file's position in the run appended
(``110105********0021.csv (#2)``), so that a path in the report names
one file only, in every format.  A finding whose message names another file
of the run (:class:`NamesAnotherPlace`: a ``record.duplicate`` names the file
where the record was first seen) has that file named in its example exactly
as the report shows the file itself, ``(#N)`` and all.

>>> import numpy as np, pyarrow as pa
>>> from creditstd.findings import Finding, Location
>>> builder = ReportBuilder(class_name='administrative_penalty', class_reason=('由 --class 指定', 'given with --class'))
>>> builder.start_file('a.csv', format='csv', encoding='utf-8', headers=['CF_WSH', 'x'],
...                    mapping={'CF_WSH': 'decision_number', 'x': None}, missing=[], title=None)
>>> builder.add_rows({'decision_number': pa.array(['京罚1号', ''])}, np.array([2, 3]), np.array([True, False]),
...                  [Finding('record.required', '必填', 'is required', field='decision_number',
...                           location=Location('a.csv', 3, column='CF_WSH'))])
>>> builder.add_rejected_row(Finding('reader.ragged', '列数不符', 'wrong number of cells',
...                                  location=Location('a.csv', 4)))
>>> builder.end_file()
>>> report = builder.finish()
>>> report.files[0].rows.accounting('en'), report.exit_status
('3 rows read = 1 valid + 2 rejected (1 unreadable)', 1)
>>> [(code.code, code.count, code.examples[0].where) for code in report.codes]
[('reader.ragged', 1, 'a.csv:4'), ('record.required', 1, 'a.csv:3')]
>>> field = report.files[0].fields[0]
>>> field.key, field.filled, field.rows, field.distinct, field.top_values
('decision_number', 1, 2, 1, (('京罚1号', 1),))

A natural person's name in the facts is masked as the name is; a company's is not:

>>> builder = ReportBuilder(class_name='administrative_penalty')
>>> builder.start_file('b.csv', format='csv', encoding='utf-8', headers=[], mapping={}, missing=[])
>>> builder.add_rows({'subject_name': pa.array(['王小明', '某某有限公司']),
...                   'subject_category': pa.array(['自然人', '法人及非法人组织']),
...                   'violation_facts': pa.array(['当事人王小明违法经营', '当事人某某有限公司违法经营'])},
...                  np.array([2, 3]), np.array([True, True]), [])
>>> file = builder.finish().files[0]
>>> [dict(sample.cells)['violation_facts'] for sample in file.samples]
['当事人王**违法经营', '当事人某某有限公司违法经营']
>>> facts = next(field for field in file.fields if field.key == 'violation_facts')
>>> facts.free_text, facts.top_values
(True, None)
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from creditstd.codes.redact import redact
from creditstd.exceptions import CatalogueError
from creditstd.findings import Finding, Location
from creditstd.records.decode import ARRAY_SEPARATORS, json_array
from creditstd.records.masking import mask_applies, mask_person_name, mask_shown_value
from creditstd.records.plan import stray_name
from creditstd.reports._text import LIMIT, clean
from creditstd.reports.model import (
    CodeLocation,
    CodeSummary,
    Column,
    Example,
    FailOn,
    FieldSummary,
    FileReport,
    Report,
    Rows,
    Sample,
    Totals,
)
from creditstd.reports.sketch import DistinctCounter, hash_strings
from creditstd.reports.titles import title_for

__all__ = ["NamesAnotherPlace", "ReportBuilder"]

_SHOWN_VALUE = 60  # characters of a top value shown in the per-field summary
#: A text field whose values may be longer than this is free text (when it has no closed vocabulary): its common
#: values are not listed.  200 is the catalogue's length for names of subjects, authorities and titles.
_FREE_TEXT_LENGTH = 200
#: Values of a row's personal fields shorter than this (trimmed) are not looked for in its other cells.
_MIN_SEARCHED = 2
_ITEM_SEPARATORS = re.compile(f"[{ARRAY_SEPARATORS}]")


@runtime_checkable
class NamesAnotherPlace(Protocol):
    """A finding whose messages name another place of the run: a ``record.duplicate`` names where the record
    was first seen (:class:`~creditstd.records.duplicates.DuplicateFinding`).

    ``other`` is that place as the run gave it (``file`` the path as given to :meth:`ReportBuilder.start_file`);
    :meth:`naming` gives the messages with that file named as the report shows it: masked unless
    ``show_pii``, with its position in the run, ``(#2)``, when another file is shown alike, so that the name
    in the message is the path of that file's own entry.
    """

    @property
    def other(self) -> Location | None:
        """The place the messages name."""

    def naming(self, file: str) -> tuple[str, str]:
        """The Chinese and English messages, the other place's file named ``file``."""


def _class_info(class_name: str | None) -> Any:
    """The catalogue's typed view of the class, or ``None`` when there is no such class."""
    if not class_name:
        return None
    from creditstd.records.model import record_class

    try:
        return record_class(class_name)
    except (CatalogueError, KeyError, OSError, ValueError):
        return None


def _free_text(schema: Mapping[str, Any]) -> bool:
    """Whether a field of this JSON Schema holds free text: a string with no closed vocabulary or shape (no
    ``enum``, ``const``, ``pattern``, ``format``, shared type or code table) that may be longer than
    :data:`_FREE_TEXT_LENGTH` characters; for a list, its items.

    >>> fields = _class_info('administrative_penalty').fields
    >>> [key for key in ('remarks', 'violation_facts', 'authority', 'decision_number', 'severity', 'decision_date',
    ...                  'penalty_types', 'fine_amount') if _free_text(fields[key].schema)]
    ['remarks', 'violation_facts']
    >>> _free_text({'type': 'string'}), _free_text({'type': 'array', 'items': {'type': 'string', 'maxLength': 500}})
    (True, True)
    """
    if schema.get("type") == "array":
        items = schema.get("items")
        return isinstance(items, Mapping) and _free_text(items)
    if schema.get("type") != "string" or any(
            key in schema for key in ("enum", "const", "pattern", "format", "$ref", "anyOf", "oneOf", "x-code-table")):
        return False
    limit = schema.get("maxLength")
    return not isinstance(limit, int) or limit > _FREE_TEXT_LENGTH


def _closed(spec: Any) -> bool:
    """Whether a catalogue field's values come from a closed vocabulary (a code table or an ``enum``)."""
    if spec.code_table is not None or spec.kind == "code":
        return True
    items = spec.schema.get("items")
    return isinstance(items, Mapping) and any(key in items for key in ("enum", "const", "anyOf", "x-code-table"))


def _pieces(text: str, listed: bool) -> list[str]:
    """The values of a personal cell to look for elsewhere in its row: the cell, and for a list field each of
    its items (a JSON array's texts at any depth, or the items between separators).

    >>> _pieces(' 张三；李四 ', True), _pieces('张三；李四', False)
    (['张三；李四', '张三', '李四'], ['张三；李四'])
    >>> _pieces('[{"name": "王五", "position": "局长"}]', True)
    ['[{"name": "王五", "position": "局长"}]', '王五', '局长']
    """
    text = text.strip()
    pieces = [text]
    if listed:
        try:
            value: Any = json_array(text)
        except ValueError:
            value = None
        if value is None:
            pieces += [item.strip() for item in _ITEM_SEPARATORS.split(text)]
        else:
            stack = [value]
            while stack and len(pieces) < 1000:
                item = stack.pop()
                if isinstance(item, str):
                    pieces.append(item.strip())
                elif isinstance(item, Mapping):
                    stack.extend(reversed(list(item.values())))
                elif isinstance(item, list):
                    stack.extend(reversed(item))
    return pieces


def _as_strings(array: Any) -> pa.Array | None:
    """A column as an Arrow string array, or ``None`` when it cannot be read as text."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not isinstance(array, pa.Array):
        try:
            array = pa.array(array)
        except (pa.ArrowException, TypeError, ValueError):
            return None
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return array
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
        return _as_strings(array)
    try:
        return array.cast(pa.large_string())
    except (pa.ArrowException, TypeError, ValueError):
        return None


def _cell(array: pa.Array, row: int) -> str | None:
    """One cell of a column as text (``None`` when empty)."""
    value = array[row].as_py()
    return None if value is None else value if isinstance(value, str) else str(value)


@dataclass
class _FieldAcc:
    key: str
    header: str | None
    distinct: DistinctCounter
    top: dict[str, int] | None
    rows: int = 0
    filled: int = 0
    findings: int = 0
    errors: int = 0
    codes: Counter[str] = field(default_factory=Counter)


@dataclass
class _LocationAcc:
    count: int = 0
    first_line: int | None = None
    lines: list[int] = field(default_factory=list)
    omitted: int = 0


#: Where findings are counted: the index of the file in the run (what the finding was given for) and the name
#: the finding gives it, as shown (the file's own path, as a rule); two files never share a place, whatever
#: their names look like once masked.
_Place = tuple[int, str]


@dataclass
class _CodeAcc:
    first: Finding
    count: int = 0
    errors: int = 0
    warnings: int = 0
    files: Counter[_Place] = field(default_factory=Counter)
    fields: Counter[str] = field(default_factory=Counter)
    locations: dict[tuple[_Place, str | None, str | None], _LocationAcc] = field(default_factory=dict)
    #: The first examples, each with its place.
    examples: list[tuple[_Place, Example]] = field(default_factory=list)
    #: The first example of the code in each file (so that every file has one), by place.
    file_firsts: dict[_Place, Example] = field(default_factory=dict)
    #: Examples (by ``id``) whose messages name another file of the run: that file's place and the finding
    #: (:class:`NamesAnotherPlace`), to name it in :meth:`ReportBuilder.finish` as the report shows it.
    naming: dict[int, tuple[_Place, NamesAnotherPlace]] = field(default_factory=dict)

    def candidates(self) -> list[tuple[_Place, Example]]:
        """The examples to show, best first: the first in each file, then the rest of the first ones."""
        firsts = list(self.file_firsts.items())
        chosen = {id(example) for _, example in firsts}
        return firsts + [item for item in self.examples if id(item[1]) not in chosen]


@dataclass
class _FileAcc:
    #: Position of the file in the run (0 for the first file started).
    index: int
    #: The path as shown (masked unless ``show_pii``); :meth:`ReportBuilder.finish` tells apart files shown alike.
    path: str
    format: str
    encoding: str | None
    title: str | None
    columns: tuple[Column, ...]
    unknown: tuple[str, ...]
    missing: tuple[str, ...]
    fields: dict[str, _FieldAcc]
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    merged: tuple[str, ...] = ()
    merged_filled: bool = False
    read: int = 0
    valid: int = 0
    rejected: int = 0
    unreadable: int = 0
    errors: int = 0
    warnings: int = 0
    codes: Counter[str] = field(default_factory=Counter)
    rejected_samples: list[Sample] = field(default_factory=list)
    first_samples: list[Sample] = field(default_factory=list)
    file_names: dict[str, str] = field(default_factory=dict)  # a finding's file -> as shown (a few cached)


def _quotas(kept: list[int], cap: int | None) -> list[int]:
    """Examples to show per code, ``cap`` in all, shared out in turns: every code's first example (most common
    code first), then every code's second, and so on.

    >>> _quotas([20, 20, 3, 1], 10), _quotas([20, 1], None), _quotas([5, 5], 0)
    ([3, 3, 3, 1], [20, 1], [0, 0])
    """
    if cap is None or sum(kept) <= cap:
        return list(kept)
    quota = [0] * len(kept)
    left = cap
    while left:
        for index, available in enumerate(kept):
            if left and quota[index] < available:
                quota[index] += 1
                left -= 1
    return quota


class ReportBuilder:
    """Aggregate what the validation of one or more files finds into a :class:`~creditstd.reports.model.Report`.

    ``class_name`` is the catalogue class checked against (``None`` when none
    could be chosen: every field is then treated as personal);
    ``class_reason`` says why it was chosen, in Chinese and English.
    ``strict``, ``rule_set`` and ``show_pii`` are the options of the run, as
    the report states them; ``show_pii`` also lets sample rows show personal
    cells unmasked.  ``max_errors`` caps the examples kept over all codes
    (``None``: no cap other than ``examples_per_code``); counts stay exact.
    ``fail_on`` (``error`` or ``warning``) decides the suggested exit status; with ``fail_when_empty`` a run in
    which no row is valid fails too (``creditstd convert``: no record converted, even of an empty export).
    """

    def __init__(
        self,
        class_name: str | None,
        class_reason: tuple[str, str] | None = None,
        *,
        strict: bool = False,
        max_errors: int | None = 1000,
        show_pii: bool = False,
        rule_set: str | None = None,
        fail_on: FailOn = "error",
        fail_when_empty: bool = False,
        examples_per_code: int = 20,
        lines_per_location: int = 20,
        sample_rows: int = 10,
        distinct_cap: int = 10_000,
        top_cap: int = 1_000,
        top_values: int = 5,
    ) -> None:
        if fail_on not in ("error", "warning"):
            raise ValueError("fail_on must be 'error' or 'warning'")
        if max_errors is not None and max_errors < 0:
            raise ValueError("max_errors must not be negative")
        self.class_name = class_name
        self.class_reason = class_reason
        self.strict = strict
        self.max_errors = max_errors
        self.show_pii = show_pii
        self.rule_set = rule_set
        self.fail_on: FailOn = fail_on
        self.fail_when_empty = fail_when_empty
        self.examples_per_code = examples_per_code
        self.lines_per_location = lines_per_location
        self.sample_rows = sample_rows
        self.distinct_cap = distinct_cap
        self.top_cap = top_cap
        self.top_values = top_values
        self._class = _class_info(class_name)
        category = self._class.field_by_role("subject_category") if self._class is not None else None
        #: The field of the subject's category, which decides whether a ``when_subject`` masking rule applies.
        self._category: str | None = category.key if category is not None else None
        self._files: list[FileReport] = []
        self._file: _FileAcc | None = None
        #: Each path as given to start_file -> the position in the run of the first file started with it.
        self._indexes: dict[str, int] = {}
        self._codes: dict[str, _CodeAcc] = {}
        self._finished = False

    def _safe(self, text: object, limit: int = LIMIT) -> str:
        """Text from the input as the report may show it: unless ``show_pii``, anything that may be an ID
        number masked (:func:`~creditstd.codes.redact.redact`), then made printable and cut short."""
        text = text if isinstance(text, str) else str(text)
        return clean(text if self.show_pii else redact(text), limit)

    # -- the catalogue's view of a field

    def _spec(self, key: str | None) -> Any:
        return self._class.fields.get(key) if self._class is not None and key else None

    def _personal(self, key: str) -> bool:
        spec = self._spec(key)
        return True if spec is None else bool(spec.is_personal)  # unknown field: when in doubt, it is personal

    def _free_text(self, key: str) -> bool:
        spec = self._spec(key)
        return spec is not None and _free_text(spec.schema)

    def _named(self, key: str, value: str) -> str:
        """A common value of a field that holds no personal values, masked as a person's name is where it may
        be one (:func:`~creditstd.records.plan.stray_name`): a name typed, or shifted by a column, into
        ``violation_type`` or ``procedure``."""
        if self.show_pii or self.class_name is None or not stray_name(self.class_name, self.strict, key, value):
            return value
        return mask_person_name(value.strip())

    def _field_acc(self, key: str, header: str | None) -> _FieldAcc:
        return _FieldAcc(key=key, header=header, distinct=DistinctCounter(self.distinct_cap),
                         top=None if self._personal(key) or self._free_text(key) else {})

    # -- personal values in other cells of their row

    def _hider(self, *rows: Mapping[str, str | None]) -> Callable[[str], str] | None:
        """What hides the personal values of ``rows`` (each field key -> cell) in the text of other cells: a
        function replacing each of those values (see the module docstring), longest first, by its masked form;
        ``None`` when there is nothing to hide (or ``show_pii``)."""
        if self.show_pii:
            return None
        masked: dict[str, str] = {}
        for row in rows:
            subject = row.get(self._category) if self._category is not None else None
            for key, text in row.items():
                if text is None or not self._personal(key):
                    continue
                spec = self._spec(key)
                if spec is not None and (_closed(spec) or not mask_applies(spec.mask or {}, subject)):
                    continue
                listed = spec is not None and spec.schema.get("type") == "array"
                for piece in _pieces(text, listed):
                    if len(piece) >= _MIN_SEARCHED and piece not in masked:
                        masked[piece] = mask_shown_value(spec, piece)
        if not masked:
            return None
        pattern = re.compile("|".join(re.escape(piece) for piece in sorted(masked, key=len, reverse=True)))
        return lambda text: pattern.sub(lambda match: masked[match.group()], text)

    # -- the protocol

    def _open(self) -> _FileAcc:
        if self._finished:
            raise RuntimeError("the report is finished")
        if self._file is None:
            raise RuntimeError("no file started: call start_file() first")
        return self._file

    def start_file(
        self,
        path: str,
        *,
        format: str,
        encoding: str | None,
        headers: Sequence[str],
        mapping: Mapping[str, str | None],
        missing: Sequence[str],
        title: str | None = None,
        header_is_data: bool = False,
        sheet: str | None = None,
        sheets: Sequence[str] = (),
        merged: Sequence[str] = (),
        merged_filled: bool = False,
    ) -> None:
        """Begin a file: how it was read and how its headers map to the catalogue's fields.  ``header_is_data``:
        the header row looks like a record (:func:`~creditstd.sources.sniff.looks_like_data`: the file has
        none), so its cells, and the title rows' words, are shown as a person's name is, unless ``show_pii``.
        ``sheet``: the sheet read of a workbook, ``sheets``: all of its sheets (the
        :class:`~creditstd.sources.Source`'s); names typed by a person, shown as the title is.  ``merged``:
        the sheet's merged ranges below the header (``B3:B5``), ``merged_filled``: whether their cells were
        read as holding the range's value."""
        if self._finished:
            raise RuntimeError("the report is finished")
        if self._file is not None:
            raise RuntimeError("a file is already started: call end_file() first")
        index = len(self._files)
        self._indexes.setdefault(path, index)
        self._file = _FileAcc(
            index=index, path=self._safe(path, 1000), format=clean(format),
            encoding=None if encoding is None else clean(encoding),
            title=None if title is None else self._shown_title(title, header_is_data), columns=(), unknown=(),
            missing=(), fields={}, sheet=None if sheet is None else self._safe(sheet),
            sheets=tuple(self._safe(name) for name in sheets), merged=tuple(clean(text, 32) for text in merged),
            merged_filled=merged_filled,
        )
        self.add_headers(headers, mapping, missing, header_is_data=header_is_data)

    def _shown_title(self, title: str, header_is_data: bool) -> str:
        """The title rows' text; when the header row is a record, so may they be: each word shown as a
        person's name is, unless ``show_pii``."""
        title = self._safe(title)
        if header_is_data and not self.show_pii:
            return " ".join(mask_person_name(word) for word in title.split(" "))
        return title

    def add_headers(self, headers: Sequence[str], mapping: Mapping[str, str | None], missing: Sequence[str], *,
                    header_is_data: bool = False, only_new: bool = False) -> None:
        """Columns of the file, mapped by ``mapping``: those of its header (:meth:`start_file`), or those that
        first appear later (a JSON Lines key seen only in a later record, an XML element no rule reads);
        ``missing`` replaces the required fields with no column.  ``only_new``: a header the file has already
        is left out (one element met in chunk after chunk)."""
        file = self._open()
        if only_new:
            had = {column.header for column in file.columns}
            headers = [header for header in headers if self._safe(header) not in had]
            if not headers:
                return

        def shown(header: str) -> str:
            return mask_person_name(self._safe(header)) if header_is_data and not self.show_pii else self._safe(header)

        added = tuple(Column(shown(header), None if (key := mapping.get(header)) is None else self._safe(key))
                      for header in headers)
        for header in headers:
            key = mapping.get(header)
            if key is not None and key not in file.fields:
                file.fields[key] = self._field_acc(key, shown(header))
        file.columns += added
        file.unknown += tuple(column.header for column in added if column.field is None)
        file.missing = tuple(self._safe(key) for key in missing)

    def add_rows(
        self,
        columns: Mapping[str, pa.Array | pa.ChunkedArray],
        lines: np.ndarray,
        valid: np.ndarray,
        findings: Sequence[Finding],
        *,
        trimmed: bool = False,
    ) -> None:
        """Count a batch of rows: their cells per field, which rows are valid, and the findings made on them.

        ``columns`` maps a catalogue field key to the column's text cells (any Arrow string layout; another
        type is read as its text), ``lines`` gives each row's source line (int64), ``valid`` says which rows
        are valid (bool); every column has one cell per row.  ``findings`` are the findings on these rows,
        each located (``file``, ``line``, ``column``); a finding on a sample row is matched to it by line.
        ``trimmed``: the cells are already trimmed, an empty cell null (as the compiled core's
        :attr:`~creditstd.records.plan.TableResult.cells` holds them), so the summary need not trim them again.
        """
        acc = self._open()
        lines = np.asarray(lines, dtype=np.int64)  # lists and Arrow arrays are accepted too
        valid = np.asarray(valid, dtype=bool)
        n = len(valid)
        if len(lines) != n:
            raise ValueError(f"lines has {len(lines)} items, valid has {n}")
        valid_count = int(np.count_nonzero(valid))
        acc.read += n
        acc.valid += valid_count
        acc.rejected += n - valid_count

        strings: dict[str, pa.Array | None] = {}
        for key, column in columns.items():
            if len(column) != n:
                raise ValueError(f"column {key!r} has {len(column)} cells, the batch has {n} rows")
            strings[key] = array = _as_strings(column)
            field_acc = acc.fields.get(key)
            if field_acc is None:
                field_acc = acc.fields[key] = self._field_acc(key, None)
            field_acc.rows += n
            if array is not None:
                self._summarise(field_acc, array, trimmed)

        sample_index, sample_lines = self._sample_rows(acc, lines, valid)
        sample_codes: dict[int, list[str]] = {line: [] for line in sample_lines}
        sample_fields: dict[int, list[str]] = {line: [] for line in sample_lines}
        hiders: dict[int, Callable[[str], str] | None] = {}

        def hider(line: int) -> Callable[[str], str] | None:
            """What hides the personal values of the row at ``line`` in a finding's value (:meth:`_hider`); only
            asked for the findings kept as examples, so the row is looked up here, not the batch indexed."""
            if line not in hiders:
                rows = np.flatnonzero(lines == line)
                hiders[line] = None if not len(rows) else self._hider(
                    {key: _cell(array, int(rows[0])) for key, array in strings.items() if array is not None})
            return hiders[line]

        for finding in findings:
            self._count(acc, finding, None if self.show_pii else hider)
            line = finding.location.line if finding.location is not None else None
            if line in sample_codes:
                assert line is not None
                if finding.code not in sample_codes[line]:
                    sample_codes[line].append(finding.code)
                if finding.field and finding.field not in sample_fields[line]:
                    sample_fields[line].append(finding.field)
        if len(sample_index):
            self._take_samples(acc, strings, sample_index, lines, valid, sample_codes, sample_fields)

    def _summarise(self, acc: _FieldAcc, array: pa.Array, trimmed: bool) -> None:
        if trimmed:
            filled = len(array) - array.null_count
            values = array
        else:
            cells = pc.utf8_trim_whitespace(array)
            filled_mask = pc.fill_null(pc.greater(pc.utf8_length(cells), 0), False)
            filled = int(pc.sum(filled_mask).as_py() or 0)
            values = pc.filter(cells, filled_mask)
        acc.filled += filled
        if not filled:
            return
        if acc.top is not None:
            counts = pc.value_counts(values)
            if values.null_count:
                counts = counts.filter(pc.is_valid(counts.field("values")))
            if len(counts) <= self.top_cap:
                for value, count in zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(),
                                        strict=True):
                    acc.top[value] = acc.top.get(value, 0) + count
            if len(counts) > self.top_cap or len(acc.top) > self.top_cap:
                acc.top = None  # too many distinct values to list the common ones exactly
            acc.distinct.add_hashes(hash_strings(counts.field("values")))
        else:
            acc.distinct.add(values)

    def _sample_rows(self, acc: _FileAcc, lines: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, list[int]]:
        """Rows of the batch to keep as samples: rejected rows while fewer than ``sample_rows`` are kept,
        and the first rows of the file while no rejected row is kept."""
        need = self.sample_rows - len(acc.rejected_samples)
        index = np.flatnonzero(~valid)[:max(need, 0)]
        if not len(acc.rejected_samples) and len(acc.first_samples) < self.sample_rows:
            first = np.arange(min(len(valid), self.sample_rows - len(acc.first_samples)))
            index = np.union1d(index, first)
        return index, [int(line) for line in lines[index]]

    def _take_samples(self, acc: _FileAcc, strings: Mapping[str, pa.Array | None], index: np.ndarray,
                      lines: np.ndarray, valid: np.ndarray, codes: Mapping[int, list[str]],
                      fields: Mapping[int, list[str]]) -> None:
        taken = {key: (array.take(pa.array(index)).to_pylist() if array is not None else [None] * len(index))
                 for key, array in strings.items()}
        raws = [{key: None if (value := values[position]) is None else value if isinstance(value, str) else str(value)
                 for key, values in taken.items()} for position in range(len(index))]
        hide = self._hider(*raws)  # the rows are shown together: each one's personal values hidden in them all
        for raw, row in zip(raws, index, strict=True):
            line = int(lines[row])
            cells = []
            for key, value in raw.items():
                if value is not None and not self.show_pii:
                    if self._personal(key):
                        value = mask_shown_value(self._spec(key), value)
                    else:
                        value = self._named(key, value)
                        if hide is not None:
                            value = hide(value)
                cells.append((self._safe(key), None if value is None else self._safe(value)))
            sample = Sample(line=line, valid=bool(valid[row]), codes=tuple(clean(code) for code in codes[line]),
                            fields_with_findings=tuple(self._safe(key) for key in fields[line]), cells=tuple(cells))
            if not sample.valid and len(acc.rejected_samples) < self.sample_rows:
                acc.rejected_samples.append(sample)
            if not acc.rejected_samples and len(acc.first_samples) < self.sample_rows:
                acc.first_samples.append(sample)
        if acc.rejected_samples:
            acc.first_samples.clear()

    def add_rejected_row(self, finding: Finding) -> None:
        """Count a row the reader could not read (ragged, an unterminated quote...): a rejected row."""
        acc = self._open()
        acc.read += 1
        acc.rejected += 1
        acc.unreadable += 1
        self._count(acc, finding)

    def add_file_finding(self, finding: Finding) -> None:
        """Count a finding about the file as a whole (no row: a header problem, a file that ends early...)."""
        self._count(self._open(), finding)

    def _count(self, acc: _FileAcc, finding: Finding,
               hider: Callable[[int], Callable[[str], str] | None] | None = None) -> None:
        """Count ``finding``; keep it as an example while the caps allow.  ``hider`` gives, for a line of the
        batch, what hides its row's personal values in the example's value (:meth:`_hider`)."""
        warning = finding.severity == "warning"
        if warning:
            acc.warnings += 1
        else:
            acc.errors += 1
        code = finding.code
        acc.codes[code] += 1
        key = finding.field
        if key is not None:
            field_acc = acc.fields.get(key)
            if field_acc is None:
                field_acc = acc.fields[key] = self._field_acc(key, None)
            field_acc.findings += 1
            field_acc.errors += not warning
            field_acc.codes[code] += 1

        code_acc = self._codes.get(code)
        if code_acc is None:
            code_acc = self._codes[code] = _CodeAcc(first=finding)
        code_acc.count += 1
        if warning:
            code_acc.warnings += 1
        else:
            code_acc.errors += 1
        location = finding.location
        if location is None or location.file is None:
            file = acc.path
        else:
            file = acc.file_names.get(location.file) or self._safe(location.file, 1000)
            if len(acc.file_names) < 16:
                acc.file_names[location.file] = file
        where = (acc.index, file)  # the file itself, not only its name: two files may be shown alike
        column = None if location is None or location.column is None else location.column
        line = None if location is None else (location.line if location.line is not None else location.record)
        code_acc.files[where] += 1
        if key is not None:
            code_acc.fields[key] += 1
        place = code_acc.locations.get((where, column, key))
        if place is None:
            place = code_acc.locations[(where, column, key)] = _LocationAcc()
        place.count += 1
        if line is not None:
            if place.first_line is None:
                place.first_line = line
            if len(place.lines) < self.lines_per_location:
                place.lines.append(line)
            else:
                place.omitted += 1
        first_in_file = where not in code_acc.file_firsts
        if first_in_file or len(code_acc.examples) < self.examples_per_code:
            hide = (hider(location.line) if hider is not None and location is not None
                    and location.line is not None and finding.value is not None else None)
            example = self._example(finding, file, hide)
            if first_in_file:
                code_acc.file_firsts[where] = example
            if len(code_acc.examples) < self.examples_per_code:
                code_acc.examples.append((where, example))
            if isinstance(finding, NamesAnotherPlace):
                other = self._place_of(finding.other)
                if other is not None:
                    code_acc.naming[id(example)] = (other, finding)

    def _place_of(self, location: Location | None) -> _Place | None:
        """The place of the file a finding names (by its path as given to :meth:`start_file`), or ``None`` when
        no file of the run was started with that path."""
        index = None if location is None or location.file is None else self._indexes.get(location.file)
        if index is None:
            return None
        if index < len(self._files):
            return index, self._files[index].path
        return (index, self._file.path) if self._file is not None and self._file.index == index else None

    def _example(self, finding: Finding, file: str, hide: Callable[[str], str] | None = None) -> Example:
        """``finding`` as an example; ``hide`` (:meth:`_hider`) hides its row's personal values in its value."""
        location = finding.location
        value = finding.value if hide is None or finding.value is None else hide(finding.value)

        def shown(value: str | None, limit: int = 200) -> str | None:
            return None if value is None else self._safe(value, limit)

        return Example(
            file=file, line=None if location is None else location.line,
            record=None if location is None else location.record,
            column=None if location is None else shown(location.column),
            field=shown(finding.field), field_code=shown(finding.field_code), path=self._safe(finding.path),
            value=shown(value), position=finding.position, kind=shown(finding.kind),
            severity="warning" if finding.severity == "warning" else "error",
            message_zh=self._safe(finding.message_zh, 1000), message_en=self._safe(finding.message_en, 1000),
        )

    def end_file(self) -> None:
        """End the current file; its summary is frozen and its per-field counters freed."""
        acc = self._open()
        fields = []
        for key, field_acc in acc.fields.items():
            spec = self._spec(key)
            top = None
            if field_acc.top is not None:
                ranked = sorted(field_acc.top.items(), key=lambda item: (-item[1], item[0]))[:self.top_values]
                top = tuple((self._safe(self._named(key, value), _SHOWN_VALUE), count) for value, count in ranked)
            fields.append(FieldSummary(
                key=self._safe(key), title_zh=spec.zh if spec is not None else self._safe(key),
                title_en=spec.en if spec is not None else self._safe(key),
                field_code=spec.code if spec is not None else None, header=field_acc.header,
                personal=self._personal(key), free_text=self._free_text(key),
                required=bool(spec.required) if spec is not None else False,
                rows=field_acc.rows, filled=field_acc.filled,
                distinct=min(field_acc.distinct.count, field_acc.filled),  # an estimate never above the values
                distinct_exact=field_acc.distinct.exact, top_values=top,
                findings=field_acc.findings, errors=field_acc.errors,
                codes=tuple((clean(code), count) for code, count in field_acc.codes.most_common()),
            ))
        self._files.append(FileReport(
            path=acc.path, format=acc.format, encoding=acc.encoding, title=acc.title, columns=acc.columns,
            unknown_columns=acc.unknown, missing_fields=acc.missing,
            rows=Rows(acc.read, acc.valid, acc.rejected, acc.unreadable), errors=acc.errors, warnings=acc.warnings,
            fields=tuple(fields), codes=tuple((clean(code), count) for code, count in acc.codes.most_common()),
            samples=tuple(acc.rejected_samples or acc.first_samples), sheet=acc.sheet, sheets=acc.sheets,
            merged=acc.merged, merged_filled=acc.merged_filled,
        ))
        self._file = None

    def _shown_places(self) -> dict[_Place, str]:
        """Every place (each file's own, and those its findings name) and the path the report shows for it:
        a name that places of several files share (masked alike, or cut alike) is followed by the file's
        position in the run, ``(#2)``, so that each path shown names one file.

        A name no other file shares is shown as it is, so that a file link works as before; the position is
        the file's place among the inputs, which tells nothing of what the masking hides."""
        places = {(index, file.path) for index, file in enumerate(self._files)}
        for acc in self._codes.values():
            places.update(acc.files)
        files: dict[str, set[int]] = {}
        for index, name in places:
            files.setdefault(name, set()).add(index)
        taken = set(files)
        shown: dict[_Place, str] = {}
        for index, name in sorted(places):
            path = name
            if len(files[name]) > 1:
                while path in taken:  # a file may really be called "x.csv (#2)"
                    path += f" (#{index + 1})"
                taken.add(path)
            shown[(index, name)] = path
        return shown

    def finish(self) -> Report:
        """The report (a file still open is ended first); the builder cannot be used afterwards."""
        if self._finished:
            raise RuntimeError("the report is finished")
        if self._file is not None:
            self.end_file()
        self._finished = True
        paths = self._shown_places()

        def placed(acc: _CodeAcc, where: _Place, example: Example) -> Example:
            path = paths[where]
            changes: dict[str, Any] = {} if example.file == path else {"file": path}
            naming = acc.naming.get(id(example))
            if naming is not None:  # the other file named as the report shows it (with its (#N), if it has one)
                zh, en = naming[1].naming(paths[naming[0]])
                changes.update(message_zh=self._safe(zh, 1000), message_en=self._safe(en, 1000))
            return dataclasses.replace(example, **changes) if changes else example

        ranked = sorted(self._codes.items(), key=lambda item: (-item[1].count, item[0]))
        candidates = [acc.candidates() for _, acc in ranked]
        quota = _quotas([len(examples) for examples in candidates], self.max_errors)
        codes = []
        for (code, acc), examples, keep in zip(ranked, candidates, quota, strict=True):
            title_zh, title_en = title_for(code, self.class_name, acc.first)
            codes.append(CodeSummary(
                code=clean(code), title_zh=self._safe(title_zh, 1000), title_en=self._safe(title_en, 1000),
                severity="error" if acc.errors else "warning", count=acc.count, errors=acc.errors,
                warnings=acc.warnings,
                files=tuple((paths[where], count) for where, count in acc.files.most_common()),
                fields=tuple((self._safe(key), count) for key, count in acc.fields.most_common()),
                locations=tuple(
                    CodeLocation(file=paths[where], column=None if column is None else self._safe(column),
                                 field=None if key is None else self._safe(key), count=place.count,
                                 first_line=place.first_line, lines=tuple(place.lines), lines_omitted=place.omitted)
                    for (where, column, key), place in sorted(acc.locations.items(),
                                                              key=lambda item: -item[1].count)),
                # in file order (a stable sort: within a file, in the order kept)
                examples=tuple(placed(acc, where, example)
                               for where, example in sorted(examples[:keep], key=lambda item: item[0][0])),
                examples_omitted=acc.count - keep,
            ))
        files = tuple(dataclasses.replace(file, path=paths[(index, file.path)])
                      if paths[(index, file.path)] != file.path else file for index, file in enumerate(self._files))
        rows = Rows(*(sum(getattr(file.rows, part) for file in files)
                      for part in ("read", "valid", "rejected", "unreadable")))
        shown = sum(len(code.examples) for code in codes)
        totals = Totals(files=len(files), rows=rows, errors=sum(file.errors for file in files),
                        warnings=sum(file.warnings for file in files), examples_shown=shown,
                        examples_omitted=sum(code.count for code in codes) - shown)
        from creditstd import __version__

        spec = self._class
        report = Report(
            version=__version__, class_name=None if self.class_name is None else clean(self.class_name),
            class_title=(spec.zh, spec.en) if spec is not None else None,
            class_version=spec.version if spec is not None else None,
            class_reason=None if self.class_reason is None else (self._safe(self.class_reason[0], 1000),
                                                                 self._safe(self.class_reason[1], 1000)),
            strict=self.strict, max_errors=self.max_errors, show_pii=self.show_pii,
            rule_set=None if self.rule_set is None else clean(self.rule_set), fail_on=self.fail_on,
            files=files, codes=tuple(codes), totals=totals, fail_when_empty=self.fail_when_empty,
        )
        report.check_accounting()
        return report
