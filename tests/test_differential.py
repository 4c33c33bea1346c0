"""Differential test against python-stdnum (``stdnum.cn.uscc`` and ``stdnum.cn.ric``).

Where both libraries implement the same rule they must agree exactly; where creditstd deliberately
differs (standards.md section 7), every disagreement must fall into a documented class, in the
documented direction.  The classes and their counts are in docs/differences-from-stdnum.md; print
them with::

    .venv/bin/python tests/test_differential.py

All numbers come from fixed seeds, so the counts are reproducible (they move only when the GB/T 2260
table, python-stdnum's ``cn/loc.dat`` or the current date moves the dates of the future-birth class).
"""

from __future__ import annotations

import functools
import random
from collections import Counter
from datetime import date

import pytest
import stdnum.exceptions
from stdnum import numdb
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from creditstd import regions, ric, uscc
from creditstd.codes._checksums import USCC_ALPHABET, gb11714_check, mod_11_2_check, uscc_check

SEED = 20261101
N_USCC = 40_000  # generated codes; each is also mutated once
N_USCC_RANDOM = 5_000  # digit-only codes with random authority/category/region
N_CITIZEN = 25_000  # each is also checksum-corrupted once
N_PERMIT = 5_000
N_FOREIGNER = 2_000
N_BIRTH_RANGE = 2_000  # each gives a 1799 and a 2099 number
N_UNKNOWN_COUNTY = 2_000
N_AGGREGATE_EACH = 100  # per province aggregate
N_CITIZEN15 = 5_000


def stdnum_verdict(module, number: str) -> str:
    """'ok', the stdnum exception class name, or 'KeyError' for stdnum's crash."""
    try:
        module.validate(number)
    except stdnum.exceptions.ValidationError as error:
        return type(error).__name__
    except KeyError:
        return "KeyError"
    return "ok"


def _with_check(body: str) -> str:
    return body + mod_11_2_check(body)


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


# ------------------------------------------------------------------------------------------------
# USCC

_SUBSTITUTES = USCC_ALPHABET + "IOZSV" + "abcy" + "*#"


def _mutate(code: str, rng: random.Random) -> tuple[str, str]:
    kind = rng.choice(["substitute", "substitute", "transpose", "delete", "insert", "lower",
                       "space_hyphen", "other_separator", "fullwidth"])
    i = rng.randrange(18)
    if kind == "substitute":  # never the same character, nor its lower-case form
        choices = [c for c in _SUBSTITUTES if c.upper() != code[i]]
        return kind, code[:i] + rng.choice(choices) + code[i + 1:]
    if kind == "transpose":  # only swaps that change the value
        i = rng.choice([j for j in range(17) if code[j] != code[j + 1]])
        return kind, code[:i] + code[i + 1] + code[i] + code[i + 2:]
    if kind == "delete":
        return kind, code[:i] + code[i + 1:]
    if kind == "insert":
        return kind, code[:i] + rng.choice(USCC_ALPHABET) + code[i:]
    if kind == "lower":
        return kind, code.lower()
    if kind == "space_hyphen":
        return kind, code[:i] + rng.choice(" -") + code[i:]
    if kind == "other_separator":
        return kind, code[:i] + rng.choice("._/") + code[i:]
    return kind, _fullwidth(code)


def _uscc_mutation_class(code: str, text: str, ours: bool, theirs: bool) -> str:
    if ours == theirs:
        return "agree_valid" if ours else "agree_invalid"
    if ours and not theirs:
        canonical = uscc.compact(text)
        if not canonical[:8].isdigit():
            return "we_accept:letter_authority"
        if any(c in "._/" for c in text):
            return "we_accept:separator_._/"
        if any(not c.isascii() and c.isalpha() for c in text):
            return "we_accept:fullwidth_letters"
    return f"UNEXPECTED:{code}->{text!r} ours={ours} stdnum={theirs}"


