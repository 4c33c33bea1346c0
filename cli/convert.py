"""``creditstd convert``: departmental exports (CSV, TSV, XLSX, XML) through a mapping into an exchange batch.

Each input (globs, ``-`` for stdin) is read through the mapping by :func:`creditstd.convert.convert_source`;
every chunk is checked by the one compiled core (:func:`creditstd.records.plan.validate_table`, as in
``creditstd validate``) and merged with the conversion findings (:func:`creditstd.convert.combine`).  The
valid rows are written, in input order and column by column, by
:meth:`~creditstd.records.exchange.BatchWriter.add_table` (``validate=False``: the core has just checked them,
and hands over the cells it read; a record whose id is already in the batch is a reject,
``exchange.duplicate_id``).  As in ``creditstd validate``, the stages overlap (``cli/_pipeline.py``): one
thread reads the next chunk, the main thread checks this one, a third writes and reports the previous one,
in input order.

Nothing is dropped: every row is a record of the batch or a reject.  The rejects file (default beside the
batch folder, ``<folder>.rejects.jsonl``, never inside what is handed over; owner-only) gives each rejected
row's source location (file and line; for XML also the record's index and XPath, ``/Records/Record[7]``),
and per reason the field, its national code, the column or XPath read, the value (masked when personal,
unless ``--show-pii``) and the code and messages.  ``--rejects x.csv`` writes it as UTF-8 CSV with a BOM for
Excel, one row per reason, cells Excel would run as formulas guarded with a leading ``'``; any other name
gets JSON Lines, one line per rejected row.  Rows in = records out + rejected is printed (stderr) and
written into the manifest (``accounting``).  The report (``--format``, stdout or ``--report``) is the
one ``creditstd validate`` writes.

A rerun gives byte-identical files: the manifest's ``created`` is the ``--on`` day (default today) at
00:00:00+08:00, and nothing else in the batch depends on the clock.  A run in which no row survives
writes no batch (an empty batch is not a batch) and exits 1.  ``--dry-run`` converts, checks and reports,
writing nothing.

Exit codes: 0 every row converted; 1 some rows rejected (or none converted); 2 usage error, unusable
mapping (its file and line are named) or unreadable input (nothing is left behind).
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import IO, Any

import click
import numpy as np
import pyarrow as pa

from creditstd.cli._io import (
    InputError,
    leave_no_batch,
    naming_failures,
    output_stream,
    prepare_output_dir,
    refuse_shared_outputs,
    remove_made_dirs,
)
from creditstd.cli._pipeline import InOrder, overlap, read_ahead
from creditstd.cli.exchange import default_rejects, writer_usage_error
from creditstd.cli.progress import Progress
from creditstd.cli.validate import excel_safe
from creditstd.codes.redact import redact
from creditstd.convert import (
    ConvertedChunk,
    MappingError,
    MappingSpec,
    combine_rows,
    convert_source,
    load_mapping,
)
from creditstd.convert.mapping import parse_mapping
from creditstd.exceptions import CatalogueError, ValidationError, bilingual
from creditstd.findings import Finding, Location
from creditstd.records.exchange import BatchCounter, BatchWriter, TableLines
from creditstd.records.plan import Plan, TableResult, compile_plan, validate_table
from creditstd.reports import FORMATS, ReportBuilder, write_report
from creditstd.sources import RowProblem, Source, SourceError, expand_inputs
from creditstd.sources.model import shown_path
from creditstd.sources.sniff import looks_like_data

__all__ = ["convert_command", "created_time", "resolve_mapping"]

#: The offset of the manifest's ``created``: China Standard Time.
CST = timezone(timedelta(hours=8))
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
#: Columns of a CSV rejects file, one row per reason.
CSV_COLUMNS = ("file", "line", "record", "record_path", "field", "field_code", "source", "code", "value",
               "message_zh", "message_en")


def created_time(day: date) -> datetime:
    """The manifest's ``created`` for a run ``--on`` ``day``: that day at 00:00:00+08:00 (so a rerun writes
    the same bytes).

    >>> created_time(date(2026, 12, 1)).isoformat()
    '2026-12-01T00:00:00+08:00'
    """
    return datetime.combine(day, time(0, 0, 0), tzinfo=CST)


def resolve_mapping(given: str) -> MappingSpec:
    """The mapping ``--mapping`` names: a mapping file, else a built-in mapping of that name
    (:func:`creditstd.convert.builtin.load_builtin`; where that module is missing,
    ``creditstd/convert/builtin/<name>.toml`` through importlib.resources).  Raises :class:`MappingError` for
    a file that cannot be used or a name no built-in mapping has."""
    path = Path(given)
    if path.is_file() or not _NAME.fullmatch(given):  # a folder of the built-in's name does not hide it
        return load_mapping(path)
    try:
        from creditstd.convert.builtin import load_builtin
    except ImportError:  # pragma: no cover - the built-in mappings' module predates this command in releases
        from importlib.resources import files

        entry = files("creditstd.convert").joinpath("builtin", f"{given}.toml")
        if not entry.is_file():
            return load_mapping(path)  # mapping.unreadable, naming the file
        return parse_mapping(entry.read_text(encoding="utf-8"), f"builtin:{given}")
    return load_builtin(given)


@dataclass(frozen=True)
class Options:
    """What the user asked for, parsed from the command line."""

    inputs: tuple[str, ...]
    mapping: str
    folder: Path | None
    department: str | None
    department_uscc: str | None
    rule_set: str | None
    today: date
    strict: bool
    rejects: Path | None
    report: Path | None
    output_format: str
    max_errors: int
    lang: str
    show_pii: bool
    force: bool
    dry_run: bool
    progress: bool | None = None
    #: The workbook's sheet to read, over the mapping's ``[source] sheet``.
    sheet: str | None = None


@dataclass
class Totals:
    """The accounting of a run: every row read is a record written or a reject."""

    rows_in: int = 0
    records_out: int = 0
    rejected: int = 0


class _Rejects:
    """The rejects file: per rejected row its location and reasons (see the module docstring)."""

    def __init__(self, stream: IO[str] | None, as_csv: bool, spec: MappingSpec, show_pii: bool) -> None:
        self.stream = stream
        self.show_pii = show_pii
        self.record_path = spec.source.record.expression if spec.source.record is not None else None
        #: What each target field is read from (the column or XPath), for the reasons the core gives.
        self.sources = {rule.target: rule.source for rule in spec.fields}
        self.writer = csv.writer(stream, lineterminator="\r\n") if stream is not None and as_csv else None
        if self.writer is not None:
            self.writer.writerow(CSV_COLUMNS)

    def _path(self, record: int | None) -> str | None:
        if self.record_path is None or record is None:
            return None
        expression = self.record_path
        return f"({expression})[{record}]" if expression.startswith("//") else f"{expression}[{record}]"

    def row(self, file: str, line: int | None, record: int | None, findings: Sequence[Finding]) -> None:
        if self.stream is None:
            return
        path = self._path(record)
        file = shown_path(file)  # the input as given (<stdin> for -), as the report names it
        if not self.show_pii:  # a file name, an element name in the record path or a reason may hold an ID number
            file, findings, path = redact(file), [item.masked() for item in findings], path and redact(path)
        if self.writer is not None:
            for item in findings:
                source = (item.location.column if item.location is not None else None) or \
                    self.sources.get(item.field or "")
                source = source if self.show_pii or source is None else redact(source)
                self.writer.writerow([excel_safe(cell) for cell in (
                    file, None if line is None else str(line), None if record is None else str(record), path,
                    item.field, item.field_code, source, item.code, item.value, item.message_zh, item.message_en)])
            return
        entry: dict[str, Any] = {"file": file, "line": line, "record": record}
        if path is not None:
            entry["record_path"] = path
        entry["errors"] = [item.to_json() for item in findings]
        self.stream.write(json.dumps(entry, ensure_ascii=False) + "\n")


def _write_chunk(chunk: ConvertedChunk, result: TableResult, checked: tuple[np.ndarray, list[Finding], list[int]],
                 made: TableLines | None, writer: BatchWriter | BatchCounter, builder: ReportBuilder,
                 rejects: _Rejects, totals: Totals) -> None:
    """Write the lines ``made`` of a checked chunk's valid rows, count and report the rest (in the thread
    behind the checks)."""
    valid, findings, rows = checked
    if made is not None:
        for row, error in writer.add_lines(made):  # a repeated record id, a value too long
            valid[row] = False
            where = Location(file=chunk.file, line=int(chunk.lines[row]), record=int(chunk.records[row]))
            findings.append(Finding.from_error(error, location=where))
            rows.append(row)
    if chunk.unread:  # elements no rule reads: unknown columns, as a table's are
        builder.add_headers(chunk.unread, dict.fromkeys(chunk.unread), (), only_new=True)
    builder.add_rows(result.cells, chunk.lines, valid, findings, trimmed=True)
    by_row: dict[int, list[Finding]] = defaultdict(list)
    for row, item in zip(rows, findings, strict=True):
        by_row[row].append(item)
    for row in np.flatnonzero(~valid).tolist():
        rejects.row(chunk.file, int(chunk.lines[row]), int(chunk.records[row]), by_row[row])
    rejected = int((~valid).sum())
    totals.rows_in += len(chunk)
    totals.rejected += rejected
    totals.records_out += len(chunk) - rejected


def _convert_file(spec: MappingSpec, plan: Plan, options: Options, path: str, writer: BatchWriter | BatchCounter,
                  builder: ReportBuilder, rejects: _Rejects, totals: Totals, progress: Progress) -> None:
    targets = [rule.target for rule in spec.fields]

    def start(source: Source | None = None, read: Sequence[str | None] = ()) -> None:
        """The report's file: the record's fields, and for a table the columns no rule reads (named as unknown
        columns: nothing the export holds is dropped unsaid), the encoding detected, title row and sheets."""
        if source is None:
            builder.start_file(path, format=spec.source.format, encoding=spec.source.encoding, headers=targets,
                               mapping={target: target for target in targets}, missing=())
            return
        taken = set(read)
        unread = [header for header in source.headers if header not in taken]
        builder.start_file(path, format=source.format, encoding=source.encoding, headers=[*targets, *unread],
                           mapping={**{target: target for target in targets}, **dict.fromkeys(unread)}, missing=(),
                           title=source.title, header_is_data=looks_like_data(source.headers), sheet=source.sheet,
                           sheets=source.sheets, merged=source.merged, merged_filled=source.merged_filled)

    if spec.source.format == "xml":
        start()
    # the next chunk is read while this one is checked, and the previous one written and reported, in order
    # (cli/_pipeline.py): the writer's Arrow joins, hashing and file writes overlap the core's checks; a table's
    # report file is started by the reader, once it has opened the file, before the first chunk
    depth = overlap()
    with InOrder(depth) as behind:
        chunks = convert_source(spec, path, show_pii=options.show_pii, opened=start)
        for item in read_ahead(iter(chunks), depth=depth):
            if isinstance(item, RowProblem):
                behind.submit(_reject_problem, item, builder, rejects, totals)
                progress.update(rows=1)
                continue
            result = validate_table(plan, item.batch, file=item.file, lines=item.lines, show_pii=options.show_pii)
            checked = combine_rows(item, result)
            good = np.flatnonzero(checked[0])
            made = writer.make_lines(item.batch, good.tolist(), cells=result.cells) if len(good) else None
            rows = len(item)
            behind.submit(_write_chunk, item, result, checked, made, writer, builder, rejects, totals)
            del item, result, checked, made  # held by the thread behind only: freed once written
            progress.update(rows=rows)
    builder.end_file()


def _reject_problem(item: RowProblem, builder: ReportBuilder, rejects: _Rejects, totals: Totals) -> None:
    """Report and count a row the engine could not read."""
    problem = item.finding()
    builder.add_rejected_row(problem)
    rejects.row(item.file, item.line, item.record, [problem])
    totals.rows_in += 1
    totals.rejected += 1


def _rejects_target(options: Options) -> Path | None:
    if options.dry_run:
        return None
    if options.rejects is not None:
        return options.rejects
    assert options.folder is not None
    return default_rejects(options.folder)


def _summary(totals: Totals, options: Options, rejects: Path | None) -> tuple[str, str]:
    zh = f"读入 {totals.rows_in} 行 = 写出 {totals.records_out} 条 + 拒收 {totals.rejected} 条"
    en = f"{totals.rows_in} rows in = {totals.records_out} records out + {totals.rejected} rejected"
    if options.dry_run:
        return zh + "（试运行：未写出任何文件）", en + " (dry run: nothing written)"
    def shown(path: Path | None) -> str:  # the output paths, as the inputs are: an ID number in them masked
        return str(path) if options.show_pii else redact(str(path))

    where_zh = f"；批次 {shown(options.folder)}" if totals.records_out else ""
    where_en = f"; batch {shown(options.folder)}" if totals.records_out else ""
    if totals.rejected:
        where_zh += f"；拒收记录见 {shown(rejects)}"
        where_en += f"; rejects in {shown(rejects)}"
    return zh + where_zh, en + where_en


def run(options: Options) -> int:
    """Convert every input, write the batch, rejects and report; return the exit code."""
    pa.set_memory_pool(pa.system_memory_pool())  # as `creditstd validate`: freed pages go back to the system
    spec = resolve_mapping(options.mapping)
    if options.sheet is not None:
        if spec.source.format != "xlsx":
            raise click.UsageError(bilingual(
                f"--sheet 只用于读XLSX工作簿的映射；映射 {spec.name} 读 {spec.source.format}",
                f"--sheet applies to a mapping that reads XLSX workbooks; mapping {spec.name} reads "
                f"{spec.source.format}"))
        spec = dataclasses.replace(spec, source=dataclasses.replace(spec.source, sheet=options.sheet))
    # the mapping file is an input no output may replace; a built-in mapping's name is no file of the user's
    mapping_file = [options.mapping] if Path(options.mapping).is_file() else []
    paths = expand_inputs(options.inputs)
    rejects_path = _rejects_target(options)
    refuse_shared_outputs((("--report", options.report), ("--rejects", rejects_path)), [*paths, *mapping_file],
                          folder=None if options.dry_run else ("-o/--output", options.folder))
    plan = compile_plan(spec.class_name, strict=options.strict, today=options.today)
    writer: BatchWriter | BatchCounter
    try:
        if options.dry_run:  # the same lines made and the same rows refused, nothing written
            writer = BatchCounter(spec.class_name, rule_set=options.rule_set, on=options.today,
                                  strict=options.strict)
        else:
            assert options.folder is not None and options.department is not None
            assert options.department_uscc is not None
            writer = BatchWriter(options.folder, spec.class_name, department=options.department,
                                 department_uscc=options.department_uscc, rule_set=options.rule_set,
                                 on=options.today, validate=False, strict=options.strict,
                                 created=created_time(options.today))
    except (CatalogueError, ValidationError) as error:
        raise writer_usage_error(error) from None
    made = None if options.folder is None or options.dry_run else \
        prepare_output_dir(options.folder, force=options.force, inputs=[*paths, *mapping_file])
    builder = ReportBuilder(class_name=spec.class_name,
                            class_reason=(f"由映射 {spec.name} 指定：{spec.class_name}",
                                          f"given by the mapping {spec.name}: {spec.class_name}"),
                            strict=options.strict, max_errors=options.max_errors, show_pii=options.show_pii,
                            rule_set=options.rule_set, fail_when_empty=True)
    totals = Totals()
    empty = False
    committed_rejects: Path | None = None  # the rejects file, once renamed into place
    try:
        # the report's file is opened first (a report that cannot be written stops the run before any output)
        # and renamed into place last; the batch is committed once the rejects are in place and the report is
        # written out (to stdout, flushed): a batch that verifies is never left without the rejects its manifest
        # counts, and a failure before it discards the batch and leaves an older one and its rejects as they were
        with output_stream(options.report, private=options.show_pii) as out:
            try:
                with writer if isinstance(writer, BatchWriter) else contextlib.nullcontext(writer):
                    with ExitStack() as stack:
                        as_csv = rejects_path is not None and _as_csv(rejects_path)
                        stream = None if rejects_path is None else stack.enter_context(
                            output_stream(rejects_path, "utf-8-sig" if as_csv else "utf-8", private=True))
                        rejects = _Rejects(stream, as_csv, spec, options.show_pii)
                        # rows and rows/s: the engine does not say how far into a file it has read: no percentage
                        progress = stack.enter_context(Progress(total_bytes=None, label="转换 convert",
                                                                enabled=options.progress))
                        for path in paths:
                            progress.start_file(path)
                            _convert_file(spec, plan, options, path, writer, builder, rejects, totals, progress)
                        if isinstance(writer, BatchWriter):
                            writer.account(rows_in=totals.rows_in, rejected=totals.rejected)
                        progress.clear()  # the report comes after the progress line, not over it
                        # before the rejects are renamed into place: a report not written leaves older ones
                        with naming_failures(options.report):
                            write_report(builder.finish(), options.output_format, out, lang=options.lang)
                            out.flush()  # a reader gone from stdout is found here, before the rejects are in place
                    committed_rejects = rejects_path
            except CatalogueError as error:  # inside the report's block: the report of such a run is kept
                if error.code != "exchange.empty":
                    raise
                empty = True  # the writer left nothing; the rejects say why every row was refused
    except BaseException:
        _discard_rejects(committed_rejects)  # the rejects of a batch that was not written
        if options.folder is not None:
            remove_made_dirs(options.folder, made)  # a failed run leaves no folder it made
        raise
    if empty and options.folder is not None:
        leave_no_batch(options.folder, made)
    zh, en = _summary(totals, options, rejects_path)
    if not totals.records_out:
        zh, en = f"没有可转换的记录：未写出批次；{zh}", f"no record could be converted: no batch written; {en}"
    click.echo(bilingual(zh, en), err=True)
    return 1 if totals.rejected or not totals.records_out else 0


def _discard_rejects(path: Path | None) -> None:
    """Remove the rejects file of a run that failed after writing it (a device or a pipe stays)."""
    if path is not None and path.is_file():
        with contextlib.suppress(OSError):
            path.unlink()


#: Problems of a mapping listed in the error, at most (the rest counted).
_SHOWN_PROBLEMS = 20


def _every_problem(error: MappingError) -> tuple[str, str]:
    """The messages of a mapping's problems, one per line (the first may follow from a later one: a misspelt
    key leaves its rule without a source), in Chinese and in English."""
    problems = error.problems[:_SHOWN_PROBLEMS]
    if len(problems) < 2:
        return error.message_zh, error.message_en
    more = len(error.problems) - len(problems)
    zh = f"映射有{len(error.problems)}处问题：\n" + "\n".join(f"  {problem.message_zh}" for problem in problems)
    en = f"the mapping has {len(error.problems)} problems:\n" + "\n".join(f"  {problem.message_en}"
                                                                          for problem in problems)
    if more:
        zh, en = f"{zh}\n  （另有{more}处）", f"{en}\n  (and {more} more)"
    return zh, en


def _as_csv(path: Path) -> bool:
    return path.name.lower().endswith(".csv")


def _required(options: Iterable[tuple[str, object]]) -> None:
    missing = [name for name, value in options if value is None]
    if missing:
        names = "、".join(missing)
        raise click.UsageError(bilingual(f"缺少选项 {names}（试运行 --dry-run 除外）",
                                         f"missing option {', '.join(missing)} (needed unless --dry-run)"))


@click.command("convert")
@click.argument("inputs", nargs=-1, required=True, metavar="FILE...")
@click.option("--mapping", "mapping", required=True, metavar="M",
              help="映射文件，或内置映射的名称 / mapping file, or the name of a built-in mapping")
@click.option("-o", "--output", "folder", type=click.Path(path_type=Path, file_okay=False),
              help="批次文件夹（须为新的或空的；除 --dry-run 外必填） / batch folder to write (new or empty; "
                   "required unless --dry-run)")
@click.option("--department", help="报送部门名称（除 --dry-run 外必填） / sending department, for the manifest "
                                   "(required unless --dry-run)")
@click.option("--department-uscc", help="报送部门统一社会信用代码（除 --dry-run 外必填） / its unified social credit "
                                        "code (required unless --dry-run)")
@click.option("--rule-set", help="公示规则集 / display rule set for the lifecycle (default: the catalogue's)")
@click.option("--on", "today", type=click.DateTime(["%Y-%m-%d"]),
              help="日期规则与生命周期的“今天”，清单创建时间为当日 00:00:00+08:00（默认今天） / the day date rules "
                   "and the lifecycle take for today; the manifest's created is that day at 00:00:00+08:00 "
                   "(default: today)")
@click.option("--strict", is_flag=True, help="对代码做严格校验 / strict identifier checks")
@click.option("--rejects", type=click.Path(path_type=Path, dir_okay=False),
              help="拒收记录文件（默认在批次文件夹旁：<文件夹>.rejects.jsonl；以 .csv 结尾则写 CSV），仅本人可读 / "
                   "rejects file (default beside the batch folder: <folder>.rejects.jsonl; a name ending in .csv "
                   "gets CSV for Excel), owner-only")
@click.option("--report", type=click.Path(path_type=Path, dir_okay=False, writable=True),
              help="报告写入文件（默认标准输出） / write the report to this file (default stdout)")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="报告格式 / report format")
@click.option("--max-errors", type=click.IntRange(min=0), default=1000, show_default=True,
              help="报告中最多列出的错误示例数（计数始终准确） / most error examples listed (counts stay exact)")
@click.option("--lang", type=click.Choice(["zh", "en", "both"]), default="both", show_default=True,
              help="报告语言 / language of the report")
@click.option("--show-pii", is_flag=True,
              help="在报告与拒收文件中完整显示自然人姓名与证件号码 / show names and ID numbers of natural persons in "
                   "full in the report and the rejects")
@click.option("--force", is_flag=True,
              help="输出文件夹非空时仍写入（只替换本命令写的文件） / write into a non-empty output folder "
                   "(only the files this command writes are replaced)")
@click.option("--dry-run", is_flag=True, help="转换并报告，不写任何文件 / convert and report, write nothing")
@click.option("--sheet", metavar="NAME",
              help="读取的工作表（XLSX；优先于映射的 [source] sheet） / the workbook sheet to read (XLSX; over the "
                   "mapping's [source] sheet)")
@click.option("--progress/--no-progress", default=None,
              help="在标准错误上显示进度（默认：终端且不在 CI 中） / show progress on stderr (default: on a terminal, "
                   "not in CI)")
def convert_command(inputs: tuple[str, ...], mapping: str, folder: Path | None, department: str | None,
                    department_uscc: str | None, rule_set: str | None, today: datetime | None, strict: bool,
                    rejects: Path | None, report: Path | None, output_format: str, max_errors: int, lang: str,
                    show_pii: bool, force: bool, dry_run: bool, sheet: str | None, progress: bool | None) -> None:
    """按映射把部门导出转为交换批次 / Convert departmental exports into an exchange batch.

    \b
    读入行数 = 写出记录数 + 拒收数，写入清单（accounting）与摘要 / rows in = records out + rejected, in the
    manifest (accounting) and the summary.
    退出码 / exit codes: 0 全部转换 all converted; 1 有拒收（或无一转换，此时不写批次） some rejected (or none
    converted: then no batch is written); 2 用法、映射或输入错误 usage, mapping or input error (nothing is left
    behind).
    """
    if not dry_run:
        _required((("-o/--output", folder), ("--department", department), ("--department-uscc", department_uscc)))
    if not mapping.strip():
        raise click.UsageError(bilingual("--mapping 不能为空：给出映射文件或内置映射的名称",
                                         "--mapping is empty: give a mapping file or a built-in mapping's name"))
    if report is not None and (not str(report).strip() or report.is_dir()):  # found before anything is written
        raise click.UsageError(bilingual(f"--report 须为文件的路径（不能是文件夹）：{report}",
                                         f"--report must name a file, not a folder: {report}"))
    options = Options(inputs, mapping, folder, department, department_uscc, rule_set,
                      today.date() if today else date.today(), strict, rejects, report, output_format, max_errors,
                      lang, show_pii, force, dry_run, progress, sheet)
    try:
        code = run(options)
    except MappingError as error:
        raise InputError(*_every_problem(error)) from None
    except SourceError as error:
        raise InputError(error.message_zh, error.message_en) from None
    except CatalogueError as error:
        raise click.UsageError(bilingual(error.message_zh, error.message_en)) from None
    sys.exit(code)
