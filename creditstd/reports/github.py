"""The GitHub Actions report: a few workflow-command annotations, the full summary in Markdown.

GitHub keeps 10 error and 10 warning annotations per step (50 per job) and
drops the rest silently, so this writer chooses them: one ``::error`` per
file lacking required columns, then one per error code, most common first,
at the code's first example (``file=…,line=…``; when ``--max-errors`` left
the code no example, at its first location: the first file, and the first
line there, where it was found), its message giving the code's exact count
and title; when there are fewer than 10 such, further examples of the codes
fill the remaining places, the most common code first.
Warnings likewise, in at most 10 ``::warning`` commands.

The text report follows in a collapsed group, between ``::stop-commands::``
and its token, so that nothing quoted from the data can be read as a
workflow command; the last line is the accounting line.

When ``GITHUB_STEP_SUMMARY`` names a file, the whole report is appended to
it as Markdown (the job summary page): at most 1 MiB per step, less what the
step already wrote there; a longer summary is cut at a line and says so.

Escaping follows the Actions toolkit: in a message ``%``, CR and LF become
``%25``, ``%0D``, ``%0A``; in a property also ``:`` and ``,`` (``%3A``,
``%2C``).

>>> escape_data('50% done\\nnext'), escape_property('a.csv:1,2')
('50%25 done%0Anext', 'a.csv%3A1%2C2')
"""

# No ``from __future__ import annotations``: it would bind the name ``annotations``, which this module's
# function of that name then redefines (every annotation here is valid at run time on Python 3.10).
import html
import io
import os
import secrets
from collections.abc import Iterator
from typing import TextIO

from creditstd.reports._text import number, pick, share, token
from creditstd.reports.model import CodeLocation, CodeSummary, Example, Report
from creditstd.reports.text import write_text

__all__ = ["ANNOTATIONS", "SUMMARY_LIMIT", "annotations", "escape_data", "escape_property", "markdown",
           "write_github"]

#: Annotations GitHub keeps per step, for each of error and warning.
ANNOTATIONS = 10
#: Bytes GitHub accepts in one step's summary.
SUMMARY_LIMIT = 1024 * 1024


