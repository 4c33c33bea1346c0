"""The catalogue checks of ``creditstd validate`` inside Apache Spark, polars or Dask: same verdicts, same codes.

Where records sit by the hundred million in a data lake, the checks go to the
data: every engine that hands out Arrow record batches (Spark's
``mapInArrow``, polars' ``map_batches``, Dask's ``map_partitions``) calls the
one batch function of this module, which is the command line's own path:

1. the batch's column names are resolved to catalogue fields exactly as
   ``creditstd validate`` resolves a file's headers
   (:func:`~creditstd.records.decode.resolve_headers`: keys, Chinese names,
   national field codes, aliases) and renamed by
   :func:`~creditstd.records.plan.keyed_batch` (a field named by two columns,
   ``CF_WSH`` beside ``决定文书号``, read from the first that holds a value, and
   a row whose columns disagree rejected, ``record.conflict``); columns that
   name no field stay in the output untouched (and :func:`validate_dataframe`
   warns about them);
2. cells that are not text are turned into text as the command line reads
   a JSON Lines export (:func:`text_column`);
3. :func:`~creditstd.records.plan.validate_table` decides every row and
   gives the findings of the rows that fail, values masked unless
   ``show_pii``.

The output is the input with two columns more: ``_valid`` (bool) and
``_errors`` (a list of findings, :data:`FINDING_TYPE`, empty when the row is
valid).  Nothing is dropped: rows in = valid rows + rejected rows.

>>> import pyarrow as pa
>>> from datetime import date
>>> check = validate_batch_function('administrative_penalty', today=date(2026, 12, 1))
>>> rows = pa.RecordBatch.from_pydict({
...     '行政相对人名称': ['某某科技有限公司', '张三'], '行政相对人类别': ['法人及非法人组织', '自然人'],
...     'CF_XDR_SHXYM': ['91350100M000100Y43', None], '法定代表人': ['李四', None],
...     '证件类型': [None, '身份证'], '证件号码': [None, '110105194912310021'],
...     'CF_WSH': ['罚〔2024〕1号', '罚〔2024〕2号'], 'CF_WFXW': ['虚假宣传'] * 2, 'CF_SY': ['经查……'] * 2,
...     'CF_YJ': ['《广告法》'] * 2, 'CF_CFLB': ['警告'] * 2, 'CF_NR': ['警告'] * 2,
...     'CF_JDRQ': ['2024-03-15'] * 2, 'CF_YXQ': ['2025-03-15'] * 2, 'CF_CFJG': ['某市市场监督管理局'] * 2,
...     'CF_CFJGDM': ['11350100MAD18YGF27'] * 2, 'CF_SJLY': ['某市市场监督管理局'] * 2,
...     'CF_SJLYDM': ['11350100MAD18YGF27'] * 2, 'note': [1, 2]})
>>> checked = check(rows)
>>> checked.schema.names[-3:], checked.column('_valid').to_pylist()
(['note', '_valid', '_errors'], [True, False])
>>> [(error['code'], error['path'], error['value']) for error in checked.column('_errors')[1].as_py()]
[('ric.checksum', '$.id_number', '110105********0021')]
>>> errors = errors_table(checked)
>>> errors.column_names[:4], errors.num_rows
(['_row', 'code', 'severity', 'path'], 1)

A stream of batches, as the command line reads a file, rejects repeated records too:

>>> [batch.column('_valid').to_pylist() for batch in validate_arrow_batches([rows, rows], 'administrative_penalty',
...                                                                        today=date(2026, 12, 1))]
[[True, False], [False, False]]

Spark (``pip install 'creditstd[spark]'``): :func:`validate_dataframe` returns
the valid rows and one row per finding (:data:`ERRORS_COLUMNS`, keyed by a
row id), after one pass of ``mapInArrow`` that ships the plan (a few hundred
bytes of plain data) in its closure; each Python worker compiles the checks
once and keeps them for every task it runs.  No data is collected on the
driver.  Repeated records (``record.duplicate``, as the command line finds
them) need a look across partitions: a second, narrow pass computes each
row's identity key from the identity columns only, one shuffle of (row id,
key) pairs finds the repeats, and the duplicates (usually few) are broadcast
back; ``duplicates=False`` leaves that out and the job is shuffle-free.
The column helpers :func:`uscc_valid`, :func:`ric_valid` and :func:`mask_id`
are ``pandas_udf``\\ s over the identifier library's batch path.

Converting at scale (:func:`convert_dataframe`, :func:`convert_files`) is ``creditstd convert`` per task: the
mapping's columns are resolved once on the driver (:func:`~creditstd.convert.engine.resolve_columns`), each
task applies :func:`~creditstd.convert.engine.convert_batch` to its partition's batches (or
:func:`~creditstd.convert.engine.convert_source` to its file), :func:`~creditstd.records.plan.validate_table`
with the plan shipped in the closure, :func:`~creditstd.convert.combine_rows`, and writes the valid rows as one
exchange batch per partition (``part-NNNNN/``, :class:`~creditstd.records.exchange.BatchWriter`); the driver
writes ``summary.json`` over the parts (:mod:`creditstd.records.exchange_summary`).  Repeats across partitions
are found first, by a pass that shuffles only the identity keys of the valid rows: the records keep their input
order (routing rows by key would put them in hash order and shuffle whole rows).  XML is read in the tasks by
the library's own reader, one file per task, not by Spark's XML source: only that reader's guarantees (DOCTYPE
refused, no entities, bounded memory) are tested, and the mapping's paths (absolute record paths, namespaces,
predicates, repeated elements) and the rejects' line numbers have no faithful translation into Spark's
``rowTag`` rows, whose schema inference would also turn ``0012`` into 12.

Importing this module does not import PySpark: the functions that need it
import it when called, so polars and Dask users need neither PySpark nor Java.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import shutil
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from creditstd.arrow_text import blank_rows
from creditstd.codes import ric
from creditstd.codes.batch import validate_batch
from creditstd.codes.redact import redact
from creditstd.convert.engine import ConvertedChunk, combine_rows, convert_batch
from creditstd.convert.mapping import MappingSpec
from creditstd.exceptions import CatalogueError, bilingual
from creditstd.findings import Finding, Location, finding
from creditstd.records.decode import HeaderMapping, infer_class, resolve_headers
from creditstd.records.duplicates import DuplicateKeys, identity_keys
from creditstd.records.exchange import BatchWriter
from creditstd.records.exchange_summary import PART_FOLDER, SUMMARY, write_summary
from creditstd.records.masking import mask_person_name
from creditstd.records.model import record_class
from creditstd.records.plan import Plan, TableResult, compile_plan, keyed_batch, spelling_conflicts, validate_table
from creditstd.sources.jsonl import cell_text
from creditstd.sources.sniff import looks_like_data

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

__all__ = ["ERRORS_COLUMN", "ERRORS_COLUMNS", "FINDING_TYPE", "PART_NAME", "REJECT_COLUMNS", "ROW_ID", "VALID_COLUMN",
           "BatchValidator", "SparkConversion", "SparkValidation", "UnknownColumnsWarning", "convert_dataframe",
           "convert_files", "errors_table", "mask_id", "ric_valid", "text_batch", "text_column", "uscc_valid",
           "validate_arrow_batches", "validate_batch_function", "validate_dataframe", "write_rows"]

#: The column added to every batch: the row is valid.
VALID_COLUMN = "_valid"
#: The column added to every batch: the row's findings (:data:`FINDING_TYPE`), empty when it is valid.
ERRORS_COLUMN = "_errors"
#: The row id column :func:`validate_dataframe` adds when not given one (``monotonically_increasing_id``).
ROW_ID = "_row_id"
#: The columns of a finding, in the order of ``errors_df`` (after the row id) and of :data:`FINDING_TYPE`.
ERRORS_COLUMNS = ("code", "severity", "path", "field", "field_code", "kind", "position", "message_zh",
                  "message_en", "value")
#: One finding as Arrow data: the fields of :class:`~creditstd.findings.Finding` less its location (a row is
#: located by the engine's own row id).
FINDING_TYPE = pa.struct([(name, pa.int32() if name == "position" else pa.string()) for name in ERRORS_COLUMNS])
_FINDINGS_TYPE = pa.list_(FINDING_TYPE)
#: The column of identity keys in the duplicate pass, and of each duplicate's first occurrence.
_KEY, _FIRST = "_identity_key", "_first_row_id"

_Data = TypeVar("_Data", pa.RecordBatch, pa.Table)


class UnknownColumnsWarning(UserWarning):
    """Columns of a DataFrame that name no field of the class (kept in the output, not checked)."""


# -- cells as text -------------------------------------------------------------------------------------------------


def _json_cell(value: Any) -> str | None:
    try:
        return cell_text(value)
    except (TypeError, ValueError, CatalogueError):  # a nested date, bytes or NaN: JSON has none, str() stands in
        return json.dumps(value, ensure_ascii=False, default=str)


def _is_list(kind: pa.DataType) -> bool:
    return (pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind)
            or getattr(pa.types, "is_list_view", lambda _: False)(kind)
            or getattr(pa.types, "is_large_list_view", lambda _: False)(kind))


def _plain(kind: pa.DataType) -> Callable[[Any], Any] | None:
    """How a non-null value of Arrow type ``kind``, as ``to_pylist`` gives it, becomes the value Spark's
    ``to_json`` writes: a struct without its null fields (Parquet and Spark give every field of a struct, null
    where the data has none), a map as an object (its null values kept, as ``to_json`` keeps them), the same
    within lists, structs and maps; a null list item stays null.  None: the value is written as it is (no
    struct or map within)."""
    if pa.types.is_dictionary(kind):
        return _plain(kind.value_type)
    if pa.types.is_struct(kind):
        inner = {field.name: plain for field in kind if (plain := _plain(field.type)) is not None}
        if not inner:
            return lambda value: {key: item for key, item in value.items() if item is not None}
        return lambda value: {key: item if key not in inner else inner[key](item)
                              for key, item in value.items() if item is not None}
    if pa.types.is_map(kind):
        item_plain = _plain(kind.item_type)
        if item_plain is None:
            return dict
        return lambda pairs: {key: None if item is None else item_plain(item) for key, item in pairs}
    if _is_list(kind):
        value_plain = _plain(kind.value_type)
        if value_plain is None:
            return None
        return lambda items: [None if item is None else value_plain(item) for item in items]
    return None


def _by_distinct(column: pa.Array, text: Callable[[Any], str | None]) -> pa.Array:
    """``text`` applied once per distinct value of ``column``, spread back over the rows."""
    encoded = pc.dictionary_encode(column)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    words = pa.array([None if value is None else text(value) for value in encoded.dictionary.to_pylist()],
                     pa.string())
    return pc.take(words, encoded.indices)


def text_column(column: pa.Array) -> pa.Array:
    """``column`` as text cells, the way ``creditstd validate`` reads a JSON Lines export
    (:func:`creditstd.sources.jsonl.cell_text`), so a Parquet or JSON column typed by the engine gets the
    verdict the same value gets from the command line.

    * text as it is (``large_string`` and ``string_view`` as ``string``); null stays null;
    * integers as decimal digits; floating-point numbers as their JSON text (``2000.0``, ``0.5``,
      ``1e+20``: Python's shortest round-trip form); booleans ``true`` / ``false``;
    * decimals with their scale (``2000.00``), dates ``YYYY-MM-DD``, timestamps and times in Arrow's ISO form
      (``2024-03-15 08:00:00.000000``; not a date, so a date field rejects them);
    * a list of strings: its items joined with ``；``; a list of structs (``responsible_persons``), of other
      values or of items holding a separator: its JSON text, as the array decoder reads it back
      (:func:`~creditstd.records.decode.array_cell`); a struct or map: its JSON;
    * within those JSON texts, as Spark's ``to_json`` writes them: a struct's null fields are left out (a
      Parquet or Spark struct has every field, null where the record has none, and the catalogue takes an
      absent field, not a null one), in structs within lists, structs and maps too; a map is an object, its
      null values kept; a null item of a list stays ``null`` (it is the data's own);
    * bytes: decoded as UTF-8, a malformed sequence replaced by U+FFFD.

    >>> import datetime, decimal
    >>> [text_column(pa.array(values)).to_pylist() for values in (
    ...     [2000.0, 0.5, None], [12, None], [True, False], [['警告', '罚款'], None],
    ...     [datetime.date(2024, 3, 15)], [decimal.Decimal('2000.00')], [{'k': 1}], [b'\\xe7\\xbd\\x9a'],
    ...     [[{'name': '张三'}]])]
    ... # doctest: +NORMALIZE_WHITESPACE
    [['2000.0', '0.5', None], ['12', None], ['true', 'false'], ['警告；罚款', None], ['2024-03-15'],
     ['2000.00'], ['{"k": 1}'], ['罚'], ['[{"name": "张三"}]']]

    A list of structs as Parquet and Spark give it, every field present, null where absent:

    >>> persons = pa.array([[{'name': '张三', 'position': None, 'id_number': None}, None],
    ...                     [{'name': '李四', 'position': '局长', 'id_number': None}], None])
    >>> text_column(persons).to_pylist()
    ['[{"name": "张三"}, null]', '[{"name": "李四", "position": "局长"}]', None]
    """
    kind = column.type
    if pa.types.is_string(kind):
        return column
    if pa.types.is_dictionary(kind):
        return text_column(column.dictionary_decode())
    if pa.types.is_null(kind):
        return pa.nulls(len(column), pa.string())
    if (pa.types.is_large_string(kind) or getattr(pa.types, "is_string_view", lambda _: False)(kind)
            or pa.types.is_integer(kind) or pa.types.is_boolean(kind) or pa.types.is_decimal(kind)
            or pa.types.is_temporal(kind)):
        return pc.cast(column, pa.string())
    if pa.types.is_floating(kind):
        return _by_distinct(column, lambda value: json.dumps(float(value)))
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
        return _by_distinct(column, lambda value: bytes(value).decode("utf-8", "replace"))
    # Nested values: Arrow has no kernel to find their distinct values, so each row is converted (one pass).
    plain = _plain(kind)
    if plain is None:
        return pa.array([None if value is None else _json_cell(value) for value in column.to_pylist()],
                        pa.string())
    return pa.array([None if value is None else _json_cell(plain(value)) for value in column.to_pylist()],
                    pa.string())


def text_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Every column of ``batch`` as text (:func:`text_column`)."""
    return pa.RecordBatch.from_arrays([text_column(column) for column in batch.columns], names=batch.schema.names)


# -- the batch function --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _mapping(class_name: str, headers: tuple[str, ...]) -> HeaderMapping:
    return resolve_headers(class_name, headers)


def _finding_arrays(findings: Sequence[Finding]) -> list[pa.Array]:
    """The findings' :data:`ERRORS_COLUMNS`, one Arrow array each (typed as in :data:`FINDING_TYPE`)."""
    return [pa.array([getattr(item, spec.name) for item in findings], spec.type) for spec in FINDING_TYPE]


def _findings_column(rows: int, result_rows: np.ndarray, findings: Sequence[Finding]) -> pa.Array:
    """Per row, the list of its findings (:data:`FINDING_TYPE`); empty for a row without any."""
    order = np.argsort(result_rows, kind="stable")
    ordered = [findings[index] for index in order.tolist()]
    counts = np.bincount(result_rows, minlength=rows) if len(result_rows) else np.zeros(rows, np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    values = pa.StructArray.from_arrays(_finding_arrays(ordered), fields=list(FINDING_TYPE))
    return pa.ListArray.from_arrays(pa.array(offsets), values, type=_FINDINGS_TYPE)


@dataclass(frozen=True)
class BatchValidator:
    """The batch function: a :class:`~creditstd.records.plan.Plan` and whether values are shown unmasked.

    Plain, picklable data (it travels to Spark executors and Dask workers as is); calling it on an Arrow
    record batch or table whose columns are named as an export's headers returns the same rows with
    :data:`VALID_COLUMN` and :data:`ERRORS_COLUMN` added.  Each batch is judged on its own: repeated records
    across batches are what :func:`validate_arrow_batches` and :func:`validate_dataframe` look for.
    """

    plan: Plan
    show_pii: bool = False
    #: A column that identifies rows (a row id, a line number), not a cell of the record: not looked at when
    #: telling a blank row.
    row_id: str | None = None

    def mapping(self, headers: Sequence[str]) -> HeaderMapping:
        """How ``headers`` map to the class's fields (cached per tuple of names)."""
        return _mapping(self.plan.class_name, tuple(headers))

    def _texts(self, batch: pa.RecordBatch) -> tuple[pa.RecordBatch, HeaderMapping]:
        """The columns of ``batch`` that name a field, as text (:func:`text_column`), and how they map."""
        mapping = self.mapping(batch.schema.names)
        named = [index for index, name in enumerate(batch.schema.names) if mapping.fields.get(name) is not None]
        return text_batch(batch.select(named)), mapping

    def keyed(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """The columns of ``batch`` that name a field, as text, renamed to their keys (a field's second
        spelling filling the first's empty cells: :func:`~creditstd.records.plan.keyed_batch`)."""
        texts, mapping = self._texts(batch)
        return keyed_batch(texts, mapping.fields)

    def check(self, batch: pa.RecordBatch) -> tuple[pa.RecordBatch, TableResult]:
        """``batch``'s keyed text columns and the core's verdict on them (a row whose columns naming one field
        disagree rejected, as ``creditstd validate`` rejects it)."""
        texts, mapping = self._texts(batch)
        keyed = keyed_batch(texts, mapping.fields)
        result = validate_table(self.plan, keyed, show_pii=self.show_pii)
        if mapping.duplicate:
            result = result.with_values(self.plan, spelling_conflicts(self.plan, texts, mapping.fields),
                                        show_pii=self.show_pii)
        return keyed, result

    def blank(self, batch: pa.RecordBatch) -> np.ndarray:
        """The rows of ``batch`` whose cells are all empty or white space (:func:`~creditstd.arrow_text.blank_rows`,
        the row id aside): no record, as ``creditstd validate`` skips such a row of a file."""
        cells = [index for index, name in enumerate(batch.schema.names) if name != self.row_id]
        return blank_rows(text_batch(batch.select(cells))) if cells else np.zeros(batch.num_rows, bool)

    def annotate(self, batch: pa.RecordBatch, valid: np.ndarray, rows: np.ndarray,
                 findings: Sequence[Finding]) -> pa.RecordBatch:
        """``batch`` with the verdicts and the findings (each of row ``rows[i]``) added as columns; a blank
        row's verdict is null and it has no findings: it is no record (:meth:`blank`)."""
        blank = self.blank(batch)
        if blank.any():
            kept = ~blank[np.asarray(rows, np.int64)]
            rows = np.asarray(rows, np.int64)[kept]
            findings = [finding for finding, keep in zip(findings, kept.tolist(), strict=True) if keep]
        return pa.RecordBatch.from_arrays(
            [*batch.columns, pa.array(valid, pa.bool_(), mask=blank),
             _findings_column(batch.num_rows, rows, findings)],
            names=[*batch.schema.names, VALID_COLUMN, ERRORS_COLUMN])

    def __call__(self, data: _Data) -> _Data:
        """``data`` (a record batch or a table) with :data:`VALID_COLUMN` and :data:`ERRORS_COLUMN` added."""
        if isinstance(data, pa.Table):
            batches = data.to_batches() or [pa.RecordBatch.from_pylist([], schema=data.schema)]
            return pa.Table.from_batches([self(batch) for batch in batches])
        _, result = self.check(data)
        return self.annotate(data, result.valid, result.rows, result.findings)


def validate_batch_function(cls: str, *, strict: bool = False, today: date | None = None,
                            show_pii: bool = False) -> BatchValidator:
    """The batch function for class ``cls`` (:class:`BatchValidator`), its checks compiled now.

    ``strict`` and ``today`` as for :func:`~creditstd.records.plan.compile_plan`; ``show_pii`` shows the values
    of personal fields unmasked in the findings.  Raises :class:`~creditstd.exceptions.CatalogueError` for an
    unknown class.
    """
    return BatchValidator(compile_plan(cls, strict=strict, today=today), show_pii)


def validate_arrow_batches(batches: Iterable[pa.RecordBatch], cls: str, *, strict: bool = False,
                           today: date | None = None, show_pii: bool = False,
                           duplicates: bool = True) -> Iterator[pa.RecordBatch]:
    """Each of ``batches`` with :data:`VALID_COLUMN` and :data:`ERRORS_COLUMN` added, in order.

    As ``creditstd validate`` reads a file: with ``duplicates`` a row whose identity an earlier row of the
    stream that passed had is rejected too (``record.duplicate``, naming the earlier one by its record number,
    counted from 1 over the whole stream), which needs the batches of one stream in order, in one process.
    """
    check = validate_batch_function(cls, strict=strict, today=today, show_pii=show_pii)
    keys = DuplicateKeys(check.plan.class_name, show_pii=show_pii) if duplicates else None
    seen = 0
    for batch in batches:
        keyed, result = check.check(batch)
        if keys is not None:
            result = result.with_duplicates(keys.check(keyed, first_record=seen + 1, valid=result.valid))
        seen += batch.num_rows
        yield check.annotate(batch, result.valid, result.rows, result.findings)


def errors_table(checked: pa.RecordBatch | pa.Table, row_id: str | None = None) -> pa.Table:
    """One row per finding of a checked batch or table: the row's id, then :data:`ERRORS_COLUMNS`.

    The id is the column ``row_id`` of ``checked``, or else ``_row``, the row's 0-based position.
    """
    table = checked if isinstance(checked, pa.Table) else pa.Table.from_batches([checked])
    errors = table.column(ERRORS_COLUMN).combine_chunks()
    parents = pc.list_parent_indices(errors)
    ids = (table.column(row_id).take(parents) if row_id is not None
           else pa.array(parents, pa.int64()))
    flat = pc.list_flatten(errors)
    return pa.Table.from_arrays([ids, *(flat.field(name) for name in ERRORS_COLUMNS)],
                                names=[row_id or "_row", *ERRORS_COLUMNS])


# -- Spark -----------------------------------------------------------------------------------------------------------


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _spark_findings_type() -> Any:
    from pyspark.sql.types import ArrayType, IntegerType, StringType, StructField, StructType

    return ArrayType(StructType([StructField(name, IntegerType() if name == "position" else StringType())
                                 for name in ERRORS_COLUMNS]), containsNull=False)


def _spark_errors_schema(id_field: Any) -> Any:
    from pyspark.sql.types import StructType

    return StructType([id_field, *_spark_findings_type().elementType.fields])


@dataclass(frozen=True)
class _Named:
    """A ``mapInArrow`` function run over a DataFrame whose columns were renamed to their positions
    (:func:`_map_in_arrow`): each batch gets the DataFrame's own names back before ``function`` sees it."""

    function: Callable[[Iterable[pa.RecordBatch]], Iterator[pa.RecordBatch]]
    names: tuple[str, ...]

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return self.function(pa.RecordBatch.from_arrays(batch.columns, names=list(self.names)) for batch in batches)


def _map_in_arrow(df: Any, function: Callable[[Iterable[pa.RecordBatch]], Iterator[pa.RecordBatch]],
                  schema: Any) -> Any:
    """``df.mapInArrow(function, schema)`` for any column names: PySpark's ``mapInArrow`` cannot resolve a
    column whose name holds a dot (``备注.1``, as Spark's CSV reader names a repeated header), so the columns
    go in named by position and ``function`` sees them under their own names."""
    names = tuple(df.columns)
    return df.toDF(*(f"_c{index}" for index in range(len(names)))).mapInArrow(_Named(function, names), schema)


@dataclass(frozen=True)
class _SparkCheck:
    """What ``mapInArrow`` runs: the batch function over a partition's batches (picklable)."""

    check: BatchValidator

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield self.check(batch)


@dataclass(frozen=True)
class _SparkKeys:
    """The identity key of each row (null: none), from the row id and the identity columns."""

    check: BatchValidator
    id_name: str

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            keys, has_key = identity_keys(self.check.plan.class_name, self.check.keyed(batch))
            keys = pc.if_else(pa.array(has_key), keys.cast(pa.string()), pa.scalar(None, pa.string()))
            yield pa.RecordBatch.from_arrays([batch.column(self.id_name), keys], names=[self.id_name, _KEY])


@dataclass(frozen=True)
class _SparkDuplicates:
    """The ``record.duplicate`` finding of each row given with the row id of its first occurrence.

    The finding's value is the library's own (:class:`~creditstd.records.duplicates.DuplicateKeys`, the key as
    the row spells it, masked); its message names the first occurrence by row id instead of by line.
    """

    check: BatchValidator
    id_name: str

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        cls = record_class(self.check.plan.class_name)
        names_zh = "、".join(cls.fields[key].zh for key in cls.identity)
        names_en = ", ".join(cls.identity)
        for batch in batches:
            rows = batch.num_rows
            keyed = self.check.keyed(batch)
            # the rows twice: the first copy makes each key known, so every row of the second is its duplicate
            twice = pa.concat_batches([keyed, keyed])
            found = DuplicateKeys(cls.name, show_pii=self.check.show_pii).check(
                twice, lines=np.arange(1, 2 * rows + 1, dtype=np.int64))
            firsts = batch.column(_FIRST).to_pylist()
            made: list[Finding] = []
            at: list[int] = []
            for row, item in zip(found.rows.tolist(), found.findings, strict=True):
                if row < rows:
                    continue
                first = firsts[row - rows]
                made.append(finding("record.duplicate", path=item.path, field=item.field, field_code=item.field_code,
                                    value=item.value, first_zh=f"行标识为{first}", first_en=f"row id {first}",
                                    fields_zh=names_zh, fields_en=names_en))
                at.append(row - rows)
            ids = batch.column(self.id_name).take(pa.array(at, pa.int64()))
            yield pa.RecordBatch.from_arrays([ids, *_finding_arrays(made)], names=[self.id_name, *ERRORS_COLUMNS])


@dataclass(frozen=True)
class SparkValidation:
    """What :func:`validate_dataframe` returns; it unpacks as ``valid_df, errors_df``.

    ``valid``: the valid rows, the input's columns (with ``row_id`` when it was given); ``errors``: one row per
    finding (the row id, then :data:`ERRORS_COLUMNS`); ``rejected``: the rows with at least one finding, the
    input's columns and the row id; ``checked``: every row after the one validation pass, the input's columns,
    the row id, :data:`VALID_COLUMN` and :data:`ERRORS_COLUMN` (repeated records not yet flagged): the others
    are made from it, so ``checked.persist(StorageLevel.DISK_ONLY)`` before writing several of them runs the
    pass once (in memory, a partition is unrolled on the heap whole: large inputs need the disk);
    ``mapping``: how the column names map to fields (unknown ones included); ``row_id``: the name of the row
    id column in ``errors`` and ``rejected``; ``blank``: the rows whose cells are all empty or white space
    (the row id aside), which are no records, as ``creditstd validate`` skips such rows of a file: every row
    is in ``valid``, ``rejected`` or ``blank`` (their :data:`VALID_COLUMN` in ``checked`` is null).
    """

    valid: DataFrame
    errors: DataFrame
    rejected: DataFrame
    checked: DataFrame
    mapping: HeaderMapping
    plan: Plan
    row_id: str
    blank: DataFrame

    def __iter__(self) -> Iterator[DataFrame]:
        return iter((self.valid, self.errors))


def validate_dataframe(df: DataFrame, cls: str | None = None, *, strict: bool = False, today: date | None = None,
                       show_pii: bool = False, row_id: str | None = None, duplicates: bool = True) -> SparkValidation:
    """Check every row of the Spark DataFrame ``df`` against class ``cls`` as ``creditstd validate`` does.

    ``cls`` None: the class whose fields the column names name most often
    (:func:`~creditstd.records.decode.infer_class`).  ``row_id``: a column of ``df`` that identifies each row
    uniquely (a line number, a record id); by default ``_row_id`` is added, ``monotonically_increasing_id()``,
    stable when ``df`` is read from files (its partitioning is then deterministic).  ``duplicates``: reject a
    row whose identity fields an earlier row (a smaller row id) had, as the command line does, but for one
    case: here the earliest row claims its identity even when it is rejected for another reason, where the
    command (and :func:`validate_arrow_batches`) keeps a later copy that passes, since repeats are found
    before any row is checked; this costs a narrow pass over the identity columns and one shuffle of (row
    id, key) pairs; ``False`` keeps the job shuffle-free.  Nothing is computed until an action runs on a
    result; ``valid`` and ``errors`` come from the same pass but each action re-runs it: ``persist()`` the
    result's ``checked`` to run it once.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F  # noqa: N812  (PySpark's own convention)
    from pyspark.sql.types import BooleanType, StructField, StructType

    columns = list(df.columns)
    plan = compile_plan(cls or infer_class(columns).name, strict=strict, today=today)
    check = BatchValidator(plan, show_pii, row_id=ROW_ID if row_id is None else row_id)
    mapping = check.mapping(columns)
    reserved = {VALID_COLUMN, ERRORS_COLUMN, _KEY, _FIRST} | ({ROW_ID} if row_id is None else set())
    if clash := sorted(reserved & set(columns)):
        raise ValueError(bilingual(f"列名与校验结果列重名：{', '.join(clash)}",
                                   f"columns named like the result columns: {', '.join(clash)}"))
    if row_id is None:
        id_name, base = ROW_ID, df.withColumn(ROW_ID, F.monotonically_increasing_id())
    elif row_id in columns:
        id_name, base = row_id, df
    else:
        raise ValueError(bilingual(f"没有名为 {row_id} 的列", f"no column named {row_id}"))
    unchecked = [_shown_header(name, columns, show_pii) for name in mapping.unknown if name != row_id]
    if unchecked:
        warnings.warn(UnknownColumnsWarning(bilingual(
            f"以下列不对应“{record_class(plan.class_name).zh}”的字段，原样保留、不作校验：{'、'.join(unchecked)}",
            f"columns naming no field of {plan.class_name} are kept unchecked: {', '.join(unchecked)}")),
            stacklevel=2)
    id_field = base.schema[id_name]

    checked_schema = StructType([*base.schema.fields, StructField(VALID_COLUMN, BooleanType(), True),
                                 StructField(ERRORS_COLUMN, _spark_findings_type(), False)])
    checked = passed = _map_in_arrow(base, _SparkCheck(check), checked_schema)
    rejected_flag = ~F.col(VALID_COLUMN)
    errors = (checked.where(rejected_flag).select(F.col(_quoted(id_name)), F.explode(ERRORS_COLUMN).alias("_f"))
              .select(_quoted(id_name), *(F.col(f"_f.{name}").alias(name) for name in ERRORS_COLUMNS)))
    if duplicates:
        identity = {key for key in record_class(plan.class_name).identity}
        headers = [header for header, key in mapping.fields.items() if key in identity]
        keys = _map_in_arrow(base.select(_quoted(id_name), *(_quoted(header) for header in headers)),
                             _SparkKeys(check, id_name), StructType([id_field, StructField(_KEY, _string())])
                             ).where(F.col(_KEY).isNotNull())
        repeats = (keys.withColumn(_FIRST, F.min(_quoted(id_name)).over(Window.partitionBy(_KEY)))
                   .where(F.col(_quoted(id_name)) != F.col(_FIRST)).select(_quoted(id_name), _FIRST))
        checked = checked.join(F.broadcast(repeats), on=id_name, how="left")
        rejected_flag = rejected_flag | F.col(_FIRST).isNotNull()
        duplicate_errors = _map_in_arrow(
            base.select(_quoted(id_name), *(_quoted(header) for header in headers))
            .join(F.broadcast(repeats), on=id_name, how="inner"),
            _SparkDuplicates(check, id_name), _spark_errors_schema(id_field))
        errors = errors.unionByName(duplicate_errors)
    result_columns = [_quoted(name) for name in base.columns]
    valid = checked.where(~rejected_flag).select(*(_quoted(name) for name in columns))
    rejected = checked.where(rejected_flag).select(*result_columns)
    blank = checked.where(F.col(VALID_COLUMN).isNull()).select(*result_columns)
    return SparkValidation(valid, errors, rejected, passed, mapping, plan, id_name, blank)


def _shown_header(name: str, headers: Sequence[str], show_pii: bool) -> str:
    """A column name as a warning may show it: as the command line's report shows a header, an ID number in it
    masked, and each name masked as a person's is when the header row is a record (a file read with
    ``header=True`` that has none), unless ``show_pii``."""
    if show_pii:
        return name
    return mask_person_name(redact(name)) if looks_like_data(headers) else redact(name)


def _string() -> Any:
    from pyspark.sql.types import StringType

    return StringType()


# -- column helpers ---------------------------------------------------------------------------------------------------


def _texts(values: Any) -> pa.Array:
    """A pandas Series of cells as an Arrow string array (missing values null)."""
    array = pa.array(values, from_pandas=True)
    return array if pa.types.is_string(array.type) else text_column(array)


@functools.cache
def _identifier_udf(kind: str, strict: bool) -> Any:
    import pandas as pd
    from pyspark.sql.functions import pandas_udf

    def valid(values: pd.Series) -> pd.Series:
        texts = _texts(values)
        verdicts = np.asarray(validate_batch(texts, kind, strict=strict).valid.to_numpy(zero_copy_only=False), bool)
        result = pd.array(verdicts, dtype="boolean")
        result[np.asarray(texts.is_null().to_numpy(zero_copy_only=False), bool)] = pd.NA
        return pd.Series(result, index=values.index)

    valid.__annotations__ = {"values": pd.Series, "return": pd.Series}  # PySpark reads the UDF's kind from them
    return pandas_udf(valid, "boolean")


@functools.cache
def _mask_udf() -> Any:
    import pandas as pd
    from pyspark.sql.functions import pandas_udf

    def masked(values: pd.Series) -> pd.Series:
        return pd.Series(_by_distinct(_texts(values), ric.mask).to_pylist(), index=values.index, dtype=object)

    masked.__annotations__ = {"values": pd.Series, "return": pd.Series}
    return pandas_udf(masked, "string")


def _column(column: Column | str) -> Column:
    from pyspark.sql import functions as F  # noqa: N812

    return (F.col(_quoted(column)) if isinstance(column, str) else column).cast("string")


def uscc_valid(column: Column | str, *, strict: bool = False) -> Column:
    """A Spark column: whether each cell is a valid unified social credit code (null for null), as
    :func:`creditstd.uscc.is_valid` decides, through :func:`creditstd.codes.batch.validate_batch`."""
    return _identifier_udf("uscc", strict)(_column(column))


def ric_valid(column: Column | str, *, strict: bool = False) -> Column:
    """A Spark column: whether each cell is a valid citizen ID number or residence permit (null for null), as
    :func:`creditstd.ric.is_valid` decides, through :func:`creditstd.codes.batch.validate_batch`."""
    return _identifier_udf("ric", strict)(_column(column))


def mask_id(column: Column | str) -> Column:
    """A Spark column: each cell in its publication form (:func:`creditstd.ric.mask`: the first 6 and the last
    4 characters kept, 3 of a 15-digit number), null for null."""
    return _mask_udf()(_column(column))


# -- converting at scale -----------------------------------------------------------------------------------------------


#: A part folder of a Spark conversion: ``part-`` and the partition (DataFrame) or file (files) number.
PART_NAME = "part-{:05d}"
#: The columns of a Spark conversion's rejects: the row id, the part, the row's place, then :data:`ERRORS_COLUMNS`.
REJECT_COLUMNS = ("part", "record", "file", "line", *ERRORS_COLUMNS)
#: Row ids as ``monotonically_increasing_id`` makes them: the partition (or file) number above these bits.
_ROW_BITS = 33
_KIND, _POSITION = "_kind", "_position"
#: The accounting of each partition, in the output of the conversion pass.
_PART_COLUMNS = (("folder", pa.string()), ("rows_in", pa.int64()), ("records_out", pa.int64()),
                 ("rejected", pa.int64()), ("sha256", pa.string()), ("manifest_sha256", pa.string()))
_OUTPUT = pa.schema([(_KIND, pa.string()), (ROW_ID, pa.int64()), ("part", pa.int32()), (_POSITION, pa.int64()),
                     ("file", pa.string()), ("line", pa.int64()), ("record", pa.int64()), *FINDING_TYPE,
                     *_PART_COLUMNS])
_KEYS = pa.schema([(ROW_ID, pa.int64()), (_KEY, pa.string())])
#: The identity key of a valid row whose identity fields are all empty (their record ids are all one id).
_NO_KEY = "\x00"


@functools.lru_cache(maxsize=16)
def _spec(text: str, file: str) -> MappingSpec:
    """A mapping compiled once per process from its text (a compiled mapping holds closures: the text travels)."""
    from creditstd.convert.mapping import parse_mapping

    return parse_mapping(text, file)


def _load_spec(mapping: MappingSpec | str) -> MappingSpec:
    """``mapping`` itself, or the built-in mapping or mapping file it names."""
    from creditstd.convert import MappingSpec, load_mapping
    from creditstd.convert.builtin import is_builtin, load_builtin

    if isinstance(mapping, MappingSpec):
        return mapping
    return load_builtin(mapping) if is_builtin(mapping) else load_mapping(mapping)


def write_rows(writer: BatchWriter, plan: Plan, chunk: ConvertedChunk,
               rows: Sequence[int]) -> list[tuple[int, Finding]]:
    """Write the rows ``rows`` of ``chunk`` (converted text cells named by catalogue key, checked) to ``writer``,
    in order; the rows it refused (a record id it already has, a value a batch cannot carry), each with its
    finding, located at the row's line and record.  ``creditstd convert`` writes its rows the same way."""
    refused: list[tuple[int, Finding]] = []
    for row, error in writer.add_table(chunk.batch, list(rows)):
        where = Location(file=chunk.file, line=int(chunk.lines[row]), record=int(chunk.records[row]))
        refused.append((row, Finding.from_error(error, location=where)))
    return refused


@dataclass(frozen=True)
class _Rows:
    """Converted rows of one part with their verdicts: the chunk, each row's id, and the merged findings."""

    chunk: ConvertedChunk
    ids: np.ndarray
    valid: np.ndarray
    findings: list[Finding]
    rows: list[int]


@dataclass(frozen=True)
class _Converter:
    """What each Spark task runs to convert: the mapping (its text: compiled once per worker), the columns it
    reads, the plan, and the batch's particulars.  Plain, picklable data.

    ``source`` is ``frame`` (the task's input is a DataFrame partition: one part per partition) or ``files``
    (its input is rows of file number and path: one part per file, read with
    :func:`~creditstd.convert.engine.convert_source`)."""

    mapping_text: str
    mapping_file: str
    source: str
    columns: tuple[str | None, ...]
    plan: Plan
    show_pii: bool = False
    out_dir: str = ""
    department: str = ""
    department_uscc: str = ""
    rule_set: str | None = None
    on: date | None = None
    created: Any = None
    #: A Spark broadcast of (sorted row ids of the repeated records, the row id of the first of each), or None.
    repeats: Any = None

    @property
    def spec(self) -> MappingSpec:
        return _spec(self.mapping_text, self.mapping_file)

    def _checked(self, chunk: ConvertedChunk, ids: np.ndarray) -> _Rows:
        result = validate_table(self.plan, chunk.batch, file=chunk.file, lines=chunk.lines, show_pii=self.show_pii)
        valid, findings, rows = combine_rows(chunk, result)
        return _Rows(chunk, ids, valid, findings, rows)

    def parts(self, batches: Iterable[pa.RecordBatch]) -> Iterator[tuple[int, str | None, Iterator[Any]]]:
        """Per part: its number, its file (files) and its items (:class:`_Rows`, or a row the reader could not
        read as ``(row id, RowProblem)``), in input order."""
        if self.source == "frame":
            from pyspark import TaskContext

            context = TaskContext.get()
            part = context.partitionId() if context is not None else 0
            yield part, None, self._frame_rows(part, batches)
            return
        for batch in batches:
            for number, path in zip(batch.column("number").to_pylist(), batch.column("path").to_pylist(),
                                    strict=True):
                yield number, path, self._file_rows(number, path)

    def _frame_rows(self, part: int, batches: Iterable[pa.RecordBatch]) -> Iterator[Any]:
        name = PART_NAME.format(part)
        seen = 0
        for batch in batches:
            blank = blank_rows(text_batch(batch))  # no record, as creditstd convert skips such a row of a file
            if blank.any():
                batch = batch.filter(pa.array(~blank))
            positions = np.arange(seen, seen + batch.num_rows, dtype=np.int64)
            seen += batch.num_rows
            chunk = convert_batch(self.spec, batch, self.columns, file=name, lines=positions + 1,
                                  records=positions + 1, show_pii=self.show_pii)
            yield self._checked(chunk, (np.int64(part) << _ROW_BITS) + positions)

    def _file_rows(self, number: int, path: str) -> Iterator[Any]:
        from creditstd.convert import convert_source

        base = np.int64(number) << _ROW_BITS
        unplaced = int(base) + (1 << (_ROW_BITS - 1))  # rows with no place among the records: the upper half
        for item in convert_source(self.spec, path):
            if isinstance(item, ConvertedChunk):
                yield self._checked(item, base + item.records - 1)
            elif item.record is None:  # an XML element off the record path
                yield unplaced, item
                unplaced += 1
            else:
                yield int(base + item.record - 1), item

    # -- the identity pass

    def keys(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """The row id and identity key of every valid row (the repeats are found from them)."""
        for _, _, items in self.parts(batches):
            for item in items:
                if not isinstance(item, _Rows):
                    continue
                good = np.flatnonzero(item.valid)
                if not len(good):
                    continue
                keys, has_key = identity_keys(self.plan.class_name, item.chunk.batch.take(pa.array(good)))
                keys = pc.if_else(pa.array(has_key), keys.cast(pa.string()), pa.scalar(_NO_KEY, pa.string()))
                yield pa.RecordBatch.from_arrays([pa.array(item.ids[good]), keys], schema=_KEYS)

    # -- the conversion pass

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        repeats = self.repeats.value if self.repeats is not None else None
        for part, path, items in self.parts(batches):
            yield from self._write_part(part, path, items, repeats)

    def _write_part(self, part: int, path: str | None, items: Iterator[Any],
                    repeats: tuple[np.ndarray, np.ndarray] | None) -> Iterator[pa.RecordBatch]:
        import os

        folder = os.path.join(self.out_dir, PART_NAME.format(part))
        shown = None if path is None else os.path.basename(path)
        if shown is not None and not self.show_pii:  # an ID number in a file name, as creditstd convert masks it
            shown = redact(shown)
        writer = BatchWriter(folder, self.plan.class_name, department=self.department,
                             department_uscc=self.department_uscc, rule_set=self.rule_set, on=self.on,
                             validate=False, strict=self.plan.strict, created=self.created)
        rows_in = rejected = 0
        written = True
        try:
            with writer:
                for item in items:
                    if not isinstance(item, _Rows):
                        row_id, problem = item
                        rows_in += 1
                        rejected += 1
                        yield _rejects_batch(part, [(row_id, row_id & ((1 << _ROW_BITS) - 1), shown, problem.line,
                                                     problem.record, problem.finding())])
                        continue
                    rows_in += len(item.chunk)
                    found = self._write_chunk(writer, item, repeats)
                    rejected += int((~item.valid).sum())
                    if found:
                        chunk = item.chunk
                        yield _rejects_batch(part, [
                            (int(item.ids[row]), int(chunk.records[row]) - 1, shown,
                             None if path is None else int(chunk.lines[row]),
                             None if path is None else int(chunk.records[row]), each) for row, each in found])
                writer.account(rows_in=rows_in, rejected=rejected)
        except CatalogueError as error:
            if error.code != "exchange.empty":
                raise
            written = False  # no row survived: no folder, as creditstd convert writes no batch
        digest = manifest_digest = None
        if written:
            assert writer.manifest is not None
            digest = writer.manifest["records"]["sha256"]
            with open(os.path.join(folder, "manifest.json"), "rb") as stream:
                manifest_digest = hashlib.sha256(stream.read()).hexdigest()
        yield _part_batch(part, shown, os.path.basename(folder) if written else None, rows_in,
                          writer.count if written else 0, rejected, digest, manifest_digest)

    def _write_chunk(self, writer: BatchWriter, item: _Rows,
                     repeats: tuple[np.ndarray, np.ndarray] | None) -> list[tuple[int, Finding]]:
        """Write the valid rows of ``item`` (less the repeats found across the run); mark the rows refused
        invalid; the findings of every rejected row, by row, in order."""
        chunk, valid, findings, rows = item.chunk, item.valid, item.findings, item.rows
        if repeats is not None and len(repeats[0]):
            ids, firsts = repeats
            at = np.searchsorted(ids, item.ids)
            inside = at < len(ids)
            repeated = np.flatnonzero(valid & inside & (ids[np.minimum(at, len(ids) - 1)] == item.ids))
            for row in repeated.tolist():
                first = int(firsts[at[row]])
                valid[row] = False
                findings.append(Finding(
                    "exchange.duplicate_id",
                    f"记录标识重复：与行标识为{first}的记录标识字段相同（保留先出现的一条）",
                    f"duplicate record id: the record at row id {first} has the same identity fields (the first "
                    f"is kept)", "$.record_id",
                    location=Location(file=chunk.file, line=int(chunk.lines[row]), record=int(chunk.records[row]))))
                rows.append(row)
        good = np.flatnonzero(valid)
        if len(good):
            for row, refusal in write_rows(writer, self.plan, chunk, good.tolist()):
                valid[row] = False
                findings.append(refusal)
                rows.append(row)
        order = sorted(range(len(rows)), key=lambda index: rows[index])
        return [(rows[index], findings[index]) for index in order if not valid[rows[index]]]


def _rejects_batch(part: int, found: Sequence[tuple[int, int, str | None, int | None, int | None, Finding]]
                   ) -> pa.RecordBatch:
    """Rows of the conversion pass's output, one per finding of a rejected row: (row id, position in the part,
    file, line, record, finding)."""
    count = len(found)
    findings = [item[5] for item in found]
    nothing = pa.nulls(count)
    columns = [pa.array(["reject"] * count, pa.string()), pa.array([item[0] for item in found], pa.int64()),
               pa.array([part] * count, pa.int32()), pa.array([item[1] for item in found], pa.int64()),
               pa.array([item[2] for item in found], pa.string()), pa.array([item[3] for item in found], pa.int64()),
               pa.array([item[4] for item in found], pa.int64()), *_finding_arrays(findings),
               *(nothing.cast(kind) for _, kind in _PART_COLUMNS)]
    return pa.RecordBatch.from_arrays(columns, schema=_OUTPUT)


def _part_batch(part: int, file: str | None, folder: str | None, rows_in: int, records_out: int, rejected: int,
                digest: str | None, manifest_digest: str | None) -> pa.RecordBatch:
    """The row of the conversion pass's output that holds one part's accounting."""
    values: dict[str, Any] = {_KIND: "part", "part": part, "file": file, "folder": folder, "rows_in": rows_in,
                              "records_out": records_out, "rejected": rejected, "sha256": digest,
                              "manifest_sha256": manifest_digest}
    return pa.RecordBatch.from_arrays([pa.array([values.get(spec.name)], spec.type) for spec in _OUTPUT],
                                      schema=_OUTPUT)


@dataclass(frozen=True)
class _KeyPass:
    """What ``mapInArrow`` runs in the identity pass (picklable)."""

    converter: _Converter

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return self.converter.keys(batches)


@dataclass(frozen=True)
class SparkConversion:
    """What :func:`convert_dataframe` and :func:`convert_files` return.

    ``summary``: the summary manifest written as ``out_dir/summary.json`` (None when no row survived: then
    nothing was written); ``parts``: per partition (or file), in order, its ``part`` number, ``file``,
    ``folder`` (None: no row of it survived, no batch written), ``rows_in``, ``records_out``, ``rejected``,
    ``sha256`` (its records) and ``manifest_sha256``; ``rejects``: one row per finding of a rejected row
    (the row id, :data:`REJECT_COLUMNS`), persisted on disk by the run (``unpersist()`` frees it);
    ``repeats``: the rows rejected as repeats of an earlier row found by the identity pass; ``timings``: wall
    seconds of the ``identity_pass`` (with ``duplicates``) and of the ``conversion_pass`` (writing every part).
    """

    out_dir: str
    summary: dict[str, Any] | None
    parts: tuple[dict[str, Any], ...]
    rejects: DataFrame
    repeats: int
    timings: dict[str, float] = dataclasses.field(default_factory=dict)
    _output: Any = None

    @property
    def rows_in(self) -> int:
        return sum(part["rows_in"] for part in self.parts)

    @property
    def records_out(self) -> int:
        return sum(part["records_out"] for part in self.parts)

    @property
    def rejected(self) -> int:
        return sum(part["rejected"] for part in self.parts)

    def unpersist(self) -> None:
        """Free the run's output Spark keeps on disk (the rejects are then recomputed by converting again,
        which rewrites the parts with the same bytes)."""
        if self._output is not None:
            self._output.unpersist()


def _prepare(out_dir: str | os.PathLike[str]) -> tuple[Path, bool]:
    """The output folder, new or empty (created owner-only); whether it was created."""
    folder = Path(out_dir).resolve()
    if folder.exists():
        if not folder.is_dir() or any(folder.iterdir()):
            raise ValueError(bilingual(f"输出文件夹须为新的或空的：{folder}",
                                       f"the output folder must be new or empty: {folder}"))
        return folder, False
    folder.mkdir(parents=True, mode=0o700)
    os.chmod(folder, 0o700)
    return folder, True


def _clean(folder: Path, made: bool) -> None:
    """A run that failed leaves no part, no summary, and no folder it made."""
    for entry in folder.iterdir() if folder.is_dir() else ():
        if PART_FOLDER.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name == SUMMARY:
            entry.unlink(missing_ok=True)
    if made:
        with contextlib.suppress(OSError):
            folder.rmdir()


def _spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def _run(spark: Any, source: DataFrame, converter: _Converter, folder: Path, made: bool,
         duplicates: bool) -> SparkConversion:
    """The identity pass (if ``duplicates``), the conversion pass, the summary."""
    import time

    from pyspark import StorageLevel
    from pyspark.sql import functions as F  # noqa: N812

    output = None
    timings: dict[str, float] = {}
    started = time.perf_counter()
    try:
        repeats = 0
        if duplicates:
            keys = _map_in_arrow(source, _KeyPass(converter), _spark_schema(_KEYS))
            found = (keys.groupBy(_KEY).agg(F.min(ROW_ID).alias(_FIRST), F.count(F.lit(1)).alias("_n"),
                                            F.collect_list(ROW_ID).alias("_ids"))
                     .where(F.col("_n") > 1).select(F.explode("_ids").alias(ROW_ID), _FIRST)
                     .where(F.col(ROW_ID) != F.col(_FIRST)).collect())
            if found:
                pairs = np.array(sorted((row[ROW_ID], row[_FIRST]) for row in found), np.int64)
                converter = dataclasses.replace(converter, repeats=spark.sparkContext.broadcast(
                    (np.ascontiguousarray(pairs[:, 0]), np.ascontiguousarray(pairs[:, 1]))))
                repeats = len(pairs)
            timings["identity_pass"] = time.perf_counter() - started
            started = time.perf_counter()
        output = _map_in_arrow(source, converter, _spark_schema(_OUTPUT)).persist(StorageLevel.DISK_ONLY)
        rows = output.where(F.col(_KIND) == "part").drop(*ERRORS_COLUMNS).collect()
        parts = tuple(sorted(({"part": row["part"], "file": row["file"], "folder": row["folder"],
                               "rows_in": row["rows_in"], "records_out": row["records_out"],
                               "rejected": row["rejected"], "sha256": row["sha256"],
                               "manifest_sha256": row["manifest_sha256"]} for row in rows),
                             key=lambda part: part["part"]))
        timings["conversion_pass"] = time.perf_counter() - started
        rejects = output.where(F.col(_KIND) == "reject")
        if converter.source == "frame":  # the record's place in the DataFrame's order: the rows of earlier parts
            before, offsets = 0, {}
            for part in parts:
                offsets[part["part"]] = before
                before += part["rows_in"]
            offset = F.create_map(*(F.lit(value) for item in offsets.items() for value in item)) if offsets \
                else F.create_map(F.lit(0), F.lit(0))
            rejects = rejects.withColumn("record", offset[F.col("part")] + F.col(_POSITION) + 1)
        rejects = rejects.select(ROW_ID, *REJECT_COLUMNS)
        written = [part for part in parts if part["folder"] is not None]
        summary = None
        if written:
            entries = [{"folder": part["folder"], "records": part["records_out"], "sha256": part["sha256"],
                        "manifest_sha256": part["manifest_sha256"], "rows_in": part["rows_in"],
                        "rejected": part["rejected"]} for part in written]
            empty = [part for part in parts if part["folder"] is None]
            summary = write_summary(folder, entries, unwritten={
                "parts": len(empty), "rows_in": sum(part["rows_in"] for part in empty),
                "rejected": sum(part["rejected"] for part in empty)})
        elif made:
            folder.rmdir()  # nothing survived: nothing that could be mistaken for a batch
    except BaseException:
        if output is not None:
            output.unpersist()
        _clean(folder, made)
        raise
    return SparkConversion(str(folder), summary, parts, rejects, repeats, timings, output)


def _converter(spec: MappingSpec, source: str, columns: Sequence[str | None], folder: Path, *, department: str,
               department_uscc: str, on: date | None, strict: bool, rule_set: str | None,
               show_pii: bool) -> _Converter:
    """The task's data; the department, its USCC and the rule set checked now, before any task runs."""
    from creditstd.cli.convert import created_time

    day = on or date.today()
    plan = compile_plan(spec.class_name, strict=strict, today=day)
    check = BatchWriter(folder / PART_NAME.format(0), spec.class_name, department=department,
                        department_uscc=department_uscc, rule_set=rule_set, on=day)  # checks; writes nothing
    return _Converter(spec.text, spec.file, source, tuple(columns), plan, show_pii, str(folder), department,
                      check.department_uscc, rule_set, day, created_time(day))


def convert_dataframe(df: DataFrame, mapping: MappingSpec | str, out_dir: str | os.PathLike[str], *,
                      department: str, department_uscc: str, on: date | None = None, strict: bool = False,
                      rule_set: str | None = None, show_pii: bool = False,
                      duplicates: bool = True) -> SparkConversion:
    """Convert the rows of ``df`` with ``mapping`` (a :class:`~creditstd.convert.MappingSpec`, a built-in
    mapping's name or a mapping file) as ``creditstd convert`` converts a file, into one exchange batch per
    partition, ``out_dir/part-NNNNN/``, and ``out_dir/summary.json`` over them.

    ``df``: a CSV/TSV export read by Spark, every column as text (``header=True``, no ``inferSchema``; RFC 4180
    quoting needs ``escape='"'``), its columns named as the mapping's sources (resolved once, here, by
    :func:`~creditstd.convert.engine.resolve_columns`: a missing column raises
    :class:`~creditstd.convert.MappingError` before any task runs).  Each task applies
    :func:`~creditstd.convert.engine.convert_batch` to its partition's Arrow batches, checks them with
    :func:`~creditstd.records.plan.validate_table`, merges the verdicts (:func:`~creditstd.convert.combine_rows`)
    and writes the valid rows with :func:`write_rows` into its part (a :class:`BatchWriter`: atomic, owner-only,
    with its accounting; a partition of which no row survives writes no part).  ``out_dir`` must be new or empty
    and visible to the driver and every executor at the same path (a local folder in local mode, a shared file
    system on a cluster).  ``on``, ``strict``, ``rule_set``, ``show_pii``: as ``creditstd convert`` takes them
    (``created`` is the ``on`` day at 00:00:00+08:00, so a rerun writes the same bytes).

    ``duplicates``: a record whose id an earlier row of the DataFrame (a smaller row id: an earlier partition,
    or earlier in its partition) already gave is rejected (``exchange.duplicate_id``, naming that row), the first
    kept, wherever the two are.  This costs a first pass that converts and checks every row to compute the
    identity keys of the valid ones, and one shuffle of (row id, key) pairs; the repeats (usually few) are
    collected and broadcast.  ``False``: repeats are refused only within a partition.

    Row ids are ``monotonically_increasing_id``'s: the partition number times 2**33 plus the row's place in it.
    A reject's ``record`` is its 1-based place in the DataFrame's order.  Raises ValueError for a mapping of
    an XML export (use :func:`convert_files`), CatalogueError for a department, USCC or rule set a batch cannot
    carry.  A failed job leaves no part and no summary.
    """
    from creditstd.convert.engine import resolve_columns

    spec = _load_spec(mapping)
    if spec.source.format == "xml":
        raise ValueError(bilingual(f"映射 {spec.name} 读取XML：请用 convert_files 按文件转换",
                                   f"the mapping {spec.name} reads XML: convert its files with convert_files"))
    names = list(df.columns)
    headers = [name.lstrip("\ufeff") for name in names]
    chosen = resolve_columns(spec, headers, "DataFrame")
    columns = [None if header is None else names[headers.index(header)] for header in chosen]
    used = list(dict.fromkeys(name for name in columns if name is not None)) or names[:1]
    folder, made = _prepare(out_dir)
    try:
        converter = _converter(spec, "frame", columns, folder, department=department,
                               department_uscc=department_uscc, on=on, strict=strict, rule_set=rule_set,
                               show_pii=show_pii)
    except BaseException:
        _clean(folder, made)
        raise
    return _run(df.sparkSession, df.select(*(_quoted(name) for name in used)), converter, folder, made, duplicates)


def convert_files(spark: Any, paths: Iterable[str | os.PathLike[str]], mapping: MappingSpec | str,
                  out_dir: str | os.PathLike[str], *, department: str, department_uscc: str, on: date | None = None,
                  strict: bool = False, rule_set: str | None = None, show_pii: bool = False,
                  duplicates: bool = True) -> SparkConversion:
    """Convert export files with ``mapping`` in Spark tasks, one file per task and per part: each task reads its
    file with :func:`~creditstd.convert.engine.convert_source`, the reader of ``creditstd convert`` (for XML the
    safe reader: any DOCTYPE refused, no entities, bounded), and writes ``out_dir/part-NNNNN/`` (NNNNN the
    file's place in ``paths``, globs expanded) as :func:`convert_dataframe` writes a partition's.

    The files must be readable at the same path by every executor (a shared file system).  A file cannot be
    split: parallelism is the number of files.  A reject's ``file``, ``line`` and ``record`` are those of
    ``creditstd convert``'s rejects (the record's 1-based place in its file); row ids are the file's number
    times 2**33 plus the record's place (an XML element that looks like a record but is off the record path, a
    reject with no place: plus 2**32 plus its number among those).  A file that cannot be read (an XML DTD, a
    column the mapping names missing) fails the job, naming the file, and leaves no part and no summary.  Other
    parameters as for :func:`convert_dataframe`.
    """
    from creditstd.sources import expand_inputs

    spec = _load_spec(mapping)
    files = [os.path.abspath(path) for path in expand_inputs([os.fspath(path) for path in paths])]
    folder, made = _prepare(out_dir)
    try:
        converter = _converter(spec, "files", (), folder, department=department, department_uscc=department_uscc,
                               on=on, strict=strict, rule_set=rule_set, show_pii=show_pii)
        numbered = spark.sparkContext.parallelize(list(enumerate(files)), max(1, len(files)))
        source = spark.createDataFrame(numbered, "number int, path string")
    except BaseException:
        _clean(folder, made)
        raise
    return _run(spark, source, converter, folder, made, duplicates)
