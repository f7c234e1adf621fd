"""Where the cloudcast limit comes from: a shipped table, the cache, or a fresh LP solve.

The Steiner LP takes 2-20 s per workload on one core (71 regions, 4,970 edges, one commodity per
destination), too slow to redo in every test or session. The bundled splits' bounds therefore
ship in ``scenarios/cloudcast/limits.json``, keyed by a hash of the workload, the graph files
and the bound's version, so a changed config or graph can never be served a stale bound: it
misses the table and is solved (then cached in ``cache_dir``). Refresh the table with
``python -m simulators.cloudcast.limits``; ``tests/cloudcast`` re-solves a sample and compares.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from simulators.cloudcast.bound import cost_lower_bound
from simulators.cloudcast.graph import load_graph

BOUND_VERSION = 1
SHIPPED_NAME = "limits.json"


@lru_cache(maxsize=4)
def graph_fingerprint(profiles_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in ("cost.csv", "throughput.csv"):
        digest.update((profiles_dir / name).read_bytes())
    return digest.hexdigest()


def workload_key(workload: dict[str, Any], profiles_dir: Path) -> str:
    """Stable key of (bound version, workload content, graph content)."""
    payload = json.dumps([BOUND_VERSION, workload, graph_fingerprint(profiles_dir)], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.is_file() else {}


def lower_bounds(
    workloads: list[dict[str, Any]], scenario_root: Path, cache_dir: Path | None
) -> dict[str, dict[str, float]]:
    """``{workload id: {"egress", "instance", "total"}}``, solving only what no table holds."""
    profiles = scenario_root / "data" / "profiles"
    shipped = _read(scenario_root / SHIPPED_NAME)
    cache_path = Path(cache_dir) / "cloudcast-limits.json" if cache_dir is not None else None
    cached = _read(cache_path) if cache_path else {}
    out, fresh = {}, {}
    for workload in workloads:
        key = workload_key(workload, profiles)
        known = shipped.get(key) or cached.get(key)
        if known is None:
            known = cost_lower_bound(load_graph(profiles), workload)
            fresh[key] = known
        out[workload["id"]] = known
    if fresh and cache_path is not None:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        cache_path.write_text(json.dumps({**cached, **fresh}, indent=1, sort_keys=True))
    return out


def write_shipped(scenario_root: Path, splits: dict[str, list[dict[str, Any]]]) -> Path:
    """Solve every workload of the given splits and write the shipped table."""
    profiles = scenario_root / "data" / "profiles"
    graph = load_graph(profiles)
    table = {}
    for workloads in splits.values():
        for workload in workloads:
            bound = cost_lower_bound(graph, workload)
            table[workload_key(workload, profiles)] = {"id": workload["id"], **bound}
    target = scenario_root / SHIPPED_NAME
    target.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    return target


if __name__ == "__main__":
    from simulators.scenario import load_scenario

    scenario = load_scenario("cloudcast")
    engine = scenario.engine
    written = write_shipped(scenario.root, {s: engine.workloads(s) for s in scenario.spec.splits})
    print(f"wrote {written}")
