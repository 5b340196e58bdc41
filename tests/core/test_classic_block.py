"""The classic epoch by blocks of inputs (somdesk.core.online_block): the sequential kernel's BMUs and weights."""
import numpy as np
import pytest

from somdesk.core import SOM, SOMConfig, kernels, online_block
from somdesk.core.cancel import CancelToken
from somdesk.core.reference import classic_reference
from somdesk.errors import Cancelled

pytestmark = pytest.mark.skipif(kernels.BACKEND != "numba",
                                reason="compares the numba JIT kernels (the AOT build: its own test below)")


def _steps(x, cfg, w0, block, monkeypatch, size=None):
    """(weights, BMUs of every epoch) with the block epoch on or off."""
    monkeypatch.setattr(online_block, "BLOCK_FROM", 1 if block else 10**9)
    if size is not None:
        monkeypatch.setattr(online_block, "BLOCK", size)
    som = SOM(x, cfg, weights=w0)
    bmus = [info.bmus.copy() for info in som.steps()]
    return som.weights.copy(), bmus


def _agree(x, cfg, w0, monkeypatch, size=None, tol=1e-10):
    seq_w, seq_b = _steps(x, cfg, w0, False, monkeypatch)
    blk_w, blk_b = _steps(x, cfg, w0, True, monkeypatch, size)
    for epoch, (a, b) in enumerate(zip(seq_b, blk_b)):
        np.testing.assert_array_equal(b, a, err_msg=f"BMUs of epoch {epoch}")
    assert np.max(np.abs(blk_w - seq_w)) <= tol
    return blk_w


@pytest.mark.parametrize("dim", [16, 50, 120])
@pytest.mark.parametrize("topology,toroidal,height", [("rectangular", False, 9), ("rectangular", True, 9),
                                                      ("hexagonal", False, 9), ("hexagonal", True, 10)])
def test_block_epoch_has_the_sequential_kernels_bmus_and_weights(dim, topology, toroidal, height, monkeypatch):
    rng = np.random.default_rng(dim + height + toroidal)
    x = rng.normal(size=(130, dim))
    w0 = rng.normal(size=(height, 23, dim))
    cfg = SOMConfig(width=23, height=height, iterations=12, topology=topology, toroidal=toroidal,
                    seed=3, sigma=6.0, order="shuffled")
    _agree(x, cfg, w0, monkeypatch)


@pytest.mark.parametrize("size", [1, 2, 7, 32, 200])
@pytest.mark.parametrize("seed", range(4))
def test_every_block_size_and_seed(size, seed, monkeypatch):
    """Block sizes that do and do not divide the inputs, blocks longer than the epoch, small and large sigma."""
    rng = np.random.default_rng(100 + seed)
    x = rng.normal(size=(97, 20)) * (1 + 9 * seed)      # scales 1 .. 28: the bound is relative
    w0 = rng.normal(size=(8, 11, 20))
    cfg = SOMConfig(width=11, height=8, iterations=10, seed=seed, order="shuffled",
                    sigma=[0.4, 1.5, 4.0, 8.0][seed], learning_rate=[0.1, 0.5, 0.3, 0.02][seed])
    _agree(x, cfg, w0, monkeypatch, size, tol=1e-10 * (1 + 9 * seed))


def test_block_epoch_matches_the_plain_transcription(monkeypatch):
    monkeypatch.setattr(online_block, "BLOCK_FROM", 1)
    rng = np.random.default_rng(6)
    data = rng.normal(size=(60, 40))
    w0 = rng.normal(size=(12, 10, 40))
    expected = classic_reference(w0, data, 40)
    cfg = SOMConfig(width=10, height=12, iterations=40, order="sequential")
    assert kernels.uses_block_epoch("gaussian", 40, 12, 10, 0.1)
    som = SOM(data, cfg, weights=w0).train()
    assert np.max(np.abs(som.weights - expected)) <= 1e-6


def test_the_issues_table_job_matches_the_transcription():
    """4,000 x 50 on 25x15 (issue 14 goal 3), the first epochs, default settings: the block epoch runs."""
    rng = np.random.default_rng(50)
    x = rng.normal(size=(4000, 50))
    w0 = rng.normal(size=(15, 25, 50)) * 0.1
    assert kernels.uses_block_epoch("gaussian", 50, 15, 25, 0.1)
    expected = classic_reference(w0, x, 2)
    som = SOM(x, SOMConfig(width=25, height=15, iterations=2, order="sequential"), weights=w0).train()
    assert np.max(np.abs(som.weights - expected)) <= 1e-6


