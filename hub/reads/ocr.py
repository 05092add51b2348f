"""Reading plate text from a plate image with Tesseract (tesserocr).

The tesserocr wheel bundles libtesseract but no language data: the hub uses
Debian's (package `tesseract-ocr-eng`), found at start-up under
/usr/share/tesseract-ocr/<version>/tessdata. One engine per thread, made
once and reused: creating one costs far more than reading a plate.

Images are prepared first: grey, contrast stretched, enlarged when small,
straightened (the angle whose row profile is sharpest), thresholded, freed of
the plate's frame, bordered with white; then read as a single line from a
plate's alphabet."""
from __future__ import annotations

import glob
import io
import os
import threading
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageOps

from hub.reads import plate_formats
from hub.reads.errors import OcrUnavailable

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
UNFITTED_PENALTY = 0.5  # text that fits no issued plate format goes to a person
TARGET_HEIGHT = 64
COARSE_ANGLES = range(-8, 9, 2)
_local = threading.local()


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


def _engine():
    engine = getattr(_local, "engine", None)
    if engine is None:
        from tesserocr import OEM, PSM, PyTessBaseAPI

        engine = PyTessBaseAPI(path=tessdata_path(), lang="eng", psm=PSM.SINGLE_LINE, oem=OEM.LSTM_ONLY)
        engine.SetVariable("tessedit_char_whitelist", ALPHABET)
        _local.engine = engine
    return engine


def _sharpness(image: Image.Image) -> float:
    """How crisply rows split into ink and paper: highest when text is level."""
    width, height = image.size
    data = image.tobytes()
    rows = [sum(data[y * width:(y + 1) * width]) for y in range(height)]
    mean = sum(rows) / height
    return sum((r - mean) ** 2 for r in rows)


def _deskew(grey: Image.Image) -> Image.Image:
    """Coarse angles first, then half-degree steps around the best."""
    inverted = ImageOps.invert(grey.resize((max(1, grey.width // 2), max(1, grey.height // 2))))

    def score(angle: float) -> float:
        return _sharpness(inverted.rotate(angle, resample=Image.BILINEAR, expand=True))

    coarse = max(COARSE_ANGLES, key=score)
    best = max((coarse - 1, coarse - 0.5, coarse, coarse + 0.5, coarse + 1), key=score)
    return grey.rotate(best, resample=Image.BICUBIC, expand=True, fillcolor=255) if best else grey


def _otsu(image: Image.Image) -> int:
    histogram = image.histogram()
    total = sum(histogram)
    sum_all = sum(i * h for i, h in enumerate(histogram))
    weight_b = sum_b = 0
    best, threshold = -1.0, 127
    for level, count in enumerate(histogram):
        weight_b += count
        if not weight_b or weight_b == total:
            continue
        sum_b += level * count
        weight_f = total - weight_b
        mean_b, mean_f = sum_b / weight_b, (sum_all - sum_b) / weight_f
        between = weight_b * weight_f * (mean_b - mean_f) ** 2
        if between > best:
            best, threshold = between, level
    return threshold


def _remove_frame(binary: Image.Image) -> Image.Image:
    """Erase a plate's frame: the ink met first when scanning in from an
    edge, flood-filled, and erased only if what it fills spans the plate
    (a character never does)."""
    width, height = binary.size
    pixels = binary.load()
    seeds = [((x, height // 2) for x in range(width // 4)),
             ((x, height // 2) for x in range(width - 1, width * 3 // 4, -1)),
             ((width // 2, y) for y in range(height // 4)),
             ((width // 2, y) for y in range(height - 1, height * 3 // 4, -1))]
    for scan in seeds:
        seed = next((xy for xy in scan if pixels[xy] == 0), None)
        if seed is None:
            continue
        trial = binary.copy()
        ImageDraw.floodfill(trial, seed, 128)
        box = trial.point(lambda v: 255 if v == 128 else 0).getbbox()
        if box and box[2] - box[0] > 0.8 * width and box[3] - box[1] > 0.6 * height:
            binary = trial.point(lambda v: 255 if v == 128 else v)
            pixels = binary.load()
    return binary


def prepare(image: Image.Image, *, smooth: bool = True, ink: int = 0) -> Image.Image:
    """`smooth` takes out speckle; `ink` > 0 thickens strokes by that many
    pixels (for thin or broken characters), < 0 thins them."""
    grey = ImageOps.autocontrast(ImageOps.grayscale(image), cutoff=1)
    if grey.height != TARGET_HEIGHT * 2:
        scale = TARGET_HEIGHT * 2 / grey.height
        grey = grey.resize((max(1, round(grey.width * scale)), TARGET_HEIGHT * 2), Image.LANCZOS)
    if smooth:
        grey = grey.filter(ImageFilter.MedianFilter(3))
    if ink:
        grey = grey.filter(ImageFilter.MinFilter(2 * ink + 1) if ink > 0 else ImageFilter.MaxFilter(-2 * ink + 1))
    grey = _deskew(grey)
    threshold = _otsu(grey)
    binary = grey.point(lambda v: 255 if v > threshold else 0)
    if sum(binary.histogram()[:128]) > binary.width * binary.height / 2:
        binary = ImageOps.invert(binary)  # light text on a dark plate
    return ImageOps.expand(_remove_frame(binary.convert("L")), border=16, fill=255)


@dataclass(frozen=True)
class Recognition:
    text: str
    confidence: float


def _read(engine, psm) -> Recognition:
    engine.SetPageSegMode(psm)
    text = "".join(ch for ch in engine.GetUTF8Text().upper() if ch in ALPHABET)
    return Recognition(text, engine.MeanTextConf() / 100 if text else 0.0)


PREPARATIONS = ({}, {"ink": 1}, {"smooth": False}, {"ink": -1})


def recognise(data: bytes) -> Recognition:
    """The plate text and Tesseract's confidence (0 to 1). Read as a line
    (as a single word when the line reading finds nothing) and fitted to the
    plate formats the state issues (`plate_formats`); a reading that fits no
    format is tried again on differently prepared images, and the best
    fitted reading wins. Most plates need the first preparation only."""
    from tesserocr import PSM

    engine = _engine()
    best = None
    with Image.open(io.BytesIO(data)) as image:
        for options in PREPARATIONS:
            engine.SetImage(prepare(image, **options))
            result = _read(engine, PSM.SINGLE_LINE)
            if not result.text:
                result = _read(engine, PSM.SINGLE_WORD)
            fitted = plate_formats.fit(result.text)
            if fitted is not None:
                return Recognition(fitted, result.confidence)
            candidate = Recognition(result.text, result.confidence * UNFITTED_PENALTY)
            if best is None or candidate.confidence > best.confidence:
                best = candidate
    return best
