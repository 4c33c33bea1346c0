"""The JSON report: :meth:`Report.to_json <creditstd.reports.model.Report.to_json>`, versioned, with its schema.

The document is valid against ``schemas/validation-report.schema.json``
(installed as ``creditstd.schemas``; :func:`schema` reads it) and carries
``report_version``; docs/validation-report.md documents it field by field.

>>> import io, json
>>> from creditstd.reports.builder import ReportBuilder
>>> report = ReportBuilder(class_name=None).finish()
>>> out = io.StringIO(); write_json(report, out)
>>> document = json.loads(out.getvalue())
>>> document['report_version'], document['exit_status']
('1.2', 0)
>>> validator().is_valid(document)
True
"""

from __future__ import annotations

import functools
import json
from typing import Any, TextIO

from jsonschema import Draft202012Validator

from creditstd.reports.model import Report

__all__ = ["SCHEMA_NAME", "schema", "validator", "write_json"]

#: File name of the report's JSON Schema in ``schemas/``.
SCHEMA_NAME = "validation-report.schema.json"


def schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of the JSON report."""
    from creditstd.records.loader import meta_schema

    return meta_schema(SCHEMA_NAME)


@functools.cache
def validator() -> Draft202012Validator:
    """A validator for JSON reports (the schema checked once)."""
    document = schema()
    Draft202012Validator.check_schema(document)
    return Draft202012Validator(document)


def write_json(report: Report, stream: TextIO, *, lang: str = "both") -> None:
    """Write ``report`` as one JSON document (UTF-8 text, both languages whatever ``lang``)."""
    json.dump(report.to_json(), stream, ensure_ascii=False, indent=2)
    stream.write("\n")
