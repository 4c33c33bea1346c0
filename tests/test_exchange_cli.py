"""``creditstd exchange pack`` and ``verify``: nothing lost, every reject explained, exit codes."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from standard_examples import AUTHORITY_USCC, penalty_record

from creditstd.cli import main
from creditstd.records.exchange import record_id


@pytest.fixture
def source(tmp_path: Path) -> Path:
    good = [penalty_record(decision_number=f"罚〔2024〕{i}号") for i in range(1, 5)]
    bad = penalty_record(decision_number="罚〔2024〕9号", uscc="91350100M000100Y4Z",
                         subject_name="王五", legal_representative="赵六")
    lines = [json.dumps(record, ensure_ascii=False) for record in good[:2]]
    lines += [json.dumps(bad, ensure_ascii=False), "{broken", ""]
    lines += [json.dumps(record, ensure_ascii=False) for record in good[2:]]
    path = tmp_path / "penalties.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def pack(source: Path, folder: Path, *extra: str):
    return CliRunner().invoke(main, ["exchange", "pack", "administrative_penalty", str(source), "-o", str(folder),
                                     "--department", "福州市市场监督管理局", "--department-uscc", AUTHORITY_USCC,
                                     "--on", "2024-06-01", *extra])


def test_pack_keeps_every_line_in_the_batch_or_the_rejects(source: Path, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    result = pack(source, folder)
    assert result.exit_code == 1  # some rejected
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["records"]["count"] == 4
    rejects_path = tmp_path / "batch.rejects.jsonl"  # beside the batch folder, not inside it (review item 7)
    assert sorted(path.name for path in folder.iterdir()) == ["manifest.json", "records.jsonl"]
    assert stat.S_IMODE(rejects_path.stat().st_mode) == 0o600  # raw input: owner only
    rejects = [json.loads(line) for line in rejects_path.read_text(encoding="utf-8").splitlines()]
    assert [(reject["line"], reject["errors"][0]["code"]) for reject in rejects] == [
        (3, "uscc.checksum"), (4, "exchange.json")]
    assert rejects[1]["input"] == "{broken"  # the line itself is kept, so nothing is lost
    assert stat.S_IMODE((folder / "records.jsonl").stat().st_mode) == 0o600  # personal data: owner only
    verified = CliRunner().invoke(main, ["exchange", "verify", str(folder)])
    assert verified.exit_code == 0, verified.output
    assert "4 records, 0 problems" in verified.stderr


def test_pack_all_valid_exits_0_and_never_touches_its_input(source: Path, tmp_path: Path) -> None:
    lines = source.read_text(encoding="utf-8").splitlines()
    clean = tmp_path / "clean.jsonl"
    clean.write_text("\n".join(lines[:2] + lines[5:]) + "\n", encoding="utf-8")
    before = clean.read_bytes()
    assert pack(clean, tmp_path / "batch").exit_code == 0
    assert clean.read_bytes() == before


def test_pack_usage_errors_exit_2(source: Path, tmp_path: Path) -> None:
    bad_uscc = CliRunner().invoke(main, ["exchange", "pack", "administrative_penalty", str(source), "-o",
                                         str(tmp_path / "b"), "--department", "x", "--department-uscc", "123"])
    assert bad_uscc.exit_code == 2 and "uscc" not in bad_uscc.stdout
    unknown = CliRunner().invoke(main, ["exchange", "pack", "nope", str(source), "-o", str(tmp_path / "b"),
                                        "--department", "x", "--department-uscc", AUTHORITY_USCC])
    assert unknown.exit_code == 2 and "administrative_penalty" in unknown.stderr
    missing = pack(tmp_path / "missing.jsonl", tmp_path / "c")
    assert missing.exit_code == 2 and "missing.jsonl" in missing.stderr


def test_pack_never_writes_its_rejects_over_a_file_of_the_batch(source: Path, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    assert pack(source, folder).exit_code == 1
    before = {file.name: file.read_bytes() for file in folder.iterdir()}
    for name in ("records.jsonl", "manifest.json", "rejects.jsonl"):
        result = pack(source, folder, "--force", "--rejects", str(folder / name))
        assert result.exit_code == 2 and "--rejects" in result.stderr, result.output
    assert {file.name: file.read_bytes() for file in folder.iterdir()} == before


def test_verify_reports_alteration_with_exit_1_and_json(source: Path, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    pack(source, folder)
    records = folder / "records.jsonl"
    records.write_bytes(records.read_bytes().replace("虚假宣传".encode(), "虚构宣传".encode(), 1))
    result = CliRunner().invoke(main, ["exchange", "verify", str(folder), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert not document["ok"] and [problem["code"] for problem in document["problems"]] == ["exchange.sha256"]


def test_verify_unreadable_batch_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["exchange", "verify", str(tmp_path)])
    assert result.exit_code == 2 and "exchange.manifest" in result.stdout


def test_verify_messages_never_quote_personal_values(source: Path, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    pack(source, folder)
    records = folder / "records.jsonl"
    person = penalty_record(subject_category="自然人", subject_name="王五", uscc=None, orgcode=None,
                            legal_representative=None, id_type="身份证", id_number="110105194912310021")
    line = json.dumps({"record_id": "administrative_penalty:00000000-0000-5000-8000-000000000000",
                       "class": "administrative_penalty", "class_version": "1.0.0",
                       "lifecycle": {"status": "published", "as_of": "2024-06-01"}, "data": person},
                      ensure_ascii=False)
    records.write_text(records.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["exchange", "verify", str(folder)])
    assert result.exit_code == 1 and "ric.checksum" in result.stdout
    assert "110105194912310021" not in result.output and "王五" not in result.output


@pytest.mark.parametrize("algorithm", ["ed25519", "sm2"])
def test_verify_with_key_tells_a_forged_batch_from_a_signed_one(source: Path, tmp_path: Path, algorithm: str) -> None:
    pytest.importorskip("cryptography")
    folder = tmp_path / "batch"
    pack(source, folder)
    runner = CliRunner()
    keygen = ["exchange", "keygen", "--algorithm", algorithm, "-o", str(tmp_path / "k")]
    assert runner.invoke(main, keygen).exit_code == 0
    assert runner.invoke(main, ["exchange", "sign", str(folder), "--key", str(tmp_path / "k.key")]).exit_code == 0
    signed = runner.invoke(main, ["exchange", "verify", str(folder), "--key", str(tmp_path / "k.pub")])
    assert signed.exit_code == 0 and "sha256:" in signed.stdout
    # a consistent forgery: one record altered, count and hash in the manifest recomputed
    records = folder / "records.jsonl"
    forged = records.read_bytes().replace("福州市".encode(), "厦门市".encode(), 1)
    assert forged != records.read_bytes()
    records.write_bytes(forged)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["records"]["sha256"] = hashlib.sha256(forged).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(main, ["exchange", "verify", str(folder), "--no-validate"]).exit_code == 0  # hash alone
    result = runner.invoke(main, ["exchange", "verify", str(folder), "--key", str(tmp_path / "k.pub")])
    assert result.exit_code == 1 and "exchange.signature" in result.stdout
    assert "PRIVATE KEY" not in result.output


def test_verify_locates_each_problem_in_its_file(source: Path, tmp_path: Path) -> None:
    """Issue 6: a problem is a Finding; the text line leads with its location (file:line) and JSON path, the
    JSON object adds the file to the line and record id it always had."""
    folder = tmp_path / "batch"
    pack(source, folder)
    records = folder / "records.jsonl"
    lines = records.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1].replace(AUTHORITY_USCC.encode(), AUTHORITY_USCC[:-1].encode() + b"0")
    records.write_bytes(b"".join(lines))
    text = CliRunner().invoke(main, ["exchange", "verify", str(folder)], env={"CREDITSTD_LANG": "en"})
    assert text.exit_code == 1
    assert "✗ records.jsonl:2 $.record_id: exchange.record_id: record id does not match" in text.stdout
    assert "✗ records.jsonl:2 $.data.authority_uscc: uscc.pilot_checksum: field authority_uscc" in text.stdout
    assert "✗ manifest.json $.records.sha256: exchange.sha256: " in text.stdout
    result = CliRunner().invoke(main, ["exchange", "verify", str(folder), "--format", "json"])
    problems = json.loads(result.stdout)["problems"]
    checksum = next(problem for problem in problems if problem["code"] == "uscc.pilot_checksum")
    assert list(checksum) == ["file", "line", "record_id", "path", "code", "message_zh", "message_en"]
    assert (checksum["file"], checksum["line"], checksum["path"]) == ("records.jsonl", 2, "$.data.authority_uscc")
    assert checksum["record_id"].startswith("administrative_penalty:")
    sha = next(problem for problem in problems if problem["code"] == "exchange.sha256")
    assert (sha["file"], sha["line"], sha["record_id"], sha["path"]) == ("manifest.json", None, None,
                                                                        "$.records.sha256")


def test_rejects_keep_their_format(source: Path, tmp_path: Path) -> None:
    pack(source, tmp_path / "batch")
    rejects = [json.loads(line) for line in (tmp_path / "batch.rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(list(reject) == ["line", "errors", "input"] for reject in rejects)
    assert all(list(error) == ["path", "code", "message_zh", "message_en"] for reject in rejects
               for error in reject["errors"])
    assert rejects[0]["errors"][0]["path"] == "$.uscc"


def test_pack_with_no_valid_record_writes_no_batch_and_exits_1(source: Path, tmp_path: Path) -> None:
    lines = source.read_text(encoding="utf-8").splitlines()
    refused = tmp_path / "refused.jsonl"
    refused.write_text("\n".join(lines[2:4]) + "\n", encoding="utf-8")  # the invalid record and the broken line
    folder = tmp_path / "made" / "batch"
    result = pack(refused, folder)
    assert result.exit_code == 1
    assert "no record could be packed: no batch written; 2 rejected" in result.stderr
    assert not folder.exists()  # nothing that could verify, not even an empty folder
    rejects = (tmp_path / "made" / "batch.rejects.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["line"] for line in rejects] == [1, 2]  # every line is still accounted for


def test_pack_with_no_valid_record_over_an_older_batch_leaves_none_that_verifies(source: Path,
                                                                                  tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    assert pack(source, folder).exit_code == 1  # four packed, two rejected
    refused = tmp_path / "refused.jsonl"
    refused.write_text("{broken\n", encoding="utf-8")
    assert pack(refused, folder, "--force").exit_code == 1
    verified = CliRunner().invoke(main, ["exchange", "verify", str(folder)])
    assert verified.exit_code == 2 and not (folder / "manifest.json").exists()


@pytest.mark.parametrize("case", ["undecodable", "missing_rule_set"])
def test_pack_exit_2_leaves_no_folder_it_made(case: str, source: Path, tmp_path: Path) -> None:
    folder = tmp_path / "new" / "deeper" / "batch"
    if case == "undecodable":
        bad = tmp_path / "bad.jsonl"
        bad.write_bytes(source.read_bytes().splitlines(keepends=True)[0] + b"\xff\xfe{}\n")
        result = pack(bad, folder)
    else:
        result = pack(source, folder, "--rule-set", "no-such-rules")
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "new").exists()  # not the batch folder, nor the parents the run made
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(["penalties.jsonl"] + (
        ["bad.jsonl"] if case == "undecodable" else []))


def test_packed_batches_are_format_2_and_every_id_is_the_canonical_json_id(source: Path, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    pack(source, folder)
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["format_version"] == "2.0"
    for line in (folder / "records.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        assert record["record_id"] == record_id(record["data"], "administrative_penalty")


def test_verify_with_key_lists_an_unreadable_batch_once(tmp_path: Path) -> None:
    """No manifest: verify_batch and the signature check both find it; the user is told once, counted once."""
    pytest.importorskip("cryptography")
    runner = CliRunner()
    keygen = runner.invoke(main, ["exchange", "keygen", "--algorithm", "ed25519", "-o", str(tmp_path / "k")])
    assert keygen.exit_code == 0
    folder = tmp_path / "batch"
    folder.mkdir()
    result = runner.invoke(main, ["exchange", "verify", str(folder), "--key", str(tmp_path / "k.pub")])
    assert result.exit_code == 2 and result.stdout.count("exchange.manifest") == 1
    assert "问题 1 个" in result.stderr or "1 problems" in result.stderr
    document = json.loads(runner.invoke(main, ["exchange", "verify", str(folder), "--key", str(tmp_path / "k.pub"),
                                               "--format", "json"]).stdout)
    assert document["problem_count"] == 1 and [problem["code"] for problem in document["problems"]] == [
        "exchange.manifest"]


def test_verify_with_key_shows_the_signer_in_full_only_with_show_pii(source: Path, tmp_path: Path) -> None:
    pytest.importorskip("cryptography")
    folder = tmp_path / "batch"
    pack(source, folder)
    runner = CliRunner()
    keygen = runner.invoke(main, ["exchange", "keygen", "--algorithm", "ed25519", "-o", str(tmp_path / "k")])
    assert keygen.exit_code == 0
    signed = runner.invoke(main, ["exchange", "sign", str(folder), "--key", str(tmp_path / "k.key"),
                                  "--signer", "欧阳娜娜"])
    assert signed.exit_code == 0
    verify = ["exchange", "verify", str(folder), "--key", str(tmp_path / "k.pub")]
    for form in ([], ["--format", "json"]):
        masked = runner.invoke(main, verify + form)
        assert masked.exit_code == 0 and "欧***" in masked.stdout and "阳娜娜" not in masked.output
        shown = runner.invoke(main, [*verify, *form, "--show-pii"])
        assert shown.exit_code == 0 and "欧阳娜娜" in shown.stdout
