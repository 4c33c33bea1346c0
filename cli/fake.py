"""``creditstd fake``: synthetic records of a catalogue class, as JSON lines, CSV or XML.

The records are realistic and valid under strict validation; with
``--error-rate`` about that share is broken in exactly one way each (the
summary on stderr says how many).  Output goes to stdout, or atomically to
``-o FILE`` (written to a temporary file in the same folder, then renamed).
"""

from __future__ import annotations

import io
import os
import random
import signal
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TextIO

import click

from creditstd.cli._io import InputError, output_stream
from creditstd.cli.generate import Count
from creditstd.exceptions import CatalogueError, bilingual
from creditstd.records.export import XML_END, write_csv, write_jsonl, write_xml, xml_start
from creditstd.records.fake import BLOCK_RECORDS, FakeRecord, fake_block, fake_records
from creditstd.records.loader import class_names

__all__ = ["fake_command"]

#: The earliest ``--on``: people born up to 70 years before it must still have valid ID numbers.
EARLIEST_ON = date(1900, 1, 1)


class _Counter:
    """Pass records through, counting them and the broken ones."""

    def __init__(self, records: Iterator[FakeRecord]) -> None:
        self.records, self.total, self.broken = records, 0, 0

    def __iter__(self) -> Iterator[FakeRecord]:
        for record in self.records:
            self.total += 1
            self.broken += record.broken is not None
            yield record


#: The most records one run writes (about 16 GB of JSON lines): a typo in -n is refused, not left to fill a disk.
MAX_RECORDS = 10_000_000
#: The most processes one run makes records in.
MAX_JOBS = 32


@click.command("fake")
@click.argument("class_name", metavar="CLASS")
@click.option("-n", "count", type=Count(0, MAX_RECORDS), default=10, show_default=True,
              help=f"记录条数（至多{MAX_RECORDS:,}） / how many records (at most {MAX_RECORDS:,})")
@click.option("--format", "output_format", type=click.Choice(["jsonl", "csv", "xml"]), default="jsonl",
              show_default=True, help="输出格式 / output format")
@click.option("--headers", type=click.Choice(["code", "zh", "key"]), default="code", show_default=True,
              help="CSV 表头：国标字段代码、中文名或字段键 / CSV header: national field code, Chinese title or key")
@click.option("--encoding", type=click.Choice(["utf-8", "gbk"]), default="utf-8", show_default=True,
              help="输出编码 / output encoding")
@click.option("--error-rate", type=float, default=0.0, show_default=True,
              help="故意出错的记录比例（0–1） / share of records broken on purpose (0-1)")
@click.option("--seed", type=int, help="随机种子，结果可复现 / seed for reproducible output")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]),
              help="视为“今天”的日期，日期均不晚于它（默认今天） / the day no date may pass (default today)")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="输出文件（原子写入；默认标准输出） / output file (written atomically; default stdout)")
@click.option("-j", "--jobs", type=click.IntRange(0, MAX_JOBS), default=0, show_default=True,
              help="并行进程数（0：按可用CPU数；1：不并行）；同一种子输出相同 / processes making records (0: one per "
                   "usable CPU; 1: none); the output for a seed is the same whatever the number")
