"""``Kind``: the spot-multi family, spot-single's job spread over a set of regions.

It reuses spot-single's machinery (packed traces, the trusted replay that already knows about
regions, the critic's report, causality probes, caching) and changes only what regions change:
the workloads (region sets over a period), the job and observation, the live loop, and the limit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from simulators.contract import ScenarioKind, Timeline, Workload
from simulators.scenario import ScenarioSpec, scenario_file
from simulators.spot_multi import splits
from simulators.spot_multi.feed import RegionFeed
from simulators.spot_multi.interface import RegionJob, action_codes
from simulators.spot_single import report
from simulators.spot_single.kind import Kind as SingleRegionKind
from simulators.spot_single.kind import price_param
from simulators.spot_single.replay import RunRecord, replay
from simulators.spot_single.splits import parse_split, whole_seconds
from simulators.spot_single.traces import perturbed


class Kind(SingleRegionKind):
    """Spot-multi: minimise the cost of finishing before the deadline, choosing region and type."""

    kind = "spot_multi"
    entry_point = "Policy"
    player = "simulators.spot_multi.player:RegionPlayer"
    limit_label = (
        "the limit (the exact optimum on small region sets, a proven lower bound "
        "elsewhere; no policy can beat it)"
    )
    critic_focus = (
        SingleRegionKind.critic_focus + " Say which regions it moves between, "
        "what each move's restart overhead cost and what the cheaper price bought."
    )

    def __init__(self, spec: ScenarioSpec, root: Path) -> None:
        ScenarioKind.__init__(self, spec, root)  # not spot-single's: other split tables
        self.splits = {
            name: parse_split(name, raw, splits.RegionSplit) for name, raw in spec.splits.items()
        }
        self.on_demand_price = price_param(spec, "on_demand_price", 3.06)
        self.spot_price = float("nan")  # per region and tick, from the traces
        self._data_files = {
            split.data: scenario_file(root, split.data, f"splits.{name}.data")
            for name, split in self.splits.items()
        }

    def check_split(self, name: str, split: Any) -> None:
        """Zones exist, windows are long enough and the period holds a window."""
        splits.check(name, split, self.traces(split.data))

    def workloads(self, split: str) -> list[Workload]:
        chosen = self.split_table(split)
        return splits.expand(chosen, self.traces(chosen.data))

    def job_of(self, workload: Workload) -> RegionJob:
        return RegionJob(
            duration_s=whole_seconds(workload["duration_h"], "duration_h"),
            deadline_s=whole_seconds(workload["deadline_h"], "deadline_h"),
            restart_overhead_s=whole_seconds(workload["overhead_h"], "overhead_h"),
            gap_s=self.traces(workload["data"]).gap_s,
            regions=tuple(workload["regions"]),
            on_demand_price=self.on_demand_price,
        )

    def matrices(self, workload: Workload) -> tuple[np.ndarray, np.ndarray]:
        """(availability bool[region, tick], spot price float[region, tick] in $/h), with the
        future after ``perturb_after`` redrawn for causality probes (prices rescaled too)."""
        traces = self.traces(workload["data"])
        w = workload["window"]
        avail = np.stack([traces.avail[z][w] for z in workload["regions"]])
        price = np.stack([traces.spot_price[z][w] for z in workload["regions"]])
        if "perturb_after" in workload:
            after, seed = int(workload["perturb_after"]), int(workload["perturb_seed"])
            avail = perturbed(avail, after, seed)
            rng = np.random.default_rng(abs(seed) + 1)
            price = price.copy()
            price[:, after + 1 :] *= rng.uniform(0.7, 1.3, price[:, after + 1 :].shape)
        return avail, price

    def facets(self, workload: Workload) -> dict[str, str]:
        return {"region set": workload["region_set"]}

    def group_of(self, workload: Workload) -> str:
        return (
            f"regions={len(workload['regions'])} deadline={workload['deadline_h']:g}h "
            f"overhead={workload['overhead_h']:g}h"
        )

    # -- lockstep: what the sandbox is shown, and when -------------------------------------
    def feed(self, batch: list[Workload]) -> RegionFeed:
        return RegionFeed(
            [w["id"] for w in batch],
            [self.job_of(w) for w in batch],
            [self.matrices(w) for w in batch],
            [self.timeline(w).start for w in batch],
        )

    def timeline(self, workload: Workload) -> Timeline:
        """A window's regions start at the same instant; with no exact start ticks in the
        file (see ``TraceSet.window_start_s``) each window is a clock of its own."""
        traces = self.traces(workload["data"])
        start = traces.window_start_s(workload["regions"][0], int(workload["window"]))
        if start is None:
            return Timeline(f"{workload['data']}:w{workload['window']}", 0, traces.gap_s)
        return Timeline(workload["data"], start, traces.gap_s)

    # -- trusted parent --------------------------------------------------------------------
    def replay_one(self, workload: Workload, actions: str) -> RunRecord:
        """Replay on every region's trace and prices with the shared replay."""
        avail, price = self.matrices(workload)
        codes = action_codes(len(workload["regions"]))
        return replay(
            actions, self.job_of(workload), avail.tolist(), price.tolist(), codes, workload["id"]
        )

    def timeline_of(self, workload: Workload, actions: str) -> str:
        """'+'/'-': spot up in any region; '.', 'a'.., 'A'..: idle, spot / on-demand in region."""
        avail, _ = self.matrices(workload)
        spot_up = np.asarray(avail.any(axis=0))  # an array, avail being 2-D
        return report.timeline(actions, spot_up.tolist(), letters={})

    def limit_report(self, split: str, cache_dir: Path) -> dict[str, Any]:
        """What the limit is made of: the bound everywhere, the exact optimum on a subset."""
        from simulators.spot_multi.optimum import split_limits

        limits = split_limits(self, split, cache_dir)
        bound, exact = limits["bound"], limits["exact"]
        return {
            "meaning": "exact optimum on exact_runs runs, proven lower bound (free region "
            "moves) on the others",
            "lower_bound": sum(bound.values()) / max(len(bound), 1),
            "exact_runs": len(exact),
            "exact_optimum_on_subset": sum(exact.values()) / max(len(exact), 1),
            "lower_bound_on_subset": sum(bound[i] for i in exact) / max(len(exact), 1),
        }

    def limit(self, split: str, cache_dir: Path) -> dict[str, float] | None:
        from simulators.spot_multi.optimum import multi_split_optimum

        return multi_split_optimum(self, split, cache_dir)
