"""The trusted half of an eplb run: reveal window ``j`` of every workload only after the plans
for window ``j - 1`` came back; the last window of each workload is never sent (it only
scores the last plan).

Message ``j``: the ids of the workloads that plan window ``j`` and their load matrices
(``stream.pack_arrays``). Reply: one ``{"plan", "times_ms"}`` per id, in order, as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np

from simulators.eplb.player import ARG_KEYS
from simulators.eplb.workload import windows
from simulators.lockstep import Feed
from simulators.sandbox.stream import pack_arrays
from simulators.violation import OutputViolation

Workload = dict[str, Any]
#: What the player is told of each workload: its sizes and how often to time window 0.
VISIBLE_KEYS = ("id", *ARG_KEYS, "num_layers", "num_experts", "timing_repeats")
#: Timings of each call: the candidate's, and with paired timing the reference's and one numpy
#: pass over the same input.
TIMES = ("times_ms", "reference_ms", "read_ms")


class WindowFeed(Feed):
    """Windows of a batch of eplb workloads, drawn lazily from the trusted generator."""

    def __init__(self, batch: list[Workload], reference: str | None = None) -> None:
        """``reference``: the reference baseline's source, for paired timing (the player
        times it beside the candidate on every window); None times the candidate alone."""
        self.batch = batch
        self.reference = reference
        self.streams: dict[str, Iterator[np.ndarray]] = {w["id"]: windows(w) for w in batch}
        self.planned = {w["id"]: int(w["num_windows"]) - 1 for w in batch}
        self.results: dict[str, dict[str, list[Any]]] = {
            w["id"]: {key: [] for key in ("plans", *TIMES)} for w in batch
        }
        self.window = -1
        self.asked: list[str] = []

    def opening(self) -> bytes:
        visible = [{key: w[key] for key in VISIBLE_KEYS} for w in self.batch]
        opening: dict[str, Any] = {"workloads": visible}
        if self.reference is not None:
            opening["reference"] = self.reference
        return json.dumps(opening, separators=(",", ":")).encode()

    def advance(self, reply: bytes) -> bytes | None:
        if self.window >= 0:
            self._take(reply)
        elif reply:
            raise OutputViolation("rule 'protocol': the player answered the opening with data")
        self.window += 1
        self.asked = [wid for wid, count in self.planned.items() if count > self.window]
        if not self.asked:
            return None
        loads = [next(self.streams[wid]) for wid in self.asked]
        return pack_arrays({"window": self.window, "ids": self.asked}, loads)

    def _take(self, reply: bytes) -> None:
        try:
            answers = json.loads(reply)
        except (ValueError, UnicodeDecodeError):
            raise OutputViolation("rule 'protocol': the player's reply is not JSON") from None
        if not isinstance(answers, list) or len(answers) != len(self.asked):
            raise OutputViolation(
                f"rule 'one-plan-per-window': expected {len(self.asked)} plans for window "
                f"{self.window}"
            )
        for wid, answer in zip(self.asked, answers):
            if not isinstance(answer, dict) or not isinstance(answer.get("times_ms"), list):
                raise OutputViolation(f"rule 'protocol': malformed answer (workload {wid})")
            self.results[wid]["plans"].append(answer.get("plan"))
            for key in TIMES:
                times = answer.get(key, [])
                if not isinstance(times, list):
                    raise OutputViolation(f"rule 'protocol': malformed {key} (workload {wid})")
                self.results[wid][key].extend(times)

    def decisions(self) -> dict[str, Any]:
        return {"workloads": self.results}
