"""The build engine, end to end on tiny fixture notebooks (no TensorFlow, a second or two each)."""
from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time

from filelock import FileLock


from conftest import FIXTURES, TinyProject, project_with_notebook


def metrics(project, name):
    return json.loads((project.out / "variants" / name / "metrics.json").read_text())


def states(output: str) -> dict[str, str]:
    """The last state printed for each variant: {"alpha": "cached", ...}."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"\s+([\w.\[\]=,]+)\s+(queued|running|cached|done|FAILED)\b", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def test_first_build_writes_every_output(tiny_project):
    out = tiny_project.out
    for name in ("alpha", "beta"):
        folder = out / "variants" / name
        assert {"metrics.json", f"{name}.ipynb", f"{name}.html", "figure.txt", ".build.json"} \
            <= {p.name for p in folder.iterdir()}
        html = (folder / f"{name}.html").read_text()
        assert 'src="http' not in html and "cdnjs" not in html   # viewable offline
    assert (out / "report.pdf").exists() and (out / "report.html").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["machine"]["cores"] >= 1
    assert set(manifest["variants"]) == {"alpha", "beta"}
    assert manifest["variants"]["alpha"]["fingerprint"]
    assert manifest["variants"]["alpha"]["metrics"]["n_images"] == 10


def test_noop_build_runs_and_renders_nothing_without_tensorflow(tiny_project):
    pdf = tiny_project.out / "report.pdf"
    before = pdf.stat().st_mtime_ns
    result = tiny_project.build_in_subprocess()
    assert result.returncode == 0, result.stderr
    assert states(result.stdout) == {"alpha": "cached", "beta": "cached"}
    assert "report: unchanged" in result.stdout
    assert result.stdout.strip().endswith("tensorflow imported: False")
    assert pdf.stat().st_mtime_ns == before


def test_changed_parameter_reruns_only_its_variant(tiny_project, stub_renderer, capsys):
    tiny_project.edit_variants(lambda table: table["beta"]["parameters"].update(rate=2.5))
    assert tiny_project.build() == 0
    assert states(capsys.readouterr().out) == {"alpha": "cached", "beta": "done"}
    assert metrics(tiny_project, "beta")["parameters"]["rate"] == 2.5
    assert [v["status"] for v in stub_renderer.CALLS[-1]["variants"]] == ["cached", "done"]


def test_override_reaches_the_notebook_and_others_keep_their_results(tiny_project, capsys):
    assert tiny_project.build("--variant", "beta", "-p", "epochs=3", "-p", "label=changed") == 0
    output = capsys.readouterr().out
    assert states(output) == {"beta": "done"}
    assert "epoch 3/3" in output                               # progress.json was shown
    beta = metrics(tiny_project, "beta")
    assert beta["parameters"] == {"epochs": 3, "rate": 1.0, "label": "changed", "quick": False}
    assert beta["threads"] >= 1 and beta["omp"] == str(beta["threads"])
    assert beta["data_path"] == str(tiny_project.data)
    assert metrics(tiny_project, "alpha")["parameters"]["label"] == "alpha"


def test_force_reruns_the_named_variant(tiny_project, capsys):
    assert tiny_project.build("--force", "alpha") == 0
    assert states(capsys.readouterr().out) == {"alpha": "done", "beta": "cached"}


def test_failing_variant(tiny_project, stub_renderer, capsys):
    pdf = tiny_project.out / "report.pdf"
    good_pdf = pdf.read_bytes()
    tiny_project.edit_variants(lambda table: table.update(
        gamma={"notebook": "tiny.ipynb", "title": "Gamma", "parameters": {"fail": True}}))
    tiny_project.edit_variants(lambda table: table["beta"]["parameters"].update(rate=3))

    assert tiny_project.build() == 1
    output = capsys.readouterr().out
    assert states(output) == {"alpha": "cached", "beta": "done", "gamma": "FAILED"}
    block = output[output.index("gamma                  FAILED"):]
    assert "ValueError: asked to fail (tiny)" in block
    assert "In [5]" in block
    failed = tiny_project.out / "variants" / "gamma.failed"
    assert str(failed / "gamma.ipynb") in block and str(failed / "gamma.html") in block
    assert "An Exception was encountered" in (failed / "gamma.ipynb").read_text()
    assert 'src="http' not in (failed / "gamma.html").read_text()

    assert pdf.read_bytes() == good_pdf                           # last good report kept
    assert (tiny_project.out / "report-incomplete.pdf").exists()
    call = stub_renderer.CALLS[-1]
    assert call["names"] == ("report-incomplete.html", "report-incomplete.pdf")
    assert call["failures"] == {"gamma": "ValueError: asked to fail (tiny)"}
    assert [v["status"] for v in call["variants"]] == ["cached", "done", "failed"]
    assert json.loads((tiny_project.out / "manifest.json").read_text()
                      )["variants"]["gamma"]["status"] == "failed"

    assert tiny_project.build("--allow-failed") == 1              # asked for: overwrites
    assert pdf.read_bytes() != good_pdf


def test_interrupted_render_keeps_old_pdf(tiny_project, monkeypatch, capsys):
    pdf = tiny_project.out / "report.pdf"
    good_pdf = pdf.read_bytes()
    tiny_project.edit_variants(lambda table: table["alpha"]["parameters"].update(rate=0.25))
    monkeypatch.setenv("STUB_RENDER_INTERRUPT", "1")
    assert tiny_project.build() == 130
    assert pdf.read_bytes() == good_pdf
    monkeypatch.delenv("STUB_RENDER_INTERRUPT")
    assert tiny_project.build() == 0                              # alpha cached, report redone
    output = capsys.readouterr().out
    assert states(output) == {"alpha": "cached", "beta": "cached"}
    assert "report: unchanged" not in output and pdf.read_bytes() != good_pdf


def test_lock_refuses_a_second_build(tiny_project, capsys):
    with FileLock(tiny_project.out / ".build.lock"):
        assert tiny_project.build() == 1
    assert "error: another build is running" in capsys.readouterr().err


def test_missing_data_is_refused_early(tiny_project, capsys):
    assert tiny_project.build("--data", str(tiny_project.root / "nowhere")) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: data not found") and "Traceback" not in err


def test_timeout_stops_the_kernel(tiny_project, capsys):
    started = time.monotonic()
    assert tiny_project.build("--variant", "alpha", "-p", "sleep=60", "--timeout", "3") == 1
    assert time.monotonic() - started < 30
    assert "Timeout: stopped after 3 s" in capsys.readouterr().out
    assert metrics(tiny_project, "alpha")["parameters"]["label"] == "alpha"   # old result kept


def test_interrupt_stops_the_build_and_keeps_previous_outputs(tiny_project):
    before = (tiny_project.out / "variants" / "alpha" / "metrics.json").read_bytes()
    process = subprocess.Popen(
        [sys.executable, str(FIXTURES / "stub_build.py"),
         *tiny_project.args("--force", "alpha", "-p", "sleep=30", "--variant", "alpha")],
        stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not list((tiny_project.out / "variants").glob(".alpha.partial/progress.json")):
        assert time.monotonic() < deadline, "the variant never started"
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)       # what CI sends; Ctrl-C takes the same path
    assert process.wait(30) == 130
    assert (tiny_project.out / "variants" / "alpha" / "metrics.json").read_bytes() == before
    assert not list((tiny_project.out / "variants").glob(".*.partial"))


def test_render_only_renders_from_last_results(tiny_project, stub_renderer):
    assert tiny_project.build("--render-only", "--data", "/nonexistent") == 0
    assert [v["status"] for v in stub_renderer.CALLS[-1]["variants"]] == ["cached", "cached"]


def test_quick_build_goes_to_its_own_folder(tiny_project, stub_renderer, monkeypatch):
    from asl import config

    monkeypatch.setattr(config, "QUICK_REPORT_DIR", tiny_project.root / "quick")
    args = [a for a in tiny_project.args("--quick", "--variant", "alpha") if a]
    out_index = args.index("--out")
    del args[out_index:out_index + 2]
    from asl.engine import cli

    assert cli.main(args) == 0
    quick = json.loads((tiny_project.root / "quick" / "variants" / "alpha" / "metrics.json")
                       .read_text())
    assert quick["parameters"]["epochs"] == 1 and quick["parameters"]["quick"] is True
    assert stub_renderer.CALLS[-1]["variants"][1]["status"] == "missing"
    assert (tiny_project.root / "quick" / "report-incomplete.pdf").exists()


def test_parallel_jobs_run_at_once_and_share_the_cores(tiny_project, capsys):
    assert tiny_project.build("--force", "--jobs", "2", "-p", "sleep=1.5") == 0
    assert states(capsys.readouterr().out) == {"alpha": "done", "beta": "done"}
    alpha, beta = metrics(tiny_project, "alpha"), metrics(tiny_project, "beta")
    assert alpha["started"] < beta["finished"] and beta["started"] < alpha["finished"]
    cores = json.loads((tiny_project.out / "manifest.json").read_text())["machine"]["cores"]
    for name in ("alpha", "beta"):
        assert metrics(tiny_project, name)["omp"] == str(max(1, cores // 2))


def test_one_job_runs_the_variants_one_after_the_other(tiny_project, capsys):
    assert tiny_project.build("--force", "--jobs", "1", "-p", "sleep=0.5") == 0
    alpha, beta = metrics(tiny_project, "alpha"), metrics(tiny_project, "beta")
    assert alpha["finished"] <= beta["started"]


def seeded_project(tmp_path) -> tuple[TinyProject, list[str]]:
    """A tiny project whose notebook takes a training seed (one variant, alpha)."""
    def add_seed(book):
        parameters = next(c for c in book["cells"]
                          if "parameters" in c["metadata"].get("tags", []))
        parameters["source"].append("\ntrain_seed = 1\n")
        book["cells"][-1]["source"].insert(0, "label = f'{label}-{train_seed}'\n")

    return project_with_notebook(tmp_path, add_seed)


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
    from asl.engine import pipeline, variants

    options = pipeline.Options(variants_file=tiny_project.variants_file,
                               notebooks_dir=FIXTURES, variants=["gamma"], max_runs=52)
    _, runs = pipeline.load_plan(options)
    variants.check_sweep_sizes(runs, options.max_runs)          # allowed: no error
    assert runs[1].name == "gamma[epochs=1,rate=1.5]"     # in the file's order (sorted here)


def test_a_bad_sweep_is_refused_with_its_field(tiny_project, capsys):
    tiny_project.edit_variants(lambda table: table.update(
        gamma={"notebook": "tiny.ipynb", "sweep": {"rate": 0.5}}))
    assert tiny_project.build("--list") == 2
    assert "variant gamma: sweep rate must be a non-empty list" in capsys.readouterr().err
    tiny_project.edit_variants(lambda table: table["gamma"].update(sweep={"label": ["a/b"]}))
    assert tiny_project.build("--list") == 2
    assert "name a folder" in capsys.readouterr().err


def test_render_only_finds_the_seeds_of_a_sweep_member(tmp_path, stub_renderer):
    from asl.engine import cli

    project, args = seeded_project(tmp_path)
    project.edit_variants(lambda table: table["alpha"].update(sweep={"rate": [0.5]}))
    assert cli.main([*args, "--seeds", "1"]) == 0
    assert (project.out / "variants" / "alpha[rate=0.5].seed1" / "metrics.json").exists()
    assert cli.main([*args, "--render-only"]) == 0       # the default would be three seeds
    entry = stub_renderer.CALLS[-1]["variants"][0]
    assert [run["seed"] for run in entry["runs"]] == [1] and entry["status"] == "cached"
