"""The two fast eplb programs: the vectorised DeepSeek port (a test fixture) plans exactly like
the port, and the fast_greedy baseline of eplb_speed makes valid plans that balance as well.

No timing assertions: the speed-ups (measured in the report that added these files) are too
machine-dependent to assert on a shared runner.
"""

from __future__ import annotations

import runpy
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from simulators.eplb.plan import gpu_loads, validate_plan
from simulators.eplb.player import plain_plan
from simulators.eplb.workload import EplbSplit, all_windows, make_workloads

ROOT = Path(__file__).resolve().parents[2]
DEEPSEEK = runpy.run_path(str(ROOT / "scenarios/eplb/baselines/deepseek.py"))["rebalance_experts"]
VECTORISED = runpy.run_path(str(ROOT / "tests/support/eplb_vectorised_deepseek.py"))[
    "rebalance_experts"
]
FAST_GREEDY_MODULE = runpy.run_path(str(ROOT / "scenarios/eplb_speed/baselines/fast_greedy.py"))
FAST_GREEDY = FAST_GREEDY_MODULE["rebalance_experts"]

SPLIT = EplbSplit(workloads=4, seed=11, zipf_alpha=[0.8, 1.2], drift_sigma=[0.15, 0.3])
REPLICAS = [288, 320]
SHAPE = (8, 4, 32)  # num_groups, num_nodes, num_gpus
PLANNED_WINDOWS = 4  # windows 0..3 are planned, each scored on the next one


@cache
def workloads_and_windows() -> list[tuple[dict, list[np.ndarray]]]:
    return [(workload, all_windows(workload)) for workload in make_workloads("train", SPLIT)]


def _workload_spec(workload: dict, num_replicas: int) -> dict:
    return dict(workload, num_replicas=num_replicas)


def _balancedness(program, num_replicas: int, **shape) -> float:
    groups, nodes, gpus = shape.get("groups", 8), shape.get("nodes", 4), shape.get("gpus", 32)
    values = []
    for _, windows in workloads_and_windows():
        for i in range(PLANNED_WINDOWS):
            phy2log = program(windows[i].copy(), num_replicas, groups, nodes, gpus)[0]
            loads = gpu_loads(windows[i + 1], phy2log, gpus)
            values.append(loads.mean(axis=1).sum() / loads.max(axis=1).sum())
    return float(np.mean(values))


@pytest.mark.parametrize("num_replicas", REPLICAS)
def test_vectorised_port_plans_exactly_like_the_deepseek_port(num_replicas):
    for workload, windows in workloads_and_windows():
        for i in range(PLANNED_WINDOWS):
            expected = DEEPSEEK(windows[i].copy(), num_replicas, *SHAPE)
            got = VECTORISED(windows[i].copy(), num_replicas, *SHAPE)
            for name, a, b in zip(("phy2log", "log2phy", "logcnt"), expected, got, strict=True):
                assert a.dtype == b.dtype and a.shape == b.shape, (workload["id"], i, name)
                assert np.array_equal(a, b), (workload["id"], i, name)


@pytest.mark.parametrize(
    ("weight", "args"),
    [
        # Many equal loads: every tie-break (stable sorts, lowest pack index) is exercised.
        (np.random.default_rng(3).integers(0, 3, (6, 64)).astype(float), (80, 8, 4, 16)),
        (np.zeros((3, 32)), (48, 4, 2, 8)),  # all ties, every pack load 0
        (np.ones((3, 32)), (40, 4, 2, 8)),
        (np.random.default_rng(4).pareto(1.0, (5, 48)), (64, 6, 4, 16)),  # groups % nodes: flat
        (np.random.default_rng(5).integers(0, 50, (4, 12)).astype(float), (16, 4, 2, 8)),
    ],
)
def test_vectorised_port_breaks_ties_like_the_deepseek_port(weight, args):
    for a, b in zip(DEEPSEEK(weight, *args), VECTORISED(weight, *args), strict=True):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("num_replicas", REPLICAS)
