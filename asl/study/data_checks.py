"""The checks on the photos themselves that the build makes once before anything runs (the
listing's checks are in ``data_listing``): files that cannot be used, named on the console,
and wild photos that are also training photos, refused."""
from __future__ import annotations

from pathlib import Path

from asl.study import data_overlap
from asl.study.data_listing import few_names
from asl.study.data_scan import scan


def _kind(reason: str) -> str:
    """``"1x1 pixels, too small to use"`` -> ``"too small to use"``, to group the photos."""
    if reason.endswith("too small to use"):
        return "too small to use"
    return "damaged" if reason.startswith("damaged") else reason


def unusable_lines(key: str, path: str) -> list[str]:
    """One console line per reason some photos of ``path`` cannot be used, naming them."""
    by_kind: dict[str, list[str]] = {}
    for name, reason in scan(path).unusable.items():
        kind = _kind(reason)
        by_kind.setdefault(kind, []).append(name if kind == reason else
                                            f"{name} ({reason.split(',')[0]})")
    return [f"{key}: {Path(path).name}: {len(names)} photo(s) skipped, {kind}: "
            f"{few_names(names)}" for kind, names in sorted(by_kind.items())]


def before_build(data_path: str, wild_path: str = "") -> list[str]:
    """Decode both sets once (cached): the lines to print, or a DataError if the wild photos
    share photos with the training photos."""
    lines = unusable_lines("data", data_path) if data_path else []
    if data_path and wild_path:
        lines += unusable_lines("wild", wild_path)
        lines.append(data_overlap.check_wild(data_path, wild_path)["summary"])
    return lines
