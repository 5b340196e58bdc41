"""The ahead-of-time builds for each CPU level (tools/build_aot_kernels.py): which one is loaded,
that each trains like the JIT, that each holds the instructions of its level, and that a build
whose callees would be compiled for another CPU is refused."""
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from somdesk.core import cpu_features
from somdesk.core.cpu_features import LEVELS, aot_module_names

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

V3 = {"AVX": True, "AVX2": True, "FMA3": True, "F16C": True, "POPCNT": True}
V4 = dict(V3, AVX512F=True, AVX512CD=True, AVX512BW=True, AVX512DQ=True, AVX512VL=True)


@pytest.mark.parametrize("features, cap, names", [
    (V4, "", ["_kernels_aot_v4", "_kernels_aot_v3", "_kernels_aot"]),
    (V4, "v3", ["_kernels_aot_v3", "_kernels_aot"]),
    (V4, "x86-64-v3", ["_kernels_aot_v3", "_kernels_aot"]),
    (V4, "GENERIC", ["_kernels_aot"]),
    (V4, "pentium", ["_kernels_aot_v4", "_kernels_aot_v3", "_kernels_aot"]),     # unknown: unset
    (V3, "", ["_kernels_aot_v3", "_kernels_aot"]),
    (V3, "v4", ["_kernels_aot_v3", "_kernels_aot"]),          # never a build the CPU cannot run
    (dict(V4, AVX512VL=False), "v4", ["_kernels_aot_v3", "_kernels_aot"]),   # v4 needs all five
    (dict(V3, FMA3=False), "", ["_kernels_aot"]),
    ({}, "", ["_kernels_aot"]),                                # not x86, or numpy without the table
])
def test_the_best_build_the_cpu_runs_within_the_cap(monkeypatch, features, cap, names):
    monkeypatch.setattr(cpu_features, "_features", lambda: features)
    assert aot_module_names(cap) == names
    monkeypatch.setenv("SOMDESK_AOT_CPU", cap)
    assert aot_module_names() == names


TRAIN = (
    "import sys, numpy as np\n"
    "from somdesk.core import SOM, SOMConfig, kernels\n"
    "rng = np.random.default_rng(3); x = rng.random((60, 3)); w0 = rng.random((36, 40, 3))\n"
    "w = SOM(x, SOMConfig(width=40, height=36, iterations=30), weights=w0).train().weights\n"
    "m = kernels._AOT.__name__.rsplit('.', 1)[-1] if kernels._AOT is not None else '-'\n"
    "print(kernels.BACKEND, m, file=sys.stderr)\n"
    "np.save(sys.argv[1], w)\n"
)


def test_every_build_trains_like_the_jit(tmp_path, aot_dir):
    """Each build this CPU runs (SOMDESK_AOT_CPU picks it) gives the JIT's map to 1e-9, through the
    classic colour passes (whole-map and windowed epochs, D = 3)."""
    got = {}
    runs = [("numba", "")] + [("aot", level) for level, _, _ in LEVELS]
    for backend, level in runs:
        env = dict(os.environ, SOMDESK_KERNELS=backend, SOMDESK_AOT_CPU=level,
                   PYTHONPATH=os.pathsep.join([str(aot_dir), ROOT, os.environ.get("PYTHONPATH", "")]))
        out = tmp_path / f"{backend}{level}.npy"
        proc = subprocess.run([sys.executable, "-c", TRAIN, str(out)], env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        got[backend + level] = (proc.stderr.split()[-2:], np.load(out))
    assert got["numba"][0][0] == "numba"
    checked = 0
    for level, module, _ in LEVELS:
        expected = aot_module_names(level)[0]        # this CPU's best build under that cap
        if not any(aot_dir.glob(expected + ".*")):
            continue                                  # not built on this architecture
        assert got["aot" + level][0] == ["aot", expected], level
        np.testing.assert_allclose(got["aot" + level][1], got["numba"][1], rtol=0, atol=1e-9, err_msg=level)
        checked += module == expected
    assert checked >= 1


def _disassembly(path) -> str:
    return subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(path)], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.skipif(shutil.which("objdump") is None, reason="needs binutils' objdump")
def test_each_build_holds_the_instructions_of_its_level(aot_dir):
    """The generic build uses no AVX registers (it must run on any x86-64 CPU); the v3 build none of
    AVX-512's; the v4 build works on 512-bit vectors (zmm), as the JIT does on an AVX-512 host:
    with x86-64-v4's default 256-bit tuning the Visibone job ran 1.2x slower (build_aot_kernels.FEATURES)."""
    builds = {module: next(iter(aot_dir.glob(module + ".*")), None) for _, module, _ in LEVELS}
    if builds["_kernels_aot_v3"] is None:
        pytest.skip("not an x86-64 build")
    generic = _disassembly(builds["_kernels_aot"])
    assert "%ymm" not in generic and "%zmm" not in generic
    assert "%zmm" not in _disassembly(builds["_kernels_aot_v3"])
    assert "%ymm" in _disassembly(builds["_kernels_aot_v3"])
    assert _disassembly(builds["_kernels_aot_v4"]).count("%zmm") > 100


def test_a_build_whose_callees_target_another_cpu_is_refused(tmp_path):
    """tools/aot_compile_variant.py stops when numba's JIT (which compiles the kernels' callees) is not
    pointed at the build's CPU: run directly, without build_aot_kernels.py's environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES")}
    env["PYTHONPATH"] = os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "aot_compile_variant.py"), "_kernels_aot_v3",
                           "x86-64-v3", str(tmp_path)], env=env, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "the kernels' callees would be optimised for another CPU" in proc.stderr
    assert not list(tmp_path.iterdir())
