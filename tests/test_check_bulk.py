"""``creditstd check --file``'s bulk path writes exactly what the per-item path writes, for every input.

The per-item path (``run``) is the reference: each test runs the command twice on the same bytes, once as
shipped (``-q`` and the JSON formats take the bulk path) and once with ``run_bulk`` replaced by ``run`` over
the same lines, and compares stdout, stderr and the exit code byte for byte.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditstd import orgcode, regno, ric, uscc
from creditstd.cli import check as check_module
from creditstd.cli import main

MODES = [
    ["-q"],
    ["--format", "jsonl"],
    ["--format", "json"],
    ["--format", "jsonl", "-q"],
    ["--format", "jsonl", "--reveal"],
    ["--format", "jsonl", "--strict"],
    ["-q", "--strict"],
    ["--format", "jsonl", "--kind", "ric"],
    ["--format", "jsonl", "--kind", "uscc"],
    ["--format", "jsonl", "--kind", "orgcode"],
    ["--format", "json", "--kind", "regno", "--strict"],
]


def _per_item(blocks, options):
    return check_module.run(
        ((line, text) for numbers, texts in blocks for line, text in zip(numbers, texts, strict=True)), options
    )


def _both(path: Path, args: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    runner = CliRunner()
    bulk = runner.invoke(main, ["check", "--file", str(path), *args], env={"CREDITSTD_LANG": "both"})
    with monkeypatch.context() as patch:
        patch.setattr(check_module, "run_bulk", _per_item)
        single = runner.invoke(main, ["check", "--file", str(path), *args], env={"CREDITSTD_LANG": "both"})
    return bulk, single


def _spy_on_check(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every input the per-item checker is called with (the list returned fills as the test runs)."""
    calls: list[str] = []
    real = check_module.check

    def spy(text: str, **kwargs: object) -> object:
        calls.append(text)
        return real(text, **kwargs)

    monkeypatch.setattr(check_module, "check", spy)
    return calls


def _assert_same(path: Path, args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    bulk, single = _both(path, args, monkeypatch)
    assert bulk.exception is None or isinstance(bulk.exception, SystemExit), bulk.exception
    assert (bulk.exit_code, bulk.stdout, bulk.stderr) == (single.exit_code, single.stdout, single.stderr), args


def _valid(rng: random.Random) -> str:
    choice = rng.randrange(6)
    if choice == 0:
        return uscc.generate(rng=rng)
    if choice == 1:
        return ric.generate(kind=rng.choice(list(ric.Kind)), rng=rng)
    if choice == 2:
        return orgcode.generate(rng=rng)
    if choice == 3:
        return regno.generate(rng=rng)
    return rng.choice(
        [
            "91350100M000100Y43",
            "11010519491231002X",
            "110105491231002",
            "PDY00001X",
            "911398199012310021",
            "810000199408230021",
            "000000000000000000",
            "119999199001010012",
        ]
    )


def _line(rng: random.Random, flavour: str) -> str:
    number = _valid(rng)
    if flavour == "corrupt":
        i = rng.randrange(len(number))
        return number[:i] + rng.choice("0123456789ABXYZ*x") + number[i + 1 :]
    if flavour == "lower":
        return number.lower()
    if flavour == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in number)
    if flavour == "separator":
        i = rng.randrange(len(number))
        return number[:i] + rng.choice([" ", "-", "\u3000", "\t", "\x1c"]) + number[i:]
    if flavour == "padded":
        return rng.choice([" ", "\t", "\u3000", "\ufeff"]) + number + rng.choice(["", " ", "\r"])
    if flavour == "comment":
        return rng.choice(["# note", "  #" + number, "#"])
    if flavour == "blank":
        return rng.choice(["", "   ", "\r"])
    if flavour == "junk":
        return rng.choice(["N/A", "无", "00000000000000000X", "身份证号：" + number, "\x1b[2J", "9" * 18, "a\udcffb"])
    return number


FLAVOURS = ["valid"] * 6 + ["corrupt", "lower", "fullwidth", "separator", "padded", "comment", "blank", "junk"]


