"""The safe streaming XML record reader: one record element at a time, in bounded time and memory.

Departments export XML with pinyin tags, namespaces and attributes, and an XML file from outside is a classic
attack surface.  :func:`read_records` parses with an :class:`lxml.etree.XMLPullParser` fed block by block (as
:func:`lxml.etree.iterparse` does, but the records before a syntax error always come out first), with these
guarantees:

* **No DTD, no entities.**  A document with a document type declaration (``<!DOCTYPE``) is refused before
  the parser sees it (``source.xml_dtd``, naming the file and the line): that is where billion-laughs and
  quadratic-blowup entities, external entities (``file:``, ``http:``) and parameter entities live; credit
  exports need none.  The parser also runs with ``resolve_entities=False``, ``load_dtd=False``,
  ``no_network=True`` and ``huge_tree=False``, and the declaration is checked again once parsing starts.
  A reference to an undeclared entity is a well-formedness error (``source.xml_entity``).  XInclude is
  never processed (an ``xi:include`` element is an ordinary element), and no XSLT runs.
* **Bounded depth and size.**  libxml2's own limits stay on (``huge_tree=False``): at most 256 levels of
  nesting, text nodes and attribute values under 10,000,000 bytes, names under 50,000 bytes
  (``source.xml_limit``).  On top, the input between the end of one record and the end of the next (a
  record with the markup before it) may be at most :data:`MAX_RECORD_BYTES` (1 MiB, ``source.xml_too_large``),
  the prolog before the root element at most :data:`MAX_PROLOG_BYTES` (1 MiB, ``source.xml_prolog``), and a
  value read at most :data:`MAX_VALUE_CHARS` characters (a longer one is a ``convert.too_long`` problem of
  its record, not read further).
* **Flat memory.**  Each record element is cleared once read, and every element before it (its preceding
  siblings and those of its ancestors) is deleted, so the tree holds the path to the current record and
  the bytes since the last one: memory does not grow with the file.

Each record comes out as an :class:`XmlRecord`: its 1-based index, the line of its start tag
(``element.sourceline``), one value per source path (a text, a list of texts with ``many``, or None), and
the problems met (a second match without ``many``, an element holding elements, a value too long).
Nothing that may be a record is left out unsaid: an element off the record path that looks like a record (its
name, in another case or namespace), or where records sit but named otherwise and holding what the mapping
reads (a renamed ``<Row>``), is a ``source.xml_stray_record`` row problem, read as a row and rejected; with no
element at the record path at all, the path is wrong (``source.xml_record_path``, naming what was found).
:func:`read_batches` gives the same in :class:`XmlBatch` es of up to 8,192 records (a list of values per
record, no object per record): what the engine reads.

**What a value is** is defined by :func:`reference_values`: each source path evaluated on its own with
:meth:`SourcePath.values` (the walk over children for simple paths, lxml's XPath for predicates), and
:func:`_rule_value` turning what it selected into the value and the problems.  Evaluating 20 to 30 paths
per record that way visits every child once per path; the reader instead makes **one pass** over the
record's children (:func:`_read`, planned once per mapping by :func:`_plan`): a dict from child tag to the
rule whose path is that one step, so each child costs a lookup, its ``len`` and its ``text``.  It is exact
because a one-step path selects exactly the children of that tag, in document order, which is the order of
the pass; an element's value is its ``text`` exactly when it holds no node (``len`` counts elements,
comments and processing instructions; otherwise :func:`~creditstd.convert.xpath.element_value` reads it);
counting the matches per rule gives the cardinality problem the reference gives.  Longer simple paths start
from the children of their first step collected in the same pass and walk on
(:meth:`SourcePath.values_from_first`, the walk's own code); predicates, ``*``, ``text()`` and ``.`` are
evaluated as the reference does, and the problems are put in the reference's order.
``tests/test_xml_fast_path.py`` holds the pass equal to the reference on random record trees and mappings.
Per record the pass costs about as much as parsing the record: the lxml proxies, tags and texts of the
children are most of it (``benchmarks/bench_xml_reader.py``).

Encodings: the XML declaration decides (and a byte-order mark); GBK and GB2312 are read as GB18030, their
superset, so that the characters GBK lacks but real exports hold do not stop the file; ``encoding`` overrides.

>>> import os, tempfile
>>> from creditstd.convert.xpath import compile_path, compile_record_path
>>> path = os.path.join(tempfile.mkdtemp(), 'export.xml')
>>> text = '''<?xml version="1.0" encoding="GBK"?>
... <Records>
...   <Record id="1"><MC>某某公司</MC><CFLB><Item>警告</Item><Item>罚款</Item></CFLB></Record>
...   <Record id="2"><MC>乙</MC><MC>丙</MC></Record>
... </Records>'''
>>> with open(path, 'wb') as stream:
...     _ = stream.write(text.encode('gbk'))
>>> sources = [(compile_path('MC'), False), (compile_path('CFLB/Item'), True), (compile_path('@id'), False)]
>>> for record in read_records(path, compile_record_path('/Records/Record'), sources):
...     print(record.index, record.line, record.values, [(p.rule, p.code) for p in record.problems])
1 3 ('某某公司', ['警告', '罚款'], '1') []
2 4 (None, None, '2') [(0, 'convert.cardinality')]

A DOCTYPE is refused, whatever it declares:

>>> with open(path, 'wb') as stream:
...     _ = stream.write(b'<?xml version="1.0"?>\\n<!DOCTYPE r [<!ENTITY a "aaaa">]>\\n<Records/>')
>>> list(read_records(path, compile_record_path('/Records/Record'), sources))
Traceback (most recent call last):
...
creditstd.sources.model.SourceError: source.xml_dtd: ...

A record renamed is not left out: among records, a row problem; with no record left, a wrong record path:

>>> record = compile_record_path('/Records/Record')
>>> with open(path, 'wb') as stream:
...     _ = stream.write('<Records><Record><MC>甲</MC></Record>\\n<Row><MC>乙</MC></Row></Records>'.encode())
>>> first, second = read_records(path, record, sources)
>>> first.values, second.code, second.line
(('甲', None, None), 'source.xml_stray_record', 2)
>>> with open(path, 'wb') as stream:
...     _ = stream.write('<Records><Row><MC>甲</MC></Row>\\n<Row><MC>乙</MC></Row></Records>'.encode())
>>> list(read_records(path, record, sources))
Traceback (most recent call last):
...
creditstd.sources.model.SourceError: source.xml_record_path: ...; found instead: /Records/Row (2)
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, BinaryIO

from lxml import etree

from creditstd.codes.redact import redact
from creditstd.convert.codes import SOURCE_CODES
from creditstd.convert.xpath import RecordPath, SourcePath, element_value
from creditstd.sources.inputs import open_bytes, read_error
from creditstd.sources.model import RowProblem, SourceError, row_problem, shown_path

__all__ = [
    "MAX_PROLOG_BYTES",
    "MAX_RECORD_BYTES",
    "MAX_VALUE_CHARS",
    "ValueProblem",
    "XmlBatch",
    "XmlRecord",
    "read_batches",
    "read_records",
    "reference_values",
    "xml_encoding",
    "xml_error",
]

#: The most bytes of input between the end of one record and the end of the next (1 MiB: the catalogue's
#: largest record, every field at its maximum length, is under 400 kB of UTF-8).  Memory held is about 30
#: times this in the worst case (a megabyte of tiny elements); a caller may pass another limit.
MAX_RECORD_BYTES = 1 << 20
#: A batch of records ends once this many bytes of input have been read for it, however few records it holds:
#: what a batch holds in memory stays bounded when records are large (8,192 records of up to
#: :data:`MAX_RECORD_BYTES` would be gigabytes), and smaller batches keep the peak lower.
BATCH_BYTES = 8 << 20
#: The most bytes before the root element (XML declaration, comments, processing instructions).
MAX_PROLOG_BYTES = 1 << 20
#: The longest value read from a record, in characters (the catalogue's longest field holds 4,000).
MAX_VALUE_CHARS = 100_000
#: Encodings read as GB18030, their superset.
GB_ENCODINGS = frozenset({"gbk", "gb2312", "gb_2312-80", "cp936", "x-gbk", "euc-cn", "ms936", "windows-936"})
_CHUNK = 64 * 1024


@functools.lru_cache(maxsize=256)
def xml_encoding(name: str) -> str | None:
    """The name the XML parser (libxml2) reads the text encoding ``name`` by, or None when Python knows no text
    encoding of that name (``codecs.lookup``) or libxml2 cannot read it.  GBK and GB2312 are read as GB18030,
    their superset; UTF-8 with a byte-order mark as UTF-8 (libxml2 skips the mark); any other encoding by the
    name given, else by Python's name for it, when libxml2 knows one of them.

    >>> xml_encoding('GBK'), xml_encoding('x-gbk'), xml_encoding('utf-8-sig'), xml_encoding('UTF-16LE')
    ('gb18030', 'gb18030', 'utf-8', 'utf-16le')
    >>> xml_encoding('latin-1'), xml_encoding('utf_16_le')
    ('iso8859-1', 'utf-16le')
    >>> xml_encoding('x-unknown'), xml_encoding('base64'), xml_encoding('cp437')  # none; not text; not libxml2's
    (None, None, None)
    """
    lowered = name.lower()
    if lowered in GB_ENCODINGS:  # (x-gbk, windows-936 and gb_2312-80 too, names Python does not know)
        return "gb18030"
    try:
        codec = codecs.lookup(name)
    except (LookupError, UnicodeError, ValueError, TypeError):
        return None
    if not getattr(codec, "_is_text_encoding", True):
        return None
    if codec.name in ("gbk", "gb2312", "gb18030"):
        return "gb18030"
    if codec.name == "utf-8-sig":
        return "utf-8"
    hyphens = codec.name.replace("_", "-")
    for candidate in (lowered, codec.name, hyphens, re.sub(r"-([lb]e)$", r"\1", hyphens), hyphens.replace("-", "")):
        try:
            etree.XMLParser(encoding=candidate)
        except LookupError:
            continue
        return candidate
    return None


def xml_error(code: str, path: str, line: int | None = None, **fields: object) -> SourceError:
    """The :class:`~creditstd.sources.model.SourceError` of XML code ``code`` for file ``path`` (and ``line``).

    Text ``fields`` may quote the document (the root element's name and namespace, the parser's message about
    a tag): anything in them that may be an ID number is masked, for library callers as on the command line.

    >>> xml_error('source.xml_syntax', 'a.xml', 3, reason='tag mismatch: R11010519491231002X').message_en[-40:]
    ' XML (tag mismatch: R110105********002X)'
    """
    zh, en = SOURCE_CODES[code]
    values: dict[str, object] = {
        "file": shown_path(path),
        "where": f", line {line}" if line else "",
        "where_zh": f"第{line}行" if line else "",
        **{name: redact(value) if isinstance(value, str) else value for name, value in fields.items()},
    }
    return SourceError(code, zh.format(**values), en.format(**values), file=path, line=line)


@dataclass(frozen=True, slots=True)
class ValueProblem:
    """A value of a record that could not be read: the source path's place (``rule``), the code, and for
    ``convert.cardinality`` how many values there were."""

    rule: int
    code: str
    count: int = 0


@dataclass(frozen=True, slots=True)
class XmlRecord:
    """One record: its 1-based place among the records, the line of its start tag, a value per source path
    (a text, a list of texts for ``many``, or None when absent or empty; in the order of the sources given),
    the problems met, and the file (as given to :func:`read_records`)."""

    index: int
    line: int
    values: tuple[Any, ...]
    problems: tuple[ValueProblem, ...] = ()
    file: str = ""


# ------------------------------------------------------------------------------------------------ the prolog

_PROLOG_SPACE = frozenset(" \t\r\n")
_NAME_START = re.compile(r"[A-Za-z_:\u0080-\uffff]")


def _prolog_text(data: bytes) -> tuple[str, str]:
    """The bytes as text good enough to scan the prolog's markup (ASCII in every encoding but UTF-16/32), and
    the encoding used."""
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, "ignore"), codec
    if data.startswith(b"<\x00?\x00"):
        return data.decode("utf-16-le", "ignore"), "utf-16-le"
    if data.startswith(b"\x00<\x00?"):
        return data.decode("utf-16-be", "ignore"), "utf-16-be"
    return data.decode("latin-1"), "ascii"


def _scan_prolog(text: str) -> tuple[str, int]:
    """What the prolog of ``text`` holds: ``('root', _)`` when the root element starts before any DOCTYPE,
    ``('doctype', line)``, ``('more', _)`` when ``text`` ends inside the prolog, ``('other', _)`` for
    anything else (the parser will report it)."""
    at = 1 if text.startswith("\ufeff") else 3 if text.startswith("ï»¿") else 0
    while True:
        while at < len(text) and text[at] in _PROLOG_SPACE:
            at += 1
        if at >= len(text):
            return "more", 0
        if text.startswith("<?", at):
            end = text.find("?>", at + 2)
            if end < 0:
                return "more", 0
            at = end + 2
        elif text.startswith("<!--", at):
            end = text.find("-->", at + 4)
            if end < 0:
                return "more", 0
            at = end + 3
        elif text.startswith("<!", at):
            if len(text) - at < 9:
                return "more", 0
            return (
                ("doctype", text.count("\n", 0, at) + 1) if text[at : at + 9].upper() == "<!DOCTYPE" else ("other", 0)
            )
        elif text.startswith("<", at):
            if at + 1 >= len(text):
                return "more", 0
            return ("root", 0) if _NAME_START.match(text, at + 1) else ("other", 0)
        else:
            return "other", 0


_DECLARED = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")


class _Guard:
    """The byte stream lxml reads: the prolog checked first, then every read counted; more than
    :data:`MAX_RECORD_BYTES` since the last record's end stops the parse (``source.xml_too_large``)."""

    def __init__(self, stream: BinaryIO, path: str, limit: int) -> None:
        self.stream = stream
        self.path = path
        self.limit = limit
        self.total = 0
        self.mark = 0
        self.lines = 1
        self.pending = b""
        self.declared: str | None = None
        #: the input read before the first record ends (``mark`` still 0), at most about ``limit`` bytes: what
        #: :func:`_head_error` reads again when no record comes before the limit; None once a record is read
        self.head: list[bytes] | None = []
        self._check_prolog()

    def _check_prolog(self) -> None:
        data = b""
        while True:
            chunk = self.stream.read(_CHUNK)
            data += chunk
            text, _ = _prolog_text(data)
            state, line = _scan_prolog(text)
            if state == "doctype":
                raise xml_error("source.xml_dtd", self.path, line)
            if state in ("root", "other") or not chunk:
                break
            if len(data) > MAX_PROLOG_BYTES:
                raise xml_error("source.xml_prolog", self.path, limit=MAX_PROLOG_BYTES)
        found = _DECLARED.match(data)
        self.declared = found.group(1).decode("ascii").lower() if found else None
        self.pending = data

    def read(self, size: int = -1) -> bytes:
        if self.pending:
            data, self.pending = self.pending, b""
        else:
            data = self.stream.read(size if size and size > 0 else _CHUNK)
        if self.head is not None:
            if self.mark:
                self.head = None
            else:
                self.head.append(data)
        self.total += len(data)
        self.lines += data.count(b"\n")
        if self.total - self.mark > self.limit:
            raise xml_error("source.xml_too_large", self.path, self.lines, limit=self.limit)
        return data


