"""Synthetic records of any catalogue class: realistic, valid, reproducible, optionally broken on purpose.

The generator reads everything from the class's JSON Schema: field kinds and
formats, roles, code tables, maximum lengths, the ``allOf`` conditionals and
the named ``x-rules``.  For each record it picks the subject category first,
builds a coherent subject (a company whose USCC, embedded organisation code
and registration number share one region; a person with a valid citizen ID;
an individual business, now and then with the USCC placeholder and then its
registration number), an authority with a USCC of a government organ (登记
管理部门 1, 机构类别 1), dates in the order the rules ask and never after
``on``, then fills every field a conditional asks for once its ``if`` holds.
Optional fields appear with some probability; fields that make no sense for
the subject (a legal representative for a natural person) never do.  Every
record returned as valid passes ``validator(class_name, strict=True)``.

With ``error_rate`` about that share of the records is broken in exactly one
way, chosen among the breakages that apply (a bad check character, a missing
required field, a conditional left unmet, an impossible date, a value outside
its code table, dates out of order...); ``broken`` is the error code the
validator reports for it.

>>> from creditstd.catalogue import validator
>>> records = list(fake_records('administrative_penalty', 3, seed=7))
>>> check = validator('administrative_penalty', strict=True)
>>> all(check.is_valid(item.record) for item in records), {item.broken for item in records}
(True, {None})
>>> [item.record for item in fake_records('administrative_penalty', 3, seed=7)] == [r.record for r in records]
True

The writers stream: one record at a time goes out as a JSON line, a CSV row
or an XML ``<Record>`` element.
"""

from __future__ import annotations

import copy
import csv
import functools
import json
import math
import random
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import IO, Any

from faker import Faker
from jsonschema import Draft202012Validator

from creditstd.codes import orgcode, regions, regno, ric, uscc
from creditstd.records import loader
from creditstd.records.model import RecordClass, record_class
from creditstd.records.validation import validator

try:  # the regular-expression parser, to make strings that match a field's pattern
    from re import _parser as _sre  # Python 3.11+
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre  # type: ignore[no-redef]

__all__ = ["FakeRecord", "column_names", "fake_records", "write_csv", "write_jsonl", "write_xml"]

LEGAL, NATURAL, INDIVIDUAL, GOVERNMENT = "法人及非法人组织", "自然人", "个体工商户", "政府机构"
_SUBJECT_TYPES = {"legal_person": LEGAL, "natural_person": NATURAL, "individual_business": INDIVIDUAL,
                  "government": GOVERNMENT}
_SUBJECT_WEIGHTS = {LEGAL: 0.55, NATURAL: 0.25, INDIVIDUAL: 0.2, GOVERNMENT: 0.05}
#: Roles of the subject's own fields; the subject profile answers them.
_SUBJECT_ROLES = ("subject_name", "subject_category", "uscc", "orgcode", "regno", "id_type", "id_number")
_ORG_ROLES = frozenset({"uscc", "orgcode", "regno"})
_PERSON_ROLES = frozenset({"id_type", "id_number"})
#: Fields of an organisation's own profile (the subject has them, or the field is left out) ...
_ORG_KEYS = re.compile(r"^(legal_representative|tax_registration|public_institution|social_organisation)")
#: ... and fields that only make sense for an organisation.
_ORG_ONLY = re.compile(r"^(registered_capital|business_scope|enterprise_type|establish|employees|shareholder)")
_PERSON_KEYS = re.compile(r"^(sex|gender|birth_date|nationality|ethnicity)$")
#: Status values meaning "not decided yet": decision fields stay empty.
_PENDING = frozenset({"处理中", "办理中", "审核中", "待处理", "受理中"})
_FUTURE_KEYS = re.compile(r"(end|until|valid_to|expir|deadline|_to$)")
_OPTIONAL_SHARE = 0.55
_ID_TYPE_WEIGHTS = {"身份证": 0.9, "护照号": 0.03, "港澳居民来往内地通行证": 0.03, "台湾居民来往大陆通行证": 0.02,
                    "外国人永久居留身份证": 0.02}
_PROVINCE_ABBR = {f"{code}": abbr for code, abbr in zip(
    (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
     64, 65), "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔滇藏陕甘青宁新", strict=True)}


@dataclass(frozen=True)
class FakeRecord:
    """One synthetic record; ``broken`` is the error code it was deliberately given, or None."""

    record: dict
    broken: str | None


# ---------------------------------------------------------------------------------------------- domain data


@dataclass(frozen=True)
class _Violation:
    kind: str
    act: str
    law: str
    violated: str
    penalised: str
    penalties: tuple[str, ...]


@dataclass(frozen=True)
class _Licence:
    certificate: str
    category: str
    content: str
    prefix: str


@dataclass(frozen=True)
class _Dept:
    name: str
    abbr: str
    sector: str
    violations: tuple[_Violation, ...] = ()
    licences: tuple[_Licence, ...] = ()


_DEPARTMENTS = (
    _Dept("市场监督管理局", "市监", "food_drugs", (
        _Violation("销售不符合食品安全标准的食品", "销售超过保质期的预包装食品", "《中华人民共和国食品安全法》",
                   "第三十四条第（十）项", "第一百二十四条第一款第（五）项", ("罚款", "没收违法所得")),
        _Violation("虚假宣传", "在经营场所及网络店铺对商品的性能、功能作虚假的商业宣传",
                   "《中华人民共和国反不正当竞争法》", "第八条第一款", "第二十条第一款", ("罚款",)),
        _Violation("未按规定明码标价", "销售商品未按照规定明码标价", "《中华人民共和国价格法》",
                   "第十三条第一款", "第四十二条", ("警告", "罚款")),
        _Violation("销售侵犯注册商标专用权的商品", "销售侵犯他人注册商标专用权的商品", "《中华人民共和国商标法》",
                   "第五十七条第（三）项", "第六十条第二款", ("没收非法财物", "罚款")),
        _Violation("无照经营", "未依法取得营业执照擅自从事经营活动", "《无证无照经营查处办法》",
                   "第二条", "第十三条", ("没收违法所得", "罚款")),
    ), (
        _Licence("食品经营许可证", "普通", "预包装食品（含冷藏冷冻食品）销售；散装食品（含熟食）销售", "JY1"),
        _Licence("特种设备使用登记证", "登记", "电梯、压力容器使用登记", "TS"),
    )),
    _Dept("生态环境局", "环", "environment_energy", (
        _Violation("超标排放大气污染物", "排放的大气污染物超过国家规定的排放标准",
                   "《中华人民共和国大气污染防治法》", "第十八条", "第九十九条第（二）项", ("罚款",)),
        _Violation("未批先建", "建设项目环境影响报告表未经批准擅自开工建设", "《中华人民共和国环境影响评价法》",
                   "第二十五条", "第三十一条第一款", ("罚款",)),
        _Violation("危险废物贮存不规范", "未按照规定设置危险废物识别标志",
                   "《中华人民共和国固体废物污染环境防治法》", "第七十七条", "第一百一十二条第一款第（一）项",
                   ("罚款",)),
    ), (
        _Licence("排污许可证", "普通", "按照排污许可证载明的污染物种类、浓度和排放量排放污染物", "PW"),
    )),
    _Dept("应急管理局", "应急", "production_safety", (
        _Violation("未按规定开展安全生产教育和培训", "未如实记录从业人员安全生产教育和培训情况",
                   "《中华人民共和国安全生产法》", "第二十八条第四款", "第九十七条第（四）项", ("警告", "罚款")),
        _Violation("未对重大危险源登记建档", "未对重大危险源登记建档并进行定期检测、评估和监控",
                   "《中华人民共和国安全生产法》", "第四十条第一款", "第一百零一条第（二）项",
                   ("罚款", "责令停产停业")),
    ), (
        _Licence("安全生产许可证", "特许", "非煤矿山开采（建筑用石料）", "AX"),
    )),
    _Dept("交通运输局", "交", "transport", (
        _Violation("未取得道路运输经营许可擅自从事道路运输经营", "未取得道路运输经营许可擅自从事道路普通货物运输经营",
                   "《中华人民共和国道路运输条例》", "第二十四条", "第六十三条", ("没收违法所得", "罚款")),
        _Violation("车辆超限运输", "驾驶货运车辆违法超限运输", "《公路安全保护条例》", "第三十三条", "第六十四条",
                   ("罚款",)),
    ), (
        _Licence("道路运输经营许可证", "普通", "道路普通货物运输；货物专用运输（集装箱）", "YS"),
    )),
    _Dept("卫生健康委员会", "卫", "health", (
        _Violation("未取得医疗机构执业许可证擅自执业", "未取得《医疗机构执业许可证》擅自开展诊疗活动",
                   "《医疗机构管理条例》", "第十四条", "第四十三条", ("没收违法所得", "没收非法财物", "罚款")),
        _Violation("公共场所卫生不合格", "公共场所卫生质量不符合国家卫生标准和要求", "《公共场所卫生管理条例》",
                   "第三条", "第十四条第一款", ("警告", "罚款")),
    ), (
        _Licence("医疗机构执业许可证", "普通", "诊疗科目：内科；外科；预防保健科", "YL"),
        _Licence("公共场所卫生许可证", "普通", "住宿业（宾馆）", "WS"),
    )),
    _Dept("住房和城乡建设局", "建", "construction", (
        _Violation("未取得施工许可证擅自施工", "建设工程未取得施工许可证擅自开工建设", "《建筑法》",
                   "第七条", "第六十四条", ("罚款",)),
    ), (
        _Licence("建筑工程施工许可证", "普通", "住宅楼及配套设施工程施工", "SG"),
    )),
)
_CREDIT_DEPT = _Dept("发展和改革委员会", "发改", "enterprise_integrity")
_SHOPS = ("餐饮店", "小吃店", "便利店", "五金店", "水果店", "日用品商行", "理发店", "副食品店", "汽车修理部",
          "服装店", "烟酒商行", "干洗店")
