"""cloudcast: graph, cost model, path validation (published holes), limit, baselines."""

from __future__ import annotations

import copy
import runpy

import pytest

from simulators.cloudcast.bound import cost_lower_bound
from simulators.cloudcast.cost import INSTANCE_PRICE_PER_HOUR, broadcast_cost, validate_paths
from simulators.cloudcast.limits import lower_bounds
from simulators.contract import OutputViolation
from simulators.scenario import load_scenario

SCENARIO = load_scenario("cloudcast")
KIND = SCENARIO.engine
GRAPH = KIND.graph
PROGRAMS = {name: runpy.run_path(str(p)) for name, p in SCENARIO.baseline_paths().items()}
PROGRAMS["seed"] = runpy.run_path(str(SCENARIO.seed_path))
TRAIN = KIND.workloads("train")


def test_graph_is_the_71_region_profile():
    assert len(GRAPH.nodes) == 71
    assert len(GRAPH.cost) == 4970
    assert all(t > 0 for t in GRAPH.throughput.values())
    view = GRAPH.candidate_view()
    view["aws:us-east-1"]["aws:us-east-2"]["cost"] = 0.0
    assert GRAPH.cost[("aws:us-east-1", "aws:us-east-2")] > 0


def test_splits_published_train_and_larger_generated_heldout_test():
    assert [w["id"] for w in TRAIN] == [
        "published-inter_agz",
        "published-inter_gaz2",
        "published-intra_aws",
        "published-intra_azure",
        "published-intra_gcp",
    ]
    assert KIND.workloads("heldout") == KIND.workloads("heldout")  # seeded
    for split in ("heldout", "test"):
        for w in KIND.workloads(split):
            assert len(w["destinations"]) >= 8
            assert len(set(w["destinations"])) == len(w["destinations"])
            assert w["source"] not in w["destinations"]


def test_direct_cost_matches_hand_computation():
    workload = TRAIN[2]
    src, dsts = workload["source"], workload["destinations"]
    raw = KIND.run_in_process(PROGRAMS["direct"], [workload])
    scored = KIND.score([workload], raw)
    egress = sum(300.0 * GRAPH.cost[(src, d)] for d in dsts)
    assert scored.artifacts[workload["id"]]["egress_usd"] == pytest.approx(egress, abs=1e-3)
    carried = validate_paths(raw["workloads"][workload["id"]], workload, GRAPH)
    breakdown = broadcast_cost(carried, workload, GRAPH)
    hours = breakdown.transfer_s / 3600
    assert breakdown.instance == pytest.approx((1 + len(dsts)) * INSTANCE_PRICE_PER_HOUR * hours)
    assert scored.per_workload[workload["id"]] == pytest.approx(breakdown.total)


def test_shared_hop_is_paid_once_per_partition():
    workload = dict(TRAIN[2], destinations=TRAIN[2]["destinations"][:2], num_partitions=2)
    src, (a, b) = workload["source"], workload["destinations"]
    relay = {a: [[src, a]] * 2, b: [[src, a, b]] * 2}
    carried = validate_paths(relay, workload, GRAPH)
    assert carried[(src, a)] == {0, 1}
    egress = broadcast_cost(carried, workload, GRAPH).egress
    assert egress == pytest.approx(300.0 * (GRAPH.cost[(src, a)] + GRAPH.cost[(a, b)]))


@pytest.mark.parametrize("split", ["train", "heldout", "test"])
def test_limit_bounds_every_baseline_and_the_seed_on_every_workload(split, tmp_path):
    workloads = KIND.workloads(split)
    limit = KIND.limit(split, tmp_path)
    assert set(limit) == {w["id"] for w in workloads}
    for name, program in PROGRAMS.items():
        scored = KIND.score(workloads, KIND.run_in_process(program, workloads))
        for wid, cost in scored.per_workload.items():
            assert limit[wid] <= cost, (name, wid)
    shared = KIND.score(workloads, KIND.run_in_process(PROGRAMS["shared_tree"], workloads)).score
    cheapest = KIND.score(
        workloads, KIND.run_in_process(PROGRAMS["cheapest_path"], workloads)
    ).score
    assert shared < cheapest


