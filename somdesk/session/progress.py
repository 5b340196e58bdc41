"""Small immutable objects that long tasks yield and return.

Every long task of the session (`Session.train_task`, `open_task`,
`quantise_task`, `cluster_task`) is a generator that yields these and returns
its result (StopIteration.value, superqt's `returned` signal).  They hold only
copies, so a driver may hand them to another thread as they are.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from somdesk.core.cancel import drain
from somdesk.core.options import count_text
from somdesk.core.quantize import MAX_COLOURS
from somdesk.session.mapstate import MapState


@dataclass(frozen=True)
class Progress:
    """How far a task is: `done` of `total` units of `what` ("rows", "epochs", ...)."""

    task: str            # "open", "quantise", "cluster", "train"
    done: int
    total: int
    what: str = ""
    phase: str = ""

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total > 0 else 0.0


@dataclass(frozen=True)
class TrainProgress:
    """One epoch of training done.

    iteration/total   epochs of the current phase; `epoch` counts this run's epochs over all phases;
    overall/planned   epochs since the map started and of the whole run, over all phases
    phase             "training" for colours and tables; "ordering", "fine-tuning",
                      "recovering unused colours" for an image's palette map
    map               a MapState when the driver asked for a snapshot (snapshot_when)
                      or at the last epoch; None otherwise
    measures          ((iteration, QE, TE),) when `map` was measured, else ()
    preview           for an image map, with every measured map: the picture's preview
                      copy (ImageData.preview) quantised to the map's colours, with its PSNR
    """

    iteration: int
    total: int
    sigma: float
    alpha: float
    elapsed: float
    phase: str = "training"
    epoch: int = 0
    map: MapState | None = None
    measures: tuple = ()
    preview: "QuantisedPicture | None" = None   # image maps: the preview copy quantised, with each measured map
    map_seconds: float = 0.0        # what taking `map` (and `preview`) cost, for a driver that budgets it
    overall: int = 0                # epochs since the map started, over every phase (runs.epoch_position)
    planned: int = 0                # epochs the whole run takes (an image map: every phase)


@dataclass(frozen=True)
class RunOutcome:
    """What a training task ends with: the final map, and whether it was stopped."""

    map: MapState
    stopped: bool
    finished: bool
    elapsed: float           # seconds of the epochs (and their live maps)
    warm_up: float = 0.0     # seconds before the first epoch compiling or loading the kernels


@dataclass(frozen=True)
class QuantisedPicture:
    """A picture with every pixel replaced by a palette colour.

    palette   (K, 3) uint8: the map's node colours (live preview, in node order) or the
              palette fitted from them (Quantise full picture: core.map_quantise.
              quantise_from_map, sorted by colour); for a picture with alpha (K', 4) RGBA
              with translucent entries and the transparent entry
    indices   (H, W) uint8/uint16 palette index of every pixel (full size)
    psnr      dB against the original as both look on white; inf when identical
    delta_e   mean CIEDE2000 against the original, as both look on white (core.map_quantise.
              indexed_delta_e: on 65,536 pixels of a bigger picture), for the full quantised
              picture; None for the live preview (measured every frame, it would slow training)
    used      palette entries some pixel uses
    parts     (opaque, translucent, transparent): `used` split by the entries' alpha -- the
              opaque ones are the map's node colours, the others are added for a picture
              with alpha (docs/quantisation.md), so `used` can exceed the map's node count
    small     (H', W', 3) uint8: what the window draws, at most DISPLAY_MAX_SIDE a side
              (core.map_quantise.shown_small; made by the task that quantised, off the
              GUI thread), or None: `shown()` makes it
    dithered  True when the pixels were mapped with Floyd-Steinberg error diffusion
              (`somdesk quantize --dither`), False for nearest colour
    source_colours  colours the picture that was quantised shows (core.colour_histogram.
              distinct_colours: the full picture for Quantise full picture, the preview copy
              for the live preview), or None when not counted; the side-by-side caption
    """

    palette: np.ndarray
    indices: np.ndarray
    psnr: float
    used: int
    small: np.ndarray | None = field(default=None, compare=False, repr=False)
    parts: tuple[int, int, int] = (0, 0, 0)
    delta_e: float | None = None
    dithered: bool = False
    source_colours: int | None = None

    def colours_text(self, nodes: int) -> str:
        """'N colours', and for a picture with alpha where they come from, e.g. '106 colours (64
        of the map's 64 node colours + 41 translucent + transparent)': a user who trained 64
        nodes otherwise reads 106 as a wrong count (tester10 #11).  `nodes`: the map's size.
        A map of more nodes than an indexed PNG holds says so: a 20x20 map gave '256 colours'
        without a word why not 400 (testerG #12; core.map_quantise.map_start drops the nodes
        the fewest pixels pick)."""
        opaque, translucent, transparent = self.parts
        # capped: the palette is within a PNG's entries while the map has more nodes (the live
        # preview of an opaque picture draws with every node, its palette is not capped)
        capped = len(self.palette) <= MAX_COLOURS < nodes + (1 if transparent else 0)
        if not translucent and not transparent:
            why = (f" (a PNG palette holds at most {count_text(MAX_COLOURS, 'colour')}: the map's "
                   f"{count_text(nodes - MAX_COLOURS, 'node')} the fewest pixels pick, of {nodes:,}, were left out)"
                   if capped else "")
            return f"{count_text(self.used, 'colour')}{why}"
        why = (f"; a PNG palette holds at most {count_text(MAX_COLOURS, 'colour')}, so the nodes the fewest "
               "pixels pick were left out" if capped else "")
        extra = (f" + {translucent:,} translucent" if translucent else "") + (" + transparent" if transparent else "")
        return f"{count_text(self.used, 'colour')} ({opaque:,} of the map's {nodes:,} node colours{extra}{why})"

    def quality_text(self) -> str:
        """'PSNR 27.50 dB, mean CIEDE2000 5.9' (the words of `somdesk quantize`); the PSNR
        alone when `delta_e` is None (the live preview)."""
        text = f"PSNR {self.psnr:.2f} dB"
        return text if self.delta_e is None else f"{text}, mean CIEDE2000 {self.delta_e:.1f}"

    def shown(self) -> np.ndarray:
        """(H', W', 3) uint8: the picture as the window draws it (`small`; `rgb()` when it
        fits the screen)."""
        if self.small is not None:
            return self.small
        from somdesk.core.map_quantise import shown_small

        h, w = self.indices.shape
        return shown_small(h, w, lambda a, b: self.palette[self.indices[a:b]])

    @property
    def has_alpha(self) -> bool:
        return self.palette.shape[1] == 4

    def pixels(self) -> np.ndarray:
        """(H, W, 3|4) uint8: the quantised picture itself (RGBA when the palette has alpha)."""
        return self.palette[self.indices]

    def rgb(self) -> np.ndarray:
        """(H, W, 3) uint8 quantised picture as the window shows it (RGBA over a checkerboard)."""
        if not self.has_alpha:
            return self.palette[self.indices]
        from somdesk.core.map_quantise import rows_on_checkerboard

        h, w = self.indices.shape        # in bands: no full-size RGBA copy on the way
        return rows_on_checkerboard(h, w, lambda a, b: self.palette[self.indices[a:b]])


@dataclass(frozen=True)
class ClusterResult:
    """Clusters of the map's nodes: `labels` (H, W) int64 0..k-1; `summary` one line per cluster."""

    labels: np.ndarray
    k: int
    method: str
    summary: tuple = ()


# Drive a task generator to the end on this thread and return its result.
run_to_end = drain
