"""The report renders from metrics files to HTML and PDF, and prints exactly their numbers."""
from __future__ import annotations

import re
import sys

import pytest
from pypdf import PdfReader

from asl import metrics_file
from asl.errors import AslError
from asl.report import halves
from asl.report.render import render_html, render_report, write_pdf
from asl.report.context import SECTIONS, build_context
from asl.report.formatting import fmt_acc, fmt_ci, fmt_p
from test_report_context import make_build

FAILED = {"cnn_wide": "ResourceExhaustedError: OOM when allocating a tensor"}
CHAPTER_BODIES = {   # a sentence from each chapter's body (the contents page prints the titles)
    "dataset": "Classes: A, B, C",
    "objectives": "Problem type: supervised",
    "evaluation": "A frame-block split holds out whole blocks of consecutive frames",
    "exploration": "Files that are not images or cannot be decoded are skipped and counted",
    "variants": "Each variant is one notebook run with its own parameters",
    "comparison": "All variants side by side.",
    "significance": "McNemar tests between every two models scored on the same photos",
    "recommendation": "Recommended: ",
    "findings": "Share of test photos with a near-duplicate in training",
    "next-steps": "Move from single photos to short video clips",
    "model-card": "Model card for ",
    "reproducibility": "What this report was built from.",
}


def assert_every_chapter_has_its_body(text: str, html: str) -> None:
    assert set(CHAPTER_BODIES) == {id_ for id_, _ in SECTIONS}
    for id_, title in SECTIONS:
        assert f'<h2 id="{id_}">' in html, id_
        assert CHAPTER_BODIES[id_] in text, (id_, CHAPTER_BODIES[id_])


def pdf_text(path) -> str:
    """All the PDF's text, whitespace collapsed."""
    text = " ".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """One quick build with a failed variant, rendered to HTML and PDF."""
    args = make_build(tmp_path_factory.mktemp("build"), quick=True, failed=FAILED)
    html, pdf = render_report(*args)
    return {"args": args, "html": html, "pdf": pdf, "text": pdf_text(pdf),
            "context": build_context(*args)}


def model_blocks(variants):
    """The evaluation blocks the report prints, from the metrics files: each variant's and its
    classifiers' test block and the report half of their wild block; then the selection halves,
    which only the recommendation's reason may quote."""
    blocks, selection = [], []
    for variant in variants:
        if variant["status"] not in ("done", "cached"):
            continue
        metrics = metrics_file.read(variant["dir"])
        if metrics["kind"] != "model":
            continue
        owners = [metrics] + list((metrics["extra"].get("classifiers") or {}).values())
        for owner in owners:
            select, report = halves.split(owner.get("wild"))
            blocks += [owner["test"]] + ([report] if report else [])
            selection += [select] if select else []
    return blocks, selection


def test_html_and_pdf_are_written_with_every_section(rendered):
    assert rendered["html"].name == "report.html" and rendered["pdf"].name == "report.pdf"
    html = rendered["html"].read_text()
    assert_every_chapter_has_its_body(rendered["text"], html)
    assert 'src="variants/cnn_scratch/learning_curves.png"' in html


def test_pdf_has_metadata_page_numbers_and_figures(rendered):
    reader = PdfReader(str(rendered["pdf"]))
    assert reader.metadata.title.startswith("Recognising the American Sign Language")
    assert reader.metadata.author == "ASL report generator"
    assert reader.metadata["/CreationDate"].startswith("D:20261124")
    assert f"Page 3 of {len(reader.pages)}" in rendered["text"]
    assert sum(len(page.images) for page in reader.pages) >= 10


def test_quick_build_banner(rendered, tmp_path):
    assert "QUICK BUILD — not for submission" in rendered["text"]
    full = render_html(build_context(*make_build(tmp_path, quick=False)))
    assert "QUICK BUILD" not in full


def test_every_accuracy_and_interval_equals_the_metrics(rendered):
    text = rendered["text"]
    blocks, selection = model_blocks(rendered["args"][1])
    intervals = {fmt_ci(block["accuracy_ci"]) for block in blocks + selection}
    for block in blocks:
        assert fmt_acc(block["accuracy"]) in text
        assert fmt_ci(block["accuracy_ci"]) in text
    printed = set(re.findall(r"\[\d\.\d{3}, \d\.\d{3}\]", text))
    assert printed and printed <= intervals


def test_every_p_value_equals_the_computed_test(rendered):
    text = rendered["text"]
    groups = rendered["context"]["tests"]
    assert sum(len(group.pairs) for group in groups) >= 20
    for group in groups:
        for pair in group.pairs:
            row = (f"{pair.a.short} {pair.b.short} {fmt_acc(pair.a.accuracy(group.block))} "
                   f"{fmt_acc(pair.b.accuracy(group.block))} {pair.a_only} {pair.b_only} "
                   f"{fmt_p(pair.p_value)} {fmt_p(pair.p_holm)} "
                   f"{'yes' if pair.significant else 'no'}")
            assert row in text, row


def test_failed_variant_is_shown_with_its_reason(rendered):
    assert "This variant failed: ResourceExhaustedError: OOM" in rendered["text"]


def test_missing_wild_set_is_said_plainly(tmp_path):
    html = render_html(build_context(*make_build(tmp_path, wild=False)))
    assert "No out-of-domain photos were given to this build" in html
    assert "no wild set" in html


def test_interrupted_pdf_write_keeps_the_previous_pdf(rendered, monkeypatch):
    import weasyprint

    before = rendered["pdf"].read_bytes()

    def broken_write_pdf(self, target=None, **options):
        with open(target, "wb") as handle:
            handle.write(b"%PDF-1.7 half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken_write_pdf)
    with pytest.raises(KeyboardInterrupt):
        write_pdf("<p>new</p>", rendered["pdf"], rendered["pdf"].parent)
    assert rendered["pdf"].read_bytes() == before
    assert sorted(p.name for p in rendered["pdf"].parent.iterdir() if p.name.startswith(".")) == []


def test_missing_weasyprint_gives_an_install_hint(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(AslError, match="pip install weasyprint"):
        write_pdf("<p>x</p>", tmp_path / "report.pdf", tmp_path)
    assert not (tmp_path / "report.pdf").exists()


def test_outputs_get_the_usual_file_permissions(rendered):
    import os

    umask = os.umask(0)
    os.umask(umask)
    for path in (rendered["pdf"], rendered["html"]):
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask
