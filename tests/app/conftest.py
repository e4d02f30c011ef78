"""Fixtures for driving the real app headless against the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from memtui.ui.app import MemtuiApp
from memtui.config.settings import Settings
from memtui.clients.kube.connection import connect


def kubeconfig_via(handle, port: int, path: Path) -> Path:
    """A copy of the simulator's kubeconfig whose server goes through ``port`` (a FaultProxy)."""
    config = yaml.safe_load(Path(handle.kubeconfig_path).read_text())
    for cluster in config["clusters"]:
        cluster["cluster"]["server"] = f"https://127.0.0.1:{port}"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def make_app(sim) -> Callable[..., MemtuiApp]:
    """``make_app(**settings)``: the real app on the simulator, its clock the simulator's."""

    def make(handle=None, kubeconfig: Path | None = None, keymap=None, **overrides) -> MemtuiApp:
        handle = handle or sim
        values = {"namespace": "sap-llm", "refresh": 0.3, "redis_deployment": "", "gpu_source": "off"}
        values.update(overrides)
        settings = Settings(**values)
        connection = connect(
            kubeconfig=str(kubeconfig or handle.kubeconfig_path),
            context=settings.context or "memtui-sim",
            namespace=settings.namespace,
        )
        return MemtuiApp(settings, connection, keymap=keymap, clock=handle.now)

    return make


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 10.0, step: float = 0.05) -> None:
    """Let the app run until ``condition()`` holds; fail with the condition's source if it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if condition():
            return
        await pilot.pause(step)
    raise AssertionError(f"condition not met within {timeout} s")
