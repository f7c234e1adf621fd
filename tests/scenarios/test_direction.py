"""The one rule of which way a score improves: every ranking, gain and tally asks it."""

from __future__ import annotations

import random

import pytest

from simulators.direction import best, better, gain, merit, word


@pytest.mark.parametrize("direction", ["min", "max"])
def test_better_agrees_with_the_raw_comparison(direction):
    rng = random.Random(7)
    for _ in range(2000):
        a, b = rng.uniform(-1e3, 1e3), rng.choice([rng.uniform(-1e3, 1e3), 0.0, -0.0])
        raw = a < b if direction == "min" else a > b
        assert better(a, b, direction) == raw
        assert (gain(a, b, direction) > 0) == raw
        assert merit(a, direction) - merit(b, direction) == gain(a, b, direction)


def test_gain_is_in_the_scores_unit_and_positive_when_ahead():
    assert gain(90.0, 100.0, "min") == 10.0  # ten dollars cheaper
    assert gain(90.0, 100.0, "max") == -10.0  # ten units of throughput behind
    assert not better(5.0, 5.0, "min") and not better(5.0, 5.0, "max")


def test_best_picks_by_direction_and_keeps_the_first_of_equals():
    runs = [("a", 3.0), ("b", 1.0), ("c", 1.0), ("d", 4.0)]
    assert best(runs, "min", score=lambda r: r[1]) == ("b", 1.0)
    assert best(runs, "max", score=lambda r: r[1]) == ("d", 4.0)


def test_word_says_which_way():
    assert (word("min"), word("max")) == ("lower", "higher")
