"""``creditstd fake``: synthetic records of a catalogue class, as JSON lines, CSV or XML.

The records are realistic and valid under strict validation; with
``--error-rate`` about that share is broken in exactly one way each (the
summary on stderr says how many).  Output goes to stdout, or atomically to
``-o FILE`` (written to a temporary file in the same folder, then renamed).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date, datetime
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TextIO

import click

from creditstd.cli._io import InputError, output_stream, signals_handled_by
from creditstd.cli.generate import Count
from creditstd.exceptions import CatalogueError, bilingual
from creditstd.records.export import XML_END, write_csv, write_jsonl, write_xml, xml_start
from creditstd.records.fake import FakeRecord, block_size, blocks, fake_block, fake_records, run_seed
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
#: Where the cgroup v2 hierarchy is mounted, and the file naming the cgroup of this process in it: a container's
#: CPU limit (``docker run --cpus 2``) is the ``cpu.max`` of its cgroup, or of one above it.
CGROUP_ROOT = Path("/sys/fs/cgroup")
OWN_CGROUP = Path("/proc/self/cgroup")


class WorkerLost(click.ClickException):
    """A process making records ended before its blocks were made (killed by a signal, such as the SIGKILL the
    system sends when memory runs out): exit code 3, the run stops and its output file is removed."""

    exit_code = 3


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
              help="并行进程数（0：按可用CPU数，含容器的CPU配额；1：不并行）；同一种子输出相同 / "
                   "processes making records (0: one per usable CPU, a container's CPU quota included; 1: none); "
                   "the output for a seed is the same whatever the number")
def fake_command(class_name: str, count: int, output_format: str, headers: str, encoding: str, error_rate: float,
                 seed: int | None, on: datetime | None, output: str | None, jobs: int) -> None:
    """生成某记录类的合成记录 / Write synthetic records of a catalogue class.

    \b
    例 / example:  creditstd fake administrative_penalty -n 100 --format csv --headers zh --encoding gbk -o p.csv
    退出码 / exit codes: 0 完成 done; 2 用法错误（未知记录类、错误率越界、日期越界） usage error (unknown class,
    bad rate, --on out of range); 3 生成记录的子进程意外终止（如内存不足时被系统终止），输出文件已删除 a process
    making records died (killed by a signal, e.g. by the system when memory ran out): -o FILE is not written.
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
    task = _Task(class_name, run_seed(seed), error_rate, first_day, output_format, headers)
    try:
        records = _Counter(fake_records(class_name, count, seed=task.seed, error_rate=error_rate, on=first_day))
    except CatalogueError:
        names = "、".join(class_names())
        raise InputError(f"目录中没有记录类“{class_name}”；可用：{names}",
                         f"no record class {class_name!r} in the catalogue; choose from {', '.join(class_names())}",
                         ) from None
    workers = min(jobs or usable_cpus(), len(blocks(count)))
    with output_stream(output, encoding) as stream:
        if workers > 1:
            records.total, records.broken = _write_in_parallel(task, count, workers, stream)
        else:
            _write(records, task, stream)
    click.echo(bilingual(f"已生成 {records.total} 条 {class_name} 记录，其中故意出错 {records.broken} 条",
                         f"{records.total} {class_name} records written, {records.broken} broken on purpose"),
               err=True)


@dataclass(frozen=True)
class _Task:
    """What every block of a run needs (sent to the worker processes), and how the run is written."""

    class_name: str
    seed: int
    error_rate: float
    on: date
    output_format: str
    headers: str


