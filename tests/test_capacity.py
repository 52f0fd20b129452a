"""The wait budget (app/capacity.py): from the setting, else from the memory limit the process runs under."""

from __future__ import annotations

from pathlib import Path

from app.capacity import WAIT_KIB, cgroup_limit_mib, wait_budget
from app.settings import Settings, memory_needed_mib


def test_cgroup_limits_are_read_and_no_limit_is_none(tmp_path: Path) -> None:
    v2, v1 = tmp_path / "memory.max", tmp_path / "memory.limit_in_bytes"
    v2.write_text("536870912\n")
    assert cgroup_limit_mib((v2, v1)) == 512
    v2.write_text("max\n")
    assert cgroup_limit_mib((v2, v1)) is None
    v1.write_text(str(2**63 - 4096))  # cgroup v1's "unlimited"
    assert cgroup_limit_mib((tmp_path / "absent", v1)) is None
    assert cgroup_limit_mib((tmp_path / "absent",)) is None


def test_the_budget_is_what_the_limit_leaves_after_the_body_pools() -> None:
    settings = Settings()
    spare_kib = (512 - memory_needed_mib(settings)) * 1024
    assert wait_budget(settings, limit_mib=512) == spare_kib // WAIT_KIB
    assert wait_budget(settings.model_copy(update={"memory_limit_mib": 1024})) > wait_budget(settings, 512)
    assert wait_budget(settings, limit_mib=memory_needed_mib(settings)) == 1  # never zero: one wait fits
    assert wait_budget(settings.model_copy(update={"max_concurrent_waits": 7}), limit_mib=512) == 7
