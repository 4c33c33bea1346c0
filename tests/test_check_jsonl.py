"""``creditstd check --file --format jsonl`` (and ``json``) through the bulk path writes exactly what the per-item
path writes: the differential test of the fast JSON output.

The reference is the per-line path (``run``, one :func:`check` and one ``json.dumps`` per line), run on the same
bytes by the same command (``tests/test_check_bulk.py``'s ``_assert_same``): stdout, stderr and the exit code must
be equal byte for byte.  The inputs mix every kind of line the command meets (valid, invalid, blank, comments,
odd spacing, full width, lower case, separators, text that needs JSON escapes, lines too long to read, bytes that
are not UTF-8), in small blocks so that every line of assembly and the writing thread are used many times, with
the parts put together by Arrow's cast and by NumPy; and every text fixture of the repository.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_check_bulk import ESCAPES, FLAVOURS, _assert_same, _line, _valid

from creditstd.cli import _io
from creditstd.cli import check as check_module

JSON_MODES = [
    ["--format", "jsonl"],
    ["--format", "json"],
    ["--format", "jsonl", "--reveal"],
    ["--format", "jsonl", "--strict"],
    ["--format", "json", "--reveal", "--strict"],
    ["--format", "jsonl", "--kind", "ric"],
    ["--format", "jsonl", "--kind", "uscc"],
    ["-q"],
]

ROOT = Path(__file__).parent.parent
#: Every text fixture of the repository (CSV, TSV, JSON Lines, lists): read as lists of identifiers, they are
#: full of lines the fast path must leave to the per-item path (and some are not UTF-8).
FIXTURES = sorted(
    path
    for folder in ("tests/fixtures", "examples")
    for path in (ROOT / folder).rglob("*")
    if path.is_file() and path.suffix in (".txt", ".csv", ".tsv", ".jsonl") and path.stat().st_size < 1 << 20
)


def _flavoured(rng: random.Random, flavour: str) -> bytes:
    """One input line of ``flavour`` as bytes (without its newline)."""
    if flavour == "escape":
        return rng.choice(ESCAPES).encode("utf-8", "surrogatepass")
    if flavour == "overlong":  # longer than a line may be: the command stops there (exit 2), after the lines before
        return rng.choice(["9", "\u4e2d", " "]).encode() * (_io.CHECK_LINE_BYTES + rng.randrange(3))
    if flavour == "not-utf8":
        return _valid(rng).encode()[:5] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80"]) + b"123"
    if flavour == "spaced":
        before, after = rng.choice(["", " ", "\t", "\u3000", "  "]), rng.choice(["", " ", "\t", "\r", " \u3000"])
        return (before + _valid(rng) + after).encode()
    return _line(rng, flavour).encode("utf-8", "surrogatepass")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 2**32),
    flavours=st.lists(
        st.sampled_from([*FLAVOURS, *["valid"] * 6, "corrupt", "escape", "spaced"]), min_size=1, max_size=200
    ),
    mode=st.sampled_from(JSON_MODES),
    crlf=st.booleans(),
    bom=st.booleans(),
    block=st.sampled_from([96, 700, 1 << 18]),
    arrow=st.booleans(),
    last=st.sampled_from([None, None, "overlong", "not-utf8"]),
)
def test_json_output_equals_the_per_line_output(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    seed: int,
    flavours: list[str],
    mode: list[str],
    crlf: bool,
    bom: bool,
    block: int,
    arrow: bool,
    last: str | None,
) -> None:
    """Hypothesis-made files of every kind of line: the bulk path's JSON equals the per-line path's.  ``last``: a
    line too long or not UTF-8 in the last quarter (from its block on the per-line reader reads, and stops there
    with exit 2)."""
    rng = random.Random(seed)
    newline = b"\r\n" if crlf else b"\n"
    lines = [_flavoured(rng, flavour) for flavour in flavours]
    if last:
        lines.insert(rng.randrange(len(lines) * 3 // 4, len(lines) + 1), _flavoured(rng, last))
    path = tmp_path / "ids.txt"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + newline.join(lines))
    with monkeypatch.context() as patch:  # this example's settings only (the fixture lasts for all of them)
        if arrow:  # every block's parts put together by Arrow, however small
            patch.setattr(check_module, "_ARROW_BYTES", 0)
        else:
            patch.setattr(check_module, "_arrow_views", lambda: None)
        patch.setattr(check_module, "BLOCK_BYTES", block)
        _assert_same(path, mode, patch)


@pytest.mark.parametrize("mode", [["--format", "jsonl"], ["--format", "json", "--reveal"], ["-q", "--strict"]])
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: str(path.relative_to(ROOT)))
def test_fixture_files_give_the_same_output(monkeypatch: pytest.MonkeyPatch, fixture: Path, mode: list[str]) -> None:
    """Every text fixture of the repository, read as a list of identifiers: the same bytes either way."""
    _assert_same(fixture, mode, monkeypatch)


def test_a_million_byte_block_of_valid_lines_is_written_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of lines of every kind in the default block size: the same output (masked ID numbers, line
    numbers across 9999/10000) as the per-line path."""
    rng = random.Random(17)
    lines = [_valid(rng) if rng.random() < 0.9 else _line(rng, "corrupt") for _ in range(12000)]
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _assert_same(path, ["--format", "jsonl"], monkeypatch)
