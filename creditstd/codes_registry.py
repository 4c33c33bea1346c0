"""The one registry of every code creditstd reports: family, severity, and a Chinese and English message.

A code is ``family.name`` (``uscc.checksum``, ``record.required``,
``exchange.sha256``) and is never renamed, only added.  Every code any part
of creditstd can report is here, whatever reports it: an exception
(:func:`~creditstd.exceptions.fail`, ``CatalogueError``...), a
:class:`~creditstd.findings.Finding`, a verification report.  Each entry
(:class:`Code`) holds the message templates (``str.format`` strings, their
fields filled when the problem is reported; a reporter that knows more may
word its message more precisely, the template is then the code's title), the
severity, and for the identifier and value codes the exception class
:func:`~creditstd.exceptions.fail` raises, by name.  Messages never quote the
value they are about.

Two families also grow from the catalogue's data, at first use
(:func:`registry`): ``rule.<x-rule>`` for every conditional rule of a record
class (its message is the rule's own ``x-message-zh``/``x-message-en``), and
``record.<keyword>`` for every JSON Schema keyword a class schema uses that has
no entry of its own.  The input readers keep their ``source.*`` templates beside
the code that fills them; :func:`registry` merges those tables too
(:data:`_PROVIDERS`).  :data:`CODES` holds the rest and needs neither.
:attr:`Code.title` is a short heading for all the findings of one code (what a
report groups them under).

This module is the bottom of the import graph (it imports nothing of creditstd
at load time), so :mod:`creditstd.exceptions` derives its ``ERRORS`` table from
it and :mod:`creditstd.findings` its messages.

>>> lookup('uscc.checksum').family, lookup('uscc.checksum').exception
('uscc', 'InvalidChecksum')
>>> lookup('exchange.count').messages(count=3, expected=4)
('记录数为3，清单为4', '3 records, the manifest says 4')
>>> registry()['rule.fine_needs_amount'].en, registry()['rule.fine_needs_amount'].origin
('a fine needs its amount', 'catalogue')
>>> is_registered('record.required'), is_registered('record.no_such_code')
(True, False)
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

__all__ = [
    "CODES",
    "FAMILIES",
    "SCHEMA_KEYWORDS",
    "Code",
    "Severity",
    "is_registered",
    "keyword_code",
    "keyword_entry",
    "lookup",
    "registry",
]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Code:
    """One registered code: its message templates, severity and (for value codes) exception class."""

    code: str
    zh: str
    en: str
    #: The name of the :mod:`creditstd.exceptions` class :func:`~creditstd.exceptions.fail` raises, or None
    #: for codes that are reported, not raised as a validation error.
    exception: str | None = None
    severity: Severity = "error"
    #: ``static`` (listed in :data:`CODES`), ``provided`` (a module's own table, :data:`_PROVIDERS`) or
    #: ``catalogue`` (derived from the catalogue's data).
    origin: Literal["static", "provided", "catalogue"] = "static"
    #: A short title for a group of findings of this code, when the message template is not one.
    title_zh: str | None = None
    title_en: str | None = None

    @property
    def family(self) -> str:
        """The part before the first dot: ``uscc``, ``record``, ``rule``, ``exchange``..."""
        return self.code.partition(".")[0]

    @property
    def title(self) -> tuple[str, str]:
        """``(zh, en)`` heading for all findings of this code: the title, else the templates with ``{…}`` as ``…``.

        >>> lookup('uscc.checksum').title
        ('校验码不符，应为“…”', "check character does not match: expected '…'")
        >>> lookup('record.required').title
        ('必填字段缺失', 'required field missing')
        """
        if self.title_zh is not None and self.title_en is not None:
            return self.title_zh, self.title_en
        return _FIELD.sub("…", self.zh), _FIELD.sub("…", self.en)

    def messages(self, **fields: object) -> tuple[str, str]:
        """The Chinese and English messages, the templates' ``{fields}`` filled."""
        return self.zh.format(**fields), self.en.format(**fields)


