"""Templates of ``adrs new-scenario``: a small, working scenario folder to start from.

The templates are package data (``*.txt``, so they are shipped and never imported or linted as
code); ``write_scenario`` fills in the scenario's name and writes the folder. The scaffold must
evaluate out of the box (tests/scenarios check it): a user edits a working example rather than
an empty contract.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

#: Template file -> path inside the new scenario folder.
TEMPLATES = {
    "scenario.toml.txt": "scenario.toml",
    "simulator.py.txt": "simulator.py",
    "player.py.txt": "player.py",
    "seed.py.txt": "seed.py",
    "baseline_peak.py.txt": "baselines/peak.py",
    "baseline_reactive.py.txt": "baselines/reactive.py",
    "README.md.txt": "README.md",
}
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")


def valid_name(name: str) -> bool:
    """Lower-case letters, digits, ``-`` and ``_``, starting with a letter (a CLI name)."""
    return bool(NAME_PATTERN.match(name))


def write_scenario(name: str, folder: Path, shown_as: str | None = None) -> list[Path]:
    """Write the scaffold for scenario ``name`` into ``folder`` (which must not hold files).

    ``shown_as`` is how the README refers to the folder in its example commands.
    Returns the written paths.
    """
    package = files(__package__)
    written = []
    for template, target in TEMPLATES.items():
        text = package.joinpath(template).read_text()
        text = text.replace("{{name}}", name).replace("{{folder}}", shown_as or str(folder))
        path = folder / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written
