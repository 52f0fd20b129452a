"""flat_arguments (app/mcp/tools/signature.py): a model's fields become the tool's parameters."""

from __future__ import annotations

import inspect
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import Context
from pydantic import Field

from app.mcp.tools.inputs import StrictInput
from app.mcp.tools.signature import flat_arguments


class Greeting(StrictInput):
    name: Annotated[str, Field(min_length=1, description="Who to greet.")]
    times: Annotated[int, Field(ge=1, description="How often.")] = 1


@flat_arguments
async def greet(args: Greeting, ctx: Context[Any]) -> str:
    """Say hello."""
    return " ".join([f"hello {args.name}"] * args.times)


def test_signature_lists_the_fields_with_their_defaults_and_a_context() -> None:
    parameters = inspect.signature(greet).parameters
    assert list(parameters) == ["name", "times", "ctx"]
    assert parameters["name"].default is inspect.Parameter.empty and parameters["times"].default == 1
    assert greet.__name__ == "greet" and greet.__doc__ == "Say hello."


def test_the_handler_receives_the_model() -> None:
    result = anyio.run(lambda: greet(name="Ada", times=2, ctx=None))
    assert result == "hello Ada hello Ada"
