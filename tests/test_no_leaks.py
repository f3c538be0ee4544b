"""Released notebooks (course/) hold no solution code, no hidden tests, no outputs and no answer key in any form."""
import hashlib
import json
import re

import nbformat
import pytest
from nbgrader import utils

from autograder.paths import COURSE, SOLUTIONS, assignment_ids

PAIRS = [(SOLUTIONS / a / nb.name, COURSE / a / nb.name)
         for a in assignment_ids() for nb in sorted((SOLUTIONS / a).glob("*.ipynb"))]
IDS = [f"{s.parent.name}/{s.name}" for s, _ in PAIRS]


def regions(source, begin, end):
    """Lines strictly inside BEGIN/END marker pairs."""
    inside, lines = False, []
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            lines.append(line.strip())
    return lines


def public_lines(solution_nb):
    """Lines of the instructor notebook outside every solution and hidden-test region (students may see these)."""
    lines, inside = set(), False
    for cell in solution_nb.cells:
        for line in cell.source.splitlines():
            if "BEGIN SOLUTION" in line or "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END SOLUTION" in line or "END HIDDEN TESTS" in line:
                inside = False
            elif not inside:
                lines.add(line.strip())
    return lines


def secret_lines(solution_nb):
    """Non-trivial lines that occur only inside solution or hidden-test regions of the instructor notebook."""
    lines = []
    for cell in solution_nb.cells:
        lines += regions(cell.source, "BEGIN SOLUTION", "END SOLUTION")
        lines += regions(cell.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    public = public_lines(solution_nb)
    return [line for line in lines if len(line) >= 6 and not line.startswith("#") and line not in public]


def quiz_keys(solution_nb):
    """{variable: letter} for answers written as `qN = "x"` inside solution regions."""
    keys = {}
    for cell in solution_nb.cells:
        for line in regions(cell.source, "BEGIN SOLUTION", "END SOLUTION"):
            m = re.fullmatch(r"""(\w+)\s*=\s*["']([a-dA-D])["']""", line)
            if m:
                keys[m.group(1)] = m.group(2).lower()
    return keys


def hashes_of(text):
    data = text.encode()
    return {hashlib.new(name, data).hexdigest() for name in ("md5", "sha1", "sha224", "sha256", "sha512", "blake2b")}


@pytest.fixture(params=PAIRS, ids=IDS)
def pair(request):
    solution_path, course_path = request.param
    assert course_path.is_file(), f"{course_path} missing: run `make course`"
    return (nbformat.read(str(solution_path), as_version=4), nbformat.read(str(course_path), as_version=4),
            course_path.read_text())


def test_every_notebook_has_a_released_version():
    assert PAIRS, "no solution notebooks found"
    for solution_path, course_path in PAIRS:
        assert course_path.is_file(), f"{course_path} missing"


def test_no_outputs(pair):
    _, course_nb, _ = pair
    for cell in course_nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"cell {cell.id} has outputs"


def test_no_markers_solution_code_or_hidden_tests(pair):
    solution_nb, course_nb, raw = pair
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in raw
    sources = {line.strip() for cell in course_nb.cells for line in cell.source.splitlines()}
    secrets = secret_lines(solution_nb)
    leaked = [line for line in secrets if line in sources]
    assert leaked == [], f"solution or hidden-test lines in the student notebook: {leaked}"


QUIZ_PAIRS = [(s, c) for s, c in PAIRS if quiz_keys(nbformat.read(str(s), as_version=4))]


def test_the_quiz_notebooks_are_found():
    """The answer-key test below must really run: chapter 00's quiz is among the notebooks it checks."""
    assert any(s.parent.name == "00_basics" for s, _ in QUIZ_PAIRS)


@pytest.mark.parametrize("solution_path, course_path", QUIZ_PAIRS,
                         ids=[f"{s.parent.name}/{s.name}" for s, _ in QUIZ_PAIRS])
def test_no_answer_key_plain_or_hashed(solution_path, course_path):
    solution_nb = nbformat.read(str(solution_path), as_version=4)
    raw = course_path.read_text()
    course_nb = nbformat.reads(raw, as_version=4)
    keys = quiz_keys(solution_nb)
    sources = "\n".join(cell.source for cell in course_nb.cells)
    for name, letter in keys.items():
        assert not re.search(rf"""\b{name}\s*=\s*["']{letter}["']""", sources, re.I), f"{name} answer in plain text"
    candidates = set()
    for name, letter in keys.items():
        for text in (letter, letter.upper(), f'"{letter}"', f"'{letter}'", f"{name}{letter}", f"{name}={letter}",
                     f'{name} = "{letter}"', f"{name}:{letter}", f"{letter}\n"):
            candidates |= hashes_of(text)
    candidates |= hashes_of("".join(keys[k] for k in sorted(keys)))
    hex_strings = set(re.findall(r"[0-9a-fA-F]{32,128}", raw))
    assert not (hex_strings & candidates), "a hash of an answer is in the student notebook"


def test_checksums_come_from_visible_content_only(pair):
    _, course_nb, _ = pair
    for cell in course_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if "checksum" in meta:
            assert meta["checksum"] == utils.compute_checksum(cell), f"checksum of {cell.id} hides other content"


def test_exercise_answers_do_not_appear_in_00_basics():
    # The numeric answers, computed here independently of the notebook.
    w, x, target, lr = [0.5, -0.2], [1.0, 0.8], 0.6, 0.1
    output = w[0] * x[0] + w[1] * x[1]
    error = target - output
    new = [w[i] + lr * error * x[i] for i in range(2)]
    forms = set()
    for value in (output, error, *new):
        for digits in (2, 3, 4):
            text = f"{round(value, digits):g}"
            if len(text.lstrip("-").replace("0.", "")) >= 2:
                forms |= {text, text.lstrip("-")}
    raw = (COURSE / "00_basics" / "00_basics.ipynb").read_text()
    text = " ".join(cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                    for cell in json.loads(raw)["cells"])
    found = sorted(f for f in forms if re.search(rf"(?<![\d.]){re.escape(f)}(?!\d)", text))
    assert found == [], f"exercise answers stated in the student notebook: {found}"
