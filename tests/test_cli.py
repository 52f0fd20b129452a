"""The command line (app/cli.py) in subprocesses: the version, bad settings, a missing stdio token."""

from __future__ import annotations

import subprocess

import pytest

from tests.helpers import ENTRY, clean_env

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ENTRY, *args], env=clean_env(**env), capture_output=True, text=True, timeout=30, check=False
    )


def test_stdio_without_token_says_what_to_set() -> None:
    result = run_cli("stdio")
    assert result.returncode == 2
    assert "ACEDATACLOUD_API_TOKEN" in result.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"KLING_MCP_PORT": "eighty"}, "KLING_MCP_PORT"),
        ({"ACEDATACLOUD_API_BASE_URL": "ftp://example.com"}, "ACEDATACLOUD_API_BASE_URL"),
        ({"KLING_MCP_READ_TIMEOUT_SECONDS": "-1"}, "KLING_MCP_READ_TIMEOUT_SECONDS"),
        ({"KLING_MCP_LOG_LEVEL": "LOUD"}, "KLING_MCP_LOG_LEVEL"),
        ({"KLING_MCP_SHUTDOWN_GRACE_SECONDS": "30"}, "KLING_MCP_SUBMIT_TIMEOUT_SECONDS"),
    ],
)
def test_bad_setting_stops_startup_naming_the_variable(env: dict[str, str], named: str) -> None:
    result = run_cli("serve", **env)
    assert result.returncode == 2
    assert named in result.stderr and "invalid configuration" in result.stderr
    assert "Traceback" not in result.stderr


def test_version_flag() -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("kling-mcp ")