_INSTITUTIONS = ("第一人民医院", "中心医院", "第二中学", "实验小学", "疾病预防控制中心", "图书馆", "职业技术学校")
_ASSOCIATIONS = ("餐饮行业协会", "物流协会", "计算机学会", "个体劳动者协会", "慈善总会", "建筑业协会")
_TEXTS: dict[str, tuple[str, ...]] = {
    "refusal": ("申请材料不齐全，未提供已履行行政处罚决定的证明材料", "尚未满足最短公示期限要求",
                "申请人在修复期内再次受到行政处罚", "整改情况经核查未到位"),
    "reason": ("公示的行政处罚信息已履行完毕，申请停止公示", "公示信息中的统一社会信用代码有误",
               "该行政处罚决定已被依法撤销", "公示的主体名称与本单位登记信息不符", "同一行政处罚信息被重复公示"),
    "measure": ("已全额缴纳罚款，完成整改并提交信用修复承诺书", "已履行行政处罚决定规定的义务，整改到位并通过现场核查",
                "已纠正违法行为、消除不良影响，并参加信用修复专题培训"),
    "remark": ("无", "信息来源于部门报送", "已核实"),
    "generic": ("详见相关文书", "已按规定办理", "经核查属实", "按有关规定执行"),
}
#: Texts by field name (first matching pattern wins); {city} {place} {year} {company} are filled in.
_KEYWORD_TEXTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"refusal", _TEXTS["refusal"]),
    (r"removal_reason", ("已补报未报年份的年度报告并公示", "已履行相关义务，申请移出", "经核查列入事由已消除",
                         "列入期限届满，依法移出")),
    (r"(listing|inclusion)_reason", ("有履行能力而拒不履行生效法律文书确定的义务", "虚开增值税专用发票",
                                     "提供虚假材料谋取中标", "克扣、无故拖欠农民工工资数额较大")),
    (r"reason", _TEXTS["reason"]),
    (r"punishment", ("限制高消费；限制参加政府采购活动", "限制申请财政性资金项目", "依法依规实施联合惩戒")),
    (r"measure", _TEXTS["measure"]),
    (r"remark", _TEXTS["remark"]),
    (r"breach", ("未按合同约定期限交付货物，经催告后仍未履行", "未按约定支付合同价款",
                 "承诺事项未按期兑现，经核查未履约")),
    (r"honour_name", ("守合同重信用企业", "诚信经营示范单位", "纳税信用A级纳税人", "劳动关系和谐企业", "诚信之星")),
    (r"honour_content", ("在诚信经营、守法履约方面表现突出，予以表彰", "连续三年无违法失信记录，授予荣誉称号")),
    (r"commitment_matter", ("申请办理食品经营许可", "申请信用修复", "申请政府补助资金", "参加政府采购活动")),
    (r"commitment_content", ("本单位承诺所提交的申请材料真实、合法、有效，如有虚假，愿承担相应法律责任并接受失信惩戒",
                             "承诺在规定期限内补齐申请材料，逾期未补齐的，自愿撤回申请")),
    (r"contract_name", ("{place}道路改造工程施工合同", "{city}办公设备采购合同", "{place}物业管理服务合同",
                        "{city}信息化系统运维服务合同")),
    (r"contract_type", ("买卖合同", "建设工程合同", "技术服务合同", "租赁合同", "委托合同")),
    (r"^cause$", ("买卖合同纠纷", "民间借贷纠纷", "劳动争议", "建设工程施工合同纠纷", "金融借款合同纠纷")),
    (r"judgement_summary", ("判决被告于本判决生效之日起十日内支付货款及逾期付款利息", "驳回原告的全部诉讼请求",
                            "准许原告撤回起诉", "终结本次执行程序")),
    (r"obligation", ("支付申请执行人货款及利息", "支付拖欠的劳动报酬", "返还借款本金及利息")),
    (r"qualification_name", ("律师执业资格", "中级会计师", "执业药师", "一级注册消防工程师", "高级工程师", "导游资格")),
    (r"level$", ("初级", "中级", "高级")),
    (r"registration_business_type", ("设立登记", "变更登记", "备案")),
    (r"business_scope", ("一般项目：技术服务、技术开发、技术咨询；软件开发；日用百货销售",
                         "许可项目：食品经营；一般项目：农副产品销售", "普通货物道路运输；仓储服务（不含危险化学品）")),
    (r"currency", ("人民币",)),
    (r"economic_type_code", ("110", "159", "173", "190")),
    (r"organisation_type", ("有限责任公司", "股份有限公司", "个体工商户", "事业单位", "机关")),
    (r"facts", ("经查，当事人于{year}年存在上述失信行为，事实清楚、证据确凿", "经核查，该单位未按约定履行相关义务")),
    (r"basis", ("《中华人民共和国行政处罚法》第二十八条", "《社会信用体系建设规划纲要（2014—2020年）》")),
    (r"^grade$", ("A", "B", "C")),
    (r"position", ("局长", "副局长", "科长", "主任")),
    (r"accountability", ("诫勉谈话", "通报批评", "警告处分", "记过处分")),
)
#: Serious-dishonesty lists: listing reason, basis and measures by list code.
_LISTS = {
    "dishonest_judgment_debtors": ("有履行能力而拒不履行生效法律文书确定的义务",
                                   "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第（一）项",
                                   "限制高消费；限制乘坐飞机、列车软卧"),
    "major_tax_violation": ("虚开增值税专用发票", "《重大税收违法失信主体信息公布管理办法》第六条",
                            "纳税信用级别直接判为D级；依法限制出境"),
    "government_procurement": ("提供虚假材料谋取中标、成交", "《中华人民共和国政府采购法》第七十七条",
                               "一至三年内禁止参加政府采购活动"),
    "market_regulation": ("因食品安全违法行为受到较重行政处罚", "《市场监督管理严重违法失信名单管理办法》第九条",
                          "列入重点监管对象，提高检查频次；不得担任法定代表人"),
    "production_safety": ("发生较大生产安全事故并负有责任", "《安全生产严重失信主体名单管理办法》第七条",
                          "加大执法检查频次；限制参与评先评优"),
    "wage_arrears": ("克扣、无故拖欠农民工工资数额较大", "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条",
                     "限制政府资金支持；限制市场准入"),
    "statistics": ("提供不真实统计资料", "《中华人民共和国统计法》第四十一条", "限制申请政府补贴；公开曝光"),
    "internet_blacklist": ("利用网络发布虚假信息，情节严重", "《中华人民共和国网络安全法》第十二条", "限制网络服务"),
    "social_assistance_blacklist": ("采取虚报、隐瞒、伪造等手段骗取社会救助资金", "《社会救助暂行办法》第六十八条",
                                    "追回骗取的救助资金；限制享受社会救助"),
    "customs_dishonest_enterprises": ("走私违法行为", "《中华人民共和国海关注册登记和备案企业信用管理办法》第十二条",
                                      "提高查验率；加强稽查"),
}
#: Departments some code values belong to (a tax rating comes from the tax bureau).
_VALUE_DEPTS = {
    "tax": "税务局", "major_tax_violation": "税务局", "customs": "海关", "customs_dishonest_enterprises": "海关",
    "environment": "生态环境局", "labour": "人力资源和社会保障局", "wage_arrears": "人力资源和社会保障局",
    "highway_construction": "交通运输局", "construction": "住房和城乡建设局", "statistics": "统计局",
    "government_procurement": "财政局", "market_regulation": "市场监督管理局", "production_safety": "应急管理局",
    "internet_blacklist": "互联网信息办公室", "social_assistance_blacklist": "民政局", "律师": "司法局",
    "教师": "教育局", "医师": "卫生健康委员会", "dishonest_judgment_debtors": "中级人民法院",
}
_DEPT_ABBR = {
    **{dept.name: dept.abbr for dept in (*_DEPARTMENTS, _CREDIT_DEPT)}, "税务局": "税", "海关": "关",
    "人力资源和社会保障局": "人社", "统计局": "统", "财政局": "财", "民政局": "民", "司法局": "司", "教育局": "教",
    "互联网信息办公室": "网信", "人民政府": "政", "人民法院": "法",
}
_RESULTS = {
    "已更正": "经核查，原记录确有错误，已予更正", "已删除": "经核查，该记录不应公示，已删除",
    "维持原记录": "经核查，原记录准确无误，维持原记录", "已撤回": "申请人主动撤回异议申请",
    "准予修复": "符合信用修复条件，准予修复并停止公示", "不予修复": "不符合信用修复条件，不予修复",
}


