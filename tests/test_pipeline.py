"""The validate command's stages overlap (cli/_pipeline.py) without reordering, dropping or hiding anything."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditstd.cli._pipeline import InOrder, read_ahead


@given(st.lists(st.integers()), st.integers(min_value=0, max_value=4), st.integers(min_value=0, max_value=4))
def test_every_item_arrives_once_and_in_order(items: list[int], ahead: int, behind: int) -> None:
    seen: list[int] = []
    with InOrder(depth=behind) as later:
        for item in read_ahead(iter(items), depth=ahead):
            later.submit(seen.append, item)
    assert seen == items


@pytest.mark.parametrize("depth", [0, 2])
def test_an_error_of_the_source_is_raised_where_it_happened(depth: int) -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("line 3 unreadable")

    got = []
    with pytest.raises(ValueError, match="line 3"):
        for item in read_ahead(source(), depth=depth):
            got.append(item)
    assert got == [1, 2]


@pytest.mark.parametrize("depth", [0, 1, 3])
def test_an_error_of_the_work_behind_reaches_the_caller(depth: int) -> None:
    def work(item: int) -> None:
        if item == 2:
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"), InOrder(depth) as later:
        for item in range(5):
            later.submit(work, item)


def test_the_work_behind_stays_at_most_depth_items_behind() -> None:
    running = threading.Event()
    release = threading.Event()
    started: list[int] = []

    def slow(item: int) -> None:
        started.append(item)
        running.set()
        release.wait(5)

    later = InOrder(depth=1)
    later.submit(slow, 0)
    running.wait(5)
    waiter = threading.Thread(target=later.submit, args=(slow, 1))
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive()  # the second submission waits for the first to finish
    release.set()
    waiter.join(5)
    later.__exit__(None, None, None)
    assert started == [0, 1]


def test_a_consumer_that_stops_early_stops_the_reader() -> None:
    produced: list[int] = []

    def endless() -> Iterator[int]:
        number = 0
        while True:
            produced.append(number)
            yield number
            number += 1

    reader = read_ahead(endless(), depth=2)
    assert [next(reader) for _ in range(3)] == [0, 1, 2]
    reader.close()
    time.sleep(0.2)
    count = len(produced)
    time.sleep(0.2)
    assert len(produced) == count <= 3 + 2 + 1  # the reader stopped, at most depth (+1 in hand) ahead


def test_the_stages_overlap_only_with_a_second_processor(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from creditstd.cli import _pipeline

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert _pipeline.overlap() == 0
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert _pipeline.overlap() == 1
    seen: list[int] = []
    with InOrder(0) as inline:  # depth 0: the work is done at once, in this thread
        inline.submit(seen.append, threading.get_ident())
    assert seen == [threading.get_ident()]
