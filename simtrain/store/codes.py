"""Join codes: short, random, easy to read aloud; stored only as salted scrypt hashes."""

from __future__ import annotations

import hashlib

from simtrain.store.errors import StoreError

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""Digits and capitals without the look-alikes 0/O, 1/I/L."""
CODE_LENGTH = 6
"""31**6 ≈ 887 million codes."""

# scrypt cost: about 50 ms per hash. A join code is short-lived and only guards who may
# act for a team; the hash makes a copied database file useless for reading codes back
# without making `simtrain act` feel slow. The parameters live in each stored hash, so
# they can change later without breaking existing databases.
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_SCHEME = "scrypt"


def generate_join_code() -> str:
    """A new random join code, e.g. ``"K7QF3M"`` (uses :mod:`secrets`)."""
    import secrets  # with random and base64: only where codes are made, not every command

    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    """The canonical form of a typed code: upper case, without spaces or dashes."""
    return "".join(ch for ch in code.upper() if not ch.isspace() and ch != "-")


def new_salt() -> str:
    """A fresh random salt (hex), one per team."""
    import secrets

    return secrets.token_hex(16)


def _scrypt(normalized: str, salt: str, n: int, r: int, p: int) -> str:
    return hashlib.scrypt(
        normalized.encode("utf-8"),
        salt=bytes.fromhex(salt),
        n=n,
        r=r,
        p=p,
        maxmem=2 * 128 * r * n,
        dklen=32,
    ).hex()


def hash_code(code: str, salt: str) -> str:
    """The stored form of a code: ``scrypt$n$r$p$hexdigest``."""
    digest = _scrypt(normalize_code(code), salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return f"{_SCHEME}${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${digest}"


def verify_code(code: str, code_hash: str, salt: str) -> bool:
    """Whether a typed code matches a stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, digest = code_hash.split("$")
        if scheme != _SCHEME:
            raise ValueError(scheme)
        params = int(n), int(r), int(p)
    except ValueError:
        raise StoreError(
            "A join code is stored in a form this simtrain does not know; "
            "the database may come from a newer simtrain."
        ) from None
    import hmac  # only where a code is checked

    candidate = _scrypt(normalize_code(code), salt, *params)
    return hmac.compare_digest(candidate, digest)
