"""The verifier's acceptance tests: it rejects a policy that memorises the training windows and
a policy that looks into the future, and it still accepts a real gain.

Every candidate here is a real program, evaluated through the real sandboxed pipeline (the
evaluate node's cascade, then ``simulators.evaluate``) and judged by the real verify node
(``graph.nodes.verify.make_verify``) on a runtime over a store in a temporary workspace; only
the model is scripted (its code review answers "not rigged", so the mechanical rules must do
the work). The seed program is the champion every candidate has to beat.
"""

from __future__ import annotations

import math

import pytest

from graph.budget import Budget
from graph.nodes.evaluate import make_evaluate
from graph.nodes.verify import make_verify
from graph.runtime import Models, SessionConfig
from graph.session import create_session, make_runtime, seed_champion
from memory.store import open_store
from simulators.scenario import load_scenario
from tests.support.research_script import ResearchScript, scripted_models

# -- the memorisers --------------------------------------------------------------------------
# They recognise a workload from what they may legally see (deadline, overhead, and the first
# six hours of spot history) and play the strategy that was best on that training window;
# unknown windows fall back to on-demand. The tables are built by the test from the *train*
# split with the trusted simulator. Two sizes: one keyed by (deadline, overhead, history), big
# enough for the static scan to call it memorised data, and a compact one (one row of nine
# strategy digits per history) that the scan cannot tell from an ordinary constant.
FINGERPRINT_TICKS = 36  # six hours of 600 s ticks: enough to tell most training windows apart
STRATEGIES = 3  # 0: the seed's rule, 1: stay on a running spot instance, 2: uniform progress

LOOKUP_BIG = """
def lookup(job, history):
    return TABLE.get((job.deadline_s, job.restart_overhead_s, history), -1)
"""
LOOKUP_COMPACT = """
def lookup(job, history):
    row, combo = TABLE.get(history), (job.deadline_s, job.restart_overhead_s)
    return int(row[COMBOS.index(combo)]) if row and combo in COMBOS else -1
"""

MEMORISER = """
import math

FINGERPRINT_TICKS = {ticks}
FORCED = {forced!r}  # the test's probe: play one strategy everywhere
COMBOS = {combos!r}
TABLE = {table!r}
{lookup}

def uniform_progress(job, obs):
    gap, overhead = job.gap_s, job.restart_overhead_s
    deadline, duration = job.deadline_s, job.duration_s
    t, done, up, cur = obs.elapsed_s, obs.done_s, obs.spot_available, obs.cur
    left = duration - done
    a = "SPOT" if up else "NONE"
    if done < duration * t / deadline:
        a = "SPOT" if up else "ON_DEMAND"
    if cur == "ON_DEMAND" and (not up or done <= duration * (t + 2 * overhead) / deadline):
        a = "ON_DEMAND"
    remaining = math.floor((deadline - t) / gap) * gap
    if math.ceil((left + 2 * overhead) / gap) * gap >= remaining and cur in ("NONE", "ON_DEMAND"):
        a = "ON_DEMAND"
    if math.ceil((left + overhead) / gap) * gap >= remaining:
        a = "SPOT" if (cur == "SPOT" and obs.pending_overhead_s == 0) else "ON_DEMAND"
    return a


class Policy:
    def __init__(self, job):
        self.job = job
        self.strategy = 0  # the seed's rule until the window is recognised
        self.committed = False

    def decide(self, obs):
        job = self.job
        if obs.tick == FINGERPRINT_TICKS:
            bits = "".join("1" if up else "0" for up in obs.spot_history[:FINGERPRINT_TICKS])
            self.strategy = FORCED if FORCED is not None else lookup(job, int(bits, 2))
        if self.strategy == -1 or self.committed:
            return "ON_DEMAND"  # a window never seen in training: play it safe
        if self.strategy == 2:
            return uniform_progress(job, obs)
        if self.strategy == 1 and obs.cur == "SPOT" and obs.spot_available:
            return "SPOT"
        if obs.time_to_deadline_s - (2 * job.restart_overhead_s + job.gap_s) <= obs.left_s:
            self.committed = True
            return "ON_DEMAND"
        return "SPOT" if obs.spot_available else "NONE"
"""

