"""Everything the graph's nodes need that is not graph state: store, scenario, models, config.

Nodes are closures over one ``SessionRuntime``; the checkpointed state holds only ids. On resume
the runtime is rebuilt from the session row (its stored config and seed) and the graph continues.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from agents.gate import CallGate
from agents.health import DEFAULT_LIMIT, EndpointHealth
from agents.llm import RoleModel, role_model
from agents.settings import AgentSettings
from graph.budget import Budget
from graph.context.budget import LONG_TOKENS, SHORT_TOKENS
from graph.evaluation import CandidateEvaluator
from memory.program_db import Descriptor, ProgramDatabase, ProgramDbConfig
from memory.store import Store
from memory.vocabulary import EventKind
from simulators.references import References
from simulators.scenario import Scenario

#: Model calls in flight for a hosted endpoint when the user sets none (``--concurrency``).
DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True)
class SessionConfig:
    """A session's knobs, stored with the session so resume and replay use the same ones."""

    hypotheses_per_iteration: int = 2
    budget: Budget = field(default_factory=Budget)
    approve: bool = False
    seed: int = 0
    islands: int = 2
    migration_interval: int = 3
    tune_evaluations: int = 0
    review: bool = True
    max_gap: float = 0.05
    alpha: float = 0.05
    #: Research lanes running at once (``graph.lanes``); 1 keeps a seeded session replayable.
    lanes: int = 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionConfig:
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        values["budget"] = Budget(**values.get("budget", {}))
        return cls(**values)


class Models:
    """Role models of a session. The coder is drawn from the weighted ensemble per branch.
    Every role's calls pass one ``CallGate``: at most ``concurrency`` in flight; and one
    ``EndpointHealth``: ``endpoint_failures`` transport failures in a row stop the session."""

    def __init__(
        self,
        settings: AgentSettings | None = None,
        fixed: dict[str, RoleModel] | None = None,
        concurrency: int | None = None,
        endpoint_failures: int = DEFAULT_LIMIT,
    ) -> None:
        self.settings = settings
        self.gate = CallGate(concurrency or default_concurrency(settings))
        self.health = EndpointHealth(endpoint_failures)
        self._fixed = {role: self._watched(model) for role, model in (fixed or {}).items()}

    def _watched(self, model: RoleModel) -> RoleModel:
        return dataclasses.replace(model, gate=self.gate, health=self.health)

    @property
    def short_prompts(self) -> bool:
        """The embedded model is small: it gets the short form of every prompt."""
        return bool(self.settings is not None and self.settings.embedded)

    def prompt_tokens(self) -> int:
        """The budget every prompt is rendered within (tokens, approximately)."""
        return SHORT_TOKENS if self.short_prompts else LONG_TOKENS

    def role(self, name: str) -> RoleModel:
        if name not in self._fixed:
            assert self.settings is not None, f"no model for role {name}"
            self._fixed[name] = self._watched(role_model(name, self.settings))
        return self._fixed[name]

    def coder(self, rng: random.Random) -> RoleModel:
        if "coder" in self._fixed or self.settings is None:
            return self.role("coder")
        return self._watched(role_model("coder", self.settings, self.settings.pick_coder(rng)))


def default_concurrency(settings: AgentSettings | None) -> int:
    """Calls in flight when the user sets none: one for the embedded model (its server answers
    one request at a time on this machine's cores), eight for a hosted endpoint."""
    if settings is not None and settings.embedded:
        return 1
    return DEFAULT_CONCURRENCY


def descriptors_of(scenario: Scenario) -> tuple[Descriptor, ...]:
    """Behaviour axes declared by the scenario (``params.descriptors``), else code length."""
    declared = scenario.spec.params.get("descriptors")
    if declared:
        return tuple(Descriptor(**d) for d in declared)
    return (Descriptor("code_length", 0, 6000, 8),)


@dataclass
class SessionRuntime:
    """Resources of one running session."""

    store: Store
    scenario: Scenario
    session_id: int
    config: SessionConfig
    models: Models
    evaluator: CandidateEvaluator
    on_event: Callable[[EventKind, dict[str, Any]], None] = lambda kind, payload: None
    started: float = field(default_factory=time.monotonic)
    #: Active minutes of earlier runs of this session (resume), so wall-time budgets add up.
    prior_minutes: float = 0.0
    #: The scenario's baselines and limit, per workload: every prompt is framed by them.
    references: References = field(default_factory=References)
    #: Prompt parts that stay the same from one iteration to the next (``graph.context``),
    #: keyed by everything they depend on (see ``remember``).
    memo: dict[Any, Any] = field(default_factory=dict)
    #: Set when the session must stop launching iterations (a lane failed, or Ctrl-C).
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.program_db = ProgramDatabase(
            self.store,
            self.session_id,
            ProgramDbConfig(
                descriptors=descriptors_of(self.scenario),
                num_islands=self.config.islands,
                direction=self.scenario.spec.objective.direction,
                migration_interval=self.config.migration_interval,
            ),
        )

    def remember(self, key: Any, make: Callable[[], Any]) -> Any:
        """``make()``, computed once per ``key`` (which must name everything it depends on).
        A few parts are rendered per iteration; the memo is emptied at 2,000 entries."""
        if key not in self.memo:
            if len(self.memo) >= 2000:
                self.memo.clear()
            self.memo[key] = make()
        return self.memo[key]

    def active_minutes(self) -> float:
        """Minutes this session has been running, across resumes."""
        return self.prior_minutes + (time.monotonic() - self.started) / 60

    def rng(self, iteration: int, purpose: str) -> random.Random:
        """A generator seeded by (session seed, iteration, purpose): reproducible choices."""
        return random.Random(f"{self.config.seed}:{iteration}:{purpose}")

    def log_calls(self, iteration: int, records: list[dict[str, Any]]) -> None:
        """Store every model call of an agent step (failed attempts included), in one
        transaction: a coder step with a repair round is several calls."""
        with self.store.write():
            for record in records:
                self.store.record_llm_call(self.session_id, iteration, record)

    def notify(self, kind: EventKind, **payload: Any) -> None:
        """Tell the console (and memory's event log) what just happened."""
        self.store.add_event(self.session_id, kind, payload)
        self.on_event(kind, payload)
