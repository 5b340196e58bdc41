"""Fixtures shared by the core tests."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="session")
def aot_dir(tmp_path_factory):
    """A folder holding the ahead-of-time kernels built from this source tree (built once per run)."""
    out = tmp_path_factory.mktemp("aot")
    build = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "build_aot_kernels.py"), str(out)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    return out
