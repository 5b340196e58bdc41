"""load_image opens a PNG with Pillow's PNG plugin alone, and reports a damaged one as before."""
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from somdesk.errors import FileFormatError
from somdesk.io.image_input import load_image, load_image_bytes

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_a_png_reads_as_pillow_reads_it(tmp_path):
    rng = np.random.default_rng(2)
    rgba = rng.integers(0, 256, (23, 31, 4)).astype(np.uint8)
    Image.fromarray(rgba).save(tmp_path / "a.png")
    np.testing.assert_array_equal(load_image(tmp_path / "a.png", alpha=True), rgba)
    Image.fromarray(rgba[..., :3]).save(tmp_path / "b.png")
    np.testing.assert_array_equal(load_image(tmp_path / "b.png"), rgba[..., :3])


@pytest.mark.parametrize("tail", [b"", b"\x00\x00\x00\rIHDR", b"garbage" * 20,
                                  b"\x00\x00\x00\rIHDR" + b"\x00\x00\x00\x10" * 2 + b"\x08\x02\x00\x00\x00" + b"1234"
                                  + b"\x00" * 40])
def test_a_damaged_png_gets_the_message_image_open_gave(tail, monkeypatch):
    """The same FileFormatError as through Image.open with every readable format (the old way)."""
    from somdesk.io import image_input

    data = b"\x89PNG\r\n\x1a\n" + tail
    with pytest.raises(FileFormatError) as now:
        load_image_bytes(data, "broken.png")
    monkeypatch.setattr(image_input, "_open", lambda f: Image.open(f, formats=image_input._pillow_formats()))
    with pytest.raises(FileFormatError) as before:
        load_image_bytes(data, "broken.png")
    assert str(now.value) == str(before.value)


def test_reading_a_png_imports_no_other_plugin(tmp_path):
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(tmp_path / "a.png")
    code = ("import sys\nfrom somdesk.io.image_input import load_image\n"
            f"load_image({str(tmp_path / 'a.png')!r}, alpha=True)\n"
            "print(sorted(m for m in sys.modules if m.startswith('PIL.') and m.endswith('ImagePlugin')))\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "['PIL.PngImagePlugin']"
