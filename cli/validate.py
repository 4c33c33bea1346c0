"""``creditstd validate``: check departmental exports against a catalogue class, for stewards and CI gates.

Each input (CSV/TSV in UTF-8, GBK or UTF-16, XLSX, JSON Lines, an exchange
batch, gzipped or not, globs, ``-`` for stdin) is read in Arrow batches by
:mod:`creditstd.sources`, its headers mapped to the class's fields
(:mod:`creditstd.records.decode`), every batch checked by the one compiled
core (:func:`creditstd.records.plan.validate_table`), and the findings
gathered by a :class:`~creditstd.reports.ReportBuilder` whose report is
written in the chosen format.  The class is ``--class`` or, when omitted,
the one the first file's headers match best (the report says which and
why).  A JSON Lines or exchange value keeps its JSON type: one of another
type than its field's is rejected as ``exchange pack`` rejects it
(:func:`_json_types`); a JSON key that names no field is, like a column, an
unknown column of the file.

Nothing read is dropped: every row is valid or rejected (a row the reader
could not read counts as rejected), and the report states rows read =
valid + rejected for every file.  ``--rejects`` writes the rejected rows
unchanged (same format, encoding and delimiter for CSV/TSV; XLSX rows as
UTF-8 CSV with a BOM for Excel; JSON Lines and exchange rows as JSON Lines,
the line's object under ``record`` exactly as read),
each with its line and the reasons, private (0600), cells that Excel would
run as a formula guarded with a leading ``'``.  A row the reader could not
read is written cell by cell too (a ragged row's extra cells after the
header's last column, then its line and reasons); one that does not read as
cells (an unterminated quote) is its text, as read, in the first cell.  With several inputs
``--rejects`` names a folder that gets one rejects file per input.

Exit codes: 0 valid; 1 invalid data (or warnings with ``--fail-on
warning``); 2 usage error or unreadable input.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Literal

import click
import numpy as np
import pyarrow as pa

from creditstd.cli._io import (
    InputError,
    make_private_dir,
    output_stream,
    refuse_shared_outputs,
    remove_made_dirs,
)
from creditstd.cli._pipeline import InOrder, overlap, read_ahead
from creditstd.cli.progress import Progress, file_size, total_size
from creditstd.codes.redact import redact
from creditstd.exceptions import CatalogueError, bilingual
from creditstd.findings import Finding
from creditstd.records.decode import field_type, infer_class, resolve_headers
from creditstd.records.duplicates import DuplicateKeys
from creditstd.records.model import record_class
from creditstd.records.plan import (
    Plan,
    TableResult,
    compile_plan,
    keyed_batch,
    spelling_conflicts,
    validate_table,
)
from creditstd.records.validation import validator
from creditstd.reports import FORMATS, ReportBuilder, write_report
from creditstd.sources import RowProblem, Rows, Source, SourceError, TableChunk, expand_inputs, open_table
from creditstd.sources.jsonl import JsonChunk
from creditstd.sources.sniff import looks_like_data

__all__ = ["validate_command"]

#: A cell Excel would run as a formula (=, +, -, @, a tab or carriage return first) unless it is a plain number.
_FORMULA = re.compile(r"[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def excel_safe(cell: str | None) -> str:
    """``cell`` as a rejects CSV holds it: a leading ``'`` keeps Excel from running it as a formula.

    >>> excel_safe('=HYPERLINK("http://x")'), excel_safe('-0.2'), excel_safe('@SUM(A1)'), excel_safe(None)
    ('\\'=HYPERLINK("http://x")', '-0.2', "'@SUM(A1)", '')
    """
    if cell is None:
        return ""
    return "'" + cell if _FORMULA.match(cell) and not _PLAIN_NUMBER.fullmatch(cell) else cell


@dataclass(frozen=True)
class Options:
    """What the user asked for, parsed from the command line."""

    inputs: tuple[str, ...]
    class_name: str | None
    strict: bool
    output_format: str
    output: Path | None
    rejects: Path | None
    max_errors: int
    lang: str
    show_pii: bool
    fail_on: Literal["error", "warning"]
    encoding: str | None
    header_row: int | None
    sheet: str | None
    today: date
    #: Show the progress line: None decides (a terminal, not CI), True/False forces.
    progress: bool | None = None
    #: Read each cell of an XLSX merged range as holding the range's value.
    fill_merged: bool = False


def _line_text(raw: bytes) -> str:
    """A JSON line as read (one object: it was parsed), without its line break, to be written into another."""
    return raw.decode("utf-8", "replace").rstrip("\r\n")


def _reasons(findings: Sequence[Finding]) -> str:
    return "；".join(f"{finding.code} {finding.path}: {finding.message_zh} / {finding.message_en}"
                    for finding in findings)


class _Rejects:
    """Rejected rows of one input, written as the input was (see the module docstring)."""

    def __init__(self, stack: ExitStack, path: Path, source: Source, show_pii: bool) -> None:
        self.source = source
        self.show_pii = show_pii
        self.delimited = source.format in ("csv", "tsv", "xlsx")
        encoding = "utf-8-sig" if source.format == "xlsx" or not source.encoding else source.encoding
        if encoding.lower().replace("_", "-") in ("utf-16", "utf-16-le", "utf-16-be"):
            encoding = "utf-16"
        self.stream: IO[str] = stack.enter_context(output_stream(path, encoding, private=True))
        reconfigure = getattr(self.stream, "reconfigure", None)  # a text file's (output_stream's wraps one)
        if reconfigure is not None:  # the rows fit their own encoding; the reasons' Chinese may not (latin-1,
            reconfigure(errors="backslashreplace")  # big5): written as \uXXXX
        if self.delimited:
            self.writer = csv.writer(self.stream, delimiter=source.delimiter or ",", lineterminator="\r\n")
            self.writer.writerow([excel_safe(header) for header in (*source.headers, "_line", "_errors")])

        #: Rows the reader could not read, held until the rows of the chunk they came with (the reader gives
        #: them first) so that the file is in line order.
        self._held: list[RowProblem] = []

    def rows(self, chunk: TableChunk, rows: Sequence[int], findings: dict[int, list[Finding]]) -> None:
        """Write the failing ``rows`` of ``chunk``, and the unreadable rows held, in line order."""
        held, self._held = sorted(self._held, key=lambda problem: problem.line), []
        next_held = 0
        if not self.show_pii:  # the rows stay as they were; the reasons name no ID number, nor does a file name
            findings = {row: [finding.masked() for finding in findings[row]] for row in rows}
        taken = chunk.batch.take(pa.array(rows, pa.int64()))
        columns = [column.to_pylist() for column in taken.columns]
        for position, row in enumerate(rows):
            cells = [column[position] for column in columns]
            line = int(chunk.lines[row])
            while next_held < len(held) and held[next_held].line < line:
                self._write_problem(held[next_held])
                next_held += 1
            if self.delimited:
                self.writer.writerow([*(excel_safe(cell) for cell in cells), str(line),
                                      excel_safe(_reasons(findings[row]))])
            elif chunk.raw_lines is not None:  # the object as it was: its types, nesting and keys
                errors = json.dumps([finding.to_json() for finding in findings[row]], ensure_ascii=False)
                self.stream.write(f'{{"line": {line}, "record": {_line_text(chunk.raw_lines[row])}, '
                                  f'"errors": {errors}}}\n')
            else:
                self.stream.write(json.dumps({"line": line, "record": dict(zip(taken.schema.names, cells,
                                                                                strict=True)),
                                              "errors": [finding.to_json() for finding in findings[row]]},
                                             ensure_ascii=False) + "\n")
        for problem in held[next_held:]:
            self._write_problem(problem)

    def _cells(self, problem: RowProblem) -> Sequence[str]:
        """An unreadable row as cells, each in its own column (a ragged row's cells past the header's last
        column after it, then the line and the reasons); a row that does not read as cells (an unterminated
        quote) is its text in the first cell, as read."""
        if problem.cells is not None:
            return problem.cells
        if self.source.format in ("csv", "tsv"):
            cells = _split_line(problem.raw, self.source.delimiter or ",")
            if cells is not None:
                return cells
        return [problem.raw]

    def problem(self, problem: RowProblem) -> None:
        """Hold a row the reader could not read, to be written in line order with the rows read."""
        self._held.append(problem)

    def flush(self) -> None:
        """Write the unreadable rows still held (after the last chunk of the file)."""
        for problem in sorted(self._held, key=lambda problem: problem.line):
            self._write_problem(problem)
        self._held = []

    def _write_problem(self, problem: RowProblem) -> None:
        finding = problem.finding() if self.show_pii else problem.finding().masked()
        if self.delimited:
            cells = self._cells(problem)
            width = len(self.source.headers)
            self.writer.writerow([*(excel_safe(cell) for cell in cells), *([""] * (width - len(cells))),
                                  str(problem.line), excel_safe(_reasons([finding]))])
        else:
            self.stream.write(json.dumps({"line": problem.line, "raw": problem.raw, "errors": [finding.to_json()]},
                                         ensure_ascii=False) + "\n")


def _split_line(raw: str, delimiter: str) -> list[str] | None:
    """A delimited row's text as its cells, None when it does not read as one row (an unterminated quote)."""
    try:
        rows = list(csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 else None


def rejects_paths(rejects: Path | None, paths: Sequence[str]) -> list[Path | None]:
    """Where each input's rejected rows go: ``rejects`` itself for one input; for several, a file per input in
    the folder ``rejects``, named after the input, and told apart by a number when two inputs share a name.

    The suffix follows the name (``.csv`` for delimited text and XLSX, whose rows are written as CSV; else
    ``.jsonl``); where the format read says otherwise (stdin, ``.txt``), :func:`_fitting` changes it.

    >>> [str(path) for path in rejects_paths(Path('out'), ['a.csv', 'sub/a.csv', 'b.jsonl', 'UP.TSV', '-'])]
    ['out/a.csv.rejects.csv', 'out/a.csv.2.rejects.csv', 'out/b.jsonl.rejects.jsonl', 'out/UP.TSV.rejects.csv', \
'out/stdin.rejects.jsonl']
    >>> [path.name for path in rejects_paths(Path('out'), ['x/a.csv', 'y/a.csv', 'a.csv.2'])]
    ['a.csv.rejects.csv', 'a.csv.2.rejects.csv', 'a.csv.2.2.rejects.jsonl']
    """
    if rejects is None:
        return [None] * len(paths)
    if len(paths) == 1:
        return [rejects]
    targets: list[Path | None] = []
    used: set[str] = set()
    for path in paths:
        name = "stdin" if path == "-" else Path(path).name
        guessed = name.lower().removesuffix(".gz").rsplit(".", 1)[-1]
        suffix = _rejects_suffix(guessed)
        # told apart before the suffix, which the format read may still change (:func:`_fitting`): an input
        # named a.csv.2 after two called a.csv gets a.csv.2.2
        stem, number = name, 1
        while stem in used:
            number += 1
            stem = f"{name}.{number}"
        used.add(stem)
        targets.append(rejects / f"{stem}.rejects{suffix}")
    return targets


def _rejects_suffix(format: str) -> str:
    """The suffix of a rejects file for input in ``format``: delimited text and XLSX rows are written as CSV."""
    return ".csv" if format in ("csv", "tsv", "xlsx") else ".jsonl"


def _fitting(target: Path, source: Source, outputs: Sequence[tuple[str, Path | None]], inputs: Sequence[str]) -> Path:
    """``target`` (one of several, :func:`rejects_paths`) with the suffix of the format ``source`` was read
    in: the rows are written back in it.  A changed name is checked as the first were, against every other
    output of the run (the report, the other rejects files, ``$GITHUB_STEP_SUMMARY``)."""
    fitting = target.with_name(target.name.removesuffix(target.suffix) + _rejects_suffix(source.format))
    if fitting != target:
        refuse_shared_outputs([("--rejects", fitting), *((option, other) for option, other in outputs
                                                          if other != target)], inputs)
    return fitting


def _choose_plan(options: Options, source: Source) -> tuple[Plan, tuple[str, str]]:
    if options.class_name:
        record_class(options.class_name)  # an unknown class is a usage error, before any row is read
        reason = (f"由 --class 指定：{options.class_name}", f"given with --class: {options.class_name}")
        name = options.class_name
    elif source.class_name:  # an exchange batch says what it holds, even when no record can be read
        name = source.class_name
        reason = (f"由交换批次的清单指定：{name}", f"named by the exchange batch's manifest: {name}")
    else:
        guess = infer_class(source.headers)
        name, reason = guess.name, (guess.reason_zh, guess.reason_en)
    return compile_plan(name, strict=options.strict, today=options.today), reason


def _refuse_another_class(class_name: str, source: Source, first: str, show_pii: bool) -> None:
    """Exit 2 when, the class not given, a later input is another class's (a batch's manifest names it, or its
    headers name more fields of another class than of the run's, inferred from the first input): one run checks
    one class, and the first file's must not be applied to the rest."""
    if source.class_name:
        other, why = source.class_name, ("交换批次的清单所指", "named by its batch's manifest")
    else:
        try:
            guess = infer_class(source.headers)
        except CatalogueError:
            return  # no header names any field: the file is judged as the run's class (every column unknown)
        if guess.name == class_name or guess.matched <= resolve_headers(class_name, source.headers).matched:
            return
        other, why = guess.name, (f"表头 {guess.headers} 列中 {guess.matched} 列对应其字段",
                                  f"{guess.matched} of its {guess.headers} columns name its fields")
    if other == class_name:
        return
    path, first = (source.path, first) if show_pii else (redact(source.path), redact(first))
    raise InputError(f"{path} 看来是 {other}（{why[0]}），而本次按 {class_name} 校验（由 {first} 确定）："
                     "请分别校验，或用 --class 指定",
                     f"{path} looks like {other} ({why[1]}), but this run checks {class_name} (taken from "
                     f"{first}): validate the files separately, or give --class")


def _validate_file(builder: ReportBuilder, plan: Plan, options: Options, source: Source, items: Rows,
                   rejects: _Rejects | None, progress: Progress, duplicates: DuplicateKeys) -> None:
    mapping = resolve_headers(plan.class_name, source.headers, source.repeats)
    builder.start_file(source.path, format=source.format, encoding=source.encoding, headers=source.headers,
                       mapping=mapping.fields, missing=mapping.missing, title=source.title,
                       header_is_data=looks_like_data(source.headers), sheet=source.sheet, sheets=source.sheets,
                       merged=source.merged, merged_filled=source.merged_filled)
    # the next chunk is read while this one is checked, and the previous one reported (cli/_pipeline.py)
    depth = overlap()
    headers = list(mapping.fields)
    with InOrder(depth) as behind:
        for item in read_ahead(items, depth=depth):
            if isinstance(item, RowProblem):
                behind.submit(_report_problem, builder, rejects, item)
                progress.update(rows=1, bytes_done=items.bytes_read)
                continue
            new = [name for name in item.batch.schema.names if name not in mapping.fields]
            if new:  # a JSON Lines key first seen in a later record: mapped and checked from here on
                headers += new
                mapping = resolve_headers(plan.class_name, headers)
                behind.submit(builder.add_headers, new, mapping.fields, mapping.missing)
            keyed = keyed_batch(item.batch, mapping.fields)
            result = validate_table(plan, keyed, file=source.path, lines=item.lines, show_pii=options.show_pii)
            if isinstance(item, JsonChunk):
                result = _json_types(plan, item, mapping.fields, result, source.path, options.show_pii)
            if mapping.duplicate:  # a field's second spelling: rows whose spellings disagree are rejected
                result = result.with_values(plan, spelling_conflicts(plan, item.batch, mapping.fields),
                                            file=source.path, lines=item.lines, show_pii=options.show_pii)
            behind.submit(_report_rows, builder, rejects, duplicates, source.path, item, keyed, result)
            progress.update(rows=item.batch.num_rows, bytes_done=items.bytes_read)
    if rejects:
        rejects.flush()
    builder.end_file()


@functools.cache
def _field_types(class_name: str) -> dict[str, str]:
    cls = record_class(class_name)
    return {key: field_type(cls, key) for key in cls.fields}


def _json_types(plan: Plan, chunk: JsonChunk, fields: Mapping[str, str | None], result: TableResult, path: str,
                show_pii: bool) -> TableResult:
    """``result`` (the rows of a JSON chunk checked by their cells' text) with every value whose JSON type is
    not its field's judged as the value it is, as ``exchange pack`` judges it: ``"5000"`` where the catalogue
    wants a number, ``2403`` or ``{...}`` where it wants text, ``"罚款"`` where it wants an array, ``"是"`` where
    it wants a boolean, an array holding a null item (the cell's text reads as a number, a list, an empty
    cell...).  One comparison of kinds per column (nothing at all for a text column read as a text field); only
    the values of another type go to the row path, for their field's findings (``record.type`` at ``$.field``,
    or what the field's schema says instead, such as ``record.enum``).  A null stays an empty cell."""
    types = _field_types(plan.class_name)
    check = validator(plan.class_name, plan.strict)
    errors: dict[int, dict[str, Sequence[Finding]]] = defaultdict(dict)
    for header, key in fields.items():
        if key is None:
            continue
        for row in chunk.wrong_types(header, types[key]).tolist():
            found = check.field_errors(key, chunk.value(header, row))
            if found:
                errors[row][key] = found
    if not errors:
        return result
    return result.with_values(plan, errors, file=path, lines=chunk.lines, show_pii=show_pii)


def _report_problem(builder: ReportBuilder, rejects: _Rejects | None, problem: RowProblem) -> None:
    builder.add_rejected_row(problem.finding())
    if rejects:
        rejects.problem(problem)


def _report_rows(builder: ReportBuilder, rejects: _Rejects | None, duplicates: DuplicateKeys, path: str,
                 chunk: TableChunk, keyed: pa.RecordBatch, result: TableResult) -> None:
    # repeated records are looked for here, in the reporting thread, which takes the batches in read order
    # (the first occurrence is kept) and has less to do than the checking one
    result = result.with_duplicates(duplicates.check(keyed, file=path, lines=chunk.lines, valid=result.valid))
    builder.add_rows(result.cells, chunk.lines, result.valid, result.findings, trimmed=True)
    if rejects:
        by_row: dict[int, list[Finding]] = defaultdict(list)
        for finding, row in zip(result.findings, result.rows.tolist(), strict=True):
            by_row[row].append(finding)
        rejects.rows(chunk, np.flatnonzero(~result.valid).tolist(), by_row)


def run(options: Options) -> int:
    """Validate every input, write the report (and rejects), return the exit code."""
    # Arrow's default allocator (mimalloc) keeps freed pages for reuse; over a long run the C library's gives
    # them back, which keeps the peak about 40 MB lower at no measurable cost in speed
    pa.set_memory_pool(pa.system_memory_pool())
    paths = expand_inputs(options.inputs)
    targets = rejects_paths(options.rejects, paths)
    outputs = [("--output", options.output), *(("--rejects", target) for target in targets)]
    summary = os.environ.get("GITHUB_STEP_SUMMARY") if options.output_format == "github" else None
    if summary:  # the Markdown summary is appended there: never to an input, nor to a file the run replaces
        outputs.append(("$GITHUB_STEP_SUMMARY", Path(summary)))
    refuse_shared_outputs(outputs, paths)
    folder = options.rejects if len(paths) > 1 else None  # a failed run takes back the folder it made
    made = make_private_dir(folder) if folder is not None else None
    try:
        return _run(options, paths, targets, outputs)
    except BaseException:
        if folder is not None:
            remove_made_dirs(folder, made)
        raise


def _run(options: Options, paths: list[str], targets: list[Path | None],
         outputs: Sequence[tuple[str, Path | None]]) -> int:
    builder: ReportBuilder | None = None
    plan: Plan | None = None
    duplicates: DuplicateKeys | None = None
    with ExitStack() as stack:
        progress = stack.enter_context(Progress(total_bytes=total_size(paths), label="校验 validate",
                                                enabled=options.progress))
        for path, target in zip(paths, targets, strict=True):
            progress.start_file(path, size=file_size(path))
            source, items = open_table(path, encoding=options.encoding, header_row=options.header_row,
                                       sheet=options.sheet, raw_lines=target is not None,
                                       fill_merged=options.fill_merged)
            if plan is not None and not options.class_name:
                _refuse_another_class(plan.class_name, source, paths[0], options.show_pii)
            if plan is None or builder is None or duplicates is None:
                plan, reason = _choose_plan(options, source)
                duplicates = DuplicateKeys(plan.class_name, show_pii=options.show_pii)
                builder = ReportBuilder(class_name=plan.class_name, class_reason=reason, strict=options.strict,
                                        max_errors=options.max_errors, show_pii=options.show_pii,
                                        rule_set=None, fail_on=options.fail_on)
            if target is not None and len(paths) > 1:
                target = _fitting(target, source, outputs, paths)
            rejects = _Rejects(stack, target, source, options.show_pii) if target is not None else None
            _validate_file(builder, plan, options, source, items, rejects, progress, duplicates)
        assert builder is not None  # expand_inputs never returns an empty list
        report = builder.finish()
    with output_stream(options.output, private=options.show_pii) as stream:  # names and IDs in full
        write_report(report, options.output_format, stream, lang=options.lang)
    return int(report.exit_status)


@click.command("validate")
@click.argument("inputs", nargs=-1, required=True, metavar="FILE...")
@click.option("--class", "class_name", metavar="CLASS",
              help="信息类别（省略时由表头推断） / catalogue class (inferred from the headers when omitted)")
@click.option("--strict", is_flag=True, help="对代码做严格校验 / strict identifier checks")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="报告格式 / report format")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="报告写入文件（默认标准输出） / write the report to this file (default stdout)")
@click.option("--rejects", type=click.Path(path_type=Path),
              help="不合格行原样写入此文件（多个输入时为文件夹），附行号与原因，仅本人可读 / write rejected rows "
                   "unchanged with line and reasons to this file (a folder with several inputs), owner-only")
