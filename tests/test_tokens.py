"""Bearer tokens (app/tokens.py): reading the header, the sanity check, and the log-safe fingerprint."""

from __future__ import annotations

import re

import pytest

from app.tokens import fingerprint, parse_bearer, token_problem


def test_fingerprint_is_short_stable_hex_and_hides_the_token() -> None:
    token = "abc123abc123abc123"
    name = fingerprint(token)
    assert re.fullmatch(r"[0-9a-f]{12}", name)
    assert fingerprint(token) == name
    assert fingerprint(token + "x") != name
    assert token not in name and "abc123" not in name


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer tok-1", "tok-1"),
        ("bearer tok-1", "tok-1"),
        ("BEARER tok-1", "tok-1"),
        ("  Bearer    tok-1  ", "tok-1"),
    ],
)
def test_parse_bearer_reads_the_token(header: str, token: str) -> None:
    assert parse_bearer(header) == token


@pytest.mark.parametrize("header", [None, "", "   ", "Bearer", "Bearer   ", "Basic dXNlcjpwdw==", "tok-1"])
def test_parse_bearer_without_a_bearer_token_is_none(header: str | None) -> None:
    assert parse_bearer(header) is None


def test_token_problem_names_length_and_alphabet() -> None:
    assert token_problem("a" * 10, max_length=10) is None
    assert token_problem("a" * 11, max_length=10) == "the bearer token is longer than 10 characters"
    for bad in ("has space", 'quo"te', "tab\tin", "ünï"):
        problem = token_problem(bad, max_length=100)
        assert problem is not None and "characters" in problem


def test_token_problem_accepts_the_b64token_alphabet() -> None:
    assert token_problem("AZaz09-._~+/=", max_length=100) is None
