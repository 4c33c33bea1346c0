"""The finished report: frozen, typed data that every writer reads, and its JSON form.

A :class:`Report` is what :meth:`ReportBuilder.finish
<creditstd.reports.builder.ReportBuilder.finish>` returns.  Everything in it
is immutable (frozen dataclasses, tuples) and already safe to show: text
quoted from the input has passed :func:`~creditstd.reports._text.clean`,
example values are the findings' values as the validation core gave them
(masked when personal), sample cells of personal fields are masked unless
``--show-pii``, and no personal field lists its values.

Rows are accounted for in every file and in the totals: every row read is
either valid or rejected (``read == valid + rejected``; the rows the reader
could not read at all, ``unreadable``, are among the rejected).
:meth:`Report.check_accounting` raises when that does not hold.

>>> report = Report(version='0.1.0', class_name=None, class_title=None, class_version=None, class_reason=None,
...                 strict=False, max_errors=10, show_pii=False, rule_set=None, fail_on='error', files=(),
...                 codes=(), totals=Totals(0, Rows(0, 0, 0, 0), 0, 0, 0, 0))
>>> report.check_accounting(), report.exit_status, report.to_json()['totals']['rows']
(None, 0, {'read': 0, 'valid': 0, 'rejected': 0, 'unreadable': 0})
>>> Rows(read=5, valid=3, rejected=2, unreadable=1).accounting('en')
'5 rows read = 3 valid + 2 rejected (1 unreadable)'
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from creditstd.reports._text import number, pick

__all__ = [
    "REPORT_VERSION",
    "SCHEMA_ID",
    "CodeLocation",
    "CodeSummary",
    "Column",
    "Example",
    "FieldSummary",
    "FileReport",
    "Report",
    "Rows",
    "Sample",
    "Totals",
]

#: Version of the report's JSON form (``report_version``); a change that removes or renames anything bumps the major,
#: one that adds a field the minor (1.1: ``sheet`` and ``sheets`` of a file that is a workbook, absent for others;
#: 1.2: ``merged_cells`` and ``merged_filled`` beside them).
REPORT_VERSION = "1.2"
#: ``$id`` of the JSON Schema of the report (``schemas/validation-report.schema.json``).
SCHEMA_ID = "https://creditstd.dev/schemas/validation-report/1"

FailOn = Literal["error", "warning"]


def _counts(pairs: tuple[tuple[str, int], ...], name: str) -> list[dict[str, Any]]:
    return [{name: key, "count": count} for key, count in pairs]


@dataclass(frozen=True, slots=True)
class Rows:
    """How many rows were read, and what became of them: ``read == valid + rejected``."""

    read: int
    valid: int
    rejected: int
    #: Rows the reader could not read at all (ragged, an unterminated quote...), counted among ``rejected``.
    unreadable: int

    @property
    def balanced(self) -> bool:
        """True when every row read is either valid or rejected."""
        return self.read == self.valid + self.rejected and 0 <= self.unreadable <= self.rejected

    def accounting(self, lang: str = "both") -> str:
        """The accounting line: ``N rows read = V valid + R rejected``.

        >>> Rows(3, 3, 0, 0).accounting('zh')
        '读取 3 行 = 有效 3 行 + 拒收 0 行'
        """
        zh = f"读取 {number(self.read)} 行 = 有效 {number(self.valid)} 行 + 拒收 {number(self.rejected)} 行"
        en = f"{number(self.read)} rows read = {number(self.valid)} valid + {number(self.rejected)} rejected"
        if self.unreadable:
            zh += f"（其中 {number(self.unreadable)} 行无法读取）"
            en += f" ({number(self.unreadable)} unreadable)"
        return pick(lang, zh, en, " / ")

    def to_json(self) -> dict[str, int]:
        """The four numbers as a JSON object."""
        return {"read": self.read, "valid": self.valid, "rejected": self.rejected, "unreadable": self.unreadable}


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the file: its header and the catalogue field it was mapped to (``None``: unknown)."""

    header: str
    field: str | None

    def to_json(self) -> dict[str, Any]:
        """The column as a JSON object."""
        return {"header": self.header, "field": self.field}


