"""The answer key: every probe's answer on the instructor's solution, run through the same sandboxed path.

Built when an assignment is released (authoring errors surface then), cached in the workspace
(``answer_keys/<assignment>/<notebook>.json``, out of every sandbox's reach) and rebuilt when the source notebook
or the grader changes. Building it also checks the solution: every probe must answer, and every bound-type
probe (at_least, at_most, accuracy) must pass on the solution itself.
"""
import hashlib
import json
import os
from pathlib import Path

import nbformat

from backprop import probes as spec

from .errors import UserError
from .execute import ProbeExecute, plan_from_source
from .probes import AuthoringError, decide

GRADER_VERSION = "probes-1"


def digest(source_path):
    return hashlib.sha256(GRADER_VERSION.encode() + Path(source_path).read_bytes()).hexdigest()


def key_path(workspace, assignment_id, notebook_name):
    return workspace.root / "answer_keys" / assignment_id / (Path(notebook_name).stem + ".json")


# Plans and decoded keys already read by this process, by source digest: a class's every submission of a notebook
# shares them (a hidden region may load data sets, and a key may hold large arrays).
_PLANS, _KEYS = {}, {}


def plan_for(source_path, assignment_id):
    """The probe plan of a source notebook; an authoring problem becomes a UserError naming the cell."""
    cache_key = (str(source_path), digest(source_path))
    if cache_key not in _PLANS:
        _PLANS[cache_key] = _plan(source_path, assignment_id)
    return _PLANS[cache_key]


def _plan(source_path, assignment_id):
    try:
        return plan_from_source(nbformat.read(str(source_path), as_version=4),
                                f"{assignment_id}/{Path(source_path).name}: ")
    except AuthoringError as exc:
        raise UserError(str(exc), f"fix the hidden tests in solutions/{assignment_id}/ and release again") from None


def build(source_path, assignment_id, limits, sandboxed=True, run_tag=""):
    """Run the solution notebook with its probes; {grade_id: [[kind, encoded value], ...]} after checking it."""
    plan = plan_for(source_path, assignment_id)
    nb = nbformat.read(str(source_path), as_version=4)
    executor = ProbeExecute(timeout=int(max(limits.cell_timeout, 120)),
                            notebook_budget=max(limits.notebook_budget, 900),
                            memory_limit_mb=limits.memory_mb, sandboxed=sandboxed, plan=plan, run_tag=run_tag)
    _, resources = executor.preprocess(nb, {"metadata": {"path": str(Path(source_path).parent)}})
    where = f"{assignment_id}/{Path(source_path).name}"
    if resources["execution"]["status"] != "ok":
        raise UserError(f"the solution of {where} did not run through: {resources['execution']['message']}",
                        "run the solution notebook by hand and fix it, then release again")
    problems, key = [], {}
    for grade_id, (_, probes) in plan.items():
        answers = resources["probe_answers"].get(grade_id, [])
        key[grade_id] = []
        for probe, answer in zip(probes, answers):
            if answer[0] != "value":
                problems.append(f"{grade_id} / {probe.name}: the solution gives no answer ({answer[1]})")
            elif not probe.needs_reference:
                passed, message = decide(probe, answer, answer)
                if not passed:
                    problems.append(f"{grade_id} / {probe.name}: the solution itself fails ({message})")
            key[grade_id].append([answer[0], spec.encode(answer[1]) if answer[0] == "value" else answer[1]])
    if problems:
        raise UserError(f"the answer key of {where} cannot be built:\n  " + "\n  ".join(problems),
                        f"fix the probes or the solution in solutions/{assignment_id}/ and release again")
    return key


def ensure(workspace, assignment_id, notebook_name, limits, sandboxed=True, log=print):
    """The cached answer key of one notebook, (re)built when missing or stale; returns {grade_id: [answers]}."""
    source = workspace.root / "source" / assignment_id / notebook_name
    path = key_path(workspace, assignment_id, notebook_name)
    wanted = digest(source)
    if (path, wanted) in _KEYS:
        return _KEYS[path, wanted]
    if path.is_file():
        stored = json.loads(path.read_text())
        if stored.get("digest") == wanted:
            _KEYS[path, wanted] = _decoded(stored["answers"])
            return _KEYS[path, wanted]
    log(f"building the answer key of {assignment_id}/{notebook_name} (runs the solution once)")
    answers = build(source, assignment_id, limits, sandboxed, workspace.run_tag)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps({"digest": wanted, "answers": answers}))
    os.replace(partial, path)  # several graders may build it at once: each write is whole
    _KEYS[path, wanted] = _decoded(answers)
    return _KEYS[path, wanted]


def _decoded(answers):
    return {grade_id: [(kind, spec.decode(value) if kind == "value" else value) for kind, value in items]
            for grade_id, items in answers.items()}
