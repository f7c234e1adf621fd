"""``langgraph.json`` points LangGraph Studio at a graph that loads the way Studio loads it:
the file path relative to the repository root, then the attribute (a factory here)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_langgraph_json_resolves_to_the_research_graph():
    config = json.loads((ROOT / "langgraph.json").read_text())
    assert config["dependencies"] == ["."]
    path, _, attr = config["graphs"]["research"].partition(":")
    spec = importlib.util.spec_from_file_location("studio_builder", ROOT / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    graph = getattr(module, attr)()
    nodes = set(graph.get_graph().nodes)
    assert {"plan", "code", "file", "evaluate", "critique", "verify", "record"} <= nodes
