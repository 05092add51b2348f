"""The development set for plate reading: plates rendered here in the designs
of many states (state name, slogan, stickers, frame, bolts), placed on
vehicle-like backgrounds and spoiled the way real camera photos are
(perspective, motion blur, night infra-red look, glare, JPEG artefacts),
from 20 to 120 px high. Every sample comes from a seed, so the set is
regenerated rather than kept in the repository.

Seeds 0-99,999 are for tuning and calibration; the tests and the benchmark
draw from 100,000 up, which tuning never sees."""
from __future__ import annotations

import io
import random
import string
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from hub.reads import plate_formats

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
SERIAL_FONTS = ("DejaVuSansCondensed-Bold.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono-Bold.ttf",
                "DejaVuSerifCondensed-Bold.ttf")
HOLDOUT_SEED = 100_000
# (background, serial ink, state-name ink): common plate colourings
DESIGNS = (((245, 245, 240), (20, 40, 120), (20, 40, 120)), ((250, 250, 250), (15, 15, 15), (180, 20, 30)),
           ((250, 235, 160), (20, 30, 90), (20, 30, 90)), ((230, 240, 250), (120, 20, 30), (10, 60, 140)),
           ((30, 50, 110), (250, 250, 250), (250, 220, 80)), ((240, 240, 235), (20, 90, 40), (20, 90, 40)))


@dataclass(frozen=True)
class Sample:
    seed: int
    plate: str
    state: str
    image: bytes            # JPEG: the plate crop, or the whole photo
    box: tuple[int, int, int, int] | None = None  # the plate in a whole photo: x, y, w, h


@lru_cache(maxsize=64)
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_DIR + name, max(6, size))


def serial_for(rnd: random.Random, state: str) -> str:
    """A serial in one of the state's formats; one in ten is a vanity plate
    that fits no format (it must be read as it is, never fitted)."""
    if rnd.random() < 0.1:
        return "".join(rnd.choices(string.ascii_uppercase + string.digits, k=rnd.randint(3, 7)))
    pattern = rnd.choice(plate_formats.pack()[state].formats)
    return "".join(rnd.choice(string.ascii_uppercase if c == "L" else string.digits if c == "D"
                              else string.ascii_uppercase + string.digits) for c in pattern)


def _text_centred(draw, box, text, font, fill):
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x = box[0] + (box[2] - box[0] - (right - left)) / 2 - left
    y = box[1] + (box[3] - box[1] - (bottom - top)) / 2 - top
    draw.text((x, y), text, font=font, fill=fill)


def render_plate(rnd: random.Random, serial: str, state: str) -> Image.Image:
    """A flat plate, 2:1, 480 px wide, in one of the common designs."""
    info = plate_formats.pack()[state]
    paper, ink, name_ink = rnd.choice(DESIGNS)
    plate = Image.new("RGB", (480, 240), paper)
    draw = ImageDraw.Draw(plate)
    if rnd.random() < 0.5:  # a coloured band or gradient behind the state name
        band = tuple(min(255, c + rnd.randint(-40, 10)) for c in paper)
        draw.rectangle([0, 0, 480, 60], fill=band)
    name = info.name.title() if rnd.random() < 0.5 else info.name
    _text_centred(draw, (0, 8, 480, 58), name, _font(rnd.choice(("DejaVuSerif-Bold.ttf", "DejaVuSans-Bold.ttf",
                                                                  "DejaVuSans.ttf")), rnd.randint(30, 42)), name_ink)
    font = _font(rnd.choice(SERIAL_FONTS), 120)
    width = draw.textbbox((0, 0), serial, font=font)[2]
    if width > 440:
        font = _font(font.path.rsplit("/", 1)[1], int(120 * 440 / width))
    spaced = serial[:3] + (rnd.choice((" ", "-", "·")) if len(serial) > 5 and rnd.random() < 0.5 else "") + serial[3:]
    _text_centred(draw, (10, 62, 470, 192), spaced, font, ink)
    if info.words and rnd.random() < 0.8:
        _text_centred(draw, (0, 196, 480, 232), rnd.choice(info.words).title(),
                      _font("DejaVuSans-Oblique.ttf", rnd.randint(20, 28)), name_ink)
    for corner in rnd.sample(((14, 14), (396, 14), (14, 176), (396, 176)), rnd.randint(0, 2)):  # stickers
        colour = rnd.choice(((220, 40, 40), (40, 160, 60), (240, 200, 30), (60, 90, 200)))
        draw.rectangle([corner[0], corner[1], corner[0] + 70, corner[1] + 44], fill=colour)
        _text_centred(draw, (corner[0], corner[1], corner[0] + 70, corner[1] + 44), str(rnd.randint(20, 29)),
                      _font("DejaVuSans-Bold.ttf", 26), (250, 250, 250))
    for x in (120, 360):  # bolts
        draw.ellipse([x - 9, 22, x + 9, 40], fill=(150, 150, 150), outline=(60, 60, 60))
    if rnd.random() < 0.6:  # a dealer's frame
        frame = Image.new("RGB", (520, 290), rnd.choice(((20, 20, 20), (180, 180, 185), (90, 20, 20))))
        frame.paste(plate.crop((0, 0, 480, 240 if rnd.random() < 0.5 else 228)), (20, 22))
        fd = ImageDraw.Draw(frame)
        _text_centred(fd, (0, 262, 520, 288), rnd.choice(("AUTO MALL", "SMITH FORD", "CITY MOTORS", "TOYOTA")),
                      _font("DejaVuSans-Bold.ttf", 20), (235, 235, 235))
        plate = frame
    return plate


