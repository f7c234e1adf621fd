"""Where ADRS keeps its state: one workspace folder (``--workspace``, ``ADRS_WORKSPACE`` or
``./.adrs``) and the cache of expensive derived results inside it."""

from __future__ import annotations

import os
from pathlib import Path

from adrs.errors import UsageError
from simulators.references import default_cache

DEFAULT_WORKSPACE = ".adrs"


def workspace_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the workspace folder and create it: flag, then environment, then ``./.adrs``."""
    chosen = explicit or os.environ.get("ADRS_WORKSPACE") or DEFAULT_WORKSPACE
    path = Path(chosen).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise UsageError(f"workspace {path} is a file, not a folder: choose another --workspace")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(
            f"cannot create the workspace {path}: {err.strerror}; choose another --workspace"
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise UsageError(
            f"workspace {path} is not writable: fix its permissions or choose another --workspace"
        )
    return path


def cache_dir(workspace: Path) -> Path:
    """Folder for derived results that are expensive to recompute (optima, baseline scores):
    ``<workspace>/cache`` unless ``ADRS_CACHE_DIR`` names a shared one."""
    return default_cache(workspace)
