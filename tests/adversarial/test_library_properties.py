"""The identifier library against any Python object (issue 10): never a traceback, never a disagreement.

Three properties, over hostile values of every kind (None, bools, huge ints, NaN and infinities, bytes
that are not UTF-8, lone surrogates, NUL, combining and full-width characters, ligatures that NFKC
expands 18-fold, 10 MB strings, str subclasses that lie about themselves, objects whose ``repr`` or
``str`` raises, containers, whatever ``st.from_type(object)`` builds) and near-misses of real numbers:

* ``is_valid`` of every identifier module returns a bool and never raises, strict or not;
* ``validate`` returns the canonical text (a fixed point, accepted exactly when ``is_valid`` says so)
  or raises a :class:`creditstd.exceptions.ValidationError` subclass with a registered code, never
  anything else;
* ``validate_batch`` equals the scalar path item by item on any input in any container it takes: list,
  tuple, iterator, NumPy ``<U`` and object arrays, masked arrays, Arrow string, large string, binary,
  dictionary and chunked arrays with nulls; each compared with the items as that container reports them
  (NumPy drops trailing NULs of a ``<U`` item, a masked item is missing like ``None``).
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pyarrow as pa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from creditstd import orgcode, regions, regno, ric, uscc, validate_batch
from creditstd.codes._text import MAX_LENGTH
from creditstd.exceptions import ERRORS, ValidationError

MODULES = {"uscc": uscc, "ric": ric, "orgcode": orgcode, "regno": regno}
PROPERTY = settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
BATCHES = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))

VALID = ["91350100M000100Y43", "914403001922038216", "A1652800177763177F", "11010519491231002X",
         "440524188001010014", "810000199408230021", "911398199012310021", "110105491231002", "192203821",
         "D2143569X", "440301103097413", "110108000000016"]
NEAR = ["00000000000000000X", "91350211M0000XUF46", "110105********002X", "PDY00001X", "119999199001010012",
        "110000199001010013", "000000000000000000", "91350100M000100Y4Z", "360426199113010079"]


class LyingStr(str):
    """A str subclass that lies about its length and shape and shows other text."""

    def __len__(self) -> int:
        return 18

    def isascii(self) -> bool:
        return True

    def isalnum(self) -> bool:
        return True

    def __str__(self) -> str:
        return "91350100M000100Y43"


class Unprintable:
    """An object whose repr, str and equality all raise."""

    def __repr__(self) -> str:
        raise RuntimeError("repr")

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq")

    __hash__ = object.__hash__


# -- text ---------------------------------------------------------------------------------------------

_NASTY_CHARS = ("\x00", "\ud800", "\udfff", "\u0301", "\u0308", "\u200b", "\ufeff", "\u3000", "\ufdfa", "ﬀ",
                "Ⅻ", "㍿", "\u202e", "ǅ", "ß", "İ", "\uff38", "\uff58", "ｘ", "９", "１", "*", "-", " ", "\n", "\x85")
_ID_CHARS = "0123456789XxMYAN*"
nasty_char = st.sampled_from(_NASTY_CHARS)
any_char = st.characters(exclude_categories=())  # surrogates included
chars = st.one_of(st.sampled_from(_ID_CHARS), nasty_char, any_char)


@st.composite
def near_ids(draw: st.DrawFn) -> str:
    """A real number or near-miss, mangled: characters replaced, inserted, dropped, folded."""
    text = list(draw(st.sampled_from(VALID + NEAR)))
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["replace", "insert", "drop", "fullwidth", "lower"]))
        at = draw(st.integers(0, max(0, len(text) - 1)))
        if action == "replace" and text:
            text[at] = draw(chars)
        elif action == "insert":
            text.insert(at, draw(chars))
        elif action == "drop" and text:
            del text[at]
        elif action == "fullwidth" and text and "!" <= text[at] <= "~":
            text[at] = chr(ord(text[at]) + 0xFEE0)
        elif action == "lower" and text:
            text[at] = text[at].lower()
    return "".join(text)


#: Built once: huge values around and far beyond the limit (st.sampled_from shares them, never copies).
HUGE = [
    "9" * 10_000_000, "９" * 1_000_000, "\ufdfa" * 1_000_000, "a\u0301" * 500_000, "\ud800" * 1_000_000,
    " " * 1_000_000 + "91350100M000100Y43", "11010519491231002X " * 50_000, "\x00" * 1_000_000,
    " " * (MAX_LENGTH - 18) + "91350100M000100Y43", " " * (MAX_LENGTH - 17) + "91350100M000100Y43",
    b"9" * 10_000_000, b"\xff" * 1_000_000, b" " * (4 * MAX_LENGTH),
]
texts = st.one_of(near_ids(), st.text(chars, max_size=40), st.text(max_size=200))
binaries = st.one_of(st.binary(max_size=40), texts.map(lambda text: text.encode("utf-8", "surrogatepass")),
                     st.sampled_from([b"\xff\xfe", b"\xed\xa0\x80", b"91350100M000100Y43", b"\xc3"]))
numbers = st.one_of(st.integers(), st.integers(4300, 4400).map(lambda digits: 10**digits + 7),  # past int->str limit
                    st.floats(allow_nan=True, allow_infinity=True), st.decimals(allow_nan=True),
                    st.complex_numbers(), st.fractions(),
                    st.sampled_from([math.nan, -0.0, Decimal("sNaN"), Fraction(1, 3), 914403001922038216,
                                     11010519491231002, np.int64(110108000000016), np.float64("nan")]))
SPECIALS = [None, True, False, ..., NotImplemented, Unprintable(), LyingStr("abc"), LyingStr("9" * 1_000_000),
            np.str_("91350100M000100Y43"), np.bytes_(b"192203821"), bytearray(b"91350100M000100Y43"),
            memoryview(b"91350100M000100Y43"), object(), str, pa.scalar("91350100M000100Y43"),
            np.array(["91350100M000100Y43"])]


def _one_of(values: list) -> st.SearchStrategy:
    """Pick from ``values`` by index: the strategy's repr (which Hypothesis takes) never shows them."""
    def pick(index: int) -> object:
        return values[index]

    return st.integers(0, len(values) - 1).map(pick)


