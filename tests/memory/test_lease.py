"""One live process per session: the lease is refused to another process while held, shows who
holds it, and is released by the kernel when its holder dies, whatever the death."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from memory.lease import LeaseHeld
from memory.store import open_store

HOLD = """
import sys, time
from memory.store import open_store
store = open_store(sys.argv[1])
with store.lease(int(sys.argv[2]), command="adrs run holder"):
    print("held", flush=True)
    time.sleep(600)
"""


def test_a_lease_names_its_holder_and_nests_within_its_process(tmp_path):
    store = open_store(tmp_path)
    sid = store.create_session("s", "toy", status="running")
    assert store.lease_holder(sid) is None
    with store.lease(sid, command="adrs run s"):
        holder = store.lease_holder(sid)
        assert holder is not None and holder.pid == os.getpid() and holder.command == "adrs run s"
        assert store.live_status(store.get_session(sid)) == "running"
        with open_store(tmp_path).lease(sid):  # the CLI holds it, drive takes it again
            pass
        assert store.lease_holder(sid).pid == os.getpid(), "the inner block released it"
    assert store.lease_holder(sid) is None
    assert store.live_status(store.get_session(sid)) == "interrupted"


def test_kill_9_releases_the_lease(tmp_path):
    store = open_store(tmp_path)
    sid = store.create_session("s", "toy", status="running")
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path), str(sid)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "held"
        holder = store.lease_holder(sid)
        assert holder is not None and holder.pid == proc.pid
        with pytest.raises(LeaseHeld) as refused, store.lease(sid):
            pass
        assert refused.value.holder.pid == proc.pid and "adrs run holder" in str(refused.value)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 10
    while store.lease_holder(sid) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store.lease_holder(sid) is None
    assert store.live_status(store.get_session(sid)) == "interrupted"
    with store.lease(sid):
        assert store.lease_holder(sid).pid == os.getpid()
