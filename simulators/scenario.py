"""Scenario files: ``scenarios/<name>/scenario.toml`` parsed and validated with pydantic.

A scenario is data plus a contract: which simulator family (``kind``) scores it, the seed program,
baselines, named splits, the objective and its direction, the cascade and the sandbox limits.
Split parameters are kind-specific; the kind validates them with its own model. A bad field
raises ``ScenarioError`` with one line naming it.

A scenario folder may come from anyone, so loading it trusts nothing it says: no number may be
NaN or infinite (TOML allows both, and a NaN price scores every program NaN), and every file it
names must exist and resolve inside its folder (``scenario_file``), so a ``seed_program`` of
``../../etc/passwd`` cannot pull a host file into a session as program #1.
"""

from __future__ import annotations

import math
import pkgutil
import tomllib
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulators.direction import Direction
from simulators.direction import better as beats
from simulators.errors import ScenarioError, UnknownName
from simulators.modules import import_file

SCENARIOS_ROOT = Path(__file__).resolve().parent.parent / "scenarios"
M = TypeVar("M", bound=BaseModel)


class Constraint(BaseModel):
    """A bound the program must keep on another metric, per workload: ``metric`` at least
    (``direction = "max"``) or at most (``"min"``) the reference baseline's value on the same
    workload, give or take ``tolerance`` (relative: 0.005 is half a percent of it)."""

    model_config = ConfigDict(extra="forbid")
    metric: str
    direction: Direction
    relative_to: Literal["reference"] = "reference"
    tolerance: float = Field(0.0, ge=0, le=1)


class Term(BaseModel):
    """One metric of a weighted objective: ``weight`` (in ``unit``, the objective's unit per
    the metric's: "USD per hour") times the metric's value, per workload."""

    model_config = ConfigDict(extra="forbid")
    metric: str
    weight: float
    unit: str

    @model_validator(mode="after")
    def _counts(self) -> Term:
        if self.weight == 0:
            raise ValueError(f"the weight of '{self.metric}' is 0: drop the term instead")
        return self


class Objective(BaseModel):
    """What the score means: its name, unit and whether lower or higher is better.

    Three forms (``simulators.objectives`` computes them): a single metric (the default); a
    metric optimised subject to ``constraints`` on others ("minimise rebalance time at
    balancedness within 0.5% of the reference"); or a weighted sum of ``terms``, each weight
    declared with its unit so the sum has one.
    """

    model_config = ConfigDict(extra="forbid")
    name: str
    direction: Direction
    unit: str = ""
    constraints: list[Constraint] = Field(default_factory=list)
    terms: list[Term] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_meaning_per_metric(self) -> Objective:
        """A metric is optimised or constrained, never both, and named once."""
        constrained = [c.metric for c in self.constraints]
        weighted = [t.metric for t in self.terms]
        for names, what in ((constrained, "constraints"), (weighted, "terms")):
            twice = {n for n in names if names.count(n) > 1}
            if twice:
                raise ValueError(f"'{min(twice)}' is named twice in {what}")
        clash = set(constrained) & ({self.name} | set(weighted))
        if clash:
            raise ValueError(f"'{min(clash)}' is both optimised and constrained")
        return self

    @property
    def form(self) -> Literal["single", "constrained", "weighted"]:
        if self.terms:
            return "weighted"
        return "constrained" if self.constraints else "single"

    def better(self, a: float, b: float) -> bool:
        """Whether score ``a`` strictly beats score ``b``: lower is better for a ``min``
        objective, higher for ``max``. Every comparison of two scores goes through here."""
        return beats(a, b, self.direction)

    @property
    def metrics(self) -> list[str]:
        """Every metric the objective declares, the optimised one first: what reports and
        prompts show beside the reference and the limit."""
        names = [self.name, *(t.metric for t in self.terms), *(c.metric for c in self.constraints)]
        return list(dict.fromkeys(names))


class Cascade(BaseModel):
    """Stage 1 runs a small fixed training subset; stage 2 (the full split) only if it passes.

    A candidate passes stage 1 when its stage-1 score is no worse than the reference's by more
    than ``tolerance`` (relative): for ``min`` objectives ``score <= ref * (1 + tolerance)``.
    """

    model_config = ConfigDict(extra="forbid")
    stage1_workloads: int = Field(60, gt=0, le=100_000)
    tolerance: float = Field(0.05, ge=0)


class Limits(BaseModel):
    """Resource limits for one sandboxed evaluation."""

    model_config = ConfigDict(extra="forbid")
    timeout_s: float = Field(120.0, gt=0, le=86_400)  # a day
    memory_mb: int = Field(2048, gt=0, le=1_048_576)  # 1 TiB
    cpu_s: float = Field(300.0, gt=0, le=86_400)


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

    @model_validator(mode="after")
    def _reference_is_a_baseline(self) -> ScenarioSpec:
        """The reference must be one of the baselines, or every comparison dies on a KeyError."""
        if self.reference_baseline is not None and self.reference_baseline not in self.baselines:
            known = ", ".join(self.baselines) or "none"
            raise ValueError(f"'{self.reference_baseline}' is not a baseline (baselines: {known})")
        return self


def split_params(name: str, raw: dict[str, Any], model: type[M]) -> M:
    """One ``[splits.NAME]`` table validated by a kind's own model; a bad field is a one-line
    ``ScenarioError`` naming it (``splits.NAME.FIELD``), never a pydantic dump."""
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in ("splits", name, *first["loc"]))
        raise ScenarioError(f"scenario.toml: field '{where}': {first['msg']}") from None


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
    raise UnknownName(f"unknown scenario '{name_or_path}' (bundled: {known})")


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
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{source}: cannot read it: {err}") from None
    _refuse_non_finite(raw, source)
    try:
        return ScenarioSpec.model_validate(raw)
    except ValidationError as err:
        raise ScenarioError(_first_error_line(err, source)) from None


