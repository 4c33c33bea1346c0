"""The one normalisation path shared by every identifier, converter and the CLI.

Real exports carry identifiers typed by people: full-width characters from a
Chinese input method (``９１３５…``), lower case, spaces, hyphens, dots and
slashes used as separators, and the ideographic space.  :func:`compact` folds
all of them into the canonical upper-case ASCII form, and keeps ``*`` so that
masked numbers can still be recognised as masked.

>>> compact(' 91350100m000100y43 ')
'91350100M000100Y43'
>>> compact('９１３５０１００Ｍ０００１００Ｙ４３')
'91350100M000100Y43'
>>> compact('19220382-1')
'192203821'
>>> compact('110105\u3000194912310021')
'110105194912310021'
>>> compact(None)
Traceback (most recent call last):
...
creditstd.exceptions.InvalidFormat: input.type: ...

Input longer than :data:`MAX_LENGTH` characters is refused before anything
reads it (a 10 MB value costs the same as a short one): no identifier is that
long, and Unicode normalisation of hostile text would otherwise take seconds
and hundreds of megabytes.

>>> compact('9' * (MAX_LENGTH + 1))
Traceback (most recent call last):
...
creditstd.exceptions.InvalidLength: input.too_long: ...
>>> compact(' ' * 100 + '91350100M000100Y43')   # padding of a fixed-width column is fine
'91350100M000100Y43'
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from creditstd.exceptions import ValidationError, fail

__all__ = ["MAX_LENGTH", "compact", "passes"]

#: The longest input, in characters, that :func:`compact` reads; longer input is refused at once
#: (``input.too_long``) before normalisation.  The longest identifier has 18 characters; written with a
#: separator between every two characters and spaces around it, it stays under 40, and full-width forms
#: count one character each.  128 leaves room for a cell padded to a fixed width (a ``CHAR(100)``
#: column) and for invisible characters pasted along, while keeping the normalisation of the worst input
#: that is read (NFKC expands a character to at most 18) to microseconds.  Bytes longer than four times
#: the limit are refused undecoded (UTF-8 spends at most four bytes on a character).
MAX_LENGTH = 128

#: Characters people put between the groups of a number, and invisible ones that ride along in pasted text
#: (zero-width spaces and joiners, the word joiner, a byte-order mark, the soft hyphen, direction marks, the
#: invisible operators U+2061-U+2064, the Mongolian vowel separator, the combining grapheme joiner).
SEPARATORS = (" -._/\\\t\r\n\u00a0\u00b7\u2010\u2011\u2012\u2013\u2014\u2212\u30fb\uff65"
              "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u2061\u2062\u2063\u2064\u180e\u034f")
_DROP_SEPARATORS = str.maketrans("", "", SEPARATORS)


def compact(number: object) -> str:
    """Return ``number`` without separators, full-width folded to ASCII, upper case.

    Raises :class:`~creditstd.exceptions.InvalidFormat` (``input.type``) when
    the input is not text; bytes are decoded as UTF-8 first.  Raises
    :class:`~creditstd.exceptions.InvalidLength` (``input.too_long``), without
    reading it, when the input is longer than :data:`MAX_LENGTH` characters.
    """
    if isinstance(number, bytes):
        if bytes.__len__(number) > 4 * MAX_LENGTH:  # bytes' own methods: a subclass may override them
            fail("input.too_long", limit=MAX_LENGTH)
        try:
            number = bytes.decode(number, "utf-8")
        except UnicodeDecodeError:
            fail("input.type")
    elif not isinstance(number, str):
        fail("input.type")
    elif type(number) is not str:  # a str subclass may override len() or the methods below: use the text
        number = str.__str__(number)
    if len(number) > MAX_LENGTH:
        fail("input.too_long", limit=MAX_LENGTH)
    if number.isascii():
        if number.isalnum():  # the common case: already compact, maybe lower case
            return number.upper()
        return number.translate(_DROP_SEPARATORS).upper()
    folded = unicodedata.normalize("NFKC", number)
    return folded.translate(_DROP_SEPARATORS).upper()


def passes(validate: Callable[..., object], number: object, **options: object) -> bool:
    """Run a ``validate`` function and tell whether it accepted ``number``: the body of every ``is_valid``.

    >>> passes(compact, 'abc'), passes(compact, None)
    (True, False)
    """
    try:
        validate(number, **options)
    except ValidationError:
        return False
    return True
