"""Does the CNN fit its own training photos? Scratch experiments behind the cnn-fit fix.

    python bench/cnn_fit.py fit --architecture batchnorm --augment strong --optimizer adam \
        --epochs 20 --patience 5 [--max-per-class 100] [--threads 2] [--wild]
    python bench/cnn_fit.py throughput [--threads 2]
    python bench/cnn_fit.py dead-units --architecture batchnorm [--epochs 4]

`fit` trains one configuration of notebooks/cnn.ipynb on the frame-block split and reports the
accuracy on the TRAINING photos in inference mode (no augmentation, no dropout, moving batch-norm
statistics) beside validation, test and (optionally) wild accuracy: the accuracy Keras prints
during fit is measured on augmented photos with dropout and batch statistics.
`throughput` measures images/s of the strong augmentation alone, and of training with no
augmentation, with augmentation inside the model, and with augmentation in a tf.data pipeline.
`dead-units` counts dense-layer ReLU units that are zero on every one of 1,024 training photos.
Data paths come from ASL_DATA / ASL_WILD, else ../shared. Timing figures never fail.

Measured after the fix (commit b13a45b), full frame-block split (13,246 training photos),
--threads 2 on a 2-core machine shared with other work (load average 4 to 8, so seconds are
upper bounds); train = inference mode on the training photos:

    configuration                     epochs  s/epoch  train  val    test   wild
    original, none, rmsprop (scratch)   15     17.6    0.993  0.785  0.803  0.247
    batchnorm, strong, adam (augment)   20     37.6    0.982  0.877  0.879  0.361
    wide, none, adam (wide)           9 of 12 119.3    0.990  0.828  0.819  0.169
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time


from asl.config import shared_paths

DATA = os.environ.get("ASL_DATA") or str(shared_paths()["data"])
WILD = os.environ.get("ASL_WILD") or str(shared_paths()["wild"])


def load(args):
    from asl.study import experiment

    return experiment.load(DATA, WILD if getattr(args, "wild", False) else "", image_size=64,
                           color_mode="rgb", split="frame_block",
                           max_per_class=args.max_per_class, seed=args.seed,
                           output_dir=tempfile.mkdtemp(prefix="cnn-fit-"))


def build(args, data, augment=None):
    from asl import CLASSES
    from asl.study import models, training

    model = models.build_cnn(data.input_shape, len(CLASSES), args.architecture, args.dropout,
                             args.augment if augment is None else augment, args.seed)
    training.compile_model(model, args.optimizer, args.learning_rate)
    return model


def accuracy(model, photos) -> float:
    return float(model.evaluate(photos.images, photos.labels, batch_size=256, verbose=0)[1])


def fit(args) -> None:
    from asl.study import training

    training.configure(args.seed, args.threads)
    data = load(args)
    print(data.describe(), flush=True)
    model = build(args, data)
    run = training.fit(model, data.train.images, data.train.labels, data.val.images,
                       data.val.labels, epochs=args.epochs, batch_size=args.batch_size,
                       patience=args.patience, output_dir=tempfile.mkdtemp(prefix="cnn-fit-"))
    result = {key: getattr(args, key) for key in (
        "architecture", "augment", "optimizer", "learning_rate", "batch_size", "dropout",
        "epochs", "patience", "max_per_class", "threads")}
    history = run["history"]
    result.update({
        "n_train": len(data.train), "epochs_run": run["epochs_run"],
        "seconds": round(run["seconds"], 1),
        "seconds_per_epoch": round(run["seconds"] / max(run["epochs_run"], 1), 1),
        "fit_accuracy": [round(v, 3) for v in history["accuracy"]],
        "fit_val_accuracy": [round(v, 3) for v in history.get("val_accuracy", [])],
        "train_accuracy_inference": round(accuracy(model, data.train), 4),
        "val_accuracy": round(accuracy(model, data.val), 4),
        "test_accuracy": round(accuracy(model, data.test), 4)})
    if data.wild is not None:
        result["wild_accuracy"] = round(accuracy(model, data.wild), 4)
    print("RESULT " + json.dumps(result), flush=True)


def images_per_second(step, n_images: int, repeats: int = 3) -> float:
    step()  # trace / warm up
    started = time.perf_counter()
    for _ in range(repeats):
        step()
    return n_images * repeats / (time.perf_counter() - started)


def throughput(args) -> None:
    from asl.study import models, training

    training.configure(args.seed, args.threads)
    import keras
    import tensorflow as tf

    args.max_per_class = args.max_per_class or 100
    data = load(args)
    x, y = data.train.images, data.train.labels
    n = len(x) // args.batch_size * args.batch_size
    x, y = x[:n], y[:n]
    figures = {}

    stack = keras.Sequential([keras.Input(shape=data.input_shape), keras.layers.Rescaling(1 / 255)]
                             + models.augmentation("strong", args.seed))
    batches = tf.data.Dataset.from_tensor_slices(x).batch(args.batch_size)

    @tf.function
    def augment_batch(batch):
        return stack(batch, training=True)

    def augment_all():
        for batch in batches:
            augment_batch(batch)

    figures["strong augmentation alone, batches of 64"] = images_per_second(augment_all, n)
    per_image = tf.data.Dataset.from_tensor_slices(x).map(
        lambda image: stack(image[None], training=True)[0])

    def augment_each():
        for _ in per_image:
            pass

    figures["strong augmentation alone, one photo at a time"] = images_per_second(
        augment_each, n, repeats=1)

    for name, augment in (("no augmentation", "none"), ("strong augmentation in the model",
                                                        "strong")):
        model = build(args, data, augment)
        figures[f"training, {name}"] = images_per_second(
            lambda: model.fit(x, y, batch_size=args.batch_size, epochs=1, verbose=0), n)

    model = build(args, data, "none")
    pipeline = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(n, seed=args.seed)
                .batch(args.batch_size)
                .map(lambda images, labels: (stack(images, training=True) * 255.0, labels),
                     num_parallel_calls=tf.data.AUTOTUNE)
                .prefetch(tf.data.AUTOTUNE))
    figures["training, strong augmentation in tf.data (batches, prefetch)"] = images_per_second(
        lambda: model.fit(pipeline, epochs=1, verbose=0), n)
    print(f"threads {args.threads}, {n} photos of 64x64, batch {args.batch_size}")
    for name, value in figures.items():
        print(f"| {name} | {value:,.0f} images/s |")


def dead_units(args) -> None:
    from asl.study import training

    training.configure(args.seed, args.threads)
    import keras
    import tensorflow as tf

    args.max_per_class = args.max_per_class or 100
    data = load(args)
    model = build(args, data, "none")
    x = tf.convert_to_tensor(data.train.images[:1024], tf.float32)
    dense = next(layer for layer in model.layers if isinstance(layer, keras.layers.Dense))
    relu = model.layers[model.layers.index(dense) + (2 if "relu" not in str(
        dense.activation) else 0)]

    def report(tag):
        z = x
        for layer in model.layers:
            if isinstance(layer, keras.layers.Dropout):
                continue
            z = layer(z, training=isinstance(layer, keras.layers.BatchNormalization))
            if isinstance(layer, keras.layers.Flatten):
                flat = z.numpy()
            if layer is relu:
                h = z.numpy()
                break
        print(f"{tag}: flattened features mean {flat.mean():.3f}; dense units dead on all "
              f"{len(h)} photos {(h.max(0) == 0).sum()}/{h.shape[1]}, active "
              f"{(h > 0).mean():.3f}", flush=True)

    report("initial")
    for epoch in range(args.epochs):
        model.fit(data.train.images, data.train.labels, epochs=1,
                  batch_size=args.batch_size, verbose=0)
        report(f"epoch {epoch + 1}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("fit", "throughput", "dead-units"))
    parser.add_argument("--architecture", default="original")
    parser.add_argument("--augment", default="none")
    parser.add_argument("--optimizer", default="rmsprop")
    parser.add_argument("--learning-rate", type=float, default=0.001)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.5)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--patience", type=int, default=3)
    parser.add_argument("--max-per-class", type=int, default=0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--wild", action="store_true")
    args = parser.parse_args()
    {"fit": fit, "throughput": throughput, "dead-units": dead_units}[args.command](args)


if __name__ == "__main__":
    main()
