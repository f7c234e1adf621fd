"""The live view of ``adrs run``: iteration, stage, champion against baselines and the limit,
dollars and tokens, latest verdicts, and what the research lanes are doing with how many model
calls in flight. A rich ``Live`` table on a terminal; plain lines otherwise
(CI logs, pipes), so the same run reads well in both places."""

from __future__ import annotations

import sys
import threading
from collections import deque
from typing import Any, Self

from agents.gate import CallGate
from graph.board import board_line
from memory.store import Store

STAGES = {
    "plan": "planned",
    "candidate": "coding",
    "coder_failed": "coding",
    "duplicate": "coding",
    "evaluated": "evaluating",
    "critique": "critiquing",
    "verdict": "verifying",
    "iteration_done": "recording",
    "awaiting_approval": "awaiting approval (adrs chat → /approve)",
    "paused": "paused (adrs chat → /resume)",
    "stop": "stopped",
    "rejudge": "verifying",
    "rate_limited": "rate-limited: waiting",
}


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
        self._live = None
        self._lock = threading.RLock()

    def __enter__(self) -> Self:
        if self.live_enabled:
            from rich.console import Console
            from rich.live import Live

            self._live = Live(self.render(), console=Console(stderr=True), refresh_per_second=4)
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.update(self.render())
            self._live.__exit__(*exc)

    def on_event(self, kind: str, payload: dict[str, Any]) -> None:
        with self._lock:  # lanes report from their own threads
            self._on_event(kind, payload)

    def _on_event(self, kind: str, payload: dict[str, Any]) -> None:
        self.iteration = payload.get("iteration") or self.iteration
        self.stage = payload.get("stage") or STAGES.get(kind, kind)
        if kind == "verdict":
            mark = "accepted" if payload["accepted"] else "rejected"
            self.verdicts.append(f"#{payload['program_id']} {mark}: {payload['reason']}")
        if self._live is not None:
            self._live.update(self.render())
        elif kind in (
            "plan",
            "evaluated",
            "verdict",
            "iteration_done",
            "stop",
            "stage",
            "awaiting_approval",
            "coder_failed",
            "duplicate",
            "paused",
            "rejudge",
            "rate_limited",
        ):
            print(self.line(kind, payload), file=sys.stderr, flush=True)

    def line(self, kind: str, payload: dict[str, Any]) -> str:
        session = self.store.get_session(self.session_id)
        detail = {
            "evaluated": lambda p: f"program {p['program_id']}: {p['status']} ({p['detail']})",
            "verdict": lambda p: self.verdicts[-1],
            "stop": lambda p: p["reason"],
            "stage": lambda p: p["stage"],
            "coder_failed": lambda p: f"coder failed: {p.get('error')}",
            "rate_limited": lambda p: (
                f"HTTP 429: every lane waits {p['wait_s']:g} s, then {p['allowed']} calls at a time"
            ),
            "rejudge": lambda p: (
                f"program {p['program_id']}: champion changed to "
                f"#{p['champion']} while judged, judged again"
            ),
            "plan": lambda p: (
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

    def render(self):
        from rich.table import Table

        session = self.store.get_session(self.session_id)
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
