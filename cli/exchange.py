"""``creditstd exchange``: pack records into an exchange batch, and verify a batch you received.

``pack`` reads records of one class (JSON Lines, one record's data per line),
validates each, and writes the valid ones as a batch folder (``records.jsonl``
+ ``manifest.json``, atomically); every invalid or duplicate line goes to a
rejects file with its line number and errors, so nothing is lost.  The
rejects file holds the raw input (personal data), so it is written **next
to** the batch folder (``<folder>.rejects.jsonl``), never inside the folder
that is handed over, and readable by its owner only (mode 0600).  ``verify``
checks a batch: manifest, record count, SHA-256, envelopes, versions, record
ids and every record.  Messages never quote field values.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from creditstd.cli._io import (
    check_readable,
    leave_no_batch,
    output_stream,
    prepare_output_dir,
    read_lines,
    refuse_shared_outputs,
    remove_made_dirs,
    text_codec,
)
from creditstd.cli.signing import key_option, keygen_command, sign_command, signature_check
from creditstd.exceptions import CatalogueError, ValidationError, bilingual
from creditstd.findings import Finding
from creditstd.records.exchange import UNREADABLE, BatchWriter, RecordRejected, verify_batch
from creditstd.records.exchange_summary import is_summary, verify_summary
from creditstd.records.jsonline import JSON_WHITESPACE, MAX_LINE_BYTES, LineError, loads_record

__all__ = ["exchange_group"]

#: Problems that mean the batch could not be read at all (exit code 2), not that it is wrong (exit code 1).


def _error_json(error: Finding) -> dict[str, Any]:
    """A reason a line was rejected, as the rejects file gives it."""
    return {"path": error.path, "code": error.code, "message_zh": error.message_zh, "message_en": error.message_en}


def _problem_json(problem: Finding) -> dict[str, Any]:
    """A problem of ``verify --format json``: the file it is in, the line and record id of a record's."""
    where = problem.location
    return {"file": where and where.file, "line": where and (where.line or where.record),
            "record_id": where and where.record_id, "path": problem.path, "code": problem.code,
            "message_zh": problem.message_zh, "message_en": problem.message_en}


@click.group("exchange")
def exchange_group() -> None:
    """交换格式：打包与校验批次 / The exchange format: pack and verify batches."""


@exchange_group.command("verify")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="对代码做严格校验 / strict identifier checks")
@click.option("--no-validate", is_flag=True,
              help="只核对清单、数量、哈希与标识 / check manifest, count, hash and ids only")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式 / output format")
@click.option("--max", "limit", type=click.IntRange(min=1), default=50, show_default=True,
              help="文本输出最多列出的问题数 / most problems listed in text output")
@click.option("--show-pii", is_flag=True,
              help="完整显示问题中的证件号码（如作为字段名的号码） / show ID numbers in the problems in full (a "
                   "number written as a key, in a file name...)")