@dataclass(frozen=True, slots=True)
class FieldSummary:
    """What one catalogue field of a file holds, and what is wrong with it."""

    key: str
    title_zh: str
    title_en: str
    #: National field code (``CF_WSH``), when the field has one.
    field_code: str | None
    #: Source header the field was read from (``None``: not in the file).
    header: str | None
    #: Personal or sensitive personal information: its values are never listed.
    personal: bool
    required: bool
    #: Rows that went through the per-field summary (rows of the batches, not the unreadable ones).
    rows: int
    #: Rows whose cell is not empty (null, empty or only white space is empty).
    filled: int
    #: Distinct filled values (white space trimmed): exact while ``distinct_exact``, else a HyperLogLog estimate.
    distinct: int
    distinct_exact: bool
    #: The most common values and their counts; ``None`` for personal and free-text fields, or when there were
    #: too many distinct values to count them exactly.
    top_values: tuple[tuple[str, int], ...] | None
    #: Findings (errors and warnings) about this field, and how many of them are errors.
    findings: int
    errors: int
    #: Most common finding codes of this field, with counts, most common first.
    codes: tuple[tuple[str, int], ...]
    #: Free text (remarks, facts: a text field with no closed vocabulary whose values may be long): its values
    #: are never listed either, since a person's name may be typed into them.  Not in the JSON form (yet).
    free_text: bool = False

    @property
    def filled_share(self) -> float | None:
        """Share of rows with a filled cell (``None`` when there was no row)."""
        return self.filled / self.rows if self.rows else None

    @property
    def title(self) -> tuple[str, str]:
        """``(zh, en)`` title of the field."""
        return self.title_zh, self.title_en

    def to_json(self) -> dict[str, Any]:
        """The summary as a JSON object."""
        return {
            "field": self.key, "title_zh": self.title_zh, "title_en": self.title_en, "field_code": self.field_code,
            "header": self.header, "personal": self.personal, "required": self.required, "rows": self.rows,
            "filled": self.filled, "filled_share": self.filled_share,
            "distinct": {"count": self.distinct, "exact": self.distinct_exact},
            "top_values": None if self.top_values is None else _counts(self.top_values, "value"),
            "findings": self.findings, "errors": self.errors, "codes": _counts(self.codes, "code"),
        }


@dataclass(frozen=True, slots=True)
class Example:
    """One finding kept as an example of its code (the first ones seen, up to the caps)."""

    file: str
    line: int | None
    record: int | None
    column: str | None
    field: str | None
    field_code: str | None
    path: str
    #: The value as the validation core gave it (masked when personal), or ``None``.
    value: str | None
    position: int | None
    kind: str | None
    severity: str
    message_zh: str
    message_en: str

    @property
    def where(self) -> str:
        """``file:line`` (or ``file#record``) and the column, for a line of a report."""
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
        elif self.record is not None:
            text += f"#{self.record}"
        return text

    def message(self, lang: str = "both") -> str:
        """The message in the chosen language(s)."""
        return pick(lang, self.message_zh, self.message_en, " / ")

    def to_json(self) -> dict[str, Any]:
        """The example as a JSON object (every key present, unknown parts ``null``)."""
        return {item.name: getattr(self, item.name) for item in dataclasses.fields(self)}


@dataclass(frozen=True, slots=True)
class CodeLocation:
    """The findings of one code in one column of one file, aggregated (one SARIF result)."""

    file: str
    #: The source header (``None`` when the findings are about the record or a file as a whole).
    column: str | None
    field: str | None
    count: int
    #: The first line (or record number) where the code was found, ``None`` when no finding had one.
    first_line: int | None
    #: The first lines, in the order seen (capped; ``lines_omitted`` more).
    lines: tuple[int, ...]
    lines_omitted: int

    def to_json(self) -> dict[str, Any]:
        """The location as a JSON object."""
        return {"file": self.file, "column": self.column, "field": self.field, "count": self.count,
                "first_line": self.first_line, "lines": list(self.lines), "lines_omitted": self.lines_omitted}


