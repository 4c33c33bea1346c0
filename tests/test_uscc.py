"""GB 32100-2015 unified social credit code: published examples, strict checks, real-world cases."""

from __future__ import annotations

import random

import pytest
import stdnum.exceptions
from standard_examples import USCC_INVALID, USCC_VALID

from creditstd import uscc
from creditstd.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength


@pytest.mark.parametrize("number", USCC_VALID)
def test_published_valid_codes_pass_strict(number: str) -> None:
    assert uscc.validate(number, strict=True) == number
    assert uscc.is_valid(number) and uscc.is_valid(number, strict=True)


@pytest.mark.parametrize("number", USCC_INVALID)
def test_published_invalid_codes_fail(number: str) -> None:
    assert not uscc.is_valid(number)
    with pytest.raises(stdnum.exceptions.ValidationError):
        uscc.validate(number)


def test_standard_example_checksum_error_names_position_and_expected() -> None:
    with pytest.raises(InvalidChecksum) as caught:
        uscc.validate("91350100M000100Y4Z")
    assert caught.value.code == "uscc.checksum"
    assert caught.value.position == 18
    assert "'3'" in caught.value.message_en and "“3”" in caught.value.message_zh
    assert isinstance(caught.value, stdnum.exceptions.InvalidChecksum)


@pytest.mark.parametrize(
    "text",
    [" 91350100m000100y43 ", "９１３５０１００Ｍ０００１００Ｙ４３", "9135-0100-M000-100Y-43", "91350100M000100Y43\n"],
)
def test_normalisation_folds_case_width_and_separators(text: str) -> None:
    assert uscc.validate(text) == "91350100M000100Y43"
    assert uscc.is_valid(text)


def test_placeholder_gets_its_own_verdict() -> None:
    with pytest.raises(InvalidComponent) as caught:
        uscc.validate("00000000000000000X")
    assert caught.value.code == "uscc.placeholder"


@pytest.mark.parametrize("number", ["91350211M0000XUF46", "91350100M0001TGQXM"])
def test_pilot_codes_are_recognised_and_can_be_accepted(number: str) -> None:
    with pytest.raises(InvalidChecksum) as caught:
        uscc.validate(number)
    assert caught.value.code == "uscc.pilot_checksum"
    assert uscc.validate(number, accept_pilot=True) == number
    assert uscc.parse(number, accept_pilot=True).orgcode_valid
    assert not uscc.parse(number, accept_pilot=True).check_valid


def test_corrupted_orgcode_with_bad_check_is_a_plain_checksum_error() -> None:
    with pytest.raises(InvalidChecksum) as caught:
        uscc.validate("914403001922038217")
    assert caught.value.code == "uscc.checksum"


@pytest.mark.parametrize("char", "IOZSV")
def test_excluded_letters_are_format_errors_with_position(char: str) -> None:
    with pytest.raises(InvalidFormat) as caught:
        uscc.validate("91350100M000100" + char + "43")
    assert caught.value.code == "uscc.format"
    assert caught.value.position == 16


@pytest.mark.parametrize("length", [0, 17, 19])
def test_wrong_length(length: int) -> None:
    with pytest.raises(InvalidLength) as caught:
        uscc.validate("9" * length)
    assert caught.value.code == "uscc.length"


def test_letter_authorities_are_accepted() -> None:
    """stdnum rejects these; GB 32100 defines A, N and Y."""
    rng = random.Random(1)
    for authority in "ANY":
        code = uscc.generate(authority=authority, rng=rng)
        assert code[0] == authority
        assert uscc.validate(code, strict=True) == code


@pytest.mark.parametrize(
    ("body17", "code"),
    [
        ("B1350100M000100Y4", "uscc.authority"),  # no authority B
        ("94350100M000100Y4", "uscc.category"),  # 工商 has no category 4
        ("Y2350100M000100Y4", "uscc.category"),  # 其他 has only category 1
        ("91000000M000100Y4", "uscc.region"),  # region 000000 does not exist
        ("91350100M000100Y5", "uscc.orgcode_checksum"),
    ],
)
def test_strict_mode_errors(body17: str, code: str) -> None:
    number = body17 + uscc.calc_check_digit(body17)
    assert uscc.validate(number) == number  # structure and check are fine
    with pytest.raises(InvalidComponent if code != "uscc.orgcode_checksum" else InvalidChecksum) as caught:
        uscc.validate(number, strict=True)
    assert caught.value.code == code
    assert not uscc.is_valid(number, strict=True)


def test_national_and_historical_regions_are_accepted_in_strict_mode() -> None:
    assert uscc.parse("911000001000013428").is_national
    # 110103 崇文区 was abolished in 2010; codes registered there keep it
    body = "91110103" + "10000134" + "2"
    number = body + uscc.calc_check_digit(body)
    assert uscc.is_valid(number, strict=True)
    assert not uscc.parse(number).region.is_current


def test_parse_gives_every_component_with_meaning() -> None:
    info = uscc.parse("914403001922038216")
    assert info.authority.zh == "工商" and info.category.zh == "企业"
    assert info.region_code == "440300" and info.region.name == "深圳市"
    assert info.orgcode == "19220382-1" and info.orgcode_valid
    assert info.check_digit == "6" and info.check_valid


def test_parse_of_unconfirmed_pair_is_labelled() -> None:
    body = "99350100M000100Y4"
    info = uscc.parse(body + uscc.calc_check_digit(body))
    assert "unconfirmed" in info.category.en


def test_check_character_zero_is_valid() -> None:
    """stdnum-js rejects every code whose check character is 0."""
    rng = random.Random(11)
    for _ in range(2000):
        code = uscc.generate(rng=rng)
        if code.endswith("0"):
            assert uscc.is_valid(code)
            break
    else:
        pytest.fail("no code with check character 0 generated")


def test_generate_respects_constraints_and_rejects_impossible_ones() -> None:
    rng = random.Random(3)
    code = uscc.generate(authority="5", category="3", region="110105", rng=rng)
    assert code.startswith("53110105")
    with pytest.raises(ValueError):
        uscc.generate(authority="9", category="7")
    with pytest.raises(ValueError):
        uscc.generate(region="999999")


def test_citizen_id_passing_the_uscc_checksum_fails_strict() -> None:
    """A USCC check must not accept a citizen ID just because the mod-31 sum happens to pass."""
    from creditstd import ric

    rng = random.Random(5)
    found = 0
    for _ in range(3000):
        number = ric.generate(rng=rng)
        if uscc.is_valid(number):
            found += 1
            assert not uscc.is_valid(number, strict=True)
    assert found  # about 1 in 31 do
