"""Synthetic records: valid for every class, reproducible, broken on purpose when asked, exported readably."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from lxml import etree

from creditstd.catalogue import get_class, validator
from creditstd.cli.fake import fake_command
from creditstd.codes import orgcode, regno, ric, uscc
from creditstd.records.export import column_names, write_csv, write_jsonl, write_xml
from creditstd.records.fake import FakeRecord, fake_records
from creditstd.records.fake._breakage import break_record, breakages, errors_after_change
from creditstd.records.fake._draft import Draft
from creditstd.records.fake._generator import Generator
from creditstd.records.fake._ids import (
    NAMES,
    FastRandom,
    fast_citizen_id,
    fast_foreigner_id,
    fast_orgcode,
    fast_regno,
    fast_uscc,
)
from creditstd.records.fake._parties import SUBJECT_KEYS
from creditstd.records.fake._plan import fast_test, plan_for
from creditstd.records.loader import class_names

CLASSES = class_names()
ON = date(2026, 6, 30)


def _codes(class_name: str, record: dict) -> set[str]:
    return {error.code for error in validator(class_name, strict=True).iter_errors(record)}


@pytest.mark.parametrize("class_name", CLASSES)
def test_fifty_records_validate_strictly(class_name: str) -> None:
    check = validator(class_name, strict=True)
    for item in fake_records(class_name, 50, seed=1):
        assert item.broken is None
        errors = [str(error) for error in check.iter_errors(item.record)]
        assert errors == [], (class_name, item.record)


@pytest.mark.parametrize("class_name", CLASSES)
def test_same_seed_same_records(class_name: str) -> None:
    first = [item.record for item in fake_records(class_name, 15, seed=42, error_rate=0.3, on=ON)]
    again = [item.record for item in fake_records(class_name, 15, seed=42, error_rate=0.3, on=ON)]
    other = [item.record for item in fake_records(class_name, 15, seed=43, error_rate=0.3, on=ON)]
    assert first == again
    assert first != other


@pytest.mark.parametrize("class_name", CLASSES)
def test_error_rate_breaks_records_in_the_stated_way(class_name: str) -> None:
    records = list(fake_records(class_name, 200, seed=7, error_rate=0.3))
    broken = [item for item in records if item.broken]
    assert 0.18 <= len(broken) / len(records) <= 0.42, len(broken)
    single = 0
    for item in records:
        found = _codes(class_name, item.record)
        if item.broken is None:
            assert found == set(), (class_name, item.record)
        else:
            assert item.broken in found, (class_name, item.broken, found, item.record)
            single += found == {item.broken}
    assert single >= 0.7 * len(broken)  # "exactly one way": almost always a single error code
    assert len({item.broken for item in broken}) >= 4  # a variety of breakages, not one kind


def test_no_errors_without_error_rate_and_the_extremes() -> None:
    assert all(item.broken for item in fake_records("administrative_penalty", 20, seed=3, error_rate=1.0))
    assert not any(item.broken for item in fake_records("administrative_penalty", 20, seed=3, error_rate=0.0))
    with pytest.raises(ValueError):
        fake_records("administrative_penalty", 1, error_rate=1.5)


@pytest.mark.parametrize("class_name", CLASSES)
def test_dates_never_after_on(class_name: str) -> None:
    future_ok = ("end", "until", "valid_to", "expir", "deadline")
    for item in fake_records(class_name, 30, seed=5, on=ON):
        for key, value in item.record.items():
            if get_class(class_name).fields[key].kind == "date" and not any(word in key for word in future_ok):
                assert date.fromisoformat(value) <= ON, (class_name, key, value)


@pytest.mark.parametrize("class_name", CLASSES)
def test_personal_id_numbers_are_valid_strict_citizen_ids(class_name: str) -> None:
    seen = 0
    for item in fake_records(class_name, 60, seed=9):
        record = item.record
        for key, value in record.items():
            if key.endswith("id_number") and record.get(key[: -len("id_number")] + "id_type") == "身份证":
                assert ric.is_valid(value, strict=True), (class_name, key, value)
                assert ric.parse(value).kind is ric.Kind.CITIZEN
                seen += 1
    fields = get_class(class_name).fields
    if any(key.endswith("id_number") for key in fields):
        assert seen, f"{class_name}: no citizen ID generated in 60 records"


def test_subjects_are_coherent() -> None:
    for item in fake_records("administrative_penalty", 200, seed=11):
        record = item.record
        category = record["subject_category"]
        if category == "自然人":
            assert "uscc" not in record and "legal_representative" not in record
            assert record["id_type"] and record["id_number"]
        else:
            assert "id_number" not in record
        if "orgcode" in record:
            assert record["orgcode"] == record["uscc"][8:17]
        if "regno" in record and record.get("uscc", "").startswith("9"):
            assert record["regno"][:6] == record["uscc"][2:8]
        assert record["authority_uscc"][:2] == "11"
        if "fine_amount" in record:
            assert 0.05 <= record["fine_amount"] <= 500
            assert round(record["fine_amount"], 2) == record["fine_amount"]


@pytest.mark.parametrize("class_name", CLASSES)
def test_subject_entries_are_all_declared(class_name: str) -> None:
    """A field named like a subject entry is answered by the subject only if ``SUBJECT_KEYS`` lists the entry."""
    generator = Generator(class_name, 5, ON)
    seen: set[str] = set()
    for _ in range(300):
        seen |= set(Draft(generator).subject)
    assert seen <= SUBJECT_KEYS, seen - SUBJECT_KEYS


@pytest.mark.parametrize("class_name", CLASSES)
def test_fast_conditional_tests_agree_with_json_schema(class_name: str) -> None:
    """The plain functions the generator tests an ``if`` with say what jsonschema says, on valid and broken records
    and on records with the tested field absent or of another type."""
    plan = plan_for(class_name)
    records = [item.record for item in fake_records(class_name, 150, seed=9, error_rate=0.5, on=ON)]
    for cond, holds in plan.conditionals:
        test = fast_test(cond["if"], holds)
        check = Draft202012Validator(cond["if"])
        keys = list(cond["if"].get("properties", {}))
        for record in records:
            variants = [record, *({**record, key: odd} for key in keys for odd in (1, ["x"], "x", None))]
            variants += [{k: v for k, v in record.items() if k not in keys}]
            for variant in variants:
                assert test(variant) == check.is_valid(variant), (class_name, cond["if"], variant)


def _sample(class_name: str, n: int) -> list[FakeRecord]:
    return list(fake_records(class_name, n, seed=21, error_rate=0.2, on=ON))


@pytest.mark.parametrize("style", ["code", "zh", "key"])
def test_csv_parses_back(style: str) -> None:
    records = _sample("administrative_penalty", 25)
    stream = io.StringIO(newline="")
    assert write_csv(records, "administrative_penalty", stream, headers=style) == 25
    rows = list(csv.reader(io.StringIO(stream.getvalue(), newline="")))
    header, body = rows[0], rows[1:]
    fields = get_class("administrative_penalty").fields
    assert header == column_names("administrative_penalty", style)
    assert header[0] == {"code": "CF_XDR_MC", "zh": "行政相对人名称", "key": "subject_name"}[style]
    assert len(body) == 25 and all(len(row) == len(fields) for row in body)
    column = list(fields).index("penalty_types")
    for row, item in zip(body, records, strict=True):
        types = item.record.get("penalty_types")
        if isinstance(types, list):
            assert row[column] == "；".join(types)


def test_csv_booleans_and_numbers() -> None:
    records = list(fake_records("credit_repair", 40, seed=2))
    stream = io.StringIO(newline="")
    write_csv(records, "credit_repair", stream, headers="key")
    rows = list(csv.DictReader(io.StringIO(stream.getvalue(), newline="")))
    flags = {row["commitment_signed"] for row in rows}
    assert flags <= {"是", "否", ""} and flags & {"是", "否"}
    penalty = list(fake_records("administrative_penalty", 40, seed=2))
    stream = io.StringIO(newline="")
    write_csv(penalty, "administrative_penalty", stream, headers="key")
    amounts = [row["fine_amount"] for row in csv.DictReader(io.StringIO(stream.getvalue(), newline=""))]
    assert all("e" not in value.lower() for value in amounts)


def test_xml_parses_back() -> None:
    records = _sample("administrative_licence", 30)
    stream = io.StringIO()
    assert write_xml(records, "administrative_licence", stream) == 30
    root = etree.fromstring(stream.getvalue().encode("utf-8"))
    assert root.tag == "Records" and root.get("class") == "administrative_licence"
    assert len(root) == 30 and all(child.tag == "Record" for child in root)
    fields = get_class("administrative_licence").fields
    names = {spec.code or key for key, spec in fields.items()}
    first = root[0]
    assert {child.tag for child in first} <= names
    assert first.findtext("XK_XDR_MC") == records[0].record["subject_name"]
    penalty = list(fake_records("administrative_penalty", 5, seed=4))
    stream = io.StringIO()
    write_xml(penalty, "administrative_penalty", stream)
    root = etree.fromstring(stream.getvalue().encode("utf-8"))
    assert [item.text for item in root[0].find("CF_CFLB")] == penalty[0].record["penalty_types"]


def test_jsonl_parses_back() -> None:
    records = _sample("objection", 20)
    stream = io.StringIO()
    assert write_jsonl(records, stream) == 20
    lines = stream.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == [item.record for item in records]


def test_writers_still_importable_from_fake() -> None:
    from creditstd.records import export, fake

    assert [fake.column_names, fake.write_csv, fake.write_jsonl, fake.write_xml] == [
        export.column_names, export.write_csv, export.write_jsonl, export.write_xml]


def test_writers_stream() -> None:
    """The writers consume their input lazily: what came before a failure is already written."""

    def records():
        yield from fake_records("administrative_penalty", 3, seed=1)
        raise RuntimeError("stop")

    stream = io.StringIO()
    with pytest.raises(RuntimeError):
        write_xml(records(), "administrative_penalty", stream)
    assert stream.getvalue().count("<Record>") == 3


def test_cli_gbk_csv() -> None:
    result = CliRunner().invoke(fake_command, ["administrative_penalty", "-n", "30", "--format", "csv",
                                               "--headers", "zh", "--encoding", "gbk", "--seed", "5"])
    assert result.exit_code == 0, result.output
    text = result.stdout_bytes.decode("gbk")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][0] == "行政相对人名称" and len(rows) == 31
    assert "30" in result.stderr


def test_cli_formats_and_seed() -> None:
    runner = CliRunner()
    first = runner.invoke(fake_command, ["honour", "-n", "5", "--seed", "8", "--on", "2026-06-30"])
    again = runner.invoke(fake_command, ["honour", "-n", "5", "--seed", "8", "--on", "2026-06-30"])
    assert first.exit_code == 0 and first.stdout == again.stdout
    assert len(first.stdout.splitlines()) == 5
    xml = runner.invoke(fake_command, ["administrative_licence", "-n", "4", "--format", "xml", "--error-rate", "0.5"])
    assert xml.exit_code == 0
    assert len(etree.fromstring(xml.stdout_bytes)) == 4


def test_cli_output_file_is_written_atomically(tmp_path) -> None:
    target = tmp_path / "out.csv"
    result = CliRunner().invoke(fake_command, ["objection", "-n", "12", "--format", "csv", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert len(list(csv.reader(target.open(encoding="utf-8", newline="")))) == 13
    assert [path.name for path in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.parametrize("arguments", [["no_such_class"], ["objection", "--error-rate", "1.5"],
                                       ["objection", "--error-rate", "-0.1"], ["objection", "--format", "pdf"]])
def test_cli_usage_errors_exit_2(arguments: list[str], tmp_path) -> None:
    target = tmp_path / "never.jsonl"
    result = CliRunner().invoke(fake_command, [*arguments, "-o", str(target)])
    assert result.exit_code == 2, result.output
    assert not target.exists()
    if arguments[0] == "no_such_class":
        assert "administrative_penalty" in result.output and "no_such_class" in result.output


def test_breakage_variety_over_the_catalogue() -> None:
    codes: Counter[str] = Counter()
    for class_name in CLASSES:
        codes.update(item.broken for item in fake_records(class_name, 40, seed=3, error_rate=1.0))
    for expected in ("uscc.checksum", "record.required", "record.date", "record.enum", "rule.date_not_after",
                     "rule.date_in_future", "rule.orgcode_in_uscc", "ric.checksum"):
        assert codes[expected], expected
    assert any(code.startswith("rule.") and code not in ("rule.date_not_after", "rule.date_in_future",
                                                        "rule.orgcode_in_uscc") for code in codes)


# ---------------------------------------------------------------------------------------------- the guarantee, widely

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(class_name=st.sampled_from(CLASSES), seed=st.integers(0, 2**32), on=st.dates(date(1900, 1, 1), date.today()),
       error_rate=st.sampled_from([0.0, 0.3, 1.0]))
def test_valid_records_have_no_finding_and_broken_ones_their_declared_finding(class_name: str, seed: int, on: date,
                                                                                error_rate: float) -> None:
    """Records are not checked as they are made any more: this is what holds the guarantee."""
    check = validator(class_name, strict=True)
    for item in fake_records(class_name, 12, seed=seed, error_rate=error_rate, on=on):
        findings = list(check.iter_errors(item.record))
        if item.broken is None:
            assert findings == [], (class_name, seed, on, [(f.path, f.code) for f in findings], item.record)
        else:
            assert item.broken in {finding.code for finding in findings}, (class_name, seed, on, item.broken,
                                                                           item.record)


@pytest.mark.parametrize("class_name", CLASSES)
def test_many_valid_records_per_class(class_name: str) -> None:
    check = validator(class_name, strict=True)
    for seed in (0, 1):
        for item in fake_records(class_name, 300, seed=seed, on=ON):
            assert next(check.iter_errors(item.record), None) is None, (class_name, seed, item.record)


@pytest.mark.parametrize("class_name", CLASSES)
def test_checking_only_the_changed_field_finds_what_the_full_validator_finds(class_name: str) -> None:
    """break_record checks a candidate against the parts of the class that mention the changed field: for a
    record valid but for that field, exactly the findings of the whole validator."""
    generator = Generator(class_name, 5, ON)
    compared = 0
    for _ in range(15):
        record = generator.record()
        for _code, key, mutate in breakages(generator, record):
            candidate = dict(record)
            mutate(candidate)
            partial = {(f.path, f.code) for f in errors_after_change(generator, candidate, key)}
            whole = {(f.path, f.code) for f in generator.check.iter_errors(candidate)}
            assert partial == whole, (class_name, key, partial, whole)
            compared += 1
    assert compared > 50


def test_breaking_does_not_touch_the_valid_record() -> None:
    """Candidates are shallow copies: the record they come from stays as it was."""
    generator = Generator("administrative_penalty", 2, ON)
    for _ in range(30):
        record = generator.record()
        snapshot = json.dumps(record, ensure_ascii=False)
        broken, code = break_record(generator, record)
        assert json.dumps(record, ensure_ascii=False) == snapshot
        assert broken != record and code


def test_fast_identifiers_pass_strict_validation() -> None:
    rng = FastRandom(17)
    counties = ["110105", "440305", "654301", "441900", "500101"]
    first, span = date(1950, 1, 1).toordinal(), 365 * 50
    for index in range(3000):
        county = counties[index % len(counties)]
        for authority, category in (("9", "1"), ("9", "2"), ("9", "3"), ("1", "1"), ("1", "2"), ("5", "1")):
            code = fast_uscc(rng, authority, category, county)
            assert uscc.is_valid(code, strict=True) and code[:8] == authority + category + county, code
        assert orgcode.is_valid(fast_orgcode(rng), strict=True)
        for ownership in ("domestic", "foreign-invested", "individual business"):
            number = fast_regno(rng, county, ownership)
            assert regno.is_valid(number, strict=True) and regno.parse(number).ownership.en == ownership
        sex = "MF"[index % 2]
        citizen = fast_citizen_id(rng, county, first, span, sex)
        info = ric.parse(citizen)
        assert ric.is_valid(citizen, strict=True) and info.kind is ric.Kind.CITIZEN, citizen
        assert info.is_male == (sex == "M") and date(1950, 1, 1) <= info.birth_date <= date(2000, 1, 1)
        foreigner = fast_foreigner_id(rng, county, first, span)
        assert ric.is_valid(foreigner, strict=True) and ric.parse(foreigner).kind is ric.Kind.FOREIGNER_PR


def test_fast_random_is_seeded_and_uniform_enough() -> None:
    draws = [FastRandom(3).randint(1, 6) for _ in range(3)]
    assert len(set(draws)) == 1  # same seed, same first draw
    rng = FastRandom(3)
    counts = Counter(rng.randint(1, 6) for _ in range(60_000))
    assert set(counts) == {1, 2, 3, 4, 5, 6} and all(9_000 < n < 11_000 for n in counts.values())
    assert Counter(rng.choice("abc") for _ in range(30_000)).keys() == {"a", "b", "c"}
    assert {rng.randrange(3, 5) for _ in range(100)} == {3, 4}
    with pytest.raises(IndexError):
        rng.choice([])


@pytest.mark.parametrize("output_format", ["jsonl", "csv", "xml"])
@pytest.mark.parametrize("error_rate", ["0", "0.25"])
def test_cli_same_seed_same_bytes(output_format: str, error_rate: str) -> None:
    runner = CliRunner()
    arguments = ["administrative_penalty", "-n", "40", "--seed", "9", "--on", "2026-06-30", "--format",
                 output_format, "--error-rate", error_rate]
    first, again = runner.invoke(fake_command, arguments), runner.invoke(fake_command, arguments)
    other = runner.invoke(fake_command, [*arguments[:4], "10", *arguments[5:]])
    assert first.exit_code == 0 and first.stdout_bytes == again.stdout_bytes
    assert first.stdout_bytes != other.stdout_bytes


def test_records_are_made_one_at_a_time() -> None:
    """A billion-record request yields its first records at once: nothing is made ahead (memory stays flat)."""
    records = fake_records("administrative_penalty", 10**9, seed=1, on=ON)
    first = [next(records) for _ in range(3)]
    assert all(item.record["subject_name"] for item in first)


def test_names_come_from_fakers_tables() -> None:
    from faker.providers.person.zh_CN import Provider

    rng = FastRandom(8)
    for _ in range(200):
        name = NAMES.person(rng, "F")
        assert name[:1] in Provider.last_names or name[:2] in Provider.last_names
        assert any(name.endswith(given) for given in Provider.first_names_female)


def test_a_count_past_the_limit_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    """A typo in -n (99999999999999999999) wrote gigabytes until the disk was full."""
    from creditstd.cli.fake import MAX_RECORDS
    target = tmp_path / "out.jsonl"
    result = CliRunner().invoke(fake_command, ["administrative_penalty", "-n", str(MAX_RECORDS + 1), "-o", str(target)])
    assert result.exit_code == 2 and "must be a whole number from 0 to" in result.output and not target.exists()
    assert CliRunner().invoke(fake_command, ["administrative_penalty", "-n", "0"]).exit_code == 0


@pytest.mark.parametrize("output_format", ["jsonl", "csv", "xml"])
def test_records_made_in_several_processes_are_the_bytes_of_one(tmp_path: Path, output_format: str) -> None:
    """``--jobs``: every block of BLOCK_RECORDS records has a seed of its own, so the processes that make them
    change nothing in the output (header row, XML frame, GBK, the broken records and their count)."""
    from creditstd.records.fake import BLOCK_RECORDS
    runner = CliRunner()
    outputs, summaries = [], []
    for jobs in ("1", "2", "3"):
        target = tmp_path / f"{jobs}.{output_format}"
        result = runner.invoke(fake_command, ["honour", "-n", str(2 * BLOCK_RECORDS + 50), "--seed", "4", "--on",
                                              "2026-06-30", "--format", output_format, "--headers", "zh",
                                              "--encoding", "gbk", "--error-rate", "0.1", "-j", jobs,
                                              "-o", str(target)])
        assert result.exit_code == 0, result.output
        outputs.append(target.read_bytes())
        summaries.append(result.stderr)
    assert outputs[0] == outputs[1] == outputs[2] and summaries[0] == summaries[1] == summaries[2]
    assert f"{2 * BLOCK_RECORDS + 50} honour records written" in summaries[0]
    text = outputs[0].decode("gbk")
    if output_format == "jsonl":
        assert len(text.splitlines()) == 2 * BLOCK_RECORDS + 50
    elif output_format == "csv":
        assert len(list(csv.reader(io.StringIO(text, newline="")))) == 2 * BLOCK_RECORDS + 51
    else:
        assert len(etree.fromstring(outputs[0])) == 2 * BLOCK_RECORDS + 50
    expected = [item.record for item in fake_records("honour", 2 * BLOCK_RECORDS + 50, seed=4, error_rate=0.1,
                                                     on=ON)]
    if output_format == "jsonl":
        assert [json.loads(line) for line in text.splitlines()] == expected


def _parallel_run(tmp_path: Path, wait: float = 0.5) -> tuple[Any, Path]:
    """A long parallel run of the command in a session (a process group) of its own, ``wait`` seconds after it
    starts writing its output."""
    import subprocess
    import sys
    import time

    target = tmp_path / "big.jsonl"
    program = [sys.executable, "-c", "from creditstd.cli import main; main()", "fake", "administrative_penalty",
               "-n", "2000000", "-j", "2", "-o", str(target)]
    process = subprocess.Popen(program, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while not list(tmp_path.iterdir()) and time.monotonic() < deadline:  # the temporary output is being written
        time.sleep(0.1)
    time.sleep(wait)
    return process, target


def _workers(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux: /proc lists them)."""
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()]


