"""Load-blind placement: one replica per expert, spare slots to experts 0, 1, ... in order,
slots laid out contiguously. The floor any load-aware algorithm should clear."""

import numpy as np


def rebalance_experts(weight, num_replicas, num_groups, num_nodes, num_gpus):
    num_layers, num_experts = np.asarray(weight).shape
    row = np.concatenate(
        [np.arange(num_experts), np.arange(num_replicas - num_experts) % num_experts]
    )
    row = np.sort(row)
    phy2log = np.tile(row, (num_layers, 1)).astype(np.int64)
    logcnt = np.tile(np.bincount(row, minlength=num_experts), (num_layers, 1)).astype(np.int64)
    max_cnt = int(logcnt.max())
    log2phy = np.full((num_layers, num_experts, max_cnt), -1, dtype=np.int64)
    rank = np.zeros(num_replicas, dtype=np.int64)
    seen: dict[int, int] = {}  # expert -> replicas of it placed so far
    for slot, expert in enumerate(row):
        rank[slot] = seen.get(expert, 0)
        seen[expert] = rank[slot] + 1
    log2phy[:, row, rank] = np.arange(num_replicas)
    return phy2log, log2phy, logcnt
