"""The sandboxed half of an eplb run: call ``rebalance_experts`` on each window as it comes.

Imported by the sandbox zygote: numpy and the lockstep codec only, no generator and no seed,
so the loads of a window exist in the child only once the feed has sent them (after the plans
for every earlier window came back). Each call is timed here with a clock captured at import,
the first window ``timing_repeats`` times.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np

from simulators.lockstep import Player
from simulators.sandbox.stream import unpack_arrays
from simulators.violation import OutputViolation

# Captured when the module is imported (in the zygote, before any candidate code runs), so a
# candidate that replaces ``time.perf_counter`` cannot fake its own run time.
_clock = time.perf_counter
ARG_KEYS = ("num_replicas", "num_groups", "num_nodes", "num_gpus")


class EplbPlayer(Player):
    """Plans every revealed window of every workload of the batch."""

    entry_point = "rebalance_experts"

    def open(self, opening: bytes) -> bytes:
        self.rebalance = self.entry_function()
        self.specs = {w["id"]: w for w in json.loads(opening)["workloads"]}
        return b""

    def step(self, message: bytes) -> bytes:
        meta, weights = unpack_arrays(message)
        window = int(meta["window"])
        answers = [
            self._plan(self.specs[wid], window, weight)
            for wid, weight in zip(meta["ids"], weights, strict=True)
        ]
        return json.dumps(answers, separators=(",", ":")).encode()

    def _plan(self, spec: dict[str, Any], window: int, weight: np.ndarray) -> dict[str, Any]:
        args = tuple(int(spec[key]) for key in ARG_KEYS)
        repeats = int(spec["timing_repeats"]) if window == 0 else 1
        times_ms = []
        result: Any = None
        for _ in range(repeats):
            candidate_view = weight.copy()
            start = _clock()
            result = self.rebalance(candidate_view, *args)
            times_ms.append((_clock() - start) * 1000.0)
        return {"plan": plain_plan(result, spec["id"], window), "times_ms": times_ms}


def plain_plan(result: Any, workload_id: str, window: int) -> dict[str, Any]:
    """The three arrays as JSON-plain lists (``OutputViolation`` if they are not arrays)."""
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise OutputViolation(
            f"rule 'return-shape': rebalance_experts must return (phy2log, log2phy, logcnt) "
            f"(workload {workload_id}, window {window})"
        )
    try:
        phy2log, log2phy, logcnt = (np.asarray(part) for part in result)
        # log2phy is mostly -1 padding: ship it sparse (lossless) to keep the reply small.
        index = np.flatnonzero(log2phy.ravel() != -1)
        return {
            "phy2log": phy2log.tolist(),
            "log2phy": {
                "shape": list(log2phy.shape),
                "index": index.tolist(),
                "value": log2phy.ravel()[index].tolist(),
            },
            "logcnt": logcnt.tolist(),
        }
    except (ValueError, TypeError) as err:
        raise OutputViolation(
            f"rule 'integer-arrays': output not convertible to arrays: {err} "
            f"(workload {workload_id}, window {window})"
        ) from None