def escape_data(text: str) -> str:
    """A workflow command's message, escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value, escaped."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, message: str, *, file: str | None = None, line: int | None = None,
             title: str | None = None) -> str:
    properties = []
    if file:
        properties.append(f"file={escape_property(file)}")
    if line is not None and line > 0:
        properties.append(f"line={line}")
    if title:
        properties.append(f"title={escape_property(title)}")
    return f"::{kind} {','.join(properties)}::{escape_data(message)}" if properties else \
        f"::{kind}::{escape_data(message)}"


def _picks(codes: list[CodeSummary]) -> Iterator[tuple[CodeSummary, Example | None]]:
    """(code, example) pairs: the first example of every code, then the second of every code..."""
    for code in codes:
        yield code, code.examples[0] if code.examples else None
    depth = 1
    while any(len(code.examples) > depth for code in codes):
        for code in codes:
            if len(code.examples) > depth:
                yield code, code.examples[depth]
        depth += 1


def _first_place(report: Report, code: CodeSummary) -> CodeLocation | None:
    """Where ``code`` was first found, as far as the report tells: in the first file (in the order read), its
    smallest first line (a place with a line before one without); ``None`` when it has no place."""
    order = {file.path: index for index, file in enumerate(report.files)}
    return min(code.locations, default=None,
               key=lambda place: (order.get(place.file, len(order)), place.first_line is None, place.first_line or 0))


def _code_annotations(report: Report, severity: str, room: int, lang: str) -> list[str]:
    chosen: list[str] = []
    codes = [code for code in report.codes if code.severity == severity]
    for code, example in _picks(codes):
        if len(chosen) >= room:
            break
        title = f"{code.code} ×{number(code.count)}"
        message = code.title(lang) + " — " + pick(
            lang, f"共 {number(code.count)} 处，涉及 {len(code.files)} 个文件",
            f"{number(code.count)} in all, in {len(code.files)} file(s)", "; ")
        if example is None:  # none kept (--max-errors): the code's first place still says where to look
            place = _first_place(report, code)
            chosen.append(_command(severity, message, file=None if place is None else place.file,
                                   line=None if place is None else place.first_line, title=title))
            continue
        column = f" [{example.column}]" if example.column else ""
        value = f" {example.value!r}" if example.value is not None else ""
        message += "\n" + pick(lang, "例", "e.g.", " / ") + f":{column} {example.path}{value}: {example.message(lang)}"
        chosen.append(_command(severity, message, file=example.file, line=example.line, title=title))
    return chosen


def annotations(report: Report, lang: str = "both") -> list[str]:
    """The workflow commands to print: at most :data:`ANNOTATIONS` errors and as many warnings."""
    errors = [_command("error", pick(lang, "缺少必填字段", "missing required fields", " / ") + ": "
                       + ", ".join(file.missing_fields), file=file.path,
                       title=pick(lang, "缺少必填列", "required columns missing", " / "))
              for file in report.files if file.missing_fields][:ANNOTATIONS]
    errors += _code_annotations(report, "error", ANNOTATIONS - len(errors), lang)
    return errors + _code_annotations(report, "warning", ANNOTATIONS, lang)


def _md(text: str) -> str:
    """Text safe inside Markdown (and a Markdown table cell): HTML-escaped, Markdown punctuation escaped."""
    text = html.escape(text.replace("\\", "\\\\"), quote=False)
    for char in "`*_[]~#":
        text = text.replace(char, "\\" + char)
    return text.replace("|", "&#124;")


def markdown(report: Report, lang: str = "both") -> list[str]:
    """The job summary as Markdown lines (accounting first, so that a cut never loses it)."""
    t = lambda zh, en: pick(lang, zh, en, " / ")  # noqa: E731
    totals = report.totals
    status = "❌" if report.exit_status else "✅"
    lines = [f"## {status} creditstd validate — {t('校验报告', 'validation report')}", "",
             f"**{_md(totals.rows.accounting(lang))}**; "
             + _md(t(f"错误 {number(totals.errors)} 个，警告 {number(totals.warnings)} 个",
                     f"{number(totals.errors)} errors, {number(totals.warnings)} warnings"))
             + f"; {t('退出状态', 'exit status')} {report.exit_status}", ""]
    if report.class_name:
        title = f" ({_md(pick(lang, *report.class_title, ' / '))})" if report.class_title else ""
        lines.append(f"{t('类别', 'Class')}: <code>{_md(report.class_name)}</code>{title}"
                     + (f" — {_md(pick(lang, *report.class_reason, ' / '))}" if report.class_reason else ""))
    else:
        lines.append(f"{t('类别', 'Class')}: {t('未确定', 'none chosen')}")
    lines += ["", f"| {t('文件', 'file')} | {t('读取', 'read')} | {t('有效', 'valid')} | {t('拒收', 'rejected')} "
              f"| {t('错误', 'errors')} | {t('警告', 'warnings')} | {t('缺少必填字段', 'missing required')} |",
              "|---|---:|---:|---:|---:|---:|---|"]
    for file in report.files:
        lines.append(f"| {_md(file.path)} | {number(file.rows.read)} | {number(file.rows.valid)} | "
                     f"{number(file.rows.rejected)} | {number(file.errors)} | {number(file.warnings)} | "
                     f"{_md(', '.join(file.missing_fields)) or '–'} |")
    if report.codes:
        lines += ["", f"### {t('按代码分组的问题', 'Findings by code')}", "",
                  f"| {t('代码', 'code')} | {t('数量', 'count')} | {t('说明', 'title')} | {t('字段', 'fields')} |",
                  "|---|---:|---|---|"]
        for code in report.codes:
            fields = ", ".join(f"{key} ×{number(count)}" for key, count in code.fields[:5])
            lines.append(f"| <code>{_md(code.code)}</code> | {number(code.count)} | {_md(code.title(lang))} | "
                         f"{_md(fields)} |")
    for file in report.files:
        described = ", ".join(part for part in (file.format, file.encoding) if part)
        lines += ["", f"### {t('文件', 'File')} {_md(file.path)}", "",
                  _md(file.rows.accounting(lang)) + f" ({_md(described)})"]
        sheet = file.sheet_note(lang)
        if sheet:
            lines += ["", _md(sheet)]
        if file.unknown_columns:
            lines += ["", f"{t('未知列', 'Unknown columns')}: {_md(', '.join(file.unknown_columns))}"]
        if file.fields:
            lines += ["", f"| {t('字段', 'field')} | {t('填充', 'filled')} | {t('不同值', 'distinct')} | "
                      f"{t('问题', 'findings')} | {t('主要代码', 'top codes')} |", "|---|---:|---:|---:|---|"]
            for field in file.fields:
                distinct = number(field.distinct) if field.distinct_exact else f"≈{number(field.distinct)}"
                codes = ", ".join(f"{code} ×{number(count)}" for code, count in field.codes[:3])
                name = _md(field.key + (f" ({field.field_code})" if field.field_code else ""))
                lines.append(f"| {name} | {share(field.filled_share)} | {distinct} | {number(field.findings)} | "
                             f"{_md(codes)} |")
    if report.codes:
        lines += ["", f"### {t('示例', 'Examples')}"]
        for code in report.codes:
            lines += ["", f"**<code>{_md(code.code)}</code>** ×{number(code.count)} — {_md(code.title(lang))}", ""]
            for example in code.examples:
                column = f" [{example.column}]" if example.column else ""
                value = f" <code>{_md(example.value)}</code>" if example.value is not None else ""
                lines.append(f"- {_md(example.where + column + ' ' + example.path)}{value}: "
                             f"{_md(example.message(lang))}")
            if code.examples_omitted:
                lines.append("- " + _md(t(f"… 另有 {number(code.examples_omitted)} 条未列出",
                                          f"… {number(code.examples_omitted)} more not shown")))
    return lines


def _fit(lines: list[str], budget: int, lang: str) -> str:
    """The lines joined, cut at a line so that the text takes at most ``budget`` UTF-8 bytes."""
    text = "\n".join(lines) + "\n"
    if len(text.encode("utf-8")) <= budget:
        return text
    note_template = pick(lang, "> 摘要超过 GitHub 的 1 MiB 上限，已截断：另有 {n} 行未显示；"
                         "完整报告请用 --format json 或 html。",
                         "> The summary passed GitHub's 1 MiB limit and was cut: {n} more lines not shown; "
                         "use --format json or html for the full report.", "\n")
    reserve = len(note_template.encode("utf-8")) + 64
    kept: list[str] = []
    used = 0
    for line in lines:
        size = len(line.encode("utf-8")) + 1
        if used + size > budget - reserve:
            break
        kept.append(line)
        used += size
    note = note_template.format(n=number(len(lines) - len(kept)))
    if used + len(note.encode("utf-8")) + 2 > budget:  # not even the note fits
        return ""
    return "\n".join([*kept, "", note]) + "\n"


def write_summary(report: Report, path: str, lang: str = "both") -> None:
    """Append the Markdown summary to the step summary file ``path``, within GitHub's limit."""
    try:
        used = os.path.getsize(path)
    except OSError:
        used = 0
    text = _fit(markdown(report, lang), max(SUMMARY_LIMIT - used, 0), lang)
    if text:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(text)


def write_github(report: Report, stream: TextIO, *, lang: str = "both", summary_path: str | None = None) -> None:
    """Write annotations and the text report to ``stream``; append the Markdown summary to ``summary_path``
    (default: the file ``GITHUB_STEP_SUMMARY`` names, when it is set)."""
    for command in annotations(report, lang):
        stream.write(command + "\n")
    body = io.StringIO()
    write_text(report, body, lang=lang, color=False)
    resume = token(secrets.token_bytes(16))
    stream.write("::group::creditstd validate " + pick(lang, "报告", "report", " / ") + "\n")
    stream.write(f"::stop-commands::{resume}\n")
    stream.write(body.getvalue())
    stream.write(f"::{resume}::\n")
    stream.write("::endgroup::\n")
    totals = report.totals
    stream.write(totals.rows.accounting(lang) + "; " + pick(lang, "退出状态", "exit status", " / ")
                 + f" {report.exit_status}\n")
    path = summary_path if summary_path is not None else os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        write_summary(report, path, lang)
