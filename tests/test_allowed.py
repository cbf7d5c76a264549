"""Parameter values outside what `allowed:` in variants.yaml permits are refused before anything
runs, on the project's own variants and notebooks."""
from __future__ import annotations

import pytest

from helpers import build_real


@pytest.mark.parametrize("override, message", [
    ("test_fraction=1.5", "test_fraction must be above 0 and below 1"),
    ("block_size=0", "block_size must be at least 1"),
    ("epochs=0", "epochs must be at least 1"),
    ("epochs=-1", "epochs must be at least 1"),
    ("batch_size=0", "batch_size must be at least 1"),
    ("learning_rate=-1", "learning_rate must be above 0"),
    ("gap=-5", "gap must be at least 0"),
    ("max_per_class=-5", "max_per_class must be at least 0"),
    ("split=randm", "split must be one of 'frame_block', 'random'"),
    ("architecture=foo", "architecture must be one of 'original', 'batchnorm', 'wide'"),
    ("dropout=1.5", "dropout must be at least 0 and below 1"),
    ("learning_rate=nan", "learning_rate must be a finite number"),
])
def test_values_out_of_range_are_refused_before_anything_runs(capsys, tmp_path, override,
                                                              message):
    code, out, err = build_real(capsys, tmp_path, "--variant", "cnn_scratch", "-p", override)
    assert code == 2 and message in err and "Traceback" not in err
    assert "variant cnn_scratch" in err and not (tmp_path / "out").exists()


def test_a_classifier_is_checked_against_its_own_notebook(capsys, tmp_path):
    code, _, err = build_real(capsys, tmp_path, "--variant", "autoencoder_forest",
                              "-p", "classifier=extra_trees")
    assert code == 2 and "one of 'random_forest', 'logistic_regression'" in err
    code, out, _ = build_real(capsys, tmp_path, "--variant", "hands", "-p",
                              "classifier=extra_trees", "--list")
    assert code == 0


def test_the_allowed_choices_are_those_the_code_has():
    """variants.yaml's choices are the ones asl.study implements (no silent drift)."""
    from asl import config
    from asl.engine import variants
    from asl.study import models, splits, training
    from asl.study.hands import classifiers
    table = variants.load(config.VARIANTS_FILE, config.NOTEBOOKS_DIR)
    allowed = table.allowed
    assert set(allowed["architecture"]) == set(models.CNN_ARCHITECTURES)
    assert set(allowed["augment"]) == set(models.AUGMENTATIONS)
    assert set(allowed["backbone"]) == set(models.BACKBONES)
    assert set(allowed["alpha"]) == set(models._MOBILENET_ALPHA_TAGS)
    assert set(allowed["optimizer"]) == set(training.OPTIMIZERS)
    assert set(allowed["split"]) == set(splits.SPLIT_KINDS)
    assert set(allowed["classifier"]["keypoints.ipynb"]) == {"best", *classifiers.CLASSIFIERS}
