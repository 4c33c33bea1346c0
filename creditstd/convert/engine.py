"""The engine: a mapping applied to one source, giving Arrow batches of text cells ready for the validation core.

:func:`convert_source` reads a CSV, TSV or XLSX file through :func:`creditstd.sources.open_table` or an XML
file through :func:`creditstd.convert.xml_records.read_batches`, applies each field rule of the mapping
(source → transforms → default, or a constant), and yields

* :class:`ConvertedChunk`: a ``pyarrow.RecordBatch`` whose columns are the rules' target fields, named by
  catalogue key, every cell text or null (absent; a list is joined with ``；``, or written as JSON where
  joining would change it, as the array decoder reads it), with the line and record number of every row and
  the **findings** of the rows whose values could not be converted (``convert.date``,
  ``convert.cardinality``...: code, field, masked value, location);
* :class:`~creditstd.sources.model.RowProblem`: a CSV row that could not be read as a row, or an XML element
  that looks like a record but is not at the record path (passed through from the reader, for the rejects).

The batch goes to :func:`creditstd.records.plan.validate_table`, the same core as ``creditstd validate``;
:func:`combine` merges its verdict with the conversion findings, so that a record is rejected once, with
every reason, and a field whose conversion failed is not reported a second time as missing.

>>> import os, tempfile
>>> from creditstd.convert.mapping import parse_mapping
>>> from creditstd.records.plan import compile_plan, validate_table
>>> folder = tempfile.mkdtemp()
>>> path = os.path.join(folder, 'ratings.csv')
>>> with open(path, 'w', encoding='gbk') as stream:
...     _ = stream.write('纳税人名称,纳税人识别号,评价年度,信用级别\\n'
...                      '某某科技有限公司,91350100M000100Y43,20240401,A级\\n'
...                      '乙公司,914403001922038216,2024-13-01,B级\\n')
>>> spec = parse_mapping('''spec = 1
... name = "tax"
... class = "credit_rating"
... [source]
... format = "csv"
... [[fields]]
... target = "subject_name"
... source = "纳税人名称"
... [[fields]]
... target = "uscc"
... source = "纳税人识别号"
... transforms = ["identifier"]
... [[fields]]
... target = "subject_category"
... source = "纳税人识别号"
... transforms = ["subject_category"]
... [[fields]]
... target = "evaluation_date"
... source = "评价年度"
... transforms = ["date"]
... [[fields]]
... target = "grade"
... source = "信用级别"
... transforms = [{ name = "lookup", code_table = "credit_grade_schemes.tax" }]
... [[fields]]
... target = "scheme"
... const = "tax"
... [[fields]]
... target = "authority"
... const = "国家税务总局某市税务局"
... [[fields]]
... target = "authority_uscc"
... const = "11350100MAD18YGF27"
... ''')
>>> chunk = next(iter(convert_source(spec, path)))
>>> chunk.batch.column('grade').to_pylist(), chunk.batch.column('evaluation_date').to_pylist()
(['A', 'B'], ['2024-04-01', None])
>>> [(finding.code, finding.field, str(finding.location)) for finding in chunk.findings]  # doctest: +ELLIPSIS
[('convert.date', 'evaluation_date', '.../ratings.csv:3 [评价年度]')]
>>> verdict = validate_table(compile_plan('credit_rating'), chunk.batch, file=path, lines=chunk.lines)
>>> valid, findings = combine(chunk, verdict)
>>> valid.tolist(), sorted({finding.code for finding in findings})
([True, False], ['convert.date'])
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from creditstd.codes.redact import redact
from creditstd.convert.mapping import FieldRule, MappingError, MappingProblem, MappingSpec
from creditstd.convert.transforms import StepError
from creditstd.convert.xml_records import ValueProblem, XmlBatch, read_batches
from creditstd.findings import Finding, Location, finding
from creditstd.records.decode import array_cell
from creditstd.records.jsonline import MAX_STRING_LENGTH, LineError
from creditstd.records.masking import mask_shown_value
from creditstd.records.model import record_class
from creditstd.records.plan import compile_plan, keyed_batch, shown_value, spelling_conflicts
from creditstd.sources import RowProblem, Source, open_table

__all__ = ["ConvertedChunk", "combine", "combine_rows", "convert_batch", "convert_source", "convert_tally",
           "resolve_columns"]

#: The most records in one XML chunk: the records of a chunk are Python objects until it is built, and
#: smaller chunks keep the garbage collector's work per record low (measured: 8192 is about 20% faster than
#: 65536 on a 20-field mapping).
XML_BATCH_ROWS = 8192
#: What joins the items of a list into the source text shown in a finding.
ITEM_SEPARATOR = "；"


@dataclass(frozen=True, eq=False)
class ConvertedChunk:
    """Converted rows of one source: the text cells (columns named by catalogue key), where each row comes
    from, and the findings of the values that could not be converted."""

    #: The input as given (``<stdin>`` for ``-``), as findings and rejects name it.
    file: str
    batch: pa.RecordBatch
    #: int64, per row: the line where the CSV row starts, or the line of the XML record's start tag.
    lines: np.ndarray
    #: int64, per row: its 1-based place among the file's records (data rows, or record elements).
    records: np.ndarray
    findings: tuple[Finding, ...] = ()
    #: int64, the row (0-based, in the batch) of each finding.
    finding_rows: np.ndarray = dataclasses.field(default_factory=lambda: np.empty(0, np.int64))
    #: Rows whose cells were all empty, skipped since the previous chunk (CSV/TSV/XLSX).
    blank_rows: int = 0
    #: XML: the child elements of this chunk's records that no rule reads (``BZ``, ``sw:BZ`` with the mapping's
    #: prefix, ``{urn:x}BZ`` for a namespace it does not name), in the order first met; reported as unknown
    #: columns are, so that what the export holds is never dropped unsaid.
    unread: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.batch.num_rows)

    @property
    def failed(self) -> np.ndarray:
        """bool per row: whether a value of the row could not be converted (the row is a reject)."""
        mask = np.zeros(len(self), bool)
        mask[self.finding_rows] = True
        return mask


def combine(chunk: ConvertedChunk, result: Any) -> tuple[np.ndarray, list[Finding]]:
    """Merge the conversion findings of ``chunk`` with ``result``, the
    :class:`~creditstd.records.plan.TableResult` of :func:`~creditstd.records.plan.validate_table` on its batch:
    a row is valid when neither found anything; its findings are the conversion ones first, then the
    validator's, except those about a field whose conversion already failed (its cell is empty because of
    that, not because the export left it out).  :func:`combine_rows` gives each finding's row as well."""
    valid, findings, _ = combine_rows(chunk, result)
    return valid, findings


