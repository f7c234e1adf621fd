"""eplb-speed: paired timing that a candidate cannot fool.

Every program here runs through the real sandboxed ``evaluate`` on two train workloads of
``eplb-speed`` (eight timed windows each). Ratios are compared with wide margins, never
against times: these machines are noisy, and a ratio of back-to-back calls is what the product
trusts, so it is what the tests assert on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.evaluate import evaluate
from simulators.scenario import load_scenario

SCENARIO = load_scenario("eplb-speed")
TRAIN_IDS = [w["id"] for w in SCENARIO.engine.workloads("train")][:2]
DEEPSEEK = SCENARIO.baseline_paths()["deepseek"].read_text()
VECTORISED = (
    Path(__file__).resolve().parents[1] / "support" / "eplb_vectorised_deepseek.py"
).read_text()


def run(source: str, *, static_gate: bool = True):
    return evaluate(
        SCENARIO, source, "train", workload_ids=TRAIN_IDS, checks=(), static_gate=static_gate
    )


def ratio(source: str) -> float:
    result = run(source)
    assert result.status == "ok", result.error
    return result.score


@pytest.fixture(scope="module")
def reference_ratio() -> float:
    return ratio(DEEPSEEK)


def test_the_objective_is_the_time_ratio_at_constrained_balance():
    objective = SCENARIO.spec.objective
    assert objective.form == "constrained"
    assert objective.metrics == ["rebalance_time_ratio", "balancedness"]
    assert SCENARIO.engine.metric_names() == (
        "balancedness",
        "nodes_per_token",
        "rebalance_time_ratio",
    )


def test_the_reference_timed_against_itself_is_about_one(reference_ratio):
    assert 0.7 < reference_ratio < 1.4


def test_a_vectorised_port_is_several_times_faster_at_identical_balance(reference_ratio):
    fast, slow = run(VECTORISED), run(DEEPSEEK)
    assert fast.status == "ok", fast.error
    assert fast.per_metric["balancedness"] == slow.per_metric["balancedness"]
    assert fast.score < reference_ratio / 3, (fast.score, reference_ratio)
    # The limit (one numpy pass over the input) is far below any real program.
    assert 0 < fast.metrics["read_time_ratio"] < fast.score


MEMOISER = (
    DEEPSEEK
    + """

_SEEN = {}
_plain = rebalance_experts


def rebalance_experts(weight, num_replicas, num_groups, num_nodes, num_gpus):
    key = (weight.tobytes(), num_replicas)
    if key not in _SEEN:
        _SEEN[key] = _plain(weight, num_replicas, num_groups, num_nodes, num_gpus)
    return _SEEN[key]
"""
)

PRECOMPUTER = (
    DEEPSEEK
    + """

import numpy as _np

# Import-time work: every plan it could compute here is for inputs it made up, since no
# window is in the process before its call.
_TABLE = {}
for _seed in range(12):
    _made_up = _np.random.default_rng(_seed).random((58, 256)) * 1000
    _TABLE[_made_up.tobytes()] = rebalance_experts(_made_up, 288, 8, 4, 32)
_plain = rebalance_experts


def rebalance_experts(weight, num_replicas, num_groups, num_nodes, num_gpus):
    hit = _TABLE.get(weight.tobytes())
    return hit if hit is not None else _plain(weight, num_replicas, num_groups, num_nodes,
                                               num_gpus)
"""
)


@pytest.mark.parametrize("cheat", [MEMOISER, PRECOMPUTER], ids=["memoiser", "import-precompute"])
def test_remembering_or_precomputing_gains_nothing(cheat, reference_ratio):
    """Every timed call has an input no call had before, and none is in the process before
    its call: both cheats time like the reference itself. (A cheat that worked would answer
    from memory in next to no time, far below half the reference's ratio; the margin is for
    a busy machine.)"""
    assert ratio(cheat) > 0.5 * reference_ratio


SLOW_NUMPY = (
    DEEPSEEK
    + """

_argsort = np.argsort


def _slow_argsort(*args, **kwargs):
    for _ in range(20000):
        pass
    return _argsort(*args, **kwargs)


setattr(np, "arg" + "sort", _slow_argsort)  # slows the reference, which sorts with it
"""
)

THREAD = (
    DEEPSEEK
    + """

def _spin():  # would take the interpreter from the reference's calls
    while True:
        pass


