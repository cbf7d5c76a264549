"""Keypoints of many photos: worker processes and the cache."""
import numpy as np

from asl.study.hands import keypoints
from hand_fixtures import needs_models, weights_dir, wild_photo


@needs_models
def test_worker_processes_keep_the_order():
    photo = wild_photo()
    blank = np.full_like(photo, 128)
    found = keypoints.detect_many([blank, photo, blank], str(weights_dir()), workers=2,
                              progress=False)
    assert found.attempt[0] == -1 and found.attempt[1] >= 0 and found.attempt[2] == -1
    assert np.isnan(found.keypoints[0]).all() and np.isfinite(found.keypoints[1]).all()


@needs_models
def test_second_extract_reads_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(keypoints, "CACHE_DIR", tmp_path)
    calls = []
    real = keypoints.detect_many

    def counting(images, *args, **kwargs):
        calls.append(len(images))
        return real(images, *args, **kwargs)

    monkeypatch.setattr(keypoints, "detect_many", counting)
    images = np.full((2, 64, 64, 3), 90, np.uint8)
    first = keypoints.extract_keypoints(images, ["a", "b"], "test", workers=1, progress=False,
                                    weights_path=str(weights_dir()))
    second = keypoints.extract_keypoints(images, ["a", "b"], "test", workers=1, progress=False,
                                     weights_path=str(weights_dir()))
    assert calls == [2]
    assert (first.attempt == -1).all() and np.isnan(second.keypoints).all()
    assert list((tmp_path / "keypoints").glob("*.npz"))


def test_the_keypoint_cache_is_written_whole_and_readable_like_every_output(tmp_path):
    """Written through files.atomic_write: no temporary file left, and the permissions of
    any other output (a private mkstemp file would stop a shared cache being read)."""
    import os

    path = tmp_path / "keypoints" / "hands-x.npz"
    found = keypoints.empty_keypoints(3)
    found.attempt[1] = 2
    keypoints._save(path, found)
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask
    assert keypoints._load(path).attempt.tolist() == [-1, 2, -1]


def test_two_runs_needing_the_same_photos_detect_them_once(tmp_path, monkeypatch):
    """hands and hands_no_retries run side by side in a quick build: the second waits for the
    first's cache instead of finding the same hands again."""
    import threading
    import time

    monkeypatch.setattr(keypoints, "cache_file", lambda *args: tmp_path / "hands-same.npz")
    calls = []

    def slow_detection(images, *args, **kwargs):
        calls.append(len(images))
        time.sleep(0.5)
        return keypoints.empty_keypoints(len(images))

    monkeypatch.setattr(keypoints, "detect_many", slow_detection)
    images = np.full((3, 16, 16, 3), 90, np.uint8)
    found = []
    runs = [threading.Thread(target=lambda: found.append(keypoints.extract_keypoints(
        images, ["a", "b", "c"], "test", progress=False))) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert calls == [3]
    assert [len(result.attempt) for result in found] == [3, 3]
