"""Figures sized once for print: photo grids as JPEG, plots as RGB PNG reduced to 128 colours
(no alpha channel for the PDF writer to split off), at the resolution they print at. The copies live in
``figures/print/`` of the report folder and are reused while their source file is unchanged,
so a re-render decodes no image it has seen before."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from asl.files import atomic_write, sha256, write_json_atomic

FOLDER = Path("figures") / "print"
INDEX = "index.json"
FIGURE_MAX_MM = (170.0, 115.0)   # width, height available for one figure on the page
PRINT_DPI = {True: 100, False: 96}   # photo grids (of 64-pixel photos), plots; never enlarged
JPEG_QUALITY = 70
PLOT_COLOURS = 64
PHOTO_KEYS = frozenset({           # figures made of photos: JPEG compresses them tenfold
    "samples", "wild_samples", "mean_images", "frame_pairs", "augmentation_layers",
    "misclassified", "wild_examples", "saliency_test", "saliency_wild", "training_crops",
    "keypoint_examples"})
VERSION = 9                      # bump when the conversion changes


@dataclass
class PrintCopy:
    path: Path          # the copy to embed
    width_mm: float     # its width on the page
    blank: bool         # the source is a single colour


def _print_size(size: tuple[int, int], dpi: float, print_dpi: int
                ) -> tuple[float, tuple[int, int]]:
    """Width in mm on the page (the source's size at its resolution, fitted to the page) and
    the pixel size that gives ``print_dpi`` at that width (never larger than the source)."""
    width_mm, height_mm = (v / dpi * 25.4 for v in size)
    scale = min(1.0, FIGURE_MAX_MM[0] / width_mm, FIGURE_MAX_MM[1] / height_mm)
    width_mm *= scale
    pixels = min(1.0, width_mm / 25.4 * print_dpi / size[0])
    return round(width_mm, 1), (max(1, round(size[0] * pixels)), max(1, round(size[1] * pixels)))


def convert(source: Path, target_stem: Path, photo: bool) -> PrintCopy:
    """Write the print copy of ``source`` beside ``target_stem`` (.jpg or .png)."""
    from PIL import Image

    with Image.open(source) as image:
        dpi = float((image.info.get("dpi") or (150, 150))[0] or 150)
        width_mm, pixels = _print_size(image.size, dpi, PRINT_DPI[photo])
        image = image.convert("RGBA")
        low, high = image.convert("L").getextrema()
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
    if pixels != flat.size:
        flat = flat.resize(pixels, Image.LANCZOS)
    if not photo:   # few colours compress well; RGB again, as the PDF writer wants
        flat = flat.quantize(PLOT_COLOURS, method=Image.Quantize.MEDIANCUT,
                             dither=Image.Dither.NONE).convert("RGB")
    target = target_stem.with_suffix(".jpg" if photo else ".png")
    options = ({"format": "JPEG", "quality": JPEG_QUALITY, "optimize": True} if photo
               else {"format": "PNG", "optimize": True})
    atomic_write(target, lambda tmp: flat.save(tmp, dpi=(PRINT_DPI[photo],) * 2, **options))
    return PrintCopy(target, width_mm, low == high)


def one_per_content(copy: PrintCopy) -> PrintCopy:
    """The copy named by its content, so that identical figures of several runs (the same hand
    detection drawn for two variants) are one file, which the PDF embeds once."""
    stem = copy.path.stem.rsplit("-", 1)[0]
    named = copy.path.with_name(f"{stem}-{sha256(copy.path.read_bytes())[:16]}{copy.path.suffix}")
    if named.exists():
        copy.path.unlink()
    else:
        copy.path.replace(named)
    return PrintCopy(named, copy.width_mm, copy.blank)


class PrintFigures:
    """The print copies of one render: made on first sight of a source, then reused."""

    def __init__(self, out_dir: Path):
        self.folder = Path(out_dir) / FOLDER
        try:
            self.index = json.loads((self.folder / INDEX).read_text())
        except (OSError, ValueError):
            self.index = {}
        self.used: dict[str, dict] = {}

    def prepare(self, source: Path, key: str) -> PrintCopy:
        """The print copy of ``source``; OSError or ValueError if it cannot be read."""
        stat = Path(source).stat()
        photo = key in PHOTO_KEYS
        tag = sha256([str(Path(source).resolve()), stat.st_size, stat.st_mtime_ns, photo,
                      VERSION])[:16]
        entry = self.index.get(tag)
        if entry is None or not (self.folder / entry["file"]).exists():
            copy = one_per_content(convert(source, self.folder / f"{Path(source).stem}-{tag}",
                                           photo))
            entry = {"file": copy.path.name, "width_mm": copy.width_mm, "blank": copy.blank}
        self.used[tag] = entry
        return PrintCopy(self.folder / entry["file"], entry["width_mm"], entry["blank"])

    def finish(self) -> None:
        """Save the index and remove the copies this render did not use."""
        if not self.folder.exists():
            return
        if self.used != self.index:
            write_json_atomic(self.folder / INDEX, self.used)
        keep = {entry["file"] for entry in self.used.values()} | {INDEX}
        for path in self.folder.iterdir():
            if path.name not in keep and not path.name.startswith("."):
                os.unlink(path)
