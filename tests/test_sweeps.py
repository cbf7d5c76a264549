"""Sweeps: one cached run per combination, refused when too large or written wrong."""
from __future__ import annotations

from asl.engine import pipeline, plan
from conftest import FIXTURES
from helpers import metrics, states


def test_a_sweep_runs_one_cached_run_per_value(tiny_project, stub_renderer, capsys):
    tiny_project.edit_variants(lambda table: table.update(
        gamma={"notebook": "tiny.ipynb", "title": "Gamma", "parameters": {"label": "gamma"},
               "sweep": {"rate": [0.25, 2]}}))
    assert tiny_project.build("--list") == 0
    listing = capsys.readouterr().out
    assert "sweep gamma: 2 combination(s) of rate, 2 run(s)" in listing
    assert "gamma[rate=0.25]  [tiny.ipynb]  Gamma (rate 0.25)" in listing

    assert tiny_project.build("--variant", "gamma") == 0
    assert states(capsys.readouterr().out) == {"gamma[rate=0.25]": "done",
                                               "gamma[rate=2.0]": "done"}
    assert metrics(tiny_project, "gamma[rate=2.0]")["parameters"]["rate"] == 2.0
    entries = {v["name"]: v for v in stub_renderer.CALLS[-1]["variants"]}
    assert entries["gamma[rate=0.25]"]["sweep"] == "gamma"
    assert entries["gamma[rate=0.25]"]["swept"] == {"rate": 0.25}

    tiny_project.edit_variants(lambda table: table["gamma"]["sweep"].update(rate=[0.25, 3]))
    assert tiny_project.build("--variant", "gamma") == 0
    assert states(capsys.readouterr().out) == {"gamma[rate=0.25]": "cached",
                                               "gamma[rate=3.0]": "done"}
    assert tiny_project.build("--variant", "gamma", "--force", "gamma") == 0
    assert set(states(capsys.readouterr().out).values()) == {"done"}


def test_a_sweep_of_more_than_50_runs_is_refused(tiny_project, capsys):
    tiny_project.edit_variants(lambda table: table.update(
        gamma={"notebook": "tiny.ipynb",
               "sweep": {"rate": [0.5, 1.5], "epochs": list(range(1, 27))}}))
    assert tiny_project.build("--variant", "gamma") == 2
    err = capsys.readouterr().err
    assert "sweep gamma expands to 52 runs" in err and "--max-runs 52" in err
    assert not list((tiny_project.out / "variants").glob("gamma*"))
    options = pipeline.Options(variants_file=tiny_project.variants_file,
                               notebooks_dir=FIXTURES, variants=["gamma"], max_runs=52)
    _, runs = plan.load_plan(options)
    plan.check_run_counts(runs, options.max_runs)          # allowed: no error
    assert runs[1].name == "gamma[epochs=1,rate=1.5]"     # in the file's order (sorted here)


def test_a_bad_sweep_is_refused_with_its_field(tiny_project, capsys):
    tiny_project.edit_variants(lambda table: table.update(
        gamma={"notebook": "tiny.ipynb", "sweep": {"rate": 0.5}}))
    assert tiny_project.build("--list") == 2
    assert "variant gamma: sweep rate must be a non-empty list" in capsys.readouterr().err
    tiny_project.edit_variants(lambda table: table["gamma"].update(sweep={"label": ["a/b"]}))
    assert tiny_project.build("--list") == 2
    assert "name a folder" in capsys.readouterr().err
