"""The dashboard against misdirection: DNS-rebinding Host headers, ids that name nothing or
overflow SQLite, and ``adrs serve`` told a host or port it cannot bind."""

from __future__ import annotations

import socket

import pytest

from adrs.cli.main import main
from adrs.errors import UsageError
from adrs.web import security
from tests.web.conftest import dashboard

#: Every route of the dashboard, the pages, the JSON stamps, the script and the health check.
ROUTES = [
    "/",
    "/sessions/demo",
    "/sessions/1",
    "/sessions/demo/iterations/2",
    "/api/sessions/demo/stamp",
    "/api/stamp",
    "/live.js",
    "/healthz",
    "/no-such-page",
]


@pytest.mark.parametrize("path", ROUTES)
def test_a_rebinding_host_is_refused_on_every_route(sample, path):
    response = dashboard(sample[0]).get(path, headers={"Host": "attacker.example:8765"})
    assert response.status_code == 421
    assert response.text == security.MISDIRECTED_TEXT
    assert response.headers["x-frame-options"] == "DENY"


def test_a_refused_page_carries_no_session_data(sample):
    client = dashboard(sample[0])
    program = f"/sessions/demo/programs/{sample[1]['safety_net']}"
    assert "if slack &gt; 4.5" in client.get(program).text  # the control: the page shows it
    for path in (program, "/sessions/demo", "/api/sessions/demo/stamp"):
        body = client.get(path, headers={"Host": "attacker.example:8765"}).text
        assert "demo" not in body and "slack" not in body and "stamp" not in body


@pytest.mark.parametrize(
    "host",
    [
        "localhost:8765",
        "127.0.0.1:8765",
        "[::1]:8765",
        "LocalHost",
        "127.0.0.2",
        "localhost.:8765",
        "[::1]",
    ],
)
def test_loopback_hosts_are_served(sample, host):
    client = dashboard(sample[0])
    assert client.get("/sessions/demo", headers={"Host": host}).status_code == 200
    assert client.get("/api/sessions/demo/stamp", headers={"Host": host}).json()["stamp"]


@pytest.mark.parametrize(
    "host",
    [
        "",
        "attacker.example",
        "localhost.attacker.example",
        "127.0.0.1.attacker.example",
        "[::1",
        "::1",
        "localhost:http",
        "localhost@attacker.example",
        "[attacker.example]:8765",
        "local host",
    ],
)
def test_missing_or_malformed_hosts_are_refused(sample, host):
    response = dashboard(sample[0]).get("/sessions/demo", headers={"Host": host})
    assert response.status_code == 421 and "demo" not in response.text


def test_a_missing_host_header_is_refused():
    assert not security.host_allowed(None, security.allowed_hosts("127.0.0.1"))


def test_the_host_check_comes_before_the_token(sample):
    client = dashboard(sample[0], token="s3cret-token")
    refused = client.get("/sessions/demo?token=s3cret-token", headers={"Host": "attacker.example"})
    assert refused.status_code == 421 and "set-cookie" not in refused.headers
    assert client.get("/sessions/demo?token=s3cret-token").status_code == 200


def test_the_bound_name_and_allowed_names_are_served(sample):
    named = dashboard(sample[0], host="Dash.Example.org", token="s3cret-token")
    ok = {"Authorization": "Bearer s3cret-token"}
    assert named.get("/", headers=ok | {"Host": "dash.example.ORG:8765"}).status_code == 200
    assert named.get("/", headers=ok | {"Host": "other.example.org"}).status_code == 421
    everywhere = dashboard(
        sample[0], host="0.0.0.0", allow_hosts=["lab-box.lan"], token="s3cret-token"
    )
    for host in ("lab-box.lan:8765", "192.168.1.5:8765", socket.gethostname()):
        assert everywhere.get("/", headers=ok | {"Host": host}).status_code == 200, host
    assert everywhere.get("/", headers=ok | {"Host": "attacker.example"}).status_code == 421


