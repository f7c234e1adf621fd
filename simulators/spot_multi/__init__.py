"""spot-multi: spot-single's job across a set of regions with their own availability and prices.

``Kind`` is the simulator family; ``RegionJob`` and ``RegionObservation`` are what the evolved
``Policy`` sees (``interface.py`` documents every field and the accepted return values).
``Kind`` is imported on first use only, so the sandbox's ``player`` import loads no data code.
"""

from typing import Any

from simulators.spot_multi.interface import RegionJob, RegionObservation

__all__ = ["Kind", "RegionJob", "RegionObservation"]


def __getattr__(name: str) -> Any:
    if name == "Kind":
        from simulators.spot_multi.kind import Kind

        return Kind
    raise AttributeError(name)
