"""docs/coverage.md maps every topic of the course to a notebook section: check the map against solutions/."""
import json
import re
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
COVERAGE = REPO / "docs" / "coverage.md"
SOLUTIONS = REPO / "solutions"

HEADER = ["topic", "notebook", "section", "status"]
NONE = "—"
EXERCISE, TAUGHT, IN_PROGRESS = "exercise", "taught", "in progress"
BLOCKED = "blocked: the seed's text is needed"
STATUSES = {EXERCISE, TAUGHT, IN_PROGRESS, BLOCKED}

# Issue 11 names these as missing from the course ("What was found") and asks for chapter 00's mechanism topics.
ISSUE_TOPICS = [
    "Further reading", "Other libraries", "Bayesian optimisation", "L1 regularisation", "Transformers",
    "Machine translation", "Sentiment analysis",
]
CHAPTER_00_TOPICS = [
    "Forward pass", "Error", "Backward pass", "Weight update", "The hidden-layer problem", "Quiz",
    "Weight-update exercise",
]


class CoverageGap(UserWarning):
    """A topic of the map that has no notebook section yet (shown in pytest's warnings summary)."""


def _cells(line):
    """The cells of one markdown table row, stripped, with a cell that is all `code` unwrapped."""
    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    return [cell[1:-1] if re.fullmatch(r"`[^`]+`", cell) else cell for cell in cells]


