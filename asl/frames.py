"""Frame numbers in photo file names: the Kaggle photos are video frames, ``A1234.jpg`` is frame
1234 of class A. Shared by the study (the frame-block split) and the report (which resamples
whole blocks of frames), so it sits beside the other contract modules."""
from __future__ import annotations

import re
from pathlib import PurePosixPath

_FRAME_NUMBER = re.compile(r"(\d+)(?:_test)?$", re.IGNORECASE)


def frame_number(file_name: str) -> int:
    """Frame number of a Kaggle file name (``A1234.jpg`` -> 1234), or -1."""
    match = _FRAME_NUMBER.search(PurePosixPath(file_name).stem)
    return int(match.group(1)) if match else -1


def block_index(frame, block_size: int):
    """The block of ``block_size`` consecutive frames a frame number (or an array of them) falls
    in: frames 1..block_size are block 0. The split holds out whole blocks; the report
    resamples the same ones."""
    return (frame - 1) // block_size
