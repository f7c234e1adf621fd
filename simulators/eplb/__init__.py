"""The ``eplb`` simulator family (MoE expert replica placement); see ``kind.py``.

``Kind`` is imported on first use only, so the sandbox's ``player`` import loads no generator.
"""

from typing import Any

__all__ = ["Kind"]


def __getattr__(name: str) -> Any:
    if name == "Kind":
        from simulators.eplb.kind import Kind

        return Kind
    raise AttributeError(name)
