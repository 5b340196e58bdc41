"""Fixtures shared by the core tests."""
import os
import subprocess
import sys

import pytest

try:
    import fcntl
except ImportError:          # not POSIX: each pytest-xdist worker builds its own copy
    fcntl = None

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _build_aot(out) -> tuple[int, str]:
    """Build the ahead-of-time kernels of this source tree into folder `out`: (exit code, stderr)."""
    build = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "build_aot_kernels.py"), str(out)],
                           capture_output=True, text=True)
    return build.returncode, build.stderr


@pytest.fixture(scope="session")
def aot_dir(tmp_path_factory):
    """A folder holding the ahead-of-time kernels built from this source tree (built once per run).

    Under pytest-xdist (scripts/test.sh runs the suite on every core) each worker is a session of
    its own, and the tests that use this folder are in several files, so on several workers: the
    build (three modules compiled by numba, minutes of CPU) is made once, in the run's shared
    temporary folder, by the first worker to ask, under a file lock the others wait on. The wait
    costs little: the build compiles its modules side by side on every core (build_aot_kernels.py).
    The build itself comes from the content-addressed cache (tools/aot_cache.py) when the same
    sources were built before with the same tools; so the package build that follows in CI
    (scripts/package-check.sh, build.spec) compiles nothing.  SOMDESK_AOT_CACHE=0: always built."""
    if not os.environ.get("PYTEST_XDIST_WORKER") or fcntl is None:
        out = tmp_path_factory.mktemp("aot")
        code, err = _build_aot(out)
        assert code == 0, err
        return out
    shared = tmp_path_factory.getbasetemp().parent          # this run's folder, above each worker's own
    out, status = shared / "aot", shared / "aot.status"
    with open(shared / "aot.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not status.exists():                          # the first worker here builds
                out.mkdir(exist_ok=True)
                code, err = _build_aot(out)
                status.write_text(f"{code}\n{err}")
            code, _, err = status.read_text().partition("\n")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    assert code == "0", err                                  # a failed build fails every worker's tests
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
