"""Progress for long steps (computing optima, loading data, starting the model server, evaluating
a split) that any part of ADRS can call without caring where its output goes.

On a terminal the user sees a live ``rich`` bar (or a spinner when the total is unknown). When
stderr is not a terminal — piped, under CI, in a log file — a live bar would write hundreds of
carriage-return frames, so the same calls print a few quiet lines instead: one when the step
starts, one at each quarter of the way, and one when it ends with its duration. Output goes to
stderr so that stdout stays clean for ``--json`` and piped data.

    with progress("computing optima", total=len(traces)) as step:
        for trace in traces:
            ...
            step.advance()

    for trace in track(traces, "scoring held-out split"):
        ...
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO, TypeVar

if TYPE_CHECKING:  # rich costs about a second to import: only bars on a terminal need it
    from rich.progress import Progress

T = TypeVar("T")

#: Set ADRS_PROGRESS=quiet to force plain lines (or =rich to force bars) whatever the stream is.
_ENV = "ADRS_PROGRESS"


def _interactive(stream: TextIO) -> bool:
    forced = os.environ.get(_ENV, "").lower()
    if forced in ("quiet", "plain", "off"):
        return False
    if forced in ("rich", "tty"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


class Step:
    """Handle on a running step: ``advance`` it, change its ``note``; both are cheap."""

    def __init__(
        self, description: str, total: int | None, stream: TextIO, bar: Progress | None
    ) -> None:
        self.description = description
        self.total = total
        self.completed = 0
        self.note = ""
        self._stream = stream
        self._bar = bar
        self._task = bar.add_task(description, total=total) if bar is not None else None
        self._next_quarter = 1

    def advance(self, amount: int = 1) -> None:
        """Count ``amount`` more units done."""
        self.completed += amount
        if self._bar is not None and self._task is not None:  # a bar always has its task
            self._bar.update(self._task, advance=amount)
            return
        if self.total:
            # Quiet mode: a line at 25 %, 50 %, 75 % so a log shows the step is alive.
            while self._next_quarter < 4 and self.completed * 4 >= self._next_quarter * self.total:
                self._line(f"{self.description}: {self.completed}/{self.total}")
                self._next_quarter += 1

    def set_note(self, note: str) -> None:
        """Show a short status next to the description (e.g. the current workload)."""
        self.note = note
        if self._bar is not None and self._task is not None:
            label = f"{self.description} [dim]{note}[/dim]" if note else self.description
            self._bar.update(self._task, description=label)

    def _line(self, text: str) -> None:
        self._stream.write(f"adrs: {text}\n")
        self._stream.flush()


@contextmanager
def progress(
    description: str, total: int | None = None, stream: TextIO | None = None
) -> Iterator[Step]:
    """Show progress of one long step; a bar on a terminal, a few plain lines otherwise.

    ``total=None`` means the amount of work is unknown (a spinner, e.g. starting a server).
    The step's duration is reported when it ends; a failure is reported and re-raised.
    """
    stream = stream if stream is not None else sys.stderr
    started = time.monotonic()
    if _interactive(stream):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns = [SpinnerColumn(), TextColumn("{task.description}")]
        if total is not None:
            columns += [BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
        columns.append(TimeElapsedColumn())
        bar = Progress(*columns, console=Console(file=stream), transient=False)
        with bar:
            yield Step(description, total, stream, bar)
        return
    step = Step(description, total, stream, None)
    step._line(f"{description}..." if total is None else f"{description}: 0/{total}")
    try:
        yield step
    except BaseException:
        step._line(f"{description}: failed after {time.monotonic() - started:.1f} s")
        raise
    done = f"{step.completed}/{total} " if total is not None else ""
    step._line(f"{description}: {done}done in {time.monotonic() - started:.1f} s")


def track(
    items: Iterable[T], description: str, total: int | None = None, stream: TextIO | None = None
) -> Iterator[T]:
    """Iterate over ``items`` while showing progress (``total`` defaults to ``len(items)``)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with progress(description, total=total, stream=stream) as step:
        for item in items:
            yield item
            step.advance()
