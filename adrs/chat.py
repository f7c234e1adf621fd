"""Talking with the planner about a session: deterministic commands and memory-grounded answers.

Commands (``/status``, ``/best``, ``/show``, ``/diff``, ``/directive``, ``/approve``...) answer
straight from the SQLite memory, without a model, so they are exact, instant and scriptable.
Free text goes to the planner's model, but a small local model knows nothing of the session and
has a small context, so every question is sent with what memory holds about it: the session
digest, the rows full-text search finds for the question's words, and the programs it names
(``#12``), with their diff when it names two. Every exchange is stored: commands as ``chat``
events, model answers as ``llm_calls`` rows with role ``chat`` (so ``adrs logs --role chat``
shows them). Steering goes through ``graph.control`` and ``store.add_directive``, the same
protocol the running session polls, so chat works from another process or machine shell.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from graph import control
from graph.board import board_line
from graph.final import reported_test_score
from memory.digest import digest
from memory.reads import RankedProgram
from memory.store import Store
from memory.vocabulary import EventKind, SessionStatus

if TYPE_CHECKING:  # importing langchain costs seconds; commands alone never need it
    from agents.llm import RoleModel

HELP = """Commands (answered from memory, no model needed):
  /status              session status, budget spent, champion, pending plan, pause
  /best [N]            the N best valid programs by training score (default 5), champions
  /show ID             one program: hypothesis, scores, verdicts, critique, code
  /diff A B            unified diff between programs A and B
  /directive TEXT      steer: the planner reads TEXT at its next plan
  /directives          every directive and whether it is still active
  /plan                the plan waiting for approval (adrs run --approve)
  /edit HID TEXT       replace hypothesis HID's text in the waiting plan (then /approve)
  /approve             approve the waiting plan (with your edits)
  /reject REASON       reject the waiting plan: the session plans again
  /pause, /resume      pause the session after its current iteration, or let it go on
  /help                this text;  /quit leaves
Anything else is a question for the planner, answered from the session's memory."""

SYSTEM_PROMPT = """You are the planner of an automated research session that improves a systems \
algorithm. You are talking with the engineer who runs it. Answer from the session memory given \
below: what was tried, why it was rejected, which programs are best and how they differ. Cite \
programs as #ID. If the memory does not hold the answer, say so; never invent scores. Be brief. \
The engineer steers you with /directive TEXT."""

_STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        """a an and are as at be but by did do does for from has
have how i in is it its me my not of on or so that the then there this to was were what when where
which who why will with you your can could should would we our us about tried try""",
    )
)
_PROGRAM_REF = re.compile(r"(?:#|\bprogram\s+)(\d+)", re.IGNORECASE)


def _clip(text: str | None, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _test_part(store: Store, session_id: int) -> str:
    test = reported_test_score(store, session_id)
    return "" if test is None else f" test {_score(test)} (scored once after the search)"


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.6g}"


def objective_direction(scenario: str) -> str:
    """``min`` or ``max`` from the scenario file; ``min`` when the scenario cannot be found
    (a workspace may outlive a scenario, and most systems objectives are costs)."""
    try:
        from simulators.scenario import load_spec, scenario_dir

        return load_spec(scenario_dir(scenario)).objective.direction
    except Exception:
        return "min"


def best_programs(
    store: Store, session_id: int, limit: int = 5, split: str = "train"
) -> list[RankedProgram]:
    """Programs with their latest ``split`` score, best first for the scenario's direction.
    Rejected programs are left out: a score won by reading the future is not a result."""
    session = store.get_session(session_id)
    direction = "min" if session is None else objective_direction(session.scenario)
    return store.ranked_programs(session_id, direction, limit, split)


def program_diff(store: Store, a: int, b: int, context: int = 3) -> str:
    """Unified diff from program ``a`` to program ``b`` ('' when they are identical)."""
    left, right = store.get_program(a), store.get_program(b)
    if left is None or right is None:
        raise KeyError(f"no program {a if left is None else b}")
    lines = difflib.unified_diff(
        left.code.splitlines(keepends=True),
        right.code.splitlines(keepends=True),
        fromfile=f"#{a}",
        tofile=f"#{b}",
        n=context,
    )
    return "".join(lines)


