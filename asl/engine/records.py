"""A run's folder on disk: how the run stands after a build (its record), the swap that
publishes a new run, and the recovery of a swap or run that was interrupted."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from asl.engine.cache import invalid_metrics, read_stamp


@dataclass
class BuildRecord:
    """How one variant stands after a build: its status, its folder and its last run."""

    status: str                           # done | cached | failed | missing
    dir: Path
    fingerprint: str | None = None
    seconds: float | None = None
    finished: str | None = None           # UTC time the run ended
    parameters: dict = field(default_factory=dict)
    notebook_html: Path | None = None
    error: str | None = None
    worker: dict | None = None            # where a cluster ran it: host, address, seconds, ...
    data: str | None = None               # fingerprint of the training data it ran on
    threads: int | None = None            # threads it trained with (results depend on it)
    paths: dict | None = None             # data, wild and weights paths it was built with

    @property
    def ok(self) -> bool:
        return self.status in ("done", "cached")

    def stamp(self) -> dict:
        """What ``.build.json`` keeps of a successful run."""
        return {"fingerprint": self.fingerprint, "seconds": self.seconds,
                "finished": self.finished, "parameters": self.parameters,
                "data_fingerprint": self.data, "threads": self.threads,
                **({"worker": self.worker} if self.worker else {}),
                **({"paths": self.paths} if self.paths else {})}

    def manifest_entry(self) -> dict:
        """The stamp without the paths (the manifest's ``data`` has them), and the status."""
        stamp = {key: value for key, value in self.stamp().items() if key != "paths"}
        return {**stamp, "status": self.status, "cached": self.status == "cached",
                **({"error": self.error} if self.error else {})}


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


def last_result(name: str, variants_dir: Path) -> BuildRecord:
    """What the report shows for a variant not run in this build."""
    folder = variants_dir / name
    stamp = read_stamp(folder)
    if stamp is None:
        return BuildRecord("missing", folder)
    html = folder / f"{name}.html"
    record = BuildRecord("cached", folder, stamp.get("fingerprint"), stamp.get("seconds"),
                         stamp.get("finished"), stamp.get("parameters") or {},
                         html if html.exists() else None,
                         data=stamp.get("data_fingerprint"), threads=stamp.get("threads"),
                         worker=stamp.get("worker"), paths=stamp.get("paths"))
    problem = invalid_metrics(folder)
    if problem:      # not a result: the report shows it as failed, and is incomplete
        variant = name.split(".seed")[0]
        record.status, record.error = "failed", f"{problem}; rebuild it: python build.py " \
                                                f"--variant {variant}"
    return record
