"""The ``eplb`` simulator family (MoE expert replica placement); see ``kind.py``."""

from simulators.eplb.kind import Kind

__all__ = ["Kind"]
