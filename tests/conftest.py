"""Shared test setup: keep Jupyter, IPython and matplotlib state out of the home directory."""
import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

_state = Path(tempfile.mkdtemp(prefix="backprop-tests-"))
for var, sub in [
    ("JUPYTER_CONFIG_DIR", "jupyter-config"),
    ("JUPYTER_DATA_DIR", "jupyter-data"),
    ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
    ("IPYTHONDIR", "ipython"),
    ("MPLCONFIGDIR", "matplotlib"),
]:
    path = _state / sub
    path.mkdir(parents=True, exist_ok=True)
    os.environ[var] = str(path)
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root."""
    return REPO
