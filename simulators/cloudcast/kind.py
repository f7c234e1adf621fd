"""The ``cloudcast`` simulator family: broadcast a dataset from one region to many, cheaply.

Interface: ``search_algorithm(src, dsts, graph, num_partitions)`` where ``graph[u][v]`` is
``{"cost": $/GB, "throughput": Gbps}`` (a private copy) and the return value is a mapping
``dst -> list of num_partitions paths``, each path a list of region names from ``src`` to
``dst``. Objective: **cost** in dollars (``min``), egress plus instance time, recomputed by the
parent from the real graph (model in ``cost.py``). Limit: the Steiner LP lower bound
(``bound.py``), cached per split. Splits: the five published configs (train), seeded harder
generated ones (heldout, test).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from simulators.cloudcast.configs import CloudcastSplit, generated_workloads, published_workloads
from simulators.cloudcast.cost import broadcast_cost, validate_paths
from simulators.cloudcast.graph import Graph, load_graph, provider
from simulators.cloudcast.limits import lower_bounds
from simulators.contract import OutputViolation, ScenarioKind, ScoredSplit, Workload


class Kind(ScenarioKind):
    """Multi-cloud broadcast routing (the published Cloudcast interface, with its holes closed)."""

    kind: ClassVar[str] = "cloudcast"
    entry_point: ClassVar[str] = "search_algorithm"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def graph(self) -> Graph:
        return load_graph(self.data_dir / "profiles")

    def preload(self) -> None:
        self.graph  # noqa: B018 - parse the CSVs before the sandbox closes the file system

    def _split(self, split: str) -> CloudcastSplit:
        if split not in self.spec.splits:
            raise KeyError(f"cloudcast has no split '{split}' (have {', '.join(self.spec.splits)})")
        return CloudcastSplit.model_validate(self.spec.splits[split])

    def workloads(self, split: str) -> list[Workload]:
        params = self._split(split)
        if params.published:
            return published_workloads(self.data_dir / "config", params.vms_per_region)
        return generated_workloads(split, params, self.graph)

    # ---- sandbox side -------------------------------------------------------------------
    def run_candidate(self, program: dict[str, Any], workloads: list[Workload]) -> dict[str, Any]:
        search = program.get(self.entry_point)
        if not callable(search):
            raise OutputViolation(
                f"rule 'entry-point': the program defines no {self.entry_point}()"
            )
        out = {}
        for workload in workloads:
            paths = search(
                workload["source"],
                list(workload["destinations"]),
                self.graph.candidate_view(),
                int(workload["num_partitions"]),
            )
            out[workload["id"]] = _plain_paths(paths, workload["id"])
        return {"workloads": out}

    # ---- trusted parent side ------------------------------------------------------------
    def score(self, workloads: list[Workload], raw: dict[str, Any]) -> ScoredSplit:
        results = raw.get("workloads") if isinstance(raw, dict) else None
        if not isinstance(results, dict):
            raise OutputViolation("rule 'raw-shape': no 'workloads' mapping in the runner output")
        per_workload, artifacts = {}, {}
        egress_total = instance_total = 0.0
        for workload in workloads:
            if workload["id"] not in results:
                raise OutputViolation(
                    f"rule 'one-answer-per-workload': no paths (workload {workload['id']})"
                )
            carried = validate_paths(results[workload["id"]], workload, self.graph)
            breakdown = broadcast_cost(carried, workload, self.graph)
            per_workload[workload["id"]] = breakdown.total
            egress_total += breakdown.egress
            instance_total += breakdown.instance
            artifacts[workload["id"]] = {
                "egress_usd": round(breakdown.egress, 4),
                "instance_usd": round(breakdown.instance, 4),
                "transfer_s": round(breakdown.transfer_s, 2),
                "regions": breakdown.regions,
                "edges": breakdown.edges,
            }
        count = max(1, len(workloads))
        metrics = {
            "egress_usd_mean": egress_total / count,
            "instance_usd_mean": instance_total / count,
        }
        return ScoredSplit(per_workload=per_workload, metrics=metrics, artifacts=artifacts)

    def limit(self, split: str, cache_dir: Path) -> dict[str, float] | None:
        """Steiner LP + transfer-time lower bound on cost per workload (see ``limits.py``)."""
        bounds = lower_bounds(self.workloads(split), self.root, cache_dir)
        return {wid: parts["total"] for wid, parts in bounds.items()}

    def group_of(self, workload: Workload) -> str:
        size = len(workload["destinations"])
        bucket = "<=7" if size <= 7 else ("8-11" if size <= 11 else ">=12")
        return f"{workload['origin']} src={provider(workload['source'])} dsts={bucket}"


def _plain_paths(paths: Any, workload_id: str) -> dict[str, list[list[str]]]:
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