class _Events:
    """What :func:`lxml.etree.iterparse` gives (``end`` events of the elements named ``tag``; ``root`` and
    ``error_log`` afterwards), parsed by feeding the guard's blocks to an :class:`lxml.etree.XMLPullParser`:
    the events parsed before a syntax error are handed out before the error is raised, whichever block it is
    in (lxml 6.2's ``iterparse`` drops those of the block the error is found in).

    >>> import io
    >>> events = _Events(io.BytesIO(b'<R><A>1</A><A>2</R>'), tag='A')
    >>> seen = []
    >>> try:
    ...     seen.extend(element.text for _, element in events)
    ... except etree.XMLSyntaxError:
    ...     seen.append('error')
    >>> seen
    ['1', 'error']
    """

    def __init__(self, stream: Any, *, tag: str | None, **options: Any) -> None:
        self._stream = stream
        self._parser = etree.XMLPullParser(events=("end",), tag=tag, **options)
        self.options = options
        self.root: Any = None

    @property
    def error_log(self) -> Any:
        """What libxml2 said while parsing (a pull parser keeps it in ``feed_error_log``)."""
        return self._parser.feed_error_log

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        parser = self._parser
        while True:
            data = self._stream.read(_CHUNK)
            try:
                if data:
                    parser.feed(data)
                else:
                    self.root = parser.close()
            except etree.XMLSyntaxError:
                yield from parser.read_events()
                raise
            yield from parser.read_events()
            if not data:
                return


