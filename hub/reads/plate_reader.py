"""Reading a plate from a camera's image: a plate crop, or a whole vehicle
photo in which the plate is found first.

A crop not read surely at first is looked at again (another scale, the
plate cut out of a loose box) and the surest reading kept.

Plate, not text: a plate crop holds more text than the plate number (the
state's name, a slogan, stickers, a dealer's frame). The text lines the
detector finds are read; state names and slogans are set aside (a state
name is returned as `plate_state`, with its own confidence); the plate
number is the tallest remaining line of plate characters near the middle.

Formats choose, they never rewrite: when the recogniser's best reading fits
no state's format and one of its own next choices does, that choice is taken
with the probability the recogniser gave it (always lower); a reading that
fits no format is kept as read and its confidence falls. `confidence` is the
probability that the whole plate is right, from a logistic model fitted on
the development set (`packs/plate_confidence.json`, made by
`scripts/plates/calibrate.py`)."""
from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from hub.reads import plate_formats
from hub.reads.scene_text import Line, crop_box, give_back_memory, models

CALIBRATION = Path(__file__).with_name("packs") / "plate_confidence.json"
# What the confidence is computed from. Whether a state's name was read is
# left out on purpose: an unreadable name says little about the number, and
# weighing it would keep most clean plates from being verified; but a number
# that fits another state's format and none of the state whose name was read
# is a warning (an I read as a 1 turns a Texas plate into an Illinois one).
# A plate found in a whole photo whose shape nothing confirms (no state's name
# read on it, no smaller line above or below it, as a sign or a badge) is
# less likely to be a plate at all.
FEATURES = ("log_probability", "log_weakest", "fits_format", "chose_next_choice", "unconfirmed_in_photo",
            "fits_only_another_states_format")
UNCONFIRMED_IN_PHOTO = FEATURES.index("unconfirmed_in_photo")
CROP_DETECT_HEIGHT = 160
# (height, border) of the other looks at a crop that was not read surely
OTHER_LOOKS = ((256, 32), (96, 0))
FOCUS_DETECT_HEIGHT = 320
PHOTO_DETECT_SIDE = 1280
PHOTO_DETECT_SIDE_MAX = 1920  # the second look, for a distant plate


@dataclass(frozen=True)
class PlateReading:
    plate: str
    confidence: float
    plate_state: str | None = None
    state_confidence: float = 0.0
    fits_format: bool = False
    features: tuple[float, ...] = ()
    box: tuple[int, int, int, int] | None = None  # where the plate was found in a whole photo
    crop: bytes | None = None                    # that plate, cut out (JPEG)


NOTHING = PlateReading("", 0.0)


@lru_cache(maxsize=1)
def calibration() -> dict:
    if CALIBRATION.exists():
        return json.loads(CALIBRATION.read_text(encoding="utf-8"))
    return {"weights": None, "bias": 0.0, "threshold": 0.9}


def calibrated(features: tuple[float, ...]) -> float:
    model = calibration()
    if not model["weights"]:
        return math.exp(features[0]) * (1.0 if features[2] else 0.5)
    z = model["bias"] + sum(w * f for w, f in zip(model["weights"], features))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def verified_threshold() -> float:
    """The confidence from which a read counts as verified, chosen on the
    development set so that confident-but-wrong reads stay under 1 %."""
    return float(calibration()["threshold"])


