"""Run variants on a Dask cluster (``--cluster ADDRESS`` or ``--cluster local``).

Each run is one Dask task. On the worker it starts the same per-run subprocess as a local
build (``python -m asl.engine.execute``: papermill changes the working directory, so it never
runs in a worker thread), in a temporary folder of its own, owns the time limit and kills its
process group itself (Dask cannot interrupt a running task). The run's files come back to the
build machine's ``variants/.<run>.partial/`` through a folder every worker sees at the same
path, or as a packed archive returned by the task; from there the local runner publishes them
(or keeps them aside as ``.failed``) exactly as it does for a local run.
"""
from __future__ import annotations

import queue
import shutil
import time
import uuid
from pathlib import Path

from asl.engine import fingerprint
from asl.engine.cluster_task import (CLUSTER_PACKAGES, POLL_SECONDS, TOPIC, pack, run_task,
                                     unpack, worker_facts)
from asl.engine.console import doing, due
from asl.engine.dependencies import ready_runs
from asl.engine.runner import Runner, say
from asl.errors import BuildError

NOT_SHIPPED = ("*.ipynb", "*.html", ".*")
"""Files of a used run a worker does not get (its executed notebook, HTML export, logs)."""
HINT = ("start one with `dask scheduler` and workers with `dask worker ADDRESS` (see README, "
        "Run on a cluster), or use `--cluster local`")


class Delivered:
    """A run that a worker finished, as the local runner's ``finish`` expects a job."""

    def __init__(self, name: str, folder: Path, result: dict):
        self.name, self.folder, self.result = name, folder, result
        self.executed = folder / f"{name}.ipynb"
        result["notebook"] = str(self.executed) if self.executed.exists() else None

    def outcome(self) -> dict:
        return self.result