scalars = st.one_of(texts, binaries, numbers, _one_of(SPECIALS), _one_of(HUGE), st.from_type(object))
anything = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.tuples(inner),
                                                         st.dictionaries(st.text(max_size=3), inner, max_size=2),
                                                         st.frozensets(st.text(max_size=18), max_size=2)),
                        max_leaves=5)


# -- 1. is_valid never raises ---------------------------------------------------------------------------


@PROPERTY
@given(value=anything)
@example(value="\ud800" * 18)
@example(value="91350100M000100Y43\x00junk")
@example(value=10**5000)
@example(value=HUGE[0])
def test_is_valid_never_raises_on_any_object(value) -> None:
    for module in (*MODULES.values(), regions):
        for strict in (False, True):
            assert module.is_valid(value, strict=strict) in (True, False), module.__name__


# -- 2. validate raises only creditstd validation errors ------------------------------------------------


@PROPERTY
@given(value=anything, kind=st.sampled_from(sorted(MODULES)), strict=st.booleans())
@example(value=LyingStr(" 91350100m000100y43 "), kind="uscc", strict=False)
@example(value=HUGE[1], kind="ric", strict=True)
def test_validate_raises_only_validation_errors(value, kind, strict) -> None:
    module = MODULES[kind]
    try:
        canonical = module.validate(value, strict=strict)
    except ValidationError as error:  # anything else escapes and fails the test
        assert error.code in ERRORS and isinstance(error, ERRORS[error.code][0])
        assert module.is_valid(value, strict=strict) is False
        return
    assert type(canonical) is str and canonical.isascii() and len(canonical) <= 18
    assert module.validate(canonical, strict=strict) == canonical  # canonical is a fixed point
    assert module.is_valid(value, strict=strict) is True


# -- 3. validate_batch == the scalar path, in every container --------------------------------------------


def _scalar(kind: str, value: object, strict: bool) -> tuple[bool, str | None, str | None]:
    try:
        return True, None, MODULES[kind].validate(value, strict=strict)
    except ValidationError as error:
        return False, error.code, None


def _rows(result) -> list[tuple[bool, str | None, str | None]]:
    parts = [part.to_pylist() if hasattr(part, "to_pylist") else list(part)
             for part in (result.valid, result.errors, result.values)]
    return [(bool(ok), error, value) for ok, error, value in zip(*parts, strict=True)]


