"""Time-lapses of a map organising itself: a bounded frame recorder and an
animated GIF / APNG writer (Pillow; no Qt).  The window and `somdesk train
--timelapse` share both.

    rec = FrameRecorder(max_frames=120)
    rec.offer(som.iteration, map_rgb(som.weights))     # as often as you like
    write_animation("run.gif", rec.frames, fps=20, scale=4)

**Bounded memory.**  The recorder keeps at most `max_frames` frames.  It keeps a
frame only when its iteration is at least `stride` past the last kept one; when
the buffer is full it drops every other frame and doubles the stride, so the
kept frames stay evenly spaced over the whole run, whatever its length.  The
latest frame offered is always kept too, so the final state is always the last
frame.  Frames are stored as given (one uint8 value per node and channel, e.g.
100 x 100 x 3 = 30 kB), and scaled only when written.

**Formats**, from the file's extension: ``.gif`` (each frame reduced to its own
255-colour median-cut palette, no dithering, so every node stays one flat
block) and ``.png`` / ``.apng`` (animated PNG, lossless).  GIF stores frame
times in 1/100 s and browsers slow delays under 2/100 s down, so `fps` is 1 to
50.  Given the frames' epochs, each frame is shown until the next one's epoch
(`frame_durations`: the usual gap plays in 1/fps s), so the animation keeps the
run's pace where frames are unevenly spaced.  The last frame is held for
`hold_last` seconds (default 1) so a looping animation pauses on the organised map.  MP4 is not offered: it needs FFmpeg
(PyAV or imageio-ffmpeg, tens of MiB of native libraries in the bundle).

**Frames written.**  Pillow stores two identical consecutive pictures once, their times
added (the animation plays the same): a run whose late frames no longer change writes
fewer frames than it recorded (testerG #9: 76 recorded, 73 in the GIF).  `write_animation`
returns the count in the written file (`animation_frame_count`), which the window's status
line and `somdesk train --timelapse`'s summary report.

Writes are atomic (`somdesk.io.atomic`): a failed export leaves any previous
file byte for byte.
"""
from __future__ import annotations

import io
import math
import os

import numpy as np

from somdesk.core.options import count_text
from somdesk.errors import SomdeskError

FORMATS = {".gif": "GIF", ".png": "PNG", ".apng": "PNG"}
MAX_FPS = 50
MAX_FRAMES = 2000
MAX_ANIMATION_PIXELS = 200_000_000   # all frames together, at output size
MAX_GIF_SIDE = 65535                 # GIF stores width and height in 16 bits


class FrameRecorder:
    """Keeps at most `max_frames` evenly spaced frames of a run, always the latest."""

    def __init__(self, max_frames: int = 120):
        from somdesk.core.options import shown, whole_number

        frames = whole_number("the number of time-lapse frames", max_frames)
        if not 2 <= frames <= MAX_FRAMES:
            raise SomdeskError(f"a time-lapse keeps 2 to {count_text(MAX_FRAMES, 'frame')}, not {shown(frames)}")
        self.max_frames = frames
        self.reset()

    def reset(self) -> None:
        self.stride = 1
        self._kept: list[tuple[int, np.ndarray]] = []
        self._last: tuple[int, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self._items())

    def wants(self, iteration: int) -> bool:
        """Would a frame of `iteration` be kept as one of the evenly spaced frames?
        (The latest frame is kept anyway: offer the final state whatever this says.)"""
        return not self._kept or iteration < self._kept[-1][0] or iteration >= self._kept[-1][0] + self.stride

    def next_wanted(self, iteration: int) -> int:
        """The first iteration from `iteration` on that `wants` keeps: a driver that runs several
        epochs in one call (the window at Max) stops there to take the frame."""
        iteration = int(iteration)
        if not self._kept or iteration < self._kept[-1][0]:
            return iteration
        return max(iteration, self._kept[-1][0] + self.stride)

    def offer(self, iteration: int, frame: np.ndarray) -> bool:
        """Record `frame` (H, W, 3) uint8 of `iteration`; True if it is kept beyond being the latest.

        A frame from an earlier iteration than the last one kept starts a new recording.
        """
        iteration = int(iteration)
        frame = np.array(frame, dtype=np.uint8, copy=True)
        if self._kept and (iteration < self._kept[-1][0] or frame.shape != self._kept[-1][1].shape):
            self.reset()
        self._last = (iteration, frame)
        if self._kept and iteration == self._kept[-1][0]:
            self._kept[-1] = self._last
            return True
        if not self.wants(iteration):
            return False
        self._kept.append(self._last)
        while len(self._kept) > self.max_frames - 1:   # one place stays free for the latest frame
            self._kept = self._kept[::2]
            self.stride *= 2
        return True

    def _items(self) -> list[tuple[int, np.ndarray]]:
        items = list(self._kept)
        if self._last is not None and (not items or items[-1][0] != self._last[0]):
            items.append(self._last)
        return items

    @property
    def frames(self) -> list[np.ndarray]:
        """The recorded frames, oldest first; the last one is the latest offered."""
        return [f for _i, f in self._items()]

    @property
    def iterations(self) -> list[int]:
        """The iteration of each frame in `frames`."""
        return [i for i, _f in self._items()]


