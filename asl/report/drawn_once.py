"""Figures the report draws itself, drawn once per content: the file name carries a hash of
what the figure shows, and older drawings of the same figure are removed."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from asl.files import sha256


def drawn_once(out_dir: Path, stem: str, content, draw: Callable[[Path], None]) -> Path:
    """``figures/<stem>-<hash of content>.png`` under ``out_dir``, drawn by ``draw(path)``
    unless it already exists."""
    folder = Path(out_dir) / "figures"
    path = folder / f"{stem}-{sha256(content)[:12]}.png"
    if not path.exists():
        for old in folder.glob(f"{stem}-*.png"):
            old.unlink()
        draw(path)
    return path