# ---------------------------------------------------------------------------------------------- regions


@dataclass(frozen=True)
class _City:
    name: str
    code: str
    counties: tuple[str, ...]

    @property
    def short(self) -> str:
        return self.name[:-1] if self.name.endswith("市") and len(self.name) > 2 else self.name


@functools.cache
def _cities() -> tuple[_City, ...]:
    """Prefecture-level cities (and the four municipalities) with their current county-level codes."""
    issued = [code for code in regions.issued_codes(current_only=True) if regions.lookup(code).name != "市辖区"]
    below: dict[str, list[str]] = {}
    for code in issued:
        below.setdefault(code[:4], []).append(code)
        below.setdefault(code[:2], []).append(code)
    cities = []
    for code in regions.current_codes():
        region = regions.lookup(code)
        if code[:2] in ("11", "12", "31", "50"):
            if region.level == "province":
                cities.append(_City(region.name, code, tuple(below[code[:2]])))
        elif region.level == "prefecture" and region.name.endswith(("市", "州", "盟", "地区")):
            counties = below.get(code[:4]) or ([code] if code in issued else [])
            if counties:
                cities.append(_City(region.name, code, tuple(counties)))
    return tuple(cities)


def _county_name(city: _City, county: str) -> str:
    name = regions.lookup(county).name
    if county == city.code:
        return name
    return f"{city.name}{name}" if name.endswith("区") else name


