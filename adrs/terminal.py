"""Text from models and programs made safe to show on a terminal.

A model answer, a reasoning trace or a candidate program is untrusted text. Printed raw, an
escape sequence in it is obeyed by the terminal, not shown: ``ESC ] 0 ; title BEL`` renames the
window, ``ESC [ 2 J`` clears the screen, a lone ``\\r`` lets later text overwrite a line, an
unterminated OSC swallows the rest of the output, and bidi overrides (U+202E) make a line read
differently from what it holds (the "trojan source" trick). Rich does not help: it drops BEL,
BS, VT, FF and CR but passes ESC through.

:func:`printable` is the one place that decides what may reach the terminal. It keeps ``\\n``
and ``\\t`` and spells every other control character as a visible escape (``\\x1b``,
``\\u202e``), so the reader sees that something was there and what it was. ``adrs logs`` and
``adrs chat`` pass every untrusted string through it; ``adrs logs --json`` needs nothing (JSON
already escapes control characters).
"""

from __future__ import annotations

#: Unicode bidirectional formatting characters: embeddings, overrides, isolates and marks.
#: They are invisible yet reorder what is displayed around them.
BIDI_CONTROLS = (
    "\u061c",  # ARABIC LETTER MARK
    "\u200e",
    "\u200f",  # LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",  # LRE, RLE, PDF, LRO, RLO
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",  # LRI, RLI, FSI, PDI
)

#: Characters a terminal would act on: C0 (but TAB and LF, which are layout), DEL, C1 (some
#: terminals read U+009B as CSI), and the bidi controls.
_UNSAFE = [
    *(chr(c) for c in range(0x20) if c not in (0x09, 0x0A)),
    "\x7f",
    *(chr(c) for c in range(0x80, 0xA0)),
    *BIDI_CONTROLS,
]


def _visible(char: str) -> str:
    """``\\r`` for CR, ``\\xNN`` below U+0100 and ``\\uNNNN`` above: as Python writes them."""
    if char == "\r":
        return "\\r"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_TABLE = str.maketrans({char: _visible(char) for char in _UNSAFE})


def printable(text: str) -> str:
    """``text`` with every control character but newline and tab spelled out visibly.

    A CRLF pair is a plain line end (models and Windows files write it), so it becomes ``\\n``;
    a lone ``\\r`` is the overwrite trick and is shown as ``\\r``.
    """
    return text.replace("\r\n", "\n").translate(_TABLE)