def animation_format(path) -> str:
    """"GIF" or "PNG" (APNG) from the extension of `path`, or a SomdeskError."""
    ext = os.path.splitext(os.fspath(path))[1].lower()
    if ext not in FORMATS:
        raise SomdeskError(f"{os.fspath(path)}: a time-lapse is written as .gif, .png or .apng "
                           f"(animated PNG), not {ext or 'a file without extension'}")
    return FORMATS[ext]


def _check_fps(fps: float) -> float:
    from somdesk.core.options import real_number, shown
    from somdesk.errors import OptionError

    try:
        value = real_number("the frame rate", fps)
    except OptionError:
        value = math.nan        # text, None, NaN, inf: reported with the range below
    if not 1 <= value <= MAX_FPS:
        fps = shown(fps)
        raise SomdeskError(f"the frame rate must be between 1 and {count_text(MAX_FPS, 'frame')} per second, got {fps}")
    return value


def check_animation_size(rows: int, cols: int, frames: int, scale: int, hexagonal: bool = False,
                         fmt: str = "GIF") -> None:
    """SomdeskError unless `frames` frames of a rows x cols map at `scale` px per node can be
    written as `fmt` ("GIF" or "PNG"); cheap, so callers check before training, not after."""
    from somdesk.io.images import MAX_IMAGE_PIXELS
    from somdesk.render.geometry import picture_size

    width, height = picture_size(int(rows), int(cols), hexagonal, int(scale))
    if width * height > MAX_IMAGE_PIXELS:
        raise SomdeskError(f"a time-lapse frame of {width} x {height} px is over the limit of "
                           f"{count_text(MAX_IMAGE_PIXELS, 'pixel')}; choose a smaller scale")
    if width * height * int(frames) > MAX_ANIMATION_PIXELS:
        raise SomdeskError(f"{count_text(frames, 'frame')} of {width} x {height} px are over the limit of "
                           f"{count_text(MAX_ANIMATION_PIXELS, 'pixel')}; choose a smaller size or fewer frames")
    if fmt == "GIF" and max(width, height) > MAX_GIF_SIDE:
        raise SomdeskError(f"a GIF can be at most {MAX_GIF_SIDE:,} px wide and high, and frames of this map are "
                           f"{width} x {height} px; choose a smaller scale or an animated PNG (.png)")


def frame_durations(count: int, fps: float, hold_last: float = 1.0, epochs=None) -> list[int]:
    """Milliseconds each of `count` frames is shown.  Without `epochs`: 1/`fps` each.  With
    `epochs` (the frames' epochs, ascending): each frame lasts until the next one's epoch, the
    animation's clock running in step with the run's -- the usual (median) gap between two
    frames plays in 1/`fps` s, a gap twice as long twice as long -- so frames a run kept
    unevenly (a stopped run's last epoch, a map continued, an opened map's first frame) play
    at the pace of the epochs they show; never under 1000/MAX_FPS ms (20: what GIF viewers
    show).  The last frame is held `hold_last` s (at least one step)."""
    fps = _check_fps(fps)
    step_ms = 1000.0 / fps
    if count <= 0:
        return []
    if epochs is None or len(epochs) != count or count < 2:
        durations = [step_ms] * count
    else:
        gaps = np.diff(np.asarray(epochs, dtype=float))
        if np.any(gaps <= 0):
            raise SomdeskError("time-lapse frames must be given in ascending epochs")
        usual = float(np.median(gaps))
        durations = [max(1000.0 / MAX_FPS, step_ms * g / usual) for g in gaps] + [step_ms]
    durations[-1] = max(step_ms, hold_last * 1000.0)
    return [int(round(d)) for d in durations]