#: Family -> its name in Chinese and English, in the order the reference lists them.
FAMILIES: dict[str, tuple[str, str]] = {
    "input": ("输入", "input"),
    "identify": ("代码识别", "identification"),
    "uscc": ("统一社会信用代码（GB 32100-2015）", "unified social credit code (GB 32100-2015)"),
    "orgcode": ("组织机构代码（GB 11714-1997）", "organisation code (GB 11714-1997)"),
    "regno": ("工商注册号（GS 15-2006）", "business registration number (GS 15-2006)"),
    "ric": ("身份号码（GB 11643-1999）", "ID number (GB 11643-1999)"),
    "regions": ("行政区划代码（GB/T 2260）", "administrative division code (GB/T 2260)"),
    "record": ("记录校验", "record validation"),
    "rule": ("目录规则", "catalogue rules"),
    "exchange": ("交换格式与签名", "exchange format and signatures"),
    "catalogue": ("目录查询", "catalogue requests"),
    "source": ("读取输入文件", "reading input files"),
    "columns": ("表头与字段", "columns and fields"),
    "rows": ("行", "rows"),
    "mapping": ("映射文件", "mapping files"),
    "convert": ("转换", "conversion"),
}

_LENGTH, _FORMAT, _CHECKSUM, _COMPONENT = "InvalidLength", "InvalidFormat", "InvalidChecksum", "InvalidComponent"

