"""Sections of a prompt, kept within a token budget by whole items, never cut mid-sentence.

A section is a heading and a list of items (a line, a paragraph, a code block). Sections come in
priority order; when the next item does not fit, it and the rest of its section are left out
and the section says how many, so a reader knows something is missing rather than reading half
a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from memory.digest import CHARS_PER_TOKEN

#: Prompt budgets (tokens) of the two forms: a small local model gets the short one.
SHORT_TOKENS = 3000
LONG_TOKENS = 24000


@dataclass
class Section:
    heading: str
    items: list[str] = field(default_factory=list)
    #: Text between the heading and the items (kept whole, counted in the budget).
    lead: str = ""
    #: Items separated by a blank line (paragraphs, code) rather than a newline (list lines).
    spaced: bool = False


def compose(sections: list[Section], max_tokens: int) -> str:
    """The sections within ``max_tokens`` (characters / 4), highest priority first."""
    budget = max_tokens * CHARS_PER_TOKEN
    out: list[str] = []
    used = 0
    for section in sections:
        if not section.items and not section.lead:
            continue
        head = f"# {section.heading}\n" + (section.lead + "\n" if section.lead else "")
        if used + len(head) > budget:
            break
        kept: list[str] = []
        joiner = "\n\n" if section.spaced else "\n"
        size = len(head)
        for index, item in enumerate(section.items):
            if used + size + len(item) + len(joiner) > budget:
                left = len(section.items) - index
                kept.append(f"({left} more left out to fit the prompt)")
                break
            kept.append(item)
            size += len(item) + len(joiner)
        out.append(head + joiner.join(kept))
        used += size
    return "\n\n".join(out).strip()
