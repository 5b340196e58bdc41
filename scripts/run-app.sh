#!/usr/bin/env bash
# Install what the app needs (first time only) and start the window.
# The first run says what it does, one line per step; pip's and setuptools' own
# output goes to .bootstrap.log (shown only if a step fails).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/somdesk ]; then
  log=.bootstrap.log
  echo "somdesk: first start in this checkout; setting it up once (about a minute)"
  echo "  1/3 system libraries Qt needs, a virtual environment in .venv, somdesk and its"
  echo "      dependencies (pip), the numba kernels compiled into their cache; log: $log"
  if ! scripts/bootstrap.sh >"$log" 2>&1; then
    echo "somdesk: setting up failed; the end of $log:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  echo "  2/3 checking the installation"
  .venv/bin/somdesk --version
  echo "  3/3 starting the window"
fi
exec .venv/bin/somdesk "$@"
