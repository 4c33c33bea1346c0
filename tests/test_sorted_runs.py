"""SortedRuns: the bounded-memory key set under the duplicate check and the batch writer's record ids."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from creditstd.records.sorted_runs import SortedRuns

_KEYS = st.integers(min_value=0, max_value=2**64 - 1)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_KEYS, max_size=40), max_size=12), st.lists(_KEYS, max_size=60),
       st.integers(min_value=2, max_value=64))
def test_find_answers_as_a_dict_would_in_the_order_asked(batches: list[list[int]], queries: list[int],
                                                        max_run: int) -> None:
    runs = SortedRuns(np.dtype(np.uint64), values=True, max_run=max_run)
    held: dict[int, int] = {}
    for batch in batches:
        new = sorted(set(batch) - held.keys())
        runs.add(np.array(new, np.uint64), np.array([key % 1000 for key in new], np.uint64))
        held.update((key, key % 1000) for key in new)
    asked = [*queries, *list(held)[:20]]  # unsorted, repeated, held and not
    found, values = runs.find(np.array(asked, np.uint64))
    assert found.tolist() == [key in held for key in asked]
    assert values.tolist() == [held.get(key, 0) for key in asked]
    assert runs.keys == len(held)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(min_size=16, max_size=16), max_size=50), st.lists(st.binary(min_size=16, max_size=16),
                                                                          max_size=30))
def test_byte_keys_are_found_whatever_their_order(keys: list[bytes], others: list[bytes]) -> None:
    runs = SortedRuns(np.dtype("S16"))
    unique = sorted(set(keys))
    runs.add(np.array(unique, "S16"))
    asked = [*reversed(unique), *others]
    assert runs.find(np.array(asked, "S16"))[0].tolist() == [key in set(unique) for key in asked]
