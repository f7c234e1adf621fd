"""spot-multi's scenario file: grid, leak-free periods, and one-line errors naming the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from simulators.errors import ScenarioError
from simulators.scenario import SCENARIOS_ROOT, load_scenario

SPLITS = ("train", "heldout", "test")


def test_grid(scenario):
    for split in SPLITS:
        workloads = scenario.engine.workloads(split)
        sizes = sorted({len(w["regions"]) for w in workloads})
        assert sizes[0] >= 2 and sizes[-1] == 9
        assert {w["duration_h"] for w in workloads} == {24}
        assert {w["deadline_h"] for w in workloads} == {36, 48}
        assert {w["overhead_h"] for w in workloads} == {0.05, 0.2}
        assert len({w["id"] for w in workloads}) == len(workloads) > 400


def test_splits_share_no_hour_of_trace(scenario):
    engine = scenario.engine
    traces = engine.traces(engine.splits["train"].data)
    spans = {}
    for split in SPLITS:
        windows = {w["window"] for w in engine.workloads(split)}
        starts = [int(traces.start_epoch[w]) for w in windows]
        spans[split] = (min(starts), max(starts) + 48 * 3600)
    assert spans["train"][1] <= spans["heldout"][0]
    assert spans["heldout"][1] <= spans["test"][0]


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "spot_multi"
    shutil.copytree(SCENARIOS_ROOT / "spot_multi", folder)
    # the data path is relative to the scenario folder: point it back at the shipped file
    text = (folder / "scenario.toml").read_text()
    text = text.replace("../spot_single/data", str(SCENARIOS_ROOT / "spot_single" / "data"))
    assert old in text
    (folder / "scenario.toml").write_text(text.replace(old, new, 1))
    return folder


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('period = ["2023-02-16", "2023-03-06"]', 'period = ["2023-02-16"]', "splits.train.period"),
        ("east1-a-d = [", 'tiny = ["us-east-1a_v100_1"]\nx = [', "splits.train.region_sets"),
        ("deadlines_h = [36, 48]", "deadlines_h = [12]", "splits.train"),
    ],
)
def test_bad_fields_are_named(tmp_path, old, new, field):
    with pytest.raises(ScenarioError) as err:
        load_scenario(str(_broken(tmp_path, old, new)))
    assert "\n" not in str(err.value) and f"field '{field}" in str(err.value)


def test_unknown_zone_and_empty_period_are_named(tmp_path):
    folder = _broken(tmp_path, 'east1-a-d = ["us-east-1a_v100_1"', 'east1-a-d = ["mars-1a"')
    with pytest.raises(ScenarioError, match=r"splits.train.region_sets.east1-a-d.*mars-1a"):
        load_scenario(str(folder)).engine.preload()
    folder = _broken(tmp_path / "b", '"2023-02-16", "2023-03-06"', '"2023-02-16", "2023-02-17"')
    with pytest.raises(ScenarioError, match=r"splits.train.period"):
        load_scenario(str(folder)).engine.preload()
