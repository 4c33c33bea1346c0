"""``creditstd check``: identify, validate and explain identifiers.

Numbers come from the arguments, from ``--file`` (one per line; blank lines
and ``#`` comments are skipped) or from stdin.  Citizen ID numbers and the
birth dates inside them are personal information: they are masked in the
output unless ``--reveal`` is given.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import click

from creditstd.cli._io import read_lines
from creditstd.codes import ric
from creditstd.codes._text import MAX_LENGTH
from creditstd.codes.identify import KIND_FAMILIES, IdentifierKind
from creditstd.codes.redact import redact
from creditstd.codes.verdict import Verdict, check, to_jsonable
from creditstd.exceptions import bilingual, make_error
from creditstd.findings import Finding
from creditstd.records.jsonline import printable

__all__ = ["check_command"]

#: ``--kind``: identify, or check as one of the kind families (``ric``: an ID number of any sub-kind).
KINDS = ["auto", *(kind.value for kind in KIND_FAMILIES)]

#: Labels for the fields of the parse results, in Chinese and English.
LABELS: dict[str, tuple[str, str]] = {
    "number": ("号码", "number"),
    "kind_name": ("类型", "kind"),
    "authority": ("登记管理部门", "registration authority"),
    "category": ("机构类别", "organisation category"),
    "region_code": ("行政区划码", "region code"),
    "region": ("行政区划", "region"),
    "orgcode": ("主体标识码（组织机构代码）", "embedded organisation code"),
    "orgcode_valid": ("组织机构代码校验", "organisation code check"),
    "check_digit": ("校验码", "check character"),
    "check_valid": ("校验码正确", "check character correct"),
    "birth_date": ("出生日期", "birth date"),
    "sequence": ("顺序码", "sequence"),
    "sex": ("性别", "sex"),
    "country_code": ("国籍代码", "country code"),
    "possible_centenarian": ("可能为百岁老人编号", "possible centenarian sequence"),
    "body": ("本体代码", "body"),
    "is_custom_range": ("自定义区", "custom range"),
    "ownership": ("主体类型", "kind of entity"),
}
HIDDEN = "已隐藏 hidden (--reveal)"
#: Fields of a personal ID number hidden unless --reveal (sequence and check stay: the masked number shows them).
PERSONAL_FIELDS = frozenset({"number", "birth_date"})


@dataclass(frozen=True)
class Options:
    """What the user asked for, parsed from the command line."""

    strict: bool
    kind: str | None
    output: str
    reveal: bool
    quiet: bool


#: Most characters of an input echoed back in a report; the rest is counted, not shown.
SHOWN_CHARS = 80


def _shown(verdict: Verdict, reveal: bool) -> str:
    """How the input is echoed: a valid non-personal identifier as given; a valid ID number masked; anything
    else (an invalid line may hold an ID number among other text) with every run that may be one masked."""
    if reveal or (verdict.valid and not verdict.is_personal):
        return printable(verdict.text, SHOWN_CHARS)
    if verdict.valid and verdict.number:
        return ric.mask(verdict.number)
    return printable(redact(verdict.text), SHOWN_CHARS)


def _public_info(verdict: Verdict, reveal: bool) -> dict | None:
    info = to_jsonable(verdict.info)
    if info is None or reveal or not verdict.is_personal:
        return info
    if not isinstance(verdict.info, ric.RICInfo):  # read as another kind, but it may be an ID: region only
        return {key: info[key] for key in ("region_code", "region") if key in info}
    for field in PERSONAL_FIELDS & info.keys():
        if info[field] is not None:
            info[field] = ric.mask(info[field]) if field == "number" else HIDDEN
    return info


def _value_text(value: object) -> str:
    if isinstance(value, dict):
        if "zh" in value:
            return f"{value['code']} {value['zh']} ({value['en']})"
        if "name" in value:
            state = "现行 current" if value.get("end_year") is None else f"已撤销 abolished {value['end_year']}"
            return f"{value['code']} {value['name']} ({value['name_en']}; {state})"
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    return "—" if value is None else str(value)


def _kind_name(kind: str | None) -> tuple[str, str]:
    """A kind's name in Chinese and English; a value that matches no kind is of kind 未知 / unknown."""
    if kind is None:
        return "未知", "unknown"
    named = IdentifierKind(kind)
    return named.zh, named.en


def _problem_json(problem: Finding) -> dict[str, object]:
    """One error of a verdict as ``--format json`` has always written it."""
    return {"kind": problem.kind or "unknown", "code": problem.code, "position": problem.position,
            "message_zh": problem.message_zh, "message_en": problem.message_en}


