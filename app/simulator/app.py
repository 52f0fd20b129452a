"""The simulator's HTTP surface: the `/kling/*` contract plus `/_sim/*` controls for tests.

Controls (loopback use only):
    GET/DELETE /_sim/requests   journal of upstream requests received (path, body, authorization)
    GET        /_sim/stats      request counts and peak concurrency per path
    POST/DELETE /_sim/faults    queue or clear faults (see faults.py)
    GET/PUT    /_sim/config     read or patch SimulatorConfig
    POST       /_sim/tasks      seed a literal task record: {"token", "id", "record"}
    POST       /_sim/tasks/bulk create many running tasks: {"token", "count", "run_seconds"?, "outcome"?}
    POST       /_sim/reset      forget tasks, journal, faults and stats
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import pydantic_core
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from app.simulator import rejections
from app.simulator.config import SimulatorConfig
from app.simulator.faults import Fault, FaultQueue
from app.simulator.store import Outcome, TaskStore

Handler = Callable[["SimState", str, dict[str, Any]], Awaitable[Response]]


@dataclass
class SimState:
    config: SimulatorConfig
    store: TaskStore = field(default_factory=TaskStore)
    faults: FaultQueue = field(default_factory=FaultQueue)
    journal: list[dict[str, Any]] = field(default_factory=list)
    in_flight: Counter[str] = field(default_factory=Counter)
    peak: Counter[str] = field(default_factory=Counter)
    count: Counter[str] = field(default_factory=Counter)
    rng: random.Random = field(default_factory=random.Random)

    def reset(self) -> None:
        self.store.clear()
        self.faults.clear()
        self.journal.clear()
        self.peak.clear()
        self.count.clear()


def upstream_error(status: int, code: str, message: str, *, shape: str = "nested") -> Response:
    trace_id = str(uuid.uuid4())
    if shape == "flat":
        return JSONResponse({"code": code, "detail": message}, status_code=status)
    if shape == "text":
        return Response(
            f"<html><body>{status} {message}</body></html>", status_code=status, media_type="text/html"
        )
    return JSONResponse(
        {"error": {"code": code, "message": message}, "trace_id": trace_id}, status_code=status
    )


def fault_response(fault: Fault) -> Response | None:
    if fault.kind == "drip":

        async def drip() -> AsyncIterator[bytes]:
            for byte in b'{"items": [], "count": 0}':
                await anyio.sleep(fault.delay_ms / 1000)
                yield bytes([byte])

        return StreamingResponse(drip(), media_type="application/json")
    if fault.kind == "malformed":
        return Response("{not json", status_code=200, media_type="application/json")
    if fault.kind == "status":
        code = fault.code or {429: "too_many_requests", 401: "invalid_token", 403: "used_up"}.get(
            fault.status, "api_error" if fault.status >= 500 else "bad_request"
        )
        response = upstream_error(fault.status, code, fault.message, shape=fault.shape)
        if fault.retry_after is not None:
            response.headers["retry-after"] = fault.retry_after
        return response
    return None  # slow: the delay was applied, answer normally


def bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


# --- /kling/* handlers ---------------------------------------------------------------------------


async def tasks_endpoint(state: SimState, token: str, body: dict[str, Any]) -> Response:
    action = body.get("action", "retrieve")
    now = time.time()
    pending = state.config.pending_response
    if action == "retrieve":
        task_id = body.get("id")
        if not isinstance(task_id, str) or not task_id:
            return upstream_error(400, "bad_request", "id is required for action retrieve")
        task = state.store.get(token, task_id)
        return JSONResponse(task.record(now, pending_response=pending) if task else {})
    if action == "retrieve_batch":
        ids = body.get("ids")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return upstream_error(400, "bad_request", "ids must be a list of task ids")
        items = [t.record(now, pending_response=pending) for i in ids if (t := state.store.get(token, i))]
        if state.config.shuffle_batches:
            state.rng.shuffle(items)
        # pydantic-core's encoder: 4x json.dumps, and a 1,000-id batch asks for 20 of these at once.
        return Response(
            pydantic_core.to_json({"items": items, "count": len(items)}), media_type="application/json"
        )
    return upstream_error(400, "bad_request", f"action {action!r} is not supported")


async def submit(state: SimState, token: str, body: dict[str, Any], *, type: str) -> Response:
    if state.config.used_up_tokens and token in state.config.used_up_tokens:
        return upstream_error(403, "used_up", "Your balance is insufficient, please recharge.")
    prompt = str(body.get("prompt") or "") + str(body.get("text") or "")
    if state.config.blocked_marker and state.config.blocked_marker in prompt:
        return upstream_error(403, "forbidden", "The content was blocked by moderation.")
    outcome: Outcome = (
        "failed" if state.config.fail_marker and state.config.fail_marker in prompt else "succeed"
    )
    task = state.store.create(
        owner=token, type=type, request=body, run_seconds=state.config.task_seconds, outcome=outcome
    )
    if body.get("async") is True or body.get("callback_url"):
        return JSONResponse({"task_id": task.id})
    await anyio.sleep(max(0.0, task.finish_at - time.time()))  # synchronous mode blocks until done
    return JSONResponse(task.response_body())


def submission(type: str, check: Callable[[dict[str, Any]], str | None], shape: str = "nested") -> Handler:
    """An endpoint that refuses what upstream refuses (400 bad_request), then starts a task."""

    async def endpoint(state: SimState, token: str, body: dict[str, Any]) -> Response:
        if (message := check(body)) is not None:
            return upstream_error(400, "bad_request", message, shape=shape)
        return await submit(state, token, body, type=type)

    return endpoint


KLING_ROUTES: dict[str, Handler] = {
    "/kling/tasks": tasks_endpoint,
    "/kling/videos": submission("videos", lambda body: rejections.first_error(body, rejections.VIDEO_CHECKS)),
    "/kling/motion": submission("motion", rejections.motion_error),
    "/kling/lip-sync": submission("lip-sync", rejections.lip_sync_error, shape="flat"),
    "/kling/talking-photo": submission("talking-photo", rejections.talking_photo_error),
    "/kling/goods-studio": submission("goods-studio", rejections.goods_studio_error),
    "/kling/video-commerce": submission("video-commerce", rejections.video_commerce_error),
}


def create_simulator_app(config: SimulatorConfig | None = None) -> Starlette:
    state = SimState(config=config or SimulatorConfig())

    async def kling(request: Request) -> Response:
        path = request.url.path
        state.count[path] += 1
        state.in_flight[path] += 1
        state.peak[path] = max(state.peak[path], state.in_flight[path])
        try:
            return await _answer(request, path)
        finally:
            state.in_flight[path] -= 1

    async def _answer(request: Request, path: str) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        state.journal.append(
            {
                "path": path,
                "body": body,
                "authorization": request.headers.get("authorization"),
                "at": time.time(),
            }
        )
        if state.config.latency_ms:
            await anyio.sleep(state.config.latency_ms / 1000)
        fault = state.faults.take(path, body)
        if fault is not None:
            if fault.kind != "drip":
                await anyio.sleep(fault.delay_ms / 1000)
            if (response := fault_response(fault)) is not None:
                return response
        token = bearer(request)
        if token is None:
            return upstream_error(401, "invalid_token", "The authorization header is missing or malformed.")
        if state.config.valid_tokens is not None and token not in state.config.valid_tokens:
            return upstream_error(401, "invalid_token", "The token is invalid.")
        if not isinstance(body, dict):
            return upstream_error(400, "bad_request", "The request body must be a JSON object.")
        return await KLING_ROUTES[path](state, token, body)

    async def requests_log(request: Request) -> Response:
        if request.method == "DELETE":
            state.journal.clear()
            return JSONResponse({"cleared": True})
        return JSONResponse(state.journal)

    async def stats(request: Request) -> Response:
        return JSONResponse(
            {"count": dict(state.count), "peak_concurrency": dict(state.peak), "tasks": len(state.store)}
        )

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            state.faults.clear()
        else:
            payload = await request.json()
            for item in payload if isinstance(payload, list) else [payload]:
                state.faults.add(Fault.model_validate(item))
        return JSONResponse([f.model_dump() for f in state.faults.pending()])

    async def config_endpoint(request: Request) -> Response:
        if request.method == "PUT":
            try:
                state.config = SimulatorConfig.model_validate(
                    {**state.config.model_dump(), **await request.json()}
                )
            except ValidationError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(state.config.model_dump())

    async def seed(request: Request) -> Response:
        payload = await request.json()
        state.store.seed(payload["token"], payload["id"], payload["record"])
        return JSONResponse({"seeded": payload["id"]})

    async def bulk(request: Request) -> Response:
        """Create `count` tasks at once for one token: `{"token", "count", "run_seconds"?, "outcome"?}`."""
        payload = await request.json()
        run_seconds = float(payload.get("run_seconds", state.config.task_seconds))
        ids = [
            state.store.create(
                owner=payload["token"],
                type="videos",
                request={"action": "text2video", "prompt": "bulk"},
                run_seconds=run_seconds,
                outcome=payload.get("outcome", "succeed"),
            ).id
            for _ in range(int(payload["count"]))
        ]
        return JSONResponse({"ids": ids})

    async def reset(request: Request) -> Response:
        state.reset()
        return JSONResponse({"reset": True})

    routes = [Route(path, kling, methods=["POST"]) for path in KLING_ROUTES]
    routes += [
        Route("/_sim/requests", requests_log, methods=["GET", "DELETE"]),
        Route("/_sim/stats", stats),
        Route("/_sim/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/_sim/config", config_endpoint, methods=["GET", "PUT"]),
        Route("/_sim/tasks", seed, methods=["POST"]),
        Route("/_sim/tasks/bulk", bulk, methods=["POST"]),
        Route("/_sim/reset", reset, methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.sim = state
    return app
