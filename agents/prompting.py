"""Prompt files (``agents/prompts/*.md``) rendered with ``string.Template`` placeholders.

Templates use ``$name`` placeholders, so code and JSON with braces can be pasted in unescaped.
A missing value is a bug in the caller and raises ``KeyError``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import Template

PROMPTS_DIR = Path(__file__).with_name("prompts")


@cache
def _template(name: str) -> Template:
    return Template((PROMPTS_DIR / f"{name}.md").read_text())


def render(name: str, **values: object) -> str:
    """The prompt file ``name`` with its placeholders filled."""
    return _template(name).substitute({k: str(v) for k, v in values.items()}).strip()


def chat(system: str, user: str, **values: object) -> list[dict[str, str]]:
    """A system + user message pair from two prompt files sharing the same values."""
    return [
        {"role": "system", "content": render(system, **values)},
        {"role": "user", "content": render(user, **values)},
    ]
