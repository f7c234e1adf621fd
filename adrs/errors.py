"""Errors a user can hit. Each carries one line that says what was wrong and what to do.

The CLI turns them into that one line on stderr and an exit code; tracebacks are for bugs.
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


class ScenarioError(AdrsError):
    """A scenario folder or file is malformed; the message names the bad field (exit 2)."""

    exit_code = 2


class CandidateFailed(AdrsError):
    """The evaluated program failed, was infeasible or broke a rule (exit 1)."""

    exit_code = 1


#: errno values that mean "no room left": a full file system or an exhausted quota.
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def is_disk_full(err: BaseException) -> bool:
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