def usable_cpus() -> int:
    """The CPUs this process may use: those it may run on (its affinity where the system says), fewer when a
    cgroup v2 CPU quota allows less (:func:`cgroup_cpus`: a container limited to 2 CPUs on a 64-core host gets 2),
    at most :data:`MAX_JOBS`, at least 1."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    quota = cgroup_cpus()
    return max(1, min(cpus, MAX_JOBS, quota or cpus))


def cgroup_cpus() -> int | None:
    """The CPUs the cgroup v2 CPU quota of this process allows, rounded up; None without a quota (no cgroup v2,
    or ``max`` throughout).  The quota is the smallest of the ``cpu.max`` files of its cgroup and the cgroups
    above it, up to :data:`CGROUP_ROOT` (in a container, usually ``/sys/fs/cgroup/cpu.max`` itself): ``200000
    100000`` (200 ms of CPU time every 100 ms) allows 2 CPUs, ``150000 100000`` 2 as well (sharing 1.5)."""
    try:
        with OWN_CGROUP.open(encoding="utf-8", errors="replace") as lines:
            own = next((line[3:].strip() for line in lines if line.startswith("0::")), "")
    except OSError:
        own = ""
    parts = [part for part in own.split("/") if part]
    if ".." in parts:  # a cgroup outside this namespace's view: only the root of the view is known
        parts = []
    quotas = []
    for depth in range(len(parts), -1, -1):
        try:
            quota, period = (CGROUP_ROOT.joinpath(*parts[:depth]) / "cpu.max").read_text(encoding="ascii").split()
            if quota != "max" and int(quota) > 0 and int(period) > 0:
                quotas.append(max(1, -(-int(quota) // int(period))))
        except (OSError, ValueError):  # no such file (no cgroup v2, or no quota set there), or not two numbers
            continue
    return min(quotas, default=None)


def _write(records: Iterable[FakeRecord], task: _Task, stream: TextIO, *, whole: bool = True) -> None:
    """Write ``records`` in the run's format; ``whole=False``: without the CSV header row or the XML declaration
    and root element (a block of a larger output)."""
    if task.output_format == "jsonl":
        write_jsonl(records, stream)
    elif task.output_format == "csv":
        write_csv(records, task.class_name, stream, headers=task.headers, whole=whole)
    else:
        write_xml(records, task.class_name, stream, whole=whole)


def _block_text(task: _Task, block: int, size: int) -> tuple[str, int, int]:
    """Block number ``block`` of the run, of ``size`` records, written as the format's text without header or root
    element; how many records it holds, and how many of them are broken."""
    records = list(fake_block(task.class_name, task.seed, block, size, error_rate=task.error_rate, on=task.on))
    stream = io.StringIO()
    _write(records, task, stream, whole=False)
    return stream.getvalue(), len(records), sum(item.broken is not None for item in records)


def _worker_signals(parent: int) -> None:
    """A worker process ends at once on SIGTERM (by the system's default action, not by the command's handler,
    which a forked process inherits) and leaves SIGINT (Ctrl-C, sent to the whole group) to the command, which
    then stops its workers (:func:`_stop`) and removes its output.  On Linux it is also sent SIGTERM when the
    command's process ends without stopping it (killed by SIGKILL, or by the system when memory runs out),
    rather than wait for blocks forever; ``parent`` is the command's process id."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the command ended before the signal was asked for
            os._exit(1)


