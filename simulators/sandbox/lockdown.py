"""The walls around a sandboxed child: namespaces, a private root, resource limits, seccomp.

Split in two because of cost: ``prepare_zygote`` runs once per zygote (namespaces, a tmpfs for
scratch directories, the seccomp program compiled), ``lock_child`` runs in every forked child
(chroot into its scratch directory, drop to an unprivileged uid, setrlimit, load seccomp).
Each mechanism is best effort where the kernel or privileges refuse it; ``Walls.active`` says
which ones are really up, and the tests assert on that list, not on hope.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import resource
import signal
from dataclasses import dataclass, field
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
CLONE_THREAD = 0x00010000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MS_NOSUID = 0x2
MS_NODEV = 0x4
PR_SET_PDEATHSIG = 1

#: Exit code of a child the audit guard stopped (its report says why).
VIOLATION_EXIT = 87
SCRATCH_TMPFS_MB = 64
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_OPEN_FILES = 64

#: Syscalls that end the child on the spot (SIGSYS -> status ``violation``): no new processes,
#: no programs, no sockets, no tracing or reading other processes, no namespace or mount games.
FORBIDDEN_SYSCALLS = (
    "fork",
    "vfork",
    "execve",
    "execveat",
    "socket",
    "socketpair",
    "connect",
    "bind",
    "listen",
    "accept",
    "accept4",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_open",
    "pidfd_getfd",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "move_mount",
    "fsopen",
    "open_tree",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "reboot",
    "swapon",
    "swapoff",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    # No timers of the candidate's own (nor handlers: see _build_seccomp): a handler receives
    # the frame it interrupts (a harness frame: its locals), and runs inside whatever call is
    # being timed.
    "setitimer",
    "alarm",
    "timer_create",
    "mknod",
    "mknodat",
    "name_to_handle_at",
    "open_by_handle_at",
    "acct",
    "quotactl",
    "settimeofday",
    "clock_settime",
    "syslog",
    "iopl",
    "ioperm",
)


@dataclass
class Walls:
    """What a zygote managed to set up, shared (by fork) with each child."""

    scratch_base: Path
    active: list[str] = field(default_factory=list)
    privileged: bool = False  # may chroot and mount (root, or root of a user namespace)
    can_setuid: bool = False  # real root: children drop to a per-zygote uid
    uid: int = 0
    seccomp_filter: object | None = None


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _unshare(flags: int) -> bool:
    return _libc().unshare(flags) == 0


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None) -> bool:
    libc = _libc()

    def enc(s):
        return s.encode() if s is not None else None

    return libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)) == 0


def _enter_namespaces(walls: Walls) -> None:
    """New network and mount namespaces: as root directly, otherwise through a user namespace."""
    uid, gid = os.getuid(), os.getgid()
    if uid == 0 and _unshare(CLONE_NEWNET | CLONE_NEWNS):
        walls.active += ["netns", "mountns"]
        walls.privileged = walls.can_setuid = True
    elif _unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS):
        try:
            Path("/proc/self/setgroups").write_text("deny")
            Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
            Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
            walls.active += ["userns", "netns", "mountns"]
            walls.privileged = True
        except OSError:
            walls.active += ["netns"]  # mapped nothing: no chroot, but the network is gone
    if "mountns" in walls.active:
        # Nothing we mount may leak back to the host, and the scratch tmpfs vanishes with us.
        _mount("none", "/", None, MS_REC | MS_PRIVATE, None)
        walls.scratch_base.mkdir(parents=True, exist_ok=True)
        if _mount(
            "tmpfs",
            str(walls.scratch_base),
            "tmpfs",
            MS_NOSUID | MS_NODEV,
            f"size={SCRATCH_TMPFS_MB}m,mode=0711",
        ):
            walls.active.append("tmpfs-scratch")


def _build_seccomp() -> object | None:
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError):
        return None
    filt = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in FORBIDDEN_SYSCALLS:
        # A name that is not a syscall on this architecture is refused: nothing to forbid.
        with contextlib.suppress(ValueError, OSError, RuntimeError):
            filt.add_rule(seccomp.KILL_PROCESS, name)
    # Threads are fine, new processes are not: clone must carry CLONE_THREAD. clone3 hides its
    # flags in memory seccomp cannot read, so it reports ENOSYS and libc falls back to clone.
    filt.add_rule(seccomp.KILL_PROCESS, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
    filt.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    # No new handler for a standard signal (glibc sets its own real-time ones, 32 and up, when
    # the first thread starts; reading a handler passes no new one).
    filt.add_rule(
        seccomp.KILL_PROCESS,
        "rt_sigaction",
        seccomp.Arg(0, seccomp.LT, 32),
        seccomp.Arg(1, seccomp.NE, 0),
    )
    return filt


def die_with_parent(parent: int) -> None:
    """Ask the kernel for SIGKILL when our parent goes (it tracks the thread that started us, so
    only call this when that thread lives as long as its process); exit now if it already went."""
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def prepare_zygote(scratch_base: Path, isolate: bool = True) -> Walls:
    """Once per zygote, before any candidate: namespaces, scratch tmpfs, seccomp program."""
    walls = Walls(scratch_base=scratch_base, uid=sandbox_uid())
    if isolate:
        _enter_namespaces(walls)
    scratch_base.mkdir(parents=True, exist_ok=True)
    walls.seccomp_filter = _build_seccomp() if isolate else None
    if walls.seccomp_filter is not None:
        walls.active.append("seccomp")
    if walls.privileged:
        walls.active.append("chroot")
    if walls.can_setuid:
        walls.active.append("setuid")
    walls.active += ["rlimits", "process-group"]
    return walls


def sandbox_uid() -> int:
    """An unprivileged uid of this zygote alone (call it in the zygote), so children of two
    zygotes cannot signal each other: pids are unique among live processes."""
    return 200_000 + os.getpid()


def make_scratch(walls: Walls, name: str) -> Path:
    """A fresh scratch directory the child (possibly another uid) may write into."""
    path = walls.scratch_base / name
    path.mkdir(mode=0o700)
    if walls.can_setuid:
        os.chown(path, walls.uid, walls.uid)
    return path


def lock_child(
    walls: Walls, scratch: Path, cpu_s: float, memory_mb: int, die_with: int | None = None
) -> None:
    """In the forked child, in this order: private root, unprivileged ids, limits, seccomp.

    Order matters: chroot and setuid need privileges the later steps take away, and seccomp
    comes last because it forbids chroot itself.
    """
    if walls.privileged:
        os.chroot(scratch)
        os.chdir("/")
    else:
        os.chdir(scratch)
    if walls.can_setuid:
        os.setgroups([])
        os.setgid(walls.uid)
        os.setuid(walls.uid)
    if die_with is not None:
        # Die with the zygote rather than linger as an orphan. Set after setuid, which clears
        # it; the getppid check closes the window where the zygote died before the prctl.
        _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != die_with:
            os._exit(1)
    # CPython ignores SIGXFSZ, so an oversized write would only raise; let it kill instead.
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    cpu = max(1, int(cpu_s + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024,) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES,) * 2)
    resource.setrlimit(resource.RLIMIT_NOFILE, (MAX_OPEN_FILES,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if walls.seccomp_filter is not None:
        walls.seccomp_filter.load()  # type: ignore[attr-defined]
