"""Which held-out frame block each in-domain test photo comes from: consecutive frames of one
video are alike, so the block, not the photo, is the unit that was sampled. Derived from the
photo's id (``A/A1234.jpg``) and the split's block size, as the split drew them."""
from __future__ import annotations

from pathlib import PurePosixPath

from asl.frames import block_index, frame_number


def frame_blocks(ids, split: dict | None) -> list[str] | None:
    """``"A:8"`` (class, block number) per photo of a frame-block split; None for any other
    split, or when a block size or a frame number is missing (the photos then count alone)."""
    split = split or {}
    size = split.get("block_size")
    if split.get("kind") != "frame_block" or not isinstance(size, int) or size < 1:
        return None
    blocks = []
    for identifier in ids:
        path = PurePosixPath(str(identifier))
        frame = frame_number(path.name)
        if frame < 0:
            return None
        blocks.append(f"{path.parent}:{block_index(frame, size)}")
    return blocks