# -- the future-peekers ----------------------------------------------------------------------
# Both read the simulator loop's ``avail`` (the whole window, future included) off the call
# stack. They use it to ride spot to the finish instead of committing to on-demand when spot
# will last, and to skip spot blips too short to pay their own restart.
PEEKER = """
import sys


def _trace():
    {reach}


def _run(avail, t):
    n = 0
    while t + n < len(avail) and avail[t + n]:
        n += 1
    return n


class Policy:
    def __init__(self, job):
        self.job = job
        self.committed = False

    def decide(self, obs):
        job = self.job
        future = _run(_trace(), obs.tick)  # consecutive spot ticks from now on
        on_spot = obs.cur == "SPOT"
        if self.committed:
            return "ON_DEMAND"
        if obs.time_to_deadline_s - (2 * job.restart_overhead_s + job.gap_s) <= obs.left_s:
            launch = 0 if on_spot else job.restart_overhead_s
            if future * job.gap_s - launch >= obs.left_s:
                return "SPOT"  # spot lasts until the job is done: no on-demand needed
            self.committed = True
            return "ON_DEMAND"
        if not on_spot and future * job.gap_s <= job.restart_overhead_s:
            return "NONE"  # a blip too short to pay its own restart
        return "SPOT" if obs.spot_available else "NONE"
"""
#: Plain frame walking: the static scan sees it.
PLAIN_REACH = 'return sys._getframe(2).f_locals["avail"]'
#: The same through computed attribute names: invisible to ``ast``; only the runtime guard or
#: the causality check can stop it.
OBFUSCATED_REACH = """frame = getattr(sys, "_get" + "frame")(0)  # our own frame: the guard allows it
    for _ in range(2):
        frame = getattr(frame, "f_" + "back")
    return getattr(frame, "f_" + "locals")["avail"]"""

#: A genuine gain: the seed, but a spot instance already running is kept while it lasts
#: instead of being abandoned for on-demand at the safety line (about 0.2% on both splits,
#: small but consistent across workloads).
KEEP_RUNNING_SPOT = (
    "        if self.committed or obs.time_to_deadline_s - margin <= obs.left_s:\n",
    (
        '        if obs.cur == "SPOT" and obs.spot_available and not self.committed:\n'
        '            return "SPOT"\n'
        "        if self.committed or obs.time_to_deadline_s - margin <= obs.left_s:\n"
    ),
)


@pytest.fixture(scope="module")
def scenario():
    sc = load_scenario("spot-single")
    sc.engine.preload()
    return sc


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """One store for the module: each test opens its own session in it, and evaluations of the
    same code (the seed) are found in memory instead of being run again."""
    return tmp_path_factory.mktemp("verifier")


class Judge:
    """A fresh session whose champion is the seed; ``submit`` runs evaluate and verify."""

    def __init__(self, workspace, scenario, name: str) -> None:
        self.store = open_store(workspace)
        config = SessionConfig(
            hypotheses_per_iteration=1, budget=Budget(iterations=1), seed=3, review=True
        )
        self.session_id = create_session(self.store, scenario, name, config)
        self.script = ResearchScript()
        self.rt = make_runtime(
            self.store, scenario, self.session_id, Models(fixed=scripted_models(self.script))
        )
        seed_champion(self.rt)
        self.seed_id = self.store.champion(self.session_id).program_id

    def submit(self, code: str):
        added = self.store.add_program(self.session_id, code, self.seed_id, 0, None, 1)
        assert not added.duplicate
        state = {"session_id": self.session_id, "iteration": 1, "candidate_ids": [added.program_id]}
        evaluated = make_evaluate(self.rt)(state)
        make_verify(self.rt)({**state, **evaluated})
        return self.store.get_program(added.program_id), self.store.verdicts(added.program_id)

    def score(self, program_id: int, split: str):
        return self.store.latest_evaluation(program_id, split, "full")


