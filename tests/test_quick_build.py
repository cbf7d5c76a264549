"""A real quick build on the shared data: real notebooks, real training, a real PDF."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from asl import holdout, metrics_file
from asl.config import shared_paths
from asl.report.formatting import fmt_acc, fmt_ci
from asl.report.letters import per_letter
from conftest import ROOT
from report_checks import (assert_every_chapter_has_its_body, assert_within_budget,
                           model_blocks, pdf_text)

ENV = {**os.environ, **{f"ASL_{key.upper()}": os.environ.get(f"ASL_{key.upper()}") or str(path)
                        for key, path in shared_paths().items()}}

pytestmark = [pytest.mark.slow,       # a real quick build: minutes
              pytest.mark.skipif(not Path(ENV["ASL_DATA"]).exists(),
                                 reason="the shared ASL data is not beside the project")]


def build(*args, timeout=1500) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--quick", *args],
                          cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=timeout)


def read_metrics(out: Path) -> dict[str, dict]:
    return {folder.name: metrics_file.read(folder)
            for folder in sorted((out / "variants").iterdir())
            if (folder / "metrics.json").exists()}


@pytest.fixture(scope="session")
def quick_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("quick") / "report"
    result = build("--out", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def quick_text(quick_build):
    return pdf_text(quick_build / "report.pdf")


def test_quick_build_writes_the_pdf_and_the_preview_with_every_section(quick_build, quick_text):
    assert (quick_build / "report.html").stat().st_size > 10_000
    assert_every_chapter_has_its_body(quick_text, (quick_build / "report.html").read_text())
    assert "QUICK BUILD" in quick_text[:400]
    metrics = read_metrics(quick_build)
    assert len([m for m in metrics.values() if m["kind"] == "model"]) >= 7
    assert all(m["quick"] for m in metrics.values())


def test_quick_build_pdf_keeps_the_readers_budget(quick_build):
    """Same template as a full build: summary on pages 1-2, a short body, a small file."""
    assert_within_budget(quick_build / "report.pdf")


def report_context(out: Path) -> dict:
    """The report's context, built from the build's folder as ``--render-only`` builds it."""
    from asl.engine import manifest, pipeline
    from asl.report.context import build_context

    table, entries, failures = pipeline.last_results(pipeline.Options(out=out, quick=True))
    return build_context(out, entries, manifest.previous(out), True, failures, table.study)


def test_every_accuracy_in_the_pdf_comes_from_a_metrics_file(quick_build, quick_text):
    variants = [{"status": "done", "dir": folder} for folder in (quick_build / "variants").iterdir()
                if (folder / "metrics.json").exists()]
    blocks, selection = model_blocks(variants)
    assert len(blocks) >= 14
    for block in blocks:
        assert fmt_acc(block["accuracy"]) in quick_text
        assert fmt_ci(block["accuracy_ci"]) in quick_text
    context = report_context(quick_build)
    ideas = context["ideas"]
    assert len(ideas) >= 8
    differences = {idea[block]["ci"] for idea in ideas if not idea["missing"]
                   for block in ("test", "wild")}
    differences |= {fmt_ci(pair.seen_from(model)[1])      # every other difference: its pair's
                    for group in context["tests"] for pair in group.pairs
                    for model in (pair.a, pair.b)}
    differences |= {fmt_ci(letter.interval) for block in blocks   # each letter's Wilson interval
                    for letter in per_letter(block)}
    printed = set(re.findall(r"\[-?\d\.\d{3}, -?\d\.\d{3}\]", quick_text))
    assert printed <= {fmt_ci(block["accuracy_ci"]) for block in blocks + selection} | differences


def test_fusion_reuses_handcrops_network_instead_of_training_it(quick_build):
    variants = quick_build / "variants"
    fusion, handcrop = (metrics_file.read(variants / run)
                        for run in ("fusion.seed1", "handcrop_mobilenet.seed1"))
    alone = fusion["extra"]["network_alone"]
    assert alone["test"]["accuracy"] == handcrop["test"]["accuracy"]
    assert alone["test"]["y_pred"] == handcrop["test"]["y_pred"]
    assert alone["wild"]["y_pred"] == handcrop["wild"]["y_pred"]
    assert fusion["extra"]["network_reused_from"] == "handcrop_mobilenet.seed1"
    assert fusion["training"]["history"] == handcrop["training"]["history"]
    assert "fine-tuning" not in fusion["stages"] and "fine-tuning" in handcrop["stages"]
    assert fusion["model"]["file"] == ("handcrop_mobilenet.seed1/model.keras + "
                                       "keypoint_classifier.pkl + fusion.pkl")
    assert not (variants / "fusion.seed1" / "model.keras").exists()     # saved once
    figures = {figure["key"] for figure in fusion["figures"]}           # the network's are
    assert "learning_curves" not in figures and "learning_curves" in {  # in its own section
        figure["key"] for figure in handcrop["figures"]}


def test_every_model_answers_the_validation_photos_as_it_was_before_any_refit(quick_build):
    """The recommendation weighs the validation photos: every model is scored there by what
    it was before being refitted on them (the classifiers' searches measured exactly that),
    and the fusion by its out-of-fold answers (what its cascade threshold was chosen on)."""
    for name, metrics in read_metrics(quick_build).items():
        if metrics["kind"] != "model":
            continue
        assert metrics["val"]["n"] == metrics["split"]["val"], name
        extra = metrics["extra"] or {}
        for classifier, block in (extra.get("classifiers") or {}).items():
            assert block["val"]["accuracy"] == pytest.approx(block["val_accuracy"]), classifier
        cascade = (extra.get("fusion") or {}).get("cascade")
        if cascade:
            fused = (extra.get("fusion_alone") or metrics)["val"]    # the gate's own fusion
            point = next(p for p in cascade["grid"] if p["threshold"] == cascade["threshold"])
            assert fused["accuracy"] == pytest.approx(point["val_accuracy"]), name
        if extra.get("gate"):
            point = next(p for p in extra["gate"]["grid"]
                         if p["threshold"] == extra["gate"]["threshold"])
            assert metrics["val"]["accuracy"] == pytest.approx(point["val"]), name


def test_the_gate_answers_with_the_fusion_away_from_the_training_photos(quick_build):
    """fusion_gate joins two runs (uses: a list): the same fusion as `fusion`, the whole-photo
    network of `mobilenet`; away from the training photos its answer is the fusion's, and its
    size counts every file it loads."""
    variants = quick_build / "variants"
    gated, fusion, whole = (metrics_file.read(variants / f"{name}.seed1")
                            for name in ("fusion_gate", "fusion", "mobilenet"))
    assert gated["extra"]["fusion_alone"]["test"]["y_pred"] == fusion["test"]["y_pred"]
    assert gated["extra"]["whole_photo_network"] == "mobilenet.seed1"
    assert gated["model"]["file"] == ("handcrop_mobilenet.seed1/model.keras + "
                                      "keypoint_classifier.pkl + fusion.pkl + gate.json + "
                                      "gate_index.npz + mobilenet.seed1/model.keras")
    assert gated["model"]["size_bytes"] == fusion["model"]["size_bytes"] + sum(
        path.stat().st_size for path in (variants / "fusion_gate.seed1" / "gate.json",
                                         variants / "fusion_gate.seed1" / "gate_index.npz",
                                         variants / "mobilenet.seed1" / "model.keras"))
    assert not (variants / "fusion_gate.seed1" / "model.keras").exists()     # saved once
    gate = gated["extra"]["gate"]
    far = [d > gate["threshold"] if gate["threshold"] is not None else True
           for d in gate["distances"]["test"]]
    assert any(far)
    assert all(mine == theirs for mine, theirs, away in zip(
        gated["test"]["y_pred"], fusion["test"]["y_pred"], far) if away)


def test_an_ablation_is_compared_but_not_recommended(quick_text):
    assert re.search(r"Ablations, variants with one part taken out to measure that part "
                     r"\(Fusion without the cascade; Fusion fitted on the wild selection half "
                     r"alone\), are compared but never recommended", quick_text)
    recommended = re.search(r"Recommended: (.+?)\. In do", quick_text).group(1)
    assert not recommended.startswith(("Fusion without", "Fusion fitted on the wild"))


def test_unchanged_rebuild_runs_and_renders_nothing(quick_build):
    pdf = quick_build / "report.pdf"
    before = pdf.stat().st_mtime_ns
    result = build("--out", str(quick_build))
    assert result.returncode == 0, result.stderr
    assert "running" not in result.stdout
    assert result.stdout.count(" cached ") >= 8
    assert "report: unchanged" in result.stdout and pdf.stat().st_mtime_ns == before


def test_parameter_override_reaches_the_notebook_and_reruns_only_that_variant(
        quick_build, tmp_path):
    out = tmp_path / "report"
    shutil.copytree(quick_build, out)
    result = build("--out", str(out), "--variant", "cnn_scratch", "-p", "epochs=2",
                   "-p", "learning_rate=0.002")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    metrics = metrics_file.read(out / "variants" / "cnn_scratch.seed1")
    assert metrics["parameters"]["epochs"] == 2
    assert metrics["parameters"]["learning_rate"] == 0.002
    assert metrics["training"]["epochs_run"] == 2
    executed = (out / "variants" / "cnn_scratch.seed1" / "cnn_scratch.seed1.ipynb").read_text()
    assert "epochs = 2" in executed
    before = read_metrics(quick_build)
    after = read_metrics(out)
    assert {n: m for n, m in after.items() if n != "cnn_scratch.seed1"} == \
        {n: m for n, m in before.items() if n != "cnn_scratch.seed1"}


def test_same_seed_same_data_same_metrics(quick_build, tmp_path):
    out = tmp_path / "again"
    result = build("--out", str(out), "--variant", "cnn_scratch", "--allow-failed")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert re.search(r"cnn_scratch.seed1 +done", result.stdout)
    first = metrics_file.read(quick_build / "variants" / "cnn_scratch.seed1")
    second = metrics_file.read(out / "variants" / "cnn_scratch.seed1")
    assert second["test"]["y_pred"] == first["test"]["y_pred"]
    assert second["training"]["history"] == first["training"]["history"]
    assert second["wild"]["y_pred"] == first["wild"]["y_pred"]


@pytest.mark.parametrize("args, expected", [
    (["--variant", "cnn_nope"], "cnn_scratch"),
    (["--variant", "cnn_scratch", "-p", "epoch=3"], "epochs"),
    (["--variant", "cnn_scratch", "-p", "epochs=three"], "int"),
])
def test_bad_variant_or_parameter_is_refused_before_anything_runs(args, expected, tmp_path):
    result = build("--out", str(tmp_path / "never"), *args, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert expected in result.stderr
    assert not (tmp_path / "never" / "variants").exists()


def test_missing_data_gives_one_clear_line(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--quick", "--out",
                             str(tmp_path / "o"), "--data", str(tmp_path / "nowhere.zip")],
                            cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "nowhere.zip" in result.stderr


def test_evaluate_command_scores_a_saved_model_on_your_own_photos(quick_build, tmp_path):
    import zipfile

    with zipfile.ZipFile(ENV["ASL_WILD"]) as archive:
        members = [n for n in archive.namelist() if n.endswith(".jpg")][::10]
        for name in members:                     # flat layout, lower-case class folders
            target = tmp_path / "mine" / Path(name).parent.name.lower() / Path(name).name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(name))
    for name in ("cnn_scratch", "autoencoder_forest", "hands", "fusion", "fusion_gate"):
        result = subprocess.run([sys.executable, str(ROOT / "build.py"), "evaluate", name,
                                 "--out", str(quick_build), "--images", str(tmp_path / "mine")],
                                cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        run = f"{name}.seed1"                   # a seeded variant's first training seed
        saved = json.loads((quick_build / "evaluations" / f"evaluation_{run}.json").read_text())
        assert saved["n"] == len(members)
        built = metrics_file.read(quick_build / "variants" / run)["wild"]
        if name in ("hands", "fusion", "fusion_gate"):   # the same photos as the build's wild set
            expected = {i: p for i, p in zip(built["ids"], built["y_pred"])}
            if name != "hands":   # the build scores the selection half out of fold (it fits
                report = ~holdout.selection_mask(built["ids"], built["y_true"])   # the fusion)
                expected = {i: p for (i, p), r in zip(expected.items(), report) if r}
            compared = [i for i in saved["ids"] if i in expected]
            assert compared and all(expected[i] == p for i, p in zip(saved["ids"], saved["y_pred"])
                                    if i in expected)
        assert f"accuracy {fmt_acc(saved['accuracy'])} {fmt_ci(saved['accuracy_ci'])}" \
            in result.stdout
        assert (quick_build / "evaluations" / f"confusion_{run}.png").exists()


def test_predict_on_a_flat_folder_agrees_with_evaluate(quick_build, tmp_path):
    import csv
    import zipfile

    from asl import CLASSES

    with zipfile.ZipFile(ENV["ASL_WILD"]) as archive:
        members = [n for n in archive.namelist() if n.endswith(".jpg")][::15]
        for name in members:       # the same photos, labelled and flat (class in the file name)
            labelled = tmp_path / "labelled" / Path(name).parent.name / Path(name).name
            labelled.parent.mkdir(parents=True, exist_ok=True)
            labelled.write_bytes(archive.read(name))
            (tmp_path / "flat").mkdir(exist_ok=True)
            (tmp_path / "flat" / f"{Path(name).parent.name}-{Path(name).name}").write_bytes(
                archive.read(name))
    (tmp_path / "flat" / "broken.jpg").write_bytes(b"not a photo")
    for name in ("cnn_scratch", "fusion", "fusion_gate"):
        for command, folder in (("evaluate", "labelled"), ("predict", "flat")):
            result = subprocess.run([sys.executable, str(ROOT / "build.py"), command, name,
                                     "--out", str(quick_build), "--images", str(tmp_path / folder)],
                                    cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
            assert result.returncode == 0, result.stderr[-2000:]
            assert result.stderr == ""      # no TensorFlow start-up lines
        run = f"{name}.seed1"
        evaluated = json.loads((quick_build / "evaluations" / f"evaluation_{run}.json").read_text())
        expected = {f"{i.split('/')[0]}-{i.split('/')[1]}": CLASSES[p]
                    for i, p in zip(evaluated["ids"], evaluated["y_pred"])}
        with open(quick_build / "predictions" / f"predictions_{run}.csv", newline="") as handle:
            rows = {row["file"]: row["predicted"] for row in csv.DictReader(handle)}
        assert len(rows) == len(members) and "broken.jpg" in result.stdout
        assert {file.lower(): p for file, p in rows.items()} == \
            {file.lower(): p for file, p in expected.items()}
