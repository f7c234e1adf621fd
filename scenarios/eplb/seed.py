"""Seed program for the eplb scenario: DeepSeek's hierarchical EPLB on numpy.

Evolve rebalance_experts(weight, num_replicas, num_groups, num_nodes, num_gpus) ->
(phy2log, log2phy, logcnt). weight is this window's [layers, experts] load; the plan is
scored on the NEXT window. numpy only; keep it deterministic (seed any randomness).
"""

import numpy as np


# EVOLVE-BLOCK-START
def balanced_packing(weight: np.ndarray, num_packs: int) -> tuple[np.ndarray, np.ndarray]:
    """Greedy LPT with a cardinality cap: each pack receives exactly n / num_packs items.

    weight: [rows, n]. Returns pack_index and rank_in_pack, both [rows, n].
    """
    rows, num_items = weight.shape
    per_pack = num_items // num_packs
    if per_pack == 1:
        pack_index = np.tile(np.arange(num_items), (rows, 1))
        return pack_index, np.zeros_like(pack_index)
    order = np.argsort(-weight, axis=1, kind="stable")
    pack_index = np.full((rows, num_items), -1, dtype=np.int64)
    rank_in_pack = np.full((rows, num_items), -1, dtype=np.int64)
    for row in range(rows):
        pack_load = [0.0] * num_packs
        pack_count = [0] * num_packs
        row_weight = weight[row]
        for item in order[row]:
            best = -1
            for pack in range(num_packs):
                if pack_count[pack] < per_pack and (best < 0 or pack_load[pack] < pack_load[best]):
                    best = pack
            pack_index[row, item] = best
            rank_in_pack[row, item] = pack_count[best]
            pack_load[best] += float(row_weight[item])
            pack_count[best] += 1
    return pack_index, rank_in_pack


def replicate_experts(weight: np.ndarray, num_physical: int):
    """Add replicas one at a time to the expert with the largest load per replica.

    weight: [rows, num_logical]. Returns phy2log and replica rank [rows, num_physical] and the
    replica count per logical expert [rows, num_logical].
    """
    rows, num_logical = weight.shape
    phy2log = np.tile(np.arange(num_physical, dtype=np.int64), (rows, 1))
    rank = np.zeros((rows, num_physical), dtype=np.int64)
    logcnt = np.ones((rows, num_logical), dtype=np.int64)
    row_ids = np.arange(rows)
    for slot in range(num_logical, num_physical):
        heaviest = np.argmax(weight / logcnt.astype(weight.dtype), axis=1)
        phy2log[:, slot] = heaviest
        rank[:, slot] = logcnt[row_ids, heaviest]
        logcnt[row_ids, heaviest] += 1
    return phy2log, rank, logcnt


def _inverse(perm: np.ndarray) -> np.ndarray:
    inv = np.empty_like(perm)
    np.put_along_axis(inv, perm, np.tile(np.arange(perm.shape[1]), (perm.shape[0], 1)), axis=1)
    return inv


def rebalance_experts_hierarchical(weight, num_physical, num_groups, num_nodes, num_gpus):
    """Groups -> nodes, replicas within each node, replicas -> GPUs of that node."""
    num_layers, num_logical = weight.shape
    group_size = num_logical // num_groups
    groups_per_node = num_groups // num_nodes
    phy_per_gpu = num_physical // num_gpus
    log_per_node = num_logical // num_nodes

    tokens_per_group = weight.reshape(num_layers, num_groups, group_size).sum(-1)
    group_pack, group_rank = balanced_packing(tokens_per_group, num_nodes)
    # log2mlog: where each logical expert lands once groups are laid out node by node.
    group_base = (group_pack * groups_per_node + group_rank) * group_size
    log2mlog = (group_base[:, :, None] + np.arange(group_size)).reshape(num_layers, -1)
    mlog2log = _inverse(log2mlog)

    tokens_per_mlog = np.take_along_axis(weight, mlog2log, axis=1).reshape(-1, log_per_node)
    phy2mlog, phyrank, mlogcnt = replicate_experts(tokens_per_mlog, num_physical // num_nodes)

    tokens_per_phy = np.take_along_axis(
        tokens_per_mlog / mlogcnt.astype(weight.dtype), phy2mlog, axis=1
    )
    pack_index, rank_in_pack = balanced_packing(tokens_per_phy, num_gpus // num_nodes)
    phy2pphy = pack_index * phy_per_gpu + rank_in_pack
    pphy2phy = _inverse(phy2pphy)

    pphy2mlog = np.take_along_axis(phy2mlog, pphy2phy, axis=1)
    node_offset = np.arange(0, num_logical, log_per_node).reshape(1, -1, 1)
    pphy2mlog = (pphy2mlog.reshape(num_layers, num_nodes, -1) + node_offset).reshape(num_layers, -1)
    pphy2log = np.take_along_axis(mlog2log, pphy2mlog, axis=1)
    pphyrank = np.take_along_axis(phyrank, pphy2phy, axis=1).reshape(num_layers, -1)
    logcnt = np.take_along_axis(mlogcnt.reshape(num_layers, -1), log2mlog, axis=1)
    return pphy2log, pphyrank, logcnt


def rebalance_experts(weight, num_replicas, num_groups, num_nodes, num_gpus):
    """Entry point: [layers, experts] load -> (phy2log, log2phy, logcnt).

    Hierarchical when groups divide evenly over nodes, otherwise one global pool.
    """
    weight = np.asarray(weight, dtype=np.float32)
    num_layers, num_logical = weight.shape
    if num_groups % num_nodes == 0:
        phy2log, phyrank, logcnt = rebalance_experts_hierarchical(
            weight, num_replicas, num_groups, num_nodes, num_gpus
        )
    else:
        phy2log, phyrank, logcnt = rebalance_experts_hierarchical(
            weight, num_replicas, 1, 1, num_gpus
        )
    max_cnt = int(logcnt.max())
    log2phy = np.full((num_layers, num_logical * max_cnt), -1, dtype=np.int64)
    np.put_along_axis(
        log2phy,
        phy2log * max_cnt + phyrank,
        np.tile(np.arange(num_replicas), (num_layers, 1)),
        axis=1,
    )
    return phy2log, log2phy.reshape(num_layers, num_logical, max_cnt), logcnt


# EVOLVE-BLOCK-END
