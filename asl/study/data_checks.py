"""The checks on the photos themselves that the build makes once before anything runs (the
listing's checks are in ``data_listing``): files that cannot be used, named on the console,
splits that leave a class without training or validation photos, and wild photos that are
also training photos, refused."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from asl.errors import DataError
from asl.study import data_overlap
from asl.study.data import spread_per_class
from asl.study.data_listing import Entry, few_names, survey
from asl.study.data_scan import PhotoScan, scan
from asl.study.splits import check_random_counts, make_split, split_settings


def _kind(reason: str) -> str:
    """``"1x1 pixels, too small to use"`` -> ``"too small to use"``, to group the photos."""
    if reason.endswith("too small to use"):
        return "too small to use"
    return "damaged" if reason.startswith("damaged") else reason


def unusable_lines(key: str, path: str, found: PhotoScan) -> list[str]:
    """One console line per reason some photos of ``path`` cannot be used, naming them."""
    by_kind: dict[str, list[str]] = {}
    for name, reason in found.unusable.items():
        kind = _kind(reason)
        by_kind.setdefault(kind, []).append(name if kind == reason else
                                            f"{name} ({reason.split(',')[0]})")
    return [f"{key}: {Path(path).name}: {len(names)} photo(s) skipped, {kind}: "
            f"{few_names(names)}" for kind, names in sorted(by_kind.items())]


def check_splits(entries: list[Entry], unusable: dict, runs: dict[str, dict]) -> None:
    """Make each run's split (run name -> parameters) from the listing, as its notebook will,
    and refuse one that leaves a class without training or validation photos."""
    done = set()
    for name, parameters in runs.items():
        if "split" not in parameters:
            continue
        settings = split_settings(parameters)
        key = (parameters["split"], parameters.get("max_per_class", 0), *settings.items())
        if key in done:
            continue
        done.add(key)
        kept = [e for e in spread_per_class(entries, parameters.get("max_per_class", 0))
                if e.name not in unusable]
        labels = np.array([e.label for e in kept])
        try:
            if parameters["split"] == "random":     # counts only: scikit-learn is slow to load
                check_random_counts(labels)
            else:
                make_split(parameters["split"], labels, np.array([e.frame for e in kept]),
                           **settings)
        except DataError as error:
            raise DataError(f"{name}: {error}") from None


def before_build(data_path: str, wild_path: str = "", runs: dict[str, dict] | None = None
                 ) -> list[str]:
    """Decode both sets once (cached) and make the runs' splits: the lines to print, or a
    DataError if a split leaves a class out of training or the wild photos share photos with
    the training photos."""
    train = scan(data_path)
    lines = unusable_lines("data", data_path, train)
    if wild_path:       # first: --data given the wild photos is said as such
        wild = scan(wild_path)
        lines += unusable_lines("wild", wild_path, wild)
        lines.append(data_overlap.check_wild(data_path, wild_path, train, wild)["summary"])
    if any("split" in parameters for parameters in (runs or {}).values()):
        check_splits(survey(data_path, sniff=False).entries, train.unusable, runs)
    return lines
