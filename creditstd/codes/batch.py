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

Each item is judged as its container reports it, exactly as the scalar
``validate()`` judges that value.  A missing value (``None``, an Arrow null,
a masked item of a NumPy masked array) gets ``input.type``; the result of a
masked array is a plain NumPy array, its verdicts for masked items those of
``None``.  NumPy drops the *trailing* NULs of a ``<U`` item (that is what
NumPy returns for it), but a NUL inside an item is part of it:

>>> import numpy as np
>>> masked = np.ma.array(['91350100M000100Y43'] * 2, mask=[True, False])
>>> validate_batch(masked, 'uscc').errors.tolist()
['input.type', None]
>>> validate_batch(np.array(['91350100M000100Y43\\x00junk']), 'uscc').errors.tolist()
['uscc.length']

One string is not a collection: ``validate_batch('91350100M000100Y43', 'uscc')``
raises ``TypeError`` rather than judging 18 one-character values.

How it is fast: when NumPy is installed, the USCC and citizen-ID checks run
as column operations over the whole array.  The strings that are exactly 18
characters long are joined into one buffer and viewed as an ``(n, 18)``
matrix of bytes (a non-Latin-1 character becomes ``?``, which no alphabet
contains); per-position lookup tables turn each column into its weighted
value, so one ``np.take`` and one addition per position give the checksum,
and further tables give the birth date, the authority/category pair and a
one-megabyte "known region" bitmap indexed by the six-digit region code.

Only the items that column pass does not accept as canonical and valid go
through the scalar ``validate()`` of the identifier module, which is the one
source of truth: it decides whether they are valid after normalisation
(lower case, full-width, separators) and which error they get.  So the batch
path and the scalar path can never disagree, and the vectorised pass may
only ever be *stricter* than the scalar one, never more lenient: every table
below accepts only canonical characters (upper case ASCII), and a character
outside a table's alphabet adds a sentinel no valid sum can reach.  Without
NumPy every item goes through the scalar path.  NumPy itself is imported on
the first batch call, not when :mod:`creditstd` is imported.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from creditstd.codes import regions, ric, uscc
from creditstd.codes._checksums import (
    GB11714_ALPHABET,
    GB11714_WEIGHTS,
    MOD_11_2_WEIGHTS,
    USCC_ALPHABET,
    USCC_WEIGHTS,
)
from creditstd.codes.identify import KIND_FAMILIES, checkable_kind
from creditstd.exceptions import ValidationError

__all__ = ["KINDS", "BatchResult", "validate_batch"]

