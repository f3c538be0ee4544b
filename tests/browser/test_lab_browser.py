"""A student's session in a real browser: JupyterLab (started by scripts/lab.py) in headless Chromium.

For every chapter notebook in course/ that has a widget: run all cells, see the widgets render, move a slider
and see the numbers or plot change, see a graded cell's visible check report a failure on the blank notebook,
and press nbgrader's Validate button. Also: the Assignment List lists the released chapters and the
instructor-only panels are hidden. Screenshots go to test-artifacts/browser/ (look at them).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from browser_setup import COURSE, COURSE_ID
from lab_page import (
    error_text,
    graded_test_cell_indices,
    menu,
    nudge_slider,
    open_notebook,
    run_all_cells,
    visible_result,
    wait_for_change,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _uses_widgets(notebook: Path) -> bool:
    cells = json.loads(notebook.read_text())["cells"]
    return any(cell["cell_type"] == "code" and "widgets" in "".join(cell["source"]) for cell in cells)


def widget_notebooks() -> list[str]:
    """Chapter notebooks (relative to course/) whose code uses widgets."""
    return sorted(str(nb.relative_to(COURSE)) for nb in COURSE.glob("*/*.ipynb") if _uses_widgets(nb))


def test_course_has_a_widget_chapter():
    assert widget_notebooks(), f"no notebook in {COURSE} uses a widget; the browser tests need one"


def _shot_name(notebook: str, step: str) -> str:
    return f"{Path(notebook).stem}-{step}.png"


@pytest.mark.parametrize("notebook", widget_notebooks())
def test_student_runs_chapter_and_uses_widgets(lab_server, page, artifacts, notebook):
    """Run all cells; widgets render and respond to a slider; a graded visible check fails on the blank copy."""
    open_notebook(page, lab_server.base_url, lab_server.token, notebook)
    final_prompts = run_all_cells(page)
    page.screenshot(path=artifacts / _shot_name(notebook, "1-after-run-all"), full_page=True)
    assert final_prompts and all(re.search(r"\d", p) for p in final_prompts), \
        f"some code cells never ran: {final_prompts}"

    # Widgets render: their DOM is there, none failed to load.
    notebook_view = page.locator(".jp-Notebook")
    assert notebook_view.locator(".jupyter-widgets").count() > 0, "no widget rendered"
    page.wait_for_function("() => !document.body.innerText.includes('Loading widget...')", timeout=15_000)
    assert "Error displaying widget" not in notebook_view.inner_text()

    # Move the first slider; what the cell shows (numbers, text, plot) changes.
    slider = notebook_view.locator(".widget-slider, .jupyter-widget-slider").first
    assert slider.count() == 1, "the chapter's widget has no slider to move"
    slider.evaluate("el => el.setAttribute('data-bp-moved', '1')")
    cell = notebook_view.locator(".jp-CodeCell", has=page.locator("[data-bp-moved]")).first
    output_area = cell.locator(".jp-OutputArea").first
    slider.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # cells above get laid out while scrolling; let the page settle first
    before = visible_result(output_area)
    assert re.search(r"\d", json.loads(before)["text"]) or json.loads(before)["images"], \
        "the widget shows neither numbers nor a plot"
    cell.screenshot(path=artifacts / _shot_name(notebook, "2-widget-before"))
    old_value, new_value = nudge_slider(slider.locator(".noUi-handle").first)
    assert old_value != new_value, f"slider did not move (value stayed {old_value})"
    after = wait_for_change(output_area, before)
    cell.screenshot(path=artifacts / _shot_name(notebook, "3-widget-after"))
    assert after != before, f"moving the slider from {old_value} to {new_value} changed nothing the cell shows"

    # A graded cell's visible check reports a failure on the blank student notebook.
    copy = lab_server.root / notebook
    graded = graded_test_cell_indices(copy)
    assert graded, f"{notebook} has no graded test cell"
    cells = notebook_view.locator(".jp-Cell")
    assert cells.count() == len(json.loads(copy.read_text())["cells"])
    failing = {index: error_text(cells.nth(index)) for index in graded}
    failing = {index: text for index, text in failing.items() if text}
    assert failing, "no graded cell reported a failure on the blank notebook"
    first = min(failing)
    cells.nth(first).screenshot(path=artifacts / _shot_name(notebook, "4-visible-check-fails"))
    assert re.search(r"\b\w*(Error|Exception)\b", failing[first]), failing[first]


@pytest.mark.parametrize("notebook", widget_notebooks()[:1])  # one is enough: Validate re-runs the notebook
def test_validate_button_reports_failures(lab_server, page, artifacts, notebook):
    """nbgrader's Validate button is in the notebook toolbar and reports the blank notebook's failures."""
    open_notebook(page, lab_server.base_url, lab_server.token, notebook)
    button = page.locator(".jp-NotebookPanel-toolbar .validate-button")
    assert button.is_visible()
    button.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=120_000)
    page.wait_for_timeout(300)
    page.screenshot(path=artifacts / _shot_name(notebook, "5-validate"))
    text = dialog.inner_text()
    assert "Validation Results" in text
    assert re.search(r"fail", text, re.IGNORECASE), text[:2000]
    dialog.locator("button").last.click()


def test_assignment_list_shows_released_chapters(lab_server, page, artifacts):
    """Nbgrader > Assignment List works for a student (exchange + course id) and lists the released chapters;
    the instructor panels (Formgrader, Courses, Create Assignment) are hidden."""
    page.goto(f"{lab_server.base_url}/lab?reset&token={lab_server.token}")
    page.wait_for_selector(".lm-MenuBar-itemLabel")
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Nbgrader$")).click()
    entries = page.locator(".lm-Menu").last.inner_text()
    assert "Assignment List" in entries
    for instructor_only in ("Formgrader", "Courses"):
        assert instructor_only not in entries, f"students should not see {instructor_only}: {entries!r}"
    page.keyboard.press("Escape")
    menu(page, "Nbgrader", "Assignment List")
    released = page.locator("#released_assignments_list")
    chapters = sorted(p.name for p in (lab_server.exchange / COURSE_ID / "outbound").iterdir())
    assert chapters
    for chapter in chapters:
        released.get_by_text(chapter).first.wait_for(timeout=30_000)
    page.screenshot(path=artifacts / "assignment-list.png")
    assert page.locator("#released_assignments_list_error").is_hidden()
    assert COURSE_ID in page.locator("#nbgrader-assignment-list").inner_text()
