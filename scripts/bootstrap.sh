#!/usr/bin/env bash
# Prepare this checkout: Qt's system libraries (Debian/Ubuntu, where missing) and a
# virtual environment .venv with somdesk installed in editable mode.
#   scripts/bootstrap.sh [EXTRAS]     e.g. scripts/bootstrap.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"

# Qt needs these even offscreen (GL, EGL, fonts); the xcb ones and Xvfb are for real windows.
pkgs=(libgl1 libegl1 libfontconfig1 fontconfig-config fonts-dejavu-core libxkbcommon0 libdbus-1-3
      xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
      libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxkbcommon-x11-0 python3-venv)
if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing system packages: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || echo "warning: could not install ${missing[*]} (python3-venv is optional when python3 has venv)" >&2
  fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
spec="."
[ -n "$extras" ] && spec=".[$extras]"
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e "$spec"
# Compile the numba kernels once now, into their on-disk cache: otherwise the first
# Train after installing pauses the window for the few seconds numba needs.
.venv/bin/python -c "from somdesk.core import kernels; kernels.warm_up()" || true