def combine_rows(chunk: ConvertedChunk, result: Any) -> tuple[np.ndarray, list[Finding], list[int]]:
    """:func:`combine`, with the row (0-based, in the batch) of each finding, in the same order."""
    valid = np.asarray(result.valid, bool) & ~chunk.failed
    rows: list[int] = chunk.finding_rows.tolist()
    failed_fields = {(row, item.field) for row, item in zip(rows, chunk.findings, strict=True)}
    findings = list(chunk.findings)
    for row, item in zip(np.asarray(result.rows).tolist(), result.findings, strict=True):
        if (row, item.field) not in failed_fields:
            findings.append(item)
            rows.append(row)
    return valid, findings, rows


def convert_tally(spec: MappingSpec, path: str) -> tuple[int, list[int], dict[int, list[str]], list[dict[str, Any]]]:
    """Convert ``path`` with ``spec`` through the validation core, for the built-in mappings' examples and
    their golden files: the rows, the record numbers of the rejected rows, the codes found on each record
    (the conversion's and the validator's, sorted, without repeats), and the converted records (their
    non-empty cells) in order.  Raises ValueError on a row that could not be read as a row."""
    from creditstd.records.plan import compile_plan, validate_table

    plan = compile_plan(spec.class_name)
    rows = 0
    rejected: list[int] = []
    codes: dict[int, list[str]] = {}
    converted: list[dict[str, Any]] = []
    for chunk in convert_source(spec, path):
        if not isinstance(chunk, ConvertedChunk):
            raise ValueError(f"{path}: a row could not be read: {chunk}")
        result = validate_table(plan, chunk.batch, file=path, lines=chunk.lines)
        valid, _ = combine(chunk, result)
        numbers = chunk.records.tolist()
        for row, item in zip(chunk.finding_rows.tolist(), chunk.findings, strict=True):
            codes.setdefault(numbers[row], []).append(item.code)
        for row, item in zip(list(result.rows), result.findings, strict=True):
            codes.setdefault(numbers[int(row)], []).append(item.code)
        for row, cells in enumerate(chunk.batch.to_pylist()):
            converted.append({key: value for key, value in cells.items() if value is not None})
            if not valid[row]:
                rejected.append(numbers[row])
        rows += len(chunk)
    return rows, rejected, {number: sorted(set(found)) for number, found in codes.items()}, converted


