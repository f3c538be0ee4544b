"""The self-check cell's helper: grade this notebook's SAVED file with the hidden tests and show the points.

``self_check_button()`` (the last cell of every graded notebook) shows a button, so Run All does not start a
grading; a click runs the check, which ``self_check()`` also runs directly. The grading runs in another process
(``python -m autograder self-check --json NOTEBOOK``, the grader's own path, see autograder/self_check.py):
nothing of the autograder is imported into the notebook's kernel. Without the autograder or the course's
solutions/ (a class deployment) the cell says so and what to do instead.
"""
import html
import json
import os
import subprocess
import sys
from pathlib import Path

TIMEOUT_S = 900
# Set by the autograder while it runs a notebook: a self-check cell run by it must not start another self-check.
RUNNING = "BACKPROP_SELF_CHECK_RUNNING"
CLASS_DEPLOYMENT = ("The self-check is not available here: it needs the course repository's autograder and its "
                    "solutions/ folder, which a class does not ship to students. Press Validate to run the visible "
                    "checks, then submit: your instructor grades the hidden tests and returns the feedback.")


class SelfCheckResult:
    """What a self-check found: a report (dict from the autograder) or a problem (text); shown as HTML or text."""

    def __init__(self, report=None, problem=None):
        self.report, self.problem = report, problem

    @property
    def score(self):
        return None if self.report is None else self.report["score"]

    def __repr__(self):
        return render_text(self.report) if self.report is not None else f"Self-check: {self.problem}"

    def _repr_html_(self):
        if self.report is None:
            return f"<p><b>Self-check:</b> {html.escape(self.problem).replace(chr(10), '<br>')}</p>"
        return render_html(self.report)


def notebook_path(notebook=None):
    """The notebook to check: ``notebook``, else the one this kernel was started for (JupyterLab tells the kernel)."""
    chosen = notebook or os.environ.get("JPY_SESSION_NAME")
    if not chosen:
        raise ValueError("this kernel does not know its notebook's file: call self_check('NAME.ipynb') with the "
                         "notebook's file name")
    path = Path(chosen).expanduser()
    if not path.is_absolute() and not path.exists() and Path(path.name).exists():
        path = Path(path.name)  # a path relative to the server's root; the kernel runs in the notebook's folder
    return path.resolve()


def problem_from(returncode, stderr):
    """The message to show for a self-check that did not grade (exit code and error output of the command)."""
    if "No module named autograder" in stderr:
        return CLASS_DEPLOYMENT
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    if errors:
        start = stderr.index(errors[-1])
        text = stderr[start + len("error: "):].strip()
        return CLASS_DEPLOYMENT if "no solutions/ folder" in text else text
    tail = "\n".join(stderr.strip().splitlines()[-5:])
    return f"the self-check stopped with exit code {returncode}: {tail or 'no message'}"


def run(notebook, timeout=TIMEOUT_S):
    """Run the autograder's self-check of ``notebook`` in another process; a SelfCheckResult."""
    command = [sys.executable, "-m", "autograder", "self-check", "--json", str(notebook)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return SelfCheckResult(problem=f"the self-check took longer than {timeout} s and was stopped")
    if done.returncode == 0:
        try:
            return SelfCheckResult(report=json.loads(done.stdout.strip().splitlines()[-1]))  # the report: one line
        except (ValueError, IndexError):
            return SelfCheckResult(problem=f"the self-check printed no readable report: {done.stdout[-300:]!r}")
    return SelfCheckResult(problem=problem_from(done.returncode, done.stderr))


def check(notebook=None):
    """Self-check ``notebook`` (default: this kernel's notebook) and return the SelfCheckResult; prints nothing."""
    if os.environ.get(RUNNING):
        return SelfCheckResult(problem="skipped: the autograder is running this notebook")
    try:
        path = notebook_path(notebook)
    except ValueError as exc:
        return SelfCheckResult(problem=str(exc))
    return run(path)


def self_check(notebook=None):
    """Grade this notebook's saved file with the hidden tests (save it first); returns what to show."""
    print("Self-check of the saved notebook: it runs in a fresh kernel (up to a few minutes)...", flush=True)
    return check(notebook)


def self_check_button(notebook=None):
    """A button that self-checks this notebook's saved file and shows the result below it."""
    import ipywidgets as widgets

    button = widgets.Button(description="Self-check my saved notebook", icon="check",
                            layout=widgets.Layout(width="auto"), tooltip="save the notebook first (Ctrl+S)")
    shown = widgets.HTML("<i>Save the notebook (Ctrl+S), then press the button: the saved file is graded.</i>")

    def on_click(_):
        button.disabled = True
        shown.value = "<i>Self-check running: the saved notebook runs in a fresh kernel (up to a few minutes)...</i>"
        try:
            shown.value = check(notebook)._repr_html_()
        finally:
            button.disabled = False

    button.on_click(on_click)
    return widgets.VBox([button, shown])


def _saved(report):
    return report["saved_at"].replace("T", " ")


def render_text(report):
    """The report as plain text: points per graded cell, the failing checks' messages, the total."""
    lines = [f"Self-check of {Path(report['notebook']).name} as saved at {_saved(report)} ({report['mode']})"]
    if report["status"] != "ok":
        lines.append(f"The run stopped early ({report['status']}): {report['message']}")
    for cell in report["cells"]:
        lines.append(f"{cell['grade_id']}: {cell['points']:g}/{cell['max_points']:g}")
        lines += [f"    {message}" for message in cell["messages"]]
    lines.append(f"Total: {report['score']:g}/{report['max_score']:g}")
    return "\n".join(lines)


def render_html(report):
    """The report as an HTML table: one row per graded cell with its points and the failing checks' messages."""
    esc = html.escape
    rows = []
    for cell in report["cells"]:
        if cell["passed"]:
            result = "passed" + "".join(f"<br><i>{esc(text)}</i>" for text in cell["explain"])
        else:
            result = (f"{cell['failed']} of {cell['checks']} checks failed<ul style='margin:0'>"
                      + "".join(f"<li>{esc(message)}</li>" for message in cell["messages"]) + "</ul>")
        colour = "#1a7f37" if cell["passed"] else "#b42318"
        rows.append(f"<tr style='vertical-align:top'><td><code>{esc(cell['grade_id'])}</code></td>"
                    f"<td style='color:{colour};text-align:right'>{cell['points']:g}/{cell['max_points']:g}</td>"
                    f"<td style='text-align:left'>{result}</td></tr>")
    stopped = (f"<p><b>The run stopped early ({esc(report['status'])}):</b> {esc(report['message'])}</p>"
               if report["status"] != "ok" else "")
    return (f"<div class='backprop-self-check'><p><b>Self-check</b> of <code>{esc(Path(report['notebook']).name)}"
            f"</code> as saved at {esc(_saved(report))} ({esc(report['mode'])}). Changed something since? Save "
            f"(Ctrl+S) and check again.</p>{stopped}"
            "<table><thead><tr><th>graded cell</th><th>points</th><th style='text-align:left'>result</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody><tfoot><tr><th>total</th>"
            f"<th style='text-align:right'>{report['score']:g}/{report['max_score']:g}</th><th></th></tr></tfoot>"
            "</table></div>")
