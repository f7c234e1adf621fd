"""The normalised hash ignores comments, docstrings and layout, and nothing else."""

from __future__ import annotations

from memory import code_hash

BASE = '''
def decide(state):
    """Pick an instance type."""
    if state.spot_available:  # cheap
        return "SPOT"
    return "ON_DEMAND"
'''

REFORMATTED = """# policy v2
def decide( state ):
    if state.spot_available :
        return 'SPOT'


    return "ON_DEMAND"   # fallback
"""


def test_trivial_variants_share_a_hash():
    assert code_hash(BASE) == code_hash(REFORMATTED)


def test_behaviour_change_changes_the_hash():
    assert code_hash(BASE) != code_hash(BASE.replace('"SPOT"', '"NONE"'))


def test_unparsable_code_still_hashes_without_comments():
    broken = "def f(:\n    return 1  # note\n"
    assert code_hash(broken) == code_hash("def f(:\n        return 1\n")
    assert code_hash(broken) != code_hash("def f(:\n    return 2\n")


def test_docstring_only_body_stays_valid():
    assert code_hash('def f():\n    "doc"\n') == code_hash("def f():\n    pass\n")