def _group_ends(process: Any) -> None:
    """Nothing is left in the process group of ``process`` (which has ended) within 10 s; else fail, killing it."""
    import os
    import signal
    import time

    for _ in range(100):
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail("worker processes outlived the command")


@pytest.mark.parametrize("wait", [0.5, 0.9, 1.6])
@pytest.mark.parametrize(("signum", "status"), [("SIGTERM", 143), ("SIGINT", 130)])
def test_a_terminated_parallel_run_leaves_no_output_and_no_process(tmp_path: Path, signum: str, status: int,
                                                                   wait: float) -> None:
    """SIGTERM (or Ctrl-C, which reaches the whole process group) in the middle of a parallel run: the command
    exits 143 (130), removes its output, and its worker processes end too (they inherited its signal handler
    and waited for their next task for ever).  At any moment: a signal that landed inside the pool's own code,
    or a worker killed while it sent its block back, left the command waiting for ever (about 1 run in 14)."""
    import os
    import signal

    process, target = _parallel_run(tmp_path, wait)
    if signum == "SIGINT":
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGTERM)
    try:
        assert process.wait(timeout=30) == status
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert not target.exists() and not list(tmp_path.iterdir())
    _group_ends(process)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds the workers in /proc (Linux)")
def test_a_worker_killed_mid_run_ends_the_command(tmp_path: Path) -> None:
    """A worker killed by SIGKILL (as the system's OOM killer does) left the command waiting for ever for the
    block it was making: now the command exits 3 at once, says which process died and how, removes its output
    and leaves no process behind."""
    import os
    import signal

    process, target = _parallel_run(tmp_path)
    try:
        workers = _workers(process.pid)
        assert len(workers) == 2, workers
        os.kill(workers[0], signal.SIGKILL)
        assert process.wait(timeout=30) == 3
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    message = process.stderr.read().decode()
    assert f"(PID {workers[0]}) was killed by signal SIGKILL" in message and "Traceback" not in message
    assert not target.exists() and not list(tmp_path.iterdir())
    _group_ends(process)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds the workers in /proc (Linux)")
