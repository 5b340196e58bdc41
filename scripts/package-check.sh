#!/usr/bin/env bash
# Build the one-folder app from build.spec and smoke-test the frozen executable in a
# real X11 window (Xvfb): it opens a palette given on its command line, trains a short
# job through the real worker and writes a PNG, which must show an organised map.
# Prints the bundle size and the time to a visible window.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh "test,build"
rm -rf build/somdesk dist/somdesk
.venv/bin/pyinstaller --noconfirm --log-level WARN build.spec
size_mib=$(du -s --apparent-size --block-size=1 dist/somdesk | awk '{printf "%.1f", $1 / 1048576}')
echo "bundle: dist/somdesk is ${size_mib} MiB (budget <= 250 MiB: 170 for the app, the rest for the table engine)"
out=$(mktemp -d)
# a clean environment: no offscreen platform, no Python of ours on the path
env -i HOME="$out" PATH=/usr/bin:/bin LANG=C.UTF-8 xvfb-run -a -s "-screen 0 1280x800x24" \
  dist/somdesk/somdesk --smoke-test "$out/smoke.png" resources/palettes/rainbow-24.gpl | tee "$out/smoke.log"
.venv/bin/python tools/check_map_png.py "$out/smoke.png"
# the frozen CLI draws text (legends: PIL.ImageFont and its libraries) in a table map's report
env -i HOME="$out" PATH=/usr/bin:/bin LANG=C.UTF-8 dist/somdesk/somdesk train --table resources/samples/customers.csv \
  --width 4 --height 4 --epochs 3 --save-map "$out/table.somz" --report "$out/report.html" -q
test -s "$out/report.html" && echo "frozen report: $(stat -c %s "$out/report.html") bytes"
grep -E "window visible" "$out/smoke.log" || true
