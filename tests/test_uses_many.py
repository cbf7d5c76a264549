"""`uses: [first, second]`: a variant that builds on the runs of several variants, on tiny fixture
notebooks; and `uses: other` (one name) fingerprinted exactly as before lists were allowed."""
from __future__ import annotations

import json

import pytest

from asl.engine import cache, fingerprint, plan
from asl.errors import VariantError
from conftest import project_with_notebook
from helpers import metrics, states, uses_many_notebook, uses_table


# --- the table: one name or a list, and what is refused ---------------------------------------

def test_a_list_links_every_used_variant_in_order_and_one_name_is_a_list_of_one(tmp_path):
    table = uses_table(tmp_path, {
        "a": {"notebook": "tiny.ipynb"}, "b": {"notebook": "tiny.ipynb"},
        "c": {"notebook": "many.ipynb", "uses": ["b", "a"]},
        "d": {"notebook": "tiny.ipynb", "uses": "a"},
        "e": {"notebook": "tiny.ipynb", "uses": ["a"]}})    # one in a list: no uses_dirs needed
    found = table.variants
    assert found["c"].uses == (found["b"], found["a"])
    assert found["c"].uses[0] is found["b"] and found["c"].uses[1] is found["a"]
    assert found["d"].uses == found["e"].uses == (found["a"],)
    assert found["a"].uses == ()


@pytest.mark.parametrize("entries, message", [
    ({"a": {"notebook": "many.ipynb", "uses": []}},
     "variants.yaml: variant a: uses: [] names no variant: name the variant(s) whose runs' "
     "output this one builds on, or leave `uses:` out"),
    ({"a": {"notebook": "tiny.ipynb"}, "b": {"notebook": "many.ipynb", "uses": ["a", "a"]}},
     "variants.yaml: variant b: uses: ['a', 'a'] names 'a' twice: name each variant once"),
    ({"a": {"notebook": "tiny.ipynb"}, "b": {"notebook": "many.ipynb", "uses": ["a", "nope"]}},
     "variants.yaml: variant b: uses: 'nope' is not a variant; name the variant whose runs' "
     "output this one builds on: a, b"),
    ({"a": {"notebook": "tiny.ipynb"}, "b": {"notebook": "many.ipynb", "uses": ["a", 3]}},
     "variants.yaml: variant b: uses: 3 is not a variant"),
    ({"a": {"notebook": "tiny.ipynb"}, "s": {"notebook": "tiny.ipynb", "sweep": {"rate": [1, 2]}},
      "b": {"notebook": "many.ipynb", "uses": ["a", "s"]}},
     "variant b: uses: 's' is a sweep: name one of its variants (s[rate=1.0], s[rate=2.0])"),
    ({"a": {"notebook": "tiny.ipynb"}, "b": {"notebook": "many.ipynb", "uses": ["a", "b"]}},
     "variants.yaml: `uses:` goes round in a circle (b uses b): a variant can only build on one "
     "that does not build on it"),
    ({"a": {"notebook": "tiny.ipynb"}, "b": {"notebook": "many.ipynb", "uses": ["a", "c"]},
      "c": {"notebook": "tiny.ipynb", "uses": "b"}},
     "variants.yaml: `uses:` goes round in a circle (b uses c uses b)"),
    ({"a": {"notebook": "tiny.ipynb"}, "b": {"notebook": "tiny.ipynb"},
      "c": {"notebook": "tiny.ipynb", "uses": ["a", "b"]}},
     "variants.yaml: variant c: uses: ['a', 'b']: its notebook tiny.ipynb has no `uses_dirs` "
     "parameter to receive their run folders (declare `uses_dirs = []`)"),
    ({"a": {"notebook": "tiny.ipynb"}, "p": {"notebook": "plain.ipynb", "uses": ["a"]}},
     "variant p: uses: 'a': its notebook plain.ipynb has no `uses_dir` parameter"),
])
def test_a_bad_list_is_refused_with_one_message(tmp_path, entries, message):
    with pytest.raises(VariantError) as error:
        uses_table(tmp_path, entries)
    assert message in str(error.value) and "\n" not in str(error.value)


# --- the plan: parameters from the first, runs after every used run of the same seed ----------

