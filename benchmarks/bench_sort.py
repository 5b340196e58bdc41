"""Sorting palettes: somdesk's map sort against hue, lightness and greedy orders.

Run: python benchmarks/bench_sort.py [--fetch] [--corpus DIR] [--max-colours N] [--json FILE]
     python benchmarks/bench_sort.py --strips docs/screenshots/colour-sort-strips.png

Corpus: the .gpl palettes shipped in Debian's gimp-data, inkscape and mypaint-data
packages. `--fetch` builds it in DIR (default ~/.cache/somdesk/palette-corpus) with
`apt-get download gimp-data inkscape mypaint-data` and `dpkg -x` (Debian/Ubuntu; no
root needed for the download itself); otherwise DIR is searched for *.gpl as it is.
Palettes whose colours are identical (GIMP and Inkscape ship some of the same) count
once; palettes with fewer than 16 colours are skipped (the goal's population).

For every palette, the sum of CIEDE2000 between neighbours of the strip is measured
for
    som        somdesk.core.colour_sort.sort_colours (ring SOM in OKLab + 2-opt/Or-opt),
               seed 0
    hue        CIELAB hue angle, ties by L*
    lightness  CIELAB L*, ties by hue
    greedy     nearest-neighbour path from the palette's first colour
    greedy*    the best nearest-neighbour path over every start (500 at most)
and the script prints a row per palette and the goal figures: the share of palettes
where som < hue, som < lightness (both strictly), and the mean of som / greedy and
som / greedy* (below 1.0: som is better on average). Ratios are measured in the same
run, so machine load does not bias them; seconds are wall clock and noisy.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from somdesk.core import colour_path as P  # noqa: E402
from somdesk.core.colour_sort import MAX_SORT_COLOURS, sort_colours  # noqa: E402
from somdesk.io.palettes import read_palette  # noqa: E402

PACKAGES = ("gimp-data", "inkscape", "mypaint-data")
DEFAULT_DIR = Path.home() / ".cache" / "somdesk" / "palette-corpus"


def fetch(corpus: Path) -> None:
    """Download the three Debian packages and unpack them under `corpus`."""
    corpus.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["apt-get", "download", *PACKAGES], cwd=tmp, check=True)
        for deb in sorted(Path(tmp).glob("*.deb")):
            subprocess.run(["dpkg", "-x", str(deb), str(corpus)], check=True)
            print(f"unpacked {deb.name}", file=sys.stderr)


def load_corpus(corpus: Path, min_colours: int, max_colours: int):
    """[(label, rgb float (N, 3))] of distinct palettes with min..max colours."""
    seen, out, skipped = set(), [], []
    for path in sorted(corpus.rglob("*.gpl")):
        try:
            rgb = read_palette(path).to_array()
        except Exception as exc:   # a corrupt file in the corpus is reported, not fatal
            skipped.append(f"{path.name}: {exc}")
            continue
        key = hashlib.sha1(np.ascontiguousarray(rgb).tobytes()).hexdigest()
        if key in seen:
            continue
        seen.add(key)
        if min_colours <= len(rgb) <= max_colours:
            owner = next((part for part in path.parts if part in ("gimp", "inkscape", "mypaint")), "?")
            out.append((f"{owner}/{path.name}", rgb))
        elif len(rgb) > max_colours:
            skipped.append(f"{path.name}: {len(rgb)} colours, over --max-colours {max_colours}")
    return out, skipped


def measure(rgb: np.ndarray) -> dict:
    t0 = time.perf_counter()
    res = sort_colours(rgb, seed=0)
    seconds = time.perf_counter() - t0
    d = P.distance_matrix(rgb)
    return {
        "colours": len(rgb),
        "som": res.cost,
        "hue": P.path_cost(d, P.hue_order(rgb)),
        "lightness": P.path_cost(d, P.lightness_order(rgb)),
        "greedy": P.path_cost(d, P.greedy_path(d, 0)),
        "greedy_best": P.path_cost(d, P.best_greedy_path(d)),
        "input": P.path_cost(d, np.arange(len(rgb))),
        "seconds": seconds,
    }


def draw_strips(palettes, names, path: Path, width: int = 900, row: int = 28) -> None:
    """A PNG with one strip per order (file, hue, lightness, greedy, map sort) per palette."""
    from PIL import Image, ImageDraw

    rows = []
    for label, rgb in palettes:
        if label.split("/")[-1] not in names:
            continue
        d = P.distance_matrix(rgb)
        orders = [("file order", np.arange(len(rgb))), ("hue", P.hue_order(rgb)),
                  ("lightness", P.lightness_order(rgb)), ("greedy", P.greedy_path(d, 0)),
                  ("map sort", sort_colours(rgb, seed=0).order)]
        for what, order in orders:
            img = Image.new("RGB", (width + 170, row), "white")
            draw = ImageDraw.Draw(img)
            for k, i in enumerate(order):
                x0, x1 = 170 + k * width // len(rgb), 170 + (k + 1) * width // len(rgb)
                draw.rectangle([x0, 2, max(x0, x1 - 1), row - 3], fill=tuple(int(round(c * 255)) for c in rgb[i]))
            draw.text((4, 8), f"{label.split('/')[-1][:-4][:12]}: {what} {P.path_cost(d, order):.0f}", fill="black")
            rows.append(np.asarray(img))
    if rows:
        Image.fromarray(np.concatenate(rows, axis=0)).save(path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_DIR, help="folder searched for *.gpl")
    ap.add_argument("--fetch", action="store_true", help="download and unpack the Debian packages first")
    ap.add_argument("--min-colours", type=int, default=16)
    ap.add_argument("--max-colours", type=int, default=MAX_SORT_COLOURS)
    ap.add_argument("--json", type=Path, help="also write every row and the summary as JSON")
    ap.add_argument("--strips", type=Path, metavar="PNG", help="draw the orders of --strip-palettes and exit")
    ap.add_argument("--strip-palettes", default="Tango-Palette.gpl,Named_Colors.gpl",
                    help="comma-separated file names for --strips (default %(default)s)")
    args = ap.parse_args()
    if args.fetch:
        fetch(args.corpus)
    palettes, skipped = load_corpus(args.corpus, args.min_colours, args.max_colours)
    if not palettes:
        print(f"no palettes with >= {args.min_colours} colours under {args.corpus} (try --fetch)", file=sys.stderr)
        return 1
    if args.strips:
        draw_strips(palettes, args.strip_palettes.split(","), args.strips)
        return 0
    rows = []
    print(f"| palette | colours | som | hue | lightness | greedy | greedy* | som/greedy | seconds |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, rgb in palettes:
        r = measure(rgb)
        r["palette"] = label
        rows.append(r)
        print(f"| {label} | {r['colours']} | {r['som']:.1f} | {r['hue']:.1f} | {r['lightness']:.1f} | "
              f"{r['greedy']:.1f} | {r['greedy_best']:.1f} | {r['som'] / r['greedy']:.3f} | {r['seconds']:.2f} |",
              flush=True)
    n = len(rows)
    som = np.array([r["som"] for r in rows])
    summary = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores, {sys.platform}",
        "palettes": n,
        "beats_hue": int(np.sum(som < [r["hue"] for r in rows])),
        "beats_lightness": int(np.sum(som < [r["lightness"] for r in rows])),
        "beats_both": int(np.sum((som < [r["hue"] for r in rows]) & (som < [r["lightness"] for r in rows]))),
        "mean_som_over_greedy": float(np.mean(som / [r["greedy"] for r in rows])),
        "mean_som_over_best_greedy": float(np.mean(som / [r["greedy_best"] for r in rows])),
        "som_not_worse_than_greedy": int(np.sum(som <= np.array([r["greedy"] for r in rows]) + 1e-6)),
        "median_seconds": float(np.median([r["seconds"] for r in rows])),
        "skipped": skipped,
    }
    s = summary
    print()
    print(f"{s['date']}, {n} distinct palettes with >= {args.min_colours} colours")
    print(f"  som < hue sort:         {s['beats_hue']}/{n} ({100 * s['beats_hue'] / n:.0f}%)")
    print(f"  som < lightness sort:   {s['beats_lightness']}/{n} ({100 * s['beats_lightness'] / n:.0f}%)")
    print(f"  som < both:             {s['beats_both']}/{n} ({100 * s['beats_both'] / n:.0f}%)")
    print(f"  mean som / greedy:      {s['mean_som_over_greedy']:.3f} "
          f"(som <= greedy on {s['som_not_worse_than_greedy']}/{n})")
    print(f"  mean som / greedy*:     {s['mean_som_over_best_greedy']:.3f}")
    print(f"  median seconds per sort: {s['median_seconds']:.2f}")
    for line in skipped:
        print(f"  skipped {line}")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
