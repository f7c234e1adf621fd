"""The clairvoyant limit: what a planner reaches when it knows the window it is scored on.

A limit of 1.0 (or a bound that is 1.0 on every bundled workload) says nothing about what is
reachable. This one is reached by a real plan: the reference baseline run on the *scored*
window itself, then refined by swapping replicas between the hottest GPU of a layer and the
coolest GPU of the same node while that lowers the layer's peak. Swaps inside a node move no
replica to another node, so the plan keeps the reference's traffic character (its
``nodes_per_token`` is reported beside it). It is a strong reference, not a proof: a program
that packs better than the reference can pass it even though it forecasts.

With it, a candidate's numbers separate: ``balancedness_in_window`` (its plan on the window it
was made from) against this limit is packing slack; its in-window against its scored
balancedness is forecast error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from simulators.eplb.plan import gpu_loads, replica_counts
from simulators.eplb.traffic import nodes_per_token, window_routes

Rebalance = Callable[..., Any]
Workload = dict[str, Any]
#: Swap rounds per layer; a round that finds no improving swap ends the layer early.
ROUNDS = 64


def refine_within_nodes(
    weight: np.ndarray, phy2log: np.ndarray, num_gpus: int, num_nodes: int, rounds: int = ROUNDS
) -> np.ndarray:
    """``phy2log`` with replicas swapped between each layer's hottest GPU and the coolest GPU
    of its node, one best swap per round, while the swap lowers the pair's peak."""
    layers, slots = phy2log.shape
    per_gpu, per_node = slots // num_gpus, num_gpus // num_nodes
    counts = replica_counts(phy2log, weight.shape[1])
    plan = phy2log.copy()
    for layer in range(layers):
        experts = plan[layer].reshape(num_gpus, per_gpu)  # a view: swaps write into ``plan``
        share = (weight[layer, experts] / counts[layer, experts]).astype(np.float64)
        for _ in range(rounds):
            loads = share.sum(axis=1)
            hot = int(np.argmax(loads))
            first = hot // per_node * per_node
            cold = first + int(np.argmin(loads[first : first + per_node]))
            gap = loads[hot] - loads[cold]
            delta = share[hot][:, None] - share[cold][None, :]
            gain = np.where((delta > 0) & (delta < gap), np.minimum(delta, gap - delta), 0.0)
            i, j = np.unravel_index(int(np.argmax(gain)), gain.shape)
            if gain[i, j] <= 1e-9:
                break
            share[hot, i], share[cold, j] = share[cold, j], share[hot, i]
            experts[hot, i], experts[cold, j] = experts[cold, j], experts[hot, i]
    return plan


def clairvoyant_workload(
    rebalance: Rebalance, workload: Workload, windows: list[np.ndarray]
) -> tuple[float, float]:
    """(balancedness, nodes_per_token) of the clairvoyant plans over the scored windows."""
    args = [int(workload[k]) for k in ("num_replicas", "num_groups", "num_nodes", "num_gpus")]
    gpus, nodes = args[3], args[2]
    sum_mean = sum_max = 0.0
    traffic = []
    for index, weight in enumerate(windows[1:], start=1):
        plan = np.asarray(rebalance(weight.copy(), *args)[0], dtype=np.int64)
        plan = refine_within_nodes(weight, plan, gpus, nodes)
        loads = gpu_loads(weight, plan, gpus)
        sum_mean += float(loads.mean(axis=1).sum())
        sum_max += float(loads.max(axis=1).sum())
        traffic.append(
            nodes_per_token(window_routes(workload, index, weight), plan, weight.shape[1], nodes)
        )
    return sum_mean / sum_max, float(np.mean(traffic))
