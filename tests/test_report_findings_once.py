"""The executive summary's three findings are printed once: the key findings chapter keeps
their titles in order, each pointing to the summary, and prints every other finding in full."""
from __future__ import annotations

from markupsafe import escape

from asl.report.context import build_context
from asl.report.render import render_html
from report_builds import make_build


def test_the_summary_findings_are_not_printed_twice(tmp_path):
    context = build_context(*make_build(tmp_path))
    page = render_html(context)
    chapter = page[page.index('id="findings"'):page.index('id="next-steps"')]
    glance = context["summary"]["findings"]
    assert len(glance) == 3
    for number, item in enumerate(glance, start=1):
        assert page.count(str(escape(item.text))) == 1
        assert item.title in chapter and str(escape(item.text)) not in chapter
        assert f"Finding {number} of" in chapter
    assert chapter.count('href="#summary-findings"') == 3 and 'id="summary-findings"' in page
    others = [item for item in context["findings"] if item not in glance]
    assert others and all(str(escape(item.text)) in chapter for item in others)
