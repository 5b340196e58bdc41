#!/usr/bin/env bash
# Install what the tests need and run the whole suite (Qt runs offscreen).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test,cluster
# One pytest-xdist worker process per core (2 on CI): the suite takes about half the time.
# --dist loadgroup hands out single tests, but keeps each @pytest.mark.xdist_group on one worker.
# Arguments given here come after these, so `-n 0` (one process, e.g. for --pdb) or `-n 4` win.
exec .venv/bin/python -m pytest -n auto --dist loadgroup "$@"