@dataclass(frozen=True, slots=True)
class CodeSummary:
    """Every finding of one code, over all files: exact counts, capped examples."""

    code: str
    title_zh: str
    title_en: str
    #: ``error`` when any finding of the code is an error, else ``warning``.
    severity: str
    count: int
    errors: int
    warnings: int
    #: Counts per file and per field (``None`` key omitted: record-level findings are counted in ``count``).
    files: tuple[tuple[str, int], ...]
    fields: tuple[tuple[str, int], ...]
    locations: tuple[CodeLocation, ...]
    examples: tuple[Example, ...]
    #: Findings of this code not kept as examples (``count - len(examples)``).
    examples_omitted: int

    def title(self, lang: str = "both") -> str:
        """The title in the chosen language(s)."""
        return pick(lang, self.title_zh, self.title_en, " / ")

    def to_json(self) -> dict[str, Any]:
        """The summary as a JSON object."""
        return {
            "code": self.code, "title_zh": self.title_zh, "title_en": self.title_en, "severity": self.severity,
            "count": self.count, "errors": self.errors, "warnings": self.warnings,
            "files": _counts(self.files, "path"), "fields": _counts(self.fields, "field"),
            "locations": [location.to_json() for location in self.locations],
            "examples": [example.to_json() for example in self.examples], "examples_omitted": self.examples_omitted,
        }


@dataclass(frozen=True, slots=True)
class Sample:
    """A row shown as a sample: the first rejected rows of a file (its first rows when none was rejected)."""

    line: int
    valid: bool
    #: Codes of the findings made on this row (by its line), in the order seen.
    codes: tuple[str, ...]
    #: Fields with a finding on this row.
    fields_with_findings: tuple[str, ...]
    #: (field key, cell as shown): personal fields masked unless ``show_pii``; ``None`` for an empty cell.
    cells: tuple[tuple[str, str | None], ...]

    def to_json(self) -> dict[str, Any]:
        """The sample as a JSON object."""
        return {"line": self.line, "valid": self.valid, "codes": list(self.codes),
                "fields_with_findings": list(self.fields_with_findings), "cells": dict(self.cells)}


