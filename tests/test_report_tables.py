"""The variants' tables: distinct titles, extra results condensed."""
from __future__ import annotations

from asl import metrics_file
from asl.report.context import build_context
from report_builds import DEFAULT_MODELS, make_build, plant_val


def test_two_variants_whose_explainable_models_share_a_title_are_told_apart(tmp_path):
    models = {**DEFAULT_MODELS,
              "autoencoder_small": ("autoencoder", "frame_block", 0.69, 0.21)}
    context = build_context(*make_build(tmp_path, models))
    titles = [row["title"] for row in context["comparison"] if not row.get("failed")]
    assert len(titles) == len(set(titles)), titles

def test_the_fused_network_alone_is_two_numbers_not_a_dump_of_its_evaluation(tmp_path):
    out_dir, variants, *rest = make_build(tmp_path)
    folder = out_dir / "variants" / "cnn_augment"
    metrics = metrics_file.read(folder)
    metrics["extra"] = {"network_alone": {"test": metrics["test"], "wild": metrics["wild"]}}
    metrics_file.write(folder, metrics)
    context = build_context(out_dir, variants, *rest)
    section = next(v for v in context["variants"] if v["name"] == "cnn_augment")
    assert [key for key, _ in section["extra"]] == [
        "network alone: test accuracy", "network alone: wild accuracy (report half)"]


def test_a_classifiers_validation_answers_are_not_dumped_among_its_settings(tmp_path):
    """Each classifier's ``val`` block (2,018 answers in a full build) only chooses; its
    settings name the best validation accuracy, once."""
    out_dir, variants, *rest = make_build(tmp_path)
    plant_val(out_dir / "variants" / "autoencoder_forest", 0.5)
    context = build_context(out_dir, variants, *rest)
    section = next(v for v in context["variants"] if v["name"] == "autoencoder_forest")
    for classifier in section["classifiers"]:
        names = [name for name, _ in classifier["settings"]]
        assert "val" not in names and "best validation accuracy" in names
