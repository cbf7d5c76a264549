"""``progress.json``: how far a running notebook is, written by the notebook, shown by the build.

A notebook calls ``progress.write(output_dir, "train", epoch, epochs, "loss 0.41")`` as it goes
(e.g. from a Keras callback at each epoch end); the build polls the file and prints a line
whenever it changes.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from asl.files import write_json_atomic

FILENAME = "progress.json"


def write(output_dir, stage: str, epoch: int = 0, epochs: int = 0, message: str = "") -> None:
    """Record the current stage (and epoch) atomically; a no-op without an output folder.
    The file also keeps when each stage began (``timeline``), for ``stage_seconds``."""
    if not output_dir:
        return
    timeline = (read(output_dir) or {}).get("timeline") or []
    if not timeline or timeline[-1][0] != str(stage):
        timeline.append([str(stage), time.time()])
    write_json_atomic(Path(output_dir) / FILENAME, {"stage": str(stage), "epoch": int(epoch),
                                                    "epochs": int(epochs),
                                                    "message": str(message),
                                                    "timeline": timeline})


def stage_seconds(output_dir) -> dict[str, float]:
    """Seconds spent in each stage so far (stages entered twice add up)."""
    timeline = (read(output_dir) or {}).get("timeline") or []
    seconds: dict[str, float] = {}
    for (stage, start), (_, end) in zip(timeline, timeline[1:] + [["", time.time()]]):
        seconds[stage] = round(seconds.get(stage, 0.0) + end - start, 2)
    return seconds


def read(output_dir) -> dict | None:
    """The last progress written, or None."""
    try:
        return json.loads((Path(output_dir) / FILENAME).read_text())
    except (OSError, ValueError):
        return None


def describe(progress: dict) -> str:
    """``{"stage": "train", "epoch": 3, "epochs": 10, ...}`` -> ``"train epoch 3/10  ..."``."""
    text = str(progress.get("stage", ""))
    if progress.get("epochs"):
        text += f" epoch {progress.get('epoch', 0)}/{progress['epochs']}"
    if progress.get("message"):
        text += f"  {progress['message']}"
    return text.strip()
