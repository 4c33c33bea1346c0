"""One error hierarchy for the whole toolkit, with stable codes and bilingual messages.

Every validation failure is an instance of one of python-stdnum's exception
classes (``InvalidLength``, ``InvalidFormat``, ``InvalidChecksum``,
``InvalidComponent``), so code that already catches
``stdnum.exceptions.ValidationError`` keeps working.  On top of that each
error carries:

* ``code``: a stable machine code such as ``uscc.checksum`` (listed in
  :data:`ERRORS`; codes are never renamed, only added);
* ``position``: the 1-based character position the error applies to, or
  ``None`` when it concerns the whole value;
* ``message_zh`` and ``message_en``: the message in Chinese and English.

``str(error)`` shows the code and the message in the language chosen by
:func:`message_language`: the ``CREDITSTD_LANG`` environment variable
(``zh``, ``en`` or ``both``), else the locale (``LC_ALL``, ``LC_MESSAGES``,
``LANG``), else both languages.  Messages never contain the number itself, so
they are safe to log even for citizen ID numbers.

>>> from creditstd import uscc
>>> try:
...     uscc.validate('91350100M000100Y4Z')
... except InvalidChecksum as error:
...     print(error.code, error.position)
...     print(error.message_en)
uscc.checksum 18
check character does not match: expected '3'
>>> import stdnum.exceptions
>>> issubclass(InvalidChecksum, stdnum.exceptions.InvalidChecksum)
True
"""

from __future__ import annotations

import os
from typing import Any, NoReturn

import stdnum.exceptions as _stdnum

__all__ = [
    "ERRORS",
    "CatalogueError",
    "CreditstdError",
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidLength",
    "ValidationError",
    "fail",
    "make_error",
    "message_language",
]


def message_language() -> str:
    """Return ``'zh'``, ``'en'`` or ``'both'``: the language of messages for people.

    >>> import os
    >>> os.environ['CREDITSTD_LANG'] = 'en'; message_language()
    'en'
    >>> del os.environ['CREDITSTD_LANG']
    """
    chosen = os.environ.get("CREDITSTD_LANG", "").strip().lower()
    if chosen in ("zh", "en", "both"):
        return chosen
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "").lower()
        if value.startswith("zh"):
            return "zh"
        if value.startswith("en"):
            return "en"
    return "both"


def bilingual(zh: str, en: str) -> str:
    """Join a Chinese and an English text the way :func:`message_language` asks."""
    language = message_language()
    if language == "zh":
        return zh
    if language == "en":
        return en
    return f"{zh} / {en}"


class CreditstdError(Exception):
    """Base class of every error creditstd raises on purpose."""

    code: str = "creditstd.error"
    message_zh: str = ""
    message_en: str = ""

    def __str__(self) -> str:
        return f"{self.code}: {bilingual(self.message_zh, self.message_en)}"


class CatalogueError(CreditstdError):
    """A request the catalogue cannot answer: an unknown class, rule set or field."""

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en


class ValidationError(CreditstdError, _stdnum.ValidationError):
    """A value is not a valid identifier (or record); see ``code`` for why."""

    def __init__(
        self,
        code: str,
        message_zh: str,
        message_en: str,
        position: int | None = None,
    ) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.position = position

    @property
    def message(self) -> str:  # type: ignore[override]
        """The message in the configured language (stdnum's attribute name)."""
        return bilingual(self.message_zh, self.message_en)

    def __str__(self) -> str:
        where = f" (position {self.position})" if self.position else ""
        return f"{self.code}{where}: {self.message}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code, self.message_zh, self.message_en, self.position))


class InvalidFormat(ValidationError, _stdnum.InvalidFormat):
    """Characters that are not allowed, or a shape that is not this identifier."""


class InvalidLength(InvalidFormat, _stdnum.InvalidLength):
    """The value has the wrong number of characters."""


class InvalidChecksum(ValidationError, _stdnum.InvalidChecksum):
    """The check character does not match the rest of the value."""


class InvalidComponent(ValidationError, _stdnum.InvalidComponent):
    """A part of the value refers to something that does not exist (date, region, table)."""


