"""The instructor's web UI in headless Chromium, on a graded class of three (tests/browser/graded_class.py):
`backprop-grade formgrader` serves nbgrader's formgrader on the workspace, the instructor sees the submissions and
the "needs manual grade" queue and overrides a score; the feedback page renders its maths with no network."""
from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time

import pytest
from browser_setup import REPO
from graded_class import NB, A, build
from nbgrader.api import Gradebook

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("graded-class")]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from autograder import grading

    ws = build(tmp_path_factory.mktemp("class"))
    grading._zero_grades(ws, A, "grace")  # as a failed regrade leaves it: zero, queued for manual grading
    return ws


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def formgrader(graded, tmp_path_factory):
    """`backprop-grade formgrader` on the class's workspace; yields the URL it printed; always stopped."""
    port = _free_port()
    log = tmp_path_factory.mktemp("fg") / "formgrader.log"
    with open(log, "w") as err:
        process = subprocess.Popen([sys.executable, "-m", "autograder", "formgrader", "--workspace", str(graded.root),
                                    "--exchange", str(graded.exchange), "--port", str(port)],
                                   stdout=subprocess.PIPE, stderr=err, text=True, cwd=REPO)
    try:
        lines, deadline = [], time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            lines.append(process.stdout.readline().rstrip("\n"))
            if "token=" in lines[-1]:
                break
        assert re.fullmatch(rf"http://127\.0\.0\.1:{port}/formgrader\?token=\w+", lines[-1]), (lines, log.read_text())
        yield lines[-1]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


# Each row of formgrader's submissions table: the student's name, the score, whether it is queued for manual grading.
ROWS_JS = """rows => rows.map(r => ({name: r.querySelector('a.name-shown').textContent.trim(),
    score: r.querySelector('td.score').textContent.trim(),
    needs_manual: !!r.querySelector('td.needs-manual-grade .glyphicon-ok')}))"""


def _score(ws, student, grade_id):
    with Gradebook(ws.db_url, ws.course_id) as gb:
        grade = gb.find_grade(grade_id, NB[:-len(".ipynb")], A, student)
        return grade.score, grade.needs_manual_grade


def test_formgrader_lists_the_class_and_an_override_reaches_the_gradebook(formgrader, graded, page, artifacts):
    base = formgrader.split("/formgrader")[0]
    page.goto(formgrader)  # logs in (the token sets the cookie) and lands on Manage Assignments
    page.wait_for_selector("text=00_basics", timeout=60_000)
    page.goto(f"{base}/formgrader/gradebook/{A}/{NB[:-6]}")
    rows = page.locator("table tbody tr")
    rows.filter(has_text="grace").wait_for(timeout=60_000)
    page.get_by_role("button", name="Show All Names").click()
    table = {row["name"]: row for row in rows.evaluate_all(ROWS_JS)}
    assert set(table) == {"ada", "alan", "grace"}, table
    assert table["ada"]["score"] == "18 / 18" and table["grace"]["score"] == "0 / 18", table
    assert [name for name, row in table.items() if row["needs_manual"]] == ["grace"], table  # the queue
    page.screenshot(path=artifacts / "formgrader-class.png")

    score_before, _ = _score(graded, "alan", "test_update")
    assert score_before == 0  # the mutant's update is wrong
    page.locator("a.name-shown", has_text="alan").click()
    box = page.locator("input.score#test_update")
    box.wait_for(timeout=60_000)
    # The page fetches its grades after the inputs appear, and each fetched model re-renders its input: a value
    # typed before that is reset and never saved. Type only once the page has stopped loading.
    page.wait_for_load_state("networkidle", timeout=60_000)
    box.scroll_into_view_if_needed()
    box.click()
    box.fill("1")
    with page.expect_response(lambda r: "/api/grade/" in r.url and r.request.method == "PUT", timeout=60_000) as put:
        box.press("Enter")  # formgrader saves the score on the input's change event
    assert put.value.ok, (put.value.status, put.value.text())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _score(graded, "alan", "test_update")[0] != 1:
        time.sleep(0.5)
    assert _score(graded, "alan", "test_update")[0] == 1
    page.screenshot(path=artifacts / "formgrader-override.png")



REMOTE = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.IGNORECASE)


def test_feedback_renders_its_maths_offline(graded, page, artifacts):
    from autograder.feedback import generate_feedback

    statuses = generate_feedback(graded, A, ["ada"], log=lambda *_: None, release=False)
    assert statuses["ada"].ok, statuses
    html_page = graded.root / "feedback" / "ada" / A / f"{NB[:-6]}.html"
    text = html_page.read_text()
    assert not REMOTE.findall(text), REMOTE.findall(text)[:3]  # no script or stylesheet from the network
    assert "MathJax" not in text and text.count("<math") >= 3
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())  # offline, as in class
    page.goto(html_page.as_uri())
    maths = page.locator("math")
    assert maths.count() == text.count("<math")
    box = maths.first.bounding_box()
    assert box is not None and box["width"] > 5 and box["height"] > 5, box  # Chromium lays the MathML out
    maths.first.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "feedback-maths.png")
