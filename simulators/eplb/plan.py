"""Trusted-side checks and measures of a placement plan.

A plan is ``(phy2log, log2phy, logcnt)``: ``phy2log[l, s]`` is the logical expert served by
physical slot ``s`` of layer ``l`` (GPU ``g`` owns slots ``g*R/G .. (g+1)*R/G - 1``);
``log2phy[l, e]`` lists the slots of expert ``e`` padded with -1; ``logcnt[l, e]`` counts them.
Tokens of an expert are split evenly over its replicas. Every check here closes a hole seen in a
published evaluator: extra slots faked balance 1.0, experts with no replica went unpunished.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulators.contract import OutputViolation


def _int_array(value: Any, name: str, where: str) -> np.ndarray:
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        array = None
    if array is None or array.dtype == object or array.dtype.kind not in "iu":
        raise OutputViolation(
            f"rule 'integer-arrays': {name} is not a rectangular integer array {where}"
        )
    return array.astype(np.int64)


def validate_plan(plan: dict[str, Any], workload: dict[str, Any], window: int) -> np.ndarray:
    """Check every rule of a plan and return its ``phy2log``; ``OutputViolation`` otherwise."""
    wid = workload["id"]
    layers, experts = int(workload["num_layers"]), int(workload["num_experts"])
    slots = int(workload["num_replicas"])
    where = f"(workload {wid}, window {window})"
    if not isinstance(plan, dict) or set(plan) != {"phy2log", "log2phy", "logcnt"}:
        raise OutputViolation(f"rule 'plan-shape': expected phy2log, log2phy, logcnt {where}")
    phy2log = _int_array(plan["phy2log"], "phy2log", where)
    log2phy = _dense_log2phy(plan["log2phy"], layers, experts, slots, where)
    logcnt = _int_array(plan["logcnt"], "logcnt", where)
    if phy2log.shape != (layers, slots):
        raise OutputViolation(
            f"rule 'replicas-equal-slots': phy2log has shape {phy2log.shape}, "
            f"expected ({layers}, {slots}) {where}"
        )
    if phy2log.min() < 0 or phy2log.max() >= experts:
        raise OutputViolation(f"rule 'expert-range': phy2log names an unknown expert {where}")
    counts = replica_counts(phy2log, experts)
    missing = np.argwhere(counts == 0)
    if missing.size:
        layer, expert = missing[0]
        raise OutputViolation(
            f"rule 'every-expert-replicated': expert {expert} of layer {layer} has no replica "
            f"{where}"
        )
    if logcnt.shape != (layers, experts) or not np.array_equal(logcnt, counts):
        raise OutputViolation(f"rule 'logcnt-consistent': logcnt does not count phy2log {where}")
    _check_log2phy(phy2log, log2phy, counts, where)
    return phy2log


def _dense_log2phy(sparse: Any, layers: int, experts: int, slots: int, where: str) -> np.ndarray:
    """Rebuild log2phy from the runner's sparse form (shape, flat index, value; rest is -1)."""
    rule = "rule 'log2phy-consistent'"
    if not isinstance(sparse, dict) or set(sparse) != {"shape", "index", "value"}:
        raise OutputViolation(f"{rule}: log2phy is not in the runner's sparse form {where}")
    shape = sparse["shape"]
    if (
        not isinstance(shape, list)
        or len(shape) != 3
        or not all(isinstance(d, int) for d in shape)
        or shape[:2] != [layers, experts]
        or not 1 <= shape[2] <= slots
    ):
        raise OutputViolation(
            f"{rule}: log2phy shape {shape}, expected ({layers}, {experts}, 1..{slots}) {where}"
        )
    index = _int_array(sparse["index"] or np.zeros(0, dtype=np.int64), "log2phy", where)
    value = _int_array(sparse["value"] or np.zeros(0, dtype=np.int64), "log2phy", where)
    size = layers * experts * shape[2]
    if (
        index.ndim != 1
        or index.shape != value.shape
        or (index.size and (index.min() < 0 or index.max() >= size))
    ):
        raise OutputViolation(f"{rule}: log2phy entries out of range {where}")
    if np.unique(index).size != index.size:
        raise OutputViolation(f"{rule}: log2phy lists an entry twice {where}")
    dense = np.full(size, -1, dtype=np.int64)
    dense[index] = value
    return dense.reshape(shape)


