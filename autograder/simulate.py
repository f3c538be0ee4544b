"""Simulated students: fetch the released assignment through the exchange, write a notebook, submit it.

Used by the class-scenario tests, the mutation check and the throughput benchmark.
"""
from pathlib import Path

import nbformat

from .student import fetch, submit


def hand_in(workspace, assignment_id, student_id, content, homes, notebook=None):
    """Student ``student_id`` fetches (once), replaces the notebook with ``content`` and submits.

    ``content`` is a NotebookNode, raw bytes/str (e.g. a corrupt file), None (submit what was fetched), or a
    dict {notebook file name: content} for assignments with several notebooks.
    """
    home = Path(homes) / student_id
    folder = home / assignment_id
    if not folder.is_dir():
        fetch(workspace.exchange, assignment_id, home, workspace.course_id)
    name = notebook or sorted(p.name for p in folder.glob("*.ipynb"))[0]
    is_many = isinstance(content, dict) and not isinstance(content, nbformat.NotebookNode)
    contents = content if is_many else {name: content}
    for name, content in contents.items():
        _write(folder / name, content)
    submit(workspace.exchange, assignment_id, home, student_id, workspace.course_id)
    return folder


def _write(path, content):
    if isinstance(content, nbformat.NotebookNode):
        nbformat.write(content, str(path))
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content)


def hand_in_all(workspace, assignment_id, submissions, homes, notebook=None):
    """``hand_in`` for every (student_id, content) of the dict ``submissions``."""
    for student_id, content in submissions.items():
        hand_in(workspace, assignment_id, student_id, content, homes, notebook)
