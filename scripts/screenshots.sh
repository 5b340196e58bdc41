#!/usr/bin/env bash
# Take the docs' screenshots (docs/screenshots by default) in a real X11 window under Xvfb.
#   scripts/screenshots.sh [OUT_DIR] [SCRIPT ...]     SCRIPT: e.g. table_screenshots (default: all)
# The scripts are tests/gui/*screenshots*.py (not tests: they write PNGs for people to look at);
# their shared steps are in tests/gui/shot_tools.py.  Render the HTML report with
#   chromium --headless --screenshot=OUT.png --window-size=1280,2400 file://$PWD/OUT_DIR/table-report.html
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/screenshots}"
shift || true
scripts=("$@")
[ ${#scripts[@]} -eq 0 ] && scripts=(screenshots screenshots_one_window colour_screenshots table_screenshots table_path_screenshots)
for s in "${scripts[@]}"; do
  echo "== $s" >&2
  PYTHONPATH="$PWD" QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1000x24" \
    .venv/bin/python "tests/gui/$s.py" "$out"
done
