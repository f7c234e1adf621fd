"""A census of processes from /proc: who is whose child, and what each one runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    uid: int
    state: str
    cmdline: str


def processes() -> list[Proc]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
        found.append(Proc(int(entry.name), int(fields[1]), uid, fields[0], cmdline))
    return found


def descendants(root: int, table: list[Proc] | None = None) -> list[Proc]:
    """Every live (not zombie) process below ``root``."""
    table = processes() if table is None else table
    children: dict[int, list[Proc]] = {}
    for proc in table:
        children.setdefault(proc.ppid, []).append(proc)
    out, todo = [], [root]
    while todo:
        for proc in children.get(todo.pop(), []):
            if proc.state != "Z":
                out.append(proc)
            todo.append(proc.pid)
    return out


def is_lane(proc: Proc) -> bool:
    return "simulators.executors.lane" in proc.cmdline


def is_zygote(proc: Proc) -> bool:
    return "simulators.sandbox.zygote" in proc.cmdline
