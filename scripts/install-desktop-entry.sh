#!/usr/bin/env bash
# Install the built app for the current user so a double-click (file manager, app menu)
# starts it: copies dist/somdesk to ~/.local/opt/somdesk, links ~/.local/bin/somdesk,
# installs the icon and resources/somdesk.desktop (with Exec pointing at the app).
#   scripts/install-desktop-entry.sh [DIST_DIR]      (default: dist/somdesk)
set -euo pipefail
cd "$(dirname "$0")/.."
dist="${1:-dist/somdesk}"
[ -x "$dist/somdesk" ] || { echo "error: $dist/somdesk not found; build it first: pyinstaller build.spec" >&2; exit 2; }
data="${XDG_DATA_HOME:-$HOME/.local/share}"
opt="$HOME/.local/opt/somdesk"
mkdir -p "$HOME/.local/opt" "$HOME/.local/bin" "$data/applications" "$data/icons/hicolor/256x256/apps"
rm -rf "$opt"
cp -a "$dist" "$opt"
ln -sf "$opt/somdesk" "$HOME/.local/bin/somdesk"
cp resources/icons/somdesk.png "$data/icons/hicolor/256x256/apps/somdesk.png"
sed "s|^Exec=somdesk|Exec=$opt/somdesk|" resources/somdesk.desktop > "$data/applications/somdesk.desktop"
chmod +x "$data/applications/somdesk.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" >/dev/null 2>&1 || true
echo "installed: $opt (menu entry $data/applications/somdesk.desktop)"
