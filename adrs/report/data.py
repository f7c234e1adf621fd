"""What the dashboard and the report show about a session, read from memory in one place.

Both views need the same facts — the score of each candidate over iterations, the best-so-far
line, the baselines and the limit to compare against, the cost breakdown of the best program,
verdict statistics, tokens and dollars per role — so they are computed here once, as plain
dataclasses, and each view only renders them.

Where baselines and the limit come from (whichever the session recorded):
- programs whose ``origin`` is ``baseline:NAME`` (or ``baseline``), scored like any candidate;
- events ``baseline`` ``{"name", "split", "score", "parts"?}`` and ``limit``
  ``{"name", "split", "score"}``;
- the session config's ``baselines`` (``{name: score}``) and ``limit`` (a score).

A cost breakdown only shows parts that add up to the score: the scenario's kind names them when
it scores (``ScenarioKind.score_parts``), and they are stored with the evaluation, so no view
guesses them from metric names or loads simulator code.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from statistics import fmean

from graph.final import reported_test_score
from graph.verdict import rule_of
from memory.records import Session
from memory.store import Store
from memory.vocabulary import EventKind, ProgramStatus
from simulators.direction import Direction
from simulators.direction import better as beats

#: Program statuses whose scores do not count as progress.
REJECTED = frozenset({ProgramStatus.REJECTED, ProgramStatus.FAILED})


@dataclass(frozen=True)
class Objective:
    """What a score means: ``direction`` is ``min`` (a cost) or ``max``."""

    name: str = "score"
    direction: str = "min"
    unit: str = ""
    #: Every declared metric, the optimised one first (``simulators.scenario.Objective``).
    metrics: tuple[str, ...] = ()
    #: The constraints as sentences ("balancedness >= deepseek's - 0.5%, per workload").
    constraints: tuple[str, ...] = ()
    #: (metric, "min" or "max") of every declared metric: what the trade-off front weighs.
    directions: tuple[tuple[str, Direction], ...] = ()

    def better(self, a: float, b: float) -> bool:
        """Whether score ``a`` beats score ``b`` (``simulators.direction``)."""
        return beats(a, b, self.direction)


@dataclass(frozen=True)
class ScorePoint:
    """One candidate's full score on the split, and the best seen up to it."""

    iteration: int
    program_id: int
    score: float
    best: float
    status: ProgramStatus


@dataclass(frozen=True)
class Reference:
    """A horizontal line on the score chart: a baseline or the limit (optimum or bound)."""

    name: str
    score: float
    kind: str  # "baseline" | "limit"
    program_id: int | None = None
    #: The score as parts that add up to it, when the scenario's score is a sum.
    parts: dict[str, float] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ReferenceRow:
    """One baseline or the limit on every split the champion is compared on, with the
    champion's change against it per split (held-out decides; train alone misleads)."""

    name: str
    kind: str
    scores: dict[str, float]
    versus: dict[str, str]


@dataclass(frozen=True)
class MetricRow:
    """The champion, a baseline or the limit: each declared metric's mean per split."""

    name: str
    kind: str
    values: dict[tuple[str, str], float]  # (metric, split) -> mean


@dataclass
class SessionFacts:
    """Everything the views render about one session."""

    session: Session
    objective: Objective
    split: str
    points: list[ScorePoint]
    references: list[Reference]
    best_program_id: int | None
    verdicts: dict[str, int]
    #: (rule, rejected candidates that failed it), most frequent first (``graph.verdict.Rule``).
    rejection_reasons: list[tuple[str, int]]
    roles: list[dict]  # {role, calls, input_tokens, output_tokens, cost_usd, latency_s}
    breakdown: dict[str, dict[str, float]] = field(default_factory=dict)  # name -> parts
    #: The champion's score on the test split, scored once after the search (``graph.final``).
    test_score: float | None = None
    #: Splits the champion is compared on (test once the session has stopped), and the rows.
    splits: list[str] = field(default_factory=lambda: ["train", "heldout"])
    reference_rows: list[ReferenceRow] = field(default_factory=list)
    #: With a constrained or weighted objective: every declared metric beside the references.
    metric_rows: list[MetricRow] = field(default_factory=list)
    #: (program id, train means of every declared metric) on the trade-off front.
    front: list[tuple[int, dict[str, float]]] = field(default_factory=list)
    #: The metrics in ``metric_rows``: the declared ones, then any other the kind measured
    #: per workload (eplb's traffic beside balancedness, even where nothing constrains it).
    shown_metrics: tuple[str, ...] = ()


