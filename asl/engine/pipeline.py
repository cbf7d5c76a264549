"""One build: check the inputs, skip the unchanged runs, run the rest, write the manifest,
render.

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

import sys
import time
from pathlib import Path

from asl.engine import cache, fingerprint, inputs, manifest, plan
from asl.engine.lock import BuildLock
from asl.engine.options import DEFAULT_JOBS, Options, default_jobs  # noqa: F401 (re-exported)
from asl.engine.plan import Run
from asl.engine.records import BuildRecord, last_result, recover
from asl.engine.rendering import last_results, render  # noqa: F401 (re-exported)
from asl.engine.runner import Runner, clock, say
from asl.engine.variants import Table


def build(options: Options) -> int:
    """Run a build; return the exit code (0 ok, 1 a variant failed or runs are on mixed data)."""
    started = time.monotonic()
    table, chosen = plan.load_plan(options)
    plan.check_run_counts(chosen, options.max_runs, options.seeds)
    paths = check_inputs(options, chosen)
    out, variants_dir = options.out_dir, options.out_dir / "variants"
    lock = BuildLock(out / ".build.lock").acquire()
    try:
        recover(variants_dir)
        gpu_names, packages = manifest.gpus(), fingerprint.package_versions()
        fingerprints = {key: fingerprint.path_fingerprint(path) for key, path in paths.items()}
        shown = plan.all_runs(table, chosen, variants_dir, options)
        records = {run.name: last_result(run.name, variants_dir)
                   for runs in shown.values() for run in runs}
        runner = make_runner(options, variants_dir, paths, gpu_names, (lock.fd,),
                             fingerprints["data"])
        if not options.render_only:
            records.update(run_changed(options, runner, chosen, paths,
                                       {"packages": packages, **fingerprints}))
        mixed = mixed_data(records)
        for line in stale_dependents(table, shown, records, options):
            print(line, flush=True)
        the_manifest = manifest.build_manifest(
            quick=options.quick, command=sys.argv, packages=packages,
            data=manifest.data_entries(paths, fingerprints, out, options.render_only),
            gpu_names=gpu_names, jobs=runner.jobs, threads=runner.threads,
            wall_seconds=time.monotonic() - started, cluster=getattr(runner, "info", None),
            mixed_data=mixed, variants=manifest.run_entries(shown, records))
        print_warnings(records, mixed, options)
        render(out, table, shown, records, the_manifest, options,
               mixed and not options.allow_mixed_data)
        return outcome(records, mixed, options, started)
    finally:
        lock.release()


def check_inputs(options: Options, chosen: list[Run]) -> dict[str, str]:
    """Every check before anything runs: the paths the chosen runs read, the photos' names,
    the output folders; returns the data, wild and weights paths."""
    needed = set() if options.render_only else \
        set().union(*(fingerprint.paths_used(run.notebook) for run in chosen))
    paths = inputs.data_paths(options.data, options.wild, options.weights, check=needed)
    if not options.render_only:
        inputs.check_data(paths, chosen, needed)
    inputs.writable(options.out_dir)
    if not options.render_only:
        inputs.writable(options.out_dir / "variants")
    return paths


def run_changed(options: Options, runner: Runner, chosen: list[Run], paths: dict,
                context: dict) -> dict[str, BuildRecord]:
    """Print what the build will do, run the runs whose fingerprint changed, return their
    records; the others are printed as cached."""
    where = runner.describe() if options.cluster else \
        f"jobs {runner.jobs}, {runner.threads} thread(s) each"
    print(f"build: {len(chosen)} run(s) of {len({r.variant.name for r in chosen})} "
          f"variant(s) -> {options.out_dir}  ({where}{', quick' if options.quick else ''})",
          flush=True)
    print("data: " + "; ".join(f"{key} {path or 'not given'}" for key, path in paths.items()),
          flush=True)
    todo = []
    for run, key, stamp, problem in cache.decide(chosen, options.out_dir / "variants",
                                                 {**context, "threads": runner.threads},
                                                 options.quick, options.force):
        if stamp:
            say(run.name, "cached", f"ran {clock(stamp.get('seconds', 0))} on "
                                    f"{stamp.get('finished', '?')}")
        else:
            todo.append((run, key))
            say(run.name, "queued", f"(its results are unusable: {problem})" if problem else "")
    return runner.run(todo)


def print_warnings(records: dict[str, BuildRecord], mixed: dict, options: Options) -> None:
    """Say which runs are missing and which were trained on other data."""
    missing = [name for name, r in records.items() if r.status == "missing"]
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


def outcome(records: dict[str, BuildRecord], mixed: dict, options: Options,
            started: float) -> int:
    """Print the closing line; the exit code (1 if a run failed or the data is mixed)."""
    failed = [name for name, r in records.items() if r.status == "failed"]
    print(f"build finished in {clock(time.monotonic() - started)}"
          + (f" with {len(failed)} failed variant(s): {', '.join(failed)}" if failed else ""),
          flush=True)
    return 1 if failed or (mixed and not options.allow_mixed_data) else 0


def stale_dependents(table: Table, shown: dict[str, list[Run]],
                     records: dict[str, BuildRecord], options: Options) -> list[str]:
    """A line for each run shown from an earlier build that was built on runs that have been
    rerun since (``--variant handcrop`` reruns handcrop, not fusion, which uses it)."""
    lines = []
    for name, variant in table.variants.items():
        for run in shown[name] if variant.uses else []:
            mine, rerun = records[run.name], []
            for other in variant.uses:
                used = Run(other, run.seed if other.seeded else None).name
                theirs = records.get(used)
                if mine.ok and theirs and theirs.ok and \
                        (theirs.finished or "") > (mine.finished or ""):
                    rerun.append(used)
            if rerun:
                lines.append(f"note: {run.name} was built on an earlier {', '.join(rerun)}, "
                             f"rerun since: python build.py{' --quick' if options.quick else ''} "
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
