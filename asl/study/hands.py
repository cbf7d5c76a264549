"""Hand keypoints from photos with MediaPipe's palm detector and hand landmark model.

TensorFlow-free: numpy, Pillow and ``ai_edge_litert`` run the two ``.tflite`` files directly.
The pipeline per photo: pad to a square, find palms (SSD anchors, sigmoid scores, weighted
non-maximum suppression), cut a rotated square around the best palm, run the landmark model
on it (and once more on a crop taken from its landmarks) and map the 21 keypoints back to
pixels of the original photo. Photos where that finds no hand are retried on modified copies
(``DetectorSettings.retries``): padded with their edge pixels to 2.5x and 3x their size (the
palm detector misses hands that fill the frame), brightened, padded to 1.5x. Measured on 64 px
training photos (classes other than nothing): 0.60 in the first pass, 0.93 after the retries;
on the 200 px wild photos 0.96 and 1.00 (bench/bench_hands.py).

Photos are used as given (uint8 RGB); detect at their stored resolution: upscaling 64 px photos
first lowered the rate.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np
from PIL import Image

from asl.config import CACHE_DIR
from asl.errors import WeightsError

PALM_FILE = "palm_detection_full.tflite"
LANDMARK_FILE = "hand_landmark_full.tflite"
PALM_SIZE = 192          # palm detector input, pixels
LANDMARK_SIZE = 224      # landmark model input, pixels
NUM_KEYPOINTS = 21
DETECTOR_VERSION = 1     # bump when a change alters detections (invalidates the cache)
MODELS_ENV = "ASL_HAND_MODELS"
DEFAULT_MODELS_DIR = Path.home() / ".cache" / "asl" / "hand_models"
WRIST, MIDDLE_MCP = 0, 9  # indices in the 21 landmarks (0 and 2 in the 7 palm keypoints)


# --------------------------------------------------------------------------- model files

def _missing_models_message(folder: Path, missing: str) -> str:
    return (
        f"hand model file '{missing}' not found in {folder} (searched: the given folder, "
        f"${MODELS_ENV}, {DEFAULT_MODELS_DIR}). Get both files with "
        "`pip download mediapipe==0.10.21 --no-deps` and unzip "
        f"`mediapipe/modules/palm_detection/{PALM_FILE}` and "
        f"`mediapipe/modules/hand_landmark/{LANDMARK_FILE}` from the wheel into that folder "
        f"(or set ${MODELS_ENV} to the folder holding them).")


def find_hand_models(weights_path: str = "") -> tuple[Path, Path]:
    """Paths of (palm detector, landmark model): in ``weights_path`` (a folder, or the folder of
    a file), else ``$ASL_HAND_MODELS``, else ``~/.cache/asl/hand_models``."""
    folders = []
    if weights_path:
        given = Path(weights_path).expanduser()
        folders.append(given if given.is_dir() else given.parent)
    if os.environ.get(MODELS_ENV):
        folders.append(Path(os.environ[MODELS_ENV]).expanduser())
    folders.append(DEFAULT_MODELS_DIR)
    for folder in folders:
        if (folder / PALM_FILE).is_file() and (folder / LANDMARK_FILE).is_file():
            return folder / PALM_FILE, folder / LANDMARK_FILE
    first = folders[0]
    missing = PALM_FILE if not (first / PALM_FILE).is_file() else LANDMARK_FILE
    raise WeightsError(_missing_models_message(first, missing))


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


# --------------------------------------------------------------------------- the detector

@dataclass(frozen=True)
class DetectorSettings:
    """Everything that changes detections (part of the cache key). Defaults as measured on a
    sample of the 64 px training photos: black padding, edge-filled crops, upscaling, trying
    several palms and mirrored copies helped less or not at all."""

    palm_score: float = 0.2         # minimum palm score (sigmoid); hand presence guards the rest
    nms_iou: float = 0.3
    presence: float = 0.5           # minimum hand-presence score of the landmark model
    recrop: bool = True             # second landmark pass on a crop taken from the landmarks
    palm_candidates: int = 1        # palms tried per pass, best first, until one has a hand
    pad_edge: bool = True           # pad photos with their edge pixels instead of black
    crop_edge: bool = False         # fill crops beyond the photo with edge pixels, not black
    upscale_below: int = 0          # photos smaller than this are upscaled to it first (0: off)
    retries: tuple = ("pad2.5", "pad3", "bright_pad2", "pad1.5")  # in order, when a pass fails

    def key(self) -> dict:
        return {**asdict(self), "retries": list(self.retries), "version": DETECTOR_VERSION}


def parse_attempt(attempt: str) -> dict:
    """'plain', or '_'-joined tokens 'mirror', 'bright', 'pad<factor>' (e.g. 'mirror_pad1.5')."""
    options = {"mirror": False, "bright": False, "pad": 1.0}
    for token in attempt.split("_"):
        if token in ("mirror", "bright"):
            options[token] = True
        elif token.startswith("pad") and _is_number(token[3:]):
            options["pad"] = float(token[3:])
        elif token != "plain":
            raise ValueError(f"unknown detection attempt '{attempt}': use 'plain' or '_'-joined "
                             "'mirror', 'bright', 'pad<factor>'")
    return options


def _is_number(text: str) -> bool:
    try:
        return float(text) >= 1.0
    except ValueError:
        return False


@dataclass
class Detection:
    """One hand: 21 keypoints (x, y in pixels of the original photo, z relative, same scale)."""

    keypoints: np.ndarray    # (21, 3) float32
    presence: float          # landmark model's hand-presence score
    handedness: float        # model's probability of a right hand as seen in the photo
    #                          (checked on palm-forward 'B' photos; mirrored copies give 1 - p)
    palm_score: float
    attempt: int             # index of the pass that found it (0 = plain, see HandDetector.attempts)


class HandDetector:
    """Both interpreters, loaded once; ``detect`` finds the most likely hand in a photo."""

    def __init__(self, weights_path: str = "", settings: DetectorSettings | None = None,
                 num_threads: int = 1):
        from ai_edge_litert.interpreter import Interpreter

        self.settings = settings or DetectorSettings()
        self.attempts = ("plain",) + tuple(self.settings.retries)
        for attempt in self.attempts:
            parse_attempt(attempt)
        self.palm_path, self.landmark_path = find_hand_models(weights_path)
        self._palm = Interpreter(model_path=str(self.palm_path), num_threads=num_threads)
        self._landmark = Interpreter(model_path=str(self.landmark_path), num_threads=num_threads)
        for interpreter in (self._palm, self._landmark):
            interpreter.allocate_tensors()
        self._anchors = ssd_anchors()
        self._palm_out = _outputs_by_shape(self._palm)
        self._landmark_out = _outputs_by_name(self._landmark)

    # -- the two models
    def palms(self, square: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Palm detections in a square uint8 photo: rows (m, 18) = box (cx, cy, w, h) + 7
        keypoints (x, y), in pixels of the square, and their scores, best first."""
        side = square.shape[0]
        small = Image.fromarray(square).resize((PALM_SIZE, PALM_SIZE), Image.Resampling.BILINEAR)
        tensor = np.asarray(small, dtype=np.float32)[None] / 255.0
        self._palm.set_tensor(self._palm.get_input_details()[0]["index"], tensor)
        self._palm.invoke()
        regressors = self._palm.get_tensor(self._palm_out["regressors"])[0]
        scores = sigmoid(self._palm.get_tensor(self._palm_out["scores"])[0, :, 0])
        keep = scores >= self.settings.palm_score
        if not keep.any():
            return np.zeros((0, 18)), np.zeros(0)
        boxes, points = decode_boxes(regressors[keep], self._anchors[keep])
        rows, kept_scores = nms(np.hstack([boxes, points.reshape(-1, 14)]), scores[keep],
                                self.settings.nms_iou, weighted=True)
        return rows * side, kept_scores

    def landmarks(self, image: np.ndarray, crop: Crop) -> tuple[np.ndarray, float, float]:
        """(21, 3) keypoints in image pixels, presence and handedness for one crop."""
        tensor = cut_crop(image, crop, edge=self.settings.crop_edge)[None]
        self._landmark.set_tensor(self._landmark.get_input_details()[0]["index"], tensor)
        self._landmark.invoke()
        raw = self._landmark.get_tensor(self._landmark_out["landmarks"]).reshape(NUM_KEYPOINTS, 3)
        presence = float(self._landmark.get_tensor(self._landmark_out["presence"]).ravel()[0])
        handedness = float(self._landmark.get_tensor(self._landmark_out["handedness"]).ravel()[0])
        points = np.empty((NUM_KEYPOINTS, 3), dtype=np.float32)
        points[:, :2] = apply_affine(crop_to_image(crop), raw[:, :2])
        points[:, 2] = raw[:, 2] * crop.size / LANDMARK_SIZE
        return points, presence, handedness

    # -- one pass and the retries
    def hand_from_palm(self, image: np.ndarray, row: np.ndarray, offset: np.ndarray):
        """(keypoints, presence, handedness) from one palm row of ``palms`` (square pixels)."""
        box, palm_points = row[:4].copy(), row[4:].reshape(7, 2) - offset
        box[:2] -= offset
        points, presence, handedness = self.landmarks(image, palm_crop(box, palm_points))
        if self.settings.recrop:
            again = self.landmarks(image, landmark_crop(points))
            if again[1] > presence:
                return again
        return points, presence, handedness

    def single_pass(self, image: np.ndarray) -> Detection | None:
        """Palm -> crop -> landmarks (-> re-crop from landmarks) on one photo, no retries; the
        first of the best ``palm_candidates`` palms with a present hand, else the best one."""
        square, offset = pad_to_square(image, edge=self.settings.pad_edge)
        rows, scores = self.palms(square)
        best = None
        for row, score in zip(rows[:self.settings.palm_candidates], scores):
            points, presence, handedness = self.hand_from_palm(image, row, offset)
            if best is None or presence > best.presence:
                best = Detection(points, presence, handedness, float(score), 0)
            if presence >= self.settings.presence:
                break
        return best

    def run_attempt(self, image: np.ndarray, attempt: str) -> Detection | None:
        """One named pass on a modified copy, mapped back to the photo's own coordinates."""
        options = parse_attempt(attempt)
        image = as_rgb(image)
        work = image[:, ::-1] if options["mirror"] else image
        work = brighten(work) if options["bright"] else work
        scale = 1.0
        if self.settings.upscale_below and max(work.shape[:2]) < self.settings.upscale_below:
            scale = self.settings.upscale_below / max(work.shape[:2])
            size = (round(work.shape[1] * scale), round(work.shape[0] * scale))
            work = np.asarray(Image.fromarray(np.ascontiguousarray(work)).resize(
                size, Image.Resampling.BICUBIC))
        offset = np.zeros(2)
        if options["pad"] != 1.0:
            work, offset = pad_to_square(np.ascontiguousarray(work), options["pad"],
                                         edge=self.settings.pad_edge)
        found = self.single_pass(np.ascontiguousarray(work))
        if found is None:
            return None
        points = found.keypoints.astype(np.float64)
        points[:, :2] -= offset
        points /= scale
        if options["mirror"]:
            points[:, 0] = image.shape[1] - points[:, 0]
            found.handedness = 1.0 - found.handedness
        found.keypoints = points.astype(np.float32)
        return found

    def detect(self, image: np.ndarray) -> Detection | None:
        """The hand in a uint8 RGB photo, trying the retries in order until one finds a hand
        with presence >= the threshold; None when none does."""
        for index, attempt in enumerate(self.attempts):
            found = self.run_attempt(image, attempt)
            if found is not None and found.presence >= self.settings.presence:
                found.attempt = index
                return found
        return None


