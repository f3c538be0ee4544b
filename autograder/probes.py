"""The grader's side of hidden tests: split a test cell, learn its probes, ask a kernel, decide the verdict.

A test cell's hidden region (``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``) is instructor code: the
grader executes it here, in its own process, with a ``checks`` object whose ``probe`` only records what to ask.
What crosses into the student's kernel is each probe's code and input data; what comes back is one line of
plain data, judged here by :func:`backprop.probes.judge`.
"""
import base64
import hashlib
import json
import secrets
from dataclasses import dataclass, field

import numpy as np

from backprop import probes as spec

BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
MAX_ANSWER_BYTES = 2 * 1024 * 1024


class AuthoringError(Exception):
    """A hidden region that cannot be graded (no probes, a syntax error, a reference that fails)."""


@dataclass
class Probe:
    """One question to a kernel: code whose last expression is the answer, input data, and how to judge it."""

    code: str
    name: str
    compare: dict
    data: dict = field(default_factory=dict)
    explain: str = ""

    def digest(self):
        payload = json.dumps([self.code, self.name, self.compare,
                              {k: np.asarray(v).tolist() for k, v in sorted(self.data.items())}], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def needs_reference(self):
        return self.compare.get("compare", "close") in ("close", "equal", "choice")


def split_source(source):
    """(visible part, hidden region) of a test cell's source; the hidden region is '' when there is none."""
    if BEGIN not in source:
        return source, ""
    before, _, rest = source.partition(BEGIN)
    hidden, _, after = rest.partition(END)
    return (before.rstrip() + ("\n" + after.strip() if after.strip() else "")).rstrip(), hidden


class _Recorder:
    """The ``checks`` a hidden region sees in the grader: probe() records, the compare specs are the real ones."""

    def __init__(self):
        self.probes = []
        for name in ("close", "equal", "choice", "at_least", "at_most", "accuracy_at_least"):
            setattr(self, name, getattr(spec, name))

    def probe(self, code, *, name=None, compare=None, data=None, explain=None):
        if not isinstance(code, str) or not code.strip():
            raise AuthoringError("checks.probe needs the code to evaluate as a non-empty string")
        self.probes.append(Probe(code=code, name=name or f"hidden check {len(self.probes) + 1}",
                                 compare=compare or spec.close(), data=dict(data or {}), explain=explain or ""))


def learn_probes(hidden_source, where="a test cell"):
    """The probes a hidden region declares, by running it in this (the grader's) process."""
    recorder = _Recorder()
    namespace = {"checks": recorder, "np": np, "__name__": "hidden_tests"}
    try:
        exec(compile(hidden_source, f"<hidden tests of {where}>", "exec"), namespace)
    except AuthoringError:
        raise
    except Exception as exc:
        raise AuthoringError(f"the hidden tests of {where} failed in the grader: {type(exc).__name__}: {exc}") from exc
    return recorder.probes


def request(probes, data_paths):
    """The code sent to the kernel for a test cell's probes, and the marker each answer line starts with."""
    markers = ["@@probe-" + secrets.token_hex(8) + "@@" for _ in probes]
    items = [(base64.b64encode(p.code.encode()).decode(), m, d) for p, m, d in zip(probes, markers, data_paths)]
    source = f"__import__('backprop.probes', fromlist=['run_probes']).run_probes({items!r}, globals())"
    return source, markers


def read_answer(outputs, marker):
    """The decoded answer printed after ``marker`` in a probe cell's outputs: ('value', x) or ('error', text)."""
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stdout")
    start = text.rfind(marker)
    line = text[start:].split("\n", 1)[0] if start >= 0 else None
    if line is None:
        errors = [f"{o.get('ename')}: {o.get('evalue', '')}"[:200] for o in outputs if o.get("output_type") == "error"]
        return "error", errors[0] if errors else "the kernel gave no answer"
    payload = line[len(marker):]
    if len(payload) > MAX_ANSWER_BYTES:
        return "error", f"the answer is larger than {MAX_ANSWER_BYTES // 1024} kB"
    try:
        answer = json.loads(payload)
    except (ValueError, RecursionError):  # malformed, or nested thousands deep
        return "error", "the answer was not readable"
    if not isinstance(answer, dict):
        return "error", "the answer was not readable"
    if "value" in answer:
        try:
            return "value", spec.decode(answer["value"])
        except (Exception, RecursionError):
            return "error", "the answer was not readable"
    return "error", str(answer.get("error", "no answer"))[:300]


def decide(probe, answer, reference):
    """(passed, message) for one probe; ``answer``/``reference`` are ('value', x) or ('error', text) pairs."""
    kind, value = answer
    if kind != "value":
        return False, f"{probe.name}: {value}"
    if probe.needs_reference:
        ref_kind, ref_value = reference
        if ref_kind != "value":
            return False, f"{probe.name}: the answer key has no value for this check (grader problem)"
        return spec.judge(value, ref_value, probe.compare, probe.name)
    return spec.judge(value, None, probe.compare, probe.name)