@functools.cache
def uscc_classes() -> dict[str, Counter]:
    rng = random.Random(SEED)
    generated, mutated, by_mutation, random_codes = Counter(), Counter(), Counter(), Counter()
    for _ in range(N_USCC):
        code = uscc.generate(rng=rng)
        ours, theirs = uscc.is_valid(code), stdnum_uscc.is_valid(code)
        if code[:8].isdigit():
            generated["agree_valid" if ours and theirs else f"UNEXPECTED:{code}"] += 1
        else:
            ok = ours and stdnum_verdict(stdnum_uscc, code) == "InvalidFormat"
            generated["we_accept:letter_authority" if ok else f"UNEXPECTED:{code}"] += 1
        kind, text = _mutate(code, rng)
        label = _uscc_mutation_class(code, text, uscc.is_valid(text), stdnum_uscc.is_valid(text))
        mutated[label] += 1
        by_mutation[f"{kind}:{label}"] += 1
    for _ in range(N_USCC_RANDOM):
        # any digits in positions 1-8: undefined pairs such as 0/0 and regions such as 000000 included
        body = "".join(rng.choice("0123456789") for _ in range(8)) + "".join(rng.choice("0123456789") for _ in range(8))
        partial = body + gb11714_check(body[8:])
        code = partial + uscc_check(partial)
        ours, theirs, strict = uscc.is_valid(code), stdnum_uscc.is_valid(code), uscc.is_valid(code, strict=True)
        if not (ours and theirs):
            random_codes[f"UNEXPECTED:{code}"] += 1
        elif strict:
            random_codes["agree_valid_strict_too"] += 1
        else:
            random_codes["strict_rejects:undefined_pair_or_region"] += 1
    return {"generated": generated, "mutated": mutated, "by_mutation": by_mutation, "random": random_codes}


def _unexpected(counter: Counter) -> list[str]:
    return [label for label in counter if label.startswith("UNEXPECTED")][:10]


def test_uscc_generated_codes_digit_authorities_agree_letter_authorities_differ() -> None:
    """On codes whose positions 1-8 are digits stdnum and creditstd agree exactly; A/N/Y codes only we accept."""
    counts = uscc_classes()["generated"]
    assert not _unexpected(counts), _unexpected(counts)
    assert counts["agree_valid"] > 0.7 * N_USCC
    assert counts["we_accept:letter_authority"] > 0.05 * N_USCC  # A, N and Y are all drawn
    assert sum(counts.values()) == N_USCC


def test_uscc_mutations_agree_except_documented_normalisation_classes() -> None:
    counts = uscc_classes()["mutated"]
    assert not _unexpected(counts), _unexpected(counts)
    assert counts["agree_invalid"] > 0.5 * N_USCC
    by_mutation = uscc_classes()["by_mutation"]
    # corruptions (not formatting changes) never produce a disagreement on digit-authority codes
    corruptions = {label: count for label, count in by_mutation.items()
                   if label.split(":", 1)[0] in ("substitute", "transpose", "delete", "insert")}
    assert all(label.endswith(":agree_invalid") for label in corruptions), corruptions
    assert sum(corruptions.values()) > 0.4 * N_USCC
    # the formatting classes: we accept what stdnum's compact() does not fold
    assert by_mutation["other_separator:we_accept:separator_._/"] > 0
    assert by_mutation["fullwidth:we_accept:fullwidth_letters"] > 0
    assert by_mutation["fullwidth:agree_valid"] > 0  # all-digit bodies: stdnum folds full-width digits
    assert by_mutation["lower:agree_valid"] > 0 and by_mutation["space_hyphen:agree_valid"] > 0


def test_uscc_letter_authority_mutations_are_only_accepted_by_us_when_they_are_formatting() -> None:
    by_mutation = uscc_classes()["by_mutation"]
    for mutation in ("substitute", "transpose", "delete", "insert"):
        assert by_mutation[f"{mutation}:we_accept:letter_authority"] == 0


def test_uscc_strict_rejects_undefined_pairs_and_regions_stdnum_accepts() -> None:
    counts = uscc_classes()["random"]
    assert not _unexpected(counts), _unexpected(counts)
    assert counts["strict_rejects:undefined_pair_or_region"] > 0
    assert stdnum_uscc.is_valid("000000000000000000")  # region 000000, authority 0: stdnum accepts
    assert uscc.is_valid("000000000000000000") and not uscc.is_valid("000000000000000000", strict=True)


# ------------------------------------------------------------------------------------------------
# citizen ID (RIC)


def _stdnum_place_class(number: str) -> str:
    """Why stdnum's get_birth_place rejects a number whose date it accepts."""
    info = {k: v for _, props in numdb.get("cn/loc").info(number[:6]) for k, v in props.items()}
    if not info:
        return "stdnum_rejects:region_not_in_table"
    if "county" not in info:
        return "stdnum_crashes:KeyError_unknown_county"
    year = int(number[6:10])
    spans = [county[1:].split("]")[0].split("-") for county in info["county"].split(",") if county.startswith("[")]
    if spans and all(start and year < int(start) for start, _ in spans):
        return "stdnum_rejects:born_before_code_existed"
    if spans and all(end and year > int(end) for _, end in spans):
        return "stdnum_rejects:born_after_code_ended_per_stdnum"
    return "stdnum_rejects:born_outside_code_years"


