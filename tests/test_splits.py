"""The frame-block split keeps every test frame away from training frames."""
import numpy as np
import pytest

from asl.errors import DataError
from asl.study.splits import make_split


def kaggle_like(per_class=700, classes=29, seed=0):
    rng = np.random.default_rng(seed)
    labels, frames = [], []
    for label in range(classes):
        chosen = np.sort(rng.choice(np.arange(1, 3001), per_class, replace=False))
        labels += [label] * per_class
        frames += chosen.tolist()
    return np.array(labels), np.array(frames)


@pytest.mark.parametrize("gap", [1, 20, 50])
def test_no_training_frame_within_the_gap_of_a_test_or_validation_frame(gap):
    labels, frames = kaggle_like()
    split = make_split("frame_block", labels, frames, block_size=150, gap=gap)
    for label in range(29):
        train = frames[split.train][labels[split.train] == label]
        for held_out in (split.test, split.val):
            held = frames[held_out][labels[held_out] == label]
            distance = np.abs(train[:, None] - held[None, :]).min()
            assert distance > gap
    unfiltered = make_split("frame_block", labels, frames, block_size=150, gap=0)
    assert len(split.train) < len(unfiltered.train)     # the gap really removed frames


def test_parts_are_disjoint_and_every_class_is_tested():
    labels, frames = kaggle_like(per_class=200, classes=5)
    split = make_split("frame_block", labels, frames, test_fraction=0.2)
    parts = [set(split.train), set(split.val), set(split.test)]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    assert set(labels[split.test]) == set(range(5))
    assert 0.1 < len(split.test) / len(labels) < 0.3


def test_random_split_leaks_neighbouring_frames():
    labels, frames = kaggle_like(per_class=700, classes=3)
    split = make_split("random", labels, frames)
    train = frames[split.train][labels[split.train] == 0]
    test = frames[split.test][labels[split.test] == 0]
    assert np.abs(train[:, None] - test[None, :]).min(axis=0).max() <= 20


def test_same_seed_same_split():
    labels, frames = kaggle_like(per_class=100, classes=4)
    a, b = (make_split("frame_block", labels, frames, seed=3) for _ in range(2))
    assert np.array_equal(a.test, b.test)


def test_photos_without_frame_number_are_set_aside_never_a_random_split():
    labels, frames = kaggle_like(per_class=100, classes=4)
    frames[[5, 150]] = -1                                  # "A1 (copy).jpg" and another
    split = make_split("frame_block", labels, frames, seed=3)
    assert split.kind == "frame_block" and split.settings["set_aside"] == 2
    used = np.concatenate([split.train, split.val, split.test])
    assert 5 not in used and 150 not in used
    assert (frames[used] >= 0).all()
    with pytest.raises(DataError, match="split=random"):   # none numbered: say so, stop
        make_split("frame_block", labels, np.full(len(labels), -1))
