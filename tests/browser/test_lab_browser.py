"""A student's session in a real browser: JupyterLab (started by scripts/lab.py) in headless Chromium.

Chapter 00 (the first graded chapter with a widget): run all cells, see the widgets render, drag a slider and
see the numbers change, see a graded cell's visible check report a failure on the blank notebook, press
nbgrader's Validate button. The widget gallery: every widget of the course renders with labelled, uncut
controls and responds to its slider (or button). The Assignment List: released chapters are listed, Fetch and
Submit work, the instructor-only panels are hidden. Screenshots go to test-artifacts/browser/ (look at them).
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from browser_setup import COURSE, COURSE_ID, REPO
from lab_page import (
    error_text,
    graded_test_cell_indices,
    nudge_slider,
    open_menu,
    open_notebook,
    run_all_cells,
    truncated_labels,
    unlabelled_controls,
    visible_result,
    wait_for_change,
)

sys.path.insert(0, str(REPO / "scripts"))
import make_widget_gallery  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("lab-server")]  # one server, one worker


GALLERY = "widget_gallery/widget_gallery.ipynb"


def _uses_widgets(notebook: Path) -> bool:
    cells = json.loads(notebook.read_text())["cells"]
    return any(cell["cell_type"] == "code" and "widgets" in "".join(cell["source"]) for cell in cells)


def graded_widget_chapters() -> list[str]:
    """Graded chapter notebooks (relative to course/) with a widget; the browser test uses the first one.

    One chapter is enough for the student's path (run all, a visible check fails, Validate): the gallery test
    covers every widget of the course, which keeps this suite to a couple of minutes.
    """
    return sorted(str(nb.relative_to(COURSE)) for nb in COURSE.glob("*/*.ipynb")
                  if _uses_widgets(nb) and graded_test_cell_indices(nb))[:1]


def test_course_has_a_graded_widget_chapter_and_a_gallery():
    assert graded_widget_chapters(), f"no graded notebook in {COURSE} uses a widget; the browser tests need one"
    assert (COURSE / GALLERY).is_file(), f"{COURSE / GALLERY} is missing: run `python -m autograder generate`"


def slider_changes_output(page, slider, artifacts, name: str) -> str | None:
    """Drag `slider` and wait for its cell's visible output to change; screenshot before and after.

    Returns None when the output changed, else what went wrong (so a test can collect several problems).
    """
    slider.evaluate("el => el.setAttribute('data-bp-moved', '1')")
    try:
        cell = page.locator(".jp-Notebook .jp-CodeCell", has=page.locator("[data-bp-moved]")).first
        output_area = cell.locator(".jp-OutputArea").first
        slider.scroll_into_view_if_needed()
        page.wait_for_timeout(500)  # cells above get laid out while scrolling; let the page settle first
        before = visible_result(output_area)
        shown = json.loads(before)
        if not (re.search(r"\d", shown["text"]) or shown["images"]):
            return f"{name}: the widget shows neither numbers nor a plot"
        cell.screenshot(path=artifacts / f"{name}-2-widget-before.png")
        old_value, new_value = nudge_slider(slider.locator(".noUi-handle").first)
        if old_value == new_value:
            return f"{name}: the slider did not move (value stayed {old_value})"
        after = wait_for_change(output_area, before, timeout_s=30)
        cell.screenshot(path=artifacts / f"{name}-3-widget-after.png")
        if after == before:
            return f"{name}: moving the slider from {old_value} to {new_value} changed nothing the cell shows"
        return None
    finally:
        slider.evaluate("el => el.removeAttribute('data-bp-moved')")


def _shot_name(notebook: str, step: str) -> str:
    return f"{Path(notebook).stem}-{step}.png"


@pytest.mark.parametrize("notebook", graded_widget_chapters())
def test_student_runs_chapter_and_uses_widgets(lab_server, page, artifacts, notebook):
    """Run all cells; widgets render and respond to a slider; a graded visible check fails on the blank copy."""
    open_notebook(page, lab_server.base_url, lab_server.token, f"course/{notebook}")
    final_prompts = run_all_cells(page)
    page.screenshot(path=artifacts / _shot_name(notebook, "1-after-run-all"), full_page=True)
    assert final_prompts and all(re.search(r"\d", p) for p in final_prompts), \
        f"some code cells never ran: {final_prompts}"

    # Every plot, saved on its own for a person to look at (titles, labels, legends, colours).
    plots = page.locator(".jp-Notebook .jp-OutputArea-output img")
    for index in range(min(plots.count(), 12)):
        plots.nth(index).scroll_into_view_if_needed()
        plots.nth(index).screenshot(path=artifacts / _shot_name(notebook, f"plot-{index + 1:02d}"))

    # Widgets render: their DOM is there, none failed to load.
    notebook_view = page.locator(".jp-Notebook")
    assert notebook_view.locator(".jupyter-widgets").count() > 0, "no widget rendered"
    page.wait_for_function("() => !document.body.innerText.includes('Loading widget...')", timeout=15_000)
    assert "Error displaying widget" not in notebook_view.inner_text()

    # Move the first slider; what the cell shows (numbers, text, plot) changes.
    slider = notebook_view.locator(".widget-slider, .jupyter-widget-slider").first
    assert slider.count() == 1, "the chapter's widget has no slider to move"
    problem = slider_changes_output(page, slider, artifacts, Path(notebook).stem)
    assert problem is None, problem

    # A graded cell's visible check reports a failure on the blank student notebook.
    copy = lab_server.course / notebook
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


@pytest.mark.parametrize("notebook", graded_widget_chapters())
def test_validate_button_reports_failures(lab_server, page, artifacts, notebook):
    """nbgrader's Validate button is in the notebook toolbar and reports the blank notebook's failures."""
    open_notebook(page, lab_server.base_url, lab_server.token, f"course/{notebook}")
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


def test_assignment_list_fetch_and_submit(lab_server, page, artifacts):
    """Nbgrader > Assignment List works for a student (exchange + course id): it lists the released chapters,
    Fetch puts a chapter into the student folder and Submit delivers it to the exchange;
    the instructor panels (Formgrader, Courses, Create Assignment) are hidden."""
    page.goto(f"{lab_server.base_url}/lab?reset&token={lab_server.token}")
    page.wait_for_selector(".jp-Launcher, .jp-DirListing-item", timeout=60_000)  # the app has finished loading
    nbgrader_menu = open_menu(page, "Nbgrader")
    entries = nbgrader_menu.inner_text()
    assert "Assignment List" in entries
    for instructor_only in ("Formgrader", "Courses"):
        assert instructor_only not in entries, f"students should not see {instructor_only}: {entries!r}"
    nbgrader_menu.locator(".lm-Menu-itemLabel", has_text=re.compile("^Assignment List$")).click()
    released = page.locator("#released_assignments_list")
    chapters = sorted(p.name for p in (lab_server.exchange / COURSE_ID / "outbound").iterdir())
    assert chapters
    for chapter in chapters:
        released.get_by_text(chapter).first.wait_for(timeout=30_000)
    page.screenshot(path=artifacts / "assignment-list-1-released.png")
    assert page.locator("#released_assignments_list_error").is_hidden()
    assert COURSE_ID in page.locator("#nbgrader-assignment-list").inner_text()

    # Fetch the first chapter: it lands in the student's folder and moves to "Downloaded assignments".
    chapter = chapters[0]
    released.locator(".list_item", has_text=chapter).get_by_role("button", name="Fetch").click()
    fetched = page.locator("#fetched_assignments_list")
    fetched.get_by_text(chapter).first.wait_for(timeout=60_000)
    assert sorted(p.name for p in (lab_server.root / chapter).glob("*.ipynb")) == \
        sorted(p.name for p in (lab_server.exchange / COURSE_ID / "outbound" / chapter).glob("*.ipynb"))

    # Submit it: the submission reaches the exchange's inbound folder and is listed as submitted.
    fetched.locator(".list_item", has_text=chapter).first.get_by_role("button", name="Submit").click()
    submitted = page.locator("#submitted_assignments_list")
    submitted.get_by_text(chapter).first.wait_for(timeout=60_000)
    page.screenshot(path=artifacts / "assignment-list-2-submitted.png")
    inbound = lab_server.exchange / COURSE_ID / "inbound"
    assert any(chapter in p.name for p in inbound.iterdir()), f"nothing for {chapter} in {inbound}"


def test_every_gallery_widget_renders_and_responds(lab_server, page, artifacts):
    """The widget gallery in the browser: every widget renders without errors, its controls are labelled and
    no label is cut off; each one with a slider redraws when the slider is dragged; the playground trains when
    Train is clicked."""
    names = [name for name, *_ in make_widget_gallery.ENTRIES]
    open_notebook(page, lab_server.base_url, lab_server.token, f"course/{GALLERY}")
    final_prompts = run_all_cells(page)
    assert all(re.search(r"\d", p) for p in final_prompts), f"some cells never ran: {final_prompts}"
    notebook_view = page.locator(".jp-Notebook")
    page.wait_for_function("() => !document.body.innerText.includes('Loading widget...')", timeout=30_000)
    code_cells = notebook_view.locator(".jp-CodeCell")
    assert code_cells.count() == len(names) + 1  # the setup cell, then one per widget

    problems = []
    for index, name in enumerate(names, start=1):
        cell = code_cells.nth(index)
        text = cell.locator(".jp-OutputArea").first.text_content() or ""
        if "Error displaying widget" in text or error_text(cell):
            problems.append(f"{name}: {error_text(cell)[-500:] or 'Error displaying widget'}")
            continue
        if cell.locator(".jupyter-widgets").count() == 0:
            problems.append(f"{name}: no widget rendered")
            continue
        cut = truncated_labels(cell)
        if cut:
            problems.append(f"{name}: labels cut off (widen description_width): {cut}")
        unlabelled = unlabelled_controls(cell)
        if unlabelled:
            problems.append(f"{name}: controls without a description: {unlabelled}")
        narrow = narrow_slider_tracks(cell)
        if narrow:
            problems.append(f"{name}: slider tracks narrower than {MIN_TRACK_PX} px (use sliders.slider_layout): "
                            f"{narrow}")
        slider = cell.locator(".widget-slider, .jupyter-widget-slider").first
        if slider.count():
            problems.append(slider_changes_output(page, slider, artifacts, f"gallery-{name}"))
            if name == "playground":
                problems.append(_train_button_trains(page, cell, artifacts))
        else:  # the training displays: a progress bar and a plot
            cell.scroll_into_view_if_needed()
            cell.screenshot(path=artifacts / f"gallery-{name}.png")
            if cell.locator(".widget-hprogress, .jupyter-widget-hprogress").count() == 0:
                problems.append(f"{name}: no progress bar")
            if cell.locator("img").count() == 0:
                problems.append(f"{name}: no plot")
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


MIN_TRACK_PX = 200  # narrower, a slider cannot be set to a chosen value with the mouse
_TRACKS_JS = """
cell => [...cell.querySelectorAll('.widget-slider, .jupyter-widget-slider')]
  .filter(el => el.offsetParent !== null)
  .map(el => [el.querySelector('.widget-label')?.textContent.trim() || '?',
              (el.querySelector('.slider-container') || el.querySelector('.noUi-target'))
                .getBoundingClientRect().width])
