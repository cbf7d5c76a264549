"""The contract between the parts: the metrics schema, the folder swap, weights messages and
how numbers are printed."""
import json

import pytest

from asl import metrics_file
from asl.engine.records import publish, recover
from asl.errors import MetricsError, WeightsError
from asl.files import write_json_atomic
from asl.report.formatting import fmt_ci, fmt_p
from report_builds import model_metrics


def test_a_complete_model_metrics_file_round_trips(tmp_path):
    metrics_file.write(tmp_path, model_metrics("m", "cnn", "frame_block", 0.8, 0.3, seed=0))
    assert metrics_file.read(tmp_path)["variant"] == "m"


@pytest.mark.parametrize("change, message", [
    (lambda m: m.pop("test"), "missing test"),
    (lambda m: m["wild"].pop("y_pred"), "missing wild.y_pred"),
    (lambda m: m.update(kind="modle"), "kind is 'modle'"),
])
def test_invalid_metrics_are_refused_naming_what_is_wrong(tmp_path, change, message):
    metrics = model_metrics("m", "cnn", "frame_block", 0.8, 0.3, seed=0)
    change(metrics)
    with pytest.raises(MetricsError, match=message):
        metrics_file.write(tmp_path, metrics)
    assert not (tmp_path / "metrics.json").exists()


def test_a_file_changed_after_it_was_read_is_checked_again(tmp_path):
    """Reads of an unchanged file skip the slow schema check; a rewritten file does not."""
    path = metrics_file.write(tmp_path, model_metrics("m", "cnn", "frame_block", 0.8, 0.3,
                                                      seed=0))
    assert metrics_file.read(tmp_path)["test_accuracy"] == 0.8
    broken = json.loads(path.read_text())
    broken["test_accuracy"] = 7.5
    write_json_atomic(path, broken)      # as every writer does: a new file in its place
    with pytest.raises(MetricsError, match="test_accuracy"):
        metrics_file.read(tmp_path)


def test_a_file_checked_by_an_earlier_process_is_not_checked_again(tmp_path, monkeypatch):
    """The slow schema check is remembered in the cache folder (render-only and the preview
    start with every file checked); a file rewritten since, or a new schema, is checked."""
    monkeypatch.setattr(metrics_file, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(metrics_file, "_CHECKED", None)
    path = metrics_file.write(tmp_path, model_metrics("m", "cnn", "frame_block", 0.8, 0.3,
                                                      seed=0))
    checks = []
    real_validate = metrics_file.validate
    monkeypatch.setattr(metrics_file, "validate", lambda m, where="": checks.append(where)
                        or real_validate(m, where))
    metrics_file.read(tmp_path)
    assert len(checks) == 1
    monkeypatch.setattr(metrics_file, "_CHECKED", None)      # as in a new process
    metrics_file.read(tmp_path)
    assert len(checks) == 1
    broken = json.loads(path.read_text())
    broken["test_accuracy"] = 7.5
    write_json_atomic(path, broken)
    monkeypatch.setattr(metrics_file, "_CHECKED", None)
    with pytest.raises(MetricsError, match="test_accuracy"):
        metrics_file.read(tmp_path)
    write_json_atomic(path, {**broken, "test_accuracy": 0.8})
    metrics_file.read(tmp_path)
    monkeypatch.setattr(metrics_file, "_CHECKED", None)
    monkeypatch.setattr(metrics_file, "_SCHEMA_TAG", "another schema")
    metrics_file.read(tmp_path)
    assert len(checks) == 4


def test_unknown_schema_version_and_broken_json_are_refused_on_read(tmp_path):
    (tmp_path / "metrics.json").write_text(json.dumps({"schema_version": 99, "kind": "model"}))
    with pytest.raises(MetricsError, match="schema_version is 99"):
        metrics_file.read(tmp_path)
    (tmp_path / "metrics.json").write_text('{"schema_version": 1, "ki')
    with pytest.raises(MetricsError, match="not valid JSON"):
        metrics_file.read(tmp_path)


def test_an_interrupted_folder_swap_is_completed(tmp_path):
    variants = tmp_path / "variants"
    old, new = variants / "alpha", variants / ".alpha.partial"
    old.mkdir(parents=True)
    (old / "metrics.json").write_text("old")
    new.mkdir()
    (new / "metrics.json").write_text("new")
    # interrupted after the first rename: the old results sit aside, the new ones not in place
    (variants / "alpha").rename(variants / ".alpha.old")
    recover(variants)
    assert (variants / "alpha" / "metrics.json").read_text() == "old"   # last good results back
    assert not (variants / ".alpha.partial").exists()                  # half-run folder gone
    staging = variants / ".alpha.partial"
    staging.mkdir()
    (staging / "metrics.json").write_text("new")
    publish(staging, variants / "alpha")
    assert (variants / "alpha" / "metrics.json").read_text() == "new"
    assert sorted(p.name for p in variants.iterdir()) == ["alpha"]


def test_missing_weights_name_the_file_and_where_to_put_it(tmp_path, monkeypatch):
    from asl.study import models

    monkeypatch.setattr(models, "KERAS_WEIGHTS_DIR", tmp_path / "keras")
    with pytest.raises(WeightsError, match="mobilenet_2_5_224_tf_no_top.h5") as given:
        models.find_weights("mobilenet", 0.25, str(tmp_path / "nope.h5"))
    assert "nope.h5" in str(given.value)
    with pytest.raises(WeightsError, match="--weights PATH") as cached:
        models.find_weights("vgg16")
    assert "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5" in str(cached.value)


@pytest.mark.parametrize("value, text", [(0.0, "< 1e-6"), (5e-324, "< 1e-6"),
                                         (2.5e-6, "2.5e-06"),     # issue 24: a floor of 1e-6
                                         (0.0009999, "1.0e-03"), (0.001, "0.001"),
                                         (0.5, "0.500"), (None, "not computed")])
def test_p_values_print_without_underflowing_to_zero(value, text):
    assert fmt_p(value) == text


def test_intervals_print_with_three_decimals():
    assert fmt_ci([0.12345, 0.9]) == "[0.123, 0.900]"
    assert fmt_ci(None) == "not recorded"
