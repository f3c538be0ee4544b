# Two commands for people:
#   make lab    create .venv if missing and open the course in JupyterLab
#   make test   create .venv if missing (with test tools) and run every test
# Everything installs into .venv beside this file; nothing is installed globally.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PORT ?= 8888

.PHONY: lab test check venv venv-dev frameworks course self-check check-python clean help browser-deps sandbox-deps db-deps hub-deps bench bench-grading bench-hub

help:
	@echo "make lab      set up .venv if needed and open your copy of the course (work/) in JupyterLab; NO_BROWSER=1: URL only"
	@echo "make test     set up .venv (with test tools) if needed and run every test"
	@echo "make check    the fast subset for the inner loop (engine, checks, no-leak, sync; no notebooks run)"
	@echo "make frameworks  add PyTorch, JAX, Keras and PyTensor to .venv (the optional extra; chapter 03.1 runs them)"
	@echo "make course   regenerate course/ (student notebooks) from solutions/"
	@echo "make self-check NB=course/00_basics/00_basics.ipynb   grade your own saved notebook with the hidden tests"
	@echo "make bench    print the engine benchmark table"
	@echo "make bench-grading  autograde throughput for a simulated class of 30"
	@echo "make bench-hub N=30 N students fetch, run and submit chapter 00 at once on the loopback JupyterHub (root)"
	@echo "make browser-deps   install Debian's chromium for the browser tests (as root)"
	@echo "make sandbox-deps   install bubblewrap, the sandbox of autograde (as root)"
	@echo "make db-deps        install PostgreSQL for the shared-gradebook test (as root)"
	@echo "make clean    remove .venv and caches"

check-python:
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 11) else 1)' 2>/dev/null || { \
	  echo "error: this course needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo missing)."; \
	  echo "       Install Python 3.11+ and run again, or point at it: make lab PYTHON=/path/to/python3.11"; exit 1; }

$(VENV)/.runtime-stamp: requirements.txt pyproject.toml | check-python
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	$(PIP) install --quiet --no-deps -e .
	@touch $@

$(VENV)/.dev-stamp: $(VENV)/.runtime-stamp requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@

# The optional `frameworks` extra, read from pyproject.toml (its one list). TORCH_INDEX=https://download.pytorch.org/whl/cpu
# where torch==2.13.0 does not resolve to the CPU build from the usual index (a plain `torch` pulls GBs of CUDA).
$(VENV)/.frameworks-stamp: $(VENV)/.runtime-stamp pyproject.toml
	$(PY) -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["frameworks"]))' \
	  | $(PIP) install --quiet $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) -r /dev/stdin
	@touch $@

venv: $(VENV)/.runtime-stamp
venv-dev: $(VENV)/.dev-stamp $(VENV)/.frameworks-stamp
frameworks: $(VENV)/.frameworks-stamp

# Opens work/ (your copy of course/, never overwritten); NO_BROWSER=1 only prints the URL (its last line).
lab: venv
	$(PY) scripts/lab.py --port $(PORT) $(if $(NO_BROWSER),--no-browser)

# Debian's chromium for the browser tests (tests/browser); idempotent, skips politely when not root.
browser-deps:
	@bash scripts/install-browser.sh

# bubblewrap: the sandbox every graded notebook runs in; idempotent, prints what to install when not root.
sandbox-deps:
	@bash scripts/install-debian-package.sh sandbox-deps bubblewrap 'command -v bwrap' \
	  "autograde refuses to run student code without its sandbox, so the grading tests fail"

# Debian's PostgreSQL server binaries for the shared-gradebook test; idempotent.
db-deps:
	@bash scripts/install-debian-package.sh db-deps postgresql 'ls /usr/lib/postgresql/*/bin/initdb' \
	  "the shared-gradebook test starts a private PostgreSQL server and fails without it"

# configurable-http-proxy (npm) for tests/deploy/test_hub_loopback.py; skipped politely when not root or no npm.
hub-deps:
	@if [ "$$(id -u)" = 0 ] && command -v npm >/dev/null; then \
	  configurable-http-proxy --version 2>/dev/null | grep -qx 5.3.0 || npm install -g --silent configurable-http-proxy@5.3.0; \
	  echo "hub-deps: configurable-http-proxy $$(configurable-http-proxy --version)"; \
	else echo "hub-deps: skipped (needs root and npm): npm install -g configurable-http-proxy@5.3.0"; fi

# Three workers on two cores: the grading scenarios, the browser and the hub tests spend much of their time waiting
# (timeouts they provoke on purpose, pages, servers starting), and a third worker keeps both cores busy meanwhile.
test: venv-dev browser-deps sandbox-deps db-deps hub-deps
	$(PY) -m pytest -n 3 --dist loadgroup --durations=10 $(PYTEST_ARGS)

check: venv-dev
	$(PY) -m pytest -n 2 -m "not slow and not browser" $(PYTEST_ARGS)

course: venv
	$(PY) -m autograder generate

# A learner grades their own saved notebook with the hidden tests (needs solutions/; see docs/student.md).
self-check: venv
	@[ -n "$(NB)" ] || { echo "usage: make self-check NB=course/00_basics/00_basics.ipynb (save the notebook first)"; exit 2; }
	$(PY) -m autograder self-check "$(NB)"

bench: venv-dev
	$(PY) benchmarks/run.py

bench-grading: venv-dev
	$(PY) benchmarks/autograde_throughput.py --students 30

# N students fetch, run and submit 00_basics at once on the loopback JupyterHub (root, configurable-http-proxy).
bench-hub: venv-dev hub-deps
	$(PY) benchmarks/hub_class.py --students $(or $(N),30)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
