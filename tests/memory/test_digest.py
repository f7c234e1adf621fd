"""Digests: bounded in tokens, with directives, best programs, attempts and grouped failures."""

from __future__ import annotations

from memory import Descriptor, ProgramDatabase, ProgramDbConfig, approx_tokens, digest
from memory.digest import group_similar


def _populate(store, sid, n=60):
    pdb = ProgramDatabase(
        store,
        sid,
        ProgramDbConfig(descriptors=(Descriptor("spot", 0, 1, 5),), num_islands=2, direction="min"),
    )
    for i in range(n):
        text = (
            "switch to on-demand when the spot preemption rate exceeds threshold"
            if i % 2
            else f"idea number {i} about waiting longer for spot capacity {i}"
        )
        hid = store.add_hypothesis(sid, i, text)
        pid = store.add_program(
            sid, f"def f():\n    return {i}\n", hypothesis_id=hid, island=i % 2, iteration=i
        ).program_id
        store.add_evaluation(pid, "train", "full", 100.0 - i, True, "ok")
        pdb.place(pid, 100.0 - i, {"spot": (i % 7) / 7}, i)
        store.add_verdict(pid, False, [f"held-out worse by {i}%"])
        store.set_hypothesis_outcome(hid, "rejected", "held-out worse")
    store.add_directive(sid, "never use price data")


def test_digest_has_every_section_within_budget(store, session_id):
    _populate(store, session_id)
    text = digest(store, session_id, max_tokens=2000)
    assert approx_tokens(text) <= 2000
    assert "never use price data" in text
    assert "## Best programs per island" in text and "island 1" in text
    assert "REJECTED: held-out worse by 59%" in text
    assert "similar)" in text  # the repeated on-demand idea is grouped


def test_small_budget_truncates_and_keeps_directives(store, session_id):
    _populate(store, session_id)
    text = digest(store, session_id, max_tokens=120)
    assert approx_tokens(text) <= 120
    assert "never use price data" in text
    assert "more lines omitted" in text


def test_group_similar():
    texts = [
        "use hysteresis on preemption rate",
        "hysteresis on the preemption rate",
        "pack experts greedily",
    ]
    assert group_similar(texts) == [(0, [0, 1]), (2, [2])]


def test_an_idea_whose_program_never_ran_is_not_filed_as_refuted(store, session_id):
    lost = store.add_hypothesis(session_id, 1, "spill hot groups to the coolest node")
    store.set_hypothesis_outcome(lost, "rejected", "held-out worse by 2%")
    crashed = store.add_hypothesis(session_id, 1, "refine inside nodes with np.unique counts")
    store.set_hypothesis_outcome(crashed, "failed", "forbidden operation: os.listdir")
    text = digest(store, session_id, max_tokens=2000)
    refuted, _, untested = text.partition("## Untested hypotheses")
    assert "spill hot groups" in refuted.split("## Failed hypotheses (measured and lost")[1]
    assert "np.unique counts" in untested and "np.unique counts" not in refuted
    assert "retry only with the failure fixed" in untested.splitlines()[0]
