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

Metric **nodes_per_token** (``min``): inter-node traffic under group-limited routing, the
distinct nodes a token's experts are served on (``simulators.eplb.traffic``). A flat plan packs
better by scattering expert groups over every node; the bundled ``eplb`` constrains traffic to
the hierarchical reference's, so that gain no longer counts as research.

Limits: for balancedness the clairvoyant limit, reached by a real plan made from the scored
window itself (``simulators.eplb.clairvoyant``), with ``balancedness_in_window`` of every
candidate beside it to separate packing slack from forecast error; the proven upper bound
(``plan.balance_bound_terms``) and 1.0 are reported by ``limit_report``. For the time ratio, one
numpy pass over the input against the reference, timed the same way (nothing reads less).

Causality: each probe (``causality_probes``) re-draws the windows after ``after``; the plans for
windows ``0..after`` must come out identical (``decisions_until``). It runs through the same
sandbox path as any evaluation because the perturbation is data in the workload.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from simulators.contract import CausalityProbe, OutputViolation, ScenarioKind, ScoredSplit, Workload
from simulators.eplb.clairvoyant import clairvoyant_workload
from simulators.eplb.feed import WindowFeed
from simulators.eplb.figures import WorkloadFigures, add_window, plan_digest
from simulators.eplb.plan import balance_bound_terms, validate_plan
from simulators.eplb.player import ARG_KEYS, compile_reference, read_once
from simulators.eplb.timing import timed
from simulators.eplb.workload import EplbSplit, all_windows, make_workloads
from simulators.errors import ScenarioError, UnknownName
from simulators.scenario import ScenarioSpec, scenario_file, split_params

BALANCEDNESS, TIME_RATIO = "balancedness", "rebalance_time_ratio"
#: Inter-node traffic under group-limited routing (``simulators.eplb.traffic``).
TRAFFIC = "nodes_per_token"
#: Bumped when the clairvoyant planner changes (its cached values are then stale).
CLAIRVOYANT_VERSION = 1


