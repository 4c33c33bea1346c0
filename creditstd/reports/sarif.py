"""The SARIF 2.1.0 report: one rule per finding code, one result per code and column, not per row.

Code-scanning services take at most 25,000 results per run and show 5,000;
a feed of a million rows can have a million findings.  So a result here is
one code in one column of one file (:class:`~creditstd.reports.model.CodeLocation`):
its message gives the count and the title, its location is the file and the
first line where the code was found, and ``properties`` carry the exact
``count``, the ``field``, the source ``column``, the first ``lines`` (and
how many more), and up to three example values (masked as the core masked
them), and a fingerprint of the code, file, column and field that code
scanning follows from run to run (``creditstdLocation/v2``: SHA-256 in the
letters a–p, :func:`~creditstd.reports._text.token`, as hexadecimal digits
could line up as an ID number).  At most :data:`MAX_RESULTS` results are written, the most common
first; ``run.properties.results_omitted`` says how many were left out.

A file lacking required columns gets one result of the rule
``columns.missing_required``.  Rules carry the code's title in Chinese and
English (``help.text``, ``help.markdown``); ``run.properties`` holds the
accounting (``N rows read = V valid + R rejected``) per file and in total.

>>> import io, json
>>> from creditstd.reports.builder import ReportBuilder
>>> out = io.StringIO(); write_sarif(ReportBuilder(class_name=None).finish(), out)
>>> log = json.loads(out.getvalue())
>>> log['version'], log['runs'][0]['tool']['driver']['name'], log['runs'][0]['results']
('2.1.0', 'creditstd', [])
>>> artifact_uri('feeds/处罚 2024.csv')
'feeds/%E5%A4%84%E7%BD%9A%202024.csv'

An artifact's ``uri`` is built from the path as the report shows it (masked
unless ``--show-pii``): ``/`` separates its segments, and so does ``\\`` on
Windows only; a character the report wrote as a ``\\uXXXX`` escape (see
:func:`~creditstd.reports._text.clean`) is percent-encoded as the character
it stands for, a byte that was not UTF-8 as that byte (``bad%FFname.csv``);
everything else RFC 3986 does not allow in a path segment is percent-encoded.
Each result's location also gives the ``index`` of its file in ``artifacts``:
files whose shown paths are alike once masked are told apart by the builder
(``(#2)``, see :mod:`~creditstd.reports.builder`), and so are their artifacts.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Any, TextIO
from urllib.parse import quote

from creditstd.reports._text import clean, number, pick, token
from creditstd.reports.model import CodeLocation, CodeSummary, Report

__all__ = ["MAX_RESULTS", "SARIF_SCHEMA", "artifact_uri", "sarif", "write_sarif"]

#: Results written at most (GitHub shows 5,000 per run and refuses more than 25,000).
MAX_RESULTS = 5_000
#: The ``$schema`` of the SARIF 2.1.0 log.
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_MISSING = "columns.missing_required"


#: A backslash, or the ``\uXXXX`` escape :func:`~creditstd.reports._text.clean` writes for an unprintable character.
_BACKSLASH = re.compile(r"\\(?:u([0-9a-f]{4}))?")


def _octets(char: str) -> bytes:
    """The bytes a path's character stands for: a byte that was not UTF-8 (Python's ``surrogateescape``,
    U+DC80–U+DCFF) as itself, another lone surrogate as its escape text, anything else as UTF-8."""
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return bytes([code - 0xDC00])
    if 0xD800 <= code <= 0xDFFF:
        return f"\\u{code:04x}".encode("ascii")
    return char.encode("utf-8")


def artifact_uri(path: str, *, windows: bool = os.name == "nt") -> str:
    """A file path as the report shows it, as a relative URI reference (RFC 3986): ``/`` separates segments,
    and ``\\`` does too when ``windows`` (by default: when running on Windows), else it is a character of the
    name (``%5C``); a ``\\uXXXX`` escape of an unprintable character is that character (a byte that was not
    UTF-8, that byte), percent-encoded, never a separator; everything else not allowed in a segment is
    percent-encoded as UTF-8.

    >>> artifact_uri('f7/bad\\\\udcffname.csv'), artifact_uri('a\\\\b.csv', windows=False)
    ('f7/bad%FFname.csv', 'a%5Cb.csv')
    >>> artifact_uri('feeds\\\\x\\\\u202e.csv', windows=True)
    'feeds/x%E2%80%AE.csv'
    """
    octets = bytearray()
    done = 0
    for match in _BACKSLASH.finditer(path):
        octets += b"".join(_octets(char) for char in path[done:match.start()])
        escaped = match.group(1)
        if escaped is not None and clean(char := chr(int(escaped, 16))) == match.group():
            octets += _octets(char)  # what clean() escapes: the character, not a separator
            done = match.end()
        else:  # a backslash, followed by the rest of the text as it is
            octets += b"/" if windows else b"\\"
            done = match.start() + 1
    octets += b"".join(_octets(char) for char in path[done:])
    return quote(bytes(octets), safe="/")


def _rule_name(code: str) -> str:
    """``uscc.checksum`` -> ``UsccChecksum`` (SARIF's rule ``name`` is an identifier-like string)."""
    return "".join(part[:1].upper() + part[1:] for part in code.replace("_", ".").split(".") if part)


def _rule(code: str, title_zh: str, title_en: str, level: str, count: int) -> dict[str, Any]:
    return {
        "id": code,
        "name": _rule_name(code),
        "shortDescription": {"text": title_en},
        "fullDescription": {"text": f"{title_zh} / {title_en}"},
        "help": {"text": f"{title_zh}\n{title_en}\n({code}: {number(count)})",
                 "markdown": f"**{code}**\n\n- 中文：{title_zh}\n- English: {title_en}\n\n{number(count)}"},
        "defaultConfiguration": {"level": level},
        "properties": {"title_zh": title_zh, "title_en": title_en, "tags": [code.split(".", 1)[0]],
                       "count": count},
    }


def _location(file: str, line: int | None, artifacts: dict[str, int]) -> dict[str, Any]:
    """A result's location: ``file`` (a path as the report shows it: one file's, see
    :attr:`~creditstd.reports.model.FileReport.path`) and its index in ``run.artifacts``, and ``line``."""
    where: dict[str, Any] = {"uri": artifact_uri(file)}
    if file in artifacts:
        where["index"] = artifacts[file]
    physical: dict[str, Any] = {"artifactLocation": where}
    if line is not None and line >= 1:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _result(code: CodeSummary, index: int, place: CodeLocation, artifacts: dict[str, int],
            lang: str) -> dict[str, Any]:
    where = place.column or place.field
    zh = f"{code.title_zh}：共 {number(place.count)} 处" + (f"，列“{where}”" if where else "")
    en = f"{code.title_en}: {number(place.count)} finding(s)" + (f" in column '{where}'" if where else "")
    if place.lines:
        more = " …" if place.lines_omitted else ""
        zh += "；首见于第 " + ", ".join(map(str, place.lines[:10])) + more + " 行"
        en += "; first at line(s) " + ", ".join(map(str, place.lines[:10])) + more
    examples = [example for example in code.examples
                if example.file == place.file and example.column == place.column and example.field == place.field]
    digest = hashlib.sha256(f"{code.code}\0{place.file}\0{place.column}\0{place.field}".encode()).digest()
    return {
        "ruleId": code.code,
        "ruleIndex": index,
        "level": "error" if code.severity == "error" else "warning",
        "message": {"text": pick(lang, zh, en, " / ")},
        "locations": [_location(place.file, place.first_line, artifacts)],
        "partialFingerprints": {"creditstdLocation/v2": token(digest[:16])},
        "properties": {
            "count": place.count, "field": place.field, "column": place.column, "lines": list(place.lines),
            "lines_omitted": place.lines_omitted,
            "examples": [{"line": example.line, "path": example.path, "value": example.value,
                          "message_zh": example.message_zh, "message_en": example.message_en}
                         for example in examples[:3]],
        },
    }


def sarif(report: Report, lang: str = "both") -> dict[str, Any]:
    """The SARIF 2.1.0 log of ``report``, as a JSON object."""
    rules: list[dict[str, Any]] = []
    results: list[tuple[int, dict[str, Any]]] = []
    artifacts = {file.path: index for index, file in enumerate(report.files)}  # the builder keeps paths distinct
    missing = [file for file in report.files if file.missing_fields]
    if missing:
        rules.append(_rule(_MISSING, "缺少必填列", "required columns missing", "error", len(missing)))
        for file in missing:
            fields = ", ".join(file.missing_fields)
            results.append((2**62, {  # a file lacking columns first
                "ruleId": _MISSING, "ruleIndex": 0, "level": "error",
                "message": {"text": pick(lang, f"缺少必填字段：{fields}", f"missing required fields: {fields}", " / ")},
                "locations": [_location(file.path, None, artifacts)],
                "properties": {"count": len(file.missing_fields), "fields": list(file.missing_fields)},
            }))
    for code in report.codes:
        index = len(rules)
        rules.append(_rule(code.code, code.title_zh, code.title_en,
                           "error" if code.severity == "error" else "warning", code.count))
        results += [(place.count, _result(code, index, place, artifacts, lang)) for place in code.locations]
    results.sort(key=lambda item: -item[0])
    kept = [result for _, result in results[:MAX_RESULTS]]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "creditstd", "version": report.version, "semanticVersion": report.version,
                            "rules": rules}},
        "invocations": [{"executionSuccessful": True, "exitCode": report.exit_status}],
        "artifacts": [{"location": {"uri": artifact_uri(file.path)},
                       **({"encoding": file.encoding} if file.encoding else {}),
                       "properties": {"format": file.format, "rows": file.rows.to_json(),
                                      "accounting_zh": file.rows.accounting("zh"),
                                      "accounting_en": file.rows.accounting("en")}}
                      for file in report.files],
        "results": kept,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "class": report.class_name, "strict": report.strict, "rows": report.totals.rows.to_json(),
            "accounting_zh": report.totals.rows.accounting("zh"), "accounting_en": report.totals.rows.accounting("en"),
            "errors": report.totals.errors, "warnings": report.totals.warnings,
            "results_omitted": len(results) - len(kept),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def write_sarif(report: Report, stream: TextIO, *, lang: str = "both") -> None:
    """Write ``report`` as a SARIF 2.1.0 log."""
    json.dump(sarif(report, lang), stream, ensure_ascii=False, indent=2)
    stream.write("\n")
