"""The named transforms of creditstd.convert: table-driven cases (the ugly ones included) and properties."""

from __future__ import annotations

import calendar
import contextlib
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditstd.convert.engine import _arrow_pattern
from creditstd.convert.transforms import (
    AMOUNT_UNITS,
    DATE_FORMATS,
    TRANSFORMS,
    StepError,
    TransformError,
    compile_chain,
    convert_amount,
    halfwidth,
    identifier,
    join,
    lookup,
    lookup_table,
    lower,
    parse_date,
    split,
    subject_category,
    trim,
    upper,
)

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "mapping.schema.json"
ALL_FORMATS = tuple(DATE_FORMATS)


@pytest.mark.parametrize(("text", "expected"), [
    ("  某某公司  ", "某某公司"),
    ("\u3000某某公司\u3000", "某某公司"),          # ideographic space
    ("\u00a0\t某\r\n", "某"),                      # no-break space, tab, line break
    ("\ufeff\u200b 某 \u200b", "某"),              # BOM and zero-width space, mixed with spaces
    ("某 某", "某 某"),                             # inner space kept
    ("", None), ("   ", None), ("\u200b\u3000", None),
])
def test_trim(text: str, expected: str | None) -> None:
    assert trim(text) == expected


@pytest.mark.parametrize(("text", "punctuation", "expected"), [
    ("９１３５０１００ＭＡ", False, "91350100MA"),
    ("ａｂｃ\u3000ＸＹＺ", False, "abc XYZ"),
    ("某某（北京）有限公司，", False, "某某（北京）有限公司，"),  # Chinese punctuation kept by default
    ("某某（北京）有限公司，", True, "某某(北京)有限公司,"),
    ("、。「」【】〔〕", True, "、。「」【】〔〕"),              # outside U+FF01-FF5E: never changed
    ("ｶﾀｶﾅ①㈱", True, "ｶﾀｶﾅ①㈱"),                              # NFKC would change these; ASCII range only
    ("！～", True, "!~"), ("！～", False, "！～"),
])
def test_halfwidth(text: str, punctuation: bool, expected: str) -> None:
    assert halfwidth(text, punctuation=punctuation) == expected


def test_case_is_ascii_only() -> None:
    assert upper("abc ß é 中ａ") == "ABC ß é 中ａ" and lower("ABC É Ａ") == "abc É Ａ"


@pytest.mark.parametrize(("text", "expected"), [
    (" 91350100m000100y43 ", "91350100M000100Y43"),
    ("９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"),
    ("9135 0100-M000.100/Y43", "91350100M000100Y43"),
    ("19220382-1", "192203821"),
    ("110105********002x", "110105********002X"),  # masked kept recognisable
    ("\u200b\u3000", None),
])
def test_identifier_is_compact(text: str, expected: str | None) -> None:
    assert identifier(text) == expected


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXYZabc*- ９Ｍ", max_size=24))
@settings(deadline=None)
def test_identifier_is_exactly_compact(text: str) -> None:
    from creditstd.codes._text import compact

    assert identifier(text) == (compact(text) or None)


def test_identifier_refuses_overlong_input_with_a_reason() -> None:
    with pytest.raises(TransformError) as caught:
        identifier("1" * 500)
    assert caught.value.reason_zh and "1111" not in caught.value.reason_en


# ------------------------------------------------------------------------------------------------ dates


