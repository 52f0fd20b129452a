"""The HTML of the OAuth door: the sign-in form and the error page. No scripts, no external assets.

Pages are plain server-rendered HTML with one inline style sheet, allowed by its hash in the
Content-Security-Policy; the colours follow the reader's light or dark preference and meet WCAG AA.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from urllib.parse import urlsplit

from starlette.responses import HTMLResponse

TOKEN_CONSOLE_URL = "https://platform.acedata.cloud"  # noqa: S105 - where users find their token

CSS = """
:root{color-scheme:light dark;--bg:#f5f6f8;--card:#fff;--text:#16181d;--muted:#4a5060;--line:#c9ced8;
--accent:#1d4ed8;--accent-text:#fff;--error-bg:#fdecec;--error-text:#8a1414;--focus:#1d4ed8}
@media (prefers-color-scheme:dark){:root{--bg:#0f1115;--card:#1a1d24;--text:#eef0f4;--muted:#b4bac6;
--line:#3a404c;--accent:#2f6fed;--accent-text:#fff;--error-bg:#3a1618;--error-text:#ffc9c9;--focus:#8db3ff}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:30rem;margin:0 auto;padding:2.5rem 1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1.5rem}
h1{font-size:1.35rem;line-height:1.3;margin:0 0 .75rem}
p{margin:.5rem 0}
.muted{color:var(--muted);font-size:.9rem}
.who{border-left:3px solid var(--accent);padding:.25rem 0 .25rem .75rem;margin:1rem 0}
label{display:block;font-weight:600;margin:1.25rem 0 .35rem}
input[type=password]{width:100%;font:inherit;padding:.6rem .7rem;border:1px solid var(--line);
border-radius:8px;background:var(--card);color:var(--text)}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
button{margin-top:1.25rem;width:100%;font:inherit;font-weight:600;padding:.7rem;border:0;border-radius:8px;
background:var(--accent);color:var(--accent-text);cursor:pointer}
a{color:var(--accent)}
@media (prefers-color-scheme:dark){a{color:#9dbdff}}
.error{background:var(--error-bg);color:var(--error-text);border-radius:8px;padding:.75rem;margin:1rem 0}
code{font-size:.9em;overflow-wrap:anywhere}
"""
_STYLE_HASH = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()


def _headers(form_targets: str = "") -> dict[str, str]:
    policy = (
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self' {form_targets}".rstrip()
        + "; frame-ancestors 'none'; base-uri 'none'"
    )
    return {
        "content-security-policy": policy,
        "cache-control": "no-store",
        # same-origin: the form's POST carries our Origin (checked), and nothing of this page's URL
        # reaches the app it sends the browser back to.
        "referrer-policy": "same-origin",
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
    }


def _document(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f'<body><main><div class="card">{body}</div></main></body></html>'
    )


def redirect_origin(uri: str) -> str:
    """Where a browser is sent back to, as a CSP source and as the host shown to the user."""
    parts = urlsplit(uri)
    if parts.scheme in ("http", "https"):
        return f"{parts.scheme}://{parts.netloc}"
    return f"{parts.scheme}:"


def sign_in_page(
    *,
    client_name: str,
    redirect_uri: str,
    request: str,
    csrf: str,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    name = escape(client_name or "An unnamed app")
    parts = urlsplit(redirect_uri)
    back_to = escape(parts.hostname or redirect_origin(redirect_uri))
    local = (parts.hostname or "") in ("localhost", "127.0.0.1", "::1")
    alert = f'<div class="error" role="alert" id="problem">{escape(error)}</div>' if error else ""
    described = "token-help problem" if error else "token-help"
    body = (
        f"<h1>Connect {name} to Kling video generation</h1>"
        f'<div class="who"><p><strong>{name}</strong> asks to make Kling videos with your '
        "AceDataCloud account.</p>"
        f"<p>After you connect, you go back to <strong>{back_to}</strong>.</p>"
        + (
            '<p class="muted">That address is on your own computer: connect only if you started this '
            "from an app you run yourself.</p>"
            if local
            else ""
        )
        + "</div>"
        + alert
        + '<form method="post" action="sign-in">'
        f'<input type="hidden" name="request" value="{escape(request)}">'
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
        '<label for="token">AceDataCloud API token</label>'
        f'<input type="password" id="token" name="token" required autocomplete="off" spellcheck="false" '
        f'aria-describedby="{described}"'
        + (' aria-invalid="true" autofocus' if error else " autofocus")
        + ">"
        f'<p class="muted" id="token-help">Find it at <a href="{TOKEN_CONSOLE_URL}" target="_blank" '
        'rel="noopener noreferrer">platform.acedata.cloud</a> under API credentials. It is checked with '
        "AceDataCloud once, then kept only inside the encrypted sign-in that this app receives.</p>"
        '<button type="submit">Connect</button></form>'
        '<p class="muted">Videos spend your AceDataCloud credits only when the app asks for one.</p>'
    )
    return HTMLResponse(
        _document(f"Connect {client_name or 'an app'} to Kling", body),
        status_code=status_code,
        headers=_headers(redirect_origin(redirect_uri)),
    )


def error_page(title: str, message: str, *, status_code: int) -> HTMLResponse:
    body = (
        f'<h1>{escape(title)}</h1><p role="alert">{escape(message)}</p>'
        '<p class="muted">Nothing was sent back to the app. Start the connection again from the app '
        "(for example, remove and add the connector).</p>"
    )
    return HTMLResponse(_document(title, body), status_code=status_code, headers=_headers())
