"""Bad input is refused in one line, with the right exit code, and changes nothing.

A scenario folder may come from anyone, and a typo in a command line is common: each case here
used to end in a Python traceback (exit 1), a NaN score that exited 0, or a host file read in as
program #1. Now each gives ``adrs: <what was wrong and what to do>`` on stderr, naming the field
or path, exits 2 and creates nothing (no workspace, no scenario file touched).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from adrs.cli.main import main
from memory import open_store
from simulators.scenario import SCENARIOS_ROOT, load_scenario

#: The spot-single train split cut to one window per zone (36 runs), so that on code which
#: does not refuse a case, the evaluation it wrongly starts ends in seconds, not minutes.
SMALL_WINDOWS = (
    "windows = { first = 0, last = 290, step = 10 }",
    "windows = { first = 0, last = 0, step = 10 }",
)


def scenario_copy(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    """A copy of bundled scenario ``name`` in ``tmp_path/name`` with ``edits`` applied to its
    scenario.toml (each ``old`` must occur); shared data is copied in so the copy stands alone."""
    folder = tmp_path / name
    shutil.copytree(SCENARIOS_ROOT / name, folder)
    toml = folder / "scenario.toml"
    text = toml.read_text()
    if name == "spot_single":
        text = text.replace(*SMALL_WINDOWS, 1)
    if name == "spot_multi":
        (folder / "data").mkdir()
        shutil.copy(SCENARIOS_ROOT / "spot_single/data/multi_region.npz", folder / "data")
        text = text.replace("../spot_single/data/", "data/")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    toml.write_text(text)
    return folder


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` with a digest of its bytes."""
    return {
        str(path.relative_to(root)): (
            hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        )
        for path in sorted(root.rglob("*"))
    }


def refused(capsys, argv: list[str], code: int, *named: str) -> str:
    """Run ``adrs argv``; assert exit ``code`` and one ``adrs:`` line on stderr naming every
    string of ``named``. Returns that line."""
    assert main(argv) == code
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("adrs: "), lines[0]
    for name in named:
        assert name in lines[0], (name, lines[0])
    return lines[0]


def eval_refused(capsys, tmp_path: Path, folder: Path, *named: str) -> str:
    """``adrs eval FOLDER seed`` is refused with exit 2, creating no workspace and changing no
    file anywhere under ``tmp_path``."""
    workspace = tmp_path / "ws"
    program = tmp_path / "program.py"
    shutil.copy(SCENARIOS_ROOT / "spot_single/seed.py", program)
    before = snapshot(tmp_path)
    line = refused(
        capsys,
        ["--workspace", str(workspace), "eval", str(folder), str(program), "--json"],
        2,
        *named,
    )
    assert not workspace.exists()
    assert snapshot(tmp_path) == before
    return line


@pytest.mark.parametrize(
    ("edit", "remove", "field", "path"),
    [
        (
            ('data = "data/single_region.npz"', 'data = "data/gone.npz"'),
            None,
            "splits.train.data",
            "data/gone.npz",
        ),
        (
            None,
            "baselines/uniform_progress.py",
            "baselines.uniform_progress",
            "baselines/uniform_progress.py",
        ),
        (None, "seed.py", "seed_program", "seed.py"),
    ],
)
def test_missing_file_is_named(tmp_path, capsys, edit, remove, field, path):
    folder = scenario_copy(tmp_path, "spot_single", *([edit] if edit else []))
    if remove:
        (folder / remove).unlink()
    line = eval_refused(capsys, tmp_path, folder, f"field '{field}'", path)
    assert "add it or fix the path" in line


@pytest.mark.parametrize(
    ("name", "old", "new", "field"),
    [
        ("spot_single", '"us-west-2b_v100_1"]', '"mars-1a_v100_1"]', "splits.train.zones"),
        (
            "spot_multi",
            'east1-a-d = ["us-east-1a_v100_1"',
            'east1-a-d = ["mars-1a_v100_1"',
            "splits.train.region_sets.east1-a-d",
        ),
    ],
)
def test_unknown_zone_is_named_with_the_known_ones(tmp_path, capsys, name, old, new, field):
    folder = scenario_copy(tmp_path, name, (old, new))
    line = eval_refused(capsys, tmp_path, folder, f"field '{field}'", "mars-1a_v100_1")
    assert "us-west-2a_k80_1" in line or "us-east-1a_v100_1" in line  # what the file has


@pytest.mark.parametrize("kind", ["spot_singel", "json:JSONDecoder", "../../evil"])
def test_unknown_kind_lists_the_known_kinds(tmp_path, capsys, kind):
    folder = scenario_copy(tmp_path, "spot_single", ('kind = "spot_single"', f'kind = "{kind}"'))
    eval_refused(
        capsys,
        tmp_path,
        folder,
        "field 'kind'",
        kind,
        "spot_single",
        "spot_multi",
        "eplb",
        "cloudcast",
    )