def _refuse_non_finite(value: Any, source: Path, where: str = "") -> None:
    """Refuse NaN and infinity anywhere in the file. TOML accepts ``nan`` and ``inf``, and
    neither means anything as a price, a duration or a bound: a NaN compares false with
    everything, so it slips past every ``gt=0`` check and scores every program NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ScenarioError(
            f"{source}: field '{where or '(top level)'}': {value} is not a finite number: "
            "give a finite value"
        )
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_non_finite(item, source, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_non_finite(item, source, f"{where}.{index}")


def scenario_file(root: Path, relative: str, field: str, *, folder: bool = False) -> Path:
    """The file (or, with ``folder``, the folder) that field ``field`` names, resolved.

    It must exist and lie inside the scenario folder once ``..`` and symlinks are resolved:
    whatever a scenario names is read by the harness and may be shown to the agents or
    stored in a session, so a path leading out of the folder would read the host's files.
    The bundled scenarios also share the shipped data beside them (spot-multi reads
    spot-single's traces), so the bundled tree counts as inside too: it is public data.
    """
    toml = root / "scenario.toml"
    path = (root / relative).resolve()
    allowed = (root.resolve(), SCENARIOS_ROOT.resolve())
    if not any(path.is_relative_to(base) for base in allowed):
        raise ScenarioError(
            f"{toml}: field '{field}': '{relative}' resolves to {path}, outside the scenario "
            f"folder: keep every file the scenario names inside {root}"
        )
    present = path.is_dir() if folder else path.is_file()
    if not present:
        what = "folder" if folder else "file"
        raise ScenarioError(
            f"{toml}: field '{field}': no {what} '{relative}' in {root}: add it or fix the path"
        )
    return path


class Scenario:
    """A loaded scenario: its folder, its validated spec and its simulator family.

    ``kind = "spot_single"`` resolves to the class ``Kind`` in package ``simulators.spot_single``;
    ``kind = "package.module:Class"`` names any importable class (bring-your-own scenarios);
    ``kind = "simulator.py:Kind"`` loads ``Kind`` from a file inside the scenario folder.
    """

    def __init__(self, root: Path, spec: ScenarioSpec) -> None:
        self.root = root
        self.spec = spec
        family = _resolve_kind(spec.kind, root)
        # Checked before the kind loads any data: a bad path fails alone, in one line.
        self._seed = scenario_file(root, spec.seed_program, "seed_program")
        self._baselines = {
            name: scenario_file(root, rel, f"baselines.{name}")
            for name, rel in spec.baselines.items()
        }
        self.engine = family(spec, root)
        self._check_objective()

    def _check_objective(self) -> None:
        """Every metric the objective names must be one the kind measures, or every
        evaluation would fail on a KeyError halfway through a session."""
        objective, known = self.spec.objective, set(self.engine.metric_names())
        named = [*(t.metric for t in objective.terms), *(c.metric for c in objective.constraints)]
        if objective.constraints and objective.name not in known and known:
            named.insert(0, objective.name)
        for metric in named:
            if metric not in known:
                measured = ", ".join(sorted(known)) or "none besides its own objective"
                raise ScenarioError(
                    f"{self.root / 'scenario.toml'}: field 'objective': kind "
                    f"'{self.spec.kind}' measures no metric '{metric}' (it measures: "
                    f"{measured})"
                )
        if objective.constraints and self.spec.reference_baseline is None:
            raise ScenarioError(
                f"{self.root / 'scenario.toml'}: field 'objective.constraints': a constraint "
                "is judged against the reference baseline: set reference_baseline"
            )

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def seed_path(self) -> Path:
        return self._seed

    def baseline_paths(self) -> dict[str, Path]:
        return dict(self._baselines)


def known_kinds() -> list[str]:
    """The bundled simulator families: packages of ``simulators`` that define a ``kind``."""
    import simulators

    return sorted(
        info.name
        for info in pkgutil.iter_modules(simulators.__path__)
        if info.ispkg and (Path(simulators.__path__[0]) / info.name / "kind.py").is_file()
    )


def _resolve_kind(kind: str, root: Path | None = None):
    import importlib

    module_name, _, attr = (
        kind.partition(":") if ":" in kind else (f"simulators.{kind}", "", "Kind")
    )
    try:
        if module_name.endswith(".py") and root is not None:
            # a file of the scenario folder, never one outside it
            module = import_file(scenario_file(root, module_name, "kind"))
        else:
            module = importlib.import_module(module_name)
        found = getattr(module, attr)
    except (ImportError, AttributeError, SyntaxError, ValueError) as err:  # ValueError: "a..b"
        raise ScenarioError(
            f"field 'kind': cannot load simulator family '{kind}' ({err}): use a known kind "
            f"({', '.join(known_kinds())}), 'package.module:Class' or 'file.py:Class'"
        ) from None
    from simulators.contract import ScenarioKind  # the contract imports this module

    if not (isinstance(found, type) and issubclass(found, ScenarioKind)):
        raise ScenarioError(
            f"field 'kind': '{kind}' is not a simulator family (a ScenarioKind subclass): "
            f"use a known kind ({', '.join(known_kinds())}) or your own ScenarioKind"
        )
    return found


def load_scenario(name_or_path: str) -> Scenario:
    """Load a bundled scenario by CLI name (``spot-single``) or a scenario folder by path."""
    folder = scenario_dir(name_or_path)
    scenario = Scenario(folder, load_spec(folder))
    # Check the data now (an unknown zone, a window past the trace's end): a command must
    # refuse a bad scenario before it creates or writes anything, not halfway through a run.
    scenario.engine.preload()
    return scenario
