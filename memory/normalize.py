"""A hash of what a program *does*, not how it is typed, so trivial variants count as duplicates.

Models often return the parent again with a new comment, a reworded docstring or different
spacing. Evaluating that again wastes simulator time and teaches the search nothing, so the
store keys programs by the hash of their normalised form: parsed with ``ast`` and unparsed,
which drops comments and layout, with docstrings removed. Code that does not parse falls back
to a token-level normal form (comments dropped, whitespace collapsed).
"""

from __future__ import annotations

import ast
import hashlib
import io
import tokenize

from simulators.source import parse_source


def _strip_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                # Keep the body non-empty so the tree still unparses to valid code.
                node.body = body[1:] or [ast.Pass()]
    return tree


def _token_form(code: str) -> str:
    try:
        tokens = tokenize.generate_tokens(io.StringIO(code).readline)
        kept = [
            tok.string
            for tok in tokens
            if tok.type not in (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING)
            and tok.string.strip()
        ]
        return " ".join(kept)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        # Naive comment stripping: may cut a '#' inside a string, acceptable for broken code.
        return " ".join(" ".join(line.split("#", 1)[0] for line in code.splitlines()).split())


def normalize_code(code: str) -> str:
    """The canonical text of ``code``: no comments, no docstrings, canonical layout."""
    try:
        tree = parse_source(code)
    except (SyntaxError, ValueError):
        return _token_form(code)
    return ast.unparse(_strip_docstrings(tree))


def code_hash(code: str) -> str:
    """SHA-256 (hex) of ``normalize_code(code)``: the key of duplicate rejection and caching."""
    return hashlib.sha256(normalize_code(code).encode("utf-8")).hexdigest()
