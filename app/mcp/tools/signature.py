"""Tools whose arguments are the fields of one input model, spread out as top-level parameters.

Most tools take their arguments flat (`prompt`, `model`, ...), as the competitor's tools do, yet
the code wants one typed model per tool: the rules read it and the upstream body is dumped from
it. `flat_arguments` gives the SDK a function whose signature lists the model's fields with their
exact annotations and defaults, so the published schema is what the fields declare, and hands the
handler the model. Fields must be declared as `name: Annotated[type, Field(...)] = default`, since
the annotation is what the SDK reads.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, get_type_hints

from mcp.server.mcpserver import Context
from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")


def flat_arguments(handler: Callable[[M, Context[Any]], Awaitable[R]]) -> Callable[..., Awaitable[R]]:
    hints = get_type_hints(handler)
    model_name = next(iter(inspect.signature(handler).parameters))
    input_model: type[M] = hints[model_name]
    annotations = get_type_hints(input_model, include_extras=True)
    parameters = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=inspect.Parameter.empty if field.is_required() else field.default,
            annotation=annotations[name],
        )
        for name, field in input_model.model_fields.items()
    ]
    parameters.append(inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context[Any]))

    async def tool(ctx: Context[Any], **arguments: Any) -> R:
        # The SDK has validated `arguments` against these very annotations: build without validating twice.
        return await handler(input_model.model_construct(**arguments), ctx)

    tool.__name__ = tool.__qualname__ = handler.__name__
    tool.__doc__ = handler.__doc__
    tool.__module__ = handler.__module__
    tool.__signature__ = inspect.Signature(parameters, return_annotation=hints["return"])  # type: ignore[attr-defined]
    tool.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": hints["return"]}
    return tool
