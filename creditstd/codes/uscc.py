"""Unified social credit code (统一社会信用代码), GB 32100-2015.

Every legal person and other organisation in China carries one 18-character
code.  Its parts:

====  ======  ==========================================================
pos   length  meaning
====  ======  ==========================================================
1     1       registration authority (登记管理部门): 1-9, A, N, Y
2     1       organisation category (机构类别), defined per authority
3-8   6       region of the registration authority (GB/T 2260), or
              ``100000`` for national registrations
9-17  9       the organisation code (GB 11714), with its own check digit
18    1       check character over positions 1-17 (mod 31)
====  ======  ==========================================================

The alphabet has 31 symbols: digits and upper-case letters except I, O, Z,
S and V.  The check character can be any of them, ``0`` included.

>>> validate('91350100M000100Y43')
'91350100M000100Y43'
>>> validate(' 91350100m000100y43 ')   # spaces and lower case are normalised
'91350100M000100Y43'
>>> validate('91350100M000100Y4Z')
Traceback (most recent call last):
...
creditstd.exceptions.InvalidChecksum: uscc.checksum (position 18): ...
>>> is_valid('A1652800177763177F'), is_valid(None)  # authority A: stdnum rejects it
(True, False)
>>> info = parse('914403001922038216')
>>> info.authority.en, info.category.en, info.orgcode
('industry and commerce (market regulation)', 'enterprise', '19220382-1')

Non-strict :func:`validate` checks length, alphabet and the check character.
``strict=True`` also requires the authority/category pair to be defined in
GB 32100, the region code to be known in GB/T 2260 (current or historical,
any level, or ``100000``), and the embedded organisation code to pass its own
GB 11714 check; each has its own error code.

Two real-world cases get their own verdict instead of a generic failure:

* ``00000000000000000X``, the placeholder the 双公示 rules prescribe for an
  individual business without a code, raises ``uscc.placeholder``;
* a code registered in Fujian (region ``35…``, where pilot codes issued
  before 2016 were reported) whose final check character fails while its
  embedded organisation code is valid raises ``uscc.pilot_checksum``; a typo
  in positions 1-8 or 18 looks the same, so the message says both.  Pass
  ``accept_pilot=True`` to accept them.  Elsewhere such a code is a plain
  ``uscc.checksum`` error.  The reports are unverified; the provinces are
  the module constant :data:`PILOT_PROVINCES`.

>>> validate('00000000000000000X')
Traceback (most recent call last):
...
creditstd.exceptions.InvalidComponent: uscc.placeholder: ...
>>> validate('91350211M0000XUF46', accept_pilot=True)
'91350211M0000XUF46'

Where this module deliberately differs from ``stdnum.cn.uscc``: it accepts
authorities A, N and Y (stdnum requires positions 1-8 to be digits), folds
full-width letters, and in strict mode rejects undefined authority/category
pairs and unknown regions such as ``000000``.  The pair ``9``/``9`` (工商,
其他) appears in some code tables but not in the published text; strict mode
accepts it and :func:`parse` labels it unconfirmed.
"""

from __future__ import annotations

import random as _random
from dataclasses import dataclass

from creditstd.codes import orgcode as _orgcode
from creditstd.codes import regions as _regions
from creditstd.codes._checksums import USCC_ALPHABET, gb11714_check, uscc_check
from creditstd.codes._text import compact, passes
from creditstd.codes._types import Meaning
from creditstd.exceptions import fail

__all__ = [
    "AUTHORITIES",
    "CATEGORIES",
    "PLACEHOLDER",
    "USCCInfo",
    "calc_check_digit",
    "compact",
    "format",
    "generate",
    "is_placeholder",
    "is_valid",
    "parse",
    "validate",
]

#: The 双公示 placeholder for an individual business that has no code.
PLACEHOLDER = "00000000000000000X"
NATIONAL_REGION = "100000"
#: Provinces (first two digits of the region) where pilot codes failing the final check were reported.
PILOT_PROVINCES = frozenset({"35"})

_ALPHABET_SET = frozenset(USCC_ALPHABET)

#: Registration authorities (position 1): code -> (Chinese, English).
AUTHORITIES: dict[str, tuple[str, str]] = {
    "1": ("机构编制", "institutional establishment (bianzhi)"),
    "2": ("外交", "foreign affairs"),
    "3": ("司法行政", "judicial administration"),
    "4": ("文化", "culture"),
    "5": ("民政", "civil affairs"),
    "6": ("旅游", "tourism"),
    "7": ("宗教", "religious affairs"),
    "8": ("工会", "trade unions"),
    "9": ("工商", "industry and commerce (market regulation)"),
    "A": ("中央军委改革和编制办公室", "CMC reform and organisation office"),
    "N": ("农业", "agriculture"),
    "Y": ("其他", "other"),
}