# code -> (Chinese template, English template[, exception class name])
_TABLE: dict[str, tuple[str, ...]] = {
    # ---------------------------------------------------------------- shared
    "input.type": ("输入不是文本", "input is not text", _FORMAT),
    "input.too_long": ("输入超过{limit}个字符，不是任何代码，未经读取即被拒绝",
                       "input is longer than {limit} characters: not an identifier, refused unread", _LENGTH),
    "identify.unknown": ("长度为{length}，不符合任何已知代码（9、15或18位）",
                         "{length} characters long: matches no known identifier (9, 15 or 18 characters)", _FORMAT),
    # ---------------------------------------------------------------- GB 32100-2015 unified social credit code
    "uscc.length": ("统一社会信用代码应为18位，实为{length}位",
                    "a unified social credit code has 18 characters, got {length}", _LENGTH),
    "uscc.format": ("第{position}位字符不在代码字符集内（不使用I、O、Z、S、V）",
                    "character {position} is not in the code alphabet (I, O, Z, S, V are not used)", _FORMAT),
    "uscc.checksum": ("校验码不符，应为“{expected}”", "check character does not match: expected '{expected}'",
                      _CHECKSUM),
    "uscc.pilot_checksum": ("校验码不符（应为“{expected}”），但主体标识码（组织机构代码）校验正确："
                            "可能是早期试点代码或第1–8、18位录入错误",
                            "check character does not match (expected '{expected}') but the embedded "
                            "organisation code is valid: possibly an early pilot code, or a typo in "
                            "positions 1-8 or 18", _CHECKSUM),
    "uscc.placeholder": ("这是双公示无代码个体工商户的占位符（17个0加X），不是统一社会信用代码",
                         "this is the placeholder for an individual business without a code "
                         "(17 zeros and X), not a unified social credit code", _COMPONENT),
    "uscc.authority": ("登记管理部门代码“{value}”未在GB 32100中定义",
                       "registration authority '{value}' is not defined in GB 32100", _COMPONENT),
    "uscc.category": ("登记管理部门“{authority}”下无机构类别“{value}”",
                      "organisation category '{value}' is not defined for authority '{authority}'", _COMPONENT),
    "uscc.region": ("登记管理机关行政区划码{value}不在GB/T 2260（含历史）中",
                    "registration region code {value} is not in GB/T 2260 (current or historical)", _COMPONENT),
    "uscc.orgcode_checksum": ("第9–17位主体标识码的GB 11714校验码不符",
                              "the embedded organisation code (positions 9-17) fails its GB 11714 check", _CHECKSUM),
    # ---------------------------------------------------------------- GB 11714-1997 organisation code
    "orgcode.length": ("组织机构代码应为9位（不含连字符），实为{length}位",
                       "an organisation code has 9 characters (without the hyphen), got {length}", _LENGTH),
    "orgcode.format": ("第{position}位字符应为数字或大写字母",
                       "character {position} must be a digit or an upper-case letter", _FORMAT),
    "orgcode.checksum": ("校验码不符，应为“{expected}”", "check character does not match: expected '{expected}'",
                         _CHECKSUM),
    "orgcode.reserved": ("PDY00001–PDY99999为自定义区代码，仅限内部使用，不作交换依据",
                         "PDY00001-PDY99999 is the custom range, for internal use only, not for exchange", _COMPONENT),
    # ---------------------------------------------------------------- GS 15-2006 business registration number
    "regno.length": ("工商注册号应为15位数字，实为{length}位",
                     "a business registration number has 15 digits, got {length}", _LENGTH),
    "regno.format": ("第{position}位应为数字", "character {position} must be a digit", _FORMAT),
    "regno.checksum": ("校验码不符，应为“{expected}”", "check digit does not match: expected '{expected}'", _CHECKSUM),
    "regno.region": ("首次登记机关行政区划码{value}不在GB/T 2260（含历史）中",
                     "registration region code {value} is not in GB/T 2260 (current or historical)", _COMPONENT),
    # ---------------------------------------------------------------- GB 11643-1999 citizen ID number and kin
    "ric.length": ("身份号码应为18位（或旧版15位），实为{length}位",
                   "an ID number has 18 characters (or 15 for the old format), got {length}", _LENGTH),
    "ric.format": ("第{position}位应为数字（仅第18位可为X）",
                   "character {position} must be a digit (only the 18th may be X)", _FORMAT),
    "ric.masked": ("这是已脱敏（打星号）的身份号码，无法校验",
                   "this ID number is masked with '*' and cannot be checked", _FORMAT),
    "ric.checksum": ("校验码不符，应为“{expected}”", "check character does not match: expected '{expected}'",
                     _CHECKSUM),
    "ric.birth_date": ("出生日期码不是有效日期", "the birth date is not a real calendar date", _COMPONENT),
    "ric.birth_future": ("出生日期晚于今天", "the birth date is in the future", _COMPONENT),
    "ric.birth_too_early": ("出生日期早于1800年", "the birth date is before 1800", _COMPONENT),
    "ric.region": ("地址码{value}不在GB/T 2260（含历史）中",
                   "address code {value} is not in GB/T 2260 (current or historical)", _COMPONENT),
    "ric.region_aggregate": ("地址码{value}是省级汇总码，不用于编制身份号码",
                             "address code {value} is a province-level aggregate, never issued in ID numbers",
                             _COMPONENT),
    "ric.foreigner_province": ("受理地省级代码{value}不在GB/T 2260中",
                               "province code {value} of the issuing office is not in GB/T 2260", _COMPONENT),
    # ---------------------------------------------------------------- GB/T 2260 administrative division codes
    "regions.length": ("行政区划代码应为6位数字，实为{length}位",
                       "an administrative division code has 6 digits, got {length}", _LENGTH),
    "regions.format": ("第{position}位应为数字", "character {position} must be a digit", _FORMAT),
    "regions.unknown": ("行政区划代码{value}不在GB/T 2260（含历史）中",
                        "division code {value} is not in GB/T 2260 (current or historical)", _COMPONENT),
    "regions.historical": ("行政区划代码{value}已于{end_year}年后停用",
                           "division code {value} is historical: last in use in {end_year}", _COMPONENT),
    # ---------------------------------------------------------------- values of records (the catalogue's formats)
    "record.date": ("日期应为YYYY-MM-DD格式的有效日期", "a date must be a real calendar date written YYYY-MM-DD",
                    _FORMAT),
    "record.masked_id": ("不是已脱敏的身份号码", "not a masked ID number", _FORMAT),
    "record.sector": ("不是分类标准中的领域代码", "not a sector code of the taxonomy", _COMPONENT),
    # ---------------------------------------------------------------- record structure (JSON Schema keywords)
    "record.type": ("类型应为{expected}", "must be of type {expected}"),
    "record.required": ("必填", "is required"),
    "record.unknown_field": ("未知字段“{name}”", "unknown field '{name}'"),
    "record.enum": ("取值不在代码表内（可用：{expected}）", "is not in the code table (allowed: {expected})"),
    "record.const": ("取值应为{expected}", "must be {expected}"),
    "record.maxLength": ("长度超过{expected}个字符", "is longer than {expected} characters"),
    "record.minLength": ("不能为空", "must not be empty"),
    "record.pattern": ("格式不符", "does not have the expected form"),
    "record.minimum": ("不能小于{expected}", "must not be less than {expected}"),
    "record.maximum": ("不能大于{expected}", "must not be greater than {expected}"),
    "record.minItems": ("至少需要{expected}项", "needs at least {expected} item(s)"),
    "record.uniqueItems": ("有重复项", "has duplicate items"),
    "record.anyOf": ("不符合任何允许的形式", "matches none of the allowed forms"),
    # ---------------------------------------------------------------- values no record may hold (jsonline limits)
    "record.too_deep": ("嵌套过深：数组与对象最多嵌套{max_depth}层",
                        "nested too deeply: arrays and objects nest at most {max_depth} levels"),
    "record.too_long": ("文本过长：取值最多{max_string}个字符，键名最多{max_key}个字符",
                        "text too long: at most {max_string} characters in a value, {max_key} in a key"),
    "record.not_finite": ("数值不是有限数（NaN、Infinity或超出范围）",
                          "the number is not finite (NaN, Infinity, or out of range)"),
    "record.inexact_number": ("数值无法按原样保存：有效数字超过双精度浮点数所能保存的位数（约15位），或小到会变为0；"
                              "记录中的数值按双精度保存（RFC 8785），写出时会被舍入",
                              "the number cannot be kept as written: more significant digits than a double holds "
                              "(about 15), or so small it becomes 0; records keep numbers as doubles (RFC 8785), "
                              "so it would be written rounded"),
    "record.invalid_text": ("文本含有无法编码的字符（单独的代理码位）",
                            "the text holds a character that cannot be encoded (a lone surrogate)"),
    "record.duplicate_key": ("对象中有重复的键", "the object has the same key twice"),
    "record.conflict": ("字段“{label}”的两列取值不同：{columns}（无法确定哪一个正确）",
                        "field {name}: its columns hold different values: {columns} (which one is right cannot "
                        "be told)"),
    # ---------------------------------------------------------------- rows of a run (creditstd/records/duplicates.py)
    "record.duplicate": ("与{first_zh}的记录重复：标识字段（{fields_zh}）相同",
                         "duplicate of the record at {first_en}: same identity fields ({fields_en})"),
    # ---------------------------------------------------------------- named rules (creditstd/records/rules.py)
    "rule.date_not_after": ("日期不应晚于另一日期字段", "a date must not be later than the date field it precedes"),
    "rule.date_in_future": ("日期晚于今天", "the date is in the future"),
    "rule.orgcode_in_uscc": ("组织机构代码与统一社会信用代码第9–17位不一致",
                             "the organisation code differs from positions 9-17 of the unified social credit code"),
    "rule.grade_by_date": ("信用等级不在评价日期所适用的等级表中",
                           "the grade is not in the scheme's grade table in force on the rating's date"),
    # ---------------------------------------------------------------- exchange: lines and records
    "exchange.json": ("不是有效的JSON行（须为UTF-8编码的JSON）", "not a valid JSON line (UTF-8 encoded JSON)"),
    "exchange.line_too_long": ("行过长：超过{max_bytes}字节", "line too long: over {max_bytes} bytes"),
    "exchange.not_json": ("记录含有JSON无法表示的值", "the record holds a value JSON cannot represent"),
    "exchange.identity": ("标识字段的取值无法转换为文本",
                          "an identity field holds a value that cannot be turned into text"),
    "exchange.envelope": ("记录外层结构不符合交换格式", "record envelope: {keyword} at {path}"),
    "exchange.class": ("记录类别与清单不符", "the record's class differs from the manifest's {class_name!r}"),
    "exchange.class_version": ("记录的类版本与清单不符", "the record's class version differs from the manifest's"),
    "exchange.duplicate_id": ("记录标识重复", "duplicate record id"),
    "exchange.record_id": ("记录标识与标识字段不符（数据可能被改动）",
                           "record id does not match the identity fields (the data may have been altered)"),
    # ---------------------------------------------------------------- exchange: writing a batch
    "exchange.department": ("报送部门名称须为非空文本（不含无法编码的字符，不过长）",
                            "the sending department must be non-empty text (encodable, not over-long)"),
    "exchange.empty": ("批次中没有任何记录：空批次不是有效批次",
                       "the batch holds no record: an empty batch is not a batch"),
    "exchange.invalid_record": ("记录不符合目录（{count}个问题），未写入批次",
                                "the record does not conform to the catalogue ({count} problems): not written"),
    "exchange.write_failed": ("批次写入失败，批次已丢弃", "writing the batch failed: the batch was discarded"),
    # ---------------------------------------------------------------- exchange: the batch and its manifest
    "exchange.manifest": ("无法读取清单，或清单不符合交换格式",
                          "the manifest cannot be read or is not an exchange manifest"),
    "exchange.records_file": ("清单中的记录文件名必须是批次文件夹中的文件名（不得含路径分隔符、不得为绝对路径或“..”）",
                              "the manifest's records file must be a bare file name in the batch folder "
                              "(no path separators, not absolute, not '..')"),
    "exchange.missing_records": ("找不到记录文件", "records file not found"),
    "exchange.version": ("发送方与接收方的目录版本不同：清单所述版本不是本地目录的{known}",
                         "sender and receiver catalogues differ: the manifest's version is not "
                         "the installed catalogue's {known}"),
    "exchange.count": ("记录数为{count}，清单为{expected}", "{count} records, the manifest says {expected}"),
    "exchange.sha256": ("记录文件的SHA-256与清单不符", "the SHA-256 of the records differs from the manifest"),
    "exchange.accounting": ("清单的核算不符：读入{rows_in}行，写出{records_out}条，拒收{rejected}条，批次实有{count}条",
                            "the manifest's accounting does not add up: {rows_in} rows in, {records_out} records "
                            "out, {rejected} rejected, {count} records in the batch"),
    "exchange.summary_part": ("分片批次与汇总清单不符（缺失、不是普通文件夹，或记录数、哈希、清单内容、核算不同）",
                              "a part does not match the summary manifest (missing, not a plain folder, or its count, "
                              "hashes, manifest or accounting differ)"),
    "exchange.unlisted_part": ("汇总文件夹中有汇总清单未列出的内容", "the summary's folder holds something the summary "
                                                                  "does not list"),
    "exchange.document": ("不是交换格式单文档", "not a single-document exchange batch"),
    "exchange.too_many": ("批次的问题过多（{count}个），未全部列出",
                          "too many problems in the batch ({count}): not all listed"),
    # ---------------------------------------------------------------- exchange: keys and signatures
    "exchange.signing_unavailable": ("签名功能需要 {package} 包：{hint}",
                                     "signing needs the {package} package: {hint}"),
    "exchange.key_format": ("不是有效的密钥文件", "not a valid key file"),
    "exchange.key_algorithm": ("不支持的签名算法", "unsupported signature algorithm"),
    "exchange.key_unreadable": ("无法读取或写入密钥文件", "a key file cannot be read or written"),
    "exchange.key_exists": ("密钥文件已存在（确需覆盖请用 --force）",
                            "the key files exist (use --force to replace them)"),
    "exchange.signature_missing": ("批次没有签名文件 {name}", "the batch has no signature file {name}"),
    "exchange.signature_format": ("签名文件格式不对", "the signature file is malformed"),
    "exchange.signature_key_unknown": ("签名所用密钥不在受信任的公钥中：无法确认发送方",
                                       "signed with a key that is not trusted: the sender cannot be confirmed"),
    "exchange.signature_invalid": ("签名无效：清单在签名后被改动，或签名并非由该密钥所做（批次可能被伪造）",
                                   "signature invalid: the manifest was changed after signing, or the signature "
                                   "was not made with this key (the batch may be forged)"),
    "exchange.signature_records": ("记录文件与已签名的清单不符：批次被改动过",
                                   "the records file does not match the signed manifest: the batch was altered"),
    "exchange.signature_write": ("无法写入签名文件", "cannot write the signature file"),
    # ---------------------------------------------------------------- requests the catalogue cannot answer
    "catalogue.unknown_class": ("目录中没有该记录类", "no record class of that name in the catalogue"),
    "catalogue.unknown_field": ("记录类没有该字段代码", "the record class has no field with that code"),
    "catalogue.unknown_rule_set": ("没有该公示规则集", "no display rule set of that name"),
    "catalogue.rule_set_not_applicable": ("公示规则集“{rule_set}”不适用于“{class_zh}”",
                                          "display rule set {rule_set!r} does not apply to {class_name}"),
    "catalogue.no_display_rule": ("该记录类不设公示期", "the record class has no display period"),
    "catalogue.rule_clause": ("公示规则集含有未知的规则条件", "a display rule set holds an unknown rule clause"),
    "catalogue.no_class": ("表头与目录中任何一类信息的字段都不对应", "no header names a field of any catalogue class"),
    # ---------------------------------------------------------------- validation reports (a whole file's verdicts)
    "columns.missing_required": ("缺少必填字段的列", "columns of required fields are missing"),
    "rows.rejected": ("有行被拒收", "rows were rejected"),
    "rows.none_valid": ("没有有效的行（转换时：没有可写出的记录）", "no valid row (converting: no record to write)"),
}

