"""Inter-node traffic of a plan under group-limited routing: how many nodes a token is sent to.

Balancedness alone rewards throwing DeepSeek's hierarchy away: one flat pool of replicas over
every GPU packs better, and scatters each expert group over all nodes, so a token that
group-limited routing kept to a few groups is dispatched to many nodes over the slow network.
This module counts that cost.

**Routing model** (DeepSeek-V3 style, group-limited). Experts are split into ``num_groups``
contiguous groups (expert ``e`` is in group ``e // (experts / groups)``). Each token of a layer
picks ``topk_groups`` distinct groups, with probability following the groups' loads in the
window, then its ``topk`` experts among the experts of those groups, following the experts'
loads (Plackett-Luce draws: Gumbel noise on log load, top-k). Each expert-token assignment goes
to one of the expert's replicas, uniformly (the even split balancedness assumes).

**Metric** ``nodes_per_token``: the expected number of distinct nodes a token's assignments
reach, averaged over sampled tokens. Given the token's experts ``S`` and ``f[e, n]``, the share
of expert ``e``'s replicas on node ``n``, node ``n`` is missed with probability
``prod_{e in S} (1 - f[e, n])``, so the expectation is exact for the sampled routes (no
sampling of replicas). A token is dispatched once per node it reaches (the node forwards over
NVLink), so inter-node sends per token are ``nodes_per_token x (1 - 1/num_nodes)`` when tokens
start on a uniformly random node: the two rank plans alike.

The routes depend only on the window (trusted data), are drawn from their own seeded stream and
are the same for every program: differences between plans are not sampling noise.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

#: DeepSeek-V3: 8 routed experts per token, drawn from 4 of 8 groups.
TOPK, TOPK_GROUPS = 8, 4
#: Sampled tokens per layer and window (x 58 layers x 4 scored windows ~ 30k per workload).
ROUTE_TOKENS = 128


def route_params(workload: dict[str, Any]) -> tuple[int, int, int]:
    """(topk, topk_groups, tokens) of a workload, clipped to what its shape allows."""
    groups = int(workload["num_groups"])
    experts = int(workload["num_experts"])
    topk_groups = min(int(workload.get("route_topk_groups", TOPK_GROUPS)), groups)
    topk = min(int(workload.get("route_topk", TOPK)), experts // groups * topk_groups)
    return topk, topk_groups, int(workload.get("route_tokens", ROUTE_TOKENS))


def sample_routes(
    weight: np.ndarray,
    num_groups: int,
    topk: int,
    topk_groups: int,
    tokens: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """``[layers, tokens, topk]`` expert ids: each token's experts under group-limited routing.

    A load of zero keeps a small weight (half a token), so every expert can still be drawn."""
    layers, experts = weight.shape
    size = experts // num_groups
    log_expert = np.log(weight + 0.5)
    log_group = np.log(weight.reshape(layers, num_groups, size).sum(axis=2) + 0.5)
    group_keys = log_group[:, None, :] + rng.gumbel(size=(layers, tokens, num_groups))
    chosen = np.argpartition(-group_keys, topk_groups - 1, axis=2)[:, :, :topk_groups]
    allowed = np.zeros((layers, tokens, num_groups), dtype=bool)
    np.put_along_axis(allowed, chosen, True, axis=2)
    expert_keys = log_expert[:, None, :] + rng.gumbel(size=(layers, tokens, experts))
    expert_keys[~np.repeat(allowed, size, axis=2)] = -np.inf
    routes = np.argpartition(-expert_keys, topk - 1, axis=2)[:, :, :topk]
    return routes.astype(np.int32)


_CACHE: dict[tuple[Any, ...], np.ndarray] = {}
#: Windows whose routes are kept (a session scores the same few dozen windows over and over).
CACHE_WINDOWS = 256


def window_routes(workload: dict[str, Any], window: int, weight: np.ndarray) -> np.ndarray:
    """The routes of one window of a workload, the same for every program that is scored
    (cached by the window's content: scoring a split re-uses them for every candidate)."""
    topk, topk_groups, tokens = route_params(workload)
    data = np.ascontiguousarray(weight, dtype=np.float64)
    key = (
        int(workload["seed"]),
        int(workload["num_groups"]),
        topk,
        topk_groups,
        tokens,
        window,
        data.shape,
        hashlib.sha1(data.tobytes()).hexdigest(),
    )
    routes = _CACHE.get(key)
    if routes is None:
        if len(_CACHE) >= CACHE_WINDOWS:
            _CACHE.pop(next(iter(_CACHE)))
        rng = np.random.default_rng([int(workload["seed"]), window, 7_919])  # its own stream
        routes = _CACHE[key] = sample_routes(
            data, int(workload["num_groups"]), topk, topk_groups, tokens, rng
        )
    return routes


def node_shares(phy2log: np.ndarray, experts: int, num_nodes: int) -> np.ndarray:
    """``[layers, experts, nodes]``: the share of each expert's replicas on each node (GPU
    ``g`` owns a contiguous block of slots, node ``n`` a contiguous block of GPUs)."""
    layers, slots = phy2log.shape
    node_of_slot = np.arange(slots) // (slots // num_nodes)
    flat = (np.arange(layers)[:, None] * experts + phy2log) * num_nodes + node_of_slot
    counts = np.bincount(flat.ravel(), minlength=layers * experts * num_nodes)
    counts = counts.reshape(layers, experts, num_nodes).astype(np.float64)
    return counts / np.maximum(counts.sum(axis=2, keepdims=True), 1.0)


def nodes_per_token(routes: np.ndarray, phy2log: np.ndarray, experts: int, num_nodes: int) -> float:
    """Expected distinct nodes a token reaches, averaged over ``routes`` (``[layers, tokens,
    topk]``), when plan ``phy2log`` serves it."""
    shares = node_shares(phy2log, experts, num_nodes)
    per_token = np.take_along_axis(shares[:, None, :, :], routes[:, :, :, None], axis=2)
    missed = np.prod(1.0 - per_token, axis=2)  # [layers, tokens, nodes]
    return float(num_nodes - missed.sum(axis=2).mean())