def _lines(seed: int, flavours: list[str]) -> list[str]:
    rng = random.Random(seed)
    return [_line(rng, flavour) for flavour in flavours]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 2**32),
    flavours=st.lists(st.sampled_from(FLAVOURS), max_size=60),
    mode=st.sampled_from(MODES),
    crlf=st.booleans(),
    final_newline=st.booleans(),
    bom=st.booleans(),
)
def test_bulk_output_equals_per_item_output(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    seed: int,
    flavours: list[str],
    mode: list[str],
    crlf: bool,
    final_newline: bool,
    bom: bool,
) -> None:
    newline = "\r\n" if crlf else "\n"
    text = newline.join(_lines(seed, flavours)) + (newline if final_newline else "")
    path = tmp_path / "ids.txt"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8", "surrogatepass"))
    _assert_same(path, mode, monkeypatch)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(st.text(max_size=30), max_size=20), mode=st.sampled_from(MODES))
def test_any_text_gives_the_same_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: list[str], mode: list[str]
) -> None:
    path = tmp_path / "ids.txt"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    _assert_same(path, mode, monkeypatch)


@pytest.mark.parametrize("mode", MODES[:4])
def test_blocks_overlong_lines_and_bad_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: list[str]) -> None:
    """Lines across block boundaries, a line too long to read, and bytes that are not UTF-8 in a later block:
    the lines before are written, then the same error (exit 2, the same line number)."""
    monkeypatch.setattr(check_module, "BLOCK_BYTES", 64)
    rng = random.Random(5)
    lines = [_line(rng, rng.choice(FLAVOURS)) for _ in range(60)]
    lines[20] = "9" * 5000
    lines[21] = "\ufeff91350100M000100Y43"
    path = tmp_path / "ids.txt"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    _assert_same(path, mode, monkeypatch)
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + b"\n91350100M000100Y43\n\xff\xfe\n")
    bulk, single = _both(path, mode, monkeypatch)
    assert bulk.exit_code == single.exit_code == 2
    assert (bulk.stdout, bulk.stderr) == (single.stdout, single.stderr)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16"])
def test_other_encodings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str) -> None:
    rng = random.Random(9)
    path = tmp_path / "ids.txt"
    path.write_text(
        "\n".join(_line(rng, rng.choice(FLAVOURS)) for _ in range(200)).replace("\udcff", ""), encoding=encoding
    )
    for mode in MODES[:3]:
        _assert_same(path, [*mode, "--encoding", encoding], monkeypatch)


def test_bulk_path_templates_every_kind(tmp_path: Path) -> None:
    """The valid lines of every kind are written from templates (not sent back to the per-item path)."""
    rng = random.Random(3)
    numbers = [
        uscc.generate(rng=rng),
        ric.generate(kind=ric.Kind.CITIZEN, rng=rng),
        orgcode.generate(rng=rng),
        "911398199012310021",
        "810000199408230021",
        "110105491231002",
    ]
    numbers += [regno.generate(rng=rng) for _ in range(20)]
    options = check_module.Options(False, None, "jsonl", False, False)
    templates = check_module._Templates(options)
    check_module._check_block(list(range(1, len(numbers) + 1)), list(numbers), options, templates)
    made = {key[:2] for key, template in templates.formats.items() if template is not None}
    assert {
        ("uscc", 18),
        ("citizen_id", 18),
        ("orgcode", 9),
        ("foreigner_pr", 18),
        ("residence_permit", 18),
        ("regno", 15),
    } <= made


def test_personal_numbers_stay_masked_in_the_bulk_output(tmp_path: Path) -> None:
    path = tmp_path / "ids.txt"
    path.write_text("11010519491231002X\n110105491231002\n11010519491231002\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--file", str(path), "--format", "jsonl"])
    assert "11010519491231002" not in result.stdout and "110105491231002" not in result.stdout
    assert "1949-12-31" not in result.stdout and result.exit_code == 1


