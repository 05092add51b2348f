"""Tesseract (tesserocr), for documents: the scanned letters of outside
agencies' written requests. Plates in camera photos are scene text and are
read by `hub.reads.plate_reader` instead; Tesseract, made for pages of
print, misread them.

The tesserocr wheel bundles libtesseract but no language data: the hub uses
Debian's (package `tesseract-ocr-eng`), found at start-up under
/usr/share/tesseract-ocr/<version>/tessdata. One engine per thread, made
once and reused: creating one costs far more than reading a page."""
from __future__ import annotations

import glob
import os
import threading

from PIL import Image

from hub.reads.errors import OcrUnavailable

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
        from tesserocr import PyTessBaseAPI

        engine = PyTessBaseAPI(path=tessdata_path(), lang="eng")
        _local.engine = engine
    return engine


def read_document(image: Image.Image) -> str:
    """The text of a scanned page, as Tesseract reads it with its page layout analysis."""
    engine = _engine()
    engine.SetImage(image.convert("L"))
    return engine.GetUTF8Text()
