"""The terminal report: per file and field, then the findings grouped by code, then the accounting line.

Chinese, English or both (``lang``); colour only when asked for, and by
default only when the stream is a terminal and ``NO_COLOR`` is unset or
empty.  Per code: its count and title, its fields, the first lines per file
and column, and at most 5 examples (of those the report kept), with the
number not shown stated; the last line is always the accounting line and
the suggested exit status.

>>> import io
>>> from creditstd.reports.builder import ReportBuilder
>>> builder = ReportBuilder(class_name=None)
>>> builder.start_file('empty.csv', format='csv', encoding='utf-8', headers=[], mapping={}, missing=[])
>>> report = builder.finish()
>>> out = io.StringIO(); write_text(report, out, lang='en')
>>> out.getvalue().splitlines()[-1]
'total: 1 file(s); 0 rows read = 0 valid + 0 rejected; 0 errors, 0 warnings; exit status 0'
"""

from __future__ import annotations

import os
import unicodedata
from typing import TextIO

from creditstd.reports._text import number, pick, share
from creditstd.reports.model import CodeSummary, FieldSummary, FileReport, Report

__all__ = ["use_color", "width", "write_text"]

_COLORS = {"bold": "1", "red": "31", "yellow": "33", "green": "32", "dim": "2"}


def use_color(stream: TextIO) -> bool:
    """True when ``stream`` is a terminal and ``NO_COLOR`` is unset or empty (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide and full-width characters take two).

    >>> width('abc'), width('字段'), width('ＡＢ')
    (3, 4, 4)
    """
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, columns: int) -> str:
    return text + " " * max(columns - width(text), 0)


