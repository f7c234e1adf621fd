"""``adrs resume SESSION``: continue a session after Ctrl-C, ``kill -9`` or a finished budget.

Completed steps are not repeated (LangGraph checkpoints) and completed evaluations are found in
memory, so nothing is lost and nothing is evaluated twice; every research lane resumes where it
was. Budget flags raise the limits; ``--concurrency`` and ``--workers`` may differ from the run's.
"""

from __future__ import annotations

import argparse
import dataclasses

from adrs.cli.cmd_run import (
    add_budget_flags,
    add_model_flags,
    add_speed_flags,
    budget_overrides,
    model_flags,
    speed_flags,
)
from adrs.cli.common import add_later, add_workspace_flag, workspace_from


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("resume", help="continue a stopped or crashed session")
    parser.set_defaults(func=run)
    add_later(parser, add_options)


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options of ``adrs resume``, in the order its help lists them."""
    parser.add_argument("session", help="session name or id")
    add_budget_flags(parser, defaults=False)
    add_model_flags(parser)
    add_speed_flags(parser)
    add_workspace_flag(parser)


def run(args: argparse.Namespace) -> int:
    from adrs.launch import execute
    from graph.runtime import SessionConfig
    from graph.session import scenario_of
    from memory.store import open_store

    overrides = budget_overrides(args)
    speed = speed_flags(args)
    workspace = workspace_from(args)
    store = open_store(workspace)
    session = store.resolve_session(args.session)
    scenario = scenario_of(session)
    config = SessionConfig.from_dict(session.config)
    if overrides:
        config = dataclasses.replace(config, budget=dataclasses.replace(config.budget, **overrides))
    return execute(store, workspace, scenario, session.id, config, model_flags(args), speed=speed)