# Lines whose errors the NumPy pass names: each must be written from a template (the fast path taken), and the
# output must equal the per-item path's (so a template whose text differed would fail here).
FAST_ERRORS = {
    "uscc.checksum": ("91110000M000100Y44", []),
    "uscc.format": ("91350100M0001I0Y43", []),
    "uscc.placeholder": ("00000000000000000X", []),
    "uscc.pilot_checksum": ("91350100M000100Y45", []),
    "ric.checksum": ("110105194912310021", []),
    "ric.format": ("11010519491231002A", []),
    "ric.birth_date": ("110105194913310029", []),
    "regno.checksum": ("110108000000017", []),
    "regno.format": ("11010800000001A", []),
    "orgcode.checksum": ("192203822", []),
    "identify.unknown": ("1234567", []),
    "uscc.region": ("91999999M000100Y4X", ["--strict"]),
    "uscc.authority": ("B1350100M000100Y4X", ["--strict"]),
    "ric.region": ("119999194912310028", ["--strict"]),
    "ric.foreigner_province": ("999999194912310028", ["--strict"]),
    "orgcode.reserved": ("PDY00001X", ["--strict"]),
}


def _fix_check(number: str, kind: str) -> str:
    """``number`` with the check character that makes its check pass (so the intended error comes first)."""
    if kind.startswith("uscc.") and kind not in (
        "uscc.checksum",
        "uscc.format",
        "uscc.placeholder",
        "uscc.pilot_checksum",
    ):
        return number[:17] + uscc.calc_check_digit(number[:17])
    if kind in ("ric.region", "ric.foreigner_province", "ric.birth_date"):
        return number[:17] + ric.calc_check_digit(number[:17])
    if kind == "orgcode.reserved":
        return number[:8] + orgcode.calc_check_digit(number[:8])
    return number


@pytest.mark.parametrize("code", sorted(FAST_ERRORS))
@pytest.mark.parametrize("output", [["--format", "jsonl"], ["-q"], ["--format", "json", "--reveal"]])
def test_each_fast_verdict_is_taken_and_equals_the_per_item_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str, output: list[str]
) -> None:
    number, extra = FAST_ERRORS[code]
    number = _fix_check(number, code)
    verdict = check_module.check(number, strict=bool(extra))
    assert code in [problem.code for problem in verdict.errors], (number, verdict.errors)
    spied: list[check_module._Invalid] = []

    class Spy(check_module._Invalid):
        def __init__(self, options: check_module.Options) -> None:
            super().__init__(options)
            spied.append(self)

    monkeypatch.setattr(check_module, "_Invalid", Spy)
    path = tmp_path / "ids.txt"
    path.write_text(f"{number}\n91350100M000100Y43\n{number}\n", encoding="utf-8")
    _assert_same(path, [*output, *extra], monkeypatch)
    taken = {error[1]: count for invalid in spied for key, count in invalid.taken.items() for error in key}
    assert taken.get(code) == 2, (code, taken)  # both lines written from the template, none per item


def _valid_as_two(rng: random.Random, count: int) -> list[str]:
    """ID numbers that are also valid USCCs or registration numbers (valid as two kinds)."""
    found: list[str] = []
    while len(found) < count:
        number = ric.generate(kind=rng.choice([ric.Kind.CITIZEN, ric.Kind.CITIZEN_15, ric.Kind.FOREIGNER_PR]), rng=rng)
        if check_module.check(number).also:
            found.append(number)
    return found


