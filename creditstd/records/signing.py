"""Signed exchange batches: prove who sent a batch, not only that it arrived intact.

The manifest's count and SHA-256 catch accidents, but whoever can rewrite
``records.jsonl`` can rewrite the manifest too: a *consistently* forged batch
(a record changed, the hash and count recomputed) passes
:func:`~creditstd.records.exchange.verify_batch`.  A signature closes that gap.
The sender signs the manifest file's exact bytes with a private key only it
holds; the receiver checks the signature with the sender's public key, which it
got beforehand over a channel it trusts.  Since the manifest holds the records'
count and SHA-256, signing it covers the records too - provided the verifier
also checks the records against the signed manifest, which
:func:`verify_signature` always does, on the very bytes whose signature it
checked (the manifest is read once).

The signature is *detached*: the batch keeps its two files unchanged and gains
a third, ``manifest.json.sig``, a small JSON document
(``schemas/exchange-signature.schema.json``): the algorithm, the key id (the
SHA-256 of the public key, ``sha256:...``), the signer's name if given, when it
was signed, and the signature in base64.  Two algorithms:

* ``ed25519`` (RFC 8032), through the ``cryptography`` package (OpenSSL);
* ``sm2-sm3``: SM2 signatures (GB/T 32918.2) with the SM3 hash (GB/T 32905),
  the national algorithms Chinese government systems must use, through the
  pure-Python ``gmalg`` package.  The signer's identifier ``ID_A`` that goes
  into ``Z_A`` is the GB/T 35276 default ``1234567812345678``, recorded in the
  signature file; the signature is DER ``SEQUENCE {r INTEGER, s INTEGER}``.

Keys are PEM files that OpenSSL (3.x) and other tools read too: the private key
PKCS#8 (``-----BEGIN PRIVATE KEY-----``, unencrypted: protect it with the file's
permissions, ``0600``, or keep it on a machine of its own), the public key
SubjectPublicKeyInfo (``-----BEGIN PUBLIC KEY-----``); an SM2 key is an EC key
on the curve ``sm2p256v1`` (OID 1.2.156.10197.1.301).  A private key's secret
never shows in a repr, a message or an exception.

Both libraries are optional (``pip install 'creditstd[sign]'``) and imported
only when a key is made or used.  ``gmalg`` is pure Python: it installs on any
machine (Kunpeng, Phytium and Loongson servers included) and meets the
standard's own example (the tests check GB/T 32918.2 appendix A, a published
vector on the recommended curve, GB/T 32905's SM3 examples, and OpenSSL
verifying its signatures), but its arithmetic is not constant-time: sign on a
machine where nobody else runs code and can time the signer.

The batch files are read the way ``verify_batch`` reads them (the sender
controls every byte of the folder): never through a symbolic link, never from
a FIFO or device, the manifest and the signature bounded in size, the records
hashed in chunks.

What a valid signature proves: the holder of a trusted private key signed this
manifest, and the records are the ones it describes - including the manifest's
``source`` (department and USCC) and ``created``.  What it does not prove: that
the signer's name or the signature's ``created`` are true (they sit outside the
signed bytes), that the batch is the latest one (an old signed batch can be
sent again: look at the manifest's ``created``), or that the key belongs to the
department the manifest names - that is for the receiver's trust set: trust a
department's public key only after getting it from that department.

The signer's name is often a natural person's: what this module shows of it (the
report's :meth:`~SignatureReport.summary` and :meth:`~SignatureReport.to_json`,
its repr) keeps its first character only, unless asked for ``show_pii``; the
report's ``signer`` attribute and the signature file hold it in full.

>>> import tempfile
>>> from datetime import date
>>> from creditstd.records.exchange import BatchWriter
>>> folder = tempfile.mkdtemp()
>>> data = {'subject_name': '某某科技有限公司', 'subject_category': '法人及非法人组织',
...         'decision_number': '罚〔2024〕1号', 'authority_uscc': '11350100MAD18YGF27'}
>>> with BatchWriter(folder, 'administrative_penalty', department='某市市场监督管理局',
...                  department_uscc='11350100MAD18YGF27', on=date(2024, 6, 1),
...                  validate=False) as batch:   # a partial record, for brevity: signing does not look inside
...     _ = batch.add(data)
>>> key = PrivateKey.generate('sm2-sm3')
>>> key                                      # the secret never shows
PrivateKey('sm2-sm3', 'sha256:...')
>>> document = sign_batch(folder, key, signer='张三')
>>> document['algorithm'], document['sm2_user_id']
('sm2-sm3', '1234567812345678')
>>> report = verify_signature(folder, [key.public_key])
>>> report.ok, report.key == key.public_key, report.signer, report.shown_signer()
(True, True, '张三', '张*')

A consistently forged batch: one record changed, its count and SHA-256
recomputed into the manifest.  The manifest's bytes changed, so the signature
no longer matches them:

>>> import hashlib, json, os
>>> records = os.path.join(folder, 'records.jsonl')
>>> forged = open(records, 'rb').read().replace('罚〔2024〕1号'.encode(), '罚〔2024〕2号'.encode())
>>> _ = open(records, 'wb').write(forged)
>>> manifest = json.load(open(os.path.join(folder, 'manifest.json'), encoding='utf-8'))
>>> manifest['records']['sha256'] = hashlib.sha256(forged).hexdigest()
>>> _ = open(os.path.join(folder, 'manifest.json'), 'w', encoding='utf-8').write(json.dumps(manifest))
>>> [problem.code for problem in verify_signature(folder, [key.public_key]).problems]
['exchange.signature_invalid']

A signature by a key the receiver does not trust fails too:

>>> _ = sign_batch(folder, PrivateKey.generate('ed25519'))
>>> [problem.code for problem in verify_signature(folder, [key.public_key]).problems]
['exchange.signature_key_unknown']

SM3 itself (GB/T 32905, example 1):

>>> sm3_hex(b'abc')
'66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0'
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NoReturn

from jsonschema import Draft202012Validator, ValidationError

from creditstd.atomic import atomic_writer
from creditstd.exceptions import CreditstdError, bilingual
from creditstd.findings import Finding, finding
from creditstd.records import loader
from creditstd.records.exchange import (
    MANIFEST,
    MAX_MANIFEST_BYTES,
    RECORDS,
    UnsafeFile,
    _in_file,
    is_bare_file_name,
    is_date_time,
    open_regular,
)
from creditstd.records.formats import format_checker
from creditstd.records.jsonline import json_path, loads_record
from creditstd.records.masking import mask_person_name

__all__ = [
    "ALGORITHMS",
    "SIGNATURE_FORMAT",
    "SIGNATURE_SUFFIX",
    "SM2_DEFAULT_USER_ID",
    "PrivateKey",
    "PublicKey",
    "SignatureReport",
    "SigningError",
    "load_private_key",
    "load_public_keys",
    "shown_signer",
    "sign_batch",
    "signature_path",
    "sm3_hex",
    "verify_signature",
    "write_key_pair",
]

#: The algorithms, as the signature file names them.
ALGORITHMS = ("ed25519", "sm2-sm3")
SIGNATURE_FORMAT = "creditstd-exchange-signature"
SIGNATURE_SUFFIX = ".sig"
#: GB/T 35276's default signer identifier ID_A for SM2 signatures, when the parties agree on no other.
SM2_DEFAULT_USER_ID = "1234567812345678"
INSTALL_HINT = "pip install 'creditstd[sign]'"

_ED25519_OID = bytes.fromhex("06032b6570")  # 1.3.101.112
_EC_PUBLIC_KEY_OID = bytes.fromhex("06072a8648ce3d0201")  # 1.2.840.10045.2.1 id-ecPublicKey
_SM2_CURVE_OID = bytes.fromhex("06082a811ccf5501822d")  # 1.2.156.10197.1.301 sm2p256v1
#: Order n of the SM2 curve's base point (GB/T 32918.5).
_SM2_N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
_MAX_KEY_FILE = 64 * 1024
_MAX_SIGNATURE_FILE = 64 * 1024
#: Text that is safe to print on a receiver's terminal (the signature file's ``signer``; its schema says the same).
_PRINTABLE = re.compile("[^\u0000-\u001f\u007f-\u009f\ud800-\udfff]+")
_PEM = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----", re.S)


class SigningError(CreditstdError):
    """A key or a batch that cannot be used for signing or verifying (a usage error, exit code 2).

    Messages name files, never their content: no key material in errors.
    """


# ---------------------------------------------------------------------------------------------- libraries (lazy)

def _unavailable(package: str) -> NoReturn:
    raise SigningError("exchange.signing_unavailable",
                       f"签名功能需要 {package} 包：{INSTALL_HINT}",
                       f"signing needs the {package} package: {INSTALL_HINT}") from None


def _ed25519() -> Any:
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:
        _unavailable("cryptography")
    return ed25519


def _gmalg() -> Any:
    try:
        import gmalg
    except ImportError:
        _unavailable("gmalg")
    return gmalg


def sm3_hex(data: bytes) -> str:
    """The SM3 hash (GB/T 32905) of ``data`` in hex, as the SM2 signatures here compute it."""
    hasher = _gmalg().SM3()
    hasher.update(data)
    return str(hasher.value().hex())


# ---------------------------------------------------------------------------------------------- DER, the little needed

class _DerError(ValueError):
    """Bytes that are not the DER structure expected (carries no data)."""


def _read(data: bytes, position: int) -> tuple[int, bytes, int]:
    """(tag, content, next position) of the DER element at ``position``; strict: definite, minimal lengths."""
    if position + 2 > len(data):
        raise _DerError
    tag, length = data[position], data[position + 1]
    position += 2
    if length & 0x80:
        size = length & 0x7F
        if not 1 <= size <= 2 or position + size > len(data):
            raise _DerError
        length = int.from_bytes(data[position:position + size], "big")
        if length < 0x80 or (size == 2 and length < 0x100):
            raise _DerError
        position += size
    if position + length > len(data):
        raise _DerError
    return tag, data[position:position + length], position + length


def _children(content: bytes) -> list[tuple[int, bytes]]:
    children, position = [], 0
    while position < len(content):
        tag, value, position = _read(content, position)
        children.append((tag, value))
    return children


def _single(data: bytes, tag: int) -> bytes:
    """The content of the one element ``data`` holds, which must have ``tag``."""
    found, content, end = _read(data, 0)
    if found != tag or end != len(data):
        raise _DerError
    return content


def _encode(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + content


def _integer(value: int) -> bytes:
    return _encode(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _parse_integer(content: bytes) -> int:
    if not content or content[0] & 0x80 or (len(content) > 1 and content[0] == 0 and not content[1] & 0x80):
        raise _DerError  # empty, negative, or not minimal
    return int.from_bytes(content, "big")


def _bit_string(content: bytes) -> bytes:
    if not content or content[0] != 0:
        raise _DerError
    return content[1:]


def _algorithm(identifier: bytes) -> str:
    """The algorithm an AlgorithmIdentifier's content names, or "" for one not supported here."""
    if identifier == _ED25519_OID:
        return "ed25519"
    if identifier == _EC_PUBLIC_KEY_OID + _SM2_CURVE_OID:
        return "sm2-sm3"
    return ""


