"""Tables: read speed against pandas, and segment quality against k-means on rows and MiniSom.

    python benchmarks/bench_tables.py [--rows 1000000] [--repeats 5] [--skip-read] [--skip-segments]
                                      [--files csv,parquet,comma,grouped]

Read: a 1,000,000 x 12 numeric CSV and the same table as Parquet (written once to a
temporary folder), read into one (N, 12) float64 matrix by somdesk.io.tables.read_table
(+ Table.matrix) and by pandas (read_csv / read_parquet + to_numpy) in the same run,
each variant right after a pandas run, `repeats` times; the ratio variant / pandas of
each pair and their median are printed (below 1 = faster than pandas).  Goal: no slower
than pandas.  Also shown: somdesk with pyarrow switched off (DuckDB + fetchnumpy, what
the desktop bundle runs), DuckDB's raw read into numpy (that path's floor) and
pyarrow's raw read (both into the same column-major matrix), and polars' raw read when
polars is installed (another engine for scale; somdesk does not use it).  The machine's load
average is printed: on a shared machine the ratios of multi-threaded readers to pandas'
single-threaded one move with it, so the CPU seconds (all threads of the process,
time.process_time) are printed too, with the median of their ratios to pandas' in the same
pairs -- they measure the work, not the waiting.  The same
numbers (times 10) written the European way, ';' and decimal commas, then also with '.'
digit groups, are read by somdesk (both paths) and by pandas read_csv(sep=";",
decimal=",", thousands=".") -- at most 3 repeats for the grouped file.

Segments: scikit-learn's bundled iris, wine and breast-cancer tables (z-scores, every
feature column, k = the number of classes):
  somdesk   train_table_map defaults (SOM Toolbox size, hexagonal, batch, hit-weighted
            k-means of the codebook), rows get their BMU's segment;
  k-means   scikit-learn KMeans on the rows, n_init=10, seeds 0..4 (mean);
  MiniSom   the same grid size, gaussian, batch-free online training of 1000 x N/10
            steps (its README's usage) with PCA init, then the same codebook clustering.
Printed per dataset: ARI to the true classes, silhouette of the rows under the
segments, quantization and topographic error (maps), seconds.  Goal: somdesk's mean
ARI >= k-means' with TE < 0.05.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def make_files(folder: str, rows: int) -> tuple[str, str, str, str]:
    """The numbers as CSV, Parquet, and two European CSVs (';', decimal commas; the last
    with '.' digit groups: -1.234,567891)."""
    import duckdb
    csv_path = os.path.join(folder, "numbers.csv")
    pq_path = os.path.join(folder, "numbers.parquet")
    comma_path = os.path.join(folder, "comma.csv")
    grouped_path = os.path.join(folder, "grouped.csv")
    cols = ", ".join(f"round(random() * 1000 - 500, 6) AS c{i}" for i in range(12))
    con = duckdb.connect()
    con.execute("SELECT setseed(0.5)")
    con.execute(f"CREATE TABLE t AS SELECT {cols} FROM range({rows})")
    con.execute(f"COPY t TO '{csv_path}' (HEADER, DELIMITER ',')")
    con.execute(f"COPY t TO '{pq_path}' (FORMAT parquet)")
    comma = ", ".join(f"replace(printf('%.6f', c{i} * 10), '.', ',') AS c{i}" for i in range(12))
    con.execute(f"COPY (SELECT {comma} FROM t) TO '{comma_path}' (HEADER, DELIMITER ';')")
    grouped = ", ".join(f"replace(replace(replace(format('{{:,.6f}}', c{i} * 10), ',', '_'), '.', ','), '_', '.') AS c{i}"
                        for i in range(12))
    con.execute(f"COPY (SELECT {grouped} FROM t) TO '{grouped_path}' (HEADER, DELIMITER ';')")
    con.close()
    return csv_path, pq_path, comma_path, grouped_path


def bench_read(rows: int, repeats: int, files=("csv", "parquet", "comma", "grouped")) -> dict:
    import duckdb
    import pandas as pd

    from somdesk.io.tables import arrowread
    from somdesk.io.tables.table import read_table

    def ours(path):
        tab = read_table(path)
        out = tab.matrix(tab.columns, copy=False)      # the (N, 12) float64 block, as pandas' to_numpy
        tab.close()
        return out

    def ours_duckdb_only(path):
        # what runs without pyarrow (the desktop bundle leaves it out): DuckDB + fetchnumpy
        arrowread.ENABLED = False
        try:
            return ours(path)
        finally:
            arrowread.ENABLED = True

    def duckdb_raw(path):
        # the floor of the DuckDB-only path: the engine's own read into numpy, nothing else
        con = duckdb.connect(config={"threads": max(1, min(4, os.cpu_count() or 1))})
        fn = "read_parquet" if path.endswith(".parquet") else "read_csv"
        got = con.execute(f"SELECT * FROM {fn}('{path}')").fetchnumpy()
        con.close()
        return _stack_f(list(got.values()))

    def pyarrow_raw(path):
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq
        t = pq.read_table(path) if path.endswith(".parquet") else pacsv.read_csv(path)
        return _stack_f([c.to_numpy() for c in t.columns])

    def polars_raw(path):
        # another engine for scale (not used by somdesk): polars' multi-threaded Rust reader
        import polars as pl
        df = pl.read_parquet(path) if path.endswith(".parquet") else pl.read_csv(path)
        return df.to_numpy(order="fortran").astype(np.float64, copy=False)

    def theirs_csv(path):
        return pd.read_csv(path).to_numpy(dtype=np.float64)

    def theirs_pq(path):
        return pd.read_parquet(path).to_numpy(dtype=np.float64)

    def theirs_comma(path):
        return pd.read_csv(path, sep=";", decimal=",").to_numpy(dtype=np.float64)

    def theirs_grouped(path):
        return pd.read_csv(path, sep=";", decimal=",", thousands=".").to_numpy(dtype=np.float64)

    variants = {"somdesk": ours, "somdesk, DuckDB only": ours_duckdb_only, "DuckDB raw": duckdb_raw,
                "pyarrow raw": pyarrow_raw}
    try:
        import polars  # noqa: F401  (optional: the `bench` extra)
        variants["polars raw"] = polars_raw
    except ImportError:
        pass
    ours_only = {k: variants[k] for k in ("somdesk", "somdesk, DuckDB only")}
    results = {}
    with tempfile.TemporaryDirectory(prefix="somdesk-bench-") as d:
        csv_path, pq_path, comma_path, grouped_path = make_files(d, rows)
        print(f"files: CSV {os.path.getsize(csv_path) / 2**20:.0f} MiB, Parquet {os.path.getsize(pq_path) / 2**20:.0f} MiB, "
              f"decimal-comma CSV {os.path.getsize(comma_path) / 2**20:.0f} MiB, with digit groups "
              f"{os.path.getsize(grouped_path) / 2**20:.0f} MiB; load average before {os.getloadavg()[0]:.2f}")
        for name, path, ref, variants, reps in (
                ("csv", csv_path, theirs_csv, variants, repeats), ("parquet", pq_path, theirs_pq, variants, repeats),
                ("comma", comma_path, theirs_comma, ours_only, repeats),
                ("grouped", grouped_path, theirs_grouped, ours_only, max(1, min(repeats, 3)))):
            if name not in files:
                continue
            b = ref(path)                        # warm up (imports, page cache) and check
            for f in variants.values():
                a = f(path)
                assert a.shape == b.shape == (rows, 12) and np.allclose(a, b), name
            times = {k: [] for k in variants}
            ratios = {k: [] for k in variants}
            cpu_ratios = {k: [] for k in variants}
            cpu = {k: [] for k in variants}
            t_pd, cpu_pd = [], []
            for _ in range(reps):
                for k, f in variants.items():    # each variant right after its own pandas run
                    c = time.process_time(); s = time.perf_counter(); ref(path)
                    tp = time.perf_counter() - s; cpu_pd.append(time.process_time() - c)
                    c = time.process_time(); s = time.perf_counter(); f(path)
                    t = time.perf_counter() - s; cpu[k].append(time.process_time() - c)
                    t_pd.append(tp); times[k].append(t); ratios[k].append(t / tp)
                    cpu_ratios[k].append(cpu[k][-1] / max(cpu_pd[-1], 1e-9))
            results[name] = {k: (statistics.median(times[k]), statistics.median(ratios[k]),
                                 statistics.median(cpu[k]), statistics.median(cpu_ratios[k])) for k in variants}
            results[name]["pandas"] = (statistics.median(t_pd), 1.0, statistics.median(cpu_pd), 1.0)
            print(f"read {name:8s} pandas {results[name]['pandas'][0]:.3f} s, CPU {results[name]['pandas'][2]:.2f} s "
                  f"(medians of {len(t_pd)})")
            for k in variants:
                w, r, c, cr = results[name][k]
                print(f"  {k:22s} {w:.3f} s  ratio to pandas (median of pairs) {r:.2f}   CPU {c:.2f} s (all threads), "
                      f"CPU ratio {cr:.2f}")
    print(f"load average after {os.getloadavg()[0]:.2f}")
    return results


def _stack_f(arrays) -> np.ndarray:
    """(N, k) column-major float64 from k columns (what Table.matrix holds)."""
    out = np.empty((len(arrays[0]), len(arrays)), dtype=np.float64, order="F")
    for j, a in enumerate(arrays):
        out[:, j] = a
    return out


def _te_qe(weights, x, hexagonal):
    from somdesk.core.metrics import quantization_error, topographic_error
    return quantization_error(weights, x), topographic_error(weights, x, hexagonal, False)


def bench_segments() -> None:
    from minisom import MiniSom
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    from somdesk.core.masked_som import masked_bmus
    from somdesk.io.tables.table import read_table
    from somdesk.session.segments import cluster_nodes
    from somdesk.session.table_assign import assign_table
    from somdesk.session.table_data import TableMapSpec, train_table_map

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "tables"))
    from _files import sklearn_csv

    rows = []
    for name, k in (("iris.csv", 3), ("wine_data.csv", 3), ("breast_cancer.csv", 2)):
        tab = read_table(sklearn_csv(name))
        label = tab.columns[-1]
        y = tab.values(label)
        s = time.perf_counter()
        tm, prep = train_table_map(tab, TableMapSpec(label=label, clusters=k))
        seg = np.concatenate([a["segment"] for _, a in assign_table(tm, tab)])
        t_som = time.perf_counter() - s
        x = prep.data
        h, w = tm.config.height, tm.config.width
        hexagonal = tm.config.topology == "hexagonal"
        qe, te = _te_qe(tm.codebook, x, hexagonal)
        rows.append((name, "somdesk", adjusted_rand_score(y, seg), silhouette_score(x, seg), qe, te, t_som, f"{h}x{w}"))

        s = time.perf_counter()
        kms = [KMeans(k, n_init=10, random_state=r).fit_predict(x) for r in range(5)]
        t_km = (time.perf_counter() - s) / 5
        rows.append((name, "k-means rows", np.mean([adjusted_rand_score(y, p) for p in kms]),
                     np.mean([silhouette_score(x, p) for p in kms]), float("nan"), float("nan"), t_km, "-"))

        s = time.perf_counter()
        ms = MiniSom(h, w, x.shape[1], sigma=max(h, w) / 4, learning_rate=0.5,
                     topology="hexagonal" if hexagonal else "rectangular", random_seed=0)
        ms.pca_weights_init(x)
        ms.train(x, 1000 * max(1, len(x) // 10) if len(x) < 1000 else 10 * len(x), random_order=True)
        cb = ms.get_weights()
        idx, _ = masked_bmus(cb, x)
        segs = cluster_nodes(cb, k, topology=tm.config.topology, hits=np.bincount(idx, minlength=h * w))
        mseg = segs.labels.reshape(-1)[idx]
        t_ms = time.perf_counter() - s
        qe, te = _te_qe(cb, x, hexagonal)
        rows.append((name, "MiniSom", adjusted_rand_score(y, mseg), silhouette_score(x, mseg), qe, te, t_ms, f"{h}x{w}"))
    print(f"{'dataset':18s} {'method':13s} {'ARI':>6s} {'silh':>6s} {'QE':>7s} {'TE':>6s} {'time s':>7s}  map")
    for r in rows:
        print(f"{r[0]:18s} {r[1]:13s} {r[2]:6.3f} {r[3]:6.3f} {r[4]:7.3f} {r[5]:6.3f} {r[6]:7.3f}  {r[7]}")
    for method in ("somdesk", "k-means rows", "MiniSom"):
        vals = [r[2] for r in rows if r[1] == method]
        print(f"mean ARI {method:13s} {np.mean(vals):.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--skip-read", action="store_true")
    ap.add_argument("--skip-segments", action="store_true")
    ap.add_argument("--files", default="csv,parquet,comma,grouped",
                    help="which read benchmarks to run (comma-separated: csv, parquet, comma, grouped)")
    args = ap.parse_args()
    print(f"bench_tables {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs")
    if not args.skip_read:
        bench_read(args.rows, args.repeats, tuple(args.files.split(",")))
    if not args.skip_segments:
        bench_segments()


if __name__ == "__main__":
    main()