def test_exact_ties_go_to_the_first_node_as_in_the_sequential_kernel(monkeypatch):
    """Duplicated nodes, duplicated inputs and inputs halfway between nodes: ties in real arithmetic.

    Integer-valued data and weights make many distances exactly equal; the
    expanded form rounds them differently, so the candidates must be measured
    again (the counter shows they were) and the first node must win.
    """
    rng = np.random.default_rng(9)
    dim = 24
    w0 = rng.integers(-3, 4, size=(6, 7, dim)).astype(float)
    w0[3, 4] = w0[1, 2]                       # two nodes the same
    w0[5, 6] = w0[0, 0]
    x = np.concatenate([w0.reshape(-1, dim)[:20], (w0[1, 2] + w0[2, 2])[None] / 2,
                        rng.integers(-3, 4, size=(40, dim)).astype(float)])
    x = np.concatenate([x, x[:15]])           # repeated inputs
    counts = np.zeros(2, dtype=np.int64)
    real = online_block.online_epoch_block

    def counted(*args, **kw):
        return real(*args, **{**kw, "counts": counts})

    monkeypatch.setattr(online_block, "online_epoch_block", counted)
    for sigma in (0.3, 2.0):
        cfg = SOMConfig(width=7, height=6, iterations=3, sigma=sigma, order="shuffled", seed=1, learning_rate=0.05)
        _agree(x, cfg, w0, monkeypatch, 16)
    assert counts[0] > 0 and counts[1] >= 2 * counts[0]


def _mirrored_pairs(dim=20, pairs=30, seed=9):
    """Inputs x_i with two nodes x_i + e_i and x_i - e_i each: equal distances in real arithmetic."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(pairs, dim))
    e = rng.normal(size=(pairs, dim)) * 0.1     # the pair is nearer to x_i than any other node
    nodes = np.empty((2 * pairs, dim))
    nodes[0::2] = x + e
    nodes[1::2] = x - e
    return x, nodes.reshape(6, 10, dim)


@pytest.mark.parametrize("size", [1, 8, 30])
@pytest.mark.parametrize("seed", range(3))
def test_near_ties_resolve_as_in_the_sequential_kernel(size, seed, monkeypatch):
    """sigma 0.1: only the BMU moves, so every pair stays a near tie for its input."""
    x, w0 = _mirrored_pairs(seed=seed)
    counts = np.zeros(2, dtype=np.int64)
    real = online_block.online_epoch_block
    monkeypatch.setattr(online_block, "online_epoch_block", lambda *a, **kw: real(*a, **{**kw, "counts": counts}))
    cfg = SOMConfig(width=10, height=6, iterations=2, sigma=0.1, order="sequential", learning_rate=0.01)
    _agree(x, cfg, w0, monkeypatch, size)
    assert counts[0] >= 20            # the pairs were candidates together and measured again


def test_the_tolerance_is_what_keeps_near_ties_exact(monkeypatch):
    """Mutation check: with no error allowance the expanded form alone decides some near-tie differently.

    Blocks of one input: a candidate's measured distance is then the
    sequential kernel's bit for bit, so only the allowance can make the difference.
    """
    x, w0 = _mirrored_pairs()
    cfg = SOMConfig(width=10, height=6, iterations=1, sigma=0.1, order="sequential", learning_rate=0.01)
    _seq_w, seq_b = _steps(x, cfg, w0, False, monkeypatch)
    monkeypatch.setattr(online_block, "block_tolerance", lambda dim, block: 0.0)
    monkeypatch.setattr(online_block, "screen_tolerance", lambda dim, block: (0.0, 0.0, 0.0))
    for screen in (True, False):        # the float32 screen and the float64 products
        monkeypatch.setattr(online_block, "SCREEN", screen)
        _blk_w, blk_b = _steps(x, cfg, w0, True, monkeypatch, 1)
        assert (seq_b[0] != blk_b[0]).any()


def test_the_float32_allowance_is_what_keeps_near_ties_exact(monkeypatch):
    """Mutation check: the float64 allowance alone is far narrower than float32's rounding of the product."""
    x, w0 = _mirrored_pairs()
    cfg = SOMConfig(width=10, height=6, iterations=1, sigma=0.1, order="sequential", learning_rate=0.01)
    _seq_w, seq_b = _steps(x, cfg, w0, False, monkeypatch)
    _blk_w, blk_b = _steps(x, cfg, w0, True, monkeypatch, 1)
    np.testing.assert_array_equal(blk_b[0], seq_b[0])
    monkeypatch.setattr(online_block, "screen_tolerance", lambda dim, block: (0.0, 0.0, 0.0))
    _blk_w, blk_b = _steps(x, cfg, w0, True, monkeypatch, 1)
    assert (seq_b[0] != blk_b[0]).any()


