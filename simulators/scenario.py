"""Scenario files: ``scenarios/<name>/scenario.toml`` parsed and validated with pydantic.

A scenario is data plus a contract: which simulator family (``kind``) scores it, the seed program,
baselines, named splits, the objective and its direction, the cascade and the sandbox limits.
Split parameters are kind-specific; the kind validates them with its own model. A bad field
raises ``ScenarioError`` with one line naming it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from adrs.errors import ScenarioError, UsageError
from simulators.modules import import_file

SCENARIOS_ROOT = Path(__file__).resolve().parent.parent / "scenarios"


class Objective(BaseModel):
    """What the score means: its name, unit and whether lower or higher is better."""

    model_config = ConfigDict(extra="forbid")
    name: str
    direction: Literal["min", "max"]
    unit: str = ""


class Cascade(BaseModel):
    """Stage 1 runs a small fixed training subset; stage 2 (the full split) only if it passes.

    A candidate passes stage 1 when its stage-1 score is no worse than the reference's by more
    than ``tolerance`` (relative): for ``min`` objectives ``score <= ref * (1 + tolerance)``.
    """

    model_config = ConfigDict(extra="forbid")
    stage1_workloads: int = Field(60, gt=0)
    tolerance: float = Field(0.05, ge=0)


class Limits(BaseModel):
    """Resource limits for one sandboxed evaluation."""

    model_config = ConfigDict(extra="forbid")
    timeout_s: float = Field(120.0, gt=0)
    memory_mb: int = Field(2048, gt=0)
    cpu_s: float = Field(300.0, gt=0)


class ScenarioSpec(BaseModel):
    """The validated content of ``scenario.toml``."""

    model_config = ConfigDict(extra="forbid")
    name: str
    version: str
    kind: str
    description: str = ""
    seed_program: str = "seed.py"
    objective: Objective
    baselines: dict[str, str] = Field(default_factory=dict)
    reference_baseline: str | None = None
    splits: dict[str, dict[str, Any]]
    cascade: Cascade = Field(default_factory=Cascade)
    limits: Limits = Field(default_factory=Limits)
    params: dict[str, Any] = Field(default_factory=dict)


def _first_error_line(err: ValidationError, source: Path) -> str:
    first = err.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return f"{source}: field '{where}': {first['msg']}"


def scenario_dir(name_or_path: str) -> Path:
    """Find a scenario folder by CLI name (``spot-single``) or by path."""
    candidate = Path(name_or_path)
    if (candidate / "scenario.toml").is_file():
        return candidate.resolve()
    bundled = SCENARIOS_ROOT / name_or_path.replace("-", "_")
    if (bundled / "scenario.toml").is_file():
        return bundled
    known = ", ".join(available_scenarios()) or "none"
    raise UsageError(f"unknown scenario '{name_or_path}' (bundled: {known})")


def available_scenarios() -> list[str]:
    """CLI names of the bundled scenarios."""
    return sorted(
        p.name.replace("_", "-")
        for p in SCENARIOS_ROOT.iterdir()
        if (p / "scenario.toml").is_file()
    )


def load_spec(folder: Path) -> ScenarioSpec:
    """Parse and validate ``folder/scenario.toml``; one-line ``ScenarioError`` on any problem."""
    source = folder / "scenario.toml"
    try:
        raw = tomllib.loads(source.read_text())
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{source}: not valid TOML: {err}") from None
    try:
        return ScenarioSpec.model_validate(raw)
    except ValidationError as err:
        raise ScenarioError(_first_error_line(err, source)) from None


class Scenario:
    """A loaded scenario: its folder, its validated spec and its simulator family.

    ``kind = "spot_single"`` resolves to the class ``Kind`` in package ``simulators.spot_single``;
    ``kind = "package.module:Class"`` names any importable class (bring-your-own scenarios);
    ``kind = "simulator.py:Kind"`` loads ``Kind`` from a file inside the scenario folder.
    """

    def __init__(self, root: Path, spec: ScenarioSpec) -> None:
        self.root = root
        self.spec = spec
        self.engine = _resolve_kind(spec.kind, root)(spec, root)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def seed_path(self) -> Path:
        return self.root / self.spec.seed_program

    def baseline_paths(self) -> dict[str, Path]:
        return {name: self.root / rel for name, rel in self.spec.baselines.items()}


def _resolve_kind(kind: str, root: Path | None = None):
    import importlib

    module_name, _, attr = kind.partition(":") if ":" in kind else (f"simulators.{kind}", "", "Kind")
    try:
        if module_name.endswith(".py") and root is not None:
            module = import_file(root / module_name)  # a file in the scenario folder
        else:
            module = importlib.import_module(module_name)
        return getattr(module, attr)
    except (ImportError, AttributeError, SyntaxError) as err:
        raise ScenarioError(f"field 'kind': cannot load simulator family '{kind}': {err}") from None


def load_scenario(name_or_path: str) -> Scenario:
    """Load a bundled scenario by CLI name (``spot-single``) or a scenario folder by path."""
    folder = scenario_dir(name_or_path)
    return Scenario(folder, load_spec(folder))