@key_option
def verify_command(path: Path, strict: bool, no_validate: bool, output: str, limit: int, show_pii: bool,
                   keys: tuple[Path, ...]) -> None:
    """校验收到的批次（文件夹或 manifest.json）或分片批次的汇总文件夹 / Verify a received batch (folder or
    manifest.json), or the folder of a run written in parts (summary.json and its part-NNNNN/ batches).

    With --key, the batch must also carry a valid signature by one of the trusted keys (see `exchange sign`);
    a summary folder is not signed as a whole (sign and check its parts).

    \b
    退出码 / exit codes: 0 完好 intact and valid; 1 有问题 problems found; 2 无法读取 unreadable.
    """
    summary = is_summary(path)
    if summary and keys:
        raise click.UsageError(bilingual("--key 用于单个批次：汇总文件夹请逐个校验其分片的签名",
                                         "--key checks one batch: check the signatures of a summary's parts one by "
                                         "one"))
    report = (verify_summary if summary else verify_batch)(path, validate=not no_validate, strict=strict)
    signed_by = None
    if keys:
        folder = path.parent if path.name == "manifest.json" else path
        problems, signed_by = signature_check(folder, keys, show_pii=show_pii)
        for problem in problems:  # an unreadable batch is listed once: verify_batch has said so already
            if not (problem.code in UNREADABLE and any(seen.code == problem.code for seen in report.problems)):
                report.add(problem)
    unreadable = any(problem.code in UNREADABLE  # a summary: its own file (a part that cannot be read is a problem)
                     and (not summary or (problem.location is not None and problem.location.file == "summary.json"))
                     for problem in report.problems)
    problems = report.problems if show_pii else [problem.masked() for problem in report.problems]
    if signed_by and output == "text":
        click.echo(f"✓ {signed_by}")
    if output == "json":
        click.echo(json.dumps({"ok": report.ok, "records": report.count, "problem_count": report.problem_count,
                               "signed_by": signed_by, **({"parts": getattr(report, "parts", 0)} if summary else {}),
                               "problems": [_problem_json(problem) for problem in problems]},
                              ensure_ascii=False, indent=2))
    else:
        for problem in problems[:limit]:
            click.echo(f"✗ {problem}")
        if report.problem_count > limit:
            click.echo(bilingual(f"……另有 {report.problem_count - limit} 个问题（--max 或 --format json 查看）",
                                 f"... {report.problem_count - limit} more (see --max or --format json)"))
    parts_zh, parts_en = (f"分片 {getattr(report, 'parts', 0)} 个，", f"{getattr(report, 'parts', 0)} parts, ") \
        if summary else ("", "")
    click.echo(bilingual(f"{parts_zh}记录 {report.count} 条，问题 {report.problem_count} 个",
                         f"{parts_en}{report.count} records, {report.problem_count} problems"), err=True)
    sys.exit(2 if unreadable else 0 if report.ok else 1)


exchange_group.add_command(keygen_command)
exchange_group.add_command(sign_command)


def _records(path: str, encoding: str) -> Iterator[tuple[int, str, Any]]:
    """(line number, text, the record or the :class:`LineError` that refuses it) for each non-blank line."""
    for number, text, overlong in read_lines(path, encoding, max_bytes=MAX_LINE_BYTES, skip_comments=False,
                                                  blank=JSON_WHITESPACE):
        try:
            if overlong:
                raise LineError("exchange.line_too_long")
            yield number, text, loads_record(text)
        except LineError as error:
            yield number, text, error


def writer_usage_error(error: CatalogueError | ValidationError) -> click.UsageError:
    """The usage error of a batch the command line describes badly: an unknown rule set, or a
    ``--department-uscc`` that is no valid code (named, since the message of the code's check does not)."""
    if isinstance(error, ValidationError):
        return click.UsageError(bilingual(f"--department-uscc：{error.message_zh}",
                                          f"--department-uscc: {error.message_en}"))
    return click.UsageError(bilingual(error.message_zh, error.message_en))


def default_rejects(folder: Path) -> Path:
    """Where rejects go by default: beside the batch folder, never inside it (``batch`` -> ``batch.rejects.jsonl``).

    >>> default_rejects(Path('out/batch')).as_posix().endswith('out/batch.rejects.jsonl')
    True
    """
    folder = folder.resolve()
    return folder.parent / f"{folder.name}.rejects.jsonl"


@exchange_group.command("pack")
@click.argument("class_name", metavar="CLASS")
@click.argument("source", metavar="RECORDS.jsonl")
@click.option("-o", "--output", "folder", required=True, type=click.Path(path_type=Path),
              help="批次文件夹（须为新的或空的） / batch folder to write (new or empty)")
