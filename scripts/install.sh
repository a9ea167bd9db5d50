#!/usr/bin/env bash
# Create .venv (Python 3.11) if needed and install the pinned requirements plus this package.
# Usage: scripts/install.sh [dev]
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    echo "install: creating the virtual environment .venv with $("$PY" --version 2>&1)"
    "$PY" -m venv .venv
fi
req=requirements.txt
[ "${1:-}" = "dev" ] && req=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements.txt requirements-dev.txt pyproject.toml | sha1sum | cut -c1-12)-${1:-main}"
if [ -f "$stamp" ]; then
    echo "install: .venv already holds $req and this package (nothing to do)"
    exit 0
fi
packages=$(grep -hv '^\s*\(#\|-r\|$\)' requirements.txt $( [ "$req" = requirements-dev.txt ] && echo requirements-dev.txt ) \
           | cut -d= -f1 | tr '\n' ' ')
echo "install: installing $req into .venv: ${packages}and this package (editable)."
echo "install: a first install downloads large wheels (torch, mediapipe, OpenCV) and takes a few minutes"
echo "         (about 100 s on a fresh clone with a fast connection); later runs skip this step."
start=$SECONDS
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
touch "$stamp"
echo "install: done in $((SECONDS - start)) s"