@pytest.mark.parametrize(
    "mode",
    [
        ["--format", "jsonl"],
        ["--format", "jsonl", "--strict"],
        ["-q"],
        ["--format", "json", "--reveal"],
        ["-q", "--kind", "uscc"],
        ["--format", "jsonl", "--kind", "regno"],
    ],
)
def test_lines_valid_as_two_kinds_take_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: list[str]
) -> None:
    """A line valid as an ID number and as a USCC or registration number: written from a template of its kind
    and ``also`` (or, with -q, not written), not by the per-item path; the same bytes as the per-item path."""
    numbers = [*_valid_as_two(random.Random(11), 40), "630123198009092313", "421321500707168", "520000611207753"]
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(numbers) + "\n", encoding="utf-8")
    _assert_same(path, mode, monkeypatch)
    strict, kind = "--strict" in mode, mode[mode.index("--kind") + 1] if "--kind" in mode else None
    options = check_module.Options(strict, kind, "text" if "-q" in mode else mode[1], "--reveal" in mode, "-q" in mode)
    real = check_module.check
    calls = _spy_on_check(monkeypatch)
    templates = check_module._Templates(options)
    check_module._check_block(list(range(1, len(numbers) + 1)), list(numbers), options, templates)
    if "-q" in mode:  # a valid line is never checked per item (an invalid one of another length may be)
        assert not [text for text in calls if real(text, strict=strict, kind=kind).valid], calls
    elif kind is None:
        # per item: one sample per template, and the numbers shown as the other kind that may be ID numbers
        other_first = [number for number in numbers if real(number, strict=strict).kind in ("uscc", "regno")]
        assert len(calls) <= len(templates.formats) + len(other_first), calls
        assert any(key[2] for key in templates.formats), templates.formats
        assert all(template is not None for template in templates.formats.values())


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="0123456789XAB", min_size=1, max_size=40))
def test_redact_of_canonical_text_equals_redact(text: str) -> None:
    """The bulk path's redaction of a line in canonical form is :func:`redact`'s."""
    matrix = check_module.batch.text_matrix([text], len(text))
    assert check_module._masked_runs(matrix)[0].tobytes().decode("ascii") == check_module.redact(text)


@pytest.mark.parametrize("crlf", [False, True])
@pytest.mark.parametrize("mode", [["-q"], ["--format", "jsonl"], ["--format", "json", "--strict"]])
def test_canonical_lines_are_read_from_the_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crlf: bool, mode: list[str]
) -> None:
    """UTF-8 input comes as byte blocks whose canonical lines (CR LF, a BOM, blank lines and comments around
    them) are checked from the bytes: valid ones never per item; the same bytes as the per-item path."""
    rng = random.Random(21)
    lines = [
        "# header",
        "",
        *(_valid(rng) for _ in range(30)),
        "   ",
        " 91350100M000100Y43 ",
        "#91350100M000100Y43",
        "\u3000110105491231002",
        *(_line(rng, "corrupt") for _ in range(10)),
        "91350100M000100Y43",
    ]
    newline = "\r\n" if crlf else "\n"
    path = tmp_path / "ids.txt"
    path.write_bytes(b"\xef\xbb\xbf" + newline.join(lines).encode("utf-8"))
    _assert_same(path, mode, monkeypatch)
    blocks = list(check_module._read_blocks(str(path), "utf-8-sig"))
    assert all(isinstance(block, check_module._ByteBlock) for block in blocks)
    read = [(number, text) for numbers, texts in blocks for number, text in zip(numbers, texts, strict=True)]
    assert read == [(line.number, line.text) for line in check_module.read_lines(str(path), "utf-8-sig")]
    strict = "--strict" in mode
    options = check_module.Options(strict, None, "text" if "-q" in mode else mode[1], False, "-q" in mode)
    real = check_module.check
    calls = _spy_on_check(monkeypatch)
    templates = check_module._Templates(options)
    for block in blocks:
        check_module._check_bytes(block, options, templates)
    stripped = {" 91350100M000100Y43 ".strip(), "\u3000110105491231002".strip()}
    per_item = [text for text in calls if real(text, strict=strict).valid and text not in stripped]
    assert len(per_item) <= len(templates.formats), per_item  # one sample per template at most


