"""Synthetic records of any catalogue class: realistic, valid, reproducible, optionally broken on purpose.

The generator reads everything from the class's JSON Schema: field kinds and
formats, roles, code tables, maximum lengths, the ``allOf`` conditionals and
the named ``x-rules``.  For each record it picks the subject category first,
builds a coherent subject (a company whose USCC, embedded organisation code
and registration number share one region; a person with a valid citizen ID;
an individual business, now and then with the USCC placeholder and then its
registration number), an authority with a USCC of a government organ (登记
管理部门 1, 机构类别 1), dates in the order the rules ask and never after
``on``, then fills every field a conditional asks for once its ``if`` holds.
Optional fields appear with some probability; fields that make no sense for
the subject (a legal representative for a natural person) never do.  Every
record returned as valid passes ``validator(class_name, strict=True)``.

With ``error_rate`` about that share of the records is broken in exactly one
way, chosen among the breakages that apply (a bad check character, a missing
required field, a conditional left unmet, an impossible date, a value outside
its code table, dates out of order...); ``broken`` is the error code the
validator reports for it.

>>> from creditstd.catalogue import validator
>>> records = list(fake_records('administrative_penalty', 3, seed=7))
>>> check = validator('administrative_penalty', strict=True)
>>> all(check.is_valid(item.record) for item in records), {item.broken for item in records}
(True, {None})
>>> [item.record for item in fake_records('administrative_penalty', 3, seed=7)] == [r.record for r in records]
True

The work is split by job: :mod:`._domain` (departments, lists, places),
:mod:`._plan` (what a class asks for, read once from its schema),
:mod:`._parties` (the subject and the authorities), :mod:`._values` (one
field's value), :mod:`._ids` (identifiers and names, drawn fast),
:mod:`._draft` (a record being made), :mod:`._generator` (whole valid
records) and :mod:`._breakage` (breaking one on purpose).  Records stream:
each is made when the consumer asks for it, so memory stays flat however
many are written; ``benchmarks/bench_fake.py`` measures the speed.
Writing records out as JSON lines, CSV or XML is :mod:`creditstd.records.export`;
its writers are importable from here too.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from creditstd.records import loader
from creditstd.records.export import column_names, write_csv, write_jsonl, write_xml
from creditstd.records.fake._breakage import break_record
from creditstd.records.fake._generator import Generator

__all__ = ["BLOCK_RECORDS", "FakeRecord", "block_size", "blocks", "column_names", "fake_block", "fake_records",
           "run_seed", "write_csv", "write_jsonl", "write_xml"]


@dataclass(frozen=True)
class FakeRecord:
    """One synthetic record; ``broken`` is the error code it was deliberately given, or None."""

    record: dict
    broken: str | None


#: Records made by one generator: the records of a run are made in blocks of this many, each by a generator of
#: its own seeded from the run's seed and the block's number (:func:`fake_block`), so that any block can be
#: made on its own, in another process, and the records are the same (``creditstd fake --jobs``).
BLOCK_RECORDS = 4096


def blocks(n: int) -> range:
    """The numbers of the blocks a run of ``n`` records is made in (``len()`` of it: how many blocks).

    >>> blocks(2 * BLOCK_RECORDS + 5), len(blocks(BLOCK_RECORDS)), len(blocks(0))
    (range(0, 3), 1, 0)
    """
    return range(-(-n // BLOCK_RECORDS))


def block_size(n: int, block: int) -> int:
    """How many of a run's ``n`` records block number ``block`` holds: :data:`BLOCK_RECORDS`, but for the last
    block, which holds what is left.

    >>> [block_size(2 * BLOCK_RECORDS + 5, block) for block in blocks(2 * BLOCK_RECORDS + 5)]
    [4096, 4096, 5]
    """
    return min(BLOCK_RECORDS, n - block * BLOCK_RECORDS)


def run_seed(seed: int | None) -> int:
    """The seed of a run: ``seed`` itself, or when None a fresh one from the system's randomness (so that every
    block of the run, made wherever, derives its own seed from the same one)."""
    return random.SystemRandom().getrandbits(64) if seed is None else seed


def fake_records(class_name: str, n: int, *, seed: int | None = None, error_rate: float = 0.0,
                 on: date | None = None) -> Iterator[FakeRecord]:
    """``n`` synthetic records of ``class_name``, about ``error_rate`` of them broken in one way each.

    Deterministic for a given ``seed`` (and ``on``, the day no date may pass; default today): the blocks of
    :data:`BLOCK_RECORDS` records :func:`fake_block` makes, one after the other.
    Raises :class:`~creditstd.exceptions.CatalogueError` for an unknown class and ValueError for a bad rate.
    """
    if not 0.0 <= error_rate <= 1.0:
        raise ValueError(f"错误率应在 0 到 1 之间 / error_rate must be within [0, 1], got {error_rate}")
    loader.class_schema(class_name)  # raises CatalogueError now, not at the first next()
    seeded, day = run_seed(seed), on or date.today()
    return (record for block in blocks(n)
            for record in fake_block(class_name, seeded, block, block_size(n, block), error_rate=error_rate, on=day))


def fake_block(class_name: str, seed: int, block: int, n: int, *, error_rate: float, on: date) -> Iterator[FakeRecord]:
    """The records of block number ``block`` (from 0) of a run seeded ``seed``: ``n`` records (at most
    :data:`BLOCK_RECORDS`; the last block of a run may hold fewer) made by a generator of their own.

    >>> day = date(2026, 6, 30)
    >>> whole = [item.record for item in fake_records('honour', BLOCK_RECORDS + 2, seed=5, on=day)]
    >>> whole[BLOCK_RECORDS:] == [item.record for item in fake_block('honour', 5, 1, 2, error_rate=0.0, on=day)]
    True
    >>> def first(seed: int) -> dict:
    ...     return next(fake_block('honour', seed, 0, 1, error_rate=0.0, on=day)).record
    >>> first(-5) == first(5), first(-5) == first(-5)
    (False, True)
    """
    # the first block is seeded with the run's seed itself (a run of one block is what it always was), unless it
    # is negative: Python's random seeds with an integer's absolute value, so -5 would make what 5 makes
    if block or seed < 0:
        seed = int.from_bytes(hashlib.blake2b(f"{seed}:{block}".encode(), digest_size=8).digest(), "big")
    return _records(Generator(class_name, seed, on), n, error_rate)


def _records(generator: Generator, n: int, error_rate: float) -> Iterator[FakeRecord]:
    for _ in range(n):
        record = generator.record()
        if error_rate and generator.rng.random() < error_rate:
            record, code = break_record(generator, record)
            yield FakeRecord(record, code)
        else:
            yield FakeRecord(record, None)

