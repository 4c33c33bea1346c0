"""Reports of ``creditstd validate``: a streaming aggregator and six writers (text, json, junit, github, sarif, html).

The validation command reads files batch by batch and hands what it finds to
a :class:`ReportBuilder`; the builder keeps counters and capped examples,
never all the findings, so its memory stays bounded whatever the number of
rows; :meth:`ReportBuilder.finish` returns an immutable :class:`Report`, and
:func:`write_report` writes it in one of :data:`FORMATS` to a stream.

The protocol, per file::

    builder = ReportBuilder(class_name='administrative_penalty',
                            class_reason=('由表头推断：…', 'inferred from the headers: 30 of 34 columns match'),
                            strict=False, max_errors=1000, show_pii=False, rule_set=None, fail_on='error')
    builder.start_file(path, format='csv', encoding='utf-8', headers=headers,
                       mapping={header: field_key_or_None, ...}, missing=[required keys absent], title=None)
    for batch in batches:                              # any number of batches, any size
        builder.add_rows(columns,                      # {field key: pyarrow array of the column's text cells}
                         lines,                        # numpy int64: the source line of each row
                         valid,                        # numpy bool: the row is valid
                         findings)                     # the findings on these rows, each with its location
    builder.add_rejected_row(finding)                  # a row the reader could not read: one rejected row
    builder.add_file_finding(finding)                  # a finding about the file as a whole (no row)
    builder.end_file()
    report = builder.finish()                          # ends a file left open; the builder is then spent
    write_report(report, 'github', sys.stdout, lang='both')
    sys.exit(report.exit_status)

What a report holds (:mod:`creditstd.reports.model`): the tool's version;
the class, its title and version, and why it was chosen; the options
(strict, max_errors, show_pii, rule_set, fail_on); per file its path,
format, encoding, the sheet read and the workbook's other sheets (XLSX),
title row, header mapping, unknown columns, missing required fields, rows
(read = valid + rejected, the unreadable among the rejected), error and
warning counts, a summary per field (filled share;
distinct values, exact up to 10,000 then a HyperLogLog estimate, see
:mod:`creditstd.reports.sketch`; its most common values unless the field is
personal or has more than 1,000 distinct values; its most common codes),
its codes and up to 10 sample rows; the findings grouped by code over all
files (exact counts per file and field, a title in Chinese and English,
aggregated locations per file and column, and the first examples: at most
``examples_per_code`` (20) per code and ``max_errors`` in all); totals; the
suggested exit status (:attr:`Report.exit_status`: 1 when a file has an
error, a rejected row or a missing required field, or with
``fail_on='warning'`` a warning; else 0).  :meth:`Report.check_accounting`
raises unless every file and the totals balance; ``finish`` calls it.

Personal data: an example's value is the finding's ``value`` as the
validation core gave it (it masks personal values); sample rows show the
raw cells, so the builder masks the cells of personal fields (an ID number's
publication form, else the first character) unless ``show_pii``; the
per-field summary never lists values of personal fields, nor of free-text
fields, nor of fields the class does not describe; a natural person's name
or ID number in another cell of its row is masked there too.  Text quoted
from the input is made printable and cut short once, when it is taken in
(:func:`~creditstd.reports._text.clean`).

Formats (:data:`FORMATS`; each writer's module says more):

* ``text``: for a terminal, Chinese, English or both, coloured only on a
  terminal without ``NO_COLOR`` (:mod:`~creditstd.reports.text`);
* ``json``: the report as JSON, ``report_version`` 1.1, valid against
  ``schemas/validation-report.schema.json`` (:mod:`~creditstd.reports.jsonreport`);
* ``junit``: a test suite per file, a test case per field
  (:mod:`~creditstd.reports.junit`);
* ``github``: at most 10 error and 10 warning annotations, the text report
  in a group, the Markdown summary appended to ``$GITHUB_STEP_SUMMARY``
  (:mod:`~creditstd.reports.github`);
* ``sarif``: SARIF 2.1.0, a rule per code, a result per code and column
  (:mod:`~creditstd.reports.sarif`);
* ``html``: one self-contained page with charts (:mod:`~creditstd.reports.html`).

>>> import io, numpy as np, pyarrow as pa
>>> from creditstd.findings import Finding, Location
>>> builder = ReportBuilder(class_name='administrative_penalty', max_errors=1)
>>> builder.start_file('p.csv', format='csv', encoding='utf-8', headers=['统一社会信用代码'],
...                    mapping={'统一社会信用代码': 'uscc'}, missing=[])
>>> bad = [Finding('uscc.checksum', '校验码不符', 'check character does not match', path='$.uscc', field='uscc',
...                value='91350100M000100Y4Z', location=Location('p.csv', line, column='统一社会信用代码'))
...        for line in (3, 4)]
>>> builder.add_rows({'uscc': pa.array(['91350100M000100Y43', '91350100M000100Y4Z', '91350100M000100Y4Z'])},
...                  np.array([2, 3, 4]), np.array([True, False, False]), bad)
>>> report = builder.finish()
>>> code = report.code('uscc.checksum')
>>> code.count, len(code.examples), code.examples_omitted, code.locations[0].lines
(2, 1, 1, (3, 4))
>>> out = io.StringIO(); write_report(report, 'text', out, lang='en')
>>> out.getvalue().splitlines()[-1]
'total: 1 file(s); 3 rows read = 1 valid + 2 rejected; 2 errors, 0 warnings; exit status 1'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from creditstd.reports._text import LANGS
from creditstd.reports.builder import ReportBuilder
from creditstd.reports.github import write_github
from creditstd.reports.html import write_html
from creditstd.reports.jsonreport import write_json
from creditstd.reports.junit import write_junit
from creditstd.reports.model import (
    REPORT_VERSION,
    SCHEMA_ID,
    CodeLocation,
    CodeSummary,
    Column,
    Example,
    FieldSummary,
    FileReport,
    Report,
    Rows,
    Sample,
    Totals,
)
from creditstd.reports.sarif import write_sarif
from creditstd.reports.text import write_text

__all__ = [
    "FORMATS",
    "REPORT_VERSION",
    "SCHEMA_ID",
    "CodeLocation",
    "CodeSummary",
    "Column",
    "Example",
    "FieldSummary",
    "FileReport",
    "Report",
    "ReportBuilder",
    "Rows",
    "Sample",
    "Totals",
    "write_report",
]

#: Report formats -> writer ``(report, stream, *, lang)``.
WRITERS: dict[str, Callable[..., None]] = {
    "text": write_text,
    "json": write_json,
    "junit": write_junit,
    "github": write_github,
    "sarif": write_sarif,
    "html": write_html,
}
#: The formats ``--format`` offers.
FORMATS: tuple[str, ...] = tuple(WRITERS)


def write_report(report: Report, format: str, stream: TextIO, *, lang: str = "both", **options: Any) -> None:
    """Write ``report`` in ``format`` (one of :data:`FORMATS`) to the text stream ``stream``.

    ``lang`` is ``zh``, ``en`` or ``both`` (the JSON report always holds both).
    ``options`` go to the writer: ``color`` (text), ``summary_path`` (github:
    where the Markdown summary goes; default ``$GITHUB_STEP_SUMMARY``).
    """
    if format not in WRITERS:
        raise ValueError(f"unknown report format {format!r}: choose one of {', '.join(FORMATS)}")
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGS)}")
    WRITERS[format](report, stream, lang=lang, **options)
