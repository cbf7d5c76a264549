"""Decode one photo: open it with Pillow the right way up, scale it to 8 bits and resize it."""
from __future__ import annotations

import io
import zipfile
import zlib

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

COLOR_MODES = {"rgb": "RGB", "grayscale": "L"}
UNREADABLE = (UnidentifiedImageError, OSError, ValueError, SyntaxError, zlib.error,
              zipfile.BadZipFile, Image.DecompressionBombError)
"""What reading or decoding one photo may raise: the photo is skipped and counted."""
MIN_SIDE = 8            # a photo narrower or lower than this cannot show a hand: skipped


class PhotoTooSmall(ValueError):
    """A photo below ``MIN_SIDE`` pixels on a side (a 1x1 placeholder, an icon)."""


def open_photo(raw: bytes, mode: str, draft_size: int = 0) -> Image.Image:
    """A photo as a Pillow image in ``mode`` ("RGB" or "L"), the right way up (EXIF
    orientation applied) and with 16- or 32-bit pixels scaled down to 8 bits, not clipped.
    Raises ``PhotoTooSmall`` below ``MIN_SIDE`` pixels on a side."""
    with Image.open(io.BytesIO(raw)) as image:
        if min(image.size) < MIN_SIDE:
            raise PhotoTooSmall(f"{image.width}x{image.height} pixels, too small to use")
        if draft_size:
            image.draft(mode, (draft_size, draft_size))
        image = ImageOps.exif_transpose(image)
        if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
            scaled = np.asarray(image, dtype=np.float64) / 257.0
            image = Image.fromarray(np.clip(scaled.round(), 0, 255).astype(np.uint8))
        return image.convert(mode)


def decode(raw: bytes, size: int, mode: str) -> np.ndarray:
    image = open_photo(raw, mode, size).resize((size, size), Image.Resampling.BILINEAR)
    array = np.asarray(image, dtype=np.uint8)
    return array[..., None] if array.ndim == 2 else array


def is_image(read, name: str) -> bool:
    """True if the file's header is one Pillow can read (the pixels are not decoded)."""
    try:
        with Image.open(io.BytesIO(read(name))):
            return True
    except Image.DecompressionBombError:
        return True     # an image, just too large: skipped when decoded
    except UNREADABLE:
        return False



def unreadable_reason(raw: bytes, error: Exception) -> str:
    """Why a photo could not be used, in a few words, from what reading it raised."""
    if isinstance(error, PhotoTooSmall):
        return str(error)
    if isinstance(error, (FileNotFoundError, PermissionError)):
        return "cannot be opened"
    if not raw:
        return "empty file"
    if isinstance(error, Image.DecompressionBombError):
        return "too large to decode safely"
    if isinstance(error, UnidentifiedImageError):
        return "not an image"
    if "truncated" in str(error).lower() or isinstance(error, (SyntaxError, zlib.error)):
        return "truncated or damaged"
    return f"damaged ({error})"
