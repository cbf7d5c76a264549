"""The executive summary's last lines never stand alone on a page: the line after the summary's
figure keeps to the figure."""
from __future__ import annotations

import weasyprint
from weasyprint.formatting_structure import boxes

from asl.report.context import build_context
from asl.report.render import render_html
from report_builds import make_build

SPACER = '<div style="height: {}px"></div><p class="glance-title">'


def walk(box):
    yield box
    if not isinstance(box, boxes.MarginBox):
        for child in getattr(box, "children", None) or []:
            yield from walk(child)


def front_matter(html: str) -> str:
    """The title page and the contents, without the chapters."""
    return html[:html.index('<section class="chapter')] + "</body></html>"


def test_the_line_after_the_summary_figure_never_fills_a_page_alone(tmp_path):
    args = make_build(tmp_path)
    front = front_matter(render_html(build_context(*args)))
    base = str(args[0].resolve()) + "/"
    laid_out = weasyprint.HTML(string=front, base_url=base).render().pages
    first, figure = next((page._page_box, box) for page in laid_out    # the figure's page
                         for box in walk(page._page_box) if box.element_tag == "figure")
    free = first.content_box_y() + first.height - (figure.position_y + figure.margin_height())
    # push the figure down until it just fits its page and the line after it does not
    pushed = front.replace('<p class="glance-title">', SPACER.format(free - 2), 1)
    pages = weasyprint.HTML(string=pushed, base_url=base).render().pages
    before_contents = pages[:-1]
    lines = [sum(isinstance(box, boxes.LineBox) for box in walk(page._page_box))
             for page in before_contents]
    assert len(before_contents) >= 2 and min(lines) > 1, lines