# ------------------------------------------------------------------------------------------------ values


def _rule_value(rule: int, found: Iterable[str | None], many: bool, max_chars: int) -> tuple[Any, list[ValueProblem]]:
    """The value of rule ``rule`` from the texts its path selected in a record (None: an element holding
    elements), and its problems: each text not a text or too long, then a second value without ``many``.
    A rule with a problem has no value."""
    texts: list[str] = []
    problems: list[ValueProblem] = []
    count = 0
    for text in found:
        count += 1
        if text and len(text) <= max_chars:
            texts.append(text)
        elif text is None:
            problems.append(ValueProblem(rule, "convert.not_text"))
        elif text:
            problems.append(ValueProblem(rule, "convert.too_long"))
    if count > 1 and not many:
        problems.append(ValueProblem(rule, "convert.cardinality", count))
    if problems:
        return None, problems
    return (texts or None) if many else (texts[0] if texts else None), problems


def reference_values(
    record: Any, sources: Sequence[tuple[SourcePath, bool] | None], max_chars: int
) -> tuple[tuple[Any, ...], tuple[ValueProblem, ...]]:
    """The value of every rule in ``record`` and the problems, by definition: each path evaluated on its own
    (:meth:`SourcePath.values`).  :func:`_read` gives the same, faster; the tests hold them equal."""
    values: list[Any] = []
    problems: list[ValueProblem] = []
    for rule, source in enumerate(sources):
        value, found = (
            (None, []) if source is None else _rule_value(rule, source[0].values(record), source[1], max_chars)
        )
        values.append(value)
        problems.extend(found)
    return tuple(values), tuple(problems)