@pytest.mark.parametrize(
    "mode",
    [
        ["--format", "jsonl"],
        ["--format", "jsonl", "--reveal"],
        ["--format", "json"],
        ["--format", "jsonl", "--strict"],
        ["--format", "json", "--reveal", "--strict"],
        ["--format", "jsonl", "--kind", "ric"],
    ],
)
def test_valid_lines_are_assembled_from_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: list[str]) -> None:
    """Every kind's valid lines (masked and revealed, line numbers across 9/10 and 99/100) are assembled by
    ``render_bytes``, each one, and the output equals the per-item path's byte for byte."""
    rng = random.Random(8)
    numbers = [*(_valid(rng) for _ in range(140)), *_valid_as_two(rng, 8), "PDY00001X", "PDY00000X", "320311770706001"]
    numbers = [number[:8] + orgcode.calc_check_digit(number[:8]) if len(number) == 9 else number for number in numbers]
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(numbers) + "\n", encoding="utf-8")
    _assert_same(path, mode, monkeypatch)
    strict, kind = "--strict" in mode, mode[mode.index("--kind") + 1] if "--kind" in mode else None
    options = check_module.Options(strict, kind, mode[1], "--reveal" in mode, False)
    templates = check_module._Templates(options)
    written = b""
    for block in check_module._read_blocks(str(path), "utf-8-sig"):
        written += check_module._check_bytes(block, options, templates, "strict")[0].data()  # (valid until the next)
    expected = [
        check_module.item_output(line, check_module.check(number, strict=strict, kind=kind), options)
        for line, number in enumerate(numbers, 1)
    ]
    assert written == b"".join(
        b",\n  " + text.encode() if mode[1] == "json" else text.encode() + b"\n" for text in expected
    )
    verdicts = [check_module.check(number, strict=strict, kind=kind) for number in numbers]
    assembled = sum(templates.rendered.values())
    masked_other = sum(
        1 for verdict in verdicts if verdict.valid and verdict.kind in ("uscc", "regno") and verdict.is_personal
    )  # shown as another kind but masked: per item
    assert assembled == sum(verdict.valid for verdict in verdicts) - masked_other, templates.rendered
    assert {key[0] for key in templates.rendered} >= (
        {"uscc", "orgcode", "regno", "citizen_id", "citizen_id_15"} if kind is None else {kind}
    )


def test_byte_blocks_written_as_text_when_stdout_is_not_utf8(tmp_path: Path) -> None:
    """Without a UTF-8 stdout the byte block's lines are text, the same text as from a block of texts."""
    rng = random.Random(4)
    numbers = [_line(rng, rng.choice(FLAVOURS)) for _ in range(80)]
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(numbers).replace("\udcff", "") + "\n", encoding="utf-8")
    options = check_module.Options(False, None, "jsonl", False, False)
    as_text: list[object] = []
    for block in check_module._read_blocks(str(path), "utf-8-sig"):
        as_text += check_module._check_bytes(block, options, check_module._Templates(options))[0]
    as_block: list[object] = []
    for numbers_, texts in check_module._read_blocks(str(path), "utf-8-sig"):
        as_block += check_module._check_block(numbers_, texts, options, check_module._Templates(options))[0]
    assert as_text == as_block and all(isinstance(text, str) for text in as_text)


@pytest.mark.parametrize(
    "mode", [["--format", "jsonl"], ["-q"], ["--format", "jsonl", "--strict"], ["--format", "json", "--reveal"]]
)
def test_invalid_lines_grouped_by_signature(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: list[str]) -> None:
    """Many invalid canonical lines (one character changed: checksums with every expected character, formats,
    birth dates, with --strict regions): each one written from its errors' template, none per item, and the
    output equals the per-item path's."""
    rng = random.Random(17)
    lines = []
    while len(lines) < 300:
        line = _line(rng, "corrupt")
        if (
            line.isalnum()
            and line.isascii()
            and line.upper() == line
            and len(line) in (9, 15, 18)
            and not check_module.check(line, strict="--strict" in mode).valid
        ):
            lines.append(line)
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _assert_same(path, mode, monkeypatch)
    options = check_module.Options(
        "--strict" in mode, None, "text" if "-q" in mode else mode[1], "--reveal" in mode, "-q" in mode
    )
    templates = check_module._Templates(options)
    for block in check_module._read_blocks(str(path), "utf-8-sig"):
        check_module._check_bytes(block, options, templates, "strict")
    assert sum(templates.invalid.taken.values()) == len(lines)
    assert templates.invalid.signatures  # the plain ones were grouped by signature


