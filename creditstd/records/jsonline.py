"""Strict JSON for records: one parser, with limits, for everything that reads records from outside.

Python's :func:`json.loads` accepts more than JSON: the constants ``NaN``,
``Infinity`` and ``-Infinity`` (which other parsers refuse), numbers that
overflow to infinity (``1e400``), lone surrogates (``"\\ud800"``, which
cannot be written back as UTF-8), duplicate keys (the last silently wins,
while other parsers keep the first), and any size or nesting depth.
:func:`loads_record` parses one JSON text (a line of a JSON Lines file, or a
manifest) and refuses all of that with a :class:`LineError` carrying a
stable code, the JSON path of the offending value and a Chinese and English
message that never quotes the value.

The limits, for every record read from outside (``exchange verify`` reading
``records.jsonl``, ``exchange pack`` reading its input):

* :data:`MAX_LINE_BYTES` (16 MiB): the longest line, in UTF-8 bytes, without
  its line break (``exchange.line_too_long``).  :func:`bounded_lines` reads
  a file line by line without ever holding more than this much of a line.
* :data:`MAX_DEPTH` (32): arrays and objects nested in each other, the
  record's own object counting as 1 (``record.too_deep``).
* :data:`MAX_STRING_LENGTH` (65,536 characters): any string, in any field,
  known to the catalogue or not (the catalogue's ``maxLength`` is stricter
  for the fields it knows) (``record.too_long``).
* :data:`MAX_KEY_LENGTH` (256 characters): any object key (``record.too_long``).

And the values JSON has no place for: a number that is not finite
(``record.not_finite``), a number a double cannot hold as written
(``record.inexact_number``: more significant digits than a double keeps, or
so small that it becomes 0; records hold numbers as doubles, as RFC 8785
writes them, so it would be written rounded), a string or key holding a lone surrogate
(``record.invalid_text``), a key given twice in one object
(``record.duplicate_key``).  Anything that is not JSON at all, or not UTF-8,
is ``exchange.json``.  :func:`scan` finds the value problems in data that
is already parsed, each a :class:`ValueProblem` (the record validator
reports them as :class:`~creditstd.findings.Finding` objects).
:func:`dumps_record` writes a value as JSON text and refuses, with the same
codes, what :func:`loads_record` would refuse reading it back; it writes first
and scans the value only when the text cannot prove it has none of these
problems (a flat record is scanned only when its text holds a second ``{``,
more than 32 brackets or over 64 Ki characters).  The codes and their
messages are registered in :mod:`creditstd.codes_registry`.

>>> loads_record('{"fine_amount": 0.5, "penalty_types": ["罚款"]}')
{'fine_amount': 0.5, 'penalty_types': ['罚款']}
>>> for text in ('{"fine_amount": NaN}', '{"fine_amount": 1e400}', '{"name": "\\\\ud800"}', '{"a": 1, "a": 2}',
...              '[' * 40 + ']' * 40, '{"a": 1'):
...     try:
...         loads_record(text)
...     except LineError as error:
...         print(error.code, error.path)
record.not_finite $.fine_amount
record.not_finite $.fine_amount
record.invalid_text $.name
record.duplicate_key $.a
record.too_deep $[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]
exchange.json $
>>> import io
>>> [(number, line) for number, line in bounded_lines(io.BytesIO(b'{"a":1}\\n' + b'x' * 20 + b'\\n{}'), limit=10)]
[(1, b'{"a":1}\\n'), (2, None), (3, b'{}')]
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

from creditstd.codes_registry import lookup
from creditstd.exceptions import CatalogueError

__all__ = [
    "EXACT_CHARS",
    "JSON_WHITESPACE",
    "MAX_DEPTH",
    "MAX_KEY_LENGTH",
    "MAX_LINE_BYTES",
    "MAX_STRING_LENGTH",
    "InexactNumber",
    "LineError",
    "ValueProblem",
    "bounded_lines",
    "decimal_number",
    "dumps_record",
    "exact_integer",
    "first_problem",
    "integer_number",
    "json_path",
    "loads_record",
    "messages",
    "printable",
    "scan",
]

#: The longest line (one record, its exchange envelope included), in UTF-8 bytes without the line break.
MAX_LINE_BYTES = 16 * 1024 * 1024
#: The deepest nesting of arrays and objects; the record's own object is depth 1.
MAX_DEPTH = 32
#: The longest string value, in characters, in any field (the catalogue's ``maxLength`` is stricter).
MAX_STRING_LENGTH = 65_536
#: The longest object key, in characters.
MAX_KEY_LENGTH = 256

_LIMITS = {"max_bytes": MAX_LINE_BYTES, "max_depth": MAX_DEPTH, "max_string": MAX_STRING_LENGTH,
           "max_key": MAX_KEY_LENGTH}


def messages(code: str) -> tuple[str, str]:
    """The Chinese and English message of a code this module reports (from the registry, limits filled in).

    >>> messages('record.too_deep')[1]
    'nested too deeply: arrays and objects nest at most 32 levels'
    """
    return lookup(code).messages(**_LIMITS)


#: The white space JSON allows around a value (RFC 8259): a line of only these is blank, in every reader of JSON
#: lines; any other (U+3000, a form feed) makes the line no JSON.
JSON_WHITESPACE = " \t\r\n"
_SURROGATE = re.compile("[\ud800-\udfff]")
#: What is never shown as it is: C0 and C1 controls, DEL, lone surrogates, the bidirectional embedding, override
#: and isolate controls (they reorder what a terminal or a browser shows: "Trojan Source"), U+FEFF and the
#: non-characters U+FFFE/U+FFFF.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff"
                          "\ud800-\udfff]")
_SHOWN = 64  # characters of a key shown in a path


class LineError(CatalogueError, ValueError):
    """A JSON text :func:`loads_record` refuses: ``code``, ``path`` (JSON path) and a bilingual message.

    A :class:`~creditstd.exceptions.CatalogueError` (a creditstd error with a stable code) and a
    :class:`ValueError` (code that catches JSON decoding errors keeps working).
    """

    def __init__(self, code: str, path: str = "$", detail_zh: str = "", detail_en: str = "") -> None:
        zh, en = messages(code)
        super().__init__(code, zh + detail_zh, en + detail_en)
        self.path = path


@dataclass(frozen=True, slots=True)
class ValueProblem:
    """A value problem :func:`scan` found: where (``parts``, the keys and indexes from the root) and its code."""

    parts: tuple[str | int, ...]
    code: str

    @property
    def path(self) -> str:
        """The JSON path (``$.penalty_types[0]``)."""
        return json_path(self.parts)


def printable(text: str, limit: int = _SHOWN) -> str:
    """``text`` safe to show in a path, message or report: every character of :data:`_UNPRINTABLE` escaped as
    ``\\uXXXX``, cut to ``limit`` characters (an ellipsis marks the cut).  The one definition of "safe to show"
    the command line, the reports and the messages share.

    >>> printable('a\\ud800b'), printable('x' * 70)[-3:]
    ('a\\\\ud800b', 'xx…')
    """
    shown = _UNPRINTABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text[:limit])
    return shown + ("…" if len(text) > limit else "")


def json_path(parts: Any) -> str:
    """The JSON path of a value from its keys and indexes, keys made :func:`printable`.

    >>> json_path(['penalty_types', 0]), json_path([])
    ('$.penalty_types[0]', '$')
    """
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{printable(str(part))}"
    return text


def _text_problem(text: str, limit: int) -> str | None:
    if len(text) > limit:
        return "record.too_long"
    if _SURROGATE.search(text):
        return "record.invalid_text"
    return None


def scan(value: Any, *, duplicates: Mapping[int, str] | None = None, integers: bool = False
         ) -> Iterator[ValueProblem]:
    """Yield every value problem in ``value`` (parsed JSON), outermost first, in document order.

    Non-finite numbers, numbers read as :class:`InexactNumber`, lone surrogates and over-long text in
    strings and keys, nesting deeper than :data:`MAX_DEPTH` (nothing below that depth is looked at); with
    ``integers``, also an integer a double cannot hold (:func:`exact_integer`: what the validator refuses in
    a record, where a line of JSON may hold a 64-bit number in a column the catalogue does not read).
    Iterative: never a ``RecursionError``, even on a structure nested a million levels deep or one that
    contains itself.  ``duplicates`` maps ``id()`` of the objects that had a key twice to that key (what
    :func:`loads_record` collects).

    >>> [(problem.path, problem.code) for problem in scan({'a': [float('nan')], 'b\\ud800': 'x'})]
    [('$.a[0]', 'record.not_finite'), ('$.b\\\\ud800', 'record.invalid_text')]
    """
    stack: list[tuple[Any, int, tuple[str | int, ...], str | None]] = [(value, 1, (), None)]
    while stack:
        item, depth, parts, key_code = stack.pop()
        if key_code:  # the key that leads here
            yield ValueProblem(parts, key_code)
        if isinstance(item, str):
            code = _text_problem(item, MAX_STRING_LENGTH)
            if code:
                yield ValueProblem(parts, code)
        elif isinstance(item, float):
            if not math.isfinite(item):
                yield ValueProblem(parts, "record.not_finite")
            elif type(item) is InexactNumber:
                yield ValueProblem(parts, "record.inexact_number")
        elif integers and type(item) is int and not exact_integer(item):
            yield ValueProblem(parts, "record.inexact_number")
        elif isinstance(item, (Mapping, list, tuple)):
            if depth > MAX_DEPTH:
                yield ValueProblem(parts, "record.too_deep")
                continue
            if isinstance(item, Mapping):
                if duplicates and id(item) in duplicates:
                    yield ValueProblem((*parts, duplicates[id(item)]), "record.duplicate_key")
                children = [(child, depth + 1, (*parts, key),
                             _text_problem(key, MAX_KEY_LENGTH) if isinstance(key, str) else None)
                            for key, child in item.items()]
            else:
                children = [(child, depth + 1, (*parts, index), None) for index, child in enumerate(item)]
            stack.extend(reversed(children))


def first_problem(value: Any) -> LineError | None:
    """The first problem :func:`scan` finds in ``value``, as a :class:`LineError`, or None.

    >>> first_problem({'fine_amount': float('inf')}).code, first_problem({'a': [1]})
    ('record.not_finite', None)
    """
    problem = next(scan(value), None)
    return LineError(problem.code, problem.path) if problem else None


#: A number written in this many characters or fewer, without an exponent, always fits a double as written
#: (a double keeps 15 significant digits): no decimal comparison is needed.
EXACT_CHARS = 15


class InexactNumber(float):
    """A number read from text that a double cannot hold as written (:func:`decimal_number`,
    :func:`integer_number`): the double nearest to it, marked so that :func:`scan` refuses it
    (``record.inexact_number``) instead of passing a rounded value on."""

    __slots__ = ()


def decimal_number(text: str) -> float:
    """The number ``text`` (decimal notation, as JSON or :data:`~creditstd.records.decode.NUMBER` writes it)
    as a float, an :class:`InexactNumber` when the float, written back as its shortest form, is another number
    than the text says.  Fifteen characters without an exponent always fit (a double keeps 15 significant
    digits); longer ones are compared as decimals.  The one reading of a number for every reader of records.

    >>> decimal_number('2.29'), decimal_number('1E+3'), decimal_number('0.30000000000000004')
    (2.29, 1000.0, 0.30000000000000004)
    >>> [type(decimal_number(text)).__name__ for text in ('12345678901234567.89', '1e-400', '0.1234567890123456789')]
    ['InexactNumber', 'InexactNumber', 'InexactNumber']
    """
    value = float(text)  # NaN, Infinity, -Infinity and 1e400 become non-finite floats; scan() finds them
    if (len(text) <= EXACT_CHARS and "e" not in text and "E" not in text) or not math.isfinite(value):
        return value
    return value if Decimal(text) == Decimal(repr(value)) else InexactNumber(value)


def integer_number(text: str) -> float:
    """The integer ``text`` (digits, an optional sign) as an int, or an :class:`InexactNumber` when a double
    cannot hold it (beyond 2^53 and not a multiple a double keeps: ``12345678901234567``; one too large for a
    double is an infinite one, which :func:`scan` refuses as not finite).  A receiver reading numbers as
    doubles (RFC 8785, JavaScript) would round it.  The one reading of an integer for every reader of records.

    >>> integer_number('12'), integer_number('9007199254740992'), integer_number('1152921504606846976')
    (12, 9007199254740992, 1152921504606846976)
    >>> type(integer_number('12345678901234567')).__name__, integer_number('9' * 400)
    ('InexactNumber', inf)
    """
    value = int(text)
    if len(text) <= EXACT_CHARS or exact_integer(value):
        return value
    try:
        return InexactNumber(float(value))
    except OverflowError:
        return InexactNumber(math.inf)


def exact_integer(value: int) -> bool:
    """Whether a double holds ``value`` exactly (every integer up to 2^53 does; beyond, some).

    >>> exact_integer(2 ** 53), exact_integer(2 ** 53 + 1), exact_integer(2 ** 60), exact_integer(10 ** 400)
    (True, False, True, False)
    """
    if -_EXACT_INTEGER <= value <= _EXACT_INTEGER:
        return True
    try:
        return int(float(value)) == value
    except OverflowError:
        return False


#: Every integer up to this magnitude is a double (2^53).
_EXACT_INTEGER = 1 << 53


def dumps_record(value: Any, *, canonical: bool = False) -> str:
    """``value`` as JSON text any parser reads back, or the error :func:`loads_record` would raise reading it.

    Refused: whatever :func:`scan` finds (a non-finite number, a lone surrogate, over-long text, deep
    nesting) and ``exchange.not_json`` for a value JSON has no form for (a set, a date, a key that is not
    text).  Never writes ``NaN`` or ``Infinity``.  ``canonical``: keys sorted, no spaces (the exchange
    format's records).

    >>> dumps_record({'b': 1, 'a': '罚款'}), dumps_record({'b': 1, 'a': 'x'}, canonical=True)
    ('{"b": 1, "a": "罚款"}', '{"a":"x","b":1}')
    >>> dumps_record({'a': float('inf')})
    Traceback (most recent call last):
    ...
    creditstd.records.jsonline.LineError: record.not_finite: ...
    """
    try:
        text = _dumps(value, canonical)
    except Exception:  # whatever it is, the checked path says what to raise, and how
        return _dumps_checked(value, canonical)
    if not _clean(value, text):  # the text alone cannot prove the value has no problem: look at the value
        problem = first_problem(value)
        if problem is not None:
            raise problem
    return text


#: What :func:`json.dumps` builds on every call for these options, built once: the text is the same.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
_CANONICAL_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _dumps(value: Any, canonical: bool) -> str:
    return (_CANONICAL_ENCODER if canonical else _ENCODER).encode(value)


def _dumps_checked(value: Any, canonical: bool) -> str:
    """:func:`dumps_record` the long way: :func:`scan` the value first, then write it."""
    problem = first_problem(value)
    if problem is not None:
        raise problem
    try:
        return _dumps(value, canonical)
    except (TypeError, ValueError):  # not a JSON value (a set, a date...), or a circular reference
        raise CatalogueError("exchange.not_json", "记录含有JSON无法表示的值",
                             "the record holds a value JSON cannot represent") from None


def _clean(value: Any, text: str) -> bool:
    """Whether ``text``, what :func:`json.dumps` (``allow_nan=False, ensure_ascii=False``) wrote for ``value``,
    proves that :func:`scan` finds nothing in ``value``; False when it cannot tell.

    That ``json.dumps`` succeeded already says: only dicts, lists, tuples, strings, numbers, booleans and None,
    and no number that is not finite (``allow_nan=False`` refuses it, as a value or as a key).  Then, every
    string and key is in ``text``, each character as itself or escaped, between its quotes, and every array and
    object writes one ``[`` or ``{``:

    * depth: nesting deeper than :data:`MAX_DEPTH` needs more than that many brackets in ``text``;
    * length: a string longer than :data:`MAX_STRING_LENGTH` needs a longer ``text``; keys are looked at
      directly when ``value`` is the only object in it (one ``{`` in ``text``, a string may hold others);
    * lone surrogates: ``ensure_ascii=False`` writes them as they are, and UTF-8 cannot encode them.
    """
    objects = text.count("{")
    if objects + text.count("[") > MAX_DEPTH or len(text) > MAX_STRING_LENGTH + 2:
        return False
    if objects and len(text) > MAX_KEY_LENGTH + 2:
        if objects > 1 or type(value) is not dict:
            return False
        try:
            if max(map(len, value), default=0) > MAX_KEY_LENGTH:
                return False
        except TypeError:  # a key that is not text (1, None...): scan() says whether that matters
            return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def loads_record(text: str | bytes, *, max_bytes: int = MAX_LINE_BYTES) -> Any:
    """Parse one JSON text strictly; raise :class:`LineError` for anything :mod:`json` would let through.

    ``text`` is a ``str`` or UTF-8 ``bytes`` (no byte-order mark); one trailing line break is allowed.
    Refused: more than ``max_bytes`` UTF-8 bytes (``exchange.line_too_long``), anything that is not JSON
    or not UTF-8 (``exchange.json``, with the line's column), and whatever :func:`scan` finds
    (``record.not_finite``, ``record.inexact_number``, ``record.invalid_text``, ``record.too_long``,
    ``record.too_deep``), and a
    key given twice in one object (``record.duplicate_key``).

    >>> loads_record(b'{"amount": 1.5}\\n'), loads_record('[1, "a", null, true]')
    ({'amount': 1.5}, [1, 'a', None, True])
    >>> loads_record('{"a": -Infinity}')
    Traceback (most recent call last):
    ...
    creditstd.records.jsonline.LineError: record.not_finite: ...
    """
    body = text[:-1] if text[-1:] in ("\n", b"\n") else text
    size = len(body)
    if isinstance(body, str) and size * 4 > max_bytes >= size:  # only then can the UTF-8 form be too long
        size = len(body.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise LineError("exchange.line_too_long")
    try:
        source = body.decode("utf-8") if isinstance(body, bytes) else body
    except UnicodeDecodeError:
        raise LineError("exchange.json") from None
    duplicates: dict[int, str] = {}

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(items)
        if len(result) != len(items):
            keys: set[str] = set()
            for key, _ in items:
                if key in keys:
                    duplicates[id(result)] = key
                    break
                keys.add(key)
        return result

    try:
        value = json.loads(source, parse_constant=decimal_number, parse_float=decimal_number, object_pairs_hook=pairs)
    except RecursionError:  # deeper than the parser can go: far beyond MAX_DEPTH
        raise LineError("record.too_deep") from None
    except json.JSONDecodeError as error:
        raise LineError("exchange.json", "$", f"：第{error.colno}列", f": column {error.colno}") from None
    except ValueError:  # an integer of more than 4300 digits
        raise LineError("exchange.json") from None
    problem = next(scan(value, duplicates=duplicates), None)
    if problem:
        raise LineError(problem.code, problem.path)
    return value


def bounded_lines(stream: BinaryIO, *, limit: int = MAX_LINE_BYTES,
                  seen: Callable[[bytes], object] | None = None) -> Iterator[tuple[int, bytes | None]]:
    """Yield ``(line number, line bytes)`` from a binary stream, never holding more than ``limit`` bytes of a line.

    A line longer than ``limit`` bytes (without its ``\\n``) is read past in pieces and yielded as
    ``None``: report it (``exchange.line_too_long``), it was never in memory whole.  Each line keeps
    its ``\\n`` (the last one may have none).  ``seen`` is called with every byte read, in order, the
    pieces of an over-long line included (to hash the whole file).
    """
    chunk = max(limit, 1 << 16)
    number = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        if seen is not None:
            seen(line)
        if len(line) <= limit or line.endswith(b"\n"):
            yield number, line
            continue
        while not line.endswith(b"\n"):  # over-long: read past the rest of it
            line = stream.readline(chunk)
            if not line:
                break
            if seen is not None:
                seen(line)
        yield number, None
