"""An adversarial class: submissions that solve nothing but attack the grader, graded on the real path.

Each attack starts from the blank student notebook of chapter 00 and puts its code where a student may write (the
first exercise cell), so a blank notebook's score (0) is the baseline: any score above it is an inflation. One
correct classmate is graded after the attackers (and one in parallel with them); their score must be untouched.
Afterwards no attack may have left a process or a file on the machine, and nothing a student receives (the
feedback) may hold hidden test code, solution code or answer-key values.
"""
import glob
import json
import os
import re

import pytest

from autograder import mutate, outcomes
from autograder.bwrap import UID_BASE, Limits, run_prefix
from autograder.cli import main as cli
from autograder.paths import COURSE, SOLUTIONS
from autograder.simulate import hand_in
from autograder.workspace import Workspace

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("adversarial")]
A, NB = "00_basics", "00_basics.ipynb"
INSTRUCTOR = mutate.read(SOLUTIONS / A / NB)
RELEASED = mutate.read(COURSE / A / NB)
RELEASED_TEXT = (COURSE / A / NB).read_text()
TOTAL = sum(mutate.points(INSTRUCTOR).values())
MARK = "/tmp/bp-adversarial-mark"  # a file an escaped process would leave behind

ATTACKS = {
    # kernel hooks
    "post-run-hook": """
ip = get_ipython()
def _clear(result):
    result.error_in_exec = None
    result.error_before_exec = None
ip.events.register("post_run_cell", _clear)
""",
    "pre-run-hook": """
ip = get_ipython()
ip.events.register("pre_run_cell", lambda info: setattr(info, "raw_cell", "pass"))
""",
    "input-transformer": """
get_ipython().input_transformers_cleanup.append(lambda lines: ["pass\\n"])
""",
    "ast-transformer": """
import ast
class Nothing(ast.NodeTransformer):
    def visit_Module(self, node):
        return ast.Module(body=[ast.Pass()], type_ignores=[])
get_ipython().ast_transformers.append(Nothing())
""",
    "reply-forced-ok": """
kernel = get_ipython().kernel
original = kernel.do_execute
async def forced(*args, **kwargs):
    reply = original(*args, **kwargs)
    if hasattr(reply, "__await__"):
        reply = await reply
    reply["status"] = "ok"
    return reply
kernel.do_execute = forced
kernel.shell_handlers["execute_request"] = kernel.execute_request
""",
    "result-before-error": """
import sys
def _hook(*args):
    get_ipython().display_pub.publish({"text/plain": "3"})
get_ipython().events.register("pre_run_cell", _hook)
get_ipython().displayhook.flush = lambda: None
""",
    # namespace
    "rebind-checks": """
class _Fake:
    def __getattr__(self, name):
        return lambda *args, **kwargs: None
checks = _Fake()
""",
    "vars-update": """
vars().update(forward=lambda w, x: 0.34, output=0.34, error=0.26, new_weights=[0.526, -0.1792],
              q1="b", q2="c", q3="c", q4="b", q5="c")
""",
    "code-swap": """
from backprop import probes as _p
def _lie(code_b64, marker, data_path=None, namespace=None):
    print(marker + '{"value": 0.34}', flush=True)
_p.run_probe.__code__ = _lie.__code__
""",
    "percent-line-patch": """
%config IPCompleter.greedy = True
%time import backprop.probes as _p; _p.judge = lambda *a, **k: (True, "")
""",
    "meta-path-finder": """
import sys, types, importlib.abc, importlib.machinery
class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if name == "backprop.probes":
            return importlib.machinery.ModuleSpec(name, self)
    def create_module(self, spec):
        module = types.ModuleType(spec.name)
        def run_probe(code_b64, marker, data_path=None, namespace=None):
            print(marker + '{"value": 0.34}', flush=True)
        module.run_probe = run_probe
        return module
    def exec_module(self, module):
        pass
sys.meta_path.insert(0, _Finder())
sys.modules.pop("backprop.probes", None)
""",
    "settrace-locals": """
import sys
def _tracer(frame, event, arg):
    if event == "return" and frame.f_code.co_name == "judge":
        frame.f_locals["message"] = None
    return _tracer
sys.settrace(_tracer)
""",
    "poisoned-builtins": """
import builtins, json
builtins.isinstance = lambda *a: True
json.dumps = lambda *a, **k: '{"value": 0.34}'
""",
    "frame-reader": """
import sys
class Sneaky(float):
    def __eq__(self, other):
        return True
    def __abs__(self):
        return 0.0
output = Sneaky(0.0)
def forward(w, x):
    frame = sys._getframe(1)
    return Sneaky(frame.f_locals.get("expected", 0.0))
""",
    # files
    "read-solutions": f"""
import os, glob, json
paths = [{str(SOLUTIONS)!r}, {str(SOLUTIONS.parent / ".git")!r}, {str(SOLUTIONS.parent / "course")!r},
         {str(SOLUTIONS.parent / "autograder")!r}, "/proc/1/root" + {str(SOLUTIONS)!r}, "/var/tmp", "/srv", "/home"]
seen = {{path: os.path.exists(path) for path in paths}}
notebooks = []
for top, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev", "usr", "site-packages", "lib", ".pyenv", ".venv")]
    notebooks += [os.path.join(top, f) for f in files if f.endswith((".ipynb", ".db"))]
print("SEEN", json.dumps(seen), "NOTEBOOKS", notebooks)
for path in [p for p, there in seen.items() if there] + notebooks:
    try:
        print(open(path).read()[:2000])
    except Exception:
        pass
""",
    "read-gradebook": """
import os, glob
hits = glob.glob("/tmp/**/gradebook.db", recursive=True) + glob.glob("/tmp/**/answer_keys", recursive=True)
hits += glob.glob("/work/**/gradebook.db", recursive=True)
for path in hits[:5]:
    try:
        print(path, open(path, "rb").read()[:3000])
    except Exception as exc:
        print(path, type(exc).__name__)
print("HITS", hits, "ENV", dict(os.environ))
""",
    "print-own-source": """
ip = get_ipython()
ip.events.register("post_run_cell", lambda result: print("SOURCE", result.info.raw_cell.encode().hex()))
""",
    # processes
    "setsid-daemon": f"""
import os, subprocess, sys, time
code = ("import os, time\\n"
        "for i in range(600):\\n"
        "    time.sleep(0.5)\\n"
        "    for d in ['/tmp/home/.ipython/profile_default/startup', '/tmp', '/var/tmp', '/dev/shm']:\\n"
        "        try:\\n"
        "            os.makedirs(d, exist_ok=True)\\n"
        "            open(d + '/00-evil.py', 'w').write('q1 = q2 = q3 = q4 = q5 = \\"b\\"\\\\n')\\n"
        "        except Exception:\\n"
        "            pass\\n"
        "        try:\\n"
        "            open('{MARK}', 'w').write('escaped')\\n"
        "        except Exception:\\n"
        "            pass\\n")
subprocess.Popen([sys.executable, "-c", code], start_new_session=True, stdin=subprocess.DEVNULL,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
pid = os.fork()
if pid == 0:
    os.setsid()
    time.sleep(300)
    os._exit(0)
""",
    "files-outside": """
for path in ["/var/tmp/bp-left", "/dev/shm/bp-left", "/tmp/bp-left"]:
    try:
        open(path, "w").write("x")
        print("wrote", path)
    except Exception as exc:
        print("could not write", path, type(exc).__name__)
""",
    "big-output": """
import sys
chunk = "x" * 1_000_000
for _ in range(300):
    sys.stdout.write(chunk)
""",
    "fork-bomb": """
import os
children = 0
try:
    for _ in range(500):
        if os.fork() == 0:
            import time; time.sleep(60); os._exit(0)
        children += 1
except OSError as exc:
    print("fork refused after", children, type(exc).__name__)
""",
    "network": """
import socket
for host in [("127.0.0.1", 22), ("127.0.0.1", 5432), ("8.8.8.8", 53)]:
    try:
        socket.create_connection(host, timeout=1)
        print("CONNECTED", host)
    except OSError as exc:
        print("no network to", host, type(exc).__name__)
""",
    "kill-others": """
import os, signal
for pid in range(2, 400):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
""",
}
SECRETS_FROM_SOLUTION = ("sum(w * x for w, x in zip(weights, inputs))", "return target - output",
                         "[w + lr * error * x for w, x in zip(weights, inputs)]", "BEGIN HIDDEN TESTS",
                         "checks.probe(", "BEGIN SOLUTION")


