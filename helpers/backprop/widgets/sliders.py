"""One width for every slider of the course: wide enough that a track can be set to a value with the mouse.

ipywidgets' default slider is 300 px wide in all, so a long description left tracks of 60-90 px. A slider built
with ``layout=slider_layout()`` is 40em wide: with a description of up to 12em and the readout, its track keeps
about 20em (over 250 px at JupyterLab's font size); the gallery test (tests/browser/test_lab_browser.py) measures it.
"""
SLIDER_WIDTH = "40em"


def slider_layout(width=SLIDER_WIDTH):
    """A fresh layout dict for one slider (never shared between widgets)."""
    return {"width": width, "min_width": "24em"}
