"""Property tests: any bytes give a picture / table or one of our errors, quickly."""
import time

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from somdesk.errors import SomdeskError
from somdesk.io.image_input import load_image, load_image_bytes
from somdesk.io.table import read_table, read_table_bytes

from _usecase_util import encode, picture
from tests.timing import load_scaled

FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
LIMIT_S = 2.0


def limit_s() -> float:
    """LIMIT_S, grown with the machine's load (tests.timing: a first call that imports a reader
    took 2.2 s at load 11 on 2 cores)."""
    return load_scaled(LIMIT_S)


_img = picture(12, 16, seed=9)
IMAGE_SEEDS = [encode(_img, "PNG"), encode(_img, "JPEG"), encode(_img, "BMP"), encode(_img, "GIF"),
               encode(np.dstack([_img, _img[..., :1]]), "PNG")]
CSV_SEEDS = [b"name,x,y\na,1,2\nb,NA,3\n", b'a;b\n"1,5";2\n3;4\n', b"\xef\xbb\xbfa\tb\n1\t2\n",
             "cité,v\nÉté,1\n".encode("latin-1")]


@st.composite
def mutated(draw, seeds):
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["truncate", "flip", "byte", "insert", "delete", "duplicate"]))
        if kind == "truncate":
            del data[i:]
        elif kind == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "byte":
            data[i] = draw(st.sampled_from([0x00, 0xFF, 0x7F, 0x80, ord("\n"), ord('"'), ord(","), ord(";")]))
        elif kind == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[i:i + draw(st.integers(1, 16))]
        else:
            j = draw(st.integers(i, min(len(data), i + 64)))
            data[i:i] = data[i:j] * draw(st.integers(1, 3))
    return bytes(data)


def check_image(data):
    start = time.perf_counter()
    try:
        img = load_image_bytes(data, "fuzz.png")
    except SomdeskError as exc:
        assert "fuzz.png" in str(exc)
    else:
        assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3
    assert time.perf_counter() - start < limit_s()


def check_table(data):
    start = time.perf_counter()
    try:
        tab = read_table_bytes(data, "fuzz.csv")
    except SomdeskError as exc:
        assert "fuzz.csv" in str(exc)
    else:
        assert tab.n_rows >= 1 and len(tab.columns) >= 1
        for c in tab.columns:
            assert len(tab.strings(c)) == tab.n_rows
            if tab.is_numeric(c):
                tab.prepare([c], label_column=tab.columns[0], missing="mean")
    assert time.perf_counter() - start < limit_s()


@FUZZ
@given(st.binary(max_size=1024))
def test_load_image_arbitrary_bytes(data):
    check_image(data)


@FUZZ
@given(mutated(IMAGE_SEEDS))
def test_load_image_mutated_files(data):
    check_image(data)


@FUZZ
@given(st.binary(max_size=1024))
def test_read_table_arbitrary_bytes(data):
    check_table(data)


@FUZZ
@given(mutated(CSV_SEEDS))
def test_read_table_mutated_files(data):
    check_table(data)


@FUZZ
@given(st.text(alphabet=st.sampled_from(list('ab1.5,;\t"\n\r -?NA')), max_size=300))
def test_read_table_csv_like_text(text):
    check_table(text.encode("utf-8"))


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=256))
def test_files_on_disk(tmp_path, data):
    for name, reader in (("f.png", load_image), ("f.csv", read_table)):
        p = tmp_path / name
        p.write_bytes(data)
        try:
            reader(p)
        except SomdeskError as exc:
            assert name in str(exc)
