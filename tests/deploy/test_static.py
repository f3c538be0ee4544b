"""Static checks of deploy/: what can be checked without a Kubernetes cluster or a Docker engine.

The z2jh values parse and hold the keys the chart expects; the hub's extraConfig runs and mounts per role what the
docs say; the single-user image installs exactly the project's requirements.txt (plus jupyterhub and the course's
own package) and copies no instructor material; the exchange sync of the Kubernetes setup keeps students apart;
the single-server files load. Nothing here starts a server.
"""
import ast
import re
import shlex
import sys
import types
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "kubernetes"
SINGLE = REPO / "deploy" / "single-server"


def values():
    return yaml.safe_load((K8S / "values.yaml").read_text())


def test_values_yaml_has_the_keys_z2jh_expects():
    v = values()
    assert {"hub", "proxy", "singleuser", "cull"} <= set(v)
    assert v["hub"]["config"]["JupyterHub"]["authenticator_class"]
    groups = v["hub"]["config"]["JupyterHub"]["load_groups"]
    assert set(groups) == {"nbgrader-backprop-course", "formgrade-backprop-course"}
    everyone = {u for g in groups.values() for u in g["users"]}
    assert everyone == set(v["hub"]["config"]["Authenticator"]["allowed_users"])
    single = v["singleuser"]
    assert single["image"]["name"] and isinstance(single["image"]["tag"], str)
    assert single["uid"] == 1000 and single["cmd"] == "jupyterhub-singleuser" and single["defaultUrl"] == "/lab"
    assert single["storage"]["type"] == "dynamic" and single["storage"]["homeMountPath"] == "/home/jovyan"
    assert v["cull"]["enabled"] is True and v["proxy"]["service"]["type"]
    assert isinstance(v["hub"]["extraConfig"]["backprop-course"], str)


def test_pvc_manifests_parse():
    docs = list(yaml.safe_load_all((K8S / "exchange-pvc.yaml").read_text()))
    claims = {d["metadata"]["name"]: d for d in docs}
    assert claims["backprop-exchange"]["spec"]["accessModes"] == ["ReadWriteMany"]
    assert "backprop-grading" in claims
    assert all(d["kind"] == "PersistentVolumeClaim" for d in docs)


class FakeSpawner:
    def __init__(self, name, groups):
        self.user = types.SimpleNamespace(name=name, groups=[types.SimpleNamespace(name=g) for g in groups])
        self.volumes, self.volume_mounts, self.init_containers = [], [], []
        self.environment, self.image = {}, "registry.example.org/backprop-course/singleuser:0.1.0"


def spawn(name, groups=()):
    """Run the hub's extraConfig with a stand-in config object and return a spawner after its pre_spawn_hook."""
    c = types.SimpleNamespace(KubeSpawner=types.SimpleNamespace())
    exec(compile(values()["hub"]["extraConfig"]["backprop-course"], "extraConfig", "exec"), {"c": c})
    spawner = FakeSpawner(name, groups)
    c.KubeSpawner.pre_spawn_hook(spawner)
    return spawner


def test_a_student_pod_mounts_only_its_own_slice_of_the_exchange():
    s = spawn("alice", ["nbgrader-backprop-course"])
    mounts = {m["mountPath"]: m for m in s.volume_mounts}
    base = "/srv/nbgrader/exchange/backprop-course"
    assert set(mounts) == {f"{base}/outbound", f"{base}/inbound", f"{base}/feedback"}
    assert mounts[f"{base}/outbound"]["readOnly"] and mounts[f"{base}/feedback"]["readOnly"]
    assert not mounts[f"{base}/inbound"].get("readOnly")
    assert mounts[f"{base}/inbound"]["subPath"] == "backprop-course/inbound/alice"
    assert mounts[f"{base}/feedback"]["subPath"] == "backprop-course/feedback/alice"
    assert all("subPath" in m for m in s.volume_mounts)           # never the whole volume
    assert s.environment["JUPYTER_CONFIG_PATH"] == "/etc/backprop-course/student"
    assert [v["persistentVolumeClaim"]["claimName"] for v in s.volumes] == ["backprop-exchange"]
    (init,) = s.init_containers
    assert "inbound/alice" in init["command"][-1] and "inbound/bob" not in init["command"][-1]


