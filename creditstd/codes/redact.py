"""Hide anything in free text that may be a natural person's ID number.

Masking a field that *is* an ID number is :func:`creditstd.ric.mask`'s job.
This module is for text that merely *contains* one: a line a user pasted
into ``creditstd check`` (``身份证号：11010519491231002X``), a CSV row, a
remark.  :func:`redact` finds every run of digit-like characters (ASCII or
full-width digits, ``X``, ``*``), allowing the separators people type between
groups (spaces, hyphens, dots, slashes, zero-width characters), and masks any
run holding :data:`MIN_DIGITS` digits or more (invisible characters, such as a
soft hyphen or a combining mark, count as separators too): 18- and 15-digit citizen IDs,
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
'张*,110105******002,北京'
>>> redact('91350100M000100Y43 无身份号码 no ID number')
'91350100M000100Y43 无身份号码 no ID number'
>>> redact('ＩＤ １１０１０５１９４９１２３１００２Ｘ')
'ＩＤ １１０１０５********００２Ｘ'
>>> redact('11010519491231002X11010519491231002X')
'110105**************************002X'

A natural person's name beside a masked number (before or after it, with
separators, a gender or 身份证号 between), or after a word that introduces a
person (当事人, 姓名, 法定代表人, 被执行人...), is masked to its first
character, as a name field is (:mod:`creditstd.codes.names` guesses names
from a surname table, and errs towards hiding):

>>> redact('张伟 男 身份证号220221198907157015'), redact('法定代表人：王小明')
('张* 男 身份证号220221********7015', '法定代表人：王**')

Invisible characters inside a number (a soft hyphen, a combining mark, a direction mark) are read as
separators: on screen the number would look whole.

>>> redact('110105\u00ad19491231\u200e002X') == '110105\u00ad********\u200e002X'
True

So are the characters that set values apart in a list, the comma, colon, semicolon,
vertical line, plus sign and ideographic comma, in any width (``,，:：;；|｜+＋、``): a
line holding several numbers, or one number cut into groups by them, hides no
ID number either.  Runs of dates and times only (``2024-06-01 12:30:45``,
``2024.01.01-2027.12.31``) are kept: no ID number starts with 18, 19 or 20.

>>> redact('110105,19491231,002X|110105：19491231：0021')
'110105,********,****|******：********：0021'

A list of whole numbers is masked number by number, so each stays recognisable:

>>> redact('11010519491231002X，110105194912310021')
'110105********002X，110105********0021'
>>> redact('创建于 2024-06-01 12:30:45'), redact('penalty_20240601123045.csv'), redact('导出_20240601_123045.csv')
('创建于 2024-06-01 12:30:45', 'penalty_20240601123045.csv', '导出_20240601_123045.csv')
>>> redact('20240601110105 194912310035')  # a time stamp beside an ID number (its check digit mistyped)
'202406******** ********0035'

These are separators to redaction only, not to the identifier library's
:func:`~creditstd.codes._text.compact`, on purpose: redaction errs towards
hiding whatever a reader could put together into an ID number, while compact
decides what a value *is*, and a list separator says the text holds several
values (a CSV row, ``code1,code2``, ``A|B``) or garbage: compact reading
``110105,19491231,002X`` or ``91350100:M000100Y43`` as one valid identifier
would accept a row of three cells as an ID number, or two 9-character
organisation codes joined by a comma as an 18-character one.  Such input stays
invalid (``identify.unknown``), and its echo is masked here.

Publication (:func:`redact_personal`) needs more, and less.  It reads
letters and digits together as words (separators allowed between digits) and
judges each run of digits in its word.  More: besides ID numbers (any run of
14 digits or more, the first 6 and last 4 or 3 kept, as above, whatever stands
before or after it, but for the licence numbers below) it masks every number that may identify a natural
person, keeping only its letters and its last 2 digits:

* letters followed by 7 to 13 digits: 港澳居民来往内地通行证 (``H``/``M`` + 8 or
  10 digits), passports of the Chinese shapes (``E12345678``, ``EA1234567``,
  ``G12345678``), the old 外国人永久居留身份证 (3 letters + 12 digits);
* 8 or 10 digits standing alone (not followed by letters): 台湾居民来往大陆通行证;
* mobile numbers (``1[3-9]`` + 9 digits) keep their first 3 and last 4 digits;
* after a word that announces a personal document (护照, 通行证, 身份证, 证件,
  居住证, 居留...) any run of 5 digits or more: a foreign passport has no shape
  of its own.

Less: what is public by law stays:

* a legal person's code (:func:`is_legal_person_code`): a USCC with letters
  (``91350100M000100Y43``), an all-digit USCC that cannot be an ID number
  (``914403001922038216``: its positions 7-14, ``00192203``, are no birth
  date), a 15-digit registration number whose ``YYMMDD`` is no date;
* dates (``2024.01.01-2027.12.31``; ``20240101`` or ``20240101-20241231``
  standing alone; a date written with separators and joined to a number by
  another separator is peeled off first: a ``YYYYMMDD`` beside other digits may
  be an ID number's birth date, ``2032-11`` in ``5308-2219-6201-2032-11`` a part
  of one), decimals (``12345678.50``), sums of money
  (``12345678元``, ``￥12345678``), landline numbers (``0591-87654321``),
  decision numbers (``京市监罚〔2024〕1号``), licence numbers of two letters and
  14 digits (``JY13501020012345``), and short runs of digits followed by letters
  (``91350100M...``: the pieces of an organisation's code).

A number of the shape of an ID number is masked even when its check character
is wrong: a mistyped ID number is still a person's.  Text without 7 digit-like
characters in a row costs one regular-expression search (under a microsecond).

>>> redact_personal('身份证11010519491231002X，手机13800138000，代码91350100M000100Y43')
'身份证110105********002X，手机138****8000，代码91350100M000100Y43'
>>> redact_personal('ID11010519491231002X，JY13501020012345，2024-01-01 110105194912310021')
'ID110105********002X，JY13501020012345，2024-01-01 110105********0021'

Across list separators (above), whose words :func:`redact_personal` judges one by
one (``91350100M000100Y43,914403001922038216`` is two legal persons' codes, kept), it masks
only a number that passes an ID number's checks (birth date, check character):

>>> redact_personal('当事人110105,19491231,002X；代码91350100M000100Y43,914403001922038216')
'当事人110105,********,002X；代码91350100M000100Y43,914403001922038216'

Limits: a number cut by other characters (``1101-05号19491231``), or written in
Chinese numerals, is not recognised; an 8-digit permit number that reads as a
date, or stands before 元, is kept as a date or a sum; foreign passports are
found only after a keyword; a landline number is kept.  Numbers with only
separators between them are read as one number (a date with separators at
either end is peeled off, not one in the middle: ``110105 19491231 002X`` is one
number), so a licence number followed by a space and an ID number is masked with
it, and so is a date ``YYYYMMDD`` next to other numbers (``20240101 12345``).
Errors go the other
way elsewhere: a licence number of letters and 7 to 13 digits (``闽AA5910001``)
is masked, so is a code written right against letters or other digits
(``USCC914403001922038216``: a legal person's code is kept as a word of its
own, ``USCC 914403001922038216``), and so is an all-digit USCC that is also a valid ID number (its
positions 7-14 a possible birth date and its last character the right MOD 11-2
check: 1 in 100,000 generated all-digit codes); an all-digit USCC whose
positions 7-14 read as a birth date is kept only when it passes the strict USCC
checks (authority, category, region, embedded organisation code).
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence

from creditstd.codes import regions, regno, ric, uscc
from creditstd.codes._text import SEPARATORS
from creditstd.codes.names import hide_spans, may_name_a_person, name_spans

__all__ = ["MIN_DIGITS", "is_legal_person_code", "redact", "redact_personal"]

#: A run of digit-like characters with this many digits or more may be (or hide) an ID number.
MIN_DIGITS = 14

#: Digits in any script or form NFKC folds to ASCII digits (a character-class body).
_DIGITS = r"\d\u00b2\u00b3\u00b9\u2070-\u2079\u2080-\u2089\u2460-\u2468\u24ea"
#: Those digits, X and * in ASCII and full width.
_ID_CHARS = _DIGITS + r"Xx*\uff38\uff58\uff0a"
_ID_CHAR = f"[{_ID_CHARS}]"
#: Characters that show nothing, or only mark the character before them, so a number read on screen looks whole
#: with them inside: the soft hyphen, combining marks (for letters and for symbols: U+20DD rings a digit),
#: the grapheme joiner, direction marks, embeddings and isolates, Mongolian and other variation selectors,
#: invisible operators, tag characters.
_INVISIBLE = "".join(chr(code) for first, last in (
    (0x00AD, 0x00AD), (0x0300, 0x036F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
    (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x20D0, 0x20FF),
    (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFE20, 0xFE2F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xE0000, 0xE007F),
    (0xE0100, 0xE01EF)) for code in range(first, last + 1))
#: Characters that NFKC folds to compact()'s separators only, so that compact() drops them inside a number:
#: the ideographic and typographic spaces (U+2000-U+200A, U+202F, U+205F), the leaders and ellipsis
#: (U+2024-U+2026), full-width - . / \\ _, the small and vertical forms of the dash, dot and underscore,
#: super- and subscript minus, the Greek ano teleia (tests/test_redact.py scans every code point for more).
_FOLDED_SEPARATORS = "".join(chr(code) for first, last in (
    (0x0387, 0x0387), (0x2000, 0x200A), (0x2024, 0x2026), (0x202F, 0x202F), (0x205F, 0x205F), (0x207B, 0x207B),
    (0x208B, 0x208B), (0x3000, 0x3000), (0xFE19, 0xFE19), (0xFE30, 0xFE34), (0xFE4D, 0xFE4F), (0xFE52, 0xFE52),
    (0xFE58, 0xFE58), (0xFE63, 0xFE63), (0xFE68, 0xFE68), (0xFF0D, 0xFF0F), (0xFF3C, 0xFF3C), (0xFF3F, 0xFF3F))
    for code in range(first, last + 1))
#: Control characters (C0, DEL, C1): a report escapes them (``\\u0001``), and the digits around them read
#: as one number.
_CONTROLS = "".join(chr(code) for code in (*range(0x20), *range(0x7F, 0xA0)))
#: Other dashes and lines typed between the groups of a number in Chinese text (the horizontal bar ―, the
#: katakana prolonged sound mark ー, wave dashes ～ 〜, box-drawing lines ─ ━, two- and three-em dashes, the
#: swung dash, the hyphen bullet), and the line and paragraph separators.
_TYPED_DASHES = "\u2015\u30fc\uff70\uff5e\u301c\u2053\u2500\u2501\u2e3a\u2e3b\u2043\u23af\u2028\u2029"
#: compact()'s separators, what NFKC folds to them, the invisible characters, the control characters and
#: the typed dashes above: redact errs on the side of privacy.
_SEPARATORS = "".join(dict.fromkeys(SEPARATORS + _FOLDED_SEPARATORS + _INVISIBLE + _CONTROLS + _TYPED_DASHES))
#: Characters that set several values apart in one cell, argument or line (``11010519491231002X,1101...``),
#: or that people type between the groups of one number all the same (``110105:19491231:002X``): the comma,
#: colon, semicolon, vertical line, plus sign and ideographic comma, in ASCII, full width, small, vertical and
#: every other form NFKC folds to them (tests/test_redact.py scans every code point).  Separators to
#: :func:`redact` but not to compact() (see the module docstring).
_LIST_SEPARATORS = (",:;|+\u037e\u207a\u208a\u3001\ufb29\ufe10\ufe11\ufe13\ufe14\ufe50\ufe51\ufe54\ufe55\ufe62"
                    "\uff0b\uff0c\uff1a\uff1b\uff5c\uff64")


def _character_class(characters: str) -> str:
    """A regular-expression class of ``characters`` written as ranges of consecutive code points: a class
    listing characters past U+FFFF one by one is searched item by item, which made every match slower.

    >>> _character_class('abcxy')
    '[a-cx-y]'
    """
    codes = sorted({ord(char) for char in characters})
    runs: list[list[int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "[" + "".join(re.escape(chr(first)) if first == last else f"{re.escape(chr(first))}-{re.escape(chr(last))}"
                         for first, last in runs) + "]"


_SEPARATOR = _character_class(_SEPARATORS)
#: compact()'s separators (and the rest above), and the list separators: what redact reads as separators.
_ANY_SEPARATOR = _character_class(_SEPARATORS + _LIST_SEPARATORS)
#: A run: digit-like characters, with any separators between them (compact() drops all but the list
#: separators).
_RUN = re.compile(rf"{_ID_CHAR}(?:{_ANY_SEPARATOR}*{_ID_CHAR})*")
_IS_ID_CHAR = re.compile(_ID_CHAR)
#: One digit of any form: a run holds no more of them than the whole text does.
_DIGIT_CHAR = re.compile(f"[{_DIGITS}]")
#: List separators in a row; a group, so that ``split`` keeps them.
_LIST_SEPARATOR_RUN = re.compile(f"({_character_class(_LIST_SEPARATORS)}+)")
#: A date, with separators or in 8 digits (``2024-06-01``, ``20240601``), and a time after it (``12:30:45``).
_DATE_TIME = (r"(?:18|19|20)[0-9]{2}(?:[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12][0-9]|3[01])"
              r"|(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]))"
              r"(?: +(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,9})?)?)?")
#: A run of dates and times only, nothing else (``2024-06-01 12:30:45``, ``2024.01.01-2027.12.31``): no ID
#: number starts with 18, 19 or 20 (no province's code), so none starts one; kept unless its digits hold a
#: valid ID number all the same (``11:01:05.491231`` and the rest).
_DATES_ONLY = re.compile(rf"{_DATE_TIME}(?:[^0-9Xx*]+{_DATE_TIME})*")
#: A run that is one time stamp as an export's file name holds it, and nothing else: 8 digits of a date, then the
#: time in 4 or 6 digits (``20240601123045``, ``20240601_1230``).  Alone only: beside other digits, its time could
#: be the address code of an ID number that follows (``20240601110105 194912310035``).
_STAMP_ONLY = re.compile(r"(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[-_ ]?"
                         r"(?:[01][0-9]|2[0-3])[0-5][0-9](?:[0-5][0-9])?")
_MONTH_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
#: Where an ID number may start in folded text (a possible birth date where it must be): 18 characters, 15.
_MAY_START_18 = re.compile(rf"(?=[1-9][0-9]{{5}}(?:18|19|20)[0-9]{{2}}{_MONTH_DAY}[0-9]{{3}}[0-9X])")
_MAY_START_15 = re.compile(rf"(?=[1-9][0-9]{{5}}[0-9]{{2}}{_MONTH_DAY}[0-9]{{3}})")


def _id_numbers(folded: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every valid ID number in folded text, overlapping: 17 digits and a check character that
    passes, or 15 digits whose region is known (no check character: the birth date alone passes too often)."""
    for match in _MAY_START_18.finditer(folded):
        if ric.is_valid(folded[match.start():match.start() + 18]):
            yield match.start(), match.start() + 18
    known = regions.known_codes()
    for match in _MAY_START_15.finditer(folded):
        start = match.start()
        if folded[start:start + 6] in known and ric.is_valid(folded[start:start + 15], strict=True):
            yield start, start + 15


