"""Count distinct values of a column in bounded memory: exact up to a cap, then a HyperLogLog estimate.

A report summarises every field of a file that may hold millions of rows;
an ID column of a million rows has a million distinct values, so the report
cannot keep them.  :class:`DistinctCounter` keeps 64-bit hashes of the values
it has seen, exactly, until there are more than ``cap`` of them (10,000 by
default: 80 kB); from then on it keeps a HyperLogLog sketch of 2\\ :sup:`14`
one-byte registers (16 kB) and reports an estimate, whose standard error is
1.04 / √16384 ≈ 0.8 %.  Its memory never grows past ``cap`` × 8 bytes +
16 kB, whatever the number of rows.

The hash (:func:`hash_strings`) runs over the Arrow string buffers with NumPy:
no Python object is made per value.  Below the cap the count is exact up to
64-bit hash collisions (for 10,000 values, a chance of about 3 × 10\\ :sup:`-12`).

>>> import pyarrow as pa
>>> counter = DistinctCounter(cap=3)
>>> counter.add(pa.array(['a', 'b', 'a']))
>>> counter.count, counter.exact
(2, True)
>>> counter.add(pa.array([f'v{i}' for i in range(5000)]))
>>> counter.exact, abs(counter.count - 5002) < 5002 * 0.05
(False, True)
>>> counter.nbytes <= 3 * 8 + 2 ** 14
True
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

__all__ = ["DistinctCounter", "hash_strings"]

_P = 14  # HyperLogLog precision: 2**14 registers
_M = 1 << _P
_ALPHA = 0.7213 / (1 + 1.079 / _M)
_CHUNK_BYTES = 1 << 22  # hash at most 4 MiB of text at a time (the temporaries are 8 bytes per byte)
_MULTIPLIERS = np.random.default_rng(20261101).integers(1, 2**63, size=1024, dtype=np.uint64) * np.uint64(2) + \
    np.uint64(1)
_K1, _K2 = np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser: every input bit affects every output bit."""
    h = h ^ (h >> np.uint64(33))
    h = h * _K1
    h = h ^ (h >> np.uint64(33))
    h = h * _K2
    return h ^ (h >> np.uint64(33))


def hash_strings(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """64-bit hashes of the non-null values of a string array (same text, same hash; NumPy only).

    >>> hashes = hash_strings(pa.array(['统一社会信用代码', 'x', None, 'x', '']))
    >>> len(hashes), bool(hashes[1] == hashes[2]), bool(hashes[0] != hashes[1]), hashes.dtype.name
    (4, True, True, 'uint64')
    """
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_large_string(array.type):
        array = array.cast(pa.large_string())
    if array.null_count:
        array = array.drop_null()
    n = len(array)
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    _, offsets_buffer, data_buffer = array.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64, count=n + 1, offset=array.offset * 8)
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.empty(0, np.uint8)
    lengths = np.diff(offsets)
    result = np.empty(n, dtype=np.uint64)
    start = 0
    with np.errstate(over="ignore"):
        while start < n:  # chunks of rows holding at most _CHUNK_BYTES of text (one long value at least)
            limit = offsets[start] + _CHUNK_BYTES
            stop = max(start + 1, int(np.searchsorted(offsets, limit, side="right")) - 1)
            stop = min(stop, n)
            result[start:stop] = _hash_chunk(data, offsets[start:stop + 1], lengths[start:stop])
            start = stop
    return result


def _hash_chunk(data: np.ndarray, offsets: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    first, last = int(offsets[0]), int(offsets[-1])
    h = lengths.astype(np.uint64) * _GOLDEN
    nonempty = lengths > 0
    if last > first:
        chunk = data[first:last].astype(np.uint64) + np.uint64(1)
        starts = offsets[:-1][nonempty] - first
        position = np.arange(last - first, dtype=np.int64) - np.repeat(starts, lengths[nonempty])
        multiplier = _MULTIPLIERS[position & 1023] ^ ((position >> 10).astype(np.uint64) * _GOLDEN)
        h[nonempty] ^= np.add.reduceat(chunk * multiplier, starts)
    return _mix(h)


def _leading_zeros(x: np.ndarray) -> np.ndarray:
    """Leading zero bits of each 64-bit value (64 for zero), by binary search, vectorised."""
    count = np.zeros(x.shape, dtype=np.uint8)
    for shift in (32, 16, 8, 4, 2, 1):
        small = x < np.uint64(1 << (64 - shift))
        count[small] += shift
        x = np.where(small, x << np.uint64(shift), x)
    count += (x >> np.uint64(63)) == 0
    return count


class DistinctCounter:
    """Distinct values of one column, fed batch by batch (see the module docstring)."""

    __slots__ = ("_exact", "_registers", "cap")

    def __init__(self, cap: int = 10_000) -> None:
        self.cap = cap
        self._exact: np.ndarray | None = np.empty(0, dtype=np.uint64)
        self._registers: np.ndarray | None = None

    def add(self, values: pa.Array | pa.ChunkedArray) -> None:
        """Count the non-null values of a string array."""
        self.add_hashes(hash_strings(values))

    def add_hashes(self, hashes: np.ndarray) -> None:
        """Count values already hashed with :func:`hash_strings`."""
        if len(hashes) == 0:
            return
        if self._exact is not None:
            merged = np.union1d(self._exact, hashes)
            if len(merged) <= self.cap:
                self._exact = merged
                return
            self._exact = None
            self._registers = np.zeros(_M, dtype=np.uint8)
            hashes = merged
        assert self._registers is not None
        index = (hashes >> np.uint64(64 - _P)).astype(np.intp)
        rank = np.minimum(_leading_zeros(hashes << np.uint64(_P)), 64 - _P) + 1
        np.maximum.at(self._registers, index, rank.astype(np.uint8))

    @property
    def exact(self) -> bool:
        """True while the count is exact (at most ``cap`` distinct values seen)."""
        return self._exact is not None

    @property
    def count(self) -> int:
        """The number of distinct values: exact, or the HyperLogLog estimate (never ≤ ``cap`` once over it)."""
        if self._exact is not None:
            return len(self._exact)
        assert self._registers is not None
        registers = self._registers
        estimate = _ALPHA * _M * _M / float(np.sum(np.ldexp(1.0, -registers.astype(np.int64))))
        zeros = int(np.count_nonzero(registers == 0))
        if estimate <= 2.5 * _M and zeros:
            estimate = _M * float(np.log(_M / zeros))  # linear counting for small cardinalities
        return max(round(estimate), self.cap + 1)

    @property
    def nbytes(self) -> int:
        """Memory held by the counter's arrays."""
        return self._exact.nbytes if self._exact is not None else int(self._registers.nbytes)  # type: ignore[union-attr]
