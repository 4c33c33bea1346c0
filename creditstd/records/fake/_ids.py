"""Identifiers and personal names for fake records, drawn fast from one ``random.Random``.

The public generators (:func:`creditstd.uscc.generate`, :func:`creditstd.ric.generate`...)
check their arguments, normalise the region code and, for ID numbers,
validate what they made; that costs more than the record it goes into.  The
generator already holds a county code that is issued and current (it comes
from :func:`creditstd.records.fake._domain.cities`), so here each identifier
is put together from its parts and its check character, with the same
check-character functions the validators use (:mod:`creditstd.codes._checksums`):

* a USCC is registration authority + category + region + a GB 11714 body
  (half old all-digit bodies, half new ``MA…`` ones) with its check, then the
  GB 32100 check character;
* a registration number (GS 15-2006) is region + ownership digit + seven
  digits + the ISO 7064 MOD 11,10 check digit;
* a citizen ID (GB 11643) is region + birth date + sequence (odd for men,
  even for women) + the MOD 11-2 check character; a foreigner's permanent
  residence ID is ``9`` + province + country + birth date + sequence + check.

Names come from Faker's ``zh_CN`` tables (surnames weighted as Faker weighs
them), drawn with the same generator: one ``choices`` call instead of a trip
through Faker's format parser.  ``tests/test_fake.py`` checks that thousands
of these identifiers pass strict validation.

>>> import random
>>> from creditstd.codes import ric, uscc
>>> rng = random.Random(4)
>>> code = fast_uscc(rng, "9", "1", "440305")
>>> code[:8], uscc.is_valid(code, strict=True)
('91440305', True)
>>> number = fast_citizen_id(rng, "440305", 700_000, 20_000, "F")
>>> ric.is_valid(number, strict=True), ric.parse(number).sex.en
(True, 'female')
>>> len(NAMES.person(rng)) >= 2
True
>>> from creditstd.codes._checksums import mod_11_10_check
>>> all(_mod_11_10_check(str(n)[:6], str(n)[6:]) == mod_11_10_check(str(n)) for n in range(10**13, 10**13 + 3000))
True
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from datetime import date
from typing import Any

from faker.providers.company.zh_CN import Provider as _Company
from faker.providers.person.zh_CN import Provider as _Person

from creditstd.codes._checksums import (
    USCC_ALPHABET,
    gb11714_check,
    mod_11_2_check,
    uscc_check,
)

__all__ = ["NAMES", "FastRandom", "Names", "fast_citizen_id", "fast_foreigner_id", "fast_orgcode", "fast_regno",
           "fast_uscc"]

#: First digits of a registration number's sequence by kind of entity (GS 15-2006).
_OWNERSHIP_FIRSTS = {"domestic": "0123", "foreign-invested": "45", "individual business": "6789"}
#: Countries a foreigner's permanent residence ID names (ISO 3166 numeric), as :mod:`creditstd.codes.ric` draws them.
_COUNTRIES = ("036", "076", "124", "250", "276", "356", "392", "398", "410", "643", "704", "826", "840")
_ORDINAL_1800 = date(1800, 1, 1).toordinal()


class FastRandom(random.Random):
    """A ``random.Random`` whose ``choice``, ``randint``, ``randrange`` and ``shuffle`` cost one call a draw
    instead of three.

    The standard methods draw an exact uniform integer by rejection (``_randbelow``: two more Python calls
    each time); these scale one 53-bit ``random()`` instead.  For the sizes drawn here (at most a few
    million) the bias is below 2**-30, far under anything a fake record could show, and the sequence is
    still fully determined by the seed.

    >>> first, again = FastRandom(1), FastRandom(1)
    >>> draws = [first.randint(1, 6) for _ in range(1000)]
    >>> draws == [again.randint(1, 6) for _ in range(1000)], sorted(set(draws))
    (True, [1, 2, 3, 4, 5, 6])
    >>> sorted({FastRandom(seed).choice("ab") for seed in range(20)})
    ['a', 'b']
    >>> items = list(range(10)); FastRandom(3).shuffle(items); sorted(items) == list(range(10))
    True
    """

    def choice(self, seq: Any) -> Any:
        if not seq:
            raise IndexError("cannot choose from an empty sequence")
        return seq[int(self.random() * len(seq))]

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        if step != 1:
            return super().randrange(start, stop, step)
        if stop <= start:
            raise ValueError(f"empty range in randrange({start}, {stop})")
        return start + int(self.random() * (stop - start))

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def shuffle(self, x: Any) -> None:
        """Shuffle list ``x`` in place (Fisher-Yates, each position drawn with one ``random()``)."""
        random = self.random
        for i in range(len(x) - 1, 0, -1):
            j = int(random() * (i + 1))
            x[i], x[j] = x[j], x[i]

    def pick(self, population: Sequence[Any], cum_weights: Sequence[float]) -> Any:
        """One item of ``population`` by cumulative weights: ``choices(..., cum_weights=...)[0]`` in one call."""
        return population[bisect(cum_weights, self.random() * cum_weights[-1], 0, len(population) - 1)]


_PAIRS: dict[str, tuple[str, ...]] = {}


def _pairs(alphabet: str) -> tuple[str, ...]:
    """Every two characters of ``alphabet``, in order: one draw among them is two uniform draws of a character."""
    found = _PAIRS.get(alphabet)
    if found is None:
        found = _PAIRS[alphabet] = tuple(first + second for first in alphabet for second in alphabet)
    return found


def fast_orgcode_body(rng: random.Random, alphabet: str) -> str:
    """An 8-character GB 11714 body: an old all-digit one or a new ``MA`` one, half and half."""
    random = rng.random
    if random() < 0.5:
        return f"{int(random() * 100_000_000):08d}"
    pairs = _pairs(alphabet)
    count = len(pairs)
    return f"MA{pairs[int(random() * count)]}{pairs[int(random() * count)]}{pairs[int(random() * count)]}"


def fast_orgcode(rng: random.Random) -> str:
    """An organisation code (compact form), never in the reserved ``PDY`` range (a body starts with a digit or MA)."""
    body = fast_orgcode_body(rng, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return body + gb11714_check(body)


def fast_uscc(rng: random.Random, authority: str, category: str, region: str) -> str:
    """A USCC of a confirmed ``authority``/``category`` pair in the issued code ``region``."""
    body = fast_orgcode_body(rng, USCC_ALPHABET)
    partial = f"{authority}{category}{region}{body}{gb11714_check(body)}"
    return partial + uscc_check(partial)


def fast_regno(rng: random.Random, region: str, ownership: str = "domestic") -> str:
    """A 15-digit registration number of ``region`` for ``ownership`` (domestic, foreign-invested,
    individual business)."""
    rest = f"{rng.choice(_OWNERSHIP_FIRSTS[ownership])}{rng.randrange(10_000_000):07d}"
    return f"{region}{rest}{_mod_11_10_check(region, rest)}"


class _CompactDays(dict[int, str]):
    """Day number (ordinal) -> ``YYYYMMDD``, each written once (birth days span a few decades)."""

    def __missing__(self, day: int) -> str:
        text = self[day] = date.fromordinal(day).strftime("%Y%m%d")
        return text


_COMPACT_DAYS = _CompactDays()


def _birth(first: int, span: int, rng: random.Random) -> str:
    return _COMPACT_DAYS[first + rng.randrange(span + 1)]


def _mod_11_10_steps() -> tuple[dict[str, int], ...]:
    """ISO 7064 MOD 11,10 as a table: state (1-10) -> digit -> next state."""
    return tuple({str(digit): ((((state + digit) % 10 or 10) * 2) % 11) for digit in range(10)}
                 for state in range(11))


_MOD_11_10_STEPS = _mod_11_10_steps()
_MOD_11_10_STATES: dict[str, int] = {}


def _mod_11_10_after(prefix: str) -> int:
    """The MOD 11,10 state after the digits of ``prefix`` (a region code: remembered)."""
    state = _MOD_11_10_STATES.get(prefix)
    if state is None:
        state = 10
        for digit in prefix:
            state = _MOD_11_10_STEPS[state][digit]
        _MOD_11_10_STATES[prefix] = state
    return state


def _mod_11_10_check(region: str, rest: str) -> str:
    """``mod_11_10_check(region + rest)``, from the state after ``region`` and a table step per digit."""
    state = _mod_11_10_after(region)
    steps = _MOD_11_10_STEPS
    for digit in rest:
        state = steps[state][digit]
    return str((11 - state) % 10)


def _sequence(rng: random.Random, sex: str | None) -> str:
    last = rng.randrange(5) * 2 + (1 if sex == "M" else 0 if sex == "F" else rng.randrange(2))
    return f"{rng.randrange(100):02d}{last}"


def fast_citizen_id(rng: random.Random, region: str, first: int, span: int, sex: str | None = None) -> str:
    """An 18-digit citizen ID of county ``region``, born on ordinal day ``first`` + 0..``span`` (not before 1800)."""
    body = f"{region}{_birth(max(first, _ORDINAL_1800), span, rng)}{_sequence(rng, sex)}"
    return body + mod_11_2_check(body)


def fast_foreigner_id(rng: random.Random, region: str, first: int, span: int, sex: str | None = None) -> str:
    """A foreigner's permanent residence ID (2023 form) issued in the province of ``region``."""
    body = f"9{region[:2]}{rng.choice(_COUNTRIES)}{_birth(max(first, _ORDINAL_1800), span, rng)}{_sequence(rng, sex)}"
    return body + mod_11_2_check(body)


