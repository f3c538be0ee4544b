"""Chapter 00 in JupyterLab (headless Chromium): Run All runs a blank notebook to its end, and the self-check cell
grades a saved, filled-in notebook and shows its score.

The blank notebook's exercises and check cells fail on purpose and carry the raises-exception tag, so one Run All
goes past them. The self-check cell's button runs `backprop-grade self-check` on the saved file; the score it shows
is the one the instructor notebook's points give, here for a notebook whose weight update is wrong.
"""
from __future__ import annotations

import os
import re
import sys

import pytest

from browser_setup import REPO
from lab_page import error_text, graded_test_cell_indices, menu, open_notebook, run_all_once

sys.path.insert(0, str(REPO))
from autograder import mutate  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("lab-server")]  # one server, one worker
NOTEBOOK = "00_basics/00_basics.ipynb"
SELF_CHECK_TIMEOUT_MS = 300_000  # the first self-check builds the answer key too; a loaded machine is slow


@pytest.fixture(scope="module", autouse=True)
def _self_check_cache(tmp_path_factory):
    """The self-checks started from the browser keep their answer keys in a temp folder (set before the server)."""
    old = os.environ.get("BACKPROP_SELF_CHECK_CACHE")
    os.environ["BACKPROP_SELF_CHECK_CACHE"] = str(tmp_path_factory.mktemp("self-check-cache"))
    yield
    if old is None:
        os.environ.pop("BACKPROP_SELF_CHECK_CACHE", None)
    else:
        os.environ["BACKPROP_SELF_CHECK_CACHE"] = old


def self_check_cell(page):
    """The notebook's last code cell (the self-check), scrolled into view: JupyterLab renders only visible cells."""
    cell = page.locator(".jp-Notebook .jp-CodeCell").last
    for _ in range(20):
        page.locator(".jp-WindowedPanel-outer").first.evaluate("el => { el.scrollTop = el.scrollHeight; }")
        page.wait_for_timeout(300)
        if "self_check_button" in (cell.locator(".jp-InputArea").text_content() or ""):
            return cell
    raise AssertionError("the notebook's last code cell is not the self-check cell")


def test_run_all_goes_to_the_end_of_a_blank_notebook(lab_server, page, artifacts):
    """One Run All: every code cell runs, the blank exercises' check cells show their errors, and the self-check
    cell only shows its button (Run All does not start a grading)."""
    open_notebook(page, lab_server.base_url, lab_server.token, f"course/{NOTEBOOK}")
    final_prompts = run_all_once(page)
    page.screenshot(path=artifacts / "self-check-1-blank-run-all.png", full_page=True)
    assert final_prompts and all(re.search(r"\d", p) for p in final_prompts), \
        f"Run All stopped before the end: {final_prompts}"
    cells = page.locator(".jp-Notebook .jp-Cell")
    graded = graded_test_cell_indices(lab_server.course / NOTEBOOK)
    failing = [index for index in graded if error_text(cells.nth(index))]
    assert failing == graded, f"graded cells without their blank-notebook error: {sorted(set(graded) - set(failing))}"
    last = self_check_cell(page)
    last.get_by_role("button", name="Self-check my saved notebook").wait_for(timeout=30_000)
    assert "Total" not in (last.locator(".jp-OutputArea").text_content() or "")


def test_self_check_cell_shows_the_score_of_the_saved_notebook(lab_server, page, artifacts):
    instructor = mutate.read(REPO / "solutions" / NOTEBOOK)
    released = mutate.read(lab_server.course / NOTEBOOK)
    points = mutate.points(instructor)
    total = sum(points.values())
    expected = total - points["test_update"]
    mutate.nbformat.write(mutate.mutant_submission(released, instructor, "update", "perturbed"),
                          str(lab_server.course / NOTEBOOK))                 # saved: what the self-check grades
    open_notebook(page, lab_server.base_url, lab_server.token, f"course/{NOTEBOOK}")
    last = self_check_cell(page)
    last.locator(".jp-InputPrompt").click()
    menu(page, "Run", "Run Selected Cell and Do not Advance")
    button = last.get_by_role("button", name="Self-check my saved notebook")
    button.wait_for(timeout=60_000)
    button.click()
    output = last.locator(".jp-OutputArea")
    output.get_by_text(re.compile(r"^total$")).wait_for(timeout=SELF_CHECK_TIMEOUT_MS)
    last.scroll_into_view_if_needed()
    last.screenshot(path=artifacts / "self-check-2-score.png")
    text = output.inner_text()
    assert re.search(rf"total\s+{expected:g}/{total:g}", text), text
    assert re.search(rf"test_update\s+0/{points['test_update']:g}", text), text
    assert re.search(rf"test_forward\s+{points['test_forward']:g}/{points['test_forward']:g}", text), text
    assert "checks failed" in text and ("bubblewrap sandbox" in text or "no sandbox" in text)
