"""``Kind``: the spot-single simulator family (one job, one zone, spot or on-demand each tick).

The candidate's ``Policy`` runs inside the sandbox (``player.SpotPlayer``) and only produces,
per workload, the string of actions it asked for, one tick at a time as the parent's
``feed.SpotFeed`` reveals availability. The parent (``score``) replays those strings on the real
traces with the same tick model; nothing else from the child is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulators.contract import (
    CausalityProbe,
    OutputViolation,
    ScenarioKind,
    ScoredSplit,
    Timeline,
    Workload,
)
from simulators.errors import ScenarioError, UnknownName
from simulators.scenario import ScenarioSpec, scenario_file
from simulators.spot_single import causality, report
from simulators.spot_single.feed import SpotFeed, TickFeed
from simulators.spot_single.interface import ON_DEMAND_PRICE, SPOT_PRICE, Job
from simulators.spot_single.replay import RunRecord, replay
from simulators.spot_single.simulate import TickedJob
from simulators.spot_single.splits import check_traces, expand, parse_split, whole_seconds
from simulators.spot_single.traces import TraceSet, load_traces, workload_avail

#: Evaluations of at most this many workloads (causality probes, debugging) keep their action
#: strings in the artifacts; full splits do not (half a megabyte each).
ACTIONS_IN_ARTIFACTS_MAX = 64


def price_param(spec: ScenarioSpec, name: str, default: float) -> float:
    """A price of ``[params]``: a positive number (finiteness is checked on load)."""
    value = spec.params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ScenarioError(
            f"scenario.toml: field 'params.{name}': {value!r} is not a price: give a positive "
            "number of dollars per hour"
        )
    return float(value)


class Kind(ScenarioKind):
    """Spot-single: minimise the dollar cost of finishing a job before its deadline."""

    kind = "spot_single"
    entry_point = "Policy"
    player = "simulators.spot_single.player:SpotPlayer"
    limit_label = "the omniscient optimum (knows the whole trace; no policy can beat it)"
    legend = report.LEGEND
    critic_focus = (
        "Speak of where the dollars go (spot, on-demand, restart overhead), when the policy "
        "leaves spot or idles, how much slack it keeps before the deadline and what that "
        "slack costs; compare the timelines with the reference's on the same trace."
    )

    def __init__(self, spec: ScenarioSpec, root: Path) -> None:
        super().__init__(spec, root)
        self.splits = {name: parse_split(name, raw) for name, raw in spec.splits.items()}
        self.on_demand_price = price_param(spec, "on_demand_price", ON_DEMAND_PRICE)
        self.spot_price = price_param(spec, "spot_price", SPOT_PRICE)
        # Every trace file exists and lies in the scenario folder before anything reads it.
        self._data_files = {
            split.data: scenario_file(root, split.data, f"splits.{name}.data")
            for name, split in self.splits.items()
        }

    # -- data -------------------------------------------------------------------------------
    def traces(self, data: str) -> TraceSet:
        """The packed trace file ``data`` (relative to the scenario folder), loaded once
        (and found once: resolving the path costs more than a feed's per-workload work)."""
        known = self.__dict__.setdefault("_trace_sets", {})
        if data not in known:
            path = self._data_files.get(data) or scenario_file(self.root, data, "data")
            known[data] = load_traces(path)
        return known[data]

    def preload(self) -> None:
        for name in self.splits:
            self.split_table(name)

    def check_split(self, name: str, split: Any) -> None:
        """Zones, windows and deadlines of one split against its traces: an unknown zone is a
        one-line ``ScenarioError`` here, not a ``KeyError`` deep inside an evaluation."""
        check_traces(name, split, self.root, self.traces(split.data))

    def split_table(self, split: str) -> Any:
        """The validated table of a named split, checked against its traces the first time it
        is asked for (so only the splits used load their data); a usage error names the
        known ones."""
        if split not in self.splits:
            known = ", ".join(self.splits)
            raise UnknownName(f"unknown split '{split}' for {self.spec.name} (splits: {known})")
        checked = self.__dict__.setdefault("_checked_splits", set())
        if split not in checked:
            self.check_split(split, self.splits[split])
            checked.add(split)
        return self.splits[split]

    def workloads(self, split: str) -> list[Workload]:
        return expand(self.split_table(split))

    def job_of(self, workload: Workload) -> TickedJob:
        """The candidate-visible parameters of a workload (a ``Job``; spot-multi's kind
        returns a ``RegionJob``)."""
        return Job(
            duration_s=whole_seconds(workload["duration_h"], "duration_h"),
            deadline_s=whole_seconds(workload["deadline_h"], "deadline_h"),
            restart_overhead_s=whole_seconds(workload["overhead_h"], "overhead_h"),
            gap_s=self.traces(workload["data"]).gap_s,
            on_demand_price=self.on_demand_price,
            spot_price=self.spot_price,
        )

    def avail_of(self, workload: Workload) -> list[bool]:
        """Availability per tick (True = spot available), perturbed if the workload says so."""
        return workload_avail(self.traces(workload["data"]), workload).tolist()

    def group_of(self, workload: Workload) -> str:
        return f"deadline={workload['deadline_h']:g}h overhead={workload['overhead_h']:g}h"

    def facets(self, workload: Workload) -> dict[str, str]:
        return {"zone": workload["zone"]}

    # -- lockstep: what the sandbox is shown, and when -------------------------------------
    def feed(self, batch: list[Workload]) -> TickFeed:
        avail = [workload_avail(self.traces(w["data"]), w) for w in batch]
        starts = [self.timeline(w).start for w in batch]
        return SpotFeed([w["id"] for w in batch], [self.job_of(w) for w in batch], avail, starts)

    def timeline(self, workload: Workload) -> Timeline:
        """The window's start on the clock of its trace file, one clock for all the file's
        zones (so correlated zones never show each other's future either). Without exact
        start ticks every window has a clock of its own (shared by the zones when the file's
        windows are time-aligned across zones): no two windows share a child."""
        traces = self.traces(workload["data"])
        zone, window = workload["zone"], int(workload["window"])
        start = traces.window_start_s(zone, window)
        if start is not None:
            return Timeline(workload["data"], start, traces.gap_s)
        place = "" if traces.start_epoch is not None else f"{zone}:"
        return Timeline(f"{workload['data']}:{place}w{window}", 0, traces.gap_s)

    # -- trusted parent --------------------------------------------------------------------
    def replay_all(self, workloads: list[Workload], raw: dict[str, Any]) -> list[RunRecord]:
        """Replay the child's action strings; ``OutputViolation`` if they are malformed."""
        actions = raw.get("actions") if isinstance(raw, dict) else None
        if not isinstance(actions, dict):
            raise OutputViolation("the run returned no 'actions' table")
        records = []
        for workload in workloads:
            wid = workload["id"]
            string = actions.get(wid)
            if not isinstance(string, str):
                raise OutputViolation(f"workload {wid}: no action string")
            records.append(self.replay_one(workload, string))
        return records

    def replay_one(self, workload: Workload, actions: str) -> RunRecord:
        """Replay one workload's action string on its real trace."""
        avail = self.avail_of(workload)
        return replay(actions, self.job_of(workload), [avail], label=workload["id"])

    def score(self, workloads: list[Workload], raw: dict[str, Any]) -> ScoredSplit:
        records = self.replay_all(workloads, raw)
        return self.scored(workloads, records, raw["actions"])

    def scored(
        self, workloads: list[Workload], records: list[RunRecord], actions: dict[str, str]
    ) -> ScoredSplit:
        """Costs, infeasible runs, metrics and critic artifacts from replayed records."""
        per_workload = {}
        infeasible = []
        runs = {}
        for workload, rec in zip(workloads, records, strict=True):
            runs[workload["id"]] = report.breakdown(rec)
            if rec.finished:
                per_workload[workload["id"]] = rec.cost_usd
            else:
                infeasible.append(workload["id"])
        ranked = sorted(
            zip(workloads, records, strict=True),
            key=lambda pair: -report.badness(pair[1], self._on_demand_only_usd(pair[0])),
        )
        worst = [
            {
                "id": w["id"],
                "group": self.group_of(w),
                **runs[w["id"]],
                "timeline": self.timeline_of(w, actions[w["id"]]),
            }
            # A critic's zoom (a few workloads re-run alone) shows every timeline.
            for w, _ in ranked[
                : max(
                    report.WORST_SHOWN, len(workloads) if len(workloads) <= report.ZOOM_MAX else 0
                )
            ]
        ]
        artifacts: dict[str, Any] = {"runs": runs, "worst": worst}
        metrics = report.metrics(records)
        if len(workloads) <= ACTIONS_IN_ARTIFACTS_MAX:  # probe-sized runs: keep the decisions
            artifacts["actions"] = {w["id"]: actions[w["id"]] for w in workloads}
        return ScoredSplit(
            per_workload=per_workload, infeasible=infeasible, metrics=metrics, artifacts=artifacts
        )

    def score_parts(self, metrics: dict[str, float]) -> dict[str, float]:
        """Spot and on-demand dollars spent working, and the restart overhead paid on either
        (billed inside those dollars, so split out of them rather than stacked on top)."""
        keys = (
            "mean_spot_usd",
            "mean_on_demand_usd",
            "mean_overhead_usd",
            "mean_spot_overhead_usd",
        )
        if any(key not in metrics for key in keys):
            return {}
        spot, on_demand, overhead, spot_overhead = (metrics[key] for key in keys)
        return {
            "spot, working": spot - spot_overhead,
            "on-demand, working": on_demand - (overhead - spot_overhead),
            "restart overhead": overhead,
        }

    def timeline_of(self, workload: Workload, actions: str) -> str:
        """Run-length timeline of availability against action for the critic."""
        return report.timeline(actions, self.avail_of(workload))

    def _on_demand_only_usd(self, workload: Workload) -> float:
        return workload["duration_h"] * self.on_demand_price

    # -- causality (the contract's hook; ``simulators.checks.causality`` calls it) ---------
    def causality_probes(self, workloads: list[Workload]) -> list[CausalityProbe]:
        """Each workload with its future mirrored after ten ticks spread over the run."""
        return [
            probe for w in workloads for probe in causality.probes(w, self.traces(w["data"]).gap_s)
        ]

    def decisions_until(self, raw: dict[str, Any], workload_id: str, tick: int) -> str:
        return causality.actions_until(raw, workload_id, tick)

    def limit(self, split: str, cache_dir: Path) -> dict[str, float] | None:
        from simulators.spot_single.optimum import split_optimum

        return split_optimum(self, split, cache_dir)
