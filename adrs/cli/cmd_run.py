"""``adrs run SCENARIO``: an autonomous research session, with a live console view.

Budgets stop it (iterations, dollars, minutes, stagnation); Ctrl-C stops it cleanly and
``adrs resume SESSION`` continues it, as after a crash. ``--replay SESSION`` reruns a recorded
session with the model answers taken from its ``llm_calls``.
"""

from __future__ import annotations

import argparse
import math
import re
import time
from typing import TypedDict

from adrs.cli.common import add_later, add_workspace_flag, workspace_from
from adrs.errors import UsageError


def add_model_flags(parser: argparse.ArgumentParser) -> None:
    """Endpoint flags shared by run, resume and chat (environment and config.toml also work)."""
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint (default: embedded model)")
    parser.add_argument("--model", help="model name for every role")
    parser.add_argument("--temperature", type=float)
    parser.add_argument("--max-tokens", type=int)
    parser.add_argument("--timeout", type=float, help="seconds per model request")


def add_budget_flags(parser: argparse.ArgumentParser, defaults: bool) -> None:
    parser.add_argument("--iterations", type=int, default=5 if defaults else None)
    parser.add_argument("--budget-usd", type=float, help="stop after spending this on models")
    parser.add_argument("--minutes", type=float, help="stop after this much wall time")
    parser.add_argument(
        "--stagnation", type=int, help="stop after this many iterations without a new champion"
    )


class BudgetOverrides(TypedDict, total=False):
    """The budget flags a command line gave: keyword arguments for ``graph.budget.Budget``."""

    iterations: int
    usd: float
    minutes: float
    stagnation: int


def budget_overrides(args: argparse.Namespace) -> BudgetOverrides:
    """The budget flags given, each checked: a budget that allows nothing, or a number that is
    not one (``nan``), is refused before anything starts."""
    given = {
        "iterations": args.iterations,
        "usd": args.budget_usd,
        "minutes": args.minutes,
        "stagnation": args.stagnation,
    }
    flag = {"usd": "--budget-usd"}
    for key, value in given.items():
        if value is not None and not (math.isfinite(value) and value > 0):
            name = flag.get(key, f"--{key}")
            raise UsageError(f"{name} must be a positive number (got {value})")
    overrides: BudgetOverrides = {}
    if args.iterations is not None:
        overrides["iterations"] = args.iterations
    if args.budget_usd is not None:
        overrides["usd"] = args.budget_usd
    if args.minutes is not None:
        overrides["minutes"] = args.minutes
    if args.stagnation is not None:
        overrides["stagnation"] = args.stagnation
    return overrides


def check_at_least(args: argparse.Namespace, minimum: int, *flags: str) -> None:
    """One line for an integer flag below its minimum (``--islands 0``, ``--tune -3``)."""
    for flag in flags:
        value = getattr(args, flag)
        if value is not None and value < minimum:
            raise UsageError(f"--{flag.replace('_', '-')} must be at least {minimum} (got {value})")


def add_speed_flags(parser: argparse.ArgumentParser) -> None:
    """How much runs at once (run and resume; not stored: a resumed session may use others).
    Imports the agents' endpoint health (httpx): add it with ``add_later``."""
    from agents.health import DEFAULT_LIMIT

    parser.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help="model calls in flight, all roles together (default: 8 for an "
        "endpoint, 1 for the embedded model)",
    )
    parser.add_argument(
        "--workers", type=int, metavar="W", help="evaluation processes (default: one per core)"
    )
    parser.add_argument(
        "--ray",
        nargs="?",
        const="auto",
        metavar="ADDRESS",
        help="run evaluations as Ray tasks (a cluster address, or a local Ray)",
    )
    parser.add_argument(
        "--endpoint-failures",
        type=int,
        metavar="N",
        default=DEFAULT_LIMIT,
        help="stop the session (resumable) after N model calls in a row fail "
        f"to reach the endpoint (default: {DEFAULT_LIMIT})",
    )


def speed_flags(args: argparse.Namespace) -> dict:
    check_at_least(args, 1, "concurrency", "workers", "endpoint_failures")
    return {
        "concurrency": args.concurrency,
        "workers": args.workers,
        "ray": args.ray,
        "endpoint_failures": args.endpoint_failures,
    }


def model_flags(args: argparse.Namespace) -> dict:
    return {
        "base_url": args.base_url,
        "model": args.model,
        "temperature": args.temperature,
        "max_tokens": args.max_tokens,
        "timeout": args.timeout,
    }


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="run an autonomous research session")
    parser.set_defaults(func=run)
    add_later(parser, add_options)


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options of ``adrs run``, in the order its help lists them."""
    parser.add_argument("scenario", help="bundled scenario (e.g. spot-single) or a folder")
    parser.add_argument("--session", help="session name (default: scenario and time)")
    parser.add_argument(
        "-k", "--hypotheses", type=int, default=2, help="hypotheses (coder branches) per iteration"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--approve",
        action="store_true",
        help="pause after each plan until approved (console or adrs chat)",
    )
    parser.add_argument("--islands", type=int, default=2)
    parser.add_argument(
        "--tune",
        type=int,
        default=0,
        metavar="EVALS",
        help="tune each program's constants with this many stage-1 evaluations",
    )
    parser.add_argument("--no-review", action="store_true", help="skip the model code review")
    parser.add_argument(
        "--lanes",
        type=int,
        metavar="L",
        help="research lanes running at once (default: the concurrency; "
        "1 with --approve); kept with the session",
    )
    parser.add_argument(
        "--replay", metavar="SESSION", help="answer with the model responses recorded in SESSION"
    )
    add_budget_flags(parser, defaults=True)
    add_model_flags(parser)
    add_speed_flags(parser)
    add_workspace_flag(parser)


def run(args: argparse.Namespace) -> int:
    from adrs.launch import NewSession, default_concurrency, execute
    from graph.budget import Budget
    from graph.runtime import SessionConfig
    from memory.sessions import name_problem
    from memory.store import open_store
    from simulators.scenario import load_scenario

    budget = Budget(**budget_overrides(args))
    check_at_least(args, 1, "hypotheses", "islands", "lanes")
    check_at_least(args, 0, "tune")
    speed = speed_flags(args)
    if args.session is not None and (problem := name_problem(args.session)):
        raise UsageError(problem)
    scenario = load_scenario(args.scenario)  # a bad scenario creates no workspace
    workspace = workspace_from(args)
    store = open_store(workspace)
    lanes = args.lanes or speed["concurrency"] or default_concurrency(workspace, model_flags(args))
    config = SessionConfig(
        hypotheses_per_iteration=args.hypotheses,
        budget=budget,
        approve=args.approve,
        seed=args.seed,
        islands=args.islands,
        tune_evaluations=args.tune,
        review=not args.no_review,
        lanes=1 if args.approve else lanes,
    )
    name = args.session or f"{_safe(scenario.name)}-{time.strftime('%Y%m%d-%H%M%S')}"
    if args.replay:
        recorded = store.resolve_session(args.replay)
        config = SessionConfig.from_dict(recorded.config)
        name = args.session or f"{recorded.name}-replay-{time.strftime('%H%M%S')}"
    if store.session_by_name(name) is not None:
        raise UsageError(f"a session named {name!r} already exists: pick another name")
    return execute(
        store,
        workspace,
        scenario,
        NewSession(name, config),
        config,
        model_flags(args),
        replay=args.replay,
        speed=speed,
    )


def _safe(text: str) -> str:
    """A scenario's name as the start of a session name (a folder's scenario may say anything)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip(".-")[:50] or "session"
