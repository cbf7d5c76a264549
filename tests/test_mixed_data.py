"""Runs trained on different data make the report incomplete, and the report names each run's
training data."""
from __future__ import annotations

import json

from conftest import write_photo
from helpers import states


def test_runs_on_different_data_make_the_report_incomplete(tiny_project, capsys):
    other = tiny_project.root / "other-data"
    write_photo(other / "B" / "B1.png")
    pdf = tiny_project.out / "report.pdf"
    before = pdf.read_bytes()
    assert tiny_project.build("--variant", "alpha", "--data", str(other)) == 1
    output = capsys.readouterr().out
    assert states(output) == {"alpha": "done"}
    assert "the runs were trained on different data: alpha on" in output and "beta on" in output
    assert "--allow-mixed-data" in output
    assert pdf.read_bytes() == before and (tiny_project.out / "report-incomplete.pdf").exists()
    manifest = json.loads((tiny_project.out / "manifest.json").read_text())
    alpha, beta = (manifest["variants"][n]["data_fingerprint"] for n in ("alpha", "beta"))
    assert alpha and beta and alpha != beta
    assert manifest["mixed_data"] == {alpha: ["alpha"], beta: ["beta"]}
    # the same state stays incomplete on --render-only, and --allow-mixed-data accepts it
    assert tiny_project.build("--render-only") == 1
    assert pdf.read_bytes() == before
    assert tiny_project.build("--render-only", "--allow-mixed-data") == 0
    assert pdf.read_bytes() != before
    # rebuilding beta on the same data makes the report whole again
    assert tiny_project.build("--data", str(other)) == 0
    assert not json.loads((tiny_project.out / "manifest.json").read_text())["mixed_data"]


def test_the_report_names_each_variants_training_data(tmp_path):
    from asl.report.context import build_context
    from asl.report.render import render_html
    from report_builds import make_build
    out_dir, variants, manifest, *rest = make_build(tmp_path)
    for name, entry in manifest["variants"].items():
        entry["data_fingerprint"] = ("a" if name == "cnn_scratch" else "b") * 64
    manifest["mixed_data"] = {"a" * 64: ["cnn_scratch"],
                              "b" * 64: [n for n in manifest["variants"] if n != "cnn_scratch"]}
    html = render_html(build_context(out_dir, variants, manifest, *rest))
    assert "trained on different data" in html and "cnn_scratch on data aaaaaaaaaaaa" in html
    assert "<th>Training data</th>" in html or "Training data" in html
    assert html.count("bbbbbbbbbbbb") >= len(manifest["variants"]) - 1
