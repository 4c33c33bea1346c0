"""Overlap reading, checking and reporting: one thread reads ahead, one reports behind, in order.

A command that checks a large file spends its time in three stages: the
reader parses the next chunk, the core checks it, the report and the rejects
file take in its verdict.  Arrow and NumPy release the GIL in their kernels,
so on a machine with two cores the stages overlap when each has its thread:

* :func:`read_ahead` iterates a source in a background thread, at most
  ``depth`` items ahead (memory stays bounded: a few chunks);
* :class:`InOrder` runs submitted work in one background thread, in the
  order submitted, at most ``depth`` items behind.

Errors travel to the caller: an exception raised by the source is raised by
the iteration at the same place, one raised by submitted work by the next
:meth:`InOrder.submit` or by leaving the ``with`` block.  Nothing is
reordered and nothing is dropped.

>>> seen = []
>>> with InOrder() as behind:
...     for number in read_ahead(iter(range(5))):
...         behind.submit(seen.append, number * number)
>>> seen
[0, 1, 4, 9, 16]
"""

from __future__ import annotations

import os
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["InOrder", "overlap", "read_ahead"]

T = TypeVar("T")
_END = object()
#: How often a blocked hand-over checks whether the other side has gone (seconds).
_POLL = 0.05


def overlap() -> int:
    """How deep the stages overlap here: 1 with two processors or more for this process, else 0 (threads
    would only take turns on the one processor)."""
    try:
        processors = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        processors = os.cpu_count() or 1
    return 1 if processors > 1 else 0


def read_ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Yield what ``items`` yields, produced by a background thread up to ``depth`` items ahead (with
    ``depth`` 0, in the caller's thread).

    Closing the generator (or an error in the consumer) stops the reader at its next item.

    >>> list(read_ahead(iter('abc'), depth=1))
    ['a', 'b', 'c']
    >>> def failing():
    ...     yield 1
    ...     raise ValueError('line 2: bad')
    >>> reader = read_ahead(failing())
    >>> next(reader)
    1
    >>> next(reader)
    Traceback (most recent call last):
    ...
    ValueError: line 2: bad
    """
    if depth < 1:  # nothing to overlap with (one processor): read in the caller's thread
        yield from items
        return
    handover: queue.Queue[tuple[Any, BaseException | None]] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    #: An item is read only once fewer than ``depth`` are waiting or being read: never one more held, read and
    #: blocked on the hand-over (each is a chunk of text: memory).
    slots = threading.Semaphore(depth)

    def take_slot() -> bool:
        while not stop.is_set():
            if slots.acquire(timeout=_POLL):
                return True
        return False

    def put(entry: tuple[Any, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                handover.put(entry, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            iterator = iter(items)
            while take_slot():
                try:
                    item = next(iterator)
                except StopIteration:
                    put((_END, None))
                    return
                if not put((item, None)):
                    return
        except BaseException as error:  # handed to the consumer, raised there
            put((_END, error))

    reader = threading.Thread(target=produce, name="creditstd-read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            item, error = handover.get()
            slots.release()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        reader.join(timeout=1.0)  # a reader blocked on a pipe is a daemon: it cannot keep the process alive


class InOrder:
    """Run work in one background thread, in the order submitted, at most ``depth`` items behind (with
    ``depth`` 0, at once in the caller's thread)."""

    def __init__(self, depth: int = 1) -> None:
        self._depth = depth
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="creditstd-behind")
        self._pending: deque[Future[Any]] = deque()

    def submit(self, work: Callable[..., Any], /, *args: Any) -> None:
        """Queue ``work(*args)``; wait first while ``depth`` items are pending (raising their error, if any)."""
        if self._depth < 1:
            work(*args)
            return
        while len(self._pending) >= self._depth:
            self._pending.popleft().result()
        self._pending.append(self._executor.submit(work, *args))

    def drain(self) -> None:
        """Wait for every pending item, raising the first error."""
        while self._pending:
            self._pending.popleft().result()

    def __enter__(self) -> InOrder:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        try:
            if kind is None:
                self.drain()
        finally:
            for future in self._pending:
                future.cancel()
            self._executor.shutdown(wait=True, cancel_futures=True)
