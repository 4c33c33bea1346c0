"""Signed exchange batches: a forged batch fails, keys never leak, and the algorithms meet their standards."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import pickle
import shutil
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from standard_examples import AUTHORITY_USCC, penalty_record

from creditstd.cli.exchange import UNREADABLE
from creditstd.cli.signing import key_option, keygen_command, sign_command, signature_check
from creditstd.records import loader
from creditstd.records.exchange import BatchWriter, canonical_line, record_id, verify_batch
from creditstd.records.signing import (
    PrivateKey,
    PublicKey,
    SigningError,
    load_private_key,
    load_public_keys,
    sign_batch,
    signature_path,
    sm3_hex,
    verify_signature,
    write_key_pair,
)

gmalg = pytest.importorskip("gmalg")
hashes = pytest.importorskip("cryptography.hazmat.primitives.hashes")

ALGORITHMS = ["ed25519", "sm2-sm3"]
SM2_N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123


# ------------------------------------------------------------------------------------------------ helpers

@click.command("verify")
@click.argument("path", type=click.Path(path_type=Path))
@key_option
@click.option("--show-pii", is_flag=True)
def verify_command(path: Path, keys: tuple[Path, ...], show_pii: bool) -> None:
    """What the exchange verify command does with --key (the CLI owner wires the real one)."""
    problems = list(verify_batch(path, validate=False).problems)
    if keys:
        found, summary = signature_check(path, keys, show_pii=show_pii)
        problems += found
        if summary:
            click.echo(summary, err=True)
    for problem in problems:
        click.echo(f"✗ {problem}")
    sys.exit(2 if any(problem.code in UNREADABLE for problem in problems) else 1 if problems else 0)


exchange = click.Group("exchange", commands=[keygen_command, sign_command, verify_command])


def run(*args: str | Path):
    return CliRunner().invoke(exchange, [str(arg) for arg in args])


def make_batch(folder: Path, count: int = 3) -> Path:
    with BatchWriter(folder, "administrative_penalty", department="福州市市场监督管理局",
                     department_uscc=AUTHORITY_USCC, on=date(2024, 6, 1)) as batch:
        for number in range(1, count + 1):
            batch.add(penalty_record(decision_number=f"榕市监罚〔2024〕{number}号"))
    return folder


def forge(folder: Path) -> None:
    """Alter a record's fine and recompute the manifest's hash and count: a consistent forgery."""
    records = folder / "records.jsonl"
    lines = records.read_bytes().splitlines(keepends=True)
    record = json.loads(lines[0])
    record["data"].update(fine_amount=20.0, penalty_content="罚款人民币200000元")
    lines[0] = canonical_line(record)
    lines.append(lines[1].replace("榕市监罚〔2024〕2号".encode(), "榕市监罚〔2024〕9号".encode()))
    record = json.loads(lines[-1])
    record["record_id"] = record_id(record["data"], "administrative_penalty")
    lines[-1] = canonical_line(record)
    records.write_bytes(b"".join(lines))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["records"].update(count=len(lines), sha256=hashlib.sha256(b"".join(lines)).hexdigest())
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def codes(report) -> list[str]:
    return [problem.code for problem in report.problems]


@pytest.fixture(autouse=True)
def both_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages in Chinese and English, whatever the machine's locale (the tests look for both)."""
    monkeypatch.setenv("CREDITSTD_LANG", "both")


