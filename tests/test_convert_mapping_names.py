"""How `creditstd convert` takes `--mapping`: a built-in mapping's name is no file of the user's (an output
folder of that name is fine, a folder of that name does not hide it), and a mapping with several problems has
every one of them listed (the first may only follow from a later one)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from creditstd.cli import main
from creditstd.records.export import write_csv
from creditstd.records.fake import fake_records

DEPARTMENT = ["--department", "某局", "--department-uscc", "11350100MAD18YGF27", "--on", "2025-01-01"]


@pytest.fixture
def export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "p.csv"
    with open(path, "w", encoding="utf-8", newline="") as stream:
        write_csv([item.record for item in fake_records("administrative_penalty", 10, seed=3, on=date(2025, 1, 1))],
                  "administrative_penalty", stream)
    return path


def test_an_output_folder_named_like_the_built_in_mapping_is_allowed(export: Path) -> None:
    result = CliRunner().invoke(main, ["convert", str(export), "--mapping", "sgs-penalty-csv", "-o",
                                       "sgs-penalty-csv", *DEPARTMENT])
    assert result.exit_code == 0, result.output
    assert (export.parent / "sgs-penalty-csv" / "manifest.json").is_file()


def test_the_working_folder_as_output_with_a_built_in_mapping(export: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = export.parent / "out"
    folder.mkdir()
    (folder / "sgs-penalty-csv").mkdir()  # a folder of the mapping's name does not stand for the mapping either
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, ["convert", str(export), "--mapping", "sgs-penalty-csv", "-o", ".", "--force",
                                       *DEPARTMENT])
    assert result.exit_code == 0, result.output
    assert (folder / "manifest.json").is_file()


def test_every_problem_of_a_mapping_is_listed(export: Path) -> None:
    mapping = export.parent / "typo.toml"
    mapping.write_text('spec = 1\nname = "t"\nclass = "administrative_penalty"\n[source]\nformat = "csv"\n\n'
                       '[[fields]]\ntarget = "subject_name"\nsourse = "CF_XDR_MC"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["convert", str(export), "--mapping", str(mapping), "--dry-run"])
    assert result.exit_code == 2
    assert "the mapping has 2 problems" in result.stderr and "映射有2处问题" in result.stderr
    assert "line 9 (fields[0].sourse): unknown key 'sourse'" in result.stderr  # the cause, not only its effect
    assert "line 7 (fields[0])" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("command", ["convert", "pack"])
def test_a_bad_department_code_names_its_option(export: Path, command: str) -> None:
    args = (["convert", str(export), "--mapping", "sgs-penalty-csv", "-o", "out"] if command == "convert" else
            ["exchange", "pack", "administrative_penalty", str(export), "-o", "out"])
    result = CliRunner().invoke(main, [*args, "--department", "某局", "--department-uscc", "11350100MAD18YGF2B"])
    assert result.exit_code == 2
    assert "--department-uscc: check character does not match" in result.stderr
    assert "--department-uscc：校验码不符" in result.stderr
