"""The critic: reads comparative evidence on a candidate and writes a diagnosis for the next plan."""

from __future__ import annotations

from agents.llm import RoleModel
from agents.prompting import chat
from agents.results import AgentResult
from agents.schemas import Critique
from agents.structured import StructuredCaller


class Critic:
    """Turns comparative evidence from the simulator side into a Critique."""

    def __init__(self, model: RoleModel, structured: StructuredCaller | None = None) -> None:
        self.model = model
        self.structured = structured or StructuredCaller()

    def critique(
        self,
        code: str,
        evidence: str,
        hypothesis: str = "",
        *,
        problem: str = "",
        outcome: str = "",
    ) -> AgentResult[Critique]:
        """A Critique of one evaluated candidate (``value=None`` if the model gave none).
        ``evidence`` is comparative (``graph.context.evidence``): scores beside the reference
        points, per-group tables, the runs with the most regret."""
        messages = chat(
            "critic_system",
            "critic_user",
            code=code,
            evidence=evidence,
            hypothesis=hypothesis or "(not stated)",
            problem=problem or "(not stated)",
            outcome=outcome or "(not stated)",
        )
        out = self.structured.call(self.model, messages, Critique)
        return AgentResult(out.value, out.records, out.error, out.method)
