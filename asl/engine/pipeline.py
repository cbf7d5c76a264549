"""One build: choose the variants, skip the unchanged, run the rest, write the manifest, render.

Output folder (``report/``, or ``report/quick/`` for ``--quick``)::

    variants/<name>/           last successful run: metrics.json, figures, <name>.ipynb,
                               <name>.html, .build.json (its fingerprint, written on success)
    variants/<name>.failed/    the last failed run of <name>, if it failed after its last success
    manifest.json              what produced the report
    report.html, report.pdf    the last report in which every variant succeeded
    report-incomplete.*        a report with failed or missing variants (unless --allow-failed)

A variant runs in ``variants/.<name>.partial/`` and replaces ``variants/<name>/`` only when it
succeeded, so a failure, a time-out or Ctrl-C never loses the last good results.
"""
from __future__ import annotations

import glob
import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from asl import config
from asl.engine import fingerprint, manifest, variants
from asl.engine.lock import BuildLock
from asl.engine.runner import Runner, clock, say, short_path
from asl.engine.stamps import (RENDER_STAMP, BuildRecord, invalid_metrics, last_result,
                               read_stamp, recover)
from asl.errors import BuildError, DataError, VariantError, WeightsError
from asl.files import write_json_atomic

DEFAULT_JOBS = None
"""--jobs default, measured with bench/bench_build.py on 2 cores: a quick build is mostly kernel
start-up and imports, so two at a time is faster (128 s vs 194 s); a full build is TensorFlow
training that already uses every core, so one at a time."""


def default_jobs(quick: bool) -> int:
    return min(2, manifest.cores()) if quick else 1


OK = ("done", "cached")


@dataclass
class Options:
    """Everything a build needs; the CLI fills it from the command line."""

    data: str | None = None
    wild: str | None = None
    weights: str | None = None
    quick: bool = False
    variants: list[str] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)
    force: list[str] = field(default_factory=list)      # variant names, or "*" for all
    jobs: int | None = DEFAULT_JOBS
    seeds: int | None = None                            # training seeds per variant
    max_runs: int | None = None                         # largest sweep allowed (default 50)
    render_only: bool = False
    allow_failed: bool = False
    allow_mixed_data: bool = False
    timeout: float | None = None
    cluster: str | None = None      # Dask scheduler address, or "local"; None: local processes
    cluster_files: str = "auto"     # how a cluster's results come back: auto | shared | archive
    variants_file: Path = config.VARIANTS_FILE
    notebooks_dir: Path = config.NOTEBOOKS_DIR
    out: Path | None = None

    @property
    def out_dir(self) -> Path:
        if self.out:
            return Path(self.out)
        return config.QUICK_REPORT_DIR if self.quick else config.REPORT_DIR


def load_plan(options: Options) -> tuple[variants.Table, list[variants.Run]]:
    """Read and check the variants, overrides and --force names (before anything runs); return
    the table and the runs to consider (one per variant and training seed)."""
    table = variants.load(options.variants_file, options.notebooks_dir)
    for warning in table.warnings:
        print(f"warning: {warning}", file=sys.stderr, flush=True)
    chosen = variants.select(table, options.variants, variants.parse_overrides(options.overrides),
                             options.quick)
    runs = variants.expand(chosen, options.seeds, options.quick)
    names = [v.name for v in chosen]
    names += [sweep for sweep in table.sweeps if any(v.sweep == sweep for v in chosen)]
    for name in options.force:
        if name != "*" and name not in names and name not in [r.name for r in runs]:
            where = "known" if name not in table.variants else "being built (see --variant)"
            raise VariantError(f"--force {name}: not a variant {where}; "
                               f"choose from {', '.join(names)}")
    return table, runs


def runs_on_disk(variant: variants.Variant, variants_dir: Path) -> list[variants.Run]:
    """The runs of a variant that earlier builds left in the output folder."""
    if not variant.seeded:
        return [variants.Run(variant)]
    seeds = sorted(int(match.group(1)) for path in variants_dir.glob(f"{glob.escape(variant.name)}.seed*")
                   if (match := re.fullmatch(rf"{re.escape(variant.name)}\.seed(\d+)", path.name)))
    return [variants.Run(variant, seed) for seed in seeds]


