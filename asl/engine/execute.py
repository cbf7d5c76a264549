"""Run one variant's notebook with papermill, in a fresh kernel, in a process of its own.

The build starts ``python -m asl.engine.execute <spec>`` per variant so that each kernel gets its own
environment (thread pools sized for the number of parallel jobs, one GPU) and can be killed
on a time-out or Ctrl-C. The child writes the executed notebook (papermill saves it after
every cell, with its error marker on failure) and a small ``.result.json``; the build then
renames the notebook into place and exports it to HTML.

A worker never outlives its build: it asks Linux for SIGTERM when the build dies
(``PR_SET_PDEATHSIG``), and on SIGTERM it stops its kernel and everything the kernel started
before it exits. It also holds the build lock's file open until then (see ``lock.py``).
"""
from __future__ import annotations

import ctypes
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from asl import progress
from asl.config import PROJECT_ROOT, interop_threads
from asl.files import write_json_atomic, write_text_atomic

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "TF_NUM_INTRAOP_THREADS")
REMOTE_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)
STOP_GRACE = 5.0
PR_SET_PDEATHSIG = 1


def kernel_env(threads: int, gpu: str | None = None) -> dict[str, str]:
    """The environment of one kernel: ``threads`` for every thread pool, one GPU or none, and
    this checkout's ``asl`` first on the path, so that the kernel runs exactly the code that was
    fingerprinted (an installed ``asl`` may belong to another checkout)."""
    env = dict(os.environ)
    env.update({name: str(threads) for name in THREAD_VARIABLES})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env["TF_NUM_INTEROP_THREADS"] = str(interop_threads(threads))
    env.setdefault("PYTHONHASHSEED", "0")
    if gpu is not None:
        env["CUDA_VISIBLE_DEVICES"] = gpu
    return env


class Job:
    """One running notebook: a child process, its deadline and its result file."""

    def __init__(self, name: str, notebook: Path, folder: Path, parameters: dict,
                 env: dict, timeout: float | None, gpu: str | None = None,
                 keep_open: tuple[int, ...] = ()):
        self.name, self.folder, self.timeout, self.gpu = name, Path(folder), timeout, gpu
        self.keep_open = keep_open
        self.executed = self.folder / f"{name}.ipynb"
        self.spec = {"notebook": str(notebook), "output": str(self.folder / f".{name}.tmp.ipynb"),
                     "parameters": parameters, "cwd": str(self.folder),
                     "result": str(self.folder / ".result.json"), "parent": os.getpid()}
        self.env = {**env, progress.DIR_VARIABLE: str(self.folder)}   # see asl.progress
        self.process: subprocess.Popen | None = None
        self.started = 0.0
        self.killed_by = ""      # "timeout" or "interrupt"
        self.shown: dict | None = None    # the progress last printed, and when
        self.beat = 0.0

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.started = time.monotonic()
        with open(self.folder / ".execute.log", "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "asl.engine.execute", json.dumps(self.spec)], env=self.env,
                cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,   # Ctrl-C reaches the build only; it stops the jobs
                pass_fds=self.keep_open)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def finished(self) -> bool:
        """True once the child has exited; kills it first if its time is up."""
        if self.process.poll() is not None:
            return True
        if self.timeout and self.elapsed > self.timeout:
            self.stop("timeout")
            return True
        return False

    def stop(self, reason: str) -> None:
        """Terminate the child (it stops its kernel first), kill it if it lingers, then kill
        whatever of its kernel is left: nothing it started outlives this call."""
        import psutil

        self.killed_by = reason
        try:
            started = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            started = []
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(STOP_GRACE)
                break
            except subprocess.TimeoutExpired:
                continue
        stop_processes(started)

    def outcome(self) -> dict:
        """Put the executed notebook in place and say how the run ended.

        Returns ``{"status": "done"|"failed", "seconds", "notebook", ...error fields}``.
        """
        partial = Path(self.spec["output"])
        if partial.exists():
            os.replace(partial, self.executed)
        try:
            result = json.loads(Path(self.spec["result"]).read_text())
        except (OSError, ValueError):
            result = {"status": "failed", "ename": "KernelDied",
                      "evalue": f"the notebook process ended with code {self.process.returncode}; "
                                f"see {self.folder / '.execute.log'}"}
        if self.killed_by == "timeout":
            result = {"status": "failed", "ename": "Timeout",
                      "evalue": f"stopped after {self.timeout:g} s (the variant's time limit)"}
        result["seconds"] = round(self.elapsed, 1)
        result["notebook"] = str(self.executed) if self.executed.exists() else None
        return result


def export_html(notebook: Path, html: Path) -> Path:
    """Export an executed notebook to a self-contained HTML page (no scripts from the web)."""
    import nbformat
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab", embed_images=True).from_notebook_node(
        nbformat.read(str(notebook), as_version=4))
    body = REMOTE_SCRIPT.sub(lambda m: "" if "http" in m.group(0) else m.group(0), body)
    write_text_atomic(html, body)
    return html


def run(spec: dict) -> dict:
    """Execute the notebook of ``spec`` (in this process); return the result record."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(spec["notebook"], spec["output"],
                                   parameters=spec["parameters"], kernel_name="python3",
                                   cwd=spec["cwd"], log_output=False, progress_bar=False)
        return {"status": "done"}
    except PapermillExecutionError as error:
        return {"status": "failed", "ename": error.ename, "evalue": error.evalue,
                "cell_index": error.cell_index, "exec_count": error.exec_count}
    except Exception as error:   # the kernel died or did not start
        return {"status": "failed", "ename": type(error).__name__, "evalue": str(error)}


def stop_processes(processes, grace: float = STOP_GRACE) -> None:
    """Terminate ``processes`` (psutil), then kill those still alive after ``grace`` s."""
    import psutil

    for process in processes:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(processes, timeout=grace)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=grace)


def _stop_and_exit(signum, frame) -> None:
    """SIGTERM in the worker (a time-out, Ctrl-C, or its build died): stop the kernel and
    everything it started, then exit."""
    import psutil

    stop_processes(psutil.Process().children(recursive=True))
    os._exit(128 + signum)


def die_with_parent(parent: int) -> None:
    """Have Linux send SIGTERM to this worker when the build (``parent``) dies, however it
    dies; exit now if it is already gone."""
    signal.signal(signal.SIGTERM, _stop_and_exit)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):   # not Linux: a time-out and Ctrl-C still stop the worker
        pass
    if os.getppid() != parent:
        os._exit(128 + signal.SIGTERM)


def main(argv: list[str] | None = None) -> int:
    spec = json.loads((argv or sys.argv[1:])[0])
    if spec.get("parent"):
        die_with_parent(spec["parent"])
    result = run(spec)
    write_json_atomic(Path(spec["result"]), result)
    return 0 if result["status"] == "done" else 1


if __name__ == "__main__":
    raise SystemExit(main())
