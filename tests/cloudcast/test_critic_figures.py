"""cloudcast: the per-edge and tree-shape figures the critic reads, checked on hand-built trees."""

from __future__ import annotations

import json
import runpy

import pytest

from simulators.scenario import load_scenario

SCENARIO = load_scenario("cloudcast")
KIND = SCENARIO.engine
GRAPH = KIND.graph
TRAIN = KIND.workloads("train")
RELAY = "gcp:asia-northeast2-a"  # neither the source nor a destination of the workload below


def _hand_workload() -> dict:
    """intra_aws cut to three destinations and 2 partitions of 150 GB each."""
    base = TRAIN[2]
    return dict(base, destinations=base["destinations"][:3], num_partitions=2)


def _score(workload: dict, answer: dict) -> dict:
    raw = {"workloads": {workload["id"]: answer}}
    return KIND.score([workload], raw).artifacts[workload["id"]]


def test_costliest_edges_and_tree_of_a_hand_built_relay_tree():
    workload = _hand_workload()
    src, (a, b, c) = workload["source"], workload["destinations"]
    # The prices the hand figures below are computed from (published AWS/GCP profile).
    assert (GRAPH.cost[(src, a)], GRAPH.cost[(src, RELAY)]) == (0.09, 0.114)
    assert (GRAPH.cost[(RELAY, b)], GRAPH.cost[(a, c)]) == (0.14, 0.1105)
    # a direct; b through a foreign relay; c hangs off destination a (shared hop src->a).
    answer = {a: [[src, a]] * 2, b: [[src, RELAY, b]] * 2, c: [[src, a, c]] * 2}
    art = _score(workload, answer)
    # 2 partitions x 150 GB x $/GB per edge: 42.0, 34.2, 33.15; src->a (27.0) is fourth, cut.
    assert art["costliest_edges"] == [
        [RELAY, b, 0.14, 2, 42.0],
        [src, RELAY, 0.114, 2, 34.2],
        [a, c, 0.1105, 2, 33.15],
    ]
    assert art["egress_usd"] == pytest.approx(42.0 + 34.2 + 33.15 + 27.0)
    assert art["tree"] == {"max_hops": 2, "relays": 1, "direct_share": 0.333}  # 1 of 3


def test_a_destination_with_one_relayed_partition_is_not_direct():
    workload = dict(_hand_workload(), destinations=TRAIN[2]["destinations"][:2])
    src, (a, b) = workload["source"], workload["destinations"]
    answer = {a: [[src, a], [src, RELAY, a]], b: [[src, b]] * 2}
    art = _score(workload, answer)
    assert art["tree"] == {"max_hops": 2, "relays": 1, "direct_share": 0.5}
    carried = {(row[0], row[1]): row[3] for row in art["costliest_edges"]}
    assert carried[(src, RELAY)] == 1  # only partition 1 takes the relay
    assert carried[(src, b)] == 2


def test_all_direct_tree_has_no_relays_and_one_hop():
    workload = _hand_workload()
    src = workload["source"]
    answer = {d: [[src, d]] * 2 for d in workload["destinations"]}
    assert _score(workload, answer)["tree"] == {"max_hops": 1, "relays": 0, "direct_share": 1.0}


@pytest.mark.parametrize("split", ["train", "heldout"])
def test_figures_are_json_plain_short_and_consistent_on_a_baseline(split):
    program = runpy.run_path(str(SCENARIO.baseline_paths()["shared_tree"]))
    workloads = KIND.workloads(split)
    artifacts = KIND.score(workloads, KIND.run_in_process(program, workloads)).artifacts
    assert json.loads(json.dumps(artifacts)) == artifacts  # a tuple or set would not round-trip
    for workload in workloads:
        art = artifacts[workload["id"]]
        top = art["costliest_edges"]
        assert 1 <= len(top) <= 3
        assert [row[4] for row in top] == sorted((row[4] for row in top), reverse=True)
        assert sum(row[4] for row in top) <= art["egress_usd"] + 1e-3
        for src, dst, price, parts, _usd in top:
            assert GRAPH.cost[(src, dst)] == pytest.approx(price, abs=1e-4)
            assert 1 <= parts <= workload["num_partitions"]
        tree = art["tree"]
        assert tree["max_hops"] >= 1
        # every region touched is the source, a destination or a relay
        assert art["regions"] == 1 + len(workload["destinations"]) + tree["relays"]
        assert 0.0 <= tree["direct_share"] <= 1.0


def test_critic_focus_speaks_of_edges_and_trees_not_spot_instances():
    focus = KIND.critic_focus.lower()
    assert "edge" in focus and "relay" in focus and "hop" in focus and "instance time" in focus
    for word in ("spot", "preempt", "idle", "deadline"):
        assert word not in focus
    assert "costliest_edges" in KIND.legend and "direct_share" in KIND.legend
