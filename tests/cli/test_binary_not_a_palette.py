"""A binary file is not a palette, in `palette info` and `train --palette` alike (testerW #4)."""
from __future__ import annotations

import pytest

from somdesk.cli import main


@pytest.mark.parametrize("args", [["palette", "info"], ["train", "--iterations", "5", "--palette"]])
def test_a_binary_file_is_refused_in_one_line(tmp_path, capsys, args):
    path = tmp_path / "binary.csv"
    path.write_bytes(bytes(range(256)) * 40)
    out = [str(tmp_path / "map.png")] if args[0] == "train" else []
    assert main(args + [str(path)] + (["--out", out[0]] if out else [])) != 0
    err = capsys.readouterr().err.strip()
    assert "not a palette" in err and "511 of 515" in err and len(err.splitlines()) == 1
