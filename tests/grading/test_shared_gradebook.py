"""A gradebook several graders share: two grading processes, each a shard of the class, into one PostgreSQL.

Debian's PostgreSQL server (`make db-deps`) runs on a private Unix socket for the test; its per-cell scores and
outcomes must equal a single serial run into SQLite. This is how grading outgrows one machine: shards on several
machines, one database.
"""
import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

from autograder import mutate, outcomes
from autograder.cli import main as cli
from autograder.paths import SOLUTIONS
from autograder.simulate import hand_in
from autograder.workspace import Workspace

pytestmark = pytest.mark.slow
A, NB = "00_basics", "00_basics.ipynb"


def _pg_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL is not installed: run `make db-deps` (Debian: apt-get install postgresql)")
    return os.path.dirname(found[-1])


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL cluster on a private socket folder; yields an SQLAlchemy URL; always stopped."""
    bindir = _pg_bin()
    folder = tempfile.mkdtemp(prefix="bp-pg-", dir="/tmp")
    as_user = []
    if os.geteuid() == 0:  # the server refuses to run as root
        account = pwd.getpwnam("postgres")
        os.chown(folder, account.pw_uid, account.pw_gid)
        as_user = ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--init-groups", "--"]
    data, sock = os.path.join(folder, "data"), folder
    run = lambda *cmd: subprocess.run(as_user + list(cmd), check=True, capture_output=True, text=True,  # noqa: E731
                                      timeout=120)
    run(f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
    run(f"{bindir}/pg_ctl", "-D", data, "-w", "-l", os.path.join(folder, "log"), "-o",
        f"-k {sock} -c listen_addresses='' -c fsync=off", "start")
    try:
        run(f"{bindir}/createdb", "-h", sock, "-U", "postgres", "gradebook")
        yield f"postgresql+psycopg2://postgres@/gradebook?host={sock}"
    finally:
        subprocess.run(as_user + [f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def scores(ws, students):
    from nbgrader.api import Gradebook

    with Gradebook(ws.db_url, ws.course_id) as gb:
        return {s: {g.name: float(g.score) for g in gb.find_submission_notebook(NB[:-6], A, s).grades}
                for s in students}


def test_two_shards_into_postgres_equal_one_serial_run(postgres, tmp_path):
    released = None
    instructor = mutate.read(SOLUTIONS / A / NB)
    workspaces = {"single": Workspace(tmp_path / "single"), "shared": Workspace(tmp_path / "shared", db_url=postgres)}
    for name, ws in workspaces.items():
        db = ["--db", ws.db_url] if name == "shared" else []
        assert cli(["release", A, "--workspace", str(ws.root)] + db) == 0
        released = mutate.read(ws.root / "release" / A / NB)
        class_ = {"correct": mutate.correct_submission(released, instructor), "blank": released,
                  "wrong-update": mutate.mutant_submission(released, instructor, "update", "perturbed"),
                  "wrong-q3": mutate.mutant_submission(released, instructor, "q3", "perturbed"),
                  "wrong-error": mutate.mutant_submission(released, instructor, "error", "perturbed")}
        for student, nb in class_.items():
            hand_in(ws, A, student, nb, tmp_path / f"homes-{name}")
        assert cli(["collect", A, "--workspace", str(ws.root)] + db) == 0
    single = workspaces["single"]
    assert cli(["autograde", A, "--jobs", "1", "--workspace", str(single.root)]) == 0

    shared = workspaces["shared"]
    command = [sys.executable, "-m", "autograder", "autograde", A, "--jobs", "1", "--workspace", str(shared.root),
               "--db", postgres]
    shards = [subprocess.Popen(command + ["--shard", f"{i}/2"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True) for i in (1, 2)]
    deadline = time.monotonic() + 900
    for shard in shards:
        out, _ = shard.communicate(timeout=max(1, deadline - time.monotonic()))
        assert shard.returncode == 0, out
    assert scores(shared, class_) == scores(single, class_)
    assert scores(single, class_)["correct"] and sum(scores(single, class_)["blank"].values()) == 0
    status = lambda ws: {s: r["status"] for s, r in outcomes.load(ws, A).items()}  # noqa: E731
    assert status(shared) == status(single) and set(status(shared)) == set(class_)
