"""The suppression list's keyed hash (R6.11) is HMAC-SHA256 whatever the key and the text:
digests stored before stay comparable with digests computed now. Property-based (Hypothesis)."""

from __future__ import annotations

import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from candor.privacy.suppression import _pads, hmac_sha256

pytestmark = pytest.mark.req("R6.11")


@given(key=st.binary(min_size=1, max_size=200), message=st.binary(max_size=300))
def test_the_digest_is_hmac_sha256_for_any_key_and_message(key: bytes, message: bytes) -> None:
    # Keys longer than SHA-256's 64-byte block are hashed first, as RFC 2104 says.
    assert hmac_sha256(_pads(key), message) == hmac.digest(key, message, "sha256").hex()


@given(message=st.text(max_size=80))
def test_the_key_states_are_reused_not_consumed(message: str) -> None:
    pads = _pads(b"a key of the suppression list")
    first = hmac_sha256(pads, message.encode())
    assert hmac_sha256(pads, message.encode()) == first
    assert (
        hmac_sha256(pads, b"email:other@example.com") != first
        or message == "email:other@example.com"
    )
