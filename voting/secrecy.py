"""Sealing a secret ballot's choices while it is open, and the receipts of every cast.

A sealed choice is encrypted with a key the database does not hold: derived from the
server's secret key (WETHI_SECRET_KEY, or the data directory's `secret_key`) and the
ballot's id. The construction is encrypt-then-MAC from HMAC-SHA256 alone (the standard
library's): a keystream of HMAC(key, nonce ‖ counter) blocks XORed with the text, then
HMAC(key, nonce ‖ ciphertext) as the tag; a 16-byte random nonce per choice. It keeps the
choice from whoever reads the database while the ballot is open; at close the choices are
opened and written as shuffled papers (voting.models).

A receipt is derived, not stored: HMAC(secret key, ballot, seat) — one per seat, so a
retried cast (or a named ballot's changed vote) gets the same receipt back — and the
database keeps only its sha256 (the bulletin's list), which says nothing of the choice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_BLOCK = hashlib.sha256().digest_size
RECEIPT_LENGTH = 16  # base32 characters shown to the voter (80 bits), in groups of four


def _key(secret_key: str, purpose: str, ballot_id: int) -> bytes:
    return hmac.new(
        secret_key.encode(), f"wethi:{purpose}:{ballot_id}".encode(), hashlib.sha256
    ).digest()


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (
        hmac.new(key, nonce + n.to_bytes(8, "big"), hashlib.sha256).digest()
        for n in range(-(-length // _BLOCK))
    )
    return b"".join(blocks)[:length]


def seal(secret_key: str, ballot_id: int, content: str) -> str:
    key = _key(secret_key, "seal", ballot_id)
    nonce = secrets.token_bytes(16)
    plain = content.encode()
    cipher = bytes(a ^ b for a, b in zip(plain, _stream(key, nonce, len(plain)), strict=True))
    tag = hmac.new(key, nonce + cipher, hashlib.sha256).digest()
    return base64.b64encode(nonce + tag + cipher).decode()


class Tampered(ValueError):
    """A sealed choice that was not sealed with this key, or was changed since."""


def unseal(secret_key: str, ballot_id: int, sealed: str) -> str:
    key = _key(secret_key, "seal", ballot_id)
    raw = base64.b64decode(sealed)
    nonce, tag, cipher = raw[:16], raw[16 : 16 + _BLOCK], raw[16 + _BLOCK :]
    if not hmac.compare_digest(tag, hmac.new(key, nonce + cipher, hashlib.sha256).digest()):
        raise Tampered("a sealed choice does not match its seal")
    return bytes(
        a ^ b for a, b in zip(cipher, _stream(key, nonce, len(cipher)), strict=True)
    ).decode()


def receipt(secret_key: str, ballot_id: int, seat: str) -> str:
    """The receipt a seat's cast gets ("K7Q4-M2XA-…"), the same for a retry."""
    digest = hmac.new(
        _key(secret_key, "receipt", ballot_id), seat.encode(), hashlib.sha256
    ).digest()
    code = base64.b32encode(digest).decode()[:RECEIPT_LENGTH]
    return "-".join(code[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def receipt_hash(code: str) -> str:
    """What the bulletin lists for a receipt: its sha256, from the code as the voter types it
    (spaces, dashes and case do not matter)."""
    normal = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(normal.encode()).hexdigest()


def key_hash(cast_key: str) -> str:
    return hashlib.sha256(cast_key.encode()).hexdigest()


def new_id() -> str:
    """A random row id for a sealed choice or a paper: it orders nothing."""
    return secrets.token_hex(16)