# ------------------------------------------------------------------------------------------------ columns


def resolve_columns(spec: MappingSpec, headers: Sequence[str], data_file: str, *,
                    show_pii: bool = False) -> list[str | None]:
    """The header each rule of ``spec`` reads (None for a constant): the header spelled as the rule's source,
    else the one equal to it NFKC-folded, case-folded and without spaces, else — when the source names a field
    of the class by national field code, key, Chinese name or alias — the header that names that field.

    Raises :class:`~creditstd.convert.mapping.MappingError` (``mapping.column``) naming the mapping's line and
    the data file for a column that is not there.
    """
    # the header resolver's own folding and table of every spelling of every field of the class
    from creditstd.records.decode import field_spellings, name_key, resolve_headers

    folded: dict[str, str] = {}
    for name in headers:
        folded.setdefault(name_key(name), name)
    by_field: dict[str, str] = {}  # field -> the first header naming it (a later one fills it: _second_spellings)
    for name, key in resolve_headers(spec.class_name, headers).fields.items():
        if key is not None:
            by_field.setdefault(key, name)
    names = field_spellings(spec.class_name)
    chosen: list[str | None] = []
    problems: list[MappingProblem] = []
    for rule in spec.fields:
        if rule.source is None:
            chosen.append(None)
            continue
        header: str | None = rule.source if rule.source in headers else folded.get(name_key(rule.source))
        if header is None and name_key(rule.source) in names:
            header = by_field.get(names[name_key(rule.source)])
        if header is None:
            line = spec.line_of(("fields", rule.index, "source"))
            # whether the row is a record is decided on all of it (an ID number may be in column 13)
            shown = "、".join(_shown_headers(headers, spec, show_pii=show_pii)[:12]) + \
                ("…" if len(headers) > 12 else "")
            problems.append(_column_problem(spec.file, line, rule, data_file, shown))
        chosen.append(header)
    if problems:
        raise MappingError(spec.file, problems)
    return chosen


#: What a record's cell may hold but a header does not (searched in the NFKC form of a cell, full-width digits folded):
#: five digits in a row (a phone, an account, a code, an amount in 元), a mobile number written in groups, an
#: amount (digits with a unit of money, or after a currency sign), a case or document year (（2024）, 〔2024〕).
_DATA_CELL = re.compile(
    r"[0-9]{5}"
    r"|(?<![0-9])1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])"
    r"|[0-9](?:[0-9,]*[0-9])?(?:\.[0-9]+)?\s*(?:元|圆|千元|万元|万|亿元|亿)"
    r"|(?:[¥$]|RMB|CNY|人民币)\s*[0-9]"
    r"|[(\[〔【]\s*(?:19|20)[0-9]{2}\s*[)\]〕】]",
    re.IGNORECASE,
)


def _header_row_is_data(headers: Sequence[str], spec: MappingSpec | None) -> bool:
    """Whether the row read as the header row is rather a record (a file with no header row): a cell is an ID
    number, a USCC or a date (:func:`~creditstd.sources.sniff.looks_like_data`), or holds what a header does not
    (:data:`_DATA_CELL`: a phone number, an amount, a case number's year, a run of digits); or, given the
    mapping, no header is a source it names nor a spelling (key, national code, Chinese name, alias) of a field of
    its class.  A header row with a typo still has other headers the mapping or the catalogue knows."""
    import unicodedata

    from creditstd.records.decode import field_spellings, name_key
    from creditstd.sources.sniff import looks_like_data

    if looks_like_data(headers):
        return True
    if any(_DATA_CELL.search(unicodedata.normalize("NFKC", header)) for header in headers if header):
        return True
    if spec is None:
        return False
    known = set(field_spellings(spec.class_name))
    known.update(name_key(rule.source) for rule in spec.fields if rule.source)
    return not any(name_key(header) in known for header in headers if header)


