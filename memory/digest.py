"""Bounded digests of a session's memory for the agents (planner, chat).

A small local model has a small context, so the digest is built to a token budget (tokens are
approximated as characters / 4): header and user directives first, then the best programs per
island, recent attempts with their verdicts and reasons, hypotheses that failed (grouped by
word overlap so ten rewordings of one idea show as one line with a count), and the latest critic
findings. Each section is read with an indexed ``LIMIT`` query, never a scan of all rows, so a
digest stays fast with tens of thousands of programs.
"""

from __future__ import annotations

import re

from memory.records import Hypothesis
from memory.store import Store
from memory.vocabulary import HypothesisOutcome

CHARS_PER_TOKEN = 4
_WORD = re.compile(r"[a-z0-9]+")


def approx_tokens(text: str) -> int:
    """Token estimate used for every budget in ADRS's memory (characters / 4, rounded up)."""
    return -(-len(text) // CHARS_PER_TOKEN)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Token-set Jaccard similarity (1.0 for two empty sets)."""
    return 1.0 if not a and not b else len(a & b) / len(a | b)


def word_set(text: str) -> frozenset[str]:
    """Lower-case alphanumeric words of ``text``, the unit of similarity."""
    return frozenset(_WORD.findall(text.lower()))


def group_similar(texts: list[str], threshold: float = 0.5) -> list[tuple[int, list[int]]]:
    """Greedy clustering: each text joins the first group whose representative it resembles
    (Jaccard >= threshold). Returns (representative index, member indices) in input order."""
    groups: list[tuple[int, frozenset[str], list[int]]] = []
    for index, text in enumerate(texts):
        words = word_set(text)
        for _, rep_words, members in groups:
            if jaccard(words, rep_words) >= threshold:
                members.append(index)
                break
        else:
            groups.append((index, words, [index]))
    return [(rep, members) for rep, _, members in groups]


def _flat(text: str | None) -> str:
    """One line, whole: items are dropped whole to fit a budget, never cut mid-sentence."""
    return " ".join((text or "").split())


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.6g}"


def _header(store: Store, session_id: int) -> list[str]:
    s = store.get_session(session_id)
    if s is None:
        raise KeyError(f"no session {session_id}")
    return [
        f"# Session {s.name} ({s.scenario}) status={s.status} iterations={s.iterations}",
        (
            f"champion=#{s.champion_program_id} train={_score(s.best_train_score)} "
            f"heldout={_score(s.best_heldout_score)} spent=${s.cost_usd:.4f} "
            f"tokens={s.input_tokens + s.output_tokens}"
        ),
    ]


def _directives(store: Store, session_id: int) -> list[str]:
    rows = store.active_directives(session_id)
    return (
        ["## User directives (must follow)"] + [f"- [d{d.id}] {d.text}" for d in rows]
        if rows
        else []
    )


def _best_programs(store: Store, session_id: int, per_island: int) -> list[str]:
    lines = [
        f"- island {e.island} #{e.program_id} ({e.status}) "
        f"fitness={e.fitness:.6g} niche=({e.cell}) {_flat(e.hypothesis or 'seed')}"
        for e in store.island_elites(session_id, per_island)
    ]
    return ["## Best programs per island (fitness: higher is better)", *lines] if lines else []


def _recent_attempts(store: Store, session_id: int, limit: int) -> list[str]:
    lines = []
    for r in store.recent_attempts(session_id, limit):
        verdict = (
            ""
            if r.accepted is None
            else (" ACCEPTED" if r.accepted else " REJECTED: " + "; ".join(r.reasons or []))
        )
        heldout = "" if r.heldout is None else f" heldout={_score(r.heldout)}"
        lines.append(
            f"- it{r.iteration} #{r.id} (parent #{r.parent_id or '-'}) {r.status} "
            f"train={_score(r.score)}{heldout} {_flat(verdict)} | "
            f"hypothesis: {_flat(r.hypothesis) or 'seed'}"
        )
    return ["## Recent attempts (newest first)", *lines] if lines else []


#: Outcomes of hypotheses whose program never ran through: the idea itself was not measured.
UNTESTED_OUTCOMES = frozenset({HypothesisOutcome.FAILED, HypothesisOutcome.CODER_FAILED})


def _failed_hypotheses(store: Store, session_id: int, scan: int) -> list[str]:
    """Hypotheses that lost, apart from those that were never measured: a program that hit a
    sandbox error says nothing about its idea, and "do not retry" would bury it (a model's
    two ideas were filed as failed because ``np.unique`` could not import in the sandbox)."""
    rows = store.failed_hypotheses(session_id, scan)
    refuted = [r for r in rows if r.outcome not in UNTESTED_OUTCOMES]
    untested = [r for r in rows if r.outcome in UNTESTED_OUTCOMES]
    return _hypothesis_lines(
        "## Failed hypotheses (measured and lost: do not retry)", refuted
    ) + _hypothesis_lines(
        "## Untested hypotheses (the program failed before it was "
        "measured: retry only with the failure fixed)",
        untested,
    )


def _hypothesis_lines(heading: str, rows: list[Hypothesis]) -> list[str]:
    groups = group_similar([r.text for r in rows])
    lines = []
    for rep, members in groups:
        r = rows[rep]
        times = f" (x{len(members)} similar)" if len(members) > 1 else ""
        lines.append(f"- {_flat(r.text)}{times} -> {r.outcome}: {_flat(r.outcome_detail)}")
    return [heading, *lines] if lines else []


def _critiques(store: Store, session_id: int, limit: int) -> list[str]:
    """Each critique whole: its diagnosis, findings and suggestions, on one line."""
    rows = store.critiques(session_id, limit=limit)
    lines = []
    for c in rows:
        about = f" on #{c.program_id}" if c.program_id else ""
        findings = "".join(f"\n  - {_flat(str(f))}" for f in c.findings)
        lines.append(f"- it{c.iteration}{about}: {_flat(c.text)}{findings}")
    return ["## Latest critic findings", *lines] if lines else []


def digest(
    store: Store,
    session_id: int,
    max_tokens: int = 2000,
    *,
    per_island: int = 3,
    recent: int = 12,
    failed_scan: int = 200,
    critiques: int = 3,
    memory_only: bool = False,
) -> str:
    """A markdown summary of the session within ``max_tokens`` (approximate). Sections come in
    priority order; a line that would overflow the budget is dropped with the rest of its
    section, and the digest ends with a note saying how many lines were left out.
    ``memory_only`` leaves out the header, directives and island elites, for a reader (the
    planner) that is shown the standings, directives and parents elsewhere."""
    budget = max_tokens * CHARS_PER_TOKEN
    sections = (
        []
        if memory_only
        else [
            _header(store, session_id),
            _directives(store, session_id),
            _best_programs(store, session_id, per_island),
        ]
    )
    sections += [
        _recent_attempts(store, session_id, recent),
        _failed_hypotheses(store, session_id, failed_scan),
        _critiques(store, session_id, critiques),
    ]
    out: list[str] = []
    used, dropped = 0, 0
    note_room = 40
    for section in sections:
        for index, line in enumerate(section):
            if used + len(line) + 1 > budget - note_room:
                dropped += len(section) - index
                break
            out.append(line)
            used += len(line) + 1
    if dropped:
        out.append(f"({dropped} more lines omitted)")
    return "\n".join(out)[:budget]
