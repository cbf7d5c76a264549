"""The geometry of MediaPipe's hand models, in plain numpy: SSD anchors, box decoding and
non-maximum suppression for the palm detector, the rotated crop the landmark model reads and
its inverse, and the padded or brightened copies of a photo that the detector retries on."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

PALM_SIZE = 192          # palm detector input, pixels
LANDMARK_SIZE = 224      # landmark model input, pixels
WRIST, MIDDLE_MCP = 0, 9  # indices in the 21 landmarks (0 and 2 in the 7 palm keypoints)


# --------------------------------------------------------------------------- palm decoding

def ssd_anchors() -> np.ndarray:
    """The palm detector's 2016 anchor centres (x, y), normalised: a 24x24 grid with 2 anchors
    per cell (stride 8), then a 12x12 grid with 6 per cell (stride 16). Width and height are 1."""
    centres = []
    for grid, per_cell in ((PALM_SIZE // 8, 2), (PALM_SIZE // 16, 6)):
        ys, xs = np.mgrid[0:grid, 0:grid]
        cell = np.stack([(xs + 0.5) / grid, (ys + 0.5) / grid], axis=-1).reshape(-1, 2)
        centres.append(np.repeat(cell, per_cell, axis=0))
    return np.concatenate(centres).astype(np.float32)


def decode_boxes(regressors: np.ndarray, anchors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Regressors (n, 18) in 192-pixel units relative to the anchors (n, 2) -> boxes (n, 4) as
    (x centre, y centre, width, height) and palm keypoints (n, 7, 2), all normalised to [0, 1]."""
    values = np.asarray(regressors, dtype=np.float32) / PALM_SIZE
    boxes = values[:, :4].copy()
    boxes[:, :2] += anchors
    keypoints = values[:, 4:].reshape(-1, 7, 2) + anchors[:, None, :]
    return boxes, keypoints


def sigmoid(logits: np.ndarray) -> np.ndarray:
    """Logistic function with MediaPipe's clipping of the logits to [-100, 100]."""
    return 1.0 / (1.0 + np.exp(-np.clip(logits, -100.0, 100.0)))


def iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Intersection over union of one (cx, cy, w, h) box with each of ``boxes``."""
    lo = np.maximum(box[:2] - box[2:4] / 2, boxes[:, :2] - boxes[:, 2:4] / 2)
    hi = np.minimum(box[:2] + box[2:4] / 2, boxes[:, :2] + boxes[:, 2:4] / 2)
    inter = np.prod(np.clip(hi - lo, 0, None), axis=1)
    union = box[2] * box[3] + boxes[:, 2] * boxes[:, 3] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def nms(rows: np.ndarray, scores: np.ndarray, iou_threshold: float = 0.3,
        weighted: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Non-maximum suppression of detections ``rows`` (n, k): columns 0-3 a (cx, cy, w, h) box,
    any further columns coordinates that travel with it. Weighted (MediaPipe's default): each
    kept detection is the score-weighted mean of the boxes it overlaps; plain: the best one.
    Returns (kept rows, their scores), best first."""
    rows, scores = np.asarray(rows, dtype=np.float64), np.asarray(scores, dtype=np.float64)
    order = np.argsort(-scores, kind="stable")
    kept, kept_scores = [], []
    while order.size:
        best = order[0]
        overlapping = iou(rows[best], rows[order]) > iou_threshold
        overlapping[0] = True
        group = order[overlapping]
        if weighted:
            weights = scores[group] / scores[group].sum()
            kept.append((rows[group] * weights[:, None]).sum(axis=0))
        else:
            kept.append(rows[best])
        kept_scores.append(scores[best])
        order = order[~overlapping]
    width = rows.shape[1] if rows.ndim == 2 else 4
    return np.array(kept).reshape(-1, width), np.array(kept_scores)


# --------------------------------------------------------------------------- crop geometry

@dataclass(frozen=True)
class Crop:
    """A rotated square in image pixels: centre, side length and rotation (radians; positive
    turns the crop's 'up' clockwise on screen, as MediaPipe's NormalizedRect.rotation)."""

    cx: float
    cy: float
    size: float
    rotation: float


def rotation_up(start: np.ndarray, end: np.ndarray) -> float:
    """Rotation that makes the direction start -> end point up in the crop (target angle 90°)."""
    angle = math.pi / 2 - math.atan2(-(end[1] - start[1]), end[0] - start[0])
    return angle - 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))


def rotated_square(cx: float, cy: float, width: float, height: float, rotation: float,
                   scale: float, shift_y: float) -> Crop:
    """MediaPipe's rect transformation: shift the centre by ``shift_y`` x height along the
    crop's vertical axis, take the longer side, scale it."""
    dx, dy = -height * shift_y * math.sin(rotation), height * shift_y * math.cos(rotation)
    return Crop(cx + dx, cy + dy, max(width, height) * scale, rotation)


