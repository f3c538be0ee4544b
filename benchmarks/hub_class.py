"""A class at once on the loopback JupyterHub: N students fetch 00_basics, run it (Validate runs the whole notebook
in the student's own server) and submit, all at the same time. Prints wall time, time per student, Validate's
time, the memory of each student's server and of the whole machine, and the load average before and during.

    sudo .venv/bin/python benchmarks/hub_class.py --students 30        # or: make bench-hub N=30

Needs what tests/deploy/test_hub_loopback.py needs (root, jupyterhub, configurable-http-proxy, useradd) and reuses
its machinery: new Linux accounts from a roster, the hub of deploy/single-server on free loopback ports, driven
through the REST API; the hub, every server and the accounts are removed at the end.
"""
import argparse
import json
import os
import pwd
import secrets
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def rss_mb(uid):
    """Resident memory (MB) of every process of ``uid``, summed (its server and any kernel it runs)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid != uid:
                continue
            for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total / 1024


def used_memory_gb():
    """Memory in use on the whole machine (MemTotal - MemAvailable), GB: hub, proxy, servers and kernels included."""
    fields = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines() if ":" in line)
    return (int(fields["MemTotal"].split()[0]) - int(fields["MemAvailable"].split()[0])) / 1024 ** 2


class Sampler(threading.Thread):
    """Samples the 1-minute load average and the machine's used memory every `every` seconds until stopped."""

    def __init__(self, every=2.0):
        super().__init__(daemon=True)
        self.every, self.stop, self.load, self.memory = every, threading.Event(), [], []

    def run(self):
        while not self.stop.is_set():
            self.load.append(os.getloadavg()[0])
            self.memory.append(used_memory_gb())
            self.stop.wait(self.every)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30, help="simulated students (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.students < 1:
        parser.error("--students must be at least 1")
    sys.path[:0] = [str(REPO), str(REPO / "tests" / "deploy")]
    import nbformat
    import test_hub_loopback as hub

    from autograder import mutate

    if hub.REASON:
        print(f"cannot run: {hub.REASON}", file=sys.stderr)
        return 2
    load_before = os.getloadavg()[0]
    tag = secrets.token_hex(3)
    students = [f"bpb{tag}{k:03d}" for k in range(args.students)]
    started = time.monotonic()
    with hub.class_on_hub(students, f"bpi{tag}") as ctx:
        setup_s = time.monotonic() - started
        http = ctx["http"]
        common = ["--workspace", str(ctx["paths"]["workspace"]), "--exchange", str(ctx["paths"]["exchange"]),
                  "--course-id", ctx["course_id"]]
        t = time.monotonic()
        tokens = hub.start_servers(ctx, students)
        servers_s = time.monotonic() - t
        idle = {name: rss_mb(pwd.getpwnam(name).pw_uid) for name in students}
        print(f"{len(students)} servers ready in {servers_s:.1f} s (one start request after another); idle memory "
              f"{statistics.mean(idle.values()):.0f} MB per server", flush=True)  # kept even if the run fails
        hub.grade(["release", hub.A, *common])
        notebook = json.loads(nbformat.writes(mutate.correct_submission(
            mutate.read(hub.COURSE / hub.A / hub.NB), mutate.read(hub.SOLUTIONS / hub.A / hub.NB))))
        peak = {name: 0.0 for name in students}
        validate_s = {}

        def one_student(name):
            """(seconds, None) once submitted, or (seconds, what went wrong): one student's failure (a kernel that
            never starts, a request that times out) is counted and reported, and the others' figures are kept."""
            begun = time.monotonic()
            try:
                assert hub.listed(hub.nbgrader(ctx, name, tokens[name], "fetch"), "fetched")
                http.call("PUT", f"/user/{name}/api/contents/{hub.A}/{hub.NB}", tokens[name],
                          body={"type": "notebook", "format": "json", "content": notebook})
                t_validate = time.monotonic()
                checked = http.call("POST", f"/user/{name}/assignments/validate", tokens[name],
                                    form={"path": f"{hub.A}/{hub.NB}"})
                validate_s[name] = time.monotonic() - t_validate
                assert checked["success"] and not checked["value"].get("failed"), (name, checked)
                peak[name] = max(peak[name], rss_mb(pwd.getpwnam(name).pw_uid))
                hub.nbgrader(ctx, name, tokens[name], "submit")
            except Exception as exc:
                return time.monotonic() - begun, f"{name}: {type(exc).__name__}: {str(exc)[:200]}"
            return time.monotonic() - begun, None

        memory_idle = used_memory_gb()
        sampler = Sampler()
        sampler.start()
        t = time.monotonic()
        with ThreadPoolExecutor(max_workers=len(students)) as pool:
            results = list(pool.map(one_student, students))
        wall = time.monotonic() - t
        sampler.stop.set()
        sampler.join()
        after = {name: rss_mb(pwd.getpwnam(name).pw_uid) for name in students}
        inbound = ctx["paths"]["exchange"] / ctx["course_id"] / "inbound"
        submitted = len([p for p in inbound.iterdir() if p.is_dir()])
    nan = float("nan")
    done = [seconds for seconds, error in results if error is None] or [nan]
    failures = [error for _, error in results if error is not None]
    print(f"hub class benchmark: {args.students} students on {os.cpu_count()} cores "
          f"(class set-up {setup_s:.1f} s, {len(students)} servers ready in {servers_s:.1f} s)")
    print(f"load average before the benchmark started: {load_before:.1f} on {os.cpu_count()} cores "
          "(other work on the machine slows every figure)")
    print(f"{'what':<44}{'value':>12}")
    rows = [("fetch + run 00 + submit, all at once: wall s", wall),
            ("per student who submitted, mean s", statistics.mean(done)),
            ("per student who submitted, slowest s", max(done)),
            ("wall s / students", wall / len(students)),
            ("Validate alone, fastest s", min(validate_s.values(), default=nan)),
            ("Validate alone, slowest s", max(validate_s.values(), default=nan)),
            ("server memory idle, mean MB", statistics.mean(idle.values())),
            ("server memory after validate, mean MB", statistics.mean([v for v in peak.values() if v] or [nan])),
            ("server memory at the end, mean MB", statistics.mean(after.values())),
            ("machine's used memory, N idle servers GB", memory_idle),
            ("machine's used memory, peak of the runs GB", max(sampler.memory, default=nan)),
            ("load average, highest during the runs", max(sampler.load, default=nan)),
            ("submissions in inbound/", submitted),
            ("students who failed", len(failures))]
    for label, value in rows:
        print(f"{label:<44}{value:>12.1f}" if isinstance(value, float) else f"{label:<44}{value:>12}")
    for error in failures:
        print(f"failed: {error}")
    return 0 if submitted == len(students) and not failures else 1


if __name__ == "__main__":
    sys.exit(main())
