"""Constant tuning: finds the knobs inside the block and improves a toy objective within budget."""

from agents.tuner import find_constants, substitute, tune_constants

PROGRAM = """SCALE = 10.0


# EVOLVE-BLOCK-START
def policy(x):
    threshold = 2.0
    margin = -0.5
    for i in range(1):
        pass
    return threshold * x + margin + 3
# EVOLVE-BLOCK-END
"""


def knobs(source: str) -> dict[str, float]:
    namespace: dict = {}
    exec(source, namespace)
    fn = namespace["policy"]
    return {"at0": fn(0.0), "at1": fn(1.0)}


def test_finds_only_block_constants_and_keeps_formatting():
    constants = find_constants(PROGRAM)
    assert [c.value for c in constants] == [2.0, -0.5, 3.0]  # SCALE and range(1) are skipped
    assert [c.is_int for c in constants] == [False, False, True]
    new = substitute(PROGRAM, constants, [4.0, -1.25, 5])
    assert "threshold = 4.0" in new and "margin = (-1.25)" in new and "margin + 5" in new
    assert new.startswith("SCALE = 10.0")


def test_tuner_improves_a_toy_objective_within_budget():
    calls = []

    def objective(source: str) -> float:
        calls.append(source)
        v = knobs(source)
        # Best at threshold*1 + margin + c = 4 and margin + c = 1.5: many optima, smooth bowl.
        return -((v["at1"] - 4.0) ** 2 + (v["at0"] - 1.5) ** 2)

    result = tune_constants(PROGRAM, objective, budget=40)
    assert result.evaluations <= 40 and len(calls) == result.evaluations
    assert result.initial_score == objective(PROGRAM)
    assert result.score > result.initial_score + 1.0
    assert result.improved and result.source != PROGRAM
    assert objective(result.source) == result.score


def test_budget_is_hard_and_failures_are_infeasible():
    seen = []

    def flaky(source: str):
        seen.append(source)
        if len(seen) % 2 == 0:
            raise RuntimeError("candidate crashed")
        return None if len(seen) % 3 == 0 else float(len(seen))

    result = tune_constants(PROGRAM, flaky, budget=7, method="Powell")
    assert result.evaluations == 7 == len(seen)
    assert result.score is not None


def test_minimize_direction_and_no_constants():
    result = tune_constants(PROGRAM, lambda s: knobs(s)["at1"] ** 2, budget=25, maximize=False)
    assert result.score < result.initial_score
    plain = "# EVOLVE-BLOCK-START\ndef policy(x):\n    return x\n# EVOLVE-BLOCK-END\n"
    out = tune_constants(plain, lambda s: 1.0, budget=10)
    assert out.evaluations == 1 and out.source == plain and not out.improved
