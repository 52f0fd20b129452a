"""The SDK's authorization-server provider, with nothing stored: clients, codes and tokens are sealed.

The SDK's handlers (`mcp.server.auth`) do the protocol: request parsing, client authentication,
PKCE, redirect-URI checks, error shapes. This class answers their questions. What sealing alone
cannot give, single use, comes from the shared store: a code's id and each refresh token's
generation are marked used, and reusing a refresh token revokes its whole grant.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    AuthorizeError,
    RefreshToken,
    RegistrationError,
    TokenError,
)
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken

from app.idempotency.store import IdempotencyStore
from app.oauth.client_documents import ClientDocumentError, ClientDocuments, is_url_client_id
from app.oauth.sealing import Kind, Sealer, SealError, looks_sealed
from app.settings import Settings

logger = logging.getLogger(__name__)

SIGN_IN_PATH = "/oauth/sign-in"
# What a registered client's sealed id keeps: enough to answer every later question about it.
CLIENT_FIELDS = (
    "redirect_uris",
    "client_name",
    "client_uri",
    "token_endpoint_auth_method",
    "grant_types",
    "response_types",
    "scope",
)
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


class SignInCode(AuthorizationCode):
    upstream_token: str
    code_id: str


class SealedRefreshToken(RefreshToken):
    upstream_token: str
    grant: str
    generation: int


class SealedAccessToken(AccessToken):
    upstream_token: str


def client_ref(client_id: str) -> str:
    """A short stand-in for a client id inside tokens (a registered client's id is itself long)."""
    return hashlib.sha256(client_id.encode()).hexdigest()[:24]


def canonical_resource(url: str) -> str:
    """Platforms send the URL the user typed: compare without case in scheme and host, or a final slash."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def _redirect_allowed(uri: str) -> bool:
    """https anywhere; plain http only back to this machine; a native app's own scheme."""
    parts = urlsplit(uri)
    if parts.scheme == "https":
        return bool(parts.netloc)
    if parts.scheme == "http":
        return (parts.hostname or "") in LOOPBACK_HOSTS or parts.netloc.startswith("[::1]")
    return parts.scheme not in ("", "javascript", "data", "file", "vbscript")


class SealedProvider:
    def __init__(
        self,
        settings: Settings,
        sealer: Sealer,
        documents: ClientDocuments,
        used: IdempotencyStore,
        *,
        issuer: str,
    ) -> None:
        self.settings = settings
        self.sealer = sealer
        self.documents = documents
        self.used = used
        self.issuer = issuer
        self.resource = issuer + "/mcp"
        self.last_client_problem: dict[str, str] = {}  # why a URL client failed, for the error page

    # --- clients ----------------------------------------------------------------------------------
    async def get_client(self, client_id: str) -> OAuthClientInformationFull | None:
        if is_url_client_id(client_id):
            try:
                return await self.documents.get(client_id)
            except ClientDocumentError as exc:
                logger.info("URL client refused: %s", exc)
                self._note_problem(client_id, str(exc))
                return None
        if not looks_sealed(client_id, Kind.CLIENT):
            return None
        try:
            payload = self.sealer.open(Kind.CLIENT, client_id)
        except SealError:
            return None
        return OAuthClientInformationFull(
            client_id=client_id, client_secret=payload.get("secret"), **payload["meta"]
        )

    def _note_problem(self, client_id: str, problem: str) -> None:
        self.last_client_problem[client_id] = problem
        while len(self.last_client_problem) > 100:
            self.last_client_problem.pop(next(iter(self.last_client_problem)))

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        uris = [str(uri) for uri in client_info.redirect_uris or []]
        refused = [uri for uri in uris if not _redirect_allowed(uri)]
        if refused:
            raise RegistrationError(
                "invalid_redirect_uri",
                f"redirect_uris must be https, http on localhost, or an app's own scheme: {refused[0]}",
            )
        meta = client_info.model_dump(mode="json", include=set(CLIENT_FIELDS), exclude_none=True)
        # The handler answers with this very object: the sealed id is what the client receives.
        client_info.client_id = self.sealer.seal(
            Kind.CLIENT, {"meta": meta, "secret": client_info.client_secret}, lifetime_seconds=None
        )
        logger.info("registered OAuth client %r", client_info.client_name or "(no name)")

    # --- authorization ----------------------------------------------------------------------------
    async def authorize(self, client: OAuthClientInformationFull, params: AuthorizationParams) -> str:
        resource = params.resource or self.resource
        if canonical_resource(resource) != canonical_resource(self.resource):
            raise AuthorizeError("invalid_target", f"this server issues tokens only for {self.resource}")
        request = self.sealer.seal(
            Kind.SIGN_IN,
            {
                "cid": client.client_id,
                "name": client.client_name or "",
                "uri": str(params.redirect_uri),
                "explicit": params.redirect_uri_provided_explicitly,
                "state": params.state,
                "scopes": params.scopes or [],
                "pkce": params.code_challenge,
            },
            lifetime_seconds=self.settings.oauth_sign_in_seconds,
        )
        return f"{self.issuer}{SIGN_IN_PATH}?{urlencode({'request': request})}"

    def issue_code(self, sign_in: dict[str, Any], upstream_token: str) -> str:
        """The code for a finished sign-in: the request's facts and the token the user gave."""
        return self.sealer.seal(
            Kind.CODE,
            {
                "cid": client_ref(sign_in["cid"]),
                "uri": sign_in["uri"],
                "explicit": sign_in["explicit"],
                "scopes": sign_in["scopes"],
                "pkce": sign_in["pkce"],
                "up": upstream_token,
                "jti": secrets.token_urlsafe(16),
            },
            lifetime_seconds=self.settings.oauth_code_seconds,
        )

    async def load_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: str
    ) -> SignInCode | None:
        payload = self._open_for(client, Kind.CODE, authorization_code)
        if payload is None:
            return None
        return SignInCode(
            code=authorization_code,
            scopes=payload["scopes"],
            expires_at=payload["exp"],
            client_id=client.client_id or "",
            code_challenge=payload["pkce"],
            redirect_uri=payload["uri"],
            redirect_uri_provided_explicitly=payload["explicit"],
            resource=self.resource,
            upstream_token=payload["up"],
            code_id=payload["jti"],
        )

    async def exchange_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: SignInCode
    ) -> OAuthToken:
        first = await self.used.use_once(
            "code:" + authorization_code.code_id, self.settings.oauth_code_seconds + 60
        )
        if first is None:
            raise TokenError("invalid_grant", "this server could not record the code's use; sign in again")
        if not first:
            logger.warning("authorization code replayed for client %s", client_ref(client.client_id or ""))
            raise TokenError("invalid_grant", "this authorization code was already used; sign in again")
        return self._issue(
            client,
            authorization_code.scopes,
            authorization_code.upstream_token,
            grant=secrets.token_urlsafe(12),
            generation=0,
        )

    # --- tokens -----------------------------------------------------------------------------------
    def _issue(
        self,
        client: OAuthClientInformationFull,
        scopes: list[str],
        upstream_token: str,
        *,
        grant: str,
        generation: int,
    ) -> OAuthToken:
        common = {"cid": client_ref(client.client_id or ""), "scopes": scopes, "aud": self.resource}
        access = self.sealer.seal(
            Kind.ACCESS,
            {**common, "up": upstream_token},
            lifetime_seconds=self.settings.oauth_access_token_seconds,
        )
        refresh = self.sealer.seal(
            Kind.REFRESH,
            {**common, "up": upstream_token, "g": grant, "n": generation},
            lifetime_seconds=self.settings.oauth_refresh_token_seconds,
        )
        return OAuthToken(
            access_token=access,
            token_type="Bearer",  # noqa: S106
            expires_in=self.settings.oauth_access_token_seconds,
            refresh_token=refresh,
            scope=" ".join(scopes) or None,
        )

    async def load_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: str
    ) -> SealedRefreshToken | None:
        payload = self._open_for(client, Kind.REFRESH, refresh_token)
        if payload is None:
            return None
        return SealedRefreshToken(
            token=refresh_token,
            client_id=client.client_id or "",
            scopes=payload["scopes"],
            expires_at=payload["exp"],
            resource=payload["aud"],
            upstream_token=payload["up"],
            grant=payload["g"],
            generation=payload["n"],
        )

    async def exchange_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: SealedRefreshToken, scopes: list[str]
    ) -> OAuthToken:
        revoked_mark = "grant-revoked:" + refresh_token.grant
        ttl = self.settings.oauth_refresh_token_seconds
        revoked = await self.used.was_used(revoked_mark)
        first = (
            None
            if revoked is None
            else await self.used.use_once(f"refresh:{refresh_token.grant}:{refresh_token.generation}", ttl)
        )
        if revoked is None or first is None:
            raise TokenError("invalid_grant", "this server could not record the refresh; try again")
        if revoked:
            raise TokenError("invalid_grant", "this sign-in was revoked; sign in again")
        if not first:
            # RFC 9700 §4.14.2: a used refresh token coming back means one of two holders is a thief.
            await self.used.use_once(revoked_mark, ttl)
            logger.warning(
                "refresh token reused: grant revoked (client %s)", client_ref(client.client_id or "")
            )
            raise TokenError(
                "invalid_grant",
                "this refresh token was already used, so the sign-in was revoked; sign in again",
            )
        return self._issue(
            client,
            scopes or refresh_token.scopes,
            refresh_token.upstream_token,
            grant=refresh_token.grant,
            generation=refresh_token.generation + 1,
        )

    async def load_access_token(self, token: str) -> SealedAccessToken | None:
        try:
            payload = self.sealer.open(Kind.ACCESS, token)
        except SealError:
            return None
        return SealedAccessToken(
            token=token,
            client_id=payload["cid"],
            scopes=payload["scopes"],
            expires_at=payload["exp"],
            resource=payload["aud"],
            upstream_token=payload["up"],
        )

    def _open_for(self, client: OAuthClientInformationFull, kind: Kind, value: str) -> dict[str, Any] | None:
        """The payload of a code or refresh token issued to this very client, else None."""
        try:
            payload = self.sealer.open(kind, value)
        except SealError:
            return None
        return payload if payload["cid"] == client_ref(client.client_id or "") else None

    async def revoke_token(self, token: AccessToken | RefreshToken) -> None:
        # Not offered (no /revoke route): sealed tokens cannot be recalled without state.
        raise NotImplementedError

    async def exchange_identity_assertion(
        self, client: OAuthClientInformationFull, params: Any
    ) -> OAuthToken:
        raise TokenError("unsupported_grant_type", "identity assertions are not accepted here")
