"""Hand keypoints for many photos: detected on every core, cached once per photo set, so a
rerun with other classifier settings never detects again."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np
from filelock import FileLock

from asl.config import CACHE_DIR
from asl.files import atomic_write
from asl.progress import counting
from asl.study.hands.detector import (NUM_KEYPOINTS, DetectorSettings, HandDetector,
                                      file_sha256, find_hand_models)


class HandKeypoints(NamedTuple):
    """Detections for n photos; rows without a hand are NaN (keypoints, presence,
    handedness) and attempt -1."""

    keypoints: np.ndarray    # (n, 21, 3) float32, pixels of each original photo
    presence: np.ndarray     # (n,) float32
    handedness: np.ndarray   # (n,) float32, probability of a right hand
    attempt: np.ndarray      # (n,) int, index into HandDetector.attempts, -1 = none found

    @property
    def found(self) -> np.ndarray:
        return self.attempt >= 0


def empty_keypoints(n: int) -> HandKeypoints:
    return HandKeypoints(np.full((n, NUM_KEYPOINTS, 3), np.nan, np.float32),
                         np.full(n, np.nan, np.float32), np.full(n, np.nan, np.float32),
                         np.full(n, -1, np.int64))


_WORKER: dict = {}


def _init_worker(weights_path: str, settings: DetectorSettings) -> None:
    _WORKER["detector"] = HandDetector(weights_path, settings)


def _as_row(found):
    return None if found is None else (found.keypoints, found.presence, found.handedness,
                                       found.attempt)


def _detect_one(image: np.ndarray):
    return _as_row(_WORKER["detector"].detect(image))


def detect_here(detector: HandDetector, images) -> HandKeypoints:
    """Detections of a few photos with a detector already loaded in this process (no pool, no
    cache): what a saved model needs to answer new photos."""
    result = empty_keypoints(len(images))
    _fill(result, (_as_row(detector.detect(image)) for image in images))
    return result


def _images_and_ids(image_set_or_images, ids):
    images = getattr(image_set_or_images, "images", image_set_or_images)
    if ids is None:
        ids = getattr(image_set_or_images, "ids", None)
    ids = list(ids) if ids is not None else [str(i) for i in range(len(images))]
    if len(ids) != len(images):
        raise ValueError(f"{len(ids)} ids for {len(images)} photos")
    return images, ids


def cache_file(images, ids: Sequence[str], cache_key: str, weights_path: str,
               settings: DetectorSettings) -> Path:
    """Cache path keyed by the caller's key, the photos, the model files and the settings."""
    digest = hashlib.sha256()
    for image in images:
        digest.update(np.ascontiguousarray(image).tobytes())
    palm, landmark = find_hand_models(weights_path)
    key = json.dumps([cache_key, list(ids), digest.hexdigest(), file_sha256(palm),
                      file_sha256(landmark), settings.key()])
    return CACHE_DIR / "keypoints" / f"hands-{hashlib.sha256(key.encode()).hexdigest()[:24]}.npz"


def _save(path: Path, result: HandKeypoints) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:      # a file object: np.savez adds no ".npz" to it
            np.savez(handle, **result._asdict())

    atomic_write(path, write)


def _load(path: Path) -> HandKeypoints:
    with np.load(path) as stored:
        return HandKeypoints(**{name: stored[name] for name in HandKeypoints._fields})


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def detect_many(images, weights_path: str = "", settings: DetectorSettings | None = None,
                workers: int = 0, progress: bool = True) -> HandKeypoints:
    """Run ``HandDetector.detect`` on every photo, in ``workers`` processes (each loading its
    own interpreters; 1 = in this process)."""
    from tqdm.auto import tqdm

    settings = settings or DetectorSettings()
    workers = workers or default_workers()
    result = empty_keypoints(len(images))
    bar = dict(total=len(images), desc="hand keypoints", disable=not progress, mininterval=2)
    if workers == 1 or len(images) < 2:
        _init_worker(weights_path, settings)
        outputs = (_detect_one(image) for image in images)
        _fill(result, tqdm(outputs, **bar))
        return result
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # safe even when TensorFlow is loaded
    with context.Pool(workers, _init_worker, (weights_path, settings)) as pool:
        _fill(result, tqdm(pool.imap(_detect_one, images, chunksize=16), **bar))
    return result


def _fill(result: HandKeypoints, outputs) -> None:
    for i, output in enumerate(counting(outputs, len(result.presence), "photos")):
        if output is not None:
            result.keypoints[i], result.presence[i], result.handedness[i], result.attempt[i] = output


def extract_keypoints(image_set_or_images, ids: Sequence[str] | None = None, cache_key: str = "",
                      workers: int = 0, progress: bool = True, weights_path: str = "",
                      settings: DetectorSettings | None = None,
                      use_cache: bool = True) -> HandKeypoints:
    """Hand keypoints for an ImageSet or a sequence of uint8 photos, cached as .npz in
    CACHE_DIR/keypoints so that later runs never detect the same photos twice."""
    settings = settings or DetectorSettings()
    images, ids = _images_and_ids(image_set_or_images, ids)
    if not use_cache:
        return detect_many(images, weights_path, settings, workers, progress)
    path = cache_file(images, ids, cache_key, weights_path, settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Two runs of a build that need the same photos (hands and hands_no_retries) detect them
    # once: the second waits for the first's cache file.
    with FileLock(f"{path}.lock"):
        if path.exists():
            return _load(path)
        result = detect_many(images, weights_path, settings, workers, progress)
        _save(path, result)
    return result