def attack_notebook(code):
    nb = mutate.read(COURSE / A / NB)
    cell = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "forward")
    cell.source = code.strip() + "\n\n" + cell.source
    return nb


@pytest.fixture(scope="module")
def battle(tmp_path_factory):
    base = tmp_path_factory.mktemp("adversarial")
    ws = Workspace(base / "workspace")
    opts = ["--workspace", str(ws.root)]
    assert cli(["release", A] + opts) == 0
    released = mutate.read(ws.root / "release" / A / NB)
    students = {f"attack-{name}": attack_notebook(code) for name, code in ATTACKS.items()}
    students["blank"] = released
    students["victim-parallel"] = mutate.correct_submission(released, INSTRUCTOR)
    for student, nb in students.items():
        hand_in(ws, A, student, nb, base / "homes")
    hand_in(ws, A, "zz-victim-after", mutate.correct_submission(released, INSTRUCTOR), base / "homes")
    assert cli(["collect", A] + opts) == 0
    if os.path.exists(MARK):
        os.unlink(MARK)
    grade = ["autograde", A, "--jobs", "2", "--cell-timeout", "30", "--notebook-budget", "90"] + opts
    assert cli(grade + [s for name in students for s in ("--student", name)]) == 0
    assert cli(["autograde", A, "--student", "zz-victim-after", "--jobs", "1"] + opts) == 0  # after the attackers
    assert cli(["feedback", A] + opts) == 0
    return {"ws": ws, "records": outcomes.load(ws, A), "students": students}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_earns_nothing_and_gets_an_outcome(battle, name):
    record = battle["records"][f"attack-{name}"]
    assert record["status"] in ("graded", "timeout", "crashed"), record
    assert record["score"] == 0, record


