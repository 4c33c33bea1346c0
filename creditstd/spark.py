"""The catalogue checks of ``creditstd validate`` inside Apache Spark, polars or Dask: same verdicts, same codes.

Where records sit by the hundred million in a data lake, the checks go to the
data: every engine that hands out Arrow record batches (Spark's
``mapInArrow``, polars' ``map_batches``, Dask's ``map_partitions``) calls the
one batch function of this module, which is the command line's own path:

1. the batch's column names are resolved to catalogue fields exactly as
   ``creditstd validate`` resolves a file's headers
   (:func:`~creditstd.records.decode.resolve_headers`: keys, Chinese names,
   national field codes, aliases) and renamed by
   :func:`~creditstd.records.plan.keyed_batch`; columns that name no field
   stay in the output untouched (and :func:`validate_dataframe` warns about
   them);
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

Importing this module does not import PySpark: the functions that need it
import it when called, so polars and Dask users need neither PySpark nor Java.
"""

from __future__ import annotations

import functools
import json
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from creditstd.codes import ric
from creditstd.codes.batch import validate_batch
from creditstd.exceptions import bilingual
from creditstd.findings import Finding, finding
from creditstd.records.decode import HeaderMapping, infer_class, resolve_headers
from creditstd.records.duplicates import DuplicateKeys, identity_keys
from creditstd.records.model import record_class
from creditstd.records.plan import Plan, TableResult, compile_plan, keyed_batch, validate_table
from creditstd.sources.jsonl import cell_text

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

