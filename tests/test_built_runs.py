"""``evaluate`` and ``predict`` after a build: they use the paths the run was built with (the
weights, and the hand models beside them), and share one message for an unknown variant and
for a seed never built, whose suggestion repeats --quick and --out."""
from __future__ import annotations

import pytest

from helpers import run_cli, seeded_project


@pytest.fixture
def scored(monkeypatch):
    """What evaluate and predict hand to the study: the run folder and the weights path."""
    from asl.study import own_photos, predictions

    calls = []

    def record(folder, images, out, weights_path=""):
        calls.append({"folder": folder, "weights": weights_path})
        return {}

    monkeypatch.setattr(own_photos, "evaluate_photos", record)
    monkeypatch.setattr(own_photos, "summary", lambda result: "scored")
    monkeypatch.setattr(predictions, "predict_photos", record)
    monkeypatch.setattr(predictions, "summary", lambda result: "predicted")
    monkeypatch.delenv("ASL_WEIGHTS", raising=False)
    return calls


@pytest.mark.parametrize("command", ["evaluate", "predict"])
def test_the_run_is_scored_with_the_weights_it_was_built_with(tiny_project, tmp_path, capsys,
                                                              scored, command):
    weights = tmp_path / "weights" / "mobilenet.h5"
    weights.parent.mkdir()
    weights.write_bytes(b"")
    assert tiny_project.build("--force", "alpha", "--weights", str(weights)) == 0
    code, _, err = run_cli(capsys, [command, "alpha", "--images", str(tmp_path),
                                    "--out", str(tiny_project.out)])
    assert code == 0, err
    assert scored == [{"folder": tiny_project.out / "variants" / "alpha",
                       "weights": str(weights.resolve())}]
    other = tmp_path / "other.h5"
    code, _, _ = run_cli(capsys, [command, "alpha", "--images", str(tmp_path), "--out",
                                  str(tiny_project.out), "--weights", str(other)])
    assert code == 0 and scored[-1]["weights"] == str(other)       # --weights still wins


@pytest.mark.parametrize("command", ["evaluate", "predict"])
def test_a_seed_never_built_lists_the_seeds_that_exist(tmp_path, capsys, stub_renderer,
                                                       command):
    project, args = seeded_project(tmp_path)
    assert run_cli(capsys, [*args, "--seeds", "2"])[0] == 0
    code, _, err = run_cli(capsys, [command, "alpha", "--seed", "5", "--images", str(tmp_path),
                                    "--quick", "--out", str(project.out)])
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert (f"variant 'alpha' has no run of training seed 5 in {project.out / 'variants'} "
            f"(built: seed 1, 2): choose one with --seed K, or build it (python build.py "
            f"--quick --out {project.out} --variant alpha --seeds 5)") in err


@pytest.mark.parametrize("command", ["evaluate", "predict"])
def test_an_unknown_variant_is_one_message_for_both(tmp_path, capsys, command):
    code, _, err = run_cli(capsys, [command, "nosuch", "--images", str(tmp_path)])
    assert code == 2 and "unknown variant 'nosuch'; choose from explore, cnn_scratch" in err


@pytest.mark.parametrize("command", ["evaluate", "predict"])
def test_the_build_suggested_repeats_quick_and_out(tmp_path, capsys, command):
    code, _, err = run_cli(capsys, [command, "cnn_scratch", "--images", str(tmp_path), "--quick",
                                    "--out", str(tmp_path / "out")])
    assert code == 2
    assert (f"variant 'cnn_scratch' has no results in {tmp_path / 'out' / 'variants'}: build it "
            f"first (python build.py --quick --out {tmp_path / 'out'} --variant cnn_scratch)") in err
