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

import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout

from . import config, fingerprint, manifest, progress, variants
from .errors import BuildError, DataError, VariantError
from .execute import Job, export_html, kernel_env
from .metrics_file import write_json_atomic

DEFAULT_JOBS = None
"""--jobs default, measured with bench/bench_build.py on 2 cores: a quick build is mostly kernel
start-up and imports, so two at a time is faster (128 s vs 194 s); a full build is TensorFlow
training that already uses every core, so one at a time."""


def default_jobs(quick: bool) -> int:
    return min(2, manifest.cores()) if quick else 1
STAMP = ".build.json"
RENDER_STAMP = ".render.json"
POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 60
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
    render_only: bool = False
    allow_failed: bool = False
    timeout: float | None = None
    variants_file: Path = config.VARIANTS_FILE
    notebooks_dir: Path = config.NOTEBOOKS_DIR
    out: Path | None = None

    @property
    def out_dir(self) -> Path:
        if self.out:
            return Path(self.out)
        return config.QUICK_REPORT_DIR if self.quick else config.REPORT_DIR


def say(name: str, state: str, detail: str = "") -> None:
    """One progress line, readable in a terminal and in a CI log alike."""
    print(f"  {name:<22} {state:<8} {detail}".rstrip(), flush=True)


def clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}" if minutes >= 60 \
        else f"{minutes}:{seconds:02d}"


def load_plan(options: Options) -> tuple[variants.Table, list[variants.Variant]]:
    """Read and check the variants, overrides and --force names (before anything runs)."""
    table = variants.load(options.variants_file, options.notebooks_dir)
    chosen = variants.select(table, options.variants, variants.parse_overrides(options.overrides),
                             options.quick)
    names = [v.name for v in chosen]
    for name in options.force:
        if name != "*" and name not in names:
            where = "known" if name not in table.variants else "being built (see --variant)"
            raise VariantError(f"--force {name}: not a variant {where}; "
                               f"choose from {', '.join(names)}")
    return table, chosen


def data_paths(options: Options, check: bool) -> dict[str, str]:
    """Absolute data, wild and weights paths; with ``check``, each given one must exist."""
    data = config.data_path(options.data)
    paths = {"data": data, "wild": config.wild_path(options.wild, data),
             "weights": config.weights_path(options.weights, data)}
    hints = {"data": "--data PATH or ASL_DATA", "wild": "--wild PATH or ASL_WILD",
             "weights": "--weights PATH or ASL_WEIGHTS"}
    for key, path in paths.items():
        if path:
            paths[key] = str(Path(path).expanduser().resolve())
            if check and not Path(path).exists():
                raise DataError(f"{key} not found at {path}: give {hints[key]} (training data: "
                                f"the Kaggle 'ASL Alphabet' folder or zip)")
    return paths


def read_stamp(folder: Path) -> dict | None:
    """The record of a variant's last successful run, if its metrics.json is there too."""
    try:
        if (folder / "metrics.json").exists():
            return json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        pass
    return None


def recover(variants_dir: Path) -> None:
    """Undo what an interrupted build left: half-run folders, a half-done folder swap."""
    if not variants_dir.exists():
        return
    for path in variants_dir.glob(".*.old"):
        final = variants_dir / path.name[1:-len(".old")]
        if final.exists():
            shutil.rmtree(path)
        else:
            os.replace(path, final)
    for path in variants_dir.glob(".*.partial"):
        shutil.rmtree(path)


def publish(staging: Path, final: Path) -> None:
    """Replace ``final`` by ``staging`` (two renames; ``recover`` completes an interrupted one)."""
    old = final.with_name(f".{final.name}.old")
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(final.with_name(f"{final.name}.failed"), ignore_errors=True)


