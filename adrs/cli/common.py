"""Helpers shared by subcommands: workspace flag, scenario lookup, JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from adrs.settings import workspace_dir


def add_workspace_flag(parser: argparse.ArgumentParser) -> None:
    """Accept ``--workspace`` after the subcommand too (``adrs eval --workspace W ...``)."""
    parser.add_argument("--workspace", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def workspace_from(args: argparse.Namespace):
    """The workspace the user chose for this invocation."""
    return workspace_dir(getattr(args, "workspace", None))


def print_json(obj: Any) -> None:
    """One JSON object on stdout, one line, the format scripts depend on."""
    sys.stdout.write(json.dumps(obj, default=str) + "\n")
