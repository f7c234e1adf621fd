"""The four roles driven by the scripted model: outputs, repair round, rewrite fallback, records."""

import json

from agents.coder import Coder
from agents.critic import Critic
from agents.llm import RoleModel
from agents.planner import Planner
from agents.scripted import ScriptedChatModel
from agents.verifier import Verifier

PARENT = """# EVOLVE-BLOCK-START
def policy(state):
    if state > 2:
        return 1
    return 0
# EVOLVE-BLOCK-END
"""


def model(role, *answers) -> RoleModel:
    return RoleModel(
        role, "scripted", ScriptedChatModel(answers=list(answers)), endpoint=f"scripted|{role}"
    )


def sr(search: str, replace: str) -> str:
    return f"<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n"


def test_planner_caps_k_and_fixes_invented_parents():
    hyps = [
        {"text": f"idea {i}", "rationale": "r", "expected_effect": "e", "parent_program_id": pid}
        for i, pid in enumerate(["p2", "invented", "p1"])
    ]
    planner = Planner(model("planner", json.dumps({"hypotheses": hyps})))
    out = planner.propose(
        "best: p1 score 3", k=2, parent_ids=["p1", "p2"], directives="never use price data"
    )
    assert [h.parent_program_id for h in out.value.hypotheses] == ["p2", "p1"]
    prompt = planner.model.chat.requests[0]["prompt"]
    assert "never use price data" in prompt and "exactly 2 hypotheses" in prompt
    assert out.records[0]["role"] == "planner"


def test_coder_applies_a_clean_diff_in_one_call():
    coder = Coder(model("coder", sr("    if state > 2:", "    if state > 3:")), "policy")
    out = coder.write(PARENT, "raise the threshold")
    assert out.mode == "diff" and "state > 3" in out.source and len(out.records) == 1
    assert "raise the threshold" in coder.model.chat.requests[0]["prompt"]


def test_coder_repairs_a_failed_block_with_a_precise_report():
    first = sr("    if state > 2:", "    if state > 3:") + sr("    retrun 0", "    return 5")
    second = sr("    return 0", "    return 5")
    coder = Coder(model("coder", first, second), "policy")
    out = coder.write(PARENT, "h")
    assert out.mode == "repair" and len(out.records) == 2
    assert "state > 3" in out.source and "return 5" in out.source
    repair_prompt = coder.model.chat.requests[1]["prompt"]
    assert "Block 2 did not apply: no match" in repair_prompt
    assert "applied and kept" in repair_prompt and "if state > 3:" in repair_prompt
    assert [len(r.failures) for r in out.rounds] == [1, 0]


def test_coder_falls_back_to_a_full_rewrite():
    rewrite = "```python\ndef policy(state):\n    return 2 if state > 1 else 0\n```"
    coder = Coder(model("coder", "I would add hysteresis.", sr("nope", "x"), rewrite), "policy")
    out = coder.write(PARENT, "h")
    assert out.mode == "rewrite" and "return 2 if state > 1" in out.source
    assert len(out.records) == 3 and out.error is None
    assert "one ```python fenced block" in coder.model.chat.requests[2]["prompt"]


def test_coder_gives_up_with_reasons_on_garbage_code():
    garbage = "```python\ndef policy(((:\n```"
    coder = Coder(model("coder", garbage, garbage, garbage), "policy")
    out = coder.write(PARENT, "h")
    assert out.source is None and "syntax error" in out.error
    assert len(out.records) == 3 and all(r.problems for r in out.rounds)


def test_coder_reports_a_failed_call():
    coder = Coder(model("coder", RuntimeError("server down")), "policy")
    out = coder.write(PARENT, "h")
    assert out.source is None and "server down" in out.error and len(out.records) == 1


def test_critic_and_verifier_return_their_schemas():
    critique = {
        "findings": ["idle 40% of ticks"],
        "diagnosis": "waits too long",
        "suggestions": ["switch earlier"],
    }
    critic = Critic(model("critic", json.dumps(critique)))
    out = critic.critique(PARENT, "train cost 10.2 vs UP 11.0", "zone a: 40% idle")
    assert out.value.diagnosis == "waits too long" and out.method == "json_schema"
    verdict = {"rigged": True, "reasons": ["line 3 opens /data/trace.json"]}
    verifier = Verifier(model("verifier", json.dumps(verdict)))
    review = verifier.review("open('/data/trace.json')", "spot-single scheduling")
    assert review.value.rigged and "trace.json" in review.value.reasons[0]
    assert "open('/data/trace.json')" in verifier.model.chat.requests[0]["prompt"]


def test_the_verifier_reads_numbered_lines_it_can_cite():
    verifier = Verifier(model("verifier", json.dumps({"rigged": False, "reasons": ["clean"]})))
    verifier.review(PARENT, "a toy problem")
    prompt = verifier.model.chat.requests[0]["prompt"]
    assert "3|     if state > 2:" in prompt and "6| # EVOLVE-BLOCK-END" in prompt
    assert "(no parent: read the whole code)" in prompt


def test_the_verifier_sees_the_change_from_the_parent():
    verifier = Verifier(model("verifier", json.dumps({"rigged": False, "reasons": ["clean"]})))
    verifier.review(PARENT.replace("> 2", "> 3"), "a toy problem", parent=(4, PARENT))
    prompt = verifier.model.chat.requests[0]["prompt"]
    change = prompt.split("# What changed from its parent", 1)[1].split("# Candidate code")[0]
    assert "Against its parent, program #4" in change
    assert "-    if state > 2:\n+    if state > 3:" in change and "EVOLVE-BLOCK-END" not in change


def test_coder_against_a_real_server_recovers_from_garbage_code():
    from agents.llm import build_chat_model
    from agents.settings import ModelSettings
    from tests.support.fault_server import FaultServer

    with FaultServer() as server:
        server.script("garbage_code", sr("    return 0", "    return 3"), "empty", "500")
        ms = ModelSettings(base_url=server.base_url, model="m", max_retries=0, timeout=5)
        coder = Coder(RoleModel("coder", "m", build_chat_model(ms)), "policy")
        out = coder.write(PARENT, "h")
        assert out.mode == "repair" and "return 3" in out.source
        assert "syntax error" in server.chat_requests[1]["body"]["messages"][-1]["content"]
        failed = coder.write(PARENT, "h")  # empty answer, then HTTP 500 in the repair round
        assert failed.source is None and "HTTP 500" in failed.error
        assert [r["error"] is None for r in failed.records] == [True, False]
