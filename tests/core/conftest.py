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


@pytest.fixture
def on_each_backend(aot_dir, tmp_path):
    """`run(script)`: run a Python `script` (it saves an .npz to sys.argv[1]) in a fresh process
    with numba's JIT and with the ahead-of-time build; returns {"numba": npz, "aot": npz}."""
    import numpy as np

    def run(script: str) -> dict:
        out = {}
        for backend in ("numba", "aot"):
            env = dict(os.environ, SOMDESK_KERNELS=backend,
                       PYTHONPATH=os.pathsep.join([str(aot_dir), ROOT, os.environ.get("PYTHONPATH", "")]))
            path = tmp_path / f"{backend}.npz"
            proc = subprocess.run([sys.executable, "-c", script, str(path)], env=env, capture_output=True,
                                  text=True)
            assert proc.returncode == 0, proc.stderr
            out[backend] = np.load(path)
        return out
    return run