def test_parameters_come_from_the_first_used_variant(tmp_path):
    table = uses_table(tmp_path, {
        "a": {"notebook": "tiny.ipynb", "parameters": {"rate": 2, "label": "a"}},
        "b": {"notebook": "tiny.ipynb", "parameters": {"rate": 3, "epochs": 7}},
        "ab": {"notebook": "many.ipynb", "uses": ["a", "b"], "parameters": {"label": "ab"}},
        "ba": {"notebook": "many.ipynb", "uses": ["b", "a"]}})
    chosen = {v.name: v for v in plan.select(table, ["ab", "ba"], {}, quick=False)}
    assert list(chosen) == ["a", "b", "ab", "ba"]
    ab, ba = chosen["ab"], chosen["ba"]
    assert (ab.parameters["rate"], ab.parameters["epochs"], ab.parameters["label"]) == (2.0, 2, "ab")
    assert ab.origin["rate"] == "variants.yaml of a" and "epochs" not in ab.origin
    assert (ba.parameters["rate"], ba.parameters["epochs"], ba.parameters["label"]) == (3.0, 7, "tiny")
    assert ba.origin["epochs"] == "variants.yaml of b"
    assert ab.uses == (chosen["a"], chosen["b"]) and "uses_dirs" not in ab.parameters


def test_each_run_comes_after_the_used_runs_of_its_seed(tmp_path):
    """A used variant without seeds gives its only run to every seed."""
    table = uses_table(tmp_path, {
        "a": {"notebook": "tiny.ipynb"}, "u": {"notebook": "plain.ipynb"},
        "c": {"notebook": "many.ipynb", "uses": ["a", "u"]},
        "d": {"notebook": "many.ipynb", "uses": ["c", "a"], "seeds": 1}})
    chosen = plan.select(table, ["d"], {}, quick=False)
    assert [v.name for v in chosen] == ["a", "u", "c", "d"]
    runs = plan.expand(chosen[2:], 2, quick=False)
    assert [(r.name, [u.name for u in r.uses]) for r in runs] == [
        ("a.seed1", []), ("u", []), ("c.seed1", ["a.seed1", "u"]),
        ("a.seed2", []), ("c.seed2", ["a.seed2", "u"]),
        ("d.seed1", ["c.seed1", "a.seed1"])]
    by_name = {r.name: r for r in runs}
    assert by_name["c.seed2"].uses[1] is by_name["c.seed1"].uses[1]     # one run of u


# --- the fingerprint ---------------------------------------------------------------------------

def old_run_key(run, context: dict, quick: bool, used_key: str | None) -> str:
    """``cache.run_key`` as it was when `uses:` took one name (the 45-run cache's keys)."""
    used = fingerprint.paths_used(run.notebook)
    return fingerprint.variant_fingerprint(
        fingerprint.notebook_fingerprint(run.notebook), {**run.parameters, "quick": quick},
        {**{k: v for k, v in context.items() if k in ("packages", "threads") or k in used},
         **({"uses": used_key} if used_key else {})})


def test_a_run_using_one_run_keeps_its_fingerprint_and_several_are_all_in_it(tmp_path):
    table = uses_table(tmp_path, {"a": {"notebook": "tiny.ipynb"},
                                  "c": {"notebook": "many.ipynb", "uses": ["a"]}})
    run = plan.expand(plan.select(table, ["c"], {}, quick=False), 1, quick=False)[-1]
    context = {"packages": {"numpy": "1"}, "threads": 2, "data": "d1", "weights": "w1"}
    one = cache.run_key(run, context, False, ["k1"])
    assert one == old_run_key(run, context, False, "k1")
    assert cache.run_key(run, context, True, []) == old_run_key(run, context, True, None)
    two = cache.run_key(run, context, False, ["k1", "k2"])
    assert two == old_run_key(run, context, False, ["k1", "k2"])    # {"uses": [k1, k2]}
    assert len({one, two, cache.run_key(run, context, False, ["k2", "k1"]),
                cache.run_key(run, context, False, ["k1", "k3"])}) == 4


# --- builds ------------------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path, stub_renderer):
    """Variants alpha and beta, and gamma, which uses both; returns (project, build arguments)."""
    project, args = project_with_notebook(tmp_path, uses_many_notebook)
    project.edit_variants(lambda table: table.update(
        beta={"notebook": "tiny.ipynb", "title": "Beta", "parameters": {"label": "beta",
                                                                         "rate": 1.5}},
        gamma={"notebook": "tiny.ipynb", "title": "Gamma", "uses": ["alpha", "beta"],
               "parameters": {"label": "gamma"}}))
    return project, args


def build(project_and_args, *extra) -> int:
    from asl.engine import cli

    return cli.main([*project_and_args[1], *extra])


