"""The research lanes' live board in words, for the console, ``adrs chat /status`` and the
dashboard (a module of its own: the dashboard should not import the model clients to say it)."""

from __future__ import annotations

from memory.lanes import LaneRow

#: How the board names a lane's stage (the node it is in).
DOING = {
    "plan": "planning",
    "approve": "awaiting approval",
    "code": "coding",
    "file": "filing",
    "evaluate": "evaluating",
    "verify": "verifying",
    "critique": "critiquing",
    "record": "recording",
    "done": "done",
}


def board_line(rows: list[LaneRow]) -> str:
    """One line for the console, ``/status`` and the dashboard: lanes by stage, calls in
    flight. Empty for a session that never ran."""
    if not rows:
        return ""
    stages: dict[str, int] = {}
    for row in rows:
        doing = DOING.get(row.stage, row.stage)
        stages[doing] = stages.get(doing, 0) + 1
    calls = sum(row.calls for row in rows)
    parts = ", ".join(f"{n} {doing}" for doing, n in sorted(stages.items(), key=lambda i: -i[1]))
    return (
        f"{len(rows)} lane{'s' if len(rows) != 1 else ''} ({parts}) · "
        f"{calls} model call{'s' if calls != 1 else ''} in flight"
    )