#: Modules that keep the templates of their own codes beside the code that fills them: (module, attribute),
#: the attribute a mapping code -> (Chinese, English).  :func:`registry` merges them; a module that is not
#: there is skipped (the registry test then finds no code of it either).
_PROVIDERS: tuple[tuple[str, str], ...] = (
    ("creditstd.sources.model", "CODES"),
    ("creditstd.sources.model", "ROW_CODES"),
    ("creditstd.convert.codes", "CODES"),
)


#: Titles of the codes whose template is no title (it is made per value, or names the field).
_TITLES: dict[str, tuple[str, str]] = {
    "record.required": ("必填字段缺失", "required field missing"),
    "record.type": ("类型不符", "wrong type"),
    "record.unknown_field": ("未知字段", "unknown field"),
    "record.enum": ("取值不在代码表内", "value not in the code table"),
    "record.const": ("取值不符", "value not allowed"),
    "record.maxLength": ("内容过长", "value too long"),
    "record.minLength": ("内容为空", "value empty"),
    "record.pattern": ("格式不符", "value does not have the expected form"),
    "record.minimum": ("数值过小", "number too small"),
    "record.maximum": ("数值过大", "number too large"),
    "record.minItems": ("项数不足", "too few items"),
    "record.uniqueItems": ("有重复项", "duplicate items"),
    "record.duplicate_key": ("字段重复", "field given twice"),
    "record.duplicate": ("重复记录", "duplicate record"),
    "record.conflict": ("同一字段的两列取值不同", "columns of one field disagree"),
    "rule.date_not_after": ("日期先后顺序不符", "dates out of order"),
    "rule.date_in_future": ("日期晚于今天", "date in the future"),
    "rule.orgcode_in_uscc": ("组织机构代码与统一社会信用代码不符", "organisation code does not match the USCC"),
    "rule.grade_by_date": ("等级与评价日期不符", "grade not in force on the rating's date"),
}
_FIELD = re.compile(r"\{[a-z_]*(?:![rs])?\}")


