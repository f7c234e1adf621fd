"""eplb: the DeepSeek port, output validation, the limit, causality and timing honesty."""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np
import pytest

from simulators.checks.causality import causality_violations, probe_workloads
from simulators.contract import OutputViolation
from simulators.scenario import load_scenario

SCENARIO = load_scenario("eplb")
KIND = SCENARIO.engine
BASELINES = {name: runpy.run_path(str(p)) for name, p in SCENARIO.baseline_paths().items()}
DEEPSEEK = BASELINES["deepseek"]["rebalance_experts"]


def small_workload(**extra) -> dict:
    """A train workload shrunk to 3 windows so a test runs in a fraction of a second."""
    workload = dict(KIND.workloads("train")[0], num_windows=3, timing_repeats=1)
    workload.update(extra)
    return workload


def test_deepseek_port_reproduces_public_test_vector():
    weight = np.array(
        [
            [90, 132, 40, 61, 104, 165, 39, 4, 73, 56, 183, 86],
            [20, 107, 104, 64, 19, 197, 187, 157, 172, 86, 16, 27],
        ]
    )
    phy2log, log2phy, logcnt = DEEPSEEK(weight, 16, 4, 2, 8)
    assert phy2log.tolist() == [
        [5, 6, 5, 7, 8, 4, 3, 4, 10, 9, 10, 2, 0, 1, 11, 1],
        [7, 10, 6, 8, 6, 11, 8, 9, 2, 4, 5, 1, 5, 0, 3, 1],
    ]
    assert logcnt.tolist() == [
        [1, 2, 1, 1, 2, 2, 1, 1, 1, 1, 2, 1],
        [1, 2, 1, 1, 1, 2, 2, 1, 2, 1, 1, 1],
    ]
    for layer in range(2):
        for expert in range(12):
            slots = [s for s in log2phy[layer, expert] if s >= 0]
            assert sorted(slots) == [s for s in range(16) if phy2log[layer, s] == expert]


