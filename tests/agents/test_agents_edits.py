"""SEARCH/REPLACE application: success, precise failure reports, rewrite fallback, refusals."""

from agents.edits import (
    SearchReplace,
    apply_answer,
    apply_block,
    block_text,
    check_program,
    failure_report,
    parse_blocks,
)

PARENT = """import math

LIMIT = 3


# EVOLVE-BLOCK-START
def policy(state):
    if state > 2:
        return 1
    return 0


def helper(x):
    return 0
# EVOLVE-BLOCK-END


def harness():
    return policy(LIMIT)
"""


def sr(search: str, replace: str) -> str:
    return f"<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n"


def test_applies_a_block_inside_the_evolve_block():
    out = apply_answer(PARENT, "Change:\n" + sr("    if state > 2:", "    if state > 5:"), "policy")
    assert out.ok and out.applied == 1 and out.mode == "diff"
    assert "if state > 5:" in out.source
    assert out.source.replace("state > 5", "state > 2") == PARENT


def test_ambiguous_match_is_reported_with_line_numbers():
    out = apply_answer(PARENT, sr("    return 0", "    return 2"), "policy")
    assert not out.ok and out.applied == 0
    (failure,) = out.failures
    assert failure.index == 1 and "ambiguous" in failure.reason and "2 times" in failure.reason
    assert "lines 10, 14" in failure.reason


def test_edit_outside_the_block_is_refused():
    out = apply_answer(PARENT, sr("    return policy(LIMIT)", "    return 99"), "policy")
    (failure,) = out.failures
    assert "outside the EVOLVE-BLOCK" in failure.reason and "line 19" in failure.reason
    assert "return 99" not in out.source


def test_no_match_names_the_closest_line():
    out = apply_answer(PARENT, sr("    if stat > 2:", "    if state > 9:"), "policy")
    (failure,) = out.failures
    assert failure.reason.startswith("no match")
    assert "line 8" in failure.reason and "if state > 2:" in failure.reason


def test_partial_application_reports_every_failed_block_in_order():
    answer = (
        sr("    if state > 2:", "    if state > 4:")
        + sr("    nope", "    x")
        + sr("    return policy(LIMIT)", "    return 1")
    )
    out = apply_answer(PARENT, answer, "policy")
    assert out.applied == 1
    assert [f.index for f in out.failures] == [2, 3]
    report = failure_report(out)
    assert "Block 2 did not apply: no match" in report
    assert "Block 3 did not apply: the SEARCH text is outside" in report
    assert "applied and kept" in report
    assert "if state > 4:" in out.source


def test_whitespace_tolerant_match_reindents_the_replacement():
    # The model dropped the indentation and added trailing spaces.
    answer = sr("if state > 2:   \n    return 1", "if state >= 2:\n    return 7")
    out = apply_answer(PARENT, answer, "policy")
    assert out.ok, out
    assert "    if state >= 2:\n        return 7\n" in out.source


def test_malformed_block_is_reported_not_dropped():
    answer = sr("    if state > 2:", "    if state > 3:") + "<<<<<<< SEARCH\n    return 1\n"
    blocks, failures = parse_blocks(answer)
    assert len(blocks) == 1
    assert failures[0].index == 2 and "ended before" in failures[0].reason
    out = apply_answer(PARENT, answer, "policy")
    assert out.applied == 1 and [f.index for f in out.failures] == [2]


def test_marker_lines_in_search_are_explained():
    out = apply_answer(
        PARENT, sr("# EVOLVE-BLOCK-START\ndef policy(state):", "def p(s):"), "policy"
    )
    assert "includes an EVOLVE-BLOCK marker" in out.failures[0].reason


def test_empty_search_is_explained():
    new, reason = apply_block(PARENT, SearchReplace("", "x = 1"))
    assert new is None and "empty SEARCH" in reason


def test_full_rewrite_fallback_replaces_only_the_block():
    answer = "Here:\n```python\ndef policy(state):\n    return 2\n```\n"
    out = apply_answer(PARENT, answer, "policy")
    assert out.ok and out.mode == "rewrite"
    assert block_text(out.source) == "def policy(state):\n    return 2\n"
    assert out.source.startswith("import math\n\nLIMIT = 3\n")
    assert out.source.endswith("def harness():\n    return policy(LIMIT)\n")


def test_rewrite_with_markers_keeps_the_parent_outside():
    answer = (
        "```python\nimport os\n# EVOLVE-BLOCK-START\ndef policy(s):\n    return 3\n"
        "# EVOLVE-BLOCK-END\nprint(os.environ)\n```"
    )
    out = apply_answer(PARENT, answer, "policy")
    assert out.ok
    assert "import os" not in out.source and "os.environ" not in out.source


def test_checks_syntax_entry_point_and_markers():
    syntax = apply_answer(PARENT, sr("    if state > 2:", "    if state >> :"), "policy")
    assert any("syntax error at line 8" in p for p in syntax.problems) and not syntax.ok
    renamed = apply_answer(PARENT, sr("def policy(state):", "def policy2(state):"), "policy")
    assert any("no longer defines 'policy'" in p for p in renamed.problems)
    garbage = apply_answer(PARENT, "```python\ndef policy(((:\n```", "policy")
    assert garbage.problems and not garbage.ok
    broken = PARENT.replace("# EVOLVE-BLOCK-END\n", "")
    assert any("markers" in p for p in check_program(PARENT, broken, "policy"))


def test_replacement_cannot_smuggle_a_second_block():
    answer = sr("    return 1", "    return 1\n# EVOLVE-BLOCK-END\nimport os\n# EVOLVE-BLOCK-START")
    out = apply_answer(PARENT, answer, "policy")
    assert not out.ok and out.problems


def test_answer_without_edits_is_a_failure():
    out = apply_answer(PARENT, "I think we should use hysteresis.", "policy")
    assert out.mode == "none" and not out.ok
    assert "no SEARCH/REPLACE block" in failure_report(out)


def test_compile_errors_the_parser_accepts_are_reported():
    from agents.edits import check_program

    parent = "# EVOLVE-BLOCK-START\ndef Policy():\n    return 1\n# EVOLVE-BLOCK-END\n"
    child = "# EVOLVE-BLOCK-START\ndef Policy():\n    pass\nreturn 1\n# EVOLVE-BLOCK-END\n"
    problems = check_program(parent, child, "Policy")
    assert problems and "outside function" in problems[0]