def animation_bytes(frames, fps: float, scale: int = 1, fmt: str = "GIF", hexagonal: bool = False,
                    hold_last: float = 1.0, epochs=None) -> bytes:
    """Encode `frames` (each (H, W, 3) uint8, one value per node) as an animated GIF or APNG,
    timed by `epochs` when given (`frame_durations`)."""
    from PIL import Image

    from somdesk.render.colour_tables import BACKGROUND
    from somdesk.render.geometry import layout

    fps = _check_fps(fps)
    frames = [np.asarray(f) for f in frames]
    if not frames:
        raise SomdeskError("the time-lapse has no frames yet: train the map first")
    shape = frames[0].shape
    if len(shape) != 3 or shape[2] != 3 or any(f.shape != shape for f in frames):
        raise SomdeskError("time-lapse frames must all be (height, width, 3) images of one size")
    check_animation_size(shape[0], shape[1], len(frames), scale, hexagonal, fmt)
    durations = frame_durations(len(frames), fps, hold_last, epochs)
    images = []
    for f in frames:
        f = np.ascontiguousarray(f, dtype=np.uint8)
        if fmt == "GIF":
            # quantise per node, then scale the indices: every node stays one flat block
            q = Image.fromarray(f).quantize(colors=255, method=Image.Quantize.MEDIANCUT,
                                            dither=Image.Dither.NONE)
            pal = q.getpalette()[: 255 * 3]
            pal += [0, 0, 0] * (255 - len(pal) // 3) + list(BACKGROUND)
            idx = layout(np.asarray(q, dtype=np.uint8), hexagonal, int(scale), fill=255)
            im = Image.frombytes("P", idx.shape[::-1], np.ascontiguousarray(idx).tobytes())
            im.putpalette(pal)
            images.append(im)
        else:
            images.append(Image.fromarray(layout(f, hexagonal, int(scale))))
    buf = io.BytesIO()
    images[0].save(buf, format=fmt, save_all=True, append_images=images[1:], duration=durations, loop=0,
                   **({"optimize": False} if fmt == "GIF" else {}))
    return buf.getvalue()


def animation_frame_count(data: bytes) -> int:
    """The number of frames of the animated GIF or PNG `data` (bytes of animation_bytes): what a
    viewer shows, after Pillow stored identical consecutive pictures once.  Reads the frames'
    headers only (GIF) or the animation chunk (APNG), no pixels."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        return int(getattr(im, "n_frames", 1))


def write_animation(path, frames, fps: float = 20, scale: int = 4, *, hexagonal: bool = False,
                    hold_last: float = 1.0, epochs=None) -> int:
    """Write `frames` as an animated GIF (.gif) or APNG (.png, .apng) to `path`, atomically;
    returns the number of frames in the file (at most len(frames): identical consecutive
    pictures are stored once, their durations added -- see the module docstring).

    `scale` is pixels per node, nearest-neighbour; `hexagonal` lays the nodes out
    as `somdesk.render` does; `epochs` (one per frame, ascending) times each
    frame by the epochs until the next (`frame_durations`), else each lasts 1/`fps` s.
    SomdeskError for a bad name, frame set, size or fps, or a failed write.
    """
    from somdesk.io.atomic import atomic_write_bytes

    fmt = animation_format(path)
    data = animation_bytes(frames, fps, scale, fmt, hexagonal, hold_last, epochs)
    atomic_write_bytes(path, data)
    return animation_frame_count(data)


def frames_written_text(written: int, recorded: int, fps: float) -> str:
    """"73 frames at 20 fps (76 recorded; identical consecutive frames are stored once)", or
    without the brackets when every recorded frame was written: the window's status line and
    the command line's summary say the same."""
    text = f"{count_text(written, 'frame')} at {fps:g} fps"
    if written != recorded:
        text += f" ({recorded:,} recorded; identical consecutive frames are stored once)"
    return text