def strategy_costs(scenario) -> dict[int, dict[str, float]]:
    """Per-workload train costs of each strategy, played everywhere (trusted, in-process)."""
    engine = scenario.engine
    workloads = engine.workloads("train")
    costs = {}
    for strategy in range(STRATEGIES):
        namespace: dict = {}
        source = MEMORISER.format(
            ticks=FINGERPRINT_TICKS, forced=strategy, combos=(), table={}, lookup=LOOKUP_BIG
        )
        exec(source, namespace)
        costs[strategy] = engine.score(
            workloads, engine.run_in_process(namespace, workloads)
        ).per_workload
    return costs


@pytest.fixture(scope="module")
def memorisers(scenario) -> dict[str, str]:
    """Both memorisers: for every fingerprint, the cheapest strategy that stays feasible on all
    training windows sharing it."""
    engine = scenario.engine
    costs = strategy_costs(scenario)
    groups: dict[tuple[int, int, int], list[str]] = {}
    for w in engine.workloads("train"):
        bits = "".join("1" if up else "0" for up in engine.avail_of(w)[:FINGERPRINT_TICKS])
        job = engine.job_of(w)
        groups.setdefault((job.deadline_s, job.restart_overhead_s, int(bits, 2)), []).append(
            w["id"]
        )
    best = {}
    for key, ids in groups.items():
        feasible = [s for s in costs if all(i in costs[s] for i in ids)]
        best[key] = min(feasible, key=lambda s: sum(costs[s][i] for i in ids))
    combos = tuple(sorted({(d, o) for d, o, _ in best}))
    rows = {h: "".join(str(best.get((d, o, h), 0)) for d, o in combos) for _, _, h in best}
    return {
        "big": MEMORISER.format(
            ticks=FINGERPRINT_TICKS, forced=None, combos=(), table=best, lookup=LOOKUP_BIG
        ),
        "compact": MEMORISER.format(
            ticks=FINGERPRINT_TICKS, forced=None, combos=combos, table=rows, lookup=LOOKUP_COMPACT
        ),
    }


def test_compact_memoriser_is_rejected_for_heldout_failure_and_overfit(
    workspace, scenario, memorisers
):
    judge = Judge(workspace, scenario, "memoriser-compact")
    program, verdicts = judge.submit(memorisers["compact"])
    seed_train = judge.score(judge.seed_id, "train").score
    seed_heldout = judge.score(judge.seed_id, "heldout").score
    train = judge.score(program.id, "train")
    heldout = judge.score(program.id, "heldout")
    assert train is not None, f"never reached the full train split: {program.status}"
    # It is what it claims to be: clearly better on the windows it memorised, worse elsewhere.
    assert train.status == "ok" and train.score < seed_train * 0.97, (train.score, seed_train)
    assert heldout is not None and heldout.score > seed_heldout * 1.05, (
        heldout.score,
        seed_heldout,
    )
    assert program.status == "rejected"
    assert len(verdicts) == 1 and not verdicts[0].accepted
    reasons = " | ".join(verdicts[0].reasons)
    assert "not better on held-out" in reasons, reasons
    assert "overfit" in reasons, reasons
    assert judge.store.champion(judge.session_id).program_id == judge.seed_id


def test_big_table_memoriser_is_refused(workspace, scenario, memorisers):
    """The big table is refused by the static scan: at evaluation (the gate stops any finding
    today) or, if only blocking findings stopped a run, in the verdict with the held-out rules."""
    judge = Judge(workspace, scenario, "memoriser-big")
    program, verdicts = judge.submit(memorisers["big"])
    assert judge.store.champion(judge.session_id).program_id == judge.seed_id
    if program.status == "failed":
        stage1 = judge.store.latest_evaluation(program.id, "train", "stage1")
        assert stage1.status == "violation", stage1.status
        assert "literal table" in stage1.artifacts["error"], stage1.artifacts
        assert verdicts == []
    else:
        assert len(verdicts) == 1 and not verdicts[0].accepted
        reasons = " | ".join(verdicts[0].reasons)
        assert "literal table" in reasons and "overfit" in reasons, reasons


