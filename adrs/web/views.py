"""The data of each dashboard page, read from memory; templates only lay it out.

Highlighting is done here with pygments (class-based HTML, one stylesheet in the page), so the
browser needs no script and no network for it. The lineage tree is flattened to rows with a
depth, built iteratively: a session can chain hundreds of generations, deeper than a recursive
template could go.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass

from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import DiffLexer, PythonLexer

from memory.store import Store

_FORMATTER = HtmlFormatter(cssclass="hl", nowrap=False)

#: Statuses shown as a coloured badge.
BADGES = {
    "champion": "good",
    "accepted": "good",
    "rejected": "bad",
    "failed": "bad",
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
    status: str
    origin: str
    score: float | None
    hypothesis: str


def lineage_rows(store: Store, session_id: int, limit: int = 2000) -> list[TreeRow]:
    """Programs of a session in tree order (each under its parent), baselines excluded."""
    rows = store._rows(
        "SELECT p.id, p.parent_id, p.iteration, p.status, p.origin, h.text AS hypothesis, "
        "(SELECT score FROM evaluations e WHERE e.program_id = p.id AND e.split = 'train' "
        " AND e.stage != 'stage1' ORDER BY e.id DESC LIMIT 1) AS score "
        "FROM programs p LEFT JOIN hypotheses h ON h.id = p.hypothesis_id "
        "WHERE p.session_id = ? AND p.origin NOT LIKE 'baseline%' ORDER BY p.id LIMIT ?",
        (session_id, limit),
    )
    by_id = {r["id"]: r for r in rows}
    children: dict[int | None, list] = {}
    for r in rows:
        parent = r["parent_id"] if r["parent_id"] in by_id else None
        children.setdefault(parent, []).append(r)
    out: list[TreeRow] = []
    stack = [(0, r) for r in reversed(children.get(None, []))]
    while stack:
        depth, r = stack.pop()
        out.append(
            TreeRow(
                depth,
                r["id"],
                r["iteration"],
                r["status"],
                r["origin"],
                r["score"],
                r["hypothesis"] or r["origin"],
            )
        )
        stack.extend((depth + 1, c) for c in reversed(children.get(r["id"], [])))
    return out


def session_verdicts(store: Store, session_id: int, limit: int = 200) -> list[dict]:
    """Verdicts with the program's iteration and hypothesis, newest first."""
    rows = store._rows(
        "SELECT v.id, v.program_id, v.accepted, v.reasons, p.iteration, h.text AS hypothesis "
        "FROM verdicts v JOIN programs p ON p.id = v.program_id "
        "LEFT JOIN hypotheses h ON h.id = p.hypothesis_id "
        "WHERE v.session_id = ? ORDER BY v.id DESC LIMIT ?",
        (session_id, limit),
    )
    return [dict(r) | {"reasons": json.loads(r["reasons"])} for r in rows]


def iteration_numbers(store: Store, session_id: int) -> list[int]:
    """Iterations that left any trace (a call, a hypothesis or a program), ascending."""
    rows = store._rows(
        "SELECT iteration FROM llm_calls WHERE session_id = ? UNION "
        "SELECT iteration FROM hypotheses WHERE session_id = ? UNION "
        "SELECT iteration FROM programs WHERE session_id = ? ORDER BY 1",
        (session_id, session_id, session_id),
    )
    return [r["iteration"] for r in rows]


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
        "critiques": store._rows(
            "SELECT iteration, text FROM critiques WHERE program_id = ? ORDER BY id", (program.id,)
        ),
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
    row = store._one(
        "SELECT (SELECT max(id) FROM events WHERE session_id = ?) AS e, "
        "(SELECT max(id) FROM llm_calls WHERE session_id = ?) AS c, "
        "(SELECT max(id) FROM evaluations WHERE session_id = ?) AS v, "
        "(SELECT updated_at FROM sessions WHERE id = ?) AS u, "
        "(SELECT max(updated_at) FROM lanes WHERE session_id = ?) AS l",
        (session_id, session_id, session_id, session_id, session_id),
    )
    return f"{row['e']}-{row['c']}-{row['v']}-{row['u']}-{row['l']}"


def workspace_stamp(store: Store) -> str:
    """Changes whenever any session row changes (status, counters): the sessions list polls it."""
    row = store._one("SELECT count(*) AS n, max(updated_at) AS u FROM sessions")
    return f"{row['n']}-{row['u']}"
