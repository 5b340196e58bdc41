"""The layer contracts in pyproject.toml hold, and breaking one fails the check.

`lint-imports` (import-linter) reads [tool.importlinter] from pyproject.toml:
core <- render <- io <- session <- gui | CLI subcommands, and no Qt outside gui.
Running it here makes the README's test command check the layers.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter")

ROOT = Path(__file__).resolve().parents[1]
LINT = ("import sys; from importlinter.cli import lint_imports_command; "
        "sys.argv = ['lint-imports']; lint_imports_command()")


def lint(where: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run([sys.executable, "-c", LINT], cwd=where, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_layer_contracts_are_kept():
    run = lint(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def _copy(tmp_path: Path) -> Path:
    dest = tmp_path / "repo"
    shutil.copytree(ROOT / "somdesk", dest / "somdesk", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


@pytest.mark.parametrize("module,bad,contract", [
    ("core/options.py", "import somdesk.session", "Layers"),            # core reaching up
    ("render/geometry.py", "from somdesk.io import images", "Layers"),  # render reading files
    ("session/datasets.py", "from PySide6 import QtCore", "No Qt"),     # Qt outside gui
    ("cli_train.py", "import somdesk.gui.app", "never import the window"),  # a subcommand opening it
    ("gui/panels.py", "from somdesk.session import table_tasks", "One table path"),  # a second table path
])
def test_a_deliberate_violation_fails(tmp_path, module, bad, contract):
    repo = _copy(tmp_path)
    path = repo / "somdesk" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{bad}  # deliberate violation\n", encoding="utf-8")
    run = lint(repo)
    assert run.returncode != 0
    assert "BROKEN" in run.stdout and contract in run.stdout, run.stdout


def test_the_window_may_not_import_the_command_line(tmp_path):
    repo = _copy(tmp_path)
    path = repo / "somdesk" / "gui" / "__init__.py"
    path.write_text(path.read_text(encoding="utf-8") + "\nimport somdesk.cli_train  # deliberate violation\n",
                    encoding="utf-8")
    run = lint(repo)
    assert run.returncode != 0 and "never imports the command line BROKEN" in " ".join(run.stdout.split())