def _holds_id_number(folded: str) -> bool:
    """Whether the digits of a date or a decimal (folded) hold a valid ID number: ``110105990.101000`` is a
    decimal, and a 15-digit ID number cut by a full stop."""
    digits = "".join(filter(str.isdigit, folded))
    return len(digits) >= 15 and next(_id_numbers(digits), None) is not None


def _only_dates(run: str, chars: list[str]) -> bool:
    """Whether a run is dates and times only (:data:`_DATES_ONLY`) whose digits hold no valid ID number."""
    return (_DATES_ONLY.fullmatch(run) is not None or _STAMP_ONLY.fullmatch(run) is not None) \
        and next(_id_numbers("".join(chars)), None) is None


def _mask_run(match: re.Match[str]) -> str:
    run = match.group()
    chars = _IS_ID_CHAR.findall(run)
    if sum(char.isdigit() for char in chars) < MIN_DIGITS or _only_dates(run, chars):
        return run
    pieces = _LIST_SEPARATOR_RUN.split(run)  # values, and the list separators between them
    if len(pieces) > 1 and all(sum(char.isdigit() for char in _IS_ID_CHAR.findall(piece)) >= MIN_DIGITS
                               for piece in pieces[::2]):
        return "".join(_mask(piece) if index % 2 == 0 else piece for index, piece in enumerate(pieces))
    return _mask(run)


