"""The development set for plate reading: plates rendered here in the designs
of many states (state name above or below, slogan, a picture behind the
serial, narrow or embossed serials, stickers, frame, bolts), placed on a
car's rear and spoiled the way real camera photos are (perspective, motion
blur, low contrast, night infra-red look, glare, JPEG artefacts), the plate
20 to 120 px high, in boxes given tight, cut, or loose. Every sample comes
from a seed, so the set is regenerated rather than kept in the repository.

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
PLATE_HEIGHT = 240  # a plate as rendered, 480 by 240 px before a frame and perspective enlarge its picture
# (background, serial ink, state-name ink): common plate colourings
DESIGNS = (((245, 245, 240), (20, 40, 120), (20, 40, 120)), ((250, 250, 250), (15, 15, 15), (180, 20, 30)),
           ((250, 235, 160), (20, 30, 90), (20, 30, 90)), ((230, 240, 250), (120, 20, 30), (10, 60, 140)),
           ((30, 50, 110), (250, 250, 250), (250, 220, 80)), ((240, 240, 235), (20, 90, 40), (20, 90, 40)),
           ((20, 20, 20), (235, 235, 235), (220, 180, 60)), ((250, 250, 245), (40, 40, 40), (20, 80, 160)),
           ((200, 225, 245), (15, 35, 80), (200, 40, 40)), ((40, 110, 60), (250, 250, 250), (250, 250, 250)))
# a picture behind the serial: (top colour, bottom colour) of a sky-to-land gradient with hills
SCENERY = (((150, 200, 240), (250, 250, 250)), ((250, 200, 140), (250, 245, 230)), ((180, 220, 180), (245, 250, 240)),
           ((200, 200, 230), (250, 230, 240)))


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
    """A serial in one of the state's formats; one in five is a vanity or
    specialty plate that most likely fits no format in the pack (it must be
    read as it is, never fitted)."""
    if rnd.random() < 0.2:
        return "".join(rnd.choices(string.ascii_uppercase + string.digits, k=rnd.randint(3, 7)))
    pattern = rnd.choice(plate_formats.pack()[state].formats)
    return "".join(rnd.choice(string.ascii_uppercase if c == "L" else string.digits if c == "D"
                              else string.ascii_uppercase + string.digits) for c in pattern)


def _text_centred(draw, box, text, font, fill):
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x = box[0] + (box[2] - box[0] - (right - left)) / 2 - left
    y = box[1] + (box[3] - box[1] - (bottom - top)) / 2 - top
    draw.text((x, y), text, font=font, fill=fill)


def _scenery(rnd: random.Random, plate: Image.Image) -> None:
    """A state's picture behind the serial: a gradient and some hills."""
    top, bottom = rnd.choice(SCENERY)
    w, h = plate.size
    draw = ImageDraw.Draw(plate)
    for y in range(h):
        draw.line([0, y, w, y], fill=tuple(int(a + (b - a) * y / h) for a, b in zip(top, bottom)))
    for _ in range(rnd.randint(1, 3)):
        x, peak = rnd.randrange(-100, w), rnd.randint(int(h * 0.35), int(h * 0.7))
        colour = tuple(max(0, min(255, c + rnd.randint(-60, -10))) for c in bottom)
        draw.polygon([(x - 160, h), (x, peak), (x + 160, h)], fill=colour)


