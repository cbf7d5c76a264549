"""Training-time augmentation as two cheap layers: one geometric warp, one colour transform.

Keras's stock layers (translation, zoom, rotation, brightness, contrast, colour jitter) each
resample or convert every photo again; on a CPU the strong set cost more than the network it
fed. Here the shift, zoom and rotation become one affine matrix per photo (one interpolation,
so also less blur), and brightness, contrast, saturation and hue one linear map per photo
(saturation and hue act on the chroma plane of YIQ, not through HSV). Both are identity at
inference."""
from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

_RGB_TO_YIQ = np.array([[0.299, 0.587, 0.114],
                        [0.596, -0.274, -0.322],
                        [0.211, -0.523, 0.312]], dtype="float32")
_YIQ_TO_RGB = np.linalg.inv(_RGB_TO_YIQ).astype("float32")


@keras.saving.register_keras_serializable(package="asl")
class RandomGeometry(keras.layers.Layer):
    """Random shift (share of the side), zoom (scale of the sampled area: below 1 zooms in)
    and rotation (share of a full turn), applied as one affine warp with reflected borders."""

    def __init__(self, shift=0.15, zoom=(0.75, 1.2), rotation=0.05, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.shift, self.zoom, self.rotation, self.seed = shift, tuple(zoom), rotation, seed
        self.generator = keras.random.SeedGenerator(seed)

    def call(self, images, training=None):
        if not training:
            return images
        n = ops.shape(images)[0]
        height, width = images.shape[1], images.shape[2]

        def draw(low, high):
            return keras.random.uniform((n,), low, high, seed=self.generator)

        zoom = draw(*self.zoom)
        angle = draw(-self.rotation, self.rotation) * 2 * math.pi
        dx = draw(-self.shift, self.shift) * width
        dy = draw(-self.shift, self.shift) * height
        cx, cy = (width - 1) / 2, (height - 1) / 2
        a0, a1 = zoom * ops.cos(angle), -zoom * ops.sin(angle)
        b0, b1 = zoom * ops.sin(angle), zoom * ops.cos(angle)
        # output pixel (x, y) samples the input at (a0 x + a1 y + a2, b0 x + b1 y + b2)
        transform = ops.stack([a0, a1, cx - a0 * cx - a1 * cy + dx,
                               b0, b1, cy - b0 * cx - b1 * cy + dy,
                               ops.zeros_like(zoom), ops.zeros_like(zoom)], axis=1)
        return ops.image.affine_transform(images, transform, interpolation="bilinear",
                                          fill_mode="reflect")

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "shift": self.shift, "zoom": self.zoom,
                "rotation": self.rotation, "seed": self.seed}


@keras.saving.register_keras_serializable(package="asl")
class RandomColour(keras.layers.Layer):
    """Random brightness (added, share of the range), contrast (factor around each photo's
    channel means), saturation (chroma scale, log-uniform) and hue (chroma rotation, share of
    a turn) on pixels in [0, 1], clipped back to [0, 1]. Grayscale photos get brightness and
    contrast only."""

    def __init__(self, brightness=0.3, contrast=0.4, saturation=(0.43, 2.3), hue=0.05,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        self.brightness, self.contrast, self.saturation = brightness, contrast, tuple(saturation)
        self.hue, self.seed = hue, seed
        self.generator = keras.random.SeedGenerator(seed)

    def call(self, images, training=None):
        if not training:
            return images
        n = ops.shape(images)[0]

        def draw(low, high, shape=None):
            return keras.random.uniform(shape or (n,), low, high, seed=self.generator)

        if images.shape[-1] == 3:
            saturation = ops.exp(draw(*np.log(self.saturation)))
            angle = draw(-self.hue, self.hue) * 2 * math.pi
            cos, sin = saturation * ops.cos(angle), saturation * ops.sin(angle)
            one, zero = ops.ones_like(cos), ops.zeros_like(cos)
            chroma = ops.reshape(ops.stack([one, zero, zero, zero, cos, -sin, zero, sin, cos],
                                           axis=1), (-1, 3, 3))
            matrix = ops.einsum("ij,bjk,kl->bil", _YIQ_TO_RGB, chroma, _RGB_TO_YIQ)
            images = ops.einsum("bhwc,bdc->bhwd", images, matrix)
        factor = ops.reshape(draw(1 - self.contrast, 1 + self.contrast), (-1, 1, 1, 1))
        shift = ops.reshape(draw(-self.brightness, self.brightness), (-1, 1, 1, 1))
        means = ops.mean(images, axis=(1, 2), keepdims=True)
        return ops.clip((images - means) * factor + means + shift, 0.0, 1.0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "brightness": self.brightness,
                "contrast": self.contrast, "saturation": self.saturation, "hue": self.hue,
                "seed": self.seed}
