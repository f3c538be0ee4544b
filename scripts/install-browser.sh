#!/usr/bin/env bash
# Install the headless browser the browser tests drive (Debian's `chromium`), if it is missing.
#
#   bash scripts/install-browser.sh      (what `make browser-deps` runs; `make test` depends on it)
#
# Idempotent and fast when chromium is already there. As root it installs with apt-get (no prompts, fine with
# no standard input as in CI). As another user it only prints what to install: the browser tests then skip
# with that reason. The Python driver (playwright) comes from requirements-dev.txt; its own browser download is
# not used (it needs a host this project does not reach), the tests point it at /usr/bin/chromium instead.
set -euo pipefail

CHROMIUM="${BACKPROP_CHROMIUM:-$(command -v chromium || true)}"
if [ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ]; then
    echo "browser-deps: chromium is installed ($CHROMIUM)"
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "browser-deps: chromium is not installed, so the browser tests (tests/browser) will be skipped."
    echo "              To run them, install Debian's chromium once:  sudo apt-get install chromium"
    echo "              (or point BACKPROP_CHROMIUM at a Chromium/Chrome binary)."
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "browser-deps: chromium is missing and this system has no apt-get; install Chromium with your package"
    echo "              manager, or point BACKPROP_CHROMIUM at a Chromium/Chrome binary. Browser tests will skip."
    exit 0
fi

echo "browser-deps: installing Debian's chromium with apt-get (about 15-30 s) ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
echo "browser-deps: installed $(command -v chromium)"