@pytest.mark.parametrize(
    ("name", "old", "new", "field", "bound"),
    [
        (
            "spot_single",
            SMALL_WINDOWS[1],
            "windows = { first = 0, last = 100000000000000 }",
            "splits.train.windows.last",
            "1000000",
        ),
        (
            "eplb",
            "num_windows = 5",
            "num_windows = 5\nnum_layers = 1000000000",
            "splits.train.num_layers",
            "512",
        ),
        (
            "cloudcast",
            "workloads = 10",
            "workloads = 10000000000",
            "splits.heldout.workloads",
            "10000",
        ),
    ],
)
def test_oversized_parameter_is_refused_before_allocating(
    tmp_path, capsys, name, old, new, field, bound
):
    folder = scenario_copy(tmp_path, name, (old, new))
    eval_refused(capsys, tmp_path, folder, f"field '{field}'", bound)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("on_demand_price = 3.06", "on_demand_price = nan", "params.on_demand_price"),
        ("spot_price = 0.9731", "spot_price = inf", "params.spot_price"),
        (
            "overheads_h = [0.02, 0.2, 0.4]",
            "overheads_h = [0.02, 0.2, -nan]",
            "splits.train.overheads_h.2",
        ),
    ],
)
def test_non_finite_number_is_refused(tmp_path, capsys, old, new, field):
    folder = scenario_copy(tmp_path, "spot_single", (old, new))
    line = eval_refused(capsys, tmp_path, folder, f"field '{field}'")
    assert "not a finite number" in line


@pytest.mark.parametrize(
    ("field", "old", "new"),
    [
        ("seed_program", 'seed_program = "seed.py"', 'seed_program = "../secret.py"'),
        ("seed_program", 'seed_program = "seed.py"', 'seed_program = "/ABS/secret.py"'),
        ("baselines.greedy", '"baselines/greedy.py"', '"baselines/../../secret.py"'),
        ("splits.train.data", 'data = "data/single_region.npz"', 'data = "../secret.npz"'),
        ("kind", 'kind = "spot_single"', 'kind = "../secret.py:Kind"'),
        ("seed_program", "symlink", ""),
    ],
)
def test_paths_must_stay_inside_the_scenario_folder(tmp_path, capsys, field, old, new):
    secret = tmp_path / "secret.py"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    shutil.copy(SCENARIOS_ROOT / "spot_single/data/single_region.npz", tmp_path / "secret.npz")
    if old == "symlink":
        folder = scenario_copy(tmp_path, "spot_single")
        (folder / "seed.py").unlink()
        (folder / "seed.py").symlink_to(secret)
    else:
        folder = scenario_copy(tmp_path, "spot_single", (old, new.replace("/ABS", str(tmp_path))))
    line = eval_refused(capsys, tmp_path, folder, f"field '{field}'", "outside the scenario")
    assert str(secret.with_suffix("")) in line  # the resolved path it refused


def test_new_scenario_refuses_a_dir_that_is_a_file(tmp_path, capsys):
    target = tmp_path / "notes.txt"
    target.write_text("not a folder\n")
    before = snapshot(tmp_path)
    refused(capsys, ["new-scenario", "toy", "--dir", str(target)], 2, "--dir", str(target))
    refused(capsys, ["new-scenario", "toy", "--dir", str(target / "sub")], 2, str(target))
    assert snapshot(tmp_path) == before


def test_export_refuses_a_folder_or_a_path_under_a_file(tmp_path, capsys):
    workspace = tmp_path / "ws"
    with open_store(workspace) as store:
        store.create_session("demo", "spot_single", {"iterations": 1}, seed=1)
    (tmp_path / "out").mkdir()
    (tmp_path / "afile").write_text("keep me\n")
    before = snapshot(tmp_path)
    base = ["--workspace", str(workspace), "export", "demo", "-o"]
    refused(capsys, [*base, str(tmp_path / "out")], 2, "-o", "is a folder")
    refused(
        capsys,
        [*base, str(tmp_path / "afile" / "x.jsonl")],
        2,
        str(tmp_path / "afile"),
        "is a file",
    )
    assert snapshot(tmp_path) == before


def test_bundled_scenarios_still_load():
    """The checks refuse nothing the shipped scenarios do (spot-multi reads spot-single's
    traces: the bundled tree shares its data)."""
    for name in ("spot-single", "spot-multi", "eplb", "cloudcast"):
        scenario = load_scenario(name)
        assert scenario.seed_path.is_file()
        assert all(path.is_file() for path in scenario.baseline_paths().values())
