"""Programs that try to read the future of their spot trace (a security prober's, made general).

Each one searches a different place for a sequence that starts with the availability it has
seen so far and goes on longer: the frames above its own ``decide`` (``f_back``/``f_locals``
raise no audit event), every module in ``sys.modules`` (globals, ``lru_cache`` entries, trace
loaders), or everything reachable from ``obs``, ``job`` and the policy itself. If it finds one,
it plans with it: it waits for spot it knows is coming and takes on-demand only when it knows
spot will not come in time (which beats Uniform Progress on the training split). If it finds
nothing, it raises ``LookupError("no future in reach: ...")``, so a test can tell "searched
and found nothing" from any other failure.
"""

from __future__ import annotations

FINDER = '''
import sys

SEQUENCES = (list, tuple, bytes, bytearray)


def _as_bools(value):
    try:
        if type(value).__name__ == "ndarray":
            if value.ndim != 1 or value.size > 100000:
                return None
            value = value.tolist()
        if not isinstance(value, SEQUENCES) or len(value) > 100000:
            return None
        if not all(type(v) in (bool, int) and v in (0, 1) for v in value):
            return None  # availability is 0/1; anything else is not a trace
        return [bool(v) for v in value]
    except Exception:
        return None


AHEAD = 100  # a trace reaches hundreds of ticks past any moment of a run


def _extends(history, value):
    """``value`` as a list of bools if it starts with ``history`` and goes on for at least
    ``AHEAD`` more ticks (a real window does; nothing a policy may legally see does)."""
    for candidate in [value, *_rows(value)]:
        seq = _as_bools(candidate)
        if seq is not None and len(seq) >= len(history) + AHEAD and seq[: len(history)] == history:
            return seq
    return None


def _rows(value):
    if type(value).__name__ == "ndarray" and value.ndim == 2 and value.shape[0] < 5000:
        return list(value)
    if isinstance(value, dict) and len(value) < 5000:
        return list(value.values())
    if isinstance(value, (list, tuple)) and 0 < len(value) < 5000:
        return [v for v in value if isinstance(v, SEQUENCES) or type(v).__name__ == "ndarray"]
    return []


def _walk(roots, history, depth=4):
    seen, todo = set(), [(r, 0) for r in roots]
    while todo:
        value, level = todo.pop()
        if id(value) in seen or level > depth:
            continue
        seen.add(id(value))
        found = _extends(history, value)
        if found is not None:
            return found
        todo.extend((child, level + 1) for child in _children(value)[:500])
    return None


def _children(value):
    """Plain state only: no properties run, nothing imported."""
    try:
        if isinstance(value, dict):
            return list(value.values())
        if isinstance(value, (list, tuple)) and len(value) < 5000:
            return list(value)
        if type(value).__name__ == "module":
            return []
        children = list(getattr(value, "__dict__", {}).values())
        for slot in getattr(type(value), "__slots__", ()):
            try:
                children.append(object.__getattribute__(value, slot))
            except Exception:
                pass
        return children
    except Exception:
        return []


def _stale(future, history):
    return future is None or future[: len(history)] != history


def plan_with(future, obs, job):
    """Spot now if available; idle while the known future brings enough spot in time;
    otherwise on-demand."""
    if obs.spot_available:
        return "SPOT"
    ahead = future[obs.tick + 1 :]
    ticks_left = obs.time_to_deadline_s // job.gap_s - 1
    spot_ticks = sum(ahead[: max(0, ticks_left)])
    need = -(-obs.left_s // job.gap_s) + 2
    return "NONE" if spot_ticks >= need else "ON_DEMAND"
'''

POLICY = """

class Policy:
    def __init__(self, job):
        self.job, self.future = job, None

    def decide(self, obs):
        history = list(obs.spot_history)
        if _stale(self.future, history):
            self.future = search(obs, self.job, self, history)
            if self.future is None:
                raise LookupError("no future in reach: {place}")
        return plan_with(self.future, obs, self.job)
"""

FRAMES = (
    FINDER
    + """

def search(obs, job, policy, history):
    frame = getattr(sys, "_get" + "frame")(0)
    while frame is not None:
        found = _walk(list(frame.f_locals.values()), history, depth=2)
        if found is not None:
            return found
        frame = frame.f_back
    return None
"""
    + POLICY.format(place="frames")
)

MODULES = (
    FINDER
    + """

def search(obs, job, policy, history):
    roots = [vars(m) for name, m in list(sys.modules.items()) if name.startswith("simul")]
    loader = sys.modules.get("simulators.spot_single.traces")
    folders = sys.modules.get("simulators.scenario")
    if loader is not None and folders is not None:
        # The issue's prober: the loader's lru_cache answers without opening a file.
        here = __import__("pathlib").Path(folders.__spec__.origin)
        data = here.parents[1] / "scenarios" / "spot_single" / "data"
        for name in ("single_region.npz", "multi_region.npz"):
            try:
                roots.append(loader.load_traces(data / name))
            except Exception:
                pass
    return _walk(roots, history, depth=3)
"""
    + POLICY.format(place="modules")
)

REACHABLE = (
    FINDER
    + """

def search(obs, job, policy, history):
    return _walk([obs, job, type(obs), type(job), policy], history)
"""
    + POLICY.format(place="objects reachable from obs and job")
)

ALL = {"frames": FRAMES, "modules": MODULES, "reachable": REACHABLE}
