"""``adrs report``: one self-contained HTML file with real charts and real numbers."""

from __future__ import annotations

import base64
import re

from adrs.cli.main import main
from adrs.report.data import session_facts
from memory import open_store
from simulators.references import LIMIT_KEY, References


def test_report_file_has_inline_charts_and_the_session_numbers(sample, tmp_path, capsys):
    out = tmp_path / "report.html"
    code = main(["--workspace", str(sample[0]), "report", "demo", "-o", str(out)])
    assert code == 0
    assert capsys.readouterr().err.startswith(f"wrote {out}")
    html = out.read_text()

    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) == 5  # train and held-out curves, breakdown, verdicts, spend
    assert 'alt="held-out score curve"' in html
    for data in images:
        png = base64.b64decode(data)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
    assert "http://" not in html and "https://" not in html  # nothing fetched when opened

    assert "#6 (iteration 3, champion)" in html
    assert '<td class="num">60.4</td>' in html and '<td class="num">61.2</td>' in html
    assert "champion's test score" in html and '<td class="num">62.7</td>' in html
    assert "-5.9%" in html and "-15.5%" in html and "+23.5%" in html
    assert "2 accepted, 1 rejected." in html
    assert "<td>causality check failed</td>" in html and "<td>static check failed</td>" in html
    assert "<td>best #6</td>" in html and "<td>uniform_progress</td>" in html
    assert "8118 in / 2700 out" in html and "$0.0027" in html
    assert "if slack &gt; 4.5:" in html  # the best program's code


def test_report_of_an_empty_session_still_renders(tmp_path, capsys):
    with open_store(tmp_path) as store:
        store.create_session("fresh", "no-such-scenario")
    out = tmp_path / "fresh.html"
    assert main(["--workspace", str(tmp_path), "report", "fresh", "-o", str(out)]) == 0
    assert "adrs: no baselines in the report (UnknownName" in capsys.readouterr().err
    html = out.read_text()
    assert html.count("data:image/png;base64,") == 1  # the (empty) score curve
    assert "0 accepted, 0 rejected." in html and "none" in html


def test_missing_references_are_computed_once_and_stored(tmp_path, capsys, monkeypatch):
    import adrs.launch

    calls = []

    def fake_load_references(scenario, workspace):
        calls.append(scenario.name)
        return References(
            {
                "uniform_progress": {"train": {"w": 64.2}, "heldout": {"w": 66.0}},
                LIMIT_KEY: {"train": {"w": 48.9}, "heldout": {"w": 50.1}},
            },
            parts={"uniform_progress": {"train": {"spot, working": 60.0, "restart overhead": 4.2}}},
        )

    monkeypatch.setattr(adrs.launch, "load_references", fake_load_references)
    with open_store(tmp_path) as store:
        sid = store.create_session("old", "spot-single")
    for _ in range(2):
        assert (
            main(["--workspace", str(tmp_path), "report", "old", "-o", str(tmp_path / "old.html")])
            == 0
        )
    assert calls == ["spot-single"]  # stored after the first time
    html = (tmp_path / "old.html").read_text()
    assert '<td>uniform_progress</td><td>baseline</td><td class="num">64.2</td>' in html
    # The baseline's parts in the breakdown, adding up to its score.
    assert (
        '<td>uniform_progress</td><td class="num">60</td><td class="num">4.2</td>'
        '<td class="num">64.2</td>'
    ) in html
    with open_store(tmp_path) as store:
        assert {e.payload["name"] for e in store.events(sid, kind="limit")} == {"optimum"}


def test_unknown_session_is_exit_2(sample, capsys):
    assert main(["--workspace", str(sample[0]), "report", "nope"]) == 2
    assert "no session 'nope'" in capsys.readouterr().err


def test_facts_best_so_far_skips_rejected_candidates(sample):
    with open_store(sample[0]) as store:
        facts = session_facts(store, sample[1]["session"])
    assert [p.score for p in facts.points] == [80.3, 62.1, 55.0, 60.4]
    assert [p.best for p in facts.points] == [80.3, 62.1, 62.1, 60.4]
    assert [(r.name, r.kind) for r in facts.references] == [
        ("optimum", "limit"),
        ("uniform_progress", "baseline"),
        ("greedy", "baseline"),
    ]
