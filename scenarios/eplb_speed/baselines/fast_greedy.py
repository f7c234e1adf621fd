"""Fast flat EPLB: largest-remainder replica counts, then greedy heaviest-first GPU placement.

A baseline for the speed scenario: the simple, fast alternative to DeepSeek's hierarchical
EPLB that a practitioner reaches for first. It ignores expert groups and nodes and treats all
GPUs as one pool, in two textbook steps, each done for all layers at once with numpy:

1. Replica counts by largest-remainder (Hamilton) apportionment with a minimum of one replica
   per expert. Each expert's quota is its share of the slots, proportional to its load; an
   expert whose quota is below one gets exactly one replica and leaves the pool, and the
   quotas of the others are recomputed over the slots left (repeated until no quota is below
   one). The pool's experts get the integer part of their quota, and the leftover slots go to
   the largest fractional remainders (lowest expert index on ties).
2. Placement by the greedy "longest processing time first" rule with a cardinality cap: the
   replicas (load of the expert split evenly over its replicas) are visited heaviest first
   (lowest expert index on ties, see ``heaviest_first``) and each goes to the least-loaded
   GPU that still has a free slot (lowest GPU index on ties); every GPU has exactly
   ``num_replicas / num_gpus`` slots. The first ``num_gpus`` replicas go one to each GPU in
   order (what the rule does whenever they carry load); the loop then runs over the other
   replicas in sorted order, with numpy operations across all layers at each step. A GPU's
   slots are filled in the order its replicas arrive.

It is a baseline because it is the obvious fast method, not a tuned one: apportionment is
one pass of arithmetic instead of one ``argmax`` per extra replica, and placement is one pass
over the replicas for all layers together instead of a Python scan per layer. It gives up the
node locality of the hierarchical scheme (which the balancedness objective does not price) and
the exact min-max replica load of DeepSeek's replication step. Flat placement is free to mix
any experts on a GPU, so on the generated workloads it balances better than the hierarchical
port, whose first step packs whole expert groups onto nodes.

Pure numpy and deterministic; no imports besides numpy. Same contract as DeepSeek's
``rebalance_experts``: returns ``phy2log [layers, num_replicas]``, ``log2phy [layers,
experts, max replica count]`` padded with -1, and ``logcnt [layers, experts]``.
"""

import numpy as np


def replica_counts(weight: np.ndarray, num_replicas: int) -> np.ndarray:
    """Largest-remainder apportionment of ``num_replicas`` slots, at least one per expert.

    weight: [layers, experts] (negative or NaN loads count as 0; a layer with no load is
    apportioned as if uniform). Returns int64 counts [layers, experts] summing to
    ``num_replicas``.

    Pinning the experts whose quota is below one only raises the others' slots-per-load, so
    the pinned experts are the lightest ones: the number pinned is the first ``p`` at which the
    ``p``-th lightest expert's quota over the remaining ``num_replicas - p`` slots reaches one
    (the lightest expert always passes at ``p = experts - 1``), found for all layers at once.
    """
    layers, experts = weight.shape
    weight = np.where(weight > 0, weight, 0.0)
    weight = np.where(weight.sum(axis=1, keepdims=True) > 0, weight, 1.0)
    ascending = np.sort(weight, axis=1)
    # Load left in the pool and slots left when the p lightest experts are pinned.
    pool_load = np.cumsum(ascending[:, ::-1], axis=1)[:, ::-1]
    pool_slots = num_replicas - np.arange(experts)
    reaches_one = ascending * pool_slots >= pool_load
    reaches_one[:, -1] = True
    threshold = ascending[np.arange(layers), reaches_one.argmax(axis=1)]
    pinned = weight < threshold[:, None]
    free_slots = num_replicas - pinned.sum(axis=1, keepdims=True)
    free_weight = np.where(pinned, 0.0, weight)
    quota = free_weight * (free_slots / free_weight.sum(axis=1, keepdims=True))
    whole = np.floor(quota)
    counts = np.where(pinned, 1, np.maximum(whole, 1.0).astype(np.int64))
    remainder = np.where(pinned, -1.0, quota - whole)
    leftover = num_replicas - counts.sum(axis=1)
    if (leftover < 0).any():  # only by float rounding: take back from the most replicated
        order = np.argsort(-counts, axis=1, kind="stable")
        give_back = (np.arange(experts) < -leftover[:, None]).astype(np.int64)
        np.put_along_axis(counts, order, np.take_along_axis(counts, order, 1) - give_back, 1)
        leftover = np.maximum(leftover, 0)
    # The leftover slots go to the largest remainders, lowest expert index on ties.
    order = np.argsort(-remainder, axis=1, kind="stable")
    bonus = (np.arange(experts) < leftover[:, None]).astype(np.int64)
    np.put_along_axis(counts, order, np.take_along_axis(counts, order, 1) + bonus, 1)
    return counts


