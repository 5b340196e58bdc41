#!/usr/bin/env bash
# Check that the built bundle runs on a minimal Debian with only
#   libgl1 libegl1 fontconfig-config fonts-dejavu-core xvfb xauth
# added: debootstrap a minbase bookworm root, install those, copy dist/somdesk in,
# run the smoke mode under xvfb-run (real X11, xcb platform plugin). Needs root.
#   scripts/minimal-debian-check.sh [ROOTDIR]     (default /tmp/somdesk-minroot; kept for reuse)
set -euo pipefail
cd "$(dirname "$0")/.."
root="${1:-/tmp/somdesk-minroot}"
[ -x dist/somdesk/somdesk ] || { echo "error: build first: pyinstaller build.spec" >&2; exit 2; }
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
if [ ! -x "$root/usr/bin/apt-get" ]; then
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
fi
cp /etc/resolv.conf "$root/etc/"
chroot "$root" bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  libgl1 libegl1 fontconfig-config fonts-dejavu-core xvfb xauth >/dev/null"
rm -rf "$root/opt/somdesk" && cp -a dist/somdesk "$root/opt/somdesk"
cp resources/palettes/rainbow-24.gpl "$root/opt/"
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
trap 'umount "$root/proc" 2>/dev/null || true' EXIT
chroot "$root" env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
  bash -c "cd /root && rm -f smoke.png && xvfb-run -a /opt/somdesk/somdesk --smoke-test /root/smoke.png /opt/rainbow-24.gpl"
python3 tools/check_map_png.py "$root/root/smoke.png"
