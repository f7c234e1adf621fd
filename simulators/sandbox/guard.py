"""An audit hook armed around the candidate: defence in depth behind seccomp and the chroot.

Python raises audit events for file opens, sockets, subprocesses, ctypes, ``gc`` walks and
frame access. Once armed, a forbidden event writes a ``violation`` report straight to the
result pipe and ends the process with ``os._exit``, so the candidate cannot catch it. The hook
cannot be removed (CPython has no API for that); its on/off state lives in a closure the
candidate can only reach through frames or ``gc``, which are themselves forbidden events.
"""

from __future__ import annotations

import _thread
import os
import sys
from collections.abc import Callable
from types import ModuleType

from simulators.sandbox.lockdown import VIOLATION_EXIT
from simulators.sandbox.protocol import encode_report, one_line

FORBIDDEN_EVENTS = {
    "socket.",
    "subprocess.",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "os.kill",
    "os.killpg",
    "pty.",
    "ctypes.",
    "gc.get_objects",
    "gc.get_referrers",
    "gc.get_referents",
    "sys._current_frames",
    "sys.settrace",
    "sys.setprofile",
    "sys._getframemodulename",
    "os.remove",
    "os.rename",
    "os.rmdir",
    "os.mkdir",
    "os.chmod",
    "os.chown",
    "os.link",
    "os.symlink",
    "os.truncate",
    "os.chdir",
    "os.listdir",
    "os.scandir",
    "os.walk",
    "shutil.",
    "resource.setrlimit",
    "resource.prlimit",
    "mmap.__new__",
    "urllib.",
    "http.",
    "ftplib.",
    "smtplib.",
    "webbrowser.",
    "sqlite3.",
    "glob.",
    "winreg.",
    "os.putenv",
    "os.unsetenv",
    "signal.pthread_kill",
    "sys.unraisablehook",
}
#: Attribute reads that hand out frames or code of whoever is on the stack.
FORBIDDEN_ATTRIBUTES = {"tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back", "f_locals"}
#: Attribute writes that change what an existing function does without rebinding it (which
#: ``simulators.eplb.timing`` would see): a slower numpy function, a stopped clock.
REWRITTEN_ATTRIBUTES = {"__code__", "__defaults__", "__kwdefaults__"}
#: Files Python's import system may still open (already-preloaded modules need none).
MODULE_SUFFIXES = (".py", ".pyc", ".so")


def _is_forbidden(event: str, args: tuple, candidate_file: str) -> str | None:
    if event == "open":
        path, mode = str(args[0]), args[1]
        writing = mode is not None and (not isinstance(mode, str) or any(c in mode for c in "wax+"))
        if writing or not path.endswith(MODULE_SUFFIXES):
            return f"file access: open({path!r})"
        return None
    if event == "object.__getattr__":
        return f"introspection: .{args[1]}" if args[1] in FORBIDDEN_ATTRIBUTES else None
    if event == "object.__setattr__" and args[1] in REWRITTEN_ATTRIBUTES:
        return f"rewrites a function: .{args[1]} ="
    if event == "import" and args[0] in ("ctypes", "_ctypes", "gc", "inspect"):
        return f"forbidden import: {args[0]}"
    if event in ("os.listdir", "os.scandir"):  # what importing an unloaded package does
        return (
            f"forbidden operation: {event}({str(args[0])!r}); importing a module the "
            "sandbox has not preloaded lists its folder (numpy, its submodules and the "
            "standard computation modules are preloaded)"
        )
    for prefix in FORBIDDEN_EVENTS:
        if event == prefix or (prefix.endswith(".") and event.startswith(prefix)):
            return f"forbidden operation: {event}"
    return None


def install_guard(
    result_fd: int, candidate_file: str
) -> tuple[Callable[[], None], Callable[[], None]]:
    """Install the (disarmed) hook; return ``(arm, disarm)`` closures for the child's runner."""
    # [armed, exempt thread]: disarming exempts only the harness thread, so a background thread
    # the candidate left running stays watched while the harness formats and sends its report.
    state: list = [False, None]
    write, exit_now, get_ident = os.write, os._exit, _thread.get_ident

    def hook(event: str, args: tuple) -> None:
        if not state[0] or get_ident() == state[1]:
            return
        if event == "sys._getframe":
            # No frame, ever: f_back, f_locals and f_globals raise no audit event (3.11), so
            # any frame leads to the harness's (a probe reached the disarm closure that way).
            # An exception, not a kill: namedtuple and Enum catch it and carry on.
            raise ValueError("frames are not available in the sandbox")
        reason = _is_forbidden(event, args, candidate_file)
        if reason is None:
            return
        state[0] = False
        try:
            write(result_fd, encode_report({"outcome": "violation", "error": one_line(reason)}))
        finally:
            exit_now(VIOLATION_EXIT)

    sys.addaudithook(hook)

    def arm() -> None:
        state[0], state[1] = True, None

    def disarm() -> None:
        state[1] = get_ident()

    return arm, disarm


#: Top-level names of the harness's own modules (and of scenario-folder files it imported).
HARNESS_PACKAGES = ("simulators", "adrs", "graph", "memory", "agents", "tests", "scenarios")
SCENARIO_FILE_PREFIX = "adrs_scenario_"


def hide_harness() -> list[ModuleType]:
    """Take the harness's modules out of ``sys.modules`` before candidate code runs, and return
    them (the caller keeps them alive). The harness keeps working: its functions hold their
    globals directly. The candidate loses the one registry that leads to them: through it a
    probe reached the timing harness's integrity check and switched it off."""
    hidden = []
    for name in list(sys.modules):
        top = name.partition(".")[0]
        if top in HARNESS_PACKAGES or name.startswith(SCENARIO_FILE_PREFIX):
            hidden.append(sys.modules.pop(name))
    return hidden
