"""Build benchmark: prints figures, never fails on timing.

    python bench/bench_build.py                  # quick build (a few minutes)
    python bench/bench_build.py --full           # full build as well (over an hour on 2 cores)
    python bench/bench_build.py --jobs-training  # --jobs 1 vs 2 where training dominates: two
                                                 # CNN variants, every photo, 3 epochs each
    python bench/bench_build.py --report report  # figures of a finished build, without running:
                                                 # time per run and per stage, total per seed
                                                 # count, seed-to-seed spread of accuracy
    python bench/bench_build.py --throughput     # the notebooks' training call vs a bare
                                                 # model.fit, same model and arrays (2 min)
    python bench/bench_build.py --render report  # where --render-only's time goes (imports,
                                                 # metrics checks, context, HTML, layout,
                                                 # PDF), and the preview's re-render times

For each mode: cold build wall time (serial, and with --jobs 2), no-op rebuild, render-only,
one-parameter rerun of one variant, PDF size, and the CNN's training throughput inside the
pipeline divided by a bare ``model.fit`` of the same model on the same arrays in this process.
Data paths come from ASL_DATA / ASL_WILD / ASL_WEIGHTS, else ../shared.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from asl.config import PROJECT_ROOT as ROOT, shared_paths

ENV = {**os.environ, **{f"ASL_{key.upper()}": os.environ.get(f"ASL_{key.upper()}") or str(path)
                        for key, path in shared_paths().items()},
       "TF_CPP_MIN_LOG_LEVEL": "3"}


def timed_build(*args) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=ROOT, env=ENV,
                            capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        print(f"  (build {' '.join(args)} exited {result.returncode}: "
              f"{result.stderr.strip().splitlines()[-1:]})")
    return seconds


def bare_fit_throughput(out: Path, quick: bool) -> tuple[float, float]:
    """(images/s inside the pipeline, images/s of a bare model.fit) for cnn_scratch."""
    from asl import CLASSES, metrics_file
    from asl.study import experiment, models, training

    metrics = metrics_file.read(out / "variants" / "cnn_scratch.seed1")
    p = metrics["parameters"]
    pipeline_rate = (metrics["split"]["train"] * metrics["training"]["epochs_run"]
                     / metrics["training"]["seconds"])
    training.configure(p["train_seed"], os.cpu_count() or 1)
    data = experiment.load(ENV["ASL_DATA"], image_size=p["image_size"], color_mode=p["color_mode"],
                           split=p["split"], max_per_class=p["max_per_class"], seed=p["seed"],
                           block_size=p["block_size"], gap=p["gap"], output_dir=tempfile.mkdtemp())
    model = models.build_cnn(data.input_shape, len(CLASSES), p["architecture"], p["dropout"],
                             p["augment"], p["train_seed"])
    training.compile_model(model, p["optimizer"], p["learning_rate"])
    epochs = metrics["training"]["epochs_run"]
    started = time.perf_counter()
    model.fit(data.train.images, data.train.labels, validation_data=(data.val.images,
              data.val.labels), epochs=epochs, batch_size=p["batch_size"], verbose=0)
    bare_rate = len(data.train) * epochs / (time.perf_counter() - started)
    return pipeline_rate, bare_rate


def bench(mode: str) -> dict:
    quick = ["--quick"] if mode == "quick" else []
    root = Path(tempfile.mkdtemp(prefix=f"asl-bench-{mode}-"))
    figures = {}
    serial, parallel = root / "serial", root / "parallel"
    figures["cold build, --jobs 1 (s)"] = timed_build(*quick, "--out", str(serial), "--jobs", "1")
    figures["cold build, --jobs 2 (s)"] = timed_build(*quick, "--out", str(parallel), "--jobs", "2")
    figures["no-op rebuild (s)"] = timed_build(*quick, "--out", str(serial))
    figures["render-only (s)"] = timed_build(*quick, "--out", str(serial), "--render-only")
    figures["one-parameter rerun, cnn_scratch (s)"] = timed_build(
        *quick, "--out", str(serial), "--variant", "cnn_scratch", "-p", "dropout=0.4")
    pdf = serial / "report.pdf"
    figures["PDF size (MB)"] = pdf.stat().st_size / 1e6 if pdf.exists() else float("nan")
    timed_build(*quick, "--out", str(serial), "--variant", "cnn_scratch")  # back to defaults
    inside, bare = bare_fit_throughput(serial, mode == "quick")
    figures["CNN training, pipeline (images/s)"] = inside
    figures["CNN training, bare model.fit (images/s)"] = bare
    figures["throughput ratio (goal >= 0.95)"] = inside / bare
    return figures


def jobs_training() -> None:
    """Wall time of two CNN variants on every photo, 3 epochs each, one or two at a time.

    Measured 2026-11-25 (2 cores, other work niced): --jobs 1 84.6 s, --jobs 2 79.3 s, so
    two at a time gains about 6 % once training dominates (a quick build gains 34 %)."""
    common = ["--variant", "cnn_scratch", "--variant", "cnn_gray", "--seeds", "1",
              "-p", "epochs=3", "-p", "patience=0"]
    for jobs in ("1", "2"):
        out = Path(tempfile.mkdtemp(prefix=f"asl-bench-jobs{jobs}-"))
        print(f"--jobs {jobs}: {timed_build(*common, '--jobs', jobs, '--out', str(out)):.1f} s",
              flush=True)


def throughput(epochs: int = 2) -> None:
    """Images/s of ``training.fit`` (what the notebooks call: progress callback, early
    stopping, validation) over a bare ``model.fit`` of the same model on the same arrays, for
    cnn_scratch and for cnn_augment's configuration. Both in this process, alternating, so
    other load on the machine slows both alike."""
    from asl import CLASSES
    from asl.study import experiment, models, training

    training.configure(1, os.cpu_count() or 1)
    data = experiment.load(ENV["ASL_DATA"], image_size=64, color_mode="rgb",
                           split="frame_block", output_dir=tempfile.mkdtemp())
    train, val = data.train, data.val
    print(f"{len(train):,} training photos, {epochs} epochs per measurement, batch 64")
    print("| configuration | pipeline (images/s) | bare model.fit (images/s) | ratio |\n"
          "| --- | --- | --- | --- |")
    for name, architecture, augment, optimizer in (
            ("cnn_scratch", "original", "none", "rmsprop"),
            ("cnn_augment", "batchnorm", "strong", "adam")):
        rates = {"pipeline": [], "bare": []}
        for kind in ("pipeline", "bare", "bare", "pipeline"):
            model = models.build_cnn(data.input_shape, len(CLASSES), architecture, 0.5, augment, 1)
            training.compile_model(model, optimizer, 0.001)
            started = time.perf_counter()
            if kind == "pipeline":
                training.fit(model, train.images, train.labels, val.images, val.labels,
                             epochs=epochs, batch_size=64, patience=3,
                             output_dir=tempfile.mkdtemp())
            else:
                model.fit(train.images, train.labels, validation_data=(val.images, val.labels),
                          epochs=epochs, batch_size=64, verbose=0)
            rates[kind].append(len(train) * epochs / (time.perf_counter() - started))
        inside, bare = (sum(rates[k]) / 2 for k in ("pipeline", "bare"))
        print(f"| {name} | {inside:,.0f} | {bare:,.0f} | {inside / bare:.2f} |", flush=True)


def build_figures(out: Path) -> None:
    """Per-variant and per-stage times, totals for one seed and for all, seed spread."""
    import statistics

    manifest = json.loads((out / "manifest.json").read_text())
    runs = manifest["variants"]
    by_variant: dict[str, list] = {}
    for name, run in runs.items():
        try:
            metrics = json.loads((out / "variants" / name / "metrics.json").read_text())
        except OSError:
            continue
        by_variant.setdefault(run.get("variant") or name, []).append((run, metrics))
    print("| variant | seeds | minutes per run | slowest stages (s, first seed) | test acc. "
          "mean ± sd (min–max) | wild acc. mean ± sd (min–max) |\n"
          "| --- | --- | --- | --- | --- | --- |")
    for name, items in by_variant.items():
        minutes = [run["seconds"] / 60 for run, _ in items if run.get("seconds")]
        stages = sorted((items[0][1].get("stages") or {}).items(), key=lambda kv: -kv[1])[:3]
        def spread(key):
            values = [m.get(key) for _, m in items if m.get(key) is not None]
            if not values:
                return "-"
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            return (f"{statistics.mean(values):.3f} ± {sd:.3f} "
                    f"({min(values):.3f}–{max(values):.3f})")
        print(f"| {name} | {len(items)} | {statistics.mean(minutes):.1f} | "
              + ", ".join(f"{stage} {seconds:.0f}" for stage, seconds in stages)
              + f" | {spread('test_accuracy')} | {spread('wild_accuracy')} |")
    first = sum(run["seconds"] for run in runs.values()
                if run.get("seconds") and run.get("train_seed") in (None, 1))
    every = sum(run["seconds"] for run in runs.values() if run.get("seconds"))
    print(f"\nrun time, one seed per variant: {first / 60:.1f} min; all seeds: {every / 60:.1f} min;"
          f" build wall time: {manifest['wall_seconds'] / 60:.1f} min")


def render_phases(out: Path) -> None:
    """CPU and wall seconds of each phase of ``--render-only`` on the results in ``out``, in
    this process (first the imports, then one render), then the preview's re-render after
    a results file is rewritten and after a template change (steady state, imports done)."""
    import functools

    totals: dict[str, list[float]] = {}
    started = (time.process_time(), time.perf_counter())

    def timed(owner, name: str, label: str) -> None:
        function = getattr(owner, name)

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            begun = (time.process_time(), time.perf_counter())
            try:
                return function(*args, **kwargs)
            finally:
                entry = totals.setdefault(label, [0.0, 0.0])
                entry[0] += time.process_time() - begun[0]
                entry[1] += time.perf_counter() - begun[1]
        setattr(owner, name, wrapper)

    import weasyprint
    import weasyprint.document

    from asl.engine import cli, pipeline, preview
    from asl.config import TEMPLATES_DIR
    from asl.report import render

    totals["imports"] = [time.process_time() - started[0], time.perf_counter() - started[1]]
    timed(pipeline, "last_result", "metrics checks")
    timed(render, "build_context", "context")
    timed(render, "render_html", "HTML (Jinja2)")
    timed(weasyprint.HTML, "render", "PDF layout (WeasyPrint)")
    timed(weasyprint.document.Document, "write_pdf", "PDF writing (WeasyPrint)")
    quick = json.loads((out / "manifest.json").read_text()).get("quick", False)
    code = cli.main(["--render-only", "--out", str(out)] + (["--quick"] if quick else []))
    print(f"| phase of --render-only ({out}) | CPU s | wall s |\n| --- | --- | --- |")
    for label, (cpu, wall) in totals.items():
        print(f"| {label} | {cpu:.2f} | {wall:.2f} |")
    print(f"| **total** (exit {code}) | {time.process_time() - started[0]:.2f} | "
          f"{time.perf_counter() - started[1]:.2f} |")
    renderer = preview.Renderer(preview.Sources(
        pipeline.Options(quick=quick, out=out, render_only=True), TEMPLATES_DIR))
    renderer.render()
    metrics = next((out / "variants").glob("*/metrics.json"))
    for change in ("results", "template"):
        if change == "results":   # as a build publishes it: a new file in its place
            copy = metrics.with_name(".bench-metrics.json")
            copy.write_bytes(metrics.read_bytes())
            os.replace(copy, metrics)
        begun = time.perf_counter()
        renderer.render(results_changed=change == "results")
        print(f"preview re-render after a {change} change: {time.perf_counter() - begun:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also benchmark the full build")
    parser.add_argument("--report", type=Path, metavar="DIR",
                        help="print the figures of the build in DIR instead of building")
    parser.add_argument("--throughput", action="store_true",
                        help="the notebooks' training call vs a bare model.fit (2 minutes)")
    parser.add_argument("--render", type=Path, metavar="DIR",
                        help="where --render-only's time goes, for the build in DIR")
    parser.add_argument("--jobs-training", action="store_true",
                        help="compare --jobs 1 and 2 on two CNN variants (a few minutes)")
    args = parser.parse_args()
    if args.jobs_training:
        jobs_training()
        return
    if args.render:
        render_phases(args.render)
        return
    if args.throughput:
        throughput()
        return
    if args.report:
        build_figures(args.report)
        return
    modes = ["quick", "full"] if args.full else ["quick"]
    results = {mode: bench(mode) for mode in modes}
    names = list(results[modes[0]])
    print(f"\n| figure | {' | '.join(modes)} |\n| --- |{' --- |' * len(modes)}")
    for name in names:
        print(f"| {name} | " + " | ".join(f"{results[m][name]:.2f}" for m in modes) + " |")


if __name__ == "__main__":
    main()
