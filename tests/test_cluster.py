"""--cluster: the real Dask path on one machine (LocalCluster worker processes), with the tiny
fixture notebooks."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import FIXTURES, ROOT

pytest.importorskip("distributed")

TIMING = ("started", "finished", "cwd")     # where and when a run ran, not what it found


def stub_build(project, *extra, timeout=180) -> subprocess.CompletedProcess:
    """build.py in a process of its own (a LocalCluster's workers re-import the main script)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                                     os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, str(FIXTURES / "stub_build.py"), *project.args(*extra)],
                          capture_output=True, text=True, timeout=timeout, env=env)


def results(project) -> dict:
    """Each run's metrics (without timing) and fingerprint, and the rendered report."""
    found = {}
    for folder in sorted((project.out / "variants").iterdir()):
        metrics = json.loads((folder / "metrics.json").read_text())
        stamp = json.loads((folder / ".build.json").read_text())
        found[folder.name] = ({k: v for k, v in metrics.items() if k not in TIMING},
                              stamp["fingerprint"])
    found["report"] = (project.out / "report.html").read_text()
    return found


def test_local_cluster_build_equals_a_local_build(tmp_path):
    import shutil

    from conftest import TinyProject, write_photo

    data = tmp_path / "data"
    write_photo(data / "A" / "A1.png")
    projects = {}
    for kind in ("local", "cluster"):
        project = TinyProject(tmp_path / kind)
        project.root.mkdir()
        shutil.copy(FIXTURES / "variants.yaml", project.variants_file)
        project.data = data
        projects[kind] = project
    local = stub_build(projects["local"], "--quick", "--jobs", "2")
    assert local.returncode == 0, local.stdout + local.stderr
    started = time.monotonic()
    cluster = stub_build(projects["cluster"], "--quick", "--cluster", "local", "--jobs", "2",
                         "--cluster-files", "archive")       # no shared folder needed
    assert cluster.returncode == 0, cluster.stdout + cluster.stderr
    print(f"cluster build {time.monotonic() - started:.1f} s")
    assert "cluster: 2 worker(s)" in cluster.stdout and "files come back packed" in cluster.stdout
    assert "alpha                  done" in cluster.stdout
    assert "train epoch 1/1" in cluster.stdout                 # progress lines from the workers
    assert results(projects["cluster"]) == results(projects["local"])

    manifest = json.loads((projects["cluster"].out / "manifest.json").read_text())
    assert manifest["cluster"]["files"] == "archive"
    assert len(manifest["cluster"]["workers"]) == 2
    for worker in manifest["cluster"]["workers"].values():
        assert worker["packages"]["distributed"] and worker["nthreads"] == 1
    for name in ("alpha", "beta"):
        run = manifest["variants"][name]["worker"]
        assert run["host"] and run["address"] in manifest["cluster"]["workers"]
        assert run["archive_bytes"] > 0 and run["tries"] == 1
        print(name, run)
        assert 0 <= run["overhead_seconds"] < 30 and run["queued_seconds"] >= 0
    assert not list((projects["cluster"].out / "variants").glob(".*"))   # nothing left staged

    again = stub_build(projects["cluster"], "--quick", "--cluster", "local", "--jobs", "2")
    assert again.returncode == 0 and "cluster:" not in again.stdout     # cached: no cluster
    assert "alpha                  cached" in again.stdout