@pytest.mark.slow
def test_shipped_limits_match_a_fresh_solve_and_changed_workloads_miss_the_table(tmp_path):
    shipped = lower_bounds(TRAIN, SCENARIO.root, None)
    for workload in TRAIN[:3]:
        fresh = cost_lower_bound(GRAPH, workload)
        assert fresh["total"] == pytest.approx(shipped[workload["id"]]["total"], rel=1e-6)
    changed = dict(TRAIN[0], destinations=TRAIN[0]["destinations"][:3])
    solved = lower_bounds([changed], SCENARIO.root, tmp_path)[changed["id"]]
    assert solved["total"] < shipped[changed["id"]]["total"]
    assert (tmp_path / "cloudcast-limits.json").is_file()


def _direct(workload):
    return KIND.run_in_process(PROGRAMS["direct"], [workload])


def _with_path(workload, path_for_first_dst):
    raw = copy.deepcopy(_direct(workload))
    first = workload["destinations"][0]
    raw["workloads"][workload["id"]][first][0] = path_for_first_dst
    return raw


def test_validation_rejects_broken_paths():
    workload = TRAIN[0]
    src, dsts = workload["source"], workload["destinations"]
    cases = {
        "path-endpoints": [src, dsts[1]],  # stops at the wrong region: does not connect to dst
        "path-connects": [src, "aws:moon-base-1", dsts[0]],  # a hop that is no edge
        "simple-path": [src, dsts[1], src, dsts[0]],
        "path-shape": [src],
    }
    for rule, path in cases.items():
        with pytest.raises(OutputViolation, match=rule) as err:
            KIND.score([workload], _with_path(workload, path))
        assert workload["id"] in str(err.value) and "\n" not in str(err.value)
    starts_elsewhere = [dsts[1], dsts[0]]
    with pytest.raises(OutputViolation, match="path-endpoints"):
        KIND.score([workload], _with_path(workload, starts_elsewhere))


def test_validation_rejects_uncovered_partitions_and_destinations():
    workload = TRAIN[0]
    raw = copy.deepcopy(_direct(workload))
    answer = raw["workloads"][workload["id"]]
    answer[workload["destinations"][0]].pop()
    with pytest.raises(OutputViolation, match="partitions-covered"):
        KIND.score([workload], raw)
    del answer[workload["destinations"][0]]
    with pytest.raises(OutputViolation, match="destinations-covered"):
        KIND.score([workload], raw)


def test_costs_supplied_by_the_candidate_have_no_effect():
    """The published hole: the evaluator priced edges from the candidate's own data."""
    workload = TRAIN[0]
    honest = KIND.score([workload], _direct(workload)).score

    def zero_prices(src, dsts, graph, num_partitions):
        for row in graph.values():
            for edge in row.values():
                edge["cost"], edge["throughput"] = 0.0, 1e9
        return {d: [[src, d] for _ in range(num_partitions)] for d in dsts}

    raw = KIND.run_in_process({"search_algorithm": zero_prices}, [workload])
    assert KIND.score([workload], raw).score == pytest.approx(honest)

    def published_format(src, dsts, graph, num_partitions):
        edge = {"cost": 0.0, "throughput": 1e9}
        return {d: {str(p): [[src, d, edge]] for p in range(num_partitions)} for d in dsts}

    raw = KIND.run_in_process({"search_algorithm": published_format}, [workload])
    with pytest.raises(OutputViolation, match=r"path-endpoints|path-shape"):
        KIND.score([workload], raw)


def test_missing_entry_point_and_group_labels():
    with pytest.raises(OutputViolation, match="entry-point"):
        KIND.run_in_process({}, TRAIN[:1])
    assert KIND.group_of(TRAIN[0]).startswith("published src=gcp")
    assert "generated" in KIND.group_of(KIND.workloads("test")[0])


def test_seed_through_the_evaluation_pipeline():
    from simulators.evaluate import evaluate

    result = evaluate(SCENARIO, SCENARIO.seed_path.read_text(), "train")
    assert result.status == "ok", result.error
    direct = KIND.score(TRAIN, KIND.run_in_process(PROGRAMS["cheapest_path"], TRAIN))
    assert result.per_workload == pytest.approx(direct.per_workload)


def test_broken_path_through_the_pipeline_is_reported_not_raised():
    from simulators.evaluate import evaluate

    source = (
        "def search_algorithm(src, dsts, graph, num_partitions):\n"
        "    return {d: [[src, 'aws:moon-base-1', d]] * num_partitions for d in dsts}\n"
    )
    result = evaluate(SCENARIO, source, "train", workload_ids=[TRAIN[0]["id"]])
    assert result.status == "invalid"
    assert "path-connects" in result.error