def _values(record: Any, children: dict[Any, list[Any]], path: SourcePath) -> Iterable[str | None]:
    """What ``path`` selects in ``record``, as texts (None: an element holding elements); ``children`` is the
    record's children by tag, collected in the one pass for the simple paths' first step."""
    if not path.simple or not path.steps or path.steps[0] == "*":
        return path.values(record)
    return path.values_from_first(children.get(path.steps[0], []))


@dataclass(frozen=True)
class _Plan:
    """How to read the values of one record in one pass over its children.

    ``by_tag``: child tag -> the rule whose path is that one child step when it is the only one, reads the
    element's text and takes one value (the common case: a number), else the rules whose path is that one
    child step, with the attribute they read (or None for the element's text) and whether they take several
    values; ``general``: the other rules (longer paths, predicates, ``*``, ``text()``), evaluated path by path
    from the children their first step names, collected in the same pass.  All give what
    :func:`reference_values` gives (tests/test_xml_fast_path.py).  ``closed``: no rule starts with ``*``, so
    a child whose tag is not in ``read`` (the first steps of all rules) is read by none.
    """

    size: int
    by_tag: dict[str, int | list[tuple[int, str | None, bool]]]
    general: tuple[tuple[int, SourcePath, bool], ...]
    many: tuple[bool, ...]
    closed: bool = True
    read: frozenset[str] = frozenset()


#: The rule number of a :class:`_Plan` entry that only collects a child for the longer paths.
_COLLECT = -1


def _plan(sources: Sequence[tuple[SourcePath, bool] | None]) -> _Plan:
    by_tag: dict[str, list[tuple[int, str | None, bool]]] = {}
    general: list[tuple[int, SourcePath, bool]] = []
    for rule, source in enumerate(sources):
        if source is None:
            continue
        path, many = source
        if path.simple and len(path.steps) == 1 and path.steps[0] != "*" and not path.text:
            by_tag.setdefault(path.steps[0], []).append((rule, path.attribute, many))
        else:
            general.append((rule, path, many))
    for _, path, _ in general:  # the children a longer simple path starts from are collected in the same pass
        if path.simple and path.steps and path.steps[0] != "*":
            entries = by_tag.setdefault(path.steps[0], [])
            if (_COLLECT, None, False) not in entries:
                entries.append((_COLLECT, None, False))
    takes_many = tuple(source is not None and source[1] for source in sources)
    plain = {
        tag: entries[0][0]
        for tag, entries in by_tag.items()
        if len(entries) == 1 and entries[0][0] != _COLLECT and entries[0][1] is None and not entries[0][2]
    }
    # a rule on the record's attribute or text() reads no child; a predicate's path reads the children its first
    # step names; only * may read any
    closed = all(not path.steps or path.steps[0] != "*" for _, path, _ in general)
    read = frozenset(by_tag) | {path.steps[0] for _, path, _ in general if path.steps}
    return _Plan(len(sources), {**by_tag, **plain}, tuple(general), takes_many, closed, read)


