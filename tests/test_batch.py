"""``validate_batch`` agrees item by item with the scalar ``validate``, for every container it accepts."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditstd import orgcode, regno, ric, uscc, validate_batch
from creditstd.codes import batch
from creditstd.exceptions import ValidationError

KINDS = {"uscc": uscc, "ric": ric, "orgcode": orgcode, "regno": regno}
BATCH = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def _valid_number(kind: str, rng: random.Random) -> str:
    if kind == "uscc":
        return uscc.generate(rng=rng)
    if kind == "ric":
        return ric.generate(kind=rng.choice(list(ric.Kind)), rng=rng)
    if kind == "orgcode":
        return orgcode.generate(rng=rng)
    return regno.generate(rng=rng)


def _item(kind: str, rng: random.Random, flavour: str) -> object:
    """One cell of a messy column."""
    number = _valid_number(rng.choice(list(KINDS)) if flavour == "other_kind" else kind, rng)
    if flavour in ("valid", "other_kind"):
        return number
    if flavour == "corrupted":
        i = rng.randrange(len(number))
        return number[:i] + rng.choice("0123456789ABXYZ*") + number[i + 1:]
    if flavour == "swapped":
        i = rng.randrange(len(number) - 1)
        return number[:i] + number[i + 1] + number[i] + number[i + 2:]
    if flavour == "lower":
        return number.lower()
    if flavour == "fullwidth":
        return _fullwidth(number)
    if flavour == "spaced":
        i = rng.randrange(len(number))
        return number[:i] + rng.choice([" ", "-", " - ", "\u3000"]) + number[i:]
    if flavour == "none":
        return None
    if flavour == "int":
        return int(number) if number.isdigit() else rng.randrange(10**18)
    if flavour == "strict_only":  # checksums pass, tables do not: only strict mode rejects these
        return rng.choice(["000000000000000000", "119999199001010012", "110000199001010013", "999398199012310023",
                           "000000000000005", "PDY00001X", "110105491231002"])
    if flavour == "placeholder":
        return rng.choice(["00000000000000000X", "91350211M0000XUF46", "110105********002X", "PDY00001X"])
    return rng.choice(["", "junk", "N/A", "无", "1" * 18, "X" * 18, "中" * 18, "9" * 15, b"91350100M000100Y43"])


FLAVOURS = ["valid", "valid", "other_kind", "corrupted", "swapped", "lower", "fullwidth", "spaced", "none", "int",
            "strict_only", "placeholder", "junk"]
columns = st.tuples(st.sampled_from(list(KINDS)), st.integers(0, 2**32),
                    st.lists(st.sampled_from(FLAVOURS), min_size=0, max_size=40))


def _column(kind: str, seed: int, flavours: list[str]) -> list[object]:
    rng = random.Random(seed)
    return [_item(kind, rng, flavour) for flavour in flavours]


def _scalar(kind: str, value: object, strict: bool) -> tuple[bool, str | None, str | None]:
    try:
        return True, None, KINDS[kind].validate(value, strict=strict)
    except ValidationError as error:
        return False, error.code, None


def _assert_agrees(kind: str, items: list[object], strict: bool, result) -> None:
    valid, errors, values = (list(part) for part in (result.valid, result.errors, result.values))
    assert len(valid) == len(errors) == len(values) == len(items)
    for index, item in enumerate(items):
        expected = _scalar(kind, item, strict)
        got = (bool(valid[index]), errors[index], values[index])
        assert got == expected, (kind, strict, index, item)


@BATCH
@given(column=columns, strict=st.booleans())
def test_list_input_agrees_with_scalar(column, strict) -> None:
    kind, seed, flavours = column
    items = _column(kind, seed, flavours)
    result = validate_batch(items, kind, strict=strict)
    assert isinstance(result.valid, list) and isinstance(result.errors, list) and isinstance(result.values, list)
    _assert_agrees(kind, items, strict, result)
    assert result.invalid_count == sum(not ok for ok in result.valid)


@BATCH
@given(column=columns, strict=st.booleans())
def test_tuple_and_generator_input_agree_with_scalar(column, strict) -> None:
    kind, seed, flavours = column
    items = _column(kind, seed, flavours)
    _assert_agrees(kind, items, strict, validate_batch(tuple(items), kind, strict=strict))
    _assert_agrees(kind, items, strict, validate_batch(iter(items), kind, strict=strict))


@BATCH
@given(column=columns, strict=st.booleans())
def test_numpy_input_agrees_with_scalar(column, strict) -> None:
    kind, seed, flavours = column
    items = [item for item in _column(kind, seed, flavours) if not isinstance(item, bytes)]
    as_object = np.array(items, dtype=object)
    result = validate_batch(as_object, kind, strict=strict)
    assert isinstance(result.valid, np.ndarray) and result.valid.dtype == bool
    assert isinstance(result.errors, np.ndarray) and isinstance(result.values, np.ndarray)
    _assert_agrees(kind, items, strict, result)
    # dtype str turns every cell into text (None -> 'None', ints -> digits): compare with those strings
    as_str = np.array(items, dtype=str)
    result = validate_batch(as_str, kind, strict=strict)
    assert isinstance(result.valid, np.ndarray) and result.valid.dtype == bool
    _assert_agrees(kind, [str(item) for item in as_str.tolist()], strict, result)


@BATCH
@given(column=columns, strict=st.booleans(), chunks=st.integers(1, 4))
def test_arrow_input_agrees_with_scalar(column, strict, chunks) -> None:
    kind, seed, flavours = column
    items = [item if item is None or isinstance(item, str) else str(item) for item in _column(kind, seed, flavours)]
    array = pa.array(items, pa.string())
    result = validate_batch(array, kind, strict=strict)
    assert isinstance(result.valid, pa.Array) and result.valid.type == pa.bool_()
    assert isinstance(result.errors, pa.Array) and isinstance(result.values, pa.Array)
    _assert_agrees(kind, items, strict, _pylist(result))
    size = max(1, len(items) // chunks)
    chunked = pa.chunked_array([items[i:i + size] for i in range(0, len(items), size)] or [[]], pa.string())
    result = validate_batch(chunked, kind, strict=strict)
    assert isinstance(result.valid, (pa.Array, pa.ChunkedArray))
    _assert_agrees(kind, items, strict, _pylist(result))


def _pylist(result):
    return batch.BatchResult(result.valid.to_pylist(), result.errors.to_pylist(), result.values.to_pylist())


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("strict", [False, True])
def test_large_numpy_column_agrees_with_scalar(kind, strict) -> None:
    """A column large enough for the vectorised path to matter, with every flavour mixed in."""
    rng = random.Random(hash((kind, strict)) & 0xFFFF)
    items = [_item(kind, rng, rng.choice(FLAVOURS)) for _ in range(3000)]
    items = [item for item in items if item is None or isinstance(item, str)]
    for array in (np.array(items, dtype=object), np.array([str(i) for i in items], dtype=str)):
        result = validate_batch(array, kind, strict=strict)
        _assert_agrees(kind, array.tolist(), strict, result)
        assert 0 < result.valid.sum() < len(items)


def _counting(monkeypatch, kind: str) -> list[object]:
    calls: list[object] = []
    original = batch.KINDS[kind]

    def counting(value, strict=False):
        calls.append(value)
        return original(value, strict=strict)

    monkeypatch.setitem(batch.KINDS, kind, counting)
    return calls


@pytest.mark.parametrize("kind, strict", [("uscc", False), ("uscc", True), ("ric", False), ("ric", True)])
def test_vectorised_path_handles_canonical_codes_without_the_scalar_validator(monkeypatch, kind, strict) -> None:
    rng = random.Random(7)
    if kind == "uscc":
        codes = [uscc.generate(rng=rng) for _ in range(500)]
    else:  # foreigner PR numbers take the scalar path for their province check, so leave them out
        codes = [ric.generate(kind=rng.choice(["citizen", "residence_permit"]), rng=rng) for _ in range(500)]
    calls = _counting(monkeypatch, kind)
    result = validate_batch(np.array(codes), kind, strict=strict)
    assert result.valid.all() and list(result.values) == codes
    assert calls == []
    # only the items the column pass cannot accept as canonical reach the scalar validator
    wrong_check = codes[2][:17] + ("0" if codes[2][17] != "0" else "1")
    messy = [codes[0][:6] + "-" + codes[0][6:], " " + codes[1], wrong_check, "junk"]
    result = validate_batch(np.array(codes + messy), kind, strict=strict)
    assert sorted(calls) == sorted(messy)
    assert list(result.valid) == [True] * 502 + [False, False]


def test_ints_are_never_accepted_even_when_their_digits_are_valid() -> None:
    """``np.asarray(dtype=str)`` turns an int into valid digits; the batch must still reject it like the scalar."""
    number = int("440524188001010014")
    result = validate_batch([number, "440524188001010014"], "ric")
    assert result.valid == [False, True] and result.errors[0] == "input.type"
    result = validate_batch(np.array([number, "440524188001010014"], dtype=object), "ric")
    assert list(result.valid) == [False, True]


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown identifier kind"):
        validate_batch(["x"], "passport")


def test_empty_inputs() -> None:
    assert validate_batch([], "uscc").valid == []
    assert len(validate_batch(np.array([], dtype=str), "ric").valid) == 0
    assert len(validate_batch(pa.array([], pa.string()), "regno").valid) == 0


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("container", ["list", "numpy_str", "numpy_object", "arrow"])
def test_strict_only_failures_are_caught_by_every_path(kind, container) -> None:
    """Values whose checksums pass but whose tables do not: valid non-strict, invalid strict."""
    items = ["000000000000000000", "119999199001010012", "110000199001010013", "999398199012310023",
             "000000000000005", "PDY00001X", "91350100M000100Y43", "11010519491231002X"] * 50
    values = {"list": items, "numpy_str": np.array(items, dtype=str), "numpy_object": np.array(items, dtype=object),
              "arrow": pa.array(items)}[container]
    for strict in (False, True):
        result = validate_batch(values, kind, strict=strict)
        if container == "arrow":
            result = _pylist(result)
        _assert_agrees(kind, items, strict, result)


# -- the canonical matrix: exact, in both directions, on canonical rows (what `check --file` relies on) ---------

CANONICAL = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _canonical_rows(seed: int, count: int, width: int) -> list[str]:
    """Canonical strings of one length: valid numbers of every kind, one character changed, random ones."""
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        number = _valid_number(rng.choice(list(KINDS)), rng).upper()
        if len(number) != width or rng.random() < 0.2:
            number = "".join(rng.choice(CANONICAL if rng.random() < 0.3 else "0123456789") for _ in range(width))
        if rng.random() < 0.3:
            i = rng.randrange(width)
            number = number[:i] + rng.choice(CANONICAL) + number[i + 1:]
        rows.append(number)
    return rows


@BATCH
@given(seed=st.integers(0, 2**32), width=st.sampled_from([9, 15, 18]), strict=st.booleans())
def test_canonical_valid_is_exactly_the_scalar_verdict(seed, width, strict) -> None:
    rows = [*_canonical_rows(seed, 60, width), "PDY00001X", "000000000000000000", "00000000000000000X",
                                              "911398199012310021", "919998199012310021", "830000199408230021",
                                              "110105491231002", "100000000000009"]
    rows = [row for row in rows if len(row) == width]
    matrix = batch.text_matrix(rows, width)
    assert batch.canonical_rows(matrix).all()
    for kind in KINDS:
        got = batch.canonical_valid(matrix, kind, strict=strict)
        if got is None:
            continue
        expected = [_scalar(kind, row, strict)[0] for row in rows]
        assert got.tolist() == expected, (kind, width, strict)


def test_canonical_rows_refuse_what_is_not_canonical() -> None:
    rows = ["91350100M000100Y43", "91350100m000100y43", "91350100M000100Y4 ", "９1350100M000100Y43"]
    assert batch.canonical_rows(batch.text_matrix(rows, 18)).tolist() == [True, False, False, False]


@pytest.mark.parametrize("kind, width", [("orgcode", 9), ("regno", 15), ("ric", 15)])
@pytest.mark.parametrize("strict", [False, True])
def test_new_vectorised_kinds_skip_the_scalar_validator(monkeypatch, kind, width, strict) -> None:
    rng = random.Random(11)
    if kind == "orgcode":
        codes = [orgcode.generate(rng=rng) for _ in range(300)]
    elif kind == "regno":
        codes = [regno.generate(rng=rng) for _ in range(300)]
    else:
        codes = [ric.generate(kind=ric.Kind.CITIZEN_15, rng=rng) for _ in range(300)]
    codes = [code for code in codes if KINDS[kind].is_valid(code, strict=strict)]
    calls = _counting(monkeypatch, kind)
    result = validate_batch(codes, kind, strict=strict)
    assert all(result.valid) and result.values == codes
    assert calls == []


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize(("kind", "width"), [("uscc", 18), ("ric", 18), ("ric", 15), ("regno", 15), ("orgcode", 9)])
def test_canonical_errors_name_the_scalar_first_error(kind: str, width: int, strict: bool) -> None:
    """batch.canonical_errors gives the code, position and expected check character validate() raises."""
    import random

    from creditstd.codes import batch, orgcode, regno, ric, uscc
    from creditstd.exceptions import ValidationError

    rng = random.Random(width * 7 + strict)
    make = {("uscc", 18): lambda: uscc.generate(rng=rng), ("ric", 18): lambda: ric.generate(rng=rng),
            ("ric", 15): lambda: ric.generate(kind=ric.Kind.CITIZEN_15, rng=rng),
            ("regno", 15): lambda: regno.generate(rng=rng), ("orgcode", 9): lambda: orgcode.generate(rng=rng)}
    rows = []
    for _ in range(3000):
        number = make[(kind, width)]()
        for _ in range(rng.randrange(3)):
            i = rng.randrange(width)
            number = number[:i] + rng.choice("0123456789ABIOXYZ") + number[i + 1:]
        rows.append(number)
    rows += ["00000000000000000X"[:width], "PDY00001X"[:width], "9" * width]
    rows = [row for row in rows if len(row) == width]
    code, position, expected = batch.canonical_errors(batch.text_matrix(rows, width), kind, strict=strict)
    module = {"uscc": uscc, "ric": ric, "regno": regno, "orgcode": orgcode}[kind]
    for row, found, at, check_char in zip(rows, code.tolist(), position.tolist(), expected.tolist(), strict=True):
        try:
            module.validate(row, strict=strict)
            scalar = (None, 0)
        except ValidationError as error:
            scalar = (error.code, error.position or 0)
        assert (batch.ERROR_CODES[found], at) == scalar, row
        if check_char:
            with pytest.raises(ValidationError) as raised:
                module.validate(row, strict=strict)
            assert f"expected '{chr(check_char)}'" in raised.value.message_en, row
