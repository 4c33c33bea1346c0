"""Writing records of any catalogue class as the exports departments exchange: JSON lines, CSV or XML.

Every writer streams (one record at a time goes out as a JSON line, a CSV row
or an XML ``<Record>`` element) and returns how many it wrote.  A record is a
plain mapping, or anything with a ``record`` mapping (a
:class:`~creditstd.records.fake.FakeRecord`).  CSV and XML follow the class:
columns are every field in schema order, named by national field code (else
key), Chinese title or key; XML elements are named by field code.  In CSV and
XML arrays are joined with ``；`` or written as ``<Item>`` children, booleans
as 是/否, numbers without exponent; an array the decoder would not read back
from joined items (a list of objects, an item holding ``；``) is its JSON text
(:func:`~creditstd.records.decode.array_cell`), in a CSV cell or an XML
element.  XML never fails on odd input: a key that is not an XML name becomes
``<Field name="...">``, and characters XML 1.0 cannot carry (control
characters, lone surrogates) become U+FFFD.  JSON is never written with
``NaN`` or ``Infinity`` (other parsers refuse them) nor with text UTF-8 cannot
carry: :func:`write_jsonl` raises a
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

from creditstd.records.decode import array_cell
from creditstd.records.jsonline import dumps_record
from creditstd.records.model import record_class

__all__ = ["XML_END", "column_names", "write_csv", "write_jsonl", "write_xml", "xml_start"]


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
        return array_cell(value)
    if isinstance(value, dict):
        return _json(value)
    return _scalar(value)


def _items(value: Any) -> bool:
    """Whether ``value`` is written as ``<Item>`` children in XML: a list of texts, numbers or booleans (a list
    of objects is one JSON text, as in a CSV cell)."""
    return isinstance(value, list) and not any(isinstance(item, (dict, list)) for item in value)


#: Characters XML 1.0 cannot carry (everything outside its Char production: ``#x9 | #xA | #xD | [#x20-#xD7FF] |
#: [#xE000-#xFFFD] | [#x10000-#x10FFFF]``), listed rather than negated: it is searched for in every XML value.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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
              headers: str = "code", whole: bool = True) -> int:
    """Write a header row and one row per record (every field of the class, in schema order); return how many.

    Arrays are joined with ``；``, booleans written 是/否.  Open files with ``newline=''``.  ``whole=False``:
    the rows alone, without the header row (a part of a larger file).
    """
    keys = list(record_class(class_name).fields)
    writer = csv.writer(stream)
    if whole:
        writer.writerow(column_names(class_name, headers))
    count = 0
    for record in records:
        get = _plain(record).get
        # _cell() for every cell; text and None (most cells) without the call
        writer.writerow([value if type(value) is str else "" if value is None else _cell(value)
                         for value in map(get, keys)])
        count += 1
    return count


def write_xml(records: Iterable[Record], class_name: str, stream: IO[str], *, whole: bool = True) -> int:
    """Write a department-export style XML document, one ``<Record>`` at a time; return how many.  ``whole=False``:
    the ``<Record>`` elements alone, without the declaration and the root element (a part of a larger file).

    Elements are named by national field code (else key); array items are ``<Item>`` children.  A key
    that is not an XML name is written as ``<Field name="key">``; characters XML cannot carry become U+FFFD.

    The text is what :mod:`lxml` writes for the record's element tree indented by :func:`lxml.etree.indent`,
    built as text: lxml still decides, once per key, whether it is an XML name and how its start and end tags
    read; a record with a key that is not text, or one lxml would give a namespace (``{uri}name``), is built
    as an element tree.

    >>> import io
    >>> stream = io.StringIO()
    >>> write_xml([{"bad key": "a\\x01b"}], "administrative_penalty", stream)
    1
    >>> stream.getvalue().splitlines()[3]
    '    <Field name="bad key">a\ufffdb</Field>'
    """
    from lxml import etree

    names = {key: f.code or f.key for key, f in record_class(class_name).fields.items()}
    tags: dict[str, _Tag | None] = {}
    if whole:
        stream.write(xml_start(class_name, getattr(stream, "encoding", None)))
    count = 0
    for record in records:
        data = _plain(record)
        text = _xml_record(data, names, tags, etree)
        stream.write(_xml_element(data, names, etree) if text is None else text)
        count += 1
    if whole:
        stream.write(XML_END)
    return count


def xml_start(class_name: str, encoding: str | None) -> str:
    """What :func:`write_xml` writes before the records: the declaration (naming ``encoding``, UTF-8 when
    None) and the root element's start tag; :data:`XML_END` closes it."""
    return f'<?xml version="1.0" encoding="{(encoding or "UTF-8").upper()}"?>\n<Records class="{class_name}">\n'


