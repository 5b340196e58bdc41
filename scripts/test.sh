#!/usr/bin/env bash
# Install what the tests need and run the whole suite (Qt runs offscreen).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test,cluster
# One pytest-xdist worker process per core (2 on CI), each test file whole on one worker
# (--dist loadfile: a module's fixtures are made once, its tests share a process as they do
# without xdist). Not --dist loadgroup: with pytest 9.2 it silently ignores xdist_group
# (pytest-xdist issue 1386). Arguments given here come after these, so `-n 0` (one process,
# e.g. for --pdb) or `-n 4` win.
exec .venv/bin/python -m pytest -n auto --dist loadfile "$@"
