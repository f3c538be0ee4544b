"""Grading steps after execution, in the grader's process: plan the probes, decide verdicts, save the scores.

One step, one class (as nbgrader's preprocessors), results passed through ``resources``:
- :class:`PlanProbes` reads the instructor's source notebook and the answer key for the notebook being graded;
- :class:`DecideVerdicts` judges every probe answer against the key and writes a verdict output into each test
  cell (names and messages only: no probe code, no expected value);
- :class:`SaveVerdicts` stores each test cell's score in the gradebook from the verdict alone, never from what the
  cell printed, so feedback, export, reports and formgrader read the grader's decision;
- :class:`RecordRun` writes what happened (status, verdicts) as a file that the grading loop reads back.
"""
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades
import json
from pathlib import Path

from traitlets import Any, Unicode

from .probes import decide


class PlanProbes(NbGraderPreprocessor):
    """resources['probe_plan'] and resources['answer_key'] for the notebook being graded."""

    workspace = Any(help="the autograder Workspace").tag(config=True)
    limits = Any(help="bwrap.Limits of this grading run").tag(config=True)
    sandboxed = Any(True).tag(config=True)

    def preprocess(self, nb, resources):
        from . import answer_key

        info = resources["nbgrader"]
        name = info["notebook"] + ".ipynb"
        source = self.workspace.root / "source" / info["assignment"] / name
        resources["probe_plan"] = answer_key.plan_for(source, info["assignment"])
        resources["answer_key"] = answer_key.ensure(self.workspace, info["assignment"], name, self.limits,
                                                    self.sandboxed, log=lambda *_: None)
        return nb, resources


class DecideVerdicts(NbGraderPreprocessor):
    """resources['verdicts'] = {grade_id: {passed, failed, messages}} and a verdict output in each test cell."""

    pass_note = Unicode("Hidden checks: all {n} passed.")

    def preprocess(self, nb, resources):
        plan, answers, key = resources["probe_plan"], resources.get("probe_answers", {}), resources["answer_key"]
        verdicts = {}
        for grade_id, (_, probes) in plan.items():
            got = answers.get(grade_id, [])
            ref = key.get(grade_id, [])
            results = [decide(p, got[i] if i < len(got) else ("error", "not asked"),
                              ref[i] if i < len(ref) else ("error", "no key")) for i, p in enumerate(probes)]
            messages = [message for ok, message in results if not ok]
            explain = [p.explain for p in probes if p.explain]
            verdicts[grade_id] = {"passed": not messages, "total": len(probes), "failed": len(messages),
                                  "messages": messages, "explain": explain}
        resources["verdicts"] = verdicts
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        verdict = resources["verdicts"].get(grade_id) if cell.cell_type == "code" and utils.is_grade(cell) else None
        if verdict is None:
            return cell, resources
        # The student's own results in a test cell do not count: drop them so nothing reads them as a score.
        cell.outputs = [o for o in cell.get("outputs", []) if o.get("output_type") != "execute_result"]
        # explain= text often states the right answer: it is shown once the cell has passed, never before.
        explain = "".join(f"\n{text}" for text in verdict["explain"])
        if verdict["passed"]:
            cell.outputs.append(NotebookNode(output_type="stream", name="stdout",
                                             text=self.pass_note.format(n=verdict["total"]) + explain + "\n"))
        else:
            text = (f"{verdict['failed']} of {verdict['total']} hidden checks failed: "
                    + "; ".join(verdict["messages"])[:2000])
            cell.outputs.append(NotebookNode(output_type="error", ename="HiddenChecksFailed", evalue=text,
                                             traceback=[f"\x1b[0;31mHiddenChecksFailed\x1b[0m: {text}"]))
        return cell, resources


class SaveVerdicts(SaveAutoGrades):
    """nbgrader's SaveAutoGrades, scoring each test cell from the grader's verdict (never from the cell's output)."""

    def _add_score(self, cell, resources):
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        grade = self.gradebook.find_grade(grade_id, self.notebook_id, self.assignment_id, self.student_id)
        verdict = resources.get("verdicts", {}).get(grade_id)
        if cell.cell_type != "code":
            grade.auto_score, _ = utils.determine_grade(cell, self.log)
        else:
            grade.auto_score = float(grade.max_score) if verdict and verdict["passed"] else 0.0
        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
        self.gradebook.db.commit()


class RecordRun(NbGraderPreprocessor):
    """The last grading step: write the run's outcome (execution status, verdicts) as a file for the loop."""

    folder = Unicode("").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        path = Path(self.folder) / info["assignment"] / info["student"] / f"{info['notebook']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(dict(resources.get("execution", {}), verdicts=resources.get("verdicts", {}))))
        return nb, resources
