"""What a student does in JupyterLab, as Playwright steps: open a notebook, run every cell, move a slider.

Kept apart from the tests so each test reads as a list of student actions and assertions.
Every wait is bounded; a step that times out raises with what it was waiting for.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

from playwright.sync_api import Locator, Page

IDLE_KERNEL = ".jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator[data-status='idle']"
RUN_ALL_TIMEOUT_S = 150  # chapter 00 takes ~40 s alone; leave room for a loaded CI machine

# JS: what a person sees change in a cell's output, leaving out the slider being moved
# (its own readout changes without the kernel doing anything).
_VISIBLE_RESULT_JS = """
area => {
  const clone = area.cloneNode(true);
  clone.querySelectorAll('[data-bp-moved]').forEach(e => e.remove());
  const text = clone.innerText || clone.textContent;
  const images = [...area.querySelectorAll('img')].map(i => i.src.length + ':' + i.src.slice(-80));
  const inputs = [...area.querySelectorAll('input')]
      .filter(i => !i.closest('[data-bp-moved]')).map(i => i.value);
  return JSON.stringify({text, images, inputs});
}
"""


_KERNEL_IDLE_JS = """
() => [...document.querySelectorAll(".jp-StatusBar-TextItem[title^='Change kernel for']")]
        .some(el => /\\| Idle$/.test(el.textContent.trim()))
"""


def open_notebook(page: Page, base_url: str, token: str, path: str) -> None:
    """Open a notebook in JupyterLab and wait until its kernel has started and is idle.

    If JupyterLab asks which kernel to use (it may, while the session is still being created), accept its
    suggestion, as a student would.
    """
    # `reset`: start from an empty workspace, not with the tabs an earlier test left open on this server.
    page.goto(f"{base_url}/lab/tree/{path}?reset&token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        dialog = page.locator(".jp-Dialog")
        if dialog.count() and "Select Kernel" in dialog.first.inner_text():
            dialog.first.get_by_role("button", name="Select").click()
        if page.evaluate(_KERNEL_IDLE_JS) and page.locator(IDLE_KERNEL).count():
            page.wait_for_timeout(500)
            fail_on_dialog(page, f"opening {path}")
            return
        page.wait_for_timeout(250)
    raise TimeoutError(f"the kernel of {path} did not become idle within 60 s")


def fail_on_dialog(page: Page, doing: str) -> None:
    """Raise with the dialog's text if JupyterLab shows a modal dialog (it would swallow the next click)."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count() and dialog.first.is_visible():
        raise AssertionError(f"JupyterLab showed a dialog while {doing}:\n{dialog.first.inner_text()}")


def open_menu(page: Page, top: str) -> Locator:
    """Open a menu-bar menu (label matched exactly) and return the open menu; retried if a click is lost."""
    fail_on_dialog(page, f"about to open the {top} menu")
    label = page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(top)}$"))
    opened = page.locator(".lm-Menu:visible").last
    for _ in range(3):
        label.click()
        try:
            opened.wait_for(state="visible", timeout=5_000)
            return opened
        except Exception:  # the app was still busy; close whatever is open and try again
            page.keyboard.press("Escape")
    raise TimeoutError(f"the {top} menu did not open")


def menu(page: Page, top: str, item: str) -> None:
    """Click a menu-bar entry, then one of its items (labels matched exactly)."""
    open_menu(page, top).locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def prompts(page: Page) -> list[str]:
    """The execution prompts of the code cells, in order: '[3]:', '[*]:' or '[ ]:'."""
    return page.eval_on_selector_all(
        ".jp-Notebook .jp-CodeCell .jp-InputArea-prompt", "els => els.map(e => e.textContent.trim())"
    )


def _wait_until_settled(page: Page, deadline: float) -> list[str]:
    """Wait until no code cell is queued or running and the kernel is idle; return the prompts."""
    stable_since = None
    while time.monotonic() < deadline:
        current = prompts(page)
        busy = any("*" in p for p in current) or page.locator(IDLE_KERNEL).count() == 0
        if busy:
            stable_since = None
        elif stable_since is None:
            stable_since = time.monotonic()
        elif time.monotonic() - stable_since > 1.0:
            return current
        page.wait_for_timeout(250)
    raise TimeoutError(f"cells still running after {RUN_ALL_TIMEOUT_S} s; prompts: {prompts(page)}")


def run_all_once(page: Page) -> list[str]:
    """Run > Run All Cells, once (no carrying on below a cell that stopped the run); returns the final prompts."""
    deadline = time.monotonic() + RUN_ALL_TIMEOUT_S
    menu(page, "Run", "Run All Cells")
    page.wait_for_timeout(500)
    return _wait_until_settled(page, deadline)


