"""The embedded model server for one block of work. ``adrs run``/``resume`` and ``adrs chat``
start it the same way: with the same progress line, the same log file in the workspace, the
same one-line error when it cannot start, and a stop when the block ends however it ends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from adrs.errors import AdrsError

if TYPE_CHECKING:  # the agents' settings pull in pydantic: imported when a server starts
    from agents.settings import AgentSettings


@contextmanager
def embedded_endpoint(workspace: Path, settings: AgentSettings) -> Iterator[AgentSettings]:
    """``settings`` pointed at the embedded llama.cpp server, which runs for the block."""
    from adrs.progress import progress
    from agents.embedded import EmbeddedServer, EmbeddedServerError

    try:
        with progress("starting the embedded model server (llama.cpp, SmolLM2-135M)"):
            server = EmbeddedServer(log_path=workspace / "llama-server.log").start()
    except EmbeddedServerError as err:
        raise AdrsError(str(err)) from None
    try:
        yield settings.with_endpoint(server.base_url, server.model)
    finally:
        server.stop()
