"""Every knob the server has, read from the environment and `.env`.

Each field is one named setting with a default that is safe for local use; the README's settings
table is checked against this class by `tests/scripts/test_gen_docs.py`. Server settings carry the
`KLING_MCP_` prefix; the two AceDataCloud names are fixed by the platform and bound by alias.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

LOCAL_HOSTS = ["127.0.0.1", "127.0.0.1:*", "localhost", "localhost:*", "[::1]", "[::1]:*"]
LOCAL_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]


def _split_list(value: Any) -> Any:
    """Accept `a,b,c` as well as a JSON list: operators write the former in env files."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


CommaList = Annotated[list[str], NoDecode]


GC_YOUNG_THRESHOLD = 50_000  # the default; `kling-mcp simulate` uses it too


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KLING_MCP_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        frozen=True,
    )

    # --- upstream -------------------------------------------------------------------------------
    api_base_url: str = Field(
        default="https://api.acedata.cloud",
        validation_alias=AliasChoices("ACEDATACLOUD_API_BASE_URL", "api_base_url"),
        description="Base URL of the AceDataCloud API; the server calls only this host.",
    )
    api_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("ACEDATACLOUD_API_TOKEN", "api_token"),
        description="Token for `kling-mcp stdio` only. The HTTP server never uses it.",
    )
    read_timeout_seconds: float = Field(
        default=15.0, gt=0, le=300, description="Total time for one task query (`/kling/tasks`)."
    )
    submit_timeout_seconds: float = Field(
        default=60.0, gt=0, le=600, description="Total time for one generation submission."
    )
    connect_timeout_seconds: float = Field(
        default=5.0, gt=0, le=60, description="Time to open a TCP/TLS connection to upstream."
    )
    max_connections: int = Field(default=200, ge=1, le=10_000, description="Upstream connection pool size.")
    max_keepalive_connections: int = Field(
        default=50, ge=0, le=10_000, description="Idle upstream connections kept open."
    )
    upstream_max_concurrency: int = Field(
        default=100, ge=1, le=10_000, description="Upstream requests in flight at once, per process."
    )
    upstream_max_concurrency_per_token: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description="Upstream requests in flight at once for one caller, so no caller starves the others.",
    )
    token_verdict_seconds: float = Field(
        default=60,
        ge=0,
        le=3600,
        description="How long upstream's verdict on a token is remembered (0: off).",
    )
    token_verdicts_max: int = Field(
        default=10_000, ge=1, le=10_000_000, description="Token verdicts remembered (least recent dropped)."
    )
    read_retries: int = Field(
        default=2, ge=0, le=10, description="Retries of a task query after 429, 5xx or a network error."
    )
    retry_backoff_seconds: float = Field(
        default=0.25, ge=0, le=10, description="First retry delay; doubles each time, with jitter."
    )
    retry_backoff_max_seconds: float = Field(
        default=4.0, ge=0, le=60, description="Cap on one retry delay, `Retry-After` included."
    )
    batch_chunk_size: int = Field(
        default=50, ge=1, le=500, description="Task ids per upstream `retrieve_batch` request."
    )
    batch_max_concurrency: int = Field(
        default=20,
        ge=1,
        le=200,
        description="Batch chunks in flight at once, per call. 20 x 50 = 1,000 ids in one round trip.",
    )
    batch_max_ids: int = Field(
        default=1000, ge=1, le=10_000, description="Most distinct task ids one batch call may ask for."
    )
    batch_raw_max_ids: int = Field(
        default=100,
        ge=0,
        le=10_000,
        description="Most ids a batch call may ask raw records for (~2 KB each; SDK clients cap a message "
        "at 1 MiB).",
    )
    wait_default_timeout_seconds: int = Field(
        default=50,
        ge=1,
        le=3600,
        description="kling_wait_for_tasks timeout when the caller gives none; under the common 60 s "
        "client limit.",
    )
    wait_max_timeout_seconds: int = Field(
        default=600, ge=1, le=3600, description="Longest timeout_seconds kling_wait_for_tasks accepts."
    )
    wait_first_poll_seconds: float = Field(
        default=2.0, gt=0, le=60, description="kling_wait_for_tasks: first pause between polls; grows 1.5x."
    )
    wait_max_poll_seconds: float = Field(
        default=15.0, gt=0, le=300, description="kling_wait_for_tasks: longest pause between polls."
    )
    wait_heartbeat_seconds: float = Field(
        default=10.0,
        gt=0,
        le=15,
        description="kling_wait_for_tasks: most time between progress notifications.",
    )
    poll_after_seconds: int = Field(
        default=15, ge=1, le=600, description="Suggested wait before polling a task that is not finished."
    )
    max_concurrent_waits: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="kling_wait_for_tasks calls held at once per process, apart from other calls (503 "
        "past it); unset: what the memory limit leaves after the request-body pools, at the measured cost "
        "per wait.",
    )
    max_concurrent_waits_per_token: int = Field(
        default=256,
        ge=1,
        le=1_000_000,
        description="kling_wait_for_tasks calls held at once per API token (429 past it).",
    )
    max_concurrent_wait_openings: int = Field(
        default=16,
        ge=1,
        le=10_000,
        description="kling_wait_for_tasks calls being opened at once per process (until each first reports "
        "statuses); more wait their turn, so that heartbeats and other calls stay on time.",
    )
    memory_limit_mib: int | None = Field(
        default=None,
        ge=64,
        le=1_048_576,
        description="The process's memory limit, for the wait budget; unset: the container's (cgroup), else "
        "512.",
    )

    # --- HTTP server ----------------------------------------------------------------------------
    host: str = Field(default="127.0.0.1", description="Interface `kling-mcp serve` binds to.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port `kling-mcp serve` listens on.")
    public_base_url: str | None = Field(
        default=None,
        description="Public URL of this server (e.g. `https://mcp.example.com`), used in the 401 challenge "
        "and the RFC 9728 document. Unset: taken from each request.",
    )
    allowed_hosts: CommaList = Field(
        default_factory=lambda: list(LOCAL_HOSTS),
        description="Host headers accepted on `/mcp` (`name` or `name:*` for any port). Comma-separated.",
    )
    allowed_origins: CommaList = Field(
        default_factory=lambda: list(LOCAL_ORIGINS),
        description="Origin headers accepted on `/mcp` (browsers only send one). Comma-separated.",
    )
    dns_rebinding_protection: bool = Field(
        default=True,
        description="Check Host and Origin on `/mcp`. Turn off only if the ingress enforces Host.",
    )
    authorization_servers: CommaList = Field(
        default_factory=list,
        description="Authorization servers listed in the RFC 9728 document. Empty: none is advertised, "
        "since callers bring an AceDataCloud API token.",
    )
    max_request_body_bytes: int = Field(
        default=256 * 1024,
        ge=16 * 1024,
        le=64 * 1024 * 1024,
        description="Largest request body (413 past it); fits 1,000 ids of 128 characters.",
    )
    max_media_request_body_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=16 * 1024,
        le=64 * 1024 * 1024,
        description="Largest body of a base64 media call (kling_lip_sync); fits 5 MB of audio.",
    )
    max_request_bytes_in_flight: int = Field(
        default=4 * 1024 * 1024,
        ge=16 * 1024,
        le=4 * 1024 * 1024 * 1024,
        description="Bytes of ordinary bodies held at once (503 past it); sizes memory: docs/operations.md.",
    )
    max_media_bytes_in_flight: int = Field(
        default=16 * 1024 * 1024,
        ge=16 * 1024,
        le=4 * 1024 * 1024 * 1024,
        description="Bytes of larger (media) bodies held at once (503 past it); sizes memory too.",
    )
    request_read_timeout_seconds: float = Field(
        default=10,
        gt=0,
        le=300,
        description="Time for a request body to arrive whole; a slower one gets HTTP 408, never a slot.",
    )
    max_concurrent_requests: int = Field(
        default=256,
        ge=1,
        le=100_000,
        description="MCP calls in flight per process; more get HTTP 503 with Retry-After at once.",
    )
    max_concurrent_requests_per_token: int = Field(
        default=32,
        ge=1,
        le=100_000,
        description="MCP calls in flight at once per API token; more get HTTP 429.",
    )
    max_concurrent_unverified_per_ip: int = Field(
        default=64,
        ge=1,
        le=100_000,
        description="Calls in flight per client IP with tokens upstream has not yet accepted (429 past it).",
    )
    busy_refusal_delay_seconds: float = Field(
        default=0.25,
        ge=0,
        le=5,
        description="Pause before a 503 busy answer, so clients that retry at once cannot spin the CPU.",
    )
    rate_limit_per_minute: int = Field(
        default=0,
        ge=0,
        le=1_000_000,
        description="Requests per minute per API token (per IP until upstream accepts it); 0: off.",
    )
    rate_limit_burst: int = Field(
        default=0,
        ge=0,
        le=1_000_000,
        description="Requests a token may send at once; 0 means one minute's worth.",
    )
    rate_limit_max_callers: int = Field(
        default=10_000,
        ge=1,
        le=10_000_000,
        description="Callers tracked by the rate limiter (least recent dropped).",
    )
    max_token_length: int = Field(
        default=4096, ge=16, le=65_536, description="Longest accepted bearer token; longer ones get HTTP 401."
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Proxies whose `X-Forwarded-*` headers uvicorn trusts (comma-separated, or `*`).",
    )
    idempotency_ttl_seconds: int = Field(
        default=86_400,
        ge=60,
        le=30 * 86_400,
        description="How long an idempotency_key gives back its first submission's answer.",
    )
    idempotency_max_records: int = Field(
        default=100_000,
        ge=100,
        le=10_000_000,
        description="Idempotency records kept in process when there is no Redis (oldest answered go first).",
    )
    ui_media_domains: CommaList = Field(
        default_factory=lambda: ["https://platform2.cdn.acedata.cloud", "https://cdn.acedata.cloud"],
        description="Origins the task board's videos load from (its CSP); where upstream hosts results.",
    )
    conformance_fixtures: bool = Field(
        default=False,
        description="Test only: also serve the conformance suite's fixture tools (greet, slow_compute, ...).",
    )
    # --- OAuth door (for connector platforms that cannot send a raw token) ------------------------
    oauth_keys: SecretStr | None = Field(
        default=None,
        description="Turns the OAuth door on: comma-separated Fernet keys, newest first (old ones still "
        "open what they sealed). Needs KLING_MCP_PUBLIC_BASE_URL. docs/oauth.md.",
    )
    oauth_keys_file: str | None = Field(
        default=None,
        description="A file holding the OAuth keys (a mounted Secret), read at start-up when "
        "KLING_MCP_OAUTH_KEYS is unset.",
    )
    oauth_access_token_seconds: int = Field(
        default=3600, ge=60, le=86_400, description="Lifetime of an OAuth access token."
    )
    oauth_refresh_token_seconds: int = Field(
        default=30 * 86_400,
        ge=3600,
        le=365 * 86_400,
        description="Lifetime of an OAuth refresh token; each use replaces it.",
    )
    oauth_code_seconds: int = Field(
        default=60, ge=10, le=600, description="Lifetime of an authorization code (used once)."
    )
    oauth_sign_in_seconds: int = Field(
        default=900, ge=60, le=3600, description="How long a sign-in page stays valid once opened."
    )
    oauth_registrations_per_minute: int = Field(
        default=10, ge=1, le=10_000, description="Client registrations and sign-ins per client IP per minute."
    )
    oauth_client_document_max_bytes: int = Field(
        default=64 * 1024,
        ge=5 * 1024,
        le=1024 * 1024,
        description="Largest client metadata document fetched for a URL client_id.",
    )
    oauth_client_document_timeout_seconds: float = Field(
        default=5, gt=0, le=30, description="Time to fetch a client metadata document."
    )
    oauth_client_document_fetches_per_minute: int = Field(
        default=60,
        ge=1,
        le=10_000,
        description="Client metadata documents fetched per minute, all callers together (past it: refused).",
    )
    oauth_client_document_cache_seconds: int = Field(
        default=3600, ge=0, le=86_400, description="How long a fetched client metadata document is reused."
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis shared by all replicas for idempotency records; unset: kept in process.",
    )
    redis_timeout_seconds: float = Field(
        default=1.0, gt=0, le=30, description="Time for one Redis command, connecting included."
    )
    shutdown_grace_seconds: int = Field(
        default=75,
        ge=1,
        le=3600,
        description="On SIGTERM, how long in-flight calls may finish; must exceed submit + connect timeouts.",
    )
    metrics_enabled: bool = Field(default=True, description="Serve Prometheus metrics at /metrics.")
    metrics_port: int = Field(
        default=9100,
        ge=0,
        le=65535,
        description="Port of /metrics, apart from the MCP port (which answers 404 there); 0: any free port.",
    )
    gc_young_threshold: int = Field(
        default=GC_YOUNG_THRESHOLD,
        ge=700,
        le=10_000_000,
        description="Allocations between garbage-collector passes over new objects (Python's default: "
        "700); a 1,000-id batch allocates about 100,000.",
    )
    access_log: bool = Field(
        default=False,
        description="Also log uvicorn's access line per request; the server logs one line per call anyway.",
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="text for people, json (one object per line) for log pipelines."
    )
    log_level: LogLevel = Field(default="INFO", description="Level for this server and its libraries.")

    @field_validator(
        "allowed_hosts", "allowed_origins", "authorization_servers", "ui_media_domains", mode="before"
    )
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _split_list(value)

    @field_validator("api_base_url", "public_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an absolute http(s) URL such as https://api.acedata.cloud")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _drain_outlasts_a_submission(self) -> Settings:
        # A submission upstream may already have billed must be answered, not cut by the drain.
        longest_submit = self.submit_timeout_seconds + self.connect_timeout_seconds
        if self.shutdown_grace_seconds <= longest_submit:
            raise ValueError(
                f"KLING_MCP_SHUTDOWN_GRACE_SECONDS ({self.shutdown_grace_seconds}) must be longer than "
                "KLING_MCP_SUBMIT_TIMEOUT_SECONDS + KLING_MCP_CONNECT_TIMEOUT_SECONDS "
                f"({longest_submit:g} s), so that a submission in flight at shutdown still gets its answer"
            )
        return self

    @model_validator(mode="after")
    def _body_limits_nest(self) -> Settings:
        # Otherwise a call the size limits allow could never be admitted.
        if not (
            self.max_request_body_bytes <= self.max_media_request_body_bytes
            and self.max_request_body_bytes <= self.max_request_bytes_in_flight
            and self.max_media_request_body_bytes <= self.max_media_bytes_in_flight
        ):
            raise ValueError(
                "each body limit must fit its pool: KLING_MCP_MAX_REQUEST_BODY_BYTES <= "
                "KLING_MCP_MAX_REQUEST_BYTES_IN_FLIGHT, KLING_MCP_MAX_MEDIA_REQUEST_BODY_BYTES <= "
                "KLING_MCP_MAX_MEDIA_BYTES_IN_FLIGHT, and the ordinary limit <= the media limit"
            )
        return self

    @model_validator(mode="before")
    @classmethod
    def _keys_from_file(cls, data: Any) -> Any:
        # Kubernetes mounts the keys as a file, so that they never appear in the pod's environment.
        if isinstance(data, dict) and data.get("oauth_keys_file") and not data.get("oauth_keys"):
            path = data["oauth_keys_file"]
            try:
                with open(path, encoding="utf-8") as file:
                    return {**data, "oauth_keys": file.read().strip()}
            except OSError as exc:
                raise ValueError(
                    f"KLING_MCP_OAUTH_KEYS_FILE {path!r} cannot be read: {exc.strerror}"
                ) from None
        return data

    @field_validator("oauth_keys")
    @classmethod
    def _fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        for key in _split_list(value.get_secret_value()):
            try:
                if len(base64.urlsafe_b64decode(key.encode())) != 32:
                    raise ValueError
            except ValueError:
                raise ValueError(
                    "each key must be 32 random bytes in URL-safe base64 (44 characters), as `python -c "
                    "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'` prints"
                ) from None
        return value

    @model_validator(mode="after")
    def _oauth_needs_a_public_url(self) -> Settings:
        # The issuer and every redirect are compared as exact strings by clients: they must not
        # depend on which Host header a request came with.
        if self.oauth_keys is not None and not self.public_base_url:
            raise ValueError(
                "KLING_MCP_OAUTH_KEYS is set, so KLING_MCP_PUBLIC_BASE_URL must be too: the public "
                "https URL clients reach this server at (http://127.0.0.1:PORT or http://localhost:PORT "
                "for local use)"
            )
        return self

    @property
    def oauth_key_list(self) -> list[str]:
        """The OAuth sealing keys, newest first; empty when the door is off."""
        return [] if self.oauth_keys is None else _split_list(self.oauth_keys.get_secret_value())

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