def _write_in_parallel(task: _Task, count: int, workers: int, stream: TextIO) -> tuple[int, int]:
    """Write the run's ``count`` records to ``stream``, each block made by one of ``workers`` processes and
    written in order (the bytes are those of one process: every block has its own seed); return (records,
    broken).

    At most two blocks per process are in flight, so memory stays flat however many records are made.  A worker
    that dies (killed by a signal, by the system when memory runs out) raises :class:`WorkerLost` as soon as the
    pool notices; any other way out of here (an error, SIGTERM, Ctrl-C) stops the workers before it goes on
    (:func:`_stop`), the signals noted while the pool runs and acted on between blocks (:func:`_noting_signals`).
    """
    import multiprocessing

    list(fake_block(task.class_name, task.seed, 0, 1, error_rate=task.error_rate, on=task.on))  # warm the
    # class's plan and validators once, here, for the processes forked below to share
    if task.output_format == "csv":
        write_csv((), task.class_name, stream, headers=task.headers)  # the header row alone
    elif task.output_format == "xml":
        stream.write(xml_start(task.class_name, stream.encoding))
    total = broken = 0
    # fork where it is safe and cheap (Linux: the workers share the warm plan); elsewhere the platform's default
    context = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_signals, initargs=(os.getpid(),))
    processes = pool._processes  # the workers, to say how one ended: the pool forgets them once shut down
    pending: deque[Future[tuple[str, int, int]]] = deque()

    signals: list[int] = []  # SIGINT and SIGTERM received, noted (see _noting_signals), acted on below

    def write_first() -> None:
        nonlocal total, broken
        while True:
            if signals:  # the command's orderly exit (130, 143), once the workers are ended below
                raise SystemExit(128 + signals[0])
            try:
                text, made, bad = pending[0].result(timeout=0.2)
                break
            except FuturesTimeout:
                continue
        pending.popleft()
        stream.write(text)
        total, broken = total + made, broken + bad

    with _noting_signals(signals):
        try:
            for block in blocks(count):
                if len(pending) == 2 * workers:
                    write_first()
                pending.append(pool.submit(_block_text, task, block, block_size(count, block)))
            while pending:
                write_first()
            pool.shutdown(wait=True)
        except BrokenProcessPool:  # a worker died: the pool has terminated the others and failed every block
            pool.shutdown(wait=True)
            raise _lost_worker(processes.values()) from None
        except BaseException:  # SIGTERM, Ctrl-C, an error in a block, the output unwritable: end the workers
            _stop(pool, processes.values())
            raise
    if signals:  # noted while the last blocks were written and the pool shut down
        raise SystemExit(128 + signals[0])
    if task.output_format == "xml":
        stream.write(XML_END)
    return total, broken


@contextlib.contextmanager
def _noting_signals(signals: list[int]) -> Iterator[None]:
    """While the pool runs, SIGINT and SIGTERM are noted in ``signals`` instead of raising where they land: the
    command's handler raises SystemExit at once, and one raised inside the pool's own code (holding its lock,
    half-way through a submit) left the command waiting for ever (seen with Ctrl-C).  Outside the main thread
    (a program embedding the command) the handlers are left alone."""

    def note(signum: int, frame: object) -> None:
        signals.append(signum)

    with signals_handled_by(note):
        yield


def _stop(pool: ProcessPoolExecutor, processes: Iterable[BaseProcess]) -> None:
    """Stop making blocks: those not started are cancelled and those running finish (a block takes under a
    second), then the workers end; one still there after :data:`STOP_SECONDS` is killed.  A worker killed while
    it sends its block back would leave the pool reading the rest of it for ever (seen with SIGTERM)."""
    workers = list(processes)
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + STOP_SECONDS
    for process in workers:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.exitcode is None:
            process.kill()
            process.join()


#: How long the running blocks of a stopped run may take to finish.
STOP_SECONDS = 10


def _lost_worker(processes: Iterable[BaseProcess]) -> WorkerLost:
    """The error for a pool whose worker died: which one and how, from the exit codes of its (joined) workers.
    The pool terminates the others with SIGTERM, so the one that died is the one that ended otherwise."""
    ended = [(process.pid, process.exitcode) for process in processes if process.exitcode]
    # when every one ended by SIGTERM, which was first is not known: no PID is named
    pid, code = next(((pid, code) for pid, code in ended if code != -signal.SIGTERM), (0, ended[0][1] if ended else 0))
    who_zh, who_en = (f"（PID {pid}）", f" (PID {pid})") if pid else ("", "")
    if code and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        how_zh, how_en = f"被信号 {name} 终止", f"was killed by signal {name}"
        if -code == signal.SIGKILL:
            how_zh += "（系统内存不足时即以 SIGKILL 终止进程）"
            how_en += " (as the system does when memory runs out)"
    elif code:
        how_zh, how_en = f"意外退出（退出状态 {code}）", f"exited unexpectedly (status {code})"
    else:
        how_zh, how_en = "意外终止", "ended unexpectedly"
    return WorkerLost(bilingual(f"生成记录的子进程{who_zh}{how_zh}；运行已中止，不写出 -o 输出文件",
                                f"a process making records{who_en} {how_en}; the run stopped, and no -o output file "
                                "is written"))
