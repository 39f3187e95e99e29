"""Sealing a secret ballot's choices while it is open, and the receipts of every cast.

A sealed choice is encrypted with a key the database does not hold: derived from the
server's secret key (WETHI_SECRET_KEY, or the data directory's `secret_key`) and the
ballot's id. The construction is encrypt-then-MAC from HMAC-SHA256 alone (the standard
library's): the choice padded to a fixed length (SEALED_LENGTH: its length says nothing),
a keystream of HMAC(key, nonce ‖ counter) blocks XORed with it, then HMAC(key, row id ‖
nonce ‖ ciphertext) as the tag (a sealed choice moved to another row fails); a 16-byte
random nonce per choice. It keeps the
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


def _xor(text: bytes, stream: bytes) -> bytes:
    """Byte by byte, as whole numbers (a cast seals 2 KiB: a Python loop over the bytes costs
    a tenth of a millisecond)."""
    mixed = int.from_bytes(text, "big") ^ int.from_bytes(stream, "big")
    return mixed.to_bytes(len(text), "big")


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (
        hmac.new(key, nonce + n.to_bytes(8, "big"), hashlib.sha256).digest()
        for n in range(-(-length // _BLOCK))
    )
    return b"".join(blocks)[:length]


# Every sealed choice is this long, whatever it says: a "yes" and an "abstain", one option
# approved or ten, look the same in the database. A choice longer than this (a ranked
# ballot of very many options) takes the next multiple.
SEALED_LENGTH = 2048


def _padded(content: str) -> bytes:
    text = content.encode()
    size = SEALED_LENGTH * -(-(len(text) + 4) // SEALED_LENGTH)
    return len(text).to_bytes(4, "big") + text + bytes(size - len(text) - 4)


def seal(secret_key: str, ballot_id: int, row_id: str, content: str) -> str:
    """`content` encrypted and padded for row `row_id`: the tag binds it to its row, so a
    sealed choice copied over another's is found at close."""
    key = _key(secret_key, "seal", ballot_id)
    nonce = secrets.token_bytes(16)
    plain = _padded(content)
    cipher = _xor(plain, _stream(key, nonce, len(plain)))
    tag = hmac.new(key, row_id.encode() + nonce + cipher, hashlib.sha256).digest()
    return base64.b64encode(nonce + tag + cipher).decode()


class Tampered(ValueError):
    """A sealed choice that was not sealed with this key, or was changed since."""


def unseal(secret_key: str, ballot_id: int, row_id: str, sealed: str) -> str:
    key = _key(secret_key, "seal", ballot_id)
    try:
        raw = base64.b64decode(sealed, validate=True)
    except ValueError:
        raise Tampered("a sealed choice is not what was sealed") from None
    nonce, tag, cipher = raw[:16], raw[16 : 16 + _BLOCK], raw[16 + _BLOCK :]
    expected = hmac.new(key, row_id.encode() + nonce + cipher, hashlib.sha256).digest()
    if not hmac.compare_digest(tag, expected):
        raise Tampered("a sealed choice does not match its seal")
    plain = _xor(cipher, _stream(key, nonce, len(cipher)))
    length = int.from_bytes(plain[:4], "big")
    return plain[4 : 4 + length].decode()


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
