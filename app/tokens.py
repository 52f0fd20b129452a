"""Bearer tokens: how one is read from a header, sanity-checked, and named in logs.

A token is the caller's AceDataCloud API credential. It is only ever held for the duration of
the request that carried it, and only its fingerprint is ever written to a log.
"""

from __future__ import annotations

import hashlib
import string

_ALLOWED = frozenset(string.ascii_letters + string.digits + "-._~+/=")


def fingerprint(token: str) -> str:
    """A short, stable, non-reversible name for a token, safe for logs and metrics."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


def parse_bearer(header: str | None) -> str | None:
    """The token from an `Authorization: Bearer <token>` header, or None when there is none."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = token.strip()
    return token or None


def token_problem(token: str, *, max_length: int) -> str | None:
    """Why a token cannot be a real API token, or None when it is plausible.

    RFC 6750 limits a bearer token to the b64token alphabet; anything else (spaces, quotes,
    control characters) could only fail upstream, so it is refused before any call is made.
    """
    if len(token) > max_length:
        return f"the bearer token is longer than {max_length} characters"
    if not set(token) <= _ALLOWED:
        return "the bearer token contains characters that no API token has"
    return None