@pytest.mark.parametrize("program", [VECTORISED, FAST_GREEDY], ids=["vectorised", "fast_greedy"])
def test_fast_programs_make_valid_plans(program, num_replicas):
    for workload, windows in workloads_and_windows():
        spec = _workload_spec(workload, num_replicas)
        for i in range(PLANNED_WINDOWS):
            result = program(windows[i].copy(), num_replicas, *SHAPE)
            plan = plain_plan(result, spec["id"], i)
            validate_plan(plan, spec, i)  # raises OutputViolation on any broken rule
            log2phy = np.asarray(result[1])
            assert log2phy.shape[2] == int(np.asarray(result[2]).max())  # padded to max count


@pytest.mark.parametrize(
    "weight",
    [
        np.zeros((2, 16)),  # no load at all: apportioned as if uniform
        np.ones((2, 16)),
        np.eye(2, 16) * 1000.0,  # one hot expert per layer
        np.random.default_rng(6).integers(0, 3, (3, 16)).astype(float),
        np.where(np.arange(16) % 2, 5.0, -1.0) * np.ones((2, 1)),  # negative loads count as 0
    ],
)
@pytest.mark.parametrize("num_replicas", [16, 24, 64])
def test_fast_greedy_is_valid_on_degenerate_loads(weight, num_replicas):
    layers, experts = weight.shape
    spec = {
        "id": "edge",
        "num_layers": layers,
        "num_experts": experts,
        "num_replicas": num_replicas,
    }
    result = FAST_GREEDY(weight, num_replicas, 4, 2, 8)
    validate_plan(plain_plan(result, "edge", 0), spec, 0)


def test_fast_greedy_apportions_largest_remainders():
    # 10 slots over loads 6:3:1 with at least one each: quotas 6, 3, 1 exactly.
    counts = FAST_GREEDY_MODULE["replica_counts"](np.array([[6.0, 3.0, 1.0]]), 10)
    assert counts.tolist() == [[6, 3, 1]]
    # 9 slots over loads 5:2:1: quotas 5.625, 2.25, 1.125 -> 5, 2, 1, and the one leftover slot
    # to the largest remainder (expert 0).
    counts = FAST_GREEDY_MODULE["replica_counts"](np.array([[5.0, 2.0, 1.0]]), 9)
    assert counts.tolist() == [[6, 2, 1]]
    # A light expert is pinned at one replica and the rest re-apportioned over 11 slots.
    counts = FAST_GREEDY_MODULE["replica_counts"](np.array([[100.0, 1.0, 100.0]]), 12)
    assert counts.tolist() == [[6, 1, 5]]  # 5.5 and 5.5: the tie goes to the lowest index


def test_fast_greedy_orders_replicas_like_a_stable_descending_sort():
    rng = np.random.default_rng(7)
    load = rng.integers(0, 5, (7, 300)) / rng.integers(1, 4, (7, 300))
    expected = np.argsort(-load, axis=1, kind="stable")
    assert np.array_equal(FAST_GREEDY_MODULE["heaviest_first"](load), expected)


@pytest.mark.parametrize("num_replicas", REPLICAS)
def test_fast_greedy_balances_at_least_as_well_as_deepseek(num_replicas):
    """Scored on the next window. At the default shape the hierarchical port packs whole
    groups onto nodes first and balances markedly worse than a flat pool, so fast_greedy is
    compared one-sided with it, and two-sided with the port's flat policy (one node)."""
    greedy = _balancedness(FAST_GREEDY, num_replicas)
    hierarchical = _balancedness(DEEPSEEK, num_replicas)
    flat = _balancedness(DEEPSEEK, num_replicas, nodes=1)
    assert greedy >= 0.98 * hierarchical, (greedy, hierarchical)
    assert abs(greedy - flat) <= 0.02 * flat, (greedy, flat)