@pytest.mark.parametrize(("text", "formats", "expected"), [
    ("20240305", None, "2024-03-05"),
    ("2024-03-05", None, "2024-03-05"),
    ("2024-3-5", None, "2024-03-05"),
    ("2024/3/5", None, "2024-03-05"),
    ("2024/03/05", None, "2024-03-05"),
    ("2024.3.5", None, "2024-03-05"),
    ("2024年3月5日", None, "2024-03-05"),
    ("2024 年 03 月 05 日", None, "2024-03-05"),
    ("2024年3月5", None, "2024-03-05"),
    ("２０２４－０３－０５", None, "2024-03-05"),          # full-width digits and hyphen
    ("２０２４年３月５日", None, "2024-03-05"),
    ("2024-03-05 00:00:00", None, "2024-03-05"),          # a time of day is dropped
    ("2024-03-05T08:30", None, "2024-03-05"),
    ("2024/3/5 8:30:15.123", None, "2024-03-05"),
    ("  2024-03-05  ", None, "2024-03-05"),
    ("2024-02-29", None, "2024-02-29"),                   # a leap day
    ("2000-02-29", None, "2000-02-29"),
    ("", None, None), ("   ", None, None),
    ("45356", ["excel"], "2024-03-05"),
    ("45356.75", ["excel"], "2024-03-05"),                # a time fraction is dropped
    ("1", ["excel"], "1900-01-01"),
    ("59", ["excel"], "1900-02-28"),
    ("61", ["excel"], "1900-03-01"),                      # after Lotus's phantom 1900-02-29
    ("2958465", ["excel"], "9999-12-31"),
    ("43894", ["excel1904"], "2024-03-05"),
    ("20240305", ["iso", "yyyymmdd"], "2024-03-05"),
])
def test_dates(text: str, formats: list[str] | None, expected: str | None) -> None:
    assert (parse_date(text) if formats is None else parse_date(text, formats=formats)) == expected


@pytest.mark.parametrize(("text", "formats", "reason"), [
    ("2023-02-29", None, "past the end of the month"),     # not a leap year
    ("1900-02-29", None, "past the end of the month"),     # 1900 is not a leap year
    ("2024-04-31", None, "past the end of the month"),
    ("2024-13-01", None, "month is not 1-12"),
    ("2024-00-10", None, "month is not 1-12"),
    ("2024-01-00", None, "the day is 0"),
    ("0000-01-01", None, "no year 0"),
    ("20241301", None, "month is not 1-12"),
    ("2024年2月30日", None, "past the end of the month"),
    ("24-3-5", None, "none of the accepted formats"),       # two-digit years are never read
    ("3/5/2024", None, "none of the accepted formats"),     # day-month order is never guessed
    ("2024-03-05 25:00", None, "time of day"),
    ("2024-03", None, "none of the accepted formats"),
    ("二〇二四年三月五日", None, "none of the accepted formats"),
    ("45356", None, "none of the accepted formats"),        # a serial number only when asked for
    ("60", ["excel"], "leap-year bug"),
    ("0", ["excel"], "out of range"),
    ("2958466", ["excel"], "out of range"),
    ("2024-03-05", ["yyyymmdd"], "none of the accepted formats"),
])
def test_impossible_or_unreadable_dates_are_refused_with_a_reason(text: str, formats: list[str] | None,
                                                                  reason: str) -> None:
    with pytest.raises(TransformError) as caught:
        parse_date(text) if formats is None else parse_date(text, formats=formats)
    assert reason in caught.value.reason_en and caught.value.reason_zh


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)), st.sampled_from(ALL_FORMATS[:5]))
@settings(deadline=None)
def test_every_date_written_in_every_format_reads_back(day: date, name: str) -> None:
    if day.year < 1000:
        return  # the formats write four-digit years
    written = {"yyyymmdd": day.strftime("%Y%m%d"), "iso": day.isoformat(), "slash": f"{day.year}/{day.month}/{day.day}",
               "dot": f"{day.year}.{day.month:02}.{day.day}", "chinese": f"{day.year}年{day.month}月{day.day}日"}[name]
    assert parse_date(written, formats=[name]) == day.isoformat()


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)))
@settings(deadline=None)
def test_excel_serials_match_excels_own_count(day: date) -> None:
    serial = (day - date(1899, 12, 30)).days  # Excel's count from 1900-03-01 on
    assert parse_date(str(serial), formats=["excel"]) == day.isoformat()
    if day >= date(1904, 1, 1):
        assert parse_date(str((day - date(1904, 1, 1)).days), formats=["excel1904"]) == day.isoformat()


