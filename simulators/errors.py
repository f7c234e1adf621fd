"""Errors the simulators raise for requests they cannot serve.

Each message is one line that says what was wrong and what to do; the application decides how
to show it and which exit code it means. Bugs raise ordinary exceptions, never these.
"""

from __future__ import annotations


class SimulatorError(Exception):
    """A request the simulators cannot serve, caused by input rather than by a bug."""


class ScenarioError(SimulatorError):
    """A scenario folder or file is malformed; the message names the bad field."""


class UnknownName(SimulatorError):
    """A scenario or a split that does not exist; the message lists the known ones."""


class MissingExtra(SimulatorError):
    """An optional package the request needs is not installed; the message says how to add it."""
