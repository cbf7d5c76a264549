"""Image models that look at the hand, not the room: hand-centred crops from the 21 hand
keypoints, a hand mask drawn along the bones, and training photos whose background is
replaced by random textures and photo patches.

Keypoints are ``(n, 21, 3)`` arrays in the pixel coordinates of the photos they were found
on (NaN where no hand was found), in MediaPipe's order: 0 wrist, 1-4 thumb, 5-8 index,
9-12 middle, 13-16 ring, 17-20 little finger.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

BONES = ((0, 1), (1, 2), (2, 3), (3, 4), (0, 5), (5, 6), (6, 7), (7, 8), (5, 9), (9, 10),
         (10, 11), (11, 12), (9, 13), (13, 14), (14, 15), (15, 16), (13, 17), (0, 17),
         (17, 18), (18, 19), (19, 20))
PALM = (0, 1, 5, 9, 13, 17)


def found(keypoints: np.ndarray) -> np.ndarray:
    """True for the photos where a hand was found."""
    return ~np.isnan(keypoints[:, :, :2]).any(axis=(1, 2))


def hand_boxes(keypoints: np.ndarray, image_size: int, margin: float = 0.35) -> np.ndarray:
    """Square boxes ``(x0, y0, x1, y1)`` around each hand's keypoints, widened by ``margin``
    of their size on each side; the whole photo where no hand was found."""
    boxes = np.tile(np.array([0.0, 0.0, image_size, image_size]), (len(keypoints), 1))
    ok = found(keypoints)
    xy = keypoints[ok, :, :2]
    low, high = xy.min(axis=1), xy.max(axis=1)
    centre, side = (low + high) / 2, (high - low).max(axis=1) * (1 + 2 * margin)
    side = np.maximum(side, image_size * 0.25)
    boxes[ok] = np.c_[centre - side[:, None] / 2, centre + side[:, None] / 2]
    return boxes


def crop(images: np.ndarray, boxes: np.ndarray, out_size: int) -> np.ndarray:
    """Each photo's box, resized to ``out_size``; parts of a box outside the photo repeat the
    photo's edge pixels."""
    out = np.empty((len(images), out_size, out_size, images.shape[-1]), dtype=np.uint8)
    for i, (image, box) in enumerate(zip(images, boxes)):
        pad = int(np.ceil(max(0.0, -box.min(), box.max() - max(image.shape[:2]))))
        padded = np.pad(image, [(pad, pad), (pad, pad), (0, 0)], mode="edge")
        picture = Image.fromarray(padded[..., 0] if padded.shape[-1] == 1 else padded)
        resized = np.asarray(picture.resize((out_size, out_size), Image.Resampling.BILINEAR,
                                            box=tuple(float(v) + pad for v in box)))
        out[i] = resized.reshape(out_size, out_size, -1)
    return out


def crop_hands(images: np.ndarray, keypoints: np.ndarray, keypoint_size: int, out_size: int,
               margin: float = 0.35) -> np.ndarray:
    """Hand-centred crops of ``images``; ``keypoints`` were found on the photos at
    ``keypoint_size`` pixels and are scaled to the size of ``images``."""
    scale = images.shape[1] / keypoint_size
    scaled = keypoints.copy()
    scaled[:, :, :2] *= scale
    return crop(images, hand_boxes(scaled, images.shape[1], margin), out_size)


def hand_mask(keypoints: np.ndarray, size: int, thickness: float = 0.09) -> np.ndarray:
    """A float mask (1 on the hand) drawn along the bones and over the palm, with a soft edge;
    ``thickness`` is the width of a finger as a share of the hand's size."""
    picture = Image.new("L", (size, size), 0)
    xy = keypoints[:, :2]
    hand_size = float(np.ptp(xy, axis=0).max())
    width = max(2, int(round(thickness * hand_size)))
    draw = ImageDraw.Draw(picture)
    draw.polygon([tuple(xy[i]) for i in PALM], fill=255)
    for a, b in BONES:
        draw.line([tuple(xy[a]), tuple(xy[b])], fill=255, width=width)
    for point in xy:
        draw.ellipse([point[0] - width / 2, point[1] - width / 2, point[0] + width / 2,
                      point[1] + width / 2], fill=255)
    picture = picture.filter(ImageFilter.MaxFilter(3)).filter(
        ImageFilter.GaussianBlur(max(1.0, width / 4)))
    mask = np.asarray(picture, dtype=np.float32) / 255
    return np.maximum(mask, np.asarray(_solid(keypoints, size, width), dtype=np.float32))


