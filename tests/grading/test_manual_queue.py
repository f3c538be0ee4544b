"""A zeroed submission stays visible to formgrader (which lists only notebooks in autograded/): its readable
notebooks are put there with outputs cleared, so it shows up in the "needs manual grade" queue."""
import nbformat

from autograder import grading
from autograder.workspace import Workspace


def test_zeroed_submission_is_shown_without_outputs_and_corrupt_files_are_skipped(tmp_path):
    ws = Workspace(tmp_path / "ws")
    submitted = ws.submitted_dir("00_basics", "grace")
    submitted.mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('Hidden checks: all 3 passed.')")])
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="Hidden checks: all 3 passed.\n")]
    nb.cells[0].execution_count = 1
    nbformat.write(nb, str(submitted / "00_basics.ipynb"))
    (submitted / "broken.ipynb").write_text("{not json")
    folder = ws.root / "autograded" / "grace" / "00_basics"
    grading._show_for_manual_grading(ws, "00_basics", "grace", folder)
    shown = nbformat.read(str(folder / "00_basics.ipynb"), as_version=4)
    assert shown.cells[0].source == nb.cells[0].source
    assert shown.cells[0].outputs == [] and shown.cells[0].execution_count is None  # no fabricated output shown
    assert not (folder / "broken.ipynb").exists()
