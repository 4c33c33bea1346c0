"""Regressions from the first review: normalisation, masking of near-ID values, repr privacy, CLI robustness."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from creditstd import ric, uscc
from creditstd.cli import _Main, main
from creditstd.codes.verdict import check
from creditstd.exceptions import fail


@pytest.mark.parametrize("junk", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "·"])
def test_invisible_characters_and_middle_dots_are_dropped(junk: str) -> None:
    assert uscc.validate(f"{junk}9135{junk}0100M000100Y43{junk}") == "91350100M000100Y43"
    assert ric.validate(f"110105{junk}19491231002X") == "11010519491231002X"


def test_mask_refuses_arguments_that_would_reveal_more() -> None:
    for arguments in ({"keep_start": -1}, {"keep_end": -2}, {"char": ""}, {"char": "**"}):
        with pytest.raises(ValueError):
            ric.mask("11010519491231002X", **arguments)


def test_repr_of_parse_results_and_verdicts_leaves_the_number_out() -> None:
    for text in (repr(ric.parse("11010519491231002X")), repr(check("11010519491231002X"))):
        assert "11010519491231002X" not in text and "1949" not in text and "002" not in text


@pytest.mark.parametrize(
    "arguments",
    [["11010519491231002"], ["110105194912310021X"], ["1101051949123100X2"], ["--kind", "uscc", "11010519491231002X"],
     ["--kind", "regno", "110105491231002"], ["\ufeff11010519491231002X"]],
)
def test_check_masks_values_that_may_be_id_numbers(arguments: list[str]) -> None:
    digits = "".join(char for char in arguments[-1] if char.isdigit())
    for output in ("text", "json"):
        result = CliRunner().invoke(main, ["check", "--format", output, *arguments])
        assert digits not in result.output and "19491231" not in result.output and "491231" not in result.output


def test_check_still_shows_organisation_codes() -> None:
    result = CliRunner().invoke(main, ["check", "91350100M000100Y4Z", "914403001922038216"])
    assert "91350100M000100Y4Z" in result.stdout and "914403001922038216" in result.stdout


def test_truncated_input_file_exits_2(tmp_path) -> None:
    path = tmp_path / "ids.txt"
    path.write_bytes(b"91350100M000100Y43\n\xe4")
    result = CliRunner().invoke(main, ["check", "--file", str(path)])
    assert result.exit_code == 2 and "truncated" in result.stderr


def test_generate_refuses_a_region_that_does_not_fit_the_kind() -> None:
    for arguments in (["--id-kind", "residence_permit", "--region", "110105"], ["--region", "810000"],
                      ["--region", "999999"]):
        result = CliRunner().invoke(main, ["generate", "ric", *arguments])
        assert result.exit_code == 2 and "Traceback" not in result.output


def test_a_creditstd_error_a_command_did_not_foresee_is_exit_2_not_a_traceback() -> None:
    @click.group(cls=_Main)
    def group() -> None:
        """test group"""

    @group.command()
    def boom() -> None:
        fail("uscc.region", value="000000")

    result = CliRunner().invoke(group, ["boom"])
    assert result.exit_code == 2 and "uscc.region" in result.stderr
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an escaped error
