"""The 71-region inter-cloud graph: measured egress price ($/GB) and throughput (Gbps) per
directed pair, read from ``profiles/cost.csv`` and ``profiles/throughput.csv``.

The trusted ``Graph`` never leaves the parent's hands; a candidate gets ``candidate_view()``, a
fresh plain-dict copy, so whatever it edits in its copy cannot reach the cost model.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Graph:
    """Directed complete-ish graph of cloud regions (``provider:region``)."""

    nodes: tuple[str, ...]
    cost: dict[tuple[str, str], float]  # egress $/GB
    throughput: dict[tuple[str, str], float]  # Gbps, iperf3 with 64 connections

    def has_edge(self, src: str, dst: str) -> bool:
        return (src, dst) in self.cost

    def candidate_view(self) -> dict[str, dict[str, dict[str, float]]]:
        """``view[u][v] = {"cost": $/GB, "throughput": Gbps}`` — a copy the candidate may mutate."""
        view: dict[str, dict[str, dict[str, float]]] = {node: {} for node in self.nodes}
        for (src, dst), price in self.cost.items():
            view[src][dst] = {"cost": price, "throughput": self.throughput[(src, dst)]}
        return view


def provider(region: str) -> str:
    """``aws:us-east-1`` -> ``aws``."""
    return region.split(":", 1)[0]


@lru_cache(maxsize=4)
def load_graph(profiles_dir: Path) -> Graph:
    """Edges present in both files (all 4,970 ordered pairs of the 71 regions today)."""
    cost: dict[tuple[str, str], float] = {}
    with open(profiles_dir / "cost.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            cost[(row["src"], row["dest"])] = float(row["cost"])
    throughput: dict[tuple[str, str], float] = {}
    with open(profiles_dir / "throughput.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["success"].strip().lower() == "true":
                key = (row["src_region"], row["dst_region"])
                throughput[key] = float(row["throughput_sent"]) / 1e9
    cost = {edge: price for edge, price in cost.items() if throughput.get(edge, 0.0) > 0.0}
    nodes = tuple(sorted({node for edge in cost for node in edge}))
    return Graph(nodes=nodes, cost=cost, throughput={e: throughput[e] for e in cost})