def render_text(where: str, verdict: Verdict, options: Options) -> Iterator[str]:
    """Yield the lines that describe one verdict for a person."""
    shown = _shown(verdict, options.reveal)
    if verdict.valid:
        zh, en = _kind_name(verdict.kind)
        also = f"  (也可能是/also valid as: {', '.join(verdict.also)})" if verdict.also else ""
        yield f"✓ {where}{shown}  {zh} / {en}{also}"
        info = _public_info(verdict, options.reveal) or {}
        for field, value in info.items():
            if field in LABELS and field not in ("number", "region_code") and value not in (None, False):
                zh, en = LABELS[field]
                yield f"    {zh} / {en}: {_value_text(value)}"
        return
    yield f"✗ {where}{shown}"
    for problem in verdict.errors:
        zh, en = _kind_name(problem.kind)
        at = f" @{problem.position}" if problem.position else ""
        yield f"    {zh} / {en}: {problem.code}{at}: {bilingual(problem.message_zh, problem.message_en)}"


def render_json(line: int | None, verdict: Verdict, options: Options) -> dict:
    """The JSON object for one verdict."""
    return {
        "line": line,
        "input": _shown(verdict, options.reveal),
        "valid": verdict.valid,
        "kind": verdict.kind,
        "also": list(verdict.also),
        "info": _public_info(verdict, options.reveal),
        "errors": [_problem_json(problem) for problem in verdict.errors],
    }


def _too_long() -> Verdict:
    """The verdict on a line too long to read (no identifier is that long)."""
    return Verdict("", False, errors=(Finding.from_error(make_error("input.too_long", limit=MAX_LENGTH)),))


def run(items: Iterable[tuple[int | None, str | None]], options: Options) -> int:
    """Check every item (``None``: a line too long to read), write the findings as they come (memory stays
    flat), return the exit code."""
    total = invalid = listed = 0
    if options.output == "json":
        click.echo('{"results": [', nl=False)
    for line, text in items:
        verdict = _too_long() if text is None else check(text, strict=options.strict, kind=options.kind)
        total += 1
        invalid += not verdict.valid
        if options.quiet and verdict.valid:
            continue
        listed += 1
        if options.output == "text":
            where = f"line {line}: " if line else ""
            click.echo("\n".join(render_text(where, verdict, options)))
        else:
            result = json.dumps(render_json(line, verdict, options), ensure_ascii=False)
            click.echo(result if options.output == "jsonl" else f"{',' if listed > 1 else ''}\n  {result}",
                       nl=options.output == "jsonl")
    summary = {"checked": total, "valid": total - invalid, "invalid": invalid}
    if options.output == "json":
        click.echo(f'\n], "summary": {json.dumps(summary)}}}')
    else:
        click.echo(bilingual(f"共检查 {total} 个，有效 {total - invalid} 个，无效 {invalid} 个",
                             f"{total} checked, {total - invalid} valid, {invalid} invalid"), err=True)
    return 1 if invalid else 0


@click.command("check")
@click.argument("numbers", nargs=-1)
@click.option("-f", "--file", "path", metavar="PATH",
              help="每行一个号码的文件（- 为标准输入） / file with one number per line (- for stdin)")
@click.option("--strict", is_flag=True, help="同时核对代码表与行政区划 / also check code tables and region codes")
@click.option("--kind", type=click.Choice(KINDS), default="auto", show_default=True,
              help="按指定类型校验 / validate as this kind instead of identifying")
@click.option("--format", "output", type=click.Choice(["text", "json", "jsonl"]), default="text",
              show_default=True, help="输出格式 / output format")
@click.option("--reveal", is_flag=True, help="完整显示身份号码与出生日期 / show ID numbers and birth dates in full")
@click.option("-q", "--quiet", is_flag=True, help="只输出无效号码 / print invalid numbers only")
@click.option("--encoding", default="utf-8-sig", show_default=True, help="输入文件编码 / encoding of --file")
def check_command(numbers: tuple[str, ...], path: str | None, strict: bool, kind: str, output: str,
                  reveal: bool, quiet: bool, encoding: str) -> None:
    """识别并校验代码 / Identify, validate and explain identifiers.

    \b
    退出码 / exit codes: 0 全部有效 all valid; 1 有无效 some invalid; 2 用法或输入错误 usage or input error.
    """
    if numbers and path:
        raise click.UsageError(bilingual("号码参数与 --file 只能二选一", "give numbers or --file, not both"))
    if numbers:
        items: Iterable[tuple[int | None, str]] = ((None, number) for number in numbers)
    elif path or not sys.stdin.isatty():
        items = ((line.number, None if line.overlong else line.text) for line in read_lines(path or "-", encoding))
    else:
        raise click.UsageError(bilingual("请给出号码、--file 或标准输入", "give numbers, --file or stdin"))
    options = Options(strict, None if kind == "auto" else kind, output, reveal, quiet)
    sys.exit(run(items, options))
