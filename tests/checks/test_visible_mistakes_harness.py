"""The injected-mistake harness parses each instructor notebook once, and again only when the file changes."""
import os
import shutil

import nbformat
import pytest
import visible_mistakes
from autograder import mutate
from autograder.paths import SOLUTIONS

NOTEBOOK = "02_models/02_cnn.ipynb"


@pytest.fixture
def counted_reads(tmp_path, monkeypatch):
    """A copy of one instructor notebook under a temporary solutions/ and a list of the paths mutate.read parsed."""
    (tmp_path / "02_models").mkdir()
    shutil.copy(SOLUTIONS / NOTEBOOK, tmp_path / NOTEBOOK)
    monkeypatch.setattr(visible_mistakes, "SOLUTIONS", tmp_path)
    reads, read = [], mutate.read
    monkeypatch.setattr(mutate, "read", lambda path: reads.append(path) or read(path))
    visible_mistakes._parsed.cache_clear()
    yield tmp_path, reads
    visible_mistakes._parsed.cache_clear()


def test_the_student_view_and_the_graded_tests_come_from_one_parse(counted_reads):
    root, reads = counted_reads
    first = visible_mistakes.student_view(NOTEBOOK)
    assert visible_mistakes.student_view(NOTEBOOK) == first
    owners = mutate.graded_by(visible_mistakes.instructor(NOTEBOOK))
    assert reads == [root / NOTEBOOK]
    # Same result as parsing afresh: every code cell, hidden regions cut off, and which tests check which exercise.
    fresh = nbformat.read(str(root / NOTEBOOK), as_version=4)
    assert [gid for gid, _ in first] == [c.metadata.get("nbgrader", {}).get("grade_id")
                                          for c in fresh.cells if c.cell_type == "code"]
    assert all("BEGIN HIDDEN TESTS" not in source for _, source in first)
    assert owners == mutate.graded_by(fresh) and owners["cnn-ex2"] == ["test_cnn_ex2"]


def test_a_changed_notebook_is_parsed_again(counted_reads):
    root, reads = counted_reads
    before = dict(visible_mistakes.student_view(NOTEBOOK))
    nb = nbformat.read(str(root / NOTEBOOK), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "cnn-ex3")
    cell.source = cell.source.replace("+ out_channels\n", "+ 2 * out_channels\n")
    nbformat.write(nb, str(root / NOTEBOOK))
    stat = os.stat(root / NOTEBOOK)
    os.utime(root / NOTEBOOK, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # a new version, surely
    after = dict(visible_mistakes.student_view(NOTEBOOK))
    assert len(reads) == 2
    assert "2 * out_channels" in after["cnn-ex3"] and "2 * out_channels" not in before["cnn-ex3"]
