"""The sandboxed half of an eplb run: call ``rebalance_experts`` on each window as it comes.

Imported by the sandbox zygote: numpy and the lockstep codec only, no generator and no seed,
so the loads of a window exist in the child only once the feed has sent them (after the plans
for every earlier window came back).

Two ways to time a call. By default (``own``) each call is timed alone, the first window of a
workload ``timing_repeats`` times: a secondary metric, reported only. With ``paired`` timing
(the feed sends the reference baseline's source in its opening) every window is timed once for
the candidate and once for the reference, back to back on the same input, plus one numpy pass
over the input (the least any plan can cost): ``simulators.eplb.timing`` says why that ratio
can be trusted where a time cannot.
"""

from __future__ import annotations

import builtins
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from simulators.eplb.timing import Integrity, timed
from simulators.lockstep import Player
from simulators.sandbox.stream import unpack_arrays
from simulators.violation import OutputViolation

# Captured when the module is imported (in the zygote, before any candidate code runs), so a
# candidate that replaces ``time.perf_counter`` cannot fake its own run time.
_clock = time.perf_counter
ARG_KEYS = ("num_replicas", "num_groups", "num_nodes", "num_gpus")
#: The builtins as they were before any candidate code ran (``compile_reference``).
_BUILTINS = dict(vars(builtins))


def read_once(weight: np.ndarray) -> float:
    """One numpy pass over the input: the time no plan can beat (the scenario's limit)."""
    return float(weight.sum())


class EplbPlayer(Player):
    """Plans every revealed window of every workload of the batch."""

    entry_point = "rebalance_experts"

    def open(self, opening: bytes) -> bytes:
        self.rebalance = self.entry_function()
        message = json.loads(opening)
        self.specs = {w["id"]: w for w in message["workloads"]}
        self.reference: Callable[..., Any] | None = None
        self.windows_timed: dict[str, int] = {}
        #: Every input the candidate was handed, alive until the child exits: a finaliser it
        #: hung on one (weakref.finalize) would otherwise run off the clock, between calls.
        self.handed: list[np.ndarray] = []
        if message.get("reference") is not None:
            INTEGRITY.check()  # the reference's imports must find the sealed modules
            self.reference = compile_reference(message["reference"])
            self._warm_up(next(iter(self.specs.values())))
        return b""

    def _warm_up(self, spec: dict[str, Any]) -> None:
        """One untimed call of each on a made-up input of the right shape, so first-call costs
        (lazy imports, caches) land in no timed call."""
        shape = (int(spec["num_layers"]), int(spec["num_experts"]))
        made_up = (np.arange(shape[0] * shape[1], dtype=np.float64).reshape(shape) % 97) + 1.0
        args = tuple(int(spec[key]) for key in ARG_KEYS)
        assert self.reference is not None  # warmed up right after it is compiled
        for fn in (self.rebalance, self.reference):
            fn(made_up.copy(), *args)

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
        if self.reference is not None:
            return self._plan_paired(spec, window, weight, args)
        repeats = int(spec["timing_repeats"]) if window == 0 else 1
        times_ms = []
        result: Any = None
        for _ in range(repeats):
            candidate_view = weight.copy()
            start = _clock()
            result = self.rebalance(candidate_view, *args)
            times_ms.append((_clock() - start) * 1000.0)
        return {"plan": plain_plan(result, spec["id"], window), "times_ms": times_ms}

    def _plan_paired(
        self, spec: dict[str, Any], window: int, weight: np.ndarray, args: tuple[int, ...]
    ) -> dict[str, Any]:
        """The candidate and the reference on the same input, back to back, alternating which
        goes first. The reference's plan is dropped before the candidate runs, so no call of
        the candidate can find it; the candidate's answer must be plain numpy arrays, so no
        work can hide in a conversion after the clock stopped."""
        reference = self.reference
        assert reference is not None  # paired timing is chosen only when the feed sent one
        # Alternate per workload, so each workload's median has both orders in it.
        turn = self.windows_timed[spec["id"]] = self.windows_timed.get(spec["id"], -1) + 1
        order = ("candidate", "reference") if turn % 2 == 0 else ("reference", "candidate")
        times: dict[str, float] = {}
        answer: Any = None
        for who in order:
            INTEGRITY.check()
            fn = self.rebalance if who == "candidate" else reference
            given = weight.copy()
            if who == "candidate":
                self.handed.append(given)
            result, times[who] = timed(fn, (given, *args), _settled)
            del given
            if who == "candidate":
                answer = _strict_arrays(result, spec["id"], window)
            del result
        INTEGRITY.check()
        _, read_ms = timed(read_once, (weight.copy(),))
        return {
            "plan": plain_plan(answer, spec["id"], window),
            "times_ms": [times["candidate"]],
            "reference_ms": [times["reference"]],
            "read_ms": [read_ms],
        }


def _settled(result: Any) -> Any:
    """A three-part answer with every exact ``numpy.ndarray`` in it copied (no Python code runs
    for an exact ndarray's copy): later writes into the returned arrays, by a finaliser the
    candidate left behind, change nothing the harness reads."""
    if type(result) in (tuple, list) and len(result) == 3:
        return tuple(part.copy() if type(part) is np.ndarray else part for part in result)
    return result


def compile_reference(source: str) -> Callable[..., Any]:
    """The reference baseline's entry point, from its source (trusted: the feed sends it, and
    the kind reads it from the scenario folder). Its builtins are a copy sealed at import, so
    an ``__import__`` the candidate replaced never sees the reference's namespace."""
    namespace: dict[str, Any] = {"__name__": "reference", "__builtins__": dict(_BUILTINS)}
    exec(compile(source, "<reference>", "exec"), namespace)
    return namespace[EplbPlayer.entry_point]


def _strict_arrays(result: Any, workload_id: str, window: int) -> tuple[np.ndarray, ...]:
    """The answer as three integer ``numpy.ndarray``s (no subclass, no array-like): converting
    anything else would run the candidate's code after its clock stopped."""
    if (
        type(result) not in (tuple, list)
        or len(result) != 3
        or any(type(part) is not np.ndarray or part.dtype.kind not in "iu" for part in result)
    ):
        raise OutputViolation(
            f"rule 'return-type': with paired timing rebalance_experts must return a tuple of "
            f"three integer numpy arrays (workload {workload_id}, window {window})"
        )
    return tuple(result)


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
        if index.size > phy2log.size:
            # A valid plan lists each slot once; uninitialised memory lists millions, and the
            # reply would outgrow what the harness carries back (it killed an evaluation lane).
            raise OutputViolation(
                f"rule 'log2phy-consistent': log2phy lists {index.size} slots, phy2log has "
                f"{phy2log.size} (workload {workload_id}, window {window})"
            )
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


#: The state the reference and the clock rely on, sealed in the zygote before any candidate.
INTEGRITY = Integrity.seal(__name__, "simulators.eplb.timing", "simulators.lockstep")
