import subprocess
import sys

from somdesk import resources


def test_resources_are_found_from_source():
    assert resources.resource_path("icons", "somdesk.png") is not None
    assert resources.resource_path("somdesk.desktop") is not None
    assert resources.resource_path("nope.txt") is None
    names = [p.name for p in resources.sample_palettes()]
    assert "seed-20-random.gpl" in names


def test_sample_palettes_read_with_our_readers():
    from somdesk.io.palettes import read_palette
    for path in resources.sample_palettes():
        assert len(read_palette(path).swatches) > 0


def test_frozen_layout_is_found(tmp_path, monkeypatch):
    (tmp_path / "resources" / "icons").mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resources_dir() == tmp_path / "resources"


def test_desktop_entry_is_valid():
    text = resources.resource_path("somdesk.desktop").read_text()
    lines = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    assert text.startswith("[Desktop Entry]")
    assert lines["Type"] == "Application" and lines["Exec"].startswith("somdesk") and lines["Icon"] == "somdesk"
    if subprocess.run(["which", "desktop-file-validate"], capture_output=True).returncode == 0:
        proc = subprocess.run(["desktop-file-validate", str(resources.resource_path("somdesk.desktop"))],
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_desktop_entry_installer_puts_everything_in_place(tmp_path):
    import os
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "somdesk").write_text("#!/bin/sh\necho hi\n")
    (dist / "somdesk").chmod(0o755)
    env = dict(os.environ, HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "home" / "share"))
    proc = subprocess.run(["bash", os.path.join(root, "scripts", "install-desktop-entry.sh"), str(dist)],
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    home = tmp_path / "home"
    entry = (home / "share" / "applications" / "somdesk.desktop").read_text()
    assert f"Exec={home}/.local/opt/somdesk/somdesk %F" in entry
    assert (home / "share" / "icons" / "hicolor" / "256x256" / "apps" / "somdesk.png").is_file()
    assert os.path.islink(home / ".local" / "bin" / "somdesk")
