"""spot-single: finish a job before its deadline on cheap, preemptible capacity (one zone).

``Kind`` is the simulator family; ``Job``, ``Observation`` and ``Action`` are what the evolved
``Policy`` sees (see ``interface.py`` for every field).
"""

from simulators.spot_single.interface import Action, Job, Observation
from simulators.spot_single.kind import Kind

__all__ = ["Action", "Job", "Kind", "Observation"]