def _shown_headers(headers: Sequence[str], spec: MappingSpec | None = None, *, show_pii: bool = False) -> list[str]:
    """Headers as an error may show them: any ID number in them masked, and when the row looks like a record
    (:func:`_header_row_is_data`: the file has no header row) each cell masked as a person's name is (its first
    character kept), as ``creditstd validate`` shows them; with ``show_pii``, as they are.  Given the mapping
    (``spec``), a row none of whose cells the mapping or the catalogue knows is taken for a record too.

    >>> _shown_headers(['纳税人名称', '纳税人识别号']), _shown_headers(['赵建华', '431025198812090676'])
    (['纳税人名称', '纳税人识别号'], ['赵**', '4*****************'])
    >>> _shown_headers(['王小明', '（2024）京0105执123号', '2万元', '13800138000'])
    ['王**', '（***************', '2**', '1**********']
    >>> _shown_headers(['被执行人性名', '案号', '执行标的（万元）', '联系电话'])  # a typo: in clear, to be fixed
    ['被执行人性名', '案号', '执行标的（万元）', '联系电话']
    >>> _shown_headers(['王小明', '13800138000'], show_pii=True)
    ['王小明', '13800138000']
    """
    from creditstd.records.masking import mask_person_name

    if show_pii:
        return list(headers)
    as_data = _header_row_is_data(headers, spec)
    return [mask_person_name(redact(header)) if as_data else redact(header) for header in headers]


def _column_problem(file: str, line: int, rule: FieldRule, data_file: str, headers: str) -> MappingProblem:
    from creditstd.convert.codes import MAPPING_CODES
    from creditstd.sources.model import shown_path

    zh, en = MAPPING_CODES["mapping.column"]
    values = {"file": file, "line": line, "column": rule.source, "data": redact(shown_path(data_file)),
              "headers": headers}
    return MappingProblem("mapping.column", line, f"fields[{rule.index}].source", zh.format(**values),
                          en.format(**values))


# ------------------------------------------------------------------------------------------------ values


@dataclass(frozen=True, slots=True)
class _Failure:
    """A value that could not be converted: the code, the template fields, and the source text."""

    code: str
    fields: dict[str, Any]
    raw: str | None


def _cell(value: Any, raw: str | None) -> tuple[str | None, _Failure | None]:
    """The text cell of a converted value: a list as the array decoder reads it back
    (:func:`~creditstd.records.decode.array_cell`); a list JSON cannot carry (an item longer than a record's
    text may be) is the row's failure, its source text ``raw``."""
    if value is None or isinstance(value, str):
        return value, None
    try:
        return array_cell(value), None
    except LineError as error:
        if error.code == "record.too_long":
            return None, _Failure("convert.too_long", {"limit": MAX_STRING_LENGTH}, raw)
        return None, _Failure(error.code, {}, raw)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, list) and not any(
        item.strip() for item in value))


def _convert(rule: FieldRule, value: Any) -> tuple[str | None, _Failure | None]:
    """One value of ``rule``'s source (text, list or None) through its chain, default and cell form."""
    if rule.const is not None:
        return _cell(list(rule.const) if isinstance(rule.const, tuple) else rule.const, None)
    raw = value if isinstance(value, str) else ITEM_SEPARATOR.join(value) if isinstance(value, list) else None
    converted: Any = None
    if not _blank(value):
        try:
            converted = rule.chain.apply(value)
        except StepError as error:
            return None, _Failure(f"convert.{error.name}", {"reason_zh": error.error.reason_zh,
                                                            "reason_en": error.error.reason_en}, raw)
    if converted is None and rule.default is not None:
        converted = list(rule.default) if isinstance(rule.default, tuple) else rule.default
    return _cell(converted, raw)


