"""The HTML report: one self-contained page to open or attach, with charts, tables and sample rows.

Everything is inline (CSS, a small script, SVG bar charts); the page loads
nothing from the network and uses the system fonts.  It shows the accounting
line at the top and the bottom, the class and options, per file the column
mapping, a bar chart of findings per field, the per-field table (sortable by
clicking a heading) and sample rows (personal cells masked unless
``--show-pii``, cells with a finding marked); then a bar chart of findings
per code and every code with its title, fields, files and examples.

Every piece of text is HTML-escaped (a cell holding ``<script>`` is shown as
text), and a Content-Security-Policy allows only the page's own style and
script, by their SHA-256 hashes: even markup that escaped the escaping could
neither run a script nor load anything.  The script only sorts tables,
writes each bar's share of the total next to it and marks the page
``data-ready``.

>>> import io
>>> from creditstd.reports.builder import ReportBuilder
>>> out = io.StringIO(); write_html(ReportBuilder(class_name=None).finish(), out, lang='en')
>>> page = out.getvalue()
>>> page.startswith('<!DOCTYPE html>'), 'http://' in page.replace('http://www.w3.org/2000/svg', '')
(True, False)
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from html import escape
from typing import TextIO

from creditstd.reports._text import number, pick, share
from creditstd.reports.model import CodeSummary, FileReport, Report

__all__ = ["write_html"]

_BARS = 30  # bars per chart at most

_STYLE = """
:root { --bad: #b3261e; --warn: #8a5a00; --ok: #1e6b34; --line: #d0d0d0; --muted: #5f6368; --bar: #b3261e; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC",
       sans-serif; margin: 0 auto; max-width: 1200px; padding: 1.5rem; color: #202124; line-height: 1.45; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-top: 1.5rem; }
.accounting { font-weight: 600; padding: .5rem .75rem; border-left: 4px solid var(--ok); background: #f3f8f4; }
.accounting.failed { border-color: var(--bad); background: #fcf1f0; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f5f5f5; } th.sortable { cursor: pointer; } td.num, th.num { text-align: right; }
.scroll { overflow-x: auto; }
td.bad { background: #fcf1f0; color: var(--bad); }
.personal { color: var(--muted); font-size: .8rem; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .85rem; }
svg.chart text { font-size: 12px; fill: #202124; } svg.chart rect { fill: var(--bar); }
svg.chart g.warning rect { fill: #c58a00; }
details { border: 1px solid var(--line); border-radius: 4px; padding: .4rem .75rem; margin: .4rem 0; }
summary { cursor: pointer; } .muted { color: var(--muted); }
.error { color: var(--bad); } .warning { color: var(--warn); }
"""

_SCRIPT = """
(function () {
  function cellValue(row, index) {
    var cell = row.cells[index];
    var value = cell ? cell.getAttribute('data-sort') : null;
    if (value === null) { value = cell ? cell.textContent : ''; }
    var numeric = parseFloat(value);
    return isNaN(numeric) ? value : numeric;
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    table.querySelectorAll('th').forEach(function (th, index) {
      th.classList.add('sortable');
      th.addEventListener('click', function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var descending = th.getAttribute('data-order') !== 'desc';
        rows.sort(function (a, b) {
          var x = cellValue(a, index), y = cellValue(b, index);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return descending ? -order : order;
        });
        th.setAttribute('data-order', descending ? 'desc' : 'asc');
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  document.querySelectorAll('svg.chart').forEach(function (chart) {
    var total = parseInt(chart.getAttribute('data-total'), 10) || 0;
    chart.querySelectorAll('g.bar').forEach(function (bar) {
      var count = parseInt(bar.getAttribute('data-count'), 10) || 0;
      var label = bar.querySelector('text.share');
      if (label && total > 0) { label.textContent = (100 * count / total).toFixed(1) + '%'; }
    });
  });
  document.documentElement.setAttribute('data-ready', 'yes');
})();
"""


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _e(text: object) -> str:
    return escape(str(text), quote=True)


class _Page:
    def __init__(self, report: Report, lang: str) -> None:
        self.report, self.lang = report, lang
        self.parts: list[str] = []

    def t(self, zh: str, en: str) -> str:
        return _e(pick(self.lang, zh, en, " / "))

    def add(self, *parts: str) -> None:
        self.parts.extend(parts)

    def chart(self, kind: str, total: int, bars: Sequence[tuple[str, int, str]], caption: str) -> None:
        """A horizontal bar chart: (label, count, css class) per bar, longest first, at most ``_BARS``."""
        shown = list(bars)[:_BARS]
        if not shown:
            return
        label_width, bar_width, row = 260, 460, 22
        height = row * len(shown) + 8
        top = max(count for _, count, _ in shown) or 1
        self.add(f'<figure><svg class="chart" data-chart="{_e(kind)}" data-total="{total}" role="img" '
                 f'xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 160}" height="{height}" '
                 f'viewBox="0 0 {label_width + bar_width + 160} {height}"><title>{_e(caption)}</title>')
        for index, (label, count, css) in enumerate(shown):
            y = 4 + index * row
            length = max(1, round(bar_width * count / top))
            shown_label = label if len(label) <= 36 else label[:35] + "…"
            self.add(f'<g class="bar {_e(css)}" data-label="{_e(label)}" data-count="{count}">'
                     f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{_e(shown_label)}</text>'
                     f'<rect x="{label_width}" y="{y + 2}" width="{length}" height="{row - 6}"></rect>'
                     f'<text class="count" x="{label_width + length + 6}" y="{y + 15}">{number(count)}</text>'
                     f'<text class="share" x="{label_width + bar_width + 100}" y="{y + 15}"></text></g>')
        self.add("</svg>")
        if len(bars) > _BARS:
            more = len(bars) - _BARS
            note = self.t(f"另有 {more} 项未画出", f"{more} more not drawn")
            self.add(f'<figcaption class="muted">{note}</figcaption>')
        self.add("</figure>")

    def table(self, heads: Iterable[tuple[str, bool]], rows: Iterable[Iterable[str]], css: str = "") -> None:
        """A table; ``heads`` are (escaped text, numeric); rows are lists of finished ``<td>`` elements."""
        self.add(f'<div class="scroll"><table class="{css}"><thead><tr>')
        for head, numeric in heads:
            self.add('<th class="num">' if numeric else "<th>", head, "</th>")
        self.add("</tr></thead><tbody>")
        for row in rows:
            self.add("<tr>", *row, "</tr>")
        self.add("</tbody></table></div>")

    def accounting(self) -> None:
        report, totals = self.report, self.report.totals
        css = "accounting failed" if report.exit_status else "accounting"
        text = (pick(self.lang, totals.rows.accounting("zh"), totals.rows.accounting("en"), " / ") + "; "
                + pick(self.lang, f"错误 {number(totals.errors)} 个，警告 {number(totals.warnings)} 个",
                       f"{number(totals.errors)} errors, {number(totals.warnings)} warnings", " / ")
                + "; " + pick(self.lang, "退出状态", "exit status", " / ") + f" {report.exit_status}")
        self.add(f'<p class="{css}" data-read="{totals.rows.read}" data-valid="{totals.rows.valid}" '
                 f'data-rejected="{totals.rows.rejected}" data-exit="{report.exit_status}">{_e(text)}</p>')

    def render(self) -> str:
        report = self.report
        self.add('<header><h1>creditstd ' + self.t("校验报告", "validation report") + "</h1>")
        self.accounting()
        self.add('<dl class="meta">')
        if report.class_name:
            title = f" — {_e(pick(self.lang, *report.class_title, ' / '))}" if report.class_title else ""
            version = f" v{_e(report.class_version)}" if report.class_version else ""
            self.add(f"<dt>{self.t('类别', 'class')}</dt><dd><code>{_e(report.class_name)}</code>{title}{version}</dd>")
        else:
            self.add(f"<dt>{self.t('类别', 'class')}</dt><dd>{self.t('未确定', 'none chosen')}</dd>")
        if report.class_reason:
            self.add(f"<dt>{self.t('依据', 'why')}</dt><dd>{_e(pick(self.lang, *report.class_reason, ' / '))}</dd>")
        mode = self.t("严格", "strict") if report.strict else self.t("宽松", "non-strict")
        cap = self.t("不限", "none") if report.max_errors is None else number(report.max_errors)
        self.add(f"<dt>{self.t('模式', 'mode')}</dt><dd>{mode}</dd>"
                 f"<dt>{self.t('示例上限', 'max errors')}</dt><dd>{cap}</dd>")
        if report.rule_set:
            self.add(f"<dt>{self.t('展示规则', 'rule set')}</dt><dd>{_e(report.rule_set)}</dd>")
        self.add(f"<dt>{self.t('个人信息', 'personal data')}</dt><dd>"
                 + (self.t("显示（--show-pii）", "shown (--show-pii)") if report.show_pii
                    else self.t("已遮蔽", "masked"))
                 + f"</dd><dt>{self.t('工具', 'tool')}</dt><dd>creditstd {_e(report.version)}</dd></dl></header>")
        if report.codes:
            self.add(f'<section id="by-code"><h2>{self.t("各代码问题数", "Findings per code")}</h2>')
            self.chart("codes", report.totals.errors + report.totals.warnings,
                       [(code.code, code.count, code.severity) for code in report.codes],
                       pick(self.lang, "各代码问题数", "findings per code", " / "))
            self.add("</section>")
        for number_, file in enumerate(report.files):
            self.file(number_, file)
        if report.codes:
            self.add(f'<section id="codes"><h2>{self.t("按代码分组的问题", "Findings by code")}</h2>')
            for code in report.codes:
                self.code(code)
            self.add("</section>")
        self.add("<footer>")
        self.accounting()
        self.add("</footer>")
        body = "".join(self.parts)
        policy = (f"default-src 'none'; style-src '{_hash(_STYLE)}'; script-src '{_hash(_SCRIPT)}'; "
                  "img-src data:; base-uri 'none'; form-action 'none'")
        lang = "en" if self.lang == "en" else "zh-CN"
        return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
                f'<meta http-equiv="Content-Security-Policy" content="{_e(policy)}">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f'<meta name="generator" content="creditstd {_e(report.version)}">'
                f"<title>creditstd {self.t('校验报告', 'validation report')}</title>"
                f"<style>{_STYLE}</style></head><body>{body}<script>{_SCRIPT}</script></body></html>\n")

    def file(self, index: int, file: FileReport) -> None:
        described = ", ".join(part for part in (file.format, file.encoding) if part)
        self.add(f'<section class="file" id="file-{index}" data-path="{_e(file.path)}">'
                 f"<h2>{self.t('文件', 'File')} <code>{_e(file.path)}</code> "
                 f'<span class="muted">({_e(described)})</span></h2>')
        sheet = file.sheet_note(self.lang)
        if sheet:
            self.add(f'<p class="sheet">{_e(sheet)}</p>')
        if file.title:
            self.add(f"<p>{self.t('标题', 'title')}: {_e(file.title)}</p>")
        css = "accounting failed" if file.failed(self.report.fail_on) else "accounting"
        self.add(f'<p class="{css}" data-read="{file.rows.read}" data-valid="{file.rows.valid}" '
                 f'data-rejected="{file.rows.rejected}">{_e(file.rows.accounting(self.lang))}; '
                 + self.t(f"错误 {number(file.errors)} 个，警告 {number(file.warnings)} 个",
                          f"{number(file.errors)} errors, {number(file.warnings)} warnings") + "</p>")
        if file.missing_fields:
            self.add(f'<p class="error">{self.t("缺少必填字段", "missing required fields")}: '
                     + ", ".join(f"<code>{_e(key)}</code>" for key in file.missing_fields) + "</p>")
        if file.columns:
            self.add(f"<details><summary>{self.t('列映射', 'Column mapping')} "
                     f"({len(file.columns) - len(file.unknown_columns)}/{len(file.columns)})</summary>")
            self.table([(self.t("表头", "header"), False), (self.t("字段", "field"), False)],
                       ([f"<td>{_e(column.header)}</td>",
                         f"<td><code>{_e(column.field)}</code></td>" if column.field
                         else f'<td class="bad">{self.t("未知", "unknown")}</td>'] for column in file.columns))
            self.add("</details>")
        with_findings = [(field.key, field.findings, "error" if field.errors else "warning")
                         for field in sorted(file.fields, key=lambda item: -item.findings) if field.findings]
        if with_findings:
            self.add(f"<h3>{self.t('各字段问题数', 'Findings per field')}</h3>")
            self.chart("fields", sum(count for _, count, _ in with_findings), with_findings,
                       pick(self.lang, "各字段问题数", "findings per field", " / "))
        if file.fields:
            self.add(f"<h3>{self.t('字段摘要', 'Fields')}</h3>")
            rows = []
            for field in file.fields:
                name = f"<code>{_e(field.key)}</code>" + (f" <span class=\"muted\">{_e(field.field_code)}</span>"
                                                           if field.field_code else "")
                if field.personal:
                    name += f' <span class="personal">{self.t("个人信息", "personal")}</span>'
                distinct = number(field.distinct) if field.distinct_exact else "≈" + number(field.distinct)
                codes = ", ".join(f"<code>{_e(code)}</code> ×{number(count)}" for code, count in field.codes[:3])
                common = ("" if not field.top_values or field.top_values[0][1] < 2 else  # all unique: say nothing
                          ", ".join(f"{_e(value)} ×{number(count)}" for value, count in field.top_values))
                if field.free_text and not field.personal:
                    note = self.t("自由文本字段：不列出取值（可能含有人名）",
                                  "free-text field: values not listed (may hold names)")
                    common = f'<span class="muted">{note}</span>'
                share_sort = "" if field.filled_share is None else f"{field.filled_share:.6f}"
                rows.append([
                    f"<td>{name}<br><span class=\"muted\">{_e(pick(self.lang, field.title_zh, field.title_en, ' / '))}"
                    "</span></td>",
                    f"<td>{_e(field.header or '–')}</td>",
                    f'<td class="num" data-sort="{share_sort}">{share(field.filled_share)}</td>',
                    f'<td class="num" data-sort="{field.distinct}">{distinct}</td>',
                    f'<td class="num{" bad" if field.errors else ""}" data-sort="{field.findings}">'
                    f"{number(field.findings)}</td>",
                    f"<td>{codes}</td>", f"<td>{common}</td>"])
            self.table([(self.t("字段", "field"), False), (self.t("表头", "header"), False),
                        (self.t("填充", "filled"), True), (self.t("不同值", "distinct"), True),
                        (self.t("问题", "findings"), True), (self.t("主要代码", "top codes"), False),
                        (self.t("常见值", "common values"), False)], rows, "fields sortable")
        if file.samples:
            rejected = not file.samples[0].valid
            self.add(f"<h3>{self.t('样例行', 'Sample rows')} <span class=\"muted\">("
                     + (self.t("最先被拒收的行", "the first rejected rows") if rejected
                        else self.t("最先的行", "the first rows"))
                     + (", " + self.t("个人信息已遮蔽", "personal data masked") if not self.report.show_pii else "")
                     + ")</span></h3>")
            keys = [key for key, _ in file.samples[0].cells]
            rows = []
            for sample in file.samples:
                cells = dict(sample.cells)
                row = [f'<td class="num">{sample.line}</td>',
                       "<td>" + ", ".join(f"<code>{_e(code)}</code>" for code in sample.codes) + "</td>"]
                for key in keys:
                    value = cells.get(key)
                    css = ' class="bad"' if key in sample.fields_with_findings else ""
                    row.append(f"<td{css}>{'' if value is None else _e(value)}</td>")
                rows.append(row)
            self.table([(self.t("行", "line"), True), (self.t("代码", "codes"), False),
                        *((f"<code>{_e(key)}</code>", False) for key in keys)], rows, "samples")
        self.add("</section>")

    def code(self, code: CodeSummary) -> None:
        self.add(f'<details class="code" data-code="{_e(code.code)}" data-count="{code.count}">'
                 f'<summary><code class="{_e(code.severity)}">{_e(code.code)}</code> ×{number(code.count)} — '
                 f"{_e(code.title(self.lang))}</summary>")
        if code.fields:
            self.add(f"<p>{self.t('字段', 'fields')}: "
                     + ", ".join(f"<code>{_e(key)}</code> ×{number(count)}" for key, count in code.fields) + "</p>")
        if len(code.files) > 1:
            self.add(f"<p>{self.t('文件', 'files')}: "
                     + ", ".join(f"{_e(path)} ×{number(count)}" for path, count in code.files) + "</p>")
        if code.examples:
            self.table([(self.t("位置", "where"), False), (self.t("列", "column"), False),
                        (self.t("路径", "path"), False), (self.t("值", "value"), False),
                        (self.t("说明", "message"), False)],
                       ([f"<td>{_e(example.where)}</td>", f"<td>{_e(example.column or '')}</td>",
                         f"<td><code>{_e(example.path)}</code></td>",
                         f"<td>{'' if example.value is None else _e(example.value)}</td>",
                         f"<td>{_e(example.message(self.lang))}</td>"] for example in code.examples), "examples")
        if code.examples_omitted:
            more = number(code.examples_omitted)
            note = self.t(f"另有 {more} 条未列出（计数完整）", f"{more} more not shown (the count is complete)")
            self.add(f'<p class="muted">{note}</p>')
        self.add("</details>")


def write_html(report: Report, stream: TextIO, *, lang: str = "both") -> None:
    """Write ``report`` as one self-contained HTML page."""
    stream.write(_Page(report, lang).render())