def _code(code: str, entry: tuple[str, ...]) -> Code:
    title_zh, title_en = _TITLES.get(code, (None, None))
    return Code(code, entry[0], entry[1], entry[2] if len(entry) > 2 else None, title_zh=title_zh, title_en=title_en)


#: Every code that needs no catalogue to be known: code -> :class:`Code`, in reference order.
CODES: Mapping[str, Code] = MappingProxyType({code: _code(code, entry) for code, entry in _TABLE.items()})

#: Draft 2020-12 keywords that fail on their own (the others only apply subschemas, whose keywords then fail).
SCHEMA_KEYWORDS = frozenset({
    "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "format", "maxItems", "minItems", "uniqueItems", "contains",
    "maxProperties", "minProperties", "required", "dependentRequired", "additionalProperties",
    "unevaluatedProperties", "unevaluatedItems", "propertyNames", "not", "anyOf", "oneOf",
})


def keyword_code(keyword: str) -> str | None:
    """The code the record validator reports when JSON Schema ``keyword`` fails outside a catalogue rule.

    ``format`` reports the format's own code (``uscc.checksum``, ``record.date``...): None.

    >>> keyword_code('required'), keyword_code('additionalProperties'), keyword_code('maxItems')
    ('record.required', 'record.unknown_field', 'record.maxItems')
    """
    if keyword == "format":
        return None
    if keyword in ("additionalProperties", "unevaluatedProperties"):
        return "record.unknown_field"
    return f"record.{keyword}"


