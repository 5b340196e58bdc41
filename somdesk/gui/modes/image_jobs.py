"""The image mode's work, run in worker threads through `jobs.JobRunner`: load,
train (with live previews) and the full-resolution result.  No widgets here.

    load_job(path)                      -> LoadedImage      (pixels, a preview copy, colour count)
    train_job(image, side, sample, pace) -> QuantPreview    (previews on the way; the last one is final)
    result_job(image, weights)           -> QuantResult | None   (None: cancelled)

Previews are computed in the worker on `LoadedImage.preview`, a copy of the
picture scaled down to at most PREVIEW_MAX_SIDE pixels per side, so a preview
costs the same for a 24-megapixel photo as for a thumbnail.  The window draws
`LoadedImage.display` (at most DISPLAY_MAX_SIDE per side) and, once the
full-size pass is done, `QuantResult.display`: the exported picture's own
pixels picked at that size, so zooming in shows the real result.  The full-size
assignment runs only in `result_job`, in ~1 Mpx slices (`assign_chunked`),
with progress and cancelling between slices; its PSNR and colour count are
also computed in slices, so no full-size temporary beyond the (H, W) uint8
index array is made.
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass

import numpy as np

from somdesk.core.quantize import (DEFAULT_SAMPLE, assign_chunked, count_colours, mse, palette_rgb8,
                                   psnr, train_quantizer)
from somdesk.io.image_input import load_image
from somdesk.io.quantized_png import indexed_png_bytes

PREVIEW_MAX_SIDE = 640          # the live preview is computed on a copy at most this big
DISPLAY_MAX_SIDE = 2048         # what the window draws of the original and the final result
SIDES = tuple(range(4, 17))     # map sizes offered: 4x4 = 16 ... 16x16 = 256 colours
PHASES = ("ordering", "fine-tuning", "recovering unused colours")
EXPECTED_EPOCHS = 40            # ordering + fine-tuning epochs of train_quantizer's defaults
SLICE_PIXELS = 1 << 20


@dataclass(frozen=True)
class LoadedImage:
    path: str
    pixels: np.ndarray        # (H, W, 3) uint8, full size
    preview: np.ndarray       # (h, w, 3) uint8, at most PREVIEW_MAX_SIDE per side
    display: np.ndarray       # (h, w, 3) uint8, at most DISPLAY_MAX_SIDE per side (what is drawn)
    n_colours: int            # distinct colours in the full picture
    file_bytes: int

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    @property
    def n_pixels(self) -> int:
        return int(self.pixels.shape[0] * self.pixels.shape[1])


@dataclass(frozen=True)
class QuantPreview:
    weights: np.ndarray       # (side, side, 3) copy of the map
    quantised: np.ndarray     # (h, w, 3) uint8: the preview copy, each pixel its node's colour
    psnr: float               # of the preview copy
    used: int                 # palette entries the preview uses
    epoch: int                # epochs run so far, all phases
    phase: int                # index into PHASES
    phase_step: int
    phase_total: int
    elapsed: float
    final: bool = False
    stopped: bool = False


@dataclass(frozen=True)
class QuantResult:
    weights: np.ndarray
    palette: np.ndarray       # (K, 3) uint8, the map's colours in node order
    indices: np.ndarray       # (H, W) full-size index of every pixel
    psnr: float               # full size
    used: int                 # distinct colours in the quantised picture
    png: bytes                # the indexed PNG, ready to write
    display: np.ndarray       # the quantised picture's pixels at the original's display size


def downscale(pixels: np.ndarray, max_side: int = PREVIEW_MAX_SIDE) -> np.ndarray:
    """A copy at most `max_side` per side (box filter); the picture itself if already small."""
    h, w = pixels.shape[:2]
    if max(h, w) <= max_side:
        return pixels
    from PIL import Image

    f = max_side / max(h, w)
    size = (max(1, round(w * f)), max(1, round(h * f)))
    im = Image.fromarray(pixels).resize(size, Image.Resampling.BOX, reducing_gap=2.0)
    return np.asarray(im, dtype=np.uint8).copy()


def load_job(path: str):
    def run(job):
        job.report(0, 3, "Reading the picture")
        pixels = load_image(path)
        if not job.report(1, 3, "Counting colours"):
            return None
        n_colours = count_colours(pixels)
        if not job.report(2, 3, "Making the preview"):
            return None
        display = downscale(pixels, DISPLAY_MAX_SIDE)
        preview = downscale(display, PREVIEW_MAX_SIDE)
        job.report(3, 3, "")
        return LoadedImage(os.fspath(path), pixels, preview, display, n_colours, os.stat(path).st_size)
    return run


def _preview(weights: np.ndarray, preview_pixels: np.ndarray, **info) -> QuantPreview:
    pal = palette_rgb8(weights)
    idx = assign_chunked(preview_pixels, pal)
    quantised = pal[idx]
    used = int(np.count_nonzero(np.bincount(idx.ravel(), minlength=len(pal))))
    return QuantPreview(weights.copy(), quantised, psnr(preview_pixels, quantised), used, **info)


def train_job(image: LoadedImage, side: int, sample: int = DEFAULT_SAMPLE, pace: float | None = None):
    """Train a side x side colour map on `sample` pixels; `pace` = epochs per second (None: at once)."""
    def run(job):
        t0 = time.perf_counter()
        st = {"epoch": 0, "phase": -1, "step": 0, "total": 1, "clock": (t0, 0)}

        def info(final=False, stopped=False):
            return dict(epoch=st["epoch"], phase=min(max(st["phase"], 0), len(PHASES) - 1),
                        phase_step=st["step"], phase_total=st["total"],
                        elapsed=time.perf_counter() - t0, final=final, stopped=stopped)

        def callback(step, weights):
            if step.iteration == 0:
                st["phase"] += 1
            st["epoch"] += 1
            st["step"], st["total"] = step.iteration + 1, step.total
            if job.preview_due():
                job.send_preview(_preview(weights, image.preview, **info()))
            if pace:   # as the training worker: sleep to the epoch's slot; never burst to catch up
                (c0, e0), now = st["clock"], time.perf_counter()
                delay = c0 + (st["epoch"] - e0) / pace - now
                if delay < -0.25:
                    st["clock"] = (now, st["epoch"])
                elif delay > 0:
                    job.sleep(delay)
            return False if job.stopped else None

        som = train_quantizer(image.pixels, side, side, sample=sample, callback=callback)
        return _preview(som.weights, image.preview, **info(final=True, stopped=job.stopped))
    return run


def result_job(image: LoadedImage, weights: np.ndarray):
    """The full-size quantised picture: indices, PSNR, colours used and the indexed PNG."""
    def run(job):
        pixels = image.pixels
        pal = palette_rgb8(weights)
        idx = assign_chunked(pixels, pal, progress=lambda d, t: job.report(d, t, "Assigning every pixel"))
        if idx is None or job.stopped:
            return None
        h, w = idx.shape
        rows = max(1, SLICE_PIXELS // w)
        total_sq = 0.0
        seen = np.zeros(len(pal), dtype=bool)
        for s in range(0, h, rows):
            part = idx[s:s + rows]
            total_sq += mse(pixels[s:s + rows], pal[part]) * part.size * 3
            seen[np.unique(part)] = True
            if not job.report(s + len(part), h, "Measuring PSNR"):
                return None
        err = total_sq / (h * w * 3)
        value = math.inf if err == 0 else 10.0 * math.log10(255.0 ** 2 / err)
        job.report(0, 0, "Encoding the indexed PNG")
        png = indexed_png_bytes(idx, pal)
        if job.stopped:
            return None
        dh, dw = image.display.shape[:2]     # the output's own pixels, picked at the display size
        rows = ((np.arange(dh) + 0.5) * h / dh).astype(np.intp)
        cols = ((np.arange(dw) + 0.5) * w / dw).astype(np.intp)
        display = pal[idx[np.ix_(rows, cols)]]
        return QuantResult(np.array(weights, copy=True), pal, idx, value, int(seen.sum()), png, display)
    return run
