"""Probes without kernels: declaring them, encoding answers, reading a kernel's reply, judging against a key."""
import json
import re

import numpy as np
import pytest

from autograder import probes as grader
from autograder.execute import plan_from_source
from autograder.mutate import read
from autograder.paths import SOLUTIONS, assignment_ids
from backprop import probes

NOTEBOOKS = [p for a in assignment_ids() for p in sorted((SOLUTIONS / a).glob("*.ipynb"))]


def roundtrip(value):
    return probes.decode(json.loads(json.dumps(probes.encode(value), allow_nan=False)))


@pytest.mark.parametrize("value", [0.5, 3, True, "b", None, [1, 2.5], {"w": [0.1]}, np.float64(2.0),
                                   np.arange(6.0).reshape(2, 3), np.array([True, False]), float("inf")])
def test_answers_survive_the_trip_as_plain_data(value):
    back = roundtrip(value)
    if isinstance(value, np.ndarray):
        assert isinstance(back, np.ndarray) and back.shape == value.shape and np.array_equal(back, value)
    else:
        assert back == (value.item() if isinstance(value, np.generic) else value)


def test_objects_that_are_not_data_come_back_unsupported():
    answer = roundtrip(object())
    passed, message = probes.judge(answer, 1.0, probes.close(), "forward")
    assert not passed and "object" in message


@pytest.mark.parametrize("got, ref, spec", [
    (0.3400001, 0.34, probes.close(atol=1e-9, rtol=0)),
    (np.array([1.0, 2.5]), np.array([1.0, 2.0]), probes.close()),
    ([0.1, 0.2], [0.1, 0.3], probes.close()),
    ("c", "b", probes.choice()),
    (7, 8, probes.equal()),
    (np.zeros(3), np.zeros(4), probes.close()),
])
def test_a_wrong_answer_fails_without_stating_the_expected_value(got, ref, spec):
    passed, message = probes.judge(got, ref, spec, "the check")
    assert not passed and message.startswith("the check")
    hidden = {repr(x) for x in np.ravel(ref).tolist() if x not in np.ravel(got).tolist()} \
        if not isinstance(ref, str) else {ref}
    for value in hidden - {"0.0"}:
        assert not re.search(rf"(?<![\d.]){re.escape(value)}(?!\d)", message), message


@pytest.mark.parametrize("got, ref, spec", [
    (0.34 + 1e-12, 0.34, probes.close(atol=1e-9)), (" B ", "b", probes.choice()),
    ([1, 2], np.array([1.0, 2.0]), probes.close()),
    ({"a": 1.0}, {"a": 1.0}, probes.close()), (0.98, None, probes.at_least(0.97)), (0.1, None, probes.at_most(0.2)),
])
def test_a_right_answer_passes(got, ref, spec):
    if spec["compare"] == "choice":
        ref = "b"
    assert probes.judge(got, ref, spec, "x") == (True, "")


def test_accuracy_is_computed_from_labels_the_kernel_never_sees():
    spec = probes.accuracy_at_least(0.75, [0, 1, 1, 2])
    assert probes.judge(np.array([0, 1, 1, 0]), None, spec, "acc")[0]
    passed, message = probes.judge(np.array([0, 0, 0, 0]), None, spec, "acc")
    assert not passed and "0.2500" in message
    assert not probes.judge([0, 1], None, spec, "acc")[0]  # one label per example


def test_hidden_region_is_learned_in_the_grader_process():
    visible, hidden = grader.split_source('checks.check_number(x, "x")\n### BEGIN HIDDEN TESTS\n'
                                          'for k in range(3):\n    checks.probe(f"f({k})", name=f"f at {k}")\n'
                                          '### END HIDDEN TESTS')
    assert visible == 'checks.check_number(x, "x")'
    found = grader.learn_probes(hidden)
    assert [p.code for p in found] == ["f(0)", "f(1)", "f(2)"] and found[1].name == "f at 1"
    with pytest.raises(grader.AuthoringError, match="NameError"):
        grader.learn_probes("checks.probe(str(notebook_variable))")


def test_a_reply_is_read_only_from_its_marker_line():
    outputs = [{"output_type": "stream", "name": "stdout", "text": 'noise @@m1@@{"value": 2.0}\nmore\n'}]
    assert grader.read_answer(outputs, "@@m1@@") == ("value", 2.0)
    assert grader.read_answer(outputs, "@@m2@@")[0] == "error"
    bad = [{"output_type": "stream", "name": "stdout", "text": "@@m1@@{not json"}]
    assert grader.read_answer(bad, "@@m1@@") == ("error", "the answer was not readable")
    huge = [{"output_type": "stream", "name": "stdout", "text": "@@m1@@" + "1" * (grader.MAX_ANSWER_BYTES + 1)}]
    assert grader.read_answer(huge, "@@m1@@")[0] == "error"
    deep = [{"output_type": "stream", "name": "stdout",
             "text": "@@m1@@" + '{"value": ' + "[" * 100000 + "]" * 100000 + "}"}]
    assert grader.read_answer(deep, "@@m1@@") == ("error", "the answer was not readable")
    shaped = [{"output_type": "stream", "name": "stdout",
               "text": '@@m1@@{"value": {"__array__": [1], "shape": [1000000000]}}'}]
    assert grader.read_answer(shaped, "@@m1@@") == ("error", "the answer was not readable")


def test_run_probe_answers_errors_as_data(capsys):
    import base64
    code = base64.b64encode(b"1 / 0").decode()
    probes.run_probe(code, "@@x@@", None, {})
    line = capsys.readouterr().out.strip()
    assert line.startswith("@@x@@") and "ZeroDivisionError" in json.loads(line[5:])["error"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.name}" for p in NOTEBOOKS])
def test_every_test_cell_of_every_notebook_declares_probes(path):
    """A test cell without probes would pass whenever no error appears: release refuses it, and so does this."""
    nb = read(path)
    plan = plan_from_source(nb, f"{path.name}: ")
    tests = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert len(plan) == len(tests)
    assert all(probes_ for _, probes_ in plan.values())
