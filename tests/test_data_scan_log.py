"""The photo check before a build prints plain lines in a log (no progress bar's control
characters) when its output is not a terminal."""
from __future__ import annotations

import io
import re
import zipfile

from PIL import Image

from asl import config
from asl.study import data_scan


def test_checking_many_photos_writes_no_bar_into_a_log(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(config, "CACHE_DIR", tmp_path / "cache")
    photo = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 60, 40)).save(photo, "JPEG")
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for frame in range(2100):       # above the size at which a bar would be drawn
            zipped.writestr(f"A/A{frame + 1}.jpg", photo.getvalue())
    found = data_scan.scan(archive)
    assert len(found.names) == 2100
    assert not re.search(r"[\r\x1b]", capsys.readouterr().err)
