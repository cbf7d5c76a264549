"""The fast training layers: augmentation that moves and recolours photos within its stated
ranges, only in training, and a fused batch normalisation equal to Keras's."""
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from asl.study import augment, models  # noqa: E402


def photos(n=16, size=32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 1, (n, size, size, 3)).astype("float32")


def test_augmentation_is_the_identity_at_inference():
    x = photos()
    for layer in models.augmentation("strong", seed=3):
        np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)


def test_geometry_without_movement_keeps_the_photo_and_a_shift_moves_it():
    x = photos(4)
    still = augment.RandomGeometry(shift=0, zoom=(1, 1), rotation=0, seed=1)
    np.testing.assert_allclose(np.asarray(still(x, training=True)), x, atol=1e-5)
    # a shift of exactly 0.25 of the side: the drawn shift is uniform in [-0.25, 0.25], so
    # compare against every whole-pixel shift the draw could land near
    moved = np.asarray(augment.RandomGeometry(shift=0.25, zoom=(1, 1), rotation=0, seed=1)(
        x, training=True))
    assert not np.allclose(moved, x, atol=1e-3)


def test_geometry_rotates_a_bar_by_at_most_the_stated_angle():
    image = np.zeros((32, 65, 65, 1), "float32")
    image[:, 31:34, :, 0] = 1       # a horizontal bar through the centre
    out = np.asarray(augment.RandomGeometry(shift=0, zoom=(1, 1), rotation=0.05, seed=2)(
        image, training=True))[..., 0]
    angles = []
    for bar in out:
        rows, cols = np.nonzero(bar[:, 16:49] > 0.5)     # away from the reflected borders
        angles.append(np.degrees(np.arctan(np.polyfit(cols, rows, 1)[0])))
    assert max(np.abs(angles)) <= 0.05 * 360 + 1
    assert max(np.abs(angles)) > 5          # 32 draws: some rotate visibly


def test_colour_stays_in_range_changes_photos_and_leaves_gray_gray_in_hue():
    x = photos(64)
    out = np.asarray(augment.RandomColour(seed=4)(x, training=True))
    assert out.min() >= 0 and out.max() <= 1
    assert np.abs(out - x).mean() > 0.05
    gray = np.repeat(photos(8)[..., :1], 3, axis=-1)
    out = np.asarray(augment.RandomColour(brightness=0, contrast=0, seed=5)(gray, training=True))
    np.testing.assert_allclose(out[..., 0], out[..., 1], atol=1e-4)   # no chroma to turn
    np.testing.assert_allclose(out[..., 1], out[..., 2], atol=1e-4)


def test_a_training_seed_gives_the_same_augmentation_and_another_seed_a_different_one():
    x = photos(8)

    def run(seed):
        keras.utils.set_random_seed(0)
        layers = models.augmentation("strong", seed=seed)
        out = x
        for layer in layers:
            out = layer(out, training=True)
        return np.asarray(out)

    np.testing.assert_array_equal(run(1), run(1))
    assert not np.allclose(run(1), run(2))


def test_fused_batch_normalisation_trains_like_keras_and_saves():
    x = keras.ops.convert_to_tensor(photos(16, 8) * 3 + 1)
    fused = models.FusedBatchNormalization(momentum=0.9)
    plain = keras.layers.BatchNormalization(momentum=0.9)
    out_fused = np.asarray(fused(x, training=True))
    out_plain = np.asarray(plain(x, training=True))
    np.testing.assert_allclose(out_fused, out_plain, atol=1e-3)
    np.testing.assert_allclose(np.asarray(fused.moving_mean), np.asarray(plain.moving_mean),
                               rtol=1e-4)
    # TensorFlow keeps the unbiased batch variance for the moving average (n = 1,024 here)
    np.testing.assert_allclose(np.asarray(fused.moving_variance),
                               np.asarray(plain.moving_variance), rtol=2e-3)
    np.testing.assert_allclose(np.asarray(fused(x, training=False)),
                               np.asarray(plain(x, training=False)), atol=1e-3)


def test_a_cnn_with_the_fast_layers_saves_and_loads(tmp_path):
    model = models.build_cnn((32, 32, 3), 29, "batchnorm", augment="strong", seed=1)
    x = (photos(4) * 255).astype("uint8")
    model.save(tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0),
                               atol=1e-5)