class Names:
    """People's and companies' names from Faker's ``zh_CN`` tables, drawn with a given ``random.Random``."""

    def __init__(self) -> None:
        weights = _Person.last_names
        self.last_names = tuple(weights)
        total = 0.0
        cumulative = []
        for name in self.last_names:
            total += float(weights[name])
            cumulative.append(total)
        self.last_weights = tuple(cumulative)
        self.male = tuple(_Person.first_names_male)
        self.female = tuple(_Person.first_names_female)
        self.first = self.male + self.female
        self.company_prefixes = tuple(_Company.company_prefixes)
        self.company_suffixes = tuple(_Company.company_suffixes)

    def last_name(self, rng: random.Random) -> str:
        if isinstance(rng, FastRandom):
            return rng.pick(self.last_names, self.last_weights)
        return rng.choices(self.last_names, cum_weights=self.last_weights)[0]

    def person(self, rng: random.Random, sex: str | None = None) -> str:
        """A full name: surname and given name (of a man for ``'M'``, a woman for ``'F'``)."""
        first = self.male if sex == "M" else self.female if sex == "F" else self.first
        return self.last_name(rng) + rng.choice(first)

    def company(self, rng: random.Random) -> str:
        return rng.choice(self.company_prefixes) + rng.choice(self.company_suffixes)


NAMES = Names()
