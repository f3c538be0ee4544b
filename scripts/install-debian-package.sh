#!/usr/bin/env bash
# Install a Debian package that `make test` needs, if it is missing (idempotent, fast when it is there).
#
#   bash scripts/install-debian-package.sh LABEL PACKAGE 'CHECK COMMAND' 'WHY IT IS NEEDED'
#
# e.g. LABEL sandbox-deps, PACKAGE bubblewrap, CHECK 'command -v bwrap'. As root it installs with apt-get (no
# prompts, fine with no standard input as in CI); as another user it prints what to install and why.
set -euo pipefail
label="$1" package="$2" check="$3" why="$4"

if bash -c "$check" >/dev/null 2>&1; then
    echo "$label: $package is installed"
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "$label: $package is missing: $why"
    echo "$label: install it once: sudo apt-get install $package"
    exit 0
fi
echo "$label: installing Debian's $package with apt-get ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "$package" >/dev/null
echo "$label: installed $package"