def _mask(run: str) -> str:
    """``run`` with everything but its first 6 and last 4 (3) digit-like characters masked."""
    length = len(_IS_ID_CHAR.findall(run))
    keep_end = 4 if length >= 18 else 3 if length >= 15 else 0
    hide_from, hide_to = 6, length - keep_end
    seen = 0

    def hide(char: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        return "*" if hide_from < seen <= hide_to else char.group()

    return _IS_ID_CHAR.sub(hide, run)


def redact(text: str) -> str:
    """Return ``text`` with every run that may be an ID number masked (see the module docstring), and what may
    be a natural person's name beside one, or after a word that introduces a person, masked to its first
    character (:func:`creditstd.codes.names.name_spans`).

    >>> redact('陶利220221198907157015'), redact('当事人陶利，无证经营'), redact('陶利 220221********7015')
    ('陶*220221********7015', '当事人陶*，无证经营', '陶* 220221********7015')
    """
    if ("*" not in text and "\uff0a" not in text) and (
            len(text) < MIN_DIGITS or len(_DIGIT_CHAR.findall(text)) < MIN_DIGITS):
        # no run can hold enough digits, nor is one masked already (110105********0021) with a name beside it:
        # most values a report shows, a quick count and no runs read
        if not may_name_a_person(text):
            return text
        spans = name_spans(text)
        return hide_spans(text, spans) if spans else text
    pieces: list[str] = []
    masked = []
    done = 0
    for match in _RUN.finditer(text):
        shown = _mask_run(match)
        if shown != match.group():
            pieces += (text[done:match.start()], shown)
            masked.append(match.span())
            done = match.end()
        elif _masked_number(shown):
            masked.append(match.span())
    pieces.append(text[done:])
    spans = name_spans(text, masked)
    return hide_spans("".join(pieces), spans) if spans else "".join(pieces)


def _masked_number(run: str) -> bool:
    """Whether a run is a number masked already (``110105********0021``, by redact or a field's mask): 15
    digit-like characters or more, 4 of them ``*``."""
    chars = _IS_ID_CHAR.findall(run)
    return len(chars) >= 15 and sum(char in "*\uff0a" for char in chars) >= 4


# --- publication: finer, more kinds, legal-person codes and dates kept --------------------------------------------

_DIGIT_CHARS = _DIGITS + "*\uff0a"
_LETTER_CHARS = "A-Za-z\uff21-\uff3a\uff41-\uff5a"
_D = f"[{_DIGIT_CHARS}]"
#: A word: letters and digit-like characters, with separators allowed only between two digit-like characters.
_WORD = re.compile(rf"(?:[{_LETTER_CHARS}{_DIGIT_CHARS}]|(?<={_D}){_SEPARATOR}+(?={_D}))+")
#: The pre-filter: seven digit-like characters, separators between them allowed (the shortest number masked;
#: list separators too, for :func:`_hide_listed`).
_MAYBE = re.compile(rf"{_D}(?:{_ANY_SEPARATOR}*{_D}){{6}}")
_LIST_SEPARATOR_SET = frozenset(_LIST_SEPARATORS)
_SEPARATOR_SET = frozenset(_SEPARATORS)
_DROP_SEPARATORS = str.maketrans(dict.fromkeys(_SEPARATOR_SET))
_DROP_DIGITS = str.maketrans(dict.fromkeys("0123456789"))
#: A date written with separators (2024-01-01, 2024.1.1, 2024/01/01): never part of an ID number.
_DATE = r"(?:18|19|20)\d\d[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])"
_DATES = re.compile(rf"{_DATE}(?:[^0-9A-Z*]+{_DATE})*")
#: A date written as YYYYMMDD, as an ID number holds the birth date: kept only when it is the whole word, or
#: one of two that make the word (``20240101-20241231``: 16 digits whose first 8 are a date cannot hold an ID
#: number, whose first two digits are a province's, 11 to 83, or 9).
_COMPACT = r"(?:18|19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_COMPACT_DATE = re.compile(rf"{_COMPACT}(?:[^0-9A-Z*]+{_COMPACT})?")
_LEADING_DATE = re.compile(rf"({_DATE})([^0-9A-Z*]+)")
_TRAILING_DATE = re.compile(rf"([^0-9A-Z*]+)({_DATE})$")
_DECIMAL = re.compile(r"[0-9]{1,13}\.[0-9]{1,6}")
_RUN_IN_WORD = re.compile(r"[0-9*]+")
_LONG_DIGITS = re.compile(r"[0-9]{15,}")
_LETTERED_RUN = re.compile(r"[A-Z][0-9]{7}")
#: Words longer than this are not searched for dates (a date search in them would cost quadratic time).
_MAX_PEELED = 200
_PHONE = re.compile(r"1[3-9][0-9]{9}")
_AMOUNT_AFTER = re.compile(r"\s*(?:元|万元|万|亿|圆|块|美元|港元|港币)")
_AMOUNT_BEFORE = re.compile(r"(?:[¥￥$]|RMB|CNY|人民币)\s*$", re.IGNORECASE)
#: Words that announce a personal document's number: what follows within a few characters is masked.
_CONTEXT = re.compile(r"(?:护照|passport|通行证|居留|居住证|身份证|证件|台胞证|回乡证)[^\n]{0,6}$", re.IGNORECASE)


@functools.lru_cache(maxsize=512)
def _fold(char: str) -> str:
    """One character as :func:`~creditstd.codes._text.compact` folds it (NFKC, upper case), kept one character."""
    folded = unicodedata.normalize("NFKC", char).upper()
    if len(folded) == 1 and (folded.isascii() or folded in _SEPARATOR_SET):
        return folded
    return str(unicodedata.decimal(char)) if char.isdecimal() else char


def is_legal_person_code(number: str) -> bool:
    """Whether a compact number (:func:`~creditstd.codes._text.compact`) is a legal person's code that cannot be
    an ID number, not even a mistyped one: published by law, so kept in clear.

    * a USCC that passes the strict checks (authority, category, region, embedded organisation code) and is
      not also a valid ID number;
    * any other USCC (check character right) that holds no person's number: no 15 digits in a row that read
      as an ID number, and, with letters, no letter followed by 7 digits or more (a permit's shape), all
      digits, no possible birth date at positions 7-14 (``914403001922038216``: ``00192203``);
    * a 15-digit business registration number (GS 15) whose positions 7-12 are no possible ``YYMMDD``.

    >>> is_legal_person_code('91350100M000100Y43'), is_legal_person_code('914403001922038216')
    (True, True)
    >>> is_legal_person_code('11010519491231002X'), is_legal_person_code('110105194912310021')  # valid, mistyped
    (False, False)
    """
    if len(number) == 18 and uscc.is_valid(number):
        if uscc.is_valid(number, strict=True) and not ric.is_valid(number):
            return True
        if _holds_a_15_digit_id(number):
            return False
        if not number[:17].isdigit():
            return not _LETTERED_RUN.search(number)
        return not ric.is_valid(number[:17] + ric.calc_check_digit(number))  # no possible birth date
    return len(number) == 15 and number.isdigit() and regno.is_valid(number) and not ric.is_valid(number)


def _holds_a_15_digit_id(number: str) -> bool:
    """Whether 15 digits in a row of ``number`` read as a 15-digit ID number (a possible ``YYMMDD``)."""
    return any(ric.is_valid(run[start:start + 15]) for run in _LONG_DIGITS.findall(number)
               for start in range(len(run) - 14))


class _Word:
    """One word of a text: its folded characters (separators dropped) and where each came from."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.source, self.start, self.end = text, start, end
        raw = text[start:end]
        self.folded = raw.upper() if raw.isascii() else "".join(map(_fold, raw))
        self.compact = self.folded.translate(_DROP_SEPARATORS)
        self.positions: Sequence[int] = range(start, end)
        if len(self.compact) != len(raw):
            self.positions = [start + index for index, char in enumerate(self.folded) if char not in _SEPARATOR_SET]


def _amount(word: _Word, run_start: int, run_end: int) -> bool:
    """Whether a run that is its whole word is a sum of money (``12345678元``, ``￥12345678``)."""
    if run_start or run_end != len(word.compact):
        return False
    before = word.source[max(0, word.start - 8):word.start]
    return bool(_AMOUNT_AFTER.match(word.source, word.end) or _AMOUNT_BEFORE.search(before))


def _long_run_keep(length: int) -> tuple[int, int]:
    """redact's rule: the first 6 characters, and the last 4 of 18 or more (3 of 15 to 17), stay in clear."""
    return 6, 4 if length >= 18 else 3 if length >= 15 else 0


def _run_keep(word: _Word, run_start: int, run_end: int, prefix: int, in_context: bool) -> tuple[int, int] | None:
    """How many characters of a digit run to keep in clear at its start and at its end, or None to keep it whole.

    ``prefix`` is the number of letters right before the run in its word.
    """
    number = word.compact
    run, length = number[run_start:run_end], run_end - run_start
    if length >= 14 and not (prefix == 2 and length == 14):  # JY/SC + 14 digits: a food licence's number
        return _long_run_keep(length)  # a legal person's code is kept only as a word of its own
    if prefix and 7 <= length <= 13:
        return 0, 2  # HK/Macao permits (H/M + 8 or 10), passports (E12345678, EA1234567), old PR ID (ABC + 12)
    if run_end < len(number) and number[run_end].isalpha() and not in_context:
        return None  # digits then letters (91350100M...): pieces of an organisation's code, no person's number
    if length == 11 and not prefix and _PHONE.fullmatch(run):
        return 3, 4
    if not prefix and length in (8, 10) and not _amount(word, run_start, run_end):
        return 0, 2  # Taiwan residents' travel permit: 8 or 10 digits
    if in_context and sum(char.isdigit() for char in run) >= 5:
        return 0, 2
    return None


def _hide_runs(word: _Word, hidden: set[int]) -> None:
    """Add to ``hidden`` the text positions of the digit runs of ``word`` that are masked."""
    number = word.compact
    in_context = bool(_CONTEXT.search(word.source[max(0, word.start - 16):word.start]))
    consumed = 0
    for run in _RUN_IN_WORD.finditer(number):
        start, end = run.span()
        if end - start == 17 and number[end:end + 1] == "X":
            end += 1  # the check character of an 18-character number
        prefix = sum(char.isalpha() for char in number[consumed:start])
        consumed = end
        kept = _run_keep(word, start, end, prefix, in_context)
        if kept is None:
            continue
        head, tail = kept
        if end - start <= head + tail:
            head = tail = 0
        hidden.update(word.positions[start + head:end - tail])


def _apart(date: str, joint: str) -> bool:
    """Whether a date stands apart from the number it is joined to: the joint is none of the date's separators
    (``2024-01-01 110105...`` is a date and a number; ``5308-2219-6201-2032-11/1`` is one number)."""
    return not set(joint) & set(date.translate(_DROP_DIGITS))


def _mask_word(word: _Word, hidden: set[int]) -> None:
    """Add to ``hidden`` the text positions of ``word`` to mask."""
    number = word.compact
    if len(number) - sum(map(str.isalpha, number)) < 7 or is_legal_person_code(number):
        return
    folded = word.folded
    if len(folded) <= _MAX_PEELED:
        if (_DATES.fullmatch(folded) or _COMPACT_DATE.fullmatch(folded) or _DECIMAL.fullmatch(folded)) \
                and not _holds_id_number(folded):
            return
        # a date with separators at either end, apart from the rest: what is left is judged on its own
        # (a YYYYMMDD beside other digits is never peeled off: it may be an ID number's birth date)
        start, end = 0, len(folded)
        lead, trail = _LEADING_DATE.match(folded), _TRAILING_DATE.search(folded)
        if lead and _apart(lead.group(1), lead.group(2)):
            start = lead.end()
        if trail and trail.start() >= start and _apart(trail.group(2), trail.group(1)):
            end = trail.start()
        if (start, end) != (0, len(folded)):
            if start < end:
                _mask_word(_Word(word.source, word.start + start, word.start + end), hidden)
            return
    _hide_runs(word, hidden)


def redact_personal(text: str) -> str:
    """Return ``text`` with every number that may identify a natural person masked (see the module docstring).

    >>> redact_personal('当事人张三（身份证号110105 19491231 002X，电话138-0013-8000）')
    '当事人张三（身份证号110105 ******** 002X，电话138-****-8000）'
    >>> redact_personal('统一社会信用代码91350100M000100Y43、914403001922038216，罚款12345678元，2024.01.01-2027.12.31')
    '统一社会信用代码91350100M000100Y43、914403001922038216，罚款12345678元，2024.01.01-2027.12.31'
    >>> redact_personal('港澳通行证H1234567801，台胞证12345678，护照EA1234567，永居证USA350119800101')
    '港澳通行证H********01，台胞证******78，护照EA*****67，永居证USA**********01'
    """
    if not _MAYBE.search(text):
        return text
    return _redact_short(text) if len(text) <= _CACHED_LENGTH else _redact_personal(text)


#: Texts up to this long are remembered (a record's dates, codes and authorities repeat from record to record).
_CACHED_LENGTH = 64


@functools.lru_cache(maxsize=4096)
def _redact_short(text: str) -> str:
    return _redact_personal(text)


def _hide_listed(text: str, hidden: set[int]) -> None:
    """Add to ``hidden`` the birth date and sequence of every valid ID number written across list separators
    (``110105,19491231,002X``, ``1101051949|1231002X``): the words :func:`_mask_word` judges end at a list
    separator, which sets two values apart as often as it splits one (``91350100M000100Y43,914403001922038216``
    is two legal persons' codes, kept), so across one only a number that passes the ID number's checks (birth
    date and check character; a 15-digit one, which has no check character, also a known region) is masked,
    its first 6 and last 4 characters (3 of 15) kept."""
    for run in _RUN.finditer(text):
        if _LIST_SEPARATOR_SET.isdisjoint(run.group()) or _DATES_ONLY.fullmatch(run.group()):
            continue  # (dates are kept, as in the words: ``2024.01.01-2027.12.31，2024...`` holds 231202401012027)
        chars = _IS_ID_CHAR.findall(run.group())
        folded = "".join(chars).upper() if run.group().isascii() else "".join(map(_fold, chars))
        positions: list[int] | None = None
        lists: list[int] = []  # where the list separators are, in the run
        for start, end in _id_numbers(folded):
            if positions is None:
                positions = [match.start() for match in _IS_ID_CHAR.finditer(text, *run.span())]
                lists = [match.start() for match in _LIST_SEPARATOR_RUN.finditer(text, *run.span())]
            if bisect.bisect(lists, positions[start]) != bisect.bisect(lists, positions[end - 1]):
                hidden.update(positions[start + 6:end - (4 if end - start == 18 else 3)])


def _redact_personal(text: str) -> str:
    hidden: set[int] = set()
    for match in _WORD.finditer(text):
        _mask_word(_Word(text, *match.span()), hidden)
    if not _LIST_SEPARATOR_SET.isdisjoint(text):
        _hide_listed(text, hidden)
    if not hidden:
        return text
    return "".join("*" if index in hidden else char for index, char in enumerate(text))
