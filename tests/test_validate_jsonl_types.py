"""``creditstd validate`` judges a JSON value by its type, as ``exchange pack`` does.

A CSV cell is text, and the cell decoders read text; a value of a JSON line (or of an exchange batch's ``data``)
has a type, and one of the wrong type for its field (``2403`` or ``{...}`` where the catalogue wants text,
``"5000"`` where it wants a number, ``"罚款"`` where it wants an array, ``"是"`` where it wants a boolean) used to
pass ``validate`` as its text while ``exchange pack`` refused it (``record.type``).  Now the row is rejected with
the finding pack makes, at the same path, with the same messages; a null stays an empty cell.
"""

from __future__ import annotations

import functools
import json
import tempfile
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditstd.cli import main
from creditstd.exceptions import CatalogueError
from creditstd.findings import Finding
from creditstd.records import loader
from creditstd.records.decode import field_type
from creditstd.records.exchange import BatchWriter, RecordRejected
from creditstd.records.fake import fake_records
from creditstd.records.model import record_class

#: Pack checks its records against today (the rules on dates), so the records are made for today too.
TODAY = date.today()
USCC = "11350100MAD18YGF27"
PENALTY = "administrative_penalty"


@functools.cache
def _fakes(class_name: str) -> tuple[dict[str, Any], ...]:
    return tuple(fake.record for fake in fake_records(class_name, 24, seed=11, on=TODAY))


def _pair(class_name: str, key: str, value: Any) -> list[dict[str, Any]]:
    """Two records of the class: a valid one, then another valid one that held field ``key``, now ``value``."""
    fakes = _fakes(class_name)
    having = next(index for index, record in enumerate(fakes) if key in record)
    return [dict(fakes[1 if having == 0 else 0]), {**fakes[having], key: value}]


