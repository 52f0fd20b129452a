"""The process's logging set-up (app/logging.py): text or JSON lines, and quiet chatty loggers."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator

import pytest

from app.logging import CHATTY_LOGGERS, JsonFormatter, TextFormatter, configure_logging

TOUCHED = (*CHATTY_LOGGERS, "uvicorn", "uvicorn.error", "uvicorn.access")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """configure_logging changes process-wide state: put it back so other tests are unaffected."""
    root = logging.getLogger()
    saved_root = (list(root.handlers), root.level)
    saved = {
        name: (list(lg.handlers), lg.level, lg.propagate)
        for name in TOUCHED
        for lg in [logging.getLogger(name)]
    }
    yield
    root.handlers[:] = saved_root[0]
    root.setLevel(saved_root[1])
    for name, (handlers, level, propagate) in saved.items():
        lg = logging.getLogger(name)
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate = propagate


def test_text_format_is_one_readable_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    logging.getLogger("kling_mcp.test").info("hello %s", "world")
    logging.getLogger("kling_mcp.test").debug("not shown")
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.rstrip().endswith("INFO kling_mcp.test: hello world")


def test_json_format_is_one_object_per_line_with_structured_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", "json")
    logging.getLogger("kling_mcp.test").warning("done in %d ms", 12, extra={"mcp": {"tool": "t", "ms": 12}})
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry.keys() == {"ts", "level", "logger", "message", "mcp"}
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "WARNING",
        "kling_mcp.test",
        "done in 12 ms",
    )
    assert entry["mcp"] == {"tool": "t", "ms": 12}
    assert entry["ts"].endswith("+00:00")


def test_json_carries_exception_text_and_only_known_extras() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
        record.exc_info = sys.exc_info()
    record.__dict__["token"] = "secret"  # not a structured field: never written
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in entry["exception"] and "Traceback" in entry["exception"]
    assert "mcp" not in entry and "token" not in entry


def test_only_one_handler_remains_after_configuring_twice() -> None:
    configure_logging("INFO")
    configure_logging("INFO", "json")
    root = logging.getLogger()
    assert len(root.handlers) == 1 and isinstance(root.handlers[0].formatter, JsonFormatter)
    assert root.level == logging.INFO


@pytest.mark.parametrize(("level", "chatty"), [("INFO", logging.WARNING), ("DEBUG", logging.DEBUG)])
def test_chatty_loggers_speak_only_at_debug(level: str, chatty: int) -> None:
    configure_logging(level)
    assert {logging.getLogger(name).level for name in CHATTY_LOGGERS} == {chatty}
    uvicorn = logging.getLogger("uvicorn.error")
    assert uvicorn.handlers == [] and uvicorn.propagate and uvicorn.level == logging.getLevelName(level)


def test_text_lines_escape_control_characters_so_no_caller_can_forge_a_line() -> None:
    formatter = TextFormatter("%(levelname)s %(message)s")
    record = logging.LogRecord(
        "app.requests", logging.INFO, __file__, 1, "tool %s", ("x\nINFO forged\r\t",), None
    )
    assert formatter.format(record) == "INFO tool x\\nINFO forged\\r\\t"