@given(st.integers(1, 9999), st.integers(1, 12), st.integers(1, 31))
@settings(deadline=None)
def test_a_day_is_accepted_exactly_when_the_calendar_has_it(year: int, month: int, day: int) -> None:
    exists = day <= calendar.monthrange(year, month)[1]
    text = f"{year:04}-{month:02}-{day:02}"
    if exists:
        assert parse_date(text) == text
    else:
        with pytest.raises(TransformError):
            parse_date(text)


# ------------------------------------------------------------------------------------------------ amounts


@pytest.mark.parametrize(("text", "unit", "to", "expected"), [
    ("2000元", None, "万元", "0.2"),
    ("1.5万元", None, "万元", "1.5"),
    ("20,000.00", "元", "万元", "2"),
    ("20,000.00元", "万元", "万元", "2"),             # the written unit wins over the parameter
    ("1.5万", None, "元", "15000"),
    ("3亿元", None, "万元", "30000"),
    ("3亿", None, "万元", "30000"),
    ("500千元", None, "万元", "50"),
    ("0.1万元", None, "元", "1000"),                   # no 999.99999 from binary floats
    ("0.3", "万元", "元", "3000"),
    ("１２３４．５６元", None, "万元", "0.123456"),      # full-width digits and point
    ("２０，０００元", None, "元", "20000"),              # full-width comma as thousands separator
    ("¥2,000元", None, "万元", "0.2"),
    ("￥2000", "元", "万元", "0.2"),
    ("人民币2000元整", None, "万元", "0.2"),
    ("RMB 2000", "元", "万元", "0.2"),
    ("￥2000", "万元", "万元", "0.2"),                # a sum written as money is in 元, whatever the column's unit
    ("¥ 2,000.00", "万元", "万元", "0.2"),
    ("人民币2000", None, "万元", "0.2"),
    ("RMB1.5万", "元", "万元", "1.5"),                # a unit written after it still wins
    ("0", "元", "万元", "0"),
    ("0.00元", None, "万元", "0"),
    ("-0", "元", "万元", "0"),
    ("-2000元", None, "万元", "-0.2"),
    (".5万元", None, "元", "5000"),
    ("0.00001", "元", "万元", "0.000000001"),
    ("123456789012345678901234567890元", None, "亿元", "1234567890123456789012.3456789"),
    ("", "元", "万元", None),
])
def test_amounts(text: str, unit: str | None, to: str, expected: str | None) -> None:
    assert convert_amount(text, unit=unit, to=to) == expected


@pytest.mark.parametrize(("text", "unit", "reason"), [
    ("2000", None, "no unit"),
    ("2000美元", None, "not a number"),
    ("罚款2000元", None, "not a number"),
    ("2,00,000元", None, "not a number"),             # Indian grouping is not a thousands separator
    ("1,5万元", None, "not a number"),
    ("1e3元", None, "not a number"),
    ("NaN", "元", "not a number"),
    ("Infinity", "元", "not a number"),
    ("一千元", None, "not a number"),
    ("1" * 80, "元", "longer than"),
])
def test_amounts_refused_with_a_reason(text: str, unit: str | None, reason: str) -> None:
    with pytest.raises(TransformError) as caught:
        convert_amount(text, unit=unit, to="万元")
    assert reason in caught.value.reason_en and caught.value.reason_zh


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-10**12, max_value=10**12),
       st.sampled_from(sorted(AMOUNT_UNITS)), st.sampled_from(sorted(AMOUNT_UNITS)))
@settings(deadline=None, max_examples=300)
def test_amounts_are_exact(value: Decimal, source: str, target: str) -> None:
    text = format(value, "f")
    converted = convert_amount(text + source, to=target)
    assert converted is not None
    assert Decimal(converted) == value.scaleb(AMOUNT_UNITS[source] - AMOUNT_UNITS[target])
    assert "E" not in converted and (converted == "0" or not converted.endswith(".")) and converted != "-0"
    if "." in converted:
        assert not converted.endswith("0")  # the shortest exact text
    back = convert_amount(converted + target, to=source)
    assert back is not None and Decimal(back) == value


