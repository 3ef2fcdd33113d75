"""Tracking codes: the secret with which a complainant follows their case (``K7QF-2MXP-9RTA``).

A code is made when a case opens (``cases.open_case``); only its hash is stored, in
``Case.tracking_hash``. The code itself is returned once, to whoever started the case
(``start_process(...).tracking_code``): it is never stored, logged or shown again.

Codes are 12 symbols of Crockford's base32 (digits and capitals without I, L, O, U), drawn with
``secrets``: 60 random bits. Typing is forgiving: case, spaces, dashes and full-width input (a Chinese
input method) do not matter, and O, I and L are read as 0, 1 and 1, so a code read aloud or copied from
handwriting still works.

Brute force: case numbers are sequential and easy to guess, so the code alone protects a case. Each
guess tests one code against one case (the hash covers the case number), and a case has 2**60 codes: a
thousand guesses a second, day and night for a year, finds any case's code with odds of about one in 37
million. Failed lookups are therefore logged for an operator (or fail2ban) to throttle, not counted in
the database, where every guess would cost a write.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: 32 symbols, 5 bits each
LENGTH = 12  # 60 bits
GROUP = 4
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None, "\t": None})


def new_code() -> str:
    """A fresh random code, grouped for reading: ``K7QF-2MXP-9RTA``."""
    bits = secrets.randbits(5 * LENGTH)  # one read of the system's randomness, not one per symbol
    raw = "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in range(LENGTH))
    return "-".join(raw[i:i + GROUP] for i in range(0, LENGTH, GROUP))


def normalize(code: str) -> str:
    """The code as stored in the hash: capitals, no separators, look-alike letters read as digits."""
    return unicodedata.normalize("NFKC", code).strip().upper().translate(_READ_AS)


def hash_code(case_number: str, code: str) -> str:
    """SHA-256 of the case number and the normalized code, as hex.

    A plain, fast hash suffices (no bcrypt or pepper): the code is 60 random bits, not a password a
    person chose, so there is no dictionary to try and exhausting the space is out of reach; the case
    number binds each hash to its case, so a guess or a precomputed table serves one case only.
    Besides, whoever reads the database already sees the case itself, which is all the code unlocks.
    """
    return hashlib.sha256(f"schoolflow-tracking\0{case_number}\0{normalize(code)}".encode()).hexdigest()


def code_matches(stored_hash: str | None, case_number: str, code: str) -> bool:
    """Whether ``code`` is the case's code; compares in constant time, and is false for a case without one."""
    computed = hash_code(case_number, code)
    # Compare against a dummy when there is no hash, so both paths cost the same.
    return hmac.compare_digest(stored_hash or "-" * 64, computed) and stored_hash is not None
