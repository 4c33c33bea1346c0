"""The ``creditstd catalogue`` commands: output in both languages, JSON, exit codes, help."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from creditstd import catalogue
from creditstd.cli.catalogue import catalogue_group, display_width, format_table

BOTH = {"CREDITSTD_LANG": "both"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env=BOTH)


def test_list_text_and_json(runner: CliRunner) -> None:
    result = runner.invoke(catalogue_group, ["list"])
    assert result.exit_code == 0, result.output
    for cls in catalogue.classes():
        assert cls.name in result.stdout and cls.zh in result.stdout and cls.en in result.stdout
    assert "公开属性 / openness" in result.stdout
    data = json.loads(runner.invoke(catalogue_group, ["list", "--format", "json"]).stdout)
    assert [item["name"] for item in data["classes"]] == [cls.name for cls in catalogue.classes()]
    assert data["version"] == catalogue.VERSION


def test_show_text(runner: CliRunner) -> None:
    result = runner.invoke(catalogue_group, ["show", "administrative_penalty"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in ("行政处罚信息", "Administrative penalty", "CF_WSH", "行政处罚决定书文号", "penalty decision number",
                 "natural_person_needs_id", "a fine needs its amount", "处罚类别含罚款时，罚款金额必填",
                 "samr-order-45-2021", "orgcode_in_uscc"):
        assert text in out, text
    assert all(spec.key in out for spec in catalogue.get_class("administrative_penalty").fields.values())
    # the rule sets with the dates they judge, not one "default" that would mislead
    assert "ndrc-order-36-2025" in out and "in force: 2026-04-01 – …" in out and "default" not in out
    assert "施行 / in force: 2023-05-01 – 2026-04-01" in out and "scope: market_regulation" in out
    shown = json.loads(runner.invoke(catalogue_group, ["show", "administrative_penalty", "--format", "json"]).stdout)
    dated = {item["id"]: (item["in_force"], item["repealed"]) for item in shown["display_rule_sets"]}
    assert dated["ndrc-order-58-2023"] == ("2023-05-01", "2026-04-01")


def test_show_columns_line_up_with_chinese(runner: CliRunner) -> None:
    lines = runner.invoke(catalogue_group, ["show", "administrative_penalty"]).stdout.splitlines()
    start = next(number for number, line in enumerate(lines) if line.startswith("键 / key"))
    header, rule = lines[start], lines[start + 1]
    column = display_width(header[: header.index("English")])
    assert rule[column - 2: column] == "  "
    code_column = display_width(header[: header.index("代码 / code")])
    for line in lines[start + 2: start + 8]:  # rows with Chinese names of different lengths
        assert display_width(line[: line.index("CF_")]) == code_column, line


def test_format_table_widths() -> None:
    lines = list(format_table(["中文", "x"], [["行政处罚", "a"], ["ab", "b"]]))
    assert {display_width(line[: line.rindex(" ") + 1]) for line in lines[2:]} == {10}


def test_show_json_parses(runner: CliRunner) -> None:
    for cls in catalogue.classes():
        result = runner.invoke(catalogue_group, ["show", cls.name, "--format", "json"])
        assert result.exit_code == 0
        data = json.loads(result.stdout)
        assert data["name"] == cls.name and data["zh"] == cls.zh
        assert [field["key"] for field in data["fields"]] == list(cls.fields)


def test_schema_prints_the_class_schema(runner: CliRunner) -> None:
    result = runner.invoke(catalogue_group, ["schema", "administrative_penalty"])
    assert result.exit_code == 0
    assert "行政处罚信息" in result.stdout  # ensure_ascii=False
    schema = json.loads(result.stdout)
    assert schema["x-class"] == "administrative_penalty" and "decision_number" in schema["properties"]


@pytest.mark.parametrize("command", ["show", "schema"])
def test_unknown_class_exits_2_bilingual(runner: CliRunner, command: str) -> None:
    result = runner.invoke(catalogue_group, [command, "no_such_class"])
    assert result.exit_code == 2
    assert "目录中没有记录类" in result.stderr and "no record class" in result.stderr
    assert all(cls.name in result.stderr for cls in catalogue.classes())
    assert "Traceback" not in result.output


def test_taxonomy_text_json_and_section(runner: CliRunner) -> None:
    result = runner.invoke(catalogue_group, ["taxonomy"])
    assert result.exit_code == 0
    for text in ("自然人", "natural persons", "敏感个人信息", "sensitive personal information", "id_type",
                 "纳税信用等级", "production_safety"):
        assert text in result.stdout, text
    data = json.loads(runner.invoke(catalogue_group, ["taxonomy", "--format", "json"]).stdout)
    assert data == catalogue.taxonomy()
    sectors = runner.invoke(catalogue_group, ["taxonomy", "--section", "sectors", "--format", "json"])
    assert json.loads(sectors.stdout) == catalogue.taxonomy()["sectors"]
    openness = runner.invoke(catalogue_group, ["taxonomy", "--section", "openness"])
    assert "有条件公开" in openness.stdout and "conditionally public" in openness.stdout
    assert "自然人" not in openness.stdout


def test_taxonomy_unknown_section_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(catalogue_group, ["taxonomy", "--section", "nope"])
    assert result.exit_code == 2
    assert "分类标准中没有" in result.stderr and "no section 'nope'" in result.stderr


@pytest.mark.parametrize(("fmt", "ext"), [("markdown", ".md"), ("html", ".html")])
def test_docs_writes_files(runner: CliRunner, tmp_path: Path, fmt: str, ext: str) -> None:
    target = tmp_path / "reference"
    result = runner.invoke(catalogue_group, ["docs", "--format", fmt, "-o", str(target)])
    assert result.exit_code == 0, result.output
    files = sorted(target.iterdir())
    assert len(files) == len(catalogue.classes()) + 4 and all(path.suffix == ext for path in files)
    assert f"{len(files)} files written" in result.stderr and f"已写入 {len(files)} 个文件" in result.stderr
    assert result.stdout == ""


def test_docs_usage_errors(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(catalogue_group, ["docs", "--format", "pdf", "-o", str(tmp_path)]).exit_code == 2
    assert runner.invoke(catalogue_group, ["docs"]).exit_code == 2
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(catalogue_group, ["docs", "-o", str(blocker / "sub")])
    assert result.exit_code == 2 and "cannot write" in result.stderr


def test_bad_format_exits_2(runner: CliRunner) -> None:
    assert runner.invoke(catalogue_group, ["list", "--format", "xml"]).exit_code == 2


def test_every_command_and_option_has_help(runner: CliRunner) -> None:
    assert catalogue_group.help and " / " in catalogue_group.help
    assert set(catalogue_group.commands) == {"list", "show", "schema", "taxonomy", "docs"}
    for name, command in catalogue_group.commands.items():
        assert command.help and " / " in command.help, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help and " / " in param.help, (name, param.name)
        result = runner.invoke(catalogue_group, [name, "--help"])
        assert result.exit_code == 0 and "Usage" in result.stdout
