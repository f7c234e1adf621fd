"""Throughput of the research loop at real model latency (a hosted model answers in 5-60 s, so
several lanes keep calls in flight): candidates per minute, model calls in flight and CPU use,
with a stand-in model (``bench/standin.py``, a real HTTP server on loopback, answering every
role validly after exactly L seconds) and the real spot-single evaluation in the sandbox. Beside
each, the evaluation-bound rate: the same cascades (stage 1, then the full train split when
stage 1 clears) on the same workers, with no model at all.

Every configuration runs in a child process for a fixed window that starts once the seed program
is scored; the child then exits with its lanes in flight (what is in flight is not counted).
Counted: candidates whose cascade finished inside the window. Calls in flight are the server's
own count (max, and the mean over the window); CPU is the whole machine's (/proc/stat), the
stand-in server included. Prints, never asserts.

    uv run --frozen python bench/bench_throughput.py [--latencies 0 5 30]
        [--seconds 90 150 300] [--concurrency 8] [--workers 2] [--quality 20]

``--quality N`` also runs N iterations of the serial loop (one lane) and of the concurrent one at
L = 0 and prints their champions' scores and their best candidate on train (spot-single costs:
lower is better): the same number of candidates, searched both ways.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.standin import StandinServer, apply, step


def cpu_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine."""
    fields = [float(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def utilisation(before: tuple[float, float], after: tuple[float, float]) -> float:
    busy, total = after[0] - before[0], after[1] - before[1]
    return busy / total if total else 0.0


def one_session(args: argparse.Namespace) -> dict[str, Any]:
    """Child: one session against the stand-in at ``args.base_url`` for ``args.window`` s."""
    import urllib.request

    from agents.settings import load_settings
    from graph.budget import Budget
    from graph.runtime import Models, SessionConfig
    from graph.session import checkpointer, create_session, drive, make_runtime
    from memory.store import open_store
    from simulators.executors import LocalExecutor
    from simulators.references import References
    from simulators.scenario import load_scenario

    workspace = Path(tempfile.mkdtemp(prefix="adrs-throughput-"))
    scenario = load_scenario("spot-single")
    references = References.load(scenario, Path(args.cache))
    store = open_store(workspace)
    config = SessionConfig(
        hypotheses_per_iteration=args.k,
        lanes=args.lanes,
        seed=args.seed,
        budget=Budget(iterations=args.iterations),
    )
    sid = create_session(store, scenario, "throughput", config)
    settings = load_settings(
        workspace,
        {"base_url": args.base_url, "model": "standin", "api_key": "none", "timeout": 600},
        env={},
    )
    models = Models(settings, concurrency=args.concurrency)
    executor = LocalExecutor(args.workers)
    rt = make_runtime(store, scenario, sid, models, references=references, executor=executor)
    outcome: dict[str, Any] = {}
    runner = threading.Thread(
        target=lambda: outcome.update(done=drive(rt, checkpointer(workspace))), daemon=True
    )
    runner.start()
    while not store.events(sid, kind="plan", limit=1) and runner.is_alive():
        time.sleep(0.05)  # the window opens once the seed is scored and the first plan starts
    stats_url = args.base_url.removesuffix("/v1") + "/stats"
    urllib.request.urlopen(urllib.request.Request(stats_url + "/reset", method="POST")).read()
    opened, cpu0, own0 = time.time(), cpu_busy(), time.process_time()
    runner.join(args.window if args.window > 0 else None)
    closed, cpu1, own1 = time.time(), cpu_busy(), time.process_time()
    server = json.loads(urllib.request.urlopen(stats_url).read())
    finished = [
        e
        for e in store.events(sid, kind="evaluated", limit=1_000_000)
        if opened <= e.created_at <= closed
    ]
    champion = store.champion(sid)
    train = heldout = None
    if champion is not None:
        program = store.get_program(champion.program_id)
        train = rt.evaluator.score(program, "train").score
        heldout = rt.evaluator.score(program, "heldout").score
    seed_id = store.champion_history(sid)[0].program_id
    scored = [c.score for c in store.candidate_scores(sid) if c.id != seed_id]
    best = min((s for s in scored if s is not None), default=None)
    return {
        "seconds": closed - opened,
        "candidates": len(finished),
        "best_train": best,
        "per_min": len(finished) / (closed - opened) * 60,
        "max_in_flight": server["max_in_flight"],
        "mean_in_flight": server["mean_in_flight"],
        "calls": server["served"],
        "cpu": utilisation(cpu0, cpu1),
        "loop_cpu_s": (own1 - own0) / max(1, len(finished)),
        "champion_train": train,
        "champion_heldout": heldout,
        "champion_changes": len(store.champion_history(sid)) - 1,
        "rate_limited": models.gate.stats().rate_limited,
        "evaluations": {
            f"{split}/{stage}": n for (split, stage), n in store.evaluation_tally().items()
        },
    }


def evaluation_bound(workers: int, seconds: float, verify: bool) -> dict[str, Any]:
    """Candidates per minute with no model and no loop: each candidate's cascade on ``workers``
    processes and, with ``verify``, the held-out run the verifier needs for every candidate that
    beats the champion (the seed) on train, for ``seconds``."""
    from graph.evaluation import FULL, STAGE1, CandidateEvaluator
    from memory.store import open_store
    from simulators.executors import LocalExecutor
    from simulators.scenario import load_scenario

    scenario = load_scenario("spot-single")
    store = open_store(tempfile.mkdtemp(prefix="adrs-evalbound-"))
    sid = store.create_session("bound", scenario.name)
    evaluator = CandidateEvaluator(store, scenario, executor=LocalExecutor(workers))
    seed = scenario.seed_path.read_text()
    champion = store.get_program(store.add_program(sid, seed, None, 0, None, 0).program_id)
    reference = evaluator.score(champion, "train", STAGE1).score
    champion_train = evaluator.score(champion, "train", FULL).score
    evaluator.score(champion, "heldout", FULL)
    rng = random.Random(1)
    done: list[float] = []
    deadline = time.monotonic() + seconds
    cpu0 = cpu_busy()

    def candidate(_: int) -> None:
        while time.monotonic() < deadline:
            code = seed  # a few of the stand-in coder's steps from the seed
            for _ in range(rng.randint(1, 3)):
                code = apply(code, step(code, rng))
            added = store.add_program(sid, code, None, 0, None, 0)
            if added.duplicate:
                continue
            program = store.get_program(added.program_id)
            _, full = evaluator.cascade(program, reference)
            if verify and full is not None and full.passed and full.score < champion_train:
                evaluator.score(program, "heldout", FULL)
            if time.monotonic() <= deadline:
                done.append(time.monotonic())

    started = time.monotonic()
    with ThreadPoolExecutor(workers * 2) as pool:  # enough to keep every worker busy
        list(pool.map(candidate, range(workers * 2)))
    elapsed = min(time.monotonic(), deadline) - started
    return {
        "candidates": len(done),
        "per_min": len(done) / elapsed * 60,
        "cpu": utilisation(cpu0, cpu_busy()),
    }


def child(
    args: argparse.Namespace,
    latency: float,
    lanes: int,
    concurrency: int,
    window: float,
    iterations: int | None,
    cache: str,
) -> dict[str, Any]:
    with StandinServer(latency=latency) as server:
        command = [
            sys.executable,
            __file__,
            "--child",
            "--base-url",
            server.base_url,
            "--lanes",
            str(lanes),
            "--concurrency",
            str(concurrency),
            "--k",
            str(args.k),
            "--workers",
            str(args.workers),
            "--window",
            str(window),
            "--cache",
            cache,
            "--seed",
            str(args.seed),
        ]
        if iterations:
            command += ["--iterations", str(iterations)]
        out = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"child failed: {out.stderr[-2000:]}")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latencies", type=float, nargs="+", default=[0.0, 5.0, 30.0])
    parser.add_argument("--seconds", type=float, nargs="+", default=[90.0, 150.0, 300.0])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--lanes", type=int, default=None)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--k", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quality", type=int, default=0, metavar="ITERATIONS")
    parser.add_argument("--no-serial", action="store_true", help="skip the one-lane rows")
    # child mode
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--window", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--iterations", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_session(args)), flush=True)
        os._exit(0)  # lanes still in flight are not waited for
    lanes = args.lanes or args.concurrency
    cache = tempfile.mkdtemp(prefix="adrs-refs-")
    windows = dict(zip(args.latencies, args.seconds + args.seconds[-1:] * len(args.latencies)))
    print(
        f"spot-single, {args.workers} workers, k={args.k}, {os.cpu_count()} cores; "
        f"stand-in model answering after L seconds\n"
    )
    header = (
        f"{'L (s)':>6} {'configuration':<28} {'cand/min':>9} {'calls in flight max/mean':>25}"
        f" {'CPU':>5} {'loop CPU/cand':>14} {'eval-bound':>11} {'share':>6}"
    )
    print(header)
    print("-" * len(header))
    cascades = evaluation_bound(args.workers, 60.0, verify=False)
    bound = evaluation_bound(args.workers, 60.0, verify=True)
    for latency in args.latencies:
        configs = [(f"{lanes} lanes, concurrency {args.concurrency}", lanes, args.concurrency)]
        if not args.no_serial:
            configs.insert(0, (f"1 lane, concurrency {args.k} (serial)", 1, args.k))
        for name, n_lanes, concurrency in configs:
            row = child(args, latency, n_lanes, concurrency, windows[latency], None, cache)
            print(
                f"{latency:>6g} {name:<28} {row['per_min']:>9.1f} "
                f"{row['max_in_flight']:>19d} / {row['mean_in_flight']:<4.1f} "
                f"{row['cpu']:>5.0%} {row['loop_cpu_s'] * 1000:>11.0f} ms "
                f"{bound['per_min']:>11.1f} "
                f"{row['per_min'] / bound['per_min']:>6.0%}",
                flush=True,
            )
    print(
        f"\neval-bound: {bound['per_min']:.1f} candidates/min with no model and no loop: each "
        f"candidate's cascade and, when it beats the champion on train, the held-out run its "
        f"verdict needs, on {args.workers} workers (CPU {bound['cpu']:.0%}); cascades alone: "
        f"{cascades['per_min']:.1f}/min (CPU {cascades['cpu']:.0%})"
    )
    if args.quality:
        print(f"\nchampion after {args.quality} iterations (k={args.k}, L = 0):")
        for name, n_lanes, concurrency in (
            ("serial (1 lane)", 1, args.k),
            (f"{lanes} lanes", lanes, args.concurrency),
        ):
            row = child(args, 0.0, n_lanes, concurrency, 0.0, args.quality, cache)
            print(
                f"  {name:<16} champion train {row['champion_train']:.4f} held-out "
                f"{row['champion_heldout']:.4f} ({row['champion_changes']} changes); best "
                f"candidate on train {row['best_train']:.4f}; {row['candidates']} candidates "
                f"in {row['seconds']:.0f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
