"""GB 11643-1999 citizen ID numbers, 15-digit numbers, residence permits and the 2023 foreigner PR ID."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from standard_examples import RIC_INVALID, RIC_VALID

from creditstd import ric
from creditstd.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength


@pytest.mark.parametrize("number", RIC_VALID)
def test_published_valid_numbers_pass_strict(number: str) -> None:
    assert ric.validate(number, strict=True) == number
    assert ric.is_valid(number, strict=True)


@pytest.mark.parametrize("number", RIC_INVALID)
def test_published_invalid_numbers_fail(number: str) -> None:
    assert not ric.is_valid(number)


def test_error_codes_for_published_invalid_numbers() -> None:
    with pytest.raises(InvalidChecksum) as checksum:
        ric.validate("110105194912310021")
    assert checksum.value.code == "ric.checksum" and checksum.value.position == 18
    with pytest.raises(InvalidComponent) as month13:
        ric.validate("360426199113010079")
    assert month13.value.code == "ric.birth_date"


def test_standard_examples_parse() -> None:
    info = ric.parse("11010519491231002X")
    assert info.birth_date == date(1949, 12, 31) and info.sex.en == "female"
    assert info.region.name == "朝阳区" and info.kind is ric.Kind.CITIZEN
    old = ric.parse("440524188001010014")  # born 1880: stdnum rejects the standard's own example
    assert old.birth_date.year == 1880 and old.is_male
    assert not old.region.is_current  # 潮阳县 is historical


def test_kinds() -> None:
    assert ric.parse("810000199408230021").kind is ric.Kind.RESIDENCE_PERMIT
    assert ric.parse("830000199201300022").region.code == "830000"
    foreigner = ric.parse("911398199012310021")
    assert foreigner.kind is ric.Kind.FOREIGNER_PR
    assert foreigner.country_code == "398" and foreigner.region_code == "110000"
    assert foreigner.birth_date == date(1990, 12, 31) and not foreigner.is_male
    assert ric.parse("110105491231002").kind is ric.Kind.CITIZEN_15


def test_permit_of_someone_born_before_1997_is_valid() -> None:
    """stdnum rejects Hong Kong permits of people born before 1997 and every Taiwan permit."""
    body = "81000019600101001"
    assert ric.is_valid(body + ric.calc_check_digit(body), strict=True)


def test_fifteen_digit_upgrade() -> None:
    assert ric.to_18("110105491231002") == "11010519491231002X"
    assert ric.to_18("11010519491231002X") == "11010519491231002X"
    assert ric.to_18("440524800101001", century=18) == "440524188001010014"


def test_birth_date_boundaries() -> None:
    def number_born(born: str) -> str:
        body = f"110105{born}001"
        return body + ric.calc_check_digit(body)

    assert ric.is_valid(number_born("18000101"))
    with pytest.raises(InvalidComponent) as early:
        ric.validate(number_born("17991231"))
    assert early.value.code == "ric.birth_too_early"
    assert ric.is_valid(number_born(date.today().strftime("%Y%m%d")))
    with pytest.raises(InvalidComponent) as future:
        ric.validate(number_born((date.today() + timedelta(days=1)).strftime("%Y%m%d")))
    assert future.value.code == "ric.birth_future"
    assert ric.is_valid(number_born("20000229"))
    assert not ric.is_valid(number_born("19000229"))  # 1900 was not a leap year
    assert not ric.is_valid(number_born("20990101"))


def test_region_check_never_uses_the_birth_year() -> None:
    """110111 房山区 was created in 1986; a person born there in 1980 got the code later."""
    body = "11011119801201007"
    number = body + ric.calc_check_digit(body)
    assert ric.is_valid(number, strict=True)
    body = "11020119931201007"  # 110201 昌平县 was in use 1980-1981 only: still a known code
    assert ric.is_valid(body + ric.calc_check_digit(body), strict=True)


def test_unknown_county_gives_an_error_not_a_crash() -> None:
    """stdnum raises KeyError on 119999199001010012."""
    assert not ric.is_valid("119999199001010012", strict=True)
    body = "11999919900101001"
    with pytest.raises(InvalidComponent) as caught:
        ric.validate(body + ric.calc_check_digit(body), strict=True)
    assert caught.value.code == "ric.region"


def test_province_aggregate_is_rejected_in_strict_mode() -> None:
    body = "11000019900101001"
    number = body + ric.calc_check_digit(body)
    assert ric.is_valid(number)
    with pytest.raises(InvalidComponent) as caught:
        ric.validate(number, strict=True)
    assert caught.value.code == "ric.region_aggregate"


def test_foreigner_province_must_exist_in_strict_mode() -> None:
    body = "90039819901231002"
    number = body + ric.calc_check_digit(body)
    with pytest.raises(InvalidComponent) as caught:
        ric.validate(number, strict=True)
    assert caught.value.code == "ric.foreigner_province"


def test_masked_numbers_are_recognised_not_checksum_errors() -> None:
    for masked in ("110105********002X", "110105******002", "110***********002X"):
        assert ric.is_masked(masked)
        with pytest.raises(InvalidFormat) as caught:
            ric.validate(masked)
        assert caught.value.code == "ric.masked"


def test_format_errors_name_the_position() -> None:
    with pytest.raises(InvalidFormat) as caught:
        ric.validate("1101051949123100X2")
    assert caught.value.code == "ric.format" and caught.value.position == 17
    with pytest.raises(InvalidLength):
        ric.validate("1101051949")


def test_mask_default_and_configurable() -> None:
    assert ric.mask("11010519491231002X") == "110105********002X"
    assert ric.mask("11010519491231002X", keep_start=1, keep_end=1, char="#") == "1################X"
    assert ric.mask("123") == "***"
    for number in ("11010519491231002X", "110105491231002"):
        masked = ric.mask(number)
        assert len(masked) == len(number) and number[6:12] not in masked


def test_age() -> None:
    info = ric.parse("11010519491231002X")
    assert info.age(date(1950, 12, 30)) == 0
    assert info.age(date(1950, 12, 31)) == 1


@pytest.mark.parametrize("kind", list(ric.Kind))
def test_generate_every_kind(kind: ric.Kind) -> None:
    rng = random.Random(kind.value)
    for _ in range(200):
        number = ric.generate(kind=kind, rng=rng)
        assert ric.kind_of(number) is kind
        assert ric.is_valid(number, strict=True)


def test_generate_constraints() -> None:
    rng = random.Random(4)
    for _ in range(100):
        number = ric.generate(region="440305", birth_from=date(2001, 2, 3), birth_to=date(2001, 2, 5),
                              sex="M", rng=rng)
        info = ric.parse(number)
        assert number.startswith("440305") and info.is_male
        assert date(2001, 2, 3) <= info.birth_date <= date(2001, 2, 5)
    with pytest.raises(ValueError):
        ric.generate(birth_from=date(2001, 1, 2), birth_to=date(2001, 1, 1))