class _Findings:
    """Findings of one chunk, with their rows."""

    def __init__(self, spec: MappingSpec, file: str, show_pii: bool) -> None:
        self.class_name = spec.class_name
        self.fields = record_class(spec.class_name).fields
        self.file = file
        self.show_pii = show_pii
        self.items: list[Finding] = []
        self.rows: list[int] = []

    def add(self, rule: FieldRule, row: int, failure: _Failure, line: int, record: int, column: str | None) -> None:
        self.items.append(finding(failure.code, path=f"$.{rule.target}", field=rule.target,
                                  field_code=rule.field_code, value=self.shown(rule, failure.raw),
                                  location=Location(file=self.file, line=line, record=record, column=column),
                                  **{"reason_zh": "", "reason_en": "", "count": 0, "limit": 0, **failure.fields}))
        self.rows.append(row)

    def shown(self, rule: FieldRule, text: str | None) -> str | None:
        """A source value as a finding may show it (:func:`~creditstd.records.plan.shown_value`); a rule that
        reads personal information for a field that holds none (the subject category derived from the ID
        document number) shows it masked as that information is."""
        field = self.fields[rule.target]
        if rule.personal and not field.is_personal and not self.show_pii and text is not None:
            text = mask_shown_value(field, text)
        return shown_value(self.class_name, rule.target, text, show_pii=self.show_pii)

    def sorted(self) -> tuple[tuple[Finding, ...], np.ndarray]:
        order = sorted(range(len(self.rows)), key=lambda index: self.rows[index])
        return (tuple(self.items[index] for index in order),
                np.asarray([self.rows[index] for index in order], dtype=np.int64))


# ------------------------------------------------------------------------------------------------ sources


def convert_source(spec: MappingSpec, path: str, *, batch_rows: int = 65536, show_pii: bool = False,
                   opened: Callable[[Source, Sequence[str | None]], None] | None = None,
                   ) -> Iterator[ConvertedChunk | RowProblem]:
    """Apply ``spec`` to the export at ``path``: converted chunks and the rows the reader could not read (for
    XML, the elements that look like records but are not at the record path), in file order.  Chunks hold at
    most ``batch_rows`` rows (XML: at most :data:`XML_BATCH_ROWS`).  ``opened``: called, for a CSV, TSV or
    XLSX export, with how it was opened (encoding, title row, sheets, headers) and the header each rule reads,
    before the first chunk; ``show_pii``: the findings show the values, and a mapping error lists the
    headers, as they are.

    Raises :class:`~creditstd.sources.model.SourceError` for a file that cannot be read and
    :class:`~creditstd.convert.mapping.MappingError` (``mapping.column``) when a column the mapping names is
    not in the file.
    """
    if spec.source.format == "xml":
        yield from _convert_xml(spec, path, batch_rows, show_pii)
    else:
        yield from _convert_table(spec, path, batch_rows, show_pii, opened)


def _schema(spec: MappingSpec) -> pa.Schema:
    return pa.schema([pa.field(rule.target, pa.string()) for rule in spec.fields])


def _arrow_pattern(pattern: str) -> str:
    """A :attr:`~creditstd.convert.transforms.Transform.keeps` expression for Arrow's RE2, matched whole.

    >>> print(_arrow_pattern(r'[^\\u3000]+'))
    ^(?s:[^\\x{3000}]+)$
    """
    return "^(?s:" + re.sub(r"\\u([0-9a-fA-F]{4})", r"\\x{\1}", pattern) + ")$"


def _kept(rule: FieldRule, column: Any) -> np.ndarray | None:
    """bool per cell: the cells ``rule``'s chain returns unchanged (every step keeps them), or None."""
    patterns = rule.chain.keeps
    if patterns is None:
        return None
    mask = np.ones(len(column), bool)
    for pattern in patterns:
        matched = pc.match_substring_regex(column, _arrow_pattern(pattern))
        mask &= np.asarray(matched.fill_null(False).to_numpy(zero_copy_only=False), bool)
    return mask


