"""Where ADRS keeps its state: one workspace folder (``--workspace``, ``ADRS_WORKSPACE``, ``./.adrs``)."""

from __future__ import annotations

import os
from pathlib import Path

from simulators.references import default_cache

DEFAULT_WORKSPACE = ".adrs"


def workspace_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the workspace folder and create it: flag, then environment, then ``./.adrs``."""
    chosen = explicit or os.environ.get("ADRS_WORKSPACE") or DEFAULT_WORKSPACE
    path = Path(chosen).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir(workspace: Path) -> Path:
    """Folder for derived results that are expensive to recompute (optima, baseline scores):
    ``<workspace>/cache`` unless ``ADRS_CACHE_DIR`` names a shared one."""
    return default_cache(workspace)
