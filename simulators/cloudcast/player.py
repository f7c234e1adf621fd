"""The sandboxed half of a cloudcast run: the whole (static) problem arrives in the opening.

Imported by the sandbox zygote: no graph loader, no data files. Every call gets its own copy of
the graph the opening carried, which the candidate may mutate; the parent prices the paths on
the real graph (``cost.py``), never on this copy.
"""

from __future__ import annotations

import json
from typing import Any

from simulators.lockstep import Player
from simulators.violation import OutputViolation


class CloudcastPlayer(Player):
    """Answers every workload of the batch at once: ``{id: {dst: [path, ...]}}``."""

    entry_point = "search_algorithm"

    def open(self, opening: bytes) -> bytes:
        search = self.entry_function()
        problem = json.loads(opening)
        out = {}
        for workload in problem["workloads"]:
            paths = search(
                workload["source"],
                list(workload["destinations"]),
                _copy(problem["graph"]),
                int(workload["num_partitions"]),
            )
            out[workload["id"]] = plain_paths(paths, workload["id"])
        return json.dumps({"workloads": out}, separators=(",", ":")).encode()

    def step(self, message: bytes) -> bytes:
        raise OutputViolation("rule 'protocol': a static problem has no further steps")


def _copy(graph: dict[str, dict[str, dict[str, float]]]) -> dict[str, dict[str, dict[str, float]]]:
    """A private copy of ``graph[u][v] = {"cost", "throughput"}``. Not ``copy.deepcopy``: it
    calls ``id()`` per object, each an audit event the sandbox's hook must inspect (10x)."""
    return {u: {v: dict(edge) for v, edge in row.items()} for u, row in graph.items()}


def plain_paths(paths: Any, workload_id: str) -> dict[str, list[list[str]]]:
    """Normalise to JSON-plain ``{dst: [[region, ...], ...]}`` (tuples and partition dicts
    keyed 0..n-1 are accepted); content is judged by the parent, not here."""
    if not isinstance(paths, dict):
        raise OutputViolation(
            f"rule 'paths-shape': search_algorithm must return a dict (workload {workload_id})"
        )
    plain: dict[str, list[list[str]]] = {}
    for dst, per_partition in paths.items():
        if isinstance(per_partition, dict):
            try:
                per_partition = [per_partition[k] for k in sorted(per_partition, key=int)]
            except (ValueError, TypeError):
                raise OutputViolation(
                    f"rule 'paths-shape': partition keys must be 0..n-1 (workload {workload_id})"
                ) from None
        if not isinstance(per_partition, (list, tuple)):
            raise OutputViolation(
                f"rule 'paths-shape': {dst!s} has no path list (workload {workload_id})"
            )
        plain[str(dst)] = [
            [str(node) for node in path] if isinstance(path, (list, tuple)) else []
            for path in per_partition
        ]
    return plain