class Kind(ScenarioKind):
    """MoE expert-parallel load balancing (DeepSeek EPLB interface)."""

    kind: ClassVar[str] = "eplb"
    entry_point: ClassVar[str] = "rebalance_experts"
    player: ClassVar[str] = "simulators.eplb.player:EplbPlayer"
    limit_label = (
        "the clairvoyant limit (the reference planning on the scored window itself, refined "
        "within nodes: reachable with a perfect forecast; a better packer can pass it)"
    )
    legend: ClassVar[str] = (
        "Per workload: balancedness_per_scored_window lists each scored window's balancedness "
        "(mean GPU load / max GPU load summed over layers), in order; a low value marks a "
        "window whose load the plan from the window before did not anticipate. "
        "balancedness_in_window is the same plans measured on the windows they were made from: "
        "far below the limit means packing slack, far above the scored value means forecast "
        "error. nodes_per_token is the traffic: distinct nodes a token's 8 experts are served "
        "on under group-limited routing (4 of 8 groups per token), mean and per scored window. "
        "peak_causes, over every layer of every scored window: single_replica_share is the "
        "share of layers whose hottest GPU holds one replica at least as heavy as the mean GPU "
        "load (only more replicas of that expert cool it), hot_node_ratio the mean hottest-node "
        "load over the mean node load (swaps inside nodes cannot lower it: balancedness at fixed "
        "node loads is at most about its inverse). worst_layers lists [layer, "
        "mean balancedness over the scored windows] for the least balanced layers (1.0 = every "
        "GPU of the layer equally loaded). hottest_gpus lists, for the worst layer of the worst "
        "window, [window, layer, gpu, node, load / mean GPU load, [[expert, replicas, load per "
        "replica / mean GPU load], ...]]: which experts make the GPU hot and how many replicas "
        "they had."
    )
    critic_focus: ClassVar[str] = (
        "Speak of per-layer imbalance (which layers, how far below 1.0), the hottest GPUs and "
        "the experts on them (replicas of hot experts, load per replica against the mean), "
        "node-level imbalance (a hot expert group fixes its node's load when groups stay on "
        "one node) and traffic (nodes_per_token against the reference's); separate packing "
        "slack (in-window balancedness against the limit) from forecast error (in-window "
        "against scored). Timing and memory are reported, not scored."
    )

    def __init__(self, spec: ScenarioSpec, root: Path) -> None:
        super().__init__(spec, root)
        # Every split validated on load: a bad or oversized field fails in one line naming it.
        self.splits = {
            name: split_params(name, raw, EplbSplit) for name, raw in spec.splits.items()
        }
        timings = {split.timing for split in self.splits.values()}
        if len(timings) > 1:
            raise ScenarioError(
                f"{root / 'scenario.toml'}: field 'splits': every split needs "
                "the same timing (a metric measured on one split only cannot "
                "be compared across splits)"
            )
        self.paired = timings == {"paired"}
        self.fresh_comparisons = self.paired
        if self.paired and spec.objective.name == TIME_RATIO:
            self.limit_label = (
                "one numpy pass over the input for the time ratio (no program "
                "reads its input faster); the clairvoyant bound for balancedness"
            )
        #: The reference's source, sent to the player for paired timing (trusted code).
        self.reference_source: str | None = None
        if self.paired:
            if spec.reference_baseline is None:
                raise ScenarioError(
                    f"{root / 'scenario.toml'}: paired timing needs a "
                    "reference_baseline to time against"
                )
            path = scenario_file(
                root,
                spec.baselines[spec.reference_baseline],
                f"baselines.{spec.reference_baseline}",
            )
            self.reference_source = path.read_text()

    def metric_names(self) -> tuple[str, ...]:
        return (BALANCEDNESS, TRAFFIC, TIME_RATIO) if self.paired else (BALANCEDNESS, TRAFFIC)

    def _split(self, split: str) -> EplbSplit:
        if split not in self.splits:
            known = ", ".join(self.splits)
            raise UnknownName(f"unknown split '{split}' for {self.spec.name} (splits: {known})")
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
        traffic: dict[str, float] = {}
        in_window: dict[str, float] = {}
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
            figures = WorkloadFigures()
            for index, plan in enumerate(entry["plans"]):
                phy2log = validate_plan(plan, workload, index)
                add_window(figures, workload, index, phy2log, trace[index], trace[index + 1])
            per_workload[wid] = figures.balancedness
            traffic[wid] = figures.nodes_per_token
            in_window[wid] = figures.balancedness_in_window
            artifacts[wid] = figures.artifacts(entry["plans"])
        metrics = {
            "rebalance_ms_median": statistics.median(times) if times else 0.0,
            "balancedness_min": min(per_workload.values()) if per_workload else 0.0,
            "balancedness_in_window": statistics.fmean(in_window.values()) if in_window else 0.0,
            TRAFFIC: statistics.fmean(traffic.values()) if traffic else 0.0,
        }
        per_metric = {BALANCEDNESS: dict(per_workload), TRAFFIC: traffic}
        if not self.paired:
            return ScoredSplit(
                per_workload=per_workload,
                metrics=metrics,
                artifacts=artifacts,
                per_metric=per_metric,
            )
        metrics["read_time_ratio"] = statistics.fmean(read_ratios) if read_ratios else 0.0
        metrics["reference_ms_median"] = (
            statistics.median(reference_times) if reference_times else 0.0
        )
        return ScoredSplit(
            per_workload=per_workload,
            metrics=metrics,
            artifacts=artifacts,
            per_metric={**per_metric, TIME_RATIO: ratios},
        )

    def limit(self, split: str, cache_dir: Path) -> dict[str, float] | None:
        """The limit of the scenario's objective per workload (``metric_limits``)."""
        limits = self.metric_limits(split, cache_dir)
        name = self.spec.objective.name
        return limits[name] if name in limits else limits[BALANCEDNESS]

    def metric_limits(self, split: str, cache_dir: Path) -> dict[str, dict[str, float]]:
        limits = {BALANCEDNESS: self.clairvoyant(split, cache_dir)[BALANCEDNESS]}
        if self.paired:
            limits[TIME_RATIO] = self.read_bound(split)
        return limits

    def limit_report(self, split: str, cache_dir: Path) -> dict[str, Any]:
        """Split means of the clairvoyant limit, its traffic, and the proven upper bound."""
        clairvoyant = self.clairvoyant(split, cache_dir)
        return {
            "meaning": "clairvoyant: the reference planning on the scored window, refined "
            "within nodes (reachable); bound: no plan can beat it; ideal: 1.0",
            "clairvoyant": statistics.fmean(clairvoyant[BALANCEDNESS].values()),
            "clairvoyant_" + TRAFFIC: statistics.fmean(clairvoyant[TRAFFIC].values()),
            "bound": statistics.fmean(self.balance_bound(split, cache_dir).values()),
            "ideal": 1.0,
        }

    def clairvoyant(self, split: str, cache_dir: Path) -> dict[str, dict[str, float]]:
        """Per workload, balancedness and traffic of the clairvoyant plans
        (``simulators.eplb.clairvoyant``: the reference planning on the scored window, refined
        within nodes), cached by everything they depend on."""
        name = self.spec.reference_baseline
        if name is None:
            raise ScenarioError(
                f"{self.root / 'scenario.toml'}: the clairvoyant limit needs a reference_baseline"
            )
        source = scenario_file(
            self.root, self.spec.baselines[name], f"baselines.{name}"
        ).read_text()
        params = self._split(split).model_dump(exclude={"timing"})  # the limit needs no clock

        def compute() -> dict[str, dict[str, float]]:
            rebalance = compile_reference(source)
            out: dict[str, dict[str, float]] = {BALANCEDNESS: {}, TRAFFIC: {}}
            for workload in self.workloads(split):
                balance, traffic = clairvoyant_workload(rebalance, workload, all_windows(workload))
                out[BALANCEDNESS][workload["id"]] = balance
                out[TRAFFIC][workload["id"]] = traffic
            return out

        return _cached(
            cache_dir,
            f"eplb-clairvoyant-{split}",
            [CLAIRVOYANT_VERSION, split, params, source],
            compute,
        )

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
        """Upper bound on balancedness per workload, valid even for a clairvoyant plan
        (``plan.balance_bound_terms``); 1.0 on every bundled workload, so it is reported, not
        ranked against."""
        params = self._split(split).model_dump(exclude={"timing"})  # the bound needs no clock

        def compute() -> dict[str, float]:
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
            return bounds

        return _cached(cache_dir, f"eplb-limit-{split}", [1, split, params], compute)

    def group_of(self, workload: Workload) -> str:
        return f"alpha={workload['zipf_alpha']} drift={workload['drift_sigma']}"

    # ---- causality (the contract's hook; ``simulators.checks.causality`` calls it) ---------
    def causality_probes(self, workloads: list[Workload]) -> list[CausalityProbe]:
        """Each workload with every window after the first, and after the middle one, redrawn
        (``perturb_future``, seeded per workload): the plans up to there must not change."""
        out = []
        for index, workload in enumerate(workloads):
            planned = int(workload["num_windows"]) - 1  # windows that get a plan
            for after in sorted({0, max(0, planned // 2 - 1)}):
                redrawn = {**workload, "perturb_future": {"after": after, "seed": 1000 + index}}
                out.append(CausalityProbe(workload["id"], after, redrawn))
        return out

    def decisions_until(self, raw: dict[str, Any], workload_id: str, tick: int) -> list[str]:
        """Plan digests up to window ``tick``, from runner output or ``score`` artifacts."""
        return _plan_digests(raw, workload_id)[: tick + 1]


def _cached(cache_dir: Path, stem: str, key_parts: list[Any], compute: Callable[[], Any]) -> Any:
    """A JSON value computed once per key and kept in ``cache_dir``; written whole (a temporary
    file renamed into place), so a kill mid-write leaves no half file to fail on next time."""
    key = hashlib.sha256(json.dumps(key_parts, sort_keys=True).encode()).hexdigest()
    path = Path(cache_dir) / f"{stem}-{key[:16]}.json"
    if path.is_file():
        return json.loads(path.read_text())
    value = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(value))
    partial.replace(path)
    return value


def _plan_digests(result: dict[str, Any], workload_id: str) -> list[str]:
    if "workloads" in result:  # raw runner output
        return [plan_digest(p["phy2log"]) for p in result["workloads"][workload_id]["plans"]]
    return list(result[workload_id]["plan_digests"])  # score artifacts


def _checked_times(times: Any, workload_id: str, count: int | None = None) -> list[float]:
    if (
        not isinstance(times, list)
        or not all(isinstance(t, (int, float)) and 0 <= t < 1e9 for t in times)
        or (count is not None and len(times) != count)
    ):
        raise OutputViolation(
            f"rule 'timing': run times missing or malformed (workload {workload_id})"
        )
    return [float(t) for t in times]


def median_ratio(mine: list[float], theirs: list[float]) -> float:
    """Median over calls of one time over the other, call by call (each pair shared an input
    and a moment, so the machine's speed cancels in each ratio)."""
    return statistics.median(a / max(b, 1e-9) for a, b in zip(mine, theirs, strict=True))
