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
from simulators.cloudcast.cost import broadcast_cost, edge_egress, validate_paths
from simulators.cloudcast.graph import Graph, load_graph, provider
from simulators.cloudcast.limits import lower_bounds
from simulators.contract import OutputViolation, ScenarioKind, ScoredSplit, Workload
from simulators.errors import UnknownName
from simulators.lockstep import StaticFeed
from simulators.scenario import ScenarioSpec, scenario_file, split_params


class Kind(ScenarioKind):
    """Multi-cloud broadcast routing (the published Cloudcast interface, with its holes closed)."""

    kind: ClassVar[str] = "cloudcast"
    entry_point: ClassVar[str] = "search_algorithm"
    player: ClassVar[str] = "simulators.cloudcast.player:CloudcastPlayer"
    limit_label = "the lower bound (Steiner LP + shortest possible transfer; no plan can beat it)"
    legend: ClassVar[str] = (
        "Per workload: egress_usd + instance_usd = cost; transfer_s is the slowest edge's "
        "transfer time (instance cost grows with it); regions = regions touched; edges = edges "
        "used. costliest_edges = the (up to) 3 edges with the most egress dollars, each "
        "[src, dst, $/GB, partitions carried, egress $]; tree = max_hops (longest source-to-"
        "destination path), relays (regions used that are neither source nor destination) and "
        "direct_share (fraction of destinations whose every partition goes straight from the "
        "source)."
    )
    critic_focus: ClassVar[str] = (
        "Speak of cost per edge: which edges carry the egress dollars, at what $/GB and for how "
        "many partitions, and whether a cheaper edge or a shared hop could carry them. Speak of "
        "the tree's shape: relays, hop counts, how many destinations are fed by direct edges. "
        "Weigh the trade: relaying through cheap regions saves egress but adds regions and can "
        "slow the transfer, and every second of transfer is paid in instance time on every "
        "region touched; compare with the reference's tree on the same workload."
    )

    def __init__(self, spec: ScenarioSpec, root: Path) -> None:
        super().__init__(spec, root)
        # Every split validated on load: a bad or oversized field fails in one line naming it.
        self.splits = {
            name: split_params(name, raw, CloudcastSplit) for name, raw in spec.splits.items()
        }
        # Resolved once, and refused if it leads out of the folder (a symlink).
        self._data_dir = scenario_file(root, "data", "data", folder=True)

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    @property
    def graph(self) -> Graph:
        return load_graph(self.data_dir / "profiles")

    def preload(self) -> None:
        self.graph  # noqa: B018 - parse the CSVs before the sandbox closes the file system

    def _split(self, split: str) -> CloudcastSplit:
        if split not in self.splits:
            known = ", ".join(self.splits)
            raise UnknownName(f"unknown split '{split}' for {self.spec.name} (splits: {known})")
        return self.splits[split]

    def workloads(self, split: str) -> list[Workload]:
        params = self._split(split)
        if params.published:
            return published_workloads(self.data_dir / "config", params.vms_per_region)
        return generated_workloads(split, params, self.graph)

    # ---- lockstep: a static problem, revealed whole in the opening ------------------------
    def feed(self, batch: list[Workload]) -> StaticFeed:
        problems = [
            {key: w[key] for key in ("id", "source", "destinations", "num_partitions")}
            for w in batch
        ]
        return StaticFeed({"graph": self.graph.candidate_view(), "workloads": problems})

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
                "costliest_edges": costliest_edges(carried, workload, self.graph),
                "tree": tree_shape(results[workload["id"]], carried, workload),
            }
        count = max(1, len(workloads))
        metrics = {
            "egress_usd_mean": egress_total / count,
            "instance_usd_mean": instance_total / count,
        }
        return ScoredSplit(per_workload=per_workload, metrics=metrics, artifacts=artifacts)

    def score_parts(self, metrics: dict[str, float]) -> dict[str, float]:
        """Egress and instance dollars (a workload's cost is exactly their sum)."""
        if "egress_usd_mean" not in metrics or "instance_usd_mean" not in metrics:
            return {}
        return {"egress": metrics["egress_usd_mean"], "instances": metrics["instance_usd_mean"]}

    def limit(self, split: str, cache_dir: Path) -> dict[str, float] | None:
        """Steiner LP + transfer-time lower bound on cost per workload (see ``limits.py``)."""
        bounds = lower_bounds(self.workloads(split), self.root, cache_dir)
        return {wid: parts["total"] for wid, parts in bounds.items()}

    def group_of(self, workload: Workload) -> str:
        size = len(workload["destinations"])
        bucket = "<=7" if size <= 7 else ("8-11" if size <= 11 else ">=12")
        return f"{workload['origin']} src={provider(workload['source'])} dsts={bucket}"


def costliest_edges(
    carried: dict[tuple[str, str], set[int]], workload: Workload, graph: Graph, top: int = 3
) -> list[list[Any]]:
    """The ``top`` edges with the most egress dollars, as ``[src, dst, $/GB, partitions, $]``:
    lets a critic name the edges that cost money instead of guessing from a total."""
    egress = edge_egress(carried, workload, graph)
    ranked = sorted(egress, key=lambda edge: (-egress[edge], edge))[:top]
    rows: list[list[Any]] = []
    for edge in ranked:
        price, usd = round(graph.cost[edge], 4), round(egress[edge], 4)
        rows.append([edge[0], edge[1], price, len(carried[edge]), usd])
    return rows


def tree_shape(
    paths: dict[str, list[list[str]]], carried: dict[tuple[str, str], set[int]], workload: Workload
) -> dict[str, Any]:
    """Shape of a validated broadcast: hop depth, relay count, share of direct destinations.

    The trade of the problem in three numbers: relays and hops buy cheaper egress at the price
    of more regions and (often) slower transfers. A destination counts as direct only when
    every one of its partitions travels the single edge source -> destination.
    """
    source, destinations = workload["source"], workload["destinations"]
    used = {region for edge in carried for region in edge}
    direct = sum(all(len(path) == 2 for path in paths[dst]) for dst in destinations)
    return {
        "max_hops": max(len(path) - 1 for dst in destinations for path in paths[dst]),
        "relays": len(used - {source} - set(destinations)),
        "direct_share": round(direct / len(destinations), 3),
    }
