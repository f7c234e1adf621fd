"""The ``cloudcast`` simulator family (multi-cloud broadcast routing); see ``kind.py``."""

from simulators.cloudcast.kind import Kind

__all__ = ["Kind"]
