"""One builder per model family. Every model takes raw uint8 photos and scales them itself."""
from __future__ import annotations

from pathlib import Path

import keras
from keras import layers

from asl.config import KERAS_WEIGHTS_DIR
from asl.study import augment
from asl.errors import WeightsError

CNN_ARCHITECTURES = {
    # name: (channels per conv block, batch normalisation, dense units)
    "original": ((16, 32, 64, 128), False, 128),
    "batchnorm": ((16, 32, 64, 128), True, 128),
    "wide": ((32, 64, 128, 256), True, 256),
}
AUGMENTATIONS = ("none", "light", "strong")
BN_MOMENTUM = 0.9  # Keras default 0.99

# Backbone name -> (Keras application, preprocessing function, weights file in the Keras cache).
BACKBONES = {
    "mobilenet": ("MobileNet", None, "mobilenet_{alpha_tag}_224_tf_no_top.h5"),
    "vgg16": ("VGG16", "vgg16", "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    "resnet50": ("ResNet50", "resnet", "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"),
}
_MOBILENET_ALPHA_TAGS = {0.25: "2_5", 0.5: "5_0", 0.75: "7_5", 1.0: "1_0"}


def augmentation(strength: str, seed: int = 0) -> list:
    """Training-time augmentation layers (inactive at inference) for pixels in [0, 1].

    No horizontal flip: a mirrored hand changes the meaning of some signs. Each layer gets its
    own seed (layers sharing one seed would draw the same random numbers)."""
    if strength not in AUGMENTATIONS:
        raise ValueError(f"augment must be one of {AUGMENTATIONS}, not {strength!r}")
    if strength == "none":
        return []
    if strength == "light":
        return [augment.RandomGeometry(shift=0.08, zoom=(0.9, 1.1), rotation=0.03,
                                       seed=seed * 100)]
    return [augment.RandomGeometry(shift=0.15, zoom=(0.75, 1.2), rotation=0.05, seed=seed * 100),
            augment.RandomColour(brightness=0.3, contrast=0.4, saturation=(0.43, 2.3), hue=0.05,
                                 seed=seed * 100 + 1)]


@keras.saving.register_keras_serializable(package="asl")
class FusedBatchNormalization(layers.BatchNormalization):
    """Batch normalisation that trains on images with TensorFlow's fused kernel, about twice
    as fast on a CPU as Keras's (which computes the moments and the normalisation apart).
    Inference, and any input other than a float32 image batch, take Keras's path."""

    def call(self, inputs, training=None, mask=None):
        import tensorflow as tf

        if not (training and self.trainable and mask is None and len(inputs.shape) == 4
                and self.axis in (-1, 3) and self.center and self.scale
                and inputs.dtype == "float32" and keras.backend.backend() == "tensorflow"):
            return super().call(inputs, training=training, mask=mask)
        outputs, mean, variance = tf.compat.v1.nn.fused_batch_norm(
            inputs, self.gamma, self.beta, epsilon=self.epsilon, is_training=True)
        self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1 - self.momentum))
        self.moving_variance.assign(
            self.moving_variance * self.momentum + variance * (1 - self.momentum))
        return outputs


def build_cnn(input_shape, n_classes: int, architecture: str = "original",
              dropout: float = 0.5, augment: str = "none", seed: int = 0) -> keras.Model:
    """Convolution/pooling blocks, then a dense layer with dropout (the original study's CNN).

    With batch normalisation the flattened features are normalised ReLU outputs (mean about
    0.8, 2,048 or 4,096 of them), so Adam's first steps move every dense pre-activation by
    about learning_rate x fan-in x 0.8 at once and most dense units die: the dense layer is
    batch-normalised as well. BN_MOMENTUM lets the inference-mode statistics catch up within
    an epoch (they start at variance 1, the convolutions' outputs have variance about 0.01)."""
    if architecture not in CNN_ARCHITECTURES:
        raise ValueError(f"architecture must be one of {sorted(CNN_ARCHITECTURES)}, "
                         f"not {architecture!r}")
    channels, batchnorm, dense_units = CNN_ARCHITECTURES[architecture]
    model = keras.Sequential(name=f"cnn_{architecture}")
    model.add(keras.Input(shape=tuple(input_shape)))
    model.add(layers.Rescaling(1 / 255))
    for layer in augmentation(augment, seed):
        model.add(layer)
    for width in channels:
        model.add(layers.Conv2D(width, 3, padding="same", use_bias=not batchnorm))
        if batchnorm:
            model.add(FusedBatchNormalization(momentum=BN_MOMENTUM))
        model.add(layers.Activation("relu"))
        model.add(layers.MaxPooling2D())
    model.add(layers.Flatten())
    if batchnorm:
        model.add(layers.Dense(dense_units, use_bias=False))
        model.add(layers.BatchNormalization(momentum=BN_MOMENTUM))
        model.add(layers.Activation("relu"))
    else:
        model.add(layers.Dense(dense_units, activation="relu"))
    model.add(layers.Dropout(dropout))
    model.add(layers.Dense(n_classes, activation="softmax"))
    return model


