"""One logging set-up for the whole process, applied by the CLI before anything else runs.

Our own loggers and the SDK's follow `KLING_MCP_LOG_LEVEL`. httpx2/httpcore2 and the SDK's
per-request session lines repeat what our upstream log says, so they speak only at DEBUG.
Nothing here ever formats a request body or header: tokens and prompts stay out of logs.
"""

from __future__ import annotations

import logging
import sys

CHATTY_LOGGERS = ("httpx2", "httpcore2", "mcp.server.streamable_http", "mcp.server.streamable_http_manager")


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    quiet = level if level == "DEBUG" else "WARNING"
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
        logging.getLogger(name).setLevel(level)