def _by_distinct(rule: FieldRule, column: Any) -> tuple[pa.Array, list[tuple[int, _Failure]]]:
    """A text column through ``rule``: the cells the chain keeps as they are passed through (an identifier
    already canonical, a name already trimmed), each other distinct value converted once; and the rows whose
    value failed."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    kept = _kept(rule, column)
    if kept is None or not kept.any():
        return _each_distinct(rule, column)
    if kept.all():
        return column, []
    rest = np.flatnonzero(~kept)
    converted, failures = _each_distinct(rule, column.take(pa.array(rest)))
    merged = pc.replace_with_mask(column, pa.array(~kept), converted)
    return merged, [(int(rest[row]), failure) for row, failure in failures]


def _each_distinct(rule: FieldRule, column: Any) -> tuple[pa.Array, list[tuple[int, _Failure]]]:
    """A text column through ``rule``, each distinct value converted once; the rows whose value failed."""
    encoded = pc.dictionary_encode(column)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    uniques = encoded.dictionary.to_pylist()
    indices = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False), np.int64)
    cells: list[str | None] = []
    failures: dict[int, _Failure] = {}
    for number, text in enumerate(uniques):
        cell, failure = _convert(rule, text)
        cells.append(cell)
        if failure is not None:
            failures[number] = failure
    if (indices < 0).any():  # a null cell (absent): the rule's default, if any
        cells.append(_convert(rule, None)[0])
        indices = np.where(indices < 0, len(cells) - 1, indices)
    array = pa.array(cells, pa.string()).take(pa.array(indices))
    rows = np.flatnonzero(np.isin(indices, list(failures))).tolist() if failures else []
    return array, [(row, failures[int(indices[row])]) for row in rows]


def convert_batch(spec: MappingSpec, batch: pa.RecordBatch, columns: Sequence[str | None], *, file: str,
                  lines: np.ndarray, records: np.ndarray, blank_rows: int = 0,
                  show_pii: bool = False) -> ConvertedChunk:
    """Apply the field rules of ``spec`` to ``batch``, a batch of a table's text cells (columns named as the
    file's headers): the converted chunk.  ``columns`` names the header each rule reads
    (:func:`resolve_columns`, None for a constant); ``lines`` and ``records`` locate each row (its line,
    its 1-based record number), ``file`` names it in findings, whose values are masked unless ``show_pii``
    (:func:`~creditstd.records.plan.shown_value`).  Pure: the Spark path applies it to the batches of a
    DataFrame as :func:`convert_source` applies it to a file's."""
    count = batch.num_rows
    findings = _Findings(spec, file, show_pii)
    arrays = []
    lines = np.asarray(lines, np.int64)
    records = np.asarray(records, np.int64)
    for rule, header in zip(spec.fields, columns, strict=True):
        if header is None:
            cell, _ = _convert(rule, None)
            arrays.append(pa.array([cell] * count, pa.string()))
            continue
        column = batch.column(header)
        if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            column = pc.cast(column, pa.string())
        if not rule.chain.steps and rule.default is None:
            arrays.append(column)  # passed through: the validator trims and reads "" as absent
            continue
        array, failures = _by_distinct(rule, column)
        arrays.append(array)
        for row, failure in failures:
            findings.add(rule, row, failure, int(lines[row]), int(records[row]), header)
    found, finding_rows = findings.sorted()
    converted = pa.RecordBatch.from_arrays(arrays, schema=_schema(spec))
    return ConvertedChunk(file, converted, lines, records, found, finding_rows, blank_rows)


def _convert_table(spec: MappingSpec, path: str, batch_rows: int, show_pii: bool = False,
                   opened: Callable[[Source, Sequence[str | None]], None] | None = None,
                   ) -> Iterator[ConvertedChunk | RowProblem]:
    source = spec.source
    info, rows = open_table(path, encoding=source.encoding, header_row=source.header_row, sheet=source.sheet,
                            delimiter=source.delimiter, format=source.format, batch_rows=batch_rows,
                            fill_merged=source.fill_merged)
    with rows:
        columns = resolve_columns(spec, info.headers, path, show_pii=show_pii)
        spellings = _second_spellings(spec, info.headers, columns, info.repeats)
        if opened is not None:
            opened(info, [*columns, *(header for others in spellings.values() for header in others)])
        for item in rows:
            if isinstance(item, RowProblem):
                yield item
                continue
            batch, conflicts = _joined_spellings(spec, item.batch, columns, spellings)
            chunk = convert_batch(spec, batch, columns, file=_named(path), lines=item.lines, records=item.records,
                                  blank_rows=item.blank_rows, show_pii=show_pii)
            yield _with_conflicts(spec, chunk, batch, columns, conflicts, show_pii) if conflicts else chunk


