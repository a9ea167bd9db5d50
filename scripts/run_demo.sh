#!/usr/bin/env bash
# Install into .venv, then analyse the built-in synthetic walking video (or pass your own flags).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/python main_gait_analysis.py "$@"
