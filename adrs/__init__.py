"""ADRS application shell: command line, settings, web dashboard.

Dependency direction is one way: ``adrs`` -> ``graph`` -> ``agents``, ``memory``, ``simulators``
-> ``scenarios`` (data). Nothing below ``adrs`` imports it.
"""

__version__ = "0.1.0"