def _far_clusters(dim=24, seed=3, spread=2e4):
    """Two clusters `spread` apart along the first axis, their structure of size ~1 in every axis.

    Centring on the codebook's mean leaves |x - mu| |w - mu| ~ spread^2 / 4, so
    float32's rounding of the product (~D 2^-24 1e8 ~ 1e2 at 2e4) dwarfs the
    distances between a cluster's nodes (~1): the float32 minimum alone is
    mostly the wrong node, and the allowance must make every node of the
    cluster a candidate.
    """
    rng = np.random.default_rng(seed)
    centre = np.zeros(dim)
    centre[0] = spread / 2
    x = rng.normal(size=(80, dim)) + np.where(rng.random(80) < 0.5, 1.0, -1.0)[:, None] * centre
    w0 = rng.normal(size=(6, 7, dim)) + np.where(rng.random((6, 7)) < 0.5, 1.0, -1.0)[..., None] * centre
    return x, w0


def _counted(monkeypatch):
    counts = np.zeros(2, dtype=np.int64)
    real = online_block.online_epoch_block
    monkeypatch.setattr(online_block, "online_epoch_block", lambda *a, **kw: real(*a, **{**kw, "counts": counts}))
    return counts


def _screened(monkeypatch):
    """A list that gets an entry for every block presented through the float32 screen."""
    calls = []
    block = kernels._nb.block
    real = block.block_steps32

    def spy(*args):
        calls.append(args[0].shape[0])
        return real(*args)

    monkeypatch.setattr(block, "block_steps32", spy)
    return calls


@pytest.mark.parametrize("size", [1, 8, 32])
def test_large_magnitudes_are_resolved_by_measuring_again(size, monkeypatch):
    x, w0 = _far_clusters()
    counts = _counted(monkeypatch)
    calls = _screened(monkeypatch)
    cfg = SOMConfig(width=7, height=6, iterations=4, sigma=0.5, order="shuffled", seed=5, learning_rate=0.05)
    _agree(x, cfg, w0, monkeypatch, size, tol=1e-10 * 2e4)
    assert sum(calls) == 4 * len(x)             # the float32 screen ran every input
    assert counts[0] >= 3 * len(x) and counts[1] >= 5 * counts[0]     # with many candidates each


def test_the_float32_allowance_is_what_keeps_large_magnitudes_exact(monkeypatch):
    """Mutation check: without the float32 allowance the screen picks other nodes than the sequential kernel."""
    x, w0 = _far_clusters()
    cfg = SOMConfig(width=7, height=6, iterations=2, sigma=0.5, order="shuffled", seed=5, learning_rate=0.05)
    _seq_w, seq_b = _steps(x, cfg, w0, False, monkeypatch)
    monkeypatch.setattr(online_block, "screen_tolerance", lambda dim, block: (0.0, 0.0, 0.0))
    _blk_w, blk_b = _steps(x, cfg, w0, True, monkeypatch, 8)
    assert (seq_b[0] != blk_b[0]).sum() >= 5


@pytest.mark.parametrize("dim,topology,toroidal,size", [(20, "rectangular", False, 32), (50, "hexagonal", True, 7),
                                                        (120, "rectangular", True, 200), (33, "hexagonal", False, 1)])
def test_the_float32_screen_changes_no_bit_of_the_weights(dim, topology, toroidal, size, monkeypatch):
    """The weights are made from the BMUs alone: with the screen, the float64 products' weights bit for bit."""
    rng = np.random.default_rng(dim)
    x = rng.normal(size=(150, dim)) * 3.0 + 7.0         # off-centre: the centring runs
    w0 = rng.normal(size=(10, 11, dim)) + 7.0
    cfg = SOMConfig(width=11, height=10, iterations=8, topology=topology, toroidal=toroidal, seed=1,
                    sigma=4.0, order="shuffled")
    calls = _screened(monkeypatch)
    screen_w, screen_b = _steps(x, cfg, w0, True, monkeypatch, size)
    assert sum(calls) == 8 * len(x)
    monkeypatch.setattr(online_block, "SCREEN", False)
    f64_w, f64_b = _steps(x, cfg, w0, True, monkeypatch, size)
    assert sum(calls) == 8 * len(x)                     # not called again
    for a, b in zip(screen_b, f64_b):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(screen_w, f64_w)


