"""Where backprop-grade finds solutions/: --solutions DIR, else ./solutions, else the checkout's; else it says so."""
import pytest

from autograder import paths
from autograder.cli import main
from autograder.errors import UserError


def _assignment(root):
    (root / "solutions" / "00_x").mkdir(parents=True)
    (root / "solutions" / "00_x" / "00_x.ipynb").write_text("{}")
    return root / "solutions"


def test_explicit_option_wins_and_must_hold_assignments(tmp_path):
    mine = _assignment(tmp_path / "mine")
    assert paths.find_solutions(mine, cwd=tmp_path) == mine.resolve()
    with pytest.raises(UserError, match="holds no assignment"):
        paths.find_solutions(tmp_path / "empty", cwd=tmp_path)


def test_current_directory_then_the_checkout(tmp_path, monkeypatch):
    here = _assignment(tmp_path / "course-repo")
    assert paths.find_solutions(cwd=tmp_path / "course-repo") == here.resolve()
    assert paths.find_solutions(cwd=tmp_path) == paths.SOLUTIONS.resolve()  # this checkout's, when nothing closer
    monkeypatch.setattr(paths, "SOLUTIONS", tmp_path / "not-installed-here" / "solutions")
    with pytest.raises(UserError, match="cannot find the instructor notebooks") as error:
        paths.find_solutions(cwd=tmp_path)
    assert "--solutions DIR" in error.value.hint


def test_default_workspace_sits_beside_the_solutions(tmp_path):
    assert paths.default_workspace(tmp_path / "solutions") == tmp_path / "autograder" / "workspace"
    assert paths.default_workspace(paths.SOLUTIONS) == paths.DEFAULT_WORKSPACE


def test_cli_says_when_it_cannot_find_them(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(paths, "SOLUTIONS", tmp_path / "nowhere")
    assert main(["release", "00_basics", "--workspace", str(tmp_path / "ws")]) == 2
    err = capsys.readouterr().err
    assert "cannot find the instructor notebooks" in err and "--solutions DIR" in err
    assert not (tmp_path / "ws").exists()
