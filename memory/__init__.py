"""ADRS memory: every attempt of every session, in one SQLite file per workspace.

Open it with ``open_store(workspace)`` (``<workspace>/adrs.db``; WAL, versioned migrations).
One ``Store`` per process, shareable between threads; other processes (chat, logs, dashboard)
open their own and read while the research loop writes.

Statuses, outcomes and event kinds are the ``StrEnum`` members of ``memory.vocabulary``
(``SessionStatus``, ``ProgramStatus``, ``HypothesisOutcome``, ``DirectiveStatus``,
``EventKind``); each is stored as its plain text.

Writers (the research loop)::

    store = open_store(workspace)
    sid = store.create_session(name, scenario, config, seed, scenario_version="1")
    store.set_session_status(sid, SessionStatus.RUNNING)
    hid = store.add_hypothesis(sid, iteration, text, rationale, expected_effect, parent_id)
    added = store.add_program(sid, code, parent_id=pid, island=i, hypothesis_id=hid,
                              iteration=it)          # -> ProgramAdded
    if added.duplicate: ...                          # same normalised code: do not evaluate
    cached = store.find_evaluation_by_hash(scenario, "train", "full", added.code_hash, "1")
    store.add_evaluation(added.program_id, "train", "full", score, feasible, "ok",
                         metrics, per_workload, artifacts, run_time_s)
    store.add_critique(sid, it, text, program_id, findings)
    store.add_verdict(pid, accepted, reasons, checks)
    store.set_hypothesis_outcome(hid, HypothesisOutcome.REJECTED, "held-out worse")
    store.set_champion(sid, pid, it, train_score, heldout_score)
    store.record_llm_call(sid, it, {"role": ..., "model": ..., "messages": [...], ...})
    store.record_iteration(sid, it)                  # counters live on the session row
    store.active_directives(sid); store.consume_directive(did, it)
    store.add_event(sid, EventKind.STOP, {...})

Program database (islands x MAP-Elites niches, seeded selection, ring migration)::

    pdb = ProgramDatabase(store, sid, ProgramDbConfig(
        descriptors=(Descriptor("spot_share", 0, 1, 10), Descriptor("code_len", 0, 4000, 8)),
        num_islands=4, direction="min"))
    pdb.seed_islands(seed_id, seed_score, seed_descriptors)
    choices = pdb.select_parents(iteration, count=K)  # ParentChoice(program_id, island, ...)
    pdb.place(pid, score, descriptors, iteration)     # after a feasible evaluation
    pdb.maybe_migrate(iteration)

Readers: ``list_sessions``, ``programs``, ``lineage``, ``evaluations``, ``verdicts``,
``hypotheses``, ``llm_calls(role=, iteration=, query=)``, ``llm_calls_since``, ``events``,
``search``, and ``digest(store, sid, max_tokens)`` for the agents. The views (dashboard, report,
chat) read the named queries of ``memory.reads`` (``session_lineage``, ``verdict_summaries``,
``session_change_stamp``, ``ranked_programs``...), never SQL of their own.
"""

from memory.base import DB_FILENAME
from memory.digest import approx_tokens, digest
from memory.export import export_jsonl, iter_session_rows
from memory.normalize import code_hash, normalize_code
from memory.program_db import (
    Descriptor,
    ParentChoice,
    Placement,
    ProgramDatabase,
    ProgramDbConfig,
)
from memory.records import (
    SUCCESS_OUTCOMES,
    Champion,
    Critique,
    Directive,
    Evaluation,
    Event,
    Hypothesis,
    LlmCall,
    Program,
    ProgramAdded,
    SearchHit,
    Session,
    Verdict,
)
from memory.schema import SCHEMA_VERSION
from memory.store import Store, open_store
from memory.vocabulary import (
    DirectiveStatus,
    EventKind,
    HypothesisOutcome,
    ProgramStatus,
    SessionStatus,
)
from simulators.scrub import scrub_secrets

__all__ = [
    "DB_FILENAME",
    "SCHEMA_VERSION",
    "SUCCESS_OUTCOMES",
    "Champion",
    "Critique",
    "Descriptor",
    "Directive",
    "DirectiveStatus",
    "Evaluation",
    "Event",
    "EventKind",
    "Hypothesis",
    "HypothesisOutcome",
    "LlmCall",
    "ParentChoice",
    "Placement",
    "Program",
    "ProgramAdded",
    "ProgramDatabase",
    "ProgramDbConfig",
    "ProgramStatus",
    "SearchHit",
    "Session",
    "SessionStatus",
    "Store",
    "Verdict",
    "approx_tokens",
    "code_hash",
    "digest",
    "export_jsonl",
    "iter_session_rows",
    "normalize_code",
    "open_store",
    "scrub_secrets",
]
