"""``creditstd catalogue schema CLASS --bundle``: schemas other languages can use (issue 8, part 5).

For every class (whatever classes the catalogue holds), the bundled schema is one self-contained Draft 2020-12
document; plain jsonschema (no format checker, no registry) accepts every example record and rejects the
same records with a malformed identifier; where Node is present, ajv (strict mode off, Draft 2020-12) does the
same.  The patterns never reject a value the package accepts (hypothesis: any valid identifier respelled the
ways the package reads it), and on compact ASCII values they say exactly what the canonical pattern says.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from creditstd.cli import main
from creditstd.codes import orgcode, regions, regno, ric, uscc
from creditstd.codes._text import SEPARATORS
from creditstd.exceptions import ValidationError
from creditstd.records import bundle, loader
from creditstd.records.bundle import FORMATS, bundled_schema, pattern
from creditstd.records.formats import FORMATS as CHECKS
from creditstd.records.validation import validator

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "records"
CLASSES = loader.class_names()


def _examples(class_name: str) -> list[dict[str, Any]]:
    path = EXAMPLES / f"{class_name}.jsonl"
    assert path.exists(), f"no example records for {class_name}"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _plain(class_name: str) -> jsonschema.Draft202012Validator:
    """A validator that knows nothing of creditstd: no format checker, no registry."""
    return jsonschema.Draft202012Validator(bundled_schema(class_name))


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _formats(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["format"]} if isinstance(node.get("format"), str) else set()
        return found.union(*(_formats(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_formats(item) for item in node))
    return set()


# -- the bundle ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("class_name", CLASSES)
def test_the_bundle_is_one_self_contained_draft_2020_12_document(class_name: str) -> None:
    schema = bundled_schema(class_name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    refs = set(_refs(schema))
    assert all(ref.startswith("#/$defs/") for ref in refs), refs
    assert {ref[len("#/$defs/"):] for ref in refs} <= set(schema["$defs"])
    # every format the class uses has its shape, and the shape has a pattern
    for name in _formats(schema):
        assert "pattern" in schema["$defs"][f"format-{name}"], name
    assert bundled_schema(class_name) == schema and bundled_schema(class_name) is not schema


@pytest.mark.parametrize("class_name", CLASSES)
def test_plain_jsonschema_accepts_every_example_record(class_name: str) -> None:
    check = _plain(class_name)
    for record in _examples(class_name):
        assert [error.message[:200] for error in check.iter_errors(record)] == [], record


def _malformed(name: str, value: str) -> list[str]:
    """Values of format ``name`` with their identifier malformed (wrong length, a symbol outside the alphabet,
    a birth date no one has...) derived from the valid ``value``."""
    compact = value if name in ("date", "sector") else uscc.compact(value)
    if name == "uscc":
        return [compact[:-1], compact + "0", compact[:8] + "I" + compact[9:], compact[:4] + "Z" + compact[5:]]
    if name == "citizen-id":
        if len(compact) == 15:
            return [compact[:-1], compact[:8] + "13" + compact[10:], compact[:3] + "A" + compact[4:]]
        return [compact[:-1], compact[:6] + "17" + compact[8:], compact[:10] + "13" + compact[12:],
                compact[:3] + "A" + compact[4:], compact[:17] + "Y"]
    if name == "orgcode":
        return [compact[:-1], compact + "1", compact[:8] + "A", compact[:2] + "@" + compact[3:]]
    if name == "regno":
        return [compact[:-1] + "A", compact + "1", compact[:3] + "X" + compact[4:]]
    if name == "gb2260":
        return [compact[:-1], compact[:2] + "A" + compact[3:]]
    if name == "date":
        return [value.replace("-", "/"), value.replace("-", ""), value[:5] + "13" + value[7:], value[:8] + "32"]
    if name == "sector":
        return ["no_such_sector"]
    return []


def _field_formats(class_name: str) -> dict[str, str]:
    """Top-level fields whose values have one of the catalogue's formats -> the format."""
    found = {}
    for key, spec in loader.inlined_class_schema(class_name)["properties"].items():
        formats = _formats(spec)
        if len(formats) == 1:
            found[key] = formats.pop()
    return found


