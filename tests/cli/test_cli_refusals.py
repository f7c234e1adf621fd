"""Input that makes no sense is refused in one line, with the right exit code, before anything
starts or changes: budgets, session names, workspaces and memory files that are not ours."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from adrs.cli.main import main


def adrs(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    err = capsys.readouterr().err
    return code, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("adrs: ") and "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    "flags, named",
    [
        (("--iterations", "0"), "--iterations"),
        (("--iterations", "-1"), "--iterations"),
        (("--minutes", "0"), "--minutes"),
        (("--minutes", "nan"), "--minutes"),
        (("--budget-usd", "-5"), "--budget-usd"),
        (("--stagnation", "-1"), "--stagnation"),
        (("--tune", "-3"), "--tune"),
        (("--islands", "0"), "--islands"),
        (("--hypotheses", "0"), "--hypotheses"),
        (("--lanes", "0"), "--lanes"),
        (("--endpoint-failures", "0"), "--endpoint-failures"),
    ],
)
def test_budgets_and_sizes_that_allow_nothing_are_refused_before_anything_starts(
    tmp_path, capsys, flags, named
):
    code, err = adrs(capsys, "--workspace", str(tmp_path / "ws"), "run", "spot-single", *flags)
    assert code == 2
    assert named in one_line(err)
    assert not (tmp_path / "ws").exists(), "a refused run created its workspace"


def test_resume_refuses_a_budget_that_allows_nothing(tmp_path, capsys):
    code, err = adrs(capsys, "--workspace", str(tmp_path), "resume", "x", "--iterations", "0")
    assert code == 2 and "--iterations" in one_line(err)


@pytest.mark.parametrize(
    "name", ["../../x", "/abs/x", "<script>alert(1)</script>", ".hidden", "a/b", "x" * 81, ""]
)
def test_session_names_that_would_be_paths_are_refused(tmp_path, capsys, name):
    code, err = adrs(
        capsys, "--workspace", str(tmp_path / "ws"), "run", "spot-single", "--session", name
    )
    assert code == 2 and "session name" in one_line(err)
    assert not (tmp_path / "ws").exists() and not (tmp_path / "x").exists()


def test_a_workspace_that_is_a_file_or_under_one_is_refused(tmp_path, capsys):
    plain = tmp_path / "file"
    plain.write_text("not a folder")
    for workspace in (plain, plain / "below"):
        code, err = adrs(capsys, "--workspace", str(workspace), "sessions")
        assert code == 2 and str(plain) in one_line(err)
    assert plain.read_text() == "not a folder"


def foreign_database(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, title TEXT)")
        conn.execute("INSERT INTO photos (title) VALUES ('holiday')")


@pytest.mark.parametrize("kind", ["garbage", "folder", "foreign", "truncated"])
def test_a_memory_file_that_is_not_ours_is_refused_and_left_unchanged(tmp_path, capsys, kind):
    db = tmp_path / "adrs.db"
    if kind == "garbage":
        db.write_bytes(b"\x00\x01 this is not a database " * 100)
    elif kind == "folder":
        db.mkdir()
    elif kind == "foreign":
        foreign_database(db)
    else:  # a header that says SQLite over a damaged body
        db.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    before = db.read_bytes() if db.is_file() else None
    code, err = adrs(capsys, "--workspace", str(tmp_path), "sessions")
    assert code == 1 and "adrs.db" in one_line(err)
    if before is not None:
        assert db.read_bytes() == before, "a file that is not ours was modified"
    assert not (tmp_path / "adrs.db-wal").exists()
    if kind == "foreign":
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_an_oversized_program_is_refused_as_too_large_not_a_broken_pipe(tmp_path, capsys):
    program = tmp_path / "huge.py"
    program.write_text("def decide(*a, **k):\n    return None\n" + "# pad\n" * 400_000)
    code, err = adrs(
        capsys, "--workspace", str(tmp_path / "ws"), "eval", "spot-single", str(program)
    )
    assert code == 1 and "too large" in one_line(err) and "2,4" in err
