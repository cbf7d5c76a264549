"""What runs on a Dask worker for ``--cluster``: the facts a build checks before it submits
anything, the task that runs one notebook, and the packing of a run's files for the way back."""
from __future__ import annotations

import io
import os
import shutil
import socket
import tarfile
import tempfile
import time
from pathlib import Path

from asl import progress
from asl.engine import fingerprint, manifest
from asl.engine.execute import Job, kernel_env
from asl.engine.parameters import USES_LIST_PARAMETER, USES_PARAMETER

TOPIC = "asl-run"
POLL_SECONDS = 1.0
CLUSTER_PACKAGES = (*fingerprint.KEY_PACKAGES, "papermill", "dask", "distributed")


def worker_facts(paths: list[str], probe: str, dask_worker=None) -> dict:
    """On each worker (``Client.run``): its host, package and code versions, which of the
    build's data paths it cannot read and whether it sees the output folder."""
    return {"host": socket.gethostname(), "cores": manifest.cores(),
            "packages": fingerprint.package_versions(CLUSTER_PACKAGES),
            "asl": fingerprint.source_fingerprint(everything=True),
            "unreadable": [path for path in paths if not os.access(path, os.R_OK)],
            "sees_output": os.path.exists(probe)}


def run_task(spec: dict) -> dict:
    """On a worker: run one notebook in a fresh temporary folder, with the same subprocess as
    a local run; stop it on its time limit or when the build sets its stop event. Returns the
    result record, where it ran and, without a shared folder, the packed output folder."""
    from distributed import Event, get_worker

    worker = get_worker()
    host = socket.gethostname()
    name = spec["name"]
    threads = spec["threads"] or max(1, manifest.cores() // max(1, worker.state.nthreads))
    worker.log_event(TOPIC, {"run": name, "event": "started", "host": host,
                             "worker": worker.address, "threads": threads})
    stop = Event(spec["stop"])
    with tempfile.TemporaryDirectory(prefix="asl-run-") as tmp:
        notebook = Path(tmp) / "input" / spec["notebook_name"]
        notebook.parent.mkdir()
        notebook.write_text(spec["notebook_text"])
        folder = Path(tmp) / name
        parameters = {**spec["parameters"], "output_dir": str(folder), "threads": threads}
        if spec["uses_archives"]:               # the used runs' files, packed by the build
            parameters.update(unpack_used(spec["uses_archives"], parameters, Path(tmp) / "uses"))
        gpu = "" if spec["gpu"] is False else None
        job = Job(name, notebook, folder, parameters, kernel_env(threads, gpu), spec["timeout"])
        job.start()
        shown = None
        while not job.finished():
            time.sleep(POLL_SECONDS)
            state = progress.read(folder)
            if state and state != shown:
                shown = state
                worker.log_event(TOPIC, {"run": name, "event": "progress", "state": state})
            if stop.is_set():
                job.stop("interrupt")
                break
        result = job.outcome()
        if job.killed_by == "interrupt":     # the build gave up on it: deliver nothing
            return {"stopped": True}
        answer = {"result": result, "worker": {"host": host, "address": worker.address,
                                               "threads": threads,
                                               "run_seconds": result["seconds"]}}
        if spec["dest"]:                       # a folder the build machine sees too
            dest = Path(spec["dest"])
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(folder, dest)
        else:
            answer["archive"] = pack(folder)
            answer["worker"]["archive_bytes"] = len(answer["archive"])
        return answer


def unpack_used(archives: list[bytes], parameters: dict, into: Path) -> dict:
    """Unpack the used runs' archives (in ``uses:`` order) into folders of ``into`` named as
    the build's; the ``uses_dir`` (and ``uses_dirs``) parameters that point at them."""
    folders = parameters.get(USES_LIST_PARAMETER) or [parameters[USES_PARAMETER]]
    unpacked = []
    for archive, folder in zip(archives, folders, strict=True):
        used = into / Path(folder).name
        used.mkdir(parents=True)
        unpack(archive, used)
        unpacked.append(str(used))
    return {USES_PARAMETER: unpacked[0],
            **({USES_LIST_PARAMETER: unpacked} if USES_LIST_PARAMETER in parameters else {})}


def pack(folder: Path, skip=()) -> bytes:
    """A run's output folder as a gzipped tar archive in memory, without the files whose names
    match a pattern of ``skip``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(folder.rglob("*")):
            if not any(path.match(pattern) for pattern in skip):
                archive.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    return buffer.getvalue()


def unpack(data: bytes, folder: Path) -> None:
    """Unpack ``pack``'s archive into an empty ``folder`` (refusing paths that leave it)."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        archive.extractall(folder, filter="data")
