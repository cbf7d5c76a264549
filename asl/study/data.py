"""Find, read, resize and cache the ASL photos (Kaggle layout, folder or zip, any image size)."""
from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image, UnidentifiedImageError

from asl import CLASSES
from asl.config import CACHE_DIR
from asl.errors import DataError
from asl.files import atomic_write, path_fingerprint

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
COLOR_MODES = {"rgb": "RGB", "grayscale": "L"}
CACHE_VERSION = 1
_CLASS_INDEX = {name.lower(): index for index, name in enumerate(CLASSES)}
_FRAME_NUMBER = re.compile(r"(\d+)(?:_test)?$", re.IGNORECASE)


@dataclass
class ImageSet:
    """Decoded photos with their labels, identifiers and video-frame numbers."""

    images: np.ndarray      # uint8, (n, size, size, channels)
    labels: np.ndarray      # int, index into CLASSES
    ids: list[str]          # "<class>/<file name>", unique within the set
    frames: np.ndarray      # frame number parsed from the file name, -1 if none
    skipped: int            # unreadable or non-image files under class folders
    source: str

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, index) -> "ImageSet":
        index = np.asarray(index, dtype=int)
        return ImageSet(self.images[index], self.labels[index], [self.ids[i] for i in index],
                        self.frames[index], self.skipped, self.source)


@dataclass
class _Entry:
    label: int
    name: str       # path inside the folder or member name inside the zip
    id: str
    frame: int


def frame_number(file_name: str) -> int:
    """Frame number of a Kaggle file name (``A1234.jpg`` -> 1234), or -1."""
    match = _FRAME_NUMBER.search(PurePosixPath(file_name).stem)
    return int(match.group(1)) if match else -1


def _class_of(relative: PurePosixPath) -> int | None:
    if len(relative.parts) < 2:
        return None
    return _CLASS_INDEX.get(relative.parts[-2].lower())


def _entries(names) -> tuple[list[_Entry], int]:
    """Keep files that sit directly in a class folder; count the non-images skipped there."""
    entries, skipped = [], 0
    for name in names:
        relative = PurePosixPath(name)
        label = _class_of(relative)
        if label is None or relative.name.startswith("."):
            continue
        if relative.suffix.lower() not in IMAGE_SUFFIXES:
            skipped += 1
            continue
        entries.append(_Entry(label, name, f"{CLASSES[label]}/{relative.name}",
                              frame_number(relative.name)))
    entries.sort(key=lambda e: (e.label, e.frame, e.id))
    unique = {e.id: e for e in entries}
    return sorted(unique.values(), key=lambda e: (e.label, e.frame, e.id)), skipped


def _check_exists(path: Path) -> None:
    if not str(path) or not path.exists():
        raise DataError(
            f"data not found at '{path}'. Give the Kaggle 'ASL Alphabet' download (folder or "
            "zip) with --data PATH or the ASL_DATA environment variable.")


class _Source:
    """A folder or a zip archive with class folders somewhere inside."""

    def __init__(self, path):
        self.path = Path(path).expanduser()
        _check_exists(self.path)
        self.is_zip = self.path.is_file()
        if self.is_zip and not zipfile.is_zipfile(self.path):
            raise DataError(f"'{self.path}' is neither a folder nor a zip archive")

    def names(self) -> list[str]:
        if self.is_zip:
            with zipfile.ZipFile(self.path) as archive:
                return [n for n in archive.namelist() if not n.endswith("/")]
        return [p.relative_to(self.path).as_posix()
                for p in self.path.rglob("*") if p.is_file()]

    def reader(self):
        if self.is_zip:
            archive = zipfile.ZipFile(self.path)
            return archive, archive.read
        return None, lambda name: (self.path / name).read_bytes()


def _decode(raw: bytes, size: int, mode: str) -> np.ndarray:
    with Image.open(io.BytesIO(raw)) as image:
        image.draft(mode, (size, size))
        image = image.convert(mode).resize((size, size), Image.Resampling.BILINEAR)
        array = np.asarray(image, dtype=np.uint8)
    return array[..., None] if array.ndim == 2 else array


def _select(entries: list[_Entry], max_per_class: int, seed: int) -> list[_Entry]:
    """Up to ``max_per_class`` photos per class, spread evenly over the frame numbers."""
    if max_per_class <= 0:
        return entries
    chosen = []
    for label in sorted({e.label for e in entries}):
        in_class = [e for e in entries if e.label == label]
        if len(in_class) > max_per_class:
            picks = np.linspace(0, len(in_class) - 1, max_per_class).round().astype(int)
            in_class = [in_class[i] for i in picks]
        chosen += in_class
    return chosen


