"""Build submissions from the instructor notebook: the correct one, and mutants with one solution region wrong.

Used by the mutation check (every graded cell must lose its points when the solution it tests is wrong) and by
the simulated-class tests. Generic: works on any notebook with '### BEGIN SOLUTION' / '### END SOLUTION' regions.
"""
import ast
import copy
import re
import textwrap

import nbformat
from nbgrader import utils

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"

# Defined inside a mutant region: nudges numbers and answer letters so the result is wrong but well-typed.
PERTURB = '''
def __perturb(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value * 1.1 + 0.01
    if isinstance(value, str) and len(value.strip()) == 1 and value.strip().lower() in "abcd":
        return "abcd"["abcd".index(value.strip().lower()) - 1]
    if isinstance(value, (list, tuple)):
        return type(value)(__perturb(item) for item in value)
    try:
        import numpy
        return numpy.asarray(value, dtype=float) * 1.1 + 0.01
    except Exception:
        return None
'''


def split_region(source):
    """(before, region, after, indent) of the first solution region of a cell's source."""
    lines = source.split("\n")
    start = next(i for i, line in enumerate(lines) if BEGIN in line)
    end = next(i for i, line in enumerate(lines) if END in line)
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    return lines[:start], lines[start + 1:end], lines[end + 1:], indent


def solution_cells(instructor_nb):
    """{grade_id: source} of the instructor notebook's solution cells that hold a solution region."""
    return {cell.metadata.nbgrader["grade_id"]: cell.source for cell in instructor_nb.cells
            if utils.is_solution(cell) and BEGIN in cell.source}


def graded_by(instructor_nb):
    """{solution grade_id: [test grade_ids after it, up to the next solution cell]} (which tests check what)."""
    owners, current = {}, None
    for cell in instructor_nb.cells:
        nbg = cell.metadata.get("nbgrader", {})
        if utils.is_solution(cell) and BEGIN in cell.source:
            current = nbg["grade_id"]
            owners[current] = []
        elif utils.is_grade(cell) and current is not None:
            owners[current].append(nbg["grade_id"])
    return owners


def points(instructor_nb):
    """{test grade_id: points}."""
    return {cell.metadata.nbgrader["grade_id"]: float(cell.metadata.nbgrader["points"])
            for cell in instructor_nb.cells if utils.is_grade(cell)}


def without_markers(source):
    """The solution source with the BEGIN/END marker lines removed (what a correct student would write)."""
    return "\n".join(line for line in source.split("\n") if BEGIN not in line and END not in line)


def correct_submission(released_nb, instructor_nb):
    """The released notebook with every solution region filled in correctly."""
    solutions = solution_cells(instructor_nb)
    nb = copy.deepcopy(released_nb)
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            cell.source = without_markers(solutions[grade_id])
    return nb


def _statements(region_lines):
    """The top-level statements of a solution region ([] if it does not parse)."""
    try:
        return ast.parse(textwrap.dedent("\n".join(region_lines))).body
    except SyntaxError:
        return []


def _assigned_names(region_lines):
    names = []
    for node in _statements(region_lines):
        if isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return list(dict.fromkeys(names))


def mutant_region(region_lines, indent, kind):
    """Replacement lines for a solution region: kind 'blank' (nothing computed) or 'perturbed' (wrong values)."""
    body = textwrap.dedent("\n".join(region_lines))
    returns = any(isinstance(n, ast.Return) for n in ast.walk(ast.parse(
        "def _f():\n" + textwrap.indent(body, "    "))))
    names = _assigned_names(region_lines)
    if kind == "blank":
        if returns:
            code = "return None"
        else:
            code = "\n".join(f"{name} = None" for name in names) or "pass"
    elif kind == "perturbed":
        if returns:
            code = PERTURB + "def __original():\n" + textwrap.indent(body, "    ") + "\nreturn __perturb(__original())"
        else:
            code = body + "\n" + PERTURB + "\n".join(f"{name} = __perturb({name})" for name in names)
    else:
        raise ValueError(f"unknown mutant kind {kind!r}")
    return textwrap.indent(code, indent).split("\n")