def _outputs_by_shape(interpreter) -> dict[str, int]:
    by_width = {int(d["shape"][-1]): d["index"] for d in interpreter.get_output_details()}
    return {"regressors": by_width[18], "scores": by_width[1]}


def _outputs_by_name(interpreter) -> dict[str, int]:
    """Landmark model outputs: Identity (landmarks), Identity_1 (presence), Identity_2
    (handedness), Identity_3 (world landmarks)."""
    names = {d["name"]: d["index"] for d in interpreter.get_output_details()}
    return {"landmarks": names["Identity"], "presence": names["Identity_1"],
            "handedness": names["Identity_2"]}


# --------------------------------------------------------------------------- many photos

class HandKeypoints(NamedTuple):
    """Detections for n photos; rows without a hand are NaN (keypoints, presence,
    handedness) and attempt -1."""

    keypoints: np.ndarray    # (n, 21, 3) float32, pixels of each original photo
    presence: np.ndarray     # (n,) float32
    handedness: np.ndarray   # (n,) float32, probability of a right hand
    attempt: np.ndarray      # (n,) int, index into HandDetector.attempts, -1 = none found

    @property
    def found(self) -> np.ndarray:
        return self.attempt >= 0


def empty_keypoints(n: int) -> HandKeypoints:
    return HandKeypoints(np.full((n, NUM_KEYPOINTS, 3), np.nan, np.float32),
                         np.full(n, np.nan, np.float32), np.full(n, np.nan, np.float32),
                         np.full(n, -1, np.int64))


