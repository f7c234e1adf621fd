"""Where sandboxed evaluations run: one interface, a local and a Ray implementation.

An executor runs chunks of one split's workloads, each chunk in its own sandboxed child, and
returns each chunk's classified outcome; merging and scoring stay with ``evaluate``.
"""

from simulators.executors.base import Executor, SandboxLimits, run_chunk
from simulators.executors.local import LocalExecutor, default_executor

__all__ = ["Executor", "LocalExecutor", "SandboxLimits", "default_executor", "run_chunk"]