def _perspective(rnd: random.Random, image: Image.Image) -> Image.Image:
    w, h = image.size
    out = lambda s: rnd.uniform(0, s)  # noqa: E731  (corners only move outwards: nothing is cut off)
    dx, dy = 0.1 * w, 0.12 * h
    quad = (-out(dx), -out(dy), -out(dx), h + out(dy), w + out(dx), h + out(dy), w + out(dx), -out(dy))
    warped = image.transform((w, h), Image.QUAD, quad, resample=Image.BICUBIC, fillcolor=(0, 0, 0))
    return warped.rotate(rnd.uniform(-6, 6), resample=Image.BICUBIC, expand=True, fillcolor=(0, 0, 0))


def _spoil(rnd: random.Random, image: Image.Image, night: bool, small: bool = False) -> Image.Image:
    if rnd.random() < 0.35:  # glare: a bright soft patch
        glare = Image.new("L", image.size, 0)
        gw, gh = image.width // rnd.randint(2, 4), image.height // rnd.randint(2, 3)
        gx, gy = rnd.randrange(image.width), rnd.randrange(image.height)
        ImageDraw.Draw(glare).ellipse([gx - gw, gy - gh, gx + gw, gy + gh], fill=rnd.randint(90, 170))
        glare = glare.filter(ImageFilter.GaussianBlur(max(2, gw // 3)))
        image = Image.composite(Image.new("RGB", image.size, (255, 255, 255)), image, glare)
    if night:  # infra-red: grey, the retro-reflective plate bright, the rest dark
        grey = ImageOps.autocontrast(ImageOps.grayscale(image), cutoff=2)
        image = Image.merge("RGB", [grey.point(lambda v: int(255 * (v / 255) ** 0.7))] * 3)
    blur = rnd.random()
    if blur < 0.4:  # motion
        size = 3 if small else rnd.choice((3, 5))
        kernel = [0] * (size * size)
        for i in range(size):
            kernel[(size // 2) * size + i] = 1
        image = image.filter(ImageFilter.Kernel((size, size), kernel, scale=size))
    elif blur < 0.7:
        image = image.filter(ImageFilter.GaussianBlur(rnd.uniform(0.3, 0.7 if small else 1.2)))
    return image


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _background(rnd: random.Random, size: tuple[int, int]) -> Image.Image:
    """A bumper and body: a painted surface with a darker band and some shine."""
    body = tuple(rnd.randint(20, 230) for _ in range(3))
    image = Image.new("RGB", size, body)
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle([0, int(h * rnd.uniform(0.6, 0.8)), w, h], fill=tuple(max(0, c - 60) for c in body))
    for _ in range(rnd.randint(0, 3)):
        y = rnd.randrange(h)
        draw.line([0, y, w, y + rnd.randint(-20, 20)], fill=tuple(min(255, c + 50) for c in body), width=2)
    return image


def crop_sample(seed: int) -> Sample:
    """A plate crop as a camera's plate box gives it: the plate, some bumper
    around it, 20 to 120 px high."""
    rnd = random.Random(seed)  # nosec B311: a seeded, repeatable development set, not a secret
    state = rnd.choice(sorted(plate_formats.pack()))
    serial = serial_for(rnd, state)
    plate = _perspective(rnd, render_plate(rnd, serial, state))
    height = int(rnd.uniform(20, 40) if rnd.random() < 0.25 else rnd.uniform(40, 120))
    scale = height / plate.height
    small = plate.resize((max(1, int(plate.width * scale)), height), Image.LANCZOS)
    mask = small.convert("L").point(lambda v: 255 if v else 0)  # the black outside the warped plate
    margin_x, margin_y = int(small.width * rnd.uniform(0.03, 0.25)), int(small.height * rnd.uniform(0.03, 0.3))
    canvas = _background(rnd, (small.width + 2 * margin_x, small.height + 2 * margin_y))
    canvas.paste(small, (margin_x, margin_y), mask)
    night = rnd.random() < 0.25
    return Sample(seed, serial, state, _jpeg(_spoil(rnd, canvas, night, height < 50), rnd.randint(35, 90)))


def photo_sample(seed: int, size: tuple[int, int] = (1920, 1080)) -> Sample:
    """A whole vehicle photo (1080p by default): a car's rear with its plate
    24 to 90 px high, lights, a badge and some scene text that is not a plate."""
    rnd = random.Random(seed)  # nosec B311: a seeded, repeatable development set, not a secret
    state = rnd.choice(sorted(plate_formats.pack()))
    serial = serial_for(rnd, state)
    w, h = size
    scene = Image.new("RGB", size, (rnd.randint(90, 200),) * 3)
    draw = ImageDraw.Draw(scene)
    draw.rectangle([0, int(h * 0.55), w, h], fill=(rnd.randint(40, 90),) * 3)  # road
    sign_text = rnd.choice(("SALE 50% OFF", "STOP", "PARKING", "ONE WAY", "EXIT 12"))
    sx, sy = rnd.randrange(0, w - 400), rnd.randrange(20, int(h * 0.3))
    draw.rectangle([sx, sy, sx + 380, sy + 90], fill=(240, 240, 240))
    _text_centred(draw, (sx, sy, sx + 380, sy + 90), sign_text, _font("DejaVuSans-Bold.ttf", 54), (180, 20, 20))
    car_w = int(w * rnd.uniform(0.35, 0.6))
    cx, cy = rnd.randrange(50, w - car_w - 50), int(h * rnd.uniform(0.25, 0.4))
    car_h = int(car_w * 0.75)
    body = tuple(rnd.randint(20, 230) for _ in range(3))
    draw.rounded_rectangle([cx, cy, cx + car_w, cy + car_h], radius=40, fill=body)
    draw.rectangle([cx + car_w * 0.12, cy + car_h * 0.05, cx + car_w * 0.88, cy + car_h * 0.38], fill=(40, 50, 60))
    for lx in (cx + car_w * 0.03, cx + car_w * 0.82):
        draw.rectangle([lx, cy + car_h * 0.45, lx + car_w * 0.15, cy + car_h * 0.55], fill=(200, 30, 30))
    _text_centred(draw, (cx, cy + int(car_h * 0.4), cx + car_w, cy + int(car_h * 0.5)),
                  rnd.choice(("CAMRY", "ACCORD", "F-150", "OUTBACK")), _font("DejaVuSans-Bold.ttf", car_w // 25),
                  (200, 200, 200))
    plate = _perspective(rnd, render_plate(rnd, serial, state))
    height = int(rnd.uniform(24, 90))
    small = plate.resize((max(1, int(plate.width * height / plate.height)), height), Image.LANCZOS)
    mask = small.convert("L").point(lambda v: 255 if v else 0)
    px = cx + (car_w - small.width) // 2 + rnd.randint(-car_w // 10, car_w // 10)
    py = cy + int(car_h * 0.62)
    scene.paste(small, (px, py), mask)
    night = rnd.random() < 0.2
    scene = _spoil(rnd, scene, night, small=True)
    return Sample(seed, serial, state, _jpeg(scene, rnd.randint(60, 90)), (px, py, small.width, small.height))


def crops(count: int, start: int = 0) -> list[Sample]:
    return [crop_sample(seed) for seed in range(start, start + count)]


def photos(count: int, start: int = 0) -> list[Sample]:
    return [photo_sample(seed) for seed in range(start, start + count)]