def stamp(project, name) -> str:
    return json.loads((project.out / "variants" / name / ".build.json").read_text())["fingerprint"]


@pytest.mark.parametrize("jobs", ["1", "3"])
def test_a_run_starts_after_every_run_it_uses_and_gets_their_folders(project, capsys, jobs):
    project[0].edit_variants(lambda table: table["beta"]["parameters"].update(sleep=0.8))
    assert build(project, "--seeds", "1", "--jobs", jobs) == 0      # beta ends after alpha
    assert states(capsys.readouterr().out) == {
        "alpha.seed1": "done", "beta.seed1": "done", "gamma.seed1": "done"}
    folder = project[0].out / "variants"
    gamma = metrics(project[0], "gamma.seed1")
    alpha, beta = metrics(project[0], "alpha.seed1"), metrics(project[0], "beta.seed1")
    assert gamma["uses_dir"] == str((folder / "alpha.seed1").resolve())
    assert gamma["uses_dirs"] == [str((folder / name).resolve())
                                  for name in ("alpha.seed1", "beta.seed1")]
    assert gamma["used"] == alpha and gamma["used_all"] == [alpha, beta]
    assert max(alpha["finished"], beta["finished"]) <= gamma["started"]
    assert gamma["parameters"]["rate"] == 0.5 and gamma["parameters"]["label"] == "gamma"
    assert alpha["uses_dirs"] == [] and alpha["uses_dir"] == ""


def test_building_it_alone_builds_every_run_it_uses(project, capsys):
    assert build(project, "--variant", "gamma", "--seeds", "2") == 0
    assert states(capsys.readouterr().out) == {
        f"{name}.seed{seed}": "done" for name in ("alpha", "beta", "gamma") for seed in (1, 2)}
    assert metrics(project[0], "gamma.seed2")["uses_dirs"][1].endswith("/beta.seed2")
    assert build(project, "--variant", "gamma", "--seeds", "2") == 0
    assert set(states(capsys.readouterr().out).values()) == {"cached"}


def test_it_reruns_when_the_second_used_run_does(project, capsys):
    assert build(project, "--seeds", "1") == 0
    capsys.readouterr()
    project[0].edit_variants(lambda table: table["beta"]["parameters"].update(rate=2.5))
    assert build(project, "--seeds", "1") == 0
    assert states(capsys.readouterr().out) == {
        "alpha.seed1": "cached", "beta.seed1": "done", "gamma.seed1": "done"}
    assert metrics(project[0], "gamma.seed1")["used_all"][1]["parameters"]["rate"] == 2.5
    assert metrics(project[0], "gamma.seed1")["parameters"]["rate"] == 0.5    # alpha's

    assert build(project, "--seeds", "1", "--force", "beta") == 0   # same inputs, new files
    assert states(capsys.readouterr().out) == {
        "alpha.seed1": "cached", "beta.seed1": "done", "gamma.seed1": "done"}

    project[0].edit_variants(lambda table: table["gamma"].update(uses=["beta", "alpha"]))
    assert build(project, "--seeds", "1") == 0      # the order is part of the fingerprint
    assert states(capsys.readouterr().out) == {
        "alpha.seed1": "cached", "beta.seed1": "cached", "gamma.seed1": "done"}
    assert metrics(project[0], "gamma.seed1")["uses_dir"].endswith("/beta.seed1")


def test_one_name_and_a_list_of_that_name_are_the_same_run(project, capsys):
    project[0].edit_variants(lambda table: table["gamma"].update(uses="alpha"))
    assert build(project, "--seeds", "1", "--variant", "gamma") == 0
    key = stamp(project[0], "gamma.seed1")
    assert metrics(project[0], "gamma.seed1")["uses_dirs"] == []      # set only for several
    project[0].edit_variants(lambda table: table["gamma"].update(uses=["alpha"]))
    assert build(project, "--seeds", "1", "--variant", "gamma") == 0
    assert states(capsys.readouterr().out)["gamma.seed1"] == "cached"
    assert stamp(project[0], "gamma.seed1") == key


