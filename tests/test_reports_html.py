"""The HTML report in a real headless browser: the charts and summary render, injected markup never runs.

Chromium loads the page from a file and ``--dump-dom`` prints the document
after its scripts ran: the page's own script marks the root element
``data-ready="yes"`` and writes each bar's share; markup injected through
the data (a cell, an example value, a header, a file name) would set
``data-pwned`` on it.  A control page with a raw script shows that the
harness does see a script that runs.  CI installs Debian's chromium
(``.ci/run``); without it these tests are skipped.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_reports_fixtures import IMG, SCRIPT, feed_penalties, penalty_report

from creditstd.findings import Finding, Location
from creditstd.reports import Report, ReportBuilder, write_report
from creditstd.reports._text import clean

CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (.ci/run installs Debian's)")


class _Elements(HTMLParser):
    """Every element of a document: (tag, attributes, text directly inside and below it)."""

    VOID = frozenset({"meta", "br", "img", "input", "link", "hr", "rect"})

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self.stack: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {key: value or "" for key, value in attrs}, []))
        if tag not in self.VOID:
            self.stack.append(len(self.elements) - 1)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {key: value or "" for key, value in attrs}, []))

    def handle_endtag(self, tag: str) -> None:
        if any(self.elements[index][0] == tag for index in self.stack):  # close it and what it left open
            while self.elements[self.stack.pop()][0] != tag:
                pass

    def handle_data(self, data: str) -> None:
        for index in self.stack:
            self.elements[index][2].append(data)

    def find(self, tag: str, css: str | None = None) -> list[tuple[dict[str, str], str]]:
        return [(attrs, "".join(text)) for name, attrs, text in self.elements
                if name == tag and (css is None or css in attrs.get("class", "").split())]


def dump_dom(page: Path, tmp_path: Path) -> _Elements:
    """The document Chromium built from ``page``, after its scripts ran."""
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)}, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "</html>" in result.stdout
    elements = _Elements()
    elements.feed(result.stdout)
    return elements


def write_page(report: Report, tmp_path: Path, name: str = "report.html", lang: str = "en") -> Path:
    out = io.StringIO()
    write_report(report, "html", out, lang=lang)
    page = tmp_path / name
    page.write_text(out.getvalue(), encoding="utf-8")
    return page


def hostile_report() -> Report:
    """Markup in a cell and example value (penalty types), in a header, in a file name and a message."""
    builder = ReportBuilder(class_name="administrative_penalty")
    feed_penalties(builder, rows=200, path=f"feeds/{IMG}.csv", bad_type=SCRIPT)
    builder.start_file("b.csv", format="csv", encoding="utf-8", headers=[IMG], mapping={IMG: None}, missing=[SCRIPT])
    builder.add_file_finding(Finding("input.header", SCRIPT, IMG, value=SCRIPT, location=Location("b.csv", 1,
                                                                                                   column=IMG)))
    return builder.finish()


def test_the_report_renders_with_its_charts_and_summary(tmp_path: Path) -> None:
    report = penalty_report()
    dom = dump_dom(write_page(report, tmp_path), tmp_path)
    root = dom.find("html")[0][0]
    assert root.get("data-ready") == "yes"  # the page's own script ran (its CSP hash is right)
    bars = [(attrs["data-label"], int(attrs["data-count"])) for attrs, _ in dom.find("g", "bar")]
    assert bars == [("ric.checksum", 667), ("record.enum", 67), ("rule.date_in_future", 20), ("input.ragged", 1),
                    ("id_number", 667), ("penalty_types", 67), ("decision_date", 20)]
    shares = [text for _, text in dom.find("text", "share")]
    assert shares == ["88.3%", "8.9%", "2.6%", "0.1%", "88.5%", "8.9%", "2.7%"]
    counts = [text for _, text in dom.find("text", "count")]
    assert counts == ["667", "67", "20", "1", "667", "67", "20"]
    charts = dom.find("svg", "chart")
    assert [(attrs["data-chart"], attrs["data-total"]) for attrs, _ in charts] == [("codes", "755"), ("fields", "754")]
    accounting = [text for _, text in dom.find("p", "accounting")]
    assert accounting[0] == accounting[-1]
    assert accounting[0] == ("2,001 rows read = 1,266 valid + 735 rejected (1 unreadable); 735 errors, 20 warnings; "
                             "exit status 1")
    assert "2,001 rows read = 1,266 valid + 735 rejected (1 unreadable)" in accounting[1]
    rows = dom.find("tr")
    assert len(dom.find("table", "samples")) == 1 and len(rows) > 10
    codes = [(attrs["data-code"], attrs["data-count"]) for attrs, _ in dom.find("details", "code")]
    assert codes[0] == ("ric.checksum", "667")


def test_injected_markup_does_not_run(tmp_path: Path) -> None:
    page = write_page(hostile_report(), tmp_path)
    dom = dump_dom(page, tmp_path)
    root = dom.find("html")[0][0]
    assert "data-pwned" not in root and root.get("data-ready") == "yes"
    assert dom.find("title")[0][1] == "creditstd validation report"
    assert not [attrs for attrs, _ in dom.find("img")]  # no element made from the data
    assert len(dom.find("script")) == 1
    cells = [text for _, text in dom.find("td")]
    assert clean(SCRIPT) in cells  # shown as text in a sample cell and an example
    assert any(IMG in text for _, text in dom.find("code"))  # the file name, as text
    # without the Content-Security-Policy, escaping alone keeps the markup inert
    bare = tmp_path / "bare.html"
    bare.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page.read_text(encoding="utf-8")),
                    encoding="utf-8")
    dom = dump_dom(bare, tmp_path)
    root = dom.find("html")[0][0]
    assert "data-pwned" not in root and root.get("data-ready") == "yes"


def test_the_harness_sees_a_script_that_runs(tmp_path: Path) -> None:
    control = tmp_path / "control.html"
    control.write_text(f"<!DOCTYPE html><html><body><p>{SCRIPT}</p></body></html>", encoding="utf-8")
    root = dump_dom(control, tmp_path).find("html")[0][0]
    assert root.get("data-pwned") == "script"
