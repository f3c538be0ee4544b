"""The command line: clear help, and clear errors (message, what to do, exit code 2) for bad input; no kernels."""
import subprocess
import sys

import pytest

from autograder.cli import build_parser, main
from autograder.workspace import Workspace


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for command in ("generate", "release", "collect", "autograde", "feedback", "export", "report", "self-check"):
        assert command in out


def test_python_dash_m_works():
    result = subprocess.run([sys.executable, "-m", "autograder", "autograde", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--notebook-budget" in result.stdout


@pytest.mark.parametrize("argv, message", [
    (["release", "99_nope"], "unknown assignment '99_nope'"),
    (["collect", "00_basics"], "no grading workspace"),
    (["autograde", "00_basics"], "no grading workspace"),
    (["feedback", "00_basics"], "no grading workspace"),
    (["export"], "no grading workspace"),
    (["report", "00_basics"], "no grading workspace"),
    (["autograde", "99_nope"], "unknown assignment"),
])
def test_bad_input_gives_a_message_and_exit_code_2(tmp_path, capsys, argv, message):
    code = main(argv + ["--workspace", str(tmp_path / "ws")])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "what to do:" in err and "Traceback" not in err


def test_unknown_student_is_named_with_the_known_ones(tmp_path, capsys):
    ws = Workspace(tmp_path / "ws").create()
    ws.gradebook.write_bytes(b"")  # a workspace that exists but has nothing collected
    (ws.root / "submitted" / "alice" / "00_basics").mkdir(parents=True)
    code = main(["autograde", "00_basics", "--student", "mallory", "--workspace", str(ws.root)])
    err = capsys.readouterr().err
    assert code == 2 and "mallory" in err and "alice" in err


def test_invalid_limits_are_refused(tmp_path, capsys):
    code = main(["autograde", "00_basics", "--cell-timeout", "0", "--workspace", str(tmp_path)])
    assert code == 2 and "--cell-timeout" in capsys.readouterr().err


def test_parser_has_one_entry_point():
    assert build_parser().prog == "backprop-grade"


def _workspace_with_a_submission(tmp_path):
    ws = Workspace(tmp_path / "ws").create()
    ws.gradebook.write_bytes(b"")
    (ws.root / "submitted" / "alice" / "00_basics").mkdir(parents=True)
    return ws


def test_autograde_refuses_without_bubblewrap(tmp_path, capsys, monkeypatch):
    from autograder import bwrap

    monkeypatch.setattr(bwrap, "bwrap_path", lambda: None)
    ws = _workspace_with_a_submission(tmp_path)
    code = main(["autograde", "00_basics", "--workspace", str(ws.root)])
    err = capsys.readouterr().err
    assert code == 2 and "bubblewrap" in err and "apt-get install bubblewrap" in err and "--trusted-no-sandbox" in err


def test_trusted_flag_skips_the_sandbox_check(tmp_path, monkeypatch):
    from autograder import bwrap, grading

    monkeypatch.setattr(bwrap, "bwrap_path", lambda: None)
    seen = {}

    class StopAfterTheCheck:  # stands in for the answer key: grading got past the sandbox check
        @staticmethod
        def ensure(workspace, *args, **kwargs):
            seen["sandboxed"] = workspace.sandboxed
            raise SystemExit(0)

    monkeypatch.setattr(grading, "answer_key", StopAfterTheCheck)
    ws = _workspace_with_a_submission(tmp_path)
    (ws.root / "release" / "00_basics").mkdir(parents=True)
    (ws.root / "release" / "00_basics" / "00_basics.ipynb").write_text("{}")
    with pytest.raises(SystemExit):
        main(["autograde", "00_basics", "--trusted-no-sandbox", "--workspace", str(ws.root)])
    assert seen == {"sandboxed": False}


@pytest.mark.parametrize("shard", ["0/2", "3/2", "a/b", "1"])
def test_bad_shard_is_refused(tmp_path, capsys, shard):
    ws = _workspace_with_a_submission(tmp_path)
    code = main(["autograde", "00_basics", "--shard", shard, "--workspace", str(ws.root)])
    assert code == 2 and "--shard" in capsys.readouterr().err


def test_command_start_up_skips_the_iri_parsers_and_still_validates_notebooks():
    """backprop-grade starts without rfc3987_syntax (1.3 s of Earley parsers for jsonschema's "iri" formats, which
    no schema here uses); nbformat still reads and validates notebooks, and rejects an invalid one."""
    code = """
import sys
from autograder import cli
cli._skip_slow_iri_checker()
import jsonschema, nbformat
assert sys.modules["rfc3987_syntax"] is None
checks = jsonschema.FormatChecker().checkers
assert "iri" not in checks and "date" in checks, sorted(checks)
nb = nbformat.read("solutions/00_basics/00_basics.ipynb", as_version=4)
nbformat.validate(nb)
nb.cells[0]["cell_type"] = "nonsense"
try:
    nbformat.validate(nb)
except nbformat.ValidationError:
    print("rejected")
"""
    from autograder.paths import REPO

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "rejected"


def test_iri_checker_is_left_alone_once_jsonschema_is_loaded(monkeypatch):
    """In a process that already imported jsonschema (this test run, a notebook) the start-up shortcut does nothing."""
    from autograder import cli

    import jsonschema  # noqa: F401  (loaded, as in any process that validated a notebook)

    monkeypatch.delitem(sys.modules, "rfc3987_syntax", raising=False)
    cli._skip_slow_iri_checker()
    assert "rfc3987_syntax" not in sys.modules
