"""Settings: defaults, environment names, list parsing, and start-up errors that name the variable."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.settings import LOCAL_HOSTS, Settings, SettingsError, env_name, load_settings, memory_needed_mib


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]  # no stray .env
    for name in ("ACEDATACLOUD_API_BASE_URL", "ACEDATACLOUD_API_TOKEN", "KLING_MCP_ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_safe_for_local_use() -> None:
    settings = Settings()
    assert settings.api_base_url == "https://api.acedata.cloud"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.allowed_hosts == LOCAL_HOSTS and settings.dns_rebinding_protection
    assert settings.api_token is None


def test_platform_names_and_prefixed_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACEDATACLOUD_API_BASE_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("ACEDATACLOUD_API_TOKEN", "tok-SECRET-123")
    monkeypatch.setenv("KLING_MCP_READ_TIMEOUT_SECONDS", "3.5")
    settings = Settings()
    assert settings.api_base_url == "http://127.0.0.1:9"
    assert settings.api_token is not None and settings.api_token.get_secret_value() == "tok-SECRET-123"
    assert "tok-SECRET-123" not in repr(settings)
    assert settings.read_timeout_seconds == 3.5


@pytest.mark.parametrize(
    "raw",
    [
        "mcp.example.com,mcp.example.com:*",
        " mcp.example.com , mcp.example.com:* ",
        '["mcp.example.com", "mcp.example.com:*"]',
    ],
)
def test_host_lists_accept_commas_or_json(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("KLING_MCP_ALLOWED_HOSTS", raw)
    assert Settings().allowed_hosts == ["mcp.example.com", "mcp.example.com:*"]


def test_env_names() -> None:
    assert env_name("api_base_url") == "ACEDATACLOUD_API_BASE_URL"
    assert env_name("api_token") == "ACEDATACLOUD_API_TOKEN"
    assert env_name("read_timeout_seconds") == "KLING_MCP_READ_TIMEOUT_SECONDS"


def test_load_settings_error_names_every_bad_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLING_MCP_PORT", "99999")
    monkeypatch.setenv("ACEDATACLOUD_API_BASE_URL", "api.acedata.cloud")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "KLING_MCP_PORT" in message and "ACEDATACLOUD_API_BASE_URL" in message
    assert "http(s) URL" in message


def test_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from pathlib import Path

    Path(str(tmp_path), ".env").write_text("KLING_MCP_POLL_AFTER_SECONDS=30\n")
    assert Settings().poll_after_seconds == 30


def test_the_drain_must_outlast_a_submission() -> None:
    assert Settings(shutdown_grace_seconds=11, submit_timeout_seconds=5, connect_timeout_seconds=5)
    with pytest.raises(SettingsError) as caught:
        load_settings(shutdown_grace_seconds=30)  # defaults: 60 s submit + 5 s connect
    message = str(caught.value)
    assert "KLING_MCP_SHUTDOWN_GRACE_SECONDS (30) must be longer than" in message and "(65 s)" in message


def test_memory_needed_grows_with_the_body_pools() -> None:
    mib = 1024 * 1024
    assert memory_needed_mib(Settings()) == 96 + 10 * 4 + 6 * 16  # the defaults: 232 MiB
    bigger = Settings(max_media_bytes_in_flight=64 * mib)
    assert memory_needed_mib(bigger) == 96 + 10 * 4 + 6 * 64


def test_body_limits_must_fit_their_pools() -> None:
    with pytest.raises(ValidationError, match="each body limit must fit its pool"):
        Settings(max_media_request_body_bytes=32 * 1024 * 1024)  # over the 16 MiB media pool


def test_the_oauth_door_opens_only_with_valid_keys_and_a_public_url() -> None:
    key, older = "q" * 43 + "=", "r" * 43 + "="
    settings = Settings(oauth_keys=f"{key}, {older}", public_base_url="https://mcp.example.com/")
    assert settings.oauth_key_list == [key, older] and settings.public_base_url == "https://mcp.example.com"
    assert key not in repr(settings)
    assert Settings().oauth_key_list == [] and Settings(oauth_keys=" ").oauth_keys is None
    with pytest.raises(ValidationError, match="KLING_MCP_PUBLIC_BASE_URL must be too"):
        Settings(oauth_keys=key)
    with pytest.raises(ValidationError, match="32 random bytes"):
        Settings(oauth_keys="not-a-key", public_base_url="https://mcp.example.com")


def test_oauth_keys_can_come_from_a_mounted_file(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from pathlib import Path

    key = "q" * 43 + "="
    secret = Path(str(tmp_path)) / "keys"
    secret.write_text(key + "\n")
    monkeypatch.setenv("KLING_MCP_OAUTH_KEYS_FILE", str(secret))
    monkeypatch.setenv("KLING_MCP_PUBLIC_BASE_URL", "https://mcp.example.com")
    assert Settings().oauth_key_list == [key]
    secret.write_text("")  # the Kubernetes base ships the Secret empty: the door stays shut
    assert Settings().oauth_keys is None
    monkeypatch.setenv("KLING_MCP_OAUTH_KEYS_FILE", str(secret) + ".missing")
    with pytest.raises(ValidationError, match="cannot be read"):
        Settings()
