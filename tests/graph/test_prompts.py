"""What each role reads, for every bundled scenario: the problem, the reference points, the
champion among the parents, whole critiques; and the champion offered after it changes."""

from __future__ import annotations

import json
import re

import pytest

from graph.budget import Budget
from graph.context.coding import coder_brief
from graph.context.problem import readme_problem
from graph.runtime import Models, SessionConfig
from graph.session import checkpointer, create_session, drive, make_runtime
from memory.store import open_store
from simulators.scenario import load_scenario
from tests.support.generic_script import GenericScript, generic_models
from tests.support.research_script import ResearchScript, scripted_models

LONG_FINDING = (
    "the policy idles through most of the early ticks although spot is up in them, " * 5
) + "and this sentence ends here."
BUNDLED = ("spot-single", "spot-multi", "eplb", "eplb-decode", "cloudcast")
OFFERED = re.compile(r"parent_program_id` \(one of: ([^;)]*)")


class LongCritic(GenericScript):
    """A critic whose finding is longer than any old digest clip (300 characters)."""

    def critic(self, prompt: str) -> str:
        return json.dumps(
            {
                "findings": [LONG_FINDING],
                "diagnosis": "idle while spot is up",
                "suggestions": ["run spot whenever it is up and slack is short"],
            }
        )


def run(tmp_path, scenario, script, models, iterations=2, k=2):
    store = open_store(tmp_path)
    config = SessionConfig(hypotheses_per_iteration=k, budget=Budget(iterations=iterations), seed=3)
    session_id = create_session(store, scenario, "p", config)
    rt = make_runtime(store, scenario, session_id, Models(fixed=models(script)))
    drive(rt, checkpointer(tmp_path))
    return store, rt, session_id


@pytest.mark.parametrize("name", BUNDLED)
def test_every_role_reads_problem_references_and_whole_critiques(tmp_path, name):
    scenario = load_scenario(name)
    script = LongCritic()
    store, rt, session_id = run(tmp_path, scenario, script, generic_models)
    problem = readme_problem(scenario)
    assert problem and "Objective" in problem
    opening = problem.splitlines()[0]
    if not script.prompts["verifier"]:  # no candidate beat the champion on train: ask directly
        from agents.verifier import Verifier
        from graph.context.problem import problem_statement

        Verifier(generic_models(script)["verifier"]).review(
            store.get_program(1).code, problem_statement(scenario), ""
        )
    for role in ("planner", "coder", "critic", "verifier"):
        assert script.prompts[role], role
        for prompt in script.prompts[role]:
            assert opening in prompt, role  # the problem section, for every role
            assert "…" not in prompt, role  # nothing clipped mid-sentence
    refs = rt.references
    for prompt in script.prompts["planner"] + script.prompts["critic"]:
        for baseline in refs.baselines:
            assert baseline in prompt
        assert refs.limit_label in prompt or "| limit |" in prompt
    champion = store.champion(session_id).program_id
    for prompt in script.prompts["planner"]:
        offered = [p.strip() for p in OFFERED.search(prompt).group(1).split(",")]
        assert str(champion) in offered and len(offered) == len(set(offered))
    # The second plan reads the first critique whole, suggestions included.
    assert LONG_FINDING in script.prompts["planner"][1]
    assert "run spot whenever it is up and slack is short" in script.prompts["planner"][1]


class UniformOnce(ResearchScript):
    """The coder of plan 1's second idea writes Uniform Progress, which beats the seed on train
    and held-out; every other answer is the usual margin edit."""

    def __init__(self, uniform_progress: str) -> None:
        super().__init__()
        self.uniform_progress = uniform_progress

    def coder(self, prompt: str) -> str:
        if "(plan 1, idea 1)" in prompt.split("# Your sample", 1)[0]:
            body = self.uniform_progress.split("import math", 1)[1]
            return f"```python\nimport math\n{body}```"
        return super().coder(prompt)


def test_a_new_champion_is_offered_and_shown_to_coders_of_other_parents(tmp_path):
    scenario = load_scenario("spot-single")
    script = UniformOnce(scenario.baseline_paths()["uniform_progress"].read_text())
    store, rt, session_id = run(tmp_path, scenario, script, scripted_models, iterations=2)
    champion = store.champion(session_id)
    assert champion.program_id == 3, [(p.id, p.status) for p in store.programs(session_id)]
    second_plan = script.prompts["planner"][1]
    offered = OFFERED.search(second_plan).group(1)
    assert "3" in [p.strip() for p in offered.split(",")]
    assert "# The champion: program #3" in second_plan
    # A coder working on another parent sees the champion among its inspirations, whole.
    seed = store.get_program(1)
    hid = store.add_hypothesis(session_id, 3, "Raise the margin", "", "", seed.id)
    _, context = coder_brief(rt, store.get_hypothesis(hid), seed, 3, 0)
    assert "The champion, #3 (your parent is #1)" in context
    assert "math.ceil((left + overhead) / gap)" in context
    # First-round prompts carry the brief; a repair round continues the same conversation.
    # (Now that a new champion is placed in the program database, it is drawn as a parent
    # too, and the script's edit, written for the seed, needs repairs there.)
    briefs = [p for p in script.prompts["coder"][2:] if "# The parent" in p]
    assert briefs
    for prompt in briefs:
        parent = re.search(
            r"Program #(\d+) \((?:the champion|status)", prompt.split("# The parent", 1)[1]
        ).group(1)
        assert parent == "3" or "The champion, #3" in prompt


