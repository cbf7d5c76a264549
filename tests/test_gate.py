"""The gate in front of the fused hand model: which photos the whole-photo network answers, how
its threshold is chosen (never on the report half, each choosing set weighing half) and how the
saved gated model answers."""
from types import SimpleNamespace

import numpy as np
import pytest

from asl import CLASSES, holdout
from asl.errors import AslError
from asl.study.hands import gate, gate_steps

LETTERS = 6
PER_LETTER = 20


def _wild():
    labels = np.repeat(np.arange(LETTERS), PER_LETTER)
    ids = [f"{CLASSES[label]}/photo{i}.jpg" for i, label in enumerate(labels)]
    return SimpleNamespace(labels=labels, ids=ids), holdout.selection_mask(ids, labels)


def _gate(threshold=None) -> gate.Gate:
    rng = np.random.default_rng(0)
    return gate.Gate(gate.Gate.normalise(rng.normal(size=(50, 8))), 3, threshold)


def test_a_training_photo_lies_nearer_than_a_photo_unlike_any():
    g = _gate()
    near, far = g.train[:1].astype(np.float32), -np.ones((1, 8))
    assert g.distance(near)[0] < g.distance(far)[0]
    g.threshold = float(g.distance(near)[0])
    assert list(g.near(np.array([g.threshold, g.threshold + 0.01]))) == [True, False]
    assert not g.near(np.array([0.0]), None).any()           # None: never the whole-photo network


def test_the_threshold_is_chosen_without_reading_the_report_half():
    wild, select = _wild()
    data = SimpleNamespace(val=SimpleNamespace(labels=np.zeros(4, dtype=int)), wild=wild)
    labels = wild.labels
    distance = np.linspace(0.1, 1.0, len(labels))
    whole = np.where(select, labels, (labels + 1) % LETTERS)     # right on the selection half
    fused = np.where(select, (labels + 1) % LETTERS, labels)     # right on the report half
    val = (np.zeros(4, dtype=int), np.ones(4, dtype=int), np.linspace(0.1, 1.0, 4))
    chosen = [gate.choose_threshold(_gate(), gate_steps.choosing_sets(data, val, (w, f, distance)))
              for w, f in ((whole, fused), (np.where(select, whole, 0), np.where(select, fused, 1)))]
    assert chosen[0] == chosen[1]                  # the report halves differ, nothing else
    threshold, grid = chosen[0]
    assert threshold == max(p["threshold"] for p in grid if p["threshold"] is not None)
    assert set(grid[0]) == {"threshold", "val", "select", "mean"}


def test_each_choosing_set_weighs_half_whatever_its_size():
    # routing helps on 600 validation photos (+0.1) and costs 60 selection photos 0.3
    rng = np.random.default_rng(1)
    val_labels = rng.integers(0, LETTERS, 600)
    val_whole = np.where(np.arange(600) < 540, val_labels, (val_labels + 1) % LETTERS)   # 0.9
    val_fused = np.where(np.arange(600) < 480, val_labels, (val_labels + 1) % LETTERS)   # 0.8
    sel_labels = rng.integers(0, LETTERS, 60)
    sel_whole = np.where(np.arange(60) < 30, sel_labels, (sel_labels + 1) % LETTERS)     # 0.5
    sel_fused = np.where(np.arange(60) < 48, sel_labels, (sel_labels + 1) % LETTERS)     # 0.8
    sets = {"val": (val_labels, val_whole, val_fused, np.zeros(600)),
            "select": (sel_labels, sel_whole, sel_fused, np.zeros(60))}
    threshold, grid = gate.choose_threshold(_gate(), sets)
    assert threshold is None                       # pooled, the 600 would have chosen the gate
    routed = grid[-1]
    assert routed["val"] == pytest.approx(0.9) and routed["select"] == pytest.approx(0.5)


def test_near_photos_get_the_whole_photo_answer_and_only_far_ones_run_the_fusion():
    g = _gate()
    photos = np.concatenate([g.train[:3].astype(np.float32), -np.ones((2, 8))])[:, None, None, :]
    g.threshold = float(g.distance(g.train[:3].astype(np.float32)).max())
    asked = []

    def whole(images):
        return images[:, 0, 0, :], np.tile(np.eye(len(CLASSES))[0], (len(images), 1))

    def fused(images):
        asked.append(len(images))
        return np.tile(np.eye(len(CLASSES))[1], (len(images), 1))

    answers = gate.predictor(fused, whole, g, size=1)(photos).argmax(1)
    assert list(answers) == [0, 0, 0, 1, 1]
    assert asked == [2]


def test_a_gate_without_two_runs_or_on_other_photos_is_refused(tmp_path):
    with pytest.raises(AslError, match="uses two runs"):
        gate_steps.used_runs([str(tmp_path)])
    with pytest.raises(AslError, match="mobilenet.seed1 was trained with seed=7"):
        gate_steps.check_same_photos({"seed": 42, "image_size": 64}, {"seed": 7, "image_size": 32},
                               "mobilenet.seed1")
    gate_steps.check_same_photos({"seed": 42, "image_size": 64}, {"seed": 42, "image_size": 32}, "m")


def test_photos_are_scaled_to_the_network_size_as_the_loader_scales_them():
    photos = np.random.default_rng(0).integers(0, 255, (2, 64, 64, 3), dtype=np.uint8)
    assert gate.resize(photos, 64) is photos
    assert gate.resize(photos, 32).shape == (2, 32, 32, 3)
    tiny = photos[:, :16, :16]                  # a 16 x 16 photo is scaled up, not refused
    assert gate.resize(tiny, 64).shape == (2, 64, 64, 3)
