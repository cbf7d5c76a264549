"""Paths and environment variables, in one place."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
TEMPLATES_DIR = PROJECT_ROOT / "templates"
VARIANTS_FILE = PROJECT_ROOT / "variants.yaml"
REPORT_DIR = PROJECT_ROOT / "report"
QUICK_REPORT_DIR = REPORT_DIR / "quick"
CACHE_DIR = Path(os.environ.get("ASL_CACHE", PROJECT_ROOT / ".cache"))
KERAS_WEIGHTS_DIR = Path.home() / ".keras" / "models"


def _first(*candidates) -> str:
    for candidate in candidates:
        if candidate:
            return str(candidate)
    return ""


def data_path(given: str | None = None) -> str:
    """Training data: --data, else $ASL_DATA, else data/ in the project."""
    return _first(given, os.environ.get("ASL_DATA"), PROJECT_ROOT / "data")


WILD_NAMES = ("asl-alphabet-test-wild.zip", "asl-alphabet-test-wild", "asl_alphabet_test_wild")
WEIGHTS_FILE = "mobilenet_2_5_224_tf_no_top.h5"


def _beside(data: str, names, subfolder: str = "") -> str:
    """The first of ``names`` found next to the data (or in ``subfolder`` one level up)."""
    if not data:
        return ""
    here = Path(data).expanduser().resolve().parent
    for folder in (here, here.parent / subfolder) if subfolder else (here,):
        for name in names:
            if (folder / name).exists():
                return str(folder / name)
    return ""


def wild_path(given: str | None = None, data: str = "") -> str:
    """Out-of-domain test set: --wild, else $ASL_WILD, else the wild set lying beside the
    training data, else '' (not evaluated)."""
    return _first(given, os.environ.get("ASL_WILD"), _beside(data, WILD_NAMES))


def weights_path(given: str | None = None, data: str = "") -> str:
    """MobileNet weights file: --weights, else $ASL_WEIGHTS, else a ``weights/`` folder beside
    the data's folder, else '' (the Keras cache)."""
    return _first(given, os.environ.get("ASL_WEIGHTS"),
                  _beside(data, (WEIGHTS_FILE,), subfolder="weights"))


SEED_PARAMETER = "train_seed"
"""The training seed of a run: set by the build for each of a variant's seeds (``--seeds``),
separate from the split seed ``seed``. A notebook without it runs once."""
DEFAULT_SEEDS = {"full": 3, "quick": 1}

PATH_PARAMETERS = ("data_path", "wild_path", "weights_path")
BUILD_PARAMETERS = (*PATH_PARAMETERS, "output_dir", "threads", "quick")
"""Notebook parameters that the build sets (never the user): the data paths, where to write,
how many threads, and whether this is a quick build."""


def interop_threads(threads: int) -> int:
    """TensorFlow's inter-op pool for a kernel given ``threads`` cores: 1 up to 2 cores, else 2."""
    return 1 if threads <= 2 else 2


SHARED_DIR = Path(os.environ.get("ASL_SHARED", PROJECT_ROOT.parent / "shared"))
"""The team's shared data and weights (``../shared``), used by the tests, CI and benchmarks;
users point the build at their own download instead."""


def shared_paths(shared_dir: Path = SHARED_DIR) -> dict[str, Path]:
    """Training data, wild set and MobileNet weights inside the shared folder."""
    return {"data": shared_dir / "data" / "asl-alphabet-64px.zip",
            "wild": shared_dir / "data" / "asl-alphabet-test-wild.zip",
            "weights": shared_dir / "weights" / WEIGHTS_FILE}
