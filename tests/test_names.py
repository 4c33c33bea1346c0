"""A natural person's name beside an ID number, or after a word that introduces a person, is masked wherever
redact shows text (report values, titles, sheet and file names, error messages); other text stays as it was."""

from __future__ import annotations

import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from creditstd.codes import ric
from creditstd.codes.names import looks_like_person_name, mask_person_name
from creditstd.codes.redact import redact


def _name(seed: int) -> str:
    faker = Faker("zh_CN")
    faker.seed_instance(seed)
    return faker.name()


_NAMES = st.integers(min_value=0, max_value=10_000).map(_name)
_NUMBERS = st.tuples(st.sampled_from(["110105", "220221", "440305"]),
                     st.dates().map(lambda day: f"{max(day.year, 1900)}{day:%m%d}"),
                     st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")).map(
    lambda parts: "".join(parts) + ric.calc_check_digit("".join(parts)))
_BETWEEN = st.sampled_from(["", " ", "，", ",", "：", " 男 身份证号", "（身份证号：", "，女，公民身份号码",
                           "\t证件号码 ", "_", "-"])


@settings(max_examples=300, deadline=None)
@given(_NAMES, _NUMBERS, _BETWEEN, st.sampled_from(["", "当事人", "经查，", "备注："]), st.booleans())
def test_a_name_beside_an_id_number_is_masked(name: str, number: str, between: str, lead: str,
                                              after: bool) -> None:
    text = f"{lead}{number}{between}{name}" if after else f"{lead}{name}{between}{number}"
    shown = redact(text)
    assert name not in shown and number not in shown, (text, shown)
    assert mask_person_name(name) in shown


@pytest.mark.parametrize("cue", ["当事人：", "法定代表人：", "姓名：", "被执行人：", "负责人:", '{"当事人": "',
                                 "法定代表人（负责人）：", "当事人姓名：", "联系人|", "经营者：", "户主="])
@pytest.mark.parametrize("seed", range(20))
def test_a_name_after_a_word_that_introduces_a_person_is_masked(cue: str, seed: int) -> None:
    name = _name(seed)
    shown = redact(f"经查，{cue}{name}无证经营")
    assert name not in shown and f"{cue}{mask_person_name(name)[0]}" in shown


@pytest.mark.parametrize("seed", range(20))
def test_a_name_right_after_its_cue_is_masked_where_punctuation_ends_it(seed: int) -> None:
    name = _name(seed)
    assert redact(f"经查，当事人{name}，男，无证经营") == f"经查，当事人{mask_person_name(name)}，男，无证经营"
    assert redact(f"被执行人{name}（身份证号见附件）") == f"被执行人{mask_person_name(name)}（身份证号见附件）"
    assert redact(f"被执行人为{name}，") == f"被执行人为{mask_person_name(name)}，"
    assert redact(f"当事人：{name}、{name}") == f"当事人：{mask_person_name(name)}、{mask_person_name(name)}"
    assert redact(f"法定代表人{name}") == f"法定代表人{mask_person_name(name)}"  # a cell, a sheet name


@pytest.mark.parametrize("text", [
    "经查，当事人巴中中建创业科技有限公司违法经营。",  # an organisation is named in its row's subject field
    "当事人福州某某便利店",
    "郑州海关", "劳动争议", "统一社会信用代码91350100M000100Y43", "行政处罚决定书文号",
    "CF_WSH,当事人姓名,法定代表人证件号码,自然人身份证号", "法定代表人姓名", "负责人证件类型",
    "2024年3月5日 罚款 2000元", "110105194912310021",
    "当事人全称", "申请人单位", "被执行人国籍", "当事人信息", "法定代表人申请",  # headers: a cue and a word
    "当事人信用代码", "行业主管部门", "当事人成立日期", "当事人曾用名", "经营者信用档案", "当事人明细",
    "当事人信用信息", "申请人许可信息",
    "经查，当事人华为技术（深圳）有限公司违法", "行业主管部门责令改正", "当事人利用网络发布虚假信息", "当事人陈述申辩",
    "自然人信用建设",
    "公民身份号码：110105194912310021", "居民身份证110105194912310021", "当事人|明细", "当事人（公民）",
    "当事人系初次违法", "当事人为初次违法", "当事人 曾因同类违法行为被处罚", "当事人\n信用代码", "当事人（信用代码）",
    "被申请人：黄浦区人民政府", "当事人：高新区管委会", "当事人：江苏省南京市鼓楼区某某路", "联系人：管理员",
])
def test_text_without_a_name_stays_as_it_was_but_for_an_id_number(text: str) -> None:
    changed = [old for old, new in zip(text, redact(text), strict=True) if old != new]
    assert all(char.isdigit() or char == "X" for char in changed), changed  # an ID number's digits only


def test_a_name_before_the_shop_it_runs_is_masked() -> None:
    assert redact("当事人：王小明经营的便利店") == "当事人：王**经营的便利店"


@pytest.mark.parametrize(("text", "name"), [
    ("王小明｜220221198907157015", "王小明"), ("王小明－220221198907157015.xlsx", "王小明"),
    ("王小明的身份证号220221198907157015", "王小明"), ("王小明身份证号码为220221198907157015", "王小明"),
    ("当事人：李依依", "李依依"), ("何其芳 220221198907157015", "何其芳"), ("联系人：欧阳依依", "欧阳依依"),
    ("司马相如 220221198907157015", "司马相如"), ("“王小明”220221198907157015", "王小明"),
    ("当事人【王小明】", "王小明"), ("当事人：王章武，", "王章武"),
    ("王小明，性别：男，身份证号：220221198907157015", "王小明"),
])
def test_names_of_every_shape_beside_every_separator_are_masked_whole(text: str, name: str) -> None:
    assert mask_person_name(name) in redact(text) and name[1:] not in redact(text)


@settings(max_examples=200, deadline=None)
@given(_NAMES)
def test_every_name_faker_draws_is_guessed(name: str) -> None:
    assert looks_like_person_name(name)


def test_a_name_beside_a_number_masked_already_is_masked() -> None:
    """A report's sample cell has its row's ID number masked before redact reads it."""
    assert redact("张伟 男 身份证号220221********7015") == "张* 男 身份证号220221********7015"
    assert redact("赵六，１１０１０５＊＊＊＊＊＊＊＊００２１") == "赵*，１１０１０５＊＊＊＊＊＊＊＊００２１"
