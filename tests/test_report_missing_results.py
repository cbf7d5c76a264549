"""A build with missing, failed or partial results still gives a report that says what is missing."""
from __future__ import annotations

from asl.report.context import build_context
from asl.report.render import render_html
from report_builds import make_build, tiny_png


def test_without_wild_set_the_report_says_so(tmp_path):
    context = build_context(*make_build(tmp_path, wild=False))
    assert context["dataset"]["wild"] is None
    assert context["recommendation"]["chosen_on"] == "on the in-domain test photos"
    assert all(row["wild_acc"] == "no wild set" for row in context["comparison"])
    assert next(f.text for f in context["findings"]
                if f.title == "Domain gap").startswith("Not measured")

def test_missing_wild_set_is_said_plainly(tmp_path):
    html = render_html(build_context(*make_build(tmp_path, wild=False)))
    assert "No out-of-domain photos were given to this build" in html
    assert "no wild set" in html

def test_failed_and_missing_variants_keep_their_reason(tmp_path):
    args = make_build(tmp_path, failed={"cnn_wide": "cell 7: ResourceExhaustedError"})
    context = build_context(*args)
    section = next(v for v in context["variants"] if v["name"] == "cnn_wide")
    assert section["metrics"] is None
    assert "ResourceExhaustedError" in section["reason"]
    row = next(r for r in context["comparison"] if r["title"] == "Title of cnn_wide")
    assert row["failed"]
    assert context["n_failed"] == 1

def test_a_build_with_one_model_and_no_exploration_still_renders(tmp_path):
    out_dir, variants, manifest, quick, failures, reference = make_build(
        tmp_path, {"cnn_scratch": ("cnn", "frame_block", 0.771, 0.331)})
    variants[0].update(status="missing")
    context = build_context(out_dir, variants, {}, quick, failures, reference)
    assert context["tests"] == []
    assert context["exploration"]["available"] is False
    html = render_html(context)
    assert "Fewer than two models were scored on the same photos" in html
    assert "Not measured: the leakage control has no results in this build." in html

def test_a_missing_figure_is_reported_not_fatal(tmp_path):
    args = make_build(tmp_path)
    (args[0] / "variants" / "mobilenet" / "confusion.png").unlink()
    (args[0] / "variants" / "cnn_scratch" / "confusion.png").write_bytes(b"not a png")
    context = build_context(*args)
    figures = {(v["name"], f.file): f for v in context["variants"] for f in v["figures"]}
    assert figures[("mobilenet", "confusion.png")].exists is False
    assert figures[("cnn_scratch", "confusion.png")].exists is False
    assert figures[("cnn_scratch", "learning_curves.png")].exists is True

def test_a_blank_figure_is_named_not_shown(tmp_path):
    args = make_build(tmp_path)
    tiny_png(args[0] / "variants" / "mobilenet" / "confusion.png", blank=True)
    context = build_context(*args)
    figure = next(f for v in context["variants"] if v["name"] == "mobilenet"
                  for f in v["figures"] if f.file == "confusion.png")
    assert figure.blank is True
