"""Reference points: the champion and the programs at hand beside the scenario's baselines and
its limit, on train and held-out, with the headroom that is left.

"$90.76" means something only beside Uniform Progress ($91.64) and the optimum ($81.30); and a
champion that wins on train can still lose to the reference on held-out, the split that decides.
"""

from __future__ import annotations

from graph.context.numbers import change, fmt
from graph.runtime import SessionRuntime
from simulators.references import LIMIT_KEY, PerWorkload

SPLITS = ("train", "heldout")
_SPLIT_TITLE = {"train": "train", "heldout": "held-out", "test": "test"}


def program_score(rt: SessionRuntime, program_id: int, split: str) -> float | None:
    """The program's full-split score on record (None: not run there, or infeasible)."""
    known = rt.evaluator.known(program_id, split)
    return None if known is None else known.score


def program_values(rt: SessionRuntime, program_id: int | None, split: str) -> PerWorkload:
    """The program's per-workload values on ``split`` ({} when it never ran there)."""
    known = None if program_id is None else rt.evaluator.known(program_id, split)
    return known.per_workload if known is not None else {}


def headroom(value: float | None, reference: float | None, limit: float | None) -> float | None:
    """Share of the reference-to-limit gap that ``value`` closes (1.0 = at the limit, < 0 =
    worse than the reference); direction-free, since both ends carry the sign."""
    if value is None or reference is None or limit is None or abs(reference - limit) < 1e-12:
        return None
    return (reference - value) / (reference - limit)


def standings_table(
    rt: SessionRuntime, programs: list[tuple[str, int]], splits: tuple[str, ...] = SPLITS
) -> list[str]:
    """Markdown table rows: each (label, program id), then every baseline, then the limit;
    with a constrained or weighted objective, a column per split for each other metric too."""
    refs, unit = rt.references, rt.scenario.spec.objective.unit
    others = [m for m in rt.scenario.spec.objective.metrics if m != rt.scenario.spec.objective.name]
    titles = [_SPLIT_TITLE.get(s, s) for s in splits]
    titles += [f"{m}, {_SPLIT_TITLE.get(s, s)}" for m in others for s in splits]
    lines = ["| | " + " | ".join(titles) + " |", "|" + "---|" * (len(titles) + 1)]
    seen: set[int] = set()
    for label, pid in programs:
        if pid in seen:
            continue
        seen.add(pid)
        cells = []
        for split in splits:
            score = program_score(rt, pid, split)
            cells.append(fmt(score, unit) if score is not None else _missing(rt, pid, split))
        cells += [fmt(_metric_mean(rt, pid, split, m), "") for m in others for split in splits]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for name in refs.baselines:
        tag = "reference baseline" if name == refs.reference else "baseline"
        cells = [fmt(refs.mean(name, s), unit) for s in splits]
        cells += [fmt(refs.metric_mean(name, s, m), "") for m in others for s in splits]
        lines.append(f"| {name} ({tag}) | " + " | ".join(cells) + " |")
    if any(refs.limit(s) for s in splits):
        cells = [fmt(refs.mean(LIMIT_KEY, s), unit) for s in splits]
        cells += [fmt(refs.metric_mean(LIMIT_KEY, s, m), "") for m in others for s in splits]
        lines.append(f"| limit: {refs.limit_label} | " + " | ".join(cells) + " |")
    return lines


def _metric_mean(rt: SessionRuntime, program_id: int, split: str, metric: str) -> float | None:
    known = rt.evaluator.known(program_id, split)
    values = known.per_metric.get(metric) if known is not None else None
    return sum(values.values()) / len(values) if values else None


def _missing(rt: SessionRuntime, program_id: int, split: str) -> str:
    known = rt.evaluator.known(program_id, split)
    if known is not None:
        return f"failed ({known.infeasible_runs} infeasible runs)"
    if split == "heldout":
        return "not run (only train winners are)"
    return "not run (stopped at stage 1)"


def headroom_lines(
    rt: SessionRuntime, champion_id: int, splits: tuple[str, ...] = SPLITS
) -> list[str]:
    """ "On held-out the champion closes 12% of the gap from uniform_progress to the optimum"."""
    refs, unit = rt.references, rt.scenario.spec.objective.unit
    reference = refs.reference or (refs.baselines[0] if refs.baselines else None)
    if reference is None:
        return []
    lines = []
    for split in splits:
        champ = program_score(rt, champion_id, split)
        ref, limit = refs.mean(reference, split), refs.mean(LIMIT_KEY, split)
        share = headroom(champ, ref, limit)
        title = _SPLIT_TITLE.get(split, split)
        if champ is None or ref is None:
            continue
        versus = (
            f"- On {title} the champion ({fmt(champ, unit)}) is {change(champ, ref)} "
            f"against {reference} ({fmt(ref, unit)})"
        )
        if share is None:
            lines.append(versus + ".")
        elif share < 0:
            lines.append(
                f"{versus}: it still loses to {reference} there; the limit is {fmt(limit, unit)}."
            )
        else:
            lines.append(
                f"{versus} and closes {100 * share:.0f}% of the gap from {reference} "
                f"to the limit ({fmt(limit, unit)}); {100 * (1 - share):.0f}% is left."
            )
    return lines
