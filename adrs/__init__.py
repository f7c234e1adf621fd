"""ADRS application shell: command line, settings, web dashboard.

Dependency direction is one way: ``adrs`` -> ``graph`` -> ``agents``, ``memory``, ``simulators``
-> ``scenarios`` (data). Nothing below ``adrs`` imports it.
"""

#: The one place the version is written; pyproject.toml reads it from here.
__version__ = "0.1.0"