def test_a_failed_second_used_run_fails_its_dependent_in_one_line(project, capsys, stub_renderer):
    project[0].edit_variants(lambda table: table["beta"]["parameters"].update(fail_seed=2))
    assert build(project, "--seeds", "2", "--jobs", "3") == 1
    output = capsys.readouterr().out
    assert states(output) == {"alpha.seed1": "done", "alpha.seed2": "done",
                              "beta.seed1": "done", "beta.seed2": "FAILED",
                              "gamma.seed1": "done", "gamma.seed2": "FAILED"}
    line, = [line for line in output.splitlines() if line.split()[:2] == ["gamma.seed2", "FAILED"]]
    assert line.split(None, 2)[2] == "not run: beta.seed2 failed, and this run uses its output"
    assert stub_renderer.CALLS[-1]["failures"]["gamma"] == \
        "gamma.seed2: not run: beta.seed2 failed, and this run uses its output"


def test_list_names_every_used_variant(project, capsys):
    assert build(project, "--list", "--variant", "gamma", "--seeds", "2") == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "uses: alpha, beta (the output of alpha.seed1, beta.seed1, alpha.seed2, beta.seed2, " \
           "run first; parameters not set here are alpha's)" in out
    assert "uses_dirs" in out.split("gamma [tiny.ipynb]")[1].split("(set by the build: ")[1]


def test_a_dependent_is_named_when_its_second_used_run_was_redone(project, capsys):
    assert build(project, "--seeds", "1") == 0
    assert build(project, "--seeds", "1", "--variant", "beta", "--force", "beta") == 0
    assert "note: gamma.seed1 was built on an earlier beta.seed1, rerun since: python " \
           "build.py --variant gamma brings it up to date" in capsys.readouterr().out


def test_uses_dirs_is_set_by_the_build(project, capsys):
    from helpers import run_cli

    code, _, err = run_cli(capsys, [*project[1], "--list", "-p", "uses_dirs=[]"])
    assert code == 2 and "uses_dirs is set by the build to the folders of the runs" in err


# --- the Dask cluster: every used run's folder shipped ------------------------------------------

def test_a_worker_unpacks_every_used_run_and_gets_their_folders(tmp_path):
    from asl.engine.cluster_task import pack, unpack_used

    archives = []
    for name in ("alpha.seed1", "beta.seed1"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "metrics.json").write_text(name)
        archives.append(pack(tmp_path / name))
    build_side = ["/out/variants/alpha.seed1", "/out/variants/beta.seed1"]
    worker = tmp_path / "worker"
    parameters = unpack_used(archives, {"uses_dir": build_side[0], "uses_dirs": build_side},
                             worker)
    assert parameters == {"uses_dir": str(worker / "alpha.seed1"),
                          "uses_dirs": [str(worker / "alpha.seed1"), str(worker / "beta.seed1")]}
    assert [(worker / n / "metrics.json").read_text() for n in ("alpha.seed1", "beta.seed1")] == \
        ["alpha.seed1", "beta.seed1"]
    one = unpack_used(archives[1:], {"uses_dir": build_side[1]}, tmp_path / "one")
    assert one == {"uses_dir": str(tmp_path / "one" / "beta.seed1")}


def test_a_run_gets_every_run_it_uses_on_the_cluster(tmp_path):
    import os
    import subprocess
    import sys

    from conftest import FIXTURES, ROOT

    pytest.importorskip("distributed")
    project, args = project_with_notebook(tmp_path, uses_many_notebook)
    project.edit_variants(lambda table: table.update(
        beta={"notebook": "tiny.ipynb", "parameters": {"label": "beta"}},
        gamma={"notebook": "tiny.ipynb", "uses": ["alpha", "beta"],
               "parameters": {"label": "gamma"}}))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    folder = project.out / "variants"
    for files in ("archive", "shared"):
        result = subprocess.run(
            [sys.executable, str(FIXTURES / "stub_build.py"), *args, "--seeds", "1", "--force",
             "--cluster", "local", "--jobs", "2", "--cluster-files", files, "-p", "sleep=0.3"],
            capture_output=True, text=True, timeout=180, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        gamma = metrics(project, "gamma.seed1")
        used = [metrics(project, name) for name in ("alpha.seed1", "beta.seed1")]
        assert gamma["used_all"] == used and gamma["used"] == used[0]
        assert max(run["finished"] for run in used) <= gamma["started"]
        assert [d.rsplit("/", 1)[1] for d in gamma["uses_dirs"]] == ["alpha.seed1", "beta.seed1"]
        assert gamma["uses_dir"] == gamma["uses_dirs"][0]
        here = [str((folder / name).resolve()) for name in ("alpha.seed1", "beta.seed1")]
        if files == "archive":     # copies on the worker, without the executed notebooks
            assert not set(gamma["uses_dirs"]) & set(here)
        else:
            assert gamma["uses_dirs"] == here