@pytest.mark.parametrize("scale", [1e-60, 1e-30, 1e30, 1e60])
def test_the_screen_scales_into_float32s_range(scale, monkeypatch):
    """Far outside float32's range (its squares under- or overflow) the screen's power-of-two scaling keeps it
    exact and useful: few inputs need measuring again."""
    rng = np.random.default_rng(8)
    x = rng.normal(size=(120, 30)) * scale
    w0 = rng.normal(size=(6, 8, 30)) * scale
    counts = _counted(monkeypatch)
    calls = _screened(monkeypatch)
    cfg = SOMConfig(width=8, height=6, iterations=5, sigma=2.0, order="shuffled", seed=2)
    _agree(x, cfg, w0, monkeypatch, tol=1e-12 * scale)
    assert sum(calls) == 5 * len(x)
    assert counts[0] <= 0.2 * 5 * len(x)


def test_large_learning_rates_and_other_neighbourhoods_stay_sequential():
    assert not kernels.uses_block_epoch("gaussian", 50, 15, 25, 0.9)
    assert not kernels.uses_block_epoch("bubble", 50, 15, 25, 0.1)
    assert not kernels.uses_block_epoch("gaussian", 3, 100, 100, 0.1)
    assert not kernels.uses_block_epoch("gaussian", 2000, 100, 100, 0.1)     # 2e7 numbers: memory
    assert kernels.uses_block_epoch("gaussian", 1000, 100, 100, 0.1)


@pytest.mark.parametrize("scale", [1e-120, 1e110])
def test_scales_beyond_the_bound_fall_back_to_the_sequential_kernel(scale, monkeypatch):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(40, 20)) * scale
    w0 = rng.normal(size=(5, 6, 20)) * scale
    cfg = SOMConfig(width=6, height=5, iterations=3, sigma=2.0)
    seq_w, _ = _steps(x, cfg, w0, False, monkeypatch)
    blk_w, _ = _steps(x, cfg, w0, True, monkeypatch)
    np.testing.assert_array_equal(blk_w, seq_w)          # the same kernel ran


def test_a_stop_inside_a_block_epoch_restores_its_start(monkeypatch):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4000, 50))
    som = SOM(x, SOMConfig(width=25, height=15, iterations=3, seed=0))
    som.step()
    before = som.weights.copy()
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        som.step(token)
    np.testing.assert_array_equal(som.weights, before)
    assert som.iteration == 1
    som.step()                                            # and it carries on
    assert som.iteration == 2


@pytest.mark.parametrize("kernel", ["block_steps32", "block_steps"])
def test_a_stop_mid_epoch_leaves_the_weights_after_the_inputs_presented(kernel, monkeypatch):
    """The kernel's contract: on a stop, wp holds the state after the inputs already presented."""
    monkeypatch.setattr(online_block, "SCREEN", kernel == "block_steps32")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(90, 30))
    wp = np.ascontiguousarray(rng.normal(size=(30, 6, 7)))
    order = np.arange(90, dtype=np.int64)
    token = CancelToken()
    flag = token.flag
    calls = []
    real = getattr(kernels._nb.block, kernel)

    def stop_in_second_block(*args):
        calls.append(1)
        if len(calls) == 2:                     # stop before the second block's first input
            flag[0] = 1
        return real(*args)

    ns = type(kernels._nb.block)(**{**vars(kernels._nb.block), kernel: stop_in_second_block})
    got = wp.copy()
    with pytest.raises(Cancelled):
        online_block.online_epoch_block(ns, got, x, order, 0.1, 2.0, False, False, np.zeros(90, np.int64),
                                        np.empty(90, np.int64), flag, token, block=32)
    want = wp.copy()
    kernels._nb.online_epoch_wide(want, x, order[:32], 0.1, 2.0, False, False, np.zeros(90, np.int64),
                                  np.empty(32, np.int64), np.zeros(1, np.int64))
    assert np.max(np.abs(got - want)) <= 1e-12



def test_two_soms_training_in_two_threads_at_once_give_their_serial_weights():
    """Each thread has its own scratch arrays (a shared one would mix the two runs)."""
    import threading

    rng = np.random.default_rng(12)
    x = rng.normal(size=(600, 40))
    cfgs = [SOMConfig(width=9, height=7, iterations=6, seed=s, order="shuffled") for s in (1, 2)]
    assert kernels.uses_block_epoch("gaussian", 40, 7, 9, 0.1)
    serial = [SOM(x, c).train().weights for c in cfgs]
    out = [None, None]

    def run(i):
        out[i] = SOM(x, cfgs[i]).train().weights

    threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, b in zip(out, serial):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("scale", [1e-12, 1e12])
