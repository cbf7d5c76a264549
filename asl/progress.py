"""``progress.json``: how far a running notebook is, written by the notebook, shown by the build.

A notebook calls ``progress.write(output_dir, "training", 7, 15)`` as it goes (e.g. from a Keras
callback as each epoch begins), or counts a long loop's items with ``progress.counting``; the
build polls the file and prints what the run is doing, with its count.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from asl.files import write_json_atomic

FILENAME = "progress.json"
DIR_VARIABLE = "ASL_PROGRESS_DIR"
"""Set by the build in each run's environment: the folder its ``progress.json`` goes to, for
code that is not handed ``output_dir`` (the hand detection, deep inside the study)."""
COUNT_SECONDS = 2.0


def write(output_dir, stage: str, count: int = 0, total: int = 0, message: str = "",
          unit: str = "epoch") -> None:
    """Record the current stage (and ``count`` of ``total`` ``unit``) atomically; a no-op
    without an output folder. The file also keeps when each stage began (``timeline``), for
    ``stage_seconds``."""
    if not output_dir:
        return
    timeline = (read(output_dir) or {}).get("timeline") or []
    if not timeline or timeline[-1][0] != str(stage):
        timeline.append([str(stage), time.time()])
    write_json_atomic(Path(output_dir) / FILENAME, {"stage": str(stage), "count": int(count),
                                                    "total": int(total), "unit": str(unit),
                                                    "message": str(message),
                                                    "timeline": timeline})


def counting(items, total: int, unit: str, output_dir=None, every: float = COUNT_SECONDS):
    """Yield ``items``, recording ``count/total unit`` within the stage the notebook last
    reported (``finding hands 8,400/20,300 photos``) at the start, then at most every ``every``
    seconds, and at the end; into ``output_dir``, else the folder the build gave this run
    (``ASL_PROGRESS_DIR``), else nowhere."""
    folder = output_dir or os.environ.get(DIR_VARIABLE)
    stage = ((read(folder) or {}).get("stage") or "working") if folder else ""
    write(folder, stage, 0, total, unit=unit)
    last, count = time.monotonic(), 0
    for count, item in enumerate(items, 1):
        yield item
        if time.monotonic() - last >= every:
            write(folder, stage, count, total, unit=unit)
            last = time.monotonic()
    write(folder, stage, count, total, unit=unit)


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
    """``{"stage": "training", "count": 7, "total": 15, ...}`` -> ``"training epoch 7/15"``;
    other units after the count: ``"finding hands 8,400/21,170 photos"``."""
    text = str(progress.get("stage", ""))
    total, unit = progress.get("total"), progress.get("unit") or "epoch"
    if total:
        count = progress.get("count", 0)
        text += f" epoch {count}/{total}" if unit == "epoch" else \
            f" {count:,}/{total:,} {unit}"
    if progress.get("message"):
        text += f"  {progress['message']}"
    return text.strip()
