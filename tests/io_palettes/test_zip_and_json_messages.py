"""ZIPs that are not palettes say what they are; `info --json` carries the reader's warnings."""
import json
import zipfile

import numpy as np
from PIL import Image

from somdesk.cli import main


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_a_map_archive_is_not_called_a_krita_palette(tmp_path, capsys):
    path = _zip(tmp_path / "g.somz", {"meta.json": "{", "weights.npy": "x"})
    assert main(["palette", "info", str(path)]) == 2
    err = capsys.readouterr().err
    assert "this is a saved map (.somz), not a palette" in err and "Krita" not in err


def test_an_unknown_zip_names_what_each_format_needs(tmp_path, capsys):
    path = _zip(tmp_path / "e.kpl", {"x.txt": "x"})
    assert main(["palette", "info", str(path)]) == 2
    err = capsys.readouterr().err
    assert "colorset.xml" in err and "swatchbook.xml" in err and "'x.txt'" in err


def test_info_json_has_the_warnings(tmp_path, capsys):
    img = np.zeros((4, 4, 4), np.uint8)
    img[:2, :, :] = (200, 10, 10, 255)                 # half the picture fully transparent
    Image.fromarray(img, "RGBA").save(tmp_path / "t.png")
    assert main(["palette", "info", str(tmp_path / "t.png"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert any("transparent" in w for w in doc["warnings"])