def _algorithm_identifier(algorithm: str) -> bytes:
    return _encode(0x30, _ED25519_OID if algorithm == "ed25519" else _EC_PUBLIC_KEY_OID + _SM2_CURVE_OID)


def _spki(algorithm: str, public: bytes) -> bytes:
    """SubjectPublicKeyInfo DER of a raw public key (Ed25519: 32 bytes; SM2: 04||X||Y)."""
    return _encode(0x30, _algorithm_identifier(algorithm) + _encode(0x03, b"\x00" + public))


def _pem(label: str, der: bytes) -> str:
    body = base64.b64encode(der).decode("ascii")
    lines = [body[index:index + 64] for index in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


# ---------------------------------------------------------------------------------------------- the two algorithms

def _check_public(algorithm: str, public: bytes) -> bool:
    if algorithm == "ed25519":
        return len(public) == 32
    if len(public) != 65 or public[0] != 0x04:
        return False
    try:
        return bool(_gmalg().SM2().verify_pk(public))  # on the curve, not the point at infinity, order n
    except SigningError:
        raise
    except Exception:  # gmalg's own errors on malformed points
        return False


def _public_from_secret(algorithm: str, secret: bytes) -> bytes:
    if algorithm == "ed25519":
        from cryptography.hazmat.primitives import serialization

        private = _ed25519().Ed25519PrivateKey.from_private_bytes(secret)
        return bytes(private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    return bytes(_gmalg().SM2(secret).generate_pk(secret))


def _sign(algorithm: str, secret: bytes, public: bytes, message: bytes, user_id: str) -> bytes:
    if algorithm == "ed25519":
        return bytes(_ed25519().Ed25519PrivateKey.from_private_bytes(secret).sign(message))
    r, s = _gmalg().SM2(secret, user_id.encode("utf-8"), public).sign(message)
    return _encode(0x30, _integer(int.from_bytes(r, "big")) + _integer(int.from_bytes(s, "big")))


def _verify(algorithm: str, public: bytes, message: bytes, signature: bytes, user_id: str) -> bool:
    if algorithm == "ed25519":
        ed25519 = _ed25519()
        from cryptography.exceptions import InvalidSignature

        try:
            ed25519.Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True
    gmalg = _gmalg()
    try:
        parts = _children(_single(signature, 0x30))
        if len(parts) != 2 or any(tag != 0x02 for tag, _ in parts):
            return False
        r, s = (_parse_integer(content) for _, content in parts)
    except _DerError:
        return False
    if not (0 < r < _SM2_N and 0 < s < _SM2_N):
        return False
    try:
        return bool(gmalg.SM2(uid=user_id.encode("utf-8"), pk=public).verify(
            message, r.to_bytes(32, "big"), s.to_bytes(32, "big")))
    except Exception:  # gmalg's own errors: not a valid signature either way
        return False


# ---------------------------------------------------------------------------------------------- keys

class PublicKey:
    """A public key: verifies signatures.  ``key_id`` is ``sha256:`` and the SHA-256 of its DER encoding."""

    __slots__ = ("_raw", "algorithm", "key_id", "source")

    def __init__(self, algorithm: str, raw: bytes, source: str | None = None) -> None:
        if algorithm not in ALGORITHMS or not _check_public(algorithm, raw):
            raise SigningError("exchange.key_format", "不是有效的公钥", "not a valid public key")
        self.algorithm = algorithm
        self._raw = bytes(raw)
        self.key_id = "sha256:" + hashlib.sha256(self.der).hexdigest()
        self.source = source

    @property
    def der(self) -> bytes:
        """The DER SubjectPublicKeyInfo (what the ``.pub`` PEM file holds)."""
        return _spki(self.algorithm, self._raw)

    def to_pem(self) -> str:
        """The PEM text of the ``.pub`` file."""
        return _pem("PUBLIC KEY", self.der)

    def verify(self, message: bytes, signature: bytes, *, sm2_user_id: str = SM2_DEFAULT_USER_ID) -> bool:
        """Whether ``signature`` is this key's signature of ``message`` (never raises for a bad signature)."""
        return _verify(self.algorithm, self._raw, message, signature, sm2_user_id)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PublicKey) and (self.algorithm, self._raw) == (other.algorithm, other._raw)

    def __hash__(self) -> int:
        return hash((self.algorithm, self._raw))

    def __repr__(self) -> str:
        return f"PublicKey({self.algorithm!r}, {self.key_id!r})"


class _Secret:
    """Holds secret bytes; shows as ``<secret>`` wherever it is printed."""

    __slots__ = ("value",)

    def __init__(self, value: bytes) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<secret>"


class PrivateKey:
    """A private key: signs.  Its repr, str and errors show the algorithm and key id only, never the secret."""

    __slots__ = ("_secret", "algorithm", "public_key")

    def __init__(self, algorithm: str, secret: bytes, source: str | None = None) -> None:
        if algorithm not in ALGORITHMS:
            raise SigningError("exchange.key_algorithm", "不支持的签名算法", "unsupported signature algorithm")
        valid = len(secret) == 32 and (algorithm == "ed25519" or 0 < int.from_bytes(secret, "big") < _SM2_N - 1)
        if not valid:
            raise SigningError("exchange.key_format", "不是有效的私钥", "not a valid private key")
        self.algorithm = algorithm
        self._secret = _Secret(bytes(secret))
        self.public_key = PublicKey(algorithm, _public_from_secret(algorithm, secret), source)

    @classmethod
    def generate(cls, algorithm: str) -> PrivateKey:
        """A new random key (``ed25519`` or ``sm2-sm3``; ``sm2`` is accepted for the latter)."""
        algorithm = "sm2-sm3" if algorithm == "sm2" else algorithm
        if algorithm == "ed25519":
            from cryptography.hazmat.primitives import serialization

            secret = _ed25519().Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
        elif algorithm == "sm2-sm3":
            generated, _ = _gmalg().SM2().generate_keypair()  # d in [1, n-2], from the secrets module
            secret = int.from_bytes(generated, "big").to_bytes(32, "big")
        else:
            raise SigningError("exchange.key_algorithm", f"不支持的签名算法 {algorithm}",
                               f"unsupported signature algorithm {algorithm}")
        return cls(algorithm, secret)

    @property
    def key_id(self) -> str:
        """The key id of its public key."""
        return self.public_key.key_id

    def sign(self, message: bytes, *, sm2_user_id: str = SM2_DEFAULT_USER_ID) -> bytes:
        """The signature of ``message`` (Ed25519: 64 bytes; SM2: DER ``SEQUENCE {r, s}``)."""
        return _sign(self.algorithm, self._secret.value, self.public_key._raw, message, sm2_user_id)

    def to_pem(self) -> str:
        """The PEM text of the ``.key`` file (PKCS#8, unencrypted): keep it private."""
        if self.algorithm == "ed25519":
            inner = _encode(0x04, self._secret.value)
        else:
            inner = _encode(0x30, _integer(1) + _encode(0x04, self._secret.value)
                            + _encode(0xA1, _encode(0x03, b"\x00" + self.public_key._raw)))
        return _pem("PRIVATE KEY", _encode(0x30, _integer(0) + _algorithm_identifier(self.algorithm)
                                           + _encode(0x04, inner)))

    def __repr__(self) -> str:
        return f"PrivateKey({self.algorithm!r}, {self.key_id!r})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("private keys are not pickled / 私钥不可序列化")


def _key_error(code: str, name: str, zh: str, en: str) -> SigningError:
    return SigningError(code, f"密钥文件 {name}：{zh}", f"key file {name}: {en}")


def _pem_block(data: bytes, name: str) -> tuple[str, bytes]:
    """(label, DER) of the one PEM block in ``data``; errors name the file, never quote it."""
    blocks = [block for block in _PEM.finditer(data) if not block.group(1).endswith(b"PARAMETERS")]  # ecparam's
    if not blocks:
        raise _key_error("exchange.key_format", name, "不是PEM格式的密钥（应有 -----BEGIN ...----- 行）",
                         "not a PEM key (no -----BEGIN ...----- line)")
    if len(blocks) > 1:
        raise _key_error("exchange.key_format", name, "含有多个密钥，每个文件只能放一个",
                         "holds several keys: one key per file")
    label, body, end_label = (part.decode("ascii") for part in blocks[0].groups())
    if label != end_label:
        raise _key_error("exchange.key_format", name, "PEM首尾标签不一致", "PEM begin and end labels differ")
    if label == "ENCRYPTED PRIVATE KEY" or b"Proc-Type:" in blocks[0].group(2):
        raise _key_error("exchange.key_format", name, "是加密的私钥，本工具只读取未加密的私钥（靠文件权限保护）",
                         "is an encrypted private key; creditstd reads unencrypted keys (protected by file "
                         "permissions) only")
    try:
        der = base64.b64decode("".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        raise _key_error("exchange.key_format", name, "PEM内容不是有效的base64（文件可能已损坏）",
                         "the PEM body is not valid base64 (the file may be damaged)") from None
    return label, der


def _parse_public(der: bytes) -> tuple[str, bytes]:
    parts = _children(_single(der, 0x30))
    if [tag for tag, _ in parts] != [0x30, 0x03]:
        raise _DerError
    return _algorithm(parts[0][1]), _bit_string(parts[1][1])


def _parse_private(der: bytes) -> tuple[str, bytes, bytes | None]:
    """(algorithm, secret, public key if the file carries one) of a PKCS#8 private key."""
    children = _children(_single(der, 0x30))
    if len(children) < 3 or children[0][0] != 0x02 or _parse_integer(children[0][1]) not in (0, 1):
        raise _DerError
    if children[1][0] != 0x30 or children[2][0] != 0x04:
        raise _DerError
    algorithm = _algorithm(children[1][1])
    if algorithm == "ed25519":
        return algorithm, _single(children[2][1], 0x04), None
    if algorithm == "sm2-sm3":
        return (algorithm, *_parse_ec_private(children[2][1], require_curve=False))
    return "", b"", None


def _parse_ec_private(der: bytes, *, require_curve: bool) -> tuple[bytes, bytes | None]:
    """(secret, public key or None) of an RFC 5915 ECPrivateKey on the SM2 curve."""
    children = _children(_single(der, 0x30))
    if len(children) < 2 or children[0] != (0x02, b"\x01") or children[1][0] != 0x04 or len(children[1][1]) > 32:
        raise _DerError
    secret = children[1][1].rjust(32, b"\x00")
    optional = dict(children[2:])
    if (0xA0 in optional and optional[0xA0] != _SM2_CURVE_OID) or (require_curve and 0xA0 not in optional):
        raise _DerError
    public = _bit_string(_single(optional[0xA1], 0x03)) if 0xA1 in optional else None
    return secret, public


def _read_key_file(path: str | os.PathLike[str]) -> tuple[str, bytes]:
    name = os.fspath(path)
    try:
        with open(name, "rb") as stream:
            data = stream.read(_MAX_KEY_FILE + 1)
    except IsADirectoryError:
        raise _key_error("exchange.key_unreadable", name, "是文件夹，不是密钥文件",
                         "is a folder, not a key file") from None
    except OSError as error:
        raise _key_error("exchange.key_unreadable", name, f"无法读取（{error.strerror}）",
                         f"cannot be read ({error.strerror})") from None
    if len(data) > _MAX_KEY_FILE:
        raise _key_error("exchange.key_format", name, "文件太大，不是密钥", "too large to be a key")
    return _pem_block(data, name)


def load_private_key(path: str | os.PathLike[str]) -> PrivateKey:
    """Read a private key file (PKCS#8 PEM; for SM2 also OpenSSL's ``EC PRIVATE KEY``).

    Raises :class:`SigningError` (``exchange.key_unreadable``, ``exchange.key_format`` or
    ``exchange.key_algorithm``) naming the file and never quoting it.
    """
    name = os.fspath(path)
    label, der = _read_key_file(name)
    if label == "PUBLIC KEY":
        raise _key_error("exchange.key_format", name, "是公钥；签名要用私钥（.key）",
                         "is a public key; signing needs the private key (.key)")
    try:
        if label == "PRIVATE KEY":
            algorithm, secret, public = _parse_private(der)
        elif label == "EC PRIVATE KEY":
            algorithm, (secret, public) = "sm2-sm3", _parse_ec_private(der, require_curve=True)
        else:
            raise _key_error("exchange.key_format", name, f"不是私钥（PEM标签为 {label}）",
                             f"not a private key (PEM label {label})")
    except _DerError:
        raise _key_error("exchange.key_format", name, "私钥结构无效（文件可能已损坏）",
                         "the private key's structure is invalid (the file may be damaged)") from None
    if not algorithm:
        raise _key_error("exchange.key_algorithm", name, "算法不受支持（只支持 Ed25519 与 SM2）",
                         "algorithm not supported (Ed25519 and SM2 only)")
    try:
        key = PrivateKey(algorithm, secret, name)
    except SigningError as error:
        if error.code == "exchange.signing_unavailable":
            raise
        raise _key_error(error.code, name, error.message_zh, error.message_en) from None
    if public is not None and public != key.public_key._raw:
        raise _key_error("exchange.key_format", name, "私钥与其中的公钥不匹配（文件可能已损坏）",
                         "the private key does not match the public key it carries (the file may be damaged)")
    return key


def _load_public_key(path: str | os.PathLike[str]) -> PublicKey:
    name = os.fspath(path)
    label, der = _read_key_file(name)
    if label in ("PRIVATE KEY", "EC PRIVATE KEY"):
        raise _key_error("exchange.key_format", name, "是私钥；核验只需公钥（.pub），私钥不要交给他人",
                         "is a private key; verifying needs the public key (.pub) only - never hand out "
                         "the private key")
    if label != "PUBLIC KEY":
        raise _key_error("exchange.key_format", name, f"不是公钥（PEM标签为 {label}）",
                         f"not a public key (PEM label {label})")
    try:
        algorithm, raw = _parse_public(der)
    except _DerError:
        raise _key_error("exchange.key_format", name, "公钥结构无效（文件可能已损坏）",
                         "the public key's structure is invalid (the file may be damaged)") from None
    if not algorithm:
        raise _key_error("exchange.key_algorithm", name, "算法不受支持（只支持 Ed25519 与 SM2）",
                         "algorithm not supported (Ed25519 and SM2 only)")
    try:
        return PublicKey(algorithm, raw, name)
    except SigningError as error:
        if error.code == "exchange.signing_unavailable":
            raise
        raise _key_error(error.code, name, "不是有效的公钥（不在曲线上或长度不对）",
                         "not a valid public key (not on the curve, or the wrong length)") from None


def load_public_keys(paths: Iterable[str | os.PathLike[str]]) -> list[PublicKey]:
    """The trust set: the public keys of ``paths``, each a ``.pub`` file or a folder of ``.pub`` files.

    Duplicates (the same key twice) are kept once.  A folder without ``.pub`` files, or any file
    that is not a supported public key, raises :class:`SigningError`.
    """
    keys: dict[str, PublicKey] = {}
    for path in paths:
        folder = Path(path)
        if folder.is_dir():
            files = sorted(child for child in folder.iterdir() if child.suffix == ".pub" and child.is_file())
            if not files:
                raise SigningError("exchange.key_unreadable", f"文件夹 {folder} 中没有 .pub 公钥文件",
                                   f"folder {folder} holds no .pub public key files")
        else:
            files = [folder]
        for file in files:
            key = _load_public_key(file)
            keys.setdefault(key.key_id, key)
    return list(keys.values())


def write_key_pair(prefix: str | os.PathLike[str], algorithm: str, *, force: bool = False) -> PrivateKey:
    """Generate a key pair and write ``PREFIX.key`` (private, mode 0600) and ``PREFIX.pub``.

    Existing files are not replaced unless ``force``: a lost private key cannot be recovered.
    """
    base = os.fspath(prefix)
    private_path, public_path = Path(base + ".key"), Path(base + ".pub")
    existing = [str(path) for path in (private_path, public_path) if path.exists()]
    if existing and not force:
        raise SigningError("exchange.key_exists", f"{'、'.join(existing)} 已存在（确需覆盖请用 --force）",
                           f"{', '.join(existing)} already exist(s) (use --force to replace)")
    key = PrivateKey.generate(algorithm)
    try:
        with atomic_writer(private_path, private=True) as stream:  # 0600 from its creation on, whatever the umask
            stream.write(key.to_pem())
        with atomic_writer(public_path, private=True) as stream:
            stream.write(key.public_key.to_pem())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(public_path, 0o644 & ~mask)  # readable by others, writable by the owner only
    except OSError as error:
        raise SigningError("exchange.key_unreadable", f"无法写入密钥文件 {base}.*（{error.strerror}）",
                           f"cannot write the key files {base}.* ({error.strerror})") from None
    return key


# ---------------------------------------------------------------------------------------------- batches

def _manifest_path(path: str | os.PathLike[str]) -> Path:
    given = Path(path)
    return given / MANIFEST if given.is_dir() or not os.path.lexists(given) else given


def _read_batch_file(path: Path, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of a batch file (so a caller can tell an over-long one)."""
    with open_regular(path) as stream:
        return bytes(stream.read(limit + 1))


def _reasons(error: OSError | ValueError) -> tuple[str, str]:
    """Why a file could not be read, in Chinese and English (the system's text for a system error)."""
    if isinstance(error, UnsafeFile):
        return error.zh, error.en
    text = error.strerror if isinstance(error, OSError) else None
    return (text, text) if text else ("无法读取", "unreadable")


def signature_path(path: str | os.PathLike[str]) -> Path:
    """Where a batch's signature is: ``manifest.json.sig`` beside the manifest (``path``: folder or manifest)."""
    manifest = _manifest_path(path)
    return manifest.with_name(manifest.name + SIGNATURE_SUFFIX)


def _records_problems(manifest_path: Path, manifest_bytes: bytes) -> list[Finding]:
    """Whether the records file is the one these manifest bytes describe (count and SHA-256)."""
    at = _in_file(manifest_path)
    try:
        manifest = loads_record(manifest_bytes, max_bytes=len(manifest_bytes))  # strict: no NaN, no twin keys
        expected = manifest["records"]
        count, digest, name = expected["count"], expected["sha256"], expected.get("file", RECORDS)
    except (ValueError, RecursionError, TypeError, KeyError, AttributeError):
        return [Finding("exchange.manifest", f"清单 {manifest_path} 不是交换格式清单",
                        f"{manifest_path} is not an exchange manifest", location=at)]
    if not is_bare_file_name(name):
        return [finding("exchange.records_file", path="$.records.file", location=at)]
    records_path = manifest_path.parent / name
    hasher, lines, last = hashlib.sha256(), 0, b"\n"
    try:
        with open_regular(records_path) as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):  # bounded memory, whatever the line lengths
                hasher.update(chunk)
                lines += chunk.count(b"\n")
                last = chunk[-1:]
    except FileNotFoundError:
        return [Finding("exchange.missing_records", f"找不到记录文件 {records_path}",
                        f"records file {records_path} not found", "$.records.file", location=at)]
    except (OSError, ValueError) as error:
        zh, en = _reasons(error)
        return [Finding("exchange.records_file", f"无法读取记录文件 {records_path}：{zh}",
                        f"cannot read the records file {records_path}: {en}", "$.records.file", location=at)]
    lines += last != b"\n"  # a last line without its newline counts too, as verify_batch counts it
    if lines != count or hasher.hexdigest() != digest:
        return [Finding("exchange.signature_records",
                        f"记录文件与已签名的清单不符（{lines} 条，清单为 {count} 条，或SHA-256不同）：批次被改动过",
                        f"the records file does not match the signed manifest ({lines} records, the manifest "
                        f"says {count}, or the SHA-256 differs): the batch was altered", "$.records", location=at)]
    return []


def sign_batch(path: str | os.PathLike[str], key: PrivateKey, *, signer: str | None = None) -> dict[str, Any]:
    """Sign the batch at ``path`` (folder or manifest) and write ``manifest.json.sig``; returns the document.

    The signature file holds the signer's name, so it is written readable by its owner only (0600),
    whatever the umask, as the batch's own files are.

    The records are checked against the manifest first (count and SHA-256): a batch whose records do
    not match its manifest is refused (``exchange.signature_records``), since signing it would vouch
    for records it does not describe.
    """
    manifest_path = _manifest_path(path)
    try:
        manifest_bytes = _read_batch_file(manifest_path, MAX_MANIFEST_BYTES)
    except (OSError, ValueError) as error:
        zh, en = _reasons(error)
        raise SigningError("exchange.manifest", f"无法读取清单 {manifest_path}（{zh}）",
                           f"cannot read the manifest {manifest_path} ({en})") from None
    if len(manifest_bytes) > MAX_MANIFEST_BYTES:
        raise SigningError("exchange.manifest", f"清单 {manifest_path} 过大",
                           f"the manifest {manifest_path} is too large")
    problems = _records_problems(manifest_path, manifest_bytes)
    if problems:
        raise SigningError(problems[0].code, problems[0].message_zh + "；未签名",
                           problems[0].message_en + "; not signed")
    if signer is not None and not (0 < len(signer.strip()) <= 200 and _PRINTABLE.fullmatch(signer.strip())):
        raise SigningError("exchange.signature_format", "签名人名称应为1至200个字符，不含控制字符",
                           "the signer's name must have 1 to 200 characters, no control characters")
    document: dict[str, Any] = {
        "format": SIGNATURE_FORMAT, "format_version": "1.0", "signed_file": manifest_path.name,
        "algorithm": key.algorithm, "key_id": key.key_id, "signer": signer.strip() if signer else None,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if key.algorithm == "sm2-sm3":
        document["sm2_user_id"] = SM2_DEFAULT_USER_ID
    document["signature"] = base64.b64encode(key.sign(manifest_bytes)).decode("ascii")
    target = signature_path(manifest_path)
    try:
        with atomic_writer(target, private=True) as stream:  # the signer's name: owner only, as the batch
            stream.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    except OSError as error:
        raise SigningError("exchange.signature_write", f"无法写入签名文件 {target}（{error.strerror}）",
                           f"cannot write the signature file {target} ({error.strerror})") from None
    return document


def shown_signer(signer: str | None, *, show_pii: bool = False) -> str | None:
    """A signer's name as a message or a report may show it.

    The name is a natural person's, often (``张三``): its first character only, the rest ``*``
    (:func:`~creditstd.records.masking.mask_person_name`), unless ``show_pii`` (then in full).  None stays None.

    >>> shown_signer('欧阳娜娜'), shown_signer('欧阳娜娜', show_pii=True), shown_signer(None)
    ('欧***', '欧阳娜娜', None)
    """
    if signer is None:
        return None
    return signer if show_pii else mask_person_name(signer)


@dataclass
class SignatureReport:
    """What :func:`verify_signature` found: ``ok``, or the problems; and who signed.

    ``key`` is the trusted public key that verified the signature (its ``source`` is the file it was read
    from); ``signer`` and ``created`` are what the signature file says, not proven by the signature.
    """

    problems: list[Finding] = field(default_factory=list)
    algorithm: str | None = None
    key_id: str | None = None
    key: PublicKey | None = None
    signer: str | None = field(default=None, repr=False)  # a person's name, maybe: never in a repr or a log
    created: str | None = None

    @property
    def ok(self) -> bool:
        """A trusted key signed the manifest, and the records are the ones it describes."""
        return not self.problems and self.key is not None

    def shown_signer(self, *, show_pii: bool = False) -> str | None:
        """The signer's name as output may show it: masked (:func:`shown_signer`) unless ``show_pii``."""
        return shown_signer(self.signer, show_pii=show_pii)

    def summary(self, *, show_pii: bool = False) -> str:
        """One line for people, in the configured language; the signer's name masked unless ``show_pii``."""
        if not self.ok or self.key is None:
            codes = ", ".join(problem.code for problem in self.problems)
            return bilingual(f"签名未通过核验（{codes}）", f"signature not verified ({codes})")
        where = f"（{self.key.source}）" if self.key.source else ""
        signer = self.shown_signer(show_pii=show_pii)
        stated_zh = f"，签名人（自述）：{signer}" if signer else ""
        stated_en = f", signer (as stated): {signer}" if signer else ""
        return bilingual(f"签名有效：受信任的 {self.algorithm} 密钥 {self.key_id}{where}签署{stated_zh}",
                         f"signature valid: signed by the trusted {self.algorithm} key {self.key_id}"
                         f"{where and f' ({self.key.source})'}{stated_en}")

    def to_json(self, *, show_pii: bool = False) -> dict[str, Any]:
        """The report as JSON (for ``--format json``); the signer's name masked unless ``show_pii``."""
        return {"ok": self.ok, "algorithm": self.algorithm, "key_id": self.key_id,
                "key_file": self.key.source if self.key else None,
                "signer": self.shown_signer(show_pii=show_pii), "created": self.created,
                "problems": [{"file": problem.location.file if problem.location else None, "path": problem.path,
                              "code": problem.code, "message_zh": problem.message_zh,
                              "message_en": problem.message_en} for problem in self.problems]}


@functools.cache
def _signature_validator() -> Draft202012Validator:
    return Draft202012Validator(loader.meta_schema("exchange-signature.schema.json"), format_checker=format_checker())


def _format_problem(file: Path, zh: str, en: str, path: str = "$") -> Finding:
    """``exchange.signature_format``: the signature file ``file`` is malformed (at ``path`` in it)."""
    return Finding("exchange.signature_format", f"签名文件 {file.name} 格式不对：{zh}",
                   f"signature file {file.name} is malformed: {en}", path, location=_in_file(file))


#: What a failed keyword of the signature schema means, in words (the file's values are never quoted).
_SCHEMA_WORDS = {
    "type": ("类型不对", "has the wrong type"),
    "additionalProperties": ("含有格式未定义的字段", "holds a field the format does not define"),
    "const": ("不是规定的值", "is not the value the format requires"),
    "enum": ("不是允许的取值", "is not one of the allowed values"),
    "pattern": ("含有不允许的字符或形式不对", "holds a character or form that is not allowed"),
    "minLength": ("为空或太短", "is empty or too short"),
    "maxLength": ("太长", "is too long"),
    "format": ("不是RFC 3339日期时间", "is not an RFC 3339 date-time"),  # the schema's one format: created
}


def _schema_words(error: ValidationError) -> tuple[str, str]:
    """What a failed keyword of the signature schema means, in Chinese and English (no value of the file quoted).

    >>> document = {'format': 'creditstd-exchange-signature', 'format_version': '1.0', 'signed_file': 'manifest.json',
    ...             'algorithm': 'ed25519', 'key_id': 'sha256:' + '0' * 64, 'created': '2024-06-01T08:00:00Z',
    ...             'signature': 'AAAA', 'sm2_user_id': '1234567812345678'}
    >>> [_schema_words(error) for error in _signature_validator().iter_errors(document)]
    [('含有 sm2_user_id，但只有 sm2-sm3 签名才有该字段', 'holds sm2_user_id, which only sm2-sm3 signatures carry')]
    >>> del document['key_id']
    >>> _schema_words(next(_signature_validator().iter_errors(document)))[1]
    'lacks the required field key_id'
    """
    keyword, where = str(error.validator), json_path(error.absolute_path)
    if keyword == "not":  # the schema's two: sm2_user_id with another algorithm, and a signed_file . or ..
        if where == "$.signed_file":
            return "不能是 . 或 ..", "may not be . or .."
        return ("含有 sm2_user_id，但只有 sm2-sm3 签名才有该字段",
                "holds sm2_user_id, which only sm2-sm3 signatures carry")
    if keyword == "required":  # the names are the schema's, not the file's
        missing = "、".join(name for name in error.validator_value if name not in error.instance)
        return f"缺少必需的字段 {missing}", f"lacks the required field {missing.replace('、', ', ')}"
    return _SCHEMA_WORDS.get(keyword, ("不符合格式", "does not match the format"))


def _read_signature(path: Path, manifest_name: str) -> tuple[dict[str, Any] | None, bytes, Finding | None]:
    """(document, signature bytes, problem) of a signature file."""
    name = path.name
    try:
        data = _read_batch_file(path, _MAX_SIGNATURE_FILE)
    except FileNotFoundError:
        return None, b"", finding("exchange.signature_missing", location=_in_file(path), name=name)
    except (OSError, ValueError) as error:
        zh, en = _reasons(error)
        return None, b"", _format_problem(path, f"无法读取（{zh}）", f"cannot be read ({en})")
    if len(data) > _MAX_SIGNATURE_FILE:
        return None, b"", _format_problem(path, "文件太大", "too large")
    try:
        document = loads_record(data, max_bytes=len(data))
    except (ValueError, RecursionError):
        return None, b"", _format_problem(path, "不是JSON", "not JSON")
    errors = sorted(_signature_validator().iter_errors(document), key=lambda error: list(error.absolute_path))
    if errors:
        where = json_path(errors[0].absolute_path)
        zh, en = _schema_words(errors[0])
        return None, b"", _format_problem(path, f"{where} {zh}（exchange-signature 格式的 {errors[0].validator}）",
                                          f"{where} {en} (exchange-signature schema: {errors[0].validator})", where)
    if not is_date_time(document["created"]):
        return None, b"", _format_problem(path, "created 不是RFC 3339日期时间", "created is not an RFC 3339 date-time",
                                          "$.created")
    if document["signed_file"] != manifest_name:
        return None, b"", _format_problem(path, f"签名的是 {document['signed_file']}，不是 {manifest_name}",
                                          f"it signs {document['signed_file']!r}, not {manifest_name!r}",
                                          "$.signed_file")
    try:
        signature = base64.b64decode(document["signature"], validate=True)
    except (binascii.Error, ValueError):  # the alphabet is right (the schema says so) but not the length
        return None, b"", _format_problem(path, "signature 不是有效的base64", "signature is not valid base64",
                                          "$.signature")
    return document, signature, None


def verify_signature(path: str | os.PathLike[str], public_keys: Iterable[PublicKey | str | os.PathLike[str]], *,
                     records: bool = True) -> SignatureReport:
    """Check the batch at ``path`` (folder or manifest) against the trust set ``public_keys``.

    ``public_keys``: :class:`PublicKey` objects, or ``.pub`` files and folders of them (read with
    :func:`load_public_keys`, which raises :class:`SigningError` for a key that cannot be used).
    Finds the trusted key the signature file names, checks the signature over the manifest's exact
    bytes, then (``records``, the default) checks the records file against those same bytes: count
    and SHA-256.  Problems (each a :class:`~creditstd.findings.Finding`, located in the file it is about:
    the signature file, or the manifest):

    * ``exchange.signature_missing``: no ``manifest.json.sig``;
    * ``exchange.signature_format``: it is not a signature file (JSON, schema, base64);
    * ``exchange.signature_key_unknown``: signed by a key that is not in the trust set;
    * ``exchange.signature_invalid``: the signature does not match the manifest (altered, forged);
    * ``exchange.signature_records``: the records do not match the signed manifest (altered);
    * ``exchange.manifest`` / ``exchange.missing_records`` / ``exchange.records_file``: unreadable batch.

    ``records=False`` leaves the records to :func:`~creditstd.records.exchange.verify_batch`: only
    do that when it runs as well and its ``exchange.count``/``exchange.sha256`` fail the batch.
    """
    given = list(public_keys)
    objects = [key for key in given if isinstance(key, PublicKey)]
    trusted = {key.key_id: key for key in objects + load_public_keys(key for key in given
                                                                      if not isinstance(key, PublicKey))}
    manifest_path = _manifest_path(path)
    report = SignatureReport()
    try:
        manifest_bytes = _read_batch_file(manifest_path, MAX_MANIFEST_BYTES)
    except (OSError, ValueError) as error:
        zh, en = _reasons(error)
        report.problems.append(Finding("exchange.manifest", f"无法读取清单 {manifest_path}：{zh}",
                                       f"cannot read the manifest {manifest_path}: {en}",
                                       location=_in_file(manifest_path)))
        return report
    if len(manifest_bytes) > MAX_MANIFEST_BYTES:
        report.problems.append(Finding("exchange.manifest", f"清单 {manifest_path} 过大",
                                       f"the manifest {manifest_path} is too large", location=_in_file(manifest_path)))
        return report
    document, signature, problem = _read_signature(signature_path(manifest_path), manifest_path.name)
    if problem is not None:
        report.problems.append(problem)
        return report
    assert document is not None
    report.algorithm, report.key_id = document["algorithm"], document["key_id"]
    report.signer, report.created = document.get("signer"), document["created"]
    at = _in_file(signature_path(manifest_path))
    key = trusted.get(document["key_id"])
    if key is None:
        report.problems.append(Finding(
            "exchange.signature_key_unknown",
            f"签名所用密钥 {document['key_id']} 不在受信任的公钥中（共 {len(trusted)} 个）：无法确认发送方",
            f"signed with key {document['key_id']}, which is not among the {len(trusted)} trusted public key(s): "
            "the sender cannot be confirmed", "$.key_id", location=at))
        return report
    user_id = document.get("sm2_user_id", SM2_DEFAULT_USER_ID)
    if key.algorithm != document["algorithm"] or not key.verify(manifest_bytes, signature, sm2_user_id=user_id):
        report.problems.append(finding("exchange.signature_invalid", path="$.signature", location=at))
        return report
    if records:
        report.problems.extend(_records_problems(manifest_path, manifest_bytes))
    if not report.problems:
        report.key = key
    return report