class ClusterRunner(Runner):
    """Runs the variants that changed as tasks on a Dask cluster; everything else (staging,
    publishing, failure blocks, progress lines) is the local runner's."""

    def __init__(self, variants_dir: Path, paths: dict, jobs: int, quick: bool,
                 timeout: float | None, address: str, files: str = "auto",
                 data_fingerprint: str | None = None):
        super().__init__(variants_dir, paths, [], jobs, quick, timeout,
                         data_fingerprint=data_fingerprint)
        self.address, self.files = address, files
        self.info: dict | None = None          # the cluster, for the manifest
        self.build_id = uuid.uuid4().hex[:8]

    def describe(self) -> str:
        return (f"Dask LocalCluster, {self.jobs} workers" if self.address == "local"
                else f"Dask cluster {self.address}")

    def connect(self):
        """A client of the cluster (and the LocalCluster it started, if any)."""
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise BuildError("--cluster needs Dask: pip install -r requirements.txt "
                             "(dask and distributed)") from None

        if self.address == "local":
            with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
                cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1,
                                       processes=True, dashboard_address=None)
            return Client(cluster), cluster
        try:
            return Client(self.address, timeout=10), None
        except (OSError, TimeoutError) as error:
            raise BuildError(f"cannot reach the Dask scheduler at {self.address} ({error}); "
                             f"{HINT}") from None

    def run(self, todo: list) -> dict:
        if not todo:
            return {}
        client, cluster = self.connect()
        try:
            self.check(client, todo)
            return self.run_on(client, todo)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def check(self, client, todo: list) -> None:
        """Before submitting anything: workers there, a GPU for the runs that need one, the
        same packages and code as this machine, the data readable; choose how files return."""
        workers = client.scheduler_info(n_workers=-1)["workers"]
        if not workers:
            raise BuildError(f"the Dask cluster at {self.address} has no workers; {HINT}")
        needs_gpu = [run.name for run, _ in todo if run.gpu is True]
        if needs_gpu and not any((w.get("resources") or {}).get("GPU", 0) >= 1
                                 for w in workers.values()):
            raise BuildError(f"{', '.join(needs_gpu)} need(s) a GPU (`gpu: true` in the variants "
                             f"file) but no worker of {self.describe()} has one: start a worker "
                             f"per GPU with `dask worker ADDRESS --resources GPU=1 --nthreads 1`, "
                             f"or set `gpu: false`")
        self.variants_dir.mkdir(parents=True, exist_ok=True)
        probe = self.variants_dir / f".cluster-probe-{self.build_id}"
        probe.write_text("")
        try:
            facts = client.run(worker_facts, [p for p in self.paths.values() if p], str(probe))
        finally:
            probe.unlink(missing_ok=True)
        here = {"packages": fingerprint.package_versions(CLUSTER_PACKAGES),
                "asl": fingerprint.source_fingerprint(everything=True)}
        problems = []
        for address, fact in facts.items():
            where = f"worker {address} ({fact['host']})"
            differ = [f"{name} {fact['packages'].get(name)} (here {version})"
                      for name, version in here["packages"].items()
                      if fact["packages"].get(name) != version]
            if differ:
                problems.append(f"{where} has {', '.join(differ)}")
            if fact["asl"] != here["asl"]:
                problems.append(f"{where} has other asl code than this checkout")
            if fact["unreadable"]:
                problems.append(f"{where} cannot read {', '.join(fact['unreadable'])}")
        if problems:
            raise BuildError("the cluster's workers cannot run this build: " + "; ".join(problems)
                             + ". Install the same versions (pip install -r requirements.txt) "
                             "and the same checkout on every worker, and put the data on a "
                             "path every worker reads (the same path as here)")
        blind = [f"{address} ({fact['host']})" for address, fact in facts.items()
                 if not fact["sees_output"]]
        if self.files == "shared" and blind:
            raise BuildError(f"workers {', '.join(blind)} cannot see the output folder "
                             f"{self.variants_dir.resolve()}: mount it at the same path on "
                             f"every worker, or use --cluster-files archive (files come back "
                             f"packed)")
        self.shared = self.files == "shared" or (self.files == "auto" and not blind)
        self.jobs = sum(w.get("nthreads", 1) for w in workers.values())
        self.info = {"address": self.address, "files": "shared" if self.shared else "archive",
                     "workers": {address: {"host": fact["host"], "cores": fact["cores"],
                                           "nthreads": workers[address].get("nthreads"),
                                           "resources": workers[address].get("resources") or {},
                                           "packages": fact["packages"]}
                                 for address, fact in facts.items()}}
        hosts = sorted({fact["host"] for fact in facts.values()})
        print(f"cluster: {len(workers)} worker(s) on {', '.join(hosts)}, {self.jobs} run(s) at "
              f"once; files come back {'through the shared output folder' if self.shared else 'packed'}",
              flush=True)

    def spec(self, run) -> dict:
        folder = self.variants_dir / f".{run.name}.partial"
        timeout = self.timeout or run.timeout
        return {"name": run.name, "notebook_name": run.notebook.name,
                "notebook_text": Path(run.notebook).read_text(),
                "parameters": self.parameters(run),
                "timeout": float(timeout) if timeout else None, "gpu": run.gpu,
                "stop": f"asl-stop-{self.build_id}-{run.name}",
                "threads": self.threads if self.address == "local" else None,
                "dest": str(folder.resolve()) if self.shared else None,
                # without a shared folder the worker gets the used runs' files, packed
                "uses_archives": [] if self.shared else
                [pack(self.variants_dir / used.name, NOT_SHIPPED) for used in run.uses]}

    def run_on(self, client, todo: list) -> dict:
        """Submit every run once the runs it uses are back, print their progress, publish each
        as it comes back."""
        from distributed import Event

        events: queue.SimpleQueue = queue.SimpleQueue()
        client.subscribe_topic(TOPIC, events.put)       # (when the worker said it, what)
        plans, records, pending, waiting = {}, {}, {}, list(todo)
        queued = {run.name for run, _ in todo}

        def submit_ready():
            for run, key in ready_runs(waiting, queued, records, self.not_run):
                waiting.remove((run, key))
                folder = self.variants_dir / f".{run.name}.partial"
                shutil.rmtree(folder, ignore_errors=True)
                spec = self.spec(run)
                future = client.submit(run_task, spec, pure=False,
                                       key=f"asl-{run.name}-{self.build_id}",
                                       resources={"GPU": 1} if run.gpu is True else None)
                plans[future.key] = pending[future.key] = {
                    "future": future, "run": run, "key": key, "folder": folder,
                    "stop": Event(spec["stop"], client=client), "submitted": time.monotonic(),
                    "submitted_at": time.time(), "starts": [], "beat": 0.0}

        tally = self.track(todo)
        submit_ready()
        try:
            while pending:
                time.sleep(POLL_SECONDS / 2)
                tally.refresh()
                self.show(events, plans, pending, records)
                for name, plan in list(pending.items()):
                    if plan["future"].done():
                        del pending[name]
                        records[plan["run"].name] = self.collect(plan)
                    else:
                        self.heartbeat(plan)
                submit_ready()
        except KeyboardInterrupt:
            for plan in pending.values():
                plan["stop"].set()           # a running task stops its notebook ...
            client.cancel([plan["future"] for plan in pending.values()])   # ... and the queue
            for plan in pending.values():
                shutil.rmtree(plan["folder"], ignore_errors=True)
            time.sleep(POLL_SECONDS * 2)     # give the running tasks time to see the event
            raise
        finally:
            tally.close()
        return records

    def show(self, events, plans, pending, records) -> None:
        """Print the workers' news: a run started (again, after a lost worker), its progress."""
        by_run = {plan["run"].name: key for key, plan in plans.items()}
        while not events.empty():
            when, news = events.get()
            key = by_run.get(news.get("run"))
            if key not in pending:
                continue
            plan, name = plans[key], news["run"]
            if news["event"] == "started":
                plan["starts"].append(news["host"])
                plan["started"] = plan["beat"] = time.monotonic()
                plan["started_at"] = when
                self.tally.started(name)
                if len(plan["starts"]) == 1:
                    say(name, "running", f"on {news['host']}, {news['threads']} thread(s)")
                elif len(plan["starts"]) == 2:
                    say(name, "running", f"again on {news['host']}: the worker running it was "
                                         f"lost (retried once)")
                else:                     # the scheduler would go on retrying: stop here
                    plan["stop"].set()
                    plan["future"].cancel()
                    del pending[key]
                    records[name] = self.lost(plan)
            elif news["event"] == "progress":
                plan["state"] = news["state"]
                self.heartbeat(plan)

    def heartbeat(self, plan: dict) -> None:
        """A line with what the run is doing, when one is due (see ``console.due``)."""
        now = time.monotonic()
        if plan.get("started") and due(plan.get("state"), plan.get("shown"), now - plan["beat"]):
            plan["beat"], plan["shown"] = now, plan.get("state")
            say(plan["run"].name, "running", doing(plan.get("state"), now - plan["started"]))

    def collect(self, plan: dict):
        """Bring a finished task's files into the run's staging folder and publish them."""
        from distributed import KilledWorker

        run, folder = plan["run"], plan["folder"]
        try:
            answer = plan["future"].result()
        except KilledWorker:
            return self.lost(plan)
        except Exception as error:        # the task itself broke (not the notebook)
            folder.mkdir(parents=True, exist_ok=True)
            result = {"status": "failed", "ename": type(error).__name__, "evalue": str(error),
                      "seconds": round(time.monotonic() - plan["submitted"], 1)}
            return self.finish(Delivered(run.name, folder, result), run, plan["key"])
        if "archive" in answer:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            unpack(answer["archive"], folder)
        folder.mkdir(parents=True, exist_ok=True)
        round_trip = time.time() - plan["submitted_at"]
        queued = plan.get("started_at", plan["submitted_at"]) - plan["submitted_at"]
        worker = {**answer["worker"], "tries": max(1, len(plan["starts"])),
                  "queued_seconds": round(queued, 2),     # waiting for a free worker
                  # what Dask adds: scheduling, starting the task, sending the files back
                  "overhead_seconds": round(max(0.0, round_trip - queued
                                                - answer["worker"]["run_seconds"]), 2)}
        return self.finish(Delivered(run.name, folder, answer["result"]), run, plan["key"],
                           worker)

    def lost(self, plan: dict):
        """A run whose worker died twice: a failure block, the last good results kept."""
        run, folder = plan["run"], plan["folder"]
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        hosts = " then ".join(plan["starts"][:2]) or "?"
        result = {"status": "failed", "ename": "WorkerLost",
                  "evalue": f"the Dask worker running it died twice (on {hosts}); see the "
                            f"workers' logs (out of memory?)",
                  "seconds": round(time.monotonic() - plan["submitted"], 1)}
        return self.finish(Delivered(run.name, folder, result), run, plan["key"])
