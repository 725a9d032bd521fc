"""The store contract run against the embedded SQLite backend, and the join-code helpers
every backend shares."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from simtrain.store import EventStore, Store, generate_join_code, normalize_code
from simtrain.store.codes import CODE_ALPHABET, hash_code, new_salt, verify_code
from tests.store_contract import StoreContract


class TestSQLiteStore(StoreContract):
    """One SQLite file per test, in the test's temporary folder."""

    def open_store(self, where: Path, *, create: bool) -> Store:
        return EventStore.open(where / "exercise.db", create=create)


# -- join codes ---------------------------------------------------------------------------


def test_join_codes_look_right() -> None:
    codes = [generate_join_code() for _ in range(200)]
    assert all(re.fullmatch(f"[{CODE_ALPHABET}]{{6}}", code) for code in codes)
    assert not set("01OIL") & set(CODE_ALPHABET)
    assert len(set(codes)) > 190


@given(
    code=st.text(alphabet=CODE_ALPHABET, min_size=6, max_size=6),
    lowered=st.lists(st.booleans(), min_size=6, max_size=6),
    gaps=st.lists(st.sampled_from(["", " ", "-", "  ", " - "]), min_size=7, max_size=7),
)
def test_normalize_code_undoes_case_spaces_and_dashes(
    code: str, lowered: list[bool], gaps: list[str]
) -> None:
    typed = gaps[0] + "".join(
        (c.lower() if low else c) + gap for c, low, gap in zip(code, lowered, gaps[1:], strict=True)
    )
    assert normalize_code(typed) == code


def test_the_same_code_hashes_differently_under_different_salts() -> None:
    salt_a, salt_b = new_salt(), new_salt()
    hash_a, hash_b = hash_code("K7QF3M", salt_a), hash_code("k7q-f3m", salt_b)
    assert hash_a != hash_b
    assert verify_code("k7qf3m", hash_a, salt_a) and verify_code("K7QF3M", hash_b, salt_b)
    assert not verify_code("K7QF3M", hash_a, salt_b)