class _Writer:
    def __init__(self, report: Report, stream: TextIO, lang: str, color: bool, examples: int) -> None:
        self.report, self.stream, self.lang, self.color, self.examples = report, stream, lang, color, examples

    def t(self, zh: str, en: str) -> str:
        return pick(self.lang, zh, en, " / ")

    def c(self, text: str, style: str) -> str:
        return f"\x1b[{_COLORS[style]}m{text}\x1b[0m" if self.color else text

    def line(self, text: str = "") -> None:
        self.stream.write(text + "\n")

    def write(self) -> None:
        report = self.report
        self.line(self.c(f"creditstd {report.version} " + self.t("校验报告", "validation report"), "bold"))
        if report.class_name is None:
            self.line(self.t("类别", "class") + ": " + self.t("未确定", "none chosen"))
        else:
            title = f" {self.t(*report.class_title)}" if report.class_title else ""
            version = f" (v{report.class_version})" if report.class_version else ""
            self.line(self.t("类别", "class") + f": {report.class_name}{title}{version}")
        if report.class_reason:
            self.line("  " + self.t("依据", "why") + ": " + self.t(*report.class_reason))
        mode = self.t("严格", "strict") if report.strict else self.t("宽松", "non-strict")
        cap = self.t("不限", "none") if report.max_errors is None else number(report.max_errors)
        options = [self.t("模式", "mode") + f": {mode}", self.t("示例上限", "max errors") + f": {cap}"]
        if report.rule_set:
            options.append(self.t("展示规则", "rule set") + f": {report.rule_set}")
        if report.show_pii:
            options.append(self.c(self.t("显示个人信息", "personal data shown"), "yellow"))
        self.line("; ".join(options))
        for file in report.files:
            self.file(file)
        if report.codes:
            self.line()
            self.line(self.c("== " + self.t("按代码分组的问题", "findings by code"), "bold"))
            for code in report.codes:
                self.code(code)
        self.line()
        self.line(self.accounting())

    def accounting(self) -> str:
        report, totals = self.report, self.report.totals
        status = report.exit_status
        text = (self.t("合计", "total") + ": " + self.t(f"{totals.files} 个文件", f"{totals.files} file(s)") + "; "
                + totals.rows.accounting(self.lang) + "; "
                + self.t(f"错误 {number(totals.errors)} 个，警告 {number(totals.warnings)} 个",
                         f"{number(totals.errors)} errors, {number(totals.warnings)} warnings")
                + "; " + self.t("退出状态", "exit status") + f" {status}")
        return self.c(text, "red" if status else "green")

    def file(self, file: FileReport) -> None:
        self.line()
        described = ", ".join(part for part in (file.format, file.encoding) if part)
        sheet = file.sheet_note(self.lang)
        described += f", {sheet}" if sheet else ""
        title = f" «{file.title}»" if file.title else ""
        self.line(self.c("== " + self.t("文件", "file") + f": {file.path} ({described}){title}", "bold"))
        mapped = len(file.columns) - len(file.unknown_columns)
        text = (self.t("列", "columns") + f": {len(file.columns)} ("
                + self.t(f"已映射 {mapped}", f"{mapped} mapped") + ", "
                + self.t(f"未知 {len(file.unknown_columns)}", f"{len(file.unknown_columns)} unknown"))
        if file.unknown_columns:
            text += ": " + ", ".join(file.unknown_columns[:20]) + (" …" if len(file.unknown_columns) > 20 else "")
        self.line("  " + text + ")")
        if file.missing_fields:
            self.line("  " + self.c(self.t("缺少必填字段", "missing required fields") + ": "
                                    + ", ".join(file.missing_fields), "red"))
        rows = file.rows.accounting(self.lang)
        self.line("  " + self.c(rows, "red" if file.rows.rejected else "green"))
        self.line("  " + self.t("问题", "findings") + ": "
                  + self.t(f"错误 {number(file.errors)} 个，警告 {number(file.warnings)} 个",
                           f"{number(file.errors)} errors, {number(file.warnings)} warnings"))
        if file.fields:
            self.fields(file.fields)

    def fields(self, fields: tuple[FieldSummary, ...]) -> None:
        heads = [self.t("字段", "field"), self.t("填充", "filled"), self.t("不同值", "distinct"),
                 self.t("问题", "findings"), self.t("主要代码", "top codes")]
        rows = []
        for field in fields:
            name = field.key + (f" ({field.field_code})" if field.field_code else "")
            if field.personal:
                name += " *"
            elif field.free_text:
                name += " †"
            distinct = number(field.distinct) if field.distinct_exact else f"≈{number(field.distinct)}"
            codes = ", ".join(f"{code} ×{number(count)}" for code, count in field.codes[:3])
            rows.append([name, share(field.filled_share), distinct, number(field.findings), codes])
        widths = [max(width(row[index]) for row in [heads, *rows]) for index in range(4)]
        self.line()
        self.line("  " + self.c("  ".join(_pad(head, widths[index]) if index < 4 else head
                                          for index, head in enumerate(heads)), "dim"))
        for field, row in zip(fields, rows, strict=True):
            cells = [_pad(row[0], widths[0])] + [" " * (widths[index] - width(row[index])) + row[index]
                                                 for index in (1, 2, 3)] + [row[4]]
            text = "  ".join(cells).rstrip()
            self.line("  " + (self.c(text, "red") if field.findings else text))
            if field.top_values and field.top_values[0][1] > 1:
                common = ", ".join(f"{value} ×{number(count)}" for value, count in field.top_values)
                self.line("    " + self.c(self.t("常见值", "common values") + f": {common}", "dim"))
        if any(field.personal for field in fields):
            self.line("  " + self.c("* " + self.t("个人信息字段：不列出取值", "personal field: values not listed"),
                                    "dim"))
        if any(field.free_text and not field.personal for field in fields):
            self.line("  " + self.c("† " + self.t("自由文本字段：不列出取值（可能含有人名）",
                                                  "free-text field: values not listed (may hold names)"), "dim"))

    def code(self, code: CodeSummary) -> None:
        self.line()
        style = "red" if code.severity == "error" else "yellow"
        severity = self.t("错误", "error") if code.severity == "error" else self.t("警告", "warning")
        self.line("  " + self.c(f"{code.code} ×{number(code.count)}", style) + f" [{severity}] {code.title(self.lang)}")
        if code.fields:
            self.line("    " + self.t("字段", "fields") + ": "
                      + ", ".join(f"{key} ×{number(count)}" for key, count in code.fields[:10]))
        if len(self.report.files) > 1:
            self.line("    " + self.t("文件", "files") + ": "
                      + ", ".join(f"{path} ×{number(count)}" for path, count in code.files[:10]))
        for place in code.locations[:5]:
            if place.lines:
                where = f" [{place.column or place.field}]" if place.column or place.field else ""
                first = place.lines[:10]
                more = f" … (+{number(place.count - len(first))})" if place.count > len(first) else ""
                lines = ", ".join(map(str, first))
                self.line(f"    {place.file}{where} " + self.t("行", "lines") + f": {lines}{more}")
        shown = code.examples[:self.examples]
        for example in shown:
            column = f" [{example.column}]" if example.column else ""
            value = f" {example.value!r}" if example.value is not None else ""
            self.line(f"    {example.where}{column} {example.path}{value}: {example.message(self.lang)}")
        if code.count > len(shown):
            omitted = number(code.count - len(shown))
            self.line("    " + self.c(self.t(f"… 另有 {omitted} 条未列出（计数完整）",
                                              f"… {omitted} more not shown (the count is complete)"), "dim"))


def write_text(report: Report, stream: TextIO, *, lang: str = "both", color: bool | None = None,
               examples: int = 5) -> None:
    """Write the terminal report of ``report`` to ``stream``: at most ``examples`` examples per code (with the
    first lines of each file and column); colour as :func:`use_color` decides when ``color`` is ``None``."""
    _Writer(report, stream, lang, use_color(stream) if color is None else color, examples).write()
