"""Nothing a user can pass makes ``is_valid``, ``identify``, ``verdict.check`` raise; ``ric.mask`` never leaks."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from creditstd import identify, orgcode, regions, regno, ric, uscc
from creditstd.codes import verdict
from creditstd.codes.identify import IdentifierKind
from creditstd.exceptions import ValidationError

ROBUST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# near-misses of every identifier shape: the interesting inputs are almost-valid ones
_ID_CHARS = "0123456789X*xIOZSV -_./ａ０Ｘ\u3000\u00a0"
near_ids = st.text(alphabet=_ID_CHARS, min_size=5, max_size=22)
scalars = st.one_of(
    st.text(), near_ids, st.binary(), st.none(), st.integers(), st.floats(allow_nan=True), st.booleans(),
    st.decimals(allow_nan=True), st.complex_numbers(),
)
anything = st.one_of(scalars, st.lists(scalars, max_size=3), st.tuples(scalars), st.dictionaries(st.text(), scalars))

MODULES = [uscc, ric, orgcode, regno, regions]
NASTY = [None, b"\xff\xfe", b"91350100M000100Y43", 914403001922038216, 1.5, math.nan, [], ["91350100M000100Y43"],
         {"a": 1}, object(), "\ud800" * 18, "ﬀ" * 9, "*" * 18, "110105********002X", "９" * 18, "", " ",
         "00000000000000000X", "91350211M0000XUF46", "119999199001010012"]


@ROBUST
@given(value=anything)
@example(value="\ud800" * 18)
@example(value="1" * 17 + "\x00")
@example(value="ǅ" * 18)
def test_is_valid_never_raises(value) -> None:
    for module in MODULES:
        for strict in (False, True):
            assert module.is_valid(value, strict=strict) in (True, False), module.__name__


@pytest.mark.parametrize("value", NASTY, ids=repr)
def test_is_valid_never_raises_on_known_nasty_inputs(value) -> None:
    for module in MODULES:
        assert module.is_valid(value) in (True, False)
        assert module.is_valid(value, strict=True) in (True, False)


def test_non_text_is_never_valid() -> None:
    """Ints and floats are never silently read as numbers (a lost leading zero, a float's rounding)."""
    for value in (914403001922038216, 440301103097413, 110105, 192203821, 1.10105e17, None, ["110105"]):
        for module in MODULES:
            assert not module.is_valid(value)


@ROBUST
@given(value=anything)
def test_identify_and_check_never_raise(value) -> None:
    kinds = identify(value)
    assert isinstance(kinds, tuple) and all(isinstance(k, IdentifierKind) for k in kinds)
    for strict in (False, True):
        result = verdict.check(value, strict=strict)
        assert isinstance(result, verdict.Verdict)
        assert result.valid == (result.kind is not None and result.kind != "masked_id")
        if not result.valid and result.kind is None:
            assert all(problem.code for problem in result.errors)
    assert identify(value) == kinds  # pure


@pytest.mark.parametrize("value", NASTY, ids=repr)
def test_identify_and_check_never_raise_on_known_nasty_inputs(value) -> None:
    identify(value)
    for strict in (False, True):
        assert isinstance(verdict.check(value, strict=strict), verdict.Verdict)


@ROBUST
@given(value=anything, keep_start=st.integers(0, 20), keep_end=st.one_of(st.none(), st.integers(0, 20)))
@example(value="11010519491231002X", keep_start=6, keep_end=None)
@example(value="110105491231002", keep_start=6, keep_end=None)
@example(value="ﬀ" * 9, keep_start=3, keep_end=2)
def test_mask_never_reveals_more_than_asked(value, keep_start, keep_end) -> None:
    masked = ric.mask(value, keep_start=keep_start, keep_end=keep_end)
    assert isinstance(masked, str)
    end = keep_end if keep_end is not None else (3 if len(masked) == 15 else 4)
    revealed = [i for i, char in enumerate(masked) if char != "*"]
    assert len(revealed) <= keep_start + end
    # what is shown is only ever a prefix of at most keep_start and a suffix of at most keep_end
    assert all(i < keep_start or i >= len(masked) - end for i in revealed)


@ROBUST
@given(value=st.one_of(st.text(), near_ids), keep_start=st.integers(0, 8), keep_end=st.integers(0, 8))
@example(value="0" * 129, keep_start=0, keep_end=0)  # longer than any identifier: not normalised
def test_mask_hides_the_middle_of_text_and_keeps_its_length(value, keep_start, keep_end) -> None:
    masked = ric.mask(value, keep_start=keep_start, keep_end=keep_end, char="#")
    try:
        text = ric.compact(value)
    except ValidationError:  # longer than any identifier: masked as given, not normalised (input.too_long)
        text = value
    assert len(masked) == len(text)
    if len(text) <= keep_start + keep_end:
        assert masked == "#" * len(text)
    else:
        assert masked[keep_start:len(text) - keep_end] == "#" * (len(text) - keep_start - keep_end)


def test_default_mask_hides_the_birth_date() -> None:
    masked = ric.mask("11010519491231002X")
    assert masked == "110105********002X" and "19491231" not in masked
    assert ric.mask("110105491231002") == "110105******002"
