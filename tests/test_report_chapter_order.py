"""The chapter order and numbers live in Python (context.BODY, APPENDICES): reorder them there
and the headings, their numbers, the contents and the pages follow."""
from __future__ import annotations

import re

import pytest

from asl.report import context
from asl.report.context import build_context
from asl.report.render import render_html, write_pdf
from report_builds import make_build
from report_checks import anchor_pages

HEADING = re.compile(r'<h2 id="([^"]+)"><span class="number">([^<]*)</span>')


def printed(html: str) -> list[tuple[str, str]]:
    """(chapter id, number as printed) of every numbered heading, in page order."""
    return [(id_, number.strip()) for id_, number in HEADING.findall(html)]


def expected(body, appendices) -> list[tuple[str, str]]:
    return ([(id_, str(i)) for i, (id_, _) in enumerate(body, 1)]
            + [(id_, f"Appendix {letter}") for letter, (id_, _) in zip("ABCDEFGH", appendices)])


def test_the_printed_numbers_follow_the_python_order(tmp_path):
    html = render_html(build_context(*make_build(tmp_path)))
    assert printed(html) == expected(context.BODY, context.APPENDICES)


@pytest.fixture
def reordered(monkeypatch):
    """The body reversed; the appendices reversed except the listing, which stays last."""
    body = context.BODY[::-1]
    appendices = context.APPENDICES[:-1][::-1] + context.APPENDICES[-1:]
    monkeypatch.setattr(context, "BODY", body)
    monkeypatch.setattr(context, "APPENDICES", appendices)
    return body, appendices


def test_reordering_in_python_reorders_and_renumbers_the_report(tmp_path, reordered):
    body, appendices = reordered
    args = make_build(tmp_path)
    html = render_html(build_context(*args))
    assert printed(html) == expected(body, appendices)
    contents = html[html.index('<nav class="contents">'):html.index("</nav>")]
    listed = re.findall(r'<li class="toc-(?:section|appendix)"><a href="#([^"]+)">', contents)
    assert listed == ["summary"] + [id_ for id_, _ in body + appendices]
    letter = dict(expected(body, appendices))["appendix-variants"].split()[-1]
    assert re.search(rf'<h3 id="appendix-variant-cnn_scratch">{letter}\.1 ', html)
    assert f"section {dict(expected(body, appendices))['recommendation']}" in html

    pages = anchor_pages(write_pdf(html, tmp_path / "reordered.pdf", args[0]))
    order = [pages[id_] for id_, _ in body + appendices]
    assert order == sorted(order) and order[0] < order[-1]
