"""Table maps streamed out of core equal the in-memory table map; saved maps score with assign."""
import numpy as np
import pytest

from somdesk.errors import FileFormatError, OptionError
from somdesk.io.tables.table import read_table
from somdesk.session.outofcore_table import train_table_map_streaming
from somdesk.session.scoring import load_table_map, save_table_map
from somdesk.session.table_data import TableMapSpec, train_table_map

from .test_outofcore import _data, _write_parquet


@pytest.mark.parametrize("normalise", ["zscore", "minmax"])
def test_streamed_table_map_equals_in_memory(tmp_path, normalise):
    x = _data(3000, 4, seed=2)
    _write_parquet(tmp_path / "t.parquet", x, ["a", "b", "c", "d"])
    spec = TableMapSpec(normalise=normalise, weights={"b": 2.0}, passive=("d",), height=7, width=6,
                        epochs=8, clusters=4, seed=3)
    ref, _ = train_table_map(read_table(tmp_path / "t.parquet"), spec)
    out = train_table_map_streaming(tmp_path / "t.parquet", spec, chunk_rows=450)
    assert out.codebook.shape == ref.codebook.shape == (7, 6, 3)
    assert np.max(np.abs(out.codebook - ref.codebook)) <= 1e-9
    np.testing.assert_allclose(out.recipe.offset, ref.recipe.offset, rtol=1e-12)
    np.testing.assert_allclose(out.recipe.scale, ref.recipe.scale, rtol=1e-12)
    assert out.quantization_error == pytest.approx(ref.quantization_error, rel=1e-9)
    assert np.array_equal(out.clusters, ref.clusters)


def test_streamed_map_saves_and_scores(tmp_path):
    x = _data(2000, 3, seed=4)
    _write_parquet(tmp_path / "t.parquet", x, ["a", "b", "c"])
    tm = train_table_map_streaming(tmp_path / "t.parquet", TableMapSpec(height=5, width=5, epochs=5), chunk_rows=300)
    save_table_map(tm, tmp_path / "m.somz")
    back = load_table_map(tmp_path / "m.somz")
    assert np.array_equal(back.codebook, tm.codebook)
    assert len(back.row_index) == 2000


def test_streaming_refuses_what_it_cannot_do(tmp_path):
    x = _data(100, 2)
    _write_parquet(tmp_path / "t.parquet", x, ["a", "b"])
    with pytest.raises(OptionError, match="missing-value policy"):
        train_table_map_streaming(tmp_path / "t.parquet", TableMapSpec(missing="zero"))
    with pytest.raises(OptionError, match="forced categorical"):
        train_table_map_streaming(tmp_path / "t.parquet", TableMapSpec(categorical=("a",)))
    # 3 rows kept: the fewest a map trains on (session.table_checks.MIN_ROWS)
    (tmp_path / "m.csv").write_text("a,b\n1,2\n,3\n4,5\n6,1\n")
    # --missing drop (the default): the engine leaves the row out
    tm = train_table_map_streaming(tmp_path / "m.csv", TableMapSpec(height=2, width=2, epochs=2))
    assert len(tm.row_index) == 3
    tm = train_table_map_streaming(tmp_path / "m.csv", TableMapSpec(height=2, width=2, epochs=2),
                                   where="a IS NOT NULL")
    assert len(tm.row_index) == 3
    # --missing train: rows with no value left out, the user's filter kept whole
    (tmp_path / "w.csv").write_text("a,b\n1,2\n,3\n4,5\n,\n7,4\n")
    tm = train_table_map_streaming(tmp_path / "w.csv", TableMapSpec(height=2, width=2, epochs=2, missing="train"),
                                   where="b >= 3")
    assert len(tm.row_index) == 3 and np.isfinite(tm.codebook).all()
    (tmp_path / "e.csv").write_text("a,b\n1,\n,3\n")
    with pytest.raises(FileFormatError, match="every row has a missing value"):
        train_table_map_streaming(tmp_path / "e.csv", TableMapSpec(height=2, width=2, epochs=2))
