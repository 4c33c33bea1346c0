"""redact and redact_personal never leave an ID number whole, whatever invisible characters ride inside it."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

import pytest
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


# --- list separators: , : ; | + 、 in any width ------------------------------------------------------------------

#: What people put between the values of a list, or between the groups of one number: ASCII, full width, small.
LIST_SEPARATORS = [",", "，", ":", "：", ";", "；", "|", "｜", "+", "＋", "、", "\ufe50", "\ufe55", "\uff64"]
#: Separators of every kind, alone and in the combinations people type (``, ``, `` | ``).
ANY_SEPARATOR = st.sampled_from([*LIST_SEPARATORS, " ", "-", ".", "/", "\u3000", ", ", " | ", "，\u3000", " + "])
_OLD_BODIES = st.tuples(st.sampled_from(["110105", "350102", "440305"]),
                        st.dates(date(1900, 1, 1), date(1999, 12, 31)).map(lambda day: day.strftime("%y%m%d")),
                        st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}")).map("".join)
#: Valid ID numbers: 18 characters (check character computed), and the old 15 digits.
ID_NUMBERS = _BODIES.map(lambda body: body + ric.calc_check_digit(body)) | _OLD_BODIES


def _split(number: str, cuts: list[int], separators: list[str]) -> str:
    """``number`` cut at ``cuts`` (positions), the pieces joined by ``separators`` in turn."""
    points = sorted({cut % len(number) for cut in cuts} - {0})
    pieces = [number[start:stop] for start, stop in zip([0, *points], [*points, len(number)], strict=True)]
    return pieces[0] + "".join(separators[index % len(separators)] + piece
                               for index, piece in enumerate(pieces[1:]))


def whole_in(number: str, text: str) -> bool:
    """Whether ``number`` can be read whole in ``text``: as it is, or once every separator is taken away (with
    the text folded the way the identifier library folds it)."""
    folded = unicodedata.normalize("NFKC", text).upper()
    for separator in {*LIST_SEPARATORS, " ", "-", ".", "/", "\u3000", "\u00a0"}:
        folded = folded.replace(unicodedata.normalize("NFKC", separator), "")
    return number.upper() in folded or number in text


def test_every_form_of_a_list_separator_is_read_as_a_separator() -> None:
    """Each code point NFKC folds to , : ; | + or 、 (the full-width, small, vertical forms...) between the
    groups of an ID number: the birth date is masked."""
    forms = [chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF
             and unicodedata.normalize("NFKC", chr(code))
             and set(unicodedata.normalize("NFKC", chr(code))) <= set(",:;|+、")]
    assert len(forms) > 20
    for form in forms:
        text = f"110105{form}19491231{form}002X"
        assert redact(text) == f"110105{form}********{form}002X", hex(ord(form))
        assert "19491231" not in redact_personal(text), hex(ord(form))


def test_several_id_numbers_in_one_list_are_masked() -> None:
    for separator in LIST_SEPARATORS:
        text = f"11010519491231002X{separator}110105194912310021{separator}350102198001010011"
        assert full_id_numbers(redact(text).replace(separator, "")) == [], separator
        # number by number: each keeps its region and last characters, so a reader can tell them apart
        assert redact(text) == separator.join(["110105********002X", "110105********0021", "350102********0011"])
        assert full_id_numbers(redact_personal(text).replace(separator, "")) == [], separator
        assert not whole_in("11010519491231002X", redact(text)) and not whole_in("110105194912310021", redact(text))


def test_dates_and_times_are_kept_and_hide_no_id_number() -> None:
    for text in ("创建于 2024-06-01 12:30:45", "2024-06-01 12:30:45.123456, 2024-06-02 08:00",
                 "有效期2024.01.01-2027.12.31", "2024/1/1|2024/12/31"):
        assert redact(text) == text
    # a 15-digit ID number written as the time after a date is masked all the same
    assert not whole_in("110105491231002", redact("2024-01-01 11:01:05.491231002"))


def test_a_decimal_whose_digits_are_an_id_number_is_masked_for_publication() -> None:
    """Found by the hypothesis test below: a 15-digit ID number cut by a full stop reads as a decimal, which
    publication keeps (amounts); redact masked it, redact_personal kept it whole."""
    assert redact_personal("110105990.101000") == "110105***.***000"
    assert not whole_in("110105199901010003", redact_personal("1101051999.01010003"))
    for amount in ("12345678.50", "罚款110105990.10元", "123456789012.345678"):  # no valid ID number in the digits
        assert redact_personal(amount) == amount


def test_legal_persons_codes_in_a_list_stay_in_clear_for_publication() -> None:
    text = "91350100M000100Y43,914403001922038216|91350100M000100Y43，11010519491231002X"
    assert redact_personal(text) == "91350100M000100Y43,914403001922038216|91350100M000100Y43，110105********002X"


@settings(max_examples=400, deadline=None)
@given(ID_NUMBERS, st.lists(st.integers(min_value=0, max_value=17), max_size=5),
       st.lists(ANY_SEPARATOR, min_size=1, max_size=4), st.text(max_size=12), st.text(max_size=12), st.booleans())
def test_an_id_number_cut_by_any_separators_inside_any_text_is_masked(
        number: str, cuts: list[int], separators: list[str], before: str, after: str, wide: bool) -> None:
    """Whatever the separators between its groups and the text around it, no valid ID number survives redact
    whole; nor redact_personal (which needs the number valid across a list separator)."""
    written = _split(number, cuts, separators)
    if wide:  # typed with a Chinese input method: full-width digits and X
        written = written.translate({code: code + 0xFEE0 for code in b"0123456789X"})
    text = before + written + after
    assert whole_in(number, text)
    for masked in (redact(text), redact_personal(text)):
        assert not whole_in(number, masked), (text, masked)


#: Digits of every form redact reads (ASCII, full width, Arabic-Indic, superscript, circled...), X, and text.
_MIXED = st.text(alphabet=st.sampled_from(list("0123456789０１９٣²⁴₅①⓪Xx*ＸＡ罚号-., ：;、\u200b")), max_size=40)


@settings(max_examples=500, deadline=None)
@given(_MIXED)
def test_the_quick_digit_count_never_changes_what_redact_masks(text: str) -> None:
    """redact skips a text with fewer digits than a number needs without reading its runs: the same answer
    as reading them."""
    from creditstd.codes.redact import _RUN, _mask_run
    assert redact(text) == _RUN.sub(_mask_run, text)


@pytest.mark.parametrize("dash", list("\u2015\u30fc\uff70\uff5e\u301c\u2053\u2500\u2501\u2e3a\u2e3b\u2043\u23af"
                                      "\u2028\u2029"))
def test_an_id_number_cut_by_a_dash_typed_in_chinese_text_is_masked(dash: str) -> None:
    """―, ー, ～, 〜, ─ and the line separators between the groups of a number hid it from both maskers: check
    echoed it whole, and publication kept it in 违法事实."""
    text = f"身份证号110105{dash}19491231{dash}002X，经查"
    for masked in (redact(text), redact_personal(text)):
        assert "19491231" not in masked, repr(masked)


@pytest.mark.parametrize("invisible", list("\u00ad\u200e\u200f\u2061\u2062\u2063\u2064\u180e\u034f"))
def test_an_invisible_character_inside_a_number_is_dropped_as_a_separator_is(invisible: str) -> None:
    """A valid number with a soft hyphen or a direction mark pasted inside was refused as 19 characters long."""
    from creditstd.codes import uscc
    assert ric.validate(f"110105{invisible}19491231002X") == "11010519491231002X"
    assert uscc.validate(f"91350100M000{invisible}100Y43") == "91350100M000100Y43"


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2099, 12, 31)), st.booleans(),
       st.sampled_from(["", "110105194912310021", "11010519491231002X", " 194912310035", "-19491231003559"]))
def test_a_time_stamp_in_a_file_name_is_kept_and_an_id_number_beside_it_is_not(moment: datetime, seconds: bool,
                                                                                 beside: str) -> None:
    """Exports are named by the time they were made (``penalty_20240601123045.csv``): the name stays as it is,
    so that GitHub annotations and SARIF results point at the real file; digits that hold an ID number do not."""
    stamp = moment.strftime("%Y%m%d%H%M%S" if seconds else "%Y%m%d%H%M")
    name = f"penalty_{stamp}{beside}.csv"
    shown = redact(name)
    if beside:  # an ID number, or one whose address code the stamp's time could be (its check digit mistyped)
        assert not full_id_numbers(shown) and beside not in shown
    else:
        assert shown == name
