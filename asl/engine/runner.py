"""Run variants in their own processes, a few at a time: start, watch, time out, publish or
keep aside, and print one line per change of state."""
from __future__ import annotations

import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

from asl import progress
from asl.engine import estimate, manifest
from asl.engine.cache import invalid_metrics, write_stamp
from asl.engine.console import BuildProgress, clock, doing, due, line
from asl.engine.dependencies import ready_runs
from asl.engine.execute import Job, export_html, kernel_env
from asl.engine.parameters import USES_LIST_PARAMETER, USES_PARAMETER
from asl.engine.plan import Run
from asl.engine.variants import Variant
from asl.engine.records import BuildRecord, publish

POLL_SECONDS = 0.5


def say(name: str, state: str, detail: str = "") -> None:
    """One progress line, readable in a terminal and in a CI log alike."""
    line(f"  {name:<22} {state:<8} {detail}".rstrip())


class Runner:
    """Runs the variants that changed, up to ``jobs`` at a time, and reports each one."""

    def __init__(self, variants_dir: Path, paths: dict, gpu_names: list[str], jobs: int,
                 quick: bool, timeout: float | None, keep_open: tuple[int, ...] = (),
                 data_fingerprint: str | None = None):
        self.variants_dir, self.paths = variants_dir, paths
        self.keep_open = keep_open      # the build lock's file: workers hold it while they live
        self.data_fingerprint = data_fingerprint
        self.jobs, self.quick, self.timeout = max(1, jobs), quick, timeout
        self.threads = max(1, manifest.cores() // self.jobs)
        self.gpu_count = len(gpu_names)
        self.free_gpus = [str(i) for i in range(self.gpu_count)]   # one GPU variant per GPU
        self.tally: BuildProgress | None = None

    def track(self, todo: list[tuple[Run, str]]) -> BuildProgress:
        """Count the build's runs and estimate its time from the last manifest in its folder."""
        previous = manifest.previous(self.variants_dir.parent)
        runs = [run for run, _ in todo]
        self.tally = BuildProgress(estimate.expected_seconds(runs, previous, self.quick),
                                   self.jobs)
        return self.tally

    def describe(self) -> str:
        return f"jobs {self.jobs}, {self.threads} thread(s) each"

    def parameters(self, run: Run) -> dict:
        """The run's parameters with those the build sets (paths, quick, the used runs' folders)."""
        return {**run.parameters, "quick": self.quick, "data_path": self.paths["data"],
                "wild_path": self.paths["wild"], "weights_path": self.paths["weights"],
                **self.used_folders(run)}

    def used_folders(self, run: Run) -> dict:
        """The folders of the runs ``run`` uses: the first as ``uses_dir``, and all of them as
        ``uses_dirs`` when there are several (none without ``uses:``)."""
        folders = [str((self.variants_dir / used.name).resolve()) for used in run.uses]
        if not folders:
            return {}
        return {USES_PARAMETER: folders[0],
                **({USES_LIST_PARAMETER: folders} if len(folders) > 1 else {})}

    def make_job(self, variant: Run) -> Job:
        """A job for ``variant`` in a fresh ``.<name>.partial`` folder, with its own threads
        and GPU (one GPU variant per GPU; other variants see none)."""
        folder = self.variants_dir / f".{variant.name}.partial"
        shutil.rmtree(folder, ignore_errors=True)
        gpu = None                       # no GPU on this machine: leave the environment be
        if self.gpu_count:
            gpu = self.free_gpus.pop(0) if variant.gpu is not False else ""
        parameters = {**self.parameters(variant), "output_dir": str(folder),
                      "threads": self.threads}
        timeout = self.timeout or variant.timeout
        return Job(variant.name, variant.notebook, folder, parameters,
                   kernel_env(self.threads, gpu), float(timeout) if timeout else None, gpu,
                   self.keep_open)

    def run(self, todo: list[tuple[Run, str]]) -> dict[str, BuildRecord]:
        """Run ``(run, fingerprint)`` pairs, each after the runs it uses; return name ->
        record."""
        pending, running, records, plans = list(todo), [], {}, {}
        queued = {run.name for run, _ in todo}
        tally = self.track(todo)
        try:
            while pending or running:
                for variant, key in ready_runs(pending, queued, records, self.not_run):
                    if len(running) >= self.jobs:
                        break
                    if variant.gpu is not False and self.gpu_count and not self.free_gpus:
                        continue
                    pending.remove((variant, key))
                    job = self.make_job(variant)
                    plans[job.name] = (variant, key)
                    job.start()
                    tally.started(job.name)
                    running.append(job)
                    say(job.name, "running", f"{self.threads} threads"
                        + (f", GPU {job.gpu}" if job.gpu else ""))
                time.sleep(POLL_SECONDS)
                tally.refresh()
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
        finally:
            tally.close()
        return records

    def not_run(self, run: Run, key: str, failed: str) -> BuildRecord:
        """A run not started because ``failed``, a run it uses, failed: one line, a failed
        record, its last good results kept."""
        cause = f"{failed} failed, and this run uses its output"
        say(run.name, "FAILED", f"not run: {cause}")
        self.ended(run.name, None)
        return BuildRecord("failed", self.variants_dir / f"{run.name}.failed", key, 0.0,
                           datetime.now(timezone.utc).isoformat(timespec="seconds"),
                           run.parameters, error=f"not run: {cause}",
                           data=self.data_fingerprint, threads=self.threads)

    def show_progress(self, job: Job) -> None:
        """A line with what the run is doing, when one is due (see ``console.due``)."""
        state = progress.read(job.folder) or job.shown
        if due(state, job.shown, job.elapsed - job.beat):
            job.shown, job.beat = state, job.elapsed
            say(job.name, "running", doing(state, job.elapsed))

    def finish(self, job: Job, variant: Variant, key: str,
               worker: dict | None = None) -> BuildRecord:
        """Publish a successful run, keep a failed one aside, print the outcome; ``worker``
        says where a cluster ran it."""
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
        elif result["status"] == "done" and (problem := invalid_metrics(job.folder)):
            result.update(status="failed", ename="InvalidMetrics", evalue=problem)
        for name in (progress.FILENAME, ".result.json"):
            (job.folder / name).unlink(missing_ok=True)
        final = self.variants_dir / job.name
        record = BuildRecord("done", final, key, result["seconds"],
                             datetime.now(timezone.utc).isoformat(timespec="seconds"),
                             variant.parameters, worker=worker, data=self.data_fingerprint,
                             threads=self.threads, paths=self.paths)
        if result["status"] == "done":
            write_stamp(job.folder, record.stamp())
            publish(job.folder, final)
            say(job.name, "done", clock(result["seconds"])
                + (f" on {worker['host']}" if worker else ""))
            record.notebook_html = final / f"{job.name}.html" if html else None
            self.ended(job.name, result["seconds"])
            return record
        failed = final.with_name(f"{job.name}.failed")
        shutil.rmtree(failed, ignore_errors=True)
        os.replace(job.folder, failed)
        html = failed / f"{job.name}.html" if html else None
        line(failure_block(job.name, result, variant.notebook.name,
                           failed / f"{job.name}.ipynb" if result["notebook"] else None, html))
        record.status, record.dir, record.error = "failed", failed, failure_text(result)
        record.notebook_html = html
        self.ended(job.name, result["seconds"])
        return record

    def ended(self, name: str, seconds: float | None) -> None:
        """Count a run as ended in the build's tally (``seconds`` None: it never ran)."""
        if self.tally:
            self.tally.ended(name, seconds)


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
    lines.append(f"      executed notebook: {short_path(executed) if executed else 'not written'}")
    if html:
        lines.append(f"      as HTML:           {short_path(html)}")
    return "\n".join(lines)


def short_path(path: Path) -> str:
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
