"""What a session trains on: one dataset of one kind, immutable.

The session's kinds are `KINDS`; colours and pictures are datasets, each a frozen
dataclass with the same small surface (a table is held by Session.table, see below):

    dataset.kind      "colours" | "image"
    dataset.data      (N, D) float64 training inputs (read-only array)
    dataset.source    the file it came from (str) or None
    dataset.title     what the window calls it
    dataset.warnings  what the reader said about the file, one sentence each (the CLI's
                      warnings: `palette info`, `quantize`); () when nothing

`ColourData`   N colours in [0, 1] (D = 3), with optional swatch names.
`ImageData`    a picture (H, W, 3) RGB or (H, W, 4) RGBA uint8 and the visible pixels
               sampled from it to train the quantiser (`QuantiserSettings` says how many and with which seed).
A table is not a dataset here: its rows, preparation (session.table_data.TableMapSpec,
core.preparation.Recipe) and map live in session.table_workspace.TableWorkspace
(`Session.table`), the model the window's Segments dock shows.

Datasets never change; a change (another label column, other columns) makes a
new dataset, so a snapshot taken before can never show a mix of the two.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from somdesk.core.options import count_text
from somdesk.errors import OptionError

KINDS = ("colours", "image", "table")


def frozen_array(a, dtype=None) -> np.ndarray:
    """A read-only C-contiguous copy of `a` (so a dataset or snapshot cannot be edited in place).

    An array already read-only, C-contiguous, of the dtype asked and owning its memory is
    taken as it is: whoever froze it handed it over (a 100 Mpx picture read from its file,
    the indices of a full-size quantisation: a copy of each cost 100-400 MB, tester7 #13)."""
    if (isinstance(a, np.ndarray) and not a.flags.writeable and a.flags.c_contiguous and a.flags.owndata
            and (dtype is None or a.dtype == np.dtype(dtype))):
        return a
    arr = np.array(a, dtype=dtype, copy=True, order="C")
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True)
class ColourData:
    """N colours to organise: `colours` (N, 3) float64 sRGB in [0, 1]; `names` N strings or None.

    Given (N, 4), the fourth column is straight alpha in [0, 1] (a palette's transparency,
    issue 11): kept as `alpha` (N,) -- None when every colour is opaque -- carried by edits,
    Save palette as and .somz files.  The map organises the colours (RGB); alpha travels
    with each input and is never trained.

    `space` is the colour space the map trains in (core.colour_space.SPACES, issue 15):
    `data` is the colours converted to it ("srgb": the colours themselves), so the
    SOM's weights are in that space and are shown through colour_space.fit_gamut."""

    colours: np.ndarray
    names: tuple = ()
    title: str = "random colours"
    source: str | None = None
    space: str = "srgb"
    alpha: np.ndarray | None = None
    # the palette's own name as the file gave it (a GPL "Name:", a JSON "name"); None when the
    # file has none or there is no file: the title is then made up (the file's name, "random colours")
    own_name: str | None = None
    # what the palette reader said about the file (clamped values, skipped var(), a damaged
    # names section): the words `somdesk palette info` prints, shown by the window beside the
    # colours; () for colours that come from no file or read without a remark
    warnings: tuple = field(default=(), compare=False)
    kind: str = field(default="colours", init=False)

    def __post_init__(self) -> None:
        arr = np.asarray(self.colours, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[1] not in (3, 4) or len(arr) == 0:
            raise OptionError(f"colours must be a non-empty (N, 3) or (N, 4) array, got shape {arr.shape}")
        alpha = arr[:, 3] if arr.shape[1] == 4 else self.alpha
        if alpha is not None:
            alpha = np.clip(np.asarray(alpha, dtype=np.float64).reshape(-1), 0.0, 1.0)
            if len(alpha) != len(arr) or bool((alpha >= 1.0).all()):
                alpha = None          # every colour opaque (or a list of the wrong length): no alpha
        object.__setattr__(self, "alpha", None if alpha is None else frozen_array(alpha, np.float64))
        arr = arr[:, :3]
        object.__setattr__(self, "colours", frozen_array(arr, np.float64))
        object.__setattr__(self, "warnings", tuple(str(w) for w in self.warnings))
        names = tuple(self.names) if self.names else ()
        if names and len(names) != len(arr):
            names = ()  # names are a nicety: a list of the wrong length is dropped
        object.__setattr__(self, "names", names)
        from somdesk.core.colour_space import choose_space, to_space

        space = choose_space(self.space)            # OptionError lists the valid spaces
        object.__setattr__(self, "space", space)
        object.__setattr__(self, "_data", self.colours if space == "srgb"
                           else frozen_array(to_space(self.colours, space), np.float64))

    @property
    def data(self) -> np.ndarray:
        """(N, 3) training inputs: the colours in `space`."""
        return self._data

    @property
    def palette_name(self) -> str | None:
        """The palette's own name (`own_name`, kept from the file when it was read; a name equal
        to the file's name counts too); None when the palette has none -- a .hex palette,
        random colours, "3 palettes".  What Save palette as has to lose when the format keeps
        no names (io.palettes.write_losses)."""
        return self.own_name or None

    @property
    def with_alpha(self) -> np.ndarray:
        """(N, 4) RGBA in [0, 1] when some colour is not opaque, else the (N, 3) colours."""
        if self.alpha is None:
            return self.colours
        return np.column_stack([self.colours, self.alpha])


@dataclass(frozen=True)
class QuantiserSettings:
    """How an image's palette map is trained (see core.quantize for the phases).

    sample      pixels drawn from the picture to train on (core.quantize.DEFAULT_SAMPLE)
    fine_tune   fine-tuning epochs after the ordering epochs (0: none)
    revive      move nodes no pixel picks onto the worst-served colours afterwards
    """

    sample: int = 65_536
    fine_tune: int = 20
    revive: bool = True

    def __post_init__(self) -> None:
        if int(self.sample) < 1:
            raise OptionError(f"the sample size must be at least 1, got {self.sample}")
        if int(self.fine_tune) < 0:
            raise OptionError(f"fine-tuning epochs must be 0 or more, got {self.fine_tune}")
        object.__setattr__(self, "sample", int(self.sample))
        object.__setattr__(self, "fine_tune", int(self.fine_tune))
        object.__setattr__(self, "revive", bool(self.revive))

    def to_dict(self) -> dict:
        return {"sample": self.sample, "fine_tune": self.fine_tune, "revive": self.revive}


PREVIEW_MAX_SIDE = 640   # the live preview of the quantised picture is computed at most this big


def downscale(pixels: np.ndarray, max_side: int) -> np.ndarray:
    """A copy of the (H, W, 3|4) uint8 picture at most `max_side` pixels a side (box filter:
    every source pixel counts once, as the eye averages them; Pillow weights RGBA by alpha);
    the picture itself if smaller."""
    from PIL import Image

    h, w = pixels.shape[:2]
    if max(h, w) <= max_side:
        return pixels
    f = max_side / max(h, w)
    size = (max(1, round(w * f)), max(1, round(h * f)))
    return np.asarray(Image.fromarray(np.ascontiguousarray(pixels)).resize(size, Image.Resampling.BOX,
                                                                          reducing_gap=2.0))


@dataclass(frozen=True)
class ImageData:
    """A picture to quantise: `pixels` (H, W, 3) RGB or (H, W, 4) RGBA uint8 (the picture had
    transparency: `has_alpha`); `sample` (N, 3) float64 in [0, 1], drawn from the visible pixels
    only (core.quantize.sample_pixels; docs/quantisation.md has the transparency rule).

    `pixels` is the full picture when opened from its file, or the downscaled copy
    kept in a saved map (`full_size` is then False and `source` names the original).
    `preview` is the picture at most PREVIEW_MAX_SIDE a side, on which the live
    quantised preview is computed while the map trains (same cost for any photo).
    `small` is what the window draws: the picture at most DISPLAY_MAX_SIDE a side over
    a checkerboard (core.map_quantise.shown_small); both are made where the dataset is
    (the reading thread, for a picture opened in the window), so drawing a 100 Mpx
    picture never expands it on the GUI thread (tester7 #13).  `shown()` is full size,
    for exports.
    """

    pixels: np.ndarray
    sample: np.ndarray
    settings: QuantiserSettings = QuantiserSettings()
    sample_seed: int = 0
    title: str = "picture"
    source: str | None = None
    full_size: bool = True
    # what the picture reader said about the file ("anim.gif has 3 frames; frame 1 is used":
    # io.image_input.Picture.warnings), shown by the window beside the picture
    warnings: tuple = field(default=(), compare=False)
    kind: str = field(default="image", init=False)
    preview: np.ndarray = field(default=None, init=False, repr=False, compare=False)
    small: np.ndarray = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        px = np.asarray(self.pixels)
        if px.ndim != 3 or px.shape[2] not in (3, 4) or px.dtype != np.uint8 or 0 in px.shape:
            raise OptionError(f"a picture must be a non-empty (H, W, 3) RGB or (H, W, 4) RGBA uint8 array, "
                              f"got {px.dtype} {px.shape}")
        object.__setattr__(self, "pixels", frozen_array(px))
        object.__setattr__(self, "warnings", tuple(str(w) for w in self.warnings))
        object.__setattr__(self, "sample", frozen_array(self.sample, np.float64))
        object.__setattr__(self, "preview", frozen_array(downscale(self.pixels, PREVIEW_MAX_SIDE)))
        from somdesk.core.map_quantise import shown_small

        h, w = self.pixels.shape[:2]
        small = shown_small(h, w, lambda a, b: self.pixels[a:b])
        object.__setattr__(self, "small", frozen_array(small))
        # what core.map_quantise computes once per preview picture (histogram, translucent entries)
        object.__setattr__(self, "preview_colours", {})

    @property
    def data(self) -> np.ndarray:
        return self.sample

    @property
    def n_pixels(self) -> int:
        return int(self.pixels.shape[0] * self.pixels.shape[1])

    @property
    def has_alpha(self) -> bool:
        """Was the picture read with an alpha channel (some pixel not opaque)?"""
        return self.pixels.shape[2] == 4

    def shown(self) -> np.ndarray:
        """(H, W, 3) uint8: the picture as the window draws it (RGBA over a checkerboard)."""
        from somdesk.core.map_quantise import on_checkerboard

        return on_checkerboard(self.pixels)


def describe(dataset) -> str:
    """One line for a status bar: what the dataset (colours or picture) is."""
    if dataset is None:
        return "no data"
    if dataset.kind == "colours":
        return f"{count_text(len(dataset.data), 'colour')}"
    if dataset.kind == "image":
        h, w = dataset.pixels.shape[:2]
        see_through = ", with transparency" if dataset.has_alpha else ""
        return f"{w} x {h} picture{see_through}, {len(dataset.sample):,} sampled pixels"
    return f"{count_text(len(dataset.data), 'input')}"
