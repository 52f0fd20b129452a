"""The sign-in step of /authorize: the user pastes their AceDataCloud token once, it is checked with
one cheap upstream call, and the browser goes back to the client with a sealed code.

The form is protected by a double-submit CSRF cookie (SameSite=Strict) and an Origin check; each
client address gets a bounded number of attempts per minute. Nothing typed here is logged: only a
fingerprint of the token and the outcome.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
from mcp.server.auth.provider import construct_redirect_uri
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from app.http.admission import TokenBuckets, client_ip
from app.kling.batch import TASKS_PATH
from app.oauth.pages import error_page, sign_in_page
from app.oauth.provider import SIGN_IN_PATH, SealedProvider
from app.oauth.sealing import Kind, SealError
from app.tokens import fingerprint, token_problem
from app.upstream.client import CallKind, UpstreamClient
from app.upstream.errors import UpstreamAuthError, UpstreamError

logger = logging.getLogger(__name__)

CSRF_COOKIE = "kmcp_sign_in"
MAX_FORM_BYTES = 16 * 1024
# A status query for an id no task has: 200 means upstream accepts the token, 401 that it does not.
PROBE_TASK_ID = "00000000-0000-0000-0000-000000000000"


class SignIn:
    def __init__(
        self,
        provider: SealedProvider,
        upstream: UpstreamClient,
        limiter: TokenBuckets,
        *,
        max_token_length: int,
    ) -> None:
        self.provider = provider
        self.upstream = upstream
        self.limiter = limiter
        self.max_token_length = max_token_length
        self.read_timeout = provider.settings.request_read_timeout_seconds
        self.secure_cookie = provider.issuer.startswith("https://")

    def _open(self, value: str | None) -> dict[str, Any] | Response:
        try:
            return self.provider.sealer.open(Kind.SIGN_IN, value or "")
        except SealError as exc:
            if exc.reason == "expired":
                return error_page(
                    "This sign-in link expired", "It is valid for a limited time.", status_code=400
                )
            return error_page(
                "This sign-in link is not valid", "It was not made by this server.", status_code=400
            )

    async def page(self, request: Request) -> Response:
        sign_in = self._open(request.query_params.get("request"))
        if isinstance(sign_in, Response):
            return sign_in
        csrf = secrets.token_urlsafe(24)
        response = self._form(request.query_params["request"], sign_in, csrf)
        response.set_cookie(
            CSRF_COOKIE,
            csrf,
            max_age=self.provider.settings.oauth_sign_in_seconds,
            path=SIGN_IN_PATH,
            secure=self.secure_cookie,
            httponly=True,
            samesite="strict",
        )
        return response

    def _form(
        self,
        request_value: str,
        sign_in: dict[str, Any],
        csrf: str,
        error: str | None = None,
        status: int = 200,
    ) -> Response:
        return sign_in_page(
            client_name=sign_in["name"],
            redirect_uri=sign_in["uri"],
            request=request_value,
            csrf=csrf,
            error=error,
            status_code=status,
        )

    async def submit(self, request: Request) -> Response:
        if self.limiter.take(client_ip(request.scope)) > 0:
            return error_page("Too many attempts", "Wait a minute, then try again.", status_code=429)
        origin = request.headers.get("origin")
        if origin is not None and origin != _origin(self.provider.issuer):
            return error_page(
                "This form came from another site", "Open the sign-in link again.", status_code=403
            )
        form: dict[str, str] | None = None
        with anyio.move_on_after(self.read_timeout) as deadline:
            form = await _read_form(request)
        if deadline.cancelled_caught:
            return error_page("The form arrived too slowly", "Submit it again.", status_code=408)
        if form is None:
            return error_page("This form is too large", "Only the token is expected.", status_code=413)
        request_value = form.get("request", "")
        sign_in = self._open(request_value)
        if isinstance(sign_in, Response):
            return sign_in
        cookie = request.cookies.get(CSRF_COOKIE, "")
        if not cookie or not hmac.compare_digest(cookie, form.get("csrf", "")):
            return error_page(
                "This form expired",
                "Open the sign-in link again from the app, then submit the form once.",
                status_code=403,
            )
        token = form.get("token", "").strip()
        problem = self._check_form(token)
        if problem is None:
            problem = await self._check_upstream(token)
        if problem is not None:
            message, status = problem
            return self._form(request_value, sign_in, cookie, message, status)
        logger.info("OAuth sign-in for client %r with token %s", sign_in["name"], fingerprint(token))
        location = construct_redirect_uri(
            sign_in["uri"],
            code=self.provider.issue_code(sign_in, token),
            state=sign_in["state"],
            iss=self.provider.issuer,
        )
        response = RedirectResponse(location, status_code=303, headers={"cache-control": "no-store"})
        response.delete_cookie(CSRF_COOKIE, path=SIGN_IN_PATH)
        return response

    def _check_form(self, token: str) -> tuple[str, int] | None:
        if not token:
            return "Paste your AceDataCloud API token.", 400
        problem = token_problem(token, max_length=self.max_token_length)
        if problem is not None:
            return problem.replace("the bearer token", "That token").capitalize() + ": copy it again.", 400
        return None

    async def _check_upstream(self, token: str) -> tuple[str, int] | None:
        try:
            await self.upstream.post(
                TASKS_PATH, {"action": "retrieve", "id": PROBE_TASK_ID}, token=token, kind=CallKind.READ
            )
        except UpstreamAuthError:
            logger.info("OAuth sign-in refused: upstream rejected token %s", fingerprint(token))
            return "AceDataCloud did not accept this token. Copy it again from platform.acedata.cloud.", 400
        except UpstreamError as exc:
            logger.warning("OAuth sign-in could not check token %s: %s", fingerprint(token), exc.kind)
            return "AceDataCloud could not be reached to check the token. Try again in a minute.", 503
        return None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def _read_form(request: Request) -> dict[str, str] | None:
    """The urlencoded form, or None past MAX_FORM_BYTES (read no further than that)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}
