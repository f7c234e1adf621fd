"""Errors a user can hit. Each carries one line that says what was wrong and what to do.

The application raises its own (bad flags, a busy session); each lower layer raises its own
(``simulators.errors``, ``memory.errors``, ``graph.errors``) without knowing about exit codes.
``exit_code`` maps all of them; the CLI prints the one line on stderr and returns that code.
Tracebacks are for bugs.
"""

from __future__ import annotations

import errno
import sqlite3


class AdrsError(Exception):
    """Base of user-facing errors; ``exit_code`` is what the CLI returns."""

    exit_code = 1


class UsageError(AdrsError):
    """Bad command line: unknown scenario, missing file, bad flag value (exit 2)."""

    exit_code = 2


def exit_code(err: BaseException) -> int | None:
    """The exit code of an error raised for bad input by any layer; None for anything else,
    which is a bug and keeps its traceback. A malformed or unknown scenario, a missing extra
    and a refused session name are usage errors (2); a seed that fails and a file that is not
    an ADRS memory are failures (1). The lower layers are imported only when an error is being
    mapped: ``adrs --help`` must stay light."""
    if isinstance(err, AdrsError):
        return err.exit_code
    from graph.errors import GraphError
    from memory.errors import StoreError
    from memory.schema import NotAStore
    from simulators.errors import SimulatorError

    codes: tuple[tuple[type[Exception], int], ...] = (
        (SimulatorError, 2),
        (StoreError, 2),
        (GraphError, 1),
        (NotAStore, 1),
    )
    return next((code for kind, code in codes if isinstance(err, kind)), None)


#: errno values that mean "no room left": a full file system or an exhausted quota.
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def is_disk_full(err: BaseException | None) -> bool:
    """Whether ``err`` (or what it was raised from) says the disk is full. SQLite reports it as
    ``OperationalError: database or disk is full``; plain writes as ``OSError(ENOSPC)``."""
    seen: set[int] = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, OSError) and err.errno in _NO_SPACE:
            return True
        if isinstance(err, sqlite3.OperationalError) and "disk is full" in str(err):
            return True
        err = err.__cause__ or err.__context__
    return False


class DiskFull(AdrsError):
    """The workspace's disk filled up. Transactions that did not commit were rolled back, so
    memory holds everything up to the last completed step."""

    exit_code = 1
