"""Hand crops and background randomisation on synthetic photos."""
import numpy as np

from asl.study.hands import crops
from hand_fixtures import synthetic_hand


def test_background_randomisation_keeps_every_hand_pixel():
    image, keypoints, hand = synthetic_hand()
    rng = np.random.default_rng(1)
    changed = crops.randomise_backgrounds(image, keypoints, 64, rng, share=1.0)
    assert np.array_equal(changed[0][hand], image[0][hand])
    background = ~(crops.hand_mask(keypoints[0], 64) > 0)
    assert (changed[0][background] != image[0][background]).any(axis=-1).mean() > 0.5


def test_photos_without_a_hand_keep_their_background():
    image, keypoints, _ = synthetic_hand()
    keypoints[:] = np.nan
    changed = crops.randomise_backgrounds(image, keypoints, 64, np.random.default_rng(0), 1.0)
    assert np.array_equal(changed, image)


def test_the_crop_is_centred_on_the_hand_and_scaled_with_the_photo():
    image, keypoints, _ = synthetic_hand(64)
    big = np.repeat(np.repeat(image, 3, axis=1), 3, axis=2)       # the same photo at 192 px
    small_crop = crops.crop_hands(image, keypoints, 64, 32)
    big_crop = crops.crop_hands(big, keypoints, 64, 32)          # keypoints found at 64 px
    assert small_crop.shape == big_crop.shape == (1, 32, 32, 3)
    assert np.abs(small_crop.astype(int) - big_crop.astype(int)).mean() < 25
    box = crops.hand_boxes(keypoints, 64)[0]
    xy = keypoints[0, :, :2]
    assert (box[:2] <= xy.min(axis=0)).all() and (box[2:] >= xy.max(axis=0)).all()
