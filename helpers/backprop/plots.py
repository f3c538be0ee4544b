"""Course plot style: a colour-blind-safe palette (Okabe-Ito) and small helpers for titled, labelled plots."""
from cycler import cycler

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
PALETTE = [OKABE_ITO[name] for name in ("blue", "orange", "bluish_green", "vermillion",
                                         "reddish_purple", "sky_blue", "yellow", "black")]


def course_rc():
    """The matplotlib rcParams of the course style, as a dict (palette, sizes, grid, readable fonts)."""
    return {
        "axes.prop_cycle": cycler(color=PALETTE),
        "figure.figsize": (6.4, 4.0),
        "figure.dpi": 100,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "axes.labelsize": 11,
        "legend.frameon": False,
        "lines.linewidth": 2.0,
        "image.cmap": "cividis",
    }


def use_course_style():
    """Apply the course style to matplotlib for the rest of the session (call once at the top of a notebook)."""
    import matplotlib as mpl

    mpl.rcParams.update(course_rc())


def label(ax, title, xlabel, ylabel, legend=False):
    """Give an axis a title and axis labels (every course plot has all three); returns the axis."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if legend:
        ax.legend()
    return ax
