"""Features of a hand from its 21 keypoints."""
import numpy as np

from asl.study.hands import features as kf
from hand_fixtures import random_hand


def test_features_invariant_to_translation_and_scale():
    hand = random_hand()
    moved = hand * 37.0 + np.array([120.0, 45.0, 3.0])
    table = kf.features(np.stack([hand, moved]), np.array([0.9, 0.9]))
    assert table.shape == (2, len(kf.FEATURE_NAMES))
    assert np.allclose(table[0], table[1], atol=1e-5)


def test_mirrored_left_hand_gives_the_right_hands_features():
    right = random_hand(1) * 50 + [100, 100, 0]
    left = right.copy()
    left[:, 0] = 200 - left[:, 0]                            # the photo mirrored
    handedness = np.array([0.95, 0.05])
    table = kf.features(np.stack([right, left]), handedness, mirror_left=True)
    assert np.allclose(table[0], table[1], atol=1e-5)
    unmirrored = kf.features(np.stack([right, left]), handedness)
    assert not np.allclose(unmirrored[0], unmirrored[1], atol=1e-3)


def test_missing_hand_gives_nan_row_and_names_are_unique():
    keypoints = np.stack([random_hand(), np.full((21, 3), np.nan)])
    table = kf.features(keypoints, np.array([0.9, np.nan]))
    assert np.isfinite(table[0]).all() and np.isnan(table[1]).all()
    assert len(set(kf.FEATURE_NAMES)) == len(kf.FEATURE_NAMES)


def test_augment_shapes_and_wrist_fixed():
    keypoints = np.stack([random_hand(2) * 40 + 100, random_hand(3) * 40 + 90])
    copies = kf.augment(keypoints, np.random.default_rng(0), n_copies=3, max_rotation_deg=10,
                        scale_range=(0.9, 1.1))
    assert copies.shape == (6, 21, 3)
    assert np.allclose(copies[:, 0], np.tile(keypoints[:, 0], (3, 1)), atol=1e-4)
    assert not np.allclose(copies[0], keypoints[0])