def mutant_submission(released_nb, instructor_nb, grade_id, kind):
    """A correct submission except that solution cell ``grade_id`` is replaced by a wrong-but-runnable body.

    ``grade_id`` may also be a list of solution cells to mutate together.
    """
    nb = correct_submission(released_nb, instructor_nb)
    targets = [grade_id] if isinstance(grade_id, str) else list(grade_id)
    solutions = solution_cells(instructor_nb)
    for cell in nb.cells:
        cell_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell_id in targets:
            before, region, after, indent = split_region(solutions[cell_id])
            cell.source = "\n".join(before + mutant_region(region, indent, kind) + after)
    return nb


def read(path):
    return nbformat.read(str(path), as_version=4)


def _constant_names(region_lines):
    """The names a region assigns if it assigns only literals (a quiz letter, a number worked out by hand); else []."""
    names = []
    for node in _statements(region_lines):
        if not (isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets)):
            return []
        try:
            ast.literal_eval(node.value)
        except ValueError:
            return []
        names += [t.id for t in node.targets]
    return names


def _identifiers(source):
    """Every identifier-like word of a cell, strings included (probe code is a string): an over-estimate on purpose."""
    return set(re.findall(r"[A-Za-z_]\w*", source))


def _reads(source, prose=True):
    """The names a cell may read: all its words, less those that appear only as plain assignment targets.

    With ``prose=False`` the words of a probe's ``explain=`` / ``name=`` texts (feedback prose, never run) are left out.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return _identifiers(source)
    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Store)}
    texts = {id(k.value) for k in ast.walk(tree) if isinstance(k, ast.keyword) and k.arg in ("explain", "name")}
    strings = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    in_strings = set().union(*(_identifiers(n.value) for n in strings if prose or id(n) not in texts))
    if prose:
        return _identifiers(source) - (stored - loaded - in_strings)
    return loaded | stored | in_strings | {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}


def mutant_units(instructor_nb):
    """The checked solution regions of a notebook grouped into mutants: [[grade_id, ...], ...], in notebook order.

    A region is its own mutant, except that regions which only assign literals (quiz letters, hand-worked numbers)
    share one mutant when nothing can mix them up: no test cell of one mentions a name of another, and no cell other
    than a region's own cell and its test cells reads its names (a cell that only sets them, like
    ``q1 = q2 = None`` before a quiz, reads nothing). Each test cell then still sees exactly one
    wrong answer, its own, so a shared mutant proves as much as separate ones at the cost of one notebook run.
    That shared mutant rides along with another region's when their tests cannot see each other's (below).
    """
    tests_of = {gid: tests for gid, tests in graded_by(instructor_nb).items() if tests}
    solutions = solution_cells(instructor_nb)
    constants = {gid: names for gid in tests_of
                 if (names := _constant_names(split_region(solutions[gid])[1]))}
    cell_source = {cell.metadata.get("nbgrader", {}).get("grade_id") or f"#{i}": cell.source
                   for i, cell in enumerate(instructor_nb.cells) if cell.cell_type == "code"}
    words = {cid: _reads(source) for cid, source in cell_source.items()}

    def separable(gid):
        own = {gid, *tests_of[gid]}
        others = set().union(*(set(n) for g, n in constants.items() if g != gid))
        return (all(not words[t] & others for t in tests_of[gid])
                and all(not ws & set(constants[gid]) for cid, ws in words.items() if cid not in own))

    shared = [gid for gid in constants if separable(gid)]
    units = []
    for gid in tests_of:
        if gid not in shared:
            units.append([gid])
        elif gid == shared[0]:
            units.append(shared)
    # The shared literal mutant also rides along with the first other mutant when the literals' test cells read
    # nothing that another solution cell mentions: the other wrong region cannot change what they check, and
    # (``separable``) no other cell reads the literals, so the other region's tests cannot see them either.
    others = set().union(*(_identifiers(source) for gid, source in solutions.items() if gid not in shared))
    rides = shared and all(not _reads(cell_source[t], prose=False) & others for gid in shared for t in tests_of[gid])
    if rides and len(units) > 1:
        units.remove(shared)
        units[0] = units[0] + shared
    return units
