"""Find, read, resize and cache the ASL photos (Kaggle layout, folder or zip, any image size)."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from asl import CLASSES
from asl.config import CACHE_DIR
from asl.errors import DataError
from asl.files import atomic_write, path_fingerprint

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
COLOR_MODES = {"rgb": "RGB", "grayscale": "L"}
CACHE_VERSION = 2      # 2: EXIF orientation applied, 16-bit photos scaled
UNREADABLE = (UnidentifiedImageError, OSError, ValueError, SyntaxError, zlib.error,
              zipfile.BadZipFile, Image.DecompressionBombError)
"""What reading or decoding one photo may raise: the photo is skipped and counted."""
SNIFF_SAMPLE = 20
NAMED = 20           # file names kept in metrics.json per list
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
    skipped_files: list[str] = field(default_factory=list)      # their names
    unknown_folders: dict[str, int] = field(default_factory=dict)  # see Listing

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, index) -> "ImageSet":
        index = np.asarray(index, dtype=int)
        return dataclasses.replace(self, images=self.images[index], labels=self.labels[index],
                                   ids=[self.ids[i] for i in index], frames=self.frames[index])

    def notes(self, frame_split: bool = True) -> dict:
        """What was left out or is missing, for metrics.json and the report: skipped files,
        folders not named after a class, classes without photos and (with ``frame_split``)
        the photos set aside from a frame-block split for want of a frame number."""
        present = set(np.unique(self.labels).tolist())
        return {"skipped_files": self.skipped_files[:NAMED],
                "unknown_folders": self.unknown_folders,
                "missing_classes": [c for i, c in enumerate(CLASSES) if i not in present],
                "set_aside": [self.ids[i] for i in np.flatnonzero(self.frames < 0)[:NAMED]]
                if frame_split else [],
                "n_set_aside": int((self.frames < 0).sum()) if frame_split else 0}


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


@dataclass
class Listing:
    """What a data folder or zip holds, from its file names alone (nothing is decoded)."""

    source: Path
    entries: list[_Entry]           # image files in class folders, one per id
    skipped: list[str]              # other files in class folders
    unknown_folders: dict[str, int]  # folders of images beside the class folders but not
    #                                  named after a class (``Spacebar/``) -> image files

    @property
    def missing_classes(self) -> list[str]:
        present = {e.label for e in self.entries}
        return [name for i, name in enumerate(CLASSES) if i not in present]

    @property
    def unnumbered(self) -> list[str]:
        """Photos whose file name carries no frame number (``A1 (copy).jpg``)."""
        return [e.id for e in self.entries if e.frame < 0]

    def warnings(self, training: bool = True) -> list[str]:
        """One line per thing a user should know before the build runs."""
        lines = []
        if self.unknown_folders:
            lines.append("folders not named after a class, left out: " + ", ".join(
                f"{name}/ ({count} files)" for name, count in self.unknown_folders.items()))
        if self.missing_classes:
            lines.append(f"{'warning: ' if training else ''}no photos for class(es) "
                         f"{', '.join(self.missing_classes)}" + (
                             ": the models cannot learn them" if training else ""))
        if training and self.unnumbered:
            lines.append(f"{len(self.unnumbered)} photo(s) without a frame number in the file "
                         f"name set aside from frame-block splits: {_names(self.unnumbered)}")
        if self.skipped:
            lines.append(f"{len(self.skipped)} non-image file(s) in class folders skipped: "
                         f"{_names(self.skipped)}")
        return [f"{self.source.name}: {line}" for line in lines]


def _names(names: list[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _listing(source: "_Source") -> Listing:
    """Keep image files that sit directly in a class folder; note the rest."""
    entries, skipped, folders = [], [], {}
    for name in source.names():
        relative = PurePosixPath(name)
        if relative.name.startswith("."):
            continue
        label = _class_of(relative)
        if label is None:
            if len(relative.parts) >= 2 and relative.suffix.lower() in IMAGE_SUFFIXES:
                folders.setdefault(relative.parent, 0)
                folders[relative.parent] += 1
            continue
        if relative.suffix.lower() not in IMAGE_SUFFIXES:
            skipped.append(name)
            continue
        entries.append(_Entry(label, name, f"{CLASSES[label]}/{relative.name}",
                              frame_number(relative.name)))
    unique = {e.id: e for e in sorted(entries, key=lambda e: (e.label, e.frame, e.id))}
    class_parents = {PurePosixPath(e.name).parent.parent for e in unique.values()}
    unknown = {folder.name: count for folder, count in sorted(folders.items())
               if folder.parent in class_parents}
    return Listing(source.path, sorted(unique.values(), key=lambda e: (e.label, e.frame, e.id)),
                   skipped, unknown)


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
        """Every file (a broken link too: it is skipped as unreadable when read)."""
        if self.is_zip:
            with zipfile.ZipFile(self.path) as archive:
                return [n for n in archive.namelist() if not n.endswith("/")]
        return [p.relative_to(self.path).as_posix()
                for p in self.path.rglob("*") if p.is_file() or p.is_symlink()]

    def reader(self):
        if self.is_zip:
            archive = zipfile.ZipFile(self.path)
            return archive, archive.read
        return None, lambda name: (self.path / name).read_bytes()


def _open_photo(raw: bytes, mode: str, draft_size: int = 0) -> Image.Image:
    """A photo as a Pillow image in ``mode`` ("RGB" or "L"), the right way up (EXIF
    orientation applied) and with 16- or 32-bit pixels scaled down to 8 bits, not clipped."""
    with Image.open(io.BytesIO(raw)) as image:
        if draft_size:
            image.draft(mode, (draft_size, draft_size))
        image = ImageOps.exif_transpose(image)
        if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
            scaled = np.asarray(image, dtype=np.float64) / 257.0
            image = Image.fromarray(np.clip(scaled.round(), 0, 255).astype(np.uint8))
        return image.convert(mode)


def _decode(raw: bytes, size: int, mode: str) -> np.ndarray:
    image = _open_photo(raw, mode, size).resize((size, size), Image.Resampling.BILINEAR)
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


def survey(path, sniff: bool = True) -> Listing:
    """List the photos of ``path`` (folder or zip) without decoding them, and stop with one
    clear message if there are none; with ``sniff``, also if none of a sample of the image
    files is an image (e.g. text files named ``*.jpg``: only their headers are read)."""
    return _survey(_Source(path), sniff)


def _survey(source: _Source, sniff: bool) -> Listing:
    listing = _listing(source)
    if not listing.entries:
        raise DataError(
            f"no photos found in '{source.path}': expected class folders named "
            f"{', '.join(CLASSES[:3])} ... {CLASSES[-1]} (any letter case) holding image files")
    if sniff:
        sample = listing.entries[:: max(1, len(listing.entries) // SNIFF_SAMPLE)][:SNIFF_SAMPLE]
        handle, read = source.reader()
        try:
            if not any(_is_image(read, e.name) for e in sample):
                raise DataError(
                    f"none of {len(sample)} image files sampled from '{source.path}' is a "
                    f"readable image (e.g. {sample[0].name}): give the folder or zip of the "
                    "photos themselves")
        finally:
            if handle is not None:
                handle.close()
    return listing


def _is_image(read, name: str) -> bool:
    """True if the file's header is one Pillow can read (the pixels are not decoded)."""
    try:
        with Image.open(io.BytesIO(read(name))):
            return True
    except Image.DecompressionBombError:
        return True     # an image, just too large: skipped when decoded
    except UNREADABLE:
        return False


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
    listing = _survey(source, sniff=False)
    entries = _select(listing.entries, max_per_class, seed)
    cache = _cache_file(path_fingerprint(str(source.path)), image_size, color_mode, entries) if use_cache else None
    if cache is not None and cache.exists():
        with np.load(cache) as stored:
            images, decoded_ok = stored["images"], stored["decoded_ok"]
    else:
        images, decoded_ok = _decode_all(source, entries, int(image_size), COLOR_MODES[color_mode])
        if cache is not None:
            _save_cache(cache, images, decoded_ok)
    kept = [e for e, ok in zip(entries, decoded_ok) if ok]
    unreadable = [e.name for e, ok in zip(entries, decoded_ok) if not ok]
    if not kept:
        raise DataError(f"none of the {len(entries)} image files in '{source.path}' could be "
                        f"read as a photo (e.g. {unreadable[0]}): check that the folder or zip "
                        "holds the photos themselves")
    if unreadable:
        print(f"{source.path.name}: {len(unreadable)} unreadable file(s) skipped: "
              f"{_names(unreadable)}", flush=True)
    return ImageSet(images=images[decoded_ok], labels=np.array([e.label for e in kept], dtype=int),
                    ids=[e.id for e in kept], frames=np.array([e.frame for e in kept], dtype=int),
                    skipped=len(listing.skipped) + len(unreadable), source=str(source.path),
                    skipped_files=listing.skipped + unreadable,
                    unknown_folders=listing.unknown_folders)


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
            except UNREADABLE:
                pass  # counted and named as skipped
    finally:
        if handle is not None:
            handle.close()
    return images, decoded_ok


