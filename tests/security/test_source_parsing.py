"""Parsing model-written text: from many threads at once, and when it nests absurdly deep.

A CI run failed with CPython 3.11's ``SystemError: AST constructor recursion depth mismatch``
when two candidates were scanned in parallel; a 400-term expression crashed the static scan and
duplicate detection with ``RecursionError``; 300,000 terms crashed the parser itself.
"""

from __future__ import annotations

import ast
import sys
import threading
from pathlib import Path

import pytest

from agents.edits import check_program
from memory.normalize import code_hash
from simulators.checks.static import static_scan
from simulators.source import MAX_NESTING, TooDeep, parse_source

POLICY = Path(__file__).resolve().parents[2] / "simulators" / "checks" / "static.py"


class _Finaliser:
    """Cyclic garbage whose ``__del__`` runs Python code, so collections switch threads."""

    def __del__(self) -> None:
        sum(range(50))


def _hammer(parse, errors: list[str], rounds: int = 150) -> None:
    source = POLICY.read_text()
    for _ in range(rounds):
        try:
            parse(source)
        except SystemError as exc:
            errors.append(str(exc))
            return
        for _ in range(50):
            junk = _Finaliser()
            junk.self = junk


def _race(parse, threads: int = 4) -> list[str]:
    errors: list[str] = []
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        workers = [threading.Thread(target=_hammer, args=(parse, errors)) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        sys.setswitchinterval(interval)
    return errors


def test_bare_ast_parse_collides_across_threads_on_this_interpreter():
    """The hazard is real here; without it the next test would prove nothing."""
    if sys.version_info >= (3, 12):
        pytest.skip("CPython 3.12 keeps the AST recursion counter per call")
    attempts = [_race(ast.parse) for _ in range(5)]
    assert any("recursion depth mismatch" in e for errors in attempts for e in errors)


def test_parse_source_survives_the_same_race():
    assert _race(parse_source) == []


def test_parse_source_survives_a_foreign_thread_parsing_unlocked():
    """A traceback being formatted or pytest rewriting an import parses without our lock."""
    errors: list[str] = []
    foreign = threading.Thread(target=_hammer, args=(ast.parse, []))
    ours = threading.Thread(target=_hammer, args=(parse_source, errors))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        foreign.start()
        ours.start()
        foreign.join()
        ours.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []


@pytest.mark.parametrize("terms", [400, 3_000, 300_000])
def test_deep_nesting_is_a_syntax_error_and_blocks_the_scan(terms):
    deep = "x = 1" + " + 0" * terms
    with pytest.raises(TooDeep):
        parse_source(deep)
    report = static_scan(deep)
    assert report.blocked and report.findings[0].rule == "nesting"
    assert code_hash(deep) != code_hash("x = 1")  # duplicate detection still tells them apart
    parent = "# EVOLVE-BLOCK-START\nx = 1\n# EVOLVE-BLOCK-END\ndef policy():\n    return x\n"
    child = parent.replace("x = 1", deep)
    problems = check_program(parent, child, "policy")
    assert any("syntax error" in p and "deep" in p for p in problems)


def test_ordinary_depth_is_untouched():
    shallow = "x = 1" + " + 0" * (MAX_NESTING - 10)
    assert isinstance(parse_source(shallow), ast.Module)
    assert static_scan(shallow).passed
