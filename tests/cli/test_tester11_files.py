"""tester11's file findings (cli12): a damaged palette or picture, or a damaged saved map, is called
what the user has (by its header, XML root, extension or magic) and said to be damaged, never a table
of one column, "not a palette" or "a .kpl archive"."""
import pytest

from somdesk.cli import main
from somdesk.errors import FileFormatError
from somdesk.io.tables.table import read_table
from somdesk.session import opening

SCRIBUS = (b'<?xml version="1.0" encoding="UTF-8"?>\n<SCRIBUSCOLORS Name="test">\n'
           b'<COLOR NAME="Red" RGB="#ff0000"/>\n<COLOR NAME="Green" RGB="#00ff00"/>\n</SCRIBUSCOLORS>\n')


def _error(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


# -- 1. damaged XML palettes and markup are no tables -------------------------------------------

@pytest.mark.parametrize("cut", [60, 100, len(SCRIBUS) - 20])
def test_a_truncated_scribus_palette_gets_the_palette_readers_words(tmp_path, capsys, cut):
    p = tmp_path / "colours.xml"
    p.write_bytes(SCRIBUS[:cut])
    assert opening.sniff_kind(p) == "palette"          # the window's open and --smoke-test
    err = _error(capsys, ["table", "info", str(p)])
    assert "colours.xml is a damaged palette (Scribus colour set), not a table" in err
    assert "not well-formed" in err and "but the header has" not in err      # not a ragged-table message
    err = _error(capsys, ["palette", "info", str(p)])
    assert "Scribus colour set is not well-formed" in err


def test_a_good_scribus_palette_is_still_named_a_palette_by_table_info(tmp_path, capsys):
    p = tmp_path / "colours.xml"
    p.write_bytes(SCRIBUS)
    assert "is a palette (Scribus colour set), not a table" in _error(capsys, ["table", "info", str(p)])


@pytest.mark.parametrize("text,what", [
    ("<root>\n<a>1</a>\n<b>2</b>\n</root>\n", "it is XML"),
    ("<?xml version='1.0'?><x/>\n", "it is XML"),
    ("<html><body><p>hi</p></body></html>\n", "it is an HTML page"),
    ("<!DOCTYPE html>\n<html>\n<body>\n", "it is an HTML page"),
    ("<COLOR NAME=\"Red\" RGB=\"#ff0000\"/>\n<COLOR NAME=\"Blue\" RGB=\"#0000ff\"/>\n", "it is XML"),
])
def test_the_table_reader_refuses_markup(tmp_path, text, what):
    p = tmp_path / "page.csv"
    p.write_text(text)
    with pytest.raises(FileFormatError, match=f"cannot read page.csv: {what} .*not a table"):
        read_table(p)


def test_the_table_reader_refuses_binary_junk_without_nul_bytes(tmp_path):
    import random

    rnd = random.Random(3)
    p = tmp_path / "junk.csv"
    p.write_bytes(bytes(rnd.randrange(1, 256) for _ in range(3000)))
    with pytest.raises(FileFormatError, match="holds binary data"):
        read_table(p)


@pytest.mark.parametrize("text,first", [
    ("<id>,<name>\n1,bob\n2,ann\n", "<id>"),          # a tag-like header over plain rows
    ("a,b\n<5,<=3\n1,2\n", "a"),                       # "<5" is a value, not a tag
    ("a,b\n1,x\x1by\n2,z\n", "a"),                     # one stray control character is no binary
])
def test_tables_that_only_look_a_little_like_markup_are_read(tmp_path, text, first):
    p = tmp_path / "t.csv"
    p.write_text(text)
    assert read_table(p).columns[0] == first


# -- 2. damaged pictures are damaged pictures, named by their format -----------------------------

PICTURES = [("png", "PNG", "PNG picture"), ("jpg", "JPEG", "JPEG picture"), ("gif", "GIF", "GIF picture"),
            ("webp", "WEBP", "WebP picture"), ("bmp", "BMP", "BMP picture"), ("tiff", "TIFF", "TIFF picture")]


def _picture(tmp_path, ext, fmt, cut=None):
    from PIL import Image

    p = tmp_path / f"x.{ext}"
    Image.new("RGB", (40, 30), (200, 10, 10)).save(p, fmt)
    if cut is not None:
        data = p.read_bytes()
        p.write_bytes(data[:cut(len(data))])
    return p


@pytest.mark.parametrize("ext,fmt,words", PICTURES)
@pytest.mark.parametrize("cut", [lambda n: n // 2, lambda n: 12])
def test_a_damaged_picture_is_called_a_damaged_picture_of_its_format(tmp_path, capsys, ext, fmt, words, cut):
    p = _picture(tmp_path, ext, fmt, cut)
    err = _error(capsys, ["palette", "info", str(p)])
    assert f"x.{ext}: the {words} is damaged or truncated" in err
    err = _error(capsys, ["quantize", str(p), str(tmp_path / "q.png"), "--colors", "4"])
    assert f"x.{ext}: the {words} is damaged or truncated" in err


@pytest.mark.parametrize("ext,fmt,words", PICTURES[3:] + PICTURES[1:2])
def test_a_good_photo_given_as_a_palette_is_named(tmp_path, capsys, ext, fmt, words):
    p = _picture(tmp_path, ext, fmt)
    err = _error(capsys, ["palette", "info", str(p)])
    assert f"x.{ext}: a {words} is not read as a palette" in err and "RIFF" not in err


# -- 3. a damaged saved map is a damaged saved map, whichever reader meets it ----------------------

@pytest.fixture
def saved_map(tmp_path):
    p = tmp_path / "m.somz"
    assert main(["train", "--random", "8", "--width", "4", "--height", "3", "--iterations", "2",
                 "--save-map", str(p), "--quiet"]) == 0
    return p


@pytest.mark.parametrize("cut", [lambda n: n // 2, lambda n: 100, lambda n: 6])
def test_a_damaged_saved_map_is_named_so_by_every_command(tmp_path, capsys, saved_map, cut):
    data = saved_map.read_bytes()
    p = tmp_path / "cut.somz"
    p.write_bytes(data[:cut(len(data))])
    picture = tmp_path / "in.png"
    from PIL import Image
    Image.new("RGB", (8, 8), (1, 2, 3)).save(picture)
    err = _error(capsys, ["assign", str(p), str(picture)])
    assert "cut.somz: the saved map (.somz) is damaged or truncated" in err
    err = _error(capsys, ["palette", "info", str(p)])
    assert "cut.somz: this is a saved map (.somz), not a palette, and it is damaged or truncated" in err
    assert ".kpl" not in err
    err = _error(capsys, ["train", "--init-weights", str(p), "--save-map", str(tmp_path / "o.somz")])
    assert "cut.somz is a saved map (.somz), not a .npy array" in err


def test_zips_are_named_by_their_own_extension(tmp_path, capsys):
    import zipfile

    book = tmp_path / "book.xlsx"
    with zipfile.ZipFile(book, "w") as z:
        z.writestr("[Content_Types].xml", "<x/>")
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(book.read_bytes()[:40])
    other = tmp_path / "cut.zip"
    other.write_bytes(book.read_bytes()[:40])
    assert "this is an Excel workbook (.xlsx), not a palette" in _error(capsys, ["palette", "info", str(book)])
    assert "cut.zip: the ZIP archive is damaged or truncated" in _error(capsys, ["palette", "info", str(other)])
    err = _error(capsys, ["table", "info", str(cut)])
    assert "the Excel workbook (.xlsx) is damaged or truncated" in err
    assert "it is a ZIP archive, not a spreadsheet" in _error(capsys, ["table", "info", str(other)])


def test_a_picture_given_as_a_map_is_named(tmp_path, capsys):
    from PIL import Image

    p = tmp_path / "x.png"
    Image.new("RGB", (8, 8)).save(p)
    assert "x.png: it is a PNG picture, not a somdesk map" in _error(capsys, ["assign", str(p), str(p)])


# -- 4. file names with control characters are printed escaped --------------------------------------

def test_one_line_escapes_every_control_character():
    from somdesk.io.names import one_line

    assert one_line("a\nb\tc\x1b[31md\x7f\x85e\u2028f") == "a\\nb\\tc\\x1b[31md\\x7f\\x85e\\u2028f"
    assert one_line("plain – ünïcode name.png") == "plain – ünïcode name.png"


def test_written_and_missing_names_with_control_characters_stay_on_one_line(tmp_path, capsys):
    src = tmp_path / "p.gpl"
    src.write_text("GIMP Palette\n255 0 0 Red\n0 0 255 Blue\n")
    out = tmp_path / "a\nb\x1b[31m.gpl"
    assert main(["palette", "convert", str(src), str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1 and "\x1b" not in printed and "a\\nb\\x1b[31m.gpl" in printed
    assert out.exists()
    err = _error(capsys, ["palette", "convert", str(tmp_path / "no\tfile\n.gpl"), str(tmp_path / "x.gpl")])
    assert "\t" not in err and "no\\tfile\\n.gpl" in err
    err = _error(capsys, ["train", "--random", "5", "--out", str(tmp_path / "no\x1bdir\n" / "o.png")])
    assert "\x1b" not in err and "no\\x1bdir\\n" in err


# -- 10. one range check, whose field the CLI words as its flag ------------------------------------

@pytest.mark.parametrize("kw,field,core_words", [
    (dict(width=0), "width", "width (the map's columns) must be between 1 and 2000, got 0"),
    (dict(height=2001), "height", "height (the map's rows) must be between 1 and 2000, got 2001"),
    (dict(iterations=0), "iterations", "iterations must be between 1 and 10,000,000, got 0"),
    (dict(width=1000, height=1001), "size", "a map of 1001 rows x 1000 columns has 1,001,000 nodes"),
])
def test_check_grid_is_the_one_range_check_and_names_its_field(kw, field, core_words):
    from somdesk.core.options import SOMConfig, check_grid
    from somdesk.errors import OptionError

    for check in (check_grid, SOMConfig):      # the window builds a SOMConfig: the same words
        with pytest.raises(OptionError) as err:
            check(**kw)
        assert err.value.field == field and str(err.value).startswith(core_words)


@pytest.mark.parametrize("flag,value,words", [
    ("--width", "0", "--width (the map's columns) must be between 1 and 2000, got 0"),
    ("--seed", "-1", "--seed must be a whole number between 0 and 2**63-1, got -1"),
    ("--epochs", "0", "--epochs must be between 1 and 10,000,000, got 0"),
])
def test_the_table_command_words_the_core_check_as_its_flags(tmp_path, capsys, flag, value, words):
    t = tmp_path / "t.csv"
    t.write_text("a,b\n" + "".join(f"{i},{i % 3}\n" for i in range(20)))
    err = _error(capsys, ["train", "--table", str(t), "--save-map", str(tmp_path / "m.somz"), flag, value])
    assert err == f"error: {words}\n"
