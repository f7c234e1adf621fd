"""The verifier's model review: does the candidate's code game the evaluation?

This is one of the champion checks (DESIGN.md 7), next to the mechanical ones in ``simulators/``.
``value=None`` means the model gave no usable verdict: the graph decides whether that blocks the
candidate (fail closed is the safe default).
"""

from __future__ import annotations

from agents.llm import RoleModel
from agents.prompting import chat
from agents.results import AgentResult
from agents.schemas import Review
from agents.structured import StructuredCaller


class Verifier:
    """Reviews candidate code for rigging (file reads, peeking at the future, special cases)."""

    def __init__(self, model: RoleModel, structured: StructuredCaller | None = None) -> None:
        self.model = model
        self.structured = structured or StructuredCaller()

    def review(self, code: str, scenario: str, static_findings: str = "") -> AgentResult[Review]:
        """A Review of ``code`` for the problem described by ``scenario``."""
        messages = chat(
            "verifier_system",
            "verifier_user",
            code=numbered(code),
            scenario=scenario,
            static_findings=static_findings or "(none)",
        )
        out = self.structured.call(self.model, messages, Review)
        return AgentResult(out.value, out.records, out.error, out.method)


def numbered(code: str) -> str:
    """The code with its line numbers (``  12| ...``), so the review can cite lines a reader
    finds without counting by hand (a bridge verifier asked for them)."""
    lines = code.splitlines()
    width = len(str(len(lines)))
    return "\n".join(f"{i:>{width}}| {line}" for i, line in enumerate(lines, 1))
