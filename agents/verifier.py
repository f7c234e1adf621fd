"""The verifier's model review: does the candidate's code game the evaluation?

It is the last of the champion checks, after the held-out, significance and gap rules and the
mechanical ones in ``simulators/`` (causality, output validity, static scan).
``value=None`` means the model gave no usable verdict, and the graph does not block on that:
the hard walls are the mechanical checks, which the candidate has already passed, while a small
model says "rigged" with no evidence as often as not, so a review that could veto without
evidence would reject at random. A "rigged" answer counts only when it cites its evidence
(``graph/nodes/verify.py``).
"""

from __future__ import annotations

import difflib

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

    def review(
        self,
        code: str,
        scenario: str,
        static_findings: str = "",
        parent: tuple[int, str] | None = None,
    ) -> AgentResult[Review]:
        """A Review of ``code`` for the problem described by ``scenario``; ``parent`` is
        (program id, code) of the program it was made from."""
        messages = chat(
            "verifier_system",
            "verifier_user",
            code=numbered(code),
            scenario=scenario,
            static_findings=static_findings or "(none)",
            change=change_from(parent, code),
        )
        out = self.structured.call(self.model, messages, Review)
        return AgentResult(out.value, out.records, out.error, out.method)


def numbered(code: str) -> str:
    """The code with its line numbers (``  12| ...``), so the review can cite lines a reader
    finds without counting by hand (a bridge verifier asked for them)."""
    lines = code.splitlines()
    width = len(str(len(lines)))
    return "\n".join(f"{i:>{width}}| {line}" for i, line in enumerate(lines, 1))


#: A diff longer than this is no shortcut: the whole code is read anyway.
MAX_DIFF_CHARS = 8000


def change_from(parent: tuple[int, str] | None, code: str) -> str:
    """The candidate's change against its parent as a unified diff (line numbers of the
    candidate in the ``+`` ranges): a 270-line program otherwise had to be compared with its
    parent by eye, and rigging added in a small change hides in a long file."""
    if parent is None:
        return "(no parent: read the whole code)"
    parent_id, parent_code = parent
    diff = "\n".join(
        difflib.unified_diff(
            parent_code.splitlines(),
            code.splitlines(),
            f"program #{parent_id}",
            "candidate",
            lineterm="",
            n=2,
        )
    )
    if not diff:
        return f"(the same code as program #{parent_id})"
    if len(diff) > MAX_DIFF_CHARS:
        return f"(a large change from program #{parent_id}: read the whole code)"
    return f"Against its parent, program #{parent_id}:\n\n```diff\n{diff}\n```"
