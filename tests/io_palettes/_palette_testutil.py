"""Shared helpers for the palette tests (not a test module)."""
from __future__ import annotations

import importlib.util
import os
import time

from somdesk.io import palettes as P
from somdesk.io.palettes.context import ReadContext

FIXTURE_DIR = os.path.join(os.path.dirname(__file__), "..", "fixtures", "palettes")
FIXTURE_DIR = os.path.normpath(FIXTURE_DIR)

#: Per-call CPU-time budget for hostile input: catches quadratic or runaway parsing
#: (orders of magnitude over), not speed; CPU time, so a busy shared machine does not fail it.
TIME_LIMIT = 5.0

#: File-name hint used when feeding each format's reader.
EXT = {
    "gpl": ".gpl", "ase": ".ase", "aco": ".aco", "jasc-pal": ".pal", "riff-pal": ".pal",
    "paintnet": ".txt", "hex": ".hex", "kpl": ".kpl", "soc": ".soc", "css": ".css",
    "json": ".json", "csv": ".csv", "image": ".png", "act": ".act", "raw-pal": ".pal",
    "scribus": ".xml", "sbz": ".sbz",
}

#: A valid fixture per format, the seed for mutation fuzzing.
SEED_FIXTURES = {
    "gpl": ["gpl_crlf_bom.gpl", "gpl_rgba.gpl"],
    "ase": ["ase_groups.ase", "ase_version_01.ase"],
    "aco": ["aco_v1_v2_spaces.aco", "aco_v2_only.aco"],
    "jasc-pal": ["jasc_alpha.pal"],
    "riff-pal": ["riff.pal"],
    "paintnet": ["paintnet.txt"],
    "hex": ["lospec.hex", "hexline.hex", "hexline.txt"],
    "kpl": ["krita_groups.kpl", "krita4_lab.kpl", "krita5_lab.kpl"],
    "soc": ["soc_oasis.soc", "soc_openoffice.soc"],
    "css": ["mixed.css"],
    "json": ["object.json", "list.json", "nice_lists.json", "named_lists.json",
             "palette_objects.json", "name_map.json"],
    "csv": ["hex_named.csv", "rgb.csv", "rows_lists.csv", "hexline.csv"],
    "image": ["indexed.png", "rgb.png", "indexed.gif", "indexed_trns.png"],
    "act": ["act_plain.act", "act_transparent.act", "act_short.act"],
    "raw-pal": ["nes_64.pal", "nes_512.pal"],
    "scribus": ["scribus_set.xml"],
    "sbz": ["sbz_book.sbz", "sbz_ral_like.sbz"],
}


def fixture_path(name: str) -> str:
    return os.path.join(FIXTURE_DIR, name)


def fixture_bytes(name: str) -> bytes:
    with open(fixture_path(name), "rb") as f:
        return f.read()


def load_make_fixtures():
    spec = importlib.util.spec_from_file_location(
        "somdesk_palette_make_fixtures", os.path.join(FIXTURE_DIR, "make_fixtures.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reader_for(fmt: str):
    return P._READERS[fmt]


def check_outcome(call, *args):
    """Run `call`; it must return a Palette or raise a clean PaletteError, in time.

    Returns the palette or the error.  Anything else fails the test, and so
    does an "internal error" message (the safety net in read_palette_bytes
    must never be needed).
    """
    start = time.process_time()
    try:
        result = call(*args)
    except P.PaletteError as exc:
        result = exc
        message = str(exc)
        assert message and "\n" not in message, message
        assert "internal error" not in message, message
    elapsed = time.process_time() - start
    assert elapsed < TIME_LIMIT, f"took {elapsed:.2f}s"
    if isinstance(result, P.Palette):
        assert 1 <= len(result.swatches) <= P.MAX_COLORS
        for s in result.swatches:
            assert all(0 <= v <= 255 for v in s.rgb)
            assert s.name is None or len(s.name) <= P.MAX_NAME_CHARS
    return result


def read_direct(fmt: str, data: bytes):
    """Call one format's reader directly (bypassing detection and the safety net);
    collection formats through their all-palettes reader too."""
    result = check_outcome(reader_for(fmt), data, ReadContext("fuzz" + EXT[fmt], fmt))
    if fmt in P._COLLECTION_READERS:
        palettes = check_outcome(P._COLLECTION_READERS[fmt], data, ReadContext("fuzz", fmt))
        if isinstance(palettes, list):
            assert 1 <= len(palettes) and all(1 <= len(p) <= P.MAX_COLORS for p in palettes)
    return result
