"""The ``eplb`` simulator family: plan expert replicas on window i, be measured on window i+1.

Objective: **balancedness** (``max``, unitless, 1.0 is perfect) = Σ mean GPU load / Σ max GPU load
over every layer of every scored window, per workload. Scored windows are 1..W-1, each served
by the plan made from the previous window only. The algorithm's own run time is a *secondary*
metric (``rebalance_ms_median``: median over every timed call in the split, the first window of
each workload being re-run ``timing_repeats`` times); it is reported, never folded into the score,
so a faster plan never buys balance and timing noise never moves a ranking.

Limits: 1.0, and the clairvoyant bound — an upper bound on balancedness for any plan that is
allowed to see the window it is scored on (see ``plan.balance_bound_terms``).

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

from adrs.errors import UsageError
from simulators.contract import CausalityProbe, OutputViolation, ScenarioKind, ScoredSplit, Workload
from simulators.eplb.feed import WindowFeed
from simulators.eplb.plan import balance_bound_terms, gpu_loads, validate_plan
from simulators.eplb.workload import EplbSplit, all_windows, make_workloads
from simulators.scenario import ScenarioSpec, split_params


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

    def _split(self, split: str) -> EplbSplit:
        if split not in self.splits:
            known = ", ".join(self.splits)
            raise UsageError(f"unknown split '{split}' for {self.spec.name} (splits: {known})")
        return self.splits[split]

    def workloads(self, split: str) -> list[Workload]:
        return make_workloads(split, self._split(split))

    # ---- lockstep: each window revealed after the plans for the one before -----------
    def feed(self, batch: list[Workload]) -> WindowFeed:
        return WindowFeed(batch)

    # ---- trusted parent side ------------------------------------------------------------
    def score(self, workloads: list[Workload], raw: dict[str, Any]) -> ScoredSplit:
        results = raw.get("workloads") if isinstance(raw, dict) else None
        if not isinstance(results, dict):
            raise OutputViolation("rule 'raw-shape': no 'workloads' mapping in the runner output")
        per_workload: dict[str, float] = {}
        times: list[float] = []
        artifacts: dict[str, Any] = {}
        for workload in workloads:
            wid = workload["id"]
            entry = results.get(wid)
            expected = int(workload["num_windows"]) - 1
            if not isinstance(entry, dict) or len(entry.get("plans") or []) != expected:
                raise OutputViolation(
                    f"rule 'one-plan-per-window': expected {expected} plans (workload {wid})"
                )
            times.extend(_checked_times(entry.get("times_ms"), wid))
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
        return ScoredSplit(per_workload=per_workload, metrics=metrics, artifacts=artifacts)

    def limit(self, split: str, cache_dir: Path) -> dict[str, float] | None:
        """Clairvoyant upper bound on balancedness per workload (the other limit is 1.0)."""
        params = self._split(split).model_dump()
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


def _checked_times(times: Any, workload_id: str) -> list[float]:
    if not isinstance(times, list) or not all(
        isinstance(t, (int, float)) and 0 <= t < 1e9 for t in times
    ):
        raise OutputViolation(
            f"rule 'timing': run times missing or malformed (workload {workload_id})"
        )
    return [float(t) for t in times]