# ------------------------------------------------------------------------------------------------ tables


def test_catalogue_tables_with_their_aliases() -> None:
    grades = lookup_table("credit_grade_schemes.tax", "code")
    assert grades["A级"] == "A" and grades["A"] == "A" and grades["grade D"] == "D"
    categories = lookup_table("subject_category")
    assert categories["02"] == categories["03"] == "法人及非法人组织" and categories["自然人"] == "自然人"
    assert lookup_table("subject_category", "code")["01"] == "natural_person"
    assert lookup_table("credit_grade_schemes.environment", "code")["环保诚信企业（绿牌）"] == "green"
    with pytest.raises(KeyError):
        lookup_table("no_such_table")
    with pytest.raises(KeyError):
        lookup_table("credit_grade_schemes.no_such_scheme")


@pytest.mark.parametrize(("text", "expected"), [
    ("A级", "A"), (" A级 ", "A"), ("Ａ级", "A"), ("a级", "A"), ("A 级", "A"), ("绿色", "green"), ("", None),
])
def test_lookup(text: str, expected: str | None) -> None:
    table = {"A级": "A", "B级": "B", "绿色": "green"}
    assert lookup(text, table) == expected


def test_lookup_unknown_label() -> None:
    with pytest.raises(TransformError, match="no entry"):
        lookup("Z级", {"A级": "A"})
    assert lookup("Z级", {"A级": "A"}, otherwise="keep") == "Z级"
    with pytest.raises(TransformError):  # two labels folding alike to different values: never a guess
        lookup("ａ", {"A": "1", "a": "2"})


# ------------------------------------------------------------------------------------------------ lists


def test_split_and_join() -> None:
    assert split("警告；罚款;; 没收违法所得 ", ["；", ";"]) == ["警告", "罚款", "没收违法所得"]
    assert split("a||b|c", ["|", "||"]) == ["a", "b", "c"]  # the longest first, whatever the order given
    assert split("  ", [","]) == []
    assert split("a.b", ["."]) == ["a", "b"]  # a separator is text, never a pattern


@pytest.mark.parametrize(("text", "expected"), [
    ("警告、罚款", ["警告", "罚款"]),
    ("警告、 罚款、", ["警告", "罚款"]),
    ("警告；暂扣或者吊销许可证、暂扣或者吊销执照", ["警告", "暂扣或者吊销许可证、暂扣或者吊销执照"]),
    ("罚款、没收违法所得、没收非法财物", ["罚款", "没收违法所得、没收非法财物"]),  # the longest value wins
    ("查封场所、设施或者财物、冻结存款、汇款", ["查封场所、设施或者财物", "冻结存款、汇款"]),
])
def test_split_at_the_enumeration_comma_keeps_the_catalogues_values_whole(text: str, expected: list[str]) -> None:
    """As creditstd validate reads a list cell (records.decode): the 双公示 mappings split at 、 too, where
    警告、罚款 was one unknown penalty type (convert rejected what validate accepted)."""
    assert split(text, ["；", ";", "、"]) == expected
    assert join(["警告", "罚款"]) == "警告；罚款" and join(["a", "b"], "、") == "a、b" and join([]) is None


# ------------------------------------------------------------------------------------------------ subject category


@pytest.mark.parametrize(("text", "expected"), [
    ("91350100M000100Y43", "法人及非法人组织"),
    ("914403001922038216", "法人及非法人组织"),
    ("11350100MAD18YGF27", "法人及非法人组织"),     # a government organ
    ("92350100MARQ283F4G", "个体工商户"),           # authority 9 (工商), category 2 (个体工商户)
    ("00000000000000000X", "个体工商户"),           # the 双公示 placeholder
    ("11010519491231002X", "自然人"),
    ("110105491231001", "自然人"),                  # a 15-digit ID number
    ("810000199408230021", "自然人"),               # a residence permit
    ("110105********002X", "自然人"),               # masked
    ("19220382-1", "法人及非法人组织"),
    ("440301103097413", "法人及非法人组织"),         # registration number, domestic
    (" ９１３５０１００Ｍ０００１００Ｙ４３ ", "法人及非法人组织"),
    ("", None),
])
def test_subject_category(text: str, expected: str | None) -> None:
    assert subject_category(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.randoms(use_true_random=False), st.sampled_from(["individual business", "domestic"]),
       st.booleans())
