"""spot-multi: spot-single's job across a set of regions with their own availability and prices.

``Kind`` is the simulator family; ``RegionJob`` and ``RegionObservation`` are what the evolved
``Policy`` sees (``interface.py`` documents every field and the accepted return values).
"""

from simulators.spot_multi.interface import RegionJob, RegionObservation
from simulators.spot_multi.kind import Kind

__all__ = ["Kind", "RegionJob", "RegionObservation"]