#: What :func:`write_xml` writes after the records.
XML_END = "</Records>\n"


#: How one key's element is written: its start tag, its end tag, the whole element when empty (an empty
#: array), and the start and end of an array's first and last items; each after its line break and indentation.
_Tag = tuple[str, str, str, str, str]

_ITEM_START, _ITEM_END = "\n      <Item>", "</Item>"


def _xml_tag(key: str, names: Mapping[str, Any], etree: Any) -> _Tag | None:
    """How lxml (``etree``) writes the element of ``key`` in a record; None if not just a start and an end tag."""
    name = names.get(key, key)
    try:
        element = etree.Element(name) if isinstance(name, str) else None
    except ValueError:  # not an XML name
        element = None
    if element is None:
        element = etree.Element("Field", name=_xml_text(key))
    empty = etree.tostring(element, encoding="unicode")  # <name/>, <Field name="..."/>
    tag = element.tag
    if not isinstance(tag, str) or tag.startswith("{") or not (empty.startswith(f"<{tag}") and empty.endswith("/>")):
        return None  # a namespace ("{uri}name"): lxml would declare it
    start, end = f"\n    {empty[:-2]}>", f"</{tag}>"
    return start, end, f"\n    {empty}", start + _ITEM_START, f"{_ITEM_END}\n    {end}"


#: What a text value needs before it goes between tags: a character XML cannot carry, or one lxml escapes.
_XML_SPECIAL = ("&", "<", ">", "\r")


def _xml_escape(text: str) -> str:
    """``text`` as lxml writes it between tags: characters XML cannot carry become U+FFFD, then ``&<>`` and
    carriage return become references."""
    return (_xml_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _xml_record(data: Mapping[str, Any], names: Mapping[str, Any], tags: dict[str, _Tag | None],
                etree: Any) -> str | None:
    """The ``<Record>`` element of ``data`` as :func:`_xml_element` writes it, line break included, built as
    text; None when it has a key :func:`_xml_tag` cannot write (``tags`` caches its answers)."""
    parts: list[str] = []  # (markup, text value, markup) for every value: the values are parts[1::3]
    for key, value in data.items():
        if type(key) is not str:
            return None
        try:
            tag = tags[key]
        except KeyError:
            tag = tags[key] = _xml_tag(key, names, etree)
        if tag is None:
            return None
        if type(value) is str:
            parts += (tag[0], value, tag[1])
        elif not _items(value):
            parts += (tag[0], _cell(value), tag[1])
        elif not value:
            parts += (tag[2], "", "")
        else:
            last = len(value) - 1
            for index, item in enumerate(value):
                parts += (tag[3] if index == 0 else _ITEM_START, _scalar(item), tag[4] if index == last else _ITEM_END)
    if not parts:
        return "  <Record/>\n"
    values = "".join(parts[1::3])
    if _XML_ILLEGAL.search(values) or any(character in values for character in _XML_SPECIAL):
        parts[1::3] = [_xml_escape(text) for text in parts[1::3]]
    return "  <Record>" + "".join(parts) + "\n  </Record>\n"


def _xml_element(data: Mapping[Any, Any], names: Mapping[str, Any], etree: Any) -> str:
    """The ``<Record>`` element of ``data`` as lxml (``etree``) writes it, indented, with its line break."""
    element = etree.Element("Record")
    for key, value in data.items():
        name = names.get(key, key)
        try:
            child = etree.SubElement(element, name) if isinstance(name, str) else None
        except ValueError:  # not an XML name ("bad key", "1st", "a:b"...)
            child = None
        if child is None:
            child = etree.SubElement(element, "Field", name=_xml_text(str(key)))
        if _items(value):
            for item in value:
                etree.SubElement(child, "Item").text = _xml_text(_scalar(item))
        else:
            child.text = _xml_text(_cell(value))
    etree.indent(element, space="  ", level=1)
    return "  " + etree.tostring(element, encoding="unicode") + "\n"
