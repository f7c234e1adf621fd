"""Lockstep revelation: the two halves of every candidate run, and the rule that joins them.

A candidate never holds data it may not see yet. The trusted parent keeps the traces and runs a
``Feed`` per batch of workloads; the sandboxed child runs a ``Player``, which holds only the
candidate's code. The feed opens with what the candidate may know up front (job sizes, prices,
the graph of a static problem), then reveals the data step by step: it sends step ``t`` only
after it holds the player's reply to step ``t - 1``. One round trip per step serves the whole
batch, so a split costs (steps x batches) round trips, not steps x workloads.

A player reply is untrusted bytes; the feed validates it (``OutputViolation``) and turns the
collected replies into the kind's decisions for ``score``. ``run_in_process`` joins the halves
without a sandbox, for trusted code only (baselines in tests and benchmarks).
"""

from __future__ import annotations

import importlib
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulators.violation import OutputViolation


class Feed(ABC):
    """Trusted half: reveals one batch's data in order and collects the player's decisions."""

    @abstractmethod
    def opening(self) -> bytes:
        """What the candidate may know before the first step (sent once)."""

    @abstractmethod
    def advance(self, reply: bytes) -> bytes | None:
        """Take the player's reply to the last message; return the next step, or None at the
        end. Raise ``OutputViolation`` for a reply that breaks the protocol or a rule."""

    @abstractmethod
    def decisions(self) -> dict[str, Any]:
        """The collected decisions, in the shape the kind's ``score`` reads."""


class Player(ABC):
    """Sandboxed half: holds the candidate's program and answers each message of the feed."""

    #: Name the candidate module must define (checked before the player is built).
    entry_point: str = "Policy"

    def __init__(self, program: dict[str, Any]) -> None:
        self.program = program

    def entry_function(self) -> Any:
        """The program's entry point, which must be callable (``OutputViolation`` otherwise)."""
        entry = self.program.get(self.entry_point)
        if not callable(entry):
            raise OutputViolation(
                f"rule 'entry-point': the program defines no {self.entry_point}()"
            )
        return entry

    @abstractmethod
    def open(self, opening: bytes) -> bytes:
        """Build the candidate's objects from the opening; the reply may be empty."""

    @abstractmethod
    def step(self, message: bytes) -> bytes:
        """Answer one revealed step."""


class StaticFeed(Feed):
    """A problem with no time in it (a graph and endpoints): the opening holds all of it, the
    player's one reply holds every answer, as JSON. The answers are returned as they are;
    ``score`` judges them."""

    def __init__(self, problem: dict[str, Any]) -> None:
        self.problem = problem
        self.answer: dict[str, Any] = {}

    def opening(self) -> bytes:
        return json.dumps(self.problem, separators=(",", ":")).encode()

    def advance(self, reply: bytes) -> bytes | None:
        try:
            answer = json.loads(reply)
        except (ValueError, UnicodeDecodeError):
            raise OutputViolation("rule 'protocol': the player's reply is not JSON") from None
        if not isinstance(answer, dict):
            raise OutputViolation("rule 'protocol': the player's reply is not an object")
        self.answer = answer
        return None

    def decisions(self) -> dict[str, Any]:
        return self.answer


@dataclass(frozen=True)
class Timeline:
    """Where a workload's data sits on an underlying series (``simulators.batching``).

    ``key`` names the series' clock, ``start`` is the instant of the workload's first tick on
    it and ``step`` the length of a tick, both in the clock's units (seconds for spot traces).
    """

    key: str
    start: int
    step: int


def load_player(ref: str) -> type[Player]:
    """``package.module:Class`` or ``/abs/path/file.py:Class`` (a scenario folder's own file)."""
    module_name, _, attr = ref.rpartition(":")
    if module_name.endswith(".py"):
        from simulators.modules import import_file

        module = import_file(Path(module_name))
    else:
        module = importlib.import_module(module_name)
    player = getattr(module, attr)
    if not (isinstance(player, type) and issubclass(player, Player)):
        raise TypeError(f"{ref} is not a Player class")
    return player


def run_in_process(feed: Feed, player: Player) -> dict[str, Any]:
    """Join the halves directly: trusted programs only (this runs the code in this process)."""
    message = feed.advance(player.open(feed.opening()))
    while message is not None:
        message = feed.advance(player.step(message))
    return feed.decisions()
