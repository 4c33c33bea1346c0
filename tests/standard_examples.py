"""The verified examples of ../shared/reference/standards.md, shared by the tests."""

from __future__ import annotations

USCC_VALID = [
    "91350100M000100Y43",  # the standard's own example
    "914403001922038216",  # 华为技术有限公司
    "911000001000013428",  # 中国银行 (national region 100000)
    "91330100716105852F",
    "91110000600037341L",
    "121200004013590816",
    "92340602MA2PBQAH7E",
]
USCC_INVALID = ["91350100M000100Y4Z", "914403001922038217", "00000000000000000X",
                "91350211M0000XUF46", "91350100M0001TGQXM"]
ORGCODE_VALID = ["19220382-1", "100001342", "D2143569X", "MA1FL0LY9", "71526726X"]
REGNO_VALID = ["440301103097413", "330100400015575", "110108000000016", "310230001716146", "310230001716154"]
REGNO_INVALID = ["440301104001819", "440300000025945"]
RIC_VALID = ["11010519491231002X", "440524188001010014", "513101198201130014", "360426199101010071",
             "44011320141005001X", "810000199408230021", "830000199201300022", "911398199012310021"]
RIC_INVALID = ["36042619910102009X", "110105194912310021", "360426199113010079"]

AUTHORITY_USCC = "11350100MAD18YGF27"  # a valid code of a government organ (authority 1, category 1), Fuzhou


def penalty_record(**changes: object) -> dict:
    """A valid administrative penalty on a company (双公示), with ``changes`` applied (None deletes a field)."""
    record: dict = {
        "subject_name": "福州某某科技有限公司",
        "subject_category": "法人及非法人组织",
        "uscc": "91350100M000100Y43",
        "orgcode": "M000100Y-4",
        "legal_representative": "张三",
        "decision_number": "榕市监罚〔2024〕12号",
        "violation_type": "虚假宣传",
        "violation_facts": "当事人在网店页面发布虚假宣传内容。",
        "legal_basis": "《中华人民共和国反不正当竞争法》第二十条",
        "penalty_types": ["罚款"],
        "penalty_content": "罚款人民币2000元",
        "fine_amount": 0.2,
        "decision_date": "2024-03-15",
        "valid_until": "2024-03-15",
        "publication_end": "2027-03-15",
        "authority": "福州市市场监督管理局",
        "authority_uscc": AUTHORITY_USCC,
        "data_source": "福州市市场监督管理局",
        "data_source_uscc": AUTHORITY_USCC,
    }
    return changed(record, **changes)


def changed(record: dict, **changes: object) -> dict:
    """``record`` with ``changes`` applied in place: a value sets a field, None deletes it."""
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record
