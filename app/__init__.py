"""kling-mcp: a hosted MCP server for Kling video generation through the AceDataCloud API.

How the code is laid out (imports flow downwards: mcp -> kling -> upstream; http wraps the lot):

- `cli.py` reads the command line and the settings; `commands.py` runs serve, simulate or stdio.
- `settings.py`, `logging.py`, `metrics.py`, `tokens.py`: every setting, the log set-up, the
  Prometheus registry with the per-request record of upstream calls, and bearer-token handling.
- `errors.py`: the one error tree; every failure a tool reports is a `KlingMcpError`.
- `http/`: the HTTP edge. `app.py` (`create_app(settings)`), the bearer gate (`auth.py`), read
  deadlines (`head_deadline.py`) and body limits (`body_limits.py`), admission limits, 2025-era
  cancel frames, the choice of SDK transport (`routing.py`), and uvicorn with a graceful drain
  (`serving.py`).
- `kling/`: the Kling domain, free of MCP and HTTP. `catalog.py` is the model/capability table and
  `phrases.py` states its facts in words; `rules/` are the capability rules, one module per family;
  `status.py` normalises task records; `batch.py` and `wait.py` read many tasks at once.
- `upstream/`: the pooled client for the Kling API and its error branch.
- `mcp/`: what agents see. `server.py` builds the MCP server from `tools/inventory.py` (the one tool
  list), the prompts and the models resource; `results.py` shapes every outcome; `observer.py` logs
  and counts each request; `tools/` holds one module per tool domain; `task_board.py` (with
  `task_board.html`) is the MCP App view hosts show beside task results.
- `oauth/`: the OAuth door for connector platforms: sealed envelopes (`sealing.py`), the SDK's
  provider interface (`provider.py`), client metadata documents, the sign-in page, and the routes
  (`door.py`) that `http/app.py` mounts when `KLING_MCP_OAUTH_KEYS` is set.
- `simulator/`: a stand-in Kling API for tests and offline use, with its own tables on purpose.

Tests mirror this tree (`tests/<package>/test_<module>.py`), with `tests/e2e/` for what crosses
every layer; `scripts/gen_docs.py` regenerates the README's tables from the code.
"""

__version__ = "0.1.0"