def _second_spellings(spec: MappingSpec, headers: Sequence[str], columns: Sequence[str | None],
                      repeats: Mapping[str, str]) -> dict[int, tuple[str, ...]]:
    """Rule number -> the other columns of the export that name the rule's target field, when the column the
    rule reads names it too (``CF_WSH`` read for ``decision_number`` beside ``行政处罚决定书文号``) and no rule
    reads them: they are read as ``creditstd validate`` reads a field's second spelling (:func:`_joined_spellings`).
    """
    from creditstd.records.decode import resolve_headers

    fields = resolve_headers(spec.class_name, headers, repeats).fields
    read = set(columns)
    found: dict[int, tuple[str, ...]] = {}
    for number, (rule, header) in enumerate(zip(spec.fields, columns, strict=True)):
        if header is None or fields.get(header) != rule.target:
            continue
        others = tuple(name for name in headers
                       if name != header and name not in read and fields.get(name) == rule.target)
        if others:
            found[number] = others
    return found


_Conflicts = dict[int, dict[str, list[Finding]]]


def _joined_spellings(spec: MappingSpec, batch: pa.RecordBatch, columns: Sequence[str | None],
                      spellings: Mapping[int, tuple[str, ...]]) -> tuple[pa.RecordBatch, _Conflicts]:
    """``batch`` with the column each rule of ``spellings`` reads filled, where empty, from the field's other
    spellings, and the rows whose spellings disagree (:func:`~creditstd.records.plan.keyed_batch`,
    :func:`~creditstd.records.plan.spelling_conflicts`): the same reading as ``creditstd validate``'s."""
    conflicts: _Conflicts = {}
    for number, others in spellings.items():
        header, target = columns[number], spec.fields[number].target
        assert header is not None
        spelt = batch.select([header, *others])
        fields = dict.fromkeys(spelt.schema.names, target)
        index = batch.schema.get_field_index(header)
        batch = batch.set_column(index, header, keyed_batch(spelt, fields).column(target))
        for row, found in spelling_conflicts(compile_plan(spec.class_name), spelt, fields).items():
            conflicts.setdefault(row, {}).update(found)
    return batch, conflicts


def _with_conflicts(spec: MappingSpec, chunk: ConvertedChunk, batch: pa.RecordBatch, columns: Sequence[str | None],
                    conflicts: Mapping[int, Mapping[str, Sequence[Finding]]], show_pii: bool) -> ConvertedChunk:
    """``chunk`` with the conflicts of its rows' spellings among its findings, located and showing the value
    read (the first column's), in row order."""
    read = {rule.target: header for rule, header in zip(spec.fields, columns, strict=True)}
    added: list[tuple[int, Finding]] = []
    for row, found in conflicts.items():
        for key, items in found.items():
            text = batch.column(read[key])[row].as_py() if read.get(key) else None
            where = Location(file=chunk.file, line=int(chunk.lines[row]), record=int(chunk.records[row]),
                             column=read.get(key))
            added.extend((row, dataclasses.replace(item, location=where,
                                                   value=shown_value(spec.class_name, key, text, show_pii=show_pii)))
                         for item in items)
    rows = [*chunk.finding_rows.tolist(), *(row for row, _ in added)]
    findings = [*chunk.findings, *(item for _, item in added)]
    order = sorted(range(len(rows)), key=rows.__getitem__)
    return dataclasses.replace(chunk, findings=tuple(findings[index] for index in order),
                               finding_rows=np.asarray([rows[index] for index in order], np.int64))


_PROBLEM_FIELDS = {"convert.cardinality": "count", "convert.too_long": "limit"}


def _named(path: str) -> str:
    """An input as findings name it: as given, ``<stdin>`` for ``-``."""
    return "<stdin>" if path == "-" else path