_WORKER: dict = {}


def _init_worker(weights_path: str, settings: DetectorSettings) -> None:
    _WORKER["detector"] = HandDetector(weights_path, settings)


def _detect_one(image: np.ndarray):
    found = _WORKER["detector"].detect(image)
    if found is None:
        return None
    return found.keypoints, found.presence, found.handedness, found.attempt


def _images_and_ids(image_set_or_images, ids):
    images = getattr(image_set_or_images, "images", image_set_or_images)
    if ids is None:
        ids = getattr(image_set_or_images, "ids", None)
    ids = list(ids) if ids is not None else [str(i) for i in range(len(images))]
    if len(ids) != len(images):
        raise ValueError(f"{len(ids)} ids for {len(images)} photos")
    return images, ids


def cache_file(images, ids: Sequence[str], cache_key: str, weights_path: str,
               settings: DetectorSettings) -> Path:
    """Cache path keyed by the caller's key, the photos, the model files and the settings."""
    digest = hashlib.sha256()
    for image in images:
        digest.update(np.ascontiguousarray(image).tobytes())
    palm, landmark = find_hand_models(weights_path)
    key = json.dumps([cache_key, list(ids), digest.hexdigest(), file_sha256(palm),
                      file_sha256(landmark), settings.key()])
    return CACHE_DIR / "keypoints" / f"hands-{hashlib.sha256(key.encode()).hexdigest()[:24]}.npz"


