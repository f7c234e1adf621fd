"""Typed rows the store hands out. Plain frozen dataclasses: cheap, readable, JSON-friendly
(``dataclasses.asdict``), and decoupled from SQL so readers never see column encodings."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from dataclasses import dataclass
from typing import Any, TypeVar

from memory.vocabulary import (
    DirectiveStatus,
    EventKind,
    HypothesisOutcome,
    ProgramStatus,
    SessionStatus,
    Vocabulary,
)

#: Hypothesis outcomes that count as progress; any other non-empty outcome is a failure the
#: digest reports so the planner does not try it again.
SUCCESS_OUTCOMES = frozenset(
    {HypothesisOutcome.ACCEPTED, HypothesisOutcome.IMPROVED, HypothesisOutcome.CHAMPION}
)

#: Columns stored as JSON text (decoded when read back, also by the exporter).
JSON_COLUMNS = frozenset(
    {
        "config",
        "descriptors",
        "metrics",
        "per_workload",
        "artifacts",
        "findings",
        "reasons",
        "checks",
        "messages",
        "payload",
    }
)
_BOOL_COLUMNS = frozenset({"feasible", "accepted"})

T = TypeVar("T")

#: The vocabularies a record field may be typed with, by the name its annotation spells.
_VOCABULARIES: dict[str, type[Vocabulary]] = {
    v.__name__: v
    for v in (SessionStatus, ProgramStatus, HypothesisOutcome, DirectiveStatus, EventKind)
}


#: ``vocabulary_fields`` per record class, worked out at its first row.
_WORD_FIELDS: dict[type, dict[str, type[Vocabulary]]] = {}


def vocabulary_fields(cls: type) -> dict[str, type[Vocabulary]]:
    """Field name -> vocabulary, for the fields of ``cls`` typed with one (``X`` or
    ``X | None``): their column holds that vocabulary's word."""
    if cls in _WORD_FIELDS:
        return _WORD_FIELDS[cls]
    found = {}
    for f in dataclasses.fields(cls):
        typed = f.type  # the annotation's text under ``from __future__ import annotations``
        if isinstance(typed, type) and issubclass(typed, Vocabulary):
            found[f.name] = typed
        elif isinstance(typed, str) and typed.removesuffix(" | None") in _VOCABULARIES:
            found[f.name] = _VOCABULARIES[typed.removesuffix(" | None")]
    _WORD_FIELDS[cls] = found
    return found


def from_row(cls: type[T], row: sqlite3.Row) -> T:
    """Build a record from a row, decoding JSON and boolean columns and reading vocabulary words
    as members of the vocabulary their field is typed with; extra columns are ignored."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    words = vocabulary_fields(cls)
    values: dict[str, Any] = {}
    for key in row.keys():  # noqa: SIM118 - sqlite3.Row iterates values, not keys
        if key not in names:
            continue
        value = row[key]
        if key in JSON_COLUMNS and isinstance(value, str):
            value = json.loads(value)
        elif key in _BOOL_COLUMNS and value is not None:
            value = bool(value)
        elif key in words and value is not None:
            value = words[key].read(value)
        values[key] = value
    return cls(**values)


@dataclass(frozen=True)
class Session:
    """One research run: its scenario, configuration, seed, status and cheap running totals."""

    id: int
    name: str
    scenario: str
    scenario_version: str
    config: dict[str, Any]
    seed: int
    status: SessionStatus
    created_at: float
    updated_at: float
    iterations: int
    llm_calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    champion_program_id: int | None
    best_train_score: float | None
    best_heldout_score: float | None
    status_detail: str | None = None


@dataclass(frozen=True)
class Program:
    """A candidate policy. ``code_hash`` is the normalised hash; ``parent_id`` gives lineage."""

    id: int
    session_id: int
    iteration: int
    code: str
    code_hash: str
    parent_id: int | None
    island: int
    hypothesis_id: int | None
    status: ProgramStatus
    origin: str
    descriptors: dict[str, float] | None
    fitness: float | None
    created_at: float


@dataclass(frozen=True)
class ProgramAdded:
    """Result of ``add_program``: a new id, or ``duplicate=True`` and the id already holding
    the same normalised code in this session (nothing was inserted, nothing to evaluate)."""

    program_id: int
    duplicate: bool
    code_hash: str


@dataclass(frozen=True)
class Evaluation:
    """One scoring of a program on a split at a cascade stage, with everything measured."""

    id: int
    program_id: int
    session_id: int
    scenario: str
    scenario_version: str
    code_hash: str
    split: str
    stage: str
    score: float | None
    feasible: bool
    status: str
    metrics: dict[str, Any]
    per_workload: dict[str, Any]
    artifacts: dict[str, Any]
    run_time_s: float | None
    created_at: float


@dataclass(frozen=True)
class Hypothesis:
    """A planner proposal; ``outcome`` is filled once its program has been judged."""

    id: int
    session_id: int
    iteration: int
    text: str
    rationale: str
    expected_effect: str
    parent_program_id: int | None
    outcome: HypothesisOutcome | None
    outcome_detail: str | None
    created_at: float


@dataclass(frozen=True)
class Critique:
    """The critic's diagnosis of one iteration (optionally about one program)."""

    id: int
    session_id: int
    iteration: int
    program_id: int | None
    text: str
    findings: list[Any]
    created_at: float


@dataclass(frozen=True)
class Verdict:
    """The verifier's decision on a program, with the reasons shown to planner and user."""

    id: int
    session_id: int
    program_id: int
    accepted: bool
    reasons: list[str]
    checks: dict[str, Any]
    created_at: float


@dataclass(frozen=True)
class LlmCall:
    """One model call as the agents saw it (secrets already scrubbed)."""

    id: int
    session_id: int
    iteration: int
    role: str
    model: str
    messages: list[dict[str, Any]]
    response: str
    reasoning: str | None
    input_tokens: int
    output_tokens: int
    cost_usd: float
    latency_s: float
    error: str | None
    created_at: float


@dataclass(frozen=True)
class Directive:
    """A user's steering instruction; ``status`` is active, consumed or revoked."""

    id: int
    session_id: int
    text: str
    status: DirectiveStatus
    created_at: float
    consumed_at: float | None
    consumed_iteration: int | None


@dataclass(frozen=True)
class Event:
    """A timestamped fact about a session (status change, migration, duplicate, budget stop)."""

    id: int
    session_id: int
    kind: EventKind
    payload: dict[str, Any]
    created_at: float


@dataclass(frozen=True)
class Champion:
    """A program that passed the verifier and became the session's best, with its scores."""

    id: int
    session_id: int
    program_id: int
    iteration: int
    train_score: float | None
    heldout_score: float | None
    created_at: float


@dataclass(frozen=True)
class SearchHit:
    """A full-text match: which kind of row (hypothesis, critique, verdict, llm_call), its id,
    and a short snippet with the matched words in ``[...]``."""

    kind: str
    ref_id: int
    session_id: int
    snippet: str
    rank: float