def run_all_cells(page: Page) -> list[str]:
    """Run > Run All Cells, then carry on below any cell that stopped the run (a failing check), like a student.

    JupyterLab stops "Run All" at the first error; a blank student notebook has failing visible checks, so
    after each stop we select the next unexecuted cell and use Run > Run Selected Cell and All Below.
    Returns the final prompts (every code cell numbered).
    """
    deadline = time.monotonic() + RUN_ALL_TIMEOUT_S
    menu(page, "Run", "Run All Cells")
    page.wait_for_timeout(500)
    current = _wait_until_settled(page, deadline)
    code_cells = page.locator(".jp-Notebook .jp-CodeCell")
    for _ in range(len(current)):
        pending = [i for i, p in enumerate(current) if not re.search(r"\d", p)]
        if not pending:
            return current
        code_cells.nth(pending[0]).locator(".jp-InputPrompt").click()
        # JupyterLab disables "... and All Below" on the notebook's last cell, and "Run Selected Cell" there
        # would add a new empty cell: so the last cell is run without advancing.
        last = page.locator(".jp-Notebook .jp-Cell").last.locator(".jp-InputPrompt")
        is_last = last.evaluate("(el, other) => el === other", code_cells.nth(pending[0])
                                .locator(".jp-InputPrompt").element_handle())
        menu(page, "Run", "Run Selected Cell and Do not Advance" if is_last else "Run Selected Cell and All Below")
        page.wait_for_timeout(500)
        current = _wait_until_settled(page, deadline)
    return current


def graded_test_cell_indices(notebook: Path) -> list[int]:
    """Indices (among all cells) of nbgrader's graded test cells (grade=True, solution=False)."""
    cells = json.loads(notebook.read_text())["cells"]
    found = []
    for index, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("grade") and not meta.get("solution"):
            found.append(index)
    return found


def error_text(cell: Locator) -> str:
    """The text of the error (stderr / traceback) outputs of one cell, '' if none."""
    errors = cell.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    # textContent, not innerText: cells scrolled out of view are not laid out, and innerText is then empty.
    return "\n".join(errors.nth(i).text_content() or "" for i in range(errors.count()))


def visible_result(output_area: Locator) -> str:
    """A fingerprint of what the output area shows, excluding the slider marked as being moved."""
    return output_area.evaluate(_VISIBLE_RESULT_JS)


def nudge_slider(handle: Locator, pixels: int = 100) -> tuple[str, str]:
    """Drag a slider's handle with the mouse, as a person would; return its value (before, after).

    Drags right unless the handle is at its maximum, then left; 100 px is more than one step of the course's
    sliders with few positions (their tracks are over 200 px wide).
    """
    handle.scroll_into_view_if_needed()
    before = handle.get_attribute("aria-valuenow")
    direction = -1 if before == handle.get_attribute("aria-valuemax") else 1
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    mouse = handle.page.mouse
    mouse.move(x, y)
    mouse.down()
    mouse.move(x + direction * pixels, y, steps=8)
    mouse.up()
    handle.page.wait_for_timeout(200)
    return before, handle.get_attribute("aria-valuenow")


def wait_for_change(output_area: Locator, before: str, timeout_s: float = 15) -> str:
    """Wait until the output area's visible result differs from `before`; return the new one (or the old)."""
    deadline = time.monotonic() + timeout_s
    current = visible_result(output_area)
    while current == before and time.monotonic() < deadline:
        output_area.page.wait_for_timeout(200)
        current = visible_result(output_area)
    return current


_TRUNCATED_JS = """
cell => [...cell.querySelectorAll('.widget-label, .widget-readout, .widget-button, button')]
  .filter(el => el.offsetParent !== null && el.textContent.trim() && el.scrollWidth > el.clientWidth)
  .map(el => el.textContent.trim())
"""


def truncated_labels(cell: Locator) -> list[str]:
    """Labels, readouts and button captions of the cell's widgets that are cut off ("learning r...")."""
    cell.scroll_into_view_if_needed()
    cell.page.wait_for_timeout(100)
    return cell.evaluate(_TRUNCATED_JS)


_UNLABELLED_JS = """
cell => [...cell.querySelectorAll('.widget-slider, .widget-dropdown, .widget-select, .widget-select-multiple,'
                                  + ' .widget-text, .widget-toggle-buttons, .widget-radio')]
  .filter(el => el.offsetParent !== null)
  .filter(el => { const label = el.querySelector('.widget-label');
                  return !label || label.offsetParent === null || !label.textContent.trim(); })
  .map(el => el.className)
"""


def unlabelled_controls(cell: Locator) -> list[str]:
    """Sliders, drop-downs, selects and text boxes of the cell's widgets that show no description label."""
    return cell.evaluate(_UNLABELLED_JS)
