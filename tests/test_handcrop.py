"""Hand crops and background randomisation on synthetic photos."""
import numpy as np

from asl.study import fusion, handcrop


def synthetic_hand(size=64):
    """A photo with a plain background and 21 keypoints of an open hand in its middle."""
    rng = np.random.default_rng(0)
    image = np.full((size, size, 3), 200, np.uint8)
    wrist = np.array([size / 2, size * 0.8])
    points = [wrist]
    for angle in np.radians([-60, -30, 0, 30, 60]):
        direction = np.array([np.sin(angle), -np.cos(angle)])
        points += [wrist + direction * size * 0.1 * k for k in (1, 2, 3, 4)]
    keypoints = np.c_[np.array(points), np.zeros(21)][None].astype(np.float32)
    mask = handcrop.hand_mask(keypoints[0], size) > 0.999
    image[mask] = rng.integers(0, 100, (mask.sum(), 3))         # the hand: dark, textured
    return image[None], keypoints, mask


def test_background_randomisation_keeps_every_hand_pixel():
    image, keypoints, hand = synthetic_hand()
    rng = np.random.default_rng(1)
    changed = handcrop.randomise_backgrounds(image, keypoints, 64, rng, share=1.0)
    assert np.array_equal(changed[0][hand], image[0][hand])
    background = ~(handcrop.hand_mask(keypoints[0], 64) > 0)
    assert (changed[0][background] != image[0][background]).any(axis=-1).mean() > 0.5


def test_photos_without_a_hand_keep_their_background():
    image, keypoints, _ = synthetic_hand()
    keypoints[:] = np.nan
    changed = handcrop.randomise_backgrounds(image, keypoints, 64, np.random.default_rng(0), 1.0)
    assert np.array_equal(changed, image)


def test_the_crop_is_centred_on_the_hand_and_scaled_with_the_photo():
    image, keypoints, _ = synthetic_hand(64)
    big = np.repeat(np.repeat(image, 3, axis=1), 3, axis=2)       # the same photo at 192 px
    small_crop = handcrop.crop_hands(image, keypoints, 64, 32)
    big_crop = handcrop.crop_hands(big, keypoints, 64, 32)          # keypoints found at 64 px
    assert small_crop.shape == big_crop.shape == (1, 32, 32, 3)
    assert np.abs(small_crop.astype(int) - big_crop.astype(int)).mean() < 25
    box = handcrop.hand_boxes(keypoints, 64)[0]
    xy = keypoints[0, :, :2]
    assert (box[:2] <= xy.min(axis=0)).all() and (box[2:] >= xy.max(axis=0)).all()


def test_fusion_weight_is_chosen_on_validation_accuracy():
    y = np.array([0, 1, 2, 0])
    right = np.eye(3)[y]
    wrong = np.eye(3)[(y + 1) % 3]
    weight, grid = fusion.choose_weight(right, wrong, y)
    assert weight > 0.5 and len(grid) == 11
    weight, _ = fusion.choose_weight(wrong, right, y)
    assert weight < 0.5


def test_a_reused_network_must_have_been_trained_with_this_runs_settings():
    import pytest

    from asl.study import crop_network, reuse

    theirs = {"epochs": 12, "margin": 0.35, "fuse": False, "trees": 100, "train_seed": 1}
    reuse.check_parameters(theirs, {**theirs, "fuse": True, "trees": 5}, crop_network.FUSION_ONLY,
                           "handcrop.seed1")
    with pytest.raises(ValueError, match=r"this run has epochs=3 but the network of "
                                         r"handcrop.seed1 it uses was trained with epochs=12"):
        reuse.check_parameters(theirs, {**theirs, "epochs": 3}, crop_network.FUSION_ONLY,
                               "handcrop.seed1")
    with pytest.raises(ValueError, match="train_seed=2"):
        reuse.check_parameters(theirs, {**theirs, "train_seed": 2}, crop_network.FUSION_ONLY,
                               "handcrop.seed1")


def test_a_run_finds_the_network_it_reused_and_notices_a_rebuild(tmp_path):
    import pytest

    from asl.errors import AslError
    from asl.files import sha256
    from asl.study import reuse

    network = tmp_path / "handcrop.seed1" / "model.keras"
    network.parent.mkdir()
    network.write_bytes(b"weights")
    pointer = {"run": "handcrop.seed1", "file": "model.keras", "sha256": sha256(b"weights")}
    assert reuse.network_path(tmp_path / "fusion.seed1", pointer) == network
    network.write_bytes(b"other weights")
    with pytest.raises(AslError, match="fusion.seed1 was built on the network of handcrop.seed1, "
                                       "which has been rebuilt since: rebuild it: python "
                                       "build.py --variant fusion"):
        reuse.network_path(tmp_path / "fusion.seed1", pointer)
    network.unlink()
    with pytest.raises(AslError, match="is missing"):
        reuse.network_path(tmp_path / "fusion.seed1", pointer)
