"""Tesseract (tesserocr) reads the scanned letters of outside agencies'
written requests. Plates in camera photos are scene text and are read by
`hub.reads.plate_reader` instead; Tesseract, made for pages of print,
misread them.

The tesserocr wheel bundles libtesseract but no language data: the hub uses
Debian's (package `tesseract-ocr-eng`), found under
/usr/share/tesseract-ocr/<version>/tessdata. The engine is made once per
process and shared under a lock: making one costs far more than reading a
page, and an engine reads one page at a time.

A scan arrives speckled, sideways, upside down or a few degrees askew.
Before a page is read, scanner grain is smoothed away (it makes Tesseract
take the page for a picture), and the page is turned by the angle at which
its lines of ink are sharpest: that straightens a skewed page and lays a
sideways one flat, but cannot tell up from down, so a page read with poor
confidence is read again the other way up and the more confident reading
is kept."""
from __future__ import annotations

import glob
import os
import threading
from dataclasses import dataclass

import numpy
from PIL import Image, ImageFilter

from hub.data_requests.letter_errors import OcrUnavailable

_lock = threading.Lock()
_engine = None

MAX_SKEW_DEGREES = 6.0
POOR_CONFIDENCE = 60  # mean word confidence (0–100) below which the page is read the other way up too
INK_CONTRAST = 80  # grey levels below the paper's at which a pixel is ink
INK_SHARE = 0.0001
GRAIN = 4.0  # mean grey-level difference from a 3×3 average above which a page counts as speckled
_SMALL_SIDE = 800  # pixels: the long side of the copy that angles and grain are measured on


@dataclass(frozen=True)
class PageText:
    text: str
    confidence: int  # Tesseract's mean word confidence, 0–100
    words: int  # words read with some confidence
    upright: Image.Image  # the page as it was read: cleaned, turned and straightened


def tessdata_path() -> str:
    configured = os.environ.get("HUB_TESSDATA")
    candidates = [configured] if configured else sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata"),
                                                          reverse=True)
    for path in candidates:
        if path and os.path.isfile(os.path.join(path, "eng.traineddata")):
            return path
    raise OcrUnavailable("Tesseract's English language data is missing: install the Debian package "
                         "'tesseract-ocr-eng' (it provides /usr/share/tesseract-ocr/<version>/tessdata/"
                         "eng.traineddata), or set HUB_TESSDATA to a tessdata directory.")


def _tesseract():
    """The process's engine; call with the lock held."""
    global _engine
    if _engine is None:
        from tesserocr import PSM, PyTessBaseAPI

        engine = PyTessBaseAPI(path=tessdata_path(), lang="eng", psm=PSM.AUTO)
        # Letters are dark print on light paper: looking for inverted text only costs time.
        engine.SetVariable("tessedit_do_invert", "0")
        _engine = engine
    return _engine


def read_page(page: Image.Image) -> PageText:
    """The text of one greyscale page, read the right way up."""
    page = without_grain(page)
    if not has_ink(page):
        return PageText(text="", confidence=0, words=0, upright=page)
    angle = text_angle(page)
    best = None
    for turn in (angle, angle + 180):
        reading = _read(turned(page, turn))
        if best is None or reading.confidence > best.confidence:
            best = reading
        if best.confidence >= POOR_CONFIDENCE:
            break
    return best


def _read(page: Image.Image) -> PageText:
    with _lock:
        engine = _tesseract()
        engine.SetImage(page)
        text = engine.GetUTF8Text()
        confidences = [value for value in engine.AllWordConfidences() if value > 0]
    confidence = round(sum(confidences) / len(confidences)) if confidences else 0
    return PageText(text=text, confidence=confidence, words=len(confidences), upright=page)


def _small(page: Image.Image) -> Image.Image:
    scale = _SMALL_SIDE / max(page.size)
    if scale >= 1:
        return page
    return page.resize((max(1, round(page.width * scale)), max(1, round(page.height * scale))),
                       Image.Resampling.BILINEAR)


def without_grain(page: Image.Image) -> Image.Image:
    """The page with scanner grain averaged away (a 3×3 mean), when it has
    grain: measured on its middle, at full resolution, where print and
    paper are."""
    width, height = page.size
    middle = page.crop((width // 4, height // 4, width // 4 + min(600, width // 2),
                        height // 4 + min(600, height // 2)))
    original = numpy.asarray(middle, dtype=numpy.int16)
    averaged = numpy.asarray(middle.filter(ImageFilter.BoxBlur(1)), dtype=numpy.int16)
    if numpy.abs(original - averaged).mean() < GRAIN:
        return page
    return page.filter(ImageFilter.BoxBlur(1))


def has_ink(page: Image.Image) -> bool:
    """Whether anything is printed or written on the page: pixels much darker
    than its paper cover more than a hundredth of a percent of it (a blank
    back page, or a scan of nothing, is not given to Tesseract)."""
    pixels = numpy.asarray(_small(page), dtype=numpy.int16)
    paper = numpy.median(pixels)
    return numpy.count_nonzero(pixels < paper - INK_CONTRAST) > INK_SHARE * pixels.size


def text_angle(page: Image.Image) -> float:
    """The turn (degrees anticlockwise, as PIL turns) that lays the page's
    lines of text horizontal: within a few degrees of 0 for an upright or
    upside-down page, of 90 for a sideways one. It is the angle at which the
    rows of ink are sharpest (the sum of squared ink counts per row is
    highest), measured on a small copy."""
    small = _small(page)
    pixels = numpy.asarray(small, dtype=numpy.float32)
    ys, xs = numpy.nonzero(pixels < min(pixels.mean() - pixels.std(), 160.0))
    if len(ys) < 50:
        return 0.0
    ys = ys - small.height / 2
    xs = xs - small.width / 2

    def sharpness(angle: float) -> float:
        radians = numpy.deg2rad(angle)
        rows = numpy.round(ys * numpy.cos(radians) - xs * numpy.sin(radians)).astype(numpy.int64)
        counts = numpy.bincount(rows - rows.min()).astype(numpy.float64)
        return float((counts ** 2).sum())

    steps = numpy.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 0.01, 0.5)
    best = max([*steps, *(steps + 90)], key=sharpness)
    return float(max(numpy.arange(best - 0.5, best + 0.51, 0.1), key=sharpness))


_QUARTER_TURNS = {1: Image.Transpose.ROTATE_90, 2: Image.Transpose.ROTATE_180, 3: Image.Transpose.ROTATE_270}


def turned(page: Image.Image, degrees: float) -> Image.Image:
    """The page turned anticlockwise: quarter turns exactly, the rest (a
    skew) resampled, with the corners it uncovers filled with paper."""
    quarters = round(degrees / 90)
    rest = degrees - quarters * 90
    if quarters % 4:
        page = page.transpose(_QUARTER_TURNS[quarters % 4])
    if abs(rest) >= 0.2:
        page = page.rotate(rest, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
    return page