_OTHER = ("其他", "other")
#: Organisation categories (position 2) per authority: (authority, category) -> (Chinese, English).
CATEGORIES: dict[tuple[str, str], tuple[str, str]] = {
    ("1", "1"): ("机关", "government organ"),
    ("1", "2"): ("事业单位", "public institution"),
    ("1", "3"): ("中央编办直接管理机构编制的群众团体", "mass organisation under the central establishment office"),
    ("1", "9"): _OTHER,
    ("2", "1"): ("外国常驻新闻机构", "resident office of a foreign news agency"),
    ("2", "9"): _OTHER,
    ("3", "1"): ("律师执业机构", "law firm"),
    ("3", "2"): ("公证处", "notary office"),
    ("3", "3"): ("基层法律服务所", "grassroots legal service office"),
    ("3", "4"): ("司法鉴定机构", "forensic appraisal institution"),
    ("3", "5"): ("仲裁委员会", "arbitration commission"),
    ("3", "9"): _OTHER,
    ("4", "1"): ("外国在华文化中心", "foreign cultural centre in China"),
    ("4", "9"): _OTHER,
    ("5", "1"): ("社会团体", "social association"),
    ("5", "2"): ("民办非企业单位（社会服务机构）", "private non-enterprise unit (social service organisation)"),
    ("5", "3"): ("基金会", "foundation"),
    ("5", "9"): _OTHER,
    ("6", "1"): ("外国旅游部门常驻代表机构", "resident office of a foreign tourism authority"),
    ("6", "2"): ("港澳台地区旅游部门常驻内地（大陆）代表机构",
                 "resident office of a Hong Kong, Macao or Taiwan tourism authority"),
    ("6", "9"): _OTHER,
    ("7", "1"): ("宗教活动场所", "place of religious activity"),
    ("7", "2"): ("宗教院校", "religious school"),
    ("7", "9"): _OTHER,
    ("8", "1"): ("基层工会", "grassroots trade union"),
    ("8", "9"): _OTHER,
    ("9", "1"): ("企业", "enterprise"),
    ("9", "2"): ("个体工商户", "individual business"),
    ("9", "3"): ("农民专业合作社", "farmers' specialised cooperative"),
    ("9", "9"): ("其他（未经确认）", "other (unconfirmed)"),
    ("A", "1"): ("军队事业单位", "military public institution"),
    ("A", "9"): _OTHER,
    ("N", "1"): ("组级集体经济组织", "group-level collective economic organisation"),
    ("N", "2"): ("村级集体经济组织", "village-level collective economic organisation"),
    ("N", "3"): ("乡镇级集体经济组织", "township-level collective economic organisation"),
    ("N", "9"): _OTHER,
    ("Y", "1"): ("其他", "other"),
}
_CONFIRMED_PAIRS = tuple(pair for pair in CATEGORIES if pair != ("9", "9"))


@dataclass(frozen=True, slots=True)
class USCCInfo:
    """Every component of a unified social credit code and what it means."""

    number: str
    authority: Meaning | None
    category: Meaning | None
    region_code: str
    region: _regions.Region | None
    orgcode: str
    orgcode_valid: bool
    check_digit: str
    check_valid: bool

    @property
    def is_national(self) -> bool:
        """Registered by a national authority (region code ``100000``)."""
        return self.region_code == NATIONAL_REGION


def calc_check_digit(number: str) -> str:
    """Return the check character for the first 17 characters of ``number``.

    >>> calc_check_digit('91350100M000100Y4')
    '3'
    """
    body = compact(number)[:17]
    for position, char in enumerate(body, 1):
        if char not in _ALPHABET_SET:
            fail("uscc.format", position=position)
    if len(body) != 17:
        fail("uscc.length", length=len(body))
    return uscc_check(body)


def _check_structure(number: str, accept_pilot: bool) -> None:
    if len(number) != 18:
        fail("uscc.length", length=len(number))
    if number == PLACEHOLDER:
        fail("uscc.placeholder")
    try:
        expected = uscc_check(number)
    except KeyError:
        position = next(i for i, char in enumerate(number, 1) if char not in _ALPHABET_SET)
        fail("uscc.format", position=position)
    if expected != number[17]:
        # a check character outside the alphabet (the standard's own '...4Z') is a plain checksum error
        if (number[17] in _ALPHABET_SET and number[2:4] in PILOT_PROVINCES
                and gb11714_check(number[8:16]) == number[16]):
            if accept_pilot:
                return
            fail("uscc.pilot_checksum", position=18, expected=expected)
        fail("uscc.checksum", position=18, expected=expected)


def _table_error(number: str) -> tuple[str, int, dict[str, str]] | None:
    """The first strict-mode problem of a well-formed code as (error code, position, fields), or None.

    Returning instead of raising lets the hot ``is_valid`` path share this one definition.
    """
    if number[0] not in AUTHORITIES:
        return "uscc.authority", 1, {"value": number[0]}
    if (number[0], number[1]) not in CATEGORIES:
        return "uscc.category", 2, {"value": number[1], "authority": number[0]}
    region = number[2:8]
    if region != NATIONAL_REGION and region not in _regions.known_codes():
        return "uscc.region", 3, {"value": region}
    if gb11714_check(number[8:16]) != number[16]:
        return "uscc.orgcode_checksum", 17, {}
    return None


