"""A small but complete spot-single session written through memory's public API.

Shared by the chat tests and the dashboard/report tests (loaded by path from tests/web), so
both read the same facts: a seed, two baselines, the optimum, four iterations with hypotheses,
programs, cascade evaluations, critiques, verdicts (accepted and rejected), champions, LLM calls
with reasoning, and a directive.
"""

from __future__ import annotations

from pathlib import Path

from memory import open_store

SEED = '''class Policy:
    """Seed: spot when available, else on-demand."""

    def decide(self, tick, spot_available, progress_h, left_h, deadline_h):
        # EVOLVE-BLOCK-START
        if spot_available:
            return "SPOT"
        return "ON_DEMAND"
        # EVOLVE-BLOCK-END
'''

HYSTERESIS = SEED.replace(
    '        if spot_available:\n            return "SPOT"\n',
    "        slack = deadline_h - left_h\n"
    '        if spot_available and slack > 2.0:\n            return "SPOT"\n'
    '        if slack > 6.0:\n            return "NONE"\n',
)

PRICE_PEEK = SEED.replace('return "ON_DEMAND"', 'return "NONE" if tick < 10 else "ON_DEMAND"')

SAFETY_NET = HYSTERESIS.replace("slack > 6.0", "slack > 4.5")


def _metrics(spot: float, od: float, overhead: float) -> dict[str, float]:
    return {
        "mean_spot_usd": spot,
        "mean_on_demand_usd": od,
        "mean_overhead_usd": overhead,
        "spot_work_share": spot / (spot + od),
        "deadline_misses": 0.0,
    }


def _parts(spot: float, od: float, overhead: float) -> dict[str, dict[str, float]]:
    """Evaluation artifacts with the score's parts (they add up to the score, as scored)."""
    return {
        "parts": {"spot, working": spot, "on-demand, working": od, "restart overhead": overhead}
    }


def fill(workspace: Path, name: str = "demo", status: str = "finished") -> dict[str, int]:
    """Write the session into ``workspace``; returns the ids tests refer to."""
    store = open_store(workspace)
    sid = store.create_session(
        name, "spot-single", {"iterations": 4, "k": 1}, seed=7, scenario_version="1"
    )
    store.set_session_status(sid, "running")
    ids: dict[str, int] = {"session": sid}

    for base, score, parts in (
        ("greedy", 71.5, (30.0, 38.0, 3.5)),
        ("uniform_progress", 64.2, (33.0, 28.0, 3.2)),
    ):
        code = SEED.replace(
            'return "ON_DEMAND"', f'return "ON_DEMAND"  # {base}\n        BASELINE = "{base}"'
        )
        added = store.add_program(sid, code, origin=f"baseline:{base}", status="baseline")
        assert not added.duplicate
        pid = added.program_id
        store.add_evaluation(
            pid, "train", "full", score, True, "ok", _metrics(*parts), artifacts=_parts(*parts)
        )
        store.add_evaluation(pid, "heldout", "full", score * 1.03, True, "ok", _metrics(*parts))
        ids[base] = pid
    store.add_event(sid, "limit", {"split": "train", "score": 48.9, "name": "optimum"})

    seed = store.add_program(sid, SEED, origin="seed", status="evaluated").program_id
    assert seed not in (ids["greedy"], ids["uniform_progress"])
    store.add_evaluation(
        seed,
        "train",
        "full",
        80.3,
        True,
        "ok",
        _metrics(25.0, 52.0, 3.3),
        artifacts=_parts(25.0, 52.0, 3.3),
    )
    ids["seed"] = seed

    plan = [
        (
            1,
            "Hysteresis on slack: idle while slack is large, spot only above 2 h slack",
            HYSTERESIS,
            seed,
            62.1,
            63.0,
            True,
            [],
        ),
        (
            2,
            "Peek at the spot price data to time launches",
            PRICE_PEEK,
            seed,
            55.0,
            None,
            False,
            [
                "causality check failed: decisions change when the trace after tick t changes",
                "static check failed: reads the trace's future",
            ],
        ),
        (
            3,
            "Tighter safety net: go on-demand when slack falls under 4.5 h",
            SAFETY_NET,
            None,
            60.4,
            61.2,
            True,
            [],
        ),
    ]
    for iteration, text, code, parent, train, heldout, accepted, reasons in plan:
        parent = parent if parent is not None else ids["hysteresis"]
        hid = store.add_hypothesis(
            sid,
            iteration,
            text,
            rationale="critic saw idle stretches",
            expected_effect="lower on-demand spend",
            parent_program_id=parent,
        )
        pid = store.add_program(
            sid, code, parent_id=parent, hypothesis_id=hid, iteration=iteration
        ).program_id
        store.add_evaluation(pid, "train", "stage1", train * 0.98, True, "ok")
        store.add_evaluation(
            pid,
            "train",
            "full",
            train,
            True,
            "ok",
            _metrics(train * 0.6, train * 0.35, train * 0.05),
            artifacts=_parts(train * 0.6, train * 0.35, train * 0.05),
        )
        if heldout is not None:
            store.add_evaluation(pid, "heldout", "full", heldout, True, "ok")
        store.add_critique(
            sid,
            iteration,
            f"iteration {iteration}: preemptions cluster near the "
            "deadline; idle stretches waste slack",
            program_id=pid,
            findings=[{"kind": "idle", "hours": 3.5}],
        )
        store.add_verdict(
            pid, accepted, reasons or ["beats the champion on held-out"], {"heldout_gain": 0.05}
        )
        store.set_hypothesis_outcome(
            hid, "champion" if accepted else "rejected", "" if accepted else reasons[0]
        )
        if accepted:
            store.set_champion(sid, pid, iteration, train, heldout)
        for role, answer in (
            ("planner", f"HYPOTHESIS: {text}"),
            ("coder", code),
            ("critic", "idle stretches near the deadline"),
        ):
            store.record_llm_call(
                sid,
                iteration,
                {
                    "role": role,
                    "model": "gpt-4o-mini",
                    "messages": [
                        {"role": "system", "content": f"You are the {role}."},
                        {"role": "user", "content": f"iteration {iteration}: improve"},
                    ],
                    "response": answer,
                    "reasoning": f"thinking about {role} step {iteration}",
                    "input_tokens": 900 + iteration,
                    "output_tokens": 300,
                    "cost_usd": 0.0003,
                    "latency_s": 1.5,
                },
            )
        store.record_iteration(sid, iteration)
        key = {1: "hysteresis", 2: "price_peek", 3: "safety_net"}[iteration]
        ids[key] = pid
    ids["directive"] = store.add_directive(sid, "never use price data")
    if status != "running":  # a stopped session has its champion scored once on test
        champion = ids["safety_net"]
        store.add_evaluation(champion, "test", "full", 62.7, True, "ok")
        store.add_event(
            sid,
            "final_test",
            {"program_id": champion, "score": 62.7, "status": "ok", "feasible": True},
        )
        store.set_session_status(sid, status)
    store.close()
    return ids