@dataclass(frozen=True, slots=True)
class FileReport:
    """One input file: how it was read, how its columns were mapped, its rows, fields and findings."""

    #: The path as given, masked unless ``show_pii``; distinct among the report's files (the builder appends
    #: ``(#N)``, the file's position in the run, to a path files share once masked), so that the ``file`` of a
    #: :class:`CodeLocation` or an :class:`Example`, and a code's ``files``, name exactly one file.
    path: str
    format: str
    encoding: str | None
    title: str | None
    columns: tuple[Column, ...]
    unknown_columns: tuple[str, ...]
    #: Required catalogue fields that no column maps to.
    missing_fields: tuple[str, ...]
    rows: Rows
    errors: int
    warnings: int
    fields: tuple[FieldSummary, ...]
    #: Finding codes of this file with counts, most common first.
    codes: tuple[tuple[str, int], ...]
    samples: tuple[Sample, ...]
    #: The sheet read, for a workbook (XLSX), else ``None``; ``sheets``: every sheet of the workbook, in its
    #: order, the one read among them (``()`` for other formats).  Names as typed, ID numbers in them masked
    #: unless ``show_pii``.  The JSON form has both keys only when ``sheet`` is not ``None`` (:meth:`to_json`).
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    #: A workbook's merged ranges that reach below the header (``B3:B5``): only their first cell holds the
    #: value, the others read as empty unless ``merged_filled`` (``--fill-merged``).  JSON: with ``sheet`` only.
    merged: tuple[str, ...] = ()
    merged_filled: bool = False

    @property
    def balanced(self) -> bool:
        """True when every row read is either valid or rejected."""
        return self.rows.balanced

    def sheet_note(self, lang: str = "both", shown: int = 10) -> str | None:
        """Which sheet of a workbook was read and which others it has (at most ``shown`` of them named), for
        the human formats; ``None`` when the file is not a workbook.

        >>> file = FileReport('book.xlsx', 'xlsx', None, None, (), (), (), Rows(0, 0, 0, 0), 0, 0, (), (), (),
        ...                   sheet='处罚', sheets=('说明', '处罚', '许可'))
        >>> file.sheet_note()
        '工作表 / sheet: 处罚 (另有 / also: 说明, 许可; 可用 --sheet 选择 / choose with --sheet)'
        >>> file.sheet_note('en', shown=1)
        'sheet: 处罚 (also: 说明 … (+1); choose with --sheet)'
        >>> dataclasses.replace(file, sheets=('处罚',)).sheet_note('zh')
        '工作表: 处罚'
        >>> merged = dataclasses.replace(file, sheets=('处罚',), merged=('B3:B5', 'C7:D7'))
        >>> merged.sheet_note('en')  # doctest: +ELLIPSIS
        'sheet: 处罚; merged cells: B3:B5, C7:D7 (only the first cell of each holds the value, the others are read...'
        """
        if self.sheet is None:
            return None
        text = pick(lang, "工作表", "sheet", " / ") + f": {self.sheet}"
        others = list(self.sheets)
        if self.sheet in others:  # the one read (two names may look alike once masked: only the first goes)
            others.remove(self.sheet)
        if others:
            listed = ", ".join(others[:shown])
            if len(others) > shown:
                listed += f" … (+{number(len(others) - shown)})"
            text += (f" ({pick(lang, '另有', 'also', ' / ')}: {listed}; "
                     f"{pick(lang, '可用 --sheet 选择', 'choose with --sheet', ' / ')})")
        if self.merged:
            listed = ", ".join(self.merged[:shown])
            if len(self.merged) > shown:
                listed += f" … (+{number(len(self.merged) - shown)})"
            how = pick(lang, "已将其值填入其余单元格", "their value read into every cell of each", " / ") \
                if self.merged_filled else \
                pick(lang, "只有每处的第一个单元格有值，其余读作空；validate --fill-merged 或映射的 "
                           "fill_merged 将其值填入",
                     "only the first cell of each holds the value, the others are read as empty; validate "
                     "--fill-merged, or fill_merged in a mapping, reads them as holding it", " / ")
            text += f"; {pick(lang, '合并单元格', 'merged cells', ' / ')}: {listed} ({how})"
        return text

    def failed(self, fail_on: FailOn = "error") -> bool:
        """True when this file fails the gate: errors, rejected rows or missing required fields (or warnings)."""
        return bool(self.errors or self.rows.rejected or self.missing_fields
                    or (fail_on == "warning" and self.warnings))

    def to_json(self) -> dict[str, Any]:
        """The file's report as a JSON object; ``sheet`` and ``sheets`` only for a workbook (``sheet`` not
        ``None``), so that the report on any other file is the one report 1.0 wrote, which a validator of the
        1.0 schema (no other key allowed in a file) still accepts.

        >>> file = FileReport('a.csv', 'csv', 'utf-8', None, (), (), (), Rows(0, 0, 0, 0), 0, 0, (), (), ())
        >>> 'sheet' in file.to_json(), 'sheets' in file.to_json()
        (False, False)
        >>> book = dataclasses.replace(file, path='a.xlsx', format='xlsx', sheet='处罚', sheets=('处罚', '许可'))
        >>> {key: book.to_json()[key] for key in ('title', 'sheet', 'sheets', 'merged_cells', 'columns')}
        {'title': None, 'sheet': '处罚', 'sheets': ['处罚', '许可'], 'merged_cells': [], 'columns': []}
        """
        sheet: dict[str, Any] = {} if self.sheet is None else {
            "sheet": self.sheet, "sheets": list(self.sheets), "merged_cells": list(self.merged),
            "merged_filled": self.merged_filled}
        return {
            "path": self.path, "format": self.format, "encoding": self.encoding, "title": self.title, **sheet,
            "columns": [column.to_json() for column in self.columns], "unknown_columns": list(self.unknown_columns),
            "missing_fields": list(self.missing_fields), "rows": self.rows.to_json(),
            "accounting_zh": self.rows.accounting("zh"), "accounting_en": self.rows.accounting("en"),
            "findings": {"errors": self.errors, "warnings": self.warnings},
            "fields": [field.to_json() for field in self.fields], "codes": _counts(self.codes, "code"),
            "samples": [sample.to_json() for sample in self.samples],
        }


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums over all files."""

    files: int
    rows: Rows
    errors: int
    warnings: int
    #: Findings kept as examples, and those not kept (the counts stay exact).
    examples_shown: int
    examples_omitted: int

    def to_json(self) -> dict[str, Any]:
        """The totals as a JSON object."""
        return {"files": self.files, "rows": self.rows.to_json(),
                "findings": {"errors": self.errors, "warnings": self.warnings},
                "examples": {"shown": self.examples_shown, "omitted": self.examples_omitted}}


@dataclass(frozen=True, slots=True)
class Report:
    """A validation report: what was checked against what, and what was found (see the module docstring)."""

    version: str
    class_name: str | None
    #: ``(zh, en)`` title of the class, when it is a class of the catalogue.
    class_title: tuple[str, str] | None
    class_version: str | None
    #: ``(zh, en)``: why this class (given with --class, inferred from the headers...).
    class_reason: tuple[str, str] | None
    strict: bool
    max_errors: int | None
    show_pii: bool
    rule_set: str | None
    fail_on: FailOn
    files: tuple[FileReport, ...]
    #: Every finding code, most common first.
    codes: tuple[CodeSummary, ...]
    totals: Totals
    #: Whether a run in which no row is valid fails (``creditstd convert``: a run that converts no record,
    #: even of an empty export, exits 1).
    fail_when_empty: bool = False

    def check_accounting(self) -> None:
        """Raise :class:`ValueError` unless every file and the totals have ``read == valid + rejected``."""
        items: tuple[FileReport | Totals, ...] = (*self.files, self.totals)
        for item in items:
            rows = item.rows
            if not rows.balanced:
                name = getattr(item, "path", "totals")
                raise ValueError(f"{name}: {rows.read} rows read != {rows.valid} valid + {rows.rejected} rejected")
        for part in ("read", "valid", "rejected", "unreadable"):
            if sum(getattr(file.rows, part) for file in self.files) != getattr(self.totals.rows, part):
                raise ValueError(f"totals: {part} is not the sum over the files")
        if sum(code.count for code in self.codes) != self.totals.errors + self.totals.warnings:
            raise ValueError("totals: findings are not the sum over the codes")

    def status(self, fail_on: FailOn | None = None) -> int:
        """The exit status to suggest: 1 when any file fails the gate (:meth:`FileReport.failed`), else 0."""
        gate = fail_on or self.fail_on
        failed = any(file.failed(gate) for file in self.files)
        failed = failed or bool(self.totals.errors or (gate == "warning" and self.totals.warnings))
        failed = failed or (self.fail_when_empty and not self.totals.rows.valid)
        return 1 if failed else 0

    @property
    def exit_status(self) -> int:
        """:meth:`status` for the report's own ``fail_on``."""
        return self.status()

    def code(self, code: str) -> CodeSummary | None:
        """The summary of one code, if it was found."""
        return next((item for item in self.codes if item.code == code), None)

    def to_json(self) -> dict[str, Any]:
        """The whole report as a JSON object, valid against ``schemas/validation-report.schema.json``."""
        return {
            "$schema": SCHEMA_ID,
            "report_version": REPORT_VERSION,
            "tool": {"name": "creditstd", "version": self.version},
            "class": None if self.class_name is None else {
                "name": self.class_name,
                "title_zh": self.class_title[0] if self.class_title else None,
                "title_en": self.class_title[1] if self.class_title else None,
                "version": self.class_version,
                "reason_zh": self.class_reason[0] if self.class_reason else None,
                "reason_en": self.class_reason[1] if self.class_reason else None,
            },
            "options": {"strict": self.strict, "max_errors": self.max_errors, "show_pii": self.show_pii,
                        "rule_set": self.rule_set, "fail_on": self.fail_on},
            "files": [file.to_json() for file in self.files],
            "codes": [code.to_json() for code in self.codes],
            "totals": self.totals.to_json(),
            "accounting_zh": self.totals.rows.accounting("zh"),
            "accounting_en": self.totals.rows.accounting("en"),
            "exit_status": self.exit_status,
        }
