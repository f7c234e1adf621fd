"""Static scan of a candidate's source: what no scheduling policy needs, found with ``ast``.

Two kinds of finding. *Blocking* ones (file, process, network or interpreter access; frame,
``gc``, ``inspect`` or ``ctypes`` introspection; rewriting builtins, ``sys.modules`` or an
imported module's attributes) mean the program is not even run (``evaluate`` reports
``violation``). *Non-blocking* ones (literal
tables big enough to memorise workloads) only fail the verifier's check. The runtime sandbox
stays the real wall: obfuscation (``getattr(x, "op" + "en")``) gets past any static scan.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from simulators.source import TooDeep, parse_source

FORBIDDEN_MODULES = {
    "os",
    "posix",
    "nt",
    "subprocess",
    "socket",
    "ssl",
    "ctypes",
    "cffi",
    "_ctypes",
    "importlib",
    "inspect",
    "gc",
    "multiprocessing",
    "threading",
    "_thread",
    "concurrent",
    "asyncio",
    "signal",
    "shutil",
    "pathlib",
    "io",
    "_io",
    "tempfile",
    "pickle",
    "marshal",
    "shelve",
    "builtins",
    "__builtin__",
    "urllib",
    "http",
    "httpx",
    "requests",
    "ftplib",
    "smtplib",
    "telnetlib",
    "pty",
    "resource",
    "mmap",
    "sqlite3",
    "traceback",
    "code",
    "codeop",
    "runpy",
    "zipimport",
    "pkgutil",
    "site",
    "fcntl",
    "select",
    "selectors",
    "sys_monitoring",
    "faulthandler",
    "tracemalloc",
    "webbrowser",
    "glob",
    "dbm",
    "zipfile",
    "tarfile",
}
FORBIDDEN_CALLS = {
    "open",
    "exec",
    "eval",
    "compile",
    "__import__",
    "breakpoint",
    "input",
    "memoryview",
}
FORBIDDEN_ATTRIBUTES = {
    "_getframe",
    "_current_frames",
    "settrace",
    "setprofile",
    "modules",
    "exc_info",
    "f_back",
    "f_locals",
    "f_globals",
    "f_builtins",
    "f_code",
    "tb_frame",
    "tb_next",
    "gi_frame",
    "cr_frame",
    "ag_frame",
    "gi_code",
    "__subclasses__",
    "__globals__",
    "__code__",
    "__closure__",
    "__builtins__",
    "__loader__",
    "__spec__",
    "system",
    "popen",
    "_exit",
    "addaudithook",
    "setrecursionlimit",
}
FORBIDDEN_NAMES = {"__builtins__", "__loader__", "__spec__"}
#: Elements in one literal (nested counted) beyond which it looks like a memorised table.
MAX_LITERAL_ELEMENTS = 400
MAX_STRING_CHARS = 4000


@dataclass
class Finding:
    """One thing the scan found: where, what, and whether it blocks the run."""

    line: int
    rule: str
    message: str
    blocking: bool = True

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class StaticReport:
    """All findings; ``passed`` when there are none, ``blocked`` when one forbids running."""

    findings: list[Finding] = field(default_factory=list)
    #: False when the source does not parse: nothing was scanned (the run reports the error).
    parsed: bool = True

    @property
    def passed(self) -> bool:
        return not self.findings

    @property
    def blocked(self) -> bool:
        return any(f.blocking for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "passed": self.passed,
            "blocking": self.blocked,
            "findings": [str(f) for f in self.findings[:20]],
        }
        if not self.parsed:
            out.update(applicable=False, reason="not scanned: the program does not parse")
        return out


def _literal_size(node: ast.AST) -> int:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return len(node.elts) + sum(_literal_size(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return len(node.keys) + sum(_literal_size(v) for v in node.values if v is not None)
    return 0


class _Scanner(ast.NodeVisitor):
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self._inside_literal = False
        #: Names bound by ``import X [as Y]``: writing an attribute of one is monkeypatching.
        self._modules: set[str] = set()

    def add(self, node: ast.AST, rule: str, message: str, blocking: bool = True) -> None:
        self.findings.append(Finding(getattr(node, "lineno", 0), rule, message, blocking))

    def _module(self, node: ast.AST, name: str) -> None:
        root = name.split(".")[0]
        if root in FORBIDDEN_MODULES or (root == "sys" and name != "sys"):
            self.add(node, "import", f"imports '{name}' (I/O, processes or introspection)")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._module(node, alias.name)
            self._modules.add(alias.asname or alias.name.split(".")[0])

    def _patched(self, target: ast.AST) -> None:
        """A write to ``np.argsort`` (or ``np.linalg.norm``) changes the function for every
        caller in the process, the harness and a timed reference included."""
        if not isinstance(target, ast.Attribute):
            return
        root: ast.AST = target
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in self._modules:
            self.add(
                target,
                "monkeypatch",
                f"rebinds {ast.unparse(target)} (changing an "
                "imported module changes it for every caller)",
            )

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            for part in target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]:
                self._patched(part)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._patched(node.target)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._patched(target)
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        self._module(node, module)
        if module == "sys":
            for alias in node.names:
                if alias.name in FORBIDDEN_ATTRIBUTES:
                    self.add(node, "introspection", f"imports sys.{alias.name}")

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
            self.add(node, "call", f"calls {node.func.id}()")
        if (
            isinstance(node.func, ast.Name)
            and node.func.id in ("setattr", "delattr")
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in self._modules
        ):
            self.add(node, "monkeypatch", f"{node.func.id}() on module '{node.args[0].id}'")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in FORBIDDEN_ATTRIBUTES:
            self.add(node, "introspection", f"uses .{node.attr}")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in FORBIDDEN_NAMES:
            self.add(node, "builtins", f"touches {node.id}")

    def visit_Global(self, node: ast.Global) -> None:
        for name in node.names:
            if name in {"open", "print", "len", "min", "max", "sum", "range", "abs"}:
                self.add(node, "builtins", f"rebinds builtin '{name}' globally")

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, (str, bytes)) and len(node.value) > MAX_STRING_CHARS:
            self.add(
                node,
                "literal",
                f"string literal of {len(node.value)} characters (memorised data?)",
                blocking=False,
            )

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)) and not self._inside_literal:
            size = _literal_size(node)
            if size > MAX_LITERAL_ELEMENTS:
                self.add(
                    node,
                    "literal",
                    f"literal table of {size} elements (memorised data?)",
                    blocking=False,
                )
            self._inside_literal = True
            super().generic_visit(node)
            self._inside_literal = False
            return
        super().generic_visit(node)


def static_scan(source: str) -> StaticReport:
    """Scan candidate source. A syntax error is no finding: running it reports that better."""
    try:
        tree = parse_source(source)
    except TooDeep as exc:
        # It may well run (CPython compiles deeper code than a scan can walk): it must not run
        # unscanned.
        return StaticReport(findings=[Finding(exc.lineno or 0, "nesting", f"{exc.msg}")])
    except (SyntaxError, ValueError):
        return StaticReport(parsed=False)
    scanner = _Scanner()
    scanner.visit(tree)
    return StaticReport(findings=scanner.findings)