def objective_of(scenario: str) -> Objective:
    """The scenario's objective; a default (``min``) when its file cannot be read, because a
    workspace may outlive the scenario it was made with."""
    try:
        from simulators.objectives import describe_constraint, metric_directions
        from simulators.scenario import load_spec, scenario_dir

        full = load_spec(scenario_dir(scenario))
        spec = full.objective
        return Objective(
            spec.name,
            spec.direction,
            spec.unit,
            tuple(spec.metrics),
            tuple(describe_constraint(c, full.reference_baseline) for c in spec.constraints),
            tuple(metric_directions(spec).items()),
        )
    except Exception:
        return Objective()


def score_points(
    store: Store, session_id: int, objective: Objective, split: str = "train"
) -> list[ScorePoint]:
    """Candidates (not baselines) with a full score on ``split``, in creation order. The
    best-so-far line skips candidates the verifier rejected: a score earned by reading the
    future is not progress."""
    points: list[ScorePoint] = []
    best: float | None = None
    for candidate in store.candidate_scores(session_id, split):
        if candidate.score is None:
            continue
        score = float(candidate.score)
        if candidate.status not in REJECTED and (best is None or objective.better(score, best)):
            best = score
        points.append(
            ScorePoint(
                candidate.iteration,
                candidate.id,
                score,
                score if best is None else best,
                candidate.status,
            )
        )
    return points


def references(store: Store, session: Session, split: str = "train") -> list[Reference]:
    """Baselines and limit of the session on ``split``, from programs, events or config."""
    found: dict[tuple[str, str], Reference] = {}
    for baseline in store.baseline_scores(session.id, split):
        if baseline.score is not None:
            name = baseline.origin.partition(":")[2] or f"baseline #{baseline.id}"
            found[("baseline", name)] = Reference(
                name,
                float(baseline.score),
                "baseline",
                baseline.id,
                _parts(store, baseline.id, split),
            )
    for kind in (EventKind.BASELINE, EventKind.LIMIT):
        for event in store.events(session.id, kind=kind, limit=1000):
            payload = event.payload
            if payload.get("split", split) == split and payload.get("score") is not None:
                name = str(payload.get("name") or ("optimum" if kind == EventKind.LIMIT else kind))
                found.setdefault(
                    (kind, name),
                    Reference(
                        name,
                        float(payload["score"]),
                        kind,
                        payload.get("program_id"),
                        payload.get("parts") or {},
                    ),
                )
    for name, score in (session.config.get("baselines") or {}).items():
        found.setdefault(("baseline", name), Reference(name, float(score), "baseline"))
    if session.config.get("limit") is not None:
        found.setdefault(
            ("limit", "optimum"), Reference("optimum", float(session.config["limit"]), "limit")
        )
    return sorted(found.values(), key=lambda r: (r.kind != "limit", r.score))


