"""The ``cloudcast`` simulator family (multi-cloud broadcast routing); see ``kind.py``.

``Kind`` is imported on first use only, so the sandbox's ``player`` import loads no data code.
"""

from typing import Any

__all__ = ["Kind"]


def __getattr__(name: str) -> Any:
    if name == "Kind":
        from simulators.cloudcast.kind import Kind

        return Kind
    raise AttributeError(name)
