"""eplb benchmark: evaluation time of the seed on train (sandboxed, through ``evaluate``), and
every baseline's balancedness per split beside the limits (the clairvoyant bound, 1.0) and a
clairvoyant reference: DeepSeek planning on the very window it is scored on.

Run: ``uv run --frozen python bench/bench_eplb.py``. Prints; asserts nothing.
"""

from __future__ import annotations

import runpy
import statistics
import tempfile
import time
from pathlib import Path

from simulators.eplb.plan import gpu_loads
from simulators.eplb.workload import all_windows
from simulators.evaluate import evaluate
from simulators.scenario import load_scenario


def clairvoyant_reference(rebalance, workloads, hierarchical: bool = True) -> float:
    """Mean balancedness when each scored window is planned from itself (not a proof).

    ``hierarchical=False`` runs DeepSeek's global policy (one group, one node): within about
    1% of 1.0, which shows the clairvoyant bound of 1.0 is nearly tight.
    """
    values = []
    for workload in workloads:
        args = [int(workload[k]) for k in ("num_replicas", "num_groups", "num_nodes", "num_gpus")]
        if not hierarchical:
            args[1:3] = [1, 1]
        mean = peak = 0.0
        for weight in all_windows(workload)[1:]:
            loads = gpu_loads(weight, rebalance(weight, *args)[0], args[-1])
            mean += loads.mean(axis=1).sum()
            peak += loads.max(axis=1).sum()
        values.append(mean / peak)
    return statistics.mean(values)


def main() -> None:
    scenario = load_scenario("eplb")
    engine = scenario.engine
    started = time.perf_counter()
    result = evaluate(scenario, scenario.seed_path.read_text(), "train")
    wall = time.perf_counter() - started
    print(
        f"seed on train via evaluate(): {wall:.2f}s wall, status={result.status}, "
        f"balancedness={result.score:.4f}, rebalance_ms_median={result.metrics['rebalance_ms_median']:.1f}"
    )
    baselines = {name: runpy.run_path(str(p)) for name, p in scenario.baseline_paths().items()}
    cache = Path(tempfile.mkdtemp())
    for split in scenario.spec.splits:
        workloads = engine.workloads(split)
        limit = engine.limit(split, cache)
        cells = []
        for name, program in baselines.items():
            started = time.perf_counter()
            scored = engine.score(workloads, engine.run_in_process(program, workloads))
            cells.append(
                f"{name}={scored.score:.4f} ({time.perf_counter() - started:.1f}s, "
                f"{scored.metrics['rebalance_ms_median']:.1f} ms/plan)"
            )
        deepseek = baselines["deepseek"]["rebalance_experts"]
        hierarchical = clairvoyant_reference(deepseek, workloads)
        flat = clairvoyant_reference(deepseek, workloads, hierarchical=False)
        print(
            f"{split:8s} "
            + "  ".join(cells)
            + f"  | clairvoyant deepseek={hierarchical:.4f} global={flat:.4f}"
            + f"  bound={statistics.mean(limit.values()):.4f}  ideal=1.0"
        )


if __name__ == "__main__":
    main()
