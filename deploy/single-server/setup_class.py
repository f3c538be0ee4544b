#!/usr/bin/env python3
"""Set up (or tear down) a class of the backprop course on one Linux server running JupyterHub.

Run as root with the hub's Python (the one that has jupyterhub, jupyterlab and nbgrader installed):

    sudo /opt/backprop-course/venv/bin/python deploy/single-server/setup_class.py roster.csv
    sudo ... setup_class.py roster.csv --dry-run          # print what would be done, change nothing
    sudo ... setup_class.py roster.csv --remove           # delete the roster's accounts and homes (end of term)

The roster is a CSV file with a header line and the columns `username,role` (role: `student` or `instructor`;
more columns such as first_name, last_name, email are allowed and ignored). Running it again is safe: existing
accounts are kept (added to the right group), missing ones are created, permissions are set again.

What it does (every step idempotent):

* groups `nbgrader-<course>` (students) and `formgrade-<course>` (instructors);
* one Linux account per roster line (`useradd`, no password: people log in with the password an administrator
  sets, or change PAM for your single sign-on), its home mode 0700 so classmates cannot read it;
* each home gets a copy of `course/` (the student notebooks, for reading and practice), owned by its user;
  `solutions/`, the grading workspace and the answer keys are never copied anywhere a student can read;
* the exchange: a root-owned root with mode 1777 (sticky: nobody can rename or delete what another account
  made, e.g. the course folder), `<root>/<course>/` root-owned 0755 with nbgrader's layout: `outbound/` 0755
  (released assignments), `inbound/` 3733 (students can create submissions but cannot list them, and the
  sticky bit stops them renaming or deleting a classmate's), `feedback/` 0711 (released feedback, files named
  by a secret hash);
* the grading workspace (root-owned 0700, `backprop-grade --workspace`);
* the Jupyter config folders the hub hands to single-user servers (JUPYTER_CONFIG_PATH): `student/` (Assignment
  List and Validate, instructor panels hidden: the same files as `scripts/lab.py` writes) and `instructor/`
  (course list and Create Assignment panels too; formgrader, which is blank inside JupyterLab under JupyterHub
  >= 4.1, opens in its own tab at /user/<name>/formgrader);
* `class.json` (course id, exchange, workspace, students, instructors): read by jupyterhub_config.py;
* the course's `backprop` helpers package installed (not editable) into this Python, which must be root-owned so
  that students can import it but not change it (skip with --no-install, e.g. when it is already there).
"""
from __future__ import annotations

import argparse
import csv
import grp
import importlib.util
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COURSE_ID = "backprop-course"
DEFAULT_ETC = Path("/etc/backprop-course")
DEFAULT_EXCHANGE = Path("/srv/nbgrader/exchange")
DEFAULT_WORKSPACE = Path("/srv/backprop-course/workspace")
USERNAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}\Z")   # what useradd accepts without --badname, and a student id
ROLES = ("student", "instructor")
# Lab plugins an instructor does not get either: formgrader inside Lab is an iframe that JupyterHub >= 4.1
# forbids (Content-Security-Policy frame-ancestors 'none'), so it shows a blank panel; its own tab works.
INSTRUCTOR_DISABLED_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyterlab/apputils-extension:announcements")


class SetupError(Exception):
    """A problem with the roster or the machine, said so that the administrator knows what to fix."""


def group_names(course_id: str) -> tuple[str, str]:
    """(students' group, instructors' group) of a course: nbgrader's own naming for JupyterHub classes."""
    return f"nbgrader-{course_id}", f"formgrade-{course_id}"


def read_roster(path: Path) -> list[tuple[str, str]]:
    """[(username, role)] from the roster CSV; raises SetupError naming the bad line."""
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"username", "role"} <= {f.strip() for f in reader.fieldnames}:
            raise SetupError(f"{path}: the first line must be a header with the columns username,role")
        people, seen = [], set()
        for number, row in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            name, role = row.get("username", ""), row.get("role", "").lower()
            if not name and not role:
                continue
            if not USERNAME.match(name):
                raise SetupError(f"{path}:{number}: {name!r} is not a usable login name "
                                 "(lower-case letters, digits, _ and -, at most 32, not starting with a digit)")
            if role not in ROLES:
                raise SetupError(f"{path}:{number}: role {role!r} must be 'student' or 'instructor'")
            if name in seen:
                raise SetupError(f"{path}:{number}: {name!r} is listed twice")
            seen.add(name)
            people.append((name, role))
    if not people:
        raise SetupError(f"{path}: the roster lists nobody")
    return people


