"""The report step of a build: what the report is rendered from (each variant with its runs'
statuses), and rendering it unless nothing it depends on changed."""
from __future__ import annotations

import time
from pathlib import Path

from asl.engine import cache, variants
from asl.engine.options import Options
from asl.engine.plan import Run, all_runs
from asl.engine.records import BuildRecord, last_result
from asl.engine.runner import short_path
from asl.errors import BuildError, UsageError


def variant_status(statuses: list[str]) -> str:
    """One status for a variant's runs: failed, missing, done (any run in this build), cached."""
    for status in ("failed", "missing", "done"):
        if status in statuses:
            return status
    return "cached"


def report_entries(table: variants.Table, shown: dict[str, list[Run]],
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
        raise UsageError(f"no variant has results in {options.out_dir}: build first "
                         f"(python build.py{quick}) or give --out DIR")
    return (table, *report_entries(table, shown, records))


def render(out: Path, table: variants.Table, shown: dict[str, list[Run]],
           records: dict[str, BuildRecord], the_manifest: dict, options: Options,
           mixed: bool = False) -> None:
    """Render the report (its HTML, PDF and manifest.json, replaced together) unless nothing it
    depends on changed; never overwrite the last complete report with one that has failed or
    missing variants (unless --allow-failed). Without a new report manifest.json stays as it
    is, so it always matches the copy attached to the PDF."""
    entries, failures = report_entries(table, shown, records)
    if not any(record.ok for record in records.values()):
        print("report: not rendered, no variant has results yet", flush=True)
        return
    complete = all(record.ok for record in records.values()) and not mixed
    stem = "report" if complete or options.allow_failed else "report-incomplete"
    names = (f"{stem}.html", f"{stem}.pdf")
    key = cache.render_key(entries, failures, options.quick, names, table.study,
                           the_manifest.get("mixed_data"))
    if not options.render_only and cache.rendered(out, stem, key, names):
        print(f"report: unchanged, {short_path(out / names[1])}", flush=True)
        return
    started = time.monotonic()
    try:
        from asl.report.render import render_report
    except ImportError as error:
        raise BuildError(f"cannot load the report renderer (asl/report/render.py): {error}") from None
    html, pdf = render_report(out, entries, the_manifest, options.quick, failures,
                              table.study, *names)
    cache.remember_render(out, stem, key)
    print(f"report: {short_path(pdf)} and {short_path(html)} ({time.monotonic() - started:.1f} s)",
          flush=True)
    if stem != "report":
        print("report: incomplete (" + ("runs on different data" if mixed else
                                        "failed or missing variants")
              + "), so report.pdf was left as it was; "
              + ("--allow-mixed-data" if mixed else "--allow-failed") + " writes it anyway",
              flush=True)
