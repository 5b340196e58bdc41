"""One rule for names and numbers in messages (testerW #7): a file the user gave is named by
its last part (io.names.display_basename), a folder as a folder, numbers grouped, and the
operating system's reasons in somdesk's words."""
from __future__ import annotations

import struct

import pytest

from somdesk.errors import SomdeskError
from somdesk.io.names import output_name, require_suffix
from somdesk.io.palettes import PaletteError, read_palette, read_palette_bytes


def test_a_palette_is_named_by_its_last_part_as_every_other_file(tmp_path):
    empty = tmp_path / "empty.gpl"
    empty.write_bytes(b"")
    for path, words in ((empty, "empty.gpl: the file is empty"), (tmp_path / "gone.gpl", "gone.gpl: no such file")):
        with pytest.raises(PaletteError) as err:
            read_palette(path)
        assert str(err.value).startswith(words) and str(tmp_path) not in str(err.value)


def test_the_os_reason_is_in_somdesks_words(tmp_path):
    from somdesk.io.image_input import load_image
    from somdesk.session import Session

    for call in (lambda: load_image(tmp_path / "none" / "x.png"), lambda: Session().open(tmp_path / "none" / "x.gpl")):
        with pytest.raises(SomdeskError) as err:
            call()
        text = str(err.value)
        assert "no such file" in text and "No such file or directory" not in text


def test_limits_are_grouped():
    data = b"ASEF\x00\x01\x00\x00" + struct.pack(">I", 0xFFFFFFFF)
    with pytest.raises(PaletteError) as err:
        read_palette_bytes(data, "garbage.ase")
    assert "4,294,967,295 blocks; at most 196,608 are accepted" in str(err.value)


def test_a_folder_as_output_is_named_as_a_folder(tmp_path):
    assert output_name(str(tmp_path) + "/") == f"the folder {tmp_path.name}"
    assert output_name(tmp_path) == f"the folder {tmp_path.name}"
    assert output_name(tmp_path / "a.txt") == "'a.txt'"
    with pytest.raises(SomdeskError) as err:
        require_suffix(str(tmp_path) + "/", (".html", ".htm"), "a report is written as HTML")
    assert f"not the folder {tmp_path.name}" in str(err.value) and "''" not in str(err.value)