def all_runs(table: variants.Table, chosen: list[variants.Run], variants_dir: Path,
             options: Options) -> dict[str, list[variants.Run]]:
    """Variant name -> the runs the report shows: this build's for the chosen variants, the
    ones on disk (else the default seeds) for the others and for every variant of a
    --render-only build, which runs nothing."""
    shown = {name: [] if options.render_only else [r for r in chosen if r.variant.name == name]
             for name in table.variants}
    for name, variant in table.variants.items():
        if not shown[name]:
            shown[name] = runs_on_disk(variant, variants_dir) or \
                variants.expand([variant], options.seeds, options.quick)
    return shown


HINTS = {"data": "give --data PATH or set ASL_DATA: the training photos, the Kaggle 'ASL "
                 "Alphabet' folder or zip",
         "wild": "give --wild PATH or set ASL_WILD: out-of-domain test photos, a folder or zip "
                 "with one folder per class",
         "weights": "give --weights PATH or set ASL_WEIGHTS: the MobileNet weights file, with "
                    "the hand models beside it"}


def data_paths(options: Options, check=()) -> dict[str, str]:
    """Absolute data, wild and weights paths; each one named in ``check`` that is given must
    exist."""
    data = config.data_path(options.data)
    paths = {"data": data, "wild": config.wild_path(options.wild, data),
             "weights": config.weights_path(options.weights, data)}
    for key, path in paths.items():
        if path:
            paths[key] = str(Path(path).expanduser().resolve())
            if key in check and not Path(path).exists():
                raise DataError(f"{key} not found at {path}: {HINTS[key]}")
    if "weights" in check:
        readable_weights(paths["weights"])
    return paths


def check_data(paths: dict[str, str], runs: list[variants.Run],
               needed=("data", "wild")) -> None:
    """Look at the data once before anything runs (file names and a few file headers, then
    every photo decoded once, cached): stop with one message if there are no photos or the
    wild photos are training photos, print what will be left out."""
    from asl.study import data, data_checks

    framed = [run.name for run in runs if run.parameters.get("split") == "frame_block"]
    for key in ("data", "wild"):
        if not paths[key] or key not in needed:
            continue
        listing = data.survey(paths[key])
        for line in listing.warnings(training=key == "data"):
            print(f"{key}: {line}", flush=True)
        if key == "data" and framed and len(listing.unnumbered) == len(listing.entries):
            raise DataError(
                f"no file name in '{paths[key]}' has a frame number (A1234.jpg), which the "
                f"frame-block split of {', '.join(framed)} needs: rename the photos, or use "
                "-p split=random")
    wild = paths["wild"] if "wild" in needed else ""
    if paths["data"] and "data" in needed:   # decodes every photo once (cached); splits; overlap
        for line in data_checks.before_build(paths["data"], wild,
                                             {run.name: run.parameters for run in runs}):
            print(line, flush=True)


def readable_weights(path: str) -> None:
    """Refuse a weights file HDF5 cannot open (truncated download) before anything runs."""
    if not path or not path.endswith(".h5") or not Path(path).is_file():
        return
    import h5py

    try:
        h5py.File(path, "r").close()
    except OSError as error:
        raise WeightsError(f"the weights file {path} cannot be read ({error}): it is damaged "
                           f"or incomplete; download it again and give it with --weights "
                           f"PATH") from None


