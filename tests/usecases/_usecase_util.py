"""Shared helpers for the use-case tests: small pictures and files made on the fly."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image


def picture(h: int = 48, w: int = 64, seed: int = 0) -> np.ndarray:
    """A small photo-like RGB picture: gradients plus noise plus a few flat blocks."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([x * 255 // max(w - 1, 1), y * 255 // max(h - 1, 1), (x + y) * 127 // max(h + w - 2, 1)], -1)
    img = img + rng.integers(-12, 13, img.shape)
    img[h // 4:h // 2, w // 4:w // 2] = (200, 30, 40)
    return np.clip(img, 0, 255).astype(np.uint8)


def encode(img_or_pil, fmt: str, **kw) -> bytes:
    im = img_or_pil if isinstance(img_or_pil, Image.Image) else Image.fromarray(img_or_pil)
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def write(tmp_path, name: str, data) -> str:
    p = tmp_path / name
    if isinstance(data, str):
        p.write_bytes(data.encode("utf-8"))
    else:
        p.write_bytes(data)
    return str(p)
