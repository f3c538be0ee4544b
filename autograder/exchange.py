"""Collect submissions from the nbgrader exchange without trusting anything a student put there.

Replaces nbgrader's ``ExchangeCollect`` (same folder layout: ``exchange/<course>/inbound/<student>+<assignment>+
<timestamp>+<random>/`` holding the notebooks, timestamp.txt and submission_secret.txt; destination
``<workspace>/submitted/<student>/<assignment>/`` with timestamp.txt, as nbgrader's autograde expects), but:

* only regular files are copied, each opened with O_NOFOLLOW and checked with fstat (no symlinks, hard links,
  devices, fifos or sockets), with caps on the size of a file, of the whole entry and on the number of files;
  nothing outside the entry folder is ever read;
* who submitted: on a multi-user exchange (the entry is not owned by the grader's uid) the login name of the
  entry's owner decides, and a folder name claiming another student is rejected; on a single-user exchange
  (everything owned by the grader, e.g. the tests) only the name is there to decide;
* which submission is the latest: the server's clock decides (the entry folder's ctime, which a client cannot
  set; its mtime can be set with utime), never the timestamp the client wrote into the folder name; the client's
  timestamp only breaks ties between entries of one student, and an entry claiming a time more than five minutes
  in the future is rejected. timestamp.txt in submitted/ holds the server's time, so lateness is judged by it;
* one bad entry (bad name, not a folder, unreadable, no notebook, too big, timestamp in the future, another
  student's name) is quarantined (recorded in ``<workspace>/quarantine/<assignment>/``, the entry itself is left
  in the exchange as evidence) and logged on one line saying what is wrong and what the student should do; the
  rest of the class is collected, and a student's earlier valid entry is used if the latest one is rejected;
* ``submitted/<student>/<assignment>`` is replaced by a newer submission via a temp folder and renames, so a
  crash never leaves a half-copied submission behind.

Limits: on a single-user exchange a folder forged under a classmate's name with a plausible timestamp is
indistinguishable from the classmate's resubmission (there is no identity to check); use a multi-user exchange
(students' own uids) whenever students do not trust each other.
"""
import fnmatch
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import stat
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ENTRY_BYTES = 100 * 1024 * 1024
MAX_FILES = 200
MAX_DEPTH = 8
FUTURE_SLACK = 5 * 60          # seconds: a client clock this far ahead of ours is not trusted
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's Exchange.timestamp_format (timezone UTC)
IGNORE = (".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback")  # nbgrader's CourseDirectory.ignore
SECRET_FILE, TIMESTAMP_FILE = "submission_secret.txt", "timestamp.txt"
STUDENT_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,99}\Z")
ENTRY_NAME = re.compile(r"(?P<student>[^+]*)\+(?P<assignment>[^+]*)\+(?P<timestamp>[^+]*)(?:\+(?P<random>[^+]*))?\Z")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

ADVICE_RESUBMIT = "submit again with nbgrader (Assignments tab or `nbgrader submit`); never create, rename or " \
                  "edit folders in the exchange by hand"
ADVICE_NOTEBOOK = "submit the assignment folder with the notebook file itself inside (not a link or shortcut)"
ADVICE_SIZE = "remove large data files and outputs (Kernel > Restart & Clear Output), then submit again"
ADVICE_CLOCK = "set the computer's clock right (automatic time), then submit again"
ADVICE_OWN = "submit under your own login; the instructor should look at this entry (possible impersonation)"


@dataclass
class Quarantined:
    """An inbound entry that was not collected, and why."""
    entry: str              # folder name in inbound/ (as found)
    student: str            # the student it is attributed to or claims to be ("" if unknown)
    reason: str             # what is wrong
    advice: str             # what the student should do
    record: str = ""        # path of the JSON record under <workspace>/quarantine/<assignment>/


