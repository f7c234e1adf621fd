"""The dashboard end to end: ``adrs serve`` in its own process, Debian's headless Chromium driven
by playwright (no browser download), real pages checked, a live update seen, a screenshot."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from memory import open_store
from tests.chat.sample_session import SAFETY_NET

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(sample):
    """``adrs serve`` on a free loopback port; yields (base_url, workspace, ids)."""
    workspace, ids = sample
    driver = contextlib.ExitStack()  # this process drives the session: a live one, pages poll
    store = driver.enter_context(open_store(workspace))
    driver.enter_context(store.lease(ids["session"]))
    store.set_session_status(ids["session"], "running")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "ADRS_SERVE_TOKEN"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "adrs.cli.main",
            "--workspace",
            str(workspace),
            "serve",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, process.stderr.read().decode()
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "adrs serve did not answer within 90 s"
            time.sleep(0.2)
        yield base, workspace, ids
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        driver.close()


def test_dashboard_in_headless_chromium(server, tmp_path):
    from playwright.sync_api import sync_playwright

    base, workspace, ids = server
    shot = tmp_path / "session.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(base + "/")
            assert page.title() == "Sessions · ADRS"
            page.click("text=demo")
            page.wait_for_url(base + "/sessions/demo")

            # The chart is drawn by the server: real SVG elements in the DOM.
            assert page.locator("#train-chart svg.chart circle.candidate").count() == 4
            assert page.locator("#train-chart svg.chart g.reference").count() == 3
            assert "optimum 48.9" in page.locator("#train-chart svg.chart").text_content()
            assert f"Champion #{ids['safety_net']}" in page.inner_text("#champion")
            assert page.locator("#lineage tr").count() == 5  # header + 4 programs
            verdicts = page.inner_text("#verdicts")
            assert (
                "rejected" in verdicts
                and "static check failed: reads the trace's future" in verdicts
            )
            page.screenshot(path=str(shot), full_page=True)

            # Live: a new candidate appears without reloading the page.
            with open_store(workspace) as store:
                pid = store.add_program(
                    ids["session"],
                    SAFETY_NET.replace("4.5", "3.9"),
                    parent_id=ids["safety_net"],
                    iteration=4,
                ).program_id
                store.add_evaluation(pid, "train", "full", 59.8, True, "ok")
                store.record_iteration(ids["session"], 4)
            page.wait_for_selector(f"#lineage >> text=#{pid}", timeout=20_000)
            assert page.locator("#train-chart svg.chart circle.candidate").count() == 5

            # A program: highlighted code and its diff to the parent.
            page.click(f"#lineage >> text=#{ids['safety_net']}")
            page.wait_for_selector("#diff")
            assert "+        if slack > 4.5:" in page.inner_text("#diff")
            assert page.locator("#code span.k").count() > 3  # pygments token classes

            # The transcripts of the iteration that produced it.
            page.click("text=transcripts of iteration 3")
            page.wait_for_selector(".call")
            assert page.locator(".call").count() == 3
            page.click(".call >> nth=0 >> summary")
            assert "You are the planner." in page.inner_text(".call >> nth=0")
        finally:
            browser.close()

    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a real page, not a blank