def test_uscc_regions_with_letters_beside_digit_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A valid (not strict) USCC whose region code holds letters is looked up apart from the digit ones, in the
    same block and in blocks of its own; every line assembled, the same bytes as the per-item path."""
    rng = random.Random(6)
    numbers = []
    for index in range(60):
        body = uscc.generate(rng=rng)[:17]
        if index % 3 == 0:
            body = body[:2] + rng.choice(["A1B2C3", "3501XY", "XY0000"]) + body[8:]
        numbers.append(body + uscc.calc_check_digit(body))
    numbers += [numbers[0]] * 3 + ["91350100M000100Y43"] * 3
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(numbers) + "\n", encoding="utf-8")
    for mode in (["--format", "jsonl"], ["--format", "json", "--reveal"]):
        _assert_same(path, mode, monkeypatch)
    monkeypatch.setattr(check_module, "BLOCK_BYTES", 40)  # a block or two per line
    _assert_same(path, ["--format", "jsonl"], monkeypatch)
    options = check_module.Options(False, None, "jsonl", False, False)
    templates = check_module._Templates(options)
    for block in check_module._read_blocks(str(path), "utf-8-sig"):
        check_module._check_bytes(block, options, templates, "strict")
    # all assembled but those that may be a mistyped ID number or hide a permit's (a letter and 7 digits)
    from creditstd.codes.redact import is_legal_person_code

    assert sum(templates.rendered.values()) == sum(map(is_legal_person_code, numbers)) > len(numbers) // 2


def test_cached_json_of_looked_up_values_equals_json_dumps() -> None:
    """The bulk path's cache of JSON texts keys values so that equal keys have equal JSON (True is not 1)."""
    import dataclasses
    import enum
    import json

    @dataclasses.dataclass(frozen=True)
    class Pair:
        code: object
        name: object

    class Colour(enum.Enum):
        RED = "red"

    templates = check_module._Templates(check_module.Options(False, None, "jsonl", False, False))
    values = [
        Pair(1, "a"),
        Pair(True, "a"),
        Pair(1.0, "a"),
        Pair(None, "a"),
        Pair("1", "a"),
        Pair((1,), "a"),
        Pair((True,), "a"),
        "x",
        None,
        True,
        Colour.RED,
        1,
        1.0,
        [1],
        {"a": 1},
        ric.parse("11010519491231002X"),
        ric.parse("11010519491231002X").region,
        uscc.parse("91350100M000100Y43").category,
    ]
    for _ in range(2):  # the second time from the cache
        for value in values:
            expected = json.dumps(check_module.to_jsonable(value), ensure_ascii=False).encode()
            assert templates._json(value) == expected, value


# ---- the byte path's block assembly: many blocks (the output buffer reused), the arena forgotten between blocks

ESCAPES = [
    '"91350100M000100Y43"',
    "9135\\\\0100M000100Y43",
    "11010519491231002X\x07",
    "\u00e91234567",
    "11010519491231002X\u3000",
    "\x1b[31m110105194912310021",
    "91350100M000100Y43\t",
    "\\u0041",
]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 2**32),
    flavours=st.lists(st.sampled_from([*FLAVOURS, "corrupt", "corrupt", "escape"]), min_size=1, max_size=160),
    mode=st.sampled_from([*MODES, ["--format", "json", "--reveal"], ["--format", "jsonl", "--reveal", "--strict"]]),
    crlf=st.booleans(),
    bom=st.booleans(),
    block=st.sampled_from([64, 300, 2048]),
    arena=st.sampled_from([0, 1 << 12, 1 << 25]),
    grouped=st.sampled_from([0, 4]),
    combinations=st.sampled_from([1, 16]),
    arrow=st.booleans(),
)
def test_blocks_assembled_in_a_buffer_equal_the_per_item_output(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    seed: int,
    flavours: list[str],
    mode: list[str],
    crlf: bool,
    bom: bool,
    block: int,
    arena: int,
    grouped: int,
    combinations: int,
    arrow: bool,
) -> None:
    """Lines of every kind (valid, invalid in canonical form, needing JSON escapes, non-ASCII, not UTF-8, blank,
    comments, CR LF, a BOM), masked and revealed, in many small blocks written by the writing thread while the
    next is checked: the arena of pieces is forgotten between blocks (``_ARENA_BYTES``), look-ups are grouped or
    not (``_GROUPED``), flags are pieces or not (``_COMBINATIONS``), the parts are put together by Arrow's cast or
    by NumPy (an older PyArrow); the output equals the per-item path's byte for byte."""
    rng = random.Random(seed)
    lines = [rng.choice(ESCAPES) if flavour == "escape" else _line(rng, flavour) for flavour in flavours]
    newline = "\r\n" if crlf else "\n"
    path = tmp_path / "ids.txt"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + newline.join(lines).encode("utf-8", "surrogatepass"))
    with monkeypatch.context() as patch:  # this example's settings only (the fixture lasts for all of them)
        if arrow:  # every block's parts put together by Arrow, however small
            patch.setattr(check_module, "_ARROW_BYTES", 0)
        else:
            patch.setattr(check_module, "_arrow_views", lambda: None)
        patch.setattr(check_module, "_COMBINATIONS", combinations)
        patch.setattr(check_module, "BLOCK_BYTES", block)
        patch.setattr(check_module, "_ARENA_BYTES", arena)
        patch.setattr(check_module, "_GROUPED", grouped)
        _assert_same(path, mode, patch)


