"""``build.py evaluate``: one clear line for a variant that does not exist, one not built, photos
not found and a damaged model file."""
from __future__ import annotations

from helpers import run_cli


def evaluate(capsys, *args):
    code, _, err = run_cli(capsys, ["evaluate", *args])
    return code, err


def test_evaluate_names_a_variant_that_does_not_exist(capsys, tmp_path):
    code, err = evaluate(capsys, "nosuch", "--quick", "--images", str(tmp_path))
    assert code == 2 and "unknown variant 'nosuch'; choose from explore, cnn_scratch" in err
    assert "build it first" not in err


def test_evaluate_hints_at_the_build_that_was_asked_for(capsys, tmp_path):
    code, err = evaluate(capsys, "cnn_scratch", "--quick", "--images", str(tmp_path),
                         "--out", str(tmp_path / "out"))
    assert code == 2                       # nothing built yet: a usage error
    assert f"build it first (python build.py --quick --out {tmp_path / 'out'} " \
           f"--variant cnn_scratch)" in err


def test_evaluate_with_missing_photos_talks_about_images(capsys, tmp_path):
    code, err = evaluate(capsys, "cnn_scratch", "--images", str(tmp_path / "nope"))
    assert code == 2 and f"--images {tmp_path / 'nope'} not found" in err
    assert "--data" not in err and "ASL_DATA" not in err


def test_evaluate_names_a_damaged_model_file(capsys, tmp_path):
    from asl import metrics_file
    from report_builds import model_metrics
    folder = tmp_path / "out" / "variants" / "cnn_scratch.seed1"
    metrics_file.write(folder, model_metrics("cnn_scratch", "cnn", "frame_block", 0.8, 0.3,
                                             seed=0, folder=folder))
    (folder / "model.keras").write_bytes(b"PK\x03\x04 a model cut short")
    code, err = evaluate(capsys, "cnn_scratch", "--images", str(tmp_path),
                         "--out", str(tmp_path / "out"))
    assert code == 1 and "Traceback" not in err
    assert f"{folder / 'model.keras'} cannot be loaded" in err
    assert "damaged or incomplete; rebuild the variant" in err