def test_blank_baseline_is_zero(battle):
    assert battle["records"]["blank"]["score"] == 0


@pytest.mark.parametrize("victim", ["victim-parallel", "zz-victim-after"])
def test_classmates_keep_full_marks(battle, victim):
    record = battle["records"][victim]
    assert record["status"] == "graded" and record["score"] == pytest.approx(TOTAL), record


def _numbers_shown(text):
    """The decimal numbers a page shows, as whole tokens, less measured durations ("backprop 0.26 ms"): a run's
    timing can equal a key value by chance, and a key value is never printed as a duration."""
    return set(re.findall(r"(?<![\w.])-?\d+\.\d+(?!\w|\.\d)(?!\s*(?:ms|s|us|µs)\b)", text))


def _feedback_pages(ws):
    return {path: path.read_text() for path in (ws.root / "feedback").rglob("*.html")}


def test_feedback_holds_no_hidden_tests_solutions_or_key(battle):
    ws = battle["ws"]
    pages = _feedback_pages(ws)
    assert len(pages) >= len(ATTACKS)
    key = json.loads((ws.root / "answer_keys" / A / "00_basics.json").read_text())["answers"]
    key_numbers = {repr(v) for items in key.values() for kind, v in items if isinstance(v, float) and abs(v) > 1e-3}
    for path, page in pages.items():
        text = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S)
        for secret in SECRETS_FROM_SOLUTION:
            assert secret not in text, f"{path}: {secret!r} leaked"
        student = path.parts[-3]
        if "victim" not in student:
            own = json.dumps(battle["students"][student]) + RELEASED_TEXT  # numbers the student typed or was given
            leaked = [n for n in key_numbers & _numbers_shown(text) if n not in own]
            assert not leaked, f"{path}: answer-key values {leaked} in feedback"
        assert "root:x:0:0" not in text and "PRIVATE KEY" not in text


