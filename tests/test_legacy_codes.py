"""GB 11714 organisation codes and GS 15-2006 business registration numbers."""

from __future__ import annotations

import random

import pytest
from standard_examples import ORGCODE_VALID, REGNO_INVALID, REGNO_VALID

from creditstd import orgcode, regno
from creditstd.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength


@pytest.mark.parametrize("number", ORGCODE_VALID)
def test_orgcode_published_examples(number: str) -> None:
    compact = number.replace("-", "")
    assert orgcode.validate(number, strict=True) == compact
    assert orgcode.format(compact) == f"{compact[:8]}-{compact[8]}"


def test_orgcode_letters_use_the_full_latin_alphabet() -> None:
    """A=10 ... Z=35; a table with the USCC gaps (no I, O, ...) gives other check digits."""
    assert orgcode.calc_check_digit("MA1FL0LY") == "9"
    assert orgcode.is_valid("ZZZZZZZZ" + orgcode.calc_check_digit("ZZZZZZZZ"))


def test_orgcode_check_values_10_and_11() -> None:
    assert orgcode.calc_check_digit("71526726") == "X"  # 11 - r == 10
    rng = random.Random(0)
    for _ in range(5000):
        body = "".join(rng.choice("0123456789") for _ in range(8))
        if orgcode.calc_check_digit(body) == "0":
            assert orgcode.is_valid(body + "0")
            return
    pytest.fail("no body with check 0 found")


def test_orgcode_errors() -> None:
    with pytest.raises(InvalidChecksum) as caught:
        orgcode.validate("19220382-2")
    assert caught.value.code == "orgcode.checksum" and caught.value.position == 9
    with pytest.raises(InvalidLength):
        orgcode.validate("1922038")
    with pytest.raises(InvalidFormat) as bad:
        orgcode.validate("1922*382-1")
    assert bad.value.position == 5


def test_orgcode_custom_range_is_reserved_in_strict_mode() -> None:
    number = "PDY00001" + orgcode.calc_check_digit("PDY00001")
    assert orgcode.is_valid(number)
    with pytest.raises(InvalidComponent) as caught:
        orgcode.validate(number, strict=True)
    assert caught.value.code == "orgcode.reserved"
    assert orgcode.parse(number).is_custom_range


@pytest.mark.parametrize("number", REGNO_VALID)
def test_regno_published_valid(number: str) -> None:
    assert regno.validate(number, strict=True) == number


@pytest.mark.parametrize("number", REGNO_INVALID)
def test_regno_published_invalid(number: str) -> None:
    with pytest.raises(InvalidChecksum) as caught:
        regno.validate(number)
    assert caught.value.code == "regno.checksum"


def test_regno_agrees_with_stdnum_iso7064() -> None:
    from stdnum.iso7064 import mod_11_10

    rng = random.Random(2)
    for _ in range(2000):
        number = regno.generate(rng=rng)
        assert mod_11_10.is_valid(number)


def test_regno_parse_and_strict_region() -> None:
    info = regno.parse("440301103097413")
    assert info.region_code == "440301" and info.region.name == "市辖区"  # Shenzhen's city districts
    assert info.ownership.en == "domestic"
    body = "00000000000001"
    number = body + regno.calc_check_digit(body)
    assert regno.is_valid(number)
    with pytest.raises(InvalidComponent) as caught:
        regno.validate(number, strict=True)
    assert caught.value.code == "regno.region"
    national = "10000000000001"
    assert regno.is_valid(national + regno.calc_check_digit(national), strict=True)


def test_regno_generate_constraints() -> None:
    rng = random.Random(9)
    for ownership in ("domestic", "foreign-invested", "individual business"):
        number = regno.generate(region="110108", ownership=ownership, rng=rng)
        assert number.startswith("110108") and regno.parse(number).ownership.en == ownership
    with pytest.raises(ValueError):
        regno.generate(ownership="state")