def test_a_15_digit_number_read_both_ways_is_never_guessed(rng: Any, ownership: str | None, person: bool) -> None:
    """A registration number whose digits 7-12 read as a date is also a valid old ID number (about 1 in 28), and
    1 in 10 old ID numbers pass the registration number's check digit: such a number gets no category (it was
    called 自然人, a business record taken for a person's); any other keeps the category its kind says.  An ID
    number reading whose strict check fails (a province's own code, 310000, is no person's address) does not
    count: the registration number it also is decides (identify() puts it first)."""
    from creditstd.codes import regno, ric
    from creditstd.codes.identify import IdentifierKind, identify

    number = ric.generate(kind="citizen", rng=rng) if person else regno.generate(ownership=ownership, rng=rng)
    if person:  # the old 15-digit form: the century and the check character dropped
        number = number[:6] + number[8:17]
    kinds = identify(number)
    if IdentifierKind.REGNO in kinds and IdentifierKind.CITIZEN_ID_15 in kinds and kinds[0].personal:
        assert ric.is_valid(number, strict=True)
        with pytest.raises(TransformError, match="registration number"):
            subject_category(number)
    elif person:  # a generated person's region is a county's: the strict check passes
        assert subject_category(number) == "自然人"
    else:
        assert subject_category(number) == ("个体工商户" if ownership == "individual business" else "法人及非法人组织")


def test_a_number_read_both_ways_is_refused_naming_both() -> None:
    with pytest.raises(TransformError) as caught:
        subject_category("350100841224829")
    assert "registration number" in caught.value.reason_en and "身份号码" in caught.value.reason_zh


@pytest.mark.parametrize("text", ["91350100M000100Y4Z", "hello", "92350100MARQ283F4X", "1" * 300])
def test_subject_category_of_no_identifier_is_refused(text: str) -> None:
    with pytest.raises(TransformError) as caught:
        subject_category(text)
    assert caught.value.reason_zh and text not in caught.value.reason_en


# ------------------------------------------------------------------------------------------------ chains and registry


def test_chains_run_element_wise_and_name_the_failing_step() -> None:
    chain = compile_chain(["trim", {"name": "split", "separators": ["、"]}, "upper",
                           {"name": "join", "separator": ","}])
    assert chain.apply(" a、b、 ") == "A,B" and chain.shape("text") == "text"
    dates = compile_chain([{"name": "date"}])
    assert dates.apply(["20240305", " ", "2024/3/6"]) == ["2024-03-05", "2024-03-06"]
    assert dates.apply(None) is None and dates.apply(["", " "]) is None
    with pytest.raises(StepError) as caught:
        dates.apply(["20240305", "20241305"])
    assert caught.value.name == "date" and "month" in caught.value.error.reason_en
    amount = compile_chain([{"name": "amount", "unit": "元"}], "万元")
    assert amount.apply("2000") == "0.2"
    with pytest.raises(ValueError):
        compile_chain([{"name": "amount"}], None)  # no unit to convert to
    with pytest.raises(KeyError):
        compile_chain(["no_such_transform"])


def test_registry_and_schema_agree() -> None:
    from creditstd.convert.mapping import mapping_schema

    schema = mapping_schema()  # as installed (the wheel's tests have no schemas/ folder beside them)
    if SCHEMA.exists():
        assert json.loads(SCHEMA.read_text(encoding="utf-8")) == schema
    assert set(schema["$defs"]["transform_name"]["enum"]) == set(TRANSFORMS)
    assert set(schema["$defs"]["unit"]["enum"]) == set(AMOUNT_UNITS)
    assert set(schema["$defs"]["date"]["properties"]["formats"]["items"]["enum"]) == set(DATE_FORMATS)
    from creditstd.codes_registry import is_registered

    for transform in TRANSFORMS.values():
        assert transform.zh and transform.en and transform.takes in ("text", "list")
        assert is_registered(f"convert.{transform.name}") == transform.fails, transform.name


