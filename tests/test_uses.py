"""`uses:`: a variant that builds on another variant's runs, on tiny fixture notebooks."""
from __future__ import annotations

import json

import pytest

from conftest import project_with_notebook
from helpers import metrics, states, uses_notebook


@pytest.fixture
def project(tmp_path, stub_renderer):
    """Variant alpha, and gamma, which uses alpha; returns (project, build arguments)."""
    project, args = project_with_notebook(tmp_path, uses_notebook)
    project.edit_variants(lambda table: table.update(
        gamma={"notebook": "tiny.ipynb", "title": "Gamma", "uses": "alpha",
               "parameters": {"label": "gamma"}}))
    return project, args


def build(project_and_args, *extra) -> int:
    from asl.engine import cli

    return cli.main([*project_and_args[1], *extra])


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_run_starts_after_the_run_it_uses_and_gets_its_folder(project, capsys, jobs):
    assert build(project, "--seeds", "1", "--jobs", jobs, "-p", "sleep=0.5") == 0
    assert states(capsys.readouterr().out) == {"alpha.seed1": "done", "gamma.seed1": "done"}
    gamma, alpha = metrics(project[0], "gamma.seed1"), metrics(project[0], "alpha.seed1")
    assert gamma["used"] == alpha and gamma["uses_dir"].endswith("/alpha.seed1")
    assert alpha["finished"] <= gamma["started"]
    assert gamma["parameters"]["label"] == "gamma"          # its own setting
    assert gamma["parameters"]["epochs"] == 2 and gamma["parameters"]["rate"] == 0.5


def test_building_the_dependent_alone_builds_the_runs_it_uses_first(project, capsys):
    assert build(project, "--variant", "gamma", "--seeds", "1") == 0
    output = capsys.readouterr().out
    assert states(output) == {"alpha.seed1": "done", "gamma.seed1": "done"}
    assert output.index("alpha.seed1            done") < output.index("gamma.seed1            running")
    assert build(project, "--variant", "gamma", "--seeds", "1") == 0
    assert states(capsys.readouterr().out) == {"alpha.seed1": "cached", "gamma.seed1": "cached"}


def test_the_used_runs_parameters_rerun_both_the_dependents_only_itself(project, capsys):
    assert build(project, "--seeds", "1") == 0
    capsys.readouterr()
    project[0].edit_variants(lambda table: table["alpha"]["parameters"].update(rate=2.5))
    assert build(project, "--seeds", "1") == 0
    assert states(capsys.readouterr().out) == {"alpha.seed1": "done", "gamma.seed1": "done"}
    assert metrics(project[0], "gamma.seed1")["parameters"]["rate"] == 2.5    # inherited

    project[0].edit_variants(lambda table: table["alpha"]["parameters"].update(label="a2"))
    assert build(project, "--seeds", "1") == 0      # gamma sets its own label: same parameters
    assert states(capsys.readouterr().out) == {"alpha.seed1": "done", "gamma.seed1": "done"}
    assert metrics(project[0], "gamma.seed1")["used"]["parameters"]["label"] == "a2"

    project[0].edit_variants(lambda table: table["gamma"]["parameters"].update(label="g2"))
    assert build(project, "--seeds", "1") == 0
    assert states(capsys.readouterr().out) == {"alpha.seed1": "cached", "gamma.seed1": "done"}

    assert build(project, "--seeds", "1", "--force", "alpha") == 0   # same inputs, new files
    assert states(capsys.readouterr().out) == {"alpha.seed1": "done", "gamma.seed1": "done"}


def test_an_override_applies_to_the_run_it_uses_too(project, capsys):
    assert build(project, "--variant", "gamma", "--seeds", "1", "-p", "epochs=3") == 0
    capsys.readouterr()
    assert metrics(project[0], "alpha.seed1")["parameters"]["epochs"] == 3
    assert metrics(project[0], "gamma.seed1")["parameters"]["epochs"] == 3


def test_a_failed_used_run_fails_its_dependent_in_one_line(project, capsys, stub_renderer):
    project[0].edit_variants(lambda table: (table["alpha"].update(parameters={"fail_seed": 2}),
                                            table["gamma"]["parameters"].update(fail_seed=0)))
    assert build(project, "--seeds", "2", "--jobs", "2") == 1
    output = capsys.readouterr().out
    assert states(output) == {"alpha.seed1": "done", "alpha.seed2": "FAILED",
                              "gamma.seed1": "done", "gamma.seed2": "FAILED"}
    line, = [line for line in output.splitlines() if line.split()[:2] == ["gamma.seed2", "FAILED"]]
    assert line.split(None, 2)[2] == "not run: alpha.seed2 failed, and this run uses its output"
    assert "Traceback" not in output
    assert metrics(project[0], "gamma.seed1")["uses_dir"].endswith("/alpha.seed1")   # its seed
    failures = stub_renderer.CALLS[-1]["failures"]
    assert failures["gamma"] == "gamma.seed2: not run: alpha.seed2 failed, and this run uses " \
                                "its output"


def test_list_shows_what_a_variant_uses(project, capsys):
    project[0].edit_variants(lambda table: table["alpha"]["parameters"].update(rate=2))
    assert build(project, "--list", "--variant", "gamma", "--seeds", "2") == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "uses: alpha (the output of alpha.seed1, alpha.seed2, run first; parameters not " \
           "set here are alpha's)" in out
    assert "gamma [tiny.ipynb] Gamma" in out and "alpha [tiny.ipynb] Alpha" in out
    assert "label str default 'tiny' -> 'gamma' (variants.yaml)" in out
    assert "rate float default 0.5 -> 2.0 (variants.yaml of alpha)" in out


def test_a_dependent_shown_from_an_older_build_is_named_when_its_run_was_redone(project, capsys):
    assert build(project, "--seeds", "1") == 0
    assert build(project, "--seeds", "1", "--variant", "alpha", "--force", "alpha") == 0
    assert "note: gamma.seed1 was built on an earlier alpha.seed1, rerun since: python " \
           "build.py --variant gamma brings it up to date" in capsys.readouterr().out


def test_the_used_folder_is_not_part_of_the_fingerprint(project, capsys, tmp_path):
    """The same runs in another output folder have the same fingerprints."""
    assert build(project, "--seeds", "1") == 0
    other = [*project[1], "--seeds", "1"]
    other[other.index("--out") + 1] = str(tmp_path / "elsewhere")
    from asl.engine import cli

    assert cli.main(other) == 0
    for name in ("alpha.seed1", "gamma.seed1"):
        stamps = [json.loads((out / "variants" / name / ".build.json").read_text())["fingerprint"]
                  for out in (project[0].out, tmp_path / "elsewhere")]
        assert stamps[0] == stamps[1]


def test_the_engine_and_the_notebooks_name_the_used_run_parameter_alike():
    from asl.engine.parameters import USES_PARAMETER
    from asl.study import reuse

    assert USES_PARAMETER == reuse.PARAMETER
