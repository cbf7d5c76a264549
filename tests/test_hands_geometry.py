"""The geometry of MediaPipe's hand models: anchors, box decoding, NMS and rotated crops."""
import math

import numpy as np
import pytest

from asl.study.hands import geometry


def test_anchor_layout():
    anchors = geometry.ssd_anchors()
    assert anchors.shape == (2016, 2)
    assert np.allclose(anchors[0], [0.5 / 24, 0.5 / 24]) and np.allclose(anchors[1], anchors[0])
    assert np.allclose(anchors[2], [1.5 / 24, 0.5 / 24])
    assert np.allclose(anchors[24 * 24 * 2], [0.5 / 12, 0.5 / 12])
    assert np.allclose(anchors[-1], [11.5 / 12, 11.5 / 12])


def test_decode_puts_planted_box_where_it_belongs():
    anchors = geometry.ssd_anchors()
    k = 24 * 24 * 2 + 6 * (12 * 5 + 7)              # a stride-16 anchor: cell x=7, y=5
    regressors = np.zeros((2016, 18), np.float32)
    regressors[k, :4] = [9.6, -19.2, 48.0, 96.0]     # 192-pixel units
    regressors[k, 4:6] = [0.0, 19.2]                 # wrist below the centre
    boxes, points = geometry.decode_boxes(regressors, anchors)
    assert np.allclose(anchors[k], [7.5 / 12, 5.5 / 12])
    assert np.allclose(boxes[k], [7.5 / 12 + 0.05, 5.5 / 12 - 0.1, 0.25, 0.5], atol=1e-6)
    assert np.allclose(points[k, 0], [7.5 / 12, 5.5 / 12 + 0.1], atol=1e-6)
    assert points.shape == (2016, 7, 2)


def test_sigmoid_is_clipped_and_centred():
    assert geometry.sigmoid(np.array([0.0]))[0] == 0.5
    assert np.isfinite(geometry.sigmoid(np.array([-1e6, 1e6]))).all()


@pytest.mark.parametrize("weighted", [True, False])
def test_nms_keeps_best_of_overlapping_and_both_disjoint(weighted):
    rows = np.array([[0.50, 0.50, 0.2, 0.2],
                     [0.52, 0.50, 0.2, 0.2],      # overlaps the first
                     [0.10, 0.10, 0.1, 0.1]])     # far away
    scores = np.array([0.6, 0.9, 0.7])
    kept, kept_scores = geometry.nms(rows, scores, iou_threshold=0.3, weighted=weighted)
    assert len(kept) == 2
    assert np.allclose(kept_scores, [0.9, 0.7])
    if weighted:
        assert 0.50 < kept[0, 0] < 0.52
    else:
        assert np.allclose(kept[0], rows[1])
    assert np.allclose(kept[1], rows[2])


def test_crop_transform_round_trips_points():
    crop = geometry.Crop(cx=80.0, cy=120.0, size=150.0, rotation=0.7)
    matrix = geometry.crop_to_image(crop)
    points = np.random.default_rng(0).uniform(0, 224, (50, 2))
    back = geometry.apply_affine(geometry.invert_affine(matrix), geometry.apply_affine(matrix, points))
    assert np.allclose(back, points)
    assert np.allclose(geometry.apply_affine(matrix, [112.0, 112.0]), [80.0, 120.0])


def test_palm_crop_turns_fingers_up_and_shifts_towards_them():
    box = np.array([100.0, 100.0, 40.0, 40.0])
    upright = np.zeros((7, 2))
    upright[0], upright[2] = [100, 120], [100, 80]          # wrist below the middle knuckle
    crop = geometry.palm_crop(box, upright)
    assert math.isclose(crop.rotation, 0.0, abs_tol=1e-9)
    assert np.allclose([crop.cx, crop.cy, crop.size], [100, 80, 104])
    pointing_right = np.zeros((7, 2))
    pointing_right[0], pointing_right[2] = [80, 100], [120, 100]
    crop = geometry.palm_crop(box, pointing_right)
    top_centre = geometry.apply_affine(geometry.crop_to_image(crop), [112.0, 0.0])
    assert top_centre[0] > crop.cx + 50 and math.isclose(top_centre[1], crop.cy, abs_tol=1e-6)
    assert crop.cx > 100                                     # shifted towards the fingers


def test_cut_crop_samples_the_right_pixels():
    image = np.zeros((100, 100, 3), np.uint8)
    image[:50] = 255                                         # top half white
    cut = geometry.cut_crop(image, geometry.Crop(50, 50, 100, math.pi), out_size=20)
    assert cut.dtype == np.float32 and cut.max() <= 1.0
    assert cut[2:8].mean() < 0.05 and cut[12:18].mean() > 0.95   # upside down