def test_an_instructor_pod_mounts_the_exchange_and_the_grading_volume():
    s = spawn("teacher", ["formgrade-backprop-course"])
    assert {m["mountPath"] for m in s.volume_mounts} == {"/srv/nbgrader/exchange-shared", "/srv/backprop-course"}
    assert s.environment["JUPYTER_CONFIG_PATH"] == "/etc/backprop-course/instructor"
    assert {v["persistentVolumeClaim"]["claimName"] for v in s.volumes} == {"backprop-exchange", "backprop-grading"}


def test_unusable_usernames_are_refused():
    with pytest.raises(ValueError):
        spawn("../bob")


def requirement_names(lines):
    names = set()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def dockerfile_instructions():
    """[(INSTRUCTION, arguments)] of the Dockerfile, continuation lines joined, heredocs not used."""
    text = (K8S / "Dockerfile").read_text()
    logical, current = [], ""
    for line in text.splitlines():
        if line.lstrip().startswith("#") and not current:
            continue
        current += line.rstrip("\\").rstrip() + " " if line.rstrip().endswith("\\") else line
        if not line.rstrip().endswith("\\"):
            if current.strip():
                logical.append(current.strip())
            current = ""
    assert "<<" not in text, "keep the Dockerfile free of heredocs (older builders do not support them)"
    return [tuple(item.split(None, 1)) for item in logical]


def test_the_image_installs_exactly_the_projects_requirements():
    instructions = dockerfile_instructions()
    copies = {}
    for op, args in instructions:
        if op == "COPY":
            *sources, dest = shlex.split(args)
            for source in sources:
                copies[source] = dest
                assert list(REPO.glob(source)), f"COPY {source}: not in the repository"
                assert not source.startswith(("solutions", "autograder/workspace", ".venv", "tests")), source
    assert copies["requirements.txt"].endswith("requirements.txt")
    installs = []
    for op, args in instructions:
        if op == "RUN":
            for command in args.split("&&"):
                words = shlex.split(command)
                if words[:4] == ["python", "-m", "pip", "install"]:
                    installs.append(words[4:])
    r_files, packages, local = [], set(), []
    for words in installs:
        i = 0
        while i < len(words):
            word = words[i]
            if word == "-r":
                r_files.append(words[i + 1])
                i += 2
                continue
            if word.startswith("/opt/backprop-course/src"):
                local.append(word)
            elif not word.startswith("-"):
                packages.add(re.split(r"[<>=!~]", word)[0].lower())
            i += 1
    assert r_files == [copies["requirements.txt"]]           # the project's own list, copied from the repo root
    assert packages == {"jupyterhub"}                          # plus only jupyterhub-singleuser
    assert local == ["/opt/backprop-course/src"]               # and the course's package (helpers, autograder)
    assert "--no-deps" in next(w for w in installs if local[0] in w)
    # the student server in the image needs these from the project's list (not added by the Dockerfile)
    requirements = (REPO / "requirements.txt").read_text().splitlines()
    assert {"jupyterlab", "nbgrader", "ipykernel"} <= requirement_names(requirements)


def test_the_image_pins_the_same_jupyterhub_major_as_the_hub():
    pin = re.search(r"ARG JUPYTERHUB_VERSION=(\S+)", (K8S / "Dockerfile").read_text()).group(1)
    try:
        import jupyterhub
    except ImportError:
        pytest.skip("jupyterhub is not installed here: nothing to compare the image's pin with")
    assert pin.split(".")[0] == jupyterhub.__version__.split(".")[0], (pin, jupyterhub.__version__)


def test_single_server_files_parse():
    for path in (SINGLE / "jupyterhub_config.py", SINGLE / "setup_class.py", K8S / "exchange_sync.py"):
        ast.parse(path.read_text(), str(path))


def test_roster_is_checked(tmp_path):
    sys.path.insert(0, str(SINGLE))
    try:
        import setup_class
    finally:
        sys.path.remove(str(SINGLE))
    good = tmp_path / "good.csv"
    good.write_text("username,role,email\nalice,student,a@x\n,,\nteacher,Instructor,\n")
    assert setup_class.read_roster(good) == [("alice", "student"), ("teacher", "instructor")]
    for text, words in [("name,role\nalice,student\n", "header"), ("username,role\nAlice,student\n", "login name"),
                        ("username,role\nalice,ta\n", "role"), ("username,role\nal,student\nal,student\n", "twice"),
                        ("username,role\n", "nobody")]:
        bad = tmp_path / "bad.csv"
        bad.write_text(text)
        with pytest.raises(setup_class.SetupError, match=words):
            setup_class.read_roster(bad)