"""


def narrow_slider_tracks(cell) -> list[str]:
    """'description: width' of every visible slider of the cell whose track is narrower than MIN_TRACK_PX."""
    cell.scroll_into_view_if_needed()
    return [f"{label}: {width:.0f} px" for label, width in cell.evaluate(_TRACKS_JS) if width < MIN_TRACK_PX]


def _train_button_trains(page, cell, artifacts) -> str | None:
    """Click the playground's Train button; the status line must report a loss after training."""
    cell.scroll_into_view_if_needed()
    status_before = cell.locator(".widget-html-content").last.text_content()
    cell.get_by_role("button", name="Train").click()
    try:
        page.wait_for_function(
            "([el, before]) => el.textContent !== before && /loss/.test(el.textContent)",
            arg=[cell.locator(".widget-html-content").last.element_handle(), status_before], timeout=60_000)
    except Exception:
        return f"playground: Train did not report a loss (status stayed {status_before!r})"
    page.wait_for_timeout(500)
    cell.screenshot(path=artifacts / "gallery-playground.png")
    return None


def _first_notebook_of_each_chapter() -> list[str]:
    chapters = sorted(p for p in COURSE.iterdir() if p.is_dir() and p.name[:2].isdigit())
    return [str(sorted(ch.glob("*.ipynb"))[0].relative_to(COURSE)) for ch in chapters if any(ch.glob("*.ipynb"))]


@pytest.mark.parametrize("notebook", _first_notebook_of_each_chapter())
def test_validate_passes_a_correct_student_notebook(lab_server, page, artifacts, notebook):
    """Validate on a student notebook filled in with the solutions says it passes (no "partial credit", no failure).

    Every notebook is checked the same way through nbgrader's Validator in tests/grading/test_solutions.py; here
    the first notebook of each chapter goes through the real button in the browser.
    """
    sys.path.insert(0, str(REPO))
    from autograder import mutate

    released = mutate.read(COURSE / notebook)
    filled = mutate.correct_submission(released, mutate.read(REPO / "solutions" / notebook))
    mutate.nbformat.write(filled, str(lab_server.course / notebook))
    open_notebook(page, lab_server.base_url, lab_server.token, f"course/{notebook}")
    page.locator(".jp-NotebookPanel-toolbar .validate-button").click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=600_000)
    page.wait_for_timeout(300)
    page.screenshot(path=artifacts / _shot_name(notebook, "6-validate-correct"))
    text = dialog.inner_text()
    assert "Validation Results" in text or "Success" in text, text[:2000]
    assert "Success" in text and not re.search(r"fail|partial credit", text, re.IGNORECASE), text[:2000]
    dialog.locator("button").last.click()