def validate(number: object, *, strict: bool = False, accept_pilot: bool = False) -> str:
    """Return the canonical code, or raise a :class:`~creditstd.exceptions.ValidationError`."""
    number = compact(number)
    _check_structure(number, accept_pilot)
    if strict:
        problem = _table_error(number)
        if problem:
            fail(problem[0], position=problem[1], **problem[2])
    return number


def is_placeholder(number: object) -> bool:
    """Whether ``number`` is the 双公示 placeholder :data:`PLACEHOLDER` in any spelling :func:`compact` folds
    (lower case, full width, separators), as a real code is read in any of them.

    >>> is_placeholder('00000000000000000x'), is_placeholder('０００００００００００００００００Ｘ')
    (True, True)
    >>> is_placeholder('0'), is_placeholder(None)
    (False, False)
    """
    try:
        return compact(number) == PLACEHOLDER
    except ValueError:  # not text, or too long to be one
        return False


def is_valid(number: object, *, strict: bool = False) -> bool:
    """Tell whether ``number`` is a valid code; never raises, whatever it is given.

    >>> is_valid('91350100M000100Y43'), is_valid('91350100M000100Y4Z'), is_valid(b'\\xff')
    (True, False, False)
    """
    if type(number) is str and len(number) == 18 and number.isascii() and number.isalnum():
        # fast path for the common case: already compact ASCII
        number = number.upper()
        try:
            if uscc_check(number) != number[17]:
                return False
        except KeyError:
            return False
        if not strict:
            return True
        return _table_error(number) is None
    return passes(validate, number, strict=strict)


def format(number: object) -> str:
    """Return the printed form: the compact upper-case code (GB 32100 uses no separators).

    >>> format('9135 0100 m000 100y 43')
    '91350100M000100Y43'
    """
    return compact(number)


def _meaning(table: dict, key: object, code: str) -> Meaning | None:
    names = table.get(key)
    return Meaning(code, *names) if names else None


def parse(number: object, *, accept_pilot: bool = False) -> USCCInfo:
    """Validate ``number`` (non-strict) and return its components with their meanings.

    Components that are not defined (an unknown authority, category or
    region) come back as ``None`` rather than raising.

    >>> info = parse('911000001000013428')
    >>> info.is_national, info.region.name, info.orgcode_valid
    (True, '全国', True)
    """
    number = validate(number, accept_pilot=accept_pilot)
    return USCCInfo(
        number=number,
        authority=_meaning(AUTHORITIES, number[0], number[0]),
        category=_meaning(CATEGORIES, (number[0], number[1]), number[1]),
        region_code=number[2:8],
        region=_regions.lookup(number[2:8]),
        orgcode=_orgcode.format(number[8:17]),
        orgcode_valid=gb11714_check(number[8:16]) == number[16],
        check_digit=number[17],
        check_valid=uscc_check(number) == number[17],
    )


def generate(
    *,
    authority: str | None = None,
    category: str | None = None,
    region: str | None = None,
    rng: _random.Random | None = None,
) -> str:
    """Return a random valid code that passes ``validate(strict=True)``.

    ``authority``, ``category`` and ``region`` constrain the parts; by default
    a confirmed authority/category pair and a current GB/T 2260 code (any
    level; now and then ``100000``) are drawn.  Pass ``rng`` (a
    ``random.Random``) for reproducible output.

    >>> code = generate(authority='9', category='2', region='350100', rng=_random.Random(1))
    >>> code[:8], is_valid(code, strict=True)
    ('92350100', True)

    Constraints no code meets raise a ``ValueError`` whose message (in both
    languages) does not repeat the argument; a ``region`` that is not a known
    GB/T 2260 code (or ``100000``) raises the error of
    :func:`creditstd.codes.regions.validate`, a ``ValueError`` too.

    >>> generate(authority='Q')
    Traceback (most recent call last):
    ...
    ValueError: GB 32100 未定义...
    """
    pairs = [
        pair for pair in _CONFIRMED_PAIRS
        if (authority is None or pair[0] == authority) and (category is None or pair[1] == category)
    ]
    if not pairs:
        raise ValueError(
            "GB 32100 未定义与所给登记管理部门、机构类别相符的组合（登记管理部门为1–9、A、N、Y） / "
            "no authority/category pair of GB 32100 matches the given authority and category "
            "(authorities are 1-9, A, N, Y)"
        )
    if region is not None:
        region = _regions.validate(region)  # six digits, known at some time (100000 included)
    rng = rng or _random.Random()
    first, second = rng.choice(pairs)
    if region is None:
        region = NATIONAL_REGION if rng.random() < 0.02 else rng.choice(_regions.current_codes())
    body = _orgcode.generate_body(rng, alphabet=USCC_ALPHABET)
    partial = f"{first}{second}{region}{body}{gb11714_check(body)}"
    return partial + uscc_check(partial)
