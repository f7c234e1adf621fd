"""A malformed spot-single scenario file fails with one line naming the bad field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from simulators.errors import ScenarioError
from simulators.scenario import SCENARIOS_ROOT, load_scenario


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "spot_single"
    shutil.copytree(SCENARIOS_ROOT / "spot_single", folder)
    toml = folder / "scenario.toml"
    text = toml.read_text()
    assert old in text
    toml.write_text(text.replace(old, new, 1))
    return folder


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('direction = "min"', 'direction = "lowest"', "objective.direction"),
        ("duration_h = 48", 'duration_h = "long"', "splits.train.duration_h"),
        ("deadlines_h = [52, 70, 92]", "deadlines_h = [40, 70]", "splits.train"),
        (
            "windows = { first = 0, last = 290, step = 10 }",
            "windows = { first = 0 }",
            "splits.train.windows.last",
        ),
        ('zones = ["us-west-2a_k80_1"', 'zonez = ["us-west-2a_k80_1"', "splits.train"),
    ],
)
def test_bad_field_is_named_in_one_line(tmp_path, old, new, field):
    folder = broken_copy(tmp_path, old, new)
    with pytest.raises(ScenarioError) as err:
        load_scenario(str(folder))
    message = str(err.value)
    assert "\n" not in message
    assert f"field '{field}" in message


def test_unknown_zone_is_named_when_data_loads(tmp_path):
    folder = broken_copy(tmp_path, '"us-west-2b_v100_1"]', '"mars-1a_v100_1"]')
    with pytest.raises(ScenarioError, match=r"field 'splits.train.zones'.*mars-1a"):
        load_scenario(str(folder)).engine.preload()


def test_the_grid_sizes_are_those_of_the_issue(scenario):
    sizes = {s: len(scenario.engine.workloads(s)) for s in ("train", "heldout", "test")}
    assert sizes == {"train": 1080, "heldout": 1080, "test": 810}
    assert len({w["id"] for w in scenario.engine.workloads("train")}) == 1080