@dataclass
class Photos:
    """Decoded photos without labels (for predictions) and the files that could not be read."""

    images: np.ndarray      # uint8, (n, size, size, channels)
    names: list[str]        # path inside the folder or zip, in order
    unreadable: list[str]   # files that are not readable images


def _hidden(name: str) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in PurePosixPath(name).parts)


def load_unlabelled(path, image_size: int, color_mode: str = "rgb") -> Photos:
    """Every photo anywhere in a folder or zip (no class folders needed), resized to
    ``image_size`` pixels square; other files are skipped and named in ``unreadable``."""
    if not str(path) or not Path(path).expanduser().exists():
        raise DataError(f"no photos at '{path}': give a folder or zip of photos with --images")
    source = _Source(path)
    names = sorted(name for name in source.names() if not _hidden(name))
    if int(image_size) == 0:    # as stored: the most common size among the photos
        sizes = _sizes(source, names[::max(1, len(names) // 50)][:50])
        image_size = max(int(side) for side in max(sizes, key=sizes.get).split("x")) \
            if sizes else 8
    channels = 1 if color_mode == "grayscale" else 3
    images = np.zeros((len(names), image_size, image_size, channels), dtype=np.uint8)
    ok = np.zeros(len(names), dtype=bool)
    handle, read = source.reader()
    try:
        for i, name in enumerate(names):
            try:
                images[i] = _decode(read(name), image_size, COLOR_MODES[color_mode])
                ok[i] = True
            except UNREADABLE:
                pass  # named as unreadable
    finally:
        if handle is not None:
            handle.close()
    return Photos(images[ok], [n for n, good in zip(names, ok) if good],
                  [n for n, good in zip(names, ok) if not good])


def class_counts(labels) -> dict[str, int]:
    counts = np.bincount(np.asarray(labels, dtype=int), minlength=len(CLASSES))
    return {name: int(count) for name, count in zip(CLASSES, counts)}


def original_sizes(path, count: int = 50) -> dict[str, int]:
    """Pixel sizes ("WxH") of the first ``count`` photos as stored, before any resizing."""
    source = _Source(path)
    entries = _listing(source).entries
    return _sizes(source, [entry.name for entry in entries[:: max(1, len(entries) // count)]
                           [:count]])


def _sizes(source: _Source, names: list[str]) -> dict[str, int]:
    """How many of the readable images among ``names`` are stored at each size ("WxH")."""
    sizes: dict[str, int] = {}
    handle, read = source.reader()
    try:
        for name in names:
            try:
                with Image.open(io.BytesIO(read(name))) as image:
                    key = f"{image.width}x{image.height}"
            except UNREADABLE:
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