#: The kinds the batch path checks as (:data:`~creditstd.codes.identify.KIND_FAMILIES`: ``uscc``, ``ric``,
#: ``orgcode``, ``regno``), with their scalar validators.  Any other spelling of a kind resolves through
#: :func:`~creditstd.codes.identify.checkable_kind` and is checked as its family (``citizen_id`` as ``ric``).
KINDS: dict[str, Callable[..., str]] = {
    kind.value: kind.module.validate for kind in KIND_FAMILIES if kind.module is not None
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


@functools.cache
def _numpy() -> Any:
    """NumPy, imported on first use (it would double the import time of creditstd), or None."""
    try:
        import numpy
    except ImportError:  # pragma: no cover - exercised only where NumPy is absent
        return None
    return numpy


# --------------------------------------------------------------------------------------------
# Lookup tables.  Each maps a byte (0-255) to an int32; one row per character position.

#: Added for a character outside a table's alphabet.  The largest valid weighted sum is far below
#: it (USCC: 17 * 30 * 30 + 30), and 18 sentinels still fit in an int32.
_SENTINEL = 1 << 20
_NO_REGION = 1_000_000  # index of the "not six digits" slot of the region bitmaps


def _position_tables(values: dict[str, int], weights: Sequence[int], missing: int = _SENTINEL) -> Any:
    """A (len(weights), 256) int32 table: row i maps a character code to its value times weights[i]."""
    np = _numpy()
    tables = np.full((len(weights), 256), missing, dtype=np.int32)
    for row, weight in enumerate(weights):
        for char, value in values.items():
            tables[row, ord(char)] = value * weight
    return tables


def _weighted_sum(tables: Any, matrix: Any, first: int) -> Any:
    """Sum over rows i of tables[i][matrix[:, first + i]]: one np.take and one in-place add per column."""
    np = _numpy()
    total = np.take(tables[0], matrix[:, first], mode="clip")  # byte indices are always in range
    scratch = np.empty_like(total)
    for row in range(1, len(tables)):
        np.take(tables[row], matrix[:, first + row], out=scratch, mode="clip")
        total += scratch
    return total


_DIGITS = {str(digit): digit for digit in range(10)}
# The six digits of a region code as one integer; any other character pushes it past _NO_REGION.
_REGION_WEIGHTS = (100000, 10000, 1000, 100, 10, 1)


@functools.cache
def _uscc_tables() -> tuple[Any, Any, Any, Any]:
    np = _numpy()
    # GB 32100: sum of value * 3^(i-1) over positions 1-17, plus the check value (weight 1), is 0 mod 31
    checksum = _position_tables({char: value for value, char in enumerate(USCC_ALPHABET)}, (*USCC_WEIGHTS, 1))
    pairs = np.zeros(256 * 256, dtype=bool)
    for authority, category in uscc.CATEGORIES:
        pairs[ord(authority) * 256 + ord(category)] = True
    orgcode_sum = _position_tables({char: value for value, char in enumerate(GB11714_ALPHABET)}, GB11714_WEIGHTS)
    # GB 11714: weighted sum mod 11 -> the check character's code (11 - r, with 10 -> X and 11 -> 0)
    orgcode_check = np.frombuffer(b"0X987654321", dtype=np.uint8)
    return checksum, pairs, orgcode_sum, orgcode_check


@functools.cache
def _ric_tables() -> tuple[Any, Any, Any]:
    np = _numpy()
    # ISO 7064 MOD 11-2: weighted sum of positions 1-17 plus the check value (X = 10) is 1 mod 11
    checksum = np.concatenate([
        _position_tables(_DIGITS, MOD_11_2_WEIGHTS),
        _position_tables({**_DIGITS, "X": 10}, (1,)),
    ])
    # positions 7-14 as the integer YYYYMMDD (only read for rows whose checksum pass proved them digits)
    birth = _position_tables(_DIGITS, [10**power for power in range(7, -1, -1)], missing=0)
    month_days = np.zeros(10000, dtype=bool)  # MMDD -> exists in a leap year (29 February checked apart)
    month_days[[int(mmdd) for mmdd in ric._MONTH_DAYS]] = True
    return checksum, birth, month_days


@functools.cache
def _region_digits() -> Any:
    return _position_tables(_DIGITS, _REGION_WEIGHTS, missing=_NO_REGION)


_region_cache: dict[str, tuple[frozenset[str], Any]] = {}


def _region_bitmap(kind: str) -> Any:
    """Bool array indexed by a six-digit region code (slot _NO_REGION: not digits): acceptable for ``kind``.

    Built once from :func:`regions.known_codes` (rebuilt should that return a new set).
    """
    known = regions.known_codes()
    cached = _region_cache.get(kind)
    if cached is not None and cached[0] is known:
        return cached[1]
    np = _numpy()
    bitmap = np.zeros(_NO_REGION + 1, dtype=bool)
    if kind == "known":  # any known code
        accepted = [code for code in known if code.isdigit() and len(code) == 6]
    elif kind == "uscc":  # any known code, or the national level
        accepted = [code for code in known if code.isdigit() and len(code) == 6] + [uscc.NATIONAL_REGION]
    elif kind == "province":  # the province of a foreigner PR number: known, and not a residence permit's
        accepted = [code for code in known if code.isdigit() and len(code) == 6 and code not in ric.PERMIT_REGIONS]
    else:  # ric: a known code that is not a province-level aggregate, or a residence permit code
        accepted = [code for code in known if code.isdigit() and len(code) == 6 and not code.endswith("0000")]
        accepted += list(ric.PERMIT_REGIONS)
    bitmap[[int(code) for code in accepted]] = True
    _region_cache[kind] = (known, bitmap)
    return bitmap


def _region_ok(matrix: Any, first: int, kind: str) -> Any:
    """Whether the six characters from column ``first`` are a region code acceptable for ``kind``."""
    np = _numpy()
    region = np.minimum(_weighted_sum(_region_digits(), matrix, first), _NO_REGION)
    return np.take(_region_bitmap(kind), region, mode="clip")


# --------------------------------------------------------------------------------------------
# The vectorised checks: (n, 18) uint8 matrix -> bool array, True only where the scalar validate() of the
# same strictness returns the item unchanged.


def _uscc_vector(matrix: Any, strict: bool) -> Any:
    np = _numpy()
    checksum, pairs, orgcode_sum, orgcode_check = _uscc_tables()
    total = _weighted_sum(checksum, matrix, 0)
    # canonical alphabet everywhere and a matching check character; the placeholder 00000000000000000X
    # fails this (its check character would be 0), so it is left to the scalar path's own error
    ok = (total < _SENTINEL) & (total % 31 == 0)
    if strict:
        pair = matrix[:, 0].astype(np.int32) * 256 + matrix[:, 1]
        ok &= np.take(pairs, pair, mode="clip")
        ok &= _region_ok(matrix, 2, "uscc")
        ok &= np.take(orgcode_check, _weighted_sum(orgcode_sum, matrix, 8) % 11, mode="clip") == matrix[:, 16]
    return ok


def _ric_vector(matrix: Any, strict: bool) -> Any:
    np = _numpy()
    checksum, birth_tables, month_days = _ric_tables()
    total = _weighted_sum(checksum, matrix, 0)
    ok = (total < _SENTINEL) & (total % 11 == 1)  # 17 digits, then a digit or X, and the check holds
    birth = _weighted_sum(birth_tables, matrix, 6)
    year, mmdd = birth // 10000, birth % 10000
    ok &= np.take(month_days, mmdd, mode="clip")
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    ok &= (mmdd != 229) | leap
    ok &= (birth >= int(ric._EARLIEST)) & (birth <= int(ric._today()))
    if strict:
        # a foreigner PR number (leading 9) names the province of the issuing office in positions 2-3: a
        # known province-level code, not a residence permit's; every other number a known county-level code
        np = _numpy()
        province = np.minimum(_weighted_sum(_region_digits()[:2], matrix, 1), _NO_REGION)  # positions 2-3 + 0000
        foreigner = np.take(_region_bitmap("province"), province, mode="clip")
        ok &= np.where(matrix[:, 0] == ord("9"), foreigner, _region_ok(matrix, 0, "ric"))
    return ok


def _ric15_vector(matrix: Any, strict: bool) -> Any:
    """Legacy 15-digit ID numbers: 15 digits and a real birth date ``19YYMMDD`` (no check character)."""
    np = _numpy()
    digits = _weighted_sum(_fifteen_digits(), matrix, 0)  # any non-digit pushes this past _SENTINEL
    ok = digits < _SENTINEL
    _, birth_tables, month_days = _ric_tables()
    birth = 19_000_000 + _weighted_sum(birth_tables[2:], matrix, 6)  # positions 7-12: YYMMDD
    year, mmdd = birth // 10000, birth % 10000
    ok &= np.take(month_days, mmdd, mode="clip")
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    ok &= (mmdd != 229) | leap
    ok &= (birth >= int(ric._EARLIEST)) & (birth <= int(ric._today()))
    if strict:
        ok &= _region_ok(matrix, 0, "ric")
    return ok


@functools.cache
def _fifteen_digits() -> Any:
    """15 digit positions, each adding 0 (a digit) or the sentinel (anything else)."""
    return _position_tables({str(digit): 0 for digit in range(10)}, (1,) * 15)


@functools.cache
def _orgcode_tables() -> tuple[Any, Any]:
    np = _numpy()
    return (_position_tables({char: value for value, char in enumerate(GB11714_ALPHABET)}, GB11714_WEIGHTS),
            np.frombuffer(b"0X987654321", dtype=np.uint8))


def _orgcode_vector(matrix: Any, strict: bool) -> Any:
    """GB 11714: eight characters of 0-9/A-Z, then the check character the weighted sum mod 11 names."""
    np = _numpy()
    weights, check = _orgcode_tables()
    total = _weighted_sum(weights, matrix, 0)
    ok = (total < _SENTINEL) & (np.take(check, total % 11, mode="clip") == matrix[:, 8])
    if strict:  # the custom range PDY00001-PDY99999 is refused
        body = matrix[:, 3:8]
        custom = ((matrix[:, 0] == ord("P")) & (matrix[:, 1] == ord("D")) & (matrix[:, 2] == ord("Y"))
                  & ((body >= ord("0")) & (body <= ord("9"))).all(axis=1) & (body != ord("0")).any(axis=1))
        ok &= ~custom
    return ok


def _regno_vector(matrix: Any, strict: bool) -> Any:
    """GS 15-2006: 15 digits whose last is the ISO 7064 MOD 11,10 check digit of the first 14."""
    np = _numpy()
    digits = matrix.astype(np.int16) - ord("0")
    ok = ((digits >= 0) & (digits <= 9)).all(axis=1)
    product = np.full(len(matrix), 10, dtype=np.int16)
    for column in range(14):  # product = ((product + digit) mod 10, 0 read as 10) * 2 mod 11
        total = (product + digits[:, column]) % 10
        total[total == 0] = 10
        product = (total * 2) % 11
    ok &= (11 - product) % 10 == digits[:, 14]
    if strict:  # region known at some time, or the national level
        ok &= _region_ok(matrix, 0, "uscc")
    return ok


#: The vectorised checks, per kind and per length of the canonical form they accept.
_VECTORS: dict[str, dict[int, Callable[[Any, bool], Any]]] = {
    "uscc": {18: _uscc_vector},
    "ric": {18: _ric_vector, 15: _ric15_vector},
    "orgcode": {9: _orgcode_vector},
    "regno": {15: _regno_vector},
}


# --------------------------------------------------------------------------------------------
# The canonical matrix: what the CLI (and anyone holding many strings of one length) checks directly.


def text_matrix(texts: Sequence[str], width: int) -> Any:
    """An ``(n, width)`` uint8 matrix of ``texts``, each exactly ``width`` characters long (ASCII and
    Latin-1 as themselves, anything else as ``?``).

    >>> text_matrix(['AB', 'c\u4e2d'], 2).tolist()
    [[65, 66], [99, 63]]
    """
    np = _numpy()
    buffer = "".join(texts).encode("latin-1", "replace")
    return np.frombuffer(buffer, dtype=np.uint8).reshape(-1, width)


def canonical_rows(matrix: Any) -> Any:
    """Which rows are in canonical form: digits and upper-case ASCII letters only.

    >>> canonical_rows(text_matrix(['A1', 'a1', 'A-'], 2)).tolist()
    [True, False, False]
    """
    np = _numpy()
    table = np.zeros(256, dtype=bool)
    table[[ord(char) for char in GB11714_ALPHABET]] = True
    return np.take(table, matrix, mode="clip").all(axis=1)


def canonical_valid(matrix: Any, kind: str, *, strict: bool = False) -> Any:
    """Whether each row of a :func:`text_matrix` is a valid ``kind`` (a family: ``uscc``, ``ric``, ``orgcode``,
    ``regno``), or None when no vectorised check exists for that length.

    On a row in canonical form (:func:`canonical_rows`) this is *exactly* the scalar ``validate()`` of the same
    strictness (tests/test_batch.py holds it to that, in both directions), so a caller may read False as
    "invalid" for such rows; on other rows it may only be stricter.

    >>> canonical_valid(text_matrix(['192203821', '192203822'], 9), 'orgcode').tolist()
    [True, False]
    >>> canonical_valid(text_matrix(['192203821'], 9), 'uscc') is None
    True
    """
    vector = _VECTORS[checkable_kind(kind).family.value].get(matrix.shape[1])
    return None if vector is None else vector(matrix, strict)


# --------------------------------------------------------------------------------------------
# Input -> (rows, matrix): the (m, width) uint8 matrix of the items that may pass, and their indices
# (None when the matrix holds every item, in order).


def _list_matrix(items: Sequence[Any], width: int) -> tuple[Any, Any, bool]:
    """Also return whether every item is exactly a ``str`` (so it can be its own canonical value)."""
    np = _numpy()
    n = len(items)
    all_str = set(map(type, items)) == {str}
    rows: Any = None
    if all_str:
        lengths = np.fromiter(map(len, items), dtype=np.intp, count=n)
        fits = lengths == width
        if not fits.all():
            rows = np.flatnonzero(fits)
    else:
        # str's own len(): a str subclass may lie about its length, and the join below takes the real text
        rows = np.array([i for i, item in enumerate(items) if isinstance(item, str) and str.__len__(item) == width],
                        dtype=np.intp)
    chosen = items if rows is None else [items[i] for i in rows.tolist()]
    # one byte per character: ASCII and Latin-1 as themselves, anything else as '?'
    return rows, text_matrix(chosen, width), all_str


def _unicode_matrix(array: Any, width: int) -> tuple[Any, Any] | None:
    """The same from a NumPy 'U' array, read as UCS-4 code points (clamped to 255, which no table accepts)."""
    np = _numpy()
    size = array.dtype.itemsize // 4
    if array.ndim != 1 or size < width:
        return None
    points = np.ascontiguousarray(array).view(np.uint32).reshape(len(array), size)
    # NumPy pads with NUL and drops trailing NULs only: an item is its characters up to the last non-NUL
    # one, so '<18 characters>\0junk' is 23 characters long and must not be read as its first 18
    fits = (points[:, width - 1] != 0 if size == width
            else getattr(np, "strings", np.char).str_len(array) == width)
    matrix = np.minimum(points[:, :width], 255).astype(np.uint8)
    if fits.all():
        return None, matrix
    rows = np.flatnonzero(fits)
    return rows, matrix[rows]


def _validate_items(items: Sequence[Any], kind: str,
                    strict: bool) -> tuple[list[bool], list[str | None], list[str | None]]:
    check = KINDS[kind]
    n = len(items)
    np = _numpy()
    valid: list[bool]
    errors: list[str | None] = [None] * n
    values: list[str | None]
    if np is None or not n:
        valid, values = [False] * n, [None] * n
        for index in range(n):
            valid[index], errors[index], values[index] = _scalar(check, items[index], strict)
        return valid, errors, values

    accepted = np.zeros(n, dtype=bool)
    all_str = True
    for width, vector in _VECTORS[kind].items():
        if isinstance(items, np.ndarray):
            unicode = _unicode_matrix(items, width)
            if unicode is None:
                continue
            rows, matrix = unicode
        else:
            rows, matrix, all_str = _list_matrix(items, width)
        if rows is None:
            accepted |= vector(matrix, strict)
        elif len(rows):
            accepted[rows] |= vector(matrix, strict)
    valid = accepted.tolist()
    if all_str:  # accepted items are canonical already; the others are overwritten below
        values = items.tolist() if isinstance(items, np.ndarray) else list(items)
    else:
        values = [None] * n
        for index in np.flatnonzero(accepted).tolist():
            values[index] = str.__str__(items[index])  # a str subclass becomes a plain str (its own __str__ unused)
    for index in np.flatnonzero(~accepted).tolist():
        valid[index], errors[index], values[index] = _scalar(check, items[index], strict)
    return valid, errors, values


def validate_batch(values: Any, kind: str, *, strict: bool = False) -> BatchResult:
    """Validate every item of ``values`` as identifier ``kind`` (``uscc``, ``ric``, ``orgcode``, ``regno``).

    ``kind`` is read by :func:`~creditstd.codes.identify.checkable_kind`: any spelling of a kind
    (``citizen_id``, ``citizen-id``...) is checked as its family; anything else is a ValueError.
    """
    kind = checkable_kind(kind).family.value
    if isinstance(values, (str, bytes, bytearray)):
        raise TypeError("validate_batch 接受一组值，而不是一个字符串；单个值请用 validate() / validate_batch takes "
                        "a collection of values, not one string; use validate() for one value")
    module = type(values).__module__.split(".")[0]
    if module == "pyarrow":
        import pyarrow as pa

        if not hasattr(values, "to_pylist"):  # a scalar
            raise TypeError("validate_batch 接受 Arrow 数组，而不是单个 Arrow 值 / validate_batch takes an Arrow "
                            "array, not one Arrow scalar")
        # to_pylist decodes dictionary arrays, reads any string or binary type and turns nulls into None,
        # for every chunk of a chunked array
        valid, errors, canonical = _validate_items(values.to_pylist(), kind, strict)
        return BatchResult(pa.array(valid, pa.bool_()), pa.array(errors, pa.string()),
                           pa.array(canonical, pa.string()))
    if module == "numpy":
        np = _numpy()
        if isinstance(values, np.ndarray):
            return _validate_ndarray(values, kind, strict)
    items = values if isinstance(values, Sequence) else list(values)
    valid, errors, canonical = _validate_items(items, kind, strict)
    return BatchResult(valid, errors, canonical)


def _validate_ndarray(values: Any, kind: str, strict: bool) -> BatchResult:
    """A NumPy array, along its first axis; a masked item is a missing value, reported as ``None`` would be."""
    np = _numpy()
    if values.ndim == 0:
        raise TypeError("validate_batch 接受一组值，而不是零维数组 / validate_batch takes a collection of values, "
                        "not a zero-dimensional array")
    masked: list[int] = []
    if isinstance(values, np.ma.MaskedArray):
        if values.ndim == 1:
            masked = np.flatnonzero(np.ma.getmaskarray(values)).tolist()
            values = np.ma.getdata(values)  # the masked items are overwritten below
        else:
            values = values.tolist()  # masked items become None
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype.kind == "U":
        items: Any = values
    else:
        items = values.tolist() if isinstance(values, np.ndarray) else values
    valid, errors, canonical = _validate_items(items, kind, strict)
    if masked:
        missing = _scalar(KINDS[kind], None, strict)
        for index in masked:
            valid[index], errors[index], canonical[index] = missing
    result_errors = np.empty(len(errors), dtype=object)
    result_errors[:] = errors
    result_values = np.empty(len(canonical), dtype=object)
    result_values[:] = canonical
    return BatchResult(np.array(valid, dtype=bool), result_errors, result_values)


# --------------------------------------------------------------------------------------------
# Why a canonical row is invalid: the first error the scalar validate() raises, as column operations.

#: The error codes :func:`canonical_errors` names, by index (0: no error).
ERROR_CODES: tuple[str | None, ...] = (
    None, "uscc.placeholder", "uscc.format", "uscc.checksum", "uscc.pilot_checksum", "uscc.authority",
    "uscc.category", "uscc.region", "uscc.orgcode_checksum", "ric.format", "ric.checksum", "ric.birth_date",
    "ric.birth_too_early", "ric.birth_future", "ric.foreigner_province", "ric.region", "ric.region_aggregate",
    "regno.format", "regno.checksum", "regno.region", "orgcode.checksum", "orgcode.reserved")
_CODE = {code: index for index, code in enumerate(ERROR_CODES)}


def _first_error(shape: int) -> tuple[Any, Any, Any]:
    np = _numpy()
    return np.zeros(shape, dtype=np.int8), np.zeros(shape, dtype=np.int8), np.zeros(shape, dtype=np.uint8)


def _set(code: Any, position: Any, where: Any, name: str, at: Any) -> None:
    """Give the rows ``where`` that have no error yet the error ``name`` at ``at`` (a number or a column)."""
    np = _numpy()
    fresh = where & (code == 0)
    code[fresh] = _CODE[name]
    position[fresh] = at[fresh] if isinstance(at, np.ndarray) else at


def _first_outside(matrix: Any, alphabet: str) -> Any:
    """1-based position of the first character of each row outside ``alphabet`` (0: none)."""
    np = _numpy()
    table = np.zeros(256, dtype=bool)
    table[[ord(char) for char in alphabet]] = True
    inside = np.take(table, matrix, mode="clip")
    return np.where(inside.all(axis=1), 0, np.argmin(inside, axis=1) + 1)


def _uscc_errors(matrix: Any, strict: bool) -> tuple[Any, Any, Any]:
    np = _numpy()
    code, position, expected = _first_error(len(matrix))
    placeholder = (matrix == np.frombuffer(uscc.PLACEHOLDER.encode(), dtype=np.uint8)).all(axis=1)
    _set(code, position, placeholder, "uscc.placeholder", 0)
    bad = _first_outside(matrix[:, :17], USCC_ALPHABET)
    _set(code, position, bad > 0, "uscc.format", bad)
    checksum, _, orgcode_sum, orgcode_check = _uscc_tables()
    total = _weighted_sum(checksum[:17], matrix, 0)
    expected[:] = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)[(-total) % 31]
    wrong = expected != matrix[:, 17]
    alphabet = np.zeros(256, dtype=bool)
    alphabet[[ord(char) for char in USCC_ALPHABET]] = True
    orgcode_ok = np.take(orgcode_check, _weighted_sum(orgcode_sum, matrix, 8) % 11, mode="clip") == matrix[:, 16]
    province = np.zeros(len(matrix), dtype=bool)
    for pilot in uscc.PILOT_PROVINCES:
        province |= (matrix[:, 2] == ord(pilot[0])) & (matrix[:, 3] == ord(pilot[1]))
    pilot_rows = wrong & np.take(alphabet, matrix[:, 17], mode="clip") & province & orgcode_ok
    _set(code, position, pilot_rows, "uscc.pilot_checksum", 18)
    _set(code, position, wrong, "uscc.checksum", 18)
    if strict:
        authorities = np.zeros(256, dtype=bool)
        authorities[[ord(char) for char in uscc.AUTHORITIES]] = True
        _set(code, position, ~np.take(authorities, matrix[:, 0], mode="clip"), "uscc.authority", 1)
        pairs = _uscc_tables()[1]
        pair = matrix[:, 0].astype(np.int32) * 256 + matrix[:, 1]
        _set(code, position, ~np.take(pairs, pair, mode="clip"), "uscc.category", 2)
        _set(code, position, ~_region_ok(matrix, 2, "uscc"), "uscc.region", 3)
        _set(code, position, ~orgcode_ok, "uscc.orgcode_checksum", 17)
    expected[~np.isin(code, (_CODE["uscc.checksum"], _CODE["uscc.pilot_checksum"]))] = 0
    return code, position, expected


