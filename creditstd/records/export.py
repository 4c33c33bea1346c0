"""Writing records of any catalogue class as the exports departments exchange: JSON lines, CSV or XML.

Every writer streams (one record at a time goes out as a JSON line, a CSV row
or an XML ``<Record>`` element) and returns how many it wrote.  A record is a
plain mapping, or anything with a ``record`` mapping (a
:class:`~creditstd.records.fake.FakeRecord`).  CSV and XML follow the class:
columns are every field in schema order, named by national field code (else
key), Chinese title or key; XML elements are named by field code.  In CSV and
XML arrays are joined with ``；`` or written as ``<Item>`` children, booleans
as 是/否, numbers without exponent.  XML never fails on odd input: a key that
is not an XML name becomes ``<Field name="...">``, and characters XML 1.0
cannot carry (control characters, lone surrogates) become U+FFFD.  JSON is
never written with ``NaN`` or ``Infinity`` (other parsers refuse them) nor
with text UTF-8 cannot carry: :func:`write_jsonl` raises a
:class:`~creditstd.records.jsonline.LineError` (a ``CatalogueError``,
``record.not_finite`` or ``record.invalid_text``) before writing such a
record, and a CSV cell holding an object writes it as JSON the same way.

>>> import io
>>> record = {"decision_number": "深市监罚〔2024〕1号", "penalty_types": ["警告", "罚款"], "fine_amount": 0.5}
>>> column_names("administrative_penalty", "key")[:2]
['subject_name', 'subject_category']
>>> stream = io.StringIO()
>>> write_csv([record], "administrative_penalty", stream, headers="key")
1
>>> rows = stream.getvalue().splitlines()
>>> dict(zip(rows[0].split(","), rows[1].split(",")))["penalty_types"]
'警告；罚款'
>>> stream = io.StringIO()
>>> write_jsonl([record], stream), stream.getvalue()
(1, '{"decision_number": "深市监罚〔2024〕1号", "penalty_types": ["警告", "罚款"], "fine_amount": 0.5}\\n')
>>> stream = io.StringIO()
>>> write_xml([record], "administrative_penalty", stream)
1
>>> print(stream.getvalue(), end="")
<?xml version="1.0" encoding="UTF-8"?>
<Records class="administrative_penalty">
  <Record>
    <CF_WSH>深市监罚〔2024〕1号</CF_WSH>
    <CF_CFLB>
      <Item>警告</Item>
      <Item>罚款</Item>
    </CF_CFLB>
    <CF_NR_FK>0.5</CF_NR_FK>
  </Record>
</Records>
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import IO, Any, Protocol, Union

from creditstd.records.jsonline import dumps_record
from creditstd.records.model import record_class

__all__ = ["column_names", "write_csv", "write_jsonl", "write_xml"]


class Wrapped(Protocol):
    """A record carried inside another object (a :class:`~creditstd.records.fake.FakeRecord`)."""

    @property
    def record(self) -> Mapping[str, Any]: ...


#: What the writers take: a plain mapping or a wrapper with a ``record`` mapping.
Record = Union[Mapping[str, Any], Wrapped]  # noqa: UP007 - a runtime alias, kept py3.10-friendly


def _plain(record: Record) -> Mapping[str, Any]:
    return record if isinstance(record, Mapping) else record.record


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value)


def _json(value: Any) -> str:
    """``value`` as JSON text that any parser reads back: never NaN or Infinity, never a lone surrogate.

    >>> _json({'a': [1, '罚款']})
    '{"a": [1, "罚款"]}'
    >>> _json({'a': float('inf')})
    Traceback (most recent call last):
    ...
    creditstd.records.jsonline.LineError: record.not_finite: ...
    """
    return dumps_record(value)


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "；".join(_scalar(item) for item in value)
    if isinstance(value, dict):
        return _json(value)
    return _scalar(value)


#: Characters XML 1.0 cannot carry (everything outside its Char production).
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    """``text`` with every character XML cannot carry replaced by U+FFFD."""
    return _XML_ILLEGAL.sub("\ufffd", text)


def column_names(class_name: str, style: str = "code") -> list[str]:
    """Column names of ``class_name``: national field codes (else keys), Chinese titles, or keys."""
    if style not in ("code", "zh", "key"):
        raise ValueError(f"headers must be 'code', 'zh' or 'key', not {style!r}")
    fields = record_class(class_name).fields.values()
    return [(f.code or f.key) if style == "code" else f.zh if style == "zh" else f.key for f in fields]


def write_jsonl(records: Iterable[Record], stream: IO[str]) -> int:
    """Write one JSON object per line; return how many.

    A record with a non-finite number or a lone surrogate raises before anything of it is written.
    """
    count = 0
    for record in records:
        stream.write(_json(_plain(record)) + "\n")
        count += 1
    return count


def write_csv(records: Iterable[Record], class_name: str, stream: IO[str], *,
              headers: str = "code") -> int:
    """Write a header row and one row per record (every field of the class, in schema order); return how many.

    Arrays are joined with ``；``, booleans written 是/否.  Open files with ``newline=''``.
    """
    keys = list(record_class(class_name).fields)
    writer = csv.writer(stream)
    writer.writerow(column_names(class_name, headers))
    count = 0
    for record in records:
        data = _plain(record)
        writer.writerow([_cell(data.get(key)) for key in keys])
        count += 1
    return count


def write_xml(records: Iterable[Record], class_name: str, stream: IO[str]) -> int:
    """Write a department-export style XML document, one ``<Record>`` at a time; return how many.

    Elements are named by national field code (else key); array items are ``<Item>`` children.  A key
    that is not an XML name is written as ``<Field name="key">``; characters XML cannot carry become U+FFFD.

    >>> import io
    >>> stream = io.StringIO()
    >>> write_xml([{"bad key": "a\\x01b"}], "administrative_penalty", stream)
    1
    >>> stream.getvalue().splitlines()[3]
    '    <Field name="bad key">a\ufffdb</Field>'
    """
    from lxml import etree

    names = {key: f.code or f.key for key, f in record_class(class_name).fields.items()}
    encoding = (getattr(stream, "encoding", None) or "UTF-8").upper()
    stream.write(f'<?xml version="1.0" encoding="{encoding}"?>\n<Records class="{class_name}">\n')
    count = 0
    for record in records:
        element = etree.Element("Record")
        for key, value in _plain(record).items():
            name = names.get(key, key)
            try:
                child = etree.SubElement(element, name) if isinstance(name, str) else None
            except ValueError:  # not an XML name ("bad key", "1st", "a:b"...)
                child = None
            if child is None:
                child = etree.SubElement(element, "Field", name=_xml_text(str(key)))
            if isinstance(value, list):
                for item in value:
                    etree.SubElement(child, "Item").text = _xml_text(_scalar(item))
            else:
                child.text = _xml_text(_cell(value))
        etree.indent(element, space="  ", level=1)
        stream.write("  " + etree.tostring(element, encoding="unicode") + "\n")
        count += 1
    stream.write("</Records>\n")
    return count