@pytest.fixture(params=ALGORITHMS)
def algorithm(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    return make_batch(tmp_path / "batch")


# ------------------------------------------------------------------------------------------------ standard vectors

def test_sm3_standard_examples() -> None:
    """GB/T 32905-2016 appendix A, examples 1 and 2; the gmalg and OpenSSL implementations agree."""
    examples = {b"abc": "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
                b"abcd" * 16: "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"}
    for message, expected in examples.items():
        assert sm3_hex(message) == expected
        openssl = hashes.Hash(hashes.SM3())
        openssl.update(message)
        assert openssl.finalize().hex() == expected
    assert sm3_hex(b"abd") != examples[b"abc"]


# GB/T 32918.2-2016 appendix A (= GM/T 0003.2-2012 annex A): the example on its 256-bit test curve over Fp.
ANNEX_A = {
    "p": 0x8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3,
    "a": 0x787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498,
    "b": 0x63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A,
    "G": (0x421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D,
          0x0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2),
    "n": 0x8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7,
    "id": b"ALICE123@YAHOO.COM", "message": b"message digest",
    "d": 0x128B2FA8BD433C6C068C8D803DFF79792A519A55171B1B650C23661D15897263,
    "P": (0x0AE4C7798AA0F119471BEE11825BE46202BB79E2A5844495E97C04FF4DF2548A,
          0x7C0240F88F1CD4E16352A73C17B7F16F07353E53A176D684A9FE0C6BB798E857),
    "Z": "f4a38489e32b45b6f876e3ac2168ca392362dc8f23459c1d1146fc3dbfb7bc9a",
    "e": "b524f552cd82b8b028476e005c377fb19a87e6fc682d48bb5d42e3d9b9effe76",
    "k": 0x6CB28D99385C175C94F94E934817663FC176D925DD72B727260DBAAE1FB2F96F,
    "r": 0x40F1EC59F793D9F49E09DCEF49130D4194F79FB1EED2CAA55BACDB49C4E755D1,
    "s": 0x6FC6DAC32C5D5CF10C77DFB20F7C2EB667A457872FB09EC56327A67EC7DEEBE7,
}

# A published vector on the recommended curve sm2p256v1 (GB/T 32918.5), from Bouncy Castle's SM2SignerTest.
RECOMMENDED = {
    "id": "sm2test@example.com", "message": b"hi chappy",
    "d": 0x110E7973206F68C19EE5F7328C036F26911C8C73B4E4F36AE3291097F8984FFC,
    "k": 0x3174C6FFC3C279D2422F3FC0A9F3E574674A4490FE45A5325CAF7D3EC4C8F96C,
    "r": 0x05890B9077B92E47B17A1FF42A814280E556AFD92B4A98B9670BF8B1A274C2FA,
    "s": 0xE3ABBB8DB2B6ECD9B24ECCEA7F679FB9A4B1DB52F4AA985E443AD73237FA1993,
}


def der_signature(r: int, s: int) -> bytes:
    def integer(value: int) -> bytes:
        body = value.to_bytes(value.bit_length() // 8 + 1, "big")
        return bytes([0x02, len(body)]) + body
    body = integer(r) + integer(s)
    return bytes([0x30, len(body)]) + body


def test_sm2_library_meets_the_standard_example_of_gbt_32918() -> None:
    """The SM2 library, on the standard's own test curve: public key, Z_A, e, r and s as printed."""
    from gmalg.ellipticcurve import ECDLP
    from gmalg.sm2 import SM2Core

    v = ANNEX_A
    core = SM2Core(ECDLP(v["p"], v["a"], v["b"], v["G"], v["n"]), gmalg.SM3(), lambda bits: v["k"])
    public = core.generate_pk(v["d"])
    assert public == v["P"]
    z = core.entity_info(v["id"], public)
    assert z.hex() == v["Z"]
    assert sm3_hex(z + v["message"]) == v["e"]
    assert core.sign(v["message"], v["d"], v["id"]) == (v["r"], v["s"])
    assert core.verify(v["message"], v["r"], v["s"], v["id"], public)
    assert not core.verify(b"message digesT", v["r"], v["s"], v["id"], public)
    assert not core.verify(v["message"], v["r"], v["s"], b"ALICE123@YAHOO.CN", public)  # Z_A binds the id
    assert not core.verify(v["message"], v["r"], v["s"] + v["n"], v["id"], public)  # s must be below n


def test_sm2_signing_path_reproduces_a_published_vector(monkeypatch: pytest.MonkeyPatch) -> None:
    """creditstd's own SM2 path (key, Z_A with the id, DER encoding) on the recommended curve, k fixed."""
    v = RECOMMENDED
    key = PrivateKey("sm2-sm3", v["d"].to_bytes(32, "big"))
    expected = der_signature(v["r"], v["s"])
    assert key.public_key.verify(v["message"], expected, sm2_user_id=v["id"])
    assert not key.public_key.verify(v["message"], expected)  # another ID_A, another Z_A
    assert not key.public_key.verify(b"hi chappy!", expected, sm2_user_id=v["id"])
    import gmalg.base
    monkeypatch.setattr(gmalg.base.secrets, "randbits", lambda bits: v["k"])  # the vector's k, for this test only
    assert key.sign(v["message"], sm2_user_id=v["id"]) == expected


def test_sm2_rejects_out_of_range_and_malformed_signatures() -> None:
    v = RECOMMENDED
    public = PrivateKey("sm2-sm3", v["d"].to_bytes(32, "big")).public_key
    good = der_signature(v["r"], v["s"])
    for bad in (der_signature(0, v["s"]), der_signature(v["r"], 0), der_signature(v["r"] + SM2_N, v["s"]),
                der_signature(v["r"], SM2_N), good + b"\x00", good[:-1], b"", b"\x30\x00",
                v["r"].to_bytes(32, "big") + v["s"].to_bytes(32, "big")):
        assert not public.verify(v["message"], bad, sm2_user_id=v["id"])
    assert public.verify(v["message"], good, sm2_user_id=v["id"])


def test_ed25519_rfc8032_test_1() -> None:
    """RFC 8032 section 7.1, TEST 1 (empty message)."""
    secret = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    key = PrivateKey("ed25519", secret)
    assert key.public_key.der[-32:].hex() == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    signature = ("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
                 "d25bf5f0595bbe24655141438e7a100b")
    assert key.sign(b"").hex() == signature
    assert key.public_key.verify(b"", bytes.fromhex(signature))
    assert not key.public_key.verify(b"\x00", bytes.fromhex(signature))


# ------------------------------------------------------------------------------------------------ sign and verify

def test_round_trip_through_the_commands(batch: Path, tmp_path: Path, algorithm: str) -> None:
    prefix = tmp_path / "fuzhou"
    made = run("keygen", "--algorithm", algorithm.split("-")[0], "-o", prefix)
    assert made.exit_code == 0, made.output
    key_id = made.stdout.strip()
    assert key_id.startswith("sha256:") and len(key_id) == 71
    signed = run("sign", batch, "--key", f"{prefix}.key", "--signer", "张三")
    assert signed.exit_code == 0, signed.output
    document = json.loads(signature_path(batch).read_text(encoding="utf-8"))
    assert (document["algorithm"], document["key_id"], document["signer"]) == (algorithm, key_id, "张三")
    schema = loader.meta_schema("exchange-signature.schema.json")
    from jsonschema import Draft202012Validator
    assert not list(Draft202012Validator(schema).iter_errors(document))
    verified = run("verify", batch, "--key", f"{prefix}.pub")
    assert verified.exit_code == 0, verified.output
    assert key_id in verified.stderr and "fuzhou.pub" in verified.stderr and "张*" in verified.stderr
    assert "张三" not in verified.output and "张三" not in signed.output
    assert verify_batch(batch).ok  # the signature file does not disturb the batch's own checks


def test_a_consistently_forged_batch_fails(batch: Path, algorithm: str) -> None:
    key = PrivateKey.generate(algorithm)
    sign_batch(batch, key)
    assert verify_signature(batch, [key.public_key]).ok
    forge(batch)
    assert verify_batch(batch).ok  # the forgery is consistent: without a signature it would pass
    report = verify_signature(batch, [key.public_key])
    assert codes(report) == ["exchange.signature_invalid"] and not report.ok and report.key is None


def test_forged_batch_fails_verify_with_exit_code_1(batch: Path, tmp_path: Path) -> None:
    key = write_key_pair(tmp_path / "k", "sm2")
    sign_batch(batch, key)
    forge(batch)
    assert run("verify", batch).exit_code == 0  # without --key nothing can tell
    result = run("verify", batch, "--key", tmp_path / "k.pub")
    assert result.exit_code == 1
    assert "exchange.signature_invalid" in result.stdout and "签名无效" in result.stdout


def test_records_altered_behind_a_signed_manifest(batch: Path, algorithm: str) -> None:
    """The signature covers the manifest; the records are rechecked against the signed manifest's bytes."""
    key = PrivateKey.generate(algorithm)
    sign_batch(batch, key)
    records = batch / "records.jsonl"
    records.write_bytes(records.read_bytes().replace("2000元".encode(), "9000元".encode()))
    assert codes(verify_signature(batch, [key.public_key])) == ["exchange.signature_records"]
    assert verify_signature(batch, [key.public_key], records=False).ok  # for callers that run verify_batch too
    records.write_bytes(b"".join(records.read_bytes().splitlines(keepends=True)[:2]))  # one record dropped
    assert codes(verify_signature(batch, [key.public_key])) == ["exchange.signature_records"]
    (batch / "records.jsonl").unlink()
    assert codes(verify_signature(batch, [key.public_key])) == ["exchange.missing_records"]


def test_a_signature_by_another_key_fails(batch: Path, tmp_path: Path, algorithm: str) -> None:
    mine, theirs = PrivateKey.generate(algorithm), PrivateKey.generate(algorithm)
    sign_batch(batch, theirs, signer="福州市市场监督管理局")
    report = verify_signature(batch, [mine.public_key])
    assert codes(report) == ["exchange.signature_key_unknown"]
    assert theirs.key_id in report.problems[0].message_en
    # the attacker names a trusted key in the signature file: the signature still does not verify
    document = json.loads(signature_path(batch).read_text(encoding="utf-8"))
    document["key_id"] = mine.key_id
    signature_path(batch).write_text(json.dumps(document), encoding="utf-8")
    assert codes(verify_signature(batch, [mine.public_key])) == ["exchange.signature_invalid"]


def test_trust_set_says_which_key_signed(batch: Path, tmp_path: Path) -> None:
    keys = tmp_path / "trusted"
    keys.mkdir()
    write_key_pair(keys / "xiamen", "ed25519")
    fuzhou = write_key_pair(keys / "fuzhou", "sm2")
    (keys / "fuzhou.key").unlink()  # a trust folder holds public keys only
    (keys / "notes.txt").write_text("not a key", encoding="utf-8")  # ignored: only .pub files count
    sign_batch(batch, fuzhou)
    report = verify_signature(batch, [keys])
    assert report.ok and report.key is not None and report.key.source == str(keys / "fuzhou.pub")
    result = run("verify", batch, "--key", keys / "xiamen.pub", "--key", keys / "fuzhou.pub")
    assert result.exit_code == 0 and "fuzhou.pub" in result.stderr
    untrusted = run("verify", batch, "--key", keys / "xiamen.pub")
    assert untrusted.exit_code == 1 and "exchange.signature_key_unknown" in untrusted.stdout
    assert len(load_public_keys([keys, keys / "fuzhou.pub"])) == 2  # the same key twice is kept once


@pytest.mark.parametrize("change", ["flip", "swap_algorithm", "signed_file", "not_json", "schema", "base64",
                                    "base64_length", "sm2_id", "empty", "escape_in_signer", "surrogate_in_signer",
                                    "extra_field", "created"])
def test_a_tampered_signature_file_fails(batch: Path, change: str) -> None:
    key = PrivateKey.generate("sm2-sm3")
    sign_batch(batch, key, signer="张三")
    path = signature_path(batch)
    document = json.loads(path.read_text(encoding="utf-8"))
    raw = bytearray(base64.b64decode(document["signature"]))
    expected = "exchange.signature_format"
    if change == "flip":
        raw[-3] ^= 0x01
        document["signature"] = base64.b64encode(bytes(raw)).decode()
        expected = "exchange.signature_invalid"
    elif change == "swap_algorithm":
        document["algorithm"] = "ed25519"
        del document["sm2_user_id"]
        expected = "exchange.signature_invalid"
    elif change == "sm2_id":
        document["sm2_user_id"] = "91350100M000100Y43"
        expected = "exchange.signature_invalid"
    elif change == "signed_file":
        document["signed_file"] = "records.jsonl"
    elif change == "schema":
        document["key_id"] = "sha256:XYZ"
    elif change == "base64":
        document["signature"] = "not base64!"
    elif change == "base64_length":
        document["signature"] = "abcde"
    elif change == "escape_in_signer":
        document["signer"] = "\x1b]0;pwned\x07张三"  # would drive the receiver's terminal
    elif change == "surrogate_in_signer":
        document["signer"] = "\ud800"
    elif change == "extra_field":
        document["trusted"] = True
    elif change == "created":
        document["created"] = "2024-02-30T00:00:00Z"
    if change == "not_json":
        path.write_text("{broken", encoding="utf-8")
    elif change == "empty":
        path.write_bytes(b"")
    else:
        path.write_text(json.dumps(document), encoding="utf-8")
    report = verify_signature(batch, [key.public_key])
    assert codes(report) == [expected] and not report.ok
    assert run("verify", batch, "--key", _pub(batch.parent, key)).exit_code == 1


def _pub(folder: Path, key: PrivateKey) -> Path:
    path = folder / f"{key.key_id[7:15]}.pub"
    path.write_text(key.public_key.to_pem(), encoding="ascii")
    return path


def test_missing_signature(batch: Path, tmp_path: Path) -> None:
    key = PrivateKey.generate("ed25519")
    assert codes(verify_signature(batch, [key.public_key])) == ["exchange.signature_missing"]
    result = run("verify", batch, "--key", _pub(tmp_path, key))
    assert result.exit_code == 1 and "manifest.json.sig" in result.stdout
    assert run("verify", tmp_path / "nowhere", "--key", _pub(tmp_path, key)).exit_code == 2  # unreadable batch


def test_sign_refuses_a_batch_whose_records_do_not_match(batch: Path, tmp_path: Path) -> None:
    write_key_pair(tmp_path / "k", "ed25519")
    (batch / "records.jsonl").write_bytes(b"")
    result = run("sign", batch, "--key", tmp_path / "k.key")
    assert result.exit_code == 1 and "exchange.signature_records" in result.stdout
    assert not signature_path(batch).exists()
    assert run("sign", tmp_path / "nowhere", "--key", tmp_path / "k.key").exit_code == 2


def test_the_signature_file_is_owner_only_like_the_batch(batch: Path, tmp_path: Path) -> None:
    """manifest.json.sig holds the signer's name in full: 0600 whatever the umask, as records.jsonl and
    manifest.json are, even in a batch folder that others may list."""
    write_key_pair(tmp_path / "k", "ed25519")
    batch.chmod(0o755)
    previous = os.umask(0)
    try:
        assert run("sign", batch, "--key", tmp_path / "k.key", "--signer", "欧阳娜娜").exit_code == 0
    finally:
        os.umask(previous)
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in batch.iterdir()}
    assert modes == {"records.jsonl": 0o600, "manifest.json": 0o600, "manifest.json.sig": 0o600}
    assert verify_signature(batch, [tmp_path / "k.pub"]).ok  # still readable by its owner


@pytest.mark.parametrize(("change", "path", "zh", "en"), [
    ("sm2_user_id", "$", "只有 sm2-sm3 签名才有", "holds sm2_user_id, which only sm2-sm3 signatures carry"),
    ("signed_file", "$.signed_file", "不能是 . 或 ..", "may not be . or .."),
    ("key_id", "$", "缺少必需的字段 key_id", "lacks the required field key_id"),
])
def test_a_malformed_signature_file_says_what_is_wrong_in_words(batch: Path, change: str, path: str, zh: str,
                                                                 en: str) -> None:
    key = PrivateKey.generate("ed25519")
    sign_batch(batch, key, signer="张三")
    document = json.loads(signature_path(batch).read_text(encoding="utf-8"))
    if change == "sm2_user_id":  # an ed25519 signature carrying the SM2 identifier: the schema's "not"
        document["sm2_user_id"] = "1234567812345678"
    elif change == "signed_file":
        document["signed_file"] = ".."
    else:
        del document[change]
    signature_path(batch).write_text(json.dumps(document), encoding="utf-8")
    [problem] = verify_signature(batch, [key.public_key]).problems
    assert problem.code == "exchange.signature_format" and problem.path == path
    assert zh in problem.message_zh and en in problem.message_en
    assert problem.message_en.startswith("signature file manifest.json.sig is malformed: ")
    assert "张三" not in problem.message_zh + problem.message_en  # the file's values are never quoted


# ------------------------------------------------------------------------------------------------ keys

def test_private_key_is_0600_even_under_umask_0(tmp_path: Path, algorithm: str) -> None:
    previous = os.umask(0)
    try:
        assert run("keygen", "--algorithm", algorithm.split("-")[0], "-o", tmp_path / "k").exit_code == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "k.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "k.pub").stat().st_mode) == 0o644  # readable, never world-writable
    assert load_private_key(tmp_path / "k.key").public_key == load_public_keys([tmp_path / "k.pub"])[0]


def test_keygen_never_replaces_a_key_unless_forced(tmp_path: Path) -> None:
    assert run("keygen", "--algorithm", "sm2", "-o", tmp_path / "k").exit_code == 0
    before = (tmp_path / "k.key").read_bytes()
    again = run("keygen", "--algorithm", "sm2", "-o", tmp_path / "k")
    assert again.exit_code == 2 and "--force" in again.output
    assert (tmp_path / "k.key").read_bytes() == before
    assert run("keygen", "--algorithm", "sm2", "-o", tmp_path / "k", "--force").exit_code == 0
    assert (tmp_path / "k.key").read_bytes() != before
    assert run("keygen", "--algorithm", "rsa", "-o", tmp_path / "r").exit_code == 2


def _corruptions(pem: str) -> dict[str, bytes]:
    lines = pem.splitlines()
    body = "".join(lines[1:-1])
    flipped = body[:20] + ("A" if body[20] != "A" else "B") + body[21:]
    return {
        "truncated": "\n".join(lines[:2]).encode(),
        "bad_base64": (lines[0] + "\n" + body[:-3] + "!!!\n" + lines[-1] + "\n").encode(),
        "flipped": (lines[0] + "\n" + flipped + "\n" + lines[-1] + "\n").encode(),
        "short": (lines[0] + "\n" + body[:40] + "\n" + lines[-1] + "\n").encode(),
        "binary": os.urandom(300),
        "empty": b"",
        "two_keys": (pem + pem).encode(),
        "encrypted": b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
        "rsa": b"-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n",
    }


def test_corrupt_key_files_give_a_clear_error_and_exit_2(batch: Path, tmp_path: Path, algorithm: str,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    key = write_key_pair(tmp_path / "good", algorithm.split("-")[0])
    sign_batch(batch, key)
    private_pem = (tmp_path / "good.key").read_text(encoding="ascii")
    secret_body = "".join(private_pem.splitlines()[1:-1])
    for name, content in _corruptions(private_pem).items():
        path = tmp_path / f"{name}.key"
        path.write_bytes(content)
        with pytest.raises(SigningError) as raised:
            load_private_key(path)
        assert raised.value.code in ("exchange.key_format", "exchange.key_algorithm"), name
        result = run("sign", batch, "--key", path)
        assert result.exit_code == 2, (name, result.output)
        assert str(path) in result.output and "密钥" in result.output and "key" in result.output
        assert secret_body[16:40] not in result.output and secret_body[16:40] not in str(raised.value)
        verify = run("verify", batch, "--key", path)  # a damaged key in the trust set: exit 2 too
        assert verify.exit_code == 2, (name, verify.output)
        assert secret_body[16:40] not in verify.output
    assert secret_body[16:40] not in caplog.text
    wrong_kind = run("verify", batch, "--key", tmp_path / "good.key")  # the private key given as trusted
    assert wrong_kind.exit_code == 2 and "私钥" in wrong_kind.output and secret_body[16:40] not in wrong_kind.output
    assert run("sign", batch, "--key", tmp_path / "good.pub").exit_code == 2
    assert run("sign", batch, "--key", tmp_path / "absent.key").exit_code == 2
    assert run("verify", batch, "--key", tmp_path / "empty-folder").exit_code == 2
    (tmp_path / "empty-folder").mkdir()
    assert run("verify", batch, "--key", tmp_path / "empty-folder").exit_code == 2


def test_key_material_never_shows(batch: Path, tmp_path: Path, algorithm: str,
                                  caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    outputs = []
    made = run("keygen", "--algorithm", algorithm.split("-")[0], "-o", tmp_path / "k")
    outputs += [made.output]
    key = load_private_key(tmp_path / "k.key")
    outputs += [run("sign", batch, "--key", tmp_path / "k.key", "--signer", "张三").output,
                run("verify", batch, "--key", tmp_path / "k.pub").output]
    forge(batch)
    outputs += [run("verify", batch, "--key", tmp_path / "k.pub").output]
    outputs += [repr(key), str(key), repr(key.public_key), repr(key._secret), str(verify_signature(batch, [tmp_path]))]
    with pytest.raises(TypeError):
        pickle.dumps(key)
    try:
        PrivateKey(algorithm, b"\xff" * 32 if algorithm == "sm2-sm3" else b"\x01" * 31)
    except SigningError as error:
        outputs.append(str(error) + repr(error))
    captured = capfd.readouterr()
    text = "\n".join(outputs) + caplog.text + captured.out + captured.err
    pem = (tmp_path / "k.key").read_text(encoding="ascii")
    body = "".join(pem.splitlines()[1:-1])
    secret = key._secret.value
    for fragment in [body, *(body[index:index + 12] for index in range(0, len(body) - 12, 12))]:
        assert fragment not in text
    for form in (secret.hex(), secret.hex().upper(), str(int.from_bytes(secret, "big")),
                 base64.b64encode(secret).decode()):
        assert form not in text
    assert key.key_id in text  # what does show: the key id


def test_openssl_keys_and_signatures_interoperate(tmp_path: Path, batch: Path) -> None:
    """Keys and signatures work both ways with OpenSSL 3 (skipped where it lacks SM2)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl command")
    probe = subprocess.run([openssl, "genpkey", "-algorithm", "SM2", "-out", str(tmp_path / "o-sm2.key")],
                           capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("this openssl has no SM2")
    manifest = batch / "manifest.json"
    for algorithm, name, extra in (("sm2-sm3", "SM2", ["-digest", "sm3", "-pkeyopt", "distid:1234567812345678"]),
                                   ("ed25519", "ED25519", [])):
        ours = write_key_pair(tmp_path / f"our-{name}", algorithm)
        sign_batch(batch, ours)
        raw = base64.b64decode(json.loads(signature_path(batch).read_text(encoding="utf-8"))["signature"])
        (tmp_path / "sig.bin").write_bytes(raw)
        checked = subprocess.run([openssl, "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / f"our-{name}.pub"),
                                  "-rawin", "-in", str(manifest), "-sigfile", str(tmp_path / "sig.bin"), *extra],
                                 capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        theirs = tmp_path / f"o-{name}.key"
        subprocess.run([openssl, "genpkey", "-algorithm", name, "-out", str(theirs)], check=True, capture_output=True)
        subprocess.run([openssl, "pkey", "-in", str(theirs), "-pubout", "-out", str(tmp_path / f"o-{name}.pub")],
                       check=True, capture_output=True)
        subprocess.run([openssl, "pkeyutl", "-sign", "-inkey", str(theirs), "-rawin", "-in", str(manifest),
                        "-out", str(tmp_path / "o-sig.bin"), *extra], check=True, capture_output=True)
        their_public = load_public_keys([tmp_path / f"o-{name}.pub"])[0]
        assert load_private_key(theirs).public_key == their_public
        assert their_public.verify(manifest.read_bytes(), (tmp_path / "o-sig.bin").read_bytes())
        der = subprocess.run([openssl, "pkey", "-pubin", "-in", str(tmp_path / f"o-{name}.pub"), "-outform", "DER"],
                             check=True, capture_output=True).stdout
        assert their_public.key_id == "sha256:" + hashlib.sha256(der).hexdigest()  # fingerprints match OpenSSL's
    ec = tmp_path / "sec1.key"  # `openssl ecparam -genkey -name SM2` writes a parameters block and an EC key
    subprocess.run([openssl, "ecparam", "-genkey", "-name", "SM2", "-out", str(ec)], check=True, capture_output=True)
    assert load_private_key(ec).algorithm == "sm2-sm3"


def test_public_key_must_be_on_the_curve(tmp_path: Path) -> None:
    good = PrivateKey.generate("sm2-sm3").public_key
    der = bytearray(good.der)
    der[-1] ^= 0x01  # y changed: no longer on the curve
    path = tmp_path / "off.pub"
    path.write_text("-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(bytes(der)).decode()
                    + "\n-----END PUBLIC KEY-----\n", encoding="ascii")
    with pytest.raises(SigningError, match=r"exchange\.key_format"):
        load_public_keys([path])
    with pytest.raises(SigningError):
        PublicKey("sm2-sm3", b"\x04" + b"\x00" * 64)


def test_importing_creditstd_does_not_import_the_signing_libraries() -> None:
    code = ("import sys, creditstd, creditstd.cli, creditstd.cli.signing, creditstd.records.signing\n"
            "print(sorted({name.split('.')[0] for name in sys.modules} & {'cryptography', 'gmalg'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_missing_library_says_how_to_install_it(batch: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    write_key_pair(tmp_path / "k", "sm2")
    monkeypatch.setitem(sys.modules, "gmalg", None)  # as if not installed
    with pytest.raises(SigningError, match="creditstd\\[sign\\]"):
        PrivateKey.generate("sm2-sm3")
    result = run("sign", batch, "--key", tmp_path / "k.key")
    assert result.exit_code == 2 and "pip install 'creditstd[sign]'" in result.output
    result = run("keygen", "--algorithm", "sm2", "-o", tmp_path / "other")
    assert result.exit_code == 2 and "pip install 'creditstd[sign]'" in result.output
    assert not (tmp_path / "other.key").exists()


def test_signature_check_needs_keys(batch: Path) -> None:
    with pytest.raises(click.UsageError):
        signature_check(batch, ())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs symbolic links and FIFOs")
def test_links_and_fifos_in_the_batch_are_refused_not_followed(batch: Path, tmp_path: Path) -> None:
    """The sender controls the folder: a linked file is not followed, a FIFO never blocks the receiver."""
    key = write_key_pair(tmp_path / "k", "ed25519")
    sign_batch(batch, key)
    signature, elsewhere = signature_path(batch), tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.move(signature, elsewhere / signature.name)
    signature.symlink_to(elsewhere / signature.name)
    assert codes(verify_signature(batch, [key.public_key])) == ["exchange.signature_format"]
    signature.unlink()
    shutil.move(elsewhere / signature.name, signature)
    assert verify_signature(batch, [key.public_key]).ok
    records = batch / "records.jsonl"
    shutil.move(records, elsewhere / records.name)
    records.symlink_to(elsewhere / records.name)
    assert codes(verify_signature(batch, [key.public_key])) == ["exchange.records_file"]
    records.unlink()
    os.mkfifo(records)
    assert codes(verify_signature(batch, [key.public_key])) == ["exchange.records_file"]
    refused = run("sign", batch, "--key", tmp_path / "k.key")  # a FIFO as records: refused at once, no hang
    assert refused.exit_code == 2 and "exchange.records_file" in refused.output
    manifest = batch / "manifest.json"
    shutil.move(manifest, elsewhere / manifest.name)
    manifest.symlink_to(elsewhere / manifest.name)
    assert codes(verify_signature(batch, [key.public_key])) == ["exchange.manifest"]
    with pytest.raises(SigningError, match=r"exchange\.manifest|regular"):
        sign_batch(batch, key)


def test_a_last_line_without_newline_is_counted_as_verify_batch_counts_it(tmp_path: Path) -> None:
    batch = make_batch(tmp_path / "batch", count=2)
    records = batch / "records.jsonl"
    content = records.read_bytes()[:-1]  # the last newline dropped, manifest recomputed: still two records
    records.write_bytes(content)
    manifest = json.loads((batch / "manifest.json").read_text(encoding="utf-8"))
    manifest["records"]["sha256"] = hashlib.sha256(content).hexdigest()
    (batch / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    key = PrivateKey.generate("ed25519")
    sign_batch(batch, key)
    assert verify_signature(batch, [key.public_key]).ok
    found = verify_batch(batch, validate=False).problems
    assert not [problem for problem in found if problem.code in ("exchange.count", "exchange.sha256")]


def test_signer_name_must_be_printable(batch: Path, tmp_path: Path) -> None:
    write_key_pair(tmp_path / "k", "ed25519")
    for bad in ("\x1b[2J张三", "", "x" * 201):
        result = run("sign", batch, "--key", tmp_path / "k.key", "--signer", bad)
        assert result.exit_code == 2 and not signature_path(batch).exists()
    assert run("sign", batch, "--key", tmp_path / "k.key", "--signer", "福州市市场监督管理局 张三").exit_code == 0


def test_summary_in_each_language(batch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = write_key_pair(tmp_path / "fz", "sm2")
    sign_batch(batch, key, signer="张三")
    report = verify_signature(batch, [tmp_path / "fz.pub"])
    monkeypatch.setenv("CREDITSTD_LANG", "en")
    assert report.summary() == (f"signature valid: signed by the trusted sm2-sm3 key {key.key_id} "
                                f"({tmp_path / 'fz.pub'}), signer (as stated): 张*")
    monkeypatch.setenv("CREDITSTD_LANG", "zh")
    assert report.summary() == (f"签名有效：受信任的 sm2-sm3 密钥 {key.key_id}（{tmp_path / 'fz.pub'}）签署，"
                                "签名人（自述）：张*")
    assert report.summary(show_pii=True).endswith("签名人（自述）：张三")
    assert report.to_json()["key_file"] == str(tmp_path / "fz.pub") and report.to_json()["ok"] is True


def test_the_signers_name_is_masked_unless_show_pii(batch: Path, tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    """The signer is a natural person, often: sign's message, verify's text and JSON output, the report's
    summary, JSON and repr keep the name's first character only; --show-pii shows it in full."""
    from creditstd.cli.exchange import exchange_group

    caplog.set_level(logging.DEBUG)
    write_key_pair(tmp_path / "k", "ed25519")
    signed = run("sign", batch, "--key", tmp_path / "k.key", "--signer", "欧阳娜娜")
    assert signed.exit_code == 0, signed.output
    assert "欧阳娜娜" not in signed.output and "签名人 欧***）" in signed.stderr and "signer 欧***)" in signed.stderr
    assert json.loads(signature_path(batch).read_text(encoding="utf-8"))["signer"] == "欧阳娜娜"  # the file: in full
    outputs = [CliRunner().invoke(exchange_group, ["verify", str(batch), "--key", str(tmp_path / "k.pub"), *form])
               for form in ([], ["--format", "json"])]
    assert [result.exit_code for result in outputs] == [0, 0], [result.output for result in outputs]
    assert "欧***" in outputs[0].output
    assert "欧***" in json.loads(outputs[1].stdout)["signed_by"]
    report = verify_signature(batch, [tmp_path / "k.pub"])
    assert report.ok and report.signer == "欧阳娜娜"  # the attribute: what the file says
    shown = [result.output for result in outputs] + [report.summary(), json.dumps(report.to_json(), ensure_ascii=False),
                                                     repr(report), str(report), caplog.text]
    assert not [text for text in shown if "欧阳" in text or "娜娜" in text]
    assert report.to_json()["signer"] == "欧***" and report.to_json(show_pii=True)["signer"] == "欧阳娜娜"
    assert "欧阳娜娜" in report.summary(show_pii=True)
    assert "欧阳娜娜" in run("verify", batch, "--key", tmp_path / "k.pub", "--show-pii").stderr
    assert "欧阳娜娜" not in run("verify", batch, "--key", tmp_path / "k.pub").output
    shown_pii = run("sign", batch, "--key", tmp_path / "k.key", "--signer", "欧阳娜娜", "--show-pii")
    assert shown_pii.exit_code == 0 and "签名人 欧阳娜娜" in shown_pii.stderr