def _check_log2phy(
    phy2log: np.ndarray, log2phy: np.ndarray, counts: np.ndarray, where: str
) -> None:
    layers, slots = phy2log.shape
    experts = counts.shape[1]
    if log2phy.ndim != 3 or log2phy.shape[:2] != (layers, experts) or log2phy.shape[2] < 1:
        raise OutputViolation(f"rule 'log2phy-consistent': log2phy shape {log2phy.shape} {where}")
    if log2phy.shape[2] > slots or log2phy.min() < -1 or log2phy.max() >= slots:
        raise OutputViolation(f"rule 'log2phy-consistent': slot index out of range {where}")
    valid = log2phy >= 0
    if not np.array_equal(valid.sum(axis=2), counts):
        raise OutputViolation(
            f"rule 'log2phy-consistent': replica lists disagree with phy2log {where}"
        )
    layer_idx, expert_idx, _ = np.nonzero(valid)
    slot_idx = log2phy[valid]
    if not np.array_equal(phy2log[layer_idx, slot_idx], expert_idx):
        raise OutputViolation(
            f"rule 'log2phy-consistent': a listed slot serves another expert {where}"
        )
    seen = np.bincount(layer_idx * slots + slot_idx, minlength=layers * slots)
    if not np.all(seen == 1):
        raise OutputViolation(f"rule 'log2phy-consistent': a slot is listed twice or never {where}")


def replica_counts(phy2log: np.ndarray, experts: int) -> np.ndarray:
    """Replicas per logical expert, recomputed from ``phy2log`` (never taken from the candidate)."""
    layers = phy2log.shape[0]
    flat = (phy2log + np.arange(layers)[:, None] * experts).ravel()
    return np.bincount(flat, minlength=layers * experts).reshape(layers, experts)


def gpu_loads(weight: np.ndarray, phy2log: np.ndarray, num_gpus: int) -> np.ndarray:
    """Load of every GPU ``[layers, gpus]`` when ``weight`` is served by plan ``phy2log``."""
    counts = replica_counts(phy2log, weight.shape[1])
    per_slot = np.take_along_axis(weight, phy2log, 1) / np.take_along_axis(counts, phy2log, 1)
    return per_slot.reshape(phy2log.shape[0], num_gpus, -1).sum(axis=2)


def min_max_replica_load(weight: np.ndarray, num_replicas: int) -> np.ndarray:
    """Per layer, the least possible largest load of one replica with ``num_replicas`` slots.

    Giving the next replica to the expert with the largest load per replica is optimal for this
    min-max (exchange argument), so the result is exact, and some GPU holds that replica.
    """
    layers, experts = weight.shape
    counts = np.ones((layers, experts))
    rows = np.arange(layers)
    for _ in range(num_replicas - experts):
        heaviest = np.argmax(weight / counts, axis=1)
        counts[rows, heaviest] += 1
    return (weight / counts).max(axis=1)


def balance_bound_terms(
    weight: np.ndarray, num_replicas: int, num_gpus: int
) -> tuple[float, float]:
    """(Σ mean GPU load, lower bound on Σ max GPU load) over layers, valid for *any* plan.

    The heaviest GPU carries at least the mean and at least the heaviest replica, so
    ``Σ mean / Σ max(mean, min-max replica load)`` bounds balancedness even for a clairvoyant.
    """
    mean = weight.sum(axis=1) / num_gpus
    lower = np.maximum(mean, min_max_replica_load(weight, num_replicas))
    return float(mean.sum()), float(lower.sum())
