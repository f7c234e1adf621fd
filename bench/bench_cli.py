"""Start-up cost of the ``adrs`` command: wall time of ``adrs --version`` and ``adrs --help``
(target: under 0.3 s each) and the start-up overhead of ``adrs eval`` (target: under 0.5 s),
beside a bare ``python -c pass``. Prints figures; asserts nothing (a speed target in a unit test
fails on a busy machine, not on slow code).

    uv run --frozen python bench/bench_cli.py [--repeats N] [--scenario spot-single]
        [--no-bytecode-cache]

The overhead of ``adrs eval`` is its wall time minus the ``run_time_s`` the evaluation reports
(``simulators.evaluate`` times itself from entry to result): what remains is the interpreter,
the imports, loading the scenario, comparing with the reference baseline and the limit (cached
in the workspace by a first, unmeasured run) and printing. The seed of ``--scenario`` is scored
on its train split.

Every command runs in a fresh process. By default the processes keep their compiled bytecode in
a private temporary folder, warmed by one unmeasured run, as an installed ``adrs`` does after
its first start; ``--no-bytecode-cache`` runs them with the environment as it is (with
``PYTHONDONTWRITEBYTECODE`` set, every start compiles every module it imports).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from simulators.scenario import load_scenario

QUICK_TARGET_S = 0.3
EVAL_TARGET_S = 0.5


def adrs_command() -> list[str]:
    """The console script beside this interpreter, as a user runs it; the module otherwise."""
    script = Path(sys.executable).with_name("adrs")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "adrs.cli.main"]


def child_env(bytecode_cache: bool, folder: Path) -> dict[str, str]:
    env = dict(os.environ, ADRS_PROGRESS="quiet")
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    return env


def wall(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Seconds from spawning ``argv`` to its exit, and its stdout; a failure stops the bench."""
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.strip()}")
    return elapsed, done.stdout


def describe(label: str, samples: list[float], target: float | None) -> None:
    best, median = min(samples), statistics.median(samples)
    verdict = ""
    if target is not None:
        verdict = f"   target < {target:.1f} s: {'met' if best < target else 'MISSED'}"
    print(f"  {label:<34} min {best:6.3f} s   median {median:6.3f} s{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="measured runs of each command")
    parser.add_argument("--scenario", default="spot-single", help="scenario of `adrs eval`")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="run the processes with the environment's bytecode setting",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="adrs-bench-cli-"))
    env = child_env(not args.no_bytecode_cache, folder)
    adrs = adrs_command()
    seed = str(load_scenario(args.scenario).seed_path)
    evaluation = [
        *adrs,
        "--workspace",
        str(folder / "workspace"),
        "eval",
        args.scenario,
        seed,
        "--json",
    ]
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "adrs --version": [*adrs, "--version"],
        "adrs --help": [*adrs, "--help"],
    }
    for argv in [*commands.values(), evaluation]:  # bytecode, baselines and limit, unmeasured
        wall(argv, env)
    samples: dict[str, list[float]] = {label: [] for label in commands}
    overheads: list[float] = []
    evaluations: list[float] = []
    for _ in range(args.repeats):  # interleaved, so a burst of load hits every command alike
        for label, argv in commands.items():
            samples[label].append(wall(argv, env)[0])
        elapsed, out = wall(evaluation, env)
        evaluated = json.loads(out)["run_time_s"]
        evaluations.append(evaluated)
        overheads.append(elapsed - evaluated)
    cache = "private bytecode cache" if not args.no_bytecode_cache else "bytecode as configured"
    print(
        f"adrs start-up, {args.repeats} runs each ({cache}; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):"
    )
    describe("python -c pass (reference)", samples["python -c pass"], None)
    describe("adrs --version", samples["adrs --version"], QUICK_TARGET_S)
    describe("adrs --help", samples["adrs --help"], QUICK_TARGET_S)
    describe(f"adrs eval overhead ({args.scenario})", overheads, EVAL_TARGET_S)
    print(
        f"  (the evaluation itself: min {min(evaluations):.3f} s, median "
        f"{statistics.median(evaluations):.3f} s; overhead = wall - its run_time_s)"
    )


if __name__ == "__main__":
    main()