def test_tiny_and_huge_scales_inside_the_range_keep_the_bmus(scale, monkeypatch):
    """The error bound is relative to the data's and codebook's squared norms."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(120, 30)) * scale
    w0 = rng.normal(size=(6, 8, 30)) * scale
    cfg = SOMConfig(width=8, height=6, iterations=5, sigma=2.0, order="shuffled", seed=2)
    _agree(x, cfg, w0, monkeypatch, tol=1e-12 * scale)


def test_warm_up_compiles_the_block_epoch_for_writable_and_read_only_data():
    import subprocess
    import sys

    code = ("from somdesk.core import kernels\n"
            "kernels.warm_up()\n"
            "blk = kernels._nb.block\n"
            "print(len(blk.block_steps32.signatures), len(blk.finish_stage32.signatures),"
            " len(blk.finish_stage.signatures))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    steps, finish32, finish = map(int, proc.stdout.split())
    # the data reach only the finishing passes (they copy each block's inputs): a session's data
    # are read-only, so they have a second variant; the epoch runs the float32 screen
    assert steps >= 1 and finish32 >= 2 and finish >= 2


def test_the_ahead_of_time_build_runs_the_block_epoch_too(on_each_backend):
    """The packaged app (no numba) has the block epoch: the same weights as the JIT, read-only data too."""
    script = (
        "import sys, numpy as np\n"
        "from somdesk.core import SOM, SOMConfig, kernels\n"
        "assert kernels.uses_block_epoch('gaussian', 30, 8, 9, 0.1), kernels.BACKEND\n"
        "rng = np.random.default_rng(4); x = rng.normal(size=(300, 30)); w0 = rng.normal(size=(8, 9, 30))\n"
        "x.flags.writeable = False\n"
        "out = {}\n"
        "for topo in ('rectangular', 'hexagonal'):\n"
        "    c = SOMConfig(width=9, height=8, iterations=15, seed=2, topology=topo, order='shuffled')\n"
        "    out[topo] = SOM(x, c, weights=w0).train().weights\n"
        "np.savez(sys.argv[1], **out)\n"
    )
    out = on_each_backend(script)
    for topo in ("rectangular", "hexagonal"):
        assert np.max(np.abs(out["aot"][topo] - out["numba"][topo])) <= 1e-9


@pytest.mark.parametrize("hexagonal", [False, True])
@pytest.mark.parametrize("toroidal", [False, True])
def test_column_factors_wrap_the_window_as_modulo_does(hexagonal, toroidal):
    """column_factors (shared by the wide and the block epochs; its window wraps without an
    integer division) gives the table entries of the same window wrapped with `%`, bit for bit."""
    from somdesk.core._kernels_numba import _col_offset2, _window, factor_tables
    from somdesk.core._online_wide_numba import column_factors

    col_offset2, window = _col_offset2.py_func, _window.py_func
    for width in (1, 2, 5, 12, 25):
        for sigma in (0.05, 0.7, 2.0, 9.0):
            _ty, tx = factor_tables(6, width, sigma, 0.1, hexagonal)
            for reach in (0.0, 0.5, 1.3, 3.7, 40.0):
                for bi in (0, 1, 4):
                    for bj in range(width):
                        want = np.zeros((2, width))
                        bx2 = 2 * bj + (bi % 2 if hexagonal else 0)
                        c_lo, c_hi = window(bj, reach, width, toroidal)
                        for p in range(2 if hexagonal else 1):
                            for jj in range(c_lo, c_hi):
                                want[p, jj % width] = tx[col_offset2(jj % width, p, bx2, width, toroidal)]
                        got = np.full((2, width), -1.0)
                        got[1] = 0.0 if not hexagonal else -1.0
                        column_factors(got, tx, bi, bj, reach, hexagonal, toroidal, width)
                        np.testing.assert_array_equal(got, want)


def test_the_smallest_distance_is_recovered_exactly_from_its_bits():
    """_pick's limit starts from the minimum's int64 bits: every non-negative double, subnormals too."""
    from somdesk.core._online_block_numba import _from_bits

    rng = np.random.default_rng(8)
    values = np.concatenate([[0.0, 5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.0,
                              np.nextafter(1.0, 2.0), 1.7976931348623157e308],
                             np.abs(rng.normal(size=200)) * 10.0 ** rng.integers(-320, 300, size=200)])
    for v in values:
        assert _from_bits(np.array([v]).view(np.int64)[0]) == v