def _broken_records(class_name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    fields = _field_formats(class_name)
    for record in _examples(class_name):
        for key, name in fields.items():
            value = record.get(key)
            if not isinstance(value, str) or value == "00000000000000000X":
                continue
            for broken in _malformed(name, value):
                yield f"{key}={name}", {**record, key: broken}
        # a citizen ID is checked as such when the document type says so (a conditional of the class)
        for type_key, number_key in (("id_type", "id_number"),
                                     ("legal_representative_id_type", "legal_representative_id_number")):
            if record.get(type_key) == "身份证" and isinstance(record.get(number_key), str):
                for broken in _malformed("citizen-id", record[number_key]):
                    yield f"{number_key}=citizen-id", {**record, number_key: broken}


@pytest.mark.parametrize("class_name", CLASSES)
def test_plain_jsonschema_rejects_malformed_identifiers(class_name: str) -> None:
    check, reference = _plain(class_name), validator(class_name)
    cases = list(_broken_records(class_name))
    assert cases or not _field_formats(class_name)
    for label, record in cases:
        assert not reference.is_valid(record), (label, record)  # malformed for creditstd too
        assert not check.is_valid(record), (label, record)


def test_the_package_checks_more_than_the_patterns() -> None:
    """Check characters and real dates are the package's alone: a bundle accepts what only it rejects."""
    record = _examples("administrative_penalty")[0]
    check, reference = _plain("administrative_penalty"), validator("administrative_penalty")
    for key, value in (("uscc", record["uscc"][:17] + ("0" if record["uscc"][17] != "0" else "1")),
                       ("decision_date", "2023-02-29"), ("orgcode", "MAJGA14L1")):
        changed = {**record, key: value}
        assert check.is_valid(changed) and not reference.is_valid(changed), key


def test_the_command_writes_the_bundle() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["catalogue", "schema", "administrative_licence", "--bundle"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == bundled_schema("administrative_licence")
    plain = json.loads(runner.invoke(main, ["catalogue", "schema", "administrative_licence"]).stdout)
    assert plain == loader.class_schema("administrative_licence")
    assert runner.invoke(main, ["catalogue", "schema", "no_such_class", "--bundle"]).exit_code == 2
    help_text = runner.invoke(main, ["catalogue", "schema", "--help"]).output
    assert "--bundle" in help_text and "check characters" in help_text and "校验码" in help_text


# -- the patterns: never stricter than the package ---------------------------------------------------------------


def _canonical_values(name: str, rng: random.Random) -> str:
    if name == "uscc":
        return uscc.generate(rng=rng)
    if name == "citizen-id":
        kind = rng.choice(["citizen", "citizen15", "residence_permit", "foreigner_pr"])
        return ric.generate(kind=kind, rng=rng)
    if name == "masked-id":
        return ric.mask(ric.generate(kind=rng.choice(["citizen", "citizen15"]), rng=rng),
                        keep_start=rng.randrange(0, 7), keep_end=rng.randrange(0, 5))
    if name == "orgcode":
        return orgcode.generate(rng=rng)
    if name == "regno":
        return regno.generate(rng=rng)
    if name == "gb2260":
        return rng.choice(sorted(regions.known_codes()))
    if name == "date":
        return (date(1, 1, 1) + timedelta(days=rng.randrange(3_652_058))).isoformat()
    return rng.choice(sorted(sector["code"] for sector in loader.taxonomy()["sectors"]))


@st.composite
def _spellings(draw: st.DrawFn, name: str) -> str:
    """A valid value of format ``name`` written as people type it: separators anywhere, any case, any character
    the package reads as the same symbol (full-width, circled, mathematical...), now and then one that stands
    for two or three symbols at once (``⑩``)."""
    value = _canonical_values(name, random.Random(draw(st.integers(0, 2**32))))
    if not FORMATS[name].normalised:
        return value
    units = bundle._units()
    vanishing = [chr(point) for point in units.vanishing]
    out: list[str] = []
    index = 0
    while index < len(value):
        if draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from(vanishing)))
        for width in (3, 2):
            several = units.multiple.get(value[index:index + width])
            if several and draw(st.integers(0, 24)) == 0:
                out.append(chr(draw(st.sampled_from(several))))
                index += width
                break
        else:
            choices = units.single[value[index]]
            out.append(value[index] if draw(st.booleans()) else chr(draw(st.sampled_from(choices))))
            index += 1
    return "".join(out)


def _accepted(name: str, value: str) -> bool:
    try:
        CHECKS[name](value, strict=False)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("name", sorted(FORMATS))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_value_the_package_accepts_matches_the_pattern(name: str, data: st.DataObject) -> None:
    value = data.draw(_spellings(name))
    assume(_accepted(name, value))
    assert re.search(pattern(name), value), (name, value)


