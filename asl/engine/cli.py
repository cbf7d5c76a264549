"""``python build.py``: parse the options and make one call into the pipeline."""
from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from asl import config
from asl.engine import listing, pipeline, plan
from asl.engine.built_runs import built_run, weights_for
from asl.engine.option_types import AT_LEAST_ONE, PORT, Parser, folder, seconds
from asl.errors import AslError, DataError, VariantError, exit_code

EPILOG = """\
examples:
  python build.py --data ../shared/data/asl-alphabet-64px.zip
  python build.py --variant cnn_scratch -p epochs=5 -p learning_rate=0.0005
  python build.py --quick
  python build.py --list
  python build.py evaluate cnn_scratch --images my-photos.zip
  python build.py predict cnn_scratch --images unlabelled-photos/
  python build.py preview

Unchanged variants are not run again (their fingerprint matches their last successful run).
`--variant NAME` reruns only NAME; the report shows the other variants' last results, and a
variant that never ran as missing. A report with failed, missing or invalid variants, or with
runs trained on different data, is written as report-incomplete.pdf/.html, leaving the last
complete report.pdf as it was (unless --allow-failed / --allow-mixed-data). Exit codes: 0 ok,
1 a variant failed or is invalid, runs on different data, or the build could not go on,
2 bad usage (an option, a parameter, nothing built yet), data or weights not found,
130 interrupted.
"""


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="build.py", epilog=EPILOG,
               formatter_class=argparse.RawDescriptionHelpFormatter,
               description="Train every model variant and build the PDF report.")
    p.add_argument("--data", metavar="PATH", help="training data, folder or zip "
                   "(default: $ASL_DATA, else data/)")
    p.add_argument("--wild", metavar="PATH", help="out-of-domain test photos (default: $ASL_WILD)")
    p.add_argument("--weights", metavar="PATH", help="MobileNet ImageNet weights file "
                   "(default: $ASL_WEIGHTS, else the Keras cache)")
    p.add_argument("--quick", action="store_true",
                   help="small, fast smoke build into report/quick/")
    p.add_argument("--variant", action="append", default=[], metavar="NAME",
                   help="build only this variant (repeatable); the others keep their last results")
    p.add_argument("-p", "--param", action="append", default=[], dest="overrides",
                   metavar="KEY=VALUE", help="override a parameter of the chosen variants")
    p.add_argument("--list", action="store_true",
                   help="list the variants and their parameters, then stop")
    p.add_argument("--force", action="append", nargs="?", const="*", default=[], metavar="NAME",
                   help="rerun even if unchanged: all variants, or NAME (repeatable)")
    p.add_argument("--seeds", type=AT_LEAST_ONE, metavar="N",
                   help="training seeds per model variant, each its own cached run (default "
                   "3, or 1 for --quick); a variant's `seeds:` in variants.yaml caps its own")
    p.add_argument("--max-runs", type=AT_LEAST_ONE, metavar="N",
                   help="allow a variant or sweep of up to N runs (seeds, times combinations "
                   "for a sweep; default 50)")
    p.add_argument("--jobs", type=AT_LEAST_ONE, default=pipeline.DEFAULT_JOBS, metavar="N",
                   help="variants run at once (default: 2 for --quick, 1 for a full build, "
                   "as measured fastest on 2 cores); the cores are shared between them")
    p.add_argument("--cluster", metavar="ADDRESS", default=os.environ.get("DASK_SCHEDULER_ADDRESS"),
                   help="run the variants on a Dask cluster: its scheduler's address "
                   "(tcp://host:8786; default $DASK_SCHEDULER_ADDRESS), or `local` for a "
                   "LocalCluster of --jobs workers")
    p.add_argument("--cluster-files", choices=("auto", "shared", "archive"), default="auto",
                   help="how a cluster's results come back: through the output folder if every "
                   "worker sees it (shared), packed in the task's answer (archive), or whichever "
                   "works (auto, the default)")
    p.add_argument("--render-only", action="store_true",
                   help="only render the report from the variants' last results")
    p.add_argument("--allow-failed", action="store_true",
                   help="write report.pdf even if some variants failed or are missing")
    p.add_argument("--allow-mixed-data", action="store_true",
                   help="write report.pdf even if the variants were trained on different data")
    p.add_argument("--timeout", type=seconds, metavar="SECONDS",
                   help="time limit per variant (default: `timeout:` in variants.yaml, or none)")
    p.add_argument("--out", type=folder, metavar="DIR",
                   help="output folder (default report/, or report/quick/ with --quick)")
    p.add_argument("--variants-file", type=Path, default=config.VARIANTS_FILE,
                   help=argparse.SUPPRESS)
    p.add_argument("--notebooks", type=Path, default=config.NOTEBOOKS_DIR, help=argparse.SUPPRESS)
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    return p


