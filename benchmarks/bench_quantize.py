"""Colour quantisation against pngquant (libimagequant), measured in the same run.

Run: python benchmarks/bench_quantize.py [--quick] [--repeats R] [--pictures DIR ...]

For every picture and 16, 64 and 256 colours it runs, PNG in -> PNG out:
    pngquant   Debian's `pngquant --nofs N` (no dithering), as a subprocess, as installed
               (libimagequant with OpenMP: on this 2-CPU machine its threads spin while
               they wait, so under load from other processes it takes 2-4x the CPU time
               and wall time it needs alone);
    pngquant/1 the same with OMP_NUM_THREADS=1: one thread, its steady single-core time;
    command    `python -m somdesk quantize IN OUT.png --colors N -q` as a subprocess:
               the whole command as a user runs it, interpreter start-up and
               imports included (byte-compiled once into a temporary
               PYTHONPYCACHEPREFIX first, as an installed package is);
    in-process load_image + quantize_picture + save_indexed_png in this process
               (the command's work without the interpreter);
alternating run by run, and prints PSNR (dB, higher is better) and mean
CIEDE2000 (lower is better, computed by colour-science, sRGB D65 -> CIELAB) of
the command's file, the median wall times of `--repeats` runs and the time
ratio command / pngquant (< 1: somdesk faster), and the CPU seconds (user + system,
from getrusage of the child processes) of the command and of pngquant/1, as a
markdown table; CPU time is what the load of the shared machine changes least.  "win"
marks rows where somdesk is at least as good on both measures.  The command's
file and the in-process result are checked to be the same picture.  The
window's path (a SOM trained in the window's phases, then its Quantise: the
command's fit started from the map's colours) is printed too.

The palette fit's loops (somdesk.core.kmeans_backend) are numpy from a source checkout, the
ahead-of-time build when it is there (`python tools/build_aot_kernels.py` writes it into
somdesk/core, as the packaged app has it), numba's JIT with SOMDESK_KERNELS=numba; the first
line says which ran.  The last line gives the floor: the CPU and wall time of
`python -c "import numpy, PIL.Image, PIL.PngImagePlugin"` (OpenBLAS on one thread, as the
command starts it), what any Python program reading a PNG into numpy pays before any work,
the number of cases where pngquant/1's whole run takes less CPU than that, and the median of
(command CPU - floor) / pngquant/1 CPU.

Pictures: benchmarks/pictures/ (public domain / CC0 photos from scikit-image,
see the README there), three generated here with fixed seeds (a smooth
gradient, a noisy photo-like scene, a flat-colour graphic), and the PNGs of
every `--pictures DIR` (e.g. more of scikit-image's data, to check that a
change does not win on the shipped pictures only).
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from somdesk.core import kernels  # noqa: E402
from somdesk.core.quantize import psnr, quantize_picture, train_quantizer  # noqa: E402
from somdesk.io.image_input import load_image  # noqa: E402
from somdesk.io.quantized_png import save_indexed_png  # noqa: E402

COLOURS = (16, 64, 256)
PICTURES = Path(__file__).resolve().parent / "pictures"


# -- generated pictures -----------------------------------------------------------
def gradient(h: int = 512, w: int = 512) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w] / np.array([h - 1, w - 1])[:, None, None]
    img = np.stack([x, y, 0.5 * (1 - x) + 0.5 * y * y], axis=-1)
    return np.rint(img * 255).astype(np.uint8)


def photo_like(h: int = 480, w: int = 640, seed: int = 3) -> np.ndarray:
    """Sky gradient, hills, a sun, soft blobs, then sensor-like noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    sky = np.stack([0.35 + 0.3 * y / h, 0.55 + 0.25 * y / h, 0.95 - 0.2 * y / h], axis=-1)
    img = sky
    horizon = 0.6 * h + 25 * np.sin(x / 70.0) + 12 * np.sin(x / 23.0 + 1.0)
    ground = (y > horizon)[..., None]
    grass = np.stack([0.25 + 0.15 * np.sin(x / 40.0) * np.cos(y / 30.0),
                      0.45 + 0.1 * (y / h), 0.15 + 0.05 * np.cos(x / 15.0)], axis=-1)
    img = np.where(ground, grass, img)
    sun = ((x - 0.75 * w) ** 2 + (y - 0.2 * h) ** 2) < (0.07 * w) ** 2
    img[sun] = (1.0, 0.93, 0.6)
    for _ in range(12):   # soft blobs: trees, shadows, clouds
        cx, cy, r = rng.uniform(0, w), rng.uniform(0.3 * h, h), rng.uniform(10, 60)
        colour = rng.uniform(0.05, 0.9, 3)
        a = np.exp(-(((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r)))[..., None]
        img = img * (1 - a) + colour * a
    img = img + rng.normal(0, 8 / 255, img.shape)
    return np.clip(np.rint(img * 255), 0, 255).astype(np.uint8)


def flat_graphic(h: int = 512, w: int = 512, seed: int = 5) -> np.ndarray:
    """Hard-edged shapes in 12 flat colours on white (a logo / chart / UI)."""
    rng = np.random.default_rng(seed)
    colours = rng.integers(0, 256, (12, 3)).astype(np.uint8)
    img = np.full((h, w, 3), 255, dtype=np.uint8)
    y, x = np.mgrid[0:h, 0:w]
    for i in range(40):
        c = colours[i % 12]
        if i % 2:
            x0, y0 = rng.integers(0, w - 40), rng.integers(0, h - 40)
            img[y0:y0 + rng.integers(20, 160), x0:x0 + rng.integers(20, 160)] = c
        else:
            cx, cy, r = rng.integers(0, w), rng.integers(0, h), rng.integers(10, 80)
            img[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = c
    return img


def shipped_pictures() -> list[tuple[str, Path]]:
    return [(p.name, p) for p in sorted(PICTURES.glob("*.png"))]


def ciede2000(a: np.ndarray, b: np.ndarray) -> float:
    """Mean CIEDE2000 over all pixels of two (H, W, 3) uint8 sRGB pictures (colour-science).

    Computed once per distinct (original, quantised) colour pair, weighted by
    its pixel count: the same mean, far fewer conversions."""
    import colour

    ka = a.reshape(-1, 3).astype(np.uint64)
    kb = b.reshape(-1, 3).astype(np.uint64)
    key = (((ka[:, 0] << 16) | (ka[:, 1] << 8) | ka[:, 2]) << 24) | ((kb[:, 0] << 16) | (kb[:, 1] << 8) | kb[:, 2])
    u, cnt = np.unique(key, return_counts=True)
    ca = np.stack([(u >> 40) & 255, (u >> 32) & 255, (u >> 24) & 255], -1) / 255.0
    cb = np.stack([(u >> 16) & 255, (u >> 8) & 255, u & 255], -1) / 255.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        la = colour.XYZ_to_Lab(colour.sRGB_to_XYZ(ca))
        lb = colour.XYZ_to_Lab(colour.sRGB_to_XYZ(cb))
        d = colour.delta_E(la, lb, method="CIE 2000")
    return float((d * cnt).sum() / cnt.sum())


def decoded(path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def _child_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_pngquant(src: Path, out: Path, k: int, threads: int | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one pngquant run; `threads` sets OMP_NUM_THREADS."""
    env = None if threads is None else dict(os.environ, OMP_NUM_THREADS=str(threads))
    c, t = _child_cpu(), time.perf_counter()
    subprocess.run(["pngquant", "--nofs", "--force", "--output", str(out), str(k), str(src)],
                   check=True, capture_output=True, env=env)
    return time.perf_counter() - t, _child_cpu() - c


def run_somdesk(src: Path, out: Path, k: int) -> float:
    t = time.perf_counter()
    img = load_image(src, alpha=True)
    idx, pal = quantize_picture(img, k)
    save_indexed_png(out, idx, pal)
    return time.perf_counter() - t


def command_env(tmp: Path) -> dict:
    """The command's environment: this checkout first on the path, and byte code written to
    (and read from) a temporary cache, as an installed package has it (this shared machine
    sets PYTHONDONTWRITEBYTECODE, which would make every run compile somdesk's sources)."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent),
               PYTHONPYCACHEPREFIX=str(tmp / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_command(src: Path, out: Path, k: int, env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `somdesk quantize` process."""
    c, t = _child_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "somdesk", "quantize", str(src), str(out), "--colors", str(k), "-q"],
                   check=True, env=env)
    return time.perf_counter() - t, _child_cpu() - c


def run_cell(src: Path, tmp: Path, k: int, repeats: int, env: dict):
    """(pngquant's output, command's output, dict of median seconds: pngquant, pngquant/1,
    command, in-process wall times and pngquant/1 and command CPU times); the runs alternate
    so a change in the shared machine's load hits all alike."""
    runs = {key: [] for key in ("pq", "pq1", "cmd", "inproc", "pq1_cpu", "cmd_cpu")}
    for _ in range(repeats):
        runs["pq"].append(run_pngquant(src, tmp / "pq.png", k)[0])
        wall, cpu = run_pngquant(src, tmp / "pq1.png", k, threads=1)
        runs["pq1"].append(wall)
        runs["pq1_cpu"].append(cpu)
        wall, cpu = run_command(src, tmp / "cmd.png", k, env)
        runs["cmd"].append(wall)
        runs["cmd_cpu"].append(cpu)
        runs["inproc"].append(run_somdesk(src, tmp / "sd.png", k))
    cmd = decoded(tmp / "cmd.png")
    if not np.array_equal(cmd, decoded(tmp / "sd.png")):
        raise AssertionError(f"{src.name} at {k}: the command's file differs from the in-process result")
    if not np.array_equal(decoded(tmp / "pq.png"), decoded(tmp / "pq1.png")):
        raise AssertionError(f"{src.name} at {k}: pngquant's one-thread file differs from its default one")
    return decoded(tmp / "pq.png"), cmd, {key: statistics.median(v) for key, v in runs.items()}


def run_window_path(img, k: int) -> tuple[float, float]:
    """(PSNR, mean CIEDE2000) of the window's path: a side x side SOM trained in the window's
    phases (train_quantizer without its own k-means placement), then Quantise full picture,
    which is the command's fit started from the map's colours (core.map_quantise)."""
    from somdesk.core.map_quantise import quantise_from_map

    side = int(round(k ** 0.5))
    som = train_quantizer(img, side, side, seed=1, refine=False)
    idx, pal = quantise_from_map(img, som.weights)
    out = pal[idx][..., :3]
    return psnr(img, out), ciede2000(img, out)


def startup_seconds(tmp: Path, env: dict, repeats: int = 5) -> tuple[float, float, float, float]:
    """Medians in this run: wall time of `python -m somdesk --version` (interpreter + the CLI
    module), wall and CPU time of the floor -- `python -c "import numpy, PIL.PngImagePlugin"`
    with OpenBLAS on one thread, as the command starts it: the interpreter, numpy and Pillow's
    PNG reader, what any Python program reading a PNG into numpy pays before any work -- and
    the CPU time of `python -c pass`."""
    ver = [sys.executable, "-m", "somdesk", "--version"]
    floor = [sys.executable, "-c", "import numpy, PIL.Image, PIL.PngImagePlugin"]
    bare = [sys.executable, "-c", "pass"]
    quiet = dict(check=True, env=dict(env, OPENBLAS_NUM_THREADS="1"), capture_output=True)
    a = statistics.median(_timed(lambda: subprocess.run(ver, **quiet)) for _ in range(repeats))
    walls, cpus, bares = [], [], []
    for _ in range(repeats):
        c, t = _child_cpu(), time.perf_counter()
        subprocess.run(floor, **quiet)
        walls.append(time.perf_counter() - t)
        cpus.append(_child_cpu() - c)
        c = _child_cpu()
        subprocess.run(bare, **quiet)
        bares.append(_child_cpu() - c)
    return a, statistics.median(walls), statistics.median(cpus), statistics.median(bares)


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    from PIL import __version__ as pil

    pq = subprocess.run(["pngquant", "--version"], capture_output=True, text=True).stdout.strip()
    from somdesk.core.kmeans_backend import compiled_loops

    loops = compiled_loops()
    fit = "numpy" if loops is None else loops.backend
    return (f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, numpy {np.__version__}, Pillow {pil}, "
            f"kernels {kernels.BACKEND}, palette fit loops {fit}, pngquant {pq}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="two pictures, 16 and 64 colours, one repeat")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per cell, median reported")
    ap.add_argument("--pictures", action="append", default=[], metavar="DIR",
                    help="also every PNG in DIR (repeatable)")
    ap.add_argument("--no-window", action="store_true", help="skip the window path's column (SOM training)")
    args = ap.parse_args(argv)
    if shutil.which("pngquant") is None:
        print("pngquant is not installed (Debian: apt-get install pngquant)", file=sys.stderr)
        return 1
    repeats = 1 if args.quick else max(1, args.repeats)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        from PIL import Image

        pictures = shipped_pictures()
        for name, make in (("gradient.png (generated)", gradient), ("photo-like.png (generated)", photo_like),
                           ("flat-graphic.png (generated)", flat_graphic)):
            path = tmp / name.split()[0]
            Image.fromarray(make()).save(path)
            pictures.append((name, path))
        for folder in args.pictures:
            pictures += [(p.name, p) for p in sorted(Path(folder).glob("*.png"))]
        if args.quick:
            pictures = pictures[1:2] + pictures[-1:]
        colours = COLOURS[:2] if args.quick else COLOURS
        env = command_env(tmp)
        quantize_picture(gradient(64, 64), 16, dither=False)         # warm the in-process path
        run_command(pictures[0][1], tmp / "warm.png", 16, env)       # writes the byte code once
        print(f"Measured {datetime.date.today().isoformat()} on {machine()}.")
        print(f"Times are medians of {repeats} run(s), pngquant, the somdesk command and the in-process "
              "work alternating, PNG file in -> PNG file out.\n")
        print("| picture | colours | pngquant PSNR / dE00 | somdesk PSNR / dE00 | pngquant s | pngquant/1 s "
              "| somdesk command s | ratio | ratio to /1 | CPU s pngquant/1 / command | in-process s "
              "| window path PSNR / dE00 | |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        wins = total = 0
        ratios, ratios1, cpu_ratios, inproc, pq1_cpu, cmd_cpu = [], [], [], [], [], []
        for label, path in pictures:
            img = load_image(path)
            for k in colours:
                pq, sd, t = run_cell(path, tmp, k, repeats, env)
                tp, tc, ti = t["pq"], t["cmd"], t["inproc"]
                p1, d1, p2, d2 = psnr(img, pq), ciede2000(img, pq), psnr(img, sd), ciede2000(img, sd)
                win = p2 >= p1 and d2 <= d1
                wins += win
                total += 1
                ratios.append(tc / tp)
                ratios1.append(tc / t["pq1"])
                cpu_ratios.append(t["cmd_cpu"] / max(t["pq1_cpu"], 1e-3))
                pq1_cpu.append(t["pq1_cpu"])
                cmd_cpu.append(t["cmd_cpu"])
                inproc.append(ti / tp)
                window = "-" if args.no_window else "{:.2f} / {:.3f}".format(*run_window_path(img, k))
                row = [label, str(k), f"{p1:.2f} / {d1:.3f}", f"{p2:.2f} / {d2:.3f}", f"{tp:.3f}", f"{t['pq1']:.3f}",
                       f"{tc:.3f}", f"{tc / tp:.2f}", f"{tc / t['pq1']:.2f}",
                       f"{t['pq1_cpu']:.2f} / {t['cmd_cpu']:.2f}", f"{ti:.3f}", window, "win" if win else "**loss**"]
                print("| " + " | ".join(row) + " |", flush=True)
        version, floor_wall, floor_cpu, bare_cpu = startup_seconds(tmp, env)
        beyond = [(c - floor_cpu) / max(p, 1e-3) for c, p in zip(cmd_cpu, pq1_cpu)]
        print(f"\nsomdesk at least as good on PSNR and CIEDE2000: {wins} of {total}.")
        print(f"Whole command / pngquant: median {statistics.median(ratios):.2f}, worst {max(ratios):.2f}, "
              f"faster in {sum(r < 1 for r in ratios)} of {total}; in-process work / pngquant: median "
              f"{statistics.median(inproc):.2f}, worst {max(inproc):.2f}.")
        print(f"Whole command / pngquant with one thread (OMP_NUM_THREADS=1): median {statistics.median(ratios1):.2f}, "
              f"faster in {sum(r < 1 for r in ratios1)} of {total}; CPU time command / pngquant/1: median "
              f"{statistics.median(cpu_ratios):.2f}.  Load average at the end: "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}.")
        print(f"Start-up alone in this run: `python -m somdesk --version` {version:.3f} s; the floor of any "
              f"Python PNG quantiser, `python -c 'import numpy, PIL.Image, PIL.PngImagePlugin'`, {floor_wall:.3f} s "
              f"wall, {floor_cpu:.3f} s CPU (`python -c pass` {bare_cpu:.3f} s CPU): above pngquant/1's whole "
              f"CPU time in {sum(floor_cpu >= c for c in pq1_cpu)} of {total} cases.  CPU beyond that floor, "
              f"command / pngquant/1: median {statistics.median(beyond):.2f}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
