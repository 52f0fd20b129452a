"""How many waits one process holds: the memory limit, less what ordinary traffic may need, over the
measured cost of one held wait.

A held `kling_wait_for_tasks` call costs memory (the SDK's request and stream state, our wait and its
last statuses) and almost no CPU, so waits are admitted by a budget of their own
(`app/http/admission.py`), sized here from the limit the container runs under.
"""

from __future__ import annotations

from pathlib import Path

from app.settings import Settings, memory_needed_mib

# Resident memory per held wait, measured with bench/wait_bench.py (docs/operations.md "Waits").
WAIT_KIB = 71
DEFAULT_LIMIT_MIB = 512  # when neither the setting nor a cgroup names a limit
CGROUP_LIMIT_FILES = (
    Path("/sys/fs/cgroup/memory.max"),  # cgroup v2
    Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"),  # cgroup v1
)
UNLIMITED_BYTES = 1 << 60  # cgroup v1 writes a huge number for "no limit"


def cgroup_limit_mib(files: tuple[Path, ...] = CGROUP_LIMIT_FILES) -> int | None:
    """The container's memory limit, if the process runs under one."""
    for path in files:
        try:
            text = path.read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < UNLIMITED_BYTES:
            return int(text) // (1024 * 1024)
        return None  # "max": this cgroup sets no limit
    return None


def memory_limit_mib(settings: Settings) -> int:
    if settings.memory_limit_mib is not None:
        return settings.memory_limit_mib
    return cgroup_limit_mib() or DEFAULT_LIMIT_MIB


def wait_budget(settings: Settings, limit_mib: int | None = None) -> int:
    """Waits one process may hold at once: the setting, or what the memory limit leaves for them."""
    if settings.max_concurrent_waits is not None:
        return settings.max_concurrent_waits
    limit = memory_limit_mib(settings) if limit_mib is None else limit_mib
    spare_kib = (limit - memory_needed_mib(settings)) * 1024
    return max(1, spare_kib // WAIT_KIB)