@settings(max_examples=200, deadline=None)
@given(sizes=st.lists(st.integers(0, 700), min_size=1, max_size=40), gaps=st.data())
def test_put_ragged_copies_exactly_each_part(sizes: list[int], gaps: st.DataObject) -> None:
    """:func:`_put_ragged` writes each part exactly where it goes and nothing else, whatever the sizes."""
    import numpy as np

    source = np.frombuffer(bytes(random.Random(len(sizes)).getrandbits(8) for _ in range(4000)), dtype=np.uint8)
    starts = [gaps.draw(st.integers(0, len(source) - size)) for size in sizes]
    places, at = [], 0
    for size in sizes:
        at += gaps.draw(st.integers(0, 5))
        places.append(at)
        at += size
    buffer = np.full(at + 10, 7, dtype=np.uint8)
    expected = buffer.copy()
    for place, start, size in zip(places, starts, sizes, strict=True):
        expected[place : place + size] = source[start : start + size]
    check_module._put_ragged(
        buffer,
        np.array(places, dtype=np.int64),
        source,
        np.array(starts, dtype=np.int64),
        np.array(sizes, dtype=np.int64),
    )
    assert buffer.tobytes() == expected.tobytes()


@settings(max_examples=200, deadline=None)
@given(
    parts=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 40), st.integers(0, 300)), max_size=40),
    widths=st.lists(st.integers(0, 30), min_size=3, max_size=3),
    arrow=st.booleans(),
)
def test_parts_are_put_together_in_order(parts: list[tuple[int, int, int]], widths: list[int], arrow: bool) -> None:
    """Parts of a data buffer (:func:`_views`) and rows of matrices (:func:`_matrix_views`), short enough to be
    held in their view or not, empty too, in any order: :func:`_materialised` (Arrow's cast or NumPy's copies)
    gives exactly their concatenation."""
    import numpy as np

    rng = random.Random(len(parts))
    data = bytes(rng.getrandbits(8) for _ in range(400))
    matrices = [
        np.frombuffer(bytes(rng.getrandbits(8) for _ in range(5 * width)), dtype=np.uint8).reshape(5, width)
        for width in widths
    ]
    views, expected = [], b""
    for source, size, start in parts:
        if source == 0:  # a part of data (buffer 0)
            start = min(start, len(data) - size)
            views.append(
                check_module._views(np.frombuffer(data, dtype=np.uint8), 0, np.array([start]), np.array([size]))
            )
            expected += data[start : start + size]
        else:  # a row of a matrix (buffer 1, 2 or 3)
            row = start % 5
            views.append(check_module._matrix_views(matrices[source - 1], source)[row : row + 1])
            expected += matrices[source - 1][row].tobytes()
    stacked = np.concatenate(views) if views else np.zeros((0, 4), dtype=np.int32)
    pa = check_module._arrow_views() if arrow else None
    if arrow and pa is None:
        pytest.skip("this PyArrow has no binary_view cast")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(check_module, "_arrow_views", lambda: pa)
        patch.setattr(check_module, "_ARROW_BYTES", 0)
        assert bytes(check_module._materialised(stacked, [data, *matrices])) == expected