def _serial(rnd: random.Random, serial: str, ink, paper, width: int) -> Image.Image:
    """The serial as plates print it: a bold face, often narrowed like the
    states' plate fonts, sometimes embossed (a shadow below and right), with
    a space, dash or symbol between its groups."""
    font = _font(rnd.choice(SERIAL_FONTS), 120)
    spaced = serial[:3] + (rnd.choice((" ", "-", "·")) if len(serial) > 5 and rnd.random() < 0.5 else "") + serial[3:]
    left, top, right, bottom = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((0, 0), spaced, font=font)
    layer = Image.new("RGBA", (right - left + 8, bottom - top + 8), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    if rnd.random() < 0.3:
        shade = tuple(max(0, c - 90) for c in paper) + (255,)
        draw.text((4 - left + 3, 4 - top + 3), spaced, font=font, fill=shade)
    draw.text((4 - left, 4 - top), spaced, font=font, fill=tuple(ink) + (255,))
    narrow = rnd.uniform(0.62, 0.9) if rnd.random() < 0.6 else 1.0
    size = (max(1, int(layer.width * narrow)), layer.height)
    if size[0] > width:
        size = (width, int(layer.height * width / size[0]))
    return layer.resize(size, Image.LANCZOS)


def render_plate(rnd: random.Random, serial: str, state: str) -> Image.Image:
    """A flat plate, 2:1, 480 px wide, in one of many designs: the state's
    name at the top or the bottom, a slogan, a picture behind the serial,
    stickers, bolts, a dealer's frame."""
    info = plate_formats.pack()[state]
    paper, ink, name_ink = rnd.choice(DESIGNS)
    plate = Image.new("RGB", (2 * PLATE_HEIGHT, PLATE_HEIGHT), paper)
    if rnd.random() < 0.25 and sum(paper) > 600:
        _scenery(rnd, plate)
    draw = ImageDraw.Draw(plate)
    name_at_top = rnd.random() < 0.8
    name_box, words_box = ((0, 8, 480, 58), (0, 196, 480, 232)) if name_at_top else \
        ((0, 186, 480, 236), (0, 6, 480, 40))
    if rnd.random() < 0.5:  # a coloured band or gradient behind the state name
        band = tuple(min(255, c + rnd.randint(-40, 10)) for c in paper)
        draw.rectangle([0, name_box[1] - 8, 480, name_box[3]], fill=band)
    name = info.name.title() if rnd.random() < 0.5 else info.name
    _text_centred(draw, name_box, name, _font(rnd.choice(("DejaVuSerif-Bold.ttf", "DejaVuSans-Bold.ttf",
                                                           "DejaVuSans.ttf")), rnd.randint(30, 42)), name_ink)
    text = _serial(rnd, serial, ink, paper, 450)
    x = (480 - text.width) // 2 + rnd.randint(-12, 12)
    plate.paste(text, (x, 62 + (130 - text.height) // 2), text)
    if info.words and rnd.random() < 0.8:
        _text_centred(draw, words_box, rnd.choice(info.words).title(),
                      _font("DejaVuSans-Oblique.ttf", rnd.randint(20, 28)), name_ink)
    for corner in rnd.sample(((14, 14), (396, 14), (14, 176), (396, 176)), rnd.randint(0, 2)):  # stickers
        colour = rnd.choice(((220, 40, 40), (40, 160, 60), (240, 200, 30), (60, 90, 200)))
        draw.rectangle([corner[0], corner[1], corner[0] + 70, corner[1] + 44], fill=colour)
        _text_centred(draw, (corner[0], corner[1], corner[0] + 70, corner[1] + 44), str(rnd.randint(20, 29)),
                      _font("DejaVuSans-Bold.ttf", 26), (250, 250, 250))
    for x in (120, 360):  # bolts
        draw.ellipse([x - 9, 22, x + 9, 40], fill=(150, 150, 150), outline=(60, 60, 60))
    if rnd.random() < 0.6:  # a dealer's frame, sometimes covering the state's name or the slogan
        frame = Image.new("RGB", (520, 290), rnd.choice(((20, 20, 20), (180, 180, 185), (90, 20, 20))))
        covered = rnd.choice((0, 0, 12, 24))
        frame.paste(plate.crop((0, covered, 480, 240 if rnd.random() < 0.5 else 228)), (20, 22))
        fd = ImageDraw.Draw(frame)
        _text_centred(fd, (0, 262, 520, 288), rnd.choice(("AUTO MALL", "SMITH FORD", "CITY MOTORS", "TOYOTA")),
                      _font("DejaVuSans-Bold.ttf", 20), (235, 235, 235))
        plate = frame
    return plate


def _perspective(rnd: random.Random, image: Image.Image) -> Image.Image:
    """A camera off to the side or above: mild mostly, strong in one in five."""
    w, h = image.size
    out = lambda s: rnd.uniform(0, s)  # noqa: E731  (corners only move outwards: nothing is cut off)
    strong = rnd.random() < 0.2
    dx, dy = (0.25 * w, 0.25 * h) if strong else (0.1 * w, 0.12 * h)
    quad = (-out(dx), -out(dy), -out(dx), h + out(dy), w + out(dx), h + out(dy), w + out(dx), -out(dy))
    warped = image.transform((w, h), Image.QUAD, quad, resample=Image.BICUBIC, fillcolor=(0, 0, 0))
    angle = rnd.uniform(-12, 12) if strong else rnd.uniform(-6, 6)
    return warped.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=(0, 0, 0))


def _spoil(rnd: random.Random, image: Image.Image, night: bool, small: bool = False) -> Image.Image:
    if rnd.random() < 0.35:  # glare: a bright soft patch
        glare = Image.new("L", image.size, 0)
        gw, gh = image.width // rnd.randint(2, 4), image.height // rnd.randint(2, 3)
        gx, gy = rnd.randrange(image.width), rnd.randrange(image.height)
        ImageDraw.Draw(glare).ellipse([gx - gw, gy - gh, gx + gw, gy + gh], fill=rnd.randint(90, 170))
        glare = glare.filter(ImageFilter.GaussianBlur(max(2, gw // 3)))
        image = Image.composite(Image.new("RGB", image.size, (255, 255, 255)), image, glare)
    if rnd.random() < 0.2:  # low contrast: haze, dusk, a faded or dirty plate
        image = Image.blend(image, Image.new("RGB", image.size, (rnd.randint(60, 200),) * 3), rnd.uniform(0.4, 0.65))
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


def _background(rnd: random.Random, size: tuple[int, int], plate: tuple[int, int, int, int]) -> Image.Image:
    """A car's rear around the plate: painted body with some shine, the
    bumper below, tail lights to the sides and the model's badge above."""
    body = tuple(rnd.randint(20, 230) for _ in range(3))
    image = Image.new("RGB", size, body)
    draw = ImageDraw.Draw(image)
    w, h = size
    px, py, pw, ph = plate
    draw.rectangle([0, py + int(ph * rnd.uniform(0.9, 1.3)), w, h], fill=tuple(max(0, c - 60) for c in body))
    draw.rectangle([px - ph // 6, py - ph // 6, px + pw + ph // 6, py + ph + ph // 6],
                   fill=tuple(max(0, c - 35) for c in body))  # the plate's recess
    for _ in range(rnd.randint(0, 3)):
        y = rnd.randrange(h)
        draw.line([0, y, w, y + rnd.randint(-20, 20)], fill=tuple(min(255, c + 50) for c in body), width=2)
    for lx in (px - int(pw * rnd.uniform(0.9, 1.4)), px + pw + int(pw * rnd.uniform(0.4, 0.9))):
        draw.rectangle([lx, py - ph // 2, lx + pw // 2, py + ph // 3], fill=(rnd.randint(150, 220), 25, 30))
    if rnd.random() < 0.6:
        _text_centred(draw, (px, py - int(ph * 1.1), px + pw, py - int(ph * 0.5)),
                      rnd.choice(("CAMRY", "ACCORD", "F-150", "OUTBACK", "CIVIC", "RAV4", "HYBRID", "AWD")),
                      _font("DejaVuSans-Bold.ttf", max(6, int(ph * rnd.uniform(0.2, 0.35)))),
                      tuple(min(255, c + 90) for c in body))
    return image


def _box_margins(rnd: random.Random) -> tuple[float, float]:
    """The plate box a camera or a person gives, as margins around the plate
    (fractions of its width and height): tight and sometimes cutting into
    the plate's edge (its frame, the state's name, the slogan), a little
    bumper around it, or loose with the car's body, lights and badge."""
    kind = rnd.random()
    if kind < 0.25:
        return rnd.uniform(-0.04, 0.03), rnd.uniform(-0.12, 0.03)
    if kind < 0.75:
        return rnd.uniform(0.03, 0.25), rnd.uniform(0.03, 0.3)
    return rnd.uniform(0.3, 0.8), rnd.uniform(0.4, 1.2)


def crop_sample(seed: int) -> Sample:
    """A plate crop as a camera's plate box gives it (tight, cut, or loose),
    the plate 20 to 120 px high."""
    rnd = random.Random(seed)  # nosec B311: a seeded, repeatable development set, not a secret
    state = rnd.choice(sorted(plate_formats.pack()))
    serial = serial_for(rnd, state)
    plate = _perspective(rnd, render_plate(rnd, serial, state))
    height = int(rnd.uniform(20, 40) if rnd.random() < 0.25 else rnd.uniform(40, 120))  # the plate's own
    scale = height / PLATE_HEIGHT
    small = plate.resize((max(1, int(plate.width * scale)), max(1, int(plate.height * scale))), Image.LANCZOS)
    mask = small.convert("L").point(lambda v: 255 if v else 0)  # the black outside the warped plate
    room_x, room_y = small.width, small.height * 2
    canvas = _background(rnd, (small.width + 2 * room_x, small.height + 2 * room_y),
                         (room_x, room_y, small.width, small.height))
    canvas.paste(small, (room_x, room_y), mask)
    margin_x, margin_y = _box_margins(rnd)
    mx, my = int(small.width * margin_x), int(small.height * margin_y)
    box = canvas.crop((room_x - mx, room_y - my, room_x + small.width + mx, room_y + small.height + my))
    night = rnd.random() < 0.25
    return Sample(seed, serial, state, _jpeg(_spoil(rnd, box, night, height < 50), rnd.randint(35, 90)))


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
    scale = rnd.uniform(24, 90) / PLATE_HEIGHT  # the plate's own height
    small = plate.resize((max(1, int(plate.width * scale)), max(1, int(plate.height * scale))), Image.LANCZOS)
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
