"""`seeds:` in variants.yaml: the most training seeds a variant runs (a control that needs one
run declares `seeds: 1`); anything but a whole number of at least 1 is refused before anything
runs, naming the variant and the value."""
from __future__ import annotations

import pytest

from asl import config
from asl.engine import plan, variants
from helpers import run_cli, seeded_project, states


def test_seeds_caps_its_variant_and_the_others_follow_the_build(tmp_path, capsys, stub_renderer):
    def capped_alpha_and_beta(table):
        table["beta"] = {**table["alpha"], "title": "Beta"}
        table["alpha"]["seeds"] = 1

    project, args = seeded_project(tmp_path)
    project.edit_variants(capped_alpha_and_beta)
    code, out, _ = run_cli(capsys, [*args, "--list", "--seeds", "3"])
    assert code == 0 and "runs: alpha.seed1 (one per training seed; --seeds N; at most 1" in out
    code, out, _ = run_cli(capsys, [*args, "--seeds", "3"])
    assert code == 0
    assert states(out) == {"alpha.seed1": "done", "beta.seed1": "done", "beta.seed2": "done",
                           "beta.seed3": "done"}


@pytest.mark.parametrize("value", [0, -1, 1.5, "two", True, [1]])
def test_a_bad_seeds_value_is_refused_naming_variant_and_value(tmp_path, capsys, value):
    project, args = seeded_project(tmp_path)
    project.edit_variants(lambda table: table["alpha"].update(seeds=value))
    code, out, err = run_cli(capsys, args)
    assert code == 2
    assert f"variant alpha: seeds must be a whole number of at least 1, not {value!r}" in err
    assert "running" not in out and not (project.out / "variants").exists()


def test_the_leakage_control_runs_one_seed_in_a_full_build():
    table = variants.load(config.VARIANTS_FILE, config.NOTEBOOKS_DIR)
    runs = plan.expand(plan.select(table, ["cnn_random_split", "cnn_scratch"], {}, False),
                       None, quick=False)
    assert [run.name for run in runs] == ["cnn_random_split.seed1", "cnn_scratch.seed1",
                                          "cnn_scratch.seed2", "cnn_scratch.seed3"]
