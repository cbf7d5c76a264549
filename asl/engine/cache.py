"""The build's cache, in one place: the stamp of each run's last success (``.build.json``, read,
compared with the run's fingerprint, written when a run succeeds) and the render stamp
(``.render.json``: what the last report of each name was rendered from)."""
from __future__ import annotations

import json
from pathlib import Path

from asl import config, metrics_file
from asl.engine import fingerprint
from asl.engine.plan import Run
from asl.errors import MetricsError
from asl.files import write_json_atomic

STAMP = ".build.json"
RENDER_STAMP = ".render.json"
OK = ("done", "cached")


def read_stamp(folder: Path) -> dict | None:
    """The record of a variant's last successful run, if its metrics.json is there too."""
    try:
        if (folder / "metrics.json").exists():
            return json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        pass
    return None


def write_stamp(folder: Path, stamp: dict) -> None:
    """Keep what a successful run was made from, beside its results."""
    write_json_atomic(folder / STAMP, stamp)


def invalid_metrics(folder: Path) -> str | None:
    """Why a run's metrics.json cannot be used (missing, not JSON, not the schema), else None."""
    try:
        metrics_file.read(folder)
    except MetricsError as error:
        return str(error)
    return None


def run_key(run: Run, context: dict, quick: bool, used_keys: list[str]) -> str:
    """A run's fingerprint: its notebook, parameters and the inputs it reads (a CNN does not
    depend on the weights), with the fingerprints of the runs it uses (in ``uses:`` order)."""
    used = fingerprint.paths_used(run.notebook)
    return fingerprint.variant_fingerprint(
        fingerprint.notebook_fingerprint(run.notebook), {**run.parameters, "quick": quick},
        {**{k: v for k, v in context.items() if k in ("packages", "threads") or k in used},
         **_uses_entry(used_keys)})


def _uses_entry(used_keys: list[str]) -> dict:
    """The used runs' part of a fingerprint: nothing for none, ``{"uses": key}`` for one (as
    before lists were allowed, so the keys of such runs stay the same), else the list."""
    if not used_keys:
        return {}
    return {"uses": used_keys[0] if len(used_keys) == 1 else list(used_keys)}


def decide(chosen: list[Run], variants_dir: Path, context: dict, quick: bool,
           force: list[str]) -> list[tuple[Run, str, dict | None, str | None]]:
    """For each run: its fingerprint, the stamp of its last success if that can be used as it
    is (else None: it runs), and why its last results are unusable, if they are. A run that
    uses others' output has their fingerprints in its own and runs whenever one of them does
    (``chosen`` lists them first)."""
    decisions, keys, running = [], {}, set()
    for run in chosen:
        key = keys[run.name] = run_key(run, context, quick, [keys[u.name] for u in run.uses])
        stamp = read_stamp(variants_dir / run.name)
        forced = {"*", run.name, run.variant.name, run.variant.sweep} & set(force)
        forced = forced or any(used.name in running for used in run.uses)
        problem = invalid_metrics(variants_dir / run.name) if stamp else None
        if not (stamp and stamp.get("fingerprint") == key and not forced and not problem):
            stamp = None
            running.add(run.name)
        decisions.append((run, key, stamp, problem))
    return decisions


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


def rendered(out: Path, stem: str, key: str, names: tuple[str, ...]) -> bool:
    """The report ``stem`` was last rendered from ``key`` and its files are all there."""
    return _render_stamps(out).get(stem) == key and all((out / name).exists() for name in names)


def remember_render(out: Path, stem: str, key: str) -> None:
    """Record that the report ``stem`` was rendered from ``key``; a complete report replaces
    the incomplete one (whose files are removed)."""
    stamps = _render_stamps(out)
    stamps[stem] = key
    if stem == "report":
        stamps.pop("report-incomplete", None)
        for name in ("report-incomplete.html", "report-incomplete.pdf"):
            (out / name).unlink(missing_ok=True)
    write_json_atomic(out / RENDER_STAMP, stamps)


def _render_stamps(out: Path) -> dict:
    try:
        return json.loads((out / RENDER_STAMP).read_text())
    except (OSError, ValueError):
        return {}
