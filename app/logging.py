"""One logging set-up for the whole process, applied by the CLI before anything else runs.

Our own loggers and the SDK's follow `KLING_MCP_LOG_LEVEL`. httpx2/httpcore2 and the SDK's
per-request session lines repeat what our request and upstream lines say, so they speak only at
DEBUG. `KLING_MCP_LOG_FORMAT=json` writes one JSON object per line, with the structured fields a
record carries (the per-request line's `mcp` object). Nothing here formats a request body or a
header: tokens and prompts stay out of logs.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

CHATTY_LOGGERS = ("httpx2", "httpcore2", "mcp.server.streamable_http", "mcp.server.streamable_http_manager")
STRUCTURED_FIELDS = ("mcp", "submission")


# Control characters in a message (a client's tool name, say) are shown escaped, so no caller can
# start a forged line in a text log.
_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(32), 127)} | {
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


class TextFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = record.message.translate(_ESCAPES)
        return super().formatMessage(record)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in STRUCTURED_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str, fmt: str = "text") -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    quiet = level if level == "DEBUG" else "WARNING"
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
        logging.getLogger(name).setLevel(level)
