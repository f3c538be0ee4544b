#!/usr/bin/env bash
# Install bubblewrap, the sandbox every graded notebook runs in (`backprop-grade autograde` refuses without it).
#
#   bash scripts/install-sandbox.sh      (what `make sandbox-deps` runs; `make test` depends on it)
#
# Idempotent and fast when bwrap is already there. As root it installs Debian's `bubblewrap` with apt-get (no
# prompts, fine with no standard input as in CI); as another user it prints what to install.
set -euo pipefail

if command -v bwrap >/dev/null 2>&1; then
    echo "sandbox-deps: bubblewrap is installed ($(command -v bwrap))"
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "sandbox-deps: bubblewrap (bwrap) is missing: grading cannot sandbox student code, so autograde and the"
    echo "              grading tests will stop with that message. Install it once: sudo apt-get install bubblewrap"
    exit 0
fi
echo "sandbox-deps: installing Debian's bubblewrap with apt-get ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq bubblewrap >/dev/null
echo "sandbox-deps: installed $(command -v bwrap)"