_NOISE = st.text(st.sampled_from(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz*Ｘｘ１２０⑩⑪⒈①𝟏𝟗Ⅹ㎏ß " + SEPARATORS + "\u3000\uff0d中"), max_size=24)


@pytest.mark.parametrize("name", sorted(FORMATS))
@settings(max_examples=300, deadline=None)
@given(value=_NOISE)
def test_any_text_the_package_accepts_matches_the_pattern(name: str, value: str) -> None:
    if _accepted(name, value):
        assert re.search(pattern(name), value), (name, value)


@pytest.mark.parametrize("name", sorted(name for name, shape in FORMATS.items() if shape.normalised))
@settings(max_examples=300, deadline=None)
@given(value=st.text(st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"), min_size=5, max_size=19))
def test_on_compact_values_the_pattern_is_the_canonical_pattern(name: str, value: str) -> None:
    assert bool(re.search(pattern(name), value)) == bool(re.search(FORMATS[name].canonical, value)), value


@pytest.mark.parametrize("name", sorted(name for name, shape in FORMATS.items() if shape.normalised))
def test_canonical_values_match_the_canonical_pattern(name: str) -> None:
    rng = random.Random(8)
    for _ in range(200):
        value = _canonical_values(name, rng)
        assert re.search(FORMATS[name].canonical, value), value


# -- ajv ---------------------------------------------------------------------------------------------------------

_AJV_RUNNER = r"""
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const results = {};
for (const [name, job] of Object.entries(input)) {
  const ajv = new Ajv2020({strict: false, allErrors: true, logger: false});
  addFormats(ajv);
  const validate = ajv.compile(job.schema);
  results[name] = job.records.map((record) => validate(record));
}
process.stdout.write(JSON.stringify(results));
"""


@pytest.fixture(scope="session")
def ajv_modules() -> Path:
    """A folder with ajv and ajv-formats installed (npm, once, kept in the temporary directory between runs)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed to check the bundles with ajv")
    folder = Path(os.environ.get("CREDITSTD_AJV_DIR") or Path(tempfile.gettempdir()) / "creditstd-ajv")
    if not (folder / "node_modules" / "ajv-formats" / "package.json").exists():
        folder.mkdir(parents=True, exist_ok=True)
        try:
            done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(folder),
                                   "ajv@8", "ajv-formats@3"], capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as error:
            pytest.skip(f"npm could not install ajv ({error})")
        if done.returncode != 0:
            pytest.skip(f"npm could not install ajv (offline?): {done.stderr.strip()[-300:]}")
    return folder / "node_modules"


def _ajv(modules: Path, jobs: dict[str, dict[str, Any]]) -> dict[str, list[bool]]:
    done = subprocess.run(["node", "-e", _AJV_RUNNER], input=json.dumps(jobs, ensure_ascii=False),
                          capture_output=True, text=True, timeout=600, env={**os.environ, "NODE_PATH": str(modules)})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_ajv_accepts_the_examples_and_rejects_malformed_identifiers(ajv_modules: Path) -> None:
    jobs = {}
    for class_name in CLASSES:
        good = _examples(class_name)
        bad = [record for _, record in _broken_records(class_name)]
        jobs[class_name] = {"schema": bundled_schema(class_name), "records": good + bad, "good": len(good)}
    results = _ajv(ajv_modules, jobs)
    for class_name, job in jobs.items():
        verdicts = results[class_name]
        assert verdicts[:job["good"]] == [True] * job["good"], class_name
        assert not any(verdicts[job["good"]:]), class_name


def test_ajv_reads_the_patterns_as_python_does(ajv_modules: Path) -> None:
    """The patterns mean the same in ECMA-262 (with the u flag, ajv's default) as in Python's re."""
    rng = random.Random(5)
    values: dict[str, list[str]] = {}
    for name, shape in FORMATS.items():
        found = [_canonical_values(name, rng) for _ in range(20)]
        if shape.normalised:
            found += [value.lower() for value in found[:5]]
            found += [" " + value[:4] + "\u3000" + value[4:] for value in found[5:10]]
            found += ["".join(chr(0xFF10 + int(char)) if char.isdigit() else char for char in found[10])]
            found += ["①" + found[11][1:], "⑩⑩⑩", "𝟏" + found[12][1:]]
        found += [value[:-1] for value in found[:5]] + ["", "x", "中文"]
        values[name] = found
    jobs = {name: {"schema": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "string",
                              "pattern": pattern(name)}, "records": found} for name, found in values.items()}
    results = _ajv(ajv_modules, jobs)
    for name, found in values.items():
        assert results[name] == [bool(re.search(pattern(name), value)) for value in found], name
