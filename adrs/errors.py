"""Errors a user can hit. Each carries one line that says what was wrong and what to do.

The CLI turns them into that one line on stderr and an exit code; tracebacks are for bugs.
"""


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
