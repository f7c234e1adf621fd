"""The planner: reads the memory digest and the user's directives, proposes K hypotheses."""

from __future__ import annotations

from collections.abc import Sequence

from agents.llm import RoleModel
from agents.prompting import chat
from agents.results import AgentResult
from agents.schemas import HypothesisSet
from agents.structured import StructuredCaller


class Planner:
    """Proposes hypotheses; each names a parent program from ``parent_ids``."""

    def __init__(self, model: RoleModel, structured: StructuredCaller | None = None) -> None:
        self.model = model
        self.structured = structured or StructuredCaller()

    def propose(
        self,
        brief: str,
        k: int,
        parent_ids: Sequence[str],
        directives: str = "",
        champion_id: str = "",
    ) -> AgentResult[HypothesisSet]:
        """K hypotheses at most. ``brief`` is the research state (problem, standings, lineage,
        memory: ``graph.context.planning``). Unknown parent ids (small models invent them)
        become the first of ``parent_ids``, the caller's default parent; an empty answer
        yields ``value=None``."""
        messages = chat(
            "planner_system",
            "planner_user",
            brief=brief.strip() or "(no attempts yet)",
            directives=directives.strip() or "(none)",
            k=k,
            parent_ids=", ".join(parent_ids) or "(none)",
            champion_id=champion_id or (parent_ids[0] if parent_ids else "?"),
        )
        out = self.structured.call(self.model, messages, HypothesisSet)
        if out.value is None:
            return AgentResult(None, out.records, out.error)
        hypotheses = [h for h in out.value.hypotheses if h.text.strip()][:k]
        if parent_ids:
            for h in hypotheses:
                if h.parent_program_id not in parent_ids:
                    h.parent_program_id = parent_ids[0]
        if not hypotheses:
            return AgentResult(None, out.records, "the planner proposed no hypothesis", out.method)
        return AgentResult(HypothesisSet(hypotheses=hypotheses), out.records, None, out.method)
