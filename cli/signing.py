"""``creditstd exchange keygen`` and ``sign``, and the check ``exchange verify --key`` runs.

``keygen --algorithm ed25519|sm2 -o PREFIX`` writes ``PREFIX.key`` (the private
key, PKCS#8 PEM, mode 0600 whatever the umask; existing files are kept unless
``--force``) and ``PREFIX.pub`` (the public key to hand to receivers), and
prints the key id.  ``sign FOLDER --key PREFIX.key [--signer NAME]`` checks
that the records match the manifest, then writes ``manifest.json.sig`` into
the batch folder.  The signer's name, a natural person's often, is written in
full into the signature file but shown masked (its first character kept) in
messages and reports unless ``--show-pii`` is given.  :func:`signature_check` is what ``verify --key PUB`` calls:
``--key`` may be given several times, each a ``.pub`` file or a folder of
them (the trust set).

Exit codes: ``0`` done / signature valid; ``1`` the batch is altered or the
signature is invalid, missing or by an untrusted key; ``2`` usage error, or a
key or batch that cannot be read.  Key material never appears in messages.
Signing needs ``pip install 'creditstd[sign]'``; without it these commands
say so (exit code 2), and nothing else in the command line needs it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from creditstd.cli._io import InputError
from creditstd.exceptions import bilingual
from creditstd.findings import Finding
from creditstd.records.signing import (
    SignatureReport,
    SigningError,
    load_private_key,
    shown_signer,
    sign_batch,
    signature_path,
    verify_signature,
    write_key_pair,
)

__all__ = ["key_option", "keygen_command", "sign_command", "signature_check", "signature_report"]

#: The ``--key`` option of ``verify``: trusted public keys (``.pub`` files or folders of them), repeatable.
key_option = click.option(
    "--key", "keys", multiple=True, type=click.Path(path_type=Path),
    help="受信任的公钥（.pub 文件或其所在文件夹，可多次给出）：要求批次带有其中之一的有效签名 / trusted public key "
         "(.pub file or folder of them, repeatable): require a valid signature by one of them")


def _input_error(error: SigningError) -> InputError:
    return InputError(f"{error.code}：{error.message_zh}", f"{error.code}: {error.message_en}")


@click.command("keygen")
@click.option("--algorithm", required=True, type=click.Choice(["ed25519", "sm2"]),
              help="签名算法：sm2（SM2/SM3，国密）或 ed25519 / signature algorithm: sm2 (SM2 with SM3) or ed25519")
@click.option("-o", "--output", "prefix", required=True, type=click.Path(path_type=Path),
              help="输出前缀：写出 PREFIX.key（私钥）与 PREFIX.pub（公钥） / "
                   "writes PREFIX.key (private) and PREFIX.pub")
@click.option("--force", is_flag=True, help="覆盖已有的密钥文件 / replace existing key files")
def keygen_command(algorithm: str, prefix: Path, force: bool) -> None:
    """生成签名密钥对 / Generate a signing key pair.

    \b
    私钥 PREFIX.key 仅本人可读（0600），切勿外传；公钥 PREFIX.pub 交给接收方。
    PREFIX.key is readable by its owner only (0600): keep it; hand PREFIX.pub to the receivers.
    The key id (SHA-256 of the public key) goes to stdout.
    退出码 / exit codes: 0 已生成 generated; 2 用法错误或文件已存在 usage error or files exist.
    """
    try:
        key = write_key_pair(prefix, algorithm, force=force)
    except SigningError as error:
        raise _input_error(error) from None
    click.echo(key.key_id)
    click.echo(bilingual(f"已生成 {key.algorithm} 密钥：私钥 {prefix}.key（仅本人可读，切勿外传），公钥 {prefix}.pub",
                         f"{key.algorithm} key generated: private {prefix}.key (owner only, keep it), "
                         f"public {prefix}.pub"), err=True)


@click.command("sign")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--key", "key_path", required=True, type=click.Path(path_type=Path),
              help="私钥文件（keygen 生成的 .key） / private key file (the .key from keygen)")
@click.option("--signer", help="签名人（写入签名文件，仅作说明，不受签名保护） / signer's name (recorded, not signed)")
@click.option("--show-pii", is_flag=True,
              help="在提示中完整显示签名人姓名（默认仅显示首字） / show the signer's name in full in the message "
                   "(default: its first character)")
def sign_command(folder: Path, key_path: Path, signer: str | None, show_pii: bool) -> None:
    """为批次签名，写出 manifest.json.sig / Sign a batch: write manifest.json.sig into FOLDER.

    \b
    先核对记录文件与清单（数量、SHA-256）一致，不一致则拒签。
    The records are checked against the manifest (count, SHA-256) first; an inconsistent batch is not signed.
    退出码 / exit codes: 0 已签名 signed; 1 批次与清单不符 records do not match the manifest;
    2 用法错误或无法读取 usage error, unreadable key or batch.
    """
    try:
        key = load_private_key(key_path)
        document = sign_batch(folder, key, signer=signer)
    except SigningError as error:
        if error.code == "exchange.signature_records":  # the batch itself is wrong: a finding, exit code 1
            click.echo(f"✗ {error.code}: {bilingual(error.message_zh, error.message_en)}")
            sys.exit(1)
        raise _input_error(error) from None
    signer = shown_signer(document["signer"], show_pii=show_pii)
    who_zh, who_en = (f"，签名人 {signer}", f", signer {signer}") if signer else ("", "")
    click.echo(bilingual(f"已签名：{signature_path(folder)}（{key.algorithm} 密钥 {key.key_id}{who_zh}）",
                         f"signed: {signature_path(folder)} ({key.algorithm} key {key.key_id}{who_en})"), err=True)


def signature_report(folder: Path, keys: tuple[Path, ...]) -> SignatureReport:
    """The full :class:`~creditstd.records.signing.SignatureReport` (for ``--format json``: its
    ``to_json(show_pii=...)`` masks the signer's name unless asked not to).

    Keys that cannot be read raise :class:`~creditstd.cli._io.InputError` (exit code 2); no keys is a
    usage error.
    """
    if not keys:
        raise click.UsageError(bilingual("需要至少一个 --key 公钥", "at least one --key public key is needed"))
    try:
        return verify_signature(folder, keys)
    except SigningError as error:
        raise _input_error(error) from None


def signature_check(folder: Path, keys: tuple[Path, ...], *,
                    show_pii: bool = False) -> tuple[list[Finding], str | None]:
    """What ``verify --key`` adds: (problems, one line saying who signed, or None when not verified).

    The line shows the signer's name masked (its first character kept) unless ``show_pii`` (pass the
    command's ``--show-pii``).

    Each problem is a :class:`~creditstd.findings.Finding` to list with the batch's own:
    ``exchange.signature_missing``, ``_format``, ``_key_unknown``, ``_invalid`` and ``_records`` mean
    exit code 1; ``exchange.manifest``, ``exchange.missing_records`` and ``exchange.records_file`` (an
    unreadable batch, which verify_batch reports too) mean exit code 2.  The records are rechecked
    against the signed manifest's bytes here, whatever verify_batch finds.
    """
    report = signature_report(folder, keys)
    return report.problems, report.summary(show_pii=show_pii) if report.ok else None
