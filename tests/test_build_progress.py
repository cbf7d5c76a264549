"""What the console shows while a build is busy: each run's stage with a count, the runs done
and the time left, as plain lines when stdout is not a terminal (tiny notebooks, no TensorFlow)."""
from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time
from types import SimpleNamespace

from conftest import FIXTURES, project_with_notebook

from asl.engine import console, estimate

SLOW_STAGES = '''
import time
from types import SimpleNamespace
progress.write(out, "finding hands")
for _ in progress.counting(range(30), 30, "photos"):
    time.sleep(0.5)
for epoch in range(1, epochs + 1):
    progress.write(out, "training", epoch, epochs)
    time.sleep(0.5)
'''


def with_slow_stages(book):
    """The tiny notebook with a 15-second "finding hands" stage (counted by the build's own
    channel, not handed the output folder) and then a training stage."""
    loop = next(cell for cell in book["cells"] if "progress.write" in "".join(cell["source"]))
    loop["source"] = SLOW_STAGES


def timed_lines(command: list[str], cwd) -> list[tuple[float, str]]:
    """Run ``command`` and return its stdout lines with the second each one arrived."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=cwd)
    lines = [(time.monotonic() - started, line.rstrip("\n")) for line in process.stdout]
    assert process.wait(60) == 0, "\n".join(line for _, line in lines)
    return lines


def first(lines, pattern: str) -> tuple[float, str]:
    return next((at, line) for at, line in lines if re.search(pattern, line))


def test_console_shows_a_count_within_30_s_of_each_stage_starting(tmp_path):
    project, args = project_with_notebook(tmp_path, with_slow_stages)
    lines = timed_lines([sys.executable, str(FIXTURES / "stub_build.py"), *args, "-p", "epochs=3"],
                        tmp_path)
    hands_start, hands = first(lines, r"alpha .* finding hands")
    assert re.search(r"finding hands 0/30 photos", hands)           # a count from the start
    moved_at, moved = first(lines, r"alpha .* finding hands ([1-9]\d*)/30 photos")
    assert moved_at - hands_start <= 30, moved                      # and it moves while busy
    assert int(re.search(r"(\d+)/30", moved).group(1)) < 30
    training_start, training = first(lines, r"alpha .* training")
    assert re.search(r"training epoch [1-3]/3", training)
    assert training_start > moved_at


def test_training_progress_reports_the_epoch_as_it_begins_and_the_batch_within_it(tmp_path):
    from asl import progress
    from asl.study import training

    callback = training.progress_callback(tmp_path, "fine-tuning", 8, every=0)
    callback.set_params({"steps": 40})
    callback.on_epoch_begin(2)
    assert progress.describe(progress.read(tmp_path)) == "fine-tuning epoch 3/8"
    callback.on_train_batch_end(11)
    assert progress.describe(progress.read(tmp_path)) == "fine-tuning epoch 3/8  batch 12/40"


def test_hand_detection_counts_its_photos_in_the_folder_the_build_gave(tmp_path, monkeypatch):
    from asl import progress
    from asl.study.hands import keypoints as hand_keypoints

    seen = []
    monkeypatch.setenv(progress.DIR_VARIABLE, str(tmp_path))
    monkeypatch.setattr(hand_keypoints, "_init_worker", lambda *args: None)
    monkeypatch.setattr(hand_keypoints, "_detect_one",
                        lambda image: seen.append(progress.read(tmp_path)))
    progress.write(tmp_path, "finding hands")
    hand_keypoints.detect_many([None] * 3, workers=1, progress=False)
    assert progress.describe(seen[0]) == "finding hands 0/3 photos"
    assert progress.describe(progress.read(tmp_path)) == "finding hands 3/3 photos"
    progress.write(tmp_path, "latency")                  # a count within another stage
    hand_keypoints.detect_many([None], workers=1, progress=False)
    assert progress.describe(progress.read(tmp_path)) == "latency 1/1 photos"
    assert list(progress.stage_seconds(tmp_path)) == ["finding hands", "latency"]


def plant_manifest(project, quick: bool, seconds: dict[str, float]) -> None:
    entries = {name: {"variant": name, "status": "done", "seconds": value}
               for name, value in seconds.items()}
    (project.out / "manifest.json").write_text(json.dumps({"quick": quick, "variants": entries}))


def test_time_left_comes_from_the_last_manifest_and_is_updated_as_runs_end(tiny_project, capsys):
    plant_manifest(tiny_project, False, {"alpha": 600, "beta": 300})
    assert tiny_project.build("--force", "--jobs", "1") == 0
    output = capsys.readouterr().out
    assert "build: 0/2 runs done, about 15 min left" in output
    assert "build: 1/2 runs done, about 5 min left" in output
    assert "build: 2/2 runs done, none left" in output
    assert output.index("about 15 min") < output.index("alpha                  done") \
        < output.index("about 5 min")


def test_without_a_manifest_of_its_kind_the_typical_minutes_are_used(tiny_project, capsys):
    plant_manifest(tiny_project, True, {"alpha": 600, "beta": 300})    # a quick build's times
    tiny_project.edit_variants(lambda table: (table["alpha"].update(minutes=3),
                                              table["beta"].update(minutes=1)))
    assert tiny_project.build("--force", "--jobs", "1") == 0
    output = capsys.readouterr().out
    assert "build: 0/2 runs done, about 4 min left" in output
    assert "build: 1/2 runs done, about 1 min left" in output


def test_unknown_times_are_estimated_once_a_run_has_ended(tiny_project, capsys):
    (tiny_project.out / "manifest.json").unlink()
    assert tiny_project.build("--force", "--jobs", "1") == 0
    output = capsys.readouterr().out
    assert "build: 0/2 runs done, time left known once a run has ended" in output
    assert "build: 1/2 runs done, under a minute left" in output



def test_a_build_with_nothing_to_run_prints_no_count(tiny_project, capsys):
    assert tiny_project.build() == 0
    assert "runs done" not in capsys.readouterr().out


def test_a_log_gets_plain_lines_without_control_characters(tiny_project):
    result = tiny_project.build_in_subprocess("--force", "-p", "epochs=3")
    assert result.returncode == 0, result.stderr
    assert "build: 2/2 runs done" in result.stdout
    assert re.search(r"alpha +running +train epoch \d/3", result.stdout)
    assert not re.search(r"[\r\x1b\b]", result.stdout)


def test_a_terminal_gets_a_bar_for_the_whole_build(tiny_project):
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    process = subprocess.Popen([sys.executable, str(FIXTURES / "stub_build.py"),
                                *tiny_project.args("--force")], stdout=follower,
                               stderr=subprocess.DEVNULL)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:           # the build ended and closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(60) == 0
    text = shown.decode(errors="replace")
    assert "\rbuild 0/2 runs |" in text and "\rbuild 1/2 runs |" in text
    assert re.search(r"\rbuild 2/2 runs \|█+\| none left", text)
    assert "build: 0/2 runs done" not in text       # the bar replaces the plain lines


def test_a_line_is_due_on_a_new_stage_a_new_count_later_and_a_heartbeat():
    training = {"stage": "training", "count": 7, "total": 15}
    assert console.due(training, None, 0)
    assert not console.due(training, training, console.HEARTBEAT_SECONDS - 1)
    assert console.due(training, training, console.HEARTBEAT_SECONDS)
    assert console.HEARTBEAT_SECONDS <= 30
    later = {**training, "count": 8}
    assert not console.due(later, training, console.UPDATE_SECONDS - 1)
    assert console.due(later, training, console.UPDATE_SECONDS)
    assert console.doing(training, 983) == "training epoch 7/15  [16:23]"


def run(name: str, variant: str, minutes: float | None = None):
    return SimpleNamespace(name=name, variant=SimpleNamespace(name=variant, minutes=minutes))


def test_each_run_is_expected_to_take_its_last_time_its_variant_s_or_the_typical_one():
    previous = {"quick": False, "variants": {
        "cnn.seed1": {"variant": "cnn", "status": "cached", "seconds": 100},
        "cnn.seed2": {"variant": "cnn", "status": "done", "seconds": 200},
        "gray": {"variant": "gray", "status": "failed", "seconds": 5}}}
    runs = [run("cnn.seed1", "cnn", 9), run("cnn.seed3", "cnn", 9), run("gray", "gray", 2),
            run("new", "new")]
    assert estimate.expected_seconds(runs, previous, quick=False) == {
        "cnn.seed1": 100, "cnn.seed3": 150, "gray": 120, "new": None}
    assert estimate.expected_seconds(runs, previous, quick=True) == dict.fromkeys(
        ["cnn.seed1", "cnn.seed3", "gray", "new"])          # no quick times, minutes are full


def test_time_left_counts_running_runs_from_where_they_are_and_parallel_jobs():
    expected = {"a": 100.0, "b": 200.0, "c": None}
    assert estimate.seconds_left(expected, {}, {}, 1) is None
    assert estimate.seconds_left(expected, {"c": 60.0}, {"a": 40.0}, 1) == 260
    assert estimate.seconds_left(expected, {"c": 60.0}, {"a": 40.0}, 2) == 130
    assert estimate.seconds_left({"a": 100.0, "c": None}, {"a": 90.0}, {}, 1) == 90
