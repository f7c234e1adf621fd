"""Dashboard pages rendered in-process (fast checks of content, escaping and the token rule);
the real-browser test lives in test_web_browser.py."""

from __future__ import annotations

import re

import pytest

from adrs.cli.main import main
from adrs.errors import UsageError
from adrs.web.security import check_bind, is_loopback
from memory import open_store
from tests.web.conftest import dashboard


@pytest.fixture
def client(sample):
    return dashboard(sample[0])


def test_sessions_list(client):
    html = client.get("/").text
    assert '<a href="/sessions/demo">demo</a>' in html
    assert "spot-single" in html and "60.4" in html and "61.2" in html


def test_session_page_chart_references_lineage_verdicts(client, sample):
    ids = sample[1]
    html = client.get("/sessions/demo").text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in html
    train_chart, heldout_chart = html.split("Score on held-out, the split that decides")
    assert train_chart.count('class="candidate"') == 4  # seed + 3 candidates
    assert heldout_chart.count('class="candidate"') >= 2  # those that ran on held-out
    assert "uniform_progress 66.1" in heldout_chart  # held-out references
    assert "optimum 48.9" in html and "greedy 71.5" in html and "uniform_progress 64.2" in html
    assert "-5.9%" in html  # best 60.4 vs uniform progress 64.2
    refs = html.split('id="references"')[1].split("</table>")[0]
    # Held-out (the split that decides) and test sit beside train for every reference.
    assert ">held-out</th>" in refs and ">test</th>" in refs
    assert (
        '<td>uniform_progress</td><td>baseline</td><td class="num">64.2</td>'
        '<td class="num">-5.9%</td><td class="num">66.126</td><td class="num">-7.4%</td>' in refs
    )  # 61.2 vs 66.126 on held-out
    lineage = html.split('id="lineage"')[1].split("</table>")[0]
    order = [
        lineage.index(f">#{ids[k]}<") for k in ("seed", "hysteresis", "safety_net", "price_peek")
    ]
    assert order == sorted(order)  # tree order: child under parent
    assert "causality check failed: decisions change when the trace after tick t changes" in html
    assert re.search(
        r'id="rejection-rules">Rejected for: causality check failed <span '
        r'class="muted">&times;1</span> · static check failed',
        html,
    ), html
    assert "2 accepted, 1 rejected" in html
    assert "test 62.7" in html  # the champion, scored once on test
    assert "never use price data" in html
    assert "<script" not in html  # finished: no live polling


def test_program_page_highlighted_code_and_diff(client, sample):
    ids = sample[1]
    html = client.get(f"/sessions/demo/programs/{ids['safety_net']}").text
    assert f"Diff to parent #{ids['hysteresis']}" in html
    assert '<span class="gd">-        if slack &gt; 6.0:</span>' in html
    assert '<span class="gi">+        if slack &gt; 4.5:</span>' in html
    assert '<div class="hl"><pre>' in html and '<span class="k">class</span>' in html
    assert "Tighter safety net" in html and "beats the champion on held-out" in html


def test_iteration_page_transcripts(client):
    html = client.get("/sessions/demo/iterations/2").text
    for role in ("planner", "coder", "critic"):
        assert f"<b>{role}</b>" in html
    assert "thinking about coder step 2" in html  # reasoning
    assert "902 in / 300 out tokens" in html
    assert "Peek at the spot price data" in html and "rejected" in html


def test_unknown_pages_are_404(client):
    assert client.get("/sessions/nope").status_code == 404
    assert client.get("/sessions/demo/programs/9999").status_code == 404


def test_user_text_is_escaped(sample):
    with open_store(sample[0]) as store:
        store.add_directive(sample[1]["session"], "<script>alert(1)</script>")
    html = dashboard(sample[0]).get("/sessions/demo").text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html


def test_running_session_polls_its_stamp(sample):
    with open_store(sample[0]) as store, store.lease(sample[1]["session"]):
        store.set_session_status(sample[1]["session"], "running")
        client = dashboard(sample[0])
        html = client.get("/sessions/demo").text
        assert (
            '<script src="/live.js"></script>' in html and 'data-stamp-url="/api/sessions/' in html
        )
        before = client.get("/api/sessions/demo/stamp").json()
        store.record_llm_call(sample[1]["session"], 4, {"role": "planner", "response": "x"})
        after = client.get("/api/sessions/demo/stamp").json()
    assert before["live"] and before["stamp"] != after["stamp"]