def test_an_error_writing_is_raised_and_ends_the_writing_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader that went away (``BrokenPipeError`` in the writing thread) is raised by ``run_bulk`` (the command
    then exits 141), and the thread is ended."""
    import io
    import threading

    class Gone(io.BytesIO):
        def write(self, data: object) -> int:
            raise BrokenPipeError

    rng = random.Random(3)
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(_valid(rng) for _ in range(2000)) + "\n", encoding="utf-8")
    monkeypatch.setattr(check_module, "BLOCK_BYTES", 4096)
    monkeypatch.setattr("sys.stdout", io.TextIOWrapper(Gone(), encoding="utf-8"))
    options = check_module.Options(False, None, "jsonl", False, False)
    with pytest.raises(BrokenPipeError):
        check_module.run_bulk(check_module._read_blocks(str(path), "utf-8-sig"), options)
    assert not [thread for thread in threading.enumerate() if thread.name == "creditstd-check-writer"]


@pytest.mark.parametrize("mode", MODES)
def test_example_files_give_the_same_output(monkeypatch: pytest.MonkeyPatch, mode: list[str]) -> None:
    """The shipped example list of identifiers: the bulk path's output equals the per-item path's."""
    _assert_same(Path(__file__).parent.parent / "examples" / "identifiers.txt", mode, monkeypatch)


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.text(alphabet="0123456789XAB", min_size=15, max_size=15), min_size=1, max_size=8)
    | st.lists(st.text(alphabet="0123456789XAB", min_size=18, max_size=18), min_size=1, max_size=8),
    reveal=st.booleans(),
)
def test_echoed_matrix_equals_redact(texts: list[str], reveal: bool) -> None:
    """The echo of invalid lines in canonical form, masked as a matrix, is :func:`redact`'s (or the text with
    --reveal)."""
    import numpy as np

    invalid = check_module._Invalid(check_module.Options(False, None, "jsonl", reveal, False))
    invalid.texts = texts  # type: ignore[assignment]
    matrix = np.frombuffer("".join(texts).encode(), dtype=np.uint8).reshape(len(texts), -1)
    echo = invalid._echoed(matrix.shape[1], matrix, np.arange(len(texts)))
    assert [row.tobytes().decode() for row in echo] == (texts if reveal else [check_module.redact(t) for t in texts])


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("quiet", [False, True])
def test_lines_that_end_in_a_carriage_return_alone_are_lines(tmp_path: Path, encoding: str, quiet: bool) -> None:
    """Classic Mac text, as Excel for Mac's "CSV (Macintosh)" writes it: each identifier is a line of its own."""
    import json

    path = tmp_path / "mac.txt"
    path.write_bytes("91350100M000100Y43\r11010519491231002X\r坏\r\r91350100M000100Y44\r".encode(encoding))
    args = ["check", "--file", str(path), "--encoding", encoding, *(["-q"] if quiet else ["--format", "jsonl"])]
    result = CliRunner().invoke(main, args, env={"CREDITSTD_LANG": "en"})
    assert result.exit_code == 1, result.output
    if quiet:  # the invalid lines only, each by its own number
        assert "line 3:" in result.stdout and "line 5:" in result.stdout and "line 1:" not in result.stdout
        return
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [(line["line"], line["valid"]) for line in lines] == [(1, True), (2, True), (3, False), (5, False)]
    assert "11010519491231002X" not in result.stdout


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["110105", "130626", "350102", "440305", "510104"]),
       st.dates(date(1930, 1, 1), date(2010, 12, 31)),
       st.integers(min_value=0, max_value=999))
def test_a_mistyped_id_number_that_passes_as_a_uscc_is_echoed_masked(tmp_path: Path, region: str, born: date,
                                                                      sequence: int) -> None:
    """About 3% of ID numbers with a wrong check character pass as a USCC (its check is another one): such a
    line is still a person's number, masked in every form of the output, the birth date too."""
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    mistyped = [body + char for char in "0123456789X"
                if char != ric.calc_check_digit(body) and uscc.is_valid(body + char)]
    if not mistyped:
        return
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(mistyped) + "\n91350100M000100Y43\n", encoding="utf-8")
    for form in ("text", "jsonl"):
        result = CliRunner().invoke(main, ["check", "--file", str(path), "--format", form])
        assert body[6:14] not in result.stdout and "91350100M000100Y43" in result.stdout
    result = CliRunner().invoke(main, ["check", mistyped[0]])
    assert body[6:14] not in result.stdout and "✓" in result.stdout
