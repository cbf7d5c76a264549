"""Issue 9, data and processes: the build checks the data once before any variant runs, says
what it leaves out, and never leaves a worker or a kernel behind."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from asl.engine.execute import Job, kernel_env
from asl.engine.lock import BuildLock
from asl.errors import BuildError
from asl.report.sections import dataset_section
from asl.engine import cli
from conftest import FIXTURES, project_with_notebook, write_photo


def built(project, name="alpha") -> bool:
    return (project.out / "variants" / name / "metrics.json").exists()


@pytest.mark.parametrize("case", ["empty", "no images", "not a zip", "fake jpgs"])
def test_unusable_data_stops_the_build_before_any_variant(tiny_project, capsys, case):
    data = tiny_project.root / "bad"
    if case == "not a zip":
        data.write_text("not a zip")
    else:
        (data / "A").mkdir(parents=True)
        if case == "no images":
            (data / "A" / "readme.txt").write_text("hi")
        if case == "fake jpgs":
            for i in range(5):
                (data / "A" / f"A{i}.jpg").write_text("not a photo")
    assert tiny_project.build("--force", "--data", str(data)) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and captured.err.startswith("error: ")
    assert str(data) in captured.err and "Traceback" not in captured.err
    assert "running" not in captured.out                  # no variant started


def test_what_is_left_out_is_printed_before_the_build(tiny_project, capsys):
    data = tiny_project.root / "odd"
    for name in ("A/A1.png", "A/A1 (copy).png", "B/B7.png", "Spacebar/x1.png"):
        write_photo(data / name)
    (data / "B" / "B8.png").symlink_to(data / "gone.png")          # broken link: no traceback
    assert tiny_project.build("--variant", "alpha", "--data", str(data),
                              "--allow-mixed-data") == 0      # beta was built on other data
    out = capsys.readouterr().out
    assert "folders not named after a class, left out: Spacebar/ (1 files)" in out
    assert "warning: no photos for class(es) C, D" in out
    assert "1 photo(s) without a frame number in the file name set aside from frame-block " \
        "splits: A/A1 (copy).png" in out


def test_frame_block_split_without_any_frame_number_is_refused(tmp_path, stub_renderer, capsys):
    def declare_split(book):
        cell = next(c for c in book["cells"] if "parameters" in c["metadata"].get("tags", []))
        cell["source"].append('\nsplit = "frame_block"')

    project, args = project_with_notebook(tmp_path, declare_split)
    data = tmp_path / "unnumbered"
    for name in ("photo", "other", "third"):     # a random split needs 3 photos of a class
        write_photo(data / "A" / f"{name}.png")
    args[args.index("--data") + 1] = str(data)
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "has a frame number" in err and "-p split=random" in err and "alpha" in err
    assert cli.main([*args, "-p", "split=random"]) == 0


def test_report_names_what_was_left_out():
    section = dataset_section(None, [type("M", (), {"metrics": {"data": {
        "source": "asl.zip", "n_images": 10, "skipped": 3,
        "skipped_files": ["x/A/A5.jpg", "x/B/notes.txt", "x/C/C9.png"],
        "unknown_folders": {"Spacebar": 4}, "missing_classes": ["Z"],
        "set_aside": ["A/A1 (copy).jpg"], "n_set_aside": 1}}})()])
    text = " ".join(section["notes"])
    assert "Warning: no training photos for class(es) Z" in text
    assert "1 photo(s) without a frame number" in text and "A/A1 (copy).jpg" in text
    assert "Spacebar/ (4 files)" in text and "x/A/A5.jpg" in text


# --- processes ---

def tree(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def living(processes) -> list[psutil.Process]:
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.NoSuchProcess:
            pass
    return alive


def wait_for_kernel(project, process, deadline=60):
    """Wait until the notebook runs (its progress file is written); return the build's
    workers and kernels."""
    end = time.monotonic() + deadline
    while not list((project.out / "variants").glob(".alpha.partial/progress.json")):
        assert time.monotonic() < end, "the variant never started"
        time.sleep(0.2)
    found = tree(process.pid)
    assert len(found) >= 2, found                            # the worker and its kernel
    return found


def test_killed_build_takes_its_worker_and_kernel_with_it(tiny_project):
    build = subprocess.Popen(
        [sys.executable, str(FIXTURES / "stub_build.py"),
         *tiny_project.args("--force", "alpha", "-p", "sleep=60", "--variant", "alpha")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    started = wait_for_kernel(tiny_project, build)
    try:
        os.killpg(build.pid, signal.SIGKILL)                  # kill -9 of its process group
        build.wait(10)
        _, alive = psutil.wait_procs(started, timeout=20)
        assert not living(alive), f"outlived the build: {[p.cmdline()[:3] for p in alive]}"
        BuildLock(tiny_project.out / ".build.lock").acquire().release()   # free again
    finally:
        for process in living(started):
            process.kill()


def test_ctrl_c_leaves_no_kernel_behind(tiny_project):
    build = subprocess.Popen(
        [sys.executable, str(FIXTURES / "stub_build.py"),
         *tiny_project.args("--force", "alpha", "-p", "sleep=60", "--variant", "alpha")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = wait_for_kernel(tiny_project, build)
    try:
        build.send_signal(signal.SIGINT)
        assert build.wait(90) == 130
        assert not living(started), "a worker or kernel outlived the build's cleanup"
    finally:
        for process in living(started):
            process.kill()


def test_build_lock_lasts_as_long_as_the_worker(tmp_path):
    lock = BuildLock(tmp_path / ".build.lock").acquire()
    folder = tmp_path / ".alpha.partial"
    job = Job("alpha", FIXTURES / "tiny.ipynb", folder,
              {"output_dir": str(folder), "sleep": 60.0}, kernel_env(1), None,
              keep_open=(lock.fd,))
    job.start()
    try:
        lock.release()                          # the build is gone, its worker is not
        with pytest.raises(BuildError, match="another build is running"):
            BuildLock(tmp_path / ".build.lock").acquire()
    finally:
        job.stop("interrupt")
    BuildLock(tmp_path / ".build.lock").acquire().release()