def options_from(args: argparse.Namespace) -> pipeline.Options:
    if args.render_only and (args.overrides or args.force or args.variant or args.seeds):
        raise VariantError("--render-only runs nothing: drop --variant, -p, --force and --seeds")
    return pipeline.Options(
        data=args.data, wild=args.wild, weights=args.weights, quick=args.quick,
        variants=args.variant, overrides=args.overrides, force=args.force, jobs=args.jobs,
        seeds=args.seeds, max_runs=args.max_runs,
        render_only=args.render_only, allow_failed=args.allow_failed,
        allow_mixed_data=args.allow_mixed_data, timeout=args.timeout,
        cluster=args.cluster or None, cluster_files=args.cluster_files,
        variants_file=args.variants_file, notebooks_dir=args.notebooks, out=args.out)


def evaluate_parser(command: str = "evaluate") -> argparse.ArgumentParser:
    descriptions = {
        "evaluate": "Score a built variant's saved model on your own labelled photos: a folder "
                    "or zip with one folder per class (A..Z, del, nothing, space; any letter "
                    "case, any image size).",
        "predict": "Predict the letter of each of your own photos with a built variant's saved "
                   "model: a folder or zip of photos, no class folders needed. Writes a CSV "
                   "(file, predicted class, confidence, the next two classes) and an HTML "
                   "contact sheet into DIR/predictions/."}
    p = Parser(prog=f"build.py {command}", description=descriptions[command])
    p.add_argument("variant", metavar="NAME", help="a model variant that has been built")
    p.add_argument("--images", required=True, metavar="PATH", help="folder or zip of photos")
    p.add_argument("--weights", metavar="PATH", help="folder or file beside which the hand "
                   "models lie, as for the build (default: $ASL_WEIGHTS)")
    p.add_argument("--seed", type=AT_LEAST_ONE, default=1, metavar="K",
                   help="which training seed's model (default 1)")
    p.add_argument("--quick", action="store_true", help="use the quick build's model")
    p.add_argument("--out", type=folder, metavar="DIR",
                   help="where the built variants are (default report/, or report/quick/)")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    return p


def preview_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="build.py preview", description="Serve the report on http://127.0.0.1:PORT/ and "
        "re-render its HTML (not the PDF) whenever templates/, variants.yaml or a variant's "
        "metrics.json or figures change; the open page reloads itself. Ctrl-C stops.")
    p.add_argument("--port", type=PORT, default=8000, help="port (default 8000; 0: any free one)")
    p.add_argument("--open", action="store_true", help="open the page in the web browser")
    p.add_argument("--quick", action="store_true", help="preview the quick build (report/quick/)")
    p.add_argument("--out", type=folder, metavar="DIR",
                   help="the report folder (default report/, or report/quick/)")
    p.add_argument("--templates", type=Path, default=config.TEMPLATES_DIR, help=argparse.SUPPRESS)
    p.add_argument("--variants-file", type=Path, default=config.VARIANTS_FILE,
                   help=argparse.SUPPRESS)
    p.add_argument("--notebooks", type=Path, default=config.NOTEBOOKS_DIR, help=argparse.SUPPRESS)
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    return p


