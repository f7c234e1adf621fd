"""The live view of ``adrs run``: iteration, stage, champion against baselines and the limit,
dollars and tokens, latest verdicts, and what the research lanes are doing with how many model
calls in flight. A rich ``Live`` table on a terminal; plain lines otherwise
(CI logs, pipes), so the same run reads well in both places."""

from __future__ import annotations

import sys
import threading
from collections import deque
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from agents.gate import CallGate
from graph.board import board_line
from memory.store import Store
from memory.vocabulary import EventKind

if TYPE_CHECKING:  # rich is imported only when the live view is drawn
    from rich.live import Live
    from rich.table import Table

STAGES = {
    EventKind.PLAN: "planned",
    EventKind.CANDIDATE: "coding",
    EventKind.CODER_FAILED: "coding",
    EventKind.DUPLICATE: "coding",
    EventKind.EVALUATED: "evaluating",
    EventKind.CRITIQUE: "critiquing",
    EventKind.VERDICT: "verifying",
    EventKind.ITERATION_DONE: "recording",
    EventKind.AWAITING_APPROVAL: "awaiting approval (adrs chat → /approve)",
    EventKind.PAUSED: "paused (adrs chat → /resume)",
    EventKind.STOP: "stopped",
    EventKind.REJUDGE: "verifying",
    EventKind.RATE_LIMITED: "rate-limited: waiting",
}

#: Events printed as a line when the view is plain text (CI logs, pipes).
PRINTED = (
    EventKind.PLAN,
    EventKind.EVALUATED,
    EventKind.VERDICT,
    EventKind.ITERATION_DONE,
    EventKind.STOP,
    EventKind.STAGE,
    EventKind.AWAITING_APPROVAL,
    EventKind.CODER_FAILED,
    EventKind.DUPLICATE,
    EventKind.PAUSED,
    EventKind.REJUDGE,
    EventKind.RATE_LIMITED,
)


class ConsoleView:
    """Receives the runtime's events and redraws; ``references`` holds baselines and limit."""

    def __init__(
        self,
        store: Store,
        session_id: int,
        references: dict[str, dict[str, float]],
        iterations: int | None,
        live: bool | None = None,
        gate: CallGate | None = None,
    ) -> None:
        self.store = store
        self.gate = gate
        self.session_id = session_id
        self.references = references
        self.iterations = iterations
        self.stage = "starting"
        self.iteration = 0
        self.verdicts: deque[str] = deque(maxlen=5)
        self.live_enabled = sys.stderr.isatty() if live is None else live
        self._live: Live | None = None
        self._lock = threading.RLock()

    def __enter__(self) -> Self:
        if self.live_enabled:
            from rich.console import Console
            from rich.live import Live

            self._live = Live(self.render(), console=Console(stderr=True), refresh_per_second=4)
            self._live.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.update(self.render())
            self._live.__exit__(exc_type, exc, tb)

    def on_event(self, kind: EventKind, payload: dict[str, Any]) -> None:
        with self._lock:  # lanes report from their own threads
            self._on_event(kind, payload)

    def _on_event(self, kind: EventKind, payload: dict[str, Any]) -> None:
        self.iteration = payload.get("iteration") or self.iteration
        self.stage = payload.get("stage") or STAGES.get(kind, kind)
        if kind == EventKind.VERDICT:
            mark = "accepted" if payload["accepted"] else "rejected"
            self.verdicts.append(f"#{payload['program_id']} {mark}: {payload['reason']}")
        if self._live is not None:
            self._live.update(self.render())
        elif kind in PRINTED:
            print(self.line(kind, payload), file=sys.stderr, flush=True)

    def line(self, kind: EventKind, payload: dict[str, Any]) -> str:
        session = self.store.session(self.session_id)
        detail = {
            EventKind.EVALUATED: lambda p: (
                f"program {p['program_id']}: {p['status']} ({p['detail']})"
            ),
            EventKind.VERDICT: lambda p: self.verdicts[-1],
            EventKind.STOP: lambda p: p["reason"],
            EventKind.STAGE: lambda p: p["stage"],
            EventKind.CODER_FAILED: lambda p: f"coder failed: {p.get('error')}",
            EventKind.RATE_LIMITED: lambda p: (
                f"HTTP 429: every lane waits {p['wait_s']:g} s, then {p['allowed']} calls at a time"
            ),
            EventKind.REJUDGE: lambda p: (
                f"program {p['program_id']}: champion changed to "
                f"#{p['champion']} while judged, judged again"
            ),
            EventKind.PLAN: lambda p: (
                _count(len(p["hypothesis_ids"]), "hypothesis", "hypotheses")
                + (f" (planner: {p['planner_error']})" if p.get("planner_error") else "")
            ),
        }.get(kind, lambda p: "")(payload)
        best = _fmt(session.best_heldout_score)
        lane = f" lane {payload['lane']}" if payload.get("lane") else ""
        return (
            f"[iter {self.iteration}{lane}] {kind:<15} {detail}  | champion held-out {best}"
            f" | ${session.cost_usd:.4f}, {session.input_tokens + session.output_tokens} tokens"
            + self.calls_text()
        )

    def calls_text(self) -> str:
        """Model calls in flight against the limit (with several lanes or a rate limit)."""
        if self.gate is None:
            return ""
        stats = self.gate.stats()
        if stats.limit == 1 and not stats.rate_limited:
            return ""
        held = f", {stats.rate_limited} rate-limited" if stats.rate_limited else ""
        return (
            f" | calls in flight {stats.in_flight}/{stats.allowed} "
            f"(mean {stats.mean_in_flight:.1f}{held})"
        )

    def render(self) -> Table:
        from rich.table import Table

        session = self.store.session(self.session_id)
        table = Table(title=f"ADRS session {session.name} · {session.scenario}", expand=False)
        table.add_column("")
        table.add_column("train", justify="right")
        table.add_column("held-out", justify="right")
        table.add_row("champion", _fmt(session.best_train_score), _fmt(session.best_heldout_score))
        for name, scores in self.references.items():
            table.add_row(name, _fmt(scores.get("train")), _fmt(scores.get("heldout")))
        budget = f"/{self.iterations}" if self.iterations else ""
        table.caption = (
            f"{session.iterations}{budget} iterations done (latest event: iteration "
            f"{self.iteration}, {self.stage}) · ${session.cost_usd:.4f} · "
            f"{session.input_tokens + session.output_tokens} tokens · {session.llm_calls} calls"
            + self.calls_text().replace(" | ", " · ")
            + "\n"
            + (
                board_line(self.store.lanes(self.session_id)) + "\n"
                if (self.gate and self.gate.limit > 1)
                else ""
            )
            + "\n".join(self.verdicts)
        )
        return table


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"
