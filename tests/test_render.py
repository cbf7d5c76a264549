"""The report renders from metrics files to HTML and a tagged PDF, written atomically."""
from __future__ import annotations

import json
import os
import re
import sys

import pytest
from pypdf import PdfReader

from asl.errors import AslError
from asl.report.context import build_context
from asl.report.render import render_html, write_pdf
from report_builds import make_build
from report_checks import assert_every_chapter_has_its_body


def test_html_and_pdf_are_written_with_every_section(rendered):
    assert rendered["html"].name == "report.html" and rendered["pdf"].name == "report.pdf"
    html = rendered["html"].read_text()
    assert_every_chapter_has_its_body(rendered["text"], html)
    assert re.search(r'src="figures/print/learning_curves-[0-9a-f]+\.png"', html)

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
    umask = os.umask(0)
    os.umask(umask)
    for path in (rendered["pdf"], rendered["html"]):
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask

def test_pdf_is_tagged_in_english_with_the_manifest_attached(rendered):
    reader = PdfReader(str(rendered["pdf"]))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en" and root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    attached = reader.attachments["manifest.json"]
    assert [json.loads(content) for content in attached] == [rendered["args"][2]]
    html = rendered["html"].read_text()
    assert all(re.search(r'<img [^>]*alt="[^"]+"', tag) for tag in re.findall(r"<img [^>]*>", html))