def _born(rng: random.Random, low: date, high: date) -> date:
    return date.fromordinal(rng.randint(low.toordinal(), high.toordinal()))


@functools.cache
def ric_classes() -> dict[str, Counter]:
    rng = random.Random(SEED + 1)
    result: dict[str, Counter] = {name: Counter() for name in (
        "citizen", "corrupted", "permit", "foreigner", "birth_range", "unknown_county", "aggregate", "citizen15")}
    today = date.today()

    for _ in range(N_CITIZEN):
        number = ric.generate(birth_from=date(1900, 1, 1), birth_to=today, rng=rng)
        if not ric.is_valid(number, strict=True):
            result["citizen"][f"UNEXPECTED:{number}"] += 1
            continue
        theirs = stdnum_verdict(stdnum_ric, number)
        result["citizen"]["agree_valid" if theirs == "ok" else _stdnum_place_class(number)
                          if theirs in ("InvalidComponent", "KeyError") else f"UNEXPECTED:{number}:{theirs}"] += 1
        if theirs == "ok":  # an otherwise-fine ID with a wrong check character: both reject
            wrong = rng.choice([c for c in "0123456789X" if c != number[17]])
            corrupted = number[:17] + wrong
            agree = not ric.is_valid(corrupted) and stdnum_verdict(stdnum_ric, corrupted) == "InvalidChecksum"
            result["corrupted"]["agree_invalid" if agree else f"UNEXPECTED:{corrupted}"] += 1

    for _ in range(N_PERMIT):
        number = ric.generate(kind="residence_permit", birth_from=date(1930, 1, 1), birth_to=today, rng=rng)
        theirs = stdnum_verdict(stdnum_ric, number)
        if not ric.is_valid(number, strict=True):
            label = f"UNEXPECTED:{number}"
        elif theirs == "ok":
            label = f"agree_valid:{number[:6]}"
        else:
            label = f"we_accept:{number[:6]}:{theirs}"
        result["permit"][label] += 1

    for _ in range(N_FOREIGNER):
        number = ric.generate(kind="foreigner_pr", rng=rng)
        theirs = stdnum_verdict(stdnum_ric, number)
        ok = ric.is_valid(number, strict=True)
        result["foreigner"][f"we_accept:{theirs}" if ok and theirs != "ok" else
                            "agree_valid" if ok else f"UNEXPECTED:{number}"] += 1

    issued = regions.issued_codes()
    for _ in range(N_BIRTH_RANGE):
        region = rng.choice(issued)
        for year in ("1799", "2099"):
            number = _with_check(f"{region}{year}{_born(rng, date(2001, 1, 1), date(2001, 12, 28)):%m%d}"
                                 f"{rng.randint(0, 999):03d}")
            theirs = stdnum_verdict(stdnum_ric, number)
            if ric.is_valid(number):
                label = f"UNEXPECTED:{number}"
            elif theirs == "ok":
                label = f"stdnum_accepts:{year}"
            else:
                label = f"agree_invalid:{year}"
            result["birth_range"][label] += 1

    known = regions.known_codes()
    provinces = sorted({c[:2] for c in issued})
    while sum(result["unknown_county"].values()) < N_UNKNOWN_COUNTY:
        region = rng.choice(provinces) + f"{rng.randint(0, 9999):04d}"
        if region in known:
            continue
        number = _with_check(f"{region}{_born(rng, date(1950, 1, 1), date(2005, 12, 31)):%Y%m%d}"
                             f"{rng.randint(0, 999):03d}")
        theirs = stdnum_verdict(stdnum_ric, number)
        ours_strict = ric.is_valid(number, strict=True)  # must not raise
        ours = ric.is_valid(number)
        if ours_strict or not ours:
            label = f"UNEXPECTED:{number}"
        elif theirs == "KeyError":
            label = "stdnum_crashes:KeyError"
        else:
            label = f"agree_invalid_strict:{theirs}"
        result["unknown_county"][label] += 1

    for province in provinces:
        for _ in range(N_AGGREGATE_EACH):
            number = _with_check(f"{province}0000{_born(rng, date(1950, 1, 1), date(2005, 12, 31)):%Y%m%d}"
                                 f"{rng.randint(0, 999):03d}")
            theirs = stdnum_verdict(stdnum_ric, number)
            if not ric.is_valid(number) or ric.is_valid(number, strict=True):
                label = f"UNEXPECTED:{number}"
            elif theirs == "ok":
                label = "stdnum_accepts:aggregate"
            else:
                label = f"agree_invalid_strict:{theirs}"
            result["aggregate"][label] += 1

    for _ in range(N_CITIZEN15):
        number = ric.generate(kind="citizen15", rng=rng)
        theirs = stdnum_verdict(stdnum_ric, number)
        ok = ric.is_valid(number, strict=True)
        result["citizen15"][f"we_accept:{theirs}" if ok and theirs != "ok" else f"UNEXPECTED:{number}"] += 1
    return result