def _outputs(ws, student):
    nb = mutate.read(ws.root / "autograded" / student / A / NB)
    return "\n".join(o.get("text", "") + json.dumps(o.get("data", {})) + o.get("evalue", "")
                     for c in nb.cells for o in c.get("outputs", []))


def test_sandbox_saw_no_files_network_or_environment_of_the_grader(battle):
    ws = battle["ws"]
    out = _outputs(ws, "attack-read-solutions")
    seen = json.loads(re.search(r"SEEN (\{.*?\}) NOTEBOOKS", out).group(1))
    assert not any(seen.values()), seen
    assert "NOTEBOOKS []" in out, out[:2000]
    assert "BEGIN SOLUTION" not in out and "BEGIN HIDDEN" not in out and "[core]" not in out
    out = _outputs(ws, "attack-network")
    assert "CONNECTED" not in out and out.count("no network to") == 3, out
    out = _outputs(ws, "attack-read-gradebook")
    assert "HITS []" in out and "SQLite format" not in out and str(ws.root) not in out, out[:2000]


def test_nothing_is_left_behind(battle):
    assert not os.path.exists(MARK), "a process of a graded submission outlived its sandbox"
    for path in ["/var/tmp/bp-left", "/dev/shm/bp-left", "/tmp/bp-left", "/tmp/00-evil.py"]:
        assert not os.path.exists(path), path
    assert not glob.glob(f"/tmp/{run_prefix(battle['ws'].run_tag)}*"), "a sandbox's run folder was not removed"
    if os.geteuid() == 0:
        uids = set()
        for student in battle["students"]:
            for run in (battle["ws"].root / "runs" / A / student).glob("*.json"):
                uids.add(json.loads(run.read_text())["sandbox_uid"])
        assert uids and all(uid >= UID_BASE for uid in uids), uids
        leftovers = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.stat(f"/proc/{entry}").st_uid in uids:
                        leftovers.append(entry)
                except OSError:
                    continue
        assert not leftovers, f"processes of the graded sandboxes still run: {leftovers}"


def test_fork_bomb_hits_the_process_limit(battle):
    if os.geteuid() != 0:
        pytest.skip("the per-sandbox process limit applies when grading as root (own uid per sandbox)")
    out = _outputs(battle["ws"], "attack-fork-bomb")
    refused = re.search(r"fork refused after (\d+)", out)
    if refused is None:  # its printed line did not arrive (seen once in a full run): it must have earned nothing
        record = battle["records"]["attack-fork-bomb"]
        assert record["score"] == 0, (record, out[:500])
        return
    assert int(refused.group(1)) < Limits().processes, out[:500]


def test_grader_memory_stays_flat_whatever_is_printed(battle, tmp_path):
    """Grading the 300 MB printer alone in a fresh process: the grader's peak memory stays far below the output."""
    import subprocess
    import sys

    # VmHWM is this process image's own peak; ru_maxrss would also count the forked copy of the (large) test
    # worker that existed before exec.
    script = ("import re, sys\n"
              "from autograder.cli import main\n"
              "code = main(sys.argv[1:])\n"
              "print('PEAK_KB', re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
              "sys.exit(code)\n")
    result = subprocess.run([sys.executable, "-c", script, "autograde", A, "--student", "attack-big-output",
                             "--jobs", "1", "--workspace", str(battle["ws"].root)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    peak_mb = int(re.search(r"PEAK_KB (\d+)", result.stdout).group(1)) / 1024
    # Measured: about 150 MB; 1 GB before the kernel client's sockets got the size cap and the short queue.
    assert peak_mb < 400, f"the grader peaked at {peak_mb:.0f} MB while a submission printed 300 MB"


def test_big_output_is_capped_and_flagged(battle):
    record = battle["records"]["attack-big-output"]
    # Either the grader dropped what was over the cap while it streamed, or the flood filled the connection's
    # small queue and the run was stopped: both are recorded, neither grows the grader.
    assert ("printed more output than the grader keeps" in record["flags"]
            or record["status"] in ("timeout", "crashed")), record
    size = (battle["ws"].root / "autograded" / "attack-big-output" / A / NB).stat().st_size
    assert size < 10 * 1024 * 1024
