"""Benchmark of the research loop's own cost: time per candidate spent in the
framework (graph, checkpoints, memory, prompts and digest), with the model answering instantly
(the scripted research team) and evaluation replaced by an instant fake that returns plausible
results (one value per workload, checks attached). Measured with 100, 1,000 and 10,000 programs
already stored in the session, beside one real sandboxed evaluation for scale.
Target: under 10 ms per candidate, flat as the store grows. Prints, never asserts.

    uv run --frozen python bench/bench_loop.py [--stored 100 1000 10000] [--iterations 30]
        [--hypotheses 2] [--no-real] [--profile N]

``--profile N`` runs the loop once more over N stored programs under cProfile and prints the
top costs (cumulative and own time) with file:line.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the scripted team lives in tests/

from graph.budget import Budget
from graph.evaluation import FULL, STAGE1, stage1_workload_ids
from graph.nodes.record import behaviour
from graph.runtime import Models, SessionConfig
from graph.session import checkpointer, create_session, drive, make_runtime, seed_champion
from memory.store import open_store
from simulators.evaluate import evaluate
from simulators.results import EvalResult
from simulators.scenario import Scenario, load_scenario
from tests.support.research_script import ResearchScript, scripted_models

SEED_MARGIN = "margin = 2 * job.restart_overhead_s + job.gap_s"
CHECKS = {
    "static": {"passed": True, "blocking": False, "findings": []},
    "causality": {"passed": True, "applicable": True, "probes": 9, "violations": []},
}


class FakeEvaluator:
    """An instant ``evaluate_fn``: per-workload costs from a fixed base, scaled by a factor
    drawn from the program's text (so some candidates win, most lose), with the metrics,
    critic artifacts and checks a real spot-single evaluation carries."""

    def __init__(self, scenario: Scenario) -> None:
        rng = random.Random(5)
        self.ids = {
            s: [w["id"] for w in scenario.engine.workloads(s)] for s in ("train", "heldout")
        }
        self.base = {s: {i: rng.uniform(60.0, 150.0) for i in ids} for s, ids in self.ids.items()}
        self.calls = 0
        self.seconds = 0.0

    def __call__(
        self,
        scenario: Scenario,
        source: str,
        split: str,
        *,
        stage: str = FULL,
        workload_ids: list[str] | None = None,
        **_: Any,
    ) -> EvalResult:
        started = time.perf_counter()
        factor = 0.97 + (zlib.crc32(source.encode()) % 1000) / 16_000  # 0.97 .. 1.03
        ids = workload_ids or self.ids[split]
        per = {i: self.base[split][i] * factor for i in ids}
        score = sum(per.values()) / len(per)
        worst = [
            {
                "id": i,
                "group": "deadline=52h overhead=0.2h",
                "cost_usd": per[i],
                "timeline": "S" * 40 + "." * 20 + "D" * 40,
            }
            for i in ids[:5]
        ]
        result = EvalResult(
            status="ok",
            split=split,
            stage=stage,
            runs=len(ids),
            score=score,
            feasible=True,
            per_workload=per,
            metrics={
                "spot_work_share": 0.8,
                "on_demand_work_share": 0.2,
                "mean_spot_usd": 30.0,
                "mean_on_demand_usd": score - 30.0,
                "mean_overhead_usd": 1.5,
                "mean_preemptions": 3.0,
                "mean_launches": 5.0,
                "mean_idle_h": 2.0,
                "mean_slack_h": 1.0,
                "refused": 0.0,
                "deadline_misses": 0.0,
            },
            artifacts={"worst": worst},
            checks=dict(CHECKS),
            run_time_s=0.0,
        )
        self.calls += 1
        self.seconds += time.perf_counter() - started
        return result


def prefill(rt, scenario: Scenario, count: int, fake: FakeEvaluator) -> float:
    """``count`` seed variants with hypotheses, stage-1 and full evaluations, verdicts and
    niches, inserted in batches through the memory API. Returns seconds taken."""
    started = time.perf_counter()
    store, sid = rt.store, rt.session_id
    seed = scenario.seed_path.read_text()
    champion = store.champion(sid).program_id
    stage1_ids = stage1_workload_ids(scenario)
    batch = 250
    for first in range(0, count, batch):
        with store.write():
            for i in range(first, min(first + batch, count)):
                hid = store.add_hypothesis(
                    sid,
                    0,
                    f"stored idea {i}: margin {i % 37} overheads",
                    "prefill",
                    "-1% cost",
                    champion,
                )
                code = seed.replace(
                    SEED_MARGIN, SEED_MARGIN.replace("2 *", f"{1 + i / 10_000:.4f} *")
                )
                pid = store.add_program(
                    sid, code, champion, i % rt.config.islands, hid, 0, origin="prefill"
                ).program_id
                for stage, ids in ((STAGE1, stage1_ids), (FULL, None)):
                    result = fake(scenario, code, "train", stage=stage, workload_ids=ids)
                    per = dict(list(result.per_workload.items())[:32])  # stored rows stay small
                    metrics = {**result.metrics, "runs": result.runs, "infeasible_runs": 0}
                    store.add_evaluation(
                        pid,
                        "train",
                        stage,
                        result.score,
                        True,
                        "ok",
                        metrics,
                        per,
                        {"critic": {}, "checks": CHECKS, "error": None},
                        0.0,
                    )
                score = result.score
                rt.program_db.place(pid, score, behaviour(rt, code, metrics), 0)
                store.add_verdict(
                    pid, False, [f"not better on train than the champion: {score:.4f}"]
                )
                store.set_program_status(pid, "rejected")
                store.set_hypothesis_outcome(hid, "rejected", "not better on train")
    return time.perf_counter() - started


def run_once(
    scenario: Scenario,
    stored: int,
    iterations: int,
    hypotheses: int,
    profiler: cProfile.Profile | None = None,
) -> dict[str, float]:
    """One session: prefill ``stored`` programs, then drive ``iterations`` iterations."""
    workspace = Path(tempfile.mkdtemp(prefix=f"adrs-bench-loop-{stored}-"))
    store = open_store(workspace)
    config = SessionConfig(
        hypotheses_per_iteration=hypotheses, budget=Budget(iterations=iterations), seed=11
    )
    sid = create_session(store, scenario, f"bench-{stored}", config)
    fake = FakeEvaluator(scenario)
    script = ResearchScript(margins=[3 + i / 1000 for i in range(iterations * hypotheses * 2 + 10)])
    rt = make_runtime(store, scenario, sid, Models(fixed=scripted_models(script)), evaluate_fn=fake)
    seed_champion(rt)
    fill_s = prefill(rt, scenario, stored, fake)
    before = len(store.programs(sid, limit=10**9))
    fake.calls, fake.seconds = 0, 0.0
    saver = checkpointer(workspace)
    if profiler is not None:
        profiler.enable()
    started, cpu_started = time.perf_counter(), time.process_time()
    drive(rt, saver)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if profiler is not None:
        profiler.disable()
    candidates = len(store.programs(sid, limit=10**9)) - before
    champions = len(store.champion_history(sid)) - 1
    store.close()
    framework = wall - fake.seconds
    return {
        "stored": stored,
        "fill_s": fill_s,
        "wall_s": wall,
        "candidates": candidates,
        "cpu_ms_per_candidate": 1000 * (cpu - fake.seconds) / max(candidates, 1),
        "evaluations": fake.calls,
        "fake_eval_s": fake.seconds,
        "champions": champions,
        "ms_per_candidate": 1000 * framework / max(candidates, 1),
        "ms_per_iteration": 1000 * framework / iterations,
    }


NODE_FACTORIES = (
    "make_plan",
    "make_code",
    "make_file",
    "make_evaluate",
    "make_critique",
    "make_verify",
    "make_record",
)


def time_nodes() -> dict[str, list[float]]:
    """Wrap every node factory of the graph so each call adds its wall and thread-CPU time."""
    import graph.builder

    totals: dict[str, list[float]] = {}

    def timed(name: str, factory):
        def make(rt):
            node = factory(rt)

            def run(state):
                wall, cpu = time.perf_counter(), time.thread_time()
                try:
                    return node(state)
                finally:
                    entry = totals.setdefault(name, [0, 0.0, 0.0])
                    entry[0] += 1
                    entry[1] += time.perf_counter() - wall
                    entry[2] += time.thread_time() - cpu

            return run

        return make

    for factory in NODE_FACTORIES:
        setattr(graph.builder, factory, timed(factory[5:], getattr(graph.builder, factory)))
    return totals


def profile_coder_branches() -> list[cProfile.Profile]:
    """cProfile sees one thread; wrap the code node so each branch brings its own profile."""
    import graph.builder

    profiles: list[cProfile.Profile] = []
    make_code = graph.builder.make_code

    def profiled_make_code(rt):
        node = make_code(rt)

        def code(task):
            profile = cProfile.Profile()
            profiles.append(profile)
            return profile.runcall(node, task)

        return code

    graph.builder.make_code = profiled_make_code
    return profiles


def real_evaluation_s(scenario: Scenario) -> tuple[float, float]:
    """One candidate's real cascade on spot-single: stage 1, then the full train split."""
    seed = scenario.seed_path.read_text().replace(SEED_MARGIN, SEED_MARGIN.replace("2 *", "1.9 *"))
    evaluate(scenario, seed, "train", stage=STAGE1, workload_ids=stage1_workload_ids(scenario)[:2])
    started = time.perf_counter()  # the sandbox's zygote is up now, as in a running session
    evaluate(scenario, seed, "train", stage=STAGE1, workload_ids=stage1_workload_ids(scenario))
    stage1 = time.perf_counter() - started
    evaluate(scenario, seed, "train", stage=FULL)
    return stage1, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, nargs="+", default=[100, 1000, 10_000])
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--hypotheses", type=int, default=2)
    parser.add_argument("--no-real", action="store_true", help="skip the real evaluation")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="profile one more run over N stored programs",
    )
    args = parser.parse_args()
    scenario = load_scenario("spot-single")
    scenario.engine.preload()
    nodes = time_nodes()
    run_once(scenario, 0, 2, args.hypotheses)  # warm-up: imports, prompt files, caches
    rows = []
    for stored in args.stored:
        nodes.clear()
        row = run_once(scenario, stored, args.iterations, args.hypotheses)
        rows.append(row)
        print(
            f"stored {stored:>6}: prefill {row['fill_s']:.1f} s; {args.iterations} iterations, "
            f"{row['candidates']} candidates, {row['evaluations']} (fake) evaluations, "
            f"{row['champions']} champion changes; framework "
            f"{row['ms_per_candidate']:.1f} ms/candidate "
            f"({row['ms_per_candidate'] / 10:.1f}x the 10 ms target), "
            f"{row['ms_per_iteration']:.1f} ms/iteration, CPU (all threads) "
            f"{row['cpu_ms_per_candidate']:.1f} ms/candidate; fake evaluation "
            f"{1000 * row['fake_eval_s'] / max(row['candidates'], 1):.2f} ms/candidate"
        )
        per = max(row["candidates"], 1)
        print(
            "    per node, ms per candidate (wall / thread CPU): "
            + ", ".join(
                f"{name} {1000 * wall / per:.1f}/{1000 * cpu / per:.1f}"
                for name, (_, wall, cpu) in nodes.items()
            )
        )
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(
            f"growth from {first['stored']} to {last['stored']} stored programs: wall "
            f"{last['ms_per_candidate'] / first['ms_per_candidate']:.2f}x, CPU "
            f"{last['cpu_ms_per_candidate'] / first['cpu_ms_per_candidate']:.2f}x per candidate "
            "(on a loaded machine wall time is noisy; CPU time is the steadier measure)"
        )
    if not args.no_real:
        stage1, full = real_evaluation_s(scenario)
        per = statistics.mean(r["ms_per_candidate"] for r in rows) / 1000
        print(
            f"for scale, one real sandboxed evaluation of a candidate: stage 1 {stage1:.2f} s, "
            f"stage 1 + full train {full:.2f} s; the framework's share is "
            f"{per / (per + full):.3%} of a candidate that runs the full split"
        )
    if args.profile:
        profiler = cProfile.Profile()
        branch_profiles = profile_coder_branches()
        run_once(scenario, args.profile, args.iterations, args.hypotheses, profiler)
        stats = pstats.Stats(profiler)
        for branch in branch_profiles:  # the coder branches run in LangGraph's worker threads
            stats.add(branch)
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
