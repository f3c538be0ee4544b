#!/usr/bin/env bash
# Binder / repo2docker: after environment.yml is installed, give the Binder JupyterLab the student setup that
# `make lab` gives locally (nbgrader's Validate button and Assignment List working, instructor panels and the
# online news prompt hidden). Called by the repository's root `postBuild` (repo2docker runs it once, at build).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${NB_PYTHON_PREFIX:-${CONDA_PREFIX:-$(python -c 'import sys; print(sys.prefix)')}}"
python scripts/lab.py --write-config "$prefix/etc/jupyter"
