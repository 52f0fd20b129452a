"""The built image, run for real (make deploy-check): MCP calls through the container to the simulator,
non-root, read-only root filesystem, health check, and a SIGTERM drain with a call in flight.

No engine or no image is a failure here, never a skip: this module runs only under `-m container`.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anyio
import pytest

from tests.helpers import MODES, Mode, Simulator, mcp_client, running_simulator

pytestmark = [pytest.mark.anyio, pytest.mark.container]

IMAGE = os.environ.get("KLING_MCP_IMAGE", "kling-mcp:ci")
TOKEN = "tok-container-0001"


async def docker(*args: str, check: bool = True) -> str:
    result = await anyio.run_process(["docker", *args], check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed: {result.stderr.decode()}")
    return result.stdout.decode().strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Running:
    name: str
    url: str
    sim: Simulator


@pytest.fixture(scope="module")
async def running() -> AsyncIterator[Running]:
    await docker("image", "inspect", IMAGE)  # fails the module when the image was not built
    async with running_simulator(task_seconds=600) as sim:
        port = free_port()
        name = f"kling-mcp-test-{uuid.uuid4().hex[:8]}"
        await docker(
            "run", "-d", "--name", name, "--network", "host",
            "--read-only", "--tmpfs", "/tmp",  # noqa: S108 - the container's own tmpfs
            "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
            "-e", "KLING_MCP_HOST=127.0.0.1", "-e", f"KLING_MCP_PORT={port}",
            "-e", f"ACEDATACLOUD_API_BASE_URL={sim.url}", "-e", "KLING_MCP_SHUTDOWN_GRACE_SECONDS=20",
            "-e", "KLING_MCP_SUBMIT_TIMEOUT_SECONDS=10",
            "-e", "KLING_MCP_METRICS_PORT=0",  # host network: any free port, never a clash on 9100
            "-e", "KLING_MCP_WAIT_FIRST_POLL_SECONDS=0.2", "-e", "KLING_MCP_WAIT_MAX_POLL_SECONDS=0.3",
            IMAGE,
        )  # fmt: skip
        try:
            with anyio.fail_after(60):
                health = ("inspect", "-f", "{{.State.Health.Status}}", name)
                while await docker(*health) != "healthy":  # noqa: ASYNC110 - docker has no event to await
                    await anyio.sleep(1)
            yield Running(name=name, url=f"http://127.0.0.1:{port}", sim=sim)
        finally:
            await docker("rm", "-f", name, check=False)


async def test_image_runs_as_non_root_on_a_read_only_filesystem(running: Running) -> None:
    assert await docker("exec", running.name, "id", "-u") == "10001"
    assert await docker("inspect", "-f", "{{.Config.User}}", running.name) == "10001"
    write = await anyio.run_process(["docker", "exec", running.name, "touch", "/venv/x"], check=False)
    assert write.returncode != 0 and b"Read-only file system" in write.stderr
    env = await docker("inspect", "-f", "{{json .Config.Env}}", IMAGE)
    assert "TOKEN" not in env and "SECRET" not in env  # nothing baked in


@pytest.mark.parametrize("mode", MODES)
async def test_tools_work_through_the_container(running: Running, mode: Mode) -> None:
    async with mcp_client(running.url, TOKEN, mode) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        submitted = await client.call_tool(
            "kling_generate_video", {"prompt": "a red fox", "model": "kling-v3"}
        )
        assert submitted.structured_content is not None, submitted.content
        task_id = submitted.structured_content["task_id"]
        status = await client.call_tool("kling_get_task", {"task_id": task_id})
    assert "kling_wait_for_tasks" in names
    assert status.structured_content is not None and status.structured_content["status"] == "pending"
    journal: list[dict[str, Any]] = await running.sim.journal()
    assert {e["authorization"] for e in journal[-2:]} == {f"Bearer {TOKEN}"}


async def test_sigterm_drains_an_in_flight_call_and_exits_zero(running: Running) -> None:
    await running.sim.configure(task_seconds=2.5)
    task_id = await running.sim.submit(TOKEN)
    answers: list[Any] = []

    async def wait_call() -> None:
        try:
            async with mcp_client(running.url, TOKEN, "legacy") as client:
                await client.list_tools()
                answers.append(await client.call_tool("kling_wait_for_tasks", {"task_ids": [task_id]}))
        except BaseException:
            if not answers:  # closing the client after the server left may fail; the answer counts
                raise

    async with anyio.create_task_group() as group:
        group.start_soon(wait_call)
        await anyio.sleep(1.0)
        await docker("kill", "--signal", "TERM", running.name)
    with anyio.fail_after(30):
        code = await docker("wait", running.name)
    assert code == "0"
    assert answers and not answers[0].is_error
    assert answers[0].structured_content["tasks"][0]["status"] == "succeeded"