def _save(path: Path, result: HandKeypoints) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".npz", dir=path.parent)
    os.close(fd)
    try:
        np.savez(tmp, **result._asdict())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load(path: Path) -> HandKeypoints:
    with np.load(path) as stored:
        return HandKeypoints(**{name: stored[name] for name in HandKeypoints._fields})


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def detect_many(images, weights_path: str = "", settings: DetectorSettings | None = None,
                workers: int = 0, progress: bool = True) -> HandKeypoints:
    """Run ``HandDetector.detect`` on every photo, in ``workers`` processes (each loading its
    own interpreters; 1 = in this process)."""
    from tqdm.auto import tqdm

    settings = settings or DetectorSettings()
    workers = workers or default_workers()
    result = empty_keypoints(len(images))
    bar = dict(total=len(images), desc="hand keypoints", disable=not progress, mininterval=2)
    if workers == 1 or len(images) < 2:
        _init_worker(weights_path, settings)
        outputs = (_detect_one(image) for image in images)
        _fill(result, tqdm(outputs, **bar))
        return result
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # safe even when TensorFlow is loaded
    with context.Pool(workers, _init_worker, (weights_path, settings)) as pool:
        _fill(result, tqdm(pool.imap(_detect_one, images, chunksize=16), **bar))
    return result


def _fill(result: HandKeypoints, outputs) -> None:
    for i, output in enumerate(outputs):
        if output is not None:
            result.keypoints[i], result.presence[i], result.handedness[i], result.attempt[i] = output


def extract_keypoints(image_set_or_images, ids: Sequence[str] | None = None, cache_key: str = "",
                      workers: int = 0, progress: bool = True, weights_path: str = "",
                      settings: DetectorSettings | None = None,
                      use_cache: bool = True) -> HandKeypoints:
    """Hand keypoints for an ImageSet or a sequence of uint8 photos, cached as .npz in
    CACHE_DIR/keypoints so that later runs never detect the same photos twice."""
    settings = settings or DetectorSettings()
    images, ids = _images_and_ids(image_set_or_images, ids)
    path = cache_file(images, ids, cache_key, weights_path, settings) if use_cache else None
    if path is not None and path.exists():
        return _load(path)
    result = detect_many(images, weights_path, settings, workers, progress)
    if path is not None:
        _save(path, result)
    return result