def test_a_planner_is_told_what_other_lanes_are_trying_now(tmp_path):
    """Lanes plan from the same memory at once: a plan lists the other lanes' hypotheses that
    have no result yet, and not those that have one."""
    scenario = load_scenario("spot-single")
    store = open_store(tmp_path)
    config = SessionConfig(hypotheses_per_iteration=1, budget=Budget(iterations=3), lanes=2)
    session_id = create_session(store, scenario, "lanes", config)
    script = ResearchScript()
    rt = make_runtime(store, scenario, session_id, Models(fixed=scripted_models(script)))
    from graph.session import seed_champion

    seed_champion(rt)
    store.add_hypothesis(session_id, 7, "shorten the idle wait when slack is ample", "", "", 1)
    scored = store.add_hypothesis(session_id, 7, "commit later", "", "", 1)
    code = store.get_program(1).code.replace("margin = 2 *", "margin = 1.5 *")
    pid = store.add_program(session_id, code, 1, 0, scored, 7).program_id
    from graph.evaluation import FULL

    train = rt.evaluator.score(store.get_program(pid), "train", FULL)
    done = store.add_hypothesis(session_id, 6, "start on-demand at a fixed hour", "", "", 1)
    store.set_hypothesis_outcome(done, "rejected", "not better")
    from graph.context.planning import planner_brief

    brief = planner_brief(rt, [1], iteration=8)
    assert "# Being tried now in other lanes (no verdict yet)" in brief
    assert (
        "iteration 7, on program #1: shorten the idle wait when slack is ample (being coded)"
    ) in brief
    assert f"commit later (program #{pid}, train ${train.score:.2f}, awaiting its verdict)" in brief
    assert "start on-demand at a fixed hour" not in brief.split("# Research memory")[0]
    assert "2 research lanes plan at once (this is lane 1); ideas other lanes" in brief
    for h in store.hypotheses(session_id):  # nothing in flight any more
        if h.outcome is None:
            store.set_hypothesis_outcome(h.id, "rejected", "")
    alone = planner_brief(rt, [1], iteration=1, lane=1)
    assert "this is lane 2); the others plan from this same state" in alone
    assert "take the 2nd most promising direction" in alone


def test_a_coder_is_told_when_another_lane_replaced_the_champion_after_its_plan(tmp_path):
    scenario = load_scenario("spot-single")
    store = open_store(tmp_path)
    session_id = create_session(store, scenario, "moved", SessionConfig(lanes=2))
    rt = make_runtime(store, scenario, session_id, Models(fixed=scripted_models(ResearchScript())))
    from graph.session import seed_champion

    seed_champion(rt)
    hid = store.add_hypothesis(session_id, 3, "commit later", "", "", 1)
    hypothesis, parent = store.get_hypothesis(hid), store.get_program(1)
    note = "The champion changed after this hypothesis was written"
    assert note not in coder_brief(rt, hypothesis, parent, 3, 0)[1]
    code = parent.code.replace("margin = 2 *", "margin = 1.5 *")
    winner = store.add_program(session_id, code, 1, 0, None, 2).program_id
    store.set_champion(session_id, winner, 2, 95.0, 120.0)
    context = coder_brief(rt, hypothesis, parent, 3, 0)[1]
    assert f"{note} (another lane's candidate won): it is now #{winner}." in context
    assert f"The champion, #{winner} (your parent is #1)" in context


#: Words of the spot scenarios that mean nothing to a load balancer (they once leaked into the
#: eplb prompts and the eplb README).
SPOT_WORDS = re.compile(
    r"preempt|\bspot\b|\bidl(e|es|ing)\b|deadline|on-demand|restart overhead", re.IGNORECASE
)
HASH = re.compile(r"\b[0-9a-f]{16}\b")


FOCUS = {
    "eplb": (
        "hottest GPUs",
        "nodes_per_token",
        "balancedness_in_window",
        "hottest_gpus",
        "subject to nodes_per_token",
        "peak_causes: {'single_replica_share'",  # a table of figures, not only its description
    ),
    "cloudcast": ("costliest_edges", "tree", "max_hops", "tree: {'max_hops'"),
}


@pytest.mark.parametrize("name", sorted(FOCUS))
def test_a_critic_speaks_its_scenarios_language_and_no_role_speaks_of_spot(tmp_path, name):
    scenario = load_scenario(name)
    script = GenericScript()
    run(tmp_path, scenario, script, generic_models, iterations=1, k=1)
    assert script.prompts["critic"]
    for role in ("planner", "coder", "critic"):
        for prompt in script.prompts[role]:
            found = SPOT_WORDS.search(prompt) or HASH.search(prompt)  # no plan digests either
            assert not found, (role, found and found.group(0))
    for prompt in script.prompts["critic"]:
        for words in ("What to look at in this problem",) + FOCUS[name]:
            assert words in prompt, words


def test_the_eplb_problem_gives_sizes_and_the_call_pattern():
    problem = readme_problem(load_scenario("eplb"))
    for words in ("58 layers, 256 experts in 8 groups", "once per window", "keep no state"):
        assert words in problem, words