def heaviest_first(load: np.ndarray) -> np.ndarray:
    """Per row, the column order by descending load, lowest column first among equal loads.

    The order of ``np.argsort(-load, axis=1, kind="stable")``, several times faster: the bits
    of a non-negative float64 increase with its value, so one int64 key per entry (complemented
    load bits, then the column) goes through numpy's vectorised integer sort. Making room for
    the column drops the lowest mantissa bits, so loads that differ by less than about 1e-12
    relative count as equal (and go lowest column first). ``load`` must be >= +0.0.
    """
    load = np.ascontiguousarray(load, dtype=np.float64)
    shift = max(1, (load.shape[1] - 1).bit_length())
    top = np.iinfo(np.int64).max >> shift
    key = ((top - (load.view(np.int64) >> shift)) << shift) | np.arange(load.shape[1])
    return np.sort(key, axis=1) & ((1 << shift) - 1)


def rebalance_experts(weight, num_replicas, num_groups, num_nodes, num_gpus):
    """Entry point: [layers, experts] load -> (phy2log, log2phy, logcnt). Groups and nodes are
    ignored: one pool of ``num_gpus`` GPUs with ``num_replicas / num_gpus`` slots each."""
    weight = np.asarray(weight, dtype=np.float64)
    weight = np.where(weight > 0, weight, 0.0)  # negative, NaN and -0.0 loads count as +0.0
    layers, experts = weight.shape
    per_gpu = num_replicas // num_gpus
    logcnt = replica_counts(weight, num_replicas)

    # The replicas of every layer in expert order, then heaviest first (lowest expert on ties).
    expert_ids = np.tile(np.arange(experts), layers)
    replica_expert = np.repeat(expert_ids, logcnt.ravel()).reshape(layers, num_replicas)
    replica_load = np.take_along_axis(weight / logcnt, replica_expert, axis=1)
    order = heaviest_first(replica_load)
    sorted_expert = np.take_along_axis(replica_expert, order, axis=1)
    # [replicas, layers]: step k of the loop reads one contiguous row.
    sorted_load = np.ascontiguousarray(np.take_along_axis(replica_load, order, axis=1).T)

    # key[layer, gpu] is the GPU's load while it has a free slot and +inf once full, so argmin
    # picks the least-loaded GPU with room (lowest index on ties). The first num_gpus replicas
    # go one to each GPU in order, as the greedy places them whenever they carry load.
    first_round = num_gpus
    full_penalty = np.zeros(per_gpu + 1)
    full_penalty[per_gpu] = np.inf  # indexed by the GPU's replica count after the step
    key_flat = np.empty(layers * num_gpus, dtype=np.float64)
    key = key_flat.reshape(layers, num_gpus)  # a view: writes through key_flat update key
    key[:] = sorted_load[:first_round].T + full_penalty[1]
    fill = np.ones(layers * num_gpus, dtype=np.int64)
    row_base = np.arange(layers) * num_gpus
    # Per replica (in sorted order): layer * num_gpus + its GPU, and its rank on that GPU.
    placed = np.empty((num_replicas, layers), dtype=np.int64)
    arrival = np.empty((num_replicas, layers), dtype=np.int64)
    placed[:first_round] = row_base + np.arange(first_round)[:, None]
    arrival[:first_round] = 0
    for k in range(first_round, num_replicas):
        flat = np.add(row_base, key.argmin(axis=1), out=placed[k])
        used = fill[flat]
        arrival[k] = used
        used += 1
        fill[flat] = used
        key_flat[flat] += sorted_load[k] + full_penalty[used]
    # GPU g's i-th replica takes slot g*per_gpu + i; as a flat index into [layers, replicas],
    # (layer*num_gpus + g)*per_gpu + i.
    flat_slot = (placed * per_gpu + arrival).T
    phy2log = np.empty((layers, num_replicas), dtype=np.int64)
    phy2log.reshape(-1)[flat_slot] = sorted_expert

    # log2phy: each expert's slots, padded with -1; a replica's rank among its expert's replicas
    # is its column minus the expert's first column.
    max_cnt = int(logcnt.max())
    first_column = np.cumsum(logcnt, axis=1) - logcnt
    replica_rank = np.arange(num_replicas) - np.take_along_axis(first_column, replica_expert, 1)
    sorted_rank = np.take_along_axis(replica_rank, order, axis=1)
    layer_ids = np.arange(layers)[:, None]
    log2phy = np.full((layers, experts, max_cnt), -1, dtype=np.int64)
    log2phy.reshape(-1)[((layer_ids * experts + sorted_expert) * max_cnt + sorted_rank)] = (
        flat_slot - layer_ids * num_replicas
    )
    return phy2log, log2phy, logcnt