def test_exchange_sync_keeps_students_apart(tmp_path):
    sys.path.insert(0, str(K8S))
    try:
        import exchange_sync
    finally:
        sys.path.remove(str(K8S))
    from nbgrader.utils import notebook_hash

    shared, grading, workspace, course = tmp_path / "shared", tmp_path / "grading", tmp_path / "ws", "backprop-course"
    (grading / course / "outbound" / "00_basics").mkdir(parents=True)
    (grading / course / "outbound" / "00_basics" / "00_basics.ipynb").write_text("{}")
    (shared / course / "outbound" / "old").mkdir(parents=True)
    inbound = shared / course / "inbound"
    own = inbound / "alice" / "alice+00_basics+2026-01-01 00:00:00.000000 UTC+r1"
    forged = inbound / "alice" / "bob+00_basics+2026-01-01 00:00:00.000000 UTC+r2"
    for entry in (own, forged):
        entry.mkdir(parents=True)
        (entry / "00_basics.ipynb").write_text("{}")
    (inbound / "alice" / "alice+00_basics+link").symlink_to(own)
    log = []
    assert exchange_sync.sync_outbound(shared, grading, course, log.append) == ["00_basics"]
    assert not (shared / course / "outbound" / "old").exists()
    assert exchange_sync.gather_inbound(shared, grading, course, log.append) == [own.name]
    assert sorted(p.name for p in (grading / course / "inbound").iterdir()) == [own.name]
    assert any("someone else" in line for line in log) and any("not a folder" in line for line in log)
    assert exchange_sync.gather_inbound(shared, grading, course, log.append) == []      # idempotent

    secret = "s3cret"
    folder = workspace / "feedback" / "alice" / "00_basics"
    folder.mkdir(parents=True)
    (folder / "00_basics.html").write_text("<html>alice</html>")
    (folder / "submission_secret.txt").write_text(secret)
    released = grading / course / "feedback"
    released.mkdir(parents=True)
    name = notebook_hash(secret=secret, notebook_id="00_basics") + ".html"
    (released / name).write_text("<html>alice</html>")
    (released / "someone-elses.html").write_text("<html>bob</html>")
    sent = exchange_sync.scatter_feedback(shared, grading, workspace, course, log.append)
    assert sent == {"alice": [name]}
    assert sorted(p.name for p in (shared / course / "feedback" / "alice").iterdir()) == [name]
    assert [p.name for p in (shared / course / "feedback").iterdir()] == ["alice"]


def test_the_hub_gives_students_and_instructors_kernels_over_ipc(tmp_path, short_runtime):
    """The config folders setup_class.py writes for the hub (and the image, through the same function) run
    JupyterLab's and Validate's kernels over IPC sockets, named per kernel in the user's private runtime folder."""
    import json

    from traitlets.config.loader import PyFileConfigLoader

    sys.path.insert(0, str(SINGLE))
    try:
        import setup_class
    finally:
        sys.path.remove(str(SINGLE))
    folders = setup_class.write_jupyter_configs(tmp_path / "etc", tmp_path / "exchange", "backprop-course")
    assert set(folders) == {"student", "instructor"}
    for role, folder in folders.items():
        server = json.loads((folder / "jupyter_server_config.json").read_text())
        assert server["KernelManager"]["transport"] == "ipc", role
        assert server["MappingKernelManager"]["kernel_manager_class"] == "autograder.kernel_sockets.IPCKernelManager"
        nbgrader = PyFileConfigLoader("nbgrader_config.py", path=str(folder)).load_config()
        assert nbgrader.KernelManager.transport == "ipc", role
        assert Path(nbgrader.KernelManager.ip).parent == short_runtime, role
    image = (K8S / "Dockerfile").read_text()
    assert "setup_class.write_jupyter_configs(" in image and "JUPYTER_CONFIG_PATH=/etc/backprop-course/student" in image
