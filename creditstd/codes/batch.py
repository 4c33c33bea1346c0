"""Validate many identifiers at once: for the CLI, converters and DataFrame users.

:func:`validate_batch` takes a sequence of values, a NumPy array or a
PyArrow array/chunked array, and returns a :class:`BatchResult` with a
per-item verdict, the error code of each invalid item and the canonical
form of each valid one, in the same kind of container it was given (lists
for a sequence, NumPy arrays for NumPy input, Arrow arrays for Arrow input).

>>> result = validate_batch(['91350100M000100Y43', '91350100M000100Y4Z', None], 'uscc')
>>> result.valid
[True, False, False]
>>> result.errors
[None, 'uscc.checksum', 'input.type']
>>> result.values
['91350100M000100Y43', None, None]

How it is fast: when NumPy is installed, the USCC and citizen-ID checks run
as column operations over the whole array (character lookup tables, a
weighted sum, date arithmetic, ``isin`` for region codes).  Only the items
that column pass does not accept as canonical and valid go through the
scalar ``validate()`` of the identifier module, which is the one source of
truth: it decides whether they are valid after normalisation (lower case,
full-width, separators) and which error they get.  So the batch path and
the scalar path can never disagree, and the vectorised pass may only ever
be *stricter* than the scalar one, never more lenient.  Without NumPy every
item goes through the scalar path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from creditstd.codes import orgcode, regions, regno, ric, uscc
from creditstd.codes._checksums import GB11714_ALPHABET, MOD_11_2_WEIGHTS, USCC_ALPHABET, USCC_WEIGHTS
from creditstd.exceptions import ValidationError

try:  # optional speed-up
    import numpy as np
except ImportError:  # pragma: no cover - exercised only where NumPy is absent
    np = None  # type: ignore[assignment]

__all__ = ["KINDS", "BatchResult", "validate_batch"]

#: The identifier kinds the batch path knows, with their scalar validators.
KINDS: dict[str, Callable[..., str]] = {
    "uscc": uscc.validate,
    "ric": ric.validate,
    "orgcode": orgcode.validate,
    "regno": regno.validate,
}


@dataclass(frozen=True)
class BatchResult:
    """Per-item verdicts: ``valid`` (bool), ``errors`` (code or None), ``values`` (canonical or None)."""

    valid: Any
    errors: Any
    values: Any

    @property
    def invalid_count(self) -> int:
        """How many items failed."""
        return sum(1 for ok in self.valid if not ok)


def _scalar(check: Callable[..., str], value: object, strict: bool) -> tuple[bool, str | None, str | None]:
    try:
        return True, None, check(value, strict=strict)
    except ValidationError as error:
        return False, error.code, None


def _vector_table(alphabet: str, values: Sequence[int]) -> Any:
    table = np.full(128, -1, dtype=np.int64)
    for char, value in zip(alphabet, values, strict=True):
        table[ord(char)] = value
    return table


def _char_matrix(array: Any, length: int) -> tuple[Any, Any] | None:
    """Return (code points as an (n, length) int matrix, mask of rows exactly ``length`` long)."""
    if array.dtype.kind != "U" or array.dtype.itemsize // 4 < length:
        return None
    width = array.dtype.itemsize // 4
    points = np.ascontiguousarray(array).view(np.uint32).reshape(len(array), width)
    right_length = points[:, length - 1] != 0
    if width > length:
        right_length &= points[:, length] == 0
    return np.minimum(points[:, :length], 127).astype(np.int64), right_length


def _known_region_ints() -> Any:
    return np.array(sorted(int(code) for code in regions.known_codes() if code.isdigit()), dtype=np.int64)


def _region_ints(digits: Any) -> Any:
    """Combine an (n, 6) matrix of digit values into integers (-1 where any is not a digit)."""
    number = digits @ np.array([100000, 10000, 1000, 100, 10, 1], dtype=np.int64)
    return np.where((digits >= 0).all(axis=1) & (digits <= 9).all(axis=1), number, -1)


def _uscc_vector(array: Any, strict: bool) -> Any | None:
    matrix = _char_matrix(array, 18)
    if matrix is None:
        return None
    points, ok = matrix
    values = _vector_table(USCC_ALPHABET, range(31))[points]
    ok &= (values >= 0).all(axis=1)
    total = values[:, :17] @ np.array(USCC_WEIGHTS, dtype=np.int64)
    ok &= (-total) % 31 == values[:, 17]
    if strict:
        pairs = np.array([USCC_ALPHABET.index(a) * 31 + USCC_ALPHABET.index(c) for a, c in uscc.CATEGORIES])
        ok &= np.isin(values[:, 0] * 31 + values[:, 1], pairs)
        region = _region_ints(values[:, 2:8])
        ok &= np.isin(region, _known_region_ints()) | (region == int(uscc.NATIONAL_REGION))
        body = _vector_table(GB11714_ALPHABET, range(36))[points[:, 8:16]]
        check = 11 - (body @ np.array((3, 7, 9, 10, 5, 8, 4, 2), dtype=np.int64)) % 11
        check_char = np.where(check == 10, ord("X"), np.where(check == 11, ord("0"), check + ord("0")))
        ok &= check_char == points[:, 16]
    return ok


def _ric_vector(array: Any, strict: bool) -> Any | None:
    matrix = _char_matrix(array, 18)
    if matrix is None:
        return None
    points, ok = matrix
    digits = _vector_table("0123456789", range(10))[points]
    ok &= (digits[:, :17] >= 0).all(axis=1)
    remainder = (digits[:, :17] @ np.array(MOD_11_2_WEIGHTS, dtype=np.int64)) % 11
    ok &= np.frombuffer(b"10X98765432", dtype=np.uint8)[remainder] == points[:, 17]
    birth = digits[:, 6:14] @ np.array([10**i for i in range(7, -1, -1)], dtype=np.int64)
    year, month, day = birth // 10000, birth // 100 % 100, birth % 100
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)]
    month_days = np.where((month == 2) & ~leap, 28, month_days)
    ok &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    ok &= (birth >= 18000101) & (birth <= int(ric._today()))
    if strict:
        region = _region_ints(digits[:, :6])
        permit = np.isin(region, [int(code) for code in ric.PERMIT_REGIONS])
        county = np.isin(region, _known_region_ints()) & (region % 10000 != 0)
        # foreigner PR numbers (leading 9) take the scalar path for their province check
        ok &= (permit | county) & (digits[:, 0] != 9)
    return ok


_VECTORS = {"uscc": _uscc_vector, "ric": _ric_vector}


def _to_numpy_strings(values: Any) -> Any:
    if isinstance(values, np.ndarray) and values.dtype.kind == "U":
        return values
    try:
        return np.asarray(values, dtype=str)
    except (TypeError, ValueError):
        return None


def _validate_items(items: Sequence[Any], kind: str, strict: bool) -> tuple[list[bool], list, list]:
    check = KINDS[kind]
    n = len(items)
    valid, errors, values = [False] * n, [None] * n, [None] * n
    fast = None
    if np is not None and kind in _VECTORS and n:
        array = _to_numpy_strings(items)
        if array is not None and array.ndim == 1:
            fast = _VECTORS[kind](array, strict)
    remaining: list[int] | range = range(n)
    if fast is not None:
        remaining = np.flatnonzero(~fast).tolist()
        for index in np.flatnonzero(fast).tolist():
            item = items[index]
            if isinstance(item, str):  # anything else (an int, say) is the scalar path's to judge
                valid[index], values[index] = True, str(item)
            else:
                remaining.append(index)
    for index in remaining:
        valid[index], errors[index], values[index] = _scalar(check, items[index], strict)
    return valid, errors, values


def validate_batch(values: Any, kind: str, *, strict: bool = False) -> BatchResult:
    """Validate every item of ``values`` as identifier ``kind`` (``uscc``, ``ric``, ``orgcode``, ``regno``)."""
    if kind not in KINDS:
        raise ValueError(f"未知的代码类型 / unknown identifier kind {kind!r}; choose from {sorted(KINDS)}")
    module = type(values).__module__.split(".")[0]
    if module == "pyarrow":
        import pyarrow as pa

        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        valid, errors, canonical = _validate_items(values.to_pylist(), kind, strict)
        return BatchResult(pa.array(valid, pa.bool_()), pa.array(errors, pa.string()),
                           pa.array(canonical, pa.string()))
    if np is not None and isinstance(values, np.ndarray):
        items = values if values.dtype.kind == "U" else values.tolist()
        valid, errors, canonical = _validate_items(items, kind, strict)
        return BatchResult(np.array(valid, dtype=bool), np.array(errors, dtype=object),
                           np.array(canonical, dtype=object))
    items = values if isinstance(values, Sequence) and not isinstance(values, (str, bytes)) else list(values)
    valid, errors, canonical = _validate_items(items, kind, strict)
    return BatchResult(valid, errors, canonical)