__all__ = ["ERRORS_COLUMN", "ERRORS_COLUMNS", "FINDING_TYPE", "ROW_ID", "VALID_COLUMN", "BatchValidator",
           "SparkValidation", "UnknownColumnsWarning", "errors_table", "mask_id", "ric_valid", "text_batch",
           "text_column", "uscc_valid", "validate_arrow_batches", "validate_batch_function", "validate_dataframe"]

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
    except (TypeError, ValueError):  # a nested date or bytes: JSON has none, its str() stands in
        return json.dumps(value, ensure_ascii=False, default=str)


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
    * a list: its items joined with ``；`` (a string as it is, anything else as JSON); a struct or map: its JSON;
    * bytes: decoded as UTF-8, a malformed sequence replaced by U+FFFD.

    >>> import datetime, decimal
    >>> [text_column(pa.array(values)).to_pylist() for values in (
    ...     [2000.0, 0.5, None], [12, None], [True, False], [['警告', '罚款'], None],
    ...     [datetime.date(2024, 3, 15)], [decimal.Decimal('2000.00')], [{'k': 1}], [b'\\xe7\\xbd\\x9a'])]
    ... # doctest: +NORMALIZE_WHITESPACE
    [['2000.0', '0.5', None], ['12', None], ['true', 'false'], ['警告；罚款', None], ['2024-03-15'],
     ['2000.00'], ['{"k": 1}'], ['罚']]
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
    if pa.types.is_map(kind):
        return pa.array([None if pairs is None else _json_cell(dict(pairs)) for pairs in column.to_pylist()],
                        pa.string())
    return pa.array([None if value is None else _json_cell(value) for value in column.to_pylist()], pa.string())


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

    def mapping(self, headers: Sequence[str]) -> HeaderMapping:
        """How ``headers`` map to the class's fields (cached per tuple of names)."""
        return _mapping(self.plan.class_name, tuple(headers))

    def keyed(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """The columns of ``batch`` that name a field, renamed to their keys, as text."""
        return text_batch(keyed_batch(batch, self.mapping(batch.schema.names).fields))

    def check(self, batch: pa.RecordBatch) -> tuple[pa.RecordBatch, TableResult]:
        """``batch``'s keyed text columns and the core's verdict on them."""
        keyed = self.keyed(batch)
        return keyed, validate_table(self.plan, keyed, show_pii=self.show_pii)

    def annotate(self, batch: pa.RecordBatch, valid: np.ndarray, rows: np.ndarray,
                 findings: Sequence[Finding]) -> pa.RecordBatch:
        """``batch`` with the verdicts and the findings (each of row ``rows[i]``) added as columns."""
        return pa.RecordBatch.from_arrays(
            [*batch.columns, pa.array(valid, pa.bool_()), _findings_column(batch.num_rows, rows, findings)],
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
    stream had is rejected too (``record.duplicate``, naming the earlier one by its record number, counted
    from 1 over the whole stream), which needs the batches of one stream in order, in one process.
    """
    check = validate_batch_function(cls, strict=strict, today=today, show_pii=show_pii)
    keys = DuplicateKeys(check.plan.class_name, show_pii=show_pii) if duplicates else None
    seen = 0
    for batch in batches:
        keyed, result = check.check(batch)
        if keys is not None:
            result = result.with_duplicates(keys.check(keyed, first_record=seen + 1))
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
    id column in ``errors`` and ``rejected``.
    """

    valid: DataFrame
    errors: DataFrame
    rejected: DataFrame
    checked: DataFrame
    mapping: HeaderMapping
    plan: Plan
    row_id: str

    def __iter__(self) -> Iterator[DataFrame]:
        return iter((self.valid, self.errors))


def validate_dataframe(df: DataFrame, cls: str | None = None, *, strict: bool = False, today: date | None = None,
                       show_pii: bool = False, row_id: str | None = None, duplicates: bool = True) -> SparkValidation:
    """Check every row of the Spark DataFrame ``df`` against class ``cls`` as ``creditstd validate`` does.

    ``cls`` None: the class whose fields the column names name most often
    (:func:`~creditstd.records.decode.infer_class`).  ``row_id``: a column of ``df`` that identifies each row
    uniquely (a line number, a record id); by default ``_row_id`` is added, ``monotonically_increasing_id()``,
    stable when ``df`` is read from files (its partitioning is then deterministic).  ``duplicates``: reject a
    row whose identity fields an earlier row (a smaller row id) had, as the command line does; this costs a
    narrow pass over the identity columns and one shuffle of (row id, key) pairs; ``False`` keeps the job
    shuffle-free.  Nothing is computed until an action runs on a result; ``valid`` and ``errors`` come from
    the same pass but each action re-runs it: ``persist()`` the result's ``checked`` to run it once.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F  # noqa: N812  (PySpark's own convention)
    from pyspark.sql.types import BooleanType, StructField, StructType

    columns = list(df.columns)
    plan = compile_plan(cls or infer_class(columns).name, strict=strict, today=today)
    check = BatchValidator(plan, show_pii)
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
    unchecked = [name for name in (*mapping.unknown, *mapping.duplicate) if name != row_id]
    if unchecked:
        warnings.warn(UnknownColumnsWarning(bilingual(
            f"以下列不对应“{record_class(plan.class_name).zh}”的字段，原样保留、不作校验：{'、'.join(unchecked)}",
            f"columns naming no field of {plan.class_name} are kept unchecked: {', '.join(unchecked)}")),
            stacklevel=2)
    id_field = base.schema[id_name]

    checked_schema = StructType([*base.schema.fields, StructField(VALID_COLUMN, BooleanType(), False),
                                 StructField(ERRORS_COLUMN, _spark_findings_type(), False)])
    checked = passed = base.mapInArrow(_SparkCheck(check), checked_schema)
    rejected_flag = ~F.col(VALID_COLUMN)
    errors = (checked.where(rejected_flag).select(F.col(_quoted(id_name)), F.explode(ERRORS_COLUMN).alias("_f"))
              .select(_quoted(id_name), *(F.col(f"_f.{name}").alias(name) for name in ERRORS_COLUMNS)))
    if duplicates:
        identity = {key for key in record_class(plan.class_name).identity}
        headers = [header for header, key in mapping.fields.items() if key in identity]
        keys = (base.select(_quoted(id_name), *(_quoted(header) for header in headers))
                .mapInArrow(_SparkKeys(check, id_name),
                            StructType([id_field, StructField(_KEY, _string())]))
                .where(F.col(_KEY).isNotNull()))
        repeats = (keys.withColumn(_FIRST, F.min(_quoted(id_name)).over(Window.partitionBy(_KEY)))
                   .where(F.col(_quoted(id_name)) != F.col(_FIRST)).select(_quoted(id_name), _FIRST))
        checked = checked.join(F.broadcast(repeats), on=id_name, how="left")
        rejected_flag = rejected_flag | F.col(_FIRST).isNotNull()
        duplicate_errors = (base.select(_quoted(id_name), *(_quoted(header) for header in headers))
                            .join(F.broadcast(repeats), on=id_name, how="inner")
                            .mapInArrow(_SparkDuplicates(check, id_name), _spark_errors_schema(id_field)))
        errors = errors.unionByName(duplicate_errors)
    result_columns = [_quoted(name) for name in base.columns]
    valid = checked.where(~rejected_flag).select(*(_quoted(name) for name in columns))
    rejected = checked.where(rejected_flag).select(*result_columns)
    return SparkValidation(valid, errors, rejected, passed, mapping, plan, id_name)


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