@click.option("--max-errors", type=click.IntRange(min=0), default=1000, show_default=True,
              help="报告中最多列出的错误示例数（计数始终准确） / most error examples listed (counts stay exact)")
@click.option("--lang", type=click.Choice(["zh", "en", "both"]), default="both", show_default=True,
              help="报告语言 / language of the report")
@click.option("--show-pii", is_flag=True,
              help="在报告中完整显示自然人姓名与证件号码 / show names and ID numbers of natural persons in full")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="error", show_default=True,
              help="何种问题使退出码为1 / what makes the exit code 1")
@click.option("--encoding", help="输入编码（默认自动识别：UTF-8、GBK、UTF-16） / input encoding (default: detected)")
@click.option("--header-row", type=click.IntRange(min=1), help="表头所在行（默认自动识别） / line of the header row")
@click.option("--sheet", help="XLSX 工作表名（默认第一个） / XLSX sheet (default: the first)")
@click.option("--fill-merged", is_flag=True,
              help="XLSX 合并单元格的每一格都按其值读取（默认只有左上一格有值） / read every cell of an XLSX merged "
                   "range as holding its value (default: only its top left cell does)")
@click.option("--on", "today", type=click.DateTime(["%Y-%m-%d"]),
              help="日期规则中的“今天”（默认今天） / the day date rules take for today (default: today)")
@click.option("--progress/--no-progress", default=None,
              help="在标准错误上显示进度（默认：终端且不在 CI 中） / show progress on stderr (default: on a terminal, "
                   "not in CI)")
def validate_command(inputs: tuple[str, ...], class_name: str | None, strict: bool, output_format: str,
                     output: Path | None, rejects: Path | None, max_errors: int, lang: str, show_pii: bool,
                     fail_on: Literal["error", "warning"], encoding: str | None, header_row: int | None,
                     sheet: str | None, fill_merged: bool, today: datetime | None, progress: bool | None) -> None:
    """校验部门导出的数据文件 / Validate departmental exports against a catalogue class.

    \b
    退出码 / exit codes: 0 全部有效 valid; 1 数据有误 invalid data; 2 用法或输入错误 usage error or unreadable input.
    """
    options = Options(inputs, class_name, strict, output_format, output, rejects, max_errors, lang, show_pii,
                      fail_on, encoding, header_row, sheet, today.date() if today else date.today(), progress,
                      fill_merged)
    try:
        code = run(options)
    except SourceError as error:
        raise InputError(error.message_zh, error.message_en) from None
    except CatalogueError as error:
        raise click.UsageError(bilingual(error.message_zh, error.message_en)) from None
    sys.exit(code)