def test_every_transform_is_total_on_junk() -> None:
    """Any text in, a value or a TransformError out: never another exception."""
    junk = ["", " ", "\x00", "\ud800", "𠀀" * 5, "9" * 100, "２０２４年", "-", ".", "，，", "元", "万元", "A级",
            "\u200b"]
    for transform in TRANSFORMS.values():
        params = {"name": transform.name, "separators": [","], "table": {"a": "b"}, "unit": "元", "to": "万元"}
        schema_keys = {"trim": (), "halfwidth": (), "upper": (), "lower": (), "identifier": (), "date": (),
                       "amount": ("unit", "to"), "lookup": ("table",), "split": ("separators",), "join": (),
                       "subject_category": ()}[transform.name]
        chain = compile_chain([{key: params[key] for key in ("name", *schema_keys)}], "万元")
        for text in junk:
            try:
                chain.apply(text)
            except StepError:
                assert transform.fails


@given(st.text(max_size=40))
@settings(deadline=None)
def test_transforms_never_raise_anything_else(text: str) -> None:
    for name in ("trim", "identifier", "date", "subject_category"):
        with contextlib.suppress(StepError):
            compile_chain([name]).apply(text)
    with contextlib.suppress(TransformError):
        convert_amount(text, unit="元")
    assert halfwidth(text, punctuation=True) == halfwidth(halfwidth(text, punctuation=True), punctuation=True)


def test_dates_keep_going_past_the_year_9999_boundary_cleanly() -> None:
    assert parse_date("99991231") == "9999-12-31"
    assert parse_date(str((date(9999, 12, 31) - date(1899, 12, 30)).days), formats=["excel"]) == "9999-12-31"
    assert parse_date("1900-03-01") == (date(1900, 2, 28) + timedelta(days=1)).isoformat()


_KEEP_PARAMS = {"trim": [{}], "halfwidth": [{}, {"punctuation": True}], "upper": [{}], "lower": [{}],
                "identifier": [{}]}
_TEXTS = st.text(alphabet=st.sampled_from(list("aZ9 *-,\t\n\u3000\u00a0\u200b\ufeff某（）ｍ９Ａ，：\u2028\x1c")),
                 max_size=24)


@given(_TEXTS)
@settings(max_examples=400, deadline=None)
def test_what_a_transform_keeps_it_returns_unchanged(text: str) -> None:
    """The engine passes through the cells a chain keeps without calling it: each pattern must be exact."""
    for name, variants in _KEEP_PARAMS.items():
        for params in variants:
            transform = TRANSFORMS[name]
            assert transform.keeps is not None
            pattern = transform.keeps(params)
            assert pattern is not None
            if re.fullmatch(pattern, text, re.DOTALL):
                assert compile_chain([{"name": name, **params}]).apply(text) == text, (name, params, text)
    assert {name for name, transform in TRANSFORMS.items() if transform.keeps is not None} == set(_KEEP_PARAMS)


@given(st.lists(_TEXTS, max_size=20))
@settings(deadline=None)
def test_arrow_and_python_agree_on_what_is_kept(texts: list[str]) -> None:
    column = pa.array(texts, pa.string())
    for name, variants in _KEEP_PARAMS.items():
        for params in variants:
            keeps = TRANSFORMS[name].keeps
            assert keeps is not None
            pattern = keeps(params)
            assert pattern is not None
            arrow = pc.match_substring_regex(column, _arrow_pattern(pattern)).to_pylist()
            assert arrow == [bool(re.fullmatch(pattern, text, re.DOTALL)) for text in texts], (name, params)
