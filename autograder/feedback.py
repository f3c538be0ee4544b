"""Feedback preprocessors: students see their grades and the tests' printed explanations, never hidden tests."""
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor

HIDDEN_NOTE = "# (hidden tests were run but are not shown)"


class HideHiddenTests(ClearHiddenTests):
    """Remove '### BEGIN/END HIDDEN TESTS' regions from the autograded notebook before it becomes feedback."""

    enforce_metadata = False

    def preprocess_cell(self, cell, resources, cell_index):
        # Only test cells hold hidden tests (they are locked and restored from the gradebook, so well formed);
        # a student's own cell that happens to contain the marker text is left alone.
        if utils.is_grade(cell) and self._remove_hidden_test_region(cell):
            cell.source = cell.source.rstrip() + "\n" + HIDDEN_NOTE
        return cell, resources


class ShortenGradeTracebacks(NbGraderPreprocessor):
    """Replace the traceback of every error in a test cell by its last line, so no hidden assert is echoed."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"\x1b[0;31m{output.get('ename', 'Error')}\x1b[0m: {output.get('evalue', '')}"]
        return cell, resources
