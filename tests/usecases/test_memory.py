"""Memory bound of the chunked assignment on a 24-megapixel picture.

SLOW-ISH TEST (~5-8 s): runs in a subprocess so the peak-RSS measurement
sees only this work.  The picture (6000x4000, ~4.6 million distinct colours)
is built in row slices so its construction does not raise the peak; the
peak is then reset (Linux /proc/self/clear_refs) or, failing that, read
before and after.
"""
import json
import subprocess
import sys
import textwrap


SCRIPT = textwrap.dedent(r"""
    import json, resource, time
    import numpy as np
    from somdesk.core import kernels
    from somdesk.core.quantize import assign_chunked

    def peak_kib():
        try:
            with open("/proc/self/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    h, w = 4000, 6000
    img = np.empty((h, w, 3), np.uint8)
    x = np.arange(w, dtype=np.int64)
    for r in range(h):                       # a synthetic pattern, row by row
        img[r, :, 0] = (x * 255) // (w - 1)
        img[r, :, 1] = (r * 255) // (h - 1)
        img[r, :, 2] = (((x // 50 + r // 50) % 2) * 200 + (x * r) % 47).astype(np.uint8)
    cb = np.random.default_rng(0).random((16, 16, 3))
    assign_chunked(img[:8], cb)              # load kernels before measuring
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")                     # reset the peak to the current RSS
    except OSError:
        pass
    before = peak_kib()
    t = time.perf_counter()
    idx = assign_chunked(img, cb)
    seconds = time.perf_counter() - t
    after = peak_kib()
    ok = bool(idx.shape == (h, w) and idx.dtype == np.uint8)
    # spot-check against the exact search on a few rows
    rows = np.r_[0, 1234, 3999]
    ref, _ = kernels.bmus_of(cb.reshape(-1, 3), img[rows].reshape(-1, 3) / 255.0)
    ok = ok and bool(np.array_equal(idx[rows].ravel(), ref))
    print(json.dumps({"growth_mib": (after - before) / 1024, "seconds": seconds, "ok": ok}))
""")


def test_24_megapixel_assignment_is_memory_bounded():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["ok"]
    # the image itself is 69 MiB; the indices 23 MiB, the colour table 32 MiB,
    # one ~1 Mpx slice's temporaries ~60 MiB
    assert result["growth_mib"] < 300, result
    print(result)
