"""Hide anything in free text that may be a natural person's ID number.

Masking a field that *is* an ID number is :func:`creditstd.ric.mask`'s job.
This module is for text that merely *contains* one: a line a user pasted
into ``creditstd check`` (``身份证号：11010519491231002X``), a CSV row, a
remark.  :func:`redact` finds every run of digit-like characters (ASCII or
full-width digits, ``X``, ``*``), allowing the separators people type between
groups (spaces, hyphens, dots, slashes, zero-width characters), and masks any
run holding :data:`MIN_DIGITS` digits or more: 18- and 15-digit citizen IDs,
residence permits, the foreigner PR ID, several numbers run together, and
numbers with a digit or a few missing or added.  It errs on the side of
privacy: a long all-digit company code in free text is masked too.

The first 6 characters of a run (the address code) stay in clear, and so do
the last 4 of a run of 18 or more characters (the last 3 of a run of 15 to
17); everything between, which holds the birth date, becomes ``*``.  A run
therefore never keeps more than 10 characters in clear, so no complete ID
number survives, however many are run together.  Separators are kept, so the
text keeps its shape.  Digits in any form the identifier library
folds to ASCII (full-width ``１``, ``𝟏``, ``¹``, ``①``) count as digits and are
masked too, and the rest of the text is left exactly as it was.

>>> redact('身份证号：11010519491231002X，电话 13800138000')
'身份证号：110105********002X，电话 13800138000'
>>> redact('ID:110105 19491231 002X # note')
'ID:110105 ******** 002X # note'
>>> redact('张三,110105491231002,北京')
'张三,110105******002,北京'
>>> redact('91350100M000100Y43 无身份号码 no ID number')
'91350100M000100Y43 无身份号码 no ID number'
>>> redact('ＩＤ １１０１０５１９４９１２３１００２Ｘ')
'ＩＤ １１０１０５********００２Ｘ'
>>> redact('11010519491231002X11010519491231002X')
'110105**************************002X'
"""

from __future__ import annotations

import re

from creditstd.codes._text import SEPARATORS

__all__ = ["MIN_DIGITS", "redact"]

#: A run of digit-like characters with this many digits or more may be (or hide) an ID number.
MIN_DIGITS = 14

#: Digits in any script or form NFKC folds to ASCII digits, X and * in ASCII and full width.
_ID_CHARS = r"\dXx*\uff38\uff58\uff0a\u00b2\u00b3\u00b9\u2070-\u2079\u2080-\u2089\u2460-\u2468\u24ea"
_ID_CHAR = f"[{_ID_CHARS}]"
_SEPARATOR = "[" + re.escape(SEPARATORS + "\u3000\uff0d\uff0e\uff0f") + "]"
#: A run: digit-like characters, with any separators between them (compact() drops them all).
_RUN = re.compile(rf"{_ID_CHAR}(?:{_SEPARATOR}*{_ID_CHAR})*")
_IS_ID_CHAR = re.compile(_ID_CHAR)


def _mask_run(match: re.Match[str]) -> str:
    run = match.group()
    chars = _IS_ID_CHAR.findall(run)
    if sum(char.isdigit() for char in chars) < MIN_DIGITS:
        return run
    keep_end = 4 if len(chars) >= 18 else 3 if len(chars) >= 15 else 0
    hide_from, hide_to = 6, len(chars) - keep_end
    seen = 0

    def hide(char: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        return "*" if hide_from < seen <= hide_to else char.group()

    return _IS_ID_CHAR.sub(hide, run)


def redact(text: str) -> str:
    """Return ``text`` with every run that may be an ID number masked (see the module docstring)."""
    return _RUN.sub(_mask_run, text)
