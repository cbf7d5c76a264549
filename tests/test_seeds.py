"""Training seeds: one cached run per seed; adding a seed runs only that seed; --render-only shows
the seeds on disk."""
from __future__ import annotations

from helpers import metrics, seeded_project, states


def test_adding_a_seed_runs_only_that_seed(tmp_path, stub_renderer, capsys):
    from asl.engine import cli

    project, args = seeded_project(tmp_path)
    assert cli.main([*args, "--seeds", "2"]) == 0
    assert states(capsys.readouterr().out) == {"alpha.seed1": "done", "alpha.seed2": "done"}
    assert metrics(project, "alpha.seed2")["parameters"]["label"] == "alpha-2"
    assert cli.main([*args, "--seeds", "3"]) == 0
    assert states(capsys.readouterr().out) == {"alpha.seed1": "cached", "alpha.seed2": "cached",
                                               "alpha.seed3": "done"}
    runs = stub_renderer.CALLS[-1]["variants"][0]["runs"]
    assert [run["seed"] for run in runs] == [1, 2, 3]


def test_the_training_seed_is_not_a_parameter(tmp_path, capsys):
    from asl.engine import cli

    _, args = seeded_project(tmp_path)
    assert cli.main([*args, "-p", "train_seed=4"]) == 2
    assert "--seeds" in capsys.readouterr().err


def test_render_only_shows_the_seeds_on_disk(tmp_path, stub_renderer, capsys):
    from asl.engine import cli

    _, args = seeded_project(tmp_path)
    assert cli.main([*args, "--seeds", "1"]) == 0
    assert cli.main([*args, "--render-only"]) == 0        # the default would be three seeds
    entry = stub_renderer.CALLS[-1]["variants"][0]
    assert [run["seed"] for run in entry["runs"]] == [1] and entry["status"] == "cached"


def test_render_only_finds_the_seeds_of_a_sweep_member(tmp_path, stub_renderer):
    from asl.engine import cli

    project, args = seeded_project(tmp_path)
    project.edit_variants(lambda table: table["alpha"].update(sweep={"rate": [0.5]}))
    assert cli.main([*args, "--seeds", "1"]) == 0
    assert (project.out / "variants" / "alpha[rate=0.5].seed1" / "metrics.json").exists()
    assert cli.main([*args, "--render-only"]) == 0       # the default would be three seeds
    entry = stub_renderer.CALLS[-1]["variants"][0]
    assert [run["seed"] for run in entry["runs"]] == [1] and entry["status"] == "cached"
