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


def wild_path(given: str | None = None) -> str:
    """Out-of-domain test set: --wild, else $ASL_WILD, else '' (not evaluated)."""
    return _first(given, os.environ.get("ASL_WILD"))


def weights_path(given: str | None = None) -> str:
    """Pretrained backbone weights file: --weights, else $ASL_WEIGHTS, else '' (Keras cache)."""
    return _first(given, os.environ.get("ASL_WEIGHTS"))
