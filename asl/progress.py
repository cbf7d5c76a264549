"""``progress.json``: how far a running notebook is, written by the notebook, shown by the build.

A notebook calls ``progress.write(output_dir, "train", epoch, epochs, "loss 0.41")`` as it goes
(e.g. from a Keras callback at each epoch end); the build polls the file and prints a line
whenever it changes.
"""
from __future__ import annotations

import json
from pathlib import Path

from asl.files import write_json_atomic

FILENAME = "progress.json"


def write(output_dir, stage: str, epoch: int = 0, epochs: int = 0, message: str = "") -> None:
    """Record the current stage (and epoch) atomically; a no-op without an output folder."""
    if output_dir:
        write_json_atomic(Path(output_dir) / FILENAME, {"stage": str(stage), "epoch": int(epoch),
                                                        "epochs": int(epochs),
                                                        "message": str(message)})


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
