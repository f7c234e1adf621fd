"""The data of each dashboard page, read from memory; templates only lay it out.

Highlighting is done here with pygments (class-based HTML, one stylesheet in the page), so the
browser needs no script and no network for it. The lineage tree is flattened to rows with a
depth, built iteratively: a session can chain hundreds of generations, deeper than a recursive
template could go.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass

from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import DiffLexer, PythonLexer

from memory.reads import LineageNode
from memory.store import Store
from memory.vocabulary import ProgramStatus

_FORMATTER = HtmlFormatter(cssclass="hl", nowrap=False)

#: Statuses shown as a coloured badge.
BADGES = {
    ProgramStatus.CHAMPION: "good",
    ProgramStatus.ACCEPTED: "good",
    ProgramStatus.REJECTED: "bad",
    ProgramStatus.FAILED: "bad",
    # Not statuses this loop writes: a workspace filled through the public API may store them.
    "baseline": "ref",
    "seed": "ref",
}


def pygments_css() -> str:
    """The stylesheet for highlighted code and diffs."""
    return _FORMATTER.get_style_defs(".hl")


def highlight_python(code: str) -> Markup:
    """Python source as highlighted HTML (escaped by pygments)."""
    return Markup(highlight(code, PythonLexer(), _FORMATTER))


def highlight_diff(old: str, new: str, old_name: str, new_name: str) -> Markup | None:
    """A highlighted unified diff, or None when the code is identical."""
    text = "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), old_name, new_name
        )
    )
    return Markup(highlight(text, DiffLexer(), _FORMATTER)) if text else None


@dataclass(frozen=True)
class TreeRow:
    """One program in the lineage tree, at its depth."""

    depth: int
    program_id: int
    iteration: int
    status: ProgramStatus
    origin: str
    score: float | None
    hypothesis: str


def lineage_rows(store: Store, session_id: int, limit: int = 2000) -> list[TreeRow]:
    """Programs of a session in tree order (each under its parent), baselines excluded."""
    nodes = store.session_lineage(session_id, limit)
    by_id = {n.id: n for n in nodes}
    children: dict[int | None, list[LineageNode]] = {}
    for n in nodes:
        parent = n.parent_id if n.parent_id in by_id else None
        children.setdefault(parent, []).append(n)
    out: list[TreeRow] = []
    stack = [(0, n) for n in reversed(children.get(None, []))]
    while stack:
        depth, n = stack.pop()
        out.append(
            TreeRow(depth, n.id, n.iteration, n.status, n.origin, n.score, n.hypothesis or n.origin)
        )
        stack.extend((depth + 1, c) for c in reversed(children.get(n.id, [])))
    return out


def session_verdicts(store: Store, session_id: int, limit: int = 200) -> list[dict]:
    """Verdicts with the program's iteration and hypothesis, newest first."""
    return [dataclasses.asdict(v) for v in store.verdict_summaries(session_id, limit)]


def iteration_numbers(store: Store, session_id: int) -> list[int]:
    """Iterations that left any trace (a call, a hypothesis or a program), ascending."""
    return store.session_iterations(session_id)


def program_page(store: Store, program_id: int) -> dict:
    """A program with its code, diff to parent, hypothesis, scores, verdicts and critiques."""
    program = store.get_program(program_id)
    if program is None:
        raise KeyError(program_id)
    parent = store.get_program(program.parent_id) if program.parent_id else None
    return {
        "program": program,
        "parent": parent,
        "code": highlight_python(program.code),
        "diff": highlight_diff(parent.code, program.code, f"#{parent.id}", f"#{program.id}")
        if parent
        else None,
        "hypothesis": store.get_hypothesis(program.hypothesis_id)
        if program.hypothesis_id
        else None,
        "evaluations": store.evaluations(program.id),
        "verdicts": store.verdicts(program.id),
        "critiques": store.program_critiques(program.id),
        "children": store.children(program.id),
    }


def iteration_page(store: Store, session_id: int, iteration: int) -> dict:
    """The agents' transcripts of one iteration, with its hypotheses, critiques and verdicts."""
    return {
        "iteration": iteration,
        "calls": store.llm_calls(session_id, iteration=iteration, limit=500),
        "hypotheses": list(reversed(store.hypotheses(session_id, iteration=iteration))),
        "critiques": list(reversed(store.critiques(session_id, iteration=iteration))),
        "programs": store.programs(session_id, iteration=iteration, newest_first=False),
        "iterations": iteration_numbers(store, session_id),
    }


def stamp(store: Store, session_id: int) -> str:
    """Changes whenever anything is added to the session: the live pages poll it."""
    return store.session_change_stamp(session_id)


def workspace_stamp(store: Store) -> str:
    """Changes whenever any session row changes (status, counters): the sessions list polls it."""
    return store.workspace_change_stamp()
