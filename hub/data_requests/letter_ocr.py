"""Tesseract (tesserocr) reads the scanned letters of outside agencies'
written requests. Plates in camera photos are scene text and are read by
`hub.reads.plate_reader` instead; Tesseract, made for pages of print,
misread them.

The tesserocr wheel bundles libtesseract but no language data: the hub uses
Debian's (packages `tesseract-ocr-eng` for English and `tesseract-ocr-osd`
for finding which way up a page is), found under
/usr/share/tesseract-ocr/<version>/tessdata. The engines are made once per
process and shared under a lock: making one costs far more than reading a
page, and a Tesseract engine reads one page at a time.

A scan arrives sideways, upside down or a few degrees askew. Each page is
turned upright by Tesseract's orientation detection, then straightened by
the angle at which its text lines are sharpest, before it is read; when the
reading is still poor, the other three quarter turns are tried and the most
confident reading is kept."""
from __future__ import annotations

import glob
import os
import threading
from dataclasses import dataclass

import numpy
from PIL import Image, ImageFilter, ImageOps

from hub.data_requests.letter_errors import OcrUnavailable

_lock = threading.Lock()
_engines: dict[str, object] = {}

MAX_SKEW_DEGREES = 6.0
POOR_CONFIDENCE = 60  # Tesseract's mean word confidence (0–100) below which other orientations are tried
_SKEW_SIDE = 800  # pixels: the long side of the copy the skew is measured on


@dataclass(frozen=True)
class PageText:
    text: str
    confidence: int  # Tesseract's mean word confidence, 0–100
    words: int  # words read with some confidence
    upright: Image.Image  # the page as it was read: turned upright and straightened


def tessdata_path(language: str = "eng") -> str:
    configured = os.environ.get("HUB_TESSDATA")
    candidates = [configured] if configured else sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata"),
                                                          reverse=True)
    for path in candidates:
        if path and os.path.isfile(os.path.join(path, f"{language}.traineddata")):
            return path
    package = {"eng": "tesseract-ocr-eng", "osd": "tesseract-ocr-osd"}[language]
    raise OcrUnavailable(f"Tesseract's {language} language data is missing: install the Debian package "
                         f"'{package}' (it provides /usr/share/tesseract-ocr/<version>/tessdata/"
                         f"{language}.traineddata), or set HUB_TESSDATA to a tessdata directory.")


def _engine(language: str):
    """The process's engine for a language; call with the lock held."""
    engine = _engines.get(language)
    if engine is None:
        from tesserocr import PSM, PyTessBaseAPI

        if language == "osd":
            engine = PyTessBaseAPI(path=tessdata_path("osd"), lang="osd", psm=PSM.OSD_ONLY)
        else:
            engine = PyTessBaseAPI(path=tessdata_path(language), lang=language, psm=PSM.AUTO)
            # Letters are dark print on light paper: looking for inverted text only costs time.
            engine.SetVariable("tessedit_do_invert", "0")
        _engines[language] = engine
    return engine


def read_page(page: Image.Image) -> PageText:
    """The text of one greyscale page, read the right way up."""
    with _lock:
        turn = _orientation(page)
        reading = _read(_straighten(_turn(page, turn)))
        if reading.confidence < POOR_CONFIDENCE:
            for other in (0, 90, 180, 270):
                if other != turn:
                    candidate = _read(_straighten(_turn(page, other)))
                    if candidate.confidence > reading.confidence:
                        reading = candidate
        return reading


def _turn(page: Image.Image, degrees: int) -> Image.Image:
    """The page turned anticlockwise by a quarter-turn multiple."""
    return page.rotate(degrees, expand=True) if degrees else page


def _orientation(page: Image.Image) -> int:
    """How far (anticlockwise, in degrees) to turn the page to make it upright;
    0 when Tesseract finds too little text to say."""
    engine = _engine("osd")
    engine.SetImage(page)
    try:
        found = engine.DetectOrientationScript()
    except RuntimeError:
        return 0
    if not found:
        return 0
    # Tesseract reports the page's rotation clockwise from upright; turning it back is that many
    # degrees anticlockwise, which is PIL's positive direction.
    return int(found["orient_deg"]) % 360


def _read(page: Image.Image) -> PageText:
    engine = _engine("eng")
    engine.SetImage(page)
    text = engine.GetUTF8Text()
    confidences = [value for value in engine.AllWordConfidences() if value > 0]
    confidence = round(sum(confidences) / len(confidences)) if confidences else 0
    return PageText(text=text, confidence=confidence, words=len(confidences), upright=page)


def skew_angle(page: Image.Image) -> float:
    """The small turn (degrees anticlockwise, as PIL turns) that makes the
    page's text lines horizontal: the one at which the rows of ink are
    sharpest (the sum of squared ink counts per row is highest). Measured on
    a small copy."""
    scale = _SKEW_SIDE / max(page.size)
    small = page.resize((max(1, round(page.width * scale)), max(1, round(page.height * scale))),
                        Image.Resampling.BILINEAR) if scale < 1 else page
    pixels = numpy.asarray(small, dtype=numpy.float32)
    threshold = min(pixels.mean() - pixels.std(), 160.0)
    ys, xs = numpy.nonzero(pixels < threshold)
    if len(ys) < 50:
        return 0.0
    ys = ys - small.height / 2
    xs = xs - small.width / 2

    def sharpness(angle: float) -> float:
        radians = numpy.deg2rad(angle)
        rows = numpy.round(ys * numpy.cos(radians) - xs * numpy.sin(radians)).astype(numpy.int64)
        counts = numpy.bincount(rows - rows.min())
        return float((counts.astype(numpy.float64) ** 2).sum())

    coarse = numpy.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 0.01, 0.5)
    best = max(coarse, key=sharpness)
    fine = numpy.arange(best - 0.5, best + 0.51, 0.1)
    return float(max(fine, key=sharpness))


def _straighten(page: Image.Image) -> Image.Image:
    angle = skew_angle(page)
    if abs(angle) < 0.2:
        return page
    return page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)  # corners: paper


def smoothed(page: Image.Image) -> Image.Image:
    """A noisy scan with its speckle taken out (a 3×3 median) and contrast
    stretched: what Tesseract's own binarisation then reads best."""
    return ImageOps.autocontrast(page.filter(ImageFilter.MedianFilter(3)), cutoff=1)