def fake_command(class_name: str, count: int, output_format: str, headers: str, encoding: str, error_rate: float,
                 seed: int | None, on: datetime | None, output: str | None, jobs: int) -> None:
    """生成某记录类的合成记录 / Write synthetic records of a catalogue class.

    \b
    例 / example:  creditstd fake administrative_penalty -n 100 --format csv --headers zh --encoding gbk -o p.csv
    退出码 / exit codes: 0 完成 done; 2 用法错误（未知记录类、错误率越界、日期越界） usage error (unknown class,
    bad rate, --on out of range).
    """
    if not 0.0 <= error_rate <= 1.0:
        raise click.UsageError(bilingual(f"--error-rate 应在 0 到 1 之间，而不是 {error_rate}",
                                         f"--error-rate must be within [0, 1], not {error_rate}"))
    if on is not None and not EARLIEST_ON <= on.date() <= date.today():
        day = on.date().isoformat()
        raise click.UsageError(bilingual(
            f"--on 应在 {EARLIEST_ON.isoformat()} 与今天之间，而不是 {day}（生成的出生日期、证照日期都以它为准）",
            f"--on must be between {EARLIEST_ON.isoformat()} and today, not {day} "
            "(birth dates and document dates are generated before it)"))
    first_day = on.date() if on else date.today()
    run_seed = random.SystemRandom().getrandbits(64) if seed is None else seed
    try:
        records = _Counter(fake_records(class_name, count, seed=run_seed, error_rate=error_rate, on=first_day))
    except CatalogueError:
        names = "、".join(class_names())
        raise InputError(f"目录中没有记录类“{class_name}”；可用：{names}",
                         f"no record class {class_name!r} in the catalogue; choose from {', '.join(class_names())}",
                         ) from None
    workers = min(jobs or usable_cpus(), -(-count // BLOCK_RECORDS))
    with output_stream(output, encoding) as stream:
        if workers > 1:
            task = _Task(class_name, run_seed, count, error_rate, first_day, output_format, headers)
            records.total, records.broken = _write_in_parallel(task, workers, stream)
        elif output_format == "jsonl":
            write_jsonl(records, stream)
        elif output_format == "csv":
            write_csv(records, class_name, stream, headers=headers)
        else:
            write_xml(records, class_name, stream)
    click.echo(bilingual(f"已生成 {records.total} 条 {class_name} 记录，其中故意出错 {records.broken} 条",
                         f"{records.total} {class_name} records written, {records.broken} broken on purpose"),
               err=True)


@dataclass(frozen=True)
class _Task:
    """What every block of a run needs (sent to the worker processes)."""

    class_name: str
    seed: int
    count: int
    error_rate: float
    on: date
    output_format: str
    headers: str


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity where the system says), at most :data:`MAX_JOBS`."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_JOBS))


def _block_text(task: _Task, block: int) -> tuple[str, int, int]:
    """Block number ``block`` of the run, written as the format's text without header or root element; how
    many records it holds, and how many of them are broken."""
    records = list(fake_block(task.class_name, task.seed, block,
                              min(BLOCK_RECORDS, task.count - block * BLOCK_RECORDS),
                              error_rate=task.error_rate, on=task.on))
    stream = io.StringIO()
    if task.output_format == "jsonl":
        write_jsonl(records, stream)
    elif task.output_format == "csv":
        write_csv(records, task.class_name, stream, whole=False)
    else:
        write_xml(records, task.class_name, stream, whole=False)
    return stream.getvalue(), len(records), sum(item.broken is not None for item in records)


def _worker_signals() -> None:
    """A worker process ends at once on SIGTERM (the command's handler, which a forked process inherits, would
    leave it waiting for its next task) and leaves SIGINT (Ctrl-C, sent to the whole group) to the command,
    which then terminates the pool and removes its output."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _write_in_parallel(task: _Task, workers: int, stream: TextIO) -> tuple[int, int]:
    """Write the run's records to ``stream``, each block made by one of ``workers`` processes and written in
    order (the bytes are those of one process: every block has its own seed); return (records, broken).

    At most two blocks per process are in flight, so memory stays flat however many records are made.
    """
    import multiprocessing

    list(fake_block(task.class_name, task.seed, 0, 1, error_rate=task.error_rate, on=task.on))  # warm the
    # class's plan and validators once, here, for the processes forked below to share
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    if task.output_format == "csv":
        write_csv((), task.class_name, stream, headers=task.headers)  # the header row alone
    elif task.output_format == "xml":
        stream.write(xml_start(task.class_name, stream.encoding))
    total = broken = 0
    blocks = -(-task.count // BLOCK_RECORDS)
    with context.Pool(workers, initializer=_worker_signals) as pool:
        pending: deque[Any] = deque()
        for block in range(blocks):
            pending.append(pool.apply_async(_block_text, (task, block)))
            if len(pending) < 2 * workers and block + 1 < blocks:
                continue
            while len(pending) >= 2 * workers or (pending and block + 1 == blocks):
                text, made, bad = pending.popleft().get()
                stream.write(text)
                total, broken = total + made, broken + bad
        pool.close()  # every block is in: let the processes end (leaving the block early terminates them)
        pool.join()
    if task.output_format == "xml":
        stream.write(XML_END)
    return total, broken
