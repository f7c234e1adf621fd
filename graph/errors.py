"""Errors the research graph raises for sessions it cannot run.

Each message is one line for the user; the application decides the exit code.
"""

from __future__ import annotations


class GraphError(Exception):
    """A session the graph cannot run, caused by its input rather than by a bug."""


class SeedFailed(GraphError):
    """The scenario's seed program fails or is infeasible, so there is nothing to improve on."""