def test_host_names_are_parsed_with_their_port():
    assert security.host_name("[::1]:8765") == "::1"
    assert security.host_name("[2001:DB8::1]") == "2001:db8::1"
    assert security.host_name("LOCALHOST:8765") == "localhost"
    assert security.host_name("localhost.") == "localhost"
    for bad in (None, "", ":8765", "[::1]8765", "[127.0.0.1]:80", "a b", "host:99999999"):
        assert security.host_name(bad) is None, bad
    with pytest.raises(UsageError, match="--allow-host 'http://x' is not a host name"):
        security.allowed_hosts("0.0.0.0", ["http://x"])


@pytest.mark.parametrize(
    "path",
    [
        "/sessions/demo/programs/99999999999999999999999",
        "/sessions/demo/programs/9223372036854775808",  # 2**63: one past SQLite's range
        "/sessions/demo/programs/-1",
        "/sessions/demo/programs/abc",
        "/sessions/demo/programs/1.5",
        "/sessions/demo/programs/%C2%B2",  # '²' is a digit to str.isdigit
        "/sessions/demo/programs/" + "9" * 5000,  # past int()'s 4300-digit limit
        "/sessions/99999999999999999999999",
        "/sessions/%C2%B2",
        "/sessions/-1",
        "/sessions/99999999999999999999999/programs/1",
        "/sessions/demo/iterations/99999999999999999999999",
        "/sessions/demo/iterations/two",
        "/api/sessions/99999999999999999999999/stamp",
    ],
)
def test_ids_out_of_range_or_not_numbers_are_404(sample, path):
    assert dashboard(sample[0]).get(path).status_code == 404


def test_ids_in_range_still_work(sample):
    client = dashboard(sample[0])
    sid, pid = sample[1]["session"], sample[1]["safety_net"]
    assert client.get(f"/sessions/{sid}").status_code == 200
    assert client.get(f"/sessions/demo/programs/00{pid}").status_code == 200
    assert client.get("/sessions/demo/programs/9223372036854775807").status_code == 404
    assert client.get("/sessions/demo/iterations/2").status_code == 200


def serve(sample, capsys, monkeypatch, *flags: str) -> tuple[int, str]:
    """``adrs serve`` with ``flags`` and a token (so any host passes the bind rule): exit code
    and stderr. Every case here fails before serving, so nothing blocks."""
    monkeypatch.delenv("ADRS_SERVE_TOKEN", raising=False)
    code = main(["--workspace", str(sample[0]), "serve", "--token", "long-enough-token", *flags])
    return code, capsys.readouterr().err


def test_serve_on_a_host_that_does_not_resolve_says_so(sample, capsys, monkeypatch):
    code, err = serve(sample, capsys, monkeypatch, "--host", "bad.invalid.")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(
        "adrs: cannot serve on bad.invalid.:8765: bad.invalid. does not resolve to an address"
    )
    assert "in use" not in err


def test_serve_on_an_address_of_another_machine_says_so(sample, capsys, monkeypatch):
    code, err = serve(sample, capsys, monkeypatch, "--host", "192.0.2.1")  # TEST-NET-1
    assert code == 2 and err.count("\n") == 1
    assert err == (
        "adrs: cannot serve on 192.0.2.1:8765: 192.0.2.1 is not an address of this "
        "machine; give one it has with --host (or 127.0.0.1)\n"
    )


def test_serve_on_a_port_in_use_says_so(sample, capsys, monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, err = serve(sample, capsys, monkeypatch, "--port", str(port))
    assert code == 2 and err.count("\n") == 1
    assert err == (
        f"adrs: cannot serve on 127.0.0.1:{port}: the port is in use; stop what "
        "listens there or pick another --port\n"
    )


def test_serve_rejects_a_bad_allow_host_in_one_line(sample, capsys, monkeypatch):
    with socket.socket() as probe:  # a port free now: binding succeeds
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, err = serve(sample, capsys, monkeypatch, "--port", str(port), "--allow-host", "a b")
    assert (
        code == 2 and err == "adrs: --allow-host 'a b' is not a host name (like dash.example.org)\n"
    )
