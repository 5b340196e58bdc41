#!/usr/bin/env bash
# Install what the app needs (first time only) and start the window.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/somdesk ] || scripts/bootstrap.sh
exec .venv/bin/somdesk "$@"