def test_seed_equals_reference_baseline_on_train_stage1():
    workloads = KIND.workloads("train")[:2]
    seed = runpy.run_path(str(SCENARIO.seed_path))
    a = KIND.score(workloads, KIND.run_in_process(seed, workloads))
    b = KIND.score(workloads, KIND.run_in_process(BASELINES["deepseek"], workloads))
    assert a.per_workload == b.per_workload
    assert 0.3 < a.score < 1.0
    assert a.metrics["rebalance_ms_median"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("split", ["train", "heldout", "test"])
def test_bound_holds_every_baseline_and_the_clairvoyant_limit(split, tmp_path: Path):
    workloads = KIND.workloads(split)
    bound = KIND.balance_bound(split, tmp_path)
    limit = KIND.limit(split, tmp_path)
    assert KIND.limit(split, tmp_path) == limit  # served from the cache
    for wid, value in limit.items():
        assert 0.0 < value <= bound[wid] + 1e-9 <= 1.0 + 1e-9, wid
    scores = {}
    for name, program in BASELINES.items():
        scored = KIND.score(workloads, KIND.run_in_process(program, workloads))
        scores[name] = scored
        for wid, value in scored.per_workload.items():
            assert 0.0 < value <= bound[wid] + 1e-9, (name, wid)
    assert scores["deepseek"].score > scores["uniform"].score
    # The limit is what the reference reaches when it knows the window it is scored on: above
    # the reference on every workload, and made with no more traffic than 2% over it.
    deepseek = scores["deepseek"]
    assert all(limit[wid] > value for wid, value in deepseek.per_workload.items())
    traffic = KIND.clairvoyant(split, tmp_path)["nodes_per_token"]
    mine = deepseek.per_metric["nodes_per_token"]
    assert all(traffic[wid] <= mine[wid] * 1.02 for wid in mine)


def _plan_raw(program_fn, workload):
    return KIND.run_in_process({"rebalance_experts": program_fn}, [workload])


def _mutated(workload, mutate):
    def candidate(weight, *args):
        phy2log, log2phy, logcnt = DEEPSEEK(weight, *args)
        return mutate(phy2log, log2phy, logcnt)

    return KIND.run_in_process({"rebalance_experts": candidate}, [workload])


def _extra_slots(phy2log, log2phy, logcnt):
    # The published hole: 8 more replicas than slots made balance look perfect.
    return np.concatenate([phy2log, phy2log[:, :8]], axis=1), log2phy, logcnt


def _orphan_expert(phy2log, log2phy, logcnt):
    phy2log = phy2log.copy()
    phy2log[phy2log == 3] = 4
    return phy2log, log2phy, logcnt


def _stale_logcnt(phy2log, log2phy, logcnt):
    return phy2log, log2phy, np.ones_like(logcnt)


def _scrambled_log2phy(phy2log, log2phy, logcnt):
    return phy2log, log2phy[:, ::-1, :], logcnt


def _float_plan(phy2log, log2phy, logcnt):
    return phy2log + 0.5, log2phy, logcnt


@pytest.mark.parametrize(
    ("mutate", "rule"),
    [
        (_extra_slots, "replicas-equal-slots"),
        (_orphan_expert, "every-expert-replicated"),
        (_stale_logcnt, "logcnt-consistent"),
        (_scrambled_log2phy, "log2phy-consistent"),
        (_float_plan, "integer-arrays"),
    ],
)
def test_validation_rejects_published_holes(mutate, rule):
    workload = small_workload()
    raw = _mutated(workload, mutate)
    with pytest.raises(OutputViolation, match=rule) as err:
        KIND.score([workload], raw)
    assert workload["id"] in str(err.value)
    assert "\n" not in str(err.value)


def test_wrong_return_shape_is_rejected_in_the_runner():
    with pytest.raises(OutputViolation, match="return-shape"):
        _plan_raw(lambda weight, *args: None, small_workload())


def test_perturbation_changes_only_later_windows():
    from simulators.eplb.workload import all_windows

    workload = KIND.workloads("train")[0]
    probes = KIND.causality_probes([workload])
    assert [p.tick for p in probes] == [0, 1]  # after the first window, and mid-run
    before = all_windows(workload)
    for probe in probes:
        after, cut = all_windows(probe.workload), probe.tick + 1
        assert all(np.array_equal(before[i], after[i]) for i in range(cut))
        assert not any(np.array_equal(before[i], after[i]) for i in range(cut, len(before)))


def _causality(program_fn, workload):
    """The verifier's comparison on in-process runs of the workload and of its probes."""
    probes = KIND.causality_probes([workload])
    raw = KIND.run_in_process({"rebalance_experts": program_fn}, [workload])
    raw_perturbed = KIND.run_in_process({"rebalance_experts": program_fn}, probe_workloads(probes))
    return causality_violations(KIND, probes, raw, raw_perturbed)


def test_causality_passes_an_honest_candidate():
    assert _causality(DEEPSEEK, small_workload(num_windows=4)) == []


def test_causality_catches_a_candidate_reading_the_next_window():
    """The published hole: a candidate walked the call stack to the workload, then regenerated
    window i+1 and planned on it. In the sandbox nothing of the kind is in reach (see
    ``tests/security/test_lockstep.py``); run in-process, where the trusted feed is on the
    stack, clairvoyance raises its score, and the causality check (the second wall) catches it."""
    import sys

    from simulators.eplb.workload import all_windows

    def peeker(weight, *args):
        frame = sys._getframe(1)
        while frame is not None and "feed" not in frame.f_locals:
            frame = frame.f_back
        workload = frame.f_locals["feed"].batch[0]
        future = all_windows(workload)
        index = next(i for i, w in enumerate(future) if np.array_equal(w, weight))
        return DEEPSEEK(future[min(index + 1, len(future) - 1)], *args)

    workload = small_workload(num_windows=4)
    honest = KIND.score([workload], _plan_raw(DEEPSEEK, workload)).score
    cheat = KIND.score([workload], _plan_raw(peeker, workload)).score
    assert cheat > honest
    problems = _causality(peeker, workload)
    assert len(problems) == 1 and "changed when only data after" in problems[0]
    assert problems[0].startswith(workload["id"])


def test_patching_the_clock_does_not_fake_run_time():
    import time

    def liar(weight, *args):
        time.perf_counter = lambda: 0.0  # would report 0 ms if the runner trusted time.*
        return DEEPSEEK(weight, *args)

    original = time.perf_counter
    try:
        raw = _plan_raw(liar, small_workload())
    finally:
        time.perf_counter = original
    assert min(raw["workloads"][small_workload()["id"]]["times_ms"]) > 0.1


def test_groups_label_generator_regime():
    assert KIND.group_of(KIND.workloads("heldout")[0]).startswith("alpha=")


@pytest.mark.slow
def test_seed_through_the_evaluation_pipeline_and_causality_from_artifacts():
    """The seed runs sandboxed via ``simulators.evaluate``; its artifacts carry plan digests,
    so a causality probe (perturbed workloads through the same path) needs no raw output."""
    from simulators.evaluate import evaluate

    source = SCENARIO.seed_path.read_text()
    workloads = KIND.workloads("train")[:2]
    result = evaluate(SCENARIO, source, "train", workload_ids=[w["id"] for w in workloads])
    assert result.status == "ok", result.error
    assert result.score == pytest.approx(
        KIND.score(workloads, KIND.run_in_process(BASELINES["deepseek"], workloads)).score
    )
    probes = KIND.causality_probes(workloads)
    probe = evaluate(SCENARIO, source, "train", workloads=probe_workloads(probes))
    assert probe.status == "ok", probe.error
    assert causality_violations(KIND, probes, result.artifacts, probe.artifacts) == []
    heldout = evaluate(SCENARIO, source, "heldout", workload_ids=["heldout-000"])
    assert heldout.status == "ok", heldout.error  # no lazy import once the sandbox is locked


def test_invalid_candidate_through_the_pipeline_is_reported_not_raised():
    from simulators.evaluate import evaluate

    source = (
        "import numpy as np\n"
        "def rebalance_experts(weight, num_replicas, num_groups, num_nodes, num_gpus):\n"
        "    layers, experts = weight.shape\n"
        "    phy2log = np.tile(np.arange(experts), (layers, 1))  # 256 replicas for 288 slots\n"
        "    return phy2log, phy2log[:, :, None], np.ones_like(weight, dtype=np.int64)\n"
    )
    workload = small_workload()
    result = evaluate(SCENARIO, source, "train", workloads=[workload])
    assert result.status == "invalid"
    assert "replicas-equal-slots" in result.error


def test_a_frame_walking_candidate_is_stopped_by_the_sandbox():
    """Through the real pipeline the peeker never gets to plan: reading harness frames is a
    sandbox violation (the causality check above is the second line of defence)."""
    from simulators.evaluate import evaluate

    source = (
        "import sys\n"
        "def rebalance_experts(weight, num_replicas, num_groups, num_nodes, num_gpus):\n"
        "    frame = sys._getframe(1)\n"
        "    workload = frame.f_locals.get('workload')\n"
        "    raise RuntimeError(f'peeked {workload!r}')\n"
    )
    result = evaluate(SCENARIO, source, "train", workloads=[small_workload()])
    assert result.status == "violation", (result.status, result.error)