def writable(folder: Path) -> None:
    """Make ``folder`` if needed and check a file can be written in it; else one clear error."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise BuildError(f"cannot write to {folder}: {error.strerror or error}; choose another "
                         f"folder with --out, or make it writable") from None


def build(options: Options) -> int:
    """Run a build; return the exit code (0 ok, 1 a variant failed)."""
    started = time.monotonic()
    table, chosen = load_plan(options)
    variants.check_sweep_sizes(chosen, options.max_runs)
    needed = set() if options.render_only else \
        set().union(*(fingerprint.paths_used(run.notebook) for run in chosen))
    paths = data_paths(options, check=needed)
    if not options.render_only:
        check_data(paths, chosen, needed)
    out = options.out_dir
    writable(out)
    if not options.render_only:
        writable(out / "variants")
    lock = BuildLock(out / ".build.lock").acquire()
    try:
        return _build_locked(options, table, chosen, paths, out, started, lock)
    finally:
        lock.release()


def _build_locked(options, table, chosen, paths, out, started, lock) -> int:
    variants_dir = out / "variants"
    recover(variants_dir)
    gpu_names = manifest.gpus()
    packages = fingerprint.package_versions()
    context = {"packages": packages,
               **{key: fingerprint.path_fingerprint(path) for key, path in paths.items()}}
    shown = all_runs(table, chosen, variants_dir, options)
    records = {run.name: last_result(run.name, variants_dir)
               for runs in shown.values() for run in runs}
    runner = make_runner(options, variants_dir, paths, gpu_names, (lock.fd,), context["data"])
    if not options.render_only:
        where = runner.describe() if options.cluster else \
            f"jobs {runner.jobs}, {runner.threads} thread(s) each"
        print(f"build: {len(chosen)} run(s) of {len({r.variant.name for r in chosen})} "
              f"variant(s) -> {out}  ({where}{', quick' if options.quick else ''})", flush=True)
        print("data: " + "; ".join(f"{key} {path or 'not given'}" for key, path in paths.items()),
              flush=True)
        records.update(runner.run(changed(chosen, variants_dir,
                                          {**context, "threads": runner.threads}, options)))
    for line in stale_dependents(table, shown, records, options):
        print(line, flush=True)
    failed = [name for name, r in records.items() if r.status == "failed"]
    missing = [name for name, r in records.items() if r.status == "missing"]
    mixed = mixed_data(records)
    data = {key: {"path": path, "fingerprint": context[key]} for key, path in paths.items()}
    if options.render_only:  # nothing ran: the data is what the last build used
        data = manifest.previous(out).get("data", data)
    the_manifest = manifest.build_manifest(
        quick=options.quick, command=sys.argv, packages=packages, data=data,
        gpu_names=gpu_names, jobs=runner.jobs, threads=runner.threads,
        wall_seconds=time.monotonic() - started, cluster=getattr(runner, "info", None),
        mixed_data=mixed,
        variants={run.name: {**records[run.name].manifest_entry(), "variant": name,
                             "notebook": run.notebook.name, "train_seed": run.seed,
                             "split_seed": records[run.name].parameters.get("seed"),
                             "metrics": manifest.metrics_summary(records[run.name].dir)}
                  for name, runs in shown.items() for run in runs})
    write_json_atomic(out / manifest.FILENAME, the_manifest)
    if missing:
        print(f"not built yet (shown as missing): {', '.join(missing)}; "
              f"run `python build.py{' --quick' if options.quick else ''}` to build them",
              flush=True)
    if mixed:
        print("data: the runs were trained on different data: " + "; ".join(
            f"{', '.join(names)} on {key[:12]}" for key, names in mixed.items())
            + (" (--allow-mixed-data)" if options.allow_mixed_data else
               "; the report is incomplete: rebuild them on one data set (--force with --data), "
               "or pass --allow-mixed-data"), flush=True)
    render(out, table, shown, records, the_manifest, options,
           mixed and not options.allow_mixed_data)
    print(f"build finished in {clock(time.monotonic() - started)}"
          + (f" with {len(failed)} failed variant(s): {', '.join(failed)}" if failed else ""),
          flush=True)
    return 1 if failed or (mixed and not options.allow_mixed_data) else 0


def stale_dependents(table: variants.Table, shown: dict[str, list[variants.Run]],
                     records: dict[str, BuildRecord], options: Options) -> list[str]:
    """A line for each run shown from an earlier build that was built on a run that has been
    rerun since (``--variant handcrop`` reruns handcrop, not fusion, which uses it)."""
    lines = []
    for name, variant in table.variants.items():
        for run in shown[name] if variant.uses else []:
            used = variants.Run(variant.uses, run.seed if variant.uses.seeded else None).name
            mine, theirs = records[run.name], records.get(used)
            if mine.ok and theirs and theirs.ok and (theirs.finished or "") > (mine.finished or ""):
                lines.append(f"note: {run.name} was built on an earlier {used}, rerun since: "
                             f"python build.py{' --quick' if options.quick else ''} "
                             f"--variant {variant.sweep or name} brings it up to date")
    return lines


def mixed_data(records: dict[str, BuildRecord]) -> dict[str, list[str]]:
    """Training-data fingerprint -> the runs with results trained on it, if there is more than
    one (runs from before fingerprints were kept are left out); else empty."""
    by_data: dict[str, list[str]] = {}
    for name, record in records.items():
        if record.ok and record.data:
            by_data.setdefault(record.data, []).append(name)
    return by_data if len(by_data) > 1 else {}


def make_runner(options: Options, variants_dir: Path, paths: dict, gpu_names: list[str],
                keep_open: tuple[int, ...] = (), data_fingerprint: str | None = None):
    """The local runner (its workers hold ``keep_open``, the lock's file), or with
    ``--cluster`` the Dask one (same interface)."""
    jobs = options.jobs or default_jobs(options.quick)
    if not options.cluster:
        return Runner(variants_dir, paths, gpu_names, jobs, options.quick, options.timeout,
                      keep_open, data_fingerprint)
    from asl.engine.cluster import ClusterRunner

    return ClusterRunner(variants_dir, paths, jobs, options.quick, options.timeout,
                         options.cluster, options.cluster_files, data_fingerprint)


def changed(chosen: list[variants.Run], variants_dir: Path, context: dict,
            options: Options) -> list[tuple[variants.Run, str]]:
    """The runs to run, with their fingerprints; print the others as cached. A run that uses
    another's output has that run's fingerprint in its own and runs whenever that run does
    (``chosen`` lists it first)."""
    todo, keys = [], {}
    for run in chosen:
        used = fingerprint.paths_used(run.notebook)   # e.g. a CNN does not depend on weights
        key = fingerprint.variant_fingerprint(
            fingerprint.notebook_fingerprint(run.notebook),
            {**run.parameters, "quick": options.quick},
            {**{k: v for k, v in context.items() if k in ("packages", "threads") or k in used},
             **({"uses": keys[run.uses.name]} if run.uses else {})})
        keys[run.name] = key
        stamp = read_stamp(variants_dir / run.name)
        forced = {"*", run.name, run.variant.name, run.variant.sweep} & set(options.force)
        forced = forced or (run.uses and run.uses.name in {r.name for r, _ in todo})
        problem = invalid_metrics(variants_dir / run.name) if stamp else None
        if stamp and stamp.get("fingerprint") == key and not forced and not problem:
            say(run.name, "cached", f"ran {clock(stamp.get('seconds', 0))} on "
                                    f"{stamp.get('finished', '?')}")
        else:
            todo.append((run, key))
            say(run.name, "queued", f"(its results are unusable: {problem})" if problem else "")
    return todo


def render_key(entries: list[dict], failures: dict, quick: bool, names: tuple,
               study: dict, mixed_data: dict | None = None) -> str:
    """What the report depends on: results, statuses, declarations, templates, the code."""
    results = []
    for entry in entries:
        for run in entry["runs"]:
            metrics = run["dir"] / "metrics.json"
            results.append((entry["name"], entry["title"], entry["description"], entry["role"],
                            run["name"], "ok" if run["status"] in OK else run["status"],
                            fingerprint.sha256(metrics.read_bytes()) if metrics.exists() else None,
                            (read_stamp(run["dir"]) or {}).get("finished"),
                            bool(run["notebook_html"])))
    templates = sorted((str(p.relative_to(config.TEMPLATES_DIR)), fingerprint.sha256(p.read_bytes()))
                       for p in config.TEMPLATES_DIR.rglob("*") if p.is_file()) \
        if config.TEMPLATES_DIR.exists() else []
    return fingerprint.sha256({"results": results, "failures": failures, "quick": quick,
                               "mixed_data": mixed_data or {},
                               "names": names, "templates": templates, "study": study,
                               "code": fingerprint.source_fingerprint(everything=True)})


def variant_status(statuses: list[str]) -> str:
    """One status for a variant's runs: failed, missing, done (any run in this build), cached."""
    for status in ("failed", "missing", "done"):
        if status in statuses:
            return status
    return "cached"


def report_entries(table: variants.Table, shown: dict[str, list[variants.Run]],
                   records: dict[str, BuildRecord]) -> tuple[list[dict], dict[str, str]]:
    """What the report is rendered from: each declared variant with its runs' statuses and
    folders, and the reason of each failed variant."""
    entries = []
    for name, variant in table.variants.items():
        runs = [{"name": run.name, "seed": run.seed, "status": records[run.name].status,
                 "dir": records[run.name].dir, "notebook_html": records[run.name].notebook_html}
                for run in shown[name]]
        entries.append({"name": name, "title": variant.title, "description": variant.description,
                        "notebook": variant.notebook.name, "role": variant.role,
                        "sweep": variant.sweep, "swept": variant.swept,
                        "status": variant_status([run["status"] for run in runs]),
                        "runs": runs, "dir": runs[0]["dir"],
                        "notebook_html": runs[0]["notebook_html"]})
    failures = {entry["name"]: "; ".join(
        (f"{run['name']}: " if run["seed"] else "") + (records[run["name"]].error or "failed")
        for run in entry["runs"] if run["status"] == "failed")
        for entry in entries if entry["status"] == "failed"}
    return entries, failures


def last_results(options: Options) -> tuple[variants.Table, list[dict], dict[str, str]]:
    """The table and report entries of a --render-only build: every variant's last results
    in the output folder, nothing run; a BuildError if no variant has results."""
    table = variants.load(options.variants_file, options.notebooks_dir)
    variants_dir = options.out_dir / "variants"
    shown = all_runs(table, [], variants_dir, options)
    records = {run.name: last_result(run.name, variants_dir)
               for runs in shown.values() for run in runs}
    if not any(record.ok for record in records.values()):
        quick = " --quick" if options.quick else ""
        raise BuildError(f"no variant has results in {options.out_dir}: build first "
                         f"(python build.py{quick}) or give --out DIR")
    return (table, *report_entries(table, shown, records))


def render(out: Path, table: variants.Table, shown: dict[str, list[variants.Run]],
           records: dict[str, BuildRecord], the_manifest: dict, options: Options,
           mixed: bool = False) -> None:
    """Render the report unless nothing it depends on changed; never overwrite the last
    complete report with one that has failed or missing variants (unless --allow-failed)."""
    entries, failures = report_entries(table, shown, records)
    if not any(record.ok for record in records.values()):
        print("report: not rendered, no variant has results yet", flush=True)
        return
    complete = all(record.ok for record in records.values()) and not mixed
    stem = "report" if complete or options.allow_failed else "report-incomplete"
    names = (f"{stem}.html", f"{stem}.pdf")
    key = render_key(entries, failures, options.quick, names, table.study,
                     the_manifest.get("mixed_data"))
    try:
        stamps = json.loads((out / RENDER_STAMP).read_text())
    except (OSError, ValueError):
        stamps = {}
    if (not options.render_only and stamps.get(stem) == key
            and all((out / name).exists() for name in names)):
        print(f"report: unchanged, {short_path(out / names[1])}", flush=True)
        return
    started = time.monotonic()
    try:
        from asl.report.render import render_report
    except ImportError as error:
        raise BuildError(f"cannot load the report renderer (asl/report/render.py): {error}") from None
    html, pdf = render_report(out, entries, the_manifest, options.quick, failures,
                              table.study, *names)
    stamps[stem] = key
    if stem == "report":
        stamps.pop("report-incomplete", None)
        for name in ("report-incomplete.html", "report-incomplete.pdf"):
            (out / name).unlink(missing_ok=True)
    write_json_atomic(out / RENDER_STAMP, stamps)
    print(f"report: {short_path(pdf)} and {short_path(html)} ({time.monotonic() - started:.1f} s)",
          flush=True)
    if stem != "report":
        print("report: incomplete (" + ("runs on different data" if mixed else
                                        "failed or missing variants")
              + "), so report.pdf was left as it was; "
              + ("--allow-mixed-data" if mixed else "--allow-failed") + " writes it anyway",
              flush=True)