def _generic(code: str, keyword: str) -> Code:
    """The entry of a keyword that has no message of its own."""
    return Code(code, "不符合要求", f"fails {keyword}", origin="catalogue")


def keyword_entry(keyword: str) -> Code:
    """The entry whose messages the record validator gives when ``keyword`` fails (not ``format``).

    >>> keyword_entry('minItems').messages(expected=1)
    ('至少需要1项', 'needs at least 1 item(s)')
    """
    code = keyword_code(keyword) or f"record.{keyword}"
    return CODES.get(code) or registry().get(code) or _generic(code, keyword)


_NAMED_SCHEMAS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})
_SUBSCHEMAS = frozenset({"items", "prefixItems", "allOf", "anyOf", "oneOf", "not", "then", "else", "contains",
                         "additionalProperties", "propertyNames", "unevaluatedItems", "unevaluatedProperties"})


def _keywords(schema: Any) -> Iterator[tuple[str, Any]]:
    """Every (keyword, value) of a schema and of its subschemas that can fail (not a property name, not an ``if``)."""
    stack = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        for key, value in item.items():
            yield key, value
            if key in _NAMED_SCHEMAS and isinstance(value, dict):
                stack.extend(value.values())
            elif key in _SUBSCHEMAS:
                stack.append(value)


