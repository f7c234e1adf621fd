"""The ``eplb`` simulator family: plan expert replicas on window i, be measured on window i+1.

Metric **balancedness** (``max``, unitless, 1.0 is perfect) = Σ mean GPU load / Σ max GPU load
over every layer of every scored window, per workload. Scored windows are 1..W-1, each served
by the plan made from the previous window only. With ``own`` timing the algorithm's run time is
only reported (``rebalance_ms_median``: median over every timed call in the split, the first
window of each workload being re-run ``timing_repeats`` times), so timing noise never moves a
ranking. With ``paired`` timing the kind also measures **rebalance_time_ratio** per workload:
the median over its windows of the candidate's time over the reference baseline's, timed back
to back on the same input in the same process (``simulators.eplb.timing``), which a scenario
can optimise at balancedness constrained to the reference's (``eplb-speed``).

Limits: for balancedness the clairvoyant bound, an upper bound for any plan that is allowed to
see the window it is scored on (see ``plan.balance_bound_terms``); for the time ratio, one numpy
pass over the input against the reference, timed the same way (nothing reads less).

Causality: ``perturbed(workload, seed)`` re-draws the windows after ``after``; the plans for
windows ``0..after`` must come out identical (``causality_violations``). It runs through the same
sandbox path as any evaluation because the perturbation is data in the workload.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from adrs.errors import ScenarioError, UsageError
from simulators.contract import CausalityProbe, OutputViolation, ScenarioKind, ScoredSplit, Workload
from simulators.eplb.feed import WindowFeed
from simulators.eplb.plan import balance_bound_terms, gpu_loads, validate_plan
from simulators.eplb.player import ARG_KEYS, compile_reference, read_once
from simulators.eplb.timing import timed
from simulators.eplb.workload import EplbSplit, all_windows, make_workloads
from simulators.scenario import ScenarioSpec, scenario_file, split_params

BALANCEDNESS, TIME_RATIO = "balancedness", "rebalance_time_ratio"


class Kind(ScenarioKind):
    """MoE expert-parallel load balancing (DeepSeek EPLB interface)."""

    kind: ClassVar[str] = "eplb"
    entry_point: ClassVar[str] = "rebalance_experts"
    player: ClassVar[str] = "simulators.eplb.player:EplbPlayer"
    limit_label: ClassVar[str] = ("the clairvoyant bound (a plan made from the scored window itself; no plan can beat it)")
    legend: ClassVar[str] = (
        "Per workload: balancedness_per_scored_window lists each scored window's balancedness "
        "(mean GPU load / max GPU load summed over layers), in order; a low value marks a "
        "window whose load the plan from the window before did not anticipate; worst_layers "
        "lists [layer, mean balancedness of that layer over the scored windows] for the least "
        "balanced layers (1.0 = every GPU of the layer equally loaded).")

    def __init__(self, spec: ScenarioSpec, root: Path) -> None:
        super().__init__(spec, root)
        # Every split validated on load: a bad or oversized field fails in one line naming it.
        self.splits = {
            name: split_params(name, raw, EplbSplit) for name, raw in spec.splits.items()
        }
        timings = {split.timing for split in self.splits.values()}
        if len(timings) > 1:
            raise ScenarioError(f"{root / 'scenario.toml'}: field 'splits': every split needs "
                                "the same timing (a metric measured on one split only cannot "
                                "be compared across splits)")
        self.paired = timings == {"paired"}
        self.fresh_comparisons = self.paired
        if self.paired and spec.objective.name == TIME_RATIO:
            self.limit_label = ("one numpy pass over the input for the time ratio (no program "
                                "reads its input faster); the clairvoyant bound for balancedness")
        #: The reference's source, sent to the player for paired timing (trusted code).
        self.reference_source: str | None = None
        if self.paired:
            if spec.reference_baseline is None:
                raise ScenarioError(f"{root / 'scenario.toml'}: paired timing needs a "
                                    "reference_baseline to time against")
            path = scenario_file(root, spec.baselines[spec.reference_baseline],
                                 f"baselines.{spec.reference_baseline}")
            self.reference_source = path.read_text()

    def metric_names(self) -> tuple[str, ...]:
        return (BALANCEDNESS, TIME_RATIO) if self.paired else (BALANCEDNESS,)

    def _split(self, split: str) -> EplbSplit:
        if split not in self.splits:
            known = ", ".join(self.splits)
            raise UsageError(f"unknown split '{split}' for {self.spec.name} (splits: {known})")
        return self.splits[split]

    def workloads(self, split: str) -> list[Workload]:
        return make_workloads(split, self._split(split))

    # ---- lockstep: each window revealed after the plans for the one before -----------
    def feed(self, batch: list[Workload]) -> WindowFeed:
        return WindowFeed(batch, self.reference_source)

    # ---- trusted parent side ------------------------------------------------------------
    def score(self, workloads: list[Workload], raw: dict[str, Any]) -> ScoredSplit:
        results = raw.get("workloads") if isinstance(raw, dict) else None
        if not isinstance(results, dict):
            raise OutputViolation("rule 'raw-shape': no 'workloads' mapping in the runner output")
        per_workload: dict[str, float] = {}
        times: list[float] = []
        ratios: dict[str, float] = {}
        read_ratios: list[float] = []
        reference_times: list[float] = []
        artifacts: dict[str, Any] = {}
        for workload in workloads:
            wid = workload["id"]
            entry = results.get(wid)
            expected = int(workload["num_windows"]) - 1
            if not isinstance(entry, dict) or len(entry.get("plans") or []) != expected:
                raise OutputViolation(
                    f"rule 'one-plan-per-window': expected {expected} plans (workload {wid})"
                )
            mine = _checked_times(entry.get("times_ms"), wid)
            times.extend(mine)
            if self.paired:
                theirs = _checked_times(entry.get("reference_ms"), wid, len(mine))
                reference_times.extend(theirs)
                reads = _checked_times(entry.get("read_ms"), wid, len(mine))
                ratios[wid] = median_ratio(mine, theirs)
                read_ratios.append(median_ratio(reads, theirs))
            trace = all_windows(workload)
            sum_mean = sum_max = 0.0
            per_window = []
            layer_ratio = 0.0
            for index, plan in enumerate(entry["plans"]):
                phy2log = validate_plan(plan, workload, index)
                loads = gpu_loads(trace[index + 1], phy2log, int(workload["num_gpus"]))
                sum_mean += float(loads.mean(axis=1).sum())
                sum_max += float(loads.max(axis=1).sum())
                layer_ratio = layer_ratio + loads.mean(axis=1) / np.maximum(loads.max(axis=1),
                                                                             1e-12)
                per_window.append(
                    round(float(loads.mean(axis=1).sum() / loads.max(axis=1).sum()), 4)
                )
            per_workload[wid] = sum_mean / sum_max
            artifacts[wid] = {
                "balancedness_per_scored_window": per_window,
                "worst_layers": _worst_layers(layer_ratio, len(entry["plans"])),
                "plan_digests": [_digest(plan["phy2log"]) for plan in entry["plans"]],
            }
        metrics = {
            "rebalance_ms_median": statistics.median(times) if times else 0.0,
            "balancedness_min": min(per_workload.values()) if per_workload else 0.0,
        }
        if not self.paired:
            return ScoredSplit(per_workload=per_workload, metrics=metrics, artifacts=artifacts)
        metrics["read_time_ratio"] = statistics.fmean(read_ratios) if read_ratios else 0.0
        metrics["reference_ms_median"] = statistics.median(reference_times) \
            if reference_times else 0.0
        return ScoredSplit(per_workload=per_workload, metrics=metrics, artifacts=artifacts,
                           per_metric={BALANCEDNESS: dict(per_workload), TIME_RATIO: ratios})

    def limit(self, split: str, cache_dir: Path) -> dict[str, float] | None:
        """The limit of the scenario's objective per workload (``metric_limits``)."""
        limits = self.metric_limits(split, cache_dir)
        name = self.spec.objective.name
        return limits[name] if name in limits else limits[BALANCEDNESS]

    def metric_limits(self, split: str, cache_dir: Path) -> dict[str, dict[str, float]]:
        limits = {BALANCEDNESS: self.balance_bound(split, cache_dir)}
        if self.paired:
            limits[TIME_RATIO] = self.read_bound(split)
        return limits

    def read_bound(self, split: str) -> dict[str, float]:
        """One numpy pass over each window against the reference's call, timed back to back
        (here, in the trusted parent: both programs are trusted); per workload, the median
        over its windows. Measured afresh each time, like every time."""
        assert self.reference_source is not None
        reference = compile_reference(self.reference_source)
        bounds = {}
        for workload in self.workloads(split):
            args = tuple(int(workload[key]) for key in ARG_KEYS)
            reads, theirs = [], []
            for weight in all_windows(workload)[:-1]:
                theirs.append(timed(reference, (weight.copy(), *args))[1])
                reads.append(timed(read_once, (weight.copy(),))[1])
            bounds[workload["id"]] = median_ratio(reads, theirs)
        return bounds

    def balance_bound(self, split: str, cache_dir: Path) -> dict[str, float]:
        """Clairvoyant upper bound on balancedness per workload (the other limit is 1.0)."""
        params = self._split(split).model_dump(exclude={"timing"})  # the bound needs no clock
        key = hashlib.sha256(json.dumps([1, split, params], sort_keys=True).encode()).hexdigest()
        cache = Path(cache_dir) / f"eplb-limit-{split}-{key[:16]}.json"
        if cache.is_file():
            return json.loads(cache.read_text())
        bounds = {}
        for workload in self.workloads(split):
            mean_total = lower_total = 0.0
            for weight in all_windows(workload)[1:]:
                mean, lower = balance_bound_terms(
                    weight, int(workload["num_replicas"]), int(workload["num_gpus"])
                )
                mean_total += mean
                lower_total += lower
            bounds[workload["id"]] = mean_total / lower_total
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(bounds))
        return bounds

    def group_of(self, workload: Workload) -> str:
        return f"alpha={workload['zipf_alpha']} drift={workload['drift_sigma']}"

    # ---- causality (the contract has no hook yet; the verifier calls these) -------------
    def perturbed(self, workload: Workload, seed: int, after: int | None = None) -> Workload:
        """A copy of ``workload`` whose windows after ``after`` are re-drawn from ``seed``."""
        if after is None:
            after = max(0, (int(workload["num_windows"]) - 2) // 2)
        return {**workload, "perturb_future": {"after": int(after), "seed": int(seed)}}

    def causality_probes(self, workloads: list[Workload]) -> list[CausalityProbe]:
        """Each workload with every window after the first, and after the middle one, redrawn:
        the plans up to there must not change."""
        out = []
        for index, workload in enumerate(workloads):
            planned = int(workload["num_windows"]) - 1  # windows that get a plan
            for after in sorted({0, max(0, planned // 2 - 1)}):
                out.append(CausalityProbe(workload["id"], after,
                                          self.perturbed(workload, 1000 + index, after)))
        return out

    def decisions_until(self, raw: dict[str, Any], workload_id: str, tick: int) -> list[str]:
        return _plan_digests(raw, workload_id)[: tick + 1]

    def causality_violations(
        self, workloads: list[Workload], original: dict[str, Any], perturbed: dict[str, Any]
    ) -> list[str]:
        """Workloads whose plan for some window <= ``after`` changed when only later windows
        changed; one line each. ``workloads`` are the perturbed ones (they carry ``after``).
        ``original``/``perturbed`` are runner outputs or ``score`` artifacts (plan digests), so
        the check works on what ``simulators.evaluate`` returns too."""
        problems = []
        for workload in workloads:
            after = int(workload["perturb_future"]["after"])
            before = _plan_digests(original, workload["id"])[: after + 1]
            now = _plan_digests(perturbed, workload["id"])[: after + 1]
            changed = [i for i, (a, b) in enumerate(zip(before, now)) if a != b]
            if changed or len(before) != len(now):
                window = changed[0] if changed else min(len(before), len(now))
                problems.append(
                    f"causality: plan for window {window} changed when only windows after "
                    f"{after} changed (workload {workload['id']})"
                )
        return problems


def _worst_layers(ratio_sum: Any, windows: int, count: int = 3) -> list[list[float]]:
    """[layer, mean balancedness over the scored windows] of the least balanced layers."""
    if not windows:
        return []
    mean = np.asarray(ratio_sum) / windows
    order = np.argsort(mean)[:count]
    return [[int(layer), round(float(mean[layer]), 4)] for layer in order]


def _digest(phy2log: Any) -> str:
    return hashlib.sha256(json.dumps(phy2log).encode()).hexdigest()[:16]


def _plan_digests(result: dict[str, Any], workload_id: str) -> list[str]:
    if "workloads" in result:  # raw runner output
        return [_digest(p["phy2log"]) for p in result["workloads"][workload_id]["plans"]]
    return list(result[workload_id]["plan_digests"])  # score artifacts


def _checked_times(times: Any, workload_id: str, count: int | None = None) -> list[float]:
    if not isinstance(times, list) or not all(
        isinstance(t, (int, float)) and 0 <= t < 1e9 for t in times
    ) or (count is not None and len(times) != count):
        raise OutputViolation(
            f"rule 'timing': run times missing or malformed (workload {workload_id})"
        )
    return [float(t) for t in times]


def median_ratio(mine: list[float], theirs: list[float]) -> float:
    """Median over calls of one time over the other, call by call (each pair shared an input
    and a moment, so the machine's speed cancels in each ratio)."""
    return statistics.median(a / max(b, 1e-9) for a, b in zip(mine, theirs, strict=True))

