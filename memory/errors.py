"""Errors the memory raises for requests it refuses.

Each message is one line for the user; the application decides the exit code. ``NotAStore``
(a file that is not an ADRS memory) lives in ``memory.schema`` beside the check that raises it.
"""

from __future__ import annotations


class StoreError(Exception):
    """A request the memory refuses, caused by input rather than by a bug."""


class UnknownSession(StoreError, LookupError):
    """No session with that id or name in this workspace."""


class SessionNameRefused(StoreError, ValueError):
    """A session name that is unsafe as a folder name or already taken."""