@click.option("--department", required=True, help="报送部门名称 / sending department")
@click.option("--department-uscc", required=True, help="报送部门统一社会信用代码 / its unified social credit code")
@click.option("--rule-set", help="公示规则集 / display rule set for the lifecycle (default: the catalogue's)")
@click.option("--on", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="生命周期的计算日期 / date of the lifecycle")
@click.option("--strict", is_flag=True, help="对代码做严格校验 / strict identifier checks")
@click.option("--rejects", type=click.Path(path_type=Path),
              help="不合格记录输出文件（默认在批次文件夹旁：<文件夹>.rejects.jsonl，仅本人可读） / where rejected "
                   "lines go (default beside the batch folder: <folder>.rejects.jsonl, owner-only)")
@click.option("--encoding", default="utf-8-sig", show_default=True, help="输入编码 / input encoding")
@click.option("--force", is_flag=True,
              help="输出文件夹非空时仍写入（只替换本命令写的文件） / write into a non-empty output folder "
                   "(only the files this command writes are replaced)")
def pack_command(class_name: str, source: str, folder: Path, department: str, department_uscc: str,
                 rule_set: str | None, as_of: datetime | None, strict: bool, rejects: Path | None,
                 encoding: str, force: bool) -> None:
    """把某类记录打包为交换批次 / Pack records of CLASS into an exchange batch.

    \b
    退出码 / exit codes: 0 全部打包 all packed; 1 有记录被拒 some rejected (see the rejects file), or none
    accepted (then no batch is written: an empty batch is not a batch); 2 用法或输入错误 usage or input
    error (nothing is left behind, not even a folder).
    """
    try:
        writer = BatchWriter(folder, class_name, department=department, department_uscc=department_uscc,
                             rule_set=rule_set, on=as_of.date() if as_of else date.today(), strict=strict)
    except (CatalogueError, ValidationError) as error:
        raise writer_usage_error(error) from None
    rejects = rejects or default_rejects(folder)
    refuse_shared_outputs([("--rejects", rejects)], [source], folder=("-o/--output", folder))
    text_codec(encoding)
    check_readable(source)  # a missing or unreadable input stops here, before any output exists
    made = prepare_output_dir(folder, force=force, inputs=[source])
    rejected = 0
    empty = False
    try:
        with output_stream(rejects, private=True) as rejects_stream:
            try:
                with writer:
                    for number, text, record in _records(source, encoding):
                        found = _refusals(writer, record)
                        if found:  # the line itself goes with its reasons: nothing is lost
                            rejected += 1
                            line = {"line": number, "errors": [_error_json(error) for error in found], "input": text}
                            rejects_stream.write(json.dumps(line, ensure_ascii=False) + "\n")
            except CatalogueError as error:
                if error.code != "exchange.empty":
                    raise
                empty = True  # the writer left nothing; the rejects say why every line was refused
    except BaseException:
        remove_made_dirs(folder, made)  # a run that failed leaves no folder behind that it made
        raise
    if empty:  # no batch of this run may be mistaken for one: not the folder it made, not an older batch there
        leave_no_batch(folder, made)
        click.echo(bilingual(f"没有可打包的记录：未写出批次；拒收 {rejected} 条（见 {rejects}）",
                             f"no record could be packed: no batch written; {rejected} rejected (see {rejects})"),
                   err=True)
        sys.exit(1)
    click.echo(bilingual(f"已打包 {writer.count} 条到 {folder}，拒收 {rejected} 条（见 {rejects}）",
                         f"{writer.count} records packed into {folder}, {rejected} rejected (see {rejects})"),
               err=True)
    sys.exit(1 if rejected else 0)


def _refusals(writer: BatchWriter, record: Any) -> list[Finding]:
    """Add ``record`` (or the error that refused its line) to the batch; the reasons it was refused, if it was."""
    if isinstance(record, LineError):
        return [Finding.from_error(record)]
    try:
        writer.add(record)
    except RecordRejected as rejected:  # not valid for its class
        return list(rejected.findings)
    except CatalogueError as error:  # a duplicate record id: the batch keeps the first
        return [Finding.from_error(error)]
    return []
