"""A letter's file turned into page images, with limits, so that one bad
upload is one clear refusal and never a stuck or crashed worker.

The type is decided by the file's first bytes, never by its name; a name
whose extension says otherwise is refused (a letter saved as `.pdf` that is
really a JPEG is a mistake the sender should hear about, and a file
disguised as another is refused as a whole). PDFs are rasterised with
PDFium (pypdfium2) at 300 dpi, the resolution Tesseract reads print best
at; the page count and every page's pixel size are checked before anything
is drawn, so a 200-page file costs nothing. Images keep Pillow's
decompression-bomb guard (as errors, not warnings) and are decoded whole
here, so a truncated file is found at the door."""
from __future__ import annotations

import io
import os
import threading
import warnings
from dataclasses import dataclass

import numpy
from PIL import Image, ImageOps, UnidentifiedImageError

from hub.data_requests.letter_errors import LetterRejected

MAX_BYTES = 20 * 1024 * 1024
MAX_PAGES = 20
DPI = 300
MAX_PAGE_PIXELS = 40_000_000  # a tabloid page at 300 dpi is 15.4 million; a 4000×3000 phone photo 12
MIN_SIDE = 100

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
_SIGNATURES = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
_EXTENSIONS = {".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG}
_NAMES = {PDF: "a PDF", PNG: "a PNG image", JPEG: "a JPEG image"}
_PILLOW_FORMATS = {PNG: "PNG", JPEG: "JPEG"}

# PDFium is not thread-safe: one document is opened and drawn at a time.
_pdfium_lock = threading.Lock()


@dataclass(frozen=True)
class LetterFile:
    media_type: str
    pages: tuple[Image.Image, ...]  # greyscale ("L"), as scanned or drawn


def media_type_of(data: bytes, filename: str) -> str:
    """The file's type from its content; refused when it is none of PDF, PNG
    or JPEG, or when its name's extension claims another type."""
    content = next((media for signature, media in _SIGNATURES if data.startswith(signature)), None)
    # A PDF may carry a few bytes before its header (PDF 32000-1, 7.5.2 leaves readers lenient).
    if content is None and b"%PDF-" in data[:1024]:
        content = PDF
    if content is None:
        raise LetterRejected("letter_type_unsupported",
                             "The file is not a PDF, PNG or JPEG: send the letter as one of those.")
    extension = os.path.splitext(filename or "")[1].lower()
    if extension and _EXTENSIONS.get(extension) != content:
        raise LetterRejected("letter_type_mismatch",
                             f"The file is named “{os.path.basename(filename)}” but it is {_NAMES[content]}: "
                             "its name does not say what it is. Send the letter as a .pdf, .png or .jpg "
                             "file whose name matches its content.")
    return content


def open_letter(data: bytes, filename: str) -> LetterFile:
    """The letter's pages as greyscale images, or LetterRejected saying why not."""
    if not data:
        raise LetterRejected("letter_empty", "The file is empty.")
    if len(data) > MAX_BYTES:
        raise LetterRejected("letter_too_large",
                             f"The file is {len(data) / 1048576:.1f} MB; a letter may be at most "
                             f"{MAX_BYTES // 1048576} MB.")
    media_type = media_type_of(data, filename)
    pages = _pdf_pages(data) if media_type == PDF else (_image_page(data, media_type),)
    return LetterFile(media_type, pages)


def _refuse_page_size(width: float, height: float, where: str) -> None:
    if width * height > MAX_PAGE_PIXELS:
        raise LetterRejected("letter_page_too_large",
                             f"{where} would be {int(width)}×{int(height)} pixels; a page may have at most "
                             f"{MAX_PAGE_PIXELS:,} pixels (a tabloid sheet at {DPI} dpi).")
    if min(width, height) < MIN_SIDE:
        raise LetterRejected("letter_unreadable",
                             f"{where} is {int(width)}×{int(height)} pixels: too small to hold readable text.")


def _image_page(data: bytes, media_type: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[media_type]])
            _refuse_page_size(*image.size, "The image")
            image.load()
            return _greyscale(image)
    except LetterRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise LetterRejected("letter_page_too_large",
                             "The image would decompress to more pixels than a page may have.") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise LetterRejected("letter_damaged",
                             f"The file starts as {_NAMES[media_type]} but cannot be decoded: it may be "
                             "truncated or damaged. Scan or save the letter again.") from None


def _greyscale(image: Image.Image) -> Image.Image:
    """The image as 8-bit grey on white, the right way round as its camera
    recorded it (EXIF orientation)."""
    image = ImageOps.exif_transpose(image)
    if image.mode.startswith(("I", "F")):
        # 16-bit and 32-bit greys: Pillow's own conversion clips them to white.
        values = numpy.asarray(image, dtype=numpy.float64)
        top = 65535.0 if values.max() > 255 else 255.0
        return Image.fromarray(numpy.clip(values * 255 / top, 0, 255).astype(numpy.uint8))
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent parts of a scan are paper: lay the image on white.
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, "white")
        paper.alpha_composite(rgba)
        image = paper
    return image.convert("L")


def _pdf_pages(data: bytes) -> tuple[Image.Image, ...]:
    import pypdfium2 as pdfium

    with _pdfium_lock:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            if getattr(error, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
                raise LetterRejected("letter_encrypted",
                                     "The PDF is protected by a password: send it without one.") from None
            raise LetterRejected("letter_damaged",
                                 "The file starts as a PDF but cannot be opened: it may be truncated or "
                                 "damaged. Save or scan the letter again.") from None
        try:
            count = len(document)
            if count == 0:
                raise LetterRejected("letter_empty", "The PDF has no pages.")
            if count > MAX_PAGES:
                raise LetterRejected("letter_too_many_pages",
                                     f"The PDF has {count} pages; a letter may have at most {MAX_PAGES}. "
                                     "Send the letter itself, without attachments.")
            scale = DPI / 72
            for number in range(count):
                page = document[number]
                width, height = page.get_size()
                page.close()
                _refuse_page_size(width * scale, height * scale, f"Page {number + 1}")
            return tuple(_render(document, number, scale) for number in range(count))
        finally:
            document.close()


def _render(document, number: int, scale: float) -> Image.Image:
    import pypdfium2 as pdfium

    page = document[number]
    try:
        return page.render(scale=scale, grayscale=True).to_pil().convert("L")
    except pdfium.PdfiumError:
        raise LetterRejected("letter_damaged", f"Page {number + 1} of the PDF cannot be drawn: it may be "
                                               "damaged. Save or scan the letter again.") from None
    finally:
        page.close()
