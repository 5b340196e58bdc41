"""Colour quantisation quality: somdesk's SOM quantiser against Pillow's.

Run: python benchmarks/bench_quantize.py [--quick]

For 16, 64 and 256 colours it prints PSNR (dB, higher is better) and
wall-clock seconds of
    somdesk     train_quantizer (defaults: 65,536 sampled pixels, batch map,
                20 ordering + 20 fine-tuning epochs, seed 1) + quantize
    median cut  Pillow Image.quantize(colors, method=0) (no dithering: Pillow
                only dithers when given a palette)
    libimagequant  Image.quantize(method=3), when this Pillow build has it
                (it raises ValueError otherwise: "n/a")
as a markdown table.

Pictures: three generated here (a smooth gradient, a noisy photo-like
synthetic scene, a flat-colour graphic; fixed seeds) and whichever of these
files installed on the machine exist (Pillow's own test images are not in
its wheel and scikit-image is not installed):
    f3.jpg           photo of a circuit board, 720x477 JPEG, from the Rust
                     toolchain's documentation (embedded-book assets)
    peegee_512px.png pyqtgraph's logo (PyPI package pyqtgraph), 512x512 RGBA,
                     composited on white
    camera-web.png   Adwaita icon theme (Debian adwaita-icon-theme), 512x512 RGBA
"""
from __future__ import annotations

import argparse
import datetime
import glob
import importlib.util
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from somdesk.core import kernels  # noqa: E402
from somdesk.core.quantize import psnr, quantize, train_quantizer  # noqa: E402
from somdesk.io.image_input import load_image  # noqa: E402

SIDES = (4, 8, 16)     # 16, 64, 256 colours


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


def installed_pictures() -> list[tuple[str, Path]]:
    found = []
    home = Path.home()
    rust = sorted(glob.glob(str(home / ".rustup/toolchains/*/share/doc/rust/html/embedded-book/assets/f3.jpg")))
    if rust:
        found.append(("f3.jpg (Rust docs photo)", Path(rust[0])))
    spec = importlib.util.find_spec("pyqtgraph")     # locate without importing Qt
    if spec and spec.origin:
        p = Path(spec.origin).parent / "icons" / "peegee" / "peegee_512px.png"
        if p.exists():
            found.append(("peegee_512px.png (pyqtgraph logo)", p))
    p = Path("/usr/share/icons/Adwaita/512x512/devices/camera-web.png")
    if p.exists():
        found.append(("camera-web.png (Adwaita icon)", p))
    return found


# -- quantisers -------------------------------------------------------------------
def run_somdesk(img, side):
    t = time.perf_counter()
    som = train_quantizer(img, side, side, seed=1)
    out = quantize(img, som.weights)
    return psnr(img, out), time.perf_counter() - t


def run_pillow(img, colours, method):
    from PIL import Image

    im = Image.fromarray(img)
    t = time.perf_counter()
    try:
        q = im.quantize(colours, method=method)
    except ValueError:
        return None
    out = np.asarray(q.convert("RGB"))
    return psnr(img, out), time.perf_counter() - t


def cell(result) -> str:
    if result is None:
        return "n/a"
    p, t = result
    return f"{p:.2f} ({t:.2f} s)"


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

    return (f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, numpy {np.__version__}, Pillow {pil}, "
            f"kernels {kernels.BACKEND}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="generated pictures only, 16 and 64 colours")
    args = ap.parse_args(argv)
    pictures = [("gradient 512x512 (generated)", gradient()),
                ("photo-like scene 640x480 (generated)", photo_like()),
                ("flat-colour graphic 512x512 (generated)", flat_graphic())]
    if not args.quick:
        for label, path in installed_pictures():
            pictures.append((label, load_image(path)))
    sides = SIDES[:2] if args.quick else SIDES
    train_quantizer(pictures[0][1], 4, 4, iterations=2, fine_tune=1, seed=0)   # compile/load kernels

    print(f"Measured {datetime.date.today().isoformat()} on {machine()}.")
    print("PSNR in dB (higher is better), time in seconds in parentheses.\n")
    print("| picture | colours | somdesk SOM | Pillow median cut | libimagequant |")
    print("|---|---:|---:|---:|---:|")
    for label, img in pictures:
        for side in sides:
            k = side * side
            row = [label, str(k), cell(run_somdesk(img, side)), cell(run_pillow(img, k, 0)),
                   cell(run_pillow(img, k, 3))]
            print("| " + " | ".join(row) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