def _birth_errors(code: Any, position: Any, birth: Any) -> None:
    np = _numpy()
    _, _, month_days = _ric_tables()
    year, mmdd = birth // 10000, birth % 10000
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    _set(code, position, ~np.take(month_days, mmdd, mode="clip") | ((mmdd == 229) & ~leap), "ric.birth_date", 7)
    _set(code, position, birth < int(ric._EARLIEST), "ric.birth_too_early", 7)
    _set(code, position, birth > int(ric._today()), "ric.birth_future", 7)


def _ric_region_errors(code: Any, position: Any, matrix: Any) -> None:
    np = _numpy()
    region = np.minimum(_weighted_sum(_region_digits(), matrix, 0), _NO_REGION)
    known = np.take(_region_bitmap("known"), region, mode="clip")
    permit = np.isin(region, [int(code) for code in ric.PERMIT_REGIONS])
    if matrix.shape[1] == 18:
        foreigner = matrix[:, 0] == ord("9")
        province = np.minimum(_weighted_sum(_region_digits()[:2], matrix, 1), _NO_REGION)
        _set(code, position, foreigner & ~np.take(_region_bitmap("province"), province, mode="clip"),
             "ric.foreigner_province", 2)
    else:
        foreigner = np.zeros(len(matrix), dtype=bool)
    local = ~foreigner & ~permit
    _set(code, position, local & ~known, "ric.region", 1)
    _set(code, position, local & (region % 10000 == 0), "ric.region_aggregate", 1)