class Runner:
    """Runs the variants that changed, up to ``jobs`` at a time, and reports each one."""

    def __init__(self, options: Options, variants_dir: Path, paths: dict, gpu_names: list[str]):
        self.options, self.variants_dir, self.paths = options, variants_dir, paths
        self.jobs = max(1, options.jobs or default_jobs(options.quick))
        self.threads = max(1, manifest.cores() // self.jobs)
        self.gpu_count = len(gpu_names)
        self.free_gpus = [str(i) for i in range(self.gpu_count)]   # one GPU variant per GPU

    def make_job(self, variant: variants.Variant) -> Job:
        """A job for ``variant`` in a fresh ``.<name>.partial`` folder, with its own threads
        and GPU (one GPU variant per GPU; other variants see none)."""
        folder = self.variants_dir / f".{variant.name}.partial"
        shutil.rmtree(folder, ignore_errors=True)
        gpu = None                       # no GPU on this machine: leave the environment be
        if self.gpu_count:
            gpu = self.free_gpus.pop(0) if variant.gpu else ""
        parameters = {**variant.parameters, "quick": self.options.quick,
                      "data_path": self.paths["data"], "wild_path": self.paths["wild"],
                      "weights_path": self.paths["weights"], "output_dir": str(folder),
                      "threads": self.threads}
        timeout = self.options.timeout or variant.timeout
        return Job(variant.name, variant.notebook, folder, parameters,
                   kernel_env(self.threads, gpu), float(timeout) if timeout else None, gpu)

    def run(self, todo: list[tuple[variants.Variant, str]]) -> dict[str, dict]:
        """Run ``(variant, fingerprint)`` pairs; return name -> record."""
        pending, running, records, plans = list(todo), [], {}, {}
        try:
            while pending or running:
                for variant, key in list(pending):
                    if len(running) >= self.jobs:
                        break
                    if variant.gpu and self.gpu_count and not self.free_gpus:
                        continue
                    pending.remove((variant, key))
                    job = self.make_job(variant)
                    plans[job.name] = (variant, key)
                    job.start()
                    running.append(job)
                    say(job.name, "running", f"{self.threads} threads"
                        + (f", GPU {job.gpu}" if job.gpu else ""))
                time.sleep(POLL_SECONDS)
                for job in list(running):
                    self.show_progress(job)
                    if job.finished():
                        running.remove(job)
                        if job.gpu:
                            self.free_gpus.append(job.gpu)
                        records[job.name] = self.finish(job, *plans[job.name])
        except KeyboardInterrupt:
            for job in running:
                job.stop("interrupt")
                shutil.rmtree(job.folder, ignore_errors=True)
            raise
        return records

    def show_progress(self, job: Job) -> None:
        state = progress.read(job.folder)
        if state and state != job.shown:
            job.shown, job.beat = state, job.elapsed
            say(job.name, "running", f"{progress.describe(state)}  [{clock(job.elapsed)}]")
        elif job.elapsed - job.beat >= HEARTBEAT_SECONDS:
            job.beat = job.elapsed
            say(job.name, "running", f"[{clock(job.elapsed)}]")

    def finish(self, job: Job, variant: variants.Variant, key: str) -> dict:
        """Publish a successful run, keep a failed one aside, print the outcome."""
        result = job.outcome()
        html = None
        if result["notebook"]:
            try:
                html = export_html(job.executed, job.folder / f"{job.name}.html")
            except Exception as error:   # a broken export must not hide the run's result
                say(job.name, "warning", f"HTML export failed: {error}")
        if result["status"] == "done" and not (job.folder / "metrics.json").exists():
            result.update(status="failed", ename="MissingMetrics",
                          evalue="the notebook finished without writing metrics.json")
        for name in (progress.FILENAME, ".result.json"):
            (job.folder / name).unlink(missing_ok=True)
        final = self.variants_dir / job.name
        record = {"fingerprint": key, "seconds": result["seconds"],
                  "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "parameters": variant.parameters}
        if result["status"] == "done":
            write_json_atomic(job.folder / STAMP, record)
            publish(job.folder, final)
            say(job.name, "done", clock(result["seconds"]))
            return {**record, "status": "done", "cached": False, "dir": final,
                    "notebook_html": final / f"{job.name}.html" if html else None}
        failed = final.with_name(f"{job.name}.failed")
        shutil.rmtree(failed, ignore_errors=True)
        os.replace(job.folder, failed)
        html = failed / f"{job.name}.html" if html else None
        print(failure_block(job.name, result, variant.notebook.name,
                            failed / f"{job.name}.ipynb" if result["notebook"] else None, html),
              flush=True)
        return {**record, "status": "failed", "cached": False, "dir": failed,
                "error": failure_text(result), "notebook_html": html}


def failure_text(result: dict) -> str:
    """``"ValueError: bad value"`` (first line, shortened)."""
    value = (str(result.get("evalue") or "").strip().splitlines() or [""])[0]
    if len(value) > 300:
        value = value[:297] + "..."
    return f"{result.get('ename', 'Error')}: {value}".rstrip(": ")


def failure_block(name: str, result: dict, notebook: str, executed, html) -> str:
    """The short block printed for a failed variant."""
    lines = [f"  {name:<22} FAILED   after {clock(result['seconds'])}: {failure_text(result)}"]
    if result.get("exec_count") is not None or result.get("cell_index") is not None:
        lines.append(f"      in cell In [{result.get('exec_count')}] (cell index "
                     f"{result.get('cell_index')}) of {notebook}")
    lines.append(f"      executed notebook: {_short(executed) if executed else 'not written'}")
    if html:
        lines.append(f"      as HTML:           {_short(html)}")
    return "\n".join(lines)


def _short(path: Path) -> str:
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def last_result(name: str, variants_dir: Path) -> dict:
    """What the report shows for a variant not run in this build."""
    stamp = read_stamp(variants_dir / name)
    if stamp is None:
        return {"status": "missing", "cached": False, "dir": variants_dir / name,
                "notebook_html": None}
    html = variants_dir / name / f"{name}.html"
    return {**stamp, "status": "cached", "cached": True, "dir": variants_dir / name,
            "notebook_html": html if html.exists() else None}


def build(options: Options) -> int:
    """Run a build; return the exit code (0 ok, 1 a variant failed)."""
    started = time.monotonic()
    table, chosen = load_plan(options)
    paths = data_paths(options, check=not options.render_only)
    out = options.out_dir
    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(out / ".build.lock", timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise BuildError(f"another build is running on {out} (lock {out / '.build.lock'}); "
                         f"wait for it to finish") from None
    try:
        return _build_locked(options, table, chosen, paths, out, started)
    finally:
        lock.release()


def _build_locked(options, table, chosen, paths, out, started) -> int:
    variants_dir = out / "variants"
    recover(variants_dir)
    gpu_names = manifest.gpus()
    packages = fingerprint.package_versions()
    context = {"packages": packages,
               **{key: fingerprint.path_fingerprint(path) for key, path in paths.items()}}
    records = {name: last_result(name, variants_dir) for name in table.variants}
    runner = Runner(options, variants_dir, paths, gpu_names)
    if not options.render_only:
        print(f"build: {len(chosen)} variant(s) -> {out}  (jobs {runner.jobs}, "
              f"{runner.threads} thread(s) each{', quick' if options.quick else ''})", flush=True)
        print("data: " + "; ".join(f"{key} {path or 'not given'}" for key, path in paths.items()),
              flush=True)
        records.update(runner.run(changed(chosen, variants_dir, context, options)))
    failed = [name for name, r in records.items() if r["status"] == "failed"]
    missing = [name for name, r in records.items() if r["status"] == "missing"]
    data = {key: {"path": path, "fingerprint": context[key]} for key, path in paths.items()}
    if options.render_only:  # nothing ran: the data is what the last build used
        data = manifest.previous(out).get("data", data)
    the_manifest = manifest.build_manifest(
        quick=options.quick, command=sys.argv, packages=packages, data=data,
        gpu_names=gpu_names, jobs=runner.jobs, threads=runner.threads,
        wall_seconds=time.monotonic() - started,
        variants={name: {**{k: v for k, v in r.items() if k not in ("dir", "notebook_html")},
                         "notebook": table.variants[name].notebook.name,
                         "seed": (r.get("parameters") or {}).get("seed"),
                         "metrics": manifest.metrics_summary(r["dir"])}
                  for name, r in records.items()})
    write_json_atomic(out / manifest.FILENAME, the_manifest)
    if missing:
        print(f"not built yet (shown as missing): {', '.join(missing)}; "
              f"run `python build.py{' --quick' if options.quick else ''}` to build them",
              flush=True)
    render(out, table, records, the_manifest, options)
    print(f"build finished in {clock(time.monotonic() - started)}"
          + (f" with {len(failed)} failed variant(s): {', '.join(failed)}" if failed else ""),
          flush=True)
    return 1 if failed else 0


def changed(chosen: list[variants.Variant], variants_dir: Path, context: dict,
            options: Options) -> list[tuple[variants.Variant, str]]:
    """The variants to run, with their fingerprints; print the others as cached."""
    todo = []
    for variant in chosen:
        key = fingerprint.variant_fingerprint(
            fingerprint.notebook_fingerprint(variant.notebook),
            {**variant.parameters, "quick": options.quick}, context)
        stamp = read_stamp(variants_dir / variant.name)
        forced = "*" in options.force or variant.name in options.force
        if stamp and stamp.get("fingerprint") == key and not forced:
            say(variant.name, "cached", f"ran {clock(stamp.get('seconds', 0))} on "
                                        f"{stamp.get('finished', '?')}")
        else:
            todo.append((variant, key))
            say(variant.name, "queued")
    return todo


def render_key(entries: list[dict], failures: dict, quick: bool, names: tuple) -> str:
    """What the report depends on: results, statuses, templates, the code."""
    results = []
    for entry in entries:
        metrics = entry["dir"] / "metrics.json"
        results.append((entry["name"], entry["title"], entry["description"], entry["status"]
                        if entry["status"] not in OK else "ok",
                        fingerprint.sha256(metrics.read_bytes()) if metrics.exists() else None,
                        (read_stamp(entry["dir"]) or {}).get("finished"),
                        bool(entry["notebook_html"])))
    templates = sorted((str(p.relative_to(config.TEMPLATES_DIR)), fingerprint.sha256(p.read_bytes()))
                       for p in config.TEMPLATES_DIR.rglob("*") if p.is_file()) \
        if config.TEMPLATES_DIR.exists() else []
    return fingerprint.sha256({"results": results, "failures": failures, "quick": quick,
                               "names": names, "templates": templates,
                               "code": fingerprint.source_fingerprint(everything=True)})


def render(out: Path, table: variants.Table, records: dict, the_manifest: dict,
           options: Options) -> None:
    """Render the report unless nothing it depends on changed; never overwrite the last
    complete report with one that has failed or missing variants (unless --allow-failed)."""
    entries = [{"name": name, "title": v.title, "description": v.description,
                "notebook": v.notebook.name, "status": records[name]["status"],
                "dir": records[name]["dir"], "notebook_html": records[name]["notebook_html"]}
               for name, v in table.variants.items()]
    if not any(entry["status"] in OK for entry in entries):
        print("report: not rendered, no variant has results yet", flush=True)
        return
    failures = {name: r["error"] for name, r in records.items() if r["status"] == "failed"}
    complete = all(entry["status"] in OK for entry in entries)
    stem = "report" if complete or options.allow_failed else "report-incomplete"
    names = (f"{stem}.html", f"{stem}.pdf")
    key = render_key(entries, failures, options.quick, names)
    try:
        stamps = json.loads((out / RENDER_STAMP).read_text())
    except (OSError, ValueError):
        stamps = {}
    if (not options.render_only and stamps.get(stem) == key
            and all((out / name).exists() for name in names)):
        print(f"report: unchanged, {_short(out / names[1])}", flush=True)
        return
    started = time.monotonic()
    try:
        from .render import render_report
    except ImportError as error:
        raise BuildError(f"cannot load the report renderer (asl/render.py): {error}") from None
    html, pdf = render_report(out, entries, the_manifest, options.quick, failures, *names)
    stamps[stem] = key
    if stem == "report":
        stamps.pop("report-incomplete", None)
        for name in ("report-incomplete.html", "report-incomplete.pdf"):
            (out / name).unlink(missing_ok=True)
    write_json_atomic(out / RENDER_STAMP, stamps)
    print(f"report: {_short(pdf)} and {_short(html)} ({time.monotonic() - started:.1f} s)",
          flush=True)
    if stem != "report":
        print("report: incomplete (failed or missing variants), so report.pdf was left as it "
              "was; --allow-failed writes it anyway", flush=True)
