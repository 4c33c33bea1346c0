"""The fast writers write exactly what the straightforward ones wrote, byte for byte, error for error.

:func:`creditstd.records.jsonline.dumps_record` proves a value clean from its JSON text and scans it only
when the text cannot tell; :func:`creditstd.records.export.write_xml` builds ``<Record>`` elements as text
instead of lxml trees; :func:`~creditstd.records.export.write_csv` makes cells without a call per cell.  The
reference implementations below are the ones they replaced, kept verbatim but for the cell form of a list, which
changed on purpose (:func:`~creditstd.records.decode.array_cell`: a list of objects or of items holding a
separator is one JSON text, in a CSV cell and an XML element alike): every test runs both on the same input and
compares the text (or the bytes, through a GBK or UTF-8 stream) and the exception raised.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from functools import partial
from typing import IO, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditstd.exceptions import CatalogueError
from creditstd.records import export
from creditstd.records.decode import array_cell
from creditstd.records.export import write_csv, write_jsonl, write_xml
from creditstd.records.fake import fake_records
from creditstd.records.jsonline import MAX_DEPTH, MAX_KEY_LENGTH, MAX_STRING_LENGTH, dumps_record, first_problem
from creditstd.records.loader import class_names
from creditstd.records.model import record_class

ON = date(2026, 6, 30)
SLOW = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.data_too_large])


# --------------------------------------------------------------------------- the reference implementations


def _reference_dumps_record(value: Any, *, canonical: bool = False) -> str:
    problem = first_problem(value)
    if problem is not None:
        raise problem
    try:
        if canonical:
            return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        raise CatalogueError("exchange.not_json", "记录含有JSON无法表示的值",
                             "the record holds a value JSON cannot represent") from None


def _ref_plain(record: Any) -> Mapping[str, Any]:
    return record if isinstance(record, Mapping) else record.record


def _ref_scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value)


def _ref_cell(value: Any) -> str:
    if isinstance(value, list):
        return array_cell(value)
    if isinstance(value, dict):
        return _reference_dumps_record(value)
    return _ref_scalar(value)


_REF_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _ref_xml_text(text: str) -> str:
    return _REF_XML_ILLEGAL.sub("\ufffd", text)


def _reference_write_jsonl(records: Iterable[Any], stream: IO[str]) -> int:
    count = 0
    for record in records:
        stream.write(_reference_dumps_record(_ref_plain(record)) + "\n")
        count += 1
    return count


def _reference_write_csv(records: Iterable[Any], class_name: str, stream: IO[str], *, headers: str = "code") -> int:
    keys = list(record_class(class_name).fields)
    writer = csv.writer(stream)
    writer.writerow(export.column_names(class_name, headers))
    count = 0
    for record in records:
        data = _ref_plain(record)
        writer.writerow([_ref_cell(data.get(key)) for key in keys])
        count += 1
    return count


def _reference_write_xml(records: Iterable[Any], class_name: str, stream: IO[str]) -> int:
    from lxml import etree

    names = {key: f.code or f.key for key, f in record_class(class_name).fields.items()}
    encoding = (getattr(stream, "encoding", None) or "UTF-8").upper()
    stream.write(f'<?xml version="1.0" encoding="{encoding}"?>\n<Records class="{class_name}">\n')
    count = 0
    for record in records:
        element = etree.Element("Record")
        for key, value in _ref_plain(record).items():
            name = names.get(key, key)
            try:
                child = etree.SubElement(element, name) if isinstance(name, str) else None
            except ValueError:
                child = None
            if child is None:
                child = etree.SubElement(element, "Field", name=_ref_xml_text(str(key)))
            if isinstance(value, list) and not any(isinstance(item, (dict, list)) for item in value):
                for item in value:
                    etree.SubElement(child, "Item").text = _ref_xml_text(_ref_scalar(item))
            else:
                child.text = _ref_xml_text(_ref_cell(value))
        etree.indent(element, space="  ", level=1)
        stream.write("  " + etree.tostring(element, encoding="unicode") + "\n")
        count += 1
    stream.write("</Records>\n")
    return count


# --------------------------------------------------------------------------- comparing outcomes


def _outcome(call: Callable[[], Any]) -> tuple[Any, ...]:
    """What a call returned, or the exception it raised: type, code, path, message."""
    try:
        return ("value", call())
    except Exception as error:  # any exception is an outcome to compare
        return ("error", type(error), getattr(error, "code", None), getattr(error, "path", None), str(error))


def _written(writer: Callable[[IO[str]], int], encoding: str | None) -> tuple[Any, ...]:
    """What a writer wrote (text for a StringIO, bytes through an encoding) and how it ended."""
    if encoding is None:
        stream: Any = io.StringIO()
        outcome = _outcome(lambda: writer(stream))
        return outcome, stream.getvalue()
    raw = io.BytesIO()
    wrapper = io.TextIOWrapper(raw, encoding=encoding, newline="", write_through=True)
    outcome = _outcome(lambda: writer(wrapper))
    wrapper.detach()
    return outcome, raw.getvalue()


def _same_dump(value: Any) -> None:
    for canonical in (False, True):
        new = _outcome(partial(dumps_record, value, canonical=canonical))
        old = _outcome(partial(_reference_dumps_record, value, canonical=canonical))
        assert new == old, (canonical, new[:4], old[:4])


def _same_writes(records: list[Any], class_name: str, formats: Iterable[str] = ("jsonl", "csv", "xml"),
                 encodings: Iterable[str | None] = (None, "utf-8", "gbk")) -> None:
    pairs = {
        "jsonl": (lambda s: write_jsonl(records, s), lambda s: _reference_write_jsonl(records, s)),
        "csv": (lambda s: write_csv(records, class_name, s), lambda s: _reference_write_csv(records, class_name, s)),
        "xml": (lambda s: write_xml(records, class_name, s), lambda s: _reference_write_xml(records, class_name, s)),
    }
    for output_format in formats:
        new, old = pairs[output_format]
        for encoding in encodings:
            assert _written(new, encoding) == _written(old, encoding), (output_format, encoding)


# --------------------------------------------------------------------------- strategies

# Every code point, lone surrogates included, with the interesting ones (controls, what XML, JSON, CSV and
# GBK make something of, non-BMP) over-represented.
_SPECIAL = list("<&>\"'\t\n\r\x00\x01\x08\x0b\x0c\x1f\x7f\x85\u2028\ufeff\ufffe\uffff\ud800\udfff\U0001f600"
                "\u00e9\u20ac\u00b7\ufffd\u3000；罚,{}[]\\:")
characters = st.one_of(st.sampled_from(_SPECIAL), st.characters(codec=None, categories=None),
                       st.characters(max_codepoint=0x7f))
texts = st.text(characters, max_size=12)
long_texts = st.builds(lambda piece, size: (piece * size)[:size], st.sampled_from(["a", "罚款", "\ud800", '"', "\\"]),
                       st.sampled_from([MAX_KEY_LENGTH - 1, MAX_KEY_LENGTH, MAX_KEY_LENGTH + 1,
                                        MAX_STRING_LENGTH - 1, MAX_STRING_LENGTH, MAX_STRING_LENGTH + 1]))
numbers = st.one_of(st.integers(), st.floats(), st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e16, 1e-5]),
                    st.builds(lambda digits: 10 ** digits, st.integers(4290, 4310)))
scalars = st.one_of(st.none(), st.booleans(), numbers, texts, long_texts)
keys = st.one_of(texts, long_texts, st.integers(-3, 3), st.floats(), st.none(), st.booleans(),
                 st.tuples(st.integers(0, 2)))


def _nested(depth: int, leaf: Any, kind: str) -> Any:
    for _ in range(depth):
        leaf = [leaf] if kind == "list" else {"k": leaf}
    return leaf


json_like = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                            st.dictionaries(texts, inner, max_size=4), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=20)
values = st.one_of(
    json_like,
    st.builds(_nested, st.integers(MAX_DEPTH - 3, MAX_DEPTH + 3), json_like, st.sampled_from(["list", "dict"])),
    st.builds(lambda value: {"a": value}, st.one_of(st.sets(st.integers(), max_size=2), st.just(date(2024, 1, 1)))),
    st.builds(lambda value, size: {"k" * size: value}, json_like,
              st.sampled_from([MAX_KEY_LENGTH, MAX_KEY_LENGTH + 1])),
)


# --------------------------------------------------------------------------- dumps_record


@SLOW
@given(value=values)
def test_dumps_record_matches_the_scan_first_implementation(value: Any) -> None:
    _same_dump(value)


@pytest.mark.parametrize("value", [
    {"a": "x" * MAX_STRING_LENGTH}, {"a": "x" * (MAX_STRING_LENGTH + 1)}, "x" * (MAX_STRING_LENGTH + 1),
    {"k" * MAX_KEY_LENGTH: 1}, {"k" * (MAX_KEY_LENGTH + 1): 1}, [{"k" * (MAX_KEY_LENGTH + 1): 1}],
    {"a": {"k" * (MAX_KEY_LENGTH + 1): 1}}, {"a": "{", "k" * (MAX_KEY_LENGTH + 1): 1},
    {"a": '"' * 300, "b": "\ud800"}, {"\udfff": 1}, {1: "\ud800"}, {"a": [1, 2, float("nan")]},
    {math.nan: 1}, {"a": 10 ** 5000}, {(1,): 1}, {1: 1, "a": 2}, {"a": b"x"},
    _nested(MAX_DEPTH - 1, 1, "list"), _nested(MAX_DEPTH, 1, "list"), _nested(MAX_DEPTH, [], "dict"),
    _nested(100_000, 1, "list"), _nested(100_000, 1, "dict"), [[]] * 40, "[" * 40,
])
def test_dumps_record_edges(value: Any) -> None:
    _same_dump(value)


def test_dumps_record_circular() -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    mapping: dict[str, Any] = {}
    mapping["self"] = mapping
    _same_dump(loop)
    _same_dump(mapping)


# --------------------------------------------------------------------------- the writers over fake records


@pytest.mark.parametrize("class_name", class_names())
@pytest.mark.parametrize("error_rate", [0.0, 0.5])
def test_writers_match_over_fake_records(class_name: str, error_rate: float) -> None:
    records = list(fake_records(class_name, 150, seed=7, error_rate=error_rate, on=ON))
    _same_writes(records, class_name, encodings=(None, "gbk"))
    _same_writes([record.record for record in records[:20]], class_name, encodings=("utf-8",))


# --------------------------------------------------------------------------- the writers over odd records


def _record_strategy(class_name: str) -> st.SearchStrategy[dict[Any, Any]]:
    field_keys = st.sampled_from(list(record_class(class_name).fields))
    odd_keys = st.one_of(texts, st.sampled_from(["bad key", "1st", "a:b", "{urn:x}y", "{}y", "{", "xml", "名称",
                                                 "Field", "Item", "a\ud800", "", "x" * 300]),
                         st.integers(-2, 2), st.none(), st.booleans(), st.floats(), st.tuples(st.integers(0, 1)))
    cell_values = st.one_of(scalars, st.lists(st.one_of(scalars, st.dictionaries(texts, texts, max_size=2),
                                                       st.lists(texts, max_size=2)), max_size=3),
                            st.dictionaries(texts, st.one_of(scalars, st.lists(texts, max_size=2)), max_size=3),
                            st.tuples(texts), st.sets(st.integers(0, 3), max_size=2))
    return st.dictionaries(st.one_of(field_keys, field_keys, odd_keys), cell_values, max_size=8)


@SLOW
@given(data=st.data())
def test_writers_match_over_odd_records(data: st.DataObject) -> None:
    class_name = data.draw(st.sampled_from(["administrative_penalty", "credit_repair", "registration_basic"]))
    records = data.draw(st.lists(_record_strategy(class_name), max_size=4))
    _same_writes(records, class_name)


@SLOW
@given(text=st.text(characters, max_size=40), items=st.lists(st.text(characters, max_size=8), max_size=3),
       key=st.text(characters, max_size=10))
def test_xml_text_and_names_match(text: str, items: list[str], key: str) -> None:
    """Text values, array items and keys of every kind of character, through UTF-8 and GBK."""
    records = [{"decision_number": text, "penalty_types": items, key: text}, {key: items}]
    _same_writes(records, "administrative_penalty", formats=("xml",))


def test_writers_stop_where_they_stopped() -> None:
    """A record that cannot be written raises after the records before it, as before."""
    records = [{"subject_name": "甲"}, {"subject_name": "乙", "extra": {"a": float("nan")}}, {"subject_name": "丙"}]
    _same_writes(records, "administrative_penalty")
    gbk = [{"subject_name": "甲"}, {"subject_name": "\U0001f600"}, {"subject_name": "丙"}]
    _same_writes(gbk, "administrative_penalty", encodings=("gbk",))


def test_xml_illegal_characters_are_the_same() -> None:
    """The XML writer's pattern of characters XML cannot carry is the complement of XML 1.0's Char."""
    everything = "".join(map(chr, range(0x110000)))
    assert export._XML_ILLEGAL.sub("\ufffd", everything) == _REF_XML_ILLEGAL.sub("\ufffd", everything)