def _convert_xml(spec: MappingSpec, path: str, batch_rows: int,
                 show_pii: bool = False) -> Iterator[ConvertedChunk | RowProblem]:
    from creditstd.convert.xml_records import MAX_VALUE_CHARS

    record = spec.source.record
    assert record is not None  # the mapping schema requires it for XML
    sources = [(rule.path, rule.many) if rule.path is not None else None for rule in spec.fields]
    for batch in read_batches(path, record, sources, encoding=spec.source.encoding,
                              batch_rows=min(batch_rows, XML_BATCH_ROWS)):
        yield batch if isinstance(batch, RowProblem) else _xml_chunk(spec, _named(path), batch, MAX_VALUE_CHARS,
                                                                     show_pii)


def _xml_chunk(spec: MappingSpec, file: str, batch: XmlBatch, limit: int, show_pii: bool = False) -> ConvertedChunk:
    findings = _Findings(spec, file, show_pii)
    count = len(batch)
    lines = np.asarray(batch.lines, np.int64)
    records = np.arange(batch.start, batch.start + count, dtype=np.int64)
    problems: dict[int, dict[int, ValueProblem]] = {}
    for row, met in batch.problems:
        problems.setdefault(met.rule, {}).setdefault(row, met)
    columns = list(zip(*batch.rows, strict=True)) if count else []
    arrays = []
    for position, rule in enumerate(spec.fields):
        if rule.const is not None:
            arrays.append(pa.array([_convert(rule, None)[0]] * count, pa.string()))
            continue
        column = columns[position]
        failing = problems.get(position, {})
        if not rule.chain.steps and rule.default is None and not rule.many and not failing:
            arrays.append(pa.array(column, pa.string()))  # texts as read: the validator trims
            continue
        if not rule.many and not failing:  # texts or None: each distinct value converted once
            array, failures = _by_distinct(rule, pa.array(column, pa.string()))
            arrays.append(array)
            for row, failure in failures:
                findings.add(rule, row, failure, int(lines[row]), int(records[row]), rule.source)
            continue
        arrays.append(_xml_cells(rule, column, failing, findings, lines, records, limit))
    found, finding_rows = findings.sorted()
    converted = pa.RecordBatch.from_arrays(arrays, schema=_schema(spec))
    prefixes = {uri: prefix for prefix, uri in spec.source.namespaces.items()}
    unread = tuple(_prefixed(tag, prefixes) for tag in batch.unread or ())
    return ConvertedChunk(file, converted, lines, records, found, finding_rows, unread=unread)


def _prefixed(tag: str, prefixes: Mapping[str, str]) -> str:
    """An element's tag as a mapping names it: ``{urn:x}BZ`` as ``sw:BZ`` when ``prefixes`` (URI -> prefix)
    names its namespace.

    >>> _prefixed('{urn:x}BZ', {'urn:x': 'sw'}), _prefixed('{urn:y}BZ', {}), _prefixed('BZ', {})
    ('sw:BZ', '{urn:y}BZ', 'BZ')
    """
    if not tag.startswith("{"):
        return tag
    uri, _, local = tag[1:].partition("}")
    return f"{prefixes[uri]}:{local}" if uri in prefixes else tag


def _xml_cells(rule: FieldRule, column: Sequence[Any], failing: dict[int, ValueProblem], findings: _Findings,
               lines: np.ndarray, records: np.ndarray, limit: int) -> pa.Array:
    """The cells of an XML rule that takes lists or has values the reader could not read: each distinct value
    converted once (a list by its items), the reader's problems and the conversion's failures as findings."""
    cells: list[str | None] = []
    memo: dict[Any, tuple[str | None, _Failure | None]] = {}
    for row, value in enumerate(column):
        if failing and row in failing:
            problem = failing[row]
            fields = {_PROBLEM_FIELDS[problem.code]: problem.count or limit} if problem.code in _PROBLEM_FIELDS else {}
            findings.add(rule, row, _Failure(problem.code, fields, None), int(lines[row]), int(records[row]),
                         rule.source)
            cells.append(None)
            continue
        key = tuple(value) if value.__class__ is list else value
        converted = memo.get(key)
        if converted is None:
            converted = memo[key] = _convert(rule, value)
        cells.append(converted[0])
        if converted[1] is not None:
            findings.add(rule, row, converted[1], int(lines[row]), int(records[row]), rule.source)
    return pa.array(cells, pa.string())
