"""The reader's layout: the page budget, links and cross-references."""
from __future__ import annotations

import re

import pytest

from asl.report.render import write_pdf
from report_checks import assert_within_budget


def test_summary_body_and_appendices_keep_their_budget(rendered):
    assert_within_budget(rendered["pdf"])

def test_budget_check_fails_on_a_long_body(rendered, tmp_path):
    html = rendered["html"].read_text().replace(
        "<p>Each variant is one notebook run",
        '<p style="break-after: page">more</p>' * 20 + "<p>Each variant is one notebook run")
    pdf = write_pdf(html, tmp_path / "long.pdf", rendered["html"].parent)
    with pytest.raises(AssertionError, match="the body has"):
        assert_within_budget(pdf)

def test_every_internal_link_has_its_target_and_pages_are_cross_referenced(rendered):
    html = rendered["html"].read_text()
    targets = set(re.findall(r'id="([^"]+)"', html))
    links = set(re.findall(r'href="#([^"]+)"', html))
    assert links and links <= targets, links - targets
    assert {f"appendix-variant-{name}" for name in ("cnn_scratch", "mobilenet")} <= links
    text = rendered["text"]
    assert re.search(r"the comparison table \(Table \d+, page \d+\)", text)
    assert re.search(r"the summary's figure \(Figure 1, page [12]\)", text)   # the summary
    assert re.search(r"Figure 1\. Accuracy of every model .*\.{3,} ?[12] ", text)
