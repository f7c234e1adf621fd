"""A scripted research team for tests and benchmarks: deterministic answers for each role.

The planner proposes hypotheses on the parents it is offered; the coder turns the seed's
safety margin into a different constant every call (so programs differ and stay feasible); the
critic and the verifier answer with valid JSON. Recognises each role by its prompt.
"""

from __future__ import annotations

import itertools
import json
import re
import threading

from agents.llm import RoleModel
from agents.scripted import ScriptedChatModel

SPOT_MARGIN = "margin = 2 * job.restart_overhead_s + job.gap_s"
IDEA = re.compile(r"\(plan (\d+), idea (\d+)\)")
MARGIN_LINE = re.compile(
    r"^\s*(margin = [\d.]+ \* job\.restart_overhead_s \+ job\.gap_s)$", re.MULTILINE
)


class ResearchScript:
    """Role-aware answers. ``margins`` are the safety margins (in overheads) the coder tries."""

    def __init__(self, margins: list[float] | None = None, rigged: bool = False) -> None:
        # Explicit margins are used in call order; by default each hypothesis gets its own
        # margin from its (plan, idea) number, so parallel coder branches stay deterministic.
        self.margins = itertools.cycle(margins) if margins else None
        self.rigged = rigged
        self.plans = 0
        self.prompts: dict[str, list[str]] = {
            "planner": [],
            "coder": [],
            "critic": [],
            "verifier": [],
        }
        self._lock = threading.Lock()

    def role_of(self, prompt: str) -> str:
        """The role, from the system prompt's first sentence ("You are the critic ...")."""
        for role in ("planner", "coder", "critic", "verifier"):
            if f"You are the {role}" in prompt:
                return role
        if "Hypothesis to implement" in prompt or "SEARCH/REPLACE" in prompt:
            return "coder"
        return "critic"

    def __call__(self, prompt: str) -> str:
        role = self.role_of(prompt)
        with self._lock:
            self.prompts[role].append(prompt)
            return getattr(self, role)(prompt)

    def planner(self, prompt: str) -> str:
        self.plans += 1
        k = int(re.search(r"Propose exactly (\d+)", prompt).group(1))
        parents = re.search(r"parent_program_id` \(one of: ([^)]*)\)", prompt).group(1)
        first = parents.split(",")[0].strip()
        return json.dumps(
            {
                "hypotheses": [
                    {
                        "text": f"Tune the deadline safety margin (plan {self.plans}, idea {i})",
                        "rationale": "idle time is cheap but the margin decides when on-demand starts",
                        "expected_effect": "a few percent cheaper",
                        "parent_program_id": first,
                    }
                    for i in range(k)
                ]
            }
        )

    def coder(self, prompt: str) -> str:
        margin = self.margin_for(prompt)
        parent = prompt.split("# Current program", 1)[-1]  # not the champion's or inspirations'
        found = MARGIN_LINE.search(parent)
        current = found.group(1) if found else SPOT_MARGIN
        return (
            f"<<<<<<< SEARCH\n        {current}\n=======\n"
            f"        margin = {margin} * job.restart_overhead_s + job.gap_s\n"
            ">>>>>>> REPLACE\n"
        )

    def margin_for(self, prompt: str) -> float:
        if self.margins is not None:
            return next(self.margins)
        found = IDEA.search(prompt)
        plan, idea = (int(found.group(1)), int(found.group(2))) if found else (0, 9)
        return round(1.0 + 0.37 * ((plan - 1) * 4 + idea), 2)

    def critic(self, prompt: str) -> str:
        return json.dumps(
            {
                "findings": ["on-demand hours dominate the cost"],
                "diagnosis": "switches to on-demand too early",
                "suggestions": ["wait longer for spot"],
            }
        )

    def verifier(self, prompt: str) -> str:
        return json.dumps({"rigged": self.rigged, "reasons": ["reads only the observation"]})


def scripted_models(script: ResearchScript) -> dict[str, RoleModel]:
    """One RoleModel per role, all answering from ``script``."""
    chat = ScriptedChatModel(respond=script)
    return {
        role: RoleModel(role=role, name="scripted", chat=chat)
        for role in ("planner", "coder", "critic", "verifier")
    }
