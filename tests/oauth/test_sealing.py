"""Sealed envelopes: what one key seals every listed key opens; kinds, expiry and tampering refuse."""

from __future__ import annotations

import pytest

from app.oauth.sealing import Kind, Sealer, SealError, looks_sealed
from tests.oauth.flow import KEYS


def test_sealed_values_are_encrypted_and_open_to_their_payload() -> None:
    sealer = Sealer(KEYS[:1])
    value = sealer.seal(Kind.ACCESS, {"up": "tok-secret-0001"}, lifetime_seconds=60)
    assert looks_sealed(value, Kind.ACCESS) and "tok-secret-0001" not in value
    assert sealer.open(Kind.ACCESS, value)["up"] == "tok-secret-0001"


def test_a_value_of_one_kind_never_opens_as_another() -> None:
    sealer = Sealer(KEYS[:1])
    code = sealer.seal(Kind.CODE, {"up": "t"}, lifetime_seconds=60)
    disguised = "kmcp-at." + code.removeprefix("kmcp-code.")
    with pytest.raises(SealError) as refused:
        sealer.open(Kind.ACCESS, disguised)
    assert refused.value.reason == "invalid"


def test_expired_and_tampered_values_refuse_with_their_reason() -> None:
    sealer = Sealer(KEYS[:1])
    with pytest.raises(SealError) as expired:
        sealer.open(Kind.REFRESH, sealer.seal(Kind.REFRESH, {}, lifetime_seconds=-1))
    assert expired.value.reason == "expired"
    good = sealer.seal(Kind.REFRESH, {}, lifetime_seconds=60)
    flipped = good[:-5] + ("A" if good[-5] != "A" else "B") + good[-4:]
    with pytest.raises(SealError) as tampered:
        sealer.open(Kind.REFRESH, flipped)
    assert tampered.value.reason == "invalid"


def test_keys_rotate_newest_first() -> None:
    old, new = KEYS[0], KEYS[1]
    sealed_by_old = Sealer([old]).seal(Kind.ACCESS, {"n": 1}, lifetime_seconds=60)
    rotated = Sealer([new, old])
    assert rotated.open(Kind.ACCESS, sealed_by_old)["n"] == 1
    sealed_by_rotated = rotated.seal(Kind.ACCESS, {"n": 2}, lifetime_seconds=60)
    assert Sealer([new]).open(Kind.ACCESS, sealed_by_rotated)["n"] == 2  # the newest key seals
    with pytest.raises(SealError):
        Sealer([new]).open(Kind.ACCESS, sealed_by_old)  # old key retired: its values no longer open
