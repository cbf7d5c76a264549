"""Check that the wild photos share no photo with the training photos: identical files (content
hash) and near-duplicates (the perceptual hash the exploration uses), hashes cached per source."""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from asl import config
from asl.errors import DataError
from asl.files import atomic_write, path_fingerprint
from asl.study.data_listing import Source, few_names, survey_source
from asl.study.data_photos import UNREADABLE, decode
from asl.study.evaluate import perceptual_hashes

HASH_VERSION = 1
HASH_SIZE = 64          # photos are hashed as the exploration sees them: 64 px, RGB
NEAR_BITS = 6           # as the exploration's duplicate_bits: at or below, a near-duplicate


@dataclass
class PhotoHashes:
    """One set's photos: their file names, classes, content and 64-bit perceptual hashes."""

    names: list[str]
    labels: np.ndarray          # (n,) int, index into CLASSES
    content: np.ndarray         # (n,) bytes, first 16 bytes of each file's SHA-256
    perceptual: np.ndarray      # (n,) uint64, pHash packed


def _cache_file(path: str) -> Path:
    key = hashlib.sha256(json.dumps([HASH_VERSION, HASH_SIZE, str(Path(path).resolve()),
                                     path_fingerprint(path)]).encode())
    return config.CACHE_DIR / f"hashes-{key.hexdigest()[:24]}.npz"


def photo_hashes(path) -> PhotoHashes:
    """The hashes of every readable photo under the class folders of ``path``, cached."""
    cache = _cache_file(str(path))
    if cache.exists():
        with np.load(cache) as stored:
            return PhotoHashes(stored["names"].tolist(), stored["labels"], stored["content"],
                               stored["perceptual"])
    hashes = _compute(Source(path))

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez(handle, names=np.array(hashes.names, dtype=str), labels=hashes.labels,
                     content=hashes.content, perceptual=hashes.perceptual)

    atomic_write(cache, write)
    return hashes


def _compute(source: Source) -> PhotoHashes:
    entries = survey_source(source, sniff=False).entries
    names, labels, content, images = [], [], [], []
    handle, read = source.reader()
    try:
        for entry in entries:
            try:
                raw = read(entry.name)
                images.append(decode(raw, HASH_SIZE, "RGB"))
            except UNREADABLE:
                continue        # named by the loader; nothing to compare
            names.append(entry.name)
            labels.append(entry.label)
            content.append(hashlib.sha256(raw).digest()[:16])
    finally:
        if handle is not None:
            handle.close()
    bits = perceptual_hashes(np.stack(images)) if images else np.zeros((0, 64), dtype=bool)
    packed = np.packbits(bits, axis=1).view(">u8").ravel().astype(np.uint64)
    return PhotoHashes(names, np.array(labels, dtype=int), np.array(content, dtype="S16"), packed)


def overlap(train: PhotoHashes, wild: PhotoHashes, near_bits: int = NEAR_BITS) -> dict:
    """Pairs (wild name, training name) of identical files (any class) and of near-duplicates
    (same class, pHash within ``near_bits`` bits, as the exploration counts them; measured on
    the Kaggle sets, the closest same-class pair is 10 bits apart, the closest pair of
    different classes 6), each wild photo counted once."""
    by_content = {digest: name for digest, name in zip(train.content.tolist(), train.names)}
    identical = [(name, by_content[digest]) for digest, name
                 in zip(wild.content.tolist(), wild.names) if digest in by_content]
    same = {name for name, _ in identical}
    near = []
    for label in np.intersect1d(wild.labels, train.labels):
        in_train = np.flatnonzero(train.labels == label)
        for index in np.flatnonzero(wild.labels == label):
            distance = np.bitwise_count(wild.perceptual[index] ^ train.perceptual[in_train])
            closest = int(distance.argmin())
            if distance[closest] <= near_bits and wild.names[index] not in same:
                near.append((wild.names[index], train.names[in_train[closest]]))
    return {"identical": identical, "near": near, "near_bits": near_bits,
            "n_wild": len(wild.names), "n_train": len(train.names)}


def check_wild(data_path: str, wild_path: str) -> dict:
    """Refuse (DataError) wild photos that are also training photos, identical or nearly;
    return what was checked for the record (counts and seconds, no overlap)."""
    started = time.monotonic()
    found = overlap(photo_hashes(data_path), photo_hashes(wild_path))
    pairs = found["identical"] + found["near"]
    if pairs:
        same = " (--data and --wild are the same file)" if \
            Path(data_path).resolve() == Path(wild_path).resolve() else ""
        shown = few_names([f"{wild} = {train}" for wild, train in pairs], 3)
        raise DataError(
            f"{len(pairs)} of the {found['n_wild']} wild photos in '{wild_path}' are also "
            f"training photos in '{data_path}'{same}: {len(found['identical'])} identical, "
            f"{len(found['near'])} near-duplicates (pHash within {found['near_bits']} bits), "
            f"e.g. {shown}; give out-of-domain photos of other people with --wild")
    seconds = time.monotonic() - started
    return {"checked": True, "n_wild": found["n_wild"], "n_train": found["n_train"],
            "identical": 0, "near": 0, "near_bits": found["near_bits"],
            "summary": f"wild: none of the {found['n_wild']} wild photos is a training photo "
                       f"or a near-duplicate of one (checked against {found['n_train']} in "
                       f"{seconds:.1f} s)"}
