"""evaluate(): statuses and scores for ordinary (non-hostile) programs on the toy scenario."""

from __future__ import annotations

from simulators.evaluate import evaluate
from simulators.sandbox.toykind import TOY_SEED as SEED


def test_seed_scores_in_parent(toy):
    result = evaluate(toy, SEED, "train")
    assert result.status == "ok", result.error
    assert result.runs == 6
    assert result.feasible and result.score is not None
    # series "e" is always available: 3 cheap ticks at price 1.
    assert result.per_workload["train-e"] == 3.0
    assert result.per_workload["train-d"] == 9.0


def test_workload_subset(toy):
    result = evaluate(toy, SEED, "train", workload_ids=["train-e"])
    assert result.runs == 1 and result.score == 3.0


def test_syntax_error_is_one_line(toy):
    result = evaluate(toy, "def broken(:\n", "train")
    assert result.status == "error"
    assert result.error.startswith("syntax error") and "\n" not in result.error


def test_missing_entry_point(toy):
    result = evaluate(toy, "x = 1\n", "train")
    assert result.status == "error" and "Policy" in result.error


def test_exception_has_bounded_traceback(toy):
    source = "class Policy:\n    def __init__(self, job): pass\n    def decide(self, obs): raise ValueError('boom')\n"
    result = evaluate(toy, source, "train")
    assert result.status == "error"
    assert "ValueError: boom" in result.error
    assert "decide" in result.traceback and len(result.traceback) < 5000


def test_invalid_action(toy):
    source = "class Policy:\n    def __init__(self, job): pass\n    def decide(self, obs): return 'SPOT'\n"
    result = evaluate(toy, source, "train")
    assert result.status == "invalid" and "bad action" in result.error


def test_infeasible(toy):
    source = (
        "class Policy:\n    def __init__(self, job): pass\n    def decide(self, obs): return 0\n"
    )
    result = evaluate(toy, source, "train")
    assert result.status == "ok" and not result.feasible
    assert result.score is None and result.infeasible_runs == 6


def test_stdout_captured(toy):
    source = SEED + "\nprint('hello from candidate')\n"
    result = evaluate(toy, source, "train")
    assert result.status == "ok" and "hello from candidate" in result.stdout


def test_numpy_functions_that_import_lazily_work_in_the_child(toy):
    # np.unique imports numpy.ma on first use (numpy 2.4); importing a package the zygote had
    # not loaded lists its folder, which the guard refuses: a model's np.unique failed as
    # "forbidden operation: os.listdir". Every numpy submodule numpy loads lazily is preloaded.
    calls = (
        "np.unique(np.array([3, 1, 3]), return_counts=True)",
        "np.fft.rfft(np.ones(4))",
        "np.polynomial.Polynomial([1, 2])(3)",
        "np.linalg.norm(np.ones(3))",
        "np.ma.masked_array([1, 2])",
        "np.strings.upper(np.array(['a']))",
    )
    body = "".join(f"        {call}\n" for call in calls)
    source = SEED.replace(
        "    def decide(self, obs):\n",
        "    def decide(self, obs):\n        import numpy as np\n" + body,
        1,
    )
    assert source != SEED
    result = evaluate(toy, source, "train", workload_ids=["train-e"])
    assert result.status == "ok", result.error


def test_a_refused_folder_listing_says_it_comes_from_an_import():
    from simulators.sandbox.guard import _is_forbidden

    reason = _is_forbidden("os.listdir", ("/usr/lib/python3/somepkg",), "candidate.py")
    assert reason.startswith("forbidden operation: os.listdir('/usr/lib/python3/somepkg')")
    assert "preloaded" in reason and "\n" not in reason
