"""The figures the report embeds: print copies sized once, photos as JPEG."""
from __future__ import annotations

import numpy as np
from PIL import Image

from asl.report.print_figures import PRINT_DPI, PrintFigures
from report_builds import tiny_png


def test_figures_are_sized_once_for_print_photos_as_jpeg(tmp_path):
    photo, plot = tmp_path / "samples.png", tmp_path / "curves.png"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (1200, 3000, 4), dtype=np.uint8), "RGBA").save(
        photo, dpi=(300, 300))
    tiny_png(plot, size=(3000, 1200))
    prints = PrintFigures(tmp_path / "report")
    photo_copy, plot_copy = prints.prepare(photo, "samples"), prints.prepare(plot, "curves")
    prints.finish()
    with Image.open(photo_copy.path) as image:
        assert image.format == "JPEG" and image.mode == "RGB"
        assert image.width <= photo_copy.width_mm / 25.4 * PRINT_DPI[True] + 1
    with Image.open(plot_copy.path) as image:
        assert image.format == "PNG" and image.mode == "RGB"
        assert image.width <= plot_copy.width_mm / 25.4 * PRINT_DPI[False] + 1
    assert photo_copy.path.stat().st_size < photo.stat().st_size / 4
    again = PrintFigures(tmp_path / "report")          # unchanged source: the same copy
    before = photo_copy.path.stat().st_mtime_ns
    assert again.prepare(photo, "samples").path == photo_copy.path
    assert photo_copy.path.stat().st_mtime_ns == before
    again.finish()                                     # the plot was not used: removed
    assert not plot_copy.path.exists() and photo_copy.path.exists()


def test_identical_figures_of_two_runs_are_one_file_the_pdf_embeds_once(tmp_path):
    """The same hand detection drawn for two variants: one print copy, so one image in the PDF
    (the full report stays under its 5 MB budget)."""
    first, second = tmp_path / "a" / "detection_rates.png", tmp_path / "b" / "detection_rates.png"
    for path in (first, second):
        path.parent.mkdir()
        tiny_png(path, size=(1200, 600))
    prints = PrintFigures(tmp_path / "report")
    copies = [prints.prepare(path, "detection_rates") for path in (first, second)]
    prints.finish()
    assert copies[0].path == copies[1].path and copies[0].path.exists()
    assert len(list(copies[0].path.parent.glob("detection_rates-*"))) == 1