def _ric_errors(matrix: Any, strict: bool) -> tuple[Any, Any, Any]:
    np = _numpy()
    code, position, expected = _first_error(len(matrix))
    width = matrix.shape[1]
    checks = width if width == 15 else 17
    bad = _first_outside(matrix[:, :checks], "0123456789")
    _set(code, position, bad > 0, "ric.format", bad)
    birth_tables = _ric_tables()[1]
    if width == 18:
        last = matrix[:, 17]
        _set(code, position, ~(((last >= ord("0")) & (last <= ord("9"))) | (last == ord("X"))), "ric.format", 18)
        total = _weighted_sum(_ric_tables()[0][:17], matrix, 0)
        expected[:] = np.frombuffer(b"10X98765432", dtype=np.uint8)[total % 11]
        _set(code, position, expected != last, "ric.checksum", 18)
        birth = _weighted_sum(birth_tables, matrix, 6)
    else:
        birth = 19_000_000 + _weighted_sum(birth_tables[2:], matrix, 6)
    _birth_errors(code, position, birth)
    if strict:
        _ric_region_errors(code, position, matrix)
    expected[code != _CODE["ric.checksum"]] = 0
    return code, position, expected


def _regno_errors(matrix: Any, strict: bool) -> tuple[Any, Any, Any]:
    np = _numpy()
    code, position, expected = _first_error(len(matrix))
    bad = _first_outside(matrix, "0123456789")
    _set(code, position, bad > 0, "regno.format", bad)
    digits = matrix.astype(np.int16) - ord("0")
    product = np.full(len(matrix), 10, dtype=np.int16)
    for column in range(14):
        total = (product + digits[:, column]) % 10
        total[total == 0] = 10
        product = (total * 2) % 11
    expected[:] = (11 - product) % 10 + ord("0")
    _set(code, position, expected != matrix[:, 14], "regno.checksum", 15)
    if strict:
        _set(code, position, ~_region_ok(matrix, 0, "uscc"), "regno.region", 1)
    expected[code != _CODE["regno.checksum"]] = 0
    return code, position, expected