def _solid(keypoints: np.ndarray, size: int, width: int) -> np.ndarray:
    """The hard mask (before blurring): pixels that are certainly hand stay exactly 1."""
    picture = Image.new("1", (size, size), 0)
    draw = ImageDraw.Draw(picture)
    xy = keypoints[:, :2]
    draw.polygon([tuple(xy[i]) for i in PALM], fill=1)
    for a, b in BONES:
        draw.line([tuple(xy[a]), tuple(xy[b])], fill=1, width=width)
    return np.asarray(picture)


def textures(count: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Random backgrounds: flat colours, gradients, noise, stripes, and patches of the two
    sample photos scikit-learn ships (a temple and a flower, in no test set)."""
    from sklearn.datasets import load_sample_images

    photos = load_sample_images().images
    out = np.empty((count, size, size, 3), dtype=np.uint8)
    grid = np.linspace(0, 1, size, dtype=np.float32)
    for i in range(count):
        kind = rng.integers(5)
        colours = rng.integers(0, 256, (2, 3)).astype(np.float32)
        if kind == 0:
            texture = np.broadcast_to(colours[0], (size, size, 3))
        elif kind == 1:
            t = grid[None, :, None] if rng.random() < 0.5 else grid[:, None, None]
            texture = colours[0] * (1 - t) + colours[1] * t
        elif kind == 2:
            coarse = rng.random((max(2, size // 8), max(2, size // 8), 3)).astype(np.float32)
            texture = np.asarray(Image.fromarray((coarse * 255).astype(np.uint8)).resize(
                (size, size), Image.Resampling.BICUBIC), dtype=np.float32)
        elif kind == 3:
            period = rng.integers(4, max(5, size // 3))
            stripes = (np.arange(size) // period % 2).astype(np.float32)
            t = stripes[None, :, None] if rng.random() < 0.5 else stripes[:, None, None]
            texture = colours[0] * (1 - t) + colours[1] * t
        else:
            photo = photos[rng.integers(len(photos))]
            side = int(rng.integers(size, min(photo.shape[:2]) + 1))
            y, x = rng.integers(0, photo.shape[0] - side + 1), rng.integers(0, photo.shape[1] - side + 1)
            texture = np.asarray(Image.fromarray(photo[y:y + side, x:x + side]).resize(
                (size, size), Image.Resampling.BILINEAR), dtype=np.float32)
        out[i] = np.clip(np.broadcast_to(texture, (size, size, 3)), 0, 255).astype(np.uint8)
    return out


def randomise_backgrounds(images: np.ndarray, keypoints: np.ndarray, keypoint_size: int,
                          rng: np.random.Generator, share: float = 0.8) -> np.ndarray:
    """Copies of RGB ``images`` whose background (everything off the hand mask) is replaced by
    a random texture, for ``share`` of the photos where a hand was found. Hand pixels are
    kept exactly; photos without a hand are kept as they are."""
    out = images.copy()
    size = images.shape[1]
    chosen = np.flatnonzero(found(keypoints) & (rng.random(len(images)) < share))
    backgrounds = textures(len(chosen), size, rng)
    scale = size / keypoint_size
    for texture, i in zip(backgrounds, chosen):
        mask = hand_mask(keypoints[i] * [scale, scale, 1], size)[..., None]
        out[i] = np.round(images[i] * mask + texture * (1 - mask)).astype(np.uint8)
    return out
