"""A scripted research team that works on any scenario: deterministic answers for each role.

The planner proposes hypotheses on the parent ids it is offered; the coder reads the parent
program out of its prompt and answers one SEARCH/REPLACE that gives one numeric literal inside
the EVOLVE-BLOCK a new value on every call (a float literal by preference: those are tuning
constants, so the program stays valid, and it differs from its parent after normalisation);
the critic and the verifier answer with valid JSON. Roles are recognised by their prompts, as
in ``research_script``.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import threading
import tokenize

from agents.edits import END_MARKER, START_MARKER
from agents.llm import RoleModel
from agents.scripted import ScriptedChatModel
from tests.support.research_script import ResearchScript

PARENT = re.compile(r"# Current program\s*```python\n(.*?)```", re.DOTALL)


def _is_float(token: str) -> bool:
    low = token.lower()
    return not low.startswith(("0x", "0o", "0b")) and "j" not in low and ("." in low or "e" in low)


def numeric_literals(block: str) -> list[tuple[int, int, int, str]]:
    """``(line index, start col, end col, text)`` of every number token in ``block``."""
    found = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(block).readline):
            if tok.type == tokenize.NUMBER and tok.start[0] == tok.end[0]:
                found.append((tok.start[0] - 1, tok.start[1], tok.end[1], tok.string))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return found


def new_value(text: str, step: int) -> str:
    """A value different from ``text`` and distinct per ``step``: floats scaled (or shifted
    from zero), integers raised by ``step + 1`` (never towards zero or below)."""
    sign = 1 if step % 2 == 0 else -1
    delta = sign * 0.0137 * (step // 2 + 1)
    if _is_float(text):
        old = float(text.replace("_", ""))
        value = old * (1 + delta) if old else 0.0137 * (step + 1)
        return repr(round(value, 6))
    old_int = int(text.replace("_", ""), 0)
    return str(old_int + step + 1)


class GenericScript(ResearchScript):
    """Role-aware answers for any scenario. ``target``: a substring of the block line whose
    literal the coder edits (default: the first float literal on a line unique in the block)."""

    def __init__(self, target: str | None = None, rigged: bool = False) -> None:
        super().__init__(rigged=rigged)
        self.target = target
        self.steps = itertools.count()
        self._step_lock = threading.Lock()

    def planner(self, prompt: str) -> str:
        k = int(re.search(r"Propose exactly (\d+)", prompt).group(1))
        offered = re.search(r"parent_program_id` \(one of: ([^)]*)\)", prompt).group(1)
        parents = [p.strip() for p in offered.split(",") if p.strip()]
        return json.dumps(
            {
                "hypotheses": [
                    {
                        "text": f"Tune one constant of the program (idea {i})",
                        "rationale": "constants were set by hand; the scores show room around them",
                        "expected_effect": "a small gain on the objective",
                        "parent_program_id": parents[i % len(parents)],
                    }
                    for i in range(k)
                ]
            }
        )

    def coder(self, prompt: str) -> str:
        with self._step_lock:
            step = next(self.steps)
        found = PARENT.search(prompt)
        if not found:
            return "no program in the prompt"
        program = found.group(1)
        start, end = program.find(START_MARKER), program.find(END_MARKER)
        block = program[start + len(START_MARKER) : end] if 0 <= start < end else program
        lines = block.split("\n")
        candidates = []
        for row, col, stop, text in numeric_literals(block):
            line = lines[row]
            if lines.count(line) != 1 or (self.target and self.target not in line):
                continue
            candidates.append((not _is_float(text), row, col, stop, text))
        if not candidates:
            return "no numeric literal to change"
        _, row, col, stop, text = min(candidates)
        line = lines[row]
        changed = line[:col] + new_value(text, step) + line[stop:]
        return f"<<<<<<< SEARCH\n{line}\n=======\n{changed}\n>>>>>>> REPLACE\n"

    def critic(self, prompt: str) -> str:
        return json.dumps(
            {
                "findings": ["the constants decide most of the objective"],
                "diagnosis": "the hand-set constants are not tuned",
                "suggestions": ["try other values of the constants"],
            }
        )

    def verifier(self, prompt: str) -> str:
        return json.dumps({"rigged": self.rigged, "reasons": ["uses only what the harness gives"]})


def generic_models(script: GenericScript) -> dict[str, RoleModel]:
    """One RoleModel per role, all answering from ``script``."""
    chat = ScriptedChatModel(respond=script)
    return {
        role: RoleModel(role=role, name="scripted", chat=chat)
        for role in ("planner", "coder", "critic", "verifier")
    }