# What a process needs, measured with bench/memory_bench.py (docs/operations.md "Memory budget"): RSS at
# rest plus ordinary traffic, and the bytes of memory each byte of a held body costs while its call
# runs (the SDK's copies, the parsed JSON, the validated arguments, the body sent upstream).
BASELINE_MIB = 96
ORDINARY_BYTE_COST = 10  # the worst ordinary body: a batch of 1,000 ids, parsed into 1,000 strings
MEDIA_BYTE_COST = 6


def memory_needed_mib(settings: Settings) -> int:
    """The memory limit a process needs when strangers fill both request-body pools."""
    held = (
        ORDINARY_BYTE_COST * settings.max_request_bytes_in_flight
        + MEDIA_BYTE_COST * settings.max_media_bytes_in_flight
    )
    return BASELINE_MIB + -(-held // (1024 * 1024))


def env_name(field: str) -> str:
    """The environment variable that sets `field`, as shown to operators."""
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        first = alias.choices[0]
        if isinstance(first, str):
            return first
    return f"KLING_MCP_{field.upper()}"


class SettingsError(Exception):
    """Start-up configuration is invalid; the message names each variable and what is wrong."""


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            if not err["loc"]:  # a rule about several settings: its message names them
                lines.append(f"  {err['msg'].removeprefix('Value error, ')}")
                continue
            field = str(err["loc"][0])
            name = env_name(field) if field in Settings.model_fields else field
            shown = "" if field == "api_token" else f" (got {err.get('input')!r})"
            lines.append(f"  {name}: {err['msg']}{shown}")
        raise SettingsError("invalid configuration:\n" + "\n".join(lines)) from exc
