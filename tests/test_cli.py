"""The creditstd command: output, masking, exit codes, input errors."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from creditstd import ric, uscc
from creditstd.cli import COMMANDS, main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "identifiers.txt"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_all_valid_exits_0(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "91350100M000100Y43", "19220382-1"])
    assert result.exit_code == 0
    assert "✓ 91350100M000100Y43" in result.stdout and "工商" in result.stdout
    assert "2 checked, 2 valid, 0 invalid" in result.stderr


def test_some_invalid_exits_1_and_explains(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "91350100M000100Y43", "91350100M000100Y4Z"])
    assert result.exit_code == 1
    assert "uscc.checksum" in result.stdout and "expected '3'" in result.stdout


def test_usage_errors_exit_2(runner: CliRunner) -> None:
    assert runner.invoke(main, ["check", "--format", "xml", "x"]).exit_code == 2
    assert runner.invoke(main, ["check", "x", "--file", "y"]).exit_code == 2
    assert runner.invoke(main, ["generate", "uscc", "--authority", "Z"]).exit_code == 2


def test_missing_file_exits_2_naming_it(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    result = runner.invoke(main, ["check", "--file", str(missing)])
    assert result.exit_code == 2
    assert str(missing) in result.stderr and "Traceback" not in result.output


def test_gbk_file_read_as_utf8_exits_2_naming_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("91350100M000100Y43\n# 统一社会信用代码\n".encode("gbk"))
    result = runner.invoke(main, ["check", "--file", str(path)])
    assert result.exit_code == 2
    assert "line 2" in result.stderr and "gb18030" in result.stderr
    ok = runner.invoke(main, ["check", "--file", str(path), "--encoding", "gb18030"])
    assert ok.exit_code == 0


def test_file_input_skips_comments_and_reports_lines(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "ids.txt"
    path.write_text("\ufeff# header\n\n91350100M000100Y43\n91350100M000100Y4Z\n", encoding="utf-8")
    result = runner.invoke(main, ["check", "--file", str(path), "--format", "jsonl"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(row["line"], row["valid"]) for row in rows] == [(3, True), (4, False)]
    assert result.exit_code == 1


def test_stdin_input(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "--file", "-", "--format", "json"], input="19220382-1\n")
    document = json.loads(result.stdout)
    assert document["summary"] == {"checked": 1, "valid": 1, "invalid": 0}
    assert document["results"][0]["kind"] == "orgcode"


def test_personal_numbers_are_masked_unless_revealed(runner: CliRunner) -> None:
    number = "11010519491231002X"
    for output in ("text", "json", "jsonl"):
        result = runner.invoke(main, ["check", number, "--format", output])
        assert number not in result.stdout and "19491231" not in result.stdout
        assert "1949-12-31" not in result.stdout
        assert "110105********002X" in result.stdout
    revealed = runner.invoke(main, ["check", number, "--reveal", "--format", "json"])
    assert json.loads(revealed.stdout)["results"][0]["info"]["birth_date"] == "1949-12-31"


def test_invalid_personal_numbers_are_masked_too(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "110105194912310021"])
    assert "110105194912310021" not in result.stdout and "ric.checksum" in result.stdout


def test_strict_flag(runner: CliRunner) -> None:
    body = "91000000M000100Y4"
    number = body + uscc.calc_check_digit(body)
    assert runner.invoke(main, ["check", number]).exit_code == 0
    strict = runner.invoke(main, ["check", "--strict", number])
    assert strict.exit_code == 1 and "uscc.region" in strict.stdout


def test_kind_option_forces_the_validator(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "--kind", "orgcode", "91350100M000100Y43"])
    assert result.exit_code == 1 and "orgcode.length" in result.stdout


def test_unrecognisable_value(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "hello"])
    assert result.exit_code == 1 and "identify.unknown" in result.stdout


def test_bundled_example_file(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "--file", str(EXAMPLES), "--format", "json"])
    document = json.loads(result.stdout)
    codes = {error["code"] for row in document["results"] for error in row["errors"]}
    assert {"uscc.checksum", "uscc.placeholder", "uscc.pilot_checksum", "ric.masked", "ric.birth_date"} <= codes
    assert document["summary"]["valid"] >= 12
    assert result.exit_code == 1


def test_messages_follow_creditstd_lang(runner: CliRunner) -> None:
    zh = runner.invoke(main, ["check", "91350100M000100Y4Z"], env={"CREDITSTD_LANG": "zh"})
    assert "校验码不符" in zh.stdout and "expected" not in zh.stdout
    en = runner.invoke(main, ["check", "91350100M000100Y4Z"], env={"CREDITSTD_LANG": "en"})
    assert "expected '3'" in en.stdout and "校验码不符" not in en.stdout


@pytest.mark.parametrize("kind", ["uscc", "ric", "orgcode", "regno"])
def test_generate_is_valid_and_reproducible(runner: CliRunner, kind: str) -> None:
    first = runner.invoke(main, ["generate", kind, "-n", "20", "--seed", "7"])
    second = runner.invoke(main, ["generate", kind, "-n", "20", "--seed", "7"])
    assert first.exit_code == 0 and first.stdout == second.stdout
    numbers = first.stdout.split()
    assert len(numbers) == 20
    check = runner.invoke(main, ["check", "--strict", "--kind", kind, *numbers])
    assert check.exit_code == 0


def test_generate_ric_constraints(runner: CliRunner) -> None:
    result = runner.invoke(main, ["generate", "ric", "-n", "10", "--region", "110105", "--sex", "F",
                                  "--birth-from", "1990-01-01", "--birth-to", "1990-12-31", "--seed", "1"])
    for number in result.stdout.split():
        info = ric.parse(number)
        assert info.region_code == "110105" and not info.is_male and info.birth_date.year == 1990


def test_every_command_has_help(runner: CliRunner) -> None:
    listing = runner.invoke(main, ["--help"])
    assert listing.exit_code == 0
    context = click.Context(main)
    for name in main.list_commands(context):
        command = main.get_command(context, name)
        assert command is not None and command.name == name
        # the listing is written without importing the commands: it must say what each command says itself
        assert COMMANDS[name][2] == command.get_short_help_str(limit=200) and f"  {name} " in listing.stdout
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0 and command.help, name
        for parameter in command.params:
            if hasattr(parameter, "help") and parameter.param_type_name == "option":
                assert parameter.help, f"{name} {parameter.name} has no help"


def test_json_errors_keep_their_format(runner: CliRunner) -> None:
    """Issue 6: a verdict's errors are Findings; the JSON keeps the keys it always had, kind 'unknown' included."""
    result = runner.invoke(main, ["check", "--format", "jsonl", "91350100M000100Y4Z", "hello"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    errors = [error for row in rows for error in row["errors"]]
    assert all(list(error) == ["kind", "code", "position", "message_zh", "message_en"] for error in errors)
    assert [(error["kind"], error["code"], error["position"]) for error in errors] == [
        ("uscc", "uscc.checksum", 18), ("unknown", "identify.unknown", None)]
    text = runner.invoke(main, ["check", "hello", "--kind", "ric"], env={"CREDITSTD_LANG": "en"})
    assert "身份号码 / ID number: ric.length" in text.stdout


_PANDAS_AFTER_VALIDATE = """
import sys
from creditstd.cli import main
sys.argv = ['creditstd', 'validate', sys.argv[1], '--format', 'json']
try:
    main()
except SystemExit as exit:
    code = exit.code
print('pandas' in sys.modules, code, file=sys.stderr)
import pandas, pyarrow  # still importable, and pyarrow still converts to and from it
frame = pyarrow.table({'a': [1, None]}).to_pandas()
print(pyarrow.Table.from_pandas(frame).num_rows, file=sys.stderr)
"""


def test_commands_leave_pandas_unimported_yet_importable(tmp_path: Path) -> None:
    """pyarrow would import pandas (35 MB, 0.2 s) only to ask whether values are pandas objects: a command
    answers that question for it, and pandas still works afterwards in the same process (a program embedding
    the CLI)."""
    import subprocess
    import sys

    pytest.importorskip("pandas")
    done = subprocess.run([sys.executable, "-c", _PANDAS_AFTER_VALIDATE,
                           str(EXAMPLES.parent / "exports" / "administrative_penalty.csv")],
                          capture_output=True, text=True, check=True)
    assert done.stderr.split() == ["False", "1", "2"]  # the example holds broken rows: exit 1