class PlannerChat:
    """One conversation about one session. ``ask(line)`` returns the reply text.

    ``model`` is a factory called at the first free-text question only, so a scripted session of
    commands never starts a model server.
    """

    def __init__(
        self,
        store: Store,
        session_id: int,
        model: Callable[[], RoleModel] | RoleModel | None = None,
        context_tokens: int = 1200,
        history_turns: int = 3,
    ) -> None:
        self.store = store
        self.session_id = session_id
        self._model_source = model
        self._model: RoleModel | None = None
        self.context_tokens = context_tokens
        self.history_turns = history_turns
        self.history: list[tuple[str, str]] = []
        self.edits: dict[int, str] = {}

    # -- entry point -------------------------------------------------------------------------

    def ask(self, line: str) -> str:
        """Answer one line: a ``/command`` from memory, anything else through the model."""
        line = line.strip()
        if not line:
            return ""
        if not line.startswith("/"):
            return self.answer(line)
        name, _, rest = line[1:].partition(" ")
        handler = getattr(self, f"cmd_{name.lower()}", None)
        if handler is None:
            reply = f"unknown command /{name}: type /help"
        else:
            try:
                reply = handler(rest.strip())
            except (ValueError, KeyError) as err:
                reply = f"/{name}: {err.args[0] if err.args else err}"
        self.store.add_event(self.session_id, EventKind.CHAT, {"command": line, "reply": reply})
        return reply

    # -- commands ----------------------------------------------------------------------------

    def cmd_help(self, _: str) -> str:
        return HELP

    def cmd_status(self, _: str) -> str:
        s = self.store.get_session(self.session_id)
        assert s is not None
        status = self.store.live_status(s)  # "running" with no live process: interrupted
        holder = self.store.lease_holder(s.id)
        lines = [
            f"session {s.name} (#{s.id}) on {s.scenario}: {status}"
            + (f" ({s.status_detail})" if s.status_detail else "")
            + (f", driven by {holder.describe()}" if holder else ""),
            (
                f"iterations {s.iterations}, {s.llm_calls} model calls, "
                f"{s.input_tokens + s.output_tokens} tokens, ${s.cost_usd:.4f}"
            ),
            (
                f"champion #{s.champion_program_id} train {_score(s.best_train_score)} "
                f"held-out {_score(s.best_heldout_score)}" + _test_part(self.store, s.id)
            )
            if s.champion_program_id
            else "no champion yet",
            (
                f"directives active: {len(self.store.active_directives(s.id))}; "
                f"paused: {'yes' if control.is_paused(self.store, s.id) else 'no'}"
            ),
        ]
        if status == SessionStatus.RUNNING and (board := board_line(self.store.lanes(s.id))):
            lines.append(board)
        plan = control.pending_plan(self.store, s.id)
        if plan:
            lines.append(f"a plan of {len(plan)} hypotheses waits for approval: /plan")
        return "\n".join(lines)

    def cmd_best(self, arg: str) -> str:
        limit = int(arg) if arg.isdigit() else 5
        rows = best_programs(self.store, self.session_id, limit)
        if not rows:
            return "no program has a training score yet"
        lines = ["best programs by training score (rejected ones left out):"]
        for r in rows:
            lines.append(
                f"  #{r.id} it{r.iteration} train {_score(r.score)} held-out "
                f"{_score(r.heldout)} {r.status} (parent #{r.parent_id}) "
                f"{_clip(r.hypothesis or r.origin, 90)}"
            )
        history = self.store.champion_history(self.session_id)
        if history:
            lines.append(
                "champions: "
                + " -> ".join(
                    f"#{c.program_id} (it{c.iteration}, held-out {_score(c.heldout_score)})"
                    for c in history
                )
            )
        return "\n".join(lines)

    def cmd_show(self, arg: str) -> str:
        program = self.store.get_program(_program_id(arg))
        if program is None or program.session_id != self.session_id:
            raise KeyError(f"no program {arg} in this session")
        lines = [
            (
                f"program #{program.id}: iteration {program.iteration}, island "
                f"{program.island}, parent #{program.parent_id}, {program.status}, "
                f"origin {program.origin}"
            )
        ]
        if program.hypothesis_id and (h := self.store.get_hypothesis(program.hypothesis_id)):
            lines.append(f"hypothesis: {h.text}")
            if h.rationale:
                lines.append(f"rationale: {h.rationale}")
            if h.outcome:
                lines.append(f"outcome: {h.outcome} {h.outcome_detail or ''}".rstrip())
        for e in self.store.evaluations(program.id):
            lines.append(
                f"score {e.split}/{e.stage}: {_score(e.score)} ({e.status}"
                f"{'' if e.feasible else ', infeasible'})"
            )
        for v in self.store.verdicts(program.id):
            lines.append(
                f"verdict: {'accepted' if v.accepted else 'rejected'}"
                + (f": {'; '.join(v.reasons)}" if v.reasons else "")
            )
        for c in self.store.program_critiques(program.id):
            lines.append(f"critique: {_clip(c.text, 400)}")
        return "\n".join(lines) + "\n--- code ---\n" + program.code.rstrip()

    def cmd_diff(self, arg: str) -> str:
        parts = arg.replace(",", " ").split()
        if len(parts) != 2:
            raise ValueError("usage: /diff A B (two program ids)")
        a, b = (_program_id(p) for p in parts)
        diff = program_diff(self.store, a, b)
        return diff.rstrip() or f"#{a} and #{b} have the same code"

    def cmd_directive(self, text: str) -> str:
        if not text:
            raise ValueError("usage: /directive TEXT")
        directive_id = self.store.add_directive(self.session_id, text)
        return f"directive d{directive_id} recorded: the planner reads it at its next plan"

    def cmd_directives(self, _: str) -> str:
        rows = self.store.directives(self.session_id)
        if not rows:
            return "no directives yet: /directive TEXT gives one"
        return "\n".join(
            f"d{d.id} [{d.status}"
            + (f" at iteration {d.consumed_iteration}" if d.consumed_iteration is not None else "")
            + f"] {d.text}"
            for d in rows
        )

    def cmd_plan(self, _: str) -> str:
        plan = control.pending_plan(self.store, self.session_id)
        if not plan:
            return "no plan is waiting for approval"
        lines = ["plan waiting for approval:"]
        for h in plan:
            text = self.edits.get(h.id, h.text)
            lines.append(
                f"  h{h.id}{' (edited)' if h.id in self.edits else ''}: {text}"
                f" (parent #{h.parent_program_id})"
            )
        return "\n".join([*lines, "/approve, /edit HID TEXT, or /reject REASON"])

    def cmd_edit(self, arg: str) -> str:
        hid_text, _, text = arg.partition(" ")
        plan = control.pending_plan(self.store, self.session_id) or []
        hid = _program_id(hid_text.lstrip("hH"))
        if hid not in {h.id for h in plan} or not text.strip():
            raise ValueError("usage: /edit HID TEXT, HID from /plan")
        self.edits[hid] = text.strip()
        return f"h{hid} will read: {text.strip()} (send with /approve)"

    def cmd_approve(self, _: str) -> str:
        plan = control.pending_plan(self.store, self.session_id)
        if not plan:
            return "no plan is waiting for approval"
        control.approve_plan(self.store, self.session_id, dict(self.edits) or None)
        edited, self.edits = len(self.edits), {}
        return f"plan of {len(plan)} hypotheses approved" + (
            f" with {edited} edited" if edited else ""
        )

    def cmd_reject(self, reason: str) -> str:
        if not control.pending_plan(self.store, self.session_id):
            return "no plan is waiting for approval"
        control.reject_plan(self.store, self.session_id, reason or "rejected in chat")
        self.edits = {}
        return "plan rejected: the session will plan again"

    def cmd_pause(self, _: str) -> str:
        control.request_pause(self.store, self.session_id)
        return "pause requested: the session stops after its current iteration (/resume)"

    def cmd_resume(self, _: str) -> str:
        control.request_resume(self.store, self.session_id)
        return "resume requested"

    # -- free text ---------------------------------------------------------------------------

    def context_for(self, question: str) -> str:
        """What memory holds about ``question``: digest, search hits, named programs."""
        parts = [digest(self.store, self.session_id, max_tokens=self.context_tokens)]
        plan = control.pending_plan(self.store, self.session_id)
        if plan:
            parts.append(
                "## Your plan, waiting for the engineer's approval\n"
                + "\n".join(f"- h{h.id}: {h.text} (parent #{h.parent_program_id})" for h in plan)
            )
        hits = self._search(question)
        if hits:
            parts.append("## Memory matching the question\n" + "\n".join(hits))
        ids = list(dict.fromkeys(int(m) for m in _PROGRAM_REF.findall(question)))[:2]
        for pid in ids:
            program = self.store.get_program(pid)
            if program is not None and program.session_id == self.session_id:
                parts.append(f"## Program #{pid}\n" + _clip(self.cmd_show(str(pid)), 1600))
        if len(ids) == 2 and all(self.store.get_program(i) for i in ids):
            parts.append(
                f"## Diff #{ids[0]} -> #{ids[1]}\n" + _clip(program_diff(self.store, *ids), 1600)
            )
        return "\n\n".join(parts)

    def _search(self, question: str, limit: int = 6) -> list[str]:
        words = [
            w for w in re.findall(r"\w+", question.lower()) if len(w) > 2 and w not in _STOPWORDS
        ][:12]
        hits = self.store.search_any_word(self.session_id, words, limit)
        return [f"- {h.kind} {h.ref_id}: {' '.join(h.snippet.split())}" for h in hits]

    def answer(self, question: str) -> str:
        """Ask the planner's model, with retrieved memory; the exchange is stored."""
        model = self._get_model()
        if model is None:
            return "no model is configured for free-text questions: use the /commands (/help)"
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": "Session memory:\n" + self.context_for(question)},
            {"role": "assistant", "content": "I have read the session memory."},
        ]
        for asked, said in self.history[-self.history_turns :]:
            messages += [{"role": "user", "content": asked}, {"role": "assistant", "content": said}]
        messages.append({"role": "user", "content": question})
        result = model.call(messages)
        session = self.store.get_session(self.session_id)
        self.store.record_llm_call(
            self.session_id, session.iterations if session else 0, result.record
        )
        if not result.ok:
            return f"the model failed: {result.record['error']}"
        self.history.append((question, result.text))
        return result.text.strip() or "(the model returned an empty answer)"

    def _get_model(self) -> RoleModel | None:
        if self._model is None and self._model_source is not None:
            source = self._model_source
            model = source() if callable(source) else source  # a factory is called once
            self._model = dataclasses.replace(model, role="chat")
        return self._model


def _program_id(text: str) -> int:
    text = text.strip().lstrip("#")
    if not text.isdigit():
        raise ValueError(f"{text or 'nothing'!r} is not a program id (a number, e.g. 12 or #12)")
    return int(text)