def test_a_run_whose_worker_dies_twice_fails_and_keeps_the_last_results(tiny_project):
    from distributed import Client, LocalCluster

    alpha = tiny_project.out / "variants" / "alpha"
    before = (alpha / "metrics.json").read_bytes()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        build = subprocess.Popen(
            [sys.executable, str(FIXTURES / "stub_build.py"),
             *tiny_project.args("--variant", "alpha", "--force", "alpha", "-p", "sleep=20",
                                "--cluster", cluster.scheduler_address)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        killed = []
        deadline = time.monotonic() + 120
        while len(killed) < 2:
            assert time.monotonic() < deadline and build.poll() is None, build.stdout.read()
            busy = [address for address, keys in client.processing().items()
                    if keys and address not in killed]
            if busy:
                time.sleep(3)                # let the notebook get going
                pid = client.run(os.getpid, workers=busy)[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(busy[0])
            time.sleep(0.3)
        output, _ = build.communicate(timeout=120)
    assert build.returncode == 1, output
    assert "again on" in output                       # retried once elsewhere
    assert "alpha                  FAILED" in output
    assert "WorkerLost: the Dask worker running it died twice (on " in output
    assert (alpha / "metrics.json").read_bytes() == before       # last good results kept
    assert (tiny_project.out / "report-incomplete.pdf").exists()
    assert not list((tiny_project.out / "variants").glob(".*.partial"))


def test_a_gpu_run_without_gpu_workers_fails_at_once(tiny_project):
    tiny_project.edit_variants(lambda table: table["alpha"].update(gpu=True))
    started = time.monotonic()
    result = stub_build(tiny_project, "--variant", "alpha", "--force", "--cluster", "local",
                        "--jobs", "1", timeout=90)
    assert result.returncode == 1
    assert time.monotonic() - started < 60
    assert "alpha need(s) a GPU" in result.stderr and "--resources GPU=1" in result.stderr
    assert "Traceback" not in result.stderr and "running" not in result.stdout

    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                      resources={"GPU": 1}) as cluster, Client(cluster):
        result = stub_build(tiny_project, "--variant", "alpha", "--force", "--cluster",
                            cluster.scheduler_address)
    assert result.returncode == 0, result.stdout + result.stderr      # a GPU worker takes it
    manifest = json.loads((tiny_project.out / "manifest.json").read_text())
    [worker] = manifest["cluster"]["workers"].values()
    assert worker["resources"] == {"GPU": 1}


def test_workers_with_other_packages_are_refused(tmp_path):
    from asl.engine import cluster, cluster_task, fingerprint, plan, variants
    from asl.errors import BuildError

    class FakeClient:
        def scheduler_info(self, n_workers=-1):
            return {"workers": {"tcp://w1:1": {"nthreads": 1, "resources": {}}}}

        def run(self, function, paths, probe):
            facts = cluster_task.worker_facts(paths, probe)
            facts["packages"] = {**facts["packages"], "numpy": "0.1"}
            return {"tcp://w1:1": {**facts, "unreadable": ["/data/asl.zip"]}}

    runner = cluster.ClusterRunner(tmp_path, {"data": "/data/asl.zip", "wild": "", "weights": ""},
                                   1, True, None, "tcp://scheduler:8786")
    run = plan.Run(variants.Variant("alpha", FIXTURES / "tiny.ipynb", "", "", {}, {}))
    with pytest.raises(BuildError) as error:
        runner.check(FakeClient(), [(run, "key")])
    message = str(error.value)
    assert f"numpy 0.1 (here {fingerprint.package_versions()['numpy']})" in message
    assert "cannot read /data/asl.zip" in message and "pip install -r requirements.txt" in message
    assert not list(tmp_path.iterdir())         # the probe file is gone


def notebooks() -> list[int]:
    """On a worker: its notebook processes (``python -m asl.engine.execute``)."""
    import psutil

    return [p.pid for p in psutil.Process().children(recursive=True)
            if "asl.engine.execute" in " ".join(p.cmdline())]


def test_time_limit_and_interrupt_stop_the_notebook_on_the_worker(tiny_project):
    from distributed import Client, LocalCluster

    alpha = tiny_project.out / "variants" / "alpha"
    before = (alpha / "metrics.json").read_bytes()
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        address = cluster.scheduler_address
        started = time.monotonic()
        timed = stub_build(tiny_project, "--variant", "alpha", "-p", "sleep=60", "--timeout", "3",
                           "--cluster", address)
        assert timed.returncode == 1 and time.monotonic() - started < 45
        assert "Timeout: stopped after 3 s" in timed.stdout

        build = subprocess.Popen(
            [sys.executable, str(FIXTURES / "stub_build.py"),
             *tiny_project.args("--variant", "alpha", "--force", "-p", "sleep=30",
                                "--cluster", address)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        for line in build.stdout:
            if "train epoch 1/2" in line:        # the notebook is running on the worker
                break
        assert any(client.run(notebooks).values())
        build.send_signal(signal.SIGTERM)        # what CI sends; Ctrl-C takes the same path
        assert build.wait(60) == 130
        deadline = time.monotonic() + 20
        while any(client.run(notebooks).values()):
            assert time.monotonic() < deadline, "the notebook went on running on the worker"
            time.sleep(0.5)
    assert (alpha / "metrics.json").read_bytes() == before
    assert not list((tiny_project.out / "variants").glob(".*.partial"))


def test_a_run_gets_the_run_it_uses_on_the_cluster(tmp_path):
    from conftest import project_with_notebook
    from helpers import uses_notebook

    project, args = project_with_notebook(tmp_path, uses_notebook)
    project.edit_variants(lambda table: table.update(
        gamma={"notebook": "tiny.ipynb", "uses": "alpha", "parameters": {"label": "gamma"}}))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for files in ("archive", "shared"):
        result = subprocess.run(
            [sys.executable, str(FIXTURES / "stub_build.py"), *args, "--seeds", "1", "--force",
             "--cluster", "local", "--jobs", "2", "--cluster-files", files, "-p", "sleep=0.5"],
            capture_output=True, text=True, timeout=180, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        alpha, gamma = (json.loads((project.out / "variants" / name / "metrics.json").read_text())
                        for name in ("alpha.seed1", "gamma.seed1"))
        assert gamma["used"] == alpha and alpha["finished"] <= gamma["started"]
        used = project.out / "variants" / "alpha.seed1"
        if files == "archive":     # a copy on the worker, without the executed notebook
            assert gamma["uses_dir"].endswith("/alpha.seed1")
            assert gamma["uses_dir"] != str(used.resolve())
            assert "metrics.json" in gamma["used_files"]
            assert "alpha.seed1.ipynb" not in gamma["used_files"]
        else:
            assert gamma["uses_dir"] == str(used.resolve())
