"""The benchmark's stand-in model server: concurrent answers after a fixed latency, the research
team's role logic over the wire, tool calls for function calling, and in-flight statistics."""

from __future__ import annotations

import ast
import json
import random
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from langchain_openai import ChatOpenAI

from bench.standin import (
    MARGIN,
    NONE_LINE,
    PACE,
    ROOT,
    StandinServer,
    apply,
    pace_lines,
    step,
)

PLANNER = [
    {"role": "system", "content": "You are the planner of a research team."},
    {
        "role": "user",
        "content": "Propose exactly 2 hypotheses. Each names its "
        "`parent_program_id` (one of: 5, 7).",
    },
]
CODER = [
    {"role": "system", "content": "You are the coder. Answer with SEARCH/REPLACE blocks."},
    {
        "role": "user",
        "content": "Hypothesis to implement: widen the margin.\n\n# Current program\n"
        "def policy(job):\n"
        "        margin = 2 * job.restart_overhead_s + job.gap_s\n"
        "        return margin\n",
    },
]


@pytest.fixture(scope="module")
def server():
    with StandinServer(latency=0.2) as srv:
        yield srv


def chat(server: StandinServer, messages: list[dict], **extra) -> dict:
    body = {"model": "m", "messages": messages, **extra}
    resp = httpx.post(f"{server.base_url}/chat/completions", json=body, timeout=30)
    resp.raise_for_status()
    return resp.json()


def test_concurrent_planner_answers_and_in_flight_stats(server: StandinServer) -> None:
    server.reset_stats()
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: chat(server, PLANNER), range(4)))
    for answer in answers:
        choice = answer["choices"][0]
        assert answer["object"] == "chat.completion" and choice["finish_reason"] == "stop"
        hypotheses = json.loads(choice["message"]["content"])["hypotheses"]
        assert len(hypotheses) == 2
        assert {h["parent_program_id"] for h in hypotheses} == {"5"}
        assert answer["usage"]["total_tokens"] == (
            answer["usage"]["prompt_tokens"] + answer["usage"]["completion_tokens"]
        )
    stats = server.stats()
    assert stats["served"] == 4 and stats["in_flight"] == 0
    assert stats["max_in_flight"] >= 2
    assert 0 < stats["mean_in_flight"] <= stats["max_in_flight"]
    assert stats["roles"] == {"planner": 4}


def test_coder_takes_a_hill_climbing_step_keyed_on_the_prompt(server: StandinServer) -> None:
    content = chat(server, CODER)["choices"][0]["message"]["content"]
    assert content.startswith("<<<<<<< SEARCH\n") and content.rstrip().endswith(">>>>>>> REPLACE")
    # the draw is keyed on the prompt: the same prompt gets the same step
    assert chat(server, CODER)["choices"][0]["message"]["content"] == content


def test_steps_change_the_seed_into_valid_programs_of_both_kinds() -> None:
    seed = (ROOT / "scenarios" / "spot_single" / "seed.py").read_text()
    kinds = set()
    for n in range(30):
        edits = step(seed, random.Random(n))
        for old, _ in edits:  # the coder's SEARCH text: whole lines of the parent
            assert "\n" + old + "\n" in seed and not old.startswith("\n")
        code = apply(seed, edits)
        assert code != seed
        ast.parse(code)
        kinds.add("pace" if PACE.search(code) else "margin")
        margin = float(MARGIN.search(code).group(1))
        assert 2 * 0.6 <= margin <= 2 * 1.1
    assert kinds == {"margin", "pace"}
    paced = apply(seed, [(NONE_LINE, pace_lines(0.8))])
    again = apply(paced, step(paced, random.Random(3)))
    assert again != paced and len(PACE.findall(again)) == 1, "a pace rule is tuned, not added twice"


def test_tools_without_response_format_answer_with_a_tool_call(server: StandinServer) -> None:
    tools = [
        {"type": "function", "function": {"name": "Plan", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "Other", "parameters": {"type": "object"}}},
    ]
    choice = chat(
        server, PLANNER, tools=tools, tool_choice={"type": "function", "function": {"name": "Plan"}}
    )["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    (call,) = choice["message"]["tool_calls"]
    assert call["id"] == "call_0" and call["function"]["name"] == "Plan"
    assert len(json.loads(call["function"]["arguments"])["hypotheses"]) == 2
    # with a response_format as well, the answer is content
    with_format = chat(server, PLANNER, tools=tools, response_format={"type": "json_object"})
    assert json.loads(with_format["choices"][0]["message"]["content"])["hypotheses"]


def test_unknown_path_is_404(server: StandinServer) -> None:
    resp = httpx.get(f"{server.base_url}/nothing", timeout=10)
    assert resp.status_code == 404 and "error" in resp.json()


def test_real_client_accepts_the_wire_format(server: StandinServer) -> None:
    llm = ChatOpenAI(base_url=server.base_url, api_key="x", model="m", max_retries=0)
    reply = llm.invoke([("system", "You are the critic."), ("user", "Review this program.")])
    assert json.loads(reply.content)["diagnosis"]
    assert reply.usage_metadata and reply.usage_metadata["input_tokens"] > 0
