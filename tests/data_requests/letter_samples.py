"""Letters the tests make themselves: text drawn with Pillow in DejaVu fonts
on a US Letter page at 300 dpi, then saved as a clean PNG, as a noisy,
blurred scan turned a few degrees (JPEG), or as a PDF; and the bad files
an upload meets (a blank scan, a PDF of 200 pages, a password-protected
PDF, a file whose name lies, a truncated file)."""
from __future__ import annotations

import io
import random
from dataclasses import dataclass, replace

import numpy
from PIL import Image, ImageDraw, ImageFilter, ImageFont

DPI = 300
PAGE = (int(8.5 * DPI), 11 * DPI)
MARGIN = DPI  # one inch
FONTS = "/usr/share/fonts/truetype/dejavu/"


@dataclass(frozen=True)
class Letter:
    agency_name: str = "Rogers Police Department"
    requester_name: str = "Dana Whitfield"
    title: str = "Detective"
    purpose: str = ("To identify vehicles that passed the Corcoran cameras on County Road 116 "
                    "between 1:00 and 3:00 p.m. that day.")
    factual_basis: str = ("A residential burglary was reported on February 28, 2025 at 14000 Fletcher Lane; "
                          "a dark pickup truck was seen leaving the scene.")
    case_number: str = "RPD-25-004417"
    authorization_statement: str | None = "This request is authorized by Chief Matthew Lenz."

    def without(self, field: str) -> "Letter":
        return replace(self, **{field: None})


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONTS + ("DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf"), size)


def form_lines(letter: Letter) -> list[tuple[str, bool]]:
    """A letter laid out as labelled lines, each (text, bold)."""
    lines = [(letter.agency_name, True), ("21080 Commerce Boulevard, Rogers, MN 55374", False), ("", False),
             ("March 3, 2025", False), ("", False),
             ("To: Chief of Police, Corcoran Police Department", False), ("", False),
             ("Re: Written request for automated license plate reader data", True), ("", False)]
    labelled = (("Requesting agency", letter.agency_name),
                ("Requester", f"{letter.title} {letter.requester_name}" if letter.requester_name else None),
                ("Purpose", letter.purpose), ("Factual basis", letter.factual_basis),
                ("Case number", letter.case_number), ("Authorization", letter.authorization_statement))
    lines += [(f"{label}: {value}", False) for label, value in labelled if value]
    return lines


def prose_lines(letter: Letter) -> list[tuple[str, bool]]:
    """The same request as a letter in prose: letterhead, paragraphs, signature."""
    opening = (f"The {letter.agency_name} is investigating a residential burglary reported on February 28, "
               f"2025 at 14000 Fletcher Lane, in which a dark pickup truck was seen leaving the scene. "
               f"The investigation is case number {letter.case_number}.")
    purpose = ("The purpose of this request is to identify vehicles that passed the Corcoran cameras on "
               "County Road 116 between 1:00 and 3:00 p.m. that day.")
    lines = [(letter.agency_name, True), ("21080 Commerce Boulevard, Rogers, MN 55374", False), ("", False),
             ("March 3, 2025", False), ("", False), ("Chief of Police", False),
             ("Corcoran Police Department", False), ("8200 County Road 116, Corcoran, MN 55340", False),
             ("", False), ("Re: Request for automated license plate reader data", True), ("", False),
             ("Dear Chief,", False), ("", False), (opening, False), ("", False), (purpose, False), ("", False)]
    if letter.authorization_statement:
        lines += [(letter.authorization_statement, False), ("", False)]
    lines += [("Sincerely,", False), ("", False), ("", False), (letter.requester_name, False),
              (letter.title, False), (letter.agency_name, False)]
    return lines


def render(lines: list[tuple[str, bool]], size: int = 46) -> Image.Image:
    """A greyscale page with the lines drawn and wrapped within the margins."""
    page = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(page)
    y = MARGIN
    for text, bold in lines:
        font = _font(size + (8 if bold else 0), bold)
        for row in _wrap(draw, text, font, PAGE[0] - 2 * MARGIN):
            draw.text((MARGIN, y), row, font=font, fill=20)
            y += int(size * 1.45)
    return page


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    rows, row = [], ""
    for word in text.split():
        candidate = f"{row} {word}".strip()
        if draw.textlength(candidate, font=font) <= width:
            row = candidate
        else:
            rows.append(row)
            row = word
    return [*rows, row] if row or not rows else rows


def png(page: Image.Image) -> bytes:
    out = io.BytesIO()
    page.save(out, format="PNG", dpi=(DPI, DPI))
    return out.getvalue()


def pdf(*pages: Image.Image) -> bytes:
    out = io.BytesIO()
    pages[0].save(out, format="PDF", resolution=DPI, save_all=True, append_images=list(pages[1:]))
    return out.getvalue()


def scanned(page: Image.Image, *, degrees: float = 3.5, seed: int = 7) -> bytes:
    """The page as a poor scanner gives it back: turned a few degrees,
    blurred, speckled with noise and saved as a lossy JPEG."""
    turned = page.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=245)
    blurred = turned.filter(ImageFilter.GaussianBlur(1.6))
    pixels = numpy.asarray(blurred, dtype=numpy.float32)
    noise = numpy.random.default_rng(seed).normal(0, 28, pixels.shape)
    noisy = Image.fromarray(numpy.clip(pixels * 0.85 + 25 + noise, 0, 255).astype(numpy.uint8))
    out = io.BytesIO()
    noisy.save(out, format="JPEG", quality=55)
    return out.getvalue()


def blank_scan(seed: int = 3) -> bytes:
    """A page with nothing on it but the scanner's grain."""
    grain = numpy.random.default_rng(seed).normal(235, 6, (PAGE[1], PAGE[0]))
    out = io.BytesIO()
    Image.fromarray(numpy.clip(grain, 0, 255).astype(numpy.uint8)).save(out, format="JPEG", quality=80)
    return out.getvalue()


def many_pages_pdf(count: int = 200) -> bytes:
    """A PDF of `count` small blank pages: cheap to make, to be refused by its count."""
    page = Image.new("L", (85, 110), 255)
    return pdf(*[page] * count)


def password_pdf(document: bytes, password: str = "rogers-pd") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(document)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def shuffled_bytes(size: int = 4096, seed: int = 11) -> bytes:
    """Bytes of no known type (a letter's file that is something else)."""
    return random.Random(seed).randbytes(size)  # noqa: S311 - test data, not a secret