def _cache_file(fingerprint: str, size: int, color_mode: str, entries: list[_Entry]) -> Path:
    key = hashlib.sha256(json.dumps(
        [CACHE_VERSION, fingerprint, size, color_mode, [e.id for e in entries]]).encode())
    return CACHE_DIR / f"images-{key.hexdigest()[:24]}.npz"


def _save_cache(path: Path, images: np.ndarray, decoded_ok: np.ndarray) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez(handle, images=images, decoded_ok=decoded_ok)

    atomic_write(path, write)


def load_images(path, image_size: int = 64, color_mode: str = "rgb", max_per_class: int = 0,
                seed: int = 0, use_cache: bool = True) -> ImageSet:
    """Read every photo under class folders of ``path`` (folder or zip), resized to
    ``image_size`` pixels square (0: the size most photos are stored at) and cached."""
    if color_mode not in COLOR_MODES:
        raise DataError(f"color_mode must be one of {sorted(COLOR_MODES)}, not '{color_mode}'")
    if int(image_size) == 0:
        image_size = stored_size(path)
    if int(image_size) < 8:
        raise DataError(f"image_size must be at least 8 pixels (or 0 for the stored size), "
                        f"not {image_size}")
    source = _Source(path)
    entries, skipped = _entries(source.names())
    if not entries:
        raise DataError(
            f"no photos found in '{source.path}': expected class folders named "
            f"{', '.join(CLASSES[:3])} ... {CLASSES[-1]} (any letter case) holding image files")
    entries = _select(entries, max_per_class, seed)
    cache = _cache_file(path_fingerprint(str(source.path)), image_size, color_mode, entries) if use_cache else None
    if cache is not None and cache.exists():
        with np.load(cache) as stored:
            images, decoded_ok = stored["images"], stored["decoded_ok"]
    else:
        images, decoded_ok = _decode_all(source, entries, int(image_size), COLOR_MODES[color_mode])
        if cache is not None:
            _save_cache(cache, images, decoded_ok)
    kept = [e for e, ok in zip(entries, decoded_ok) if ok]
    return ImageSet(images=images[decoded_ok], labels=np.array([e.label for e in kept], dtype=int),
                    ids=[e.id for e in kept], frames=np.array([e.frame for e in kept], dtype=int),
                    skipped=skipped + int((~decoded_ok).sum()), source=str(source.path))


def _decode_all(source: _Source, entries: list[_Entry], size: int, mode: str):
    from tqdm.auto import tqdm

    channels = 1 if mode == "L" else 3
    images = np.zeros((len(entries), size, size, channels), dtype=np.uint8)
    decoded_ok = np.zeros(len(entries), dtype=bool)
    handle, read = source.reader()
    try:
        for i, entry in enumerate(tqdm(entries, desc=f"decoding {source.path.name}",
                                       mininterval=5, disable=len(entries) < 2000)):
            try:
                images[i] = _decode(read(entry.name), size, mode)
                decoded_ok[i] = True
            except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
                pass  # counted as skipped
    finally:
        if handle is not None:
            handle.close()
    return images, decoded_ok


def class_counts(labels) -> dict[str, int]:
    counts = np.bincount(np.asarray(labels, dtype=int), minlength=len(CLASSES))
    return {name: int(count) for name, count in zip(CLASSES, counts)}


def original_sizes(path, count: int = 50) -> dict[str, int]:
    """Pixel sizes ("WxH") of the first ``count`` photos as stored, before any resizing."""
    source = _Source(path)
    entries, _ = _entries(source.names())
    sizes: dict[str, int] = {}
    handle, read = source.reader()
    try:
        for entry in entries[:: max(1, len(entries) // count)][:count]:
            try:
                with Image.open(io.BytesIO(read(entry.name))) as image:
                    key = f"{image.width}x{image.height}"
            except (UnidentifiedImageError, OSError):
                continue
            sizes[key] = sizes.get(key, 0) + 1
    finally:
        if handle is not None:
            handle.close()
    return sizes


def stored_size(path, count: int = 50) -> int:
    """The longer side of the most common stored photo size (from a sample of ``count``)."""
    sizes = original_sizes(path, count)
    if not sizes:
        raise DataError(f"no readable photos in '{path}' to take the image size from")
    width, height = max(sizes, key=sizes.get).split("x")
    return max(int(width), int(height))
