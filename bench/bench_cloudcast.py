"""cloudcast benchmark: evaluation time of the seed on train (sandboxed, through ``evaluate``),
and every baseline's mean cost per split beside the Steiner lower bound (ratio to the bound).

Run: ``uv run --frozen python bench/bench_cloudcast.py``. Prints; asserts nothing.
"""

from __future__ import annotations

import runpy
import statistics
import tempfile
import time
from pathlib import Path

from simulators.evaluate import evaluate
from simulators.scenario import load_scenario


def main() -> None:
    scenario = load_scenario("cloudcast")
    engine = scenario.engine
    started = time.perf_counter()
    result = evaluate(scenario, scenario.seed_path.read_text(), "train")
    wall = time.perf_counter() - started
    print(
        f"seed on train via evaluate(): {wall:.2f}s wall, status={result.status}, cost=${result.score:.2f}"
    )
    programs = {name: runpy.run_path(str(p)) for name, p in scenario.baseline_paths().items()}
    cache = Path(tempfile.mkdtemp())
    for split in scenario.spec.splits:
        workloads = engine.workloads(split)
        started = time.perf_counter()
        limit = engine.limit(split, cache)
        limit_s = time.perf_counter() - started
        cells = []
        for name, program in programs.items():
            scored = engine.score(workloads, engine.run_in_process(program, workloads))
            ratio = statistics.mean(scored.per_workload[w] / limit[w] for w in limit)
            cells.append(f"{name}=${scored.score:.2f} (x{ratio:.3f})")
        print(
            f"{split:8s} "
            + "  ".join(cells)
            + f"  | bound=${statistics.mean(limit.values()):.2f} (limit lookup {limit_s:.2f}s)"
        )


if __name__ == "__main__":
    main()
