"""Where ADRS keeps its state: one workspace folder (``--workspace``, ``ADRS_WORKSPACE``, ``./.adrs``)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_WORKSPACE = ".adrs"


def workspace_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the workspace folder and create it: flag, then environment, then ``./.adrs``."""
    chosen = explicit or os.environ.get("ADRS_WORKSPACE") or DEFAULT_WORKSPACE
    path = Path(chosen).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir(workspace: Path) -> Path:
    """Folder for derived results that are expensive to recompute (optima, baseline scores).

    ``<workspace>/cache`` unless ``ADRS_CACHE_DIR`` names a folder shared between workspaces
    (entries are keyed by what they depend on, so sharing is safe).
    """
    shared = os.environ.get("ADRS_CACHE_DIR")
    path = Path(shared).expanduser() if shared else workspace / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path
