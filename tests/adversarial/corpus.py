"""Hostile inputs for the adversarial CLI suite, generated on the fly (nothing large is committed).

Three corpora:

* :data:`FILE_CASES` - files (and things that are not files) handed to a command where it expects an
  input file: binary garbage, invalid and non-UTF-8 encodings, NUL bytes, lone surrogates, NaN, deep
  JSON, extreme dates, ID numbers in every shape known to leak, symlinks, a directory, a FIFO...
  Each builder writes into a folder and returns the path to pass.
* :data:`BATCH_CASES` - exchange batch folders, one real (built with
  :class:`creditstd.records.exchange.BatchWriter`) and many forged or odd ones (symlinked records,
  a manifest pointing outside the folder, truncated records, NaN, surrogates, a FIFO manifest...).
* :func:`values_for` - hostile command-line values for a parameter of a given role (empty, lone
  surrogates as argv carries them, extreme dates, NaN, unknown choices, unknown encodings...).

Every ID number planted here is a *valid* one, so a leak is a real leak: :func:`find_ids` finds
the ID numbers in a text (ASCII or full-width, with or without separators) and :func:`contains_id`
tells whether an output still holds one of them in full.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import random
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from creditstd.codes import ric

# --------------------------------------------------------------------------------------------------
# ID numbers and how to find them

#: The canonical example citizen ID number (valid, 18 characters, ending in X) and a legacy 15-digit one.
ID18 = "11010519491231002X"
ID15 = "110105491231002"
#: A second valid 18-digit number (no X), for inputs that carry several.
ID18B = "440524188001010014"
USCC = "91350100M000100Y43"

#: Lines in the shapes known to leak through ``creditstd check`` (an ID inside a longer value).
ID_SHAPES: dict[str, str] = {
    "bare": ID18,
    "lower_x": ID18.lower(),
    "legacy15": ID15,
    "prefix_colon": f"ID:{ID18}",
    "name_space": f"张三 {ID18}",
    "label_fullwidth_colon": f"身份证号：{ID18}",
    "csv_field": f"a,b,{ID18},c",
    "trailing_comment": f"{ID18} # note",
    "trailing_letter": f"{ID18}A",
    "leading_digit": f"9{ID18}",
    "glued_pair": f"{ID18}{ID18B}",
    "spaced_groups": "110105 19491231 002X",
    "dashed_groups": "110105-19491231-002X",
    "fullwidth": "１１０１０５１９４９１２３１００２Ｘ",
    "quoted": f'"{ID18}"',
    "tab_separated": f"x\t{ID18}\ty",
    "json_object": json.dumps({"id": ID18}),
    "legacy15_in_text": f"旧号码 {ID15} 作废",
    "zero_width_inside": "110105\u200b19491231\u200b002X",
    "nbsp_inside": "110105\u00a019491231\u00a0002X",
}

#: What may sit between the digits of an ID number people typed (the library's separators, and more): never
#: a colon or a comma, so ``sha256:1198...`` or a CSV row does not join into one.  NUL joins UTF-16's bytes.
_SEPARATORS = (
    " \t\r\n\x00-._/\\\u00a0\u00b7\u2010\u2011\u2012\u2013\u2014\u2212\u30fb\uff65\u3000"
    "\u200b\u200c\u200d\u2060\ufeff\u2028\u2029\u0085"
)
_DELETE_SEPARATORS = {ord(char): None for char in _SEPARATORS}
_RUN = re.compile(r"[0-9Xx](?:[" + re.escape(_SEPARATORS) + r"]{0,3}[0-9Xx])*")
_WINDOW18 = re.compile(r"(?=(\d{17}[\dX]))")


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).upper()


def find_ids(text: str) -> set[str]:
    """The valid citizen ID numbers (18- and 15-character) written anywhere in ``text``, canonical form.

    Full-width digits count, and so do digits split by separators (``110105 19491231 002X``); every
    18-character window of a run of digits is tried, so IDs glued to other digits are found too.

    >>> sorted(find_ids('身份证号：１１０１０５１９４９１２３１００２ｘ, old 110105491231002'))
    ['11010519491231002X', '110105491231002']
    >>> find_ids('110105********002X 91350100M000100Y43')
    set()
    """
    found: set[str] = set()
    for match in _RUN.finditer(_normal(text)):
        run = match.group()
        compacted = run.translate(_DELETE_SEPARATORS)
        for window in _WINDOW18.findall(compacted):
            if ric.is_valid(window):
                found.add(window)
        for token in (compacted, *(part.translate(_DELETE_SEPARATORS) for part in run.split())):
            if len(token) == 15 and token.isdigit() and ric.is_valid(token):
                found.add(token)
    return found


def decodings(data: bytes) -> list[str]:
    """``data`` read the ways a command might read it (UTF-8, UTF-16 either way, GB18030)."""
    texts = [data.decode("utf-8", "replace"), data.decode("gb18030", "replace")]
    if b"\x00" in data:
        texts += [data.decode("utf-16-le", "ignore"), data.decode("utf-16-be", "ignore")]
    return texts


def ids_in_bytes(data: bytes) -> set[str]:
    """The valid ID numbers in ``data``, whichever way it is decoded."""
    found: set[str] = set()
    for text in decodings(data):
        found |= find_ids(text)
    return found


def compact_output(data: bytes) -> str:
    """An output, normalised so that an ID number in it is a plain substring (separators and NULs removed)."""
    text = data.decode("utf-8", "replace")
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return text.upper().translate(_DELETE_SEPARATORS)


def leaked(secrets: Iterable[str], output: bytes) -> set[str]:
    """The secrets (canonical ID numbers) that ``output`` still shows in full."""
    if not output:
        return set()
    haystack = compact_output(output)
    return {secret for secret in secrets if secret in haystack}


# --------------------------------------------------------------------------------------------------
# Files


@dataclass(frozen=True)
class FileCase:
    """A hostile input: ``build(folder)`` writes it and returns the path to pass to the command."""

    name: str
    build: Callable[[Path], Path]
    #: Only safe in a subprocess with a timeout (a FIFO: opening it blocks until a writer comes).
    subprocess: bool = False
    #: Bytes a writer thread feeds into a FIFO.
    fifo_content: bytes = b""
    #: ID numbers it holds that a scan of the file cannot see (too big to scan, or not a regular file).
    secrets: frozenset[str] = field(default_factory=frozenset)


def _write(name: str, data: bytes | str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    return build


def _garbage(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def planted_record() -> dict:
    """A valid ``administrative_penalty`` record whose legal representative has the ID number :data:`ID18`."""
    return {
        "subject_name": "濮阳市实验小学",
        "subject_category": "法人及非法人组织",
        "uscc": "12410928595748906K",
        "orgcode": "595748906",
        "legal_representative": "符英",
        "legal_representative_id_type": "身份证",
        "legal_representative_id_number": ID18,
        "decision_number": "濮阳卫罚〔2023〕115号",
        "violation_type": "公共场所卫生不合格",
        "violation_facts": "经查，当事人公共场所卫生质量不符合国家卫生标准和要求。",
        "legal_basis": "《公共场所卫生管理条例》第十四条第一款",
        "penalty_types": ["警告"],
        "penalty_content": "对当事人作出如下行政处罚：给予警告。",
        "decision_date": "2023-02-03",
        "valid_until": "2027-11-27",
        "authority": "濮阳县卫生健康委员会",
        "authority_uscc": "11410928MA4BXKFL6A",
        "data_source": "濮阳县卫生健康委员会",
        "data_source_uscc": "11410928MA4BXKFL6A",
    }


@functools.cache
def _faked(count: int) -> str:
    from creditstd.records.fake import fake_records

    return json.dumps(
        [item.record for item in fake_records("administrative_penalty", count, seed=1, on=date(2024, 6, 1))],
        ensure_ascii=False,
    )


def valid_records(count: int = 6) -> list[dict]:
    """Realistic valid records of ``administrative_penalty`` (from the library's own faker) plus the planted one."""
    return [*json.loads(_faked(count)), planted_record()]


def _jsonl(records: Iterable[object]) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def _variant(**changes: object) -> dict:
    record = planted_record()
    record.update(changes)
    return record


def records_file(folder: Path, name: str = "records.jsonl") -> Path:
    """The plausible, valid input of ``exchange pack``."""
    path = folder / name
    path.write_text(_jsonl(valid_records()), encoding="utf-8")
    return path


#: The built-in mapping the plausible departmental export (:func:`export_file`) is read through.
EXPORT_MAPPING = "sgs-penalty-csv"


def export_file(folder: Path, name: str = "penalties.csv") -> Path:
    """The plausible, valid input of ``convert`` and ``mapping init``: a 双公示 penalty CSV headed by the national
    field codes (the valid records, the planted one included)."""
    import io

    from creditstd.records.export import write_csv

    stream = io.StringIO(newline="")
    write_csv(valid_records(), "administrative_penalty", stream, headers="code")
    path = folder / name
    path.write_text(stream.getvalue(), encoding="utf-8", newline="")
    return path


def lines_file(folder: Path, name: str = "numbers.txt") -> Path:
    """The plausible, valid input of a line-per-number command: a USCC and an ID number."""
    path = folder / name
    path.write_text(f"{USCC}\n{ID18}\n", encoding="utf-8")
    return path


def id_shapes_file(folder: Path, name: str = "id_shapes.txt") -> Path:
    """Every ID shape that leaks, one per line, between valid lines."""
    path = folder / name
    path.write_text(USCC + "\n" + "".join(line + "\n" for line in ID_SHAPES.values()), encoding="utf-8")
    return path


def _symlink(name: str, target: str | Callable[[Path], Path]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        destination = target(folder) if callable(target) else target
        path.symlink_to(destination)
        return path

    return build


def _outside_secret(folder: Path) -> Path:
    """A file with ID numbers outside the folder the command was pointed at (a symlink target)."""
    outside = folder.parent / "outside"
    outside.mkdir(exist_ok=True)
    path = outside / "secret.txt"
    if not path.exists():
        path.write_text(f"{ID18}\n{_jsonl([planted_record()])}", encoding="utf-8")
    return path


def _directory(folder: Path) -> Path:
    path = folder / "a_directory.txt"
    path.mkdir()
    (path / "inside.txt").write_text(ID18 + "\n", encoding="utf-8")
    return path


def _missing(folder: Path) -> Path:
    return folder / "does_not_exist.txt"


def _symlink_loop(folder: Path) -> Path:
    first, second = folder / "loop_a", folder / "loop_b"
    first.symlink_to(second)
    second.symlink_to(first)
    return first


def _fifo(folder: Path) -> Path:
    path = folder / "a_fifo"
    os.mkfifo(path)
    return path


def _non_utf8_name(folder: Path) -> Path:
    path = Path(os.fsdecode(os.fsencode(str(folder)) + b"/\xff\xfe-name.txt"))
    path.write_text(f"{ID18}\n", encoding="utf-8")
    return path


def _many_lines(folder: Path) -> Path:
    path = folder / "many_lines.txt"
    path.write_text(f"{ID18}\n{USCC}\n" * 2_500, encoding="utf-8")
    return path


def _late_bad_byte(folder: Path) -> Path:
    """Valid lines, then an undecodable byte far down: a streaming reader has already written output."""
    path = folder / "late_bad_byte.jsonl"
    good = _jsonl(valid_records()).encode("utf-8") * 40
    path.write_bytes(good + b'{"subject_name": "\xff\xfe"}\n' + f"{ID18}\n".encode())
    return path


def _deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


FILE_CASES: dict[str, FileCase] = {
    case.name: case
    for case in [
        FileCase("empty", _write("empty.txt", b"")),
        FileCase("bom_only", _write("bom_only.txt", b"\xef\xbb\xbf")),
        FileCase("blank_lines_only", _write("blank.txt", "\n\n   \n\t\n")),
        FileCase("binary_garbage", _write("garbage.bin", _garbage(4096))),
        FileCase(
            "binary_with_id", _write("garbage_id.bin", _garbage(512, 1) + f"\n{ID18}\n".encode() + _garbage(512, 2))
        ),
        FileCase(
            "invalid_utf8", _write("invalid_utf8.txt", f"{USCC}\n".encode() + b"\xff\xfe\xfd " + f"{ID18}\n".encode())
        ),
        FileCase(
            "invalid_utf8_after_id",
            _write(
                "invalid_utf8_after_id.txt", f"{ID18}\n{ID18} \xff\n".encode("utf-8", "surrogateescape") + b"\xc3\x28\n"
            ),
        ),
        FileCase("overlong_utf8", _write("overlong.txt", b"\xc0\xaf\xe0\x80\xaf " + ID18.encode() + b"\n")),
        FileCase("utf8_encoded_surrogate", _write("cesu.txt", b"\xed\xa0\x80" + ID18.encode() + b"\n")),
        FileCase("truncated_multibyte", _write("truncated.txt", f"{ID18}\n张三".encode()[:-1])),
        FileCase("utf16_le_no_bom", _write("utf16le.txt", f"{ID18}\n{USCC}\n".encode("utf-16-le"))),
        FileCase("utf16_be_no_bom", _write("utf16be.txt", f"{ID18}\n{USCC}\n".encode("utf-16-be"))),
        FileCase("utf16_with_bom", _write("utf16.txt", f"张三 {ID18}\n{USCC}\n".encode("utf-16"))),
        FileCase("utf32", _write("utf32.txt", f"{ID18}\n".encode("utf-32"))),
        FileCase("gbk", _write("gbk.txt", f"张三 身份证号：{ID18}\n{USCC}\n".encode("gbk"))),
        FileCase("nul_bytes", _write("nul.txt", f"{ID18}\x00\n\x00\x00\n{USCC}\x00{ID18}\n\x00".encode())),
        FileCase("crlf_lines", _write("crlf.txt", f"{ID18}\r\n{USCC}\r\n")),
        FileCase("cr_only_lines", _write("cr.txt", f"{ID18}\r{USCC}\r{ID15}\r")),
        FileCase(
            "unicode_line_separators", _write("u2028.txt", f"{ID18}\u2028{ID15}\u0085{USCC}\u2029x\x0c{ID18B}\x1c")
        ),
        FileCase("control_and_escape_chars", _write("ansi.txt", f"\x1b[2J\x1b]0;title\x07{ID18}\x08\x7f\n")),
        FileCase("bidi_override", _write("bidi.txt", f"\u202e{ID18}\u202c\n")),
        FileCase("long_line_1mb", _write("long_line.txt", (f"{ID18} " * 55_000) + "\n")),
        FileCase("many_lines", _many_lines),
        FileCase("id_shapes_all", id_shapes_file),
        *(FileCase(f"id_shape_{name}", _write(f"shape_{name}.txt", line + "\n")) for name, line in ID_SHAPES.items()),
        FileCase("comment_then_id", _write("comment.txt", f"# {ID18} in a comment\n  # {ID15}\n{USCC}\n")),
        FileCase(
            "json_lone_surrogates",
            _write(
                "surrogates.jsonl",
                '{"subject_name": "\\ud800", "x": "\\udfff\\ud800"}\n'
                + json.dumps(_variant(subject_name="\ud800张\udfff"), ensure_ascii=True)
                + "\n"
                + '"\\udc80'
                + ID18
                + '"\n',
            ),
        ),
        FileCase(
            "json_nan_infinity",
            _write(
                "nan.jsonl",
                "".join(
                    json.dumps(_variant(fine_amount=value), ensure_ascii=False) + "\n"
                    for value in (float("nan"), float("inf"), float("-inf"))
                )
                + '{"fine_amount": 1e400}\n[NaN, Infinity]\nNaN\n',
            ),
        ),
        FileCase(
            "json_huge_numbers",
            _write(
                "huge.jsonl",
                '{"fine_amount": 1'
                + "0" * 5000
                + "}\n"
                + json.dumps(_variant(fine_amount=1e308))
                + "\n"
                + '{"decision_date": 1'
                + "0" * 400
                + "}\n"
                + "-"
                + "9" * 4500
                + "\n",
            ),
        ),
        FileCase(
            "json_deeply_nested",
            _write("deep.jsonl", _deep_json(100_000) + "\n" + '{"a":' * 3000 + "1" + "}" * 3000 + "\n"),
        ),
        FileCase(
            "json_wrong_types",
            _write(
                "types.jsonl",
                '[]\n"text"\n42\nnull\ntrue\n{}\n'
                + json.dumps({"legal_representative_id_number": [ID18]})
                + "\n"
                + json.dumps(_variant(decision_date=20230203, penalty_types="警告"))
                + "\n",
            ),
        ),
        FileCase(
            "json_extreme_dates",
            _write(
                "dates.jsonl",
                "".join(
                    json.dumps(_variant(**changes), ensure_ascii=False) + "\n"
                    for changes in (
                        {"decision_date": "0001-01-01"},
                        {"decision_date": "9999-12-31", "valid_until": "9999-12-31"},
                        {"decision_date": "2023-02-03", "valid_until": "9999-12-31"},
                        {"decision_date": "0001-01-01", "valid_until": "0001-01-02"},
                        {"decision_date": "0000-00-00"},
                        {"decision_date": "2024-02-30"},
                        {"decision_date": "10000-01-01"},
                        {"decision_date": "-0001-01-01"},
                        {"decision_date": "2023-02-03T00:00:00+99:00"},
                        {"decision_date": "２０２３-０２-０３"},
                        {"publication_end": "9999-12-31"},
                        {"publication_end": "0001-01-01"},
                    )
                ),
            ),
        ),
        FileCase(
            "json_duplicates_and_rejects",
            _write(
                "dups.jsonl",
                _jsonl(
                    [
                        planted_record(),
                        planted_record(),
                        _variant(legal_representative_id_number=ID18[:-1] + "0"),
                        _variant(uscc=ID18),
                        {"id": ID18},
                    ]
                ),
            ),
        ),
        FileCase("json_keys_with_ids", _write("keys.jsonl", json.dumps({ID18: 1, "subject_name": ID18}) + "\n")),
        FileCase("late_bad_byte", _late_bad_byte),
        FileCase("directory_not_file", _directory),
        FileCase("missing", _missing),
        FileCase("symlink_to_etc_passwd", _symlink("passwd_link.txt", "/etc/passwd")),
        FileCase("symlink_outside", _symlink("outside_link.txt", _outside_secret)),
        FileCase("symlink_dangling", _symlink("dangling_link.txt", "/nonexistent/creditstd/none")),
        FileCase("symlink_loop", _symlink_loop),
        FileCase("non_utf8_file_name", _non_utf8_name),
        FileCase("dev_null", lambda folder: Path(os.devnull)),
        FileCase(
            "fifo_with_writer",
            _fifo,
            subprocess=True,
            fifo_content=f"{ID18}\n{USCC}\n".encode(),
            secrets=frozenset({ID18}),
        ),
    ]
}


def _pem(label: str, body: bytes) -> str:
    import base64

    text = base64.b64encode(body).decode("ascii")
    lines = "\n".join(text[i : i + 64] for i in range(0, len(text), 64))
    return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----\n"


def _crypto_key(kind: str) -> Callable[[Path], Path]:
    """A key file the signing commands must refuse cleanly (or accept, for the right one)."""

    def build(folder: Path) -> Path:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, ed25519

        path = folder / f"{kind}.pem"
        ed = ed25519.Ed25519PrivateKey.generate()
        pkcs8 = {"encoding": serialization.Encoding.PEM, "format": serialization.PrivateFormat.PKCS8}
        if kind == "p256_private":
            data = ec.generate_private_key(ec.SECP256R1()).private_bytes(
                encryption_algorithm=serialization.NoEncryption(), **pkcs8
            )
        elif kind == "p256_public":
            data = (
                ec.generate_private_key(ec.SECP256R1())
                .public_key()
                .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            )
        elif kind == "encrypted_private":
            data = ed.private_bytes(encryption_algorithm=serialization.BestAvailableEncryption(b"secret"), **pkcs8)
        elif kind == "der_private":
            data = ed.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        elif kind == "openssh_private":
            data = ed.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
            )
        else:
            good = ed.private_bytes(encryption_algorithm=serialization.NoEncryption(), **pkcs8).decode()
            public = (
                ed.public_key()
                .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
                .decode()
            )
            data = {
                "ed25519_private": good,
                "ed25519_public": public,
                "id_text_around_private": f"身份证号：{ID18}\n{good}备注 {ID18}\n",
                "two_blocks": good + public,
                "truncated_private": good[: len(good) // 2],
                "garbage_body": _pem("PRIVATE KEY", _garbage(48, 6)),
                "garbage_public": _pem("PUBLIC KEY", _garbage(44, 7)),
                "empty_body": "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n",
                "bad_base64": "-----BEGIN PRIVATE KEY-----\n!!!!" + ID18 + "\n-----END PRIVATE KEY-----\n",
                "unknown_label": good.replace("PRIVATE KEY", "CERTIFICATE"),
                "mismatched_labels": good.replace("END PRIVATE KEY", "END PUBLIC KEY"),
                "crlf_private": good.replace("\n", "\r\n"),
                "surrogate_label": "-----BEGIN \udcff KEY-----\nAAAA\n-----END \udcff KEY-----\n",
                "huge_pem": "-----BEGIN PRIVATE KEY-----\n"
                + ("A" * 64 + "\n") * 200_000
                + "-----END PRIVATE KEY-----\n",
                "nul_in_pem": good.replace("\n", "\n\x00", 2),
            }[kind].encode("utf-8", "surrogateescape")
        path.write_bytes(data)
        return path

    return build


try:  # the signing extra: without it there are no key cases (and no signing commands to feed them to)
    import cryptography  # noqa: F401
except ImportError:  # pragma: no cover
    _KEY_KINDS: tuple[str, ...] = ()
else:
    _KEY_KINDS = (
        "ed25519_private",
        "ed25519_public",
        "p256_private",
        "p256_public",
        "encrypted_private",
        "der_private",
        "openssh_private",
        "id_text_around_private",
        "two_blocks",
        "truncated_private",
        "garbage_body",
        "garbage_public",
        "empty_body",
        "bad_base64",
        "unknown_label",
        "mismatched_labels",
        "crlf_private",
        "surrogate_label",
        "huge_pem",
        "nul_in_pem",
    )

#: Key files, for parameters that take a key (``sign --key``, ``verify --key``), besides every file case.
KEY_CASES: dict[str, FileCase] = {f"key_{kind}": FileCase(f"key_{kind}", _crypto_key(kind)) for kind in _KEY_KINDS}

#: File cases also fed through stdin ("-"): a subset, enough to see stdin is read as carefully as files.
STDIN_CASES = (
    "empty",
    "binary_garbage",
    "invalid_utf8",
    "utf16_le_no_bom",
    "nul_bytes",
    "id_shapes_all",
    "json_lone_surrogates",
    "json_nan_infinity",
    "truncated_multibyte",
)


def write_big_line(folder: Path, megabytes: int = 100) -> tuple[Path, frozenset[str]]:
    """A single line of about ``megabytes`` MB: ID numbers separated by spaces (a leak would be visible)."""
    path = folder / "big_line.txt"
    unit = (f"{ID18} " * 1000).encode()
    with path.open("wb") as stream:
        for _ in range(megabytes * 1024 * 1024 // len(unit)):
            stream.write(unit)
        stream.write(b"\n")
    return path, frozenset({ID18})


# --------------------------------------------------------------------------------------------------
# Exchange batches


_TEMPLATES: dict[str, Path] = {}


def _write_batch(folder: Path) -> Path:
    from creditstd.records.exchange import BatchWriter

    with BatchWriter(
        folder, "administrative_penalty", department="某市市场监督管理局", department_uscc=USCC, on=date(2024, 6, 1)
    ) as writer:
        for record in valid_records():
            writer.add(record)
    return folder


def build_batch(folder: Path) -> Path:
    """A real, valid batch of ``administrative_penalty`` records (with a planted ID number).

    Written once with :class:`~creditstd.records.exchange.BatchWriter` (which syncs to disk), then copied.
    """
    if "batch" not in _TEMPLATES:
        template = Path(tempfile.mkdtemp(prefix="creditstd-adversarial-"))
        atexit.register(shutil.rmtree, template, True)
        _TEMPLATES["batch"] = _write_batch(template / "batch")
    shutil.copytree(_TEMPLATES["batch"], folder, dirs_exist_ok=True)
    return folder


def key_pair(root: Path, name: str = "corpus", algorithm: str = "ed25519") -> tuple[Path, Path]:
    """A signing key pair under ``root/keys`` (made once per root): the private and the public key file."""
    from creditstd.records.signing import write_key_pair

    prefix = root / "keys" / name
    if not Path(f"{prefix}.key").exists():
        prefix.parent.mkdir(exist_ok=True)
        write_key_pair(prefix, algorithm)
    return Path(f"{prefix}.key"), Path(f"{prefix}.pub")


def _sign(name: str = "corpus", algorithm: str = "ed25519", signer: str | None = None) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        from creditstd.records.signing import load_private_key, sign_batch

        private, _ = key_pair(folder.parent, name, algorithm)
        sign_batch(folder, load_private_key(private), signer=signer)

    return edit


def _then(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        for step in edits:
            step(folder)

    return edit


def _write_signature(data: bytes | str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        _sign()(folder)
        path = folder / "manifest.json.sig"
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    return edit


def _edit_signature(**changes: object) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        _sign()(folder)
        path = folder / "manifest.json.sig"
        document = json.loads(path.read_text(encoding="utf-8"))
        document.update(changes)
        path.write_text(json.dumps(document, ensure_ascii=True), encoding="utf-8")

    return edit


def _signature_special(kind: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        _sign()(folder)
        path = folder / "manifest.json.sig"
        if kind == "symlink":
            outside = folder.parent / "outside_signature.sig"
            path.replace(outside)
            path.symlink_to(outside)
        elif kind == "fifo":
            path.unlink()
            os.mkfifo(path)
        elif kind == "dir":
            path.unlink()
            path.mkdir()

    return edit


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def _encodable(value: object) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _set_manifest(folder: Path, manifest: object, *, raw: str | bytes | None = None) -> None:
    path = folder / "manifest.json"
    if raw is not None:
        path.write_bytes(raw.encode("utf-8") if isinstance(raw, str) else raw)
    else:
        path.write_text(json.dumps(manifest, ensure_ascii=not _encodable(manifest), indent=2), encoding="utf-8")


def _rehash(folder: Path) -> None:
    """Make the manifest's count and hash agree with records.jsonl again (a careful forger)."""
    import hashlib

    data = (folder / "records.jsonl").read_bytes()
    manifest = _manifest(folder)
    manifest["records"]["count"] = data.count(b"\n")
    manifest["records"]["sha256"] = hashlib.sha256(data).hexdigest()
    _set_manifest(folder, manifest)


def _edit_manifest(**changes: object) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        manifest = _manifest(folder)
        for dotted, value in changes.items():
            target = manifest
            *parents, last = dotted.split("__")
            for part in parents:
                target = target[part]
            target[last] = value
        _set_manifest(folder, manifest)

    return edit


def _raw_manifest(raw: str | bytes) -> Callable[[Path], None]:
    return lambda folder: _set_manifest(folder, None, raw=raw)


def _raw_count(raw: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        text = (folder / "manifest.json").read_text(encoding="utf-8")
        _set_manifest(folder, None, raw=re.sub(r'"count": \d+', f'"count": {raw}', text))

    return edit


def _records_lines(lines: list[str], rehash: bool = True) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        (folder / "records.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        if rehash:
            _rehash(folder)

    return edit


def _record_line(record: dict, **envelope: object) -> str:
    from creditstd.records.exchange import make_record

    exchange = make_record(record, "administrative_penalty", on=date(2024, 6, 1))
    exchange.update(envelope)
    return json.dumps(exchange, ensure_ascii=True, sort_keys=True, separators=(",", ":"))


def _truncate(keep: int) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / "records.jsonl"
        path.write_bytes(path.read_bytes()[:keep])

    return edit


def _truncate_mid_character(folder: Path) -> None:
    path = folder / "records.jsonl"
    data = path.read_bytes()
    cut = data.index("濮".encode()) + 1
    path.write_bytes(data[:cut])


def _records_symlink(target: Callable[[Path], Path] | str, rehash: bool) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        real = folder.parent / "elsewhere.jsonl"
        (folder / "records.jsonl").replace(real)
        destination = target(folder) if callable(target) else target
        if destination == "REAL":
            destination = real
        (folder / "records.jsonl").symlink_to(destination)
        if rehash:
            _rehash(folder)

    return edit


def _manifest_symlink(folder: Path) -> None:
    outside = folder.parent / "outside_manifest.json"
    (folder / "manifest.json").replace(outside)
    (folder / "manifest.json").symlink_to(outside)


def _replace_with(name: str, kind: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / name
        path.unlink()
        if kind == "dir":
            path.mkdir()
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "loop":
            path.symlink_to(path)

    return edit


def _remove(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


def _empty_folder(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink()


@dataclass(frozen=True)
class BatchCase:
    """A batch folder: the real one, then ``edit(folder)`` forges it; ``target`` picks what to pass."""

    name: str
    edit: Callable[[Path], None] | None = None
    #: Pass the folder (``"folder"``) or its manifest file (``"manifest"``).
    target: str = "folder"
    subprocess: bool = False

    def build(self, root: Path) -> Path:
        folder = build_batch(root / "batch")
        if self.edit is not None:
            self.edit(folder)
        return folder / "manifest.json" if self.target == "manifest" else folder


_PLANTED = planted_record()

BATCH_CASES: dict[str, BatchCase] = {
    case.name: case
    for case in [
        BatchCase("valid"),
        BatchCase("valid_manifest_file", target="manifest"),
        BatchCase("empty_folder", _empty_folder),
        BatchCase("manifest_missing", _remove("manifest.json")),
        BatchCase("records_missing", _remove("records.jsonl")),
        BatchCase("manifest_is_directory", _replace_with("manifest.json", "dir")),
        BatchCase("records_is_directory", _replace_with("records.jsonl", "dir")),
        BatchCase("manifest_symlink_loop", _replace_with("manifest.json", "loop")),
        BatchCase("records_symlink_loop", _replace_with("records.jsonl", "loop")),
        BatchCase("manifest_is_fifo", _replace_with("manifest.json", "fifo"), subprocess=True),
        BatchCase("records_is_fifo", _replace_with("records.jsonl", "fifo"), subprocess=True),
        BatchCase("manifest_symlinked_outside", _manifest_symlink),
        BatchCase("records_symlink_outside_rehashed", _records_symlink(_outside_secret, rehash=True)),
        BatchCase("records_symlink_same_content", _records_symlink("REAL", rehash=False)),
        BatchCase("records_symlink_etc_passwd", _records_symlink("/etc/passwd", rehash=True)),
        BatchCase("manifest_file_parent", _edit_manifest(records__file="../outside/secret.txt")),
        BatchCase("manifest_file_absolute", _edit_manifest(records__file="/etc/passwd")),
        BatchCase("manifest_file_dotdot", _edit_manifest(records__file="..")),
        BatchCase("manifest_file_nul", _edit_manifest(records__file="records.jsonl\x00.txt")),
        BatchCase("manifest_file_surrogate", _edit_manifest(records__file="\ud800records.jsonl")),
        BatchCase("manifest_file_backslash", _edit_manifest(records__file="..\\..\\secret.txt")),
        BatchCase("manifest_file_long", _edit_manifest(records__file="r" * 5000)),
        BatchCase("manifest_file_not_string", _edit_manifest(records__file=["records.jsonl"])),
        BatchCase("manifest_count_nan", _raw_manifest('{"format": "creditstd-exchange", "records": {"count": NaN}}')),
        BatchCase("manifest_count_variants", _edit_manifest(records__count=-1)),
        BatchCase("manifest_count_float", _edit_manifest(records__count=7.0)),
        BatchCase("manifest_count_bool", _edit_manifest(records__count=True)),
        BatchCase("manifest_count_huge", _edit_manifest(records__count=10**30)),
        BatchCase("manifest_count_1e400", _raw_count("1e400")),
        BatchCase("manifest_count_huge_digits", _raw_count("1" + "0" * 5000)),
        BatchCase("manifest_sha_wrong", _edit_manifest(records__sha256="0" * 64)),
        BatchCase("manifest_created_year_1", _edit_manifest(created="0001-01-01T00:00:00Z")),
        BatchCase("manifest_created_year_9999", _edit_manifest(created="9999-12-31T23:59:59-23:59")),
        BatchCase("manifest_created_year_0", _edit_manifest(created="0000-01-01T00:00:00Z")),
        BatchCase("manifest_created_leap_second", _edit_manifest(created="2016-12-31T23:59:60Z")),
        BatchCase("manifest_created_surrogate", _edit_manifest(created="\ud800")),
        BatchCase("manifest_class_unknown", _edit_manifest(**{"class": "../catalogue"})),
        BatchCase("manifest_class_surrogate", _edit_manifest(**{"class": "\udcff"})),
        BatchCase("manifest_class_id_number", _edit_manifest(**{"class": ID18})),
        BatchCase(
            "manifest_department_id_number", _edit_manifest(source__department=f"张三 {ID18}", source__uscc=ID18)
        ),
        BatchCase("manifest_version_surrogate", _edit_manifest(class_version="\ud800", catalogue_version="\udfff")),
        BatchCase("manifest_not_object", _raw_manifest("[]")),
        BatchCase("manifest_null", _raw_manifest("null")),
        BatchCase("manifest_empty", _raw_manifest("")),
        BatchCase("manifest_binary", _raw_manifest(_garbage(300, 3))),
        BatchCase(
            "manifest_bom",
            lambda folder: _set_manifest(folder, None, raw=b"\xef\xbb\xbf" + (folder / "manifest.json").read_bytes()),
        ),
        BatchCase(
            "manifest_utf16",
            lambda folder: _set_manifest(
                folder, None, raw=(folder / "manifest.json").read_text(encoding="utf-8").encode("utf-16")
            ),
        ),
        BatchCase(
            "manifest_gbk",
            lambda folder: _set_manifest(
                folder, None, raw=(folder / "manifest.json").read_text(encoding="utf-8").encode("gbk")
            ),
        ),
        BatchCase("manifest_deeply_nested", _raw_manifest(_deep_json(100_000))),
        BatchCase("manifest_lone_surrogate_keys", _raw_manifest('{"\\ud800": "\\udfff", "format": "\\ud800"}')),
        BatchCase("manifest_with_id_values", _raw_manifest(json.dumps({"format": ID18, "records": {"file": ID18}}))),
        BatchCase("records_truncated_mid_line", _truncate(700)),
        BatchCase("records_truncated_mid_character", _truncate_mid_character),
        BatchCase("records_empty", _records_lines([], rehash=False)),
        BatchCase("records_empty_rehashed", _records_lines([], rehash=True)),
        BatchCase(
            "records_binary",
            lambda folder: ((folder / "records.jsonl").write_bytes(_garbage(2048, 4)), _rehash(folder)),
        ),
        BatchCase(
            "records_invalid_utf8",
            lambda folder: (
                (folder / "records.jsonl").write_bytes(
                    (folder / "records.jsonl").read_bytes().replace("濮".encode(), b"\xff\xfe", 1)
                ),
                _rehash(folder),
            ),
        ),
        BatchCase(
            "records_nul_bytes",
            lambda folder: (
                (folder / "records.jsonl").write_bytes(
                    (folder / "records.jsonl").read_bytes().replace(b"\n", b"\x00\n", 2)
                ),
                _rehash(folder),
            ),
        ),
        BatchCase(
            "records_nan",
            _records_lines(
                [
                    _record_line(_PLANTED).replace('"fine_amount"', '"x"').replace("{", '{"nan":NaN,', 1),
                    _record_line({**_PLANTED, "fine_amount": 1.0}).replace('"fine_amount":1.0', '"fine_amount":NaN'),
                    _record_line({**_PLANTED, "fine_amount": 1.0, "decision_number": "2"}).replace(
                        '"fine_amount":1.0', '"fine_amount":Infinity'
                    ),
                    _record_line({**_PLANTED, "fine_amount": 1.0, "decision_number": "3"}).replace(
                        '"fine_amount":1.0', '"fine_amount":1e400'
                    ),
                ]
            ),
        ),
        BatchCase(
            "records_surrogates",
            _records_lines(
                [
                    _record_line({**_PLANTED, "subject_name": "\ud800"}),
                    _record_line(_PLANTED, record_id="\udfff"),
                    _record_line({**_PLANTED, "decision_number": "\udcff"}),
                    _record_line({**_PLANTED, "\ud800": ID18}),
                ]
            ),
        ),
        BatchCase(
            "records_extreme_dates",
            _records_lines(
                [
                    _record_line({**_PLANTED, "decision_date": "0001-01-01", "valid_until": "0001-01-02"}),
                    _record_line(
                        {**_PLANTED, "decision_number": "2", "decision_date": "9999-12-31", "valid_until": "9999-12-31"}
                    ),
                    _record_line({**_PLANTED, "decision_number": "3", "publication_end": "9999-12-31"}),
                    _record_line({**_PLANTED, "decision_number": "4", "decision_date": "0000-00-00"}),
                ]
            ),
        ),
        BatchCase(
            "records_lifecycle_extreme_dates",
            _records_lines(
                [
                    _record_line(_PLANTED).replace('"2024-', '"9999-').replace('"2023-', '"0001-'),
                ]
            ),
        ),
        BatchCase("records_deeply_nested", _records_lines([_deep_json(100_000), _record_line(_PLANTED)])),
        BatchCase(
            "records_huge_number",
            _records_lines([_record_line(_PLANTED).replace('"record_id"', '"n":1' + "0" * 5000 + ',"record_id"')]),
        ),
        BatchCase(
            "records_wrong_class", _records_lines([_record_line(_PLANTED, **{"class": ID18, "class_version": ID18})])
        ),
        BatchCase(
            "records_altered_data",
            _records_lines(
                [
                    _record_line(_PLANTED).replace(ID18, "110105194912310038"),
                    _record_line({**_PLANTED, "legal_representative_id_number": "110105194912310021"}),
                ]
            ),
        ),
        BatchCase("records_duplicate_ids", _records_lines([_record_line(_PLANTED), _record_line(_PLANTED)])),
        BatchCase("records_not_objects", _records_lines(["[]", '"' + ID18 + '"', "null", "1", ID18])),
        BatchCase(
            "records_data_with_ids_everywhere",
            _records_lines(
                [
                    _record_line(
                        {
                            **_PLANTED,
                            "subject_name": f"张三 {ID18}",
                            "remarks": f"身份证号：{ID18}",
                            "uscc": ID18,
                            "decision_number": ID18,
                        }
                    ),
                    _record_line({**_PLANTED, "decision_number": "x" + ID18, "legal_representative_id_type": "护照号"}),
                ]
            ),
        ),
        BatchCase("records_long_line", _records_lines([_record_line({**_PLANTED, "remarks": f"{ID18} " * 60_000})])),
        BatchCase(
            "records_crlf",
            lambda folder: (
                (folder / "records.jsonl").write_bytes((folder / "records.jsonl").read_bytes().replace(b"\n", b"\r\n")),
                _rehash(folder),
            ),
        ),
        BatchCase("signed", _sign()),
        BatchCase("signed_sm2", _sign("corpus_sm2", "sm2")),
        BatchCase("signed_by_other_key", _sign("other")),
        BatchCase("signed_then_forged", _then(_sign(), _records_lines([_record_line(_PLANTED)]))),
        BatchCase("signed_signer_with_id", _sign(signer=f"张三 {ID18}")),
        BatchCase("signature_garbage", _write_signature(_garbage(700, 5))),
        BatchCase("signature_empty", _write_signature(b"")),
        BatchCase("signature_huge", _write_signature(b"{" + b" " * (8 << 20) + b"}")),
        BatchCase("signature_deeply_nested", _write_signature(_deep_json(100_000))),
        BatchCase("signature_surrogates", _edit_signature(signer="\ud800", key_id="\udfff", signed_file="\ud800")),
        BatchCase("signature_bad_base64", _edit_signature(signature="!!!" + ID18)),
        BatchCase("signature_id_values", _edit_signature(signer=ID18, key_id=f"sha256:{ID18}", algorithm=ID18)),
        BatchCase("signature_signed_file_outside", _edit_signature(signed_file="../outside/secret.txt")),
        BatchCase("signature_nan", _write_signature('{"format": NaN, "signature": Infinity}')),
        BatchCase("signature_symlinked", _signature_special("symlink")),
        BatchCase("signature_is_directory", _signature_special("dir")),
        BatchCase("signature_is_fifo", _signature_special("fifo"), subprocess=True),
        BatchCase(
            "extra_files_and_symlinks",
            lambda folder: (
                (folder / "extra.jsonl").write_text(ID18, encoding="utf-8"),
                (folder / "link").symlink_to("/etc"),
            ),
        ),
    ]
}


# --------------------------------------------------------------------------------------------------
# Command-line values


#: Lone surrogates as argv carries them: bytes that are not UTF-8, decoded with surrogateescape.
SURROGATE_ARGS = (os.fsdecode(b"\xff"), os.fsdecode(b"\xed\xa0\x80"), os.fsdecode(b"ab\xc3"))

#: What any text parameter may be given (NUL is left out: an exec'd argv cannot carry it).
TEXT_VALUES: dict[str, str] = {
    "empty": "",
    "space": " ",
    "dash": "-",
    "surrogate_ff": SURROGATE_ARGS[0],
    "surrogate_cesu": SURROGATE_ARGS[1],
    "surrogate_truncated": SURROGATE_ARGS[2],
    "long_100k": "A" * 100_000,
    "id_number": ID18,
    "id_in_text": f"身份证号：{ID18}",
    "path_traversal": "../../../../etc/passwd",
    "ansi_escape": "\x1b[2J\x1b[31m",
    "format_string": "%s%n{0}{!r}",
    "newline": "a\nb",
    "bidi_override": "\u202eabc",
    "ligature_fullwidth": "ﬀ１Ｘ",
    "help_flag": "--help",
}

INT_VALUES = {
    "empty": "",
    "abc": "abc",
    "negative": "-1",
    "zero": "0",
    "huge": "9" * 30,
    "float": "1.5",
    "exponent": "1e3",
    "nan": "nan",
    "fullwidth": "１０",
    "space_padded": " 3 ",
    "surrogate": SURROGATE_ARGS[0],
    "underscore": "1_0",
    "hex": "0x10",
}
FLOAT_VALUES = {
    "empty": "",
    "abc": "abc",
    "nan": "nan",
    "inf": "inf",
    "neg_inf": "-inf",
    "1e400": "1e400",
    "neg_zero": "-0.0",
    "negative": "-0.1",
    "above_one": "1.5",
    "tiny": "5e-324",
    "hex": "0x1p-2",
    "surrogate": SURROGATE_ARGS[0],
    "fullwidth": "０.５",
}
DATE_VALUES = {
    "year_1": "0001-01-01",
    "year_9999": "9999-12-31",
    "year_0": "0000-01-01",
    "year_10000": "10000-01-01",
    "feb_30": "2024-02-30",
    "month_13": "2024-13-01",
    "year_1899": "1899-12-31",
    "year_1900": "1900-01-01",
    "far_future": "2999-01-01",
    "empty": "",
    "abc": "abc",
    "unpadded": "2024-6-1",
    "fullwidth": "２０２４-０６-０１",
    "with_time": "2024-06-01T00:00:00",
    "surrogate": SURROGATE_ARGS[0],
    "id_number": ID18,
}
ENCODING_VALUES = {
    "utf-16": "utf-16",
    "utf-32": "utf-32",
    "base64": "base64",
    "rot13": "rot13",
    "zlib_codec": "zlib_codec",
    "bz2": "bz2",
    "hex": "hex",
    "uu": "uu",
    "quopri": "quopri",
    "unicode_escape": "unicode_escape",
    "raw_unicode_escape": "raw_unicode_escape",
    "idna": "idna",
    "punycode": "punycode",
    "nonexistent": "nonexistent",
    "gb18030": "gb18030",
    "ascii": "ascii",
    "latin-1": "latin-1",
    "mbcs": "mbcs",
    "undefined": "undefined",
    "utf-7": "utf-7",
    "cp037": "cp037",
    "uppercase": "UTF-8",
    "utf_8_sig": "utf_8_sig",
}


def values_for(role: str, choices: tuple[str, ...] = (), *, count_like: bool = False) -> dict[str, str]:
    """Hostile values for a parameter of ``role`` (see the suite's tree walk for the roles)."""
    if role == "choice":
        first = choices[0] if choices else "x"
        return {
            "unknown": "not-a-choice",
            "empty": "",
            "upper": first.upper() if first.upper() != first else first.title(),
            "padded": f" {first} ",
            "prefix": first[:1],
            "surrogate": SURROGATE_ARGS[0],
            "id_number": ID18,
            "fullwidth": "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in first),
        }
    if role == "int":
        values = dict(INT_VALUES)
        if count_like:  # a count is honoured: a huge one streams forever, which is not a defect
            values.pop("huge")
        return values
    if role == "float":
        return dict(FLOAT_VALUES)
    if role == "date":
        return dict(DATE_VALUES)
    if role == "encoding":
        return {**TEXT_VALUES, **{f"codec_{name}": value for name, value in ENCODING_VALUES.items()}}
    if role == "class":
        return {
            **TEXT_VALUES,
            "unknown": "no_such_class",
            "padded": " administrative_penalty ",
            "upper": "ADMINISTRATIVE_PENALTY",
            "relative": "classes/administrative_penalty",
            "dotdot": "../catalogue/catalogue",
            "index": "catalogue",
            "common": "common",
            "dunder": "__init__",
            "schema_suffix": "administrative_penalty.schema.json",
            "absolute": "/etc/passwd",
        }
    if role == "uscc":
        return {
            **TEXT_VALUES,
            "bad_check": USCC[:-1] + "Z",
            "lower": USCC.lower(),
            "spaced": " ".join(USCC),
            "fullwidth": "".join(chr(ord(c) + 0xFEE0) for c in USCC),
            "legacy_id15": ID15,
            "all_zero": "0" * 18,
        }
    if role == "values":
        return {**TEXT_VALUES, **{f"shape_{name}": line for name, line in ID_SHAPES.items()}}
    return dict(TEXT_VALUES)


#: Batches a correct verifier may accept: valid, or unusual but legitimate (or left open by the format).
#: (Signed batches and tampered signatures are intact batches too, as long as no key is asked for.)
UNDAMAGED = frozenset(
    {
        "valid",
        "valid_manifest_file",
        "extra_files_and_symlinks",
        "records_crlf",
        "records_empty_rehashed",
        "records_lifecycle_extreme_dates",
        "manifest_created_year_1",
        "manifest_created_year_9999",
        "manifest_count_float",
        "manifest_created_leap_second",
        "manifest_bom",
    }
)
#: Damage only record validation sees (``verify --no-validate`` checks manifest, count, hash and ids only).
CONTENT_DAMAGE = frozenset(
    {"records_nan", "records_extreme_dates", "records_data_with_ids_everywhere", "records_long_line"}
)
#: Signed with the corpus key (:func:`key_pair`, name ``corpus``) and not altered since.
TRUSTED_SIGNATURE = frozenset({"signed", "signed_signer_with_id"})


def damage(name: str) -> str:
    """How a batch case is damaged: ``""`` (not), ``"content"`` (its records' data) or ``"structure"``."""
    if name in UNDAMAGED or name.startswith(("signed", "signature_")):
        return ""
    return "content" if name in CONTENT_DAMAGE else "structure"
