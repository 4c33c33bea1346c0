"""A set of fixed-size keys, each with an optional 64-bit value, kept in sorted NumPy runs: bounded memory per key.

Two parts of the package remember every key of a long run: the duplicate check of ``creditstd validate``
(:mod:`creditstd.records.duplicates`: a 64-bit digest of each identity, and where it was first seen) and the
exchange batch writer (:class:`~creditstd.records.exchange.BatchWriter`: the 16 bytes of each record id's UUID,
so that no id is written twice).  A Python set would cost about 100 bytes per key; here a key costs its own
size (8 or 16 bytes) plus 8 for its value, if any.

Keys come in sorted, unique arrays (one per batch: :meth:`SortedRuns.add`), each kept as a *run*; a run is
merged into the one before it once it is at least half its size (an LSM tree's size tiers), so there are
about log2(keys / batch) runs and a lookup (:meth:`SortedRuns.find`) is a binary search per run.  A merge
needs a second copy of the two runs it merges, so runs stop growing at ``max_run`` keys.

>>> runs = SortedRuns(np.dtype(np.uint64), values=True)
>>> runs.add(np.array([3, 9], np.uint64), np.array([30, 90], np.uint64))
>>> runs.add(np.array([5], np.uint64), np.array([50], np.uint64))
>>> found, values = runs.find(np.array([9, 4, 5], np.uint64))
>>> found.tolist(), values.tolist()
([True, False, True], [90, 0, 50])
>>> runs.keys, runs.runs, runs.nbytes
(3, 1, 48)

Byte-string keys (``S16``) compare as unsigned bytes, so a UUID's 16 bytes are a key as they are:

>>> ids = SortedRuns(np.dtype('S16'))
>>> ids.add(np.sort(np.array([bytes(16), b'\\xff' * 16], 'S16')))
>>> ids.find(np.array([b'\\xff' * 16, b'\\x01' * 16], 'S16'))[0].tolist()
[True, False]
"""

from __future__ import annotations

import numpy as np

__all__ = ["MAX_RUN", "SortedRuns"]

#: The most keys a run grows to by merging, by default (the copy a merge makes stays small).
MAX_RUN = 1 << 19


class SortedRuns:
    """Sorted runs of unique keys of one NumPy dtype, each key with a uint64 value when ``values``."""

    __slots__ = ("_runs", "dtype", "max_run", "values")

    def __init__(self, dtype: np.dtype, *, values: bool = False, max_run: int = MAX_RUN) -> None:
        self.dtype = dtype
        self.values = values
        self.max_run = max_run
        self._runs: list[tuple[np.ndarray, np.ndarray | None]] = []

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each key: whether a run holds it, and its value there (0 where not held, or without values).

        The keys are looked up in sorted order (NumPy's binary search starts each key where the one before
        it ended: two to four times faster on runs larger than the cache), the answers given in theirs.
        """
        found = np.zeros(len(keys), bool)
        places = np.zeros(len(keys), np.uint64)
        if not self._runs or not len(keys):
            return found, places
        order = None if bool(np.all(keys[1:] >= keys[:-1])) else np.argsort(keys, kind="stable")
        ordered = keys if order is None else keys[order]
        for held, values in self._runs:
            at = np.searchsorted(held, ordered)
            hit = at < len(held)
            hit[hit] = held[at[hit]] == ordered[hit]
            found |= hit
            if values is not None:
                places[hit] = values[at[hit]]
        if order is not None:
            found[order], places[order] = found.copy(), places.copy()
        return found, places

    def add(self, keys: np.ndarray, values: np.ndarray | None = None) -> None:
        """Add sorted, unique keys that no run holds (with their values) as a run; merge the tiers that are due."""
        if len(keys) == 0:
            return
        if self.values != (values is not None):
            raise ValueError("values are given exactly when the runs keep values")
        self._runs.append((np.asarray(keys, self.dtype), values))
        while (len(self._runs) > 1 and 2 * len(self._runs[-1][0]) >= len(self._runs[-2][0])
               and len(self._runs[-1][0]) + len(self._runs[-2][0]) <= self.max_run):
            newer, older = self._runs.pop(), self._runs.pop()
            self._runs.append(_merge(older, newer))

    @property
    def keys(self) -> int:
        """How many keys the runs hold."""
        return sum(len(held) for held, _ in self._runs)

    @property
    def runs(self) -> int:
        """How many runs there are now."""
        return len(self._runs)

    @property
    def sizes(self) -> tuple[int, ...]:
        """The number of keys in each run, oldest first."""
        return tuple(len(held) for held, _ in self._runs)

    @property
    def nbytes(self) -> int:
        """Bytes of the key and value arrays."""
        return sum(held.nbytes + (0 if values is None else values.nbytes) for held, values in self._runs)


def _merge(left: tuple[np.ndarray, np.ndarray | None],
           right: tuple[np.ndarray, np.ndarray | None]) -> tuple[np.ndarray, np.ndarray | None]:
    """Two sorted runs with no key in common as one sorted run."""
    (left_keys, left_values), (right_keys, right_values) = left, right
    size = len(left_keys) + len(right_keys)
    at = np.searchsorted(left_keys, right_keys) + np.arange(len(right_keys))
    others = np.ones(size, bool)
    others[at] = False
    keys = np.empty(size, left_keys.dtype)
    keys[at], keys[others] = right_keys, left_keys
    if left_values is None or right_values is None:
        return keys, None
    values = np.empty(size, np.uint64)
    values[at], values[others] = right_values, left_values
    return keys, values
