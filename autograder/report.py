"""Class report for one assignment: score distribution, pass rate per graded item, outcome table (HTML + PNGs)."""
import base64
import html
import io
from collections import Counter
from pathlib import Path

from . import outcomes
from .errors import UserError


def item_results(workspace, assignment_id):
    """{student: {grade cell: (score, max_score)}} for every submission of the assignment in the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    results = {}
    with Gradebook(workspace.db_url, workspace.course_id) as gb:
        try:
            assignment = gb.find_assignment(assignment_id)
        except MissingEntry:
            raise UserError(f"{assignment_id} is not in the gradebook", "release and autograde it first") from None
        for submission in assignment.submissions:
            cells = {}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    cells[grade.name] = (float(grade.score), float(grade.max_score))
            results[submission.student.id] = cells
    return results


def _figure_png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def make_plots(totals, max_total, pass_rates, assignment_id):
    """Two PNGs (bytes): the score histogram and the per-item pass-rate bar chart."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from backprop.plots import OKABE_ITO, course_rc, label

    with plt.rc_context(course_rc()):
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
        bins = [x - 0.5 for x in range(int(max_total) + 2)] if max_total <= 40 else 20
        ax.hist(totals, bins=bins, color=OKABE_ITO["blue"], edgecolor="white")
        ax.axvline(sum(totals) / max(len(totals), 1), color=OKABE_ITO["vermillion"], linestyle="--",
                   label=f"mean {sum(totals) / max(len(totals), 1):.1f}")
        ax.set_xlim(-0.5, max_total + 0.5)
        ax.yaxis.get_major_locator().set_params(integer=True)
        label(ax, f"{assignment_id}: score distribution ({len(totals)} submissions)",
              f"score (out of {max_total:g})", "number of students", legend=True)
        histogram = _figure_png(fig)
        plt.close(fig)

        names = list(pass_rates)
        fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(names) + 1.2))
        values = [100 * pass_rates[n] for n in names]
        ax.barh(names, values, color=OKABE_ITO["bluish_green"])
        for y, v in enumerate(values):
            ax.text(min(v + 1, 92), y, f"{v:.0f}%", va="center")
        ax.set_xlim(0, 100)
        ax.invert_yaxis()
        label(ax, f"{assignment_id}: pass rate per graded item", "students with full marks on the item (%)",
              "graded item")
        bars = _figure_png(fig)
        plt.close(fig)
    return histogram, bars


def build_report(workspace, assignment_id, output_dir=None):
    """Write report.html (plots embedded) plus the two PNGs into ``output_dir``; returns the HTML path."""
    workspace.require()
    results = item_results(workspace, assignment_id)
    records = outcomes.load(workspace, assignment_id)
    if not results:
        raise UserError(f"no graded submissions of {assignment_id} yet", "run collect and autograde first")
    items = sorted({name for cells in results.values() for name in cells},
                   key=lambda n: next(i for i, cells in enumerate(results.values()) if n in cells))
    first = next(iter(results.values()))
    items = list(first) + [n for n in items if n not in first]
    totals = [sum(score for score, _ in cells.values()) for cells in results.values()]
    max_total = sum(max_score for _, max_score in first.values())
    pass_rates = {name: sum(1 for cells in results.values() if name in cells and cells[name][0] >= cells[name][1])
                  / len(results) for name in items}
    histogram, bars = make_plots(totals, max_total, pass_rates, assignment_id)

    output_dir = Path(output_dir or workspace.reports / assignment_id)
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "score_distribution.png").write_bytes(histogram)
    (output_dir / "pass_rate_per_item.png").write_bytes(bars)

    counts = Counter(r["status"] for r in records.values())
    flagged = sorted(s for s, r in records.items() if r.get("flags"))
    rows = []
    for student in sorted(set(results) | set(records)):
        r = records.get(student, {"status": "not graded", "flags": [], "message": ""})
        score = sum(s for s, _ in results.get(student, {}).values())
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in (
            student, r["status"], f"{score:g} / {max_total:g}", r.get("message", ""),
            "; ".join(r.get("flags", [])))) + "</tr>")
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) + f"; flagged for review: {len(flagged)}"

    def img(data, alt):
        return f'<img alt="{alt}" src="data:image/png;base64,{base64.b64encode(data).decode()}">'

    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{assignment_id} grading report</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}}</style></head>
<body><h1>{assignment_id}: grading report</h1>
<p>{len(results)} submissions; mean score {sum(totals) / len(totals):.2f} / {max_total:g}.
Outcomes: {html.escape(summary)}.</p>
<h2>Score distribution</h2>{img(histogram, "score distribution")}
<h2>Pass rate per graded item</h2>{img(bars, "pass rate per graded item")}
<h2>Outcomes</h2>
<table><tr><th>student</th><th>outcome</th><th>score</th><th>message</th><th>flags (review by hand)</th></tr>
{''.join(rows)}</table></body></html>
"""
    path = output_dir / "report.html"
    path.write_text(page)
    return path
