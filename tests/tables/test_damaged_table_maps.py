"""A damaged table map (.somz) is refused with one message naming the file, whatever field is
wrong (tester9 #1: a feature naming column 99 or a numeric column called categorical crashed
`assign` and File > Open with a traceback; scales of 0 or NaN, a k of -3, an unknown
normalisation or read options of "abc" were taken silently)."""
from __future__ import annotations

import json
import math
import zipfile

import numpy as np
import pandas as pd
import pytest

from somdesk.cli import main
from somdesk.errors import FileFormatError
from somdesk.session.scoring import load_table_map


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    d = tmp_path_factory.mktemp("maps")
    rng = np.random.default_rng(1)
    n = 120
    pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(5, 2, n), "later": rng.normal(size=n),
                  "city": rng.choice(["Oslo", "Rome", "Lyon"], n), "label": rng.choice(["x", "y"], n)}
                 ).to_csv(d / "t.csv", index=False)
    m = d / "m.somz"
    assert main(["train", "--table", str(d / "t.csv"), "--columns", "a,b,later,city", "--categorical", "city",
                 "--passive", "later", "--label", "label", "--width", "4", "--height", "3", "--epochs", "3",
                 "--clusters", "3", "--seed", "1", "--save-map", str(m), "-q"]) == 0
    return d, m


def _edited(src, dst, edit) -> str:
    """A copy of the map `src` at `dst` with its meta.json's table_map changed by `edit(info)`."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "meta.json":
                meta = json.loads(data)
                edit(meta["table_map"])
                data = json.dumps(meta).encode()
            zout.writestr(item, data)
    return str(dst)


def _set(path: str, value):
    """edit(info): info[path...] = value, `path` dotted ("recipe.scale")."""
    def edit(info):
        *keys, last = path.split(".")
        for k in keys:
            info = info[k]
        info[last] = value(info[last]) if callable(value) else value
    return edit


DAMAGES = {
    "feature names column 99": (_set("recipe.feature_column", lambda v: v[:-1] + [99]), "does not exist"),
    "numeric called categorical": (_set("recipe.kinds", lambda v: ["categorical"] * len(v)), "category columns"),
    "categories of a numeric column": (_set("recipe.categories", lambda v: {**v, "a": "abc"}), "category columns"),
    "categories repeated": (_set("recipe.categories", lambda v: {"city": ["Oslo", "Oslo", "Rome"]}), "distinct"),
    "scales NaN": (_set("recipe.scale", lambda v: [math.nan] * len(v)), "not finite"),
    "negative scale": (_set("recipe.scale", lambda v: [-1.0] + v[1:]), "negative"),
    "one-hot offset": (_set("recipe.offset", lambda v: v[:-1] + [0.5]), "offset or scale"),
    "normalisation": (_set("recipe.normalise", "weird"), "unknown normalisation 'weird'"),
    "missing policy": (_set("recipe.missing", "weird"), "unknown missing-value policy 'weird'"),
    "feature renamed": (_set("recipe.features", lambda v: ["zz"] + v[1:]), "features do not match"),
    "feature weight": (_set("recipe.feature_weight", lambda v: [v[0] * 2] + v[1:]), "weights do not match"),
    "weights of other columns": (_set("recipe.weights", lambda v: {**v, "ghost": 1.0}), "exactly the columns"),
    "k -3": (_set("k", -3), "it says -3 segments"),
    "k 10^9": (_set("k", 10 ** 9), "it says 1000000000 segments"),
    "read options text": (_set("read_options", "abc"), "read options are not a set"),
    "read options refused": (_set("read_options", {"decimal": "x", "delimiter": "\n"}), "not usable"),
    "label a list": (_set("label_column", ["a"]), "label column"),
    "outlier threshold NaN": (_set("outlier_threshold", math.nan), "outlier threshold"),
    "outlier threshold negative": (_set("outlier_threshold", -1.0), "outlier threshold"),
    "topographic error 5": (_set("topographic_error", 5.0), "topographic"),
    "cluster method": (_set("cluster_method", "bogus"), "unknown clustering method"),
}


@pytest.mark.parametrize("name", sorted(DAMAGES))
def test_a_damaged_field_is_one_error_naming_the_file(saved, tmp_path, capsys, name):
    d, m = saved
    edit, words = DAMAGES[name]
    bad = _edited(m, tmp_path / "bad.somz", edit)
    with pytest.raises(FileFormatError) as err:
        load_table_map(bad)
    assert str(err.value).startswith("bad.somz: the table map's description is damaged (") and words in str(err.value)
    assert main(["assign", bad, str(d / "t.csv"), "--out", str(tmp_path / "s.csv")]) == 2
    assert capsys.readouterr().err.splitlines() == [f"error: {err.value}"]
    assert not (tmp_path / "s.csv").exists()


def test_scales_of_zero_on_every_active_column_are_refused(saved, tmp_path):
    _d, m = saved

    def edit(info):
        r = info["recipe"]
        r["kinds"] = ["numeric", "numeric", "numeric"]            # no categories left to vary
        keep = [i for i, f in enumerate(r["features"]) if "=" not in f]
        for key in ("offset", "scale", "fill", "feature_weight", "feature_column", "features"):
            r[key] = [r[key][i] for i in keep]
        r["columns"], r["categories"] = [c for c in r["columns"] if c != "city"], {}
        r["weights"] = {c: w for c, w in r["weights"].items() if c != "city"}
        r["scale"] = [0.0] * len(keep)
    bad = _edited(m, tmp_path / "zero.somz", edit)
    with pytest.raises(FileFormatError, match="every scale is 0|active features but the codebook"):
        load_table_map(bad)


def test_the_map_as_saved_opens_and_one_without_a_method_reclusters(saved, tmp_path):
    from somdesk.session.progress import run_to_end
    from somdesk.session.segments import DEFAULT_METHOD
    from somdesk.session.table_tasks import recluster_steps

    _d, m = saved
    tm = load_table_map(m)
    assert tm.k == 3 and tm.cluster_method == "kmeans"
    plain = load_table_map(_edited(m, tmp_path / "old.somz", lambda info: info.pop("cluster_method")))
    assert plain.cluster_method == DEFAULT_METHOD
    assert run_to_end(recluster_steps(plain, None, 2))["tm"].k == 2
    assert load_table_map(_edited(m, tmp_path / "nok.somz", lambda info: info.pop("k"))).k == 3


def test_the_window_s_open_refuses_it_the_same_way(saved, tmp_path):
    from somdesk.session import Session

    _d, m = saved
    bad = _edited(m, tmp_path / "bad.somz", DAMAGES["feature names column 99"][0])
    s = Session()
    with pytest.raises(FileFormatError, match="bad.somz: the table map's description is damaged"):
        s.open(bad)
