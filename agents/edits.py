"""Apply a coder's answer to the parent program: SEARCH/REPLACE blocks inside the EVOLVE-BLOCK.

The coder may change only the code between ``# EVOLVE-BLOCK-START`` and ``# EVOLVE-BLOCK-END``.
Its answer holds SEARCH/REPLACE blocks::

    <<<<<<< SEARCH
    lines copied from the current block
    =======
    the lines that replace them
    >>>>>>> REPLACE

or, as the fallback, the whole new block in one fenced python code block. Each SEARCH/REPLACE
block is applied in order; a block that does not apply (no match, ambiguous match, text outside
the EVOLVE-BLOCK, malformed) is never dropped silently: it becomes a :class:`BlockFailure` with a
reason precise enough for one repair round (:func:`failure_report`). Matching is exact first, then
tolerant of trailing whitespace and of a uniform indentation shift (the replacement is re-indented
by the same shift). The result is checked: it parses, it still defines the entry point, and
everything outside the EVOLVE-BLOCK is byte-identical to the parent.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field

from simulators.source import parse_source

START_MARKER = "# EVOLVE-BLOCK-START"
END_MARKER = "# EVOLVE-BLOCK-END"

_SEARCH = re.compile(r"^\s*<{5,}\s*SEARCH\s*$")
_DIVIDER = re.compile(r"^\s*={5,}\s*$")
_REPLACE = re.compile(r"^\s*>{5,}\s*REPLACE\s*$")
_FENCE = re.compile(r"```[ \t]*(?:python|py|python3)?[ \t]*\n(.*?)```", re.DOTALL)


@dataclass(frozen=True)
class SearchReplace:
    """One edit: replace ``search`` (copied from the block) by ``replace``."""

    search: str
    replace: str


@dataclass(frozen=True)
class BlockFailure:
    """A block that did not apply: its 1-based position in the answer, its SEARCH text, why."""

    index: int
    search: str
    reason: str


@dataclass
class EditOutcome:
    """The program after applying an answer, and everything that went wrong on the way."""

    source: str
    mode: str  # "diff", "rewrite" or "none"
    applied: int = 0
    failures: list[BlockFailure] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every block applied, something changed, and the program passed its checks."""
        return self.mode != "none" and not self.failures and not self.problems


def evolve_regions(source: str) -> list[tuple[int, int]]:
    """Character spans (start, end) of the editable text between each pair of markers."""
    regions: list[tuple[int, int]] = []
    offset, start = 0, None
    for line in source.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith(START_MARKER):
            start = offset + len(line)
        elif stripped.startswith(END_MARKER) and start is not None:
            regions.append((start, offset))
            start = None
        offset += len(line)
    return regions


def _outside(source: str) -> list[str]:
    """The text outside the editable regions (markers included), piece by piece."""
    pieces, last = [], 0
    for start, end in evolve_regions(source):
        pieces.append(source[last:start])
        last = end
    pieces.append(source[last:])
    return pieces


def parse_blocks(answer: str) -> tuple[list[SearchReplace], list[BlockFailure]]:
    """SEARCH/REPLACE blocks in an answer, and the malformed ones as failures."""
    blocks: list[SearchReplace] = []
    failures: list[BlockFailure] = []
    search: list[str] = []
    replace: list[str] = []
    state = "out"
    for line in answer.splitlines():
        if state == "out":
            if _SEARCH.match(line):
                state, search, replace = "search", [], []
        elif state == "search":
            if _DIVIDER.match(line):
                state = "replace"
            elif _SEARCH.match(line) or _REPLACE.match(line):
                failures.append(
                    BlockFailure(
                        len(blocks) + len(failures) + 1,
                        "\n".join(search),
                        "malformed block: no ======= line between SEARCH and REPLACE",
                    )
                )
                state = "search" if _SEARCH.match(line) else "out"
                search, replace = [], []
            else:
                search.append(line)
        elif state == "replace":
            if _REPLACE.match(line):
                blocks.append(SearchReplace("\n".join(search), "\n".join(replace)))
                state = "out"
            else:
                replace.append(line)
    if state != "out":
        failures.append(
            BlockFailure(
                len(blocks) + len(failures) + 1,
                "\n".join(search),
                "malformed block: the answer ended before >>>>>>> REPLACE",
            )
        )
    return blocks, failures


def extract_rewrite(answer: str) -> str | None:
    """The new EVOLVE-BLOCK body from the longest fenced code block (between markers if present)."""
    fences = _FENCE.findall(answer)
    if not fences:
        return None
    code = max(fences, key=len)
    if START_MARKER in code and END_MARKER in code:
        code = code.split(START_MARKER, 1)[1].split("\n", 1)[-1]
        code = code.rsplit(END_MARKER, 1)[0]
        code = code[: code.rfind("\n") + 1] if "\n" in code else ""
    return code if code.endswith("\n") or not code else code + "\n"