def test_workers_end_when_the_command_is_killed(tmp_path: Path) -> None:
    """SIGKILL of the command itself (no handler runs): its workers were left idle for ever, adopted by init;
    now each is sent SIGTERM as its parent dies."""
    process, _ = _parallel_run(tmp_path)
    workers = _workers(process.pid)
    assert len(workers) == 2, workers
    process.kill()
    process.wait(timeout=30)
    _group_ends(process)


def test_the_default_job_count_honours_a_cgroup_cpu_quota(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``-j 0`` in a container limited to 2 CPUs on a 64-core host started 32 workers: sched_getaffinity sees the
    host's CPUs; the cgroup v2 quota (cpu.max of the process's cgroup or one above it) is what may be used."""
    import os

    from creditstd.cli import fake

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    monkeypatch.setattr(fake, "CGROUP_ROOT", tmp_path)
    monkeypatch.setattr(fake, "OWN_CGROUP", tmp_path / "self-cgroup")
    (tmp_path / "self-cgroup").write_text("0::/app/job\n")
    (tmp_path / "app" / "job").mkdir(parents=True)
    assert (fake.cgroup_cpus(), fake.usable_cpus()) == (None, fake.MAX_JOBS)  # no cgroup v2 quota anywhere
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert (fake.cgroup_cpus(), fake.usable_cpus()) == (None, fake.MAX_JOBS)
    (tmp_path / "cpu.max").write_text("200000 100000\n")  # docker run --cpus 2, seen from inside
    assert (fake.cgroup_cpus(), fake.usable_cpus()) == (2, 2)
    (tmp_path / "app" / "cpu.max").write_text("150000 100000\n")  # 1.5 CPUs above the process's own cgroup
    (tmp_path / "app" / "job" / "cpu.max").write_text("max 100000\n")
    assert fake.usable_cpus() == 2
    (tmp_path / "app" / "job" / "cpu.max").write_text("50000 100000\n")  # half a CPU: still one process
    assert fake.usable_cpus() == 1
    (tmp_path / "app" / "job" / "cpu.max").write_text("not a quota\n")
    assert fake.usable_cpus() == 2
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)  # fewer CPUs than the quota
    assert fake.usable_cpus() == 1
    (tmp_path / "self-cgroup").write_text("0::/../../elsewhere\n")  # outside the namespace's view: its root only
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert fake.usable_cpus() == 2
    (tmp_path / "self-cgroup").unlink()
    assert fake.usable_cpus() == 2


def test_a_run_seed_is_the_seed_given_or_a_fresh_one() -> None:
    from creditstd.records.fake import run_seed

    assert run_seed(5) == 5 and run_seed(0) == 0
    assert len({run_seed(None) for _ in range(5)}) == 5


@given(st.integers(min_value=1, max_value=2**70))
@settings(max_examples=25, deadline=None)
def test_a_negative_seed_makes_other_records_than_its_positive(seed: int) -> None:
    """Python's random seeds with an integer's absolute value: -5 made exactly what 5 made, for a whole block."""
    day = date(2026, 6, 30)

    def made(value: int) -> list[dict[str, Any]]:
        return [item.record for item in fake_records("honour", 3, seed=value, on=day)]

    assert made(-seed) != made(seed)
    assert made(-seed) == made(-seed)