def test_a_running_session_whose_process_died_shows_interrupted(sample):
    with open_store(sample[0]) as store:
        store.set_session_status(sample[1]["session"], "running")  # and nobody holds its lease
        client = dashboard(sample[0])
        stamp = client.get("/api/sessions/demo/stamp").json()
        assert (stamp["status"], stamp["live"]) == ("interrupted", False)
        assert "interrupted" in client.get("/").text


def test_token_is_required_on_every_request(sample):
    client = dashboard(sample[0], token="s3cret-token")
    assert client.get("/").status_code == 401
    assert client.get("/api/sessions/demo/stamp").status_code == 401
    assert client.get("/?token=wrong-token").status_code == 401
    first = client.get("/?token=s3cret-token")
    assert first.status_code == 200 and "adrs_token" in first.headers["set-cookie"]
    assert "HttpOnly" in first.headers["set-cookie"]
    assert client.get("/sessions/demo").status_code == 200  # the cookie carries it
    bare = dashboard(sample[0], token="s3cret-token")
    assert bare.get("/", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    assert first.headers["x-frame-options"] == "DENY"


def test_bind_rule():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    check_bind("127.0.0.1", None)
    check_bind("0.0.0.0", "long-enough-token")
    with pytest.raises(UsageError):
        check_bind("0.0.0.0", None)
    with pytest.raises(UsageError):
        check_bind("0.0.0.0", "short")


def test_serve_on_all_interfaces_without_token_exits_2_with_one_line(sample, capsys, monkeypatch):
    monkeypatch.delenv("ADRS_SERVE_TOKEN", raising=False)
    code = main(["--workspace", str(sample[0]), "serve", "--host", "0.0.0.0"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("adrs: refusing to serve on 0.0.0.0")


def test_sessions_list_polls_while_a_session_runs(sample):
    with open_store(sample[0]) as store:
        client = dashboard(sample[0])
        assert "<script" not in client.get("/").text
        with store.lease(sample[1]["session"]):  # this process drives the session now
            store.set_session_status(sample[1]["session"], "running")
            html = client.get("/").text
            assert 'data-stamp-url="/api/stamp"' in html and '<script src="/live.js">' in html
            before = client.get("/api/stamp").json()
            store.create_session("second", "spot-single")
            after = client.get("/api/stamp").json()
    assert before["live"] and before["stamp"] != after["stamp"]


def test_session_page_shows_a_waiting_plan_and_a_pause(sample):
    from graph import control

    sid = sample[1]["session"]
    with open_store(sample[0]) as store:
        hid = store.add_hypothesis(sid, 4, "raise the spot threshold")
        control.announce_plan(store, sid, [hid])
        control.request_pause(store, sid)
    html = dashboard(sample[0]).get("/sessions/demo").text
    assert f"h{hid}: raise the spot threshold" in html and "Plan waiting for approval" in html
    assert "pause requested" in html


def test_a_running_session_page_shows_its_lanes_and_polls_them(sample):
    sid = sample[1]["session"]
    with open_store(sample[0]) as store, store.lease(sid):
        store.set_session_status(sid, "running")
        store.set_lane(sid, 0, "critique", 7, calls=1)
        store.set_lane(sid, 1, "evaluate", 8)
        client = dashboard(sample[0])
        before = client.get(f"/api/sessions/{sid}/stamp").json()["stamp"]
        html = client.get("/sessions/demo").text
        store.set_lane_calls(sid, 1, 1)
        after = client.get(f"/api/sessions/{sid}/stamp").json()["stamp"]
    assert 'id="lanes"' in html and "Research lanes" in html
    assert "2 lanes (1 critiquing, 1 evaluating) · 1 model call in flight" in html
    assert "<td>critiquing</td>" in html and 'href="/sessions/demo/iterations/8"' in html
    assert before != after, "a change on the board refreshes the live page"