def _bgr(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"))[:, :, ::-1].copy()


SMALLEST_LINE = 0.25  # of the tallest line's height: smaller text (a sticker's month, a dealer's name) is not read
STATE_NAME_SHAPE = 2.5  # width to height: the shortest state's name (IOWA, OHIO) is longer than that


def _box_height(box: np.ndarray) -> float:
    return float(max(np.linalg.norm(box[0] - box[3]), np.linalg.norm(box[1] - box[2])))


def _box_width(box: np.ndarray) -> float:
    return float(max(np.linalg.norm(box[0] - box[1]), np.linalg.norm(box[3] - box[2])))


def _read_lines(bgr: np.ndarray, boxes: list[np.ndarray], pad: float = 0.08, *,
                plate_lines_only: bool = False) -> list[Line]:
    """The boxes' text; with `plate_lines_only` (a plate crop), only the
    tallest lines and the smaller ones above them long enough to be a
    state's name (not a sticker's month)."""
    if boxes and plate_lines_only:
        tallest = max(boxes, key=_box_height)
        top, height = float(tallest[:, 1].min()), _box_height(tallest)
        boxes = [box for box in boxes if _box_height(box) >= 0.6 * height
                 or (_box_height(box) >= SMALLEST_LINE * height and float(box[:, 1].mean()) < top
                     and _box_width(box) >= STATE_NAME_SHAPE * _box_height(box))]
    images = [crop_box(bgr, box, pad) for box in boxes]
    return [Line(text, chars, box) for (text, chars), box in zip(models().recognise(images), boxes)]


def _same_row(a: Line, b: Line) -> bool:
    ay, by = a.box[:, 1], b.box[:, 1]
    overlap = min(ay.max(), by.max()) - max(ay.min(), by.min())
    return overlap > 0.6 * min(a.height, b.height) and 0.7 < a.height / max(b.height, 1) < 1.4


def _merge(lines: list[Line]) -> list[Line]:
    """Fragments of one row (a serial printed as `ABC 123` can be found as two boxes) joined left to right."""
    merged: list[Line] = []
    for line in sorted(lines, key=lambda l: l.box[:, 0].min()):
        for n in range(len(merged) - 1, -1, -1):
            previous = merged[n]
            gap = line.box[:, 0].min() - previous.box[:, 0].max()
            # boxes of a tilted row overlap at their ends; their centres stay apart
            apart = (line.box[:, 0].mean() - previous.box[:, 0].mean()
                     > 0.5 * (line.width + previous.width) - line.height)
            if _same_row(previous, line) and -0.8 * line.height < gap < 1.5 * line.height and apart:
                box = np.array([previous.box[0], line.box[1], line.box[2], previous.box[3]], dtype=np.float32)
                merged[n] = Line(previous.text + line.text, previous.characters + line.characters, box)
                break
        else:
            merged.append(line)
    return merged


def _state_of(lines: list[Line]) -> tuple[str | None, float]:
    for line in sorted(lines, key=lambda l: -l.probability):
        code = plate_formats.state_named(line.text)
        if code:
            return code, line.probability
    return None, 0.0


def _candidates(line: Line) -> list[tuple[str, float, bool]]:
    """The recogniser's own readings of the line: its best, each with one or
    two characters replaced by its next choice there, and with a doubtful
    first or last character left out. (text, probability, is_next_choice)"""
    chars, base = line.characters, line.probability
    out = [(line.text, base, False)]
    doubtful = [(i, alt, p) for i, c in enumerate(chars) for alt, p in c.alternatives if p >= 0.03]
    for n, (i, alt, p) in enumerate(doubtful):
        text = line.text[:i] + alt + line.text[i + 1:]
        probability = base * p / chars[i].probability
        out.append((text, probability, True))
        for j, alt2, p2 in doubtful[n + 1:]:
            if j != i:
                second = text[:j] + alt2 + text[j + 1:]
                out.append((second, probability * p2 / chars[j].probability, True))
    for i in (0, len(chars) - 1):
        if len(chars) > 2 and chars[i].probability < 0.6:
            out.append((line.text[:i] + line.text[i + 1:], base / chars[i].probability * (1 - chars[i].probability),
                        True))
    return out


def _choose(line: Line, state: str | None) -> tuple[str, float, bool]:
    candidates = _candidates(line)
    best_text, best_probability, _ = candidates[0]
    if plate_formats.fits(best_text, state) or (state is None and plate_formats.fits(best_text)):
        return candidates[0]
    fitting = [c for c in candidates[1:] if plate_formats.fits(c[0], state)] or \
              [c for c in candidates[1:] if plate_formats.fits(c[0])]
    if fitting:
        choice = max(fitting, key=lambda c: c[1])
        if choice[1] >= 0.1 * best_probability:
            return choice
    return candidates[0]


def _serial_line(lines: list[Line], width: int, height: int) -> Line | None:
    usable = [l for l in _merge([l for l in lines if l.text]) if len(l.text) >= 2
              and not plate_formats.is_plate_word(l.text) and not plate_formats.state_named(l.text)]
    if not usable:
        return None

    def score(line: Line) -> float:
        centre = line.box.mean(axis=0)
        off_centre = abs(centre[0] / width - 0.5) + abs(centre[1] / height - 0.5)
        return line.height * (1.0 - 0.6 * off_centre) * (1.0 if 4 <= len(line.text) <= 8 else 0.6)

    return max(usable, key=score)


def _features(text: str, probability: float, weakest: float, next_choice: bool,
              state: str | None = None) -> tuple[float, ...]:
    return (max(-12.0, math.log(max(probability, 1e-12))), max(-12.0, math.log(max(weakest, 1e-12))),
            float(plate_formats.fits(text)), float(next_choice), 0.0,
            float(state is not None and plate_formats.fits(text) and not plate_formats.fits(text, state)))


def read_plate(bgr: np.ndarray, *, look_again: bool = True) -> PlateReading:
    """The plate in a plate crop (a BGR array). A read that is not sure is
    read again from other looks at the crop, and the recogniser's own
    probabilities (the calibrated confidence) choose between them: the text
    found at another scale, and the plate itself cut out of a loose box (a
    box that holds the bumper and the car's body shows the plate small, and
    its text is found only once the plate fills the view). A whole photo's
    candidates, cut to the plate already and many of them not plates, are
    read with one look (`look_again=False`)."""
    h, w = bgr.shape[:2]
    if h < 4 or w < 4:
        return NOTHING
    best = _read_crop(bgr, CROP_DETECT_HEIGHT)
    if best.confidence >= verified_threshold() or not look_again:
        return best
    for height, border in OTHER_LOOKS:
        best = max(best, _read_crop(bgr, height, border), key=lambda r: r.confidence)
    plate = _plate_in_loose_box(bgr)
    if plate is not None:
        best = max(best, _read_crop(plate, CROP_DETECT_HEIGHT), key=lambda r: r.confidence)
    return best


def _plate_in_loose_box(bgr: np.ndarray) -> np.ndarray | None:
    """Where the text is in the crop, seen closer (at that scale the
    detector finds a small plate as one block of text): that part of the
    crop with a margin, when it is well inside the crop; else None."""
    h, w = bgr.shape[:2]
    long_side = min(1280, max(64, int(FOCUS_DETECT_HEIGHT * max(h, w) / h)))
    boxes = [b for b in models().detect(bgr, long_side) if _box_height(b) >= 0.08 * h]
    if not boxes:
        return None
    points = np.concatenate(boxes)
    x0, y0 = points.min(axis=0)
    x1, y1 = points.max(axis=0)
    if (x1 - x0) * (y1 - y0) > 0.5 * w * h:
        return None
    mx, my = 0.12 * (x1 - x0), 0.25 * (y1 - y0)
    x0, y0 = int(max(0, x0 - mx)), int(max(0, y0 - my))
    x1, y1 = int(min(w, x1 + mx)), int(min(h, y1 + my))
    return bgr[y0:y1, x0:x1] if x1 - x0 >= 8 and y1 - y0 >= 8 else None


def _read_crop(bgr: np.ndarray, detect_height: int, border: int = 0) -> PlateReading:
    h, w = bgr.shape[:2]
    long_side = min(960, max(64, int(detect_height * max(h, w) / h)))
    lines = _read_lines(bgr, models().detect(bgr, long_side, border), plate_lines_only=True)
    state, state_confidence = _state_of(lines)
    serial = _serial_line(lines, w, h)
    if serial is None:  # nothing found as a line: read the middle band of the crop
        band = np.array([[0, h * 0.2], [w, h * 0.2], [w, h * 0.85], [0, h * 0.85]], dtype=np.float32)
        serial = _read_lines(bgr, [band], pad=0.0)[0]
        if not serial.text:
            return NOTHING
    text, probability, next_choice = _choose(serial, state)
    weakest = min(c.probability for c in serial.characters)
    features = _features(text, probability, weakest, next_choice, state)
    return PlateReading(text, calibrated(features), state, state_confidence, plate_formats.fits(text), features)


def _plate_region(bgr: np.ndarray, line: Line) -> tuple[int, int, int, int]:
    """The plate around a serial line: the serial is about half the plate's
    height and most of its width."""
    h, w = bgr.shape[:2]
    cx, cy = line.box.mean(axis=0)
    pw, ph = line.width * 1.35 + line.height, line.height * 2.4
    x0, y0 = int(max(0, cx - pw / 2)), int(max(0, cy - ph * 0.55))
    x1, y1 = int(min(w, cx + pw / 2)), int(min(h, cy + ph * 0.45))
    return x0, y0, x1 - x0, y1 - y0


def _plate_like(line: Line, image_height: int) -> bool:
    """Plate characters in a plate's shape: 3 to 9 of them, with a digit, not
    a state's words, and of a plate's size (a plate is 20 to 120 px high in a
    1080p photo, its number about half of that)."""
    ratio = line.width / max(line.height, 1.0)
    return (3 <= len(line.text) <= 9 and 1.2 <= ratio <= 12 and 5 <= line.height <= 0.045 * image_height
            and not plate_formats.is_plate_word(line.text))


def _plate_likeness(line: Line, lines: list[Line]) -> float:
    return ((1.5 if plate_formats.fits(line.text) else 1.0) * (2.0 if _stacked(line, lines) else 1.0)
            * (1.0 if any(c.isdigit() for c in line.text) else 0.4))


def _stacked(line: Line, lines: list[Line]) -> bool:
    """A smaller line just above or below (a state's name, a slogan), as on a plate."""
    cx, cy = line.box.mean(axis=0)
    for other in lines:
        if other is line or not 0.2 < other.height / max(line.height, 1.0) < 0.8:
            continue
        ox, oy = other.box.mean(axis=0)
        if abs(ox - cx) < line.width and 0.5 * line.height < abs(oy - cy) < 1.6 * line.height:
            return True
    return False


def read_photo(bgr: np.ndarray, *, tries: int = 4) -> PlateReading:
    """The plate in a whole vehicle photo: text lines found in the photo,
    the plate-like ones (plate characters, a plate's shape and size, not a
    state's words; first those with digits, fitting a format, with a smaller
    line just above or below) read again as plate crops; the best wins, and
    its crop is returned to be stored as the read's plate image. The photo is
    searched at 1280 px first; when that finds nothing in a state's format (a
    car's badge, a sign), it is searched again at full size, for a small,
    distant plate."""
    h, w = bgr.shape[:2]
    if h < 16 or w < 16:
        return NOTHING
    best = NOTHING
    try:
        for side in dict.fromkeys((min(PHOTO_DETECT_SIDE, max(h, w)), min(PHOTO_DETECT_SIDE_MAX, max(h, w)))):
            found = _search_photo(bgr, side, tries)
            if found.confidence > best.confidence:
                best = found
            if best.fits_format:
                break
    finally:
        give_back_memory()
    return best


def _search_photo(bgr: np.ndarray, side: int, tries: int) -> PlateReading:
    h = bgr.shape[0]
    lines = _merge(_read_lines(bgr, models().detect(bgr, side)))
    plate_like = [l for l in lines if _plate_like(l, h)]
    plate_like.sort(key=lambda l: -l.probability * _plate_likeness(l, lines))
    best, best_score = NOTHING, 0.0
    for line in plate_like[:tries]:
        x, y, cw, ch = _plate_region(bgr, line)
        if cw < 8 or ch < 8:
            continue
        reading = read_plate(bgr[y:y + ch, x:x + cw], look_again=False)
        if reading.plate and not (reading.plate_state or _stacked(line, lines)):
            features = tuple(1.0 if n == UNCONFIRMED_IN_PHOTO else f for n, f in enumerate(reading.features))
            reading = PlateReading(reading.plate, calibrated(features), None, 0.0, reading.fits_format, features)
        score = reading.confidence * _plate_likeness(line, lines) * (1.5 if reading.plate_state else 1.0)
        if reading.plate and score > best_score:
            crop = Image.fromarray(bgr[y:y + ch, x:x + cw, ::-1])
            buffer = io.BytesIO()
            crop.save(buffer, "JPEG", quality=90)
            best, best_score = PlateReading(reading.plate, reading.confidence, reading.plate_state,
                                            reading.state_confidence, reading.fits_format, reading.features,
                                            (x, y, cw, ch), buffer.getvalue()), score
    return best


def read_plate_image(image: Image.Image) -> PlateReading:
    return read_plate(_bgr(image))


def read_photo_image(image: Image.Image) -> PlateReading:
    return read_photo(_bgr(image))
