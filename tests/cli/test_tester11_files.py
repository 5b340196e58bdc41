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