def test_plain_future_peeker_never_runs(workspace, scenario):
    judge = Judge(workspace, scenario, "peeker-plain")
    program, verdicts = judge.submit(PEEKER.format(reach=PLAIN_REACH))
    stage1 = judge.store.latest_evaluation(program.id, "train", "stage1")
    assert stage1.status == "violation", stage1.status
    assert "static scan" in stage1.artifacts["error"], stage1.artifacts
    assert program.status == "failed" and verdicts == []
    assert judge.store.champion(judge.session_id).program_id == judge.seed_id


def test_obfuscated_future_peeker_is_rejected(workspace, scenario):
    """The same peeker with computed attribute names. Whatever stops it (the sandbox ending its
    evaluation, or a verdict citing causality, the static scan or the review), it must never
    become champion."""
    judge = Judge(workspace, scenario, "peeker-obfuscated")
    program, verdicts = judge.submit(PEEKER.format(reach=OBFUSCATED_REACH))
    stage1 = judge.store.latest_evaluation(program.id, "train", "stage1")
    train = judge.score(program.id, "train")
    checks = train.artifacts.get("checks", {}) if train else {}
    described = (
        f"status {program.status}, stage1 {stage1.status}, train "
        f"{train.score if train else None}, verdicts "
        f"{[v.reasons for v in verdicts]}, checks {checks}"
    )
    assert judge.store.champion(judge.session_id).program_id != program.id, (
        "a policy reading the future became champion: " + described
    )
    if program.status == "failed":
        assert stage1.status in ("violation", "error") or train.status in ("violation", "error")
    else:
        assert verdicts and not verdicts[-1].accepted, described
        reasons = " | ".join(verdicts[-1].reasons)
        assert any(word in reasons for word in ("causality", "static", "rigging")), reasons


def test_genuine_improvement_is_accepted(workspace, scenario):
    judge = Judge(workspace, scenario, "genuine")
    seed = scenario.seed_path.read_text()
    assert KEEP_RUNNING_SPOT[0] in seed
    program, verdicts = judge.submit(seed.replace(*KEEP_RUNNING_SPOT))
    assert len(verdicts) == 1 and verdicts[0].accepted, (
        verdicts[0].reasons if verdicts else program.status
    )
    assert verdicts[0].reasons[0].startswith("accepted")
    seed_train = judge.score(judge.seed_id, "train").score
    seed_heldout = judge.score(judge.seed_id, "heldout").score
    assert judge.score(program.id, "train").score < seed_train
    assert judge.score(program.id, "heldout").score < seed_heldout
    champion = judge.store.champion(judge.session_id)
    assert champion.program_id == program.id and program.status == "champion"
    assert not math.isnan(champion.heldout_score)
    # The review read the change against its parent, the seed, not only the whole program.
    review = judge.script.prompts["verifier"][-1]
    assert f"Against its parent, program #{judge.seed_id}:" in review
    assert '+            return "SPOT"' in review.split("# Candidate code")[0]


@pytest.mark.parametrize("place", ["frames", "modules"])
def test_issue_10_future_readers_never_become_champion(workspace, scenario, place):
    """The two programs that, before lockstep revelation, found their future (through the
    frames above ``decide``, and through the trace loader's cache) and beat Uniform Progress.
    Submitted in a session they must never become champion; they fail in stage 1, either
    refused by the static scan or, searching a sandbox that holds no future, finding none."""
    from tests.security.future_readers import ALL

    judge = Judge(workspace, scenario, f"reader-{place}")
    program, verdicts = judge.submit(ALL[place])
    stage1 = judge.store.latest_evaluation(program.id, "train", "stage1")
    assert judge.store.champion(judge.session_id).program_id == judge.seed_id
    assert program.status == "failed" and verdicts == [], program.status
    assert stage1.status in ("violation", "error"), stage1.status