def _assert_batch_equals_scalar(values, reported: list, kind: str, strict: bool, container_type: type) -> None:
    result = validate_batch(values, kind, strict=strict)
    for part in (result.valid, result.errors, result.values):
        assert isinstance(part, container_type) and len(part) == len(reported)
    assert _rows(result) == [_scalar(kind, item, strict) for item in reported]
    assert result.invalid_count == sum(1 for item in reported if not _scalar(kind, item, strict)[0])


any_cells = st.lists(st.one_of(scalars, st.lists(scalars, max_size=2)), max_size=25)
# text a NumPy <U array holds (NULs and lone surrogates included); long items widen the whole array,
# so huge ones stay in the list containers
array_texts = st.one_of(near_ids(), st.text(chars, max_size=30), st.sampled_from(VALID + NEAR),
                        st.sampled_from(VALID).map(lambda number: number + "\x00" + number),
                        st.sampled_from(VALID).map(lambda number: number + "\x00junk"),
                        st.just(" " * (MAX_LENGTH + 1) + "91350100M000100Y43"))
# what Arrow holds: UTF-8 text (no lone surrogates) or null
arrow_texts = st.one_of(st.none(), array_texts.filter(lambda text: not any("\ud800" <= c <= "\udfff" for c in text)))
kinds = st.sampled_from(sorted(MODULES))


@BATCHES
@given(cells=any_cells, kind=kinds, strict=st.booleans())
@example(cells=[LyingStr("abc"), LyingStr("91350100M000100Y43"), "91350100M000100Y43"], kind="uscc", strict=False)
def test_batch_equals_scalar_on_python_containers(cells, kind, strict) -> None:
    _assert_batch_equals_scalar(cells, cells, kind, strict, list)
    _assert_batch_equals_scalar(tuple(cells), cells, kind, strict, list)
    _assert_batch_equals_scalar(iter(cells), cells, kind, strict, list)
    as_object = np.empty(len(cells), dtype=object)
    as_object[:] = cells
    _assert_batch_equals_scalar(as_object, cells, kind, strict, np.ndarray)


@BATCHES
@given(cells=st.lists(array_texts, max_size=30), mask=st.lists(st.booleans(), max_size=30), kind=kinds,
       strict=st.booleans())
@example(cells=["91350100M000100Y43\x00junk", "11010519491231002X\x00" + "1" * 5], mask=[], kind="uscc", strict=False)
@example(cells=["11010519491231002X\x0011010519491231002X"], mask=[], kind="ric", strict=True)
def test_batch_equals_scalar_on_numpy_arrays(cells, mask, kind, strict) -> None:
    as_str = np.array(cells, dtype=str)
    _assert_batch_equals_scalar(as_str, as_str.tolist(), kind, strict, np.ndarray)  # trailing NULs dropped
    mask = (mask + [False] * len(cells))[:len(cells)]
    masked = np.ma.array(as_str, mask=mask)
    reported = [None if hidden else item for item, hidden in zip(as_str.tolist(), mask, strict=True)]
    _assert_batch_equals_scalar(masked, reported, kind, strict, np.ndarray)
    as_object = np.empty(len(cells), dtype=object)
    as_object[:] = cells
    masked_object = np.ma.array(as_object, mask=mask)
    reported = [None if hidden else item for item, hidden in zip(cells, mask, strict=True)]
    _assert_batch_equals_scalar(masked_object, reported, kind, strict, np.ndarray)


@BATCHES
@given(cells=st.lists(arrow_texts, max_size=30), kind=kinds, strict=st.booleans(), cut=st.integers(0, 30))
def test_batch_equals_scalar_on_arrow_arrays(cells, kind, strict, cut) -> None:
    array = pa.array(cells, pa.string())
    layouts = [
        array,
        pa.array(cells, pa.large_string()),
        array.dictionary_encode(),
        pa.chunked_array([cells[:cut], cells[cut:]], pa.string()),
        pa.chunked_array([pa.array(cells[:cut], pa.string()).dictionary_encode(),
                          pa.array(cells[cut:], pa.string()).dictionary_encode()]),
        pa.array([None if cell is None else cell.encode() for cell in cells], pa.binary()),
    ]
    for values in layouts:
        _assert_batch_equals_scalar(values, values.to_pylist(), kind, strict, pa.Array)