def preview_main(argv: list[str]) -> int:
    """``python build.py preview``."""
    def serve() -> int:
        args = preview_parser().parse_args(argv)
        from asl.engine import preview

        options = pipeline.Options(quick=args.quick, out=args.out, render_only=True,
                                   variants_file=args.variants_file, notebooks_dir=args.notebooks)
        return preview.serve(preview.Sources(options, args.templates), args.port, args.open)

    return guarded(serve, "--debug" in argv, interrupted=("preview: stopped", 0))


def check_images(images: str) -> None:
    if not Path(images).exists():
        raise DataError(f"--images {images} not found: give a folder or zip of your "
                        f"photos, one folder per class (A..Z, del, nothing, space)")


def _on_built_run(argv: list[str], command: str, checks, act) -> int:
    """Parse ``build.py COMMAND NAME --images PATH``, find the built run, call
    ``act(folder, images, out, weights)`` and print what it returns."""
    def run() -> int:
        args = evaluate_parser(command).parse_args(argv)
        out = args.out or (config.QUICK_REPORT_DIR if args.quick else config.REPORT_DIR)
        checks(args.images)
        folder = built_run(args.variant, args.seed, out, args.quick, args.out)
        print(act(folder, args.images, out, weights_for(folder, args.weights)))
        return 0

    return guarded(run, "--debug" in argv, interrupted=("\ninterrupted", 130))


def evaluate_main(argv: list[str]) -> int:
    """``python build.py evaluate NAME --images PATH``: photos in class folders, scored."""
    def evaluate(folder, images, out, weights) -> str:
        from asl.study import own_photos

        return own_photos.summary(own_photos.evaluate_photos(folder, images,
                                                             out / "evaluations", weights))

    return _on_built_run(argv, "evaluate", check_images, evaluate)


def predict_main(argv: list[str]) -> int:
    """``python build.py predict NAME --images PATH``: photos in any layout, predicted."""
    def predict(folder, images, out, weights) -> str:
        from asl.study import predictions

        return predictions.summary(predictions.predict_photos(folder, images,
                                                              out / "predictions", weights))

    return _on_built_run(argv, "predict", lambda images: None, predict)


def one_line(error: OSError) -> str:
    """``cannot use /path: Permission denied (check the folder ...)``."""
    return (f"cannot use {error.filename}: {error.strerror or error}; check that the folder "
            f"exists and is writable, or choose another with --out (--debug shows where)")


INTERRUPTED = ("\ninterrupted: running notebooks stopped, previous outputs left as they were", 130)


def guarded(command, debug: bool, interrupted: tuple[str, int] = INTERRUPTED) -> int:
    """Run ``command()`` as every entry point does: Ctrl-C or SIGTERM prints ``interrupted``'s
    line and exits with its code; an AslError is one line, exit 2 for bad usage, data or
    weights, else 1; an OSError naming a file is one line, exit 1 (--debug: the traceback)."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return command()
    except KeyboardInterrupt:
        print(interrupted[0], file=sys.stderr)
        return interrupted[1]
    except AslError as error:
        if debug:
            raise
        print(f"error: {error}", file=sys.stderr)
        return exit_code(error)
    except OSError as error:     # e.g. a folder made read-only while the build ran
        if debug or not error.filename:
            raise
        print(f"error: {one_line(error)}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame):
    raise KeyboardInterrupt   # a CI cancel (SIGTERM) stops the build like Ctrl-C


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # A shell without job control starts `cmd &` with SIGINT ignored, and Python then never
    # raises KeyboardInterrupt: Ctrl-C (or a CI harness's SIGINT) would not stop a build,
    # preview or evaluation started that way.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    commands = {"evaluate": evaluate_main, "predict": predict_main, "preview": preview_main}
    if argv[:1] and argv[0] in commands:
        return commands[argv[0]](argv[1:])

    def build() -> int:
        args = parser().parse_args(argv)
        options = options_from(args)
        if args.list:
            table, runs = plan.load_plan(options)
            chosen = list({run.variant.name: run.variant for run in runs}.values())
            print(listing.describe(table, chosen, runs), end="")
            return 0
        return pipeline.build(options)

    return guarded(build, "--debug" in argv)
