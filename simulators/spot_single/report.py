"""What the critic reads: where the money and the time went, per workload and for the worst ones.

Artifacts stay small and JSON-plain: a per-workload breakdown (dollars on spot, on on-demand, in
restart overheads; preemptions; idle hours; slack at finish), and for the few worst workloads a
run-length-encoded timeline of availability against the action taken, capped in length.
Behaviour descriptors (share of the work done on spot / on-demand) go into the metrics, where the
program database can use them as map-elites coordinates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simulators.spot_single.replay import RunRecord

WORST_SHOWN = 5
#: Runs of at most this many workloads (the critic's zoom) get a timeline for every workload.
ZOOM_MAX = 8
#: What the critic needs to read the per-run figures and the timelines.
LEGEND = """Timelines are runs of ticks: "40+S 3-N 12-D" = 40 ticks with spot available (+) while the \
policy asked for SPOT (S), then 3 ticks without spot (-) idling (N = NONE), then 12 ticks without spot \
on ON_DEMAND (D). "-S" means SPOT was asked while unavailable (refused: idled). Per-run figures: \
cost_usd = spot_usd + on_demand_usd; overhead_usd is the part of those dollars billed while paying \
restart overhead (not extra); launches = type switches and relaunches; idle_h / slack_h in hours \
(slack = deadline - finish). Habit counters (usually bugs): spot_abandoned = spot launches left \
again the next tick while spot was still up (an overhead paid for nothing); left_spot_up = switches \
away from a running spot instance that was up; on_demand_spot_up = on-demand ticks while spot was \
up; idle_low_slack = idle ticks with less than one tick plus two overheads of slack."""
TIMELINE_MAX_RUNS = 60
_ACTION_LETTER = {"0": "N", "1": "S", "2": "D"}


def timeline(actions: str, avail: Sequence[bool], letters: dict[str, str] = _ACTION_LETTER) -> str:
    """Runs of (availability, action): ``"40+S 3-N 12-D"`` = 40 ticks spot up and SPOT asked, ...

    '+' / '-' is spot available / unavailable; N, S, D are NONE, SPOT, ON_DEMAND. Capped at
    ``TIMELINE_MAX_RUNS`` runs so a critic prompt stays bounded.
    """
    runs: list[str] = []
    prev = None
    count = 0
    total_runs = 0
    for t, ch in enumerate(actions):
        key = ("+" if avail[t] else "-") + letters.get(ch, ch)
        if key == prev:
            count += 1
            continue
        if prev is not None:
            total_runs += 1
            if len(runs) < TIMELINE_MAX_RUNS:
                runs.append(f"{count}{prev}")
        prev, count = key, 1
    if prev is not None:
        total_runs += 1
        if len(runs) < TIMELINE_MAX_RUNS:
            runs.append(f"{count}{prev}")
    if total_runs > len(runs):
        runs.append(f"... ({total_runs - len(runs)} more runs)")
    return " ".join(runs)


def breakdown(rec: RunRecord) -> dict[str, Any]:
    """The per-workload figures the critic reads (hours and dollars, rounded for brevity)."""
    return {
        "cost_usd": round(rec.cost_usd, 4),
        "spot_usd": round(rec.spot_usd, 4),
        "on_demand_usd": round(rec.on_demand_usd, 4),
        "overhead_usd": round(rec.overhead_usd, 4),
        "preemptions": rec.preemptions,
        "refused": rec.refused,
        "launches": rec.launches,
        "idle_h": round(rec.idle_s / 3600, 3),
        "slack_h": round(rec.slack_s / 3600, 3),
        "finished": rec.finished,
        "spot_abandoned": rec.spot_abandoned,
        "left_spot_up": rec.left_spot_up,
        "on_demand_spot_up": rec.on_demand_spot_up,
        "idle_low_slack": rec.idle_low_slack,
    }


def badness(rec: RunRecord, all_on_demand_usd: float) -> float:
    """Ranking key for 'worst': missed deadlines first, then cost relative to on-demand-only."""
    return (10.0 if not rec.finished else 0.0) + rec.cost_usd / all_on_demand_usd


def metrics(records: Sequence[RunRecord]) -> dict[str, float]:
    """Split-level behaviour descriptors and totals."""
    n = max(len(records), 1)
    spot_work = sum(r.spot_work_s for r in records)
    od_work = sum(r.on_demand_work_s for r in records)
    work = max(spot_work + od_work, 1)
    return {
        "spot_work_share": spot_work / work,
        "on_demand_work_share": od_work / work,
        "mean_spot_usd": sum(r.spot_usd for r in records) / n,
        "mean_on_demand_usd": sum(r.on_demand_usd for r in records) / n,
        "mean_overhead_usd": sum(r.overhead_usd for r in records) / n,
        "mean_spot_overhead_usd": sum(r.spot_overhead_usd for r in records) / n,
        "mean_preemptions": sum(r.preemptions for r in records) / n,
        "mean_launches": sum(r.launches for r in records) / n,
        "mean_idle_h": sum(r.idle_s for r in records) / n / 3600,
        "mean_slack_h": sum(r.slack_s for r in records) / n / 3600,
        "refused": float(sum(r.refused for r in records)),
        "mean_spot_abandoned": sum(r.spot_abandoned for r in records) / n,
        "mean_left_spot_up": sum(r.left_spot_up for r in records) / n,
        "mean_on_demand_spot_up": sum(r.on_demand_spot_up for r in records) / n,
        "mean_idle_low_slack": sum(r.idle_low_slack for r in records) / n,
        "deadline_misses": float(sum(not r.finished for r in records)),
    }
