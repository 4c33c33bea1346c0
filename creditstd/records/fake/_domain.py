"""The world the fake records live in: subject kinds, departments and what they decide, places.

Everything here is plain data or a small lookup over it, so the generator can
stay about *how* a record is put together.  A department knows the violations
it punishes and the licences it grants; a serious-dishonesty list knows its
reason, basis and measures; a city knows its current county-level codes.

>>> market = next(dept for dept in DEPARTMENTS if dept.abbr == "市监")
>>> market.name, market.sector, market.violations[0].penalties
('市场监督管理局', 'food_drugs', ('罚款', '没收违法所得'))
>>> SUBJECT_TYPES["natural_person"] == NATURAL, PROVINCE_ABBR["44"]
(True, '粤')
>>> short_name("南山区"), short_name("武清区")
('南山', '武清')
>>> city = next(city for city in cities() if city.code == "440300")
>>> city.name, city.short, "440305" in city.counties, county_name(city, "440305")
('深圳市', '深圳', True, '深圳市南山区')
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from creditstd.codes import regions

# ---------------------------------------------------------------------------------------------- subjects

LEGAL, NATURAL, INDIVIDUAL, GOVERNMENT = "法人及非法人组织", "自然人", "个体工商户", "政府机构"
SUBJECT_TYPES = {"legal_person": LEGAL, "natural_person": NATURAL, "individual_business": INDIVIDUAL,
                 "government": GOVERNMENT}
ID_TYPE_WEIGHTS = {"身份证": 0.9, "护照号": 0.03, "港澳居民来往内地通行证": 0.03, "台湾居民来往大陆通行证": 0.02,
                   "外国人永久居留身份证": 0.02}
#: Province-level abbreviations (粤, 京…) by the first two digits of a region code.
PROVINCE_ABBR = {f"{code}": abbr for code, abbr in zip(
    (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
     64, 65), "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔滇藏陕甘青宁新", strict=True)}



# ---------------------------------------------------------------------------------------------- departments


@dataclass(frozen=True)
class Violation:
    kind: str
    act: str
    law: str
    violated: str
    penalised: str
    penalties: tuple[str, ...]


@dataclass(frozen=True)
class Licence:
    certificate: str
    category: str
    content: str
    prefix: str


@dataclass(frozen=True)
class Dept:
    name: str
    abbr: str
    sector: str
    violations: tuple[Violation, ...] = ()
    licences: tuple[Licence, ...] = ()


DEPARTMENTS = (
    Dept("市场监督管理局", "市监", "food_drugs", (
        Violation("销售不符合食品安全标准的食品", "销售超过保质期的预包装食品", "《中华人民共和国食品安全法》",
                   "第三十四条第（十）项", "第一百二十四条第一款第（五）项", ("罚款", "没收违法所得")),
        Violation("虚假宣传", "在经营场所及网络店铺对商品的性能、功能作虚假的商业宣传",
                   "《中华人民共和国反不正当竞争法》", "第八条第一款", "第二十条第一款", ("罚款",)),
        Violation("未按规定明码标价", "销售商品未按照规定明码标价", "《中华人民共和国价格法》",
                   "第十三条第一款", "第四十二条", ("警告", "罚款")),
        Violation("销售侵犯注册商标专用权的商品", "销售侵犯他人注册商标专用权的商品", "《中华人民共和国商标法》",
                   "第五十七条第（三）项", "第六十条第二款", ("没收非法财物", "罚款")),
        Violation("无照经营", "未依法取得营业执照擅自从事经营活动", "《无证无照经营查处办法》",
                   "第二条", "第十三条", ("没收违法所得", "罚款")),
    ), (
        Licence("食品经营许可证", "普通", "预包装食品（含冷藏冷冻食品）销售；散装食品（含熟食）销售", "JY1"),
        Licence("特种设备使用登记证", "登记", "电梯、压力容器使用登记", "TS"),
    )),
    Dept("生态环境局", "环", "environment_energy", (
        Violation("超标排放大气污染物", "排放的大气污染物超过国家规定的排放标准",
                   "《中华人民共和国大气污染防治法》", "第十八条", "第九十九条第（二）项", ("罚款",)),
        Violation("未批先建", "建设项目环境影响报告表未经批准擅自开工建设", "《中华人民共和国环境影响评价法》",
                   "第二十五条", "第三十一条第一款", ("罚款",)),
        Violation("危险废物贮存不规范", "未按照规定设置危险废物识别标志",
                   "《中华人民共和国固体废物污染环境防治法》", "第七十七条", "第一百一十二条第一款第（一）项",
                   ("罚款",)),
    ), (
        Licence("排污许可证", "普通", "按照排污许可证载明的污染物种类、浓度和排放量排放污染物", "PW"),
    )),
    Dept("应急管理局", "应急", "production_safety", (
        Violation("未按规定开展安全生产教育和培训", "未如实记录从业人员安全生产教育和培训情况",
                   "《中华人民共和国安全生产法》", "第二十八条第四款", "第九十七条第（四）项", ("警告", "罚款")),
        Violation("未对重大危险源登记建档", "未对重大危险源登记建档并进行定期检测、评估和监控",
                   "《中华人民共和国安全生产法》", "第四十条第一款", "第一百零一条第（二）项",
                   ("罚款", "责令停产停业")),
    ), (
        Licence("安全生产许可证", "特许", "非煤矿山开采（建筑用石料）", "AX"),
    )),
    Dept("交通运输局", "交", "transport", (
        Violation("未取得道路运输经营许可擅自从事道路运输经营", "未取得道路运输经营许可擅自从事道路普通货物运输经营",
                   "《中华人民共和国道路运输条例》", "第二十四条", "第六十三条", ("没收违法所得", "罚款")),
        Violation("车辆超限运输", "驾驶货运车辆违法超限运输", "《公路安全保护条例》", "第三十三条", "第六十四条",
                   ("罚款",)),
    ), (
        Licence("道路运输经营许可证", "普通", "道路普通货物运输；货物专用运输（集装箱）", "YS"),
    )),
    Dept("卫生健康委员会", "卫", "health", (
        Violation("未取得医疗机构执业许可证擅自执业", "未取得《医疗机构执业许可证》擅自开展诊疗活动",
                   "《医疗机构管理条例》", "第十四条", "第四十三条", ("没收违法所得", "没收非法财物", "罚款")),
        Violation("公共场所卫生不合格", "公共场所卫生质量不符合国家卫生标准和要求", "《公共场所卫生管理条例》",
                   "第三条", "第十四条第一款", ("警告", "罚款")),
    ), (
        Licence("医疗机构执业许可证", "普通", "诊疗科目：内科；外科；预防保健科", "YL"),
        Licence("公共场所卫生许可证", "普通", "住宿业（宾馆）", "WS"),
    )),
    Dept("住房和城乡建设局", "建", "construction", (
        Violation("未取得施工许可证擅自施工", "建设工程未取得施工许可证擅自开工建设", "《建筑法》",
                   "第七条", "第六十四条", ("罚款",)),
    ), (
        Licence("建筑工程施工许可证", "普通", "住宅楼及配套设施工程施工", "SG"),
    )),
)
CREDIT_DEPT = Dept("发展和改革委员会", "发改", "enterprise_integrity")
SHOPS = ("餐饮店", "小吃店", "便利店", "五金店", "水果店", "日用品商行", "理发店", "副食品店", "汽车修理部",
          "服装店", "烟酒商行", "干洗店")
INSTITUTIONS = ("第一人民医院", "中心医院", "第二中学", "实验小学", "疾病预防控制中心", "图书馆", "职业技术学校")
ASSOCIATIONS = ("餐饮行业协会", "物流协会", "计算机学会", "个体劳动者协会", "慈善总会", "建筑业协会")
TEXTS: dict[str, tuple[str, ...]] = {
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
KEYWORD_TEXTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"refusal", TEXTS["refusal"]),
    # administrative coercion, confirmation, reward and inspection (before the general "reason")
    (r"coercion_reason", ("涉案物品涉嫌不符合安全标准，为防止危害扩大", "为防止证据损毁、制止违法行为继续",
                          "当事人逾期不履行行政决定，经书面催告仍未履行", "当事人逾期未缴纳罚款，依法加处罚款")),
    (r"object_description", ("涉案产品一批（详见查封、扣押清单）", "{place}某仓库及其中存放的货物",
                             "涉案车辆一辆", "当事人在银行开立的结算账户")),
    (r"confirmation_matter", ("高新技术企业认定", "工伤认定", "残疾等级评定", "特种设备作业人员资格认定",
                              "农业产业化重点龙头企业认定")),
    (r"confirmation_content", ("经审核，符合认定条件，予以确认", "经调查核实，予以认定", "经评定，确定相应等级")),
    (r"reward_name", ("{city}见义勇为先进个人", "{city}安全生产举报奖励", "{city}科学技术进步奖",
                      "{city}诚信纳税先进单位", "{place}防汛抢险先进集体")),
    (r"reward_reason", ("在抢险救灾中表现突出，作出重要贡献", "举报安全生产重大事故隐患，经查证属实",
                        "在技术创新和成果转化方面成绩突出", "连续多年依法诚信纳税，模范遵守法律法规")),
    (r"inspection_task", ("{year}年度{city}双随机抽查任务", "{year}年{place}食品安全专项检查",
                          "{year}年度企业公示信息抽查")),
    (r"inspection_matter", ("企业公示信息情况检查", "食品经营许可事项检查", "安全生产条件检查", "排污许可执行情况检查",
                            "产品质量监督抽查")),
    (r"problems_found", ("年度报告公示的从业人数与实际不符", "未按规定建立进货查验记录", "安全警示标志设置不规范",
                         "部分原始台账缺失")),
    (r"follow_up", ("已责令限期改正，逾期复查", "移交执法机构依法处理", "已整改完毕，复查合格")),
    (r"^certificate_name$", ("高新技术企业证书", "认定证书", "等级证书", "资格证书")),
    (r"removal_reason", ("已补报未报年份的年度报告并公示", "已履行相关义务，申请移出", "经核查列入事由已消除",
                         "列入期限届满，依法移出")),
    (r"(listing|inclusion)_reason", ("有履行能力而拒不履行生效法律文书确定的义务", "虚开增值税专用发票",
                                     "提供虚假材料谋取中标", "克扣、无故拖欠农民工工资数额较大")),
    (r"reason", TEXTS["reason"]),
    (r"punishment", ("限制高消费；限制参加政府采购活动", "限制申请财政性资金项目", "依法依规实施联合惩戒")),
    (r"measure", TEXTS["measure"]),
    (r"remark", TEXTS["remark"]),
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
LISTS = {
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
VALUE_DEPTS = {
    "tax": "税务局", "major_tax_violation": "税务局", "customs": "海关", "customs_dishonest_enterprises": "海关",
    "environment": "生态环境局", "labour": "人力资源和社会保障局", "wage_arrears": "人力资源和社会保障局",
    "highway_construction": "交通运输局", "construction": "住房和城乡建设局", "statistics": "统计局",
    "government_procurement": "财政局", "market_regulation": "市场监督管理局", "production_safety": "应急管理局",
    "internet_blacklist": "互联网信息办公室", "social_assistance_blacklist": "民政局", "律师": "司法局",
    "教师": "教育局", "医师": "卫生健康委员会", "dishonest_judgment_debtors": "中级人民法院",
}
DEPT_ABBR = {
    **{dept.name: dept.abbr for dept in (*DEPARTMENTS, CREDIT_DEPT)}, "税务局": "税", "海关": "关",
    "人力资源和社会保障局": "人社", "统计局": "统", "财政局": "财", "民政局": "民", "司法局": "司", "教育局": "教",
    "互联网信息办公室": "网信", "人民政府": "政", "人民法院": "法",
}
RESULTS = {
    "已更正": "经核查，原记录确有错误，已予更正", "已删除": "经核查，该记录不应公示，已删除",
    "维持原记录": "经核查，原记录准确无误，维持原记录", "已撤回": "申请人主动撤回异议申请",
    "准予修复": "符合信用修复条件，准予修复并停止公示", "不予修复": "不符合信用修复条件，不予修复",
}


# ---------------------------------------------------------------------------------------------- regions


@dataclass(frozen=True)
class City:
    name: str
    code: str
    counties: tuple[str, ...]

    @property
    def short(self) -> str:
        return self.name[:-1] if self.name.endswith("市") and len(self.name) > 2 else self.name


def region_name(code: str) -> str:
    """The current name of region ``code`` (cached: the generator asks for a handful of names per record)."""
    return _region_names(code)


@functools.cache
def _region_names(code: str) -> str:
    region = regions.lookup(code)
    if region is None:
        raise ValueError(f"unknown region code {code}")
    return region.name


@functools.cache
def _full_names(code: str) -> str:
    return regions.full_name(code) or region_name(code)


def full_name(code: str) -> str:
    """The full name of region ``code`` with its province and city (广东省深圳市南山区), cached."""
    return _full_names(code)


@functools.cache
def cities() -> tuple[City, ...]:
    """Prefecture-level cities (and the four municipalities) with their current county-level codes."""
    issued = [code for code in regions.issued_codes(current_only=True) if region_name(code) != "市辖区"]
    below: dict[str, list[str]] = {}
    for code in issued:
        below.setdefault(code[:4], []).append(code)
        below.setdefault(code[:2], []).append(code)
    found = []
    for code in regions.current_codes():
        region = regions.lookup(code)
        if region is None:  # pragma: no cover - current codes are known
            continue
        if code[:2] in ("11", "12", "31", "50"):
            if region.level == "province":
                found.append(City(region.name, code, tuple(below[code[:2]])))
        elif region.level == "prefecture" and region.name.endswith(("市", "州", "盟", "地区")):
            counties = below.get(code[:4]) or ([code] if code in issued else [])
            if counties:
                found.append(City(region.name, code, tuple(counties)))
    return tuple(found)


def county_name(city: City, county: str) -> str:
    """How a county is named in a document: its own name, after its city's for a district (深圳市南山区)."""
    return _county_names(city.name, city.code, county)


@functools.cache
def _county_names(city_name: str, city_code: str, county: str) -> str:
    name = region_name(county)
    if county == city_code:
        return name
    return f"{city_name}{name}" if name.endswith("区") else name


@functools.cache
def short_name(name: str) -> str:
    """A place name without its 县/区/市/旗 (南山区 -> 南山), as department abbreviations use it."""
    for suffix in ("自治县", "县", "区", "市", "旗"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name
