"""``creditstd fake``: synthetic records of a catalogue class, as JSON lines, CSV or XML.

The records are realistic and valid under strict validation; with
``--error-rate`` about that share is broken in exactly one way each (the
summary on stderr says how many).  Output goes to stdout, or atomically to
``-o FILE`` (written to a temporary file in the same folder, then renamed).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import click

from creditstd.cli._io import InputError, output_stream
from creditstd.cli.generate import Count
from creditstd.exceptions import CatalogueError, bilingual
from creditstd.records.export import write_csv, write_jsonl, write_xml
from creditstd.records.fake import FakeRecord, fake_records
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
def fake_command(class_name: str, count: int, output_format: str, headers: str, encoding: str, error_rate: float,
                 seed: int | None, on: datetime | None, output: str | None) -> None:
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
    try:
        records = _Counter(fake_records(class_name, count, seed=seed, error_rate=error_rate,
                                        on=on.date() if on else None))
    except CatalogueError:
        names = "、".join(class_names())
        raise InputError(f"目录中没有记录类“{class_name}”；可用：{names}",
                         f"no record class {class_name!r} in the catalogue; choose from {', '.join(class_names())}",
                         ) from None
    with output_stream(output, encoding) as stream:
        if output_format == "jsonl":
            write_jsonl(records, stream)
        elif output_format == "csv":
            write_csv(records, class_name, stream, headers=headers)
        else:
            write_xml(records, class_name, stream)
    click.echo(bilingual(f"已生成 {records.total} 条 {class_name} 记录，其中故意出错 {records.broken} 条",
                         f"{records.total} {class_name} records written, {records.broken} broken on purpose"),
               err=True)
