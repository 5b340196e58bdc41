"""Floyd-Steinberg: the packaged app's ahead-of-time rows equal the JIT's; the kernel's rows
can be called in bands and carry the error exactly."""
import os
import subprocess
import sys

import numpy as np

from somdesk.core import dither, kernels

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _pictures():
    rng = np.random.default_rng(4)
    opaque = rng.integers(0, 256, (37, 29, 3)).astype(np.uint8)
    clear = np.dstack([rng.integers(0, 256, (37, 29, 3)), rng.choice([0, 128, 255], (37, 29))]).astype(np.uint8)
    pal = np.vstack([[0, 0, 0, 0], np.hstack([rng.integers(0, 256, (15, 3)), np.full((15, 1), 255)])]).astype(np.uint8)
    return opaque, clear, pal


def test_bands_of_rows_carry_the_error_exactly():
    """The kernel called on bands of rows gives the one-call result (its y0, y1 arguments)."""
    kernels.warm_up()
    opaque, clear, pal = _pictures()
    for img in (opaque, clear):
        whole = dither.floyd_steinberg(img, pal)
        kernel = dither._kernel() or dither._fs_rows
        premul = pal[:, :3].astype(np.float64) * (pal[:, 3:4] / 255.0)
        palf = np.ascontiguousarray(np.hstack([premul, pal[:, 3:4].astype(np.float64)]))
        for band in (1, 2, 5, 36):
            out = np.empty(img.shape[:2], np.uint8)
            err = np.zeros((2, img.shape[1] + 2, 4))
            for y0 in range(0, img.shape[0], band):
                assert kernel(np.ascontiguousarray(img), palf, 0, out, np.zeros(1, np.int64), y0,
                              min(img.shape[0], y0 + band), err)
            np.testing.assert_array_equal(out, whole)


def test_the_ahead_of_time_build_dithers_like_the_jit(tmp_path, aot_dir):
    opaque, clear, pal = _pictures()
    np.savez(tmp_path / "in.npz", opaque=opaque, clear=clear, pal=pal)
    script = (
        "import sys, numpy as np\n"
        "from somdesk.core import dither, kernels\n"
        "d = np.load(sys.argv[1])\n"
        "assert kernels.BACKEND == 'aot' and dither._kernel() is not None\n"
        "np.savez(sys.argv[2], opaque=dither.floyd_steinberg(d['opaque'], d['pal']),\n"
        "         clear=dither.floyd_steinberg(d['clear'], d['pal']))\n"
    )
    env = dict(os.environ, SOMDESK_KERNELS="aot",
               PYTHONPATH=os.pathsep.join([str(aot_dir), ROOT, os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "in.npz"), str(tmp_path / "out.npz")],
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    got = np.load(tmp_path / "out.npz")
    np.testing.assert_array_equal(got["opaque"], dither.floyd_steinberg(opaque, pal))
    np.testing.assert_array_equal(got["clear"], dither.floyd_steinberg(clear, pal))


def test_a_stop_is_seen_inside_the_one_call(monkeypatch):
    """The picture is one kernel call: the stop flag is read by the kernel itself (per row),
    not only between calls, so a stop set while it runs ends it with Cancelled."""
    import types

    import pytest

    from somdesk.core.cancel import CancelToken
    from somdesk.errors import Cancelled

    kernels.warm_up()
    opaque, clear, pal = _pictures()
    # the checks around the call let everything through: only the kernel sees the flag
    monkeypatch.setattr(dither, "_cancel", types.SimpleNamespace(check=lambda cancel: None))
    for img in (opaque, clear):
        token = CancelToken()
        token.cancel()
        with pytest.raises(Cancelled):
            dither.floyd_steinberg(img, pal, cancel=token)
