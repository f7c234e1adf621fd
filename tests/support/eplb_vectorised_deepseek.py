"""DeepSeek's hierarchical EPLB, vectorised across rows: a "faster at equal balance" fixture.

The algorithm and every tie-break are those of ``scenarios/eplb/baselines/deepseek.py`` (pack
expert groups onto nodes, replicate the expert with the heaviest load per replica inside each
node, pack the replicas onto the node's GPUs; stable descending sorts, lowest index wins among
equals), so the three returned arrays are identical to the port's on every finite input
(``tests/eplb/test_fast_programs.py`` checks it). Only the loops change:

* ``balanced_packing`` walks the items in sorted order once for all rows at the same time: for
  item ``k`` of every row, the pack with room and the least load (lowest index on ties) is an
  ``argmin`` over a key that is the pack's load, or ``inf`` once the pack is full. Loads are
  accumulated in float64 in the same order as the port's Python floats, so they are bitwise the
  same and so are the choices.
* ``replicate_experts`` keeps the load-per-replica matrix and updates only the entry of the
  expert that just got a replica (the same float32 division the port repeats on the full
  matrix), so each added replica costs one ``argmax``.

Pure numpy and deterministic; no imports besides numpy.
"""

import numpy as np


def balanced_packing(weight: np.ndarray, num_packs: int) -> tuple[np.ndarray, np.ndarray]:
    """Greedy LPT with a cardinality cap (each pack gets n / num_packs items), all rows at once.

    weight: [rows, n]. Returns pack_index and rank_in_pack, both [rows, n].
    """
    rows, num_items = weight.shape
    per_pack = num_items // num_packs
    if per_pack == 1:
        pack_index = np.tile(np.arange(num_items), (rows, 1))
        return pack_index, np.zeros_like(pack_index)
    order = np.argsort(-weight, axis=1, kind="stable")
    # Item weights in visiting order, [n, rows] so step k reads one contiguous row, as the
    # float64 values the port adds (float(row_weight[item])).
    sorted_weight = np.take_along_axis(weight, order, axis=1).T.astype(np.float64)
    # key[row, pack] is the pack's load while it has room and +inf once it is full, so argmin
    # picks the least-loaded pack with room, the lowest index among equals (the port's strict
    # '<' scan does the same). A full pack is never chosen again, so its load is not needed.
    key = np.zeros((rows, num_packs), dtype=np.float64)
    pack_count = np.zeros(rows * num_packs, dtype=np.int64)
    key_flat = key.reshape(-1)
    row_base = np.arange(rows) * num_packs
    full_penalty = np.array([0.0, np.inf])  # indexed by count // per_pack (0 while room left)
    chosen = np.empty((num_items, rows), dtype=np.int64)
    ranks = np.empty((num_items, rows), dtype=np.int64)
    for k in range(num_items):
        best = key.argmin(axis=1)
        flat = row_base + best
        count = pack_count[flat]
        chosen[k] = best
        ranks[k] = count
        count += 1
        pack_count[flat] = count
        # load + w is the port's float addition; + 0.0 leaves it unchanged, + inf marks full.
        key_flat[flat] = (key_flat[flat] + sorted_weight[k]) + full_penalty[count // per_pack]
    pack_index = np.empty((rows, num_items), dtype=np.int64)
    rank_in_pack = np.empty((rows, num_items), dtype=np.int64)
    np.put_along_axis(pack_index, order, chosen.T, axis=1)
    np.put_along_axis(rank_in_pack, order, ranks.T, axis=1)
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
    per_replica = weight / logcnt.astype(weight.dtype)
    for slot in range(num_logical, num_physical):
        heaviest = np.argmax(per_replica, axis=1)
        count = logcnt[row_ids, heaviest]
        phy2log[:, slot] = heaviest
        rank[:, slot] = count
        count += 1
        logcnt[row_ids, heaviest] = count
        # Same elementwise division (weight dtype) the port recomputes on the whole matrix.
        per_replica[row_ids, heaviest] = weight[row_ids, heaviest] / count.astype(weight.dtype)
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
