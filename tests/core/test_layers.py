"""somdesk.core and somdesk.io never import Qt (napari-style layer contract)."""
import ast
import pathlib
import subprocess
import sys

import somdesk

PKG = pathlib.Path(somdesk.__file__).parent
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "shiboken6", "qtpy", "somdesk.gui")


def _imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_core_and_io_sources_import_no_qt():
    offenders = []
    for layer in ("core", "io"):
        for path in (PKG / layer).rglob("*.py"):
            offenders += [f"{path.relative_to(PKG)}: {m}" for m in _imports(path) if m.startswith(FORBIDDEN)]
    for name in ("cli.py", "cli_train.py", "cli_palette.py", "errors.py"):
        path = PKG / name
        if path.exists():
            offenders += [f"{name}: {m}" for m in _imports(path) if m.startswith(FORBIDDEN[:-1])]
    assert offenders == []


def test_headless_commands_load_no_qt(tmp_path):
    code = (
        "import sys\n"
        "from somdesk.cli import main\n"
        "import somdesk.core, somdesk.io.mapfile, somdesk.io.images\n"
        f"rc = main(['train', '--random', '5', '--width', '6', '--height', '4', '--iterations', '5', '-q', "
        f"'--out', {str(tmp_path / 'a.png')!r}])\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')]\n"
        "assert rc == 0 and not bad, (rc, bad)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
