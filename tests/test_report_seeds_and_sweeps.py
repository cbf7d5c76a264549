"""Several training seeds per variant, and sweeps: means, spreads and the member validation chooses."""
from __future__ import annotations

import numpy as np

from asl import metrics_file
from asl.report.context import build_context
from asl.report.formatting import fmt_acc
from asl.report.render import render_html
from report_builds import model_metrics, seeded_build


def test_mean_and_spread_over_seeds_come_from_the_per_seed_metrics(tmp_path):
    args = seeded_build(tmp_path, {"cnn_scratch": [0.70, 0.76, 0.73], "mobilenet": [0.9, 0.92, 0.91]})
    context = build_context(*args)
    row = next(r for r in context["comparison"] if r["title"] == "Title of cnn_scratch")
    per_seed = [metrics_file.read(run["dir"])["test"]["accuracy"] for run in args[1][0]["runs"]]
    assert row["test_acc"] == fmt_acc(np.mean(per_seed))
    assert row["test_spread"] == (f"± {np.std(per_seed, ddof=1):.3f}, {min(per_seed):.3f}–"
                                  f"{max(per_seed):.3f} over 3 seeds")
    section = next(v for v in context["variants"] if v["name"] == "cnn_scratch")
    curves = next(f for f in section["figures"] if f.key == "learning_curves")
    assert curves.exists and curves.file.startswith("cnn_scratch-learning-curves-")
    assert (args[0] / "figures" / curves.file).exists()
    assert curves.src.startswith("figures/print/cnn_scratch-learning-curves-")

def test_a_sweep_is_one_table_and_only_its_best_member_on_validation_is_compared(tmp_path):
    out_dir, variants, *rest = seeded_build(tmp_path, {"cnn_scratch": [0.7, 0.72]})
    # lr=0.01 is better on test and wild, lr=0.001 on the validation photos: validation decides
    members = {"lr[learning_rate=0.01]": (0.01, [0.9, 0.88], 0.8, 0.6),
               "lr[learning_rate=0.001]": (0.001, [0.8, 0.84], 0.5, 0.75)}
    for index, (name, (rate, tests, wild, val)) in enumerate(members.items(), 1):
        runs = []
        for seed, accuracy in enumerate(tests, 1):
            folder = out_dir / "variants" / f"{name}.seed{seed}"
            metrics = model_metrics(name, "cnn", "frame_block", accuracy, wild, 10 * index + seed,
                                    folder=folder)
            metrics["training"]["history"]["val_accuracy"] = [0.3, val]
            metrics_file.write(folder, metrics)
            runs.append({"name": folder.name, "seed": seed, "status": "done", "dir": folder,
                         "notebook_html": None})
        variants.append({"name": name, "title": f"LR sweep (learning_rate {rate})",
                         "description": "", "notebook": "cnn.ipynb", "status": "done",
                         "runs": runs, "dir": runs[0]["dir"], "notebook_html": None,
                         "sweep": "lr", "swept": {"learning_rate": rate}})
    context = build_context(out_dir, variants, *rest)
    [sweep] = context["sweeps"]
    assert sweep["chosen"] == "lr[learning_rate=0.001]" and sweep["parameters"] == ["learning_rate"]
    rows = {row["name"]: row for row in sweep["rows"]}
    assert rows["lr[learning_rate=0.001]"]["chosen"] and not rows["lr[learning_rate=0.01]"]["chosen"]
    assert rows["lr[learning_rate=0.01]"]["val"] == "0.600"
    tests = [metrics_file.read(run["dir"])["test"]["accuracy"] for run in variants[1]["runs"]]
    assert rows["lr[learning_rate=0.01]"]["test"] == fmt_acc(np.mean(tests))
    assert "over 2 seeds" in rows["lr[learning_rate=0.01]"]["test_spread"]
    assert rows["lr[learning_rate=0.01]"]["wild"] not in ("", "not evaluated")
    compared = [row["title"] for row in context["comparison"]]
    assert "LR sweep (learning_rate 0.001)" in compared
    assert "LR sweep (learning_rate 0.01)" not in compared
    assert [v["name"] for v in context["variants"]] == ["cnn_scratch", "lr[learning_rate=0.001]"]

    html = render_html(context)
    assert '<h3 id="sweep-lr">Sweep lr</h3>' in html
    assert 'href="#variant-lr-learning_rate-0.001-"' in html      # the chosen member's section
