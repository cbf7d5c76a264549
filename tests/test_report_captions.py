"""Every table in a variant's appendix, and the model card's, names the model it is about."""
from __future__ import annotations

import html as markup
import re

from asl import metrics_file
from asl.report.context import build_context
from asl.report.render import render_html
from report_builds import make_build, seeded_build


def captions(fragment: str) -> list[str]:
    return [markup.unescape(c) for c in re.findall(r"<caption>(.*?)</caption>", fragment, re.S)]


def test_every_table_caption_names_its_variant(tmp_path):
    args = make_build(tmp_path)
    folder = args[0] / "variants" / "autoencoder_forest"
    metrics = metrics_file.read(folder)
    metrics["extra"]["top_features"] = {"A": ["thumb tip height +1.2"]}
    metrics["extra"]["detection"] = {"test": {"photos": 290, "first_pass": 0.6,
                                              "after_retries": 0.9, "nothing_with_hand": 0.1}}
    metrics_file.write(folder, metrics)
    context = build_context(*args)
    page = render_html(context)
    sections = re.findall(r'<section class="variant">(.*?)</section>', page, re.S)
    assert len(sections) == len(context["variants"])
    for variant, section in zip(context["variants"], sections):
        assert captions(section), variant["name"]
        for caption in captions(section):
            assert variant["title"] in caption, caption
    card = page[page.index('<h2 id="model-card">'):page.index('<h2 id="reproducibility">')]
    assert len(captions(card)) == 2
    assert all(context["model_card"]["title"] in caption for caption in captions(card))


def test_the_seed_curves_caption_says_what_the_dashed_lines_are(tmp_path):
    context = build_context(*seeded_build(tmp_path, {"cnn_scratch": [0.7, 0.72]}))
    [curves] = [f for f in context["variants"][0]["figures"] if f.key == "learning_curves"]
    assert "dashed: validation" in curves.caption and "solid: training" in curves.caption
