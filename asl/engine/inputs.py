"""Every check made before anything runs: the data, wild and weights paths, a look at the
photos' file names, the weights file, and the output folder."""
from __future__ import annotations

import tempfile
from pathlib import Path

from asl import config
from asl.engine.plan import Run
from asl.errors import BuildError, DataError, WeightsError

HINTS = {"data": "give --data PATH or set ASL_DATA: the training photos, the Kaggle 'ASL "
                 "Alphabet' folder or zip",
         "wild": "give --wild PATH or set ASL_WILD: out-of-domain test photos, a folder or zip "
                 "with one folder per class",
         "weights": "give --weights PATH or set ASL_WEIGHTS: the MobileNet weights file, with "
                    "the hand models beside it"}


def data_paths(data: str | None, wild: str | None, weights: str | None,
               check=()) -> dict[str, str]:
    """Absolute data, wild and weights paths; each one named in ``check`` that is given must
    exist."""
    data = config.data_path(data)
    paths = {"data": data, "wild": config.wild_path(wild, data),
             "weights": config.weights_path(weights, data)}
    for key, path in paths.items():
        if path:
            paths[key] = str(Path(path).expanduser().resolve())
            if key in check and not Path(path).exists():
                raise DataError(f"{key} not found at {path}: {HINTS[key]}")
    if "weights" in check:
        readable_weights(paths["weights"])
    return paths


def check_data(paths: dict[str, str], runs: list[Run], needed=("data", "wild")) -> None:
    """Look at the data once before anything runs (file names and a few file headers, then
    every photo decoded once, cached): stop with one message if there are no photos or the
    wild photos are training photos, print what will be left out."""
    from asl.study import data, data_checks

    framed = [run.name for run in runs if run.parameters.get("split") == "frame_block"]
    for key in ("data", "wild"):
        if not paths[key] or key not in needed:
            continue
        listing = data.survey(paths[key])
        for line in listing.warnings(training=key == "data"):
            print(f"{key}: {line}", flush=True)
        if key == "data" and framed and len(listing.unnumbered) == len(listing.entries):
            raise DataError(
                f"no file name in '{paths[key]}' has a frame number (A1234.jpg), which the "
                f"frame-block split of {', '.join(framed)} needs: rename the photos, or use "
                "-p split=random")
    wild = paths["wild"] if "wild" in needed else ""
    if paths["data"] and "data" in needed:   # decodes every photo once (cached); splits; overlap
        for line in data_checks.before_build(paths["data"], wild,
                                             {run.name: run.parameters for run in runs}):
            print(line, flush=True)


def readable_weights(path: str) -> None:
    """Refuse a weights file HDF5 cannot open (truncated download) before anything runs."""
    if not path or not path.endswith(".h5") or not Path(path).is_file():
        return
    import h5py

    try:
        h5py.File(path, "r").close()
    except OSError as error:
        raise WeightsError(f"the weights file {path} cannot be read ({error}): it is damaged "
                           f"or incomplete; download it again and give it with --weights "
                           f"PATH") from None


def writable(folder: Path) -> None:
    """Make ``folder`` if needed and check a file can be written in it; else one clear error."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise BuildError(f"cannot write to {folder}: {error.strerror or error}; choose another "
                         f"folder with --out, or make it writable") from None