def find_weights(backbone: str, alpha: float = 0.25, weights_path: str = "") -> Path:
    """The ImageNet weights file: the given path, else the Keras cache; clear error if absent."""
    if backbone not in BACKBONES:
        raise ValueError(f"backbone must be one of {sorted(BACKBONES)}, not {backbone!r}")
    file_name = BACKBONES[backbone][2].format(alpha_tag=_MOBILENET_ALPHA_TAGS.get(alpha, "?"))
    if weights_path:
        path = Path(weights_path).expanduser()
        if path.is_dir():
            path = path / file_name
        if path.is_file():
            return path
        raise WeightsError(f"ImageNet weights for {backbone} not found at '{path}' "
                           f"(expected the file {file_name})")
    cached = KERAS_WEIGHTS_DIR / file_name
    if cached.is_file():
        return cached
    raise WeightsError(
        f"ImageNet weights for {backbone} are not on this machine: put {file_name} in "
        f"{KERAS_WEIGHTS_DIR}/ or give its path with --weights PATH (or ASL_WEIGHTS)")


def build_transfer(input_shape, n_classes: int, backbone: str = "mobilenet", alpha: float = 0.25,
                   backbone_size: int = 128, weights_path: str = "", dropout: float = 0.3,
                   augment: str = "none", seed: int = 0) -> tuple[keras.Model, keras.Model]:
    """ImageNet backbone (frozen) + a new softmax head. Returns (model, backbone)."""
    application, preprocessing, _ = BACKBONES.get(backbone, (None, None, None))
    weights = find_weights(backbone, alpha, weights_path)
    size = (backbone_size, backbone_size, 3)
    kwargs = {"alpha": alpha} if backbone == "mobilenet" else {}
    try:
        base = getattr(keras.applications, application)(
            input_shape=size, include_top=False, weights=str(weights), pooling="avg", **kwargs)
    except (OSError, ValueError) as error:   # h5py's messages do not name the file
        raise WeightsError(f"the weights file {weights} cannot be read ({error}): it is "
                           f"damaged or incomplete; download it again") from None
    base.trainable = False
    inputs = keras.Input(shape=tuple(input_shape))
    x = inputs
    if augment != "none":  # augment in [0, 1] (see augmentation), then back to 0..255
        x = layers.Rescaling(1 / 255)(x)
        for layer in augmentation(augment, seed):
            x = layer(x)
        x = layers.Rescaling(255)(x)
    if input_shape[-1] == 1:
        x = layers.Concatenate()([x, x, x])
    x = layers.Resizing(backbone_size, backbone_size)(x)
    if preprocessing is None:  # MobileNet wants pixels in [-1, 1]
        x = layers.Rescaling(1 / 127.5, offset=-1, name="preprocess")(x)
    else:
        preprocess = getattr(keras.applications, preprocessing).preprocess_input
        x = layers.Lambda(preprocess, name="preprocess")(x)
    x = base(x, training=False)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(n_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name=f"{backbone}_transfer"), base


def unfreeze_top(base: keras.Model, count: int) -> None:
    """Make the backbone's last `count` layers trainable (all of them if `count` is 0).

    MobileNet's early blocks work on large feature maps and cost most of a fine-tuning step's
    backward pass; its last blocks carry the features most specific to ImageNet's classes."""
    base.trainable = True
    if count:
        for layer in base.layers[:-count]:
            layer.trainable = False


def build_autoencoder(input_shape, code_size: int = 128,
                      channels=(16, 32, 64, 128)) -> tuple[keras.Model, keras.Model]:
    """Convolutional autoencoder: uint8 photos in, pixels in [0, 1] out.

    Returns (autoencoder, encoder); the encoder gives the codes."""
    height = input_shape[0]
    reduced = height // 2 ** len(channels)
    if reduced < 1:
        raise ValueError(f"image_size {height} is too small for {len(channels)} pooling steps")
    inputs = keras.Input(shape=tuple(input_shape))
    x = layers.Rescaling(1 / 255)(inputs)
    for width in channels:
        x = layers.Conv2D(width, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    code = layers.Dense(code_size, name="code")(layers.Flatten()(x))
    encoder = keras.Model(inputs, code, name="encoder")

    x = layers.Dense(reduced * reduced * channels[-1], activation="relu")(code)
    x = layers.Reshape((reduced, reduced, channels[-1]))(x)
    for width in reversed(channels):
        x = layers.Conv2DTranspose(width, 3, strides=2, padding="same", activation="relu")(x)
    outputs = layers.Conv2D(input_shape[-1], 3, padding="same", activation="sigmoid")(x)
    return keras.Model(inputs, outputs, name="autoencoder"), encoder
