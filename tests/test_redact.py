"""redact and redact_personal never leave an ID number whole, whatever invisible characters ride inside it."""

from __future__ import annotations

import unicodedata
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from leaks import full_id_numbers

from creditstd.codes import ric
from creditstd.codes.redact import redact, redact_personal

#: Characters a screen shows as nothing, or only as a mark on the character before them.
INVISIBLE = "\u00ad\u034f\u0301\u061c\u180e\u200b\u200e\u2063\u2066\u20dd\ufe0f\ufeff\U000e0041\U000e0100"
_BIRTHS = st.dates(date(1900, 1, 1), date(2025, 12, 31)).map(lambda day: day.strftime("%Y%m%d"))
_BODIES = st.tuples(st.sampled_from(["110105", "350102", "440305"]), _BIRTHS,
                    st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")).map("".join)


def _visible(text: str) -> str:
    """What a reader sees: format characters and marks gone."""
    return "".join(char for char in text if unicodedata.category(char) not in ("Cf", "Mn", "Me")
                   and char not in INVISIBLE)


@settings(max_examples=300, deadline=None)
@given(_BODIES, st.lists(st.text(alphabet=INVISIBLE, max_size=2), min_size=18, max_size=18), st.text(max_size=5),
       st.text(max_size=5))
def test_an_id_number_with_invisible_characters_inside_is_masked(body: str, inside: list[str], before: str,
                                                                  after: str) -> None:
    number = body + ric.calc_check_digit(body)
    text = f"{before} {''.join(char + extra for char, extra in zip(number, inside, strict=True))} {after}"
    assert number in full_id_numbers(_visible(text))  # on screen, the number is whole
    for masked in (redact(text), redact_personal(text)):
        assert full_id_numbers(_visible(masked)) == [], repr(masked)


def test_invisible_characters_are_kept_where_they_were() -> None:
    assert redact("110105\u00ad19491231\u0301002X 备注") == "110105\u00ad********\u0301002X 备注"


def test_every_character_compact_drops_inside_a_number_is_a_separator_to_redact() -> None:
    """compact() reads ``110105<em space>19491231<em space>002X`` as an ID number (it folds the text with NFKC,
    then drops its separators), so redact must mask it: every code point NFKC folds to separators only is one
    of redact's separators too."""
    from creditstd.codes._text import SEPARATORS
    from creditstd.codes.redact import _SEPARATOR_SET

    separators = set(SEPARATORS)
    missing = [hex(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF
               and all(char in separators for char in unicodedata.normalize("NFKC", chr(code)))
               and chr(code) not in _SEPARATOR_SET]
    assert missing == []


@settings(max_examples=200, deadline=None)
@given(_BODIES, st.sampled_from(["\u2003", "\u2009", "\u202f", "\u2026", "\uff3f", "\uff3c", "\ufe4d", "\u0387",
                                 "\x01", "\x1b", "\x7f", "\x85", "\t"]))
def test_an_id_number_split_by_spaces_dots_or_control_characters_is_masked(body: str, separator: str) -> None:
    number = body + ric.calc_check_digit(body)
    text = f"备注{number[:6]}{separator}{number[6:14]}{separator}{number[14:]}"
    assert ric.is_valid(number[:6] + separator + number[6:]) or separator < " " or "\x7f" <= separator <= "\x9f"
    for masked in (redact(text), redact_personal(text)):
        shown = masked.replace(separator, "")
        assert number not in shown and full_id_numbers(shown) == [], repr(masked)
        assert number[6:14] not in shown  # the birth date
