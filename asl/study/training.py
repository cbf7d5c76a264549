"""Reproducible set-up, training with early stopping, and progress a build can show."""
from __future__ import annotations

import os
import random
import time

import numpy as np

from asl.config import interop_threads
from asl.progress import write as report_progress

OPTIMIZERS = ("rmsprop", "adam", "sgd")
SCHEDULES = ("constant", "cosine")


def configure(seed: int, threads: int = 0) -> None:
    """Seed Python/NumPy/TF, make TF ops deterministic, size thread pools, grow GPU memory."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if threads > 0:
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[name] = str(threads)
    import tensorflow as tf
    import keras

    if threads > 0:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(interop_threads(threads))
        except RuntimeError:
            pass  # already initialised in this kernel: keep the first setting
    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:
            pass
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def progress_callback(output_dir, stage: str, epochs: int, every: float = 10.0):
    """A Keras callback that records ``stage epoch k/epochs`` as each epoch begins, with the
    batch reached at most every ``every`` seconds and the metrics as each epoch ends."""
    import keras

    class Progress(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch, self.last = epoch + 1, time.monotonic()
            report_progress(output_dir, stage, self.epoch, epochs)

        def on_train_batch_end(self, batch, logs=None):
            if time.monotonic() - self.last >= every:
                self.last = time.monotonic()
                steps = self.params.get("steps")
                report_progress(output_dir, stage, self.epoch, epochs,
                                f"batch {batch + 1}" + (f"/{steps}" if steps else ""))

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            shown = ", ".join(f"{k} {v:.3f}" for k, v in logs.items()
                              if k in ("loss", "accuracy", "val_loss", "val_accuracy"))
            report_progress(output_dir, stage, epoch + 1, epochs, shown)

    return Progress()


def make_optimizer(name: str, learning_rate: float):
    import keras

    classes = {"rmsprop": keras.optimizers.RMSprop, "adam": keras.optimizers.Adam,
               "sgd": lambda learning_rate: keras.optimizers.SGD(learning_rate, momentum=0.9)}
    if name not in classes:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, not {name!r}")
    return classes[name](learning_rate=learning_rate)


def cosine_callback(epochs: int):
    """A Keras callback that lowers the learning rate batch by batch along half a cosine, from
    the compiled rate at the first batch to zero after ``epochs`` epochs."""
    import math

    import keras

    class Cosine(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.base = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
            self.total = epochs * (self.params.get("steps") or 1)

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_begin(self, batch, logs=None):
            step = self.epoch * (self.params.get("steps") or 1) + batch
            rate = 0.5 * self.base * (1 + math.cos(math.pi * min(step / self.total, 1.0)))
            self.model.optimizer.learning_rate.assign(rate)

    return Cosine()


def fit(model, x_train, y_train, x_val, y_val, *, epochs: int, batch_size: int, patience: int,
        output_dir, stage: str = "training", monitor: str = "val_loss",
        schedule: str = "constant") -> dict:
    """Train with early stopping (best weights restored); return history, seconds, epochs run.
    ``schedule="cosine"`` decays the learning rate to zero over the ``epochs`` given."""
    import keras

    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, not {schedule!r}")
    callbacks = [progress_callback(output_dir, stage, epochs)]
    if schedule == "cosine":
        callbacks.append(cosine_callback(epochs))
    if patience > 0 and len(x_val):
        callbacks.append(keras.callbacks.EarlyStopping(
            monitor=monitor, patience=patience, restore_best_weights=True))
    started = time.perf_counter()
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val) if len(x_val) else None,
                        epochs=epochs, batch_size=batch_size, callbacks=callbacks, verbose=2)
    seconds = time.perf_counter() - started
    history = {key: [float(v) for v in values] for key, values in history.history.items()}
    return {"seconds": seconds, "epochs_run": len(history.get("loss", [])), "history": history}


def merge_runs(*runs: dict) -> dict:
    """Join consecutive training runs (e.g. frozen head, then fine-tuning) into one record."""
    history: dict[str, list] = {}
    for run in runs:
        for key, values in run["history"].items():
            history.setdefault(key, []).extend(values)
    return {"seconds": sum(r["seconds"] for r in runs),
            "epochs_run": sum(r["epochs_run"] for r in runs), "history": history,
            "stages": [r["epochs_run"] for r in runs]}


def compile_model(model, optimizer: str, learning_rate: float,
                  loss: str = "sparse_categorical_crossentropy") -> None:
    """Compile with the named optimizer; a classifier (the default loss) also reports its
    accuracy."""
    metrics = ["accuracy"] if loss == "sparse_categorical_crossentropy" else None
    model.compile(optimizer=make_optimizer(optimizer, learning_rate), loss=loss, metrics=metrics)
