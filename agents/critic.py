"""The critic: reads trace summaries of a candidate and writes a diagnosis for the next plan."""

from __future__ import annotations

from agents.llm import RoleModel
from agents.prompting import chat
from agents.results import AgentResult
from agents.schemas import Critique
from agents.structured import StructuredCaller


class Critic:
    """Turns compact trace summaries (plain text from the simulator side) into a Critique."""

    def __init__(self, model: RoleModel, structured: StructuredCaller | None = None) -> None:
        self.model = model
        self.structured = structured or StructuredCaller()

    def critique(
        self, code: str, scores: str, trace_summaries: str, hypothesis: str = ""
    ) -> AgentResult[Critique]:
        """A Critique of one evaluated candidate (``value=None`` if the model gave none)."""
        messages = chat(
            "critic_system",
            "critic_user",
            code=code,
            scores=scores,
            trace_summaries=trace_summaries,
            hypothesis=hypothesis or "(not stated)",
        )
        out = self.structured.call(self.model, messages, Critique)
        return AgentResult(out.value, out.records, out.error, out.method)
