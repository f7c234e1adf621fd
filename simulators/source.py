"""Parsing program text into a syntax tree, safely from any thread and on any input.

Two hazards make a bare ``ast.parse`` unfit for model-written programs in a threaded loop:

- CPython 3.11 keeps the AST constructor's recursion counter in interpreter-wide state. Two
  threads building trees at once (the loop scores candidates in a thread pool, lanes record
  programs in parallel) interleave their counts and one of them fails with ``SystemError: AST
  constructor recursion depth mismatch`` although its tree is fine (python/cpython#106905; it
  failed a CI run of ours). Our parses take one lock, and a parse that collided with someone
  else's (a traceback being formatted, pytest rewriting an import) is simply repeated.
- Deep nesting breaks whoever walks the tree: ``x = 1+0+0+...`` four hundred terms long parses,
  then exhausts Python's recursion limit in the static scan and in ``ast.unparse``; three
  hundred thousand terms make the parser itself raise ``RecursionError`` or ``MemoryError``.
  No policy needs more than ``MAX_NESTING`` levels, so deeper text is refused as ``TooDeep``, a
  ``SyntaxError``: every caller's handling of unparseable text applies, and the static scan
  blocks it (an unscanned program must not run).

Only the standard library is imported: every package may use this module.
"""

from __future__ import annotations

import ast
import threading

#: Deepest syntax tree accepted (a hand-written policy stays under 30; ``NodeVisitor`` and
#: ``ast.unparse`` use about four Python frames per level, against a limit of 1000).
MAX_NESTING = 100

_LOCK = threading.Lock()
_ATTEMPTS = 5
_COLLISION = "recursion depth mismatch"


class TooDeep(SyntaxError):
    """The text nests deeper than ``MAX_NESTING`` (or than the parser can go)."""


def parse_source(source: str, filename: str = "<candidate>") -> ast.Module:
    """``ast.parse(source)``, raising only ``SyntaxError`` (or ``ValueError`` for NUL bytes)."""
    tree = _parse(source, filename)
    depth, line = _deepest(tree)
    if depth > MAX_NESTING:
        raise TooDeep(
            f"nested {depth} levels deep (at most {MAX_NESTING})", (filename, line, 0, "")
        )
    return tree


def _parse(source: str, filename: str) -> ast.Module:
    for attempt in range(_ATTEMPTS):
        with _LOCK:
            try:
                return ast.parse(source, filename)
            except SystemError as exc:
                if _COLLISION not in str(exc) or attempt == _ATTEMPTS - 1:
                    raise
            except (RecursionError, MemoryError) as exc:
                message = f"too deeply nested to parse ({type(exc).__name__})"
                raise TooDeep(message, (filename, 1, 0, "")) from None
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _deepest(tree: ast.AST) -> tuple[int, int]:
    """Depth of the deepest node and its line, walked without recursion."""
    deepest, line = 0, 1
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest, line = depth, getattr(node, "lineno", line)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest, line
