"""RFC 8785 JSON Canonicalization Scheme (JCS): one byte string per JSON value, in any language.

Two programs that agree on a JSON value agree on its JCS bytes, so a hash of
them (an exchange record id, :func:`creditstd.records.exchange.record_id`) can
be recomputed by a receiver written in Java, Go or JavaScript.  The rules
(RFC 8785 §3.2):

* no white space between tokens; output in UTF-8;
* object members sorted by their names compared as arrays of UTF-16 code
  units (not by code points: ``"\\U0001F600"`` sorts before ``"\\uFB01"``);
* strings as ECMAScript's ``JSON.stringify`` writes them: ``"`` and ``\\``
  escaped, ``\\b \\f \\n \\r \\t`` by name, other control characters below
  U+0020 as ``\\u00xx`` (lower-case hex), everything else as itself;
* numbers as ECMAScript's ``Number.prototype.toString`` writes an IEEE 754
  double: the shortest digits that read back to the same double, no
  exponent from 1e-6 up to 1e21, ``-0`` as ``0``.

The value must be I-JSON (RFC 7493): text without lone surrogates, finite
numbers, integers a double holds exactly (within ±2**53 every one; beyond,
only those a double equals, written as ECMAScript writes that double: a
receiver that reads numbers as doubles could not tell the others apart),
object names that are text.
Anything else raises :class:`ValueError`, unless ``lenient=True``: then a
lone surrogate is written as its ``\\udxxx`` escape, any other integer with
all its digits and a non-finite number as ``NaN``, ``Infinity`` or
``-Infinity``: bytes no other program has to reproduce, for naming a value
that cannot be exchanged (:func:`creditstd.records.exchange.record_id` of a
record a batch refuses anyway).

>>> canonical_json([chr(0xD800), 2**60 + 1, float('-inf')], lenient=True)
b'["\\\\ud800",1152921504606846977,-Infinity]'

>>> canonical_json({'b': [1, 2.5, None, True], 'a': '值\\n'})
b'{"a":"\\xe5\\x80\\xbc\\\\n","b":[1,2.5,null,true]}'
>>> [canonical_json(number).decode() for number in (1e21, 1e20, 1e-7, 0.000001, -0.0, 5e-324, 2**60)]
['1e+21', '100000000000000000000', '1e-7', '0.000001', '0', '5e-324', '1152921504606847000']
>>> canonical_json({'\\ufb01': 1, '\\U0001f600': 2}).decode('utf-8') == '{"\\U0001f600":2,"\\ufb01":1}'
True
>>> canonical_json(float('nan'))
Traceback (most recent call last):
...
ValueError: not I-JSON: a number that is not finite
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["MAX_SAFE_INTEGER", "canonical_json", "number_text"]

#: The largest integer every JSON reader holds exactly (2**53; I-JSON's limit).
MAX_SAFE_INTEGER = 2**53
#: Characters a JCS string escapes: the quote, the backslash and the control characters.
_ESCAPED = re.compile(r'["\\\x00-\x1f]')
_NAMED = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: The deepest nesting serialised (a value deeper than this is refused, never a RecursionError).
MAX_DEPTH = 64


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\u{ord(char):04x}"


#: In lenient mode lone surrogates are escaped too, as ``\\udxxx`` (a real backslash is written ``\\\\``).
_ESCAPED_LENIENT = re.compile('["\\\\\x00-\x1f\ud800-\udfff]')


def _string(text: str, lenient: bool) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        if not lenient:
            raise ValueError("not I-JSON: text with a lone surrogate") from None
        return '"' + _ESCAPED_LENIENT.sub(_escape, text) + '"'
    return '"' + _ESCAPED.sub(_escape, text) + '"'


def number_text(number: float) -> str:
    """A finite double as ECMAScript's ``Number.prototype.toString`` writes it (RFC 8785 §3.2.2.3).

    >>> number_text(123e-20), number_text(1.5e300), number_text(333333333.3333333), number_text(-1.0)
    ('1.23e-18', '1.5e+300', '333333333.3333333', '-1')
    """
    if not math.isfinite(number):
        raise ValueError("not I-JSON: a number that is not finite")
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    mantissa, _, exponent = repr(abs(number)).partition("e")  # repr: the shortest digits that read back
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + int(exponent or 0)  # the value is 0.<digits> x 10**point
    significant = digits.lstrip("0")
    point -= len(digits) - len(significant)
    digits = significant.rstrip("0")
    count = len(digits)
    if count <= point <= 21:
        text = digits + "0" * (point - count)
    elif 0 < point <= 21:
        text = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        text = "0." + "0" * -point + digits
    else:
        shift = point - 1
        text = digits[0] + ("." + digits[1:] if count > 1 else "") + ("e+" if shift > 0 else "e-") + str(abs(shift))
    return sign + text


def _integer(value: int, lenient: bool) -> str:
    """An integer: as it is within ±2**53; beyond, as the double it equals (ECMAScript's form), if it equals one."""
    if abs(value) <= MAX_SAFE_INTEGER:
        return str(value)
    try:
        exact = float(value) == value
    except OverflowError:
        exact = False
    if exact:
        return number_text(float(value))
    if not lenient:
        raise ValueError("not I-JSON: an integer beyond 2**53 that no double equals")
    return str(value)  # over 4300 digits: Python's ValueError


def _write(value: Any, out: list[str], depth: int, lenient: bool) -> None:
    if value is None:
        out.append("null")
    elif value is True or value is False:
        out.append("true" if value else "false")
    elif isinstance(value, str):
        out.append(_string(value, lenient))
    elif isinstance(value, int):
        out.append(_integer(int(value), lenient))
    elif isinstance(value, float):
        if lenient and not math.isfinite(value):
            out.append("NaN" if value != value else "Infinity" if value > 0 else "-Infinity")
        else:
            out.append(number_text(value))
    elif depth >= MAX_DEPTH:
        raise ValueError(f"not I-JSON here: nested deeper than {MAX_DEPTH}")
    elif isinstance(value, Mapping):
        if not all(isinstance(name, str) for name in value):
            raise ValueError("not I-JSON: an object name that is not text")
        out.append("{")
        for index, name in enumerate(sorted(value, key=_utf16_order)):
            if index:
                out.append(",")
            out.append(_string(name, lenient))
            out.append(":")
            _write(value[name], out, depth + 1, lenient)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out, depth + 1, lenient)
        out.append("]")
    else:
        raise ValueError(f"not I-JSON: a value of type {type(value).__name__}")


def _utf16_order(name: str) -> bytes:
    """The sort key of an object name: its UTF-16 code units (big-endian bytes compare as the units do)."""
    return name.encode("utf-16-be", "surrogatepass")


def canonical_json(value: Any, *, lenient: bool = False) -> bytes:
    """The RFC 8785 canonical form of a JSON value, as UTF-8 bytes; :class:`ValueError` if it is not I-JSON
    (``lenient``: see the module's docstring)."""
    out: list[str] = []
    _write(value, out, 0, lenient)
    return "".join(out).encode("utf-8")
