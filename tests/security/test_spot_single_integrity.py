"""On the real spot-single family: a candidate that rewrites prices, builtins or numpy inside its
own process still gets exactly the honest seed's costs, because the parent replays its actions
on the real traces with its own prices; and the harness's own modules are not there to rewrite
(they are out of ``sys.modules``, and importing them afresh needs the disk, which is refused)."""

from __future__ import annotations

import textwrap

import pytest

from simulators.evaluate import evaluate
from simulators.scenario import load_scenario

TAMPERING = textwrap.dedent(
    """
    import builtins
    import numpy

    builtins.sum = lambda *a, **k: 0
    numpy.sum = lambda *a, **k: 0
    numpy.mean = lambda *a, **k: 0


    _original_init = Policy.__init__


    def _cheap_init(self, job):
        try:
            object.__setattr__(job, "on_demand_price", 0.0)
            object.__setattr__(job, "spot_price", 0.0)
        except Exception:
            pass
        _original_init(self, job)


    Policy.__init__ = _cheap_init
    """
)


@pytest.fixture(scope="module")
def spot():
    return load_scenario("spot-single")


def test_tampering_in_the_child_changes_no_cost(spot):
    seed = spot.seed_path.read_text()
    ids = [w["id"] for w in spot.engine.workloads("train")[::90]]
    honest = evaluate(spot, seed, "train", workload_ids=ids, checks=())
    tampered = evaluate(
        spot, seed + TAMPERING, "train", workload_ids=ids, checks=(), static_gate=False
    )
    assert honest.status == "ok" and honest.score is not None
    assert tampered.status == "ok", tampered.error
    assert tampered.per_workload == honest.per_workload
    assert tampered.score == honest.score


def test_breaking_the_childs_own_simulator_is_refused_not_rewarded(spot):
    """Rewriting ``min`` derails the simulator loop inside the child: the parent's replay
    refuses the result instead of scoring it."""
    seed = spot.seed_path.read_text()
    ids = [w["id"] for w in spot.engine.workloads("train")[::90]]
    honest = evaluate(spot, seed, "train", workload_ids=ids, checks=())
    broken = evaluate(
        spot,
        seed + "\nimport builtins\nbuiltins.min = lambda *a, **k: 0\n",
        "train",
        workload_ids=ids,
        checks=(),
        static_gate=False,
    )
    assert broken.status in ("invalid", "error") or broken.per_workload == honest.per_workload


def test_static_gate_flags_the_tampering(spot):
    seed = spot.seed_path.read_text()
    result = evaluate(
        spot,
        seed + TAMPERING,
        "train",
        workload_ids=[spot.engine.workloads("train")[0]["id"]],
        checks=(),
    )
    assert result.status == "violation" and "builtins" in result.error


HARNESS_REWRITE = textwrap.dedent(
    """
    import simulators.spot_single.interface as interface

    interface.ON_DEMAND_PRICE = interface.SPOT_PRICE = 0.0
    """
)


def test_the_harness_modules_are_not_there_to_rewrite(spot):
    seed = spot.seed_path.read_text()
    ids = [w["id"] for w in spot.engine.workloads("train")[::90]]
    result = evaluate(
        spot, seed + HARNESS_REWRITE, "train", workload_ids=ids, checks=(), static_gate=False
    )
    assert result.status == "violation", (result.status, result.error)
    assert "os.listdir" in result.error or "file access" in result.error, result.error
