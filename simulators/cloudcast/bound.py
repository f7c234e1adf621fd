"""A proven lower bound on the cost of any valid broadcast (the scenario's limit).

Egress: for each partition the used edges contain a path from the source to every destination,
so their indicator is feasible for the LP relaxation of the directed Steiner tree problem
(multi-commodity flow: one unit from the source to each destination, each flow under a shared
capacity ``x_e``, minimise Σ price_e · x_e). Summed over partitions: egress >= data_vol · LP.

Instance: every partition enters each destination and leaves the source; the caps of
``cost.edge_rates`` keep a region's total rate within its provider's ingress (egress) limit, so
the slowest edge takes at least ``data_vol · 8 / limit`` seconds; at least ``1 + |destinations|``
regions are billed for that long. Both parts are bounded separately, so their sum bounds the cost.
The LP value is shaved by a relative 1e-7 so solver tolerance cannot lift it above the optimum.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, hstack, vstack

from simulators.cloudcast.cost import INSTANCE_PRICE_PER_HOUR
from simulators.cloudcast.graph import Graph, provider


def steiner_lp(graph: Graph, source: str, destinations: list[str]) -> float:
    """LP relaxation value of the min-price directed Steiner tree ($/GB)."""
    edges = [e for e in graph.cost if e[1] != source]  # nothing useful ever enters the source
    index = {node: i for i, node in enumerate(graph.nodes)}
    num_e, num_n, num_k = len(edges), len(graph.nodes), len(destinations)
    tails = np.array([index[a] for a, _ in edges])
    heads = np.array([index[b] for _, b in edges])
    price = np.array([graph.cost[e] for e in edges])
    # Node-edge incidence: +1 where the edge leaves, -1 where it enters.
    cols = np.concatenate([np.arange(num_e), np.arange(num_e)])
    rows = np.concatenate([tails, heads])
    vals = np.concatenate([np.ones(num_e), -np.ones(num_e)])
    incidence = coo_matrix((vals, (rows, cols)), shape=(num_n, num_e)).tocsr()
    blocks_eq, rhs_eq = [], []
    for k, dst in enumerate(destinations):
        row = [coo_matrix((num_n, num_e))] * num_k
        row[k] = incidence
        blocks_eq.append(hstack([*row, coo_matrix((num_n, num_e))]))
        supply = np.zeros(num_n)
        supply[index[source]], supply[index[dst]] = 1.0, -1.0
        rhs_eq.append(supply)
    eye = coo_matrix((np.ones(num_e), (np.arange(num_e), np.arange(num_e))), shape=(num_e, num_e))
    blocks_ub = []
    for k in range(num_k):
        row = [coo_matrix((num_e, num_e))] * num_k
        row[k] = eye
        blocks_ub.append(hstack([*row, -eye]))
    objective = np.concatenate([np.zeros(num_e * num_k), price])
    result = linprog(
        objective,
        A_ub=vstack(blocks_ub).tocsr(),
        b_ub=np.zeros(num_e * num_k),
        A_eq=vstack(blocks_eq).tocsr(),
        b_eq=np.concatenate(rhs_eq),
        bounds=(0, 1),
        method="highs",
    )
    if result.status != 0:
        raise RuntimeError(f"Steiner LP failed: {result.message}")
    return float(result.fun) * (1 - 1e-7)


def transfer_time_bound(graph: Graph, workload: dict[str, Any]) -> float:
    """Seconds no valid broadcast can beat (ingress at each destination, egress at the source)."""
    vms = int(workload["vms_per_region"])
    bits = float(workload["data_vol_gb"]) * 8
    src = workload["source"]
    out_tput = sum(t for (a, _), t in graph.throughput.items() if a == src)
    worst = bits / min(workload["egress_limit"].get(provider(src), 5.0) * vms, out_tput)
    for dst in workload["destinations"]:
        in_tput = sum(t for (_, b), t in graph.throughput.items() if b == dst)
        rate = min(workload["ingress_limit"].get(provider(dst), 10.0) * vms, in_tput)
        worst = max(worst, bits / rate)
    return worst


def cost_lower_bound(graph: Graph, workload: dict[str, Any]) -> dict[str, float]:
    """``{"egress", "instance", "total"}`` lower bounds in dollars."""
    egress = float(workload["data_vol_gb"]) * steiner_lp(
        graph, workload["source"], list(workload["destinations"])
    )
    regions = 1 + len(set(workload["destinations"]) - {workload["source"]})
    hourly = regions * int(workload["vms_per_region"]) * INSTANCE_PRICE_PER_HOUR
    instance = hourly * transfer_time_bound(graph, workload) / 3600.0 * (1 - 1e-9)
    return {"egress": egress, "instance": instance, "total": egress + instance}
