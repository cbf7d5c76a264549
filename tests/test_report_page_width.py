"""Every table fits the page's width, even with long variant names."""
from __future__ import annotations

from asl.report.context import build_context
from asl.report.render import render_html
from report_builds import DEFAULT_MODELS, make_build
from report_checks import wider_than_the_page

LONG_NAMES = {"handcrop_plain_background": ("cnn", "frame_block", 0.81, 0.52),
              "mobilenet_augment_strong": ("transfer", "frame_block", 0.90, 0.70),
              "hands_no_retries_again": ("cnn", "frame_block", 0.75, 0.60)}


def test_no_table_runs_off_the_page(tmp_path):
    args = make_build(tmp_path, {**DEFAULT_MODELS, **LONG_NAMES})
    html = render_html(build_context(*args))
    assert wider_than_the_page(html, args[0]) == []