def _write_jsonl(path: Path, records: Sequence[Mapping[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")
    return path


def _write_batch(folder: Path, class_name: str, records: Sequence[Mapping[str, Any]]) -> Path:
    """An exchange batch of ``records`` as they are (not validated: another sender's batch)."""
    with BatchWriter(folder, class_name, department="某局", department_uscc=USCC, on=TODAY,
                     validate=False) as writer:
        for record in records:
            writer.add(record)
    return folder


def _pack(folder: Path, class_name: str, records: Sequence[Mapping[str, Any]]) -> dict[int, list[Finding]]:
    """What ``exchange pack`` refuses (its library: :class:`BatchWriter` validating each record): line -> the
    findings that refused it."""
    refused: dict[int, list[Finding]] = {}
    try:
        with BatchWriter(folder, class_name, department="某局", department_uscc=USCC, on=TODAY) as writer:
            for line, record in enumerate(records, 1):
                try:
                    writer.add(record)
                except RecordRejected as rejected:
                    refused[line] = list(rejected.findings)
                except CatalogueError as error:  # a duplicate id, a value no batch can carry
                    refused[line] = [Finding.from_error(error)]
    except CatalogueError as error:
        if error.code != "exchange.empty":
            raise
    return refused


def _validate(path: Path, class_name: str) -> tuple[int, dict[int, list[dict[str, Any]]], dict[str, Any]]:
    """``creditstd validate``'s exit code, its rejected rows (line -> the errors of its rejects line) and its
    JSON report's totals."""
    rejects = path.parent / f"{path.name}.rejects.jsonl"
    report = path.parent / f"{path.name}.report.json"
    result = CliRunner().invoke(main, ["validate", str(path), "--class", class_name, "--show-pii", "--no-progress",
                                       "--format", "json", "-o", str(report), "--rejects", str(rejects)])
    assert result.exit_code in (0, 1), result.output
    rows = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert all("record" in row for row in rows), rows  # every line was read: none is a row problem
    return result.exit_code, {row["line"]: row["errors"] for row in rows}, json.loads(report.read_text())["totals"]


def _at(path: str) -> Callable[[str], bool]:
    return lambda other: other == path or other.startswith((path + "[", path + "."))


def _shown(findings: Sequence[Any], path: str) -> set[tuple[str, str, str, str]]:
    """(path, code, message_zh, message_en) of the findings at ``path`` or inside it (findings or their JSON)."""
    inside = _at(path)
    items = [finding if isinstance(finding, dict) else finding.to_json() for finding in findings]
    return {(item["path"], item["code"], item["message_zh"], item["message_en"]) for item in items
            if inside(item["path"])}


#: (class, field, the value of the wrong type, the code pack reports, at this path)
WRONG = [
    pytest.param(PENALTY, "penalty_types", "罚款", "record.type", "$.penalty_types", id="text-for-array"),
    pytest.param(PENALTY, "remarks", {"a": 1}, "record.type", "$.remarks", id="object-for-text"),
    pytest.param(PENALTY, "decision_number", 2403, "record.type", "$.decision_number", id="number-for-text"),
    pytest.param(PENALTY, "fine_amount", "5000", "record.type", "$.fine_amount", id="text-for-number"),
    pytest.param(PENALTY, "decision_number", ["罚〔2024〕1号"], "record.type", "$.decision_number",
                 id="array-for-text"),
    pytest.param(PENALTY, "violation_type", True, "record.type", "$.violation_type", id="boolean-for-text"),
    pytest.param(PENALTY, "subject_category", 1, "record.enum", "$.subject_category", id="number-for-code"),
    pytest.param(PENALTY, "penalty_types", ["罚款", None], "record.anyOf", "$.penalty_types[1]",
                 id="null-item-in-array"),
    pytest.param("credit_repair", "commitment_signed", "是", "record.type", "$.commitment_signed",
                 id="text-for-boolean"),
    pytest.param("judicial_judgement", "listed_as_dishonest", "false", "record.type", "$.listed_as_dishonest",
                 id="false-as-text-for-boolean"),
    pytest.param("credit_rating", "evaluation_year", "2024", "record.type", "$.evaluation_year",
                 id="text-for-integer"),
    pytest.param("registration_basic", "employees", 12.5, "record.type", "$.employees", id="decimal-for-integer"),
]


@pytest.mark.parametrize(("class_name", "key", "value", "code", "path"), WRONG)
def test_a_value_of_the_wrong_type_in_json_lines_is_rejected_as_pack_rejects_it(
        tmp_path: Path, class_name: str, key: str, value: Any, code: str, path: str) -> None:
    records = _pair(class_name, key, value)
    refused = _pack(tmp_path / "batch", class_name, records)
    assert set(refused) == {2}
    assert (path, code) in {(finding.path, finding.code) for finding in refused[2]}
    exit_code, rejected, totals = _validate(_write_jsonl(tmp_path / "in.jsonl", records), class_name)
    assert exit_code == 1 and set(rejected) == {2}
    assert totals["rows"] == {"read": 2, "valid": 1, "rejected": 1, "unreadable": 0}
    found = _shown(rejected[2], f"$.{key}")
    assert (path, code) in {(item[0], item[1]) for item in found}
    assert found <= _shown(refused[2], f"$.{key}")  # the same findings, messages and all; none pack would not make


@pytest.mark.parametrize(("class_name", "key", "value", "code", "path"), WRONG)
def test_a_value_of_the_wrong_type_in_an_exchange_batch_is_rejected(
        tmp_path: Path, class_name: str, key: str, value: Any, code: str, path: str) -> None:
    records = _pair(class_name, key, value)
    folder = _write_batch(tmp_path / "batch", class_name, records)
    exit_code, rejected, totals = _validate(folder, class_name)
    assert exit_code == 1 and set(rejected) == {2}  # the line in records.jsonl
    assert totals["rows"]["valid"] == 1
    found = _shown(rejected[2], f"$.{key}")
    assert (path, code) in {(item[0], item[1]) for item in found}
    assert found <= _shown(_pack(tmp_path / "packed", class_name, records)[2], f"$.{key}")


def test_a_null_is_still_an_empty_cell_and_a_big_integer_still_inexact(tmp_path: Path) -> None:
    """Kept as they were: a null reads as an empty cell (an optional field left out); an integer a double
    cannot hold in a number field is ``record.inexact_number``."""
    records = _pair(PENALTY, "fine_amount", 12345678901234567)
    records[0]["remarks"] = None
    exit_code, rejected, _ = _validate(_write_jsonl(tmp_path / "in.jsonl", records), PENALTY)
    assert exit_code == 1 and set(rejected) == {2}
    assert [(error["path"], error["code"]) for error in rejected[2]] == [("$.fine_amount", "record.inexact_number")]


@pytest.mark.parametrize("class_name", loader.class_names())
def test_valid_fake_json_lines_of_every_class_stay_valid(tmp_path: Path, class_name: str) -> None:
    records = [fake.record for fake in fake_records(class_name, 150, seed=3, on=TODAY)]
    exit_code, rejected, totals = _validate(_write_jsonl(tmp_path / "fake.jsonl", records), class_name)
    assert (exit_code, rejected) == (0, {})
    assert totals["rows"] == {"read": 150, "valid": 150, "rejected": 0, "unreadable": 0}


# -- validate's verdict per record is pack's, for generated mixes of right and wrong types -------------------------

def _wrong_values(kind: str, value: Any) -> list[Any]:
    """Values for a field of JSON type ``kind`` holding ``value``: the other types (and, for an integer, the
    same number as a decimal, which JSON Schema takes as an integer).  Never null, which validate reads as an
    empty cell, nor an empty array or text (read as an empty cell too)."""
    if kind == "string":
        return [12, 2.5, True, False, [value], {"v": value}, 9007199254740993]
    if kind in ("number", "integer"):
        extra = [float(value), value + 0.5] if kind == "integer" else []
        return [str(value), "5000", True, [value], {"v": value}, *extra]
    if kind == "boolean":
        return ["是", "否", "true", "false", 1, 0, [value]]
    first = value[0]
    return ["；".join(item if isinstance(item, str) else json.dumps(item, ensure_ascii=False) for item in value),
            first if isinstance(first, str) else "x", [*value, None], [None], [1], [True], [{"name": 5}],
            {"v": 1}, 5]


@st.composite
def _mixes(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    class_name = draw(st.sampled_from(loader.class_names()))
    fakes = _fakes(class_name)
    cls = record_class(class_name)
    chosen = draw(st.lists(st.integers(0, len(fakes) - 1), min_size=1, max_size=4, unique=True))
    records = []
    for index in chosen:
        record = dict(fakes[index])
        keys = draw(st.lists(st.sampled_from(sorted(record)), max_size=3, unique=True))
        for key in keys:
            record[key] = draw(st.sampled_from(_wrong_values(field_type(cls, key), record[key])))
        records.append(record)
    return class_name, records


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_mixes())
def test_the_verdict_per_record_is_packs(mix: tuple[str, list[dict[str, Any]]]) -> None:
    class_name, records = mix
    with tempfile.TemporaryDirectory() as folder:
        refused = _pack(Path(folder) / "packed", class_name, records)
        _, rejected, _ = _validate(_write_jsonl(Path(folder) / "in.jsonl", records), class_name)
        assert set(rejected) == set(refused), (rejected, refused)
        try:  # the same records as another sender's batch (unless one holds what no batch can carry)
            batch = _write_batch(Path(folder) / "batch", class_name, records)
        except CatalogueError:
            return
        _, from_batch, _ = _validate(batch, class_name)
        assert set(from_batch) == set(refused), (from_batch, refused)
