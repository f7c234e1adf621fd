"""Evaluation cache: the same program on the same split and stage is evaluated once.

Keyed by (scenario name and version, split, stage, chosen workload ids, checks, normalised
program hash). The hash is of ``ast.dump`` of the parsed program, so comments, blank lines and
formatting do not make a "new" program. Stored in a small SQLite table of its own in the
workspace cache folder (``<workspace>/cache/evals.sqlite``); safe across processes.
Timeouts are not cached: they depend on how loaded the machine was.
"""

from __future__ import annotations

import ast
import hashlib
import json
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from simulators.results import EvalResult
from simulators.scenario import Scenario
from simulators.source import parse_source

UNCACHED_STATUSES = {"timeout"}


def program_hash(source: str) -> str:
    """Hash of the program's syntax tree; falls back to the raw text when it does not parse."""
    try:
        normal = ast.dump(parse_source(source))
    except (SyntaxError, ValueError):
        normal = "unparsed:" + source
    return hashlib.sha256(normal.encode()).hexdigest()


class EvalCache:
    """``get``/``put`` of ``EvalResult`` by key; ``key`` builds the key."""

    def __init__(self, cache_dir: Path) -> None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.path = cache_dir / "evals.sqlite"
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS evals (key TEXT PRIMARY KEY, result TEXT NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    @staticmethod
    def key(
        scenario: Scenario,
        source: str,
        split: str,
        stage: str,
        workload_ids: list[str] | None,
        checks: Sequence[str],
        static_gate: bool,
    ) -> str:
        parts = {
            "scenario": scenario.spec.name,
            "version": scenario.spec.version,
            "split": split,
            "stage": stage,
            "ids": sorted(workload_ids) if workload_ids is not None else None,
            "checks": sorted(checks),
            "gate": static_gate,
            "program": program_hash(source),
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    def get(self, key: str) -> EvalResult | None:
        with self._lock, self._connect() as db:
            row = db.execute("SELECT result FROM evals WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        result = EvalResult.model_validate_json(row[0])
        result.cached = True
        return result

    def put(self, key: str, result: EvalResult) -> None:
        if result.status in UNCACHED_STATUSES:
            return
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO evals (key, result) VALUES (?, ?)",
                (key, result.model_dump_json()),
            )