def _read(record: Any, plan: _Plan, max_chars: int,
          unread: dict[str, None] | None = None) -> tuple[tuple[Any, ...], tuple[ValueProblem, ...]]:
    """The value of every rule in ``record`` (one pass over its children for the one-step paths); the tags of
    the child elements no rule reads are added to ``unread`` (a :attr:`_Plan.closed` plan's only)."""
    values: list[Any] = [None] * plan.size
    counts = [0] * plan.size
    problems: list[ValueProblem] = []
    by_tag = plan.by_tag
    children: dict[Any, list[Any]] | None = None
    for child in record:
        entries = by_tag.get(child.tag)
        if entries is None:
            if unread is not None and isinstance(child.tag, str) and child.tag not in plan.read:  # not a comment
                unread[child.tag] = None
            continue
        if isinstance(entries, int):  # one rule, the element's text, one value
            counts[entries] += 1
            text = element_value(child) if len(child) else child.text
            if text:
                if len(text) > max_chars:
                    problems.append(ValueProblem(entries, "convert.too_long"))
                elif counts[entries] == 1:
                    values[entries] = text
            elif text is None and len(child):
                problems.append(ValueProblem(entries, "convert.not_text"))
            continue
        for rule, attribute, many in entries:
            if rule == _COLLECT:
                if children is None:
                    children = {}
                children.setdefault(child.tag, []).append(child)
                continue
            if attribute is not None:
                text = child.get(attribute)
                if text is None:
                    continue
            elif len(child):
                text = element_value(child)
            else:
                text = child.text or ""
            counts[rule] += 1
            if text is None:
                problems.append(ValueProblem(rule, "convert.not_text"))
            elif len(text) > max_chars:
                problems.append(ValueProblem(rule, "convert.too_long"))
            elif not text:
                pass
            elif many:
                if values[rule] is None:
                    values[rule] = [text]
                else:
                    values[rule].append(text)
            elif counts[rule] == 1:
                values[rule] = text
    for rule, path, many in plan.general:
        values[rule], found = _rule_value(rule, _values(record, children or {}, path), many, max_chars)
        problems.extend(found)
    if problems:  # a value with a problem is not read
        for problem in problems:
            values[problem.rule] = None
    if max(counts, default=0) > 1:
        for rule, count in enumerate(counts):
            if count > 1 and not plan.many[rule]:
                problems.append(ValueProblem(rule, "convert.cardinality", count))
                values[rule] = None
    if problems:  # in the reference's order: by rule, each rule's values in document order, then cardinality
        problems.sort(key=_RULE)
    return tuple(values), tuple(problems)


_RULE = attrgetter("rule")


def _release(element: Any, record: RecordPath, strays: list[tuple[Any, str]], beside: _Beside) -> None:
    """Clear a record and delete everything before it: its preceding siblings and its ancestors'.  Before an
    element other than a record is deleted, the elements in it that look like records are added to ``strays``
    with where they are (:func:`_strays`), and so are the elements where records sit that are not records but
    hold what the mapping reads (:class:`_Beside`): a preceding sibling of the record, or such an element
    inside a preceding sibling of one of its ancestors."""
    element.clear(keep_tail=True)
    tag = record.tag
    node = element
    depth = beside.depth  # of node, for an absolute record path
    while node is not None:
        parent = node.getparent()
        if parent is None:
            break
        while node.getprevious() is not None:
            first = parent[0]
            if first.tag != tag and tag is not None:  # a record, or a sibling of one, is a record: no stray in it
                strays.extend((stray, _where(stray)) for stray in _strays(first, record))
                if isinstance(first.tag, str):  # (not a comment or a processing instruction)
                    beside.note((first,) if node is element else beside.level(first, depth), strays)
            del parent[0]
        node = parent
        depth -= 1


def _step_matches(step: str, tag: Any) -> bool:
    return tag == step or (step == "*" and isinstance(tag, str))


