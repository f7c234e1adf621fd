"""Benchmark of the memory store: fill a session with 10,000 programs (with evaluations,
hypotheses, verdicts, niches and LLM calls), then print the file size and the latency of a
digest, a parent selection and a full-text search (medians). Prints, never asserts.

    uv run --frozen python bench/bench_memory.py [--programs 10000] [--repeats 30]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from memory import Descriptor, ProgramDatabase, ProgramDbConfig, digest, open_store

POLICY = (
    '''
class Policy:
    """Uniform-progress variant {i}."""

    def __init__(self, deadline_h, work_h, overhead_h):
        self.deadline_h, self.work_h, self.overhead_h = deadline_h, work_h, overhead_h
        self.margin = {margin}

    def decide(self, t, done_h, spot_available, last):
        left = self.work_h - done_h
        slack = self.deadline_h - t - left
        if slack < {margin} * self.overhead_h:
            return "ON_DEMAND"
        if spot_available:
            return "SPOT"
        return "NONE" if slack > {hold} else "ON_DEMAND"
'''
    + "\n# padding to a realistic size\n" * 40
)


def _median_ms(fn, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    workspace = Path(tempfile.mkdtemp(prefix="adrs-bench-memory-"))
    store = open_store(workspace)
    sid = store.create_session("bench", "spot_single", {"iterations": args.programs}, seed=1)
    pdb = ProgramDatabase(
        store,
        sid,
        ProgramDbConfig(
            descriptors=(
                Descriptor("spot_share", 0, 1, 10),
                Descriptor("od_share", 0, 1, 10),
                Descriptor("code_len", 0, 4000, 8),
            ),
            num_islands=4,
            direction="min",
        ),
    )
    start = time.perf_counter()
    batch = 250
    for first in range(0, args.programs, batch):
        with store.write():  # batch many rows per transaction, as a bulk import would
            for i in range(first, min(first + batch, args.programs)):
                hid = store.add_hypothesis(
                    sid,
                    i,
                    f"hypothesis {i}: hold on-demand for {i % 17} ticks after preemption",
                    "preemptions cluster",
                    "-2% cost",
                )
                code = POLICY.format(i=i, margin=1 + i % 50, hold=i % 97)
                pid = store.add_program(
                    sid, code, parent_id=None, island=i % 4, hypothesis_id=hid, iteration=i
                ).program_id
                score = 100.0 - (i % 1000) / 10
                store.add_evaluation(
                    pid,
                    "train",
                    "cheap",
                    score + 1,
                    True,
                    "ok",
                    {"cost": score},
                    {f"w{k}": score for k in range(8)},
                )
                store.add_evaluation(
                    pid,
                    "train",
                    "full",
                    score,
                    True,
                    "ok",
                    {"cost": score},
                    {f"w{k}": score for k in range(32)},
                )
                pdb.place(
                    pid,
                    score,
                    {"spot_share": (i % 13) / 13, "od_share": (i % 7) / 7, "code_len": len(code)},
                    i,
                )
                store.add_verdict(pid, i % 5 == 0, [f"held-out worse by {i % 9}%"])
                store.set_hypothesis_outcome(
                    hid, "rejected" if i % 5 else "accepted", "held-out worse"
                )
                if i % 4 == 0:
                    store.record_llm_call(
                        sid,
                        i,
                        {
                            "role": "coder",
                            "model": "bench",
                            "messages": [{"role": "user", "content": "improve the policy " * 50}],
                            "response": code,
                            "input_tokens": 900,
                            "output_tokens": 400,
                        },
                    )
                if i % 100 == 0:
                    store.add_critique(sid, i, f"money went to on-demand near the deadline {i}")
    fill_s = time.perf_counter() - start
    store.add_directive(sid, "never use price data")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = sum(p.stat().st_size for p in workspace.glob("adrs.db*"))
    print(
        f"filled {args.programs} programs (+2 evaluations, hypothesis, verdict each) "
        f"in {fill_s:.1f} s ({args.programs / fill_s:.0f} programs/s)"
    )
    print(f"database size: {size / 1e6:.1f} MB ({size / args.programs / 1e3:.1f} kB/program)")
    text = digest(store, sid, max_tokens=2000)
    ms = _median_ms(lambda: digest(store, sid, max_tokens=2000), args.repeats)
    print(
        f"digest (2000 tokens, {len(text)} chars): median {ms:.1f} ms "
        f"(target < 50 ms: {ms / 50:.2f} of target)"
    )
    it = iter(range(10**9))
    ms = _median_ms(lambda: pdb.select_parents(next(it), count=4), args.repeats)
    print(f"select_parents(count=4) with inspirations: median {ms:.1f} ms")
    ms = _median_ms(lambda: store.search("preemption ticks", session_id=sid), args.repeats)
    print(f"full-text search: median {ms:.1f} ms")
    n = iter(range(10**9))
    ms = _median_ms(lambda: store.add_program(sid, f"x = {next(n)}"), args.repeats)
    print(f"add_program (one transaction, duplicate check): median {ms:.2f} ms")
    store.close()
    print(f"workspace: {workspace}")


if __name__ == "__main__":
    main()