def read_table(text):
    """The rows of the table whose header is 'topic | notebook | section | status', as dicts keyed by the header."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("|") and _cells(line) == HEADER),
                 None)
    assert start is not None, f"{COVERAGE.name}: no table with the header | {' | '.join(HEADER)} |"
    rows = []
    for number, line in enumerate(lines[start + 2:], start=start + 3):
        if not line.lstrip().startswith("|"):
            break
        cells = _cells(line)
        assert len(cells) == len(HEADER), (
            f"{COVERAGE.name} line {number}: {len(cells)} cells instead of {len(HEADER)} ({' | '.join(HEADER)}): "
            f"{line!r}")
        rows.append(dict(zip(HEADER, cells), line=number))
    return rows


def headings(notebook):
    """[(level, text, cell_index)] of the markdown headings of a notebook (dict), fenced code blocks skipped."""
    found = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        fenced = False
        for line in "".join(cell["source"]).splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            match = None if fenced else re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
            if match:
                found.append((len(match.group(1)), match.group(2), index))
    return found


def section_points(notebook, heading):
    """Points of the graded cells in the section under `heading` (None if there is no such heading).

    The section runs from the heading's cell to the next heading of the same or a higher level, exclusive.
    """
    found = headings(notebook)
    position = next((k for k, (_, text, _) in enumerate(found) if text == heading), None)
    if position is None:
        return None
    level, _, first = found[position]
    last = next((index for lvl, _, index in found[position + 1:] if lvl <= level and index > first),
                len(notebook["cells"]))
    points = 0
    for cell in notebook["cells"][first:max(last, first + 1)]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            points += meta.get("points", 0)
    return points


@pytest.fixture(scope="module")
def rows():
    return read_table(COVERAGE.read_text(encoding="utf-8"))


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _where(row):
    return f"{COVERAGE.name} line {row['line']} ({row['topic']!r})"


def test_the_table_is_well_formed(rows):
    problems = []
    topics = [row["topic"].lower() for row in rows]
    problems += [f"topic {t!r} appears more than once" for t in sorted(set(topics)) if topics.count(t) > 1]
    for row in rows:
        if row["status"] not in STATUSES:
            problems.append(f"{_where(row)}: status {row['status']!r} is not one of {sorted(STATUSES)}")
        elif row["status"] == BLOCKED:
            if (row["notebook"], row["section"]) != (NONE, NONE):
                problems.append(f"{_where(row)}: a blocked row has no notebook and no section (write {NONE})")
        elif row["notebook"] == NONE:
            problems.append(f"{_where(row)}: only blocked rows may have no notebook")
        elif row["status"] != IN_PROGRESS and row["section"] == NONE:
            problems.append(f"{_where(row)}: only blocked rows (and in-progress rows) may have no section")
    assert not problems, "\n".join(problems)


def test_every_row_names_a_heading_of_an_existing_notebook(rows):
    problems = []
    for row in rows:
        if row["status"] in (BLOCKED, IN_PROGRESS):
            continue
        path = SOLUTIONS / row["notebook"]
        if not path.is_file():
            problems.append(f"{_where(row)}: no notebook solutions/{row['notebook']}")
            continue
        texts = [text for _, text, _ in headings(_load(path))]
        if row["section"] not in texts:
            problems.append(f"{_where(row)}: solutions/{row['notebook']} has no heading {row['section']!r}; "
                            f"its headings are: {texts}")
    assert not problems, "\n".join(problems)


def test_exercise_rows_point_at_a_section_with_a_graded_cell(rows):
    problems = []
    for row in rows:
        path = SOLUTIONS / row["notebook"]
        if row["status"] != EXERCISE or not path.is_file():
            continue  # a missing notebook or heading is reported by the test above
        points = section_points(_load(path), row["section"])
        if points == 0:
            problems.append(f"{_where(row)}: section {row['section']!r} of solutions/{row['notebook']} holds no "
                            f"graded cell; point at the exercise's section or mark the row 'taught'")
    assert not problems, "\n".join(problems)


def test_in_progress_rows_only_while_their_notebook_is_missing(rows):
    done = [row for row in rows if row["status"] == IN_PROGRESS and (SOLUTIONS / row["notebook"]).is_file()]
    assert not done, "\n".join(
        f"{_where(row)}: solutions/{row['notebook']} exists now; write its section and set the status to "
        f"'{EXERCISE}' or '{TAUGHT}'" for row in done)


def test_every_solution_notebook_is_in_the_table(rows):
    listed = {row["notebook"] for row in rows}
    notebooks = sorted(path.relative_to(SOLUTIONS).as_posix() for path in SOLUTIONS.rglob("*.ipynb")
                       if ".ipynb_checkpoints" not in path.parts)
    assert notebooks, "no notebooks found under solutions/"
    missing = [nb for nb in notebooks if nb not in listed]
    assert not missing, f"notebooks of solutions/ that no row of {COVERAGE.name} names: {missing}"


@pytest.mark.parametrize("topic", ISSUE_TOPICS + CHAPTER_00_TOPICS)
def test_the_topic_is_a_row(rows, topic):
    assert topic.lower() in {row["topic"].lower() for row in rows}, (
        f"{COVERAGE.name} has no row for the topic {topic!r}")


def test_the_blocked_rows_are_listed(rows):
    blocked = [row["topic"] for row in rows if row["status"] == BLOCKED]
    if blocked:
        warnings.warn(CoverageGap(f"{len(blocked)} topics of {COVERAGE.name} have no notebook section until the "
                                  f"seed's text is available: {blocked}"))


# The checker itself, on small notebooks made here: it must be able to fail.

def _notebook(*cells):
    return {"cells": [{"cell_type": kind, "source": source,
                       "metadata": {"nbgrader": {"grade": True, "points": 2}} if kind == "graded" else {}}
                      for kind, source in cells]}


def test_read_table_parses_rows_and_unwraps_code():
    text = ("intro\n\n| topic | notebook | section | status |\n| --- | --- | --- | --- |\n"
            "| Adam | `01/a.ipynb` | 4. Exercise: `adam` | exercise |\n\nafter | not | a | row |\n")
    assert read_table(text) == [{"topic": "Adam", "notebook": "01/a.ipynb", "section": "4. Exercise: `adam`",
                                 "status": "exercise", "line": 5}]
    with pytest.raises(AssertionError, match="3 cells instead of 4"):
        read_table("| topic | notebook | section | status |\n| --- | --- | --- | --- |\n| a | b | c |\n")


def test_headings_skip_fenced_code_and_sections_stop_at_the_next_heading():
    nb = _notebook(("markdown", "# Title\n\n```\n# a comment, not a heading\n```"),
                   ("markdown", "## 1. Theory"), ("code", "x = 1"),
                   ("markdown", "## 2. Exercise"), ("graded", "check()"),
                   ("markdown", "### 2.1 More"), ("graded", "check()"),
                   ("markdown", "## 3. After"))
    assert [text for _, text, _ in headings(nb)] == ["Title", "1. Theory", "2. Exercise", "2.1 More", "3. After"]
    assert section_points(nb, "1. Theory") == 0
    assert section_points(nb, "2. Exercise") == 4      # its subsection belongs to it
    assert section_points(nb, "2.1 More") == 2
    assert section_points(nb, "Title") == 4            # the whole notebook
    assert section_points(nb, "4. Missing") is None
