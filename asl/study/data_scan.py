"""Read every photo of a set once before the build: the ones that cannot be used (named with
the reason) and each usable photo's content and perceptual hash, cached per source."""
from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from asl import config
from asl.files import atomic_write, path_fingerprint
from asl.study.data_listing import Source, survey_source
from asl.study.data_photos import UNREADABLE, decode, unreadable_reason

SCAN_VERSION = 1
HASH_SIZE = 64          # photos are hashed as the exploration sees them: 64 px, RGB


@dataclass
class PhotoScan:
    """One set's usable photos (file names, classes, content and 64-bit perceptual hashes)
    and the files under class folders that cannot be used, with the reason."""

    names: list[str]
    labels: np.ndarray          # (n,) int, index into CLASSES
    content: np.ndarray         # (n,) bytes, first 16 bytes of each file's SHA-256
    perceptual: np.ndarray      # (n,) uint64, pHash packed
    unusable: dict[str, str]    # file name -> why ("empty file", "truncated or damaged", ...)


def _cache_file(path: str) -> Path:
    key = hashlib.sha256(json.dumps([SCAN_VERSION, HASH_SIZE, str(Path(path).resolve()),
                                     path_fingerprint(path)]).encode())
    return config.CACHE_DIR / f"scan-{key.hexdigest()[:24]}.npz"


def scan(path) -> PhotoScan:
    """Decode every photo under the class folders of ``path`` at 64 px, once: cached."""
    cache = _cache_file(str(path))
    if cache.exists():
        with np.load(cache) as stored:
            return PhotoScan(stored["names"].tolist(), stored["labels"], stored["content"],
                             stored["perceptual"], json.loads(str(stored["unusable"])))
    found = _compute(Source(path))

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez(handle, names=np.array(found.names, dtype=str), labels=found.labels,
                     content=found.content, perceptual=found.perceptual,
                     unusable=np.array(json.dumps(found.unusable)))

    atomic_write(cache, write)
    return found


def _compute(source: Source) -> PhotoScan:
    from tqdm.auto import tqdm

    from asl.study.evaluate import perceptual_hashes     # scikit-learn: only when not cached

    entries = survey_source(source, sniff=False).entries
    names, labels, content, images, unusable = [], [], [], [], {}
    handle, read = source.reader()
    try:
        for entry in tqdm(entries, desc=f"checking {source.path.name}", mininterval=5,
                          disable=len(entries) < 2000 or not sys.stderr.isatty()):
            raw = b""
            try:
                raw = read(entry.name)
                images.append(decode(raw, HASH_SIZE, "RGB"))
            except UNREADABLE as error:
                unusable[entry.name] = unreadable_reason(raw, error)
                continue
            names.append(entry.name)
            labels.append(entry.label)
            content.append(hashlib.sha256(raw).digest()[:16])
    finally:
        if handle is not None:
            handle.close()
    bits = perceptual_hashes(np.stack(images)) if images else np.zeros((0, 64), dtype=bool)
    packed = np.packbits(bits, axis=1).view(">u8").ravel().astype(np.uint64)
    return PhotoScan(names, np.array(labels, dtype=int), np.array(content, dtype="S16"),
                     packed, unusable)
