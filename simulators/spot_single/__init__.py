"""spot-single: finish a job before its deadline on cheap, preemptible capacity (one zone).

``Kind`` is the simulator family; ``Job``, ``Observation`` and ``Action`` are what the evolved
``Policy`` sees (see ``interface.py`` for every field). ``Kind`` is imported on first use only:
the sandbox imports ``player`` from this package and must not pull in the trace loader.
"""

from typing import Any

from simulators.spot_single.interface import Action, Job, Observation

__all__ = ["Action", "Job", "Kind", "Observation"]


def __getattr__(name: str) -> Any:
    if name == "Kind":
        from simulators.spot_single.kind import Kind

        return Kind
    raise AttributeError(name)
