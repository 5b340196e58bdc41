#!/usr/bin/env bash
# Install what the tests need and run the whole suite (Qt runs offscreen).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test,cluster
exec .venv/bin/python -m pytest "$@"
