"""Exchange format 2.0: record ids over RFC 8785 canonical JSON, reproducible in another language.

The vectors in docs/record-id-vectors.json are recomputed by the package and, where Node.js is installed,
by tests/node/record_id.js, an independent implementation of docs/exchange-format.md; the canonical JSON
itself is held to ECMAScript's own number and string forms by Node on generated values.  A batch written by
format 1.0 (tests/fixtures/exchange-v1, written by the code before 2.0) still verifies.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditstd.records.canonical_json import MAX_SAFE_INTEGER, canonical_json, number_text
from creditstd.records.exchange import FORMAT_VERSION, identity, record_id, verify_batch

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "docs" / "record-id-vectors.json"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed: the cross-language check is skipped")


def vectors() -> list[dict]:
    return json.loads(VECTORS.read_text(encoding="utf-8"))["vectors"]


@pytest.mark.parametrize("vector", vectors(), ids=lambda vector: vector["note"][:40])
def test_the_package_reproduces_every_vector(vector: dict) -> None:
    assert identity(vector["data"], vector["class"]) == vector["identity"]
    assert canonical_json({"class": vector["class"], "identity": vector["identity"]}).decode() == vector["canonical"]
    assert record_id(vector["data"], vector["class"]) == vector["record_id"]


@pytest.mark.skipif(not (ROOT / "scripts").is_dir(), reason="scripts/ is not here (the tests of the installed wheel)")
def test_the_vectors_file_is_what_the_script_makes(tmp_path: Path) -> None:
    script = (ROOT / "scripts" / "make_record_id_vectors.py").read_text(encoding="utf-8")
    out = tmp_path / "vectors.json"
    code = script.replace('OUT = Path(__file__).resolve().parent.parent / "docs" / "record-id-vectors.json"',
                          f"OUT = Path({str(out)!r})").replace("OUT.relative_to(OUT.parent.parent)", "OUT")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(VECTORS.read_text(encoding="utf-8"))


@needs_node
def test_an_independent_javascript_implementation_reproduces_every_vector() -> None:
    assert NODE is not None
    result = subprocess.run([NODE, str(ROOT / "tests" / "node" / "record_id.js"), str(VECTORS)], check=True,
                            capture_output=True, text=True, encoding="utf-8")
    computed = [json.loads(line) for line in result.stdout.splitlines()]
    expected = [{key: vector[key] for key in ("identity", "canonical", "record_id")} for vector in vectors()]
    assert computed == expected


def _random_double(generator: random.Random) -> float:
    while True:
        value = struct.unpack("<d", struct.pack("<Q", generator.getrandbits(64)))[0]
        if math.isfinite(value):
            return value


@needs_node
def test_numbers_and_strings_are_written_as_ecmascript_writes_them() -> None:
    assert NODE is not None
    generator = random.Random(8785)
    numbers = [_random_double(generator) for _ in range(20000)]
    numbers += [generator.uniform(-1e6, 1e6) for _ in range(2000)] + [float(n) for n in range(-50, 50)]
    numbers += [1e21, 1e20, 9.999999999999999e20, 1e-6, 1e-7, 5e-324, 1.7976931348623157e308, -0.0, 0.1 + 0.2]
    strings = ["".join(chr(generator.choice([generator.randrange(0, 0x80), generator.randrange(0x80, 0xD800),
                                             generator.randrange(0xE000, 0x110000)])) for _ in range(12))
               for _ in range(2000)] + ["\u2028\u2029", "\x7f", '"\\/', "\x00\x1f\b\f\n\r\t"]
    program = ("const lines = require('fs').readFileSync(0, 'utf8').split('\\n').filter(Boolean);"
               "for (const l of lines) console.log(JSON.stringify(JSON.parse(l)));")
    source = "\n".join(json.dumps(value) for value in [*numbers, *strings])
    out = subprocess.run([NODE, "-e", program], input=source, check=True, capture_output=True, text=True,
                         encoding="utf-8").stdout.split("\n")[:-1]  # not splitlines(): U+2028 is in a string
    ours = [canonical_json(value).decode() for value in [*numbers, *strings]]
    assert ours == out


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_number_reads_back_to_the_same_double(number: float) -> None:
    assert float(number_text(number)) == number
    assert "e" not in number_text(number) or not (1e-6 <= abs(number) < 1e21)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20)


@given(JSON_VALUES)
def test_canonical_json_reads_back_to_the_same_value_and_is_a_fixed_point(value: object) -> None:
    text = canonical_json(value)
    read = json.loads(text, parse_int=float)  # as a receiver that reads every number as a double
    assert read == value or _has_negative_zero(value)
    assert canonical_json(read) == text


def _has_negative_zero(value: object) -> bool:
    if isinstance(value, float):
        return value == 0 and math.copysign(1, value) < 0
    if isinstance(value, dict):
        return any(_has_negative_zero(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_negative_zero(item) for item in value)
    return False


@given(st.dictionaries(st.text(max_size=4), st.integers(0, 9), min_size=2, max_size=6))
def test_members_are_sorted_by_utf16_code_units(members: dict[str, int]) -> None:
    names = list(json.loads(canonical_json(members)))
    assert names == sorted(members, key=lambda name: name.encode("utf-16-be", "surrogatepass"))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 2**53 + 1, "\ud800", {1: "x"}, {1, 2}])
def test_what_is_not_i_json_is_refused(value: object) -> None:
    with pytest.raises(ValueError, match="not I-JSON"):
        canonical_json(value)


def test_ids_name_records_no_batch_can_carry_but_keep_them_apart() -> None:
    ids = {record_id({"objection_number": value}, "objection")
           for value in ("\ud800", "\\ud800", "\udfff", float("nan"), float("inf"), 2**60, 2**60 + 1)}
    assert len(ids) == 7


def test_a_format_1_batch_still_verifies(tmp_path: Path) -> None:
    batch = tmp_path / "v1"
    shutil.copytree(ROOT / "tests" / "fixtures" / "exchange-v1", batch)
    report = verify_batch(batch, validate=False)
    assert report.manifest is not None and report.manifest["format_version"] == "1.0" and report.count == 3
    # only a catalogue version newer than the sender's may be reported; ids, count and hash all hold
    assert {problem.code for problem in report.problems} <= {"exchange.version"}
    data = json.loads((batch / "records.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert data["record_id"] == record_id(data["data"], data["class"], format_version="1.0")
    assert data["record_id"] != record_id(data["data"], data["class"])  # 2.0 ids differ: why the version rose
    assert FORMAT_VERSION == "2.0"