def test_ric_citizen_ids_disagree_only_where_stdnum_looks_up_the_birth_year() -> None:
    """stdnum requires the county code to exist in the birth year; an ID keeps the code it was issued under."""
    counts = ric_classes()["citizen"]
    assert not _unexpected(counts), _unexpected(counts)
    assert counts["agree_valid"] > 0
    assert counts["stdnum_rejects:born_before_code_existed"] > 0.3 * N_CITIZEN
    assert sum(counts.values()) == N_CITIZEN
    # the standard's own 1880 example is one of them
    assert ric.is_valid("440524188001010014", strict=True)
    assert stdnum_verdict(stdnum_ric, "440524188001010014") == "InvalidComponent"


def test_ric_checksum_corruption_of_fine_ids_agrees() -> None:
    counts = ric_classes()["corrupted"]
    assert not _unexpected(counts), _unexpected(counts)
    assert counts["agree_invalid"] == ric_classes()["citizen"]["agree_valid"]


def test_ric_residence_permits_we_accept_stdnum_rejects_taiwan_and_early_births() -> None:
    counts = ric_classes()["permit"]
    assert not _unexpected(counts), _unexpected(counts)
    assert counts["agree_valid:830000"] == 0 and counts["we_accept:830000:InvalidComponent"] > 0
    assert counts["we_accept:810000:InvalidComponent"] > 0 and counts["agree_valid:810000"] > 0
    assert stdnum_verdict(stdnum_ric, "830000199201300022") == "InvalidComponent"
    assert ric.is_valid("830000199201300022", strict=True)


def test_ric_foreigner_pr_ids_only_we_accept() -> None:
    counts = ric_classes()["foreigner"]
    assert not _unexpected(counts), _unexpected(counts)
    assert counts["agree_valid"] == 0
    assert sum(counts.values()) == N_FOREIGNER


def test_ric_birth_years_1799_and_2099_we_reject_stdnum_accepts_some() -> None:
    counts = ric_classes()["birth_range"]
    assert not _unexpected(counts), _unexpected(counts)
    assert counts["stdnum_accepts:1799"] > 0 and counts["stdnum_accepts:2099"] > 0
    assert sum(counts.values()) == 2 * N_BIRTH_RANGE


def test_ric_unknown_county_stdnum_crashes_we_return_false() -> None:
    counts = ric_classes()["unknown_county"]
    assert not _unexpected(counts), _unexpected(counts)
    assert counts["stdnum_crashes:KeyError"] > 0
    with pytest.raises(KeyError):
        stdnum_ric.is_valid("119999199001010012")  # is_valid itself crashes
    assert ric.is_valid("119999199001010012") is True  # non-strict does not look at the region
    assert ric.is_valid("119999199001010012", strict=True) is False


def test_ric_province_aggregates_stdnum_accepts_we_reject_in_strict_mode() -> None:
    counts = ric_classes()["aggregate"]
    assert not _unexpected(counts), _unexpected(counts)
    assert counts["stdnum_accepts:aggregate"] > 0


def test_ric_fifteen_digit_numbers_only_we_accept() -> None:
    counts = ric_classes()["citizen15"]
    assert not _unexpected(counts), _unexpected(counts)
    assert counts == Counter({"we_accept:InvalidLength": N_CITIZEN15})


def test_enough_numbers_were_compared() -> None:
    total = sum(sum(counter.values()) for name, counter in uscc_classes().items() if name != "by_mutation")
    total += sum(sum(counter.values()) for counter in ric_classes().values())
    assert total >= 100_000


def _report() -> None:  # pragma: no cover - documentation helper
    for title, groups in (("USCC", uscc_classes()), ("RIC", ric_classes())):
        for name, counter in groups.items():
            print(f"{title} {name} (n={sum(counter.values())})")
            for label, count in sorted(counter.items()):
                print(f"  {label}: {count}")


if __name__ == "__main__":  # pragma: no cover
    _report()
