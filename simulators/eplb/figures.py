"""What one workload's plans did, in the words a serving engineer uses (trusted parent side).

Per workload: balancedness on the windows the plans served (the score) and on the windows they
were made from (``balancedness_in_window``: the packing alone, no forecast), so a critic can
tell packing slack from forecast error; inter-node traffic under group-limited routing
(``simulators.eplb.traffic``), per window too; the least balanced layers; what sets each
layer's peak (one replica heavier than a GPU's fair share, or a hot node that swaps inside
nodes cannot cool); and, in the worst layer of the worst window, the hottest GPUs with the
experts that make them hot and their replica counts.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulators.eplb.plan import gpu_loads, replica_counts
from simulators.eplb.traffic import nodes_per_token, window_routes

Workload = dict[str, Any]
#: How many layers, GPUs and experts the per-run figures name (a prompt cannot use more).
SHOWN = 3


@dataclass
class WorkloadFigures:
    """Sums over a workload's scored windows, and the figures a critic reads."""

    sum_mean: float = 0.0
    sum_max: float = 0.0
    in_window_mean: float = 0.0
    in_window_max: float = 0.0
    traffic: list[float] = field(default_factory=list)
    per_window: list[float] = field(default_factory=list)
    layer_ratio: Any = 0.0
    worst: tuple[float, int, int] | None = None  # (ratio, window index, layer)
    layers_seen: int = 0
    single_replica_peaks: int = 0  # layers whose hottest GPU holds a replica >= the mean load
    node_ratio_sum: float = 0.0  # sum over layers of hottest node load / mean node load
    hot: list[list[Any]] = field(default_factory=list)

    @property
    def balancedness(self) -> float:
        return self.sum_mean / self.sum_max

    @property
    def balancedness_in_window(self) -> float:
        return self.in_window_mean / self.in_window_max

    @property
    def nodes_per_token(self) -> float:
        return float(np.mean(self.traffic)) if self.traffic else 0.0

    def peak_causes(self) -> dict[str, float]:
        """Over every layer of every scored window: the share whose hottest GPU holds one
        replica at least as heavy as the mean GPU load (only more replicas of that expert
        help), and the mean hottest-node load over the mean node load (what no swap inside a
        node can lower: the best balancedness without moving load between nodes is about its
        inverse)."""
        seen = max(self.layers_seen, 1)
        return {
            "single_replica_share": round(self.single_replica_peaks / seen, 4),
            "hot_node_ratio": round(self.node_ratio_sum / seen, 4),
        }

    def artifacts(self, plans: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "balancedness_per_scored_window": self.per_window,
            "balancedness_in_window": round(self.balancedness_in_window, 4),
            "nodes_per_token": round(self.nodes_per_token, 4),
            "nodes_per_token_per_scored_window": [round(t, 4) for t in self.traffic],
            "peak_causes": self.peak_causes(),
            "worst_layers": worst_layers(self.layer_ratio, len(self.per_window)),
            "hottest_gpus": self.hot,
            "plan_digests": [plan_digest(plan["phy2log"]) for plan in plans],
        }


def add_window(
    figures: WorkloadFigures,
    workload: Workload,
    index: int,
    phy2log: np.ndarray,
    made_from: np.ndarray,
    served: np.ndarray,
) -> None:
    """Add the plan made from window ``index`` (``made_from``) and scored on the next
    (``served``) to the workload's figures."""
    gpus, nodes = int(workload["num_gpus"]), int(workload["num_nodes"])
    loads = gpu_loads(served, phy2log, gpus)
    mean, peak = loads.mean(axis=1), loads.max(axis=1)
    figures.sum_mean += float(mean.sum())
    figures.sum_max += float(peak.sum())
    figures.per_window.append(round(float(mean.sum() / peak.sum()), 4))
    ratio = mean / np.maximum(peak, 1e-12)
    figures.layer_ratio = figures.layer_ratio + ratio
    own = gpu_loads(made_from, phy2log, gpus)
    figures.in_window_mean += float(own.mean(axis=1).sum())
    figures.in_window_max += float(own.max(axis=1).sum())
    count_peak_causes(figures, served, phy2log, loads, nodes)
    routes = window_routes(workload, index + 1, served)
    figures.traffic.append(nodes_per_token(routes, phy2log, served.shape[1], nodes))
    layer = int(np.argmin(ratio))
    if figures.worst is None or ratio[layer] < figures.worst[0]:
        figures.worst = (float(ratio[layer]), index + 1, layer)
        figures.hot = hottest_gpus(
            served[layer], phy2log[layer], loads[layer], gpus, nodes, index + 1, layer
        )


def count_peak_causes(
    figures: WorkloadFigures, served: np.ndarray, phy2log: np.ndarray, loads: np.ndarray, nodes: int
) -> None:
    """Add one window's layers to ``figures.peak_causes``."""
    layers, gpus = loads.shape
    counts = replica_counts(phy2log, served.shape[1])
    rows = np.arange(layers)[:, None]
    per_replica = served[rows, phy2log] / counts[rows, phy2log]  # [layers, slots]
    on_gpu = per_replica.reshape(layers, gpus, -1).max(axis=2)  # heaviest replica per GPU
    hottest = loads.argmax(axis=1)
    mean = np.maximum(loads.mean(axis=1), 1e-12)
    figures.single_replica_peaks += int((on_gpu[np.arange(layers), hottest] >= mean).sum())
    node_loads = loads.reshape(layers, nodes, -1).sum(axis=2)
    figures.node_ratio_sum += float(
        (node_loads.max(axis=1) / np.maximum(node_loads.mean(axis=1), 1e-12)).sum()
    )
    figures.layers_seen += layers


def hottest_gpus(
    weight: np.ndarray,
    slots: np.ndarray,
    loads: np.ndarray,
    gpus: int,
    nodes: int,
    window: int,
    layer: int,
) -> list[list[Any]]:
    """``[window, layer, gpu, node, load / mean GPU load, [[expert, replicas, load per replica
    / mean], ...]]`` for the hottest GPUs of one layer, heaviest replicas first."""
    counts = replica_counts(slots[None, :], weight.shape[0])[0]
    mean = max(float(loads.mean()), 1e-12)
    per_gpu = slots.size // gpus
    out = []
    for gpu in np.argsort(-loads, kind="stable")[:SHOWN]:
        experts = slots[gpu * per_gpu : (gpu + 1) * per_gpu]
        share = weight[experts] / counts[experts]
        heavy = np.argsort(-share, kind="stable")[:SHOWN]
        out.append(
            [
                window,
                layer,
                int(gpu),
                int(gpu) // (gpus // nodes),
                round(float(loads[gpu]) / mean, 3),
                [
                    [int(experts[i]), int(counts[experts[i]]), round(float(share[i]) / mean, 3)]
                    for i in heavy
                ],
            ]
        )
    return out


def worst_layers(ratio_sum: Any, windows: int, count: int = SHOWN) -> list[list[float]]:
    """[layer, mean balancedness over the scored windows] of the least balanced layers."""
    if not windows:
        return []
    mean = np.asarray(ratio_sum) / windows
    order = np.argsort(mean)[:count]
    return [[int(layer), round(float(mean[layer]), 4)] for layer in order]


def plan_digest(phy2log: Any) -> str:
    """A short hash of a plan: the causality check compares plans by it (never shown to a
    reader: it names nothing a person can use)."""
    return hashlib.sha256(json.dumps(phy2log).encode()).hexdigest()[:16]
