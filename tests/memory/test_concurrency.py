"""A session writes continuously while another process reads (and steers): never "locked".

Two real processes, as in production: the research loop writing, ``adrs chat``/``logs``/the
dashboard reading and occasionally adding a directive.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

WRITER = textwrap.dedent("""
    import json, sys, time
    from memory import open_store
    store = open_store(sys.argv[1])
    sid = store.session_by_name("live").id
    end, n, errors = time.monotonic() + float(sys.argv[2]), 0, []
    while time.monotonic() < end:
        try:
            hid = store.add_hypothesis(sid, n, f"idea {n} about spot preemption")
            pid = store.add_program(sid, f"def f():\\n    return {n}\\n", hypothesis_id=hid,
                                    iteration=n).program_id
            store.add_evaluation(pid, "train", "full", float(n), True, "ok", {"n": n})
            store.add_verdict(pid, n % 3 == 0, [f"reason {n}"])
            store.record_llm_call(sid, n, {"role": "coder", "messages": [], "response": "x" * 500,
                                           "input_tokens": 10, "output_tokens": 5})
            store.record_iteration(sid, n)
            n += 1
        except Exception as err:
            errors.append(repr(err))
    print(json.dumps({"writes": n, "errors": errors}))
""")

READER = textwrap.dedent("""
    import json, sys, time
    from memory import digest, open_store
    store = open_store(sys.argv[1])
    sid = store.session_by_name("live").id
    end, reads, last, seen, errors = time.monotonic() + float(sys.argv[2]), 0, 0, 0, []
    while time.monotonic() < end:
        try:
            store.list_sessions()
            digest(store, sid, max_tokens=800)
            calls = store.llm_calls_since(sid, last)
            if calls:
                last, seen = calls[-1].id, seen + len(calls)
            store.search("preemption", session_id=sid, limit=5)
            if reads % 20 == 0:
                store.add_directive(sid, f"directive {reads}")
            reads += 1
        except Exception as err:
            errors.append(repr(err))
    print(json.dumps({"reads": reads, "seen": seen, "errors": errors}))
""")


def test_writer_and_reader_processes_never_lock(tmp_path, store):
    store.create_session("live", "spot_single")
    seconds = "3"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path), seconds],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for script in (WRITER, READER)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    writer, reader = results
    assert writer["errors"] == [] and reader["errors"] == []
    assert writer["writes"] > 20 and reader["reads"] > 20
    assert reader["seen"] > 0  # the reader followed the writer's log live
    session = store.session_by_name("live")
    assert session.llm_calls == writer["writes"]
    assert len(store.directives(session.id)) > 0