def _catalogue_codes() -> dict[str, Code]:
    """``rule.<x-rule>`` of every class conditional and ``record.<keyword>`` of every keyword the classes use."""
    from creditstd.records import loader  # here: the identifier library never loads the catalogue

    found: dict[str, Code] = {}
    rules: dict[str, tuple[list[str], list[str]]] = {}
    for name in loader.class_names():
        schema = loader.inlined_class_schema(name)
        for conditional in schema.get("allOf", ()):
            zh, en = rules.setdefault(f"rule.{conditional['x-rule']}", ([], []))
            for texts, message in ((zh, conditional["x-message-zh"]), (en, conditional["x-message-en"])):
                if message not in texts:
                    texts.append(message)
        for keyword, value in _keywords(schema):
            code = keyword_code(keyword) if keyword in SCHEMA_KEYWORDS and value is not True else None
            if code and code not in CODES:
                found[code] = _generic(code, keyword)
    for code, (zh, en) in rules.items():
        if code not in CODES:
            found[code] = Code(code, "；".join(zh), "; ".join(en), origin="catalogue")
    return dict(sorted(found.items()))


def _provided_codes() -> dict[str, Code]:
    """The codes of :data:`_PROVIDERS`."""
    found: dict[str, Code] = {}
    for module, attribute in _PROVIDERS:
        if importlib.util.find_spec(module) is None:
            continue
        for code, (zh, en) in getattr(importlib.import_module(module), attribute).items():
            found[code] = Code(code, zh, en, origin="provided")
    return found


@functools.cache
def registry() -> Mapping[str, Code]:
    """Every code: :data:`CODES`, those of the modules that keep their own templates (the input readers'), and
    those derived from the installed catalogue (loaded on first call)."""
    return MappingProxyType({**CODES, **_provided_codes(), **_catalogue_codes()})


def lookup(code: str) -> Code:
    """The entry of ``code`` (:data:`CODES` first, the catalogue only when needed); KeyError when unknown."""
    entry = CODES.get(code)
    return entry if entry is not None else registry()[code]


def is_registered(code: str) -> bool:
    """Whether ``code`` is in the registry."""
    return code in CODES or code in registry()
