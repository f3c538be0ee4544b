"""Where things are for the browser tests, and how Chromium is found and started (shared by fixtures and tests)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "browser"
# The student notebooks under test; BACKPROP_BROWSER_COURSE points the tests at another folder (debugging).
COURSE = Path(os.environ.get("BACKPROP_BROWSER_COURSE") or REPO / "course")
COURSE_ID = "backprop-course"

# Chromium as root in a closed network: without the background-networking flags its own connections are
# refused and it stalls; Playwright adds --headless and a fresh user-data-dir itself.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Debian's chromium (or BACKPROP_CHROMIUM), None when not installed."""
    candidate = os.environ.get("BACKPROP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if os.path.isfile(candidate) and os.access(candidate, os.X_OK) else None
