"""The ahead-of-time build releases the GIL, runs the kd-tree query on every core and multi-epoch
calls like the JIT: the same results bit for bit, exceptions and Stop still work."""
import os
import subprocess
import sys

import numpy as np

from somdesk.core.cpu_features import LEVELS, aot_module_names
from tests.timing import load_scaled

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run_aot(aot_dir, script: str, *args: str, extra_env: dict | None = None) -> str:
    env = dict(os.environ, SOMDESK_KERNELS="aot", **(extra_env or {}),
               PYTHONPATH=os.pathsep.join([str(aot_dir), ROOT, os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


GIL_SCRIPT = """
import threading, time, numpy as np
from somdesk.core import kernels
assert kernels.BACKEND == "aot"
aot = kernels._AOT
rng = np.random.default_rng(0)
wf, x = rng.random((20000, 3)), rng.random((6000, 3))
idx, d2, flag = np.empty(len(x), np.int64), np.empty(len(x)), np.zeros(1, np.int64)
for name, call in (("brute", lambda: aot.kd_brute(wf, x, idx, d2, flag)),
                   ("two_nearest", lambda: aot.two_nearest(wf, x, np.empty((len(x), 2), np.int64), np.empty(len(x)), flag))):
    t = threading.Thread(target=call)
    ticks = 0
    t.start()
    while t.is_alive():      # a wrapper holding the GIL keeps this loop from running until it returns
        time.sleep(0.0005)
        ticks += 1
    print(name, ticks)
"""


def test_the_ahead_of_time_kernels_let_other_threads_run(aot_dir):
    """A GIL-holding build lets the waiting thread run ~once per call; this one ran it all along."""
    checked = 0
    for level, module, _ in LEVELS:
        if not any(aot_dir.glob(module + ".*")) or module not in aot_module_names(level):
            continue        # not built here (not x86-64), or this CPU cannot run it
        out = _run_aot(aot_dir, GIL_SCRIPT + f"assert kernels._AOT.__name__.endswith('{module}')\n",
                       extra_env={"SOMDESK_AOT_CPU": level})
        for line in out.splitlines():
            name, ticks = line.split()
            assert int(ticks) >= 5, (module, name, ticks)
        checked += 1
    assert checked, "no ahead-of-time module was built"      # the generic one is built everywhere


EXCEPTION_SCRIPT = """
import threading, numpy as np
from somdesk.core import kernels
aot = kernels._AOT
errors = []
def boom():
    for _ in range(200):
        try:
            aot.factor_tables(10, 10, 0.0, 0.5, False)   # 1 / (2 sigma^2): division by zero
        except ZeroDivisionError as exc:
            errors.append(str(exc))
threads = [threading.Thread(target=boom) for _ in range(3)]
[t.start() for t in threads]
[t.join() for t in threads]
assert len(errors) == 600 and set(errors) == {"division by zero"}, (len(errors), set(errors))
ty, tx = aot.factor_tables(3, 3, 1.0, 0.5, False)      # the module still works afterwards
np.save(__import__("sys").argv[1], np.concatenate([ty, tx]))
"""


def test_an_exception_inside_a_kernel_is_raised_with_the_gil_taken_back(aot_dir, tmp_path):
    """numba's nogil wrapper takes the GIL back before raising: the same exception as under the JIT."""
    from somdesk.core import _kernels_numba

    _run_aot(aot_dir, EXCEPTION_SCRIPT, str(tmp_path / "t.npy"))
    ty, tx = _kernels_numba.factor_tables(3, 3, 1.0, 0.5, False)
    np.testing.assert_array_equal(np.load(tmp_path / "t.npy"), np.concatenate([ty, tx]))
    try:
        _kernels_numba.factor_tables(10, 10, 0.0, 0.5, False)
    except ZeroDivisionError:
        pass
    else:
        raise AssertionError("the JIT kernel raised nothing: the AOT check above compares with nothing")


KD_SCRIPT = """
import sys, numpy as np
from somdesk.core import SOM, SOMConfig, bmu_products, kernels
kernels.KD_SPAN_ROWS = 700            # many spans of a 20,000-sample search
calls = []
run_spans = bmu_products.run_spans
def counted(fn, n, step, parallel):
    calls.append((n, step, parallel))
    return run_spans(fn, n, step, parallel)
bmu_products.run_spans = counted
rng = np.random.default_rng(7)
x = rng.random((20_000, 3))
x[:50] = x[50:100]                     # duplicated samples: ties go to the first node
wf = rng.random((60 * 50, 3))
wf[1::2] = wf[::2]                     # duplicated nodes
idx, d2 = kernels.bmus_of(wf, x)
frozen = x.copy(); frozen.flags.writeable = False
idx_f, d2_f = kernels.bmus_of(wf, frozen)
som = SOM(x, SOMConfig(width=60, height=50, iterations=3, seed=2, mode="batch")).train()
if kernels.BACKEND == "aot":
    assert (20_000, 700, True) in calls, calls       # the query went to the pool in spans
np.savez(sys.argv[1], idx=idx, d2=d2, idx_f=idx_f, d2_f=d2_f, w=som.weights)
"""


def test_the_kd_tree_query_in_spans_on_the_pool_equals_the_jit_bit_for_bit(on_each_backend):
    got = on_each_backend(KD_SCRIPT)
    for key in ("idx", "d2", "idx_f", "d2_f", "w"):
        np.testing.assert_array_equal(got["aot"][key], got["numba"][key], err_msg=key)
    # and exact: brute force agrees
    rng = np.random.default_rng(7)
    x = rng.random((20_000, 3))
    x[:50] = x[50:100]
    wf = rng.random((3000, 3))
    wf[1::2] = wf[::2]
    dist = ((x[:2000, None, :] - wf[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(got["aot"]["idx"][:2000], dist.argmin(1))


KD_CANCEL_SCRIPT = """
import threading, time, numpy as np
from somdesk.core import kernels
from somdesk.core.cancel import CancelToken
from somdesk.errors import Cancelled
kernels.warm_up()
rng = np.random.default_rng(3)
wf, x = rng.random((40_000, 3)), rng.random((3_000_000, 3))
token = CancelToken()
box = {}
def work():
    try:
        kernels.bmus_of(wf, x, token)
    except Cancelled:
        box["end"] = time.perf_counter()
t = threading.Thread(target=work)
t.start()
time.sleep(0.6)
assert t.is_alive(), "the search ended before the stop: the test proves nothing"
asked = time.perf_counter()
token.cancel()
t.join(30)
assert "end" in box, "no Cancelled"
print(box["end"] - asked)
"""


def test_a_stop_ends_the_ahead_of_time_kd_query_on_every_core_quickly(aot_dir):
    latency = float(_run_aot(aot_dir, KD_CANCEL_SCRIPT))
    assert latency < load_scaled(0.2), f"stop took {latency * 1000:.0f} ms"


EPOCHS_SCRIPT = """
import sys, threading, time, numpy as np
from somdesk.core import SOM, SOMConfig, kernels
from somdesk.core.cancel import CancelToken
from somdesk.errors import Cancelled
from tests.timing import load_scaled
kernels.warm_up()
x = np.random.default_rng(12).random((40, 3))
out = {}
configs = [SOMConfig(width=30, height=20, iterations=50, seed=3),
           SOMConfig(width=12, height=10, iterations=40, seed=5, order="shuffled", topology="hexagonal",
                     toroidal=True, neighbourhood="bubble", decay="linear"),
           SOMConfig(width=12, height=9, iterations=40, seed=5, init="pca", neighbourhood="mexican-hat")]
for k, cfg in enumerate(configs):
    som, one = SOM(x, cfg), SOM(x, cfg)
    for chunk in (1, 7, 13, 100):
        som.run_epochs(chunk)
    for _ in range(cfg.iterations):
        one.step()
    assert np.array_equal(som.weights, one.weights), k    # bit for bit, in each back end
    out[f"w{k}"] = som.weights
assert kernels.online_epochs(som._planes, som.data, np.zeros((1, 40), np.int64), np.ones(1), np.ones(1),
                             "gaussian", False, False, som._last_bmu, som._boxes, som._backup) is not None
# a stop inside a multi-epoch call undoes only the interrupted epoch
big = np.random.default_rng(0).random((2000, 3))
cfg = SOMConfig(width=200, height=200, iterations=400, seed=1)
som = SOM(big, cfg)
token = CancelToken()
box = {}
def run():
    try:
        som.run_epochs(400, token)
    except Cancelled:
        box["end"] = time.perf_counter()
t = threading.Thread(target=run)
t.start()
time.sleep(1.0)
asked = time.perf_counter()
token.cancel()
t.join(30)
assert box["end"] - asked < load_scaled(0.2), box["end"] - asked
ref = SOM(big, cfg)
for _ in range(som.iteration):
    ref.step()
assert np.array_equal(som.weights, ref.weights) and 0 <= som.iteration < 400
som.run_epochs(3)
ref.run_epochs(3)
out["big"] = som.weights
out["iteration"] = np.array(som.iteration)
assert np.array_equal(som.weights, ref.weights)
np.savez(sys.argv[1], **out)
"""


def test_run_epochs_on_the_ahead_of_time_build_like_the_jit(on_each_backend):
    """The window at Max in the bundle: one multi-epoch call, step()'s weights bit for bit (step runs
    the same kernel) and the JIT's to 1e-9 (the builds round fused multiply-adds differently); a
    Stop inside lands within 200 ms and undoes only the interrupted epoch."""
    got = on_each_backend(EPOCHS_SCRIPT)
    for k in range(3):
        np.testing.assert_allclose(got["aot"][f"w{k}"], got["numba"][f"w{k}"], rtol=0, atol=1e-9)


UMAT_SCRIPT = """
import sys, numpy as np
from somdesk.core import kernels, metrics
rng = np.random.default_rng(4)
out = {}
for k, (h, w, d, hexa, tor) in enumerate([(7, 9, 3, False, False), (8, 6, 5, True, False),
                                          (6, 8, 3, True, True), (5, 7, 2, False, True)]):
    wts = rng.random((h, w, d))
    got = kernels.u_matrix(wts, hexa, tor)
    assert got is not None, kernels.BACKEND
    assert np.array_equal(got, metrics.u_matrix_numpy(wts, hexa, tor)), k
    out[str(k)] = got
np.savez(sys.argv[1], **out)
"""


def test_the_ahead_of_time_u_matrix_has_the_numpy_loops_bits(on_each_backend):
    got = on_each_backend(UMAT_SCRIPT)
    for k in range(4):
        np.testing.assert_array_equal(got["aot"][str(k)], got["numba"][str(k)])