def _line_of(source: str, offset: int) -> int:
    return source.count("\n", 0, offset) + 1


def _inside(regions: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(r0 <= start and end <= r1 for r0, r1 in regions)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _fuzzy_matches(source: str, search_lines: list[str]) -> list[tuple[int, int, str]]:
    """Line-aligned matches ignoring trailing whitespace and a uniform indentation shift.

    Returns (start offset, end offset, indentation delta as text with sign prefix '+' or '-').
    """
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    want = [s.rstrip() for s in search_lines]
    first = next((i for i, s in enumerate(want) if s.strip()), None)
    if first is None:
        return []
    matches = []
    for i in range(len(lines) - len(want) + 1):
        window = [line.rstrip("\r\n").rstrip() for line in lines[i : i + len(want)]]
        if [w.strip() for w in window] != [s.strip() for s in want]:
            continue
        have_indent, want_indent = _indent(window[first]), _indent(want[first])
        shift_ok = all(
            not s.strip()
            or (
                w.startswith(have_indent)
                and s.startswith(want_indent)
                and w[len(have_indent) :] == s[len(want_indent) :]
            )
            for w, s in zip(window, want)
        )
        if shift_ok:
            end = offsets[i + len(want)]
            matches.append((offsets[i], end, have_indent + "\x00" + want_indent))
    return matches


def _reindent(text: str, shift: str) -> str:
    have, want = shift.split("\x00")
    out = []
    for line in text.splitlines():
        if line.strip() and line.startswith(want):
            line = have + line[len(want) :]
        out.append(line)
    return "\n".join(out)


def _closest(source: str, regions: list[tuple[int, int]], search: str) -> str:
    """A hint naming the block line closest to the SEARCH text's first line."""
    first = next((s.strip() for s in search.splitlines() if s.strip()), "")
    candidates = []
    for r0, r1 in regions:
        for n, line in enumerate(source[r0:r1].splitlines(), start=_line_of(source, r0)):
            candidates.append((difflib.SequenceMatcher(None, first, line.strip()).ratio(), n, line))
    if not candidates or not first:
        return ""
    ratio, number, line = max(candidates)
    if ratio < 0.5:
        return " Nothing in the block resembles its first line; copy lines exactly from the block."
    return f" Closest line in the block is line {number}: {line.strip()!r}; copy lines exactly."


def apply_block(source: str, block: SearchReplace) -> tuple[str | None, str | None]:
    """Apply one block: (new source, None) or (None, reason it did not apply)."""
    regions = evolve_regions(source)
    if not regions:
        return None, "the program has no EVOLVE-BLOCK markers, so nothing may be edited"
    if not block.search.strip():
        return None, (
            "empty SEARCH section: to insert code, copy the line before the insertion "
            "point into SEARCH and repeat it, followed by the new lines, in REPLACE"
        )
    if START_MARKER in block.search or END_MARKER in block.search:
        return None, (
            "the SEARCH text includes an EVOLVE-BLOCK marker line; leave the markers out and "
            "copy only lines between them"
        )
    search = block.search if block.search.endswith("\n") else block.search + "\n"
    replace = (
        block.replace
        if block.replace.endswith("\n") or not block.replace
        else (block.replace + "\n")
    )
    # Exact matches that start at a line start; then whitespace-tolerant ones. The third item
    # is the indentation shift of a fuzzy match, None for an exact one.
    spans: list[tuple[int, int, str | None]] = [
        (m.start(), m.end(), None)
        for m in re.finditer(re.escape(search), source)
        if m.start() == 0 or source[m.start() - 1] == "\n"
    ]
    inside = [span for span in spans if _inside(regions, span[0], span[1])]
    if not inside:
        fuzzy = _fuzzy_matches(source, search.splitlines())
        spans += fuzzy
        inside = [span for span in fuzzy if _inside(regions, span[0], span[1])]
    if len(inside) == 1:
        start, end, shift = inside[0]
        new = replace if shift is None else _reindent(replace, shift) + ("\n" if replace else "")
        return source[:start] + new + source[end:], None
    if len(inside) > 1:
        lines = ", ".join(str(_line_of(source, s)) for s, _, _ in inside)
        return None, (
            f"ambiguous: the SEARCH text occurs {len(inside)} times in the EVOLVE-BLOCK "
            f"(lines {lines}); include more surrounding lines to make it unique"
        )
    if spans:
        line = _line_of(source, spans[0][0])
        return None, (
            f"the SEARCH text is outside the EVOLVE-BLOCK (line {line}); only code "
            f"between {START_MARKER} and {END_MARKER} may change"
        )
    return None, "no match: the SEARCH text is not in the EVOLVE-BLOCK." + _closest(
        source, regions, block.search
    )


def _defines(tree: ast.Module, name: str) -> bool:
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and (
            node.name == name
        ):
            return True
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return True
    return False


def check_program(parent: str, child: str, entry_point: str) -> list[str]:
    """Problems with a candidate: syntax, missing entry point, changes outside the EVOLVE-BLOCK."""
    problems = []
    if len(evolve_regions(child)) != len(evolve_regions(parent)):
        problems.append("the EVOLVE-BLOCK markers were removed, duplicated or reordered")
    elif _outside(child) != _outside(parent):
        problems.append("code outside the EVOLVE-BLOCK changed; only the block may be edited")
    try:
        tree = parse_source(child)
        # Compiling (never running) also catches what the parser lets through, such as a
        # 'return' outside a function, so the coder hears of it in its repair round.
        compile(child, "<candidate>", "exec")
    except SyntaxError as exc:
        problems.append(f"syntax error at line {exc.lineno}: {exc.msg}")
        return problems
    if not _defines(tree, entry_point):
        problems.append(f"the program no longer defines {entry_point!r} at module level")
    return problems


def apply_rewrite(parent: str, block_body: str) -> str | None:
    """Replace the body of the (single) EVOLVE-BLOCK; None when there is not exactly one block."""
    regions = evolve_regions(parent)
    if len(regions) != 1:
        return None
    start, end = regions[0]
    return parent[:start] + block_body + parent[end:]


def apply_answer(parent: str, answer: str, entry_point: str) -> EditOutcome:
    """Apply a coder answer: SEARCH/REPLACE blocks if any, else a fenced full rewrite."""
    blocks, failures = parse_blocks(answer)
    if blocks or failures:
        source, applied = parent, 0
        numbered = sorted(
            [(f.index, None, f) for f in failures]
            + [(i, b, None) for i, b in zip(_free_indices(len(blocks), failures), blocks)],
            key=lambda t: t[0],
        )
        reported = list(failures)
        for index, block, _ in numbered:
            if block is None:
                continue
            new, reason = apply_block(source, block)
            if new is None:
                reported.append(BlockFailure(index, block.search, reason or "did not apply"))
            else:
                source, applied = new, applied + 1
        reported.sort(key=lambda f: f.index)
        problems = check_program(parent, source, entry_point) if applied else []
        if applied and source == parent:
            problems.append("the edits changed nothing")
        return EditOutcome(source, "diff", applied, reported, problems)
    body = extract_rewrite(answer)
    if body is not None:
        rewritten = apply_rewrite(parent, body)
        if rewritten is None:
            return EditOutcome(
                parent,
                "none",
                failures=[
                    BlockFailure(
                        0, "", "a full rewrite needs exactly one EVOLVE-BLOCK; use SEARCH/REPLACE"
                    )
                ],
            )
        return EditOutcome(
            rewritten, "rewrite", 1, [], check_program(parent, rewritten, entry_point)
        )
    return EditOutcome(
        parent,
        "none",
        failures=[
            BlockFailure(
                0, "", "the answer has no SEARCH/REPLACE block and no fenced python code block"
            )
        ],
    )


def _free_indices(count: int, failures: list[BlockFailure]) -> list[int]:
    """1-based answer positions of the well-formed blocks, skipping the malformed ones."""
    taken = {f.index for f in failures}
    out: list[int] = []
    n = 1
    while len(out) < count:
        if n not in taken:
            out.append(n)
        n += 1
    return out


def failure_report(outcome: EditOutcome, kept: bool = True) -> str:
    """What went wrong, written for the model's repair round.

    ``kept`` says whether the blocks that did apply were kept (the coder discards a round whose
    result fails its checks, and the model must hear that too).
    """
    parts = []
    for f in outcome.failures:
        head = f"Block {f.index} did not apply: {f.reason}" if f.index else f.reason
        if f.search.strip():
            head += f"\nIts SEARCH section was:\n```\n{f.search}\n```"
        parts.append(head)
    parts.extend(f"Problem: {p}" for p in outcome.problems)
    if outcome.applied and kept and outcome.failures:
        parts.append(f"The other {outcome.applied} block(s) were applied and kept.")
    elif outcome.applied and not kept:
        parts.append(
            "Because of these problems none of the edits were kept; the block is unchanged."
        )
    return "\n\n".join(parts)


def block_text(source: str) -> str:
    """The current EVOLVE-BLOCK body (all blocks, joined), to show the model."""
    return "".join(source[s:e] for s, e in evolve_regions(source))
