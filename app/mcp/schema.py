"""The JSON schemas agents read, without what pydantic adds for people and costs agents tokens.

Every conversation pays for `tools/list`. pydantic's schemas carry an auto-generated `title` on
every property and model, wrap each optional field as `anyOf: [X, {"type": "null"}]` with
`"default": null`, and repeat nothing an agent needs. Here, applied once at registration:

- `title` keywords go (a property *named* "title" stays: only schema keywords are touched);
- an optional field becomes plain `X`: leaving it out is how an agent says "none", and results
  never carry nulls (`CompactModel`), so the schema stays true to what is sent and returned;
- `default: null` goes;
- a `$defs` entry used once is written in place (the reference and its name cost more than they
  save); shared ones stay;
- `limits` set keywords from this deployment's settings (`maxItems` of a batch, a wait's `maximum`),
  so the schema, not only the prose, states the limits the server enforces.

Argument validation is untouched: the SDK validates arguments with the pydantic models, not with
the published schema.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

_SCHEMA_MAPS = ("properties", "$defs", "patternProperties")
_SCHEMA_VALUES = ("items", "additionalProperties", "not", "if", "then", "else", "contains")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")


def compact(
    schema: dict[str, Any],
    limits: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    output: bool = False,
) -> dict[str, Any]:
    """A compacted copy of `schema`; `limits` maps a top-level property to keywords to set on it
    (for an array property, keywords named `items.<keyword>` go to its items). An output schema also
    loses its `default`s, which say nothing about a result."""
    result: dict[str, Any] = _inline_single_use(_compact(copy.deepcopy(schema), output))
    for name, keywords in (limits or {}).items():
        target = result["properties"][name]
        for keyword, value in keywords.items():
            if keyword.startswith("items."):
                target["items"][keyword.removeprefix("items.")] = value
            else:
                target[keyword] = value
    return result


def _compact(schema: Any, output: bool) -> Any:
    if not isinstance(schema, dict):
        return schema
    schema.pop("title", None)
    if "default" in schema and (output or schema["default"] is None):
        del schema["default"]
    schema = _without_null_branch(schema)
    for key in _SCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            schema[key] = {name: _compact(sub, output) for name, sub in schema[key].items()}
    for key in _SCHEMA_VALUES:
        if isinstance(schema.get(key), dict):
            schema[key] = _compact(schema[key], output)
    for key in _SCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            schema[key] = [_compact(sub, output) for sub in schema[key]]
    return schema


def _without_null_branch(schema: dict[str, Any]) -> dict[str, Any]:
    """`{anyOf: [X, {type: null}], ...rest}` -> `{...X, ...rest}` (rest: description and the like)."""
    branches = schema.get("anyOf")
    if not isinstance(branches, list) or {"type": "null"} not in branches:
        return schema
    kept = [branch for branch in branches if branch != {"type": "null"}]
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    if len(kept) != 1:
        return {**rest, "anyOf": kept}
    return {**kept[0], **rest}


def _refs(node: Any, counts: dict[str, int]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.removeprefix("#/$defs/")
            counts[name] = counts.get(name, 0) + 1
        for value in node.values():
            _refs(value, counts)
    elif isinstance(node, list):
        for value in node:
            _refs(value, counts)


def _inline_single_use(schema: dict[str, Any]) -> dict[str, Any]:
    definitions = schema.get("$defs")
    if not isinstance(definitions, dict):
        return schema
    counts: dict[str, int] = {}
    _refs(schema, counts)
    once = {name for name, count in counts.items() if count == 1 and name in definitions}

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            name = ref.removeprefix("#/$defs/") if isinstance(ref, str) else None
            if name in once:
                rest = {key: value for key, value in node.items() if key != "$ref"}
                return inline({**definitions[name], **rest})
            return {key: inline(value) for key, value in node.items() if key != "$defs"}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    result: dict[str, Any] = inline(schema)
    kept = {name: inline(body) for name, body in definitions.items() if name not in once}
    if kept:
        result["$defs"] = kept
    return result