@dataclass
class CollectResult:
    """What ``collect`` did: students (re)collected now, students whose newest entry was already collected,
    entries quarantined, and files left out of collected entries ((entry, relative path, reason))."""
    assignment: str
    collected: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    quarantined: list = field(default_factory=list)
    skipped_files: list = field(default_factory=list)

    @property
    def students(self):
        """Every student with a collected submission after this run that came from the exchange scan."""
        return sorted(set(self.collected) | set(self.unchanged))


class EntryProblem(Exception):
    def __init__(self, reason, advice=ADVICE_RESUBMIT):
        super().__init__(reason)
        self.reason, self.advice = reason, advice


@dataclass
class _Entry:
    name: str
    student: str = ""
    owner: str = ""
    uid: int = -1
    received_ns: int = 0            # server clock: the entry folder's ctime
    client_time: datetime = None    # the timestamp in the folder name (client clock)
    dev_ino: tuple = ()


def _show(name, limit=80):
    """A file name safe to print on one log line (no control characters, bounded length)."""
    text = name.encode("unicode_escape", "backslashreplace").decode("ascii")
    return text if len(text) <= limit else text[:limit] + "..."


def _utc(ns):
    return EPOCH + timedelta(microseconds=ns // 1000)


def _format(moment):
    return moment.strftime(TIMESTAMP_FORMAT)


def _parse_time(text):
    from nbgrader.utils import parse_utc

    try:
        moment = parse_utc(text.strip())
    except Exception:  # dateutil raises ValueError, OverflowError, ...
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _login(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return None


def _is_ours(name, assignment_id):
    """Entries of this assignment, plus names that are not nbgrader submission names at all (reported)."""
    parts = name.split("+")
    return len(parts) < 3 or assignment_id in parts[1:]


def _inspect(name, inbound_fd, assignment_id, now, grader_uid):
    """Attribute an entry and check what can be checked without reading it; raises EntryProblem."""
    entry = _Entry(name)
    match = ENTRY_NAME.match(name)
    claimed = match.group("student") if match else ""
    entry.student = claimed
    try:
        st = os.stat(name, dir_fd=inbound_fd, follow_symlinks=False)
    except OSError as exc:
        raise EntryProblem(f"cannot be examined ({exc.strerror})")
    entry.uid, entry.received_ns, entry.dev_ino = st.st_uid, st.st_ctime_ns, (st.st_dev, st.st_ino)
    multi_user = st.st_uid != grader_uid
    if multi_user:
        entry.owner = _login(st.st_uid)
        if entry.owner is None:
            raise EntryProblem(f"is owned by uid {st.st_uid}, which has no login name on this machine", ADVICE_OWN)
        entry.student = entry.owner
    if not stat.S_ISDIR(st.st_mode):
        kind = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "a file" if stat.S_ISREG(st.st_mode) \
            else "a special file"
        raise EntryProblem(f"is {kind}, not a submission folder")
    if not match:
        raise EntryProblem("is not named <student>+<assignment>+<timestamp>+<random> as nbgrader names submissions")
    if match.group("assignment") != assignment_id:
        raise EntryProblem(f"names assignment {_show(match.group('assignment'))!r}, not {assignment_id!r}")
    if not STUDENT_ID.match(claimed):
        raise EntryProblem(f"claims an unusable student id {_show(claimed)!r}")
    if multi_user and claimed != entry.owner:
        raise EntryProblem(f"claims to be from {claimed!r} but is owned by {entry.owner!r}", ADVICE_OWN)
    if multi_user and not STUDENT_ID.match(entry.owner):
        raise EntryProblem(f"is owned by {_show(entry.owner)!r}, which is not usable as a student id", ADVICE_OWN)
    entry.client_time = _parse_time(match.group("timestamp"))
    if entry.client_time is None:
        raise EntryProblem(f"has an unreadable timestamp {_show(match.group('timestamp'))!r} in its name")
    limit = now + timedelta(seconds=FUTURE_SLACK)
    if entry.client_time > limit:
        raise EntryProblem(f"claims a submission time in the future ({_format(entry.client_time)}); the clock of "
                           "the computer that submitted is wrong, or the entry was forged", ADVICE_CLOCK)
    if _utc(entry.received_ns) > limit:
        raise EntryProblem("has a change time in the future on the exchange's file system (server clock skew?)",
                           "nothing; the instructor should check the exchange server's clock")
    return entry


def _open_dir(name, dir_fd):
    return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)


def _open_regular(name, dir_fd, expected):
    """Open a regular file for reading without following links or blocking on fifos; verify it with fstat."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    fd = os.open(name, flags, dir_fd=dir_fd)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) != expected:
        os.close(fd)
        raise EntryProblem(f"{_show(name)} changed while it was being collected")
    return fd, st


class _Copier:
    """Copies one entry (an open directory fd) into a destination folder, regular files only, within limits."""

    def __init__(self, owner_uid, limits):
        self.owner_uid = owner_uid      # None on a single-user exchange
        self.max_file, self.max_total, self.max_files = limits
        self.files = self.total = 0
        self.skipped = []               # (relative path, reason)
        self.secret = None
        self.notebooks = []

    def _skip(self, rel, reason):
        self.skipped.append((rel, reason))

    def copy(self, dir_fd, dest, rel="", depth=0):
        names = []
        with os.scandir(dir_fd) as listing:
            for item in listing:
                names.append(item.name)
                if len(names) > self.max_files + 10:
                    raise EntryProblem(f"holds more than {self.max_files} files", ADVICE_SIZE)
        for name in sorted(names):
            path = f"{rel}{name}"
            if any(fnmatch.fnmatch(name, pattern) for pattern in IGNORE):
                continue
            if depth == 0 and name == TIMESTAMP_FILE:
                continue  # the client's clock; the server's time is written instead
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            if stat.S_ISLNK(st.st_mode):
                self._skip(path, "a symbolic link")
            elif stat.S_ISDIR(st.st_mode):
                if self.owner_uid is not None and st.st_uid != self.owner_uid:
                    self._skip(path + "/", "a folder owned by another user")
                elif depth + 1 >= MAX_DEPTH:
                    self._skip(path + "/", f"nested deeper than {MAX_DEPTH} folders")
                else:
                    sub_fd = _open_dir(name, dir_fd)
                    try:
                        if (os.fstat(sub_fd).st_dev, os.fstat(sub_fd).st_ino) != (st.st_dev, st.st_ino):
                            raise EntryProblem(f"{_show(path)} changed while it was being collected")
                        os.mkdir(dest / name, 0o755)
                        self.copy(sub_fd, dest / name, path + "/", depth + 1)
                    finally:
                        os.close(sub_fd)
            elif stat.S_ISREG(st.st_mode):
                if st.st_nlink > 1:
                    self._skip(path, f"a hard link ({st.st_nlink} names for one file)")
                elif self.owner_uid is not None and st.st_uid != self.owner_uid:
                    self._skip(path, "a file owned by another user")
                else:
                    self._copy_file(name, dir_fd, dest, path, st, depth)
            else:
                kind = ("a fifo" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
                        else "a device")
                self._skip(path, kind)

    def _copy_file(self, name, dir_fd, dest, path, st, depth):
        if st.st_size > self.max_file:
            raise EntryProblem(f"{_show(path)} is {st.st_size / 2**20:.1f} MB (limit {self.max_file / 2**20:g} MB)",
                               ADVICE_SIZE)
        self.files += 1
        if self.files > self.max_files:
            raise EntryProblem(f"holds more than {self.max_files} files", ADVICE_SIZE)
        fd, st = _open_regular(name, dir_fd, (st.st_dev, st.st_ino))
        try:
            chunks, size = [], 0
            while True:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_file:
                    raise EntryProblem(f"{_show(path)} is larger than {self.max_file / 2**20:g} MB", ADVICE_SIZE)
                chunks.append(chunk)
        finally:
            os.close(fd)
        self.total += size
        if self.total > self.max_total:
            raise EntryProblem(f"is larger than {self.max_total / 2**20:g} MB in all", ADVICE_SIZE)
        data = b"".join(chunks)
        if depth == 0 and name == SECRET_FILE:
            if size > 1024:
                raise EntryProblem(f"{SECRET_FILE} is not the one nbgrader writes")
            self.secret = data
        out = os.open(dest / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        with os.fdopen(out, "wb") as fh:
            fh.write(data)
        if depth == 0 and name.endswith(".ipynb"):
            self.notebooks.append(name)


def _existing_time(folder, now):
    """The server time recorded with an already collected submission (None if absent or not trustworthy)."""
    path = folder / TIMESTAMP_FILE
    try:
        if path.is_symlink() or not path.is_file():
            return None
        moment = _parse_time(path.read_text()[:200])
    except (OSError, UnicodeDecodeError):
        return None
    if moment is None or moment > now + timedelta(seconds=FUTURE_SLACK):
        return None
    return moment


def _install(tmp, dest):
    """Put the folder ``tmp`` in place of ``dest`` (renames in one directory; the old one is removed after)."""
    old = None
    if dest.is_symlink() or dest.exists():
        old = dest.with_name(f".{dest.name}.old-{secrets.token_hex(4)}")
        os.rename(dest, old)
    try:
        os.rename(tmp, dest)
    except OSError:
        if old is not None:
            os.rename(old, dest)
        raise
    if old is not None:
        if old.is_symlink():
            old.unlink()
        else:
            shutil.rmtree(old, ignore_errors=True)


def _safe_record_name(entry_name):
    """A file name for the quarantine record of an entry: readable, bounded, stable across runs, unique."""
    stem = re.sub(r"[^A-Za-z0-9._+-]", "_", entry_name)[:120].lstrip(".") or "_"
    digest = hashlib.sha256(entry_name.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return f"{stem}-{digest}.json"


def _listing(inbound_fd, name, limit=50):
    """Names and kinds of what an entry holds (lstat only, nothing is opened but the folder itself)."""
    try:
        fd = _open_dir(name, inbound_fd)
    except OSError:
        return []
    try:
        items = []
        with os.scandir(fd) as listing:
            for item in listing:
                if len(items) >= limit:
                    items.append("...")
                    break
                try:
                    st = os.stat(item.name, dir_fd=fd, follow_symlinks=False)
                    kind = stat.filemode(st.st_mode)[0]
                    items.append(f"{kind} {_show(item.name)} {st.st_size}")
                except OSError:
                    items.append(f"? {_show(item.name)}")
        return sorted(items)
    finally:
        os.close(fd)


def collect(workspace, assignment_id, log=print, *, max_file_bytes=MAX_FILE_BYTES,
            max_entry_bytes=MAX_ENTRY_BYTES, max_files=MAX_FILES, now=None):
    """Collect the newest valid submission of every student of ``assignment_id`` from the exchange.

    Newer submissions replace older collected ones (what ``nbgrader collect --update`` did); bad entries are
    quarantined one by one. Returns a :class:`CollectResult`.
    """
    from .errors import UserError
    from .paths import check_assignment

    check_assignment(assignment_id, workspace.solutions)
    workspace.require()
    inbound = workspace.exchange / workspace.course_id / "inbound"
    if not inbound.is_dir():
        raise UserError(f"no inbound folder in the exchange: {inbound}",
                        "release the assignment first and check --exchange / --course-id")
    now = now or datetime.now(timezone.utc)
    grader_uid = os.geteuid()
    limits = (max_file_bytes, max_entry_bytes, max_files)
    result = CollectResult(assignment_id)
    quarantine_dir = workspace.root / "quarantine" / assignment_id

    inbound_fd = os.open(inbound, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        def reject(entry_name, student, problem):
            quarantine_dir.mkdir(parents=True, exist_ok=True)
            record = quarantine_dir / _safe_record_name(entry_name)
            payload = {"entry": entry_name, "student": student, "reason": problem.reason, "advice": problem.advice,
                       "exchange": str(inbound), "seen_at": _format(now), "contents": _listing(inbound_fd, entry_name)}
            record.write_text(json.dumps(payload, indent=1, ensure_ascii=True))
            result.quarantined.append(Quarantined(entry_name, student, problem.reason, problem.advice, str(record)))
            who = _show(student) if student else "unknown student"
            log(f"{assignment_id}: rejected {_show(entry_name)!r} ({who}): it {problem.reason}. "
                f"The student should: {problem.advice}.")

        with os.scandir(inbound_fd) as listing:
            names = sorted(item.name for item in listing)
        candidates = {}
        for name in names:
            if not _is_ours(name, assignment_id):
                continue
            try:
                entry = _inspect(name, inbound_fd, assignment_id, now, grader_uid)
            except EntryProblem as problem:
                match = ENTRY_NAME.match(name)
                reject(name, match.group("student") if match else "", problem)
                continue
            candidates.setdefault(entry.student, []).append(entry)

        for student in sorted(candidates):
            entries = sorted(candidates[student], key=lambda e: (e.received_ns, e.client_time, e.name), reverse=True)
            student_dir = workspace.root / "submitted" / student
            dest = student_dir / assignment_id
            if student_dir.is_symlink():
                reject(entries[0].name, student, EntryProblem("cannot be stored: submitted/<student> is a link",
                                                              "nothing; the instructor should check the workspace"))
                continue
            existing = _existing_time(dest, now) if dest.is_dir() else None
            for entry in entries:
                received = _utc(entry.received_ns)
                if existing is not None and received <= existing:
                    result.unchanged.append(student)
                    break
                try:
                    skipped = _collect_entry(entry, inbound_fd, student_dir, dest, received, limits, grader_uid)
                except EntryProblem as problem:
                    reject(entry.name, student, problem)
                    continue
                except OSError as exc:
                    reject(entry.name, student, EntryProblem(f"could not be read ({exc.strerror or exc})"))
                    continue
                for rel, reason in skipped:
                    result.skipped_files.append((entry.name, rel, reason))
                    log(f"{assignment_id}: {student}: left out {_show(rel)!r} of {_show(entry.name)!r}: it is "
                        f"{reason}; only plain files are collected, so the student should submit the file itself")
                result.collected.append(student)
                break
            else:
                if dest.is_dir() and student not in result.unchanged:
                    result.unchanged.append(student)  # every newer entry was rejected; the old submission stays
    finally:
        os.close(inbound_fd)
    log(f"collected {assignment_id}: {len(result.collected)} new or updated, {len(result.unchanged)} unchanged, "
        f"{len(result.quarantined)} rejected (records in {quarantine_dir})"
        if result.quarantined else
        f"collected {assignment_id}: {len(result.collected)} new or updated, {len(result.unchanged)} unchanged")
    return result


def _collect_entry(entry, inbound_fd, student_dir, dest, received, limits, grader_uid):
    """Copy one entry into a temp folder beside ``dest`` and swap it in; returns the skipped files."""
    entry_fd = _open_dir(entry.name, inbound_fd)
    tmp = None
    try:
        st = os.fstat(entry_fd)
        if (st.st_dev, st.st_ino) != entry.dev_ino:
            raise EntryProblem("changed while it was being collected")
        student_dir.mkdir(parents=True, exist_ok=True)
        for stale in student_dir.glob(f".{dest.name}.*"):  # left over by an interrupted run
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(student_dir / f".{dest.name}.collect-{secrets.token_hex(4)}")
        os.mkdir(tmp, 0o755)
        copier = _Copier(None if entry.uid == grader_uid else entry.uid, limits)
        copier.copy(entry_fd, tmp)
        if not copier.notebooks:
            left_out = [f"{rel} ({reason})" for rel, reason in copier.skipped if rel.endswith(".ipynb")]
            raise EntryProblem("holds no notebook" + (f": left out {', '.join(left_out)}" if left_out else ""),
                               ADVICE_NOTEBOOK)
        with open(tmp / TIMESTAMP_FILE, "w") as fh:
            fh.write(_format(received))
        _install(tmp, dest)
        tmp = None
        return copier.skipped
    finally:
        os.close(entry_fd)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