def record_references(
    store: Store,
    session_id: int,
    scores: dict[str, dict[str, float]],
    limit_name: str = "optimum",
    parts: dict[str, dict[str, dict[str, float]]] | None = None,
    metrics: dict[str, dict[str, dict[str, float]]] | None = None,
) -> None:
    """Store a session's baselines and limit as events, so every later view (dashboard, report,
    chat) shows them without recomputing. ``scores`` maps a name to ``{split: score}`` (the shape
    ``References.means`` returns); the entry named ``limit_name`` is the limit; ``parts`` (the
    shape of ``References.parts``) adds each baseline's score parts for the cost breakdown, and
    ``metrics`` (``References.metric_means``) the mean of every metric the kind measures.
    Idempotent: a (name, split) already on record is not added again (resume calls this too)."""
    # A (name, split) on record without metrics is recorded again when metrics are known now
    # (a session started before they were kept): views read the latest metrics per name.
    known = {
        (e.payload.get("name"), e.payload.get("split"), bool(e.payload.get("metrics")))
        for kind in (EventKind.BASELINE, EventKind.LIMIT)
        for e in store.events(session_id, kind=kind, limit=100_000)
    }
    for name, by_split in scores.items():
        kind = EventKind.LIMIT if name == limit_name else EventKind.BASELINE
        for split, score in by_split.items():
            wanted = bool((metrics or {}).get(name, {}).get(split))
            if (
                score is not None
                and (name, split, wanted) not in known
                and (name, split, True) not in known
            ):
                payload = {"name": name, "split": split, "score": float(score)}
                split_parts = (parts or {}).get(name, {}).get(split)
                if split_parts:
                    payload["parts"] = split_parts
                split_metrics = (metrics or {}).get(name, {}).get(split)
                if split_metrics:
                    payload["metrics"] = split_metrics
                store.add_event(session_id, kind, payload)


def _parts(store: Store, program_id: int, split: str) -> dict[str, float]:
    """The score parts stored with a program's full evaluation on ``split`` ({} if none)."""
    evaluation = store.latest_evaluation(program_id, split, "full")
    return dict(evaluation.artifacts.get("parts") or {}) if evaluation else {}


def rejections_by_rule(reasons_of_rejections: list[list[str]]) -> list[tuple[str, int]]:
    """How many rejected candidates failed each rule, most frequent first (ties by name, so
    every page and every run lists them alike). A candidate counts once per rule however many
    reasons cite it; context lines (where it lost) are no rule."""
    counts: Counter[str] = Counter()
    for reasons in reasons_of_rejections:
        rules = {rule for reason in reasons if (rule := rule_of(reason)) is not None}
        counts.update(rules or {"other"})
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def reference_rows(
    store: Store, session: Session, champion: dict[str, float | None], splits: list[str]
) -> list[ReferenceRow]:
    """Every baseline and the limit on ``splits``, beside the champion's change against each."""
    rows: dict[tuple[str, str], dict[str, float]] = {}
    for split in splits:
        for ref in references(store, session, split):
            rows.setdefault((ref.name, ref.kind), {})[split] = ref.score
    out = []
    for (name, kind), scores in rows.items():
        versus = {
            s: f"{(mine - v) / abs(v) * 100:+.1f}%"
            for s, v in scores.items()
            if (mine := champion.get(s)) is not None and v
        }
        out.append(ReferenceRow(name, kind, scores, versus))
    return out


def measured_metrics(store: Store, session: Session, objective: Objective) -> tuple[str, ...]:
    """The objective's declared metrics, then the others the champion's train evaluation
    measured per workload (read from the stored data: no simulator code is loaded)."""
    champion = session.champion_program_id
    evaluation = (
        store.latest_evaluation(champion, "train", "full") if champion is not None else None
    )
    measured = (evaluation.artifacts.get("per_metric") or {}) if evaluation else {}
    return tuple(dict.fromkeys([*objective.metrics, *measured]))