#: Every validation error code: code -> (class, Chinese template, English template).
#: Templates are ``str.format`` strings; their fields are given to :func:`fail`.
ERRORS: dict[str, tuple[type[ValidationError], str, str]] = {
    # shared
    "input.type": (InvalidFormat, "输入不是文本", "input is not text"),
    "input.too_long": (InvalidLength, "输入超过{limit}个字符，不是任何代码，未经读取即被拒绝",
                       "input is longer than {limit} characters: not an identifier, refused unread"),
    "identify.unknown": (InvalidFormat, "长度为{length}，不符合任何已知代码（9、15或18位）",
                         "{length} characters long: matches no known identifier (9, 15 or 18 characters)"),
    # GB 32100-2015 unified social credit code
    "uscc.length": (InvalidLength, "统一社会信用代码应为18位，实为{length}位",
                    "a unified social credit code has 18 characters, got {length}"),
    "uscc.format": (InvalidFormat, "第{position}位字符不在代码字符集内（不使用I、O、Z、S、V）",
                    "character {position} is not in the code alphabet (I, O, Z, S, V are not used)"),
    "uscc.checksum": (InvalidChecksum, "校验码不符，应为“{expected}”",
                      "check character does not match: expected '{expected}'"),
    "uscc.pilot_checksum": (InvalidChecksum,
                            "校验码不符（应为“{expected}”），但主体标识码（组织机构代码）校验正确：可能是早期试点代码或第1–8、18位录入错误",
                            "check character does not match (expected '{expected}') but the embedded "
                            "organisation code is valid: possibly an early pilot code, or a typo in "
                            "positions 1-8 or 18"),
    "uscc.placeholder": (InvalidComponent, "这是双公示无代码个体工商户的占位符（17个0加X），不是统一社会信用代码",
                         "this is the placeholder for an individual business without a code "
                         "(17 zeros and X), not a unified social credit code"),
    "uscc.authority": (InvalidComponent, "登记管理部门代码“{value}”未在GB 32100中定义",
                       "registration authority '{value}' is not defined in GB 32100"),
    "uscc.category": (InvalidComponent, "登记管理部门“{authority}”下无机构类别“{value}”",
                      "organisation category '{value}' is not defined for authority '{authority}'"),
    "uscc.region": (InvalidComponent, "登记管理机关行政区划码{value}不在GB/T 2260（含历史）中",
                    "registration region code {value} is not in GB/T 2260 (current or historical)"),
    "uscc.orgcode_checksum": (InvalidChecksum, "第9–17位主体标识码的GB 11714校验码不符",
                              "the embedded organisation code (positions 9-17) fails its GB 11714 check"),
    # GB 11714-1997 organisation code
    "orgcode.length": (InvalidLength, "组织机构代码应为9位（不含连字符），实为{length}位",
                       "an organisation code has 9 characters (without the hyphen), got {length}"),
    "orgcode.format": (InvalidFormat, "第{position}位字符应为数字或大写字母",
                       "character {position} must be a digit or an upper-case letter"),
    "orgcode.checksum": (InvalidChecksum, "校验码不符，应为“{expected}”",
                         "check character does not match: expected '{expected}'"),
    "orgcode.reserved": (InvalidComponent, "PDY00001–PDY99999为自定义区代码，仅限内部使用，不作交换依据",
                         "PDY00001-PDY99999 is the custom range, for internal use only, not for exchange"),
    # GS 15-2006 business registration number
    "regno.length": (InvalidLength, "工商注册号应为15位数字，实为{length}位",
                     "a business registration number has 15 digits, got {length}"),
    "regno.format": (InvalidFormat, "第{position}位应为数字", "character {position} must be a digit"),
    "regno.checksum": (InvalidChecksum, "校验码不符，应为“{expected}”",
                       "check digit does not match: expected '{expected}'"),
    "regno.region": (InvalidComponent, "首次登记机关行政区划码{value}不在GB/T 2260（含历史）中",
                     "registration region code {value} is not in GB/T 2260 (current or historical)"),
    # GB 11643-1999 citizen ID number and related numbers
    "ric.length": (InvalidLength, "身份号码应为18位（或旧版15位），实为{length}位",
                   "an ID number has 18 characters (or 15 for the old format), got {length}"),
    "ric.format": (InvalidFormat, "第{position}位应为数字（仅第18位可为X）",
                   "character {position} must be a digit (only the 18th may be X)"),
    "ric.masked": (InvalidFormat, "这是已脱敏（打星号）的身份号码，无法校验",
                   "this ID number is masked with '*' and cannot be checked"),
    "ric.checksum": (InvalidChecksum, "校验码不符，应为“{expected}”",
                     "check character does not match: expected '{expected}'"),
    "ric.birth_date": (InvalidComponent, "出生日期码不是有效日期",
                       "the birth date is not a real calendar date"),
    "ric.birth_future": (InvalidComponent, "出生日期晚于今天", "the birth date is in the future"),
    "ric.birth_too_early": (InvalidComponent, "出生日期早于1800年", "the birth date is before 1800"),
    "ric.region": (InvalidComponent, "地址码{value}不在GB/T 2260（含历史）中",
                   "address code {value} is not in GB/T 2260 (current or historical)"),
    "ric.region_aggregate": (InvalidComponent, "地址码{value}是省级汇总码，不用于编制身份号码",
                             "address code {value} is a province-level aggregate, never issued in ID numbers"),
    "ric.foreigner_province": (InvalidComponent, "受理地省级代码{value}不在GB/T 2260中",
                               "province code {value} of the issuing office is not in GB/T 2260"),
    # records of the catalogue
    "record.date": (InvalidFormat, "日期应为YYYY-MM-DD格式的有效日期",
                    "a date must be a real calendar date written YYYY-MM-DD"),
    "record.masked_id": (InvalidFormat, "不是已脱敏的身份号码", "not a masked ID number"),
    "record.sector": (InvalidComponent, "不是分类标准中的领域代码", "not a sector code of the taxonomy"),
    # GB/T 2260 administrative division codes
    "regions.length": (InvalidLength, "行政区划代码应为6位数字，实为{length}位",
                       "an administrative division code has 6 digits, got {length}"),
    "regions.format": (InvalidFormat, "第{position}位应为数字", "character {position} must be a digit"),
    "regions.unknown": (InvalidComponent, "行政区划代码{value}不在GB/T 2260（含历史）中",
                        "division code {value} is not in GB/T 2260 (current or historical)"),
    "regions.historical": (InvalidComponent, "行政区划代码{value}已于{end_year}年后停用",
                           "division code {value} is historical: last in use in {end_year}"),
}


def make_error(code: str, position: int | None = None, **fields: object) -> ValidationError:
    """The error registered under ``code``, its message templates filled.

    >>> make_error("input.too_long", limit=128).message_en
    'input is longer than 128 characters: not an identifier, refused unread'
    """
    cls, zh, en = ERRORS[code]
    values = {"position": position, **fields}
    return cls(code, zh.format(**values), en.format(**values), position)


def fail(code: str, position: int | None = None, **fields: object) -> NoReturn:
    """Raise the error registered under ``code``, filling its message templates.

    >>> fail('uscc.length', length=17)
    Traceback (most recent call last):
    ...
    creditstd.exceptions.InvalidLength: uscc.length: ...
    """
    raise make_error(code, position, **fields)