__import__("thr" + "eading").Thread(target=_spin, daemon=True).start()
"""
)

STOPPED_CLOCK = (
    DEEPSEEK
    + """

def _frozen():
    return 0.0


def rebalance_experts_fast(weight, *args):
    return rebalance_experts(weight, *args)

setattr(rebalance_experts_fast, "__def" + "aults__", (_frozen,))
"""
)

LISTS = (
    DEEPSEEK
    + """

_arrays = rebalance_experts


def rebalance_experts(*args):
    return [part.tolist() for part in _arrays(*args)]
"""
)


@pytest.mark.parametrize(
    "cheat, outcome, words",
    [
        (SLOW_NUMPY, "invalid", "changed numpy.argsort"),
        (THREAD, "invalid", "thread"),
        (STOPPED_CLOCK, "violation", "rewrites a function: .__defaults__"),
        (LISTS, "invalid", "three integer numpy arrays"),
    ],
    ids=["slower-numpy", "thread", "rewritten-defaults", "lazy-lists"],
)
def test_tampering_with_the_timing_is_refused(cheat, outcome, words):
    """The runtime walls, with the static scan switched off (obfuscation gets past it)."""
    result = run(cheat, static_gate=False)
    assert result.status == outcome, (result.status, result.error)
    assert words in (result.error or ""), result.error


def test_the_static_scan_refuses_monkeypatching_numpy():
    result = run(DEEPSEEK + "\nnp.argsort = sorted\n")
    assert result.status == "violation"
    assert "np.argsort" in result.error


# -- what a security probe found, kept so it stays fixed ------------------------------------
RENAMED = DEEPSEEK.replace("def rebalance_experts(", "def _deepseek(")

FINALISER = (
    RENAMED
    + '''

class _Later:
    """Does the whole plan when the collector frees it: after the clock, into the arrays."""

    def __init__(self, weight, args, outs):
        self.weight, self.args, self.outs = weight, args, outs
        self.me = self  # a cycle: only the collector frees it

    def __del__(self):
        phy2log, log2phy, logcnt = _deepseek(self.weight, *self.args)
        P, L, C = self.outs
        P[...] = phy2log
        L[...] = -1
        L[:, :, :log2phy.shape[2]] = log2phy
        C[...] = logcnt


def rebalance_experts(weight, num_replicas, num_groups, num_nodes, num_gpus):
    layers, experts = weight.shape
    P = np.empty((layers, num_replicas), dtype=np.int64)
    L = np.empty((layers, experts, num_replicas - experts + 1), dtype=np.int64)
    C = np.empty((layers, experts), dtype=np.int64)
    _Later(weight, (num_replicas, num_groups, num_nodes, num_gpus), (P, L, C))
    return P, L, C
'''
)

HARNESS_VIA_SYS = (
    DEEPSEEK
    + """

import contextlib as _cl
_modules = getattr(getattr(_cl, "sys"), "mod" + "ules")
_player = _modules["simulators.eplb.player"]
setattr(getattr(_player, "INTEGRITY"), "check", lambda: None)
"""
)

IMPORT_HOOK = (
    DEEPSEEK
    + """

import dataclasses as _dc
_b = getattr(_dc, "buil" + "tins")
_original = getattr(_b, "__imp" + "ort__")
_captured = {}


def _hook(name, globals=None, locals=None, fromlist=(), level=0):
    if globals is not None and globals.get("__name__") == "reference":
        setattr(_b, "__imp" + "ort__", _original)  # restored before any check would look
        _captured["reference"] = globals
    return _original(name, globals, locals, fromlist, level)


setattr(_b, "__imp" + "ort__", _hook)
"""
)

CPU_LIMIT_SIGNAL = (
    DEEPSEEK
    + """

import dataclasses as _dc
_b = getattr(_dc, "buil" + "tins")
_imp = getattr(_b, "__imp" + "ort__")
_res, _sig = _imp("reso" + "urce"), _imp("sig" + "nal")
_plain = rebalance_experts
_calls = []


def _burn(signum, frame):  # would run inside the reference's call and be charged to it
    for _ in range(10 ** 6):
        pass


_sig.signal(_sig.SIGXCPU, _burn)