def _orgcode_errors(matrix: Any, strict: bool) -> tuple[Any, Any, Any]:
    np = _numpy()
    code, position, expected = _first_error(len(matrix))
    weights, check = _orgcode_tables()
    expected[:] = np.take(check, _weighted_sum(weights, matrix, 0) % 11, mode="clip")
    _set(code, position, expected != matrix[:, 8], "orgcode.checksum", 9)
    if strict:
        _set(code, position, ~_orgcode_vector(matrix, True) & (code == 0), "orgcode.reserved", 1)
    expected[code != _CODE["orgcode.checksum"]] = 0
    return code, position, expected


_ERRORS: dict[str, Callable[[Any, bool], tuple[Any, Any, Any]]] = {
    "uscc": _uscc_errors, "ric": _ric_errors, "regno": _regno_errors, "orgcode": _orgcode_errors}


def canonical_errors(matrix: Any, kind: str, *, strict: bool = False) -> tuple[Any, Any, Any]:
    """For each row of a :func:`text_matrix` in canonical form (:func:`canonical_rows`) of the length of
    ``kind`` (18 for ``uscc``, 15 or 18 for ``ric``, 15 for ``regno``, 9 for ``orgcode``): the first error the
    scalar ``validate()`` of that strictness raises, as ``(code, position, expected)`` arrays: an index into
    :data:`ERROR_CODES` (0: valid), the 1-based position (0: none) and the expected check character (0: none).

    >>> code, position, expected = canonical_errors(text_matrix(['192203821', '192203822'], 9), 'orgcode')
    >>> [ERROR_CODES[i] for i in code], position.tolist(), bytes(expected)
    ([None, 'orgcode.checksum'], [0, 9], b'\\x001')
    """
    return _ERRORS[checkable_kind(kind).family.value](matrix, strict)