def palm_crop(box: np.ndarray, palm_keypoints: np.ndarray, scale: float = 2.6,
              shift_y: float = -0.5) -> Crop:
    """Crop for the landmark model from a palm box (cx, cy, w, h) and its 7 keypoints, in image
    pixels: wrist (0) -> middle-finger knuckle (2) points up, shifted towards the fingers."""
    rotation = rotation_up(palm_keypoints[0], palm_keypoints[2])
    return rotated_square(box[0], box[1], box[2], box[3], rotation, scale, shift_y)


def landmark_crop(keypoints: np.ndarray, scale: float = 2.0, shift_y: float = -0.1) -> Crop:
    """MediaPipe's tracking-style crop from 21 landmarks (pixels): wrist -> knuckles (index,
    middle, ring) points up; the landmarks' rotated bounding box, shifted and scaled."""
    xy = np.asarray(keypoints, dtype=np.float64)[:, :2]
    knuckles = (xy[5] + xy[13]) / 2
    rotation = rotation_up(xy[WRIST], (knuckles + xy[MIDDLE_MCP]) / 2)
    centre = (xy.max(axis=0) + xy.min(axis=0)) / 2
    turned = (xy - centre) @ _rotation_matrix(-rotation).T
    lo, hi = turned.min(axis=0), turned.max(axis=0)
    cx, cy = centre + _rotation_matrix(rotation) @ ((lo + hi) / 2)
    width, height = hi - lo
    return rotated_square(cx, cy, width, height, rotation, scale, shift_y)


def _rotation_matrix(angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s], [s, c]])


def crop_to_image(crop: Crop, out_size: int = LANDMARK_SIZE) -> np.ndarray:
    """2x3 affine matrix taking crop pixels (0..out_size) to image pixels."""
    linear = _rotation_matrix(crop.rotation) * (crop.size / out_size)
    offset = np.array([crop.cx, crop.cy]) - linear @ np.array([out_size / 2, out_size / 2])
    return np.hstack([linear, offset[:, None]])


def invert_affine(matrix: np.ndarray) -> np.ndarray:
    """Inverse of a 2x3 affine matrix."""
    inverse = np.linalg.inv(matrix[:, :2])
    return np.hstack([inverse, -inverse @ matrix[:, 2:]])


def apply_affine(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a 2x3 affine matrix to points (..., 2)."""
    points = np.asarray(points, dtype=np.float64)
    return points @ matrix[:, :2].T + matrix[:, 2]


def cut_crop(image: np.ndarray, crop: Crop, out_size: int = LANDMARK_SIZE,
             edge: bool = False) -> np.ndarray:
    """The rotated square ``crop`` of a uint8 RGB image as float32 (out_size, out_size, 3) in
    [0, 1]; outside the image is black, or the nearest edge pixel when ``edge``."""
    m = crop_to_image(crop, out_size)
    if edge:
        margin = int(math.ceil(crop.size))
        image = np.pad(image, ((margin, margin), (margin, margin), (0, 0)), mode="edge")
        m = m.copy()
        m[:, 2] += margin
    cut = Image.fromarray(image).transform(
        (out_size, out_size), Image.Transform.AFFINE, data=tuple(m.ravel()),
        resample=Image.Resampling.BILINEAR, fillcolor=(0, 0, 0))
    return np.asarray(cut, dtype=np.float32) / 255.0


# --------------------------------------------------------------------------- photo variants

def pad_to_square(image: np.ndarray, factor: float = 1.0,
                  edge: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Centre the photo on a square ``factor`` x its longer side, black around it (or its edge
    pixels repeated when ``edge``); returns the square and the (x, y) offset of the photo."""
    height, width = image.shape[:2]
    side = int(round(max(height, width) * factor))
    left, top = (side - width) // 2, (side - height) // 2
    widths = ((top, side - height - top), (left, side - width - left), (0, 0))
    square = np.pad(image, widths, mode="edge" if edge else "constant")
    return square, np.array([left, top], dtype=np.float64)


def brighten(image: np.ndarray, gamma: float = 0.5) -> np.ndarray:
    """Gamma-brightened copy (dark, backlit hands become visible)."""
    table = (255 * (np.arange(256) / 255) ** gamma).round().astype(np.uint8)
    return table[image]


def as_rgb(image: np.ndarray) -> np.ndarray:
    """uint8 (h, w, 3) view of a grayscale or RGB(A) photo."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise ValueError(f"photos must be uint8 arrays, not {image.dtype}")
    if image.ndim == 2:
        image = image[..., None]
    if image.shape[-1] == 1:
        image = np.repeat(image, 3, axis=-1)
    return np.ascontiguousarray(image[..., :3])
