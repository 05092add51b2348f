"""Decoding camera images with limits, so one bad image is one refused read
and never a crashed worker. Pillow's decompression-bomb guard stays on (an
image that claims more pixels than `MAX_PIXELS` is refused before it is
decoded); the whole image is decoded here, so a truncated file is found at
the door rather than later in the reader."""
from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
MIN_SIDE = 8
MAX_SIDE = 8000
MAX_PIXELS = 40_000_000  # well above a 4K frame; below it Pillow decodes, above it nothing is decoded
EIGHT_BIT_MODES = {"1", "L", "P", "RGB", "RGBA", "LA", "PA", "RGBX"}


class ImageRefused(ValueError):
    """Why an image cannot be read; the message is for the camera's operator."""


def decode(data: bytes) -> Image.Image:
    """The image, fully decoded, as RGB; or ImageRefused saying why not."""
    return _decoded(data, reduced=False)


def check(data: bytes) -> None:
    """ImageRefused unless `decode` would succeed; what ingest asks of every
    image it stores but does not read. A JPEG is decoded at an eighth of its
    size (libjpeg still reads every coefficient, so a truncated or damaged
    file is found all the same, at a fraction of the time and memory)."""
    _decoded(data, reduced=True)


def _decoded(data: bytes, *, reduced: bool) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in IMAGE_FORMATS:
                raise ImageRefused("Not a JPEG, PNG or WebP image.")
            width, height = image.size
            if min(width, height) < MIN_SIDE:
                raise ImageRefused(f"The image is {width}×{height} pixels: too small to hold a plate.")
            if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
                raise ImageRefused(f"The image is {width}×{height} pixels; the limit is {MAX_SIDE} pixels a side "
                                   f"and {MAX_PIXELS:,} pixels in all.")
            if image.mode not in EIGHT_BIT_MODES:
                raise ImageRefused(f"The image's colour mode is {image.mode}: send 8-bit RGB or greyscale "
                                   "(not CMYK, not 16-bit).")
            if reduced and image.format == "JPEG":
                image.draft("RGB", (max(MIN_SIDE, width // 8), max(MIN_SIDE, height // 8)))
            image.load()
            return image if image.mode == "RGB" else image.convert("RGB")  # a camera's JPEG is RGB: no copy
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("The image would decompress to more pixels than allowed.") from None
    except UnidentifiedImageError:
        raise ImageRefused("Not a JPEG, PNG or WebP image.") from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise ImageRefused(f"The image cannot be decoded ({str(error) or error.__class__.__name__}): "
                           "it may be truncated or damaged.") from None
