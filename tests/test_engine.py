"""The build engine, end to end on tiny fixture notebooks (no TensorFlow, a second or two each)."""
from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time

from filelock import FileLock

from conftest import FIXTURES
from helpers import metrics, states


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
    # progress.json was shown (which epoch depends on when the console polled)
    assert re.search(r"epoch [123]/3", output)
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
