"""Property-based tests (hypothesis): generators, error detection, 15->18 upgrade, normalisation.

Error-detection rates, measured exhaustively (every substitution and every value-changing adjacent
transposition of each sampled number; see the tests below for the arguments):

* USCC (GB 32100, mod 31 with weights 3^(i-1)): 100 % of single-character substitutions (30 other
  symbols x 18 positions) and 100 % of adjacent transpositions, the check character included.
* 18-digit citizen ID (ISO 7064 MOD 11-2): 100 % of single-digit substitutions (9 other digits at
  positions 1-17, 10 other characters of ``0-9X`` at position 18) and 100 % of adjacent transpositions.

A rejection is any :class:`~creditstd.exceptions.ValidationError`; for the USCC that includes
``uscc.pilot_checksum`` (Fujian codes whose embedded organisation code still checks).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditstd import orgcode, regions, regno, ric, uscc
from creditstd.codes._checksums import USCC_ALPHABET
from creditstd.exceptions import ValidationError

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EXHAUSTIVE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TODAY = date.today()
seeds = st.integers(min_value=0, max_value=2**64 - 1)
rngs = seeds.map(random.Random)
pairs = st.sampled_from(sorted(uscc.CATEGORIES))
# a few hundred codes are plenty to exercise the region argument; sampling from 7,000 is slow to shrink
_REGION_SAMPLE = random.Random(0).sample(sorted(regions.known_codes() - regions.SPECIAL_CODES), 300)
_ISSUED_SAMPLE = random.Random(1).sample(regions.issued_codes(), 300)


def _rejected(validate, number: str) -> bool:
    try:
        validate(number)
    except ValidationError:
        return True
    return False


# ------------------------------------------------------------------------------------------------
# generators


@FAST
@given(rng=rngs, pair=st.one_of(st.none(), pairs), constrain=st.sampled_from(["none", "authority", "both"]),
       region=st.one_of(st.none(), st.just("100000"), st.sampled_from(_REGION_SAMPLE)))
def test_uscc_generate_validates_strictly_and_honours_constraints(rng, pair, constrain, region) -> None:
    authority = pair[0] if pair and constrain != "none" else None
    category = pair[1] if pair and constrain == "both" else None
    if (authority, category) == ("9", "9"):
        category = None  # 9/9 is unconfirmed: the generator only draws confirmed pairs
    code = uscc.generate(authority=authority, category=category, region=region, rng=rng)
    assert uscc.validate(code, strict=True) == code
    assert uscc.is_valid(code, strict=True)
    assert (code[0], code[1]) in uscc.CATEGORIES and (code[0], code[1]) != ("9", "9")
    if authority:
        assert code[0] == authority
    if category:
        assert code[1] == category
    if region:
        assert code[2:8] == region


@FAST
@given(rng=rngs, kind=st.sampled_from(list(ric.Kind)), sex=st.sampled_from([None, "M", "F"]),
       start=st.dates(min_value=date(1800, 1, 1), max_value=TODAY), span=st.integers(0, 40_000),
       use_region=st.booleans(), region_seed=seeds)
def test_ric_generate_validates_strictly_for_every_kind(rng, kind, sex, start, span, use_region,
                                                        region_seed) -> None:
    if kind is ric.Kind.CITIZEN_15:  # 15-digit numbers carry 19xx dates only
        start = date(1900 + start.year % 100, start.month, min(start.day, 28))
    end = min(start + timedelta(days=span), TODAY if kind is not ric.Kind.CITIZEN_15 else date(1999, 12, 31))
    region = None
    if use_region:
        region = random.Random(region_seed).choice(
            sorted(ric.PERMIT_REGIONS) if kind is ric.Kind.RESIDENCE_PERMIT
            else [c[:2] + "0000" for c in _ISSUED_SAMPLE] if kind is ric.Kind.FOREIGNER_PR
            else _ISSUED_SAMPLE)
    number = ric.generate(kind=kind, region=region, birth_from=start, birth_to=end, sex=sex, rng=rng)
    assert ric.validate(number, strict=True) == number
    assert ric.is_valid(number, strict=True)
    info = ric.parse(number)
    assert info.kind is kind
    assert start <= info.birth_date <= end
    if sex:
        assert info.is_male == (sex == "M")
    if region:
        assert info.region_code == region
    assert len(number) == (15 if kind is ric.Kind.CITIZEN_15 else 18)


@FAST
@given(rng=rngs)
def test_orgcode_and_regno_generate_validate_strictly(rng) -> None:
    code = orgcode.generate(rng=rng)
    assert orgcode.validate(code, strict=True) == code
    number = regno.generate(rng=rng)
    assert regno.validate(number, strict=True) == number


@FAST
@given(rng=rngs, ownership=st.sampled_from([None, "domestic", "foreign-invested", "individual business"]),
       region=st.one_of(st.none(), st.just("100000"), st.sampled_from(_REGION_SAMPLE)))
def test_regno_generate_honours_constraints(rng, ownership, region) -> None:
    number = regno.generate(region=region, ownership=ownership, rng=rng)
    assert regno.is_valid(number, strict=True)
    info = regno.parse(number)
    if ownership:
        assert info.ownership.en == ownership
    if region:
        assert info.region_code == region


# ------------------------------------------------------------------------------------------------
# error detection


def _substitutions(number: str, alphabet_at) -> list[str]:
    return [number[:i] + c + number[i + 1:] for i in range(len(number)) for c in alphabet_at(i) if c != number[i]]


def _transpositions(number: str) -> list[str]:
    return [number[:i] + number[i + 1] + number[i] + number[i + 2:]
            for i in range(len(number) - 1) if number[i] != number[i + 1]]


@EXHAUSTIVE
@given(rng=rngs, pair=pairs)
def test_every_uscc_substitution_and_transposition_is_rejected(rng, pair) -> None:
    """Detection rate 100 % for both classes (exhaustive per code).

    Substitution at positions 1-17 changes the weighted sum by w*(a-b) with w = 3^k mod 31 non-zero
    and 0 < |a-b| < 31, so never 0 mod 31; at position 18 the check itself differs.  A transposition
    of positions i, i+1 <= 17 changes the sum by (a-b)*(w_i - 3*w_i) = -2*w_i*(a-b), non-zero mod 31;
    swapping positions 17 and 18 passes only if (c17-c18)*(1-w17) = 0 mod 31, and w17 = 28.
    """
    authority, category = pair
    code = uscc.generate(authority=authority, category=None if pair == ("9", "9") else category, rng=rng)
    substitutions = _substitutions(code, lambda _: USCC_ALPHABET)
    assert len(substitutions) == 18 * 30
    transpositions = _transpositions(code)
    accepted = [c for c in substitutions + transpositions if not _rejected(uscc.validate, c)]
    assert accepted == []
    assert not any(uscc.is_valid(c) for c in substitutions + transpositions)


@EXHAUSTIVE
@given(rng=rngs, kind=st.sampled_from([ric.Kind.CITIZEN, ric.Kind.RESIDENCE_PERMIT, ric.Kind.FOREIGNER_PR]),
       x_check=st.booleans())
def test_every_citizen_id_substitution_and_transposition_is_rejected(rng, kind, x_check) -> None:
    """Detection rate 100 % for both classes (exhaustive per number).

    MOD 11-2 weights 2^k mod 11 are non-zero and |a-b| <= 9 < 11, so a substitution in 1-17 always
    changes the sum mod 11; at 18 the check differs.  Adjacent weights satisfy w_i = 2*w_(i+1), so a
    transposition changes the sum by (a-b)*w_(i+1) != 0; swapping 17 and 18 (weights 2 and 1) changes
    it by c18-c17; an ``X`` moved to position 17 is a format error.
    """
    for _ in range(40):  # draw until the check character is (or is not) X, as asked
        number = ric.generate(kind=kind, rng=rng)
        if (number[17] == "X") == x_check:
            break
    substitutions = _substitutions(number, lambda i: "0123456789X" if i == 17 else "0123456789")
    assert len(substitutions) == 17 * 9 + 10
    mutants = substitutions + _transpositions(number)
    assert [m for m in mutants if not _rejected(ric.validate, m)] == []
    assert not any(ric.is_valid(m) for m in mutants)


def test_detection_rates_on_a_fixed_sample_are_exactly_one() -> None:
    """The measured rates quoted in the module docstring, over 200 USCCs and 200 citizen IDs."""
    rng = random.Random(20261101)
    counts = {"uscc_sub": [0, 0], "uscc_swap": [0, 0], "ric_sub": [0, 0], "ric_swap": [0, 0]}
    for _ in range(200):
        code = uscc.generate(rng=rng)
        for key, mutants in (("uscc_sub", _substitutions(code, lambda _: USCC_ALPHABET)),
                             ("uscc_swap", _transpositions(code))):
            counts[key][0] += sum(_rejected(uscc.validate, m) for m in mutants)
            counts[key][1] += len(mutants)
        number = ric.generate(rng=rng)
        for key, mutants in (("ric_sub", _substitutions(number, lambda i: "0123456789X" if i == 17
                                                        else "0123456789")),
                             ("ric_swap", _transpositions(number))):
            counts[key][0] += sum(_rejected(ric.validate, m) for m in mutants)
            counts[key][1] += len(mutants)
    assert counts["uscc_sub"][1] == 200 * 540 and counts["ric_sub"][1] == 200 * 163
    assert all(rejected == total for rejected, total in counts.values()), counts


# ------------------------------------------------------------------------------------------------
# 15 -> 18 upgrade


@FAST
@given(rng=rngs, start=st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)))
def test_fifteen_to_eighteen_round_trip(rng, start) -> None:
    old = ric.generate(kind="citizen15", birth_from=start, birth_to=date(1999, 12, 31), rng=rng)
    new = ric.to_18(old)
    assert len(new) == 18 and ric.validate(new, strict=True) == new
    assert new[6:8] == "19"
    assert new[:6] + new[8:17] == old
    assert ric.to_18(new) == new
    before, after = ric.parse(old), ric.parse(new)
    assert before.birth_date == after.birth_date
    assert before.sex == after.sex
    assert before.region_code == after.region_code
    assert after.kind is ric.Kind.CITIZEN and before.kind is ric.Kind.CITIZEN_15


# ------------------------------------------------------------------------------------------------
# normalisation


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def _generated(kind: str, rng: random.Random) -> tuple[object, str]:
    if kind == "uscc":
        return uscc, uscc.generate(rng=rng)
    if kind == "ric":
        return ric, ric.generate(kind=rng.choice(list(ric.Kind)), rng=rng)
    if kind == "orgcode":
        return orgcode, orgcode.generate(rng=rng)
    return regno, regno.generate(rng=rng)


@settings(max_examples=150, deadline=None)
@given(rng=rngs, kind=st.sampled_from(["uscc", "ric", "orgcode", "regno"]),
       lower=st.booleans(), fullwidth=st.booleans(),
       cuts=st.lists(st.tuples(st.integers(0, 18), st.sampled_from([" ", "-", "  ", " - ", "\u3000"])),
                     max_size=4))
def test_normalised_variants_validate_to_the_canonical_value(rng, kind, lower, fullwidth, cuts) -> None:
    module, canonical = _generated(kind, rng)
    text = canonical.lower() if lower else canonical
    if fullwidth:
        text = _fullwidth(text)
    for position, separator in sorted(cuts, reverse=True):
        position = min(position, len(text))
        text = text[:position] + separator + text[position:]
    assert module.validate(text) == canonical
    assert module.validate(text, strict=True) == canonical
    assert module.is_valid(text) and module.is_valid(text, strict=True)
    assert module.compact(text) == canonical


@pytest.mark.parametrize("module, number", [(uscc, "91350100M000100Y43"), (ric, "11010519491231002X"),
                                            (orgcode, "D2143569X"), (regno, "440301103097413")])
def test_fullwidth_fold_of_published_examples(module, number) -> None:
    assert module.validate(_fullwidth(number.lower())) == number
