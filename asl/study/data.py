"""Find, read, resize and cache the ASL photos (Kaggle layout, folder or zip, any image size).

The listing (file names, class folders) is in ``data_listing``, the decoding of one photo in
``data_photos``; this module loads whole photo sets and caches them."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from asl import CLASSES
from asl.config import CACHE_DIR
from asl.errors import DataError
from asl.files import atomic_write, path_fingerprint
from asl.study.data_listing import (  # noqa: F401  (re-exported: the data module's interface)
    Entry, Listing, Source, few_names, frame_number, hidden, original_sizes,
    sizes_of, stored_size, survey, survey_source)
from asl.study.data_photos import COLOR_MODES, UNREADABLE, decode  # noqa: F401

CACHE_VERSION = 3      # 2: EXIF orientation applied, 16-bit photos scaled; 3: tiny skipped
NAMED = 20           # file names kept in metrics.json per list


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
    merged_folders: dict[str, list[str]] = field(default_factory=dict)  # see Listing

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, index) -> "ImageSet":
        index = np.asarray(index, dtype=int)
        return dataclasses.replace(self, images=self.images[index], labels=self.labels[index],
                                   ids=[self.ids[i] for i in index], frames=self.frames[index])

    def notes(self, frame_split: bool = True) -> dict:
        """What was left out or is missing, for metrics.json and the report: skipped files,
        folders not named after a class, class folders read as one (``A/`` and ``a/``),
        classes without photos and (with ``frame_split``)
        the photos set aside from a frame-block split for want of a frame number."""
        present = set(np.unique(self.labels).tolist())
        return {"skipped_files": self.skipped_files[:NAMED],
                "unknown_folders": self.unknown_folders,
                "merged_folders": self.merged_folders,
                "missing_classes": [c for i, c in enumerate(CLASSES) if i not in present],
                "set_aside": [self.ids[i] for i in np.flatnonzero(self.frames < 0)[:NAMED]]
                if frame_split else [],
                "n_set_aside": int((self.frames < 0).sum()) if frame_split else 0}


def spread_per_class(entries: list[Entry], max_per_class: int, seed: int = 0) -> list[Entry]:
    """Up to ``max_per_class`` photos per class, spread evenly over the frame numbers."""
    if max_per_class <= 0:
        return entries
    by_class: dict[int, list[Entry]] = {}
    for entry in entries:
        by_class.setdefault(entry.label, []).append(entry)
    chosen = []
    for label in sorted(by_class):
        in_class = by_class[label]
        if len(in_class) > max_per_class:
            picks = np.linspace(0, len(in_class) - 1, max_per_class).round().astype(int)
            in_class = [in_class[i] for i in picks]
        chosen += in_class
    return chosen


def _cache_file(fingerprint: str, size: int, color_mode: str, entries: list[Entry]) -> Path:
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
    source = Source(path)
    listing = survey_source(source, sniff=False)
    entries = spread_per_class(listing.entries, max_per_class, seed)
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
              f"{few_names(unreadable)}", flush=True)
    return ImageSet(images=images[decoded_ok], labels=np.array([e.label for e in kept], dtype=int),
                    ids=[e.id for e in kept], frames=np.array([e.frame for e in kept], dtype=int),
                    skipped=len(listing.skipped) + len(unreadable), source=str(source.path),
                    skipped_files=listing.skipped + unreadable,
                    unknown_folders=listing.unknown_folders,
                    merged_folders=listing.merged_folders)


def _decode_all(source: Source, entries: list[Entry], size: int, mode: str):
    from tqdm.auto import tqdm

    channels = 1 if mode == "L" else 3
    images = np.zeros((len(entries), size, size, channels), dtype=np.uint8)
    decoded_ok = np.zeros(len(entries), dtype=bool)
    handle, read = source.reader()
    try:
        for i, entry in enumerate(tqdm(entries, desc=f"decoding {source.path.name}",
                                       mininterval=5, disable=len(entries) < 2000)):
            try:
                images[i] = decode(read(entry.name), size, mode)
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


def load_unlabelled(path, image_size: int, color_mode: str = "rgb") -> Photos:
    """Every photo anywhere in a folder or zip (no class folders needed), resized to
    ``image_size`` pixels square; other files are skipped and named in ``unreadable``."""
    if not str(path) or not Path(path).expanduser().exists():
        raise DataError(f"no photos at '{path}': give a folder or zip of photos with --images")
    source = Source(path)
    names = sorted(name for name in source.names() if not hidden(name))
    if int(image_size) == 0:    # as stored: the most common size among the photos
        sizes = sizes_of(source, names[::max(1, len(names) // 50)][:50])
        image_size = max(int(side) for side in max(sizes, key=sizes.get).split("x")) \
            if sizes else 8
    channels = 1 if color_mode == "grayscale" else 3
    images = np.zeros((len(names), image_size, image_size, channels), dtype=np.uint8)
    ok = np.zeros(len(names), dtype=bool)
    handle, read = source.reader()
    try:
        for i, name in enumerate(names):
            try:
                images[i] = decode(read(name), image_size, COLOR_MODES[color_mode])
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


