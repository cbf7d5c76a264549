"""The cosine learning-rate schedule that lets the image variants train in fewer epochs."""
import numpy as np
import pytest

from asl.study import training


def _tiny_model():
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    training.compile_model(model, "adam", 0.01)
    return model


def _rates_seen(schedule, epochs, tmp_path):
    import keras

    model = _tiny_model()
    seen = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(80, 4)).astype("float32"), rng.integers(0, 3, 80)
    original_fit = model.fit
    model.fit = lambda *a, callbacks=(), **k: original_fit(*a, callbacks=[*callbacks, Record()],
                                                           **k)
    run = training.fit(model, x, y, x[:10], y[:10], epochs=epochs, batch_size=16, patience=0,
                       output_dir=tmp_path, schedule=schedule)
    return seen, run


def test_cosine_starts_at_the_compiled_rate_and_falls_to_near_zero_by_the_last_epoch(tmp_path):
    seen, run = _rates_seen("cosine", 4, tmp_path)
    assert run["epochs_run"] == 4 and len(seen) == 4 * 5
    assert seen[0] == pytest.approx(0.01)
    assert all(later <= earlier + 1e-9 for earlier, later in zip(seen, seen[1:]))
    assert seen[len(seen) // 2] == pytest.approx(0.005, rel=0.1)
    assert seen[-1] < 0.01 * 0.01


def test_constant_keeps_the_compiled_rate(tmp_path):
    seen, _ = _rates_seen("constant", 2, tmp_path)
    assert seen == pytest.approx([0.01] * len(seen))


def test_an_unknown_schedule_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="schedule must be one of"):
        _rates_seen("linear", 1, tmp_path)
