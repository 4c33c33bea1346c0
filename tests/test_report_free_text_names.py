"""A natural person's name typed into free text (remarks, facts) is not shown in reports, unless ``--show-pii``.

The report masks the personal fields themselves; the same name in another cell of the row is masked as the name
is, in sample rows and in the values of examples, and no common values of free-text fields are kept or listed.
A company's name is not personal, and closed-vocabulary fields keep their common values.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from click.testing import CliRunner
from faker import Faker
from hypothesis import given
from hypothesis import strategies as st

from creditstd.cli import main
from creditstd.convert.mapping import export_mapping
from creditstd.records.export import write_csv
from creditstd.records.fake import fake_records
from creditstd.records.masking import looks_like_person_name
from creditstd.reports.builder import ReportBuilder

CLASS = "administrative_penalty"
PERSON, OTHER = "欧阳明远", "慕容小雪"  # natural persons
FORMATS = ("text", "json", "html")


def _records() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    records = [item.record for item in fake_records(CLASS, 40, seed=5, on=date(2026, 11, 30))]
    people = [record for record in records if record["subject_category"] == "自然人"]
    company = next(record for record in records if record["subject_category"] == "法人及非法人组织")
    return people, company


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")
    return path


@pytest.fixture()
def valid_rows(tmp_path: Path) -> Path:
    """Only valid rows (so the first rows are the samples): two rows of one person, whose name is in the remarks
    of both (a common value) and in the facts; a company whose name is in its facts."""
    people, company = _records()
    first, second = dict(people[0]), dict(people[1])
    for record in (first, second):
        record.update(subject_name=PERSON, remarks=f"{PERSON}本人已签收",
                      violation_facts=f"经查，当事人{PERSON}违法经营。", penalty_content=f"对{PERSON}罚款")
    company = dict(company, violation_facts=f"经查，当事人{company['subject_name']}违法经营。")
    return _write(tmp_path / "valid.jsonl", [first, second, company])


@pytest.fixture()
def rejected_rows(tmp_path: Path) -> Path:
    """Rejected rows (the samples) with a name in a cell that has a finding (an example's value), and the name of
    another person in the remarks of valid rows (common values)."""
    people, company = _records()
    shown = dict(people[2], subject_name=OTHER, remarks=OTHER + "。" * 600,  # too long: record.maxLength
                 violation_facts=f"当事人{OTHER}违法")
    valid = [dict(record, subject_name=PERSON, remarks=f"{PERSON}本人已签收") for record in people[:2]]
    company = dict(company, violation_facts=f"经查，当事人{company['subject_name']}违法经营。",
                   decision_date="2023-02-30")  # rejected too: among the samples
    return _write(tmp_path / "rejected.jsonl", [*valid, shown, company])


def _report(path: Path, form: str, tmp_path: Path, *options: str) -> str:
    out = tmp_path / f"report.{form}"
    result = CliRunner().invoke(main, ["validate", str(path), "--format", form, "-o", str(out), "--no-progress",
                                       *options])
    assert result.exit_code in (0, 1), result.output
    return out.read_text(encoding="utf-8") + result.output


def _json(path: Path, tmp_path: Path) -> dict[str, Any]:
    _report(path, "json", tmp_path)
    report: dict[str, Any] = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    return report


def _company_name(path: Path) -> str:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return next(record["subject_name"] for record in records if record["subject_category"] == "法人及非法人组织")


@pytest.mark.parametrize("form", FORMATS)
def test_a_name_in_free_text_is_not_shown(valid_rows: Path, rejected_rows: Path, form: str, tmp_path: Path) -> None:
    for path in (valid_rows, rejected_rows):
        shown = _report(path, form, tmp_path)
        assert PERSON not in shown and OTHER not in shown


@pytest.mark.parametrize("form", FORMATS)
def test_show_pii_shows_it(valid_rows: Path, rejected_rows: Path, form: str, tmp_path: Path) -> None:
    assert OTHER in _report(rejected_rows, form, tmp_path, "--show-pii")  # an example's value (and samples)
    if form != "text":  # the text report shows no sample rows
        assert PERSON in _report(valid_rows, form, tmp_path, "--show-pii")


def test_the_name_is_masked_as_the_name_is(valid_rows: Path, rejected_rows: Path, tmp_path: Path) -> None:
    cells = _json(valid_rows, tmp_path)["files"][0]["samples"][0]["cells"]
    assert cells["subject_name"] == "欧***"
    assert (cells["remarks"], cells["violation_facts"], cells["penalty_content"]) == (
        "欧***本人已签收", "经查，当事人欧***违法经营。", "对欧***罚款")
    report = _json(rejected_rows, tmp_path)
    example = next(code for code in report["codes"] if code["code"] == "record.maxLength")["examples"][0]
    assert example["field"] == "remarks" and example["value"].startswith("慕***。")
    assert report["files"][0]["samples"][0]["cells"]["violation_facts"] == "当事人慕***违法"


@pytest.mark.parametrize("form", ["json", "html"])  # the text report shows no sample rows
def test_a_company_name_in_free_text_stays(valid_rows: Path, rejected_rows: Path, form: str, tmp_path: Path) -> None:
    for path in (valid_rows, rejected_rows):
        assert f"经查，当事人{_company_name(path)}违法经营。" in _report(path, form, tmp_path)


def test_free_text_fields_list_no_common_values_closed_ones_do(valid_rows: Path, tmp_path: Path) -> None:
    text = _report(valid_rows, "text", tmp_path, "--lang", "en")
    assert "common values: 自然人 ×2" in text and "本人已签收" not in text
    fields = {field["field"]: field for field in _json(valid_rows, tmp_path)["files"][0]["fields"]}
    assert fields["remarks"]["top_values"] is None and fields["violation_facts"]["top_values"] is None
    assert {"value": "自然人", "count": 2} in fields["subject_category"]["top_values"]
    assert fields["decision_date"]["top_values"] and fields["authority"]["top_values"]
    html = _report(valid_rows, "html", tmp_path)
    assert "自然人 ×2" in html and "本人已签收 ×2" not in html


def test_the_summary_says_which_fields_are_free_text() -> None:
    builder = ReportBuilder(class_name=CLASS)
    builder.start_file("a.csv", format="csv", encoding="utf-8", headers=[], mapping={}, missing=[])
    builder.add_rows({"remarks": pa.array(["同一备注", "同一备注"]),
                      "subject_category": pa.array(["自然人", "自然人"])}, np.array([2, 3]), np.array([True, True]), [])
    fields = {field.key: field for field in builder.finish().files[0].fields}
    assert fields["remarks"].free_text and fields["remarks"].top_values is None and not fields["remarks"].personal
    assert not fields["subject_category"].free_text and fields["subject_category"].top_values == (("自然人", 2),)


def test_short_values_and_code_values_are_not_looked_for() -> None:
    """A one-character value, and a personal field's code (``身份证`` is the ID type), mask nothing else."""
    builder = ReportBuilder(class_name=CLASS)
    builder.start_file("a.csv", format="csv", encoding="utf-8", headers=[], mapping={}, missing=[])
    builder.add_rows({"subject_name": pa.array(["王"]), "subject_category": pa.array(["自然人"]),
                      "id_type": pa.array(["身份证"]), "remarks": pa.array(["王某已出示身份证"])},
                     np.array([2]), np.array([True]), [])
    assert dict(builder.finish().files[0].samples[0].cells)["remarks"] == "王某已出示身份证"


def test_the_convert_report_does_not_show_it_either(tmp_path: Path) -> None:
    people, _ = _records()
    records = [dict(record, subject_name=PERSON, remarks=f"{PERSON}本人已签收") for record in people[:2]]
    path, mapping = tmp_path / "export.csv", tmp_path / "csv.toml"
    with open(path, "w", encoding="utf-8", newline="") as stream:
        write_csv(records, CLASS, stream)
    mapping.write_text(export_mapping(CLASS, "csv"), encoding="utf-8")
    for options, shown in (((), False), (("--show-pii",), True)):
        report = tmp_path / "report.json"
        result = CliRunner().invoke(main, [
            "convert", str(path), "--mapping", str(mapping), "-o", str(tmp_path / f"batch{shown}"), "--format",
            "json", "--report", str(report), "--department", "某市市场监督管理局", "--department-uscc",
            "11350100MAD18YGF27", "--on", "2026-11-30", *options])
        assert result.exit_code == 0, result.output
        assert (PERSON in report.read_text(encoding="utf-8")) is shown


@pytest.mark.parametrize("fmt", [*FORMATS, "github", "sarif", "junit"])
def test_a_name_shifted_into_a_field_of_codes_is_masked_and_the_codes_stay(tmp_path: Path, fmt: str) -> None:
    """A person's name in ``procedure`` (a column shifted, or typed in the wrong cell) is no code of the table:
    it is masked as a name in common values, examples and sample rows; the codes themselves (简易程序, which
    starts with the surname 简) are listed as they are."""
    people, company = _records()
    rows = [dict(record, procedure=PERSON) for record in people[:3]]
    rows += [dict(company, procedure="简易程序", decision_number=f"罚〔2024〕{number}号") for number in range(4)]
    path = _write(tmp_path / "shifted.jsonl", rows)
    result = CliRunner().invoke(main, ["validate", str(path), "--class", CLASS, "--on", "2026-11-30",
                                       "--format", fmt])
    assert result.exit_code == 1, result.output
    assert PERSON not in result.stdout
    if fmt in FORMATS:
        assert "欧***" in result.stdout
    if fmt == "json":
        report = json.loads(result.stdout)
        (procedure,) = [field for field in report["files"][0]["fields"] if field["field"] == "procedure"]
        assert {top["value"]: top["count"] for top in procedure["top_values"]} == {"简易程序": 4, "欧***": 3}
        shown = CliRunner().invoke(main, ["validate", str(path), "--class", CLASS, "--on", "2026-11-30",
                                          "--format", "json", "--show-pii"])
        assert PERSON in shown.stdout


@given(st.text(max_size=8))
def test_only_two_to_four_chinese_characters_can_look_like_a_name(text: str) -> None:
    stripped = text.strip()
    if looks_like_person_name(text):
        assert 2 <= len(stripped) <= 4 and all("\u4e00" <= char <= "\u9fff" for char in stripped)


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_every_name_creditstd_fake_draws_looks_like_a_name(seed: int) -> None:
    faker = Faker("zh_CN")
    faker.seed_instance(seed)
    assert looks_like_person_name(faker.name())


@pytest.mark.parametrize("class_name", ["administrative_penalty", "serious_dishonesty_list", "judicial_judgement",
                                        "credit_rating", "administrative_licence"])
def test_no_common_value_of_fake_records_is_taken_for_a_name(tmp_path: Path, class_name: str) -> None:
    """Authorities (郑州海关), causes (劳动争议), codes: the values ``creditstd fake`` draws for fields that hold no
    names are listed as they are (the guess masked 郑州海关 and 劳动争议 as 郑***, 劳***)."""
    records = [item.record for item in fake_records(class_name, 400, seed=3, on=date(2026, 11, 30))]
    if "authority" in records[0]:
        for record in records[:50]:
            record["authority"] = "郑州海关"
    path = _write(tmp_path / "fake.jsonl", records)
    result = CliRunner().invoke(main, ["validate", str(path), "--class", class_name, "--on", "2026-11-30",
                                       "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    shown = [top["value"] for field in json.loads(result.stdout)["files"][0]["fields"]
             for top in field["top_values"] or ()]
    assert shown and not [value for value in shown if re.fullmatch("[\u4e00-\u9fff][*]+", value)]
    assert "authority" not in records[0] or "郑州海关" in shown
