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
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from asl.errors import WeightsError
from asl.study.hands.geometry import (Crop, LANDMARK_SIZE, PALM_SIZE, apply_affine, as_rgb, brighten, crop_to_image, cut_crop, decode_boxes, landmark_crop, nms, pad_to_square, palm_crop, sigmoid, ssd_anchors)

PALM_FILE = "palm_detection_full.tflite"
LANDMARK_FILE = "hand_landmark_full.tflite"
NUM_KEYPOINTS = 21
DETECTOR_VERSION = 1     # bump when a change alters detections (invalidates the cache)
MODELS_ENV = "ASL_HAND_MODELS"
DEFAULT_MODELS_DIR = Path.home() / ".cache" / "asl" / "hand_models"


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