def metric_rows(
    store: Store, session: Session, metrics: tuple[str, ...], splits: list[str]
) -> list[MetricRow]:
    """The champion's mean of every declared metric per split, then each baseline's and the
    limit's as the session's events recorded them; [] for a single-metric objective."""
    if len(metrics) < 2:
        return []
    rows: list[MetricRow] = []
    champion = session.champion_program_id
    if champion is not None:
        values = {}
        for split in splits:
            evaluation = store.latest_evaluation(champion, split, "full")
            per_metric = evaluation.artifacts.get("per_metric") or {} if evaluation else {}
            values.update(
                {(m, split): fmean(per_metric[m].values()) for m in metrics if per_metric.get(m)}
            )
        rows.append(MetricRow(f"champion #{champion}", "champion", values))
    recorded: dict[tuple[str, str], dict[tuple[str, str], float]] = {}
    for kind in (EventKind.BASELINE, EventKind.LIMIT):
        for event in store.events(session.id, kind=kind, limit=100_000):
            payload, measured_on = event.payload, event.payload.get("split")
            for metric, mean in (payload.get("metrics") or {}).items():
                if metric in metrics and measured_on in splits:
                    row = recorded.setdefault((str(payload.get("name")), kind), {})
                    row[(metric, measured_on)] = mean
    rows += [MetricRow(name, kind, values) for (name, kind), values in recorded.items()]
    return rows


def trade_off_front(
    store: Store, session_id: int, objective: Objective
) -> list[tuple[int, dict[str, float]]]:
    """(program id, train means) of the candidates no other candidate beats on every declared
    metric, best first on the objective; [] for a single-metric objective."""
    from simulators.objectives import pareto_front

    directions = dict(objective.directions)
    if len(directions) < 2:
        return []
    points = {}
    for program in store.programs(session_id, limit=500):
        evaluation = store.latest_evaluation(program.id, "train", "full")
        per_metric = (evaluation.artifacts.get("per_metric") or {}) if evaluation else {}
        if program.origin.startswith("baseline") or not all(per_metric.get(m) for m in directions):
            continue
        points[program.id] = {m: fmean(per_metric[m].values()) for m in directions}
    return [(pid, points[pid]) for pid in pareto_front(points, directions)]


def session_facts(store: Store, session_id: int, split: str = "train") -> SessionFacts:
    """Gather everything the dashboard and the report show about one session."""
    session = store.get_session(session_id)
    if session is None:
        raise KeyError(f"no session {session_id}")
    objective = objective_of(session.scenario)
    points = score_points(store, session_id, objective, split)
    refs = references(store, session, split)
    best_id = session.champion_program_id
    if best_id is None and points:
        best_id = next(p.program_id for p in points if p.score == points[-1].best)
    verdicts = store.verdict_reasons(session_id)
    rejections = rejections_by_rule([v.reasons for v in verdicts if not v.accepted])
    roles = [dataclasses.asdict(usage) for usage in store.role_usage(session_id)]
    breakdown: dict[str, dict[str, float]] = {}
    if best_id is not None:
        breakdown[f"best #{best_id}"] = _parts(store, best_id, split)
    for ref in refs:
        if ref.kind == "baseline":
            breakdown[ref.name] = ref.parts
    breakdown = {name: parts for name, parts in breakdown.items() if any(parts.values())}
    accepted = sum(1 for v in verdicts if v.accepted)
    test = reported_test_score(store, session_id)
    splits = ["train", "heldout"] + (["test"] if test is not None else [])
    champion = {
        "train": session.best_train_score,
        "heldout": session.best_heldout_score,
        "test": test,
    }
    shown = measured_metrics(store, session, objective)
    return SessionFacts(
        session=session,
        objective=objective,
        split=split,
        points=points,
        references=refs,
        best_program_id=best_id,
        verdicts={"accepted": accepted, "rejected": len(verdicts) - accepted},
        rejection_reasons=rejections,
        roles=roles,
        breakdown=breakdown,
        test_score=test,
        splits=splits,
        reference_rows=reference_rows(store, session, champion, splits),
        metric_rows=metric_rows(store, session, shown, splits),
        front=trade_off_front(store, session_id, objective),
        shown_metrics=shown,
    )
