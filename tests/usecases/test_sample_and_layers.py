"""The sample customer table, the benchmark's pictures, and the no-Qt contract."""
import importlib.util
import pathlib
import subprocess
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]


def load_module(path: pathlib.Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_sample_customers_file_is_what_the_tool_generates():
    tool = load_module(ROOT / "tools" / "make_sample_customers.py")
    shipped = (ROOT / "resources" / "samples" / "customers.csv").read_text(encoding="utf-8")
    assert shipped == tool.to_csv(tool.make_rows())


def test_sample_customers_reads_and_segments():
    from somdesk.core import SOM, SOMConfig
    from somdesk.core.clustering import cluster_codebook, majority_labels
    from somdesk.io.table import read_table

    tab = read_table(ROOT / "resources" / "samples" / "customers.csv")
    assert tab.n_rows == 1000
    assert tab.columns == ["customer_id", "age", "annual_income", "visits_per_month", "basket_size",
                           "online_share", "region", "segment"]
    numeric = ["age", "annual_income", "visits_per_month", "basket_size", "online_share"]
    assert tab.numeric_columns == numeric
    assert tab.missing_count("annual_income") == 12 and tab.missing_count("age") == 8
    assert tab.missing_count("online_share") == 5
    assert sorted(set(tab.strings("segment"))) == ["Bargain hunters", "Professionals", "Retirees",
                                                   "Students", "Young families"]
    prep = tab.prepare(numeric, label_column="segment")
    assert prep.n_missing == 25 and prep.n_dropped_rows == 24 and prep.data.shape == (976, 5)  # one row misses two
    som = SOM(prep.data, SOMConfig(width=12, height=10, iterations=20, mode="batch", init="pca",
                                   seed=1)).train()
    names = majority_labels(som.bmus(prep.data), prep.labels, 10, 12)
    assert {n for n in names.ravel() if n} == set(tab.strings("segment"))   # every segment owns nodes
    assert sorted(np.unique(cluster_codebook(som.weights, 5))) == [0, 1, 2, 3, 4]


def test_benchmark_pictures():
    bench = load_module(ROOT / "benchmarks" / "bench_quantize.py")
    for img in (bench.gradient(), bench.photo_like(), bench.flat_graphic()):
        assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3
    from somdesk.core.quantize import count_colours
    assert count_colours(bench.flat_graphic()) <= 13
    assert count_colours(bench.photo_like()) > 10_000


def test_usecase_modules_load_no_qt():
    code = ("import sys\n"
            "import somdesk.core.quantize, somdesk.core.clustering\n"
            "import somdesk.io.image_input, somdesk.io.table, somdesk.io.quantized_png\n"
            "from somdesk.io.image_input import supported_image_formats; supported_image_formats()\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')]\n"
            "assert not bad, bad\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
