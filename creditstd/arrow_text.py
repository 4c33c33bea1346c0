"""The bytes behind an Arrow string column, for NumPy: its value offsets and its UTF-8 data, without a copy.

An Arrow ``string`` (or ``large_string``) array keeps every value's text in one data buffer and where each
value starts in an offsets buffer (``int32``, or ``int64`` for ``large_string``); a slice shares both and
starts ``array.offset`` values in.  The readers, the compiled core and the report's sketches all look at
values through these two buffers: byte lengths, first and last bytes, fixed-width matrices, hashes.

>>> import pyarrow as pa
>>> offsets, data = text_buffers(pa.array(['x', 'ab', '', '统一']).slice(1))
>>> offsets.tolist(), bytes(data[offsets[0]:offsets[1]])
([1, 3, 3, 9], b'ab')
>>> fixed_width(offsets, data, np.array([0]), 2).tolist()
[[97, 98]]
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["blank_rows", "fixed_width", "text_buffers"]


def text_buffers(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string column's value offsets (int64, ``len(column) + 1`` of them, into ``data``) and its UTF-8 bytes.

    Another type is cast to ``string`` first.  A null's offsets are those Arrow stored (usually an empty
    value): look at the validity where it matters.
    """
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = pc.cast(column, pa.string())
    _, offsets_buffer, data_buffer = column.buffers()
    width_type = np.int64 if pa.types.is_large_string(column.type) else np.int32
    size = np.dtype(width_type).itemsize
    offsets = np.frombuffer(offsets_buffer, dtype=width_type, count=len(column) + 1, offset=column.offset * size)
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.empty(0, np.uint8)
    return offsets.astype(np.int64), data


def fixed_width(offsets: np.ndarray, data: np.ndarray, rows: np.ndarray, width: int) -> np.ndarray:
    """The bytes of the values at ``rows`` (each ``width`` bytes long) as a ``(len(rows), width)`` matrix.

    When the values lie one after the other in the data buffer (the rows are ascending and every value
    between them is empty: a column of codes with blank cells), the matrix is a read-only view of the buffer,
    without a copy.

    >>> offsets, data = text_buffers(pa.array(['ab', '', 'cd', 'xyz', 'ef']))
    >>> view = fixed_width(offsets, data, np.array([0, 2]), 2)
    >>> view.tolist(), view.flags.owndata, fixed_width(offsets, data, np.array([0, 4]), 2).tolist()
    ([[97, 98], [99, 100]], False, [[97, 98], [101, 102]])
    """
    count = len(rows)
    if count:
        start = int(offsets[rows[0]])
        if int(offsets[rows[-1] + 1]) - start == count * width and (count == 1 or bool((np.diff(rows) > 0).all())):
            return data[start:start + count * width].reshape(count, width)
    return data[offsets[rows][:, None] + np.arange(width)]


#: A cell this long or shorter (in bytes) may be white space only; a longer one is taken to hold text.
_SPACE_BYTES = 64
#: The bytes a white-space character may start with in UTF-8 (tab to carriage return, space; U+0085 and U+00A0;
#: U+1680; U+2000-U+205F; U+3000): a cell starting with another byte holds text.
_SPACE_LEAD = np.zeros(256, bool)
_SPACE_LEAD[[0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0xC2, 0xE1, 0xE2, 0xE3]] = True


def blank_rows(batch: pa.RecordBatch) -> np.ndarray:
    """Rows whose cells are all empty, null or white space (`` ,　,`` is as blank as ``,,`` to whoever reads the
    file in Excel, and an XLSX row of such cells is blank too): the rows the readers skip as no data, and the
    Spark integration too.  Only the rows whose first cells are blank are looked at further, and only short
    cells are looked into; a column of another type than text is read as its text.

    >>> blank_rows(pa.record_batch({'a': ['', ' ', '\u3000', 'x', None], 'b': ['', '\t', None, '', 'y']})).tolist()
    [True, True, True, False, False]
    """
    blank = np.zeros(batch.num_rows, bool)
    candidates = np.arange(batch.num_rows)
    for column in batch.columns:
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            column = pc.cast(column, pa.string())
        offsets, data = text_buffers(column)
        lengths = offsets[candidates + 1] - offsets[candidates]
        empty = lengths == 0
        if column.null_count:  # a null's offsets need not be equal
            empty |= np.asarray(column.is_null().to_numpy(zero_copy_only=False), bool)[candidates]
        first = data.take(offsets[candidates], mode="clip") if len(data) else np.zeros(len(candidates), np.uint8)
        short = np.flatnonzero(~empty & (lengths <= _SPACE_BYTES) & _SPACE_LEAD[first])
        if short.size:
            spaces = pc.utf8_is_space(column.take(pa.array(candidates[short])))
            empty[short] = np.asarray(spaces.fill_null(False).to_numpy(zero_copy_only=False), bool)
        candidates = candidates[empty]
        if not candidates.size:
            return blank
    blank[candidates] = True
    return blank
