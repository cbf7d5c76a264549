"""The build manifest: what produced the report (code, packages, data, machine, each variant)."""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from asl import metrics_file
from asl.config import PROJECT_ROOT
from asl.errors import MetricsError

FILENAME = "manifest.json"


def _run(*command: str) -> str | None:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=10,
                              cwd=PROJECT_ROOT, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def git_state() -> dict:
    """Commit and whether the working tree differs from it."""
    commit = _run("git", "rev-parse", "HEAD")
    status = _run("git", "status", "--porcelain")
    return {"commit": commit.strip() if commit else None,
            "dirty": bool(status.strip()) if status is not None else None}


def gpus() -> list[str]:
    """GPU names from ``nvidia-smi -L``; empty without NVIDIA GPUs (checked cheaply)."""
    if not shutil.which("nvidia-smi"):
        return []
    listing = _run("nvidia-smi", "-L") or ""
    return [line.strip() for line in listing.splitlines() if line.startswith("GPU ")]


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def machine(gpu_names: list[str]) -> dict:
    return {"cores": cores(), "gpus": gpu_names, "platform": platform.platform(),
            "processor": platform.machine(), "python": sys.version.split()[0]}


def metrics_summary(folder: Path) -> dict:
    """Image counts and headline figures from a variant's metrics.json (empty if unreadable)."""
    try:
        metrics = metrics_file.read(folder)
    except MetricsError:
        return {}
    data, split = metrics.get("data") or {}, metrics.get("split") or {}
    return {"n_images": data.get("n_images"), "image_size": data.get("image_size"),
            "split": {k: split.get(k) for k in ("kind", "train", "val", "test", "seed")
                      if k in split},
            "test_accuracy": metrics.get("test_accuracy"),
            "wild_accuracy": metrics.get("wild_accuracy")}


def previous(out: Path) -> dict:
    """The manifest the last build wrote in ``out`` (empty if none)."""
    try:
        return json.loads((Path(out) / FILENAME).read_text())
    except (OSError, ValueError):
        return {}


def build_manifest(*, quick: bool, command: list[str], packages: dict, data: dict,
                   gpu_names: list[str], jobs: int, threads: int, wall_seconds: float,
                   variants: dict, cluster: dict | None = None,
                   mixed_data: dict | None = None) -> dict:
    """Assemble the manifest; ``variants`` maps name -> its record (status, fingerprint, ...);
    ``cluster`` the Dask cluster that ran them (its workers, their hosts and packages)."""
    return {"created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "quick": quick, "command": command, "git": git_state(), "packages": packages,
            "data": data, "machine": machine(gpu_names), "jobs": jobs,
            "threads_per_job": threads, "wall_seconds": round(wall_seconds, 1),
            **({"cluster": cluster} if cluster else {}), "mixed_data": mixed_data or {},
            "variants": variants}


def run_entries(shown: dict, records: dict) -> dict:
    """Run name -> what the manifest keeps of it: its record, variant, notebook, seeds and
    headline figures; ``shown`` maps each variant to the runs the report shows."""
    return {run.name: {**records[run.name].manifest_entry(), "variant": name,
                       "notebook": run.notebook.name, "train_seed": run.seed,
                       "split_seed": records[run.name].parameters.get("seed"),
                       "metrics": metrics_summary(records[run.name].dir)}
            for name, runs in shown.items() for run in runs}


def data_entries(paths: dict, fingerprints: dict, out: Path, render_only: bool) -> dict:
    """The data, wild and weights paths with their fingerprints; for a build that ran nothing
    (--render-only), what the last build used."""
    data = {key: {"path": path, "fingerprint": fingerprints[key]} for key, path in paths.items()}
    return previous(out).get("data", data) if render_only else data
