"""The pip path (requirements.txt) and the conda/Binder path (environment.yml) install the same packages."""
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _split_requirement(line: str) -> tuple[str, str]:
    """Split 'numpy>=2.0,<3' or the conda form 'numpy=2.0' into (name, specifier) in pip syntax."""
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*$", line)
    assert match, f"cannot parse requirement {line!r}"
    name, spec = match.groups()
    if re.fullmatch(r"=[^=<>!].*", spec):  # conda's single '=' means ==
        spec = "=" + spec
    return _normalise(name), spec.replace(" ", "")


def pip_requirements() -> dict[str, str]:
    reqs = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, spec = _split_requirement(line)
            reqs[name] = spec
    return reqs


def conda_requirements() -> dict[str, str]:
    """Every package environment.yml installs, conda and pip sections together (minus python, pip, -e .)."""
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    items = []
    for dep in env["dependencies"]:
        items.extend(dep["pip"] if isinstance(dep, dict) else [dep])
    reqs = {}
    for item in items:
        if item.startswith("-e "):
            continue
        name, spec = _split_requirement(item)
        if name not in {"python", "pip"}:
            reqs[name] = spec
    return reqs


def test_environment_yml_lists_the_same_packages_as_requirements_txt():
    pip, conda = pip_requirements(), conda_requirements()
    assert set(pip) == set(conda), (
        f"only in requirements.txt: {sorted(set(pip) - set(conda))}; "
        f"only in environment.yml: {sorted(set(conda) - set(pip))}"
    )
    differing = {name: (pip[name], conda[name]) for name in pip if pip[name] != conda[name]}
    assert not differing, f"version ranges differ (requirements.txt, environment.yml): {differing}"


def test_environment_yml_installs_the_course_package_and_python_311():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    pip_section = next(dep["pip"] for dep in env["dependencies"] if isinstance(dep, dict))
    assert "-e ." in pip_section


def test_pyproject_runtime_dependencies_are_within_requirements():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pip = pip_requirements()
    for dep in project["dependencies"]:
        name, spec = _split_requirement(dep)
        assert pip.get(name) == spec, f"pyproject pins {name}{spec} but requirements.txt has {name}{pip.get(name)}"


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    readme = (REPO / "README.md").read_text()
    assert "make test" in ci.split("exec", 1)[1]
    assert "make test" in readme and "make lab" in readme


def test_torch_is_pinned_to_the_cpu_build_version():
    """A bare `torch` requirement would download several GB of CUDA packages."""
    dev = (REPO / "requirements-dev.txt").read_text()
    torch_lines = [line for line in dev.splitlines() if line.strip().startswith("torch")]
    assert torch_lines == ["torch==2.13.0"]


def _frameworks_extra() -> list[str]:
    tomllib = pytest.importorskip("tomllib")
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["frameworks"]


def test_requirements_dev_repeats_the_frameworks_extra_exactly():
    """`make test` installs requirements-dev.txt, so CI runs chapter 03.1 with the libraries of the extra."""
    dev = {}
    for line in (REPO / "requirements-dev.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-r"):
            name, spec = _split_requirement(line)
            dev[name] = spec
    extra = dict(_split_requirement(dep) for dep in _frameworks_extra())
    assert set(extra) == {"torch", "jax", "jaxlib", "keras", "pytensor"}, sorted(extra)
    differing = {name: (spec, dev.get(name)) for name, spec in extra.items() if dev.get(name) != spec}
    assert not differing, f"pyproject's frameworks extra and requirements-dev.txt differ (extra, dev): {differing}"
    assert extra["torch"] == "==2.13.0", "torch must stay pinned to the version whose CPU wheel these machines have"


def test_make_test_installs_the_frameworks_extra_from_pyproject():
    makefile = (REPO / "Makefile").read_text()
    venv_dev = re.search(r"^venv-dev:(.*)$", makefile, re.M).group(1)
    assert "$(VENV)/.frameworks-stamp" in venv_dev.split(), "make test (venv-dev) must install the frameworks extra"
    assert re.search(r"^frameworks: \$\(VENV\)/\.frameworks-stamp$", makefile, re.M)
    rule = makefile.split("$(VENV)/.frameworks-stamp:", 1)[1].split("\n\n", 1)[0]
    assert '["optional-dependencies"]["frameworks"]' in rule, "the make target must read the extra's one list"
    assert "pyproject.toml" in rule.splitlines()[0], "a changed extra must re-run the install (stamp prerequisite)"


def test_environment_yml_leaves_the_frameworks_extra_optional():
    """Binder and conda users get the course without the extra's gigabytes, and are told how to add it."""
    text = (REPO / "environment.yml").read_text()
    conda = conda_requirements()
    assert not {_split_requirement(dep)[0] for dep in _frameworks_extra()} & set(conda)
    assert ".[frameworks]" in text