def _short(name: str) -> str:
    for suffix in ("自治县", "县", "区", "市", "旗"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


# ---------------------------------------------------------------------------------------------- class plan


def _formats(schema: Mapping[str, Any]) -> list[str]:
    found = [schema["format"]] if "format" in schema else []
    for alternative in [*schema.get("anyOf", ()), *schema.get("oneOf", ())]:
        found += _formats(alternative)
    return found


def _enum(schema: Mapping[str, Any]) -> list[Any]:
    """Values a code field takes: its enum, or the enums of its anyOf alternatives."""
    if "enum" in schema:
        return list(schema["enum"])
    if "const" in schema:
        return [schema["const"]]
    values: list[Any] = []
    for alternative in [*schema.get("anyOf", ()), *schema.get("oneOf", ())]:
        values += alternative.get("enum", [])
    return values


@dataclass
class _Plan:
    """What the generator needs to know about a class, read once from its schema."""

    cls: RecordClass
    schemas: dict[str, dict[str, Any]]
    required: list[str]
    conditional_only: list[str]
    conditionals: list[tuple[dict[str, Any], Any]]
    parents: dict[str, str]
    date_order: list[str]
    before: dict[str, list[str]]
    future_ok: list[str]
    today_bounded: list[str]
    kinds: list[tuple[str, str | None]]
    paired: list[str]
    departments: tuple[_Dept, ...]
    letter: str


class _Simple:
    """An ``if`` of the usual forms (required keys; per key const, enum, not-const, contains), checked fast."""

    def __init__(self, required: tuple[str, ...], tests: tuple[tuple[str, Callable[[Any], bool]], ...]) -> None:
        self.required, self.tests = required, tests

    def is_valid(self, record: Mapping[str, Any]) -> bool:
        return all(key in record for key in self.required) and all(
            key not in record or test(record[key]) for key, test in self.tests)


def _value_test(schema: Mapping[str, Any]) -> Callable[[Any], bool] | None:
    if set(schema) == {"const"}:
        return lambda value, const=schema["const"]: value == const and type(value) is type(const)
    if set(schema) == {"enum"}:
        return lambda value, options=tuple(schema["enum"]): value in options
    if set(schema) == {"not"}:
        inner = _value_test(schema["not"])
        return None if inner is None else (lambda value: not inner(value))
    if set(schema) == {"contains"}:
        inner = _value_test(schema["contains"])
        return None if inner is None else (lambda value: not isinstance(value, list) or any(map(inner, value)))
    return None


def _condition(schema: Mapping[str, Any]) -> Any:
    """A checker with ``is_valid(record)`` for an ``if`` schema: fast for the usual forms, else jsonschema."""
    if set(schema) <= {"properties", "required"}:
        tests = [(key, _value_test(sub)) for key, sub in schema.get("properties", {}).items()]
        if all(test is not None for _, test in tests):
            return _Simple(tuple(schema.get("required", ())), tuple(tests))  # type: ignore[arg-type]
    return Draft202012Validator(schema, registry=loader.registry())


def _resolve(spec: Mapping[str, Any], base: str) -> dict[str, Any]:
    if "$ref" not in spec:
        return dict(spec)
    target = loader.registry().resolver(base_uri=base).lookup(spec["$ref"]).contents
    return {**_resolve(target, base), **{key: value for key, value in spec.items() if key != "$ref"}}


@functools.cache
def _plan(class_name: str) -> _Plan:
    cls = record_class(class_name)
    schema = loader.class_schema(class_name)
    schemas = {key: _resolve(spec, cls.schema_id) for key, spec in schema["properties"].items()}
    required = [key for key in schemas if key in schema.get("required", ())]
    conditionals = [(cond, _condition(cond["if"])) for cond in schema.get("allOf", ()) if "if" in cond]
    # A field a conditional asks for when some value holds (a fine amount for a fine) appears only then;
    # one asked for by the mere presence of another (removal reason with removal date) appears now and then.
    then_required = [key for cond, _ in conditionals if cond["if"].get("properties")
                     for key in cond.get("then", {}).get("required", ())]
    conditional_only = [key for key in schemas if key in then_required and key not in required]
    paired = [key for cond, _ in conditionals if not cond["if"].get("properties")
              for key in (*cond["if"].get("required", ()), *cond.get("then", {}).get("required", ()))]
    parents = {}
    for key in schemas:
        owners = [other for other in schemas if other != key and key.startswith(other + "_")]
        if owners:
            parents[key] = max(owners, key=len)
    # Dates: the rules' order (field <= other), and every other date after the class's main date.
    dates = [key for key, spec in schemas.items() if "date" in _formats(spec)]
    before: dict[str, list[str]] = {key: [] for key in dates}
    today_bounded = []
    for rule in cls.rules:
        if rule["rule"] != "date_not_after" or rule["field"] not in before:
            continue
        if rule["other"] == "today":
            today_bounded.append(rule["field"])
        elif rule["other"] in before:
            before[rule["other"]].append(rule["field"])

    def reaches(start: str, goal: str) -> bool:
        todo, seen = [start], set()
        while todo:
            node = todo.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                todo += before[node]
        return False

    decision = cls.field_by_role("decision_date")
    anchor = (decision.key if decision and decision.key in before else
              today_bounded[0] if today_bounded else dates[0] if dates else None)
    for key in dates:
        if key != anchor and not reaches(key, anchor) and not reaches(anchor, key):
            before[key].append(anchor)
    order: list[str] = []
    while len(order) < len(dates):
        ready = [key for key in dates if key not in order and all(p in order for p in before[key])]
        if not ready:
            raise RuntimeError(f"{class_name}: the date rules form a cycle")
        order += ready[:1]
    future_ok = [key for key in dates if key not in today_bounded and (
        _FUTURE_KEYS.search(key) or cls.fields[key].role in ("restriction_end", "publication_end"))]
    category_field = cls.field_by_role("subject_category")
    allowed = [_SUBJECT_TYPES[code] for code in cls.classification.get("subject_types", ()) if code in _SUBJECT_TYPES]
    kinds: list[tuple[str, str | None]]
    if category_field is not None:
        options = _enum(schemas[category_field.key])
        kinds = [(value, value) for value in options if value in allowed]
        if GOVERNMENT in allowed and LEGAL in options:
            kinds.append((GOVERNMENT, LEGAL))
        kinds = kinds or [(value, value) for value in options]
    else:
        kinds = [(kind, None) for kind in dict.fromkeys(allowed)] or [(LEGAL, None)]
    keys = " ".join(schemas)
    market = tuple(dept for dept in _DEPARTMENTS if dept.name == "市场监督管理局")
    if any(word in cls.zh for word in ("登记", "经营异常")):
        departments = market
    elif cls.field_by_role("penalty_types") or "violation" in keys:
        departments = tuple(dept for dept in _DEPARTMENTS if dept.violations)
    elif "licence" in keys or "permit" in keys:
        departments = tuple(dept for dept in _DEPARTMENTS if dept.licences)
    elif any(word in cls.zh for word in ("异议", "修复", "承诺", "政务", "合同", "荣誉", "名单", "评价")):
        departments = (_CREDIT_DEPT,)
    else:
        departments = _DEPARTMENTS
    letter = next((short for word, short in (("处罚", "罚"), ("许可", "许"), ("异议", "异"), ("修复", "修"),
                                             ("承诺", "诺"), ("强制", "强"), ("检查", "检")) if word in cls.zh),
                  cls.zh[0])
    return _Plan(cls, schemas, required, conditional_only, conditionals, parents, order, before, future_ok,
                 today_bounded, kinds, paired, departments, letter)


# ---------------------------------------------------------------------------------------------- regex strings


def _from_pattern(pattern: str, rng: random.Random) -> str:
    """A string matching ``pattern`` (the subset of regular expressions schemas use)."""
    return "".join(_emit(_sre.parse(pattern), rng))


def _emit(parsed: Any, rng: random.Random) -> Iterator[str]:
    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL":
            yield chr(arg)
        elif name == "ANY":
            yield rng.choice("ABCDEFGHJKLMNPQRTUWXY0123456789")
        elif name == "IN":
            yield _one_of(arg, rng)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            for _ in range(rng.randint(low, min(high, low + 6))):
                yield from _emit(sub, rng)
        elif name == "SUBPATTERN":
            yield from _emit(arg[-1], rng)
        elif name == "BRANCH":
            yield from _emit(rng.choice(arg[1]), rng)
        elif name == "CATEGORY":
            yield _category(str(arg), rng)
        elif name not in ("AT", "ASSERT", "ASSERT_NOT"):
            raise ValueError(f"cannot generate a string for regular expression element {name}")


def _category(name: str, rng: random.Random) -> str:
    if "DIGIT" in name:
        return rng.choice("0123456789")
    if "SPACE" in name:
        return " "
    return rng.choice("abcdefghijkmnpqrstuvwxyz")


def _one_of(items: list[tuple[Any, Any]], rng: random.Random) -> str:
    if items and str(items[0][0]) == "NEGATE":
        excluded = [chr(arg) for op, arg in items if str(op) == "LITERAL"]
        return rng.choice([char for char in "ABCDEFGHJKLMN0123456789" if char not in excluded])
    op, arg = rng.choice(items)
    name = str(op)
    if name == "LITERAL":
        return chr(arg)
    if name == "RANGE":
        return chr(rng.randint(arg[0], min(arg[1], arg[0] + 2000)))
    return _category(str(arg), rng)


# ---------------------------------------------------------------------------------------------- the generator


@dataclass
class _Org:
    name: str
    uscc: str
    code: str


class _Draft:
    """One record being made: its subject, authority, dates, and field values computed on demand."""

    def __init__(self, gen: _Generator) -> None:
        self.gen = gen
        rng = gen.rng
        self.city = rng.choice(_cities())
        self.county = rng.choice(self.city.counties)
        self.dept = rng.choice(gen.plan.departments)
        self.violation = rng.choice(self.dept.violations) if self.dept.violations else None
        self.licence = rng.choice(self.dept.licences) if self.dept.licences else None
        self.kind, self.category = gen.choose_kind()
        self.dates = gen.plan_dates()
        self.values: dict[str, Any] = {}
        self.orgs: dict[str, _Org] = {}
        self.subject = gen.subject(self)

    @property
    def authority(self) -> _Org:
        """The deciding authority; a court where the class names one, else a department of the city or county."""
        if "authority" not in self.orgs:
            dept = next((_VALUE_DEPTS[value] for value in self.values.values()
                         if isinstance(value, str) and value in _VALUE_DEPTS), None)
            if dept is None and "court" in self.gen.plan.schemas:
                dept = "中级人民法院"
            self.orgs["authority"] = self.gen.authority(self, dept or self.dept.name)
        return self.orgs["authority"]

    @property
    def source(self) -> _Org:
        if "source" not in self.orgs:
            self.orgs["source"] = self.authority if self.gen.rng.random() < 0.7 else self.gen.organ(
                self.city.name, self.city.code, "发展和改革委员会")
        return self.orgs["source"]

    def org(self, prefix: str) -> _Org:
        """The organisation a pair of fields ``<prefix>`` / ``<prefix>_uscc`` describes."""
        if prefix.endswith(("authority", "court", "organ", "agency", "department")) or prefix in ("issuer",):
            return self.authority
        if "source" in prefix:
            return self.source
        if prefix not in self.orgs:
            gen = self.gen
            if "supervis" in prefix:
                self.orgs[prefix] = gen.organ(self.city.name, self.city.code, "人民政府")
            else:
                self.orgs[prefix] = _Org(gen.fake.company(), uscc.generate(authority="9", category="1",
                                                                           region=self.county, rng=gen.rng),
                                         self.county)
        return self.orgs[prefix]

    def __getitem__(self, key: str) -> Any:
        if key not in self.values:
            self.values[key] = self.gen.value(key, self)
        return self.values[key]

    @property
    def year(self) -> int:
        main = self.gen.plan.date_order
        return self.dates[main[0]].year if main else self.gen.on.year


class _Generator:
    def __init__(self, class_name: str, seed: int | None, on: date) -> None:
        self.plan = _plan(class_name)
        self.cls = self.plan.cls
        self.check = validator(class_name, strict=True)
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(self.rng.getrandbits(64))
        self.on = on

    # -- pieces of a record

    def choose_kind(self) -> tuple[str, str | None]:
        options = self.plan.kinds
        return self.rng.choices(options, [_SUBJECT_WEIGHTS.get(kind, 0.1) for kind, _ in options])[0]

    def plan_dates(self) -> dict[str, date]:
        rng, plan = self.rng, self.plan
        base = self.on - timedelta(days=rng.randint(20, 4 * 365))
        dates: dict[str, date] = {}
        for key in plan.date_order:
            lower = max((dates[other] for other in plan.before[key]), default=None)
            if key in plan.future_ok:
                span = (30, 365) if "deadline" in key else (180, 5 * 365)
                dates[key] = (lower or base) + timedelta(days=rng.randint(*span))
            elif lower is None:
                dates[key] = base - timedelta(days=rng.randint(0, 60))
            else:
                dates[key] = max(lower, min(lower + timedelta(days=rng.randint(0, 30)), self.on))
        return dates

    def person_id(self, schema: Mapping[str, Any], county: str, sex: str | None = None) -> tuple[str, str]:
        rng = self.rng
        allowed = [value for value in _enum(schema) if value in _ID_TYPE_WEIGHTS] or ["身份证"]
        kind = rng.choices(allowed, [_ID_TYPE_WEIGHTS[value] for value in allowed])[0]
        digits = "".join(rng.choice("0123456789") for _ in range(8))
        born = {"birth_from": self.on.replace(year=self.on.year - 70, day=1),
                "birth_to": self.on.replace(year=self.on.year - 18, day=1), "sex": sex, "rng": rng}
        if kind == "身份证":
            number = ric.generate(region=county, **born)
        elif kind == "外国人永久居留身份证":
            number = ric.generate(kind="foreigner_pr", region=county[:2] + "0000", **born)
        elif kind == "护照号":
            number = "E" + digits
        elif kind == "港澳居民来往内地通行证":
            number = rng.choice("HM") + digits
        else:
            number = digits
        return kind, number

    def subject(self, draft: _Draft) -> dict[str, Any]:
        rng, fake, city, county = self.rng, self.fake, draft.city, draft.county
        id_schema = next((self.plan.schemas[f.key] for f in self.cls.fields.values() if f.role == "id_type"),
                         {"enum": list(_ID_TYPE_WEIGHTS)})
        rep_schema = self.plan.schemas.get("legal_representative_id_type", id_schema)
        found: dict[str, Any] = {"subject_category": draft.category} if draft.category else {}
        uscc_field = self.cls.field_by_role("uscc")
        placeholder_ok = uscc_field is not None and uscc.PLACEHOLDER in _enum(self.plan.schemas[uscc_field.key])
        if draft.kind == GOVERNMENT:
            place, code = (draft.city.name, draft.city.code) if rng.random() < 0.5 else (
                _county_name(city, county), county)
            organ = self.organ(place, code, rng.choice(["人民政府", *(dept.name for dept in _DEPARTMENTS)]))
            found.update(subject_name=organ.name, uscc=organ.uscc, orgcode=organ.uscc[8:17],
                         legal_representative=fake.name(), level="市级" if code == city.code else "县级", region=code,
                         organisation_type="机关")
            return found
        if draft.kind == NATURAL:
            sex = rng.choice("MF")
            found["subject_name"] = fake.name_male() if sex == "M" else fake.name_female()
            found["id_type"], found["id_number"] = self.person_id(id_schema, county, sex)
            return found
        place = _short(regions.lookup(county).name)
        if draft.kind == INDIVIDUAL:
            found["subject_name"] = f"{_county_name(city, county)}{fake.last_name()}记{rng.choice(_SHOPS)}"
            found["uscc"] = uscc.PLACEHOLDER if placeholder_ok and rng.random() < 0.15 else uscc.generate(
                authority="9", category="2", region=county, rng=rng)
            found["regno"] = regno.generate(region=county, ownership="individual business", rng=rng)
        else:
            kind = rng.choices(["enterprise", "cooperative", "institution", "association"], [85, 4, 6, 5])[0]
            pair = {"enterprise": ("9", "1"), "cooperative": ("9", "3"), "institution": ("1", "2"),
                    "association": ("5", "1")}[kind]
            found["uscc"] = uscc.generate(authority=pair[0], category=pair[1], region=county, rng=rng)
            if kind == "enterprise":
                company = fake.company()
                found["subject_name"] = f"{city.short}{company}" if rng.random() < 0.6 else company
                found["regno"] = regno.generate(region=county, ownership="domestic", rng=rng)
            elif kind == "cooperative":
                found["subject_name"] = (f"{place}{rng.choice(['丰收', '绿源', '兴农', '金穗', '富民'])}"
                                         f"{rng.choice(['种植', '养殖', '果蔬', '茶叶'])}专业合作社")
                found["regno"] = regno.generate(region=county, ownership="domestic", rng=rng)
            elif kind == "institution":
                found["subject_name"] = f"{city.name}{rng.choice(_INSTITUTIONS)}"
                found["public_institution_certificate"] = "1" + county[:4] + f"{rng.randint(0, 9_999_999):07d}"
            else:
                found["subject_name"] = f"{city.name}{rng.choice(_ASSOCIATIONS)}"
                found["social_organisation_certificate"] = (
                    f"{_PROVINCE_ABBR.get(county[:2], '')}民证字第{rng.randint(1, 99999):05d}号")
            found["orgcode"] = found["uscc"][8:17]
            found["tax_registration_number"] = (found["uscc"] if rng.random() < 0.5
                                                else found["uscc"][2:8] + found["uscc"][8:17])
            found["legal_representative"] = fake.name()
            found["legal_representative_id_type"], found["legal_representative_id_number"] = self.person_id(
                rep_schema, county)
            found["organisation_type"] = {"enterprise": "有限责任公司", "cooperative": "农民专业合作社",
                                          "institution": "事业单位", "association": "社会团体"}[kind]
        if draft.kind == INDIVIDUAL:
            found["organisation_type"] = "个体工商户"
            found["orgcode"] = found["uscc"][8:17] if found["uscc"] != uscc.PLACEHOLDER else None
            found = {key: value for key, value in found.items() if value is not None}
        return found

    def organ(self, place: str, code: str, dept: str) -> _Org:
        """A government organ: its name and a USCC of registration authority 1, category 1 (机关)."""
        return _Org(f"{place}{dept}", uscc.generate(authority="1", category="1", region=code, rng=self.rng), code)

    def authority(self, draft: _Draft, dept: str) -> _Org:
        city, county = draft.city, draft.county
        if dept == "中级人民法院":
            if self.rng.random() < 0.5 or county == city.code:
                return self.organ(city.name, city.code, dept)
            return self.organ(_county_name(city, county), county, "人民法院")
        if dept == "海关":
            return self.organ(city.short, city.code, dept)
        if self.rng.random() < 0.45 or county == city.code:
            return self.organ(city.name, city.code, dept)
        return self.organ(_county_name(city, county), county, dept)

    # -- one field

    def value(self, key: str, draft: _Draft) -> Any:
        """The value of field ``key``: by role, then by name, format, code table and type."""
        return self.make(key, self.plan.schemas[key], draft, self.cls.fields[key].role,
                         self.cls.fields[key].code_table)

    def make(self, key: str, schema: Mapping[str, Any], draft: _Draft, role: str | None = None,
             code_table: str | None = None) -> Any:
        rng, plan = self.rng, self.plan
        subject = draft.subject
        formats = _formats(schema)
        if role in _SUBJECT_ROLES and role in subject:
            return subject[role]
        if key in subject and role not in ("region",):
            return subject[key]
        if key in draft.dates:
            return draft.dates[key].isoformat()
        if role == "document_number":
            return self.document_number(key, draft)
        if role == "target_class":
            targets = [name for name in loader.class_names() if name != self.cls.name
                       and not record_class(name).references]
            return rng.choice(targets or [self.cls.name])
        if role == "target_record":
            target = self.cls.field_by_role("target_class")
            prefix = draft[target.key] if target else "administrative_penalty"
            return f"{prefix}:{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        if role == "penalty_types" or (schema.get("type") == "array" and key.startswith("penalty")):
            return self.penalty_types(schema, draft)
        if role == "sector" or "sector" in formats:
            allowed = self.cls.classification.get("sectors") or [s["code"] for s in loader.taxonomy()["sectors"]]
            return draft.dept.sector if draft.dept.sector in allowed else rng.choice(allowed)
        if "uscc" in formats and key.endswith("_uscc"):
            return draft.org(key[: -len("_uscc")]).uscc
        if "gb2260" in formats:
            return subject.get("region", draft.county)
        if key.endswith("_code") and schema.get("type") == "string" and not _enum(schema) and "pattern" not in schema \
                and schema.get("maxLength", 0) >= 18 and key[: -len("_code")] in plan.schemas:
            return draft.org(key[: -len("_code")]).uscc
        if schema.get("type") == "string" and not formats and "pattern" not in schema and not _enum(schema):
            text = self.text(key, draft)
            if text is not None:
                return _fit(text, schema)
        if "uscc" in formats:
            return uscc.generate(authority="9", category="1", region=draft.county, rng=rng)
        if "citizen-id" in formats:
            return ric.generate(region=draft.county, rng=rng)
        if "orgcode" in formats:
            return orgcode.generate(rng=rng)
        if "regno" in formats:
            return regno.generate(region=draft.county, rng=rng)
        if "masked-id" in formats:
            return ric.mask(ric.generate(region=draft.county, rng=rng))
        if role == "id_type" or code_table == "id_type":
            return self.person_id(schema, draft.county)[0]
        if key.endswith("id_number"):
            partner = key[: -len("id_number")] + "id_type"
            kind = draft[partner] if partner in plan.schemas else "身份证"
            return ric.generate(region=draft.county, rng=rng) if kind == "身份证" else self.person_id(
                {"enum": [kind]}, draft.county)[1]
        options = _enum(schema)
        if key == "licence_category" and draft.licence and draft.licence.category in options:
            return draft.licence.category
        if key.endswith("level") and subject.get("level") in options:
            return subject["level"]
        if options:
            return rng.choice(options)
        if code_table:
            table = loader.taxonomy()["code_tables"].get(code_table, {}).get("values", [])
            fitting = [entry["zh"] for entry in table if len(entry["zh"]) <= schema.get("maxLength", 10_000)]
            if fitting:
                return rng.choice(fitting)
        kind = schema.get("type")
        if kind in ("number", "integer"):
            return self.number(key, schema, kind, draft)
        if kind == "boolean":
            return rng.random() < (0.9 if "commitment" in key or "signed" in key else 0.3)
        if kind == "array":
            return self.array(key, schema, draft)
        if kind == "object":
            return self.object(schema, draft)
        if "pattern" in schema:
            return _fit(_from_pattern(schema["pattern"], rng), schema)
        return _fit(rng.choice(_TEXTS["generic"]), schema)

    def document_number(self, key: str, draft: _Draft) -> str:
        rng, year = self.rng, draft.year
        abbr = _PROVINCE_ABBR.get(draft.county[:2], "")
        if "case" in key:
            kind = rng.choice(["民初", "民终", "执", "执恢"])
            return f"（{year}）{abbr}{draft.county[:4]}{kind}{rng.randint(1, 9999)}号"
        if "certificate" in key or "contract" in key:
            prefix = "HT" if "contract" in key else ""
            return f"{prefix}{draft.county}{year}{rng.randint(0, 999_999):06d}"
        authority = draft.authority
        place = _short(regions.lookup(authority.code).name)
        dept = next((short for name, short in _DEPT_ABBR.items() if authority.name.endswith(name)), draft.dept.abbr)
        return f"{place}{dept}{self.plan.letter}〔{year}〕{rng.randint(1, 3000)}号"

    def text(self, key: str, draft: _Draft) -> str | None:
        rng, fake = self.rng, self.fake
        violation, licence = draft.violation, draft.licence
        if violation is not None:
            if key == "violation_type":
                return violation.kind
            if "facts" in key:
                day = draft.dates[self.plan.date_order[0]] - timedelta(days=rng.randint(30, 150)) \
                    if self.plan.date_order else self.on
                return (f"经查，当事人于{day.year}年{day.month}月{day.day}日{violation.act}，"
                        f"违反了{violation.law}{violation.violated}的规定。")
            if "basis" in key:
                return f"{violation.law}{violation.penalised}"
            if key == "penalty_content" or (key.endswith("content") and "penalty" in key):
                return self.penalty_content(draft)
        if licence is not None:
            number = f"{licence.prefix}{draft.county}{draft.year}{rng.randint(0, 99999):05d}"
            if key in ("licence_suspended_or_revoked",):
                return f"{licence.certificate}（编号：{number}）"
            if "title" in key and "document" in key:
                return f"{licence.certificate.removesuffix('证')}决定书"
            if key.startswith("certificate"):
                return licence.certificate
            if key.endswith("number") and "licence" in key:
                return number
            if key.endswith("content") and "licence" in key:
                return licence.content
        listed = next((draft[f.key] for f in self.cls.fields.values() if f.role == "list_code"), None)
        if listed in _LISTS:
            reason, basis, measures = _LISTS[listed]
            if "reason" in key and "removal" not in key:
                return reason
            if "basis" in key:
                return basis
            if "punishment" in key or "measure" in key:
                return measures
            if "facts" in key:
                name = self.text("list_name", draft) or "严重失信主体名单"
                return f"经查，当事人{reason}，情节严重，依法列入{name}。"
        if key.endswith("document_number") or key == "case_number":
            return self.document_number(key, draft)
        if key.startswith("shareholder"):
            return self.fake.name() if self.rng.random() < 0.6 else self.fake.company()
        if key.endswith("suspended_or_revoked"):
            return f"营业执照（注册号：{regno.generate(region=draft.county, rng=rng)}）"
        if key == "result" or key.endswith("_result"):
            status = [draft[f.key] for f in self.cls.fields.values()
                      if f.role and ("status" in f.role or "decision" in f.role) and _enum(self.plan.schemas[f.key])]
            return next((_RESULTS[value] for value in status if value in _RESULTS), "经核查，已按规定处理")
        if key.endswith("_name") and key[: -len("_name")] + "_code" in self.plan.schemas:
            sibling = key[: -len("_name")] + "_code"
            table = self.cls.fields[sibling].code_table
            code = draft[sibling]
            values = loader.taxonomy()["code_tables"].get(table or "", {}).get("values", [])
            found = next((entry["zh"] for entry in values if entry.get("code") == code), None)
            if found:
                return found
        if key == "grade_name" and "grade" in self.plan.schemas:
            return f"{draft['grade']}级"
        for pattern, texts in _KEYWORD_TEXTS:
            if re.search(pattern, key):
                return rng.choice(texts).format(city=draft.city.name, place=_county_name(draft.city, draft.county),
                                                year=draft.year)
        if "address" in key:
            return f"{regions.full_name(draft.county)}{fake.street_name()}{rng.randint(1, 300)}号"
        if "phone" in key or key.endswith("tel"):
            return fake.phone_number()
        if "email" in key:
            return fake.email()
        if key == "name" or key.endswith(("person", "persons", "contact", "representative")):
            return fake.name()
        if key.endswith("_name"):
            return draft.org(key[: -len("_name")]).name
        if key.endswith(("authority", "court", "organ", "agency", "department", "source", "unit", "organisation")):
            return draft.org(key).name
        return None

    def penalty_types(self, schema: Mapping[str, Any], draft: _Draft) -> list[str]:
        rng = self.rng
        allowed = _enum(schema.get("items", {}))
        base = list(draft.violation.penalties) if draft.violation else ["罚款"]
        if len(base) > 1 and rng.random() < 0.3:
            base = [rng.choice(base)]
        if draft.licence and rng.random() < 0.06:
            base.append(rng.choice(["暂扣许可证件", "吊销许可证件"]))
        elif rng.random() < 0.04:
            base.append("通报批评")
        chosen = [value for value in dict.fromkeys(base) if value in allowed]
        return chosen or [rng.choice(allowed)]

    def penalty_content(self, draft: _Draft) -> str:
        types_field = self.cls.field_by_role("penalty_types")
        kinds = draft[types_field.key] if types_field else []
        parts = []
        for kind in kinds:
            if kind == "罚款" and "fine_amount" in self.plan.schemas:
                parts.append(f"罚款人民币{_yuan(draft['fine_amount'])}元")
            elif kind.startswith("没收") and "confiscation_amount" in self.plan.schemas:
                parts.append(f"{kind}人民币{_yuan(draft['confiscation_amount'])}元")
            elif kind in ("暂扣许可证件", "吊销许可证件") and "licence_suspended_or_revoked" in self.plan.schemas:
                parts.append(f"{kind.removesuffix('许可证件')}{draft['licence_suspended_or_revoked']}")
            elif kind == "警告":
                parts.append("给予警告")
            elif kind == "责令停产停业":
                parts.append(f"责令停产停业{self.rng.choice(['一', '三', '六'])}个月")
            else:
                parts.append(kind)
        return "对当事人作出如下行政处罚：" + "；".join(parts) + "。"

    def number(self, key: str, schema: Mapping[str, Any], kind: str, draft: _Draft) -> float | int:
        rng = self.rng
        low = schema.get("minimum", 0)
        high = schema.get("maximum")
        if kind == "integer":
            if "year" in key:
                return min(max(draft.year - 1, low), high if high is not None else draft.year)
            return rng.randint(int(low), int(high) if high is not None else int(low) + 100)
        if "score" in key and high is None:
            high = 100
            low = max(low, 60)
        money = schema.get("x-unit") == "万元" or "amount" in key or "capital" in key
        if money:
            value = round(math.exp(rng.uniform(math.log(0.05), math.log(200 if "confiscation" in key else 500))), 2)
        else:
            value = round(rng.uniform(low, high if high is not None else low + 100), 2)
        if high is not None:
            value = min(value, high)
        return max(value, low)

    def array(self, key: str, schema: Mapping[str, Any], draft: _Draft) -> list[Any]:
        items = _resolve(schema.get("items", {}), self.cls.schema_id)
        options = _enum(items)
        count = self.rng.randint(max(schema.get("minItems", 1), 1), max(schema.get("minItems", 1), 1) + 2)
        if options:
            return self.rng.sample(options, min(len(options), count))
        singular = key[:-1] if key.endswith("s") else key
        made = [self.make(singular, items, draft) for _ in range(count)]
        unique = [json.loads(text) for text in dict.fromkeys(json.dumps(item, ensure_ascii=False) for item in made)]
        return unique if schema.get("uniqueItems") else made

    def object(self, schema: Mapping[str, Any], draft: _Draft) -> dict[str, Any]:
        required = schema.get("required", ())
        return {key: self.make(key, _resolve(sub, self.cls.schema_id), draft)
                for key, sub in schema.get("properties", {}).items() if key in required or self.rng.random() < 0.6}

    # -- whole records

    def applicable(self, key: str, draft: _Draft) -> bool:
        spec = self.cls.fields[key]
        org = spec.role in _ORG_ROLES or bool(_ORG_KEYS.match(key))
        person = spec.role in _PERSON_ROLES or bool(_PERSON_KEYS.match(key))
        if _ORG_ONLY.match(key):
            return draft.kind != NATURAL
        if org:
            return draft.kind != NATURAL and (spec.role in draft.subject or key in draft.subject)
        if person:
            return draft.kind == NATURAL
        return True

    def record(self) -> dict[str, Any]:
        plan = self.plan
        for _attempt in range(20):
            draft = _Draft(self)
            record = {key: draft[key] for key in plan.required}
            pending = any(isinstance(value, str) and value in _PENDING for value in record.values())
            for key in plan.schemas:
                if key in record or key in plan.conditional_only or not self.applicable(key, draft):
                    continue
                if not pending and self.rng.random() < (0.3 if key in plan.paired else _OPTIONAL_SHARE):
                    record[key] = draft[key]
            needed = self.satisfy(record, draft)
            for key in list(record):  # identity documents come as type and number together
                for one, other in (("id_number", "id_type"), ("id_type", "id_number")):
                    partner = key[: -len(one)] + other
                    if key.endswith(one) and partner in plan.schemas and partner not in record:
                        record[partner] = draft[partner]
            for key in list(record):  # removal_reason without removal_date makes no sense
                group = key.split("_")[0] + "_date"
                if group != key and group in plan.schemas and group not in record and key not in plan.required \
                        and key not in needed:
                    del record[key]
            for key in list(record):
                parent = plan.parents.get(key)
                if parent and parent not in record:
                    if key in plan.required or key in needed:
                        if self.applicable(parent, draft):
                            record[parent] = draft[parent]
                    else:
                        del record[key]
            record = {key: record[key] for key in plan.schemas if key in record}
            errors = list(self.check.iter_errors(record))
            if errors:  # a value this generator cannot make valid: leave the optional field out
                for error in errors:
                    if error.field in record and error.field not in plan.required and error.field not in needed:
                        del record[error.field]
                errors = list(self.check.iter_errors(record))
            if not errors:
                return record
        raise RuntimeError(f"cannot make a valid {self.cls.name} record: "
                           + "; ".join(f"{error.path} {error.code}" for error in errors))

    def satisfy(self, record: dict[str, Any], draft: _Draft) -> set[str]:
        """Add every field a conditional asks for once its ``if`` holds; return those fields."""
        needed: set[str] = set()
        for _round in range(6):
            changed = False
            for cond, holds in self.plan.conditionals:
                if holds.is_valid(record):
                    then = cond.get("then", {})
                    for key in then.get("required", ()):
                        needed.add(key)
                        if key not in record:
                            record[key] = draft[key]
                            changed = True
                    for key, sub in then.get("properties", {}).items():
                        options = _enum(sub)
                        if key in record and options and record[key] not in options:
                            record[key] = draft.values[key] = self.rng.choice(options)
                            changed = True
            if not changed:
                break
        return needed

    # -- breaking

    def breakages(self, record: dict[str, Any]) -> list[tuple[str, Callable[[dict[str, Any]], None]]]:
        """(expected code, mutation) for every way this record can be broken."""
        rng, plan = self.rng, self.plan
        found: list[tuple[str, Callable[[dict[str, Any]], None]]] = []

        def setter(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
            return lambda target: target.__setitem__(key, value)

        def deleter(key: str) -> Callable[[dict[str, Any]], None]:
            return lambda target: target.pop(key)

        for key, value in record.items():
            schema = plan.schemas[key]
            formats = _formats(schema)
            if "uscc" in formats and value != uscc.PLACEHOLDER:
                found.append(("uscc.checksum", setter(key, _recheck(value, uscc.calc_check_digit(value[:17]),
                                                                      "0123456789ABCDEFGHJKLMNPQRTUWXY", rng))))
            if "regno" in formats and len(value) == 15:
                found.append(("regno.checksum", setter(key, _recheck(value, value[-1], "0123456789", rng))))
            if "citizen-id" in formats:
                found.append(("ric.checksum", setter(key, _recheck(value, value[-1], "0123456789X", rng))))
            if "date" in formats:
                found.append(("record.date", setter(key, f"{value[:4]}-02-30")))
            if "enum" in schema:
                found.append(("record.enum", setter(key, "未知")))
            if isinstance(value, str) and schema.get("maxLength", 10_000) <= 300 and "enum" not in schema:
                longer = (value + "　") * (schema["maxLength"] // max(len(value), 1) + 1)
                found.append(("record.maxLength", setter(key, longer)))
            if schema.get("type") == "number" and isinstance(value, (int, float)):
                found.append(("record.type", setter(key, str(value))))
                if value > 0 and schema.get("minimum") == 0:
                    found.append(("record.minimum", setter(key, -value)))
            if key in plan.required:
                found.append(("record.required", deleter(key)))
        for cond, holds in plan.conditionals:
            if not holds.is_valid(record):
                continue
            then = cond.get("then", {})
            for key in then.get("required", ()):
                if key in record and key not in plan.required:
                    found.append((f"rule.{cond['x-rule']}", deleter(key)))
            for key, sub in then.get("properties", {}).items():
                if sub.get("format") == "citizen-id" and key in record and len(record[key]) == 18:
                    value = record[key]
                    found.append(("ric.checksum", setter(key, _recheck(value, value[-1], "0123456789X", rng))))
        today = max(self.on, date.today())
        for rule in self.cls.rules:
            if rule["rule"] == "date_not_after" and rule["field"] in record:
                first = date.fromisoformat(record[rule["field"]])
                if rule["other"] == "today":  # a mistyped year: stays in the future for decades
                    later = max(first.replace(year=first.year + 20, day=min(first.day, 28)),
                                today + timedelta(days=rng.randint(1, 60)))
                    found.append(("rule.date_in_future", setter(rule["field"], later.isoformat())))
                elif rule["other"] in record:
                    second = date.fromisoformat(record[rule["other"]])
                    gap = timedelta(days=rng.randint(1, 30))
                    found.append(("rule.date_not_after", setter(rule["field"], (second + gap).isoformat())))
                    found.append(("rule.date_not_after", setter(rule["other"], (first - gap).isoformat())))
            elif rule["rule"] == "orgcode_in_uscc" and rule["orgcode"] in record and rule["uscc"] in record \
                    and record[rule["uscc"]] != uscc.PLACEHOLDER:
                found.append(("rule.orgcode_in_uscc", setter(rule["orgcode"], orgcode.generate(rng=rng))))
        return found

    def broken(self, record: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """Break ``record`` in one way; prefer a breakage the validator reports with that code alone."""
        by_code: dict[str, list[Callable[[dict[str, Any]], None]]] = {}
        for code, mutate in self.breakages(record):
            by_code.setdefault(code, []).append(mutate)
        codes = list(by_code)
        self.rng.shuffle(codes)
        fallback: tuple[dict[str, Any], str] | None = None
        for code in codes[:8]:
            mutate = self.rng.choice(by_code[code])
            candidate = copy.deepcopy(record)
            mutate(candidate)
            found = {error.code for error in self.check.iter_errors(candidate)}
            if found == {code}:
                return candidate, code
            if code in found and fallback is None:
                fallback = (candidate, code)
        if fallback is None:
            raise RuntimeError(f"cannot break a {self.cls.name} record in a way the validator reports")
        return fallback


def _recheck(value: str, current: str, alphabet: str, rng: random.Random) -> str:
    """``value`` with its last character replaced by a different one (a wrong check character)."""
    return value[:-1] + rng.choice([char for char in alphabet if char != current and char != value[-1]])


def _fit(text: str, schema: Mapping[str, Any]) -> str:
    return text[: schema.get("maxLength", len(text))] or "无"


def _yuan(wan: float) -> str:
    return f"{Decimal(str(wan)) * 10000:.0f}"


def fake_records(class_name: str, n: int, *, seed: int | None = None, error_rate: float = 0.0,
                 on: date | None = None) -> Iterator[FakeRecord]:
    """``n`` synthetic records of ``class_name``, about ``error_rate`` of them broken in one way each.

    Deterministic for a given ``seed`` (and ``on``, the day no date may pass; default today).
    Raises :class:`~creditstd.exceptions.CatalogueError` for an unknown class and ValueError for a bad rate.
    """
    if not 0.0 <= error_rate <= 1.0:
        raise ValueError(f"错误率应在 0 到 1 之间 / error_rate must be within [0, 1], got {error_rate}")
    loader.class_schema(class_name)  # raises CatalogueError now, not at the first next()
    generator = _Generator(class_name, seed, on or date.today())
    return _records(generator, n, error_rate)


def _records(generator: _Generator, n: int, error_rate: float) -> Iterator[FakeRecord]:
    for _ in range(n):
        record = generator.record()
        if error_rate and generator.rng.random() < error_rate:
            record, code = generator.broken(record)
            yield FakeRecord(record, code)
        else:
            yield FakeRecord(record, None)


# ---------------------------------------------------------------------------------------------- writers


def _plain(record: FakeRecord | Mapping[str, Any]) -> Mapping[str, Any]:
    return record.record if isinstance(record, FakeRecord) else record


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value)


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "；".join(_scalar(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return _scalar(value)


def column_names(class_name: str, style: str = "code") -> list[str]:
    """Column names of ``class_name``: national field codes (else keys), Chinese titles, or keys."""
    if style not in ("code", "zh", "key"):
        raise ValueError(f"headers must be 'code', 'zh' or 'key', not {style!r}")
    fields = record_class(class_name).fields.values()
    return [(f.code or f.key) if style == "code" else f.zh if style == "zh" else f.key for f in fields]


def write_jsonl(records: Iterable[FakeRecord | Mapping[str, Any]], stream: IO[str]) -> int:
    """Write one JSON object per line; return how many."""
    count = 0
    for record in records:
        stream.write(json.dumps(_plain(record), ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(records: Iterable[FakeRecord | Mapping[str, Any]], class_name: str, stream: IO[str], *,
              headers: str = "code") -> int:
    """Write a header row and one row per record (every field of the class, in schema order); return how many.

    Arrays are joined with ``；``, booleans written 是/否.  Open files with ``newline=''``.
    """
    keys = list(record_class(class_name).fields)
    writer = csv.writer(stream)
    writer.writerow(column_names(class_name, headers))
    count = 0
    for record in records:
        data = _plain(record)
        writer.writerow([_cell(data.get(key)) for key in keys])
        count += 1
    return count


def write_xml(records: Iterable[FakeRecord | Mapping[str, Any]], class_name: str, stream: IO[str]) -> int:
    """Write a department-export style XML document, one ``<Record>`` at a time; return how many.

    Elements are named by national field code (else key); array items are ``<Item>`` children.
    """
    from lxml import etree

    names = {key: f.code or f.key for key, f in record_class(class_name).fields.items()}
    encoding = (getattr(stream, "encoding", None) or "UTF-8").upper()
    stream.write(f'<?xml version="1.0" encoding="{encoding}"?>\n<Records class="{class_name}">\n')
    count = 0
    for record in records:
        element = etree.Element("Record")
        for key, value in _plain(record).items():
            child = etree.SubElement(element, names.get(key, key))
            if isinstance(value, list):
                for item in value:
                    etree.SubElement(child, "Item").text = _scalar(item)
            else:
                child.text = _cell(value)
        etree.indent(element, space="  ", level=1)
        stream.write("  " + etree.tostring(element, encoding="unicode") + "\n")
        count += 1
    stream.write("</Records>\n")
    return count

