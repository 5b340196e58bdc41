"""Find bundled resources (icons, sample palettes) frozen or from source; no Qt.

Frozen by PyInstaller, `resources/` sits in the bundle (sys._MEIPASS); run
from a checkout (or an editable install) it is the top-level `resources/`.
"""
from __future__ import annotations

import sys
from pathlib import Path


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def resources_dir() -> Path | None:
    """The folder holding icons/, palettes/ and the desktop entry, or None."""
    candidates = []
    if is_frozen():
        candidates.append(Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "resources")
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    for c in candidates:
        if (c / "icons").is_dir():
            return c
    return None


def resource_path(*parts: str) -> Path | None:
    """Path of a resource such as ("icons", "somdesk.png"), or None when absent."""
    base = resources_dir()
    if base is None:
        return None
    p = base.joinpath(*parts)
    return p if p.exists() else None


def sample_palettes() -> list[Path]:
    base = resources_dir()
    return sorted((base / "palettes").glob("*")) if base and (base / "palettes").is_dir() else []


def help_text() -> str:
    """The help (Markdown) shipped inside the package: somdesk/help/*.md, index first.

    It is package data (pyproject [tool.setuptools.package-data]) and lies next to
    this module in a PyInstaller bundle too, so F1 works from source, wheel and bundle."""
    folder = Path(__file__).resolve().parent / "help"
    pages = sorted(folder.glob("*.md"), key=lambda p: (p.name != "index.md", p.name))
    if not pages:
        return "# somdesk\n\nThe help files are missing from this installation."
    return "\n\n---\n\n".join(p.read_text(encoding="utf-8") for p in pages)
