"""Issue 10 regressions for the identifier library: hostile input never leaks, never loses, never a traceback.

* the batch path agrees with the scalar path on NumPy items holding a NUL, on masked arrays and on
  every Arrow layout;
* input longer than ``MAX_LENGTH`` is refused before it is read (no normalisation of 10 MB);
* ``creditstd generate`` refuses impossible constraints with a bilingual usage error (exit 2) that never
  echoes the value it refuses.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pytest
from click.testing import CliRunner

from creditstd import identify, orgcode, regions, regno, ric, uscc, validate_batch
from creditstd.cli import main
from creditstd.codes import _text, verdict
from creditstd.codes._text import MAX_LENGTH
from creditstd.exceptions import ERRORS, InvalidLength, ValidationError

MODULES = {"uscc": uscc, "ric": ric, "orgcode": orgcode, "regno": regno}
USCC = "91350100M000100Y43"
RIC = "11010519491231002X"
HUGE = 10_000_000


def _scalar(kind: str, value: object, strict: bool = False) -> tuple[bool, str | None, str | None]:
    try:
        return True, None, MODULES[kind].validate(value, strict=strict)
    except ValidationError as error:
        return False, error.code, None


def _rows(result) -> list[tuple[bool, str | None, str | None]]:
    parts = [part.to_pylist() if hasattr(part, "to_pylist") else list(part)
             for part in (result.valid, result.errors, result.values)]
    return [(bool(ok), error, value) for ok, error, value in zip(*parts, strict=True)]


# --------------------------------------------------------------------------------------------------
# validate_batch == the scalar path


@pytest.mark.parametrize("kind, number", [("uscc", USCC), ("ric", RIC)])
def test_batch_never_reads_a_numpy_item_with_a_nul_inside_as_its_first_18_characters(kind, number) -> None:
    items = [number + "\x00junk", number + "\x00" + number, number, number + "\x00", number[:9] + "\x00" + number[9:]]
    array = np.array(items)
    for strict in (False, True):
        result = validate_batch(array, kind, strict=strict)
        expected = [_scalar(kind, item, strict) for item in array.tolist()]  # as NumPy reports the items
        assert _rows(result) == expected
        assert list(result.valid) == [False, False, True, True, False]
        assert number + "\x00junk" not in list(result.values)  # the junk is never kept as a canonical value


@pytest.mark.parametrize("kind, number", [("uscc", USCC), ("ric", RIC)])
@pytest.mark.parametrize("dtype", [str, object])
def test_batch_reports_masked_items_as_missing_values(kind, number, dtype) -> None:
    array = np.ma.array([number, number, "junk", number.lower()], mask=[True, False, True, False], dtype=dtype)
    for strict in (False, True):
        result = validate_batch(array, kind, strict=strict)
        assert isinstance(result.valid, np.ndarray) and result.valid.dtype == bool
        assert not isinstance(result.valid, np.ma.MaskedArray)
        assert isinstance(result.errors, np.ndarray) and isinstance(result.values, np.ndarray)
        missing = _scalar(kind, None, strict)
        assert missing == (False, "input.type", None)
        assert _rows(result) == [missing, _scalar(kind, number, strict), missing, _scalar(kind, number.lower(), strict)]
        assert result.invalid_count == 2


def test_batch_masked_array_that_is_all_masked_or_unmasked() -> None:
    for mask in (True, False):
        array = np.ma.array([USCC] * 3, mask=mask)
        result = validate_batch(array, "uscc")
        assert list(result.valid) == [not mask] * 3
        assert list(result.errors) == (["input.type"] * 3 if mask else [None] * 3)


@pytest.mark.parametrize("kind, number", [("uscc", USCC), ("ric", RIC)])
def test_batch_agrees_with_the_scalar_path_on_every_arrow_layout(kind, number) -> None:
    items = [number, None, number.lower(), "junk", None, f" {number} ", "", number]
    layouts = {
        "string": pa.array(items, pa.string()),
        "large_string": pa.array(items, pa.large_string()),
        "dictionary": pa.array(items, pa.string()).dictionary_encode(),
        "chunked": pa.chunked_array([items[:3], items[3:]], pa.string()),
        "chunked_dictionary": pa.chunked_array([pa.array(items[:3]).dictionary_encode(),
                                                pa.array(items[3:]).dictionary_encode()]),
        "binary": pa.array([None if item is None else item.encode() for item in items], pa.binary()),
    }
    for name, array in layouts.items():
        for strict in (False, True):
            result = validate_batch(array, kind, strict=strict)
            assert isinstance(result.valid, pa.Array) and result.valid.type == pa.bool_(), name
            assert _rows(result) == [_scalar(kind, item, strict) for item in array.to_pylist()], name
            assert result.errors.to_pylist()[1] == "input.type"


def test_batch_refuses_one_string_or_a_zero_dimensional_array() -> None:
    """One string is not a column of 18 one-character values."""
    for values in (USCC, USCC.encode(), np.array(USCC), pa.scalar(USCC)):
        with pytest.raises(TypeError, match="validate_batch"):
            validate_batch(values, "uscc")


def test_batch_refusal_of_an_unknown_kind_does_not_quote_it() -> None:
    with pytest.raises(ValueError, match="unknown identifier kind") as caught:
        validate_batch([RIC], RIC)
    assert RIC not in str(caught.value)


# --------------------------------------------------------------------------------------------------
# Bounded resources: MAX_LENGTH before normalisation


def test_too_long_error_is_registered_as_a_length_error_without_the_value() -> None:
    cls, zh, en = ERRORS["input.too_long"]
    assert issubclass(cls, InvalidLength)
    assert "{limit}" in zh and "{limit}" in en and "{value}" not in zh + en


@pytest.mark.parametrize("value", ["9" * HUGE, "９" * HUGE, "a\u0301" * (HUGE // 2), "\ufdfa" * HUGE,
                                   "9-" * (HUGE // 2), b"9" * HUGE, b"\xff" * HUGE, " " * HUGE + USCC],
                         ids=["ascii", "fullwidth", "combining", "ligature", "separators", "bytes",
                              "bytes-not-utf8", "padding"])
def test_a_10_mb_value_is_refused_unread_by_every_module(value, monkeypatch) -> None:
    def no_normalisation(form: str, text: str) -> str:
        raise AssertionError("a value over the limit was normalised")

    monkeypatch.setattr(_text, "unicodedata", SimpleNamespace(normalize=no_normalisation))  # _text's only
    for module in (*MODULES.values(), regions):
        with pytest.raises(InvalidLength) as caught:
            module.validate(value)
        assert caught.value.code == "input.too_long" and caught.value.position is None
        assert str(MAX_LENGTH) in caught.value.message_en and "9999" not in str(caught.value)
        for strict in (False, True):
            assert module.is_valid(value, strict=strict) is False


def test_the_limit_is_on_characters_and_leaves_room_for_padding() -> None:
    padded = " " * (MAX_LENGTH - len(USCC)) + USCC
    assert len(padded) == MAX_LENGTH and uscc.validate(padded) == USCC
    assert uscc.validate("　".join(USCC)) == USCC  # ideographic spaces between every character
    assert uscc.validate(USCC.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})) == USCC
    with pytest.raises(InvalidLength, match=r"input\.too_long"):
        uscc.validate(" " + padded)
    # bytes: the same limit after decoding; more than four bytes a character is refused undecoded
    assert uscc.validate(padded.encode()) == USCC
    assert not uscc.is_valid((" " + padded).encode())
    assert _scalar("uscc", b"\xff" * (4 * MAX_LENGTH + 1)) == (False, "input.too_long", None)
    assert _scalar("uscc", b"\xff" * (4 * MAX_LENGTH)) == (False, "input.type", None)


def test_a_str_subclass_is_read_as_its_text_whatever_it_overrides() -> None:
    class Lying(str):
        def __len__(self) -> int:
            return 18

        def isascii(self) -> bool:
            return True

        def isalnum(self) -> bool:
            return True

    assert uscc.validate(Lying(" 91350100m000100y43 ")) == USCC
    assert _scalar("uscc", Lying("9" * HUGE)) == (False, "input.too_long", None)
    assert regions.is_known(np.str_("110105")) and not regions.is_known(Lying("110105 "))


def test_identify_is_masked_and_regions_lookups_are_bounded() -> None:
    huge = "1" * HUGE
    assert identify(huge) == () and identify(RIC + " " * HUGE) == ()
    assert not ric.is_masked("110105********002X" + " " * HUGE)
    assert regions.lookup(huge) is None and regions.lookup("１１０１０５" * HUGE) is None
    assert not regions.is_known(huge) and not regions.is_current(huge)
    assert regions.full_name(huge) is None


def test_check_refuses_a_huge_value_and_treats_it_as_personal() -> None:
    text = (RIC + " ") * (HUGE // 19)
    found = verdict.check(text)
    assert not found.valid and [problem.code for problem in found.errors] == ["input.too_long"]
    assert found.is_personal  # refused unread, it may hold ID numbers: reports mask it
    assert verdict.check(RIC, kind="ric").valid


@pytest.mark.parametrize("value", [10**5000, -(10**5000)], ids=["huge-int", "huge-negative-int"])
def test_check_never_raises_on_values_whose_repr_fails(value) -> None:
    found = verdict.check(value)
    assert not found.valid and found.errors[0].code == "input.type" and found.text == "<int>"


def test_check_never_raises_on_deeply_nested_or_hostile_objects() -> None:
    nested: list = []
    for _ in range(100_000):
        nested = [nested]

    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    for value in (nested, Hostile(), b"x" * HUGE, [RIC] * 100_000):
        found = verdict.check(value)
        assert not found.valid and found.errors[0].code in ("input.type", "input.too_long")
        assert len(found.text) <= 4 * MAX_LENGTH


# --------------------------------------------------------------------------------------------------
# creditstd generate: impossible constraints are usage errors (exit 2), bilingual, never echoing the value


@pytest.mark.parametrize("arguments", [
    ["ric", "--region", "abc"],
    ["ric", "--region", "11010"],
    ["ric", "--region", "999999"],
    ["ric", "--region", RIC],
    ["ric", "--birth-from", "0001-01-01"],
    ["ric", "--birth-to", "1799-12-31"],
    ["ric", "--birth-from", "1960-01-01", "--birth-to", "1950-01-01"],
    ["ric", "--birth-from", "2999-01-01"],
    ["ric", "--birth-from", RIC],
    ["ric", "--id-kind", "citizen15", "--birth-from", "2005-01-01"],
    ["ric", "--id-kind", "citizen15", "--region", "110000"],
    ["ric", "--id-kind", "residence_permit", "--region", "110105"],
    ["ric", "--id-kind", RIC],
    ["ric", "--sex", RIC],
    ["uscc", "--authority", "Q"],
    ["uscc", "--authority", RIC],
    ["uscc", "--authority", "9", "--category", "7"],
    ["uscc", "--region", "999999"],
    ["uscc", "--region", ""],
    ["regno", "--region", "abc"],
    ["regno", "--ownership", RIC],
    ["orgcode", "-n", "0"],
    ["ric", "-n", "-1"],
    ["ric", "-n", "9" * 30],
    ["ric", "-n", RIC[:17]],
    ["ric", "--seed", RIC],
    [RIC],
], ids=lambda arguments: " ".join(arguments))
def test_generate_refuses_impossible_constraints_with_a_bilingual_usage_error(arguments) -> None:
    result = CliRunner().invoke(main, ["generate", *arguments], env={"CREDITSTD_LANG": "both"})
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an escaped error
    assert result.stdout == ""  # nothing printed before the refusal
    assert "Traceback" not in result.stderr and "Error:" in result.stderr
    message = result.stderr.split("Error:", 1)[1]
    assert any("\u4e00" <= char <= "\u9fff" for char in message) and " / " in message  # Chinese and English
    assert RIC not in result.stderr and RIC[:17] not in result.stderr


def test_generate_still_honours_constraints_it_can_meet() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["generate", "ric", "-n", "5", "--region", "１１０１０５", "--seed", "2",
                                  "--birth-from", "2010-01-01"])
    assert result.exit_code == 0
    for number in result.stdout.split():
        info = ric.parse(number)
        assert info.region_code == "110105" and info.birth_date.year >= 2010
    result = runner.invoke(main, ["generate", "ric", "--birth-to", "1900-01-01", "--seed", "2"])
    assert result.exit_code == 0 and ric.parse(result.stdout.strip()).birth_date.year <= 1900
    assert ric.is_valid(result.stdout.strip(), strict=True)


def test_library_generators_raise_value_errors_not_key_errors() -> None:
    from datetime import date, datetime

    for call in (lambda: ric.generate(region="abc"), lambda: ric.generate(region="３３０１０Ｘ"),
                 lambda: ric.generate(kind="passport"), lambda: ric.generate(birth_from=date(1, 1, 1)),
                 lambda: ric.generate(kind="citizen15", region="110000"), lambda: uscc.generate(region="abc"),
                 lambda: regno.generate(region=110105), lambda: uscc.generate(authority=RIC)):
        with pytest.raises(ValueError) as caught:
            call()
        assert RIC not in str(caught.value)
    # a datetime is a date: accepted, not a TypeError from comparing the two
    number = ric.generate(birth_from=datetime(1990, 1, 1, 12), birth_to=datetime(1990, 1, 1, 13))
    assert ric.parse(number).birth_date == date(1990, 1, 1)
    assert ric.is_valid(ric.generate(kind="citizen15", region="110105"), strict=True)