def rebalance_experts(weight, *args):
    out = _plain(weight, *args)
    _calls.append(1)
    if len(_calls) > 1:
        soft = int(_imp("ti" + "me").process_time()) + 1
        getattr(_res, "prl" + "imit")(0, _res.RLIMIT_CPU, (soft, _res.getrlimit(_res.RLIMIT_CPU)[1]))
    return out
"""
)


@pytest.mark.parametrize(
    "cheat, outcome, words",
    [
        (FINALISER, "invalid", "invalid output: rule '"),
        (HARNESS_VIA_SYS, "error", "simulators.eplb.player"),
        (IMPORT_HOOK, "invalid", "changed builtins.__import__"),
        (CPU_LIMIT_SIGNAL, "violation", "forbidden"),
    ],
    ids=[
        "finaliser-after-the-clock",
        "harness-via-sys-modules",
        "reference-via-import-hook",
        "cpu-limit-signal",
    ],
)
def test_what_the_probe_found_stays_refused(cheat, outcome, words):
    for gate in (True, False):
        result = run(cheat, static_gate=gate)
        assert result.status == outcome, (gate, result.status, result.error, result.score)
        assert words in (result.error or ""), result.error


CLASS_PATCH = (
    DEEPSEEK
    + """

def _classes():
    seen, todo = set(), [object]
    while todo:
        for kid in getattr(type, "__sub" + "classes__")(todo.pop()):
            if kid not in seen:
                seen.add(kid)
                todo.append(kid)
    return seen


for _c in _classes():
    if _c.__name__ == "EplbPlayer":
        _orig = vars(_c)["_plan_paired"]

        def _faster(self, *args, _orig=_orig):
            out = _orig(self, *args)
            out["times_ms"] = [t / 10 for t in out["times_ms"]]
            return out

        setattr(_c, "_plan_paired", _faster)
"""
)

FRAMES = (
    DEEPSEEK
    + """

_frame = getattr(getattr(np, "sys", None) or __import__("sy" + "s"), "_get" + "frame")(0)
_harness = getattr(_frame, "f_" + "back")
"""
)

FINALISER_ON_THE_INPUT = (
    RENAMED
    + """

import weakref as _weakref

_ready = []


def _work(weight, args):  # would run when the harness dropped the input: off the clock
    _ready.append(_deepseek(weight, *args))


def rebalance_experts(weight, *args):
    _weakref.finalize(weight, _work, weight.copy(), args)
    return _ready.pop() if _ready else _deepseek(weight, *args)
"""
)


@pytest.mark.parametrize(
    "cheat, outcome, words",
    [
        (CLASS_PATCH, "invalid", "changed simulators.eplb.player.EplbPlayer._plan_paired"),
        (FRAMES, "error", "frames are not available in the sandbox"),
    ],
    ids=["player-class-patched", "frame-walk"],
)
def test_what_the_second_probe_found_stays_refused(cheat, outcome, words):
    result = run(cheat, static_gate=False)
    assert result.status == outcome, (result.status, result.error, result.score)
    assert words in (result.error or ""), result.error


def test_a_finaliser_on_the_input_gains_nothing(reference_ratio):
    """Inputs live until the child exits, so work hung on one never runs off the clock."""
    assert ratio(FINALISER_ON_THE_INPUT) > 0.5 * reference_ratio


def test_signals_wait_until_the_clock_has_stopped():
    """A handler armed by the callee runs once the clock has stopped, never inside the timing.
    Checked by order, not by duration: the clock and the handler write to one log, and the
    handler's entry must come after the clock's second (stopping) reading. A wall-time bound
    would also count this process's garbage collection, which in pytest's heap (unlike the
    sandbox child's frozen one) can take hundreds of milliseconds on a busy machine."""
    import signal
    import threading

    from simulators.eplb.timing import timed

    log: list[str] = []
    previous = signal.signal(signal.SIGUSR1, lambda *_: log.append("handler"))
    try:
        # At this thread, as in the sandbox's child, where the candidate has no other thread
        # (pytest's process may have some, and a process signal could land on any of them).
        me = threading.get_ident()

        def callee() -> int:
            signal.pthread_kill(me, signal.SIGUSR1)
            log.append("callee returns")
            return 1

        def clock() -> float:
            log.append("clock")
            return 0.0

        out, _ = timed(callee, (), clock=clock, collect=lambda: 0)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert out == 1
    assert log == ["clock", "callee returns", "clock", "handler"], log
