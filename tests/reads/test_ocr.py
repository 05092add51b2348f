"""OCR on plates rendered here: several fonts and sizes, clean and rotated
with blur and noise. The thresholds are asserted; the benchmark reports the
figures on a larger set."""
import random
import string

import pytest

from hub.reads import ocr, plate_formats
from tests.conftest import render_plate

FONTS = ["DejaVuSans-Bold.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSansCondensed-Bold.ttf", "DejaVuSerif-Bold.ttf"]


def plates(seed: int, n: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choices(string.ascii_uppercase, k=3)) + "".join(rnd.choices(string.digits, k=3))
            for _ in range(n)]


def accuracy(texts, **render) -> float:
    rnd = random.Random(1)
    hits = 0
    for i, text in enumerate(texts):
        options = {k: (rnd.uniform(-5, 5) if v == "random" else v) for k, v in render.items()}
        image = render_plate(text, font=FONTS[i % len(FONTS)], size=rnd.choice([28, 36, 48]), seed=i, **options)
        hits += ocr.recognise(image).text == text
    return hits / len(texts)


def test_clean_plates(app):
    assert accuracy(plates(11, 60)) >= 0.95


def test_rotated_blurred_noisy_plates(app):
    assert accuracy(plates(12, 60), angle="random", blur=1.0, noise=0.002) >= 0.90


def test_plate_formats_settle_look_alikes():
    assert plate_formats.fit("ABC123") == "ABC123"
    assert plate_formats.fit("AB0123") is None or plate_formats.fit("ABO123") == "ABO123"
    assert plate_formats.fit("ABCI23") == "ABC123"
    assert plate_formats.fit("KX0O491") == "KXO491"
    assert plate_formats.fit("HELLO") is None


def test_missing_language_data_names_the_package(monkeypatch):
    monkeypatch.setenv("HUB_TESSDATA", "/nonexistent")
    with pytest.raises(Exception, match="tesseract-ocr-eng"):
        ocr.tessdata_path()