class Machine:
    """The commands that change the machine; with dry_run they are only printed."""

    def __init__(self, dry_run: bool = False, log=print):
        self.dry_run, self.log = dry_run, log

    def run(self, *command: str) -> None:
        self.log("+ " + " ".join(command))
        if not self.dry_run:
            subprocess.run(command, check=True)

    def do(self, what: str, action) -> None:
        self.log("+ " + what)
        if not self.dry_run:
            action()


def _exists(kind, name: str) -> bool:
    try:
        (pwd.getpwnam if kind == "user" else grp.getgrnam)(name)
        return True
    except KeyError:
        return False


def _lab_module():
    """scripts/lab.py, whose student config the hub's servers use too (one definition of the student setup)."""
    spec = importlib.util.spec_from_file_location("backprop_lab", REPO / "scripts" / "lab.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_jupyter_configs(etc: Path, exchange: Path, course_id: str) -> dict[str, Path]:
    """Write etc/student and etc/instructor (JUPYTER_CONFIG_PATH folders); return {role: folder}."""
    lab = _lab_module()
    student = lab.write_student_config(etc / "student", str(exchange), course_id)
    instructor = lab.write_student_config(etc / "instructor", str(exchange), course_id)
    # The instructor gets the course list and Create Assignment panels and the formgrader server extension
    # (its own tab, /user/<name>/formgrader); only the blank-in-Lab formgrader panel stays off.
    lab._merge_json(instructor / "labconfig" / "page_config.json", {"disabledExtensions": {
        name: name in INSTRUCTOR_DISABLED_PLUGINS for name in lab.INSTRUCTOR_LAB_PLUGINS}})
    lab._merge_json(instructor / "jupyter_server_config.json", {"ServerApp": {"jpserver_extensions": {
        name: True for name in lab.INSTRUCTOR_SERVER_EXTENSIONS}}})
    for folder in (etc, student, instructor):
        for path in [folder, *folder.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return {"student": student, "instructor": instructor}


def make_exchange(exchange: Path, course_id: str) -> None:
    """The exchange root (root, 1777) and the course's nbgrader layout (root-owned; see the module docstring)."""
    exchange.mkdir(parents=True, exist_ok=True)
    os.chown(exchange, 0, 0)
    os.chmod(exchange, 0o1777)
    course = exchange / course_id
    layout = [(course, 0o755), (course / "outbound", 0o755), (course / "inbound", 0o3733),
              (course / "feedback", 0o711)]
    for path, mode in layout:
        path.mkdir(exist_ok=True)
        if path.is_symlink() or not path.is_dir():
            raise SetupError(f"{path} is not a plain folder: remove it and run again")
        os.chown(path, 0, 0)
        os.chmod(path, mode)


def copy_course(home: Path, user: str, course_dir: Path) -> Path:
    """Copy course/ into home/course (only when missing: a student's own edits are kept), owned by the user."""
    target = home / "course"
    if target.exists():
        return target
    shutil.copytree(course_dir, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
                    symlinks=False)
    entry = pwd.getpwnam(user)
    for path in [target, *target.rglob("*")]:
        os.lchown(path, entry.pw_uid, entry.pw_gid)
        os.chmod(path, 0o700 if path.is_dir() else 0o600)
    return target


def setup(args, log=print) -> dict:
    people = read_roster(args.roster)
    students_group, instructors_group = group_names(args.course_id)
    machine = Machine(args.dry_run, log)
    if os.geteuid() != 0 and not args.dry_run:
        raise SetupError("run this as root (it creates accounts, groups and the exchange)")
    course_dir = REPO / "course"
    if not course_dir.is_dir():
        raise SetupError(f"{course_dir} is missing: run `make course` in the repository first")

    for group in (students_group, instructors_group):
        if not _exists("group", group):
            machine.run("groupadd", group)
    for name, role in people:
        group = students_group if role == "student" else instructors_group
        home = args.home_base / name
        if _exists("user", name):
            machine.run("usermod", "--append", "--groups", group, name)
            home = Path(pwd.getpwnam(name).pw_dir)
        else:
            machine.run("useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash",
                        "--user-group", "--groups", group, name)
        machine.do(f"chmod 0700 {home}", lambda home=home: os.chmod(home, 0o700))
        machine.do(f"copy {course_dir} to {home}/course", lambda home=home, name=name: copy_course(
            home, name, course_dir))

    machine.do(f"exchange {args.exchange} (1777) with {args.course_id}/ inbound outbound feedback",
               lambda: make_exchange(args.exchange, args.course_id))

    def workspace():
        args.workspace.mkdir(parents=True, exist_ok=True)
        os.chown(args.workspace, 0, 0)
        os.chmod(args.workspace, 0o700)
        parent = args.workspace.parent
        if stat.S_IMODE(parent.stat().st_mode) & 0o002:
            raise SetupError(f"{parent} is writable by everyone: put the workspace somewhere only root can write")
    machine.do(f"grading workspace {args.workspace} (root, 0700)", workspace)

    info = {"course_id": args.course_id, "exchange": str(args.exchange), "workspace": str(args.workspace),
            "students": sorted(n for n, r in people if r == "student"),
            "instructors": sorted(n for n, r in people if r == "instructor"),
            "groups": {"students": students_group, "instructors": instructors_group}}

    def configs():
        args.etc.mkdir(parents=True, exist_ok=True)
        folders = write_jupyter_configs(args.etc, args.exchange, args.course_id)
        info["config_path"] = {role: str(path) for role, path in folders.items()}
        (args.etc / "class.json").write_text(json.dumps(info, indent=2) + "\n")
        os.chmod(args.etc / "class.json", 0o644)
    machine.do(f"Jupyter config folders and class.json in {args.etc}", configs)

    if args.install:
        prefix = Path(sys.prefix)
        if not args.dry_run and prefix.stat().st_uid != 0:
            raise SetupError(f"{prefix} is not owned by root: students could change the installed packages; "
                             "make the hub's Python root-owned (see docs/run-a-class.md)")
        machine.run(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    str(REPO))
    log(f"class {args.course_id}: {len(info['students'])} students, {len(info['instructors'])} instructors; "
        f"exchange {args.exchange}; config {args.etc}")
    return info


def remove(args, log=print) -> None:
    """Delete the roster's accounts (and homes) that belong to this course's groups; keep the exchange."""
    people = read_roster(args.roster)
    groups = set(group_names(args.course_id))
    machine = Machine(args.dry_run, log)
    for name, _ in people:
        if not _exists("user", name):
            continue
        entry = pwd.getpwnam(name)
        member_of = {g.gr_name for g in grp.getgrall() if name in g.gr_mem}
        if not member_of & groups:
            log(f"skip {name}: not in {' or '.join(sorted(groups))} (not made by this script for this course)")
            continue
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit() and _uid_of(int(p)) == entry.pw_uid]
        if pids:
            raise SetupError(f"{name} still runs processes {pids}: stop the hub (or their servers) first")
        machine.run("userdel", "--remove", name)
    for group in sorted(groups):
        if _exists("group", group) and not grp.getgrnam(group).gr_mem:
            machine.run("groupdel", group)


def _uid_of(pid: int):
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="setup_class.py", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("roster", type=Path, help="CSV file with the columns username,role")
    parser.add_argument("--course-id", default=COURSE_ID, help="nbgrader course id (default: %(default)s)")
    parser.add_argument("--exchange", type=Path, default=DEFAULT_EXCHANGE, help="exchange root (default: %(default)s)")
    parser.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE,
                        help="instructor grading workspace, root only (default: %(default)s)")
    parser.add_argument("--etc", type=Path, default=DEFAULT_ETC,
                        help="where class.json and the Jupyter config folders go (default: %(default)s)")
    parser.add_argument("--home-base", type=Path, default=Path("/home"), help="parent of new homes (default: /home)")
    parser.add_argument("--no-install", dest="install", action="store_false",
                        help="do not pip-install the backprop package into this Python")
    parser.add_argument("--dry-run", action="store_true", help="print the steps, change nothing")
    parser.add_argument("--remove", action="store_true",
                        help="delete the roster's accounts and homes instead (end of term); the exchange is kept")
    args = parser.parse_args(argv)
    for name in ("exchange", "workspace", "etc", "home_base"):
        setattr(args, name, getattr(args, name).absolute())
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        if args.remove:
            remove(args)
        else:
            setup(args)
    except (SetupError, OSError, subprocess.CalledProcessError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
