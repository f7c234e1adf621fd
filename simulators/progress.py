"""Progress of long simulator steps (computing a split's limit), shown wherever the app shows it.

The simulators sit below the application and cannot import its display. The application
installs one with ``show_with`` when it starts; until it does (tests, library use) steps run
silently. A display is any callable ``(description, total)`` returning a context manager whose
value has ``advance(amount=1)``, e.g. ``adrs.progress.progress``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol


class Step(Protocol):
    """A running step: ``advance`` counts units done."""

    def advance(self, amount: int = 1) -> None: ...


Display = Callable[[str, int], AbstractContextManager[Step]]

_display: Display | None = None


def show_with(display: Display | None) -> None:
    """Install the display long steps report to (None: silent again)."""
    global _display
    _display = display


class _Silent:
    def advance(self, amount: int = 1) -> None:
        """Nothing to show."""


@contextmanager
def step(description: str, total: int, shown: bool = True) -> Iterator[Step]:
    """A step of ``total`` units on the installed display, or a silent one when none is
    installed or ``shown`` is false."""
    if not shown or _display is None:
        yield _Silent()
        return
    with _display(description, total) as running:
        yield running
