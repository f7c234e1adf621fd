"""The coder: turns one hypothesis into a new program by editing the parent's EVOLVE-BLOCK.

Round 1 asks for SEARCH/REPLACE blocks. If some block does not apply, or the result fails its
checks (syntax, entry point, edits outside the block), the precise report goes back to the model
for one repair round (``repair_rounds``) on the partly edited program. If that still fails, the
model is asked for a full rewrite of the block (a fenced python block). Nothing is dropped
silently: every round's :class:`~agents.edits.EditOutcome` is returned with the call records.

Tuning of numeric constants is a separate step (:func:`agents.tuner.tune_constants`) the graph
runs on ``CoderResult.source`` with a sandboxed objective.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.edits import EditOutcome, apply_answer, block_text, check_program, failure_report
from agents.llm import RoleModel
from agents.prompting import chat, render
from agents.schemas import Hypothesis


@dataclass
class CoderResult:
    """``source`` is the new program (None if no round produced a valid one)."""

    source: str | None
    rounds: list[EditOutcome] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    mode: str | None = None  # how the program came about: "diff", "repair" or "rewrite"


def _hypothesis_text(hypothesis: Hypothesis | str) -> str:
    if isinstance(hypothesis, Hypothesis):
        return (
            f"{hypothesis.text}\nRationale: {hypothesis.rationale}\n"
            f"Expected effect: {hypothesis.expected_effect}"
        )
    return hypothesis


class Coder:
    """Edits the parent program for one hypothesis. One instance per role model and scenario."""

    def __init__(
        self, model: RoleModel, entry_point: str, repair_rounds: int = 1, rewrite: bool = True
    ) -> None:
        self.model = model
        self.entry_point = entry_point
        self.repair_rounds = repair_rounds
        self.rewrite = rewrite

    def write(
        self,
        parent_code: str,
        hypothesis: Hypothesis | str,
        context: str = "",
        problem: str = "",
    ) -> CoderResult:
        """The new program for ``hypothesis``; every round and call is in the result.
        ``problem`` is the scenario's problem statement, ``context`` what else the coder should
        know (its sample number and siblings, the critic's diagnosis, inspirations)."""
        result = CoderResult(None)
        hypothesis_text = _hypothesis_text(hypothesis)
        messages = chat(
            "coder_system",
            "coder_user",
            entry_point=self.entry_point,
            hypothesis=hypothesis_text,
            context=context.strip() or "(none)",
            parent_code=parent_code,
            problem=problem.strip() or "(see the program's docstring)",
        )
        current = parent_code
        for round_index in range(1 + self.repair_rounds):
            call = self.model.call(messages)
            result.records.append(call.record)
            if not call.ok:
                result.error = call.record["error"]
                return result
            outcome = apply_answer(current, call.text, self.entry_point)
            if outcome.mode != "none":
                # Checks are always against the original parent, not the partly edited program.
                outcome.problems = check_program(parent_code, outcome.source, self.entry_point)
                if outcome.source == parent_code:
                    outcome.problems.append("the edits changed nothing")
            result.rounds.append(outcome)
            if outcome.ok:
                result.source, result.mode = (
                    outcome.source,
                    "diff" if round_index == 0 else "repair",
                )
                return result
            kept = bool(outcome.applied and not outcome.problems)
            if kept:
                current = outcome.source  # keep what applied; repair only the rest
            if round_index < self.repair_rounds:
                messages = [
                    *messages,
                    {"role": "assistant", "content": call.text},
                    {
                        "role": "user",
                        "content": render(
                            "coder_repair",
                            report=failure_report(outcome, kept=kept),
                            block=block_text(current),
                        ),
                    },
                ]
        if self.rewrite:
            last = result.rounds[-1]
            messages = [
                messages[0],
                {
                    "role": "user",
                    "content": render(
                        "coder_rewrite",
                        report=failure_report(last, kept=False),
                        entry_point=self.entry_point,
                        hypothesis=hypothesis_text,
                        problem=problem.strip() or "(see the program's docstring)",
                        block=block_text(parent_code),
                    ),
                },
            ]
            call = self.model.call(messages)
            result.records.append(call.record)
            if not call.ok:
                result.error = call.record["error"]
                return result
            outcome = apply_answer(parent_code, call.text, self.entry_point)
            result.rounds.append(outcome)
            if outcome.ok:
                result.source, result.mode = outcome.source, "rewrite"
                return result
        last = result.rounds[-1]
        result.error = "no valid program: " + (failure_report(last).splitlines() or ["?"])[0]
        return result