class _Beside:
    """The elements where records sit that are not records: siblings of the records (for an absolute record
    path, every element whose ancestors match the path's steps but the last) whose name is not the record
    element's.  One the mapping would read something from, as from a record (a value or a problem: a record
    renamed, ``<Row>`` among ``<Record>`` s), is a ``source.xml_stray_record`` row problem, so that no data is
    left out unsaid; one it reads little or nothing from (:meth:`reads`: a ``<Head>`` holding the export's date
    or its authority, an empty element) is no record, and is passed over as comments are."""

    __slots__ = ("depth", "max_chars", "name", "plan", "record")

    def __init__(self, record: RecordPath, plan: _Plan, max_chars: int) -> None:
        self.record = record
        self.plan = plan
        self.max_chars = max_chars
        self.depth = len(record.steps)
        self.name = _local(record.tag)

    def reads(self, element: Any) -> bool:
        """Whether the mapping reads in ``element`` as much as in a record: values or problems for at least a
        third of its rules (at least one).  A header block that shares a child's name with the records (``<PCXX>``
        holding the rating authority's ``<PJJG>``) is no record: it holds one or two of the fields, a record
        renamed most of those it has."""
        values, problems = _read(element, self.plan, self.max_chars)
        read = sum(value is not None for value in values) + len(problems)
        return read >= max(1, self.plan.size // 3)

    def note(self, elements: Iterable[Any], strays: list[tuple[Any, str]]) -> None:
        """Add to ``strays`` the elements of ``elements`` (not records, where records sit) the mapping reads as
        much from as from a record (:meth:`reads`), unless :func:`_strays` finds them already (the record
        element's name in another case or namespace)."""
        for element in elements:
            if _local(element.tag) != self.name and self.reads(element):
                strays.append((element, _where(element)))

    def level(self, tree: Any, depth: int) -> Iterator[Any]:
        """The elements of ``tree`` (at ``depth`` in the document, 1 for the root, its ancestors on the record
        path) where records sit that are not records, in document order: for an absolute path, the children of
        the elements on the path's steps but the last; for ``//Name``, the siblings of the records in ``tree``."""
        record = self.record
        tag = record.tag
        if tag is None:  # (any element where records sit is a record)
            return
        if record.anywhere:
            parents: list[Any] = []
            for node in tree.iter(tag):
                parent = node.getparent()
                if parent is not None and (not parents or parents[-1] is not parent) and _is_record(node, record):
                    parents.append(parent)
            nodes = parents
        else:
            steps = record.steps
            if depth >= len(steps) or not _step_matches(steps[depth - 1], tree.tag):
                return
            nodes = [tree]
            for step in steps[depth:-1]:
                nodes = [child for node in nodes for child in node if _step_matches(step, child.tag)]
        for node in nodes:
            for child in node:
                if isinstance(child.tag, str) and child.tag != tag:
                    yield child

    def found(self, root: Any) -> list[Any]:
        """The elements of the document the mapping reads as much from as from a record (:meth:`reads`), in
        document order, none inside another: when no element is at the record path, what the records are likely
        to be instead."""
        found: list[Any] = []
        stack = [root]
        while stack:
            node = stack.pop()
            if not isinstance(node.tag, str):
                continue
            if self.reads(node):
                found.append(node)
            else:
                stack.extend(reversed(node))
        return found

    def deepest(self, root: Any) -> list[Any]:
        """For an absolute record path, the elements at the first level where none matches the path's step
        (``<Row>`` s for ``/Records/Record``), under the elements that match the steps above it."""
        steps = self.record.steps
        if self.record.anywhere or not _step_matches(steps[0], root.tag):
            return []
        nodes = [root]
        for step in steps[1:]:
            children = [child for node in nodes for child in node if isinstance(child.tag, str)]
            matching = [child for child in children if _step_matches(step, child.tag)]
            if not matching:
                return children
            nodes = matching
        return []


def _local_name(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _local(tag: Any) -> str:
    return _local_name(tag).casefold()


def _strays(tree: Any, record: RecordPath) -> Iterator[Any]:
    """The elements of ``tree`` (an element with everything in it, already read) that look like records but are
    not: their name is the record element's, or differs in case or namespace only (``<Jl>``, ``<x:JL>`` for
    ``JL``); they are not records and are not part of one (inside a record, or holding records).  A record path
    ending in ``*`` names no element: nothing looks like one of its records."""
    tag = record.tag
    if tag is None:
        return
    name = _local(tag)
    for candidate in tree.iter():
        if _local(candidate.tag) != name or _is_record(candidate, record):
            continue
        if any(_is_record(node, record) for node in candidate.iterancestors(tag)):
            continue  # a part of a record (the outer one has been cleared, or is being read)
        if any(_is_record(node, record) for node in candidate.iterdescendants(tag)):
            continue  # a container of records
        yield candidate


def _is_record(element: Any, record: RecordPath) -> bool:
    return bool(element.tag == record.tag and record.matches(element))


def _where(element: Any) -> str:
    """Where ``element`` is, as a path of local names (``/Records/PC/JL``)."""
    return "/" + "/".join(_local_name(node.tag) for node in reversed([element, *element.iterancestors()]))


def _stray_problem(element: Any, where: str, record: RecordPath, path: str) -> RowProblem:
    """A row problem for an element that looks like a record but is not at the record path (``where``):
    counted as a row read and rejected, never silently left out."""
    return row_problem("source.xml_stray_record", path, element.sourceline or 0,
                       raw=etree.tostring(element, encoding="unicode", with_tail=False),
                       where=where, namespace=f" (xmlns {element.tag[1:].partition('}')[0]})" if
                       element.tag.startswith("{") else "", record_path=record.expression)


# ------------------------------------------------------------------------------------------------ reading

#: libxml2's limits, by a word of its message, and what each is in Chinese (its own message, in English, follows).
_LIMITS = (("Excessive depth", "元素嵌套过深"), ("Resource limit", "超出资源限制"), ("huge", "文本或名称过大"),
           ("Huge input", "输入过大"), ("too long", "文本或名称过长"), ("Maximum", "超出上限"))


def _syntax_error(error: etree.XMLSyntaxError, log: Any, path: str) -> SourceError:
    entries = [entry for entry in log if entry.level_name in ("FATAL", "ERROR")] if log is not None else []
    entry = entries[0] if entries else None
    message = entry.message if entry is not None else (error.msg or str(error))
    line = entry.line if entry is not None and entry.line else (error.lineno or None)
    type_name = entry.type_name if entry is not None else ""
    if "ENTITY" in type_name or "Entity" in message:
        return xml_error("source.xml_entity", path, line)
    limit = next((zh for marker, zh in _LIMITS if marker in message), None)
    if limit is not None:
        return xml_error("source.xml_limit", path, line, zh=f"{limit}：{message}", en=message)
    return xml_error("source.xml_syntax", path, line, reason=message)


@dataclass(frozen=True, slots=True)
class XmlBatch:
    """Consecutive records: the 1-based index of the first, per record the line of its start tag and its
    values (a list per record, in the order of the sources), and the problems as (row in the batch, problem);
    ``unread``: the tags of the records' child elements no rule of the mapping reads (``{urn:x}BZ`` for a
    namespaced one), in the order first met (None when a rule may read any child: a path starting with ``*``)."""

    start: int
    lines: list[int]
    rows: list[tuple[Any, ...]]
    problems: list[tuple[int, ValueProblem]]
    unread: dict[str, None] | None = None

    def __len__(self) -> int:
        return len(self.rows)


def read_records(
    path: str,
    record: RecordPath,
    sources: Sequence[tuple[SourcePath, bool] | None],
    *,
    encoding: str | None = None,
    max_record_bytes: int = MAX_RECORD_BYTES,
    max_value_chars: int = MAX_VALUE_CHARS,
) -> Iterator[XmlRecord | RowProblem]:
    """Stream the records of the XML file ``path`` (``-``: stdin; gzip seen through) that ``record`` locates,
    with the values of ``sources`` (a compiled path and whether it may give several values, or None for a
    rule with no source) read from each.  An element that looks like a record (the record element's name, or
    the same name in another case or namespace) but is not at the record path, nor part of a record, comes as a
    ``source.xml_stray_record`` :class:`~creditstd.sources.model.RowProblem`, and so does an element where
    records sit (a sibling of the records) that is not a record but holds what ``sources`` read (a record
    renamed: ``<Row>`` among ``<Record>`` s; :class:`_Beside`): nothing in the file that may be a record is left
    out without a word.  When no element is at the record path but some hold what ``sources`` read, or look like
    records, the record path is wrong: ``source.xml_record_path``, saying what was found instead (an export
    with no record, or only elements the sources read nothing from, is empty, not an error).

    Raises :class:`~creditstd.sources.model.SourceError` (``source.xml_*``, ``source.not_found``...) for a
    file that cannot be read safely; the records before the problem have been yielded by then.
    """
    for batch in read_batches(
        path,
        record,
        sources,
        encoding=encoding,
        max_record_bytes=max_record_bytes,
        max_value_chars=max_value_chars,
        batch_rows=1,
    ):
        if isinstance(batch, RowProblem):
            yield batch
            continue
        problems = tuple(problem for _, problem in batch.problems)
        yield XmlRecord(batch.start, batch.lines[0], tuple(batch.rows[0]), problems, path)


def read_batches(
    path: str,
    record: RecordPath,
    sources: Sequence[tuple[SourcePath, bool] | None],
    *,
    encoding: str | None = None,
    max_record_bytes: int = MAX_RECORD_BYTES,
    max_value_chars: int = MAX_VALUE_CHARS,
    batch_rows: int = 8192,
    batch_bytes: int = BATCH_BYTES,
) -> Iterator[XmlBatch | RowProblem]:
    """:func:`read_records` in :class:`XmlBatch` es of at most ``batch_rows`` records, ending once about
    ``batch_bytes`` bytes of input have been read for one (what the engine reads: no object per record), and
    the elements that look like records but are not at the record path as ``source.xml_stray_record`` row
    problems, after the batch whose reading found them.  On a problem, the records before it come out as a
    batch before the error."""
    opened = open_bytes(path)
    try:
        guard = _Guard(opened.stream, path, max_record_bytes)
        # an encoding given is checked when the mapping is loaded (a name libxml2 does not know is a mapping error)
        chosen = (xml_encoding(encoding) or encoding.lower()) if encoding else guard.declared
        if chosen in GB_ENCODINGS:
            chosen = "gb18030"
        options: dict[str, Any] = {
            "resolve_entities": False,
            "load_dtd": False,
            "no_network": True,
            "huge_tree": False,
            "remove_comments": False,
            "remove_pis": False,
        }
        if encoding or chosen == "gb18030":
            options["encoding"] = chosen
        try:
            events = _Events(guard, tag=record.tag, **options)
        except LookupError:
            raise xml_error("source.xml_syntax", path, reason=f"unknown encoding {chosen}") from None
        yield from _stream(events, guard, path, record, _plan(sources), max_value_chars, max(1, batch_rows),
                           batch_bytes)
    finally:
        opened.close()


def _stream(
    events: Any, guard: _Guard, path: str, record: RecordPath, plan: _Plan, max_value_chars: int, batch_rows: int,
    batch_bytes: int
) -> Iterator[XmlBatch | RowProblem]:
    index = 0
    checked = False
    skipped = 0
    strays: list[tuple[Any, str]] = []  # elements that look like records (_strays), found by _release
    stray_problems: list[RowProblem] = []
    # whether an element is a record depends on its ancestors only: decided once per parent (lxml hands out the
    # same proxy for a parent while a reference to it is held)
    last_parent: Any = None
    is_record = False
    beside = _Beside(record, plan, max_value_chars)
    batch = XmlBatch(1, [], [], [], {} if plan.closed else None)
    batch_end = batch_bytes  # the input read by the end of which the batch is handed on
    error: SourceError | None = None
    try:
        for _, element in events:
            if not checked:
                checked = True
                if element.getroottree().docinfo.doctype:
                    raise xml_error("source.xml_dtd", path, 1)
            parent = element.getparent()
            if parent is not last_parent or parent is None:
                last_parent, is_record = parent, record.matches(element)
            if not is_record:
                skipped += parent is not None  # the document element of an empty export is no record missed
                continue
            index += 1
            values, problems = _read(element, plan, max_value_chars, batch.unread)
            if problems:
                row = len(batch.rows)
                batch.problems.extend((row, problem) for problem in problems)
            batch.rows.append(values)
            batch.lines.append(element.sourceline or 0)
            _release(element, record, strays, beside)
            if strays:  # described while they are still in the tree, reported once the batch is out
                stray_problems.extend(_stray_problem(stray, where, record, path) for stray, where in strays)
                strays.clear()
            guard.mark = guard.total
            if len(batch.rows) >= batch_rows or guard.total >= batch_end:
                yield batch
                yield from stray_problems
                stray_problems.clear()
                batch = XmlBatch(index + 1, [], [], [], {} if plan.closed else None)
                batch_end = guard.total + batch_bytes
    except etree.XMLSyntaxError as caught:
        error = _syntax_error(caught, getattr(events, "error_log", None), path)
    except (OSError, EOFError) as caught:
        error = read_error(caught, path)
    except LookupError as caught:  # an encoding libxml2 and Python do not know
        error = xml_error("source.xml_syntax", path, reason=str(caught))
    except SourceError as caught:
        error = caught
        if caught.code == "source.xml_too_large" and index == 0 and guard.head:
            # no record within the limit: when the input read holds none on the record path but elements the
            # mapping reads, the record path is wrong (the renamed records are not "too large")
            error = _head_error(b"".join(guard.head), getattr(events, "options", {}), path, record, beside) or caught
    if batch.rows:
        yield batch
    yield from stray_problems
    if error is not None:
        raise error from None
    root = getattr(events, "root", None)
    if index == 0:
        root_tag = root.tag if root is not None else "?"
        first = record.steps[0]
        found = beside.found(root) if root is not None else []
        if skipped or found or (not record.anywhere and first not in ("*", root_tag)) or (
            root is not None and next(_strays(root, record), None) is not None
        ):
            instead = found or (beside.deepest(root) if root is not None else [])
            raise _record_path_error(path, record, root_tag, instead)
        return  # an empty export: nothing where records sit holds what the mapping reads
    # what is left of the tree after the last record: the elements that end the file may look like records too,
    # or be where records sit and hold what the mapping reads
    if root is not None:
        ending = [(stray, _where(stray)) for stray in _strays(root, record)]
        beside.note(beside.level(root, 1), ending)
        ending.sort(key=lambda item: item[0].sourceline or 0)
        strays.extend(ending)
    yield from (_stray_problem(stray, where, record, path) for stray, where in strays)


def _record_path_error(path: str, record: RecordPath, root_tag: str, found: Sequence[Any],
                       head: int = 0) -> SourceError:
    """``source.xml_record_path`` for ``path``: no element is at the record path; the root element, and what was
    found instead (``found``: elements, counted by where they are), in the first ``head`` bytes when not 0."""
    error = xml_error("source.xml_record_path", path, record_path=record.expression, root=_shown_tag(root_tag))
    if not found:
        return error
    counts: dict[str, int] = {}
    for element in found:
        where = _where(element)
        where = where if len(where) <= 200 else where[:199] + "…"
        counts[where] = counts.get(where, 0) + 1
    shown = list(counts.items())[:5]
    more = len(counts) > len(shown)
    zh = "、".join(f"{where}（{count}个）" for where, count in shown) + ("等" if more else "")
    en = ", ".join(f"{where} ({count})" for where, count in shown) + (", ..." if more else "")
    within_zh, within_en = (f"（前{head}字节中）", f" in the first {head} bytes") if head else ("", "")
    return SourceError(error.code, f"{error.message_zh}；找到的是{within_zh}：{redact(zh)}",
                       f"{error.message_en}; found instead{within_en}: {redact(en)}", file=error.file, line=error.line)


def _head_error(data: bytes, options: dict[str, Any], path: str, record: RecordPath,
                beside: _Beside) -> SourceError | None:
    """The ``source.xml_record_path`` error for a file whose first ``data`` bytes (past the limit between
    records) hold no element on the record path but elements the mapping reads, or None (a record begun, too
    large, or nothing the mapping reads: the limit's own error stands)."""
    if record.tag is None:
        return None
    parser = etree.XMLPullParser(events=("start",), **options)
    with contextlib.suppress(etree.XMLSyntaxError, LookupError):  # what was parsed before is enough
        parser.feed(data)
    root = next((element for _, element in parser.read_events()), None)
    if root is None:
        return None
    root = root.getroottree().getroot()
    if any(_is_record(element, record) for element in root.iter(record.tag)):
        return None
    found = beside.found(root)
    return _record_path_error(path, record, root.tag, found, len(data)) if found else None


def _shown_tag(tag: str) -> str:
    """``{urn:x}Records`` as ``Records (namespace urn:x)``."""
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return f"{local} (xmlns {uri})"
    return tag
